"""The `review-gate` and `codeowners` commands: senior review on GitHub, owners from the roster."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from incident_docs.cli import Project, Seconds, echo, main, pass_project, yes_option
from incident_docs.codeowners import (
    CODEOWNERS_PATH,
    carries_tooling,
    difference,
    generate,
    locate,
    merge,
    moved,
    overriding,
    read_current,
)
from incident_docs.config import CONFIG_FILE, archive_folder, git_top
from incident_docs.diagnostics import EXIT_FINDINGS, EXIT_OK, UsageError
from incident_docs.document import escapes
from incident_docs.formatters import code_span, table_cell, workflow_data
from incident_docs.github import (
    DEFAULT_API_URL,
    GateResult,
    GitHubClient,
    environment_token,
    review_gate,
)
from incident_docs.github import request_reviews as github_request_reviews
from incident_docs.review import FOLLOW_UP_REASON, Decision, summary_markdown
from incident_docs.scaffold import workflow_files
from incident_docs.store import record_target, write_atomic
from incident_docs.terminal import log_line, printable

TITLE = "Postmortem review gate"


def _event_pr_number() -> int | None:
    """The pull request number from the Actions event payload, when there is one."""
    path = os.environ.get("GITHUB_EVENT_PATH")
    if not path:
        return None
    try:
        with open(path, encoding="utf-8") as stream:
            event = json.load(stream)
    except (OSError, ValueError, RecursionError) as error:
        # RecursionError: nested deeper than Python reads.
        raise UsageError(f"GITHUB_EVENT_PATH {path}: cannot read the event: {error}") from None
    pull_request = event.get("pull_request") if isinstance(event, dict) else None
    if pull_request is None:
        return None  # not a pull request's event: --pr says which
    if not isinstance(pull_request, dict):
        raise UsageError(
            f"GITHUB_EVENT_PATH {path}: pull_request is {json.dumps(pull_request)[:40]}, not an "
            "object with a number"
        )
    number = pull_request.get("number")
    if number is None:
        return None
    # Checked as --pr is: a number read as is would be `#True` or `#-3` in every request.
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        raise UsageError(
            f"GITHUB_EVENT_PATH {path}: pull_request.number is {json.dumps(number)[:40]}, not a "
            "pull request number (1 or more)"
        )
    return number


def _say(line: str, *, err: bool = False) -> None:
    """Print one line of the gate's output. Its values come from records and the API, and inside
    GitHub Actions the runner reads every line of both streams for workflow commands: log_line
    keeps each value text, within its line."""
    echo(log_line(line), err=err)


def _annotate(message: str, *, lines: bool = False) -> None:
    """One `::error` annotation of one line, what log_line writes out; with `lines`, an error's
    own lines (one per setting at fault, as standard error shows them) stay lines, written as
    the runner reads them in a command (%0A)."""
    parts = message.splitlines() if lines else [message]
    echo(f"::error title={TITLE}::{'%0A'.join(workflow_data(log_line(part)) for part in parts)}")


def _append_summary(text: str) -> None:
    """Append Markdown to the step summary; its values are one line each already (table_cell,
    code_span), and the control characters of any are written out here. A summary that cannot
    be written is a warning: it repeats what the log says, and failing on it would replace the
    gate's decision, and its exit code, with an error."""
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return
    try:
        with open(target, "a", encoding="utf-8") as stream:
            stream.write(printable(text))
    except OSError as error:
        _say(
            f"incident: warning: GITHUB_STEP_SUMMARY {target}: cannot write the step summary: "
            f"{error.strerror or error}",
            err=True,
        )


def _rows(decision: Decision) -> None:
    if not decision.rows:
        _say("  no reviews yet", err=True)
    for row in decision.rows:
        commit = (row.commit or "?")[:7]
        verdict = row.reason if row.counted else f"not counted ({row.reason})"
        _say(f"  {row.login:<20} {row.state:<18} {commit}  {verdict}", err=True)


