"""What must not go out in a public update: people, internal hosts, addresses, internal links.

Each finding is the exact text and what it is, so the Communications Lead can fix it before the
update goes out. The checks err on the side of refusing: a refused update costs a rewrite, a
leaked hostname or name cannot be taken back.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from incident_docs.models import Roster

_MENTION = re.compile(r"(?<![\w.+-])@[A-Za-z0-9][A-Za-z0-9._-]*")
_EMAIL = re.compile(r"\b[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+\b")
_URL = re.compile(r"\b[A-Za-z][A-Za-z0-9+-]*://[^\s<>\"')]+")
"""Any scheme: a connection string ("postgres://app:secret@db/payments", "redis://cache:6379",
"s3://backups/") names an internal host, and can hold a password. No dot in the scheme: in
"Details.https://status.example.com" the link starts at "https"."""
_HOST_PORT = re.compile(r"(?<![\w.:/@-])[A-Za-z][A-Za-z0-9_.-]*:(\d{1,5})(?!\w|:\w|\.\w)")
"""A word and a number after a colon, which may be a host and its port ("cache:6379",
"kafka-1.prod:9092"): see HOST_PORTS."""
HOST_PORTS = range(1024, 65536)
"""The ports a plain word before a colon and a number must have, or be one of
WELL_KNOWN_PORTS, to read as a host and its port: the registered and dynamic ones, where
services listen (Redis 6379, Postgres 5432, Kafka 9092), whatever the word's case
(`Redis:6379`, `DB01:5432`). A smaller number after a word is mostly a status code, a count, a
ratio or a file's line ("status:503", "rate:5", "config.yaml:42"). A name shaped like a host (a
hyphen, an underscore or a dot, then a letter: "smb-share", "payments_db", "db.internal") is
one with any port from 10 up ("smb-share:445"); below, it is a count ("sign-in:2")."""
WELL_KNOWN_PORTS = frozenset({80, 110, 143, 389, 443, 465, 587, 636, 993, 995})
"""Ports below 1024 that services listen on, read as a port after a plain word ("ldap:389");
not the smallest (22, 25, 53), which after a word are mostly counts ("Step:22", "Page:25")."""
_HOST_SHAPED = re.compile(r"[A-Za-z0-9]+[-_.][\w.-]*[A-Za-z][\w.-]*")
_ZONES = (
    "UTC|GMT|Z|CET|CEST|EET|EEST|WET|WEST|BST|IST|IDT|MSK|EST|EDT|CST|CDT|MST|MDT|PST|PDT|AST"
    "|ADT|AKST|AKDT|HST|NST|NDT|BRT|ART|CLT|COT|PET|WAT|CAT|EAT|SAST|GST|PKT|NPT|ICT|WIB|PHT"
    "|MYT|AEST|AEDT|ACST|ACDT|AWST|NZST|NZDT|JST|KST|SGT|HKT"
)
"""Time zones written after a time of day: a closed list, not any word ending in T ("WENT")."""
_NOT_A_PORT = re.compile(
    # A quarter of a year ("Q3:2024"), or a time of day followed by its zone ("ETA:1500 UTC",
    # "ETA:1500 SAST").
    rf"(?:Q[1-4]:\d{{4}}|[A-Za-z]+:(?:[01]\d|2[0-3])[0-5]\d\s*(?:{_ZONES})\b)"
)
_COUNTED = re.compile(
    # The unit of what the number measures ("CPU:80%", "Disk:993 GB", "Timeout:3000 ms").
    r"\s*(?:%|(?:percent|ms|secs?|seconds|mins?|minutes|hours|days|[KMGTP]i?B)\b)",
    re.IGNORECASE,
)
_AUTHORITY_END = re.compile(r"[/?#\\]")
_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?:/\d{1,2})?(?!\d|\.\d)")
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?:/\d{1,3})?(?![\w:])")
_DOTTED = re.compile(
    # Underscores too: not in a DNS name, but in the names internal networks give hosts
    # ("payments_db.internal").
    r"(?<![\w.-])[A-Za-z0-9_](?:[\w-]*[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[\w-]*[A-Za-z0-9_])?)+(?![\w-])"
)
_NUMBERED_HOST = re.compile(
    # Capitalised too, at the start of a sentence ("Web-01 ran out of disk").
    r"(?<![\w.-])[A-Za-z][a-z0-9]*(?:[-_][a-z0-9]+)*[-_]\d+[a-z]?(?![\w-]|\.\w)"
)
_TICKET = re.compile(r"(?<![\w-])[A-Z][A-Z0-9]{1,9}-\d+(?![\w-])")

INTERNAL_LABELS = frozenset(
    {
        "internal", "local", "lan", "corp", "intra", "intranet", "private", "svc", "cluster",
        "localdomain", "priv",
    }
)  # fmt: skip
"""Labels that only mean something inside a network: a name holding one is internal even under
a public domain ("db7.corp.example.com", "jira.internal.example.com")."""
FILE_ENDINGS = frozenset(
    {
        "md", "txt", "log", "json", "yaml", "yml", "toml", "ini", "cfg", "conf", "py", "js", "ts",
        "css", "html", "htm", "png", "jpg", "jpeg", "gif", "svg", "pdf", "csv", "sh", "sql", "xml",
        "go", "rs", "java", "rb", "php", "lock", "tar", "gz", "zip", "exe", "dll", "so",
    }
)  # fmt: skip
"""A dotted word ending like a file name is not a host ('config.yaml', 'node.js')."""
NOT_HOSTS = frozenset(
    {"utf-8", "utf-16", "sha-1", "sha-256", "sha-512", "x86-64", "covid-19", "iso-8601", "tls-1"}
)
"""Words shaped like a numbered host or a ticket key that are neither."""


def _host_and_port(text: str, match: re.Match[str], host: str, port: int) -> bool:
    """The name and number after its colon read as a host and its port (see HOST_PORTS)."""
    if (
        host.rsplit(".", 1)[-1].lower() in FILE_ENDINGS  # "app.py:1200": a line of a file
        or host.lower() in NOT_HOSTS
        or not 0 < port < 65536
    ):
        return False
    if _HOST_SHAPED.fullmatch(host) is not None:
        return port >= 10  # whatever follows: "payments-db:5432 errors climbed"
    if (
        _NOT_A_PORT.match(text, match.start()) is not None
        or _COUNTED.match(text, match.end()) is not None
    ):
        return False
    return port in HOST_PORTS or port in WELL_KNOWN_PORTS


@dataclass(frozen=True)
class Leak:
    text: str
    """The exact text that would leak."""
    what: str
    """What it is: 'a person's handle', 'an internal hostname', 'an IP address'..."""
    where: str
    """The part of the update it is in."""

    def __str__(self) -> str:
        # One line: a name can run across a line break ("Priya\nRaman"), which the update
        # joins.
        return f"'{_WHITESPACE.sub(' ', self.text)}' ({self.what}) in {self.where}"


