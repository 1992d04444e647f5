"""The generated pages: dashboard, record lists, indexes by facet, action items, metrics, search."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from html import escape

from incident_docs import metrics
from incident_docs.actions import owner_key
from incident_docs.models import AUDIENCES, Incident, IncidentStatus, PostmortemStatus
from incident_docs.site.archive import SiteArchive, SiteRecord
from incident_docs.site.charts import duration_chart, monthly_chart
from incident_docs.site.markup import (
    Linker,
    date_tag,
    e,
    facet_src,
    person,
    record_table,
    severity_badge,
    status_badge,
    tracker_link,
    utc,
)

HOME = "index.md"
INCIDENTS = "incidents/index.md"
POSTMORTEMS = "postmortems/index.md"
ACTION_ITEMS = "action-items.md"
METRICS = "metrics.md"
SEARCH = "search.md"
BROWSE = "browse/index.md"
RECENT_POSTMORTEMS = 10
BROWSE_SHOWN = 12
"""Values of a facet listed on the Browse page; its index page lists them all."""


@dataclass(frozen=True)
class Facet:
    name: str
    title: str
    values: Callable[[SiteRecord], list[tuple[str, str]]]
    """(key, label) pairs a record is listed under; the key names the page."""


def _year(record: SiteRecord) -> list[tuple[str, str]]:
    return [(str(utc(record.when).year),) * 2] if record.when else []


def _status(record: SiteRecord) -> list[tuple[str, str]]:
    kind = "Incidents" if record.kind == "incident" else "Postmortems"
    return [(f"{record.kind}-{record.status}", f"{kind}: {record.status}")]


FACETS: tuple[Facet, ...] = (
    Facet("year", "By year", _year),
    Facet("severity", "By severity", lambda r: [(r.severity, r.severity)]),
    Facet("service", "By service", lambda r: [(s, s) for s in r.record.services]),
    Facet("tag", "By tag", lambda r: [(t, t) for t in r.record.tags]),
    Facet("status", "By status", _status),
)


@dataclass(frozen=True)
class GeneratedPage:
    src_uri: str
    content: str
    in_nav: bool = True


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|>~-])")


def md_text(value: object) -> str:
    """Untrusted text for a Markdown heading: HTML-escaped, Markdown punctuation neutralised.
    Quotes stay as they are: text is no attribute, and the table of contents escapes what it
    is given again ("O'Brien" was "O&#x27;Brien" there)."""
    text = escape(value if isinstance(value, str) else str(value), quote=False)
    return _MD_SPECIAL.sub(r"\\\1", text)


def yaml_string(text: str) -> str:
    """A double-quoted YAML scalar of the text. JSON's, but with characters outside the Basic
    Multilingual Plane written as they are (JSON escapes an emoji as two UTF-16 halves, which
    YAML reads as two broken characters) and YAML's own line breaks escaped."""
    quoted = json.dumps(text, ensure_ascii=False)
    return _NOT_YAML_PRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


_NOT_YAML_PRINTABLE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
"""What YAML cannot hold as written (DEL, the C1 controls, U+FEFF, U+FFFE and U+FFFF), and its
own line breaks (NEL, U+2028, U+2029): written as escapes. JSON escapes the C0 controls itself."""


def _page(
    title: str, body: Iterable[str], *, hide_toc: bool = False, searchable: bool = True
) -> str:
    meta = [f"title: {yaml_string(e(title))}"]
    if hide_toc:
        meta.append("hide: [toc]")
    if not searchable:
        # Lists, counts and charts repeat what the records say: in the search index they would
        # only bury the records themselves, and make the index the browser loads larger.
        meta.append("search: {exclude: true}")
    parts = [_HTML.format(part) if part.lstrip().startswith("<") else part for part in body]
    return "---\n" + "\n".join(meta) + "\n---\n\n" + "\n\n".join(parts) + "\n"


