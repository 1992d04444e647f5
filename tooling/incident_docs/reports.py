"""What a record tells people: the stakeholder update and the postmortem draft."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from incident_docs import templates
from incident_docs.config import DEFAULT_SECTION_ALIASES, DRAFT_SECTIONS
from incident_docs.document import closing_lines, scan_blocks
from incident_docs.handoffs import Tenure, replay_roles
from incident_docs.lifecycle import criteria_phrase
from incident_docs.metrics import format_duration
from incident_docs.models import (
    CRITERIA,
    TITLE_LENGTH,
    EntryKind,
    Incident,
    IncidentStatus,
    MitigationAction,
    Role,
    Roster,
    TimelineEntry,
    iso_duration,
    postmortem_id,
    start_of,
)
from incident_docs.timeline import format_time, split_logged

UPDATE_LOGGED = (
    "Stakeholder update written",
    "Stakeholder update posted",
    "Stakeholder update sent",
)
"""How `incident update --log` starts its comms entry (update_logged; "sent" in records it wrote
before it told the two apart); the next update reports what came after."""


def update_logged(posted_to: str | None) -> str:
    """The start of the comms entry `incident update --log` writes, true to what was done: the
    update was only written out (printed, for someone to pass on) or posted to the chat at a
    host (never the webhook's URL, which is a secret)."""
    return f"{UPDATE_LOGGED[1]} to {posted_to}" if posted_to else UPDATE_LOGGED[0]


WORK_GROUPS: tuple[tuple[EntryKind, str], ...] = (
    (EntryKind.MITIGATION, "Mitigations"),
    (EntryKind.ACTION, "Actions"),
    (EntryKind.DECISION, "Decisions"),
)
"""What the response did, as an update groups it."""
REPORTED_KINDS = frozenset(kind for kind, _label in WORK_GROUPS)
"""The kinds of entry an update reports: only these are marked when logged late (see
timeline.logged_note)."""


def in_words(wait: timedelta) -> str:
    """A wait as people outside the response read it: "30 minutes", "1 hour 30 minutes",
    "2 days"; the two largest units (to the minute)."""
    minutes = int(wait.total_seconds() // 60)
    units = (("day", minutes // 1440), ("hour", minutes // 60 % 24), ("minute", minutes % 60))
    words = [f"{n} {unit}{'s' if n != 1 else ''}" for unit, n in units if n]
    return " ".join(words[:2]) or "under a minute"


STATUS_WORK: dict[IncidentStatus, str] = {
    IncidentStatus.INVESTIGATING: "investigating the cause.",
    IncidentStatus.IDENTIFIED: "working on a fix.",
    IncidentStatus.MONITORING: "watching the fix.",
}
"""What the response is doing, as the status says, for an update with no work logged since the
last: the status, not a stock phrase, so that it never contradicts the cause it names."""

ACTION_PHRASES: dict[MitigationAction, str] = {
    MitigationAction.ROLLBACK: "rollback",
    MitigationAction.REDIRECT_TRAFFIC: "traffic redirected",
    MitigationAction.SCALE_UP: "capacity added",
    MitigationAction.OTHER: "mitigation",
}


def responders(incident: Incident, entries: Sequence[TimelineEntry]) -> list[str]:
    """Everyone who held a role or wrote a timeline entry, in order of first appearance."""
    seen: dict[str, str] = {}
    names = [incident.declared_by]
    names += [h.to for h in incident.handoffs]
    names += [getattr(incident.roles, r.value) for r in Role]
    names += [e.author for e in sorted(entries, key=lambda e: e.time)]
    for name in names:
        seen.setdefault(name.casefold(), name)
    return list(seen.values())


def format_offset(delta: timedelta) -> str:
    """+1:05 (hours:minutes) from the start; negative before it."""
    seconds = int(delta.total_seconds())
    sign = "-" if seconds < 0 else "+"
    minutes = abs(seconds) // 60
    return f"{sign}{minutes // 60}:{minutes % 60:02d}"


def _clock(moment: datetime, *, dated: bool = False) -> str:
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%d %H:%M UTC" if dated else "%H:%M UTC")


def users_affected(incident: Incident) -> str:
    """That users are hurt, for a user-facing incident whose record does not yet say how: in
    the past once it is resolved."""
    services = ", ".join(incident.services)
    verb = "were" if incident.status is IncidentStatus.RESOLVED else "are"
    return f"Users of {services} {verb} affected." if services else f"Users {verb} affected."


def data_lines(incident: Incident) -> list[str]:
    """Whether data was lost or exposed, in plain words."""
    criteria = incident.criteria
    lines = ["Some data was lost."] if criteria.data_lost else []
    if criteria.data_exposed:
        lines.append("User data may have been exposed.")
    return lines


def impact_lines(incident: Incident) -> list[str]:
    """Who is hurt and how, in plain words: not how the response is going."""
    lines = [users_affected(incident)] if incident.criteria.user_facing else []
    lines += data_lines(incident)
    return lines or ["No impact on users is known so far."]


def identified_cause(entries: Sequence[TimelineEntry], *, public: bool = False) -> str | None:
    """The cause as the latest move to `identified` stated it, unless the response went back to
    investigating since (the cause was wrong) or the incident was reopened. For the public
    (`public`), none when the entry that states it is marked internal."""
    identified = IncidentStatus.IDENTIFIED.value.capitalize()
    back = (IncidentStatus.INVESTIGATING.value.capitalize(), "Reopened")
    cause: str | None = None
    for entry in sorted(entries, key=lambda e: (e.time, e.line)):
        if entry.kind is not EntryKind.STATUS:
            continue
        if entry.text.startswith(identified + ":"):
            stated = entry.text[len(identified) + 1 :].strip() or None
            cause = None if public and entry.internal else stated
        elif entry.text.startswith(back):
            cause = None
    return cause


def last_update(
    entries: Sequence[TimelineEntry], audience: str | None = None
) -> TimelineEntry | None:
    """The comms entry `incident update --log` wrote for the previous update, if any; of an
    update for `audience` ("internal" or "public") when given. An internal update reports the
    work since the last internal one: a public update in between says far less."""
    sent = [
        e
        for e in entries
        if e.kind is EntryKind.COMMS
        and e.text.startswith(UPDATE_LOGGED)
        and (audience is None or _audience_of(e.text) == audience)
    ]
    return max(sent, key=lambda e: (e.time, e.line), default=None)


def _audience_of(text: str) -> str:
    """The audience an update's comms entry names ("…: public, status …"); internal when it
    names none."""
    _head, _, rest = text.partition(": ")
    return "public" if rest.startswith("public") else "internal"


def written_after(entry: TimelineEntry, sent: TimelineEntry | None) -> bool:
    """Whether the entry was written after the update `sent` (each is, with no update yet), so
    that the next update reports it: it comes after it in the timeline (one logged in the same
    second too), or `incident log` placed it before it (backfilled with --at) and its text says
    it was logged since (timeline.logged_note; logged in the very second of the update, it is
    reported again rather than lost). An entry added by hand before the update, with no such
    note, is taken as one the update reported."""
    if sent is None or (entry.time, entry.line) > (sent.time, sent.line):
        return True
    _text, logged = split_logged(entry.text)
    return logged is not None and logged >= sent.time


def _entry_text(entry: TimelineEntry, clock: Callable[[datetime], str]) -> str:
    """The entry's text, shortened to ENTRY_LENGTH, then its note of when it was logged in the
    update's own clock."""
    text, logged = split_logged(entry.text)
    text = shortened(" ".join(text.split()), ENTRY_LENGTH)
    return text if logged is None else f"{text} (logged {clock(logged)})"


LISTED = 5
"""The most entries of each kind an update lists (the latest), with how many more there are."""
TEXT_LENGTH = 200
"""The longest a value from the record or the configuration shows in an update (a title, a
harm, the cause), and ENTRY_LENGTH an entry's text, SUMMARY_LENGTH the summary: with LISTED,
they keep the longest update (every value that long, in four-byte characters, or escaped five
times over for Slack) well under what a chat takes in one message (Slack: 40,000 characters;
a Teams card: 28 KB)."""
ENTRY_LENGTH = 240
SUMMARY_LENGTH = 400


def shortened(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word when there is one in its second half, with "…"
    to say there is more (in the record)."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip() + "…"


_MARKDOWN = re.compile(r"[\\`*_\[\]<>~]|&(?=#?[A-Za-z0-9]+;)|(?<=\])\(")
"""What Markdown would read as markup in a line of text: emphasis, code, links and images, raw
HTML and autolinks, struck-out text, a character reference; and a parenthesis right after a
bracket, so that even a reader that ignores the escapes finds no link there."""


_BARE_URL = re.compile(r"(?:https?://|www\.)[^\s<>\[\]()!`\\]+", re.IGNORECASE)
"""An address GitHub and the chats make a link of as it stands (GFM's autolinks), left as
written, since an escape inside it changes where the link leads; up to what could start a link,
an image or code inside it: a bracket, a parenthesis, "!", a backtick (escaped as elsewhere, so
that "https://x/[text](https://elsewhere)" forms no link or image). GitHub reads an address as
a link before any emphasis in it; a renderer that does not may show `_a_` in it as emphasis."""

_URL_OR_MARKUP = re.compile(f"(?P<url>{_BARE_URL.pattern})|{_MARKDOWN.pattern}", re.IGNORECASE)
"""An address, left as it is, or what Markdown reads as markup, escaped."""


def markdown_text(text: str) -> str:
    """The text with what Markdown reads as markup backslash-escaped, so that it shows as
    written: a title such as "Checkout **down** <img src=x onerror=...>" or "[status](http://...)"
    from a record must not turn into formatting, HTML or a link whose text hides where it goes.
    A bare URL stays a link, untouched: it shows where it leads, and an escape inside it
    ("search\\_api") would change where."""
    return _URL_OR_MARKUP.sub(lambda m: m.group("url") or "\\" + m.group(0), text)


def stakeholder_update(
    incident: Incident,
    entries: Sequence[TimelineEntry],
    *,
    now: datetime,
    next_update: timedelta,
    severity_description: str | None = None,
    markdown: bool = True,
    escaped: bool | None = None,
) -> str:
    """The Communications Lead's update: status and since when, impact in plain words, every
    mitigation, action and decision since the last update (grouped), the cause once identified,
    and when the next update comes. Times carry dates when the incident spans days.

    `markdown`: laid out in Markdown, else as plain lines. `escaped` (default: `markdown`): the
    record's text escaped as Markdown (markdown_text), for plain lines that a chat still reads
    as Markdown (a Teams card). Text from the record is one line each way: a line break in it
    would start a line of the update's own.

    It lists the latest LISTED entries of each kind and says how many more the record has, and
    shortens long text (TEXT_LENGTH, ENTRY_LENGTH, SUMMARY_LENGTH): an incident with thousands
    of entries still makes a message every chat takes."""
    escape = markdown if escaped is None else escaped

    def show(text: str, limit: int | None = TEXT_LENGTH) -> str:
        one = " ".join(text.split())
        one = one if limit is None else shortened(one, limit)
        return markdown_text(one) if escape else one

    resolved = incident.status is IncidentStatus.RESOLVED
    since = status_since(incident)
    due = now + next_update
    start = start_of(incident)
    sent = last_update(entries, "internal")
    previous = sent.time if sent else None
    fresh = [e for e in sorted(entries, key=lambda e: (e.time, e.line)) if written_after(e, sent)]
    # Every time the update shows: work backfilled to the day before the start is dated too.
    moments = [start, now, since] if resolved else [start, now, since, due]
    moments += [previous] if previous else []
    for entry in fresh:
        if entry.kind in REPORTED_KINDS:
            logged = split_logged(entry.text)[1]
            moments += [entry.time] if logged is None else [entry.time, logged]
    dated = len({m.astimezone(UTC).date() for m in moments}) > 1

    def clock(moment: datetime) -> str:
        return _clock(moment, dated=dated)

    severity = show(
        incident.severity + (f" ({severity_description})" if severity_description else "")
    )
    rows: list[tuple[str, str | list[str]]] = [
        ("Status", f"{incident.status.value.capitalize()} since {clock(since)}"),
        ("Severity", severity),
    ]
    hurt = incident.audiences.affected()
    if hurt:
        if incident.criteria.user_facing and "users" not in dict(hurt):
            # The harm to the company or stakeholders written first: users are hurt all the same.
            rows.append(("Impact on users", show(users_affected(incident))))
        rows += [(f"Impact on {name}", show(harm)) for name, harm in hurt]
        # Not the users line: "Users of metadata-api are affected." is no data lost.
        data = data_lines(incident)
        if data:
            rows.append(("Data", " ".join(data)))
    else:
        rows.append(("Impact", show(" ".join(impact_lines(incident)))))
    rows += [
        ("Affected services", show(", ".join(incident.services)) or "being determined"),
    ]
    cause = identified_cause(entries)
    if cause:
        rows.append(("Cause", show(cause)))
    if resolved:
        rows.append(("Summary", show(incident.summary or "A summary will follow.", SUMMARY_LENGTH)))
    since_label = f"since the last update ({clock(previous)})" if previous else "so far"
    for kind, label in WORK_GROUPS:
        done = [e for e in fresh if e.kind is kind]
        if done:
            items = [
                f"{clock(e.time)}"
                + (f" ({ACTION_PHRASES[e.action]})" if e.action else "")
                + f": {show(_entry_text(e, clock), None)}"
                for e in done[-LISTED:]
            ]
            if len(done) > LISTED:
                items.append(f"and {len(done) - LISTED:,} earlier: see the record")
            rows.append((f"{label} {since_label}", items))
    if not resolved and not any(e.kind in dict(WORK_GROUPS) for e in fresh):
        rows.append((f"Work {since_label}", f"none logged; {STATUS_WORK[incident.status]}"))
    rows.append(
        (
            "Roles",
            f"Incident Commander {show(incident.roles.incident_commander)}, Communications Lead "
            f"{show(incident.roles.communications_lead)}, Ops Lead {show(incident.roles.ops_lead)}",
        )
    )
    if resolved:
        rows.append(("Next update", "none planned: the incident is resolved; a postmortem follows"))
    else:
        rows.append(("Next update", f"by {clock(due)} (in {in_words(next_update)})"))
    heading = (
        f"Incident update: {show(incident.title)} ({show(incident.id)}), {_clock(now, dated=dated)}"
    )
    lines = [f"**{heading}**" if markdown else heading, ""]
    for label, value in rows:
        if isinstance(value, list):
            lines.append(f"- **{label}:**" if markdown else f"{label}:")
            lines += [f"  - {item}" for item in value]
        else:
            lines.append(f"- **{label}:** {value}" if markdown else f"{label}: {value}")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class PostmortemDraft:
    front_matter: dict[str, Any]
    body: str


def role_lines(incident: Incident, entries: Sequence[TimelineEntry]) -> list[str]:
    """The Responders list: each role with who held it from when until when (the resolution,
    as `incident show` says, once the incident is resolved), then everyone else who helped."""
    replay = replay_roles(incident)
    over = _over(incident)
    lines = []
    holders: set[str] = set()
    for role in Role:
        held = [t for t in replay.tenures if t.role is role]
        holders.update(t.holder.casefold() for t in held)
        # In UTC, as every other view: a span from +02:00 to Z would read backwards.
        spans = ", ".join(
            f"{t.holder} ({format_time(t.start.astimezone(UTC))} to "
            f"{format_time(end.astimezone(UTC))})"
            if (end := held_until(t, over))
            else f"{t.holder} (from {format_time(t.start.astimezone(UTC))}"
            + (", after the resolution)" if over else ")")
            for t in held
        )
        lines.append(f"- {role.label}: {spans}")
    others = [p for p in responders(incident, entries) if p.casefold() not in holders]
    if others:
        lines.append(f"- Also responded: {', '.join(others)}")
    return lines


def postmortem_title(title: str) -> str:
    """The draft's title, "Postmortem: TITLE", shortened at a word to the longest title a record
    may have."""
    full = f"Postmortem: {title}"
    if len(full) <= TITLE_LENGTH:
        return full
    cut = full[: TITLE_LENGTH - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut[len("Postmortem: ") :] else cut).rstrip() + "…"


def postmortem_draft(
    incident: Incident,
    entries: Sequence[TimelineEntry],
    timeline_lines: Sequence[str],
    *,
    sections: Sequence[str],
    authors: Sequence[str],
    aliases: Mapping[str, Sequence[str]] = DEFAULT_SECTION_ALIASES,
    summary: str | None = None,
    suppressed: Callable[[str, tuple[str, ...]], Sequence[str]] = lambda _text, _keys: (),
) -> PostmortemDraft:
    """A draft postmortem pre-filled from the incident; what only people can write stays TODO.
    A section is filled whatever name the configuration gives it, as lint matches sections
    (`aliases`: "Timeline of events" is the Timeline). `summary`: the body's summary, for an
    incident whose front-matter has none. `suppressed(text, keys)`: the rule codes a suppression
    of the incident keeps from the front-matter value at `keys`, which the text the draft copies
    of it still needs suppressed."""
    front: dict[str, Any] = {
        "id": postmortem_id(incident.id),
        "title": postmortem_title(incident.title),
        "incidents": [incident.id],
        "status": "draft",
        "severity": incident.severity,
        "authors": list(authors),
        "reviewers": [],
    }
    for name in ("started_at", "detected_at", "declared_at", "mitigated_at", "resolved_at"):
        moment = getattr(incident, name)
        if moment is not None:
            front[name] = moment
    front["services"] = list(incident.services)
    front["tags"] = list(incident.tags)
    impact: dict[str, Any] = {}
    if incident.resolved_at is not None and incident.resolved_at >= start_of(incident):
        impact["duration"] = iso_duration(incident.resolved_at - start_of(incident))
    impact["data_lost"] = incident.criteria.data_lost
    impact["user_data_exposed"] = incident.criteria.data_exposed
    front["impact"] = impact
    front["action_items"] = []
    front["visibility"] = "internal"

    facts = [
        f"{question} {'yes' if getattr(incident.criteria, name) else 'no'}."
        for name, question in CRITERIA.items()
    ]
    if incident.resolved_at is not None:
        # A duration, as the card and `incident stats` give it ("30s", "2h 33m"), not an
        # offset cut to the minute ("+0:00" for an incident of seconds).
        took = format_duration(incident.resolved_at - start_of(incident))
        facts.append(f"From start to resolution: {took}.")
    mitigations = [
        f"{format_time(e.time)} {e.action.value if e.action else 'other'}: {e.text}"
        for e in entries
        if e.kind is EntryKind.MITIGATION
    ]
    hurt = incident.audiences.affected()
    hurt_items = [(name, f"- {name.capitalize()}: {' '.join(harm.split())}") for name, harm in hurt]
    who_was_hurt = (
        "Who was hurt, as the incident recorded it:\n\n"
        # One list item each, whatever the value holds: a line break in it would start a
        # heading or a block of HTML of its own in the draft.
        + templates.suppressing(
            "\n".join(item for _name, item in hurt_items),
            [code for name, item in hurt_items for code in suppressed(item, ("audiences", name))],
        )
        if hurt
        else templates.placeholder("impact")
    )
    filled: dict[str, str] = {
        "timeline": _self_contained("\n".join(timeline_lines)),
        "responders": "\n".join(role_lines(incident, entries)),
        "impact": who_was_hurt
        + "\n\n"
        + templates.comment("From the incident record: " + " ".join(facts)),
    }
    if incident.summary:
        filled["summary"] = templates.suppressing(
            _self_contained(_no_heading(incident.summary)),
            suppressed(incident.summary, ("summary",)),
        )
    elif summary:
        filled["summary"] = _self_contained(summary)
    if mitigations:
        filled["mitigation"] = (
            templates.placeholder("mitigation")
            + "\n\n"
            + templates.comment("Mitigations in the timeline: " + "; ".join(mitigations))
        )
    known = {templates.normalise(name): name.casefold() for name in DRAFT_SECTIONS}
    for name, others in aliases.items():
        for other in others:
            known.setdefault(templates.normalise(other), templates.normalise(name))
    body = templates.postmortem_body(
        str(front["title"]),
        [(title, filled.get(known.get(templates.normalise(title), ""), "")) for title in sections],
    )
    return PostmortemDraft(front, body)


def _no_heading(summary: str) -> str:
    """A summary of one line, as `incident resolve` writes it, that would be a heading of the
    draft's level or above ("# of users affected…"): escaped, as the incident's own Summary
    writes it (store.as_paragraph), rather than ending the draft's Summary there. (A summary
    of several lines that holds one is refused: see cli_incident._refuse_comments.)"""
    if "\n" in summary:
        return summary
    blocks = scan_blocks([summary])
    if blocks and blocks[0].kind == "heading" and blocks[0].level <= 2:
        return "\\" + summary.lstrip()
    return summary


def _self_contained(text: str) -> str:
    """Text the draft copies from the incident, with what it leaves open closed (see
    document.closing_lines) and the suppression blocks it leaves open ended: in the incident
    they ran to its end, in the draft they would take every section after the copy, which its
    authors write."""
    # Imported here: the rules import the teams, which import this module.
    from incident_docs.rules.suppression import left_open

    text = "\n".join([text, *closing_lines(text)])
    codes = left_open(text)
    if codes:
        text += f"\n\n<!-- incident-docs enable {' '.join(codes)} -->"
    return text


# --- list and show ----------------------------------------------------------------------------


def summary_row(incident: Incident, display: str) -> dict[str, Any]:
    """One incident as `incident list --format json` shows it."""
    return {
        "id": incident.id,
        "title": incident.title,
        "severity": incident.severity,
        "status": incident.status.value,
        "declared_at": format_time(incident.declared_at),
        "incident_commander": incident.roles.incident_commander,
        "services": list(incident.services),
        "path": display,
    }


def list_lines(incidents: Sequence[Incident]) -> list[str]:
    """The incidents as `incident list` prints them: one line each, in aligned columns."""
    rows = [
        (
            incident.id,
            incident.severity,
            incident.status.value,
            _utc(incident.declared_at),
            f"IC {incident.roles.incident_commander}",
            incident.title,
        )
        for incident in incidents
    ]
    if not rows:
        return []
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]) - 1)]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
        + "  "
        + row[-1]
        for row in rows
    ]


