"""Running an incident: declare, hand off roles, log, change status, resolve, report. Pure; clock injected."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from incident_docs import templates
from incident_docs.diagnostics import UsageError
from incident_docs.models import (
    CRITERIA,
    EARLIEST_YEAR,
    INCIDENT_TRANSITIONS,
    LATEST_YEAR,
    Criteria,
    EntryKind,
    Incident,
    IncidentStatus,
    MitigationAction,
    Role,
    TimelineEntry,
    iso_duration,
)
from incident_docs.timeline import format_time

Clock = Callable[[], datetime]
FieldPath = tuple[str, ...]

SLUG_LENGTH = 50
DEFAULT_SLUG = "incident"
LOGGED_KINDS = (
    EntryKind.NOTE,
    EntryKind.ACTION,
    EntryKind.DECISION,
    EntryKind.MITIGATION,
    EntryKind.COMMS,
)
"""Kinds `incident log` writes; handoff and status entries come from their own commands."""

CRITERION_OPTIONS: dict[str, str] = {name.replace("_", "-"): name for name in CRITERIA}
"""`--because` spellings: user-facing -> user_facing."""

DELEGABLE = (Role.COMMUNICATIONS_LEAD, Role.OPS_LEAD)

IMPACT_PHRASES: dict[str, str] = {
    "user_facing": "Users are affected.",
    "multiple_teams": "Several teams are working on it.",
    "too_long": "It is taking longer than usual to fix.",
    "manual_response": "It needs hands-on work to fix.",
    "monitoring_missed": "It is a new kind of problem that our alerts did not catch.",
    "data_lost": "Some data was lost.",
    "data_exposed": "User data may have been exposed.",
}

ACTION_PHRASES: dict[MitigationAction, str] = {
    MitigationAction.ROLLBACK: "rollback",
    MitigationAction.REDIRECT_TRAFFIC: "traffic redirected",
    MitigationAction.SCALE_UP: "capacity added",
    MitigationAction.OTHER: "mitigation",
}


def utc_now() -> datetime:
    """The default clock: now, in UTC, to the second (timeline entries carry seconds)."""
    return datetime.now(UTC).replace(microsecond=0)


@dataclass(frozen=True)
class Change:
    """What a command does to a record; the store applies it, keeping everything else as it was."""

    sets: tuple[tuple[FieldPath, Any], ...] = ()
    """Front-matter keys to set (nested by path); values are plain data and aware datetimes."""
    appends: tuple[tuple[str, dict[str, Any]], ...] = ()
    """Items appended to top-level front-matter lists."""
    entries: tuple[TimelineEntry, ...] = ()
    """Timeline entries, inserted in time order."""
    summary: str | None = None
    """Text for the `## Summary` section when it still holds only its placeholder."""
    notes: tuple[str, ...] = ()
    """What the command did or noticed, for the person who ran it."""


# --- names, IDs and parsing -------------------------------------------------------------------


def slugify(text: str, max_length: int = SLUG_LENGTH) -> str:
    """Lower-case ASCII letters, digits and single hyphens, cut at a word boundary."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_length:
        cut = slug[:max_length]
        if slug[max_length] != "-" and "-" in cut:
            cut = cut.rsplit("-", 1)[0]
        slug = cut.strip("-")
    return slug or DEFAULT_SLUG


def new_id(prefix: str, day: date, title: str, taken: Iterable[str]) -> str:
    """A merge-safe ID: date plus slug of the title, with -2, -3... when that one is taken."""
    base = f"{prefix}-{day.isoformat()}-{slugify(title)}"
    used = {t.casefold() for t in taken}
    candidate, number = base, 2
    while candidate.casefold() in used:
        candidate = f"{base}-{number}"
        number += 1
    return candidate


_DURATION = re.compile(
    r"^(?:(?P<h>\d+)\s*h(?:ours?|rs?)?)?\s*(?:(?P<m>\d+)\s*m(?:in(?:utes?|s)?)?)?$"
)


