"""SP: inline suppressions, `<!-- incident-docs disable-next-line BL001 -->` and block forms."""

from __future__ import annotations

import contextlib
import re
from bisect import bisect_left, bisect_right
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from incident_docs.blameless.engine import allowed_phrase
from incident_docs.config import CONFIG_FILE, string_positions
from incident_docs.diagnostics import Finding, Severity
from incident_docs.document import Document, parse_text, relative_display, yaml_comments
from incident_docs.rules.base import LintContext, RuleInfo

RULES = (
    RuleInfo("SP001", "unused-suppression", "A suppression comment suppresses something.",
             "<!-- incident-docs disable-next-line BL004 --> above a line with no finding",
             "remove the comment", Severity.WARNING),
    RuleInfo("SP002", "invalid-suppression", "A suppression comment names the rule codes it is for, each a rule's code or the start of one.",
             "<!-- incident-docs disable-next-line -->",
             "<!-- incident-docs disable-next-line BL004 -->", Severity.WARNING),
    RuleInfo("SP003", "unused-allowed-phrase",
             "A phrase of the blameless allow-list keeps a finding away somewhere in the archive.",
             'allow = ["blast radius"] where no finding has those words',
             "remove the phrase, or keep it for text to come", Severity.INFO),
)  # fmt: skip

_COMMENT = re.compile(
    # Possessive: on a comment never closed, nothing is tried again from each of its characters;
    # bounded: a line of thousands of them is not read to its end from each.
    r"<!--\s*+incident-docs[:\s]\s*+(?P<verb>[A-Za-z][\w-]{0,64}+)(?P<codes>[^>]{0,4000}+)>"
)
_VERBS = ("disable-next-line", "disable", "enable")
_OPENED = re.compile(r"<!--\s*+incident-docs[:\s]\s*+(?:disable|enable)")
_CODE = re.compile(r"^[A-Z]{2}\d{0,3}$")
_BACKTICKS = re.compile(r"`+")
_MARKERS = re.compile(r"(?:[\s>#*+-]|\d{1,9}[.)](?=\s))*+")
"""What is no text on a line before a comment: indentation, list ("-", "1.") or quote markers
and '#'."""


def code_spans(line: str) -> list[tuple[int, int]]:
    """The line's inline code spans: a run of backticks, to the next run as long. Each run is
    read once: a regex that looks for each run's partner from each run takes minutes on a line
    of thousands of runs of different lengths."""
    runs = [match.span() for match in _BACKTICKS.finditer(line)]
    by_length: dict[int, list[int]] = {}
    for index, (start, end) in enumerate(runs):
        by_length.setdefault(end - start, []).append(index)
    spans = []
    index = 0
    while index < len(runs):
        start, end = runs[index]
        same = by_length[end - start]
        # The next run as long, past this one: the partner, if any.
        position = bisect_right(same, index)
        if position < len(same):
            partner = same[position]
            spans.append((start, runs[partner][1]))
            index = partner + 1
        else:
            index += 1
    return spans


@dataclass
class Suppression:
    line: int
    codes: tuple[str, ...]
    first: int
    last: int
    used: set[str] = field(default_factory=set)
    """The codes of it that suppress a finding."""
    column: int = 1
    """Where the comment starts on its line: one of two on a line is reported at its own."""
    after_text: bool = False
    """A next-line comment written after text on its line, which it is not for."""


def parse(doc: Document, known: Collection[str] = ()) -> tuple[list[Suppression], list[Finding]]:
    """The suppressions a document declares, and findings for the malformed ones: among them,
    one naming a code that is no rule's, nor the start of one, of the `known` codes."""
    found, problems, _open = _read(doc, known)
    return found, problems


def left_open(text: str) -> tuple[str, ...]:
    """The rule codes a `disable` comment in the Markdown text leaves suppressed at its end: a
    piece copied into another record must end them there, not at the end of that record."""
    return tuple(_read(parse_text("\n" + text, "<text>"), ())[2])


