"""The incident commands: declare, assign, log, status, resolve, update, postmortem, list, show, init."""

from __future__ import annotations

import contextlib
import difflib
import itertools
import json
import os
import shlex
import string
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from incident_docs import disclosure, git, inputs, lifecycle, reports, scaffold, store, webhooks
from incident_docs.blameless import check_markdown
from incident_docs.blameless.archive import load_checker
from incident_docs.casecache import archive_parts, latest_parts
from incident_docs.cli import Project, echo, main, pass_project, yes_option
from incident_docs.config import Config, archive_folder, git_top
from incident_docs.diagnostics import EXIT_ERROR, EXIT_FINDINGS, Finding, UsageError
from incident_docs.document import Document, relative_display, scan_blocks
from incident_docs.lifecycle import Change, Clock, FieldPath
from incident_docs.models import (
    AUDIENCES,
    CRITERIA,
    HANDLE_RE,
    KEY_TIMESTAMPS,
    LABEL_LENGTH,
    LABEL_RE,
    Criteria,
    EntryKind,
    Incident,
    IncidentStatus,
    Role,
    Roster,
    TimelineEntry,
    postmortem_id,
)
from incident_docs.records import (
    IncidentQuery,
    awaiting_postmortem,
    incident_timelines,
    locate_incident,
    locate_postmortem,
    postmortems_covering,
    read_archive,
    read_incidents,
    select_incidents,
    several_records,
    shared_ids,
    skipped_note,
    written_id,
)
from incident_docs.related import NOT_RECORDED, Match, RelatedIndex, cases_of, telling
from incident_docs.related import words as search_words
from incident_docs.rules import suppression
from incident_docs.teams import Involvement, involved, postmortem_review
from incident_docs.templates import REVIEW_CHECKLIST, incident_body
from incident_docs.terminal import printable, quoted
from incident_docs.timeline import format_time, parse_timeline, render_entry, timeline_titles

CLOCK: Clock = lifecycle.utc_now
"""The clock every command reads once; tests replace it."""


def _terminal() -> bool:
    """Whether someone is at a terminal to answer questions."""
    return sys.stdin.isatty()


def _tell(message: str) -> None:
    """What a command that writes a record says it did, on standard error, as are the questions
    it asks at a terminal: standard output holds only the path of the record, which a script
    reads (`path=$(incident declare …)`)."""
    echo(message, err=True)


def _warn(message: str) -> None:
    echo(f"incident: warning: {message}", err=True)


