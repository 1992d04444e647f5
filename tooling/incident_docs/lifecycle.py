"""Running an incident: declare, hand off roles, log, change status, resolve. Pure; the clock is passed in."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from incident_docs.diagnostics import UsageError
from incident_docs.document import scan_blocks
from incident_docs.handoffs import (
    DELEGABLE,
    replay_roles,
    resolved_at_the_time,
    resolved_spans,
    same_handle,
)
from incident_docs.models import (
    CRITERIA,
    INCIDENT_TRANSITIONS,
    TITLE_LENGTH,
    Criteria,
    EntryKind,
    Incident,
    IncidentStatus,
    MitigationAction,
    Role,
    TimelineEntry,
)
from incident_docs.terminal import NOT_UTF8, control_at
from incident_docs.timeline import format_time, logged_note

Clock = Callable[[], datetime]
FieldPath = tuple[str | int, ...]
"""Keys from the top of the front-matter down; an int is a position in a list."""

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
    inserts: tuple[tuple[str, int, dict[str, Any]], ...] = ()
    """Items inserted into top-level front-matter lists at a position (a backfilled handoff)."""
    removes: tuple[str, ...] = ()
    """Top-level front-matter keys to remove (`resolved_at` of a reopened incident)."""
    entries: tuple[TimelineEntry, ...] = ()
    """Timeline entries, inserted in time order."""
    summary: str | None = None
    """Text for the `## Summary` section when it still holds only its placeholder."""
    notes: tuple[str, ...] = ()
    """What the command did or noticed, for the person who ran it."""


# --- names, IDs and parsing -------------------------------------------------------------------


_UNDECOMPOSED = str.maketrans(
    {
        "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ß": "ss", "ẞ": "SS",
        "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "ł": "l", "Ł": "L", "þ": "th", "Þ": "TH",
        "\u0131": "i", "ħ": "h", "Ħ": "H", "ŧ": "t", "Ŧ": "T", "ŋ": "ng", "Ŋ": "NG", "ĸ": "k",
    }
)  # fmt: skip
"""Latin letters that Unicode does not decompose into an ASCII letter and a mark ("Tromsø",
"Łódź", "Straße"): spelled in ASCII as their languages do, not dropped."""


def slugify(text: str, max_length: int = SLUG_LENGTH, default: str = DEFAULT_SLUG) -> str:
    """Lower-case ASCII letters, digits and single hyphens, cut at a word boundary; `default`
    when none is left."""
    text = text.translate(_UNDECOMPOSED)
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_length:
        cut = slug[:max_length]
        if slug[max_length] != "-" and "-" in cut:
            cut = cut.rsplit("-", 1)[0]
        slug = cut.strip("-")
    return slug or default


def new_id(
    prefix: str, day: date, title: str, taken: Iterable[str], services: Sequence[str] = ()
) -> str:
    """A merge-safe ID: date plus slug of the title, with -2, -3... when that one is taken. A
    title with no letter ASCII can spell ("決済の障害", "Сбой оплаты") is named after the
    services too: every such incident of a day would otherwise be `-incident`, `-incident-2`,
    two branches would pick the same, and a title of digits would read as a number after the
    date (`INC-2024-05-02-2`). Such a title that is not plain ASCII also gets a few letters of
    its digest: two such incidents of a day about the same services (or none) are told apart
    on two branches too, as two titles ASCII spells are, and not by the next number free on
    each."""
    slug = slugify(title, default="")
    if re.search("[a-z]", slug) is None:
        slug = "-".join(part for part in (slugify(" ".join(services)), slug) if part)
        if not title.isascii():
            written = unicodedata.normalize("NFC", " ".join(title.split()))
            digest = hashlib.sha256(written.encode()).hexdigest()
            slug = f"{slugify(slug, SLUG_LENGTH - 7)}-{digest[:6]}"
    base = f"{prefix}-{day.isoformat()}-{slugify(slug)}"
    used = {t.casefold() for t in taken}
    candidate, number = base, 2
    while candidate.casefold() in used:
        candidate = f"{base}-{number}"
        number += 1
    return candidate


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


def _plain(text: str, what: str) -> str:
    """The text, refused when it holds a character a terminal would obey (see terminal.control_at;
    lint's IO007 names the same ones): an escape sequence in a record would reach the terminal of
    whoever shows it."""
    at = control_at(text)
    if at >= 0:
        raise UsageError(f"{what} holds a control character (U+{ord(text[at]):04X}); remove it")
    if opens_comment(text):
        # Read from the record, "<!-- incident-docs disable BL -->" would be a lint directive,
        # and a postmortem draft copying the text would carry it to the sections written after.
        raise UsageError(
            f"{what} holds '<!--', which opens an HTML comment in the record (and lint reads an "
            "'incident-docs' one as a suppression): write it as code, `<!--`, or leave it out"
        )
    if NOT_UTF8.search(text) is not None:
        # Typed at a prompt (the arguments are refused before): no record can hold it, and YAML
        # would write it as an escape that no longer parses.
        raise UsageError(f"{what} holds bytes that are not valid UTF-8; nothing was written")
    return text


def _shows(text: str) -> bool:
    """Some character of the text shows: not only spaces and characters that show as nothing
    (a zero-width space, a joiner, a direction mark: Unicode's format characters)."""
    return any(not ch.isspace() and unicodedata.category(ch) != "Cf" for ch in text)


def opens_comment(text: str, *, block: bool = False) -> bool:
    """Some '<!--' of the text stands outside a code span: written into a record's body, it
    opens an HTML comment there. Code spans are found line by line, as lint finds them around
    a suppression comment: a backtick on another line hides nothing. `block`: the text is
    written as Markdown blocks of its own (a summary), so its code blocks hide what they hold
    too; otherwise it goes into a line (a timeline entry), where indentation makes no code."""
    return comment_line(text, block=block) >= 0


def comment_line(text: str, *, block: bool = False) -> int:
    """The index of the first line of the text where '<!--' opens a comment (see
    opens_comment), or -1."""
    if "<!--" not in text:
        return -1
    from incident_docs.rules.suppression import code_spans  # the rules import this module

    lines = text.split("\n")
    code: set[int] = set()
    if block:
        for found in scan_blocks(lines):
            if found.kind == "code":
                code.update(range(found.line - 1, found.end_line))
    for index, line in enumerate(lines):
        if index in code:
            continue
        spans = code_spans(line) if "`" in line else []
        if any(
            not any(start <= found.start() < end for start, end in spans)
            for found in re.finditer("<!--", line)
        ):
            return index
    return -1


def incident_title(title: str) -> str:
    """The title as an incident record keeps it: one line of words, not empty, not over
    TITLE_LENGTH characters, no control characters."""
    clean_title = _plain(" ".join(title.split()), "the title")
    if not _shows(clean_title):
        raise UsageError("an incident needs a title: what is wrong, in a few words")
    if len(clean_title) > TITLE_LENGTH:
        raise UsageError(
            f"the title is {len(clean_title):,} characters; keep it to {TITLE_LENGTH}, "
            "and put the rest in the summary"
        )
    return clean_title


_DECLARED = re.compile(
    r"Declared .+? incident(?: \(.*\))?, status investigating; .+ is Incident Commander\."
)
"""The entry `declare` writes: the severity, the yes answers and who took command."""


def is_declaration(entry: TimelineEntry) -> bool:
    """Whether the entry is the one `declare` wrote: it says who declared, not what went wrong."""
    return entry.kind is EntryKind.STATUS and _DECLARED.fullmatch(entry.text) is not None


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
    audiences: Mapping[str, str] | None = None,
) -> Declaration:
    """A new incident, investigating, with the declarer holding all three roles."""
    clean_title = incident_title(title)
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
        **({"audiences": harms(audiences)} if audiences else {}),
        "roles": {role.value: by for role in Role},
        "status_history": [{"status": IncidentStatus.INVESTIGATING.value, "at": at}],
    }
    reasons = criteria_phrase(criteria)
    text = f"Declared {severity} incident" + (f" ({reasons})" if reasons else "")
    text += f", status investigating; {by} is Incident Commander."
    entry = TimelineEntry(time=at, kind=EntryKind.STATUS, author=by, text=text)
    return Declaration(front, entry, clean_title)


