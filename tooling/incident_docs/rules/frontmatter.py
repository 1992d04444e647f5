"""FM: the front-matter is present, parses safely, validates, and tells a consistent story."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from incident_docs.diagnostics import Finding, Severity
from incident_docs.models import (
    INCIDENT_TRANSITIONS,
    KEY_TIMESTAMPS,
    Incident,
    IncidentStatus,
    Postmortem,
    PostmortemStatus,
)
from incident_docs.rules.approval import judges_approvals
from incident_docs.rules.base import Family, RuleInfo, Subject

RULES = (
    RuleInfo("FM001", "front-matter-missing", "A record starts with YAML front-matter between '---' lines.",
             "# Outage\n\nNo front-matter.", "---\nid: INC-2022-12-25-web-outage\n...\n---\n# Outage"),
    RuleInfo("FM002", "yaml-syntax", "The front-matter is valid YAML: a mapping of keys to values.",
             "title: [unclosed", "title: Web outage"),
    RuleInfo("FM003", "missing-field", "Every required field is present.",
             "(no severity key)", "severity: SEV2"),
    RuleInfo("FM004", "invalid-value", "Every value has the right type and form (IDs, enums, dates, severities).",
             "severity: critical", "severity: SEV1"),
    RuleInfo("FM005", "unknown-key", "No key the record format does not know (usually a typo).",
             "servces: [web]", "services: [web]"),
    RuleInfo("FM006", "naive-timestamp", "Timestamps carry a UTC offset.",
             "declared_at: 2022-12-25T12:41:00", "declared_at: 2022-12-25T12:41:00Z"),
    RuleInfo("FM007", "timestamps-out-of-order", "Key timestamps, status changes and handoffs happen in order, and a postmortem is approved (approved_at) after the key timestamps it records.",
             "detected_at: 13:00Z with resolved_at: 12:00Z", "detected_at before resolved_at"),
    RuleInfo("FM008", "state-mismatch", "The status agrees with the rest of the record: resolved needs resolved_at, the moment status_history resolved it; status_history starts at investigating; an approved postmortem lists its approvers (when approvals are asked for) and approved_at, which no other status has.",
             "status: resolved (no resolved_at)", "status: resolved\nresolved_at: 2022-12-25T14:40:00Z"),
    RuleInfo("FM009", "unsafe-yaml", "No object-constructing YAML tags, merge keys, alias bombs or deep nesting.",
             "title: !!python/object/apply:os.system [ls]", "title: Web outage"),
    RuleInfo("FM010", "duplicate-key", "A key appears once; YAML would silently keep only the last value.",
             "title: A\ntitle: B", "title: A"),
    RuleInfo("FM011", "incident-times-differ", "A postmortem records its incident's key times as the incident has them (of several incidents: the earliest start, detection and declaration, the latest mitigation and resolution), and, when it copied how they began, how they ended too; said on the postmortem and on the incident that names it.",
             "detected_at: 2022-12-25T12:38:00Z (the incident: 12:40)", "detected_at: 2022-12-25T12:40:00Z",
             Severity.WARNING),
    RuleInfo("FM012", "listed-twice", "A list of services, tags, incidents, teams or people names each once, in any case (an approved postmortem's approver written twice is RV001's).",
             "authors: [sam, priya, Sam]", "authors: [sam, priya]", Severity.WARNING),
)  # fmt: skip

_LISTS = (
    "services",
    "tags",
    "incidents",
    "authors",
    "reviewers",
    "approved_by",
    "teams",
    "outside_responders",
)
"""The lists of names whose items are compared, in any case and without the spaces around them
(a handle is read without them): the site's pages and the review gate read them so."""


def check(subject: Subject) -> Iterator[Finding]:
    doc = subject.doc
    if not doc.readable:
        return
    yield from (p for p in doc.problems if p.code.startswith("FM"))
    if not doc.has_front_matter:
        yield Finding(
            "FM001",
            "no front-matter: a record starts with a '---' line, its YAML fields, and '---'",
            1,
            1,
        )
        return
    if subject.kind is None or doc.front_matter is None:
        return
    yield from subject.record_problems
    severity = doc.front_matter.get("severity")
    names = subject.ctx.config.severity_names()
    if isinstance(severity, str) and severity not in names:
        yield Finding(
            "FM004",
            f"unknown severity '{severity}' (configured: {', '.join(names)})",
            doc.line_of(("severity",)),
            1,
        )
    yield from _listed_twice(subject)
    record = subject.record
    if isinstance(record, Incident):
        yield from _incident_story(subject, record)
    elif isinstance(record, Postmortem):
        yield from _postmortem_story(subject, record)


