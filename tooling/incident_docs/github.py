"""GitHub's REST API for the review gate: a small urllib client with pagination and bounded retries.

Why urllib rather than httpx or requests: those strip the token on a cross-origin redirect but
still follow it, while the gate must not leave the API at all (it refuses any redirect or Link
outside GITHUB_API_URL); and the retries on 5xx and rate limits, with a bound on the total wait,
are ours with any client. A library would save the redirect handler's dozen lines and add a
dependency to every install.
"""

from __future__ import annotations

import base64
import http.client
import json
import math
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.message import Message
from typing import Any

from incident_docs import __version__
from incident_docs.config import CONFIG_FILE, Config, from_git_top, parse_config
from incident_docs.diagnostics import UsageError
from incident_docs.document import parse_bytes, utf8_text
from incident_docs.models import INCIDENT_ID_RE, Roster
from incident_docs.records import parse_roster
from incident_docs.review import (
    ChangedFile,
    Decision,
    PullRequest,
    Requirement,
    changed_in_place,
    evaluate,
    files_from_api,
    follow_up_update,
    front_labels,
    gated_files,
    is_postmortem_path,
    matches,
    postmortem_paths,
    pull_request_from_api,
    requirement,
    reviews_from_api,
)

DEFAULT_API_URL = "https://api.github.com"
REPO_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*(?:_[A-Za-z0-9]+)?/[A-Za-z0-9._-]+\Z")
"""owner/name; the owner may be an Enterprise Managed User ("mona_acme/ops")."""
MAX_PAGES = 200
"""A runaway Link chain stops here (20,000 items at 100 a page)."""
_OWS = re.compile(r"[ \t]*")
_LINK_TARGET = re.compile(r"<([^<>]*)>")
_PARAM_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"', re.DOTALL)
_RELATION_PUNCTUATION = re.compile(r"[\s'\",;()]+")
"""What may stick to a relation written other than as RFC 8288 writes it ("next,prev")."""
_BARE_VALUE = re.compile(r'[^\s;,"]+')
"""A parameter's value written without quotes: a token, leniently (`rel=next`)."""
COMPARE_FILE_LIMIT = 300
PR_FILE_LIMIT = 3000
"""The most files GitHub lists for a pull request."""
MAX_INCIDENTS = 20
"""Incident records the gate reads for one pull request; more fails closed."""
_RETRY_STATUSES = frozenset({500, 502, 503, 504})
_CREDENTIALS = re.compile(r"[^:/?#]*://[^/?#]*@")
"""A URL whose authority holds a user name (and maybe a password) before its host."""


class GitHubError(UsageError):
    """The API could not answer: exit 2, and the gate fails closed."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        fields: frozenset[str] = frozenset(),
        reasons: tuple[str, ...] = (),
        rate_limited: bool = False,
    ) -> None:
        super().__init__(message)
        self.status = status
        """The HTTP status GitHub answered with, when it answered."""
        self.rate_limited = rate_limited
        """GitHub refused for a rate limit, not for the token's rights (a 403 either way)."""
        self.fields = fields
        """The fields a 422 refused ("assignees", "title"), as GitHub names them."""
        self.reasons = reasons
        """What a 422's errors say, each as _validation_errors writes it."""


@dataclass(frozen=True)
class Response:
    status: int
    headers: Message
    body: bytes

    def json(self, what: str = "GitHub API") -> Any:
        try:
            return json.loads(self.body or b"null")
        except (ValueError, RecursionError):  # RecursionError: nested deeper than Python reads
            if _html(self.headers, self.body):
                raise GitHubError(
                    f"{what}: the answer is a web page, not JSON ({API_ROOT_HINT})"
                ) from None
            raise GitHubError(f"{what}: the answer is not JSON") from None


API_ROOT_HINT = (
    "is --api-url (or GITHUB_API_URL) the root of GitHub's REST API? On GitHub.com it is "
    "https://api.github.com, not https://github.com; on GitHub Enterprise Server it is "
    "https://HOST/api/v3"
)
"""What to check when a web page answers: GitHub's API answers in JSON, errors too, so the
address is a web server's, such as github.com's or GitHub Enterprise's without its /api/v3."""


def _html(headers: Message, body: bytes) -> bool:
    """The answer is a web page (an HTML error page, a sign-in page), not the API's JSON."""
    kind = (headers.get("content-type") or "").lower()
    return "html" in kind or body.lstrip()[:1] == b"<"


class _RedirectedOutside(Exception):
    """A redirect out of the API, refused before it is followed: _request says which request."""

    def __init__(self, code: int, location: str) -> None:
        super().__init__(location)
        self.code, self.location = code, location


class _SameOriginRedirects(urllib.request.HTTPRedirectHandler):
    """Follows redirects only within the API, so the token never goes to another host."""

    def __init__(self, base: str) -> None:
        self.base = base

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: Any,
        code: int,
        msg: str,
        headers: http.client.HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        if not _within(newurl, self.base):
            raise _RedirectedOutside(code, newurl)
        if req.get_method() != "GET":
            # urllib would send a POST on as a GET, without its body (301, 302, 303), or stop
            # (307, 308): either way what it was to create would not be; _redirected says so.
            raise urllib.error.HTTPError(req.full_url, code, msg, headers, fp)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _within(url: str, base: str) -> bool:
    """The address is on the API's origin and under its path. Origins compare as URLs do: the
    scheme and host in any case, a default port written or not (`GITHUB_API_URL` given as
    `https://API.github.com:443` still follows GitHub's own `https://api.github.com/...` links)."""
    target, root = urllib.parse.urlsplit(url), urllib.parse.urlsplit(base)
    return same_origin(target, root) and (target.path + "/").startswith(root.path.rstrip("/") + "/")


_DEFAULT_PORTS = {"http": 80, "https": 443}
_AUTHORITY = re.compile(r"[^:/?#]*://[^/?#]*")
_NOT_ASCII = re.compile(r"[^\x00-\x7f]+")


def _ascii_url(url: str) -> str:
    """The address as HTTP can send it: letters outside ASCII after the host (an Enterprise API
    under `/équipe/api/v3`) percent-encoded in UTF-8, as a browser sends them; the host is left
    as written, for IDNA. An address read from a header is _header_url's."""
    authority = _AUTHORITY.match(url)
    start = authority.end() if authority else 0
    rest = _NOT_ASCII.sub(lambda found: urllib.parse.quote(found.group()), url[start:])
    return url[:start] + rest


def _header_url(value: str) -> str:
    """An address read from a header (a `Link`), its letters outside ASCII percent-encoded as
    the bytes the server sent: HTTP reads a header as ISO-8859-1, so the UTF-8 of "é" arrives as
    "Ã©", and encoding that again in UTF-8 would name another page (urllib reads a redirect's
    `Location` so too)."""

    def encoded(found: re.Match[str]) -> str:
        try:
            return urllib.parse.quote(found.group(), encoding="iso-8859-1")
        except UnicodeEncodeError:  # not as a header is read: the letters themselves
            return urllib.parse.quote(found.group())

    return _NOT_ASCII.sub(encoded, value)


