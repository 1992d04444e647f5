"""The `incident-docs` MkDocs plugin: publishes the records, lints them, and generates the archive."""

from __future__ import annotations

import gc
import json
import logging
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import quote

from mkdocs.config import config_options as c
from mkdocs.config.base import Config as MkDocsConfigBase
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink
from mkdocs.utils.templates import TemplateContext

from incident_docs.config import Config, archive_present, load_config
from incident_docs.diagnostics import UsageError
from incident_docs.document import Document
from incident_docs.records import load_roster
from incident_docs.site import pagefind
from incident_docs.site.archive import (
    RecordCache,
    SiteArchive,
    SiteRecord,
    load_site_archive,
    unrenderable_record,
)
from incident_docs.site.cards import timeline_table_html
from incident_docs.site.cleaner import Cleaner, sanitised
from incident_docs.site.lintjob import LintJob
from incident_docs.site.markup import (
    e,
    id_words,
    search_facts,
    search_terms,
    site_css,
)
from incident_docs.site.navigation import build_nav, guides, nav_owned
from incident_docs.site.pages import SEARCH, page_plan, restore_html
from incident_docs.site.picture import without_entry_links
from incident_docs.site.prework import Prework, Settings
from incident_docs.site.sanitize import clean_text, has_placeholder, placeholders_as_text
from incident_docs.site.stage import CSS_URI, shown_in_its_list
from incident_docs.terminal import log_line

log = logging.getLogger("mkdocs.plugins.incident-docs")

ASSETS = Path(__file__).parent / "assets"
MAX_ERRORS_SHOWN = 20
SEARCH_DIALOG = '<div class="md-search" data-md-component="search" role="dialog">'


def name_search_dialog(output: str) -> str:
    """Material's search dialog has no name; screen readers announce it as "dialog"."""
    return output.replace(SEARCH_DIALOG, SEARCH_DIALOG[:-1] + ' aria-label="Search">', 1)


class IncidentDocsConfig(MkDocsConfigBase):  # type: ignore[no-untyped-call]
    lint = c.Type(bool, default=True)
    """Lint the archive on every build: what [tool.incident-docs.lint] fail-on names fails it
    (a preview with `mkdocs serve` only logs it); the rest is logged as information."""
    search = c.Choice(("material", "pagefind"), default="material")
    """Material's built-in search, or Pagefind (for large archives; needs incident-docs[pagefind])."""
    today = c.Optional(c.Type((str, date)))  # YAML reads an unquoted 2024-05-31 as a date
    """The date overdue action items are measured against (YYYY-MM-DD); default: today in UTC."""
    edit_uri = c.Optional(c.Type(str))
    """Edit path of the repository root, e.g. 'edit/main/'; default: edit_uri minus docs_dir."""
    root = c.Optional(c.Type(str))
    """The repository root holding pyproject.toml and the record folders; default: mkdocs.yml's."""
    guides = c.Type(str, default="Guides")
    """Title of the nav section that lists the hand-written pages of docs_dir."""


