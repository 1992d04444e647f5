"""Lint output formats as pure functions: text, json, github, sarif, gitlab, and a Markdown summary."""

from __future__ import annotations

import hashlib
import json
import re
import urllib.parse
from collections.abc import Callable, Mapping
from pathlib import PurePath

from incident_docs import __version__
from incident_docs.diagnostics import Diagnostic, Severity
from incident_docs.rules import ALL_RULES
from incident_docs.terminal import printable

INFORMATION_URI = "https://github.com/incident-docs/incident-docs"


def format_text(diagnostics: list[Diagnostic]) -> str:
    lines = []
    for d in diagnostics:
        hint = f" ({d.suggestion})" if d.suggestion else ""
        # A line break in a file name would start a line that reads as another finding.
        path = printable(d.path, lines=False)
        lines.append(f"{path}:{d.line}:{d.column}: {d.code} {_one_line(d.message)}{hint}")
    return _joined(lines)


def unicode_path(path: str) -> str:
    """The path, or a message quoting one, as valid Unicode: bytes of a file name that are not
    UTF-8 (which the file system hands over as lone surrogates) written as their escapes,
    "\\xff"."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        try:
            return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        except UnicodeEncodeError:
            return path.encode("utf-8", "backslashreplace").decode("utf-8")
    return path


def _uri(path: str) -> str:
    """A relative URI reference for SARIF: the path's bytes percent-encoded where a URI needs it
    ("sp ace%.md" is "sp%20ace%25.md")."""
    try:
        return urllib.parse.quote(path, safe="/", errors="surrogateescape")
    except UnicodeEncodeError:
        return urllib.parse.quote(unicode_path(path), safe="/")


def format_json(diagnostics: list[Diagnostic]) -> str:
    payload = {
        "version": 1,
        "diagnostics": [
            {
                "path": unicode_path(d.path),
                "line": d.line,
                "column": d.column,
                "code": d.code,
                "severity": d.severity.value,
                "message": unicode_path(d.message),
                "suggestion": None if d.suggestion is None else unicode_path(d.suggestion),
            }
            for d in diagnostics
        ],
        "summary": summary_counts(diagnostics),
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def workflow_data(value: str) -> str:
    """A workflow command's message as GitHub Actions reads it: `%`, CR and LF encoded."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return workflow_data(value).replace(":", "%3A").replace(",", "%2C")


_GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def format_github(diagnostics: list[Diagnostic]) -> str:
    """GitHub Actions workflow commands: one annotation per finding, shown inline on the diff."""
    lines = []
    for d in diagnostics:
        message = unicode_path(d.message + (f"\n{d.suggestion}" if d.suggestion else ""))
        properties = ",".join(
            [
                f"file={_escape_property(unicode_path(d.path))}",
                f"line={d.line}",
                f"col={d.column}",
                f"title={_escape_property(f'{d.code} {_rule_name(d.code)}')}",
            ]
        )
        lines.append(f"::{_GITHUB_LEVEL[d.severity]} {properties}::{workflow_data(message)}")
    return _joined(lines)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def summary_line(diagnostics: list[Diagnostic], files: int) -> str:
    """'2 errors, 1 warning in 3 files' (and the notes, when there are any)."""
    counts = summary_counts(diagnostics)
    notes = f", {_count(counts['infos'], 'note')}" if counts["infos"] else ""
    return (
        f"{_count(counts['errors'], 'error')}, {_count(counts['warnings'], 'warning')}{notes} "
        f"in {_count(files, 'file')}"
    )


STEP_SUMMARY_LIMIT = 1024 * 1024
"""The most bytes of a step's summary GitHub takes: past them it shows none of the summary."""
_LEFT_OUT_ROOM = 200
"""Bytes kept for the line that says how many findings the table leaves out."""


def format_summary(
    diagnostics: list[Diagnostic], files: int, limit: int = STEP_SUMMARY_LIMIT
) -> str:
    """A Markdown table of the findings, for $GITHUB_STEP_SUMMARY (annotations are capped), in
    at most `limit` bytes: the rows that fit, then how many are left out; nothing when not even
    the heading fits."""
    head = f"### incident lint: {summary_line(diagnostics, files)}\n"
    if not diagnostics:
        text = head + "\nNo findings.\n"
        return text if len(text.encode()) <= limit else ""
    text = (
        head + "\n| File | Line | Code | Severity | Message |\n| --- | ---: | --- | --- | --- |\n"
    )
    size = len(text.encode())
    if size + _LEFT_OUT_ROOM > limit:
        return ""
    rows = []
    for shown, d in enumerate(diagnostics):
        row = (
            f"| {table_cell(d.path)} | {d.line} | {d.code} | {d.severity.value} "
            f"| {table_cell(d.message)} |\n"
        )
        size += len(row.encode())
        if size + _LEFT_OUT_ROOM > limit:
            left_out = len(diagnostics) - shown
            rows.append(
                f"\n{_count(left_out, 'more finding')} not shown: a step summary holds "
                f"{STEP_SUMMARY_LIMIT // 1024} KiB at most. `incident lint` lists them all.\n"
            )
            break
        rows.append(row)
    return text + "".join(rows)