"""Moments outside these years are refused, as the record models refuse them."""

LONGEST_DURATION = timedelta(days=1000 * 365)
"""Longer durations are refused: no incident needs them, and they break time arithmetic."""


def parse_duration(text: str) -> timedelta:
    """'30m', '1h', '1h30m', '90' (minutes)."""
    duration = _duration(text)
    if duration is None:
        raise UsageError(f"'{text}' is too long a duration: at most 1000 years")
    return duration


def _duration(text: str) -> timedelta | None:
    """The duration, or None when it is well formed but too long."""
    value = text.strip().lower()
    match = None if value.isdecimal() else _DURATION.match(value)
    if not value.isdecimal() and (
        not value or match is None or not (match.group("h") or match.group("m"))
    ):
        raise UsageError(f"'{text}' is not a duration: write it like 30m, 1h or 1h30m")
    try:
        if match is None:
            duration = timedelta(minutes=int(value))
        else:
            duration = timedelta(
                hours=int(match.group("h") or 0), minutes=int(match.group("m") or 0)
            )
    except (OverflowError, ValueError):  # more days than timedelta holds
        return None
    return duration if duration <= LONGEST_DURATION else None


_AGO = re.compile(r"^(?:-\s*(?P<a>.+?)|(?P<b>.+?)\s+ago)$")


def parse_moment(text: str, now: datetime, *, option: str = "--at") -> datetime:
    """An ISO 8601 time with a UTC offset, or '-15m' / '15m ago' before now; naive times refused."""
    value = text.strip()
    relative = _AGO.match(value)
    if relative is not None:
        duration = _duration(relative.group("a") or relative.group("b") or "")
        moment = datetime.min.replace(tzinfo=UTC) if duration is None else now - duration
        return _plausible(moment, text, option)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(
            f"{option} '{text}' is not a time: write it like 2022-12-25T12:32:00Z, "
            "2022-12-25T13:32:00+01:00 or -15m"
        ) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise UsageError(
            f"{option} '{text}' has no UTC offset: add 'Z' or '+HH:MM' "
            f"(e.g. {value}Z), so everyone reads the same moment"
        )
    _plausible(moment, text, option)
    if moment > now + timedelta(minutes=1):
        raise UsageError(f"{option} '{text}' is in the future (now is {format_time(now)})")
    return moment.replace(microsecond=0)


def _plausible(moment: datetime, text: str, option: str) -> datetime:
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise UsageError(
            f"{option} '{text}' is not a plausible time: it must be between "
            f"{EARLIEST_YEAR} and {LATEST_YEAR}"
        )
    return moment


def parse_criteria(reasons: Iterable[str]) -> Criteria:
    """`--because user-facing --because data-lost` (commas, underscores and case forgiven)."""
    answers: dict[str, bool] = {}
    for reason in reasons:
        for part in reason.split(","):
            word = part.strip().lower().replace("_", "-").replace(" ", "-")
            if not word:
                continue
            name = CRITERION_OPTIONS.get(word) or _unique_prefix(word, CRITERION_OPTIONS)
            if name is None:
                raise UsageError(
                    f"--because '{part.strip()}' is not one of: {', '.join(CRITERION_OPTIONS)}"
                )
            answers[name] = True
    return Criteria(**answers)


def _unique_prefix(word: str, choices: dict[str, str]) -> str | None:
    matches = {value for key, value in choices.items() if key.startswith(word)}
    return matches.pop() if len(matches) == 1 else None


_ROLE_WORDS: dict[str, Role] = {
    "ic": Role.INCIDENT_COMMANDER,
    "commander": Role.INCIDENT_COMMANDER,
    "command": Role.INCIDENT_COMMANDER,
    "cl": Role.COMMUNICATIONS_LEAD,
    "comms": Role.COMMUNICATIONS_LEAD,
    "communications": Role.COMMUNICATIONS_LEAD,
    "ops": Role.OPS_LEAD,
    "operations": Role.OPS_LEAD,
}


