"""Sanitising archive HTML with nh3: an allow-list that keeps prose, tables, code and anchors."""

from __future__ import annotations

import re

import nh3

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

_RESERVED_ID = re.compile(r'\sid="__[^"]*"')
"""The theme's script looks up #__config, #__search, …: a record must not shadow them. nh3 writes
every attribute double-quoted, so a pattern over its output is exact."""


def clean_html(html: str) -> str:
    """Record HTML with scripts, event handlers, styles and unsafe URL schemes removed."""
    clean = nh3.clean(
        html,
        tags=set(TAGS),
        attributes=ATTRIBUTES,
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return _RESERVED_ID.sub("", clean)


def clean_text(text: str) -> str:
    """A title or label as safe HTML text: tags dropped, everything else escaped."""
    return nh3.clean(text, tags=set(), attributes={})
