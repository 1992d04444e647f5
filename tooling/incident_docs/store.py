"""The only writer of records: round-trip front-matter edits, timeline insertions, atomic locked writes.

An edit changes the keys and lines it is about and keeps every other byte: comments, key order,
quoting, line endings and a byte order mark survive.
"""

from __future__ import annotations

import bisect
import contextlib
import difflib
import errno
import fcntl
import io
import os
import re
import stat
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.scalarstring import DoubleQuotedScalarString
from ruamel.yaml.timestamp import TimeStamp
from yaml import YAMLError as PyYAMLError
from yaml import safe_load as yaml_safe_load

from incident_docs.config import Config
from incident_docs.diagnostics import UsageError
from incident_docs.document import (
    Document,
    Section,
    open_regular,
    parse_bytes,
    parse_text,
    relative_display,
    yaml_comments,
)
from incident_docs.lifecycle import Change
from incident_docs.models import ActionItem, Incident, Postmortem, RecordKind, TimelineEntry
from incident_docs.records import validate_record, written_id
from incident_docs.rules import suppression
from incident_docs.templates import (
    INCIDENT_SUMMARY_PLACEHOLDER,
    is_empty,
    normalise,
    titled,
    without_comments,
)
from incident_docs.timeline import (
    TimelineProblem,
    find_section,
    format_time,
    is_item,
    parse_entry,
    parse_timeline,
    render_entry,
    table_lines,
    timeline_titles,
    wrapped_lines,
)

LOCK_NAME = ".incident-docs-lock"
"""Serialises every write in a repository; ignored by git and by lint (it is outside the records)."""
TEMPORARY = ".*.tmp"
"""The name of a temporary file write_atomic makes beside its target
(".NAME.incident-docs.XXXXXXXX.tmp"): what .gitignore keeps out of commits, since one outlives a
write that was killed outright."""
_TEMPORARY_MARK = ".incident-docs."
"""What write_atomic puts in a temporary file's name, so that no file someone named is taken for
one."""
_TEMPORARY_PART = re.compile(r"[a-z0-9_]{8}")
"""What mkstemp puts between a temporary file's prefix and its suffix."""
STALE_SECONDS = 3600
"""How old such a file of the same target must be before a later write removes it: a write takes
a moment, so one this old was left by a process that died (killed, or the machine went down)."""

FLOW_LISTS = frozenset({"services", "tags", "incidents", "authors", "reviewers", "approved_by"})
"""Lists of plain words, written `[a, b]` in new records like the example archive."""

_KEY_ORDER: dict[str, tuple[str, ...]] = {
    "incident": tuple(Incident.model_fields),
    "postmortem": tuple(Postmortem.model_fields),
}
_ITEM_ORDER: dict[str, tuple[str, ...]] = {"action_items": tuple(ActionItem.model_fields)}
"""Where a new key goes in an item of a front-matter list, by the list's key."""


class _Representer(RoundTripRepresenter):
    """Round-trip representer that writes new datetimes the way the records spell them."""

    def ignore_aliases(self, data: Any) -> bool:
        # One moment used twice (declared_at and the first status change) is written twice,
        # not as an anchor and alias; anchors the file already has are kept.
        if isinstance(data, datetime) and not isinstance(data, TimeStamp):
            return True
        return bool(super().ignore_aliases(data))


def _represent_datetime(representer: RoundTripRepresenter, value: datetime) -> Any:
    return representer.represent_scalar("tag:yaml.org,2002:timestamp", format_time(value))


_Representer.add_representer(datetime, _represent_datetime)


# --- locking and writing ------------------------------------------------------------------------


@contextlib.contextmanager
def locked(root: Path) -> Iterator[None]:
    """Hold the repository's write lock: concurrent commands take turns instead of losing edits."""
    path = root / LOCK_NAME
    # Never through a symbolic link: a committed one could create any file it points at.
    flags = os.O_CREAT | os.O_NOFOLLOW
    read_only = False
    try:
        try:
            descriptor = os.open(path, os.O_RDWR | flags, 0o666)
        except PermissionError:
            # Left by another user of a shared checkout (their umask made it 0644): a lock is
            # taken on a file open for reading too, and nothing is ever written to it.
            descriptor = os.open(path, os.O_RDONLY | flags, 0o666)
            read_only = True
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise UsageError(f"{LOCK_NAME}: the write lock is a symbolic link; remove it") from None
        if isinstance(error, PermissionError):
            raise UsageError(
                f"{LOCK_NAME}: the write lock cannot be opened ({error.strerror}): "
                + _unreadable_lock(path)
            ) from None
        raise
    with os.fdopen(descriptor, "rb") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        except OSError as error:
            if not read_only:
                raise
            # NFS and SMB lock only a file open for writing ("Bad file descriptor").
            raise UsageError(
                f"{LOCK_NAME}: the write lock cannot be taken ({error.strerror}): this file "
                "system locks only a file open for writing, and this user may not write this "
                "one (another user's, or made read-only); it holds nothing, so remove it while "
                "no incident command is running"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _unreadable_lock(path: Path) -> str:
    """What to do about a lock file that cannot be opened, even for reading."""
    try:
        owner = os.lstat(path).st_uid
    except OSError:  # none there, or a folder this user may not look in
        return "the repository's folder cannot be written"
    whose = (
        "this user's own, made unreadable"
        if owner == os.geteuid()
        else "another user's, which this one may not read"
    )
    return f"{whose}; it holds nothing, so remove it while no incident command is running"


def write_atomic(path: Path, data: bytes, *, exclusive: bool = False) -> None:
    """Write a temporary file beside `path`, fsync it and move it into place in one step.

    With `exclusive`, an existing file is never replaced (FileExistsError instead).
    """
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else None
    try:
        handle, temporary = tempfile.mkstemp(
            prefix=f".{path.name}{_TEMPORARY_MARK}", suffix=".tmp", dir=folder
        )
    except OSError as error:
        # A folder it may not write in: the file named is the one being written, not the
        # temporary one mkstemp tried.
        raise OSError(error.errno, error.strerror, str(path)) from None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)
        if exclusive:
            _move_new(temporary, path)
        else:
            os.replace(temporary, path)
    except BaseException as error:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        if isinstance(error, OSError) and error.filename in (temporary, None):
            # The temporary file is ours, and a write or fsync names no file (a full disk):
            # the error is about writing the record.
            raise OSError(error.errno, error.strerror, str(path)) from None
        raise
    with contextlib.suppress(OSError):
        directory = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    _remove_stale_temporaries(path)


_NO_HARD_LINKS = frozenset({errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS})
"""What a file system that makes no hard links (FAT and exFAT drives, some network shares)
answers os.link with."""


def _move_new(temporary: str, path: Path) -> None:
    """Move the written temporary file to `path`, which must not exist yet (FileExistsError): a
    hard link refuses an existing name in one step. Where the file system makes no hard links,
    the name is checked and the file moved there; the lock keeps incident commands from racing
    for it."""
    try:
        os.link(temporary, path)
    except FileExistsError:
        raise
    except OSError as error:
        if error.errno not in _NO_HARD_LINKS:
            raise
        if os.path.lexists(path):
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(path)) from None
        os.rename(temporary, path)
        return
    os.unlink(temporary)