def parse_role(text: str) -> Role:
    word = text.strip().lower().replace("_", "-").replace(" ", "-")
    for role in Role:
        if word == role.option:
            return role
    found = _ROLE_WORDS.get(word.removesuffix("-lead"))
    if found is None:
        found = next((r for r in Role if r.option.startswith(word) and word), None)
    if found is None:
        raise UsageError(
            f"'{text}' is not a role: use {', '.join(r.option for r in Role)} (or ic, comms, ops)"
        )
    return found


_ACTION_WORDS: dict[str, MitigationAction] = {
    "roll-back": MitigationAction.ROLLBACK,
    "revert": MitigationAction.ROLLBACK,
    "redirect": MitigationAction.REDIRECT_TRAFFIC,
    "drain": MitigationAction.REDIRECT_TRAFFIC,
    "failover": MitigationAction.REDIRECT_TRAFFIC,
    "scale": MitigationAction.SCALE_UP,
    "scaleup": MitigationAction.SCALE_UP,
}


def parse_action(text: str) -> MitigationAction:
    word = text.strip().lower().replace("_", "-").replace(" ", "-")
    try:
        return MitigationAction(word)
    except ValueError:
        pass
    found = _ACTION_WORDS.get(word)
    if found is None:
        found = next((a for a in MitigationAction if a.value.startswith(word) and word), None)
    if found is None:
        raise UsageError(
            f"'{text}' is not a mitigation action: use "
            f"{', '.join(a.value for a in MitigationAction)}"
        )
    return found


def parse_status(text: str) -> IncidentStatus:
    word = text.strip().lower()
    matches = [s for s in IncidentStatus if s.value.startswith(word) and word]
    if len(matches) != 1:
        raise UsageError(
            f"'{text}' is not a status: use {', '.join(s.value for s in IncidentStatus)}"
        )
    return matches[0]


def match_severity(text: str, names: Sequence[str]) -> str:
    """A configured severity by name, case-insensitively; '2' finds SEV2 when that is unique."""
    wanted = text.strip().casefold()
    for name in names:
        if name.casefold() == wanted:
            return name
    endings = [n for n in names if wanted and n.casefold().endswith(wanted)]
    if len(endings) == 1:
        return endings[0]
    raise UsageError(f"'{text}' is not a configured severity: use one of {', '.join(names)}")


# --- declaring --------------------------------------------------------------------------------


def suggest_severity(criteria: Criteria, severities: Sequence[str]) -> str:
    """Most severe for lost or exposed data, then broad user impact, then any user impact."""
    if criteria.data_lost or criteria.data_exposed:
        rank = 0
    elif criteria.user_facing and (criteria.multiple_teams or criteria.too_long):
        rank = 1
    elif criteria.user_facing or criteria.multiple_teams or criteria.too_long:
        rank = 2
    else:
        rank = 3
    return severities[min(rank, len(severities) - 1)]


def recommendation(criteria: Criteria) -> str:
    yes = [CRITERIA[name] for name in CRITERIA if getattr(criteria, name)]
    if yes:
        reasons = "; ".join(question.rstrip("?").lower() for question in yes)
        return f"Declare: at least one answer is yes ({reasons})."
    return (
        "No answer is yes, so this may not be an incident yet. Declaring early is cheap: "
        "if in doubt, declare, and resolve it when it turns out to be nothing."
    )


def criteria_phrase(criteria: Criteria) -> str:
    yes = [name.replace("_", " ") for name in CRITERIA if getattr(criteria, name)]
    return ", ".join(yes)


@dataclass(frozen=True)
class Declaration:
    front_matter: dict[str, Any]
    entry: TimelineEntry
    title: str


