"""`incident similar` on a large archive: what it reads of each record is kept between commands,
and what it finds is what reading every record finds."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pydantic
import pytest
import yaml

from incident_docs import casecache, records
from incident_docs.config import load_config
from incident_docs.document import read_document
from incident_docs.related import Part, RelatedIndex, cases_from, cases_of, part_of
from incident_docs.timeline import format_time
from support.archive import CHRISTMAS
from support.cli import RunCli

CACHE = Path(casecache.CACHE_DIR) / casecache.CACHE_FILE


@pytest.fixture(autouse=True)
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Records written a moment ago are kept too (they would be after two seconds)."""
    monkeypatch.setattr(casecache, "RACY_SECONDS", 0)


def _hostile(root: Path) -> None:
    """Records written every way a person or another tool may write them."""
    incidents = root / "incidents"
    christmas = (incidents / f"INC-{CHRISTMAS}.md").read_text(encoding="utf-8")

    def variant(name: str, text: str) -> str:
        return text.replace(f"INC-{CHRISTMAS}", f"INC-2024-01-{name}")

    anchored = variant("01-anchored", christmas).replace(
        "tags: [", "tags: &labels [", 1
    )  # an anchor nothing uses
    (incidents / "INC-2024-01-01-anchored.md").write_text(anchored, encoding="utf-8")
    crlf = variant("02-crlf", christmas).replace("\n", "\r\n")
    (incidents / "INC-2024-01-02-crlf.md").write_bytes(crlf.encode())
    bom = variant("03-bom", christmas)
    (incidents / "INC-2024-01-03-bom.md").write_bytes("\ufeff".encode() + bom.encode())
    latin = variant("04-latin", christmas).replace("Corrupt", "Corrupt caf\u00e9", 1)
    (incidents / "INC-2024-01-04-latin.md").write_bytes(latin.encode("latin-1", "replace"))
    (incidents / "INC-2024-01-05-utf16.md").write_bytes(
        variant("05-utf16", christmas).encode("utf-16")
    )
    commented = variant("06-commented", christmas).replace(
        "\nseverity:", "\n# moved from the old tracker\nseverity:", 1
    )
    commented = commented.replace("services: [", "services: [  # the first one\n  ", 1)
    (incidents / "INC-2024-01-06-commented.md").write_text(commented, encoding="utf-8")
    one = variant("07-one-service", christmas)
    one = "\n".join(
        "services: web-frontend" if line.startswith("services:") else line
        for line in one.split("\n")
    )
    (incidents / "INC-2024-01-07-one-service.md").write_text(one, encoding="utf-8")
    thai = variant("08-thai", christmas).replace(
        "## Summary\n", "## Summary\n\nระบบชำระเงินล่ม 接続失敗 Zahlungsstörung\n", 1
    )
    (incidents / "INC-2024-01-08-thai.md").write_text(thai, encoding="utf-8")
    naive = variant("09-naive", christmas).replace("+00:00\n", "\n").replace("Z\n", "\n")
    (incidents / "INC-2024-01-09-naive.md").write_text(naive, encoding="utf-8")
    fenced = variant("10-fenced", christmas).replace(
        "## Timeline", "```\n## Timeline\n- not a heading\n```\n\n## Timeline", 1
    )
    (incidents / "INC-2024-01-10-fenced.md").write_text(fenced, encoding="utf-8")
    (incidents / "INC-2024-01-11-linked.md").symlink_to("INC-2024-01-06-commented.md")
    (incidents / "INC-2024-01-12-binary.md").write_bytes(b"\x00\x01\x02")


def _found(root: Path, parts: list[Part] | None = None) -> list[object]:
    """Every case's similar cases as a person sees them: IDs, title, when, what mitigated it,
    and the score, in order."""
    config = load_config(root)
    if parts is None:
        cases = cases_from(records.read_archive(root, config).records, config)
    else:
        cases = cases_of(parts)
    index = RelatedIndex(cases)
    return [
        (
            case.ids,
            [
                (m.case.ids, m.case.title, m.case.severity, m.case.services, m.case.tags,
                 format_time(m.case.when) if m.case.when else None, m.case.fix, m.score)
                for m in index.similar_to(case, 10)
            ],
        )
        for case in sorted(cases, key=lambda case: case.key)
    ] + [index.search("memory leak crash loop rollback", ["web-frontend"], [], 10)]  # fmt: skip


