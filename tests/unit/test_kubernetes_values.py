"""share/kubernetes: the Helm values for Zero to JupyterHub, the single-user image's recipe, and what they rest on.

Which validation this is, and why: the values are NOT validated against the chart's own schema. The chart
(``jupyterhub``, 4.4.0) and the ``values.schema.json`` packaged with it come only from the chart's Helm repository
(https://hub.jupyter.org/helm-chart/), which is not one of the package registries this project can reach (PyPI, npm,
Debian): their package lists have no chart and no ``z2jh`` (PyPI's and Debian's ``jupyterhub`` are the hub's Python
package; npm's ``helm*`` names are unrelated; the Go module list's ``helm.sh/helm`` is the tool's source, no chart),
so ``helm lint``/``helm template`` cannot run either. Instead this checks that the YAML parses and that every key
path it sets is one the chart documents, with the type the chart's schema gives it: ``DOCUMENTED`` below, from the
chart's configuration reference, https://z2jh.jupyter.org/en/stable/resources/reference.html (which is built from
the chart's ``jupyterhub/values.schema.yaml``; the keys and types were read from that schema). What that cannot
catch: a key the chart renamed or removed after that list was made, and any error only the chart's templates or a
cluster would show (a Secret that is not there, a StorageClass, the image).

Then the parts of the values that are the kit's own: the resources are computed from the measured figures (parsed
from share/jupyterhub/README.md and share/kubernetes/README.md, so a new measurement fails this until the values
follow it), the first notebook is where the image's start hook puts the learner's copy, the hub's extra
configuration gives each learner their class credentials as share/jupyterhub/jupyterhub_config.py does, and the
image installs requirements.txt.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tomllib
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from jupyterhub.traitlets import ByteSpecification
from traitlets.config import Config

ROOT = Path(__file__).resolve().parents[2]
KUBERNETES = ROOT / "share" / "kubernetes"
README, README_KO = KUBERNETES / "README.md", ROOT / "share" / "ko" / "kubernetes" / "README.md"
HUB_README = ROOT / "share" / "jupyterhub" / "README.md"
CHART_VERSION = "4.4.0"
CHART_JUPYTERHUB = "5.5.0"  # the chart's changelog: "4.4.0 upgrades JupyterHub to 5.5.0"
REFERENCE = "https://z2jh.jupyter.org/en/stable/resources/reference.html"

_OBJECT = "object"  # an object the chart passes on as it is (a dict, or a list, of k8s or traitlets config)
# Chart 4.4.0's keys that this kit's values (or the READMEs' --set) may use, with the types of the chart's schema.
# Source: REFERENCE (schema_hub.*, schema_singleuser.*, schema_cull.*). A path not listed here fails the test: look
# it up there first, then add it.
DOCUMENTED: dict[str, tuple[type, ...] | str] = {
    "hub.config": _OBJECT,  # traitlets config for JupyterHub and its authenticator
    "hub.extraConfig": _OBJECT,  # named Python snippets appended to jupyterhub_config.py
    "hub.extraEnv": _OBJECT,
    "hub.extraVolumes": _OBJECT,
    "hub.extraVolumeMounts": _OBJECT,
    "singleuser.image.name": (str,),
    "singleuser.image.tag": (str,),
    "singleuser.image.pullPolicy": (str,),
    "singleuser.cmd": (list, str, type(None)),
    "singleuser.defaultUrl": (str, type(None)),
    "singleuser.extraEnv": _OBJECT,
    "singleuser.cpu.guarantee": (int, float, type(None)),
    "singleuser.cpu.limit": (int, float, type(None)),
    "singleuser.memory.guarantee": (int, float, str, type(None)),
    "singleuser.memory.limit": (int, float, str, type(None)),
    "singleuser.startTimeout": (int, type(None)),
    "singleuser.storage.type": (str,),  # dynamic, static or none
    "singleuser.storage.capacity": (str, type(None)),
    "singleuser.storage.homeMountPath": (str,),
    "singleuser.storage.dynamic.storageClass": (str, type(None)),
    "singleuser.networkPolicy.enabled": (bool,),
    "singleuser.networkPolicy.egress": _OBJECT,
    "singleuser.networkPolicy.egressAllowRules.cloudMetadataServer": (bool,),
    "singleuser.networkPolicy.egressAllowRules.dnsPortsCloudMetadataServer": (bool,),
    "singleuser.networkPolicy.egressAllowRules.dnsPortsKubeSystemNamespace": (bool,),
    "singleuser.networkPolicy.egressAllowRules.dnsPortsPrivateIPs": (bool,),
    "singleuser.networkPolicy.egressAllowRules.nonPrivateIPs": (bool,),
    "singleuser.networkPolicy.egressAllowRules.privateIPs": (bool,),
    "cull.enabled": (bool,),
    "cull.users": (bool, type(None)),
    "cull.adminUsers": (bool, type(None)),
    "cull.removeNamedServers": (bool, type(None)),
    "cull.timeout": (int, type(None)),
    "cull.every": (int, type(None)),
    "cull.concurrency": (int, type(None)),
    "cull.maxAge": (int, type(None)),
}
_OBJECTS_ON_THE_WAY = {".".join(path.split(".")[:i]) for path in DOCUMENTED for i in range(1, path.count(".") + 1)}


def values() -> dict[str, Any]:
    return yaml.safe_load((KUBERNETES / "values.yaml").read_text())


def key_paths(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Every key path of ``tree`` down to a documented key (a leaf, or an object the chart passes on)."""
    found: dict[str, Any] = {}
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if DOCUMENTED.get(path) != _OBJECT and path in _OBJECTS_ON_THE_WAY and isinstance(value, dict):
            found |= key_paths(value, f"{path}.")
        else:
            found[path] = value
    return found