_MARKDOWN_PUNCTUATION = re.compile(r"[\\`*_\[\]~|]|^#")
"""What Markdown may read as markup inside a table cell's or list item's text: code, emphasis,
links and images, strikethrough, the cell's end, a heading. A backslash escapes each."""


def table_cell(value: str, *, keep_markdown: bool = False) -> str:
    """Text for one cell of a Markdown table: one line, with the table's own syntax escaped.

    Plain text also has the punctuation Markdown reads escaped (a backslash before it, angle
    brackets and ampersands as entities), so it shows as written: a name like
    `![x](https://host/pixel)` is no image, `[x](…)` no link, `*x*` no emphasis. With
    `keep_markdown` the text's links and code still render, and only pipes are escaped.
    """
    text = _one_line(value)
    if keep_markdown:
        return text.replace("|", "\\|")
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_PUNCTUATION.sub(r"\\\g<0>", text)


def code_span(value: str) -> str:
    """Text as one inline code span of Markdown: on one line, and fenced by one backtick more
    than the longest run it holds, so that a backtick in a file name does not close it early."""
    text = _one_line(value)
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
RULES_PAGE = "docs/rules.md"
"""Every rule with its own heading, written by `incident rules --format markdown`."""


def rule_help_uri(code: str) -> str:
    return f"{INFORMATION_URI}/blob/main/{RULES_PAGE}#{code.lower()}"


def _with_suggestion(d: Diagnostic) -> str:
    """The message, then the suggestion as its own sentence."""
    if not d.suggestion:
        return d.message
    message = d.message.rstrip()
    stop = "" if message.endswith((".", "!", "?", ":")) else "."
    return f"{message}{stop} Suggestion: {d.suggestion}"


def format_rules_markdown() -> str:
    """The rules page: each rule under a heading named by its code, so links can point at it."""
    lines = [
        "# Lint rules",
        "",
        "Every rule `incident lint` applies, with its default severity and an example of what it",
        "reports and of what passes. This page is written by `incident rules --format markdown`;",
        "a test keeps it in step with the code.",
        "",
        "A finding is placed at a 1-based line and column in every format (`path:line:col` in text,",
        "`line` and `column` in JSON, `line=` and `col=` in GitHub annotations, a region in SARIF).",
        "A column counts characters (Unicode code points), not bytes or screen cells: a tab, an",
        "emoji or a combining accent each counts one, as SARIF's `unicodeCodePoints` says. A finding",
        "in the front-matter is placed at its word in the file, in a value written over several",
        "lines too.",
        "",
        "Suppress a finding with an HTML comment naming its rule codes (or a prefix, such as `BL`),",
        "on a line of its own: `<!-- incident-docs disable-next-line BL004 -->` for the line below",
        "it, or `<!-- incident-docs disable BL004 -->` up to `<!-- incident-docs enable BL004 -->`.",
        "In the front-matter, write it in a YAML comment above the key,",
        "`# <!-- incident-docs disable-next-line BL004 -->`: it covers the key's whole value (a",
        "title, a summary, the list of action items). One that suppresses nothing is reported",
        "(SP001), and so is one mistyped (SP002).",
    ]
    for code, rule in ALL_RULES.items():
        lines += [
            "",
            f"## {code}",
            "",
            f"**{rule.name}** ({rule.severity.value}): {rule.summary}",
            "",
            "Reported:",
            "",
            "```markdown",
            rule.bad,
            "```",
            "",
            "Passes:",
            "",
            "```markdown",
            rule.good,
            "```",
        ]
    return "\n".join(lines) + "\n"


