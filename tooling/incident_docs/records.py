"""Turning documents into validated records, and finding the records and roster of an archive."""

from __future__ import annotations

import contextlib
import difflib
import gc
import os
import re
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from incident_docs.config import Config, model_in, read_limited
from incident_docs.diagnostics import Finding, UsageError
from incident_docs.document import (
    Document,
    Location,
    escapes,
    open_regular,
    read_document,
    relative_display,
    too_long_number,
    utf8_text,
)
from incident_docs.models import (
    HANDLE_RE,
    LABEL_RE,
    LINK_RE,
    MAX_ID_LENGTH,
    Incident,
    IncidentStatus,
    Postmortem,
    Record,
    RecordKind,
    Roster,
    TimelineEntry,
    is_record_id,
    postmortem_id,
)
from incident_docs.terminal import printable, quoted
from incident_docs.timeline import impossible_time, parse_timeline, timeline_titles

MODELS: dict[RecordKind, type[Incident] | type[Postmortem]] = {
    "incident": Incident,
    "postmortem": Postmortem,
}
SKIPPED_NAMES = frozenset({"readme.md", "index.md"})
"""Folder introductions that live beside the records but are not records."""


@dataclass(frozen=True)
class LoadedRecord:
    doc: Document
    kind: RecordKind
    record: Record


def record_kind(doc: Document, config: Config) -> RecordKind | None:
    """What a document is: by its ID when it has one, else by the folder it is in."""
    record_id = (doc.front_matter or {}).get("id")
    if isinstance(record_id, str):
        if record_id.startswith("INC-"):
            return "incident"
        if record_id.startswith("PM-"):
            return "postmortem"
    return folder_kind(doc.path, config)


def folder_kind(path: str, config: Config) -> RecordKind | None:
    if path.startswith(config.incidents_dir.rstrip("/") + "/"):
        return "incident"
    if path.startswith(config.postmortems_dir.rstrip("/") + "/"):
        return "postmortem"
    return None


def validate_record(doc: Document, kind: RecordKind) -> tuple[Record | None, list[Finding]]:
    """The validated record, or the findings that say which key on which line is wrong."""
    if doc.front_matter is None:
        return None, []
    model = MODELS[kind]
    try:
        return model.model_validate(doc.front_matter), []
    except ValidationError as exc:
        return None, list(_findings(doc, exc, model))


def _findings(doc: Document, exc: ValidationError, model: type[BaseModel]) -> Iterator[Finding]:
    seen: set[tuple[Location, str]] = set()
    errors = exc.errors(include_url=False)
    # A list whose entries are reported counts only its valid ones: "at least 1 item" about a
    # list written with entries would be said of something nobody wrote.
    with_bad_entries = {
        tuple(error["loc"][:index])
        for error in errors
        for index, part in enumerate(error["loc"])
        if isinstance(part, int)
    }
    for error in errors:
        loc: Location = tuple(error["loc"])
        kind = error["type"]
        if kind == "too_short" and loc in with_bad_entries:
            continue
        if kind == "missing":
            parent, name = loc[:-1], loc[-1]
            where = f" in '{_dotted(parent)}'" if parent else ""
            line = doc.line_of(parent) if parent else 1
            yield Finding("FM003", f"missing required field '{name}'{where}", line, 1)
            continue
        located = _known_prefix(doc, loc)
        if (located, kind) in seen or (located, "*") in seen:
            continue
        seen.add((located, "*" if _is_union_noise(loc, located) else kind))
        line = doc.line_of(located)
        if kind == "extra_forbidden":
            name = str(loc[-1])
            yield Finding(
                "FM005",
                f"unknown key '{_dotted(loc)}'",
                line,
                1,
                suggestion=_close_match(name, _field_names(model, loc[:-1])),
            )
        elif kind == "timezone_aware":
            yield Finding(
                "FM006",
                f"'{_dotted(located)}' has no UTC offset: write it like 2022-12-25T12:32:00Z "
                "or 2022-12-25T13:32:00+01:00",
                line,
                1,
            )
        else:
            linked = _id_field(model, loc)
            message = _id_message(error["input"], linked) if linked else _message(error)
            yield Finding("FM004", f"invalid '{_dotted(located)}': {message}", line, 1)


def _known_prefix(doc: Document, loc: Location) -> Location:
    for end in range(len(loc), 0, -1):
        if tuple(loc[:end]) in doc.key_lines:
            return tuple(loc[:end])
    return loc


def _is_union_noise(loc: Location, located: Location) -> bool:
    return len(loc) > len(located)


def _id_field(model: type[BaseModel], loc: Location) -> RecordKind | None:
    """The kind of record whose ID goes where LOC points (a record's own ID, its links), if any."""
    if loc == ("id",):
        return "postmortem" if model is Postmortem else "incident"
    if model is Incident and loc == ("postmortem",):
        return "postmortem"
    if model is Postmortem and len(loc) == 2 and loc[0] == "incidents" and isinstance(loc[1], int):
        return "incident"
    return None


ID_EXAMPLES: dict[RecordKind, str] = {
    "incident": "INC-2024-05-02-api-errors",
    "postmortem": "PM-2024-05-02-api-errors",
}


def _id_message(value: object, kind: RecordKind) -> str:
    """Why VALUE is no ID of a KIND, in the record's words."""
    other: RecordKind = "postmortem" if kind == "incident" else "incident"
    if is_record_id(value, other):
        return f"{value!r} is {_a(other)}'s ID, not {_a(kind)}'s"
    shown = _shown(value) or "the value"
    example = ID_EXAMPLES[kind]
    prefix = example.split("-", 1)[0]
    return (
        f"{shown} is not {_a(kind)} ID: write one like {example} ({prefix}-, the date, then "
        f"lower-case letters, digits and dashes; {MAX_ID_LENGTH} characters at most)"
    )