def _remove_stale_temporaries(path: Path) -> None:
    """Remove what killed writes of `path` left beside it, once they are STALE_SECONDS old: no
    write still running can own one, and each has a name of its own, so they would pile up."""
    prefix = f".{path.name}{_TEMPORARY_MARK}"
    cutoff = time.time() - STALE_SECONDS
    with contextlib.suppress(OSError), os.scandir(path.parent) as entries:
        for entry in entries:
            name = entry.name
            # Only a name of write_atomic's own making: the record's, the mark, what mkstemp adds.
            if not (
                name.startswith(prefix)
                and name.endswith(".tmp")
                and _TEMPORARY_PART.fullmatch(name, len(prefix), len(name) - 4) is not None
            ):
                continue
            with contextlib.suppress(OSError):
                if (
                    entry.is_file(follow_symlinks=False)
                    and entry.stat(follow_symlinks=False).st_mtime < cutoff
                ):
                    os.unlink(entry.path)


# --- reading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IncidentFile:
    """An incident record as read from disk, validated."""

    path: Path
    display: str
    doc: Document
    incident: Incident
    entries: tuple[TimelineEntry, ...]
    unread: tuple[TimelineProblem, ...] = ()
    """Lines of the timeline that are not entries it could read (a timestamp with no offset, an
    unknown kind): what the record says there is in none of `entries`."""
    timeline: Section | None = None
    """The timeline section the entries were read from, under whichever of its names."""

    def entry_lines(self) -> list[str]:
        """Each entry as written, with the lines its text is wrapped onto, what is nested in it,
        and the suppression comments written on lines of their own between it and the entry
        above it (a draft copying the entries must keep them, the `enable` that ends a block
        among them)."""
        lines = sorted(entry.line for entry in self.entries)
        written = dict(zip(lines, self._as_written(lines), strict=True))
        return [written[entry.line] for entry in self.entries]

    def timeline_lines(self) -> list[str]:
        """The timeline as a draft copies it: each entry (see entry_lines) and each line that is
        no entry it could read (`unread`), as written, in the record's order, each with the
        suppression comments above it; the draft's lint reports those where its authors fix
        them."""
        lines = {entry.line for entry in self.entries} | {p.line for p in self.unread}
        # A table's rows are copied under its header, as a table.
        rows = [p.line for p in self.unread if not is_item(self.doc.lines[p.line - 1])]
        lines.update(number for row in rows for number in table_lines(self.doc, row))
        return self._as_written(sorted(lines))

    def _as_written(self, lines: list[int]) -> list[str]:
        """The item starting on each of these lines (in order) as written: the suppression
        comments alone on their lines since the item above it, the line, the lines its text is
        wrapped onto and what is nested in it."""
        doc = self.doc
        section = self.timeline
        last = section.end_line if section is not None else len(doc.lines)
        result = []
        above = section.heading.line if section else 0
        tables = {block.line for block in doc.blocks if block.kind == "table_row"}
        shape = ""
        for index, line in enumerate(lines):
            written = [
                doc.lines[number - 1]
                for number in range(above + 1, line)
                if number not in doc.code_lines
                and _DIRECTIVE_LINE.match(doc.lines[number - 1]) is not None
            ]
            if is_item(doc.lines[line - 1]):
                # The whole item: its text wrapped onto the lines after it, and what is nested in
                # it (details listed under an entry), which the incident shows as the entry's.
                end = _end_of_item(doc, line, last)
            else:
                # A table row, or a line of a paragraph and those after it up to the next copied.
                following = lines[index + 1] - 1 if index + 1 < len(lines) else last
                end = min(_block_end(doc, line), following)
            written.extend(doc.lines[line - 1 : end])
            # Set apart from what is copied above it when it is another kind of block: a table
            # goes on over a paragraph written straight under it, and a paragraph over a list.
            was, shape = (
                shape,
                ("item" if is_item(doc.lines[line - 1]) else "table" if line in tables else "text"),
            )
            if was and (was != shape or (shape == "table" and line - 1 not in tables)):
                written.insert(0, "")
            result.append("\n".join(written))
            above = line
        return result

    def suppressed_codes(self, *location: str) -> tuple[str, ...]:
        """The rule codes the record's YAML comments suppress for a front-matter value: a draft
        that copies the value into its body must suppress them there too."""
        line = self.doc.key_lines.get(location)
        if line is None or "incident-docs" not in "\n".join(self.doc.lines[: line - 1]):
            return ()
        codes = [code for s in self._suppressions if s.first <= line <= s.last for code in s.codes]
        return tuple(dict.fromkeys(codes))

    @cached_property
    def _suppressions(self) -> list[suppression.Suppression]:
        """The record's suppressions, read once for all the values a draft copies."""
        return suppression.parse(self.doc)[0]

    def summary_text(self, config: Config) -> str | None:
        """The body's summary (its section, by the names lint reads it under), when written."""
        section = _summary_section(self.doc, summary_titles(config))
        if section is None:
            return None
        if is_empty(self.doc.section_text(section)):
            return None
        # As written, comments and all: a suppression comment in it must come along. The
        # template's placeholder beside text written by hand is not: the draft's lint reports it.
        return "\n".join(_without_placeholder(self.doc, section)).strip("\n") or None


def _first_problem(doc: Document) -> str | None:
    for problem in doc.problems:
        return f"{doc.path}:{problem.line}: {problem.message}"
    if not doc.has_front_matter or doc.front_matter is None:
        return f"{doc.path}:1: no front-matter: a record starts with '---', its fields and '---'"
    return None


FIX_FIRST = " (fix it before changing this record)"
"""What an error reading a record adds when the command was to change it."""


def _validated(
    raw: bytes, display: str, config: Config, kind: RecordKind, hint: str = FIX_FIRST
) -> tuple[Document, Any]:
    doc = parse_bytes(raw, display, max_bytes=config.lint.max_file_bytes)
    problem = _first_problem(doc)
    if problem is not None:
        raise UsageError(f"{problem}{hint}")
    record, findings = validate_record(doc, kind)
    if record is None:
        first = findings[0] if findings else None
        where = f"{display}:{first.line}" if first else display
        message = first.message if first else f"not a {kind} record"
        raise UsageError(f"{where}: {message}{hint}")
    return doc, record


def parse_incident(
    raw: bytes, display: str, path: Path, config: Config, *, changing: bool = True
) -> IncidentFile:
    """The incident record in `raw`, validated; UsageError naming file and line when it is not
    one. `changing`: the command is to change it, and the error says to fix it first."""
    hint = FIX_FIRST if changing else ""
    doc, record = _validated(raw, display, config, "incident", hint)
    if not isinstance(record, Incident):
        raise UsageError(f"{display}: not an incident record{hint}")
    titles = timeline_titles(config)
    entries, problems = parse_timeline(doc, titles)
    read = {entry.line for entry in entries}
    unread = tuple(problem for problem in problems if problem.line not in read)
    section = find_section(doc, titles)
    return IncidentFile(path, display, doc, record, tuple(entries), unread, section)