def format_sarif(
    diagnostics: list[Diagnostic],
    severities: Mapping[str, Severity] | None = None,
    root: PurePath | None = None,
) -> str:
    """SARIF 2.1.0 with one rule entry per code, at its severity in `severities` (as configured)
    or else its own. Paths are relative to `%SRCROOT%`, which is `root` (an absolute path) when
    it is given."""
    codes = sorted(ALL_RULES)
    index = {code: i for i, code in enumerate(codes)}
    chosen = severities or {}
    rules = [
        {
            "id": code,
            "name": ALL_RULES[code].name,
            "shortDescription": {"text": ALL_RULES[code].summary},
            "defaultConfiguration": {
                "level": _SARIF_LEVEL[chosen.get(code, ALL_RULES[code].severity)]
            },
            "helpUri": rule_help_uri(code),
        }
        for code in codes
    ]
    results = []
    for d in diagnostics:
        region: dict[str, int] = {"startLine": d.line, "startColumn": d.column}
        if d.end_line is not None:
            region["endLine"] = d.end_line
        if d.end_column is not None:
            region["endColumn"] = d.end_column
        result: dict[str, object] = {
            "ruleId": d.code,
            "level": _SARIF_LEVEL[d.severity],
            "message": {"text": unicode_path(_with_suggestion(d))},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": _uri(d.path), "uriBaseId": "%SRCROOT%"},
                        "region": region,
                    }
                }
            ],
        }
        if d.code in index:
            result["ruleIndex"] = index[d.code]
        if d.fix is not None:
            result["fixes"] = [
                {
                    "description": {
                        "text": unicode_path(d.suggestion or "Apply the suggested rewrite")
                    },
                    "artifactChanges": [
                        {
                            "artifactLocation": {"uri": _uri(d.path), "uriBaseId": "%SRCROOT%"},
                            "replacements": [
                                {
                                    "deletedRegion": {
                                        "startLine": d.fix.line,
                                        "startColumn": d.fix.column,
                                        "endLine": d.fix.line,
                                        "endColumn": d.fix.end_column,
                                    },
                                    "insertedContent": {"text": d.fix.replacement},
                                }
                            ],
                        }
                    ],
                }
            ]
        results.append(result)
    run: dict[str, object] = {
        "tool": {
            "driver": {
                "name": "incident-docs",
                "version": __version__,
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }
        },
    }
    if root is not None:
        # SARIF wants a base's URI absolute, ending in a slash: "./" is not one. Without it, a
        # reader such as code scanning takes the base to be the checkout.
        base = root.as_uri()
        run["originalUriBaseIds"] = {
            "%SRCROOT%": {"uri": base if base.endswith("/") else base + "/"}
        }
    # Columns count characters, as in every other format; SARIF's default is UTF-16 code units,
    # which differ after an emoji.
    run["columnKind"] = "unicodeCodePoints"
    run["results"] = results
    payload = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


_GITLAB_SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


_LINE_NUMBER = re.compile(r"\b(lines?) \d+(?:\s*(?:-|\u2013|and|to)\s*\d+)?\b")
"""A line number a message quotes ("(line 52)", "first at line 12"), which moves with the file."""


def format_gitlab(diagnostics: list[Diagnostic]) -> str:
    """GitLab Code Quality report (a JSON array), shown in merge request widgets.

    A finding's fingerprint is what GitLab compares between the base and the merge request, so
    it holds no line or column: its file, code, message (without the line numbers some messages
    quote: "first at line 12"), the text it flags, and which of the findings alike in all four
    it is, in the file's order. A line added above a finding leaves it as it was, not one fixed
    and one new."""
    issues = []
    seen: dict[tuple[str, str, str, str], int] = {}
    for d in diagnostics:
        path = unicode_path(d.path)
        key = (path, d.code, _LINE_NUMBER.sub(r"\1", unicode_path(d.message)), d.flagged)
        occurrence = seen[key] = seen.get(key, 0) + 1
        # JSON keeps the parts apart and writes a lone surrogate as its escape.
        fingerprint = hashlib.sha256(json.dumps([*key, occurrence]).encode()).hexdigest()
        issues.append(
            {
                "description": f"{d.code} {unicode_path(d.message)}",
                "check_name": d.code,
                "fingerprint": fingerprint,
                "severity": _GITLAB_SEVERITY[d.severity],
                "location": {"path": path, "lines": {"begin": d.line}},
            }
        )
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"


def summary_counts(diagnostics: list[Diagnostic]) -> dict[str, int]:
    return {
        "errors": sum(d.severity is Severity.ERROR for d in diagnostics),
        "warnings": sum(d.severity is Severity.WARNING for d in diagnostics),
        "infos": sum(d.severity is Severity.INFO for d in diagnostics),
    }


def _rule_name(code: str) -> str:
    rule = ALL_RULES.get(code)
    return rule.name if rule else ""


def _one_line(value: str) -> str:
    return " ".join(value.split())


def _joined(lines: list[str]) -> str:
    return "".join(line + "\n" for line in lines)


FORMATTERS: dict[str, Callable[[list[Diagnostic]], str]] = {
    "text": format_text,
    "json": format_json,
    "github": format_github,
    "sarif": format_sarif,
    "gitlab": format_gitlab,
}
