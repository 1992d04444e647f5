"""The `## Timeline` format: one list item per entry, a strict timestamp and kind first.

    - 2022-12-25T12:32:00Z **mitigation/rollback** by sam: Rolled back to the previous image.
    - 2022-12-25T12:40:00Z **note** by sam, internal: Paged db-3.internal (never in a public update).

It reads well on GitHub and in the site, and stays machine-checkable.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime

from incident_docs.config import DEFAULT_SECTION_ALIASES, Config
from incident_docs.document import BLOCK_ELEMENTS, Document, Section, inside_html
from incident_docs.models import EntryKind, MitigationAction, TimelineEntry, plausible_moment
from incident_docs.templates import titled

TIMELINE_SECTION = "timeline"

_ITEM = re.compile(r"^[-*+][ \t]+")
_NUMBERED = re.compile(r"^\d{1,9}[.)][ \t]+\S")
"""A numbered item, which is never read as an entry: said so, rather than left out unseen."""
ENTRY = re.compile(
    r"^[-*+][ \t]+(?P<time>\S+)[ \t]+\*\*(?P<kind>[A-Za-z-]+)(?:/(?P<action>[A-Za-z-]+))?\*\*"
    r"[ \t]+by[ \t]+(?P<author>[^\s:,]+)(?P<internal>,[ \t]*internal)?:[ \t]*(?P<text>.*)$"
)
_TIMESTAMP = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?P<offset>Z|[+-]\d{2}:?\d{2})?$"
)
"""Fractions of a second to the nanosecond, as .NET and Go write them; read to the microsecond."""
_KINDS = {kind.value: kind for kind in EntryKind}
EXAMPLE = "- 2022-12-25T12:32:00Z **note** by sam: What happened, in one line."


@dataclass(frozen=True)
class TimelineProblem:
    code: str
    message: str
    line: int
    column: int = 1


def format_time(moment: datetime) -> str:
    text = moment.isoformat(timespec="seconds")
    return text[:-6] + "Z" if text.endswith("+00:00") else text


_LOGGED = re.compile(
    r" \(logged (?P<at>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:Z|[+-]\d{2}:\d{2}))\)$"
)


def logged_note(moment: datetime) -> str:
    """What `incident log` adds to the text of an entry it places before the last stakeholder
    update (backfilled with --at): when it was written, which its place in the timeline, kept in
    time order, no longer tells. The next update reads it to report the entry."""
    return f" (logged {format_time(moment)})"


def split_logged(text: str) -> tuple[str, datetime | None]:
    """The entry's text without the note logged_note() added, and the time the note gives."""
    found = _LOGGED.search(text)
    if found is None:
        return text, None
    try:
        moment = datetime.fromisoformat(found.group("at"))
    except ValueError:  # "2024-13-45T...", edited by hand: text like any other
        return text, None
    return text[: found.start()], moment


def render_entry(entry: TimelineEntry) -> str:
    kind = entry.kind.value + (f"/{entry.action.value}" if entry.action else "")
    text = " ".join(entry.text.split())
    internal = ", internal" if entry.internal else ""
    return f"- {format_time(entry.time)} **{kind}** by {entry.author}{internal}: {text}"


DEFAULT_TITLES = (TIMELINE_SECTION, *DEFAULT_SECTION_ALIASES["Timeline"])
"""The titles of the Timeline section with no configuration (see timeline_titles)."""


def timeline_titles(config: Config) -> tuple[str, ...]:
    """The titles the Timeline section is read under: its name and the aliases the
    configuration gives it (`Timeline = ["Chronology"]`), as lint reads it."""
    return config.section_names("Timeline")


def find_section(doc: Document, titles: Iterable[str]) -> Section | None:
    """The timeline section, under one of `titles` (see timeline_titles), its title read as lint
    matches sections ("## Timeline:", "## 2. Timeline", "## Chronology (UTC)"): every reader
    and the commands that add an entry find it where lint does."""
    found = titled(doc.sections(), titles, lambda section: section.heading.title)
    return found[0] if found else None


