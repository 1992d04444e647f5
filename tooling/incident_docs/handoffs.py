"""Who held each incident role and when: the handoff history replayed and checked."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from incident_docs.models import (
    Incident,
    IncidentStatus,
    Role,
)
from incident_docs.timeline import format_time

DELEGABLE = (Role.COMMUNICATIONS_LEAD, Role.OPS_LEAD)
"""The roles the Incident Commander holds until someone else takes them."""


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


def same_handle(a: str, b: str) -> bool:
    return a.casefold() == b.casefold()


def resolved_spans(incident: Incident) -> list[tuple[datetime, datetime | None]]:
    """When the incident stood resolved: from each resolution in its status history to the
    change after it (a reopening; None while it is still resolved), and from `resolved_at` for
    a resolved record whose history does not say so."""
    history = sorted(incident.status_history, key=lambda change: change.at)
    spans: list[tuple[datetime, datetime | None]] = []
    for position, change in enumerate(history):
        if change.status is IncidentStatus.RESOLVED:
            after = (
                c.at for c in history[position + 1 :] if c.status is not IncidentStatus.RESOLVED
            )
            spans.append((change.at, next(after, None)))
    resolved_at = incident.resolved_at
    ended = incident.status is IncidentStatus.RESOLVED
    if ended and resolved_at is not None and not any(until is None for _, until in spans):
        spans.append((resolved_at, None))
    return spans


def resolved_at_the_time(
    spans: list[tuple[datetime, datetime | None]], moment: datetime
) -> datetime | None:
    """When the incident was resolved, if it stood resolved at MOMENT (after its resolution,
    before it was reopened); None if it did not."""
    for since, until in spans:
        if since < moment and (until is None or moment < until):
            return since
    return None


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
    spans = resolved_spans(incident)
    for position, index in enumerate(order):
        handoff = incident.handoffs[index]
        role = handoff.role
        ended = resolved_at_the_time(spans, handoff.at)
        if ended is not None:
            problems.append(
                RoleProblem(
                    "RL006",
                    f"handoff of {role.label} at {format_time(handoff.at)} is after the incident "
                    f"was resolved ({format_time(ended)}): roles do not change once it has ended",
                    index,
                    role,
                )
            )
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
        if not same_handle(handoff.from_, holder):
            problems.append(
                RoleProblem(
                    "RL002",
                    f"handoff of {role.label} at {format_time(handoff.at)} is from "
                    f"'{handoff.from_}', but '{holder}' held the role then",
                    index,
                    role,
                )
            )
        elif same_handle(handoff.to, holder):
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
            pending = {
                r for r in DELEGABLE if r not in delegated and same_handle(holders[r], holder)
            }
            carry = (handoff.at, holder, handoff.to, pending)
        elif (
            carry is not None
            and carry[0] == handoff.at
            and role in carry[3]
            and same_handle(handoff.from_, carry[1])
            and same_handle(handoff.to, carry[2])
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
                if (
                    other in delegated
                    or other in reported
                    or same_handle(holders[other], commander)
                ):
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
        if not same_handle(recorded, holders[role]):
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