# A generated page's HTML parts are marked so that the plugin can hand them to the page after
# Markdown has run: Python-Markdown's raw-HTML handling is most of the time such a page takes,
# and the HTML is final already. Escaped record text cannot contain the markers.
_HTML = "<!--idocs-html-->\n{}\n<!--/idocs-html-->"
_HTML_PART = re.compile(r"<!--idocs-html-->\n(.*?)\n<!--/idocs-html-->", re.DOTALL)


def lift_html(content: str) -> tuple[str, list[str]]:
    """The page's Markdown with each marked HTML part as a placeholder paragraph, and the parts."""
    parts: list[str] = []

    def lift(match: re.Match[str]) -> str:
        parts.append(match.group(1))
        return placeholder(len(parts) - 1)

    return _HTML_PART.sub(lift, content), parts


def placeholder(index: int) -> str:
    return f"IDOCSHTMLPART{index}X"


_PLACEHOLDER = re.compile(r"<p>IDOCSHTMLPART(\d+)X</p>")


def restore_html(html: str, parts: list[str]) -> str:
    """Put the lifted parts back where Markdown left their placeholder paragraphs."""
    return _PLACEHOLDER.sub(lambda match: parts[int(match.group(1))], html)


def _tiles(items: Iterable[tuple[str, int | str, str | None]]) -> str:
    cells = []
    for label, value, href in items:
        inner = (
            f'<span class="idocs-tile__value">{e(value)}</span>'
            f'<span class="idocs-tile__label">{e(label)}</span>'
        )
        cells.append(
            f'<a class="idocs-tile" href="{href}">{inner}</a>'
            if href
            else f'<div class="idocs-tile">{inner}</div>'
        )
    return '<div class="idocs-tiles">' + "".join(cells) + "</div>"


def _by_year(records: list[SiteRecord]) -> dict[str, list[SiteRecord]]:
    groups: dict[str, list[SiteRecord]] = {}
    for record in records:
        key = str(utc(record.when).year) if record.when else "Undated"
        groups.setdefault(key, []).append(record)
    return groups


def facet_groups(
    archive: SiteArchive, facet: Facet
) -> tuple[dict[str, tuple[str, list[SiteRecord]]], list[str]]:
    """The records under each value of a facet (key -> label, records), and the keys in page
    order. A record is listed once under a value it names twice (`tags: [tls, tls]`), and values
    that share a page ("SEV2" and a mistyped "sev2") are listed on it together, under the one
    that comes first: the configured one, as the metrics count it."""
    by_value: dict[str, tuple[str, list[SiteRecord]]] = {}
    spelling: dict[str, str] = {}
    if facet.name == "severity":
        spelling = metrics.severity_spellings(
            (r.severity for r in archive.records), archive.config.severity_names()
        )
    for record in archive.records:
        for key, label in dict.fromkeys(facet.values(record)):
            if key in spelling:
                key = label = spelling[key]
            by_value.setdefault(key, (label, []))[1].append(record)
    keys = list(by_value)
    if facet.name == "severity":
        keys.sort(key=lambda k: (archive.config.severity_rank(k), k))
    elif facet.name == "year":
        keys.sort(reverse=True)
    else:
        keys.sort()
    groups: dict[str, tuple[str, list[SiteRecord]]] = {}
    first_on_page: dict[str, str] = {}
    for key in keys:
        first = first_on_page.setdefault(facet_src(facet.name, key), key)
        if first == key:
            groups[key] = by_value[key]
            continue
        label, records = groups[first]
        shared = {id(record) for record in (*records, *by_value[key][1])}
        groups[first] = (label, [r for r in archive.records if id(r) in shared])
    return groups, list(groups)


def _gap_row(gap: int, columns: int) -> str:
    """A long stretch without incidents, as one row of a month table."""
    return f'<tr><td colspan="{columns}">… {e(metrics.gap_text(gap))}</td></tr>'


