"""What a rule is, and what it is given: the document, its validated record and the archive context."""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from incident_docs.config import Config
from incident_docs.diagnostics import Finding, Severity
from incident_docs.document import Document, escapes, read_document
from incident_docs.models import Incident, Postmortem, Record, RecordKind, Roster, TimelineEntry
from incident_docs.records import validate_record
from incident_docs.timeline import TimelineProblem, parse_timeline, timeline_titles


@dataclass(frozen=True)
class RuleInfo:
    code: str
    name: str
    summary: str
    bad: str
    good: str
    severity: Severity = Severity.ERROR


RECENT_RECORDS = 64
"""How many records read in a lint process are kept for the rules that look one up again: a
postmortem is linted next to its incident (see linter._lint_order), so a few suffice."""
RECENT_TEXT = 1_000_000
"""How many characters of text those records may hold together, the newest kept whatever its
size: 64 records near lint's size limit (a log pasted in each) would keep hundreds of MB alive,
where nearly every archive's 64 hold a few hundred KB."""


class RecentRecords(OrderedDict[tuple[str, RecordKind], "Subject"]):
    """Records read lately, oldest first, with how many characters of text they hold."""

    characters: int = 0

    def clear(self) -> None:
        super().clear()
        self.characters = 0


@dataclass(frozen=True)
class LintContext:
    root: Path
    config: Config
    roster: Roster = field(default_factory=Roster)
    config_path: Path | None = None
    """The file the configuration is read from (pyproject.toml at the root when None)."""
    note_allowed: bool = False
    """The blameless checks note which allowed phrases keep a finding away (see SP003)."""
    filed: dict[Path, dict[str, Path]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    """Where each record of a record folder's subfolders is, by ID, per folder: read once in a
    lint run (a process of it), not once per record that looks another up."""
    recent: RecentRecords = field(
        default_factory=RecentRecords, init=False, repr=False, compare=False
    )
    """Records this process read lately, validated as a kind, by absolute path: a postmortem's
    incident, linted just before it, is not read, validated and its timeline parsed again.
    Emptied as each lint run starts: a file may have changed since an earlier run."""

    def remember(self, path: str, subject: Subject) -> None:
        """Keep a record read from the file at path (its kind known), for Subject.read_record."""
        assert subject.kind is not None
        recent = self.recent
        key = (os.path.abspath(path), subject.kind)
        kept = recent.pop(key, None)
        if kept is not None:
            recent.characters -= len(kept.doc.text)
        recent[key] = subject
        recent.characters += len(subject.doc.text)
        while len(recent) > 1 and (len(recent) > RECENT_RECORDS or recent.characters > RECENT_TEXT):
            # A dict's first key, deleted, slows every next lookup: an OrderedDict's does not.
            recent.characters -= len(recent.popitem(last=False)[1].doc.text)

    def recalled(self, path: str) -> Document | None:
        """The document read lately from the file at path, as whichever kind."""
        if not self.recent:
            return None
        where = os.path.abspath(path)
        for kind in ("incident", "postmortem"):
            read = self.recent.get((where, kind))
            if read is not None:
                return read.doc
        return None

    def filed_in(self, folder: Path) -> dict[str, Path]:
        """The Markdown files under the folder, by name without '.md' (the first in path order
        for a name used twice), inside the repository."""
        found = self.filed.get(folder)
        if found is None:
            found = self.filed[folder] = {}
            for path in sorted(folder.rglob("*.md")):
                if path.is_file() and escapes(path, self.root) is None:
                    found.setdefault(path.stem, path)
        return found


@dataclass
class Subject:
    """One document under lint, with what rules share about it computed once."""

    doc: Document
    kind: RecordKind | None
    record: Record | None
    ctx: LintContext
    record_problems: list[Finding] = field(default_factory=list)
    allowed_used: set[str] = field(default_factory=set)
    """The allowed phrases of the blameless checks that kept a finding away in this document."""

    @cached_property
    def timeline(self) -> tuple[list[TimelineEntry], list[TimelineProblem]]:
        return parse_timeline(self.doc, timeline_titles(self.ctx.config))

    @cached_property
    def incidents(self) -> list[tuple[Incident, list[TimelineEntry]]]:
        """A postmortem's incidents as the archive has them (a missing one is ID005's to
        report), read once for the rules that need them (approvals, teams, people)."""
        if not isinstance(self.record, Postmortem):
            return []
        found = []
        for incident_id in self.record.incidents:
            read = self._read(incident_id, "incident")
            if read is not None and isinstance(read.record, Incident):
                found.append((read.record, read.timeline[0]))
        return found

    @cached_property
    def postmortem(self) -> Postmortem | None:
        """An incident's postmortem (its `postmortem:`) as the archive has it, if it reads."""
        if not isinstance(self.record, Incident) or self.record.postmortem is None:
            return None
        read = self._read(self.record.postmortem, "postmortem")
        return read.record if read is not None and isinstance(read.record, Postmortem) else None

    def read_record(self, record_id: str, kind: RecordKind) -> tuple[Record, Document] | None:
        """The archive's record of that ID and kind, validated, or None when there is none or
        it does not validate."""
        read = self._read(record_id, kind)
        return (read.record, read.doc) if read is not None and read.record is not None else None

    def _read(self, record_id: str, kind: RecordKind) -> Subject | None:
        """The archive's record of that ID and kind, as read_record finds it, None when there
        is no such file; read once in a while (see LintContext.recent)."""
        ctx = self.ctx
        config = ctx.config
        folder = ctx.root / (config.incidents_dir if kind == "incident" else config.postmortems_dir)
        path: Path = folder / f"{record_id}.md"
        if not path.is_file():
            # Kept in a subfolder (incidents/2024/…): found there, as the records are.
            filed = ctx.filed_in(folder).get(record_id)
            if filed is None:
                return None
            path = filed
        read = ctx.recent.get((os.path.abspath(path), kind))
        if read is None:
            doc = read_document(
                path, path.name, root=ctx.root, max_bytes=config.lint.max_file_bytes
            )
            record, _problems = validate_record(doc, kind)
            read = Subject(doc, kind, record, ctx)
            ctx.remember(str(path), read)
        return read


DocumentCheck = Callable[[Subject], Iterable[Finding]]


@dataclass(frozen=True)
class Family:
    """A module's rules and the one function that checks a document for all of them."""

    rules: tuple[RuleInfo, ...]
    check: DocumentCheck
    prepare: Callable[[LintContext], None] | None = None
    """Reads what the checks share across documents once, before any is linted: worker
    processes forked afterwards share it instead of each reading it again."""
    codes: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "codes", frozenset(rule.code for rule in self.rules))
