"""`incident review-gate` end to end against a fake GitHub API, as a pull request evolves."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from werkzeug import Request, Response

from incident_docs.cli import main
from support.github_fake import (
    BASE,
    HEAD,
    INC_PATH,
    OLD,
    PM_PATH,
    PYPROJECT,
    REPO,
    ROSTER,
    TEAMS_ROSTER,
    FakeGitHub,
    incident,
    json_response,
    postmortem,
    review,
    tree_sha,
)

CLEAN_ENV: dict[str, str | None] = {
    name: None
    for name in (
        "GITHUB_ACTIONS",
        "GITHUB_STEP_SUMMARY",
        "GITHUB_EVENT_PATH",
        "GITHUB_REPOSITORY",
        "GITHUB_WORKSPACE",
        "GITHUB_API_URL",
        "GITHUB_TOKEN",
        "GH_TOKEN",
    )
}


def _as_many_files_as_github_lists(fake: FakeGitHub) -> None:
    """3,000 files outside the postmortems, and no count of them: GitHub lists no more."""
    fake.counts_files = False
    fake.files = [{"filename": f"docs/{n}.md", "status": "added"} for n in range(3000)]


def gate(fake: FakeGitHub, tmp_path: Path, *args: str, **env: str) -> Result:
    """The gate run in `tmp_path`, the checkout of the base: an archive (its postmortems folder),
    whatever the fake serves."""
    (tmp_path / "postmortems").mkdir(exist_ok=True)
    options = ["--repo", REPO, "--pr", "7", "--api-url", fake.url, "--max-wait", "0"]
    return CliRunner().invoke(
        main,
        ["--root", str(tmp_path), "review-gate", *(args or options)],
        env={**CLEAN_ENV, "GITHUB_TOKEN": "t0ken", **env},
    )


@pytest.mark.parametrize(
    ("status", "headers", "said"),
    [
        (404, {}, "HTTP 404 not found: Not Found"),
        (401, {}, "HTTP 401 unauthorized: Not Found"),
        (
            403,
            {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1"},
            "HTTP 403 rate limit exhausted",
        ),
    ],
)
def test_an_error_without_a_token_says_no_token_was_given(
    github: FakeGitHub, tmp_path: Path, status: int, headers: dict[str, str], said: str
) -> None:
    """The workflow forgot `GITHUB_TOKEN: ${{ github.token }}`: GitHub calls a private
    repository's pull request not found, and the gate should not send one to check --pr."""
    github.failures = [(status, headers, "Not Found")]
    result = gate(github, tmp_path, GITHUB_TOKEN="", GH_TOKEN=" ")
    assert result.exit_code == 2, result.output
    assert github.tokens == [None]
    assert f"reading pull request #7: {said}" in result.stderr
    assert "(no token was given: set GITHUB_TOKEN (or GH_TOKEN)" in result.stderr
    assert "the token's access" not in result.stderr


def test_a_pull_request_not_found_without_a_token_still_asks_to_check_repo_and_pr(
    github: FakeGitHub, tmp_path: Path
) -> None:
    """A public repository answers without a token: its 404 is a wrong --repo or --pr."""
    github.failures = [(404, {}, "Not Found")]
    result = gate(github, tmp_path, GITHUB_TOKEN="")
    assert result.exit_code == 2, result.output
    assert (
        "reading pull request #7: HTTP 404 not found: Not Found (no token was given: set "
        "GITHUB_TOKEN (or GH_TOKEN); without one GitHub answers for public repositories only, 60 "
        "requests an hour; for a public one, check --repo and --pr)"
    ) in result.stderr


def test_a_redirect_to_another_host_names_the_request_and_is_not_followed(
    github: FakeGitHub, tmp_path: Path
) -> None:
    # The same server under another name: another origin, which the token must not reach.
    elsewhere = github.url.replace("localhost", "127.0.0.1") + f"/repos/{REPO}/pulls/7/reviews"
    hosts: list[str] = []

    def moved(request: Request) -> Response:
        hosts.append(request.host)
        if request.path.endswith("/pulls/7/reviews"):
            return json_response({}, 302, {"Location": elsewhere})
        return github.handle(request)

    github.server.clear()
    github.server.expect_request(re.compile(".*")).respond_with_handler(moved)
    result = gate(github, tmp_path)
    assert result.exit_code == 2, result.output
    assert (
        f"incident: error: listing reviews of #7: HTTP 302: redirected to {elsewhere}, outside "
        f"{github.url}: not followed"
    ) in result.stderr
    assert all(host.startswith("localhost:") for host in hosts)


@pytest.mark.parametrize(
    ("status", "said"),
    [
        (404, "reading pull request #7: HTTP 404 not found (a web page, not GitHub's API: is "),
        (200, "reading pull request #7: the answer is a web page, not JSON (is "),
    ],
)
def test_a_web_page_for_an_answer_asks_whether_the_api_url_is_the_apis_root(
    github: FakeGitHub, tmp_path: Path, status: int, said: str
) -> None:
    """GitHub Enterprise given without /api/v3: its web server answers with a page (a 404, or
    the sign-in page), and the gate sent people to check --repo and --pr, or said "not JSON"."""
    page = "<!DOCTYPE html><html><body>Page not found</body></html>"
    github.server.clear()
    github.server.expect_request(re.compile(".*")).respond_with_response(
        Response(page, status=status, content_type="text/html")
    )
    result = gate(github, tmp_path)
    assert result.exit_code == 2, result.output
    assert said + "--api-url (or GITHUB_API_URL) the root of GitHub's REST API? On GitHub.com" in (
        result.stderr
    )
    assert "on GitHub Enterprise Server it is https://HOST/api/v3)" in result.stderr
    assert "check --repo" not in result.stderr


def test_a_web_page_for_an_answer_names_githubs_own_api_root_too(
    github: FakeGitHub, tmp_path: Path
) -> None:
    """`--api-url https://github.com`, the repository's web address: the web site's 404 page."""
    github.server.clear()
    github.server.expect_request(re.compile(".*")).respond_with_response(
        Response("<html><body>Not Found</body></html>", status=404, content_type="text/html")
    )
    result = gate(github, tmp_path)
    assert result.exit_code == 2, result.output
    assert "the root of GitHub's REST API? On GitHub.com it is https://api.github.com" in (
        result.stderr
    )


@pytest.mark.parametrize("seconds", ["nan", "inf", "1e400"])
def test_a_max_wait_that_is_not_finite_is_a_usage_error(
    github: FakeGitHub, tmp_path: Path, seconds: str
) -> None:
    """With nan, no wait was ever past --max-wait: a far Retry-After was slept through."""
    options = ["--repo", REPO, "--pr", "7", "--api-url", github.url, "--max-wait", seconds]
    result = gate(github, tmp_path, *options)
    assert result.exit_code == 2, result.output
    assert "Invalid value for '--max-wait'" in result.output
    assert "is not a finite number of seconds" in result.output
    assert github.requests == []


