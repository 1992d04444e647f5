"""BL: blameless language in the body of every record (the engine lives in incident_docs.blameless)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from incident_docs import blameless
from incident_docs.config import BlamelessConfig
from incident_docs.diagnostics import Finding, Fix
from incident_docs.models import Roster
from incident_docs.rules.base import Family, RuleInfo, Subject

RULES = tuple(
    RuleInfo(code, name, summary, *blameless.EXAMPLES[code])
    for code, (name, summary) in blameless.RULES.items()
)


@lru_cache(maxsize=8)
def _options(config: BlamelessConfig, roster: Roster) -> blameless.BlamelessOptions:
    return blameless.BlamelessOptions(
        people=roster.name_words(),
        allow=config.allow,
        extra_terms=config.extra_terms,
    )


def check(subject: Subject) -> Iterator[Finding]:
    doc = subject.doc
    if not doc.readable:
        return
    offset = doc.front_matter_end
    body = "\n".join(doc.lines[offset:])
    options = _options(subject.ctx.config.blameless, subject.ctx.roster)
    for line, column, hit in blameless.check_markdown(body, options):
        span = body[hit.start : hit.end]
        end_column = column + len(span) if "\n" not in span else None
        fix = None
        if hit.replacement is not None and end_column is not None:
            fix = Fix(line + offset, column, end_column, hit.replacement)
        yield Finding(
            hit.code,
            hit.message,
            line + offset,
            column,
            end_line=line + offset if end_column is not None else None,
            end_column=end_column,
            suggestion=hit.suggestion,
            fix=fix,
        )


FAMILY = Family(RULES, check)
