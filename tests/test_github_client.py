"""The REST client against a local server: pagination, retries with bounded waiting, clear errors."""

from __future__ import annotations

import socket
import threading
import time
from email.message import Message
from typing import Any

import pytest

from incident_docs.diagnostics import UsageError
from incident_docs.github import (
    GitHubClient,
    GitHubError,
    Response,
    _within,
    next_link,
    review_gate,
)
from incident_docs.review import reviews_from_api
from incident_docs.tracker import SYNC_HINTS, SYNC_NOT_FOUND
from support.github_fake import BASE, MAX_PER_PAGE, REPO, FakeGitHub, review


class Sleeper:
    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def client(fake: FakeGitHub, sleeper: Sleeper | None = None, max_wait: float = 120) -> GitHubClient:
    return GitHubClient(
        fake.url, "t0ken", sleep=sleeper or Sleeper(), clock=lambda: 1000.0, max_wait=max_wait
    )


def test_more_than_a_hundred_reviews_are_all_read(github: FakeGitHub) -> None:
    github.reviews = [review(i, f"user{i}", "COMMENTED") for i in range(1, 251)]
    github.reviews.append(review(300, "priyaraman", "APPROVED"))
    result = review_gate(client(github), REPO, 7)
    assert result.decision is not None and result.decision.approvers == ("priyaraman",)
    review_pages = [r for r in github.requests if r.startswith(f"/repos/{REPO}/pulls/7/reviews")]
    assert len(review_pages) == -(-len(github.reviews) // MAX_PER_PAGE)  # every page, once
    assert all(token == "Bearer t0ken" for token in github.tokens)


def test_a_list_is_read_page_by_page_following_the_link_header(github: FakeGitHub) -> None:
    github.reviews = [review(i, f"user{i}", "COMMENTED") for i in range(1, MAX_PER_PAGE + 51)]
    path = f"repos/{REPO}/pulls/7/reviews"
    pages = list(client(github).pages(path, "reading reviews"))
    assert [len(page) for page in pages] == [MAX_PER_PAGE, len(github.reviews) - MAX_PER_PAGE]
    assert github.requests == [
        f"/{path}?per_page={MAX_PER_PAGE}",
        f"/{path}?per_page={MAX_PER_PAGE}&page=2",  # the Link header's rel="next"
    ]
    read = reviews_from_api(item for page in pages for item in page)
    assert [r.id for r in read] == [r["id"] for r in github.reviews]


def test_a_server_error_is_retried_with_backoff(github: FakeGitHub) -> None:
    github.reviews = [review(1, "priyaraman", "APPROVED")]
    github.failures = [(500, {}), (502, {})]
    sleeper = Sleeper()
    result = review_gate(client(github, sleeper), REPO, 7)
    assert result.decision is not None and result.decision.satisfied
    assert sleeper.waits == [1.0, 2.0]


def test_rate_limits_wait_for_the_reset_or_retry_after(github: FakeGitHub) -> None:
    github.failures = [
        (403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1007"}),
        (429, {"retry-after": "3"}),
    ]
    sleeper = Sleeper()
    client(github, sleeper).get_json(f"repos/{REPO}/pulls/7", "reading")
    assert sleeper.waits == [7.0, 3.0]


def test_a_rate_limit_that_names_no_time_waits_a_minute(github: FakeGitHub) -> None:
    """A secondary rate limit is a 403 with quota left; GitHub says so only in the message, and
    asks for a minute's wait at least when no header names a time."""
    github.failures = [
        (403, {"x-ratelimit-remaining": "4990"}, "You have exceeded a secondary rate limit."),
        (429, {}),
    ]
    sleeper = Sleeper()
    client(github, sleeper, max_wait=200).get_json(f"repos/{REPO}/pulls/7", "reading")
    assert sleeper.waits == [60.0, 60.0]
    github.failures = [
        (403, {"x-ratelimit-remaining": "4990"}, "You have exceeded a secondary rate limit.")
    ]
    with pytest.raises(GitHubError, match=r"HTTP 403 rate limit exhausted: You have exceeded"):
        client(github, Sleeper(), max_wait=30).get_json(f"repos/{REPO}/pulls/7", "reading")


def test_a_rate_limit_resetting_after_max_wait_says_when_it_resets(github: FakeGitHub) -> None:
    """Not "gave up after waiting 0s (--max-wait 120s)", which reads as if it never tried."""
    github.failures = [
        (403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "2800"}, "API rate limit")
    ]
    sleeper = Sleeper()
    with pytest.raises(GitHubError) as error:
        client(github, sleeper).get_json(f"repos/{REPO}/pulls/7", "reading")
    assert str(error.value) == (
        "reading: HTTP 403 rate limit exhausted: API rate limit; gave up: the next try was due "
        "in 1800s (at 1970-01-01 00:46:40 UTC), past --max-wait 120s"
    )
    assert sleeper.waits == []


@pytest.mark.parametrize(
    ("headers", "due"),
    [
        ({"retry-after": "1e12"}, "due in more than 86400s, past"),
        ({"retry-after": "99999999999999999999"}, "due in more than 86400s, past"),
        ({"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1e300"}, "in more than 86400s"),
        # No time at all: read as none, so the wait of a limit that names none.
        ({"retry-after": "inf"}, "due in 60s (at 1970-01-01 00:17:40 UTC), past"),
        ({"retry-after": "nan"}, "due in 60s (at 1970-01-01 00:17:40 UTC), past"),
    ],
)
def test_a_rate_limit_asking_an_endless_wait_is_a_clear_error(
    github: FakeGitHub, headers: dict[str, str], due: str
) -> None:
    """Such a time overflowed the date of the next try: a traceback, exit 1."""
    github.failures = [(429, headers)]
    with pytest.raises(GitHubError) as error:
        client(github, Sleeper(), max_wait=0).get_json(f"repos/{REPO}/pulls/7", "reading")
    assert str(error.value).startswith("reading: HTTP 429 rate limit exhausted: failure 429;")
    assert due in str(error.value)


@pytest.mark.parametrize("seconds", [float("nan"), float("inf"), -1.0])
def test_a_max_wait_that_is_no_number_of_seconds_is_refused(
    github: FakeGitHub, seconds: float
) -> None:
    """No wait compares greater than nan: a Retry-After of 1e12 was slept through, for days."""
    github.failures = [(429, {"retry-after": "1e12"})] * 5
    with pytest.raises(UsageError, match=r"^--max-wait: .* is not a finite number of seconds"):
        client(github, Sleeper(), max_wait=seconds)
    assert github.requests == []


def test_a_clock_past_the_dates_python_holds_still_says_how_long(github: FakeGitHub) -> None:
    github.failures = [(429, {"retry-after": "600"})]
    endless = GitHubClient(github.url, "t0ken", sleep=Sleeper(), clock=lambda: 1e18, max_wait=0)
    with pytest.raises(GitHubError, match=r"the next try was due in 600s, past --max-wait 0s$"):
        endless.get_json(f"repos/{REPO}/pulls/7", "reading")


def test_an_answer_nested_deeper_than_python_reads_is_no_json() -> None:
    with pytest.raises(GitHubError, match="reading reviews: the answer is not JSON"):
        Response(200, Message(), b"[" * 200_000).json("reading reviews")


def test_waiting_is_bounded_and_then_fails_closed(github: FakeGitHub) -> None:
    github.failures = [(503, {})] * 10
    sleeper = Sleeper()
    with pytest.raises(GitHubError, match=r"HTTP 503: failure 503; gave up after waiting 3s"):
        client(github, sleeper, max_wait=5).get_json(f"repos/{REPO}/pulls/7", "reading")
    assert sum(sleeper.waits) <= 5


def test_unauthorized_names_what_failed_without_retrying(github: FakeGitHub) -> None:
    github.failures = [(401, {})]
    sleeper = Sleeper()
    with pytest.raises(GitHubError) as error:
        review_gate(client(github, sleeper), REPO, 7)
    assert "reading pull request #7: HTTP 401" in str(error.value)
    assert "GITHUB_TOKEN" in str(error.value)
    assert sleeper.waits == []


def test_forbidden_without_rate_limit_is_not_retried(github: FakeGitHub) -> None:
    github.failures = [(403, {"x-ratelimit-remaining": "4000"})]
    with pytest.raises(GitHubError, match=r"403 forbidden.*pull-requests: read"):
        client(github).get_json(f"repos/{REPO}/pulls/7", "reading")


RATE_LIMITED_403 = (403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "990"}, "API rate")
"""A primary rate limit whose reset our clock (1000) has already passed: a second per try."""


