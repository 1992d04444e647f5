"""Every rule fails on its bad case and passes its good case; the table covers every rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from incident_docs.config import Config
from incident_docs.linter import Selection, lint
from incident_docs.records import load_roster
from incident_docs.rules import ALL_RULES
from incident_docs.rules.base import LintContext
from support.linting import codes, lint_archive, write_archive
from support.rule_cases import CASES, INCIDENT, Files, RuleCase


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
