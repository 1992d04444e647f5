"""Posting the stakeholder update to a chat's incoming webhook: Slack-compatible JSON or Teams."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from incident_docs import __version__
from incident_docs.diagnostics import UsageError


def payload(text: str, heading: str, fmt: str) -> dict[str, Any]:
    """The JSON a webhook of this kind takes for the update's plain text."""
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
    return {"text": text}


def post(url: str, data: dict[str, Any], *, timeout: float) -> None:
    """Send it; a UsageError that names the host (never the secret URL) when it did not arrive."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError("the webhook URL is not an http(s) URL")
    host = parts.hostname or "the webhook"
    request = urllib.request.Request(
        url,
        data=json.dumps(data).encode("utf-8"),
        headers={
            "Content-Type": "application/json",
            "User-Agent": f"incident-docs/{__version__}",
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            answer.read()
    except urllib.error.HTTPError as error:
        raise UsageError(f"posting the update to {host}: HTTP {error.code}{_said(error)}") from None
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as error:
        reason = getattr(error, "reason", error)
        if isinstance(reason, TimeoutError) or "timed out" in str(reason):
            reason = f"no answer within {timeout:g} s"
        raise UsageError(f"posting the update to {host}: {reason}") from None


def _said(error: urllib.error.HTTPError) -> str:
    """What the chat said back, when it is a short text (Slack: 'invalid_payload'), else the
    status's reason; never a page of HTML."""
    body = error.read(300).decode("utf-8", "replace").strip()
    if body and "<" not in body and "\n" not in body and len(body) <= 120:
        return f": {body}"
    reason = str(error.reason or "").strip()
    return f" {reason}" if reason else ""