def declare(
    *,
    incident_id: str,
    title: str,
    severity: str,
    criteria: Criteria,
    by: str,
    at: datetime,
    services: Sequence[str] = (),
    tags: Sequence[str] = (),
) -> Declaration:
    """A new incident, investigating, with the declarer holding all three roles."""
    clean_title = " ".join(title.split())
    if not clean_title:
        raise UsageError("an incident needs a title: what is wrong, in a few words")
    front: dict[str, Any] = {
        "id": incident_id,
        "title": clean_title,
        "severity": severity,
        "status": IncidentStatus.INVESTIGATING.value,
        "declared_at": at,
        "declared_by": by,
        "services": list(services),
        "tags": list(tags),
        "criteria": criteria.model_dump(),
        "roles": {role.value: by for role in Role},
        "status_history": [{"status": IncidentStatus.INVESTIGATING.value, "at": at}],
    }
    reasons = criteria_phrase(criteria)
    text = f"Declared {severity} incident" + (f" ({reasons})" if reasons else "")
    text += f", status investigating; {by} is Incident Commander."
    entry = TimelineEntry(time=at, kind=EntryKind.STATUS, author=by, text=text)
    return Declaration(front, entry, clean_title)


# --- roles --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tenure:
    """Who held a role, from when until when (None: still holds it)."""

    role: Role
    holder: str
    start: datetime
    end: datetime | None = None


@dataclass(frozen=True)
class RoleProblem:
    code: str
    message: str
    handoff: int | None = None
    """Index in `handoffs` the problem is about; None for the current `roles`."""
    role: Role | None = None


@dataclass(frozen=True)
class RoleReplay:
    holders: dict[Role, str]
    tenures: tuple[Tenure, ...]
    delegated: frozenset[Role]
    problems: tuple[RoleProblem, ...] = field(default=())


def _same(a: str, b: str) -> bool:
    return a.casefold() == b.casefold()


def replay_roles(incident: Incident) -> RoleReplay:
    """Replay `handoffs` from the declarer holding every role, and say what does not add up.

    A role is delegated once it is handed off on its own; until then it moves with command.
    """
    start = incident.declared_at
    holders = dict.fromkeys(Role, incident.declared_by)
    since = dict.fromkeys(Role, start)
    tenures: list[Tenure] = []
    delegated: set[Role] = set()
    problems: list[RoleProblem] = []
    reported: set[Role] = set()
    order = sorted(range(len(incident.handoffs)), key=lambda i: incident.handoffs[i].at)
    carry: tuple[datetime, str, str, set[Role]] | None = None
    for position, index in enumerate(order):
        handoff = incident.handoffs[index]
        role = handoff.role
        if handoff.at < start:
            problems.append(
                RoleProblem(
                    "RL005",
                    f"handoff of {role.label} at {format_time(handoff.at)} is before the "
                    f"incident was declared ({format_time(start)})",
                    index,
                    role,
                )
            )
        holder = holders[role]
        if not _same(handoff.from_, holder):
            problems.append(
                RoleProblem(
                    "RL002",
                    f"handoff of {role.label} at {format_time(handoff.at)} is from "
                    f"'{handoff.from_}', but '{holder}' held the role then",
                    index,
                    role,
                )
            )
        elif _same(handoff.to, holder):
            problems.append(
                RoleProblem(
                    "RL002",
                    f"handoff of {role.label} at {format_time(handoff.at)} hands it to "
                    f"'{holder}', who already held it",
                    index,
                    role,
                )
            )
        if role is Role.INCIDENT_COMMANDER:
            pending = {r for r in DELEGABLE if r not in delegated and _same(holders[r], holder)}
            carry = (handoff.at, holder, handoff.to, pending)
        elif (
            carry is not None
            and carry[0] == handoff.at
            and role in carry[3]
            and _same(handoff.from_, carry[1])
            and _same(handoff.to, carry[2])
        ):
            carry[3].discard(role)
        else:
            delegated.add(role)
        tenures.append(Tenure(role, holders[role], since[role], handoff.at))
        holders[role] = handoff.to
        since[role] = handoff.at
        last_of_moment = position + 1 == len(order) or (
            incident.handoffs[order[position + 1]].at != handoff.at
        )
        if last_of_moment:
            commander = holders[Role.INCIDENT_COMMANDER]
            for other in DELEGABLE:
                if other in delegated or other in reported or _same(holders[other], commander):
                    continue
                reported.add(other)
                problems.append(
                    RoleProblem(
                        "RL003",
                        f"{other.label} was never delegated, so it belongs to the Incident "
                        f"Commander '{commander}', but '{holders[other]}' holds it from "
                        f"{format_time(handoff.at)}: hand it over along with command",
                        index,
                        other,
                    )
                )
    for role in Role:
        tenures.append(Tenure(role, holders[role], since[role], None))
        recorded = getattr(incident.roles, role.value)
        if not _same(recorded, holders[role]):
            problems.append(
                RoleProblem(
                    "RL004",
                    f"roles.{role.value} is '{recorded}', but replaying the handoffs from the "
                    f"declarer '{incident.declared_by}' gives '{holders[role]}'",
                    None,
                    role,
                )
            )
    tenures.sort(key=lambda t: (list(Role).index(t.role), t.start))
    return RoleReplay(holders, tuple(tenures), frozenset(delegated), tuple(problems))


