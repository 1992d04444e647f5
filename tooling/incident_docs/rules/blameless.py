"""BL: blameless language in everything a record publishes (the engine is incident_docs.blameless)."""

from __future__ import annotations

from collections.abc import Iterator

from incident_docs import blameless
from incident_docs.blameless.archive import load_checker
from incident_docs.diagnostics import Finding, Fix
from incident_docs.rules.base import Family, LintContext, RuleInfo, Subject

RULES = tuple(
    RuleInfo(code, name, summary, *blameless.EXAMPLES[code])
    for code, (name, summary) in blameless.RULES.items()
)


def check(subject: Subject) -> Iterator[Finding]:
    doc = subject.doc
    if not doc.readable:
        return
    ctx = subject.ctx
    checker = load_checker(ctx.root, ctx.config.blameless, ctx.roster, ctx.note_allowed)
    # The timeline and the responders name people, under whatever name the configuration gives.
    people = (*ctx.config.section_names("Timeline"), *ctx.config.section_names("Responders"))
    for line, column, end_line, end_column, hit in blameless.check_document(doc, checker, people):
        fix = None
        if hit.replacement is not None and end_line == line:
            fix = Fix(line, column, end_column, hit.replacement)
        yield Finding(
            hit.code,
            hit.message,
            line,
            column,
            end_line=end_line,
            end_column=end_column,
            suggestion=hit.suggestion,
            fix=fix,
        )
    if checker.note_allowed:
        # The checker is shared by the documents a process lints: each takes what it noted.
        subject.allowed_used.update(checker.allowed_used)
        checker.allowed_used.clear()


def prepare(ctx: LintContext) -> None:
    load_checker(ctx.root, ctx.config.blameless, ctx.roster, ctx.note_allowed)


FAMILY = Family(RULES, check, prepare)
