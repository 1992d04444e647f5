"""The `actions` command: open and overdue follow-ups, and their issues on GitHub."""

from __future__ import annotations

import os

import click

from incident_docs import actions
from incident_docs.cli import Project, Seconds, echo, main, pass_project, yes_option
from incident_docs.diagnostics import UsageError
from incident_docs.github import DEFAULT_API_URL, GitHubClient, environment_token
from incident_docs.inputs import parse_day, require_given
from incident_docs.models import Postmortem
from incident_docs.records import read_archive, skipped_note
from incident_docs.terminal import log_line
from incident_docs.tracker import SYNC_HINTS, SYNC_NOT_FOUND, ActionSync


@main.group("actions", invoke_without_command=True)
@click.option(
    "--owner", multiple=True, help="Only items owned by these people (handle, @login or name)."
)
@click.option("--service", multiple=True, help="Only items of postmortems about these services.")
@click.option("--overdue", is_flag=True, help="Only items past their due date.")
@click.option(
    "--today", metavar="YYYY-MM-DD", help="Count overdue against this date (default: today, UTC)."
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "csv"], case_sensitive=False),
    default="text",
    show_default=True,
)
@click.pass_context
def actions_command(
    ctx: click.Context,
    owner: tuple[str, ...],
    service: tuple[str, ...],
    overdue: bool,
    today: str | None,
    output_format: str,
) -> None:
    """Open and overdue action items across the archive, as the site's action-item page lists them.

    `incident actions sync` keeps them as GitHub issues.
    """
    if ctx.invoked_subcommand is not None:
        given = [
            name
            for name, value in (
                ("--owner", owner),
                ("--service", service),
                ("--overdue", overdue),
                ("--today", today),
                ("--format", output_format != "text"),
            )
            if value
        ]
        if given:
            raise UsageError(
                f"{', '.join(given)}: options of the list, 'incident actions'; "
                f"'incident actions {ctx.invoked_subcommand}' does not take them"
            )
        return
    project = ctx.ensure_object(Project)
    project.require_archive()
    day = parse_day(today)
    # Action items are a postmortem's: the incidents of a large archive are not read.
    archive = read_archive(project.root, project.config, only="postmortem")
    note = skipped_note(archive.skipped)
    if note is not None:
        echo(f"incident: warning: {note}", err=True)
    roster = project.roster
    owners = {
        name: actions.owner_key(roster, name) for name in _split(owner, "--owner", fold=False)
    }
    known = {
        actions.owner_key(roster, item.owner)
        for loaded in archive.records
        if isinstance(loaded.record, Postmortem)
        for item in loaded.record.action_items
    }
    for name, key in sorted(owners.items()):
        people = actions.owner_candidates(roster, name)
        if len(people) > 1:
            # Two people the name could mean: say whose items are listed, never pick silently.
            meant = ", ".join(f"{p.handle} ({p.name})" for p in people)
            chosen = roster.by_handle(key)
            echo(
                f"incident: warning: --owner {name} could be {meant}: "
                + (
                    f"listing {chosen.handle}'s items; give a handle for another's"
                    if chosen is not None
                    else "give a handle"
                ),
                err=True,
            )
        elif key not in known and roster.by_handle(key) is None:
            # A typo, not someone with nothing open.
            echo(
                f"incident: warning: --owner {name}: nobody of that name owns an action item "
                f"or is in {project.config.roster}",
                err=True,
            )
    services = frozenset(_split(service, "--service"))
    about = {
        name.casefold()
        for loaded in archive.records
        if isinstance(loaded.record, Postmortem)
        for name in loaded.record.services
    }
    for name in sorted(services):
        if name not in about and not roster.owners_of(name):
            # A typo, as for --owner, not a service with nothing open.
            echo(
                f"incident: warning: --service {name}: no postmortem is about that service "
                f"and no team in {project.config.roster} owns it",
                err=True,
            )
    query = actions.ActionQuery(
        owners=frozenset(owners.values()),
        services=services,
        overdue_only=overdue,
        roster=roster,
    )
    rows = actions.select_rows(actions.action_rows(archive.records, day), query)
    fmt = output_format.lower()
    if fmt == "json":
        echo(actions.as_json(rows, day))
    elif fmt == "csv":
        echo(actions.as_csv(rows), nl=False)
    else:
        if rows:
            echo(actions.as_text(rows))
        echo(actions.summary_line(rows), err=True)


def _split(values: tuple[str, ...], option: str, *, fold: bool = True) -> list[str]:
    require_given(values, option)
    return [
        part.strip().casefold() if fold else part.strip()
        for value in values
        for part in value.split(",")
        if part.strip()
    ]


@actions_command.command("sync")
@click.option("--repo", metavar="OWNER/NAME", help="Repository (default: $GITHUB_REPOSITORY).")
@click.option(
    "--api-url",
    metavar="URL",
    help=f"REST API root (default: $GITHUB_API_URL or {DEFAULT_API_URL}).",
)
@click.option("--dry-run", is_flag=True, help="Print what would change; create and write nothing.")
@click.option(
    "--max-wait",
    type=Seconds(),
    default=300.0,
    show_default=True,
    help="Seconds to spend, in total, waiting out rate limits and server errors.",
)
@yes_option
@pass_project
def sync_command(
    project: Project,
    repo: str | None,
    api_url: str | None,
    dry_run: bool,
    max_wait: float,
    yes: bool,
) -> None:
    """Create a GitHub issue for each open action item of an approved or published postmortem
    that has no tracker, write its URL into the item, and bring each issue's state back.

    Closed as completed marks an item done, closed as not planned won't do, reopened open.
    Safe to run again at any time, even after it stopped halfway: an issue made by an earlier
    run is found by the marker in its body and adopted, never made twice. Exit 0 when every
    item is in step, 2 when GitHub or a record could not be read or written.
    """
    project.require_archive()
    repo = repo or os.environ.get("GITHUB_REPOSITORY") or None
    if repo is None:
        raise UsageError("--repo OWNER/NAME is required outside GitHub Actions")
    client = GitHubClient(
        api_url or os.environ.get("GITHUB_API_URL") or DEFAULT_API_URL,
        environment_token(os.environ),
        max_wait=max_wait,
        hints=SYNC_HINTS,
        not_found=SYNC_NOT_FOUND,
    )
    sync = ActionSync(
        project.root,
        project.config,
        project.roster,
        client,
        repo,
        dry_run=dry_run,
        say=_say,
    )
    try:
        report = sync.run()
    except UsageError as error:
        if sync.report.did_something or sync.report.problems:
            _say(sync.report.summary(), err=True)
        # It may quote a record's title or the API: each line kept text, as the sync's own.
        raise UsageError("\n".join(map(log_line, str(error).splitlines()))) from None
    _say(report.summary(), err=True)


def _say(line: str, *, err: bool = False) -> None:
    """Print one line of the sync's output. It quotes records and the API, and the scheduled
    workflow runs it, where the runner reads every line for workflow commands: log_line keeps
    each value text, within its line."""
    echo(log_line(line), err=err)