def incident_payload(
    incident: Incident, entries: Sequence[TimelineEntry], display: str
) -> dict[str, Any]:
    """The record as JSON: front-matter, timeline with offsets from the start, role history."""
    start = start_of(incident)
    payload: dict[str, Any] = incident.model_dump(mode="json", by_alias=True)
    payload["path"] = display
    payload["timeline"] = [
        {
            "time": format_time(entry.time),
            "offset": iso_duration(entry.time - start),
            "offset_seconds": int((entry.time - start).total_seconds()),
            "author": entry.author,
            "kind": entry.kind.value,
            "action": entry.action.value if entry.action else None,
            "text": entry.text,
            "line": entry.line,
        }
        for entry in sorted(entries, key=lambda e: e.time)
    ]
    over = _over(incident)
    payload["role_history"] = [
        {
            "role": tenure.role.value,
            "holder": tenure.holder,
            "from": format_time(tenure.start),
            "until": format_time(end) if (end := tenure.end or over) else None,
        }
        for tenure in replay_roles(incident).tenures
    ]
    return payload


def _over(incident: Incident) -> datetime | None:
    """When a resolved incident ended, and with it every role: nobody holds one "now"."""
    return incident.resolved_at if incident.status is IncidentStatus.RESOLVED else None


def held_until(tenure: Tenure, over: datetime | None) -> datetime | None:
    """When the tenure ended: at the next handoff, else at the resolution (`over`), unless it
    began after that (a handoff written in by hand after the resolution), where a span would end
    before it starts."""
    if tenure.end is not None:
        return tenure.end
    return over if over is not None and over >= tenure.start else None