def _a(kind: RecordKind) -> str:
    return f"an {kind}" if kind == "incident" else f"a {kind}"


def _shown(value: object) -> str | None:
    """VALUE quoted, when it is short enough to quote."""
    if isinstance(value, int) and not -(10**60) < value < 10**60:
        return None  # too long to quote, and str() refuses an integer of 4,300 digits
    if isinstance(value, str | int | float | bool) and len(str(value)) <= 60:
        return repr(value)
    return None


FORMS = {
    HANDLE_RE.pattern: "a handle from the roster: letters, digits, '.', '_' and '-', no spaces",
    LABEL_RE.pattern: "a name in lower case: letters, digits, '.', '_' and '-', no spaces",
    LINK_RE.pattern: "a link starting with https:// or http://, without spaces",
}
"""What a value of a record's pattern looks like, said when one is not in that form."""

WRITTEN_AS = {
    "time_delta_parsing": "write a duration in ISO 8601, e.g. PT1H30M",
    "time_delta_type": "write a duration in ISO 8601, e.g. PT1H30M",
    "date_from_datetime_parsing": "write a date like 2024-06-30",
    "date_parsing": "write a date like 2024-06-30",
    "date_type": "write a date like 2024-06-30",
    "date_from_datetime_inexact": "a date has no time of day: write it like 2024-06-30",
    "datetime_from_date_parsing": "write a date and time with a UTC offset, like "
    "2022-12-25T12:32:00Z",
    "datetime_parsing": "write a date and time with a UTC offset, like 2022-12-25T12:32:00Z",
    "datetime_type": "write a date and time with a UTC offset, like 2022-12-25T12:32:00Z",
}
"""How to write a date, a time or a duration that did not parse, by pydantic's error type."""


def _message(error: Any) -> str:
    message = str(error["msg"]).removeprefix("Value error, ")
    value = error.get("input")
    if error["type"] == "tuple_type":
        message = "should be a list, written [a, b]"
    elif error["type"] == "too_short" and error.get("ctx", {}).get("actual_length") == 0:
        message = "the list is empty: give at least one"
    elif error["type"] in WRITTEN_AS:
        impossible = impossible_time(value) if isinstance(value, str) else None
        if impossible is not None:  # written as it should be, but no moment
            return f"{value!r} {impossible}"
        reason = str(error.get("ctx", {}).get("error", ""))
        # A day or month out of range says which; "invalid character" says nothing more.
        message = f"{reason}: " * ("range" in reason) + WRITTEN_AS[error["type"]]
    if error["type"] == "string_pattern_mismatch" and isinstance(value, str):
        form = FORMS.get(str(error.get("ctx", {}).get("pattern")))
        if form is None:
            return f"{value!r} is not in the expected form"
        if form == FORMS[HANDLE_RE.pattern] and HANDLE_RE.fullmatch(value.removeprefix("@")):
            return f"{value!r} is not a handle: write it without the '@'"
        return f"{value!r} is not {form}"
    shown = _shown(value)
    return f"{message} (got {shown})" if shown else message


def _dotted(loc: Location) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _field_names(model: type[BaseModel], parent: Location) -> list[str]:
    current: Any = model
    for part in parent:
        if isinstance(part, int):
            continue
        field = getattr(current, "model_fields", {}).get(part)
        if field is None:
            return []
        current = model_in(field.annotation)
    fields = getattr(current, "model_fields", {})
    return [info.alias or name for name, info in fields.items()]


def _close_match(name: str, choices: list[str]) -> str | None:
    match = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    return f"did you mean '{match[0]}'?" if match else None


def iter_record_files(root: Path, config: Config) -> Iterator[Path]:
    """Every file under the records folders, in a stable order."""
    for path, _display in record_file_names(root, config):
        yield Path(path)


def record_file_names(
    root: Path, config: Config, linked: list[str] | None = None
) -> Iterator[tuple[str, str]]:
    """(path, root-relative POSIX path) of every file under the records folders, in a stable order.

    Works on strings: building and sorting a Path per file is slow in large archives. Folders
    that are symbolic links are not entered, nor a records folder that leads out of the
    repository; `linked`, when given, gets their root-relative paths.
    """
    for folder in (config.incidents_dir, config.postmortems_dir):
        base = root / folder
        if not base.is_dir():
            if base.exists():
                # A file where the records' folder should be: no record would be read, quietly.
                raise UsageError(f"{folder}: the records folder is not a folder")
            continue
        if escapes(base, root) is not None:
            # The records folder itself leads out of the repository: never read, so never
            # published either (lint reports it, IO005).
            if linked is not None:
                linked.append(folder.strip("/"))
            continue
        found: list[tuple[tuple[str, ...], str, str]] = []
        # os.walk reads file types from the directory entries: no stat call per file.
        for parent, folders, names in os.walk(base, onerror=_unreadable_folder):
            folders.sort()
            where = Path(parent)
            if linked is not None:
                linked.extend(
                    (where / name).relative_to(root).as_posix()
                    for name in folders
                    if os.path.islink(os.path.join(parent, name))
                )
            if not names:
                continue
            # Sorted part by part, as Paths sort ("a/b" before "a-b/c"), not as one string.
            key = tuple(os.path.normcase(part) for part in where.relative_to(base).parts)
            relative = where.relative_to(root).as_posix()
            prefix = "" if relative == "." else relative + "/"
            found.extend(
                ((*key, os.path.normcase(name)), os.path.join(parent, name), prefix + name)
                for name in names
            )
        found.sort()
        for _key, path, display in found:
            yield path, display


def hidden_part(display: str) -> str | None:
    """The hidden folder or file name (".archive") in a root-relative path, if any: the site
    never publishes what is under one, so a record there is reported (ID004)."""
    return next(
        (part for part in display.split("/") if part.startswith(".") and part not in (".", "..")),
        None,
    )