def documented_problems(paths: dict[str, Any]) -> list[str]:
    problems = []
    for path, value in paths.items():
        kind = DOCUMENTED.get(path)
        if kind is None:
            problems.append(f"{path} is not one of the chart's keys in {REFERENCE} (chart {CHART_VERSION})")
        elif kind == _OBJECT:
            if not isinstance(value, dict | list):
                problems.append(f"{path} takes an object or a list, not {value!r}")
        elif not isinstance(value, kind) or (isinstance(value, bool) and bool not in kind):
            problems.append(f"{path} = {value!r}: the chart's schema wants {[k.__name__ for k in kind]}")
    return problems


def code_lines(text: str) -> list[str]:
    """The lines of a Markdown text's fenced code blocks, with backslash continuations joined."""
    blocks = re.findall(r"^ *```[^\n]*\n(.*?)^ *```", text, flags=re.DOTALL | re.MULTILINE)
    return [line.strip() for block in blocks for line in block.replace("\\\n", " ").splitlines()]


# -- the chart's keys --------------------------------------------------------------------------------------------


def test_the_checker_knows_a_key_from_a_typo() -> None:
    assert documented_problems(key_paths({"singleuser": {"cpu": {"guarantee": 0.5}}})) == []
    assert documented_problems(key_paths({"singleuser": {"cpu": {"guarante": 0.5}}})) == [
        f"singleuser.cpu.guarante is not one of the chart's keys in {REFERENCE} (chart {CHART_VERSION})"
    ]
    assert documented_problems(key_paths({"cull": {"enabled": "yes"}})) == [
        "cull.enabled = 'yes': the chart's schema wants ['bool']"
    ]
    assert documented_problems(key_paths({"cull": {"timeout": True}})) == [
        "cull.timeout = True: the chart's schema wants ['int', 'NoneType']"
    ]
    assert documented_problems(key_paths({"hub": {"extraEnv": {"ANY_NAME": "x"}}})) == []  # passed on as it is


def test_the_values_parse_and_set_only_keys_the_chart_documents() -> None:
    paths = key_paths(values())
    assert documented_problems(paths) == []
    assert paths["singleuser.storage.type"] in {"dynamic", "static", "none"}
    assert {"name", "tag"} <= set(values()["singleuser"]["image"])  # the schema requires both