@main.command("review-gate")
@click.option("--repo", metavar="OWNER/NAME", help="Repository (default: $GITHUB_REPOSITORY).")
@click.option(
    "--pr",
    "number",
    type=click.IntRange(min=1),
    help="Pull request number (default: from $GITHUB_EVENT_PATH).",
)
@click.option(
    "--api-url",
    metavar="URL",
    help=f"REST API root (default: $GITHUB_API_URL or {DEFAULT_API_URL}).",
)
@click.option(
    "--max-wait",
    type=Seconds(),
    default=120.0,
    show_default=True,
    help="Seconds to spend, in total, waiting to retry server errors and rate limits.",
)
@click.option(
    "--annotate/--no-annotate",
    default=None,
    help="Print ::error workflow commands (default: inside GitHub Actions).",
)
@click.option(
    "--request-reviews",
    is_flag=True,
    help="Ask the seniors of each involved team that has not approved for a review, once "
    "(needs pull-requests: write).",
)
@pass_project
def review_gate_command(
    project: Project,
    repo: str | None,
    number: int | None,
    api_url: str | None,
    max_wait: float,
    annotate: bool | None,
    request_reviews: bool,
) -> None:
    """Block a pull request that changes postmortems until enough seniors approved it.

    Reads the roster and configuration from the base commit, each reviewer's latest decisive
    review, and requires the approvals on the head commit (or that no postmortem changed since):
    enough seniors in all, and one senior of every team involved (the owners of the services and
    the teams of the responders, at the base and the head). A postmortem changed only in its
    action items' status and tracker (what `incident actions sync` writes) needs no review.
    An archive kept in a subfolder of the repository is judged as such: run the gate there.
    Exit 0 satisfied or not applicable, 1 not satisfied, 2 when GitHub cannot be read.
    """
    if annotate is None:
        annotate = os.environ.get("GITHUB_ACTIONS") == "true"
    try:
        repo = repo or os.environ.get("GITHUB_REPOSITORY") or None
        if repo is None:
            raise UsageError("--repo OWNER/NAME is required outside GitHub Actions")
        number = number or _event_pr_number()
        if number is None:
            raise UsageError("--pr is required (the event has no pull_request.number)")
        client = GitHubClient(
            api_url or os.environ.get("GITHUB_API_URL") or DEFAULT_API_URL,
            environment_token(os.environ),
            max_wait=max_wait,
        )
        # The archive may be kept in a subfolder of the repository, whose pull request names
        # every file from the repository's root. Where the gate runs decides which postmortems
        # it judges: run where there is no archive (a folder whose pyproject.toml lost its
        # table, so the repository's root was taken), it would pass every pull request as
        # changing none.
        given, own = project.config_path, project.root / CONFIG_FILE
        if given is not None and not (own.is_file() and given.is_file() and given.samefile(own)):
            # Read from the base commit, as the roster is: one given here was never read (nor
            # is it read to find the archive: a broken one was reported, not refused).
            raise UsageError(
                f"--config {given}: the review gate reads the configuration from {CONFIG_FILE} "
                "at the pull request's base commit, never from another file: leave --config out"
            )
        project.require_archive()
        result = review_gate(client, repo, number, archive_folder(project.root))
        if request_reviews and result.decision is not None and not result.decision.satisfied:
            for note in github_request_reviews(
                client, repo, result.pr, result.decision, result.roster
            ):
                _say(f"note: {note}", err=True)
    except UsageError as error:
        if annotate:
            _annotate(f"the review gate could not run: {error}", lines=True)
        _append_summary(f"## {TITLE}\n\n**could not run**: {table_cell(str(error))}\n\n")
        # The message may quote the API or a record: each of its lines is kept text, as the
        # gate's own are (each is printed after "incident: error: ").
        raise UsageError("\n".join(map(log_line, str(error).splitlines()))) from None
    sys.exit(_report(result, annotate))


