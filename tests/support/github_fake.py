"""A fake GitHub REST API on 127.0.0.1 for the review gate; the `github` fixture in conftest serves it."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

REPO = "acme/ops"
BASE = "b" * 40
HEAD = "c" * 40
OLD = "a" * 40
PM_PATH = "postmortems/PM-2024-05-02-api-errors.md"
MAX_PER_PAGE = 100
"""GitHub's largest page of a list endpoint, which the client asks for."""

ROSTER = b"""\
people:
  - {handle: sam, name: Sam Lindqvist, github: samlq}
  - {handle: lee, name: Lee Morgan, github: leemorgan}
  - {handle: dana, name: Dana Okafor, github: dana-okafor, senior: true, maintainer: true}
  - {handle: priya, name: Priya Raman, github: priyaraman, senior: true}
  - {handle: jo, name: Jo Tanaka, github: jotanaka, senior: true}
"""

PYPROJECT = b"""\
[tool.incident-docs]
[[tool.incident-docs.severities]]
name = "SEV1"
description = "Critical."
approvals = 2
[[tool.incident-docs.severities]]
name = "SEV2"
description = "Major."
"""


TEAMS_ROSTER = (
    ROSTER
    + b"""\
teams:
  - {name: api, members: [sam, priya], seniors: [priya], services: [api], github_team: api-team}
  - {name: data, members: [jo, lee], seniors: [jo], services: [warehouse]}
  - {name: web, members: [dana], seniors: [dana], services: [web]}
"""
)
"""Three teams: api owns the api service, data the warehouse, web the web front end."""

INC_PATH = "incidents/INC-2024-05-02-api-errors.md"


def postmortem(
    severity: str = "SEV2",
    authors: tuple[str, ...] = ("sam",),
    services: tuple[str, ...] = (),
) -> bytes:
    listed = f"services: [{', '.join(services)}]\n" if services else ""
    return f"""\
---
id: PM-2024-05-02-api-errors
title: "Postmortem: API errors after deploy"
incidents: [INC-2024-05-02-api-errors]
status: in-review
severity: {severity}
authors: [{", ".join(authors)}]
{listed}---

# Postmortem: API errors after deploy
""".encode()


def incident(
    services: tuple[str, ...] = ("api",), ops_lead: str = "sam", severity: str = "SEV2"
) -> bytes:
    """The postmortem's incident: declared by sam, who held command; `ops_lead` ran the fix."""
    return f"""\
---
id: INC-2024-05-02-api-errors
title: API errors after deploy
severity: {severity}
status: resolved
declared_at: 2024-05-02T10:05:00Z
declared_by: sam
resolved_at: 2024-05-02T11:00:00Z
services: [{", ".join(services)}]
roles:
  incident_commander: sam
  communications_lead: sam
  ops_lead: {ops_lead}
---

# API errors after deploy
""".encode()


def review(
    review_id: int,
    login: str,
    state: str,
    commit: str = HEAD,
    at: str | None = None,
    user_type: str = "User",
) -> dict[str, Any]:
    when = at or f"2024-05-10T{10 + review_id // 60:02d}:{review_id % 60:02d}:00Z"
    return {
        "id": review_id,
        "user": {"login": login, "type": user_type},
        "state": state,
        "commit_id": commit,
        "submitted_at": when,
    }