_WHITESPACE = re.compile(r"\s")


def find_leaks(
    text: str,
    where: str,
    roster: Roster,
    *,
    public_domains: Sequence[str] = (),
    allowed: Iterable[str] = (),
    handles: Iterable[str] = (),
) -> list[Leak]:
    """Everything in `text` that a public update must not carry; `allowed` words pass (the
    incident's own service names, which the update names on purpose). `handles`: the people of
    the incident the roster does not know (an outside responder, a commander from before the
    roster), named by their handles only.

    Letters written in another form that reads the same (full-width ones, as an input method
    for Japanese or Chinese types them; ligatures, circled letters) are read as the plain ones,
    and a leak in them is named as written."""
    found = _leaks(text, where, roster, public_domains, allowed, handles)
    if text.isascii():
        return found
    folded, origin = _compatible(text)
    if folded == text:
        return found
    starts = [(text.find(leak.text), len(leak.text)) for leak in found]
    taken = [(start, start + length) for start, length in starts]
    for leak in _leaks(folded, where, roster, public_domains, allowed, handles):
        at = folded.find(leak.text)
        start, end = origin[at], origin[at + len(leak.text) - 1] + 1
        if not any(start < e and s < end for s, e in taken):  # found as written already
            taken.append((start, end))
            found.append(Leak(text[start:end], leak.what, where))
    return sorted(found, key=lambda leak: text.find(leak.text))


def _compatible(text: str) -> tuple[str, list[int]]:
    """The text with each character in its compatible form (NFKC: a full-width letter as the
    plain one, a ligature as its letters), and for each character of it, the index of the
    character of `text` it comes from."""
    pieces: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        plain = char if char.isascii() else unicodedata.normalize("NFKC", char)
        pieces.append(plain)
        origin += [index] * len(plain)
    return "".join(pieces), origin


