"""Quirk comments cite a public source or a page of this repo's docs/, nothing outside it.

Comments and strings of every Python file in the package, tests, scripts and examples are
read with ``tokenize``. None may cite the research notes that live outside this repository
or a ``../shared`` path (a string may hold the conformance command, which is how the suite
is measured from outside), and every ``docs/<page>.md#anchor`` they cite must be a heading
of that page. This file is left out of the scan: it spells the patterns it looks for.
"""

from __future__ import annotations

import io
import re
import tokenize
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

ROOT = Path(__file__).parents[2]
SCANNED = ("langchain_openrouter", "tests", "scripts", "examples")
OUTSIDE = re.compile(r"\bNOTES\b|\.\./shared\b|/work/shared\b|\bshared/openrouter\b")
CONFORMANCE_COMMAND = "../shared/conformance/run.py"
DOCS_CITATION = re.compile(r"\b(docs/[\w./-]+?\.md)(?:#([\w-]+))?")
BARE_ANCHOR = re.compile(r"(?<![\w/#])#([a-z][a-z0-9-]*)\b")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$")


def python_files() -> list[Path]:
    this = Path(__file__).resolve()
    files = (path for folder in SCANNED for path in sorted((ROOT / folder).rglob("*.py")))
    return [path for path in files if path.resolve() != this]


def prose(source: str) -> list[tuple[int, str, str]]:
    """(line, kind, text) of each comment and string literal in ``source``."""
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    kinds = {tokenize.COMMENT: "comment", tokenize.STRING: "string"}
    return [(tok.start[0], kinds[tok.type], tok.string) for tok in tokens if tok.type in kinds]


def by_file(check: Callable[[str], list[str]]) -> dict[str, list[str]]:
    """What ``check`` finds in each scanned file, for the files where it finds something."""
    found = {str(path.relative_to(ROOT)): check(path.read_text("utf-8")) for path in python_files()}
    return {name: hits for name, hits in found.items() if hits}


def outside_citations(source: str) -> list[str]:
    """Comments and strings of ``source`` that point outside the repository."""
    found = []
    for line, kind, text in prose(source):
        checked = text.replace(CONFORMANCE_COMMAND, "") if kind == "string" else text
        if match := OUTSIDE.search(checked):
            found.append(f"line {line} ({kind}): {match.group()!r}")
    return found


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading (before de-duplication)."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


@cache
def anchors(page: str) -> frozenset[str]:
    """The anchors of ``page`` (a path from the repo root), as GitHub numbers repeats."""
    found: set[str] = set()
    repeats: dict[str, int] = {}
    fenced = False
    for line in (ROOT / page).read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fenced = not fenced
        if fenced or not (match := HEADING.match(line)):
            continue
        anchor = github_anchor(match.group(1))
        count = repeats.get(anchor, 0)
        repeats[anchor] = count + 1
        found.add(f"{anchor}-{count}" if count else anchor)
    return frozenset(found)


def broken_docs_citations(source: str) -> list[str]:
    """``docs/...md#anchor`` citations in ``source`` whose page or heading is missing.

    A bare ``#anchor`` in a comment or string that cites exactly one page belongs to it.
    """
    found = []
    for line, _, text in prose(source):
        cited = DOCS_CITATION.findall(text)
        pages = {page for page, _ in cited}
        missing = [page for page in sorted(pages) if not (ROOT / page).is_file()]
        found += [f"line {line}: no page {page}" for page in missing]
        wanted = [(page, anchor) for page, anchor in cited if anchor and page not in missing]
        if len(pages) == 1 and not missing:
            (page,) = pages
            rest = DOCS_CITATION.sub("", text)
            wanted += [(page, anchor) for anchor in BARE_ANCHOR.findall(rest)]
        found += [
            f"line {line}: no heading #{anchor} in {page}"
            for page, anchor in wanted
            if anchor not in anchors(page)
        ]
    return found


def test_no_comment_or_string_points_outside_the_repository() -> None:
    assert by_file(outside_citations) == {}


def test_the_docs_pages_point_nowhere_outside_the_repository() -> None:
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    texts = {page.name: page.read_text(encoding="utf-8") for page in pages}
    offenders = {
        name: hits
        for name, text in texts.items()
        if (hits := OUTSIDE.findall(text.replace(CONFORMANCE_COMMAND, "")))
    }
    assert offenders == {}


def test_every_cited_docs_anchor_is_a_heading_of_its_page() -> None:
    assert by_file(broken_docs_citations) == {}


def test_the_code_cites_the_wire_notes() -> None:
    cited = {
        anchor
        for path in python_files()
        for _, _, text in prose(path.read_text(encoding="utf-8"))
        for page, anchor in DOCS_CITATION.findall(text)
        if page == "docs/openrouter-wire-notes.md" and anchor
    }
    assert {"float-token-counts", "reasoning-replay", "mid-stream-errors"} <= cited


def test_the_scan_finds_an_outside_citation_in_a_comment_or_docstring() -> None:
    source = '"""Doc (NOTES.md 4.2)."""\nx = 1  # see ../shared/openrouter/openapi.yaml\n'
    assert outside_citations(source) == [
        "line 1 (string): 'NOTES'",
        "line 2 (comment): '../shared'",
    ]
    command = "../shared/conformance/run.py"
    assert outside_citations(f'RUN = "python {command}"\n') == []
    assert outside_citations(f"# python {command}\n") == ["line 1 (comment): '../shared'"]


def test_the_scan_finds_a_missing_page_or_heading() -> None:
    source = (
        "# docs/openrouter-wire-notes.md#no-such-heading\n"
        '"""See docs/no-such-page.md#usage."""\n'
        '"""See docs/openrouter-wire-notes.md#usage and #no-such-either."""\n'
        "# docs/openrouter-wire-notes.md#usage, docs/openrouter-wire-notes.md#stream-chunks\n"
    )
    assert broken_docs_citations(source) == [
        "line 1: no heading #no-such-heading in docs/openrouter-wire-notes.md",
        "line 2: no page docs/no-such-page.md",
        "line 3: no heading #no-such-either in docs/openrouter-wire-notes.md",
    ]


def test_anchors_follow_github_rules() -> None:
    assert github_anchor("Errors with status 200") == "errors-with-status-200"
    assert github_anchor("The `usage` object: cost, tokens!") == "the-usage-object-cost-tokens"
    assert {"usage", "stream-chunks", "errors"} <= anchors("docs/openrouter-wire-notes.md")
