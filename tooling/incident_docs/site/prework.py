"""The archive's own HTML, worked out in a second process while MkDocs renders the Markdown.

The generated pages and each record's card, picture, timeline cells and Related panel depend on
the archive alone, not on what MkDocs renders, so a forked process can write them on the second
core while this one turns Markdown into HTML. Where fork is not the safe choice (outside Linux),
the same work runs here, when first asked for.
"""

from __future__ import annotations

import multiprocessing
import sys
import traceback
from dataclasses import dataclass, replace
from datetime import date
from multiprocessing.connection import Connection
from typing import Any

from incident_docs.models import Incident, Postmortem, record_start
from incident_docs.related import NOT_RECORDED, Match, RelatedIndex, cases_from, telling
from incident_docs.site.archive import SiteArchive, SiteRecord
from incident_docs.site.cards import entry_cells, record_card, review_of
from incident_docs.site.markup import Linker, e
from incident_docs.site.pages import GeneratedPage, PageBuilder, lift_html
from incident_docs.site.picture import incident_picture

WAIT = 600.0
"""Seconds to wait for the page process before the build fails instead of hanging."""


@dataclass(frozen=True)
class Decoration:
    """What a record page gets after MkDocs has rendered it."""

    card: str
    picture: str
    """The SVG of the incident, or ""."""
    timeline_cells: list[tuple[str, str, str]]
    """(time, kind, author) of each timeline entry, as HTML."""
    related: str = ""
    """The "Related incidents" panel, or ""."""
    teams: tuple[str, ...] = ()
    """A postmortem's teams and the seniors its card names for them: what search indexes."""


@dataclass(frozen=True)
class Settings:
    today: date
    use_directory_urls: bool
    search: str


@dataclass(frozen=True)
class LiftedPage:
    """A generated page as MkDocs gets it: Markdown with placeholders for its HTML parts."""

    src_uri: str
    markdown: str
    parts: list[str]
    """Put back after Markdown (pages.restore_html)."""
    in_nav: bool


def generated_pages(archive: SiteArchive, settings: Settings) -> list[LiftedPage]:
    builder = PageBuilder(
        archive,
        settings.today,
        use_directory_urls=settings.use_directory_urls,
        search=settings.search,
    )
    return [_lifted(page) for page in builder.pages()]


def _lifted(page: GeneratedPage) -> LiftedPage:
    markdown, parts = lift_html(page.content)
    return LiftedPage(page.src_uri, markdown, parts, page.in_nav)


def decoration(archive: SiteArchive, record: SiteRecord, settings: Settings) -> Decoration:
    link = Linker(record.src_uri, settings.use_directory_urls)
    incidents = [
        found.record
        for _id, found in archive.incidents_of(record)
        if found is not None and isinstance(found.record, Incident)
    ]
    # The role bands of one incident: a postmortem of several has no one line of command to
    # draw (the first incident's drawn alone showed its holders through the others).
    incident = incidents[0] if len(incidents) == 1 else None
    timeline = record.timeline
    teams: tuple[str, ...] = ()
    review = None
    if isinstance(record.record, Postmortem):
        review = review_of(archive, record, record.record)  # once: the card and search read it
        teams = tuple(
            dict.fromkeys(
                word
                for state in review.teams
                for word in (state.team, *state.approved_by, *state.could_approve)
            )
        )
    return Decoration(
        record_card(archive, record, link, settings.today, review),
        incident_picture(record.record, timeline, incident),
        entry_cells(timeline, record_start(record.record)) if timeline else [],
        teams=teams,
    )


def decorations(archive: SiteArchive, settings: Settings) -> dict[str, Decoration]:
    panels = related_panels(archive, settings)
    return {
        record.src_uri: replace(
            decoration(archive, record, settings), related=panels.get(record.src_uri, "")
        )
        for record in archive.records
    }


PANEL_CASES = 5
"""The most cases a Related panel shows."""