def _utc(moment: datetime) -> str:
    """A time as the list and show views print it: in UTC, so that times written with different
    offsets (a handoff logged in Z on an incident declared in +02:00) read in order."""
    return format_time(moment.astimezone(UTC))


def incident_lines(incident: Incident, entries: Sequence[TimelineEntry], display: str) -> list[str]:
    """The record as `incident show` prints it: fields, who held each role when, the timeline;
    every time in UTC (a role "from 10:00:00+02:00 until 08:30:00Z" read backwards)."""
    start = start_of(incident)
    lines = [
        f"{incident.id}: {incident.title}",
        f"  {incident.severity}, {incident.status.value}; {display}",
    ]
    for name in ("started_at", "detected_at", "declared_at", "mitigated_at", "resolved_at"):
        moment = getattr(incident, name)
        if moment is not None:
            lines.append(f"  {name:<13} {_utc(moment)}")
    if incident.services:
        lines.append(f"  services      {', '.join(incident.services)}")
    yes = criteria_phrase(incident.criteria)
    lines.append(f"  criteria      {yes or 'none answered yes'}")
    if incident.postmortem:
        lines.append(f"  postmortem    {incident.postmortem}")
    lines.append("Roles:")
    over = _over(incident)
    for tenure in replay_roles(incident).tenures:
        if tenure.end:
            until = f" until {_utc(tenure.end)}"
        elif over and held_until(tenure, over):
            until = f" until {_utc(over)} (resolved)"
        elif over:
            until = f" (after the resolution at {_utc(over)})"
        else:
            until = " (now)"
        lines.append(f"  {tenure.role.label:<19} {tenure.holder} from {_utc(tenure.start)}{until}")
    lines.append("Timeline:" if entries else "Timeline: none recorded")
    for entry in sorted(entries, key=lambda e: e.time):
        kind = entry.kind.value + (f"/{entry.action.value}" if entry.action else "")
        lines.append(
            f"  {format_offset(entry.time - start):>7}  {_utc(entry.time)}  "
            f"{kind:<26} {entry.author}: {entry.text}"
        )
    if incident.summary:
        lines.append(f"Summary: {incident.summary}")
    return lines


