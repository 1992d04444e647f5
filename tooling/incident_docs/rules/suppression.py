"""SP: inline suppressions, `<!-- incident-docs disable-next-line BL001 -->` and block forms."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from incident_docs.diagnostics import Finding, Severity
from incident_docs.document import Document
from incident_docs.rules.base import RuleInfo

RULES = (
    RuleInfo("SP001", "unused-suppression", "A suppression comment suppresses something.",
             "<!-- incident-docs disable-next-line BL004 --> above a line with no finding",
             "remove the comment", Severity.WARNING),
    RuleInfo("SP002", "invalid-suppression", "A suppression comment names the rule codes it is for.",
             "<!-- incident-docs disable-next-line -->",
             "<!-- incident-docs disable-next-line BL004 -->", Severity.WARNING),
)  # fmt: skip

_COMMENT = re.compile(
    r"<!--\s*incident-docs[:\s]\s*(?P<verb>disable-next-line|disable|enable)\b(?P<codes>[^>]*?)\s*-->"
)
_CODE = re.compile(r"^[A-Z]{2}\d{0,3}$")
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`).+?(?<!`)\1(?!`)")
"""An inline code span: a run of backticks, and the next run as long."""


@dataclass
class Suppression:
    line: int
    codes: tuple[str, ...]
    first: int
    last: int
    used: bool = field(default=False)

    def covers(self, code: str, line: int) -> bool:
        return self.first <= line <= self.last and code.startswith(self.codes)


def parse(doc: Document) -> tuple[list[Suppression], list[Finding]]:
    """The suppressions a document declares, and findings for the malformed ones."""
    found: list[Suppression] = []
    problems: list[Finding] = []
    open_blocks: dict[str, Suppression] = {}
    last_line = len(doc.lines)
    for number in range(doc.body_start, last_line + 1):
        line = doc.lines[number - 1]
        if "incident-docs" not in line or number in doc.code_lines:
            continue
        spans = [m.span() for m in _CODE_SPAN.finditer(line)] if "`" in line else []
        for match in _COMMENT.finditer(line):
            if any(start <= match.start() < end for start, end in spans):
                continue  # shown as text in a code span, not a comment
            codes = tuple(c.upper() for c in re.split(r"[\s,]+", match.group("codes")) if c)
            column = match.start() + 1
            if not codes or not all(_CODE.match(c) for c in codes):
                problems.append(
                    Finding(
                        "SP002",
                        "a suppression names the rule codes it is for, e.g. "
                        f"<!-- incident-docs {match.group('verb')} BL004 -->",
                        number,
                        column,
                    )
                )
                continue
            verb = match.group("verb")
            if verb == "disable-next-line":
                target = _next_content_line(doc, number)
                found.append(Suppression(number, codes, target, target))
            elif verb == "disable":
                block = Suppression(number, codes, number, last_line)
                found.append(block)
                for code in codes:
                    open_blocks[code] = block
            else:
                for code in codes:
                    block_or_none = open_blocks.pop(code, None)
                    if block_or_none is not None:
                        block_or_none.last = number
    return found, problems


def _next_content_line(doc: Document, number: int) -> int:
    for candidate in range(number + 1, len(doc.lines) + 1):
        if doc.lines[candidate - 1].strip():
            return candidate
    return number + 1