@dataclass(frozen=True)
class PostmortemFile:
    """A postmortem record as read from disk, validated."""

    path: Path
    display: str
    doc: Document
    postmortem: Postmortem


def read_incident(
    path: Path, display: str, config: Config, *, changing: bool = True
) -> IncidentFile:
    return parse_incident(_read_bytes(path, display), display, path, config, changing=changing)


def _read_bytes(path: Path, display: str) -> bytes:
    try:
        with open_regular(path) as handle:
            return handle.read()
    except OSError as error:
        raise UsageError(f"{display}: cannot read: {error.strerror or error}") from None


def read_postmortem(path: Path, display: str, config: Config) -> PostmortemFile:
    """The postmortem record at `path`, validated, to read; UsageError naming file and line when
    it is not one."""
    doc, record = _validated(_read_bytes(path, display), display, config, "postmortem", "")
    if not isinstance(record, Postmortem):
        raise UsageError(f"{display}: not a postmortem record")
    return PostmortemFile(path, display, doc, record)


# --- the text of a file, line by line, with each line's own ending --------------------------------


_NEWLINE = re.compile(r"(\r\n|\r|\n)")


@dataclass
class Lines:
    """A file as lines and their endings; numbering matches Document (1-based, BOM stripped)."""

    lines: list[str]
    ends: list[str]
    bom: bool = False
    newline: str = "\n"

    @classmethod
    def parse(cls, text: str) -> Lines:
        bom = text.startswith("\ufeff")
        if bom:
            text = text[1:]
        parts = _NEWLINE.split(text)
        lines = parts[0::2]
        ends = [*parts[1::2], ""]
        if lines and lines[-1] == "" and ends[-1] == "":
            lines.pop()
            ends.pop()
        crlf, lf, cr = (sum(1 for e in ends if e == kind) for kind in ("\r\n", "\n", "\r"))
        newline = "\r\n" if crlf and crlf >= lf else "\n"
        if cr > max(crlf, lf):
            newline = "\r"  # classic Mac OS line ends: new lines end as the file's do
        return cls(lines, ends, bom, newline)

    def text(self) -> str:
        body = "".join(line + end for line, end in zip(self.lines, self.ends, strict=True))
        return ("\ufeff" if self.bom else "") + body

    def insert(self, index: int, new: Sequence[str]) -> None:
        """Insert lines before 0-based `index`, giving a last line without an ending one first."""
        if not new:
            return
        if index > 0 and self.ends[index - 1] == "":
            self.ends[index - 1] = self.newline
            ends = [self.newline] * (len(new) - 1) + [""]
        else:
            ends = [self.newline] * len(new)
        self.lines[index:index] = list(new)
        self.ends[index:index] = ends

    def replace(self, start: int, stop: int, new: Sequence[str]) -> None:
        """Replace 0-based lines [start, stop) keeping the ending of the last replaced line."""
        last_end = self.ends[stop - 1] if stop > start else self.newline
        ends = [self.newline] * len(new)
        if ends:
            ends[-1] = last_end if stop > start else self.newline
        self.lines[start:stop] = list(new)
        self.ends[start:stop] = ends


# --- front-matter -------------------------------------------------------------------------------


def _indent_found(lines: Sequence[str]) -> tuple[int, int, int]:
    """(mapping, offset, gap) as the lines first use them: how far a nested mapping is indented,
    a list's dash from its key's column, and from the dash to what the item holds; 0, -1 and 0
    where the lines have none."""
    mapping, offset, gap = 0, -1, 0
    previous: tuple[int, bool] | None = (
        None  # indent of the last key line, and whether it opens a block
    )
    for line in lines:
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(line.lstrip(" "))
        if previous is not None and previous[1] and indent >= previous[0]:
            if stripped.startswith("- ") or stripped == "-":
                if offset < 0:
                    offset = indent - previous[0]
                if not gap and stripped != "-":
                    # From the dash to what the item holds: `- at:` (2) or `-   at:` (4).
                    gap = len(stripped) - len(stripped[1:].lstrip(" "))
            elif not mapping and indent > previous[0]:
                mapping = indent - previous[0]
        body = stripped[2:] if stripped.startswith("- ") else stripped
        opens = bool(re.match(r"^[^\s'\"#][^:#]*:\s*(#.*)?$", body))
        previous = (indent + (len(stripped) - len(body)), opens)
        if mapping and offset >= 0 and gap:
            break
    return mapping, offset, gap


def _style(mapping: int, offset: int, gap: int) -> tuple[int, int, int]:
    """(mapping, sequence, offset) for the YAML writer from what _indent_found found."""
    mapping = mapping or 2
    offset = 2 if offset < 0 else offset
    return mapping, offset + gap if gap else max(offset + 2, mapping), offset


def _guess_indent(lines: Sequence[str]) -> tuple[int, int, int]:
    """(mapping, sequence, offset) indentation as the file already uses it; the archive's by default."""
    return _style(*_indent_found(lines))


Indentation = tuple[int, int, int]
"""(mapping, sequence, offset), as the YAML writer takes them."""


def _by_indentation(lines: Sequence[str], change: Change) -> list[tuple[Indentation, Change]]:
    """The change in parts, each with the indentation of the top-level blocks it edits (a
    mapping indented by 4 under one key and by 2 under another, a list indented its own way);
    what a block does not show, and a new key, as the first blocks are indented."""
    first = _indent_found(lines)
    blocks: dict[str, list[str]] = {}
    block: list[str] = []
    for line in lines:
        if line[:1] not in ("", " ", "\t", "#", "-"):
            block = blocks.setdefault(line.split(":", 1)[0].strip(" \t'\""), [])
        block.append(line)
    parts: dict[Indentation, dict[str, list[Any]]] = {}

    def add(key: object, field: str, what: Any) -> None:
        mapping, offset, gap = _indent_found(blocks.get(str(key), ()))
        style = _style(mapping or first[0], *((offset, gap) if offset >= 0 else first[1:]))
        parts.setdefault(style, {"sets": [], "appends": [], "inserts": [], "removes": []})
        parts[style][field].append(what)

    for path, value in change.sets:
        add(path[0] if path else "", "sets", (path, value))
    for key, item in change.appends:
        add(key, "appends", (key, item))
    for key, position, item in change.inserts:
        add(key, "inserts", (key, position, item))
    for key in change.removes:
        add(key, "removes", key)
    return [
        (
            style,
            Change(
                sets=tuple(fields["sets"]),
                appends=tuple(fields["appends"]),
                inserts=tuple(fields["inserts"]),
                removes=tuple(fields["removes"]),
            ),
        )
        for style, fields in parts.items()
    ] or [(_style(*first), change)]


