"""TL: the `## Timeline` is a list of strict, ordered entries."""

from __future__ import annotations

from collections.abc import Iterator

from incident_docs.diagnostics import Finding
from incident_docs.rules.base import Family, RuleInfo, Subject
from incident_docs.timeline import EXAMPLE, format_time, out_of_order

RULES = (
    RuleInfo("TL001", "timeline-format", "Each timeline list item is '- TIME **kind** by HANDLE: text'; a numbered item, a table row that opens with a time, or a line that opens with a time outside a list (not prose wrapped onto it, nor what an HTML block such as <details> holds) is reported, not left out.",
             "- 12:32 deployed the new image", EXAMPLE),
    RuleInfo("TL002", "timeline-order", "Timeline entries are in time order.",
             "- 2022-12-25T13:00:00Z ...\n- 2022-12-25T12:00:00Z ...", "entries sorted by time"),
    RuleInfo("TL003", "timeline-naive-timestamp", "Timeline timestamps carry a UTC offset.",
             "- 2022-12-25T12:32:00 **note** by sam: ...", "- 2022-12-25T12:32:00Z **note** by sam: ..."),
    RuleInfo("TL004", "mitigation-action", "A mitigation names its action (rollback, redirect-traffic, scale-up, other).",
             "- 2022-12-25T13:10:00Z **mitigation** by sam: rolled back",
             "- 2022-12-25T13:10:00Z **mitigation/rollback** by sam: Rolled back to the previous image."),
)  # fmt: skip


def check(subject: Subject) -> Iterator[Finding]:
    if subject.kind is None or not subject.doc.readable:
        return
    entries, problems = subject.timeline
    for problem in problems:
        yield Finding(problem.code, problem.message, problem.line, problem.column)
    for before, after in out_of_order(entries):
        yield Finding(
            "TL002",
            f"entry at {format_time(after.time)} comes after one at {format_time(before.time)} "
            f"(line {before.line}): keep the timeline in time order",
            after.line,
            3,
        )


FAMILY = Family(RULES, check)
