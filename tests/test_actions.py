"""`incident actions`: open follow-ups in the terminal, and their issues on a fake GitHub."""

from __future__ import annotations

import csv
import difflib
import errno
import io
import json
import os
import re
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt
from pytest_httpserver import HTTPServer

from incident_docs import records, store, tracker
from incident_docs.config import load_config
from incident_docs.diagnostics import UsageError
from incident_docs.document import read_document
from incident_docs.github import WRITE_SPACING, GitHubClient, GitHubError
from incident_docs.metrics import compute, open_action_items
from incident_docs.models import ActionItem, ActionItemStatus, ActionItemType, Postmortem
from incident_docs.records import load_archive, load_roster
from incident_docs.review import follow_up_update
from incident_docs.site.archive import load_site_archive
from incident_docs.site.pages import PageBuilder
from incident_docs.tracker import (
    LABEL,
    ActionSync,
    Issue,
    IssueRef,
    issue_ref,
    item_key,
    status_from_issue,
)
from support.archive import CHRISTMAS, copy_archive, front_matter
from support.cli import RunCli
from support.issues_fake import REPO, FakeIssues
from support.site_build import build_site, page

TODAY = "2023-07-01"
CHRISTMAS_PM = "postmortems/PM-2022-12-25-corrupt-image-crash-loop.md"
PAYMENTS_PM = "postmortems/PM-2023-03-14-payments-db-failover.md"
CDN_PM = "postmortems/PM-2023-08-02-cdn-certificate-expiry.md"
PM_URL = f"postmortems/PM-{CHRISTMAS}"


@pytest.fixture
def issues(httpserver: HTTPServer) -> Iterator[FakeIssues]:
    yield FakeIssues(httpserver)


class Clock:
    """A clock that moves only when the client sleeps: waits are recorded, never spent."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.0
        self.sleeps: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def sync(
    root: Path,
    issues: FakeIssues,
    *,
    dry_run: bool = False,
    clock: Clock | None = None,
    max_wait: float = 120.0,
    said: list[str] | None = None,
) -> tuple[tracker.SyncReport, list[str]]:
    """Run the sync; what it says is returned, and kept in SAID too (a run that raises)."""
    clock = clock or Clock()
    config = load_config(root)
    client = GitHubClient(
        issues.url,
        issues.token,
        sleep=clock.sleep,
        clock=clock.time,
        max_wait=max_wait,
        hints=tracker.SYNC_HINTS,
    )
    said = [] if said is None else said
    run = ActionSync(
        root, config, load_roster(root, config), client, REPO, dry_run=dry_run, say=said.append
    )
    return run.run(), said


def snapshot(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted((root / "postmortems").glob("*.md"))
    }


def changed_lines(before: str, after: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="")
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def items(root: Path, path: str) -> list[dict[str, object]]:
    found = front_matter(root / path)["action_items"]
    assert isinstance(found, list)
    return found


# --- the list ----------------------------------------------------------------------------------


def test_the_list_gives_the_same_numbers_as_the_site(archive: Path, run_cli: RunCli) -> None:
    result = run_cli(archive, "actions", "--today", TODAY, "--format", "json")
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    config = load_config(archive)
    site = compute((r.record for r in load_archive(archive, config)), date.fromisoformat(TODAY))
    assert (listed["open"], listed["overdue"]) == (
        site.action_items_open,
        site.action_items_overdue,
    )
    assert listed["open"] == len(listed["items"]) > 0
    assert all(item["status"] in ("open", "in-progress") for item in listed["items"])


def test_the_list_filters_by_owner_service_and_overdue(archive: Path, run_cli: RunCli) -> None:
    def titles(*args: str) -> list[str]:
        result = run_cli(archive, "actions", "--today", TODAY, "--format", "json", *args)
        assert result.exit_code == 0, result.output
        return [item["title"] for item in json.loads(result.stdout)["items"]]

    everything = titles()
    lee = titles("--owner", "LEE")
    assert lee and set(lee) < set(everything)
    overdue = titles("--overdue")
    assert overdue and set(overdue) < set(everything)
    payments = titles("--service", "payments-db")
    assert payments and all(t in everything for t in payments)
    cdn_items = {str(i["title"]) for i in items(archive, CDN_PM)}
    assert cdn_items.isdisjoint(payments)


def test_an_owner_written_in_capitals_is_one_owner_on_the_site(archive: Path) -> None:
    """`--owner lee` lists the items of "LEE" too, and the roster reads them as one person:
    the site's page counted them as two owners, under two headings."""
    path = archive / PAYMENTS_PM
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    owner: lee\n", "    owner: LEE\n"), encoding="utf-8")
    config = load_config(archive)
    site = load_site_archive(archive, config, load_roster(archive, config))
    html = PageBuilder(site, date.fromisoformat(TODAY)).action_items()
    owners = {
        found.item.owner.casefold()
        for found in open_action_items((r.record for r in site.records), date(2023, 7, 1))
    }
    shown = re.search(r'tile__value">(\d+)</span><span class="idocs-tile__label">owners<', html)
    assert shown is not None and int(shown.group(1)) == len(owners) == 4
    by_owner = html[html.index("## By owner") :]
    assert re.findall(r"^### .*$", by_owner, re.MULTILINE).count("### lee \\(Lee Morgan\\)") == 1
    assert "### LEE" not in by_owner
    assert "Let the payments API queue retries" in by_owner


def test_an_owner_named_by_github_login_or_name_is_the_roster_person(
    archive: Path, run_cli: RunCli
) -> None:
    """`--owner @lee` and `--owner "Lee Morgan"` listed nothing and warned that nobody of that
    name was in the roster; an item owned by lee's GitHub login was someone else's."""
    path = archive / PAYMENTS_PM
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    owner: lee\n", "    owner: leemorgan\n"), encoding="utf-8")
    queue = "Let the payments API queue retries while the database fails over"
    for name in ("lee", "@lee", "Lee Morgan", "@LeeMorgan"):
        result = run_cli(archive, "actions", "--today", TODAY, "--format", "json", "--owner", name)
        assert result.stderr == "", result.stderr
        assert queue in [item["title"] for item in json.loads(result.stdout)["items"]], name
    config = load_config(archive)
    site = load_site_archive(archive, config, load_roster(archive, config))
    by_owner = PageBuilder(site, date.fromisoformat(TODAY)).action_items().split("## By owner")[1]
    assert "### leemorgan" not in by_owner
    assert queue in by_owner.split("### lee \\(Lee Morgan\\)")[1].split("###")[0]


def test_an_owner_who_could_be_two_people_is_never_picked_silently(
    archive: Path, run_cli: RunCli
) -> None:
    """A second Lee Morgan, whose GitHub login is lee's handle: `--owner "Lee Morgan"` warned
    that nobody of that name was in the roster, and `--owner @lee` listed lee's items without a
    word about whose login that is."""
    roster = archive / "people.yaml"
    roster.write_text(
        roster.read_text().replace(
            "  - handle: mei\n",
            "  - handle: lm\n    name: Lee Morgan\n    github: lee\n  - handle: mei\n",
        )
    )
    by_name = run_cli(archive, "actions", "--today", TODAY, "--owner", "Lee Morgan")
    assert "PM-" not in by_name.stdout
    assert "--owner Lee Morgan could be lee (Lee Morgan), lm (Lee Morgan): give a handle" in (
        by_name.stderr
    )
    by_login = run_cli(archive, "actions", "--today", TODAY, "--owner", "@lee")
    assert "Let the payments API queue retries" in by_login.stdout
    assert (
        "--owner @lee could be lee (Lee Morgan), lm (Lee Morgan): listing lee's items; "
        "give a handle for another's"
    ) in by_login.stderr
    assert "warning" not in run_cli(archive, "actions", "--today", TODAY, "--owner", "lm").stderr


