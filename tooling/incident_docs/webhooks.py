"""Posting the stakeholder update to a chat's incoming webhook: Slack-compatible JSON or Teams."""

from __future__ import annotations

import base64
import email.utils
import http.client
import json
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from typing import Any

from incident_docs import __version__
from incident_docs.diagnostics import UsageError
from incident_docs.terminal import replace_controls


def payload(text: str, heading: str, fmt: str) -> dict[str, Any]:
    """The JSON a webhook of this kind takes for the update's plain text, its control characters
    replaced (a title edited by hand can hold them; `incident declare` refuses them)."""
    text, heading = replace_controls(text), replace_controls(heading)
    if fmt == "teams":
        # A Workflows ("When a Teams webhook request is received") message with an Adaptive Card.
        body: list[dict[str, Any]] = [
            {
                "type": "TextBlock",
                "text": heading,
                "weight": "Bolder",
                "size": "Medium",
                "wrap": True,
            }
        ]
        body += [
            {"type": "TextBlock", "text": line, "wrap": True, "spacing": "None"}
            for line in text.splitlines()[1:]
            if line.strip()
        ]
        return {
            "type": "message",
            "attachments": [
                {
                    "contentType": "application/vnd.microsoft.card.adaptive",
                    "content": {
                        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                        "type": "AdaptiveCard",
                        "version": "1.4",
                        "body": body,
                    },
                }
            ],
        }
    # Slack reads <...> as links and mentions (<!channel>): the update's text is plain text.
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return {
        "text": _MARKDOWN_LINK.sub("]\u200b(", _MASS_MENTION.sub("@\u200b", escaped)),
        # Nor as its markup: "*down*", "_all_", "~50%~" from the record stay as written (the
        # update's plain lines use none).
        "mrkdwn": False,
    }


_MASS_MENTION = re.compile(r"(?<![\w.+-])@(?=(?:here|channel|all|everyone)(?![\w-]))", re.I)
"""@here, @channel, @all, @everyone: Mattermost and Rocket.Chat notify everyone in the channel
for them written plainly (Slack only for <!here>, which is escaped). A zero-width space after
the @ keeps them from notifying, and they still read the same."""
_MARKDOWN_LINK = re.compile(r"\]\(")
"""Mattermost and Rocket.Chat read Markdown: "[status](http://...)" from a record would be a
link whose text hides where it leads, or an image fetched from anywhere. A zero-width space
between the brackets and the address keeps it text, unseen in Slack, which reads no Markdown
links."""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirected POST arrives as a GET without its body: refuse it rather than lose the update."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def post(url: str, data: dict[str, Any], *, timeout: float) -> str:
    """Send it, and say to which host; a UsageError that names the host (never the secret URL)
    when it did not arrive."""
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise UsageError("the webhook URL is not a valid URL") from None
    if parts.scheme not in ("http", "https") or not host or any(c.isspace() for c in url):
        raise UsageError("the webhook URL is not a valid http(s) URL")
    where = f"posting the update to {host}"
    secrets = _secrets(parts)
    headers = {"Content-Type": "application/json", "User-Agent": f"incident-docs/{__version__}"}
    if parts.username is not None or parts.password is not None:
        # urllib takes "user:secret@host" for the host name itself (a lookup that fails), so
        # the credentials go as Basic authentication, as curl sends them.
        headers["Authorization"] = _basic(parts.username or "", parts.password or "")
        parts = parts._replace(netloc=parts.netloc.rpartition("@")[2])
    try:
        request = urllib.request.Request(
            urllib.parse.urlunsplit(parts),
            # UTF-8 as it is: an escape takes up to 12 bytes for a character, and Teams takes 28 KB.
            data=json.dumps(data, ensure_ascii=False).encode("utf-8", "replace"),
            headers=headers,
            method="POST",
        )
    except ValueError:
        raise UsageError(f"{where}: the webhook URL is not a valid URL") from None
    try:
        answer = _send(request, where, timeout, secrets)
    except _RateLimited as limited:
        # The chat took nothing (429), so trying again cannot post twice: once, when the wait
        # it asks for fits in the timeout (Slack asks a second or so of a burst of posts).
        if limited.wait is None or limited.wait > timeout:
            wait = (
                "try again later"
                if limited.wait is None
                else "the chat asks to wait a day or more, then try again"
                if limited.wait >= A_DAY
                else f"the chat asks to wait {limited.wait:g} s, then try again"
            )
            raise UsageError(f"{where}: HTTP 429{limited.said}: {wait}") from None
        time.sleep(limited.wait)
        try:
            answer = _send(request, where, timeout, secrets)
        except _RateLimited as again:
            raise UsageError(
                f"{where}: HTTP 429{again.said} twice, {limited.wait:g} s apart: try again later"
            ) from None
    if _web_page(*answer):
        # A login page or a portal, not a webhook: the chat did not get it.
        raise UsageError(f"{where}: the answer is a web page, not a webhook's: check the URL")
    refused = _refusal(*answer, secrets)
    if refused is not None:
        raise UsageError(f"{where}: the chat answered that it did not post it{refused}")
    return host


