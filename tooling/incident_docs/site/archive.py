"""The archive as the site sees it: every valid record read once, cross-linked, with page URLs."""

from __future__ import annotations

import fnmatch
import posixpath
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache, cached_property
from pathlib import Path
from urllib.parse import quote

import yaml

from incident_docs.config import Config
from incident_docs.diagnostics import Finding
from incident_docs.document import (
    Document,
    escapes,
    load_plain_yaml,
    parse_text,
    read_document,
    too_deep_to_render,
)
from incident_docs.metrics import severity_spellings
from incident_docs.models import (
    Incident,
    Postmortem,
    Record,
    RecordKind,
    Roster,
    TimelineEntry,
    record_start,
)
from incident_docs.records import (
    hidden_part,
    hidden_record_message,
    is_record_file,
    record_file_names,
    record_kind,
    validate_record,
)
from incident_docs.terminal import printable
from incident_docs.timeline import parse_timeline, timeline_titles

_UNSAFE = re.compile(r"[^a-z0-9._-]+")


def slug(value: str) -> str:
    """A file-name-safe form of an untrusted label: never a path, never empty."""
    text = _UNSAFE.sub("-", value.casefold()).strip("-.")
    return text or "unnamed"


@cache
def page_url(src_uri: str, use_directory_urls: bool = True) -> str:
    """The URL MkDocs gives a Markdown source path (same rules as mkdocs.structure.files),
    percent-encoded as MkDocs does: a record's file name may hold a '#', '?' or '%'."""
    stem, _ext = posixpath.splitext(src_uri)
    folder, name = posixpath.split(stem)
    if name in ("index", "README"):
        return quote(f"{folder}/") if folder else "./"
    if use_directory_urls:
        return quote(f"{stem}/")
    return quote(f"{stem}.html")


@cache
def relative_url(from_src: str, to_src: str, use_directory_urls: bool = True) -> str:
    """A link from one page to another, relative, so the site works under any base path."""
    here = page_url(from_src, use_directory_urls)
    there = page_url(to_src, use_directory_urls)
    # Page URLs are clean (no '.', '..' or '//'), so plain segment arithmetic is exact.
    base = [] if here == "./" else here.split("/")[:-1]
    target = [] if there == "./" else there.split("/")
    common = 0
    while common < min(len(base), len(target) - 1) and base[common] == target[common]:
        common += 1
    rel = "../" * (len(base) - common) + "/".join(target[common:])
    return rel or "./"


def unrenderable_record(record: SiteRecord, root: Path, max_bytes: int) -> str | None:
    """Where the record holds markup too deep to render, as 'LINE: what, and what to do', the
    line counted in the file: the site reads the body alone, so the file is read again,
    carefully, only when something is found."""
    found = too_deep_to_render(record.doc)
    if found is None:
        return None
    whole = read_document(root / record.src_uri, record.src_uri, root=root, max_bytes=max_bytes)
    line, message = too_deep_to_render(whole) or found
    return f"{line}: {message}"


@dataclass(frozen=True)
class SiteRecord:
    """One valid record and its page."""

    doc: Document
    kind: RecordKind
    record: Record
    src_uri: str
    timeline_titles: tuple[str, ...]
    """The headings its timeline is read under (timeline.timeline_titles)."""

    @property
    def id(self) -> str:
        return self.record.id

    @property
    def title(self) -> str:
        return self.record.title

    @property
    def severity(self) -> str:
        return self.record.severity

    @property
    def status(self) -> str:
        return self.record.status.value

    @property
    def when(self) -> datetime | None:
        r = self.record
        moment = record_start(r)
        if moment is None and isinstance(r, Postmortem):
            moment = r.approved_at
        return moment

    @cached_property
    def timeline(self) -> list[TimelineEntry]:
        return parse_timeline(self.doc, self.timeline_titles)[0]


def _sort_key(record: SiteRecord) -> tuple[float, str]:
    moment = record.when
    return (-(moment.timestamp() if moment else 0.0), record.id)


