"""Teams: which teams an incident or postmortem involves, and whether each has approved it.

The teams involved are the owners of the affected services, the teams of everyone who held a
role or wrote in the timeline, and any a postmortem names itself. Each involved team must approve
a postmortem through one of its seniors who did not write it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from incident_docs.models import Incident, Person, Postmortem, Roster, Team, TimelineEntry
from incident_docs.reports import responders


@dataclass
class Involvement:
    """A team and why it is involved: the services it owns, its people who responded."""

    team: Team
    services: list[str] = field(default_factory=list)
    people: list[str] = field(default_factory=list)
    named: bool = False
    needed: int | None = None
    """Approvals the team gives: the strictest of the postmortems that involve it (None: the
    count team_states is given)."""

    def reason(self) -> str:
        parts = []
        if self.services:
            parts.append("owns " + ", ".join(self.services))
        if self.people:
            parts.append("responders " + ", ".join(self.people))
        if self.named:
            parts.append("named by the postmortem")
        return "; ".join(parts)


def involved(
    roster: Roster,
    *,
    services: Iterable[str] = (),
    people: Iterable[str] = (),
    named: Iterable[str] = (),
) -> list[Involvement]:
    """The roster's teams involved, in roster order, each with why."""
    found: dict[str, Involvement] = {}

    def entry(team: Team) -> Involvement:
        return found.setdefault(team.name, Involvement(team))

    for service in dict.fromkeys(services):
        for team in roster.owners_of(service):
            entry(team).services.append(service)
    for person in dict.fromkeys(people):
        for team in roster.teams_of(person):
            if person not in entry(team).people:
                entry(team).people.append(person)
    for name in named:
        listed = roster.team(name)
        if listed is not None:
            entry(listed).named = True
    order = {team.name: index for index, team in enumerate(roster.teams)}
    return sorted(found.values(), key=lambda i: order[i.team.name])


def merge_involvement(
    first: Sequence[Involvement], second: Sequence[Involvement]
) -> list[Involvement]:
    """Both lists' teams, with the reasons of both (base and head of a pull request)."""
    merged: dict[str, Involvement] = {}
    for item in (*first, *second):
        kept = merged.setdefault(item.team.name, Involvement(item.team))
        kept.services += [s for s in item.services if s not in kept.services]
        kept.people += [p for p in item.people if p not in kept.people]
        kept.named = kept.named or item.named
        if item.needed is not None:
            kept.needed = max(kept.needed or 0, item.needed)
    return list(merged.values())


def postmortem_involvement(
    roster: Roster,
    postmortem: Postmortem,
    incidents: Sequence[tuple[Incident, Sequence[TimelineEntry]]],
    entries: Iterable[TimelineEntry] = (),
) -> list[Involvement]:
    """The teams a postmortem involves: its services and its incidents' services, everyone
    who responded to its incidents or appears in its own timeline, and the teams it names."""
    services = list(postmortem.services)
    people: list[str] = []
    for incident, incident_entries in incidents:
        services += incident.services
        people += responders(incident, incident_entries)
    people += [entry.author for entry in entries]
    return involved(roster, services=services, people=people, named=postmortem.teams)


@dataclass(frozen=True)
class TeamState:
    """How far one involved team is with its approval."""

    team: str
    reason: str
    approved_by: tuple[str, ...]
    could_approve: tuple[str, ...]
    """Seniors of the team who did not write the postmortem and have not approved yet."""
    needed: int = 1

    @property
    def satisfied(self) -> bool:
        return len(self.approved_by) >= self.needed

    def as_dict(self) -> dict[str, Any]:
        return {
            "team": self.team,
            "why": self.reason,
            "needed": self.needed,
            "approved_by": list(self.approved_by),
            "could_approve": list(self.could_approve),
            "satisfied": self.satisfied,
        }


def team_states(
    roster: Roster,
    involvement: Sequence[Involvement],
    approvers: Iterable[Person],
    authors: Iterable[str],
    needed: int = 1,
) -> list[TeamState]:
    """For each involved team: which of its seniors approved, and who else could."""
    writers = {roster.handle_of(a).casefold() for a in authors}
    approved = {p.handle.casefold(): p for p in approvers}
    states = []
    for item in involvement:
        # One person once, even where the roster lists them twice (lint reports that, TM001):
        # two entries are not two approvals.
        seniors = list(
            {
                p.handle.casefold(): p
                for p in reversed(roster.team_seniors(item.team))
                if p.handle.casefold() not in writers
            }.values()
        )[::-1]
        states.append(
            TeamState(
                item.team.name,
                item.reason(),
                tuple(p.handle for p in seniors if p.handle.casefold() in approved),
                tuple(p.handle for p in seniors if p.handle.casefold() not in approved),
                needed if item.needed is None else item.needed,
            )
        )
    return states


