"""The archive site: records published with cards and timelines, generated pages, lint, safety."""

from __future__ import annotations

import json
import logging
import re
import time
from datetime import date
from html import unescape
from pathlib import Path
from types import SimpleNamespace
from typing import Unpack

import pytest
import yaml
from mkdocs.commands.build import build
from mkdocs.config import load_config as load_mkdocs_config
from mkdocs.exceptions import Abort, PluginError

from incident_docs.config import load_config
from incident_docs.models import Incident, Postmortem
from incident_docs.records import load_roster
from incident_docs.site import pagefind
from incident_docs.site.archive import load_site_archive
from incident_docs.site.markup import (
    person,
    search_facts,
    severity_colours,
    severity_css,
    unconfigured_colours,
)
from incident_docs.site.pages import PageBuilder
from incident_docs.site.picture import without_entry_links
from incident_docs.site.plugin import (
    SEARCH_DIALOG,
    SEARCH_SEPARATOR,
    IncidentDocsPlugin,
    searchable_times,
)
from incident_docs.site.prework import Settings, decoration
from incident_docs.site.sanitize import clean_html
from support.archive import (
    CHRISTMAS,
    REPO,
    cover_a_second_incident,
    open_action_items,
    record_files,
    timeline_entries,
)
from support.cli import RunCli
from support.site_build import (
    HOSTILE_INCIDENT,
    TODAY,
    PluginOptions,
    active_content,
    build_site,
    page,
    pagefind_pages,
    search_entries,
    site_settings,
    write_site_config,
)

PM_URL = f"postmortems/PM-{CHRISTMAS}"
TODAY_DATE = date.fromisoformat(TODAY)
INC_URL = f"incidents/INC-{CHRISTMAS}"


def test_postmortem_page_has_card_timeline_table_and_follow_ups(christmas: Path) -> None:
    site = build_site(christmas)
    html = page(site, PM_URL)
    card = html[html.index('class="idocs-card') : html.index("</details>")]
    assert "SEV2" in card and "published" in card
    # time to detect, mitigate, resolve from 12:32
    assert ">6m<" in card and ">2h 13m<" in card and ">2h 38m<" in card
    assert "priya" in card and "(1 of 1 needed)" in card
    assert "Alert on VM restart loops, not only on error rate" in card
    pm_path = christmas / "postmortems" / f"PM-{CHRISTMAS}.md"
    overdue = open_action_items(pm_path, date.fromisoformat(TODAY))[1]
    assert overdue and card.count("idocs-overdue") == len(overdue)  # lee's: due 02-28, today 03-01
    assert f'href="../../{INC_URL}/"' in card
    table = re.search(r'<table class="idocs-timeline">.*?</table>', html, re.DOTALL)
    assert table is not None
    raw = pm_path.read_text(encoding="utf-8")
    rows = re.findall(r"<tr[ >]", table.group(0))
    assert len(rows) == 1 + len(timeline_entries(raw))  # header + entries
    assert "mitigation · redirect-traffic" in table.group(0)
    assert "- 2022-12-25T13:05:00Z **mitigation/redirect-traffic** by dana:" in raw


def test_incident_page_links_its_postmortem_and_shows_roles(christmas: Path) -> None:
    html = page(build_site(christmas), INC_URL)
    assert f'href="../../{PM_URL}/"' in html
    assert "Communications Lead:" in html and "(Sam Lindqvist)</span></span> → <span" in html
    assert "It is user facing" in html  # the answers, not the questions


def test_overdue_follows_the_injected_date(christmas: Path) -> None:
    early = page(build_site(christmas, today="2023-01-01"), "action-items")
    assert "idocs-overdue" not in early
    late = page(build_site(christmas, today="2023-04-01"), "action-items")
    overdue = late[late.index('id="overdue"') : late.index('id="by-owner"')]
    assert "Alert on VM restart loops" in overdue
    assert "Canary every web deploy" in overdue


def test_action_item_page_lists_every_open_item_once(christmas: Path) -> None:
    items = (
        "Alert on VM restart loops, not only on error rate",  # open
        "Canary every web deploy for ten minutes before full rollout",  # in progress
    )
    for today in ("2023-01-01", "2023-04-01"):  # before both are due, after
        html = page(build_site(christmas, today=today), "action-items")
        assert all(html.count(item) == 1 for item in items), today
        assert "Validate deployment configs against a schema" not in html  # done
        assert "https://tracker.example.com/OPS-814" in html
        by_owner = html[html.index('id="by-owner"') :]
        names = "lee (Lee Morgan)" in by_owner and "priya (Priya Raman)" in by_owner
        assert names == (today == "2023-01-01")  # overdue items are listed with the overdue


def test_dashboard_is_home_and_counts(christmas: Path) -> None:
    html = (build_site(christmas) / "index.html").read_text(encoding="utf-8")
    assert "No open incidents." in html
    assert "Postmortem: corrupt web image crash-looped the front-end VMs" in html
    values = re.findall(
        r'idocs-tile__value">(\d+)</span><span class="idocs-tile__label">([^<]+)<', html
    )
    still_open, overdue = open_action_items(
        christmas / "postmortems" / f"PM-{CHRISTMAS}.md", date.fromisoformat(TODAY)
    )
    assert dict((label, int(v)) for v, label in values) == {
        "open incidents": 0,
        "incidents": len(record_files(christmas, "incidents")),
        "postmortems": len(record_files(christmas, "postmortems")),
        "open action items": len(still_open),
        "overdue": len(overdue),
    }


def test_dashboard_open_incidents_tile_leads_to_the_open_incidents(archive: Path) -> None:
    """It led to the list of every incident, newest first, where an open one from months ago
    is found only by reading down to it."""
    html = (build_site(archive) / "index.html").read_text(encoding="utf-8")
    tile = re.search(r'<a class="idocs-tile" href="([^"]*)"><span[^>]*>1</span>', html)
    assert tile is not None and tile.group(1) == "#open-incidents"
    listed = html[html.index('id="open-incidents"') : html.index('id="recent-postmortems"')]
    assert "INC-2026-11-20-search-latency" in listed


def test_metrics_page_has_local_svg_charts(christmas: Path) -> None:
    html = page(build_site(christmas), "metrics")
    assert html.count('<svg class="idocs-chart"') == 2
    assert "<td>time to detect</td><td>6m</td><td>6m</td><td>1</td>" in html
    assert "2022-12" in html


def test_indexes_by_facet(christmas: Path) -> None:
    site = build_site(christmas)
    for url in ("browse/year/2022", "browse/severity/sev2", "browse/service/web-frontend",
                "browse/tag/memory-leak", "browse/status/postmortem-published"):  # fmt: skip
        assert f"PM-{CHRISTMAS}" in page(site, url), url
    overview = page(site, "browse/severity")
    assert "Major: a core service is badly degraded" in overview
    assert 'href="../">← browse</a>' in overview
    hub = page(site, "browse")
    for facet in ("year", "severity", "service", "tag", "status"):
        assert f'href="{facet}/"' in hub


def test_the_nav_lists_the_archive_pages_and_no_record(christmas: Path) -> None:
    html = page(build_site(christmas), INC_URL)
    nav = html[html.index("md-nav--primary") : html.index("md-sidebar--secondary")]
    titles = list(dict.fromkeys(re.findall(r'<span class="md-ellipsis">\s*(.*?)\s*</span>', nav)))
    assert titles[:6] == [
        "Dashboard",
        "Incidents",
        "Postmortems",
        "Action items",
        "Metrics",
        "Browse",
    ]
    assert "By service" not in nav  # one Browse page: a short nav, drawn on every page
    assert CHRISTMAS not in nav


def test_edit_link_points_at_the_record_in_the_repository(christmas: Path) -> None:
    html = page(build_site(christmas), PM_URL)
    assert (
        f'href="https://github.com/example/incident-docs/edit/main/postmortems/PM-{CHRISTMAS}.md"'
        in html
    )


def test_search_index_holds_record_prose(christmas: Path) -> None:
    entries = search_entries(build_site(christmas))
    texts = [e["text"] for e in entries if e["location"].startswith(PM_URL)]
    assert any("memory leak" in text.lower() for text in texts)


def test_search_indexes_a_timeline_once(christmas: Path) -> None:
    site = build_site(christmas)
    located = {e["location"]: e["text"] for e in search_entries(site)}
    assert "Drained the crash-looping VMs" in located[f"{INC_URL}/#timeline"]
    assert f"{PM_URL}/#timeline" not in located  # the same events, already on the incident
    assert "memory_limt" in located[f"{PM_URL}/#contributing-factors"]
    html = page(site, PM_URL)
    assert "data-search-exclude" not in html
    assert html.count('<table class="idocs-timeline">') == 1


_SEARCH_WORD = re.compile(r"[^\s-]+")
"""A word as Material's search splits the index (its default separator: spaces and hyphens)."""