def assign(incident: Incident, role: Role, person: str, *, by: str, at: datetime) -> Change:
    """Hand a role to someone; handing off command takes the roles never delegated along."""
    current = getattr(incident.roles, role.value)
    if _same(current, person):
        raise UsageError(f"{person} already holds {role.label}")
    if at < incident.declared_at:
        raise UsageError(
            f"a handoff cannot be before the incident was declared "
            f"({format_time(incident.declared_at)})"
        )
    if incident.handoffs and at < max(h.at for h in incident.handoffs):
        latest = max(h.at for h in incident.handoffs)
        raise UsageError(
            f"the last handoff was at {format_time(latest)}: a new one cannot be earlier"
        )
    moved = [role]
    if role is Role.INCIDENT_COMMANDER:
        replay = replay_roles(incident)
        moved += [
            r
            for r in DELEGABLE
            if r not in replay.delegated and _same(getattr(incident.roles, r.value), current)
        ]
    appends = tuple(
        ("handoffs", {"at": at, "role": r.value, "from": current, "to": person}) for r in moved
    )
    sets = tuple((("roles", r.value), person) for r in moved)
    text = f"{role.label} handed from {current} to {person}"
    if len(moved) > 1:
        carried = " and ".join(r.label for r in moved[1:])
        text += f", with {carried} (not yet delegated)"
    entry = TimelineEntry(time=at, kind=EntryKind.HANDOFF, author=by, text=text + ".")
    return Change(sets=sets, appends=appends, entries=(entry,), notes=(text + ".",))


# --- the timeline and status ------------------------------------------------------------------


def log_entry(
    incident: Incident,
    kind: EntryKind,
    text: str,
    *,
    by: str,
    at: datetime,
    action: MitigationAction | None = None,
) -> Change:
    """A timeline entry; a mitigation also sets `mitigated_at` when it is not set yet."""
    words = " ".join(text.split())
    if not words:
        raise UsageError("nothing to log: give the text of the entry (or '-' to read stdin)")
    if kind not in LOGGED_KINDS:
        command = "incident assign" if kind is EntryKind.HANDOFF else "incident status"
        raise UsageError(f"{kind.value} entries are written by '{command}'")
    if kind is EntryKind.MITIGATION and action is None:
        raise UsageError(
            "a mitigation names its action: --action " + "|".join(a.value for a in MitigationAction)
        )
    if kind is not EntryKind.MITIGATION and action is not None:
        raise UsageError(f"--action is for mitigations only (use --kind mitigation, not {kind})")
    entry = TimelineEntry(time=at, kind=kind, author=by, text=words, action=action)
    sets: list[tuple[FieldPath, Any]] = []
    notes: list[str] = []
    if kind is EntryKind.MITIGATION and incident.mitigated_at is None:
        floor = incident.started_at or incident.detected_at
        if floor is not None and at < floor:
            notes.append(
                f"mitigated_at left unset: {format_time(at)} is before the incident started"
            )
        else:
            sets.append((("mitigated_at",), at))
            notes.append(f"mitigated_at set to {format_time(at)}")
    return Change(sets=tuple(sets), entries=(entry,), notes=tuple(notes))


