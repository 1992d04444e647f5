"""The one block scanner in document.py, checked against markdown-it-py (CommonMark with tables)."""

from __future__ import annotations

import re
from pathlib import Path

import markdown  # type: ignore[import-untyped]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from incident_docs.blameless import check_markdown
from incident_docs.document import closing_lines, parse_text, scan_blocks
from support.archive import REPO

_MD = MarkdownIt("commonmark").enable("table")
_NEVER_PROSE = re.compile(
    r"<!--|<\?|<!\[CDATA\[|<![A-Za-z]|<(?:pre|script|style|textarea)(?:[\s>]|$)", re.IGNORECASE
)
"""The HTML blocks whose content is hidden or shown as written, never read as prose."""
_RAW_END = r"(?i:</(?:pre|script|style|textarea)>)"
_CLOSED_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})[ \t]*$")


def _runs_on(lines: list[str], first: int, end: int) -> int | None:
    """The line (0-based) past the HTML block on lines[first:end] where a comment, a <pre> or
    fenced code opened in it ends (the last line when nothing closes a <pre>), or None."""
    index = first
    while index < end:
        line = lines[index]
        stripped = line.lstrip(" ")
        closing: int | None = None
        if len(line) - len(stripped) < 4 and _NEVER_PROSE.match(stripped):
            close = next(
                (re.escape(e) for o, e in _HIDDEN_ENDS.items() if stripped.startswith(o)), _RAW_END
            )
            closing = next(
                (n for n in range(index, len(lines)) if re.search(close, lines[n])),
                len(lines) - 1,
            )
        elif (
            (opened := _FENCE_LINE.match(line))
            and len(opened.group(1)) < 4
            and "`" not in opened.group(3)
        ):
            closing = _closing_fence(lines, index, opened.group(2))
        if closing is not None and closing >= end:
            return closing
        index = index + 1 if closing is None else closing + 1
    return None


def _closing_fence(lines: list[str], index: int, run: str) -> int | None:
    return next(
        (
            n
            for n in range(index + 1, len(lines))
            if (found := _CLOSED_FENCE.fullmatch(lines[n]))
            and found.group(1).startswith(run)
            and set(found.group(1)) == {run[0]}
        ),
        None,
    )


def _html_runs_on(text: str) -> str:
    """The text with each blank line filled that a comment, a <pre> or fenced code opened in a
    block element's HTML runs on past: the site reads the element's raw HTML to its end tag,
    and its fenced code before it, so a blank line there does not end them."""
    while True:
        lines = text.split("\n")
        quotes = 0
        for token in _MD.parse(text):
            quotes += {"blockquote_open": 1, "blockquote_close": -1}.get(token.type, 0)
            if (
                token.type != "html_block"
                or token.map is None
                or quotes
                or _NEVER_PROSE.match(token.content.lstrip())
            ):
                continue
            first, end = token.map
            closing = _runs_on(lines, first, end)
            if closing is None:
                continue
            # Not the empty string after the final newline, which ends the last line.
            last = min(closing + 1, len(lines) - 1)
            blank = [index for index in range(end, last) if not lines[index].strip()]
            if blank:
                indent = " " * (len(lines[first]) - len(lines[first].lstrip(" ")))
                for index in blank:
                    lines[index] = f"{indent}."
                text = "\n".join(lines)
                break
        else:
            return text


def _hidden_in_html_text(lines: list[str]) -> set[int]:
    """The lines (0-based) of an HTML block of block elements ("<div>") that the site does not
    read as its text: a comment, a <pre> and the like in it, and fenced code closed in it."""
    hidden: set[int] = set()
    index = 0
    while index < len(lines):
        line = lines[index]
        stripped = line.lstrip(" ")
        if len(line) - len(stripped) < 4 and _NEVER_PROSE.match(stripped):
            end = next(
                (re.escape(e) for o, e in _HIDDEN_ENDS.items() if stripped.startswith(o)), _RAW_END
            )
            last = next(
                (n for n in range(index, len(lines)) if re.search(end, lines[n])), len(lines) - 1
            )
            hidden.update(range(index, last + 1))
            index = last + 1
            continue
        opened = _FENCE_LINE.match(line)
        if opened and len(opened.group(1)) < 4 and "`" not in opened.group(3):
            closing = _closing_fence(lines, index, opened.group(2))
            if closing is not None:
                hidden.update(range(index, closing + 1))
                index = closing + 1
                continue
        index += 1
    return hidden