def _yaml(style: Indentation) -> YAML:
    yaml = YAML(typ="rt")
    yaml.Representer = _Representer
    yaml.preserve_quotes = True
    yaml.width = 4096
    mapping, sequence, offset = style
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    return yaml


def _plain_reads_as_text(value: str) -> bool:
    """Whether a string written plain reads back as that string (PyYAML reads 'on' as True)."""
    try:
        return bool(yaml_safe_load(value) == value)
    except PyYAMLError:
        return False


def _to_yaml(value: Any, key: str | None = None) -> Any:
    if isinstance(value, dict):
        result = CommentedMap()
        for k, v in value.items():
            result[k] = _to_yaml(v, k)
        return result
    if isinstance(value, list | tuple):
        seq = CommentedSeq(_to_yaml(v) for v in value)
        if key in FLOW_LISTS or not value:
            seq.fa.set_flow_style()
        return seq
    if isinstance(value, str) and value and not _plain_reads_as_text(value):
        return DoubleQuotedScalarString(value)  # a handle 'on' or 'no' stays a string
    return value


def _insert_key(mapping: CommentedMap, key: str, value: Any, order: Sequence[str]) -> None:
    """Add a key where the record format puts it, after the keys that come before it."""
    rank = {name: index for index, name in enumerate(order)}
    wanted = rank.get(key, len(order))
    position = 0
    for index, existing in enumerate(mapping):
        if rank.get(str(existing), len(order) + 1) <= wanted:
            position = index + 1
    if position >= len(mapping):
        mapping[key] = value
    else:
        mapping.insert(position, key, value)


def _apply_to_mapping(data: CommentedMap, change: Change, order: Sequence[str]) -> None:
    for path, value in change.sets:
        target: CommentedMap = data
        target_order = order
        for position, part in enumerate(path[:-1]):
            if isinstance(part, int):
                continue  # taken with the list's key, below
            child = target.get(part)
            following = path[position + 1]
            if isinstance(following, int):
                # An item of a list: it must exist, since a change only edits items it has read.
                if not isinstance(child, CommentedSeq) or not 0 <= following < len(child):
                    raise UsageError(f"front-matter: {part}[{following}] does not exist")
                item = child[following]
                if not isinstance(item, CommentedMap):
                    raise UsageError(f"front-matter: {part}[{following}] is not a mapping")
                shared = item.anchor.value is not None or any(
                    other is item for index, other in enumerate(child) if index != following
                )
                if shared:
                    raise UsageError(
                        f"front-matter: {part}[{following}] is shared through a YAML anchor "
                        "(&name / *name); write it out in full to change it"
                    )
                target, target_order = item, _ITEM_ORDER.get(part, ())
                continue
            if not isinstance(child, CommentedMap):
                child = CommentedMap()
                _insert_key(target, part, child, target_order)
            target, target_order = child, ()
        name = path[-1]
        if not isinstance(name, str):
            raise UsageError("front-matter: a change sets a key, not a list item")
        converted = _to_yaml(value, name)
        current = target.get(name)
        if (
            isinstance(current, CommentedSeq)
            and isinstance(converted, list)
            and len(converted) > len(current)
            and list(current) == list(converted[: len(current)])
        ):
            # Items added to a list (`status --service`): appended where the list is, so its
            # style and the comments on its items stay.
            current.extend(converted[len(current) :])
        elif name in target:
            target[name] = converted
        else:
            _insert_key(target, name, converted, target_order)
    for key, position, item in change.inserts:
        sequence = data.get(key)
        if not isinstance(sequence, CommentedSeq) or not 0 <= position <= len(sequence):
            raise UsageError(f"front-matter: cannot insert into {key} at {position}")
        sequence.insert(position, _to_yaml(item))
    for key in change.removes:
        if key in data:
            del data[key]
    for key, item in change.appends:
        sequence = data.get(key)
        if not isinstance(sequence, CommentedSeq):
            sequence = CommentedSeq()
            _insert_key(data, key, sequence, order)
        if not sequence and sequence.fa.flow_style():
            sequence.fa.set_block_style()
        sequence.append(_to_yaml(item))


def _merge(original: list[str], normalised: list[str], edited: list[str]) -> list[str]:
    """Lines of `edited`, spelled as in the original wherever the edit left a stretch alone.

    `normalised` is what the YAML writer makes of the unchanged original. Where it differs from
    the original only in form (indentation, `~` for null...), the original lines are kept, provided
    the result still means exactly what `edited` means.
    """
    if normalised == original:
        return edited
    group_of = [0] * len(normalised)
    chunks: dict[int, list[str]] = {}
    members: dict[int, list[int]] = {}
    dropped: list[str] = []
    group = 0
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(
        a=original, b=normalised, autojunk=False
    ).get_opcodes():
        if tag == "delete":
            dropped += original[i1:i2]
            continue
        spans = [(j, [original[i1 + j - j1]]) for j in range(j1, j2)] if tag == "equal" else []
        if tag != "equal":
            spans = [(j1, original[i1:i2])]
        for first, chunk in spans:
            group += 1
            last = first + 1 if tag == "equal" else j2
            for index in range(first, last):
                group_of[index] = group
            members[group] = list(range(first, last))
            chunks[group] = dropped + chunk
            dropped = []
    if dropped and group:
        chunks[group] = chunks[group] + dropped
    result: list[str] = []
    # How the original lines just kept are indented against the writer's: new lines that follow
    # them in the same block (an item added to a list indented its own way) are indented so too,
    # also below a comment the writer puts between them (one closing the front-matter).
    shift: tuple[int, int, bool] | None = None
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(
        a=normalised, b=edited, autojunk=False
    ).get_opcodes():
        if tag != "equal":
            result.extend(_shifted(edited[j1:j2], shift))
            shift = None
            continue
        index = i1
        while index < i2:
            span = members.get(group_of[index], [])
            if span and span[0] == index and span[-1] < i2:
                chunk = chunks[group_of[index]]
                result.extend(chunk)
                if not all(_is_comment_or_blank(line) for line in chunk):
                    shift = _indent_shift(chunk, [normalised[i] for i in span])
                index = span[-1] + 1
            else:
                result.append(normalised[index])
                if not _is_comment_or_blank(normalised[index]):
                    shift = None
                index += 1
    return result if _same_data(result, edited) else edited


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


_COMMENT_GAP = re.compile(r"[ \t]+#")
"""The spaces before a comment, which the writer narrows when it indents a line further (it
keeps the comment's column): no difference in what the line says."""