def test_search_index_holds_a_timeline_entry_by_its_date_and_words_not_its_timestamp(
    christmas: Path,
) -> None:
    """A timestamp made a word of each day and minute ("25t12:32:00z") that no search reaches,
    and that each search typed up to a hyphen ("INC-") went through: thousands at scale."""
    located = {e["location"]: e["text"] for e in search_entries(build_site(christmas))}
    timeline = located[f"{INC_URL}/#timeline"]
    assert "2022-12-25 " in timeline and "Drained the crash-looping VMs" in timeline
    assert "dana" in timeline and "mitigation/redirect-traffic" in timeline
    record_texts = [t for where, t in located.items() if where.startswith((INC_URL, PM_URL))]
    words = {w.lower() for text in record_texts for w in _SEARCH_WORD.findall(text)}
    assert not [w for w in words if re.search(r"\dt\d\d:\d\d", w)]
    assert {"2022", "12", "25"} <= words  # the date is still found, by its words
    assert f"INC-{CHRISTMAS}" in located[f"{INC_URL}/"]  # the ID as written, for a paste


def test_search_finds_a_word_in_quotes_or_brackets(archive: Path) -> None:
    """Material finds words by how they begin: split only at spaces and hyphens, the words
    '"degraded' and '(dana,' were found by neither "degraded" nor "dana"."""
    site = build_site(archive)
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    separator = re.compile(index["config"]["separator"])
    located = {e["location"]: e["text"] for e in index["docs"]}

    def words(location: str) -> set[str]:
        text = re.sub(r"<[^>]+>", " ", located[location])  # Material skips the markup
        return {word.lower() for word in separator.split(text) if word}

    assert "degraded" in words(f"{PM_URL}/#impact")  # showed "degraded performance"
    payments = "postmortems/PM-2023-03-14-payments-db-failover/#action-items"
    assert "dana" in words(payments)  # Run a failover game day every quarter (dana, open)
    assert {"eu", "west"} <= words(f"{INC_URL}/#timeline")  # eu-west-1b: a hyphen still splits


@pytest.mark.parametrize(
    ("plugins", "separator"),
    [
        ([{"search": {"separator": r"[\s\-]+"}}, "incident-docs"], r"[\s\-]+"),
        ([{"search": {"separator": r"[\s\-.]+"}}, "incident-docs"], r"[\s\-.]+"),
        (["incident-docs", "search"], SEARCH_SEPARATOR),
        (["search", "incident-docs"], SEARCH_SEPARATOR),
    ],
)
def test_a_separator_written_in_mkdocs_yml_is_kept(
    christmas: Path, plugins: list[object], separator: str
) -> None:
    """Material's own, written out to search as Material does, was replaced by the archive's
    all the same: there was no going back to it."""
    config_file = write_site_config(christmas)
    settings = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    ours = next(p for p in settings["plugins"] if isinstance(p, dict) and "incident-docs" in p)
    settings["plugins"] = [ours if p == "incident-docs" else p for p in plugins]
    config_file.write_text(yaml.safe_dump(settings), encoding="utf-8")
    build(load_mkdocs_config(config_file=str(config_file), strict=True))
    index = christmas / "site" / "search" / "search_index.json"
    assert json.loads(index.read_text(encoding="utf-8"))["config"]["separator"] == separator


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("the 'maintenance' flag was set", {"maintenance", "flag"}),
        ("a \u2018read-only\u2019 replica", {"read", "only", "replica"}),
        ("'degraded'. Then", {"degraded", "then"}),
        ("('dana', open)", {"dana", "open"}),
        ("the engineers' laptops", {"engineers", "laptops"}),
        ("the customer's order, the provider\u2019s page", {"customer's", "provider\u2019s"}),
        ("api.example.com served pg_wal/ in 2.4s", {"api.example.com", "pg_wal/", "2.4s"}),
    ],
)
def test_search_splits_quotes_off_a_word_and_keeps_its_apostrophe(
    text: str, words: set[str]
) -> None:
    """A word in single quotes kept them: "'maintenance'" was found by no search for
    `maintenance` (Material finds a word by how it begins)."""
    found = {word.lower() for word in re.split(SEARCH_SEPARATOR, text) if word}
    assert words <= found, found


@pytest.mark.parametrize(
    ("text", "indexed"),
    [
        (
            "<li>2022-12-25T12:32:00Z action by sam: Deploy.</li>",
            "<li>2022-12-25 action by sam: Deploy.</li>",
        ),
        ("Paged (logged 2022-12-25T14:03:09+01:00).", "Paged (logged 2022-12-25)."),
        ("at 2022-12-25t12:32:00.123456789Z, then", "at 2022-12-25, then"),
        ("from 2022-12-25T12:32 on", "from 2022-12-25 on"),
        ("INC-2022-12-25-corrupt-image-crash-loop", "INC-2022-12-25-corrupt-image-crash-loop"),
        ("build 2022-12-25T12:32:00Zx", "build 2022-12-25T12:32:00Zx"),
    ],
)
def test_a_timestamp_is_indexed_as_its_date(text: str, indexed: str) -> None:
    assert searchable_times(text) == indexed


def test_shipped_sites_leave_search_suggest_off() -> None:
    """search.suggest runs a second search on every key press, and one typed up to a hyphen
    goes through every word of the index: typing an ID took tens of seconds at 750 records."""
    for config in (REPO / "mkdocs.yml", REPO / "tooling/incident_docs/starter/mkdocs.yml"):
        features = site_settings(config)["theme"]["features"]
        assert "search.highlight" in features, config
        assert "search.suggest" not in features, config


def test_postmortem_without_incident_page_keeps_its_timeline_searchable(christmas: Path) -> None:
    (christmas / "incidents" / f"INC-{CHRISTMAS}.md").unlink()  # lint would call this an error
    located = {e["location"]: e["text"] for e in search_entries(build_site(christmas, lint=False))}
    assert "Rollback not possible" in located[f"{PM_URL}/#timeline"]


def test_action_items_page_is_left_to_the_postmortems_in_search(christmas: Path) -> None:
    entries = search_entries(build_site(christmas))
    assert not [e for e in entries if e["location"].startswith("action-items/")]
    follow_up = "Alert on VM restart loops"
    assert [e for e in entries if e["location"] == f"{PM_URL}/#action-items"]
    assert any(follow_up in e["text"] for e in entries if e["location"].startswith(PM_URL))


def build_error(
    root: Path, caplog: pytest.LogCaptureFixture, **options: Unpack[PluginOptions]
) -> str:
    """MkDocs logs a plugin's error and aborts: the logged message is what the user sees."""
    with pytest.raises(Abort):
        build_site(root, **options)
    return "\n".join(r.getMessage() for r in caplog.records if r.levelname == "ERROR")


def test_an_unusable_blameless_examples_file_fails_the_build_with_lint_s_own_line(
    christmas: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with (christmas / "pyproject.toml").open("a") as handle:
        handle.write('\n[tool.incident-docs.blameless]\nexamples = "ex.tsv"\n')
    (christmas / "ex.tsv").write_text("text\tlabel\nKen broke it.\tyes\n")
    assert build_error(christmas, caplog) == (
        "incident-docs: lint failed: ex.tsv:2: label must be 'blameful' or 'blameless', not 'yes'"
    )


@pytest.mark.parametrize(
    ("root", "says"),
    [
        ("nowhere", "incident-docs: root: nowhere: no such folder"),
        ("docs", "incident-docs: no incident archive in {docs}: no incidents/ or postmortems/ "),
    ],
)
def test_a_root_that_holds_no_archive_fails_the_build(
    christmas: Path, caplog: pytest.LogCaptureFixture, root: str, says: str
) -> None:
    # The site was built, of no records, and the build passed.
    config_file = write_site_config(christmas)
    settings = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    settings["plugins"][1]["incident-docs"]["root"] = root
    config_file.write_text(yaml.safe_dump(settings), encoding="utf-8")
    with pytest.raises(Abort):
        build(load_mkdocs_config(config_file=str(config_file), strict=True))
    message = "\n".join(r.getMessage() for r in caplog.records if r.levelname == "ERROR")
    assert message.startswith(says.format(docs=christmas.resolve() / "docs")), message


def test_lint_settings_naming_no_rule_fail_the_build(
    christmas: Path, caplog: pytest.LogCaptureFixture
) -> None:
    pyproject = christmas / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text() + '\n[tool.incident-docs.lint]\nignore = ["BL011"]\n'
    )
    line = len(pyproject.read_text().splitlines())
    assert f"pyproject.toml:{line}: tool.incident-docs.lint.ignore: unknown rule code or prefix " \
        "'BL011'" in build_error(christmas, caplog)  # fmt: skip


