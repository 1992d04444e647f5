"""Lint: find the files, run every rule family, stamp codes and severities, apply suppressions."""

from __future__ import annotations

import contextlib
import fnmatch
import gc
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from functools import lru_cache, partial
from pathlib import Path, PurePosixPath

from incident_docs.blameless import RULES as BLAMELESS_RULES
from incident_docs.config import Config
from incident_docs.diagnostics import Diagnostic, Finding, Severity, UsageError
from incident_docs.document import (
    Document,
    escapes,
    open_regular,
    parse_bytes,
    read_document,
    relative_display,
)
from incident_docs.gitbase import check_against_base
from incident_docs.models import RecordKind, is_record_id
from incident_docs.records import (
    ID_PEEK_BYTES,
    SKIPPED_NAMES,
    folder_kind,
    hidden_part,
    is_record_file,
    is_record_name,
    iter_record_files,
    peek_id,
    record_file_names,
    record_kind,
    validate_record,
)
from incident_docs.rules import ALL_RULES, FAMILIES, suppression
from incident_docs.rules.base import Family, LintContext, Subject
from incident_docs.rules.teams import roster_findings

BL_CODES = tuple(BLAMELESS_RULES)
PARALLEL_THRESHOLD = 200
"""Below this many files, starting worker processes costs more than it saves."""


ALWAYS_SELECTED = ("IO",)
"""A file that cannot be read is reported whatever --select says: no selected rule could check
it, so passing it silently would read as clean. --ignore still drops these codes."""


@dataclass(frozen=True)
class Selection:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()

    def wants(self, code: str) -> bool:
        if self.select and not code.startswith(self.select + ALWAYS_SELECTED):
            return False
        return not (self.ignore and code.startswith(self.ignore))

    def wants_any(self, codes: Iterable[str]) -> bool:
        return any(self.wants(code) for code in codes)


def selection_from(
    config: Config, select: Sequence[str] = (), ignore: Sequence[str] = ()
) -> Selection:
    """Command-line --select replaces the configured one; --ignore adds to it."""
    chosen = tuple(c.upper() for c in select) or config.lint.select
    return Selection(chosen, config.lint.ignore + tuple(c.upper() for c in ignore))


@dataclass(frozen=True)
class Reference:
    target: str
    line: int
    kind: RecordKind
    """What the field links to: an incident's `postmortem`, a postmortem's `incidents`."""


@dataclass
class FileResult:
    """What linting one file yields: findings, plus what the archive-wide checks need."""

    path: str
    findings: list[Finding] = field(default_factory=list)
    record_id: str | None = None
    id_line: int = 1
    kind: str | None = None
    references: list[Reference] = field(default_factory=list)
    suppressions: list[suppression.Suppression] = field(default_factory=list)
    allowed_used: frozenset[str] = frozenset()
    """The blameless checks' allowed phrases that kept a finding away in this file."""
    line_texts: dict[int, str] = field(default_factory=dict)
    """The lines a finding may be on (one of a rule, an ID's, a reference's, a suppression's),
    for the text each diagnostic flags."""


@dataclass
class LintResult:
    diagnostics: list[Diagnostic]
    files: int


def lint_document(
    doc: Document, ctx: LintContext, selection: Selection, *, source: str | None = None
) -> FileResult:
    """Run every selected rule family on one document (read from the file at source, if any)."""
    result = FileResult(doc.path)
    kind = (
        record_kind(doc, ctx.config)
        if doc.front_matter is not None
        else folder_kind(doc.path, ctx.config)
    )
    record, problems = validate_record(doc, kind) if kind is not None else (None, [])
    subject = Subject(doc, kind, record, ctx, problems)
    if source is not None and kind is not None:
        # The checks of a postmortem linted next read its incident: they find it here.
        ctx.remember(source, subject)
    for family in _families(selection):
        result.findings.extend(f for f in family.check(subject) if selection.wants(f.code))
    if doc.front_matter is None and doc.has_front_matter and _checks_prose_only(selection):
        # The front-matter could not be read, so neither could its prose (the title, the
        # summary, the action items): passing the record would read as clean.
        # (A front-matter never terminated is no such case: the body after a leading `---`
        # rule is read, as plain Markdown is.)
        result.findings.extend(
            p
            for p in doc.problems
            if p.code.startswith("FM")
            and p.code != "FM001"
            and not (selection.ignore and p.code.startswith(selection.ignore))
        )
    front = doc.front_matter or {}
    record_id = front.get("id")
    if kind is not None and isinstance(record_id, str):
        result.record_id = record_id
        result.id_line = doc.line_of(("id",))
        result.kind = kind
        result.references = list(_references(doc, kind, front))
    result.allowed_used = frozenset(subject.allowed_used)
    suppressions, malformed = suppression.parse(doc, ALL_RULES)
    result.suppressions = suppressions
    result.findings.extend(f for f in malformed if selection.wants(f.code))
    result.line_texts = _line_texts(doc, result)
    return result