_HIDDEN_ENDS = {"<!--": "-->", "<?": "?>", "<![CDATA[": "]]>", "<!": ">"}


def _as_the_site_reads(text: str) -> str:
    """The text with each comment (or the like: "<?php", "<!DOCTYPE") that is never closed
    written as text, as the site shows it."""
    lines = text.split("\n")
    for opening, end in _HIDDEN_ENDS.items():
        closing = max((index for index, line in enumerate(lines) if end in line), default=-1)
        for index, line in enumerate(lines):
            opened = line.find(opening)
            if (
                opened >= 0
                and not line[:opened].strip(" ")
                and opened < 4
                and end not in line
                and index >= closing
            ):
                lines[index] = line.replace("<", "&lt;", 1)
    return "\n".join(_closed_in_their_items(lines))


_ITEM = re.compile(r"^( {0,3}(?:[-*+]|\d{1,9}[.)]) +)")
_FENCE_LINE = re.compile(r"^( *)(`{3,}|~{3,})(.*)$")


_BLOCK_START = re.compile(r" *(?:[-*+] |\d{1,9}[.)] |#|>|```|~~~|<|(?:[-*_] *){3,}$)")


def _closed_in_their_items(lines: list[str]) -> list[str]:
    """The lines with a fence opened in a list item and closed left of the item's content moved
    to the content's column: the site closes the code block there (markdown-it would open
    another, to the end of the document)."""
    lines = list(lines)
    column = -1  # content column of the last list item
    fence = ""  # the fence open in that item
    text = False  # the line before is paragraph text, which a plain line continues lazily
    for index, line in enumerate(lines):
        item = _ITEM.match(line)
        content = line[len(item.group(1)) :] if item else line  # an item's text is text too
        lazy, text = text, bool(content.strip()) and not _BLOCK_START.match(content)
        indent = len(line) - len(line.lstrip(" "))
        opened = _FENCE_LINE.match(line)
        if fence:
            closes = (
                opened is not None
                and opened.group(2).startswith(fence)
                and not opened.group(3).strip()
            )
            if closes and indent < min(column, 4):
                lines[index] = " " * column + line.lstrip(" ")
                fence = ""
                continue
            if line.strip() and indent < column:
                fence = ""
            elif closes:
                fence = ""
                continue
            else:
                continue
        if item:
            column = len(item.group(1))
            inner = _FENCE_LINE.match(line[column:])
            fence = inner.group(2) if inner and "`" not in inner.group(3) else ""
        elif line.strip() and indent < column and not (lazy and text):
            column = -1
        elif column >= 0 and opened and indent >= column and "`" not in opened.group(3):
            fence = opened.group(2)
    return lines


def _reference(text: str) -> tuple[list[tuple[int, int]], set[int], set[int]]:
    """Headings (level, first line), the lines of code and comment blocks and the lines of
    tables, per markdown-it.

    Headings count at the top level (a section heading); code counts in lists too. A comment
    that is never closed is read as the site reads it: as text, with the document going on.
    """
    text = _html_runs_on(_as_the_site_reads(text))
    lines = text.split("\n")
    headings: list[tuple[int, int]] = []
    code: set[int] = set()
    table: set[int] = set()
    quotes = 0
    for token in _MD.parse(text):
        quotes += {"blockquote_open": 1, "blockquote_close": -1}.get(token.type, 0)
        if token.map is None or quotes:
            continue  # a block quote is one block of prose to the scanner, whatever it holds
        first, end = token.map
        if token.type == "heading_open" and token.level == 0:
            headings.append((int(token.tag[1]), first + 1))
        elif token.type == "table_open":
            table.update(range(first + 1, end + 1))
        elif token.type == "html_block" and not _NEVER_PROSE.match(token.content.lstrip()):
            held = lines[first:end]
            code.update(first + 1 + index for index in _hidden_in_html_text(held))
        elif token.type in ("fence", "code_block") or token.type == "html_block":
            if token.type == "code_block":
                while end > first and not lines[end - 1].strip():
                    end -= 1  # markdown-it counts trailing blank lines into an indented block
            code.update(range(first + 1, end + 1))
    return headings, code, table