def _follow_ups(paths: tuple[str, ...]) -> str:
    """The postmortems that need no review, for one line: a daily sync may touch dozens, so
    the line names three and counts the rest (standard error lists them all)."""
    named = ", ".join(paths[:3])
    return named + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")


def _report(result: GateResult, annotate: bool) -> int:
    pr, decision = result.pr, result.decision
    for path in result.follow_ups:
        _say(f"  follow-up update, not reviewed ({FOLLOW_UP_REASON}): {path}", err=True)
    if decision is None and result.follow_ups:
        _say(
            f"review gate: satisfied: {FOLLOW_UP_REASON} in {_follow_ups(result.follow_ups)}: "
            "no senior review needed"
        )
        _append_summary(
            f"## {TITLE}\n\n**satisfied**: {FOLLOW_UP_REASON} in "
            f"{', '.join(map(code_span, result.follow_ups))}: no senior review needed.\n\n"
        )
        return EXIT_OK
    if not result.applicable or decision is None:
        _say(
            f"review gate: not applicable: pull request #{pr.number} changes no postmortem "
            "(review.paths)"
        )
        _append_summary(f"## {TITLE}\n\nNot applicable: no postmortem changed.\n\n")
        return EXIT_OK
    _say(f"configuration: {result.config_source}; roster: {result.roster_source}", err=True)
    _say(f"reviews of pull request #{pr.number} (head {pr.head_sha[:7]}):", err=True)
    _rows(decision)
    for state in decision.teams:
        verdict = "approved" if state.satisfied else "waiting"
        _say(
            f"  team {state.team:<14} {verdict:<9} approved by "
            f"{', '.join(state.approved_by) or 'nobody yet'}; could still approve: "
            f"{', '.join(state.could_approve) or 'nobody'} ({state.reason})",
            err=True,
        )
    for note in decision.notes:
        _say(f"note: {note}", err=True)
    _append_summary(
        summary_markdown(
            decision,
            pr,
            {
                "changed postmortems": ", ".join(map(code_span, result.gated)),
                **(
                    {
                        f"not reviewed ({FOLLOW_UP_REASON})": ", ".join(
                            map(code_span, result.follow_ups)
                        )
                    }
                    if result.follow_ups
                    else {}
                ),
                "configuration": table_cell(result.config_source),
                "roster": table_cell(result.roster_source),
            },
            result.roster,
        )
    )
    if decision.satisfied:
        count = len(decision.approvers)
        _say(
            f"review gate: satisfied: {count} senior approval{'s' if count != 1 else ''} "
            f"({decision.required} needed) on head {pr.head_sha[:7]}"
            + (f": {', '.join(decision.approvers)}" if decision.approvers else "")
        )
        return EXIT_OK
    for line in decision.unmet:
        _say(line)
        if annotate:
            _annotate(line)
    return EXIT_FINDINGS


