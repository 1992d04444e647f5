"""The registry of rule families, in the order they run."""

from __future__ import annotations

from incident_docs.rules import (
    approval,
    blameless,
    files,
    frontmatter,
    identity,
    people,
    roles,
    sections,
    suppression,
    teams,
    timeline,
)
from incident_docs.rules.base import Family, RuleInfo

FAMILIES: tuple[Family, ...] = (
    files.FAMILY,
    frontmatter.FAMILY,
    sections.FAMILY,
    timeline.FAMILY,
    identity.FAMILY,
    people.FAMILY,
    roles.FAMILY,
    approval.FAMILY,
    teams.FAMILY,
    blameless.FAMILY,
)

ALL_RULES: dict[str, RuleInfo] = {
    rule.code: rule for family in FAMILIES for rule in family.rules
} | {rule.code: rule for rule in suppression.RULES}
