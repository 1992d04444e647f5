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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from incident_docs.config import Config
from incident_docs.diagnostics import UsageError
from incident_docs.github import REPO_RE, GitHubClient, GitHubError
from incident_docs.lifecycle import Change, FieldPath
from incident_docs.models import (
    ActionItem,
    ActionItemStatus,
    Incident,
    Postmortem,
    PostmortemStatus,
    Roster,
)
from incident_docs.records import read_archive, skipped_note
from incident_docs.store import PostmortemFile, edit_postmortem

SYNC_HINTS = {
    401: "is GITHUB_TOKEN set and valid?",
    403: "the token needs issues: write, and contents: read for a private repository",
    404: "check --repo and the token's access to it",
    410: "issues are turned off in this repository",
}
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
    if (parts.scheme, parts.netloc) != (root.scheme, root.netloc):
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


def issue_from_api(data: Any, what: str) -> Issue:
    if not isinstance(data, dict):
        raise GitHubError(f"{what}: expected an issue from the API")
    number, url, state = data.get("number"), data.get("html_url"), data.get("state")
    reason = data.get("state_reason")
    if not (isinstance(number, int) and isinstance(url, str) and state in ("open", "closed")):
        raise GitHubError(f"{what}: the API's issue has no number, html_url or state")
    if not re.match(r"^https?://\S+$", url) or len(url) > 500:
        raise GitHubError(f"{what}: the API's html_url {url[:80]!r} is not a web address")
    return Issue(number, url, str(state), reason if isinstance(reason, str) else None)


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

    @property
    def web_root(self) -> str:
        """The GitHub web root the repository lives under (github.com, or an Enterprise host)."""
        return self.web_url[: -len(self.name)].rstrip("/")

    def file_url(self, path: str) -> str:
        quoted = urllib.parse.quote(path)
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


@dataclass
class SyncReport:
    """What a run did (or, with --dry-run, would do), for the person or workflow that ran it."""

    dry_run: bool = False
    created: int = 0
    adopted: int = 0
    changed: int = 0
    unchanged: int = 0
    written: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if self.dry_run:
            parts = [
                f"would create {self.created} {_plural(self.created, 'issue')}",
                f"adopt {self.adopted}",
                f"change {self.changed} {_plural(self.changed, 'status', 'statuses')}",
            ]
            return "actions sync (dry run): " + ", ".join(parts) + "; no record written"
        records = len(self.written)
        return (
            f"actions sync: {self.created} {_plural(self.created, 'issue')} created, "
            f"{self.adopted} adopted, {self.changed} "
            f"{_plural(self.changed, 'status', 'statuses')} changed, {self.unchanged} up to date; "
            f"{records} {_plural(records, 'record')} written"
        )


def _plural(count: int, one: str, many: str | None = None) -> str:
    return one if count == 1 else (many or one + "s")