def harm_text(name: str, harm: str) -> str:
    """The harm to an audience as a record keeps it: one line, no control characters, and
    something that shows."""
    words = _plain(" ".join(harm.split()), f"the harm to {name}")
    if words and not _shows(words):
        raise UsageError(f"the harm to {name} shows nothing: describe it in one line")
    return words


def harms(given: Mapping[str, str]) -> dict[str, str]:
    """Each audience's harm as a record keeps it (harm_text)."""
    return {name: harm_text(name, harm) for name, harm in given.items()}


def add_audiences(
    incident: Incident, given: Mapping[str, str]
) -> tuple[tuple[FieldPath, Any], ...]:
    """Front-matter sets for audiences newly named, or whose harm is described anew."""
    sets: list[tuple[FieldPath, Any]] = []
    for name, words in harms(given).items():
        if getattr(incident.audiences, name) != words:
            sets.append((("audiences", name), words))
    return tuple(sets)


def combine(first: Change, second: Change) -> Change:
    """Two changes as one edit of the record (one write, one confirmation)."""
    return Change(
        sets=first.sets + second.sets,
        appends=first.appends + second.appends,
        inserts=first.inserts + second.inserts,
        removes=first.removes + second.removes,
        entries=first.entries + second.entries,
        summary=first.summary if first.summary is not None else second.summary,
        notes=first.notes + second.notes,
    )