def _read(
    doc: Document, known: Collection[str]
) -> tuple[list[Suppression], list[Finding], dict[str, Suppression]]:
    """parse(), and the blocks still open at the end of the document, by code."""
    found: list[Suppression] = []
    problems: list[Finding] = []
    open_blocks: dict[str, Suppression] = {}
    last_line = len(doc.lines)
    # In the front-matter, a suppression is written in a YAML comment ("# <!-- incident-docs
    # disable-next-line BL004 -->" above a title): its prose is checked too.
    first = 2 if doc.front_matter_end else doc.body_start
    content_lines: list[int] | None = None  # read once, at the first next-line suppression
    spread: set[int] | None = None  # the first lines of HTML comments over several lines
    comments: dict[int, int] | None = None  # front-matter lines: where their YAML comment starts
    for number in range(first, last_line + 1):
        line = doc.lines[number - 1]
        if "incident-docs" not in line:
            continue
        if number in doc.code_lines:
            # A suppression that goes on to the next line is a comment over several lines,
            # which is text to lint: it suppressed nothing, and nothing said so.
            if spread is None:
                spread = {b.line for b in doc.blocks if b.kind == "html" and b.end_line > b.line}
            at = _unclosed(line) if number in spread else -1
            if at >= 0:
                problems.append(Finding("SP002", _SPREAD, number, at + 1))
            continue
        if number < doc.body_start:
            if comments is None:
                comments = _yaml_comment_starts(doc)
            start = comments.get(number)
            if start is None:
                # A value that mentions a suppression, not a comment; one written alone on its
                # line, as in the body, is one the value above it took in (where it made the
                # YAML unreadable instead, FM002 says so).
                opened = _COMMENT.match(line.lstrip(" \t"))
                if opened is not None and opened.group("verb") in _VERBS and doc.front_matter:
                    at = len(line) - len(line.lstrip(" \t"))
                    problems.append(Finding("SP002", _IN_VALUE, number, at + 1))
                continue
            # Only the comment is read, above its key or after a value ("title: …  # <!-- … -->"):
            # a value is no suppression, and one after it is for the next line, as in the body.
            line = " " * start + line[start:]
        spans = code_spans(line) if "`" in line else []
        # Within a paragraph, a list item or a quote, or in YAML comments, as in a block of HTML.
        at = _unclosed(line, spans)
        if at >= 0:
            problems.append(Finding("SP002", _SPREAD, number, at + 1))
        for match in _COMMENT.finditer(line):
            if any(start <= match.start() < end for start, end in spans):
                continue  # shown as text in a code span, not a comment
            if not match.group("codes").endswith("--"):
                continue  # a ">" inside a comment, or none that closes
            listed = match.group("codes")[:-2].rstrip("-")  # "--->" closes a comment too
            words = [word for word in re.split(r"[\s,]+", listed) if word]
            codes = tuple(word.upper() for word in words)
            verb = match.group("verb")
            valid = bool(codes) and all(map(_CODE.match, codes))
            if verb not in _VERBS:
                # Another note of ours ("action-item: …") is no suppression; one that opens as
                # a suppression does, or a word before rule codes, is one mistyped
                # ("disable-nextline BL003", "disable-next-lineBL003", "ignore BL003").
                if not (valid or verb.lower().startswith(("disable", "enable"))):
                    continue
                problem = (
                    f"'{verb}' is no suppression: write disable-next-line, disable or enable, "
                    f"e.g. <!-- incident-docs disable-next-line {codes[0] if codes else 'BL004'} -->"
                )
            elif not codes:
                problem = (
                    "a suppression names the rule codes it is for, e.g. "
                    f"<!-- incident-docs {verb} BL004 -->"
                )
            elif not valid:
                # A reason written after the codes: say which word is the trouble, and where
                # a reason may go.
                word = next(
                    w for w, code in zip(words, codes, strict=True) if not _CODE.match(code)
                )
                problem = (
                    f"'{word}' is no rule code: a suppression names the rule codes it is for and "
                    f"nothing else, e.g. <!-- incident-docs {verb} BL004 -->; write a reason in "
                    "a comment of its own above it"
                )
            else:
                problem = ""
            if problem:
                problems.append(Finding("SP002", problem, number, match.start() + 1))
                continue
            # A code named twice ("BL004 bl004") is one: an enable of it ended its block, then
            # said it ended none.
            codes = tuple(dict.fromkeys(codes))
            # Findings about suppressions are not suppressed by one: SP001 on a comment of
            # "disable SP001" read as that comment suppressing nothing, and removing it kept SP001.
            own = [c for c in codes if c.startswith("SP")]
            if own:
                problems.append(
                    Finding(
                        "SP002",
                        f"{', '.join(own)} cannot be suppressed by a comment: leave "
                        f"{'it' if len(own) == 1 else 'them'} out with --ignore {own[0]} or "
                        "per-file-ignores",
                        number,
                        match.start() + 1,
                    )
                )
            # A typo in one code ("BL011" for BL010): said, and the others still hold.
            unknown = [
                c for c in codes if known and not c.startswith("SP") and not _names_rules(c, known)
            ]
            if unknown:
                problems.append(
                    Finding(
                        "SP002",
                        f"no rule has the code {', '.join(unknown)}: see 'incident rules' for "
                        "the codes a suppression may name",
                        number,
                        match.start() + 1,
                    )
                )
            codes = tuple(c for c in codes if c not in own and c not in unknown)
            if not codes:
                continue
            if verb == "disable-next-line":
                if content_lines is None:
                    content_lines = _content_lines(doc)
                target = content_lines[number] or number + 1
                last = _value_end(doc, target) if target < doc.body_start else target
                markers = _MARKERS.match(doc.lines[number - 1], 0, match.start())
                found.append(
                    Suppression(
                        number,
                        codes,
                        target,
                        last,
                        column=match.start() + 1,
                        after_text=markers is not None and markers.end() < match.start(),
                    )
                )
            elif verb == "disable":
                # A code already disabled above stays in its first block: a second block would
                # hide it to the end of the file, the first enable ending only one of them.
                again = [code for code in codes if code in open_blocks]
                if again:
                    problems.append(
                        Finding(
                            "SP002",
                            f"disable {' '.join(again)} is already open (line "
                            f"{open_blocks[again[0]].line}): end that block with "
                            f"<!-- incident-docs enable {again[0]} --> first",
                            number,
                            match.start() + 1,
                        )
                    )
                fresh = tuple(code for code in codes if code not in open_blocks)
                if fresh:
                    block = Suppression(number, fresh, number, last_line, column=match.start() + 1)
                    found.append(block)
                    for code in fresh:
                        open_blocks[code] = block
            else:
                unopened = []
                for code in codes:
                    block_or_none = open_blocks.pop(code, None)
                    if block_or_none is not None:
                        block_or_none.last = number
                    else:
                        unopened.append(code)
                if unopened:
                    # It ends nothing: a typo in its codes, or a disable above it that is gone.
                    problems.append(
                        Finding(
                            "SP002",
                            f"enable {' '.join(unopened)} ends no block: no "
                            f"<!-- incident-docs disable {unopened[0]} --> is open above it",
                            number,
                            match.start() + 1,
                        )
                    )
    return found, problems, open_blocks


