"""The message catalog and the one language setting behind it."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra import i18n
from infra.i18n import CATALOG, t
from infra.settings import LANGUAGES, Settings, SettingsError, resolve_language

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("key", sorted(CATALOG))
def test_every_key_has_every_language_with_the_same_fields(key: str) -> None:
    texts = CATALOG[key]
    assert set(texts) == set(LANGUAGES), key
    assert all(texts[lang].strip() for lang in LANGUAGES), key
    assert i18n.fields_of(texts["ko"]) == i18n.fields_of(texts["en"]), key


def test_korean_texts_are_korean() -> None:
    from infra.notebook_languages import hangul_share

    for key, texts in CATALOG.items():
        letters = hangul_share(texts["ko"].format(**dict.fromkeys(i18n.fields_of(texts["ko"]), 1)))
        if key not in {"cost.api_gateway"}:  # a product name, the same in both languages
            assert letters.hangul > 0, key


def test_fields_of_ignores_format_specs() -> None:
    assert i18n.fields_of("{header:13} direct: {direct!r:10} {a.b} {c[0]}") == {"header", "direct", "a", "c"}


def test_a_mismatched_placeholder_would_be_caught() -> None:
    assert i18n.fields_of("received {count} lines") != i18n.fields_of("{n}줄을 받았습니다")


def test_t_fills_in_fields_in_the_language_asked() -> None:
    assert t("stream.summary", "en", count=3, last="3") == "received 3 lines; the last one says 3"
    assert t("stream.summary", "ko", count=3, last="3") == "3줄을 받았습니다. 마지막 줄: 3"


def test_an_unknown_key_says_where_to_add_it() -> None:
    with pytest.raises(i18n.CatalogError, match=r"no text 'no.such.key' in infra/i18n.py's catalog"):
        t("no.such.key", "en")


def test_an_unknown_language_is_refused_clearly() -> None:
    with pytest.raises(SettingsError, match=r"KIT_LANG='fr' is not a language of the kit: use 'en'"):
        resolve_language({"KIT_LANG": "fr"}, ROOT)
    with pytest.raises(SettingsError, match=r"KIT_LANG='fr'"):
        Settings.from_env({"KIT_LANG": "fr"})


def test_the_notebook_folder_chooses_the_language_unless_kit_lang_says_otherwise() -> None:
    assert resolve_language({}, ROOT / "notebooks") == "en"
    assert resolve_language({}, ROOT / "notebooks" / "ko") == "ko"
    assert resolve_language({"KIT_LANG": "en"}, ROOT / "notebooks" / "ko") == "en"
    assert resolve_language({"KIT_LANG": " KO "}, ROOT / "notebooks") == "ko"
    assert resolve_language({}, Path("/tmp/ko")) == "en"  # a folder called ko elsewhere is not a notebook folder
    assert Settings.from_env({}, cwd=ROOT / "notebooks" / "ko").lang == "ko"
    assert Settings.from_env({}).lang == "en"


def test_the_default_follows_the_process_language(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIT_LANG", "ko")
    assert t("yes") == "예" and i18n.verdict(False) == "아니요"
    monkeypatch.setenv("KIT_LANG", "en")
    assert t("yes") == "yes"


def test_every_key_the_notebooks_and_infra_use_exists() -> None:
    import re

    import nbformat

    used: set[str] = set()
    for path in (ROOT / "notebooks").rglob("[0-9][0-9]_*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                used |= set(re.findall(r'kit\.t\("([^"]+)"', cell.source))
    for path in (ROOT / "infra").rglob("*.py"):
        used |= set(re.findall(r'\bt\(\s*"([^"]+)"', path.read_text()))
    assert used and not used - set(CATALOG)


def test_korean_plot_labels_draw_without_a_missing_glyph(tmp_path: Path) -> None:
    import warnings

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with matplotlib.rc_context(), warnings.catch_warnings():
        found = i18n.use_korean_plot_font()
        if found is None:
            pytest.skip("no Hangul font installed (fonts-noto-cjk or fonts-nanum)")
        assert matplotlib.rcParams["font.family"][-1] == found
        warnings.simplefilter("error")
        fig, ax = plt.subplots()
        ax.set_xlabel(t("plot.seconds_after_request", "ko"))
        fig.savefig(tmp_path / "plot.png")
        plt.close(fig)


def test_every_action_a_deploy_step_reports_has_its_words() -> None:
    import re

    steps = (ROOT / "infra" / "steps").glob("*.py")
    actions = {
        a for path in steps for a in re.findall(r"action: str  # (.+)", path.read_text()) for a in a.split(" | ")
    }
    actions = {a.strip('"') for a in actions}
    assert actions == {"created", "updated", "unchanged", "requested", "found", "published"}
    for action in actions:
        assert t(f"action.{action}", "en") == action and t(f"action.{action}", "ko")