def hidden_record_message(part: str) -> str:
    return f"a record under '{part}' is never published (a hidden name): move it out of it"


def _unreadable_folder(error: OSError) -> None:
    """A records folder that cannot be listed is no empty archive; one deleted since it was
    found (by a checkout, or a tool cleaning up) holds nothing to read any more."""
    if isinstance(error, (FileNotFoundError, NotADirectoryError)):
        return
    raise UsageError(f"{error.filename}: cannot read the folder: {error.strerror or error}")


_ID_LINE = re.compile(
    rb"^(?:id|\"id\"|'id')[ \t]*:[ \t]*['\"]?([A-Za-z0-9._/-]+)['\"]?[ \t]*(?:#.*)?$", re.MULTILINE
)
ID_PEEK_BYTES = 65536
"""How much of a record is read for its ID: its front-matter, however long its fields."""


def peek_id(head: bytes) -> str | None:
    """A record's ID read from its first bytes without parsing it: cheap, for whole-archive
    checks. Only the front-matter is searched (an `id:` in the body is no ID), and the key may be
    quoted (`"id": …`)."""
    text = head.lstrip(b"\xef\xbb\xbf").replace(b"\r\n", b"\n")
    if not text.startswith(b"---"):
        return None
    end = text.find(b"\n---", 3)
    match = _ID_LINE.search(text[: end if end >= 0 else ID_PEEK_BYTES])
    return match.group(1).decode("utf-8", errors="replace") if match else None


def written_id(path: Path | str) -> str | None:
    """The ID a record file's front-matter gives, read cheaply (see peek_id); None for a file
    that holds none, or cannot be read."""
    try:
        with open_regular(Path(path)) as handle:  # a pipe would block the command
            return peek_id(handle.read(ID_PEEK_BYTES))
    except OSError:
        return None


_STATUS_KEY = re.compile(r"""^(?:status|"status"|'status')[ \t]*:(.*)$""")
_RESOLVED_VALUE = re.compile(r"""[ \t]+(['"]?)resolved\1(?:[ \t]+#.*)?[ \t]*""")
_ID_KEY = re.compile(r"""^(?:id|"id"|'id')[ \t]*:(.*)$""")
_ID_VALUE = re.compile(r"""[ \t]+(['"]?)([A-Za-z0-9._/-]+)\1(?:[ \t]+#.*)?[ \t]*""")
_NODE_MARKERS = re.compile(r"[ \t]*(?:[-?:](?:[ \t]+|$))*")
"""Indentation and the block indicators a line may open with ("- ", "? ", ": ")."""
_AFTER_VALUE_INDICATOR = re.compile(r":(?:[ \t]+|$)")
_OPENS = frozenset("\"'[{!&")
"""What may start a value that runs on over lines (quoted, or a flow list or mapping), or a tag
or an anchor that one may follow."""
_ONE_LINE_VALUE = re.compile(
    r"""[ \t]*(?:-[ \t]+)?(?:[\w-]+:[ \t]+)?"""
    r"""(?:"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|\[[^"'\[\]{}#]*\])(?:[ \t]+#.*)?[ \t]*"""
)
"""A line whose quoted value or flow list closes on it: `title: "Cache: cold"`, `tags: [a, b]`."""
_YAML_ONLY_BREAKS = ("\x85", "\u2028", "\u2029", "\ufeff")
"""Line breaks to YAML but not to the front-matter's lines (and a byte-order mark)."""


def _closed_line(line: str) -> bool:
    """Whether YAML, at the start of a line of front-matter with nothing left open, is sure to
    have nothing left open at its end either: no value on it may run on to the next line (a
    quoted one, a flow list or mapping) but one that plainly closes on it. Unsure is False."""
    if _ONE_LINE_VALUE.fullmatch(line):
        return True
    rest = _NODE_MARKERS.sub("", line, count=1)  # matches at the start, if only nothing
    if rest.startswith("#"):
        return True  # a comment
    if rest[:1] in _OPENS:
        return False
    # A value starts after every ": " (a plain value cannot hold one).
    return not any(
        rest[found.end() : found.end() + 1] in _OPENS
        for found in _AFTER_VALUE_INDICATOR.finditer(rest)
    )


def peek_resolved(head: bytes) -> bool:
    """Whether a record's first bytes plainly say it is resolved, read without parsing it: its
    front-matter, whole in them, has one top-level `status` key, and its value is `resolved` on
    that line alone (see _plain_key)."""
    value = _plain_key(head, _STATUS_KEY)
    return value is not None and _RESOLVED_VALUE.fullmatch(value) is not None


def peek_plain_id(head: bytes) -> str | None:
    """The ID a record's first bytes plainly give, read without parsing it: one top-level `id`
    key, its value on that line alone (see _plain_key). None when anything is less plain, for
    the full parse to decide: unlike peek_id, never an `id:` line that a quoted title before it
    holds."""
    value = _plain_key(head, _ID_KEY)
    found = _ID_VALUE.fullmatch(value) if value is not None else None
    return found.group(2) if found else None


def _plain_key(head: bytes, key: re.Pattern[str]) -> str | None:
    """What follows the colon of the one line of a record's front-matter that holds the
    top-level KEY, read without parsing it; None unless it is plain. The front-matter must be
    whole in HEAD, with KEY on one line only. The line must be a key of the front-matter's
    mapping, not a line of a quoted value or a flow list that an earlier line left open (the
    real key spelled otherwise): every line before it closes what it opens, and no indented
    line after it continues its value. The front-matter ends where the parser ends it
    (document.py)."""
    text = head.decode("utf-8", errors="replace").removeprefix("\ufeff")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        return None
    end = next((n for n in range(1, len(lines)) if lines[n].rstrip() in ("---", "...")), None)
    if end is None or (end == len(lines) - 1 and len(head) >= ID_PEEK_BYTES):
        return None  # no end, or one that may be cut off: a longer front-matter
    front = lines[1:end]
    if not text.isascii() and any(mark in "\n".join(front) for mark in _YAML_ONLY_BREAKS):
        return None
    keys = [(n, found) for n, line in enumerate(front) if (found := key.match(line))]
    if len(keys) != 1:
        return None
    at = keys[0][0]
    if not all(_closed_line(line) for line in front[:at]):
        return None
    # An indented line after it would continue the value ("resolved and gone").
    after = next((line for line in front[at + 1 :] if line), "")
    return None if after[:1].isspace() else keys[0][1].group(1)


