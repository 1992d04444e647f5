"""Action items kept as GitHub issues: create one per follow-up, adopt earlier ones, bring state back.

Each issue carries a marker in its body naming the postmortem and the item, so a run that
stopped between creating an issue and writing its URL into the record finds that issue again
instead of making a second one. Records are changed through the round-trip writer, one write per
postmortem, so every other byte stays as it was.
"""

from __future__ import annotations

import hashlib
import re
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from incident_docs.config import Config, archive_folder, from_git_top
from incident_docs.diagnostics import UsageError
from incident_docs.github import REPO_RE, GitHubClient, GitHubError, same_origin
from incident_docs.lifecycle import Change, FieldPath
from incident_docs.models import (
    ActionItem,
    ActionItemStatus,
    Incident,
    Person,
    Postmortem,
    PostmortemStatus,
    Roster,
)
from incident_docs.records import folder_kind, read_archive, skipped_note
from incident_docs.store import PostmortemFile, edit_postmortem
from incident_docs.terminal import printable

SYNC_HINTS = {
    401: "is GITHUB_TOKEN set and valid?",
    403: "the token needs issues: write, and contents: read for a private repository",
    404: "check --repo and the token's access to it",
    410: "issues are turned off in this repository",
}
SYNC_NOT_FOUND = "check --repo"
"""What to check after a 404 without a token, in a public repository."""
MARKER_RE = re.compile(r"<!--\s*incident-docs action-item:\s*(?P<key>[^\s>]+)\s*-->")
LABEL = "action-item"
"""Every issue the sync creates carries this label, beside its type and priority."""
CREATE_FOR = frozenset({PostmortemStatus.APPROVED, PostmortemStatus.PUBLISHED})
"""Issues are created for the action items of postmortems that review has accepted."""


def item_key(postmortem_id: str, items: Sequence[ActionItem], index: int) -> str:
    """Names one action item for the marker: the postmortem and a digest of the item's title.

    By title rather than position, so that reordering or inserting items keeps each key; a second
    item with the same title in the same postmortem gets a counter.
    """
    title = _normal_title(items[index].title)
    twins = sum(_normal_title(other.title) == title for other in items[:index])
    digest = hashlib.sha256(title.encode("utf-8")).hexdigest()[:12]
    return f"{postmortem_id}/{digest}" + (f"-{twins + 1}" if twins else "")


def _normal_title(title: str) -> str:
    return " ".join(title.casefold().split())


@dataclass(frozen=True)
class IssueRef:
    """An issue named by its web address: OWNER/NAME and number."""

    repo: str
    number: int

    def __str__(self) -> str:
        return f"{self.repo}#{self.number}"


def issue_ref(url: str, web_root: str) -> IssueRef | None:
    """The GitHub issue a tracker link points at, when it is an issue on this GitHub at all."""
    parts = urllib.parse.urlsplit(url)
    root = urllib.parse.urlsplit(web_root)
    if not same_origin(parts, root):
        return None
    prefix = root.path.rstrip("/")
    if not parts.path.startswith(prefix + "/"):
        return None
    match = re.fullmatch(r"/([^/]+/[^/]+)/issues/([0-9]+)/?", parts.path[len(prefix) :])
    if match is None or not REPO_RE.match(match.group(1)):
        return None
    return IssueRef(match.group(1), int(match.group(2)))


@dataclass(frozen=True)
class Issue:
    number: int
    url: str
    state: str
    state_reason: str | None
    key: str | None = None
    """The action item it was made for, from the marker in its body."""
    made_for: tuple[str, str] | None = None
    """The type and owner its body gives the item (its "| Type |" and "| Owner |" rows)."""