def web_root(api_url: str) -> str:
    """Where GitHub's pages are, from its API's address: github.com for api.github.com (a host
    for `api.` and that host), an Enterprise Server's host for its `/api/v3`; else the API's
    own root (a server for tests)."""
    parts = urllib.parse.urlsplit(api_url.rstrip("/"))
    host, path = (parts.hostname or "").lower(), parts.path.rstrip("/")
    if path.lower().endswith("/api/v3"):
        path = path[: -len("/api/v3")]
    elif host.startswith("api."):
        host = host[len("api.") :]
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is not None and port != _DEFAULT_PORTS.get(parts.scheme.lower()):
        host += f":{port}"
    return f"{parts.scheme.lower()}://{host}{path}"


def same_origin(first: urllib.parse.SplitResult, second: urllib.parse.SplitResult) -> bool:
    """The two addresses point at the same place, as browsers compare them: the scheme and host
    in any case, a default port written or not (`https://GitHub.com:443/…` is GitHub's), the
    same credentials. Never for a port that is no number."""
    origin = _origin(first)
    return origin is not None and origin == _origin(second)


def _origin(parts: urllib.parse.SplitResult) -> tuple[str, str, int | None, str] | None:
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:  # not a number: no origin to match
        return None
    if port is None:  # not written: the scheme's (0 is a port of its own)
        port = _DEFAULT_PORTS.get(scheme)
    credentials = parts.netloc.rpartition("@")[0]  # never the same origin with and without
    return scheme, (parts.hostname or "").lower(), port, credentials


GATE_HINTS = {
    401: "is GITHUB_TOKEN set and valid?",
    403: "the token needs contents: read and pull-requests: read",
    404: "check --repo and --pr, and the token's access",
}
"""What to check after an error status, said after the API's own message."""
NO_TOKEN_HINT = (
    "no token was given: set GITHUB_TOKEN (or GH_TOKEN); without one GitHub answers for public "
    "repositories only, 60 requests an hour"
)
"""What to check after an error status, or a rate limit, when no token was sent: a private
repository is then "not found", whatever --repo and --pr say."""
GATE_NOT_FOUND = "check --repo and --pr"
"""What to check after a 404 without a token: a public repository's is still a wrong name or
number (the command's options, without "the token's access")."""
WRITE_SPACING = 1.0
"""Seconds between two requests that create something, as GitHub asks of API clients."""
MIN_REQUEST_TIMEOUT = 5.0
"""The least time a request is given, however little of max_wait is left: `--max-wait 0`
means no retries, not no time for a slow but live API to answer."""
_TOKEN = re.compile(r"[\x21-\x7e]+")
"""What a token may hold to go in a header: visible ASCII (GitHub's are letters, digits and
underscores)."""


def _token(token: str | None) -> str | None:
    """The token as GitHub is sent it: without the line break or blanks around it that a secret
    pasted or read from a file keeps. A UsageError, never showing it, for one that holds a blank,
    a control character or a letter outside ASCII: it cannot go in a header."""
    token = token.strip() if token else None
    if token and not _TOKEN.fullmatch(token):
        raise UsageError(
            "GITHUB_TOKEN (or GH_TOKEN): the token holds a blank, a line break or a character "
            "outside ASCII, which a token never does: set it to the token alone"
        )
    return token or None


def environment_token(environ: Mapping[str, str]) -> str | None:
    """The token in GITHUB_TOKEN, else in GH_TOKEN: one that is blank (a line break alone, as a
    secret pasted empty keeps) is none, as an empty one is, and the other is read."""
    for name in ("GITHUB_TOKEN", "GH_TOKEN"):
        if (environ.get(name) or "").strip():
            return environ[name]
    return None