# --- roles --------------------------------------------------------------------------------------


def assign(
    incident: Incident, role: Role, person: str, *, by: str, at: datetime, outside: bool = False
) -> Change:
    """Hand a role to someone; handing off command takes the roles never delegated along.

    A handoff backfilled with --at goes into the history in time order, provided no later
    handoff moves the same roles (that one would then be from the wrong person).
    """
    if incident.status is IncidentStatus.RESOLVED:
        raise UsageError(
            f"{incident.id} is resolved: roles do not change once an incident has ended "
            "('incident reopen --because WHY' if it has not)"
        )
    if at < incident.declared_at:
        raise UsageError(
            f"a handoff cannot be before the incident was declared "
            f"({format_time(incident.declared_at)})"
        )
    ended = resolved_at_the_time(resolved_spans(incident), at)
    if ended is not None:
        raise UsageError(
            f"a handoff cannot be at {format_time(at)}: the incident was resolved then "
            f"({format_time(ended)}), and roles do not change once an incident has ended"
        )
    earlier = [h for h in incident.handoffs if h.at <= at]
    replay = replay_roles(incident.model_copy(update={"handoffs": tuple(earlier)}))
    current = replay.holders[role]
    if same_handle(current, person):
        raise UsageError(f"{person} already holds {role.label} at {format_time(at)}")
    moved = [role]
    if role is Role.INCIDENT_COMMANDER:
        moved += [
            r
            for r in DELEGABLE
            if r not in replay.delegated and same_handle(replay.holders[r], current)
        ]
    later = [h for h in incident.handoffs if h.at > at and h.role in moved]
    if later:
        first = min(later, key=lambda h: h.at)
        raise UsageError(
            f"{first.role.label} was handed from {first.from_} to {first.to} at "
            f"{format_time(first.at)}, after {format_time(at)}: a handoff before it would change "
            "who handed it over then; edit the handoffs in the record by hand"
        )
    position = max((i + 1 for i, h in enumerate(incident.handoffs) if h.at <= at), default=0)
    items = [{"at": at, "role": r.value, "from": current, "to": person} for r in moved]
    if position == len(incident.handoffs):
        appends = tuple(("handoffs", item) for item in items)
        inserts: tuple[tuple[str, int, dict[str, Any]], ...] = ()
    else:
        appends = ()
        inserts = tuple(("handoffs", position + i, item) for i, item in enumerate(items))
    sets: tuple[tuple[FieldPath, Any], ...] = tuple((("roles", r.value), person) for r in moved)
    if outside and not any(same_handle(person, h) for h in incident.outside_responders):
        # Said once in the record, so lint knows the roster does not list them on purpose.
        sets += ((("outside_responders",), [*incident.outside_responders, person]),)
    text = f"{role.label} handed from {current} to {person}"
    if len(moved) > 1:
        carried = " and ".join(r.label for r in moved[1:])
        text += f", with {carried} (not yet delegated)"
    entry = TimelineEntry(time=at, kind=EntryKind.HANDOFF, author=by, text=text + ".")
    return Change(
        sets=sets, appends=appends, inserts=inserts, entries=(entry,), notes=(text + ".",)
    )