def issue_from_api(data: Any, what: str) -> Issue:
    if not isinstance(data, dict):
        raise GitHubError(f"{what}: expected an issue from the API")
    number, url, state = data.get("number"), data.get("html_url"), data.get("state")
    reason = data.get("state_reason")
    if not (isinstance(number, int) and isinstance(url, str) and state in ("open", "closed")):
        raise GitHubError(f"{what}: the API's issue has no number, html_url or state")
    if not re.match(r"^https?://\S+$", url) or len(url) > 500:
        raise GitHubError(f"{what}: the API's html_url {url[:80]!r} is not a web address")
    body = data.get("body")
    # The last: the one the sync writes at the body's end. The postmortem's title, shown as
    # written near its start, may hold a comment like it, which must not hide the issue's own.
    markers = MARKER_RE.findall(body) if isinstance(body, str) else []
    kind = _row(body, "Type") if isinstance(body, str) else None
    owner = _row(body, "Owner") if isinstance(body, str) else None
    return Issue(
        number,
        url,
        str(state),
        reason if isinstance(reason, str) else None,
        markers[-1] if markers else None,
        (kind, owner) if kind is not None and owner is not None else None,
    )


def _labelled(data: Any) -> bool:
    """The API's issue carries the action-item label (or does not say which labels it has),
    in any case: GitHub gives the label the repository has, however it is spelled."""
    labels = data.get("labels") if isinstance(data, dict) else None
    if not isinstance(labels, list):
        return True
    names = [label.get("name") if isinstance(label, dict) else label for label in labels]
    return LABEL in {name.casefold() for name in names if isinstance(name, str)}


def _unassigned(data: Any) -> bool:
    """The API's issue is assigned to nobody (not when it does not say whom it is assigned to).
    By whether anyone is, not by login: the sync asks for one owner, and GitHub names them by
    their login as it is now, which may be spelled otherwise, or renamed since the roster was
    written."""
    assignees = data.get("assignees") if isinstance(data, dict) else None
    return isinstance(assignees, list) and not assignees


def _row(body: str, name: str) -> str | None:
    """A row of the table an issue's body was made with ("| Owner | Dana Okafor (dana) |")."""
    # GitHub's editor saves a body with CRLF line ends.
    found = re.search(rf"^\| {name} \| (.*) \|\r?$", body, re.MULTILINE)
    return found.group(1) if found else None


def status_from_issue(current: ActionItemStatus, issue: Issue) -> ActionItemStatus | None:
    """The item's new status from its issue, or None to leave it.

    Closed as completed is done, closed as not planned is won't do, and a reopened issue
    reopens a finished item. An issue that is simply open leaves the item as the record says
    (open, in progress). Closed as a duplicate is left alone: the work goes on elsewhere.
    """
    if issue.state == "closed":
        if issue.state_reason == "not_planned":
            wanted = ActionItemStatus.WONT_DO
        elif issue.state_reason in (None, "completed"):
            wanted = ActionItemStatus.DONE
        else:
            return None
    elif not current.is_open and issue.state_reason == "reopened":
        wanted = ActionItemStatus.OPEN
    else:
        return None
    return None if wanted == current else wanted


def describe_state(issue: Issue) -> str:
    if issue.state == "open":
        return "reopened" if issue.state_reason == "reopened" else "open"
    reason = (issue.state_reason or "completed").replace("_", " ")
    return f"closed as {reason}"


# --- what a run does -------------------------------------------------------------------------


@dataclass(frozen=True)
class Repository:
    """The repository the issues live in, as the API describes it."""

    name: str
    web_url: str
    default_branch: str
    folder: str = ""
    """The archive's folder in it (see archive_folder), "" when the archive is at its root."""

    @property
    def web_root(self) -> str:
        """The GitHub web root the repository lives under (github.com, or an Enterprise host)."""
        return self.web_url[: -len(self.name)].rstrip("/")

    def file_url(self, path: str) -> str:
        """The page of a file of the archive, named by its path from the archive's root."""
        quoted = urllib.parse.quote(from_git_top(self.folder, path))
        return f"{self.web_url}/blob/{urllib.parse.quote(self.default_branch)}/{quoted}"


def repository_from_api(data: Any, repo: str) -> Repository:
    what = f"reading repository {repo}"
    if not isinstance(data, dict):
        raise GitHubError(f"{what}: expected a repository from the API")
    url, branch, name = data.get("html_url"), data.get("default_branch"), data.get("full_name")
    if not (isinstance(url, str) and isinstance(branch, str) and isinstance(name, str)):
        raise GitHubError(f"{what}: the API's answer has no html_url or default_branch")
    url = url.rstrip("/")
    if not url.casefold().endswith("/" + name.casefold()):
        raise GitHubError(f"{what}: html_url {url!r} does not end with {name!r}")
    if data.get("has_issues") is False:
        raise UsageError(f"{name}: issues are turned off in this repository")
    return Repository(url[-len(name) :], url, branch)