def related_panels(archive: SiteArchive, settings: Settings) -> dict[str, str]:
    """Each record's "Related incidents" panel: up to five past cases most like it, each with
    what mitigated it."""
    index = RelatedIndex(cases_from(archive.records, archive.config))
    # An incident and its postmortem are one case: asked once, unless they leave out different
    # cases (a postmortem of several incidents leaves out the others, its incidents do too).
    matches: dict[tuple[str, frozenset[str]], list[Match]] = {}
    panels = {}
    for record in archive.records:
        case = index.by_id.get(record.id)
        if case is None:
            continue
        link = Linker(record.src_uri, settings.use_directory_urls)
        # A postmortem's incidents, an incident's postmortems: linked from the card, and its
        # subject, not a case like it.
        own = frozenset(
            record.record.incidents
            if isinstance(record.record, Postmortem)
            else {found.id for found in archive.postmortems_of(record)}
        )
        asked = (case.key, index.left_out(case, own))
        if asked not in matches:
            matches[asked] = index.similar_to(case, PANEL_CASES, leaving_out=own)
        items: list[str] = []
        # The cases `incident similar` shows for it, in its order.
        shown = telling(matches[asked])
        for match in shown[:PANEL_CASES]:
            target = archive.by_id.get(match.case.ids[-1]) or archive.by_id.get(match.case.ids[0])
            if target is None:
                continue
            items.append(
                f"<li>{link.record(target, match.case.title)} "
                f'<span class="idocs-muted">{e(match.case.severity)}</span><br>'
                f'<span class="idocs-related__fix">Mitigated by: {e(match.case.fix or NOT_RECORDED)}</span></li>'
            )
        if items:
            # As `incident similar` says it: in a handful of records, what most of them share
            # weighs nothing, and the list is in no telling order.
            caveat = (
                ""
                if shown[0].telling
                else '<p class="idocs-muted">Too few records yet to tell which is like this one: '
                "these share only words most records have.</p>"
            )
            panels[record.src_uri] = (
                '<details class="idocs-related" open><summary>Related incidents</summary>'
                f'{caveat}<ul class="idocs-plain">{"".join(items)}</ul></details>'
            )
    return panels


def _work(archive: SiteArchive, settings: Settings, conn: Connection) -> None:
    try:
        # All written before any is sent: a send waits until the build reads it, and the build
        # reads the pages only after the records' Markdown.
        conn.send((generated_pages(archive, settings), decorations(archive, settings)))
    except BaseException:  # reported by the build, never a silent pass
        conn.send(traceback.format_exc())
    finally:
        conn.close()


class Prework:
    """Starts writing the pages and decorations of one build now; the getters wait for them."""

    def __init__(self, archive: SiteArchive, settings: Settings) -> None:
        self._archive = archive
        self._settings = settings
        self._pages: list[LiftedPage] | None = None
        self._decorations: dict[str, Decoration] | None = None
        self._by_src: dict[str, LiftedPage] | None = None
        self._receive: Connection | None = None
        self._process: Any = None
        self.forked = sys.platform == "linux"
        """The work runs in a second process."""
        if self.forked:
            context = multiprocessing.get_context("fork")
            self._receive, send = context.Pipe(duplex=False)
            self._process = context.Process(
                target=_work,
                args=(archive, settings, send),
                name="incident-docs-pages",
                daemon=True,
            )
            self._process.start()
            send.close()

    def pages(self) -> list[LiftedPage]:
        if self._pages is None:
            if self._receive is None:
                self._pages = generated_pages(self._archive, self._settings)
            else:
                self._pages, self._decorations = self._take()
                self._finish()
        return self._pages

    def pages_by_src(self) -> dict[str, LiftedPage]:
        """The pages by src_uri; of two with one path, the first, as MkDocs keeps the first."""
        if self._by_src is None:
            self._by_src = {}
            for page in self.pages():
                self._by_src.setdefault(page.src_uri, page)
        return self._by_src

    def decoration(self, record: SiteRecord) -> Decoration:
        if self._decorations is None:
            self.pages()
            if self._decorations is None:  # not forked: written here
                self._decorations = decorations(self._archive, self._settings)
        return self._decorations[record.src_uri]

    def _take(self) -> tuple[list[LiftedPage], dict[str, Decoration]]:
        assert self._receive is not None
        try:
            if not self._receive.poll(WAIT):
                raise EOFError
            payload = self._receive.recv()
        except EOFError:
            code = self._process.exitcode if self._process is not None else None
            payload = f"the page process ended unexpectedly (exit code {code})"
        if not isinstance(payload, tuple):
            self.cancel()
            raise RuntimeError(str(payload))
        pages, decorations = payload
        return pages, decorations

    def _finish(self) -> None:
        if self._process is not None:
            self._process.join(timeout=WAIT)
            if self._process.is_alive():
                self._process.kill()
            self._process = None
        if self._receive is not None:
            self._receive.close()
            self._receive = None

    def cancel(self) -> None:
        if self._process is not None and self._process.is_alive():
            self._process.terminate()
        self._finish()