def change_status(
    incident: Incident,
    status: IncidentStatus,
    *,
    by: str,
    at: datetime,
    note: str = "",
) -> Change:
    """Move along the state machine, recording when; `resolved` sets `resolved_at`."""
    current = incident.status
    if status is current:
        raise UsageError(f"{incident.id} is already {current}")
    allowed = INCIDENT_TRANSITIONS[current]
    if status not in allowed:
        choices = ", ".join(sorted(s.value for s in allowed)) or "none: it is closed"
        raise UsageError(f"cannot go from {current} to {status} (from {current}: {choices})")
    floor = incident.declared_at
    if incident.status_history:
        floor = max(floor, max(change.at for change in incident.status_history))
    if at < floor:
        raise UsageError(
            f"a status change cannot be before {format_time(floor)} (the last recorded change)"
        )
    sets: list[tuple[FieldPath, Any]] = [(("status",), status.value)]
    if status is IncidentStatus.RESOLVED:
        for name in ("started_at", "detected_at", "mitigated_at"):
            moment = getattr(incident, name)
            if moment is not None and at < moment:
                raise UsageError(
                    f"cannot resolve at {format_time(at)}: {name} is later ({format_time(moment)})"
                )
        sets.append((("resolved_at",), at))
    words = " ".join(note.split())
    label = status.value.capitalize()
    entry = TimelineEntry(
        time=at,
        kind=EntryKind.STATUS,
        author=by,
        text=f"{label}: {words}" if words else f"{label}.",
    )
    return Change(
        sets=tuple(sets),
        appends=(("status_history", {"status": status.value, "at": at}),),
        entries=(entry,),
        notes=(f"{incident.id}: {current} -> {status}",),
    )


def resolve(incident: Incident, summary: str, *, by: str, at: datetime, note: str = "") -> Change:
    words = " ".join(summary.split())
    if not words:
        raise UsageError("a resolved incident needs a summary: --summary 'what happened'")
    change = change_status(incident, IncidentStatus.RESOLVED, by=by, at=at, note=note)
    return Change(
        sets=(*change.sets, (("summary",), words)),
        appends=change.appends,
        entries=change.entries,
        summary=words,
        notes=change.notes,
    )


# --- reading a record back --------------------------------------------------------------------


def start_of(incident: Incident) -> datetime:
    return incident.started_at or incident.declared_at


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


def _clock(moment: datetime) -> str:
    utc = moment.astimezone(UTC)
    return utc.strftime("%H:%M UTC")