def parse_timeline(
    doc: Document, titles: Iterable[str]
) -> tuple[list[TimelineEntry], list[TimelineProblem]]:
    """Entries of the document's timeline section (under one of `titles`, see timeline_titles),
    and what is wrong with the lines that are not."""
    section = find_section(doc, titles)
    if section is None:
        return [], []
    entries: list[TimelineEntry] = []
    problems: list[TimelineProblem] = []
    unlisted = _unlisted_entries(doc, section)
    for number in range(section.start_line, section.end_line + 1):
        if number in doc.code_lines:
            continue
        line = doc.lines[number - 1]
        if not _ITEM.match(line):
            if _NUMBERED.match(line):
                problems.append(
                    TimelineProblem(
                        "TL001",
                        f"timeline entry is a numbered item: write it as '{EXAMPLE}'",
                        number,
                    )
                )
            elif number in unlisted:
                problems.append(TimelineProblem("TL001", unlisted[number], number))
            continue
        entry, problem = parse_entry(line, number)
        if problem is not None:
            problems.append(problem)
        if entry is not None:
            wrapped = wrapped_lines(doc, number, section.end_line)
            if wrapped:
                text = " ".join([entry.text, *(line.strip() for line in wrapped)])
                entry = replace(entry, text=text.strip())
            entries.append(entry)
    return entries, problems


_TIMED = re.compile(r"^[*_`\[]{0,3}(?:\d{4}-\d{2}-\d{2}|\d{1,2}:\d{2}(?!\d))")
"""A line that opens with a date or a time of day ("14:05 ...", "**14:05** ...")."""
_TIME_OF_DAY = re.compile(r"(?<![\d:])\d{1,2}:\d{2}(?!\d)")
_WHEN = re.compile(r"(?:[A-Z][A-Za-z]*\.?|[ap]\.?m\.?|\d[\d:/.T+-]*Z?|[*_`,()\s])+")
"""A table cell that is a moment written with words ("May 2, 10:45", "Tue 10:45 UTC"), where
"Error rate at 14:05" says what happened."""
_UNSPACED_ITEM = re.compile(r"^[-*+][^\S\n \t]")
"""A bullet followed by a space that is no space to Markdown (a non-breaking one, pasted)."""


def _unlisted_entries(doc: Document, section: Section) -> dict[int, str]:
    """The lines of the section written as entries that are not list items, so that no entry
    can be read from them, with what to write instead: a row of a table with a time in it, a
    line of a paragraph that opens with a time or a bullet followed by a non-breaking space.
    Lines indented under an entry are its details, not entries; nor is a table whose rows do
    not open with a time, prose wrapped onto a line that opens with one, or what an HTML block
    element (<details>) holds."""
    found: dict[int, str] = {}
    first = bisect.bisect_left([block.line for block in doc.blocks], section.start_line)
    rows: list[int] = []
    for block in doc.blocks[first:]:
        if block.line > section.end_line:
            break
        if block.kind == "table_row":
            rows = rows if rows and rows[-1] == block.line - 1 else []
            rows.append(block.line)
            line = doc.lines[block.line - 1]
            # The first two rows are the header and the line under it; a row's time opens it.
            cell = line.strip().removeprefix("|").split("|")[0].strip()
            timed = _TIMED.match(cell) or (_WHEN.fullmatch(cell) and _TIME_OF_DAY.search(cell))
            if (
                len(rows) > 2
                and not line[:1].isspace()
                and timed
                and not inside_html(doc, section.start_line, block.line)
            ):
                found[block.line] = f"timeline entry is a table row: write it as '{EXAMPLE}'"
            continue
        if block.kind not in ("paragraph", "list_item"):
            continue
        # A list item's own line is read as an entry; the lines after it are its text wrapped.
        above = ""
        for number in range(block.line + (block.kind == "list_item"), block.end_line + 1):
            line = doc.lines[number - 1]
            if line[:1].isspace():
                continue
            if _UNSPACED_ITEM.match(line):
                found[number] = (
                    f"timeline entry has a non-breaking space after its '{line[0]}', so it is no "
                    "list item: write a plain space"
                )
            elif (
                block.kind == "paragraph"
                and _TIMED.match(line)
                # Its own line, not a sentence wrapped before a time ("from\n14:00 until").
                and (number == block.line or number - 1 in found or above.endswith(":"))
                and not inside_html(doc, section.start_line, number)
            ):
                found[number] = f"timeline entry is not a list item: write it as '{EXAMPLE}'"
            above = line.rstrip()
    return found


def is_item(line: str) -> bool:
    """The line opens a list item, bulleted or numbered."""
    return _ITEM.match(line) is not None or _NUMBERED.match(line) is not None


def table_lines(doc: Document, number: int) -> range:
    """The lines of the table that the row on line `number` belongs to, up to that row: a copy
    of the row needs the table's header above it."""
    rows = {block.line for block in doc.blocks if block.kind == "table_row"}
    start = number
    while start - 1 in rows:
        start -= 1
    return range(start, number + 1)