class GitHubClient:
    """A small REST client. Reads retry 5xx, network errors and rate limits; writes retry only
    rate limits; total waiting is bounded."""

    def __init__(
        self,
        api_url: str = DEFAULT_API_URL,
        token: str | None = None,
        *,
        max_wait: float = 120.0,
        attempts: int = 5,
        timeout: float = 30.0,
        min_timeout: float = MIN_REQUEST_TIMEOUT,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] | None = None,
        hints: dict[int, str] | None = None,
        not_found: str = GATE_NOT_FOUND,
    ) -> None:
        if _CREDENTIALS.match(api_url):
            # Not shown: it would print the password.
            raise UsageError(
                "--api-url (or GITHUB_API_URL): a URL with a user name or password is not accepted; "
                "the token goes in GITHUB_TOKEN"
            )
        try:
            parts = urllib.parse.urlsplit(api_url)
            parts.port  # noqa: B018 - a port that is not a number raises here, not mid-request
        except ValueError:
            parts = None
        if (
            parts is None
            or parts.scheme not in ("http", "https")
            or not parts.hostname
            or any(char.isspace() or not char.isprintable() for char in api_url)
        ):
            raise UsageError(f"--api-url (or GITHUB_API_URL): {api_url!r} is not an http(s) URL")
        if not (math.isfinite(max_wait) and max_wait >= 0):
            # No wait compares greater than nan: a far reset would be slept through.
            raise UsageError(
                f"--max-wait: {max_wait!r} is not a finite number of seconds, 0 or more"
            )
        self.api_url = _ascii_url(api_url.rstrip("/"))
        self.token = _token(token)
        self.max_wait = max_wait
        self.attempts = attempts
        self.timeout = timeout
        self.min_timeout = min_timeout
        self.sleep = sleep or time.sleep
        self.clock = clock or time.time
        self.waited = 0.0
        self.hints = dict(hints or GATE_HINTS)
        if self.token is None:
            self.hints.update(dict.fromkeys((401, 403, 429), NO_TOKEN_HINT))
            # A public repository answers without one: its 404 is still a name or number wrong.
            self.hints[404] = f"{NO_TOKEN_HINT}; for a public one, {not_found}"
        self._last_write = -WRITE_SPACING
        self._opener = urllib.request.build_opener(_SameOriginRedirects(self.api_url))

    def url(self, path: str, params: dict[str, str] | None = None) -> str:
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        return f"{self.api_url}/{path.lstrip('/')}{query}"

    def get(self, url: str, what: str, *, accept: str = "application/vnd.github+json") -> Response:
        return self._request("GET", url, what, accept=accept)

    def post(self, path: str, what: str, payload: dict[str, Any]) -> Any:
        """Create something. Retried only when GitHub refused it for a rate limit: after a server
        error or a lost connection the request may have taken effect, and a second one would
        make a duplicate (the caller finds what the first one made, by its own marker)."""
        since = self.clock() - self._last_write
        if since < WRITE_SPACING:
            # GitHub asks for a second between content-creating requests (secondary limits).
            self.sleep(WRITE_SPACING - since)
        try:
            return self._request("POST", self.url(path), what, payload=payload).json(what)
        finally:
            self._last_write = self.clock()

    def _request(
        self,
        method: str,
        url: str,
        what: str,
        *,
        accept: str = "application/vnd.github+json",
        payload: dict[str, Any] | None = None,
    ) -> Response:
        url = _ascii_url(url)
        if not _within(url, self.api_url):
            raise GitHubError(f"{what}: refusing to follow {url} outside {self.api_url}")
        headers = {
            "Accept": accept,
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": f"incident-docs/{__version__}",
        }
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = None
        if payload is not None:
            data = json.dumps(payload).encode("utf-8")
            headers["Content-Type"] = "application/json"
        idempotent = method == "GET"
        status: int | None = None
        for attempt in range(1, self.attempts + 1):
            request = urllib.request.Request(url, data=data, headers=headers, method=method)
            started = self.clock()
            timeout = self._time_allowed()
            try:
                with self._opener.open(request, timeout=timeout) as answer:
                    return Response(answer.status, answer.headers, self._body(answer, timeout))
            except _RedirectedOutside as outside:
                raise GitHubError(
                    f"{what}: HTTP {outside.code}: redirected to {outside.location}, outside "
                    f"{self.api_url}: not followed (the token is sent to the API only)",
                    status=outside.code,
                ) from None
            except urllib.error.HTTPError as error:
                body = self._error_body(error, timeout)
                status = error.code
                limited = _rate_limited(status, error.headers, body)
                delay = self._retry_delay(status, error.headers, attempt, idempotent, body)
                problem = (
                    _redirected(what, method, error)
                    if 300 <= status < 400
                    else _explain(what, status, error.headers, body, self.hints)
                )
                if delay is None or attempt == self.attempts:
                    fields, reasons = _refused(body) if status == 422 else (frozenset(), ())
                    raise GitHubError(
                        problem, status=status, fields=fields, reasons=reasons, rate_limited=limited
                    ) from None
            except (
                urllib.error.URLError,
                TimeoutError,
                ConnectionError,
                http.client.HTTPException,
            ) as error:
                # HTTPException: an answer cut short, or not HTTP at all.
                reason = getattr(error, "reason", None) or f"{type(error).__name__}: {error}"
                problem = f"{what}: cannot reach {self.api_url}: {reason}"
                if attempt == self.attempts or not idempotent:
                    raise GitHubError(problem) from None
                # The time lost to a server that does not answer counts as waiting, so that
                # --max-wait bounds it too.
                self.waited += max(0.0, self.clock() - started)
                delay, limited, status = _backoff(attempt), False, None
            if self.waited + delay > self.max_wait and limited:
                # The wait GitHub asks for, not ours: say when, so that the job can be re-run then.
                waited = f" (after waiting {round(self.waited, 1):g}s)" if self.waited else ""
                raise GitHubError(
                    f"{problem}; gave up: the next try was due {self._due(delay)}, past "
                    f"--max-wait {self.max_wait:g}s{waited}",
                    status=status,
                    rate_limited=True,
                )
            if self.waited + delay > self.max_wait:
                raise GitHubError(
                    f"{problem}; gave up after waiting {round(self.waited, 1):g}s "
                    f"(--max-wait {self.max_wait:g}s)"
                )
            self.waited += delay
            self.sleep(delay)
        raise GitHubError(f"{what}: no answer")  # pragma: no cover - the loop always returns

    def _due(self, delay: float) -> str:
        """When a wait ends, as the error says it: "in 1800s (at 2024-05-10 14:30:00 UTC)"."""
        if delay >= MAX_RETRY_WAIT:
            return f"in more than {MAX_RETRY_WAIT:g}s"
        try:
            due = datetime.fromtimestamp(self.clock() + delay, UTC)
        except (OverflowError, ValueError, OSError):  # a clock past what a date can hold
            return f"in {round(delay):g}s"
        return f"in {round(delay):g}s (at {due:%Y-%m-%d %H:%M:%S} UTC)"

    def _time_allowed(self) -> float:
        """Seconds the next request may take: what is left of max_wait, since the time lost to
        a server that does not answer counts as waiting (else `--max-wait 5` took the whole
        timeout, 30 s), but at least min_timeout and at most timeout."""
        return min(self.timeout, max(self.min_timeout, self.max_wait - self.waited))

    def _body(self, answer: Any, timeout: float) -> bytes:
        """The answer's body, whole within the timeout: a server that sends a byte at a time
        never lets one read time out."""
        read = getattr(answer, "read1", None)
        if read is None:
            return bytes(answer.read())
        started = time.monotonic()
        parts = []
        while chunk := read(1 << 16):
            parts.append(chunk)
            if time.monotonic() - started > timeout:
                raise TimeoutError(f"the answer took more than {timeout:g}s")
        body = b"".join(parts)
        missing = getattr(answer, "length", None)
        if isinstance(missing, int) and missing > 0:
            raise http.client.IncompleteRead(body, missing)  # read1() does not say so itself
        return body

    def _error_body(self, error: urllib.error.HTTPError, timeout: float) -> bytes:
        """What an error answer says, whole within the timeout as any answer; nothing when its
        body is cut short, takes longer, or the connection drops while it is read: the status
        still says what went wrong (and whether to retry)."""
        try:
            return self._body(error, timeout)
        except (http.client.HTTPException, OSError):  # TimeoutError is an OSError
            return b""

    def _retry_delay(
        self,
        status: int,
        headers: Message,
        attempt: int,
        idempotent: bool = True,
        body: bytes = b"",
    ) -> float | None:
        """Seconds to wait before retrying, or None when the error is final. For a rate limit,
        as GitHub asks: retry-after, else the reset time when none remains, else a minute at
        least (a secondary rate limit says so only in its message)."""
        if status in _RETRY_STATUSES:
            return _backoff(attempt) if idempotent else None
        if status not in (403, 429):
            return None
        retry_after = _number(headers.get("retry-after"))
        if retry_after is not None:
            return min(max(1.0, retry_after), MAX_RETRY_WAIT)
        if headers.get("x-ratelimit-remaining") == "0":
            reset = _number(headers.get("x-ratelimit-reset"))
            if reset is None:
                return _backoff(attempt)
            return min(max(1.0, reset - self.clock()), MAX_RETRY_WAIT)
        if status == 429 or _says_rate_limit(body):
            return max(SECONDARY_RATE_LIMIT_WAIT, _backoff(attempt))
        return None

    def get_json(self, path: str, what: str, params: dict[str, str] | None = None) -> Any:
        return self.get(self.url(path, params), what).json(what)

    def pages(self, path: str, what: str, params: dict[str, str] | None = None) -> Iterator[Any]:
        """Every page of a list endpoint, following the Link header's rel="next"."""
        url: str | None = self.url(path, {"per_page": "100", **(params or {})})
        seen: set[str] = set()
        while url is not None:
            if url in seen or len(seen) >= MAX_PAGES:
                raise GitHubError(f"{what}: pagination does not end (after {len(seen)} pages)")
            seen.add(url)
            response = self.get(url, what)
            yield response.json(what)
            try:
                # Every Link field: a server may send rel="next" on a line of its own.
                links = [_header_url(link) for link in response.headers.get_all("link") or []]
                url = next_link(links, url)
            except ValueError as error:
                raise GitHubError(f"{what}: {error}") from None

    def list_all(self, path: str, what: str) -> list[Any]:
        items: list[Any] = []
        for page in self.pages(path, what):
            if not isinstance(page, list):
                raise GitHubError(f"{what}: expected a list from the API")
            items.extend(page)
        return items

    def file_at(self, repo: str, path: str, ref: str) -> bytes | None:
        """A file's bytes at a commit, or None when it does not exist there."""
        what = f"reading {path} at {ref[:7]}"
        api_path = f"repos/{repo}/contents/{urllib.parse.quote(path)}"
        try:
            data = self.get_json(api_path, what, {"ref": ref})
        except GitHubError as error:
            if error.status == 404:
                return None
            raise
        if not isinstance(data, dict) or data.get("type", "file") != "file":
            raise GitHubError(f"{what}: not a file")
        content, encoding = data.get("content"), data.get("encoding")
        if encoding == "base64" and isinstance(content, str):
            try:
                return base64.b64decode(content, validate=False)
            except ValueError:
                raise GitHubError(f"{what}: invalid base64 content") from None
        # Files over 1 MB come without content; the raw media type returns them whole.
        raw = self.get(self.url(api_path, {"ref": ref}), what, accept="application/vnd.github.raw")
        return raw.body