def _line_texts(doc: Document, result: FileResult) -> dict[int, str]:
    """Only the lines findings are on, or archive-wide checks may put one: a worker sends back
    these, not the whole document."""
    lines = {finding.line for finding in result.findings}
    lines.add(result.id_line)
    lines.update(reference.line for reference in result.references)
    lines.update(comment.line for comment in result.suppressions)
    return {line: doc.lines[line - 1] for line in lines if 1 <= line <= len(doc.lines)}


@lru_cache(maxsize=64)
def _all_ran(code: str, selection: Selection) -> bool:
    """Every rule a suppression's code stands for ran ("BL" stands for each BL rule): only then
    can it be found to suppress nothing."""
    covered = [rule for rule in ALL_RULES if rule.startswith(code)]
    return bool(covered) and all(selection.wants(rule) for rule in covered)


@lru_cache(maxsize=8)
def _checks_prose_only(selection: Selection) -> bool:
    """Some blameless rule is selected and no front-matter rule is."""
    return selection.wants_any(BL_CODES) and not selection.wants_any(
        code for code in ALL_RULES if code.startswith("FM")
    )


@lru_cache(maxsize=8)
def _families(selection: Selection) -> tuple[Family, ...]:
    """The families with a selected rule: decided once per run, not once per file."""
    return tuple(family for family in FAMILIES if selection.wants_any(family.codes))


def _references(doc: Document, kind: RecordKind, front: dict[str, object]) -> Iterator[Reference]:
    """The links a record makes. A value not written as an ID of the kind linked to is FM004's
    to report, not a link to look for."""
    if kind == "incident":
        linked = front.get("postmortem")
        if is_record_id(linked, "postmortem"):
            yield Reference(linked, doc.line_of(("postmortem",)), "postmortem")
        return
    incidents = front.get("incidents")
    if isinstance(incidents, list):
        for index, target in enumerate(incidents):
            if is_record_id(target, "incident"):
                yield Reference(target, doc.line_of(("incidents", index)), "incident")


def _lint_file(path: str, display: str, ctx: LintContext, selection: Selection) -> FileResult:
    read = ctx.recalled(path)
    if read is not None:
        # Read moments ago for a record linked to it (an incident's postmortem): the same text.
        doc = replace(read, path=display)
    else:
        doc = read_document(
            Path(path), display, root=ctx.root, max_bytes=ctx.config.lint.max_file_bytes
        )
    return lint_document(doc, ctx, selection, source=path)


_worker_state: tuple[LintContext, Selection] | None = None


def _start_worker(ctx: LintContext, selection: Selection) -> None:
    # Sent once per worker process, not once per file: pickling the config per job costs more
    # than linting a small record.
    global _worker_state
    _worker_state = (ctx, selection)
    # Linting allocates many short-lived objects and creates no reference cycles worth
    # collecting; collecting less often saves time without growing memory.
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)


def _lint_in_worker(job: tuple[str, str]) -> FileResult:
    assert _worker_state is not None
    return _lint_file(job[0], job[1], *_worker_state)