def _web_page(kind: str, start: bytes) -> bool:
    """Whether the answer is a web page (a sign-in page, a portal): HTML by its type and by its
    markup. Slack answers a post it took with a bare "ok" typed text/html: that is no page."""
    return kind in ("text/html", "application/xhtml+xml") and b"<" in start[:ANSWER_START]


def _refusal(kind: str, start: bytes, secrets: tuple[str, ...]) -> str | None:
    """What the chat said, when a success status comes with a body saying the post failed (as
    Slack's API and workflow webhooks answer 200 `{"ok": false, "error": "..."}`, Rocket.Chat
    `{"success": false}`, Zulip `{"result": "error"}`, or a Slack error code as plain text,
    `invalid_payload`); None when it says nothing of the kind."""
    text = start.decode("utf-8-sig", "replace").strip()
    if _ERROR_CODE.fullmatch(text):
        return f": {text}"
    if kind != "application/json" and not text.startswith("{"):
        return None
    try:
        said = json.loads(text)
    except ValueError:
        return None  # cut short at ANSWER_KEPT, or no JSON: nothing says it failed
    if not isinstance(said, dict) or not (
        said.get("ok") is False or said.get("success") is False or said.get("result") == "error"
    ):
        return None
    for key in ("error", "message", "msg"):
        value = said.get(key)
        if isinstance(value, str) and _short(value.strip()):
            return f": {_hidden(value.strip(), secrets)}"
    return ""


_ERROR_CODE = re.compile(
    r"(?:invalid|no|missing|too_many)(?:_[a-z]+)+"
    r"|[a-z]+(?:_[a-z]+)*_(?:not_found|denied|disabled|archived|prohibited|error)"
)
"""A Slack error code ("invalid_payload", "no_text", "channel_not_found", "action_prohibited",
"rollup_error"): never the answer of a post that arrived, which is "ok" or nothing. Not any
word_with_underscores: a relay that answers "message_received" posted it."""


def _short(text: str) -> bool:
    """Whether what a chat said is fit to quote in a one-line error: short, one line, no markup."""
    return bool(text) and "<" not in text and text.splitlines() == [text] and len(text) <= 120


class _RateLimited(Exception):
    """A 429: the chat took nothing, and may say how long to wait (Retry-After)."""

    def __init__(self, wait: float | None, said: str) -> None:
        super().__init__(said)
        self.wait, self.said = wait, said


def _send(
    request: urllib.request.Request, where: str, timeout: float, secrets: tuple[str, ...]
) -> tuple[str, bytes]:
    """Post the request; the answer's content type and the start of its body, or a UsageError
    naming what went wrong. The whole exchange ends within EXCHANGE_TIMEOUTS timeouts: a server
    that sends its headers or a chunk's size a byte at a time never lets one read time out, and
    http.client reads those a line at a time, with no end to the wait."""
    outcome: list[tuple[str, bytes] | BaseException] = []

    def exchange() -> None:
        try:
            outcome.append(_exchange(request, where, timeout, secrets))
        except BaseException as error:  # raised again in the caller's thread
            outcome.append(error)

    # A daemon: left to its read when given up on, it ends with the command.
    worker = threading.Thread(target=exchange, name="incident-webhook", daemon=True)
    worker.start()
    limit = EXCHANGE_TIMEOUTS * timeout
    worker.join(limit)
    if not outcome:
        raise UsageError(
            f"{where}: no whole answer within {limit:g} s: it may have arrived, so look in the "
            "chat before posting again"
        )
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]