def _indent_shift(original: list[str], normalised: list[str]) -> tuple[int, int, bool] | None:
    """(how many spaces more the original indents each line, the least indentation of the
    writer's lines, whether those least indented are all items of a list) when the original
    lines are the writer's, each moved by the same number of spaces; None otherwise."""
    if len(original) != len(normalised):
        return None
    pairs = list(zip(original, normalised, strict=True))
    shifts = {_indent(mine) - _indent(theirs) for mine, theirs in pairs if mine.strip()}
    if len(shifts) != 1 or any(
        _COMMENT_GAP.sub(" #", mine.lstrip(" ")) != _COMMENT_GAP.sub(" #", theirs.lstrip(" "))
        for mine, theirs in pairs
    ):
        return None
    delta = shifts.pop()
    written = [line for line in normalised if line.strip()]
    least = min((_indent(line) for line in written), default=0)
    # The writer's list at the margin (`- at: …` under its key): its block is its items, and a
    # key at the margin is the next one of the front-matter.
    items = all(_is_item(line) for line in written if _indent(line) == least)
    return (delta, least, items) if delta and (least or items) else None


def _is_comment_or_blank(line: str) -> bool:
    return not line.strip() or line.lstrip(" ").startswith("#")


def _is_item(line: str) -> bool:
    stripped = line.lstrip(" ")
    return stripped == "-" or stripped.startswith("- ")


def _shifted(lines: list[str], shift: tuple[int, int, bool] | None) -> list[str]:
    """New lines moved as `shift` says, up to the first that leaves the block (a key of a
    mapping further out, or beside the list's items)."""
    if shift is None:
        return lines
    delta, least, items = shift
    moved: list[str] = []
    for index, line in enumerate(lines):
        if line.strip() and (
            _indent(line) < least or (items and _indent(line) == least and not _is_item(line))
        ):
            return moved + lines[index:]
        moved.append(
            " " * max(_indent(line) + delta, 0) + line.lstrip(" ") if line.strip() else line
        )
    return moved


def _same_data(first: list[str], second: list[str]) -> bool:
    try:
        return bool(
            yaml_safe_load("\n".join(first) + "\n") == yaml_safe_load("\n".join(second) + "\n")
        )
    except (PyYAMLError, RecursionError):  # any doubt: use the normalised spelling
        return False


def _remove_simple_keys(lines: list[str], keys: Sequence[str]) -> tuple[list[str], tuple[str, ...]]:
    """Top-level keys written on one line, removed as lines (so the comments around them stay
    where they are); the keys left for the YAML writer."""
    left: list[str] = []
    kept = list(lines)
    for key in keys:
        pattern = re.compile(rf"^{re.escape(key)}\s*:\s*[^\s#|>&*!]")
        found = [i for i, line in enumerate(kept) if pattern.match(line)]
        following = kept[found[0] + 1] if found and found[0] + 1 < len(kept) else ""
        if len(found) == 1 and not following.startswith((" ", "\t", "-")):
            del kept[found[0]]
        else:
            left.append(key)
    return kept, tuple(left)


def edit_front_matter(source_lines: list[str], change: Change, kind: str, where: str) -> list[str]:
    """The front-matter lines with the change applied and everything else kept."""
    if change.removes:
        source_lines, left = _remove_simple_keys(source_lines, change.removes)
        change = replace(change, removes=left)
    # Blank lines that end the front-matter stay last, as written: the writer would put them
    # between the last item of a list and one added to it.
    end = len(source_lines)
    while end and not source_lines[end - 1].strip():
        end -= 1
    if end < len(source_lines):
        closing = source_lines[end:]
        return [*edit_front_matter(source_lines[:end], change, kind, where), *closing]
    parts = _by_indentation(source_lines, change)
    if len(parts) > 1:
        # Blocks indented differently: each edited in its own indentation, one after another.
        with contextlib.suppress(UsageError):  # a comment dropped: named as the lines are read
            edited = source_lines
            for _indentation, part in parts:
                edited = edit_front_matter(edited, part, kind, where)
            return edited
    written = source_lines
    first_lost: int | None = None
    # In the indentation of the blocks the change is in; where that would drop a comment, in
    # that of the first blocks.
    for style in dict.fromkeys([parts[0][0], _guess_indent(written)]):
        yaml = _yaml(style)
        try:
            data, source_lines = _load_for_edit(yaml, written)
        except (MarkedYAMLError, YAMLError) as error:
            mark = getattr(error, "problem_mark", None)
            line = f":{mark.line + 2}" if mark is not None else ""
            problem = getattr(error, "problem", None) or str(error).splitlines()[0]
            column = f" (column {mark.column + 1})" if mark is not None else ""
            raise UsageError(
                f"{where}{line}: cannot edit the front-matter: {problem}{column}"
            ) from None
        if not isinstance(data, CommentedMap):
            raise UsageError(f"{where}:2: front-matter must be a mapping of keys to values")
        normalised = _dump(yaml, data)
        try:
            _apply_to_mapping(data, change, _KEY_ORDER.get(kind, ()))
        except UsageError as error:
            raise UsageError(f"{where}: {error}") from None
        edited = _comments_stay_above(
            source_lines, _merge(source_lines, normalised, _dump(yaml, data))
        )
        lost = _lost_comment(source_lines, edited)
        if lost is not None:
            first_lost = lost + 2 if first_lost is None else first_lost
            continue
        return _tabs_kept(written, source_lines, edited) if written != source_lines else edited
    raise UsageError(
        f"{where}:{first_lost}: this change would drop the comment on this line: move the "
        "comment (or write that part in block style), then try again"
    )


def _tabs_kept(written: list[str], read: list[str], edited: list[str]) -> list[str]:
    """The edited lines with each line the edit left as it was read spelled again as written:
    the tabs _load_for_edit made spaces for the editing reader are spacing, kept as the
    author typed them. A line read the same from two spellings keeps the one it was read as."""
    spelled: dict[str, str | None] = {}
    for before, after in zip(written, read, strict=True):
        if before != after:
            spelled[after] = None if spelled.get(after, before) != before else before
    return [spelled.get(line) or line for line in edited]


def _comments_stay_above(original: list[str], edited: list[str]) -> list[str]:
    """The edited lines, with what the edit inserts right under comment lines that sit above a
    line of the original moved above those comments: a comment belongs to the line under it
    ("# <!-- incident-docs disable-next-line BL003 -->" above a key, "# second handoff" above
    an item), and the YAML writer puts a new key or item between them."""
    result: list[str] = []
    # Lines that are a comment and nothing else ("#4521" inside a quoted value is no comment).
    alone = {
        index
        for index, comment in yaml_comments(original)
        if original[index].lstrip(" ") == comment
    }
    matcher = difflib.SequenceMatcher(a=original, b=edited, autojunk=False)
    for tag, i1, _i2, j1, j2 in matcher.get_opcodes():
        inserted = edited[j1:j2]
        if tag == "insert" and i1 < len(original):
            under = original[i1]
            indent = len(under) - len(under.lstrip(" "))
            first = i1
            # The blank lines that set the line under apart go with it too: an item added to
            # the list above them stays in the list, not below the gap.
            while first and (
                not original[first - 1].strip()
                or (first - 1 in alone and _indent(original[first - 1]) == indent)
            ):
                first -= 1
            above = i1 - first
            if above and under.strip() and result[len(result) - above :] == original[first:i1]:
                result[len(result) - above : len(result) - above] = inserted
                continue
        if tag == "insert" and i1 == len(original) and inserted and _closes_after(inserted[0]):
            # Added at the end, to the block the front-matter ends with: above the comments
            # that close the front-matter from further out, which belong to no item of it.
            first = i1
            while first and (
                not original[first - 1].strip()
                or (first - 1 in alone and _closing(original[first - 1], inserted[0]))
            ):
                first -= 1
            below = i1 - first
            if below and result[len(result) - below :] == original[first:i1]:
                result[len(result) - below : len(result) - below] = inserted
                continue
        result.extend(inserted if tag != "delete" else [])
    # A blank line moved is no comment: inside a block scalar kept to its last line (`|+`), it
    # is part of the value, and then the lines stay where the writer put them.
    return result if result == edited or _same_data(result, edited) else edited