def test_text_output_aligns_and_ends_with_a_summary(archive: Path, run_cli: RunCli) -> None:
    result = run_cli(archive, "actions", "--today", TODAY)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len({line.index("  P") for line in lines}) == 1  # the priority column lines up
    overdue = sum("OVERDUE" in line for line in lines)
    assert 0 < overdue < len(lines)
    assert result.stderr.strip() == f"{len(lines)} open action items, {overdue} overdue"


def test_a_title_with_a_line_break_stays_on_its_row(archive: Path, run_cli: RunCli) -> None:
    path = archive / CHRISTMAS_PM
    title = "Canary every web deploy for ten minutes before full rollout"
    path.write_text(
        path.read_text().replace(title, '"First\\nFAKE 2099-01-01 P1 x  injected"'),
        encoding="utf-8",
    )
    result = run_cli(archive, "actions", "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert not [line for line in result.stdout.splitlines() if line.startswith("FAKE")]
    assert "First FAKE 2099-01-01 P1 x injected" in result.stdout


def test_similar_takes_an_incident_or_a_text_not_both(archive: Path, run_cli: RunCli) -> None:
    both = run_cli(archive, "similar", "INC-2023-03-14-payments-db-failover", "--text", "db")
    assert both.exit_code == 2 and "not both" in both.stderr


def test_csv_keeps_a_formula_like_title_as_text(archive: Path, run_cli: RunCli) -> None:
    path = archive / CDN_PM
    text = path.read_text(encoding="utf-8")
    title = "Alert 21 days before any certificate we serve expires"
    path.write_text(text.replace(f"title: {title}", 'title: "=HYPERLINK(1)"'), encoding="utf-8")
    result = run_cli(archive, "actions", "--today", TODAY, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert "'=HYPERLINK(1)" in [row["title"] for row in rows]


# --- what an issue means for an item -------------------------------------------------------------


def test_tracker_links_are_read_as_issues_of_this_github_only() -> None:
    web = "https://github.com"
    assert issue_ref("https://github.com/acme/ops/issues/12", web) == IssueRef("acme/ops", 12)
    assert issue_ref("https://github.com/acme/ops/issues/12/", web) == IssueRef("acme/ops", 12)
    assert issue_ref("https://github.com/acme/ops/pull/12", web) is None
    assert issue_ref("https://tracker.example.com/OPS-1", web) is None
    assert issue_ref("https://github.com.evil.test/acme/ops/issues/1", web) is None
    # A host in capitals, or the default port written, is the same GitHub (pasted by hand).
    assert issue_ref("https://GitHub.com/acme/ops/issues/12", web) == IssueRef("acme/ops", 12)
    assert issue_ref("HTTPS://github.com:443/acme/ops/issues/12", web) == IssueRef("acme/ops", 12)
    assert issue_ref("https://github.com:8443/acme/ops/issues/12", web) is None
    assert issue_ref("https://github.com:0/acme/ops/issues/12", web) is None  # no default
    assert issue_ref("https://me@github.com/acme/ops/issues/12", web) is None
    assert issue_ref("https://github.com:x/acme/ops/issues/12", web) is None
    ghe = "https://ghe.example.com"
    assert issue_ref("https://ghe.example.com/a/b/issues/3", ghe) == IssueRef("a/b", 3)


@pytest.mark.parametrize(
    ("current", "state", "reason", "wanted"),
    [
        (ActionItemStatus.OPEN, "closed", "completed", ActionItemStatus.DONE),
        (ActionItemStatus.IN_PROGRESS, "closed", None, ActionItemStatus.DONE),
        (ActionItemStatus.OPEN, "closed", "not_planned", ActionItemStatus.WONT_DO),
        (ActionItemStatus.DONE, "open", "reopened", ActionItemStatus.OPEN),
        (ActionItemStatus.WONT_DO, "open", "reopened", ActionItemStatus.OPEN),
        (ActionItemStatus.IN_PROGRESS, "open", "reopened", None),
        (ActionItemStatus.IN_PROGRESS, "open", None, None),
        (ActionItemStatus.DONE, "closed", "completed", None),
        (ActionItemStatus.OPEN, "closed", "duplicate", None),
    ],
)
def test_an_issue_state_sets_the_item_status(
    current: ActionItemStatus, state: str, reason: str | None, wanted: ActionItemStatus | None
) -> None:
    issue = Issue(1, "https://github.com/acme/ops/issues/1", state, reason)
    assert status_from_issue(current, issue) == wanted


def test_an_item_key_survives_reordering_and_tells_twins_apart() -> None:
    def item(title: str) -> ActionItem:
        return ActionItem(title=title, owner="dana", type=ActionItemType.DETECT)

    first = [item("Add an alert"), item("Add a runbook"), item("Add an alert")]
    keys = [item_key("PM-1", first, i) for i in range(3)]
    assert len(set(keys)) == 3
    reordered = [first[1], item("A new item"), first[0], first[2]]
    assert item_key("PM-1", reordered, 0) == keys[1]
    assert item_key("PM-1", reordered, 2) == keys[0]
    assert item_key("PM-1", reordered, 3) == keys[2]


# --- sync against the fake API -------------------------------------------------------------------


def test_an_issue_links_the_records_of_an_archive_in_a_subfolder_by_their_place_in_the_repository(
    tmp_path: Path, issues: FakeIssues
) -> None:
    # The archive kept in ops/postmortems of a larger repository: the links went to
    # /blob/main/postmortems/…, a page GitHub does not have.
    (tmp_path / "mono" / ".git").mkdir(parents=True)
    archive = copy_archive(tmp_path / "mono" / "ops" / "postmortems")
    sync(archive, issues)
    body = next(
        payload["body"]
        for payload in issues.created
        if payload["title"] == "Canary every web deploy for ten minutes before full rollout"
    )
    incident = CHRISTMAS_PM.replace("postmortems/PM-", "incidents/INC-")
    assert f"{issues.web}/blob/main/ops/postmortems/{CHRISTMAS_PM})" in body
    assert f"{issues.web}/blob/main/ops/postmortems/{incident})" in body


def test_an_issue_body_names_its_postmortem_without_links_mentions_or_references(
    archive: Path, issues: FakeIssues
) -> None:
    """GitHub puts a body's "#12" or issue address on that issue's timeline and pings an
    "@team": a postmortem's title is shown as written, never as any of them."""
    title = (
        "Deploy of #12 and acme/web#3 broke https://github.com/acme/ops/issues/1 "
        "[see](https://evil.example) <b>@acme/sre</b> `code`"
    )
    path = archive / PAYMENTS_PM
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            'title: "Postmortem: payments database failover stalled card payments"',
            f"title: {json.dumps(title)}",
        ),
        encoding="utf-8",
    )
    sync(archive, issues)
    body = next(p["body"] for p in issues.created if p["title"].startswith("Let the payments"))
    html = MarkdownIt("commonmark").render(body)
    prose = re.sub(r"<code>.*?</code>", "", html, flags=re.DOTALL)
    assert "#12" not in prose and "#3" not in prose and "@acme" not in prose, prose
    assert "evil.example" not in prose and "/issues/1" not in prose and "<b>" not in prose
    assert f"<code>{title.replace('<', '&lt;').replace('>', '&gt;')}</code>" in html