ITEM_STATUSES = frozenset({404, 410, 422})
"""Answers about one item or issue: the run reports them and goes on with the others."""


def _about_assignees(error: GitHubError) -> bool:
    """A 422 that refused the assignees and nothing else: by the field GitHub names, or in the
    words of its errors when it names none (never the item's own title, in the message)."""
    if error.fields:
        return error.fields == {"assignees"}
    return bool(error.reasons) and all("assignee" in reason.lower() for reason in error.reasons)


@dataclass
class SyncReport:
    """What a run did (or, with --dry-run, would do), for the person or workflow that ran it."""

    dry_run: bool = False
    created: int = 0
    adopted: int = 0
    changed: int = 0
    moved: int = 0
    """Trackers pointed at the new address of an issue moved to another repository."""
    unchanged: int = 0
    written: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def did_something(self) -> bool:
        return bool(self.created or self.adopted or self.changed or self.moved or self.written)

    def summary(self) -> str:
        problems = (
            f"; {len(self.problems)} {_plural(len(self.problems), 'problem')}"
            if self.problems
            else ""
        )
        if self.dry_run:
            parts = [
                f"would create {self.created} {_plural(self.created, 'issue')}",
                f"adopt {self.adopted}",
                f"change {self.changed} {_plural(self.changed, 'status', 'statuses')}",
            ]
            if self.moved:
                parts.append(
                    f"point {self.moved} {_plural(self.moved, 'tracker')} at a moved issue"
                )
            return "actions sync (dry run): " + ", ".join(parts) + "; no record written" + problems
        records = len(self.written)
        moved = (
            f"{self.moved} {_plural(self.moved, 'tracker')} pointed at a moved issue, "
            if self.moved
            else ""
        )
        return (
            f"actions sync: {self.created} {_plural(self.created, 'issue')} created, "
            f"{self.adopted} adopted, {self.changed} "
            f"{_plural(self.changed, 'status', 'statuses')} changed, {moved}{self.unchanged} up "
            "to date; "
            f"{records} {_plural(records, 'record')} written{problems}"
        )


def _plural(count: int, one: str, many: str | None = None) -> str:
    return one if count == 1 else (many or one + "s")


def _one_line(text: str) -> str:
    """Text for a line of output: no line breaks (a title could otherwise forge a log line)."""
    return " ".join(text.split())


@dataclass(frozen=True)
class _Pending:
    """One action item the run looks at: where it is and what it is."""

    index: int
    item: ActionItem
    key: str


@dataclass
class _Index:
    """The repository's action-item issues (those with the label), read once per run."""

    by_number: dict[int, Issue] = field(default_factory=dict)
    by_key: dict[str, list[Issue]] = field(default_factory=dict)
    """The issues of each marker, oldest first: more than one when a new item took the title
    of an item retitled after its issue was made, or should one ever be made twice."""

    def add(self, issue: Issue) -> None:
        self.by_number[issue.number] = issue
        if issue.key is not None:
            found = [kept for kept in self.by_key.get(issue.key, []) if kept.number != issue.number]
            self.by_key[issue.key] = sorted([*found, issue], key=lambda kept: kept.number)