SECONDARY_RATE_LIMIT_WAIT = 60.0
"""What GitHub asks a client to wait at least after a rate limit that names no time."""
MAX_RETRY_WAIT = 86400.0
"""The longest wait a rate limit's header is taken to ask for: GitHub's reset within the hour,
so a day is already more than any --max-wait worth waiting, and a larger number (1e12) would
overflow the time it is due."""


def _says_rate_limit(body: bytes) -> bool:
    """The answer's message is about a rate limit ("You have exceeded a secondary rate limit")."""
    return b"rate limit" in body.lower()


def _rate_limited(status: int, headers: Message, body: bytes) -> bool:
    """GitHub refused for a rate limit: a 429, or a 403 that says so in its headers or its
    message. Any other 403 is about the token's rights."""
    return status == 429 or (
        status == 403
        and (
            headers.get("x-ratelimit-remaining") == "0"
            or bool(headers.get("retry-after"))
            or _says_rate_limit(body)
        )
    )


def _backoff(attempt: int) -> float:
    return float(min(2 ** (attempt - 1), 30))


def _number(value: str | None) -> float | None:
    """A header's number; None for none, or for one that is no time at all ("inf", "nan")."""
    try:
        number = float(value) if value is not None else None
    except ValueError:
        return None
    return number if number is not None and math.isfinite(number) else None


def next_link(header: str | Iterable[str] | None, base: str | None = None) -> str | None:
    """The next page's address from a Link header, or None on the last page. `header` is one
    field or all of them (a server may send `rel="last"` and `rel="next"` as two Link lines);
    a relative address is resolved against `base`, the page's own.

    ValueError when a field that mentions "next" cannot be read, or the fields name two next
    pages: a page skipped would lose its reviews (a request for changes among them, the gate
    open), so the caller fails closed rather than take the page it has as the last."""
    fields = [header] if isinstance(header, str) else list(header or ())
    found: list[str] = []
    for value in fields:
        try:
            links = link_values(value)
        except ValueError as error:
            if "next" in value.lower():
                raise ValueError(
                    f"the Link header names a next page but cannot be read ({error}): {value!r}"
                ) from None
            continue  # no next page lost: read what can be read
        for target, params in links:
            relations = params.get("rel", "").lower()
            if "next" in relations.split():
                found.append(urllib.parse.urljoin(base, target) if base else target)
            elif "next" in _RELATION_PUNCTUATION.split(relations):  # rel='next', "next,prev"
                raise ValueError(f"the Link header names a next page but cannot be read: {value!r}")
    pages = list(dict.fromkeys(found))
    if len(pages) > 1:
        raise ValueError(f"the Link header names more than one next page: {', '.join(pages)}")
    return pages[0] if pages else None


def link_values(value: str) -> list[tuple[str, dict[str, str]]]:
    """The links of one Link header field, as RFC 8288 writes them: `<target>` then parameters
    after semicolons, links apart by commas. A target or a quoted value may hold a comma or a
    semicolon of its own (`<…&sort=created,asc>`), so the field is read from left to right, not
    split. Parameter names are in lower case; of a name given twice the first counts, as the
    RFC says. ValueError, naming the character, when the field is not written so."""
    links: list[tuple[str, dict[str, str]]] = []
    at = 0
    while True:
        at = _skip_spaces(value, at)
        while value.startswith(",", at):  # empty list elements are allowed
            at = _skip_spaces(value, at + 1)
        if at >= len(value):
            return links
        target = _LINK_TARGET.match(value, at)
        if target is None:
            raise ValueError(f"no <address> at character {at + 1}")
        at = target.end()
        params: dict[str, str] = {}
        while True:
            at = _skip_spaces(value, at)
            if at >= len(value) or value[at] == ",":
                break
            if value[at] != ";":
                raise ValueError(f"';' or ',' expected at character {at + 1}")
            at = _skip_spaces(value, at + 1)
            if at >= len(value) or value[at] in ",;":
                continue  # an empty parameter (`rel="next";`)
            name = _PARAM_NAME.match(value, at)
            if name is None:
                raise ValueError(f"no parameter name at character {at + 1}")
            at = _skip_spaces(value, name.end())
            param = ""
            if value.startswith("=", at):
                at = _skip_spaces(value, at + 1)
                quoted = _QUOTED.match(value, at)
                bare = _BARE_VALUE.match(value, at)
                if quoted is not None:
                    param, at = re.sub(r"\\(.)", r"\1", quoted.group(1)), quoted.end()
                elif bare is not None:
                    param, at = bare.group(), bare.end()
                else:
                    raise ValueError(f"no value for {name.group()!r} at character {at + 1}")
            key = name.group().lower()
            if key == "rel" and key in params:  # which counts? RFC 8288 says the first: a
                raise ValueError(f"'rel' given twice at character {at + 1}")  # next may hide
            params.setdefault(key, param)
        links.append((target.group(1), params))


def _skip_spaces(value: str, at: int) -> int:
    match = _OWS.match(value, at)
    return match.end() if match else at


def _explain(what: str, status: int, headers: Message, body: bytes, hints: dict[int, str]) -> str:
    try:
        answer = json.loads(body)
    except (ValueError, RecursionError):
        answer = None
    message = str(answer.get("message", "")).strip() if isinstance(answer, dict) else ""
    detail = f": {message}" if message else ""
    if status == 422 and isinstance(answer, dict):
        detail += "".join(f" ({problem})" for problem in _validation_errors(answer))
    hint = f" ({hints[status]})" if status in hints else ""
    if answer is None and _html(headers, body) and status in (404, 405):
        # GitHub's API says "Not Found" in JSON: a web page's 404 is another server's.
        hint = f" (a web page, not GitHub's API: {API_ROOT_HINT})"
    if status == 401:
        return f"{what}: HTTP 401 unauthorized{detail}{hint}"
    if _rate_limited(status, headers, body):
        # A 429's hint is for any rate limit, a 403's too.
        limit = f" ({hints[429]})" if 429 in hints else ""
        return f"{what}: HTTP {status} rate limit exhausted{detail}{limit}"
    if status == 403:
        return f"{what}: HTTP 403 forbidden{detail}{hint}"
    if status == 404:
        return f"{what}: HTTP 404 not found{detail}{hint}"
    return f"{what}: HTTP {status}{detail}{hint}"