@dataclass(frozen=True)
class _Pending:
    """One action item the run looks at: where it is and what it is."""

    index: int
    item: ActionItem
    key: str


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
            raise UsageError(f"--repo: {repo!r} is not OWNER/NAME")
        self.root, self.config, self.roster = root, config, roster
        self.client, self.repo, self.say = client, repo, say
        self.report = SyncReport(dry_run=dry_run)
        self._marked: dict[str, Issue] | None = None
        self._issues: dict[IssueRef, Issue] = {}

    def run(self) -> SyncReport:
        archive = read_archive(self.root, self.config)
        note = skipped_note(archive.skipped)
        if note is not None:
            self.say(f"warning: {note}")
        repository = repository_from_api(
            self.client.get_json(f"repos/{self.repo}", f"reading repository {self.repo}"),
            self.repo,
        )
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
        for display, postmortem in postmortems:
            self._postmortem(display, postmortem, repository, incidents)
        return self.report

    # -- one postmortem -----------------------------------------------------------------------

    def _postmortem(
        self,
        display: str,
        postmortem: Postmortem,
        repository: Repository,
        incidents: dict[str, str],
    ) -> None:
        items = postmortem.action_items
        sets: list[tuple[_Pending, str, Any]] = []
        try:
            for index, item in enumerate(items):
                pending = _Pending(index, item, item_key(postmortem.id, items, index))
                label = f'{display}: "{item.title}"'
                if item.tracker is None:
                    if postmortem.status in CREATE_FOR and item.status.is_open:
                        issue = self._issue_for(pending, postmortem, display, repository, incidents)
                        if issue is None:
                            continue  # dry run
                        sets.append((pending, "tracker", issue.url))
                        self._state_back(pending, issue, label, sets)
                    continue
                ref = issue_ref(item.tracker, repository.web_root)
                if ref is None:
                    continue  # another tracker (Jira, a plain link): not ours to read
                issue = self._read_issue(ref)
                if issue is None:
                    self.say(f"{label}: {ref} no longer exists; left as it is")
                    continue
                self._state_back(pending, issue, label, sets)
        finally:
            if sets and not self.report.dry_run:
                self._write(display, sets)

    def _issue_for(
        self,
        pending: _Pending,
        postmortem: Postmortem,
        display: str,
        repository: Repository,
        incidents: dict[str, str],
    ) -> Issue | None:
        label = f'{display}: "{pending.item.title}"'
        earlier = self._marked_issues().get(pending.key)
        if earlier is not None:
            self.report.adopted += 1
            verb = "would adopt" if self.report.dry_run else "adopted"
            self.say(
                f"{label}: {verb} {self.repo}#{earlier.number}, made by an earlier run "
                f"({earlier.url})"
            )
            return earlier
        if self.report.dry_run:
            self.report.created += 1
            self.say(f"{label}: would create an issue in {self.repo}")
            return None
        payload = issue_payload(pending, postmortem, display, repository, incidents, self.roster)
        created = issue_from_api(
            self.client.post(
                f"repos/{self.repo}/issues", f"creating an issue for {label}", payload
            ),
            f"creating an issue for {label}",
        )
        self.report.created += 1
        self.say(f"{label}: created {self.repo}#{created.number} ({created.url})")
        return created

    def _state_back(
        self,
        pending: _Pending,
        issue: Issue,
        label: str,
        sets: list[tuple[_Pending, str, Any]],
    ) -> None:
        status = status_from_issue(pending.item.status, issue)
        if status is None:
            if issue.state == "closed" and issue.state_reason == "duplicate":
                self.say(
                    f"{label}: {issue.url} was closed as a duplicate; point the item's "
                    "tracker at the issue that carries the work"
                )
            if pending.item.tracker is not None:
                self.report.unchanged += 1
            return
        self.report.changed += 1
        verb = "would change" if self.report.dry_run else "changed"
        self.say(
            f"{label}: {verb} status {pending.item.status.value} -> {status.value} "
            f"(issue {describe_state(issue)}: {issue.url})"
        )
        sets.append((pending, "status", status.value))

    # -- reading GitHub -----------------------------------------------------------------------

    def _marked_issues(self) -> dict[str, Issue]:
        """Every issue of the repository that carries an action-item marker, by key.

        Read once per run, with closed issues too, so an item whose issue was made and closed
        before its URL reached the record is still not given a second one.
        """
        if self._marked is None:
            self._marked = {}
            what = f"listing issues of {self.repo}"
            for page in self.client.pages(
                f"repos/{self.repo}/issues", what, {"state": "all", "sort": "created"}
            ):
                if not isinstance(page, list):
                    raise GitHubError(f"{what}: expected a list from the API")
                for data in page:
                    if not isinstance(data, dict) or "pull_request" in data:
                        continue
                    body = data.get("body")
                    match = MARKER_RE.search(body) if isinstance(body, str) else None
                    if match is not None:
                        # The oldest issue for a key wins, should there ever be two.
                        found = issue_from_api(data, what)
                        kept = self._marked.get(match.group("key"))
                        if kept is None or found.number < kept.number:
                            self._marked[match.group("key")] = found
        return self._marked

    def _read_issue(self, ref: IssueRef) -> Issue | None:
        if ref not in self._issues:
            what = f"reading issue {ref}"
            try:
                data = self.client.get_json(f"repos/{ref.repo}/issues/{ref.number}", what)
            except GitHubError as error:
                if " 404 " in f" {error} " or " 410 " in f" {error} ":
                    return None
                raise
            self._issues[ref] = issue_from_api(data, what)
        return self._issues[ref]

    # -- writing the record -------------------------------------------------------------------

    def _write(self, display: str, sets: list[tuple[_Pending, str, Any]]) -> None:
        def change(fresh: PostmortemFile) -> Change:
            items = fresh.postmortem.action_items
            chosen: list[tuple[FieldPath, Any]] = []
            for pending, key, value in sets:
                index = _same_item(items, pending, fresh.postmortem.id)
                if index is None:
                    self.say(
                        f'{display}: "{pending.item.title}" changed while the sync ran; '
                        "run it again"
                    )
                    continue
                if key == "tracker" and items[index].tracker not in (None, value):
                    continue  # someone linked another issue meanwhile: theirs stands
                chosen.append((("action_items", index, key), value))
            return Change(sets=tuple(chosen))

        written = edit_postmortem(self.root, self.root / display, display, self.config, change)
        if written is not None:
            self.report.written.append(display)


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
    person = roster.by_handle(item.owner)
    owner = f"{person.name} ({item.owner})" if person else item.owner
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
            f"A follow-up from the postmortem **{_plain(postmortem.title)}**.",
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


def _plain(text: str) -> str:
    """Text for a Markdown table cell or sentence: no pipes, no mentions that would ping anyone."""
    return text.replace("|", "\\|").replace("@", "@\u200b").replace("<", "&lt;")
