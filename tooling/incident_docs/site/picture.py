"""A picture of an incident, drawn at build time as inline SVG: its phases, what was done and
when, and who held each role. No script; both colour schemes through CSS; a text alternative."""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from incident_docs.handoffs import replay_roles
from incident_docs.metrics import format_duration
from incident_docs.models import (
    EntryKind,
    Incident,
    IncidentStatus,
    Postmortem,
    Role,
    TimelineEntry,
)
from incident_docs.site.markup import ACTION_LABELS, e, entry_anchor

WIDTH = 720
LEFT = 118
RIGHT = 16
PLOT = WIDTH - LEFT - RIGHT
ROW = 22
AXIS_CHAR = 6.5
"""The most a character of an axis label (11px) takes across, with a little to spare."""
AXIS_GAP = 4
"""The least room between two axis labels."""
AXIS_TICKS = 8
"""The most intervals between ticks of the time axis."""
SECOND_STEPS = (1, 2, 5, 10, 15, 30)
"""Steps of the axis in seconds, for an incident of a few minutes at most."""
SECONDS_AXIS = timedelta(seconds=SECOND_STEPS[-1] * AXIS_TICKS)
"""The longest span whose axis is in seconds."""

PHASES: tuple[tuple[str, str, str, str], ...] = (
    ("started_at", "detected_at", "undetected", "impact, not yet detected"),
    ("detected_at", "declared_at", "detected", "detected, not yet declared"),
    ("declared_at", "mitigated_at", "responding", "responding"),
    ("mitigated_at", "resolved_at", "recovering", "mitigated, recovering"),
)
"""Consecutive moments of the record, and the phase between each pair."""


def _phases(moments: dict[str, datetime]) -> list[tuple[str, str, str, str]]:
    """The phases between the moments a record has. A moment it lacks joins the phases on
    either side into one, so no stretch of the incident is left undrawn, named so as not to
    claim what never happened: "responding" when it takes in the response (a postmortem without
    `declared_at`, an incident without `mitigated_at`), "impact, not yet declared" from the start
    to the declaration when detection is not known, and "impact" from the start when neither
    detection nor declaration is."""
    order = [PHASES[0][0], *(end for _begin, end, _css, _label in PHASES)]
    present = [name for name in order if name in moments]
    found: list[tuple[str, str, str, str]] = []
    for begin, end in itertools.pairwise(present):
        first, last = order.index(begin), order.index(end)
        if last == first + 1:
            found.append(PHASES[first])
        elif first == 0 and last > 2:  # from the start, neither detection nor declaration known
            found.append((begin, end, "undetected", "impact"))
        elif first <= 2 < last:  # takes in declaration to mitigation
            found.append((begin, end, "responding", "responding"))
        else:  # the start to the declaration, detection not known
            found.append((begin, end, "undetected", "impact, not yet declared"))
    return found


@dataclass(frozen=True)
class _Reopened:
    """An incident that was resolved and then reopened, from its status history."""

    first: datetime
    """When it was first resolved: its phases up to then are drawn as for a resolved one."""
    spans: tuple[tuple[datetime, datetime | None], ...]
    """Each reopening and when it was resolved again, None for the one still open."""


def _reopened(record: Incident | Postmortem, moments: dict[str, datetime]) -> _Reopened | None:
    """When an incident was first resolved, and each time it was reopened, from its status
    history: None for any other record, and for one whose history does not agree with its
    key moments (detected or declared after its first resolution, open with `resolved_at`,
    or resolved again with no resolution after its last reopening)."""
    if not isinstance(record, Incident):
        return None
    first: datetime | None = None
    spans: list[tuple[datetime, datetime | None]] = []
    before: IncidentStatus | None = None
    for change in record.status_history:
        if change.status is IncidentStatus.RESOLVED:
            first = first or change.at
            if spans and spans[-1][1] is None:
                spans[-1] = (spans[-1][0], change.at)
        elif before is IncidentStatus.RESOLVED:
            spans.append((change.at, None))
        before = change.status
    if first is None or not spans:
        return None
    ended = record.status is IncidentStatus.RESOLVED
    if ended != (spans[-1][1] is not None) or ended != ("resolved_at" in moments):
        return None
    early = ("started_at", "detected_at", "declared_at")
    if any(moments[name] > first for name in early if name in moments):
        return None
    return _Reopened(first, tuple(spans))


