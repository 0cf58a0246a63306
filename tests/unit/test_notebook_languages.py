"""The Korean notebooks stay the English ones' equals: same code cells, both languages for every notebook,
Korean prose. Each check is also shown failing on a made-up bad pair, so a passing run means something."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from infra import notebook_languages as nl
from infra.notebooks import NOTEBOOKS

KOREAN = "함수 URL은 함수에 전용 HTTPS 엔드포인트를 줍니다. 응답 스트리밍을 쓰면 첫 단어가 먼저 도착합니다."
ENGLISH = "A Function URL gives your function its own HTTPS endpoint; with streaming the first words arrive first."


def notebook(*cells: tuple[str, str]) -> nbformat.NotebookNode:
    make = {"code": nbformat.v4.new_code_cell, "markdown": nbformat.v4.new_markdown_cell}
    return nbformat.v4.new_notebook(cells=[make[kind](source) for kind, source in cells])


def write_pair(root: Path, name: str, english: nbformat.NotebookNode, korean: nbformat.NotebookNode | None) -> None:
    (root / "ko").mkdir(parents=True, exist_ok=True)
    nbformat.write(english, root / name)
    if korean is not None:
        nbformat.write(korean, root / "ko" / name)


# -- the repository's own notebooks --------------------------------------------------------------------------------


def test_the_kits_notebooks_pass_every_check() -> None:
    assert nl.check() == []


def test_the_workshop_sequence_is_the_same_in_each_language_and_cleanup_is_last() -> None:
    english = [p.name for p in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))]
    assert [p.name for p in sorted((NOTEBOOKS / "ko").glob("[0-9][0-9]_*.ipynb"))] == english
    assert [name[:2] for name in english] == [f"{n:02d}" for n in range(11)]
    assert english[-1] == "10_cleanup.ipynb" and "08_versions_and_aliases.ipynb" in english


def test_korean_notebooks_are_written_for_korean_readers_and_english_ones_are_not() -> None:
    for path in sorted((NOTEBOOKS / "ko").glob("[0-9][0-9]_*.ipynb")):
        share = nl.hangul_share("\n".join(nl.markdown_cells(nbformat.read(path, as_version=4))))
        assert share.value >= nl.MIN_HANGUL_SHARE, path.name
        english = NOTEBOOKS / path.name
        assert nl.hangul_share("\n".join(nl.markdown_cells(nbformat.read(english, as_version=4)))).value < 0.05


# -- the checks on made-up pairs ----------------------------------------------------------------------------------


def test_a_good_pair_passes(tmp_path: Path) -> None:
    write_pair(
        tmp_path,
        "01_x.ipynb",
        notebook(("markdown", ENGLISH), ("code", "print(kit.t('x'))")),
        notebook(("markdown", KOREAN), ("code", "print(kit.t('x'))")),
    )
    assert nl.check(tmp_path) == []


def test_a_code_cell_that_differs_by_one_character_fails(tmp_path: Path) -> None:
    write_pair(
        tmp_path,
        "01_x.ipynb",
        notebook(("markdown", ENGLISH), ("code", "import infra\nprint('Seoul')")),
        notebook(("markdown", KOREAN), ("code", "import infra\nprint('서울')")),
    )
    [problem] = nl.check(tmp_path)
    assert "ko/01_x.ipynb: code cell 1, line 2" in problem and "서울" in problem


def test_a_missing_or_extra_code_cell_fails(tmp_path: Path) -> None:
    write_pair(
        tmp_path,
        "01_x.ipynb",
        notebook(("markdown", ENGLISH), ("code", "a = 1"), ("code", "b = 2")),
        notebook(("markdown", KOREAN), ("code", "a = 1")),
    )
    assert nl.check(tmp_path) == [f"{tmp_path.name}/ko/01_x.ipynb: 1 code cells instead of 2"]


def test_a_notebook_in_one_language_only_fails(tmp_path: Path) -> None:
    write_pair(tmp_path, "01_x.ipynb", notebook(("markdown", ENGLISH)), None)
    nbformat.write(notebook(("markdown", KOREAN)), tmp_path / "ko" / "02_only_korean.ipynb")
    assert nl.check(tmp_path) == [
        f"{tmp_path.name}/02_only_korean.ipynb is missing",
        f"{tmp_path.name}/ko/01_x.ipynb is missing",
    ]


def test_a_korean_notebook_left_in_english_fails(tmp_path: Path) -> None:
    write_pair(
        tmp_path,
        "01_x.ipynb",
        notebook(("markdown", ENGLISH), ("code", "a = 1")),
        notebook(("markdown", ENGLISH), ("code", "a = 1")),
    )
    problems = nl.check(tmp_path)
    assert any("its prose is 0% Hangul" in p for p in problems)
    assert any("markdown cell 1" in p and "is it translated?" in p for p in problems)


def test_one_cell_left_in_english_fails_even_when_the_notebook_is_mostly_korean(tmp_path: Path) -> None:
    korean = notebook(*[("markdown", KOREAN)] * 6, ("markdown", ENGLISH))
    assert nl.hangul_share("\n".join(nl.markdown_cells(korean))).value >= nl.MIN_HANGUL_SHARE
    assert nl.prose_problems(korean) == [f"markdown cell 7 ({ENGLISH[:60]!r}) is 0% Hangul: is it translated?"]


def test_code_urls_and_html_do_not_count_as_prose() -> None:
    text = (
        "한국어 설명 `InvokeWithResponseStream` https://docs.aws.amazon.com/ko_kr/lambda/ <br/>\n```python\nx = 1\n```"
    )
    share = nl.hangul_share(text)
    assert share.letters == 5 and share.value == 1.0


def test_short_cells_are_not_judged_alone() -> None:
    assert nl.prose_problems(notebook(*[("markdown", KOREAN)] * 3, ("markdown", "Next: **05_cloudfront**"))) == []


@pytest.mark.parametrize("ch, expected", [("한", True), ("ㄱ", True), ("A", False), ("漢", False), ("ア", False)])
def test_what_counts_as_hangul(ch: str, expected: bool) -> None:
    assert nl.is_hangul(ch) is expected


# -- what the refresh command runs --------------------------------------------------------------------------------


def test_each_language_has_its_folder_and_the_refresh_picks_notebooks_by_prefix() -> None:
    from infra import notebooks

    assert notebooks.folder("en") == NOTEBOOKS and notebooks.folder("ko") == NOTEBOOKS / "ko"
    with pytest.raises(ValueError, match="'fr' is not a language of the kit"):
        notebooks.folder("fr")
    assert [p.name for p in notebooks.notebook_paths(["04"], "ko")] == ["04_response_streaming.ipynb"]
    assert notebooks.notebook_paths(["04"], "ko")[0].parent == NOTEBOOKS / "ko"
    assert [p.name for p in notebooks.notebook_paths(lang="ko")] == [p.name for p in notebooks.notebook_paths()]


def test_refresh_refuses_a_name_that_matches_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    from infra import notebooks

    assert notebooks.refresh(["99"], ("ko",)) == 1
    assert "no notebook matches '99'" in capsys.readouterr().err


def test_sync_copies_changed_english_code_and_clears_its_outputs(tmp_path: Path) -> None:
    korean = notebook(("markdown", KOREAN), ("code", "a = 1"), ("code", "b = 2"))
    korean.cells[2].outputs = [nbformat.v4.new_output("stream", text="2\n")]
    korean.cells[1].outputs = [nbformat.v4.new_output("stream", text="kept\n")]
    write_pair(tmp_path, "01_x.ipynb", notebook(("markdown", ENGLISH), ("code", "a = 1"), ("code", "b = 3")), korean)
    assert nl.check(tmp_path) != []
    assert nl.sync_code(tmp_path) == [
        f"{tmp_path.name}/ko/01_x.ipynb: 1 code cells copied from English (refresh it to fill their outputs)"
    ]
    synced = nbformat.read(tmp_path / "ko" / "01_x.ipynb", as_version=4)
    assert [c.source for c in synced.cells] == [KOREAN, "a = 1", "b = 3"]
    assert synced.cells[1].outputs and not synced.cells[2].outputs
    assert nl.check(tmp_path) == [] and nl.sync_code(tmp_path) == []


def test_sync_leaves_a_notebook_with_other_cells_alone(tmp_path: Path) -> None:
    write_pair(tmp_path, "01_x.ipynb", notebook(("code", "a = 1"), ("code", "b = 2")), notebook(("code", "a = 1")))
    [line] = nl.sync_code(tmp_path)
    assert "1 code cells instead of 2: add or remove them by hand" in line
    assert nl.code_cells(nbformat.read(tmp_path / "ko" / "01_x.ipynb", as_version=4)) == ["a = 1"]
