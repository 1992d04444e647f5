"""What a record page adds to the author's prose: the header card and the timeline as a table."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from html import unescape

from incident_docs.document import parse_text
from incident_docs.formatters import table_cell
from incident_docs.metrics import format_duration
from incident_docs.models import (
    CRITERIA,
    CRITERIA_ANSWERS,
    Incident,
    IncidentStatus,
    Postmortem,
    Role,
    TimelineEntry,
    key_durations,
    record_start,
)
from incident_docs.site.archive import SiteArchive, SiteRecord
from incident_docs.site.markup import (
    Linker,
    chips,
    date_tag,
    e,
    entry_anchor,
    people,
    person,
    severity_badge,
    status_badge,
    time_tag,
    tracker_link,
    utc,
)
from incident_docs.teams import PostmortemReview, TeamState, postmortem_review
from incident_docs.templates import titled
from incident_docs.timeline import DEFAULT_TITLES, find_section, parse_entry

_MOMENTS: tuple[tuple[str, str, str | None], ...] = (
    ("started_at", "Started", None),
    ("detected_at", "Detected", "detect"),
    ("declared_at", "Declared", None),
    ("mitigated_at", "Mitigated", "mitigate"),
    ("resolved_at", "Resolved", "resolve"),
)


def record_card(
    archive: SiteArchive,
    record: SiteRecord,
    link: Linker,
    today: date,
    review: PostmortemReview | None = None,
) -> str:
    """The header card: severity, status, key moments with durations, people, links.

    `review`: a postmortem's (review_of), when the caller has it already."""
    r = record.record
    kind = "Incident" if isinstance(r, Incident) else "Postmortem"
    badges = [
        f'<span class="idocs-badge idocs-type">{kind}</span>',
        severity_badge(r.severity),
        status_badge(r.status.value),
    ]
    if isinstance(r, Postmortem):
        badges.append(f'<span class="idocs-badge idocs-visibility">{e(r.visibility)}</span>')
    if isinstance(r, Incident) and r.status is not IncidentStatus.RESOLVED:
        days = (today - r.declared_at.astimezone(UTC).date()).days
        age = "declared today" if days <= 0 else f"open for {days} day{'s' if days != 1 else ''}"
        badges.append(f'<span class="idocs-badge idocs-age">{e(age)}</span>')
    level = archive.config.severity(r.severity)
    sev_note = f' <span class="idocs-muted">{e(level.description)}</span>' if level else ""
    parts = [
        f'<div class="idocs-card idocs-card--{e(record.kind)}">',
        f'<div class="idocs-card__badges">{" ".join(badges)}'
        f'<span class="idocs-id">{e(r.id)}</span></div>',
        f'<p class="idocs-card__severity">{sev_note}</p>' if sev_note else "",
        _moments(record),
        '<dl class="idocs-card__facts">',
    ]
    if isinstance(r, Incident):
        parts += _incident_facts(archive, record, r, link)
    elif isinstance(r, Postmortem):
        parts += _postmortem_facts(
            archive, record, r, link, review or review_of(archive, record, r)
        )
    parts += [
        f"<dt>Services</dt><dd>{chips(link, 'service', r.services)}</dd>",
        f"<dt>Tags</dt><dd>{chips(link, 'tag', r.tags)}</dd>",
        "</dl>",
    ]
    if isinstance(r, Postmortem) and r.action_items:
        parts.append(_action_items(archive, r, today))
    parts.append("</div>")
    return "\n".join(p for p in parts if p)


def _moments(record: SiteRecord) -> str:
    r = record.record
    durations = key_durations(r)
    cells = []
    for name, label, measure in _MOMENTS:
        moment: datetime | None = getattr(r, name, None)
        if moment is None:
            continue
        took = durations.get(measure) if measure else None
        after = (
            f'<span class="idocs-duration" title="time to {e(measure)}">'
            f"{e(format_duration(took))}</span>"
            if took is not None and measure
            else ""
        )
        cells.append(
            f'<div class="idocs-moment"><span class="idocs-moment__label">{e(label)}</span>'
            f"{time_tag(moment, '%H:%M UTC')}"
            f'<span class="idocs-moment__date">{e(utc(moment).strftime("%d %b %Y"))}</span>'
            f"{after}</div>"
        )
    if not cells:
        return ""
    return '<div class="idocs-card__moments">' + "".join(cells) + "</div>"


