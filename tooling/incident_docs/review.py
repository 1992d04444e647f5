"""The senior review gate: from a pull request, its reviews and the base roster to a decision."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from incident_docs.config import Config
from incident_docs.diagnostics import UsageError
from incident_docs.document import Document, parse_bytes, yaml_comments
from incident_docs.formatters import code_span, table_cell
from incident_docs.models import (
    Handoff,
    Incident,
    Person,
    Postmortem,
    PostmortemStatus,
    Role,
    Roles,
    Roster,
    TimelineEntry,
)
from incident_docs.records import SKIPPED_NAMES, validate_record
from incident_docs.teams import (
    Involvement,
    TeamState,
    merge_involvement,
    postmortem_involvement,
    team_states,
)
from incident_docs.timeline import parse_timeline, timeline_titles

DECISIVE = frozenset({"APPROVED", "CHANGES_REQUESTED", "DISMISSED"})
"""Review states that decide; a COMMENTED review after an approval changes nothing."""


@dataclass(frozen=True)
class PullRequest:
    number: int
    author: str
    head_sha: str
    base_sha: str
    changed_files: int | None = None


@dataclass(frozen=True)
class Review:
    id: int
    login: str
    user_type: str
    state: str
    commit_id: str | None
    submitted_at: datetime | None


@dataclass(frozen=True)
class ChangedFile:
    path: str
    status: str = "modified"
    previous_path: str | None = None

    def paths(self) -> tuple[str, ...]:
        return (self.path, self.previous_path) if self.previous_path else (self.path,)


@dataclass(frozen=True)
class Requirement:
    """How many senior approvals the postmortems in a pull request need, and why."""

    required: int = 1
    severity: str | None = None
    source: str | None = None
    authors: frozenset[str] = frozenset()
    """Casefolded roster handles of the postmortems' authors: they cannot approve their own."""
    notes: tuple[str, ...] = ()
    involvement: tuple[Involvement, ...] = ()
    """The teams involved, each of which must approve through one of its seniors."""
    team_approvals: int = 1
    missing_incidents: tuple[str, ...] = ()
    """Incidents the postmortems name that neither the base nor the head has: their
    responders' teams cannot be known, so the gate stays closed."""
    unreadable: tuple[str, ...] = ()
    """Postmortems and incidents, as they would merge, that cannot be read ("PATH: why"): the
    teams they involve cannot be known, so the gate stays closed."""
    raised_by: str | None = None
    """Why the severity is not the postmortem's own, when one of its incidents is more severe
    ("the severity of its incident INC-… at base 1a2b3c4; postmortems/PM-….md says SEV3")."""
    claimed: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """Approved or published postmortems as they would merge, each with the names the pull
    request writes into its approved_by: each must have approved the pull request."""


@dataclass(frozen=True)
class ReviewerRow:
    login: str
    state: str
    commit: str | None
    counted: bool
    reason: str


@dataclass(frozen=True)
class Decision:
    required: int
    severity: str | None
    source: str | None
    approvers: tuple[str, ...]
    blockers: tuple[str, ...]
    rows: tuple[ReviewerRow, ...]
    unmet: tuple[str, ...]
    notes: tuple[str, ...] = field(default=())
    teams: tuple[TeamState, ...] = field(default=())
    raised_by: str | None = None
    """Requirement.raised_by: why an incident's severity sets the count."""

    @property
    def satisfied(self) -> bool:
        return not self.unmet


# --- reading GitHub's JSON -------------------------------------------------------------------


def _field(data: Any, *keys: str) -> Any:
    value = data
    for key in keys:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def pull_request_from_api(data: Any) -> PullRequest:
    number = _field(data, "number")
    author = _field(data, "user", "login")
    head = _field(data, "head", "sha")
    base = _field(data, "base", "sha")
    if not isinstance(number, int) or not all(isinstance(v, str) for v in (author, head, base)):
        raise UsageError(
            "GitHub API: the pull request lacks number, user.login, head.sha or base.sha"
        )
    changed = _field(data, "changed_files")
    return PullRequest(number, author, head, base, changed if isinstance(changed, int) else None)


def reviews_from_api(items: Iterable[Any]) -> list[Review]:
    """The reviews, in GitHub's shape. One that cannot be placed in order (no id, no state, no
    time of submission) is an error, not skipped: skipping a request for changes would open the
    gate."""
    reviews = []
    for item in items:
        if isinstance(item, dict) and "user" in item and item["user"] is None:
            # A deleted ("ghost") account has no user; it cannot be a senior, so it cannot count.
            continue
        login = _field(item, "user", "login")
        if not isinstance(login, str) or not login.strip():
            # Not a review at all, or one that names nobody: it may be a request for changes.
            what = f"review {_field(item, 'id')!r}" if isinstance(item, dict) else "a review"
            raise UsageError(f"GitHub API: {what} names no user (no user.login)")
        review_id = _field(item, "id")
        state = _field(item, "state")
        if isinstance(review_id, bool) or not isinstance(review_id, int):
            raise UsageError(f"GitHub API: a review by {login} has no numeric id")
        if not isinstance(state, str):
            raise UsageError(f"GitHub API: review {review_id} by {login} has no state")
        submitted = _field(item, "submitted_at")
        submitted_at = _timestamp(submitted)
        if submitted_at is None and state.upper() != "PENDING":
            # Only a review still being written has no time of submission.
            raise UsageError(
                f"GitHub API: review {review_id} by {login} has no readable submitted_at "
                f"({submitted!r})"
            )
        commit = _field(item, "commit_id")
        reviews.append(
            Review(
                id=review_id,
                login=login,
                user_type=str(_field(item, "user", "type") or "User"),
                state=state.upper(),
                commit_id=commit if isinstance(commit, str) else None,
                submitted_at=submitted_at,
            )
        )
    return reviews


def files_from_api(items: Iterable[Any]) -> list[ChangedFile]:
    files = []
    for item in items:
        name = _field(item, "filename")
        if not isinstance(name, str):
            raise UsageError("GitHub API: a changed file has no filename")
        previous = _field(item, "previous_filename")
        files.append(
            ChangedFile(
                name,
                str(_field(item, "status") or "modified"),
                previous if isinstance(previous, str) else None,
            )
        )
    return files


