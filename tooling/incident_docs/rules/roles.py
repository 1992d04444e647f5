"""RL: the three incident roles are always covered, and `roles` agrees with the handoff history."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from incident_docs.diagnostics import Finding
from incident_docs.handoffs import replay_roles
from incident_docs.models import Incident, Role
from incident_docs.rules.base import Family, RuleInfo, Subject

RULES = (
    RuleInfo("RL001", "one-holder", "Each role has exactly one holder, in `roles` and in every handoff.",
             "roles:\n  ops_lead: [dana, jo]", "roles:\n  ops_lead: dana"),
    RuleInfo("RL002", "handoff-from-holder", "A handoff is from whoever held the role at that time, to someone else.",
             "handoffs:\n  - {at: ..., role: ops_lead, from: lee, to: dana}  # sam held it",
             "handoffs:\n  - {at: ..., role: ops_lead, from: sam, to: dana}"),
    RuleInfo("RL003", "commander-holds-undelegated", "The Incident Commander holds every role not yet delegated: handing off command takes them along.",
             "IC sam -> lee, but ops_lead (never delegated) stays with sam",
             "IC sam -> lee and ops_lead sam -> lee at the same time"),
    RuleInfo("RL004", "roles-match-handoffs", "The current `roles` are what replaying `handoffs` from the declarer gives.",
             "roles: {ops_lead: jo} with no handoff of ops_lead to jo",
             "a handoff of ops_lead from sam to jo, and roles: {ops_lead: jo}"),
    RuleInfo("RL005", "handoff-after-declaration", "No handoff is before the incident was declared.",
             "declared_at: 12:41Z, a handoff at 12:30Z", "a handoff at 12:50Z"),
    RuleInfo("RL006", "handoff-before-resolution", "No handoff is after the incident was resolved, but after it was reopened.",
             "resolved_at: 14:00Z, a handoff at 14:30Z", "a handoff at 13:50Z"),
)  # fmt: skip


def _holders(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, list):
        return [str(v) for v in value if v is not None and str(v).strip()]
    return [] if value is None else [str(value)]


def _one_holder(subject: Subject) -> Iterator[Finding]:
    front = subject.doc.front_matter or {}
    roles = front.get("roles")
    line = subject.doc.line_of
    if isinstance(roles, dict):
        for role in Role:
            if role.value not in roles:
                continue  # a missing key is reported as a missing field
            named = _holders(roles[role.value])
            if len(named) != 1:
                who = f"{len(named)} holders ({', '.join(named)})" if named else "no holder"
                yield Finding(
                    "RL001",
                    f"{role.label} has {who}: a role has exactly one holder",
                    line(("roles", role.value)),
                    1,
                )
    handoffs = front.get("handoffs")
    if isinstance(handoffs, list):
        for index, handoff in enumerate(handoffs):
            if isinstance(handoff, dict) and "to" in handoff and len(_holders(handoff["to"])) != 1:
                yield Finding(
                    "RL001",
                    "a handoff is to exactly one person",
                    line(("handoffs", index, "to")),
                    1,
                )


def check(subject: Subject) -> Iterator[Finding]:
    if subject.kind != "incident" or not subject.doc.readable:
        return
    yield from _one_holder(subject)
    incident = subject.record
    if not isinstance(incident, Incident):
        return
    line = subject.doc.line_of
    for problem in replay_roles(incident).problems:
        if problem.handoff is not None:
            where: tuple[str | int, ...] = ("handoffs", problem.handoff)
            if problem.code in ("RL005", "RL006"):
                where = (*where, "at")
            elif problem.code == "RL002":
                where = (*where, "from")
        else:
            where = ("roles", problem.role.value if problem.role else "")
        yield Finding(problem.code, problem.message, line(where), 1)


FAMILY = Family(RULES, check)