def _incident_facts(
    archive: SiteArchive, record: SiteRecord, r: Incident, link: Linker
) -> list[str]:
    # The holder joined to the role's last word (a no-break space): on a phone the handle
    # wrapped to the start of a line, where it read as holding the role named after it.
    roles = "".join(
        f"<li>{e(role.label)}:&nbsp;{person(archive, getattr(r.roles, role.value))}</li>"
        for role in Role
    )
    facts = [
        f'<dt>Roles</dt><dd><ul class="idocs-inline">{roles}</ul></dd>',
        f"<dt>Declared by</dt><dd>{person(archive, r.declared_by)}</dd>",
    ]
    if r.handoffs:
        handoffs = "".join(
            f"<li>{time_tag(h.at)} {e(h.role.label)}: {person(archive, h.from_)} → "
            f"{person(archive, h.to)}</li>"
            for h in r.handoffs
        )
        facts.append(f'<dt>Handoffs</dt><dd><ul class="idocs-plain">{handoffs}</ul></dd>')
    hurt = r.audiences.affected()
    if hurt:
        items = "".join(
            f'<li><span class="idocs-badge idocs-audience">{e(name)}</span> {e(harm)}</li>'
            for name, harm in hurt
        )
        facts.append(f'<dt>Who is hurt</dt><dd><ul class="idocs-plain">{items}</ul></dd>')
    answered = [CRITERIA_ANSWERS[name] for name in CRITERIA if getattr(r.criteria, name)]
    if answered:
        because = "; ".join(answered)
        facts.append(f"<dt>Why an incident</dt><dd>{e(because[0].upper() + because[1:])}</dd>")
    postmortems = archive.postmortems_of(record)
    if postmortems:
        shown = ", ".join(f"{link.record(pm)} {status_badge(pm.status)}" for pm in postmortems)
    elif r.postmortem:
        shown = f'<span class="idocs-id">{e(r.postmortem)}</span> (not in the archive)'
    else:
        shown = '<span class="idocs-muted">none yet</span>'
    facts.append(f"<dt>Postmortem</dt><dd>{shown}</dd>")
    return facts


def _postmortem_facts(
    archive: SiteArchive, record: SiteRecord, r: Postmortem, link: Linker, review: PostmortemReview
) -> list[str]:
    incidents = ", ".join(
        link.record(found) if found else f'<span class="idocs-id">{e(incident_id)}</span>'
        for incident_id, found in archive.incidents_of(record)
    )
    needed = review.needed
    approved = f"{people(archive, r.approved_by)} ({len(r.approved_by)} of {needed} needed)" + (
        f" on {time_tag(r.approved_at)}" if r.approved_at else ""
    )
    impact = r.impact
    impact_parts = []
    if impact.users_affected is not None:
        impact_parts.append(f"Users affected: {e(impact.users_affected)}")
    if impact.duration is not None:
        impact_parts.append(f"Duration: {e(format_duration(impact.duration))}")
    impact_parts.append(f"Data lost: {'yes' if impact.data_lost else 'no'}")
    impact_parts.append(f"User data exposed: {'yes' if impact.user_data_exposed else 'no'}")
    if impact.description:
        impact_parts.append(e(impact.description))
    facts = [
        f"<dt>Incidents</dt><dd>{incidents}</dd>",
        f"<dt>Authors</dt><dd>{people(archive, r.authors)}</dd>",
        f"<dt>Reviewers</dt><dd>{people(archive, r.reviewers)}</dd>",
        f"<dt>Review</dt><dd>{status_badge(r.status.value)} approved by {approved}</dd>",
    ]
    teams = _team_review(archive, review.teams)
    if teams:
        facts.append(f"<dt>Teams</dt><dd>{teams}</dd>")
    facts.append("<dt>Impact</dt><dd>" + "<br>".join(impact_parts) + "</dd>")
    return facts


def _team_review(archive: SiteArchive, states: Sequence[TeamState]) -> str:
    """Each team involved: approved by whom, or still waiting and who could approve."""
    items = []
    for state in states:
        if state.satisfied:
            how = f"{status_badge('approved')} by {people(archive, state.approved_by)}"
        else:
            could = people(archive, state.could_approve) if state.could_approve else "nobody yet"
            how = f"{status_badge('waiting')} could approve: {could}"
        items.append(
            f'<span class="idocs-team"><strong>{e(state.team)}</strong> {how} '
            f'<span class="idocs-muted">({e(state.reason)})</span></span>'
        )
    return "<br>".join(items)