_SPREAD = (
    "a suppression is written on one line, e.g. <!-- incident-docs disable-next-line BL004 -->: "
    "this one does not end on its line, so it suppresses nothing"
)


_IN_VALUE = (
    "in the front-matter, a suppression is written in a YAML comment, after a '#' "
    "(# <!-- incident-docs disable-next-line BL004 -->): this one is read as part of the value "
    "above it, so it suppresses nothing"
)


def _unclosed(line: str, spans: Sequence[tuple[int, int]] | None = None) -> int:
    """Where a suppression comment opens on the line, outside its code spans (None: in a block
    of HTML, which has none), with no "-->" after it there (one written over several lines,
    which suppresses nothing), or -1. One after a backtick that closes nothing on the line may
    be in a code span that ends on the next."""
    closing = line.rfind("-->")  # once: a line of thousands of them is not read from each
    code = ([start for start, _end in spans or ()], [end - 1 for _start, end in spans or ()])
    loose = len(line)
    if spans is not None and "`" in line:
        loose = next(
            (run.start() for run in _BACKTICKS.finditer(line) if not _within(code, run.start())),
            loose,
        )
    for opened in _OPENED.finditer(line):
        if opened.start() > loose:
            break
        if closing < opened.end() and not _within(code, opened.start()):
            return opened.start()
    return -1


def _names_rules(code: str, known: Collection[str]) -> bool:
    """The code is a rule's, or the start of some rule's code ("BL", "BL00")."""
    return any(rule.startswith(code) for rule in known)