# --- the timeline and status ------------------------------------------------------------------


def log_entry(
    incident: Incident,
    kind: EntryKind,
    text: str,
    *,
    by: str,
    at: datetime,
    action: MitigationAction | None = None,
    internal: bool = False,
    last_update: datetime | None = None,
    now: datetime | None = None,
) -> Change:
    """A timeline entry; a mitigation also sets `mitigated_at` when it is not set yet, or is
    later than this one (backfilled with --at): the first mitigation in time sets it.

    An entry timed before the last stakeholder update logged (`last_update`) goes before it in
    the timeline, yet that update never saw it: its text says when it was logged (`now`), so
    that the next update reports it."""
    words = _plain(" ".join(text.split()), "the entry")
    if not _shows(words):
        raise UsageError("nothing to log: give the text of the entry (or '-' to read stdin)")
    notes: list[str] = []
    if last_update is not None and now is not None and at < last_update:
        words += logged_note(now)
        notes.append(
            f"timed before the last stakeholder update ({format_time(last_update)}): the entry "
            f"ends '(logged {format_time(now)})', so that the next update reports it"
        )
    if kind not in LOGGED_KINDS:
        command = "incident assign" if kind is EntryKind.HANDOFF else "incident status"
        raise UsageError(f"{kind.value} entries are written by '{command}'")
    if kind is EntryKind.MITIGATION and action is None:
        raise UsageError(
            "a mitigation names its action: " + ", ".join(a.value for a in MitigationAction)
        )
    if kind is not EntryKind.MITIGATION and action is not None:
        raise UsageError(f"an action is for mitigations only, not a {kind} entry")
    entry = TimelineEntry(
        time=at, kind=kind, author=by, text=words, action=action, internal=internal
    )
    sets: list[tuple[FieldPath, Any]] = []
    if incident.status is IncidentStatus.RESOLVED:
        notes.append(
            f"{incident.id} is resolved: the entry is added to its record; if the incident is "
            "not over, 'incident reopen --because WHY'"
        )
    ended = incident.status is IncidentStatus.RESOLVED
    earlier = incident.mitigated_at is None or at < incident.mitigated_at
    if kind is EntryKind.MITIGATION and earlier and not ended:
        # Not before the impact started, nor before it was detected (lint's order).
        known = [m for m in (incident.started_at, incident.detected_at) if m is not None]
        floor = max(known) if known else None
        if floor is not None and at < floor:
            notes.append(
                f"mitigated_at left {'unset' if incident.mitigated_at is None else 'as it was'}: "
                f"{format_time(at)} is before the incident started or was detected"
            )
        else:
            sets.append((("mitigated_at",), at))
            moved = "" if incident.mitigated_at is None else " (the first mitigation in time)"
            notes.append(f"mitigated_at set to {format_time(at)}{moved}")
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
    if current is IncidentStatus.RESOLVED:
        raise UsageError(
            f"{incident.id} is resolved; if it is not over, reopen it: "
            "incident reopen --because WHY"
        )
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
        # Roles do not change once it has ended: a later handoff would have a holder whose
        # tenure ends before it starts.
        handed = max((h.at for h in incident.handoffs), default=None)
        if handed is not None and at < handed:
            raise UsageError(
                f"cannot resolve at {format_time(at)}: a role was handed off later "
                f"({format_time(handed)})"
            )
        sets.append((("resolved_at",), at))
    words = _plain(" ".join(note.split()), "the note")
    if not _shows(words):
        words = ""  # no note: "Identified." rather than a line that ends in nothing visible
    label = status.value.capitalize()
    entry = TimelineEntry(
        time=at,
        kind=EntryKind.STATUS,
        author=by,
        text=f"{label}: {words}" if words else f"{label}.",
    )
    appends = [("status_history", {"status": status.value, "at": at})]
    if status is not IncidentStatus.INVESTIGATING:
        appends[:0] = _history_start(incident)
    return Change(
        sets=tuple(sets),
        appends=tuple(appends),
        entries=(entry,),
        notes=(f"{incident.id}: {current} -> {status}",),
    )


