"""Bodies of new records, the placeholders lint counts as empty, and the postmortem review checklist."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import TypeVar

PLACEHOLDER_LINE = re.compile(
    # Possessive: markers and emphasis share '*' and blanks, and a long run of them must not be
    # split every possible way before the keyword is found missing.
    r"^[-*+>\s]*+[_*]*+\s*+(?:TODO|TBD|FIXME|XXX)\b|^[-*+\s]*+(?:\.\.\.|\u2026)\s*$"
)
"""A line that still holds a template's placeholder: counted as empty, never checked as prose."""
_NUMBERING = re.compile(r"^\s*(?:\d+[.)]\s*)+")
_QUALIFIER = re.compile(r"\s+\([^()]*\)$")
"""A note in brackets after a title's words ("Timeline (UTC)", "Impact (damage done)")."""


def without_comments(text: str, instead: str = "", *, keep_lines: bool = False) -> str:
    """The text with its closed HTML comments replaced by `instead` (and, with `keep_lines`, the
    line breaks inside each, so that lines keep their numbers); an unclosed one is left as it
    is. One pass: a regex looks for the end of each unclosed comment from its start, and a text
    of thousands of them takes minutes."""
    parts = []
    index = 0
    while (start := text.find("<!--", index)) >= 0:
        end = text.find("-->", start + 4)
        if end < 0:
            break  # no comment after it closes either
        breaks = "\n" * text.count("\n", start, end) if keep_lines else ""
        parts += [text[index:start], instead, breaks]
        index = end + 3
    parts.append(text[index:])
    return "".join(parts)


_EMPHASIS = re.compile(r"^(?:(\*{1,3})(?P<starred>[^*]+)\1|(_{1,3})(?P<underlined>[^_]+)\3)$")
"""A title set in bold or italics as a whole ("## **Summary**")."""


def _is_decoration(char: str) -> bool:
    """Punctuation, a symbol (an emoji), a space or an invisible joiner: nothing a title's
    words are made of."""
    return unicodedata.category(char)[0] in "PSZ" or char in "\u200d\ufe0e\ufe0f"


def _undecorated(title: str) -> str:
    """The title without what surrounds its words: an emoji before it, '!' or '?' after it."""
    start, end = 0, len(title)
    while start < end and _is_decoration(title[start]):
        start += 1
    while end > start and _is_decoration(title[end - 1]):
        end -= 1
    return title[start:end]


@lru_cache(maxsize=4096)
def normalise(title: str, *, note: bool = False) -> str:
    """A section title as sections are matched: no numbering, emphasis around the whole title,
    emoji or punctuation before or after its words, a note in brackets after them (kept with
    `note`), backticks or case."""
    title = _NUMBERING.sub("", title).strip().rstrip(":.")
    if not note:
        title = _QUALIFIER.sub("", title).rstrip(":.") or title
    emphasised = _EMPHASIS.match(title)
    if emphasised is not None:
        title = (emphasised.group("starred") or emphasised.group("underlined")).rstrip(":.")
    title = _undecorated(title.replace("`", "")) or title
    return " ".join(title.split()).casefold()


_Titled = TypeVar("_Titled")


def titled(
    items: Iterable[_Titled], titles: Iterable[str], title_of: Callable[[_Titled], str]
) -> list[_Titled]:
    """The items (sections) titled as one of `titles`, in order: those whose title says it with
    its note in brackets as written ("Impact (damage done)") or without one, or, only where none
    does, those that say it with another note or without its note ("## Timeline (UTC)" is the
    Timeline; beside a "## Timeline", a "## Timeline (detailed)" is another section)."""
    items, titles = list(items), list(titles)
    exact = {normalise(title, note=True) for title in titles}
    found = [item for item in items if normalise(title_of(item), note=True) in exact]
    if found:
        return found
    loose = {normalise(title) for title in titles}
    return [item for item in items if normalise(title_of(item)) in loose]


