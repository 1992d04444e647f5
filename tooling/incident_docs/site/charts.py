"""Static inline SVG charts drawn in Python: no script, no library, no request."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from incident_docs.metrics import DurationStats, format_duration, gap_text, with_gaps
from incident_docs.site.archive import slug
from incident_docs.site.markup import e

_WIDTH = 720
_HEIGHT = 240
_LEFT = 36
_BOTTOM = 44
_TOP = 12
_MONTH_LABEL = 46
"""The width a month ("2024-05") takes on the axis (11px text), with a little to spare."""
_LABEL_GAP = 12
_LEGEND_CHAR = 6.5
"""The most a character of the legend's 11px text takes across, with a little to spare."""
_LEGEND_ROW = 16
"""The height of each further row of the legend."""
_LABEL_STEPS = (1, 2, 3, 4, 6, 12, 24, 60, 120, 240, 600, 1200)
"""Months between labels: each step starts a label on the same months of every year."""


_MONTHLY = "Incidents per month by severity"
_DURATIONS = "Median and 90th percentile time to detect, mitigate and resolve"


def _framed(svg: str, label: str) -> str:
    """A chart in a box of its own that scrolls sideways on a phone: scaled down to the
    screen, its 11px words were 5px high. A box that scrolls is reached by keyboard."""
    return f'<div class="idocs-scroll" tabindex="0" role="region" aria-label="{label}">{svg}</div>'