def _closes_after(line: str) -> bool:
    """Whether `line`, added at the very end, is one that comments closing the front-matter
    stay below: a line of a nested block, or an item of a list at the margin."""
    return bool(_indent(line)) or _is_item(line)


def _closing(comment: str, added: str) -> bool:
    """Whether a comment at the end of the front-matter closes it, rather than belongs to the
    block that `added` goes to: it is further out than that block, or, for a list at the margin
    (`- at: …`), at the margin too and not an item put aside (`# - status: resolved`)."""
    if _indent(comment) < _indent(added):
        return True
    return (
        _indent(added) == 0
        and _indent(comment) == 0
        and not comment.lstrip("#").lstrip(" ").startswith("-")
    )


def _load_for_edit(yaml: YAML, source_lines: list[str]) -> tuple[Any, list[str]]:
    """The front-matter loaded for a round-trip edit, and the lines it was loaded from.

    A tab between a key's colon (or a list's dash) and its value, or before a comment, is YAML
    that lint's reader takes and the editing one does not ("cannot start any token"): each such
    tab becomes a space, where the editing reader stops on it and nowhere else, and the line is
    written so. A tab inside a value is left to the error: a space would change the value.
    """
    lines = list(source_lines)
    for _attempt in range(len(lines) + 1):
        try:
            return yaml.load("\n".join(lines) + "\n"), lines
        except (MarkedYAMLError, YAMLError) as error:
            mark = getattr(error, "problem_mark", None)
            if mark is None or "'\\t'" not in str(getattr(error, "problem", "")):
                raise
            row, column = mark.line, mark.column
            line = lines[row] if 0 <= row < len(lines) else ""
            before, after = line[:column].rstrip(" \t"), line[column:].lstrip(" \t")
            # Between a key's colon (or a dash) and its value, or before a comment: spacing,
            # no part of any value.
            if line[column : column + 1] != "\t" or not (
                before.endswith((":", "-")) or after.startswith("#")
            ):
                raise
            lines[row] = before + " " + after
    raise YAMLError("front-matter: too many tabs to read")  # pragma: no cover - bounded above


def _lost_comment(original: list[str], edited: list[str]) -> int | None:
    """The index of an original line whose comment the edited lines no longer hold, if any."""
    text = "\n".join(edited)
    for index, comment in yaml_comments(original):
        if comment.strip() not in text:
            return index
    return None


def _dump(yaml: YAML, data: Any) -> list[str]:
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue().rstrip("\n").split("\n") if out.getvalue().strip() else []


def dump_front_matter(data: dict[str, Any]) -> str:
    """YAML for a new record's front-matter, in the style of the example archive."""
    yaml = _yaml(_guess_indent(()))
    return "\n".join(_dump(yaml, _to_yaml(data))) + "\n"


def record_text(front: dict[str, Any], body: str) -> str:
    return f"---\n{dump_front_matter(front)}---\n\n{body}"


# --- the body -----------------------------------------------------------------------------------


def _insert_entry(lines: Lines, doc: Document, entry: TimelineEntry, config: Config) -> None:
    rendered = render_entry(entry)
    titles = timeline_titles(config)
    section = find_section(doc, titles)
    if section is None:
        tail = len(lines.lines)
        while tail > doc.front_matter_end and not lines.lines[tail - 1].strip():
            tail -= 1
        heading = config.section_heading("incident", "Timeline")
        lines.insert(tail, ["", f"## {heading}", "", rendered])
        return
    entries, _problems = parse_timeline(doc, titles)
    before = [e for e in entries if e.time <= entry.time]
    if before:
        anchor = before[-1].line  # 1-based line of the entry to insert after
        rendered = _as_its_neighbour(rendered, doc.lines[anchor - 1])
        lines.insert(_end_of_item(doc, anchor, section.end_line), [rendered])
        return
    if entries:
        rendered = _as_its_neighbour(rendered, doc.lines[entries[0].line - 1])
        # Above the suppression comments of the first entry: they belong to it.
        first = entries[0].line
        while first > 1 and _SUPPRESSION_LINE.match(doc.lines[first - 2]) is not None:
            first -= 1
        lines.insert(first - 1, [rendered])
        return
    last = section.heading.line
    for number in range(section.start_line, section.end_line + 1):
        if doc.lines[number - 1].strip():
            last = number
    new = ["", rendered]
    if last == section.end_line and section.end_line < len(doc.lines):
        new.append("")
    lines.insert(last, new)


def _entry_outside_timeline(doc: Document, titles: Sequence[str]) -> int | None:
    """The line of the first list item that reads as a timeline entry under a heading that reads
    as a mistyped `## Timeline` (or one of its other `titles`), or under no section heading, in a
    record with no timeline section; None when there is none, or a timeline section. Entries of
    another section (a chat transcript) are that section's."""
    if find_section(doc, titles) is not None:
        return None
    meant = [normalise(title) for title in titles]
    sections = [s for s in doc.sections() if s.heading.level == 2]
    for number in range(doc.front_matter_end + 1, len(doc.lines) + 1):
        line = doc.lines[number - 1]
        if number in doc.code_lines or not is_item(line):
            continue
        if parse_entry(line, number)[0] is None:
            continue
        under = [s for s in sections if s.heading.line < number <= s.end_line]
        if not under:
            return number
        title = normalise(under[-1].heading.title)
        if difflib.get_close_matches(title, meant, n=1, cutoff=0.75):
            return number
    return None


def _as_its_neighbour(rendered: str, neighbour: str) -> str:
    """The new entry with the bullet of the entry beside it (`* ` or `+ `): in Markdown a list
    that changes its bullet ends there, and a new one starts, set apart from it."""
    bullet = re.match(r"[-*+][ \t]+", neighbour)
    return rendered if bullet is None else bullet.group() + rendered[2:]


def _block_end(doc: Document, number: int) -> int:
    """The last line of the Markdown block that line `number` is in."""
    index = bisect.bisect_right([block.line for block in doc.blocks], number) - 1
    return max(number, doc.blocks[index].end_line) if index >= 0 else number