def _targets(
    paths: Sequence[Path], ctx: LintContext
) -> tuple[list[tuple[str, str]], list[FileResult]]:
    """Files to lint (path and display), and results for stray files found in record folders."""
    config = ctx.config
    files: list[tuple[str, str]] = []
    strays: list[FileResult] = []
    seen: set[str] = set()
    said: set[str] = set()  # links reported, each once however often it is reached
    linted: set[tuple[int, int]] = set()  # the files named or found, by device and inode

    def consider(path: Path, *, explicit: bool, display: str | None = None) -> None:
        display = display or relative_display(path, ctx.root)
        if display in seen:
            return
        seen.add(display)
        introduction = path.name.lower() in SKIPPED_NAMES
        if introduction and folder_kind(display, config) is not None:
            # A folder's README, named by a PR's changed files or a hook: not a record, but
            # the site publishes it, so not through a link out of the repository.
            leads_outside(path, display)
            return
        in_records = folder_kind(display, config) is not None
        if explicit or (is_record_file(path) and in_records):
            # Found in a folder, Markdown outside the record folders is no record: `lint .`
            # lints the archive, not the site's pages or the contributing guide.
            try:
                found = os.stat(path)
            except OSError:
                found = None  # its reader says why
            if found is not None:
                # One file named by two paths (through a linked records folder and where it
                # lives) is linted once, or it would hold its own ID twice.
                if (found.st_dev, found.st_ino) in linted:
                    return
                linted.add((found.st_dev, found.st_ino))
            files.append((str(path), display))
            return
        if path.name.startswith(".") or path.name.lower() in SKIPPED_NAMES:
            return
        if in_records and path.suffix.lstrip(".").lower() not in config.attachments:
            strays.append(
                FileResult(
                    display,
                    [
                        Finding(
                            "ID004",
                            f"'{path.name}' is neither a Markdown record nor an attachment "
                            f"({', '.join(config.attachments)})",
                        )
                    ],
                )
            )

    def leads_outside(path: Path, display: str) -> bool:
        target = escapes(path, ctx.root)
        # Said once, however often it is reached: named twice, or named and in a folder named.
        if target is not None and display not in said:
            said.add(display)
            message = f"symbolic link leads outside the repository ({target})"
            strays.append(FileResult(display, [Finding("IO005", message)]))
        return target is not None

    def linked_folder(path: Path, display: str) -> None:
        """A folder in a record folder that is a link inside the repository is not entered: what
        it holds is read where it lives. Said when that is outside the record folders, where
        nothing is linted or published, so that no record goes missing quietly."""
        if display in said or folder_kind(display, config) is None or hidden_part(display):
            return
        try:
            real = Path(os.path.realpath(path)).relative_to(os.path.realpath(ctx.root))
        except (ValueError, OSError):  # out of the repository (IO005's to say), or unreadable
            return
        target = f"{real.as_posix()}/"
        if folder_kind(target, config) is None:
            said.add(display)
            message = (
                f"'{path.name}' links to {target}, outside the record folders, and a linked "
                "folder is not followed: nothing in it is linted or published; move that folder "
                "here in place of the link"
            )
            strays.append(FileResult(display, [Finding("ID004", message)]))

    if not paths:
        # Strings, not Paths, for the common case: a large archive is mostly records.
        linked: list[str] = []
        for location, display in record_file_names(ctx.root, config, linked):
            if display not in seen and is_record_name(display.rpartition("/")[2]):
                seen.add(display)
                files.append((location, display))
            else:
                consider(Path(location), explicit=False, display=display)
        for display in linked:
            # A folder the walk does not enter: said so when it leads out of the repository, or
            # to a folder outside the record folders.
            if not leads_outside(ctx.root / display, display):
                linked_folder(ctx.root / display, display)
        return files, strays
    for given in paths:
        if not given.exists() and not given.is_symlink():
            raise UsageError(f"{given}: no such file or directory")
    # Records folders that are links inside the repository, by where they lead: a file found
    # there (`incident lint records/postmortems`) is named by the link, as the archive names it.
    leads_to: dict[Path, str] = {}
    for records in (config.incidents_dir, config.postmortems_dir):
        link = ctx.root / records
        if link.is_symlink() and escapes(link, ctx.root) is None:
            with contextlib.suppress(OSError):
                leads_to[Path(os.path.realpath(link))] = records.strip("/")

    def through_link(path: Path) -> str | None:
        try:
            real = Path(os.path.realpath(path.parent)) / path.name
        except OSError:
            return None
        for target, records in leads_to.items():
            if real.is_relative_to(target):
                return f"{records}/{real.relative_to(target).as_posix()}"
        return None

    def holds_records(given: Path, named: str, through: bool, folder: Path) -> bool:
        """A folder in the folder given may hold records: the walk enters it."""
        shown = f"{named}/{folder.relative_to(given).as_posix()}" if through else None
        if shown is None and leads_to:
            shown = through_link(folder)
        if _may_hold_records(shown or relative_display(folder, ctx.root), config):
            return True
        # On the way to where a records folder that is a link leads ("records/").
        try:
            real = Path(os.path.realpath(folder))
        except OSError:
            return False
        return any(target.is_relative_to(real) for target in leads_to)

    # The files named first: one is linted as named whether its folder comes before or after it.
    for given in sorted(paths, key=Path.is_dir):
        if given.is_dir():
            if leads_outside(given, relative_display(given, ctx.root)):
                continue
            named = relative_display(given, ctx.root)
            if given.is_symlink():
                linked_folder(given, named)
            # A records folder that is itself a link (`postmortems` to `records/postmortems`)
            # is read through it, as a lint of the whole archive reads it: its files are named
            # by the link, where the record folders are, not where the link leads.
            through = given.is_symlink() and named in (config.incidents_dir, config.postmortems_dir)
            for path in _walk(given, partial(holds_records, given, named, through)):
                shown = f"{named}/{path.relative_to(given).as_posix()}" if through else None
                if shown is None and leads_to:
                    shown = through_link(path)
                try:
                    folder = path.is_dir()
                except OSError:  # a link to what cannot be read: its reader says why
                    folder = False
                if (
                    # Every file that is no folder, a pipe or a device too: a record folder's
                    # own is reported (IO001), as in a lint of the whole archive.
                    (not folder or path.is_symlink())
                    and not _hidden(path, given)
                    and not leads_outside(path, shown or relative_display(path, ctx.root))
                ):
                    if folder:
                        # A folder that is a link is not entered, as in a lint of the whole
                        # archive.
                        linked_folder(path, shown or relative_display(path, ctx.root))
                    else:
                        consider(path, explicit=False, display=shown)
        elif not leads_outside(given, relative_display(given, ctx.root)):
            consider(given, explicit=True)
    return files, strays