_OWN_BLOCK = re.compile(
    r"^(?:[-*+][ \t]|\d{1,9}[.)][ \t]|```|~~~|>|\||<!--|"
    # A tag alone on its line (an autolink or "<a few seconds" is text)
    r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>\s*$)"
)
"""An indented line that starts a block of its own inside the entry (a nested list, a fence,
a quote, a table row, HTML such as a suppression comment), not the entry's own text wrapped."""


_TAG_OPENING = re.compile(r"^</?(?P<name>[A-Za-z][A-Za-z0-9-]*)(?:[\s/>]|$)")
"""A line that opens with a tag: one of a block element ("<details><summary>More</summary>")
starts a block of HTML, which ends the text of a list item above it."""


_INTERRUPTS = re.compile(
    r"^(?:#{1,6}(?:[ \t]|$)|(?:\*[ \t]*){3,}$|(?:-[ \t]*){3,}$|(?:_[ \t]*){3,}$)"
)
"""An unindented line that ends the text of a list item above it: a heading or a thematic
break (besides what _OWN_BLOCK names)."""


def wrapped_lines(doc: Document, number: int, last: int) -> list[str]:
    """The lines after line `number` (an entry) onto which its text is wrapped, as written, with
    no blank line between: indented ("...first a restart of the\n  checkout pods..."), or not,
    where Markdown reads the line as the entry's text going on (a lazy continuation line)."""
    wrapped: list[str] = []
    for following in range(number + 1, last + 1):
        line = doc.lines[following - 1]
        text = line.strip()
        if (
            following in doc.code_lines
            or not text
            or _OWN_BLOCK.match(text)
            or _opens_html_block(text)
            or (not line.startswith((" ", "\t")) and _INTERRUPTS.match(text))
        ):
            break
        wrapped.append(line)
    return wrapped


def _opens_html_block(text: str) -> bool:
    tag = _TAG_OPENING.match(text)
    return tag is not None and tag.group("name").lower() in BLOCK_ELEMENTS


def parse_entry(line: str, number: int) -> tuple[TimelineEntry | None, TimelineProblem | None]:
    match = ENTRY.match(line)
    if match is None:
        message, column = _why_no_entry(line)
        return None, TimelineProblem("TL001", message, number, column)
    column = match.start("time") + 1
    stamp = match.group("time")
    shape = _TIMESTAMP.match(stamp)
    if shape is None:
        return None, TimelineProblem("TL001", _why_no_time(stamp, ""), number, column)
    if shape.group("offset") is None:
        return None, TimelineProblem(
            "TL003", f"timestamp '{stamp}' has no UTC offset: add 'Z' or '+HH:MM'", number, column
        )
    impossible = impossible_time(stamp)
    if impossible is not None:
        return None, TimelineProblem("TL001", f"'{stamp}' {impossible}", number, column)
    try:
        moment = plausible_moment(datetime.fromisoformat(stamp))
    except ValueError as error:  # plausible_moment's own
        return None, TimelineProblem("TL001", f"'{stamp}' {error}", number, column)
    kind_text = match.group("kind").lower()
    kind = _KINDS.get(kind_text)
    if kind is None:
        kinds = ", ".join(k.value for k in EntryKind)
        return None, TimelineProblem(
            "TL001",
            f"unknown timeline kind '{kind_text}' (use one of: {kinds})",
            number,
            match.start("kind") + 1,
        )
    action: MitigationAction | None = None
    if match.group("action"):
        try:
            action = MitigationAction(match.group("action").lower())
        except ValueError:
            actions = ", ".join(a.value for a in MitigationAction)
            return None, TimelineProblem(
                "TL004", f"unknown mitigation action '{match.group('action')}' (use one of: {actions})",
                number, match.start("action") + 1,
            )  # fmt: skip
    entry = TimelineEntry(
        time=moment,
        kind=kind,
        author=match.group("author"),
        text=match.group("text").strip(),
        action=action,
        line=number,
        internal=match.group("internal") is not None,
    )
    if kind is EntryKind.MITIGATION and action is None:
        return entry, TimelineProblem(
            "TL004",
            "a mitigation names its action: **mitigation/rollback**, /redirect-traffic, "
            "/scale-up or /other",
            number,
            match.start("kind") + 1,
        )
    if action is not None and kind is not EntryKind.MITIGATION:
        return entry, TimelineProblem(
            "TL004", f"only mitigation entries carry an action, not '{kind.value}'", number,
            match.start("action") + 1,
        )  # fmt: skip
    return entry, None


