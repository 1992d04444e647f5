"""SC: the body has every required section, once, each with real content."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence

from incident_docs.diagnostics import Finding, Severity
from incident_docs.document import PROSE_KINDS, Block, Document, Section
from incident_docs.rules.base import Family, RuleInfo, Subject
from incident_docs.templates import is_empty, normalise, titled, without_comments

RULES = (
    RuleInfo("SC001", "missing-section", "Every required section (per kind and severity) is present as a '## ' heading, not one inside a list item, which is shown in the list (its title read without numbering, emphasis around it, emoji or punctuation before or after its words, a note in brackets after them such as '(UTC)', or case).",
             "(no '## Detection' heading)", "## Detection\n\nAn alert on error rate paged the on-call engineer."),
    RuleInfo("SC002", "empty-section", "A required section has content, not just the template's placeholder (for incidents, once resolved).",
             "## Recovery\n\n_TODO: how service was restored._", "## Recovery\n\nCaches refilled within ten minutes."),
    RuleInfo("SC003", "duplicate-section", "A required section appears once ('## Timeline (detailed)' under '## Timeline' is another section: a note in brackets counts as the section only where no heading names it without one).",
             "## Impact ... ## Impact", "## Impact"),
    RuleInfo("SC004", "section-to-write", "A draft postmortem's sections still to be written, as information; they count as empty (SC002) once it is in review.",
             "status: draft ... ## Recovery\n\n_TODO: how service was restored._", "## Recovery\n\nCaches refilled within ten minutes.",
             Severity.INFO),
    RuleInfo("SC005", "placeholder-left", "A written section keeps no placeholder line ('_TODO: ..._', 'TBD', '...') (for incidents, once resolved; for postmortems, once in review); a sentence that starts a line with TODO, a quotation and an HTML comment are no placeholder.",
             "## Recovery\n\n_TODO: how service was restored._\n\nCaches refilled within ten minutes.", "## Recovery\n\nCaches refilled within ten minutes."),
)  # fmt: skip


def check(subject: Subject) -> Iterator[Finding]:
    doc, config = subject.doc, subject.ctx.config
    if subject.kind is None or not doc.readable or not doc.has_front_matter:
        return
    severity = (doc.front_matter or {}).get("severity")
    required = config.required_sections(
        subject.kind, severity if isinstance(severity, str) else None
    )
    # An open incident is written as it runs: its placeholders count once it is resolved.
    # A draft postmortem is written by its authors: they are told what is left, and its
    # placeholders count once it goes to review.
    status = (doc.front_matter or {}).get("status")
    still_running = subject.kind == "incident" and status != "resolved"
    drafting = subject.kind == "postmortem" and status == "draft"
    found: dict[str, list[Section]] = {}
    written = doc.sections()
    for title in required:
        names = (title, *config.section_aliases.get(title, ()))
        matched = titled(written, names, lambda section: section.heading.title)
        if matched:
            found[title] = matched
    if not still_running and not drafting:
        yield from _placeholders_left(doc)
    for index, title in enumerate(required):
        sections = found.get(title)
        if not sections:
            yield _missing(subject, title, required[index + 1 :], found)
            continue
        for extra in sections[1:]:
            yield Finding(
                "SC003",
                f"section '{title}' appears again (first at line {sections[0].heading.line})",
                extra.heading.line,
                1,
            )
        if is_empty(doc.section_text(sections[0])) and not still_running:
            heading = sections[0].heading
            if drafting:
                yield Finding(
                    "SC004",
                    f"section '{heading.title}' is still to be written",
                    heading.line,
                    1,
                )
                continue
            yield Finding(
                "SC002",
                f"section '{heading.title}' is empty or still holds the template's placeholder",
                heading.line,
                1,
            )


_ITEM_MARKS = r"(?:[-*+\s]|\d{1,9}[.)](?=\s))*+(?:\[[ xX]\]\s++)?"
"""What opens a list item, of any kind: a bullet, a number, a task's box."""
_LEFT = re.compile(
    rf"^{_ITEM_MARKS}[_*]*+\s*+(?:TODO|TBD|FIXME|XXX)"
    r"(?:\(|\s*+(?:[:_*]|\([^()]*\)\s*:|[-\u2013\u2014](?:\s|$)|[.!]*\s*$))"
    rf"|^{_ITEM_MARKS}(?:\.\.\.|\u2026)\s*$"
)
"""A line that is a placeholder as a whole (`_TODO: ..._`, `TBD`, `- TODO: x`, `1. TODO: x`,
`- [ ] TODO: x`, `TODO(sam):`, `TODO (sam):`, `...`): a placeholder line
(templates.PLACEHOLDER_LINE) that is not a sentence about a TODO page, FIXME markers or XXX
requests, nor a line of prose wrapped before such a word."""


