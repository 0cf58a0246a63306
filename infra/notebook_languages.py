"""Checks that keep the Korean notebooks the English ones' equals, without two copies of code that can drift.

- every notebook exists in every language (``notebooks/NN_*.ipynb`` and ``notebooks/ko/NN_*.ipynb``);
- their code cells are the same, character for character, in the same order (only prose differs);
- a Korean notebook's prose is Korean: the share of Hangul among the letters of its markdown, with code, URLs
  and HTML left out, is at least :data:`MIN_HANGUL_SHARE`, in the notebook as a whole and in every cell with
  enough letters to judge (:data:`MIN_CELL_HANGUL_SHARE`, :data:`MIN_CELL_LETTERS`).

``python -m infra.notebook_languages`` prints the problems it finds (and each Korean notebook's share) and exits
non-zero when there is one; ``tests/unit/test_notebook_languages.py`` runs the same checks.
``python -m infra.notebook_languages --sync`` copies the English code cells into the other languages' notebooks
(clearing the outputs of the cells it changes), so a change to code is made once, in English, then refreshed.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .notebooks import NOTEBOOKS, folder, notebook_paths
from .settings import DEFAULT_LANGUAGE, LANGUAGES

#: "Mostly Korean" read literally: at least half the letters of the prose are Hangul. Product and API names stay
#: Latin (Lambda, CloudFront, AuthType ...) and one Hangul syllable stands for a whole letter group, so this
#: measure is biased towards Latin: the Korean notebooks as written measure 73-90 %, the English ones 0 %, and
#: a Korean notebook with half of its prose left in English falls to about 40 %.
MIN_HANGUL_SHARE = 0.5
#: A single cell may lean on names more (the Korean cells as written measure 46-100 %), but a cell left in
#: English measures near 0 %: a third catches it and spares short, name-heavy cells.
MIN_CELL_HANGUL_SHARE = 0.3
#: Cells with fewer letters than this (a title, "Next: **05_cloudfront**") are too short to judge alone.
MIN_CELL_LETTERS = 40

_FENCE = re.compile(r"```.*?```", re.S)
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_URL = re.compile(r"\(?https?://[^\s)]+\)?")
_HTML = re.compile(r"<[^>\n]+>")


def is_hangul(ch: str) -> bool:
    """A Hangul syllable or jamo (U+AC00–U+D7A3, U+1100–U+11FF, U+3130–U+318F)."""
    code = ord(ch)
    return 0xAC00 <= code <= 0xD7A3 or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F


def prose(markdown: str) -> str:
    """The words of a markdown cell a reader reads as prose: code blocks, inline code, URLs and HTML removed."""
    for pattern in (_FENCE, _INLINE_CODE, _URL, _HTML):
        markdown = pattern.sub(" ", markdown)
    return markdown


@dataclass(frozen=True)
class Share:
    hangul: int
    letters: int

    @property
    def value(self) -> float:
        return self.hangul / self.letters if self.letters else 0.0


def hangul_share(text: str) -> Share:
    """How many of the letters of ``text``'s prose are Hangul."""
    letters = [ch for ch in prose(text) if ch.isalpha()]
    return Share(sum(1 for ch in letters if is_hangul(ch)), len(letters))


def code_cells(notebook: nbformat.NotebookNode) -> list[str]:
    return [cell.source for cell in notebook.cells if cell.cell_type == "code"]


def markdown_cells(notebook: nbformat.NotebookNode) -> list[str]:
    return [cell.source for cell in notebook.cells if cell.cell_type == "markdown"]


def code_differences(reference: nbformat.NotebookNode, other: nbformat.NotebookNode) -> list[str]:
    """Where ``other``'s code cells differ from ``reference``'s: count, then each differing cell's first line."""
    ours, theirs = code_cells(reference), code_cells(other)
    problems = []
    if len(ours) != len(theirs):
        problems.append(f"{len(theirs)} code cells instead of {len(ours)}")
    for number, (a, b) in enumerate(zip(ours, theirs, strict=False), start=1):
        if a != b:
            a_lines, b_lines = a.splitlines(), b.splitlines()
            line = next(
                (i for i, (x, y) in enumerate(zip(a_lines, b_lines, strict=False)) if x != y),
                min(len(a_lines), len(b_lines)),
            )
            expected = a_lines[line] if line < len(a_lines) else "(nothing)"
            found = b_lines[line] if line < len(b_lines) else "(nothing)"
            problems.append(f"code cell {number}, line {line + 1}: {found!r} where the reference has {expected!r}")
    return problems


