"""Incident commands on hostile input: absurd times, paths outside the archive, broken records."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from incident_docs import cli_incident, scaffold
from incident_docs.cli import main
from incident_docs.config import find_root
from incident_docs.document import parse_text
from incident_docs.records import peek_resolved
from support.archive import copy_archive
from support.cli import RunCli

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
OPEN = "INC-2026-11-20-search-latency"
BROKEN = "---\nid: [unclosed\n---\n"


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(cli_incident, "CLOCK", lambda: NOW)
    monkeypatch.setattr(cli_incident, "_terminal", lambda: False)
    # Relative paths are tried from the current folder first: keep it away from the real archive.
    monkeypatch.chdir(tmp_path)


def one_line_error(result: Result, *expected: str) -> str:
    """The command failed with exit 2 and a single `incident: error:` line holding `expected`."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("incident: error: "), result.stderr
    for text in expected:
        assert text in lines[0], lines[0]
    return lines[0]


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


# --- absurd times -------------------------------------------------------------------------------

HUGE = "-99999999999m"


@pytest.mark.parametrize(
    "args",
    [
        ("declare", "-y", "x", "--by", "sam"),
        ("log", "pwned", "--by", "sam", "-i", OPEN),
        ("assign", "comms", "lee", "--by", "sam", "-i", OPEN),
        ("status", "resolved", "--by", "sam", "-i", OPEN),
        ("resolve", "done", "--by", "sam", "-i", OPEN),
    ],
)
@pytest.mark.parametrize(
    ("at", "message"),
    [
        (HUGE, "between 1970 and 2999"),
        ("99999999999h ago", "between 1970 and 2999"),
        ("-9000000h", "between 1970 and 2999"),  # about 1000 years back
        ("0001-01-01T00:00:00Z", "between 1970 and 2999"),
        ("1969-12-31T23:59:00Z", "between 1970 and 2999"),
    ],
)
def test_an_absurd_time_is_a_one_line_error_and_changes_nothing(
    archive: Path, run_cli: RunCli, args: tuple[str, ...], at: str, message: str
) -> None:
    before = snapshot(archive)
    one_line_error(run_cli(archive, *args, "--at", at), "--at", message)
    assert snapshot(archive) == before


@pytest.mark.parametrize(
    ("at", "says"),
    [
        ("2026-12-01T10:00:00+25:00", "has a UTC offset of a day or more"),
        ("2026-11-30T23:59:60Z", "is not a valid date and time: second must be in 0..59"),
        ("2026-11-31T10:00:00Z", "is not a valid date and time: day is out of range for month"),
        ("2026-11-30T10:00:00+00:75", "has a UTC offset whose minutes are 60 or more"),
    ],
)
def test_a_time_that_names_no_moment_says_why(
    archive: Path, run_cli: RunCli, at: str, says: str
) -> None:
    result = run_cli(archive, "log", "probe", "--by", "sam", "-i", OPEN, "--at", at)
    one_line_error(result, f"--at '{at}' {says}")


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("show", "INC-x\nfoo"), "no incident matches 'INC-x\\u000afoo'"),
        (("log", "probe", "--by", "sam", "-i", OPEN, "--at", "noon\nx"), "--at 'noon\\u000ax'"),
        (("lint", "--select", "BL\nX"), "unknown rule code or prefix 'BL\\u000aX'"),
        (("list", "--severity", "SEV\n9"), "'SEV\\u000a9' is not a configured severity"),
    ],
)
def test_a_value_with_a_line_break_is_quoted_on_the_errors_one_line(
    archive: Path, run_cli: RunCli, args: tuple[str, ...], says: str
) -> None:
    one_line_error(run_cli(archive, *args), says)


@pytest.mark.parametrize("interval", ["99999999999h", "99999999999", "9999999h"])
def test_an_absurd_next_update_is_a_one_line_error(
    archive: Path, run_cli: RunCli, interval: str
) -> None:
    result = run_cli(archive, "update", "-i", OPEN, "--next-update", interval, "--log")
    one_line_error(result, f"--next-update '{interval}'", "too long")


@pytest.mark.parametrize("interval", ["1d", "2 days", "1.5h", "soon"])
def test_a_next_update_that_is_not_a_duration_names_the_option(
    archive: Path, run_cli: RunCli, interval: str
) -> None:
    # It said "'1d' is not a duration", naming no option.
    result = run_cli(archive, "update", "-i", OPEN, "--next-update", interval, "--log")
    one_line_error(result, f"--next-update '{interval}'", "is not a duration")


@pytest.mark.parametrize(
    ("interval", "message"),
    [
        ("0", "at least a minute away"),
        ("0m", "at least a minute away"),
        ("0h0m", "at least a minute away"),
        ("10000h", "too long: the next update is at most 168h (a week)"),
        ("169h", "too long: the next update is at most 168h (a week)"),
    ],
)
def test_a_next_update_due_now_or_beyond_a_week_is_a_one_line_error_and_logs_nothing(
    archive: Path, run_cli: RunCli, interval: str, message: str
) -> None:
    before = snapshot(archive)
    result = run_cli(
        archive, "update", "-i", OPEN, "--next-update", interval, "--log", "--by", "sam"
    )
    one_line_error(result, f"--next-update '{interval}'", message)
    assert result.stdout == ""
    assert snapshot(archive) == before


@pytest.mark.parametrize(
    ("interval", "shown"),
    [
        ("1", "in 1 minute"),
        ("1h", "in 1 hour"),
        ("1h30m", "in 1 hour 30 minutes"),
        ("90", "in 1 hour 30 minutes"),
        ("168h", "in 7 days"),
    ],
)
def test_the_next_update_is_due_in_words(
    archive: Path, run_cli: RunCli, interval: str, shown: str
) -> None:
    for audience in ("internal", "public"):
        result = run_cli(
            archive, "update", "-i", OPEN, "--next-update", interval, "--audience", audience
        )
        assert result.exit_code == 0, result.output
        assert f"({shown})" in result.stdout


def test_a_long_but_sane_next_update_still_works(archive: Path, run_cli: RunCli) -> None:
    result = run_cli(archive, "update", "-i", OPEN, "--next-update", "48h")
    assert result.exit_code == 0, result.output
    assert "(in 2 days)" in result.stdout


# --- paths outside the archive ------------------------------------------------------------------


@pytest.fixture
def outside(archive: Path) -> Path:
    """A valid incident record in a folder outside the repository."""
    folder = archive.parent / "elsewhere"
    folder.mkdir()
    path = folder / f"{OPEN}.md"
    path.write_bytes((archive / "incidents" / f"{OPEN}.md").read_bytes())
    return path


@pytest.mark.parametrize(
    "command",
    [
        ("log", "pwned", "--by", "sam"),
        ("assign", "comms", "lee", "--by", "sam"),
        ("status", "resolved", "--by", "sam"),
        ("resolve", "done", "--by", "sam"),
        ("show",),
        ("update", "--log", "--by", "sam"),
        ("postmortem",),
    ],
)
def test_a_record_path_outside_the_incidents_folder_is_refused(
    archive: Path, run_cli: RunCli, outside: Path, command: tuple[str, ...]
) -> None:
    before = outside.read_bytes()
    inside_repo = archive / "docs" / "copy.md"
    inside_repo.parent.mkdir()
    inside_repo.write_bytes(before)
    sneaky = f"{archive}/incidents/../../elsewhere/{OPEN}.md"
    for given in (str(outside), sneaky, str(inside_repo), "/etc/passwd"):
        result = run_cli(archive, *command, "-i", given)
        one_line_error(result, f"{given}: not an incident record inside incidents/")
    assert outside.read_bytes() == before
    assert inside_repo.read_bytes() == before
    assert not (archive / "postmortems" / f"PM-{OPEN[4:]}.md").exists()