def _placeholders_left(doc: Document) -> Iterator[Finding]:
    """SC005: a placeholder line left in a section that was written around it (an empty one is
    SC002's): the site would publish it. A quotation (of code or a log) and an HTML comment
    (a note to the authors) are not published as the authors' own prose: they are left alone."""
    written = [section for section in doc.sections() if not is_empty(doc.section_text(section))]
    starts = [section.start_line for section in written]
    visible: list[str] | None = None
    for block in doc.blocks:
        if block.kind not in PROSE_KINDS or block.kind in ("heading", "quote"):
            continue
        index = bisect.bisect_right(starts, block.line) - 1
        if index < 0 or block.line > written[index].end_line:
            continue
        if visible is None:
            body = "\n".join(doc.lines[doc.body_start - 1 :])
            visible = without_comments(body, keep_lines=True).split("\n")
        for number in range(block.line, block.end_line + 1):
            line = visible[number - doc.body_start].strip()
            if _LEFT.match(line):
                yield Finding(
                    "SC005",
                    f"section '{written[index].heading.title}' still holds a placeholder line "
                    f"({_shortened(line)}): remove it, the section is written",
                    number,
                    1,
                )


def _shortened(line: str, limit: int = 60) -> str:
    return line if len(line) <= limit else line[: limit - 1] + "\u2026"


def _missing(
    subject: Subject, title: str, later: tuple[str, ...], found: dict[str, list[Section]]
) -> Finding:
    near = _near_miss(subject.doc, title, subject.ctx.config.section_aliases.get(title, ()))
    if near is not None:
        line, why = near
        return Finding("SC001", f"missing required section '## {title}' ({why})", line, 1)
    # Point where the section belongs: at the next required section that is there.
    for following in later:
        if following in found:
            line = found[following][0].heading.line
            return Finding(
                "SC001",
                f"missing required section '## {title}' (expected before '## {following}')",
                line,
                1,
            )
    # The last line: with nothing after the front-matter, its closing '---', not a line past the
    # end, where no editor or pull request diff shows the finding.
    line = max(1, len(subject.doc.lines))
    return Finding("SC001", f"missing required section '## {title}'", line, 1)


_LISTED = re.compile(r"[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+(#{1,6}[ \t]+[^\n]*)$")
"""A list item that holds a heading ("- ## Recovery"): shown in the list, no section."""
_UNSPACED = re.compile(r" {0,3}#{1,6}(?=[^#\s])(.*)")
"""A line of #s and a title without a space between ("##Detection"); closing #s are cut off
the title after the match (one pass: a lazy title before them rescans every run of them)."""


def _heading_in_list(block: Block) -> tuple[str, str] | None:
    """A heading written in a list item ("- ## Recovery", or indented under one): the line as
    written and its title; None for any other block."""
    if block.kind == "heading" and block.in_list:
        return block.text.split("\n", 1)[0].strip(), block.title
    found = _LISTED.match(block.text) if block.kind == "list_item" else None
    if found is None:
        return None
    written = found.group(1).rstrip()
    return written, written.lstrip("#").strip(" \t#")


def _near_miss(doc: Document, title: str, aliases: Sequence[str]) -> tuple[int, str] | None:
    """The line that was meant as the section and what keeps it from being one: a heading of
    another level, or '##Timeline' with no space, alone on its line (GitHub and lint read it as
    text, though Python-Markdown shows it as a heading)."""
    wanted = {normalise(name) for name in (title, *aliases)}
    for block in doc.blocks:
        listed = _heading_in_list(block)
        if listed is not None and normalise(listed[1]) in wanted:
            return block.line, (
                f"'{listed[0]}' here is inside a list item, shown in the list: write it at the "
                "start of its line, after a blank line"
            )
    for heading in doc.headings:
        if heading.level != 2 and normalise(heading.title) in wanted:
            return (
                heading.line,
                f"'{heading.title}' here is a level-{heading.level} heading, not level 2",
            )
    for block in doc.blocks:
        # A line alone: "#Detection" over more text is a hashtag opening a paragraph.
        unspaced = (
            _UNSPACED.fullmatch(block.text)
            if block.kind == "paragraph" and block.line == block.end_line
            else None
        )
        if unspaced is not None and normalise(unspaced.group(1).rstrip(" \t#")) in wanted:
            written = unspaced.group(0).strip()
            return block.line, f"'{written}' here is no heading: write '## {title}'"
    return None


FAMILY = Family(RULES, check)