@dataclass
class SiteArchive:
    """Every valid record of the archive, newest first, and the links between them."""

    root: Path
    config: Config
    roster: Roster
    records: list[SiteRecord] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)
    """Repo-relative paths of files published beside the records (images, logs, PDFs)."""
    intros: list[str] = field(default_factory=list)
    """README.md / index.md files in the record folders."""
    left_out: list[str] = field(default_factory=list)
    """Why each record file that cannot be read or does not validate is not published, or a
    records folder or introduction that leads out of the repository: "path:line: CODE message".
    None of what lint is set to ignore for that file (see lint_ignores)."""

    def __post_init__(self) -> None:
        self.records.sort(key=_sort_key)
        self.by_id: dict[str, SiteRecord] = {r.id: r for r in self.records}
        self.by_src: dict[str, SiteRecord] = {r.src_uri: r for r in self.records}
        self._postmortems_of: dict[str, list[SiteRecord]] = {}
        for record in self.records:
            if isinstance(record.record, Postmortem):
                for incident_id in record.record.incidents:
                    self._postmortems_of.setdefault(incident_id, []).append(record)

    @property
    def incidents(self) -> list[SiteRecord]:
        return [r for r in self.records if r.kind == "incident"]

    @property
    def postmortems(self) -> list[SiteRecord]:
        return [r for r in self.records if r.kind == "postmortem"]

    def postmortems_of(self, incident: SiteRecord) -> list[SiteRecord]:
        """Postmortems that cover the incident, whichever side names the link."""
        found = list(self._postmortems_of.get(incident.id, []))
        record = incident.record
        if isinstance(record, Incident) and record.postmortem:
            linked = self.by_id.get(record.postmortem)
            if linked is not None and linked not in found:
                found.insert(0, linked)
        return found

    def incidents_of(self, postmortem: SiteRecord) -> list[tuple[str, SiteRecord | None]]:
        record = postmortem.record
        if not isinstance(record, Postmortem):
            return []
        return [(incident_id, self.by_id.get(incident_id)) for incident_id in record.incidents]

    def display_name(self, handle: str) -> str | None:
        person = self.roster.by_handle(handle)
        return person.name if person else None

    def unconfigured_severities(self) -> list[str]:
        """The severities records name that the configuration does not, each once under the
        name the metrics count it by, in sorted order."""
        configured = self.config.severity_names()
        spelling = severity_spellings((r.severity for r in self.records), configured)
        return sorted(set(spelling.values()) - set(configured))


RecordCache = dict[str, tuple[tuple[int, int], "SiteRecord | str | None"]]
"""A record's path -> (its modification time and size, what was read from it)."""


def load_site_archive(
    root: Path, config: Config, roster: Roster, cache: RecordCache | None = None
) -> SiteArchive:
    """Read every record once; invalid ones are left out (lint explains them).

    With a cache (kept across the rebuilds of `mkdocs serve`), a file whose modification time
    and size are unchanged is not read again.
    """
    records: list[SiteRecord] = []
    attachments: list[str] = []
    intros: list[str] = []
    left_out: list[str] = []
    allowed = {ext.lower() for ext in config.attachments}
    linked: list[str] = []

    def leave_out(display: str, why: str) -> None:
        if not lint_ignores(config, display, why):
            left_out.append(why)

    def leads_out(display: str) -> None:
        shown = printable(display, lines=False)
        leave_out(display, f"{shown}:1: IO005 symbolic link leads outside the repository")

    hidden: list[tuple[str, str]] = []
    for path, display in _record_folder_files(root, config, linked, hidden):
        if path.suffix == ".md" and not is_record_file(path):
            if escapes(path, root) is not None:
                leads_out(display)
            else:
                intros.append(display)
            continue
        if not is_record_file(path):
            if path.suffix.lstrip(".").lower() in allowed and not path.is_symlink():
                attachments.append(display)
            continue
        key = _stat_key(path)
        cached = cache.get(display) if cache is not None and key is not None else None
        if cached is not None and cached[0] == key:
            found = cached[1]
        else:
            found = _site_record(path, display, root, config)
            if cache is not None and key is not None:
                cache[display] = (key, found)
        if isinstance(found, SiteRecord):
            records.append(found)
        elif found is not None:
            leave_out(display, found)
    for display in linked:
        # A records folder, or a folder in one, that the walk did not enter: said so when it
        # leads out of the repository, as lint says it (IO005), lint or not.
        if escapes(root / display, root) is not None:
            leads_out(display)
    for display, part in hidden:
        # A record under a hidden name is never published (a ".secrets/" beside the records
        # must not be): said so, as lint says it (ID004), so that no record goes missing quietly.
        shown = printable(display, lines=False)
        leave_out(display, f"{shown}:1: ID004 {hidden_record_message(part)}")
    return SiteArchive(root, config, roster, records, attachments, intros, left_out)


