"""A class's roster: a text file of learner names, one a line; ``#`` starts a comment, blank lines are skipped.

Every name must be one the kit accepts (``infra/settings.py``: ``^[a-z][a-z0-9]*$``, at most 20 characters),
and no name may appear twice. Choice: every problem of the file is reported at once, each with its line
number and, for a name the kit refuses, the name it would accept; nothing is created while any line is bad.
"""

from __future__ import annotations

from pathlib import Path

from ..settings import learner_problem, suggested_learner


class RosterError(ValueError):
    """The roster has bad lines; ``problems`` lists them, one ``line N: ...`` each."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"{path}: {len(problems)} problem(s), nothing was created:\n" + "\n".join(problems))


def parse_roster(text: str, path: str = "roster") -> list[str]:
    """The learner names in ``text``, in order; ``RosterError`` with every bad line if there is one."""
    names: list[str] = []
    first_seen: dict[str, int] = {}
    problems: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        name = raw.split("#", 1)[0].strip()
        if not name:
            continue
        problem = learner_problem(name)
        if problem is not None:
            problems.append(f"line {number}: {name!r} {problem}; use, for example, {suggested_learner(name)!r}")
            continue
        if name in first_seen:
            problems.append(f"line {number}: {name!r} is already on line {first_seen[name]}")
            continue
        first_seen[name] = number
        names.append(name)
    if problems:
        raise RosterError(path, problems)
    return names


def read_roster(path: str | Path) -> list[str]:
    return parse_roster(Path(path).read_text(encoding="utf-8"), str(path))