def _timestamp(value: Any) -> datetime | None:
    """A time GitHub gives, in UTC where it names no offset (so that every two compare)."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


# --- which files put a pull request under the gate -------------------------------------------


@lru_cache(maxsize=64)
def _glob(pattern: str) -> re.Pattern[str]:
    parts = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if pattern.startswith("**/", index):
            parts.append("(?:.*/)?")
            index += 3
            continue
        if pattern.startswith("**", index):
            parts.append(".*")
            index += 2
            continue
        parts.append("[^/]*" if char == "*" else "[^/]" if char == "?" else re.escape(char))
        index += 1
    return re.compile("".join(parts) + r"\Z", re.DOTALL)  # "**" crosses a line break in a name too


def matches(path: str, patterns: Iterable[str]) -> bool:
    """Whether a repo-relative path matches a glob: `*` stays in one folder, `**` crosses them.
    A folder matches what is in it, as in CODEOWNERS: "postmortems/" and "postmortems" (a
    pattern without a wildcard) are "postmortems/**"."""
    for pattern in patterns:
        while pattern.startswith(("/", "./")):  # from the repository's root, as written
            pattern = pattern.removeprefix(".").lstrip("/")
        if not pattern:
            continue
        if pattern.endswith("/"):
            pattern += "**"
        elif not any(char in pattern for char in "*?") and path.startswith(pattern + "/"):
            return True
        if _glob(pattern).match(path):
            return True
    return False


def gated_files(files: Iterable[ChangedFile], config: Config) -> list[ChangedFile]:
    """Changed files (old or new name) matching config.review_paths()."""
    paths = config.review_paths()
    return [f for f in files if any(matches(p, paths) for p in f.paths())]


def is_postmortem_path(path: str) -> bool:
    return path.endswith(".md") and path.rsplit("/", 1)[-1].lower() not in SKIPPED_NAMES


def postmortem_paths(files: Iterable[ChangedFile], config: Config) -> list[ChangedFile]:
    """Gated files that are, or were before a rename, postmortems: their severity and teams
    decide the approvals (renaming one to README.md or .txt does not take it out of review)."""
    return [f for f in gated_files(files, config) if any(map(is_postmortem_path, f.paths()))]


# --- follow-up updates: what needs no senior review ------------------------------------------

FOLLOW_UP_FIELDS = frozenset({"status", "tracker"})
"""The action-item fields `incident actions sync` writes: where the follow-up work stands and
where it is tracked, decided on its issue, not what the seniors reviewed."""

FOLLOW_UP_REASON = "only action items' status and tracker changed"
"""Why a postmortem changed so needs no senior review, as the gate says it."""


def changed_in_place(changed: ChangedFile) -> bool:
    """A postmortem modified where it is. One added, removed, renamed or copied is always
    reviewed: its approval is about more than its action items."""
    return (
        changed.status == "modified"
        and changed.previous_path is None
        and is_postmortem_path(changed.path)
    )


def follow_up_update(
    before: bytes | None,
    after: bytes | None,
    path: str,
    config: Config,
    repo: str,
    web: str = "https://github.com",
) -> bool:
    """Whether a postmortem's new version differs from its old one only in its action items'
    `status` and `tracker` values: the state of the follow-up work flowing back from its issue
    (what `incident actions sync` writes), which needs no senior review.

    Strict, so that nothing rides along unreviewed, and closed on any doubt: both versions exist,
    read without a finding and validate as postmortems (every status is a valid action-item
    status, every tracker a link); the body is the same line for line (line endings and a byte
    order mark aside); the front-matter holds the same keys in the same order with the same
    values and types, and the same action items in the same order, but for those two fields of
    each; its YAML comments are the same, in the same order (they hold lint suppressions and
    notes to readers). Quoting, flow or block style and indentation may differ: they change no
    value, and the writer may rewrite an item's line to add its tracker. At least one status or
    tracker differs: a change of formatting alone is no follow-up update. A tracker only ever
    goes from none to an issue of `repo` (the pull request's repository) on `web` (GitHub's web
    root, see github.web_root), as the sync writes it: any other address is published as the
    item's link, so it is reviewed."""
    if before is None or after is None:
        return False
    old, new = (
        parse_bytes(raw, path, max_bytes=config.lint.max_file_bytes) for raw in (before, after)
    )
    for doc in (old, new):
        record, _problems = validate_record(doc, "postmortem")
        if doc.problems or not isinstance(record, Postmortem):
            return False
    # The body line for line, and the fences around the front-matter: `...` for `---` is no
    # change of value, but not every reader takes it as the end of the front-matter.
    fences = [(doc.lines[0], doc.lines[doc.front_matter_end - 1]) for doc in (old, new)]
    if old.lines[old.front_matter_end :] != new.lines[new.front_matter_end :] or (
        fences[0] != fences[1]
    ):
        return False
    if _front_matter_comments(old) != _front_matter_comments(new):
        return False
    old_rest, old_states = _apart_from_follow_ups(old.front_matter or {})
    new_rest, new_states = _apart_from_follow_ups(new.front_matter or {})
    if old_rest != new_rest or old_states == new_states:
        return False
    return all(
        was == now or (was == _NO_TRACKER and _sync_link(now, f"{web}/{repo}"))
        for (_status, was), (_state, now) in zip(old_states, new_states, strict=True)
    )


_NO_TRACKER = ("NoneType", None)


def _sync_link(tracker: Any, where: str) -> bool:
    """The tracker is what `incident actions sync` writes for a new issue: `where` (GitHub's web
    root and the repository, in any case: ASCII, so no letter stands in for another) then
    `/issues/` and the issue's number, nothing else. Compared as text, so no user name, port or
    other host can stand before the repository."""
    kind, value = tracker
    if kind != "str" or not value.isascii() or value[: len(where)].lower() != where.lower():
        return False
    rest = value[len(where) :]
    number = rest.removeprefix("/issues/")
    return number != rest and number.isdigit() and not number.startswith("0")


def _front_matter_comments(doc: Document) -> list[str]:
    lines = doc.lines[1 : doc.front_matter_end - 1]
    return [comment.strip() for _index, comment in yaml_comments(lines)]


