"""The only reader of Markdown records: front-matter with the line of every key, headings, code.

Reading never raises on bad input: every problem becomes a Finding on the document.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from incident_docs.diagnostics import Finding

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
_SCALAR_TAGS = {
    _STR,
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    _TIMESTAMP,
}
_CONSTRUCTOR = yaml.SafeLoader("")  # only its scalar constructors are used, never on collections

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_MARKERS = frozenset("#`~<=->|*+ \t0123456789") | {""}
"""First characters of lines that may be more than paragraph text (and the empty line)."""
_NOT_PARAGRAPH = re.compile(r"^ {0,3}(?:[#>|]|[-*+][ \t]|\d+[.)][ \t]|<!--|$)")


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
    """Line of the closing `---`; 0 when there is no front-matter."""
    key_lines: dict[Location, int] = field(default_factory=dict)
    headings: list[Heading] = field(default_factory=list)
    code_lines: frozenset[int] = frozenset()
    """Lines inside fenced code blocks (fence lines included) or HTML comments."""
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
        result = []
        for index, heading in enumerate(self.headings):
            if heading.level != level:
                continue
            end = len(self.lines)
            for later in self.headings[index + 1 :]:
                if later.level <= level:
                    end = later.line - 1
                    break
            result.append(Section(heading, end))
        return result

    def section_text(self, section: Section) -> str:
        return "\n".join(self.lines[section.start_line - 1 : section.end_line])


def read_document(
    path: Path, display: str, *, root: Path | None = None, max_bytes: int
) -> Document:
    """Read a file from disk; unreadable, binary, oversized or escaping files become findings."""
    doc = Document(path=display)
    try:
        if root is not None and path.is_symlink():
            target = path.resolve()
            if not target.is_relative_to(root.resolve()):
                return _unreadable(
                    doc, "IO005", f"symbolic link leads outside the repository ({target})"
                )
        size = path.stat().st_size
        if size > max_bytes:
            return _unreadable(
                doc, "IO004", f"file is {size:,} bytes, over the {max_bytes:,} byte limit"
            )
        raw = path.read_bytes()
    except OSError as exc:
        return _unreadable(doc, "IO001", f"cannot read file: {exc.strerror or exc}")
    except RuntimeError:  # pathlib's word for a symbolic link loop
        return _unreadable(doc, "IO001", "cannot read file: symbolic link loop")
    return parse_bytes(raw, display, max_bytes=max_bytes)


def parse_bytes(raw: bytes, display: str, *, max_bytes: int) -> Document:
    doc = Document(path=display)
    if len(raw) > max_bytes:
        return _unreadable(
            doc, "IO004", f"file is {len(raw):,} bytes, over the {max_bytes:,} byte limit"
        )
    if b"\x00" in raw[:8192]:
        return _unreadable(doc, "IO002", "binary file (contains NUL bytes), not a Markdown record")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        doc.readable = False
        doc.problems.append(
            Finding(
                "IO003",
                f"invalid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8",
                line,
                column,
            )
        )
        return doc
    return parse_text(text, display)


def parse_text(text: str, display: str) -> Document:
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
    _scan_body(doc)
    return doc


def _unreadable(doc: Document, code: str, message: str) -> Document:
    doc.readable = False
    doc.problems.append(Finding(code, message))
    return doc


def _split_front_matter(doc: Document) -> None:
    lines = doc.lines
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


def _load_yaml(doc: Document, source: str, first_line: int) -> None:
    try:
        node = yaml.compose(source, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(str(exc.problem or exc.context or "syntax error").split())
        opened = exc.context_mark
        if opened is not None and mark is not None and opened.line < mark.line and exc.context:
            # An unclosed bracket or quote: point at where it opened, not where YAML gave up.
            problem = f"{' '.join(exc.context.split())} that is not closed: {problem}"
            mark = opened
        line = first_line + (mark.line if mark else 0)
        column = (mark.column + 1) if mark else 1
        doc.problems.append(Finding("FM002", f"YAML syntax error: {problem}", line, column))
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

    def line(self, node: yaml.Node) -> int:
        return self.first_line + node.start_mark.line

    def refuse(self, code: str, message: str, node: yaml.Node) -> _Refused:
        return _Refused(Finding(code, message, self.line(node), node.start_mark.column + 1))

    def build(self, node: yaml.Node, location: Location, depth: int) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.refuse(
                "FM009",
                f"front-matter expands to over {MAX_NODES:,} values (YAML alias bomb?)",
                node,
            )
        tag = node.tag
        if tag in (_STR, _TIMESTAMP) and type(node) is yaml.ScalarNode:
            # Most values: text. Timestamps stay text too: the models parse them and can tell a
            # naive one apart.
            return str(node.value)
        if depth > MAX_DEPTH:
            raise self.refuse("FM009", f"front-matter nests deeper than {MAX_DEPTH} levels", node)
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
        return _CONSTRUCTOR.yaml_constructors[node.tag](_CONSTRUCTOR, node)


def _scan_body(doc: Document) -> None:
    """Find headings and code lines in the body, skipping fenced code and HTML comments."""
    fence: str | None = None
    in_comment = False
    code: set[int] = set()
    headings: list[Heading] = []
    previous_paragraph = False
    for number in range(doc.body_start, len(doc.lines) + 1):
        line = doc.lines[number - 1]
        if fence is not None:
            code.add(number)
            stripped = line.strip()
            if stripped.startswith(fence) and stripped.strip(fence[0]) == "":
                fence = None
            continue
        if in_comment:
            code.add(number)
            if "-->" in line:
                in_comment = False
            previous_paragraph = False
            continue
        if line[:1] not in _MARKERS:
            # Paragraph text, the most common line: no fence, comment or heading starts here.
            previous_paragraph = True
            continue
        if line[:1] in "-*+" and line[1:2] in (" ", "\t") and line[2:].strip():
            # A bullet item with text (timelines are lists): neither a fence, a comment, a
            # heading nor a setext underline, and it ends any paragraph.
            previous_paragraph = False
            continue
        match = _FENCE.match(line)
        if match and not (match.group(1)[0] == "`" and "`" in match.group(2)):
            fence = match.group(1)
            code.add(number)
            previous_paragraph = False
            continue
        if line.lstrip().startswith("<!--") and "-->" not in line:
            in_comment = True
            code.add(number)
            previous_paragraph = False
            continue
        atx = _ATX.match(line)
        if atx:
            headings.append(Heading(len(atx.group(1)), (atx.group(2) or "").strip(), number))
            previous_paragraph = False
            continue
        if previous_paragraph and _SETEXT.match(line):
            level = 1 if line.strip()[0] == "=" else 2
            headings.append(Heading(level, doc.lines[number - 2].strip(), number - 1))
            previous_paragraph = False
            continue
        previous_paragraph = not _NOT_PARAGRAPH.match(line) and not line.startswith(("    ", "\t"))
    doc.headings = headings
    doc.code_lines = frozenset(code)


def relative_display(path: Path, root: Path) -> str:
    """Repo-relative POSIX path when the file is inside the root, else the path as given."""
    try:
        return (
            path.resolve().relative_to(root.resolve()).as_posix()
            if not path.is_symlink()
            else (path.absolute().relative_to(root.resolve()).as_posix())
        )
    except ValueError:
        return os.path.relpath(path, root) if path.is_absolute() else path.as_posix()