def _reopened_phases(
    reopened: _Reopened, mitigated: datetime | None, last: datetime
) -> list[tuple[datetime, datetime, str, str]]:
    """The response of each reopening, up to when it was resolved again, or up to the last
    entry ("so far") for the one still open; split at `mitigated_at` when the first mitigation
    came during it (recovering after it)."""
    found: list[tuple[datetime, datetime, str, str]] = []
    for begin, end in reopened.spans:
        stop = end or last
        pieces = [(begin, stop, "responding", "reopened, responding")]
        if mitigated is not None and begin <= mitigated < stop:
            pieces = [
                (begin, mitigated, "responding", "reopened, responding"),
                (mitigated, stop, "recovering", "mitigated, recovering"),
            ]
        if end is None:  # the phase it is still in: what came after is not known
            start, stop, css, label = pieces[-1]
            pieces[-1] = (start, stop, f"{css} idocs-phase--open", f"{label} so far")
        found += [piece for piece in pieces if piece[1] > piece[0]]
    return found


def _open_phase(
    record: Incident | Postmortem, moments: dict[str, datetime], last: datetime
) -> list[tuple[datetime, datetime, str, str]]:
    """The phase an open incident is still in, up to its last entry ("so far": what came after
    is not known): the response of an incident not yet mitigated, whatever its status, the
    recovery of one mitigated. A reopened incident gets none here (see _reopened_phases)."""
    if not isinstance(record, Incident) or "resolved_at" in moments:
        return []
    if record.status == IncidentStatus.RESOLVED:
        return []
    if any(change.status == IncidentStatus.RESOLVED for change in record.status_history):
        return []  # reopened, but its history does not agree with its key moments
    if "mitigated_at" in moments:
        begin, css, label = "mitigated_at", "recovering", "mitigated, recovering"
    else:
        begin, css, label = "declared_at", "responding", "responding"
    if last <= moments[begin]:
        return []
    return [(moments[begin], last, f"{css} idocs-phase--open", f"{label} so far")]


@dataclass(frozen=True)
class _Scale:
    start: datetime
    end: datetime

    @property
    def span(self) -> float:
        # A 30-second incident takes the whole width too: it had half of a minute's.
        return max((self.end - self.start).total_seconds(), 1.0)

    def x(self, moment: datetime) -> float:
        offset = (moment - self.start).total_seconds()
        return LEFT + PLOT * min(max(offset / self.span, 0.0), 1.0)

    @property
    def days(self) -> bool:
        """Whether the picture runs over more than one day (UTC)."""
        return self.start.astimezone(UTC).date() != self.end.astimezone(UTC).date()

    @property
    def seconds(self) -> bool:
        """Whether the axis is in seconds (an incident of a few minutes at most)."""
        return self.end - self.start <= SECONDS_AXIS

    def clock(self, moment: datetime) -> str:
        """A moment as the text alternative and the markers name it: with its day when the
        picture runs over several ("capacity added at 09:00" came after "rollback at 10:30"),
        to the second when the axis is in seconds (every marker of a 30-second incident was
        "at 10:00", under an axis of 10:00:10, 10:00:20, 10:00:30)."""
        clock = "%H:%M:%S" if self.seconds else "%H:%M"
        return moment.astimezone(UTC).strftime(f"%d %b {clock}" if self.days else clock)