def records_read(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the record files the cache reads from here on, in the order it reads them."""
    read: list[str] = []
    loading = records.load_record

    def counted(path: Path, root: Path, config: object) -> object:
        read.append(path.name)
        return loading(path, root, config)  # type: ignore[arg-type]

    monkeypatch.setattr(casecache, "load_record", counted)
    return read


def test_kept_parts_find_what_reading_every_record_finds(archive: Path) -> None:
    _hostile(archive)
    config = load_config(archive)
    full = _found(archive)
    skipped = records.read_archive(archive, config).skipped
    assert "incidents/INC-2024-01-05-utf16.md" in skipped
    cold, cold_skipped = casecache.archive_parts(archive, config)
    assert (archive / CACHE).is_file()
    warm, warm_skipped = casecache.archive_parts(archive, config)
    assert cold_skipped == warm_skipped == skipped
    assert warm == cold
    assert _found(archive, cold) == _found(archive, warm) == full


def test_similar_reads_again_only_the_records_that_changed(
    archive: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every record read and validated each time took seconds on a large archive.
    first = run_cli(archive, "similar", f"INC-{CHRISTMAS}", "--format", "json")
    assert first.exit_code == 0, first.output
    read = records_read(monkeypatch)
    again = run_cli(archive, "similar", f"INC-{CHRISTMAS}", "--format", "json")
    assert again.stdout == first.stdout
    assert read == []
    # Edited to the same size, its modification time put back: read again all the same.
    changed = archive / "incidents" / "INC-2023-08-02-cdn-certificate-expiry.md"
    before = changed.stat()
    text = changed.read_text(encoding="utf-8")
    changed.write_text(text.replace("title: Expired", "title: Stale  ", 1), encoding="utf-8")
    os.utime(changed, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert changed.stat().st_size == before.st_size
    result = run_cli(archive, "similar", "--text", "stale certificate", "--format", "json")
    assert read == [changed.name]
    assert '"title": "Stale   CDN certificate' in result.stdout


def test_a_broken_cache_is_read_around(archive: Path, run_cli: RunCli) -> None:
    expected = run_cli(archive, "similar", f"INC-{CHRISTMAS}").stdout
    (archive / CACHE).write_bytes(b"not a database" * 100)
    result = run_cli(archive, "similar", f"INC-{CHRISTMAS}")
    assert result.exit_code == 0, result.output
    assert result.stdout == expected
    assert run_cli(archive, "similar", f"INC-{CHRISTMAS}").stdout == expected
    assert (archive / CACHE).read_bytes().startswith(b"SQLite format 3")  # made again


def test_declare_reads_no_record_but_the_new_one_when_none_changed(
    archive: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Declaring read and validated the latest thousand records each time: seconds at 3 a.m.
    assert run_cli(archive, "similar", f"INC-{CHRISTMAS}").exit_code == 0
    read: list[str] = []
    reading = read_document

    def counted(path: Path, display: str, **options: object) -> object:
        read.append(display)
        return reading(path, display, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(records, "read_document", counted)
    declared = run_cli(
        archive, "declare", "Memory leak after deploy", "--service", "web-frontend",
        "--tag", "deployment", "--by", "sam", "--yes",
    )  # fmt: skip
    assert declared.exit_code == 0, declared.output
    assert f"Like it before (incident similar for more):\n  INC-{CHRISTMAS}" in declared.stderr
    [new] = read
    assert new.startswith("incidents/INC-") and new.endswith("memory-leak-after-deploy.md")


@pytest.mark.parametrize(
    "link", [casecache.CACHE_DIR, f"{casecache.CACHE_DIR}/{casecache.CACHE_FILE}-journal"]
)
def test_a_committed_link_never_has_the_cache_written_where_it_points(
    archive: Path, run_cli: RunCli, tmp_path: Path, link: str
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (archive / casecache.CACHE_DIR).mkdir(exist_ok=True)
    if link == casecache.CACHE_DIR:
        (archive / link).rmdir()
        (archive / link).symlink_to(outside)
    else:
        (archive / link).symlink_to(outside / "journal")
    expected = run_cli(archive, "similar", f"INC-{CHRISTMAS}")
    assert expected.exit_code == 0, expected.output
    assert list(outside.iterdir()) == []
    assert run_cli(archive, "similar", f"INC-{CHRISTMAS}").stdout == expected.stdout


def test_a_changed_configuration_reads_every_record_again(archive: Path, run_cli: RunCli) -> None:
    # A section read under an alias the configuration gives it only now: kept parts read
    # without the alias would leave its words out.
    path = archive / "postmortems" / "PM-2023-08-02-cdn-certificate-expiry.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            "## Contributing factors\n", "## Aquarium\n\nA zebrafish ate the renewal job.\n"
        ),
        encoding="utf-8",
    )
    asked = ("similar", "--text", "zebrafish", "--format", "json")
    assert run_cli(archive, *asked).stdout.strip() == "[]"
    config = archive / "pyproject.toml"
    aliases = '\n[tool.incident-docs.section-aliases]\n"Contributing factors" = ["Aquarium"]\n'
    config.write_text(config.read_text(encoding="utf-8") + aliases, encoding="utf-8")
    found = run_cli(archive, *asked)
    assert found.exit_code == 0, found.output
    assert "INC-2023-08-02-cdn-certificate-expiry" in found.stdout


def test_a_damaged_cache_is_made_again(
    archive: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A database whose first page was whole but whose records were not opened, and every read of
    # it failed: each run read every record again, and the cache was never made again.
    expected = run_cli(archive, "similar", f"INC-{CHRISTMAS}").stdout
    with sqlite3.connect(archive / CACHE) as db:
        [(root,)] = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'parts'")
        [(size,)] = db.execute("PRAGMA page_size")
    db.close()
    with (archive / CACHE).open("r+b") as damaged:
        damaged.seek((root - 1) * size)
        damaged.write(b"\xff" * size)
    result = run_cli(archive, "similar", f"INC-{CHRISTMAS}")
    assert result.exit_code == 0, result.output
    assert result.stdout == expected
    read = records_read(monkeypatch)
    assert run_cli(archive, "similar", f"INC-{CHRISTMAS}").stdout == expected
    assert read == []


@pytest.mark.parametrize("library", [yaml, pydantic])
def test_an_upgraded_reader_of_the_records_reads_every_record_again(
    archive: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, library: object
) -> None:
    # PyYAML reads the front-matter and pydantic validates it: upgraded, either may read a
    # record otherwise, and the parts kept by the old one were used all the same.
    asked = ("similar", f"INC-{CHRISTMAS}", "--format", "json")
    expected = run_cli(archive, *asked).stdout
    read = records_read(monkeypatch)
    name = "__version__" if library is yaml else "VERSION"
    monkeypatch.setattr(library, name, "99.0")
    assert run_cli(archive, *asked).stdout == expected
    assert f"INC-{CHRISTMAS}.md" in read


def test_a_command_of_the_old_configuration_keeps_nothing_once_a_new_one_ran(
    archive: Path, run_cli: RunCli
) -> None:
    # A command still reading when the configuration changed and another command emptied the
    # cache for the new one wrote its parts after: read under the old configuration, they were
    # kept as the new one's, and found nothing the new aliases name until the records changed.
    path = archive / "postmortems" / "PM-2023-08-02-cdn-certificate-expiry.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            "## Contributing factors\n", "## Aquarium\n\nA zebrafish ate the renewal job.\n"
        ),
        encoding="utf-8",
    )
    old = load_config(archive)
    asked = ("similar", "--text", "zebrafish", "--format", "json")
    with casecache._Cache.opened(archive, old) as cache:
        for file, display in records.record_paths(archive, old)[0]:
            record = records.load_record(file, archive, old)
            stamp = casecache._stamp(file)
            assert record is not None and stamp is not None
            cache.put(display, stamp, (part_of(record, old),))
        config = archive / "pyproject.toml"
        aliases = '\n[tool.incident-docs.section-aliases]\n"Contributing factors" = ["Aquarium"]\n'
        config.write_text(config.read_text(encoding="utf-8") + aliases, encoding="utf-8")
        found = run_cli(archive, *asked)
        assert "INC-2023-08-02-cdn-certificate-expiry" in found.stdout
    again = run_cli(archive, *asked)
    assert again.exit_code == 0, again.output
    assert again.stdout == found.stdout