_PARTS = re.compile(r"^[-*+][ \t]+(?P<time>\S+)(?P<rest>.*)$")
_ODD_SPACE = re.compile(r"[\u00a0\u2007\u2009\u200a\u202f\u3000]")
"""Spaces that look like one and are none to the format (a non-breaking one, pasted)."""
_KIND_WORD = re.compile(r"[ \t]+[*_]{0,2}(?P<word>[A-Za-z-]+)(?:/[A-Za-z-]+)?[*_]{0,2}\b")
_BOLD = re.compile(r"[ \t]+\*\*[^*]+\*\*")
_BY = re.compile(r"[ \t]+by[ \t]+[^\s:,]+")


def _why_no_entry(line: str) -> tuple[str, int]:
    """What keeps a list item of the timeline from being an entry, with what to write instead,
    and the column it starts at."""
    odd = _ODD_SPACE.search(line)
    if odd is not None and ENTRY.match(_ODD_SPACE.sub(" ", line)):
        return "timeline entry has a non-breaking space here: write a plain space", odd.start() + 1
    parts = _PARTS.match(line)
    if parts is None:
        return f"timeline entry does not follow the format '{EXAMPLE}'", 1
    stamp, rest = parts.group("time"), parts.group("rest")
    if _TIMESTAMP.match(stamp) is None:
        return _why_no_time(stamp, rest), parts.start("time") + 1
    after = parts.end("time")
    kinds = ", ".join(f"**{kind.value}**" for kind in EntryKind)
    bold = _BOLD.match(rest)
    if bold is None:
        word = _KIND_WORD.match(rest)
        if word is not None and word.group("word").lower() in _KINDS:
            return (
                f"the kind of a timeline entry is in bold: write '**{word.group('word')}**'",
                after + word.start("word") + 1,
            )
        return f"timeline entry has no kind after its time: write one of {kinds}", after + 1
    written = bold.group().strip(" \t*")
    if re.fullmatch(r"[A-Za-z-]+(?:/[A-Za-z-]+)?", written) is None:
        return (
            f"'{written}' is no kind of timeline entry: write one of {kinds}, a mitigation with "
            "its action ('**mitigation/redirect-traffic**')",
            after + rest.index("**", bold.start()) + 1,
        )
    by = _BY.match(rest, bold.end())
    if by is None:
        return (
            "timeline entry has no author after its kind: write 'by HANDLE:' after it",
            after + bold.end() + 1,
        )
    return (
        "the author of a timeline entry is one handle followed by ':' (or ', internal:')",
        after + by.end() + 1,
    )


def _why_no_time(stamp: str, rest: str) -> str:
    """What is wrong with the text an entry opens with, as its time, and what to write."""
    bare = stamp.strip("*_`")
    if bare != stamp and _TIMESTAMP.match(bare):
        return f"'{stamp}' is a timestamp in emphasis or backticks: write it bare, '{bare}'"
    clock = re.match(r"[ \t]+(\d{2}:\d{2}\S*)", rest)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", stamp) and clock is not None:
        return (
            f"'{stamp} {clock.group(1)}' has a space between the date and the time: "
            f"write '{stamp}T{clock.group(1)}'"
        )
    if re.fullmatch(r"\d{1,2}:\d{2}(?::\d{2})?", bare):
        return (
            f"'{stamp}' has no date: write the date, the time and a UTC offset, "
            f"like 2022-12-25T{bare.zfill(5)}Z"
        )
    return f"'{stamp}' is not an ISO 8601 timestamp like 2022-12-25T12:32:00Z"


def impossible_time(stamp: str) -> str | None:
    """Why text written as a timestamp with a UTC offset names no moment: "has a UTC offset of a
    day or more" (+25:00), "is not a valid date and time" and which part is out of range
    (23:59:60, 24:00, 30 February), "has a UTC offset whose minutes are 60 or more"
    (+00:75, which Python reads as +01:15 and the front-matter refuses); None when it names one
    or is not written as a timestamp."""
    shape = _TIMESTAMP.match(stamp)
    if shape is None or shape.group("offset") is None:
        return None
    offset = shape.group("offset")
    if offset != "Z" and int(offset[-2:]) >= 60:
        return "has a UTC offset whose minutes are 60 or more: write it as +HH:MM, MM under 60"
    try:
        datetime.fromisoformat(stamp)
    except ValueError as error:
        reason = str(error)
        if "offset" in reason:
            return "has a UTC offset of a day or more"
        # Python's own words say which part: "day is out of range for month", "second must be
        # in 0..59".
        return f"is not a valid date and time: {reason}"
    return None


def out_of_order(entries: list[TimelineEntry]) -> Iterator[tuple[TimelineEntry, TimelineEntry]]:
    """Pairs (earlier line, later line) where the later line has an earlier time."""
    for before, after in itertools.pairwise(entries):
        if after.time < before.time:
            yield before, after
