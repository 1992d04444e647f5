"""Findings, diagnostics, severities and the exit codes every command shares."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Fix:
    """A mechanical rewrite: replace the text between two 1-based positions on one line."""

    line: int
    column: int
    end_column: int
    replacement: str


@dataclass(frozen=True)
class Finding:
    """What a rule reports; the engine stamps the path and the configured severity."""

    code: str
    message: str
    line: int = 1
    column: int = 1
    end_line: int | None = None
    end_column: int | None = None
    suggestion: str | None = None
    fix: Fix | None = None


@dataclass(frozen=True)
class Diagnostic:
    """A finding located in a file, with its effective severity. Lines and columns are 1-based."""

    path: str
    line: int
    column: int
    code: str
    severity: Severity
    message: str
    suggestion: str | None = None
    end_line: int | None = None
    end_column: int | None = None
    fix: Fix | None = None
    flagged: str = ""
    """The text the finding is about: its span when it ends on its line, else its line stripped;
    empty when the file has no such line. It stays the same when lines above it come and go."""

    @classmethod
    def from_finding(
        cls, path: str, finding: Finding, severity: Severity, line_text: str = ""
    ) -> Diagnostic:
        """The finding in a file, `line_text` being the whole of the line it is on."""
        return cls(
            path=path,
            line=max(1, finding.line),
            column=max(1, finding.column),
            code=finding.code,
            severity=severity,
            message=bounded(finding.message),
            suggestion=None if finding.suggestion is None else bounded(finding.suggestion),
            end_line=finding.end_line,
            end_column=finding.end_column,
            fix=finding.fix,
            flagged=_flagged(finding, line_text),
        )

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.code)


def _flagged(finding: Finding, line_text: str) -> str:
    end = finding.end_column
    if end is not None and finding.end_line in (None, finding.line) and end > finding.column:
        span = line_text[finding.column - 1 : end - 1]
        if span.strip():
            return span
    return line_text.strip()


QUOTED_LIMIT = 80
"""The longest value a message quotes whole; a longer one is shown by its start and length."""
MESSAGE_LIMIT = 1000
"""The longest message or suggestion a diagnostic carries."""
_LONG_QUOTE = re.compile("(?<!\\w)'([^'\\n]{" + str(QUOTED_LIMIT + 1) + ",})'(?!\\w)")
"""A long quoted value: opened after no letter, closed before none (not "'id': … it's")."""


def bounded(text: str) -> str:
    """The text with each value it quotes kept to QUOTED_LIMIT characters and the whole to
    MESSAGE_LIMIT: a severity or a heading of 100,000 characters would otherwise be echoed whole
    into every output (a terminal, an annotation, a SARIF file)."""
    if len(text) <= QUOTED_LIMIT:
        return text
    text = _LONG_QUOTE.sub(_shortened, text)
    if len(text) > MESSAGE_LIMIT:
        text = text[: MESSAGE_LIMIT - 1] + "\u2026"
    return text


def _shortened(match: re.Match[str]) -> str:
    value = match.group(1)
    return f"'{value[: QUOTED_LIMIT - 20]}\u2026' ({len(value):,} characters)"


class UsageError(Exception):
    """A problem with how a command was called, the configuration or I/O: exit code 2.

    The message is one line and names the file (and line, when known).
    """


def failing(diagnostic: Diagnostic, fail_on: str) -> bool:
    """Whether a finding fails the run: an error always; a warning when `fail_on` is "warning"."""
    if diagnostic.severity is Severity.ERROR:
        return True
    return diagnostic.severity is Severity.WARNING and fail_on == "warning"


def exit_code(diagnostics: list[Diagnostic], *, fail_on: str = "warning") -> int:
    """0 when nothing fails, 1 when a finding at or above `fail_on` was found."""
    return EXIT_FINDINGS if any(failing(d, fail_on) for d in diagnostics) else EXIT_OK
