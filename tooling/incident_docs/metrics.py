"""Archive metrics: incidents per month and severity, time to detect, mitigate and resolve.

One place computes them for both `incident stats` and the published site's metrics page.
"""

from __future__ import annotations

import csv
import io
import json
import math
import statistics
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, timedelta
from itertools import pairwise
from typing import Any

from incident_docs.models import (
    AUDIENCES,
    ActionItem,
    Incident,
    IncidentStatus,
    Postmortem,
    Record,
    key_durations,
    record_start,
)

DURATION_NAMES: tuple[str, ...] = ("detect", "mitigate", "resolve")


@dataclass(frozen=True)
class DurationStats:
    """Median and 90th percentile of one key duration over the incidents that record it."""

    name: str
    count: int
    median: timedelta | None
    p90: timedelta | None


@dataclass(frozen=True)
class OpenActionItem:
    item: ActionItem
    postmortem: Postmortem
    overdue: bool


@dataclass(frozen=True)
class Metrics:
    incidents: int
    postmortems: int
    open_incidents: int
    by_month: dict[str, Counter[str]]
    """'YYYY-MM' -> severity -> number of incidents that started that month, months in order,
    every month from the first to the last (a quiet month has an empty Counter), but for a
    stretch of more than QUIET_MONTHS_LISTED months without incidents, which is left out."""
    by_severity: Counter[str]
    durations: tuple[DurationStats, ...]
    action_items_open: int
    action_items_overdue: int
    severities: tuple[str, ...] = field(default_factory=tuple)
    """Severity names in rank order: configured ones first, then any others seen."""
    by_audience: dict[str, Counter[str]] = field(default_factory=dict)
    """'YYYY-MM' -> audience (users, stakeholders, company) -> incidents that hurt it, over the
    months of by_month (empty when no incident records who it hurt)."""
    audience_totals: Counter[str] = field(default_factory=Counter)
    counted: int = 0
    """The incidents the tables count: every incident record, and each postmortem whose
    incidents are none of them in the archive (see measured_records)."""