class ActionSync:
    """One sync run over an archive against one repository's issues."""

    def __init__(
        self,
        root: Path,
        config: Config,
        roster: Roster,
        client: GitHubClient,
        repo: str,
        *,
        dry_run: bool = False,
        say: Callable[[str], None] = print,
    ) -> None:
        if not REPO_RE.match(repo):
            raise UsageError(f"--repo (or GITHUB_REPOSITORY): {repo!r} is not OWNER/NAME")
        self.root, self.config, self.roster = root, config, roster
        self.client, self.repo, self.say = client, repo, say
        self.report = SyncReport(dry_run=dry_run)
        self._index = _Index()
        self._other: dict[IssueRef, Issue | None] = {}
        self._trackers: list[tuple[str, _Pending]] = []
        """Every item with a tracker, in every postmortem of the archive, with its record's path."""
        self._resolved: set[str] | None = None
        """The addresses of the issues those trackers point at, as GitHub gives them."""

    def run(self) -> SyncReport:
        """Sync every postmortem. A problem with one item or record is reported and the run goes
        on; the run then ends with an error naming how many. Anything else stops it at once."""
        archive = read_archive(self.root, self.config)
        # A postmortem not read is one whose items are not in step; an incident is only linked.
        unread = [f for f in archive.skipped if folder_kind(f, self.config) == "postmortem"]
        note = skipped_note([path for path in archive.skipped if path not in unread])
        if note is not None:
            self.say(f"warning: {note}")
        repository = replace(
            repository_from_api(
                self.client.get_json(f"repos/{self.repo}", f"reading repository {self.repo}"),
                self.repo,
            ),
            folder=archive_folder(self.root),  # links to the records name it
        )
        # By its name now: GitHub redirects a renamed repository's old one, but a write with
        # 307, which is not followed.
        self.repo = repository.name
        self._read_index()
        incidents = {
            loaded.record.id: loaded.doc.path
            for loaded in archive.records
            if isinstance(loaded.record, Incident)
        }
        postmortems = sorted(
            (
                (loaded.doc.path, loaded.record)
                for loaded in archive.records
                if isinstance(loaded.record, Postmortem)
            ),
            key=lambda pair: pair[0],
        )
        self._trackers = [
            (display, p)
            for display, postmortem in postmortems
            for p in _pending(postmortem)
            if p.item.tracker is not None
        ]
        for path in unread:
            shown = printable(path, lines=False)
            self._problem(
                f"{shown}: cannot be read as a postmortem (run 'incident lint {shown}' to see "
                "why); its action items were not synced"
            )
        for display, postmortem in postmortems:
            try:
                self._postmortem(display, postmortem, repository, incidents)
            except GitHubError as error:
                if error.status not in ITEM_STATUSES:
                    raise
                self._problem(str(error))
            except UsageError as error:
                self._problem(str(error))
        if self.report.problems:
            count = len(self.report.problems)
            raise UsageError(
                f"{count} {_plural(count, 'problem')} left for a person to fix (above); "
                "everything else is in step"
            )
        return self.report

    def _problem(self, message: str) -> None:
        self.report.problems.append(message)
        self.say(f"problem: {message}")

    # -- one postmortem -----------------------------------------------------------------------

    def _postmortem(
        self,
        display: str,
        postmortem: Postmortem,
        repository: Repository,
        incidents: dict[str, str],
    ) -> None:
        pending = _pending(postmortem)
        wanted = [
            p
            for p in pending
            if p.item.tracker is None and postmortem.status in CREATE_FOR and p.item.status.is_open
        ]
        adopt = self._earlier_issues(display, postmortem, pending, wanted, repository)
        if -1 in adopt:
            wanted = [p for p in wanted if p.index in adopt]
        if wanted:
            # Make sure the record can take the links before anything is created on GitHub.
            self._write(
                display,
                [(p, "tracker", "https://github.invalid/check") for p in wanted],
                check=True,
            )
        sets: list[tuple[_Pending, str, Any]] = []
        try:
            for p in wanted:
                issue = adopt.get(p.index)
                if issue is None:
                    try:
                        issue = self._create(p, postmortem, display, repository, incidents)
                    except GitHubError as error:
                        if error.status not in ITEM_STATUSES:
                            raise
                        self._problem(str(error))  # this item's: its postmortem's others go on
                        continue
                    if issue is None:
                        continue  # dry run
                sets.append((p, "tracker", issue.url))
                self._state_back(p, issue, display, sets)
            for p in pending:
                if p.item.tracker is None:
                    continue
                ref = issue_ref(p.item.tracker, repository.web_root)
                if ref is None:
                    continue  # another tracker (Jira, a plain link): not ours to read
                found = self._issue_at(ref, display, p)
                if found is not None:
                    moved = self._moved(p, ref, found, display, repository, sets)
                    self._state_back(p, found, display, sets, moved=moved)
        except BaseException:
            # What was learnt before the error is still saved, and the error (a rate limit, an
            # interrupt) still stops the run whatever the record's write meets.
            self._save(display, sets)
            raise
        self._save(display, sets)

    def _save(self, display: str, sets: list[tuple[_Pending, str, Any]]) -> None:
        """Write the sets into the record. A record that cannot take them is that record's
        problem, reported here and never raised: raised, it would replace an error on its way."""
        if not sets or self.report.dry_run:
            return
        try:
            written = self._write(display, sets)
        except OSError as error:
            self._problem(
                f"{display}: cannot be written ({error.strerror or error}): its new links and "
                "statuses were not saved; the next run finds its issues by their marker"
            )
            return
        except UsageError as error:  # read-only, a folder it cannot write, no longer valid
            self._problem(str(error))
            return
        if written is not None:
            self.report.written.append(display)

    def _earlier_issues(
        self,
        display: str,
        postmortem: Postmortem,
        pending: list[_Pending],
        wanted: list[_Pending],
        repository: Repository,
    ) -> dict[int, Issue | None]:
        """Issues already made for the wanted items, by item position: found by their marker,
        or, for one item whose title changed since, the one issue left over for its postmortem.

        Position -1 holds None when items are left out because leftover issues make it unclear
        which is whose.
        """
        adopt: dict[int, Issue | None] = {}
        keys = {p.key for p in pending}

        def unlinked(key: str) -> Issue | None:
            """The oldest issue of the marker that no item's tracker points at: an item
            retitled after its issue was made, and a new item given its old title, each keep
            their own; an item moved to another postmortem keeps its issue."""
            found = self._index.by_key.get(key, [])
            return next((issue for issue in found if not self._linked(issue, repository)), None)

        leftover = []
        for key in sorted(self._index.by_key):
            if key.startswith(postmortem.id + "/") and key not in keys:
                issue = unlinked(key)
                if issue is not None:
                    leftover.append(issue)
        unmatched = []
        for p in wanted:
            issue = unlinked(p.key)
            if issue is not None and issue.state != "open":
                # Made for a removed item of the same title and closed since, or by a run that
                # stopped before writing its link and closed by someone since: which it is, the
                # record does not say, and adopted, the new item would be done or won't-do
                # before anyone worked on it.
                self.say(
                    f"{display}: {self.repo}#{issue.number} was made for an item of this title "
                    f"and is closed; a new issue is made for {p.item.title!r} (set its tracker to "
                    f"{issue.url} instead if it is the same item)"
                )
                issue = None
            if issue is not None:
                adopt[p.index] = issue
                self._adopted(display, p, issue, "made by an earlier run")
            else:
                unmatched.append(p)
        # An issue left over is one made for an item whose title changed before its link was
        # written, or for an item since removed. Only an open one made for an item of the same
        # type and owner can be the first: a removed item's issue (closed, or someone else's)
        # must never pass its state on to a new item.
        fits = {
            p.index: [issue for issue in leftover if self._made_for(issue, p)] for p in unmatched
        }
        claimed = [issue.number for found in fits.values() for issue in found]
        unclear = [
            issue
            for issue in leftover
            if claimed.count(issue.number) > 1
            or any(len(found) > 1 and issue in found for found in fits.values())
        ]
        if unclear:
            numbers = ", ".join(f"#{issue.number}" for issue in unclear)
            self._problem(
                f"{display}: issues {numbers} were each made for an item this postmortem no "
                "longer lists under its title, and more than one new item could be theirs; set "
                "each renamed item's tracker to its issue, then run again. No issue was created "
                "for this postmortem's other new items."
            )
            adopt[-1] = None
            return adopt
        for p in unmatched:
            if fits[p.index]:
                adopt[p.index] = fits[p.index][0]
                self._adopted(display, p, fits[p.index][0], "made before its title changed")
        kept = {issue.number for issue in adopt.values() if issue is not None}
        for issue in leftover:
            if issue.state == "open" and issue.number not in kept:
                self.say(
                    f"{display}: {self.repo}#{issue.number} was made for an item this postmortem "
                    f"no longer lists: close it if the item was removed ({issue.url})"
                )
        return adopt

    def _linked(self, issue: Issue, repository: Repository) -> bool:
        """An item's tracker, in any postmortem, points at the issue, however its link is
        written (by the repository's name before a rename, a slash at its end)."""
        if any(p.item.tracker == issue.url for _display, p in self._trackers):
            return True
        if self._resolved is None:  # read only when it matters: it may read other repositories
            self._resolved = set()
            for display, p in self._trackers:
                ref = issue_ref(p.item.tracker or "", repository.web_root)
                found = self._issue_at(ref, display, p) if ref is not None else None
                if found is not None:
                    self._resolved.add(found.url)
        return issue.url in self._resolved

    def _made_for(self, issue: Issue, p: _Pending) -> bool:
        """The issue is open and was made for an item of this one's type and owner (by the
        owner's handle: their display name may have changed since)."""
        if issue.state != "open" or issue.made_for is None:
            return False
        kind, owner = issue.made_for
        handle = owner[owner.rfind("(") + 1 : -1] if owner.endswith(")") else owner
        # Either may name the owner by GitHub login: the same person is the same owner.
        theirs, mine = (self.roster.handle_of(name).casefold() for name in (handle, p.item.owner))
        return kind == p.item.type.value and theirs == mine

    def _adopted(self, display: str, p: _Pending, issue: Issue, why: str) -> None:
        self.report.adopted += 1
        verb = "would adopt" if self.report.dry_run else "adopted"
        self.say(
            f'{display}: "{_one_line(p.item.title)}": {verb} {self.repo}#{issue.number}, {why} '
            f"({issue.url})"
        )

    def _create(
        self,
        p: _Pending,
        postmortem: Postmortem,
        display: str,
        repository: Repository,
        incidents: dict[str, str],
    ) -> Issue | None:
        label = f'{display}: "{_one_line(p.item.title)}"'
        if self.report.dry_run:
            self.report.created += 1
            self.say(f"{label}: would create an issue in {self.repo}")
            return None
        payload = issue_payload(p, postmortem, display, repository, incidents, self.roster)
        what = f"creating an issue for {label}"
        path = f"repos/{self.repo}/issues"
        try:
            data = self.client.post(path, what, payload)
        except GitHubError as error:
            if error.status != 422 or "assignees" not in payload or not _about_assignees(error):
                raise  # refused for something else: leaving the owner out would not help
            # Someone who cannot be assigned (left the organisation, no access): the issue
            # is still worth having, unassigned.
            assignees = ", ".join(payload.pop("assignees"))
            self.say(f"{label}: GitHub would not assign {assignees}; creating it unassigned")
            data = self.client.post(path, what, payload)
        created = issue_from_api(data, what)
        self._index.add(created)
        self.report.created += 1
        self.say(f"{label}: created {self.repo}#{created.number} ({created.url})")
        if not _labelled(data):
            # GitHub drops the labels of someone who may not set them, and says nothing.
            self.say(
                f"{label}: warning: GitHub created {self.repo}#{created.number} without the "
                f"{LABEL} label (the token may not label issues): add it, or a run that stops "
                "before writing its link creates the issue again"
            )
        if payload.get("assignees") and _unassigned(data):
            # Dropped too, silently, for a token without push access: nobody would be told.
            self.say(
                f"{label}: warning: GitHub created {self.repo}#{created.number} without assigning "
                f"{', '.join(payload['assignees'])} (the token may not assign issues): assign the "
                "owner by hand"
            )
        return created

    def _moved(
        self,
        p: _Pending,
        ref: IssueRef,
        issue: Issue,
        display: str,
        repository: Repository,
        sets: list[tuple[_Pending, str, Any]],
    ) -> bool:
        """Point the tracker at the issue's address now when GitHub sent its old one on (301):
        an issue transferred to another repository, or one of a repository renamed since.
        Whether it did."""
        now = issue_ref(issue.url, repository.web_root)
        if now is None or (now.repo.casefold(), now.number) == (ref.repo.casefold(), ref.number):
            return False
        self.report.moved += 1
        verb = "would point" if self.report.dry_run else "pointed"
        self.say(
            f'{display}: "{_one_line(p.item.title)}": {ref} was moved to {now}; {verb} the '
            f"tracker at {issue.url}"
        )
        sets.append((p, "tracker", issue.url))
        return True

    def _state_back(
        self,
        p: _Pending,
        issue: Issue,
        display: str,
        sets: list[tuple[_Pending, str, Any]],
        *,
        moved: bool = False,
    ) -> None:
        """The item's status from its issue. An item whose tracker was MOVED is counted as
        that, not as up to date as well."""
        label = f'{display}: "{_one_line(p.item.title)}"'
        status = status_from_issue(p.item.status, issue)
        if status is None:
            if issue.state == "closed" and issue.state_reason == "duplicate":
                self.say(
                    f"{label}: {issue.url} was closed as a duplicate; point the item's "
                    "tracker at the issue that carries the work"
                )
            if p.item.tracker is not None and not moved:
                self.report.unchanged += 1
            return
        self.report.changed += 1
        verb = "would change" if self.report.dry_run else "changed"
        self.say(
            f"{label}: {verb} status {p.item.status.value} -> {status.value} "
            f"(issue {describe_state(issue)}: {issue.url})"
        )
        sets.append((p, "status", status.value))

    # -- reading GitHub -----------------------------------------------------------------------

    def _read_index(self) -> None:
        """Every issue with the action-item label, open and closed, with its marker.

        Only issues with the label count: on GitHub, only people with write access can label an
        issue as they open it, so nobody else can plant a marker the sync would adopt. One
        listing also gives the state of every issue the sync made, without a request each.
        """
        what = f"listing the {LABEL} issues of {self.repo}"
        for page in self.client.pages(
            f"repos/{self.repo}/issues", what, {"state": "all", "labels": LABEL}
        ):
            if not isinstance(page, list):
                raise GitHubError(f"{what}: expected a list from the API")
            for data in page:
                if isinstance(data, dict) and "pull_request" not in data:
                    self._index.add(issue_from_api(data, what))

    def _issue_at(self, ref: IssueRef, display: str, p: _Pending) -> Issue | None:
        if ref.repo.casefold() == self.repo.casefold() and ref.number in self._index.by_number:
            return self._index.by_number[ref.number]
        if ref not in self._other:
            self._other[ref] = self._read_issue(ref, display, p)
        return self._other[ref]

    def _read_issue(self, ref: IssueRef, display: str, p: _Pending) -> Issue | None:
        label = f'{display}: "{_one_line(p.item.title)}"'
        what = f"reading issue {ref}"
        try:
            data = self.client.get_json(f"repos/{ref.repo}/issues/{ref.number}", what)
        except GitHubError as error:
            here = ref.repo.casefold() == self.repo.casefold()
            if error.status == 410 or (error.status == 404 and here):
                # Gone (GitHub answers a deleted issue with 410, and this repository's issues
                # are the token's to read): the item's state can never flow back, so the item is
                # not in step until a person points its tracker elsewhere.
                gone = (
                    "was deleted (HTTP 410)"
                    if error.status == 410
                    else "is not found (HTTP 404: deleted, or moved where this token cannot "
                    "read it)"
                )
                if not p.item.status.is_open:
                    # A finished item has nothing left to flow back: a note, not a problem that
                    # would fail every scheduled run until someone edits the record.
                    self.say(
                        f"{label}: {ref} {gone}; the item is {p.item.status.value}, left as it is"
                    )
                    return None
                self._problem(
                    f"{label}: {ref} {gone}; point the item's tracker at the issue that carries "
                    "the work, or remove the tracker to have a new issue made"
                )
                return None
            if error.status == 404:
                why = "moved, or not visible to this token"
            elif error.status == 403 and not error.rate_limited and not here:
                # Another organisation's SAML or IP allow list: the token may not read it, and
                # says nothing of what it may do here. A rate limit is not that: it stops the
                # run like any other, however it ran out.
                why = "the token may not read that repository"
            else:
                raise
            self.say(f"{label}: {ref} cannot be read (HTTP {error.status}: {why}); left as it is")
            return None
        if isinstance(data, dict) and "pull_request" in data:
            self.say(f"{label}: {ref} is a pull request, not an issue; left as it is")
            return None
        return issue_from_api(data, what)

    # -- writing the record -------------------------------------------------------------------

    def _write(
        self, display: str, sets: list[tuple[_Pending, str, Any]], *, check: bool = False
    ) -> PostmortemFile | None:
        """Write the sets into the record. With `check`, write nothing: make sure the record
        can take them and, but for a --dry-run (a preview may read a read-only checkout), that
        it can be written."""

        def change(fresh: PostmortemFile) -> Change:
            items = fresh.postmortem.action_items
            chosen: list[tuple[FieldPath, Any]] = []
            for pending, key, value in sets:
                index = _same_item(items, pending, fresh.postmortem.id)
                if index is None:
                    self.say(
                        f'{display}: "{_one_line(pending.item.title)}" changed while the sync '
                        "ran; run it again"
                    )
                    continue
                if key == "tracker" and items[index].tracker not in (pending.item.tracker, value):
                    # Someone linked another issue meanwhile, or removed the link of a moved
                    # one to have a new issue made: theirs stands.
                    continue
                chosen.append((("action_items", index, key), value))
            return Change(sets=tuple(chosen))

        return edit_postmortem(
            self.root,
            self.root / display,
            display,
            self.config,
            change,
            dry_run=check,
            writable=check and not self.report.dry_run,
        )


