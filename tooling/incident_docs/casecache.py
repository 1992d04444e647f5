"""What similarity reads of each record, kept between commands: `incident similar` on a large
archive read and validated every record each time, seconds at the moment a responder has none.

A record's part (related.Part) is kept under its path with the file's modification and change
times, size and inode, and read again when any of them changes; the cache as a whole is dropped
when the configuration or this code changes. The cache is never required: a cache that cannot be
opened, read or written is read around, and what it holds is always what reading the record
would give. It lives in CACHE_DIR, which .gitignore keeps out of commits.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import stat
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pydantic
import pydantic_core
import yaml

import incident_docs
from incident_docs.config import Config
from incident_docs.records import collecting_later, latest_paths, load_record, record_paths
from incident_docs.related import POSTMORTEM_SECTIONS, Entry, Part, part_of

CACHE_DIR = ".incident-docs-cache"
"""Under the archive's root; in the .gitignore `incident init` writes."""
CACHE_FILE = "cases.sqlite3"
FORMAT = "1"
"""What a kept part looks like: changed with Part."""
RACY_SECONDS = 2.0
"""A file changed this recently is read but not kept: written again within the same tick of the
file system's clock, with the same size, it would look unchanged (git's "racy" files)."""


def archive_parts(root: Path, config: Config) -> tuple[list[Part], list[str]]:
    """The part of every valid record of the archive, in the order read_archive reads them, and
    which record files were skipped (as read_archive says)."""
    paths, leading_out = record_paths(root, config)
    parts, skipped = _parts(root, config, paths, whole=True)
    return parts, skipped + leading_out


def latest_parts(root: Path, config: Config, incidents: int, keep: Path) -> tuple[list[Part], int]:
    """The parts of the records of the latest `incidents` incidents (records.latest_paths), and
    how many incidents the archive holds. Nothing is said of broken records: `incident lint`
    says it."""
    latest = latest_paths(root, config, incidents, keep)
    parts, _skipped = _parts(root, config, latest.paths, whole=latest.archived is None)
    read = {part.id for part in parts if part.kind == "incident"}
    return [
        part for part in parts if part.kind != "postmortem" or latest.theirs(read, part.incidents)
    ], latest.incidents


def _parts(
    root: Path, config: Config, paths: list[tuple[Path, str]], *, whole: bool
) -> tuple[list[Part], list[str]]:
    """The parts of the valid records of these files, and the files that hold none. `whole`:
    these are all the archive's record files, and the cache forgets any other."""
    parts: list[Part] = []
    skipped: list[str] = []
    with _Cache.opened(root, config) as cache, collecting_later():
        cache.seen = {display for _, display in paths} if whole else None
        for path, display in paths:
            stamp = _stamp(path)
            found = cache.get(display, stamp) if stamp is not None else None
            if found is None:
                record = load_record(path, root, config)
                found = (part_of(record, config),) if record is not None else ()
                if stamp is not None and _settled(stamp):
                    cache.put(display, stamp, found)
            if found:
                parts.append(found[0])
            else:
                skipped.append(display)
    return parts, skipped


def _stamp(path: Path) -> tuple[int, ...] | None:
    """What changes when the file does; None for a symbolic link (what it leads to may change
    with nothing here changing) or a file that cannot be looked at."""
    try:
        found = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISREG(found.st_mode):
        return None
    return (found.st_mtime_ns, found.st_ctime_ns, found.st_size, found.st_ino, found.st_dev)


def _settled(stamp: tuple[int, ...]) -> bool:
    return time.time_ns() - max(stamp[0], stamp[1]) > RACY_SECONDS * 1e9


def _fingerprint(config: Config) -> str:
    """What the parts depend on besides the records: the configuration, this code and the code
    that reads a record's YAML and validates it (an upgraded PyYAML or pydantic may read a
    record otherwise)."""
    digest = hashlib.sha256()
    digest.update(f"{FORMAT}\n{incident_docs.__version__}\n{sys.version}\n".encode())
    digest.update(f"{yaml.__version__}:{yaml.__with_libyaml__}\n".encode())
    digest.update(f"{pydantic.VERSION}:{pydantic_core.__version__}\n".encode())
    digest.update(config.model_dump_json().encode())
    package = Path(incident_docs.__file__).parent
    for source in sorted(package.rglob("*.py")):
        with contextlib.suppress(OSError):
            found = source.stat()
            digest.update(f"{source}:{found.st_mtime_ns}:{found.st_size}\n".encode())
    return digest.hexdigest()


