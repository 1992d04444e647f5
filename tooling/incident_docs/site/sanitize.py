"""Sanitising archive HTML with nh3: an allow-list that keeps prose, tables, code and anchors."""

from __future__ import annotations

import html as html_lib
import re
from bisect import bisect_right

import nh3

from incident_docs.document import HTML_ELEMENTS

TAGS: frozenset[str] = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup",
        "dd", "del", "details", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2",
        "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre",
        "q", "s", "samp", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody",
        "td", "tfoot", "th", "thead", "time", "tr", "u", "ul", "var",
    }
)  # fmt: skip

ATTRIBUTES: dict[str, set[str]] = {
    "*": {"id", "class", "title", "lang", "dir"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "col": {"span"},
    "time": {"datetime"},
    "ol": {"start"},
    "details": {"open"},
}

URL_SCHEMES: frozenset[str] = frozenset({"http", "https", "mailto"})

THEME_CLASSES = "md-"
"""The theme's classes lay out the page, not prose: one of them is a link over the whole window
(`md-consent__overlay`). No record's HTML keeps them."""
OWN_CLASSES = "idocs-"
"""The plugin's classes draw header cards, charts and pictures, added to a record's page after its
HTML is sanitised: the record's own HTML keeps none, so it cannot pass for them."""

_REMOTE = re.compile(r"[a-z][a-z0-9+.-]*:|//", re.IGNORECASE)
"""An address with a scheme, or protocol-relative, once browsers' leniency is undone (see
_remote)."""
_URL_IGNORED = re.compile(r"[\t\n\r]")
"""What browsers delete from anywhere in an address before they read it (the URL standard)."""
_TEXT_SWALLOWING = re.compile(
    r"<(?=/?(?:script|style|title|textarea|xmp|iframe|noembed|noframes|noscript|plaintext"
    r"|template)(?:[\s/>]|$))",
    re.IGNORECASE,
)
"""The start of a tag whose content the HTML parser does not read as markup: everything after
it, to its end tag or the end of the page, is script, style, plain text or a template. Named in
prose ("a third-party <script> tag"), one took the rest of the record with it. Written as text
instead, as GitHub does (GFM's tag filter, and <noscript> and <template> besides)."""
_TAG_START = re.compile(r"<(?=(/?)([A-Za-z][^\t\n\f\r /<>]*))")
"""The start of a start or end tag, and its name as the HTML parser reads it: to a space, '/'
or '>' ("<table_name>", "<input_file>" and "<host.name>" are no <table>, <input> or <host>).
Not past a '<' either: the name of each tag in "<a<a<a…" is read once, not to the end of the run
from each."""
_FOREIGN = frozenset({"svg", "math"})
"""The elements whose content is SVG or MathML, not HTML: <path>, <text> and <mi> in them are
their markup, not placeholders."""
_LINK_OR_IMAGE = re.compile(r"<a\s[^>]*>|</a>|<img\s[^>]*>")
"""Tags of nh3's output, which writes every attribute double-quoted: a pattern over it is exact."""
_ATTRIBUTE = re.compile(r'\s([a-z-]+)="([^"]*)"')


def clean_html(html: str) -> str:
    """Record HTML with scripts, event handlers, styles and unsafe URL schemes removed, the
    theme's and the plugin's classes and ids dropped, and each image from another host made a
    link to it: no page loads anything from elsewhere."""
    banned = (THEME_CLASSES, OWN_CLASSES)

    def keep(_tag: str, attribute: str, value: str) -> str | None:
        if attribute == "class":
            kept = [name for name in value.split() if not name.lower().startswith(banned)]
            return " ".join(kept) or None
        if attribute == "id" and value.startswith("__"):
            return None  # the theme's script looks up #__config, #__search, …
        if attribute == "id" and value.lower().startswith(OWN_CLASSES):
            # The plugin's: a picture's markers lead to #idocs-entry-3, a row of the timeline
            # table; an element of the record's own with that id, above it, took the link.
            return None
        return value

    clean: str = nh3.clean(
        placeholders_as_text(_TEXT_SWALLOWING.sub("&lt;", html)),
        tags=set(TAGS),
        attributes=ATTRIBUTES,
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
        attribute_filter=keep,
    )
    return _local_images(clean) if "<img" in clean else clean


def placeholders_as_text(html: str) -> str:
    """Each tag no HTML element has written as text: a placeholder in prose ("set <path>, then
    kubectl logs <pod>"). The sanitiser dropped such a tag, and after one that SVG or MathML
    names (<path>, <text>, <filter>, <pattern>) the rest of its paragraph with it. Inside an
    <svg> or <math> element closed later, tags are its drawing's or formula's markup, dropped
    with it as before, not shown as text ("<path d=\"M0 0L9 9\"/>" in place of an icon)."""
    starts, ends = _foreign_elements(html)
    pieces: list[str] = []
    done = 0
    for match in _TAG_START.finditer(html):
        at = match.start()
        if match.group(2).lower() in HTML_ELEMENTS:
            continue
        inside = bisect_right(starts, at) - 1
        if inside >= 0 and at < ends[inside]:
            continue
        pieces.append(html[done:at])
        pieces.append("&lt;")
        done = at + 1
    if not pieces:
        return html
    pieces.append(html[done:])
    return "".join(pieces)


def has_placeholder(html: str) -> bool:
    """The HTML holds a tag no HTML element has (see placeholders_as_text)."""
    return any(match.group(2).lower() not in HTML_ELEMENTS for match in _TAG_START.finditer(html))


def _foreign_elements(html: str) -> tuple[list[int], list[int]]:
    """Where each outermost <svg> or <math> element closed by its end tag starts and ends, in
    order. One never closed ("an <svg> icon", named in prose) holds nothing."""
    spans: list[tuple[int, int]] = []
    open_at: list[tuple[str, int]] = []
    for match in _TAG_START.finditer(html):
        name = match.group(2).lower()
        if name not in _FOREIGN:
            continue
        if not match.group(1):
            open_at.append((name, match.start()))
            continue
        while open_at and open_at[-1][0] != name:
            open_at.pop()  # never closed: it holds nothing
        if open_at:
            spans.append((open_at.pop()[1], match.start()))
    starts: list[int] = []
    ends: list[int] = []
    for start, end in sorted(spans):
        if ends and start < ends[-1]:
            continue  # inside one found already
        starts.append(start)
        ends.append(end)
    return starts, ends


def _remote(address: str) -> bool:
    """The address points at another host: a scheme, or `//`. Browsers drop leading spaces and
    control characters, tabs and line breaks anywhere, and read `\\` as `/`, so `/\\host/x.png`
    and `/<tab>/host/x.png` are remote too."""
    address = html_lib.unescape(address).lstrip("".join(map(chr, range(33))))
    # Tabs and line breaks are dropped anywhere in it ("/<tab>/host" is "//host").
    address = _URL_IGNORED.sub("", address).replace("\\", "/")
    return _REMOTE.match(address) is not None


def _local_images(html: str) -> str:
    """Each image from another host as a link to it, its alt text (or address) the link's text;
    inside a link already, as its alt text alone."""
    depth = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal depth
        tag = match.group(0)
        if tag.startswith("<a"):
            depth += 1
            return tag
        if tag == "</a>":
            depth = max(0, depth - 1)
            return tag
        attributes: dict[str, str] = dict(_ATTRIBUTE.findall(tag))
        source = attributes.get("src", "")
        if not _remote(source):
            return tag
        text = attributes.get("alt") or source  # escaped as an attribute: so as text too
        if depth:
            return text
        return f'<a href="{source}" rel="noopener noreferrer">{text}</a>'

    return _LINK_OR_IMAGE.sub(replace, html)


def clean_text(text: str) -> str:
    """A title or label as safe HTML text: tags dropped, everything else escaped."""
    return nh3.clean(text, tags=set(), attributes={})