def test_lint_error_fails_the_build_naming_file_and_line(
    christmas: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = christmas / "postmortems" / f"PM-{CHRISTMAS}.md"
    path.write_text(path.read_text().replace("severity: SEV2", "severity: SEV9"), encoding="utf-8")
    message = build_error(christmas, caplog)
    assert f"postmortems/PM-{CHRISTMAS}.md:6:" in message and "SEV9" in message


def test_a_line_break_in_a_file_name_cannot_forge_a_line_of_the_build_log(
    christmas: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # The publish workflow runs the build in GitHub Actions, whose runner obeys a line that
    # starts with "::": a file name must not start one.
    source = christmas / "postmortems" / f"PM-{CHRISTMAS}.md"
    forged = christmas / "postmortems" / "x\n::error title=forged::\x1b[2Jpwned.md"
    forged.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    message = build_error(christmas, caplog)
    assert "postmortems/x\\u000a::error title=forged::\\u001b[2Jpwned.md:2:1: ID001" in message
    assert not [line for line in message.splitlines() if line.lstrip().startswith("::")]
    assert "\x1b" not in message


def test_a_record_left_out_of_the_site_cannot_start_a_workflow_command_in_the_build_log(
    christmas: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # The runner obeys the older "##[group]" form of a workflow command anywhere in a line.
    (christmas / "postmortems" / "##[group]x.md").write_text("---\nid: [x\n---\n")
    build_error(christmas, caplog)
    logged = [r.getMessage() for r in caplog.records]
    assert any("postmortems/##\\u005bgroup]x.md:2: FM002" in line for line in logged), logged
    assert not [line for line in logged if "##[" in line]


def test_a_file_at_the_url_of_another_cannot_start_a_workflow_command_in_the_build_log(
    christmas: Path, caplog: pytest.LogCaptureFixture
) -> None:
    name = "##[group]x.png"
    (christmas / "incidents" / name).write_bytes(b"\x89PNG\r\n")
    (christmas / "docs" / "incidents").mkdir(parents=True, exist_ok=True)
    (christmas / "docs" / "incidents" / name).write_bytes(b"\x89PNG\r\n")
    with pytest.raises(Abort):
        build_site(christmas)
    ours = [r.getMessage() for r in caplog.records if r.name == "mkdocs.plugins.incident-docs"]
    assert any("(incidents/##\\u005bgroup]x.png)" in line for line in ours), ours
    assert not [line for line in ours if "##[" in line]


def test_one_setting_decides_whether_a_lint_warning_fails_the_build(
    christmas: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = christmas / "postmortems" / f"PM-{CHRISTMAS}.md"
    text = path.read_text(encoding="utf-8").replace(
        "## Detection\n", "## Detection\n\n<!-- incident-docs disable-next-line BL004 -->\n", 1
    )
    path.write_text(text, encoding="utf-8")
    with pytest.raises(Abort):  # fail-on = "warning", the default: strict or not
        build_site(christmas, strict=False)
    assert "SP001" in caplog.text
    pyproject = christmas / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + '\n[tool.incident-docs.lint]\nfail-on = "error"\n')
    caplog.clear()
    caplog.set_level(logging.INFO, logger="mkdocs.plugins.incident-docs")
    build_site(christmas, strict=True)  # a warning that does not fail is information
    assert any("SP001" in r.getMessage() and r.levelname == "INFO" for r in caplog.records)


def test_lint_can_be_turned_off(christmas: Path) -> None:
    # What lint finds no longer fails the build; a record that cannot be published still does
    # (see test_a_record_that_does_not_read_is_a_warning_that_fails_a_strict_build).
    path = christmas / "postmortems" / f"PM-{CHRISTMAS}.md"
    path.write_text(path.read_text().replace("severity: SEV2", "severity: SEV9"), encoding="utf-8")
    site = build_site(christmas, lint=False)
    assert (site / INC_URL / "index.html").exists() and (site / PM_URL / "index.html").exists()


def test_hostile_record_runs_no_script(christmas: Path) -> None:
    (christmas / "incidents" / "INC-2024-01-02-hostile-title.md").write_text(HOSTILE_INCIDENT)
    site = build_site(christmas)
    record = page(site, "incidents/INC-2024-01-02-hostile-title")
    assert "&lt;script&gt;alert(&#x27;title&#x27;)" in record  # shown as text in <title>
    for html_file in site.rglob("*.html"):
        assert active_content(html_file.read_text(encoding="utf-8")) == [], html_file
    assert "click me" in record and "hover" in record  # the text survives, the handlers do not
    for entry in search_entries(site):
        if entry["location"].startswith("site/"):
            continue  # the user guide quotes these attacks in code spans
        assert "<script" not in entry["title"] and "<script" not in entry["text"]
        assert "onerror=" not in entry["text"].replace("&lt;img src=x onerror=", "")


def test_hostile_tag_is_a_lint_error_not_markup(
    christmas: Path, caplog: pytest.LogCaptureFixture
) -> None:
    hostile = HOSTILE_INCIDENT.replace("tags: [config]", 'tags: ["<script>x</script>"]')
    (christmas / "incidents" / "INC-2024-01-02-hostile-title.md").write_text(hostile)
    message = build_error(christmas, caplog)
    assert "incidents/INC-2024-01-02-hostile-title.md:10:" in message


def test_sanitiser_keeps_prose_and_drops_active_content() -> None:
    html = (
        '<h2 id="timeline">Timeline</h2><table><tr><td><code>x</code></td></tr></table>'
        '<a href="https://example.com/a">ok</a><a href="javascript:alert(1)">bad</a>'
        '<img src="graph.png" onerror="alert(1)" alt="graph"><p id="__config" onclick="x()">p</p>'
        "<script>alert(1)</script><style>body{}</style>"
    )
    clean = clean_html(html)
    assert '<h2 id="timeline">' in clean and "<code>x</code>" in clean and "<td>" in clean
    assert 'href="https://example.com/a"' in clean and '<img src="graph.png" alt="graph">' in clean
    assert "javascript" not in clean and "onerror" not in clean and "onclick" not in clean
    assert "__config" not in clean and "<script" not in clean and "<style" not in clean


def test_sanitiser_drops_the_themes_classes_and_keeps_images_local() -> None:
    html = (
        '<p class="md-consent__overlay note" id="__search">over</p>'
        '<div class="idocs-card idocs-badge--sev1">SEV1</div>'
        '<img src="https://images.example.net/errors.png?a=1&amp;b=2" alt="error rate">'
        '<img src="//cdn.example.net/x.png"><img src="/\\evil.example/y.png" alt="y">'
        '<a href="https://example.com/"><img src="https://example.com/logo.png" alt="logo"></a>'
        '<img src="img/errors.png" alt="local">'
        '<img src="/&#9;/tab.example/t.png" alt="t"><img src="/\n/nl.example/n.png" alt="n">'
    )
    clean = clean_html(html)
    assert "tab.example" in clean and "nl.example" in clean
    assert '<p class="note">over</p>' in clean and "<div>SEV1</div>" in clean
    assert clean.count("<img") == 1 and '<img src="img/errors.png" alt="local">' in clean
    assert (
        '<a href="https://images.example.net/errors.png?a=1&amp;b=2" rel="noopener noreferrer">'
        "error rate</a>" in clean
    )
    assert (
        '<a href="//cdn.example.net/x.png" rel="noopener noreferrer">//cdn.example.net/x.png</a>'
        in clean
    )
    assert '<a href="/\\evil.example/y.png" rel="noopener noreferrer">y</a>' in clean
    assert 'rel="noopener noreferrer">logo</a>' in clean  # no link inside the link


def test_a_record_cannot_lay_a_link_over_the_page_or_load_from_another_host(
    christmas: Path,
) -> None:
    path = christmas / "incidents" / f"INC-{CHRISTMAS}.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "## Timeline\n",
            "See the [status page](https://status.example.net/){: .md-consent__overlay }.\n\n"
            "![error rate](https://images.example.net/errors.png)\n\n"
            '<div class="idocs-card">SEV1 (forged)</div>\n\n## Timeline\n',
            1,
        ),
        encoding="utf-8",
    )
    record = page(build_site(christmas), INC_URL)
    assert "md-consent__overlay" not in record and "images.example.net/errors.png" in record
    assert 'src="https://images.example.net' not in record
    assert "<div>SEV1 (forged)</div>" in record  # no card's look
    assert len(re.findall(r'class="idocs-card[ "]', record)) == 1  # the header card's


def test_hand_written_index_clash_is_reported_and_kept(christmas: Path) -> None:
    write_site_config(christmas)
    (christmas / "docs" / "index.md").write_text("# Our own home\n\nHand-written.\n")
    with pytest.raises(Abort):
        build_site(christmas, strict=True)
    site = build_site(christmas, strict=False)
    assert "Hand-written." in (site / "index.html").read_text(encoding="utf-8")


def test_a_readme_beside_the_records_does_not_break_a_strict_build(
    christmas: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (christmas / "incidents" / "README.md").write_text("# About incidents\n")
    caplog.set_level(logging.INFO, logger="mkdocs.plugins.incident-docs")
    site = build_site(christmas, strict=True)
    assert any(
        "incidents/README.md is not published" in r.getMessage() and r.levelname == "INFO"
        for r in caplog.records
    )
    assert "Corrupt web image" in page(site, "incidents")  # the generated list is kept


def test_guides_section_lists_the_docs_pages_present(christmas: Path) -> None:
    write_site_config(christmas)
    (christmas / "docs" / "running-incidents.md").write_text("# Running an incident\n")
    (christmas / "docs" / "blameless.md").write_text("# Blameless postmortems\n")
    html = (build_site(christmas) / "index.html").read_text(encoding="utf-8")
    nav = html[html.index("md-nav--primary") :]
    assert "Guides" in nav
    assert nav.index("Running an incident") < nav.index("Blameless postmortems")


def test_attachments_are_published_beside_records(christmas: Path) -> None:
    (christmas / "postmortems" / "img").mkdir()
    (christmas / "postmortems" / "img" / "errors.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    path = christmas / "postmortems" / f"PM-{CHRISTMAS}.md"
    path.write_text(
        path.read_text().replace(
            "## Detection\n", "## Detection\n\n![Error rate](img/errors.png)\n"
        )
    )
    site = build_site(christmas)  # strict: the image link must resolve
    assert (site / "postmortems" / "img" / "errors.png").exists()
    assert 'src="../img/errors.png"' in page(site, PM_URL)


def test_bad_today_option_is_a_clear_error(
    christmas: Path, caplog: pytest.LogCaptureFixture
) -> None:
    message = build_error(christmas, caplog, today="31/12/2023")
    assert "today: '31/12/2023' is not a date" in message


def test_today_may_be_written_as_yaml_reads_a_date(christmas: Path) -> None:
    written = page(build_site(christmas, today=date(2023, 4, 1)), "action-items")
    assert written == page(build_site(christmas, today="2023-04-01"), "action-items")
    assert written != page(build_site(christmas, today="2023-01-01"), "action-items")


def test_serve_watches_the_record_folders(christmas: Path) -> None:
    plugin = IncidentDocsPlugin()
    plugin.load_config({"today": TODAY})
    config = SimpleNamespace(config_file_path=str(christmas / "mkdocs.yml"), nav=None, extra_css=[],
                             plugins={})  # fmt: skip
    plugin._configure(config)  # type: ignore[arg-type]
    watched: list[str] = []
    server = SimpleNamespace(watch=watched.append)
    plugin.on_serve(server, config=config, builder=None)  # type: ignore[arg-type]
    assert str(christmas / "incidents") in watched and str(christmas / "postmortems") in watched


def test_serve_watches_the_blameless_examples_and_model_files(christmas: Path) -> None:
    with (christmas / "pyproject.toml").open("a") as handle:
        handle.write('\n[tool.incident-docs.blameless]\nexamples = "ex.tsv"\n')
    (christmas / "ex.tsv").write_text("text\tlabel\nThe disk filled.\tblameless\n")
    model = christmas / ".incident-docs" / "blameless-model.json.gz"
    model.parent.mkdir()
    model.write_bytes(b"")  # what it holds is lint's business; a change to it rebuilds
    plugin = IncidentDocsPlugin()
    plugin.load_config({"today": TODAY})
    config = SimpleNamespace(config_file_path=str(christmas / "mkdocs.yml"), nav=None, extra_css=[],
                             plugins={})  # fmt: skip
    plugin._configure(config)  # type: ignore[arg-type]
    watched: list[str] = []
    plugin.on_serve(SimpleNamespace(watch=watched.append), config=config, builder=None)  # type: ignore[arg-type]
    assert str(christmas / "ex.tsv") in watched and str(model) in watched


def test_stage_builds_with_plain_mkdocs(christmas: Path, run_cli: RunCli, tmp_path: Path) -> None:
    (christmas / "incidents" / "INC-2024-01-02-hostile-title.md").write_text(HOSTILE_INCIDENT)
    out = tmp_path / "staged"
    result = run_cli(christmas, "site", "stage", str(out), "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert f"staged {len(record_files(christmas))} records" in result.stderr
    assert result.stdout == ""
    settings = yaml.safe_load((out / "mkdocs.yml").read_text())
    assert settings["plugins"] == ["search"]
    settings["site_dir"] = str(tmp_path / "staged-site")
    (out / "mkdocs.yml").write_text(yaml.safe_dump(settings))
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    build(load_config(config_file=str(out / "mkdocs.yml"), strict=True))
    site = tmp_path / "staged-site"
    pm = (site / PM_URL / "index.html").read_text(encoding="utf-8")
    assert "idocs-card" in pm and "Time (UTC)" in pm and "2h 13m" in pm
    for html_file in site.rglob("*.html"):
        assert active_content(html_file.read_text(encoding="utf-8")) == [], html_file
    again = run_cli(christmas, "site", "stage", str(out), "--today", TODAY)
    assert again.exit_code == 0  # a staged folder may be staged again


def _append_to_postmortem(root: Path, markdown: str) -> int:
    """Append Markdown to the example postmortem; the line its first line lands on."""
    path = root / "postmortems" / f"PM-{CHRISTMAS}.md"
    text = path.read_text(encoding="utf-8").rstrip("\n") + "\n\n"
    path.write_text(text + markdown, encoding="utf-8")
    return text.count("\n") + 1


@pytest.mark.parametrize(
    ("markdown", "what"),
    [
        # Python-Markdown recurses once per emphasis marker and per level of nesting.
        ("*" * 3000 + "x" + "*" * 3000 + "\n", "a run of 3,000 '*'"),
        ("".join("  " * level + "- item\n" for level in range(200)), "a list item nested"),
        ("- " * 500 + "x\n", "500 list markers on one line"),
        # Indented under an admonition is prose to Python-Markdown, not an indented code block.
        ("!!! note\n\n    " + "_" * 3000 + "x" + "_" * 3000 + "\n", "a run of 3,000 '_'"),
        # The search index's parser slows with the square of the nesting.
        ("<div>\n\n" * 300 + "x\n", "more than 256 HTML elements open at once"),
    ],
)
def test_markup_too_deep_to_render_fails_the_build_naming_file_and_line(
    christmas: Path, caplog: pytest.LogCaptureFixture, markdown: str, what: str
) -> None:
    line = _append_to_postmortem(christmas, markdown)
    message = build_error(christmas, caplog, lint=False)
    assert what in message
    found = re.search(rf"postmortems/PM-{CHRISTMAS}\.md:(\d+): ", message)
    assert found is not None and int(found.group(1)) >= line
    assert "Traceback" not in caplog.text


def test_markup_too_deep_to_render_stops_staging_with_a_one_line_error(
    christmas: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    line = _append_to_postmortem(christmas, "[" * 400 + "link" + "](x)" * 400 + "\n")
    result = run_cli(christmas, "site", "stage", str(tmp_path / "staged"))
    assert result.exit_code == 2
    assert f"postmortems/PM-{CHRISTMAS}.md:{line}: more than 256 '[' open at once" in result.output
    assert not (tmp_path / "staged").exists()


def test_long_runs_in_code_rules_and_html_are_rendered(christmas: Path) -> None:
    _append_to_postmortem(
        christmas,
        "```\n" + "*" * 3000 + "\n```\n\n" + "*" * 400 + "\n\n<pre>\n" + "<" * 400 + "\n</pre>\n\n"
        "A cell | " + "`" * 400 + "\n\n<table><tr>" + "<td>cell" * 400 + "</table>\n\n"
        # A fenced block inside a quote is code too.
        "> Quoted:\n>\n> ```\n> " + "*" * 3000 + "\n> ```\n",
    )
    build_site(christmas, lint=False)


def test_stage_refuses_a_foreign_folder(christmas: Path, run_cli: RunCli, tmp_path: Path) -> None:
    target = tmp_path / "precious"
    target.mkdir()
    (target / "notes.txt").write_text("keep me")
    result = run_cli(christmas, "site", "stage", str(target))
    assert result.exit_code == 2
    assert "not empty" in result.output
    assert (target / "notes.txt").read_text() == "keep me"


def test_repository_mkdocs_yml_uses_the_plugin_without_cdn() -> None:
    settings = site_settings(REPO / "mkdocs.yml")
    assert settings["theme"]["font"] is False
    assert "search" in settings["plugins"]
    assert any(isinstance(p, dict) and "incident-docs" in p for p in settings["plugins"])
    assert json.dumps(settings).count("cdn") == 0


@pytest.mark.slow
def test_pagefind_search_replaces_material_search(christmas: Path) -> None:
    site = build_site(christmas, search="pagefind")
    assert (site / "pagefind" / "pagefind-ui.js").exists()
    assert not (site / "search" / "search_index.json").exists()
    search = page(site, "search")
    assert 'src="../pagefind/pagefind-ui.js"' in search
    assert "data-pagefind-body" in page(site, PM_URL)
    assert 'class="idocs-header-search"' in page(site, PM_URL)


@pytest.mark.slow
def test_pagefind_puts_its_search_box_on_the_not_found_page(christmas: Path) -> None:
    # MkDocs writes 404.html as a template, not a page: it had no search box at all. It is
    # served at any missing address, so the box leads to the search page from the site's root.
    site = build_site(christmas, search="pagefind", site_url="https://example.com/archive/")
    not_found = (site / "404.html").read_text(encoding="utf-8")
    assert '<form class="idocs-header-search" action="/archive/search/"' in not_found
    assert not_found.count('class="idocs-header-search"') == 1


def test_every_page_names_the_search_dialog(christmas: Path) -> None:
    # Screen readers announced Material's search as "dialog" on the "not found" page, which
    # MkDocs writes from its template, not as a page.
    site = build_site(christmas)
    unnamed = [
        str(path.relative_to(site))
        for path in sorted(site.rglob("*.html"))
        if SEARCH_DIALOG in path.read_text(encoding="utf-8")
    ]
    assert unnamed == []
    assert 'role="dialog" aria-label="Search">' in (site / "404.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_pagefind_search_page_need_not_be_in_a_hand_written_nav(christmas: Path) -> None:
    # The header's box leads to it from every page; a nav listing every page but it failed
    # `--strict` ("search.md" exists but is not included in the "nav").
    config_file = write_site_config(christmas, search="pagefind")
    settings = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    generated = ["incidents/index.md", "postmortems/index.md", "action-items.md", "metrics.md"]
    settings["nav"] = ["index.md", *generated, "browse/index.md", "site.md"]
    config_file.write_text(yaml.safe_dump(settings), encoding="utf-8")
    build(load_mkdocs_config(config_file=str(config_file), strict=True))
    assert "idocs-search" in page(christmas / "site", "search")


@pytest.mark.slow
def test_pagefind_results_read_as_the_page_without_its_permalinks(christmas: Path) -> None:
    indexed = pagefind_pages(build_site(christmas, search="pagefind"))
    record = indexed[f"/{PM_URL}/"]
    # The heading's permalink ("¶") was part of the title, every section and the excerpt.
    assert record["meta"]["title"] == "Postmortem: corrupt web image crash-looped the front-end VMs"
    assert all("¶" not in anchor["text"] for anchor in record["anchors"])
    assert "¶" not in record["content"]
    assert all("¶" not in found["content"] for found in indexed.values())


@pytest.mark.slow
def test_pagefind_leaves_out_the_labels_of_the_picture_and_the_timeline_table(
    christmas: Path,
) -> None:
    indexed = pagefind_pages(build_site(christmas, search="pagefind"))
    content = indexed[f"/{INC_URL}/"]["content"]
    # The picture's words every record repeats; the table's header ran together.
    assert "not yet detected" not in content and "responding:" not in content
    assert "KindBy" not in content and "What happened" not in content
    assert "Scheduled deploy of web-frontend 4.18.0 started." in content  # the entries stay
    # What was done, in the picture's words: the table says "scale-up", "redirect-traffic".
    assert "capacity added" in content and "traffic redirected" in content


def test_every_record_page_has_its_picture_above_the_timeline(christmas: Path) -> None:
    site = build_site(christmas)
    for url in (PM_URL, INC_URL):
        html = page(site, url)
        assert html.index('<figure class="idocs-picture"') < html.index('class="idocs-timeline"')
        assert "<figcaption" in html


def test_a_record_that_does_not_read_is_a_warning_that_fails_a_strict_build(
    christmas: Path, caplog: pytest.LogCaptureFixture, run_cli: RunCli, tmp_path: Path
) -> None:
    # Without lint (or with its FM rules ignored) the record was left off the site in silence.
    path = christmas / "postmortems" / f"PM-{CHRISTMAS}.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^title: .*$", "title: [unclosed", text, count=1))
    line = next(n for n, row in enumerate(path.read_text().splitlines(), 1) if "[unclosed" in row)
    with pytest.raises(Abort):
        build_site(christmas, lint=False)
    warned = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any(f"postmortems/PM-{CHRISTMAS}.md:{line}: FM002" in w for w in warned), warned
    site = build_site(christmas, strict=False, lint=False)
    assert not (site / PM_URL).exists() and (site / "incidents").is_dir()

    staged = run_cli(christmas, "site", "stage", str(tmp_path / "staged"), "--today", TODAY)
    assert staged.exit_code == 1, staged.output
    assert f"postmortems/PM-{CHRISTMAS}.md:{line}: FM002" in staged.stderr
    assert "(not staged)" in staged.stderr


def test_a_records_folder_leading_out_of_the_repository_is_not_published(
    christmas: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    (christmas / "incidents").rename(outside)
    (outside / "secret.log").write_text("SECRET-TOKEN")
    (christmas / "incidents").symlink_to(outside, target_is_directory=True)
    site = build_site(christmas, strict=False, lint=False)
    assert not list(site.rglob("secret.log"))
    assert not list((site / "incidents").glob("INC-*"))
    with pytest.raises(Abort):  # said, lint or not: a whole folder does not go missing quietly
        build_site(christmas, lint=False)
    staged = run_cli(christmas, "site", "stage", str(tmp_path / "staged"), "--today", TODAY)
    assert not list((tmp_path / "staged").rglob("secret.log")), staged.output
    assert staged.exit_code == 1 and "incidents:1: IO005" in staged.stderr
    assert "IO005" in run_cli(christmas, "lint").output


def test_a_folder_introduction_linked_out_of_the_repository_is_not_published(
    christmas: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text("# Secret\n\nouter secret text\n")
    (christmas / "incidents" / "sub").mkdir()
    (christmas / "incidents" / "sub" / "index.md").symlink_to(secret)
    site = build_site(christmas, strict=False, lint=False)
    assert not [p for p in site.rglob("*.html") if "outer secret text" in p.read_text()]
    assert "incidents/sub/index.md:1:1: IO005" in run_cli(christmas, "lint").stdout


def test_a_folder_in_a_records_folder_linked_out_is_a_warning_lint_or_not(
    christmas: Path, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.log").write_text("SECRET")
    (christmas / "incidents" / "2024").symlink_to(outside, target_is_directory=True)
    with pytest.raises(Abort):
        build_site(christmas, lint=False)
    warned = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any("incidents/2024:1: IO005" in w for w in warned), warned


def test_a_linked_folder_lint_is_told_to_ignore_is_left_out_without_a_warning(
    christmas: Path, tmp_path: Path
) -> None:
    (christmas / "incidents" / "vendor").symlink_to(tmp_path, target_is_directory=True)
    pyproject = christmas / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text()
        + '\n[tool.incident-docs.lint.per-file-ignores]\n"incidents/vendor" = ["IO005"]\n'
    )
    build_site(christmas, lint=False)  # strict: no warning, as lint says nothing


def test_a_note_lint_is_told_to_ignore_is_left_out_without_a_warning(christmas: Path) -> None:
    (christmas / "incidents" / "notes.md").write_text("just notes\n")
    pyproject = christmas / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text()
        + '\n[tool.incident-docs.lint.per-file-ignores]\n"incidents/notes.md" = ["FM001"]\n'
    )
    build_site(christmas, lint=False)  # strict: no warning


def test_tags_that_differ_only_by_a_trailing_dot_or_dash_each_have_their_own_page(
    christmas: Path,
) -> None:
    # Valid labels all: "tls." and "tls-" once shared the page of "tls", and "index" the list
    # of all tags; a strict build stopped on it.
    incident = christmas / "incidents" / f"INC-{CHRISTMAS}.md"
    other = incident.with_name("INC-2022-12-26-cert-expiry.md")
    text = incident.read_text(encoding="utf-8")
    incident.write_text(re.sub(r"(?m)^tags: .*$", 'tags: ["tls.", "tls-", index]', text, count=1))
    other.write_text(
        re.sub(r"(?m)^tags: .*$", "tags: [tls, tls-05eb34d73a]", text, count=1).replace(
            f"INC-{CHRISTMAS}", "INC-2022-12-26-cert-expiry"
        )
    )
    site = build_site(christmas)
    titled = {}
    for found in site.glob("browse/tag/*/index.html"):
        html = found.read_text(encoding="utf-8")
        title = re.search(r"<h1[^>]*>Tag: ([^<]*)", html)
        assert title is not None, found
        titled[title.group(1).strip()] = html
    # "tls-05eb34d73a" is a label too, shaped like the page name "tls." once had.
    assert {"tls", "tls.", "tls-", "index", "tls-05eb34d73a"} <= set(titled)
    for tag in ("tls.", "tls-", "index"):
        assert f"INC-{CHRISTMAS}" in titled[tag]
    assert f"INC-{CHRISTMAS}" not in titled["tls"]


def test_a_staged_title_keeps_an_emoji(christmas: Path, run_cli: RunCli, tmp_path: Path) -> None:
    # JSON wrote it as two UTF-16 halves, which YAML cannot read back: the page lost its title.
    incident = christmas / "incidents" / f"INC-{CHRISTMAS}.md"
    text = incident.read_text(encoding="utf-8")
    # U+FFFE only as a YAML escape: YAML cannot hold it as it is.
    for title, written in (
        ("Crash loop 🔥 at noon", '"Crash loop 🔥 at noon"'),
        ("Crash loop \ufffe at noon", '"Crash loop \\ufffe at noon"'),
    ):
        start = text.index("\ntitle: ") + 1
        end = text.index("\n", start)
        incident.write_text(f"{text[:start]}title: {written}{text[end:]}")
        out = tmp_path / "staged"
        assert run_cli(christmas, "site", "stage", str(out), "--today", TODAY).exit_code == 0
        staged = (out / "docs" / f"{INC_URL}.md").read_text(encoding="utf-8")
        front = yaml.safe_load(staged.split("---\n")[1])
        assert front["title"] == title


def test_each_configured_severity_has_a_colour_of_its_own() -> None:
    default = ("SEV1", "SEV2", "SEV3", "SEV4")
    assert severity_colours(default) == {name: f"var(--idocs-{name.lower()})" for name in default}
    for names in (
        ("SEV0", "SEV1", "SEV2", "SEV3", "SEV4", "Security"),
        ("Critical", "Major", "Minor"),
        ("P1", "P2"),
    ):
        colours = severity_colours(names)
        assert len(set(colours.values())) == len(names), colours
        assert colours[names[0]] == "var(--idocs-sev1)"  # the most severe is red
        assert colours[names[-1]] == "var(--idocs-sev4)"  # the least is grey
    css = severity_css(("Critical", "v1.2"))
    assert ".idocs-fill--critical { fill: var(--idocs-sev1); }" in css
    # The levels renamed P1 to P5, older records kept as SEV1 to SEV4: only three colours were
    # left for the four of them, and SEV1 was the same blue as SEV4 stacked on it.
    configured = ("P1", "P2", "P3", "P4", "P5")
    kept = unconfigured_colours(configured, ("SEV1", "SEV2", "SEV3", "SEV4"))
    assert len(set(kept.values())) == 4, kept
    assert not set(kept.values()) & set(severity_colours(configured).values())
    assert ".md-typeset .idocs-sev--v1\\.2 {" in css


def test_the_built_stylesheet_colours_the_configured_severities(
    christmas: Path, run_cli: RunCli
) -> None:
    (christmas / "pyproject.toml").write_text(
        '[[tool.incident-docs.severities]]\nname = "Critical"\ndescription = "Down."\n'
        '\n[[tool.incident-docs.severities]]\nname = "Minor"\ndescription = "Slow."\n'
    )
    out = christmas / "staged"
    assert run_cli(christmas, "site", "stage", str(out)).exit_code == 0
    css = (out / "docs" / "assets" / "incident-docs" / "incident-docs.css").read_text()
    assert ".idocs-fill--critical { fill: var(--idocs-sev1); }" in css
    assert ".idocs-fill--minor { fill: var(--idocs-sev4); }" in css


def test_records_of_a_renamed_severity_are_told_apart_from_the_new_names(
    christmas: Path, run_cli: RunCli
) -> None:
    # Levels renamed P1 to P3, the old records kept as SEV2: a SEV2 bar of the metrics chart
    # was the same orange as a P2 bar stacked on it, and SEV1 the same red as P1.
    (christmas / "pyproject.toml").write_text(
        "".join(
            f'[[tool.incident-docs.severities]]\nname = "P{level}"\ndescription = "x"\n\n'
            for level in (1, 2, 3)
        )
    )
    out = christmas / "staged"
    assert run_cli(christmas, "site", "stage", str(out)).exit_code == 0
    css = (out / "docs" / "assets" / "incident-docs" / "incident-docs.css").read_text()

    def fill(name: str) -> str:  # the rule that comes last wins
        fills: list[str] = re.findall(rf"\.idocs-fill--{name} {{ fill: ([^;]+); }}", css)
        return fills[-1]

    assert fill("sev2") not in (fill("p1"), fill("p2"), fill("p3"))


def test_an_internal_entry_is_marked_in_the_timeline_table(christmas: Path) -> None:
    incident = christmas / "incidents" / f"INC-{CHRISTMAS}.md"
    incident.write_text(
        incident.read_text().replace(
            "2022-12-25T12:38:00Z **note** by sam:",
            "2022-12-25T12:38:00Z **note** by sam, internal:",
        )
    )
    html = page(build_site(christmas), INC_URL)
    table = re.search(r'<table class="idocs-timeline">.*?</table>', html, re.DOTALL)
    assert table is not None
    rows = [row for row in re.split(r"<tr[ >]", table.group(0)) if "idocs-internal" in row]
    assert len(rows) == 1 and "Error-rate alert" in rows[0]


def test_a_postmortem_of_two_incidents_draws_no_one_line_of_command(christmas: Path) -> None:
    settings = Settings(date(2023, 1, 10), True, "material")

    def picture() -> str:
        config = load_config(christmas)
        archive = load_site_archive(christmas, config, load_roster(christmas, config))
        return decoration(archive, archive.by_id[f"PM-{CHRISTMAS}"], settings).picture

    assert "Incident Commander" in picture()
    cover_a_second_incident(christmas)
    drawn = picture()
    assert drawn and "Incident Commander" not in drawn


def test_pagefind_indexes_what_the_card_says_of_the_record_alone(christmas: Path) -> None:
    config = load_config(christmas)
    archive = load_site_archive(christmas, config, load_roster(christmas, config))
    facts = search_facts(archive.by_id[f"PM-{CHRISTMAS}"])
    # Action items' titles, owners and trackers (an issue's ID is in its address), people.
    assert "OPS-812" in facts and "Alert on VM restart loops" in facts and "priya" in facts
    # Not the labels and descriptions every card repeats.
    assert "Data lost" not in facts and "Critical" not in facts
    incident = search_facts(archive.by_id[f"INC-{CHRISTMAS}"])
    assert "The web shop returned errors" in incident and "dana" in incident


def test_search_indexes_no_outside_responder_the_card_does_not_name(christmas: Path) -> None:
    """`outside_responders` only tells lint who is not in the roster on purpose: the card names
    people by their roles and handoffs, and search named one the page did not show."""
    incident = christmas / "incidents" / f"INC-{CHRISTMAS}.md"
    text = incident.read_text(encoding="utf-8")
    incident.write_text(
        text.replace("roles:\n", "outside_responders: [vendor-kim]\nroles:\n", 1),
        encoding="utf-8",
    )
    config = load_config(christmas)
    archive = load_site_archive(christmas, config, load_roster(christmas, config))
    record = archive.by_id[f"INC-{CHRISTMAS}"]
    assert isinstance(record.record, Incident)
    assert record.record.outside_responders == ("vendor-kim",)
    settings = Settings(date(2023, 1, 10), True, "pagefind")
    assert "vendor-kim" not in decoration(archive, record, settings).card
    assert "vendor-kim" not in search_facts(record)


def test_a_postmortem_card_asks_the_approvals_of_its_incidents_severity(
    christmas: Path,
) -> None:
    # As lint and the review gate count them: the SEV1 incident's two, not its SEV2 one.
    incident = christmas / "incidents" / f"INC-{CHRISTMAS}.md"
    incident.write_text(incident.read_text().replace("severity: SEV2", "severity: SEV1", 1))
    config = load_config(christmas)
    archive = load_site_archive(christmas, config, load_roster(christmas, config))
    settings = Settings(date(2023, 1, 10), True, "material")
    card = decoration(archive, archive.by_id[f"PM-{CHRISTMAS}"], settings).card
    assert "(1 of 2 needed)" in card


def test_pagefind_indexes_the_teams_the_card_finds_from_services(christmas: Path) -> None:
    # The postmortem has no `teams:`; its card names the team owning its services, and
    # Pagefind indexed only the field.
    config = load_config(christmas)
    archive = load_site_archive(christmas, config, load_roster(christmas, config))
    settings = Settings(date(2023, 1, 10), True, "pagefind")
    record = archive.by_id[f"PM-{CHRISTMAS}"]
    assert isinstance(record.record, Postmortem) and not record.record.teams
    teams = decoration(archive, record, settings).teams
    assert "platform" in teams
    assert "platform" in search_facts(record, teams).split(" · ")
    assert decoration(archive, archive.by_id[f"INC-{CHRISTMAS}"], settings).teams == ()


def _fake_pagefind(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, script: str) -> None:
    binary = tmp_path / "pagefind"
    binary.write_text("#!/bin/sh\n" + script + "\n", encoding="utf-8")
    binary.chmod(0o755)
    monkeypatch.setattr(pagefind, "executable", lambda: binary)


@pytest.mark.parametrize(
    ("script", "said"),
    [
        ('echo "Error: no space left" >&2; exit 3', "(exit code 3):\nError: no space left"),
        ("kill -SEGV $$", "(killed by SIGSEGV)"),
    ],
)
def test_a_failing_pagefind_says_how_it_ended(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, script: str, said: str
) -> None:
    # A binary that crashed printed nothing: the error ended at "Pagefind failed:".
    _fake_pagefind(monkeypatch, tmp_path, script)
    with pytest.raises(PluginError) as failed:
        pagefind.index(tmp_path)
    assert said in str(failed.value)
    assert not str(failed.value).endswith(":")  # nothing after it: no colon to say so


def test_a_pagefind_that_does_not_finish_fails_the_build(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # subprocess.TimeoutExpired went up as a traceback.
    _fake_pagefind(monkeypatch, tmp_path, "exec sleep 5")
    monkeypatch.setattr(pagefind, "TIMEOUT", 0.2)
    with pytest.raises(PluginError, match="did not finish"):
        pagefind.index(tmp_path)


def test_a_pagefind_wrapper_that_does_not_finish_leaves_nothing_running(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A wrapper script (npm's `pagefind` is one): the binary it starts went on writing into the
    # site after the build had failed.
    started = tmp_path / "started"
    _fake_pagefind(monkeypatch, tmp_path, f"sleep 30 & echo $! > {started}; wait")
    monkeypatch.setattr(pagefind, "TIMEOUT", 0.5)
    with pytest.raises(PluginError, match="did not finish"):
        pagefind.index(tmp_path)
    child = Path(f"/proc/{int(started.read_text())}/status")
    time.sleep(0.2)
    # Gone, or dead and waiting to be reaped (a zombie of whatever adopted it).
    assert not child.exists() or "\nState:\tZ" in child.read_text()


def test_a_hostile_severity_beside_a_search_result_is_text(christmas: Path) -> None:
    # The title of a search result is HTML to the theme: the severity labels it as text.
    path = christmas / "postmortems" / f"PM-{CHRISTMAS}.md"
    hostile = "severity: \"<img src=x onerror=alert('sev')>\""
    path.write_text(path.read_text().replace("severity: SEV2", hostile), encoding="utf-8")
    site = build_site(christmas, lint=False)
    titles = [e["title"] for e in search_entries(site) if e["location"] == f"{PM_URL}/"]
    assert titles and "<img" not in titles[0]
    assert "(&lt;img src=x onerror=alert(&#x27;sev&#x27;)&gt; · 2022-12-25)" in titles[0]


def test_a_record_file_name_cannot_break_out_of_the_edit_link(christmas: Path) -> None:
    # The theme writes the edit address into the page unescaped: the name is percent-encoded.
    record = christmas / "incidents" / f"INC-{CHRISTMAS}.md"
    name = 'x" onmouseover="alert(1)" y=" <b>.md'
    text = record.read_text(encoding="utf-8").replace(f"INC-{CHRISTMAS}", "INC-2023-01-01-name")
    (christmas / "incidents" / name).write_text(text, encoding="utf-8")
    site = build_site(christmas, lint=False)
    html = (site / "incidents" / name.removesuffix(".md") / "index.html").read_text()
    assert active_content(html) == []
    edit = "https://github.com/example/incident-docs/edit/main/incidents/"
    assert f'href="{edit}x%22%20onmouseover%3D%22alert%281%29%22%20y%3D%22%20%3Cb%3E.md"' in html


def test_a_tag_written_twice_lists_and_counts_its_record_once(christmas: Path) -> None:
    incident = christmas / "incidents" / f"INC-{CHRISTMAS}.md"
    text = incident.read_text(encoding="utf-8")
    incident.write_text(re.sub(r"(?m)^tags: .*$", "tags: [tls, tls]", text, count=1))
    site = build_site(christmas, lint=False)  # lint warns of it (FM012), which stops a build
    assert page(site, "browse/tag/tls").count(f'<span class="idocs-id">INC-{CHRISTMAS}<') == 1
    row = re.search(r"<tr><td><a [^>]*>tls</a></td><td>(\d+)</td>", page(site, "browse/tag"))
    assert row is not None and row.group(1) == "1"


def test_severities_written_in_other_cases_share_one_page_without_a_clash(
    christmas: Path,
) -> None:
    # "sev2" (a typo lint reports) and "SEV2" both have the page browse/severity/sev2/: the
    # strict build stopped on a clash between two generated pages of the same name.
    path = christmas / "postmortems" / f"PM-{CHRISTMAS}.md"
    path.write_text(path.read_text().replace("severity: SEV2", "severity: sev2"), encoding="utf-8")
    site = build_site(christmas, lint=False)
    listed = page(site, "browse/severity/sev2")
    assert "Severity: SEV2" in listed
    assert f"INC-{CHRISTMAS}<" in listed and f"PM-{CHRISTMAS}<" in listed


def test_a_record_whose_file_name_holds_a_hash_is_linked_at_its_page(christmas: Path) -> None:
    # Unencoded, "#" began the link's fragment and "?" its query: the lists led elsewhere.
    record = christmas / "incidents" / f"INC-{CHRISTMAS}.md"
    name = "INC-2023-01-01-a#b?c%d e"
    text = record.read_text(encoding="utf-8").replace(f"INC-{CHRISTMAS}", "INC-2023-01-01-name")
    (christmas / "incidents" / f"{name}.md").write_text(text, encoding="utf-8")
    site = build_site(christmas, lint=False)
    assert (site / "incidents" / name / "index.html").is_file()
    assert 'href="INC-2023-01-01-a%23b%3Fc%25d%20e/"' in page(site, "incidents")


def _postmortem_page_opening_its_summary_with(christmas: Path, markdown: str) -> str:
    """The Christmas postmortem's page, built with `markdown` as the first block of its
    Summary."""
    path = christmas / "postmortems" / f"PM-{CHRISTMAS}.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("## Summary\n\n", f"## Summary\n\n{markdown}\n\n", 1), encoding="utf-8"
    )
    return page(build_site(christmas), PM_URL)


@pytest.mark.parametrize("tag", ["<script>", "<style>", "<title>", "<textarea>", "<iframe>"])
def test_a_tag_named_in_prose_is_text_and_keeps_the_rest_of_the_record(
    christmas: Path, tag: str
) -> None:
    # The parser reads everything after such a tag as its content: the rest of the record,
    # Timeline and all, was dropped or shown as markup.
    record = _postmortem_page_opening_its_summary_with(
        christmas, f"A third-party {tag} tag was slow."
    )
    assert f"A third-party {tag.replace('<', '&lt;').replace('>', '&gt;')} tag was slow." in record
    assert '<h2 id="contributing-factors">' in record and 'class="idocs-timeline"' in record
    assert active_content(record) == []


@pytest.mark.parametrize("placeholder", ["<path>", "<Filter>", "<pattern>", "<pod>", "<my-host>"])
def test_a_placeholder_in_prose_is_shown_and_keeps_the_rest_of_its_paragraph(
    christmas: Path, placeholder: str
) -> None:
    # No HTML element has these names: the sanitiser dropped them, and after one SVG or MathML
    # names (<path>, <filter>, <pattern>) the rest of its paragraph with it.
    record = _postmortem_page_opening_its_summary_with(
        christmas, f"Set {placeholder} in the config, then restart."
    )
    shown = placeholder.replace("<", "&lt;").replace(">", "&gt;")
    assert f"Set {shown} in the config, then restart." in record
    assert active_content(record) == []


def test_a_placeholder_in_a_heading_is_in_the_table_of_contents(christmas: Path) -> None:
    # The table of contents dropped it as a tag, where the heading shows it.
    record = _postmortem_page_opening_its_summary_with(christmas, "### Restart <pod> on `node-1`")
    links = re.findall(r'<a href="#restart[^"]*" class="md-nav__link">(.*?)</a>', record, re.DOTALL)
    assert len(links) == 1
    assert " ".join(re.sub(r"<[^>]*>", " ", links[0]).split()) == "Restart &lt;pod&gt; on node-1"
    assert active_content(record) == []


@pytest.mark.parametrize(
    "placeholder", ["<input_file>", "<table_name>", "<output.path>", "<a:b>", "</source_dir>"]
)
def test_a_placeholder_beginning_with_an_elements_name_is_shown(placeholder: str) -> None:
    # The parser reads a tag's name to a space, "/" or ">": <table_name> is no <table>. Read
    # as one, it was left to the sanitiser, which dropped it.
    clean = clean_html(f"<p>cat {placeholder} then restart.</p>")
    shown = placeholder.replace("<", "&lt;").replace(">", "&gt;")
    assert clean == f"<p>cat {shown} then restart.</p>"


@pytest.mark.parametrize(
    "markup",
    [
        # An icon as Material's emoji extension writes it, a drawing, a formula.
        '<span class="twemoji"><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">'
        '<path d="M21 7 9 19l-5.5-5.5z"/></svg></span>',
        '<svg width="9" height="9"><path d="M0 0L9 9"/><text x="1" y="5">Label</text></svg>',
        "<math><mi>x</mi><mo>=</mo><mn>2</mn></math>",
        "<svg><g><svg><circle r=1 /></svg><filter></filter></g></svg>",
    ],
)
def test_a_drawing_or_formula_is_dropped_not_shown_as_its_markup(markup: str) -> None:
    # Its parts (<path>, <text>, <mi>) are no HTML elements, but they are no placeholders
    # either: they were shown as text, "<path d=…>" in place of the icon.
    clean = clean_html(f"<p>Before {markup} after, set <pod>.</p>")
    assert clean in (
        "<p>Before  after, set &lt;pod&gt;.</p>",
        '<p>Before <span class="twemoji"></span> after, set &lt;pod&gt;.</p>',
    )


def test_an_svg_named_in_prose_leaves_the_placeholders_after_it_shown() -> None:
    clean = clean_html("<p>An <svg> icon: set <path> and <text>, then <svg><path/></svg>.</p>")
    assert clean == "<p>An  icon: set &lt;path&gt; and &lt;text&gt;, then .</p>"


def test_a_severity_with_an_emoji_keeps_its_page_title(christmas: Path) -> None:
    # JSON wrote the emoji as two UTF-16 halves, which YAML cannot read: the page lost its
    # front-matter, showed it as text, and was indexed for search.
    path = christmas / "postmortems" / f"PM-{CHRISTMAS}.md"
    text = path.read_text(encoding="utf-8").replace("severity: SEV2", 'severity: "SEV🔥"')
    path.write_text(text, encoding="utf-8")
    site = build_site(christmas, lint=False)
    [found] = site.glob("browse/severity/sev~*/index.html")
    html = found.read_text(encoding="utf-8")
    assert "<title>Severity: SEV🔥 - " in html and "search: {exclude" not in html
    assert not [e for e in search_entries(site) if e["location"].startswith("browse/")]


def test_a_staged_link_to_a_record_written_percent_encoded_opens_it(
    christmas: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    # Markdown needs a space in a link written "%20": the page's address was encoded again
    # ("%2520"), and the staged link led nowhere.
    record = christmas / "incidents" / f"INC-{CHRISTMAS}.md"
    text = record.read_text(encoding="utf-8")
    other = text.replace(f"INC-{CHRISTMAS}", "INC-2023-01-01-name")
    (christmas / "incidents" / "INC-2023-01-01-a b&c.md").write_text(other, encoding="utf-8")
    link = "See [the other one](INC-2023-01-01-a%20b&c.md).\n\n## Timeline"
    record.write_text(text.replace("## Timeline", link, 1), encoding="utf-8")
    out = tmp_path / "staged"
    assert run_cli(christmas, "site", "stage", str(out), "--today", TODAY).exit_code == 0
    staged = (out / "docs" / "incidents" / f"INC-{CHRISTMAS}.md").read_text(encoding="utf-8")
    assert 'href="../INC-2023-01-01-a%20b%26c/"' in staged


def test_an_owner_named_with_an_apostrophe_reads_as_written_in_the_contents(
    christmas: Path,
) -> None:
    # The heading's text was escaped as for an attribute: "O'Brien" was "O&#x27;Brien" in the
    # table of contents (which escapes it again) and "ox27brien" in the heading's address.
    roster = christmas / "people.yaml"
    roster.write_text(roster.read_text().replace("Lee Morgan", "Lee O'Brien"), encoding="utf-8")
    html = page(build_site(christmas, today="2023-01-01"), "action-items")
    assert '<h3 id="lee-lee-obrien">lee (Lee O\'Brien)<' in html
    contents = html[: html.index("<article")]
    assert "lee (Lee O'Brien)" in contents and "#x27;" not in contents


def test_a_tag_or_service_written_twice_is_shown_once_on_its_record(christmas: Path) -> None:
    incident = christmas / "incidents" / f"INC-{CHRISTMAS}.md"
    text = incident.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^tags: .*$", "tags: [tls, tls]", text, count=1)
    incident.write_text(
        re.sub(r"(?m)^services: .*$", "services: [web-frontend, web-frontend]", text, count=1)
    )
    site = build_site(christmas, lint=False)  # lint warns of them (FM012), which stops a build
    card = page(site, INC_URL)
    card = card[card.index('class="idocs-card') : card.index("</dl>")]
    assert card.count(">tls</a>") == 1 and card.count(">web-frontend</a>") == 1
    listed = page(site, "incidents")
    assert re.search(rf"INC-{CHRISTMAS}</span></td><td>web-frontend(?:<| )", listed)
    [entry] = [e for e in search_entries(site) if e["location"] == f"{INC_URL}/"]
    assert f"<p>INC-{CHRISTMAS} · web-frontend · tls</p>" in entry["text"]


def test_the_harm_to_each_audience_is_in_the_lists_text_not_a_tooltip(archive: Path) -> None:
    # The dashboard's "users" badge held the harm in a `title`: a keyboard, a touch screen and
    # a screen reader never got it. In the list it is for a screen reader (its words shown
    # made each row many lines tall); the card shows them.
    config = load_config(archive)
    site = load_site_archive(archive, config, load_roster(archive, config))
    html = PageBuilder(site, date.fromisoformat(TODAY)).dashboard()
    assert "title=" not in html
    opened = html[html.index("## Open incidents") : html.index("## Recent postmortems")]
    assert (
        '<td>search-api <span class="idocs-badge idocs-audience">users</span><span class='
        '"idocs-visually-hidden">: Search results take several seconds to appear.</span>'
    ) in opened
    card = decoration(
        site, site.by_id["INC-2026-11-20-search-latency"], Settings(TODAY_DATE, True, "material")
    )
    assert "Search results take several seconds to appear." in card.card


def test_a_persons_name_is_shown_beside_the_handle_not_in_a_tooltip(archive: Path) -> None:
    # "sam" on a card held "Sam Lindqvist" in a `title`, which only a mouse could read.
    config = load_config(archive)
    site = load_site_archive(archive, config, load_roster(archive, config))
    assert person(site, "sam") == (
        '<span class="idocs-person">sam <span class="idocs-person__name">(Sam Lindqvist)'
        "</span></span>"
    )
    assert person(site, "vendor-kim") == '<span class="idocs-person">vendor-kim</span>'
    card = decoration(site, site.by_id[f"PM-{CHRISTMAS}"], Settings(TODAY_DATE, True, "material"))
    assert 'title="Priya Raman"' not in card.card
    assert "priya (Priya Raman)" in re.sub("<[^>]+>", "", card.card)


def test_the_pictures_markers_lead_to_their_rows_of_the_timeline_table(christmas: Path) -> None:
    html = page(build_site(christmas), INC_URL)
    table = re.search(r'<table class="idocs-timeline">.*?</table>', html, re.DOTALL)
    assert table is not None
    rows = dict(re.findall(r'<tr id="(idocs-entry-\d+)" tabindex="-1">(.*?)</tr>', table.group(0)))
    links = re.findall(r'<a class="idocs-marker-link" href="#([^"]+)"><title>([^<]*)<', html)
    assert len(links) == 7
    for target, said in links:
        what = re.findall(r"<td>(.*?)</td>", rows[target], re.DOTALL)[-1]
        assert said.endswith(unescape(re.sub("<[^>]+>", "", what))), (target, said)


def test_a_records_own_id_cannot_take_a_markers_link() -> None:
    # A marker leads to #idocs-entry-3: a record's element of that id, above the table, took
    # the link (raw HTML, or attr_list's {: #idocs-entry-3 }).
    clean = clean_html('<p id="idocs-entry-3">mine</p><h2 id="IDOCS-picture-title">x</h2>')
    assert clean == "<p>mine</p><h2>x</h2>"


def test_markers_lead_nowhere_when_the_timeline_stays_a_list() -> None:
    picture = (
        '<figure><svg><a class="idocs-marker-link" href="#idocs-entry-3"><title>12:00 x</title>'
        '<path class="idocs-marker"/></a></svg></figure>'
    )
    assert without_entry_links(picture) == (
        '<figure><svg><g class="idocs-marker-link"><title>12:00 x</title>'
        '<path class="idocs-marker"/></g></svg></figure>'
    )