class _Cache:
    """The kept parts in SQLite, which keeps two commands writing at once apart."""

    def __init__(
        self,
        db: sqlite3.Connection | None,
        kept: dict[str, tuple[str, str | None]],
        location: Path,
        fingerprint: str,
    ) -> None:
        self.db = db
        self.kept = kept
        self.location = location
        self.fingerprint = fingerprint
        self.new: list[tuple[str, str, str | None]] = []
        self.seen: set[str] | None = None
        """All the record files of the archive, when known: the others' parts are dropped
        (renamed, deleted)."""

    @classmethod
    @contextlib.contextmanager
    def opened(cls, root: Path, config: Config) -> Iterator[_Cache]:
        location = root / CACHE_DIR / CACHE_FILE
        fingerprint = _fingerprint(config)
        db, kept = _connect(location, fingerprint) or (None, {})
        cache = cls(db, kept, location, fingerprint)
        try:
            yield cache
        finally:
            cache._save()

    def get(self, display: str, stamp: tuple[int, ...]) -> tuple[Part, ...] | None:
        """The kept part, () for a file that held no valid record; None when not kept."""
        found = self.kept.get(display)
        if found is None or found[0] != _stamp_text(stamp):
            return None
        if found[1] is None:
            return ()
        try:
            return (_part(json.loads(found[1])),)
        except (ValueError, TypeError, KeyError):
            return None  # not what this code writes: read the record

    def put(self, display: str, stamp: tuple[int, ...], found: tuple[Part, ...]) -> None:
        if self.db is not None:
            text = json.dumps(_plain(found[0]), ensure_ascii=False) if found else None
            self.new.append((display, _stamp_text(stamp), text))

    def _save(self) -> None:
        if self.db is None:
            return
        try:
            with self.db:
                self.db.execute("BEGIN IMMEDIATE")
                row = self.db.execute("SELECT fingerprint FROM meta").fetchone()
                if row is None or row[0] != self.fingerprint:
                    # Emptied meanwhile by a command of another configuration or version: what
                    # this one read would be kept as that one's.
                    return
                self.db.executemany(
                    "INSERT OR REPLACE INTO parts(path, stamp, part) VALUES (?, ?, ?)", self.new
                )
                if self.seen is not None:
                    self.db.executemany(
                        "DELETE FROM parts WHERE path = ?",
                        [(path,) for path in self.kept if path not in self.seen],
                    )
        except sqlite3.OperationalError:
            pass  # another command is writing, or the disk is full: kept next time
        except sqlite3.DatabaseError:  # damaged: made again by the next command
            with contextlib.suppress(OSError):
                self.location.unlink()
        finally:
            self.db.close()


def _connect(
    location: Path, fingerprint: str
) -> tuple[sqlite3.Connection, dict[str, tuple[str, str | None]]] | None:
    """The cache and the parts it keeps (path: stamp, part), emptied when what the parts
    depend on changed; None when it cannot be used. A file that is no database, or a damaged
    one (cut short, written over), is made again."""
    try:
        location.parent.mkdir(exist_ok=True)
        if not _own_folder(location.parent):
            return None
        ignore = location.parent / ".gitignore"
        if not ignore.exists():
            # Out of commits even where .gitignore does not name it (an archive made before).
            ignore.write_text("# What incident-docs keeps between commands.\n*\n")
    except OSError:
        return None
    for _attempt in range(2):
        try:
            db = sqlite3.connect(location, timeout=2.0)
        except sqlite3.Error:
            return None
        try:
            return _opened(db, fingerprint)
        except sqlite3.OperationalError:  # locked by another command, or cannot be written
            db.close()
            return None
        except sqlite3.DatabaseError:
            db.close()
            with contextlib.suppress(OSError):
                location.unlink()
    return None


def _own_folder(folder: Path) -> bool:
    """Whether the folder is one, with nothing in it a symbolic link: a committed link (the
    folder, the database or its journal) would have the cache write wherever it points."""
    if folder.is_symlink() or not folder.is_dir():
        return False
    with os.scandir(folder) as entries:
        return not any(entry.is_symlink() for entry in entries)


def _opened(
    db: sqlite3.Connection, fingerprint: str
) -> tuple[sqlite3.Connection, dict[str, tuple[str, str | None]]]:
    """The cache's tables, emptied when the fingerprint differs, and the parts they keep."""
    with db:
        db.execute("CREATE TABLE IF NOT EXISTS meta(fingerprint TEXT NOT NULL)")
        db.execute(
            "CREATE TABLE IF NOT EXISTS parts(path TEXT PRIMARY KEY, stamp TEXT NOT NULL, "
            "part TEXT)"
        )
        row = db.execute("SELECT fingerprint FROM meta").fetchone()
        if row is None or row[0] != fingerprint:
            db.execute("DELETE FROM parts")
            db.execute("DELETE FROM meta")
            db.execute("INSERT INTO meta(fingerprint) VALUES (?)", (fingerprint,))
    rows = db.execute("SELECT path, stamp, part FROM parts").fetchall()
    return db, {path: (stamp, part) for path, stamp, part in rows}


def _stamp_text(stamp: tuple[int, ...]) -> str:
    return ":".join(map(str, stamp))


def _plain(part: Part) -> dict[str, Any]:
    return {
        "kind": part.kind,
        "id": part.id,
        "title": part.title,
        "severity": part.severity,
        "when": part.when.isoformat() if part.when is not None else None,
        "services": list(part.services),
        "tags": list(part.tags),
        "incidents": list(part.incidents),
        "sections": list(part.sections),
        "entries": [[e.text, e.mitigation, e.told, e.action] for e in part.entries],
    }


def _part(data: dict[str, Any]) -> Part:
    kind = data["kind"]
    if kind not in ("incident", "postmortem"):
        raise ValueError(kind)
    when = data["when"]
    if len(data["sections"]) != len(POSTMORTEM_SECTIONS if kind == "postmortem" else "1"):
        raise ValueError(kind)
    return Part(
        kind=kind,
        id=_text(data["id"]),
        title=_text(data["title"]),
        severity=_text(data["severity"]),
        when=datetime.fromisoformat(when) if when is not None else None,
        services=tuple(map(_text, data["services"])),
        tags=tuple(map(_text, data["tags"])),
        incidents=tuple(map(_text, data["incidents"])),
        sections=tuple(map(_text, data["sections"])),
        entries=tuple(
            Entry(_text(text), bool(mitigation), bool(told), _text(action))
            for text, mitigation, told, action in data["entries"]
        ),
    )


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(value)
    return value