def review_of(archive: SiteArchive, record: SiteRecord, r: Postmortem) -> PostmortemReview:
    """A postmortem's review as its card shows it: the approvals its severity and its incidents'
    ask (Config.review_severity, as the review gate and lint count them), and the teams it
    involves, from its `teams`, the services its incidents hit and their responders."""
    incidents = [found.record.severity for _id, found in archive.incidents_of(record) if found]
    severity = archive.config.review_severity(r.severity, incidents)
    return postmortem_review(
        archive.roster,
        r,
        [
            (found.record, found.timeline)
            for _id, found in archive.incidents_of(record)
            if found is not None and isinstance(found.record, Incident)
        ],
        record.timeline,
        needed=archive.config.required_approvals(severity),
        team_needed=archive.config.required_team_approvals(severity),
    )


def _action_items(archive: SiteArchive, r: Postmortem, today: date) -> str:
    rows = []
    for item in r.action_items:
        overdue = item.status.is_open and item.due is not None and item.due < today
        flag = ' <span class="idocs-badge idocs-overdue">overdue</span>' if overdue else ""
        tracker = tracker_link(item)
        rows.append(
            f"<tr><td>{e(item.title)}</td><td>{person(archive, item.owner)}</td>"
            f"<td>{e(item.type.value)}</td><td>{e(item.priority)}</td>"
            f"<td>{date_tag(item.due)}{flag}</td><td>{status_badge(item.status.value)}</td>"
            f"<td>{tracker}</td></tr>"
        )
    return (
        '<details class="idocs-card__actions" open><summary>Action items</summary>'
        '<table class="idocs-table"><thead><tr><th>Action</th><th>Owner</th><th>Type</th>'
        "<th>Priority</th><th>Due</th><th>Status</th><th>Tracker</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table></details>"
    )


def _elapsed(delta: timedelta) -> str:
    """From the start: +20m, "start", or -10m for what came before it."""
    if delta < timedelta(0):
        return format_duration(delta)
    return "+" + format_duration(delta) if delta else "start"


def timeline_markdown(markdown: str, record: SiteRecord | None = None) -> str:
    """The page body with the `## Timeline` list turned into a table; other lines untouched.

    With the record, its already-parsed timeline is reused when the body still matches it."""
    lines = markdown.split("\n")
    entries = _cached_entries(lines, record) if record is not None else None
    if entries is None:
        entries = _parse_entries(markdown, record.timeline_titles if record else DEFAULT_TITLES)
    if not entries:
        return markdown
    return _with_table(lines, entries, record_start(record.record) if record else None)


def _cached_entries(lines: list[str], record: SiteRecord) -> list[TimelineEntry] | None:
    doc = record.doc
    shift = doc.front_matter_end  # 0 when the archive read only the body
    while shift and shift < len(doc.lines) and not doc.lines[shift].strip():
        shift += 1  # MkDocs drops the blank lines after the front-matter
    moved = []
    for entry in record.timeline:
        number = entry.line - shift
        if not 1 <= number <= len(lines) or lines[number - 1] != doc.lines[entry.line - 1]:
            return None
        moved.append(replace(entry, line=number))
    return moved


def _parse_entries(markdown: str, titles: tuple[str, ...]) -> list[TimelineEntry]:
    doc = parse_text(markdown, "<page>")
    section = find_section(doc, titles)
    if section is None:
        return []
    entries: list[TimelineEntry] = []
    for number in range(section.start_line, section.end_line + 1):
        if number in doc.code_lines:
            continue
        entry, _problem = parse_entry(doc.lines[number - 1], number)
        if entry is not None:
            entries.append(entry)
    return entries


def entry_cells(
    entries: list[TimelineEntry], start: datetime | None = None
) -> list[tuple[str, str, str]]:
    """(time, kind, author) cells as HTML, times shown relative to the start of the incident
    (record_start, as `incident show` and the metrics count from), else to the first entry."""
    if start is None:
        start = entries[0].time
    days = {utc(entry.time).date() for entry in entries}
    cells = []
    for entry in entries:
        kind = entry.kind.value + (f" · {entry.action.value}" if entry.action else "")
        moment = utc(entry.time)
        # The day as the picture above the table and the card name it: "02 May", not "May 02".
        shown = moment.strftime("%H:%M" if len(days) == 1 else "%d %b %H:%M")
        cells.append(
            (
                f'<time datetime="{e(moment.isoformat())}">{e(shown)}</time>'
                f' <span class="idocs-elapsed">{e(_elapsed(entry.time - start))}</span>',
                f'<span class="idocs-kind idocs-kind--{e(entry.kind.value)}">{e(kind)}</span>',
                e(entry.author)
                # Kept out of public updates: the reader of the archive is told so too.
                + (
                    ' <span class="idocs-badge idocs-internal">internal</span>'
                    if entry.internal
                    else ""
                ),
            )
        )
    return cells