def page_plan(archive: SiteArchive, search: str = "material") -> list[tuple[str, bool]]:
    """(src_uri, in nav) of every page PageBuilder.pages() writes, in its order, without
    writing them: MkDocs can be told of the pages before their content is ready."""
    plan = [(src, True) for src in (HOME, INCIDENTS, POSTMORTEMS, ACTION_ITEMS, METRICS, BROWSE)]
    for facet in FACETS:
        plan.append((f"browse/{facet.name}/index.md", False))
        _groups, keys = facet_groups(archive, facet)
        plan.extend((facet_src(facet.name, key), False) for key in keys)
    if search == "pagefind":
        plan.append((SEARCH, True))
    return plan


class PageBuilder:
    """Writes every generated page for one archive and one point in time."""

    def __init__(
        self,
        archive: SiteArchive,
        today: date,
        *,
        use_directory_urls: bool = True,
        search: str = "material",
    ) -> None:
        self.archive = archive
        self.today = today
        self.use_directory_urls = use_directory_urls
        self.search = search
        self.severities = archive.config.severity_names()
        self.metrics = metrics.compute((r.record for r in archive.records), today, self.severities)
        self.open_items = metrics.open_action_items((r.record for r in archive.records), today)

    def link(self, here: str) -> Linker:
        return Linker(here, self.use_directory_urls)

    def pages(self) -> list[GeneratedPage]:
        pages = [
            GeneratedPage(HOME, self.dashboard()),
            GeneratedPage(INCIDENTS, self.listing(INCIDENTS, "Incidents", "incident")),
            GeneratedPage(POSTMORTEMS, self.listing(POSTMORTEMS, "Postmortems", "postmortem")),
            GeneratedPage(ACTION_ITEMS, self.action_items()),
            GeneratedPage(METRICS, self.metrics_page()),
        ]
        pages.append(GeneratedPage(BROWSE, self.browse()))
        for facet in FACETS:
            pages.extend(self.facet_pages(facet))
        if self.search == "pagefind":
            pages.append(GeneratedPage(SEARCH, self.search_page()))
        return pages

    # -- dashboard -------------------------------------------------------------------------

    def dashboard(self) -> str:
        link = self.link(HOME)
        m = self.metrics
        open_incidents = [
            r
            for r in self.archive.incidents
            if isinstance(r.record, Incident) and r.record.status is not IncidentStatus.RESOLVED
        ]
        finished = (PostmortemStatus.APPROVED, PostmortemStatus.PUBLISHED)
        postmortems = self.archive.postmortems
        recent = [r for r in postmortems if r.record.status in finished][:RECENT_POSTMORTEMS]
        in_progress = [r for r in postmortems if r.record.status not in finished]
        tiles = _tiles(
            [
                # The open ones are listed below; the whole list buries them among the
                # resolved ones.
                ("open incidents", m.open_incidents, "#open-incidents"),
                ("incidents", m.incidents, link.to(INCIDENTS)),
                ("postmortems", m.postmortems, link.to(POSTMORTEMS)),
                ("open action items", m.action_items_open, link.to(ACTION_ITEMS)),
                ("overdue", m.action_items_overdue, link.to(ACTION_ITEMS, "overdue")),
            ]
        )
        browse = " · ".join(
            f'<a href="{link.to(f"browse/{facet.name}/index.md")}">{e(facet.title.lower())}</a>'
            for facet in FACETS
        )
        body = [
            "# Incident archive",
            tiles,
            "## Open incidents",
            record_table(link, open_incidents, show_kind=False)
            if open_incidents
            else '<p class="idocs-empty">No open incidents.</p>',
            "## Recent postmortems",
            record_table(link, recent, show_kind=False),
        ]
        if in_progress:
            body += [
                "## Postmortems in progress",
                record_table(link, in_progress, show_kind=False),
            ]
        body += [
            "## Browse",
            f'<p class="idocs-browse">Browse the archive {browse}; see every '
            f'<a href="{link.to(ACTION_ITEMS)}">open action item</a> and the '
            f'<a href="{link.to(METRICS)}">metrics</a>.</p>',
        ]
        return _page("Dashboard", body, searchable=False)

    # -- lists -----------------------------------------------------------------------------

    def listing(self, here: str, title: str, kind: str) -> str:
        link = self.link(here)
        records = [r for r in self.archive.records if r.kind == kind]
        body = [f"# {title}"]
        if not records:
            body.append('<p class="idocs-empty">None yet.</p>')
        for year, group in _by_year(records).items():
            body += [f"## {md_text(year)}", record_table(link, group, show_kind=False)]
        return _page(title, body, searchable=False)

    def browse(self) -> str:
        """One page for every way to browse: the nav stays short on every page it is drawn on."""
        link = self.link(BROWSE)
        rows = []
        for facet in FACETS:
            groups, keys = facet_groups(self.archive, facet)
            overview = link.to(f"browse/{facet.name}/index.md")
            shown = [link.facet(facet.name, key, groups[key][0]) for key in keys[:BROWSE_SHOWN]]
            if len(keys) > BROWSE_SHOWN:
                shown.append(f'<a href="{overview}">{len(keys) - BROWSE_SHOWN} more…</a>')
            values = " ".join(shown) or '<span class="idocs-muted">—</span>'
            noun = facet.title.removeprefix("By ").capitalize()
            rows.append(f'<tr><td><a href="{overview}">{e(noun)}</a></td><td>{values}</td></tr>')
        table = (
            '<table class="idocs-table idocs-browse-table"><thead><tr><th>By</th><th>Pages</th>'
            "</tr></thead>"
            f"<tbody>\n{chr(10).join(rows)}\n</tbody></table>"
        )
        return _page("Browse", ["# Browse", table], searchable=False)

    def facet_pages(self, facet: Facet) -> list[GeneratedPage]:
        groups, keys = facet_groups(self.archive, facet)
        overview_src = f"browse/{facet.name}/index.md"
        link = self.link(overview_src)
        rows = []
        for key in keys:
            label, records = groups[key]
            incidents = sum(r.kind == "incident" for r in records)
            described = ""
            if facet.name == "severity":
                level = self.archive.config.severity(key)
                described = f"<td>{e(level.description) if level else ''}</td>"
            shown = severity_badge(label) if facet.name == "severity" else e(label)
            rows.append(
                f'<tr><td><a href="{link.to(facet_src(facet.name, key))}">{shown}</a></td>'
                f"{described}<td>{incidents}</td><td>{len(records) - incidents}</td></tr>"
            )
        head = "<th>Description</th>" if facet.name == "severity" else ""
        table = (
            (
                '<table class="idocs-table"><thead><tr><th>'
                f"{e(facet.title.removeprefix('By ').capitalize())}</th>{head}"
                "<th>Incidents</th><th>Postmortems</th></tr></thead><tbody>\n"
                + "\n".join(rows)
                + "\n</tbody></table>"
            )
            if rows
            else '<p class="idocs-empty">Nothing to list yet.</p>'
        )
        back = f'<p><a href="{link.to(BROWSE)}">← browse</a></p>'
        overview = _page(facet.title, [f"# {facet.title}", back, table], searchable=False)
        pages = [GeneratedPage(overview_src, overview, in_nav=False)]
        noun = facet.title.removeprefix("By ").capitalize()
        for key in keys:
            label, records = groups[key]
            src = facet_src(facet.name, key)
            here = self.link(src)
            title = f"{noun}: {label}"
            body = [
                f"# {md_text(title)}",
                f'<p><a href="{here.to(overview_src)}">← {e(facet.title.lower())}</a></p>',
            ]
            if facet.name == "severity":
                level = self.archive.config.severity(key)
                if level:
                    body.append(f"<p>{e(level.description)}</p>")
            listed_incidents = [r for r in records if r.kind == "incident"]
            listed_postmortems = [r for r in records if r.kind == "postmortem"]
            if listed_incidents:
                body += ["## Incidents", record_table(here, listed_incidents, show_kind=False)]
            if listed_postmortems:
                body += ["## Postmortems", record_table(here, listed_postmortems, show_kind=False)]
            pages.append(GeneratedPage(src, _page(title, body, searchable=False), in_nav=False))
        return pages

    # -- action items ----------------------------------------------------------------------

    def _items_table(self, link: Linker, items: list[metrics.OpenActionItem]) -> str:
        if not items:
            return '<p class="idocs-empty">None.</p>'
        rows = []
        for found in items:
            item = found.item
            owner_record = self.archive.by_id.get(found.postmortem.id)
            source = (
                link.record(owner_record, owner_record.title.removeprefix("Postmortem: "))
                if owner_record
                else f'<span class="idocs-id">{e(found.postmortem.id)}</span>'
            )
            flag = (
                ' <span class="idocs-badge idocs-overdue">overdue</span>' if found.overdue else ""
            )
            tracker = tracker_link(item)
            rows.append(
                f"<tr><td>{date_tag(item.due)}{flag}</td><td>{e(item.title)}</td>"
                f"<td>{person(self.archive, item.owner)}</td><td>{e(item.type.value)}</td>"
                f"<td>{e(item.priority)}</td><td>{status_badge(item.status.value)}</td>"
                f"<td>{source}</td><td>{tracker}</td></tr>"
            )
        return (
            '<table class="idocs-table idocs-actions"><thead><tr><th>Due</th><th>Action</th>'
            "<th>Owner</th>"
            "<th>Type</th><th>Priority</th><th>Status</th><th>Postmortem</th><th>Tracker</th>"
            "</tr></thead><tbody>\n" + "\n".join(rows) + "\n</tbody></table>"
        )

    def action_items(self) -> str:
        link = self.link(ACTION_ITEMS)
        items = self.open_items
        overdue = [o for o in items if o.overdue]
        # An owner is one person however written ("Lee", "lee", or lee's GitHub login), as
        # the roster and `incident actions --owner` read them: one owner, one heading.
        owners: dict[str, list[metrics.OpenActionItem]] = {}
        handles: dict[str, str] = {}
        for found in items:
            written = found.item.owner
            key = owner_key(self.archive.roster, written)
            person = self.archive.roster.by_handle(key)
            handles.setdefault(key, person.handle if person else written)
            owners.setdefault(key, [])
            if not found.overdue:  # each item once: the overdue ones are in their own table
                owners[key].append(found)
        body = [
            "# Action items",
            f'<p class="idocs-muted">Every open or in-progress follow-up from every postmortem. '
            f"Overdue means the due date is before {e(self.today.isoformat())}. An item linked "
            "to a GitHub issue takes its status from the issue at each "
            "<code>incident actions sync</code>.</p>",
            _tiles(
                [
                    ("open", len(items), None),
                    ("overdue", len(overdue), None),
                    ("owners", len(owners), None),
                ]
            ),
            "## Overdue",
            self._items_table(link, overdue),
            "## By owner",
        ]
        if not owners:
            body.append('<p class="idocs-empty">No open action items.</p>')
        elif overdue:
            body.append('<p class="idocs-muted">Not yet due; the overdue items are above.</p>')
        for key in sorted(owners):
            if not owners[key]:
                continue
            owner = handles[key]
            name = self.archive.display_name(owner)
            heading = f"{owner} ({name})" if name else owner
            body += [f"### {md_text(heading)}", self._items_table(link, owners[key])]
        # Every item is in its postmortem's own "Action items" section, which search finds.
        # Its tables are as wide as a page gets: without the table of contents beside them (two
        # headings, which the page opens with), a screen of 1280 px shows every column.
        return _page("Action items", body, hide_toc=True, searchable=False)

    # -- metrics ---------------------------------------------------------------------------

    def metrics_page(self) -> str:
        m = self.metrics
        months = list(m.by_month)
        table_rows = []
        for month, gap in reversed(list(metrics.with_gaps(months))):
            counts = m.by_month[month]
            cells = "".join(f"<td>{counts.get(name, 0)}</td>" for name in m.severities)
            table_rows.append(f"<tr><td>{e(month)}</td>{cells}<td>{sum(counts.values())}</td></tr>")
            if gap:
                table_rows.append(_gap_row(gap, len(m.severities) + 2))
        head = "".join(f"<th>{e(name)}</th>" for name in m.severities)
        month_table = (
            '<details class="idocs-details"><summary>Incidents per month as a table</summary>'
            f'<table class="idocs-table"><thead><tr><th>Month</th>{head}<th>Total</th></tr>'
            "</thead><tbody>\n" + "\n".join(table_rows) + "\n</tbody></table></details>"
        )
        duration_rows = "".join(
            f"<tr><td>time to {e(d.name)}</td><td>{e(metrics.format_duration(d.median))}</td>"
            f"<td>{e(metrics.format_duration(d.p90))}</td><td>{d.count}</td></tr>"
            for d in m.durations
        )
        severity_rows = "".join(
            f"<tr><td>{severity_badge(name)}</td><td>{m.by_severity.get(name, 0)}</td></tr>"
            for name in m.severities
        )
        body = [
            "# Metrics",
            '<p class="idocs-muted">Each incident counts once: an incident record, or a '
            "postmortem whose incidents are none of them in the archive. Durations run from "
            "the start of impact (else the first of detection and declaration) to mitigation "
            "and resolution, and to detection when the start of impact is known.</p>",
            _tiles(
                [
                    ("incidents counted", m.counted, None),
                    ("open incidents", m.open_incidents, None),
                    ("postmortems", m.postmortems, None),
                    ("open action items", m.action_items_open, None),
                ]
            ),
            "## Incidents per month",
            monthly_chart(m.by_month, m.severities),
            month_table if months else "",
            "## Time to detect, mitigate and resolve",
            duration_chart(m.durations),
            '<table class="idocs-table"><thead><tr><th>Measure</th><th>Median</th><th>p90</th>'
            f"<th>Incidents measured</th></tr></thead><tbody>{duration_rows}</tbody></table>",
            "## By severity",
            '<table class="idocs-table"><thead><tr><th>Severity</th><th>Incidents</th></tr>'
            f"</thead><tbody>{severity_rows}</tbody></table>",
            "## Who was hurt",
            self._audience_table(),
        ]
        return _page("Metrics", [part for part in body if part], searchable=False)

    def _audience_table(self) -> str:
        """Incidents per audience per month: users, stakeholders, the company's own staff."""
        m = self.metrics
        if not m.audience_totals:
            return (
                '<p class="idocs-empty">No incident records who it hurt yet '
                "(<code>audiences:</code>, or <code>incident declare --audience</code>).</p>"
            )
        head = "".join(f"<th>{e(name)}</th>" for name in AUDIENCES)
        rows = []
        for month, gap in reversed(list(metrics.with_gaps(m.by_audience))):
            counts = m.by_audience[month]
            rows.append(
                f"<tr><td>{e(month)}</td>"
                + "".join(f"<td>{counts.get(name, 0)}</td>" for name in AUDIENCES)
                + "</tr>"
            )
            if gap:
                rows.append(_gap_row(gap, len(AUDIENCES) + 1))
        # The totals first, the months under them folded away as the incidents per month are:
        # every month from the first incident to the last is a row, and the few in which anyone
        # was hurt were lost among dozens of rows of zeros above the totals.
        totals = "".join(
            f"<tr><td>{e(name)}</td><td>{m.audience_totals.get(name, 0)}</td></tr>"
            for name in AUDIENCES
        )
        return (
            '<table class="idocs-table"><thead><tr><th>Who</th><th>Incidents</th></tr></thead>'
            f"<tbody>{totals}</tbody></table>\n"
            '<details class="idocs-details"><summary>Who was hurt per month as a table</summary>'
            f'<table class="idocs-table"><thead><tr><th>Month</th>{head}</tr></thead><tbody>\n'
            + "\n".join(rows)
            + "\n</tbody></table></details>"
        )

    # -- search ----------------------------------------------------------------------------

    def search_page(self) -> str:
        return _page(
            "Search",
            [
                "# Search",
                '<div id="idocs-search" class="idocs-search"></div>',
            ],
            hide_toc=True,
        )
