"""Teams in the roster: listed, checked, involved in postmortems, shown in the terminal and site."""

from __future__ import annotations

import json
import shlex
import subprocess
from pathlib import Path

import pytest

from support.archive import CHRISTMAS
from support.cli import RunCli
from support.site_build import build_site, page

PAYMENTS = "PM-2023-03-14-payments-db-failover"
CDN = "PM-2023-08-02-cdn-certificate-expiry"


def test_teams_answers_who_can_approve_for_each(archive: Path, run_cli: RunCli) -> None:
    result = run_cli(archive, "teams")
    assert result.exit_code == 0, result.output
    payments = result.stdout.split("payments (GitHub team payments)\n", 1)[1].split("\n\n")[0]
    assert "  services: payments-api, payments-db" in payments
    assert "  approve:  priya (Priya Raman, @priyaraman), jo (Jo Tanaka, @jotanaka)" in payments
    listed = json.loads(run_cli(archive, "teams", "--format", "json").stdout)["teams"]
    assert [team["name"] for team in listed] == ["platform", "payments", "search"]
    assert {s["handle"] for s in listed[0]["seniors"]} == {"dana", "lee"}


def test_show_tells_a_postmortems_review_per_team(archive: Path, run_cli: RunCli) -> None:
    text = run_cli(archive, "show", PAYMENTS).stdout
    assert "team platform: approved by dana (responders lee)" in text
    assert "team payments: approved by priya" in text and "review: complete" in text
    shown = json.loads(run_cli(archive, "show", CDN, "--format", "json").stdout)
    review = shown["review"]
    assert review["satisfied"] is False
    assert [(t["team"], t["satisfied"], t["could_approve"]) for t in review["teams"]] == [
        ("platform", False, ["dana", "lee"])
    ]


def test_the_roster_is_checked_where_it_is_wrong(archive: Path, run_cli: RunCli) -> None:
    roster = archive / "people.yaml"
    text = roster.read_text()
    text = text.replace("seniors: [mei]", "seniors: [mei, sam]")
    text = text.replace("services: [search-api]", "services: [search-api, static-cdn]")
    text = text.replace("members: [jo, priya]", "members: [jo, priya, zed]")
    roster.write_text(text)
    result = run_cli(archive, "lint", "--select", "TM001", "--format", "json")
    found = [(d["path"], d["line"], d["message"]) for d in json.loads(result.stdout)["diagnostics"]]
    lines = text.splitlines()

    def line_of(fragment: str) -> int:
        return next(i for i, line in enumerate(lines, 1) if fragment in line)

    assert found == [
        ("people.yaml", line_of("[jo, priya, zed]"), "team 'payments': member 'zed' is not in people"),
        ("people.yaml", line_of("seniors: [mei, sam]"), "team 'search': senior 'sam' is not one of its members"),
        ("people.yaml", line_of("[search-api, static-cdn]"), "service 'static-cdn' is owned by two teams: 'platform' and 'search'"),
    ]  # fmt: skip


def test_a_senior_who_is_no_one_of_the_roster_is_named_as_such(
    archive: Path, run_cli: RunCli
) -> None:
    # "is not one of its members" sent the maintainer to add a member the roster does not have.
    roster = archive / "people.yaml"
    text = roster.read_text().replace("seniors: [mei]", "seniors: [mei, zed]")
    roster.write_text(text)
    result = run_cli(archive, "lint", "--select", "TM001", "--format", "json")
    found = [(d["line"], d["message"]) for d in json.loads(result.stdout)["diagnostics"]]
    line = text.splitlines().index("    seniors: [mei, zed]") + 1
    assert found == [(line, "team 'search': senior 'zed' is not in people")]


def test_a_team_that_lists_someone_by_their_github_login_says_which_handle(
    archive: Path, run_cli: RunCli
) -> None:
    # "is not in people" sent the maintainer to add lee again, under the login.
    roster = archive / "people.yaml"
    text = roster.read_text().replace("seniors: [dana, lee]", "seniors: [dana, leemorgan]")
    text = text.replace("members: [mei]", "members: [mei, samlq]")
    roster.write_text(text)
    result = run_cli(archive, "lint", "--select", "TM001", "--format", "json")
    found = [(d["line"], d["message"]) for d in json.loads(result.stdout)["diagnostics"]]
    lines = text.splitlines()
    assert found == [
        (
            lines.index("    seniors: [dana, leemorgan]") + 1,
            "team 'platform': senior 'leemorgan' is lee's GitHub login, not a handle: write lee",
        ),
        (
            lines.index("    members: [mei, samlq]") + 1,
            "team 'search': member 'samlq' is sam's GitHub login, not a handle: write sam",
        ),
    ]


def _roster_problems(
    archive: Path, run_cli: RunCli, added: str
) -> tuple[str, list[tuple[int, str]]]:
    """The roster with a person added before mei, and lint's TM001 findings (line, message)."""
    roster = archive / "people.yaml"
    text = roster.read_text().replace("  - handle: mei\n", added + "  - handle: mei\n", 1)
    roster.write_text(text)
    result = run_cli(archive, "lint", "--select", "TM001", "--format", "json")
    diagnostics = json.loads(result.stdout)["diagnostics"]
    assert all(d["path"] == "people.yaml" for d in diagnostics)
    return text, [(d["line"], d["message"]) for d in diagnostics]


