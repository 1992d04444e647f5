"""The site's nav: generated index pages and the hand-written guides present, never the records."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.structure.files import Files, InclusionLevel

from incident_docs.site.pages import (
    ACTION_ITEMS,
    BROWSE,
    HOME,
    INCIDENTS,
    METRICS,
    POSTMORTEMS,
    SEARCH,
)

GUIDE_ORDER = ("running-incidents.md", "review.md", "blameless.md", "site.md")
"""Guides listed first, in this order; other pages of docs_dir follow alphabetically."""

NavItem = dict[str, Any]


def guides(files: Files, docs_dir: str, taken: set[str]) -> list[str]:
    """Markdown pages written by hand in docs_dir, in reading order."""
    return order_guides(_hand_written(files, docs_dir, taken))


def order_guides(found: list[str]) -> list[str]:
    rank = {name: index for index, name in enumerate(GUIDE_ORDER)}
    return sorted(found, key=lambda src: (rank.get(src, len(rank)), src))


def _hand_written(files: Files, docs_dir: str, taken: set[str]) -> list[str]:
    docs = Path(docs_dir).resolve()
    found = []
    for file in files.documentation_pages():
        if file.generated_by is not None or file.src_uri in taken or not file.abs_src_path:
            continue
        if file.inclusion.value <= InclusionLevel.NOT_IN_NAV.value:
            continue  # the records, and pages the site's not_in_nav keeps out
        if not Path(file.abs_src_path).resolve().is_relative_to(docs):
            continue
        if file.src_uri.rsplit("/", 1)[-1] in ("index.md", "README.md") and "/" not in file.src_uri:
            continue
        found.append(file.src_uri)
    return found


def build_nav(
    owners: dict[str, str],
    guide_pages: list[str],
    *,
    guides_title: str = "Guides",
    search: bool = False,
) -> list[NavItem]:
    """Entries point at whichever file serves each URL (a hand-written page may own one)."""

    def entry(title: str, src: str) -> NavItem:
        return {title: owners.get(src, src)}

    nav: list[NavItem] = [
        entry("Dashboard", HOME),
        entry("Incidents", INCIDENTS),
        entry("Postmortems", POSTMORTEMS),
        entry("Action items", ACTION_ITEMS),
        entry("Metrics", METRICS),
        entry("Browse", BROWSE),
    ]
    if search:
        nav.append(entry("Search", SEARCH))
    if guide_pages:
        nav.append({guides_title: guide_pages})
    return nav


def nav_owned(owners: dict[str, str]) -> set[str]:
    """The files the fixed part of the nav points at."""
    fixed = (HOME, INCIDENTS, POSTMORTEMS, ACTION_ITEMS, METRICS, BROWSE)
    return {owners.get(src, src) for src in fixed}