def _quick_bytes(path: Path, config: Config, size: int = -1) -> bytes | None:
    """The bytes of a record file (its first `size`), read cheaply: None for a symbolic link, a
    file too large to be read as a record, or one that cannot be read, which only the full read
    may judge."""
    if os.path.islink(path):
        return None
    try:
        with open_regular(path) as handle:
            if os.fstat(handle.fileno()).st_size > config.lint.max_file_bytes:
                return None
            return handle.read(size)
    except OSError:
        return None


def plainly_resolved(path: Path, config: Config) -> bool:
    """Whether the record file plainly says it is resolved (peek_resolved), for commands that
    look for the open incidents of a large archive (see _quick_bytes)."""
    head = _quick_bytes(path, config, ID_PEEK_BYTES)
    return head is not None and peek_resolved(head)


def plainly_written_id(path: Path, config: Config) -> str | None:
    """The ID the record file plainly gives (peek_plain_id), for commands that skip records of
    a large archive by their ID (see _quick_bytes); None when only the full read may say."""
    head = _quick_bytes(path, config, ID_PEEK_BYTES)
    return peek_plain_id(head) if head is not None else None


def is_record_file(path: Path) -> bool:
    return is_record_name(path.name)


def is_record_name(name: str) -> bool:
    """A file name with the suffix .md (as Path.suffix sees it) that is not a folder introduction."""
    return len(name) > 3 and name.endswith(".md") and name.lower() not in SKIPPED_NAMES


def load_roster(root: Path, config: Config) -> Roster:
    """The people roster; a missing file is an empty roster (but for one the configuration
    names: a typo there would turn every roster check off), a broken one a UsageError."""
    path = root / config.roster
    if not path.exists():
        if path.is_symlink():
            raise UsageError(
                f"{config.roster}: cannot read the roster: a symbolic link to nothing, or a loop"
            )
        if "roster" in config.model_fields_set:
            raise UsageError(
                f"{config.roster}: the roster the configuration names does not exist: correct "
                "its roster setting, or run 'incident init' to write one there"
            )
        return Roster()
    target = escapes(path, root)
    if target is not None:
        # A clean clone of the repository, in CI, would not have it.
        raise UsageError(
            f"{config.roster}: the roster is a symbolic link out of the repository ({target})"
        )
    if path.is_dir():
        raise UsageError(
            f"{config.roster}: cannot read the roster: it is a folder; the roster setting of the "
            "configuration names its file (people.yaml by default)"
        )
    if not path.is_file():  # a pipe would block, a device never end
        raise UsageError(f"{config.roster}: cannot read the roster: not a regular file")
    raw = read_limited(path, f"{config.roster}: the roster")
    return parse_roster(utf8_text(raw, config.roster), config.roster)


def parse_roster(text: str, label: str) -> Roster:
    """A roster's YAML text as a Roster; UsageError lines say `label[:line]: where: what`."""
    import yaml

    try:
        data = yaml.load(text, Loader=_roster_loader())  # a SafeLoader: no object tags
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = f":{mark.line + 1}" if mark else ""
        raise UsageError(f"{label}{line}: invalid YAML: {exc.problem}") from None
    except yaml.reader.ReaderError as exc:
        # A character YAML does not allow (a NUL, a control character): its line, not its
        # offset in "<unicode string>".
        row = text.count("\n", 0, exc.position) + 1
        raise UsageError(
            f"{label}:{row}: invalid YAML: character U+{exc.character:04X} is not allowed"
        ) from None
    except yaml.YAMLError as exc:
        raise UsageError(f"{label}: invalid YAML: {' '.join(str(exc).split())}") from None
    except ValueError as exc:  # an integer of 5,000 digits, say
        raise UsageError(f"{label}: invalid YAML: {' '.join(str(exc).split())}") from None
    except RecursionError:
        raise UsageError(f"{label}: invalid YAML: it nests too deeply") from None
    try:
        return Roster.model_validate(data or {})
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        where = _dotted(tuple(error["loc"])) or "roster"
        number = _roster_line(text, tuple(error["loc"]))
        at = f":{number}" if number else ""
        raise UsageError(f"{label}{at}: {where}: {_roster_message(error)}") from None


ROSTER_FORMS = {
    "handle": "a handle: letters, digits, '.', '_' and '-', no spaces, 39 characters at most",
    "github": "a GitHub login: letters, digits and hyphens, without the '@'",
    "github_team": "the team's slug on GitHub, without the organisation: letters, digits, "
    "'.', '_' and '-'",
    "services": "a service name: lower case letters, digits, '.', '_' and '-'",
    "emails": "an email address",
}
"""What a roster value of each key looks like, said when one is not in that form."""