ROLE_SECTIONS: dict[Role, str] = {
    Role.INCIDENT_COMMANDER: "Summary and Timeline",
    Role.COMMUNICATIONS_LEAD: "Impact, and the updates that were sent",
    Role.OPS_LEAD: "Mitigation and Resolution",
}
"""What each role is best placed to write in the postmortem."""


def mention(roster: Roster, handle: str) -> str:
    """@login for someone the roster maps to GitHub, else their handle as written."""
    person = roster.by_handle(handle)
    return f"@{person.github}" if person and person.github else handle


def postmortem_pr_body(
    incident: Incident,
    entries: Sequence[TimelineEntry],
    roster: Roster,
    teams: Sequence[tuple[str, Sequence[str]]],
    checklist: str,
) -> str:
    """The draft pull request's text: who writes which part, who reviews it, the checklist.

    `teams`: each involved team with the seniors who can approve for it.
    """
    replay = replay_roles(incident)
    ended = incident.resolved_at or max([incident.declared_at, *(entry.time for entry in entries)])
    roles: dict[str, list[Role]] = {}
    for role in Role:
        # The one who held it longest: the commander holds every role for the first minutes.
        tenures = [t for t in replay.tenures if t.role is role]
        longest = max(tenures, key=lambda t: (t.end or ended) - t.start)
        roles.setdefault(longest.holder.casefold(), []).append(role)
    names = {h.casefold(): h for h in responders(incident, entries)}
    lines = [
        f"Postmortem for {incident.id}: {incident.title}",
        "",
        "## Who writes what",
        "",
        "Nobody has the whole picture: each of you adds what only you saw and did.",
        "",
    ]
    for key, kept in roles.items():
        parts = [ROLE_SECTIONS[role] for role in Role if role in kept]
        labels = ", ".join(role.label for role in Role if role in kept)
        lines.append(f"- {mention(roster, names.get(key, key))} ({labels}): {'; '.join(parts)}")
    everyone = ", ".join(mention(roster, name) for name in names.values())
    lines.append(f"- Everyone who responded ({everyone}): Contributing factors")
    if teams:
        lines += ["", "## Review", ""]
        lines.append(
            "A senior of every team involved approves it before it merges (the review-gate check):"
        )
        for team, seniors in teams:
            who = ", ".join(mention(roster, s) for s in seniors) or "no senior yet"
            lines.append(f"- {team}: {who}")
    return "\n".join(lines) + "\n\n" + checklist


