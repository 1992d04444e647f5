"""The `incident` command: parse options, call the domain, print, and turn errors into exit codes."""

from __future__ import annotations

import codecs
import importlib
import io
import math
import os
import re
import sys
from functools import cached_property
from typing import TYPE_CHECKING, Any, NoReturn

import click

from incident_docs import __version__

if TYPE_CHECKING:
    from pathlib import Path

    from incident_docs.config import Config
    from incident_docs.models import Roster
    from incident_docs.rules.base import LintContext

# `incident --help` and `--version` import only this module and click: each command's module is
# imported when that command runs. The short help of each command is kept here for the list
# (a test checks it against the commands themselves).
COMMANDS: dict[str, tuple[str, str]] = {
    "actions": (
        "incident_docs.cli_actions",
        "Open and overdue action items across the archive, as the site's action-item page "
        "lists them.",
    ),
    "assign": (
        "incident_docs.cli_incident",
        "Hand ROLE (incident-commander, communications-lead, ops-lead; or ic, comms, ops) to "
        "PERSON.",
    ),
    "blameless": (
        "incident_docs.cli_blameless",
        "Blameless language: explain what reads as blame, train on the archive's own examples.",
    ),
    "codeowners": (
        "incident_docs.cli_review",
        "CODEOWNERS from the roster: seniors own postmortems, maintainers the rest.",
    ),
    "declare": (
        "incident_docs.cli_incident",
        "Declare an incident: answer the seven questions, get a record, and take command.",
    ),
    "init": (
        "incident_docs.cli_incident",
        "Set up an archive here: record folders, people.yaml, configuration, mkdocs.yml and docs/.",
    ),
    "lint": (
        "incident_docs.cli_lint",
        "Lint records: fields, sections, timeline, IDs and blameless language.",
    ),
    "list": ("incident_docs.cli_incident", "List incidents, open ones first, newest first."),
    "log": (
        "incident_docs.cli_incident",
        "Add TEXT to the timeline (quotes optional; '-' reads it from stdin).",
    ),
    "postmortem": (
        "incident_docs.cli_incident",
        "Scaffold the postmortem draft for INCIDENT, pre-filled from its record.",
    ),
    "reopen": (
        "incident_docs.cli_incident",
        "Reopen a resolved INCIDENT that is not over: back to investigating, with the reason in "
        "the timeline and the status history.",
    ),
    "resolve": ("incident_docs.cli_incident", "Resolve the incident and record its summary."),
    "review-gate": (
        "incident_docs.cli_review",
        "Block a pull request that changes postmortems until enough seniors approved it.",
    ),
    "rules": (
        "incident_docs.cli_lint",
        "List every lint rule with its summary and a bad and a good example.",
    ),
    "show": (
        "incident_docs.cli_incident",
        "Show an incident (its fields, who held each role when, the timeline with offsets) or a "
        "postmortem (its review: the teams involved, who approved for each, who still could).",
    ),
    "similar": (
        "incident_docs.cli_incident",
        "Past incidents and postmortems most like INCIDENT (or --text), each with what "
        "mitigated it.",
    ),
    "site": ("incident_docs.cli_site", "The published archive (MkDocs)."),
    "stats": (
        "incident_docs.cli_site",
        "Incidents per month and severity; median and p90 time to detect, mitigate and resolve.",
    ),
    "status": (
        "incident_docs.cli_incident",
        "Move the incident to STATE (investigating, identified, monitoring, resolved), with a "
        "NOTE.",
    ),
    "teams": (
        "incident_docs.cli_review",
        "The roster's teams: who is in each, who can approve for it, the services it owns.",
    ),
    "update": (
        "incident_docs.cli_incident",
        "Write the stakeholder update from the record: status, impact, cause, work, next update.",
    ),
}


class Project:
    """The repository a command works on; configuration and roster are read when first needed."""

    def __init__(
        self, root: Path, config_path: Path | None = None, command: str | None = None
    ) -> None:
        self.root = root
        self.config_path = config_path
        self.command = command

    @cached_property
    def config(self) -> Config:
        from incident_docs.config import load_config
        from incident_docs.diagnostics import UsageError

        config = load_config(self.root, self.config_path)
        if config.lint.problems:
            if self.command in _LINTING:
                raise UsageError("\n".join(config.lint.problems))
            # Lint settings: the other commands do not lint, and an incident must go on.
            for line in config.lint.problems:
                echo(f"incident: warning: {line}", err=True)
        return config

    @cached_property
    def roster(self) -> Roster:
        from incident_docs.records import load_roster

        return load_roster(self.root, self.config)

    def lint_context(self) -> LintContext:
        from incident_docs.config import CONFIG_FILE
        from incident_docs.rules.base import LintContext

        return LintContext(
            self.root, self.config, self.roster, self.config_path or self.root / CONFIG_FILE
        )

    def require_archive(self) -> None:
        """Refuse to read an archive that is not there: a job in the wrong folder must not pass."""
        from incident_docs.config import NO_ARCHIVE, archive_present
        from incident_docs.diagnostics import UsageError

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