def incident_picture(
    record: Incident | Postmortem,
    entries: Sequence[TimelineEntry],
    incident: Incident | None = None,
) -> str:
    """The SVG, or "" when the record has too little time in it to draw (one moment at most).

    `entries`: the record's timeline, in the order of its table (each marker links to the row
    of its entry, entry_anchor). `incident`: for a postmortem, its incident, whose handoffs
    give the role bands.
    """
    moments = {
        name: getattr(record, name)
        for name in ("started_at", "detected_at", "declared_at", "mitigated_at", "resolved_at")
        if getattr(record, name, None) is not None
    }
    # A reopened incident: its phases up to when it was first resolved, as for a resolved one,
    # then the response of each reopening (so far, for the one still open).
    reopened = _reopened(record, moments)
    drawn = moments
    if reopened is not None:
        drawn = {name: at for name, at in moments.items() if at <= reopened.first}
        drawn["resolved_at"] = reopened.first
    spans = [at for span in reopened.spans for at in span if at] if reopened else []
    times = [*moments.values(), *drawn.values(), *spans, *(entry.time for entry in entries)]
    if len(times) < 2 or max(times) == min(times):
        return ""
    scale = _Scale(min(times), max(times))
    roles_of = incident or (record if isinstance(record, Incident) else None)
    bands = _role_bands(roles_of, scale) if roles_of is not None else []
    lanes = 3 + len(bands)
    height = 34 + lanes * ROW + 30
    parts: list[str] = []
    markers: list[tuple[datetime, int, str]] = []
    summary: list[str] = []
    y = 30
    # Phases: one bar, coloured by phase, each with its duration.
    parts.append(f'<text class="idocs-picture__lane" x="0" y="{y + 15}">phases</text>')
    phases = [(drawn[begin], drawn[end], css, label) for begin, end, css, label in _phases(drawn)]
    if reopened is not None:
        later = moments.get("mitigated_at") if "mitigated_at" not in drawn else None
        phases += _reopened_phases(reopened, later, scale.end)
    else:
        phases += _open_phase(record, moments, scale.end)
    for start, stop, css, label in phases:
        if stop < start:
            continue  # backfilled out of order: nothing to draw for this phase
        x1, x2 = scale.x(start), scale.x(stop)
        took = format_duration(stop - start)
        summary.append(f"{label}: {took}")
        parts.append(
            f'<rect class="idocs-phase idocs-phase--{css}" x="{x1:.1f}" y="{y + 2}" '
            f'width="{max(x2 - x1, 1.5):.1f}" height="{ROW - 6}"><title>{e(label)}: '
            f"{e(took)}</title></rect>"
        )
        if x2 - x1 > 44:
            parts.append(
                f'<text class="idocs-picture__note" x="{(x1 + x2) / 2:.1f}" y="{y + 15}" '
                f'text-anchor="middle">{e(took)}</text>'
            )
    y += ROW
    # What was done: a marker per mitigation (triangle) and status change (circle).
    parts.append(f'<text class="idocs-picture__lane" x="0" y="{y + 15}">mitigations</text>')
    mitigations = [entry for entry in entries if entry.kind is EntryKind.MITIGATION]
    for entry in mitigations:
        summary.append(f"{_action(entry)} at {scale.clock(entry.time)}")
    rows = {id(entry): number for number, entry in enumerate(entries, start=1)}
    for x, group in _marker_groups(mitigations, scale):
        said = [f"{scale.clock(entry.time)} {_action(entry)}: {entry.text}" for entry in group]
        marker = _markers(said, EntryKind.MITIGATION, x, y, rows[id(group[0])])
        markers.append((group[0].time, 0, marker))
    y += ROW
    parts.append(f'<text class="idocs-picture__lane" x="0" y="{y + 15}">status</text>')
    changes = [entry for entry in entries if entry.kind is EntryKind.STATUS]
    # Said in words too, as the mitigations are: a screen reader heard of none of the circles.
    for entry in changes:
        summary.append(f"status at {scale.clock(entry.time)}: {entry.text.rstrip('.')}")
    for x, group in _marker_groups(changes, scale):
        # Named as the mitigations' markers are, by what they are: "status" before its words.
        said = [f"{scale.clock(entry.time)} status: {entry.text}" for entry in group]
        marker = _markers(said, EntryKind.STATUS, x, y, rows[id(group[0])])
        markers.append((group[0].time, 1, marker))
    y += ROW
    # Who held each role when: one band per role, a segment per holder.
    for role, segments in bands:
        parts.append(f'<text class="idocs-picture__lane" x="0" y="{y + 15}">{e(role.label)}</text>')
        for index, (x1, x2, holder) in enumerate(segments):
            parts.append(
                f'<rect class="idocs-band idocs-band--{index % 2}" x="{x1:.1f}" y="{y + 3}" '
                f'width="{max(x2 - x1, 1.5):.1f}" height="{ROW - 8}"><title>{e(role.label)}: '
                f"{e(holder)}</title></rect>"
            )
            if x2 - x1 > 8 * len(holder) + 8:
                parts.append(
                    f'<text class="idocs-picture__band" x="{x1 + 4:.1f}" y="{y + 14}">'
                    f"{e(holder)}</text>"
                )
        holders = ", then ".join(dict.fromkeys(h for _x1, _x2, h in segments))
        summary.append(f"{role.label}: {holders}")
        y += ROW
    parts.append(_axis(scale, y + 4))
    description = "; ".join(summary) or "The record's key moments."
    # In UTC, as the axis says: the text alternative reads "rollback at 14:00" with no zone.
    took = format_duration(scale.end - scale.start)
    title = f"Timeline of {record.id} over {took}, times in UTC"
    return (
        # Focusable: on a phone the picture scrolls sideways in its box, by keyboard too. Named
        # by its title alone: the caption says the rest, once (as the picture's description
        # too, a screen reader read it two or three times over). The figure takes its name
        # from the <title>; the SVG is no image of its own (an image holds no links, and named
        # by the same <title> it was heard twice): its drawing is hidden from screen readers,
        # which hear the caption, and its markers are links, each named by its <title>.
        '<figure class="idocs-picture" tabindex="0" aria-labelledby="idocs-picture-title">'
        f'<svg viewBox="0 0 {WIDTH} {height}" role="none" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="idocs-picture-title">{e(title)}</title>'
        f'<g aria-hidden="true">{"".join(parts)}</g>'
        # In time order, whichever lane: the order Tab takes them in (a lane at a time, a
        # mitigation at 14:52 came before the status change at 14:20).
        + "".join(marker for _at, _lane, marker in sorted(markers, key=lambda m: m[:2]))
        + "</svg>"
        + f'<figcaption class="idocs-muted">{e(description)}</figcaption></figure>'
    )