def _redirected(what: str, method: str, error: urllib.error.HTTPError) -> str:
    """A redirect not followed, and why: a GET's within the API is followed, one outside
    refused before this; what is left went to no address, round in a loop, to an address
    urllib does not follow, or was a request that changes something."""
    status = error.code
    location = error.headers.get("location") or error.headers.get("uri")
    if not location:
        return f"{what}: HTTP {status}: redirected to no address"
    if method != "GET":
        return (
            f"{what}: HTTP {status}: redirected to {location}; a {method} is not sent again "
            "elsewhere (has the repository moved? check --repo)"
        )
    if "infinite loop" in str(error.msg):
        return f"{what}: HTTP {status}: redirected in a loop (last to {location})"
    return f"{what}: HTTP {status}: redirected to {location}, which is not followed"


def _refused(body: bytes) -> tuple[frozenset[str], tuple[str, ...]]:
    """A 422's refused fields, and what each of its errors says."""
    try:
        answer = json.loads(body)
    except (ValueError, RecursionError):
        return frozenset(), ()
    if not isinstance(answer, dict):
        return frozenset(), ()
    errors = answer.get("errors")
    fields = frozenset(
        error["field"]
        for error in (errors if isinstance(errors, list) else [])
        if isinstance(error, dict) and isinstance(error.get("field"), str)
    )
    return fields, tuple(_validation_errors(answer))


def _validation_errors(answer: dict[str, Any]) -> list[str]:
    """GitHub's 422 `errors`: which field was refused and why."""
    found = []
    errors = answer.get("errors")
    for error in errors if isinstance(errors, list) else []:
        if isinstance(error, str):
            found.append(error)
        elif isinstance(error, dict):
            field = error.get("field")
            reason = error.get("message") or error.get("code") or "invalid"
            value = error.get("value")
            shown = f" {value!r}" if isinstance(value, str | int) and value != "" else ""
            found.append(f"{field}{shown}: {reason}" if field else str(reason))
    return found


# --- the gate, as GitHub sees it -------------------------------------------------------------


@dataclass(frozen=True)
class GateResult:
    applicable: bool
    pr: PullRequest
    decision: Decision | None
    gated: tuple[str, ...]
    config_source: str
    roster_source: str
    roster: Roster = field(default_factory=Roster)
    follow_ups: tuple[str, ...] = ()
    """Postmortems changed only in their action items' status and tracker: not reviewed."""


def config_at(client: GitHubClient, repo: str, ref: str, folder: str = "") -> tuple[Config, str]:
    """The configuration as it is at the base commit: a pull request cannot lower its own bar.
    That of the archive kept in `folder` of the repository (see archive_folder), its paths
    named from the repository's root, as the pull request's files are."""
    path = from_git_top(folder, CONFIG_FILE)
    raw = client.file_at(repo, path, ref)
    if raw is None:
        return Config().from_git_top(folder), f"defaults ({path} not found at base {ref[:7]})"
    # Errors name the file as git does at a revision, so that its line follows it.
    where = f"{ref[:7]}:{path}"
    # Saved as UTF-16, or a byte that is not UTF-8: said as for the working tree's file.
    text = utf8_text(raw, where)
    return parse_config(text, where).from_git_top(folder), f"{path} at base {ref[:7]}"


def roster_at(client: GitHubClient, repo: str, config: Config, ref: str) -> tuple[Roster, str]:
    """The people roster as it is at the base commit."""
    raw = client.file_at(repo, config.roster, ref)
    if raw is None:
        return Roster(), f"{config.roster} (absent at base {ref[:7]}: nobody is senior)"
    where = f"{ref[:7]}:{config.roster}"
    return parse_roster(utf8_text(raw, where), where), f"{config.roster} at base {ref[:7]}"


def review_gate(client: GitHubClient, repo: str, number: int, folder: str = "") -> GateResult:
    """Fetch everything the gate needs for one pull request and decide, for the archive kept
    in `folder` of the repository ("" at its root)."""
    if not REPO_RE.match(repo):
        raise UsageError(f"--repo: {repo!r} is not OWNER/NAME")
    prefix = f"repos/{repo}/pulls/{number}"
    pr = pull_request_from_api(client.get_json(prefix, f"reading pull request #{number}"))
    config, config_source = config_at(client, repo, pr.base_sha, folder)
    files = files_from_api(client.list_all(f"{prefix}/files", f"listing files of #{number}"))
    short = None
    if pr.changed_files is not None and len(files) < pr.changed_files:
        short = (
            f"pull request #{number} changes {pr.changed_files} files but the API listed "
            f"{len(files)}"
        )
    elif pr.changed_files is None and len(files) >= PR_FILE_LIMIT:
        short = (
            f"pull request #{number}: the API listed {len(files)} files, as many as it lists, "
            "and did not say how many it changes"
        )
    if short is not None:
        # A pull request of more files than the API lists (3,000): the gated ones are read
        # from the trees of its merge base and its head as well.
        # The files it did list count too ("changed": a mode changed, the same content).
        listed = {f.path: f for f in files}
        for found in _gated_by_trees(client, repo, pr, config, short):
            listed.setdefault(found.path, found)
        files = list(listed.values())
    gated_changes = gated_files(files, config)
    if not gated_changes:
        return GateResult(False, pr, None, (), config_source, "")
    read = _Reads(client, repo)
    follow_ups = [
        changed
        for changed in postmortem_paths(files, config)
        if changed_in_place(changed)
        and follow_up_update(
            read(changed.path, pr.base_sha),
            read(changed.path, pr.head_sha),
            changed.path,
            config,
            repo,
            web_root(client.api_url),
        )
    ]
    # A follow-up update is neither reviewed nor counted towards MAX_INCIDENTS: its incidents
    # are not read.
    gated_changes = [f for f in gated_changes if f not in follow_ups]
    gated = tuple(f.path for f in gated_changes)
    judged = frozenset(name for f in gated_changes for name in f.paths())
    updated = tuple(f.path for f in follow_ups)
    if not gated:
        return GateResult(True, pr, None, (), config_source, "", follow_ups=updated)
    roster, roster_source = roster_at(client, repo, config, pr.base_sha)
    documents: list[tuple[str, bytes | None]] = []
    for changed in postmortem_paths(gated_changes, config):
        # A deleted postmortem is judged by what it was on the base; one renamed out of the
        # postmortems (to README.md, to .txt) by what it was before the rename.
        if changed.status == "removed":
            raw = read(changed.path, pr.base_sha)
            documents.append((f"{changed.path} (removed; as at base {pr.base_sha[:7]})", raw))
        elif is_postmortem_path(changed.path):
            documents.append((changed.path, read(changed.path, pr.head_sha)))
        if changed.status not in ("added", "removed"):
            # What the postmortem was on the base counts too, so that a pull request cannot
            # lower its own bar by lowering the severity or by dropping an author.
            before = changed.previous_path or changed.path
            raw = read(before, pr.base_sha)
            if raw is not None:
                documents.append((f"{before} (at base {pr.base_sha[:7]})", raw))
    documents += _incidents_of(client, repo, documents, config, pr)
    need: Requirement = requirement(documents, config, roster)
    reviews = reviews_from_api(
        client.list_all(f"{prefix}/reviews", f"listing reviews of #{number}")
    )
    compared: dict[str, bool | None] = {}
    updated_since: set[str] = set()
    unknown_because: dict[str, str] = {}
    unanswered: list[tuple[str, GitHubError]] = []

    def unchanged_since(sha: str) -> bool | None:
        if sha not in compared:
            try:
                compared[sha] = _unchanged_between(
                    read,
                    sha,
                    pr.head_sha,
                    pr.base_sha,
                    config,
                    judged,
                    frozenset(updated),
                    updated_since,
                    unknown_because,
                )
            except GitHubError as error:
                unanswered.append((sha, error))
                compared[sha] = None
        return compared[sha]

    def decide(since: Callable[[str], bool | None]) -> Decision:
        return evaluate(
            pr,
            reviews,
            roster,
            config,
            need,
            unchanged_since=since,
            updated_since=updated_since.__contains__,
            unknown_because=unknown_because.get,
            roster_label=roster_source,
        )

    decision = decide(unchanged_since)
    if unanswered:
        unknown = {sha for sha, _error in unanswered}
        sha, error = unanswered[0]
        counted = decide(lambda s: True if s in unknown else unchanged_since(s))
        if not decision.satisfied and counted.satisfied:
            # Not the approval's fault: GitHub did not answer (a server error, a rate limit).
            # Telling the senior to approve again would be wrong; the job is to be run again.
            raise GitHubError(
                f"{error}: cannot tell whether the approval of {sha[:7]} still counts",
                status=error.status,
                rate_limited=error.rate_limited,
            )
        # Counted or not, the gate is as it is (a senior requests changes, a team is short):
        # it says so, and why that approval was not counted.
        decision = replace(
            decision,
            notes=(
                *decision.notes,
                *(
                    f"the approval of {sha[:7]} is not counted, GitHub did not answer: {error}"
                    for sha, error in unanswered
                ),
            ),
        )
    return GateResult(
        True, pr, decision, gated, config_source, roster_source, roster, follow_ups=updated
    )