EXCHANGE_TIMEOUTS = 3
"""How many timeouts a post takes at most, from connecting to the end of the answer: one to
connect, one for the answer to start, one to read it."""


def _exchange(
    request: urllib.request.Request, where: str, timeout: float, secrets: tuple[str, ...]
) -> tuple[str, bytes]:
    """The post itself, as _send says, with no bound on the whole of it."""
    try:
        opener = urllib.request.build_opener(_NoRedirects)
        with opener.open(request, timeout=timeout) as answer:
            kind: str = answer.headers.get_content_type()
            return kind, _drain(answer, timeout)
    except urllib.error.HTTPError as error:
        if 300 <= error.code < 400:
            raise UsageError(
                f"{where}: HTTP {error.code}, redirected elsewhere: use the webhook's final URL"
            ) from None
        if error.code == 429:
            raise _RateLimited(
                _retry_after(error.headers.get("Retry-After")), _said(error, secrets, timeout)
            ) from None
        raise UsageError(f"{where}: HTTP {error.code}{_said(error, secrets, timeout)}") from None
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as error:
        reason = getattr(error, "reason", error)
        # urllib wraps what goes wrong before the request is sent whole (connecting, TLS,
        # sending) in a URLError: the chat got nothing. After it, the chat may have taken the
        # update and not said so (slow, or closing the connection): posting again may post it
        # twice.
        sent = not isinstance(error, urllib.error.URLError)
        if isinstance(reason, TimeoutError) or "timed out" in str(reason):
            reason = (
                f"no answer within {timeout:g} s" if sent else f"no connection within {timeout:g} s"
            )
        if sent:
            reason = f"{reason}: it may have arrived, so look in the chat before posting again"
        raise UsageError(f"{where}: {reason}") from None
    except http.client.HTTPException:
        # A status line that is no HTTP, an answer cut short: the URL itself was fine.
        raise UsageError(f"{where}: the answer is not HTTP, or was cut short") from None
    except (ValueError, UnicodeError):
        raise UsageError(f"{where}: the webhook URL is not a valid URL") from None


def _retry_after(value: str | None) -> float | None:
    """Seconds a Retry-After header asks to wait: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        # ASCII digits only: str.isdigit() is true for "²" and "٣" too, which float() refuses.
        # A day at most: a number of hundreds of digits is no wait to report ("inf s").
        return min(float(value), A_DAY)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return min(max(0.0, (when - datetime.now(UTC)).total_seconds()), A_DAY)


A_DAY = 86400.0
"""The longest wait a Retry-After is read as: longer ones are reported as more than a day."""


def _basic(user: str, password: str) -> str:
    """The Authorization header for credentials written in the URL (percent-encoded there)."""
    pair = f"{urllib.parse.unquote(user)}:{urllib.parse.unquote(password)}"
    return "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")


ANSWER_LIMIT = 1 << 20
"""The most of a webhook's answer read: its status says whether the update arrived."""


ANSWER_START = 512
"""How much of the answer's body tells a web page from a webhook's "ok"."""

ANSWER_KEPT = 1 << 16
"""How much of the answer's body is kept: enough for a chat's JSON saying it did not post it,
which Slack's API follows with the messages of each error (a JSON cut short says nothing)."""


def _drain(answer: Any, timeout: float) -> bytes:
    """Read the answer's body (the connection is then done with), within the timeout as a whole
    and up to ANSWER_LIMIT: a server that sends a byte at a time never lets one read time out.
    Its status has already said the update arrived, so what is left unread does not matter,
    nor a body cut short or garbled: the start of it (ANSWER_KEPT bytes) is kept."""
    read = getattr(answer, "read1", None)
    started, taken, start = time.monotonic(), 0, b""
    try:
        if read is None:
            return bytes(answer.read(ANSWER_LIMIT)[:ANSWER_KEPT])
        while taken < ANSWER_LIMIT and time.monotonic() - started < timeout:
            chunk = read(1 << 16)
            if not chunk:
                break
            if len(start) < ANSWER_KEPT:
                start = (start + chunk)[:ANSWER_KEPT]
            taken += len(chunk)
    except (http.client.HTTPException, OSError, ValueError):
        pass  # posted all the same: reporting a failure would have it posted twice
    return start