_LINTING = frozenset({"lint", "site"})
"""The commands that lint: they refuse lint settings that name no rule."""


_WRITING = frozenset(
    {"assign", "declare", "log", "postmortem", "reopen", "resolve", "status", "update"}
)
"""The commands that write what they are given into a record."""


_TEXT = frozenset({"declare", "log", "resolve", "status"})
"""The commands whose words are free text (the title, the entry, the summary, the note)."""


class _Group(HelpGroup):
    """Turns domain errors into a one-line message and exit code 2, in this one place."""

    group_class = HelpGroup

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None and cmd_name in COMMANDS:
            importlib.import_module(COMMANDS[cmd_name][0])  # registers its commands on main
            command = super().get_command(ctx, cmd_name)
        return command

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        if name in _WRITING:
            from incident_docs.terminal import NOT_UTF8

            for number, argument in enumerate(rest, start=1):
                # The shell passes bytes; those that are not UTF-8 arrive as lone surrogates,
                # which no record can hold: refused before the command takes them as text. A
                # file name may hold such bytes, and the other commands read files by name.
                if NOT_UTF8.search(argument) is not None:
                    shown = argument.encode("utf-8", "surrogateescape").decode(
                        "ascii", "backslashreplace"
                    )
                    fail(f"{name}: argument {number} is not valid UTF-8: '{shown}'")
        return name, command, rest

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, COMMANDS[name][1]) for name in sorted(COMMANDS)])

    def main(self, *args: Any, **kwargs: Any) -> Any:
        stdout = sys.stdout
        if isinstance(stdout, io.TextIOWrapper) and stdout.errors == "strict":
            # An encoding that cannot hold every character (PYTHONIOENCODING=latin-1, a locale
            # that is not UTF-8): a title's "—" is written as its escape, as standard error
            # writes it, not a traceback halfway through the output.
            codecs.register_error(_ESCAPE, _escaped)
            stdout.reconfigure(errors=_ESCAPE)
        try:
            return super().main(*args, **kwargs)
        except BrokenPipeError:
            # Click's own message of a usage error (an unknown option or command) met a reader
            # that went away (`incident lint --format jsn 2>&1 | head -1`): the commands handle
            # their own output, so only that message gets here. Still a usage error, not the 1
            # that says there were findings.
            from incident_docs.diagnostics import EXIT_ERROR

            _reader_gone(sys.stderr)
            sys.exit(EXIT_ERROR)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        from incident_docs.diagnostics import EXIT_OK

        try:
            return super().parse_args(ctx, args)
        except BrokenPipeError:
            # `incident --help | head -1`: the help is printed while the arguments are read.
            _reader_gone(sys.stdout)
            sys.exit(EXIT_OK)

    def invoke(self, ctx: click.Context) -> Any:
        from incident_docs.diagnostics import EXIT_OK, UsageError

        try:
            return super().invoke(ctx)
        except click.NoSuchOption as error:
            # "incident log -5% error rate": a number, not an option. Quotes do not help (the
            # shell takes them away); '--' does.
            if re.match(r"-\d", error.option_name) and ctx.invoked_subcommand in _TEXT:
                raise click.UsageError(
                    f"{error.format_message()} Text that starts with '-' goes after '--': "
                    f"incident {ctx.invoked_subcommand} -- {error.option_name}…",
                    error.ctx,
                ) from None
            raise
        except BrokenPipeError:
            # The reader went away (`incident rules | head -1`) while click wrote: not an error.
            _reader_gone(sys.stdout)
            sys.exit(EXIT_OK)
        except UsageError as error:
            fail(str(error))
        except (click.Abort, KeyboardInterrupt):
            # Ctrl-C, or the end of input at a question: no finding (exit 1 says there were).
            echo(err=True)
            fail("aborted")
        except UnicodeEncodeError as error:
            # Bytes that are not UTF-8, typed at a prompt (the arguments are refused before):
            # a record is encoded whole before it is written, so nothing was.
            if "surrogates" not in str(error.reason):
                raise
            fail("text that is not valid UTF-8 cannot go into a record: nothing was written")
        except OSError as error:
            where = f"{error.filename}: " if error.filename else ""
            fail(f"{where}{error.strerror or error}")