@pytest.mark.parametrize(
    "failures",
    [
        [RATE_LIMITED_403] * 5,  # out of tries
        [(403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "2800"}, "API rate")],
        [(403, {}, "You have exceeded a secondary rate limit.")],  # past --max-wait
        [(403, {"retry-after": "soon"}, "slow down")],  # a wait it cannot read
        [(429, {"retry-after": "3600"})],
    ],
    ids=["tries", "reset", "secondary", "unreadable wait", "429"],
)
def test_a_rate_limit_given_up_on_says_it_was_one(
    github: FakeGitHub, failures: list[tuple[int, dict[str, str], str]]
) -> None:
    """However the client gave up, a rate limit is not a 403 for the token's rights."""
    github.failures = list(failures)
    with pytest.raises(GitHubError) as error:
        client(github, Sleeper(), max_wait=30).get_json(f"repos/{REPO}/pulls/7", "reading")
    assert error.value.rate_limited and error.value.status == failures[0][0]
    assert "rate limit exhausted" in str(error.value)


def test_a_forbidden_answer_is_not_a_rate_limit(github: FakeGitHub) -> None:
    github.failures = [(403, {"x-ratelimit-remaining": "4000"}, "Resource protected by SAML")]
    with pytest.raises(GitHubError) as error:
        client(github).get_json(f"repos/{REPO}/pulls/7", "reading")
    assert error.value.status == 403 and not error.value.rate_limited