def status_since(incident: Incident) -> datetime:
    """When the incident entered its present status (the last time, if it was reopened)."""
    return next(
        (c.at for c in reversed(incident.status_history) if c.status is incident.status),
        incident.declared_at,
    )


PUBLIC_STATUS: dict[IncidentStatus, str] = {
    IncidentStatus.INVESTIGATING: "We are investigating.",
    IncidentStatus.IDENTIFIED: "We have found the cause and are working on a fix.",
    IncidentStatus.MONITORING: "A fix is in place and we are watching the results.",
    IncidentStatus.RESOLVED: "This incident is resolved.",
}

PUBLIC_ACTIONS: dict[MitigationAction, str] = {
    MitigationAction.ROLLBACK: "We rolled back a recent change.",
    MitigationAction.REDIRECT_TRAFFIC: "We moved traffic away from the affected servers.",
    MitigationAction.SCALE_UP: "We added capacity.",
    MitigationAction.OTHER: "We put a temporary fix in place.",
}


@dataclass(frozen=True)
class PublicPart:
    """A piece of a public update and where its words come from, to check before it goes out."""

    label: str
    text: str
    source: str
    """Where the words come from, for a refusal: 'the title', 'the cause (identified at ...)'."""
    free: bool = True
    """Written by a person (checked for leaks); False for the tool's own fixed phrases."""