@pytest.mark.parametrize("readme", [README, README_KO], ids=["en", "ko"])
def test_the_readmes_helm_commands_pin_the_chart_and_set_documented_keys(readme: Path) -> None:
    lines = [line for line in code_lines(readme.read_text()) if line.startswith("helm upgrade")]
    assert lines, f"{readme.name} has no helm upgrade command"
    for line in lines:
        assert f"--version {CHART_VERSION}" in line and "jupyterhub/jupyterhub" in line
        for pair in re.findall(r"--set (\S+)", line):
            path, text = pair.split("=", 1)
            tree: Any = yaml.safe_load(text)
            for key in reversed(path.split(".")):  # --set a.b=v is the values {a: {b: v}}
                tree = {key: tree}
            assert documented_problems(key_paths(tree)) == [], line
    assert f"--version {CHART_VERSION}" in (KUBERNETES / "values.yaml").read_text()


# -- the resources, from the measured figures ------------------------------------------------------------------


def measured() -> dict[str, Any]:
    """The figures the resources are computed from: one learner's notebooks (share/jupyterhub/README.md) and
    their Jupyter server (share/kubernetes/README.md, tests/benchmarks/bench_server.py)."""
    hub = HUB_README.read_text()
    rows = re.findall(r"^\| (\d\d_[^|]+?) \| ([\d.]+) s \| (\d+) MB \| ([\d.]+) s \|$", hub, flags=re.MULTILINE)
    assert len(rows) >= 9, "the table of share/jupyterhub/README.md changed its form: update measured()"
    idle = re.search(r"(\d+) MB for a local cloud idling", hub)
    server = re.search(r"a learner's Jupyter server: peak (\d+) MB PSS", README.read_text())
    assert idle and server
    return {
        "wall": sum(float(r[1]) for r in rows),
        "cpu": sum(float(r[3]) for r in rows),
        "busiest": max(float(r[3]) / float(r[1]) for r in rows),
        "peak_mb": max(int(r[2]) for r in rows),
        "idle_mb": int(idle.group(1)),
        "server_mb": int(server.group(1)),
    }


def test_the_figures_are_the_ones_the_comments_show() -> None:
    figures = measured()
    assert (round(figures["cpu"], 1), round(figures["wall"], 1)) == (44.5, 296.5)
    assert (figures["peak_mb"], figures["idle_mb"], figures["server_mb"]) == (383, 245, 176)


def test_the_cpu_follows_the_measured_figures() -> None:
    figures, cpu = measured(), values()["singleuser"]["cpu"]
    assert cpu["guarantee"] == round(figures["cpu"] / figures["wall"], 2)  # the average while running: 0.15
    assert cpu["limit"] >= figures["busiest"]  # the busiest notebook's average fits under the limit
    assert cpu["limit"] >= cpu["guarantee"]


def test_the_memory_follows_the_measured_figures() -> None:
    figures, memory = measured(), values()["singleuser"]["memory"]
    mib = 1024 * 1024
    guarantee, limit = (ByteSpecification().validate(None, memory[key]) for key in ("guarantee", "limit"))
    assert guarantee == (figures["peak_mb"] + figures["server_mb"]) * mib  # the peak of the notebooks + the server
    assert limit - guarantee >= 3 * (figures["peak_mb"] - figures["idle_mb"]) * mib
    for readme in (README, README_KO):  # the sizing in both READMEs uses the same guarantee
        assert memory["guarantee"] in readme.read_text(), readme


# -- the learner's server ----------------------------------------------------------------------------------------


def copy_notebooks(home: Path) -> None:
    """What the image's before-notebook.d hook does at a server's start, with the kit here as the image's."""
    hook = KUBERNETES / "copy-notebooks.sh"
    environ = {"PATH": os.environ["PATH"], "HOME": str(home), "KIT_INSTALL_DIR": str(ROOT)}
    subprocess.run(["bash", "-c", f'set -e; source "{hook}"'], env=environ, check=True)