def _shown(path: Path) -> str:
    """The path as the person typing can use it: relative to the current folder when inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


# --- who and what -------------------------------------------------------------------------------


def _person(project: Project, given: str, what: str, *, outside: bool = False) -> str:
    """A handle as the roster spells it, for a handle or a GitHub login (`@dana-okafor`, as
    GitHub shows people). One the roster does not know is refused, with the nearest handles,
    unless `outside` (someone from outside the roster, on purpose) or the roster is still
    empty."""
    handle = given.strip().lstrip("@")
    if not HANDLE_RE.match(handle):
        raise UsageError(
            f"{what} '{given}' is not a handle: letters, digits, '.', '_' and '-', "
            "as in people.yaml"
        )
    roster = project.roster
    login = roster.by_github(handle)
    person = roster.by_handle(handle)
    if (
        given.strip().startswith("@")
        and person is not None
        and login is not None
        and person is not login
    ):
        # "@sam", as GitHub shows people, is the login of one and the handle of another:
        # either could be meant, and the record would name the wrong one.
        raise UsageError(
            f"{what} '{given.strip()}' is {login.handle}'s GitHub login and {person.handle}'s "
            f"handle in the roster ({project.config.roster}): pass the handle of who you mean"
        )
    person = person or login
    if person is not None and outside:
        raise UsageError(
            f"{what} '{handle}' is in the roster ({project.config.roster}) as "
            f"'{person.handle}': leave out --outside"
        )
    if person is not None:
        return person.handle
    if outside or not roster.people:
        return handle
    handles = sorted(p.handle for p in roster.people)
    close = difflib.get_close_matches(handle.casefold(), handles, n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(close)}?" if close else ""
    outsider = (
        ", or pass --outside to record someone from outside the roster" if what == "PERSON" else ""
    )
    raise UsageError(
        f"{what} '{handle}' is not in the roster ({project.config.roster}){hint} "
        f"(add them there{outsider})"
    )


def _who(project: Project, by: str | None, *, ask: bool = False) -> str:
    """--by, else the roster entry for `git config user.email`, else (at a terminal) the answer
    to "who are you?"; while the roster is still empty, the git user name, else (at a terminal)
    the answer to "who are you?"."""
    if by:
        return _person(project, by, "--by")
    email = git.config_value(project.root, "user.email")
    shared = ""
    if email:
        found = {p.handle.casefold(): p.handle for p in project.roster.all_by_email(email)}
        if len(found) == 1:
            return next(iter(found.values()))
        if found:
            # Whoever the roster lists first would be recorded, maybe someone else.
            shared = (
                f"Your git email ({email}) is given to {' and '.join(found.values())} in "
                f"{project.config.roster}, an email names one person"
            )
    if project.roster.people:
        if ask:
            known = ", ".join(sorted(p.handle for p in project.roster.people)[:12])
            _tell(
                f"{shared}."
                if shared
                else f"Your git email ({email or 'not set'}) is not in {project.config.roster}."
            )

            def convert(value: str) -> str:
                try:
                    return _person(project, value, "handle")
                except UsageError as error:
                    raise click.UsageError(str(error)) from None  # asked again

            return str(
                click.prompt(printable(f"Who are you? ({known})"), value_proc=convert, err=True)
            )
        if shared:
            raise UsageError(f"who is this? {shared[0].lower()}{shared[1:]}: pass --by HANDLE")
        raise UsageError(
            f"who is this? your git email ({email or 'not set'}) is not in "
            f"{project.config.roster}: pass --by HANDLE, or add the email to your roster entry"
        )
    # A name with no letter a handle can spell (山田太郎) stands in for nobody: "incident"
    # would be recorded as Incident Commander.
    name = lifecycle.slugify(git.config_value(project.root, "user.name"), 39, default="")
    if name:
        return _person(project, name, "git user.name")
    if ask:
        _tell(f"Nobody is in {project.config.roster} yet, and git has no user name to stand in.")

        def handle(value: str) -> str:
            try:
                return _person(project, value, "handle")
            except UsageError as error:
                raise click.UsageError(str(error)) from None  # asked again

        return str(
            click.prompt(
                printable(f"Who are you? (a handle, as {project.config.roster} will list you)"),
                value_proc=handle,
                err=True,
            )
        )
    raise UsageError(
        f"who is this? pass --by HANDLE: nobody is in {project.config.roster} yet, and git has "
        "no user name (in letters a handle can spell) to stand in"
    )


def _moment(at: str | None, now: datetime) -> datetime:
    return inputs.parse_moment(at, now) if at else now


def _at_write(at: str | None, moment: datetime) -> datetime:
    """When a change happens: the --at given, else the clock read as the change is made, under
    the lock. A command that waited its turn behind others records a time after theirs, not
    the time it started (which would put its status change or handoff before theirs)."""
    return moment if at else CLOCK()


_LABEL_CHARACTERS = frozenset(string.ascii_lowercase + string.digits + "._-")
"""What a service or tag name is made of (LABEL_RE)."""


def _labels(values: Sequence[str], option: str) -> list[str]:
    """Services or tags: commas split, case and spaces forgiven, each checked."""
    result: list[str] = []
    for value in values:
        for part in value.split(","):
            label = "-".join(part.strip().lower().split())
            if not label:
                continue
            # Its characters first: a name too long and not a name either is refused once.
            if not LABEL_RE.match(label[:LABEL_LENGTH]) or not set(label) <= _LABEL_CHARACTERS:
                raise UsageError(
                    f"{option} '{part.strip()}' is not a name: lower-case letters, digits, "
                    "'.', '_' and '-'"
                )
            if len(label) > LABEL_LENGTH:
                raise UsageError(
                    f"{option} '{part.strip()}' is {len(label)} characters: a name is at most "
                    f"{LABEL_LENGTH}"
                )
            if label not in result:
                result.append(label)
    return result


# --- finding the incident -----------------------------------------------------------------------


def _still_suppressed(
    project: Project, source: store.IncidentFile
) -> Callable[[str, tuple[str, ...]], list[str]]:
    """The codes the incident suppresses for a front-matter value that the blameless checks
    still find in the text a draft writes of it: a block over several keys suppresses nothing
    in a value without blame, and the draft would report it (SP001). When the archive's
    blameless setup cannot be read, every blameless code is kept (with a warning): the draft is
    written all the same."""

    warned: list[bool] = []

    def needed(text: str, keys: tuple[str, ...]) -> list[str]:
        codes = source.suppressed_codes(*keys)
        if not codes:
            return []
        try:
            checker = load_checker(project.root, project.config.blameless, project.roster)
        except UsageError as error:
            if not warned:
                warned.append(True)
                _warn(f"{error}: the draft keeps every blameless suppression it copies")
            return [code for code in codes if code.startswith("BL") or "BL".startswith(code)]
        found = {hit.code for _, _, hit in check_markdown(text, checker=checker)}
        return [code for code in codes if any(f.startswith(code) for f in found)]

    return needed


def _located(project: Project, given: str | None) -> tuple[Path, str]:
    if not (given and Path(given).is_file()):
        project.require_archive()
    found = locate_incident(project.root, project.config, given)
    if found.note:
        _warn(found.note)
    return found.path, found.display


def _one_incident(project: Project, positional: str | None, option: str | None) -> str | None:
    """INCIDENT or --incident; both may be given only when they name the same record."""
    if positional and option and positional != option:
        first = locate_incident(project.root, project.config, positional)
        second = locate_incident(project.root, project.config, option)
        if first.path.resolve() != second.path.resolve():
            raise UsageError(
                f"INCIDENT '{positional}' and --incident '{option}' name different incidents: "
                "give one"
            )
    # An empty one is given too (a variable not set): locate_incident refuses it.
    return positional if positional is not None else option


def _actor(project: Project, by: str | None, given: str | None) -> str:
    """Who acts on the incident `given` (its --incident, None for the only open one): as _who
    says, or one of its outside responders (`incident assign ROLE PERSON --outside`), who hold
    a role and act in it."""
    try:
        return _who(project, by)
    except UsageError:
        if not by:
            raise
        wanted = by.strip().lstrip("@").casefold()
        try:
            path, display = _located(project, given)
            record = store.read_incident(path, display, project.config).incident
        except UsageError:
            record = None
        outsiders = record.outside_responders if record is not None else ()
        found = next((h for h in outsiders if h.casefold() == wanted), None)
        if found is None:
            raise
        return found


def _edit(project: Project, given: str | None, make: Any) -> store.EditResult:
    scaffold.require_archive_root(project.root, project.config)
    path, display = _located(project, given)
    result = store.edit_incident(project.root, path, display, project.config, make)
    for note in result.notes:
        _warn(note)
    for stale in _stale_copies(project, result):
        _warn(stale)
    return result


def _stale_copies(project: Project, result: store.EditResult) -> list[str]:
    """What lint will say (FM011) of the postmortem's copy of the key times this edit moved
    (resolved, reopened, a time corrected): said now, on the incident's lines, rather than
    found later as a failed site build."""
    before, after = result.before.incident, result.after.incident
    if after.postmortem is None or all(
        getattr(before, name) == getattr(after, name) for name in KEY_TIMESTAMPS
    ):
        return []
    from incident_docs.linter import Selection, lint_document

    found = lint_document(result.after.doc, project.lint_context(), Selection(("FM011",)))
    return [
        f"{result.after.display}:{finding.line}: {finding.message} (FM011)"
        for finding in found.findings
    ]


incident_option = click.option(
    "--incident", "-i", "incident", metavar="ID", help="Incident ID, part of one, or path."
)
by_option = click.option(
    "--by", metavar="HANDLE", help="Who is doing this (default: you, from git config)."
)
at_option = click.option(
    "--at",
    metavar="TIME",
    help="When it happened, to backfill: 2022-12-25T12:32:00Z, ...+01:00, or -15m.",
)

audience_option = click.option(
    "--audience",
    multiple=True,
    metavar="WHO=HARM",
    help="Who is hurt and how, repeatable: users=..., stakeholders=..., company=....",
)
outside_option = click.option(
    "--outside",
    is_flag=True,
    help="PERSON is not in the roster, on purpose (someone from another organisation).",
)

text_or_json = click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"], case_sensitive=False),
    default="text",
    show_default=True,
)


# --- git and pull requests ----------------------------------------------------------------------


def _share(
    root: Path,
    branch: str,
    paths: Sequence[Path],
    title: str,
    body: str,
    *,
    pr: bool,
    reviewers: Sequence[str] = (),
) -> bool:
    """Branch, commit and maybe open a PR; False (after saying why) when git or gh failed."""
    try:
        git.branch_and_commit(root, branch, paths, title)
        _tell(f"Committed on new branch {branch}.")
        if pr:
            git.open_pull_request(root, branch, title, body, _tell, reviewers)
    except UsageError as error:
        echo(f"incident: error: {error}", err=True)
        return False
    return True


@contextlib.contextmanager
def _after_writing(path: Path, done: str, left: str) -> Iterator[None]:
    """What follows a record just written (the cases like it, the branch, the pull request):
    Ctrl-C there stops that, not what is written. The path is still printed, the line a script
    reads, and the error says that the record is there, so that nobody writes it again."""
    try:
        yield
    except KeyboardInterrupt as interrupt:
        # The branch's commit says what it undid: "nothing was committed, and you are back on".
        echo(err=True)  # after the ^C the terminal shows
        echo(_shown(path))
        raise UsageError(
            f"interrupted once {path.stem} was {done}: {_shown(path)} is written; "
            f"{str(interrupt) or left}"
        ) from None


# --- declare ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Answers:
    title: str
    criteria: Criteria
    severity: str
    suggested: str
    services: list[str]
    tags: list[str]
    audiences: dict[str, str]


def _declare_answers(
    config: Config,
    title: str,
    because: Sequence[str],
    severity: str | None,
    service: Sequence[str],
    tag: Sequence[str],
    audience: Sequence[str],
    *,
    ask: bool,
) -> _Answers | None:
    """What `declare` was told, with the rest asked for at a terminal; None: not declared."""
    if not title.strip():
        if not ask:
            raise UsageError("give the incident a title: incident declare 'Checkout is failing'")
        # Checked as it is typed, and asked again: not after every other question.
        title = click.prompt(
            "Title (what is wrong, in a few words)", value_proc=_title_proc, err=True
        )
    severity_names = config.severity_names()
    chosen = inputs.match_severity(severity, severity_names) if severity else None
    services = _labels(service, "--service")
    tags = _labels(tag, "--tag")
    audiences = lifecycle.harms(inputs.parse_audiences(audience))
    criteria = inputs.parse_criteria(because) if because else None
    if criteria is None:
        criteria = _ask_criteria() if ask else Criteria()
    if ask:  # else said once the incident is declared
        _tell(lifecycle.recommendation(criteria))
    if ask and not criteria.any() and not click.confirm("Declare anyway?", default=True, err=True):
        return None
    suggested = lifecycle.suggest_severity(criteria, severity_names)
    if chosen is None and ask:
        for level in config.severities:
            _tell(f"  {level.name}: {level.description}")
        chosen = click.prompt(
            "Severity", default=suggested, value_proc=_severity_proc(severity_names), err=True
        )
    if not services and ask:
        services = click.prompt(
            "Affected services (comma-separated, Enter to skip)",
            default="",
            show_default=False,
            value_proc=_services_proc,
            err=True,
        )
    if not audiences and ask:
        audiences = _ask_audiences(criteria)
    return _Answers(title, criteria, chosen or suggested, suggested, services, tags, audiences)


def _title_proc(value: str) -> str:
    try:
        return lifecycle.incident_title(value)
    except UsageError as error:
        raise click.UsageError(str(error)) from None  # asked again


def _ask_audiences(criteria: Criteria) -> dict[str, str]:
    _tell("Who is hurt? (Enter = no)")
    found: dict[str, str] = {}
    for name, meaning in AUDIENCES.items():
        hurt = name == "users" and criteria.user_facing
        if click.confirm(f"  {name.capitalize()}: {meaning}?", default=hurt, err=True):
            found[name] = click.prompt(
                f"  The harm to {name}, in one line", value_proc=_harm_proc(name), err=True
            )
    return found


def _services_proc(value: str) -> list[str]:
    try:
        return _labels((value,), "service")
    except UsageError as error:
        raise click.UsageError(str(error)) from None  # asked again


def _harm_proc(name: str) -> Callable[[str], str]:
    def convert(value: str) -> str:
        try:
            harm = lifecycle.harm_text(name, inputs.one_line_harm(value, f"the harm to {name}"))
        except UsageError as error:
            raise click.UsageError(str(error)) from None  # asked again
        if not harm:  # blanks only: a record cannot hold an empty harm
            raise click.UsageError(f"the harm to {name}: describe it in one line")
        return harm

    return convert


HINT_INCIDENTS = 1_000
"""The most incidents the cases like a new one are looked for in, the latest: reading them all
took seconds more on a large archive, at the moment a responder has none to spare."""


def _similar_after_declare(project: Project, path: Path) -> None:
    """The three past cases most like the new incident: has this happened before? Of a large
    archive, among its latest incidents only (`incident similar` looks at them all)."""
    parts, incidents = latest_parts(project.root, project.config, HINT_INCIDENTS, keep=path)
    index = RelatedIndex(cases_of(parts))
    record_id = path.stem
    case = index.by_id.get(record_id)
    matches = [m for m in index.similar_to(case, limit=3) if m.telling] if case else []
    if matches:
        if incidents > HINT_INCIDENTS:
            _tell(
                f"Like it before, of the latest {HINT_INCIDENTS:,} of {incidents:,} incidents "
                f"(incident similar {record_id} for all):"
            )
        else:
            _tell("Like it before (incident similar for more):")
        for match in matches:
            _tell(f"  {match.case.ids[0]}: {match.case.title}")
            _tell(f"    mitigated by: {match.case.fix or NOT_RECORDED}")


def _ask_criteria() -> Criteria:
    _tell("Seven questions decide whether this is an incident (Enter = no).")
    answers = {
        name: click.confirm(question, default=False, err=True)
        for name, question in CRITERIA.items()
    }
    return Criteria(**answers)


def _severity_proc(names: Sequence[str]) -> Any:
    def convert(value: str) -> str:
        try:
            return inputs.match_severity(value, names)
        except UsageError as error:
            raise click.UsageError(str(error)) from None

    return convert


@main.command("declare")
@click.argument("words", nargs=-1)
@click.option("--title", "-t", help="What is wrong, in a few words (or give it as arguments).")
@click.option(
    "--because",
    multiple=True,
    metavar="CRITERION",
    help="A yes answer, repeatable: " + ", ".join(inputs.CRITERION_OPTIONS) + ".",
)
@click.option("--severity", "-s", help="Severity from the configuration (default: suggested).")
@click.option("--service", multiple=True, help="Affected service, repeatable or comma-separated.")
@click.option("--tag", multiple=True, help="Tag, repeatable or comma-separated.")
@audience_option
@by_option
@at_option
@yes_option
@click.option("--branch", is_flag=True, help="Create branch incident/<ID> and commit the record.")
@click.option("--pr", is_flag=True, help="Also open a pull request (implies --branch).")
@pass_project
def declare_command(
    project: Project,
    words: tuple[str, ...],
    title: str | None,
    because: tuple[str, ...],
    severity: str | None,
    service: tuple[str, ...],
    tag: tuple[str, ...],
    audience: tuple[str, ...],
    by: str | None,
    at: str | None,
    yes: bool,
    branch: bool,
    pr: bool,
) -> None:
    """Declare an incident: answer the seven questions, get a record, and take command.

    Prints the new record's path on standard output, and what it did on standard error.
    """
    scaffold.require_archive_root(project.root, project.config)
    config = project.config
    moment = _moment(at, CLOCK())
    given = title or " ".join(words)
    if given.strip():
        lifecycle.incident_title(given)  # before any question, "who are you?" included
    # A branch is checked for before any question, "who are you?" included: at 3 a.m. nobody
    # wants to learn after answering them that the record cannot be committed.
    branched: set[str] = set()
    if branch or pr:
        git.check_branch(project.root)
        branched = git.branch_names(project.root, "incident/")
    ask = _terminal() and not yes
    handle = _who(project, by, ask=ask)
    answers = _declare_answers(
        config,
        given,
        because,
        severity,
        service,
        tag,
        audience,
        ask=ask,
    )
    if answers is None:
        _tell("Not declared.")
        return
    title, final_severity = answers.title, answers.severity

    def make(taken: set[str]) -> tuple[str, str]:
        # An ID on a branch of its own (incident/ID) is taken too, here or on a remote.
        incident_id = lifecycle.new_id(
            "INC", moment.date(), title, taken | branched, answers.services
        )
        declared = lifecycle.declare(
            incident_id=incident_id,
            title=title,
            severity=final_severity,
            criteria=answers.criteria,
            by=handle,
            at=moment,
            services=answers.services,
            tags=answers.tags,
            audiences=answers.audiences,
        )
        # The sections lint asks of an incident, under the names the configuration gives them.
        body = incident_body(
            declared.title,
            render_entry(declared.entry),
            config.required_sections("incident", final_severity),
            summary=config.section_heading("incident", "Summary"),
            timeline=config.section_heading("incident", "Timeline"),
        )
        return incident_id, store.record_text(declared.front_matter, body)

    path = store.create_record(project.root, project.root / config.incidents_dir, make)
    how = "suggested from the answers" if final_severity == answers.suggested else "chosen"
    if not ask:
        _tell(lifecycle.recommendation(answers.criteria))
    _tell(f"Declared {path.stem} as {final_severity} ({how}).")
    _tell(
        f"{handle} is Incident Commander and holds Communications Lead and Ops Lead until "
        "they are handed off: incident assign comms HANDLE"
    )
    ok = True
    if branch or pr:
        left = "the pull request may not be open" if pr else "the branch may not be committed"
        with _after_writing(path, "declared", left):
            ok = _share(
                project.root,
                f"incident/{path.stem}",
                [path],
                f"Declare {path.stem}: {' '.join(title.split())}",
                f"Incident {path.stem}, {final_severity}, declared by {handle}.",
                pr=pr,
            )
    echo(_shown(path))
    # Last: the record is written and committed, and its path printed, should it be cut short.
    try:
        _similar_after_declare(project, path)
    except KeyboardInterrupt:  # Ctrl-C: declared all the same
        _tell(f"\nCases like it not looked for: incident similar {path.stem}")
    if not ok:
        sys.exit(EXIT_ERROR)


# --- assign, log, status, resolve -----------------------------------------------------------------


def _done(result: store.EditResult) -> None:
    for note in result.change.notes:
        _tell(note)
    echo(_shown(result.after.path))


@main.command("assign")
@click.argument("role")
@click.argument("person")
@incident_option
@by_option
@at_option
@outside_option
@yes_option
@pass_project
def assign_command(
    project: Project,
    role: str,
    person: str,
    incident: str | None,
    by: str | None,
    at: str | None,
    outside: bool,
    yes: bool,
) -> None:
    """Hand ROLE (incident-commander, communications-lead, ops-lead; or ic, comms, ops) to PERSON.

    PERSON must be in the roster (a typo would otherwise stay in the handoff history), unless
    --outside says they are from outside it. With --at, the handoff goes into the history in
    time order.
    """
    now = CLOCK()
    moment = _moment(at, now)
    chosen = inputs.parse_role(role)
    to = _person(project, person, "PERSON", outside=outside)
    handle = _actor(project, by, incident)
    _done(
        _edit(
            project,
            incident,
            lambda f: lifecycle.assign(
                f.incident, chosen, to, by=handle, at=_at_write(at, moment), outside=outside
            ),
        )
    )


@main.command("log")
@click.argument("text", nargs=-1, required=True)
@click.option(
    "--kind",
    "-k",
    type=click.Choice([k.value for k in lifecycle.LOGGED_KINDS], case_sensitive=False),
    help="note (default), action, decision, mitigation or comms.",
)
@click.option(
    "--action",
    "-a",
    metavar="ACTION",
    help="For a mitigation: rollback, redirect-traffic, scale-up or other.",
)
@click.option("--internal", is_flag=True, help="For the responders only: never in a public update.")
@audience_option
@incident_option
@by_option
@at_option
@yes_option
@pass_project
def log_command(
    project: Project,
    text: tuple[str, ...],
    kind: str | None,
    action: str | None,
    internal: bool,
    audience: tuple[str, ...],
    incident: str | None,
    by: str | None,
    at: str | None,
    yes: bool,
) -> None:
    """Add TEXT to the timeline (quotes optional; '-' reads it from stdin).

    Text that starts with a dash ("-5% error rate") goes after '--', as the shell would read it
    as an option: incident log -- -5% error rate after the rollback.
    """
    now = CLOCK()
    moment = _moment(at, now)
    words = " ".join(text)
    if text == ("-",):
        limit = project.config.lint.max_file_bytes  # no record can hold more
        raw = sys.stdin.buffer.read(limit + 1)
        if len(raw) > limit:
            raise UsageError(f"the entry on standard input is over {limit:,} bytes")
        try:
            # A file saved with a byte order mark (`incident log - < notes.txt`): the mark is no
            # part of the entry, where it would stay as an invisible character.
            words = raw.decode("utf-8").removeprefix("\ufeff")
        except UnicodeDecodeError as error:
            raise UsageError(
                f"standard input: not valid UTF-8 at byte {error.start + 1}: nothing was written"
            ) from None
    entry_kind, chosen_action = inputs.parse_entry_kind(kind, action)
    audiences = inputs.parse_audiences(audience)
    handle = _actor(project, by, incident)

    def make(f: store.IncidentFile) -> Change:
        sent = reports.last_update(f.entries)
        written = CLOCK()
        change = lifecycle.log_entry(
            f.incident,
            entry_kind,
            words,
            by=handle,
            at=moment if at else written,
            action=chosen_action,
            internal=internal,
            # Only what an update reports needs to say it was logged late.
            last_update=sent.time if sent and entry_kind in reports.REPORTED_KINDS else None,
            now=written,
        )
        return lifecycle.combine(
            change, Change(sets=lifecycle.add_audiences(f.incident, audiences))
        )

    _done(_edit(project, incident, make))


@main.command("status")
@click.argument("state")
@click.argument("note", nargs=-1)
@click.option(
    "--service",
    multiple=True,
    help="The service the source is in (added to the record); with 'identified', the Ops Lead "
    "role can move to its team.",
)
@click.option(
    "--ops-lead",
    "ops_lead",
    metavar="HANDLE",
    help="Hand the Ops Lead role to HANDLE in the same change (see 'identified' below).",
)
@audience_option
@incident_option
@by_option
@at_option
@yes_option
@pass_project
def status_command(
    project: Project,
    state: str,
    note: tuple[str, ...],
    service: tuple[str, ...],
    ops_lead: str | None,
    audience: tuple[str, ...],
    incident: str | None,
    by: str | None,
    at: str | None,
    yes: bool,
) -> None:
    """Move the incident to STATE (investigating, identified, monitoring, resolved), with a NOTE.

    Moving to identified with a service named (--service, or the record's own services) suggests
    handing the Ops Lead role to the team that owns it: at a terminal it asks, --yes takes the
    suggestion, --ops-lead HANDLE names someone; the handoff is recorded in the same change.
    """
    early = _moment(at, CLOCK())
    target = inputs.parse_status(state)
    handle = _actor(project, by, incident)
    text = " ".join(note)
    services = _labels(service, "--service")
    audiences = inputs.parse_audiences(audience)
    if ops_lead and target is not IncidentStatus.IDENTIFIED:
        raise UsageError(
            f"--ops-lead goes with 'identified' (the source found); to hand the role over now: "
            f"incident assign ops {printable(ops_lead)}"
        )
    chosen_ops = _person(project, ops_lead, "--ops-lead") if ops_lead else None
    suggested: list[str] = []
    if target is IncidentStatus.IDENTIFIED and chosen_ops is None:
        # Asked before the record is locked for the edit: a question can wait, a lock should not.
        scaffold.require_archive_root(project.root, project.config)
        path, display = _located(project, incident)
        current = store.read_incident(path, display, project.config).incident
        if current.status is not IncidentStatus.IDENTIFIED:
            ask = _terminal() and not yes
            chosen_ops = _ops_lead_for(
                project, current, services, yes=yes, ask=ask, later=suggested
            )

    def make(f: store.IncidentFile) -> Change:
        moment = _at_write(at, early)
        if target is IncidentStatus.RESOLVED and text:
            # The note says what happened: written as `incident resolve` writes its summary.
            change = lifecycle.resolve(f.incident, text, by=handle, at=moment)
        else:
            change = lifecycle.change_status(f.incident, target, by=handle, at=moment, note=text)
        if (
            target is IncidentStatus.RESOLVED
            and not text
            and store.summary_missing(f.doc, project.config)
        ):
            # Resolved, it could not be resolved again to write one; lint would fail on it.
            raise UsageError(
                "a resolved incident needs a summary of what happened: "
                "incident status resolved 'WHAT HAPPENED' (or incident resolve --summary …)"
            )
        extra: list[tuple[FieldPath, Any]] = list(lifecycle.add_audiences(f.incident, audiences))
        named = [s for s in services if s not in f.incident.services]
        if named:
            extra.append((("services",), [*f.incident.services, *named]))
        change = lifecycle.combine(change, Change(sets=tuple(extra)))
        if target is not IncidentStatus.IDENTIFIED or chosen_ops is None:
            return change
        if chosen_ops.casefold() == f.incident.roles.ops_lead.casefold():
            return change  # who leads already keeps the role: no handoff, and the status changes
        handoff = lifecycle.assign(f.incident, Role.OPS_LEAD, chosen_ops, by=handle, at=moment)
        return lifecycle.combine(change, handoff)

    result = _edit(project, incident, make)
    for line in suggested:
        _tell(line)
    _done(result)


def _ops_lead_for(
    project: Project,
    incident: Incident,
    named: Sequence[str],
    *,
    yes: bool,
    ask: bool,
    later: list[str],
) -> str | None:
    """Whom the Ops Lead role could move to once the source is found: someone of the team that
    owns the service, as the source material says; None to keep it where it is. Without a
    question, the suggestion goes to `later`, said once the status has changed."""
    roster = project.roster
    services = list(named) or list(incident.services)
    current = incident.roles.ops_lead
    for service in services:
        for team in roster.owners_of(service):
            if team.includes(current):
                return None  # the team that owns it already leads the work
            # People of the roster only, as it spells their handles: a member it does not list
            # (lint says so, TM001) or spells in other capitals is not someone to hand a role to,
            # as `incident assign` would not.
            listed = [roster.by_handle(m) for m in team.members]
            members = [p.handle for p in roster.team_seniors(team)]
            members += [p.handle for p in listed if p is not None]
            candidate = next(
                (m for m in dict.fromkeys(members) if m.casefold() != current.casefold()), None
            )
            if candidate is None:
                continue
            suggestion = (
                f"The source is in {service}, which team {team.name} owns: hand the Ops Lead "
                f"role from {current} to {candidate}?"
            )
            if yes:
                later.append(suggestion + " Yes (--yes).")
                return candidate
            if ask:

                def convert(value: str) -> str | None:
                    if value.strip().lower() in ("no", "n", "-"):
                        return None
                    try:
                        handle = _person(project, value, "Ops Lead")
                    except UsageError as error:
                        raise click.UsageError(str(error)) from None  # asked again
                    # Who leads already keeps the role: no handoff, and the status changes.
                    return None if handle.casefold() == current.casefold() else handle

                chosen: str | None = click.prompt(
                    printable(suggestion + " Handle to hand it to, or 'no'"),
                    default=printable(candidate),
                    value_proc=convert,
                    err=True,
                )
                return chosen
            # The status changes in this same run: only the handoff is left to do.
            later.append(f"{suggestion} (hand it over with: incident assign ops {candidate})")
            return None
    return None


def _default_author(project: Project, record: Incident) -> str:
    """Who writes the draft unless --by says: the Incident Commander, or whoever declared the
    incident when the commander is from outside (not in the roster, so no author lint accepts)."""
    roster = project.roster
    for handle in (record.roles.incident_commander, record.declared_by):
        if not roster.people or roster.by_handle(handle) is not None:
            return handle
    raise UsageError(
        f"neither the Incident Commander ({printable(record.roles.incident_commander)}) nor who "
        "declared it is in the roster: name the authors with --by HANDLE"
    )


@main.command("resolve")
@click.argument("words", nargs=-1)
@click.option(
    "--summary", "-m", help="What happened, in a few sentences (or give it as arguments)."
)
@incident_option
@by_option
@at_option
@yes_option
@pass_project
def resolve_command(
    project: Project,
    words: tuple[str, ...],
    summary: str | None,
    incident: str | None,
    by: str | None,
    at: str | None,
    yes: bool,
) -> None:
    """Resolve the incident and record its summary."""
    now = CLOCK()
    moment = _moment(at, now)
    text = summary or " ".join(words)
    if not text.strip() and _terminal() and not yes:
        text = click.prompt("Summary (what happened, in a few sentences)", err=True)
    if not text.strip():
        raise UsageError("give a summary: incident resolve --summary 'what happened'")
    handle = _actor(project, by, incident)
    _done(
        _edit(
            project,
            incident,
            lambda f: lifecycle.resolve(f.incident, text, by=handle, at=_at_write(at, moment)),
        )
    )


@main.command("reopen")
@click.argument("incident_id", required=False, metavar="[INCIDENT]")
@click.option("--because", "-m", required=True, help="Why it is not over after all.")
@incident_option
@by_option
@at_option
@yes_option
@pass_project
def reopen_command(
    project: Project,
    incident_id: str | None,
    because: str,
    incident: str | None,
    by: str | None,
    at: str | None,
    yes: bool,
) -> None:
    """Reopen a resolved INCIDENT that is not over: back to investigating, with the reason in
    the timeline and the status history."""
    now = CLOCK()
    moment = _moment(at, now)
    given = _one_incident(project, incident_id, incident)
    if given is None:
        raise UsageError("which incident? incident reopen INCIDENT --because WHY ('incident list')")
    handle = _actor(project, by, given)
    _done(
        _edit(
            project,
            given,
            lambda f: lifecycle.reopen(f.incident, because, by=handle, at=_at_write(at, moment)),
        )
    )


# --- update -------------------------------------------------------------------------------------


@main.command("update")
@incident_option
@click.option(
    "--next-update",
    "next_update",
    default="30m",
    show_default=True,
    help="When the next update is due: 30m, 1h, 1h30m (from 1m to 168h, a week).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["markdown", "text"], case_sensitive=False),
    default="markdown",
    show_default=True,
)
@click.option("--log", "record", is_flag=True, help="Also add a comms entry to the timeline.")
@click.option(
    "--post",
    is_flag=True,
    help="Also send it to the chat webhook whose URL is in the environment variable named by "
    "[tool.incident-docs.updates] webhook-env (default INCIDENT_WEBHOOK_URL).",
)
@click.option(
    "--audience",
    "audience",
    type=click.Choice(["internal", "public"], case_sensitive=False),
    default="internal",
    show_default=True,
    help="internal: everything the responders know; public: plain words, and refused when it "
    "would name a person, a host, an address or an internal link.",
)
@click.option(
    "--cause",
    metavar="TEXT",
    help="The cause in words for the public (default: the note given when moving to identified).",
)
@by_option
@yes_option
@pass_project
def update_command(
    project: Project,
    incident: str | None,
    next_update: str,
    output_format: str,
    record: bool,
    post: bool,
    audience: str,
    cause: str | None,
    by: str | None,
    yes: bool,
) -> None:
    """Write the stakeholder update from the record: status, impact, cause, work, next update.

    --audience public writes it for the status page: no names, hosts, addresses, tickets or
    entries marked internal; an update that would leak one is refused, naming the text, and
    nothing is printed or posted. With --post it also goes to a chat (Slack-compatible or
    Microsoft Teams); when that fails, the update is still printed and the exit code is 2. With
    --log (after a successful --post, if given), a comms entry records that it was sent.
    """
    if record:
        scaffold.require_archive_root(project.root, project.config)
    now = CLOCK()
    interval = inputs.parse_next_update(next_update)
    path, display = _located(project, incident)
    current = store.read_incident(path, display, project.config, changing=record)
    level = project.config.severity(current.incident.severity)
    for problem in current.unread:
        # A rollback written by hand with a slip in its line would be left out unseen, and the
        # update would say no work was logged.
        _warn(f"{display}:{problem.line}: {problem.message} ({problem.code}): not in the update")

    public = audience.lower() == "public"
    if public:
        heading, parts = reports.public_update_parts(
            current.incident, current.entries, now=now, next_update=interval, cause=cause
        )
        _refuse_leaks(project, current.incident, current.entries, parts)

    def update(markdown: bool, escaped: bool | None = None) -> str:
        if public:
            return reports.render_public_update(heading, parts, markdown=markdown, escaped=escaped)
        return reports.stakeholder_update(
            current.incident,
            current.entries,
            now=now,
            next_update=interval,
            severity_description=level.description if level else None,
            markdown=markdown,
            escaped=escaped,
        )

    echo(update(output_format.lower() == "markdown"), nl=False)
    handle = _actor(project, by, incident) if record else None  # before posting: not undone
    if record:
        store.check_writable(project.root, path, display)
    posted_to: str | None = None
    if post:
        settings = project.config.updates
        url = os.environ.get(settings.webhook_env, "").strip()
        if not url:
            raise UsageError(
                f"--post: set {settings.webhook_env} to the chat's incoming webhook URL "
                "(the variable is named by [tool.incident-docs.updates] webhook-env)"
            )
        # Plain lines; a Teams card reads each as Markdown, so the record's text is escaped.
        plain = update(False, escaped=settings.webhook_format == "teams")
        posted_to = webhooks.post(
            url,
            webhooks.payload(plain, plain.splitlines()[0], settings.webhook_format),
            timeout=settings.timeout,
        )
        echo(f"Posted the update ({settings.webhook_format} webhook).", err=True)
    if record and handle is not None:
        status = current.incident.status.value
        due = (
            ""
            if current.incident.status is IncidentStatus.RESOLVED
            else (f"; next update by {format_time(now + interval)}")
        )
        store.edit_incident(
            project.root,
            path,
            display,
            project.config,
            lambda f: lifecycle.log_entry(
                f.incident,
                EntryKind.COMMS,
                f"{reports.update_logged(posted_to)}: {audience.lower()}, status {status}{due}.",
                by=handle,
                at=now,
            ),
        )


def _refuse_leaks(
    project: Project,
    incident: Incident,
    entries: Sequence[TimelineEntry],
    parts: Sequence[reports.PublicPart],
) -> None:
    """Stop a public update that would name a person or a host, link inside, or blame."""
    config = project.config
    checker = load_checker(project.root, config.blameless, project.roster)
    pieces = [("the title", incident.title)] + [(p.source, p.text) for p in parts if p.free]
    # Everyone who responded, the roster's people by their names too: an outside responder is
    # known by a handle only.
    people = reports.responders(incident, entries)
    problems: list[str] = []
    for where, text in pieces:
        for leak in disclosure.find_leaks(
            text,
            where,
            project.roster,
            public_domains=config.updates.public_domains,
            allowed=incident.services,
            handles=people,
        ):
            problems.append(str(leak))
        for hit in checker.check(text):
            problems.append(
                f"'{text[hit.start : hit.end]}' (reads as blame, {hit.code}) in {where}"
            )
    if problems:
        echo(
            f"incident: the public update was not written: {len(problems)} "
            f"{'thing' if len(problems) == 1 else 'things'} must not go out:",
            err=True,
        )
        for problem in problems:
            echo(f"  {problem}", err=True)
        echo(
            "Reword it in the record, mark a timeline entry internal (incident log --internal), "
            "give the public wording of the cause with --cause, or list a public domain under "
            "[tool.incident-docs.updates] public-domains.",
            err=True,
        )
        sys.exit(EXIT_FINDINGS)


# --- postmortem ---------------------------------------------------------------------------------


def _refuse_comments(source: store.IncidentFile) -> None:
    """Refuse to draft from an incident whose title, summary or harms hold an HTML comment:
    inert in its front-matter, the draft copies them into its body, where the comment would
    open (and an `incident-docs` one would be a lint directive to the end of the draft); or
    whose summary holds a heading, which would be a section of the draft."""
    incident = source.incident
    values: list[tuple[tuple[str, ...], str, str | None]] = [
        # As the draft's heading writes it: shortened, it may end inside a code span.
        (("title",), "title", reports.postmortem_title(incident.title)),
        (("summary",), "summary", incident.summary),
    ]
    values += [
        (("audiences", name), f"harm to {name}", harm)
        for name, harm in incident.audiences.affected()
    ]
    for location, what, value in values:
        # The summary becomes blocks of the draft (a code block hides a comment), the others
        # one line each.
        found = lifecycle.comment_line(value or "", block=what == "summary")
        if found >= 0:
            line = _source_line(source.doc, location, (value or "").split("\n")[found])
            raise UsageError(
                f"{source.display}:{line}: the {what} holds '<!--', which the draft would copy "
                "into its body as an HTML comment: write it as code, `<!--`, or remove it, then "
                "draft again (nothing was written)"
            )
    # The summary's blocks go under the draft's `## Summary`: a heading of its level or above
    # would end it there and start a section of its own (a second Impact, SC003). One line, as
    # `incident resolve` writes it, the draft escapes as the incident's own Summary does.
    summary = (incident.summary or "").split("\n")
    heading = next((b for b in scan_blocks(summary) if b.kind == "heading" and b.level <= 2), None)
    if heading is not None and len(summary) > 1:
        title = summary[heading.line - 1]  # a setext heading's text, above its underline
        line = _source_line(source.doc, ("summary",), title, opens=lambda _text: True)
        raise UsageError(
            f"{source.display}:{line}: the summary holds a heading, '{title.strip()}', which "
            "the draft would copy as a section of its own: write it as a sentence or as a ### "
            "heading, or remove it, then draft again (nothing was written)"
        )


def _source_line(
    doc: Document,
    location: tuple[str, ...],
    written: str,
    opens: Callable[[str], bool] = lifecycle.opens_comment,
) -> int:
    """The line of the record where the value at `location` holds the line `written` (folded
    or not; among the lines `opens` tells, that open a comment by default), or its key's
    line."""
    key = doc.key_lines.get(location, 1)
    words = written.strip()
    lines = range(key, (doc.front_matter_end or key) + 1)
    # The line that is the whole of it first: "Impact" or "#" may be in a line above it too.
    for number in lines:
        if words and doc.lines[number - 1].strip() == words and opens(words):
            return number
    for number in lines:
        text = doc.lines[number - 1].strip()
        if words and text and opens(text) and (text in words or words in text):
            return number
    return key


@main.command("postmortem")
@click.argument("incident_id", required=False, metavar="[INCIDENT]")
@incident_option
@click.option("--by", multiple=True, metavar="HANDLE", help="Author, repeatable (default: the IC).")
@click.option("--branch", is_flag=True, help="Create branch postmortem/<ID> and commit the draft.")
@click.option("--pr", is_flag=True, help="Also open a pull request (implies --branch).")
@yes_option
@pass_project
def postmortem_command(
    project: Project,
    incident_id: str | None,
    incident: str | None,
    by: tuple[str, ...],
    branch: bool,
    pr: bool,
    yes: bool,
) -> None:
    """Scaffold the postmortem draft for INCIDENT, pre-filled from its record.

    Without INCIDENT, the one resolved incident that has no postmortem yet; when there is not
    exactly one, the candidates are listed and nothing is written. Prints the draft's path as
    the last line.
    """
    scaffold.require_archive_root(project.root, project.config)
    config = project.config
    given = _one_incident(project, incident_id, incident)
    if given is None:
        found = awaiting_postmortem(project.root, config)
        shown = ((i, relative_display(p, project.root)) for i, p in found)
        for record_id, holders in shared_ids(shown).items():
            # A copy made by hand: one incident, which `incident postmortem ID` would refuse.
            raise UsageError(
                f"{several_records(quoted(record_id), holders)}, then run the command again"
            )
        if len(found) != 1:
            raise UsageError(
                "which incident? "
                + (
                    f"{len(found)} resolved incidents have no postmortem yet: "
                    + ", ".join(record_id for record_id, _path in found[:8])
                    if found
                    else "no resolved incident is waiting for a postmortem"
                )
                + "; incident postmortem INCIDENT"
            )
        given = found[0][0]
        _tell(f"Drafting for {given}, the one resolved incident without a postmortem.")
    path, display = _located(project, given)
    source = store.read_incident(path, display, config)
    record = source.incident
    pm_id = postmortem_id(record.id)
    target = project.root / config.postmortems_dir / f"{pm_id}.md"
    # A run stopped (killed) between writing the draft and the incident's link to it left the
    # draft: it is kept as it is, and this run writes the link.
    left = _draft_left_unlinked(project, target, record)
    if target.exists() and left is None:
        raise UsageError(f"{relative_display(target, project.root)}: the postmortem already exists")
    if branch or pr:
        git.check_branch(project.root, f"postmortem/{pm_id}")
    warnings: list[str] = []
    authors: list[str] = []
    if left is not None:
        others = [c for c in postmortems_covering(project.root, config, record) if c != pm_id]
        if others:
            # Linked to this draft, the incident would leave the postmortem that covers it too.
            raise UsageError(
                f"{record.id} is covered by {', '.join([pm_id, *others])} already: remove "
                "the incident from all but one, then link it to that one"
            )
        created, authors = left.path, list(left.postmortem.authors)
    else:
        created = _draft(project, source, target, pm_id, by, warnings, authors)
    if record.postmortem != pm_id:
        try:
            store.edit_incident(
                project.root,
                path,
                display,
                config,
                lambda _f: Change(sets=((("postmortem",), pm_id),)),
            )
        except BaseException:
            # The draft and the incident's link to it are one change: without the link, the
            # draft is removed, so that the command can be run again.
            if left is None:
                created.unlink(missing_ok=True)
            raise
    if left is not None:
        _tell(
            f"{pm_id} was drafted already, but {record.id} did not link to it (a run stopped "
            f"in between): {record.id} now links to it; the draft is left as it is."
        )
    for warning in warnings:
        _warn(warning)
    if left is None:
        _tell(f"Drafted {pm_id} from {record.id}; {record.id} now links to it.")
    ok = True
    if branch or pr:
        shared = "the pull request may not be open" if pr else "the branch may not be committed"
        with _after_writing(created, "drafted", shared):
            ok = _postmortem_branch(project, record, source, authors, created, path, pr=pr)
    echo(_shown(created))
    if not ok:
        sys.exit(EXIT_ERROR)


def _draft(
    project: Project,
    source: store.IncidentFile,
    target: Path,
    pm_id: str,
    by: Sequence[str],
    warnings: list[str],
    authors: list[str],
) -> Path:
    """Write the postmortem draft for the incident of `source` at `target`; what to say once its
    link is written goes to `warnings` (a refused draft would name a copy never made), its
    authors to `authors`."""
    config = project.config
    record = source.incident
    covering = postmortems_covering(project.root, config, record)
    if covering:
        # A second draft would take the incident's link from the postmortem that covers it.
        raise UsageError(
            f"{record.id} is covered by {', '.join(covering)} already: write there, or remove "
            "the incident from it first"
        )
    _refuse_comments(source)
    if record.status is not IncidentStatus.RESOLVED:
        warnings.append(f"{record.id} is still {record.status}: the draft lacks how it ended")
    for given in by:
        handle = _person(project, given, "--by")
        if all(handle.casefold() != a.casefold() for a in authors):  # "--by jo --by JO": once
            authors.append(handle)
    if not authors:
        authors.append(_default_author(project, record))
    unread = [Finding(p.code, p.message, p.line, 1) for p in source.unread]
    meant = suppression.suppressed(unread, suppression.parse(source.doc)[0])
    for index, problem in enumerate(unread):
        if index in meant:
            continue  # suppressed in the record: the draft copies it with its comment
        # Left out, a rollback written with a slip in its line would vanish from the draft.
        warnings.append(
            f"{source.display}:{problem.line}: {problem.message} ({problem.code}): copied into "
            "the draft as written: fix it there and in the incident"
        )
    draft = reports.postmortem_draft(
        record,
        source.entries,
        source.timeline_lines(),
        sections=config.required_sections("postmortem", record.severity),
        authors=authors,
        aliases=config.section_aliases,
        summary=source.summary_text(config),
        suppressed=_still_suppressed(project, source),
    )
    text = store.record_text(draft.front_matter, draft.body)
    try:
        created = store.create_record(project.root, target.parent, lambda _taken: (pm_id, text))
    except FileExistsError:
        raise UsageError(
            f"{relative_display(target, project.root)}: the postmortem already exists"
        ) from None
    return created


def _draft_left_unlinked(
    project: Project, target: Path, record: Incident
) -> store.PostmortemFile | None:
    """The draft at `target`, when it is the one `incident postmortem` makes for `record` and
    the record does not link to it: what a run killed between its two writes leaves."""
    if record.postmortem is not None or not target.is_file():
        return None
    shown = relative_display(target, project.root)
    try:
        draft = store.read_postmortem(target, shown, project.config)
    except UsageError:
        return None  # not one this command wrote, or no longer valid: the user decides
    if draft.postmortem.id != target.stem or record.id not in draft.postmortem.incidents:
        return None
    return draft


def _postmortem_branch(
    project: Project,
    record: Incident,
    source: store.IncidentFile,
    authors: Sequence[str],
    created: Path,
    path: Path,
    *,
    pr: bool,
) -> bool:
    """Commit the draft and the incident's link to it on postmortem/ID, and maybe open the pull
    request asking the teams involved for reviews; False (after saying why) when git or gh
    failed."""
    pm_id = created.stem
    roster = project.roster
    involvement = involved(
        roster, services=record.services, people=reports.responders(record, source.entries)
    )
    me = roster.by_email(git.config_value(project.root, "user.email"))
    writers = {a.casefold() for a in authors} | ({me.handle.casefold()} if me else set())
    teams = [
        (
            item.team.name,
            [
                p.handle
                for p in roster.team_seniors(item.team)
                if p.handle.casefold() not in writers
            ],
        )
        for item in involvement
    ]
    return _share(
        project.root,
        f"postmortem/{pm_id}",
        [created, path],
        f"Postmortem draft {pm_id}",
        reports.postmortem_pr_body(record, source.entries, roster, teams, REVIEW_CHECKLIST),
        pr=pr,
        reviewers=_reviewers(project, involvement, writers),
    )


def _reviewers(
    project: Project, involvement: Sequence[Involvement], writers: set[str]
) -> list[str]:
    """Whom the draft's pull request asks for reviews: each involved team, as its GitHub team
    when the roster names one (and the repository's owner is known), else its seniors."""
    roster = project.roster
    owner = git.github_owner(project.root)
    me = roster.by_email(git.config_value(project.root, "user.email"))
    asked: list[str] = []
    for item in involvement:
        if item.team.github_team and owner:
            asked.append(f"{owner}/{item.team.github_team}")
            continue
        for person in roster.team_seniors(item.team):
            if (
                person.github
                and person.handle.casefold() not in writers
                and (me is None or person.handle != me.handle)
            ):
                asked.append(person.github)
    return list(dict.fromkeys(asked))


# --- list and show ------------------------------------------------------------------------------


def _may_be_incident(path: Path) -> bool:
    """Whether a record file of another folder than the incidents' that could not be read may
    be an incident filed there (`incident list` lists those it can read): neither the ID it
    gives nor, when it gives none that can be read, its name says it is a postmortem."""
    if path.is_dir():
        return False  # a folder linked out of the repository: never read, by any command
    return not (written_id(path) or path.name).upper().startswith("PM-")


@main.command("list")
@click.option(
    "--status", multiple=True, help="investigating, identified, monitoring, resolved, or open."
)
@click.option("--severity", multiple=True, help="Only these severities.")
@click.option("--service", multiple=True, help="Only incidents affecting these services.")
@text_or_json
@pass_project
def list_command(
    project: Project,
    status: tuple[str, ...],
    severity: tuple[str, ...],
    service: tuple[str, ...],
    output_format: str,
) -> None:
    """List incidents, open ones first, newest first."""
    project.require_archive()
    config = project.config
    inputs.require_given(status, "--status", "a status")
    inputs.require_given(severity, "--severity", "a severity")
    inputs.require_given(service, "--service")
    statuses = inputs.parse_statuses(status)
    services = frozenset(_labels(service, "--service"))
    archive = read_archive(project.root, config, only="incident", body=False)
    incidents = [
        (loaded.record, loaded.doc.path)
        for loaded in archive.records
        if isinstance(loaded.record, Incident)
    ]
    # A severity the configuration no longer names is still asked for by the old records' name
    # (SEV2 after a move to P1…), as the metrics and the browse pages count it.
    wanted = IncidentQuery(
        statuses,
        inputs.parse_severities(
            severity, config.severity_names(), (i.severity for i, _path in incidents)
        ),
        services,
    )
    folder = config.incidents_dir.rstrip("/")
    note = skipped_note(
        [
            p
            for p in archive.skipped
            if f"{p}/".startswith(f"{folder}/") or _may_be_incident(project.root / p)
        ]
    )
    if note is not None:
        _warn(note)
    affected = {name.casefold() for incident, _path in incidents for name in incident.services}
    for name in sorted(wanted.services):
        if name.casefold() not in affected and not project.roster.owners_of(name):
            # A typo, as `actions --service` says: not a service without incidents.
            _warn(
                f"--service {name}: no incident affects that service and no team in "
                f"{config.roster} owns it"
            )
    chosen = select_incidents(incidents, wanted)
    for record_id, held in shared_ids((i.id, display) for i, display in chosen).items():
        _warn(several_records(record_id, held))  # listed once for each
    if output_format.lower() == "json":
        echo(
            json.dumps([reports.summary_row(i, d) for i, d in chosen], indent=2, ensure_ascii=False)
        )
        return
    if not chosen:
        echo("No incidents match." if incidents else "No incidents yet.", err=True)
        return
    for line in reports.list_lines([incident for incident, _display in chosen]):
        echo(line)


@main.command("show")
@click.argument("incident_id", required=False, metavar="[INCIDENT]")
@incident_option
@text_or_json
@pass_project
def show_command(
    project: Project, incident_id: str | None, incident: str | None, output_format: str
) -> None:
    """Show an incident (its fields, who held each role when, the timeline with offsets) or a
    postmortem (its review: the teams involved, who approved for each, who still could)."""
    given = _one_incident(project, incident_id, incident)
    postmortem = locate_postmortem(project.root, project.config, given) if given else None
    if postmortem is not None:
        _show_postmortem(project, postmortem, output_format)
        return
    try:
        path, display = _located(project, given)
    except UsageError as error:
        if given and str(error).startswith("no incident matches"):
            # `show` takes postmortems too, by their ID: say so where nothing matched.
            raise UsageError(
                f"{error}; a postmortem is shown by its ID (PM-…, or a part of it after PM-)"
            ) from None
        raise
    current = store.read_incident(path, display, project.config, changing=False)
    if output_format.lower() == "json":
        payload = reports.incident_payload(current.incident, current.entries, display)
        echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    for line in reports.incident_lines(current.incident, current.entries, display):
        echo(line)


def _show_postmortem(project: Project, path: Path, output_format: str) -> None:
    config, roster = project.config, project.roster
    loaded = store.read_postmortem(path, relative_display(path, project.root), config)
    record, display = loaded.postmortem, loaded.display
    # Its incidents only: a large archive's others were read too, seconds for nothing.
    covered = read_incidents(project.root, config, set(record.incidents))
    timelines = incident_timelines(covered, config)
    incidents = [timelines[i] for i in record.incidents if i in timelines]
    severity = config.review_severity(record.severity, [i.severity for i, _ in incidents])
    review = postmortem_review(
        roster,
        record,
        incidents,
        parse_timeline(loaded.doc, timeline_titles(config))[0],
        needed=config.required_approvals(severity),
        team_needed=config.required_team_approvals(severity),
    )
    if output_format.lower() == "json":
        payload = record.model_dump(mode="json", by_alias=True)
        payload["path"] = display
        payload["review"] = review.as_dict()
        echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    echo(f"{record.id}  {record.title}")
    echo(f"  {record.status.value}, {record.severity}; incidents: {', '.join(record.incidents)}")
    echo(f"  authors: {', '.join(record.authors)}")
    approved = ", ".join(review.counted) or "nobody yet"
    echo(f"  senior approvals: {approved} ({len(review.counted)} of {review.needed} needed)")
    if not review.teams:
        echo("  teams involved: none (the roster defines no team that owns or responded)")
    for state in review.teams:
        if state.satisfied:
            verdict = f"approved by {', '.join(state.approved_by)}"
        else:
            could = ", ".join(state.could_approve) or "nobody: add a senior to the team"
            verdict = f"waiting; could approve: {could}"
        echo(f"  team {state.team}: {verdict} ({state.reason})")
    echo(f"  review: {'complete' if review.satisfied else 'not complete'}")


# --- similar ------------------------------------------------------------------------------------


@main.command("similar")
@click.argument("incident_id", required=False, metavar="[INCIDENT]")
@click.option("--text", help="Describe what is wrong instead of naming an incident.")
@click.option("--limit", type=click.IntRange(1, 50), default=5, show_default=True)
@incident_option
@text_or_json
@pass_project
def similar_command(
    project: Project,
    incident_id: str | None,
    text: str | None,
    limit: int,
    incident: str | None,
    output_format: str,
) -> None:
    """Past incidents and postmortems most like INCIDENT (or --text), each with what mitigated it.

    Ranked by shared services and tags and by the words of titles, summaries, timelines and
    contributing factors. Without INCIDENT or --text, the only open incident. INCIDENT may
    name a postmortem (PM-…): the cases like those it covers, as its page's Related panel.
    """
    if text is not None and (incident_id or incident):
        raise UsageError("name an incident or describe one with --text, not both")
    if text is not None and not text.strip():
        # `--text "$DESCRIPTION"` with the variable unset: no words, so nothing is like them,
        # which is no answer about the archive.
        raise UsageError("--text is empty: describe what is wrong in a few words")
    if text is not None and not search_words(text):
        raise UsageError(
            f"--text '{printable(text)}' has no word to search by (punctuation, numbers, words "
            "of fewer than three letters and words as common as 'the' tell no case apart): "
            "describe what is wrong in a few words"
        )
    project.require_archive()
    record_id, display, own, postmortems_too = None, "", set[str](), False
    if text is None:  # the record asked about first: if it is broken, that is the one error
        given = _one_incident(project, incident_id, incident)
        postmortem = locate_postmortem(project.root, project.config, given) if given else None
        if postmortem is not None:
            found = store.read_postmortem(
                postmortem, relative_display(postmortem, project.root), project.config
            )
            record_id, display = found.postmortem.id, found.display
            own = set(found.postmortem.incidents)  # its subject, not a case like it
        else:
            path, display = _located(project, given)
            read = store.read_incident(path, display, project.config, changing=False)
            record_id = read.incident.id
            # Its postmortems are linked from it, not cases like it: those that cover it (found
            # below) and the one it names, whichever side names the link, as its page's card.
            own = {read.incident.postmortem} if read.incident.postmortem else set()
            postmortems_too = True
    parts, skipped = archive_parts(project.root, project.config)
    note = skipped_note(skipped)  # a case it cannot read, it cannot find
    if note is not None:
        _warn(note)
    index = RelatedIndex(cases_of(parts))
    if record_id is None:
        _print_matches(index.search(text or "", limit=limit), output_format)
        return
    case = index.by_id.get(record_id)
    if case is None:
        raise UsageError(f"{display}: not in the archive's valid records (see 'incident lint')")
    if postmortems_too:
        own |= set(case.ids) - {record_id}
    _print_matches(index.similar_to(case, limit, leaving_out=own), output_format)


def _print_matches(matches: Sequence[Match], output_format: str = "text") -> None:
    if output_format.lower() == "json":
        echo(
            json.dumps(
                [
                    {
                        "ids": list(m.case.ids),
                        "title": m.case.title,
                        "severity": m.case.severity,
                        "when": format_time(m.case.when) if m.case.when else None,
                        "services": list(m.case.services),
                        "mitigated_by": m.case.fix or None,
                        "score": round(m.score, 4),
                    }
                    for m in matches
                ],
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    shown = telling(matches)
    if not matches:
        echo("Nothing like it in the archive yet.", err=True)
    elif not shown[0].telling:
        echo(
            "These share only words that most records have: too few records yet to tell which "
            "is like it.",
            err=True,
        )
    for match in shown:
        case = match.case
        day = case.when.astimezone(UTC).strftime("%Y-%m-%d") if case.when else "—"
        echo(f"{case.ids[0]}  {case.severity}  {day}  {case.title}")
        echo(f"    mitigated by: {case.fix or NOT_RECORDED}")
        if len(case.ids) > 1:
            echo(f"    postmortem: {', '.join(case.ids[1:])}")


# --- init ---------------------------------------------------------------------------------------


@main.command("init")
@click.option(
    "--github",
    is_flag=True,
    help="Also write the GitHub workflows (lint, review gate, publish, action-item sync), "
    "Dependabot, the pull request template and CODEOWNERS.",
)
@yes_option
@pass_project
def init_command(project: Project, github: bool, yes: bool) -> None:
    """Set up an archive here: record folders, people.yaml, configuration, mkdocs.yml and docs/.

    Only what is missing is written; existing files keep every byte (a line is added to
    .gitignore and a table to pyproject.toml when they lack them). Running it again does nothing.
    """
    root = project.root
    # --root may name a folder that is not there yet: made only once init writes.
    made = list(itertools.takewhile(lambda folder: not folder.exists(), [root, *root.parents]))
    there = made[-1].parent if made else root  # in the same repository (checked by main)
    setup = (
        scaffold.adopter_setup(
            git.default_branch(there),
            archive_folder(root),
            scaffold.requirements_path(git_top(there)),
        )
        if github
        else None
    )
    # The roster the configuration names may not be written yet: init writes it.
    listed = root / project.config.roster
    roster = project.roster if listed.exists() or listed.is_symlink() else Roster()
    plan = scaffold.plan_init(root, project.config, github=setup, roster=roster)
    steps = plan.steps
    if not steps:
        echo(f"Nothing to do: the archive in {root} is already set up.")
        for note in plan.notes:
            _warn(note)
        return
    if _terminal() and not yes:
        echo(f"incident init will write in {root}:")
        for step in steps:
            echo(f"  {relative_display(step.path, root)}: {step.what}")
        if not click.confirm("Go ahead?", default=True):
            echo("Nothing written.")
            return
    try:
        root.mkdir(parents=True, exist_ok=True)
        scaffold.apply_init(root, steps)
    except BaseException:
        # Nothing written (apply_init takes back what it wrote): nor the folders made for it.
        for folder in made:  # innermost first
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
    if root != Path.cwd().resolve():  # run from a subfolder: the paths below are the root's
        echo(f"In {root}:")
    for step in steps:
        echo(f"{relative_display(step.path, root)}: {step.what}")
    for note in plan.notes:
        _warn(note)
    echo(
        f"Next: add people to {project.config.roster}, then 'incident declare' "
        "when something goes wrong; 'incident lint' checks the archive and 'mkdocs serve' "
        "previews the site."
    )
    here = Path.cwd().resolve()
    if not here.is_relative_to(root):
        # The commands find the archive from the folder they run in and the ones above it:
        # run from here, 'incident declare' would start another archive at the git root.
        shown = os.path.relpath(root, here) if root.is_relative_to(here) else str(root)
        echo(f"Run them in {shown} (cd {shlex.quote(shown)}), or pass --root {shlex.quote(shown)}.")
    if github:
        echo(
            "On GitHub: turn on Pages (Settings > Pages > Source: GitHub Actions), make the "
            "'lint' and 'review-gate' checks required for the default branch, and run "
            f"'incident codeowners --write' whenever {project.config.roster} changes."
        )