class IncidentDocsPlugin(BasePlugin[IncidentDocsConfig]):  # type: ignore[no-untyped-call]
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.root = Path.cwd()
        self.settings = Config()
        self.archive: SiteArchive | None = None
        self.today = date.today()
        self.user_nav = False
        self.record_files: dict[str, SiteRecord] = {}
        self.record_file_objects: dict[str, File] = {}
        self.lint_job: LintJob | None = None
        self.serving = False
        self.generated_files: dict[str, File] = {}
        """The generated pages MkDocs publishes, by src_uri."""
        self.generated_parts: dict[str, tuple[File, list[str]]] = {}
        """A generated page's HTML parts, put back after Markdown (see pages.lift_html)."""
        self.prework: Prework | None = None
        self.cleaner: Cleaner | None = None
        self.record_cache: RecordCache = {}
        """Records read by an earlier build of this `mkdocs serve`, by path, mtime and size."""

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.serving = command == "serve"

    # -- configuration ---------------------------------------------------------------------

    @event_priority(100)  # before the search plugin fills in its own default
    def _search_separator(self, config: MkDocsConfig) -> MkDocsConfig:
        """The archive's word separator for Material's search, where mkdocs.yml gives none:
        one written there, Material's own too, is kept."""
        for name in ("material/search", "search"):
            plugin = config.plugins.get(name)
            if plugin is not None and getattr(plugin.config, "separator", "") is None:
                plugin.config.separator = SEARCH_SEPARATOR
        return config

    def _configure(self, config: MkDocsConfig) -> MkDocsConfig:
        base = Path(config.config_file_path).parent if config.config_file_path else Path.cwd()
        self.root = (base / self.config.root).resolve() if self.config.root else base.resolve()
        if not self.root.is_dir():
            raise PluginError(f"incident-docs: root: {self.config.root}: no such folder")
        try:
            self.settings = load_config(self.root)
            if not archive_present(self.root, self.settings):
                # A site of no records built, and passed, from a mistyped root or a mkdocs.yml
                # kept in another folder than the archive.
                raise UsageError(
                    f"no incident archive in {self.root}: no "
                    f"{self.settings.incidents_dir.rstrip('/')}/ or "
                    f"{self.settings.postmortems_dir.rstrip('/')}/ folder and no "
                    "[tool.incident-docs] table in pyproject.toml: set the plugin's root option "
                    "to the archive's folder (relative to mkdocs.yml)"
                )
            if self.settings.lint.problems:  # the build lints the records
                raise UsageError("\n".join(self.settings.lint.problems))
            self.roster = load_roster(self.root, self.settings)
        except UsageError as error:
            raise PluginError(f"incident-docs: {error}") from None
        self.today = self._today()
        self.user_nav = config.nav is not None
        if CSS_URI not in config.extra_css:
            config.extra_css.append(CSS_URI)
        if self.config.search == "pagefind":
            pagefind.executable()  # fail early, with the install hint, before building
            for name in ("material/search", "search"):
                plugin = config.plugins.get(name)
                if plugin is not None and hasattr(plugin.config, "enabled"):
                    plugin.config.enabled = False
        return config

    on_config = CombinedEvent(_search_separator, _configure)

    def _today(self) -> date:
        if not self.config.today:
            return datetime.now(UTC).date()
        value = self.config.today
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise PluginError(
                f"incident-docs: today: '{self.config.today}' is not a date like 2024-05-31"
            ) from None

    # -- files and nav ---------------------------------------------------------------------

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        if self.config.lint:
            self._cancel_lint()
            self.lint_job = LintJob(self.root, self.settings, self.roster)
        if self.archive is not None:
            # A rebuild of `mkdocs serve`: let go of the last build's site, which its freeze
            # kept from the collector, and collect it before freezing again.
            self.archive = None
            self.record_files, self.record_file_objects = {}, {}
            self.generated_files, self.generated_parts = {}, {}
            gc.unfreeze()
            gc.collect()
        # The archive lives as long as the build: the collector need not walk it while it is
        # read, nor again and again while MkDocs makes its short-lived objects.
        gc.disable()
        try:
            self.archive = archive = load_site_archive(
                self.root, self.settings, self.roster, self.record_cache
            )
        finally:
            gc.freeze()
            gc.enable()
        for why in archive.left_out:
            # A warning: `mkdocs build --strict` fails on it, whether or not lint runs.
            log.warning(f"incident-docs: {log_line(why)} (not published)")
        # The generated pages, cards and pictures are written in a second process, and record
        # HTML is sanitised in a third, while this one renders the Markdown.
        self._cancel_prework()
        self.prework = Prework(
            archive, Settings(self.today, config.use_directory_urls, self.config.search)
        )
        # Sanitising elsewhere hands the page back just before search reads it: only when no
        # other plugin's on_page_content comes after this one's and wants the HTML.
        self.cleaner = Cleaner(in_process=not self._last_to_see_content(config))
        site_dir = config.site_dir
        record_files = [
            (
                record,
                File(
                    record.src_uri,
                    str(self.root),
                    site_dir,
                    config.use_directory_urls,
                    inclusion=InclusionLevel.NOT_IN_NAV,
                ),
            )
            for record in archive.records
        ]
        by_dest = {f.dest_uri: f for f in files}
        owners: dict[str, str] = {}
        """Generated src_uri -> the src_uri that serves that URL (a hand-written page wins)."""

        def place(file: File, *, generated: bool) -> bool:
            clash = files.get_file_from_path(file.src_uri) or by_dest.get(file.dest_uri)
            if clash is not None:
                what = "a generated page" if generated else "an archive file"
                # File names, written out as the lint report writes them (a "##[" or a line
                # break in one is a workflow command in the log of the publish workflow).
                log.warning(
                    log_line(
                        f"incident-docs: {_where(clash, config)} is published at the URL of "
                        f"{what} ({file.src_uri}); keeping {_where(clash, config)}. Rename or "
                        "remove one of them."
                    )
                )
                owners[file.src_uri] = clash.src_uri
                return False
            files.append(file)
            by_dest[file.dest_uri] = file
            owners[file.src_uri] = file.src_uri
            return True

        css = File.generated(
            config,
            CSS_URI,
            content=site_css(archive.config.severity_names(), archive.unconfigured_severities()),
        )
        place(css, generated=True)
        # MkDocs learns of the generated pages now and reads them last (on_page_read_source),
        # when the page process has long written them.
        self.generated_parts = {}
        self.generated_files = {}
        for src_uri, in_nav in page_plan(archive, self.config.search):
            # The header's search box leads to the search page: a nav of one's own may leave it.
            in_nav = in_nav and not (self.user_nav and src_uri == SEARCH)
            file = File.generated(
                config,
                src_uri,
                content="",
                inclusion=InclusionLevel.INCLUDED if in_nav else InclusionLevel.NOT_IN_NAV,
            )
            if place(file, generated=True):
                self.generated_files[src_uri] = file
        self.record_files = {}
        self.record_file_objects = {}
        for record, file in record_files:
            if place(file, generated=False):
                self.record_files[record.src_uri] = record
                self.record_file_objects[record.src_uri] = file
        for path in archive.attachments:
            place(File(path, str(self.root), site_dir, config.use_directory_urls), generated=False)
        for file in self.generated_files.values():  # rendered after the records
            files.remove(file)
            files.append(file)
        for path in archive.intros:
            intro = File(
                path,
                str(self.root),
                site_dir,
                config.use_directory_urls,
                inclusion=InclusionLevel.NOT_IN_NAV,
            )
            clash = by_dest.get(intro.dest_uri)
            if clash is not None:
                # A README.md beside the records introduces the folder on GitHub; the site has
                # its own index there. Not a problem, so not a warning (which --strict fails on).
                log.info(
                    f"incident-docs: {path} is not published: the generated page "
                    f"{clash.src_uri} has its URL"
                )
                continue
            place(intro, generated=False)
        if not self.user_nav:
            config.nav = build_nav(
                owners,
                guides(files, config.docs_dir, nav_owned(owners)),
                guides_title=self.config.guides,
                search=self.config.search == "pagefind",
            )
        return files

    def _report_lint(self) -> None:
        job, self.lint_job = self.lint_job, None
        if job is None:
            return
        try:
            problems = job.result()
        except RuntimeError as error:
            raise PluginError(f"incident-docs: lint failed: {error}") from None
        # One setting decides what fails, here as in `incident lint` and CI.
        fail_on = self.settings.lint.fail_on
        failing = []
        for problem in problems:
            if problem.severity == "error" or (
                problem.severity == "warning" and fail_on == "warning"
            ):
                failing.append(problem)
                if self.serving:
                    # A preview keeps working while its author fixes what lint found.
                    log.warning(f"incident-docs: {problem}")
            else:
                log.info(f"incident-docs: {problem}")
        if failing and not self.serving:
            shown = [str(p) for p in failing[:MAX_ERRORS_SHOWN]]
            more = len(failing) - len(shown)
            raise PluginError(
                f"incident-docs: lint found {len(failing)} problem(s) that fail the build "
                f"(fail-on = {fail_on}); run 'incident lint' for details:\n"
                + "\n".join(shown)
                + (f"\n… and {more} more" if more > 0 else "")
            )

    def _label_search_results(self, site_dir: Path) -> None:
        """A record found by Material's search shows its severity and date beside its title,
        and is found by its ID, its services and its tags: the card that shows them is added
        after the search index reads the page. Not by the rest of the card (its people, who was
        hurt, the follow-ups), which Pagefind indexes: every reader's browser builds this index
        as the page loads, and the people alone made results of a search typed then 0.1 to 0.2 s
        later on 2,000 records (benchmarks/site_scale.py)."""
        index_file = site_dir / "search" / "search_index.json"
        if self.archive is None or not index_file.is_file():
            return
        labels: dict[str, tuple[str, str]] = {}
        for record in self.archive.records:
            file = self.record_file_objects.get(record.src_uri)
            if file is None:
                continue
            when = record.when
            day = when.astimezone(UTC).strftime("%Y-%m-%d") if when else ""
            label = " · ".join(part for part in (record.severity, day) if part)
            labels[file.url] = (label, search_terms(record))
        data = json.loads(index_file.read_text(encoding="utf-8"))
        for doc in data.get("docs", []):
            location = doc.get("location", "")
            if not isinstance(location, str):
                continue
            if location.split("#", 1)[0] in labels and isinstance(doc.get("text"), str):
                doc["text"] = searchable_times(doc["text"])
            found = labels.get(location)
            if found is None or not isinstance(doc.get("title"), str):
                continue
            label, terms = found
            # The title is HTML (Material shows it as such): the severity is the record's text.
            doc["title"] = f"{doc['title']} ({escape(label)})" if label else doc["title"]
            # In the text: in `tags` (weighed a thousand times its title), a word of one
            # record's tags would outrank another record's own ID, and every guide page.
            doc["text"] = f"<p>{escape(terms)}</p>{doc.get('text') or ''}"
        index_file.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    def _cancel_lint(self) -> None:
        job, self.lint_job = self.lint_job, None
        if job is not None:
            job.cancel()

    def _last_to_see_content(self, config: MkDocsConfig) -> bool:
        handlers = config.plugins.events.get("page_content", [])
        ours = [i for i, h in enumerate(handlers) if getattr(h, "__self__", None) is self]
        return bool(ours) and ours[-1] == len(handlers) - 1

    def _cancel_prework(self) -> None:
        prework, self.prework = self.prework, None
        if prework is not None:
            prework.cancel()
        cleaner, self.cleaner = self.cleaner, None
        if cleaner is not None:
            cleaner.close()

    def on_shutdown(self) -> None:
        self._cancel_prework()

    def on_build_error(self, *, error: Exception) -> None:
        self._cancel_lint()
        self._cancel_prework()

    # -- record pages ----------------------------------------------------------------------

    def _record(self, page: Page) -> SiteRecord | None:
        """The record a page shows, only for the File objects this plugin created."""
        found = self.record_files.get(page.file.src_uri)
        if found is None or self.record_file_objects.get(page.file.src_uri) is not page.file:
            return None
        return found

    def on_page_read_source(self, *, page: Page, config: MkDocsConfig) -> str | None:
        if self.generated_files.get(page.file.src_uri) is page.file:
            return self._generated_markdown(page.file)
        # The plugin has read the record and its front-matter already: MkDocs gets the body
        # alone (after a blank line, so a leading `---` rule is not taken for front-matter).
        record = self._record(page)
        if record is None:
            return None
        doc = record.doc
        problem = unrenderable_record(record, self.root, self.settings.lint.max_file_bytes)
        if problem is not None:
            raise PluginError(f"incident-docs: {record.src_uri}:{problem}")
        return "\n" + "\n".join(_headings_as_read(doc)) + "\n"

    def _generated_markdown(self, file: File) -> str:
        """A generated page's Markdown, its HTML parts kept aside to be put back after it."""
        assert self.prework is not None
        try:
            written = self.prework.pages_by_src()
        except RuntimeError as error:
            raise PluginError(f"incident-docs: writing the archive pages failed: {error}") from None
        page = written.get(file.src_uri)
        if page is None:
            raise PluginError(f"incident-docs: the page {file.src_uri} was not written")
        self.generated_parts[file.src_uri] = (file, page.parts)
        return page.markdown

    def on_page_markdown(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        record = self._record(page)
        if record is None:
            return markdown
        # The theme prints meta.title unescaped in <title> and the header.
        page.meta = {"title": e(record.title)}
        page.edit_url = self._edit_url(config, record.src_uri)
        return markdown

    def _edit_url(self, config: MkDocsConfig, src_uri: str) -> str | None:
        edit_uri = self.config.edit_uri
        if edit_uri is None:
            configured = config.edit_uri or ""
            if not configured:
                return None
            docs = Path(config.docs_dir).name + "/"
            edit_uri = configured.removesuffix(docs) if configured.endswith(docs) else configured
        if not edit_uri.endswith("/"):
            edit_uri += "/"
        base = config.repo_url or ""
        if base and not base.endswith("/"):
            base += "/"
        # The file name is the record's to choose: in the address, its quotes and spaces are
        # percent-encoded, as the theme writes the address into the page as it is.
        path = quote(src_uri)
        if "://" in edit_uri:
            return edit_uri + path
        return base + edit_uri + path if base else None

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        generated = self.generated_parts.get(page.file.src_uri)
        if generated is not None and generated[0] is page.file:
            return restore_html(html, generated[1])
        record = self._record(page)
        if record is None:
            return html
        _clean_toc(page.toc, html)
        # The browser builds the search index from every indexed word on each visit, so a
        # postmortem's copy of its incident's timeline would only make search slower.
        skip_timeline = record.timeline_titles if self._timeline_indexed_elsewhere(record) else ()
        if self.cleaner is None or self.cleaner.in_process:
            return sanitised(html, skip_timeline)
        # Sanitised in a second process while MkDocs renders the next pages; the page gets
        # the clean HTML back (on_page_context, before anything indexes or shows it).
        self.cleaner.put(page.file.src_uri, html, skip_timeline=skip_timeline)
        return ""

    @event_priority(100)  # before the search plugin reads the page
    def on_page_context(
        self, context: TemplateContext, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        if self.cleaner is None or self._record(page) is None:
            return context
        try:
            clean = self.cleaner.take(page.file.src_uri)
        except Exception as error:  # any failure fails the build, naming the page
            raise PluginError(
                f"incident-docs: sanitising {page.file.src_uri} failed: {error}"
            ) from None
        if clean is not None:
            page.content = clean
        return context

    def _timeline_indexed_elsewhere(self, record: SiteRecord) -> bool:
        """A postmortem whose incident has its own page with a timeline."""
        if self.archive is None or record.kind != "postmortem":
            return False
        return any(
            incident is not None
            and incident.src_uri in self.record_files
            and bool(incident.timeline)
            for _id, incident in self.archive.incidents_of(record)
        )

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        # The card and the timeline table are added after the search plugin has indexed the
        # page: the prose and the timeline entries are indexed, the card's markup is not parsed
        # (and a postmortem's timeline only when its incident has none on the site).
        record = self._record(page)
        if record is not None and self.archive is not None:
            output = self._decorate_record(output, record, config)
        if self.config.search == "pagefind":
            output = pagefind.decorate(output, page, SEARCH, config.use_directory_urls)
        return name_search_dialog(output)

    def on_post_template(
        self, output_content: str, *, template_name: str, config: MkDocsConfig
    ) -> str:
        if template_name != "404.html":
            return output_content
        # MkDocs writes the 404 page from its template, without on_post_page.
        if self.config.search != "pagefind":
            return name_search_dialog(output_content)
        return pagefind.decorate_error_page(
            output_content, SEARCH, config.site_url or "", config.use_directory_urls
        )

    def _decorate_record(self, output: str, record: SiteRecord, config: MkDocsConfig) -> str:
        assert self.archive is not None and self.prework is not None
        try:
            decoration = self.prework.decoration(record)
        except RuntimeError as error:
            raise PluginError(f"incident-docs: writing the record cards failed: {error}") from None
        card = decoration.card
        facts = search_facts(record, decoration.teams)
        article = output.find("<article")
        end = output.find("</h1>", article) if article >= 0 else -1
        if end >= 0:
            end += len("</h1>")
        elif article >= 0:
            end = output.find(">", article) + 1
        else:
            return output
        if self.config.search == "pagefind":
            # Pagefind reads the page as built: the card's labels and values would run together
            # ("Servicespayments-api"), and the Related panel would find the cases it quotes.
            card = card.replace(
                '<div class="idocs-card ', '<div data-pagefind-ignore class="idocs-card ', 1
            )
            # What the card says of this record, in words apart (not its labels and the
            # descriptions every card repeats); the ID, services and tags weigh as a heading,
            # and so do the ID without its kind and its date, as a search may type those alone.
            card += (
                '<div class="idocs-search-terms" aria-hidden="true">'
                f'<p data-pagefind-weight="7">{escape(search_terms(record))}</p>'
                f"<p>{escape(facts)}</p>"
                f'<p data-pagefind-weight="7">{escape(id_words(record))}</p></div>'
            )
        output = output[:end] + "\n" + card + output[end:]
        output = timeline_table_html(output, decoration.timeline_cells, record.timeline_titles)
        related = decoration.related
        picture = decoration.picture
        if self.config.search == "pagefind":
            related = related.replace("<details ", "<details data-pagefind-ignore ", 1)
            # The picture says what the card does, under labels every record repeats
            # ("responding: 32m"); the table's header ran together ("KindByWhat happened").
            picture = picture.replace("<figure ", "<figure data-pagefind-ignore ", 1)
            output = output.replace(
                '<table class="idocs-timeline"><thead>',
                '<table class="idocs-timeline"><thead data-pagefind-ignore>',
                1,
            )
        if related:
            at = output.find(card) + len(card)
            output = output[:at] + related + output[at:]
        if picture:
            table = output.find('<div class="idocs-scroll"')
            if table < 0:  # the list stayed a list: no row for a marker to lead to
                picture = without_entry_links(picture)
            at = table if table >= 0 else output.find(card) + len(card)
            output = output[:at] + picture + output[at:]
        return output

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        self._cancel_prework()  # done, or not needed: no record page was built
        # Lint ran beside the build; its errors still fail it, and warnings count for --strict.
        self._report_lint()
        self._label_search_results(Path(config.site_dir))
        if self.config.search == "pagefind":
            pagefind.index(Path(config.site_dir))

    def on_serve(
        self, server: LiveReloadServer, *, config: MkDocsConfig, builder: Any
    ) -> LiveReloadServer:
        for part in (self.settings.incidents_dir, self.settings.postmortems_dir):
            folder = self.root / part
            if folder.is_dir():
                server.watch(str(folder))
        # What every record is checked against decides what lint finds too.
        for name in self.settings.checked_against():
            path = self.root / name
            if path.exists():
                server.watch(str(path))
        return server


_SPLIT_AT = r"\s\-,;:!?()\[\]{}\"“”«»"
_QUOTES = "'\u2018\u2019"  # ' and its typographic left and right
SEARCH_SEPARATOR = (
    rf"[{_SPLIT_AT}]+[{_QUOTES}]*|^[{_QUOTES}]+|[{_QUOTES}]+(?![^{_SPLIT_AT}.])"
    r"|&(?:lt|gt|amp|quot);"
)
"""Where the archive's search splits words, in place of Material's default (at spaces and
hyphens alone): at punctuation around a word too. Material keeps a word with what is glued to it
and finds words by how they begin, so "(dana, open)", `showed "degraded performance"` and "the
'maintenance' flag" were found by neither "dana", "degraded" nor "maintenance". A single quote splits only at a word's
edge: an apostrophe inside a word stays, as do dots and slashes, which a search typed as
"eu-west-1.example", "pg_wal/" or "customer's" keeps in its words. No lookbehind: a browser
without it would refuse the whole index. A separator set in mkdocs.yml is kept."""

_TIMESTAMP = re.compile(
    r"(?<![\w:.-])(\d{4}-\d{2}-\d{2})[Tt]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?"
    r"(?:[Zz]|[+-]\d{2}(?::?\d{2})?)?(?![\w:])"
)


def searchable_times(text: str) -> str:
    """The text with each ISO timestamp (a timeline entry's, a `(logged …)` note's) as its date.

    Material's search splits words at spaces and hyphens (its default separator), so
    2022-12-25T12:32:00Z was the words 2022, 12 and 25t12:32:00z: one for each day and minute in
    the timelines, thousands in an archive, which no search reaches (the query syntax reads 12:32
    as field:word). They made the index bigger, and each search typed up to a hyphen ("INC-"
    matches every word) slower. The date's words stay."""
    return _TIMESTAMP.sub(r"\1", text)


def _headings_as_read(doc: Document) -> list[str]:
    """The body's lines, each heading lint reads (as GitHub does) written so that the site's
    Markdown reads it too: an ATX heading at the start of its line, after a blank line. Python-
    Markdown takes " ## Timeline" for text, a setext underline below two lines for a rule, and
    a heading right after a table for a row of it, so a section lint counts went missing. The
    number of lines stays, but for a blank line added before a heading."""
    lines = doc.lines[doc.front_matter_end :]
    first = doc.front_matter_end + 1
    # One in a list item that the site reads there stays, as written: moved to the start of its
    # line, it would end the list, and the item's text after it would be code.
    headings = [
        b
        for b in doc.blocks
        if b.kind == "heading"
        and b.line >= first
        and not shown_in_its_list(b, lines[b.line - first])
    ]
    for block in reversed(headings):  # from the end: an added line moves no heading still to do
        start, end = block.line - first, block.end_line - first
        written = lines[start : end + 1]
        after_text = start > 0 and lines[start - 1].strip() != ""
        if len(written) == 1:
            atx = written[0].lstrip(" ")
            if atx == written[0] and not after_text:
                continue  # read alike already
            replacement = [atx]
        else:  # setext: its text, then its underline
            text = " ".join(line.strip() for line in written[:-1])
            replacement = ["#" * block.level + " " + text, *[""] * (len(written) - 1)]
        lines[start : end + 1] = ["", *replacement] if after_text else replacement
    return lines


def _where(file: File, config: MkDocsConfig) -> str:
    if file.abs_src_path:
        try:
            return Path(file.abs_src_path).relative_to(Path.cwd()).as_posix()
        except ValueError:
            return file.abs_src_path
    return file.src_uri


_HEADING = re.compile(r'<h([1-6]) id="([^"]*)"[^>]*>')
"""A heading's start tag as Python-Markdown writes it: its level and its anchor."""
_HEADERLINK = re.compile(r'<a class="headerlink"[^>]*>.*?</a>', re.DOTALL)


def _clean_toc(items: Any, html: str) -> None:
    """Each title of the table of contents made safe, and read from its heading where that holds
    a placeholder ("## Restart <pod>"): the table of contents dropped it as a tag, where the
    heading shows it as text (see clean_html)."""
    shown: dict[str, str] | None = None
    for item in _anchors(items):
        if "<" in item.title or "&" in item.title:
            item.title = clean_text(item.title)
    if "<" not in html:
        return
    for item in _anchors(items):
        if shown is None:
            shown = {
                anchor: inside
                for anchor, inside in _headings(html)
                if "<" in inside and has_placeholder(inside)
            }
            if not shown:
                return
        heading = shown.get(escape(item.id))
        if heading is not None:
            item.title = clean_text(placeholders_as_text(_HEADERLINK.sub("", heading))).strip()


def _headings(html: str) -> Iterator[tuple[str, str]]:
    """The anchor of each heading and what it holds, read in one pass: each heading's end tag
    is looked for only up to the next heading, so headings never closed cost no more."""
    starts = list(_HEADING.finditer(html))
    for index, match in enumerate(starts):
        limit = starts[index + 1].start() if index + 1 < len(starts) else len(html)
        end = html.find(f"</h{match.group(1)}>", match.end(), limit)
        if end != -1:
            yield match.group(2), html[match.end() : end]


def _anchors(items: Any) -> Iterator[AnchorLink]:
    for item in items:
        if isinstance(item, AnchorLink):
            yield item
            yield from _anchors(item.children)