def _walk(folder: Path, enters: Callable[[Path], bool]) -> list[Path]:
    """Everything under the folder, sorted as paths sort. Folders that are hidden, links or
    that `enters` refuses are listed but not entered, so that `incident lint .` does not read
    a tree of dependencies, nor `incident lint /` the whole disk; a folder that cannot be
    listed, or is deleted on the way, is passed over (os.walk's default)."""
    found: list[Path] = []
    for parent, folders, names in os.walk(folder):
        where = Path(parent)
        entered = []
        for name in folders:
            path = where / name
            found.append(path)
            if not name.startswith(".") and not path.is_symlink() and enters(path):
                entered.append(name)
        folders[:] = entered
        found.extend(where / name for name in names)
    return sorted(found)


def _may_hold_records(display: str, config: Config) -> bool:
    """A folder (by its root-relative path) is a records folder, in one, or on the way to one:
    the repository, a folder that holds it ("..", when `/` is linted) or one inside it."""
    if display == "." or all(part == ".." for part in display.split("/")):
        return True
    if folder_kind(f"{display}/", config) is not None:
        return True
    return any(
        f"{records.rstrip('/')}/".startswith(f"{display}/")
        for records in (config.incidents_dir, config.postmortems_dir)
    )


def _hidden(path: Path, base: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(base).parts[:-1])


