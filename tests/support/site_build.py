"""The archive site for tests: mkdocs.yml in an archive copy, builds, and checks on the HTML."""

from __future__ import annotations

import gzip
import json
import shutil
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, TypedDict, Unpack

import yaml
from mkdocs.commands.build import build
from mkdocs.config import load_config

from support.archive import REPO


class _SiteLoader(yaml.SafeLoader):
    """YAML as MkDocs reads mkdocs.yml: `!ENV [NAME, default]` is the default here."""


def _env(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.SequenceNode):
        values = loader.construct_sequence(node)
        return values[-1] if len(values) > 1 else None
    return None


_SiteLoader.add_constructor("!ENV", _env)


def site_settings(path: Path) -> dict[str, Any]:
    """A mkdocs.yml's settings, as MkDocs reads them with no environment variable set."""
    settings = yaml.load(path.read_text(encoding="utf-8"), Loader=_SiteLoader)
    assert isinstance(settings, dict)
    return settings


TODAY = "2023-03-01"
"""The plugin's `today` in the site tests: after the Christmas postmortem's first due date."""


class PluginOptions(TypedDict, total=False):
    """Options of the incident-docs MkDocs plugin that the tests set."""

    lint: bool
    search: str
    today: str | date
    edit_uri: str
    guides: str


HOSTILE_INCIDENT = """---
id: INC-2024-01-02-hostile-title
title: "<script>alert('title')</script><img src=x onerror=alert('img')> Hostile"
severity: SEV3
status: investigating
declared_at: 2024-01-02T10:00:00Z
declared_by: sam
summary: "<script>alert('summary')</script>"
services: [web-frontend]
tags: [config]
roles:
  incident_commander: sam
  communications_lead: sam
  ops_lead: sam
---

# <script>alert('h1')</script> Hostile <img src=x onerror="alert('h1img')">

## Summary

Body <script>alert('body')</script> and [a link](javascript:alert('md-link')) and
<a href="javascript:alert('a')" onclick="alert('click')">click me</a>
<div id="__config">{"x": 1}</div> <svg onload="alert('svg')"></svg>
<iframe src="https://example.com/frame"></iframe>
<p style="background:url(javascript:alert('css'))" onmouseover="alert('over')">hover</p>

## Timeline

- 2024-01-02T10:00:00Z **note** by sam: Started <img src=x onerror=alert('tl')> `a | b`
"""


def write_site_config(
    root: Path, *, site_url: str | None = None, **options: Unpack[PluginOptions]
) -> Path:
    """The repository's mkdocs.yml and docs/, with plugin options for a reproducible build."""
    settings = site_settings(REPO / "mkdocs.yml")
    plugin: dict[str, object] = {"today": TODAY, **options}
    settings["plugins"] = ["search", {"incident-docs": plugin}]
    settings["site_dir"] = str(root / "site")
    if site_url is not None:
        settings["site_url"] = site_url
    (root / "mkdocs.yml").write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    docs = root / "docs"
    if not docs.exists():
        docs.mkdir()
        if (REPO / "docs" / "site.md").exists():
            shutil.copy2(REPO / "docs" / "site.md", docs / "site.md")
    return root / "mkdocs.yml"


def build_site(
    root: Path,
    *,
    strict: bool = True,
    site_url: str | None = None,
    **options: Unpack[PluginOptions],
) -> Path:
    """Build the site of an archive copy with MkDocs (strict unless told); the site folder."""
    config_file = write_site_config(root, site_url=site_url, **options)
    config = load_config(config_file=str(config_file), strict=strict)
    build(config)
    return root / "site"


def page(site: Path, url: str) -> str:
    """The HTML of a built page, by its URL relative to the site."""
    return (site / url / "index.html").read_text(encoding="utf-8")


class TagAudit(HTMLParser):
    """Every element and attribute of a page, to check nothing active came from a record."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.script_text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.script_text.append(data)


def active_content(html: str) -> list[str]:
    """Event handlers, javascript: URLs, frames, and scripts that mention alert(."""
    audit = TagAudit()
    audit.feed(html)
    found = []
    for tag, attrs in audit.tags:
        if tag in ("iframe", "object", "embed", "svg") and "onload" in attrs:
            found.append(f"<{tag}>")
        if tag == "iframe":
            found.append("<iframe>")
        for name, value in attrs.items():
            if name.startswith("on"):
                found.append(f"<{tag} {name}>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                found.append(f"<{tag} {name}=javascript:>")
            if name == "id" and value == "__config" and tag != "script":
                found.append(f"<{tag} id=__config>")
            if name == "style" and "javascript" in (value or ""):
                found.append(f"<{tag} style>")
    found += [f"script: {text[:40]}" for text in audit.script_text if "alert(" in text]
    return found


def search_entries(site: Path) -> list[dict[str, Any]]:
    """The entries of Material's search index of a built site."""
    data = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    docs: list[dict[str, Any]] = data["docs"]
    return docs


def pagefind_pages(site: Path) -> dict[str, dict[str, Any]]:
    """What Pagefind indexed of each page of a built site, by URL: its fragment (title in
    `meta`, `content`, `anchors`, `filters`), read from the gzipped files it wrote."""
    pages = {}
    for fragment in (site / "pagefind" / "fragment").glob("*.pf_fragment"):
        data = gzip.decompress(fragment.read_bytes()).removeprefix(b"pagefind_dcd")
        found: dict[str, Any] = json.loads(data)
        pages[found["url"]] = found
    return pages