def _ours(text: str) -> tuple[list[tuple[int, int]], set[int], set[int]]:
    headings: list[tuple[int, int]] = []
    code: set[int] = set()
    table: set[int] = set()
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()  # as the document reader does: the final newline ends the last line
    for block in scan_blocks(lines):
        if block.kind == "heading" and not block.in_list:
            headings.append((block.level, block.line))
        elif block.kind in ("code", "html"):
            code.update(range(block.line, block.end_line + 1))
        elif block.kind == "table_row":
            table.add(block.line)
    return headings, code, table


def _body(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    doc = parse_text(text, path.name)
    # Keep line numbers: the front-matter becomes blank lines.
    return "\n" * doc.front_matter_end + "\n".join(doc.lines[doc.front_matter_end :])


DOCUMENTS = sorted(
    [*REPO.glob("incidents/*.md"), *REPO.glob("postmortems/*.md"), *REPO.glob("docs/*.md")]
)


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_the_archive_and_the_guides_read_the_same_as_markdown_it(path: Path) -> None:
    body = _body(path)
    assert _ours(body) == _reference(body)


CASES = [
    "```not `a fence`\n\nText after it.\n",
    "```\ncode\n```\n\n## After\n",
    "~~~~\n```\n~~~\n~~~~\n# Heading\n",
    "Title\n=====\n\nSub\n---\n",
    "Para line one\nline two\n---\n",
    "- item\n\n      indented code in the item? no: a paragraph\n\n# H\n",
    "    code\n\n    more code\n\nText\n",
    "Text\n    not code: a continuation\n",
    "<!-- one line -->\n# H\n<!--\n# not a heading\n-->\n",
    "# H\n\n<!-- never closed\n\n## Still a heading\n\n    code\n",
    "<!-->\n# H\n<!--->\n## H2\n",
    "<pre>\n# not a heading\n\n    log line\n</pre>\n## After\n",
    "<PRE class=log>\nERROR\n</Pre> trailing\n# H\n<script>\n# x\n</script>\n",
    "> quote\n> # heading in a quote\n",
    "| a | b |\n| --- | --- |\n| 1 | 2 |\n\n## Next\n",
    "Time | What\n--- | ---\n10:00 | paged\nno pipe, still a row\n\nText\n",
    "Para\na | b\n:-- | --:\n\n- item\n\n  a | b\n  --- | ---\n  1 | 2\n",
    "Title | not a table\n---\n\n> q\na | b\n--- | ---\n",
    # No table: a delimiter indented as code, outside the list item, or cells an escape joins.
    "Impact | Scope\n    --- | ---\n    The operator deleted it.\n",
    "- item\n  a | b\n--- | ---\n",
    "a \\| b\n--- | ---\n",
    "1. first\n2. second\n\n   ```\n   code in a list\n   ```\n",
    "#NoSpace is text\n####### seven is text\n",
    "* * *\n- - -\n",
    "Para\n1. a list cannot interrupt unless it starts at 1\n",
    "Para\n2. so this is text\n",
    "\t```\n\tindented by a tab\n\t```\n",
    "- item\n\n    indented\n---\n",
    "- item\n  continued\n---\n",
    "- ```\n  code in the item\n  ```\n\n## Section\n",
    "- item\n  ```\n  never closed in the item\nText ends the item.\n\n## Section\n",
    "- item\n  ```\n  closed left of the item, as the site reads it\n```\n\n## Section\n",
    # A line without a quote's marker goes on only a paragraph of the quote, not its code or
    # heading; nor is a line left of an empty list item's content any of its text.
    "> ```\n> log\n> ```\nSummary\n-------\n",
    ">     $ kubectl get pods\n    indented code\n",
    "> # Heading in a quote\nText\n===\n",
    "-\nSummary\n---\n",
    "- # Heading in an item\nText\n---\n",
    "> ```\n> log\n> ```\n[runbook]: https://example.com/runbook\n---\n",
    # The quote's markers indented by a list item, or followed by a tab, still mark it: a line
    # without one goes on its paragraph.
    "- Deploy\n  - Chat:\n    > we saw errors\n    still the quote\n    ---\n",
    "- Deploy\n  - Chat:\n    > we saw errors\nstill the quote\n---\n",
    "- Deploy\n\t> we saw errors\nstill the quote\n---\n",
    ">\tERROR pool exhausted\nstill the quote\n---\n",
    "> \tERROR pool exhausted\nstill the quote\n---\n",
    ">\t\tERROR pool exhausted\nnot the quote\n---\n",
    # HTML a browser does not show, to the line that closes it, or text when nothing does.
    "<?php\n# not a heading\n?>\n# H\n",
    "<![CDATA[\n# not a heading\n]]>\n# H\n<!DOCTYPE html>\n## H2\n",
    "<!DOCTYPE\nhtml>\n# H\n<?php never closed\n\n## H2\n",
    # A block element's HTML is text up to a blank line, none of it Markdown, but for the
    # comments, <pre> and fenced code the site reads in it.
    "<details>\n<summary>Summary</summary>\n## Summary\n    not code\n</details>\n",
    "Text\n<div>\n# not a heading\n\n# H\n",
    "<table>\n  <tr>\n<!-- a note -->\n    <td>not code</td>\n## not a heading\n",
    "<div>\n<pre>\n# log\n</pre>\n    not code\n",
    "<div>\n```\n# code\n```\n# not a heading\n\n# H\n",
    "<div>\n```\n# code\n\n```\n# not a heading\n\n# H\n",
    "<div>\n```\nnot code\n\n# H\n",
    "<details>\n<pre>\n# log\n\n# log\n</pre>\n</details>\n\n# H\n",
    "- item\n  <div>\n  ## not a heading\n## H\n",
    "- item\n  <td>\n| cell | cell |\n| --- | --- |\n",
    # A heading in a list item is shown in the list, not as a section of the document.
    "- item\n\n  ## Impact\n\n  Title\n  -----\n\n1. step\n   # Summary\n",
    # A line left of a nested item's content is still in the item around it: a nested item
    # after a blank line, a fence, a comment.
    "1. Rolled back\n    - paged the team\n\n    - then waited\n",
    "- Rolled back\n    - paged the team\n    ```\n    # a shell comment\n    ```\n",
    "  - a\n    - b\n    <!--\n    # a note\n    -->\n",
    # An item is empty when a blank line follows its marker: a heading under it is a section.
    "-\n\n  ## Impact\n\n1.\n\n   # Summary\n\n- a\n  -\n\n  ## in a\n",
]


@pytest.mark.parametrize("text", CASES)
def test_tricky_markdown_reads_the_same_as_markdown_it(text: str) -> None:
    assert _ours(text) == _reference(text)


_LINE = st.sampled_from(
    [
        "",
        "Plain text with words.",
        "# Heading",
        "## Section",
        "```",
        "```python",
        "- ```",
        "  ```",
        "1. ~~~",
        "~~~",
        "```inline `span` paragraph",
        "    indented",
        "- item",
        "- another item",
        "    - nested item",
        "  ## Sub",
        "1. numbered",
        "> quoted",
        "| cell | cell |",
        "| --- | --- |",
        "Time | What",
        "--- | ---",
        "<!-- comment -->",
        "<!--",
        "<!-- opened",
        "<pre>",
        "ERROR pool exhausted</pre>",
        "<style>",
        "-->",
        "---",
        "===",
        "***",
    ]
)


_HTML_LINE = st.sampled_from(["<div>", "<details>", "  <td>", "<?php", "?>", "<!DOCTYPE html>"])


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.one_of(_LINE, _HTML_LINE), max_size=14))
def test_generated_documents_read_the_same_as_markdown_it(lines: list[str]) -> None:
    text = "\n".join(lines) + "\n"
    assert _ours(text) == _reference(text)