def public_update_parts(
    incident: Incident,
    entries: Sequence[TimelineEntry],
    *,
    now: datetime,
    next_update: timedelta,
    cause: str | None = None,
) -> tuple[str, list[PublicPart]]:
    """The public update's heading and parts, in plain words: status, who is hurt and how, the
    cause, what was done (as the tool words it), the next update. No names, roles, services,
    timeline text or entries marked internal."""
    resolved = incident.status is IncidentStatus.RESOLVED
    due = now + next_update
    since = status_since(incident)
    moments = (
        (start_of(incident), now, since) if resolved else (start_of(incident), now, since, due)
    )
    dated = len({m.astimezone(UTC).date() for m in moments}) > 1
    # Since when, as the internal update says it: "watching the results" for ten minutes or for
    # a day are two different messages.
    status = f"{PUBLIC_STATUS[incident.status][:-1]} (since {_clock(since, dated=dated)})."
    parts = [PublicPart("Status", status, "", free=False)]
    hurt = [
        (name, harm)
        for name, harm in incident.audiences.affected()
        if name in ("users", "stakeholders")
    ]
    if incident.criteria.user_facing and "users" not in dict(hurt):
        # Only the harm to stakeholders written yet: customers are hurt all the same.
        affected = "Some customers were affected." if resolved else "Some customers are affected."
        parts.append(PublicPart("Impact", affected, "", free=False))
    for name, harm in hurt:
        parts.append(PublicPart("Impact", harm, f"the harm to {name} (audiences.{name})"))
    if not any(part.label == "Impact" for part in parts):
        parts.append(PublicPart("Impact", "We are assessing the impact.", "", free=False))
    written = cause if cause is not None else identified_cause(entries, public=True)
    if written:
        source = (
            "--cause"
            if cause is not None
            else "the cause given when the status moved to identified"
        )
        parts.append(PublicPart("Cause", written, source))
    public = [e for e in entries if not e.internal]
    done = list(dict.fromkeys(PUBLIC_ACTIONS[e.action] for e in public if e.action))
    if done:
        parts.append(PublicPart("What we have done", " ".join(done), "", free=False))
    if resolved and incident.summary:
        parts.append(PublicPart("Summary", incident.summary, "the summary (summary:)"))
    if resolved:
        parts.append(
            PublicPart("Next update", "None planned: a full review will follow.", "", free=False)
        )
    else:
        parts.append(
            PublicPart(
                "Next update",
                f"By {_clock(due, dated=dated)} (in {in_words(next_update)}).",
                "",
                free=False,
            )
        )
    heading = f"{incident.title} ({_clock(now, dated=dated)})"
    return heading, parts


def render_public_update(
    heading: str, parts: Sequence[PublicPart], *, markdown: bool, escaped: bool | None = None
) -> str:
    """The public update as text; `markdown` and `escaped` as for stakeholder_update (the tool's
    own phrases need no escaping, the words from the record do), and shortened as it is."""
    escape = markdown if escaped is None else escaped

    def show(text: str, limit: int) -> str:
        one = shortened(" ".join(text.split()), limit)
        return markdown_text(one) if escape else one

    # The heading is the title (at most TITLE_LENGTH) and the time.
    lines = [f"**{show(heading, len(heading))}**" if markdown else show(heading, len(heading)), ""]
    for part in parts:
        limit = SUMMARY_LENGTH if part.label == "Summary" else TEXT_LENGTH
        text = show(part.text, limit) if part.free else part.text
        lines.append(f"- **{part.label}:** {text}" if markdown else f"{part.label}: {text}")
    return "\n".join(lines) + "\n"
