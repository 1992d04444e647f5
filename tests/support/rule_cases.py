"""A failing and a passing document for every lint rule; the meta-test keeps this table complete."""

from __future__ import annotations

from dataclasses import dataclass, field

INCIDENT = """\
---
id: INC-2024-05-02-api-errors
title: API errors after deploy
severity: SEV2
status: resolved
declared_at: 2024-05-02T10:05:00Z
declared_by: sam
started_at: 2024-05-02T09:55:00Z
detected_at: 2024-05-02T10:00:00Z
mitigated_at: 2024-05-02T10:30:00Z
resolved_at: 2024-05-02T11:00:00Z
services: [api]
tags: [deploy]
criteria:
  user_facing: true
roles:
  incident_commander: sam
  communications_lead: sam
  ops_lead: dana
handoffs:
  - at: 2024-05-02T10:10:00Z
    role: ops_lead
    from: sam
    to: dana
status_history:
  - status: investigating
    at: 2024-05-02T10:05:00Z
  - status: resolved
    at: 2024-05-02T11:00:00Z
---

# API errors after deploy

## Summary

A deploy raised the API error rate to 20% for an hour until it was rolled back.

## Timeline

- 2024-05-02T10:00:00Z **note** by sam: Error-rate alert fired.
- 2024-05-02T10:30:00Z **mitigation/rollback** by dana: Rolled back to the previous release.
- 2024-05-02T11:00:00Z **status** by sam: Resolved.
"""

POSTMORTEM = """\
---
id: PM-2024-05-02-api-errors
title: "Postmortem: API errors after deploy"
incidents: [INC-2024-05-02-api-errors]
status: draft
severity: SEV2
authors: [sam]
impact:
  users_affected: 20% of API requests
  duration: PT1H
action_items:
  - title: Add a canary stage to API deploys
    owner: dana
    type: prevent
    due: 2024-06-01
---

# Postmortem: API errors after deploy

## Summary

A deploy raised the API error rate to 20% for an hour.

## Impact

One in five API requests failed between 09:55 and 11:00 UTC.

## Timeline

- 2024-05-02T10:00:00Z **note** by sam: Error-rate alert fired.
- 2024-05-02T10:30:00Z **mitigation/rollback** by dana: Rolled back.

## Contributing factors

The release changed a connection pool default that the tests did not exercise.

## Detection

The error-rate alert fired five minutes after the deploy.

## Mitigation

A rollback restored the previous release.

## Resolution

The pool default was restored and a test added.

## Recovery

Clients retried automatically; no manual recovery was needed.

## Responders

- Incident Commander: sam
- Ops Lead: dana

## Lessons learned

Defaults that change behaviour under load need a load test.

## Action items

- Add a canary stage to API deploys (dana)
"""

LESSON = "Defaults that change behaviour under load need a load test."
ALLOWING = '[tool.incident-docs.blameless]\nallow = ["cowboy deploy"]\n'
"""A phrase the archive allows: it keeps a finding away only where its words are written."""

INCIDENT_PATH = "incidents/INC-2024-05-02-api-errors.md"
POSTMORTEM_PATH = "postmortems/PM-2024-05-02-api-errors.md"
GOOD_ARCHIVE = {INCIDENT_PATH: INCIDENT, POSTMORTEM_PATH: POSTMORTEM}

Files = dict[str, str | bytes]


@dataclass(frozen=True)
class RuleCase:
    code: str
    bad: Files
    good: Files = field(default_factory=lambda: dict(GOOD_ARCHIVE))
    symlinks: dict[str, str] = field(default_factory=dict)
    """Only for the bad case: link path -> target (absolute or relative)."""


def incident(old: str, new: str) -> Files:
    assert old in INCIDENT, old
    return {INCIDENT_PATH: INCIDENT.replace(old, new, 1), POSTMORTEM_PATH: POSTMORTEM}


def postmortem(old: str, new: str, *, status: str = "draft") -> Files:
    assert old in POSTMORTEM, old
    text = POSTMORTEM.replace(old, new, 1).replace("status: draft", f"status: {status}", 1)
    return {INCIDENT_PATH: INCIDENT, POSTMORTEM_PATH: text}