def _listed_twice(subject: Subject) -> Iterator[Finding]:
    """FM012: an item of a list of names that an earlier item already names."""
    front_matter = subject.doc.front_matter or {}
    for key in _LISTS:
        items = front_matter.get(key)
        if not isinstance(items, list):
            continue
        if key == "approved_by" and judges_approvals(subject):
            continue  # RV001 reports each name of it written twice, an error
        seen: dict[str, int] = {}
        for index, item in enumerate(items):
            if not isinstance(item, str):
                continue
            first = seen.setdefault(item.strip().casefold(), index)
            if first != index:
                again = "" if items[first] == item else f" (as '{items[first]}')"
                yield Finding(
                    "FM012",
                    f"'{key}' names '{item}' twice{again}: list it once",
                    subject.doc.line_of((key, index)),
                    1,
                )


def _key_order(subject: Subject, record: Incident | Postmortem) -> Iterator[Finding]:
    # Detection and declaration may come in either order relative to mitigation,
    # but nothing comes before the start of impact and nothing after resolution.
    moments = {name: getattr(record, name) for name in KEY_TIMESTAMPS}
    pairs = [
        ("started_at", "detected_at"),
        ("started_at", "declared_at"),
        ("started_at", "mitigated_at"),
        ("detected_at", "mitigated_at"),
        ("mitigated_at", "resolved_at"),
        ("detected_at", "resolved_at"),
        ("declared_at", "resolved_at"),
        ("started_at", "resolved_at"),
    ]
    reported: set[str] = set()
    for earlier, later in pairs:
        first, second = moments[earlier], moments[later]
        if first is None or second is None or second >= first or later in reported:
            continue
        reported.add(later)
        yield Finding(
            "FM007",
            f"'{later}' ({_hm(second)}) is before '{earlier}' ({_hm(first)})",
            subject.doc.line_of((later,)),
            1,
        )


def _approval_order(subject: Subject, postmortem: Postmortem) -> Iterator[Finding]:
    # A postmortem is approved once the incident is over: after its resolution, or without one
    # after the last key time it records (one out of order is reported on its own line).
    approved_at = postmortem.approved_at
    if approved_at is None:
        return
    known = [
        (moment, name)
        for name in KEY_TIMESTAMPS
        if (moment := getattr(postmortem, name)) is not None
    ]
    if not known:
        return
    latest, name = known[-1] if known[-1][1] == "resolved_at" else max(known)
    if approved_at >= latest:
        return
    when = (
        f"the incident was resolved ('resolved_at', {_hm(latest)})"
        if name == "resolved_at"
        else f"'{name}' ({_hm(latest)}), the last key time this postmortem records"
    )
    yield Finding(
        "FM007",
        f"'approved_at' ({_hm(approved_at)}) is before {when}: a postmortem is approved "
        "after the incident is over",
        subject.doc.line_of(("approved_at",)),
        1,
    )


_LAST_OF_SEVERAL = frozenset({"mitigated_at", "resolved_at"})
"""The key times a postmortem of several incidents takes from the last of them; the others it
takes from the first."""


@dataclass(frozen=True)
class _Drift:
    """A key time a postmortem records that is not its incidents'."""

    name: str
    recorded: datetime | None
    """None: the postmortem copied how its incidents began but not this time, which came later."""
    expected: datetime
    source: str
    """The ID of the incident the expected time is from."""
    several: bool


def _drifts(postmortem: Postmortem, incidents: Iterable[Incident]) -> Iterator[_Drift]:
    """The key times the postmortem records that are not its incidents' (of several: the
    earliest start, detection and declaration, the latest mitigation and resolution). Nothing
    when one of its incidents is missing (ID005's to report): the span is unknown."""
    by_id = {incident.id: incident for incident in incidents}
    if not by_id or set(by_id) != set(postmortem.incidents):
        return
    # A postmortem drafted while its incident ran copied how it began, but not how it ended:
    # the mitigation and resolution that came later are missing from it, not left out.
    began = [
        name
        for name in KEY_TIMESTAMPS
        if name not in _LAST_OF_SEVERAL
        and all(getattr(incident, name) is not None for incident in by_id.values())
    ]
    copied = all(getattr(postmortem, name) is not None for name in began)
    for name in KEY_TIMESTAMPS:
        recorded = getattr(postmortem, name)
        known = [
            (moment, incident.id)
            for incident in by_id.values()
            if (moment := getattr(incident, name)) is not None
        ]
        if recorded is None and not (copied and name in _LAST_OF_SEVERAL):
            continue  # left to the incident
        if len(known) != len(by_id):
            continue  # one incident without it (still open, say): nothing to compare with
        expected, source = max(known) if name in _LAST_OF_SEVERAL else min(known)
        if recorded != expected:
            yield _Drift(name, recorded, expected, source, len(by_id) > 1)


