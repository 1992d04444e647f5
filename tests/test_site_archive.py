"""The site's reading of the archive: front-matter exactly as PyYAML reads it, and the pages
and cards written in a second process exactly as this one would write them."""

from __future__ import annotations

import gc
import re
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from incident_docs.config import load_config
from incident_docs.document import load_plain_yaml
from incident_docs.records import load_roster
from incident_docs.site import prework
from incident_docs.site.archive import SiteArchive, load_site_archive
from incident_docs.site.pages import PageBuilder, page_plan
from incident_docs.site.plugin import IncidentDocsPlugin
from incident_docs.site.prework import Prework, Settings, decorations, generated_pages
from support.archive import REPO, copy_archive
from support.site_build import TODAY, build_site


def _outcome(load: Any, text: str) -> tuple[str, Any]:
    try:
        return "value", load(text)
    except yaml.YAMLError as error:
        return "error", type(error).__name__


def _pyyaml(text: str) -> Any:
    return yaml.load(text, Loader=yaml.CSafeLoader)


@pytest.mark.parametrize(
    "text",
    [
        "id: INC-1\nseverity: SEV2\n",
        "declared_at: 2022-12-25T12:32:00+00:00\nday: 2022-12-25\n",
        "n: 12\nf: 1.5\nyes_word: yes\nnothing: ~\nempty:\n",
        "base: &b {a: 1}\nother:\n  <<: *b\n  c: 2\n",
        "merged:\n  <<: {a: 1}\n  b: 2\n",
        "tags: !!set {a, b}\n",
        "pairs: !!omap [{a: 1}, {b: 2}]\n",
        "blob: !!binary aGVsbG8=\n",
        "? [a, b]\n: unhashable\n",
        "odd: !custom value\n",
        "list: !!seq [1, 2]\nmap: !!map {a: 1}\nstr: !!str 12\n",
        "a: !!map x\n",
        "tags: !!set x\n",
        "dup: 1\ndup: 2\n",
        "",
        "- just\n- a list\n",
    ],
)
def test_tricky_front_matter_reads_as_pyyaml_reads_it(text: str) -> None:
    assert _outcome(load_plain_yaml, text) == _outcome(_pyyaml, text)


_scalars = st.one_of(
    st.text(max_size=20),
    st.integers(),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=False),
    st.datetimes(timezones=st.just(UTC), min_value=datetime(1970, 1, 1)),
    st.dates(),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=20,
)


@given(st.dictionaries(st.text(max_size=10), _values, max_size=6))
def test_any_dumped_front_matter_reads_as_pyyaml_reads_it(data: dict[str, Any]) -> None:
    text = yaml.safe_dump(data, allow_unicode=True)
    assert _outcome(load_plain_yaml, text) == _outcome(_pyyaml, text)


# --- the page process ---------------------------------------------------------------------------


def _example_archive() -> tuple[SiteArchive, Settings]:
    config = load_config(REPO)
    archive = load_site_archive(REPO, config, load_roster(REPO, config))
    return archive, Settings(date.fromisoformat(TODAY), True, "material")


def test_the_forked_page_process_writes_what_this_process_would() -> None:
    archive, settings = _example_archive()
    forked = Prework(archive, settings)
    assert forked.forked == (sys.platform == "linux")
    assert forked.pages() == generated_pages(archive, settings)
    expected = decorations(archive, settings)
    assert any(found.related for found in expected.values())
    for record in archive.records:
        assert forked.decoration(record) == expected[record.src_uri]


def test_without_fork_the_same_work_runs_here(monkeypatch: pytest.MonkeyPatch) -> None:
    archive, settings = _example_archive()
    monkeypatch.setattr(sys, "platform", "darwin")
    here = Prework(archive, settings)
    assert not here.forked
    assert here.pages() == generated_pages(archive, settings)
    expected = decorations(archive, settings)
    for record in archive.records:
        assert here.decoration(record) == expected[record.src_uri]


def test_a_failure_in_the_page_process_is_reported_not_hidden(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    archive, settings = _example_archive()

    def broken(*args: object, **kwargs: object) -> str:
        raise ValueError("the card cannot be drawn")

    monkeypatch.setattr(prework, "record_card", broken)
    job = Prework(archive, settings)
    with pytest.raises(RuntimeError, match="the card cannot be drawn"):
        job.pages()
        job.decoration(archive.records[0])


def test_the_page_plan_lists_what_the_builder_writes_in_its_order() -> None:
    archive, settings = _example_archive()
    for search in ("material", "pagefind"):
        written = PageBuilder(archive, settings.today, search=search).pages()
        assert page_plan(archive, search) == [(page.src_uri, page.in_nav) for page in written]


def test_front_matter_pyyaml_cannot_build_leaves_the_record_out_without_a_crash(
    tmp_path: Path,
) -> None:
    root = copy_archive(tmp_path / "repo")
    path = next((root / "incidents").glob("*.md"))
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"declared_at: \S+", "declared_at: 2024-02-30T10:00:00Z", text, count=1))
    config = load_config(root)
    archive = load_site_archive(root, config, load_roster(root, config))
    assert path.relative_to(root).as_posix() not in {r.src_uri for r in archive.records}
    assert archive.records  # the others are published


def test_deeply_nested_front_matter_reads_as_pyyaml_reads_it() -> None:
    text = "a: " + "[" * 600 + "]" * 600 + "\n"
    assert _outcome(load_plain_yaml, text) == _outcome(_pyyaml, text)


def test_of_two_pages_with_one_path_the_first_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    archive, settings = _example_archive()
    first = prework.LiftedPage("browse/tag/index.md", "# first", [], False)
    second = prework.LiftedPage("browse/tag/index.md", "# second", [], False)
    monkeypatch.setattr(prework, "generated_pages", lambda *args: [first, second])
    assert Prework(archive, settings).pages_by_src()["browse/tag/index.md"].markdown == "# first"


def test_pages_are_sanitised_in_place_when_another_plugin_reads_them_after_us() -> None:
    plugin = IncidentDocsPlugin()

    def other(html: str, **kwargs: object) -> str:
        return html

    alone = SimpleNamespace(
        plugins=SimpleNamespace(events={"page_content": [plugin.on_page_content]})
    )
    followed = SimpleNamespace(
        plugins=SimpleNamespace(events={"page_content": [plugin.on_page_content, other]})
    )
    assert plugin._last_to_see_content(alone)  # type: ignore[arg-type]
    assert not plugin._last_to_see_content(followed)  # type: ignore[arg-type]


def test_a_serve_rebuild_lets_go_of_the_last_build(tmp_path: Path) -> None:
    root = copy_archive(tmp_path / "repo")
    for _ in range(2):  # the plugin is kept across builds, as in `mkdocs serve`
        build_site(root)
    kept = gc.get_freeze_count()
    for _ in range(2):
        build_site(root)
    # Each build freezes its archive; the one before must have been let go of and collected.
    assert gc.get_freeze_count() - kept < 500