def test_the_first_notebook_is_in_the_copy_each_learner_gets(tmp_path: Path) -> None:
    default_url = values()["singleuser"]["defaultUrl"]
    assert default_url.startswith("/lab/tree/")  # JupyterLab, as share/jupyterhub opens it
    relative = default_url.removeprefix("/lab/tree/")
    home = tmp_path / "jovyan"
    home.mkdir()
    copy_notebooks(home)
    assert (home / relative).is_file()
    assert (home / relative).read_bytes() == (ROOT / relative.removeprefix("lambda-url-kit/")).read_bytes()
    korean = relative.replace("notebooks/", "notebooks/ko/")  # the Korean first notebook the values' comment names
    assert (home / korean).is_file() and f"/lab/tree/{korean}" in (KUBERNETES / "values.yaml").read_text()
    (home / relative).write_text("the learner's own work")
    copy_notebooks(home)  # the next start of their server
    assert (home / relative).read_text() == "the learner's own work"


def extra_config(monkeypatch: pytest.MonkeyPatch, hub_file: Path) -> Config:
    """The hub's extraConfig run as the chart runs it (appended to its jupyterhub_config.py, where ``c`` is)."""
    monkeypatch.setenv("KIT_HUB_CLASS_CREDENTIALS", str(hub_file))
    c = Config()
    for name, code in sorted(values()["hub"]["extraConfig"].items()):
        exec(compile(code, f"values.yaml hub.extraConfig {name}", "exec"), {"c": c})
    return c


def one_machine(monkeypatch: pytest.MonkeyPatch, hub_file: Path) -> dict[str, Any]:
    config = ROOT / "share" / "jupyterhub" / "jupyterhub_config.py"
    monkeypatch.setenv("KIT_HUB_CLASS_CREDENTIALS", str(hub_file))
    namespace: dict[str, Any] = {"get_config": Config, "__file__": str(config)}
    exec(compile(config.read_text(), str(config), "exec"), namespace)
    return namespace


def learner(name: str) -> SimpleNamespace:
    environment = {str(k): str(v) for k, v in values()["singleuser"]["extraEnv"].items()}
    return SimpleNamespace(user=SimpleNamespace(name=name), environment=environment)