def lint_ignores(config: Config, display: str, why: str) -> bool:
    """Lint is set to ignore the code of `why` ("path:line: CODE message") for this file (its
    `ignore`, or `per-file-ignores`): a Markdown note kept beside the records on purpose."""
    code = why.split(": ", 1)[1].split(" ", 1)[0] if ": " in why else ""
    ignored = list(config.lint.ignore)
    for pattern, codes in config.lint.per_file_ignores.items():
        if fnmatch.fnmatch(display, pattern):
            ignored += codes
    return any(code.startswith(prefix) for prefix in ignored)


def _stat_key(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size)


def _site_record(path: Path, display: str, root: Path, config: Config) -> SiteRecord | str | None:
    """The record, or why it is not published ("path:line: CODE message"); None for a file
    that is no record."""
    doc = _read(path, display, root, config.lint.max_file_bytes)
    if not doc.readable or doc.front_matter is None:
        return _why_left_out(display, doc.problems, "FM001 no front-matter")
    kind = record_kind(doc, config)
    if kind is None:
        return None
    record, problems = validate_record(doc, kind)
    if record is None:
        if not doc.key_lines:
            # Read quickly, without the lines of its keys: read again, carefully, so that the
            # warning names the line of the problem, as lint does.
            doc = read_document(path, display, root=root, max_bytes=config.lint.max_file_bytes)
            _, problems = validate_record(doc, kind)
        return _why_left_out(display, problems, "FM004 the front-matter does not validate")
    return SiteRecord(doc, kind, record, display, timeline_titles(config))


def _why_left_out(display: str, problems: Sequence[Finding], otherwise: str) -> str:
    """The first problem of a record that is not published, with its file and line."""
    shown = printable(display, lines=False)
    if not problems:
        return f"{shown}:1: {otherwise}"
    first = min(problems, key=lambda problem: (problem.line, problem.column))
    return f"{shown}:{first.line}: {first.code} {first.message}"


_ALIAS = re.compile(r"(?:^|[\s\[{,:-])[*&][^\s]")
"""Anchors and aliases: left to the careful reader, which bounds how far they expand."""


def _read(path: Path, display: str, root: Path, max_bytes: int) -> Document:
    """The record as the site needs it, read quickly: front-matter by the C YAML loader, and a
    body whose line numbers match the Markdown MkDocs renders. Anything unusual takes the
    careful reader (lint explains what is wrong)."""
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > max_bytes:
            return read_document(path, display, root=root, max_bytes=max_bytes)
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        # The careful reader says what is wrong, for the warning that leaves it out.
        return read_document(path, display, root=root, max_bytes=max_bytes)
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    if not text.startswith("---\n") or "\x00" in text or "\r" in text:
        return read_document(path, display, root=root, max_bytes=max_bytes)
    end = text.find("\n---\n", 3)
    if end < 0:
        return read_document(path, display, root=root, max_bytes=max_bytes)
    head = text[4 : end + 1]
    if _ALIAS.search(head):
        return read_document(path, display, root=root, max_bytes=max_bytes)
    try:
        data = load_plain_yaml(head, times_as_text=True)
    except (yaml.YAMLError, ValueError, KeyError, TypeError, RecursionError):
        # A YAML error, or a value PyYAML cannot build ('2024-02-30', '!!bool maybe'): the
        # careful reader turns it into a diagnostic with its line, and the site leaves the
        # record out with that warning.
        return read_document(path, display, root=root, max_bytes=max_bytes)
    body = text[end + 5 :].lstrip("\n")
    if not isinstance(data, dict) or body.startswith("---"):
        return read_document(path, display, root=root, max_bytes=max_bytes)
    doc = parse_text(body, display)
    doc.front_matter = data
    return doc


def _record_folder_files(
    root: Path, config: Config, linked: list[str], hidden: list[tuple[str, str]]
) -> Iterator[tuple[Path, str]]:
    """Every file of the records folders but hidden ones; `linked` gets the folders that are
    links, not entered, and `hidden` the records under a hidden name, with that name."""
    for location, display in record_file_names(root, config, linked):
        part = hidden_part(display)
        if part is not None:
            if is_record_file(Path(location)):
                hidden.append((display, part))
            continue
        yield Path(location), display
