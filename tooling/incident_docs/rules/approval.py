"""RV: an approved postmortem was approved by enough distinct senior members who did not write it."""

from __future__ import annotations

from collections.abc import Iterator

from incident_docs.diagnostics import Finding
from incident_docs.models import Postmortem, PostmortemStatus
from incident_docs.rules.base import Family, RuleInfo, Subject
from incident_docs.rules.people import not_listed

RULES = (
    RuleInfo("RV001", "senior-approval", "An approved or published postmortem lists, in approved_by, enough distinct senior members who are not its authors.",
             "status: approved\nauthors: [sam]\napproved_by: [sam]", "status: approved\nauthors: [sam]\napproved_by: [priya]"),
)  # fmt: skip

_APPROVED = (PostmortemStatus.APPROVED, PostmortemStatus.PUBLISHED)


def judges_approvals(subject: Subject) -> bool:
    """Whether RV001 judges each name of approved_by: then every one written twice is reported
    by it (an author, not in the roster, not senior, or listed twice)."""
    record = subject.record
    # With no roster nobody can be senior; the people rules already say the roster is missing.
    # An empty approved_by is FM008's to report.
    return (
        isinstance(record, Postmortem)
        and record.status in _APPROVED
        and bool(subject.ctx.roster.people)
        and bool(record.approved_by)
    )


def check(subject: Subject) -> Iterator[Finding]:
    record = subject.record
    roster = subject.ctx.roster
    if not isinstance(record, Postmortem) or not judges_approvals(subject):
        return
    doc = subject.doc
    roster_file = subject.ctx.config.roster
    authors = {roster.handle_of(handle).casefold() for handle in record.authors}
    counted: list[str] = []
    for index, handle in enumerate(record.approved_by):
        line = doc.line_of(("approved_by", index))
        person = roster.by_handle(handle)
        # An author written by their GitHub login is still an author: told to write the
        # handle, they would only be told that next.
        if roster.handle_of(handle).casefold() in authors:
            yield Finding(
                "RV001",
                f"'{handle}' is an author of this postmortem and cannot approve it",
                line,
                1,
            )
        elif person is None:
            yield Finding(
                "RV001",
                f"'{handle}' cannot approve: {not_listed(roster, handle, roster_file)}",
                line,
                1,
            )
        elif not roster.is_senior(person):
            yield Finding(
                "RV001",
                f"'{handle}' is not senior in {roster_file}: only senior members approve",
                line,
                1,
            )
        elif person.handle.casefold() in counted:
            yield Finding("RV001", f"'{handle}' is listed twice in approved_by", line, 1)
        else:
            counted.append(person.handle.casefold())
    config = subject.ctx.config
    incidents = subject.incidents
    severity = config.review_severity(record.severity, [i.severity for i, _ in incidents])
    needed = config.required_approvals(severity)
    if len(counted) < needed:
        plural = "s" if needed != 1 else ""
        what = (
            f"a {record.severity} postmortem"
            if severity == record.severity
            else f"a postmortem of a {severity} incident"
        )
        yield Finding(
            "RV001",
            f"{what} needs {needed} senior approval{plural} from "
            f"people who did not write it; approved_by has {len(counted)}",
            doc.line_of(("approved_by",)),
            1,
        )


FAMILY = Family(RULES, check)
