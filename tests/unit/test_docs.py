"""The text around the notebooks: each Korean document keeps its English twin's commands and code, character
for character, the two link to each other, and every relative link in README(.ko).md and share/ leads to a
file that exists."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TWINS = {  # Korean document: its English twin (a full translation: the same code blocks, in the same order)
    "share/ko/instructor-guide.md": "share/instructor-guide.md",
    "share/ko/cheat-sheet.md": "share/cheat-sheet.md",
    "share/ko/kubernetes/README.md": "share/kubernetes/README.md",
}
README, README_KO = "README.md", "README.ko.md"  # the Korean README is written anew: its code is a part of README's
DOCUMENTS = sorted({README, README_KO, *(str(p.relative_to(ROOT)) for p in (ROOT / "share").rglob("*.md"))})
_FENCE = re.compile(r"^( *)```")
_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
_INLINE = re.compile(r"`([^`\n]+)`")


def code_blocks(text: str) -> list[str]:
    """Every fenced code block of a Markdown text, with its info string, dedented to its fence."""
    blocks, lines, i = [], text.splitlines(keepends=True), 0
    while i < len(lines):
        if _FENCE.match(lines[i]):
            end = next(j for j in range(i + 1, len(lines)) if lines[j].strip() == "```")
            blocks.append(textwrap.dedent("".join(lines[i : end + 1])))
            i = end + 1
        else:
            i += 1
    return blocks


def commands(text: str) -> set[str]:
    """The commands written inline in a Markdown text (outside code blocks): spans that run the kit's Python."""
    for block in code_blocks(text):
        text = text.replace(block.strip(), "")
    return {span for span in _INLINE.findall(text) if "python -m " in span or span.startswith(".venv/")}


def links(text: str) -> list[str]:
    return _LINK.findall(text)


def _read(path: str) -> str:
    return (ROOT / path).read_text(encoding="utf-8")


def test_the_extractors_read_what_markdown_means() -> None:
    text = "a `python -m infra.lab --lang ko` b\n\n1. step:\n\n   ```bash\n   ls -l\n   ```\n\n[x](y.md#z) `ls`\n"
    assert code_blocks(text) == ["```bash\nls -l\n```\n"]
    assert commands(text) == {"python -m infra.lab --lang ko"}
    assert links(text) == ["y.md#z"]


@pytest.mark.parametrize("korean", sorted(TWINS))
def test_a_korean_document_has_its_english_twins_code_blocks_unchanged(korean: str) -> None:
    english = TWINS[korean]
    ours, theirs = code_blocks(_read(korean)), code_blocks(_read(english))
    assert len(ours) == len(theirs), f"{korean} has {len(ours)} code blocks, {english} {len(theirs)}: update {korean}"
    for number, (mine, original) in enumerate(zip(ours, theirs, strict=True), 1):
        assert mine == original, f"code block {number} of {korean} differs from {english}'s: copy it over"


@pytest.mark.parametrize("korean", [*sorted(TWINS), README_KO])
def test_a_korean_documents_inline_commands_are_its_english_twins(korean: str) -> None:
    english = TWINS.get(korean, README)
    missing = (
        commands(_read(korean))
        - commands(_read(english))
        - {line.strip() for block in code_blocks(_read(english)) for line in block.splitlines()}
    )
    assert not missing, f"{korean} writes commands that {english} does not: {sorted(missing)}"


def test_the_korean_readmes_code_is_the_readmes() -> None:
    ours, theirs = code_blocks(_read(README_KO)), code_blocks(_read(README))
    assert [block for block in ours if block not in theirs] == []
    assert theirs[:2] == ours[:2]  # the two commands of the quick start, unchanged
    assert "```bash\n.venv/bin/python -m infra.lab --lang ko\n```\n" in ours


@pytest.mark.parametrize("korean", [*sorted(TWINS), README_KO])
def test_a_korean_document_and_its_english_twin_link_to_each_other(korean: str) -> None:
    english = TWINS.get(korean, README)

    def targets(path: str) -> set[Path]:
        return {(ROOT / path).parent.joinpath(link.split("#")[0]).resolve() for link in links(_read(path))}

    assert (ROOT / english).resolve() in targets(korean), f"{korean} does not link to {english}"
    assert (ROOT / korean).resolve() in targets(english), f"{english} does not link to {korean}"


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_relative_link_leads_to_a_file_that_exists(document: str) -> None:
    broken = []
    for link in links(_read(document)):
        target = link.split("#")[0]
        if re.match(r"^[a-z]+:", link) or not target:  # https:, mailto:, or an anchor in the same page
            continue
        if not (ROOT / document).parent.joinpath(target).exists():
            broken.append(link)
    assert not broken, f"{document} links to files that do not exist: {broken}"


def test_every_korean_document_is_listed_in_share_readme() -> None:
    listed = links(_read("share/README.md"))
    for korean in TWINS:
        assert str(Path(korean).relative_to("share")) in listed
