"""Small HTML builders shared by the generated pages and the record cards; every value is escaped."""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlsplit

from incident_docs.models import ActionItem, EntryKind, Incident
from incident_docs.site.archive import SiteArchive, SiteRecord, relative_url, slug


def e(value: object) -> str:
    """Escape anything for HTML text or a quoted attribute."""
    return html.escape(value if isinstance(value, str) else str(value), quote=True)


def safe_href(url: str) -> str | None:
    """An external link only when it is plain http(s); anything else is not a link."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return url.strip()


_ISSUE_PATH = re.compile(r"^/([^/]+)/([^/]+)/(?:-/)?issues/([0-9]+)/?$")
"""An issue on GitHub (/OWNER/REPO/issues/N) or GitLab (/GROUP/PROJECT/-/issues/N)."""


def tracker_label(url: str) -> str:
    """A short label for a tracker link: OWNER/REPO#12 for an issue, else the last path segment
    (OPS-812), else the host."""
    parts = urlsplit(url)
    issue = _ISSUE_PATH.match(parts.path)
    if issue is not None:
        return f"{issue.group(1)}/{issue.group(2)}#{issue.group(3)}"
    tail = parts.path.rstrip("/").rsplit("/", 1)[-1]
    return tail or parts.netloc


def tracker_link(item: ActionItem) -> str:
    """The item's tracker as a link: OWNER/REPO#12 for an issue."""
    href = safe_href(item.tracker) if item.tracker else None
    if href is None:
        return ""
    return f'<a class="idocs-tracker" href="{e(href)}">{e(tracker_label(href))}</a>'


def search_terms(record: SiteRecord) -> str:
    """What a record is searched by besides its text: its ID, services and tags, which only its
    card shows (values only: a label would make every record a result for it)."""
    r = record.record
    services, tags = ", ".join(dict.fromkeys(r.services)), ", ".join(dict.fromkeys(r.tags))
    return " · ".join(part for part in (r.id, services, tags) if part)


def id_words(record: SiteRecord) -> str:
    """The record's ID after its kind, and the date it starts with (`2022-12-25 ·
    2022-12-25-corrupt-image-crash-loop`): words of their own for Pagefind, which finds a word
    by how it begins. A date typed as IDs write it was searched as one word, found only where a
    longer word began with it (a timestamp in a guide), never on the record the ID names."""
    _kind, _dash, rest = record.record.id.partition("-")
    day = _ID_DATE.match(rest)
    return f"{day.group()} · {rest}" if day else rest


_ID_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?=-)")


def entry_anchor(number: int) -> str:
    """The id of the row of a record's timeline table showing its `number`th entry (from 1),
    which the picture's markers link to."""
    return f"idocs-entry-{number}"


ACTION_LABELS = {
    "rollback": "rollback",
    "redirect-traffic": "traffic redirected",
    "scale-up": "capacity added",
    "other": "mitigation",
}
"""A mitigation's action in words, as the picture of an incident names it."""


def _people(record: SiteRecord, teams: Sequence[str]) -> list[str]:
    r = record.record
    if isinstance(r, Incident):
        people = [r.declared_by, r.roles.incident_commander, r.roles.communications_lead]
        people += [r.roles.ops_lead]  # outside responders: named by their roles and handoffs
        return people + [person for handoff in r.handoffs for person in (handoff.from_, handoff.to)]
    owners = [item.owner for item in r.action_items]
    return [*r.authors, *r.reviewers, *r.approved_by, *r.teams, *teams, *owners]


