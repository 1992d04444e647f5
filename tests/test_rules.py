"""Every rule fails on its bad case and passes its good case; the table covers every rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from incident_docs.config import Config
from incident_docs.document import Document
from incident_docs.linter import Selection, lint
from incident_docs.records import load_roster
from incident_docs.rules import ALL_RULES
from incident_docs.rules.base import RECENT_RECORDS, RECENT_TEXT, LintContext, Subject
from support.linting import codes, lint_archive, write_archive
from support.rule_cases import CASES, GOOD_ARCHIVE, INCIDENT, INCIDENT_PATH, Files, RuleCase


def test_every_rule_has_a_failing_and_a_passing_case() -> None:
    # ID006 compares with a git revision (lint --base): its cases live in tests/test_base_ids.py.
    covered = {case.code for case in CASES} | {"ID006"}
    missing = sorted(set(ALL_RULES) - covered)
    assert not missing, f"rules without a case in tests/support/rule_cases.py: {missing}"


def test_the_good_archive_is_clean(tmp_path: Path) -> None:
    write_archive(tmp_path, CASES[0].good)
    assert lint_archive(tmp_path) == []


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.code)
def test_rule(case: RuleCase, tmp_path: Path) -> None:
    bad, good = tmp_path / "bad", tmp_path / "good"
    bad.mkdir()
    good.mkdir()
    write_archive(bad, case.bad, case.symlinks)
    write_archive(good, case.good)
    found = lint_archive(bad)
    assert case.code in codes(found), found
    assert case.code not in codes(lint_archive(good))


def test_parallel_lint_matches_serial(tmp_path: Path) -> None:
    files: Files = {}
    unknown_severity = []
    for index in range(230):
        record_id = f"INC-2024-05-02-copy-{index}"
        text = INCIDENT.replace("INC-2024-05-02-api-errors", record_id)
        if index % 7 == 0:
            text = text.replace("severity: SEV2", "severity: SEV9")
            unknown_severity.append(f"incidents/{record_id}.md")
        files[f"incidents/{record_id}.md"] = text
    write_archive(tmp_path, files)
    config = Config()
    ctx = LintContext(tmp_path, config, load_roster(tmp_path, config))
    serial = lint(ctx, Selection(), jobs=1).diagnostics
    parallel = lint(ctx, Selection(), jobs=2).diagnostics
    assert serial == parallel
    assert len(serial) == len(unknown_severity)  # one FM004 for each record given SEV9


def test_a_context_linted_again_reads_the_records_as_they_are_now(tmp_path: Path) -> None:
    write_archive(tmp_path, dict(GOOD_ARCHIVE))
    config = Config()
    ctx = LintContext(tmp_path, config, load_roster(tmp_path, config))
    assert lint(ctx, Selection(), jobs=1).diagnostics == []
    # Corrected between two runs (an editor's save, `incident` commands), as a site's rebuild
    # or a library caller lints the same archive again with the same context.
    path = tmp_path / INCIDENT_PATH
    path.write_text(INCIDENT.replace("severity: SEV2", "severity: SEV9"), encoding="utf-8")
    assert codes(lint(ctx, Selection(), jobs=1).diagnostics) == {"FM004"}


def test_records_kept_for_the_checks_of_others_hold_little_text(tmp_path: Path) -> None:
    ctx = LintContext(tmp_path, Config())
    # Records near lint's size limit (a log pasted in each): a few would hold hundreds of MB.
    big = "x" * (RECENT_TEXT // 4)
    for index in range(RECENT_RECORDS):
        doc = Document(path=f"incidents/INC-2024-05-02-big-{index}.md", text=big)
        ctx.remember(str(tmp_path / doc.path), Subject(doc, "incident", None, ctx))
    assert sum(len(read.doc.text) for read in ctx.recent.values()) <= RECENT_TEXT
    # The newest is kept whatever its size: its postmortem, linted next, reads it.
    huge = Document(path="incidents/INC-2024-05-03-huge.md", text="x" * (RECENT_TEXT * 2))
    ctx.remember(str(tmp_path / huge.path), Subject(huge, "incident", None, ctx))
    assert [read.doc for read in ctx.recent.values()] == [huge]
    # Small records, as nearly every archive holds: as many as the count allows.
    for index in range(RECENT_RECORDS * 2):
        doc = Document(path=f"incidents/INC-2024-05-04-small-{index}.md", text="x" * 4000)
        ctx.remember(str(tmp_path / doc.path), Subject(doc, "incident", None, ctx))
    assert len(ctx.recent) == RECENT_RECORDS
