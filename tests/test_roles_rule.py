"""RL: each role always has one holder, and `roles` agrees with replaying the handoffs."""

from __future__ import annotations

from pathlib import Path

import pytest

from incident_docs.config import Config
from incident_docs.linter import Selection, lint
from incident_docs.rules.base import LintContext
from incident_docs.rules.roles import RULES

GOOD = """\
---
id: INC-2024-05-02-api-errors
title: API errors
severity: SEV2
status: investigating
declared_at: 2024-05-02T10:00:00Z
declared_by: sam
roles:
  incident_commander: lee
  communications_lead: lee
  ops_lead: dana
handoffs:
  - at: 2024-05-02T10:05:00Z
    role: ops_lead
    from: sam
    to: dana
  - at: 2024-05-02T10:10:00Z
    role: incident_commander
    from: sam
    to: lee
  - at: 2024-05-02T10:10:00Z
    role: communications_lead
    from: sam
    to: lee
---

# API errors

## Summary

Errors.

## Timeline

- 2024-05-02T10:00:00Z **status** by sam: Declared.
"""

IC_HANDOFF_ONLY = (
    "  - at: 2024-05-02T10:10:00Z\n    role: communications_lead\n    from: sam\n    to: lee\n",
    "",
)

BAD: dict[str, list[tuple[str, str]]] = {
    "RL001": [("  ops_lead: dana", "  ops_lead: [dana, jo]")],
    "RL002": [("    from: sam\n    to: dana", "    from: lee\n    to: dana")],
    "RL003": [IC_HANDOFF_ONLY, ("  communications_lead: lee", "  communications_lead: sam")],
    "RL004": [("  ops_lead: dana", "  ops_lead: jo")],
    "RL005": [("  - at: 2024-05-02T10:05:00Z", "  - at: 2024-05-02T09:55:00Z")],
    "RL006": [
        ("status: investigating", "status: resolved\nresolved_at: 2024-05-02T10:08:00Z"),
        ("---\n\n#", "summary: Fixed.\n---\n\n#"),
    ],
}


def lint_text(tmp_path: Path, text: str) -> list[tuple[str, int, str]]:
    path = tmp_path / "incidents" / "INC-2024-05-02-api-errors.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    result = lint(LintContext(tmp_path, Config()), Selection(select=("RL",)), [path])
    return [(d.code, d.line, d.message) for d in result.diagnostics]


def test_every_rule_has_a_case() -> None:
    assert sorted(BAD) == [rule.code for rule in RULES]


def test_the_good_record_passes(tmp_path: Path) -> None:
    assert lint_text(tmp_path, GOOD) == []


@pytest.mark.parametrize("code", sorted(BAD))
def test_each_rule_fails_on_its_bad_case(tmp_path: Path, code: str) -> None:
    text = GOOD
    for old, new in BAD[code]:
        assert old in text
        text = text.replace(old, new, 1)
    found = lint_text(tmp_path, text)
    assert code in {c for c, _line, _message in found}, found


def test_findings_point_at_the_line_to_fix(tmp_path: Path) -> None:
    text = GOOD.replace("    from: sam\n    to: dana", "    from: lee\n    to: dana")
    [(_code, line, message)] = [f for f in lint_text(tmp_path, text) if f[0] == "RL002"]
    assert text.splitlines()[line - 1] == "    from: lee"
    assert "'sam' held the role then" in message
    text = GOOD.replace(*IC_HANDOFF_ONLY).replace(
        "  communications_lead: lee", "  communications_lead: sam"
    )
    found = lint_text(tmp_path, text)
    assert [c for c, _l, _m in found] == ["RL003"]
    assert "Communications Lead was never delegated" in found[0][2]


def test_a_handoff_while_the_incident_stood_resolved_is_reported(tmp_path: Path) -> None:
    """Resolved at 10:04 and reopened at 10:06: the handoff at 10:05 is reported, the ones at
    10:10, after the reopening, are not."""
    history = (
        "status_history:\n"
        "  - {status: investigating, at: 2024-05-02T10:00:00Z}\n"
        "  - {status: resolved, at: 2024-05-02T10:04:00Z}\n"
        "  - {status: investigating, at: 2024-05-02T10:06:00Z, note: Errors are back.}\n"
        "---\n\n#"
    )
    text = GOOD.replace("---\n\n#", history, 1)
    [(code, line, message)] = lint_text(tmp_path, text)
    assert code == "RL006" and text.splitlines()[line - 1] == "  - at: 2024-05-02T10:05:00Z"
    assert message == (
        "handoff of Ops Lead at 2024-05-02T10:05:00Z is after the incident was resolved "
        "(2024-05-02T10:04:00Z): roles do not change once it has ended"
    )


def test_a_role_handed_back_to_the_commander_is_delegated(tmp_path: Path) -> None:
    """Once handed off on its own, a role no longer follows command."""
    text = (
        GOOD.replace(
            "  communications_lead: lee",
            "  communications_lead: sam",
        )
        .replace(
            "  - at: 2024-05-02T10:10:00Z\n    role: communications_lead\n    from: sam\n    to: lee\n",
            "",
        )
        .replace(
            "handoffs:\n",
            "handoffs:\n  - at: 2024-05-02T10:01:00Z\n    role: communications_lead\n"
            "    from: sam\n    to: jo\n  - at: 2024-05-02T10:02:00Z\n    role: communications_lead\n"
            "    from: jo\n    to: sam\n",
        )
    )
    assert lint_text(tmp_path, text) == []