def test_links_outside_the_api_are_not_followed(github: FakeGitHub) -> None:
    api = client(github)
    with pytest.raises(GitHubError, match="outside"):
        api.get("http://example.com/repos/acme/ops/pulls/7", "reading")


@pytest.mark.parametrize(
    ("location", "said"),
    [
        ("self", r"redirected in a loop \(last to http://\S+/repos/acme/ops/pulls/7\)$"),
        (None, r"redirected to no address$"),
    ],
)
def test_a_redirect_that_leads_nowhere_says_so(
    github: FakeGitHub, location: str | None, said: str
) -> None:
    github.failures = [
        (302, {"Location": github.url + "/repos/acme/ops/pulls/7"} if location else {})
    ] * 20
    with pytest.raises(GitHubError, match=r"^reading: HTTP 302: " + said):
        client(github).get_json("repos/acme/ops/pulls/7", "reading")


@pytest.mark.parametrize("status", [301, 307])
def test_a_redirected_write_is_not_sent_on_and_says_where_it_went(
    github: FakeGitHub, status: int
) -> None:
    """GitHub answers a write to a repository that moved with 307: not a loop. A 301 is not
    followed either: urllib would send the POST on as a GET, and create nothing."""
    moved = github.url + "/repos/acme/new/issues"
    github.failures = [(status, {"Location": moved})]
    with pytest.raises(GitHubError) as error:
        client(github).post("repos/acme/ops/issues", "creating an issue", {"title": "x"})
    assert str(error.value) == (
        f"creating an issue: HTTP {status}: redirected to {moved}; a POST is not sent again "
        "elsewhere (has the repository moved? check --repo)"
    )
    assert github.requests == ["/repos/acme/ops/issues?"]  # once, and never to acme/new


@pytest.mark.parametrize(
    ("base", "link", "within"),
    [
        ("https://API.GitHub.com", "https://api.github.com/repos/a/b/pulls?page=2", True),
        ("https://api.github.com:443", "https://api.github.com/repos/a/b/pulls?page=2", True),
        ("https://api.github.com", "https://api.github.com:443/x", True),
        ("https://ghe.example/api/v3", "https://GHE.example/api/v3/repos/a/b", True),
        ("https://ghe.example/api/v3", "https://ghe.example/other/v3/repos", False),
        ("https://api.github.com", "http://api.github.com/x", False),
        ("https://api.github.com", "https://api.github.com:8443/x", False),
        ("https://api.github.com", "https://user@api.github.com/x", False),
        ("https://api.github.com", "https://api.github.com.evil.example/x", False),
    ],
)
def test_the_apis_own_links_are_followed_however_its_address_is_written(
    base: str, link: str, within: bool
) -> None:
    # Written in capitals or with its default port, GITHUB_API_URL refused GitHub's own links.
    assert _within(link, base) is within


