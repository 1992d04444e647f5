"""TM and RV002: the roster's teams add up, records name services a team owns, and an approved
postmortem was approved by a senior of every team it involves."""

from __future__ import annotations

from collections.abc import Iterator

from incident_docs.diagnostics import Finding, Severity
from incident_docs.document import parse_yaml_text
from incident_docs.models import Postmortem, PostmortemStatus, Roster
from incident_docs.rules.base import Family, LintContext, RuleInfo, Subject
from incident_docs.teams import TeamState, postmortem_involvement, roster_problems, team_states

RULES = (
    RuleInfo("TM001", "roster-teams", "The roster adds up: no person is listed twice, no email or GitHub login is two people's, no team is defined twice or has no senior, members and seniors are people of the roster, seniors are members, no service is owned by two teams.",
             "teams:\n  - {name: cdn, members: [sam], seniors: [dana]}", "teams:\n  - {name: cdn, members: [sam, dana], seniors: [dana]}"),
    RuleInfo("TM002", "unowned-service", "When the roster defines teams, every service a record names is owned by one.",
             "services: [billing-api]  (no team owns it)", "services: [payments-api]", Severity.WARNING),
    RuleInfo("RV002", "team-approval", "An approved or published postmortem lists, in approved_by, a senior of every team it involves who did not write it.",
             "services: [static-cdn]\napproved_by: [priya]  (not a senior of the cdn team)", "services: [static-cdn]\napproved_by: [dana]"),
)  # fmt: skip

_APPROVED = (PostmortemStatus.APPROVED, PostmortemStatus.PUBLISHED)


def roster_findings(ctx: LintContext) -> list[Finding]:
    """TM001, found in the roster file itself with the line of each problem."""
    problems = roster_problems(ctx.roster)
    path = ctx.root / ctx.config.roster
    # The file is read again, for its line numbers, only when there is something to place.
    if not problems or not path.is_file():
        return []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    lines = parse_yaml_text(text, ctx.config.roster)
    return [Finding("TM001", message, lines.line_of(location), 1) for location, message in problems]


def check(subject: Subject) -> Iterator[Finding]:
    record, roster = subject.record, subject.ctx.roster
    if record is None or not roster.teams:
        return
    for index, service in enumerate(record.services):
        if not roster.owners_of(service):
            yield Finding(
                "TM002",
                f"no team in {subject.ctx.config.roster} owns the service '{service}'",
                subject.doc.line_of(("services", index)),
                1,
            )
    if isinstance(record, Postmortem):
        for index, name in enumerate(record.teams):
            if roster.team(name) is None:
                yield Finding(
                    "TM002",
                    f"no team '{name}' in {subject.ctx.config.roster}",
                    subject.doc.line_of(("teams", index)),
                    1,
                )
        if record.status in _APPROVED and record.approved_by:
            yield from _team_approvals(subject, record)


def _team_approvals(subject: Subject, record: Postmortem) -> Iterator[Finding]:
    ctx = subject.ctx
    incidents = subject.incidents
    severity = ctx.config.review_severity(record.severity, [i.severity for i, _ in incidents])
    needed = ctx.config.required_team_approvals(severity)
    if needed == 0:
        return
    involvement = postmortem_involvement(ctx.roster, record, incidents, subject.timeline[0])
    approvers = [p for p in map(ctx.roster.by_handle, record.approved_by) if p is not None]
    for state in team_states(ctx.roster, involvement, approvers, record.authors, needed):
        if state.satisfied:
            continue
        could = ", ".join(state.could_approve) or _nobody(ctx.roster, state)
        yield Finding(
            "RV002",
            f"team {state.team} ({state.reason}) has not approved: approved_by needs one of "
            f"its seniors who did not write it ({could})",
            subject.doc.line_of(("approved_by",)),
            1,
        )


def _nobody(roster: Roster, state: TeamState) -> str:
    """Why no senior of the team is left to approve."""
    team = roster.team(state.team)
    seniors = roster.team_seniors(team) if team is not None else ()
    if not seniors:
        return "nobody: the team has no senior in the roster"
    if state.approved_by:
        return "nobody: its other seniors approved or wrote it"
    return "nobody: every senior of the team wrote it"


FAMILY = Family(RULES, check)
