"""Staging: the generated pages and sanitised records as a plain docs folder any MkDocs can build."""

from __future__ import annotations

import html as html_lib
import os
import posixpath
import re
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import unquote

import markdown as markdown_lib  # type: ignore[import-untyped]
import yaml

from incident_docs.config import Config
from incident_docs.diagnostics import UsageError
from incident_docs.document import Block, indent_columns, scan_blocks
from incident_docs.models import Roster
from incident_docs.site.archive import (
    SiteArchive,
    SiteRecord,
    load_site_archive,
    page_url,
    relative_url,
    unrenderable_record,
)
from incident_docs.site.cards import record_card, timeline_markdown
from incident_docs.site.markup import Linker, e, site_css
from incident_docs.site.navigation import build_nav, nav_owned, order_guides
from incident_docs.site.pages import PageBuilder, md_text, yaml_string
from incident_docs.site.sanitize import clean_html

CSS_URI = "assets/incident-docs/incident-docs.css"
RECORD_EXTENSIONS = ("tables", "fenced_code", "admonition", "def_list", "attr_list", "sane_lists")
RECORD_EXTENSION_CONFIGS = {"pymdownx.tilde": {"subscript": False}}
"""Struck-out text (~~…~~) shown struck out, as on GitHub and the site: the rules leave it."""

_URL_ATTR = re.compile(r'(\s(?:href|src)=")([^"]*)(")')


@dataclass(frozen=True)
class StageResult:
    pages: int
    records: int
    attachments: int
    guides: int
    left_out: tuple[str, ...] = ()
    """Why each record file that cannot be read or does not validate was not staged."""


def stage(
    root: Path,
    config: Config,
    roster: Roster,
    out_dir: Path,
    today: date,
    *,
    site_name: str = "Incident archive",
    docs_dir: Path | None = None,
) -> StageResult:
    """Write out_dir/docs and out_dir/mkdocs.yml; the folder is replaced only when complete."""
    archive = load_site_archive(root, config, roster)
    out_dir = out_dir.resolve()
    if out_dir == root.resolve() or root.resolve().is_relative_to(out_dir):
        raise UsageError(f"{out_dir}: refusing to stage into the repository itself")
    if out_dir.exists() and any(out_dir.iterdir()) and not (out_dir / ".incident-stage").exists():
        raise UsageError(
            f"{out_dir}: folder is not empty and was not made by 'incident site stage'"
        )
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".stage-", dir=out_dir.parent))
    try:
        result = _write(archive, work, today, site_name, docs_dir)
        if out_dir.exists():
            shutil.rmtree(out_dir)
        os.replace(work, out_dir)
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
    return result


def _write(
    archive: SiteArchive, work: Path, today: date, site_name: str, docs_dir: Path | None
) -> StageResult:
    docs = work / "docs"
    docs.mkdir()
    (work / ".incident-stage").write_text("made by incident site stage\n", encoding="utf-8")
    written: set[str] = set()
    guide_pages: list[str] = []
    if docs_dir is not None and docs_dir.is_dir():
        for path in sorted(docs_dir.rglob("*")):
            if path.is_file() and not path.is_symlink():
                src = path.relative_to(docs_dir).as_posix()
                _put(docs / src, path.read_bytes())
                written.add(src)
                if src.endswith(".md") and src not in ("index.md", "README.md"):
                    guide_pages.append(src)
    owners: dict[str, str] = {}
    builder = PageBuilder(archive, today)
    for page in builder.pages():
        owners[page.src_uri] = page.src_uri
        if page.src_uri in written:
            continue
        _put(docs / page.src_uri, page.content.encode("utf-8"))
    for record in archive.records:
        _put(docs / record.src_uri, staged_record(archive, record, today).encode("utf-8"))
    for attachment in archive.attachments:
        _put(docs / attachment, (archive.root / attachment).read_bytes())
    _put(
        docs / CSS_URI,
        site_css(archive.config.severity_names(), archive.unconfigured_severities()).encode(
            "utf-8"
        ),
    )
    taken = nav_owned(owners)
    guides = order_guides([g for g in guide_pages if g not in taken])
    mkdocs_yml = {
        "site_name": site_name,
        "docs_dir": "docs",
        "theme": {"name": "material", "font": False},
        "plugins": ["search"],
        "extra_css": [CSS_URI],
        "markdown_extensions": ["tables", "admonition", {"toc": {"permalink": True}}],
        "nav": build_nav(owners, guides),
        "not_in_nav": "/incidents/*-*\n/postmortems/*-*\n/browse/*/*\n!/browse/*/index.md\n",
    }
    text = "# Staged by 'incident site stage': build with plain `mkdocs build`.\n" + yaml.safe_dump(
        mkdocs_yml, sort_keys=False, allow_unicode=True
    )
    (work / "mkdocs.yml").write_text(text, encoding="utf-8")
    return StageResult(
        len(owners),
        len(archive.records),
        len(archive.attachments),
        len(guides),
        tuple(archive.left_out),
    )