def test_sync_creates_one_issue_per_open_item_and_changes_nothing_else(
    archive: Path, issues: FakeIssues
) -> None:
    before = snapshot(archive)
    report, said = sync(archive, issues)
    # Open items without a tracker in approved or published postmortems: one each in the
    # Christmas (published) and payments (approved) postmortems; the CDN one is in review.
    assert report.created == 2 and len(issues.created) == 2, said
    after = snapshot(archive)
    assert after[CDN_PM] == before[CDN_PM]
    for path in (CHRISTMAS_PM, PAYMENTS_PM):
        diff = changed_lines(before[path], after[path])
        assert len(diff) == 1 and diff[0].startswith("+    tracker: "), diff
        url = diff[0].split(": ", 1)[1]
        assert url.startswith(issues.web + "/issues/")
    created = {payload["title"]: payload for payload in issues.created}
    canary = created["Canary every web deploy for ten minutes before full rollout"]
    assert canary["assignees"] == ["priyaraman"]
    assert set(canary["labels"]) == {"action-item", "type: prevent", "priority: P2"}
    assert "PM-2022-12-25-corrupt-image-crash-loop" in canary["body"]
    assert f"{issues.web}/blob/main/{CHRISTMAS_PM}" in canary["body"]
    assert "INC-2022-12-25-corrupt-image-crash-loop" in canary["body"]
    assert tracker.MARKER_RE.search(canary["body"])
    assert report.written == [CHRISTMAS_PM, PAYMENTS_PM]

    again, said = sync(archive, issues)
    assert (again.created, again.adopted, again.changed) == (0, 0, 0), said
    assert again.written == [] and snapshot(archive) == after
    assert len(issues.issues) == 2


def test_a_dry_run_creates_and_writes_nothing(archive: Path, issues: FakeIssues) -> None:
    before = snapshot(archive)
    report, said = sync(archive, issues, dry_run=True)
    assert report.created == 2 and issues.created == []
    assert not any(r.startswith("POST") for r in issues.requests)
    assert snapshot(archive) == before
    assert sum("would create an issue" in line for line in said) == 2
    assert "no record written" in report.summary()


def test_a_dry_run_leaves_no_file_behind(archive: Path, issues: FakeIssues) -> None:
    """Not even the write lock's file: a preview may run in a checkout that is not to change."""
    before = sorted(path.relative_to(archive) for path in archive.rglob("*"))
    sync(archive, issues, dry_run=True)
    assert sorted(path.relative_to(archive) for path in archive.rglob("*")) == before


def test_a_lost_answer_after_creating_is_adopted_on_the_next_run(
    archive: Path, issues: FakeIssues
) -> None:
    before = snapshot(archive)
    issues.lose_next_create = True
    with pytest.raises(GitHubError, match="HTTP 502"):
        sync(archive, issues)
    assert len(issues.issues) == 1  # GitHub made it; the answer never arrived
    assert snapshot(archive) == before
    report, said = sync(archive, issues)
    assert (report.adopted, report.created) == (1, 1), said
    assert len(issues.issues) == 2
    trackers = {i["title"]: i.get("tracker") for i in items(archive, CHRISTMAS_PM)}
    assert (
        trackers["Canary every web deploy for ten minutes before full rollout"]
        == (issues.issues[0]["html_url"])
    )