def lint(
    ctx: LintContext,
    selection: Selection,
    paths: Sequence[Path] = (),
    *,
    stdin: tuple[bytes, str] | None = None,
    jobs: int | None = None,
    base: str | None = None,
) -> LintResult:
    """Lint the given paths (the whole archive when none) or one document from standard input.

    With base (a git revision), IDs are also checked against the archive at that revision.
    """
    ctx.recent.clear()  # read by an earlier run of this context: the files may have changed
    if stdin is not None:
        raw, display = stdin
        doc = parse_bytes(raw, display, max_bytes=ctx.config.lint.max_file_bytes)
        results = [lint_document(doc, ctx, selection)]
        whole_archive = False
    else:
        files, results = _targets(paths, ctx)
        whole_archive = not paths
        if (
            whole_archive
            and ctx.config.blameless.allow
            and selection.wants("SP003")
            and all(map(selection.wants, BL_CODES))
        ):
            # Only every blameless check over the whole archive can tell that an allowed phrase
            # keeps nothing away, and noting what each keeps away costs a second reading.
            ctx = replace(ctx, note_allowed=True)
        results.extend(_run(files, ctx, selection, jobs))
    if whole_archive and selection.wants("TM001"):
        found = roster_findings(ctx)
        if found:
            results.append(FileResult(ctx.config.roster, found))
    if ctx.note_allowed:
        used = frozenset().union(*(result.allowed_used for result in results))
        unused = suppression.unused_allowed(ctx, used)
        if unused is not None:
            results.append(FileResult(*unused))
    if selection.wants_any(("ID001", "ID005")):
        known = None if whole_archive else _archive_ids(ctx, {r.path for r in results})
        _archive_checks(results, known, selection)
    if base is not None:
        check_against_base(results, ctx.root, ctx.config, base, selection)
    return LintResult(_finish(results, ctx, selection), len(results))


def _run(
    files: list[tuple[str, str]], ctx: LintContext, selection: Selection, jobs: int | None
) -> list[FileResult]:
    """Lint the files, in the order given, in this process or in worker processes."""
    order = _lint_order(files)
    ordered = [files[index] for index in order]
    workers = jobs or usable_cpus()
    if workers <= 1 or len(files) < PARALLEL_THRESHOLD:
        linted = [_lint_file(path, display, ctx, selection) for path, display in ordered]
    else:
        for family in _families(selection):
            if family.prepare is not None:
                family.prepare(ctx)  # read once here, shared by the forked workers
        context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
        chunk = max(16, len(files) // (workers * 8))
        with ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=_start_worker,
            initargs=(ctx, selection),
        ) as pool:
            linted = list(pool.map(_lint_in_worker, ordered, chunksize=chunk))
    results: list[FileResult] = [None] * len(files)  # type: ignore[list-item]
    for index, result in zip(order, linted, strict=True):
        results[index] = result
    return results


