"""A learner's install (requirements.txt) holds what the kit imports, and nothing only the tests need.

README command 1 installs ``requirements.txt``; command 2 and CI install ``tests/requirements.txt``, which adds the
class hub (``share/jupyterhub/requirements.txt``) and the test tools. This reads every ``import`` of ``infra/``
and ``handlers/`` and checks each third-party one against what ``requirements.txt`` brings, dependencies included.
"""

from __future__ import annotations

import ast
import re
import sys
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_NAME = re.compile(r"^([A-Za-z0-9_.-]+)")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned(path: Path) -> set[str]:
    """The distributions a requirements file names (following ``-r``)."""
    names: set[str] = set()
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r"):
            names |= pinned((path.parent / line[2:].strip()).resolve())
        elif line and not line.startswith("-"):
            match = _NAME.match(line)
            assert match, line
            names.add(_canonical(match.group(1)))
    return names


def with_dependencies(names: set[str]) -> set[str]:
    """``names`` and everything they require, as installed (extras of the pins included)."""
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        for requirement in requires:
            match = _NAME.match(requirement)
            if match and ("extra ==" not in requirement or name == "moto"):
                todo.append(_canonical(match.group(1)))
    return seen


def third_party_imports() -> dict[str, list[str]]:
    """Top-level module -> the files of infra/ and handlers/ that import it (stdlib and the kit's own left out)."""
    found: dict[str, list[str]] = {}
    for path in [*ROOT.glob("infra/**/*.py"), *ROOT.glob("handlers/*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                if top not in sys.stdlib_module_names and top not in ("infra", "__future__"):
                    found.setdefault(top, []).append(str(path.relative_to(ROOT)))
    return found


def test_what_the_kit_imports_comes_with_a_learners_install() -> None:
    installed = with_dependencies(pinned(ROOT / "requirements.txt"))
    providers = metadata.packages_distributions()
    missing = {
        module: files
        for module, files in third_party_imports().items()
        if not {_canonical(d) for d in providers.get(module, [])} & installed
    }
    assert not missing, f"imported by the kit but not brought by requirements.txt: {missing}"


def test_the_test_tools_are_not_in_a_learners_install() -> None:
    learner = with_dependencies(pinned(ROOT / "requirements.txt"))
    tools = pinned(ROOT / "tests" / "requirements.txt") - pinned(ROOT / "share" / "jupyterhub" / "requirements.txt")
    assert {"pytest", "playwright", "ruff", "hypothesis", "nbval"} <= tools
    assert not tools & learner, f"test tools a learner would install: {tools & learner}"
    assert not {"jupyterhub", "jupyterhub-idle-culler"} & learner  # the instructor's hub only


def test_the_readme_commands_install_those_files() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "pip install -r requirements.txt -e . && .venv/bin/python -m infra.lab" in readme
    assert "pip install -r tests/requirements.txt -e . && .venv/bin/python -m pytest" in readme
    assert "-r tests/requirements.txt -e . && .venv/bin/python -m pytest" in (ROOT / ".ci" / "run").read_text()