@main.command("codeowners")
@click.option("--check", is_flag=True, help=f"Exit 1 when {CODEOWNERS_PATH} is out of date.")
@click.option(
    "--write",
    is_flag=True,
    help=f"Write the lines from the roster into {CODEOWNERS_PATH}, after any written by hand.",
)
@yes_option
@pass_project
def codeowners_command(project: Project, check: bool, write: bool, yes: bool) -> None:
    """CODEOWNERS from the roster: seniors own postmortems, maintainers the rest.

    Without options, print the lines. Lines written by hand around them are kept. The file is
    the one GitHub reads (.github/CODEOWNERS, CODEOWNERS or docs/CODEOWNERS, the first there).
    """
    if check and write:
        raise UsageError("--check and --write cannot be combined")
    project.require_archive()
    _warn_roster_problems(project)
    # GitHub reads CODEOWNERS at the repository's root, and names every path from there.
    top = git_top(project.root)
    place = locate(top)
    current = read_current(top, place)
    generated = generate(
        project.roster,
        project.config,
        place,
        archive_folder(project.root),
        tuple(workflow_files(top).values()),
        carries_tooling(top),
        current,
    )
    for warning in generated.warnings:
        echo(f"incident: warning: {warning}", err=True)
    if not check and not write:
        echo(generated.text, nl=False)
        return
    wanted = merge(current, generated.text)
    if write:
        target: Path = top / place
        if escapes(target.parent, top) is not None:
            # `.github` a link out of the repository: the file would be written there.
            raise UsageError(f"{target.parent.name}: symbolic link leads outside the repository")
        newline = "\r\n" if current is not None and "\r\n" in current else "\n"
        # A CODEOWNERS that is a link is written where it leads, and stays a link.
        written = record_target(top, target, place)
        write_atomic(written, wanted.replace("\n", newline).encode("utf-8"))
        for line in moved(current or "", generated.text):
            effect = "" if line.startswith("#") else ", where it overrides them for its paths"
            echo(
                f"incident: warning: {place}: '{line.strip()}' was among the generated lines: "
                f"moved below them{effect}",
                err=True,
            )
        _warn_overriding(project, place, wanted, generated.text)
        kept = " (the lines written by hand kept)" if wanted != generated.text else ""
        echo(f"wrote {place} from {project.config.roster}{kept}", err=True)
        return
    _warn_overriding(project, place, current, generated.text)
    differs = difference(current, generated.text, place)
    if differs is None:
        echo(f"{place} is up to date with {project.config.roster}", err=True)
        sys.exit(EXIT_OK)
    echo(differs, nl=not differs.endswith("\n"))
    echo(
        f"{place} is out of date with {project.config.roster}: run 'incident codeowners --write'",
        err=True,
    )
    sys.exit(EXIT_FINDINGS)


def _warn_overriding(project: Project, place: str, text: str | None, generated: str) -> None:
    """Say which lines written below the generated ones take paths from them: the file agrees
    with the roster, yet GitHub asks those lines' owners instead."""
    for number, line, pattern in overriding(text, generated, project.config.attachments):
        echo(
            f"incident: warning: {place}:{number}: '{printable(line)}' comes after the generated "
            f"lines: it overrides the owners they give {pattern} for the paths it matches",
            err=True,
        )


def _warn_roster_problems(project: Project) -> None:
    """Say what lint reports of the roster (TM001): what the teams or the owners printed are
    read from, and why someone may be missing from them."""
    from incident_docs.rules.teams import roster_findings

    for finding in roster_findings(project.lint_context()):
        echo(
            f"incident: warning: {project.config.roster}:{finding.line}: {finding.message} "
            f"({finding.code})",
            err=True,
        )


@main.command("teams")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"], case_sensitive=False),
    default="text",
    show_default=True,
)
@pass_project
def teams_command(project: Project, output_format: str) -> None:
    """The roster's teams: who is in each, who can approve for it, the services it owns."""
    project.require_archive()
    _warn_roster_problems(project)
    roster = project.roster
    listed = [
        {
            "name": team.name,
            "github_team": team.github_team,
            "services": list(team.services),
            "members": list(team.members),
            "seniors": [
                {"handle": p.handle, "name": p.name, "github": p.github}
                for p in roster.team_seniors(team)
            ],
        }
        for team in roster.teams
    ]
    if output_format.lower() == "json":
        echo(json.dumps({"teams": listed}, indent=2, ensure_ascii=False))
        return
    if not listed:
        echo(
            f"No teams in {project.config.roster}: add a teams: list (name, members, seniors, "
            "services) so postmortems are reviewed by the teams they involve.",
            err=True,
        )
        return
    for team in roster.teams:
        slug = f" (GitHub team {team.github_team})" if team.github_team else ""
        echo(f"{team.name}{slug}")
        echo(f"  services: {', '.join(team.services) or 'none'}")
        seniors = [
            f"{p.handle} ({p.name}" + (f", @{p.github})" if p.github else ")")
            for p in roster.team_seniors(team)
        ]
        echo(f"  approve:  {', '.join(seniors) or 'nobody: add seniors'}")
        echo(f"  members:  {', '.join(team.members) or 'none'}")