def _apart_from_follow_ups(front: dict[str, Any]) -> tuple[Any, list[tuple[Any, Any]]]:
    """The front-matter without its action items' status and tracker, in a form that compares
    key order and types too (`1` is not `"1"`, nor `true`); and those two values of each item."""
    states: list[tuple[Any, Any]] = []
    rest: list[tuple[str, Any]] = []
    for key, value in front.items():
        if key == "action_items" and isinstance(value, list):
            items: list[Any] = []
            for item in value:
                if isinstance(item, dict):
                    states.append((_shape(item.get("status")), _shape(item.get("tracker"))))
                    item = {k: v for k, v in item.items() if k not in FOLLOW_UP_FIELDS}
                items.append(item)
            value = items
        rest.append((key, _shape(value)))
    return tuple(rest), states


def _shape(value: Any) -> Any:
    """A front-matter value as nested tuples that keep key order and each scalar's type."""
    if isinstance(value, dict):
        return ("map", tuple((key, _shape(child)) for key, child in value.items()))
    if isinstance(value, list):
        return ("list", tuple(_shape(child) for child in value))
    return (type(value).__name__, value)


# --- how many approvals ----------------------------------------------------------------------


def requirement(
    documents: Sequence[tuple[str, bytes | None]], config: Config, roster: Roster | None = None
) -> Requirement:
    """The approvals needed: the highest severity among the postmortems and the incidents each
    names wins, and with a roster, every team any of the documents involves.

    A postmortem cannot ask fewer approvals than its incident by saying it was less severe: each
    postmortem counts as the most severe of its own severity and its incidents' (every version
    of them the gate read, at the base and the head, so a pull request cannot lower both).
    A postmortem or incident whose severity cannot be read (None: not found) requires the
    strictest configured count, so a broken or missing file never lowers the bar. `documents`
    may hold several versions of a postmortem (base and head) and its incidents: the teams are
    their union, so a pull request that drops a service or a responder does not drop its team.
    """
    authors: set[str] = set()
    notes: list[str] = []
    strictest = max(level.approvals for level in config.severities)
    unknown: str | None = None
    unreadable: list[str] = []
    postmortems: list[tuple[Postmortem, list[TimelineEntry], str | None]] = []
    incidents: dict[str, list[tuple[Incident, list[TimelineEntry]]]] = {}
    merged_postmortems: list[Postmortem] = []
    merged_incidents: dict[str, list[Incident]] = {}
    """The records as the pull request would merge them: what the notes of unowned services
    and unknown teams are about (a name only the base gives is one the pull request corrects)."""
    incident_levels: dict[str, list[_Level]] = {}
    """Each named incident's severity in every version read, by the ID it was read by."""
    judged: list[tuple[str, str | None, tuple[str, ...]]] = []
    """Each postmortem version: where, its own severity when known, the incidents it names."""
    titles = timeline_titles(config)
    approved_by: dict[str, tuple[str, tuple[str, ...]]] = {}
    """Each approved or published postmortem's ID and what its approved_by says, by the label
    of the version read."""
    for path, raw in documents:
        version = _VERSION_LABEL.search(path)
        # What would merge: a postmortem at the head, or an incident at the head.
        merging = version is None or version.group(0).startswith(" (at head ")
        is_incident = path.startswith(config.incidents_dir.rstrip("/") + "/")
        if raw is None:
            unknown = unknown or path
            if version is None:
                # Listed as changed, yet the API gives no such file at the head.
                unreadable.append(f"{path}: not found at the head")
            continue
        doc = parse_bytes(raw, path, max_bytes=config.lint.max_file_bytes)
        front = doc.front_matter
        if not isinstance(front, dict):
            unknown = unknown or path
            if merging:
                # What would merge says nothing that can be read (broken YAML, no
                # front-matter, a file over the size limit): its teams cannot be known.
                unreadable.append(f"{path}: its front-matter cannot be read")
            continue
        if is_incident:
            incident, _problems = validate_record(doc, "incident")
            if not isinstance(incident, Incident):
                # It does not validate, but the services and responders it names still count,
                # under the ID it was read by.
                incident = _loose_incident(front, _read_as(path), roster)
                odd = _odd_shapes(front)
                if odd and merging:
                    # What would merge names its teams in a shape the gate cannot read: what it
                    # meant cannot be known, only guessed from the words in it.
                    unreadable.append(f"{path}: {'; '.join(odd.values())}")
            entries, _bad = parse_timeline(doc, titles)
            incidents.setdefault(incident.id, []).append((incident, entries))
            if merging:
                merged_incidents.setdefault(_read_as(path), []).append(incident)
            level = front.get("severity")
            if isinstance(level, str) and config.severity(level) is not None:
                ranked = _Level(config.severity_rank(level), level, path)
                incident_levels.setdefault(_read_as(path), []).append(ranked)
            else:
                unknown = unknown or path
            continue
        record, _problems = validate_record(doc, "postmortem")
        severity = record.severity if isinstance(record, Postmortem) else front.get("severity")
        if isinstance(record, Postmortem):
            authors.update(_handles(record.authors, roster))
            postmortems.append((record, parse_timeline(doc, titles)[0], severity))
            named_incidents = record.incidents
            if merging:
                merged_postmortems.append(record)
            if record.status in (PostmortemStatus.APPROVED, PostmortemStatus.PUBLISHED):
                approved_by[path] = (record.id, record.approved_by)
        else:
            # It does not validate, but what it says still counts: a broken file never lowers
            # the bar (its teams, from the raw front-matter; its authors cannot approve).
            authors.update(_handles(front_labels(front, "authors"), roster))
            loose = _loose_postmortem(front)
            if loose is not None:
                postmortems.append(
                    (
                        loose,
                        parse_timeline(doc, titles)[0],
                        severity if isinstance(severity, str) else None,
                    )
                )
                if merging:
                    merged_postmortems.append(loose)
            named_incidents = front_labels(front, "incidents")
            status = front.get("status")
            if isinstance(status, str) and status.strip().casefold() in _APPROVED:
                # Who it says approved it, in whatever shape it is written (`approved_by:
                # dana`, a display name): a broken file does not skip the check.
                names = _words(front.get("approved_by"), roster, people=True)
                # `dana priya` is read as dana and priya: not as a third, who never approves.
                names = [
                    name
                    for name in names
                    if len(name.split()) < 2
                    or (roster is not None and roster.named(name))
                    or not all(word in names for word in name.split())
                ]
                approved_by[path] = (str(front.get("id", "")), tuple(names))
        known = isinstance(severity, str) and config.severity(severity) is not None
        if not known:
            unknown = unknown or path
        judged.append((path, severity if known else None, tuple(named_incidents)))

    def most_severe(severity: str | None, where: str, named: Iterable[str]) -> _Level | None:
        """The postmortem's own severity, or its most severe incident's when more severe. On a
        tie, its own (the incident then explains nothing), then the base's version of the
        incident: what the pull request did not write."""
        own = []
        if severity is not None and config.severity(severity) is not None:
            own.append(_Level(config.severity_rank(severity), severity, where))
        found = own + [level for i in named for level in incident_levels.get(i, [])]
        if not found:
            return None
        return min(
            found,
            key=lambda level: (level.rank, level.where != where, " (at base " not in level.where),
        )

    best: _Level | None = None
    raised_by: str | None = None
    for path, severity, named in judged:
        for incident_id in named:
            # Found neither at the base nor the head: how severe it is cannot be known, and a
            # missing incident must not lower the bar that an unreadable one keeps.
            if incident_id not in incident_levels and incident_id not in incidents:
                unknown = unknown or f"{incident_id} (named by {path}, not found)"
        level = most_severe(severity, path, named)
        if level is not None and (best is None or level.rank < best.rank):
            best = level
            raised_by = None
            if level.where != path:
                version = _VERSION_LABEL.search(level.where)
                at = f" {version.group(0)[2:-1]}" if version else ""
                says = f"says {severity}" if severity else "has no severity it can read"
                incident_id = _read_as(level.where)
                raised_by = f"the severity of its incident {incident_id}{at}; {path} {says}"
    required = config.required_approvals(best.severity) if best else 1
    severity_name, source = (best.severity, best.where) if best else (None, None)
    if unknown is not None and strictest > required:
        notes.append(f"the severity of {unknown} cannot be read: requiring the strictest count")
        required, severity_name, source, raised_by = strictest, None, unknown, None
    if raised_by is not None:
        notes.append(f"the approvals needed are those of {severity_name}, {raised_by}")
    strictest_team = max(
        [config.review.team_approvals]
        + [level.team_approvals for level in config.severities if level.team_approvals]
    )

    def team_count(severity: str | None) -> int:
        """The approvals each team a postmortem of this severity involves gives."""
        if severity is None or config.severity(severity) is None:
            return strictest_team
        return config.required_team_approvals(severity)

    team_needed = team_count(severity_name)
    if severity_name is None and unknown is None:
        team_needed = config.required_team_approvals(None)
    involvement: list[Involvement] = []
    missing: list[str] = []
    if roster is not None and roster.teams:
        for record, entries, severity in postmortems:
            linked = [pair for i in record.incidents for pair in incidents.get(i, [])]
            missing += [i for i in record.incidents if i not in incidents and i not in missing]
            # Each team gives what the strictest postmortem that involves it asks: a more
            # severe postmortem in the same pull request does not lower another's bar, and
            # neither does the postmortem's own severity lower its incident's.
            found = postmortem_involvement(roster, record, linked, entries)
            effective = most_severe(severity, "", record.incidents)
            for item in found:
                # A version whose severity cannot be read (a broken base) never lowers a
                # team's bar either: every team then gives the strictest count.
                item.needed = (
                    strictest_team
                    if unknown is not None
                    else team_count(effective.severity if effective else severity)
                )
            involvement = merge_involvement(involvement, found)
        if strictest_team:
            notes += _unowned(roster, merged_postmortems, merged_incidents)
    return Requirement(
        required,
        severity_name,
        source,
        frozenset(authors),
        tuple(notes),
        tuple(involvement),
        team_needed,
        tuple(missing),
        tuple(unreadable),
        raised_by,
        _claimed(approved_by, roster),
    )