def test_an_unreachable_api_is_a_clear_error() -> None:
    sleeper = Sleeper()
    api = GitHubClient("http://127.0.0.1:9", None, sleep=sleeper, max_wait=0.5, attempts=2)
    with pytest.raises(GitHubError, match=r"cannot reach http://127\.0\.0\.1:9"):
        api.get_json("repos/acme/ops/pulls/7", "reading")


class RawServer:
    """A server on 127.0.0.1 that answers each connection with the next of `answers`, as raw
    bytes, one byte every `pace` seconds (0: at once), then closes it."""

    def __init__(self, answers: list[bytes], pace: float = 0.0) -> None:
        self.answers = answers
        self.pace = pace
        self.received: list[bytes] = []
        """What each connection sent, as far as its first read."""
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        for answer in self.answers:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            with connection:
                self.received.append(connection.recv(65536))
                try:
                    if self.pace:
                        for index in range(len(answer)):
                            connection.sendall(answer[index : index + 1])
                            time.sleep(self.pace)
                    else:
                        connection.sendall(answer)
                except OSError:
                    pass  # the client gave up

    def close(self) -> None:
        self.listener.close()


FINE = (
    b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{"number": 7}'
)


@pytest.mark.parametrize(
    "broken",
    [
        b'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n{"number"',  # cut short
        b"NOT HTTP AT ALL\r\n\r\n",
    ],
)
def test_an_answer_cut_short_or_not_http_is_retried(broken: bytes) -> None:
    server = RawServer([broken, FINE])
    sleeper = Sleeper()
    try:
        api = GitHubClient(server.url, None, sleep=sleeper, clock=lambda: 1000.0)
        assert api.get_json("repos/acme/ops/pulls/7", "reading") == {"number": 7}
    finally:
        server.close()
    assert sleeper.waits == [1.0]


def test_an_error_whose_message_is_cut_short_is_still_that_error() -> None:
    """A proxy's 502, or GitHub's 404, whose body stops early: the status says enough."""
    cut = b'HTTP/1.1 {} X\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{{"mes'
    server = RawServer([cut.replace(b"{}", b"502"), FINE, cut.replace(b"{}", b"404")])
    sleeper = Sleeper()
    try:
        api = GitHubClient(server.url, "t0ken", sleep=sleeper, clock=lambda: 1000.0)
        assert api.get_json("repos/acme/ops/pulls/7", "reading") == {"number": 7}
        with pytest.raises(GitHubError, match=r"^reading #8: HTTP 404 not found \(check --repo"):
            api.get_json("repos/acme/ops/pulls/8", "reading #8")
    finally:
        server.close()
    assert sleeper.waits == [1.0]


@pytest.mark.parametrize(
    ("options", "said"),
    [
        ({}, "for a public one, check --repo and --pr)"),
        ({"hints": SYNC_HINTS, "not_found": SYNC_NOT_FOUND}, "for a public one, check --repo)"),
    ],
)
def test_not_found_without_a_token_says_so_and_what_else_to_check(
    github: FakeGitHub, options: dict[str, Any], said: str
) -> None:
    """A public repository answers without a token: its 404 is still a wrong name or number."""
    github.failures = [(404, {}, "Not Found")]
    api = GitHubClient(github.url, None, max_wait=0, **options)
    with pytest.raises(GitHubError) as raised:
        api.get_json(f"repos/{REPO}/pulls/7", "reading #7")
    assert str(raised.value).startswith("reading #7: HTTP 404 not found: Not Found (no token was")
    assert str(raised.value).endswith(f"60 requests an hour; {said}")


def test_an_error_whose_message_never_ends_times_out_whole() -> None:
    """A 502 whose message comes a byte at a time: no read times out, but the whole answer does,
    as a good answer's would, and the status alone is reported."""
    slow = b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 400\r\n\r\n" + b"x" * 400
    server = RawServer([slow], pace=0.01)
    started = time.monotonic()
    try:
        api = GitHubClient(
            server.url, None, sleep=Sleeper(), timeout=0.5, min_timeout=0.5, max_wait=0
        )
        with pytest.raises(GitHubError, match=r"^reading: HTTP 502; gave up after waiting 0s"):
            api.get_json("repos/acme/ops/pulls/7", "reading")
    finally:
        server.close()
    assert time.monotonic() - started < 3.0  # the message alone takes 4s