def test_a_heading_after_quoted_code_or_an_empty_list_item_is_found() -> None:
    text = "> ```\n> ERROR timeout\n> ```\nSummary\n-------\n\n-\nImpact\n------\n"
    assert [heading.title for heading in parse_text(text, "x.md").headings] == [
        "Summary",
        "Impact",
    ]


@pytest.mark.parametrize(
    "fence",
    [
        "   ```\nkubectl rollout undo\n    ```",
        "  ```\nkubectl rollout undo\n\t```",
    ],
)
def test_a_fence_closed_further_in_than_it_opens_does_not_hide_the_rest(fence: str) -> None:
    # CommonMark reads the rest of the document as code; the site shows it (the fence is none
    # there), so its sections and its prose are read.
    text = f"{fence}\n\n## Summary\n\nThe rollout was careless.\n"
    html = markdown.markdown(text, extensions=["pymdownx.superfences", "tables", "attr_list"])
    assert "<h2>Summary</h2>" in html and "careless" in html, html
    assert [heading.title for heading in parse_text(text, "x.md").headings] == ["Summary"]
    line = len(fence.split("\n")) + 4
    assert [(number, hit.code) for number, _, hit in check_markdown(text)] == [(line, "BL004")]


def test_a_heading_written_in_html_is_no_section() -> None:
    # GitHub and the site both show "## Summary" as text inside the <details>; an end tag or a
    # tag of its own ("<div/>") opens no HTML on the site, which shows the heading after it.
    text = "<details>\n<summary>Notes</summary>\n## Summary\n</details>\n\n</div>\n## Impact\n"
    assert [heading.title for heading in parse_text(text, "x.md").headings] == ["Impact"]


