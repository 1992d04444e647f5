"""The records: incidents, postmortems, action items, the roster, and their state machines. No I/O."""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Literal, TypeGuard

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
)

INCIDENT_ID_RE = re.compile(r"^INC-\d{4}-\d{2}-\d{2}-[a-z0-9]+(?:-[a-z0-9]+)*$")
POSTMORTEM_ID_RE = re.compile(r"^PM-\d{4}-\d{2}-\d{2}-[a-z0-9]+(?:-[a-z0-9]+)*$")
HANDLE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,38}$")
"""A person's handle in the roster and on records."""
LABEL_LENGTH = 48
LABEL_RE = re.compile(rf"^[a-z0-9][a-z0-9._-]{{0,{LABEL_LENGTH - 1}}}$")
"""A service or tag name."""
LINK_RE = re.compile(r"^https?://\S+$")
"""An action item's tracker link."""
MAX_ID_LENGTH = 96

IncidentId = Annotated[
    str, StringConstraints(pattern=INCIDENT_ID_RE.pattern, max_length=MAX_ID_LENGTH)
]
PostmortemId = Annotated[
    str, StringConstraints(pattern=POSTMORTEM_ID_RE.pattern, max_length=MAX_ID_LENGTH)
]
Handle = Annotated[str, StringConstraints(pattern=HANDLE_RE.pattern, strip_whitespace=True)]
Label = Annotated[str, StringConstraints(pattern=LABEL_RE.pattern)]
"""A service name or tag: lower case, digits, dot, dash, underscore; safe in URLs and HTML."""
TITLE_LENGTH = 200
Title = Annotated[
    str, StringConstraints(min_length=1, max_length=TITLE_LENGTH, strip_whitespace=True)
]
Text = Annotated[str, StringConstraints(max_length=5000)]


EARLIEST_YEAR, LATEST_YEAR = 1970, 2999


def plausible_moment(moment: datetime) -> datetime:
    """Reject moments no incident can have, which would also break time arithmetic."""
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise ValueError(f"must be between {EARLIEST_YEAR} and {LATEST_YEAR}")
    return moment


_NUMBER = re.compile(r"[ \t]*[-+]?\d+(?:\.\d*)?[ \t]*")


def _is_number(value: object) -> bool:
    return (isinstance(value, int | float) and not isinstance(value, bool)) or (
        isinstance(value, str) and _NUMBER.fullmatch(value) is not None
    )


def not_a_number(value: object) -> object:
    """Refuse a number where a date or a time is due: pydantic would read 1671972060 as seconds
    since 1970, and a record must say its moments the way people read them."""
    if _is_number(value):
        raise ValueError("is a number: write it in ISO 8601, e.g. 2024-05-02T14:05:00Z")
    return value


def not_a_number_of_seconds(value: object) -> object:
    """Refuse a bare number where a duration is due: pydantic would read `duration: 90` as 90
    seconds, whatever unit its writer had in mind."""
    if _is_number(value):
        raise ValueError("is a number: write it in ISO 8601, e.g. PT1H30M")
    return value


def users_count_or_words(value: object) -> object:
    """Refuse what YAML reads as a count but is none: `true` would be 1 user, and a negative or
    fractional number no count at all."""
    example = "a number like 1200 or words like 'most checkout users in the EU'"
    if isinstance(value, bool):
        raise ValueError(f"is {str(value).lower()}: say who was affected, {example}")
    if isinstance(value, float) or (isinstance(value, int) and value < 0):
        raise ValueError(f"is not a count of users: write {example}")
    if isinstance(value, str) and not value.strip():
        raise ValueError(f"is empty: write {example}, or remove the key")
    return value


def not_negative(delta: timedelta) -> timedelta:
    if delta < timedelta(0):
        raise ValueError("is negative: a duration runs forwards, e.g. PT1H30M")
    return delta