class _Reads:
    """Files of the repository at commits, each read once: the gate reads a postmortem at the
    base and the head to tell a follow-up update, then again to judge it or an approval."""

    def __init__(self, client: GitHubClient, repo: str) -> None:
        self.client, self.repo = client, repo
        self._read: dict[tuple[str, str], bytes | None] = {}

    def __call__(self, path: str, ref: str) -> bytes | None:
        if (path, ref) not in self._read:
            self._read[(path, ref)] = self.client.file_at(self.repo, path, ref)
        return self._read[(path, ref)]


def _incidents_of(
    client: GitHubClient,
    repo: str,
    documents: list[tuple[str, bytes | None]],
    config: Config,
    pr: PullRequest,
) -> list[tuple[str, bytes | None]]:
    """The incident records the postmortems name, at the base and the head: their services and
    responders decide which teams must approve."""
    ids: list[str] = []
    # The base's first: what the postmortem was about before the pull request counts whatever
    # the head lists.
    ordered = sorted(documents, key=lambda item: "(at base" not in item[0])
    for path, raw in ordered:
        if raw is None:
            continue
        front = parse_bytes(raw, path, max_bytes=config.lint.max_file_bytes).front_matter
        listed = front_labels(front, "incidents") if isinstance(front, dict) else ()
        for value in listed:
            if INCIDENT_ID_RE.fullmatch(value) and value not in ids:
                ids.append(value)
    if len(ids) > MAX_INCIDENTS:
        raise GitHubError(
            f"the postmortems name {len(ids)} incidents, more than the gate reads "
            f"({MAX_INCIDENTS}): split the pull request"
        )
    found: list[tuple[str, bytes | None]] = []
    folder = config.incidents_dir.rstrip("/")
    filed: dict[str, dict[str, str]] = {}
    for incident_id in ids:
        for ref, label in ((pr.head_sha, "head"), (pr.base_sha, "base")):
            path = f"{folder}/{incident_id}.md"
            raw = client.file_at(repo, path, ref)
            if raw is None:
                # Kept in a subfolder (incidents/2024/…), or moved there by the pull request.
                if ref not in filed:
                    filed[ref] = _incidents_in_tree(client, repo, ref, folder)
                elsewhere = filed[ref].get(incident_id)
                if elsewhere is not None:
                    path, raw = elsewhere, client.file_at(repo, elsewhere, ref)
            if raw is not None:
                found.append((f"{path} (at {label} {ref[:7]})", raw))
    return found


def _incidents_in_tree(client: GitHubClient, repo: str, ref: str, folder: str) -> dict[str, str]:
    """Where each incident record in a subfolder of the incidents folder is at a commit, by ID,
    from that folder's tree alone: the whole repository's is cut short past 100,000 entries,
    as a large repository's always is. A folder tree cut short too is read one level at a time.
    GitHubError when the folder's tree cannot be read whole: an incident it leaves out would
    drop the teams that version brings (the other commit's version still found), so the gate
    stops rather than judge without it."""
    found = _folder_tree(client, repo, ref, folder)
    if found is None:
        return {}  # no incidents folder at this commit
    sha, where_folder = found
    tree = _tree(client, repo, sha, where_folder, recursive=True)
    if tree.get("truncated") is False:
        paths = [path for path, kind, _sha in _entries(tree, where_folder) if kind == "blob"]
    else:
        paths = _walk(client, repo, ref, sha, folder)
    where: dict[str, str] = {}
    for path in paths:
        parent, _, name = path.rpartition("/")
        if parent and name.endswith(".md"):
            where.setdefault(name[: -len(".md")], f"{folder}/{path}")
    return where


MAX_TREE_READS = 300
"""Folders of the incidents folder the gate reads one at a time when GitHub cuts its tree
short (ten years of a folder a month is 130); more stops the gate."""


def _tree(client: GitHubClient, repo: str, sha: str, where: str, *, recursive: bool) -> Any:
    """One git tree as the API gives it; GitHubError when it is not a tree."""
    what = f"reading the tree of {where}"
    tree = client.get_json(
        f"repos/{repo}/git/trees/{urllib.parse.quote(sha)}",
        what,
        {"recursive": "1"} if recursive else None,
    )
    if not isinstance(tree, dict) or not isinstance(tree.get("tree"), list):
        raise GitHubError(f"{what}: not a tree")
    return tree


def _entries(tree: dict[str, Any], where: str) -> Iterator[tuple[str, str, str]]:
    """A tree's entries: path, type and object. GitHubError for one without them: a folder
    left unread could hold the incident."""
    for item in tree["tree"]:
        path = item.get("path") if isinstance(item, dict) else None
        kind = item.get("type") if isinstance(item, dict) else None
        sha = item.get("sha") if isinstance(item, dict) else None
        if not isinstance(path, str) or not isinstance(kind, str) or not isinstance(sha, str):
            raise GitHubError(f"the tree of {where}: an entry has no path, type or object")
        yield path, kind, sha


def _folder_tree(client: GitHubClient, repo: str, ref: str, folder: str) -> tuple[str, str] | None:
    """The tree of a folder at a commit and how to name it ("incidents/ at 1a2b3c4"), from the
    commit's root one name at a time, each tree read without its folders' contents; None when
    there is no such folder. GitHubError when a level cut short does not show the name."""
    sha, where = ref, ref[:7]
    names = folder.split("/")
    for depth, name in enumerate(names, 1):
        tree = _tree(client, repo, sha, where, recursive=False)
        match = [(kind, found) for path, kind, found in _entries(tree, where) if path == name]
        if not match and tree.get("truncated") is not False:
            raise GitHubError(
                f"the tree of {where} is cut short: cannot look for the incidents kept in the "
                f"subfolders of {folder}/"
            )
        if not match or match[0][0] != "tree":
            return None
        sha = match[0][1]
        where = f"{'/'.join(names[:depth])}/ at {ref[:7]}"
    return sha, where


