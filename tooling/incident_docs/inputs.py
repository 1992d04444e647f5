"""What people type on the command line, parsed: times, durations, reasons, roles, actions, statuses.

The parsers name the flags their errors are about (`--at`, `--because`, `--action`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta

from incident_docs.diagnostics import UsageError
from incident_docs.models import (
    AUDIENCES,
    CRITERIA,
    EARLIEST_YEAR,
    HARM_LENGTH,
    LATEST_YEAR,
    Criteria,
    EntryKind,
    IncidentStatus,
    MitigationAction,
    Role,
)
from incident_docs.terminal import quoted
from incident_docs.timeline import format_time, impossible_time

CRITERION_OPTIONS: dict[str, str] = {name.replace("_", "-"): name for name in CRITERIA}
"""`--because` spellings: user-facing -> user_facing."""


_DURATION = re.compile(
    r"^(?:(?P<h>\d+)\s*h(?:ours?|rs?)?)?\s*(?:(?P<m>\d+)\s*m(?:in(?:utes?|s)?)?)?$"
)

LONGEST_DURATION = timedelta(days=1000 * 365)
"""Longer durations are refused: no incident needs them, and they break time arithmetic."""


def require_given(values: Iterable[str], option: str, what: str = "a name") -> None:
    """Refuse a filter given empty (an unset variable in a script, "--owner $OWNER"): read as
    no filter at all, it would list everything."""
    for value in values:
        if not value.replace(",", "").strip():
            raise UsageError(f"{option} {value!r}: give {what} (several with commas)")


def parse_day(text: str | None, *, option: str = "--today") -> date:
    """A calendar date like 2024-05-31; None is today in UTC."""
    if text is None:
        return datetime.now(UTC).date()
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"{option} {quoted(text)} is not a date like 2024-05-31") from None


def parse_audiences(values: Iterable[str]) -> dict[str, str]:
    """`--audience users="Checkout fails"`: who is hurt, and how, in one line each."""
    found: dict[str, str] = {}
    for value in values:
        name, sep, harm = value.partition("=")
        key = name.strip().lower()
        if key not in AUDIENCES:
            raise UsageError(
                f"--audience '{value}': say who is hurt first: "
                + ", ".join(f"{a}=HARM" for a in AUDIENCES)
            )
        words = " ".join(harm.split())
        if not sep or not words:
            raise UsageError(
                f"--audience {key}: describe the harm in one line, e.g. "
                f'--audience "{key}=Checkout fails for a third of shoppers"'
            )
        found[key] = one_line_harm(words, f"--audience {key}")
    return found


def one_line_harm(text: str, what: str) -> str:
    """The harm in one line, refused over HARM_LENGTH characters (what a record takes); `what`
    names it in the error."""
    words = " ".join(text.split())
    if len(words) > HARM_LENGTH:
        raise UsageError(f"{what}: the harm is one line ({HARM_LENGTH} characters at most)")
    return words


def parse_duration(text: str) -> timedelta:
    """'30m', '1h', '1h30m', '90' (minutes)."""
    duration = _duration(text)
    if duration is None:
        raise UsageError(f"{quoted(text)} is too long a duration: at most 1000 years")
    return duration


NEXT_UPDATE_LONGEST = timedelta(days=7)
"""The furthest off a stakeholder update may promise the next: a week is already a long wait for
news, and '10000h' is a slip of the keyboard, not a plan."""


def parse_next_update(text: str) -> timedelta:
    """When the next stakeholder update is due, from now: at least a minute (an update due now
    promises nothing) and at most NEXT_UPDATE_LONGEST."""
    try:
        interval = _duration(text)
    except UsageError:
        raise UsageError(
            f"--next-update {quoted(text)} is not a duration: write it like 30m, 1h or 1h30m"
        ) from None
    if interval is None or interval > NEXT_UPDATE_LONGEST:
        raise UsageError(
            f"--next-update {quoted(text)} is too long: the next update is at most 168h (a week) away"
        )
    if interval < timedelta(minutes=1):
        raise UsageError(f"--next-update {quoted(text)}: the next update is at least a minute away")
    return interval


def _duration(text: str) -> timedelta | None:
    """The duration, or None when it is well formed but too long."""
    value = text.strip().lower()
    match = None if value.isdecimal() else _DURATION.match(value)
    if not value.isdecimal() and (
        not value or match is None or not (match.group("h") or match.group("m"))
    ):
        raise UsageError(f"{quoted(text)} is not a duration: write it like 30m, 1h or 1h30m")
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
        try:
            duration = _duration(relative.group("a") or relative.group("b") or "")
        except UsageError:
            raise UsageError(
                f"{option} {quoted(text)} is not a time: write it like -15m, 1h30m ago or "
                "2022-12-25T12:32:00Z"
            ) from None
        moment = datetime.min.replace(tzinfo=UTC) if duration is None else now - duration
        return _plausible(moment, text, option)
    impossible = impossible_time(value)
    if impossible is not None:  # written as a time, but naming no moment
        raise UsageError(f"{option} {quoted(text)} {impossible}")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(
            f"{option} {quoted(text)} is not a time: write it like 2022-12-25T12:32:00Z, "
            "2022-12-25T13:32:00+01:00 or -15m"
        ) from None
    # Out of range first: a time with no offset is told to add one, in an example that must be
    # accepted.
    _plausible(moment, text, option)
    if moment.tzinfo is None or moment.utcoffset() is None:
        # The example is the same moment in UTC, written in full: a date alone ('2024-05-02')
        # takes no 'Z' of its own.
        example = format_time(moment.replace(tzinfo=UTC))
        raise UsageError(
            f"{option} {quoted(text)} has no UTC offset: add 'Z' or '+HH:MM' "
            f"(e.g. {example}), so everyone reads the same moment"
        )
    offset = moment.utcoffset()
    if offset is not None and offset % timedelta(minutes=1):
        raise UsageError(
            f"{option} {quoted(text)} has seconds in its UTC offset: write the offset as +HH:MM, "
            "as records do"
        )
    if moment > now + timedelta(minutes=1):
        raise UsageError(f"{option} {quoted(text)} is in the future (now is {format_time(now)})")
    return moment.replace(microsecond=0)


def _plausible(moment: datetime, text: str, option: str) -> datetime:
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise UsageError(
            f"{option} {quoted(text)} is not a plausible time: it must be between "
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
            f"{quoted(text)} is not a role: use {', '.join(r.option for r in Role)} (or ic, comms, ops)"
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
            f"{quoted(text)} is not a mitigation action: use "
            f"{', '.join(a.value for a in MitigationAction)}"
        )
    return found


def parse_status(text: str) -> IncidentStatus:
    word = text.strip().lower()
    matches = [s for s in IncidentStatus if s.value.startswith(word) and word]
    if len(matches) != 1:
        raise UsageError(
            f"{quoted(text)} is not a status: use {', '.join(s.value for s in IncidentStatus)}"
        )
    return matches[0]


def match_severity(text: str, names: Sequence[str], written: Iterable[str] = ()) -> str:
    """A configured severity by name, case-insensitively; '2' finds SEV2 when that is unique.
    `written`: severities that records use though the configuration does not name them (SEV2
    of old records after a move to P1…), found by their whole name."""
    wanted = text.strip().casefold()
    for name in names:
        if name.casefold() == wanted:
            return name
    endings = [n for n in names if wanted and n.casefold().endswith(wanted)]
    if len(endings) == 1:
        return endings[0]
    others: dict[str, str] = {}  # one spelling of each: "sev2" and "SEV2" are one severity
    for name in sorted(written):
        others.setdefault(name.casefold(), name)
    for name in names:
        others.pop(name.casefold(), None)
    if wanted in others:
        return others[wanted]
    also = f" (or one that records use: {', '.join(others.values())})" if others else ""
    raise UsageError(
        f"{quoted(text)} is not a configured severity: use one of {', '.join(names)}{also}"
    )


def parse_statuses(values: Iterable[str]) -> frozenset[IncidentStatus]:
    """`--status` values, repeatable or comma-separated; `open` is every status but resolved."""
    wanted: set[IncidentStatus] = set()
    for value in (part for item in values for part in item.split(",") if part.strip()):
        if value.strip().lower() == "open":
            wanted |= set(IncidentStatus) - {IncidentStatus.RESOLVED}
            continue
        try:
            wanted.add(parse_status(value))
        except UsageError:
            known = ", ".join(s.value for s in IncidentStatus)
            raise UsageError(
                f"'{value.strip()}' is not a status: use {known}, or open (all but resolved)"
            ) from None
    return frozenset(wanted)


def parse_severities(
    values: Iterable[str], names: Sequence[str], written: Iterable[str] = ()
) -> frozenset[str]:
    """`--severity` values, repeatable or comma-separated, matched to the configured names, or
    to one that records use (`written`) though the configuration does not name it."""
    used = tuple(written)
    return frozenset(
        match_severity(part, names, used)
        for item in values
        for part in item.split(",")
        if part.strip()
    )


def parse_entry_kind(
    kind: str | None, action: str | None
) -> tuple[EntryKind, MitigationAction | None]:
    """`incident log --kind K --action A`: an action alone means a mitigation."""
    chosen = parse_action(action) if action else None
    if kind is None:
        return (EntryKind.MITIGATION if chosen else EntryKind.NOTE), chosen
    entry_kind = EntryKind(kind.lower())
    if entry_kind is EntryKind.MITIGATION and chosen is None:
        raise UsageError(
            "a mitigation names its action: --action " + "|".join(a.value for a in MitigationAction)
        )
    if entry_kind is not EntryKind.MITIGATION and chosen is not None:
        raise UsageError(
            f"--action is for mitigations only (use --kind mitigation, not {entry_kind})"
        )
    return entry_kind, chosen
