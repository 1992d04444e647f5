"""IO: files that cannot be read as a Markdown record at all."""

from __future__ import annotations

from collections.abc import Iterator

from incident_docs.diagnostics import Finding
from incident_docs.document import Document, Location, too_deep_to_render
from incident_docs.rules.base import Family, RuleInfo, Subject
from incident_docs.terminal import control_at

RULES = (
    RuleInfo("IO001", "unreadable", "The file cannot be read.", "a file without read permission", "a readable file"),
    RuleInfo("IO002", "binary", "The file is binary, not text.", "incidents/screenshot.md holding PNG bytes", "UTF-8 Markdown"),
    RuleInfo("IO003", "invalid-utf8", "The file is not valid UTF-8.", "a file saved as Latin-1", "a file saved as UTF-8"),
    RuleInfo("IO004", "too-large", "The file is over the size limit (lint.max-file-bytes).", "a 50 MB log pasted into a record", "attach the log as a file and link it"),
    RuleInfo("IO005", "symlink-escape", "A symbolic link leads outside the repository.", "incidents/x.md -> /etc/passwd", "a regular file in the repository"),
    RuleInfo("IO006", "too-deep-to-render", "Markup nested deeper than the site's Markdown renderer can take: a run of more than 256 '*' or '_', more than 256 '[' or HTML elements open at once, or a list nested deeper than it takes (more than 100 list markers on one line, or text indented past column 250), outside fenced code.", "a line of 3,000 '*' pasted from a terminal", "the same line in a fenced code block"),
    RuleInfo("IO007", "control-character", "No character a terminal would obey: an escape sequence, another control character, a bidirectional override.", "a title pasted with its terminal colours: '\\x1b[31mCheckout down\\x1b[0m'", "Checkout down"),
)  # fmt: skip


CONTROL_LINES = 10
"""The most lines IO007 names in one file: a log pasted with its colours has one on every line."""


def check(subject: Subject) -> Iterator[Finding]:
    yield from (p for p in subject.doc.problems if p.code.startswith("IO"))
    if not subject.doc.readable:
        return
    found = too_deep_to_render(subject.doc)
    if found is not None:
        yield Finding("IO006", found[1], found[0])
    yield from _control_characters(subject.doc)


def _control_characters(doc: Document) -> Iterator[Finding]:
    """IO007 for each line holding a character a terminal would obey, written as it is or as a
    YAML escape in a front-matter value ("\\e[31m"): `show`, `list` and the pull-request
    annotations print what a record says."""
    written = list(_in_lines(doc.lines))
    shown = {char for _, _, char in written}
    # A value's character is placed at its key's line; where the file holds it as written, the
    # line's finding, at its column, says it once. Only one written as a YAML escape is left.
    # YAML puts no such character in a value that the lines do not hold but through an escape:
    # with neither, there is no value to walk (nearly every file).
    escaped = (
        [found for found in _in_values(doc, doc.front_matter, ()) if found[2] not in shown]
        if written or "\\" in doc.text
        else []
    )
    for number, column, char in sorted({*written, *escaped})[:CONTROL_LINES]:
        yield Finding(
            "IO007",
            f"control character U+{ord(char):04X} in the text: a terminal would obey it, "
            "not show it; remove it",
            number,
            column,
        )


def _in_lines(lines: list[str]) -> Iterator[tuple[int, int, str]]:
    if control_at("\n".join(lines)) < 0:
        return  # nearly every file: one scan
    for number, line in enumerate(lines, start=1):
        at = control_at(line)
        if at >= 0:
            yield number, at + 1, line[at]


def _in_values(doc: Document, value: object, location: Location) -> Iterator[tuple[int, int, str]]:
    if isinstance(value, str):
        at = control_at(value)
        if at >= 0:
            yield doc.key_lines.get(location, 1), 1, value[at]
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _in_values(doc, item, (*location, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _in_values(doc, item, (*location, index))


FAMILY = Family(RULES, check)