def _incident_times(subject: Subject, postmortem: Postmortem) -> Iterator[Finding]:
    # The site shows the postmortem's times on its card and the metrics count the incident's:
    # a copy that has drifted (the incident corrected, or reopened) tells two stories.
    for drift in _drifts(postmortem, (incident for incident, _ in subject.incidents)):
        if drift.recorded is None:
            whose = (
                f"the {'latest' if drift.name in _LAST_OF_SEVERAL else 'earliest'} of its "
                f"incidents', {drift.source}'s"
                if drift.several
                else f"its incident's, {drift.source}'s"
            )
            written = drift.expected.isoformat().replace("+00:00", "Z")
            yield Finding(
                "FM011",
                f"'{drift.name}' is missing, though the key times before it are copied: add "
                f"'{drift.name}: {written}' ({whose})",
                _line_of_key_time(subject, drift.name),
                1,
            )
            continue
        recorded, expected = _side_by_side(drift.recorded, drift.expected)
        whose = (
            f"the {'latest' if drift.name in _LAST_OF_SEVERAL else 'earliest'} of its "
            f"incidents' ({expected}, {drift.source})"
            if drift.several
            else f"its incident's ({expected})"
        )
        yield Finding(
            "FM011",
            f"'{drift.name}' ({recorded}) is not {whose}: copy it from {drift.source}, or "
            "correct the incident",
            subject.doc.line_of((drift.name,)),
            1,
        )


def _line_of_key_time(subject: Subject, name: str) -> int:
    """Where a missing key time goes: after the last key time before it, else before the first
    after it."""
    index = KEY_TIMESTAMPS.index(name)
    present = [key for key in KEY_TIMESTAMPS if (key,) in subject.doc.key_lines]
    before = [key for key in present if KEY_TIMESTAMPS.index(key) < index]
    after = [key for key in present if KEY_TIMESTAMPS.index(key) > index]
    nearest = before[-1] if before else after[0] if after else name
    return subject.doc.line_of((nearest,))


def _copied_times(subject: Subject, incident: Incident) -> Iterator[Finding]:
    # Said on the incident too: a pull request that corrects an incident lints the incident,
    # not the postmortem whose copy it leaves behind.
    postmortem = subject.postmortem
    if postmortem is None or incident.id not in postmortem.incidents:
        return
    incidents = [incident]
    for other_id in dict.fromkeys(postmortem.incidents):
        if other_id != incident.id:
            read = subject.read_record(other_id, "incident")
            if read is None or not isinstance(read[0], Incident):
                return
            incidents.append(read[0])
    for drift in _drifts(postmortem, incidents):
        if drift.source != incident.id:
            continue  # another incident's time: said on that one
        if drift.recorded is None:
            yield Finding(
                "FM011",
                f"'{drift.name}' ({_hm(drift.expected)}) is missing from {postmortem.id}, which "
                "copies the key times before it: copy it there",
                subject.doc.line_of((drift.name,)),
                1,
            )
            continue
        expected, recorded = _side_by_side(drift.expected, drift.recorded)
        yield Finding(
            "FM011",
            f"'{drift.name}' ({expected}) differs from the copy in {postmortem.id} "
            f"({recorded}): update the postmortem's copy",
            subject.doc.line_of((drift.name,)),
            1,
        )


def _side_by_side(first: datetime, second: datetime) -> tuple[str, str]:
    """Two moments as a message shows them: the second in the first's offset, to the second
    when they fall in the same minute, with its fraction when in the same second."""
    second = second.astimezone(first.tzinfo)
    for shown in (_hm, _hms):
        if shown(first) != shown(second):
            return shown(first), shown(second)
    return first.isoformat(timespec="microseconds"), second.isoformat(timespec="microseconds")


