"""What reaches a terminal: text with its control characters written out, not obeyed."""

from __future__ import annotations

import re

_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""Characters a terminal obeys or that reorder what it shows: C0 controls but the tab and the
line break (an escape sequence can retitle the window, move the cursor or hide the text after
it; a carriage return writes over the line), DEL, C1 controls (U+009B opens a sequence as ESC [
does) and the embeddings, overrides and isolates of bidirectional text, which reorder what
follows them; not the left-to-right and right-to-left marks that Arabic and Hebrew titles hold."""
NOT_UTF8 = re.compile("[\ud800-\udfff]")
"""A lone surrogate: what a byte that is not UTF-8 becomes in text Python reads (an argument,
a prompt's answer), which no file written as UTF-8 can hold."""
_CONTROLS_AND_BREAKS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str, *, lines: bool = True) -> str:
    """The text with each such character written as its escape, "\\u001b": visible on a terminal,
    and in JSON output the very escape that reads back as the character. With `lines` false, a
    line break is written out too (a file name in a one-line diagnostic)."""
    pattern = _CONTROLS if lines else _CONTROLS_AND_BREAKS
    if pattern.search(text) is None:
        return text  # nearly all output: one scan, no copy
    return pattern.sub(_escaped, text)


def quoted(text: str) -> str:
    """A value in single quotes for a one-line message: its line breaks and control characters
    written out as printable() writes them, so an argument holding a line break does not split
    the error in two."""
    return f"'{printable(text, lines=False)}'"


_LINE_SEPARATORS = re.compile("[\u2028\u2029]")
"""Unicode's own line and paragraph separators, which some viewers break a line at."""


def log_line(text: str) -> str:
    """One line for a CI log, which the GitHub Actions runner reads for workflow commands:
    control characters and line breaks written out as printable() writes them, so that text
    from a record or the API neither starts a line of its own nor reads as a command, the
    `::add-mask::…` or `::stop-commands::…` the runner obeys at a line's start (after spaces),
    or its older form, `##[add-mask]…`, obeyed anywhere in a line. The colon or bracket that
    would make one is written as its escape too."""
    text = _LINE_SEPARATORS.sub(_escaped, printable(text, lines=False))
    start = len(text) - len(text.lstrip())
    if text.startswith("::", start):
        text = f"{text[:start]}\\u003a{text[start + 1 :]}"
    return text.replace("##[", "##\\u005b")


def _escaped(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group(0)):04x}"


def replace_controls(text: str) -> str:
    """The text with each such character replaced by U+FFFD, for where its escape would read as
    noise (a chat message): a bell or an escape sequence means nothing there, an override of
    bidirectional text reorders what people read, and a replacement shows that something was."""
    return _CONTROLS.sub("\ufffd", text)


def control_at(text: str) -> int:
    """Where the first character printable() would write out stands in the text (a line break
    and a tab are text), or -1."""
    found = _CONTROLS.search(text)
    return -1 if found is None else found.start()
