"""PE: everyone a record names is in the people roster."""

from __future__ import annotations

from collections.abc import Iterator

from incident_docs.diagnostics import Finding, Severity
from incident_docs.document import Location
from incident_docs.models import Incident, Postmortem, Roster
from incident_docs.rules.base import Family, RuleInfo, Subject

RULES = (
    RuleInfo("PE001", "unknown-person", "People named in fields and timeline authors are in the roster.",
             "declared_by: sammy (not in people.yaml)", "declared_by: sam", Severity.WARNING),
)  # fmt: skip


def _named(record: Incident | Postmortem) -> Iterator[tuple[Location, str]]:
    if isinstance(record, Incident):
        yield ("declared_by",), record.declared_by
        for role, holder in record.roles.model_dump().items():
            yield ("roles", role), holder
        for index, handoff in enumerate(record.handoffs):
            yield ("handoffs", index, "from"), handoff.from_
            yield ("handoffs", index, "to"), handoff.to
    else:
        for field in ("authors", "reviewers", "approved_by"):
            for index, handle in enumerate(getattr(record, field)):
                yield (field, index), handle
        for index, item in enumerate(record.action_items):
            yield ("action_items", index, "owner"), item.owner


def not_listed(roster: Roster, handle: str, roster_file: str) -> str:
    """Why a name is not a person of the roster, and what to write when it is someone's GitHub
    login (records name people by their handles)."""
    person = roster.by_github(handle)
    if person is None:
        return f"not in the roster ({roster_file})"
    return (
        f"not a handle in the roster ({roster_file}) but {person.handle}'s GitHub login: "
        f"write {person.handle}"
    )


def check(subject: Subject) -> Iterator[Finding]:
    roster = subject.ctx.roster
    if not roster.people or subject.record is None:
        return
    known = roster.handles()
    if isinstance(subject.record, Incident):
        known |= {h.casefold() for h in subject.record.outside_responders}
    roster_file = subject.ctx.config.roster
    for location, handle in _named(subject.record):
        if handle.casefold() not in known:
            yield Finding(
                "PE001",
                f"'{handle}' is {not_listed(roster, handle, roster_file)}",
                subject.doc.line_of(location),
                1,
            )
    authors = known
    if isinstance(subject.record, Postmortem) and any(
        entry.author.casefold() not in known for entry in subject.timeline[0]
    ):
        # Who responded from outside the roster, as its incidents say (`assign --outside`):
        # the postmortem's timeline, copied from them, names them too (its authors, reviewers
        # and owners are still the roster's).
        authors = known | {
            handle.casefold()
            for incident, _entries in subject.incidents
            for handle in incident.outside_responders
        }
    for entry in subject.timeline[0]:
        if entry.author.casefold() not in authors:
            yield Finding(
                "PE001",
                f"timeline author '{entry.author}' is {not_listed(roster, entry.author, roster_file)}",
                entry.line, 1,
            )  # fmt: skip


FAMILY = Family(RULES, check)