def test_a_person_listed_twice_is_named_where_the_second_entry_starts(
    archive: Path, run_cli: RunCli
) -> None:
    added = "  - handle: Lee\n    name: Lee Again\n    github: someone-else\n    senior: true\n"
    text, found = _roster_problems(archive, run_cli, added)
    line = text.splitlines().index("  - handle: Lee") + 1
    assert found == [(line, "person 'Lee' is listed twice")]


def test_a_person_listed_twice_is_named_in_a_roster_without_teams(
    archive: Path, run_cli: RunCli
) -> None:
    roster = archive / "people.yaml"
    text = roster.read_text().split("\nteams:", 1)[0] + "\n"
    text += "  - handle: lee\n    name: Lee Again\n    github: someone-else\n"
    roster.write_text(text)
    result = run_cli(archive, "lint", "--select", "TM001", "--format", "json")
    found = [(d["line"], d["message"]) for d in json.loads(result.stdout)["diagnostics"]]
    assert found == [(len(text.splitlines()) - 2, "person 'lee' is listed twice")]


def test_an_email_or_a_login_of_two_people_is_named_where_it_is_given_again(
    archive: Path, run_cli: RunCli
) -> None:
    added = (
        "  - handle: dana2\n    name: Dana Again\n    emails: [DANA.OKAFOR@example.com]\n"
        "    github: Dana-Okafor\n    senior: true\n"
    )
    text, found = _roster_problems(archive, run_cli, added)
    start = text.splitlines().index("  - handle: dana2") + 1
    assert found == [
        (start + 2, "email 'DANA.OKAFOR@example.com' is also dana's: an email names one person"),
        (start + 3, "GitHub login 'Dana-Okafor' is also dana's: a login names one person"),
    ]
    owners = run_cli(archive, "codeowners").stdout
    assert "@Dana-Okafor" not in owners and "@dana-okafor" in owners


def test_a_service_no_team_owns_is_a_warning(archive: Path, run_cli: RunCli) -> None:
    path = archive / "incidents" / f"INC-{CHRISTMAS}.md"
    path.write_text(path.read_text().replace("services: [web-frontend", "services: [billing"))
    result = run_cli(archive, "lint", "--select", "TM", str(path))
    assert result.exit_code == 1
    assert "TM002 no team in people.yaml owns the service 'billing'" in result.stdout


def _draft_pull_request(
    archive: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, email: str
) -> list[str]:
    """The `gh pr create` command `incident postmortem --pr` prints for the payments incident,
    its postmortem not written yet, run by whoever has `email` in git, gh not installed."""
    incident = archive / "incidents" / "INC-2023-03-14-payments-db-failover.md"
    (archive / "postmortems" / f"{PAYMENTS}.md").unlink()
    incident.write_text(incident.read_text().replace(f"postmortem: {PAYMENTS}\n", ""))
    for args in (
        ("init", "-q", "-b", "main"),
        ("config", "user.email", email),
        ("config", "user.name", "Someone"),
        ("remote", "add", "origin", "git@github.com:acme/ops.git"),
        ("add", "-A"),
        ("commit", "-qm", "archive"),
    ):
        subprocess.run(["git", "-C", str(archive), *args], check=True, capture_output=True)
    monkeypatch.setattr("incident_docs.git.shutil.which", lambda _name: None)  # no gh: print it
    result = run_cli(archive, "postmortem", "INC-2023-03-14-payments-db-failover", "--pr")
    assert result.exit_code == 0, result.output
    printed = result.stderr[result.stderr.index("gh pr create") :]
    return shlex.split(printed)  # the path of the draft is on standard output


def test_the_draft_pull_request_asks_the_teams_and_the_people_who_were_there(
    archive: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    command = _draft_pull_request(archive, run_cli, monkeypatch, "lee.morgan@example.com")
    assert command[command.index("--reviewer") + 1] == "acme/platform,acme/payments"
    body = command[command.index("--body") + 1]
    assert "- @jotanaka (Incident Commander): Summary and Timeline" in body
    assert "- @leemorgan (Communications Lead): Impact, and the updates that were sent" in body
    assert "(Ops Lead): Mitigation and Resolution" in body
    assert (
        "Everyone who responded (@jotanaka, @priyaraman, @leemorgan): Contributing factors" in body
    )
    assert "- payments: @priyaraman" in body  # jo wrote it, so priya approves for payments


def test_a_git_email_of_two_people_leaves_both_to_review_the_draft(
    archive: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first of the two was taken for whoever opened the pull request, and left out of the
    # seniors who approve for their team: "payments: no senior yet".
    roster = archive / "people.yaml"
    roster.write_text(
        roster.read_text().replace("[priya.raman@example.com]", "[priya.raman@example.com, oncall@example.com]")
        .replace("[lee.morgan@example.com]", "[lee.morgan@example.com, oncall@example.com]")
    )  # fmt: skip
    command = _draft_pull_request(archive, run_cli, monkeypatch, "oncall@example.com")
    assert "- payments: @priyaraman" in command[command.index("--body") + 1]


@pytest.mark.slow
def test_the_site_shows_each_teams_review(archive: Path) -> None:
    site = build_site(archive)
    card = page(site, f"postmortems/{CDN}")
    teams = card.split("<dt>Teams</dt>", 1)[1].split("</dd>", 1)[0]
    assert "<strong>platform</strong>" in teams and "waiting" in teams
    assert "could approve" in teams and "dana" in teams and "lee" in teams
    two = page(site, f"postmortems/{PAYMENTS}").split("<dt>Teams</dt>", 1)[1].split("</dd>")[0]
    assert two.count("approved</span> by") == 2
