"""The repository's example archive: where it is, copies of it, and what its records hold."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
ARCHIVE_PARTS = ("incidents", "postmortems", "people.yaml", "pyproject.toml")
RECORD_FOLDERS = ("incidents", "postmortems")
CHRISTMAS = "2022-12-25-corrupt-image-crash-loop"
"""The example incident and postmortem most tests read (INC-… and PM-… with this slug)."""


def copy_archive(root: Path) -> Path:
    """Copy the example archive (records, roster and configuration) into ROOT, created here."""
    root.mkdir(parents=True, exist_ok=True)
    for part in ARCHIVE_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, root / part)
        elif source.exists():
            shutil.copy2(source, root / part)
    return root


def only_christmas(root: Path) -> None:
    """Keep just the Christmas 2022 incident and postmortem in an archive copy."""
    for folder in RECORD_FOLDERS:
        for path in (root / folder).glob("*.md"):
            if CHRISTMAS not in path.name:
                path.unlink()


def cover_a_second_incident(root: Path) -> str:
    """The Christmas postmortem made to cover a second incident, a copy of its own a day later;
    the second incident's ID."""
    second = "INC-2022-12-26-corrupt-image-again"
    first = (root / "incidents" / f"INC-{CHRISTMAS}.md").read_text()
    (root / "incidents" / f"{second}.md").write_text(
        first.replace(f"INC-{CHRISTMAS}", second).replace("2022-12-25T", "2022-12-26T")
    )
    pm = root / "postmortems" / f"PM-{CHRISTMAS}.md"
    covered = f"incidents: [INC-{CHRISTMAS}, {second}]"
    pm.write_text(pm.read_text().replace(f"incidents: [INC-{CHRISTMAS}]", covered))
    return second


def record_files(root: Path, *folders: str) -> list[Path]:
    """The Markdown records in an archive's record folders (all of them unless named)."""
    return sorted(
        path for folder in folders or RECORD_FOLDERS for path in (root / folder).glob("*.md")
    )


def front_matter(path: Path) -> dict[str, Any]:
    """A record's front-matter as PyYAML reads it (dates become `date` objects)."""
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text.split("---\n", 2)[1])
    assert isinstance(data, dict), path
    return data


def timeline_entries(text: str) -> list[str]:
    """The entry lines of a record's `## Timeline` section, as written."""
    section = text.split("\n## Timeline\n", 1)[1].split("\n## ", 1)[0]
    return [line for line in section.splitlines() if line.startswith("- ")]


def open_action_items(path: Path, today: date) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A postmortem's action items still to do (open or in progress), and those of them overdue."""
    items: list[dict[str, Any]] = front_matter(path).get("action_items", [])
    still_open = [item for item in items if item.get("status", "open") in ("open", "in-progress")]
    overdue = [item for item in still_open if item.get("due") is not None and item["due"] < today]
    return still_open, overdue