def test_class_credentials_reach_each_learner_as_on_one_machine(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    hub = values()["hub"]
    (mount,) = hub["extraVolumeMounts"]
    (volume,) = hub["extraVolumes"]
    assert hub["extraEnv"]["KIT_HUB_CLASS_CREDENTIALS"] == f"{mount['mountPath']}/hub-environment.json"
    assert volume["name"] == mount["name"] and volume["secret"]["optional"] is True and mount["readOnly"] is True
    assert f"generic {volume['secret']['secretName']} " in " ".join(code_lines(README.read_text()))
    hub_file = tmp_path / "hub-environment.json"
    ann = {"KIT_MODE": "aws", "KIT_LEARNER": "ann", "KIT_REGION": "ap-northeast-2", "AWS_ACCESS_KEY_ID": "AKIA1"}
    hub_file.write_text(json.dumps({"ann": ann, "bob": {**ann, "KIT_LEARNER": "bob"}}))
    hook = extra_config(monkeypatch, hub_file).KubeSpawner.pre_spawn_hook
    ours, theirs = learner("ann"), learner("ann")
    hook(ours)
    one_machine(monkeypatch, hub_file)["class_credentials"](theirs)
    assert ours.environment == theirs.environment == {**ann, "KIT_LANG": "en"}
    with pytest.raises(RuntimeError, match=r"^carol has no class credentials in .*python -m infra.classroom create"):
        hook(learner("carol"))


def test_without_the_secret_every_learner_stays_in_local_mode(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    c = extra_config(monkeypatch, tmp_path / "not-mounted" / "hub-environment.json")
    assert c.KubeSpawner.http_timeout == 60  # as share/jupyterhub sets it
    ann = learner("ann")
    c.KubeSpawner.pre_spawn_hook(ann)
    assert ann.environment == {"KIT_MODE": "local", "KIT_LANG": "en"}


def test_the_culler_stops_idle_servers_as_share_jupyterhub_does() -> None:
    cull = values()["cull"]
    one_machine_default = re.search(
        r'"KIT_HUB_IDLE_SECONDS", "(\d+)"', (ROOT / "share" / "jupyterhub" / "jupyterhub_config.py").read_text()
    )
    assert one_machine_default
    assert cull["enabled"] is True and cull["timeout"] == int(one_machine_default.group(1))
    assert cull["users"] is False and cull["maxAge"] == 0  # users stay, and so do their volumes


def test_local_mode_has_no_internet() -> None:
    single = values()["singleuser"]
    assert single["extraEnv"]["KIT_MODE"] == "local"
    assert single["networkPolicy"]["enabled"] is True
    assert single["networkPolicy"]["egressAllowRules"] == {"nonPrivateIPs": False}


# -- the image ---------------------------------------------------------------------------------------------------


def dockerfile() -> list[str]:
    text = (KUBERNETES / "Dockerfile").read_text().replace("\\\n", " ")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def pinned(path: Path) -> dict[str, str]:
    """``name: version`` of a requirements file, following ``-r``."""
    found: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r"):
            found |= pinned((path.parent / line[2:].strip()).resolve())
        elif "==" in line:
            name, version = line.split("==")
            found[name.split("[")[0].strip().lower()] = version.strip()
    return found


def test_the_image_starts_from_a_pinned_docker_stacks_build() -> None:
    lines = dockerfile()
    base = next(line for line in lines if line.startswith("ARG BASE_IMAGE="))
    assert re.fullmatch(r"ARG BASE_IMAGE=quay\.io/jupyter/base-notebook:\d{4}-\d\d-\d\d(@sha256:[0-9a-f]{64})?", base)
    assert "FROM ${BASE_IMAGE}" in lines


def test_the_image_installs_requirements_txt_and_the_kit() -> None:
    lines = dockerfile()
    (install,) = [line for line in lines if "pip install" in line]
    requirements = re.search(r"-r /opt/lambda-url-kit/(\S+)", install)
    assert requirements and "-e /opt/lambda-url-kit" in install
    image_file = ROOT / requirements.group(1)
    assert pinned(ROOT / "requirements.txt").items() <= pinned(image_file).items()  # all of requirements.txt
    assert "-r ../../requirements.txt" in image_file.read_text()
    extra = pinned(image_file).keys() - pinned(ROOT / "requirements.txt").keys()
    assert extra == {"jupyterhub"}  # the single-user side of the hub, nothing else: no test tools
    assert pinned(image_file)["jupyterhub"].split(".")[0] == CHART_JUPYTERHUB.split(".")[0]
    copies = [[word for word in line.split()[1:] if not word.startswith("--")] for line in lines if line[:5] == "COPY "]
    sources = [source for words in copies for source in words[:-1]]  # the last word is where it goes
    assert sources and all((ROOT / src).exists() for src in sources), sources
    assert not any(src.startswith("tests") for src in sources)
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert values()["singleuser"]["image"]["tag"] == version


def test_the_image_has_the_font_the_korean_plots_ask_for() -> None:
    from infra.i18n import KOREAN_FONTS

    assert KOREAN_FONTS[0] == "Noto Sans CJK KR"  # Debian's and Ubuntu's fonts-noto-cjk
    assert any("apt-get install" in line and "fonts-noto-cjk" in line for line in dockerfile())


def test_the_image_turns_on_the_kits_server_extension_and_notebook_copy(tmp_path: Path) -> None:
    from jupyter_core.paths import SYSTEM_CONFIG_PATH
    from jupyter_server.extension.config import ExtensionConfigManager

    lines = dockerfile()
    target = "/etc/jupyter/jupyter_server_config.d/lambda-url-kit.json"
    assert f"COPY share/kubernetes/server-extension.json {target}" in lines
    assert "/etc/jupyter" in SYSTEM_CONFIG_PATH  # a folder every Jupyter server reads its config from
    folder = tmp_path / "jupyter_server_config.d"
    folder.mkdir()
    (folder / "lambda-url-kit.json").write_text((KUBERNETES / "server-extension.json").read_text())
    assert ExtensionConfigManager(read_config_path=[str(tmp_path)]).get_jpserver_extensions() == {
        "infra.server_proxy": True
    }
    assert "COPY share/kubernetes/copy-notebooks.sh /usr/local/bin/before-notebook.d/50-lambda-url-kit.sh" in lines
    assert values()["singleuser"]["cmd"] is None  # the image's start.sh runs that hook; jupyterhub-singleuser would not