_APPROVED = frozenset({PostmortemStatus.APPROVED.value, PostmortemStatus.PUBLISHED.value})


def _claimed(
    approved_by: Mapping[str, tuple[str, tuple[str, ...]]], roster: Roster | None
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The names each approved or published postmortem, as it would merge, gives in approved_by
    that its base version (approved or published already) did not: the pull request says they
    approved it. Those its base gives were written by a pull request reviewed before. Its base
    version is the one at the same path, or one of the same ID (moved or renamed, also when
    GitHub lists it as one file removed and another added)."""
    claimed = []
    for path, (record_id, names) in approved_by.items():
        if _VERSION_LABEL.search(path):
            continue  # not what would merge
        before = [
            name
            for label, (other_id, given) in approved_by.items()
            if _VERSION_LABEL.search(label)
            and (_VERSION_LABEL.sub("", label) == path or (record_id and other_id == record_id))
            for name in given
        ]
        known = _handles(before, roster)
        added = tuple(n for n in names if not _handles([n], roster) <= known)
        if added:
            claimed.append((path, added))
    return tuple(claimed)


def _unowned(
    roster: Roster, postmortems: Sequence[Postmortem], incidents: Mapping[str, Sequence[Incident]]
) -> list[str]:
    """What no team's approval is asked for, though the postmortems or their incidents, as the
    pull request would merge them, name it: a service no team of the roster owns, a team the
    roster does not have (lint says so too, TM002). Without a note the gate would pass them
    with any senior's approval and say nothing of it."""
    services: dict[str, str] = {}
    teams: dict[str, str] = {}
    for record in postmortems:
        named = [
            s
            for i in record.incidents
            for incident in incidents.get(i, ())
            for s in incident.services
        ]
        for service in (*record.services, *named):
            if not roster.owners_of(service):
                services.setdefault(service.casefold(), service)
        for name in record.teams:
            if roster.team(name) is None:
                teams.setdefault(name.casefold(), name)
    unowned = list(services.values())
    notes = []
    if unowned:
        notes.append(
            f"no team in the roster owns {', '.join(unowned)}: no team's approval is asked for "
            f"{'it' if len(unowned) == 1 else 'them'} (add {'it' if len(unowned) == 1 else 'them'} "
            "to a team's services)"
        )
    for name in teams.values():
        notes.append(
            f"the postmortem names team {name}, which the roster does not have: no approval is "
            "asked of it"
        )
    return notes


def _read_as(label: str) -> str:
    """The ID an incident was read by, from the label of the version read: its file is named
    after the ID the postmortem gave ("incidents/2024/INC-….md (at base 1a2b3c4)")."""
    return _VERSION_LABEL.sub("", label).rsplit("/", 1)[-1].removesuffix(".md")


@dataclass(frozen=True)
class _Level:
    """A severity as the gate ranks it: 0 the most severe; where it was read."""

    rank: int
    severity: str
    where: str


def _handles(names: Iterable[str], roster: Roster | None) -> set[str]:
    """Casefolded roster handles for names written as handles, GitHub logins or names; a name
    two people share is both of them (neither may approve what one of them wrote)."""
    found = set()
    for name in names:
        found.add((roster.handle_of(name) if roster else name).casefold())
        if roster is not None:
            found.update(p.handle.casefold() for p in roster.named(name.strip()))
    return found


_VERSION_LABEL = re.compile(r" \((?:at (?:base|head)|removed; as at base) [0-9A-Fa-f]{1,40}\)$")
"""How the gate labels a document that is not what the pull request would merge: a version at
the base, an incident at either commit, a removed postmortem ("…md (at base 1a2b3c4)")."""


def front_labels(front: dict[str, Any], key: str) -> tuple[str, ...]:
    """The names a front-matter list holds, or those written in its place as one string
    (`authors: priya`, `services: api, warehouse`, `authors: sam priya`): a file that does not
    validate still names who and what it involves. A string of the list is read as one such
    string (`services: [api, "warehouse, billing"]`): read whole, it would name no one."""
    value = front.get(key)
    texts = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return tuple(dict.fromkeys(name for text in texts for name in _names(text)))


def _names(value: Any, roster: Roster | None = None, *, people: bool = False) -> list[str]:
    """What one string names where a single name belongs: each part between commas whole, and
    word by word too. Labels never hold a capital that matters, so theirs always split; where
    people belong (`people`), a part with capitals is read whole only when the roster tells it
    is a display name: one it gives, or one some word of which is no one of the roster."""
    if not isinstance(value, str):
        return []
    parts = [part.strip() for part in value.split(",") if part.strip()]
    words = [word for part in parts if _by_word(part, roster, people) for word in part.split()]
    return list(dict.fromkeys([*parts, *words]))


def _by_word(part: str, roster: Roster | None, people: bool) -> bool:
    words = part.split()
    if len(words) < 2:
        return False
    if not people or part == part.lower() or roster is None:
        return True
    if roster.named(part):
        return False
    return all(
        roster.by_handle(w.removeprefix("@")) or roster.by_github(w.removeprefix("@"))
        for w in words
    )


def _loose_postmortem(front: dict[str, Any]) -> Postmortem | None:
    """What a postmortem that does not validate names: services, teams, incidents."""
    try:
        return Postmortem.model_construct(
            id=str(front.get("id", "")),
            services=front_labels(front, "services"),
            teams=front_labels(front, "teams"),
            incidents=front_labels(front, "incidents"),
            authors=front_labels(front, "authors"),
            approved_by=(),
        )
    except (TypeError, ValueError):
        return None


def _loose_incident(
    front: dict[str, Any], incident_id: str, roster: Roster | None = None
) -> Incident:
    """What an incident that does not validate names: its services and its responders (who
    declared it, who held each role, whom it was handed to). A key written in a shape it cannot
    read (`services: {api: degraded}`, `roles:` as a list) counts every string in it, as a
    service or as a responder: a word too many only asks one more team. A string where one
    name belongs that holds several (`declared_by: sam, lee`, `ops_lead: "sam, lee"`) counts
    each of them, as `front_labels` reads one."""
    odd = _odd_shapes(front)
    roles = front.get("roles")
    held = roles if isinstance(roles, dict) else {}
    handoffs = front.get("handoffs")
    services = front_labels(front, "services")
    if "services" in odd:
        services = tuple(dict.fromkeys([*services, *_words(front["services"])]))
    declared = _names(front.get("declared_by"), roster, people=True)
    holders = {role.value: _names(held.get(role.value), roster, people=True) for role in Role}
    handed = [
        name
        for item in (handoffs if isinstance(handoffs, list) else [])
        if isinstance(item, dict)
        for name in _names(item.get("to"), roster, people=True)
    ]
    # Not handoffs: the people a key names beyond the one it holds, and those the odd keys
    # name, where responders are read from.
    others = [
        *declared[1:],
        *(name for names in holders.values() for name in names[1:]),
        *(
            word
            for key in odd
            if key != "services"
            for word in _words(front[key], roster, people=True)
        ),
    ]
    return Incident.model_construct(
        id=incident_id,
        services=services,
        declared_by=declared[0] if declared else "",
        roles=Roles.model_construct(
            None, **{role: names[0] if names else "" for role, names in holders.items()}
        ),
        handoffs=tuple(Handoff.model_construct(to=name) for name in handed)
        + tuple(Handoff.model_construct(to=name) for name in dict.fromkeys(others)),
    )


_ROLE_NAMES = frozenset(role.value for role in Role)


def _odd_shapes(front: dict[str, Any]) -> dict[str, str]:
    """The keys naming an incident's teams that it holds in a shape the loose reading cannot
    read, each with what is wrong with it: read as they are, they would name no one."""
    odd: dict[str, str] = {}
    services, declared_by = front.get("services"), front.get("declared_by")
    roles, handoffs = front.get("roles"), front.get("handoffs")
    if not (services is None or isinstance(services, str) or _list_of(services, _is_text)):
        odd["services"] = f"services is {_shape_name(services)}, not a list of services"
    if not (declared_by is None or isinstance(declared_by, str)):
        odd["declared_by"] = f"declared_by is {_shape_name(declared_by)}, not a handle"
    if not (
        roles is None
        or (
            isinstance(roles, dict)
            and all(key in _ROLE_NAMES for key in roles)
            and all(value is None or isinstance(value, str) for value in roles.values())
        )
    ):
        odd["roles"] = (
            f"roles is {_shape_name(roles)}, not a mapping of each role "
            f"({', '.join(role.value for role in Role)}) to a handle"
        )
    if not (handoffs is None or _list_of(handoffs, lambda item: _is_text(_field(item, "to")))):
        odd["handoffs"] = (
            f"handoffs is {_shape_name(handoffs)}, not a list of handoffs each naming whom it "
            "went to"
        )
    return odd


def _list_of(value: Any, test: Callable[[Any], bool]) -> bool:
    return isinstance(value, list) and all(test(item) for item in value)


def _is_text(value: Any) -> bool:
    return isinstance(value, str)


def _shape_name(value: Any) -> str:
    """What a front-matter value is, as its error says it ("a mapping", "a list")."""
    if isinstance(value, dict):
        return "a mapping" if value else "an empty mapping"
    if isinstance(value, list):
        return "a list" if value else "an empty list"
    if isinstance(value, bool):
        return "true or false"
    return "a number" if isinstance(value, int | float) else f"a {type(value).__name__}"


def _strings(value: Any) -> list[str]:
    """Every string in a front-matter value, keys of mappings too, in the order written."""
    found: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            found.append(item.strip())
        elif isinstance(item, dict):
            stack.extend(reversed([part for pair in item.items() for part in pair]))
        elif isinstance(item, list | tuple):
            stack.extend(reversed(item))
    return [word for word in found if word]


def _words(value: Any, roster: Roster | None = None, *, people: bool = False) -> list[str]:
    """Every name in a front-matter value, each string read as `_names` reads one."""
    return list(
        dict.fromkeys(
            name for text in _strings(value) for name in _names(text, roster, people=people)
        )
    )


# --- the decision ----------------------------------------------------------------------------


def latest_reviews(reviews: Iterable[Review]) -> dict[str, Review]:
    """Each reviewer's latest decisive review, or their latest review when none decides.

    Logins compare case-insensitively; order is submitted_at, then id. Pending reviews (not
    submitted) are ignored.
    """
    ordered = sorted(
        (r for r in reviews if r.submitted_at is not None and r.state != "PENDING"),
        key=lambda r: (r.submitted_at, r.id),
    )
    latest: dict[str, Review] = {}
    for review in ordered:
        key = review.login.casefold()
        current = latest.get(key)
        if review.state in DECISIVE or current is None or current.state not in DECISIVE:
            latest[key] = review
    return latest


def is_bot(review: Review, config: Config) -> bool:
    return review.user_type.casefold() == "bot" or bot_login(review.login, config)


def bot_login(login: str, config: Config) -> bool:
    """A login never counted as a person's: a GitHub App's (`…[bot]`), or one in review.bots."""
    login = login.casefold()
    return login.endswith("[bot]") or login in {b.casefold() for b in config.review.bots}


def _short(sha: str | None) -> str:
    return sha[:7] if sha else "?"


def evaluate(
    pr: PullRequest,
    reviews: Iterable[Review],
    roster: Roster,
    config: Config,
    need: Requirement,
    *,
    unchanged_since: Callable[[str], bool | None],
    updated_since: Callable[[str], bool] | None = None,
    unknown_because: Callable[[str], str | None] | None = None,
    roster_label: str = "the roster",
) -> Decision:
    """Decide the gate; unchanged_since(sha) says whether no gated file changed from sha to head.

    unchanged_since returns None when that cannot be known, and then the approval does not count;
    unknown_because(sha) may say why ("the head no longer descends from it ..."), else the
    reviewer's row says the commit cannot be compared with the head.
    It may let follow-up updates through (only action items' status and tracker changed since):
    updated_since(sha) says it did, so that the reviewer's row says why the approval counts.
    """
    rows: list[ReviewerRow] = []
    counted: dict[str, str] = {}
    blockers: list[str] = []
    not_counted: list[str] = []
    again: dict[str, str] = {}
    """Seniors whose approval is of another commit than the head, by handle: what the team
    lines say of them, so that they know to approve again."""
    author = pr.author.casefold()
    for review in sorted(latest_reviews(reviews).values(), key=lambda r: r.login.casefold()):
        person = roster.by_github(review.login)
        reason = _why_not(review, person, author, need, config, roster, roster_label)
        if review.state == "CHANGES_REQUESTED":
            if reason is None or reason.startswith("an author"):
                blockers.append(review.login)
                reason = "requests changes: blocks until they approve or the review is dismissed"
            else:
                reason = f"requests changes, but does not block ({reason})"
            rows.append(ReviewerRow(review.login, review.state, review.commit_id, False, reason))
            continue
        if review.state != "APPROVED":
            what = "dismissed" if review.state == "DISMISSED" else "no decision (comments only)"
            rows.append(ReviewerRow(review.login, review.state, review.commit_id, False, what))
            continue
        if reason is None:
            stale = _stale(review, pr, config, unchanged_since, unknown_because)
            if stale is not None:
                reason, said = stale
                if person is not None:
                    again[person.handle.casefold()] = said
        if reason is None and person is not None:
            key = person.handle.casefold()
            if key not in counted:
                counted[key] = review.login
                on_head = review.commit_id == pr.head_sha
                note = "counted" if on_head else "counted: no postmortem changed since"
                if not on_head and updated_since and updated_since(str(review.commit_id)):
                    note = f"counted: since then {FOLLOW_UP_REASON}"
                rows.append(ReviewerRow(review.login, review.state, review.commit_id, True, note))
                continue
            reason = f"same person as {counted[key]}"
        not_counted.append(f"{review.login} ({reason})")
        rows.append(ReviewerRow(review.login, review.state, review.commit_id, False, str(reason)))
    approvers = tuple(counted.values())
    unmet: list[str] = []
    people = [p for p in (roster.by_handle(handle) for handle in counted) if p is not None]
    opener = roster.by_github(pr.author)
    cannot = set(need.authors) | ({opener.handle.casefold()} if opener else set())
    seniors = roster.seniors()
    # A senior whose login is a bot's never counts (their review is "a bot"): for the count in
    # all and for their team alike.
    bots = {p.handle.casefold() for p in seniors if p.github and bot_login(p.github, config)}
    if len(approvers) < need.required:
        # Seniors who could still approve: a count the roster cannot reach says so now, as a
        # team's line does, rather than leave the pull request waiting for nobody.
        others: dict[str, Person] = {}
        for person in seniors:
            key = person.handle.casefold()
            if key in cannot | bots | counted.keys():
                continue
            # One person once, where the roster lists them twice (TM001): the entry with a
            # login is the one their reviews are read as.
            if key not in others or (person.github and not others[key].github):
                others[key] = person
        barred = {
            "authors": _seniors_among(seniors, need.authors - counted.keys()),
            "opened the pull request": _seniors_among(
                seniors, {opener.handle.casefold()} - need.authors if opener else set()
            ),
            "logins in review.bots": _seniors_among(seniors, bots - cannot),
        }
        line = _shortfall(need, approvers, not_counted, pr)
        unmet.append(line + _out_of_reach(need.required, len(approvers), others.values(), barred))
    states = team_states(roster, need.involvement, people, cannot | bots, need.team_approvals)
    for incident_id in need.missing_incidents:
        unmet.append(
            f"{incident_id} is named by the postmortem but found neither at the base nor the "
            "head: the teams of its responders cannot be known"
        )
    for problem in need.unreadable:
        unmet.append(f"{problem}, so the teams it involves cannot be known")
    for state in states:
        if not state.satisfied:
            unmet.append(_team_shortfall(state, roster, again))
    for path, names in need.claimed:
        unbacked = _unclaimed(
            path, names, roster, counted, rows, cannot | bots, need.authors, pr, roster_label
        )
        if unbacked:
            unmet.append(unbacked)
    for login in blockers:
        unmet.append(
            f"{login} (senior) requested changes: the gate stays closed until they approve "
            "or the review is dismissed"
        )
    return Decision(
        required=need.required,
        severity=need.severity,
        source=need.source,
        approvers=approvers,
        blockers=tuple(blockers),
        rows=tuple(rows),
        unmet=tuple(unmet),
        notes=need.notes,
        raised_by=need.raised_by,
        teams=tuple(states),
    )


def _unclaimed(
    path: str,
    names: Sequence[str],
    roster: Roster,
    counted: Mapping[str, str],
    rows: Sequence[ReviewerRow],
    cannot: set[str],
    authors: frozenset[str],
    pr: PullRequest,
    roster_label: str,
) -> str | None:
    """What keeps the gate closed for a postmortem whose approved_by names people whose
    approval of the pull request is not counted, each with why; None when there are none.
    Only those whose approval could count are asked to approve."""
    said: list[str] = []
    ask: list[str] = []
    seen: set[str] = set()
    author = pr.author.casefold()
    for name in names:
        handle = roster.handle_of(name)
        if handle.casefold() in counted or handle.casefold() in seen:
            continue
        seen.add(handle.casefold())
        # One the roster lists twice (TM001): the entry with a login is the one their reviews
        # are read as.
        entries = [p for p in roster.people if p.handle.casefold() == handle.casefold()]
        person = next((p for p in entries if p.github), entries[0] if entries else None)
        if person is None:
            said.append(f"{name} (not in {roster_label})")
            continue
        if not person.github:
            said.append(f"{name} (no GitHub login in {roster_label})")
            continue
        login = person.github.casefold()
        row = next((r for r in rows if r.login.casefold() == login), None)
        if person.handle.casefold() in authors:
            why = f"an author of the postmortem ({person.handle})"
        elif login == author:
            why = "opened the pull request"
        elif not roster.is_senior(person):
            why = f"not senior in {roster_label}"
        else:
            why = row.reason if row is not None else "no review of it"
        said.append(f"{name} ({why})")
        if roster.is_senior(person) and handle.casefold() not in cannot and login != author:
            ask.append(name)  # no review yet, or one not of what will merge
    if not said:
        return None
    asked = f"ask {', '.join(ask)} to approve it, or " if ask else ""
    return (
        f"{path} says it was approved by {', '.join(said)}, whose approval of this pull request "
        f"is not counted: {asked}name in approved_by only those whose approval is"
    )


def _why_not(
    review: Review,
    person: Person | None,
    author: str,
    need: Requirement,
    config: Config,
    roster: Roster,
    roster_label: str,
) -> str | None:
    """Why this reviewer's approval cannot count, whatever the commit; None when it can."""
    if is_bot(review, config):
        return "a bot"
    if review.login.casefold() == author:
        return "the author of the pull request"
    if person is None:
        return f"not in {roster_label}"
    if not roster.is_senior(person):
        return f"not senior in {roster_label}"
    if person.handle.casefold() in need.authors:
        return f"an author of the postmortem ({person.handle})"
    return None


def _stale(
    review: Review,
    pr: PullRequest,
    config: Config,
    unchanged_since: Callable[[str], bool | None],
    unknown_because: Callable[[str], str | None] | None = None,
) -> tuple[str, str] | None:
    """Why an approval of another commit than the head does not count, as the reviewers' rows
    say it and as the line of a team waiting for the reviewer says it; None when it counts."""
    if review.commit_id == pr.head_sha:
        return None
    if review.commit_id is None:
        return "approved an unknown commit", "whose approval is of an unknown commit"
    commit, head = _short(review.commit_id), _short(pr.head_sha)
    if not config.review.allow_unchanged_since_review:
        return (
            f"approved {commit}, not the head {head}",
            f"whose approval is of {commit}, not the head",
        )
    unchanged = unchanged_since(review.commit_id)
    why = unknown_because(review.commit_id) if unknown_because else None
    if unchanged is None and why:
        return f"approved {commit}; {why}", f"whose approval is of {commit}; {why}"
    if unchanged is None:
        return (
            f"approved {commit}; cannot compare it with the head {head}",
            f"whose approval is of {commit}, a commit that cannot be compared with the head",
        )
    if not unchanged:
        return (
            f"approved {commit}; postmortems changed since",
            f"whose approval is of {commit}, an older commit, and postmortems changed since",
        )
    return None


def _shortfall(
    need: Requirement, approvers: Sequence[str], not_counted: Sequence[str], pr: PullRequest
) -> str:
    plural = "s" if need.required != 1 else ""
    why = f" ({need.severity}: {need.source})" if need.severity and need.source else ""
    if need.severity and need.raised_by:
        why = f" ({need.severity}, {need.raised_by})"
    elif need.severity is None and need.source:
        # No severity, but a source: the one that cannot be read, which asks the strictest.
        why = f" (the strictest count: the severity of {need.source} cannot be read)"
    have = f"{len(approvers)} counted" + (f" ({', '.join(approvers)})" if approvers else "")
    line = (
        f"needs {need.required} senior approval{plural}{why} on head {_short(pr.head_sha)}; {have}"
    )
    if not_counted:
        line += "; not counted: " + ", ".join(not_counted)
    return line


def _seniors_among(seniors: Iterable[Person], handles: Iterable[str]) -> list[str]:
    """The handles of the seniors among these (casefolded) handles, once each, in roster order."""
    wanted = set(handles)
    found = [p.handle for p in seniors if p.handle.casefold() in wanted]
    return list({h.casefold(): h for h in reversed(found)}.values())[::-1]


def _out_of_reach(
    required: int, have: int, others: Iterable[Person], barred: Mapping[str, Sequence[str]]
) -> str:
    """What the line of a count still short adds when the seniors who could still approve are
    too few to reach it (each needs a GitHub login: no review on GitHub is theirs without one);
    nothing when they are enough. `barred` holds the seniors who cannot approve, by why: the
    line names them, and names no reason when nobody is barred (a roster with no senior)."""
    others = list(others)
    able = [p for p in others if p.github]
    short = required - have - len(able)
    if short <= 0:
        return ""
    unknown = [p.handle for p in others if not p.github]
    why = "; ".join(f"{reason}: {', '.join(names)}" for reason, names in barred.items() if names)
    if able:
        who = ", ".join(f"{p.handle} (@{p.github})" for p in able)
        can = f"only {who} can still approve"
    elif have or unknown or why:
        can = "no other senior can approve"
    else:
        can = "the roster names no senior"
    why = f" ({why})" if why else ""
    return f"; not enough even so: {can}{why}: {_remedy(short, unknown, 'the roster')}"


def _remedy(short: int, unknown: Sequence[str], where: str) -> str:
    """How a count `short` approvals away can be reached: give the seniors with no GitHub login
    one, or add seniors who did not write it; both, when those with no login are too few."""

    def add(count: int) -> str:
        seniors = "a senior" if count == 1 else f"{count} seniors"
        return f"add {seniors} who did not write it to {where}"

    if not unknown:
        return add(short)
    give = f"give {', '.join(unknown)} a github login"
    if len(unknown) >= short:
        return f"{give}, or {add(short)}"
    return f"{give} and {add(short - len(unknown))}"


def _team_shortfall(state: TeamState, roster: Roster, again: Mapping[str, str]) -> str:
    """The line of a team still waiting; of a senior who approved another commit, why that
    approval does not count and that they can approve again."""
    plural = "s" if state.needed != 1 else ""
    line = (
        f"team {state.team} ({state.reason}) needs {state.needed} approval{plural} from its "
        f"seniors; {len(state.approved_by)} so far"
    )
    if state.could_approve:
        who = []
        for handle in state.could_approve:
            person = roster.by_handle(handle)
            login = f" (@{person.github})" if person and person.github else " (no github login)"
            stale = again.get(handle.casefold())
            who.append(handle + login + (f", {stale}: approve again" if stale else ""))
        line += "; could approve: " + ", ".join(who)
        # One with no GitHub login in the roster cannot: no review on GitHub is theirs.
        able = [h for h in state.could_approve if (p := roster.by_handle(h)) and p.github]
        short = state.needed - len(state.approved_by) - len(able)
        if short <= 0:
            return line
        # Asking every one of them would still leave the team short: say so now, not after.
        unknown = [h for h in state.could_approve if h not in able]
        return line + f"; not enough even so: {_remedy(short, unknown, f'team {state.team}')}"
    short = state.needed - len(state.approved_by)
    return line + f"; nobody can: {_remedy(short, [], f'team {state.team}')}"


def _with_login(handle: str, roster: Roster | None) -> str:
    person = roster.by_handle(handle) if roster else None
    return f"{handle} (@{person.github})" if person and person.github else handle


def summary_markdown(
    decision: Decision, pr: PullRequest, extra: Mapping[str, str], roster: Roster | None = None
) -> str:
    """The step-summary table: every reviewer, their state, commit and whether it counted.

    `extra` holds Markdown, a line each. Every value from a record or the API is put on one line
    (table_cell, code_span): a line break in it would start a block of the summary's own."""
    status = "satisfied" if decision.satisfied else "not satisfied"
    why = ""
    if decision.severity and decision.raised_by:
        why = f"; {table_cell(decision.severity)}, {table_cell(decision.raised_by)}"
    elif decision.severity:
        why = f"; {table_cell(decision.severity)}: {code_span(decision.source or '?')}"
    elif decision.source:
        why = f"; the strictest count: the severity of {code_span(decision.source)} cannot be read"
    count = len(decision.approvers)
    lines = [
        "## Postmortem review gate",
        "",
        f"**{status}**: {count} senior approval{'s' if count != 1 else ''} "
        f"({decision.required} needed{why}) on head {code_span(_short(pr.head_sha))}.",
        "",
    ]
    for key, value in extra.items():
        lines.append(f"- {key}: {' '.join(value.split())}")
    if extra:
        lines.append("")
    if decision.rows:
        lines += ["| reviewer | state | commit | counted |", "| --- | --- | --- | --- |"]
        for row in decision.rows:
            verdict = "yes" if row.counted else "no"
            lines.append(
                f"| {table_cell(row.login)} | {table_cell(row.state)} | "
                f"{code_span(_short(row.commit))} | "
                f"{verdict}: {table_cell(row.reason)} |"
            )
        lines.append("")
    else:
        lines += ["No reviews yet.", ""]
    if decision.teams:
        lines += [
            "| team involved | why | approved by | could still approve |",
            "| --- | --- | --- | --- |",
        ]
        for state in decision.teams:
            mark = "yes" if state.satisfied else "**no**"
            lines.append(
                f"| {table_cell(state.team)} ({mark}) | {table_cell(state.reason)} | "
                f"{table_cell(', '.join(state.approved_by) or 'nobody yet')} | "
                f"{table_cell(', '.join(_with_login(h, roster) for h in state.could_approve) or '—')} |"
            )
        lines.append("")
    for line in (*decision.unmet, *decision.notes):
        lines.append(f"- {table_cell(line)}")
    return "\n".join(lines).rstrip("\n") + "\n\n"
