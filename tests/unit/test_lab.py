"""``python -m infra.lab [--lang en|ko]``: the language, the ``jupyter lab`` command and its environment."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from infra import lab

KO = lab.LANGUAGES["ko"]
EN = lab.LANGUAGES["en"]


def test_english_is_the_default_and_opens_todays_first_notebook() -> None:
    chosen, rest = lab.split_arguments(["--no-browser", "--port", "8890"], environ={})
    assert chosen == EN and rest == ["--no-browser", "--port", "8890"]
    command = lab.lab_command(rest, chosen, root=Path("/kit"))
    assert command[:5] == [sys.executable, "-m", "jupyter", "lab", "notebooks/00_setup.ipynb"]
    assert command[5] == f"--ServerApp.root_dir={Path('/kit')}"
    assert command[6] == "--LabApp.default_url=/lab/tree/notebooks/00_setup.ipynb"  # the printed link opens it
    assert command[-3:] == ["--no-browser", "--port", "8890"]


@pytest.mark.parametrize("argv", [["--lang", "ko"], ["--lang=ko"], ["--lang", "KO"], ["--lang=ko "]])
def test_lang_ko_opens_the_korean_first_notebook(argv: list[str]) -> None:
    chosen, rest = lab.split_arguments([*argv, "--no-browser"], environ={})
    assert chosen == KO and rest == ["--no-browser"]
    assert lab.lab_command(rest, chosen)[4] == "notebooks/ko/00_setup.ipynb"
    assert lab.lab_command(rest, chosen)[6] == "--LabApp.default_url=/lab/tree/notebooks/ko/00_setup.ipynb"


def test_kit_lang_chooses_when_there_is_no_lang_argument_and_the_argument_wins() -> None:
    assert lab.split_arguments([], environ={"KIT_LANG": "ko"})[0] == KO
    assert lab.split_arguments(["--lang", "en"], environ={"KIT_LANG": "ko"})[0] == EN


def test_a_bad_kit_lang_is_named_as_kit_lang_and_an_argument_overrides_it() -> None:
    with pytest.raises(lab.LabError, match=r"^KIT_LANG='fr' is not a language of the kit: use one of en, ko"):
        lab.split_arguments([], environ={"KIT_LANG": "fr"})
    assert lab.split_arguments(["--lang=ko"], environ={"KIT_LANG": "fr"})[0] == KO


@pytest.mark.parametrize("argv", [["--lang", "kr"], ["--lang=fr"], ["--lang"], ["--lang="]])
def test_an_unknown_or_missing_language_names_the_choices(argv: list[str]) -> None:
    with pytest.raises(lab.LabError, match=r"en, ko"):
        lab.split_arguments(argv, environ={})


def test_korean_exports_kit_lang_and_puts_its_labconfig_first_without_losing_the_learners_path() -> None:
    env = lab.lab_environment(KO, {"PATH": "/bin", "JUPYTER_CONFIG_PATH": "/mine"})
    assert env["KIT_LANG"] == "ko" and env["PATH"] == "/bin"
    assert env["JUPYTER_CONFIG_PATH"].split(os.pathsep) == [str(lab.LAB_CONFIG / "ko"), "/mine"]
    assert lab.lab_environment(KO, {})["JUPYTER_CONFIG_PATH"] == str(lab.LAB_CONFIG / "ko")


def test_english_leaves_the_environment_as_it_is() -> None:
    assert lab.lab_environment(EN, {"PATH": "/bin"}) == {"PATH": "/bin"}


def test_the_korean_labconfig_sets_jupyterlabs_translation_locale() -> None:
    overrides = lab.LAB_CONFIG / "ko" / "labconfig" / "default_setting_overrides.json"
    assert json.loads(overrides.read_text()) == {"@jupyterlab/translation-extension:plugin": {"locale": "ko_KR"}}


def test_the_language_pack_the_korean_interface_needs_is_pinned_and_installed() -> None:
    from importlib import metadata

    pins = (lab.ROOT / "requirements.txt").read_text().splitlines()
    pinned = [line for line in pins if line.lower().startswith(f"{KO.language_pack.lower()}==")]
    assert pinned == [f"{KO.language_pack}=={metadata.version(KO.language_pack)}"]


def test_a_language_whose_notebooks_are_missing_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(lab.LabError, match=r"notebooks/ko/00_setup.ipynb is not in .*git pull"):
        lab.check_installed(KO, root=tmp_path)
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "00_setup.ipynb").write_text("{}")
    lab.check_installed(EN, root=tmp_path)


def test_a_missing_language_pack_says_how_to_install_it(tmp_path: Path) -> None:
    absent = lab.Language("xx", "notebooks", locale="xx_XX", language_pack="jupyterlab-language-pack-xx-XX")
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "00_setup.ipynb").write_text("{}")
    with pytest.raises(lab.LabError, match=r"needs jupyterlab-language-pack-xx-XX: pip install -r requirements.txt"):
        lab.check_installed(absent, root=tmp_path)


def test_main_refuses_an_unknown_language_before_starting_anything(capsys: pytest.CaptureFixture[str]) -> None:
    assert lab.main(["--lang", "jp"]) == 2
    assert "is not a language of the kit: use one of en, ko" in capsys.readouterr().err
