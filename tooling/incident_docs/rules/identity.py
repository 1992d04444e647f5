"""ID: every record has a unique, merge-safe ID that matches its file name and folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath

from incident_docs.diagnostics import Finding
from incident_docs.models import is_record_id
from incident_docs.records import folder_kind, hidden_part, hidden_record_message
from incident_docs.rules.base import Family, RuleInfo, Subject

RULES = (
    RuleInfo("ID001", "duplicate-id", "An ID is unique across the archive.",
             "two files with id: INC-2022-12-25-web-outage", "one file per ID"),
    RuleInfo("ID002", "file-name-mismatch", "A record's file name is its ID plus '.md'.",
             "incidents/outage.md with id: INC-2022-12-25-web-outage", "incidents/INC-2022-12-25-web-outage.md"),
    RuleInfo("ID003", "wrong-folder", "Incidents live under incidents/, postmortems under postmortems/.",
             "postmortems/INC-2022-12-25-web-outage.md", "incidents/INC-2022-12-25-web-outage.md"),
    RuleInfo("ID004", "stray-file", "Record folders hold Markdown records and attachments only.",
             "incidents/notes.docx", "incidents/INC-2022-12-25-web-outage.md"),
    RuleInfo("ID005", "broken-link", "Links between incidents and postmortems point at records that exist.",
             "incidents: [INC-2099-01-01-missing]", "incidents: [INC-2022-12-25-web-outage]"),
    RuleInfo("ID006", "changed-id", "IDs are immutable: a record keeps the ID it has on the base branch, also when its file is renamed (lint --base).",
             "id: INC-2022-12-26-web-outage (was INC-2022-12-25-web-outage on main)", "id: INC-2022-12-25-web-outage"),
)  # fmt: skip
"""ID001 and ID005 are archive-wide checks in the linter; ID006 compares with a git revision (gitbase)."""


def check(subject: Subject) -> Iterator[Finding]:
    front = subject.doc.front_matter or {}
    record_id = front.get("id")
    if subject.kind is None or not isinstance(record_id, str):
        return
    path = PurePosixPath(subject.doc.path)
    hidden = hidden_part(subject.doc.path)
    if hidden is not None:
        yield Finding("ID004", hidden_record_message(hidden), subject.doc.line_of(("id",)), 1)
    # An ID not written as one (FM004 says so) names no file to rename to: '../x.md' would
    # leave the folder.
    if path.suffix == ".md" and path.stem != record_id and is_record_id(record_id, subject.kind):
        yield Finding(
            "ID002",
            f"file name '{path.name}' does not match the ID: rename it to '{record_id}.md' "
            "(IDs never change once created)",
            subject.doc.line_of(("id",)),
            1,
        )
    folder = folder_kind(subject.doc.path, subject.ctx.config)
    if folder is not None and folder != subject.kind:
        wanted = (
            subject.ctx.config.incidents_dir
            if subject.kind == "incident"
            else subject.ctx.config.postmortems_dir
        )
        yield Finding(
            "ID003",
            f"this {subject.kind} is in the {folder}s folder: move it to {wanted}/",
            subject.doc.line_of(("id",)),
            1,
        )


FAMILY = Family(RULES, check)