def _nice_max(value: int) -> int:
    """The top of the axis: four equal whole-number steps that hold the value."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if value <= step * 4:
            return step * 4
    return value


def monthly_chart(by_month: dict[str, Counter[str]], severities: Sequence[str]) -> str:
    """Incidents per month as bars stacked by severity, with a legend."""
    if not by_month:
        return '<p class="idocs-empty">No incidents with a start time yet.</p>'
    # The months the metrics list: quiet ones with zeros, a long quiet stretch as one break.
    months = list(by_month)
    top = _nice_max(max(sum(c.values()) for c in by_month.values()))
    plot_w = _WIDTH - _LEFT - 8
    plot_h = _HEIGHT - _BOTTOM - _TOP
    slot = plot_w / len(months)
    bar = max(1.0, min(28.0, slot * 0.7))
    legend = _legend(severities)
    chart_height = _HEIGHT + _LEGEND_ROW * legend[-1][1] if legend else _HEIGHT
    out = [
        f'<svg class="idocs-chart" viewBox="0 0 {_WIDTH} {chart_height}" role="img" '
        f'aria-label="{_MONTHLY}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for tick in range(5):
        value = round(top * tick / 4)
        y = _TOP + plot_h - plot_h * tick / 4
        out.append(
            f'<line class="idocs-chart__grid" x1="{_LEFT}" x2="{_WIDTH - 8}" '
            f'y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="idocs-chart__axis" x="{_LEFT - 6}" y="{y + 4:.1f}" '
            f'text-anchor="end">{value}</text>'
        )
    label_every = next(
        (step for step in _LABEL_STEPS if step * slot >= _MONTH_LABEL + _LABEL_GAP), len(months)
    )
    labelled_to = 0.0  # where the last label drawn ends
    for index, (month, gap) in enumerate(with_gaps(months)):
        counts = by_month.get(month, Counter())
        if gap:
            at = _LEFT + slot * index
            out.append(
                f'<line class="idocs-chart__break" x1="{at:.1f}" x2="{at:.1f}" y1="{_TOP}" '
                f'y2="{_TOP + plot_h}">'
                f"<title>{e(gap_text(gap))}</title></line>"
            )
        x = _LEFT + slot * index + (slot - bar) / 2
        y = _TOP + plot_h
        for name in severities:
            count = counts.get(name, 0)
            if not count:
                continue
            height = plot_h * count / top
            y -= height
            out.append(
                f'<rect class="idocs-fill--{e(slug(name))}" x="{x:.1f}" y="{y:.1f}" '
                f'width="{bar:.1f}" height="{height:.1f}"><title>{e(month)}: {count} '
                f"{e(name)}</title></rect>"
            )
        # Under its bar, moved inward at the edge, so that no label is cut or runs into the
        # next (an edge label anchored at its end ran "2022-122023-04" into its neighbour).
        at = min(max(x + bar / 2, _MONTH_LABEL / 2), _WIDTH - _MONTH_LABEL / 2)
        if index % label_every == 0 and at - _MONTH_LABEL / 2 >= labelled_to + _LABEL_GAP:
            labelled_to = at + _MONTH_LABEL / 2
            out.append(
                f'<text class="idocs-chart__axis" x="{at:.1f}" '
                f'y="{_TOP + plot_h + 16}" text-anchor="middle">{e(month)}</text>'
            )
    for name, (legend_x, row) in zip(severities, legend, strict=True):
        y = _HEIGHT + _LEGEND_ROW * row
        out.append(
            f'<rect class="idocs-fill--{e(slug(name))}" x="{legend_x:.0f}" '
            f'y="{y - 14}" width="10" height="10"/>'
            f'<text class="idocs-chart__axis" x="{legend_x + 14:.0f}" y="{y - 5}">'
            f"{e(name)}</text>"
        )
    out.append("</svg>")
    return _framed("".join(out), _MONTHLY)


def _legend(severities: Sequence[str]) -> list[tuple[float, int]]:
    """Where each severity's entry of the legend goes: (x, row). Each as wide as its name
    ("Security-critical" ran into the name after it), on a row of its own below when the row
    is full (names past the chart's width were cut off)."""
    places = []
    x, row = float(_LEFT), 0
    for name in severities:
        width = max(70.0, 14 + _LEGEND_CHAR * len(name) + 16)
        if x > _LEFT and x + width - 16 > _WIDTH - 8:
            x, row = float(_LEFT), row + 1
        places.append((x, row))
        x += width
    return places


def duration_chart(durations: Sequence[DurationStats]) -> str:
    """Median and p90 time to detect, mitigate and resolve as horizontal bars."""
    measured = [d for d in durations if d.median is not None and d.p90 is not None]
    if not measured:
        return '<p class="idocs-empty">No incident records its key times yet.</p>'
    # Every duration can be zero (all key times in one minute): the bars then have no length.
    longest = max(d.p90.total_seconds() for d in measured if d.p90 is not None) or 1.0
    row_h = 44
    height = row_h * len(measured) + 28
    label_w = 130
    plot_w = _WIDTH - label_w - 230
    out = [
        f'<svg class="idocs-chart" viewBox="0 0 {_WIDTH} {height}" role="img" '
        f'aria-label="{_DURATIONS}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for index, stats in enumerate(measured):
        assert stats.median is not None and stats.p90 is not None
        y = 8 + index * row_h
        p90_w = plot_w * stats.p90.total_seconds() / longest
        median_w = plot_w * stats.median.total_seconds() / longest
        out.append(
            f'<text class="idocs-chart__label" x="0" y="{y + 20}">time to {e(stats.name)}</text>'
            f'<rect class="idocs-stat--p90" x="{label_w}" y="{y + 4}" width="{p90_w:.1f}" '
            f'height="24"><title>p90 {e(format_duration(stats.p90))}</title></rect>'
            f'<rect class="idocs-stat--median" x="{label_w}" y="{y + 10}" '
            f'width="{median_w:.1f}" height="12"><title>median '
            f"{e(format_duration(stats.median))}</title></rect>"
            f'<text class="idocs-chart__axis" x="{label_w + p90_w + 6:.1f}" y="{y + 21}">'
            f"median {e(format_duration(stats.median))} · p90 "
            f"{e(format_duration(stats.p90))}</text>"
        )
    y = height - 12
    out.append(
        f'<rect class="idocs-stat--median" x="{label_w}" y="{y - 9}" width="10" height="10"/>'
        f'<text class="idocs-chart__axis" x="{label_w + 14}" y="{y}">median</text>'
        f'<rect class="idocs-stat--p90" x="{label_w + 80}" y="{y - 9}" width="10" height="10"/>'
        f'<text class="idocs-chart__axis" x="{label_w + 94}" y="{y}">90th percentile</text>'
    )
    out.append("</svg>")
    return _framed("".join(out), _DURATIONS)