Timestamp = Annotated[
    AwareDatetime, BeforeValidator(not_a_number), AfterValidator(plausible_moment)
]
"""An ISO 8601 date and time with a UTC offset, in a plausible year."""
Day = Annotated[date, BeforeValidator(not_a_number)]
"""An ISO 8601 date."""
Duration = Annotated[
    timedelta, BeforeValidator(not_a_number_of_seconds), AfterValidator(not_negative)
]
"""An ISO 8601 duration (PT1H30M), never negative."""


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


class IncidentStatus(enum.StrEnum):
    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    RESOLVED = "resolved"


class PostmortemStatus(enum.StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in-review"
    APPROVED = "approved"
    PUBLISHED = "published"


INCIDENT_TRANSITIONS: dict[IncidentStatus, frozenset[IncidentStatus]] = {
    IncidentStatus.INVESTIGATING: frozenset(
        {IncidentStatus.IDENTIFIED, IncidentStatus.MONITORING, IncidentStatus.RESOLVED}
    ),
    IncidentStatus.IDENTIFIED: frozenset({IncidentStatus.MONITORING, IncidentStatus.RESOLVED}),
    # A fix that does not hold sends the response back a step.
    IncidentStatus.MONITORING: frozenset(
        {IncidentStatus.RESOLVED, IncidentStatus.IDENTIFIED, IncidentStatus.INVESTIGATING}
    ),
    # Only `incident reopen` takes this one: an incident that was not over after all.
    IncidentStatus.RESOLVED: frozenset({IncidentStatus.INVESTIGATING}),
}


class Role(enum.StrEnum):
    INCIDENT_COMMANDER = "incident_commander"
    COMMUNICATIONS_LEAD = "communications_lead"
    OPS_LEAD = "ops_lead"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").title()

    @property
    def option(self) -> str:
        """The spelling used on the command line: incident-commander."""
        return self.value.replace("_", "-")


class EntryKind(enum.StrEnum):
    NOTE = "note"
    ACTION = "action"
    DECISION = "decision"
    MITIGATION = "mitigation"
    HANDOFF = "handoff"
    STATUS = "status"
    COMMS = "comms"


class MitigationAction(enum.StrEnum):
    ROLLBACK = "rollback"
    REDIRECT_TRAFFIC = "redirect-traffic"
    SCALE_UP = "scale-up"
    OTHER = "other"


CRITERIA: dict[str, str] = {
    "user_facing": "Is it user facing?",
    "multiple_teams": "Are several teams needed to fix it?",
    "too_long": "Is it taking too long to solve?",
    "manual_response": "Does it need a manual response?",
    "monitoring_missed": "Did monitoring fail to alert (a novel problem)?",
    "data_lost": "Was data lost?",
    "data_exposed": "Was user data exposed?",
}
CRITERIA_ANSWERS: dict[str, str] = {
    "user_facing": "it is user facing",
    "multiple_teams": "several teams are needed",
    "too_long": "it is taking too long to solve",
    "manual_response": "it needs a manual response",
    "monitoring_missed": "monitoring did not alert (a novel problem)",
    "data_lost": "data was lost",
    "data_exposed": "user data was exposed",
}
"""The yes answers as statements, for the record's card."""


class Criteria(_Record):
    """The answers to the seven questions that decide whether something is an incident."""

    user_facing: bool = False
    multiple_teams: bool = False
    too_long: bool = False
    manual_response: bool = False
    monitoring_missed: bool = False
    data_lost: bool = False
    data_exposed: bool = False

    def any(self) -> bool:
        return any(getattr(self, name) for name in CRITERIA)


class Roles(_Record):
    incident_commander: Handle
    communications_lead: Handle
    ops_lead: Handle


class Handoff(_Record):
    at: Timestamp
    role: Role
    from_: Handle = Field(alias="from")
    to: Handle


AUDIENCES: dict[str, str] = {
    "users": "users cannot reach the service or get unexpected results",
    "stakeholders": "a public-facing service is down, which hurts the company's relationship "
    "with the public",
    "company": "staff cannot reach the internal tools they work with",
}
"""Who an incident hurts, from the source material, most public first."""

HARM_LENGTH = 300
Harm = Annotated[
    str, StringConstraints(min_length=1, max_length=HARM_LENGTH, strip_whitespace=True)
]


class Audiences(_Record):
    """Who is hurt, each with the harm in one line."""

    users: Harm | None = None
    stakeholders: Harm | None = None
    company: Harm | None = None

    def affected(self) -> list[tuple[str, str]]:
        return [(name, harm) for name in AUDIENCES if (harm := getattr(self, name)) is not None]


class StatusChange(_Record):
    status: IncidentStatus
    at: Timestamp
    note: Annotated[str, StringConstraints(max_length=500)] | None = None
    """Why, when the change needs one (a reopened incident)."""


class Incident(_Record):
    id: IncidentId
    title: Title
    severity: str
    status: IncidentStatus
    declared_at: Timestamp
    declared_by: Handle
    started_at: Timestamp | None = None
    detected_at: Timestamp | None = None
    mitigated_at: Timestamp | None = None
    resolved_at: Timestamp | None = None
    services: tuple[Label, ...] = ()
    tags: tuple[Label, ...] = ()
    criteria: Criteria = Field(default_factory=Criteria)
    audiences: Audiences = Field(default_factory=Audiences)
    roles: Roles
    handoffs: tuple[Handoff, ...] = ()
    outside_responders: tuple[Handle, ...] = ()
    """People who held a role but are not in the roster, on purpose (`assign --outside`)."""
    status_history: tuple[StatusChange, ...] = ()
    postmortem: PostmortemId | None = None
    summary: Text | None = None


class Impact(_Record):
    users_affected: Annotated[
        Annotated[str, StringConstraints(max_length=500)] | int | None,
        BeforeValidator(users_count_or_words),
    ] = None
    duration: Duration | None = None
    data_lost: bool = False
    user_data_exposed: bool = False
    description: Text | None = None


class ActionItemType(enum.StrEnum):
    PREVENT = "prevent"
    MITIGATE = "mitigate"
    DETECT = "detect"
    PROCESS = "process"


class ActionItemStatus(enum.StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in-progress"
    DONE = "done"
    WONT_DO = "wont-do"

    @property
    def is_open(self) -> bool:
        return self in (ActionItemStatus.OPEN, ActionItemStatus.IN_PROGRESS)


class ActionItem(_Record):
    title: Title
    owner: Handle
    type: ActionItemType
    priority: Literal["P1", "P2", "P3", "P4"] = "P2"
    due: Day | None = None
    status: ActionItemStatus = ActionItemStatus.OPEN
    tracker: Annotated[str, StringConstraints(pattern=LINK_RE.pattern, max_length=500)] | None = (
        None
    )


class Postmortem(_Record):
    id: PostmortemId
    title: Title
    incidents: tuple[IncidentId, ...] = Field(min_length=1)
    status: PostmortemStatus
    severity: str
    authors: tuple[Handle, ...] = Field(min_length=1)
    reviewers: tuple[Handle, ...] = ()
    approved_by: tuple[Handle, ...] = ()
    approved_at: Timestamp | None = None
    started_at: Timestamp | None = None
    detected_at: Timestamp | None = None
    declared_at: Timestamp | None = None
    mitigated_at: Timestamp | None = None
    resolved_at: Timestamp | None = None
    services: tuple[Label, ...] = ()
    tags: tuple[Label, ...] = ()
    teams: tuple[Label, ...] = ()
    """Teams involved beyond those the services and responders bring in."""
    impact: Impact = Field(default_factory=Impact)
    action_items: tuple[ActionItem, ...] = ()
    visibility: Literal["internal", "public"] = "internal"


def postmortem_id(incident_id: str) -> str:
    """The ID of an incident's postmortem: the same date and slug."""
    return "PM-" + incident_id.removeprefix("INC-")


RecordKind = Literal["incident", "postmortem"]
Record = Incident | Postmortem
ID_PATTERNS: dict[RecordKind, re.Pattern[str]] = {
    "incident": INCIDENT_ID_RE,
    "postmortem": POSTMORTEM_ID_RE,
}


def is_record_id(value: object, kind: RecordKind) -> TypeGuard[str]:
    """Whether VALUE is written as the ID of a record of that kind (it may not exist)."""
    return (
        isinstance(value, str)
        and len(value) <= MAX_ID_LENGTH
        and ID_PATTERNS[kind].fullmatch(value) is not None  # `$` would take a final newline
    )


KEY_TIMESTAMPS: tuple[str, ...] = (
    "started_at",
    "detected_at",
    "declared_at",
    "mitigated_at",
    "resolved_at",
)
"""The incident's key moments, in the order they must happen."""


_DURATION = TypeAdapter(timedelta)


def iso_duration(delta: timedelta) -> str:
    """A duration as ISO 8601 (PT2H13M), as records store it and the JSON output shows it."""
    return str(_DURATION.dump_python(delta, mode="json"))


def start_of(incident: Incident) -> datetime:
    """When the incident began: the start of impact when known, else the first of its detection
    and its declaration (the metrics count from the same moment)."""
    return record_start(incident) or incident.declared_at


def record_start(record: Record) -> datetime | None:
    """When the record's incident began, as best the record knows: the start of impact, else
    the first of detection and declaration."""
    if record.started_at is not None:
        return record.started_at
    known = [moment for moment in (record.detected_at, record.declared_at) if moment is not None]
    return min(known) if known else None


def key_durations(record: Record) -> dict[str, timedelta]:
    """Time to detect, mitigate and resolve, measured from the start of impact (or, without one,
    from detection or declaration, whichever came first). Time to detect only when the start of
    impact is known: measured from detection itself, it would always be nothing."""
    start = record_start(record)
    result: dict[str, timedelta] = {}
    if start is None:
        return result
    for name, moment in (
        ("detect", record.detected_at if record.started_at is not None else None),
        ("mitigate", record.mitigated_at),
        ("resolve", record.resolved_at),
    ):
        if moment is not None and moment >= start:
            result[name] = moment - start
    return result


@dataclass(frozen=True)
class TimelineEntry:
    """One line of a record's `## Timeline`."""

    time: datetime
    kind: EntryKind
    author: str
    text: str
    action: MitigationAction | None = None
    line: int = 0
    internal: bool = False
    """For the responders only: never in a public update."""


GITHUB_LOGIN = r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:_[A-Za-z0-9]{1,39})?$"
"""A GitHub login: letters, digits and hyphens; an Enterprise Managed User's ends with an
underscore and the enterprise's short code ("mona_acme")."""


class Person(_Record):
    handle: Handle
    name: Title
    emails: tuple[Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+$")], ...] = ()
    github: Annotated[str, StringConstraints(pattern=GITHUB_LOGIN)] | None = None
    senior: bool = False
    maintainer: bool = False


class Team(_Record):
    """A team: who is in it, whose approval counts for it, and the services it owns."""

    name: Label
    members: tuple[Handle, ...] = ()
    seniors: tuple[Handle, ...] = ()
    """Members whose approval counts for the team (members marked senior count too)."""
    services: tuple[Label, ...] = ()
    github_team: (
        Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")] | None
    ) = None
    """The team's slug on GitHub (organisation/team-slug without the organisation), to ask it
    for reviews."""

    def includes(self, handle: str) -> bool:
        wanted = handle.casefold()
        return any(h.casefold() == wanted for h in (*self.members, *self.seniors))


class Roster(_Record):
    people: tuple[Person, ...] = ()
    teams: tuple[Team, ...] = ()

    def team(self, name: str) -> Team | None:
        wanted = name.casefold()
        return next((t for t in self.teams if t.name.casefold() == wanted), None)

    def owners_of(self, service: str) -> tuple[Team, ...]:
        """The teams that own a service (one, when the roster is valid)."""
        wanted = service.casefold()
        return tuple(t for t in self.teams if wanted in {s.casefold() for s in t.services})

    def teams_of(self, handle: str) -> tuple[Team, ...]:
        """The teams of someone written as a handle, a GitHub login or a name (see handle_of)."""
        key = self.handle_of(handle)
        return tuple(t for t in self.teams if t.includes(key) or t.includes(handle))

    def team_seniors(self, team: Team) -> tuple[Person, ...]:
        """Who can approve for a team: its seniors, and its members marked senior."""
        named = {h.casefold() for h in team.seniors}
        found = []
        for person in self.people:
            key = person.handle.casefold()
            if key in named or (person.senior and team.includes(person.handle)):
                found.append(person)
        return tuple(found)

    def is_senior(self, person: Person) -> bool:
        """Senior in the roster, or a senior of any team."""
        key = person.handle.casefold()
        return person.senior or any(key in {h.casefold() for h in t.seniors} for t in self.teams)

    def by_handle(self, handle: str) -> Person | None:
        wanted = handle.casefold()
        return next((p for p in self.people if p.handle.casefold() == wanted), None)

    def by_email(self, email: str) -> Person | None:
        """Whose this email is: nobody's when the roster gives it to two people (TM001), for
        the first of them may not be who uses it."""
        found = {p.handle.casefold(): p for p in self.all_by_email(email)}
        return next(iter(found.values())) if len(found) == 1 else None

    def all_by_email(self, email: str) -> tuple[Person, ...]:
        """Everyone the roster gives this email: one, when the roster is valid (TM001)."""
        wanted = email.strip().casefold()
        return tuple(p for p in self.people if wanted in {e.casefold() for e in p.emails})

    def by_github(self, login: str) -> Person | None:
        wanted = login.casefold()
        return next((p for p in self.people if p.github and p.github.casefold() == wanted), None)

    def handles(self) -> frozenset[str]:
        return frozenset(p.handle.casefold() for p in self.people)

    def handle_of(self, name: str) -> str:
        """The roster handle of someone written as a handle or a GitHub login, with or without
        its @, or by their name as the roster writes it (else the name as given)."""
        bare = name.strip().removeprefix("@")
        person = self.by_handle(bare) or self.by_github(bare)
        if person is None:
            named = self.named(bare)
            person = named[0] if len(named) == 1 else None  # two people of one name: neither
        return person.handle if person else name

    def named(self, name: str) -> tuple[Person, ...]:
        """Everyone the roster gives this name (names are not unique)."""
        wanted = " ".join(name.split()).casefold()
        return tuple(p for p in self.people if " ".join(p.name.split()).casefold() == wanted)

    def seniors(self) -> tuple[Person, ...]:
        return tuple(p for p in self.people if self.is_senior(p))

    def maintainers(self) -> tuple[Person, ...]:
        return tuple(p for p in self.people if p.maintainer)

    def name_words(self) -> frozenset[str]:
        """Handles, GitHub logins, full names and the parts of names, for the blame check: in
        lower case and composed (NFC), as the check reads the words of a record, whichever form
        the roster is written in, and folded as well ("Strauß" as "strauss" too, as it is often
        written). Not the particles of a name, written in lower case ("van",
        "de", "bin" of "Pieter van der Berg", "Maria de la Cruz", "Ahmad bin Abdullah"), which
        are words of their own elsewhere."""
        words: set[str] = set()
        for person in self.people:
            names = [person.handle, person.name]
            if person.github:
                names.append(person.github)
            names += [part for part in person.name.split() if len(part) > 1 and not part.islower()]
            for name in names:
                composed = unicodedata.normalize("NFC", name)
                words.update((composed.lower(), composed.casefold()))
        return frozenset(words)