def suppressed(findings: Sequence[Finding], suppressions: Sequence[Suppression]) -> set[int]:
    """The indices of the findings a suppression covers (never one of SP), each suppression that
    covers one marked used.

    A suppression names rule codes or their prefixes ("BL", "BL00"), so each finding is looked up
    by the prefixes of its code, in the lines each code's suppressions cover together: a file of
    thousands of suppressions and findings (blocks that are never closed, say) is read once, not
    once per pair of them."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for candidate in suppressions:
        for code in candidate.codes:
            spans.setdefault(code, []).append((candidate.first, candidate.last))
    covered = {code: _merged(found) for code, found in spans.items()}
    lines: dict[str, list[int]] = {code: [] for code in spans}
    hidden: set[int] = set()
    for index, finding in enumerate(findings):
        if finding.code.startswith("SP"):
            continue
        for size in range(2, len(finding.code) + 1):
            prefix = finding.code[:size]
            if prefix in covered:
                lines[prefix].append(finding.line)
                if _within(covered[prefix], finding.line):
                    hidden.add(index)
    for found in lines.values():
        found.sort()
    for candidate in suppressions:
        candidate.used.update(
            code
            for code in candidate.codes
            if _any_between(lines[code], candidate.first, candidate.last)
        )
    return hidden


def _merged(spans: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """The lines the spans cover together, as the first and last lines of runs, in order."""
    firsts: list[int] = []
    lasts: list[int] = []
    for first, last in sorted(spans):
        if lasts and first <= lasts[-1]:
            lasts[-1] = max(lasts[-1], last)
        else:
            firsts.append(first)
            lasts.append(last)
    return firsts, lasts


def _within(runs: tuple[list[int], list[int]], line: int) -> bool:
    firsts, lasts = runs
    index = bisect_right(firsts, line) - 1
    return index >= 0 and line <= lasts[index]


def _any_between(lines: list[int], first: int, last: int) -> bool:
    """Some of the sorted lines lies between first and last (both included)."""
    index = bisect_left(lines, first)
    return index < len(lines) and lines[index] <= last


def _yaml_comment_starts(doc: Document) -> dict[int, int]:
    """For each front-matter line with a YAML comment, the 0-based column the comment starts at:
    a '#' that is no part of a value (not "deploy #4521", nor a line of a block scalar that
    starts with '#': "summary: |" then "  # <!-- incident-docs disable BL -->")."""
    lines = doc.lines[1 : doc.front_matter_end - 1]
    return {index + 2: len(lines[index]) - len(comment) for index, comment in yaml_comments(lines)}


def _value_end(doc: Document, line: int) -> int:
    """The last line of the front-matter value whose key is on `line`: the lines after it that
    are blank or indented further ("summary: >-" and its text), within the front-matter, and
    the items of a list YAML lets start at the key's own indentation ("action_items:" then
    "- title: …")."""
    key = doc.lines[line - 1]
    indent = len(key) - len(key.lstrip())
    # A key that is no list item's, with nothing after it on its line but a comment.
    opens_list = _OPENS_VALUE.fullmatch(key) is not None
    last = line
    for number in range(line + 1, doc.front_matter_end):
        text = doc.lines[number - 1]
        at = len(text) - len(text.lstrip())
        if opens_list and at == indent and _LIST_ITEM.match(text, at):
            last = number
            continue
        if at <= indent and text.lstrip().startswith("#"):
            continue  # a comment line between two items ends no value: the next line says
        if text.strip() and at <= indent:
            break
        if text.strip():
            last = number
    return last


_OPENS_VALUE = re.compile(r"[ \t]*+[^\s#-][^#]*:[ \t]*+(?:#.*)?")
"""A key whose value starts on the lines below ("action_items:", "impact:  # counted")."""
_LIST_ITEM = re.compile(r"-(?:[ \t]|$)")


def _content_lines(doc: Document) -> list[int]:
    """For each line, the line a next-line suppression on it is for (0 when there is none): the
    first line after it that is not blank, not another suppression written above it (each for
    the same line), and in the front-matter not a YAML comment. Read once from the end: a stack
    of thousands of suppressions is not read again from each of them."""
    following = [0] * (len(doc.lines) + 2)  # following[n]: the first content line from n on
    for number in range(len(doc.lines), 0, -1):
        text = doc.lines[number - 1].strip()
        passed_over = (
            not text
            or (number < doc.body_start and text.startswith("#"))
            or (text.startswith("<!--") and _COMMENT.fullmatch(text) is not None)
        )
        following[number] = following[number + 1] if passed_over else number
    return following[1:]  # index n: the line a suppression on line n is for


def unused_allowed(ctx: LintContext, used: frozenset[str]) -> tuple[str, list[Finding]] | None:
    """SP003 for each phrase of the blameless allow-list that kept no finding away in a lint of
    the whole archive (`used`, see Checker.allowed_used), or that repeats one listed before it
    (in other case or spacing), placed where the configuration file lists it."""
    listed: set[str] = set()
    found: list[tuple[int, str]] = []  # (index in the list, message)
    phrases = ctx.config.blameless.allow
    for index, phrase in enumerate(phrases):
        key = allowed_phrase(phrase)
        if key in listed:
            found.append((index, f"allowed phrase '{phrase}' is listed already: remove it"))
        elif key not in used:
            found.append((index, f"allowed phrase '{phrase}' keeps no finding away in the archive"))
        listed.add(key)
    if not found:
        return None
    path = ctx.config_path or ctx.root / CONFIG_FILE
    text = ""
    # Read once already, as the configuration; unreadable now, the findings go to its first line.
    with contextlib.suppress(OSError, UnicodeDecodeError):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
    setting, places = string_positions(text, ("blameless", "allow"))
    # Each phrase at its own place: one written twice alike has two, taken in order.
    where = [places[phrase].pop(0) if places.get(phrase) else setting for phrase in phrases]
    findings = [Finding("SP003", message, *where[index]) for index, message in found]
    return relative_display(path, ctx.root), findings
