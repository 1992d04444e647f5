"""Declaring, handing off, logging and changing status, as pure functions with a fixed clock."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from incident_docs.diagnostics import UsageError
from incident_docs.handoffs import replay_roles
from incident_docs.inputs import (
    match_severity,
    parse_action,
    parse_criteria,
    parse_duration,
    parse_moment,
    parse_role,
    parse_status,
)
from incident_docs.lifecycle import (
    Change,
    assign,
    change_status,
    declare,
    harm_text,
    incident_title,
    log_entry,
    new_id,
    recommendation,
    reopen,
    resolve,
    slugify,
    suggest_severity,
)
from incident_docs.models import (
    Criteria,
    EntryKind,
    Incident,
    IncidentStatus,
    MitigationAction,
    Role,
    TimelineEntry,
)
from incident_docs.reports import (
    ENTRY_LENGTH,
    incident_lines,
    postmortem_draft,
    stakeholder_update,
)
from incident_docs.templates import is_empty

T0 = datetime(2024, 5, 2, 10, 0, tzinfo=UTC)
SEVERITIES = ("SEV1", "SEV2", "SEV3", "SEV4")


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def incident(**changes: object) -> Incident:
    declared = declare(
        incident_id="INC-2024-05-02-api-errors",
        title="API errors",
        severity="SEV2",
        criteria=Criteria(user_facing=True),
        by="sam",
        at=T0,
    )
    return Incident.model_validate({**declared.front_matter, **changes})


def applied(record: Incident, change: Change) -> Incident:
    """The record as the store would leave it after the change (sets and appends)."""
    data = record.model_dump(by_alias=True)
    for path, value in change.sets:
        target: Any = data
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value
    for key, position, item in change.inserts:
        data[key] = [*data[key][:position], item, *data[key][position:]]
    for key in change.removes:
        data.pop(key, None)
    for key, item in change.appends:
        data[key] = [*data.get(key, ()), item]
    return Incident.model_validate(data)


# --- IDs and parsing -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Checkout is DOWN!", "checkout-is-down"),
        ("Café  crème — ümlauts", "cafe-creme-umlauts"),
        # Letters with no mark to drop are spelled, not dropped.
        ("Tromsø DC: Łódź links down, Straße", "tromso-dc-lodz-links-down-strasse"),
        ("Ærø ØRESUND þing", "aero-oresund-thing"),
        ("../../etc/passwd", "etc-passwd"),
        ("日本語", "incident"),
        ("a" * 80, "a" * 50),
        ("word " * 20, "-".join(["word"] * 10)),
    ],
)
def test_slugs_are_short_lowercase_ascii(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_an_id_that_is_taken_gets_a_number_not_the_next_highest() -> None:
    day = date(2024, 5, 2)
    first = new_id("INC", day, "API errors", [])
    assert first == "INC-2024-05-02-api-errors"
    assert new_id("INC", day, "API errors", [first]) == first + "-2"
    assert new_id("INC", day, "API errors", [first, first + "-2"]) == first + "-3"


def test_a_title_ascii_cannot_spell_is_named_after_the_services() -> None:
    day = date(2024, 5, 2)
    assert new_id("INC", day, "決済の障害", [], ["payments", "checkout"]) == (
        "INC-2024-05-02-payments-checkout-c24c3d"
    )
    assert new_id("INC", day, "Сбой оплаты", []) == "INC-2024-05-02-incident-82a3f2"
    assert new_id("INC", day, "Сбой 2", [], ["payments"]) == "INC-2024-05-02-payments-2-f8ad79"
    assert new_id("INC", day, "503", []) == "INC-2024-05-02-incident-503"


def test_titles_ascii_cannot_spell_get_ids_two_branches_do_not_share() -> None:
    # Declared the same day on two branches, without a service: "-incident" on both before.
    day = date(2024, 5, 2)
    payments = new_id("INC", day, "Сбой оплаты", [])
    login = new_id("INC", day, "فشل تسجيل الدخول", [])
    assert payments != login
    assert re.fullmatch(r"INC-2024-05-02-incident-[0-9a-f]{6}", login)
    assert new_id("INC", day, " Сбой  оплаты ", []) == payments  # the title as it reads
    assert new_id("INC", day, "決済の障害", [], ["payments"]) != (
        new_id("INC", day, "決済の遅延", [], ["payments"])
    )


def test_naive_times_are_refused_and_relative_times_count_back_from_now() -> None:
    now = at(60)
    with pytest.raises(UsageError, match="no UTC offset"):
        parse_moment("2024-05-02T10:00:00", now)
    with pytest.raises(UsageError, match="in the future"):
        parse_moment("2024-05-02T12:00:00Z", now)
    with pytest.raises(UsageError, match="not a time"):
        parse_moment("yesterday-ish", now)
    assert parse_moment("-15m", now) == at(45)
    assert parse_moment("1h ago", now) == T0
    assert parse_moment("2024-05-02T12:30:00+02:00", now) == at(30)
    # A record's offset is +HH:MM: one with seconds was written and then refused by lint.
    for offset in ("+05:45:30", "+00:00:01", "-03:30:00.5"):
        with pytest.raises(UsageError, match="seconds in its UTC offset"):
            parse_moment("2024-05-02T10:00:00" + offset, now)
    assert parse_moment("2024-05-02T10:00:00+00:00:00", now) == at(0)


def test_a_time_refused_gets_an_example_that_is_accepted_and_names_the_option() -> None:
    now = at(60)
    with pytest.raises(UsageError) as refused:
        parse_moment("2024-05-02", now)
    example = str(refused.value).partition("e.g. ")[2].partition(")")[0]
    assert example == "2024-05-02T00:00:00Z"
    assert parse_moment(example, now) == datetime(2024, 5, 2, tzinfo=UTC)
    for text in ("-1d", "2 days ago"):
        with pytest.raises(UsageError, match=f"--at '{text}' is not a time"):
            parse_moment(text, now)


@pytest.mark.parametrize("text", ["3000-01-01", "1969-12-31T23:00"])
def test_a_time_with_no_offset_out_of_range_is_refused_as_out_of_range(text: str) -> None:
    # It was told to add 'Z' (e.g. 3000-01-01T00:00:00Z), which was then refused as well.
    with pytest.raises(UsageError, match=f"--at '{text}' is not a plausible time"):
        parse_moment(text, at(60))


@pytest.mark.parametrize(
    "text",
    [
        "-99999999999m",
        "99999999999h ago",
        "-9000000h",
        "0001-01-01T00:00:00Z",
        "1969-12-31T23:59:59Z",
    ],
)
def test_moments_outside_1970_to_2999_are_refused_not_overflowed(text: str) -> None:
    with pytest.raises(UsageError, match="between 1970 and 2999"):
        parse_moment(text, at(60))


@pytest.mark.parametrize("text", ["99999999999h", "99999999999", "9000000h", "1h99999999999m"])
def test_absurd_durations_are_refused_not_overflowed(text: str) -> None:
    with pytest.raises(UsageError, match="too long"):
        parse_duration(text)
    assert parse_duration("48h") == timedelta(hours=48)


def test_forgiving_spellings() -> None:
    assert parse_role("IC") is Role.INCIDENT_COMMANDER
    assert parse_role("comms") is Role.COMMUNICATIONS_LEAD
    assert parse_role("ops_lead") is Role.OPS_LEAD
    assert parse_action("redirect") is MitigationAction.REDIRECT_TRAFFIC
    assert parse_action("Scale_Up") is MitigationAction.SCALE_UP
    assert parse_status("mon") is IncidentStatus.MONITORING
    assert match_severity("sev1", SEVERITIES) == "SEV1"
    assert match_severity("2", SEVERITIES) == "SEV2"
    assert parse_duration("1h30m") == timedelta(minutes=90)
    assert parse_duration("45") == timedelta(minutes=45)
    criteria = parse_criteria(["user_facing", "Data-Lost,multiple-teams"])
    assert (criteria.user_facing, criteria.data_lost, criteria.multiple_teams) == (True,) * 3
    for bad in (lambda: parse_role("boss"), lambda: parse_criteria(["bored"])):
        with pytest.raises(UsageError):
            bad()


# --- declaring -----------------------------------------------------------------------------------


def test_severity_follows_the_answers() -> None:
    assert suggest_severity(Criteria(data_exposed=True), SEVERITIES) == "SEV1"
    assert suggest_severity(Criteria(user_facing=True, multiple_teams=True), SEVERITIES) == "SEV2"
    assert suggest_severity(Criteria(user_facing=True), SEVERITIES) == "SEV3"
    assert suggest_severity(Criteria(manual_response=True), SEVERITIES) == "SEV4"
    assert suggest_severity(Criteria(user_facing=True), ("P1", "P2")) == "P2"


def test_no_yes_still_says_declaring_early_is_cheap() -> None:
    assert "Declare:" in recommendation(Criteria(data_lost=True))
    assert "Declaring early is cheap" in recommendation(Criteria())


def test_the_declarer_holds_every_role_and_the_first_entry_is_the_declaration() -> None:
    record = incident()
    assert {getattr(record.roles, r.value) for r in Role} == {"sam"}
    declared = declare(
        incident_id="INC-2024-05-02-x",
        title="  x  ",
        severity="SEV3",
        criteria=Criteria(),
        by="sam",
        at=T0,
    )
    assert declared.entry.kind is EntryKind.STATUS and declared.entry.time == T0
    assert "Declared SEV3" in declared.entry.text
    with pytest.raises(UsageError, match="title"):
        declare(
            incident_id="INC-2024-05-02-x",
            title=" ",
            severity="SEV3",
            criteria=Criteria(),
            by="sam",
            at=T0,
        )


# --- roles ---------------------------------------------------------------------------------------


def test_handing_off_command_takes_undelegated_roles_along() -> None:
    record = applied(incident(), assign(incident(), Role.OPS_LEAD, "dana", by="sam", at=at(5)))
    change = assign(record, Role.INCIDENT_COMMANDER, "lee", by="sam", at=at(10))
    after = applied(record, change)
    assert after.roles.incident_commander == "lee"
    assert after.roles.communications_lead == "lee"  # never delegated: moved with command
    assert after.roles.ops_lead == "dana"  # delegated: stays
    assert "with Communications Lead" in change.entries[0].text
    assert replay_roles(after).problems == ()
    history = [(t.role, t.holder, t.start, t.end) for t in replay_roles(after).tenures]
    assert (Role.OPS_LEAD, "sam", T0, at(5)) in history
    assert (Role.INCIDENT_COMMANDER, "lee", at(10), None) in history


def test_a_handoff_cannot_go_to_the_holder_or_before_the_declaration() -> None:
    record = applied(incident(), assign(incident(), Role.OPS_LEAD, "dana", by="sam", at=at(5)))
    with pytest.raises(UsageError, match="already holds"):
        assign(record, Role.OPS_LEAD, "Dana", by="sam", at=at(6))
    with pytest.raises(UsageError, match="before the incident was declared"):
        assign(incident(), Role.OPS_LEAD, "dana", by="sam", at=at(-1))


def test_a_backfilled_handoff_goes_into_the_history_in_time_order() -> None:
    record = applied(incident(), assign(incident(), Role.OPS_LEAD, "dana", by="sam", at=at(5)))
    change = assign(record, Role.COMMUNICATIONS_LEAD, "lee", by="sam", at=at(4))
    assert change.inserts == (
        ("handoffs", 0, {"at": at(4), "role": "communications_lead", "from": "sam", "to": "lee"}),
    )
    done = applied(record, change)
    assert [h.at for h in done.handoffs] == [at(4), at(5)]
    assert not replay_roles(done).problems
    # Earlier than a handoff of the same role, it would make that one come from the wrong person.
    with pytest.raises(UsageError, match=r"after .*: a handoff before it would change who"):
        assign(record, Role.OPS_LEAD, "jo", by="sam", at=at(3))


# --- timeline and status -------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "  \n ", "\u200b", "\u200d \u2060\ufeff", "\u200e"])
def test_an_entry_that_shows_nothing_is_refused(text: str) -> None:
    # A zero-width space alone would be a timeline line that reads as empty everywhere.
    with pytest.raises(UsageError, match="nothing to log"):
        log_entry(incident(), EntryKind.NOTE, text, by="sam", at=at(5))


@pytest.mark.parametrize("text", ["\u200b", "\u200d \u2060\ufeff", "\u200e"])
def test_a_title_summary_or_reason_that_shows_nothing_is_refused_as_an_empty_one(
    text: str,
) -> None:
    # As `log` refuses such an entry: a title, a summary or a reason that reads as empty.
    with pytest.raises(UsageError, match="needs a title"):
        incident_title(text)
    with pytest.raises(UsageError, match="needs a summary"):
        resolve(incident(), text, by="sam", at=at(40))
    done = applied(incident(), resolve(incident(), "Fixed.", by="sam", at=at(40)))
    with pytest.raises(UsageError, match="say why it is reopened"):
        reopen(done, text, by="sam", at=at(50))


@pytest.mark.parametrize("text", ["\u200b", "\u200d \u2060\ufeff"])
def test_a_harm_or_a_status_note_that_shows_nothing_is_none(text: str) -> None:
    with pytest.raises(UsageError, match="the harm to users shows nothing"):
        harm_text("users", text)
    change = change_status(incident(), IncidentStatus.IDENTIFIED, by="sam", at=at(20), note=text)
    assert [entry.text for entry in change.entries] == ["Identified."]


def test_a_mitigation_names_its_action_and_the_first_in_time_sets_mitigated_at() -> None:
    with pytest.raises(UsageError, match="names its action"):
        log_entry(incident(), EntryKind.MITIGATION, "rolled back", by="sam", at=at(5))
    with pytest.raises(UsageError, match="mitigations only"):
        log_entry(
            incident(), EntryKind.NOTE, "x", by="sam", at=at(5), action=MitigationAction.OTHER
        )
    with pytest.raises(UsageError, match="incident status"):
        log_entry(incident(), EntryKind.STATUS, "x", by="sam", at=at(5))
    first = log_entry(
        incident(),
        EntryKind.MITIGATION,
        "rolled back",
        by="sam",
        at=at(5),
        action=MitigationAction.ROLLBACK,
    )
    assert first.sets == ((("mitigated_at",), at(5)),)
    again = log_entry(
        incident(mitigated_at=at(5)),
        EntryKind.MITIGATION,
        "scaled",
        by="sam",
        at=at(9),
        action=MitigationAction.SCALE_UP,
    )
    assert again.sets == ()
    # Logged late with an earlier time, it is the first mitigation: time to mitigate is
    # measured from it.
    backfilled = log_entry(
        incident(mitigated_at=at(9)),
        EntryKind.MITIGATION,
        "rolled back (logged late)",
        by="sam",
        at=at(5),
        action=MitigationAction.ROLLBACK,
    )
    assert backfilled.sets == ((("mitigated_at",), at(5)),)
    # Never before the incident was detected, which lint would refuse (FM007).
    early = log_entry(
        incident(started_at=at(1), detected_at=at(4), mitigated_at=at(9)),
        EntryKind.MITIGATION,
        "scaled up early",
        by="sam",
        at=at(3),
        action=MitigationAction.SCALE_UP,
    )
    assert early.sets == () and "before the incident started or was detected" in early.notes[0]


def test_status_follows_the_state_machine() -> None:
    record = incident()
    change = change_status(record, IncidentStatus.IDENTIFIED, by="sam", at=at(20), note="typo")
    assert change.entries[0].text == "Identified: typo"
    identified = applied(record, change)
    with pytest.raises(UsageError, match="cannot go from identified to investigating"):
        change_status(identified, IncidentStatus.INVESTIGATING, by="sam", at=at(30))
    with pytest.raises(UsageError, match="cannot be before"):
        change_status(identified, IncidentStatus.MONITORING, by="sam", at=at(10))
    done = applied(identified, resolve(identified, "Fixed the typo.", by="sam", at=at(40)))
    assert done.resolved_at == at(40) and done.summary == "Fixed the typo."
    assert [c.status for c in done.status_history][-1] is IncidentStatus.RESOLVED
    with pytest.raises(UsageError, match="is resolved; if it is not over, reopen it"):
        change_status(done, IncidentStatus.MONITORING, by="sam", at=at(50))


def test_an_incident_cannot_be_resolved_before_a_role_was_handed_off() -> None:
    record = incident()
    handed = applied(record, assign(record, Role.COMMUNICATIONS_LEAD, "lee", by="sam", at=at(60)))
    with pytest.raises(UsageError, match="a role was handed off later"):
        resolve(handed, "Fixed.", by="sam", at=at(45))
    with pytest.raises(UsageError, match="a role was handed off later"):
        change_status(handed, IncidentStatus.RESOLVED, by="sam", at=at(59))
    done = applied(handed, resolve(handed, "Fixed.", by="sam", at=at(60)))
    assert done.resolved_at == at(60)


def test_a_reopened_incident_is_investigated_again_and_its_history_says_why() -> None:
    record = incident()
    done = applied(record, resolve(record, "Fixed.", by="sam", at=at(40)))
    with pytest.raises(UsageError, match="roles do not change once an incident has ended"):
        assign(done, Role.OPS_LEAD, "dana", by="sam", at=at(45))
    note = log_entry(done, EntryKind.NOTE, "Late finding.", by="sam", at=at(45)).notes
    assert any("is resolved: the entry is added" in n for n in note)
    with pytest.raises(UsageError, match="before it was resolved"):
        reopen(done, "errors are back", by="sam", at=at(30))
    change = reopen(done, "errors are back", by="sam", at=at(50))
    assert change.removes == ("resolved_at",)
    assert change.entries[0].text == "Reopened: errors are back"
    again = applied(done, change)
    assert again.status is IncidentStatus.INVESTIGATING
    assert [c.status.value for c in again.status_history][-2:] == ["resolved", "investigating"]
    with pytest.raises(UsageError, match="not resolved: nothing to reopen"):
        reopen(again, "twice", by="sam", at=at(60))


# --- reports -------------------------------------------------------------------------------------


def entries() -> list[TimelineEntry]:
    return [
        TimelineEntry(T0, EntryKind.STATUS, "sam", "Declared."),
        TimelineEntry(
            at(5), EntryKind.MITIGATION, "dana", "Rolled back.", MitigationAction.ROLLBACK
        ),
    ]


def test_the_stakeholder_update_says_status_impact_work_and_next_time() -> None:
    text = stakeholder_update(
        incident(services=("api",)),
        entries(),
        now=at(10),
        next_update=timedelta(minutes=30),
        markdown=False,
    )
    assert "Status: Investigating since 10:00 UTC" in text
    assert "Impact: Users of api are affected." in text
    assert "hands-on" not in text and "several teams" not in text  # the response, not impact
    assert "Affected services: api" in text
    assert "Mitigations so far:\n  - 10:05 UTC (rollback): Rolled back." in text
    assert "Next update: by 10:40 UTC (in 30 minutes)" in text
    assert "**" not in text
    assert "- **Status:**" in stakeholder_update(
        incident(), entries(), now=at(10), next_update=timedelta(minutes=30)
    )


def test_an_update_reports_everything_since_the_last_one_with_the_cause() -> None:
    record = incident(services=("api",))
    log = [
        *entries(),
        TimelineEntry(at(6), EntryKind.ACTION, "dana", "Paged the database on-call."),
        TimelineEntry(at(7), EntryKind.COMMS, "lee", "Stakeholder update sent: status x."),
        TimelineEntry(at(8), EntryKind.STATUS, "sam", "Identified: a typo in the deploy config."),
        TimelineEntry(at(9), EntryKind.ACTION, "dana", "Fixed the typo."),
        TimelineEntry(at(9), EntryKind.DECISION, "sam", "Keep the canary at 5%."),
        TimelineEntry(at(9), EntryKind.ACTION, "jo", "Purged the cache."),
    ]
    text = stakeholder_update(
        record, log, now=at(10), next_update=timedelta(minutes=30), markdown=False
    )
    assert "Cause: a typo in the deploy config." in text
    actions = text.split("Actions since the last update (10:07 UTC):\n", 1)[1]
    assert actions.startswith("  - 10:09 UTC: Fixed the typo.\n  - 10:09 UTC: Purged the cache.")
    assert "Decisions since the last update (10:07 UTC):\n  - 10:09 UTC: Keep the canary" in text
    assert "Paged the database" not in text and "Rolled back" not in text  # sent before


@pytest.mark.parametrize(
    ("status", "doing"),
    [
        ("investigating", "investigating the cause."),
        ("identified", "working on a fix."),
        ("monitoring", "watching the fix."),
    ],
)
def test_an_update_with_no_new_work_says_what_the_status_says(status: str, doing: str) -> None:
    record = incident(status=status)
    log = [
        *entries(),
        TimelineEntry(at(6), EntryKind.STATUS, "sam", "Identified: a typo in the deploy config."),
        TimelineEntry(at(7), EntryKind.COMMS, "lee", "Stakeholder update sent: status x."),
    ]
    text = stakeholder_update(
        record, log, now=at(10), next_update=timedelta(minutes=30), markdown=False
    )
    assert f"Work since the last update (10:07 UTC): none logged; {doing}\n" in text
    first = stakeholder_update(record, [], now=at(10), next_update=timedelta(minutes=30))
    assert f"- **Work so far:** none logged; {doing}\n" in first


def test_text_from_the_record_cannot_start_a_line_of_the_update() -> None:
    record = incident(
        status="resolved", resolved_at=at(30), summary="Fixed.\n\nStatus: Investigating again"
    )
    text = stakeholder_update(
        record, entries(), now=at(40), next_update=timedelta(minutes=30), markdown=False
    )
    assert "\nSummary: Fixed. Status: Investigating again\n" in text
    assert "\nStatus: Investigating" not in text


def test_an_update_lists_the_latest_work_and_shortens_long_text() -> None:
    record = incident(services=("api",))
    log = [
        TimelineEntry(at(n), EntryKind.ACTION, "dana", f"Step {n}. " + "word " * 100)
        for n in range(1, 9)
    ]
    text = stakeholder_update(
        record, log, now=at(10), next_update=timedelta(minutes=30), markdown=False
    )
    listed = text.split("Actions so far:\n", 1)[1].split("\nRoles:", 1)[0].splitlines()
    assert [line.split(": ", 1)[1][:7] for line in listed[:5]] == [
        f"Step {n}." for n in range(4, 9)
    ]
    assert listed[5] == "  - and 3 earlier: see the record"
    assert all(len(line) < ENTRY_LENGTH + 40 and line.endswith("word…") for line in listed[:5])


def test_an_update_dates_its_times_when_the_incident_spans_days() -> None:
    text = stakeholder_update(
        incident(), entries(), now=T0 + timedelta(days=1, hours=2), next_update=timedelta(hours=1),
        markdown=False,
    )  # fmt: skip
    assert f"Status: Investigating since {T0:%Y-%m-%d} 10:00 UTC" in text
    assert f"by {T0 + timedelta(days=1):%Y-%m-%d} 13:00 UTC" in text


def test_an_update_dates_work_done_on_another_day_than_the_rest() -> None:
    # Declared just after midnight; the rollback, backfilled, was just before it.
    record = incident(declared_at=T0.replace(hour=0, minute=10), status_history=[])
    rollback = TimelineEntry(
        T0.replace(hour=0) - timedelta(minutes=10), EntryKind.MITIGATION, "sam",
        "Rolled back.", action=MitigationAction.ROLLBACK,
    )  # fmt: skip
    text = stakeholder_update(
        record, [rollback], now=T0, next_update=timedelta(minutes=30), markdown=False
    )
    assert "2024-05-01 23:50 UTC (rollback): Rolled back." in text
    assert "Investigating since 2024-05-02 00:10 UTC" in text


def test_the_postmortem_draft_fills_what_the_record_knows() -> None:
    record = incident(resolved_at=at(40), status="resolved")
    sections = ("Summary", "Impact", "Timeline", "Responders", "Action items")
    draft = postmortem_draft(
        record, entries(), ["- line one", "- line two"], sections=sections, authors=["sam"]
    )
    assert draft.front_matter["id"] == "PM-2024-05-02-api-errors"
    assert draft.front_matter["incidents"] == ["INC-2024-05-02-api-errors"]
    assert draft.front_matter["impact"]["duration"] == "PT40M"
    body = draft.body
    for title in sections:
        assert f"\n## {title}\n" in body
    assert "- line one\n- line two" in body
    # Resolved: nobody holds a role "from" a time on, as `incident show` says.
    assert "- Incident Commander: sam (2024-05-02T10:00:00Z to 2024-05-02T10:40:00Z)" in body
    assert "- Also responded: dana" in body
    impact = body.split("## Impact")[1].split("##")[0]
    assert is_empty(impact) and "Was data lost? no." in impact


def test_a_role_handed_off_after_the_resolution_is_no_span_that_ends_before_it_starts() -> None:
    """Written in by hand (the commands refuse it): "dana (10:50 to 10:40)" reads backwards."""
    handoffs = [
        {"at": at(50), "role": role, "from": "sam", "to": "dana"}
        for role in ("incident_commander", "communications_lead")
    ]
    roles = {"incident_commander": "dana", "communications_lead": "dana", "ops_lead": "sam"}
    record = incident(resolved_at=at(40), status="resolved", handoffs=handoffs, roles=roles)
    draft = postmortem_draft(record, [], [], sections=("Responders",), authors=["sam"])
    assert (
        "- Incident Commander: sam (2024-05-02T10:00:00Z to 2024-05-02T10:50:00Z), "
        "dana (from 2024-05-02T10:50:00Z, after the resolution)\n"
    ) in draft.body
    assert "- Ops Lead: sam (2024-05-02T10:00:00Z to 2024-05-02T10:40:00Z)\n" in draft.body
    shown = incident_lines(record, [], "incidents/INC.md")
    assert (
        "  Incident Commander  dana from 2024-05-02T10:50:00Z (after the resolution at "
        "2024-05-02T10:40:00Z)"
    ) in shown


def test_a_one_line_summary_that_reads_as_a_heading_is_a_paragraph_of_the_draft() -> None:
    """As `incident resolve` writes it, and as the incident's own Summary shows it: not a
    heading that ends the draft's Summary."""
    for summary in ("# of users affected was 1200.", "## Impact"):
        record = incident(resolved_at=at(40), status="resolved", summary=summary)
        draft = postmortem_draft(record, [], [], sections=("Summary",), authors=["sam"])
        assert f"## Summary\n\n\\{summary}\n" in draft.body
    record = incident(resolved_at=at(40), status="resolved", summary="### Details")
    draft = postmortem_draft(record, [], [], sections=("Summary",), authors=["sam"])
    assert "## Summary\n\n### Details\n" in draft.body