def percentile(values: Sequence[float], fraction: float) -> float:
    """Linear interpolation between closest ranks (the 'inclusive' method)."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    position = (len(ordered) - 1) * fraction
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def measured_records(records: Iterable[Record]) -> list[Record]:
    """The records that stand for incidents: every incident, plus postmortems whose incidents
    are not in the archive (so an incident and its postmortem are never counted twice)."""
    records = list(records)
    incident_ids = {r.id for r in records if isinstance(r, Incident)}
    return [
        r
        for r in records
        if isinstance(r, Incident)
        or (isinstance(r, Postmortem) and not incident_ids.intersection(r.incidents))
    ]


def open_action_items(records: Iterable[Record], today: date) -> list[OpenActionItem]:
    """Every open or in-progress action item, most overdue first, then by due date."""
    found = [
        OpenActionItem(item, record, item.due is not None and item.due < today)
        for record in records
        if isinstance(record, Postmortem)
        for item in record.action_items
        if item.status.is_open
    ]
    found.sort(key=lambda o: (o.item.due or date.max, o.item.priority, o.postmortem.id))
    return found


def severity_spellings(written: Iterable[str], severities: Sequence[str]) -> dict[str, str]:
    """The name each severity written on a record is counted under: the configured one it
    matches without case ("sev2" is SEV2), else the first of the names that differ from it only
    in case, in sorted order (as the browse pages share one page between them)."""
    names = sorted(set(written))
    canonical: dict[str, str] = {}
    for name in (*severities, *names):
        canonical.setdefault(name.casefold(), name)
    return {name: canonical[name.casefold()] for name in names}


def compute(records: Iterable[Record], today: date, severities: Sequence[str] = ()) -> Metrics:
    records = list(records)
    measured = measured_records(records)
    # Over every record, as the browse pages name them: one name for a severity everywhere.
    spelling = severity_spellings((r.severity for r in records), severities)
    by_month: dict[str, Counter[str]] = {}
    by_severity: Counter[str] = Counter()
    samples: dict[str, list[float]] = {name: [] for name in DURATION_NAMES}
    by_audience: dict[str, Counter[str]] = {}
    audience_totals: Counter[str] = Counter()
    for record in measured:
        start = record_start(record)
        # Months in UTC, as every date of the archive is shown.
        start = start.astimezone(UTC) if start is not None else None
        severity = spelling[record.severity]
        by_severity[severity] += 1
        if start is not None:
            by_month.setdefault(start.strftime("%Y-%m"), Counter())[severity] += 1
        if isinstance(record, Incident):
            for name, _harm in record.audiences.affected():
                audience_totals[name] += 1
                if start is not None:
                    by_audience.setdefault(start.strftime("%Y-%m"), Counter())[name] += 1
        for name, value in key_durations(record).items():
            samples[name].append(value.total_seconds())
    # A quiet month between two incidents counts as zero; a longer quiet stretch is left out
    # (a mistyped year, 2925, would list thousands of empty months): see quiet_months.
    for earlier, later in pairwise(sorted(by_month)):
        if quiet_months(earlier, later) <= QUIET_MONTHS_LISTED:
            for month in months_between(earlier, later)[1:-1]:
                by_month[month] = Counter()
    if by_audience:
        for month in by_month:
            by_audience.setdefault(month, Counter())
    durations = tuple(_duration_stats(name, samples[name]) for name in DURATION_NAMES)
    items = open_action_items(records, today)
    seen = [s for s in severities] + sorted(set(by_severity) - set(severities))
    return Metrics(
        incidents=sum(isinstance(r, Incident) for r in records),
        postmortems=sum(isinstance(r, Postmortem) for r in records),
        open_incidents=sum(
            isinstance(r, Incident) and r.status is not IncidentStatus.RESOLVED for r in records
        ),
        by_month=dict(sorted(by_month.items())),
        by_severity=by_severity,
        durations=durations,
        action_items_open=len(items),
        action_items_overdue=sum(o.overdue for o in items),
        severities=tuple(seen),
        by_audience=dict(sorted(by_audience.items())),
        audience_totals=audience_totals,
        counted=len(measured),
    )


def _duration_stats(name: str, values: list[float]) -> DurationStats:
    if not values:
        return DurationStats(name, 0, None, None)
    return DurationStats(
        name,
        len(values),
        timedelta(seconds=round(statistics.median(values))),
        timedelta(seconds=round(percentile(values, 0.9))),
    )


QUIET_MONTHS_LISTED = 60  # five years
"""The longest stretch without incidents listed month by month (with zeros): a longer one is
left out of by_month, and the tables and the chart show it as one gap."""


def quiet_months(earlier: str, later: str) -> int:
    """How many months lie strictly between two 'YYYY-MM' months."""
    (y1, m1), (y2, m2) = ((int(p) for p in month.split("-")) for month in (earlier, later))
    return max(0, (y2 - y1) * 12 + (m2 - m1) - 1)


def with_gaps(months: Iterable[str]) -> Iterator[tuple[str, int]]:
    """Each month of by_month, in order, with how many quiet months were left out just before
    it (0 but after a stretch of more than QUIET_MONTHS_LISTED)."""
    previous: str | None = None
    for month in months:
        yield month, 0 if previous is None else quiet_months(previous, month)
        previous = month


def gap_text(gap: int) -> str:
    return f"{gap} months without incidents"


def months_between(first: str, last: str) -> list[str]:
    """Every 'YYYY-MM' from first to last inclusive, so quiet months show as zero."""
    year, month = (int(part) for part in first.split("-"))
    end = tuple(int(part) for part in last.split("-"))
    months = []
    while (year, month) <= end:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def format_duration(value: timedelta | None) -> str:
    """Compact and readable: 40s, 6m, 2h 13m, 3d 4h. Under a minute to the second (a
    30-second incident was "1m", its 10-second phases "0m"), under a day to the nearest minute,
    from a day on to the nearest hour, halves rounded up as people round them (4m 30s is 5m,
    1d 2h 48m is 1d 3h)."""
    if value is None:
        return "—"
    seconds = value.total_seconds()
    sign, seconds = ("-", -seconds) if seconds < 0 else ("", seconds)
    if 0 < _nearest(seconds) < 60:
        return f"{sign}{_nearest(seconds)}s"
    minutes = _nearest(seconds / 60)
    if minutes < 24 * 60:
        hours, minutes = divmod(minutes, 60)
        if hours:
            return f"{sign}{hours}h {minutes}m" if minutes else f"{sign}{hours}h"
        return f"{sign}{minutes}m"
    days, hours = divmod(_nearest(seconds / 3600), 24)
    return f"{sign}{days}d {hours}h" if hours else f"{sign}{days}d"


def _nearest(value: float) -> int:
    """Rounded half up: round() takes a half to the even neighbour (4.5 to 4, 5.5 to 6)."""
    return math.floor(value + 0.5)


def _seconds(value: timedelta | None) -> int | None:
    return None if value is None else round(value.total_seconds())


def to_json(metrics: Metrics) -> dict[str, Any]:
    return {
        "version": 1,
        "incidents": metrics.incidents,
        "counted": metrics.counted,
        "postmortems": metrics.postmortems,
        "open_incidents": metrics.open_incidents,
        "by_severity": {name: metrics.by_severity.get(name, 0) for name in metrics.severities},
        "by_month": {
            month: {name: counts.get(name, 0) for name in metrics.severities}
            for month, counts in metrics.by_month.items()
        },
        "durations": {
            stats.name: {
                "count": stats.count,
                "median_seconds": _seconds(stats.median),
                "p90_seconds": _seconds(stats.p90),
            }
            for stats in metrics.durations
        },
        "action_items": {
            "open": metrics.action_items_open,
            "overdue": metrics.action_items_overdue,
        },
        "by_audience": {name: metrics.audience_totals.get(name, 0) for name in AUDIENCES},
        "by_month_and_audience": {
            month: {name: counts.get(name, 0) for name in AUDIENCES}
            for month, counts in metrics.by_audience.items()
        },
    }


def format_json(metrics: Metrics) -> str:
    return json.dumps(to_json(metrics), indent=2, ensure_ascii=False) + "\n"


def format_csv(metrics: Metrics) -> str:
    """One tidy table: metric, month, severity, value (durations in seconds)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["metric", "month", "severity", "value"])
    writer.writerow(["incidents", "", "", metrics.incidents])
    writer.writerow(["postmortems", "", "", metrics.postmortems])
    writer.writerow(["open_incidents", "", "", metrics.open_incidents])
    for name in metrics.severities:
        writer.writerow(["incidents_by_severity", "", name, metrics.by_severity.get(name, 0)])
    for month, counts in metrics.by_month.items():
        for name in metrics.severities:
            if counts.get(name):
                writer.writerow(["incidents_by_month", month, name, counts[name]])
    for stats in metrics.durations:
        for label, value in (("median", stats.median), ("p90", stats.p90)):
            seconds = _seconds(value)
            writer.writerow(
                [
                    f"time_to_{stats.name}_{label}_seconds",
                    "",
                    "",
                    "" if seconds is None else seconds,
                ]
            )
    writer.writerow(["action_items_open", "", "", metrics.action_items_open])
    writer.writerow(["action_items_overdue", "", "", metrics.action_items_overdue])
    for name in AUDIENCES:
        writer.writerow(["incidents_by_audience", "", name, metrics.audience_totals.get(name, 0)])
    for month, counts in metrics.by_audience.items():
        for name in AUDIENCES:
            if counts.get(name):
                writer.writerow(["incidents_by_month_and_audience", month, name, counts[name]])
    writer.writerow(["counted", "", "", metrics.counted])  # last: rows before it keep their places
    return out.getvalue()