def test_a_pull_request_moves_through_the_gate(github: FakeGitHub, tmp_path: Path) -> None:
    github.reviews = [review(1, "leemorgan", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 1, result.output
    assert "needs 1 senior approval" in result.stdout
    assert "not counted: leemorgan (not senior in people.yaml at base bbbbbbb)" in result.stdout

    github.reviews.append(review(2, "priyaraman", "APPROVED"))
    result = gate(github, tmp_path)
    assert result.exit_code == 0, result.output
    assert "satisfied: 1 senior approval (1 needed) on head ccccccc: priyaraman" in result.stdout

    new_head = "d" * 40
    github.push(new_head, changed=[PM_PATH])
    result = gate(github, tmp_path)
    assert result.exit_code == 1, result.output
    assert "priyaraman (approved ccccccc; postmortems changed since)" in result.stdout

    github.reviews.append(review(3, "priyaraman", "APPROVED", commit=new_head))
    assert gate(github, tmp_path).exit_code == 0


def test_the_gate_judges_the_postmortems_of_an_archive_kept_in_a_subfolder(
    github: FakeGitHub, tmp_path: Path
) -> None:
    # A monorepo keeps its archive in ops/postmortems: the pull request names its files from
    # the repository's root, and the gate read the root's pyproject.toml and postmortems/, so
    # it found no postmortem changed and passed everything ("not applicable").
    mono, folder = tmp_path / "mono", "ops/postmortems"
    (mono / ".git").mkdir(parents=True)
    (mono / folder).mkdir(parents=True)
    (mono / folder / "pyproject.toml").write_bytes(PYPROJECT)  # the checkout of the base
    github.contents.clear()
    github.contents[(BASE, "pyproject.toml")] = b'[project]\nname = "mono"\n'
    github.contents[(BASE, f"{folder}/pyproject.toml")] = PYPROJECT
    github.contents[(BASE, f"{folder}/people.yaml")] = ROSTER
    github.contents[(HEAD, f"{folder}/{PM_PATH}")] = postmortem()
    for ref in (BASE, HEAD):
        github.contents[(ref, f"{folder}/{INC_PATH}")] = incident()
    github.files = [
        {"filename": f"{folder}/{PM_PATH}", "status": "modified"},
        {"filename": "src/app.py", "status": "modified"},
    ]
    result = gate(github, mono / folder)
    assert result.exit_code == 1, result.output
    assert "needs 1 senior approval" in result.stdout
    assert f"configuration: {folder}/pyproject.toml at base bbbbbbb" in result.stderr
    assert f"roster: {folder}/people.yaml at base bbbbbbb" in result.stderr

    github.reviews = [review(1, "priyaraman", "APPROVED")]
    result = gate(github, mono / folder)
    assert result.exit_code == 0, result.output
    assert "satisfied: 1 senior approval (1 needed) on head ccccccc: priyaraman" in result.stdout


def test_the_gate_judges_an_archive_in_a_subfolder_of_a_checkout_made_without_git(
    github: FakeGitHub, tmp_path: Path
) -> None:
    # actions/checkout on a runner without git downloads the files: no .git, so the archive's
    # folder was taken for the repository's root and its postmortems for none of the pull
    # request's files ("not applicable").
    workspace, folder = tmp_path / "workspace", "ops/postmortems"
    (workspace / folder / "postmortems").mkdir(parents=True)
    (workspace / folder / "pyproject.toml").write_bytes(PYPROJECT)
    github.contents.clear()
    github.contents[(BASE, f"{folder}/pyproject.toml")] = PYPROJECT
    github.contents[(BASE, f"{folder}/people.yaml")] = ROSTER
    github.contents[(HEAD, f"{folder}/{PM_PATH}")] = postmortem()
    for ref in (BASE, HEAD):
        github.contents[(ref, f"{folder}/{INC_PATH}")] = incident()
    github.files = [{"filename": f"{folder}/{PM_PATH}", "status": "added"}]
    result = gate(github, workspace / folder, GITHUB_WORKSPACE=str(workspace))
    assert result.exit_code == 1, result.output
    assert "needs 1 senior approval" in result.stdout
    assert f"configuration: {folder}/pyproject.toml at base bbbbbbb" in result.stderr


@pytest.mark.parametrize("runs_in", ["ops/postmortems", "."])
def test_the_gate_run_where_there_is_no_archive_fails_closed(
    github: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runs_in: str
) -> None:
    # The archive's folder keeps its records with the defaults, no [tool.incident-docs] table
    # (or the workflow runs at the repository's root): the repository's root was taken for the
    # archive's, where no postmortem changed, and every pull request passed as "not applicable".
    mono, folder = tmp_path / "mono", "ops/postmortems"
    (mono / ".git").mkdir(parents=True)
    for records in ("incidents", "postmortems"):
        (mono / folder / records).mkdir(parents=True)
    github.contents.clear()
    github.contents[(BASE, f"{folder}/people.yaml")] = ROSTER
    github.contents[(HEAD, f"{folder}/{PM_PATH}")] = postmortem()
    github.files = [{"filename": f"{folder}/{PM_PATH}", "status": "added"}]
    monkeypatch.chdir(mono / runs_in)
    options = ["--repo", REPO, "--pr", "7", "--api-url", github.url, "--max-wait", "0"]
    result = CliRunner().invoke(
        main, ["review-gate", *options], env={**CLEAN_ENV, "GITHUB_TOKEN": "t0ken"}
    )
    assert result.exit_code == 2, result.output
    assert f"no incident archive in {mono.resolve()}" in result.stderr
    assert "not applicable" not in result.stdout


def test_a_configuration_given_with_config_is_refused_not_ignored(
    github: FakeGitHub, tmp_path: Path
) -> None:
    # The gate reads pyproject.toml at the base commit: the file given was never read, and a
    # gate asked for two approvals there judged with the base's one.
    (tmp_path / "postmortems").mkdir()
    given = tmp_path / "gate.toml"
    given.write_text("[[tool.incident-docs.severities]]\nname = 'SEV1'\ndescription = 'x'\n")
    options = ["--repo", REPO, "--pr", "7", "--api-url", github.url, "--max-wait", "0"]
    result = CliRunner().invoke(
        main,
        ["--root", str(tmp_path), "--config", str(given), "review-gate", *options],
        env={**CLEAN_ENV, "GITHUB_TOKEN": "t0ken"},
    )
    assert result.exit_code == 2, result.output
    says = (
        f"incident: error: --config {given}: the review gate reads the configuration from "
        "pyproject.toml at the pull request's base commit, never from another file: leave "
        "--config out\n"
    )
    assert result.stderr == says
    given.write_text("x = \n")  # not read, so not reported as broken TOML either
    result = CliRunner().invoke(
        main,
        ["--root", str(tmp_path), "--config", str(given), "review-gate", *options],
        env={**CLEAN_ENV, "GITHUB_TOKEN": "t0ken"},
    )
    assert (result.exit_code, result.stderr) == (2, says)
    given.write_text("[[tool.incident-docs.severities]]\nname = 'SEV1'\ndescription = 'x'\n")
    (tmp_path / "pyproject.toml").write_text(given.read_text())
    own = ["--root", str(tmp_path), "--config", str(tmp_path / "pyproject.toml")]
    result = CliRunner().invoke(
        main, [*own, "review-gate", *options], env={**CLEAN_ENV, "GITHUB_TOKEN": "t0ken"}
    )
    assert result.exit_code == 1, result.output  # the archive's own file, read at the base


@pytest.mark.parametrize("links", ["comma", "split"])
def test_a_request_for_changes_on_a_later_page_keeps_the_gate_closed(
    github: FakeGitHub, tmp_path: Path, links: str
) -> None:
    """A Link header with a comma in its address, or rel="next" on a line of its own, still
    leads to page 2, and the senior's request for changes there."""
    github.links = links
    github.reviews = [review(i, f"user{i}", "COMMENTED") for i in range(1, 100)]
    github.reviews.append(review(100, "priyaraman", "APPROVED"))
    github.reviews.append(review(101, "jotanaka", "CHANGES_REQUESTED"))
    result = gate(github, tmp_path)
    assert result.exit_code == 1, result.output
    assert "jotanaka (senior) requested changes" in result.stdout


def test_a_link_header_that_cannot_be_read_stops_the_gate(
    github: FakeGitHub, tmp_path: Path
) -> None:
    github.links = "unreadable"
    github.reviews = [review(i, f"user{i}", "COMMENTED") for i in range(1, 101)]
    github.reviews.append(review(101, "priyaraman", "APPROVED"))
    result = gate(github, tmp_path)
    assert result.exit_code == 2, result.output
    assert "listing reviews of #7: the Link header names a next page but cannot be read" in (
        result.stderr
    )


def test_a_push_that_leaves_postmortems_alone_keeps_the_approval(
    github: FakeGitHub,
    tmp_path: Path,
) -> None:
    github.reviews = [review(1, "priyaraman", "APPROVED")]
    github.push("d" * 40, changed=["README.md"])
    result = gate(github, tmp_path)
    assert result.exit_code == 0, result.output
    assert "counted: no postmortem changed since" in result.stderr


def test_merging_the_base_in_keeps_an_approval_of_what_the_pull_request_changes(
    github: FakeGitHub,
    tmp_path: Path,
) -> None:
    """The base's own postmortem changes, merged in, are not what the reviewers judged."""
    github.reviews = [review(1, "priyaraman", "APPROVED")]
    github.push("d" * 40, changed=["postmortems/PM-2024-04-01-other.md", "README.md"])
    result = gate(github, tmp_path)
    assert result.exit_code == 0, result.output
    assert "counted: no postmortem changed since" in result.stderr
    github.push("e" * 40, changed=[PM_PATH])
    assert gate(github, tmp_path).exit_code == 1


def test_an_approval_does_not_cover_a_postmortem_new_to_the_pull_request_since(
    github: FakeGitHub, tmp_path: Path
) -> None:
    """Approved while changing one postmortem; then the base was merged in keeping the older
    version of another the base had changed: the head leaves that one as the approved commit
    had it, yet the pull request now undoes the base's change, which nobody reviewed."""
    other = "postmortems/PM-2024-04-01-other.md"
    github.files = [
        {"filename": PM_PATH, "status": "modified"},
        {"filename": other, "status": "modified"},
    ]
    github.contents[(BASE, other)] = postmortem(authors=("lee",))
    github.contents[(HEAD, other)] = postmortem()
    github.reviews = [review(1, "priyaraman", "APPROVED", commit=OLD)]
    github.compares[(OLD, HEAD)] = {"status": "ahead", "files": [{"filename": "README.md"}]}
    github.compares[(BASE, OLD)] = {
        "status": "diverged",
        "merge_base_commit": {"sha": "e" * 40},
        "files": [{"filename": PM_PATH, "status": "modified"}],
    }
    result = gate(github, tmp_path)
    assert result.exit_code == 1, result.output
    assert (
        f"priyaraman (approved aaaaaaa; {other}, which the pull request changes now, was not "
        "part of it then)"
    ) in result.stdout
    github.compares[(BASE, OLD)]["files"].append({"filename": other, "status": "modified"})
    result = gate(github, tmp_path)
    assert result.exit_code == 0, result.output


def test_an_approval_whose_compare_with_the_base_fails_says_which_compare(
    github: FakeGitHub, tmp_path: Path
) -> None:
    """The approved commit compares with the head, but not with the base (a base branch pushed
    over): the row does not blame the head; GitHub not answering stops the gate as ever."""
    github.reviews = [review(1, "priyaraman", "APPROVED", commit=OLD)]
    github.compares[(OLD, HEAD)] = {"status": "ahead", "files": [{"filename": "README.md"}]}
    github.failing[f"/compare/{BASE}...{OLD}"] = 404
    result = gate(github, tmp_path)
    assert result.exit_code == 1, result.output
    assert (
        "priyaraman (approved aaaaaaa; GitHub cannot compare the base bbbbbbb with it: cannot "
        "tell what the pull request changed then)"
    ) in result.stdout
    github.failing[f"/compare/{BASE}...{OLD}"] = 502
    result = gate(github, tmp_path)
    assert result.exit_code == 2, result.output
    assert "comparing bbbbbbb...aaaaaaa: HTTP 502" in result.stderr


def test_an_approval_is_kept_only_where_the_head_is_known_to_descend_from_it(
    github: FakeGitHub, tmp_path: Path
) -> None:
    github.reviews = [review(1, "priyaraman", "APPROVED")]
    github.push("d" * 40, changed=["README.md"])
    for answer in github.compares.values():
        del answer["status"]  # neither "ahead" nor "identical"
    result = gate(github, tmp_path)
    assert result.exit_code == 1, result.output
    assert "cannot compare it with the head" in result.stdout


@pytest.mark.parametrize("status", ["diverged", "behind"])
def test_an_approval_before_a_rebase_or_force_push_says_so(
    github: FakeGitHub, tmp_path: Path, status: str
) -> None:
    """The senior is asked to approve again because the branch was rewritten, not because
    GitHub could not answer: the row and the team's line say which."""
    github.contents[(BASE, "people.yaml")] = TEAMS_ROSTER
    github.reviews = [review(1, "priyaraman", "APPROVED", commit=OLD)]
    github.compares[(OLD, HEAD)] = {"status": status, "files": []}
    result = gate(github, tmp_path)
    assert result.exit_code == 1, result.output
    why = "the head ccccccc no longer descends from it (rebased or force-pushed)"
    assert f"priyaraman (approved aaaaaaa; {why})" in result.stdout
    assert f"priya (@priyaraman), whose approval is of aaaaaaa; {why}: approve again" in (
        result.stdout
    )
    assert "cannot compare" not in result.output


def test_an_approval_with_more_files_changed_since_than_github_compares_says_so(
    github: FakeGitHub, tmp_path: Path
) -> None:
    """Exactly 300 listed: all of them, or the first 300 of more; the row does not say which."""
    github.reviews = [review(1, "priyaraman", "APPROVED", commit=OLD)]
    files = [{"filename": f"docs/{n}.md", "status": "modified"} for n in range(300)]
    github.compares[(OLD, HEAD)] = {"status": "ahead", "files": files}
    result = gate(github, tmp_path)
    assert result.exit_code == 1, result.output
    assert (
        "priyaraman (approved aaaaaaa; 300 files or more changed since, as many as GitHub's "
        "compare lists: cannot tell whether postmortems did)"
    ) in result.stdout


def test_a_compare_github_does_not_answer_stops_the_gate_rather_than_ask_to_approve_again(
    github: FakeGitHub, tmp_path: Path
) -> None:
    """A server error is no reason to approve again; a commit GitHub cannot find (404) is."""
    github.reviews = [review(1, "priyaraman", "APPROVED", commit=OLD)]
    github.failing[f"/compare/{OLD}...{HEAD}"] = 502
    result = gate(github, tmp_path)
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        "incident: error: comparing aaaaaaa...ccccccc: HTTP 502: Server Error; gave up after "
        "waiting 0s (--max-wait 0s): cannot tell whether the approval of aaaaaaa still counts\n"
    )
    github.reviews.append(review(2, "jotanaka", "APPROVED"))  # enough without it
    assert gate(github, tmp_path).exit_code == 0
    github.reviews.pop()
    github.failing[f"/compare/{OLD}...{HEAD}"] = 404
    result = gate(github, tmp_path)
    assert result.exit_code == 1, result.output
    assert "priyaraman (approved aaaaaaa; cannot compare it with the head ccccccc)" in result.stdout


def test_a_compare_github_does_not_answer_leaves_a_gate_closed_anyway_as_it_is(
    github: FakeGitHub, tmp_path: Path
) -> None:
    """A senior requests changes: counted or not, the approval cannot open the gate, so the
    gate says who blocks it (exit 1) rather than stop on a compare that does not matter."""
    github.reviews = [
        review(1, "priyaraman", "APPROVED", commit=OLD),
        review(2, "jotanaka", "CHANGES_REQUESTED"),
    ]
    github.failing[f"/compare/{OLD}...{HEAD}"] = 502
    result = gate(github, tmp_path)
    assert result.exit_code == 1, result.output
    assert "jotanaka (senior) requested changes: the gate stays closed" in result.stdout
    assert (
        "note: the approval of aaaaaaa is not counted, GitHub did not answer: comparing "
        "aaaaaaa...ccccccc: HTTP 502"
    ) in result.stderr


def test_as_many_files_as_the_api_lists_without_a_count_fails_closed(
    github: FakeGitHub, tmp_path: Path
) -> None:
    """GitHub lists at most 3,000 files of a pull request: a postmortem may be past them."""
    _as_many_files_as_github_lists(github)
    result = gate(github, tmp_path)
    assert result.exit_code == 2, result.output
    assert "listed 3000 files, as many as it lists" in result.stderr
    assert "its trees could not be read" in result.stderr  # this fake has no trees
    github.files = github.files[:2999]
    assert gate(github, tmp_path).exit_code == 0


def _trees(github: FakeGitHub, base: dict[str, str], head: dict[str, str]) -> None:
    """The merge base's and the head's trees, each file's blob SHA, and the compare that names
    the merge base."""
    github.compares[(BASE, HEAD)] = {
        "status": "ahead",
        "files": [],
        "merge_base_commit": {"sha": BASE, "commit": {"tree": {"sha": "t-base"}}},
    }
    github.commit_trees[HEAD] = "t-head"
    for name, blobs in (("t-base", base), ("t-head", head)):
        github.trees[name] = {
            "sha": name,
            "truncated": False,
            "tree": [
                {"path": "postmortems", "type": "tree", "sha": f"{name}-dir"},
                *({"path": path, "type": "blob", "sha": sha} for path, sha in blobs.items()),
            ],
        }


def test_a_pull_request_of_more_files_than_the_api_lists_is_read_from_its_trees(
    github: FakeGitHub, tmp_path: Path
) -> None:
    """GitHub lists 3,000 files at most: the gated ones are found in the trees instead."""
    _as_many_files_as_github_lists(github)
    other = "postmortems/PM-2024-04-01-other.md"
    _trees(
        github,
        base={other: "a1", PM_PATH: "b1", "docs/x.md": "c1"},
        head={other: "a1", PM_PATH: "b2", "docs/x.md": "c2"},
    )
    result = gate(github, tmp_path)
    assert result.exit_code == 1, result.output
    assert f"needs 1 senior approval (SEV2: {PM_PATH})" in result.stdout
    github.reviews = [review(1, "priyaraman", "APPROVED")]
    assert gate(github, tmp_path).exit_code == 0
    # No postmortem changed: not gated at all.
    _trees(github, base={PM_PATH: "b1"}, head={PM_PATH: "b1", "docs/y.md": "d"})
    github.reviews = []
    result = gate(github, tmp_path)
    assert result.exit_code == 0 and "not applicable" in result.stdout


def test_a_tree_cut_short_closes_the_gate(github: FakeGitHub, tmp_path: Path) -> None:
    _as_many_files_as_github_lists(github)
    _trees(github, base={PM_PATH: "b1"}, head={PM_PATH: "b2"})
    github.trees["t-head"]["truncated"] = True
    result = gate(github, tmp_path)
    assert result.exit_code == 2, result.output
    assert "a tree was cut short or not given whole: cannot tell whether" in result.stderr
    del github.trees["t-head"]
    result = gate(github, tmp_path)
    assert result.exit_code == 2 and "its trees could not be read" in result.stderr


@pytest.mark.parametrize(
    ("change", "message"),
    [
        # A submodule added under the postmortems, or a file's mode changed, content the same.
        ("submodule", None),
        ("mode", None),
        # Answers no pull request that changes files gets: not trusted.
        ("behind", "the compare does not show its head ahead"),
        ("no truncated", "a tree was cut short or not given whole"),
        ("no sha", "a tree entry has no path or object"),
    ],
)
def test_what_the_trees_show_is_gated_and_what_they_cannot_show_closes_the_gate(
    github: FakeGitHub, tmp_path: Path, change: str, message: str | None
) -> None:
    _as_many_files_as_github_lists(github)
    _trees(github, base={PM_PATH: "b1"}, head={PM_PATH: "b1"})
    head = github.trees["t-head"]["tree"]
    if change == "submodule":
        head.append({"path": "postmortems/archive", "mode": "160000", "type": "commit", "sha": "s"})
    elif change == "mode":
        github.trees["t-base"]["tree"][-1]["mode"] = "100644"
        head[-1]["mode"] = "100755"
    elif change == "behind":
        github.compares[(BASE, HEAD)]["status"] = "behind"
    elif change == "no truncated":
        del github.trees["t-head"]["truncated"]
    else:
        del head[-1]["sha"]
        del github.trees["t-base"]["tree"][-1]["sha"]
    result = gate(github, tmp_path)
    if message is None:
        assert result.exit_code == 1, result.output  # gated: no approval yet
    else:
        assert result.exit_code == 2, result.output
        assert message in result.stderr


@pytest.mark.parametrize("retry_after", ["1e12", "inf", "99999999999999999999"])
def test_a_rate_limit_asking_an_endless_wait_stops_the_gate_with_one_line(
    github: FakeGitHub, tmp_path: Path, retry_after: str
) -> None:
    github.failures = [(429, {"retry-after": retry_after}, "slow down")]
    result = gate(github, tmp_path)
    assert result.exit_code == 2, (result.exception, result.output)
    assert "reading pull request #7: HTTP 429 rate limit exhausted: slow down; gave up" in (
        result.stderr
    )
    assert "Traceback" not in result.output


def test_a_service_or_team_the_roster_does_not_know_is_named_in_the_output(
    github: FakeGitHub, tmp_path: Path
) -> None:
    """No team's approval can be asked for them: the gate says so rather than pass in silence."""
    github.contents[(BASE, "people.yaml")] = TEAMS_ROSTER
    for ref in (BASE, HEAD):
        github.contents[(ref, INC_PATH)] = incident(services=("api", "billing"))
    github.contents[(HEAD, PM_PATH)] = postmortem(services=("ledger",)).replace(
        b"authors:", b"teams: [payments]\nauthors:"
    )
    github.reviews = [review(1, "priyaraman", "APPROVED")]
    summary = tmp_path / "summary.md"
    result = gate(github, tmp_path, GITHUB_STEP_SUMMARY=str(summary))
    assert result.exit_code == 0, result.output  # the api team approved
    owned = (
        "no team in the roster owns ledger, billing: no team's approval is asked for them "
        "(add them to a team's services)"
    )
    named = "the postmortem names team payments, which the roster does not have"
    assert f"note: {owned}" in result.stderr
    assert f"note: {named}: no approval is asked of it" in result.stderr
    assert owned in summary.read_text() and named in summary.read_text()


def test_a_service_only_the_base_names_is_not_said_to_be_unowned(
    github: FakeGitHub, tmp_path: Path
) -> None:
    """The pull request corrects a service no team owns (a misspelt one): the note would ask
    to add to the roster what the postmortem no longer names."""
    github.contents[(BASE, "people.yaml")] = TEAMS_ROSTER
    github.contents[(BASE, INC_PATH)] = incident(services=("api", "biling"))
    github.contents[(HEAD, INC_PATH)] = incident(services=("api",))
    github.contents[(BASE, PM_PATH)] = postmortem(services=("ledgr",))
    github.contents[(HEAD, PM_PATH)] = postmortem(services=("api",))
    github.reviews = [review(1, "priyaraman", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 0, result.output
    assert "no team in the roster owns" not in result.stderr


def test_a_service_no_team_owns_is_named_once_however_it_is_written(
    github: FakeGitHub, tmp_path: Path
) -> None:
    github.contents[(BASE, "people.yaml")] = TEAMS_ROSTER
    for ref in (BASE, HEAD):
        github.contents[(ref, INC_PATH)] = incident(services=("api", "Billing"))
    github.contents[(HEAD, PM_PATH)] = postmortem(services=("billing",))
    github.reviews = [review(1, "priyaraman", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 0, result.output
    assert "note: no team in the roster owns billing: no team's approval is asked for it " in (
        result.stderr
    )


def test_a_roster_edited_in_the_pull_request_does_not_count(
    github: FakeGitHub,
    tmp_path: Path,
) -> None:
    promoted = ROSTER.replace(
        b"{handle: sam, name: Sam Lindqvist, github: samlq}",
        b"{handle: sam, name: Sam Lindqvist, github: samlq, senior: true}",
    ).replace(
        b"{handle: lee, name: Lee Morgan, github: leemorgan}",
        b"{handle: lee, name: Lee Morgan, github: leemorgan, senior: true}",
    )
    github.contents[(HEAD, "people.yaml")] = promoted
    github.files.append({"filename": "people.yaml", "status": "modified"})
    github.reviews = [review(1, "samlq", "APPROVED"), review(2, "leemorgan", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 1, result.output
    assert "samlq (the author of the pull request)" in result.stdout
    assert "leemorgan (not senior in people.yaml at base" in result.stdout
    assert all("ref=" + HEAD not in r for r in github.requests if "people.yaml" in r)


def test_a_senior_requesting_changes_blocks(github: FakeGitHub, tmp_path: Path) -> None:
    github.reviews = [
        review(1, "priyaraman", "APPROVED"),
        review(2, "jotanaka", "CHANGES_REQUESTED"),
        review(3, "jotanaka", "COMMENTED"),
    ]
    result = gate(github, tmp_path)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "jotanaka (senior) requested changes: the gate stays closed until they approve or "
        "the review is dismissed"
    ]


def test_severity_from_the_head_and_approvals_from_the_base_configuration(
    github: FakeGitHub,
    tmp_path: Path,
) -> None:
    github.contents[(HEAD, PM_PATH)] = postmortem("SEV1")
    github.contents[(HEAD, "pyproject.toml")] = b"[tool.incident-docs]\nreview = {paths = []}\n"
    github.reviews = [review(1, "priyaraman", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 1
    assert f"needs 2 senior approvals (SEV1: {PM_PATH})" in result.stdout
    github.reviews.append(review(2, "dana-okafor", "APPROVED"))
    assert gate(github, tmp_path).exit_code == 0


def test_postmortems_kept_in_another_folder_are_gated_there(
    github: FakeGitHub,
    tmp_path: Path,
) -> None:
    moved = "docs/" + PM_PATH
    github.contents[(BASE, "pyproject.toml")] = PYPROJECT.replace(
        b"[tool.incident-docs]\n", b'[tool.incident-docs]\npostmortems-dir = "docs/postmortems"\n'
    )
    github.files = [{"filename": moved, "status": "added"}]
    github.contents[(HEAD, moved)] = postmortem()
    result = gate(github, tmp_path)
    assert result.exit_code == 1, result.output
    assert f"needs 1 senior approval (SEV2: {moved})" in result.stdout
    github.reviews = [review(1, "priyaraman", "APPROVED")]
    assert gate(github, tmp_path).exit_code == 0


def test_an_enterprise_managed_user_is_a_senior_like_any_other(
    github: FakeGitHub,
    tmp_path: Path,
) -> None:
    """Their logins end with an underscore and the enterprise's short code."""
    github.contents[(BASE, "people.yaml")] = ROSTER.replace(
        b"github: priyaraman", b"github: priya_acme"
    )
    github.reviews = [review(1, "priya_acme", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 0, result.output
    assert "satisfied: 1 senior approval (1 needed) on head ccccccc: priya_acme" in result.stdout


def test_a_pull_request_without_postmortems_is_not_gated(
    github: FakeGitHub,
    tmp_path: Path,
) -> None:
    github.files = [{"filename": "incidents/INC-2024-05-02-api-errors.md", "status": "added"}]
    result = gate(github, tmp_path)
    assert result.exit_code == 0
    assert "not applicable" in result.stdout
    assert not any("/reviews" in r for r in github.requests)


def test_inside_actions_the_event_the_summary_and_annotations(
    github: FakeGitHub,
    tmp_path: Path,
) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"action": "submitted", "pull_request": {"number": 7}}))
    summary = tmp_path / "summary.md"
    github.reviews = [review(1, "leemorgan", "APPROVED"), review(2, "dependabot[bot]", "APPROVED")]
    result = gate(
        github,
        tmp_path,
        "--max-wait",
        "0",
        GITHUB_ACTIONS="true",
        GITHUB_REPOSITORY=REPO,
        GITHUB_EVENT_PATH=str(event),
        GITHUB_API_URL=github.url,
        GITHUB_STEP_SUMMARY=str(summary),
    )
    assert result.exit_code == 1, result.output
    assert "::error title=Postmortem review gate::needs 1 senior approval" in result.stdout
    table = summary.read_text()
    assert "| leemorgan | APPROVED | `ccccccc` | no: not senior in people.yaml at base" in table
    assert "| dependabot\\[bot\\] | APPROVED | `ccccccc` | no: a bot |" in table


def test_api_failures_exit_2_and_name_what_failed(github: FakeGitHub, tmp_path: Path) -> None:
    github.failures = [(401, {})]
    result = gate(github, tmp_path)
    assert result.exit_code == 2
    assert "reading pull request #7: HTTP 401 unauthorized" in result.stderr
    assert "Traceback" not in result.output

    missing = gate(github, tmp_path, "--repo", REPO, "--pr", "8", "--api-url", github.url)
    assert missing.exit_code == 2
    assert "HTTP 404 not found" in missing.stderr


def test_a_token_kept_with_its_line_break_still_reads_the_pull_request(
    github: FakeGitHub, tmp_path: Path
) -> None:
    """A secret pasted with the line break after it: the header could not be sent."""
    github.reviews = [review(1, "priyaraman", "APPROVED")]
    result = gate(github, tmp_path, GITHUB_TOKEN="t0ken\n")
    assert result.exit_code == 0, result.output
    assert github.tokens[0] == "Bearer t0ken"


@pytest.mark.parametrize("blank", ["\n", " "])
def test_a_blank_github_token_leaves_the_token_in_gh_token(
    github: FakeGitHub, tmp_path: Path, blank: str
) -> None:
    """As an empty GITHUB_TOKEN does: a blank one is no token, not a request without one."""
    github.reviews = [review(1, "priyaraman", "APPROVED")]
    result = gate(github, tmp_path, GITHUB_TOKEN=blank, GH_TOKEN="t0ken")
    assert result.exit_code == 0, result.output
    assert set(github.tokens) == {"Bearer t0ken"}


@pytest.mark.parametrize("token", ["t0k en", "t0k\nen", "t0ken\u20ac"])
def test_a_token_no_header_can_carry_is_one_line_without_it(
    github: FakeGitHub, tmp_path: Path, token: str
) -> None:
    result = gate(github, tmp_path, GITHUB_TOKEN=token)
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        "incident: error: GITHUB_TOKEN (or GH_TOKEN): the token holds a blank, a line break or "
        "a character outside ASCII, which a token never does: set it to the token alone\n"
    )
    assert github.requests == []


def test_a_broken_base_configuration_fails_closed(github: FakeGitHub, tmp_path: Path) -> None:
    github.contents[(BASE, "pyproject.toml")] = b"[tool.incident-docs]\nroster = 3\n"
    github.reviews = [review(1, "priyaraman", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 2
    assert "bbbbbbb:pyproject.toml:2: tool.incident-docs.roster" in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_broken_base_roster_names_its_line_at_the_base(
    github: FakeGitHub, tmp_path: Path
) -> None:
    github.contents[(BASE, "people.yaml")] = b"people:\n  - handle: [oops\n"
    github.reviews = [review(1, "priyaraman", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 2
    assert "incident: error: bbbbbbb:people.yaml:" in result.stderr
    assert "invalid YAML" in result.stderr and result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("people.yaml", "people:\n  - handle: dana\n".encode("utf-16"), "people.yaml:1: UTF-16"),
        ("pyproject.toml", "[tool.incident-docs]\n".encode("utf-16"), "pyproject.toml:1: UTF-16"),
        (
            "people.yaml",
            b"people:\n  - handle: d\xe9\n",
            "people.yaml:2: invalid UTF-8 (byte 0xe9)",
        ),
    ],
    ids=["utf16-roster", "utf16-configuration", "latin1-roster"],
)
def test_a_base_roster_or_configuration_that_is_not_utf8_says_what_it_is(
    github: FakeGitHub, tmp_path: Path, name: str, content: bytes, says: str
) -> None:
    github.contents[(BASE, name)] = content
    github.reviews = [review(1, "priyaraman", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"incident: error: bbbbbbb:{says}"), result.stderr
    assert result.stderr.count("\n") == 1 and "codec" not in result.stderr


def test_without_a_repository_or_number_it_says_what_is_missing(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--root", str(tmp_path), "review-gate"], env=CLEAN_ENV)
    assert result.exit_code == 2
    assert "--repo OWNER/NAME is required" in result.stderr


def test_a_repository_with_a_line_break_after_it_is_refused_before_any_request(
    github: FakeGitHub, tmp_path: Path
) -> None:
    options = ["--repo", f"{REPO}\n", "--pr", "7", "--api-url", github.url, "--max-wait", "0"]
    result = gate(github, tmp_path, *options)
    assert result.exit_code == 2, result.output
    assert result.stderr == "incident: error: --repo: 'acme/ops\\n' is not OWNER/NAME\n"
    assert github.requests == []


def test_a_pull_request_cannot_lower_its_own_bar(github: FakeGitHub, tmp_path: Path) -> None:
    # On the base the postmortem is SEV1 (two approvals) and written by jo; the pull request
    # makes it SEV4 and drops jo from the authors, then jo approves.
    github.contents[(BASE, PM_PATH)] = postmortem("SEV1", authors=("sam", "jo"))
    github.contents[(HEAD, PM_PATH)] = postmortem("SEV4", authors=("sam",))
    github.reviews = [review(1, "jotanaka", "APPROVED"), review(2, "priyaraman", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 1, result.output
    assert "needs 2 senior approvals" in result.stdout
    assert "jotanaka (an author of the postmortem (jo))" in result.stdout
    github.reviews.append(review(3, "dana-okafor", "APPROVED"))
    assert gate(github, tmp_path).exit_code == 0


def test_a_new_postmortem_is_judged_by_its_head_version(github: FakeGitHub, tmp_path: Path) -> None:
    github.files = [{"filename": PM_PATH, "status": "added"}]
    github.reviews = [review(1, "priyaraman", "APPROVED")]
    assert gate(github, tmp_path).exit_code == 0


# --- every team involved ---------------------------------------------------------------------


def with_teams(fake: FakeGitHub, *, services: tuple[str, ...] = ("api", "warehouse")) -> None:
    """A SEV2 postmortem by sam about the api and warehouse services: teams api and data."""
    fake.contents[(BASE, "people.yaml")] = TEAMS_ROSTER
    fake.contents[(HEAD, PM_PATH)] = postmortem(services=services)
    fake.contents[(BASE, PM_PATH)] = postmortem(services=services)
    for ref in (BASE, HEAD):
        fake.contents[(ref, INC_PATH)] = incident(services=("api",))


def test_each_team_involved_must_approve(github: FakeGitHub, tmp_path: Path) -> None:
    with_teams(github)
    github.reviews = [review(1, "priyaraman", "APPROVED")]  # api's senior
    result = gate(github, tmp_path)
    assert result.exit_code == 1, result.output
    assert "team data (owns warehouse) needs 1 approval from its seniors; 0 so far; could " \
        "approve: jo (@jotanaka)" in result.stdout  # fmt: skip
    assert "team api" not in result.stdout  # approved, so not among what is missing
    assert "team api            approved  approved by priya" in result.stderr

    github.reviews.append(review(2, "jotanaka", "APPROVED"))
    result = gate(github, tmp_path)
    assert result.exit_code == 0, result.output


def test_a_team_with_fewer_seniors_than_it_must_give_says_so_before_they_approve(
    github: FakeGitHub, tmp_path: Path
) -> None:
    with_teams(github)
    github.contents[(BASE, "pyproject.toml")] = (
        PYPROJECT + b"[tool.incident-docs.review]\nteam-approvals = 2\n"
    )
    result = gate(github, tmp_path)
    assert result.exit_code == 1, result.output
    assert (
        "team data (owns warehouse) needs 2 approvals from its seniors; 0 so far; could approve: "
        "jo (@jotanaka); not enough even so: add a senior who did not write it to team data"
    ) in result.stdout


def test_a_count_the_seniors_left_cannot_reach_says_so_before_they_approve(
    github: FakeGitHub, tmp_path: Path
) -> None:
    """A SEV1 written by two of the three seniors: only dana can approve, and the line said
    "1 counted" as if a second approval were on its way."""
    github.contents[(HEAD, PM_PATH)] = postmortem("SEV1", authors=("priya", "jo"))
    result = gate(github, tmp_path)
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines()[0].endswith(
        "0 counted; not enough even so: only dana (@dana-okafor) can still approve (authors: "
        "priya, jo): add a senior who did not write it to the roster"
    )
    github.reviews = [review(1, "dana-okafor", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 1, result.output
    assert "1 counted (dana-okafor); not enough even so: no other senior can approve" in (
        result.stdout
    )
    github.contents[(HEAD, PM_PATH)] = postmortem("SEV1", authors=("priya",))
    assert "not enough even so" not in gate(github, tmp_path).stdout  # jo still can


def test_a_count_out_of_reach_names_who_cannot_approve_and_why(
    github: FakeGitHub, tmp_path: Path
) -> None:
    """A senior who opened the pull request is named as such, not as an author; a roster with
    no senior at all is not said to have seniors who wrote the postmortem."""
    github.author = "dana-okafor"
    github.contents[(HEAD, PM_PATH)] = postmortem("SEV1", authors=("priya",))
    assert (
        "0 counted; not enough even so: only jo (@jotanaka) can still approve (authors: priya; "
        "opened the pull request: dana): add a senior who did not write it to the roster"
    ) in gate(github, tmp_path).stdout
    del github.contents[(BASE, "people.yaml")]
    result = gate(github, tmp_path)
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines()[0].endswith(
        "0 counted; not enough even so: the roster names no senior: add 2 seniors who did not "
        "write it to the roster"
    )


def test_a_count_out_of_reach_says_when_logins_alone_would_not_reach_it(
    github: FakeGitHub, tmp_path: Path
) -> None:
    """Four approvals, three seniors left and kim without a login: a login for kim is not
    enough, so the line does not offer it instead of a new senior."""
    github.contents[(BASE, "people.yaml")] = (
        ROSTER + b"  - {handle: kim, name: Kim Li, senior: true}\n"
    )
    github.contents[(BASE, "pyproject.toml")] = PYPROJECT.replace(
        b"approvals = 2", b"approvals = 4"
    )
    github.contents[(HEAD, PM_PATH)] = postmortem("SEV1", authors=("priya",))
    assert (
        "not enough even so: only dana (@dana-okafor), jo (@jotanaka) can still approve (authors: "
        "priya): give kim a github login and add a senior who did not write it to the roster"
    ) in gate(github, tmp_path).stdout


def test_a_senior_listed_twice_is_counted_on_with_the_login_of_either_entry(
    github: FakeGitHub, tmp_path: Path
) -> None:
    """dana's second entry has no login, yet her reviews are read as the first's: the count is
    within reach, and she is not asked to get a login she has."""
    github.contents[(BASE, "people.yaml")] = (
        ROSTER + b"  - {handle: dana, name: Dana Okafor, senior: true}\n"
    )
    github.contents[(HEAD, PM_PATH)] = postmortem("SEV1", authors=("priya",))
    result = gate(github, tmp_path)
    assert result.exit_code == 1, result.output
    assert "not enough even so" not in result.stdout
    github.reviews = [review(1, "dana-okafor", "APPROVED"), review(2, "jotanaka", "APPROVED")]
    assert gate(github, tmp_path).exit_code == 0


def test_a_senior_whose_login_is_a_bots_is_not_one_a_team_can_count_on(
    github: FakeGitHub, tmp_path: Path
) -> None:
    """jo's login is in review.bots, so jo's review never counts: team data does not wait for
    jo, as the count in all does not."""
    with_teams(github)
    github.contents[(BASE, "pyproject.toml")] = (
        PYPROJECT + b'[tool.incident-docs.review]\nbots = ["jotanaka"]\n'
    )
    github.reviews = [review(1, "priyaraman", "APPROVED"), review(2, "jotanaka", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 1, result.output
    assert (
        "team data (owns warehouse) needs 1 approval from its seniors; 0 so far; nobody can: "
        "add a senior who did not write it to team data"
    ) in result.stdout


def test_a_team_short_of_more_than_one_senior_says_how_many_to_add(
    github: FakeGitHub, tmp_path: Path
) -> None:
    with_teams(github)
    github.contents[(BASE, "pyproject.toml")] = (
        PYPROJECT + b"[tool.incident-docs.review]\nteam-approvals = 2\n"
    )
    github.contents[(HEAD, PM_PATH)] = postmortem(authors=("jo",), services=("api", "warehouse"))
    assert (
        "team data (owns warehouse) needs 2 approvals from its seniors; 0 so far; nobody can: "
        "add 2 seniors who did not write it to team data"
    ) in gate(github, tmp_path).stdout


def test_a_senior_without_a_github_login_is_not_one_a_team_can_count_on(
    github: FakeGitHub, tmp_path: Path
) -> None:
    with_teams(github)
    github.contents[(BASE, "people.yaml")] = TEAMS_ROSTER.replace(
        b"  - {handle: jo,", b"  - {handle: kim, name: Kim Li, senior: true}\n  - {handle: jo,"
    ).replace(b"seniors: [jo]", b"seniors: [jo, kim]")
    github.contents[(BASE, "pyproject.toml")] = (
        PYPROJECT + b"[tool.incident-docs.review]\nteam-approvals = 2\n"
    )
    result = gate(github, tmp_path)
    assert result.exit_code == 1, result.output
    assert (
        "team data (owns warehouse) needs 2 approvals from its seniors; 0 so far; could approve: "
        "kim (no github login), jo (@jotanaka); not enough even so: give kim a github login, or "
        "add a senior who did not write it to team data"
    ) in result.stdout


def test_a_senior_of_a_team_not_involved_does_not_approve_for_one(
    github: FakeGitHub, tmp_path: Path
) -> None:
    with_teams(github)
    github.reviews = [review(1, "priyaraman", "APPROVED"), review(2, "dana-okafor", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 1  # dana leads web, which this postmortem does not involve
    assert "team data" in result.stdout and "could approve: jo" in result.stdout


def test_dropping_a_service_in_the_pull_request_does_not_drop_its_team(
    github: FakeGitHub, tmp_path: Path
) -> None:
    with_teams(github)
    github.contents[(HEAD, PM_PATH)] = postmortem(services=("api",))  # warehouse removed
    github.reviews = [review(1, "priyaraman", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 1
    assert "team data (owns warehouse)" in result.stdout


def test_a_responder_brings_in_their_team(github: FakeGitHub, tmp_path: Path) -> None:
    with_teams(github, services=("api",))
    github.contents[(HEAD, INC_PATH)] = incident(services=("api",), ops_lead="lee")
    github.reviews = [review(1, "priyaraman", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 1
    assert "team data (responders lee)" in result.stdout


@pytest.mark.parametrize("heading", ["Timeline", "Chronology", "CHRONOLOGY (UTC):"])
def test_a_responder_in_the_timeline_under_its_alias_brings_in_their_team(
    github: FakeGitHub, tmp_path: Path, heading: str
) -> None:
    """The base's configuration names the timeline's alias: an entry lee wrote under it makes
    lee a responder, as under `## Timeline`."""
    with_teams(github, services=("api",))
    github.contents[(BASE, "pyproject.toml")] = PYPROJECT.replace(
        b"[tool.incident-docs]\n",
        b'[tool.incident-docs]\nsection-aliases = { Timeline = ["Chronology"] }\n',
    )
    entry = f"\n## {heading}\n\n- 2024-05-02T10:20:00Z **action** by lee: Rolled back.\n"
    for ref in (BASE, HEAD):
        github.contents[(ref, INC_PATH)] = incident(services=("api",)) + entry.encode()
    github.reviews = [review(1, "priyaraman", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 1, result.output
    assert "team data (responders lee)" in result.stdout


def test_adding_yourself_to_a_teams_seniors_in_the_pull_request_does_not_count(
    github: FakeGitHub, tmp_path: Path
) -> None:
    with_teams(github)
    head_roster = TEAMS_ROSTER.replace(b"seniors: [jo]", b"seniors: [jo, lee]")
    github.contents[(HEAD, "people.yaml")] = head_roster
    github.reviews = [review(1, "priyaraman", "APPROVED"), review(2, "leemorgan", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 1  # the roster comes from the base, where lee is no senior
    assert "team data" in result.stdout


def test_the_missing_teams_are_asked_for_a_review_once(github: FakeGitHub, tmp_path: Path) -> None:
    with_teams(github)
    args = ["--repo", REPO, "--pr", "7", "--api-url", github.url, "--max-wait", "0"]
    first = gate(github, tmp_path, *args, "--request-reviews")
    assert first.exit_code == 1
    assert github.review_requests == [{"reviewers": ["jotanaka"], "team_reviewers": ["api-team"]}]
    assert "asked for reviews: @jotanaka, team api-team" in first.stderr
    again = gate(github, tmp_path, *args, "--request-reviews")
    assert again.exit_code == 1
    assert len(github.review_requests) == 1  # already asked: nobody is asked twice


def test_a_github_team_the_token_cannot_ask_is_asked_through_its_seniors(
    github: FakeGitHub, tmp_path: Path
) -> None:
    """The workflow token cannot read an organisation's teams: GitHub refuses the whole
    request, and nobody, of that team or another, was asked."""
    with_teams(github)
    github.refuses_teams = True
    args = ["--repo", REPO, "--pr", "7", "--api-url", github.url, "--max-wait", "0"]
    first = gate(github, tmp_path, *args, "--request-reviews")
    assert first.exit_code == 1, first.output
    assert github.review_requests == [{"reviewers": ["jotanaka", "priyaraman"]}]
    assert "GitHub refused to ask team api-team for a review (requesting reviews: HTTP 422" in (
        first.stderr
    )
    assert "asking their seniors instead" in first.stderr
    assert "asked for reviews: @jotanaka, @priyaraman" in first.stderr
    again = gate(github, tmp_path, *args, "--request-reviews")
    assert again.exit_code == 1
    assert len(github.review_requests) == 1
    assert "refused" not in again.stderr


def test_a_refusal_that_is_not_the_teams_is_not_blamed_on_them(
    github: FakeGitHub, tmp_path: Path
) -> None:
    """GitHub refuses a login that is no collaborator of the repository, with or without the
    team: the request fails as it would without a team, not as the token's."""
    with_teams(github)
    refusal = (
        "Reviews may only be requested from collaborators. One or more of the users or teams "
        "you specified is not a collaborator of the acme/ops repository."
    )
    posted: list[dict[str, Any]] = []

    def refusing(request: Request) -> Response:
        if request.method == "POST":
            posted.append(request.get_json())
            return json_response({"message": refusal}, 422)
        return github.handle(request)

    github.server.clear()
    github.server.expect_request(re.compile(".*")).respond_with_handler(refusing)
    args = ["--repo", REPO, "--pr", "7", "--api-url", github.url, "--max-wait", "0"]
    result = gate(github, tmp_path, *args, "--request-reviews")
    assert result.exit_code == 1, result.output
    assert f"could not request reviews (requesting reviews: HTTP 422: {refusal}); ask them by " \
        "hand" in result.stderr  # fmt: skip
    assert "refused to ask team" not in result.stderr
    assert "workflow token" not in result.stderr


def _approved(names: str, status: str = "approved") -> bytes:
    return postmortem().replace(
        b"status: in-review",
        f"status: {status}\napproved_by: [{names}]\napproved_at: 2024-05-09T10:00:00Z".encode(),
    )


def test_approved_by_naming_a_senior_who_did_not_approve_keeps_the_gate_closed(
    github: FakeGitHub, tmp_path: Path
) -> None:
    """Priya approved; the postmortem says Dana approved it too, which nobody checked."""
    github.contents[(HEAD, PM_PATH)] = _approved("dana, priyaraman")
    github.reviews = [review(1, "priyaraman", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 1, result.output
    assert (
        f"{PM_PATH} says it was approved by dana (no review of it), whose approval of this pull "
        "request is not counted: ask dana to approve it, or name in approved_by only those whose "
        "approval is"
    ) in result.stdout
    # Approved in an earlier pull request, as the base has it: not this one's to prove.
    github.contents[(BASE, PM_PATH)] = _approved("dana-okafor", "published")
    result = gate(github, tmp_path)
    assert result.exit_code == 0, result.output


def test_a_postmortem_moved_keeps_the_approved_by_its_base_gives(
    github: FakeGitHub, tmp_path: Path
) -> None:
    """A published postmortem moved into a folder of its year, its approved_by as it was: Dana
    approved it in the pull request that published it, not this one's to prove again."""
    moved = "postmortems/2024/PM-2024-05-02-api-errors.md"
    github.files = [{"filename": moved, "status": "renamed", "previous_filename": PM_PATH}]
    github.contents[(BASE, PM_PATH)] = _approved("dana", "published")
    github.contents[(HEAD, moved)] = _approved("dana", "published")
    github.reviews = [review(1, "priyaraman", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 0, result.output
    # Listed as one removed and one added: the same postmortem, by its ID.
    github.files = [
        {"filename": PM_PATH, "status": "removed"},
        {"filename": moved, "status": "added"},
    ]
    result = gate(github, tmp_path)
    assert result.exit_code == 0, result.output
    github.contents[(HEAD, moved)] = _approved("dana, jo", "published")
    result = gate(github, tmp_path)
    assert result.exit_code == 1, result.output
    assert f"{moved} says it was approved by jo (no review of it)" in result.stdout


@pytest.mark.parametrize(
    "names", ["approved_by: dana", "approved_by: [Dana Okafor]", "approved_by: dana priya"]
)
def test_approved_by_of_a_postmortem_that_does_not_validate_is_checked_too(
    github: FakeGitHub, tmp_path: Path, names: str
) -> None:
    """Written as one string, or by name: the postmortem does not validate, and still says
    Dana approved it (and Priya, who did)."""
    github.contents[(HEAD, PM_PATH)] = postmortem().replace(
        b"status: in-review",
        f"status: approved\n{names}\napproved_at: 2024-05-09T10:00:00Z".encode(),
    )
    github.reviews = [review(1, "priyaraman", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 1, result.output
    assert f"{PM_PATH} says it was approved by " in result.stdout
    github.reviews.append(review(2, "dana-okafor", "APPROVED"))
    result = gate(github, tmp_path)
    assert result.exit_code == 0, result.output


def test_approved_by_naming_someone_whose_approval_cannot_count_says_why(
    github: FakeGitHub, tmp_path: Path
) -> None:
    """Lee approved but is not senior; Mo has no GitHub login; Sam wrote it; Dana opened the
    pull request: asking them to approve would change nothing."""
    github.author = "dana-okafor"
    github.contents[(BASE, "people.yaml")] = (
        ROSTER + b"  - {handle: mo, name: Mo Diaz, senior: true}\n"
    )
    github.contents[(HEAD, PM_PATH)] = _approved("priya, lee, mo, sam, dana, jo")
    github.reviews = [review(1, "priyaraman", "APPROVED"), review(2, "leemorgan", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 1, result.output
    assert (
        f"{PM_PATH} says it was approved by lee (not senior in people.yaml at base bbbbbbb), mo "
        "(no GitHub login in people.yaml at base bbbbbbb), sam (an author of the postmortem "
        "(sam)), dana (opened the pull request), jo (no review of it), whose approval of this pull request is not counted: ask "
        "jo to approve it, or name in approved_by only those whose approval is"
    ) in result.stdout


# --- what a pull request cannot do to lower its bar ---------------------------------------------


def test_renaming_a_postmortem_away_keeps_its_bar(github: FakeGitHub, tmp_path: Path) -> None:
    with_teams(github)
    for name in ("postmortems/README.md", "postmortems/PM-2024-05-02-api-errors.txt"):
        github.files = [{"filename": name, "previous_filename": PM_PATH, "status": "renamed"}]
        github.reviews = [review(1, "priyaraman", "APPROVED")]
        result = gate(github, tmp_path)
        assert result.exit_code == 1, (name, result.output)
        assert "team data (owns warehouse)" in result.stdout


def test_a_new_postmortem_that_does_not_validate_still_brings_its_teams(
    github: FakeGitHub, tmp_path: Path
) -> None:
    with_teams(github)
    github.files = [{"filename": PM_PATH, "status": "added"}]
    github.contents[(HEAD, PM_PATH)] = postmortem(services=("api", "warehouse")).replace(
        b"status: in-review", b"status: in-review\nfoo: 1"
    )
    github.reviews = [review(1, "priyaraman", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 1 and "team data" in result.stdout


def test_a_postmortem_naming_too_many_incidents_fails_closed(
    github: FakeGitHub, tmp_path: Path
) -> None:
    with_teams(github)
    bogus = ", ".join(f"INC-2024-05-02-fake-{i}" for i in range(25))
    github.contents[(HEAD, PM_PATH)] = postmortem(services=("api",)).replace(
        b"incidents: [INC-2024-05-02-api-errors]", f"incidents: [{bogus}]".encode()
    )
    result = gate(github, tmp_path)
    assert result.exit_code == 2 and "split the pull request" in result.stderr


def test_an_incident_named_but_found_nowhere_keeps_the_gate_closed(
    github: FakeGitHub, tmp_path: Path
) -> None:
    with_teams(github, services=("api",))
    for ref in (BASE, HEAD):
        del github.contents[(ref, INC_PATH)]
        _tree_at(github, ref)  # nor in a subfolder
    github.reviews = [review(1, "priyaraman", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 1
    assert "INC-2024-05-02-api-errors is named by the postmortem but found neither" in result.stdout


def test_an_incident_found_nowhere_asks_the_strictest_count_without_teams_too(
    github: FakeGitHub, tmp_path: Path
) -> None:
    # With no teams in the roster the incident gave nothing else to check: a SEV2 postmortem
    # passed with one approval, though its incident may be a SEV1 (an unreadable one asks two).
    for ref in (BASE, HEAD):
        del github.contents[(ref, INC_PATH)]
        _tree_at(github, ref)
    github.reviews = [review(1, "priyaraman", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 1, result.output
    assert "needs 2 senior approvals (the strictest count: the severity of " \
        "INC-2024-05-02-api-errors (named by postmortems/" in result.stdout  # fmt: skip


@pytest.mark.parametrize("refs", [(HEAD,), (BASE, HEAD)], ids=["head", "both"])
def test_an_incident_that_does_not_validate_still_brings_its_teams(
    github: FakeGitHub, tmp_path: Path, refs: tuple[str, ...]
) -> None:
    """Read from its raw front-matter, as a postmortem that does not validate is: the services
    and responders the pull request gives it count, and it is no incident "found neither"."""
    with_teams(github, services=("api",))
    for ref in refs:
        github.contents[(ref, INC_PATH)] = incident(
            services=("api", "warehouse"), ops_lead="lee"
        ).replace(b"status: resolved", b"status: resolved\nbogus: 1")
    github.reviews = [review(1, "priyaraman", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 1, result.output
    assert "team data (owns warehouse; responders lee)" in result.stdout
    assert "found neither" not in result.stdout
    github.reviews.append(review(2, "jotanaka", "APPROVED"))
    assert gate(github, tmp_path).exit_code == 0


ODD_SHAPES = {
    "services": (
        b"services: [api, warehouse]",
        b"services: {api: degraded, warehouse: down}",
        "services is a mapping, not a list of services",
    ),
    "roles": (
        b"  communications_lead: sam\n  ops_lead: lee",
        b"  - communications_lead: sam\n  - ops_lead: lee",
        "roles is a list, not a mapping of each role",
    ),
    "handoffs": (
        b"---\n\n#",
        b"handoffs: {ops_lead: lee}\n---\n\n#",
        "handoffs is a mapping, not a list of handoffs",
    ),
    "declared_by": (b"declared_by: sam", b"declared_by: [sam, lee]", "declared_by is a list"),
}
"""A key naming an incident's teams written in a shape the gate cannot read: the incident as
the fake gives it (lee, of team data, its ops lead), that key as written, and what the gate
says."""


def _odd_incident(key: str) -> bytes:
    readable, odd, _said = ODD_SHAPES[key]
    text = incident(services=("api", "warehouse"), ops_lead="lee")
    if key == "roles":  # the whole mapping a list, its first line included
        text = text.replace(b"  incident_commander: sam\n", b"  - incident_commander: sam\n")
    assert readable in text
    return text.replace(readable, odd, 1)


@pytest.mark.parametrize("refs", [(HEAD,), (BASE, HEAD)], ids=["added", "both"])
@pytest.mark.parametrize("key", list(ODD_SHAPES))
def test_an_incident_naming_its_teams_in_a_shape_the_gate_cannot_read_keeps_it_closed(
    github: FakeGitHub, tmp_path: Path, refs: tuple[str, ...], key: str
) -> None:
    """Read as they are, they named no service and no responder: the gate opened without the
    data team. It says which key it cannot read."""
    with_teams(github, services=("api",))
    if refs == (HEAD,):  # the pull request adds the incident
        del github.contents[(BASE, INC_PATH)]
        _tree_at(github, BASE)
    for ref in refs:
        github.contents[(ref, INC_PATH)] = _odd_incident(key)
    github.reviews = [review(1, "priyaraman", "APPROVED"), review(2, "jotanaka", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 1, result.output
    said = ODD_SHAPES[key][2]
    assert f"{INC_PATH} (at head ccccccc): {said}" in result.stdout
    assert "so the teams it involves cannot be known" in result.stdout


SEVERAL_IN_ONE = {
    "services": (b"services: [api, warehouse]", b'services: [api, "warehouse, billing"]'),
    "roles": (b"  ops_lead: lee", b'  ops_lead: "sam, lee"'),
    "declared_by": (b"declared_by: sam", b"declared_by: sam, lee"),
    "handoffs": (b"---\n\n#", b'handoffs: [{to: "sam lee"}]\n---\n\n#'),
}
"""Several names in one string where the incident names a service or a responder: the
incident as the fake gives it, and that key as written."""


@pytest.mark.parametrize("refs", [(HEAD,), (BASE, HEAD)], ids=["added", "both"])
@pytest.mark.parametrize("key", list(SEVERAL_IN_ONE))
def test_an_incident_naming_several_in_one_string_brings_each_of_their_teams(
    github: FakeGitHub, tmp_path: Path, refs: tuple[str, ...], key: str
) -> None:
    """Read whole, "warehouse, billing" or "sam, lee" named no service and no responder: an
    incident the pull request adds could drop the data team and the gate opened. Each name
    counts, as in a string written in place of a list."""
    with_teams(github, services=("api",))
    if refs == (HEAD,):
        del github.contents[(BASE, INC_PATH)]
        _tree_at(github, BASE)
    readable, written = SEVERAL_IN_ONE[key]
    # The key is all that brings team data: the warehouse, or lee.
    text = incident(
        services=("api", "warehouse") if key == "services" else ("api",),
        ops_lead="lee" if key == "roles" else "sam",
    )
    assert readable in text
    for ref in refs:
        github.contents[(ref, INC_PATH)] = text.replace(readable, written, 1)
    github.reviews = [review(1, "priyaraman", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 1, result.output
    brought = "owns warehouse" if key == "services" else "responders lee"
    assert f"team data ({brought}) needs 1 approval from its seniors" in result.stdout
    github.reviews.append(review(2, "jotanaka", "APPROVED"))
    assert gate(github, tmp_path).exit_code == 0


def test_a_display_name_where_a_handle_belongs_is_read_whole(
    github: FakeGitHub, tmp_path: Path
) -> None:
    """An outside responder "Jo Ellis" is no "jo" of the roster: read word by word, it asked
    jo's team (data) to approve an incident it had no part in."""
    with_teams(github, services=("api",))
    text = incident(services=("api",), ops_lead="sam")
    for ref in (BASE, HEAD):
        github.contents[(ref, INC_PATH)] = text.replace(
            b"  ops_lead: sam", b'  ops_lead: "Jo Ellis"', 1
        )
    github.reviews = [review(1, "priyaraman", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 0, result.output


def test_an_incident_in_a_shape_the_gate_cannot_read_at_the_base_still_brings_its_teams(
    github: FakeGitHub, tmp_path: Path
) -> None:
    """Every word the base's version holds counts: the pull request mends the incident, and
    drops the warehouse from it."""
    with_teams(github, services=("api",))
    github.contents[(BASE, INC_PATH)] = _odd_incident("services")
    github.reviews = [review(1, "priyaraman", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 1, result.output
    assert "team data (owns warehouse; responders lee)" in result.stdout
    github.reviews.append(review(2, "jotanaka", "APPROVED"))
    assert gate(github, tmp_path).exit_code == 0


def test_an_incident_whose_front_matter_cannot_be_read_at_the_head_keeps_the_gate_closed(
    github: FakeGitHub, tmp_path: Path
) -> None:
    with_teams(github, services=("api",))
    github.contents[(HEAD, INC_PATH)] = b"---\nid: [\n---\n"
    github.reviews = [review(1, "priyaraman", "APPROVED"), review(2, "dana-okafor", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 1, result.output
    assert f"{INC_PATH} (at head ccccccc): its front-matter cannot be read" in result.stdout


@pytest.mark.parametrize("status", ["added", "modified"])
def test_a_postmortem_the_api_cannot_give_at_the_head_keeps_the_gate_closed(
    github: FakeGitHub, tmp_path: Path, status: str
) -> None:
    """Listed as changed, yet not found at the head: the teams it involves cannot be known."""
    with_teams(github)
    github.files = [{"filename": PM_PATH, "status": status}]
    del github.contents[(HEAD, PM_PATH)]
    github.reviews = [review(1, "priyaraman", "APPROVED"), review(2, "dana-okafor", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 1, result.output
    assert f"{PM_PATH}: not found at the head" in result.stdout


def test_an_unknown_severity_asks_the_strictest_count_of_each_team(
    github: FakeGitHub, tmp_path: Path
) -> None:
    with_teams(github, services=("api",))
    github.contents[(BASE, "pyproject.toml")] = PYPROJECT.replace(
        b"approvals = 2", b"approvals = 2\nteam_approvals = 2"
    )
    github.files = [{"filename": PM_PATH, "status": "added"}]
    github.contents[(HEAD, PM_PATH)] = postmortem("SEV9", services=("api",))
    github.reviews = [review(1, "priyaraman", "APPROVED"), review(2, "jotanaka", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 1
    assert "team api (owns api" in result.stdout and "needs 2 approvals" in result.stdout


def test_an_author_written_as_a_login_cannot_approve(github: FakeGitHub, tmp_path: Path) -> None:
    with_teams(github, services=("warehouse",))
    github.contents[(HEAD, PM_PATH)] = postmortem(authors=("jotanaka",), services=("warehouse",))
    github.contents[(BASE, PM_PATH)] = github.contents[(HEAD, PM_PATH)]
    github.reviews = [review(1, "jotanaka", "APPROVED"), review(2, "priyaraman", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 1
    assert "not counted (an author of the postmortem (jo))" in result.stderr
    assert "team data (owns warehouse)" in result.stdout


@pytest.mark.parametrize("written", ['"@jotanaka"', '"@jo"', "Jo Tanaka", "JOTANAKA"])
def test_an_author_written_loosely_cannot_approve(
    github: FakeGitHub, tmp_path: Path, written: str
) -> None:
    """With an @, or by the name the roster gives: lint reports such a file (FM004), and the
    gate still knows who wrote it."""
    with_teams(github, services=("warehouse",))
    github.contents[(HEAD, PM_PATH)] = postmortem(authors=(written,), services=("warehouse",))
    github.reviews = [review(1, "jotanaka", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 1, result.output
    assert "not counted (an author of the postmortem" in result.stderr


def test_an_author_named_as_two_people_are_named_keeps_both_from_approving(
    github: FakeGitHub, tmp_path: Path
) -> None:
    with_teams(github, services=("warehouse",))
    github.contents[(BASE, "people.yaml")] = TEAMS_ROSTER.replace(
        b"teams:", b"  - {handle: jt2, name: Jo Tanaka, github: jt2-gh, senior: true}\nteams:"
    )
    github.contents[(HEAD, PM_PATH)] = postmortem(authors=("Jo Tanaka",), services=("warehouse",))
    github.reviews = [review(1, "jotanaka", "APPROVED"), review(2, "jt2-gh", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 1, result.output
    assert "jt2-gh" in result.stderr and "jotanaka" in result.stderr
    assert result.stderr.count("an author of the postmortem") == 2


def test_a_responder_written_as_a_login_brings_in_their_team(
    github: FakeGitHub, tmp_path: Path
) -> None:
    with_teams(github, services=("api",))
    for ref in (BASE, HEAD):
        github.contents[(ref, INC_PATH)] = incident(services=("api",), ops_lead="jotanaka")
    github.reviews = [review(1, "priyaraman", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 1, result.output
    assert "team data (responders jotanaka) needs 1 approval" in result.stdout


def test_who_opened_the_pull_request_is_not_offered_as_a_reviewer(
    github: FakeGitHub, tmp_path: Path
) -> None:
    with_teams(github)
    github.author = "jotanaka"
    github.reviews = [review(1, "priyaraman", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 1
    assert "team data (owns warehouse) needs 1 approval" in result.stdout
    assert "nobody can" in result.stdout and "could approve: jo" not in result.stdout


def test_a_request_github_cleared_is_not_made_again(github: FakeGitHub, tmp_path: Path) -> None:
    with_teams(github)
    args = ["--repo", REPO, "--pr", "7", "--api-url", github.url, "--max-wait", "0"]
    gate(github, tmp_path, *args, "--request-reviews")
    github.reviews = [review(1, "samlq", "COMMENTED")]  # a review clears the pending request
    for _ in range(2):
        gate(github, tmp_path, *args, "--request-reviews")
    assert len(github.review_requests) == 1


def test_a_person_the_roster_lists_twice_approves_once_for_their_team(
    github: FakeGitHub, tmp_path: Path
) -> None:
    """Two entries for one handle (lint reports it, TM001) are not two of a team's approvals."""
    with_teams(github, services=("web",))
    github.contents[(BASE, "people.yaml")] = TEAMS_ROSTER.replace(
        b"teams:", b"  - {handle: dana, name: Dana O, github: dana-alt, senior: true}\nteams:"
    )
    github.contents[(BASE, "pyproject.toml")] = PYPROJECT.replace(
        b'description = "Major."', b'description = "Major."\napprovals = 2\nteam_approvals = 2'
    )
    github.reviews = [review(1, "dana-okafor", "APPROVED"), review(2, "priyaraman", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 1, result.output
    assert "team web (owns web) needs 2 approvals from its seniors; 1 so far" in result.stdout
    assert "dana, dana" not in result.output


def test_a_review_time_without_an_offset_is_read_as_utc(github: FakeGitHub, tmp_path: Path) -> None:
    github.reviews = [
        review(1, "priyaraman", "CHANGES_REQUESTED", at="2024-05-10T09:00:00Z"),
        review(2, "priyaraman", "APPROVED", at="2024-05-10T10:00:00"),
        review(3, "dana-okafor", "APPROVED", at="2024-05-10T11:00:00+01:00"),
    ]
    result = gate(github, tmp_path)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "broken",
    [{"submitted_at": None}, {"submitted_at": "yesterday"}, {"id": "2"}, {"state": None}],
)
def test_a_review_that_cannot_be_placed_in_order_fails_closed(
    github: FakeGitHub, tmp_path: Path, broken: dict[str, object]
) -> None:
    """Skipping it would drop a request for changes and open the gate."""
    github.reviews = [
        review(1, "priyaraman", "APPROVED"),
        {**review(2, "priyaraman", "CHANGES_REQUESTED"), **broken},
    ]
    result = gate(github, tmp_path)
    assert result.exit_code == 2, result.output
    assert "by priyaraman has no" in result.stderr and "Traceback" not in result.output


@pytest.mark.parametrize(
    "broken",
    [
        {"user": {"type": "User"}},
        {"user": "priyaraman"},
        {"user": {"login": 5}},
        {"user": {"login": ""}},
    ],
)
def test_a_review_that_names_nobody_fails_closed(
    github: FakeGitHub, tmp_path: Path, broken: dict[str, object]
) -> None:
    """Only a deleted account's review has no user (`"user": null`); any other review without
    a login may be a senior's request for changes."""
    github.reviews = [
        review(1, "priyaraman", "APPROVED"),
        {**review(2, "jotanaka", "CHANGES_REQUESTED"), **broken},
    ]
    result = gate(github, tmp_path)
    assert result.exit_code == 2, result.output
    assert result.stderr == "incident: error: GitHub API: review 2 names no user (no user.login)\n"
    not_a_review: list[Any] = ["not a review"]
    github.reviews[1:] = not_a_review  # as a broken answer would list it
    result = gate(github, tmp_path)
    assert result.exit_code == 2, result.output
    assert "GitHub API: a review names no user" in result.stderr


@pytest.mark.parametrize(
    ("written", "owed"),
    [
        ("authors: [sam]", "authors: priya"),  # one author, written without a list
        ("services: [api]", "services: warehouse"),
        ("authors: [sam]", "authors: [sam]\nteams: data"),
        ("services: [api]", "services: api, warehouse"),  # a list without its brackets
        ("authors: [sam]", "authors: sam, priya"),
        ("authors: [sam]", "authors: sam priya"),  # no commas: word by word too
        ("services: [api]", "services: api warehouse"),
    ],
)
def test_a_value_written_without_a_list_still_counts_where_the_file_does_not_validate(
    github: FakeGitHub, tmp_path: Path, written: str, owed: str
) -> None:
    with_teams(github, services=("api",))
    github.files = [{"filename": PM_PATH, "status": "added"}]
    text = postmortem(services=("api",)).decode().replace("services: [api]", "services: [api]")
    github.contents[(HEAD, PM_PATH)] = text.replace(written, owed, 1).encode()
    github.reviews = [review(1, "priyaraman", "APPROVED"), review(2, "dana-okafor", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 1, result.output


def test_an_author_written_by_display_name_without_a_list_cannot_approve(
    github: FakeGitHub, tmp_path: Path
) -> None:
    # Split at spaces, "Priya Raman" named nobody, and she counted for her own postmortem.
    with_teams(github, services=("api",))
    github.contents[(BASE, "people.yaml")] = (
        TEAMS_ROSTER.replace(b"{handle: priya,", b"{handle: praman,")
        .replace(b"[sam, priya]", b"[sam, praman]")
        .replace(b"seniors: [priya]", b"seniors: [praman]")
    )
    github.files = [{"filename": PM_PATH, "status": "added"}]
    github.contents[(HEAD, PM_PATH)] = (
        postmortem(services=("api",))
        .replace(b"authors: [sam]", b"authors: Priya Raman")
        .replace(b"status: in-review", b"status: whatever")
    )
    github.reviews = [review(1, "priyaraman", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 1, result.output
    assert "an author of the postmortem" in result.output


def test_an_incident_written_without_a_list_brings_its_responders_teams(
    github: FakeGitHub, tmp_path: Path
) -> None:
    with_teams(github, services=("api",))
    github.files = [{"filename": PM_PATH, "status": "added"}]
    github.contents[(HEAD, PM_PATH)] = postmortem(services=("api",)).replace(
        b"incidents: [INC-2024-05-02-api-errors]", b"incidents: INC-2024-05-02-api-errors"
    )
    for ref in (BASE, HEAD):
        github.contents[(ref, INC_PATH)] = incident(services=("api",), ops_lead="jo")
    github.reviews = [review(1, "priyaraman", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 1 and "team data (responders jo)" in result.stdout


@pytest.mark.parametrize(
    "path", [PM_PATH, "postmortems/PM-2024-05-02-x (draft).md", "postmortems/2024 (Q2)/PM-x.md"]
)
def test_a_postmortem_whose_front_matter_cannot_be_read_keeps_the_gate_closed(
    github: FakeGitHub, tmp_path: Path, path: str
) -> None:
    # Whatever its name: one with " (" in it was taken for a version at the base.
    with_teams(github, services=("api",))
    github.files = [{"filename": path, "status": "added"}]
    github.contents[(HEAD, path)] = postmortem(services=("web",)).replace(
        b"severity: SEV2", b"severity: [SEV2"
    )
    github.reviews = [review(1, "priyaraman", "APPROVED"), review(2, "dana-okafor", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 1
    assert f"{path}: its front-matter cannot be read" in result.stdout


def test_a_base_version_whose_severity_cannot_be_read_keeps_each_teams_strictest_count(
    github: FakeGitHub, tmp_path: Path
) -> None:
    with_teams(github, services=("api",))
    github.contents[(BASE, "pyproject.toml")] = PYPROJECT.replace(
        b"approvals = 2\n", b"approvals = 2\nteam_approvals = 2\n"
    )
    github.contents[(BASE, "people.yaml")] = TEAMS_ROSTER.replace(
        b"seniors: [priya]", b"seniors: [priya, dana]"
    )
    github.contents[(BASE, PM_PATH)] = b"---\nid: [\n---\n"
    github.reviews = [review(1, "priyaraman", "APPROVED"), review(2, "jotanaka", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 1, result.output
    assert "team api (owns api; responders sam) needs 2 approvals" in result.stdout


def test_a_broken_postmortem_on_the_base_can_be_mended(github: FakeGitHub, tmp_path: Path) -> None:
    with_teams(github, services=("api",))
    github.contents[(BASE, PM_PATH)] = b"---\nid: [\n---\n"
    github.reviews = [review(1, "priyaraman", "APPROVED"), review(2, "dana-okafor", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 0, result.output  # the strictest count (2), and team api


def test_each_team_gives_what_its_strictest_postmortem_asks(
    github: FakeGitHub, tmp_path: Path
) -> None:
    # SEV2 asks two approvals of each team; SEV1 one. A SEV1 postmortem of the api team in
    # the same pull request does not lower what the SEV2 one asks of the data team.
    with_teams(github, services=("warehouse",))
    github.contents[(BASE, "pyproject.toml")] = PYPROJECT + b"team_approvals = 2\n"
    github.contents[(BASE, "people.yaml")] = TEAMS_ROSTER.replace(
        b"seniors: [jo]", b"seniors: [jo, lee]"
    ).replace(
        b"{handle: lee, name: Lee Morgan, github: leemorgan}",
        b"{handle: lee, name: Lee Morgan, github: leemorgan, senior: true}",
    )
    other = "postmortems/PM-2024-05-03-api-latency.md"
    github.files = [
        {"filename": PM_PATH, "status": "added"},
        {"filename": other, "status": "added"},
    ]
    github.contents[(HEAD, PM_PATH)] = postmortem(services=("warehouse",)).replace(
        b"incidents: [INC-2024-05-02-api-errors]", b"incidents: []"
    )
    github.contents[(HEAD, other)] = (
        postmortem("SEV1", services=("api",))
        .replace(b"PM-2024-05-02-api-errors", b"PM-2024-05-03-api-latency")
        .replace(b"incidents: [INC-2024-05-02-api-errors]", b"incidents: []")
    )
    github.reviews = [
        review(1, "priyaraman", "APPROVED"),
        review(2, "jotanaka", "APPROVED"),
        review(3, "dana-okafor", "APPROVED"),
    ]
    result = gate(github, tmp_path)
    assert result.exit_code == 1, result.output
    assert (
        "team data (owns warehouse) needs 2 approvals from its seniors; 1 so far" in result.stdout
    )

    github.reviews.append(review(4, "leemorgan", "APPROVED"))
    result = gate(github, tmp_path)
    assert result.exit_code == 0, result.output


def _tree_at(github: FakeGitHub, ref: str, *paths: str) -> None:
    github.file_tree(ref, paths)


def test_an_incident_kept_in_a_subfolder_is_found_there(github: FakeGitHub, tmp_path: Path) -> None:
    with_teams(github, services=("api",))
    filed = "incidents/2024/INC-2024-05-02-api-errors.md"
    for ref in (BASE, HEAD):
        del github.contents[(ref, INC_PATH)]
        github.contents[(ref, filed)] = incident(services=("api",))
        _tree_at(github, ref, filed, "incidents/2024/INC-2024-05-01-other.md")
    github.reviews = [review(1, "priyaraman", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 0, result.output


def test_a_tree_that_cannot_be_read_is_an_api_error_not_a_missing_incident(
    github: FakeGitHub, tmp_path: Path
) -> None:
    with_teams(github, services=("api",))
    filed = "incidents/2024/INC-2024-05-02-api-errors.md"
    for ref in (BASE, HEAD):
        del github.contents[(ref, INC_PATH)]
        github.contents[(ref, filed)] = incident(services=("api",))
        _tree_at(github, ref, filed)
    github.failing[f"/git/trees/{HEAD}"] = 502
    github.reviews = [review(1, "priyaraman", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 2, result.output
    assert "reading the tree of ccccccc: HTTP 502" in result.stderr
    assert "found neither" not in result.output
    github.failing = {f"/git/trees/{tree_sha(HEAD, 'incidents')}": 502}
    result = gate(github, tmp_path)
    assert result.exit_code == 2, result.output
    assert "reading the tree of incidents/ at ccccccc: HTTP 502" in result.stderr
    github.failing.clear()
    incidents = tree_sha(HEAD, "incidents")
    github.trees[incidents]["truncated"] = True
    github.cut_levels.add(tree_sha(HEAD, "incidents/2024"))
    result = gate(github, tmp_path)
    assert result.exit_code == 2, result.output
    assert "the tree of incidents/2024/ at ccccccc is cut short" in result.stderr


def test_an_incident_moved_into_a_subfolder_is_read_where_it_went(
    github: FakeGitHub, tmp_path: Path
) -> None:
    # The pull request moves the incident and gives jo (team data) the ops lead.
    with_teams(github, services=("api",))
    moved = "incidents/2024/INC-2024-05-02-api-errors.md"
    del github.contents[(HEAD, INC_PATH)]
    github.contents[(HEAD, moved)] = incident(services=("api",), ops_lead="jo")
    _tree_at(github, HEAD, moved)
    github.reviews = [review(1, "priyaraman", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 1 and "team data (responders jo)" in result.stdout


@pytest.mark.parametrize("incidents_folder", [True, False], ids=["empty", "none yet"])
def test_a_new_incident_is_looked_for_in_the_incidents_folder_alone(
    github: FakeGitHub, tmp_path: Path, incidents_folder: bool
) -> None:
    """The pull request adds the incident with its postmortem. The base has no such incident:
    the gate looks in the incidents folder's tree, never in the whole repository's, which
    GitHub cuts short past 100,000 entries."""
    with_teams(github, services=("api",))
    github.files = [
        {"filename": PM_PATH, "status": "added"},
        {"filename": INC_PATH, "status": "added"},
    ]
    del github.contents[(BASE, PM_PATH)]
    del github.contents[(BASE, INC_PATH)]
    _tree_at(github, BASE, "services/api/main.py")
    if not incidents_folder:  # the repository's first incident
        github.trees[BASE]["tree"] = [
            e for e in github.trees[BASE]["tree"] if e["path"] != "incidents"
        ]
    github.trees[BASE]["truncated"] = True  # a large monorepo
    github.reviews = [review(1, "priyaraman", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 0, result.output
    assert f"/repos/{REPO}/git/trees/{BASE}?recursive=1" not in github.requests


@pytest.mark.parametrize("folder", ["incidents", "ops/records/incidents"])
def test_an_incidents_folder_github_cuts_short_is_read_one_level_at_a_time(
    github: FakeGitHub, tmp_path: Path, folder: str
) -> None:
    with_teams(github, services=("api",))
    github.contents[(BASE, "pyproject.toml")] = PYPROJECT.replace(
        b"[tool.incident-docs]\n", f'[tool.incident-docs]\nincidents-dir = "{folder}"\n'.encode()
    )
    filed = f"{folder}/2024/05/INC-2024-05-02-api-errors.md"
    others = [f"{folder}/{year}/INC-{year}-01-01-other.md" for year in (2022, 2023)]
    for ref in (BASE, HEAD):
        del github.contents[(ref, INC_PATH)]
        github.contents[(ref, filed)] = incident(services=("api",), ops_lead="jo")
        _tree_at(github, ref, filed, *others)
        github.trees[ref]["truncated"] = True
        github.trees[tree_sha(ref, folder)]["truncated"] = True
    github.reviews = [review(1, "priyaraman", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 1, result.output
    assert "team data (responders jo)" in result.stdout
    github.reviews.append(review(2, "jotanaka", "APPROVED"))
    assert gate(github, tmp_path).exit_code == 0


def test_an_incidents_folder_that_cannot_be_walked_stops_the_gate(
    github: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_teams(github, services=("api",))
    filed = "incidents/2024/05/INC-2024-05-02-api-errors.md"
    others = [f"incidents/{year}/INC-{year}-01-01-other.md" for year in range(2015, 2024)]
    for ref in (BASE, HEAD):
        del github.contents[(ref, INC_PATH)]
        github.contents[(ref, filed)] = incident(services=("api",))
        _tree_at(github, ref, filed, *others)
        github.trees[tree_sha(ref, "incidents")]["truncated"] = True
    github.reviews = [review(1, "priyaraman", "APPROVED")]
    monkeypatch.setattr("incident_docs.github.MAX_TREE_READS", 5)
    result = gate(github, tmp_path)
    assert result.exit_code == 2, result.output
    assert "more than 5 folders" in result.stderr
    assert "found neither" not in result.output
    # A first level cut short that does not show the incidents folder cannot tell it is not there.
    monkeypatch.undo()
    del github.contents[(BASE, filed)]
    github.trees[BASE]["tree"] = [e for e in github.trees[BASE]["tree"] if e["path"] != "incidents"]
    github.cut_levels.add(BASE)
    result = gate(github, tmp_path)
    assert result.exit_code == 2, result.output
    assert "the tree of bbbbbbb is cut short" in result.stderr


HOSTILE = "x\n::notice title=Review gate::satisfied\n::add-mask::needs\r##[add-mask]gate\u202e"
"""Record text that, printed as it is inside GitHub Actions, would be obeyed by the runner."""
OWN_ANNOTATION = "::error title=Postmortem review gate::"


def _obeyed(text: str) -> list[str]:
    """The lines the Actions runner would read as workflow commands: `::command` at a line's
    start (after spaces), or the older `##[command]` anywhere; the gate's own annotations
    aside."""
    return [
        line
        for line in text.splitlines()
        if "##[" in line or (line.lstrip().startswith("::") and not line.startswith(OWN_ANNOTATION))
    ]


def test_record_text_never_starts_a_line_or_a_workflow_command(
    github: FakeGitHub, tmp_path: Path
) -> None:
    """Values from the records (an `incidents:` string holding line breaks) and from the API (a
    file name holding one) are written out, on both streams and in the step summary."""
    with_teams(github, services=("api",))
    quoted = json.dumps(HOSTILE)  # a YAML double-quoted string
    github.contents[(HEAD, PM_PATH)] = (
        postmortem(services=("api",))
        .decode()
        .replace("incidents: [INC-2024-05-02-api-errors]", f"incidents: {quoted}")
        .encode()
    )
    github.files.append({"filename": f"postmortems/{HOSTILE}.md", "status": "added"})
    github.reviews = [review(1, "priyaraman", "APPROVED", commit="a" * 40)]
    summary = tmp_path / "summary.md"
    result = gate(github, tmp_path, GITHUB_ACTIONS="true", GITHUB_STEP_SUMMARY=str(summary))
    assert result.exit_code == 1, result.output
    assert OWN_ANNOTATION in result.stdout  # the gate's own commands still go out
    assert _obeyed(result.stdout) == [] and _obeyed(result.stderr) == []
    assert "::add-mask::needs" in result.stdout  # shown, as text within a line
    written = summary.read_text()
    for text in (result.stdout, result.stderr, written):
        assert "\r" not in text and "\u202e" not in text
    assert not any(line.lstrip().startswith("::") for line in written.splitlines())


def test_an_error_of_several_lines_is_one_annotation_of_as_many_lines(
    github: FakeGitHub, tmp_path: Path
) -> None:
    # The base's configuration wrong in two settings: written "\\u000a", the annotation read as
    # one garbled line; the runner shows %0A as a line break.
    github.contents[(BASE, "pyproject.toml")] = (
        PYPROJECT + b"\n[tool.incident-docs.review]\nteam-approvals = -1\nbots = 3\n"
    )
    result = gate(github, tmp_path, GITHUB_ACTIONS="true")
    assert result.exit_code == 2, result.output
    [annotation] = [line for line in result.stdout.splitlines() if line.startswith(OWN_ANNOTATION)]
    assert annotation.count("%0A") == 1 and "\\u000a" not in annotation
    assert "team-approvals" in annotation and "bots" in annotation


def test_an_error_carrying_api_text_starts_no_workflow_command(
    github: FakeGitHub, tmp_path: Path
) -> None:
    github.failures = [(404, {}, f"Not Found {HOSTILE}")]
    summary = tmp_path / "summary.md"
    result = gate(github, tmp_path, GITHUB_ACTIONS="true", GITHUB_STEP_SUMMARY=str(summary))
    assert result.exit_code == 2, result.output
    assert "HTTP 404 not found: Not Found x" in result.stderr
    assert _obeyed(result.stdout) == [] and _obeyed(result.stderr) == []
    assert all(line.startswith("incident: error: ") for line in result.stderr.splitlines())
    written = summary.read_text()
    assert "**could not run**: reading pull request #7: HTTP 404" in written
    assert not any(line.lstrip().startswith("::") for line in written.splitlines())


def test_a_postmortem_less_severe_than_its_incident_needs_the_incidents_approvals(
    github: FakeGitHub, tmp_path: Path
) -> None:
    """A new SEV2 postmortem of a SEV1 incident needs the SEV1's two approvals, and says why."""
    github.files = [{"filename": PM_PATH, "status": "added"}]
    github.contents[(BASE, INC_PATH)] = incident(severity="SEV1")
    github.contents[(HEAD, INC_PATH)] = incident(severity="SEV1")
    github.reviews = [review(1, "priyaraman", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 1, result.output
    assert (
        "needs 2 senior approvals (SEV1, the severity of its incident INC-2024-05-02-api-errors "
        f"at base bbbbbbb; {PM_PATH} says SEV2) on head ccccccc; 1 counted" in result.stdout
    )
    github.reviews.append(review(2, "dana-okafor", "APPROVED"))
    result = gate(github, tmp_path)
    assert result.exit_code == 0, result.output
    assert (
        "note: the approvals needed are those of SEV1, the severity of its incident "
        "INC-2024-05-02-api-errors at base bbbbbbb" in result.stderr
    )


@pytest.mark.parametrize(
    ("at_base", "at_head"),
    [
        ("SEV1", "SEV2"),  # lowered with the postmortem's in the same pull request
        (None, "SEV1"),  # an incident the pull request adds
        ("SEV2", "SEV1"),  # raised by the pull request
    ],
)
def test_the_most_severe_version_of_the_incident_sets_the_bar(
    github: FakeGitHub, tmp_path: Path, at_base: str | None, at_head: str
) -> None:
    github.files = [{"filename": PM_PATH, "status": "added"}]
    if at_base is not None:
        github.contents[(BASE, INC_PATH)] = incident(severity=at_base)
    github.contents[(HEAD, INC_PATH)] = incident(severity=at_head)
    github.reviews = [review(1, "priyaraman", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 1, result.output
    assert "needs 2 senior approvals (SEV1, the severity of its incident" in result.stdout


def test_each_team_gives_what_the_incidents_severity_asks(
    github: FakeGitHub, tmp_path: Path
) -> None:
    with_teams(github, services=("api",))
    github.contents[(BASE, "pyproject.toml")] = PYPROJECT.replace(
        b"approvals = 2\n", b"approvals = 1\nteam_approvals = 2\n"
    )
    github.contents[(BASE, "people.yaml")] = TEAMS_ROSTER.replace(
        b"seniors: [priya]", b"seniors: [priya, dana]"
    )
    for ref in (BASE, HEAD):
        github.contents[(ref, INC_PATH)] = incident(services=("api",), severity="SEV1")
    github.reviews = [review(1, "priyaraman", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 1, result.output
    assert "team api (owns api; responders sam) needs 2 approvals from its seniors" in (
        result.stdout
    )
    github.reviews.append(review(2, "dana-okafor", "APPROVED"))
    assert gate(github, tmp_path).exit_code == 0


def test_an_incident_whose_severity_cannot_be_read_asks_the_strictest_count(
    github: FakeGitHub, tmp_path: Path
) -> None:
    for ref in (BASE, HEAD):
        github.contents[(ref, INC_PATH)] = incident(severity="critical")
    github.reviews = [review(1, "priyaraman", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 1, result.output
    assert "needs 2 senior approvals" in result.stdout


def test_a_step_summary_that_cannot_be_written_does_not_hide_the_decision(
    github: FakeGitHub, tmp_path: Path
) -> None:
    """A warning naming GITHUB_STEP_SUMMARY, once; the decision and its exit code stay."""
    folder = str(tmp_path)  # a folder, not a file
    result = gate(github, tmp_path, GITHUB_STEP_SUMMARY=folder)
    assert result.exit_code == 1, result.output
    assert "needs 1 senior approval" in result.stdout
    assert result.stderr.count(f"GITHUB_STEP_SUMMARY {folder}: cannot write") == 1
    github.reviews = [review(1, "priyaraman", "APPROVED")]
    result = gate(github, tmp_path, GITHUB_STEP_SUMMARY=folder)
    assert result.exit_code == 0, result.output
    assert "review gate: satisfied" in result.stdout
    github.files = [{"filename": "README.md", "status": "modified"}]
    result = gate(github, tmp_path, GITHUB_STEP_SUMMARY=folder)
    assert result.exit_code == 0 and "not applicable" in result.stdout
    github.failures = [(401, {})]
    result = gate(github, tmp_path, GITHUB_STEP_SUMMARY=folder)
    assert result.exit_code == 2, result.output
    assert "reading pull request #7: HTTP 401 unauthorized" in result.stderr
    assert result.stderr.count("GITHUB_STEP_SUMMARY") == 1


def test_a_team_line_says_whose_approval_is_of_an_older_commit(
    github: FakeGitHub, tmp_path: Path
) -> None:
    """The senior a team waits for approved before the postmortems changed: the line that asks
    for them says so, and that they need to approve again."""
    with_teams(github, services=("api",))
    github.reviews = [review(1, "priyaraman", "APPROVED", commit=OLD)]
    github.compares[(OLD, HEAD)] = {"status": "ahead", "files": [{"filename": PM_PATH}]}
    result = gate(github, tmp_path)
    assert result.exit_code == 1, result.output
    assert (
        "team api (owns api; responders sam) needs 1 approval from its seniors; 0 so far; "
        "could approve: priya (@priyaraman), whose approval is of aaaaaaa, an older commit, "
        "and postmortems changed since: approve again" in result.stdout
    )


def test_the_satisfied_line_says_how_many_approvals_were_needed(
    github: FakeGitHub, tmp_path: Path
) -> None:
    github.reviews = [review(1, "priyaraman", "APPROVED"), review(2, "dana-okafor", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 0, result.output
    assert (
        "review gate: satisfied: 2 senior approvals (1 needed) on head ccccccc: "
        "dana-okafor, priyaraman" in result.stdout
    )


def test_a_count_forced_by_an_unreadable_severity_says_so(
    github: FakeGitHub, tmp_path: Path
) -> None:
    github.contents[(HEAD, PM_PATH)] = postmortem("critical")
    github.reviews = [review(1, "priyaraman", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 1, result.output
    assert (
        "needs 2 senior approvals (the strictest count: the severity of "
        f"{PM_PATH} cannot be read) on head ccccccc; 1 counted" in result.stdout
    )


@pytest.mark.parametrize(
    "event",
    [
        {"pull_request": {"number": True}},
        {"pull_request": {"number": -3}},
        {"pull_request": {"number": 0}},
        {"pull_request": {"number": "7"}},
        {"pull_request": {"number": 7.0}},
        {"pull_request": [7]},
    ],
)
def test_an_event_whose_pull_request_number_is_no_number_is_refused(
    github: FakeGitHub, tmp_path: Path, event: dict[str, object]
) -> None:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event))
    args = ["--repo", REPO, "--api-url", github.url, "--max-wait", "0"]
    result = gate(github, tmp_path, *args, GITHUB_EVENT_PATH=str(path))
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"incident: error: GITHUB_EVENT_PATH {path}: ")
    assert "pull_request" in result.stderr and result.stderr.count("\n") == 1
    assert github.requests == []


def test_an_event_nested_deeper_than_python_reads_is_a_clear_error(
    github: FakeGitHub, tmp_path: Path
) -> None:
    path = tmp_path / "event.json"
    path.write_text("[" * 200_000)
    args = ["--repo", REPO, "--api-url", github.url, "--max-wait", "0"]
    result = gate(github, tmp_path, *args, GITHUB_EVENT_PATH=str(path))
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"incident: error: GITHUB_EVENT_PATH {path}: cannot read")


# --- follow-up updates: what `incident actions sync` writes ------------------------------------

SYNC_BOT = "github-actions[bot]"


def followed_up(n: int, status: str = "open", tracker: str = "", body: str = "") -> bytes:
    """Postmortem number n, of its own incident, with one action item."""
    link = f"\n    tracker: {tracker}" if tracker else ""
    return f"""\
---
id: PM-2024-05-02-api-errors-{n}
title: "Postmortem: API errors {n}"
incidents: [INC-2024-05-02-api-errors-{n}]
status: approved
severity: SEV2
authors: [sam]
services: [api]
action_items:
  - title: Canary every deploy
    owner: priya
    type: prevent
    status: {status}{link}
---

# Postmortem: API errors {n}
{body}""".encode()


def sync_pull_request(fake: FakeGitHub, count: int = 25) -> list[str]:
    """The sync's pull request: `count` postmortems, each item closed and linked to its issue."""
    fake.author = SYNC_BOT
    paths = [f"postmortems/PM-2024-05-02-api-errors-{n}.md" for n in range(count)]
    fake.files = [{"filename": path, "status": "modified"} for path in paths]
    for n, path in enumerate(paths):
        fake.contents[(BASE, path)] = followed_up(n)
        issue = f"{fake.url}/{REPO}/issues/{n + 1}"  # as the sync writes it: the web root
        fake.contents[(HEAD, path)] = followed_up(n, "done", issue)
        # Its incident, which the gate reads only when the postmortem is reviewed.
        named = f"INC-2024-05-02-api-errors-{n}"
        for ref in (BASE, HEAD):
            fake.contents[(ref, f"incidents/{named}.md")] = incident().replace(
                b"INC-2024-05-02-api-errors", named.encode()
            )
    return paths


def test_a_sync_of_action_items_needs_no_senior_review(github: FakeGitHub, tmp_path: Path) -> None:
    """25 postmortems name 25 incidents, more than the gate reads: none is read, nobody asked."""
    github.contents[(BASE, "people.yaml")] = TEAMS_ROSTER
    paths = sync_pull_request(github)
    args = ["--repo", REPO, "--pr", "7", "--api-url", github.url, "--max-wait", "0"]
    summary = tmp_path / "summary.md"
    result = gate(github, tmp_path, *args, "--request-reviews", GITHUB_STEP_SUMMARY=str(summary))
    assert result.exit_code == 0, result.output
    assert (
        "**satisfied**: only action items' status and tracker changed in "
        f"`{paths[0]}`, `{paths[1]}`" in summary.read_text(encoding="utf-8")
    )
    assert result.stdout == (
        "review gate: satisfied: only action items' status and tracker changed in "
        f"{paths[0]}, {paths[1]}, {paths[2]} and 22 more: no senior review needed\n"
    )
    assert (
        "follow-up update, not reviewed (only action items' status and tracker changed): "
        f"{paths[24]}" in result.stderr
    )
    assert not [r for r in github.requests if "/contents/incidents/" in r or "/reviews" in r]
    assert github.review_requests == []


def test_a_sync_with_one_real_change_gates_only_that_postmortem(
    github: FakeGitHub, tmp_path: Path
) -> None:
    paths = sync_pull_request(github)
    github.contents[(HEAD, paths[3])] = github.contents[(HEAD, paths[3])].replace(
        b"Canary every deploy", b"Canary every web deploy"
    )
    for ref in (BASE, HEAD):
        github.contents[(ref, "incidents/INC-2024-05-02-api-errors-3.md")] = incident().replace(
            b"INC-2024-05-02-api-errors", b"INC-2024-05-02-api-errors-3"
        )
    result = gate(github, tmp_path)
    assert result.exit_code == 1, result.output
    assert result.stdout.startswith(
        f"needs 1 senior approval (SEV2: {paths[3]}) on head ccccccc; 0 counted\n"
    )
    assert f"not reviewed (only action items' status and tracker changed): {paths[4]}" in (
        result.stderr
    )
    assert f"): {paths[3]}" not in result.stderr
    read = [r for r in github.requests if "/contents/incidents/" in r]
    assert read and all("api-errors-3.md" in r for r in read)

    github.reviews = [review(1, "priyaraman", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 0, result.output
    assert "satisfied: 1 senior approval (1 needed) on head ccccccc: priyaraman" in result.stdout


@pytest.mark.parametrize(
    "change",
    [
        {"status": "added"},
        {"status": "removed"},
        {"status": "renamed", "previous_filename": "postmortems/PM-2024-05-02-old-name.md"},
        {"status": "modified", "base": b"---\ntitle: [broken\n---\n"},
        {"status": "modified", "base": None},
    ],
    ids=["added", "removed", "renamed", "unreadable at base", "missing at base"],
)
def test_a_postmortem_not_changed_in_place_is_reviewed_whatever_its_items_say(
    github: FakeGitHub, tmp_path: Path, change: dict[str, object]
) -> None:
    (path,) = sync_pull_request(github, count=1)
    base = change.pop("base", github.contents[(BASE, path)])
    previous = change.get("previous_filename", path)
    github.contents.pop((BASE, path))
    if base is not None:
        assert isinstance(base, bytes) and isinstance(previous, str)
        github.contents[(BASE, previous)] = base
    github.files = [{"filename": path, **change}]
    result = gate(github, tmp_path)
    assert result.exit_code == 1, result.output
    assert result.stdout.startswith("needs "), result.stdout  # senior approvals
    assert "not reviewed" not in result.stderr


def test_an_approval_stays_when_only_action_items_changed_since(
    github: FakeGitHub, tmp_path: Path
) -> None:
    """A senior approved an edit of one postmortem; then the sync landed on the branch, setting
    the state of that postmortem's item and of another's."""
    edited, other = sync_pull_request(github, count=2)
    github.author = "samlq"
    text = "\nThe deploy raised the error rate.\n"
    github.contents[(OLD, edited)] = followed_up(0, body=text)
    github.contents[(HEAD, edited)] = followed_up(0, "done", body=text)
    github.contents[(OLD, other)] = followed_up(1)
    github.reviews = [review(1, "priyaraman", "APPROVED", commit=OLD)]
    github.compares[(OLD, HEAD)] = {
        "status": "ahead",
        "files": [{"filename": path, "status": "modified"} for path in (edited, other)],
    }
    result = gate(github, tmp_path)
    assert result.exit_code == 0, result.output
    assert "counted: since then only action items' status and tracker changed" in result.stderr

    # The same, had the sync's commit changed an item's title too: approve again.
    github.contents[(HEAD, edited)] = followed_up(0, "done", body=text).replace(
        b"Canary every deploy", b"Canary every web deploy"
    )
    result = gate(github, tmp_path)
    assert result.exit_code == 1, result.output
    assert "priyaraman (approved aaaaaaa; postmortems changed since)" in result.stdout


# --- several handles or labels with a capital in one string ---------------------------------

CAPITALISED = {
    # lee (team data) among roster handles written with a capital
    "declared_by": (b"declared_by: sam", b'declared_by: "Sam Lee"', "sam"),
    "ops_lead": (b"  ops_lead: sam", b'  ops_lead: "Sam Lee"', "sam"),
    "handoffs": (b"---\n\n#", b'handoffs: [{to: "Sam Lee"}]\n---\n\n#', "sam"),
    # the warehouse (team data) in a string of labels with a capital
    "services-list": (b"services: [api]", b'services: [api, "Warehouse billing"]', "sam"),
    "services-string": (b"services: [api]", b"services: Api Warehouse", "sam"),
}


@pytest.mark.parametrize("refs", [(HEAD,), (BASE, HEAD)], ids=["added", "both"])
@pytest.mark.parametrize("key", list(CAPITALISED))
def test_several_names_with_a_capital_still_bring_each_team(
    github: FakeGitHub, tmp_path: Path, refs: tuple[str, ...], key: str
) -> None:
    """Only lee, or the warehouse, brings team data; written with a capital, it is read whole,
    names no one and nothing, and priya alone opens the gate."""
    with_teams(github, services=("api",))
    if refs == (HEAD,):
        del github.contents[(BASE, INC_PATH)]
        _tree_at(github, BASE)
    readable, written, ops_lead = CAPITALISED[key]
    text = incident(services=("api",), ops_lead=ops_lead)
    assert readable in text
    for ref in refs:
        github.contents[(ref, INC_PATH)] = text.replace(readable, written, 1)
    github.reviews = [review(1, "priyaraman", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 1, result.output
    assert "team data" in result.stdout


def _roster_with_handle(old: str, new: str) -> bytes:
    """TEAMS_ROSTER with one handle spelt with capitals (handles may hold them)."""
    return TEAMS_ROSTER.replace(f"{{handle: {old},".encode(), f"{{handle: {new},".encode()).replace(
        b"members: [jo, lee]", f"members: [jo, {new}]".encode()
    )


@pytest.mark.parametrize("written", ['"sam LeeM"', '"LeeM sam"'])
def test_a_handle_spelt_as_the_roster_spells_it_still_brings_its_team(
    github: FakeGitHub, tmp_path: Path, written: str
) -> None:
    with_teams(github, services=("api",))
    github.contents[(BASE, "people.yaml")] = _roster_with_handle("lee", "LeeM")
    text = incident(services=("api",), ops_lead="sam")
    for ref in (BASE, HEAD):
        github.contents[(ref, INC_PATH)] = text.replace(
            b"  ops_lead: sam", b"  ops_lead: " + written.encode(), 1
        )
    github.reviews = [review(1, "priyaraman", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 1, result.output
    assert "team data" in result.stdout


@pytest.mark.parametrize(
    ("replaced", "written", "said"),
    [
        # priya wrote it (with sam): she is api's only senior, and must not approve for it.
        (b"authors: [sam]", b"authors: Priya Sam", "an author of the postmortem"),
        (b"authors: [sam]", b"authors: [Priya Sam]", "an author of the postmortem"),
        # Labels hold no capital that matters: the warehouse, and team data, still count.
        (b"services: [api]", b"services: Api Warehouse", "team data"),
        (b"services: [api]", b"services: [Api Warehouse]", "team data"),
        (b"services: [api]", b"teams: Api Data", "team data"),
    ],
)
def test_a_postmortem_naming_several_with_a_capital_still_counts_each(
    github: FakeGitHub, tmp_path: Path, replaced: bytes, written: bytes, said: str
) -> None:
    with_teams(github, services=("api",))
    github.files = [{"filename": PM_PATH, "status": "added"}]
    github.contents[(HEAD, PM_PATH)] = (
        postmortem(services=("api",))
        .replace(replaced, written)
        .replace(b"status: in-review", b"status: whatever")
    )
    github.reviews = [review(1, "priyaraman", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code == 1, result.output
    assert said in result.output


def test_two_incidents_in_one_string_with_capitals_keep_the_gate_closed(
    github: FakeGitHub, tmp_path: Path
) -> None:
    """Read whole, "INC-… INC-…" is an incident found nowhere: closed, not opened."""
    with_teams(github, services=("api",))
    github.files = [{"filename": PM_PATH, "status": "added"}]
    github.contents[(HEAD, PM_PATH)] = (
        postmortem(services=("api",))
        .replace(
            b"incidents: [INC-2024-05-02-api-errors]",
            b"incidents: INC-2024-05-02-api-errors INC-2024-05-03-other",
        )
        .replace(b"status: in-review", b"status: whatever")
    )
    github.reviews = [review(1, "priyaraman", "APPROVED"), review(2, "jotanaka", "APPROVED")]
    result = gate(github, tmp_path)
    assert result.exit_code != 0, result.output