def test_the_draft_gives_no_impact_duration_for_an_end_before_the_start() -> None:
    """Resolved, as written, before it was declared (lint names that on the incident): a
    negative duration would make the draft itself invalid."""
    record = incident(resolved_at=at(-40), status="resolved")
    draft = postmortem_draft(record, entries(), [], sections=("Summary",), authors=["sam"])
    assert "duration" not in draft.front_matter["impact"]


def test_a_harm_written_over_lines_stays_one_item_of_the_draft() -> None:
    """A line break in the record's value must not start a section or HTML of its own."""
    record = incident(
        resolved_at=at(40),
        status="resolved",
        audiences={"users": "could not log in\n-->\n## Impact\n<script>x</script>"},
    )
    draft = postmortem_draft(record, entries(), [], sections=("Summary", "Impact"), authors=["sam"])
    assert draft.body.count("\n## Impact\n") == 1
    assert "- Users: could not log in --> ## Impact <script>x</script>" in draft.body


def test_text_typed_with_bytes_that_are_not_utf8_is_refused() -> None:
    """At a prompt they arrive as lone surrogates: no record can hold them."""
    with pytest.raises(UsageError, match="bytes that are not valid UTF-8"):
        incident_title("Search \udcff broken")
    with pytest.raises(UsageError, match="bytes that are not valid UTF-8"):
        log_entry(incident(), EntryKind.NOTE, "probe \udcff", by="sam", at=at(5))