def format_text(metrics: Metrics) -> str:
    lines = [
        f"Incidents:     {metrics.incidents} ({metrics.open_incidents} open)"
        + (
            f"; the tables count {metrics.counted}, with postmortems whose incidents are not "
            "in the archive"
            if metrics.counted != metrics.incidents
            else ""
        ),
        f"Postmortems:   {metrics.postmortems}",
        f"Action items:  {metrics.action_items_open} open, {metrics.action_items_overdue} overdue",
        "",
        "By severity:   "
        + ", ".join(f"{name} {metrics.by_severity.get(name, 0)}" for name in metrics.severities),
        "Who was hurt:  "
        + ", ".join(f"{name} {metrics.audience_totals.get(name, 0)}" for name in AUDIENCES),
        "",
        "Time to        median    p90       (incidents measured)",
    ]
    for stats in metrics.durations:
        lines.append(
            f"  {stats.name:<12} {format_duration(stats.median):<9} "
            f"{format_duration(stats.p90):<9} ({stats.count})"
        )
    if metrics.by_month:
        # Each column as wide as its name (at least five): "Critical" over its own counts.
        widths = [max(5, len(name)) for name in metrics.severities]
        lines += [
            "",
            "Month     "
            + " ".join(
                f"{name:>{width}}" for name, width in zip(metrics.severities, widths, strict=True)
            ),
        ]
        for month, gap in with_gaps(metrics.by_month):
            if gap:
                lines.append(f"…         {gap_text(gap)}")
            counts = metrics.by_month[month]
            lines.append(
                f"{month}   "
                + " ".join(
                    f"{counts.get(name, 0):>{width}}"
                    for name, width in zip(metrics.severities, widths, strict=True)
                )
            )
    if metrics.by_audience:
        lines += ["", "Month     " + " ".join(f"{name:>12}" for name in AUDIENCES)]
        for month, gap in with_gaps(metrics.by_audience):
            if gap:
                lines.append(f"…         {gap_text(gap)}")
            counts = metrics.by_audience[month]
            lines.append(
                f"{month}   " + " ".join(f"{counts.get(name, 0):>12}" for name in AUDIENCES)
            )
    return "\n".join(lines) + "\n"


FORMATS = {"text": format_text, "json": format_json, "csv": format_csv}