def stakeholder_update(
    incident: Incident,
    entries: Sequence[TimelineEntry],
    *,
    now: datetime,
    next_update: timedelta,
    severity_description: str | None = None,
    markdown: bool = True,
) -> str:
    """The Communications Lead's update: status, impact, services, what is being done, next update."""
    resolved = incident.status is IncidentStatus.RESOLVED
    since = next(
        (c.at for c in reversed(incident.status_history) if c.status is incident.status),
        incident.declared_at,
    )
    impact = [IMPACT_PHRASES[n] for n in CRITERIA if getattr(incident.criteria, n)]
    doing = [
        e
        for e in sorted(entries, key=lambda e: e.time)
        if e.kind in (EntryKind.MITIGATION, EntryKind.ACTION, EntryKind.DECISION)
    ][-3:]
    severity = incident.severity + (f" ({severity_description})" if severity_description else "")
    rows: list[tuple[str, str | list[str]]] = [
        ("Status", f"{incident.status.value.capitalize()} since {_clock(since)}"),
        ("Severity", severity),
        ("Impact", " ".join(impact) or "No user impact is known so far."),
        ("Affected services", ", ".join(incident.services) or "being determined"),
    ]
    if resolved:
        rows.append(("Summary", incident.summary or "A summary will follow."))
    else:
        rows.append(
            (
                "What we are doing",
                [
                    f"{_clock(e.time)}"
                    + (f" ({ACTION_PHRASES[e.action]})" if e.action else "")
                    + f": {e.text}"
                    for e in doing
                ]
                or ["Investigating the cause."],
            )
        )
    rows.append(
        (
            "Roles",
            f"Incident Commander {incident.roles.incident_commander}, Communications Lead "
            f"{incident.roles.communications_lead}, Ops Lead {incident.roles.ops_lead}",
        )
    )
    if resolved:
        rows.append(("Next update", "none planned: the incident is resolved; a postmortem follows"))
    else:
        due = now + next_update
        minutes = int(next_update.total_seconds() // 60)
        rows.append(("Next update", f"by {_clock(due)} (in {minutes} minutes)"))
    heading = f"Incident update: {incident.title} ({incident.id}), {_clock(now)}"
    lines = [f"**{heading}**" if markdown else heading, ""]
    for label, value in rows:
        if isinstance(value, list):
            lines.append(f"- **{label}:**" if markdown else f"{label}:")
            lines += [f"  - {item}" for item in value]
        else:
            lines.append(f"- **{label}:** {value}" if markdown else f"{label}: {value}")
    return "\n".join(lines) + "\n"


# --- the postmortem draft ---------------------------------------------------------------------


@dataclass(frozen=True)
class PostmortemDraft:
    front_matter: dict[str, Any]
    body: str


def postmortem_id(incident_id: str) -> str:
    return "PM-" + incident_id.removeprefix("INC-")


def role_lines(incident: Incident, entries: Sequence[TimelineEntry]) -> list[str]:
    """The Responders list: each role with who held it from when, then everyone else who helped."""
    replay = replay_roles(incident)
    lines = []
    holders: set[str] = set()
    for role in Role:
        held = [t for t in replay.tenures if t.role is role]
        holders.update(t.holder.casefold() for t in held)
        spans = ", ".join(
            f"{t.holder} ({format_time(t.start)} to {format_time(t.end)})"
            if t.end
            else f"{t.holder} (from {format_time(t.start)})"
            for t in held
        )
        lines.append(f"- {role.label}: {spans}")
    others = [p for p in responders(incident, entries) if p.casefold() not in holders]
    if others:
        lines.append(f"- Also responded: {', '.join(others)}")
    return lines


def postmortem_draft(
    incident: Incident,
    entries: Sequence[TimelineEntry],
    timeline_lines: Sequence[str],
    *,
    sections: Sequence[str],
    authors: Sequence[str],
) -> PostmortemDraft:
    """A draft postmortem pre-filled from the incident; what only people can write stays TODO."""
    front: dict[str, Any] = {
        "id": postmortem_id(incident.id),
        "title": f"Postmortem: {incident.title}",
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
    if incident.resolved_at is not None:
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
        facts.append(
            f"From start to resolution: {format_offset(incident.resolved_at - start_of(incident))}."
        )
    mitigations = [
        f"{format_time(e.time)} {e.action.value if e.action else 'other'}: {e.text}"
        for e in entries
        if e.kind is EntryKind.MITIGATION
    ]
    filled: dict[str, str] = {
        "timeline": "\n".join(timeline_lines),
        "responders": "\n".join(role_lines(incident, entries)),
        "impact": templates.placeholder("impact")
        + "\n\n"
        + templates.comment("From the incident record: " + " ".join(facts)),
    }
    if incident.summary:
        filled["summary"] = incident.summary
    if mitigations:
        filled["mitigation"] = (
            templates.placeholder("mitigation")
            + "\n\n"
            + templates.comment("Mitigations in the timeline: " + "; ".join(mitigations))
        )
    body = templates.postmortem_body(
        str(front["title"]),
        [(title, filled.get(title.strip().casefold(), "")) for title in sections],
    )
    return PostmortemDraft(front, body)