def _walk(client: GitHubClient, repo: str, ref: str, sha: str, folder: str) -> list[str]:
    """The files under a folder's tree, relative to it and in git's order, read one level at a
    time; GitHubError past MAX_TREE_READS levels or for a level cut short."""
    files: list[str] = []
    reads = 0

    def read(sha: str, prefix: str) -> None:
        nonlocal reads
        reads += 1
        if reads > MAX_TREE_READS:
            raise GitHubError(
                f"the tree of {folder}/ at {ref[:7]} is cut short and has more than "
                f"{MAX_TREE_READS} folders to read one at a time: cannot look for the incidents "
                "kept in its subfolders"
            )
        where = f"{folder}/{prefix} at {ref[:7]}"
        tree = _tree(client, repo, sha, where, recursive=False)
        if tree.get("truncated") is not False:
            raise GitHubError(
                f"the tree of {folder}/{prefix} at {ref[:7]} is cut short: cannot look for the "
                f"incidents kept in the subfolders of {folder}/"
            )
        for path, kind, found in _entries(tree, where):
            if kind == "tree":
                read(found, f"{prefix}{path}/")
            elif kind == "blob":
                files.append(f"{prefix}{path}")

    read(sha, "")
    return files


def request_reviews(
    client: GitHubClient, repo: str, pr: PullRequest, decision: Decision, roster: Roster
) -> list[str]:
    """Ask the seniors of each team that has not approved for a review, once: never someone
    already asked or who has reviewed. Returns what it did, for the log; a refusal (a read-only
    token on a fork's pull request) is a note, never a failure. A GitHub team GitHub refuses
    to ask (422: the workflow token cannot read an organisation's teams) is asked through its
    seniors, one by one, so that the people of the other teams are asked too."""
    wanted_users: list[str] = []
    wanted_teams: dict[str, list[str]] = {}
    """Each GitHub team to ask, with the logins of its seniors who could approve."""
    for state in decision.teams:
        if state.satisfied or not state.could_approve:
            continue  # nobody to ask (its only senior wrote it or opened the pull request)
        team = roster.team(state.team)
        logins = []
        for handle in state.could_approve:
            person = roster.by_handle(handle)
            if person and person.github and person.github.casefold() != pr.author.casefold():
                logins.append(person.github)
        if team is not None and team.github_team:
            wanted_teams.setdefault(team.github_team, []).extend(logins)
        else:
            wanted_users += logins
    if not wanted_users and not wanted_teams:
        return []
    prefix = f"repos/{repo}/pulls/{pr.number}"
    try:
        users, teams = _asked_before(client, repo, pr.number)
    except GitHubError as error:
        return [f"could not read whom the pull request asked for reviews: {error}"]
    reviewed = {row.login.casefold() for row in decision.rows}
    new_users = sorted({u for u in wanted_users if u.casefold() not in users | reviewed})
    # A team whose seniors were asked in its place before (GitHub refused to ask the team) is
    # not asked again.
    new_teams = sorted(
        t
        for t, seniors in wanted_teams.items()
        if t.casefold() not in teams and not any(u.casefold() in users for u in seniors)
    )
    if not new_users and not new_teams:
        return []
    notes: list[str] = []
    payload: dict[str, Any] = {"reviewers": new_users, "team_reviewers": new_teams}
    try:
        client.post(f"{prefix}/requested_reviewers", "requesting reviews", payload)
    except GitHubError as error:
        if error.status != 422 or not new_teams:
            return [f"could not request reviews ({error}); ask them by hand"]
        # GitHub cannot ask the teams with this token: their seniors are asked instead. Said
        # so only where the teams were all it was asked, or where it takes the request without
        # them: a refusal of another kind (a login that is no collaborator) is not the teams'.
        instead = {
            u for t in new_teams for u in wanted_teams[t] if u.casefold() not in users | reviewed
        }
        teams_said = ", ".join(f"team {t}" for t in new_teams)
        notes.append(
            f"GitHub refused to ask {teams_said} for a review ({error}): the workflow token "
            "cannot ask an organisation's teams (it needs a token that can read them); "
            + ("asking their seniors instead" if instead else "nobody else to ask")
        )
        if not new_users and not instead:
            return notes
        new_users = sorted({*new_users, *instead})
        new_teams = []
        try:
            client.post(
                f"{prefix}/requested_reviewers", "requesting reviews", {"reviewers": new_users}
            )
        except GitHubError:
            return [f"could not request reviews ({error}); ask them by hand"]
    asked_now = [*(f"@{u}" for u in new_users), *(f"team {t}" for t in new_teams)]
    return [*notes, "asked for reviews: " + ", ".join(asked_now)]


def _asked_before(client: GitHubClient, repo: str, number: int) -> tuple[set[str], set[str]]:
    """Everyone and every team the pull request has ever asked for a review: its timeline keeps
    the requests after GitHub clears them (when the person reviews, or someone removes them)."""
    users: set[str] = set()
    teams: set[str] = set()
    for event in client.list_all(f"repos/{repo}/issues/{number}/timeline", "reading the timeline"):
        if not isinstance(event, dict) or event.get("event") != "review_requested":
            continue
        person, team = event.get("requested_reviewer"), event.get("requested_team")
        if isinstance(person, dict) and isinstance(person.get("login"), str):
            users.add(person["login"].casefold())
        if isinstance(team, dict) and isinstance(team.get("slug"), str):
            teams.add(team["slug"].casefold())
    return users, teams


def _gated_by_trees(
    client: GitHubClient, repo: str, pr: PullRequest, config: Config, short: str
) -> list[ChangedFile]:
    """The gated files a pull request changes, from the whole trees of its merge base and its
    head: every entry but a folder (a file, a link, a submodule), by its type, mode and object
    (a file renamed reads as one removed and one added). GitHubError, closing the gate, when an
    answer is not what GitHub gives for a pull request that changes files: a compare that does
    not show the head ahead of its merge base, a tree cut short or not read whole."""
    unknown = f"{short}, and {{}}: cannot tell whether postmortems changed"
    what = f"comparing {pr.base_sha[:7]}...{pr.head_sha[:7]}"
    base, head = urllib.parse.quote(pr.base_sha), urllib.parse.quote(pr.head_sha)
    try:
        compared = client.get_json(f"repos/{repo}/compare/{base}...{head}", what)
        ahead = compared.get("status") in ("ahead", "diverged")
        merge_base = compared["merge_base_commit"]["commit"]["tree"]["sha"]
        commit = client.get_json(f"repos/{repo}/git/commits/{head}", f"reading {pr.head_sha[:7]}")
        trees = [
            client.get_json(
                f"repos/{repo}/git/trees/{urllib.parse.quote(str(sha))}",
                "reading a tree",
                {"recursive": "1"},
            )
            for sha in (merge_base, commit["tree"]["sha"])
        ]
    except GitHubError as error:
        raise GitHubError(unknown.format(f"its trees could not be read ({error})")) from None
    except (KeyError, TypeError, AttributeError):
        raise GitHubError(unknown.format("no tree of its merge base or head was given")) from None
    if not ahead:
        raise GitHubError(unknown.format("the compare does not show its head ahead"))
    paths = config.review_paths()
    entries: list[dict[str, tuple[str, str, str]]] = []
    for tree in trees:
        if (
            not isinstance(tree, dict)
            or tree.get("truncated") is not False
            or not isinstance(tree.get("tree"), list)
        ):
            raise GitHubError(unknown.format("a tree was cut short or not given whole"))
        found: dict[str, tuple[str, str, str]] = {}
        for item in tree["tree"]:
            if not isinstance(item, dict) or item.get("type") == "tree":
                continue
            path, sha = item.get("path"), item.get("sha")
            if not isinstance(path, str) or not isinstance(sha, str):
                raise GitHubError(unknown.format("a tree entry has no path or object"))
            if matches(path, paths):
                found[path] = (str(item.get("type")), str(item.get("mode")), sha)
        entries.append(found)
    before, after = entries
    return [
        ChangedFile(
            path, "removed" if path not in after else "added" if path not in before else "modified"
        )
        for path in sorted(before.keys() | after.keys())
        if before.get(path) != after.get(path)
    ]


