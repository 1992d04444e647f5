"""Every generated page, card, picture and related panel builds from archives nobody wrote by hand:
empty ones, one record, durations of zero, missing and backfilled times, open items overdue."""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incident_docs.config import load_config
from incident_docs.models import Incident
from incident_docs.records import load_roster
from incident_docs.related import RelatedIndex, cases_from
from incident_docs.site.archive import load_site_archive
from incident_docs.site.cards import record_card
from incident_docs.site.markup import Linker
from incident_docs.site.pages import PageBuilder
from incident_docs.site.picture import incident_picture
from incident_docs.site.stage import staged_record
from support.archive import REPO

TODAY = date(2024, 6, 1)
START = datetime(2024, 1, 1, tzinfo=UTC)
HANDLES = ("dana", "priya", "sam", "lee")
WORDS = ("disk", "memory", "leak", "deploy", "dns", "cache", "queue", "latency", "timeout")
MOMENTS = ("started_at", "detected_at", "mitigated_at", "resolved_at")


@dataclass(frozen=True)
class Spec:
    """One generated incident and, perhaps, its postmortem."""

    day: int
    severity: str
    offsets: tuple[int | None, ...]  # seconds from declaration for each of MOMENTS; None: unset
    words: tuple[str, ...]
    services: tuple[str, ...]
    entries: tuple[tuple[int, str], ...]  # (seconds from declaration, kind)
    postmortem: str | None  # its status
    items: tuple[tuple[int, str], ...]  # (due in days from TODAY, status)


specs = st.builds(
    Spec,
    day=st.integers(0, 150),
    severity=st.sampled_from(("SEV1", "SEV2", "SEV3", "SEV4")),
    offsets=st.tuples(
        st.none() | st.just(0) | st.integers(-86_400, 0),
        st.none() | st.just(0) | st.integers(-3_600, 0),
        st.none() | st.just(0) | st.integers(0, 4 * 86_400),
        st.none() | st.just(0) | st.integers(0, 5 * 86_400),
    ),
    words=st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(tuple),
    services=st.lists(st.sampled_from(("api", "web", "db")), max_size=2, unique=True).map(tuple),
    entries=st.lists(
        st.tuples(
            st.integers(-7_200, 3 * 86_400),
            st.sampled_from(("note", "action", "mitigation/rollback", "mitigation", "status")),
        ),
        max_size=4,
    ).map(tuple),
    postmortem=st.none() | st.sampled_from(("draft", "in-review", "approved", "published")),
    items=st.lists(
        st.tuples(st.integers(-60, 60), st.sampled_from(("open", "in-progress", "done"))),
        max_size=3,
    ).map(tuple),
)


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _write(root: Path, number: int, spec: Spec) -> str:
    declared = START + timedelta(days=spec.day, seconds=number)
    slug = f"{'-'.join(spec.words)}-{number}"
    stem = f"{declared:%Y-%m-%d}-{slug}"
    moments = {
        name: _stamp(declared + timedelta(seconds=offset))
        for name, offset in zip(MOMENTS, spec.offsets, strict=True)
        if offset is not None
    }
    title = " ".join(spec.words).capitalize() + f" number {number}"
    incident = {
        "id": f"INC-{stem}",
        "title": title,
        "severity": spec.severity,
        "status": "resolved" if "resolved_at" in moments else "investigating",
        "declared_at": _stamp(declared),
        "declared_by": "dana",
        **moments,
        "services": list(spec.services),
        "tags": list(spec.words),
        "roles": {"incident_commander": "dana", "communications_lead": "priya", "ops_lead": "sam"},
    }
    lines = [
        f"- {_stamp(declared + timedelta(seconds=at))} **{kind}** by sam: {' '.join(spec.words)} {i}"
        for i, (at, kind) in enumerate(sorted(spec.entries))
    ]
    body = f"# {title}\n\n## Summary\n\nThe {' '.join(spec.words)} went wrong.\n\n## Timeline\n\n"
    (root / "incidents" / f"INC-{stem}.md").write_text(
        f"---\n{yaml.safe_dump(incident, sort_keys=False)}---\n\n{body}" + "\n".join(lines) + "\n",
        encoding="utf-8",
    )
    if spec.postmortem is not None:
        postmortem = {
            "id": f"PM-{stem}",
            "title": f"Postmortem: {title}",
            "incidents": [f"INC-{stem}"],
            "status": spec.postmortem,
            "severity": spec.severity,
            "authors": ["sam"],
            "reviewers": ["priya"],
            "declared_at": _stamp(declared),
            **moments,
            "services": list(spec.services),
            "action_items": [
                {
                    "title": f"Fix the {spec.words[0]} {i}",
                    "owner": HANDLES[i % len(HANDLES)],
                    "type": "prevent",
                    "priority": "P2",
                    "due": (TODAY + timedelta(days=due)).isoformat(),
                    "status": status,
                }
                for i, (due, status) in enumerate(spec.items)
            ],
        }
        (root / "postmortems" / f"PM-{stem}.md").write_text(
            f"---\n{yaml.safe_dump(postmortem, sort_keys=False)}---\n\n# Postmortem: {title}\n\n"
            "## Summary\n\nIt broke.\n\n## Resolution\n\nWe rolled it back.\n",
            encoding="utf-8",
        )
    return f"INC-{stem}"


def _repository(root: Path) -> None:
    (root / "incidents").mkdir()
    (root / "postmortems").mkdir()
    (root / "pyproject.toml").write_text("[tool.incident-docs]\n", encoding="utf-8")
    (root / "people.yaml").write_bytes((REPO / "people.yaml").read_bytes())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(specs, max_size=6))
def test_generated_archives_build_every_page(archive_specs: list[Spec]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        _repository(root)
        spec_of = {_write(root, n, spec): spec for n, spec in enumerate(archive_specs)}
        ids = list(spec_of)
        config = load_config(root)
        archive = load_site_archive(root, config, load_roster(root, config))
        assert sorted(record.id for record in archive.incidents) == sorted(ids)

        pages = {page.src_uri: page.content for page in PageBuilder(archive, TODAY).pages()}
        for incident_id in ids:
            assert incident_id in pages["incidents/index.md"]
        overdue = sum(
            1
            for spec in archive_specs
            if spec.postmortem is not None
            for due, status in spec.items
            if due < 0 and status != "done"
        )
        tile = re.search(
            r'value">(\d+)</span><span class="idocs-tile__label">overdue', pages["action-items.md"]
        )
        assert tile is not None and int(tile.group(1)) == overdue

        index = RelatedIndex(cases_from(archive.records, archive.config))
        for record in archive.records:
            card = record_card(archive, record, Linker(record.src_uri, True), TODAY)
            assert f">{record.severity}<" in card
            assert staged_record(archive, record, TODAY).count("<script") == 0
            if isinstance(record.record, Incident):
                assert len(record.timeline) == len(spec_of[record.id].entries)
                picture = incident_picture(record.record, record.timeline)
                times = {record.record.declared_at, *(entry.time for entry in record.timeline)}
                times |= {getattr(record.record, name) for name in MOMENTS} - {None}
                assert bool(picture) == (len(times) > 1)
                assert "nan" not in picture and "<script" not in picture
            case = index.by_id.get(record.id)
            if case is not None:
                assert all(match.case is not case for match in index.similar_to(case))