def test_a_crash_before_the_record_is_written_is_adopted_on_the_next_run(
    archive: Path, issues: FakeIssues, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(archive)
    real = store.edit_postmortem

    def crash(*args: Any, dry_run: bool = False, **kwargs: Any) -> Any:
        if dry_run:
            return real(*args, dry_run=True, **kwargs)  # the check before creating
        raise KeyboardInterrupt  # killed between creating the issue and writing the record

    with monkeypatch.context() as patch:
        patch.setattr(tracker, "edit_postmortem", crash)
        with pytest.raises(KeyboardInterrupt):
            sync(archive, issues)
    assert len(issues.issues) == 1 and snapshot(archive) == before
    report, _said = sync(archive, issues)
    assert (report.adopted, report.created) == (1, 1)
    assert len(issues.issues) == 2
    assert len(report.written) == 2


def test_a_marker_in_a_postmortem_s_title_never_hides_the_issue_s_own(
    archive: Path, issues: FakeIssues
) -> None:
    """The body shows the postmortem's title as written, comment and all: the marker the sync
    finds an issue by is the one it wrote, at the body's end, not one a title holds."""
    path = archive / CHRISTMAS_PM
    text = path.read_text(encoding="utf-8")
    planted = "<!-- incident-docs action-item: PM-2099-01-01-elsewhere/000000000000 -->"
    path.write_text(
        text.replace(
            'title: "Postmortem: corrupt web image crash-looped the front-end VMs"',
            f"title: {json.dumps('Crash loop ' + planted)}",
        ),
        encoding="utf-8",
    )
    issues.lose_next_create = True
    with pytest.raises(GitHubError, match="HTTP 502"):
        sync(archive, issues)
    assert planted in issues.issues[0]["body"]
    report, said = sync(archive, issues)
    assert (report.adopted, report.created) == (1, 1), said
    assert len(issues.issues) == 2


def test_a_marker_in_an_issue_without_the_label_is_not_adopted(
    archive: Path, issues: FakeIssues
) -> None:
    """Anyone may open an issue; only people with write access can label it as they do."""
    key = payments_key(archive)
    issues.add_issue("planted", f"<!-- incident-docs action-item: {key} -->")
    issues.close(1, "completed")
    report, said = sync(archive, issues)
    assert (report.adopted, report.created) == (0, 2), said
    queue = [
        i
        for i in items(archive, PAYMENTS_PM)
        if i["owner"] == "lee" and "issues/" in str(i.get("tracker"))
    ]
    assert queue[0]["tracker"] != issues.issues[0]["html_url"]
    assert queue[0]["status"] == "open"


def payments_key(archive: Path) -> str:
    """The marker key of the payments postmortem's item without a tracker."""
    config = load_config(archive)
    loaded = next(r for r in load_archive(archive, config) if r.doc.path == PAYMENTS_PM)
    assert isinstance(loaded.record, Postmortem)
    action_items = loaded.record.action_items
    index = next(i for i, item in enumerate(action_items) if item.tracker is None)
    return item_key(loaded.record.id, action_items, index)


def test_state_flows_back_from_closed_and_reopened_issues(
    archive: Path, issues: FakeIssues
) -> None:
    sync(archive, issues)
    canary, queue = (issue["number"] for issue in issues.issues)
    issues.close(canary, "completed")
    issues.close(queue, "not_planned")
    before = snapshot(archive)
    report, said = sync(archive, issues)
    assert report.changed == 2, said
    statuses = {i["title"]: i["status"] for i in items(archive, CHRISTMAS_PM)}
    assert statuses["Canary every web deploy for ten minutes before full rollout"] == "done"
    queued = [i for i in items(archive, PAYMENTS_PM) if i.get("tracker")]
    assert [i["status"] for i in queued if "issues/" in str(i["tracker"])] == ["wont-do"]
    diff = changed_lines(before[CHRISTMAS_PM], snapshot(archive)[CHRISTMAS_PM])
    assert diff == ["-    status: in-progress", "+    status: done"]

    issues.reopen(canary)
    report, said = sync(archive, issues)
    assert report.changed == 1, said
    statuses = {i["title"]: i["status"] for i in items(archive, CHRISTMAS_PM)}
    assert statuses["Canary every web deploy for ten minutes before full rollout"] == "open"


def test_what_the_sync_writes_is_a_follow_up_update_the_review_gate_lets_through(
    archive: Path, issues: FakeIssues
) -> None:
    """Issue links, then states: each record the sync writes differs from what it was only in
    its action items' status and tracker, as the review gate requires to skip senior review."""
    config = load_config(archive)

    def records() -> dict[str, bytes]:
        return {
            path.relative_to(archive).as_posix(): path.read_bytes()
            for path in sorted((archive / "postmortems").glob("*.md"))
        }

    before = records()
    sync(archive, issues)
    canary, queue = (issue["number"] for issue in issues.issues)
    issues.close(canary, "completed")
    issues.close(queue, "not_planned")
    report, said = sync(archive, issues)
    assert report.changed == 2, said
    after = records()
    changed = [path for path in before if before[path] != after[path]]
    assert changed == [CHRISTMAS_PM, PAYMENTS_PM]
    for path in changed:
        assert follow_up_update(before[path], after[path], path, config, REPO, issues.url), path


def test_an_earlier_issue_is_found_across_pages_among_pull_requests(
    archive: Path, issues: FakeIssues
) -> None:
    key = payments_key(archive)
    for number in range(230):
        issues.add_issue(
            f"another follow-up {number}", pull_request=number % 3 == 0, labels=(LABEL,)
        )
    marker = f"moved\n\n<!-- incident-docs action-item: {key} -->"
    issues.add_issue("renamed by hand", marker, labels=(LABEL, "team: payments"))
    report, said = sync(archive, issues)
    assert (report.adopted, report.created) == (1, 1), said
    listing = [r for r in issues.requests if r.startswith(f"GET /repos/{REPO}/issues?")]
    assert len(listing) == 3  # 231 labelled issues and pull requests, 100 a page
    queue = [i for i in items(archive, PAYMENTS_PM) if i["owner"] == "lee"]
    assert queue[0]["tracker"] == f"{issues.web}/issues/231"


def test_an_item_renamed_after_its_issue_was_made_keeps_that_issue(
    archive: Path, issues: FakeIssues, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as patch:
        patch.setattr(tracker, "edit_postmortem", lambda *a, dry_run=False, **k: None)
        sync(archive, issues)  # issues made, links never written (a run whose PR is pending)
    path = archive / PAYMENTS_PM
    title = "Let the payments API queue retries while the database fails over"
    path.write_text(
        path.read_text(encoding="utf-8").replace(title, "Queue payment retries during failover"),
        encoding="utf-8",
    )
    # Bodies saved again by GitHub's editor (CRLF), owners' display names changed since.
    for issue in issues.issues:
        issue["body"] = issue["body"].replace("\n", "\r\n")
    roster = archive / "people.yaml"
    roster.write_text(roster.read_text().replace("Lee Morgan", "Lee J. Morgan"))
    report, said = sync(archive, issues)
    assert (report.adopted, report.created) == (2, 0), said
    assert any("made before its title changed" in line for line in said)
    assert len(issues.issues) == 2


def test_a_new_item_never_takes_the_issue_of_one_removed(archive: Path, issues: FakeIssues) -> None:
    # The removed item's issue, closed as done on GitHub, was adopted by the new item, which
    # then read as done: real work gone from the open follow-ups.
    sync(archive, issues)
    canary = "Canary every web deploy for ten minutes before full rollout"
    made = next(i for i in issues.issues if i["title"] == canary)
    issues.close(made["number"])
    path = archive / CHRISTMAS_PM
    text = path.read_text(encoding="utf-8")
    start = text.index(f"  - title: {canary}")
    end = text.index("visibility:", start)
    added = (
        "  - title: Page the database team on replication lag\n"
        "    owner: lee\n"
        "    type: detect\n"
        "    priority: P2\n"
        "    status: open\n"
    )
    path.write_text(text[:start] + added + text[end:], encoding="utf-8")
    report, said = sync(archive, issues)
    assert report.adopted == 0 and report.created == 1, said
    new = next(
        i for i in items(archive, CHRISTMAS_PM) if i["owner"] == "lee" and i["type"] == "detect"
    )
    assert new["status"] == "open" and new["tracker"] != made["html_url"]


def test_an_issue_linked_by_the_repository_s_old_name_is_never_handed_to_a_new_item(
    archive: Path, issues: FakeIssues
) -> None:
    # Linked before the repository was renamed, then retitled: the issue was taken for one
    # left over, named as to be closed, and handed to a new item of the same type and owner.
    sync(archive, issues)
    issues.old_names.add("acme/ops-old")
    path = archive / PAYMENTS_PM
    text = path.read_text(encoding="utf-8").replace("/acme/ops/issues/", "/acme/ops-old/issues/")
    text = text.replace(
        "Let the payments API queue retries while the database fails over",
        "Queue payment retries during failover",
    )
    added = "  - title: Shed card traffic early\n    owner: lee\n    type: mitigate\n"
    path.write_text(text.replace("visibility:", added + "visibility:"), encoding="utf-8")
    report, said = sync(archive, issues)
    assert (report.adopted, report.created) == (0, 1), said
    assert not any("close it" in line for line in said), said
    trackers = [i.get("tracker") for i in items(archive, PAYMENTS_PM)]
    assert trackers[-1] == issues.issues[-1]["html_url"] != trackers[-2]


def _retitle_and_add_an_item_with_the_old_title(archive: Path) -> None:
    """The payments postmortem's synced item retitled, and a new item given its old title."""
    path = archive / PAYMENTS_PM
    title = "Let the payments API queue retries while the database fails over"
    text = path.read_text(encoding="utf-8").replace(title, "Queue payment retries")
    added = f"  - title: {title}\n    owner: jo\n    type: detect\n"
    path.write_text(text.replace("visibility:", added + "visibility:"), encoding="utf-8")


def test_a_new_item_given_a_retitled_item_s_old_title_gets_an_issue_of_its_own(
    archive: Path, issues: FakeIssues
) -> None:
    # The new item adopted the retitled one's issue by its marker: two items on one issue.
    sync(archive, issues)
    _retitle_and_add_an_item_with_the_old_title(archive)
    report, said = sync(archive, issues)
    assert (report.adopted, report.created) == (0, 1), said
    trackers = [i.get("tracker") for i in items(archive, PAYMENTS_PM)]
    assert trackers[-1] == issues.issues[-1]["html_url"] != trackers[-2]


def test_a_new_item_given_a_retitled_item_s_old_title_adopts_its_own_issue_on_the_next_run(
    archive: Path, issues: FakeIssues
) -> None:
    # Two issues carry the old title's marker; only the oldest was looked at, and it is the
    # retitled item's: every run that stopped before writing the link made another.
    sync(archive, issues)
    _retitle_and_add_an_item_with_the_old_title(archive)
    issues.lose_next_create = True
    with pytest.raises(GitHubError, match="HTTP 502"):
        sync(archive, issues)
    made = issues.issues[-1]
    report, said = sync(archive, issues)
    assert (report.adopted, report.created) == (1, 0), said
    assert issues.issues[-1] is made
    assert items(archive, PAYMENTS_PM)[-1]["tracker"] == made["html_url"]


def test_an_item_added_again_after_its_issue_was_closed_gets_an_issue_of_its_own(
    archive: Path, issues: FakeIssues
) -> None:
    # Removed, its issue closed, then added again under the same title: it adopted the closed
    # issue by its marker and was done before anyone worked on it.
    sync(archive, issues)
    path = archive / PAYMENTS_PM
    original = path.read_text(encoding="utf-8")
    start, end = original.index("  - title: Let the payments API"), original.index("visibility:")
    item = original[start:end]
    path.write_text(original[:start] + original[end:], encoding="utf-8")
    closed = next(i for i in issues.issues if i["title"].startswith("Let the payments API"))
    closed["state"], closed["state_reason"] = "closed", "completed"
    readded = "".join(line + "\n" for line in item.splitlines() if "tracker:" not in line)
    path.write_text(original[:start] + readded + original[end:], encoding="utf-8")
    report, said = sync(archive, issues)
    assert (report.adopted, report.created) == (0, 1), said
    assert any(f"#{closed['number']} was made for an item of this title" in line for line in said)
    again = items(archive, PAYMENTS_PM)[-1]
    assert again["status"] == "open"
    assert again["tracker"] == issues.issues[-1]["html_url"] != closed["html_url"]


def test_an_item_moved_to_another_postmortem_keeps_its_issue(
    archive: Path, issues: FakeIssues
) -> None:
    # Its issue's marker names the first postmortem: there it was taken for one left over,
    # named as one to close, and handed to a new item of the same type and owner.
    sync(archive, issues)
    path = archive / PAYMENTS_PM
    text = path.read_text(encoding="utf-8")
    start, end = text.index("  - title: Let the payments API"), text.index("visibility:")
    added = "  - title: Shed card traffic early\n    owner: lee\n    type: mitigate\n"
    path.write_text(text[:start] + added + text[end:], encoding="utf-8")
    other = archive / CHRISTMAS_PM
    moved = text[start:end]
    other.write_text(
        other.read_text(encoding="utf-8").replace("visibility:", moved + "visibility:"),
        encoding="utf-8",
    )
    queue = items(archive, CHRISTMAS_PM)[-1]["tracker"]
    report, said = sync(archive, issues)
    assert (report.adopted, report.created) == (0, 1), said
    assert not any("close it" in line for line in said), said
    assert items(archive, PAYMENTS_PM)[-1]["tracker"] == issues.issues[-1]["html_url"] != queue


def test_a_problem_with_one_item_does_not_stop_the_others(
    archive: Path, issues: FakeIssues
) -> None:
    issues.refuse_titles.add("Canary every web deploy for ten minutes before full rollout")
    before = snapshot(archive)
    with pytest.raises(UsageError, match="1 problem left for a person to fix"):
        sync(archive, issues)
    after = snapshot(archive)
    assert after[CHRISTMAS_PM] == before[CHRISTMAS_PM]
    assert len(changed_lines(before[PAYMENTS_PM], after[PAYMENTS_PM])) == 1  # the next one went on


def test_a_refused_item_does_not_stop_the_others_of_its_postmortem(
    archive: Path, issues: FakeIssues
) -> None:
    # The refusal ended the postmortem's turn: its next new item got no issue, and an item
    # whose issue was closed kept its status, run after run, while the summary said
    # "everything else is in step".
    path = archive / PAYMENTS_PM
    text = path.read_text(encoding="utf-8")
    done = issues.add_issue("Run a failover game day every quarter", labels=(LABEL,))
    issues.close(done, "completed")
    text = text.replace("https://tracker.example.com/DB-303", f"{issues.web}/issues/{done}")
    added = (
        "  - title: Page on replication lag\n    owner: jo\n    type: detect\n    status: open\n"
    )
    path.write_text(text.replace("visibility:", added + "visibility:"), encoding="utf-8")
    refused = "Let the payments API queue retries while the database fails over"
    issues.refuse_titles.add(refused)
    with pytest.raises(UsageError, match="1 problem left for a person to fix"):
        sync(archive, issues)
    found = {str(i["title"]): i for i in items(archive, PAYMENTS_PM)}
    assert "tracker" not in found[refused]
    assert str(found["Page on replication lag"]["tracker"]).startswith(issues.web + "/issues/")
    assert found["Run a failover game day every quarter"]["status"] == "done"


def test_a_record_the_writer_cannot_edit_gets_no_issue(archive: Path, issues: FakeIssues) -> None:
    """Checked before anything is created: no issue may wait forever for its link."""
    path = archive / CHRISTMAS_PM
    text = path.read_text(encoding="utf-8")
    title = "Canary every web deploy for ten minutes before full rollout"
    start = text.index(f"  - title: {title}")
    end = text.index("visibility:", start)
    shared = (
        text[:start]
        + "  - &canary\n    title: "
        + title
        + text[start + len(f"  - title: {title}") : end]
    )
    path.write_text(shared + "  - *canary\n" + text[end:], encoding="utf-8")
    with pytest.raises(UsageError, match="1 problem"):
        sync(archive, issues)
    created = [payload["title"] for payload in issues.created]
    assert title not in created and len(created) == 1


def test_an_issue_of_another_repository_the_token_may_not_read_is_left_as_it_is(
    archive: Path, issues: FakeIssues
) -> None:
    # GitHub answers 403 for a repository of an organisation that enforces SAML or an IP allow
    # list: that stopped the whole run, as if the token could not write the sync's own issues.
    path = archive / PAYMENTS_PM
    text = path.read_text(encoding="utf-8")
    elsewhere = f"{issues.url}/other/private/issues/5"
    path.write_text(text.replace("https://tracker.example.com/DB-303", elsewhere))
    issues.forbidden_repos.add("other/private")
    report, said = sync(archive, issues)
    assert report.created == 2 and not report.problems, said
    assert any("other/private#5 cannot be read (HTTP 403" in line for line in said), said
    statuses = {i["title"]: i["status"] for i in items(archive, PAYMENTS_PM)}
    assert statuses["Run a failover game day every quarter"] == "open"


@pytest.mark.parametrize("gone", ["deleted", "never made"])
def test_an_issue_gone_from_the_repository_is_a_problem_naming_the_item(
    archive: Path, issues: FakeIssues, gone: str
) -> None:
    """Its item's state can never flow back: the run says so and exits 2 instead of reporting
    everything in step, and the link is left for a person to point elsewhere."""
    sync(archive, issues)
    tracker_of = {i["title"]: i.get("tracker") for i in items(archive, CHRISTMAS_PM)}
    title = "Canary every web deploy for ten minutes before full rollout"
    link = tracker_of[title]
    assert isinstance(link, str)
    number = int(link.rsplit("/", 1)[1])
    if gone == "deleted":
        issues.deleted.add(number)
    else:
        bad = f"{issues.web}/issues/99"
        path = archive / CHRISTMAS_PM
        path.write_text(path.read_text(encoding="utf-8").replace(link, bad), encoding="utf-8")
        link, number = bad, 99
    before = snapshot(archive)
    said: list[str] = []
    with pytest.raises(UsageError, match="1 problem left for a person to fix"):
        sync(archive, issues, said=said)
    answer = "was deleted (HTTP 410)" if gone == "deleted" else "is not found (HTTP 404"
    assert any(
        line.startswith(f'problem: {CHRISTMAS_PM}: "{title}": {REPO}#{number} {answer}')
        and "point the item's tracker at the issue that carries the work" in line
        for line in said
    ), said
    assert snapshot(archive) == before and len(issues.created) == 2


def test_an_issue_transferred_to_another_repository_gets_its_new_address(
    archive: Path, issues: FakeIssues
) -> None:
    """GitHub answers a transferred issue's old address with a 301 to it: its state flowed back,
    but the tracker kept the old address, which no longer names the issue on the web."""
    sync(archive, issues)
    title = "Canary every web deploy for ten minutes before full rollout"
    link = {i["title"]: i.get("tracker") for i in items(archive, CHRISTMAS_PM)}[title]
    assert isinstance(link, str)
    number = int(link.rsplit("/", 1)[1])
    issues.close(number)
    issues.transfer(number, "acme/web", 17)
    report, said = sync(archive, issues)
    assert not report.problems and report.created == 0, said
    [item] = [i for i in items(archive, CHRISTMAS_PM) if i["title"] == title]
    assert item["tracker"] == f"{issues.url}/acme/web/issues/17"
    assert item["status"] == "done"
    assert any(
        line.startswith(f'{CHRISTMAS_PM}: "{title}": {REPO}#{number} was moved to acme/web#17')
        for line in said
    ), said
    again, said = sync(archive, issues)
    assert not again.written and again.created == 0, said


def test_an_item_pointed_at_its_moved_issue_is_not_counted_up_to_date_too(
    archive: Path, issues: FakeIssues
) -> None:
    """Its tracker was rewritten: the summary counted it among the moved and the up to date."""
    sync(archive, issues)
    title = "Canary every web deploy for ten minutes before full rollout"
    link = {i["title"]: i.get("tracker") for i in items(archive, CHRISTMAS_PM)}[title]
    assert isinstance(link, str)
    issues.transfer(int(link.rsplit("/", 1)[1]), "acme/web", 17)  # open, as it was
    report, said = sync(archive, issues)
    assert (report.moved, report.changed, report.unchanged) == (1, 0, 1), said
    assert "0 statuses changed, 1 tracker pointed at a moved issue, 1 up to date;" in (
        report.summary()
    )


def test_a_tracker_removed_while_the_sync_ran_is_not_put_back_at_the_moved_issue(
    archive: Path, issues: FakeIssues, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Removing the tracker asks for a new issue: the sync wrote the moved issue's address into
    the item again, and the edit made meanwhile was lost."""
    sync(archive, issues)
    title = "Canary every web deploy for ten minutes before full rollout"
    link = {i["title"]: i.get("tracker") for i in items(archive, CHRISTMAS_PM)}[title]
    assert isinstance(link, str)
    issues.transfer(int(link.rsplit("/", 1)[1]), "acme/web", 17)
    path = archive / CHRISTMAS_PM
    real = store.edit_postmortem

    def edited_meanwhile(*args: Any, dry_run: bool = False, **kwargs: Any) -> Any:
        if not dry_run:
            text = path.read_text(encoding="utf-8")
            path.write_text(re.sub(rf"\n *tracker: {re.escape(link)}", "", text), "utf-8")
        return real(*args, dry_run=dry_run, **kwargs)

    monkeypatch.setattr(tracker, "edit_postmortem", edited_meanwhile)
    sync(archive, issues)
    [item] = [i for i in items(archive, CHRISTMAS_PM) if i["title"] == title]
    assert "tracker" not in item


def test_a_repository_named_as_it_was_before_a_rename_gets_its_issues(
    archive: Path, issues: FakeIssues, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GitHub redirects a write to the old name with 307, which is not followed: every run read
    # the issues and then stopped at its first create with a bare "HTTP 307".
    issues.old_names.add("acme/ops-old")
    code, out, err = run_sync(run_cli, archive, issues, monkeypatch, "--repo", "acme/ops-old")
    assert code == 0, out + err
    assert out.count(": created acme/ops#") == 2
    assert not any(r.startswith("POST /repos/acme/ops-old") for r in issues.requests)


@pytest.mark.parametrize("reset", [-10, 3600], ids=["out of tries", "resets after --max-wait"])
def test_a_rate_limit_reading_an_issue_of_another_repository_stops_the_run(
    archive: Path, issues: FakeIssues, reset: int
) -> None:
    """A rate limit is a 403 too, but says nothing of what the token may read: the run stops as
    for any rate limit, instead of saying everything is in step."""
    path = archive / PAYMENTS_PM
    text = path.read_text(encoding="utf-8")
    elsewhere = f"{issues.url}/other/public/issues/5"
    path.write_text(text.replace("https://tracker.example.com/DB-303", elsewhere))
    clock = Clock()
    issues.rate_limited_repos["other/public"] = str(int(clock.now) + reset)
    with pytest.raises(GitHubError, match=r"reading issue other/public#5: HTTP 403 rate limit"):
        sync(archive, issues, clock=clock)


def test_a_rate_limit_stops_the_run_though_the_record_cannot_take_what_came_before(
    archive: Path, issues: FakeIssues
) -> None:
    """An issue closed as completed gives an item a status to write; the next item's issue, in
    another repository, meets a rate limit. The record, read-only, refused that write with an
    error that replaced the rate limit: the run went on and ended "everything else is in step"."""
    path = archive / PAYMENTS_PM
    text = path.read_text(encoding="utf-8")
    done = issues.add_issue("Run a failover game day every quarter", labels=(LABEL,))
    issues.close(done, "completed")
    text = text.replace("https://tracker.example.com/DB-303", f"{issues.web}/issues/{done}")
    elsewhere = f"{issues.url}/other/public/issues/5"
    text = text.replace(
        "    status: open\nvisibility:", f"    status: open\n    tracker: {elsewhere}\nvisibility:"
    )
    path.write_text(text, encoding="utf-8")
    path.chmod(0o444)
    clock = Clock()
    issues.rate_limited_repos["other/public"] = str(int(clock.now) + 3600)
    said: list[str] = []
    with pytest.raises(GitHubError, match=r"reading issue other/public#5: HTTP 403 rate limit"):
        sync(archive, issues, clock=clock, said=said)
    assert (
        said[-1] == f"problem: {PAYMENTS_PM}: the file is read-only: make it writable to change it"
    )
    assert path.read_text(encoding="utf-8") == text


def test_a_postmortem_that_cannot_be_read_is_a_problem_not_a_warning(
    archive: Path, issues: FakeIssues, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A tracker that is not a web address leaves the record unreadable: its items were neither
    # given issues nor their issues' states, and the sync exited 0, "everything in step".
    path = archive / PAYMENTS_PM
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("https://tracker.example.com/DB-303", "DB-303"), encoding="utf-8")
    broken = archive / "incidents" / "INC-2023-08-02-cdn-certificate-expiry.md"
    broken.write_text(broken.read_text(encoding="utf-8").replace("id: ", "id: [", 1))
    code, out, err = run_sync(run_cli, archive, issues, monkeypatch)
    assert code == 2, err
    assert (
        f"problem: {PAYMENTS_PM}: cannot be read as a postmortem (run 'incident lint "
        f"{PAYMENTS_PM}' to see why); its action items were not synced"
    ) in out
    # An incident is only linked from an issue's body: a warning still, and the rest in step.
    assert "warning: 1 record skipped" in out and "INC-2023-08-02" in out
    assert "1 issue created" in err and "1 problem" in err


def test_a_read_only_record_gets_no_issue(archive: Path, issues: FakeIssues) -> None:
    # The check read it as a dry run does, so the issue was made and its link never written.
    (archive / PAYMENTS_PM).chmod(0o444)
    preview, said = sync(archive, issues, dry_run=True)  # a preview still reads it
    assert preview.created == 2 and not preview.problems, said
    with pytest.raises(UsageError, match="1 problem"):
        sync(archive, issues)
    assert [payload["title"] for payload in issues.created] == [
        "Canary every web deploy for ten minutes before full rollout"
    ]


def test_a_folder_that_cannot_be_written_gets_no_issue(
    archive: Path, issues: FakeIssues, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The check looked at the file's mode alone; the write, a new file beside the record, then
    # failed after the issues were made, and stopped the run with the folder's absolute path.
    folder = archive / "postmortems"
    access = os.access

    def denied(path: Any, mode: int, **kwargs: Any) -> bool:
        return not (Path(path) == folder and mode & os.W_OK) and access(path, mode, **kwargs)

    monkeypatch.setattr(os, "access", denied)  # as for anyone but root in a 0555 folder
    with pytest.raises(UsageError, match="2 problems"):
        sync(archive, issues)
    assert issues.created == []
    report, said = sync(archive, issues, dry_run=True)  # a preview writes nothing
    assert report.created == 2 and not report.problems, said


def test_a_record_the_sync_cannot_write_is_a_problem_naming_it(
    archive: Path, issues: FakeIssues, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The folder stops taking new files after the check: the issues exist, their links are not
    written. Each record is a problem named as in the repository; the run goes on, says what
    it did, and the next one adopts the issues."""
    broken = [True]
    mkstemp = tempfile.mkstemp

    def failing(suffix: str, prefix: str, dir: Path) -> tuple[int, str]:  # as write_atomic asks
        if broken[0] and dir == archive / "postmortems":
            raise PermissionError(errno.EACCES, "Permission denied", str(dir))
        return mkstemp(suffix=suffix, prefix=prefix, dir=dir)

    monkeypatch.setattr(tempfile, "mkstemp", failing)  # as the store's writes make files
    before = snapshot(archive)
    code, out, err = run_sync(run_cli, archive, issues, monkeypatch)
    assert code == 2, err
    assert f"problem: {PAYMENTS_PM}: cannot be written (Permission denied)" in out
    assert str(archive) not in out + err
    assert "2 issues created" in err and "2 problems left for a person to fix" in err
    assert snapshot(archive) == before
    broken[0] = False
    code, out, err = run_sync(run_cli, archive, issues, monkeypatch)
    assert code == 0, err
    assert "0 issues created, 2 adopted" in err and len(issues.created) == 2


def test_a_rate_limit_is_waited_out_then_the_sync_succeeds(
    archive: Path, issues: FakeIssues
) -> None:
    clock = Clock()
    reset = str(int(clock.now) + 42)
    issues.failures = [
        (403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": reset}),
        (429, {"retry-after": "7"}),
    ]
    report, said = sync(archive, issues, clock=clock)
    assert report.created == 2, said
    assert clock.sleeps[:2] == [42.0, 7.0]
    assert len(issues.issues) == 2


def test_a_rate_limit_longer_than_the_wait_ends_with_a_clear_error(
    archive: Path, issues: FakeIssues
) -> None:
    before = snapshot(archive)
    clock = Clock()
    issues.failures = [(429, {"retry-after": "3600"})]
    with pytest.raises(GitHubError, match=r"HTTP 429 rate limit exhausted.*gave up"):
        sync(archive, issues, clock=clock, max_wait=60)
    assert snapshot(archive) == before


def test_creates_are_spaced_a_second_apart(archive: Path, issues: FakeIssues) -> None:
    clock = Clock()
    sync(archive, issues, clock=clock)
    assert clock.sleeps == [WRITE_SPACING]


# --- the command, as a user or a workflow runs it --------------------------------------------------


def run_sync(
    run_cli: RunCli,
    root: Path,
    issues: FakeIssues,
    monkeypatch: pytest.MonkeyPatch,
    *args: str,
    token: str | None = None,
) -> tuple[int, str, str]:
    monkeypatch.setenv("GITHUB_TOKEN", token or issues.token)
    monkeypatch.setenv("GITHUB_API_URL", issues.url)
    monkeypatch.setenv("GITHUB_REPOSITORY", REPO)
    result = run_cli(root, "actions", "sync", *args)
    return result.exit_code, result.stdout, result.stderr


def test_the_command_syncs_and_says_what_it_did(
    archive: Path, issues: FakeIssues, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run_sync(run_cli, archive, issues, monkeypatch)
    assert code == 0, err
    assert out.count(": created acme/ops#") == 2
    assert err.strip().endswith(
        "2 issues created, 0 adopted, 0 statuses changed, 0 up to date; 2 records written"
    )
    code, out, err = run_sync(run_cli, archive, issues, monkeypatch)
    assert code == 0 and "0 issues created" in err and "2 up to date" in err


def test_a_bad_token_exits_2_with_one_clear_line(
    archive: Path, issues: FakeIssues, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(archive)
    code, _out, err = run_sync(run_cli, archive, issues, monkeypatch, token="wrong")
    assert code == 2
    error = [line for line in err.splitlines() if line.startswith("incident: error:")]
    assert len(error) == 1 and "HTTP 401" in error[0] and "GITHUB_TOKEN" in error[0]
    assert "Traceback" not in err
    assert snapshot(archive) == before


def test_a_blank_github_token_leaves_the_token_in_gh_token(
    archive: Path, issues: FakeIssues, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As an empty GITHUB_TOKEN does: a line break alone is no token, not a request without one."""
    monkeypatch.setenv("GH_TOKEN", issues.token)
    code, out, err = run_sync(run_cli, archive, issues, monkeypatch, token="\n")
    assert code == 0, err
    assert out.count(": created acme/ops#") == 2


@pytest.mark.parametrize("seconds", ["nan", "inf"])
def test_a_max_wait_that_is_not_finite_is_a_usage_error(
    archive: Path,
    issues: FakeIssues,
    run_cli: RunCli,
    monkeypatch: pytest.MonkeyPatch,
    seconds: str,
) -> None:
    code, _out, err = run_sync(run_cli, archive, issues, monkeypatch, "--max-wait", seconds)
    assert code == 2, err
    assert "Invalid value for '--max-wait'" in err and "not a finite number of seconds" in err
    assert issues.requests == []


def test_an_owner_github_will_not_assign_still_gets_an_issue(
    archive: Path, issues: FakeIssues, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    roster = archive / "people.yaml"
    roster.write_text(
        roster.read_text(encoding="utf-8").replace("github: leemorgan", "github: lee-left"),
        encoding="utf-8",
    )
    code, out, err = run_sync(run_cli, archive, issues, monkeypatch)
    assert code == 0, err
    assert "GitHub would not assign lee-left; creating it unassigned" in out
    assert [payload.get("assignees") for payload in issues.created] == [["priyaraman"], None]


def test_an_owner_written_as_their_github_login_is_assigned_and_named(
    archive: Path, issues: FakeIssues
) -> None:
    # The list counted the item as Lee's, but the issue went out unassigned, naming a login.
    path = archive / PAYMENTS_PM
    path.write_text(
        path.read_text(encoding="utf-8").replace("    owner: lee\n", "    owner: leemorgan\n"),
        encoding="utf-8",
    )
    sync(archive, issues)
    queue = issues.created[-1]
    assert queue["assignees"] == ["leemorgan"]
    assert "| Owner | Lee Morgan (lee) |" in queue["body"]


def test_an_issue_github_created_without_the_label_is_named(
    archive: Path, issues: FakeIssues, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GitHub silently drops the labels of a token that may not set them: the next run could
    # not adopt such an issue by its marker, and nothing said so.
    create = issues._create
    monkeypatch.setattr(issues, "_create", lambda payload: create({**payload, "labels": []}))
    _report, said = sync(archive, issues)
    assert sum("without the action-item label" in line for line in said) == 2, said


def test_an_issue_github_created_without_its_assignee_is_named(
    archive: Path, issues: FakeIssues, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GitHub silently drops the assignees of a token without push access: the owner was never
    # told of the issue, and the sync said it was created as if all were well.
    create = issues._create
    monkeypatch.setattr(issues, "_create", lambda payload: create({**payload, "assignees": []}))
    _report, said = sync(archive, issues)
    dropped = [line for line in said if "without assigning" in line]
    assert len(dropped) == 2, said
    assert "without assigning priyaraman" in dropped[0]
    assert "without assigning leemorgan" in dropped[1]


def test_an_owner_github_reports_under_another_login_is_assigned_not_named(
    archive: Path, issues: FakeIssues, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GitHub answers with the login as it is now (renamed since the roster was written, or in
    # other capitals): the one owner asked for was assigned, and nobody needs to do it by hand.
    create = issues._create

    def renamed(payload: dict[str, Any]) -> Any:
        answer = create(payload)
        issue = issues.issues[-1]
        issue["assignees"] = [{"login": f"{a['login'].upper()}-NEW"} for a in issue["assignees"]]
        answer.set_data(json.dumps(issue))
        return answer

    monkeypatch.setattr(issues, "_create", renamed)
    report, said = sync(archive, issues)
    assert report.created == 2, said
    assert not [line for line in said if "without assigning" in line], said


def test_an_issue_given_the_label_as_the_repository_spells_it_is_not_named(
    archive: Path, issues: FakeIssues, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GitHub's label names ignore case: asked for action-item, it gives the label the
    # repository already has, as that one is spelled.
    create = issues._create

    def spelled(payload: dict[str, Any]) -> Any:
        return create({**payload, "labels": ["Action-Item", *payload["labels"][1:]]})

    monkeypatch.setattr(issues, "_create", spelled)
    report, said = sync(archive, issues)
    assert report.created == 2
    assert not any("without the action-item label" in line for line in said), said


def test_a_refused_issue_exits_2_naming_the_field_and_keeps_what_was_done(
    archive: Path, issues: FakeIssues, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    issues.refuse_titles.add("Let the payments API queue retries while the database fails over")
    before = snapshot(archive)
    code, out, err = run_sync(run_cli, archive, issues, monkeypatch)
    assert code == 2
    assert "HTTP 422" in out and "title: too_long" in out, out
    # Refused for its title: asked once, its owner kept, and no word of assignees.
    assert "would not assign" not in out, out
    assert (
        issues.attempts.count("Let the payments API queue retries while the database fails over")
        == 1
    )
    assert "1 issue created" in err and "1 problem" in err
    after = snapshot(archive)
    assert len(changed_lines(before[CHRISTMAS_PM], after[CHRISTMAS_PM])) == 1
    assert after[PAYMENTS_PM] == before[PAYMENTS_PM]
    assert front_matter(archive / CHRISTMAS_PM)["id"]


def test_a_title_never_reads_as_a_workflow_command_in_the_sync_s_log(
    archive: Path, issues: FakeIssues, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The scheduled workflow runs the sync, and the runner obeys "##[error]" anywhere in a line.
    old = "Let the payments API queue retries while the database fails over"
    title = "Queue retries ##[error]forged annotation"
    path = archive / PAYMENTS_PM
    text = path.read_text(encoding="utf-8").replace(old, json.dumps(title))
    path.write_text(text, encoding="utf-8")
    issues.refuse_titles.add(title)
    code, out, err = run_sync(run_cli, archive, issues, monkeypatch)
    assert code == 2 and "forged annotation" in out, out
    assert "##[" not in out and "##[" not in err, out + err
    issues.refuse_titles.clear()
    issues.lose_next_create = True  # the error that stops the run names the item too
    code, out, err = run_sync(run_cli, archive, issues, monkeypatch)
    assert code == 2 and "forged annotation" in err, err
    assert "##[" not in out and "##[" not in err, out + err


def test_sync_needs_a_repository(
    archive: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_REPOSITORY", raising=False)
    result = run_cli(archive, "actions", "sync")
    assert result.exit_code == 2
    assert "--repo OWNER/NAME is required" in result.stderr


def test_a_repository_from_the_environment_that_is_not_owner_name_is_named_as_such(
    archive: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Nobody gave --repo: an error naming only it sent people looking for an option.
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme")
    result = run_cli(archive, "actions", "sync", "--api-url", "http://127.0.0.1:9")
    assert result.exit_code == 2
    assert "GITHUB_REPOSITORY" in result.stderr and "'acme' is not OWNER/NAME" in result.stderr


def test_the_site_shows_each_issue_and_its_state_after_a_sync(
    christmas: Path, issues: FakeIssues
) -> None:
    sync(christmas, issues)
    (canary,) = issues.issues
    listed = page(build_site(christmas), "action-items")
    assert f'href="{canary["html_url"]}">acme/ops#1</a>' in listed

    issues.close(canary["number"], "completed")
    sync(christmas, issues)
    site = build_site(christmas)
    assert "Canary every web deploy" not in page(site, "action-items")
    card = page(site, PM_URL)
    row = card[card.index("Canary every web deploy") :].split("</tr>", 1)[0]
    assert "acme/ops#1</a>" in row and ">done<" in row


def test_list_options_given_to_sync_are_refused(archive: Path, run_cli: RunCli) -> None:
    result = run_cli(archive, "actions", "--format", "json", "sync")
    assert result.exit_code == 2
    assert "--format: options of the list" in result.stderr


def test_a_bad_date_is_a_usage_error(archive: Path, run_cli: RunCli) -> None:
    result = run_cli(archive, "actions", "--today", "yesterday")
    assert result.exit_code == 2
    assert "--today 'yesterday' is not a date like 2024-05-31" in result.stderr


def test_an_owner_nobody_is_named_gets_a_warning(archive: Path, run_cli: RunCli) -> None:
    # A mistyped handle listed nothing and said nothing, like someone with nothing open.
    typo = run_cli(archive, "actions", "--owner", "leee")
    assert typo.exit_code == 0 and typo.stdout == ""
    assert "--owner leee: nobody of that name owns an action item or is in people.yaml" in (
        typo.stderr
    )
    # Someone in the roster with nothing open, or an owner of done items only: no warning.
    for name in ("jo", "LEE"):
        assert "warning" not in run_cli(archive, "actions", "--owner", name).stderr
    bad_url = run_cli(archive, "actions", "sync", "--repo", "acme/ops", "--api-url", "ftp://x")
    assert bad_url.exit_code == 2
    assert "--api-url (or GITHUB_API_URL): 'ftp://x' is not an http(s) URL" in bad_url.stderr


def test_a_service_nothing_is_about_gets_a_warning(archive: Path, run_cli: RunCli) -> None:
    # A mistyped service listed nothing and said nothing, like a service with nothing open.
    typo = run_cli(archive, "actions", "--service", "paymnts-db")
    assert typo.exit_code == 0 and typo.stdout == ""
    assert "--service paymnts-db: no postmortem is about that service" in typo.stderr
    for name in ("payments-db", "Payments-DB"):
        assert "warning" not in run_cli(archive, "actions", "--service", name).stderr


@pytest.mark.parametrize("option", ["--owner", "--service"])
def test_an_empty_name_is_a_usage_error_not_everyone(
    archive: Path, run_cli: RunCli, option: str
) -> None:
    # `--owner "$OWNER"` with the variable unset listed every owner's items.
    result = run_cli(archive, "actions", option, "")
    assert result.exit_code == 2 and result.stdout == ""
    assert f"{option} '': give a name" in result.stderr


def test_an_issue_gone_from_the_repository_of_a_finished_item_is_only_mentioned(
    archive: Path, issues: FakeIssues
) -> None:
    """A done item has nothing left to flow back: every scheduled run failing until someone
    edits the record would help nobody."""
    sync(archive, issues)
    title = "Canary every web deploy for ten minutes before full rollout"
    path = archive / CHRISTMAS_PM
    link = {i["title"]: i.get("tracker") for i in items(archive, CHRISTMAS_PM)}[title]
    assert isinstance(link, str)
    issues.deleted.add(int(link.rsplit("/", 1)[1]))
    text = path.read_text(encoding="utf-8")
    at = text.index(title)
    status = text.index("status: in-progress", at)
    path.write_text(text[:status] + "status: done" + text[status + 19 :], encoding="utf-8")
    before = snapshot(archive)
    said: list[str] = []
    sync(archive, issues, said=said)
    assert any(
        "was deleted (HTTP 410); the item is done, left as it is" in line for line in said
    ), said
    assert not any(line.startswith("problem:") for line in said), said
    assert snapshot(archive) == before


def test_actions_reads_no_incident(
    archive: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every incident of a large archive was read and validated too: seconds for nothing.
    expected = run_cli(archive, "actions", "--today", "2024-01-01", "--format", "json")
    assert expected.exit_code == 0, expected.output
    read: list[str] = []
    reading = read_document

    def counted(path: Path, display: str, **options: Any) -> Any:
        read.append(display)
        return reading(path, display, **options)

    monkeypatch.setattr(records, "read_document", counted)
    result = run_cli(archive, "actions", "--today", "2024-01-01", "--format", "json")
    assert result.stdout == expected.stdout
    assert read and all(name.startswith("postmortems/") for name in read)


def test_actions_reads_a_postmortem_filed_with_the_incidents_whose_title_holds_an_id_line(
    archive: Path, run_cli: RunCli
) -> None:
    """A quoted title before the ID may hold a line that reads as an incident's ID: the
    postmortem was passed over as an incident, and its open items left out of the list."""
    text = (archive / "postmortems" / f"PM-{CHRISTMAS}.md").read_text(encoding="utf-8")
    text = text.replace(f"PM-{CHRISTMAS}", "PM-2024-02-02-filed-with-incidents")
    text = re.sub(r"^title: .*\n", "", text, count=1, flags=re.M)
    text = text.replace(
        "---\nid:", '---\ntitle: "Filed with\nid: INC-2024-02-02-filed-with-incidents\n  them"\nid:'
    )
    text = text.replace("Alert on VM restart loops", "Page on VM restart loops", 1)
    (archive / "incidents" / "PM-2024-02-02-filed-with-incidents.md").write_text(text)
    result = run_cli(archive, "actions", "--today", "2024-01-01", "--format", "json")
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)["items"]
    assert "Page on VM restart loops, not only on error rate" in [i["title"] for i in items]
