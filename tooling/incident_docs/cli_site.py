"""The `incident stats` and `incident site stage` commands."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from incident_docs import metrics
from incident_docs.cli import Project, echo, main, pass_project
from incident_docs.diagnostics import EXIT_FINDINGS
from incident_docs.inputs import parse_day
from incident_docs.records import read_archive, several_records, shared_ids, skipped_note


@main.command("stats")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(sorted(metrics.FORMATS)),
    default="text",
    show_default=True,
)
@click.option("--today", help="Date that action items are overdue against (default: today, UTC).")
@pass_project
def stats_command(project: Project, output_format: str, today: str | None) -> None:
    """Incidents per month and severity; median and p90 time to detect, mitigate and resolve."""
    project.require_archive()
    # The metrics are the front-matter's: the bodies of a large archive are not scanned.
    archive = read_archive(project.root, project.config, body=False)
    note = skipped_note(archive.skipped)
    if note is not None:
        echo(f"incident: warning: {note}", err=True)
    held = shared_ids((loaded.record.id, loaded.doc.path) for loaded in archive.records)
    for record_id, paths in held.items():
        # A copy made by hand: counted once for each file, as lint's ID001 says of each.
        echo(f"incident: warning: {several_records(record_id, paths)}", err=True)
    records = [loaded.record for loaded in archive.records]
    result = metrics.compute(records, parse_day(today), project.config.severity_names())
    echo(metrics.FORMATS[output_format](result), nl=False)


@main.group("site")
def site_group() -> None:
    """The published archive (MkDocs)."""


@site_group.command("stage")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--today", help="Date that action items are overdue against (default: today, UTC).")
@click.option("--site-name", default="Incident archive", show_default=True)
@click.option(
    "--docs-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Hand-written pages to include (default: the repository's docs/).",
)
@pass_project
def stage_command(
    project: Project,
    directory: Path,
    today: str | None,
    site_name: str,
    docs_dir: Path | None,
) -> None:
    """Write the generated pages and sanitised records to DIRECTORY for plain MkDocs.

    DIRECTORY gets docs/ and a mkdocs.yml without the plugin: `mkdocs build -f DIRECTORY/mkdocs.yml`.
    """
    from incident_docs.site.stage import stage

    result = stage(
        project.root,
        project.config,
        project.roster,
        directory,
        parse_day(today),
        site_name=site_name,
        docs_dir=docs_dir if docs_dir is not None else project.root / "docs",
    )
    # What it did, on standard error as the writing commands say it: the staged folder is the
    # data, and standard output stays empty for a script.
    echo(
        f"staged {result.records} records, {result.pages} generated pages, "
        f"{result.attachments} attachments and {result.guides} guides in {directory}",
        err=True,
    )
    echo(f"build it with: mkdocs build -f {directory / 'mkdocs.yml'}", err=True)
    for why in result.left_out:
        echo(f"incident: warning: {why} (not staged)", err=True)
    if result.left_out:
        # The site would be published without them: as lint fails on such a record.
        sys.exit(EXIT_FINDINGS)