def usable_cpus() -> int:
    """The processors this process may run on (a container's or a CI job's share, not every one
    the machine has)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def _lint_order(files: list[tuple[str, str]]) -> list[int]:
    """The files' indexes in the order to lint them: each postmortem right after the incident
    its ID is named after (PM-2022-12-25-x after INC-2022-12-25-x), which its checks read again,
    so that the process (or worker) linting both still has the incident at hand."""

    def key(index: int) -> tuple[str, int, int]:
        name = files[index][1].rpartition("/")[2].removesuffix(".md")
        if name.startswith("INC-"):
            return name[4:], 0, index
        if name.startswith("PM-"):
            return name[3:], 1, index
        return "", 2, index

    return sorted(range(len(files)), key=key)


def _archive_ids(ctx: LintContext, linted: set[str]) -> dict[str, list[str]]:
    """IDs of the records not being linted, read cheaply, so new IDs can be checked against them.

    A record being linted under another path is one of them: a records folder that is a link
    (`postmortems` to `records/postmortems`) lists it by the link, while lint, and the changed
    files of a pull request, name it where it is. Files are told apart as the file system does,
    by device and inode, so that a record is never taken for a second holder of its own ID."""
    ids: dict[str, list[str]] = {}
    same: set[tuple[int, int]] = set()
    for display in linted:
        try:
            found = os.stat(ctx.root / display)
        except OSError:
            continue
        same.add((found.st_dev, found.st_ino))
    for path in iter_record_files(ctx.root, ctx.config):
        display = path.relative_to(ctx.root).as_posix()
        if display in linted or not is_record_file(path) or path.is_symlink():
            continue
        try:
            with open_regular(path) as handle:  # a pipe would block the run
                found = os.fstat(handle.fileno())
                if (found.st_dev, found.st_ino) in same:
                    continue
                record_id = peek_id(handle.read(ID_PEEK_BYTES))
        except OSError:
            continue
        if record_id:
            ids.setdefault(record_id, []).append(display)
    return ids


def _archive_checks(
    results: list[FileResult], others: dict[str, list[str]] | None, selection: Selection
) -> None:
    by_id: dict[str, list[FileResult]] = {}
    for result in results:
        if result.record_id:
            by_id.setdefault(result.record_id, []).append(result)
    for record_id, holders in by_id.items():
        elsewhere = (others or {}).get(record_id, [])
        paths = [h.path for h in holders] + elsewhere
        if len(paths) < 2:
            continue
        for holder in holders:
            rest = ", ".join(p for p in paths if p != holder.path)
            holder.findings.append(
                Finding("ID001", f"ID '{record_id}' is also used by {rest}", holder.id_line, 1)
            )
    if not selection.wants("ID005"):
        return
    # A record whose front-matter cannot be read, or whose ID is not written as one, is still
    # there, under its file's name (IDs name their files, ID002): a link to it is not broken,
    # and the file has its own finding.
    unread = {
        PurePosixPath(result.path).stem
        for result in results
        if result.path.endswith(".md")
        and not any(is_record_id(result.record_id, kind) for kind in ("incident", "postmortem"))
    }
    known = set(by_id) | set(others or {}) | unread
    for result in results:
        for reference in result.references:
            if reference.target not in known:
                result.findings.append(
                    Finding(
                        "ID005",
                        f"no {reference.kind} with ID '{reference.target}' in the archive",
                        reference.line,
                        1,
                    )
                )


def severity_of(code: str, config: Config) -> Severity:
    overrides = config.lint.severity
    for length in range(len(code), 1, -1):
        chosen = overrides.get(code[:length])
        if chosen is not None:
            return chosen
    rule = ALL_RULES.get(code)
    return rule.severity if rule else Severity.ERROR


def rule_severities(config: Config) -> dict[str, Severity]:
    """Every rule's severity as configured."""
    return {code: severity_of(code, config) for code in ALL_RULES}


def _finish(results: list[FileResult], ctx: LintContext, selection: Selection) -> list[Diagnostic]:
    config = ctx.config
    diagnostics: list[Diagnostic] = []
    for result in results:
        ignored = tuple(
            code
            for pattern, codes in config.lint.per_file_ignores.items()
            if fnmatch.fnmatch(result.path, pattern)
            for code in codes
        )
        kept = [
            finding
            for finding in result.findings
            if not (ignored and finding.code.startswith(ignored))
        ]
        hidden = suppression.suppressed(kept, result.suppressions)
        diagnostics.extend(
            Diagnostic.from_finding(
                result.path,
                finding,
                severity_of(finding.code, config),
                result.line_texts.get(finding.line, ""),
            )
            for index, finding in enumerate(kept)
            if index not in hidden
        )
        # Ignored in this file, as the findings above are: "SP" silences SP001 there too.
        if selection.wants("SP001") and not (ignored and "SP001".startswith(ignored)):
            for comment in result.suppressions:
                # Only the codes that ran can be found to suppress nothing.
                unused = [
                    c for c in comment.codes if c not in comment.used and _all_ran(c, selection)
                ]
                if not unused:
                    continue
                if len(unused) == len(comment.codes) and comment.after_text:
                    # It was meant for the text before it on its line, most likely.
                    message = (
                        f"suppression of {', '.join(unused)} suppresses nothing: a "
                        "disable-next-line comment is for the line below it, not the text "
                        "before it: move it to a line of its own above that text, or remove it"
                    )
                elif len(unused) == len(comment.codes):
                    message = f"suppression of {', '.join(unused)} suppresses nothing: remove it"
                else:
                    message = (
                        f"{', '.join(unused)} in this suppression suppresses nothing: remove "
                        f"{'it' if len(unused) == 1 else 'them'} from the comment"
                    )
                finding = Finding("SP001", message, comment.line, comment.column)
                diagnostics.append(
                    Diagnostic.from_finding(
                        result.path,
                        finding,
                        severity_of("SP001", config),
                        result.line_texts.get(comment.line, ""),
                    )
                )
    diagnostics.sort(key=Diagnostic.sort_key)
    return diagnostics
