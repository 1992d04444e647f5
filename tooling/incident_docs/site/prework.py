"""The archive's own HTML, worked out in a second process while MkDocs renders the Markdown.

The generated pages and each record's card, picture and timeline cells depend on the archive
alone, not on what MkDocs renders, so a forked process can write them on the second core while
this one turns Markdown into HTML. Where fork is not the safe choice (outside Linux), the same
work runs here, when first asked for.
"""

from __future__ import annotations

import multiprocessing
import sys
import traceback
from dataclasses import dataclass
from datetime import date
from multiprocessing.connection import Connection
from typing import Any

from incident_docs.models import Incident
from incident_docs.site.archive import SiteArchive, SiteRecord
from incident_docs.site.cards import entry_cells, record_card
from incident_docs.site.markup import Linker
from incident_docs.site.pages import GeneratedPage, PageBuilder, lift_html
from incident_docs.site.picture import incident_picture


@dataclass(frozen=True)
class Decoration:
    """What a record page gets after MkDocs has rendered it."""

    card: str
    picture: str
    """The SVG of the incident, or ""."""
    timeline_cells: list[tuple[str, str, str]]
    """(time, kind, author) of each timeline entry, as HTML."""


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
    incident = next(
        (
            found.record
            for _id, found in archive.incidents_of(record)
            if found is not None and isinstance(found.record, Incident)
        ),
        None,
    )
    timeline = record.timeline
    return Decoration(
        record_card(archive, record, link, settings.today),
        incident_picture(record.record, timeline, incident),
        entry_cells(timeline) if timeline else [],
    )


def decorations(archive: SiteArchive, settings: Settings) -> dict[str, Decoration]:
    return {record.src_uri: decoration(archive, record, settings) for record in archive.records}


def _work(archive: SiteArchive, settings: Settings, conn: Connection) -> None:
    try:
        conn.send(generated_pages(archive, settings))
        conn.send(decorations(archive, settings))
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
        self._receive: Connection | None = None
        self._process: Any = None
        self.forked = sys.platform == "linux"
        """The work runs in a second process."""
        if self.forked:
            context = multiprocessing.get_context("fork")
            self._receive, send = context.Pipe(duplex=False)
            self._process = context.Process(
                target=_work, args=(archive, settings, send), name="incident-docs-pages"
            )
            self._process.start()
            send.close()

    def pages(self) -> list[LiftedPage]:
        if self._pages is None:
            self._pages = (
                generated_pages(self._archive, self._settings)
                if self._receive is None
                else self._take(list)
            )
        return self._pages

    def decoration(self, record: SiteRecord) -> Decoration:
        if self._decorations is None:
            self.pages()  # sent first
            self._decorations = {} if self._receive is None else self._take(dict)
            self._finish()
        found = self._decorations.get(record.src_uri)
        if found is None:
            found = self._decorations[record.src_uri] = decoration(
                self._archive, record, self._settings
            )
        return found

    def _take(self, kind: type) -> Any:
        assert self._receive is not None
        try:
            payload = self._receive.recv()
        except EOFError:
            code = self._process.exitcode if self._process is not None else None
            payload = f"the page process ended unexpectedly (exit code {code})"
        if isinstance(payload, str) or not isinstance(payload, kind):
            self.cancel()
            raise RuntimeError(str(payload))
        return payload

    def _finish(self) -> None:
        if self._process is not None:
            self._process.join()
            self._process = None
        if self._receive is not None:
            self._receive.close()
            self._receive = None

    def cancel(self) -> None:
        if self._process is not None and self._process.is_alive():
            self._process.terminate()
        self._finish()