def test_a_heading_after_the_end_tag_of_html_is_a_section() -> None:
    # The site's raw HTML ends with the end tag of its element, and the lines after it are
    # Markdown there: the sections under "</details>" and a one-line <div> are shown (and were
    # read), and the "---" under "<p>…</p>" is a rule, not the underline of a heading.
    text = (
        '<details>\n<summary>Graph</summary>\n<img src="graph.png">\n</details>\n## Impact\n'
        '<div align="center"><img src="map.png"></div>\n## Timeline\n'
        "<p>Notes</p>\n---\n"
    )
    assert [heading.title for heading in parse_text(text, "x.md").headings] == [
        "Impact",
        "Timeline",
    ]


def test_a_log_in_html_is_hidden_past_a_blank_line_in_it() -> None:
    # The site reads fenced code before raw HTML, and a <pre> in a <details> to its end tag:
    # the logs are shown as written, and the section after them is still the section.
    text = (
        "<details>\n<summary>Logs</summary>\n```\nERROR pool exhausted\n\n"
        "WARN the retry was careless\n```\n</details>\n\n## Impact\n\n"
        "<details>\n<pre>\nERROR pool exhausted\n\nWARN the retry was sloppy\n</pre>\n"
        "</details>\n\nThe rollout was careless.\n"
    )
    assert [heading.title for heading in parse_text(text, "x.md").headings] == ["Impact"]
    assert [(line, hit.code) for line, _, hit in check_markdown(text)] == [(20, "BL004")]


def test_text_in_html_is_checked_and_what_a_browser_hides_is_not() -> None:
    text = (
        '<div class="note">\n<!-- a note -->\n    The rollout was careless.\n</div>\n\n'
        "<?php\n$rollout = 'careless';\n?> The rollout was careless.\n\n"
        "<![CDATA[\nThe rollout was careless.\n]]>\n"
    )
    assert [(line, hit.code) for line, _, hit in check_markdown(text)] == [
        (3, "BL004"),
        (8, "BL004"),
    ]