def test_a_records_folder_linked_out_of_the_repository_is_not_written(
    archive: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere"
    (archive / "incidents").rename(outside)
    (archive / "incidents").symlink_to(outside)
    before = snapshot(outside)
    declared = run_cli(
        archive, "declare", "Outside", "--because", "user-facing", "--by", "sam", "--yes"
    )
    one_line_error(declared, "incidents: symbolic link leads outside the repository")
    logged = run_cli(archive, "log", "written outside", "--by", "sam", "-i", OPEN)
    one_line_error(logged, "symbolic link leads outside the repository")
    # Written through another link to the repository, the path is not under it as written.
    link = tmp_path / "link"
    link.symlink_to(archive)
    given = str(link / "incidents" / f"{OPEN}.md")
    through = run_cli(archive, "log", "written outside", "--by", "sam", "-i", given)
    assert through.exit_code == 2, through.output
    assert snapshot(outside) == before


@pytest.mark.parametrize(
    ("folder", "command"),
    [
        ("incidents", ("list",)),
        ("incidents", ("stats",)),
        ("incidents", ("similar", "--text", "certificate")),
        ("postmortems", ("actions",)),
        ("postmortems", ("stats",)),
        ("postmortems", ("similar", "--text", "certificate")),
    ],
)
def test_a_records_folder_linked_out_of_the_repository_is_named_not_read_as_empty(
    archive: Path, run_cli: RunCli, tmp_path: Path, folder: str, command: tuple[str, ...]
) -> None:
    outside = tmp_path / "elsewhere"
    (archive / folder).rename(outside)
    (archive / folder).symlink_to(outside)
    result = run_cli(archive, *command)
    assert result.exit_code == 0, result.output
    assert f"1 record skipped (run 'incident lint' to see why): {folder}\n" in result.stderr


@pytest.mark.parametrize("linked", ["folder", "file"])
def test_a_postmortem_linked_out_of_the_repository_is_not_shown(
    archive: Path, run_cli: RunCli, tmp_path: Path, linked: str
) -> None:
    name = "PM-2023-08-02-cdn-certificate-expiry"
    if linked == "folder":
        (archive / "postmortems").rename(tmp_path / "elsewhere")
        (archive / "postmortems").symlink_to(tmp_path / "elsewhere")
    else:
        (archive / "postmortems" / f"{name}.md").rename(tmp_path / "elsewhere.md")
        (archive / "postmortems" / f"{name}.md").symlink_to(tmp_path / "elsewhere.md")
    for given in (name, f"postmortems/{name}.md"):
        result = run_cli(archive, "show", given)
        one_line_error(result, "symbolic link leads outside the repository")
        assert "expired CDN certificate" not in result.stdout


def test_an_incident_in_a_folder_linked_out_of_the_repository_is_not_shown(
    archive: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    (archive / "incidents").rename(tmp_path / "elsewhere")
    (archive / "incidents").symlink_to(tmp_path / "elsewhere")
    result = run_cli(archive, "show", OPEN)
    one_line_error(result, f"incidents/{OPEN}.md: symbolic link leads outside the repository")
    assert "Search results slow" not in result.stdout


def test_declare_where_the_incidents_folder_is_a_file_names_it(
    archive: Path, run_cli: RunCli
) -> None:
    for record in (archive / "incidents").iterdir():
        record.unlink()
    (archive / "incidents").rmdir()
    (archive / "incidents").write_text("not a folder\n")
    result = run_cli(archive, "declare", "Broken", "--because", "user-facing", "--by", "sam", "-y")
    one_line_error(result, "incident: error: incidents: the records folder is not a folder")
    assert (archive / "incidents").read_text() == "not a folder\n"


def test_declare_where_the_incidents_folder_links_to_nothing_names_it(
    archive: Path, run_cli: RunCli
) -> None:
    for record in (archive / "incidents").iterdir():
        record.unlink()
    (archive / "incidents").rmdir()
    (archive / "incidents").symlink_to(archive / "gone")
    result = run_cli(archive, "declare", "Broken", "--because", "user-facing", "--by", "sam", "-y")
    one_line_error(
        result, "incident: error: incidents: the records folder is a symbolic link to nothing"
    )
    assert not (archive / "gone").exists()


def test_a_read_only_record_is_not_changed(archive: Path, run_cli: RunCli) -> None:
    record = archive / "incidents" / f"{OPEN}.md"
    before = record.read_bytes()
    record.chmod(0o444)
    result = run_cli(archive, "log", "more", "--by", "sam", "-i", OPEN)
    one_line_error(result, f"incidents/{OPEN}.md: the file is read-only")
    assert record.read_bytes() == before


def test_a_path_to_no_file_is_refused_not_matched_by_its_name(
    archive: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    record = archive / "incidents" / f"{OPEN}.md"
    before = record.read_bytes()
    # Another clone's path, or a stale one: its name is a record's here, its file is no record.
    for given in (str(tmp_path / "other-clone" / "incidents" / f"{OPEN}.md"), f"old/{OPEN}.md"):
        result = run_cli(archive, "log", "written here", "--by", "sam", "-i", given)
        one_line_error(result, f"{given}: no such file")
    assert record.read_bytes() == before
    # A name alone is still matched, and so is a part of one in incidents/.
    assert run_cli(archive, "log", "found", "--by", "sam", "-i", f"{OPEN}.md").exit_code == 0
    part = str(archive / "incidents" / "search-latency")
    assert run_cli(archive, "log", "found", "--by", "sam", "-i", part).exit_code == 0


def test_a_record_path_inside_the_incidents_folder_still_works(
    archive: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(archive)  # relative paths are read from the current folder
    for given in (f"{archive}/incidents/{OPEN}.md", f"incidents/{OPEN}.md", f"{OPEN}.md"):
        result = run_cli(archive, "log", f"via {given}", "--by", "sam", "-i", given)
        assert result.exit_code == 0, result.output
        assert f"by sam: via {given}" in (archive / "incidents" / f"{OPEN}.md").read_text()


@pytest.mark.parametrize(
    "command",
    [("log", "pwned", "--by", "sam"), ("show",), ("update", "--log", "--by", "sam")],
)
def test_a_record_that_links_outside_the_repository_is_neither_read_nor_replaced(
    archive: Path, run_cli: RunCli, outside: Path, command: tuple[str, ...]
) -> None:
    (archive / "incidents" / f"{OPEN}.md").unlink()
    link = archive / "incidents" / f"{OPEN}.md"
    link.symlink_to(outside)
    before = outside.read_bytes()
    for given in (OPEN, f"incidents/{OPEN}.md", str(link)):
        result = run_cli(archive, *command, "-i", given)
        one_line_error(result, "symbolic link leads outside the repository")
        assert "Search results slow" not in result.stdout
    assert link.is_symlink() and link.resolve() == outside.resolve()
    assert outside.read_bytes() == before


def test_a_link_inside_the_repository_is_edited_through_and_stays_a_link(
    archive: Path, run_cli: RunCli
) -> None:
    store = archive / "store"
    store.mkdir()
    real = store / f"{OPEN}.md"
    (archive / "incidents" / f"{OPEN}.md").rename(real)
    link = archive / "incidents" / f"{OPEN}.md"
    link.symlink_to(Path("..") / "store" / f"{OPEN}.md")
    result = run_cli(archive, "log", "through the link", "--by", "sam", "-i", OPEN)
    assert result.exit_code == 0, result.output
    assert link.is_symlink()
    assert "by sam: through the link" in real.read_text()


# --- broken records -----------------------------------------------------------------------------


@pytest.fixture
def broken(archive: Path) -> list[str]:
    (archive / "incidents" / "INC-2024-01-01-bad.md").write_text(BROKEN)
    (archive / "incidents" / "notes.md").write_text("Just some notes.\n")
    return ["incidents/INC-2024-01-01-bad.md", "incidents/notes.md"]


@pytest.mark.parametrize(
    "args", [("list",), ("list", "--format", "json"), ("stats",), ("stats", "--format", "json")]
)
def test_list_and_stats_say_which_records_they_skipped(
    archive: Path, run_cli: RunCli, broken: list[str], args: tuple[str, ...]
) -> None:
    result = run_cli(archive, *args)
    assert result.exit_code == 0, result.output
    assert (
        f"incident: warning: {len(broken)} records skipped (run 'incident lint' to see why): "
        + ", ".join(broken)
        in result.stderr
    )
    if args[-1] == "json":
        json.loads(result.stdout)  # the warning stays out of the machine-readable output


def test_list_of_a_clean_archive_warns_about_nothing(archive: Path, run_cli: RunCli) -> None:
    result = run_cli(archive, "list")
    assert result.exit_code == 0 and OPEN in result.stdout
    assert "warning" not in result.stderr


def test_list_does_not_blame_a_broken_postmortem_on_the_incidents(
    archive: Path, run_cli: RunCli
) -> None:
    (archive / "postmortems" / "PM-2024-01-01-bad.md").write_text(BROKEN)
    assert "skipped" not in run_cli(archive, "list").stderr
    assert "1 record skipped" in run_cli(archive, "stats").stderr


def test_list_names_a_broken_record_in_the_postmortems_folder_that_may_be_an_incident(
    archive: Path, run_cli: RunCli
) -> None:
    """A valid incident filed under postmortems/ is listed; broken, it was left out unnamed."""
    record = (archive / "incidents" / f"{OPEN}.md").read_text()
    moved = record.replace(f"id: {OPEN}\n", f"id:\n  {OPEN}\n", 1)
    (archive / "incidents" / f"{OPEN}.md").unlink()
    (archive / "postmortems" / "search.md").write_text(moved)
    assert OPEN in run_cli(archive, "list").stdout
    (archive / "postmortems" / "search.md").write_text(moved.replace("title: ", 'title: "', 1))
    result = run_cli(archive, "list")
    assert result.exit_code == 0 and OPEN not in result.stdout
    assert (
        "incident: warning: 1 record skipped (run 'incident lint' to see why): "
        "postmortems/search.md\n" in result.stderr
    )


def test_the_only_open_incident_is_the_only_valid_open_one(
    archive: Path, run_cli: RunCli, broken: list[str]
) -> None:
    result = run_cli(archive, "log", "still works", "--by", "sam")
    assert result.exit_code == 0, result.output
    assert "by sam: still works" in (archive / "incidents" / f"{OPEN}.md").read_text()
    assert f"{len(broken)} records that do not validate" in result.stderr
    assert (archive / "incidents" / "INC-2024-01-01-bad.md").read_text() == BROKEN


def test_with_no_valid_open_incident_the_error_names_the_broken_record(
    archive: Path, run_cli: RunCli
) -> None:
    (archive / "incidents" / f"{OPEN}.md").unlink()
    (archive / "incidents" / "INC-2024-01-01-bad.md").write_text(BROKEN)
    one_line_error(
        run_cli(archive, "log", "x", "--by", "sam"),
        "no open incident",
        "and 1 record that does not validate: incidents/INC-2024-01-01-bad.md",
    )


def test_with_several_open_incidents_the_error_also_names_the_broken_record(
    archive: Path, run_cli: RunCli
) -> None:
    assert run_cli(archive, "declare", "-y", "second", "--by", "sam").exit_code == 0
    (archive / "incidents" / "INC-2024-01-01-bad.md").write_text(BROKEN)
    one_line_error(
        run_cli(archive, "log", "x", "--by", "sam"),
        "2 incidents are open",
        "and 1 record that does not validate: incidents/INC-2024-01-01-bad.md",
    )


def test_a_broken_record_that_says_it_is_resolved_is_no_candidate_for_the_open_one(
    archive: Path, run_cli: RunCli
) -> None:
    # Resolved records are passed over unparsed: however broken, none could be the open one.
    (archive / "incidents" / "INC-2024-01-01-bad.md").write_text(
        "---\nid: INC-2024-01-01-bad\nstatus: resolved\nseverity: [unclosed\n---\n"
    )
    result = run_cli(archive, "log", "still works", "--by", "sam")
    assert result.exit_code == 0, result.output
    assert "warning" not in result.stderr


@pytest.mark.parametrize(
    "status",
    [
        "status: resolved\n  until it came back\n",  # a value over two lines
        "status: >-\n  resolved\n",
        "status: resolved#not a comment\n",
        'status: "resolved\n  or not"\n',
    ],
)
def test_a_record_that_only_seems_resolved_is_read_in_full(
    archive: Path, run_cli: RunCli, status: str
) -> None:
    text = (archive / "incidents" / f"{OPEN}.md").read_text()
    (archive / "incidents" / "INC-2024-01-01-odd.md").write_text(
        "---\nid: INC-2024-01-01-odd\n" + status + "---\n"
    )
    result = run_cli(archive, "log", "x", "--by", "sam")
    assert result.exit_code == 0, result.output
    assert "1 record that does not validate: incidents/INC-2024-01-01-odd.md" in result.stderr
    assert (archive / "incidents" / f"{OPEN}.md").read_text() != text


TITLE = "title: Search results slow after index rebuild\n"
CLOSER = "mitigated_at: 2026-11-20T15:10:00Z\n"


@pytest.mark.parametrize(
    ("status", "where", "hiding"),
    [
        ("? status\n: monitoring\n", TITLE, 'title: "Search slow\nstatus: resolved\nagain"\n'),
        ('"stat\\u0075s": monitoring\n', TITLE, "title: 'Search slow\nstatus: resolved\nagain'\n"),
        ("!!str status: monitoring\n", TITLE, 'title: !!str "Search\nstatus: resolved\nslow"\n'),
        (
            "&s status: monitoring\n",
            TITLE,
            'title:\u2028  "Search slow\nstatus: resolved\nagain"\n',
        ),
        # The parser ends the front-matter at '---' and blanks, as str.strip() sees them.
        ("? status\n: monitoring\n", "\n---\n", "\n---\u00a0\nstatus: resolved\n---\n"),
    ],
)
def test_an_open_incident_with_a_resolved_line_in_a_value_is_still_open(
    archive: Path, run_cli: RunCli, status: str, where: str, hiding: str
) -> None:
    # A 'status: resolved' line a quoted value left open holds (or the body), the real status
    # spelled otherwise: the incident is open, a second one, and no entry goes to the first.
    source = (archive / "incidents" / f"{OPEN}.md").read_text(encoding="utf-8")
    other = OPEN.replace("search-latency", "search-again")
    text = source.replace(OPEN, other).replace("status: monitoring\n", status, 1)
    assert where in text
    text = text.replace(where, hiding, 1)
    (archive / "incidents" / f"{other}.md").write_text(text, encoding="utf-8")
    before = snapshot(archive)
    one_line_error(run_cli(archive, "log", "x", "--by", "sam"), "2 incidents are open", other)
    assert snapshot(archive) == before


@pytest.mark.parametrize(
    "front",
    [
        '"stat\\u0075s": investigating\ntags: [a,\nstatus: resolved\n]\n',
        "? status\n: investigating\naudiences: {users: slow,\nstatus: resolved\n}\n",
        "? status\n: investigating\ntitle: a 'b: \"c' d\nstatus: resolved\nagain\"\n",
        '? status\n: investigating\n- x: "a\nstatus: resolved\n"\n',
        "roles:\n  ? status\n  : investigating\nstatus: resolved\n  and back\n",
    ],
)
def test_a_resolved_line_that_yaml_reads_otherwise_is_no_plain_resolved_status(
    front: str,
) -> None:
    text = "---\n" + front + "---\n"
    assert (parse_text(text, "x.md").front_matter or {}).get("status") != "resolved"
    assert not peek_resolved(text.encode())


# --- outside any repository ---------------------------------------------------------------------


@pytest.fixture
def empty(tmp_path: Path) -> Path:
    folder = tmp_path / "empty"
    folder.mkdir()
    return folder


NOT_A_REPO = "not inside an incident-docs repository: run 'incident init' here, or pass --root"


@pytest.mark.parametrize(
    "args",
    [
        ("declare", "-y", "x", "--by", "sam"),
        ("log", "x", "--by", "sam"),
        ("assign", "comms", "lee", "--by", "sam"),
        ("status", "identified", "--by", "sam"),
        ("resolve", "done", "--by", "sam"),
        ("update", "--log", "--by", "sam"),
        ("postmortem", "INC-2024-01-01-x"),
    ],
)
def test_commands_that_write_refuse_outside_a_repository(
    empty: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]
) -> None:
    monkeypatch.chdir(empty)
    one_line_error(CliRunner().invoke(main, list(args)), NOT_A_REPO)
    assert list(empty.iterdir()) == []


@pytest.mark.parametrize("marker", [".git", "incidents"])
def test_a_git_repository_or_an_incidents_folder_is_enough(
    empty: Path, run_cli: RunCli, marker: str
) -> None:
    (empty / marker).mkdir()
    result = run_cli(empty, "declare", "-y", "x", "--by", "sam")
    assert result.exit_code == 0, result.output
    assert len(list((empty / "incidents").glob("INC-*.md"))) == 1


def test_lint_of_explicit_files_works_anywhere(
    empty: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(empty)
    (empty / "notes.md").write_text("The cache filled up and the service slowed down.\n")
    result = CliRunner().invoke(main, ["lint", "--select", "BL", "notes.md"])
    assert result.exit_code == 0, result.output
    assert list(empty.iterdir()) == [empty / "notes.md"]


def test_a_repository_inside_an_archive_is_its_own_root(
    archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A clone or submodule inside an archive: its commands acted on the outer archive, and
    # `declare` wrote its record there.
    inner = archive / "vendor" / "other"
    (inner / ".git").mkdir(parents=True)
    (inner / "incidents").mkdir()
    (inner / "deep").mkdir()
    assert find_root(inner / "deep") == inner
    assert find_root(archive / "incidents") == archive
    monkeypatch.chdir(inner)
    before = sorted((archive / "incidents").iterdir())
    declared = CliRunner().invoke(main, ["declare", "-y", "Nested test", "--by", "sam"])
    assert declared.exit_code == 0, declared.output
    assert sorted((archive / "incidents").iterdir()) == before
    assert len(list((inner / "incidents").glob("INC-*.md"))) == 1


def test_a_configuration_given_names_its_repository(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # From elsewhere, or from a repository nested in it, `--config` read the archive's settings
    # but looked for its records where the command ran: "no incident archive".
    inner = archive / "vendor" / "other"
    (inner / ".git").mkdir(parents=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for folder in (elsewhere, inner, archive.parent):  # the last: a folder holding it
        monkeypatch.chdir(folder)
        result = CliRunner().invoke(main, ["--config", str(archive / "pyproject.toml"), "list"])
        assert result.exit_code == 0, result.output
        assert "INC-2026-11-20-search-latency" in result.stdout
    # A configuration inside this repository, or in none (a shared file), configures this one.
    (archive / ".git").mkdir()
    (archive / "ci").mkdir()
    (archive / "ci" / "pyproject.toml").write_text("[tool.incident-docs]\n")
    shared = tmp_path / "shared.toml"
    shared.write_text("[tool.incident-docs]\n")
    monkeypatch.chdir(archive)
    for given in (archive / "ci" / "pyproject.toml", shared):
        result = CliRunner().invoke(main, ["--config", str(given), "list"])
        assert result.exit_code == 0 and "INC-2026-11-20-search-latency" in result.stdout, given
    # Written through "..", a file in another repository is still that repository's.
    monkeypatch.chdir(inner)
    upward = CliRunner().invoke(main, ["--config", "../../pyproject.toml", "list"])
    assert upward.exit_code == 0 and "INC-2026-11-20-search-latency" in upward.stdout
    monkeypatch.chdir(archive)
    # --root still says where the records are.
    other = CliRunner().invoke(
        main, ["--root", str(elsewhere), "--config", str(archive / "pyproject.toml"), "list"]
    )
    assert other.exit_code == 2 and "no incident archive" in other.stderr


# --- incident init ------------------------------------------------------------------------------


def test_init_from_a_subfolder_names_the_root_it_set_up(
    empty: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (empty / ".git").mkdir()
    below = empty / "a" / "b"
    below.mkdir(parents=True)
    monkeypatch.chdir(below)
    result = CliRunner().invoke(main, ["init", "--yes"])
    assert result.exit_code == 0, result.output
    # The paths it lists are the root's, not the current folder's: it says which root.
    assert result.stdout.splitlines()[0] == f"In {empty.resolve()}:"
    assert (empty / "incidents" / "README.md").is_file() and not (below / "incidents").exists()
    assert "Run them in" not in result.stdout  # inside the archive, they find it


def test_init_with_root_creates_the_archive_folder_in_a_larger_repository(
    empty: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # docs/review.md: "create it with `incident --root ops/postmortems init --github`"; it
    # said "--root: ops/postmortems: no such folder" until the folder was made by hand.
    (empty / ".git").mkdir()
    monkeypatch.chdir(empty)
    result = CliRunner().invoke(main, ["--root", "ops/postmortems", "init", "--github", "--yes"])
    assert result.exit_code == 0, result.output
    assert (empty / "ops" / "postmortems" / "pyproject.toml").is_file()
    assert (empty / ".github" / "workflows" / "review.yml").is_file()
    # Run from here, the commands it names would start another archive at the git root.
    assert "Run them in ops/postmortems (cd ops/postmortems), or pass --root ops/postmortems." in (
        result.stdout
    )
    # Another command still refuses a folder that is not there.
    other = CliRunner().invoke(main, ["--root", "ops/other", "lint"])
    assert other.exit_code == 2 and "no such folder" in other.stderr


def test_declare_at_the_top_of_a_repository_whose_archive_is_in_a_folder_says_where(
    empty: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # It started a second archive at the top, beside the one init had set up in ops/.
    subprocess.run(["git", "init", "-q", str(empty)], check=True)
    monkeypatch.chdir(empty)
    assert CliRunner().invoke(main, ["--root", "ops", "init", "--yes"]).exit_code == 0
    declare = ["declare", "--yes", "--by", "sam", "--because", "user-facing", "Checkout fails"]
    result = CliRunner().invoke(main, declare)
    assert result.exit_code == 2
    assert "ops/pyproject.toml sets up one: run the command in ops" in result.stderr
    assert not (empty / "incidents").exists()
    monkeypatch.chdir(empty / "ops")
    assert CliRunner().invoke(main, declare).exit_code == 0
    assert len(list((empty / "ops" / "incidents").glob("INC-*.md"))) == 1
    # A repository with no archive anywhere still takes its first incident, as it always did.
    other = empty / "other"
    subprocess.run(["git", "init", "-q", str(other)], check=True)
    monkeypatch.chdir(other)
    assert CliRunner().invoke(main, declare).exit_code == 0


@pytest.mark.parametrize(
    ("answer", "code", "said"),
    [("n\n", 0, "Nothing written."), ("", 2, "aborted")],  # "" is Ctrl-D: the end of input
)
def test_init_called_off_leaves_no_folder_it_made_for_root(
    empty: Path, monkeypatch: pytest.MonkeyPatch, answer: str, code: int, said: str
) -> None:
    (empty / ".git").mkdir()
    monkeypatch.setattr(cli_incident, "_terminal", lambda: True)
    monkeypatch.chdir(empty)
    result = CliRunner().invoke(main, ["--root", "ops/postmortems", "init"], input=answer)
    assert result.exit_code == code, result.output
    assert said in result.output
    assert sorted(p.name for p in empty.iterdir()) == [".git"]


def test_init_that_fails_leaves_no_folder_it_made_for_root(
    empty: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (empty / ".git").mkdir()
    (empty / ".github").write_text("not a folder\n")
    monkeypatch.chdir(empty)
    result = CliRunner().invoke(main, ["--root", "ops/postmortems", "init", "--github", "--yes"])
    one_line_error(result, ".github: exists and is not a folder", "nothing was written")
    assert sorted(p.name for p in empty.iterdir()) == [".git", ".github"]
    # Nor does a configuration that cannot be read.
    (empty / "bad.toml").write_text("[tool.incident-docs]\nroster = 5\n")
    config = ["--config", "bad.toml", "--root", "ops/postmortems", "init", "--yes"]
    one_line_error(CliRunner().invoke(main, config), "bad.toml:2")
    assert not (empty / "ops").exists()


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ("notes/ops", "notes is not a folder"),
        ("notes/ops/deeper", "notes is not a folder"),
        (".git/ops", "init does not make a folder inside .git"),
        ("missing/../ops", "'..' follows missing, which is not there"),
        ("../ops", "is in no git repository"),
        ("out/ops", "is in no git repository"),  # out: a link to a folder in none
        ("to-other/ops", "a symbolic link on the way leads to"),  # into another repository
        ("{tmp}/nowhere/a/b/c", "is in no git repository"),
    ],
)
def test_init_makes_no_root_folder_where_it_must_not(
    empty: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given: str, said: str
) -> None:
    # A mistyped --root, or one that leads out of the repository, is not made a folder.
    (empty / ".git").mkdir()
    (empty / "notes").write_text("a file\n")
    outside = tmp_path / "outside"
    outside.mkdir()
    (empty / "out").symlink_to(outside)
    other = tmp_path / "other"
    (other / ".git").mkdir(parents=True)
    (other / "sub").mkdir()
    (empty / "to-other").symlink_to(other / "sub")
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    monkeypatch.chdir(empty)
    result = CliRunner().invoke(main, ["--root", given.format(tmp=tmp_path), "init", "--yes"])
    assert result.exit_code == 2, result.output
    assert "no such folder, and " in result.stderr and said in result.stderr, result.stderr
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


def test_init_with_root_reads_the_default_branch_of_the_repository_it_is_made_in(
    empty: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The folder is not there while init plans: git is asked in the repository it goes in.
    subprocess.run(["git", "init", "-q", str(empty)], check=True)
    subprocess.run(
        [
            "git",
            "-C",
            str(empty),
            "symbolic-ref",
            "refs/remotes/origin/HEAD",
            "refs/remotes/origin/prod",
        ],
        check=True,
    )
    monkeypatch.chdir(empty)
    result = CliRunner().invoke(main, ["--root", "ops/postmortems", "init", "--github", "--yes"])
    assert result.exit_code == 0, result.output
    assert "prod" in (empty / ".github" / "workflows" / "publish.yml").read_text()


@pytest.mark.parametrize(
    ("site", "said"),
    [
        ("site_name: [unclosed\n", "mkdocs.yml:2: expected ',' or ']'"),
        (
            "site_name: x\nmarkdown_extensions:\n  - pymdownx.emoji:\n"
            "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n",
            "mkdocs.yml has no incident-docs plugin",
        ),
        # Its syntax only: a value MkDocs reads its own way raised ValueError in the check.
        ("site_name: x\nd: 2024-02-30\nn: !!int ''\n", "mkdocs.yml has no incident-docs plugin"),
    ],
)
def test_init_says_when_the_sites_configuration_cannot_be_read(
    empty: Path, monkeypatch: pytest.MonkeyPatch, site: str, said: str
) -> None:
    # It said only that the plugin was missing: the file itself was broken.
    (empty / "mkdocs.yml").write_text(site)
    monkeypatch.chdir(empty)
    result = CliRunner().invoke(main, ["init", "--yes"])
    assert result.exit_code == 0, result.output
    assert f"incident: warning: {said}" in result.stderr
    assert (empty / "mkdocs.yml").read_text() == site  # left as it was


def test_init_sets_up_an_archive_that_lints_clean_and_takes_a_declaration(
    empty: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(empty)
    runner = CliRunner()
    result = runner.invoke(main, ["init", "--yes"])
    assert result.exit_code == 0, result.output
    for name in ("incidents/README.md", "postmortems/README.md", "people.yaml", "pyproject.toml"):
        assert (empty / name).is_file()
        assert name in result.stdout
    config = tomllib.loads((empty / "pyproject.toml").read_text())
    assert "incident-docs" in config["tool"]
    assert find_root(empty) == empty
    lint = runner.invoke(main, ["lint"])
    assert lint.exit_code == 0, lint.output
    declared = runner.invoke(main, ["declare", "-y", "Checkout fails", "--by", "sam"])
    assert declared.exit_code == 0, declared.output
    path = empty / declared.stdout.strip().splitlines()[-1]
    assert path.parent == empty / "incidents"
    assert runner.invoke(main, ["lint", str(path)]).exit_code == 0


@pytest.mark.slow
def test_an_empty_repository_becomes_an_archive_that_lints_builds_and_validates(
    empty: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As a team adopts it: init --github, one incident from declaration to postmortem draft;
    lint, the strict site build and every GitHub file pass."""
    monkeypatch.chdir(empty)
    for args in (
        ("init", "-q", "-b", "trunk"),
        ("config", "user.email", "ada@example.com"),
        ("config", "user.name", "Ada Lovelace"),
    ):
        subprocess.run(["git", *args], check=True, capture_output=True)
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(main, list(args))
        assert result.exit_code == 0, (args, result.output)
        return result.stdout

    written = run("init", "--github", "--yes")
    for name in (".github/workflows/lint.yml", ".github/dependabot.yml", ".github/CODEOWNERS"):
        assert f"{name}: created" in written
    assert (empty / ".gitignore").read_text().splitlines() == [
        ".incident-docs-lock",
        ".*.tmp",
        ".incident-docs-cache/",
        "site/",
    ]
    assert 'branches: ["trunk"]' in (empty / ".github/workflows/publish.yml").read_text()
    run("declare", "Checkout fails", "--because", "user-facing", "--service", "checkout", "-y")
    run("log", "Rolled back to 4.1", "--kind", "mitigation", "--action", "rollback")
    run("resolve", "-m", "A bad flag broke checkout; rolling back fixed it.")
    drafted = runner.invoke(main, ["postmortem"])
    assert drafted.exit_code == 0, drafted.output
    assert "the one resolved incident without a postmortem" in drafted.stderr
    [path] = drafted.stdout.splitlines()  # the path alone
    assert path.startswith("postmortems/PM-")
    lint = runner.invoke(main, ["lint"])
    assert lint.exit_code == 0, lint.output
    assert "SC004" in lint.stdout  # the draft's sections still to write, as notes
    bin_dir = Path(sys.executable).parent
    build = subprocess.run(
        [str(bin_dir / "mkdocs"), "build", "--strict"], capture_output=True, text=True
    )
    assert build.returncode == 0, build.stdout + build.stderr[-3000:]
    assert (empty / "site" / "index.html").is_file()
    workflows = sorted(str(p) for p in (empty / ".github" / "workflows").glob("*.yml"))
    for schema, paths in (
        ("vendor.github-workflows", workflows),
        ("vendor.dependabot", [str(empty / ".github" / "dependabot.yml")]),
    ):
        checked = subprocess.run(
            [str(bin_dir / "check-jsonschema"), "--builtin-schema", schema, *paths],
            capture_output=True,
            text=True,
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
    assert runner.invoke(main, ["codeowners", "--check"]).exit_code == 0


def test_init_twice_changes_nothing_and_says_so(empty: Path, run_cli: RunCli) -> None:
    assert run_cli(empty, "init").exit_code == 0
    before = snapshot(empty)
    again = run_cli(empty, "init", "--yes")
    assert again.exit_code == 0, again.output
    assert "already" in again.stdout and "created" not in again.stdout.lower()
    assert snapshot(empty) == before


@pytest.mark.parametrize(
    "original",
    [
        b'[project]\nname = "shop"\n# keep me\n',
        b'[project]\r\nname = "shop"\r\n',
        b'[project]\nname = "shop"',  # no newline at the end
    ],
)
def test_init_appends_the_table_to_an_existing_pyproject_and_keeps_every_byte(
    empty: Path, run_cli: RunCli, original: bytes
) -> None:
    (empty / "pyproject.toml").write_bytes(original)
    assert run_cli(empty, "init", "--yes").exit_code == 0
    after = (empty / "pyproject.toml").read_bytes()
    assert after.startswith(original)
    assert after.count(b"[tool.incident-docs]") == 1
    assert tomllib.loads(after.decode())["project"] == {"name": "shop"}
    assert run_cli(empty, "init", "--yes").exit_code == 0
    assert (empty / "pyproject.toml").read_bytes() == after


def test_init_and_codeowners_write_through_a_link_and_keep_it(
    empty: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    # A pyproject.toml the packages of a monorepo share, a CODEOWNERS kept elsewhere: each link
    # was replaced by a copy of its file, which no longer followed the shared one.
    (empty / ".git").mkdir()
    (empty / "shared").mkdir()
    (empty / "shared" / "pyproject.toml").write_text('[project]\nname = "shop"\n')
    (empty / "pyproject.toml").symlink_to("shared/pyproject.toml")
    (empty / ".github").mkdir()
    (empty / "shared" / "CODEOWNERS").write_text("* @acme/core\n")
    (empty / ".github" / "CODEOWNERS").symlink_to("../shared/CODEOWNERS")
    assert run_cli(empty, "init", "--yes").exit_code == 0
    assert run_cli(empty, "codeowners", "--write").exit_code == 0
    assert (empty / "pyproject.toml").is_symlink()
    assert "[tool.incident-docs]" in (empty / "shared" / "pyproject.toml").read_text()
    assert (empty / ".github" / "CODEOWNERS").is_symlink()
    assert "# Generated from" in (empty / "shared" / "CODEOWNERS").read_text()
    # A link out of the repository is not written through.
    outside = tmp_path / "outside.toml"
    outside.write_text('[project]\nname = "other"\n')
    (empty / "pyproject.toml").unlink()
    (empty / "pyproject.toml").symlink_to(outside)
    result = run_cli(empty, "init", "--yes")
    assert result.exit_code == 2
    assert "pyproject.toml: symbolic link leads outside the repository" in result.stderr
    assert outside.read_text() == '[project]\nname = "other"\n'


def test_init_writes_through_a_link_to_the_pyproject_a_monorepo_shares(
    empty: Path, run_cli: RunCli
) -> None:
    # An archive in a subfolder whose pyproject.toml is the repository's shared one, at its
    # root: inside the repository, yet refused as a link that "leads outside" it.
    (empty / ".git").mkdir()
    (empty / "shared").mkdir()
    (empty / "shared" / "pyproject.toml").write_text('[project]\nname = "shop"\n')
    (empty / "ops").mkdir()
    (empty / "ops" / "pyproject.toml").symlink_to("../shared/pyproject.toml")
    result = run_cli(empty / "ops", "init", "--yes")
    assert result.exit_code == 0, result.output
    assert (empty / "ops" / "pyproject.toml").is_symlink()
    assert "[tool.incident-docs]" in (empty / "shared" / "pyproject.toml").read_text()


def test_init_keeps_an_existing_roster_and_configuration(archive: Path, run_cli: RunCli) -> None:
    pyproject = (archive / "pyproject.toml").read_bytes()
    roster = (archive / "people.yaml").read_bytes()
    result = run_cli(archive, "init", "--yes")
    assert result.exit_code == 0, result.output
    assert (archive / "pyproject.toml").read_bytes() == pyproject
    assert (archive / "people.yaml").read_bytes() == roster
    assert (archive / "incidents" / "README.md").is_file()
    assert run_cli(archive, "lint").exit_code == 0


@pytest.mark.parametrize(
    ("failure", "said"),
    [
        (
            PermissionError(13, "Permission denied"),
            "docs/about.md: cannot write: Permission denied",
        ),
        (KeyboardInterrupt(), "aborted"),
    ],
)
def test_init_stopped_halfway_takes_back_what_it_wrote(
    empty: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, failure: BaseException, said: str
) -> None:
    # A docs/ folder init may not write in, or Ctrl-C: the files before it stayed, half an
    # archive, and the error named a temporary file.
    (empty / "pyproject.toml").write_bytes(b'[project]\nname = "shop"\n')
    (empty / ".gitignore").write_bytes(b"node_modules/\n")
    (empty / "docs").mkdir()
    before = {path: path.read_bytes() for path in empty.iterdir() if path.is_file()}
    real = tempfile.mkstemp

    def refused(*args: Any, **kwargs: Any) -> tuple[int, str]:
        if Path(kwargs["dir"]).name == "docs":
            if isinstance(failure, OSError):
                raise PermissionError(failure.errno, failure.strerror, f"{kwargs['dir']}/.a.tmp")
            raise failure
        return real(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", refused)
    result = run_cli(empty, "init", "--yes")
    assert result.exit_code == 2
    assert f"incident: error: {said}" in result.stderr
    assert ".tmp" not in result.stderr
    # The lock file too, which the taken-back .gitignore line no longer hides from git.
    assert set(empty.rglob("*")) == {*before, empty / "docs"}
    assert {path: path.read_bytes() for path in before} == before


def test_init_refuses_a_pyproject_it_cannot_extend(empty: Path, run_cli: RunCli) -> None:
    original = b"tool = { black = { line-length = 100 } }\n"
    (empty / "pyproject.toml").write_bytes(original)
    one_line_error(run_cli(empty, "init", "--yes"), "pyproject.toml", "[tool.incident-docs]")
    assert (empty / "pyproject.toml").read_bytes() == original
    assert not (empty / "incidents").exists()


# --- roster warnings ----------------------------------------------------------------------------


def test_assigning_a_role_to_someone_missing_from_the_roster_needs_outside(
    archive: Path, run_cli: RunCli
) -> None:
    record = archive / "incidents" / f"{OPEN}.md"
    before = record.read_bytes()
    result = run_cli(archive, "assign", "comms", "leee", "--by", "sam", "-i", OPEN)
    assert result.exit_code == 2
    assert "PERSON 'leee' is not in the roster (people.yaml); did you mean lee?" in result.stderr
    assert record.read_bytes() == before
    result = run_cli(
        archive, "assign", "comms", "vendor-eng", "--outside", "--by", "sam", "-i", OPEN
    )
    assert result.exit_code == 0, result.output
    text = record.read_text()
    assert "to: vendor-eng" in text and "outside_responders:\n  - vendor-eng\n" in text
    lint = run_cli(archive, "lint", str(record))  # on purpose: not an unknown person
    assert lint.exit_code == 0, lint.output
    on = run_cli(archive, "assign", "ops", "on", "--outside", "--by", "sam", "-i", OPEN)
    assert on.exit_code == 0, on.output
    assert 'to: "on"' in record.read_text()  # a handle YAML would read as true stays a handle
    assert run_cli(archive, "lint", str(record)).exit_code == 0


def test_a_relative_path_outside_the_root_falls_back_to_the_root(
    archive: Path, run_cli: RunCli, outside: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From another checkout, `-i incidents/X.md --root R` means R's record, not the local one."""
    (outside.parent / "incidents").mkdir()
    local = outside.rename(outside.parent / "incidents" / outside.name)
    before = local.read_bytes()
    monkeypatch.chdir(local.parent.parent)
    result = run_cli(archive, "log", "in R", "--by", "sam", "-i", f"incidents/{OPEN}.md")
    assert result.exit_code == 0, result.output
    assert local.read_bytes() == before
    assert "by sam: in R" in (archive / "incidents" / f"{OPEN}.md").read_text()


def test_init_at_a_terminal_shows_the_plan_and_can_be_called_off(
    empty: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli_incident, "_terminal", lambda: True)
    result = run_cli(empty, "init", input="n\n")
    assert result.exit_code == 0, result.output
    assert "people.yaml: created" in result.stdout and "Nothing written." in result.stdout
    assert list(empty.iterdir()) == []


def test_init_keeps_the_write_lock_and_the_site_out_of_git_once(
    empty: Path, run_cli: RunCli
) -> None:
    (empty / ".gitignore").write_bytes(b"node_modules/")
    assert run_cli(empty, "init", "--yes").exit_code == 0
    ignored = b"node_modules/\n.incident-docs-lock\n.*.tmp\n.incident-docs-cache/\nsite/\n"
    assert (empty / ".gitignore").read_bytes() == ignored
    assert run_cli(empty, "declare", "-y", "x", "--by", "sam").exit_code == 0
    assert run_cli(empty, "init", "--yes").exit_code == 0
    assert (empty / ".gitignore").read_bytes() == ignored


def test_init_leaves_what_is_there_alone_and_says_so(empty: Path, run_cli: RunCli) -> None:
    (empty / "CODEOWNERS").write_text("* @acme/backend\n")
    workflows = empty / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "lint.yml").write_text("name: code lint\n")
    (empty / "mkdocs.yml").write_text("site_name: Docs\n")
    result = run_cli(empty, "init", "--github", "--yes")
    assert result.exit_code == 0, result.output
    assert ".github/workflows/incident-lint.yml: created (your lint.yml is left alone)" in (
        result.stdout
    )
    assert (workflows / "lint.yml").read_text() == "name: code lint\n"
    assert not (empty / ".github" / "CODEOWNERS").exists()
    assert "CODEOWNERS exists: left alone" in result.stderr
    assert "mkdocs.yml has no incident-docs plugin" in result.stderr


def test_init_says_which_files_in_a_record_folder_are_not_records(
    empty: Path, run_cli: RunCli
) -> None:
    # A repository's own incidents/ of write-ups: init said nothing, and the first lint failed.
    (empty / "incidents" / "2019").mkdir(parents=True)
    (empty / "incidents" / "2019" / "outage.md").write_text("# The 2019 outage\n")
    (empty / "incidents" / "graph.png").write_bytes(b"\x89PNG")
    (empty / "incidents" / "notes.docx").write_bytes(b"PK")
    result = run_cli(empty, "init", "--yes")
    assert result.exit_code == 0, result.output
    assert (
        "incident: warning: incidents/ already holds files that are not records "
        "(incidents/2019/outage.md, incidents/notes.docx): 'incident lint' reports them"
    ) in result.stderr
    assert "incidents-dir under [tool.incident-docs] in pyproject.toml" in result.stderr
    assert "postmortems/ already" not in result.stderr
    assert run_cli(empty, "lint").exit_code == 1


def test_init_says_when_the_sites_own_nav_leaves_the_archive_out(
    empty: Path, run_cli: RunCli
) -> None:
    # The plugin leaves a nav: of the site's own alone: the archive built, and no menu led to it.
    (empty / "mkdocs.yml").write_text(
        "site_name: Docs\nplugins:\n  - incident-docs\nnav:\n  - Home: index.md\n"
    )
    result = run_cli(empty, "init", "--yes")
    assert result.exit_code == 0, result.output
    assert "mkdocs.yml has a nav: of its own" in result.stderr
    assert "add the archive's pages to it (incidents/index.md, postmortems/index.md" in (
        result.stderr
    )
    (empty / "mkdocs.yml").write_text(
        "site_name: Docs\nplugins:\n  - incident-docs\nnav:\n  - incidents/index.md\n"
    )
    assert "nav" not in run_cli(empty, "init", "--yes").stderr
    # The site publishes the lists at incidents/index.md wherever the records are kept.
    (empty / "pyproject.toml").write_text(
        '[tool.incident-docs]\nincidents-dir = "ops/inc"\npostmortems-dir = "ops/pm"\n'
    )
    assert "nav" not in run_cli(empty, "init", "--yes").stderr
    (empty / "mkdocs.yml").write_text(
        "site_name: Docs\nplugins:\n  - incident-docs\nnav:\n  - ops/inc/index.md\n"
    )
    result = run_cli(empty, "init", "--yes")
    assert "add the archive's pages to it (incidents/index.md, postmortems/index.md" in (
        result.stderr
    )


def test_init_says_when_both_names_of_a_workflow_are_taken(empty: Path, run_cli: RunCli) -> None:
    # The review gate goes beside the repository's review.yml as incident-review.yml: with both
    # the repository's own, it cannot be written, and the pull requests would wait for a check
    # that never runs.
    workflows = empty / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "review.yml").write_text("name: code review\n")
    (workflows / "incident-review.yml").write_text("name: something else\n")
    result = run_cli(empty, "init", "--github", "--yes")
    assert result.exit_code == 0, result.output
    assert (workflows / "incident-review.yml").read_text() == "name: something else\n"
    assert (
        "review.yml and incident-review.yml are both the repository's own workflows: left "
        "alone, so the postmortem review gate is not written and will not run; rename "
        "incident-review.yml" in " ".join(result.stderr.split())
    )
    assert ".github/workflows/lint.yml: created" in result.stdout


@pytest.mark.parametrize(("version", "warned"), [("0.2.0.dev0", True), ("0.2.0", False)])
def test_init_github_says_when_its_pin_is_no_release(
    empty: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, version: str, warned: bool
) -> None:
    # Code between releases said it was the last release, 0.1.0, and pinned CI to it: the
    # workflows installed an older incident-docs, without the commands they run.
    monkeypatch.setattr(scaffold, "__version__", version)
    result = run_cli(empty, "init", "--github", "--yes")
    assert result.exit_code == 0, result.output
    pin = (empty / ".github" / "requirements.txt").read_text()
    assert f"incident-docs=={version}\n" in pin
    note = (
        f".github/requirements.txt pins incident-docs {version}, a development version that "
        "is not on PyPI: the workflows cannot install it; pin 0.2.0 or later once it is "
        "released, until then where this one comes from (a git URL and commit), not an "
        "earlier release, which lacks commands they run"
    )
    # Not "pin a release": the only one, 0.1.0, lacks commands the workflows run.
    assert (note in " ".join(result.stderr.split())) is warned, result.stderr


def test_init_github_installs_its_own_pin_beside_the_repositorys_requirements(
    empty: Path, run_cli: RunCli
) -> None:
    # The repository's own .github/requirements.txt was left alone, and the workflows installed
    # it instead of incident-docs: every job stopped at `incident: command not found`. Its
    # Dependabot configuration and pull request template were left alone without a word.
    github = empty / ".github"
    github.mkdir()
    (github / "requirements.txt").write_text("requests==2.31\n")
    (github / "dependabot.yml").write_text("version: 2\nupdates: []\n")
    (github / "pull_request_template.md").write_text("Describe the change.\n")
    result = run_cli(empty, "init", "--github", "--yes")
    assert result.exit_code == 0, result.output
    assert (github / "requirements.txt").read_text() == "requests==2.31\n"
    pin = github / "requirements-incident-docs.txt"
    assert "incident-docs==" in pin.read_text()
    for name in ("lint", "review", "publish", "actions-sync"):
        workflow = (github / "workflows" / f"{name}.yml").read_text()
        assert "pip install -r .github/requirements-incident-docs.txt" in workflow, name
    assert ".github/dependabot.yml exists: left alone; add an update with" in result.stderr
    assert ".github/pull_request_template.md exists: left alone" in result.stderr
    again = run_cli(empty, "init", "--github", "--yes")
    assert again.exit_code == 0 and "Nothing to do" in again.stdout, again.output


def test_init_github_says_when_its_workflows_install_the_repositorys_requirements(
    empty: Path, run_cli: RunCli
) -> None:
    # Workflows written before init kept its pin apart install the repository's own
    # requirements: init wrote the pin beside them and said nothing of the jobs that fail.
    github = empty / ".github"
    github.mkdir()
    (github / "requirements.txt").write_text("incident-docs==0.1\n")
    assert run_cli(empty, "init", "--github", "--yes").exit_code == 0
    (github / "requirements.txt").write_text("requests==2.31\n")  # the repository's, since
    result = run_cli(empty, "init", "--github", "--yes")
    assert result.exit_code == 0, result.output
    assert (
        "lint.yml, review.yml, publish.yml, actions-sync.yml install .github/requirements.txt, "
        "which names no incident-docs: left alone; install "
        ".github/requirements-incident-docs.txt instead"
    ) in result.stderr
    assert (github / "requirements-incident-docs.txt").is_file()
    # Once they install the pin, it stays where they find it, and init says nothing more.
    for workflow in (github / "workflows").glob("*.yml"):
        text = workflow.read_text().replace("requirements.txt", "requirements-incident-docs.txt")
        workflow.write_text(text)
    (github / "requirements.txt").unlink()
    again = run_cli(empty, "init", "--github", "--yes")
    assert again.exit_code == 0 and "Nothing to do" in again.stdout, again.output
    assert not (github / "requirements.txt").exists() and "install" not in again.stderr


@pytest.mark.parametrize(
    "template",
    [
        ".github/PULL_REQUEST_TEMPLATE.md",
        "pull_request_template.md",
        "docs/pull_request_template.txt",
    ],
)
def test_init_github_leaves_the_repositorys_pull_request_template_alone_wherever_it_is(
    empty: Path, run_cli: RunCli, template: str
) -> None:
    # GitHub reads a template in .github/, at the root or in docs/, named in any case: init
    # wrote .github/pull_request_template.md beside the repository's own, one of the two lost.
    (empty / template).parent.mkdir(parents=True, exist_ok=True)
    (empty / template).write_text("Describe the change.\n")
    result = run_cli(empty, "init", "--github", "--yes")
    assert result.exit_code == 0, result.output
    written = [p.relative_to(empty).as_posix() for p in empty.rglob("*") if p.is_file()]
    assert [p for p in written if "pull_request_template" in p.lower()] == [template]
    assert f"{template} exists: left alone; 'incident postmortem --pr'" in result.stderr


def test_init_github_reads_the_folders_of_the_repositorys_dependabot_updates(
    empty: Path, run_cli: RunCli
) -> None:
    # A pip update for several folders (directories:) was taken for none: init said to add one.
    github = empty / ".github"
    github.mkdir()
    (github / "dependabot.yml").write_text(
        "version: 2\nupdates:\n  - package-ecosystem: pip\n"
        '    directories: ["/", "/.github"]\n    schedule: {interval: weekly}\n'
    )
    result = run_cli(empty, "init", "--github", "--yes")
    assert result.exit_code == 0, result.output
    assert "dependabot.yml" not in result.output
    # A folder of another ecosystem's update is not pip's.
    (github / "dependabot.yml").write_text(
        "version: 2\nupdates:\n  - package-ecosystem: npm\n    directory: /.github\n"
    )
    again = run_cli(empty, "init", "--github", "--yes")
    assert ".github/dependabot.yml exists: left alone; add an update" in again.stderr
    # Dependabot reads .github/dependabot.yaml as well: a second configuration beside it.
    (github / "dependabot.yml").rename(github / "dependabot.yaml")
    third = run_cli(empty, "init", "--github", "--yes")
    assert third.exit_code == 0 and not (github / "dependabot.yml").exists(), third.output
    assert ".github/dependabot.yaml exists: left alone; add an update" in third.stderr


def test_init_puts_the_first_page_where_the_sites_configuration_keeps_its_pages(
    empty: Path, run_cli: RunCli
) -> None:
    # A docs/about.md was written beside a site whose pages are in documentation/, and its
    # home page, which hides the dashboard and fails a strict build, went unmentioned.
    (empty / "mkdocs.yml").write_text(
        "site_name: Docs\ndocs_dir: documentation\nmarkdown_extensions:\n"
        "  - pymdownx.emoji:\n      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
    )
    (empty / "documentation").mkdir()
    (empty / "documentation" / "index.md").write_text("# Home\n")
    result = run_cli(empty, "init", "--yes")
    assert result.exit_code == 0, result.output
    assert not (empty / "docs").exists()
    assert "documentation/index.md stays the site's home page" in result.stderr
    (empty / "mkdocs.yml").write_text("site_name: Docs\ndocs_dir: pages\n")
    result = run_cli(empty, "init", "--yes")
    assert result.exit_code == 0, result.output
    assert "pages/about.md: created" in result.stdout and not (empty / "docs").exists()


@pytest.mark.parametrize(
    "site_dir",
    ["public", "!ENV [SITE_DIR, public]"],  # an environment variable unset in the workflows
)
def test_init_github_publishes_the_site_where_the_sites_configuration_builds_it(
    empty: Path, run_cli: RunCli, site_dir: str
) -> None:
    # A site built into public/ (site_dir): the publish workflow uploaded site/, which no build
    # made, and .gitignore was given site/ rather than the folder the build fills.
    (empty / "mkdocs.yml").write_text(f"site_name: Docs\nsite_dir: {site_dir}\n")
    result = run_cli(empty, "init", "--github", "--yes")
    assert result.exit_code == 0, result.output
    publish = yaml.safe_load((empty / ".github" / "workflows" / "publish.yml").read_text())
    upload = next(
        s for s in publish["jobs"]["build"]["steps"] if "upload-pages-artifact" in s.get("uses", "")
    )
    assert upload["with"]["path"] == "public"
    ignored = (empty / ".gitignore").read_text().splitlines()
    assert "public/" in ignored and "site/" not in ignored


def test_init_github_names_the_roster_the_configuration_names(empty: Path, run_cli: RunCli) -> None:
    # Its last line told to run `incident codeowners --write` whenever people.yaml changes, a
    # file this archive does not have.
    (empty / "pyproject.toml").write_text('[tool.incident-docs]\nroster = "team/roster.yaml"\n')
    result = run_cli(empty, "init", "--github", "--yes")
    assert result.exit_code == 0, result.output
    assert "'incident codeowners --write' whenever team/roster.yaml changes" in result.stdout
    assert "people.yaml" not in result.output


def test_init_github_again_finds_its_own_workflows(empty: Path, run_cli: RunCli) -> None:
    # The second run took its own workflows for someone else's and wrote a second of each.
    assert run_cli(empty, "init", "--github", "--yes").exit_code == 0
    publish = empty / ".github" / "workflows" / "publish.yml"
    edited = publish.read_text().replace("branches: [", "branches: [release, ")
    assert edited != publish.read_text()  # edited since: still ours
    publish.write_text(edited)
    again = run_cli(empty, "init", "--github", "--yes")
    assert again.exit_code == 0, again.output
    assert "Nothing to do" in again.stdout
    assert not list((empty / ".github" / "workflows").glob("incident-*.yml"))
    # Nor warned of its own CODEOWNERS, or of a publish branch it did not write this time.
    assert "CODEOWNERS" not in again.stderr and "publishes from" not in again.stderr


def test_init_github_in_a_subfolder_of_a_larger_repository_writes_github_files_at_its_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A monorepo with the archive in ops/postmortems: GitHub reads .github/ at the repository's
    # root only; they were written in the subfolder, where no workflow ever ran.
    mono = tmp_path / "mono"
    archive = copy_archive(mono / "ops" / "postmortems")
    subprocess.run(["git", "init", "-q", "-b", "main", str(mono)], check=True)
    monkeypatch.chdir(archive)
    runner = CliRunner()
    result = runner.invoke(main, ["init", "--github", "--yes"])
    assert result.exit_code == 0, result.output
    assert not (archive / ".github").exists()
    workflows = mono / ".github" / "workflows"
    for name in ("lint", "review", "publish", "actions-sync"):
        workflow = yaml.safe_load((workflows / f"{name}.yml").read_text())
        job = next(iter(workflow["jobs"].values()))
        assert job["defaults"]["run"]["working-directory"] == "ops/postmortems", name
    publish = yaml.safe_load((workflows / "publish.yml").read_text())["jobs"]["build"]
    upload = next(s for s in publish["steps"] if "upload-pages-artifact" in s.get("uses", ""))
    assert upload["with"]["path"] == "ops/postmortems/site"
    assert (mono / ".github" / "requirements.txt").is_file()
    # CODEOWNERS names paths from the repository's root, and the archive's files only.
    owners = (mono / ".github" / "CODEOWNERS").read_text().splitlines()
    assert any(line.startswith("/ops/postmortems/postmortems/ @") for line in owners), owners
    assert any(line.startswith("/ops/postmortems/people.yaml @") for line in owners), owners
    # The workflows written for the archive are its maintainers': a pull request that changes
    # review.yml (where the gate runs, or what it runs) changed the gate unreviewed.
    for name in ("lint", "review", "publish", "actions-sync"):
        assert any(line.startswith(f"/.github/workflows/{name}.yml @") for line in owners), name
    assert not any(
        line.startswith(("/postmortems/", "/.github/workflows/ ", "/tooling/")) for line in owners
    )
    # The CODEOWNERS init wrote has no lines of the repository's own that give it an owner: its
    # maintainers', or a pull request could give itself the postmortems unreviewed.
    assert any(line.startswith("/.github/CODEOWNERS @") for line in owners), owners
    check = runner.invoke(main, ["codeowners", "--check"])
    assert check.exit_code == 0, check.output


def _beside_a_review_yml_of_its_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An archive in ops/postmortems of a repository with a review.yml workflow of its own,
    made the working folder; its workflows folder."""
    mono = tmp_path / "mono"
    archive = copy_archive(mono / "ops" / "postmortems")
    subprocess.run(["git", "init", "-q", "-b", "main", str(mono)], check=True)
    workflows = mono / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "review.yml").write_text("name: code review\non: pull_request\n")
    monkeypatch.chdir(archive)
    return workflows


def test_codeowners_of_an_archive_in_a_subfolder_names_the_gate_workflow_init_wrote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The repository has a review.yml of its own: init wrote the gate as incident-review.yml,
    # but CODEOWNERS gave the maintainers review.yml, and nobody incident-review.yml: a pull
    # request could change the gate unreviewed.
    workflows = _beside_a_review_yml_of_its_own(tmp_path, monkeypatch)
    runner = CliRunner()
    result = runner.invoke(main, ["init", "--github", "--yes"])
    assert result.exit_code == 0, result.output
    assert (workflows / "incident-review.yml").is_file()
    owners = (workflows.parent / "CODEOWNERS").read_text().splitlines()
    assert any(line.startswith("/.github/workflows/incident-review.yml @") for line in owners)
    assert not any(line.startswith("/.github/workflows/review.yml") for line in owners), owners
    check = runner.invoke(main, ["codeowners", "--check"])
    assert check.exit_code == 0, check.output


def test_init_github_names_the_publish_workflow_it_wrote_beside_the_repositorys_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The note on the branch it publishes from named publish.yml, the repository's own.
    workflows = _beside_a_review_yml_of_its_own(tmp_path, monkeypatch)
    (workflows / "publish.yml").write_text("name: docs\non: push\n")
    result = CliRunner().invoke(main, ["init", "--github", "--yes"])
    assert result.exit_code == 0, result.output
    assert (workflows / "incident-publish.yml").is_file()
    assert "incident-publish.yml publishes from main" in result.stderr
    assert (workflows / "publish.yml").read_text() == "name: docs\non: push\n"


def test_the_gate_workflow_init_wrote_beside_one_since_removed_stays_the_gate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The repository's own review.yml, beside which init wrote incident-review.yml, was removed
    # since: CODEOWNERS then gave the maintainers review.yml, which is not there, and nobody
    # incident-review.yml; init wrote a second gate as review.yml.
    workflows = _beside_a_review_yml_of_its_own(tmp_path, monkeypatch)
    runner = CliRunner()
    assert runner.invoke(main, ["init", "--github", "--yes"]).exit_code == 0
    (workflows / "review.yml").unlink()
    check = runner.invoke(main, ["codeowners", "--check"])
    assert check.exit_code == 0, check.output
    again = runner.invoke(main, ["init", "--github", "--yes"])
    assert again.exit_code == 0 and "Nothing to do" in again.stdout, again.output
    assert not (workflows / "review.yml").exists()


def test_init_github_says_when_its_workflows_run_in_another_folder_than_the_archive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The archive moved from the repository's root to ops/postmortems: the workflows written
    # for the root were taken as this archive's, and init said there was nothing to do.
    mono = tmp_path / "mono"
    subprocess.run(["git", "init", "-q", "-b", "main", str(mono)], check=True)
    runner = CliRunner()
    monkeypatch.chdir(mono)
    (mono / "pyproject.toml").write_text("[tool.incident-docs]\n")
    assert runner.invoke(main, ["init", "--github", "--yes"]).exit_code == 0
    archive = copy_archive(mono / "ops" / "postmortems")
    monkeypatch.chdir(archive)
    result = runner.invoke(main, ["init", "--github", "--yes"])
    assert result.exit_code == 0, result.output
    assert (
        "lint.yml, review.yml, publish.yml, actions-sync.yml run in the repository's root, "
        "not in ops/postmortems/ where this archive is: left alone"
    ) in result.stderr
    # Written for this folder, they say nothing.
    for name in ("lint", "review", "publish", "actions-sync"):
        (mono / ".github" / "workflows" / f"{name}.yml").unlink()
    assert runner.invoke(main, ["init", "--github", "--yes"]).exit_code == 0
    again = runner.invoke(main, ["init", "--github", "--yes"])
    assert again.exit_code == 0 and "Nothing to do" in again.stdout, again.output
    assert "left alone" not in again.stderr


def test_init_github_writes_nothing_through_a_link_out_of_the_repository(
    empty: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (empty / ".github").symlink_to(outside, target_is_directory=True)
    result = run_cli(empty, "init", "--github", "--yes")
    assert result.exit_code == 2 and ".github: symbolic link leads outside" in result.stderr
    assert not list(outside.iterdir())


@pytest.mark.parametrize(
    ("name", "target", "says"),
    [
        (".gitignore", "outside", ".gitignore: symbolic link leads outside the repository"),
        ("mkdocs.yml", "outside", "mkdocs.yml: symbolic link leads outside the repository"),
        ("pyproject.toml", "inside", "pyproject.toml: a symbolic link to nothing"),
    ],
)
def test_init_names_a_link_to_nothing_where_it_would_create_a_file(
    empty: Path, run_cli: RunCli, tmp_path: Path, name: str, target: str, says: str
) -> None:
    to = tmp_path / "nothing-yet" if target == "outside" else empty / "nothing-yet"
    (empty / name).symlink_to(to)
    result = run_cli(empty, "init", "--yes")
    one_line_error(result, f"incident: error: {says} (nothing was written)")
    assert "appeared while init ran" not in result.stderr
    assert not to.exists() and sorted(p.name for p in empty.iterdir()) == [name]


def test_init_stops_before_writing_when_docs_is_in_the_way(empty: Path, run_cli: RunCli) -> None:
    (empty / "docs").write_text("not a folder")
    result = run_cli(empty, "init", "--yes")
    assert result.exit_code == 2
    assert "docs: exists and is not a folder" in result.stderr
    assert sorted(p.name for p in empty.iterdir()) == ["docs"]


# --- text that would reach a terminal or break the record -----------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("declare", "-y", "Bad \x1b]0;pwned\x07 title", "--by", "sam"), "U+001B"),
        (("log", "ctrl \x1b[31m x", "--by", "sam", "-i", OPEN), "the entry holds a control"),
        (("log", "bell \x07", "--by", "sam", "-i", OPEN), "U+0007"),
        (("declare", "-y", "A" * 201, "--by", "sam"), "the title is 201 characters; keep it"),
        (("resolve", "-y", "-i", OPEN, "--by", "sam", "Fixed \x1b]0;x\x07"), "the summary holds"),
        (("status", "identified", "-i", OPEN, "--by", "sam", "see \x1b[2J"), "the note holds"),
        (("declare", "-y", "Checkout \u202efails", "--by", "sam"), "U+202E"),  # lint's IO007
        (("declare", "-y", "x", "--by", "sam", "--audience", "users=a \x1b[2J"), "harm to users"),
        (("declare", "-y", "x", "--by", "sam", "--audience", "company=\u202eb"), "U+202E"),
        # Read from the record, it would be a lint directive for the rest of it, and for the
        # sections of a postmortem written after the timeline the draft copies.
        (("log", "<!-- incident-docs disable BL -->", "--by", "sam", "-i", OPEN), "'<!--'"),
        (("resolve", "-y", "-i", OPEN, "--by", "sam", "Fixed <!-- x"), "the summary holds '<!--'"),
        (("declare", "-y", "Checkout <!-- x", "--by", "sam"), "the title holds '<!--'"),
    ],
    ids=[
        "escape-in-title",
        "escape-in-entry",
        "bell-in-entry",
        "title-too-long",
        "escape-in-summary",
        "escape-in-note",
        "override-in-title",
        "escape-in-harm",
        "override-in-harm",
        "comment-in-entry",
        "comment-in-summary",
        "comment-in-title",
    ],
)
def test_text_a_record_cannot_hold_is_refused_and_changes_nothing(
    archive: Path, run_cli: RunCli, args: tuple[str, ...], expected: str
) -> None:
    (archive / ".incident-docs-lock").touch()  # an edit takes the lock before it reads the text
    before = snapshot(archive)
    one_line_error(run_cli(archive, *args), expected)
    assert snapshot(archive) == before


def test_a_title_of_the_longest_length_is_declared(archive: Path, run_cli: RunCli) -> None:
    result = run_cli(archive, "declare", "-y", "A" * 200, "--by", "sam")
    assert result.exit_code == 0, result.output


def test_the_write_lock_is_never_taken_through_a_symbolic_link(
    archive: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    outside = tmp_path / "created-by-the-lock"
    (archive / ".incident-docs-lock").unlink(missing_ok=True)
    (archive / ".incident-docs-lock").symlink_to(outside)
    before = snapshot(archive)
    one_line_error(
        run_cli(archive, "log", "checked", "--by", "sam", "-i", OPEN),
        ".incident-docs-lock: the write lock is a symbolic link",
    )
    assert not outside.exists() and snapshot(archive) == before


def test_a_records_folder_that_cannot_be_listed_is_no_empty_archive(
    archive: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    incidents = os.path.join(str(archive), "incidents")
    listing = os.scandir

    def refuse(path: Any = ".") -> Any:
        if os.fspath(path) == incidents:
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return listing(path)

    monkeypatch.setattr(os, "scandir", refuse)
    for args in (("list",), ("stats",), ("similar", "--text", "search latency")):
        one_line_error(
            run_cli(archive, *args), f"{incidents}: cannot read the folder: Permission denied"
        )


def test_a_pipe_in_place_of_a_record_is_refused_not_waited_on(
    archive: Path, run_cli: RunCli
) -> None:
    os.mkfifo(archive / "incidents" / "INC-2024-06-01-pipe.md")  # reading it would block
    for args in (
        ("show", "INC-2024-06-01-pipe"),
        ("log", "hi", "--by", "sam", "-i", "INC-2024-06-01-pipe"),
    ):
        one_line_error(run_cli(archive, *args), "not a regular file")


def test_an_entry_on_standard_input_is_read_only_to_the_record_limit(
    archive: Path, run_cli: RunCli
) -> None:
    (archive / ".incident-docs-lock").touch()
    before = snapshot(archive)
    result = run_cli(archive, "log", "-", "--by", "sam", "-i", OPEN, input="x" * 2_000_001)
    one_line_error(result, "the entry on standard input is over 2,000,000 bytes")
    assert snapshot(archive) == before


def test_text_that_is_not_utf8_is_refused_before_anything_is_written(
    archive: Path, run_cli: RunCli
) -> None:
    """Bytes that are not UTF-8 reach Python as lone surrogates, which no record can hold."""
    before = snapshot(archive)
    result = run_cli(archive, "log", "note \udcff", "--by", "sam", "-i", OPEN, "-y")
    one_line_error(result, "is not valid UTF-8: 'note \\xff'")
    result = run_cli(
        archive, "declare", "-y", "--by", "sam", "-t", "x", "--audience", "users=bad \udcff"
    )
    one_line_error(result, "is not valid UTF-8: 'users=bad \\xff'")
    result = run_cli(archive, "log", "-", "--by", "sam", "-i", OPEN, input=b"x\xff")
    one_line_error(result, "standard input: not valid UTF-8 at byte 2: nothing was written")
    assert snapshot(archive) == before


def test_an_entry_read_from_a_file_saved_with_a_byte_order_mark_leaves_the_mark_out(
    archive: Path, run_cli: RunCli
) -> None:
    notes = "\ufeffRolled back the deploy; errors back to normal.\n".encode()
    result = run_cli(archive, "log", "-", "--by", "sam", "-i", OPEN, input=notes)
    assert result.exit_code == 0, result.output
    text = (archive / "incidents" / f"{OPEN}.md").read_text(encoding="utf-8")
    assert "by sam: Rolled back the deploy; errors back to normal.\n" in text
    assert "\ufeff" not in text


def test_control_characters_in_a_committed_record_are_shown_not_obeyed(
    archive: Path, run_cli: RunCli
) -> None:
    # Written by hand (the commands refuse them): an OSC sequence that retitles the window, a
    # colour, a carriage return that writes over the line, a C1 CSI and a right-to-left override.
    hostile = "Checkout \x1b]0;owned\x07 down \x1b[31mred\r \x9b2J \u202eevil"
    record = archive / "incidents" / f"{OPEN}.md"
    text = record.read_text(encoding="utf-8")
    record.write_text(
        text.replace(
            "title: Search results slow after index rebuild", f"title: {json.dumps(hostile)}"
        ),
        encoding="utf-8",
    )
    obeyed = ("\x1b", "\x07", "\r", "\x9b", "\u202e")
    for args in (("list",), ("show", OPEN)):
        result = run_cli(archive, *args)
        assert result.exit_code == 0, result.output
        assert "Checkout \\u001b]0;owned\\u0007 down" in result.stdout
        assert not any(char in result.stdout for char in obeyed)
    listed = run_cli(archive, "list", "--format", "json")
    # In JSON the written-out form is the escape that reads back as the very character.
    titles = {item["id"]: item["title"] for item in json.loads(listed.stdout)}
    assert titles[OPEN] == hostile
    # An error naming what the user typed writes it out too.
    missing = run_cli(archive, "show", "INC-\x1b[2J")
    assert missing.exit_code == 2
    assert "\x1b" not in missing.stderr and "\\u001b[2J" in missing.stderr


def test_a_huge_value_in_an_error_is_shown_by_its_start_and_length(
    archive: Path, run_cli: RunCli
) -> None:
    record = archive / "incidents" / f"{OPEN}.md"
    text = record.read_text(encoding="utf-8")
    record.write_text(
        text.replace("  ops_lead: sam", "  ops_lead: " + "A" * 100_000), encoding="utf-8"
    )
    result = run_cli(archive, "show", OPEN)
    assert result.exit_code == 2
    assert len(result.stderr) < 1_100
    assert "(100,000 characters)" in result.stderr


def test_a_line_break_in_a_skipped_file_name_stays_in_its_note() -> None:
    from incident_docs.records import skipped_note

    note = skipped_note(["incidents/a\nincident: warning: forged.md"])
    assert note is not None and "\n" not in note and "a\\u000aincident" in note


def test_a_roster_the_configuration_names_must_exist(archive: Path, run_cli: RunCli) -> None:
    """A typo there would turn every roster check off without a word."""
    pyproject = archive / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace('roster = "people.yaml"', 'roster = "peopel.yaml"')
    )
    assert 'roster = "peopel.yaml"' in pyproject.read_text()
    before = snapshot(archive)
    one_line_error(run_cli(archive, "lint"), "peopel.yaml: the roster the configuration names")
    one_line_error(
        run_cli(archive, "assign", "ic", "ghost", "-i", OPEN, "--by", "priya", "-y"),
        "peopel.yaml: the roster the configuration names does not exist",
    )
    assert snapshot(archive) == before
    # init writes it.
    assert run_cli(archive, "init", "-y").exit_code == 0
    assert (archive / "peopel.yaml").exists()


def test_a_roster_setting_naming_nothing_or_a_folder_says_what_to_do(
    archive: Path, run_cli: RunCli
) -> None:
    pyproject = archive / "pyproject.toml"
    text = pyproject.read_text()
    pyproject.write_text(text.replace('roster = "people.yaml"', 'roster = "team/people.yaml"'))
    one_line_error(
        run_cli(archive, "teams"),
        "team/people.yaml: the roster the configuration names does not exist: correct its "
        "roster setting, or run 'incident init' to write one there",
    )
    (archive / "team").mkdir()
    pyproject.write_text(text.replace('roster = "people.yaml"', 'roster = "team"'))
    one_line_error(
        run_cli(archive, "lint"),
        "team: cannot read the roster: it is a folder; the roster setting of the configuration "
        "names its file (people.yaml by default)",
    )


def test_a_configuration_file_is_read_to_a_limit(archive: Path, run_cli: RunCli) -> None:
    """--config /dev/zero never ends."""
    one_line_error(
        run_cli(archive, "--config", "/dev/zero", "lint"), "/dev/zero: cannot read: over"
    )


def test_an_empty_incident_option_picks_no_incident(archive: Path, run_cli: RunCli) -> None:
    """A variable that is not set must not fall back to the only open incident."""
    before = snapshot(archive)
    result = run_cli(archive, "log", "probe", "--by", "sam", "-i", "", "-y")
    one_line_error(result, "the incident given is empty")
    one_line_error(run_cli(archive, "postmortem", "", "-y"), "the incident given is empty")
    one_line_error(run_cli(archive, "show", ""), "the incident given is empty")
    assert snapshot(archive) == before


def test_a_roster_entry_that_does_not_validate_is_named_with_its_line(
    archive: Path, run_cli: RunCli
) -> None:
    roster = archive / "people.yaml"
    lines = roster.read_text().splitlines()
    number = next(i for i, line in enumerate(lines, start=1) if "handle:" in line)
    lines[number - 1] = lines[number - 1].split("handle:")[0] + 'handle: "Two Words"'
    roster.write_text("\n".join(lines) + "\n")
    one_line_error(run_cli(archive, "lint"), f"people.yaml:{number}: people[0].handle:")


def test_a_file_where_the_records_folder_should_be_is_an_error(
    archive: Path, run_cli: RunCli
) -> None:
    """No record would be read, and lint would pass."""
    folder = archive / "postmortems"
    for path in sorted(folder.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    folder.rmdir()
    folder.write_text("not a folder\n")
    one_line_error(run_cli(archive, "lint"), "postmortems: the records folder is not a folder")


def test_a_file_name_that_is_not_utf8_is_still_linted(archive: Path) -> None:
    """Only the commands that write what they are given refuse such bytes: lint reads a file."""
    source = next((archive / "postmortems").glob("PM-*.md"))
    odd = archive / "postmortems" / "PM-\udcff.md"  # the byte 0xff, as Python passes it on
    odd.write_bytes(source.read_bytes())
    # In a process of its own: the test runner's output stream cannot print such a name.
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "incident_docs",
            "--root",
            os.fsencode(archive),
            "lint",
            os.fsencode(odd),
        ],
        capture_output=True,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert b"ID002" in done.stdout


def test_a_number_too_long_to_read_says_so_in_lint_and_in_a_refusal(
    archive: Path, run_cli: RunCli
) -> None:
    """Python's own words ("use sys.set_int_max_str_digits()") named a setting of the
    interpreter, not what to change in the record."""
    path = archive / "incidents" / f"{OPEN}.md"
    text = path.read_text().replace("severity: SEV3", "severity: SEV3\nx_num: " + "9" * 100_000)
    path.write_text(text)
    line = text.splitlines().index("x_num: " + "9" * 100_000) + 1
    said = "number too long (100,000 digits; at most 4,300)"
    lint = run_cli(archive, "lint", str(path))
    assert lint.exit_code == 1 and lint.stdout == f"incidents/{OPEN}.md:{line}:8: FM002 {said}\n"
    logged = run_cli(archive, "log", "-i", OPEN, "--by", "sam", "Restarted the search nodes.")
    assert one_line_error(logged) == (
        f"incident: error: incidents/{OPEN}.md:{line}: {said} (fix it before changing this record)"
    )


def test_a_broken_record_read_but_not_changed_is_not_said_to_be_changed(
    archive: Path, run_cli: RunCli
) -> None:
    # `show` and `similar` said "fix it before changing this record", though they change nothing.
    path = archive / "incidents" / "INC-2026-11-20-search-latency.md"
    path.write_text(path.read_text().replace("severity: SEV3", "severity: [SEV3"))
    for args in (("show",), ("similar",), ("update", "-i")):
        result = run_cli(archive, *args, "INC-2026-11-20-search-latency")
        assert result.exit_code == 2, args
        assert "INC-2026-11-20-search-latency.md:4:" in result.stderr
        assert "changing" not in result.stderr and "Traceback" not in result.output
    status = run_cli(
        archive, "status", "-i", "INC-2026-11-20-search-latency", "resolved", "x", "--by", "sam"
    )
    assert status.exit_code == 2 and "(fix it before changing this record)" in status.stderr


def test_an_html_comment_written_as_code_is_logged(archive: Path, run_cli: RunCli) -> None:
    text = "Added `<!-- incident-docs disable BL -->` to the runbook's example"
    result = run_cli(archive, "log", text, "--by", "sam", "-i", OPEN)
    assert result.exit_code == 0, result.output
    shown = run_cli(archive, "show", OPEN, "--format", "json")
    assert text in shown.stdout
