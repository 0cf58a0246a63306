"""share/jupyterhub/jupyterhub_config.py read as JupyterHub reads it: a class's credentials reach each learner."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from traitlets.config import Config

CONFIG = Path(__file__).resolve().parents[2] / "share" / "jupyterhub" / "jupyterhub_config.py"


def load(monkeypatch: pytest.MonkeyPatch, **environ: str) -> dict[str, Any]:
    for key, value in environ.items():
        monkeypatch.setenv(key, value)
    config = Config()
    namespace: dict[str, Any] = {"get_config": lambda: config, "__file__": str(CONFIG)}
    exec(compile(CONFIG.read_text(), str(CONFIG), "exec"), namespace)
    return namespace


def spawner(name: str) -> SimpleNamespace:
    return SimpleNamespace(user=SimpleNamespace(name=name), environment={"KIT_MODE": "local", "KIT_LANG": "en"})


def test_each_learner_gets_their_own_class_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    hub_file = tmp_path / "hub-environment.json"
    ann = {"KIT_MODE": "aws", "KIT_LEARNER": "ann", "KIT_REGION": "ap-northeast-2", "AWS_ACCESS_KEY_ID": "AKIA1"}
    hub_file.write_text(json.dumps({"ann": ann, "bob": {**ann, "KIT_LEARNER": "bob"}}))
    namespace = load(monkeypatch, KIT_HUB_CLASS_CREDENTIALS=str(hub_file))
    assert namespace["c"].Spawner.pre_spawn_hook is namespace["before_spawn"]
    learner = spawner("ann")
    namespace["class_credentials"](learner)
    assert learner.environment == {**ann, "KIT_LANG": "en"}  # aws mode, ann's key; the hub's language kept
    with pytest.raises(RuntimeError, match=r"carol has no class credentials in .*python -m infra.classroom create"):
        namespace["class_credentials"](spawner("carol"))


def test_without_class_credentials_learners_stay_in_local_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KIT_HUB_CLASS_CREDENTIALS", raising=False)
    namespace = load(monkeypatch)
    learner = spawner("ann")
    namespace["class_credentials"](learner)
    assert learner.environment == {"KIT_MODE": "local", "KIT_LANG": "en"}
