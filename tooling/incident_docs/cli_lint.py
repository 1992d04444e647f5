"""`incident lint` and `incident rules`."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import replace
from pathlib import Path

import click

from incident_docs.blameless.archive import stale_model
from incident_docs.cli import Project, echo, main, pass_project
from incident_docs.config import archive_folder, from_git_top, git_top
from incident_docs.diagnostics import UsageError, exit_code
from incident_docs.document import relative_display
from incident_docs.formatters import (
    FORMATTERS,
    STEP_SUMMARY_LIMIT,
    format_rules_markdown,
    format_sarif,
    format_summary,
    summary_line,
)
from incident_docs.linter import PARALLEL_THRESHOLD, lint, rule_severities, selection_from
from incident_docs.rules import ALL_RULES
from incident_docs.terminal import quoted

FROM_GIT_TOP = frozenset({"github", "sarif", "gitlab"})
"""The formats read by GitHub or GitLab, which name every file from the repository's root."""
STDIN_NAME = "<stdin>"
"""The name of a document read from '-' without --stdin-filename."""


def _codes(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(code.strip() for value in values for code in value.split(",") if code.strip())


@main.command("lint")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(sorted(FORMATTERS)),
    default="text",
    show_default=True,
)
@click.option("--select", multiple=True, help="Only these rule codes or prefixes (e.g. BL,FM003).")
@click.option("--ignore", multiple=True, help="Skip these rule codes or prefixes.")
@click.option("--stdin-filename", help="Path to report for a document read from '-'.")
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning"]),
    help="The least severe finding that makes the exit code 1 (default: [tool.incident-docs.lint] "
    "fail-on, itself 'warning').",
)
@click.option("--strict", is_flag=True, help="Same as --fail-on warning.")
@click.option(
    "--jobs",
    type=click.IntRange(1, 64),
    help="Processes to lint in (default: one per CPU this one may use, for "
    f"{PARALLEL_THRESHOLD} files or more; 1: this process alone).",
)
@click.option(
    "--base",
    metavar="REF",
    help="Also check IDs against the archive at this git revision (e.g. origin/main).",
)
@pass_project
def lint_command(
    project: Project,
    paths: tuple[Path, ...],
    output_format: str,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    stdin_filename: str | None,
    fail_on: str | None,
    strict: bool,
    jobs: int | None,
    base: str | None,
) -> None:
    """Lint records: fields, sections, timeline, IDs and blameless language.

    With no PATH, the whole archive with cross-file checks; '-' reads one document from stdin.
    A folder: the records in it (Markdown elsewhere, such as the site's pages, is no record).
    A PATH that is the roster, pyproject.toml, the blameless examples file or model file lints
    the whole archive too, since a change to any of them can change what every record gets.
    """
    config = project.config
    if strict:
        fail_on = "warning"
    for option, given in (("--select", select), ("--ignore", ignore)):
        if given and not _codes(given):
            raise UsageError(f"{option}: give rule codes or prefixes (e.g. BL,FM003)")
    if stdin_filename is not None and Path("-") not in paths:
        raise UsageError("--stdin-filename names the document read from '-': give '-' as the path")
    try:
        selection = selection_from(config, _codes(select), _codes(ignore))
    except ValueError as error:
        raise UsageError(str(error)) from None
    for code in selection.select + selection.ignore:
        if not any(known.startswith(code) for known in ALL_RULES):
            raise UsageError(f"unknown rule code or prefix {quoted(code)} (see 'incident rules')")
    stdin = None
    if Path("-") in paths:
        if len(paths) > 1:
            raise UsageError("'-' (standard input) cannot be combined with other paths")
        # One byte over the limit is enough to refuse it (IO004): standard input may never end.
        limit = config.lint.max_file_bytes
        # The name as a PATH argument reads (repo-relative): editors pass the buffer's absolute
        # path, and './postmortems/…' is the same file; as given, the document's own ID would
        # repeat in "another" file and per-file-ignores would not match.
        display = _stdin_display(Path(stdin_filename), project.root) if stdin_filename else None
        stdin = (sys.stdin.buffer.read(limit + 1), display or STDIN_NAME)
        paths = ()
    if paths and any(_is_archive_wide(project, path) for path in paths):
        paths = ()
    if not paths and stdin is None:
        project.require_archive()
    if config.blameless.model and selection.wants_any(c for c in ALL_RULES if c[:2] == "BL"):
        stale = stale_model(project.root, config.blameless)
        if stale is not None:
            echo(f"incident: warning: {stale}", err=True)
    result = lint(project.lint_context(), selection, paths, stdin=stdin, jobs=jobs, base=base)
    diagnostics = result.diagnostics
    if output_format in FROM_GIT_TOP:
        # GitHub and GitLab name a file from the repository's root: an archive kept in a
        # subfolder of it (`ops/postmortems/`) names its files from there, or the annotations
        # and alerts point at files that do not exist.
        folder = archive_folder(project.root)
        diagnostics = [
            d if d.path == STDIN_NAME else replace(d, path=from_git_top(folder, d.path))
            for d in diagnostics
        ]
    if output_format == "sarif":
        # Its rules say their level too, which code scanning shows: the configured one.
        output = format_sarif(diagnostics, rule_severities(config), root=git_top(project.root))
    else:
        output = FORMATTERS[output_format](diagnostics)
    echo(output, nl=False)  # to a reader that went away too: the findings decide the exit code
    if output_format == "github" and os.environ.get("GITHUB_STEP_SUMMARY"):
        with open(os.environ["GITHUB_STEP_SUMMARY"], "a", encoding="utf-8") as summary:
            # What the step wrote before (another run in it, as xargs makes) counts too.
            room = STEP_SUMMARY_LIMIT - os.fstat(summary.fileno()).st_size
            summary.write(format_summary(diagnostics, result.files, limit=room))
    if output_format == "text":
        echo(summary_line(result.diagnostics, result.files), err=True)
    sys.exit(exit_code(result.diagnostics, fail_on=fail_on or config.lint.fail_on))