@dataclass
class FakeGitHub:
    """The endpoints the gate reads; every list pages with Link headers like GitHub's."""

    server: HTTPServer
    author: str = "samlq"
    head: str = HEAD
    base: str = BASE
    files: list[dict[str, Any]] = field(
        default_factory=lambda: [{"filename": PM_PATH, "status": "modified"}]
    )
    reviews: list[dict[str, Any]] = field(default_factory=list)
    contents: dict[tuple[str, str], bytes] = field(default_factory=dict)
    compares: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    failures: list[tuple[int, dict[str, str]] | tuple[int, dict[str, str], str]] = field(
        default_factory=list
    )
    """Answers given before any other, in order: a status, headers and perhaps a message."""
    failing: dict[str, int] = field(default_factory=dict)
    """Paths after the repository's ("/git/trees/SHA") always answered with this status."""
    trees: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Git trees by SHA, as `git/trees/SHA?recursive=1` answers them; without `recursive`, the
    entries of their first level. One whose `truncated` is true is answered recursively as
    GitHub answers a tree it cuts short: a part of it (here, its first level)."""
    cut_levels: set[str] = field(default_factory=set)
    """Trees whose first level alone (no `recursive`) is cut short too."""
    commit_trees: dict[str, str] = field(default_factory=dict)
    """The tree of each commit, as `git/commits/SHA` names it."""
    requests: list[str] = field(default_factory=list)
    tokens: list[str | None] = field(default_factory=list)
    requested: dict[str, list[str]] = field(default_factory=lambda: {"users": [], "teams": []})
    """Reviewers ever asked for on the pull request (logins and team slugs), as its timeline
    keeps them: a request GitHub cleared (after a review) is still there."""
    review_requests: list[dict[str, Any]] = field(default_factory=list)
    """The bodies of the requests that asked for reviewers, in order."""
    refuses_teams: bool = False
    """Whether asking a team for a review is refused, as GitHub refuses the workflow token
    (422: it cannot read the organisation's teams)."""
    counts_files: bool = True
    """Whether the pull request says how many files it changes (`changed_files`)."""
    links: str = "github"
    """How the lists write their Link headers: "github" as GitHub does; "comma", with a comma
    in each address (`&sort=created,asc`); "split", rel="last" and rel="next" on two Link
    lines, the last first; "unreadable", the next page's address never closed."""

    def __post_init__(self) -> None:
        self.contents.setdefault((BASE, "people.yaml"), ROSTER)
        self.contents.setdefault((BASE, "pyproject.toml"), PYPROJECT)
        self.contents.setdefault((HEAD, PM_PATH), postmortem())
        for ref in (BASE, HEAD):  # the incident the postmortem names, as an archive has it
            self.contents.setdefault((ref, INC_PATH), incident())
        self.server.expect_request(re.compile(".*")).respond_with_handler(self.handle)

    @property
    def url(self) -> str:
        return self.server.url_for("").rstrip("/")

    def push(self, new_head: str, *, changed: list[str]) -> None:
        """A new commit on the pull request; `changed` are the files it touched."""
        previous = self.head
        self.head = new_head
        for (ref, path), content in list(self.contents.items()):
            if ref == previous:
                self.contents.setdefault((new_head, path), content)
        for (reviewed, head), answer in list(self.compares.items()):
            if head == previous:
                files = answer["files"] + [{"filename": p, "status": "modified"} for p in changed]
                self.compares[(reviewed, new_head)] = {"status": "ahead", "files": files}
        self.compares[(previous, new_head)] = {
            "status": "ahead",
            "files": [{"filename": p, "status": "modified"} for p in changed],
        }

    def file_tree(self, ref: str, paths: Iterable[str]) -> None:
        """The commit's files as git keeps them, one tree per folder (the commit's own answers
        for its root), the incidents folder among them even when empty."""
        files = sorted(set(paths))
        folders = {"", "incidents"}
        for path in files:
            parts = path.split("/")[:-1]
            folders.update("/".join(parts[: n + 1]) for n in range(len(parts)))
        for folder in folders:
            under = f"{folder}/" if folder else ""
            entries = [
                {"path": other[len(under) :], "type": "tree", "sha": tree_sha(ref, other)}
                for other in folders
                if other != folder and other.startswith(under)
            ] + [
                {"path": path[len(under) :], "type": "blob", "sha": f"s{n}"}
                for n, path in enumerate(files)
                if path.startswith(under)
            ]
            entries.sort(key=lambda e: e["path"] + ("/" if e["type"] == "tree" else ""))
            sha = tree_sha(ref, folder)
            self.trees[sha] = {"sha": sha, "truncated": False, "tree": entries}

    def handle(self, request: Request) -> Response:
        self.requests.append(request.full_path)
        self.tokens.append(request.headers.get("Authorization"))
        if self.failures:
            failure = self.failures.pop(0)
            status, headers = failure[0], failure[1]
            message = failure[2] if len(failure) == 3 else f"failure {status}"
            return json_response({"message": message}, status, headers)
        path = request.path
        prefix = f"/repos/{REPO}"
        if not path.startswith(prefix):
            return json_response({"message": "Not Found"}, 404)
        rest = path[len(prefix) :]
        if rest in self.failing:
            return json_response({"message": "Server Error"}, self.failing[rest])
        if rest == "/pulls/7":
            return json_response(
                {
                    "number": 7,
                    "user": {"login": self.author, "type": "User"},
                    "head": {"sha": self.head},
                    "base": {"sha": self.base, "ref": "main"},
                    **({"changed_files": len(self.files)} if self.counts_files else {}),
                }
            )
        if rest == "/pulls/7/files":
            return paged(request, self.files, self.links)
        if rest == "/pulls/7/reviews":
            return paged(request, self.reviews, self.links)
        if rest == "/issues/7/timeline":
            events = [
                {"event": "review_requested", "requested_reviewer": {"login": login}}
                for login in self.requested["users"]
            ] + [
                {"event": "review_requested", "requested_team": {"slug": slug}}
                for slug in self.requested["teams"]
            ]
            return paged(request, [{"event": "commented"}, *events])
        if rest == "/pulls/7/requested_reviewers" and request.method == "POST":
            body = request.get_json()
            if self.refuses_teams and body.get("team_reviewers"):
                errors = ["Could not resolve to a node with the global id of 'T_kwDOAAWW-c4'."]
                return json_response({"message": "Validation Failed", "errors": errors}, 422)
            self.review_requests.append(body)
            self.requested["users"] += body.get("reviewers", [])
            self.requested["teams"] += body.get("team_reviewers", [])
            return json_response({"number": 7}, 201)
        if rest.startswith("/compare/"):
            reviewed, _, head = rest[len("/compare/") :].partition("...")
            answer = self.compares.get((reviewed, head))
            if answer is None and reviewed == self.base and head != self.head:
                # What the pull request changed at an older commit: by default what it changes
                # now, from the same base.
                answer = {
                    "status": "ahead",
                    "merge_base_commit": {"sha": self.base},
                    "files": self.files,
                }
            return (
                json_response(answer)
                if answer is not None
                else json_response({"message": "Not Found"}, 404)
            )
        if rest.startswith("/git/trees/"):
            sha = rest[len("/git/trees/") :]
            tree = self.trees.get(sha)
            if not tree:
                return json_response({"message": "Not Found"}, 404)
            entries = tree.get("tree")
            if isinstance(entries, list) and (
                "recursive" not in request.args or tree.get("truncated") is True
            ):
                top = [e for e in entries if "/" not in str(e.get("path"))]
                cut = (
                    tree.get("truncated") if "recursive" in request.args else sha in self.cut_levels
                )
                return json_response({**tree, "truncated": cut, "tree": top})
            return json_response(tree)
        if rest.startswith("/git/commits/"):
            sha = rest[len("/git/commits/") :]
            if sha not in self.commit_trees:
                return json_response({"message": "Not Found"}, 404)
            return json_response({"sha": sha, "tree": {"sha": self.commit_trees[sha]}})
        if rest.startswith("/contents/"):
            name = urllib.parse.unquote(rest[len("/contents/") :])
            content = self.contents.get((request.args.get("ref", ""), name))
            if content is None:
                return json_response({"message": "Not Found"}, 404)
            return json_response(
                {
                    "type": "file",
                    "path": name,
                    "encoding": "base64",
                    "content": base64.encodebytes(content).decode(),
                }
            )
        return json_response({"message": "Not Found"}, 404)


def tree_sha(ref: str, folder: str) -> str:
    """The SHA of a folder's tree at a commit in FakeGitHub.file_tree: the commit's own for its
    root."""
    return hashlib.sha1(f"{ref}:{folder}".encode()).hexdigest() if folder else ref


def paged(request: Request, items: list[dict[str, Any]], links: str = "github") -> Response:
    """One page of a list, with a Link header to the next and the last, written as `links`
    says (see FakeGitHub.links)."""
    per_page = min(int(request.args.get("per_page", "30")), MAX_PER_PAGE)
    page = int(request.args.get("page", "1"))
    chunk = items[(page - 1) * per_page : page * per_page]
    headers: list[tuple[str, str]] = []
    last = max(1, -(-len(items) // per_page))
    if page < last:
        query = {key: value for key, value in request.args.items() if key not in ("page", "sort")}
        sort = "&sort=created,asc" if links == "comma" else ""

        def at(number: int) -> str:
            args = urllib.parse.urlencode({**query, "page": str(number)})
            return f"{request.base_url}?{args}{sort}"

        if links == "split":
            headers += [
                ("Link", f'<{at(last)}>; rel="last"'),
                ("Link", f'<{at(page + 1)}>; rel="next"'),
            ]
        elif links == "unreadable":
            headers.append(("Link", f'<{at(page + 1)}; rel="next"'))
        else:
            headers.append(("Link", f'<{at(page + 1)}>; rel="next", <{at(last)}>; rel="last"'))
    return json_response(chunk, 200, headers)


def json_response(
    payload: Any,
    status: int = 200,
    headers: dict[str, str] | list[tuple[str, str]] | None = None,
) -> Response:
    return Response(
        json.dumps(payload), status=status, headers=headers, content_type="application/json"
    )
