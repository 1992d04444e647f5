"""IO: files that cannot be read as a Markdown record at all."""

from __future__ import annotations

from collections.abc import Iterator

from incident_docs.diagnostics import Finding
from incident_docs.document import too_deep_to_render
from incident_docs.rules.base import Family, RuleInfo, Subject

RULES = (
    RuleInfo("IO001", "unreadable", "The file cannot be read.", "a file without read permission", "a readable file"),
    RuleInfo("IO002", "binary", "The file is binary, not text.", "incidents/screenshot.md holding PNG bytes", "UTF-8 Markdown"),
    RuleInfo("IO003", "invalid-utf8", "The file is not valid UTF-8.", "a file saved as Latin-1", "a file saved as UTF-8"),
    RuleInfo("IO004", "too-large", "The file is over the size limit (lint.max-file-bytes).", "a 50 MB log pasted into a record", "attach the log as a file and link it"),
    RuleInfo("IO005", "symlink-escape", "A symbolic link leads outside the repository.", "incidents/x.md -> /etc/passwd", "a regular file in the repository"),
    RuleInfo("IO006", "too-deep-to-render", "Markup nested deeper than the site's Markdown renderer can take: a run of more than 256 '*' or '_', more than 256 '[' or HTML elements open at once, or a list nested more than 100 levels deep, outside fenced code.", "a line of 3,000 '*' pasted from a terminal", "the same line in a fenced code block"),
)  # fmt: skip


def check(subject: Subject) -> Iterator[Finding]:
    yield from (p for p in subject.doc.problems if p.code.startswith("IO"))
    found = too_deep_to_render(subject.doc) if subject.doc.readable else None
    if found is not None:
        yield Finding("IO006", found[1], found[0])


FAMILY = Family(RULES, check)