def _pending(postmortem: Postmortem) -> list[_Pending]:
    """The postmortem's action items, each with its position and key."""
    items = postmortem.action_items
    return [_Pending(i, item, item_key(postmortem.id, items, i)) for i, item in enumerate(items)]


def _same_item(items: Sequence[ActionItem], pending: _Pending, postmortem_id: str) -> int | None:
    """The item's position in the record as it is now, found by its key."""
    for index in range(len(items)):
        if item_key(postmortem_id, items, index) == pending.key:
            return index
    return None


def issue_payload(
    pending: _Pending,
    postmortem: Postmortem,
    display: str,
    repository: Repository,
    incidents: dict[str, str],
    roster: Roster,
) -> dict[str, Any]:
    """The new issue: the item's title, a body that links its records, labels and an assignee."""
    item = pending.item
    person = owner_of(item, roster)
    owner = owner_text(item, roster)
    links = [f"- Postmortem: [{postmortem.id}]({repository.file_url(display)})"]
    for incident_id in postmortem.incidents:
        path = incidents.get(incident_id)
        links.append(
            f"- Incident: [{incident_id}]({repository.file_url(path)})"
            if path
            else f"- Incident: {incident_id}"
        )
    body = "\n".join(
        [
            f"A follow-up from the postmortem {_literal(postmortem.title)}.",
            "",
            *links,
            "",
            "| | |",
            "| --- | --- |",
            f"| Type | {item.type.value} |",
            f"| Priority | {item.priority} |",
            f"| Due | {item.due.isoformat() if item.due else 'not set'} |",
            f"| Owner | {_plain(owner)} |",
            "",
            "Closing this issue as completed marks the action item done in the archive; closing",
            "it as not planned marks it won't do.",
            "",
            f"<!-- incident-docs action-item: {pending.key} -->",
        ]
    )
    payload: dict[str, Any] = {
        "title": item.title,
        "body": body,
        "labels": [LABEL, f"type: {item.type.value}", f"priority: {item.priority}"],
    }
    if person is not None and person.github:
        payload["assignees"] = [person.github]
    return payload


def owner_of(item: ActionItem, roster: Roster) -> Person | None:
    """The roster's person who owns the item, named by handle or by GitHub login (with or
    without its @), as `incident actions` and the site read an owner."""
    return roster.by_handle(roster.handle_of(item.owner))


def owner_text(item: ActionItem, roster: Roster) -> str:
    """The owner as an issue names them: "Dana Okafor (dana)", or the handle alone."""
    person = owner_of(item, roster)
    return f"{person.name} ({person.handle})" if person else item.owner


def _literal(text: str) -> str:
    """Text shown as written, on one line: a code span, inside which GitHub makes no link,
    mention or issue reference (a title's "#12" or issue address would otherwise appear on that
    issue's timeline, "@acme/sre" ping the team) and reads no Markdown or HTML."""
    text = " ".join(text.split())
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _plain(text: str) -> str:
    """Text for a Markdown table cell or sentence: no pipes, no mentions that would ping anyone."""
    return text.replace("|", "\\|").replace("@", "@\u200b").replace("<", "&lt;")