def _end_of_item(doc: Document, first: int, last: int) -> int:
    """The last line of the list item that starts on line `first`: its indented lines, and the
    blank lines between them (a code block or a nested list after a blank line is still the
    item's), so that an entry added after it never splits it. Its text wrapped onto lines that
    are not indented is the item's too, as Markdown reads it."""
    end = first + len(wrapped_lines(doc, first, last))
    for number in range(end + 1, last + 1):
        line = doc.lines[number - 1]
        if not line.strip():
            continue
        if not line.startswith((" ", "\t")):
            break
        end = number
    return end


def _fill_summary(
    lines: Lines,
    doc: Document,
    summary: str,
    previous: str | None,
    config: Config,
) -> bool:
    """Put the summary into `## Summary` when that holds only its placeholder, or the previous
    summary the tool wrote there (a reopened incident resolved again); False if it has the
    author's own text. The section's HTML comments (a note to the writer, a suppression) stay,
    and the summary is written as a paragraph, whatever it starts with."""
    paragraph = as_paragraph(summary)
    section = _summary_section(doc, summary_titles(config))
    if section is None:
        timeline = find_section(doc, timeline_titles(config))
        index = timeline.heading.line - 1 if timeline else len(lines.lines)
        heading = config.section_heading("incident", SUMMARY_SECTION)
        lines.insert(index, [f"## {heading}", "", paragraph, ""])
        return True
    text = without_comments(doc.section_text(section))
    ours = previous is not None and " ".join(text.split()) in {
        " ".join(previous.split()),
        " ".join(as_paragraph(previous).split()),
    }
    start, stop = section.start_line - 1, section.end_line
    if not is_empty(text) and not ours:
        # The author's text stays; the template's placeholder left above it goes, or lint
        # reports it once the incident is resolved (SC005).
        written = doc.lines[start:stop]
        kept = _without_placeholder(doc, section)
        if kept != written:
            lines.replace(start, stop, kept)
        return False
    comments = _comment_lines(doc.lines[start:stop])
    trailing_blank = stop < len(doc.lines)
    kept = ["", *comments] if comments else []
    lines.replace(start, stop, [*kept, "", paragraph, *([""] if trailing_blank else [])])
    return True


def _without_placeholder(doc: Document, section: Section) -> list[str]:
    """A summary section's lines without the template's placeholder line where lint reports it
    (SC005): a line of prose, not one of a code block or an HTML comment, nor one a suppression
    keeps from SC005. The blank line it leaves doubled goes with it; one that sets the text above
    it apart from what follows stays."""
    first, last = section.start_line, section.end_line
    prose = {
        number
        for block in doc.blocks
        if block.kind in ("paragraph", "list_item") and block.line <= last
        for number in range(max(block.line, first), min(block.end_line, last) + 1)
    }
    if "incident-docs" in doc.section_text(section):
        prose -= {
            number
            for kept_from in suppression.parse(doc)[0]
            if any(PLACEHOLDER_CODE.startswith(code) for code in kept_from.codes)
            for number in range(max(kept_from.first, first), min(kept_from.last, last) + 1)
        }
    kept: list[str] = []
    dropped = False
    for number in range(first, last + 1):
        line = doc.lines[number - 1]
        if number in prose and line.strip() == INCIDENT_SUMMARY_PLACEHOLDER:
            dropped = not kept or not kept[-1].strip()
            continue
        if dropped and not line.strip():
            dropped = False
            continue
        dropped = False
        kept.append(line)
    if last == len(doc.lines) and doc.lines[last - 1].strip():
        while len(kept) > 1 and not kept[-1].strip():
            kept.pop()  # the placeholder ended the file: no blank line left after the text
    return kept


PLACEHOLDER_CODE = "SC005"
"""The rule that reports a placeholder left in a written section."""


SUMMARY_SECTION = "Summary"
_SUPPRESSION_LINE = re.compile(r"^\s*<!--\s*incident-docs[:\s]\s*disable-next-line\b.*-->\s*$")
"""A next-line suppression comment alone on its line."""
_DIRECTIVE_LINE = re.compile(
    r"^\s*<!--\s*incident-docs[:\s]\s*(?:disable-next-line|disable|enable)\b.*-->\s*$"
)
"""A suppression comment alone on its line, of any kind."""


def summary_missing(doc: Document, config: Config) -> bool:
    """The configuration asks incidents for a summary and the record has none yet: no summary
    section (by its name or an alias), or one that holds only its placeholder, as lint reads it."""
    wanted = {normalise(name) for name in summary_titles(config)}
    if all(normalise(name) not in wanted for name in config.incident_sections):
        return False
    section = _summary_section(doc, summary_titles(config))
    return section is None or is_empty(doc.section_text(section))


def _summary_section(doc: Document, titles: Sequence[str]) -> Section | None:
    """The record's first section under one of the summary's headings (see summary_titles)."""
    found = titled(doc.sections(), titles, lambda section: section.heading.title)
    return found[0] if found else None


def _comment_lines(section: list[str]) -> list[str]:
    """The lines of a section's HTML comments, as written (over several lines too)."""
    kept: list[str] = []
    inside = False
    for line in section:
        if not inside and not line.lstrip().startswith("<!--"):
            continue
        kept.append(line)
        opened_at = 0 if inside else line.find("<!--") + len("<!--")
        inside = "-->" not in line[opened_at:]
    return kept


_BLOCK_START = re.compile(r"^(?:[#>*+<`~-]|\d{1,9}(?=[.)](?:\s|$)))")
"""What would make a line a block of its own (a heading, a quote, a list, a table, HTML, a
fence, a rule) rather than a paragraph."""


def as_paragraph(text: str) -> str:
    """One line of text that Markdown reads as a paragraph of it: the character that would start
    a heading, a list, a quote, a fence or HTML is escaped ("\\# Root cause…", "1\\. …")."""
    text = text.strip()
    start = _BLOCK_START.match(text)
    if start is None:
        return text
    at = start.end() if text[0].isdigit() else 0  # after a list's number, else before all
    return text[:at] + "\\" + text[at:]


@dataclass
class EditResult:
    change: Change
    before: IncidentFile
    after: IncidentFile
    notes: list[str] = field(default_factory=list)


def summary_titles(config: Config) -> tuple[str, ...]:
    """The titles of the headings the summary goes under, matched as lint matches sections
    (templates.titled): its name and its aliases (Config.section_names)."""
    return config.section_names(SUMMARY_SECTION)


def apply_change(
    raw: bytes,
    before: IncidentFile,
    change: Change,
    config: Config,
) -> bytes:
    """The file's new bytes: front-matter keys set and appended, entries and summary inserted
    (under the headings the configuration reads them under: see Config.section_names)."""
    lines = Lines.parse(raw.decode("utf-8"))
    doc = before.doc
    stray = _entry_outside_timeline(doc, timeline_titles(config)) if change.entries else None
    if stray is not None:
        # A heading renamed or mistyped ("## Timline"): a section added at the end for the entry
        # would split the timeline, and the entries above would leave it without a word from lint.
        heading = config.section_heading("incident", "Timeline")
        raise UsageError(
            f"{before.display}:{stray}: a timeline entry, but the record has no '## {heading}' "
            f"heading above it: name its heading '## {heading}', then run the command again "
            "(nothing was written)"
        )
    if change.sets or change.appends or change.inserts or change.removes:
        end = doc.front_matter_end
        edited = edit_front_matter(lines.lines[1 : end - 1], change, "incident", before.display)
        lines.replace(1, end - 1, edited)
    for entry in change.entries:
        doc = parse_text(lines.text(), before.display)
        _insert_entry(lines, doc, entry, config)
    if change.summary is not None:
        doc = parse_text(lines.text(), before.display)
        _fill_summary(lines, doc, change.summary, before.incident.summary, config)
    return lines.text().encode("utf-8")