_HEADING = re.compile(r"<h2(?=[\s>])([^>]*)>(.*?)</h2>", re.DOTALL | re.IGNORECASE)
_PERMALINK = re.compile(r"<a\s[^>]*\bheaderlink\b.*?</a>", re.DOTALL | re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_LIST = re.compile(r"(\s*)<ul>\n?(.*?)</ul>", re.DOTALL)
_ITEM = re.compile(r"<li>(.*?)</li>", re.DOTALL)
_RENDERED_ENTRY = re.compile(r"^\s*\S+\s+<strong>[^<]+</strong>\s+by\s+[^:<]+:\s?(.*)$", re.DOTALL)


def _timeline_heading(html: str, titles: Sequence[str], start: int = 0) -> re.Match[str] | None:
    """The rendered page's `## Timeline` heading: the first level-2 heading from `start` whose
    words (without its permalink) are one of `titles` (SiteRecord.timeline_titles), read as lint
    reads a section's title ("Timeline", "Chronology (UTC)")."""
    headings = list(_HEADING.finditer(html, start))
    found = titled(headings, titles, lambda heading: _heading_words(heading.group(2)))
    return found[0] if found else None


def _heading_words(inner: str) -> str:
    return unescape(_TAG.sub("", _PERMALINK.sub("", inner)))


def exclude_timeline_from_search(html: str, titles: Sequence[str]) -> str:
    """The rendered prose with its `## Timeline` section (under one of `titles`) marked for
    Material's search to skip.

    The search plugin drops the section and then removes the attribute from the page."""
    heading = _timeline_heading(html, titles)
    if heading is None:
        return html
    marked = f'<h2{heading.group(1)} data-search-exclude="timeline">'
    return html[: heading.start()] + marked + html[heading.start(2) :]


def timeline_table_html(
    html: str, cells: list[tuple[str, str, str]], titles: Sequence[str] = DEFAULT_TITLES
) -> str:
    """The rendered page with its `## Timeline` list (under one of `titles`) shown as a table.

    The list is what MkDocs rendered (and search indexed) from the Markdown in git; each item's
    text keeps its rendered, sanitised inline HTML. Anything unexpected leaves the list as is.
    `cells`: entry_cells() of the record's timeline entries."""
    if not cells:
        return html
    start = html.find("<h2", html.find("<article"))
    heading = _timeline_heading(html, titles, max(start, 0))
    found = _LIST.match(html, heading.end()) if heading is not None else None
    if found is None:
        return html
    items = _ITEM.findall(found.group(2))
    if len(items) != len(cells):
        return html
    texts = []
    for item in items:
        match = _RENDERED_ENTRY.match(item)
        if match is None:
            return html
        texts.append(match.group(1).strip())
    # Each row with the id the picture's marker of its entry links to, and focusable by it
    # (tabindex -1: not by Tab), so that the link moves the focus there, not to the page.
    rows = "".join(
        f'<tr id="{entry_anchor(number)}" tabindex="-1"><td>{when}</td><td>{kind}</td><td>{who}</td>'
        f"<td>{text}</td></tr>"
        for number, ((when, kind, who), text) in enumerate(zip(cells, texts, strict=True), 1)
    )
    table = (
        # In a box of its own that scrolls (by keyboard too): a phone is narrower than some.
        '<div class="idocs-scroll" tabindex="0" role="region" aria-label="Timeline table">'
        '<table class="idocs-timeline"><thead><tr><th>Time (UTC)</th>'
        f"<th>Kind</th><th>By</th><th>What happened</th></tr></thead><tbody>{rows}</tbody>"
        "</table></div>"
    )
    return html[: found.end(1)] + table + html[found.end() :]


def _with_table(
    lines: list[str], entries: list[TimelineEntry], start: datetime | None = None
) -> str:
    rows = ["| Time (UTC) | Kind | By | What happened |", "| --- | --- | --- | --- |"]
    for (when, kind, who), entry in zip(entry_cells(entries, start), entries, strict=True):
        rows.append(f"| {when} | {kind} | {who} | {table_cell(entry.text, keep_markdown=True)} |")
    taken = {entry.line for entry in entries}
    out: list[str] = []
    for number, line in enumerate(lines, start=1):
        if number == entries[0].line:
            out += ["", *rows, ""]
        elif number not in taken:
            out.append(line)
    return "\n".join(out)