def suppressing(text: str, codes: Sequence[str]) -> str:
    """The text between comments that suppress these rule codes for it, or as it is."""
    if not codes:
        return text
    listed = " ".join(dict.fromkeys(codes))
    return (
        f"<!-- incident-docs disable {listed} -->\n{text}\n<!-- incident-docs enable {listed} -->"
    )


def is_empty(text: str) -> bool:
    """Nothing but blank lines, HTML comments, sub-headings and placeholder lines."""
    for line in without_comments(text).split("\n"):
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or PLACEHOLDER_LINE.match(stripped):
            continue
        return False
    return True


REVIEW_CHECKLIST = """\
## Postmortem review checklist

- [ ] `incident lint` passes: every required section is written, no placeholder is left.
- [ ] The timeline covers the start of impact, detection, every mitigation and the resolution.
- [ ] Impact says who was affected, how badly, for how long, and whether data was lost or exposed.
- [ ] Contributing factors describe systems, conditions and decisions, never a culprit.
- [ ] Every action item has an owner, a type, a priority, a due date and a tracker link.
- [ ] Everyone in Responders had the chance to add what they saw and did.
- [ ] Senior members of every team involved have reviewed and approved it.
"""
"""Checklist for a postmortem's pull request (also the repository's pull request template)."""

INCIDENT_SUMMARY_PLACEHOLDER = (
    "_TODO: what is wrong and who is affected, in two or three sentences "
    "(`incident resolve --summary` fills this in)._"
)

SECTION_PROMPTS: dict[str, str] = {
    "summary": "what happened and why it mattered, in a short paragraph",
    "impact": "who and what was affected, how badly and for how long (the damage done)",
    "timeline": "the events in time order, one '- TIME **kind** by HANDLE: text' line each",
    "contributing factors": "the conditions and decisions that made this possible: systems, "
    "not people",
    "detection": "how the problem was noticed, and how it could be noticed sooner",
    "mitigation": "what was done to limit the damage, and how well it worked",
    "resolution": "what fixed it",
    "recovery": "how service and data were brought back to normal",
    "responders": "who worked on it, and in which role",
    "lessons learned": "what went well, what did not, and where we were lucky",
    "action items": "the follow-ups; list each in action_items in the front-matter too",
}


def placeholder(section: str) -> str:
    """The `_TODO: ..._` line a section holds until someone writes it; lint reports it as empty."""
    prompt = SECTION_PROMPTS.get(section.strip().casefold(), "write this section")
    return f"_TODO: {prompt}._"


def comment(text: str) -> str:
    """An HTML comment that cannot be closed early by the text inside it."""
    return "<!-- " + " ".join(text.replace("--", "- -").split()) + " -->"


def incident_body(
    title: str,
    first_entry: str,
    sections: Sequence[str] = ("Summary", "Timeline"),
    *,
    summary: str = "Summary",
    timeline: str = "Timeline",
) -> str:
    """`# Title` and one `## Section` per required section, in order: `summary` (written first
    when not required) with its placeholder, `timeline` (written last when not required) with
    the first entry, and the others with their placeholders."""
    headings = list(sections)
    if summary not in headings:
        headings.insert(0, summary)
    if timeline not in headings:
        headings.append(timeline)
    parts = [f"# {title}\n"]
    for heading in headings:
        if heading == timeline:
            text = first_entry
        elif heading == summary:
            text = INCIDENT_SUMMARY_PLACEHOLDER
        else:
            text = placeholder(heading)
        parts.append(f"## {heading}\n\n{text}\n")
    return "\n".join(parts)


def postmortem_body(title: str, sections: Sequence[tuple[str, str]]) -> str:
    """`# Title` and one `## Section` per (title, content); empty content gets its placeholder."""
    parts = [f"# {title}\n"]
    for heading, content in sections:
        text = content.strip("\n") or placeholder(heading)
        parts.append(f"## {heading}\n\n{text}\n")
    return "\n".join(parts)
