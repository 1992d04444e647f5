"""Metrics: counts per month and severity, median and p90 durations, and `incident stats`."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from incident_docs import document, metrics
from incident_docs.config import load_config
from incident_docs.records import load_archive, load_roster
from incident_docs.site.archive import load_site_archive
from incident_docs.site.charts import duration_chart
from incident_docs.site.pages import PageBuilder
from support.archive import CHRISTMAS, open_action_items
from support.cli import RunCli
from support.site_build import build_site

TODAY = date(2023, 3, 1)
"""After the due date of one of the Christmas postmortem's open action items, before another's."""


def action_item_counts(root: Path) -> tuple[int, int]:
    """How many action items the Christmas postmortem lists as open, and as overdue on TODAY."""
    still_open, overdue = open_action_items(root / "postmortems" / f"PM-{CHRISTMAS}.md", TODAY)
    return len(still_open), len(overdue)


def test_percentile_interpolates_between_ranks() -> None:
    assert metrics.percentile([10.0], 0.9) == 10.0
    assert metrics.percentile([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0], 0.9) == 9.1
    assert metrics.percentile([0.0, 100.0], 0.5) == 50.0
    with pytest.raises(ValueError):
        metrics.percentile([], 0.5)


def test_format_duration_is_compact() -> None:
    assert metrics.format_duration(timedelta(minutes=6)) == "6m"
    assert metrics.format_duration(timedelta(hours=2, minutes=13)) == "2h 13m"
    assert metrics.format_duration(timedelta(days=3, hours=4)) == "3d 4h"
    assert metrics.format_duration(None) == "—"


def test_months_between_fills_quiet_months() -> None:
    assert metrics.months_between("2022-11", "2023-02") == [
        "2022-11",
        "2022-12",
        "2023-01",
        "2023-02",
    ]


def test_incident_and_its_postmortem_count_once(christmas: Path) -> None:
    config = load_config(christmas)
    records = [loaded.record for loaded in load_archive(christmas, config)]
    result = metrics.compute(records, TODAY, config.severity_names())
    assert result.incidents == 1 and result.postmortems == 1
    assert result.by_month == {"2022-12": {"SEV2": 1}}
    detect, mitigate, resolve = result.durations
    assert (detect.median, mitigate.median, resolve.median) == (
        timedelta(minutes=6),
        timedelta(hours=2, minutes=13),
        timedelta(hours=2, minutes=38),
    )
    opened, overdue = action_item_counts(christmas)
    assert (result.action_items_open, result.action_items_overdue) == (opened, overdue)
    assert opened > overdue > 0, "the example has overdue and other open items"


def test_postmortem_counts_when_its_incident_is_missing(christmas: Path) -> None:
    next(christmas.glob("incidents/*.md")).unlink()
    config = load_config(christmas)
    records = [loaded.record for loaded in load_archive(christmas, config)]
    result = metrics.compute(records, date(2023, 3, 1), config.severity_names())
    assert result.incidents == 0
    assert sum(result.by_severity.values()) == 1
    assert result.durations[0].count == 1


def test_stats_text(christmas: Path, run_cli: RunCli) -> None:
    result = run_cli(christmas, "stats", "--today", TODAY.isoformat())
    assert result.exit_code == 0, result.output
    assert "Incidents:     1 (0 open)" in result.output
    assert "detect       6m" in result.output
    opened, overdue = action_item_counts(christmas)
    assert f"Action items:  {opened} open, {overdue} overdue" in result.output


def test_stats_json(christmas: Path, run_cli: RunCli) -> None:
    result = run_cli(christmas, "stats", "--format", "json", "--today", TODAY.isoformat())
    data = json.loads(result.output)
    assert data["durations"]["mitigate"] == {
        "count": 1,
        "median_seconds": 7980,
        "p90_seconds": 7980,
    }
    assert data["by_month"]["2022-12"]["SEV2"] == 1
    opened, overdue = action_item_counts(christmas)
    assert data["action_items"] == {"open": opened, "overdue": overdue}


def test_stats_csv(christmas: Path, run_cli: RunCli) -> None:
    result = run_cli(christmas, "stats", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.output)))
    by_metric = {(r["metric"], r["month"], r["severity"]): r["value"] for r in rows}
    assert by_metric[("incidents_by_month", "2022-12", "SEV2")] == "1"
    assert by_metric[("time_to_resolve_median_seconds", "", "")] == "9480"


def test_stats_bad_date_is_a_usage_error(christmas: Path, run_cli: RunCli) -> None:
    result = run_cli(christmas, "stats", "--today", "yesterday")
    assert result.exit_code == 2
    assert "not a date" in result.output


def test_the_duration_chart_draws_incidents_that_took_no_time() -> None:
    """Declared, mitigated and resolved in the same minute: zero-length bars, not a crash."""
    zero = timedelta(0)
    stats = [metrics.DurationStats("resolve", 1, zero, zero)]
    chart = duration_chart(stats)
    assert chart.count("<svg") == 1 and chart.endswith("</svg></div>") and 'width="0.0"' in chart


def test_months_and_years_are_counted_in_utc(christmas: Path, run_cli: RunCli) -> None:
    # 01:30 on New Year's Day at +02:00 is still 2022 in UTC, as every date in the archive reads.
    incident = next(christmas.glob("incidents/*.md"))
    text = incident.read_text(encoding="utf-8")
    for key, local in (
        ("started_at", "01:30"),
        ("detected_at", "01:36"),
        ("declared_at", "01:39"),
        ("mitigated_at", "03:43"),
        ("resolved_at", "04:08"),
    ):
        text = re.sub(rf"(?m)^{key}: .*$", f"{key}: 2023-01-01T{local}:00+02:00", text, count=1)
    incident.write_text(text, encoding="utf-8")
    for postmortem in christmas.glob("postmortems/*.md"):
        postmortem.write_text(
            re.sub(r"2022-12-25T\d\d:\d\d:\d\dZ", "2022-12-31T23:30:00Z", postmortem.read_text()),
            encoding="utf-8",
        )
    config = load_config(christmas)
    records = [loaded.record for loaded in load_archive(christmas, config)]
    result = metrics.compute(records, TODAY, config.severity_names())
    assert set(result.by_month) == {"2022-12"}
    site = build_site(christmas, strict=False, lint=False)
    assert (site / "browse" / "year" / "2022").is_dir()
    assert not (site / "browse" / "year" / "2023").exists()


@pytest.mark.parametrize(
    ("took", "shown"),
    [
        (timedelta(seconds=30), "30s"),
        (timedelta(seconds=59, milliseconds=400), "59s"),
        (timedelta(seconds=59, milliseconds=500), "1m"),
        (timedelta(0), "0m"),
        (timedelta(seconds=-20), "-20s"),
        (timedelta(minutes=4, seconds=30), "5m"),
        (timedelta(minutes=5, seconds=30), "6m"),
        (timedelta(hours=1, minutes=59, seconds=30), "2h"),
        (timedelta(hours=23, minutes=59, seconds=29), "23h 59m"),
        (timedelta(hours=23, minutes=59, seconds=30), "1d"),
        (timedelta(days=1, hours=2, minutes=48), "1d 3h"),
        (timedelta(days=1, hours=2, minutes=29), "1d 2h"),
        (timedelta(days=1, hours=23, minutes=45), "2d"),
        (timedelta(hours=-2, minutes=-13), "-2h 13m"),
    ],
)
def test_format_duration_rounds_to_the_nearest_unit_it_shows(took: timedelta, shown: str) -> None:
    """A median of 4m and 5m is 4m 30s, shown 5m as 5m 30s is 6m; a day or more is rounded
    to the hour, not cut: 1d 2h 48m is nearer 1d 3h."""
    assert metrics.format_duration(took) == shown


def test_a_month_without_incidents_counts_as_zero(christmas: Path, run_cli: RunCli) -> None:
    # The chart drew the quiet months between two incidents; the table under it, `incident
    # stats` and its JSON left them out, as if nobody had counted them.
    incident = next(christmas.glob("incidents/*.md"))
    later = incident.read_text().replace("2022-12-25", "2023-03-02")
    later = later.replace(f"INC-{CHRISTMAS}", "INC-2023-03-02-second")
    (christmas / "incidents" / "INC-2023-03-02-second.md").write_text(later)
    data = json.loads(run_cli(christmas, "stats", "--format", "json").stdout)
    assert list(data["by_month"]) == ["2022-12", "2023-01", "2023-02", "2023-03"]
    assert data["by_month"]["2023-01"] == {"SEV1": 0, "SEV2": 0, "SEV3": 0, "SEV4": 0}
    text = run_cli(christmas, "stats").stdout
    assert re.search(r"(?m)^2023-02 +0 +0 +0 +0$", text), text
    config = load_config(christmas)
    site = load_site_archive(christmas, config, load_roster(christmas, config))
    html = PageBuilder(site, TODAY).metrics_page()
    assert "<tr><td>2023-01</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td></tr>" in html


def test_a_mistyped_year_does_not_list_every_month_up_to_it(
    christmas: Path, run_cli: RunCli
) -> None:
    # An incident dated 2925 instead of 2025 listed (and charted) the 10,835 empty months
    # between it and the others, in the table, in `incident stats` and in its JSON.
    incident = next(christmas.glob("incidents/*.md"))
    later = incident.read_text().replace("2022-12-25", "2925-12-25")
    later = later.replace(f"INC-{CHRISTMAS}", "INC-2925-12-25-typo")
    (christmas / "incidents" / "INC-2925-12-25-typo.md").write_text(later)
    data = json.loads(run_cli(christmas, "stats", "--format", "json").stdout)
    assert list(data["by_month"]) == ["2022-12", "2925-12"]
    assert list(data["by_month_and_audience"]) == ["2022-12", "2925-12"]
    text = run_cli(christmas, "stats").stdout
    assert len(text.splitlines()) < 40, text
    assert re.search(r"(?m)^2022-12 .*\n… +10835 months without incidents\n2925-12 ", text), text
    config = load_config(christmas)
    site = load_site_archive(christmas, config, load_roster(christmas, config))
    html = PageBuilder(site, TODAY).metrics_page()
    assert html.count("10835 months without incidents") == 3  # the chart, both tables
    assert "2023-01" not in html


def test_who_was_hurt_shows_its_totals_before_the_months(archive: Path) -> None:
    # Every month from 2022-12 to 2026-11 was a row of its own, almost all zeros, and the
    # totals came last, under some fifty rows: the four months anyone was hurt were lost.
    config = load_config(archive)
    site = load_site_archive(archive, config, load_roster(archive, config))
    html = PageBuilder(site, TODAY).metrics_page()
    hurt = html[html.index("## Who was hurt") :]
    totals = hurt.index("<tr><td>users</td><td>4</td></tr>")
    months = re.search(
        r"<details[^>]*><summary>Who was hurt per month[^<]*</summary>.*?</details>",
        hurt,
        re.DOTALL,
    )
    assert months is not None and totals < months.start()
    assert "<tr><td>2022-12</td><td>1</td><td>1</td><td>0</td></tr>" in months.group()
    assert "<tr><td>2024-06</td>" in months.group()  # a quiet month, folded away


@pytest.mark.parametrize("command", [["stats"], ["list"], ["list", "--status", "open"]])
def test_commands_of_the_front_matter_scan_no_record_body(
    archive: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    # Each record's Markdown was scanned for nothing: a third of `stats` on a large archive.
    expected = run_cli(archive, *command, "--format", "json")
    assert expected.exit_code == 0, expected.output
    scanned: list[int] = []
    scanning = document.scan_blocks

    def counted(*args: Any, **options: Any) -> Any:
        scanned.append(1)
        return scanning(*args, **options)

    monkeypatch.setattr(document, "scan_blocks", counted)
    result = run_cli(archive, *command, "--format", "json")
    assert (result.stdout, result.stderr) == (expected.stdout, expected.stderr)
    assert scanned == []
