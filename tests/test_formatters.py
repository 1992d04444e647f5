"""Golden output for every format, including a message with '%' and a newline."""

from __future__ import annotations

import html as _html
import json
import re
from dataclasses import replace
from pathlib import PurePosixPath

import pytest
from markdown_it import MarkdownIt

from incident_docs.diagnostics import Diagnostic, Fix, Severity, bounded
from incident_docs.formatters import (
    code_span,
    format_github,
    format_gitlab,
    format_json,
    format_rules_markdown,
    format_sarif,
    format_summary,
    format_text,
)
from incident_docs.terminal import log_line, printable
from support.archive import REPO

DIAGNOSTICS = [
    Diagnostic("postmortems/PM-1.md", 12, 3, "SC001", Severity.ERROR, "missing section 'Impact'"),
    Diagnostic(
        "incidents/a,b:c.md",
        4,
        1,
        "FM004",
        Severity.WARNING,
        "error rate 100%\nsecond line",
        suggestion="use 50%",
    ),
]


def test_text() -> None:
    assert format_text(DIAGNOSTICS) == (
        "postmortems/PM-1.md:12:3: SC001 missing section 'Impact'\n"
        "incidents/a,b:c.md:4:1: FM004 error rate 100% second line (use 50%)\n"
    )


def test_json() -> None:
    payload = json.loads(format_json(DIAGNOSTICS))
    assert payload["version"] == 1
    assert payload["diagnostics"][1] == {
        "path": "incidents/a,b:c.md",
        "line": 4,
        "column": 1,
        "code": "FM004",
        "severity": "warning",
        "message": "error rate 100%\nsecond line",
        "suggestion": "use 50%",
    }
    assert payload["summary"] == {"errors": 1, "warnings": 1, "infos": 0}


def test_github_escapes_data_and_properties() -> None:
    assert format_github(DIAGNOSTICS) == (
        "::error file=postmortems/PM-1.md,line=12,col=3,title=SC001 missing-section"
        "::missing section 'Impact'\n"
        "::warning file=incidents/a%2Cb%3Ac.md,line=4,col=1,title=FM004 invalid-value"
        "::error rate 100%25%0Asecond line%0Ause 50%25\n"
    )


def test_step_summary_table_escapes_pipes() -> None:
    diagnostic = Diagnostic("a.md", 1, 1, "BL004", Severity.ERROR, "a | b <script>")
    summary = format_summary([diagnostic], files=3)
    assert "1 error, 0 warnings in 3 files" in summary
    assert "| a.md | 1 | BL004 | error | a \\| b &lt;script&gt; |" in summary


@pytest.mark.parametrize(
    "hostile",
    [
        "![x](https://tracker.example/pixel.png)",
        "[docs](https://phish.example) *now* `x` ~~gone~~ __b__",
        "# heading",
        "a\\|b &lt; &amp;",
    ],
)
def test_step_summary_cells_show_hostile_text_as_written(hostile: str) -> None:
    # A service, team or file name that is Markdown must not become an image (fetched by
    # whoever opens the run), a link or emphasis in the step summary.
    diagnostic = Diagnostic("a.md", 1, 1, "SV001", Severity.ERROR, hostile)
    rendered = MarkdownIt("commonmark").enable("table").enable("strikethrough")
    html = rendered.render(format_summary([diagnostic], files=1))
    cell = html.split("<td>")[-1].split("</td>")[0]
    assert not re.search(r"<(?:img|a|em|strong|code|s|h1)\b", cell)
    assert _html.unescape(cell) == hostile


def test_step_summary_keeps_to_githubs_limit_and_says_what_it_leaves_out() -> None:
    # GitHub drops a step summary over 1 MiB whole: thousands of findings showed none.
    many = [
        Diagnostic(f"postmortems/PM-{n}.md", n, 1, "BL004", Severity.ERROR, "é" * 400)
        for n in range(1, 3001)
    ]
    summary = format_summary(many, files=3000)
    assert len(summary.encode()) <= 1024 * 1024
    shown = summary.count("| BL004 |")
    assert 0 < shown < 3000
    assert summary.endswith(
        f"{3000 - shown} more findings not shown: a step summary holds 1024 KiB at most. `incident lint` lists them all.\n"
    )
    assert format_summary(many, files=3000, limit=50) == ""
    assert format_summary(many[:2], files=2) == format_summary(many[:2], files=2, limit=10**9)