def fail(message: str) -> NoReturn:
    from incident_docs.diagnostics import EXIT_ERROR, bounded

    for line in message.splitlines() or [message]:
        echo(f"incident: error: {bounded(line)}", err=True)  # a huge value: its start and length
    sys.exit(EXIT_ERROR)


def echo(message: str = "", *, err: bool = False, nl: bool = True) -> None:
    """Print as click.echo does, with control characters written out: a record, the roster or a
    file name can hold an escape sequence, and it must not reach the terminal of whoever runs
    the command."""
    from incident_docs.terminal import printable

    try:
        click.echo(printable(message), err=err, nl=nl)
    except BrokenPipeError:
        # The reader went away (`incident codeowners --check | head -1`): the rest of the
        # output goes nowhere and the command goes on to its own exit code, so a check that
        # fails still fails a pipeline with pipefail.
        _reader_gone(sys.stderr if err else sys.stdout)


_ESCAPE = "incident-docs-escape"


def _escaped(error: UnicodeError) -> tuple[str, int]:
    """What standard output writes for characters its encoding cannot hold: `\\u2014`, and a
    pair of such escapes for one beyond the Basic Multilingual Plane (`\\ud83d\\udd25`, not
    `\\U0001f525`), the escapes JSON reads back as the characters, so that JSON output stays
    valid."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    units = error.object[error.start : error.end].encode("utf-16-be", "surrogatepass")
    escapes = (f"\\u{int.from_bytes(units[i : i + 2], 'big'):04x}" for i in range(0, len(units), 2))
    return "".join(escapes), error.end


def _reader_gone(stream: Any) -> None:
    """Point the stream at /dev/null, so that neither the next write nor the interpreter's last
    flush complains about the pipe that was closed."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())


class Seconds(click.FloatRange):
    """A number of seconds, 0 or more: click's FloatRange takes `nan` and `inf`, and a wait
    bounded by nan never ends (no comparison with it is true)."""

    name = "seconds"

    def __init__(self) -> None:
        super().__init__(min=0)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        seconds = super().convert(value, param, ctx)
        if not math.isfinite(seconds):
            self.fail(f"{value!r} is not a finite number of seconds", param, ctx)
        return seconds


pass_project = click.make_pass_decorator(Project)
yes_option = click.option(
    "--yes", "-y", is_flag=True, help="Ask nothing; take the arguments and flags as they are."
)
"""Every command that writes takes it, so scripts can pass it whether or not it would ask."""


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="incident")
@click.option(
    "--root",
    type=click.Path(file_okay=False),
    help="Repository root (default: found from the current folder).",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    help="pyproject.toml to read [tool.incident-docs] from; without --root, a file in another "
    "repository means that repository.",
)
@click.pass_context
def main(ctx: click.Context, root: str | None, config_path: str | None) -> None:
    """Incidents and blameless postmortems as Markdown in git."""
    from pathlib import Path  # here, not above: `incident --version` does not need it

    from incident_docs.config import repository_of, unmade_root_problem

    # init sets up the folder it is given, so that one may not be there yet (it makes it only
    # once it writes, and only in a git repository's work tree).
    if root is not None and not Path(root).is_dir():
        problem = "no such folder"
        if ctx.invoked_subcommand == "init" and not os.path.lexists(root):
            problem = unmade_root_problem(Path(root)) or ""
            problem = problem and f"no such folder, and {problem}"
        if problem:
            raise click.BadParameter(f"{root}: {problem}", param_hint="--root")
    config_file = Path(config_path) if config_path else None
    cwd = Path.cwd().resolve()
    here = repository_of(cwd)  # as find_root() finds it: the tree is walked once
    found = Path(root) if root else here or cwd
    if not root and config_file is not None and config_file.is_file():
        # A configuration in another repository than this folder's is that repository's (run
        # from elsewhere, or from one nested in it); one in this repository, or in none (a
        # shared file), configures this one.
        written = Path(os.path.normpath(config_file.absolute()))  # "..", not links, read
        if here is None or not written.is_relative_to(here):
            found = repository_of(written.parent) or found
    ctx.obj = Project(found.resolve(), config_file, ctx.invoked_subcommand)


def _load_command_modules() -> bool:
    """Import every command module not yet loaded; False when there were none left."""
    missing = sorted({module for module, _ in COMMANDS.values()} - set(sys.modules))
    for name in missing:
        importlib.import_module(name)
    return bool(missing)


if __name__ == "__main__":
    # `python -m incident_docs.cli`: the commands register on this module imported by its name,
    # not on the copy Python runs as __main__.
    from incident_docs.cli import main as incident

    incident()