def search_facts(record: SiteRecord, teams: Sequence[str] = ()) -> str:
    """The rest of what its card shows of this record alone (status, people, who was hurt,
    impact, follow-ups) and what its picture says was done, not the labels and descriptions
    every record shares. `teams`:
    the teams and people of a postmortem's review as its card shows them (see cards.review_of:
    found from services and responders too, not only the `teams` field)."""
    r = record.record
    parts = [r.status.value, r.severity]
    # What was done, in the picture's words ("capacity added"): the table says "scale-up".
    parts += [
        ACTION_LABELS.get(entry.action.value if entry.action else "other", "mitigation")
        for entry in record.timeline
        if entry.kind is EntryKind.MITIGATION
    ]
    parts += _people(record, teams)
    if isinstance(r, Incident):
        parts += [harm for _name, harm in r.audiences.affected()]
    else:
        impact = r.impact
        if impact.users_affected is not None:
            parts.append(str(impact.users_affected))
        parts.append(impact.description or "")
        for item in r.action_items:
            href = safe_href(item.tracker) if item.tracker else None
            # The tracker as the card labels it ("OPS-812"), not its address.
            parts += [item.title, item.owner, tracker_label(href) if href else ""]
    return " · ".join(dict.fromkeys(part for part in parts if part))


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def time_tag(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M UTC") -> str:
    if moment is None:
        return '<span class="idocs-muted">—</span>'
    stamp = utc(moment)
    return f'<time datetime="{e(stamp.isoformat())}">{e(stamp.strftime(fmt))}</time>'


def date_tag(day: date | None) -> str:
    if day is None:
        return '<span class="idocs-muted">—</span>'
    return f'<time datetime="{e(day.isoformat())}">{e(day.isoformat())}</time>'


CSS_SOURCE = Path(__file__).parent / "assets" / "incident-docs.css"
_RANK_COLOURS = ("var(--idocs-sev1)", "var(--idocs-sev2)", "var(--idocs-sev3)")
_MORE_COLOURS = ("#00695c", "#6a1b9a", "#1565c0", "#5d4037")
"""For levels between the third and the last of a longer scale: each takes white text."""
_SPARE_COLOURS = ("#ad1457", "#283593", "#33691e", "#827717")
"""For severities the records name but the configuration does not, after the ones of
_MORE_COLOURS no configured level took: each takes white text."""
_LEAST = "var(--idocs-sev4)"
_DARK_TEXT = "var(--idocs-sev3)"


def severity_colours(names: Sequence[str]) -> dict[str, str]:
    """The colour of each configured severity by its rank, most severe first: red, orange and
    amber from the top, grey for the least, others between; SEV1-SEV4 keep theirs, and a scale
    of other names (Critical, Major, Minor) is told apart as well."""
    if not names:
        return {}
    top = _RANK_COLOURS[: max(0, min(len(names) - 1, len(_RANK_COLOURS)))]
    middle = len(names) - 1 - len(top)
    between = [_MORE_COLOURS[i % len(_MORE_COLOURS)] for i in range(middle)]
    return dict(zip(names, [*top, *between, _LEAST], strict=True))


def unconfigured_colours(names: Sequence[str], others: Sequence[str]) -> dict[str, str]:
    """Colours for severities the records name but the configuration does not (SEV2 records
    kept after renaming the levels P1 to P3): the ones no configured level took, so that a SEV2
    bar is not the same orange as a P2 bar stacked on it (SEV1-SEV4 kept theirs, by name), nor
    the same as each other's (with five levels configured, SEV1 and SEV4 were the same blue)."""
    taken = set(severity_colours(names).values())
    spare = (*_MORE_COLOURS, *_SPARE_COLOURS)
    free = [colour for colour in spare if colour not in taken] or list(spare)
    return {name: free[index % len(free)] for index, name in enumerate(others)}


def severity_css(names: Sequence[str], others: Sequence[str] = ()) -> str:
    """Style rules giving each configured severity its colour: badge, card edge, chart bars;
    and each of the `others` the records name (unconfigured_colours)."""
    rules = []
    colours = {**severity_colours(names), **unconfigured_colours(names, others)}
    for name, colour in colours.items():
        kind = slug(name).replace(".", "\\.")  # "v1.2": one class, not two
        text = "#222" if colour == _DARK_TEXT else "#fff"
        rules.append(
            f".md-typeset .idocs-sev--{kind} {{ background: {colour}; color: {text}; }}\n"
            f".md-typeset .idocs-card:has(.idocs-sev--{kind}) {{ border-left-color: {colour}; }}\n"
            f".idocs-fill--{kind} {{ fill: {colour}; }}\n"
        )
    return "\n/* the configured severities, by rank */\n" + "".join(rules)


def site_css(severities: Sequence[str], others: Sequence[str] = ()) -> str:
    """The archive's stylesheet: the shipped one, and its severities' colours (the configured
    ones, and the `others` its records name)."""
    return CSS_SOURCE.read_text(encoding="utf-8") + severity_css(severities, others)


def severity_badge(name: str) -> str:
    return f'<span class="idocs-badge idocs-sev idocs-sev--{e(slug(name))}">{e(name)}</span>'


def status_badge(status: str) -> str:
    return (
        f'<span class="idocs-badge idocs-status idocs-status--{e(slug(status))}">{e(status)}</span>'
    )


class Linker:
    """Relative links between pages of the site, from the page being written."""

    def __init__(self, here: str, use_directory_urls: bool) -> None:
        self.here = here
        self.use_directory_urls = use_directory_urls

    def to(self, src_uri: str, fragment: str = "") -> str:
        url = relative_url(self.here, src_uri, self.use_directory_urls)
        return e(url + (f"#{fragment}" if fragment else ""))

    def record(self, record: SiteRecord, text: str | None = None) -> str:
        label = e(text if text is not None else record.title)
        return f'<a href="{self.to(record.src_uri)}">{label}</a>'

    def facet(self, facet: str, value: str, text: str | None = None) -> str:
        label = e(text if text is not None else value)
        return f'<a class="idocs-chip" href="{self.to(facet_src(facet, value))}">{label}</a>'


def facet_src(facet: str, value: str) -> str:
    """The page of one value of a facet: its own name (in lower case) where that is a safe file
    name, else a slug with a digest of the value, so that no two values share a page ("tls",
    "tls." and "tls-") and none takes the facet's own index ("index", "readme")."""
    name = slug(value)
    if name != value.casefold() or name in _FACET_INDEXES:
        # "~" is in no label, so no label's own name can be one of these.
        name = f"{name}~{hashlib.sha256(value.encode('utf-8')).hexdigest()[:10]}"
    return f"browse/{facet}/{name}.md"


_FACET_INDEXES = frozenset({"index", "readme"})
"""Names MkDocs reads as a folder's own page."""


def chips(link: Linker, facet: str, values: Iterable[str]) -> str:
    """A link to the page of each value, once (`tags: [tls, tls]` names one tag)."""
    shown = [link.facet(facet, value) for value in dict.fromkeys(values)]
    return " ".join(shown) if shown else '<span class="idocs-muted">—</span>'


def person(archive: SiteArchive, handle: str) -> str:
    """A handle with the roster's name for it, "sam (Sam Lindqvist)": shown, not in a `title`,
    which a keyboard, a touch screen and a screen reader do not reach."""
    name = archive.display_name(handle)
    if name and name.casefold() != handle.casefold():
        return (
            f'<span class="idocs-person">{e(handle)} '
            f'<span class="idocs-person__name">({e(name)})</span></span>'
        )
    return f'<span class="idocs-person">{e(handle)}</span>'


def people(archive: SiteArchive, handles: Iterable[str]) -> str:
    shown = [person(archive, h) for h in handles]
    return ", ".join(shown) if shown else '<span class="idocs-muted">—</span>'


def record_table(link: Linker, records: Iterable[SiteRecord], *, show_kind: bool = True) -> str:
    """A compact table of records: date, kind, severity, status, title, services and (for an
    incident) who it hurts."""
    rows = []
    for record in records:
        when = record.when
        day = utc(when).strftime("%Y-%m-%d") if when else "—"
        kind = f"<td>{e(record.kind)}</td>" if show_kind else ""
        services = ", ".join(e(s) for s in dict.fromkeys(record.record.services))
        if isinstance(record.record, Incident):
            # A badge per audience, its harm in words for a screen reader; the record's card
            # shows the words to all (in a `title` they were for a mouse alone). Shown in the
            # list, a sentence or two per audience made a row many lines tall, and on a phone
            # the column the width of a word.
            services += "".join(
                f' <span class="idocs-badge idocs-audience">{e(name)}</span>'
                f'<span class="idocs-visually-hidden">: {e(harm)}</span>'
                for name, harm in record.record.audiences.affected()
            )
        rows.append(
            f"<tr><td>{e(day)}</td>{kind}<td>{severity_badge(record.severity)}</td>"
            f"<td>{status_badge(record.status)}</td><td>{link.record(record)}"
            f'<br><span class="idocs-id">{e(record.id)}</span></td><td>{services}</td></tr>'
        )
    if not rows:
        return '<p class="idocs-empty">None.</p>'
    kind_head = "<th>Kind</th>" if show_kind else ""
    return (
        '<table class="idocs-table">\n<thead><tr><th>Date (UTC)</th>'
        f"{kind_head}<th>Severity</th><th>Status</th><th>Record</th><th>Services, who is hurt</th>"
        "</tr></thead>\n"
        "<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>"
    )