def _leaks(
    text: str,
    where: str,
    roster: Roster,
    public_domains: Sequence[str],
    allowed: Iterable[str],
    handles: Iterable[str],
) -> list[Leak]:
    """find_leaks() of the text as it is written."""
    ok = {word.casefold() for word in allowed}
    found: list[Leak] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, what: str) -> None:
        if any(start < e and s < end for s, e in taken):
            return  # part of something already reported (a host inside a URL)
        piece = text[start:end]
        if piece.casefold() in ok:
            return
        taken.append((start, end))
        found.append(Leak(piece, what, where))

    for match in _URL.finditer(text):
        scheme, _, rest = match.group(0).partition("://")
        authority = _AUTHORITY_END.split(rest, maxsplit=1)[0]
        if "@" in authority:
            # "https://token@status.example.com/": a user name or password, whatever the host.
            add(*match.span(), "a link with a user name or password")
        elif _public(authority, public_domains):
            taken.append(match.span())  # any scheme: "webcal://status.example.com/feed"
        elif scheme.lower() not in ("http", "https", "ssh", "ftp"):
            add(*match.span(), "an internal address")
        else:
            add(*match.span(), "a link to an internal page or ticket")
    for match in _HOST_PORT.finditer(text):
        host, port = match.group(0).rsplit(":", 1)[0], int(match.group(1))
        if _under(host.lower(), public_domains):
            taken.append(match.span())  # "status.example.com:8443"
        elif _host_and_port(text, match, host, port):
            add(*match.span(), "an internal host and port")
    for match in _EMAIL.finditer(text):
        add(*match.span(), "an email address")
    for match in _MENTION.finditer(text):
        add(*match.span(), "an @mention")
    for match in _IPV4.finditer(text):
        if _is_ipv4(match.group(0)):
            add(*match.span(), "an IP address")
    for match in _IPV6.finditer(text):
        value = match.group(0)
        if ("::" in value or value.count(":") >= 3) and _is_ip(value.partition("/")[0]):
            add(*match.span(), "an IP address")
    for match in _DOTTED.finditer(text):
        if _host_like(match.group(0), public_domains):
            add(*match.span(), "an internal hostname")
    for match in _NUMBERED_HOST.finditer(text):
        if match.group(0) not in NOT_HOSTS:
            add(*match.span(), "an internal hostname")
    for match in _TICKET.finditer(text):
        if match.group(0).lower() not in NOT_HOSTS:
            add(*match.span(), "a ticket reference")
    for start, end, what in _people(text, roster, handles):
        add(start, end, what)
    return sorted(found, key=lambda leak: text.find(leak.text))


def _public(authority: str, domains: Sequence[str]) -> bool:
    """Whether a link's host (its authority without the port) is under a public domain."""
    return _under(authority.split(":", 1)[0].lower(), domains)


def _under(host: str, domains: Sequence[str]) -> bool:
    """Whether the host is one of the public domains or a name under one that no label marks as
    internal: the company's public domain is often its internal hosts' too."""
    return any(
        host == domain
        or (
            host.endswith("." + domain)
            and not INTERNAL_LABELS.intersection(host[: -len(domain) - 1].split("."))
        )
        for domain in (d.lower() for d in domains)
    )


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        return False
    return True


def _is_ipv4(value: str) -> bool:
    """Four numbers up to 255: an address as people read it, with leading zeros too
    ("10.0.0.05"), which the ipaddress module refuses, and whatever prefix length follows it
    ("10.0.0.5/64" is a mistyped network, and still names the address)."""
    return all(int(part) <= 255 for part in value.partition("/")[0].split("."))


def _host_like(word: str, public_domains: Sequence[str]) -> bool:
    labels = word.lower().split(".")
    last = labels[-1]
    if not last.isalpha() or len(last) < 2 or last in FILE_ENDINGS:
        return False  # 'v4.1', 'e.g', 'config.yaml'
    if all(len(label) <= 2 for label in labels):
        return False  # 'a.m.', 'U.S.'
    return not _under(word.lower(), public_domains)


def _people(text: str, roster: Roster, handles: Iterable[str]) -> list[tuple[int, int, str]]:
    """Full names first (so 'Priya Raman' is one finding), then their parts as written, then
    handles and GitHub logins in any case, the roster's and the `handles` outside it."""
    spans: list[tuple[int, int, str]] = []
    for person in roster.people:
        # In any case and spacing ("john smith", "JOHN  SMITH"): a name of two words or more is
        # no common word, while a part of one may be ("Will", "Rose"): those only as written.
        whole = re.IGNORECASE if len(person.name.split()) > 1 else re.NOFLAG
        spans += _whole_words(text, person.name, "a person's name", whole)
    for person in roster.people:
        for part in person.name.split():
            if len(part) > 1:
                spans += _whole_words(text, part, "a person's name")
    for person in roster.people:
        for word, what in ((person.handle, "a person's handle"), (person.github, "a GitHub login")):
            if word:
                spans += _whole_words(text, word, what, re.IGNORECASE)
    for handle in handles:
        spans += _whole_words(text, handle, "a person's handle", re.IGNORECASE)
    return spans


def _whole_words(
    text: str, word: str, what: str, flags: re.RegexFlag = re.NOFLAG
) -> list[tuple[int, int, str]]:
    words = r"\s+".join(re.escape(part) for part in word.split())
    pattern = re.compile(rf"(?<![\w@.-]){words}(?![\w-])", flags)
    return [(m.start(), m.end(), what) for m in pattern.finditer(text)]
