"""What a rule is, and what it is given: the document, its validated record and the archive context."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from incident_docs.config import Config
from incident_docs.diagnostics import Finding, Severity
from incident_docs.document import Document, escapes, read_document
from incident_docs.models import Incident, Postmortem, Record, RecordKind, Roster, TimelineEntry
from incident_docs.records import validate_record
from incident_docs.timeline import TimelineProblem, parse_timeline


@dataclass(frozen=True)
class RuleInfo:
    code: str
    name: str
    summary: str
    bad: str
    good: str
    severity: Severity = Severity.ERROR


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
        return parse_timeline(self.doc)

    @cached_property
    def incidents(self) -> list[tuple[Incident, list[TimelineEntry]]]:
        """A postmortem's incidents as the archive has them (a missing one is ID005's to
        report), read once for the rules that need them (approvals, teams, people)."""
        if not isinstance(self.record, Postmortem):
            return []
        found = []
        for incident_id in self.record.incidents:
            read = self.read_record(incident_id, "incident")
            if read is not None and isinstance(read[0], Incident):
                found.append((read[0], parse_timeline(read[1])[0]))
        return found

    @cached_property
    def postmortem(self) -> Postmortem | None:
        """An incident's postmortem (its `postmortem:`) as the archive has it, if it reads."""
        if not isinstance(self.record, Incident) or self.record.postmortem is None:
            return None
        read = self.read_record(self.record.postmortem, "postmortem")
        return read[0] if read is not None and isinstance(read[0], Postmortem) else None

    def read_record(self, record_id: str, kind: RecordKind) -> tuple[Record, Document] | None:
        """The archive's record of that ID and kind, validated, or None when there is none or
        it does not validate."""
        config = self.ctx.config
        folder = self.ctx.root / (
            config.incidents_dir if kind == "incident" else config.postmortems_dir
        )
        path: Path = folder / f"{record_id}.md"
        if not path.is_file():
            # Kept in a subfolder (incidents/2024/…): found there, as the records are.
            filed = self.ctx.filed_in(folder).get(record_id)
            if filed is None:
                return None
            path = filed
        doc = read_document(
            path, path.name, root=self.ctx.root, max_bytes=config.lint.max_file_bytes
        )
        record, _problems = validate_record(doc, kind)
        return (record, doc) if record is not None else None


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