def _put(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def shown_in_its_list(block: Block, line: str) -> bool:
    """A heading inside a list item (as GitHub and lint read it) that the site's Markdown reads
    there too, its first line given: one indented four columns or more, as far as that Markdown
    takes an item's content. One indented less ("  ## Notes" under "- Rolled back") is text
    there, "## Notes", as the item's text after it is a paragraph after the list: it is shown as
    a heading after the list."""
    return block.in_list and indent_columns(line) >= 4


def staged_record(archive: SiteArchive, record: SiteRecord, today: date) -> str:
    """The record as Markdown whose prose is already sanitised HTML; headings stay Markdown so
    the table of contents and search sections still work."""
    doc = record.doc
    problem = unrenderable_record(record, archive.root, archive.config.lint.max_file_bytes)
    if problem is not None:
        raise UsageError(f"{record.src_uri}:{problem}")
    body = "\n".join(doc.lines[doc.front_matter_end :]) + "\n"
    body = timeline_markdown(body, record)
    out = [f"---\ntitle: {yaml_string(e(record.title))}\n---\n"]
    card = record_card(archive, record, Linker(record.src_uri, True), today)
    segment: list[str] = []
    placed_card = False

    def flush() -> None:
        text = "\n".join(segment).strip()
        segment.clear()
        if text:
            html = markdown_lib.markdown(
                text,
                extensions=[*RECORD_EXTENSIONS, *RECORD_EXTENSION_CONFIGS],
                extension_configs=RECORD_EXTENSION_CONFIGS,
            )
            html = _rewrite_links(clean_html(html), record.src_uri)
            out.append(f'<div class="idocs-prose">\n{html}\n</div>\n')

    lines = body.split("\n")
    next_line = 1
    for block in scan_blocks(lines):
        if block.kind != "heading" or shown_in_its_list(block, lines[block.line - 1]):
            continue  # rendered with its list
        segment.extend(lines[next_line - 1 : block.line - 1])
        next_line = block.end_line + 1
        flush()
        title = clean_html(block.title)
        out.append(f"{'#' * block.level} {md_text(_strip_tags(title))}\n")
        if block.level == 1 and not placed_card:
            out.append(card + "\n")
            placed_card = True
    segment.extend(lines[next_line - 1 :])
    flush()
    if not placed_card:
        out.insert(1, f"# {md_text(record.title)}\n\n{card}\n")
    return "\n".join(out)


def _strip_tags(html: str) -> str:
    return html_lib.unescape(re.sub(r"<[^>]*>", "", html))


def _rewrite_links(html: str, src_uri: str) -> str:
    """Links between Markdown files become page URLs, as MkDocs would make them."""
    folder = posixpath.dirname(src_uri)

    def fix(match: re.Match[str]) -> str:
        url = match.group(2)
        if not url or url.startswith(("#", "/")) or "://" in url or url.startswith("mailto:"):
            return match.group(0)
        path, _, fragment = url.partition("#")
        target = posixpath.normpath(posixpath.join(folder, html_lib.unescape(path)))
        if target.endswith(".md"):
            # The link names the file percent-encoded (a space as "%20"); the address of its
            # page is encoded again from the name itself.
            new = relative_url(src_uri, unquote(target))
        else:
            new = posixpath.relpath(target, page_url(src_uri).rstrip("/") or ".")
        return match.group(1) + e(new) + (f"#{fragment}" if fragment else "") + match.group(3)

    return _URL_ATTR.sub(fix, html)