def _unknown(roster: Roster, handle: str) -> str:
    """Why a team's member or senior is no one of people, and which handle to write when it is
    someone's GitHub login: a team lists people by their handles."""
    person = roster.by_github(handle)
    if person is None:
        return "is not in people"
    return f"is {person.handle}'s GitHub login, not a handle: write {person.handle}"


def roster_problems(roster: Roster) -> list[tuple[tuple[str | int, ...], str]]:
    """What does not add up in the roster (its people and teams), each with where (a path into
    the YAML)."""
    problems: list[tuple[tuple[str | int, ...], str]] = []
    listed: set[str] = set()
    # An email or a GitHub login names one person: with two, who declared an incident or whose
    # review counts would depend on the order of the roster.
    emails: dict[str, str] = {}
    logins: dict[str, str] = {}
    for index, person in enumerate(roster.people):
        if person.handle.casefold() in listed:
            # The second entry would give the same handle another login or seniority.
            problems.append(
                (("people", index, "handle"), f"person '{person.handle}' is listed twice")
            )
        listed.add(person.handle.casefold())
        for position, email in enumerate(person.emails):
            first = emails.setdefault(email.casefold(), person.handle)
            if first.casefold() != person.handle.casefold():
                problems.append(
                    (
                        ("people", index, "emails", position),
                        f"email '{email}' is also {first}'s: an email names one person",
                    )
                )
        if person.github:
            first = logins.setdefault(person.github.casefold(), person.handle)
            if first.casefold() != person.handle.casefold():
                problems.append(
                    (
                        ("people", index, "github"),
                        f"GitHub login '{person.github}' is also {first}'s: "
                        "a login names one person",
                    )
                )
    known = roster.handles()
    names: dict[str, int] = {}
    owner: dict[str, str] = {}
    for index, team in enumerate(roster.teams):
        key = team.name.casefold()
        if key in names:
            problems.append((("teams", index, "name"), f"team '{team.name}' is defined twice"))
        if not roster.team_seniors(team):
            problems.append(
                (
                    ("teams", index, "name"),
                    f"team '{team.name}' has no senior: nobody can approve a postmortem for it",
                )
            )
        names.setdefault(key, index)
        members = {m.casefold() for m in team.members}
        for position, handle in enumerate(team.members):
            if handle.casefold() not in known:
                problems.append(
                    (
                        ("teams", index, "members", position),
                        f"team '{team.name}': member '{handle}' {_unknown(roster, handle)}",
                    )
                )
        for position, handle in enumerate(team.seniors):
            # Someone the roster does not list cannot approve at all: made a member, they would
            # still be no one.
            if handle.casefold() not in known:
                problems.append(
                    (
                        ("teams", index, "seniors", position),
                        f"team '{team.name}': senior '{handle}' {_unknown(roster, handle)}",
                    )
                )
            elif handle.casefold() not in members:
                problems.append(
                    (
                        ("teams", index, "seniors", position),
                        f"team '{team.name}': senior '{handle}' is not one of its members",
                    )
                )
        for position, service in enumerate(team.services):
            previous = owner.setdefault(service.casefold(), team.name)
            if previous != team.name:
                problems.append(
                    (
                        ("teams", index, "services", position),
                        f"service '{service}' is owned by two teams: '{previous}' and "
                        f"'{team.name}'",
                    )
                )
    return problems


@dataclass(frozen=True)
class PostmortemReview:
    """Where a postmortem's review stands, from its approved_by: the seniors counted towards the
    severity's number, and each involved team's state."""

    needed: int
    counted: tuple[str, ...]
    teams: tuple[TeamState, ...]

    @property
    def satisfied(self) -> bool:
        return len(self.counted) >= self.needed and all(t.satisfied for t in self.teams)

    def as_dict(self) -> dict[str, Any]:
        return {
            "approvals_needed": self.needed,
            "approved_by_seniors": list(self.counted),
            "teams": [state.as_dict() for state in self.teams],
            "satisfied": self.satisfied,
        }


def postmortem_review(
    roster: Roster,
    postmortem: Postmortem,
    incidents: Sequence[tuple[Incident, Sequence[TimelineEntry]]],
    entries: Iterable[TimelineEntry],
    *,
    needed: int,
    team_needed: int,
) -> PostmortemReview:
    writers = {roster.handle_of(a).casefold() for a in postmortem.authors}
    approvers: dict[str, Person] = {}
    for handle in postmortem.approved_by:
        person = roster.by_handle(handle)
        if person is not None and roster.is_senior(person) and handle.casefold() not in writers:
            approvers.setdefault(person.handle.casefold(), person)
    involvement = postmortem_involvement(roster, postmortem, incidents, entries)
    states = (
        team_states(roster, involvement, approvers.values(), postmortem.authors, team_needed)
        if team_needed
        else []
    )
    return PostmortemReview(needed, tuple(p.handle for p in approvers.values()), tuple(states))
