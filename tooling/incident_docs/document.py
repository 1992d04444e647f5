"""The only reader of Markdown records: front-matter with the line of every key, headings, code.

Reading never raises on bad input: every problem becomes a Finding on the document.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import sys
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Literal

import yaml
from yaml.tokens import ScalarToken

from incident_docs.diagnostics import Finding, UsageError

try:  # the C composer is several times faster; the pure-Python one behaves the same
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

Location = tuple[str | int, ...]

MAX_NODES = 20_000
"""Nodes a front-matter may expand to (aliases included): stops alias bombs."""
MAX_DEPTH = 32

_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_INT = "tag:yaml.org,2002:int"
_SCALAR_TAGS = {
    _STR,
    _INT,
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    _TIMESTAMP,
}
_CONSTRUCTOR = yaml.SafeLoader("")  # only its scalar constructors are used, never on collections

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*))?$")
"""An ATX heading's level and text; the closing #s are removed by _atx_title, not a regex that
would backtrack over long runs of spaces."""
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")


@dataclass(frozen=True)
class Heading:
    level: int
    title: str
    line: int


@dataclass(frozen=True)
class Section:
    heading: Heading
    end_line: int
    """Last line (inclusive) before the next heading of the same or a higher level."""

    @property
    def start_line(self) -> int:
        return self.heading.line + 1


@dataclass
class Document:
    """A Markdown file split into front-matter and body, with 1-based line numbers throughout."""

    path: str
    text: str = ""
    lines: list[str] = field(default_factory=list)
    has_front_matter: bool = False
    front_matter: dict[str, Any] | None = None
    front_matter_end: int = 0
    """Line of the closing `---` (or `+++` of TOML front-matter, which is skipped, not read); 0
    when there is no front-matter."""
    key_lines: dict[Location, int] = field(default_factory=dict)
    value_starts: dict[Location, tuple[int, int]] = field(default_factory=dict)
    """Where each front-matter value written as a scalar starts: its 1-based line and 0-based
    column (of its opening quotation mark, when quoted)."""
    headings: list[Heading] = field(default_factory=list)
    code_lines: frozenset[int] = frozenset()
    """Lines inside code blocks (fence lines included) or HTML comments over several lines."""
    blocks: list[Block] = field(default_factory=list)
    """The body's Markdown blocks, in order."""
    problems: list[Finding] = field(default_factory=list)
    readable: bool = True
    bom: bool = False
    crlf: bool = False

    @property
    def body_start(self) -> int:
        return self.front_matter_end + 1

    def line_of(self, location: Location) -> int:
        """The line of a front-matter key, or of its nearest known parent, or the first line."""
        for end in range(len(location), 0, -1):
            line = self.key_lines.get(tuple(location[:end]))
            if line is not None:
                return line
        return 1

    def sections(self, level: int = 2) -> list[Section]:
        """The sections the headings of this level open, each up to the next heading of the same
        level or above (read from the end: one pass, however many headings)."""
        result = []
        end = len(self.lines)
        for heading in reversed(self.headings):
            if heading.level == level:
                result.append(Section(heading, end))
            if heading.level <= level:
                end = heading.line - 1
        result.reverse()
        return result

    def section_text(self, section: Section) -> str:
        return "\n".join(self.lines[section.start_line - 1 : section.end_line])


def read_document(
    path: Path, display: str, *, root: Path | None = None, max_bytes: int, body: bool = True
) -> Document:
    """Read a file from disk; unreadable, binary, oversized or escaping files become findings.
    Without `body`, the body's Markdown is not scanned (no blocks, headings or code lines): for
    a reader of the front-matter only."""
    doc = Document(path=display)
    try:
        # Only the file's own link: the folders on the way were checked where it was found.
        target = escapes(path, root) if root is not None and path.is_symlink() else None
        if target is not None:
            return _unreadable(
                doc, "IO005", f"symbolic link leads outside the repository ({target})"
            )
        with open_regular(path) as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > max_bytes:
                return _unreadable(
                    doc, "IO004", f"file is {size:,} bytes, over the {max_bytes:,} byte limit"
                )
            raw = handle.read()
    except OSError as exc:
        return _unreadable(doc, "IO001", f"cannot read file: {exc.strerror or exc}")
    except RuntimeError:  # pathlib's word for a symbolic link loop
        return _unreadable(doc, "IO001", "cannot read file: symbolic link loop")
    return parse_bytes(raw, display, max_bytes=max_bytes, body=body)


def escapes(path: Path, root: Path) -> Path | None:
    """Where the path really leads, when it is written inside the root but a symbolic link (its
    own or a folder's on the way) takes it outside; None when it stays inside, or is written
    outside the root in the first place."""
    written = Path(os.path.abspath(path))
    if not written.is_relative_to(os.path.abspath(root)):
        return None
    try:
        real = Path(os.path.realpath(path))  # unlike resolve(), no RuntimeError on a link loop
    except OSError:  # a link that cannot be read ("/proc/1/cwd"): its reader says so
        return None
    return None if real.is_relative_to(os.path.realpath(root)) else real


def open_regular(path: Path) -> BinaryIO:
    """The file opened for reading; OSError for anything but a regular file, which would block (a
    pipe) or never end (a device). Opened without waiting for a pipe's writer, and checked on
    what was opened, so nothing swapped in between is read."""
    handle = open(path, "rb", opener=_without_waiting)  # noqa: SIM115  # the caller closes it
    if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
        handle.close()
        raise OSError(errno.EINVAL, "not a regular file")
    return handle


def _without_waiting(name: str, flags: int) -> int:
    return os.open(name, flags | os.O_NONBLOCK)


def parse_bytes(raw: bytes, display: str, *, max_bytes: int, body: bool = True) -> Document:
    doc = Document(path=display)
    if len(raw) > max_bytes:
        # Standard input is read only to one byte over the limit: its whole size is unknown.
        return _unreadable(doc, "IO004", f"file is over the {max_bytes:,} byte limit")
    if b"\x00" in raw[:8192]:
        if _utf16(raw):
            return _unreadable(doc, "IO003", "UTF-16 text, not UTF-8; save the file as UTF-8")
        return _unreadable(doc, "IO002", "binary file (contains NUL bytes), not a Markdown record")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column, message = invalid_utf8(raw, exc)
        doc.readable = False
        doc.problems.append(Finding("IO003", message, line, column))
        return doc
    return parse_text(text, display, body=body)


def invalid_utf8(raw: bytes, error: UnicodeDecodeError) -> tuple[int, int, str]:
    """Where in the bytes the first one that is not UTF-8 stands (line, column), and what to say.
    Counted as every other finding and an editor count them: lines broken at CRLF, LF or a lone
    CR (as parse_text reads them), the column in characters, not bytes (the bytes before it are
    UTF-8), a byte-order mark no character."""
    before = raw[: error.start].decode("utf-8").removeprefix("\ufeff")
    lines = before.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    message = f"invalid UTF-8 (byte 0x{raw[error.start]:02x}); save the file as UTF-8"
    return len(lines), len(lines[-1]) + 1, message


