"""RV001: who approved an approved postmortem — seniors, not its authors, enough of them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support.cli import RunCli

PM = "postmortems/PM-2022-12-25-corrupt-image-crash-loop.md"
"""SEV2, authors [sam, dana], approved by priya (senior), status published."""


def rv(run_cli: RunCli, archive: Path, old: str = "", new: str = "") -> list[tuple[int, str]]:
    path = archive / PM
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    result = run_cli(archive, "lint", "--select", "RV", "--format", "json", str(path))
    assert result.exit_code in (0, 1), result.output
    return [(d["line"], d["message"]) for d in json.loads(result.stdout)["diagnostics"]]


def test_a_senior_who_did_not_write_it_approves(archive: Path, run_cli: RunCli) -> None:
    assert rv(run_cli, archive) == []


@pytest.mark.parametrize(
    ("approved_by", "message"),
    [
        ("[lee]", "'lee' is not senior in people.yaml: only senior members approve"),
        ("[dana]", "'dana' is an author of this postmortem and cannot approve it"),
        ("[zoe]", "'zoe' cannot approve: not in the roster (people.yaml)"),
        ("[priya, Priya]", "'Priya' is listed twice in approved_by"),
    ],
)
def test_who_cannot_approve(archive: Path, run_cli: RunCli, approved_by: str, message: str) -> None:
    found = rv(run_cli, archive, "approved_by: [priya]", f"approved_by: {approved_by}")
    assert (9, message) in found


def test_too_few_for_the_severity(archive: Path, run_cli: RunCli) -> None:
    found = rv(run_cli, archive, "severity: SEV2", "severity: SEV1")
    assert found == [
        (9, "a SEV1 postmortem needs 2 senior approvals from people who did not write it; "
            "approved_by has 1"),
    ]  # fmt: skip
    (archive / PM).write_text(
        (archive / PM).read_text().replace("approved_by: [priya]", "approved_by: [priya, jo]")
    )
    assert rv(run_cli, archive) == []


def test_drafts_and_empty_approvals_are_left_to_other_rules(archive: Path, run_cli: RunCli) -> None:
    assert rv(run_cli, archive, "approved_by: [priya]", "approved_by: [lee]") != []
    assert rv(run_cli, archive, "status: published", "status: in-review") == []
    assert rv(run_cli, archive, "status: in-review", "status: approved") != []
    assert rv(run_cli, archive, "approved_by: [lee]", "approved_by: []") == []


def test_the_roster_decides_who_is_senior(archive: Path, run_cli: RunCli) -> None:
    roster = archive / "people.yaml"
    roster.write_text(
        roster.read_text().replace("github: leemorgan", "github: leemorgan\n    senior: true")
    )
    assert rv(run_cli, archive, "approved_by: [priya]", "approved_by: [lee]") == []