def test_an_address_with_letters_outside_ascii_is_sent_percent_encoded() -> None:
    """An Enterprise API under a folder named so, and a Link to the next page named so too, in
    the UTF-8 a server sends (a header is read as ISO-8859-1: "é" arrives as "Ã©")."""
    link = '</équipe/api/v3/repos/acme/ops/pulls/7/reviews?page=2&après=1>; rel="next"'
    first = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nLink: %s\r\n\r\n[1]" % link.encode()
    server = RawServer([first, b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n[2]"])
    try:
        api = GitHubClient(f"{server.url}/équipe/api/v3", None, sleep=Sleeper(), attempts=1)
        assert api.list_all("repos/acme/ops/pulls/7/reviews", "listing reviews") == [1, 2]
    finally:
        server.close()
    assert [sent.split(b" ")[1] for sent in server.received] == [
        b"/%C3%A9quipe/api/v3/repos/acme/ops/pulls/7/reviews?per_page=100",
        b"/%C3%A9quipe/api/v3/repos/acme/ops/pulls/7/reviews?page=2&apr%C3%A8s=1",
    ]


def test_an_answer_that_never_ends_times_out_whole() -> None:
    """A byte at a time never lets one read time out: the whole answer has the timeout."""
    slow = b'HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n{"number": 7, "title": "slow answer..."}'
    server = RawServer([slow], pace=0.1)  # whole after 4 s, a byte every 0.1 s
    try:
        api = GitHubClient(server.url, None, sleep=Sleeper(), attempts=1, timeout=0.5)
        with pytest.raises(GitHubError, match=r"cannot reach .*took more than 0\.5s"):
            api.get_json("repos/acme/ops/pulls/7", "reading")
    finally:
        server.close()


def test_a_server_that_never_answers_is_waited_for_no_longer_than_max_wait() -> None:
    """The time a request may take is what is left of max_wait (at least min_timeout), not the
    whole 30 s timeout: `--max-wait 5` against a server that never answers took 30 s."""
    silent = socket.create_server(("127.0.0.1", 0))  # takes connections, never answers
    url = f"http://127.0.0.1:{silent.getsockname()[1]}"
    api = GitHubClient(url, None, sleep=Sleeper(), max_wait=0.5, min_timeout=0.2)
    started = time.monotonic()
    try:
        with pytest.raises(
            GitHubError, match=r"gave up after waiting [\d.]+s \(--max-wait 0\.5s\)"
        ):
            api.get_json("repos/acme/ops/pulls/7", "reading")
    finally:
        silent.close()
    assert time.monotonic() - started < 3


@pytest.mark.parametrize(
    "url", ["http://[::1", "http://127.0.0.1:abc", "http://exa mple.com", "ftp://x", "http://"]
)
def test_an_api_url_that_is_no_url_is_a_usage_error(url: str) -> None:
    with pytest.raises(UsageError, match=r"is not an http\(s\) URL"):
        GitHubClient(url)


@pytest.mark.parametrize(
    "url", ["https://someone:s3cret@github.example.com/api/v3", "http://u:s3cret@host:abc"]
)
def test_an_api_url_with_a_password_is_refused_without_showing_it(url: str) -> None:
    with pytest.raises(UsageError) as error:
        GitHubClient(url)
    assert "s3cret" not in str(error.value) and "GITHUB_TOKEN" in str(error.value)


@pytest.mark.parametrize(
    "header",
    [
        '<https://api.github.com/x?page=2>; rel="next"',
        '<https://api.github.com/x?page=2>; REL="next"',
        '<https://api.github.com/x?page=2>; rel="prev next"',
        '<https://api.github.com/x?page=2>; title="two"; rel=next',
        '<https://api.github.com/x?page=1>; rel="first", <https://api.github.com/x?page=2>; rel="next"',
        '<https://api.github.com/x?page=2>; rel = "next"; title="a, b; c"',
        '<https://api.github.com/x?page=9>; title="next, please"; rel="last", '
        '<https://api.github.com/x?page=2>; rel="next"',
        '<https://api.github.com/x?page=2>; rel="next";',
        ', <https://api.github.com/x?page=2>; rel="next",',
    ],
)
def test_the_next_page_is_found_however_the_link_header_writes_it(header: str) -> None:
    # A page skipped would lose its reviews: a request for changes among them, the gate open.
    assert next_link(header) == "https://api.github.com/x?page=2"


def test_a_relative_next_address_is_resolved_against_the_page() -> None:
    page = "https://api.github.com/x?page=1"
    assert next_link('</x?page=2>; rel="next"', page) == "https://api.github.com/x?page=2"


def test_a_next_address_holding_a_comma_is_read_whole() -> None:
    next_page = "https://api.github.com/x?per_page=100&page=2&sort=created,asc"
    header = f'<{next_page}>; rel="next", <https://api.github.com/x?page=9&sort=a,b>; rel="last"'
    assert next_link(header) == next_page


def test_every_link_field_is_read_not_only_the_first() -> None:
    fields = [
        '<https://api.github.com/x?page=9>; rel="last"',
        '<https://api.github.com/x?page=2>; rel="next"',
    ]
    assert next_link(fields) == "https://api.github.com/x?page=2"
    assert next_link(fields[:1]) is None


@pytest.mark.parametrize(
    "header",
    [
        '<https://api.github.com/x?page=2; rel="next"',  # the address never closed
        'https://api.github.com/x?page=2; rel="next"',
        '<https://api.github.com/x?page=2>; rel="next',
        "<https://api.github.com/x?page=2>; rel=next <https://api.github.com/x?page=3>",
        "<https://api.github.com/x?page=2>; rel=next, <https://api.github.com/x?page=3>; rel=next",
        "<https://api.github.com/x?page=2>; rel='next'",  # quoted as RFC 8288 does not quote
        '<https://api.github.com/x?page=2>; rel="next,prev"',
        '<https://api.github.com/x?page=2>; rel="(next)"',
        "<https://api.github.com/x?page=2>; rel=\"prev\"; rel='next'",  # which rel counts?
    ],
)
def test_a_next_page_that_cannot_be_read_is_an_error_not_the_end(header: str) -> None:
    with pytest.raises(ValueError, match="next page"):
        next_link(header)


@pytest.mark.parametrize("links", ["comma", "split"])
def test_every_page_is_read_whatever_the_link_headers_look_like(
    github: FakeGitHub, links: str
) -> None:
    github.links = links
    github.reviews = [review(i, f"user{i}", "COMMENTED") for i in range(1, MAX_PER_PAGE + 51)]
    pages = list(client(github).pages(f"repos/{REPO}/pulls/7/reviews", "reading reviews"))
    assert [len(page) for page in pages] == [MAX_PER_PAGE, 50]


def test_a_link_header_naming_a_next_page_it_cannot_give_fails_closed(github: FakeGitHub) -> None:
    github.links = "unreadable"
    github.reviews = [review(i, f"user{i}", "COMMENTED") for i in range(1, MAX_PER_PAGE + 51)]
    with pytest.raises(GitHubError, match="reading reviews: the Link header names a next page"):
        client(github).list_all(f"repos/{REPO}/pulls/7/reviews", "reading reviews")


@pytest.mark.parametrize(
    "header",
    [
        '<https://api.github.com/x?page=1>; rel="prev"',
        '<https://a/x>; rel="nextish"',
        '<https://a/x>; rel="next-page"',
        '<https://a/x>; rel="last"; title="rel=next"',
        '<https://a/x>; rel="prev"; anchor="#rel=next"',
    ],
)
def test_a_link_header_without_a_next_page_ends_the_list(header: str) -> None:
    assert next_link(header) is None


def test_only_a_404_reads_as_a_file_that_is_not_there(github: FakeGitHub) -> None:
    # Text that happens to hold " 404 " is no answer that the file is absent: the base
    # configuration would read as the defaults, and its stricter counts be lost.
    github.failures = [(403, {}, "blocked by policy 404 ")]
    with pytest.raises(GitHubError, match="403"):
        client(github).file_at(REPO, "pyproject.toml", BASE)
    assert client(github).file_at(REPO, "nowhere.md", BASE) is None