def _action(entry: TimelineEntry) -> str:
    """What a mitigation did, in words ("capacity added")."""
    return ACTION_LABELS.get(entry.action.value if entry.action else "other", "mitigation")


MARKER_REACH = 12.0
"""How far apart (in the picture's units) two markers of a lane must be to be told apart: a
marker is 10 to 12 across."""


def _marker_groups(
    entries: Sequence[TimelineEntry], scale: _Scale
) -> list[tuple[float, list[TimelineEntry]]]:
    """The entries of a lane in time order, those that would be drawn on top of one another
    (at the same minute, or seconds apart in an incident of days) together, at the place of the
    first: each of them stays readable where the pointer rests."""
    groups: list[tuple[float, list[TimelineEntry]]] = []
    for entry in sorted(entries, key=lambda entry: entry.time):
        x = scale.x(entry.time)
        if groups and x - groups[-1][0] < MARKER_REACH:
            groups[-1][1].append(entry)
        else:
            groups.append((x, [entry]))
    return groups


def _markers(said: list[str], kind: EntryKind, x: float, y: float, row: int) -> str:
    """The marker of one place of a lane (a triangle for a mitigation, a circle for a status
    change), its title what happened there; for several entries, one larger marker holding
    their count, its title naming each of them on a line of its own (a stack of small markers
    was hard to see).

    A link to the row of the timeline table under the picture showing the (first) entry: the
    marker's words were in a tooltip alone, which a keyboard or a touch screen cannot open."""
    many = len(said) > 1
    if kind is EntryKind.MITIGATION:
        half, top, high = (8.5, 1, 16) if many else (6, 3, 12)
        shape = (
            f'<path class="idocs-marker idocs-marker--mitigation" '
            f'd="M{x:.1f},{y + top} l{half},{high} h{-2 * half} z"/>'
        )
        count_at = y + 15
    else:
        radius, centre = (8, y + 11) if many else (5, y + 10)
        shape = (
            f'<circle class="idocs-marker idocs-marker--status" cx="{x:.1f}" '
            f'cy="{centre}" r="{radius}"/>'
        )
        count_at = y + 14.5
    title = f"{len(said)} entries:\n" + "\n".join(said) if many else said[0]
    count = (
        f'<text class="idocs-marker__count" x="{x:.1f}" y="{count_at}" text-anchor="middle">'
        f"{len(said) if len(said) < 100 else '99+'}</text>"
        if many
        else ""
    )
    # Room to tap and a ring for the keyboard's focus, a little wider than the marker.
    reach = 10 if many else 7
    return (
        f'<a class="idocs-marker-link" href="#{entry_anchor(row)}"><title>{e(title)}</title>'
        f'<rect class="idocs-marker-hit" x="{x - reach:.1f}" y="{y}" width="{2 * reach}" '
        f'height="{ROW}" rx="3"/>{shape}{count}</a>'
    )


