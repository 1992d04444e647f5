"""The picture of an incident: phases with durations, markers, role bands, a text alternative."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from incident_docs.config import load_config
from incident_docs.models import (
    EntryKind,
    Incident,
    IncidentStatus,
    MitigationAction,
    Postmortem,
    TimelineEntry,
)
from incident_docs.records import incident_timelines, load_archive
from incident_docs.site.cards import entry_cells
from incident_docs.site.picture import RIGHT, WIDTH, incident_picture
from support.archive import CHRISTMAS, REPO

T0 = datetime(2024, 5, 2, 10, 0, tzinfo=UTC)
AXIS = re.compile(r'class="idocs-chart__axis"[^>]*>([^<]+)</text>')


def christmas() -> tuple[Incident, list[TimelineEntry]]:
    config = load_config(REPO)
    timelines = incident_timelines(load_archive(REPO, config), config)
    return timelines[f"INC-{CHRISTMAS}"]


def incident(**moments: datetime) -> Incident:
    return Incident.model_validate(
        {
            "id": "INC-2024-05-02-x",
            "title": "x",
            "severity": "SEV2",
            "status": "resolved" if "resolved_at" in moments else "investigating",
            "declared_at": moments.pop("declared_at", T0),
            "declared_by": "sam",
            **moments,
            "roles": {"incident_commander": "sam", "communications_lead": "sam", "ops_lead": "sam"},
        }
    )


def test_the_christmas_picture_shows_the_crash_loop_the_search_and_the_fix() -> None:
    record, entries = christmas()
    svg = incident_picture(record, entries)
    assert "<figcaption" in svg and "<svg " in svg and "<script" not in svg
    caption = re.search(r"<figcaption[^>]*>(.*?)</figcaption>", svg)
    assert caption is not None
    text = caption.group(1)
    # Said once: as the picture's description too, a screen reader read it two or three times.
    assert svg.count(text) == 1
    title = re.search(r'<title id="([^"]+)">Timeline of INC-[^<]*, times in UTC</title>', svg)
    assert title is not None
    # The figure by aria-labelledby, the SVG by its <title>: by both, the <title> was its
    # description too.
    assert svg.count("aria-labelledby") == 1
    assert f'<figure class="idocs-picture" tabindex="0" aria-labelledby="{title.group(1)}">' in svg
    assert "impact, not yet detected: 6m" in text
    assert "responding: 2h 4m" in text  # the two hours of searching
    assert "mitigation at 14:40" in text  # the fix
    assert "Ops Lead: sam, then dana" in text
    mitigations = sum(entry.kind is EntryKind.MITIGATION for entry in entries)
    assert mitigations and svg.count("idocs-marker--mitigation") == mitigations


def test_short_and_long_incidents_get_an_axis_they_can_read() -> None:
    short = incident(detected_at=T0, resolved_at=T0 + timedelta(minutes=12))
    labels = AXIS.findall(incident_picture(short, []))
    assert labels and all(re.fullmatch(r"\d\d:\d\d", label) for label in labels)
    long = incident(
        detected_at=T0, mitigated_at=T0 + timedelta(days=2), resolved_at=T0 + timedelta(days=3)
    )
    labels = AXIS.findall(incident_picture(long, []))
    assert labels and all(re.match(r"\d\d [A-Z][a-z]{2}", label) for label in labels)
    assert len(labels) <= 9
    over_new_year = incident(
        declared_at=datetime(2023, 11, 20, tzinfo=UTC),
        resolved_at=datetime(2023, 11, 20, tzinfo=UTC) + timedelta(days=120),
    )
    labels = AXIS.findall(incident_picture(over_new_year, []))
    assert labels and all(re.fullmatch(r"\d\d [A-Z][a-z]{2} 202[34]", label) for label in labels)
    for days in (250, 400, 3 * 365):  # reopened months later: ticks apart, each with its year
        reopened = incident(detected_at=T0, resolved_at=T0 + timedelta(days=days))
        labels = AXIS.findall(incident_picture(reopened, []))
        assert 2 <= len(labels) <= 6, days
        assert all(re.fullmatch(r"\d\d [A-Z][a-z]{2} 20\d\d", label) for label in labels)


def test_an_incident_of_seconds_is_told_in_seconds() -> None:
    # A 30-second incident was "over 1m", each of its 10-second phases "0m".
    blip = incident(
        started_at=T0,
        detected_at=T0 + timedelta(seconds=10),
        declared_at=T0 + timedelta(seconds=10),
        mitigated_at=T0 + timedelta(seconds=20),
        resolved_at=T0 + timedelta(seconds=30),
    )
    svg = incident_picture(blip, [])
    assert "over 30s" in svg
    assert "impact, not yet detected: 10s" in svg and "responding: 10s" in svg
    assert "mitigated, recovering: 10s" in svg and "1m" not in svg


def test_a_picture_over_several_days_names_the_day_of_each_time() -> None:
    # Reopened the next day: "scale-up at 09:00" after "rollback at 10:30" read as going back.
    reopened = incident(
        detected_at=T0, mitigated_at=T0 + timedelta(minutes=30), resolved_at=T0 + timedelta(days=2)
    )
    entries = [
        TimelineEntry(T0 + timedelta(minutes=30), EntryKind.MITIGATION, "sam", "x"),
        TimelineEntry(T0 + timedelta(hours=23), EntryKind.MITIGATION, "sam", "y"),
    ]
    svg = incident_picture(reopened, entries)
    assert "mitigation at 02 May 10:30" in svg and "mitigation at 03 May 09:00" in svg
    # Under a day but over midnight (22:40 to 22:30 UTC, in +01:00 and +02:00): the axis said
    # "00:00", "03:00", … and no day at all.
    berlin = timezone(timedelta(hours=1))
    overnight = incident(
        started_at=datetime(2024, 3, 30, 23, 40, tzinfo=berlin),
        declared_at=datetime(2024, 3, 31, 1, 55, tzinfo=berlin),
        resolved_at=datetime(2024, 4, 1, 0, 30, tzinfo=timezone(timedelta(hours=2))),
    )
    assert "31 Mar" in AXIS.findall(incident_picture(overnight, []))


def test_an_incident_of_seconds_gets_an_axis_across_the_picture() -> None:
    # A 30-second incident took half the picture's width, and its axis had no label at all.
    blip = incident(detected_at=T0, resolved_at=T0 + timedelta(seconds=30))
    svg = incident_picture(blip, [])
    assert AXIS.findall(svg) == [f"10:00:{s:02d}" for s in (5, 10, 15, 20, 25, 30)]
    phases = re.findall(r'class="idocs-phase[^"]*" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"', svg)
    x, width = phases[-1]
    assert float(x) + float(width) == WIDTH - RIGHT
    # Of three seconds: the first tick, 10 seconds on, came after the end and left no label.
    three = incident(detected_at=T0, resolved_at=T0 + timedelta(seconds=3))
    assert AXIS.findall(incident_picture(three, [])) == ["10:00:01", "10:00:02", "10:00:03"]


def test_the_markers_of_an_incident_of_seconds_name_their_second() -> None:
    # Under an axis of 10:00:10, 10:00:20, 10:00:30, every marker said "at 10:00".
    blip = incident(detected_at=T0, resolved_at=T0 + timedelta(seconds=30))
    entries = [
        TimelineEntry(T0 + timedelta(seconds=20), EntryKind.MITIGATION, "sam", "x"),
        TimelineEntry(T0 + timedelta(seconds=30), EntryKind.STATUS, "sam", "Resolved"),
    ]
    svg = incident_picture(blip, entries)
    assert "mitigation at 10:00:20" in svg and "<title>10:00:30 status: Resolved</title>" in svg
    # From a few minutes on, the minute, as the timeline table gives it.
    long = incident(detected_at=T0, resolved_at=T0 + timedelta(minutes=5))
    assert "mitigation at 10:00;" in incident_picture(long, entries)


def test_midnight_is_named_once_on_an_axis_of_seconds() -> None:
    # A minute over midnight: every tick of the minute after it (00:00:10, 00:00:20, …) was
    # labelled "01 Jun", as if each were midnight.
    start = datetime(2024, 5, 31, 23, 59, 40, tzinfo=UTC)
    blip = incident(declared_at=start, resolved_at=start + timedelta(minutes=1))
    labels = AXIS.findall(incident_picture(blip, []))
    assert labels == ["23:59:50", "01 Jun", "00:00:10", "00:00:20", "00:00:30", "00:00:40"]


def test_no_axis_label_runs_off_the_picture() -> None:
    # A tick at the very end of the axis had its label cut: "02 Dec 06:00" showed "02 Dec 06".
    start = datetime(2024, 12, 1, tzinfo=UTC)
    for hours in (6, 30, 24 * 9):
        svg = incident_picture(
            incident(declared_at=start, resolved_at=start + timedelta(hours=hours)), []
        )
        labels = re.findall(r'class="idocs-chart__axis" x="([\d.]+)"[^>]*>([^<]+)</text>', svg)
        assert labels, hours
        for x, label in labels:
            assert float(x) + 6 * len(label) / 2 <= WIDTH, (hours, label)  # 11px: 6px a character


def test_the_last_axis_label_does_not_run_into_the_one_before() -> None:
    # Moved inward from a tick at the end, "03 Dec 06:00" ran into "03 Dec" before it.
    start = datetime(2024, 12, 1, 6, tzinfo=UTC)
    for span in (timedelta(hours=48), timedelta(hours=30), timedelta(seconds=80)):
        svg = incident_picture(incident(declared_at=start, resolved_at=start + span), [])
        labels = re.findall(r'class="idocs-chart__axis" x="([\d.]+)"[^>]*>([^<]+)</text>', svg)
        assert len(labels) > 3, span
        spans = [(float(x) - 3 * len(label), float(x) + 3 * len(label)) for x, label in labels]
        for (_, end), (begin, _) in itertools.pairwise(spans):
            assert end <= begin, (span, labels)


def test_missing_and_backfilled_moments_leave_their_phase_out() -> None:
    backwards = incident(
        detected_at=T0 + timedelta(hours=1), mitigated_at=T0 + timedelta(minutes=30)
    )  # mitigated before declared? no: declared T0, mitigated 10:30, detected 11:00
    svg = incident_picture(backwards, [])
    assert "detected, not yet declared" not in svg  # detected after declared: not drawn
    assert incident_picture(incident(), []) == ""  # one moment: nothing to draw


def test_a_moment_the_record_lacks_joins_its_two_phases() -> None:
    # A postmortem has no declared_at: detection to mitigation was left blank, and the text
    # alternative did not say how long it took.
    postmortem = Postmortem.model_construct(
        id="PM-2024-05-02-x",
        started_at=T0,
        detected_at=T0 + timedelta(minutes=20),
        mitigated_at=T0 + timedelta(hours=1, minutes=20),
        resolved_at=T0 + timedelta(hours=2),
    )
    svg = incident_picture(postmortem, [])
    assert "impact, not yet detected: 20m" in svg
    assert "responding: 1h" in svg and "mitigated, recovering: 40m" in svg
    assert "not yet declared" not in svg
    # No mitigation recorded: declaration to resolution is the response, not "mitigated".
    unmitigated = incident(resolved_at=T0 + timedelta(minutes=45))
    svg = incident_picture(unmitigated, [])
    assert "responding: 45m" in svg and "mitigated" not in svg
    # Detection not known: the start to the declaration claims no detection.
    undetected = incident(
        started_at=T0 - timedelta(minutes=30), resolved_at=T0 + timedelta(hours=1)
    )
    svg = incident_picture(undetected, [])
    assert "impact, not yet declared: 30m" in svg and "not yet detected" not in svg
    # Neither detection nor declaration known: no response is claimed from the start.
    bare = Postmortem.model_construct(
        id="PM-2024-05-02-x", started_at=T0, mitigated_at=T0 + timedelta(hours=2)
    )
    assert "impact: 2h" in incident_picture(bare, []) and "responding" not in incident_picture(
        bare, []
    )


def _entry(minutes: int) -> TimelineEntry:
    return TimelineEntry(T0 + timedelta(minutes=minutes), EntryKind.NOTE, "sam", "x")


def test_an_open_incident_draws_the_phase_it_is_in_up_to_its_last_entry() -> None:
    # Nothing was drawn after the last key moment: an incident still investigating had an
    # empty phase bar, and one being monitored ended at its mitigation.
    investigating = incident()
    svg = incident_picture(investigating, [_entry(50)])
    assert "responding so far: 50m" in svg and "idocs-phase--open" in svg
    monitoring = incident(mitigated_at=T0 + timedelta(minutes=30)).model_copy(
        update={"status": "monitoring"}
    )
    svg = incident_picture(monitoring, [_entry(40), _entry(90)])
    assert "responding: 30m" in svg and "mitigated, recovering so far: 1h" in svg
    assert svg.count("idocs-phase--open") == 1
    # Nothing after the last key moment, a resolved incident: no open phase.
    assert "so far" not in incident_picture(monitoring, [_entry(10)])
    resolved = incident(resolved_at=T0 + timedelta(hours=1))
    assert "so far" not in incident_picture(resolved, [_entry(120)])
    history = [
        {"status": "investigating", "at": T0},
        {"status": "resolved", "at": T0 + timedelta(minutes=40)},
        {"status": "investigating", "at": T0 + timedelta(minutes=60)},
    ]
    reopened = incident(mitigated_at=T0 + timedelta(minutes=30)).model_copy(
        update={"status_history": Incident.model_validate(
            {**incident().model_dump(), "status_history": history}
        ).status_history}
    )  # fmt: skip
    # Reopened: drawn as resolved at its first resolution, then responding since the reopening
    # (nothing was drawn after the mitigation, as if the incident had stopped there).
    svg = incident_picture(reopened, [_entry(90)])
    assert "mitigated, recovering: 10m" in svg and "reopened, responding so far: 30m" in svg
    assert svg.count("idocs-phase--open") == 1
    never_mitigated = reopened.model_copy(update={"mitigated_at": None})
    svg = incident_picture(never_mitigated, [_entry(90)])
    assert "responding: 40m" in svg and "reopened, responding so far: 30m" in svg
    assert "so far" not in incident_picture(reopened, [_entry(50)])  # nothing since reopening
    # Whatever the status: monitored with no mitigation recorded, still responding; mitigated
    # while the cause is worked on (identified), recovering.
    unmitigated = incident().model_copy(update={"status": IncidentStatus.MONITORING})
    assert "responding so far: 1h" in incident_picture(unmitigated, [_entry(60)])
    identified = incident(mitigated_at=T0 + timedelta(minutes=30)).model_copy(
        update={"status": IncidentStatus.IDENTIFIED}
    )
    assert "mitigated, recovering so far: 30m" in incident_picture(identified, [_entry(60)])


def _reopened(*history: tuple[str, int], **moments: datetime) -> Incident:
    """An incident with this status history (status, minutes after T0), resolved or not as its
    last change says."""
    record = incident(**moments).model_dump()
    record["status_history"] = [
        {"status": status, "at": T0 + timedelta(minutes=m)} for status, m in history
    ]
    record["status"] = history[-1][0]
    return Incident.model_validate(record)


def test_each_reopening_is_drawn_as_a_response_of_its_own() -> None:
    # Reopened twice: the response of the first reopening was left out, as if the incident had
    # stayed resolved from its first resolution to its second reopening.
    twice = _reopened(
        ("investigating", 0), ("resolved", 40), ("investigating", 60),
        ("resolved", 80), ("investigating", 100), mitigated_at=T0 + timedelta(minutes=30),
    )  # fmt: skip
    desc = incident_picture(twice, [_entry(130)])
    assert "mitigated, recovering: 10m; reopened, responding: 20m; " in desc
    assert "reopened, responding so far: 30m" in desc
    # Mitigated only after its reopening: "responding" ran from the declaration across the
    # resolution to the mitigation, and nothing was drawn since, as if it had stopped there.
    late = _reopened(
        ("investigating", 0), ("resolved", 40), ("investigating", 60),
        mitigated_at=T0 + timedelta(minutes=70),
    )  # fmt: skip
    desc = incident_picture(late, [_entry(90)])
    assert "responding: 40m; reopened, responding: 10m; mitigated, recovering so far: 20m" in desc
    assert desc.count("idocs-phase--open") == 1
    # Resolved again: its recovery ran on across the time it was resolved the first time.
    again = _reopened(
        ("investigating", 0), ("resolved", 40), ("investigating", 60), ("resolved", 80),
        mitigated_at=T0 + timedelta(minutes=30), resolved_at=T0 + timedelta(minutes=80),
    )  # fmt: skip
    desc = incident_picture(again, [_entry(80)])
    assert "mitigated, recovering: 10m; reopened, responding: 20m;" in desc
    assert "so far" not in desc


moments = st.lists(st.integers(min_value=0, max_value=60 * 24 * 5), min_size=0, max_size=5)


@settings(max_examples=200, deadline=None)
@given(moments, st.lists(st.integers(min_value=0, max_value=60 * 24 * 5), max_size=6))
def test_any_record_draws_or_says_nothing_without_failing(
    offsets: list[int], entry_offsets: list[int]
) -> None:
    names = ["detected_at", "mitigated_at", "resolved_at"]
    given_moments = {
        name: T0 + timedelta(minutes=offset) for name, offset in zip(names, offsets, strict=False)
    }
    record = incident(**given_moments)
    entries = [
        TimelineEntry(
            T0 + timedelta(minutes=m), EntryKind.MITIGATION, "sam", "x", MitigationAction.OTHER
        )
        for m in entry_offsets
    ]
    svg = incident_picture(record, entries)
    assert svg == "" or (svg.startswith("<figure") and "nan" not in svg)


def test_entries_at_the_same_minute_each_stay_readable_on_the_picture() -> None:
    # A rollback and a scale-up logged at one minute were two triangles drawn on one another:
    # only the top one could be hovered, the other one's words could not be read at all.
    at = T0 + timedelta(minutes=30)
    entries = [
        TimelineEntry(at, EntryKind.MITIGATION, "sam", "Rolled back", MitigationAction.ROLLBACK),
        TimelineEntry(at, EntryKind.MITIGATION, "sam", "Added nodes", MitigationAction.SCALE_UP),
        TimelineEntry(at, EntryKind.STATUS, "sam", "Identified"),
        TimelineEntry(at + timedelta(seconds=20), EntryKind.STATUS, "sam", "Monitoring"),
    ]
    svg = incident_picture(incident(detected_at=T0, resolved_at=T0 + timedelta(hours=2)), entries)
    titles = re.findall(r"<title>([^<]*)</title>", svg)
    assert "2 entries:\n10:30 rollback: Rolled back\n10:30 capacity added: Added nodes" in titles
    assert "2 entries:\n10:30 status: Identified\n10:30 status: Monitoring" in titles
    # One marker for each place, holding the count of its entries: a stack of small markers,
    # each a few pixels above the one under it, was hard to see.
    assert svg.count('class="idocs-marker ') == 2
    assert re.findall(r'class="idocs-marker__count"[^>]*>([^<]*)</text>', svg) == ["2", "2"]


def test_each_marker_links_to_the_row_of_its_entry() -> None:
    # A marker's words were in its tooltip alone: no keyboard could reach it, no tap open it.
    record, entries = christmas()
    svg = incident_picture(record, entries)
    links = re.findall(
        r'<a class="idocs-marker-link" href="#idocs-entry-(\d+)"><title>([^<]*)</title>', svg
    )
    marked = [e for e in entries if e.kind in (EntryKind.MITIGATION, EntryKind.STATUS)]
    assert len(links) == len(marked) == 7
    for number, said in links:
        assert said.endswith(entries[int(number) - 1].text)
    # The drawing is hidden from screen readers, which hear the caption; the links are not.
    assert re.search(r'<g aria-hidden="true">(?:(?!</g>).)*idocs-marker-link', svg) is None


def test_the_markers_come_in_time_order_whichever_their_lane() -> None:
    # The order Tab takes them in: the mitigations' lane first, a rollback at 14:40 came before
    # the declaration at 12:41.
    record, entries = christmas()
    svg = incident_picture(record, entries)
    said = re.findall(r'<a class="idocs-marker-link" href="[^"]*"><title>(\d\d:\d\d)', svg)
    assert len(said) == 7 and said == sorted(said)


def test_the_time_axis_says_its_times_are_utc() -> None:
    # The card says "12:32 UTC" and the table "Time (UTC)"; the axis said only "13:00".
    record, entries = christmas()
    svg = incident_picture(record, entries)
    assert re.search(r'class="idocs-picture__lane"[^>]*>time \(UTC\)</text>', svg)
    # Said to a screen reader too: the picture is one image, its axis text is not read.
    title = re.search(r'<title id="idocs-picture-title">([^<]*)</title>', svg)
    assert title is not None and title.group(1).endswith(", times in UTC")


def test_the_timeline_table_names_a_day_as_the_picture_above_it_does() -> None:
    # Over two days the picture said "02 May 10:30" and the table under it "May 02 10:30".
    entries = [
        TimelineEntry(T0 + timedelta(minutes=30), EntryKind.MITIGATION, "sam", "x"),
        TimelineEntry(T0 + timedelta(hours=23), EntryKind.NOTE, "sam", "y"),
    ]
    record = incident(detected_at=T0, resolved_at=T0 + timedelta(days=2))
    assert "mitigation at 02 May 10:30" in incident_picture(record, entries)
    shown = [re.findall(r"<time [^>]*>([^<]*)</time>", when) for when, _, _ in entry_cells(entries)]
    assert shown == [["02 May 10:30"], ["03 May 09:00"]]


def test_the_text_alternative_names_each_status_change() -> None:
    # The circles of the status lane were in no words a screen reader hears: the caption named
    # the mitigations and not one of the four changes of status.
    record, entries = christmas()
    caption = re.search(r"<figcaption[^>]*>(.*?)</figcaption>", incident_picture(record, entries))
    assert caption is not None
    text = caption.group(1)
    assert "status at 12:41: Declared SEV2 incident, status investigating" in text
    assert "status at 14:45: Monitoring: error rate back under 0.5%;" in text
    assert "status at 15:10: Resolved after 25 minutes without a crash" in text
