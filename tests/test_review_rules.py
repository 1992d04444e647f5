"""RV001 and RV002: who approved an approved postmortem — seniors, not its authors, enough of
them, and one of every team the postmortem involves."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from support.cli import RunCli

PM = "postmortems/PM-2022-12-25-corrupt-image-crash-loop.md"
"""SEV2, authors [sam, dana], approved by lee (a senior of the platform team), published."""
PAYMENTS = "postmortems/PM-2023-03-14-payments-db-failover.md"
"""SEV1, authors [jo, sam], approved by dana (platform) and priya (payments): two teams."""


@pytest.fixture
def archive(archive: Path) -> Path:
    """The example archive, with kim: in the roster, on no team, not senior."""
    roster = archive / "people.yaml"
    roster.write_text(
        roster.read_text().replace(
            "\nteams:", "\n  - handle: kim\n    name: Kim Ode\n    github: kimode\nteams:", 1
        )
    )
    return archive


def rv(
    run_cli: RunCli,
    archive: Path,
    old: str = "",
    new: str = "",
    *,
    code: str = "RV001",
    pm: str = PM,
) -> list[tuple[int, str]]:
    path = archive / pm
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    result = run_cli(archive, "lint", "--select", code, "--format", "json", str(path))
    assert result.exit_code in (0, 1), result.output
    return [(d["line"], d["message"]) for d in json.loads(result.stdout)["diagnostics"]]


def test_a_senior_who_did_not_write_it_approves(archive: Path, run_cli: RunCli) -> None:
    assert rv(run_cli, archive) == []
    assert rv(run_cli, archive, code="RV002") == []
    assert rv(run_cli, archive, pm=PAYMENTS, code="RV") == []


@pytest.mark.parametrize(
    ("approved_by", "message"),
    [
        ("[kim]", "'kim' is not senior in people.yaml: only senior members approve"),
        ("[dana]", "'dana' is an author of this postmortem and cannot approve it"),
        ("[zoe]", "'zoe' cannot approve: not in the roster (people.yaml)"),
        # Told "not in the roster", someone would add jo again under the login.
        (
            "[jotanaka]",
            "'jotanaka' cannot approve: not a handle in the roster (people.yaml) but jo's GitHub login: write jo",
        ),
        ("[dana-okafor]", "'dana-okafor' is an author of this postmortem and cannot approve it"),
        ("[lee, Lee]", "'Lee' is listed twice in approved_by"),
    ],
)
def test_who_cannot_approve(archive: Path, run_cli: RunCli, approved_by: str, message: str) -> None:
    found = rv(run_cli, archive, "approved_by: [lee]", f"approved_by: {approved_by}")
    assert (9, message) in found


def test_a_github_login_where_a_handle_goes_says_which_handle(
    archive: Path, run_cli: RunCli
) -> None:
    found = rv(run_cli, archive, "authors: [sam, dana]", "authors: [samlq, dana]", code="PE001")
    assert found == [
        (7, "'samlq' is not a handle in the roster (people.yaml) but sam's GitHub login: write sam")
    ]


def test_too_few_for_the_severity(archive: Path, run_cli: RunCli) -> None:
    found = rv(run_cli, archive, "severity: SEV2", "severity: SEV1")
    assert found == [
        (9, "a SEV1 postmortem needs 2 senior approvals from people who did not write it; "
            "approved_by has 1"),
    ]  # fmt: skip
    (archive / PM).write_text(
        (archive / PM).read_text().replace("approved_by: [lee]", "approved_by: [lee, jo]")
    )
    assert rv(run_cli, archive) == []


def test_a_postmortem_answers_to_its_incidents_severity(archive: Path, run_cli: RunCli) -> None:
    # Written as less severe than its SEV1 incident, it asked the one approval of a SEV2, while
    # the review gate asks the SEV1's two.
    incident = archive / "incidents" / "INC-2022-12-25-corrupt-image-crash-loop.md"
    incident.write_text(incident.read_text().replace("severity: SEV2", "severity: SEV1", 1))
    assert rv(run_cli, archive) == [
        (9, "a postmortem of a SEV1 incident needs 2 senior approvals from people who did not "
            "write it; approved_by has 1"),
    ]  # fmt: skip
    shown = run_cli(archive, "show", "PM-2022-12-25-corrupt-image-crash-loop", "--format", "json")
    assert json.loads(shown.stdout)["review"]["approvals_needed"] == 2


def test_drafts_and_empty_approvals_are_left_to_other_rules(archive: Path, run_cli: RunCli) -> None:
    assert rv(run_cli, archive, "approved_by: [lee]", "approved_by: [kim]") != []
    assert rv(run_cli, archive, "status: published", "status: in-review") == []
    assert rv(run_cli, archive, "status: in-review", "status: approved") != []
    assert rv(run_cli, archive, "approved_by: [kim]", "approved_by: []") == []


def test_the_roster_decides_who_is_senior(archive: Path, run_cli: RunCli) -> None:
    roster = archive / "people.yaml"
    roster.write_text(
        roster.read_text().replace("github: kimode", "github: kimode\n    senior: true")
    )
    assert rv(run_cli, archive, "approved_by: [lee]", "approved_by: [kim]") == []


# --- RV002: every team involved --------------------------------------------------------------


def test_a_senior_of_another_team_does_not_approve_for_the_team_involved(
    archive: Path, run_cli: RunCli
) -> None:
    found = rv(run_cli, archive, "approved_by: [lee]", "approved_by: [priya]", code="RV002")
    assert found == [
        (9, "team platform (owns web-frontend, deploy-pipeline; responders sam, lee, dana) has "
            "not approved: approved_by needs one of its seniors who did not write it (lee)"),
    ]  # fmt: skip


def test_a_two_team_postmortem_needs_both(archive: Path, run_cli: RunCli) -> None:
    found = rv(
        run_cli, archive, "approved_by: [dana, priya]", "approved_by: [dana, lee]", pm=PAYMENTS,
        code="RV002",
    )  # fmt: skip
    assert [message.split(" (")[0] for _line, message in found] == ["team payments"]
    assert "(priya)" in found[0][1]  # jo wrote it: only priya can approve for payments


def test_a_team_no_senior_of_which_is_left_to_approve_says_why(
    archive: Path, run_cli: RunCli
) -> None:
    # It said "the team has no other senior" of a team whose every senior wrote it.
    path = archive / PAYMENTS
    path.write_text(path.read_text().replace("authors: [jo, sam]", "authors: [jo, priya]", 1))
    found = rv(run_cli, archive, "approved_by: [dana, priya]", "approved_by: [dana, lee]",
               pm=PAYMENTS, code="RV002")  # fmt: skip
    assert [message.split(" (")[0] for _line, message in found] == ["team payments"]
    assert found[0][1].endswith("(nobody: every senior of the team wrote it)")


def test_a_team_the_postmortem_names_must_approve_too(archive: Path, run_cli: RunCli) -> None:
    found = rv(run_cli, archive, "services: [web-frontend", "teams: [search]\nservices: [web-frontend", code="RV002")  # fmt: skip
    assert [message.split(" (")[0] for _line, message in found] == ["team search"]
    assert "named by the postmortem" in found[0][1]


def test_a_responders_team_is_found_with_the_incident_in_a_subfolder(
    archive: Path, run_cli: RunCli
) -> None:
    # The incident was looked for at incidents/<ID>.md only: its responders' teams were never
    # asked for, and a missing approval passed.
    path = archive / PAYMENTS
    text = path.read_text(encoding="utf-8")
    for old, new in (
        ("approved_by: [dana, priya]", "approved_by: [jo, mei]"),
        ("- Communications Lead: lee\n", ""),
    ):
        assert old in text, old
        text = text.replace(old, new, 1)
    text = re.sub(r"(?m)^authors: .*$", "authors: [priya]", text, count=1)
    path.write_text(text, encoding="utf-8")
    flat = rv(run_cli, archive, code="RV002", pm=PAYMENTS)
    assert any("team platform (responders lee)" in message for _line, message in flat), flat
    (archive / "incidents" / "2023").mkdir()
    incident = archive / "incidents" / "INC-2023-03-14-payments-db-failover.md"
    incident.rename(archive / "incidents" / "2023" / incident.name)
    filed = rv(run_cli, archive, code="RV002", pm=PAYMENTS)
    assert filed == flat


def listed_twice(run_cli: RunCli, archive: Path, path: str, *changes: tuple[str, str]) -> list[str]:
    """FM012 and RV001 of PATH with each change (old, new) made: code and message of each."""
    file = archive / path
    text = file.read_text(encoding="utf-8")
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    file.write_text(text, encoding="utf-8")
    result = run_cli(archive, "lint", "--select", "FM012,RV001", "--format", "json", str(file))
    assert result.exit_code in (0, 1), result.output
    return [f"{d['code']} {d['message']}" for d in json.loads(result.stdout)["diagnostics"]]


@pytest.mark.parametrize("status", ["published", "draft"])
def test_an_approver_listed_twice_is_reported_once(
    archive: Path, run_cli: RunCli, status: str
) -> None:
    # RV001 judges the approvers of an approved or published postmortem, each written twice
    # among them; FM012 says so where RV001 does not look.
    found = listed_twice(
        run_cli,
        archive,
        PM,
        ("status: published", f"status: {status}"),
        ("approved_by: [lee]", "approved_by: [lee, Lee]"),
    )
    if status == "published":
        assert found == ["RV001 'Lee' is listed twice in approved_by"]
    else:
        assert found == ["FM012 'approved_by' names 'Lee' twice (as 'lee'): list it once"]


def test_teams_and_outside_responders_listed_twice(archive: Path, run_cli: RunCli) -> None:
    found = listed_twice(
        run_cli,
        archive,
        PM,
        ("authors: [sam, dana]", 'authors: [sam, dana, " sam"]\nteams: [a, a]'),
    )
    assert found == [
        "FM012 'authors' names ' sam' twice (as 'sam'): list it once",
        "FM012 'teams' names 'a' twice: list it once",
    ]
    incident = "incidents/INC-2022-12-25-corrupt-image-crash-loop.md"
    found = listed_twice(
        run_cli, archive, incident, ("\nroles:", "\noutside_responders: [ext, Ext]\nroles:")
    )
    assert found == ["FM012 'outside_responders' names 'Ext' twice (as 'ext'): list it once"]