def test_a_cause_proved_wrong_is_no_longer_reported() -> None:
    record = incident(services=("api",))
    log = [
        *entries(),
        TimelineEntry(at(6), EntryKind.STATUS, "sam", "Identified: the pool is exhausted."),
        TimelineEntry(at(7), EntryKind.STATUS, "sam", "Monitoring."),
        TimelineEntry(at(8), EntryKind.STATUS, "sam", "Investigating: the theory was wrong."),
    ]
    text = stakeholder_update(record, log, now=at(10), next_update=timedelta(minutes=30))
    assert "Cause" not in text
    log.append(TimelineEntry(at(9), EntryKind.STATUS, "sam", "Identified: a bad flag."))
    text = stakeholder_update(record, log, now=at(10), next_update=timedelta(minutes=30))
    assert "- **Cause:** a bad flag." in text


def test_an_entry_backfilled_to_before_the_last_update_says_when_it_was_logged() -> None:
    change = log_entry(
        incident(), EntryKind.MITIGATION, "Rolled back.", by="dana", at=at(5),
        action=MitigationAction.ROLLBACK, last_update=at(7), now=at(12),
    )  # fmt: skip
    assert change.entries[0].text == "Rolled back. (logged 2024-05-02T10:12:00Z)"
    after = log_entry(
        incident(), EntryKind.NOTE, "Checked.", by="dana", at=at(8), last_update=at(7), now=at(12)
    )
    assert after.entries[0].text == "Checked."  # after the update in the timeline: no note needed