def resolve(incident: Incident, summary: str, *, by: str, at: datetime, note: str = "") -> Change:
    words = _plain(" ".join(summary.split()), "the summary")
    if not _shows(words):
        raise UsageError("a resolved incident needs a summary of what happened")
    change = change_status(incident, IncidentStatus.RESOLVED, by=by, at=at, note=note)
    return Change(
        sets=(*change.sets, (("summary",), words)),
        appends=change.appends,
        entries=change.entries,
        summary=words,
        notes=change.notes,
    )


def _history_start(incident: Incident) -> list[tuple[str, dict[str, Any]]]:
    """The status history a record kept without one (written by hand or by another tool) starts
    with before a change: as `declare` starts it, investigating from the declaration, as lint
    asks, then resolved at `resolved_at`, which reopening removes; nothing for a record with one."""
    if incident.status_history:
        return []
    changes = [(IncidentStatus.INVESTIGATING, incident.declared_at)]
    if incident.status is IncidentStatus.RESOLVED and incident.resolved_at is not None:
        changes.append((IncidentStatus.RESOLVED, incident.resolved_at))
    return [("status_history", {"status": status.value, "at": at}) for status, at in changes]


def reopen(incident: Incident, because: str, *, by: str, at: datetime) -> Change:
    """Back to investigating: the reason in the timeline and the status history, the end
    time removed (the history keeps when it was first resolved)."""
    words = _plain(" ".join(because.split()), "the reason")
    if not _shows(words):
        raise UsageError("say why it is reopened: incident reopen --because 'errors are back'")
    if incident.status is not IncidentStatus.RESOLVED:
        raise UsageError(f"{incident.id} is {incident.status}, not resolved: nothing to reopen")
    floor = max([incident.declared_at, *(c.at for c in incident.status_history)])
    if incident.resolved_at is not None:
        floor = max(floor, incident.resolved_at)
    if at < floor:
        raise UsageError(f"it cannot be reopened before it was resolved ({format_time(floor)})")
    status = IncidentStatus.INVESTIGATING
    entry = TimelineEntry(time=at, kind=EntryKind.STATUS, author=by, text=f"Reopened: {words}")
    reopened = ("status_history", {"status": status.value, "at": at, "note": words})
    return Change(
        sets=((("status",), status.value),),
        appends=(*_history_start(incident), reopened),
        removes=("resolved_at",),
        entries=(entry,),
        notes=(f"{incident.id}: resolved -> {status} (reopened)",),
    )


# --- reading a record back --------------------------------------------------------------------


# --- the postmortem draft ---------------------------------------------------------------------