def test_sarif_has_one_rule_per_code_and_fixes() -> None:
    fixed = Diagnostic(
        "p.md", 3, 5, "FM004", Severity.ERROR, "m", suggestion="drop it", fix=Fix(3, 5, 15, "")
    )
    payload = json.loads(format_sarif([*DIAGNOSTICS, fixed]))
    assert payload["version"] == "2.1.0"
    run = payload["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [rule["id"] for rule in rules]
    assert len(ids) == len(set(ids)) and "SC001" in ids
    first = run["results"][0]
    assert rules[first["ruleIndex"]]["id"] == "SC001"
    assert first["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 12,
        "startColumn": 3,
    }
    replacement = run["results"][2]["fixes"][0]["artifactChanges"][0]["replacements"][0]
    assert replacement["deletedRegion"]["endColumn"] == 15
    assert replacement["insertedContent"] == {"text": ""}


def test_gitlab_code_quality() -> None:
    issues = json.loads(format_gitlab(DIAGNOSTICS))
    assert issues[0]["location"] == {"path": "postmortems/PM-1.md", "lines": {"begin": 12}}
    assert issues[0]["severity"] == "major" and issues[1]["severity"] == "minor"
    assert len({issue["fingerprint"] for issue in issues}) == len(DIAGNOSTICS)


def test_a_gitlab_fingerprint_is_the_finding_not_its_place() -> None:
    def fingerprints(*found: Diagnostic) -> list[str]:
        return [issue["fingerprint"] for issue in json.loads(format_gitlab(list(found)))]

    finding = Diagnostic("p.md", 7, 5, "BL004", Severity.ERROR, "judgmental", flagged="careless")
    [first] = fingerprints(finding)
    assert fingerprints(replace(finding, line=9, column=1)) == [first]
    # Two alike in one file: the first keeps its fingerprint, the second has its own.
    twice = fingerprints(finding, replace(finding, line=8))
    assert twice[0] == first and twice[1] != first
    for changed in (
        replace(finding, code="BL005"),
        replace(finding, message="mocking"),
        replace(finding, flagged="sloppy"),
        replace(finding, path="q.md"),
    ):
        assert fingerprints(changed) != [first], changed
    # A message that quotes a line number keeps its fingerprint when the lines move.
    order = Diagnostic("p.md", 52, 3, "TL002", Severity.ERROR, "after the entry above (line 51)")
    moved = replace(order, line=54, message="after the entry above (line 53)")
    assert fingerprints(order) == fingerprints(moved)
    assert fingerprints(order) != fingerprints(replace(order, message="out of order (line 51)"))


def test_empty_outputs() -> None:
    assert format_text([]) == ""
    assert json.loads(format_json([]))["diagnostics"] == []
    assert format_github([]) == ""


def test_sarif_says_its_columns_count_characters() -> None:
    payload = json.loads(format_sarif(DIAGNOSTICS))
    assert payload["runs"][0]["columnKind"] == "unicodeCodePoints"


def test_sarif_names_its_source_root_by_an_absolute_uri_or_not_at_all() -> None:
    # SARIF says a base URI is absolute and ends in a slash: "./" was refused by validators.
    bases = json.loads(format_sarif(DIAGNOSTICS, root=PurePosixPath("/work/my repo#1")))
    assert bases["runs"][0]["originalUriBaseIds"] == {
        "%SRCROOT%": {"uri": "file:///work/my%20repo%231/"}
    }
    assert "originalUriBaseIds" not in json.loads(format_sarif(DIAGNOSTICS))["runs"][0]


def test_sarif_keeps_message_and_suggestion_apart_and_links_a_real_anchor() -> None:
    finding = Diagnostic(
        "p.md", 3, 5, "BL001", Severity.ERROR, "names a person", suggestion="Describe the change."
    )
    payload = json.loads(format_sarif([finding]))
    run = payload["runs"][0]
    assert run["results"][0]["message"]["text"] == (
        "names a person. Suggestion: Describe the change."
    )
    rules_page = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    anchors = {
        line[3:].strip().lower() for line in rules_page.splitlines() if line.startswith("## ")
    }
    for rule in run["tool"]["driver"]["rules"]:
        page, _, anchor = rule["helpUri"].partition("#")
        assert page.endswith("/docs/rules.md") and anchor in anchors, rule["helpUri"]


def test_the_rules_page_is_what_the_command_writes() -> None:
    written = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    assert written == format_rules_markdown(), (
        "run: incident rules --format markdown > docs/rules.md"
    )


def test_a_file_name_with_a_line_break_or_an_escape_stays_on_its_finding_line() -> None:
    odd = Diagnostic(
        "incidents/a\nb:1:1: XX999 forged\x1b[2J.md", 2, 1, "FM001", Severity.ERROR, "bad"
    )
    lines = format_text([odd]).splitlines()
    assert lines == ["incidents/a\\u000ab:1:1: XX999 forged\\u001b[2J.md:2:1: FM001 bad"]


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (
            "plain text, é, 日本, 👩\u200d💻, a\ttab\nand a line",
            "plain text, é, 日本, 👩\u200d💻, a\ttab\nand a line",
        ),
        ("\x1b[31mred\x07", "\\u001b[31mred\\u0007"),
        ("over\rwritten\x7f", "over\\u000dwritten\\u007f"),
        ("\x9b2J \u202eevil\u2066", "\\u009b2J \\u202eevil\\u2066"),
    ],
)
def test_printable_writes_out_what_a_terminal_would_obey(text: str, shown: str) -> None:
    assert printable(text) == shown
    # JSON output printed so reads back as it was written.
    assert json.loads(printable(json.dumps(text, ensure_ascii=False))) == text


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("a\n::add-mask::x", "a\\u000a::add-mask::x"),
        ("a\r\u2028b\u2029c\x85", "a\\u000d\\u2028b\\u2029c\\u0085"),
        ("::stop-commands::t", "\\u003a:stop-commands::t"),
        ("  \t::notice::x", "  \t\\u003a:notice::x"),
        ("see ##[add-mask]x and ##[error]y", "see ##\\u005badd-mask]x and ##\\u005berror]y"),
        ("needs 1 senior approval: x::y", "needs 1 senior approval: x::y"),
    ],
)
def test_a_log_line_holds_no_line_break_and_no_workflow_command(text: str, shown: str) -> None:
    assert log_line(text) == shown


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("postmortems/a.md", "`postmortems/a.md`"),
        ("a`b.md", "``a`b.md``"),
        ("`a``b`", "``` `a``b` ```"),
        ("a\n## b", "`a ## b`"),
    ],
)
def test_a_code_span_is_one_line_and_closed_only_at_its_end(text: str, shown: str) -> None:
    assert code_span(text) == shown