def test_work_backfilled_to_before_the_last_update_is_reported_by_the_next() -> None:
    record = incident(services=("api",))
    log = [
        TimelineEntry(at(5), EntryKind.MITIGATION, "dana", "Rolled back. (logged 2024-05-02T10:12:00Z)", MitigationAction.ROLLBACK, line=19),
        TimelineEntry(at(6), EntryKind.ACTION, "dana", "Paged the database on-call.", line=20),
        TimelineEntry(at(7), EntryKind.COMMS, "lee", "Stakeholder update sent: status x.", line=21),
    ]  # fmt: skip
    text = stakeholder_update(
        record, log, now=at(15), next_update=timedelta(minutes=30), markdown=False
    )
    assert (
        "Mitigations since the last update (10:07 UTC):\n  - 10:05 UTC (rollback): Rolled back. (logged 10:12 UTC)"
        in text
    )
    assert "Paged the database" not in text  # written before that update, which reported it
    log.append(
        TimelineEntry(at(13), EntryKind.COMMS, "lee", "Stakeholder update sent: x.", line=22)
    )
    text = stakeholder_update(record, log, now=at(20), next_update=timedelta(minutes=30))
    assert "Rolled back" not in text  # reported once


@pytest.mark.parametrize(
    "logged",
    [
        "Stakeholder update written: internal, status investigating.",
        "Stakeholder update posted to hooks.slack.com: internal, status investigating.",
        "Stakeholder update sent: internal, status investigating.",  # as it was written before
    ],
)
def test_each_way_an_update_was_logged_is_the_last_update(logged: str) -> None:
    log = [
        *entries(),
        TimelineEntry(at(7), EntryKind.COMMS, "lee", logged),
        TimelineEntry(at(8), EntryKind.ACTION, "dana", "Paged the database on-call."),
    ]
    text = stakeholder_update(incident(), log, now=at(10), next_update=timedelta(minutes=30))
    assert "- **Actions since the last update (10:07 UTC):**" in text
    assert "Rolled back." not in text


def test_work_logged_in_the_second_of_the_last_update_is_reported_next_time() -> None:
    record = incident(services=("api",))
    log = [
        TimelineEntry(at(7), EntryKind.COMMS, "lee", "Stakeholder update sent: status x.", line=20),
        TimelineEntry(at(7), EntryKind.MITIGATION, "dana", "Drained eu-1.", MitigationAction.REDIRECT_TRAFFIC, line=21),
    ]  # fmt: skip
    text = stakeholder_update(record, log, now=at(10), next_update=timedelta(minutes=30))
    assert "Drained eu-1." in text