ROSTER = """\
people:
  - {handle: sam, name: Sam Lindqvist, github: samlq}
  - {handle: dana, name: Dana Okafor, github: dana-okafor, senior: true, maintainer: true}
  - {handle: priya, name: Priya Raman, github: priyaraman, senior: true}
"""
TEAMS_ROSTER = (
    ROSTER
    + """\
teams:
  - {name: api, members: [sam, dana], seniors: [dana], services: [api]}
  - {name: data, members: [priya], seniors: [priya], services: [warehouse]}
"""
)
"""The same people, in two teams: the api team owns the service the cases' records name."""


CASES: list[RuleCase] = [
    RuleCase(
        "IO001", dict(GOOD_ARCHIVE), symlinks={"incidents/INC-2024-05-03-gone.md": "missing.md"}
    ),
    RuleCase(
        "IO002", {**GOOD_ARCHIVE, "incidents/INC-2024-05-03-binary.md": b"\x89PNG\x00\x00\x01"}
    ),
    RuleCase(
        "IO003",
        {**GOOD_ARCHIVE, POSTMORTEM_PATH: POSTMORTEM.encode().replace(b"Defaults", b"D\xe9faults")},
    ),
    RuleCase("IO004", {**GOOD_ARCHIVE, "incidents/INC-2024-05-03-huge.md": "x" * 3_000_000}),
    RuleCase(
        "IO005", dict(GOOD_ARCHIVE), symlinks={"incidents/INC-2024-05-03-link.md": "/etc/hostname"}
    ),
    RuleCase(
        "IO006",
        postmortem(
            "# Postmortem: API errors after deploy",
            "# Postmortem: API errors after deploy\n\nThe log showed " + "*" * 3000,
        ),
    ),
    RuleCase(
        "IO007",
        incident("title: API errors after deploy", 'title: "\\e[31mAPI errors after deploy\\e[0m"'),
    ),
    RuleCase("FM001", incident("---\nid:", "id:")),
    RuleCase("FM002", incident("tags: [deploy]", "tags: [deploy")),
    RuleCase("FM003", incident("declared_by: sam\n", "")),
    RuleCase("FM004", incident("severity: SEV2", "severity: critical")),
    RuleCase("FM005", incident("tags: [deploy]", "tags: [deploy]\nservces: [api]")),
    RuleCase(
        "FM006", incident("declared_at: 2024-05-02T10:05:00Z", "declared_at: 2024-05-02T10:05:00")
    ),
    RuleCase(
        "FM007", incident("detected_at: 2024-05-02T10:00:00Z", "detected_at: 2024-05-02T12:00:00Z")
    ),
    RuleCase("FM008", incident("resolved_at: 2024-05-02T11:00:00Z\n", "")),
    RuleCase(
        "FM009",
        incident("title: API errors after deploy", "title: !!python/object/apply:os.system [ls]"),
    ),
    RuleCase(
        "FM010",
        incident("title: API errors after deploy", "title: API errors after deploy\ntitle: Other"),
    ),
    RuleCase(
        "FM011",
        postmortem("authors: [sam]\n", "authors: [sam]\ndetected_at: 2024-05-02T10:05:00Z\n"),
    ),
    RuleCase("FM012", incident("tags: [deploy]", "tags: [deploy, Deploy]")),
    RuleCase(
        "SC001",
        postmortem(
            "## Detection\n\nThe error-rate alert fired five minutes after the deploy.\n\n", ""
        ),
    ),
    RuleCase(
        "SC002",
        postmortem(
            "Clients retried automatically; no manual recovery was needed.",
            "_TODO: how was service restored?_",
            status="in-review",
        ),
    ),
    RuleCase(
        "SC004",
        postmortem(
            "Clients retried automatically; no manual recovery was needed.",
            "_TODO: how was service restored?_",
        ),
    ),
    RuleCase("SC003", postmortem("## Responders", "## Impact\n\nMore impact.\n\n## Responders")),
    RuleCase(
        "SC005",
        postmortem(
            "Clients retried automatically; no manual recovery was needed.",
            "_TODO: how was service restored?_\n\n"
            "Clients retried automatically; no manual recovery was needed.",
            status="in-review",
        ),
    ),
    RuleCase(
        "TL001",
        incident(
            "- 2024-05-02T10:00:00Z **note** by sam: Error-rate alert fired.",
            "- 10:00 error-rate alert fired",
        ),
    ),
    RuleCase(
        "TL002", incident("- 2024-05-02T11:00:00Z **status**", "- 2024-05-02T10:20:00Z **status**")
    ),
    RuleCase(
        "TL003", incident("- 2024-05-02T10:00:00Z **note**", "- 2024-05-02T10:00:00 **note**")
    ),
    RuleCase("TL004", incident("**mitigation/rollback**", "**mitigation**")),
    RuleCase("ID001", {**GOOD_ARCHIVE, "incidents/INC-2024-05-02-api-errors-copy.md": INCIDENT}),
    RuleCase("ID002", {POSTMORTEM_PATH: POSTMORTEM, "incidents/api-errors.md": INCIDENT}),
    RuleCase(
        "ID003", {POSTMORTEM_PATH: POSTMORTEM, "postmortems/INC-2024-05-02-api-errors.md": INCIDENT}
    ),
    RuleCase("ID004", {**GOOD_ARCHIVE, "incidents/notes.docx": "binary-ish"}),
    RuleCase(
        "ID005",
        postmortem("incidents: [INC-2024-05-02-api-errors]", "incidents: [INC-2099-01-01-missing]"),
    ),
    RuleCase("PE001", incident("declared_by: sam", "declared_by: sammy")),
    RuleCase("RL001", incident("  ops_lead: dana", "  ops_lead: [dana, priya]")),
    RuleCase("RL002", incident("    from: sam\n    to: dana", "    from: priya\n    to: dana")),
    RuleCase(
        "RL003",
        incident(
            "    to: dana\n",
            "    to: dana\n  - at: 2024-05-02T10:20:00Z\n"
            "    role: incident_commander\n    from: sam\n    to: priya\n",
        ),
    ),
    RuleCase("RL004", incident("  ops_lead: dana", "  ops_lead: priya")),
    RuleCase("RL005", incident("  - at: 2024-05-02T10:10:00Z", "  - at: 2024-05-02T10:00:00Z")),
    RuleCase("RL006", incident("  - at: 2024-05-02T10:10:00Z", "  - at: 2024-05-02T11:10:00Z")),
    RuleCase(
        "RV001",
        postmortem(
            "status: draft",
            "status: approved\napproved_by: [sam]\napproved_at: 2024-05-09T10:00:00Z",
        ),
        postmortem(
            "status: draft",
            "status: approved\napproved_by: [priya]\napproved_at: 2024-05-09T10:00:00Z",
        ),
    ),
    RuleCase(
        "TM001",
        {
            **GOOD_ARCHIVE,
            "people.yaml": TEAMS_ROSTER.replace("seniors: [dana]", "seniors: [priya]"),
        },
        {**GOOD_ARCHIVE, "people.yaml": TEAMS_ROSTER},
    ),
    RuleCase(
        "TM002",
        {**GOOD_ARCHIVE, "people.yaml": TEAMS_ROSTER.replace("services: [api]", "services: [web]")},
        {**GOOD_ARCHIVE, "people.yaml": TEAMS_ROSTER},
    ),
    RuleCase(
        "RV002",
        {
            **postmortem(
                "status: draft",
                "status: approved\napproved_by: [priya]\napproved_at: 2024-05-09T10:00:00Z",
            ),
            "people.yaml": TEAMS_ROSTER,
        },
        {
            **postmortem(
                "status: draft",
                "status: approved\napproved_by: [dana]\napproved_at: 2024-05-09T10:00:00Z",
            ),
            "people.yaml": TEAMS_ROSTER,
        },
    ),
    RuleCase(
        "SP001",
        postmortem(
            "## Lessons learned\n",
            "## Lessons learned\n\n<!-- incident-docs disable-next-line FM004 -->",
        ),
    ),
    RuleCase(
        "SP002",
        postmortem(
            "## Lessons learned\n", "## Lessons learned\n\n<!-- incident-docs disable-next-line -->"
        ),
    ),
    RuleCase(
        "SP003",
        {**GOOD_ARCHIVE, "pyproject.toml": ALLOWING},
        {**postmortem(LESSON, "It was a cowboy deploy."), "pyproject.toml": ALLOWING},
    ),
]


def _blameless_cases() -> list[RuleCase]:
    from incident_docs.blameless import EXAMPLES

    return [
        RuleCase(code, postmortem(LESSON, bad), postmortem(LESSON, good))
        for code, (bad, good) in sorted(EXAMPLES.items())
    ]


CASES.extend(_blameless_cases())