def prose_problems(notebook: nbformat.NotebookNode, lang: str = "ko") -> list[str]:
    """Why ``notebook``'s markdown is not mostly in ``lang`` (only Korean is measured: by its Hangul share)."""
    if lang != "ko":
        return []
    cells = markdown_cells(notebook)
    whole = hangul_share("\n".join(cells))
    problems = []
    if whole.value < MIN_HANGUL_SHARE:
        problems.append(
            f"its prose is {whole.value:.0%} Hangul ({whole.hangul} of {whole.letters} letters), "
            f"under {MIN_HANGUL_SHARE:.0%}: write it for Korean readers"
        )
    for number, text in enumerate(cells, start=1):
        share = hangul_share(text)
        if share.letters >= MIN_CELL_LETTERS and share.value < MIN_CELL_HANGUL_SHARE:
            first = text.strip().splitlines()[0][:60] if text.strip() else ""
            problems.append(f"markdown cell {number} ({first!r}) is {share.value:.0%} Hangul: is it translated?")
    return problems


def unpaired(root: Path = NOTEBOOKS) -> list[str]:
    """Notebooks that exist in one language only."""
    names = {lang: {p.name for p in notebook_paths(lang=lang, root=root)} for lang in LANGUAGES}
    everywhere = set.union(*names.values())
    problems = []
    for lang, present in names.items():
        for name in sorted(everywhere - present):
            problems.append(f"{folder(lang, root).relative_to(root.parent) / name} is missing")
    return problems


def check(root: Path = NOTEBOOKS) -> list[str]:
    """Every problem with the notebooks under ``root``, each naming its notebook."""
    problems = unpaired(root)
    for reference in notebook_paths(lang=DEFAULT_LANGUAGE, root=root):
        english = nbformat.read(reference, as_version=4)
        for lang in LANGUAGES:
            path = folder(lang, root) / reference.name
            if lang == DEFAULT_LANGUAGE or not path.exists():
                continue
            translated = nbformat.read(path, as_version=4)
            where = path.relative_to(root.parent)
            problems += [f"{where}: {p}" for p in code_differences(english, translated)]
            problems += [f"{where}: {p}" for p in prose_problems(translated, lang)]
    return problems


def sync_code(root: Path = NOTEBOOKS) -> list[str]:
    """Give every other language's notebook the English code cells, in order; what changed, one line each.

    A notebook whose number of code cells differs is left alone and reported: where a cell was added or
    removed, the translated prose around it has to be written too."""
    changed = []
    for reference in notebook_paths(lang=DEFAULT_LANGUAGE, root=root):
        english = code_cells(nbformat.read(reference, as_version=4))
        for lang in LANGUAGES:
            path = folder(lang, root) / reference.name
            if lang == DEFAULT_LANGUAGE or not path.exists():
                continue
            translated = nbformat.read(path, as_version=4)
            cells = [cell for cell in translated.cells if cell.cell_type == "code"]
            where = path.relative_to(root.parent)
            if len(cells) != len(english):
                changed.append(
                    f"{where}: {len(cells)} code cells instead of {len(english)}: add or remove them by hand"
                )
                continue
            edits = 0
            for cell, source in zip(cells, english, strict=True):
                if cell.source != source:
                    cell.source, cell.outputs, cell.execution_count = source, [], None
                    edits += 1
            if edits:
                nbformat.write(translated, path)
                changed.append(f"{where}: {edits} code cells copied from English (refresh it to fill their outputs)")
    return changed


def main(argv: list[str] | None = None) -> int:
    if "--sync" in (sys.argv[1:] if argv is None else argv):
        for line in sync_code():
            print(line)
    for path in notebook_paths(lang="ko"):
        share = hangul_share("\n".join(markdown_cells(nbformat.read(path, as_version=4))))
        print(f"{path.relative_to(NOTEBOOKS.parent)}: prose {share.value:.0%} Hangul ({share.letters} letters)")
    problems = check()
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