def test_a_nested_list_item_after_a_blank_line_is_checked() -> None:
    # Shown as a list item on GitHub and on the site, not as code.
    body = "1. Rolled back\n    - paged the team\n\n    - The rollout was careless.\n"
    assert [(line, hit.code) for line, _, hit in check_markdown(body)] == [(4, "BL004")]


def test_a_paragraph_starting_with_backticks_does_not_hide_the_rest_from_the_checks() -> None:
    body = "```not `a fence`\n\nThe rollout was careless.\n"
    assert [(line, hit.code) for line, _, hit in check_markdown(body)] == [(3, "BL004")]


def _heading_read_after(text: str) -> bool:
    """markdown-it reads a heading written after the text as a heading of the document."""
    tokens = _MD.parse(_as_the_site_reads(text + "\n\n# end\n"))
    return len(tokens) >= 3 and tokens[-3].type == "heading_open" and tokens[-3].level == 0


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.one_of(_LINE, st.sampled_from(["   ~~~~", "> ```"])), max_size=10))
def test_what_a_text_leaves_open_is_closed_as_markdown_it_reads_it(lines: list[str]) -> None:
    text = "\n".join(lines)
    closing = closing_lines(text)
    closed = "\n".join([text, *closing])
    assert _heading_read_after(closed)
    if _heading_read_after(text):
        assert closing in ([], ["-->"])
    # Nor does a comment closed after it begin in it, hiding a heading between them.
    tokens = _MD.parse(_as_the_site_reads(closed + "\n\n# middle\n\n<!-- a note -->\n"))
    assert any(token.type == "inline" and token.content == "middle" for token in tokens)


@pytest.mark.parametrize(
    "text",
    [
        "<details>\n<summary>Error sample</summary>\n\nHTTP 500 from /login",
        "Text\n\n<div>\nBody",
        "<div><section>x</section>",
        "```\nOOMKilled",
        "<pre>\nHTTP 503",
        "- item\n\n  ~~~\n  log line",
        "<!-- a note never closed",
        "<p>\nhello",
        "<center>x",
        "<div>\n<!-- a note never closed\nBody",
        "<li>Search results stopped rendering",
        "<summary>Error sample",
        "<div>\n`<div>` is the wrapper\nbody",
        "<div>\nBody <!-- never closed",
        "<div>\n<!-- a --> <!-- b",
        "<div>\n<!-- <div> -->\nbody",
        # Fences are read before raw HTML: what they hold opens and ends nothing.
        '<details>\n<summary>Page source</summary>\n\n```html\n<div id="results">\n```',
        "<details>\n<summary>S</summary>\n\n```\n</details>\n```\nmore",
        "<div>The `<div>` wrapper\nbody",
        # A fence is one there only as indented as its lines and its closing fence.
        '<div class="note">\nThe error page rendered:\n\n  ```\n<div class="error">\n  ```',
        '<div class="note">\nThe page ended with:\n\n  ```\n</div>\n  ```',
        '<div>\nThe error page rendered:\n```\n<div class="error">\n ```\n',
        # Nor with a header it does not take, nor closed by a longer fence.
        '<div class="note">\n\n```plain text\n<div class="error">\n```\n',
        '<div class="note">\n\n```\n<!-- begin\n````\n',
    ],
)
def test_what_a_text_leaves_open_on_the_site_is_closed(text: str) -> None:
    # Python-Markdown, which builds the site, keeps <details> or <div> open to its end tag.
    closed = "\n".join([text, *closing_lines(text)])
    html = markdown.markdown(
        closed + "\n\n## End\n\n<!-- a note -->\n\n## After\n",
        extensions=["pymdownx.superfences", "tables", "attr_list"],
    )
    assert "<h2>End</h2>" in html and "<h2>After</h2>" in html, html
    # Nor a closing tag more than it opened, which would end an element of the page around it.
    assert html.count("</div>") <= html.count("<div"), html


def test_an_element_named_in_a_sentence_is_not_closed() -> None:
    assert closing_lines("The search page's <div> wrapper stopped rendering results.") == []
    assert closing_lines("<!-- <div> -->\nText") == []