def _stdin_display(name: Path, root: Path) -> str:
    """The name given with --stdin-filename, from the root. A relative name is read from the
    current folder when that is in the archive, or names a file of the archive from there, and
    from the root otherwise (`--root` from outside: `incidents/INC-….md`)."""
    if not name.is_absolute() and _outside(relative_display(Path.cwd(), root)):
        from_here = Path.cwd() / name
        inside = from_here.exists() and not _outside(relative_display(from_here, root))
        name = from_here if inside else root / name
    return relative_display(name, root)


def _outside(display: str) -> bool:
    return display == ".." or display.startswith("../")


def _is_archive_wide(project: Project, path: Path) -> bool:
    """A file every record is checked against: the roster, the configuration, the blameless
    examples file or model file (see Config.checked_against)."""
    try:
        return (path if path.is_absolute() else Path.cwd() / path).resolve() in {
            (project.root / name).resolve() for name in project.config.checked_against()
        }
    except (OSError, RuntimeError):  # RuntimeError: pathlib's word for a symbolic link loop
        return False


@main.command("rules")
@click.option(
    "--format", "output_format", type=click.Choice(["text", "json", "markdown"]), default="text"
)
def rules_command(output_format: str) -> None:
    """List every lint rule with its summary and a bad and a good example."""
    if output_format == "markdown":
        echo(format_rules_markdown(), nl=False)
        return
    if output_format == "json":
        payload = [
            {
                "code": rule.code,
                "name": rule.name,
                "severity": rule.severity.value,
                "summary": rule.summary,
                "bad": rule.bad,
                "good": rule.good,
            }
            for rule in ALL_RULES.values()
        ]
        echo(json.dumps(payload, indent=2))
        return
    for rule in ALL_RULES.values():
        echo(f"{rule.code}  {rule.name}  [{rule.severity.value}]")
        echo(f"    {rule.summary}")
        echo("    bad:  " + rule.bad.replace("\n", "\n          "))
        echo("    good: " + rule.good.replace("\n", "\n          "))