def utf8_text(raw: bytes, label: str) -> str:
    """The bytes of a settings file (the configuration, the roster) as text; a UsageError naming
    the line of the first byte that is not UTF-8."""
    if b"\x00" in raw[:8192] and _utf16(raw):
        # Its every other byte NUL: a complaint about the first would not say what is wrong.
        raise UsageError(f"{label}:1: UTF-16 text, not UTF-8; save the file as UTF-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, _, message = invalid_utf8(raw, exc)
        raise UsageError(f"{label}:{line}: {message}") from None


def _utf16(raw: bytes) -> bool:
    """Text saved as UTF-16 (by a Windows editor, say): its byte-order mark, or every other byte
    of its start NUL, as in English text."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return True
    start = raw[:512]
    return (
        len(start) >= 8
        and bool(start.strip(b"\x00"))  # not NUL bytes only
        and (not start[1::2].strip(b"\x00") or not start[0::2].strip(b"\x00"))
    )


def parse_text(text: str, display: str, *, body: bool = True) -> Document:
    doc = Document(path=display)
    if text.startswith("\ufeff"):
        doc.bom = True
        text = text[1:]
    if "\r" in text:
        doc.crlf = "\r\n" in text
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    doc.text = text
    doc.lines = text.split("\n")
    if doc.lines and doc.lines[-1] == "":
        doc.lines.pop()
    _split_front_matter(doc)
    if body:
        _scan_body(doc)
    return doc


def parse_yaml_text(text: str, display: str) -> Document:
    """A plain YAML file (the roster) read like front-matter: its data and the line of each key."""
    doc = Document(path=display, lines=text.splitlines())
    _load_yaml(doc, text, first_line=1)
    return doc


def _unreadable(doc: Document, code: str, message: str) -> Document:
    doc.readable = False
    doc.problems.append(Finding(code, message))
    return doc


def _split_front_matter(doc: Document) -> None:
    lines = doc.lines
    if lines and lines[0].rstrip() == "+++":
        _skip_toml_front_matter(doc)
        return
    if not lines or lines[0].rstrip() != "---":
        return
    doc.has_front_matter = True
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            doc.front_matter_end = index + 1
            break
    else:
        doc.problems.append(
            Finding("FM001", "front-matter is not terminated: add a line '---' after it", 1, 1)
        )
        doc.front_matter_end = 1
        return
    source = "\n".join(lines[1 : doc.front_matter_end - 1])
    _load_yaml(doc, source, first_line=2)


def _place(source: str, index: int, first_line: int) -> tuple[int, int]:
    """The line and column of source[index], counting only line feeds as line breaks (YAML counts
    U+2028 and U+0085 too, which the file's lines do not)."""
    start = source.rfind("\n", 0, index) + 1
    return first_line + source.count("\n", 0, index), index - start + 1


def _skip_toml_front_matter(doc: Document) -> None:
    """TOML front-matter between '+++' lines (Hugo, Zola): a page written for another site, not a
    record. Its keys are that site's settings, not prose, so the body starts after it; left
    unterminated, the lines are the body."""
    for index in range(1, len(doc.lines)):
        if doc.lines[index].rstrip() == "+++":
            doc.front_matter_end = index + 1
            return


_SUPPRESSION_ALONE = re.compile(r"[ \t]*+<!--\s*+incident-docs[:\s]")


def _html_comment_near(
    source: str, index: int, error: yaml.MarkedYAMLError
) -> tuple[int, int] | None:
    """The line (0-based in the source) and 1-based column of a suppression written as in the
    body, without a '#', that opens the source's line `index` or the one before it (where YAML
    finds the error one makes), when it is that error: without it, YAML finds none there. An
    HTML comment a value holds, above an error of its own, is left to YAML's message."""
    lines = source.split("\n")
    for number in (index - 1, index):
        if 0 <= number < len(lines) and _SUPPRESSION_ALONE.match(lines[number]):
            without = "\n".join([*lines[:number], "", *lines[number + 1 :]])
            if _same_error(without, error):
                continue
            return number, len(lines[number]) - len(lines[number].lstrip(" \t")) + 1
    return None


def _same_error(source: str, error: yaml.MarkedYAMLError) -> bool:
    """Whether YAML finds the same error in the source, at the same place."""
    try:
        yaml.compose(source, Loader=_Loader)
    except yaml.MarkedYAMLError as again:
        was, now = error.problem_mark, again.problem_mark
        return (
            was is not None
            and now is not None
            and (was.line, was.column) == (now.line, now.column)
            and again.problem == error.problem
        )
    except (yaml.YAMLError, RecursionError):
        return True
    return False


def _load_yaml(doc: Document, source: str, first_line: int) -> None:
    try:
        node = yaml.compose(source, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(str(exc.problem or exc.context or "syntax error").split())
        opened = exc.context_mark
        context = exc.context or ""
        if (
            opened is not None
            and mark is not None
            and opened.line < mark.line
            and context
            and not context.startswith("while parsing a block")
        ):
            # An unclosed bracket or quote: point at where it opened, not where YAML gave up.
            # A block mapping or list is not closed: its context is its first key or item (the
            # front-matter's first line), and the problem is where YAML found it.
            problem = f"{' '.join(context.split())} that is not closed: {problem}"
            mark = opened
        line, column = _place(source, mark.index, first_line) if mark else (first_line, 1)
        html = _html_comment_near(source, line - first_line, exc)
        if html is not None:
            # Written as in the body (a suppression, most likely): YAML's complaint about the
            # line after it says nothing of the comment.
            line, column = first_line + html[0], html[1]
            problem = (
                "an HTML comment is no YAML: in the front-matter, write it in a YAML comment, "
                "after a '#' (# <!-- incident-docs disable-next-line BL004 -->)"
            )
        doc.problems.append(Finding("FM002", f"YAML syntax error: {problem}", line, column))
        return
    except yaml.reader.ReaderError as exc:
        # A character YAML does not take (a control character, say), by its place in the text.
        line, column = _place(source, exc.position, first_line)
        doc.problems.append(
            Finding(
                "FM002", f"YAML error: character U+{exc.character:04X} is not allowed", line, column
            )
            if isinstance(exc.character, int)
            else Finding("FM002", f"YAML error: {exc.reason}", line, column)
        )
        return
    except yaml.YAMLError as exc:
        doc.problems.append(
            Finding("FM002", f"YAML error: {' '.join(str(exc).split())}", first_line)
        )
        return
    except RecursionError:
        doc.problems.append(Finding("FM009", "front-matter nests too deeply", first_line))
        return
    if node is None:
        doc.front_matter = {}
        return
    builder = _Builder(doc, first_line)
    if not isinstance(node, yaml.MappingNode):
        doc.problems.append(
            Finding("FM002", "front-matter must be a mapping of keys to values", first_line)
        )
        return
    try:
        value = builder.build(node, (), 0)
    except _Refused as refused:
        doc.problems.append(refused.finding)
        return
    doc.front_matter = value if isinstance(value, dict) else {}


_COMMENT = re.compile(r"(?:^|(?<=\s))#")


def yaml_comments(lines: list[str]) -> Iterator[tuple[int, str]]:
    """The YAML comments of front-matter lines, by line index: a '#' after white space that is
    no part of a value ("deploy #4521", quoted or plain, or a line of a block scalar). The writer
    keeps them through an edit, and the review gate compares them: they hold suppressions."""
    source = "\n".join(lines) + "\n"
    values: list[tuple[int, int]] = []
    read = len(source)  # where YAML could read the text to
    try:
        for token in yaml.scan(source):
            read = token.end_mark.index
            if isinstance(token, ScalarToken):
                start = token.start_mark.index
                if token.style in ("|", ">"):
                    # A block scalar's text starts on the line after its header ("summary: >"),
                    # which may end in a comment.
                    start = source.find("\n", start) + 1 or start
                values.append((start, token.end_mark.index))
    except yaml.YAMLError:
        pass
    starts = [start for start, _ in values]
    offset = 0
    for index, line in enumerate(lines):
        for found in _COMMENT.finditer(line) if "#" in line else ():
            at = offset + found.start()
            if at >= read and line[: found.start()].strip(" \t"):
                break  # past what YAML could read, a '#' after text may be in a quoted value
            value = bisect_right(starts, at) - 1
            if value < 0 or values[value][1] <= at:
                yield index, line[found.start() :]
                break
        offset += len(line) + 1


def _short(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")


class _Refused(Exception):
    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.message)
        self.finding = finding


class _Builder:
    """Turns composed YAML nodes into plain values, refusing object tags and bounding expansion."""

    def __init__(self, doc: Document, first_line: int) -> None:
        self.doc = doc
        self.first_line = first_line
        self.nodes = 0
        self.collections: set[int] = set()
        self.aliased = False
        """A list or mapping was built twice: an alias repeats it."""

    def line(self, node: yaml.Node) -> int:
        return self.first_line + node.start_mark.line

    def refuse(self, code: str, message: str, node: yaml.Node) -> _Refused:
        return _Refused(Finding(code, message, self.line(node), node.start_mark.column + 1))

    def build(self, node: yaml.Node, location: Location, depth: int) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.refuse(
                "FM009",
                f"front-matter expands to over {MAX_NODES:,} values through YAML aliases"
                if self.aliased
                else f"front-matter holds over {MAX_NODES:,} values",
                node,
            )
        tag = node.tag
        if tag in (_STR, _TIMESTAMP) and type(node) is yaml.ScalarNode:
            # Most values: text. Timestamps stay text too: the models parse them and can tell a
            # naive one apart.
            return str(node.value)
        if depth > MAX_DEPTH:
            raise self.refuse("FM009", f"front-matter nests deeper than {MAX_DEPTH} levels", node)
        if isinstance(node, yaml.CollectionNode):
            if id(node) in self.collections:
                self.aliased = True
            self.collections.add(id(node))
        if isinstance(node, yaml.MappingNode):
            if node.tag != _MAP:
                raise self.refuse(
                    "FM009", f"YAML tag {_short(node.tag)} is not allowed in front-matter", node
                )
            first_line = self.first_line
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise self.refuse(
                        "FM009", "YAML merge keys (<<) are not allowed in front-matter", key_node
                    )
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _STR:
                    raise self.refuse("FM004", "front-matter keys must be plain words", key_node)
                key = str(key_node.value)
                if key in result:
                    raise self.refuse(
                        "FM010",
                        f"key '{key}' appears twice; the first value would be lost",
                        key_node,
                    )
                child = (*location, key)
                self.doc.key_lines[child] = first_line + key_node.start_mark.line
                if isinstance(value_node, yaml.ScalarNode):
                    self.doc.value_starts[child] = (
                        first_line + value_node.start_mark.line,
                        value_node.start_mark.column,
                    )
                result[key] = self.build(value_node, child, depth + 1)
            return result
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                raise self.refuse(
                    "FM009", f"YAML tag {_short(node.tag)} is not allowed in front-matter", node
                )
            first_line = self.first_line
            items = []
            for index, item in enumerate(node.value):
                child = (*location, index)
                self.doc.key_lines[child] = first_line + item.start_mark.line
                items.append(self.build(item, child, depth + 1))
            return items
        if node.tag not in _SCALAR_TAGS:
            raise self.refuse(
                "FM009", f"YAML tag {_short(node.tag)} is not allowed in front-matter", node
            )
        try:
            return _CONSTRUCTOR.yaml_constructors[node.tag](_CONSTRUCTOR, node)
        except (ValueError, yaml.YAMLError) as exc:
            raise self.refuse("FM002", _unreadable_value(node, exc), node) from None


def _unreadable_value(node: yaml.Node, error: Exception) -> str:
    """Why a scalar cannot be read, in the document's terms (see too_long_number)."""
    if node.tag == _INT:
        too_long = too_long_number(str(node.value))
        if too_long is not None:
            return too_long
    return f"YAML value cannot be read: {' '.join(str(error).split())}"


def too_long_number(written: str) -> str | None:
    """What to say of a number written with more digits than Python reads (None: it has no more):
    Python's own words on an integer of 5,000 digits point at a setting of the interpreter
    ("use sys.set_int_max_str_digits()"), not at the value."""
    limit = sys.get_int_max_str_digits()
    digits = sum(character.isdigit() for character in written)
    if not limit or digits <= limit:
        return None
    return f"number too long ({digits:,} digits; at most {limit:,})"


_DIGIT_RUN = re.compile(r"\d[\d_]*")


def too_long_number_line(text: str) -> tuple[int, str] | None:
    """The 1-based line of the first number in the text too long to read, and what to say of it:
    for a reader that says neither (tomllib)."""
    for match in _DIGIT_RUN.finditer(text):
        too_long = too_long_number(match.group(0))
        if too_long is not None:
            return text.count("\n", 0, match.start()) + 1, too_long
    return None


_MERGE = "tag:yaml.org,2002:merge"
_PLAIN_SCALARS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("null", "bool", "int", "float", "timestamp", "binary")
)


class _Unusual(Exception):
    """A node the plain walk leaves to PyYAML's own constructor."""


def load_plain_yaml(text: str, *, times_as_text: bool = False) -> Any:
    """yaml.load with the C loader, faster for front-matter without anchors (the site's quick
    path; lint reads with _load_yaml, which keeps positions and refuses what it must): the C parser
    composes the nodes and a plain walk builds them; explicit collection tags and merge keys
    take PyYAML's constructor, so the result is always what yaml.load gives.

    With `times_as_text`, dates and times stay text, as lint reads them, so that the models
    refuse the same ones ("12:00:00 +00:00"); what the plain walk cannot build is then a
    ValueError, for the careful reader to explain."""
    node = yaml.compose(text, Loader=_Loader)
    if node is None:
        return None
    try:
        return _build_plain(node, times_as_text)
    except (_Unusual, RecursionError):
        if times_as_text:
            raise ValueError("front-matter the plain walk does not build") from None
        return yaml.load(text, Loader=_Loader)


def _build_plain(node: yaml.Node, times_as_text: bool = False) -> Any:
    kind = type(node)
    if kind is yaml.ScalarNode:
        if node.tag == _STR or (times_as_text and node.tag == _TIMESTAMP):
            return node.value
        if node.tag not in _PLAIN_SCALARS:
            raise _Unusual
        return _CONSTRUCTOR.yaml_constructors[node.tag](_CONSTRUCTOR, node)
    if kind is yaml.MappingNode and node.tag == _MAP:
        built = {}
        for key, value in node.value:
            if key.tag == _MERGE:
                raise _Unusual
            try:
                built[_build_plain(key, times_as_text)] = _build_plain(value, times_as_text)
            except TypeError:  # an unhashable key: PyYAML's own error says so
                raise _Unusual from None
        return built
    if kind is yaml.SequenceNode and node.tag == _SEQ:
        return [_build_plain(item, times_as_text) for item in node.value]
    raise _Unusual


def _scan_body(doc: Document) -> None:
    """Split the body into blocks once; headings and code lines are read off them."""
    doc.blocks = scan_blocks(doc.lines, doc.body_start)
    code: set[int] = set()
    headings: list[Heading] = []
    for block in doc.blocks:
        if block.kind == "heading" and not block.in_list:
            # A heading in a list item is shown in the list: no section of the document.
            headings.append(Heading(block.level, block.title, block.line))
        elif block.kind == "code" or (block.kind == "html" and block.end_line > block.line):
            # A one-line comment stays visible: suppression comments are written that way.
            code.update(range(block.line, block.end_line + 1))
    doc.headings = headings
    doc.code_lines = frozenset(code)


BlockKind = Literal[
    "heading", "paragraph", "list_item", "table_row", "quote", "code", "html", "break", "reference"
]
PROSE_KINDS = frozenset({"heading", "paragraph", "list_item", "table_row", "quote"})
"""Blocks whose text is published as prose (code, HTML comments and link definitions are not)."""

MAX_MARKUP_RUN = 256
"""The longest run of '*' or '_', and the most '[' or HTML elements open at once, that the site
takes: Python-Markdown recurses once per emphasis marker (3,000 exhaust the stack) and rescans
nested brackets from each one (16,000 take minutes), and the search index's parser slows with
the square of how deep elements nest (10,000 take 12 s, a 2 MB file an hour)."""
MAX_LIST_DEPTH = 100
"""The most list markers one line may open ("- - - … x"): Python-Markdown recurses once per level
of nesting, and a few hundred levels exhaust the stack."""
MAX_LIST_COLUMN = MAX_LIST_DEPTH * 5 // 2
"""The furthest column a list item's text may start at: a hundred levels indented two spaces
each, and a few more."""
_EMPHASIS_RUN = re.compile(rf"([*_])\1{{{MAX_MARKUP_RUN},}}")
_BRACKET = re.compile(r"[\[\]]")
_MARKER = r"(?:[-*+]|\d{1,9}[.)])[ \t]++"
_MARKERS = re.compile(rf"^(?:[ \t]*+{_MARKER}){{{MAX_LIST_DEPTH + 1},}}", re.MULTILINE)
_FENCE_OPENING = re.compile(r"[ \t]*(?:`{3,}|~{3,})")
_TAG = re.compile(r"<(/?)([A-Za-z][\w-]*)[^<>]*?(/?)>")
_UNCOUNTED_ELEMENTS = frozenset(
    # Void elements, and those whose end tag HTML lets the author leave out: an HTML table of
    # unclosed cells is not deep.
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param"}
    | {"source", "track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup"}
    | {"thead", "tbody", "tfoot", "colgroup", "rp", "rt"}
)


def too_deep_to_render(doc: Document) -> tuple[int, str] | None:
    """The first place the body nests markup deeper than the site's renderer can take, as its
    line and what is there and what to do; None when there is none.

    Fenced code, rules and link definitions are not limited, nor HTML blocks at the top level
    but for how deep their elements nest: the renderer does not parse them for emphasis. Indented
    code is, and HTML in a list item or a quote: for Python-Markdown, text indented under an
    admonition or a list item is prose, and it reads HTML there for emphasis too."""
    open_elements = 0
    for block in doc.blocks:
        if block.kind in ("break", "reference") or (
            block.kind == "code" and _FENCE_OPENING.match(block.text) is not None
        ):
            continue
        text = _without_quoted_code(block)
        # Elements stay open from block to block ("<details>" … "</details>"); the search
        # index's HTML parser compares every open one at each new one.
        for tag in _TAG.finditer(text) if "<" in text else ():
            if tag.group(1):
                open_elements = max(0, open_elements - 1)
            elif not tag.group(3) and tag.group(2).lower() not in _UNCOUNTED_ELEMENTS:
                open_elements += 1
                if open_elements > MAX_MARKUP_RUN:
                    return _line_in(block, tag.start()), (
                        f"more than {MAX_MARKUP_RUN} HTML elements open at once, deeper than "
                        "the site can index: close them or put them in a fenced code block"
                    )
        if block.kind == "html" and not block.level:
            continue  # at the top level, the site passes it through as it is
        if block.kind == "list_item" and block.level > MAX_LIST_COLUMN:
            return block.line, (
                f"a list item nested to column {block.level:,}, deeper than the site can render "
                f"(at most {MAX_LIST_COLUMN}): nest it less deeply"
            )
        found = _MARKERS.search(text)
        if found is not None:
            markers = len(re.findall(_MARKER, found.group(0)))
            return _line_in(block, found.start()), (
                f"{markers:,} list markers on one line, nested deeper than the site can render "
                f"(at most {MAX_LIST_DEPTH}): nest it less deeply"
            )
        found = _EMPHASIS_RUN.search(text)
        if found is not None:
            return _line_in(block, found.start()), (
                f"a run of {len(found.group(0)):,} '{found.group(1)}', longer than the site can "
                f"render (at most {MAX_MARKUP_RUN}): escape them or put them in a fenced code block"
            )
        if text.count("[") > MAX_MARKUP_RUN:
            depth = 0
            for bracket in _BRACKET.finditer(text):
                depth = depth + 1 if bracket.group(0) == "[" else max(0, depth - 1)
                if depth > MAX_MARKUP_RUN:
                    return _line_in(block, bracket.start()), (
                        f"more than {MAX_MARKUP_RUN} '[' open at once, deeper than the site can "
                        "render: escape them or put them in a fenced code block"
                    )
    return None


def quoted_code_lines(block: Block) -> frozenset[int]:
    """The lines of a block quote (0-based, within the block) that are code inside it, as outside
    a quote: a fenced or indented code block ("> ```", ">     $ kubectl …"), read by the block
    scanner from what follows the quote's markers (every level of them at once). A line without
    a marker (a lazy line) ends what was open. HTML in a quote is not code: the site reads it."""
    if block.kind != "quote" or not _MAY_HOLD_CODE.search(block.text):
        return frozenset()
    found: set[int] = set()
    lines = block.text.split("\n")
    first = 0
    while first < len(lines):
        run: list[str] = []
        while first + len(run) < len(lines):
            marked = _QUOTE_MARKS.match(lines[first + len(run)])
            if marked is None:
                break
            run.append(lines[first + len(run)][marked.end() :])
        for inner in scan_blocks(run):
            if inner.kind == "code":
                found.update(range(first + inner.line - 1, first + inner.end_line))
        first += len(run) + 1  # past the run and the lazy line after it
    return frozenset(found)


_QUOTE_MARKS = re.compile(r" {0,3}(?:> ?)+")
"""Every level of a quote's markers, each with the space after it."""
_MAY_HOLD_CODE = re.compile(r"```|~~~|> ?(?: {4}|\t)")
"""What a quote holding code holds somewhere: most quotes hold none."""


def _without_quoted_code(block: Block) -> str:
    """The block's text with the fenced code inside a quote blanked out, offsets kept."""
    code = quoted_code_lines(block)
    if not code:
        return block.text
    lines = block.text.split("\n")
    return "\n".join(" " * len(line) if index in code else line for index, line in enumerate(lines))


def _line_in(block: Block, offset: int) -> int:
    return block.line + block.text.count("\n", 0, offset)


@dataclass(frozen=True)
class Block:
    """A run of lines that Markdown renders as one thing, with 1-based line numbers."""

    kind: BlockKind
    line: int
    end_line: int
    text: str
    """The block's lines as written (markers included), joined by newlines."""
    level: int = 0
    """Heading level; for list items, the column their content starts at; for indented code or
    an HTML block in a list item, the column the item's content starts at (0 outside lists)."""
    in_list: bool = False
    """The block is inside a list item: a heading there is shown in the list, not as a section
    of the document."""

    @property
    def title(self) -> str:
        """A heading's text without its markers."""
        if self.kind != "heading":
            return ""
        atx = _ATX.match(self.text.lstrip(" \t"))
        if atx and self.line == self.end_line:
            return _atx_title(atx.group(2))
        return " ".join(part.strip() for part in self.text.split("\n")[:-1])


_BLANK_OR_PLAIN = frozenset("#`~<=->|*+_ \t0123456789[") | {""}
"""First characters of the lines that may be more than paragraph text (and the empty line)."""
_LIST_MARKER = re.compile(r"^( {0,3})([-*+]|\d{1,9}[.)])(?:([ \t]+)(?=\S)|[ \t]*$)")
_BREAK = re.compile(r"^ {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
_TABLE = re.compile(r"^ {0,3}\|")
_TABLE_DELIMITER = re.compile(
    # Possessive quantifiers: a long line of spaces must not make the match quadratic.
    r"^ {0,3}\|?[ \t]*+:?-++:?[ \t]*+(?:\|[ \t]*+:?-++:?[ \t]*+)*+\|?[ \t]*+$"
)
_QUOTE_LINE = re.compile(r"^ {0,3}>")
_REFERENCE = re.compile(
    r"^ {0,3}\[(?!\^)[^\]]+\]:[ \t]*(?:<[^<>\n]*>|[^\s<][^\s]*)"
    r"(?:[ \t]+(?:\"[^\"]*\"|'[^']*'|\([^()]*\)))?[ \t]*$"
)
"""A link reference definition; not a footnote's ("[^1]: text"), which the site shows as prose."""
_HIDDEN_HTML = re.compile(r"^ {0,3}(<!--|<\?|<!\[CDATA\[|<![A-Za-z])")
"""The HTML blocks a browser does not show, up to the line that closes them (CommonMark's
second to fifth kinds): a comment, a processing instruction ("<?php"), a CDATA section and a
declaration ("<!DOCTYPE html>")."""
_HIDDEN_HTML_END = {"<!--": "-->", "<?": "?>", "<![CDATA[": "]]>"}
"""What closes each of them; ">" a declaration."""
_HTML_TEXT = re.compile(
    r"^ {0,3}<(?:address|article|aside|blockquote|body|center|colgroup|dd|details|div|dl|dt"
    r"|fieldset|figcaption|figure|footer|form|h[13-6]|header|html|iframe|legend|li|main|menu"
    r"|nav|ol|option|p|section|summary|table|tbody|td|tfoot|th|thead|tr|ul)(?=[ \t>]|$)",
    re.IGNORECASE,
)
"""A start tag of a block element that opens a line: an HTML block up to the next blank line
(CommonMark's sixth kind), raw HTML to its end tag on the site. Its lines up to whichever comes
first are shown as text, none of them Markdown (a "## Summary" there is no heading, an indented line no code); only the
names both read so (an end tag, "<div/>" or "<h2>" opens none on the site)."""
_RAW_HTML = re.compile(r"^ {0,3}<(pre|script|style|textarea)(?=[\s>]|$)", re.IGNORECASE)
"""The HTML blocks whose content is never Markdown (CommonMark's first kind), up to the line
that closes them."""
_RAW_HTML_END = re.compile(r"</(?:pre|script|style|textarea)>", re.IGNORECASE)


def _closes_html(line: str, end: str) -> bool:
    """The line ends the open HTML block: a comment's with '-->' (and the like, see
    _HIDDEN_HTML_END), a raw block's ("</") with the end tag of any of the four kinds, as
    CommonMark reads them."""
    if end != "</":
        return end in line
    return "</" in line and _RAW_HTML_END.search(line) is not None


_HEADING_TAIL = re.compile(r"[ \t]+(?:\{[^{}\n]*\}|<!--(?:(?!-->).)*-->)[ \t]*\Z")
"""What ends a heading's line but is not its title: an attribute list ("{#lessons}", the site's
attr_list) or an HTML comment."""


def _atx_title(text: str | None) -> str:
    """An ATX heading's text without the optional closing sequence of #s, and without an
    attribute list or a comment at its end."""
    title = (text or "").rstrip(" \t")
    bare = title.rstrip("#")
    if len(bare) < len(title) and (not bare or bare[-1] in " \t"):
        title = bare
    title = title.strip(" \t")
    listed = False  # attr_list reads one attribute list at the end
    # The title ends at `end`: each tail is cut by moving it, never by copying what is left, so
    # that a heading of thousands of comments is read in one pass.
    end = len(title)
    while title.endswith("-->", 0, end) or (title.endswith("}", 0, end) and not listed):
        # Searched from the last "{" or "<!--" only: one pass, however long the title.
        braced = title.endswith("}", 0, end)
        listed = listed or braced
        start = title.rfind("{" if braced else "<!--", 0, end)
        # The tail opens with the white space before it.
        if start < 1 or _HEADING_TAIL.match(title, start - 1, end) is None:
            break
        end = start
        while end and title[end - 1] in " \t":
            end -= 1
    return title[:end]


_CELL_BORDER = re.compile(r"(?<!\\)\|")
"""A pipe between cells; one a backslash escapes is text ("a \\| b")."""


def _cells(row: str) -> int:
    return len(_CELL_BORDER.split(row.strip().strip("|")))


def _starts_table(header: str, below: str) -> bool:
    """A header row followed by a delimiter row with as many cells: a table, not a paragraph."""
    return _TABLE_DELIMITER.match(below) is not None and _cells(below) == _cells(header)


def _lazy(kind: BlockKind | None, goes_on: bool, outside: bool) -> bool:
    """The line goes on a quote's or a list item's paragraph lazily (left of the item's content,
    or without the quote's marker): it cannot start a table, nor end the item."""
    return goes_on and (kind == "quote" or (kind in ("list_item", "paragraph") and outside))


def _holds_text(content: str) -> bool:
    """A list item's first line holds paragraph text, which the next line may go on lazily: not
    a heading or a rule."""
    return _ATX.match(content) is None and _BREAK.match(content) is None


_MAX_QUOTE_LEVELS = 32
"""How deep quotes written with spaces between their markers ("> >  > x") are read for a lazy
line; deeper, the line goes on the quote."""


def _unquoted(line: str) -> str:
    """A quote's line without its markers, however far its list item indents them ("    > x"
    under "  - "), its indentation in columns: a tab after a marker reaches the next tab stop,
    less the marker's space (">\ttext" is text two columns in, not code)."""
    column = 0
    index = 0
    while index < len(line) and line[index] in " \t":
        column += 1 if line[index] == " " else 4 - column % 4
        index += 1
    if not line.startswith(">", index):
        return line
    left = 0  # columns of a tab after a marker that are the line's, not the marker's space
    while line.startswith(">", index) and not left:
        index += 1
        column += 1
        if line.startswith(" ", index):
            index += 1
            column += 1
        elif line.startswith("\t", index):
            left = 3 - column % 4
            column += left + 1
            index += 1
    rest = line[index:]
    text = rest.lstrip(" \t")
    for char in rest[: len(rest) - len(text)]:
        width = 1 if char == " " else 4 - column % 4
        left += width
        column += width
    return " " * left + text


def _quote_goes_on(lines: list[str], lazy: int, depth: int = 0) -> bool:
    """A block quote's lines (markers included) end in paragraph text, which a line without a
    marker goes on lazily: not in code, a heading or a table, which the quote ends before it.
    Read from its last line without a marker (`lazy`, 0 if none), where its paragraph was open:
    a quote of thousands of such lines is read once."""
    inner = ["text"] if lazy else []
    inner += [_unquoted(line) for line in lines[lazy + 1 if lazy else 0 :]]
    found = scan_blocks(inner)
    if not found or found[-1].end_line != len(inner):
        return False
    last = found[-1]
    if last.kind == "quote" and depth < _MAX_QUOTE_LEVELS:
        return _quote_goes_on(inner[last.line - 1 :], 0, depth + 1)
    return last.kind in ("paragraph", "list_item", "quote")


def _opens_table(header: str, lines: list[str], number: int, item_indent: int = -1) -> bool:
    """A header row with a delimiter row below it: one that starts with a pipe, or one of two
    cells or more without ("Time | What" over "--- | ---"), as on the site and on GitHub. The
    delimiter is in the same block: inside the open list item (`item_indent`), and indented
    less than code."""
    if number >= len(lines):
        return False
    below = lines[number]
    if item_indent >= 0:
        if indent_columns(below) < item_indent:
            return False  # the item's lazy line, not its table's
        below = dedent_columns(below, item_indent)
    return (
        indent_columns(below) < 4
        and (_TABLE.match(header) is not None or _cells(header) > 1)
        and _starts_table(header, below)
    )


def indent_columns(line: str) -> int:
    """Columns of leading white space (tabs to the next multiple of four)."""
    width = 0
    for char in line:
        if char == " ":
            width += 1
        elif char == "\t":
            width += 4 - width % 4
        else:
            break
    return width


def dedent_columns(line: str, columns: int) -> str:
    """The line without up to `columns` columns of leading white space."""
    removed = 0
    index = 0
    while index < len(line) and removed < columns and line[index] in " \t":
        removed += 1 if line[index] == " " else 4 - removed % 4
        index += 1
    return line[index:]


def closing_lines(text: str) -> list[str]:
    """The lines that end what the Markdown text leaves open: a fenced code block, a raw HTML
    block (`<pre>` and its kind), an HTML comment never closed, or an element the site reads as
    raw HTML to its end tag (`<details>`, `<div>`). A piece copied from one record into another
    must not take the rest of its new document into a code block, a comment or an element: a
    heading after it must be read as one, on GitHub and on the site."""
    lines = text.split("\n")
    closing: list[str] = []
    if not _reads_heading_after(lines):
        last = scan_blocks(lines)[-1]
        opening = last.text.split("\n", 1)[0]
        inner = dedent_columns(opening, indent_columns(opening))
        raw = _RAW_HTML.match(inner)
        if last.kind == "code" and inner.startswith(("```", "~~~")):
            # The opening fence again, as indented: in a list item, at its content column.
            run = inner[: len(inner) - len(inner.lstrip(inner[0]))]
            closing = [opening[: len(opening) - len(inner)] + run]
        elif last.kind == "html" and raw is not None:
            closing = [f"</{raw.group(1)}>"]
        if not (closing and _reads_heading_after([*lines, *closing])):
            return []  # nothing a closing line ends
        lines += closing
    in_comment, elements = _left_open(lines, _site_fences(lines))
    # A comment open as GitHub reads the fences (CommonMark) is ended too: a stray "-->" shows
    # on the site, where the draft's sections would be hidden on GitHub.
    commonmark = {
        number
        for block in scan_blocks(lines)
        if block.kind == "code"
        for number in range(block.line, block.end_line + 1)
    }
    in_comment = in_comment or _left_open(lines, commonmark)[0]
    # A comment another one closes later in the new document would hide what lies between
    # them; an element the site's Markdown reads as raw HTML runs to its end tag.
    return closing + (["-->"] if in_comment else []) + [f"</{e}>" for e in reversed(elements)]


_HTML_ELEMENT_NAMES = """
    a abbr acronym address applet area article aside audio b base basefont bdi bdo bgsound big
    blink blockquote body br button canvas caption center cite code col colgroup data datalist
    dd del details dfn dialog dir div dl dt em embed fieldset figcaption figure font footer form
    frame frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html i iframe img input ins isindex
    kbd keygen label legend li link listing main map mark marquee math menu menuitem meta meter
    multicol nav nextid nobr noembed noframes noscript object ol optgroup option output p param
    picture plaintext pre progress q rb rp rt rtc ruby s samp script search section select slot
    small source spacer span strike strong style sub summary sup svg table tbody td template
    textarea tfoot th thead time title tr track tt u ul var video wbr xmp
    """
HTML_ELEMENTS: frozenset[str] = frozenset(_HTML_ELEMENT_NAMES.split())
"""The elements of HTML (the living standard's and the obsolete ones its parser knows). A tag
of another name is none the site keeps: it shows it as written, a placeholder ("<pod>")."""

BLOCK_ELEMENTS = frozenset(
    {"address", "article", "aside", "blockquote", "body", "canvas", "caption", "center"}
    | {"colgroup", "dd", "details", "dialog", "div", "dl", "dt", "fieldset", "figcaption"}
    | {"figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup"}
    | {"html", "iframe", "legend", "li", "main", "map", "math", "menu", "nav", "noscript"}
    | {"object", "ol", "option", "output", "p", "progress", "section", "summary", "table"}
    | {"tbody", "td", "tfoot", "th", "thead", "tr", "ul", "video"}
)
"""Elements the site's Markdown reads, opening a line, as a raw HTML block to their end tag."""
_OPENS_LINE = re.compile(r" {0,3}<[A-Za-z!]")
_MARKUP = re.compile(r"<!--|-->|<(/?)([A-Za-z][\w-]*)[^<>]*?(/?)>")


_SITE_FENCE = re.compile(
    # A language and options in braces or as key="value" (superfences' own header); another
    # header ("```plain text") opens no fence there.
    r"""([ \t]*)(`{3,}|~{3,})[ \t]*([\w+#.-]*[ \t]*(?:\{[^}]*\}|(?:[\w-]+="[^"]*"[ \t]*)*))[ \t]*$"""
)


def _site_fences(lines: list[str]) -> set[int]:
    """The lines of fenced code as the site's Markdown finds them, before it reads raw HTML
    (pymdownx.superfences): a fence with a header it takes, lines indented as it is, then the
    same fence as indented; a fence never closed so is text there."""
    code: set[int] = set()
    index = 0
    while index < len(lines):
        opened = _SITE_FENCE.fullmatch(lines[index])
        if opened is not None:
            indent, run = opened.group(1), opened.group(2)
            for end in range(index + 1, len(lines)):
                closing = _SITE_FENCE.fullmatch(lines[end])
                if (
                    closing is not None
                    and closing.group(1) == indent
                    and closing.group(2) == run  # as long, no longer
                    and not closing.group(3).strip()
                ):
                    # Its lines indented as the fence is, or it is no fence there.
                    held = lines[index + 1 : end]
                    if all(line.startswith(indent) or not line.strip() for line in held):
                        code.update(range(index + 1, end + 2))
                        index = end
                    break
        index += 1
    return code


def _left_open(lines: list[str], code: set[int]) -> tuple[bool, list[str]]:
    """Whether the lines leave a comment open, and the block elements they open and never end,
    outermost first, as the site reads raw HTML: from a line that opens with a tag or a
    comment, all of it and what follows (backticks there are no code span); a tag or a comment
    within a paragraph's text opens nothing, nor does code (its fences are read first)."""
    stack: list[str] = []
    in_comment = False
    for number, line in enumerate(lines, start=1):
        if number in code or ("<" not in line and "-->" not in line):
            continue
        if not (in_comment or stack or _OPENS_LINE.match(line)):
            continue
        in_comment = _scan_tags(line, in_comment, stack)
    return in_comment, stack


def _scan_tags(line: str, in_comment: bool, stack: list[str]) -> bool:
    """Push on `stack` the block elements the line opens, and take off those its end tags end,
    as the site reads raw HTML (see _left_open); a comment's tags open nothing. Whether a
    comment is open at the end of the line, given whether one was at its start."""
    for found in _MARKUP.finditer(line):
        markup = found.group(0)
        if in_comment:
            in_comment = markup != "-->"
        elif markup == "<!--":
            in_comment = True
        elif markup != "-->":
            name = found.group(2).lower()
            if name not in BLOCK_ELEMENTS or found.group(3):
                continue
            if not found.group(1):
                stack.append(name)
            elif name in stack:
                del stack[len(stack) - 1 - stack[::-1].index(name) :]
    return in_comment


def _end_elements(line: str, stack: list[str]) -> None:
    """_scan_tags of a line read on its own: a comment it opens ends with it."""
    _scan_tags(line, False, stack)


def inside_html(doc: Document, first: int, number: int) -> bool:
    """Line `number` is inside a comment or a block element (`<details>`) that the lines from
    `first` up to it open and do not end, as the site reads raw HTML."""
    code = {line - first + 1 for line in doc.code_lines if first <= line < number}
    in_comment, elements = _left_open(doc.lines[first - 1 : number - 1], code)
    return in_comment or bool(elements)


def _closes_fence(line: str, fence: str) -> bool:
    stripped = line.strip()
    return indent_columns(line) < 4 and stripped.startswith(fence) and not stripped.strip(fence[0])


def _fence_closed_in_text(
    line: str, lines: list[str], number: int, unclosed: dict[str, int]
) -> bool:
    """The line opens a fence that a later line closes, past a blank line too: the site reads
    fenced code before raw HTML, in the whole record. `unclosed` holds, for each fence
    character, the shortest fence known to close nowhere: a longer one further down does not
    either, and the lines are not read again for it."""
    opened = _FENCE.match(line)
    if opened is None or (opened.group(1)[0] == "`" and "`" in opened.group(2)):
        return False
    fence = opened.group(1)
    if len(fence) >= unclosed.get(fence[0], len(line) + 1):
        return False
    if any(_closes_fence(later, fence) for later in lines[number:]):
        return True
    unclosed[fence[0]] = len(fence)
    return False


def _reads_heading_after(lines: list[str]) -> bool:
    probe = scan_blocks([*lines, "", "# end"])
    return probe[-1].kind == "heading" and probe[-1].line == len(lines) + 2


def scan_blocks(lines: list[str], first: int = 1) -> list[Block]:
    """Split lines[first-1:] into Markdown blocks, the way CommonMark (with tables) reads them.

    This is the one block scanner: the document's headings and code lines, the blameless checks
    and the site's staging all read their structure from it. It follows CommonMark for what
    matters to them (fences, indented code, HTML comments, ATX and setext headings, lists, block
    quotes, thematic breaks) and reads a line that starts with a pipe as a table row.
    """
    blocks: list[Block] = []
    kind: BlockKind | None = None  # the open block that later lines may continue
    start = 0
    parts: list[str] = []
    level = 0
    item_indent = -1  # content column of the innermost open list item, -1 outside lists
    items: list[int] = []  # content columns of the open list items, outermost first
    reach = 0  # how many of them the line is inside (by its indentation)
    in_list = False  # the open block is inside a list item
    fence = ""
    fence_indent = 0  # columns the open fence is indented, its list item's included
    fence_item = -1  # content column of the list item the open fence is in, -1 outside lists
    html_end = "-->"  # what closes the open HTML block: "-->" (and the like), or "</" for a raw one
    html_text = False  # in an HTML block of block elements, shown as text up to a blank line
    elements: list[str] = []  # the block elements open in it, outermost first
    unclosed: dict[str, int] = {}  # the fences known to close nowhere, in such a block
    prev_blank = True
    outside = False  # the line starts left of the open list item's content
    in_table = False  # the previous line was a row of a table (one with a delimiter row)
    item_text = False  # the open list item holds paragraph text, which a line may continue
    item_empty = False  # the open list item is a marker alone
    quote_lazy = 0  # index in parts of the open quote's last line without a marker, 0 if none

    def close(end: int) -> None:
        nonlocal kind
        if kind is not None:
            blocks.append(Block(kind, start, end, "\n".join(parts), level, in_list))
            kind = None

    def begin(new: BlockKind, number: int, text: str, new_level: int = 0) -> None:
        nonlocal kind, start, level, item_indent, in_table, quote_lazy, in_list
        kind, start, level = new, number, new_level
        quote_lazy = 0
        if new != "list_item" and outside:
            leave_items()  # a block left of an item's content ends it (and the items in it)
        in_list = bool(items)
        if new != "table_row":
            in_table = False
        parts.clear()
        parts.append(text)

    def leave_items() -> None:
        """The list items the line is not inside end."""
        nonlocal item_indent
        del items[reach:]
        item_indent = items[-1] if items else -1

    def enter_item(column: int) -> None:
        """A list item opens, its content at the column, inside the items the line is in."""
        nonlocal item_indent
        leave_items()
        items.append(column)
        item_indent = column

    def goes_on() -> bool:
        """The open block ends in paragraph text, which the line continues (lazily, when it is
        left of a list item's content or has no quote marker): not in code, a heading, a table
        or an empty list item, after which it starts a block of its own."""
        if prev_blank:
            return False
        if kind == "paragraph":
            return True
        if kind == "list_item":
            return item_text
        return kind == "quote" and _quote_goes_on(parts, quote_lazy)

    def go_on(line: str) -> None:
        nonlocal quote_lazy
        if kind == "quote":
            quote_lazy = len(parts)  # read from here on: the quote's paragraph was open here
        parts.append(line)

    def close_indented_code() -> None:
        if kind == "code" and not fence:
            # Trailing blank lines belong to what follows, not to the code block.
            while parts and not parts[-1].strip():
                parts.pop()
            close(start + len(parts) - 1)

    last_with: dict[str, int] = {}

    def last_closing(end: str) -> int:
        """The last line that can close a comment (or the like, `end` closing it): one opened
        after it never closes."""
        if end not in last_with:
            last_with[end] = next(
                (
                    index + 1
                    for index in range(len(lines) - 1, first - 2, -1)
                    if end in lines[index]
                ),
                0,
            )
        return last_with[end]

    number = first - 1
    for number in range(first, len(lines) + 1):
        line = lines[number - 1]
        if (
            kind == "code"
            and fence
            and fence_item >= 0
            and line.strip()
            and indent_columns(line) < fence_item
            and not _closes_fence(line, fence)
        ):
            # Left of its list item's content: the item ends, and the code block in it. (A
            # closing fence there still closes it, as the site reads it; CommonMark opens
            # another, and every heading after it would be lost.)
            close(number - 1)
            fence = ""
        if kind == "code" and fence:
            parts.append(line)
            # Measured from the opening fence, not from the container's edge: "    ```" under
            # "   ```" closes it as the site reads it (no fence there, but a code span and the
            # rest of the document as prose), where CommonMark would hide the rest as code.
            inner = dedent_columns(line, fence_indent) if fence_indent else line
            stripped = inner.strip()
            if (
                indent_columns(inner) < 4
                and stripped.startswith(fence)
                and stripped.strip(fence[0]) == ""
            ):
                close(number)
                fence = ""
            continue
        if kind == "html":
            # In a block element's HTML too, past a blank line: the site reads its comments and
            # <pre> to their end, as it reads the element's raw HTML.
            parts.append(line)
            if _closes_html(line, html_end):
                close(number)
            continue
        first_char = line[:1]
        outside = item_indent >= 0 and (
            first_char not in " \t" or indent_columns(line) < item_indent
        )
        # Left of the innermost item's content, a line may still be inside an item around it.
        reach = bisect_right(items, indent_columns(line)) if outside else len(items)
        if html_text:
            if outside or not line.strip():
                html_text = False  # a blank line ends it, or a line left of its list item
                if outside:
                    close(number - 1)  # which does not go on with its text lazily
            else:
                inner = dedent_columns(line, item_indent) if item_indent >= 0 else line
                # Text, but for what the site reads in it as it reads it elsewhere: a comment, a
                # <pre> and the like, and fenced code closed in it (its fences are read before
                # raw HTML there).
                if not (
                    _HIDDEN_HTML.match(inner)
                    or _RAW_HTML.match(inner)
                    or _fence_closed_in_text(inner, lines, number, unclosed)
                ):
                    if kind == "paragraph":
                        parts.append(line)
                    else:
                        close(number - 1)
                        begin("paragraph", number, line)
                    _end_elements(inner, elements)
                    if not elements:
                        # The site's raw HTML ends with the end tag of its element, and the
                        # lines after it are Markdown there: a "## Impact" under "</details>"
                        # is the section (GitHub shows it as text, up to a blank line).
                        html_text = False
                        close(number)
                    prev_blank = False
                    continue
        if first_char not in _BLANK_OR_PLAIN:
            # Plain text, the most common line: it continues a paragraph or list item (lazily).
            if in_table:
                begin("table_row", number, line)  # a table's rows need no leading pipe
                close(number)
            elif (
                "|" in line
                and not _lazy(kind, goes_on(), outside)
                and _opens_table(line, lines, number, -1 if outside else item_indent)
            ):
                close_indented_code()
                close(number - 1)
                begin("table_row", number, line)
                close(number)
                in_table = True
            elif goes_on():
                go_on(line)
            else:
                close_indented_code()
                close(number - 1)
                begin("paragraph", number, line)
            prev_blank = False
            continue
        if not line.strip():
            in_table = False
            if kind == "code":
                parts.append(line)  # indented code runs on past blank lines
            else:
                if kind == "list_item" and item_empty and items:
                    # A list item starts with one blank line at most: "-" alone, then a blank
                    # line, is an empty item, and a line indented under it is none of it.
                    reach = len(items) - 1
                    leave_items()
                close(number - 1)
            prev_blank = True
            continue
        indent = indent_columns(line)
        inner = line
        if item_indent >= 0 and indent >= item_indent:
            inner = dedent_columns(line, item_indent)  # content of the open list item
            indent = indent_columns(inner)
        elif item_indent >= 0:
            if prev_blank:
                leave_items()  # a line left of an item's content after a blank ends the item
            if reach:
                # Read as the content of the item around it that it is inside: "    ```" under
                # "    - b" in "1. a" opens code in "1. a", where "- b" ends.
                inner = dedent_columns(line, items[reach - 1])
                indent = indent_columns(inner)
        base = items[reach - 1] if reach else -1  # content column of the item the line is in
        if kind == "code" and not fence:
            if indent >= 4:
                parts.append(line)
                continue
            close_indented_code()
        if indent >= 4:
            if goes_on() or (kind == "list_item" and item_empty and not prev_blank):
                # Indentation cannot interrupt a paragraph; nor, on the site, does it make code
                # of the line under an empty list item ("-" alone), which shows as text there.
                go_on(line)
                item_empty, item_text = False, True
            else:
                close(number - 1)
                begin("code", number, line, max(base, 0))
            prev_blank = False
            continue
        opened = _FENCE.match(inner)
        if opened and not (opened.group(1)[0] == "`" and "`" in opened.group(2)):
            close(number - 1)
            fence = opened.group(1)
            fence_indent = len(line) - len(inner) + (len(inner) - len(inner.lstrip(" ")))
            begin("code", number, line)
            fence_item = item_indent
            prev_blank = False
            continue
        hidden = _HIDDEN_HTML.match(inner)
        if hidden is not None:
            end = _HIDDEN_HTML_END.get(hidden.group(1), ">")
            closes_here = end in line  # "<!-->" closes itself
            if closes_here or number < last_closing(end):
                close(number - 1)
                begin("html", number, line, max(base, 0))
                html_end = end
                if closes_here:
                    close(number)
                prev_blank = False
                continue
            # Never closed: CommonMark hides the rest of the document, but the site shows the
            # line as text and reads on, so the checks must too.
        raw = _RAW_HTML.match(inner)
        if raw is not None:
            # Shown as written (a pasted log in <pre>) or not at all (a script), up to the line
            # that closes it or the end, on the site as in CommonMark: never prose.
            close(number - 1)
            begin("html", number, line, max(base, 0))
            html_end = "</"
            if _closes_html(line[raw.end() :], html_end):
                close(number)
            prev_blank = False
            continue
        if _HTML_TEXT.match(inner):
            # It interrupts a paragraph, and what follows up to a blank line is its text.
            close(number - 1)
            begin("paragraph", number, line)
            elements.clear()
            _end_elements(inner, elements)
            html_text = bool(elements)
            if not html_text:
                close(number)  # ended on its own line ("<p align="center">…</p>")
            prev_blank = False
            continue
        atx = _ATX.match(inner)
        if atx:
            close(number - 1)
            begin("heading", number, line, len(atx.group(1)))
            close(number)
            prev_blank = False
            continue
        # An underline left of an open list item's content is no lazy continuation: it ends the
        # item (a thematic break, or text), and the paragraph above stays a paragraph.
        if kind == "paragraph" and not prev_blank and not outside and _SETEXT.match(inner):
            parts.append(line)
            kind = "heading"
            level = 1 if inner.strip()[0] == "=" else 2
            close(number)
            prev_blank = False
            continue
        if _BREAK.match(inner):
            close(number - 1)
            begin("break", number, line)
            close(number)
            prev_blank = False
            continue
        marker = _LIST_MARKER.match(inner)
        if marker and not (
            kind == "paragraph"
            and not prev_blank
            and (
                marker.group(3) is None
                or (marker.group(2)[0].isdigit() and marker.group(2)[:-1] != "1")
            )
        ):
            close(number - 1)
            content = len(marker.group(1)) + len(marker.group(2)) + len(marker.group(3) or " ")
            opened = _FENCE.match(inner[content:]) if marker.group(3) else None
            if opened and not (opened.group(1)[0] == "`" and "`" in opened.group(2)):
                # "- ```": the item's content opens with a code block.
                fence = opened.group(1)
                fence_indent = (len(line) - len(inner)) + content
                begin("code", number, line)
                enter_item(fence_indent)
                fence_item = fence_indent
                prev_blank = False
                continue
            enter_item((len(line) - len(inner)) + content)
            begin("list_item", number, line, item_indent)
            item_text = _holds_text(inner[content:]) if marker.group(3) else False
            item_empty = not inner[content:].strip()
            prev_blank = False
            continue
        if _QUOTE_LINE.match(inner):
            if kind != "quote":
                close(number - 1)
                begin("quote", number, line)
            else:
                parts.append(line)
            prev_blank = False
            continue
        if (
            "|" in inner
            # A table cannot interrupt the lazy continuation of a quote or item.
            and not _lazy(kind, goes_on(), outside)
            and ((in_table and _TABLE.match(inner)) or _opens_table(inner, lines, number, base))
        ):
            close(number - 1)
            begin("table_row", number, line)
            close(number)
            in_table = True
            prev_blank = False
            continue
        if in_table:
            begin("table_row", number, line)
            close(number)
        elif goes_on():
            go_on(line)
        elif _REFERENCE.match(inner):
            # Not within a paragraph, but after any other block: a quote's code, a heading.
            close(number - 1)
            begin("reference", number, line)
            close(number)
        else:
            close(number - 1)
            begin("paragraph", number, line)
        prev_blank = False
    close_indented_code()
    close(number)
    return blocks


def relative_display(path: Path, root: Path) -> str:
    """The path from the root, in POSIX form, however it was given (from the current folder,
    absolute, through a folder that is a symbolic link): `postmortems/PM-….md` inside the root,
    `../elsewhere/x.md` outside it. A symbolic link is named as itself, not as its target, and a
    file reached through a folder of the root that links out of it by the way there."""
    try:
        located = path.parent.resolve() / path.name if path.is_symlink() else path.resolve()
        base = root.resolve()
    except (OSError, RuntimeError):  # RuntimeError: a symbolic link loop on the way
        located, base = Path(os.path.abspath(path)), Path(os.path.abspath(root))
    try:
        return located.relative_to(base).as_posix()
    except ValueError:
        pass
    # Given inside the root, through a folder that is a link out of it: named as given.
    given = Path(os.path.abspath(path))
    for start in (Path(os.path.abspath(root)), base):
        try:
            return given.relative_to(start).as_posix()
        except ValueError:
            continue
    try:
        return Path(os.path.relpath(located, base)).as_posix()
    except ValueError:  # another drive: there is no way there from the root
        return path.as_posix()
