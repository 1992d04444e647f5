"""Open and overdue action items across the archive, as `incident actions` prints them.

The selection is the site's action-item page's (metrics.open_action_items), so the terminal and
the published tracker always give the same numbers.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from incident_docs.metrics import OpenActionItem, open_action_items
from incident_docs.models import Person, Postmortem, Roster
from incident_docs.records import LoadedRecord


@dataclass(frozen=True)
class ActionRow:
    """An open action item with the postmortem it comes from and where that file is."""

    found: OpenActionItem
    path: str

    @property
    def postmortem(self) -> Postmortem:
        return self.found.postmortem

    def as_dict(self) -> dict[str, Any]:
        item = self.found.item
        return {
            "title": item.title,
            "owner": item.owner,
            "type": item.type.value,
            "priority": item.priority,
            "due": item.due.isoformat() if item.due else None,
            "status": item.status.value,
            "overdue": self.found.overdue,
            "tracker": item.tracker,
            "postmortem": self.postmortem.id,
            "path": self.path,
            "services": list(self.postmortem.services),
        }


def owner_key(roster: Roster, name: str) -> str:
    """Who an owner is, however written: the roster's handle of someone named by handle, by
    GitHub login (with or without its @) or by their name, in any case; else the name itself."""
    return roster.handle_of(name).strip().removeprefix("@").casefold()


def owner_candidates(roster: Roster, name: str) -> tuple[Person, ...]:
    """Everyone a name could mean: the person of that handle, of that GitHub login, and everyone
    the roster gives that name, each once. More than one, and owner_key takes the handle's or
    the login's person, or for two people of one name neither."""
    bare = name.strip().removeprefix("@")
    found = [roster.by_handle(bare), roster.by_github(bare), *roster.named(bare)]
    return tuple({p.handle.casefold(): p for p in found if p is not None}.values())


@dataclass(frozen=True)
class ActionQuery:
    owners: frozenset[str] = frozenset()
    """Owners as owner_key gives them."""
    services: frozenset[str] = frozenset()
    overdue_only: bool = False
    roster: Roster = field(default_factory=Roster)

    def matches(self, row: ActionRow) -> bool:
        if self.owners and owner_key(self.roster, row.found.item.owner) not in self.owners:
            return False
        if self.services and self.services.isdisjoint(row.postmortem.services):
            return False
        return row.found.overdue or not self.overdue_only


def action_rows(records: Iterable[LoadedRecord], today: date) -> list[ActionRow]:
    """Every open or in-progress item, most overdue first: the site's tracker page, row for row."""
    paths = {id(loaded.record): loaded.doc.path for loaded in records}
    by_record = {id(loaded.record): loaded.record for loaded in records}
    found = open_action_items(by_record.values(), today)
    return [ActionRow(item, paths[id(item.postmortem)]) for item in found]


def select_rows(rows: Sequence[ActionRow], query: ActionQuery) -> list[ActionRow]:
    return [row for row in rows if query.matches(row)]


def summary_line(rows: Sequence[ActionRow]) -> str:
    overdue = sum(row.found.overdue for row in rows)
    noun = "action item" if len(rows) == 1 else "action items"
    return f"{len(rows)} open {noun}, {overdue} overdue"


def as_text(rows: Sequence[ActionRow]) -> str:
    """One aligned line per item: due date, overdue flag, priority, owner, title, postmortem."""
    if not rows:
        return ""
    owner_width = max(len(row.found.item.owner) for row in rows)
    lines = []
    for row in rows:
        item = row.found.item
        due = item.due.isoformat() if item.due else "no due date"
        flag = "OVERDUE" if row.found.overdue else ""
        tracker = f"  {item.tracker}" if item.tracker else ""
        lines.append(
            f"{due:<11}  {flag:<7}  {item.priority}  {item.owner:<{owner_width}}  "
            # One line each: a title with a line break in it would forge a row of its own.
            f"{' '.join(item.title.split())}  ({row.postmortem.id}){tracker}"
        )
    return "\n".join(lines)


def as_json(rows: Sequence[ActionRow], today: date) -> str:
    return json.dumps(
        {
            "today": today.isoformat(),
            "open": len(rows),
            "overdue": sum(row.found.overdue for row in rows),
            "items": [row.as_dict() for row in rows],
        },
        indent=2,
        ensure_ascii=False,
    )


CSV_COLUMNS = (
    "due",
    "overdue",
    "priority",
    "owner",
    "title",
    "type",
    "status",
    "postmortem",
    "path",
    "tracker",
)


def as_csv(rows: Sequence[ActionRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        data = row.as_dict()
        writer.writerow(
            [
                data["due"] or "",
                "yes" if data["overdue"] else "no",
                data["priority"],
                data["owner"],
                _cell(data["title"]),
                data["type"],
                data["status"],
                data["postmortem"],
                data["path"],
                data["tracker"] or "",
            ]
        )
    return out.getvalue()


def _cell(text: str) -> str:
    """A spreadsheet opens a cell that starts like a formula as one: keep it text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
