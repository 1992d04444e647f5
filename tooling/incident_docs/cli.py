"""The `incident` command: parse options, call the domain, print, and turn errors into exit codes."""

from __future__ import annotations

import importlib
import json
import os
import sys
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, NoReturn

import click

from incident_docs import __version__
from incident_docs.config import NO_ARCHIVE, Config, archive_present, find_root, load_config
from incident_docs.diagnostics import EXIT_ERROR, EXIT_OK, UsageError, exit_code
from incident_docs.formatters import (
    FORMATTERS,
    format_rules_markdown,
    format_summary,
    summary_line,
)
from incident_docs.linter import lint, selection_from
from incident_docs.models import Roster
from incident_docs.records import load_roster
from incident_docs.rules import ALL_RULES
from incident_docs.rules.base import LintContext


@dataclass
class Project:
    """The repository a command works on; configuration and roster are read when first needed."""

    root: Path
    config_path: Path | None = None

    @cached_property
    def config(self) -> Config:
        return load_config(self.root, self.config_path)

    @cached_property
    def roster(self) -> Roster:
        return load_roster(self.root, self.config)

    def lint_context(self) -> LintContext:
        return LintContext(self.root, self.config, self.roster)

    def require_archive(self) -> None:
        """Refuse to read an archive that is not there: a job in the wrong folder must not pass."""
        config = self.config
        if not archive_present(self.root, config):
            raise UsageError(
                NO_ARCHIVE.format(
                    root=self.root,
                    incidents=config.incidents_dir.rstrip("/"),
                    postmortems=config.postmortems_dir.rstrip("/"),
                )
            )


class HelpGroup(click.Group):
    """Lists each command with its whole first sentence, wrapped rather than cut mid-phrase."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=400)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


class _Group(HelpGroup):
    """Turns domain errors into a one-line message and exit code 2, in this one place."""

    group_class = HelpGroup

    # The other command modules are imported only when a command outside this module is
    # asked for: `incident lint` starts faster without loading what it never runs.
    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None and _load_command_modules():
            command = super().get_command(ctx, cmd_name)
        return command

    def list_commands(self, ctx: click.Context) -> list[str]:
        _load_command_modules()
        return super().list_commands(ctx)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            # The reader went away (`incident rules | head -1`): not an error. Point stdout at
            # /dev/null so the interpreter's last flush does not complain either.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(EXIT_OK)
        except UsageError as error:
            fail(str(error))
        except OSError as error:
            where = f"{error.filename}: " if error.filename else ""
            fail(f"{where}{error.strerror or error}")


def fail(message: str) -> NoReturn:
    for line in message.splitlines() or [message]:
        click.echo(f"incident: error: {line}", err=True)
    sys.exit(EXIT_ERROR)


pass_project = click.make_pass_decorator(Project)
yes_option = click.option(
    "--yes", "-y", is_flag=True, help="Ask nothing; take the arguments and flags as they are."
)
"""Every command that writes takes it, so scripts can pass it whether or not it would ask."""


def _codes(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(code.strip() for value in values for code in value.split(",") if code.strip())


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="incident")
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    help="Repository root (default: found from the current folder).",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="pyproject.toml to read [tool.incident-docs] from.",
)
@click.pass_context
def main(ctx: click.Context, root: Path | None, config_path: Path | None) -> None:
    """Incidents and blameless postmortems as Markdown in git."""
    if root is not None and not root.is_dir():
        raise click.BadParameter(f"{root}: no such folder", param_hint="--root")
    ctx.obj = Project((root or find_root()).resolve(), config_path)


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
@click.option("--jobs", type=click.IntRange(1, 64), help="Worker processes (default: all cores).")
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
    A PATH that is the roster or pyproject.toml lints the whole archive too, since a change to
    either can break every record.
    """
    config = project.config
    if strict:
        fail_on = "warning"
    try:
        selection = selection_from(config, _codes(select), _codes(ignore))
    except ValueError as error:
        raise UsageError(str(error)) from None
    for code in selection.select + selection.ignore:
        if not any(known.startswith(code) for known in ALL_RULES):
            raise UsageError(f"unknown rule code or prefix '{code}' (see 'incident rules')")
    stdin = None
    if Path("-") in paths:
        if len(paths) > 1:
            raise UsageError("'-' (standard input) cannot be combined with other paths")
        stdin = (sys.stdin.buffer.read(), stdin_filename or "<stdin>")
        paths = ()
    if paths and any(_is_archive_wide(project, path) for path in paths):
        paths = ()
    if not paths and stdin is None:
        project.require_archive()
    result = lint(project.lint_context(), selection, paths, stdin=stdin, jobs=jobs, base=base)
    try:
        click.echo(FORMATTERS[output_format](result.diagnostics), nl=False)
    except BrokenPipeError:
        # The reader stopped reading (`incident lint | head`): the findings still decide the
        # exit code, so a pipeline with pipefail still fails.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    if output_format == "github" and os.environ.get("GITHUB_STEP_SUMMARY"):
        with open(os.environ["GITHUB_STEP_SUMMARY"], "a", encoding="utf-8") as summary:
            summary.write(format_summary(result.diagnostics, result.files))
    if output_format == "text":
        click.echo(summary_line(result.diagnostics, result.files), err=True)
    sys.exit(exit_code(result.diagnostics, fail_on=fail_on or config.lint.fail_on))


def _is_archive_wide(project: Project, path: Path) -> bool:
    """The roster or the configuration file: what every record is checked against."""
    try:
        resolved = (path if path.is_absolute() else Path.cwd() / path).resolve()
    except OSError:
        return False
    return resolved in (
        (project.root / project.config.roster).resolve(),
        (project.root / "pyproject.toml").resolve(),
    )


@main.command("rules")
@click.option(
    "--format", "output_format", type=click.Choice(["text", "json", "markdown"]), default="text"
)
def rules_command(output_format: str) -> None:
    """List every lint rule with its summary and a bad and a good example."""
    if output_format == "markdown":
        click.echo(format_rules_markdown(), nl=False)
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
        click.echo(json.dumps(payload, indent=2))
        return
    for rule in ALL_RULES.values():
        click.echo(f"{rule.code}  {rule.name}  [{rule.severity.value}]")
        click.echo(f"    {rule.summary}")
        click.echo("    bad:  " + rule.bad.replace("\n", "\n          "))
        click.echo("    good: " + rule.good.replace("\n", "\n          "))


# The command modules register themselves on `main` when imported (see _Group).
_COMMAND_MODULES = (
    "incident_docs.cli_actions",
    "incident_docs.cli_blameless",
    "incident_docs.cli_incident",
    "incident_docs.cli_review",
    "incident_docs.cli_site",
)


def _load_command_modules() -> bool:
    """Import the command modules not yet loaded; False when there were none left."""
    missing = [name for name in _COMMAND_MODULES if name not in sys.modules]
    for name in missing:
        importlib.import_module(name)
    return bool(missing)