def _hm(moment: datetime) -> str:
    return moment.isoformat(timespec="minutes")


def _hms(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _incident_story(subject: Subject, incident: Incident) -> Iterator[Finding]:
    doc = subject.doc
    yield from _key_order(subject, incident)
    yield from _copied_times(subject, incident)
    if incident.status is IncidentStatus.RESOLVED and incident.resolved_at is None:
        yield Finding(
            "FM008",
            "status is 'resolved' but 'resolved_at' is missing",
            doc.line_of(("status",)),
            1,
        )
    if incident.status is not IncidentStatus.RESOLVED and incident.resolved_at is not None:
        yield Finding(
            "FM008",
            f"'resolved_at' is set but status is '{incident.status}': set status to resolved "
            "or remove resolved_at",
            doc.line_of(("resolved_at",)),
            1,
        )
    history = incident.status_history
    if history:
        if history[0].status is not IncidentStatus.INVESTIGATING:
            yield Finding(
                "FM008",
                f"status_history starts at '{history[0].status}': an incident is declared "
                "'investigating', and its first entry says when",
                doc.line_of(("status_history", 0)),
                1,
            )
        last = history[-1]
        if (
            last.status is IncidentStatus.RESOLVED
            and incident.resolved_at is not None
            and incident.resolved_at != last.at
        ):
            # The metrics and the site count from resolved_at, the picture from the history.
            yield Finding(
                "FM008",
                f"'resolved_at' ({_hm(incident.resolved_at)}) is not when status_history says "
                f"the incident was resolved ({_hm(last.at)})",
                doc.line_of(("resolved_at",)),
                1,
            )
        if last.status is not incident.status:
            yield Finding(
                "FM008",
                f"status is '{incident.status}' but the last status_history entry is "
                f"'{history[-1].status}'",
                doc.line_of(("status",)),
                1,
            )
        for index, (before, after) in enumerate(itertools.pairwise(history), 1):
            line = doc.line_of(("status_history", index))
            if after.at < before.at:
                yield Finding(
                    "FM007",
                    f"status change to '{after.status}' at {_hm(after.at)} is before the "
                    f"previous one at {_hm(before.at)}",
                    line,
                    1,
                )
            if after.status not in INCIDENT_TRANSITIONS[before.status]:
                yield Finding(
                    "FM008",
                    f"status cannot go from '{before.status}' to '{after.status}'",
                    line,
                    1,
                )
        if history[0].at < incident.declared_at:
            yield Finding(
                "FM007",
                "the first status change is before the incident was declared",
                doc.line_of(("status_history", 0)),
                1,
            )
    for index, (before_h, after_h) in enumerate(
        zip(incident.handoffs, incident.handoffs[1:], strict=False), 1
    ):
        if after_h.at < before_h.at:
            yield Finding(
                "FM007",
                f"handoff at {_hm(after_h.at)} is listed after one at {_hm(before_h.at)}",
                doc.line_of(("handoffs", index)),
                1,
            )


def _postmortem_story(subject: Subject, postmortem: Postmortem) -> Iterator[Finding]:
    doc = subject.doc
    yield from _key_order(subject, postmortem)
    yield from _approval_order(subject, postmortem)
    yield from _incident_times(subject, postmortem)
    approved = postmortem.status in (PostmortemStatus.APPROVED, PostmortemStatus.PUBLISHED)
    if approved and postmortem.approved_at is None:
        yield Finding(
            "FM008",
            f"status is '{postmortem.status}' but 'approved_at' is missing",
            doc.line_of(("status",)),
            1,
        )
    if not approved and postmortem.approved_at is not None:
        yield Finding(
            "FM008",
            f"'approved_at' is set but status is '{postmortem.status}': set status to approved "
            "or remove approved_at",
            doc.line_of(("approved_at",)),
            1,
        )
    # Approvals the configuration asks for: none at all for a severity whose approvals and
    # team approvals are both 0.
    config = subject.ctx.config
    wanted = config.required_approvals(postmortem.severity) + config.required_team_approvals(
        postmortem.severity
    )
    if approved and not postmortem.approved_by and wanted:
        yield Finding(
            "FM008",
            f"status is '{postmortem.status}' but nobody is listed in 'approved_by'",
            doc.line_of(("status",)),
            1,
        )


FAMILY = Family(RULES, check)
