"""Who an incident hurts, and an update fit for each audience: internal, and public without leaks."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from incident_docs import cli_incident
from incident_docs.config import load_config
from incident_docs.disclosure import find_leaks
from incident_docs.records import load_roster
from support.archive import REPO, copy_archive, only_christmas
from support.cli import RunCli
from support.site_build import build_site, page

NOW = datetime(2024, 5, 2, 12, 0, tzinfo=UTC)
INC = "INC-2024-05-02-checkout-fails"
INC_PATH = f"incidents/{INC}.md"

LEAKY_ENTRIES = [
    ("Paged priya and @jotanaka about db-3.internal", "priya"),
    ("10.0.4.17 refuses connections; see https://jira.corp.example/browse/OPS-812", "10.0.4.17"),
    ("Lee Morgan restarted pgbouncer on ip-10-0-0-12", "Lee Morgan"),
    ("Failover to fe80::1 per runbook https://wiki.corp/runbooks/db", "fe80::1"),
]


@pytest.fixture
def archive(empty_archive: Path) -> Path:
    return empty_archive


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_incident, "CLOCK", lambda: NOW + timedelta(minutes=50))
    monkeypatch.setattr(cli_incident, "_terminal", lambda: False)


def declare(run_cli: RunCli, root: Path) -> None:
    result = run_cli(
        root, "declare", "Checkout fails", "--because", "user-facing", "--service", "payments-api",
        "--audience", "users=Card payments fail for about a third of shoppers",
        "--audience", "stakeholders=The outage shows on the public status page",
        "--by", "sam", "--at", "2024-05-02T11:00:00Z", "--yes",
    )  # fmt: skip
    assert result.exit_code == 0, result.output


def test_the_record_says_who_is_hurt_and_more_can_be_added(archive: Path, run_cli: RunCli) -> None:
    declare(run_cli, archive)
    text = (archive / INC_PATH).read_text()
    assert (
        "audiences:\n  users: Card payments fail for about a third of shoppers\n"
        "  stakeholders: The outage shows on the public status page\n" in text
    )
    added = run_cli(
        archive, "log", "Support cannot refund", "--audience", "company=Support cannot refund",
        "--by", "sam",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "  company: Support cannot refund\n" in (archive / INC_PATH).read_text()
    bad = run_cli(archive, "log", "x", "--audience", "partners=angry", "--by", "sam")
    assert bad.exit_code == 2 and "say who is hurt first: users=HARM" in bad.stderr
    bare = run_cli(archive, "log", "x", "--audience", "users", "--by", "sam")
    assert bare.exit_code == 2 and "describe the harm in one line" in bare.stderr


def test_internal_has_everything_and_public_has_none_of_it(archive: Path, run_cli: RunCli) -> None:
    declare(run_cli, archive)
    for text, _leak in LEAKY_ENTRIES:
        assert run_cli(archive, "log", text, "--by", "sam").exit_code == 0
    assert run_cli(
        archive, "log", "Drained eu-west-1", "--kind", "mitigation", "--action", "redirect",
        "--by", "sam",
    ).exit_code == 0  # fmt: skip
    internal = run_cli(archive, "update", "--format", "text")
    assert internal.exit_code == 0
    assert "Impact on users: Card payments fail" in internal.stdout
    assert "Drained eu-west-1" in internal.stdout and "Ops Lead sam" in internal.stdout
    public = run_cli(archive, "update", "--audience", "public", "--format", "text")
    assert public.exit_code == 0, public.output
    assert "Impact: Card payments fail for about a third of shoppers" in public.stdout
    assert "We moved traffic away from the affected servers." in public.stdout
    for _text, leak in [*LEAKY_ENTRIES, ("", "eu-west-1"), ("", "sam"), ("", "payments-api")]:
        assert leak not in public.stdout, leak


def test_harm_to_others_written_first_still_says_users_are_hurt(
    archive: Path, run_cli: RunCli
) -> None:
    # A user-facing incident whose record so far only says how the company or stakeholders are
    # hurt: the internal update said nothing of users, less than the public one.
    result = run_cli(
        archive, "declare", "Checkout fails", "--because", "user-facing", "--service", "checkout",
        "--audience", "company=Support cannot look up orders",
        "--audience", "stakeholders=The outage shows on the public status page",
        "--by", "sam", "--at", "2024-05-02T11:00:00Z", "--yes",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    internal = run_cli(archive, "update", "--format", "text")
    assert internal.exit_code == 0, internal.output
    assert (
        "Impact on users: Users of checkout are affected.\n"
        "Impact on stakeholders: The outage shows on the public status page\n"
        "Impact on company: Support cannot look up orders\n"
    ) in internal.stdout
    public = run_cli(archive, "update", "--audience", "public", "--format", "text")
    assert public.exit_code == 0, public.output
    assert (
        "Impact: Some customers are affected.\nImpact: The outage shows on the public status page\n"
    ) in public.stdout


def test_the_users_line_is_no_data_line_and_is_past_once_resolved(
    archive: Path, run_cli: RunCli
) -> None:
    # "Users of metadata-api are affected." holds "data": it was shown again as data lost. And a
    # resolved incident's update said users "are affected".
    result = run_cli(
        archive, "declare", "Lookups fail", "--because", "user-facing", "--because", "data-lost",
        "--service", "metadata-api", "--audience", "company=Support cannot look up orders",
        "--by", "sam", "--at", "2024-05-02T11:00:00Z", "--yes",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    internal = run_cli(archive, "update", "--format", "text")
    assert internal.exit_code == 0, internal.output
    assert (
        "Impact on users: Users of metadata-api are affected.\n"
        "Impact on company: Support cannot look up orders\n"
        "Data: Some data was lost.\n"
    ) in internal.stdout
    assert run_cli(archive, "resolve", "-m", "Lookups work.", "--by", "sam").exit_code == 0
    incident = next((archive / "incidents").glob("*lookups-fail.md")).stem
    internal = run_cli(archive, "update", "--incident", incident, "--format", "text")
    assert internal.exit_code == 0, internal.output
    assert "Impact on users: Users of metadata-api were affected.\n" in internal.stdout
    public = run_cli(
        archive, "update", "--incident", incident, "--audience", "public", "--format", "text"
    )
    assert public.exit_code == 0, public.output
    assert "Impact: Some customers were affected.\n" in public.stdout


def test_a_public_update_says_since_when_the_status_holds(archive: Path, run_cli: RunCli) -> None:
    # The internal update said "Monitoring since 11:20 UTC"; the public one only "A fix is in
    # place", whether for ten minutes or for a day.
    declare(run_cli, archive)
    moved = run_cli(archive, "status", "monitoring", "--by", "sam", "--at", "2024-05-02T11:20:00Z")
    assert moved.exit_code == 0, moved.output
    public = run_cli(archive, "update", "--audience", "public", "--format", "text")
    assert public.exit_code == 0, public.output
    assert (
        "Status: A fix is in place and we are watching the results (since 11:20 UTC).\n"
        in public.stdout
    )


def test_a_public_update_that_would_leak_is_refused_naming_the_text(
    archive: Path, run_cli: RunCli
) -> None:
    declare(run_cli, archive)
    status = run_cli(
        archive, "status", "identified", "db-3.internal (10.0.4.17) ran out of connections",
        "--by", "sam",
    )  # fmt: skip
    assert status.exit_code == 0, status.output
    refused = run_cli(archive, "update", "--audience", "public", "--post")
    assert refused.exit_code == 1
    assert refused.stdout == ""  # nothing printed, nothing posted
    assert "'db-3.internal' (an internal hostname) in the cause" in refused.stderr
    assert "'10.0.4.17' (an IP address) in the cause" in refused.stderr
    reworded = run_cli(
        archive, "update", "--audience", "public", "--cause", "A database ran out of connections"
    )
    assert reworded.exit_code == 0, reworded.output
    assert "A database ran out of connections" in reworded.stdout


def test_an_entry_marked_internal_never_reaches_the_public(archive: Path, run_cli: RunCli) -> None:
    declare(run_cli, archive)
    logged = run_cli(
        archive, "log", "Rolled back on web-07 by lee", "--kind", "mitigation", "--action",
        "rollback", "--internal", "--by", "sam",
    )  # fmt: skip
    assert logged.exit_code == 0, logged.output
    assert (
        "**mitigation/rollback** by sam, internal: Rolled back" in (archive / INC_PATH).read_text()
    )
    public = run_cli(archive, "update", "--audience", "public", "--format", "text")
    assert public.exit_code == 0 and "rolled back" not in public.stdout.lower()
    internal = run_cli(archive, "update", "--format", "text")
    assert "Rolled back on web-07 by lee" in internal.stdout


def test_a_cause_stated_in_an_internal_entry_never_reaches_the_public(
    archive: Path, run_cli: RunCli
) -> None:
    declare(run_cli, archive)
    path = archive / INC_PATH
    path.write_text(
        path.read_text() + "- 2024-05-02T10:20:00Z **status** by sam, internal: Identified: "
        "Project Nightingale migration corrupted rows\n"
    )
    public = run_cli(archive, "update", "--audience", "public", "--format", "text")
    assert public.exit_code == 0, public.output
    assert "Nightingale" not in public.stdout and "Cause" not in public.stdout
    internal = run_cli(archive, "update", "--format", "text")
    assert "Project Nightingale migration corrupted rows" in internal.stdout


def test_a_name_across_a_line_break_is_refused_on_one_line(archive: Path, run_cli: RunCli) -> None:
    # The update joins the lines ("Priya Raman restarted it"); the refusal broke its own line.
    declare(run_cli, archive)
    cause = "priya\nraman restarted\tit"
    refused = run_cli(archive, "update", "--audience", "public", "--cause", cause)
    assert refused.exit_code == 1 and refused.stdout == ""
    assert "\n  'priya raman' (a person's name) in --cause\n" in refused.stderr


def test_a_responder_from_outside_the_roster_is_not_named_to_the_public(
    archive: Path, run_cli: RunCli
) -> None:
    declare(run_cli, archive)
    handed = run_cli(archive, "assign", "comms", "vendorbob", "--outside", "--by", "sam")
    assert handed.exit_code == 0, handed.output
    cause = "vendorbob found a bad certificate"
    refused = run_cli(archive, "update", "--audience", "public", "--cause", cause)
    assert refused.exit_code == 1 and refused.stdout == ""
    assert "'vendorbob' (a person's handle) in --cause" in refused.stderr


def test_a_blameful_title_is_refused_for_the_public(archive: Path, run_cli: RunCli) -> None:
    result = run_cli(
        archive, "declare", "Checkout broke because the junior engineer was careless",
        "--by", "sam", "--yes",
    )  # fmt: skip
    assert result.exit_code == 0
    refused = run_cli(archive, "update", "--audience", "public")
    assert refused.exit_code == 1
    assert "reads as blame" in refused.stderr and "in the title" in refused.stderr


WIDE_DB_7 = "\uff44\uff42\uff0d\uff17"
"""'db-7' in full-width letters, as an input method for Japanese or Chinese types them."""


@pytest.mark.parametrize(
    ("text", "leaks"),
    [
        ("The database cluster failed over at 10:05 UTC, e.g. in v4.1.", []),
        ("We use UTF-8 and SHA-256 in config.yaml and node.js.", []),
        ("Reach us at status.example.com", []),
        ("See https://status.example.com/incidents/1 for details.", []),
        ("Mail sam@example.com", ["sam@example.com"]),
        ("Errors on web-01.", ["web-01"]),
        ("Pool exhausted on payments_db.internal", ["payments_db.internal"]),
        ("payments_db-3 ran out of disk", ["payments_db-3"]),
        ("Web-01 ran out of disk.", ["Web-01"]),
        ("Host db.prod.internal and 2001:db8::7 and 192.168.0.0/16.", ["db.prod.internal", "2001:db8::7", "192.168.0.0/16"]),
        # Leading zeros: still an address to whoever reads it.
        ("Pinned to 10.0.0.05 and 010.001.000.007; 300.1.1.1 is none", ["10.0.0.05", "010.001.000.007"]),
        # A prefix no IPv4 network has: the address is there all the same.
        ("Blocked 10.0.0.5/64 and fe80::1/129 at the edge", ["10.0.0.5/64", "fe80::1/129"]),
        ("Tracked in OPS-814 and https://tracker.example.net/OPS-9", ["OPS-814", "https://tracker.example.net/OPS-9"]),
        ("Priya Raman and DANA looked into it.", ["Priya Raman", "DANA"]),
        # A whole name in any case and spacing; its parts as written.
        ("priya raman and SAM  LINDQVIST looked into it.", ["priya raman", "SAM  LINDQVIST"]),
        # The company's public domain is its internal hosts' too.
        ("db7.corp.example.com and www.example.com", ["db7.corp.example.com"]),
        ("See https://jira.internal.example.com/browse/OPS-1", ["https://jira.internal.example.com/browse/OPS-1"]),
        ("Pods of payments.svc.cluster.local", ["payments.svc.cluster.local"]),
        # A connection string names a host, and can hold a password; so can a host and port.
        ("postgres://app:hunter2@db/payments refused", ["postgres://app:hunter2@db/payments"]),
        ("Lost s3://prod-backups/2026 and redis://cache:6379", ["s3://prod-backups/2026", "redis://cache:6379"]),
        ("The broker kafka-1.prod:9092 and cache:6379 stopped.", ["kafka-1.prod:9092", "cache:6379"]),
        ("At 12:30 UTC (UTC+05:30) a 3:1 ratio; see https://status.example.com:443/x", []),
        # A port is a registered or dynamic one (1024 and up), or one services listen on below
        # (443, 80, 389): otherwise a word and a number after a colon is a status code, a
        # count, a ratio or a file's line.
        ("The api returned status:503, error code:429, rate:5, v2.3:4, a:1 and error:500.", []),
        ("v1.2-rc3:4, config.yaml:42, app.py:1200, sign-in:2, error-rate:5", []),
        ("cache:6379, kafka:9092 and db:5432 were down", ["cache:6379", "kafka:9092", "db:5432"]),
        ("Redis:6379 and mongoDB:27017 were full.", ["Redis:6379", "mongoDB:27017"]),
        ("DB01:5432 and WEB01:8080 filled up", ["DB01:5432", "WEB01:8080"]),
        ("payments-db:443 and api_gateway:80 stalled", ["payments-db:443", "api_gateway:80"]),
        # A quarter of a year, a time and its zone, the unit of what a number measures.
        ("Q3:2024 invoices are unaffected, ETA:1500 UTC, next update:1400 SAST.", []),
        ("CPU:80% on the search nodes, Disk:993 GB, Timeout:3000 ms, Step:22 of 40", []),
        # A real port is no year, no time without a zone, and no measure after a host.
        ("NFS:2049, REDIS:6379 WENT DOWN; cache:6379 UTC", ["NFS:2049", "REDIS:6379", "cache:6379"]),
        ("MSSQL:1433 WENT DOWN", ["MSSQL:1433"]),  # a time, but no zone after it
        ("payments-db:5432 errors climbed", ["payments-db:5432"]),
        # Shaped like a host, a name is one with any port from 10 up: a hyphenated word and a
        # count from 10 up is refused too (reworded, it goes out: "max-age of 60").
        ("smb-share:445 and kerberos-kdc:88 went away", ["smb-share:445", "kerberos-kdc:88"]),
        ("max-age:60", ["max-age:60"]),
        # An error message's colon after the port.
        ("dial tcp payments-db:5432: i/o timeout", ["payments-db:5432"]),
        ("At 12:30 and 9:30am, 3:1 and 16:9, UTC+05:30, on Windows 11.", []),
        # A public host passes with its port, and by a link of any scheme.
        ("status.example.com:8443 and webcal://status.example.com/feed", []),
        ("webcal://cal.internal.example.com/feed", ["webcal://cal.internal.example.com/feed"]),
        # A user name or password in a link goes nowhere, whatever the host.
        ("See https://token@status.example.com/x", ["https://token@status.example.com/x"]),
        ("See https://bot:s3cret@www.example.com/x", ["https://bot:s3cret@www.example.com/x"]),
        ("ftp://anonymous@ftp.example.com/pub", ["ftp://anonymous@ftp.example.com/pub"]),
        ("A browser reads https://evil.net\\@status.example.com/", ["https://evil.net\\@status.example.com/"]),
        ("See https://status.example.com/people/@team?by=a@b", []),
        # A link right after a word and a full stop starts at its scheme.
        ("Details.https://status.example.com/incidents/7", []),
        ("Details.https://wiki.corp.example.com/x", ["https://wiki.corp.example.com/x"]),
        # Full-width letters, as an input method types them, and ligatures read as the plain
        # ones; named as written, so that they can be found and rewritten.
        (f"{WIDE_DB_7}.internal ran out of disk", [f"{WIDE_DB_7}.internal"]),
        ("Blocked \uff11\uff10.\uff10.\uff10.\uff15 at the edge", ["\uff11\uff10.\uff10.\uff10.\uff15"]),
        ("Caches on db-7.internal and \uff44\uff42-8.internal", ["db-7.internal", "\uff44\uff42-8.internal"]),
        ("Moved the \ufb01les off db-\ufb01.internal", ["db-\ufb01.internal"]),
        ("Checkout is \uff44\uff4f\uff57\uff4e for all users at the caf\u00e9", []),
    ],
)  # fmt: skip
def test_what_counts_as_a_leak(text: str, leaks: list[str]) -> None:
    roster = load_roster(REPO, load_config(REPO))
    found = find_leaks(text, "x", roster, public_domains=["example.com"])
    assert [leak.text for leak in found] == leaks


def test_a_status_code_after_a_colon_goes_out_in_a_public_update(
    archive: Path, run_cli: RunCli
) -> None:
    # It read as a host and its port: "status:503" refused an update that names no host.
    declare(run_cli, archive)
    cause = "The api returned status:503 (error code:429 at a rate:5)."
    public = run_cli(archive, "update", "--audience", "public", "--cause", cause)
    assert public.exit_code == 0, public.output
    assert cause in public.stdout
    refused = run_cli(archive, "update", "--audience", "public", "--cause", "redis:6379 was full")
    assert refused.exit_code == 1
    assert "'redis:6379' (an internal host and port)" in refused.stderr


def test_the_ops_lead_follows_the_source_in_one_change(archive: Path, run_cli: RunCli) -> None:
    declare(run_cli, archive)
    hint = run_cli(archive, "status", "identified", "pool exhausted", "--by", "sam")
    assert hint.exit_code == 0
    assert "team payments owns: hand the Ops Lead role from sam to priya?" in hint.stderr
    assert "(hand it over with: incident assign ops priya)" in hint.stderr
    assert "--yes" not in hint.stdout  # the status changed: run again, it would be refused
    text = (archive / INC_PATH).read_text()
    assert "ops_lead: sam" in text  # a suggestion, not a change, without a terminal or --yes


def test_the_ops_lead_goes_only_to_someone_of_the_roster_as_it_spells_them(
    archive: Path, run_cli: RunCli
) -> None:
    # A member the roster does not list got the role with --yes, and one written in other
    # capitals got it so spelled, where `incident assign` refuses the first and corrects the other.
    roster = archive / "people.yaml"
    text = roster.read_text().replace("members: [jo, priya]", "members: [ghost, MEI]")
    roster.write_text(text.replace("seniors: [jo, priya]", "seniors: []"))
    declare(run_cli, archive)
    moved = run_cli(archive, "status", "identified", "pool exhausted", "--by", "sam", "--yes")
    assert moved.exit_code == 0, moved.output
    assert "hand the Ops Lead role from sam to mei? Yes" in moved.stderr
    text = (archive / INC_PATH).read_text()
    assert "ops_lead: mei\n" in text and "ghost" not in text and "MEI" not in text


@pytest.mark.parametrize(
    ("answers", "lead", "said"),
    [
        # The typo stopped the command: the status change was lost and had to be typed again.
        ("leee\nlee\n", "lee", "did you mean lee?"),
        # "already holds Ops Lead" stopped it too: the current Ops Lead named keeps the role.
        ("sam\n", "sam", ""),
    ],
)
def test_the_ops_lead_answer_at_the_terminal_never_loses_the_status_change(
    archive: Path,
    run_cli: RunCli,
    monkeypatch: pytest.MonkeyPatch,
    answers: str,
    lead: str,
    said: str,
) -> None:
    declare(run_cli, archive)
    monkeypatch.setattr(cli_incident, "_terminal", lambda: True)
    result = run_cli(
        archive, "status", "identified", "pool exhausted", "--by", "sam", input=answers
    )
    assert result.exit_code == 0, result.output
    assert said in result.output
    text = (archive / INC_PATH).read_text()
    assert "status: identified" in text
    assert f"ops_lead: {lead}" in text
    assert ("handoffs:" in text) is (lead != "sam")  # kept the role: no handoff


@pytest.mark.parametrize("given", ["sam", "SAM"])
def test_the_ops_lead_named_with_the_option_keeps_the_role_and_the_status_changes(
    archive: Path, run_cli: RunCli, given: str
) -> None:
    # "already holds Ops Lead" stopped the command, and the status change was lost, although
    # the same answer at the terminal keeps them in the role.
    declare(run_cli, archive)
    result = run_cli(
        archive, "status", "identified", "pool exhausted", "--by", "sam", "--ops-lead", given
    )
    assert result.exit_code == 0, result.output
    text = (archive / INC_PATH).read_text()
    assert "status: identified" in text
    assert "ops_lead: sam" in text
    assert "handoffs:" not in text


def test_an_ops_lead_named_with_another_state_is_refused(archive: Path, run_cli: RunCli) -> None:
    # It was ignored: the status changed and the role did not.
    declare(run_cli, archive)
    before = (archive / INC_PATH).read_bytes()
    result = run_cli(archive, "status", "monitoring", "--ops-lead", "dana", "--by", "sam")
    assert result.exit_code == 2 and "incident assign ops dana" in result.stderr
    assert (archive / INC_PATH).read_bytes() == before


def test_yes_takes_the_suggested_ops_lead(archive: Path, run_cli: RunCli) -> None:
    declare(run_cli, archive)
    result = run_cli(archive, "status", "identified", "pool exhausted", "--by", "sam", "--yes")
    assert result.exit_code == 0, result.output
    text = (archive / INC_PATH).read_text()
    assert "ops_lead: priya" in text and "role: ops_lead" in text
    assert "**handoff** by sam: Ops Lead handed from sam to priya." in text
    assert "**status** by sam: Identified: pool exhausted" in text
    assert json.loads(run_cli(archive, "lint", "--format", "json").stdout)["diagnostics"] == []


def test_at_a_terminal_the_suggestion_is_one_question(
    archive: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    declare(run_cli, archive)
    monkeypatch.setattr(cli_incident, "_terminal", lambda: True)
    result = run_cli(archive, "status", "identified", "pool", "--by", "sam", input="jo\n")
    assert result.exit_code == 0, result.output
    assert "ops_lead: jo" in (archive / INC_PATH).read_text()
    assert "Handle to hand it to, or 'no' [priya]" in result.stderr
    [shown] = result.stdout.splitlines()  # the question is on standard error
    assert shown.endswith(INC_PATH)


def test_the_draft_carries_who_was_hurt_and_stats_count_it(archive: Path, run_cli: RunCli) -> None:
    declare(run_cli, archive)
    assert run_cli(archive, "resolve", "-m", "Pool raised.", "--by", "sam").exit_code == 0
    assert run_cli(archive, "postmortem", INC).exit_code == 0
    draft = (archive / "postmortems" / f"PM-{INC.removeprefix('INC-')}.md").read_text()
    impact = draft.split("## Impact", 1)[1].split("\n## ", 1)[0]
    assert "- Users: Card payments fail for about a third of shoppers" in impact
    stats = json.loads(run_cli(archive, "stats", "--format", "json").stdout)
    assert stats["by_audience"] == {"users": 1, "stakeholders": 1, "company": 0}
    assert stats["by_month_and_audience"] == {
        "2024-05": {"users": 1, "stakeholders": 1, "company": 0}
    }


@pytest.mark.slow
def test_the_dashboard_card_and_metrics_show_who_is_hurt(tmp_path: Path) -> None:
    example = copy_archive(tmp_path / "example")
    only_christmas(example)
    site = build_site(example)
    card = page(site, "incidents/INC-2022-12-25-corrupt-image-crash-loop")
    hurt = card.split("<dt>Who is hurt</dt>", 1)[1].split("</dd>", 1)[0]
    assert "users</span> The web shop returned errors" in hurt
    metrics = page(site, "metrics")
    who = metrics.split('id="who-was-hurt"', 1)[1]
    assert "<th>users</th>" in who and "<td>2022-12</td><td>1</td><td>1</td><td>0</td>" in who


@pytest.mark.parametrize("written", ['"*.example.com"', '".example.com"', '"Example.COM."'])
def test_a_public_domain_written_as_a_wildcard_or_with_capitals_still_counts(
    archive: Path, run_cli: RunCli, written: str
) -> None:
    # It was compared as written, so it matched no name and allowed nothing.
    pyproject = archive / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text() + f"\n[tool.incident-docs.updates]\npublic-domains = [{written}]\n"
    )
    declare(run_cli, archive)
    cause = "A fault; see https://status.example.com/incidents/7"
    public = run_cli(archive, "update", "--audience", "public", "--cause", cause)
    assert public.exit_code == 0, public.output
    assert "https://status.example.com/incidents/7" in public.stdout


@pytest.mark.parametrize(
    "written", ['"https://status.example.com"', '"example.com/status"', '""', '"a b.com"']
)
def test_a_public_domain_that_is_no_domain_is_a_configuration_error(
    archive: Path, run_cli: RunCli, written: str
) -> None:
    pyproject = archive / "pyproject.toml"
    text = pyproject.read_text() + "\n[tool.incident-docs.updates]\n"
    line = text.count("\n") + 1
    pyproject.write_text(text + f'public-domains = ["example.net", {written}]\n')
    result = run_cli(archive, "update", "--audience", "public")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"incident: error: pyproject.toml:{line}: ")
    assert "public-domains.1: " in result.stderr and "is not a domain" in result.stderr
    assert len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ('"192.168.1.1"', "'192.168.1.1' is an IP address, not a domain"),
        ('"10.0.0.0"', "'10.0.0.0' is an IP address, not a domain"),
        ('"com"', "'com' is not a domain of its own"),
        ('"*.com"', "'*.com' is not a domain of its own"),
        ('"localhost"', "'localhost' is not a domain of its own"),
    ],
)
def test_a_public_domain_that_is_an_address_or_a_single_label_is_refused(
    archive: Path, run_cli: RunCli, written: str, said: str
) -> None:
    # "com" let every link to a .com name out; an address is never to be named.
    pyproject = archive / "pyproject.toml"
    text = pyproject.read_text() + "\n[tool.incident-docs.updates]\n"
    line = text.count("\n") + 1
    pyproject.write_text(text + f'public-domains = ["example.net", {written}]\n')
    result = run_cli(archive, "update", "--audience", "public")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"incident: error: pyproject.toml:{line}: ")
    assert "public-domains.1: " in result.stderr and said in result.stderr
    assert len(result.stderr.splitlines()) == 1
