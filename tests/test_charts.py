"""The metrics page's charts: axis labels a reader can read."""

from __future__ import annotations

import re
from collections import Counter
from itertools import pairwise

import pytest

from incident_docs.site.charts import monthly_chart

LABEL = re.compile(r'<text class="idocs-chart__axis" x="([\d.]+)" y="[\d.]+" ([^>]*)>(\d{4}-\d\d)<')
CHARACTER = 6.0
"""The least width of a digit or hyphen of the axis' 11px text, in the chart's units."""


def months(count: int) -> dict[str, Counter[str]]:
    listed = [f"{2019 + i // 12}-{i % 12 + 1:02d}" for i in range(count)]
    return {month: Counter({"SEV2": 1}) for month in listed}


@pytest.mark.parametrize("count", [1, 2, 12, 13, 25, 30, 47, 48, 61, 96, 150])
def test_month_labels_neither_overlap_nor_leave_the_chart(count: int) -> None:
    svg = monthly_chart(months(count), ["SEV1", "SEV2", "SEV3", "SEV4"])
    width = float(re.search(r'viewBox="0 0 ([\d.]+)', svg).group(1))  # type: ignore[union-attr]
    spans = []
    for x, attributes, month in LABEL.findall(svg):
        length = CHARACTER * len(month)
        anchor = re.search(r'text-anchor="(\w+)"', attributes)
        start = {"start": 0.0, "middle": length / 2, "end": length}[
            anchor.group(1) if anchor else "start"
        ]
        spans.append((float(x) - start, float(x) - start + length, month))
    assert spans, "no month is labelled"
    assert spans[0][2] == "2019-01"
    for (_, end, month), (start, _, after) in pairwise(spans):
        assert start - end >= 4, f"{month} runs into {after} ({count} months)"
    assert spans[0][0] >= 0 and spans[-1][1] <= width


def test_legend_names_do_not_run_into_each_other() -> None:
    # Each name had 70 units: "Security-critical" ran into the name after it.
    names = ["Security-critical", "Major", "Customer-visible", "Minor"]
    svg = monthly_chart({"2024-05": Counter(dict.fromkeys(names, 1))}, names)
    legend = re.findall(
        r'<rect class="idocs-fill--[^"]+" x="([\d.]+)" y="[\d.]+" width="10" height="10"/>'
        r'<text class="idocs-chart__axis" x="([\d.]+)" y="[\d.]+">([^<]+)</text>',
        svg,
    )
    assert [name for _box, _x, name in legend] == names
    for (_box, x, name), (next_box, _x, _name) in pairwise(legend):
        assert float(x) + CHARACTER * len(name) + 4 <= float(next_box), name


@pytest.mark.parametrize("count", [4, 9, 20])
def test_every_legend_name_is_inside_the_chart(count: int) -> None:
    # Made as wide as their names, the entries past the chart's width were cut off: of nine
    # severities (five configured, four named by older records), the last three.
    names = [f"{'Customer-visible' if i % 2 else 'P'}{i}" for i in range(count)]
    svg = monthly_chart({"2024-05": Counter(dict.fromkeys(names, 1))}, names)
    size = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg)
    assert size is not None
    width, height = float(size.group(1)), float(size.group(2))
    legend = re.findall(
        r'<rect class="idocs-fill--[^"]+" x="([\d.]+)" y="([\d.]+)" width="10" height="10"/>'
        r'<text class="idocs-chart__axis" x="([\d.]+)" y="([\d.]+)">([^<]+)</text>',
        svg,
    )
    assert [name for *_place, name in legend] == names
    rows: dict[str, list[tuple[float, float]]] = {}
    for box, _top, x, y, name in legend:
        assert float(x) + CHARACTER * len(name) <= width and float(y) <= height, name
        rows.setdefault(y, []).append((float(box), float(x) + CHARACTER * len(name)))
    for row in rows.values():
        for (_, end), (start, _) in pairwise(row):
            assert end + 4 <= start