def _said(error: urllib.error.HTTPError, secrets: tuple[str, ...], timeout: float) -> str:
    """What the chat said back, when it is a short text (Slack: 'invalid_payload'), else the
    status's reason; never a page of HTML, nor the secret parts of the URL it may quote."""
    body = _error_start(error, timeout).decode("utf-8", "replace").strip()
    if _short(body):
        return f": {_hidden(body, secrets)}"
    reason = str(error.reason or "").strip()
    return f" {_hidden(reason, secrets)}" if reason else ""


ERROR_START = 300
"""How much of an error answer's body is read: enough for what a chat says in a line."""


def _error_start(error: urllib.error.HTTPError, timeout: float) -> bytes:
    """The start of an error answer's body (ERROR_START bytes), read within the timeout as a
    whole: a server that sends a byte at a time never lets one read time out, and held the
    error back for minutes. Nothing when it does not come in time, is cut short or garbled: the
    status says what went wrong."""
    read = getattr(error, "read1", None)
    started, body = time.monotonic(), b""
    try:
        if read is None:
            return bytes(error.read(ERROR_START))
        while len(body) < ERROR_START:
            if time.monotonic() - started >= timeout:
                return b""
            chunk = read(ERROR_START - len(body))
            if not chunk:
                break
            body += chunk
    except (http.client.HTTPException, OSError, ValueError):
        return b""
    return body


def _secrets(parts: urllib.parse.SplitResult) -> tuple[str, ...]:
    """The parts of a webhook URL that are its secret, as a chat's answer may quote them ("no
    webhook at /hooks/3f9a…"): the credentials, and each piece of the path and the query and
    each run of pieces in a row (a token written over short pieces, "ab12/cd34/ef56"; one of
    two IDs joined by "@", as in a Teams URL) long enough to be a token (SECRET_LENGTH
    characters or more), as written, decoded (a "+" of the query as a space too), encoded and
    with its slashes escaped as JSON writes them; longest first. A word of the path hidden too
    ("services") costs a word of the error, no secret."""
    written = f"{parts.path}?{parts.query}"
    spans = [piece.span() for piece in re.finditer(r"[^/?&=;@:+,]+", written)]
    runs = {parts.path.strip("/"), parts.query} | {written[begin:end] for begin, end in spans}
    if len(spans) <= RUN_PIECES:  # no URL a chat gives has more
        runs |= {written[begin:end] for begin, _ in spans for _, end in spans if end > begin}
    tokens = {
        secret
        for run in runs
        for secret in (
            run,
            urllib.parse.unquote(run),
            urllib.parse.unquote_plus(run),
            urllib.parse.quote(urllib.parse.unquote(run), safe=""),
            run.replace("/", "\\/"),
        )
        if len(secret) >= SECRET_LENGTH
    }
    tokens |= {
        secret
        for given in (parts.username, parts.password)
        if given
        for secret in (given, urllib.parse.unquote(given))
        if len(secret) >= 4
    }
    return tuple(sorted(tokens, key=len, reverse=True))


SECRET_LENGTH = 6
"""The shortest piece of a webhook's URL path hidden from errors: Slack's and Mattermost's
tokens are 24 or 26 characters, a Teams workflow's signature 43."""

RUN_PIECES = 32
"""The most pieces of a URL's path and query whose runs are hidden: their number grows as the
square of it."""


def _hidden(text: str, secrets: tuple[str, ...]) -> str:
    """The text with each secret piece of the webhook's URL in it written as "…", in any case
    (a hexadecimal token or a percent-encoding quoted in capitals)."""
    if not secrets:
        return text
    return re.compile("|".join(map(re.escape, secrets)), re.IGNORECASE).sub("…", text)