def test_a_mark_of_right_to_left_text_is_kept() -> None:
    title = "\u05e9\u05e8\u05ea \u200f(v2)\u200f \u0645\u0631\u062d\u0628\u0627\u061c"
    assert printable(title) == title


def test_a_message_is_shortened_only_in_the_long_values_it_quotes() -> None:
    reason = "Input should be a valid datetime or date, month value is outside expected range"
    message = f"invalid 'declared_at': {reason} of 1-12 (got '2022-13-45T12:41:00Z')"
    assert bounded(message) == message
    long = "x" * 500
    shortened = bounded(f"unknown severity '{long}': use one of 'SEV1', 'SEV2'")
    assert shortened.startswith("unknown severity 'xxx") and "(500 characters)" in shortened
    assert shortened.endswith(": use one of 'SEV1', 'SEV2'")


def test_a_file_name_that_is_not_utf8_or_not_a_uri_is_written_validly() -> None:
    """A name's bytes that are not UTF-8 reach Python as lone surrogates: JSON must not carry
    them, and a SARIF URI is percent-encoded."""
    odd = Diagnostic(
        "incidents/bad\udcff.md",
        1,
        1,
        "ID002",
        Severity.ERROR,
        "file name 'bad\udcff.md' is odd",
        "x\udcfe",
    )
    spaced = Diagnostic("incidents/sp ace%#.md", 1, 1, "FM003", Severity.ERROR, "m")
    text = format_json([odd, spaced])
    for written in (text, format_gitlab([odd]), format_github([odd]), format_sarif([odd])):
        written.encode("utf-8")  # valid Unicode throughout, messages included
    assert [d["path"] for d in json.loads(text)["diagnostics"]] == [
        "incidents/bad\\xff.md",
        "incidents/sp ace%#.md",
    ]
    sarif = json.loads(format_sarif([odd, spaced]))
    uris = [
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in sarif["runs"][0]["results"]
    ]
    assert uris == ["incidents/bad%FF.md", "incidents/sp%20ace%25%23.md"]