def record_target(root: Path, path: Path, display: str) -> Path:
    """The file to read and write for `path`: a symbolic link is followed, but never out of `root`.

    Writing to the link's target keeps the link; replacing the link itself would turn it into a
    regular file. The same rule as lint's IO005.
    """
    real = Path(os.path.realpath(path))  # unlike resolve(), no RuntimeError on a link loop
    if not real.is_relative_to(os.path.realpath(root)):
        # The record's own link, or a folder's on the way, however the path is written.
        raise UsageError(f"{display}: symbolic link leads outside the repository")
    return real if path.is_symlink() else path


def edit_incident(
    root: Path,
    path: Path,
    display: str,
    config: Config,
    make: Callable[[IncidentFile], Change],
) -> EditResult:
    """Under the lock: read the record fresh, decide the change from it, write the result atomically."""
    with locked(root):
        target, raw = _read_target(root, path, display)
        before = parse_incident(raw, display, path, config)
        change = make(before)
        new = apply_change(raw, before, change, config)
        try:
            after = parse_incident(new, display, path, config)
        except UsageError as error:
            raise UsageError(f"{display}: the change was not saved: {error}") from None
        notes: list[str] = []
        if change.summary is not None and not _summary_written(after, change.summary):
            heading = config.section_heading("incident", SUMMARY_SECTION)
            if _placeholders(before.doc) > _placeholders(after.doc):
                notes.append(
                    f"the ## {heading} section already had text: kept it, without the "
                    "template's placeholder line"
                )
            else:
                notes.append(f"the ## {heading} section already had text: left it as it was")
        write_atomic(target, new)
    return EditResult(change, before, after, notes)


def _read_target(
    root: Path, path: Path, display: str, *, writing: bool = True
) -> tuple[Path, bytes]:
    """The record's file (checked to be inside the archive, and, when `writing`, not made
    read-only, in a folder that can be written) and its bytes."""
    target = record_target(root, path, display)
    try:
        with open_regular(target) as handle:
            if writing and not os.fstat(handle.fileno()).st_mode & 0o222:
                # Made read-only on purpose: a write would replace it all the same (the folder
                # is writable), so the mode is read as the owner's "leave it".
                raise UsageError(f"{display}: the file is read-only: make it writable to change it")
            if writing and not os.access(target.parent, os.W_OK | os.X_OK):
                # The write makes a temporary file beside the record, then moves it in place.
                raise UsageError(
                    f"{display}: its folder cannot be written, and a change is saved through a "
                    "new file beside it: make the folder writable to change it"
                )
            return target, handle.read()
    except OSError as error:
        raise UsageError(f"{display}: cannot read: {error.strerror or error}") from None


def check_writable(root: Path, path: Path, display: str) -> None:
    """Refuse a record that a change could not be written to (made read-only, or a link out of
    the repository), before acting on anything that cannot be undone, such as a post to a chat."""
    _read_target(root, path, display)


def _placeholders(doc: Document) -> int:
    return sum(line.strip() == INCIDENT_SUMMARY_PLACEHOLDER for line in doc.lines)


def _summary_written(after: IncidentFile, summary: str) -> bool:
    written = as_paragraph(summary)
    return any(line.strip() == written for line in after.doc.lines)


def edit_postmortem(
    root: Path,
    path: Path,
    display: str,
    config: Config,
    make: Callable[[PostmortemFile], Change],
    *,
    dry_run: bool = False,
    writable: bool = False,
) -> PostmortemFile | None:
    """Under the lock: read the postmortem fresh, decide a front-matter change from it, write it
    atomically. Returns the record as written, or None when the change was empty.

    With `dry_run`, everything but the write: whether the change can be made, before acting on
    anything that depends on it. A dry run reads a read-only record; with `writable` it refuses
    one, as the write would. It takes no lock: it writes nothing, and taking one would make the
    lock's file in a checkout that has none, or fail in one that cannot be written.
    """
    with contextlib.nullcontext() if dry_run else locked(root):
        target, raw = _read_target(root, path, display, writing=writable or not dry_run)
        doc, record = _validated(raw, display, config, "postmortem")
        if not isinstance(record, Postmortem):
            raise UsageError(f"{display}: not a postmortem{FIX_FIRST}")
        change = make(PostmortemFile(path, display, doc, record))
        if not change.sets:
            return None
        lines = Lines.parse(raw.decode("utf-8"))
        end = doc.front_matter_end
        edited = edit_front_matter(lines.lines[1 : end - 1], change, "postmortem", display)
        lines.replace(1, end - 1, edited)
        new = lines.text().encode("utf-8")
        try:
            after_doc, after = _validated(new, display, config, "postmortem")
        except UsageError as error:
            raise UsageError(f"{display}: the change was not saved: {error}") from None
        if not dry_run:
            write_atomic(target, new)
    return PostmortemFile(path, display, after_doc, after)


def create_record(
    root: Path,
    folder: Path,
    make: Callable[[set[str]], tuple[str, str]],
) -> Path:
    """Create a new record under the lock; `make(taken_ids)` returns (id, text), where the IDs
    taken are the names of the records in `folder` and in the folders under it (filed by year,
    say), and the IDs their front-matter gives (a record renamed by hand keeps its ID). Never
    overwrites."""
    shown = relative_display(folder, root)
    if not Path(os.path.realpath(folder)).is_relative_to(os.path.realpath(root)):
        raise UsageError(f"{shown}: symbolic link leads outside the repository")
    if folder.is_symlink() and not folder.exists():
        # A link to nothing: mkdir would say "File exists", with the full path.
        raise UsageError(f"{shown}: the records folder is a symbolic link to nothing")
    if folder.exists() and not folder.is_dir():
        # A file where the records' folder should be: "File exists", with the full path, would
        # not say which is wrong.
        raise UsageError(f"{shown}: the records folder is not a folder")
    with locked(root):
        folder.mkdir(parents=True, exist_ok=True)
        files = [
            os.path.join(parent, name)
            for parent, _folders, names in os.walk(folder)
            for name in names
            if name.endswith(".md")
        ]
        taken = {os.path.basename(name).removesuffix(".md") for name in files}
        taken.update(found for name in files if (found := written_id(name)) is not None)
        record_id, text = make(taken)
        path = folder / f"{record_id}.md"
        write_atomic(path, text.encode("utf-8"), exclusive=True)
    return path