def _roster_message(error: Any) -> str:
    """A roster validation error in the words of the YAML the user wrote (a list, a mapping, a
    key) rather than pydantic's (a tuple, a dictionary, extra inputs)."""
    loc = tuple(error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        known = _field_names(Roster, loc[:-1])
        hint = _close_match(str(loc[-1]), known)
        return f"unknown key: {hint}" if hint else f"unknown key (known: {', '.join(known)})"
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        return "should be a mapping of keys" + (
            " (people:, teams:)" if not loc else f" ({', '.join(_field_names(Roster, loc))})"
        )
    if kind == "missing":
        return f"missing: add {loc[-1]}: to this entry"
    if kind == "string_type" and isinstance(error.get("input"), bool | int | float):
        # `handle: yes` or `name: 2024`: YAML read a word or a number as something else.
        value = error["input"]
        read = str(value).lower() if isinstance(value, bool) else str(value)
        return f"should be text, but YAML reads it as {read}: put it in quotes"
    if kind == "string_type" and isinstance(error.get("input"), date):
        # `name: 2024-01-01`: a date, to YAML, as a timestamp is.
        return "should be text, but YAML reads it as a date: put it in quotes"
    if kind == "string_type" and isinstance(error.get("input"), list | dict):
        # `github: [samlq]`: a list or a mapping where one piece of text goes.
        what = "a list" if isinstance(error["input"], list) else "a mapping"
        return f"should be one piece of text, not {what}"
    if (kind == "string_too_short" and error.get("input") == "") or (
        kind == "string_type" and error.get("input") is None
    ):
        return "is empty: give it a value"
    if kind in {"bool_parsing", "bool_type"}:
        shown = _shown(error.get("input"))
        return "should be true or false" + (f" (got {shown})" if shown else "")
    if kind == "string_pattern_mismatch":
        field = next((str(part) for part in reversed(loc) if isinstance(part, str)), "")
        form = ROSTER_FORMS.get(field)
        if form is not None:
            shown = _shown(error.get("input"))
            return f"{shown or 'the value'} is not {form}"
    return _message(error)


def _roster_line(text: str, loc: tuple[Any, ...]) -> int | None:
    """The line of what a validation error's location names in the roster's YAML, or of the
    nearest entry that holds it (a missing key: its entry's first line)."""
    import yaml

    try:
        node: Any = yaml.compose(text, Loader=_roster_loader())
    except (yaml.YAMLError, ValueError, RecursionError):
        return None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            found = next((value for key, value in node.value if key.value == str(part)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            found = node.value[part] if 0 <= part < len(node.value) else None
        else:
            found = None
        if found is None:
            break
        node = found
    return node.start_mark.line + 1 if node is not None else None


def _roster_loader() -> type[Any]:
    """yaml.SafeLoader that refuses a key given twice in one mapping: the second "handle:" of an
    entry would silently replace the first, and the person become someone else."""
    import yaml

    # The C parser where PyYAML has it: a roster of thousands of people parses ten times faster.
    try:
        from yaml import CSafeLoader as Base
    except ImportError:  # pragma: no cover - depends on how PyYAML was built
        from yaml import SafeLoader as Base  # type: ignore[assignment]

    class RosterLoader(Base):
        def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
            seen: set[tuple[str, str]] = set()
            for key_node, _ in node.value:
                # Keys as written, by tag: "1" and "true" are two keys, and a merge key ("<<")
                # brings in what it merges, which may be given again on purpose.
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag.endswith(":merge"):
                    continue
                key = (key_node.tag, key_node.value)
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"key '{key_node.value}' appears twice", key_node.start_mark
                    )
                seen.add(key)
            return super().construct_mapping(node, deep=deep)

        def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
            try:
                return int(super().construct_yaml_int(node))
            except ValueError:
                too_long = too_long_number(str(node.value))
                if too_long is None:
                    raise
                raise yaml.constructor.ConstructorError(
                    None, None, too_long, node.start_mark
                ) from None

    RosterLoader.add_constructor("tag:yaml.org,2002:int", RosterLoader.construct_yaml_int)
    return RosterLoader


@dataclass(frozen=True)
class Archive:
    """The valid records of an archive, and the record files that could not be read or validated."""

    records: list[LoadedRecord]
    skipped: list[str]
    """Repo-relative paths; `incident lint` says what is wrong with each."""


@contextlib.contextmanager
def collecting_later() -> Iterator[None]:
    """No cyclic garbage collection while a command reads many records: each pass would walk
    every record read so far, which made reading a large archive half again as slow. What was
    read then joins the oldest generation at once (frozen and thawed: moved, not walked), or
    the next passes would walk it all the same; nothing stays frozen, so garbage made
    meanwhile (a test session's, a long-running process's) is still collected. Objects that
    something else froze are left frozen: then nothing is moved."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if gc.get_freeze_count() == 0:
            gc.freeze()
            gc.unfreeze()
        if enabled:
            gc.enable()


def read_archive(
    root: Path, config: Config, *, only: RecordKind | None = None, body: bool = True
) -> Archive:
    """Every valid record of the archive, and which record files were skipped; with `only`, the
    records of that kind (the files of the other kind's folder that plainly hold one of that
    other kind, by the ID they plainly give, are not read); without `body`, for a command that reads
    the front-matter only, their bodies are not scanned (see read_document)."""
    loaded: list[LoadedRecord] = []
    skipped: list[str] = []
    prefix = {"incident": "PM-", "postmortem": "INC-"}.get(only or "")
    paths, leading_out = record_paths(root, config)
    with collecting_later():
        for path, display in paths:
            if prefix and only != folder_kind(display, config) and not path.is_symlink():
                held = plainly_written_id(path, config)
                if held is not None and held.startswith(prefix):
                    continue
            record = load_record(path, root, config, body=body)
            if record is None:
                skipped.append(display)
            elif only is None or record.kind == only:
                loaded.append(record)
    return Archive(loaded, skipped + leading_out)


def record_paths(root: Path, config: Config) -> tuple[list[tuple[Path, str]], list[str]]:
    """The record files of the archive (path, repo-relative path), in a stable order, and the
    records folders (or folders in one) that lead out of the repository: not read, but said so,
    as lint says it (IO005), rather than an archive that looks empty."""
    linked: list[str] = []
    paths = [
        (Path(name), display)
        for name, display in record_file_names(root, config, linked)
        if is_record_name(os.path.basename(name))
    ]
    return paths, [display for display in linked if escapes(root / display, root) is not None]


def load_archive(root: Path, config: Config) -> list[LoadedRecord]:
    """Every valid record of the archive; invalid ones are left to `incident lint` to explain."""
    return read_archive(root, config).records


_NAME_DATE = re.compile(r"(?:INC|PM)-(\d{4}-\d{2}-\d{2})-")


def _name_date(display: str) -> str:
    """The date a record's file name starts with, as its ID does ("" for none)."""
    found = _NAME_DATE.match(display.rpartition("/")[2])
    return found.group(1) if found else ""


def _held_name(path: str, display: str) -> str:
    """The record's file name, or for one renamed by hand (its name starts with no date) the
    name its ID gives it, read cheaply: the date and the ID are the record's, not the file's."""
    name = display.rpartition("/")[2]
    if _name_date(name):
        return name
    held = written_id(path)
    return f"{held}.md" if held is not None and _name_date(held) else name


@dataclass(frozen=True)
class Latest:
    """The record files of an archive's latest incidents (see latest_paths)."""

    paths: list[tuple[Path, str]]
    incidents: int
    """How many incidents the archive holds."""
    archived: frozenset[str] | None
    """The IDs of the archive's incidents, by their file names; None when every record is read."""

    def theirs(self, read: Collection[str], covered: Sequence[str]) -> bool:
        """Whether a postmortem that covers the incidents `covered` is read with the incidents
        `read`: one of older incidents only is theirs, not a case of its own."""
        return self.archived is None or any(i in read or i not in self.archived for i in covered)


def latest_paths(root: Path, config: Config, incidents: int, keep: Path) -> Latest:
    """The record files of the archive, but of an archive with more incidents than `incidents`,
    only those of the latest that many (by the date their file names start with, as their IDs
    do; of a file renamed by hand, the date of the ID it holds), the postmortems dated as late
    (read them, and keep those Latest.theirs says) and the record at `keep`."""
    names = [
        (path, display)
        for path, display in record_file_names(root, config)
        if is_record_name(os.path.basename(path))
    ]
    count = sum(folder_kind(display, config) == "incident" for _, display in names)
    if count <= incidents:
        return Latest([(Path(path), display) for path, display in names], count, None)
    # A record renamed by hand is dated, and its incident known, by the ID it holds.
    held = {display: _held_name(path, display) for path, display in names}
    dated = sorted(
        _name_date(held[display])
        for _, display in names
        if folder_kind(display, config) == "incident"
    )
    since = dated[-incidents]
    kept = os.path.normcase(os.path.abspath(keep))
    archived = frozenset(
        name.removesuffix(".md")
        for _, display in names
        if (name := held[display]).startswith("INC-")
    )
    return Latest(
        [
            (Path(path), display)
            for path, display in names
            if _name_date(held[display]) >= since or os.path.normcase(os.path.abspath(path)) == kept
        ],
        len(dated),
        archived,
    )


def load_record(
    path: Path, root: Path, config: Config, *, body: bool = True
) -> LoadedRecord | None:
    """The record in one file under `root`, or None when it cannot be read or does not validate;
    without `body`, its document has the front-matter only (see read_document)."""
    display = path.relative_to(root).as_posix()
    doc = read_document(path, display, root=root, max_bytes=config.lint.max_file_bytes, body=body)
    if not doc.readable or doc.front_matter is None:
        return None
    kind = record_kind(doc, config)
    if kind is None:
        return None
    record, _problems = validate_record(doc, kind)
    return None if record is None else LoadedRecord(doc, kind, record)


def skipped_note(paths: Sequence[str], shown: int = 10) -> str | None:
    """A one-line note naming the record files a command could not use; None when there are none."""
    if not paths:
        return None
    # A line break in a file name would start a line of its own.
    names = ", ".join(printable(path, lines=False) for path in paths[:shown])
    if len(paths) > shown:
        names += f" and {len(paths) - shown} more"
    noun = "record" if len(paths) == 1 else "records"
    return f"{len(paths)} {noun} skipped (run 'incident lint' to see why): {names}"


# --- finding the incident a command acts on --------------------------------------------------


@dataclass(frozen=True)
class Located:
    path: Path
    display: str
    """The path as the user should see it, repo-relative."""
    note: str | None = None
    """Something the user should know about the choice."""


def incident_files(root: Path, config: Config) -> list[Path]:
    """The record files of the incidents folder, sorted."""
    folder = root / config.incidents_dir
    if not folder.is_dir():
        return []
    # Names, not Paths, are listed and sorted: a large archive has thousands.
    names = sorted((n for n in os.listdir(folder) if is_record_name(n)), key=os.path.normcase)
    return [folder / name for name in names]


def open_incidents(root: Path, config: Config) -> tuple[list[tuple[str, Path]], list[str]]:
    """Valid incidents not yet resolved, and the record files that do not validate (but for
    those that plainly say they are resolved: none of them could be the open one)."""
    opened: list[tuple[str, Path]] = []
    invalid: list[str] = []
    for path in incident_files(root, config):
        if plainly_resolved(path, config):
            continue  # most of a large archive: not parsed
        loaded = load_record(path, root, config)
        if loaded is None or not isinstance(loaded.record, Incident):
            invalid.append(relative_display(path, root))
        elif loaded.record.status is not IncidentStatus.RESOLVED:
            opened.append((loaded.record.id, path))
    return opened, invalid


def incident_timelines(
    records: Iterable[LoadedRecord], config: Config
) -> dict[str, tuple[Incident, list[TimelineEntry]]]:
    """The archive's incidents by ID, each with its timeline entries."""
    titles = timeline_titles(config)
    return {
        loaded.record.id: (loaded.record, parse_timeline(loaded.doc, titles)[0])
        for loaded in records
        if isinstance(loaded.record, Incident)
    }


def read_incidents(root: Path, config: Config, ids: Collection[str]) -> list[LoadedRecord]:
    """The valid records of the archive that may be the incidents `ids`, as read_archive reads
    them: a file that plainly gives another ID (see plainly_written_id) is not read."""
    paths, _leading_out = record_paths(root, config)
    loaded: list[LoadedRecord] = []
    for path, _display in paths:
        held = plainly_written_id(path, config)
        if held is not None and held not in ids:
            continue
        record = load_record(path, root, config)
        if record is not None:
            loaded.append(record)
    return loaded


def locate_postmortem(root: Path, config: Config, given: str) -> Path | None:
    """The postmortem GIVEN names (a path in the postmortems folder, an ID, a unique part of a
    PM- ID); None when it names no postmortem, so the caller can look for an incident."""
    folder = root / config.postmortems_dir
    as_path = Path(given)
    for candidate in (as_path, root / as_path):
        if candidate.is_file() and Path(os.path.realpath(candidate.parent)) == Path(
            os.path.realpath(folder)
        ):
            _stays_inside(root, candidate, given)
            return candidate
    if not given.casefold().startswith("pm-") or not folder.is_dir():
        return None
    wanted = as_path.name.removesuffix(".md").casefold()
    files = sorted(p for p in folder.glob("*.md") if is_record_file(p))
    exact = [p for p in files if p.stem.casefold() == wanted]
    matches = exact or [p for p in files if wanted in p.stem.casefold()]
    if len(matches) == 1:
        _stays_inside(root, matches[0], relative_display(matches[0], root))
        return matches[0]
    if not matches:
        raise UsageError(f"no postmortem matches {quoted(given)} in {config.postmortems_dir}/")
    raise UsageError(
        f"{quoted(given)} matches several postmortems: {', '.join(p.stem for p in matches[:8])}"
    )


def _postmortems(
    root: Path, config: Config, mentioning: Sequence[str] = ()
) -> Iterator[Postmortem]:
    """The valid postmortems of the archive: only the postmortems folder's files are read; with
    `mentioning`, only those whose text holds one of these IDs (or a backslash, which YAML could
    spell one with) are parsed."""
    # One search of each file for any of them: an archive may have hundreds to look for.
    wanted = re.compile(b"|".join(re.escape(found.encode()) for found in mentioning))
    for path, display in record_file_names(root, config):
        if folder_kind(display, config) != "postmortem" or not is_record_file(Path(path)):
            continue
        if mentioning and not _may_mention(Path(path), wanted, config):
            continue
        loaded = load_record(Path(path), root, config)
        if loaded is not None and isinstance(loaded.record, Postmortem):
            yield loaded.record


def _may_mention(path: Path, ids: re.Pattern[bytes], config: Config) -> bool:
    """Whether a record file may name one of the IDs (a pattern of them all): its bytes hold
    one, or a backslash; or it cannot be read quickly (see _quick_bytes), for the full read to
    say."""
    raw = _quick_bytes(path, config)
    return raw is None or b"\\" in raw or ids.search(raw) is not None


def postmortems_covering(root: Path, config: Config, incident: Incident) -> list[str]:
    """The IDs of the postmortems that cover an incident: the one it links to, if it exists,
    and every one that lists it among its incidents (only those that name either are parsed)."""
    named = [incident.id, *([incident.postmortem] if incident.postmortem else [])]
    return [
        record.id
        for record in _postmortems(root, config, named)
        if record.id == incident.postmortem or incident.id in record.incidents
    ]


def awaiting_postmortem(root: Path, config: Config) -> list[tuple[str, Path]]:
    """Resolved incidents with no postmortem yet: none linked, none listing it among its
    incidents, and no draft in its folder.

    Only what may answer is parsed, so that a large archive answers in a second: not an
    incident whose draft is there by the ID it gives (read cheaply), nor a postmortem that
    names none of the incidents left."""
    drafts = {p.stem for p in (root / config.postmortems_dir).glob("*.md")}
    found: list[tuple[str, Path]] = []
    for path in incident_files(root, config):
        held = plainly_written_id(path, config)
        if held is not None and postmortem_id(held) in drafts:
            continue
        loaded = load_record(path, root, config)
        if loaded is None or not isinstance(loaded.record, Incident):
            continue
        record = loaded.record
        if record.status is not IncidentStatus.RESOLVED or record.postmortem is not None:
            continue
        if postmortem_id(record.id) in drafts:
            continue
        found.append((record.id, path))
    if not found:
        return found
    wanted = [record_id for record_id, _path in found]
    covered = {
        incident for record in _postmortems(root, config, wanted) for incident in record.incidents
    }
    return [(record_id, path) for record_id, path in found if record_id not in covered]


def shared_ids(records: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """Of (ID, path) pairs, the IDs that several paths hold (a record copied by hand to a new
    file name), each with those paths."""
    held: dict[str, list[str]] = {}
    for record_id, display in records:
        held.setdefault(record_id, []).append(display)
    return {record_id: paths for record_id, paths in held.items() if len(paths) > 1}


def several_records(record_id: str, displays: Sequence[str], shown: int = 8) -> str:
    """That an ID is held by several record files, naming them, and what to do."""
    names = ", ".join(displays[:shown]) + (
        f" and {len(displays) - shown} more" if len(displays) > shown else ""
    )
    return f"{record_id} is the ID of several records: {names}; keep one (lint reports each, ID001)"


def _invalid_phrase(invalid: Sequence[str], shown: int = 5) -> str:
    names = ", ".join(invalid[:shown]) + (
        f" and {len(invalid) - shown} more" if len(invalid) > shown else ""
    )
    noun = "record that does not" if len(invalid) == 1 else "records that do not"
    return f"{len(invalid)} {noun} validate: {names} (see 'incident lint')"


def _inside_incidents(root: Path, config: Config, path: Path, shown: str) -> Path:
    """`path` if it is a record file in the incidents folder whose link, if any, stays in the repo."""
    folder = config.incidents_dir
    # The folder is resolved but not the file, so a link in incidents/ counts as being there.
    place = Path(os.path.realpath(path.parent)) / path.name
    if not is_record_file(path) or not place.is_relative_to(os.path.realpath(root / folder)):
        raise UsageError(f"{shown}: not an incident record inside {folder}/")
    _stays_inside(root, path, shown)
    return path


def _stays_inside(root: Path, path: Path, shown: str) -> None:
    """Refuse a record that a symbolic link, its own or its folder's, takes out of the repository:
    lint reports it (IO005) and no command reads it."""
    if not Path(os.path.realpath(path)).is_relative_to(os.path.realpath(root)):
        raise UsageError(f"{shown}: symbolic link leads outside the repository")


def locate_incident(root: Path, config: Config, given: str | None) -> Located:
    """The incident a command acts on: GIVEN as a path, an ID or a unique part of one, else the
    only open incident; a UsageError naming the candidates when that is not one record."""
    if given is not None and not given.strip():
        # Given empty ("-i ''", a variable not set): not "the only open one" by accident.
        raise UsageError(
            "the incident given is empty: give an incident's ID, part of one, or its path"
        )
    if given:
        as_path = Path(given)
        found = [c for c in (as_path, root / as_path) if c.is_file() or c.is_symlink()]
        refused: UsageError | None = None
        for candidate in found:  # from the current folder, else from the root
            try:
                return Located(
                    _inside_incidents(root, config, candidate, given),
                    relative_display(candidate, root),
                )
            except UsageError as error:
                refused = refused or error
        if refused is not None:
            raise refused
        folder = os.path.realpath(root / config.incidents_dir)
        if len(as_path.parts) > 1 and not any(
            os.path.realpath(base / as_path.parent) == folder for base in (Path.cwd(), root)
        ):
            # A path to no file elsewhere (another clone's, a stale one) names no record of
            # this archive, whatever its last part says; in incidents/, a part of a name does.
            raise UsageError(f"{given}: no such file")
        wanted = as_path.name.removesuffix(".md").casefold()
        files = incident_files(root, config)
        held: dict[Path, str] = {}
        named = [p for p in files if wanted in p.stem.casefold()]
        if [p.stem.casefold() for p in named].count(wanted) == 1:
            bearer = next(p for p in named if p.stem.casefold() == wanted)
            held[bearer] = (written_id(bearer) or bearer.stem).casefold()
            if held[bearer] == wanted:
                # The file the ID names holds it: found without reading every record of a large
                # archive. Only the files named after it ("INC-… copy.md") are read for a copy
                # holding the ID too; one under another name is lint's to report (ID001).
                files = named
        # Each file by its name and by the ID it holds: a record renamed by hand is still found
        # by its ID, and a copy of one is never written to in its place unseen.
        for path in files:
            if path not in held:
                held[path] = (written_id(path) or path.stem).casefold()
        called = {p: {p.stem.casefold(), held[p]} for p in files}
        exact = [p for p in files if wanted in called[p]]
        matches = exact or [p for p in files if any(wanted in name for name in called[p])]
        if len(exact) > 1:
            shown = [relative_display(p, root) for p in exact]
            raise UsageError(f"{several_records(quoted(given), shown)}, then run the command again")
        if len(matches) == 1:
            display = relative_display(matches[0], root)
            return Located(_inside_incidents(root, config, matches[0], display), display)
        if not matches:
            raise UsageError(f"no incident matches {quoted(given)} in {config.incidents_dir}/")
        names = ", ".join(p.stem for p in matches[:8])
        raise UsageError(f"{quoted(given)} matches several incidents: {names}")
    opened, invalid = open_incidents(root, config)
    for record_id, holders in shared_ids((i, relative_display(p, root)) for i, p in opened).items():
        # A copy made by hand: which of the two is "the one" is the user's to say.
        raise UsageError(
            f"{several_records(quoted(record_id), holders)}, then run the command again"
        )
    broken = f", and {_invalid_phrase(invalid)};" if invalid else ""
    if len(opened) == 1:
        record_id, path = opened[0]
        note = None
        if invalid:
            note = f"using {record_id}, the only open incident; {_invalid_phrase(invalid)}"
        display = relative_display(path, root)
        return Located(_inside_incidents(root, config, path, display), display, note)
    if not opened:
        raise UsageError(
            f"no open incident{broken or ':'} pass --incident ID "
            "(or declare one with 'incident declare')"
        )
    names = ", ".join(record_id for record_id, _path in opened)
    raise UsageError(
        f"{len(opened)} incidents are open{broken or ';'} pass --incident with one of: {names}"
    )


@dataclass(frozen=True)
class IncidentQuery:
    """What `incident list` asks for; an empty set means any."""

    statuses: frozenset[IncidentStatus] = frozenset()
    severities: frozenset[str] = frozenset()
    services: frozenset[str] = frozenset()


def select_incidents(
    incidents: Iterable[tuple[Incident, str]], query: IncidentQuery
) -> list[tuple[Incident, str]]:
    """The incidents that match, open ones first, newest first. A severity written in another
    case ("sev2", which lint reports) is the configured one, as the metrics count it."""
    severities = {name.casefold() for name in query.severities}
    chosen = [
        (incident, display)
        for incident, display in incidents
        if (not query.statuses or incident.status in query.statuses)
        and (not severities or incident.severity.casefold() in severities)
        and (not query.services or query.services & set(incident.services))
    ]
    chosen.sort(key=lambda pair: pair[0].declared_at, reverse=True)
    chosen.sort(key=lambda pair: pair[0].status is IncidentStatus.RESOLVED)
    return chosen