def _unchanged_between(
    read: _Reads,
    reviewed: str,
    head: str,
    base: str,
    config: Config,
    judged: Iterable[str],
    follow_ups: frozenset[str],
    updated_since: set[str],
    unknown_because: dict[str, str] | None = None,
) -> bool | None:
    """True when none of the gated files the pull request changes (`judged`, by any of their
    names) changed from the reviewed commit to the head, but for follow-up updates (then the
    commit goes in `updated_since`), and the pull request changed each of them at the reviewed
    commit already (compared with `base`: _changed_at); None when GitHub cannot compare the
    two commits, or when the head does not descend from the reviewed one, more files changed
    than the compare lists or a postmortem is new to the pull request since (then
    `unknown_because` says so, by the reviewed commit);
    GitHubError when it does not answer (a server error, a rate limit). A postmortem the pull request leaves as
    the base has it, changed since by merging the base in, is not what the reviewers judged:
    the merge keeps the base's version. Nor is the state of its action items: a sync landing
    on the branch after a senior approved leaves what they approved as it was, whether in a
    postmortem only the sync changes (`follow_ups`) or in one the pull request edits."""
    what = f"comparing {reviewed[:7]}...{head[:7]}"
    path = f"repos/{read.repo}/compare/{urllib.parse.quote(reviewed)}...{urllib.parse.quote(head)}"
    try:
        data = read.client.get_json(path, what)
    except GitHubError as error:
        if error.status in (404, 422):
            return None  # GitHub cannot compare them: the approved commit is gone, or unrelated
        raise  # no answer: the caller decides whether it matters
    files = data.get("files") if isinstance(data, dict) else None
    why = unknown_because if unknown_because is not None else {}
    # Only a head that descends from the reviewed commit still holds what was reviewed: after a
    # rebase or a force push it does not ("diverged"; "behind" when pushed back to an older one).
    if isinstance(data, dict) and data.get("status") in ("diverged", "behind"):
        why[reviewed] = f"the head {head[:7]} no longer descends from it (rebased or force-pushed)"
        return None
    if not isinstance(files, list) or data.get("status") not in ("ahead", "identical"):
        return None
    # The first page lists every changed file, up to 300; beyond that the list is cut short.
    if len(files) >= COMPARE_FILE_LIMIT:
        why[reviewed] = (
            f"{COMPARE_FILE_LIMIT} files or more changed since, as many as GitHub's compare "
            "lists: cannot tell whether postmortems did"
        )
        return None
    try:
        changed = files_from_api(files)
    except UsageError:
        return None
    names = set(judged)
    updated = False
    for found in gated_files(changed, config):
        if not names.intersection(found.paths()):
            updated = updated or found.path in follow_ups
            continue
        follow_up = _follow_up_between(read, found, reviewed, head, config)
        if follow_up is None:
            return None
        if not follow_up:
            return False
        updated = True
    reviewed_then = _changed_at(read, reviewed, base, config, names, why)
    if reviewed_then is not True:
        return reviewed_then
    if updated:
        updated_since.add(reviewed)
    return True


def _follow_up_between(
    read: _Reads, found: ChangedFile, before: str, after: str, config: Config
) -> bool | None:
    """Whether the postmortem FOUND changed from commit BEFORE to AFTER in place and only in its
    action items' status and tracker; None when a version of it cannot be read as a record.
    GitHubError when GitHub does not answer."""
    try:
        return changed_in_place(found) and follow_up_update(
            read(found.path, before),
            read(found.path, after),
            found.path,
            config,
            read.repo,
            web_root(read.client.api_url),
        )
    except GitHubError:
        raise  # GitHub did not answer (a UsageError too, but no fault of the file's)
    except UsageError:
        return None


def _changed_at(
    read: _Reads, reviewed: str, base: str, config: Config, names: set[str], why: dict[str, str]
) -> bool | None:
    """Whether the pull request already changed, at the reviewed commit, each postmortem it
    changes now (`names`), and not only in its action items' status and tracker: what the
    reviewer judged. A postmortem the head leaves as the reviewed commit had it may still be
    new to the pull request: merging the base in and keeping the older version of a postmortem
    the base changed since undoes that change, which nobody reviewed. None (and `why` says so,
    by the reviewed commit) when it did not, or when GitHub cannot tell; GitHubError when it
    does not answer."""
    what = f"comparing {base[:7]}...{reviewed[:7]}"
    path = f"repos/{read.repo}/compare/{urllib.parse.quote(base)}...{urllib.parse.quote(reviewed)}"
    # Not "cannot compare it with the head": that compare answered.
    unknown = (
        f"GitHub cannot compare the base {base[:7]} with it: cannot tell what the pull request "
        "changed then"
    )
    try:
        data = read.client.get_json(path, what)
    except GitHubError as error:
        if error.status in (404, 422):
            why[reviewed] = unknown
            return None
        raise
    files = data.get("files") if isinstance(data, dict) else None
    merge_base = data.get("merge_base_commit") if isinstance(data, dict) else None
    fork = merge_base.get("sha") if isinstance(merge_base, dict) else None
    if not isinstance(files, list) or not isinstance(fork, str):
        why[reviewed] = unknown
        return None
    try:
        then = {name: found for found in files_from_api(files) for name in found.paths()}
    except UsageError:
        return None
    for name in sorted(names):
        found = then.get(name)
        if found is None and len(files) >= COMPARE_FILE_LIMIT:
            why[reviewed] = (
                f"the pull request changed {COMPARE_FILE_LIMIT} files or more then, as many as "
                f"GitHub's compare lists: cannot tell whether it changed {name}"
            )
            return None
        if found is None:
            why[reviewed] = f"{name}, which the pull request changes now, was not part of it then"
            return None
        follow_up = _follow_up_between(read, found, fork, reviewed, config)
        if follow_up is None:
            return None
        if follow_up:
            why[reviewed] = (
                f"the pull request changed {name} then in its action items' status and tracker "
                "alone, and changes more of it now"
            )
            return None
    return True
