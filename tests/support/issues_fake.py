"""A fake GitHub issues API on 127.0.0.1 for `incident actions sync`: the `issues` fixture serves it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from support.github_fake import json_response, paged

REPO = "acme/ops"
ASSIGNABLE = frozenset({"dana-okafor", "priyaraman", "jotanaka", "samlq", "leemorgan"})


@dataclass
class FakeIssues:
    """Issues of acme/ops, with GitHub's pagination, validation and error answers."""

    server: HTTPServer
    issues: list[dict[str, Any]] = field(default_factory=list)
    failures: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    """Answers given to the next requests, whatever they ask, before the real ones."""
    refuse_titles: set[str] = field(default_factory=set)
    """Titles GitHub answers 422 for, as it does for one too long."""
    attempts: list[str] = field(default_factory=list)
    """The title of every issue asked for, created or refused."""
    lose_next_create: bool = False
    """Create the next issue, then answer 502 as if the answer were lost on the way."""
    old_names: set[str] = field(default_factory=set)
    """Names acme/ops had before a rename: GitHub redirects them, a read with 301, a write with
    307."""
    forbidden_repos: set[str] = field(default_factory=set)
    """Other repositories whose issues the token may not read (SAML, an IP allow list): 403."""
    rate_limited_repos: dict[str, str] = field(default_factory=dict)
    """Other repositories whose reads meet a primary rate limit, each with the time (epoch
    seconds) it says it resets: 403."""
    deleted: set[int] = field(default_factory=set)
    """Numbers of issues deleted since they were made: no longer listed, and read with 410."""
    transferred: dict[int, dict[str, Any]] = field(default_factory=dict)
    """Issues moved to another repository, by their number here: no longer listed, and read
    with a 301 to the issue as it is now (in `/repositories/ID/issues/N`, as GitHub does)."""
    requests: list[str] = field(default_factory=list)
    created: list[dict[str, Any]] = field(default_factory=list)
    """The payloads of the issues created, in order."""
    token: str = "secret-token"

    def __post_init__(self) -> None:
        self.server.expect_request(re.compile(".*")).respond_with_handler(self.handle)

    @property
    def url(self) -> str:
        return self.server.url_for("").rstrip("/")

    @property
    def web(self) -> str:
        return f"{self.url}/{REPO}"

    def add_issue(
        self,
        title: str,
        body: str = "",
        *,
        pull_request: bool = False,
        labels: tuple[str, ...] = (),
    ) -> int:
        number = len(self.issues) + 1
        issue: dict[str, Any] = {
            "number": number,
            "title": title,
            "body": body,
            "state": "open",
            "state_reason": None,
            "html_url": f"{self.web}/{'pull' if pull_request else 'issues'}/{number}",
            "labels": [{"name": name} for name in labels],
            "assignees": [],
        }
        if pull_request:
            issue["pull_request"] = {"url": f"{self.url}/repos/{REPO}/pulls/{number}"}
        self.issues.append(issue)
        return number

    def close(self, number: int, reason: str | None = "completed") -> None:
        issue = self.issues[number - 1]
        issue["state"], issue["state_reason"] = "closed", reason

    def transfer(self, number: int, repo: str, new_number: int) -> None:
        """Move an issue to REPO, where it becomes NEW_NUMBER."""
        moved = dict(self.issues[number - 1], number=new_number)
        moved["html_url"] = f"{self.url}/{repo}/issues/{new_number}"
        self.transferred[number] = moved

    def reopen(self, number: int) -> None:
        issue = self.issues[number - 1]
        issue["state"], issue["state_reason"] = "open", "reopened"

    def handle(self, request: Request) -> Response:
        self.requests.append(f"{request.method} {request.full_path.rstrip('?')}")
        if self.failures:
            status, headers = self.failures.pop(0)
            return json_response({"message": f"failure {status}"}, status, headers)
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return json_response({"message": "Bad credentials"}, 401)
        prefix = f"/repos/{REPO}"
        path = request.path
        for old in self.old_names:
            if path == f"/repos/{old}" or path.startswith(f"/repos/{old}/"):
                moved = prefix + request.full_path.rstrip("?")[len(f"/repos/{old}") :]
                status = 301 if request.method == "GET" else 307
                return Response(status=status, headers={"Location": self.url + moved})
        for repo, reset in self.rate_limited_repos.items():
            if path.startswith(f"/repos/{repo}/"):
                return json_response(
                    {"message": "API rate limit exceeded for installation ID 1."},
                    403,
                    {"x-ratelimit-remaining": "0", "x-ratelimit-reset": reset},
                )
        if any(path.startswith(f"/repos/{repo}/") for repo in self.forbidden_repos):
            return json_response({"message": "Resource protected by organization SAML"}, 403)
        if path == prefix:
            return json_response(
                {
                    "full_name": REPO,
                    "html_url": self.web,
                    "default_branch": "main",
                    "has_issues": True,
                }
            )
        if path == f"{prefix}/issues" and request.method == "GET":
            if request.args.get("state") != "all":
                return json_response({"message": "the sync must list closed issues too"}, 400)
            wanted = [name for name in request.args.get("labels", "").split(",") if name]
            listed = [
                issue
                for issue in self.issues
                if issue["number"] not in self.deleted | set(self.transferred)
                and all(name in [label["name"] for label in issue["labels"]] for name in wanted)
            ]
            return paged(request, listed)
        if path == f"{prefix}/issues" and request.method == "POST":
            return self._create(request.get_json())
        relocated = re.fullmatch(r"/repositories/4242/issues/(\d+)", path)
        if relocated and request.method == "GET":
            issue = next(i for i in self.transferred.values() if i["number"] == int(relocated[1]))
            return json_response(issue)
        match = re.fullmatch(rf"{prefix}/issues/(\d+)", path)
        if match and request.method == "GET":
            number = int(match.group(1))
            if number in self.transferred:
                where = f"{self.url}/repositories/4242/issues/{self.transferred[number]['number']}"
                return Response(status=301, headers={"Location": where})
            if number in self.deleted:
                return json_response({"message": "This issue was deleted"}, 410)
            if not 1 <= number <= len(self.issues):
                return json_response({"message": "Not Found"}, 404)
            return json_response(self.issues[number - 1])
        return json_response({"message": "Not Found"}, 404)

    def _create(self, payload: Any) -> Response:
        if isinstance(payload, dict):
            self.attempts.append(str(payload.get("title")))
        if not isinstance(payload, dict) or not payload.get("title"):
            return json_response(
                {"message": "Validation Failed", "errors": ["title is missing"]}, 422
            )
        if payload["title"] in self.refuse_titles:
            return json_response(
                {
                    "message": "Validation Failed",
                    "errors": [{"resource": "Issue", "field": "title", "code": "too_long"}],
                },
                422,
            )
        for login in payload.get("assignees", []):
            if login not in ASSIGNABLE:
                return json_response(
                    {
                        "message": "Validation Failed",
                        "errors": [
                            {
                                "resource": "Issue",
                                "field": "assignees",
                                "code": "invalid",
                                "value": login,
                            }
                        ],
                    },
                    422,
                )
        number = self.add_issue(
            payload["title"], payload.get("body", ""), labels=tuple(payload.get("labels", ()))
        )
        issue = self.issues[number - 1]
        issue["assignees"] = [{"login": login} for login in payload.get("assignees", [])]
        self.created.append(payload)
        if self.lose_next_create:
            self.lose_next_create = False
            return json_response({"message": "Bad Gateway"}, 502)
        return json_response(issue, 201)