_MARKER_LINK = re.compile(r'<a class="idocs-marker-link" href="[^"]*">(.*?)</a>', re.DOTALL)


def without_entry_links(picture: str) -> str:
    """The picture with its markers linking nowhere, for a page whose timeline is not shown
    as a table (its rows, which the markers link to, are not there)."""
    return _MARKER_LINK.sub(r'<g class="idocs-marker-link">\1</g>', picture)


def _role_bands(
    incident: Incident, scale: _Scale
) -> list[tuple[Role, list[tuple[float, float, str]]]]:
    replay = replay_roles(incident)
    bands = []
    for role in Role:
        segments = []
        for tenure in (t for t in replay.tenures if t.role is role):
            begin = max(tenure.start, scale.start)
            end = min(tenure.end or scale.end, scale.end)
            if end < begin:
                continue
            segments.append((scale.x(begin), scale.x(end), tenure.holder))
        if segments:
            bands.append((role, segments))
    return bands


def _axis(scale: _Scale, y: float) -> str:
    """Ticks at a step that fits the span: minutes for a short incident, days for a long one."""
    span = scale.end - scale.start
    steps = (
        # Seconds for an incident of a minute or two, which had no tick at 5 minutes apart; from
        # one second, so that an incident of a few seconds has a label too.
        [timedelta(seconds=s) for s in SECOND_STEPS]
        + [timedelta(minutes=m) for m in (1, 2, 5, 10, 15, 30)]
        + [timedelta(hours=h) for h in (1, 2, 3, 6, 12)]
        + [timedelta(days=d) for d in (1, 2, 7, 14, 30)]
    )
    step = next((s for s in steps if span / s <= AXIS_TICKS), None)
    if step is None:
        # Months or years (a reopened incident): steps of whole 30 days, six ticks at most, each
        # with its year; 30 days over eight months put forty labels on top of each other.
        step = timedelta(days=30 * math.ceil(span / timedelta(days=30) / 6))
    first = scale.start.astimezone(UTC)
    seconds = step.total_seconds()
    tick = datetime.fromtimestamp((first.timestamp() // seconds + 1) * seconds, tz=UTC)
    long = span >= timedelta(days=1)
    # Midnight is labelled with its day whenever the picture runs over it: "00:00" alone, under
    # an incident from 22:40 to 22:30, said nothing of which days these were.
    days = scale.days
    # Days over a New Year, or months: each label with its year ("21 Dec", "04 Jan" misread).
    yearly = step > timedelta(days=30) or (
        step >= timedelta(days=1) and first.year != scale.end.astimezone(UTC).year
    )
    out = [
        f'<line class="idocs-chart__grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y}" y2="{y}"/>',
        # The times are UTC, as the card and the timeline table under the picture say theirs
        # are: a reader in another zone took "14:00" for their own.
        f'<text class="idocs-picture__lane" x="0" y="{y + 16}">time (UTC)</text>',
    ]
    labelled_to = 0.0  # where the last label drawn ends
    while tick <= scale.end:
        x = scale.x(tick)
        label = tick.strftime(
            "%d %b %Y"
            if yearly
            else "%d %b"
            if (long or days) and tick.hour == tick.minute == tick.second == 0
            else "%d %b %H:%M"
            if long
            else "%H:%M:%S"
            if scale.seconds
            else "%H:%M"
        )
        # Under its tick, moved inward at the right edge: "02 Dec 06:00" under a tick at the
        # end of the axis was cut to "02 Dec 06".
        half = AXIS_CHAR * len(label) / 2
        at = min(x, WIDTH - half)
        out.append(
            f'<line class="idocs-chart__grid" x1="{x:.1f}" x2="{x:.1f}" y1="{y}" y2="{y + 4}"/>'
        )
        # A label moved inward is left out where it would run into the one before it:
        # "03 Dec 06:00" at the end of the axis ran into "03 Dec" as "03 Dec03 Dec 06:00".
        if at == x or at - half >= labelled_to + AXIS_GAP:
            labelled_to = at + half
            out.append(
                f'<text class="idocs-chart__axis" x="{at:.1f}" y="{y + 16}" '
                f'text-anchor="middle">{e(label)}</text>'
            )
        tick += step
    return "".join(out)
