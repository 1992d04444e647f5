"""Every kind of bad input PRODUCT.md names: a diagnostic or a one-line error, never a traceback."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incident_docs.document import parse_bytes, parse_text
from incident_docs.rules.suppression import code_spans, parse
from incident_docs.templates import without_comments
from support.cli import RunCli
from support.linting import codes, lint_archive, write_archive
from support.rule_cases import INCIDENT, INCIDENT_PATH, POSTMORTEM, POSTMORTEM_PATH

NESTED = "a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 60)) + "  " * 60 + "v: 1\n"
BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]\n"
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
)

HOSTILE: dict[str, tuple[str | bytes, set[str]]] = {
    "malformed-yaml": (
        INCIDENT.replace("title: API errors after deploy", "title: : : ["),
        {"FM002"},
    ),
    "missing-front-matter": ("# Just a heading\n\nSome text.\n", {"FM001"}),
    "unterminated": (INCIDENT.replace("---\n\n# API", "\n# API"), {"FM001"}),
    "front-matter-is-a-list": ("---\n- a\n- b\n---\n# x\n", {"FM002"}),
    "front-matter-is-text": ("---\njust text\n---\n# x\n", {"FM002"}),
    "empty-front-matter": ("---\n---\n# x\n", {"FM003"}),
    "wrong-types": (
        INCIDENT.replace("services: [api]", "services: {a: 1}").replace(
            "criteria:\n  user_facing: true", "criteria: yes"
        ),
        {"FM004"},
    ),
    "unknown-keys": (INCIDENT.replace("tags: [deploy]", "tags: [deploy]\n__proto__: x"), {"FM005"}),
    "naive-timestamps": (
        INCIDENT.replace("resolved_at: 2024-05-02T11:00:00Z", "resolved_at: 2024-05-02 11:00"),
        {"FM006"},
    ),
    "unix-time": (
        INCIDENT.replace("declared_at: 2024-05-02T10:05:00Z", "declared_at: 1714644300"),
        {"FM004"},
    ),
    "unix-time-as-text": (
        INCIDENT.replace("declared_at: 2024-05-02T10:05:00Z", "declared_at: '1714644300'"),
        {"FM004"},
    ),
    "out-of-order": (
        INCIDENT.replace("resolved_at: 2024-05-02T11:00:00Z", "resolved_at: 2024-05-01T11:00:00Z"),
        {"FM007"},
    ),
    "invalid-utf8": (
        INCIDENT.encode().replace(b"API errors after deploy\n\n## Summary", b"API \xff\xfe errors"),
        {"IO003"},
    ),
    "binary": (bytes(range(256)) * 4, {"IO002"}),
    "utf-16-with-bom": (INCIDENT.encode("utf-16"), {"IO003"}),
    "utf-16-without-bom": (INCIDENT.encode("utf-16-le"), {"IO003"}),
    "nul-bytes-only": (b"\x00" * 600, {"IO002"}),
    "huge": ("---\n" + "x: " + "y" * 3_000_000 + "\n---\n", {"IO004"}),
    "alias-bomb": ("---\n" + BOMB + "---\n", {"FM009"}),
    "deep-nesting": ("---\n" + NESTED + "---\n", {"FM009"}),
    "python-tag": ("---\nid: !!python/object/new:os.system [echo hacked]\n---\n", {"FM009"}),
    "merge-key": ("---\nbase: &b {title: x}\n<<: *b\n---\n", {"FM009"}),
    "non-string-key": ("---\n? [a, b]\n: c\n---\n", {"FM004"}),
    "slug-traversal": (
        INCIDENT.replace("id: INC-2024-05-02-api-errors", "id: INC-2024-05-02-../../etc/passwd"),
        {"FM004"},
    ),
    "hostile-html": (
        INCIDENT.replace(
            "title: API errors after deploy", 'title: "<script>alert(1)</script>"'
        ).replace("tags: [deploy]", "tags: ['<img src=x onerror=alert(1)>']"),
        {"FM004"},
    ),
    "year-one": (
        INCIDENT.replace(
            "declared_at: 2024-05-02T10:05:00Z", "declared_at: 0001-01-01T00:00:00+01:00"
        ),
        {"FM004"},
    ),
    "timeline-in-year-one": (
        INCIDENT.replace("- 2024-05-02T10:00:00Z **note**", "- 0001-01-01T00:00:00+01:00 **note**"),
        {"TL001"},
    ),
    "integer-of-5000-digits": (
        INCIDENT.replace("severity: SEV2", "severity: " + "9" * 5000),
        {"FM002"},
    ),
    "hex-integer-of-5000-digits": (
        INCIDENT.replace("severity: SEV2", "severity: 0x" + "f" * 5000),
        {"FM004"},
    ),
    "null-bytes-in-text": ("---\nid: x\x00\n---\n", {"IO002"}),
    "control-characters": (
        INCIDENT.replace("title: API errors after deploy", 'title: "a\\u0007b"'),
        set(),
    ),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_input_gives_diagnostics(name: str, tmp_path: Path) -> None:
    content, expected = HOSTILE[name]
    write_archive(tmp_path, {INCIDENT_PATH: content, POSTMORTEM_PATH: POSTMORTEM})
    found = lint_archive(tmp_path)
    assert expected <= codes(found), found
    assert all(d.path and d.line >= 1 and d.column >= 1 for d in found)


def test_too_many_values_says_whether_aliases_made_them() -> None:
    def message(front_matter: str) -> str:
        doc = parse_bytes(("---\n" + front_matter + "---\n").encode(), "x.md", max_bytes=10**7)
        (problem,) = [p for p in doc.problems if p.code == "FM009"]
        return problem.message

    assert message(BOMB) == "front-matter expands to over 20,000 values through YAML aliases"
    plain = "tags: [" + ", ".join(f"t{i}" for i in range(25_000)) + "]\n"
    assert message(plain) == "front-matter holds over 20,000 values"


def test_control_characters_are_named_where_they_stand_ten_lines_at_most(tmp_path: Path) -> None:
    pasted = "".join(f"\x1b[32mok\x1b[0m step {n}\n" for n in range(15))
    record = INCIDENT.replace(
        "\n## Summary", "\nA \u202eright-to-left override.\n\n" + pasted + "\n## Summary", 1
    )
    write_archive(tmp_path, {INCIDENT_PATH: record, POSTMORTEM_PATH: POSTMORTEM})
    found = [d for d in lint_archive(tmp_path) if d.code == "IO007"]
    assert len(found) == 10
    lines = record.splitlines()
    first = lines.index("A \u202eright-to-left override.") + 1
    assert (found[0].line, found[0].column) == (first, 3)
    assert "U+202E" in found[0].message and "U+001B" in found[1].message


def test_a_control_character_in_a_front_matter_value_is_named_once(tmp_path: Path) -> None:
    """Written as it is, at its column; written as a YAML escape, at its key's line."""
    record = INCIDENT.replace(
        "title: API errors after deploy", "title: API \u202eerrors after deploy"
    ).replace("tags: [deploy]", 'tags: ["\\e[31mdeploy"]')
    write_archive(tmp_path, {INCIDENT_PATH: record, POSTMORTEM_PATH: POSTMORTEM})
    found = [(d.line, d.column) for d in lint_archive(tmp_path) if d.code == "IO007"]
    lines = record.splitlines()
    title = next(n for n, line in enumerate(lines, 1) if line.startswith("title:"))
    tags = next(n for n, line in enumerate(lines, 1) if line.startswith("tags:"))
    assert found == [(title, len("title: API ") + 1), (tags, 1)]
    folded = INCIDENT.replace(
        "title: API errors after deploy", "title: >-\n  API errors\n  after \u202edeploy"
    )
    write_archive(tmp_path, {INCIDENT_PATH: folded, POSTMORTEM_PATH: POSTMORTEM})
    found = [(d.line, d.column) for d in lint_archive(tmp_path) if d.code == "IO007"]
    assert found == [(title + 2, len("  after ") + 1)]  # where it is written, not at the key too


def test_bom_and_crlf_records_are_fine(tmp_path: Path) -> None:
    crlf = "\ufeff" + INCIDENT.replace("\n", "\r\n")
    write_archive(tmp_path, {INCIDENT_PATH: crlf.encode("utf-8"), POSTMORTEM_PATH: POSTMORTEM})
    assert lint_archive(tmp_path) == []


def test_crlf_positions_match_the_editor(tmp_path: Path) -> None:
    crlf = INCIDENT.replace("severity: SEV2", "severity: SEV7").replace("\n", "\r\n")
    write_archive(tmp_path, {INCIDENT_PATH: crlf.encode(), POSTMORTEM_PATH: POSTMORTEM})
    [diagnostic] = lint_archive(tmp_path)
    assert (diagnostic.code, diagnostic.line) == ("FM004", 4)


def test_symlink_out_of_the_repository(tmp_path: Path) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text(INCIDENT)
    root = tmp_path / "repo"
    root.mkdir()
    write_archive(root, {POSTMORTEM_PATH: POSTMORTEM}, {INCIDENT_PATH: str(outside)})
    found = lint_archive(root)
    assert "IO005" in codes(found)


def test_duplicate_ids_name_both_files(tmp_path: Path) -> None:
    copy = "incidents/2024/INC-2024-05-02-api-errors.md"
    write_archive(tmp_path, {INCIDENT_PATH: INCIDENT, copy: INCIDENT, POSTMORTEM_PATH: POSTMORTEM})
    duplicates = [d for d in lint_archive(tmp_path) if d.code == "ID001"]
    assert {d.path for d in duplicates} == {INCIDENT_PATH, copy}
    assert all(d.line == 2 for d in duplicates)


def test_a_file_full_of_bad_input_never_shows_a_traceback(tmp_path: Path) -> None:
    """Through the real console script, as CI runs it."""
    root = tmp_path / "repo"
    root.mkdir()
    files: dict[str, str | bytes] = {
        f"incidents/INC-2024-01-{index:02d}-bad.md": content
        for index, (content, _) in enumerate(HOSTILE.values(), 1)
    }
    write_archive(root, files)
    os.symlink("/etc/hostname", root / "incidents" / "INC-2024-02-01-link.md")
    result = subprocess.run(
        [sys.executable, "-m", "incident_docs", "--root", str(root), "lint"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    for line in result.stdout.splitlines():
        path, line_number, column, rest = line.split(":", 3)
        assert path.startswith("incidents/") and int(line_number) >= 1 and int(column) >= 1
        assert rest.strip()[:2].isalpha()


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_reader_never_raises_on_bytes(raw: bytes) -> None:
    parse_bytes(b"---\n" + raw, "x.md", max_bytes=10_000)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_reader_never_raises_on_text(text: str) -> None:
    doc = parse_bytes(
        ("---\n" + text + "\n---\n# t\n").encode("utf-8", "surrogatepass"), "x.md", max_bytes=10_000
    )
    assert all(p.line >= 1 for p in doc.problems)


def test_symlink_loop(tmp_path: Path) -> None:
    write_archive(tmp_path, {POSTMORTEM_PATH: POSTMORTEM})
    (tmp_path / "incidents").mkdir()
    os.symlink("b.md", tmp_path / "incidents" / "a.md")
    os.symlink("a.md", tmp_path / "incidents" / "b.md")
    found = lint_archive(tmp_path)
    assert {(d.path, d.code) for d in found if d.code == "IO001"} == {
        ("incidents/a.md", "IO001"),
        ("incidents/b.md", "IO001"),
    }


def test_a_symlink_loop_named_on_the_command_line_is_a_finding(
    tmp_path: Path, run_cli: RunCli
) -> None:
    write_archive(tmp_path, {POSTMORTEM_PATH: POSTMORTEM})
    (tmp_path / "incidents").mkdir()
    os.symlink("loop.md", tmp_path / "incidents" / "loop.md")
    result = run_cli(tmp_path, "lint", str(tmp_path / "incidents" / "loop.md"))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "incidents/loop.md:1:1: IO001" in result.stdout


def test_a_folder_linked_out_of_the_repository_is_reported_not_read(
    tmp_path: Path, run_cli: RunCli
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "INC-2024-05-03-secret.md").write_text(INCIDENT)
    root = tmp_path / "repo"
    root.mkdir()
    write_archive(root, {POSTMORTEM_PATH: POSTMORTEM, INCIDENT_PATH: INCIDENT})
    os.symlink(outside, root / "incidents" / "shared")
    os.symlink(outside, root / "incidents" / "linked.md")
    everything = run_cli(root, "lint")
    assert "incidents/shared:1:1: IO005" in everything.stdout
    assert "incidents/linked.md:1:1: IO005" in everything.stdout
    assert "secret" not in everything.stdout
    for named in ("incidents/shared", "incidents/shared/INC-2024-05-03-secret.md", "incidents"):
        result = run_cli(root, "lint", str(root / named))
        assert result.exit_code == 1, result.output
        assert "IO005 symbolic link leads outside the repository" in result.stdout
        # Named the way it was given, in the repository, not by the target outside it.
        assert "../outside" not in result.stdout, result.stdout
        assert not any(" FM" in line or " SC" in line for line in result.stdout.splitlines())


@pytest.mark.parametrize("target", ["people.yaml", "../elsewhere.yaml"])
def test_a_roster_linked_to_itself_or_out_of_the_repository_is_an_error(
    tmp_path: Path, run_cli: RunCli, target: str
) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    write_archive(root, {POSTMORTEM_PATH: POSTMORTEM, INCIDENT_PATH: INCIDENT})
    (tmp_path / "elsewhere.yaml").write_text("people: []\n")
    (root / "people.yaml").unlink(missing_ok=True)
    os.symlink(target, root / "people.yaml")
    result = run_cli(root, "lint")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("incident: error: people.yaml: ")


def test_a_pipe_among_the_records_is_named_not_waited_on(tmp_path: Path) -> None:
    write_archive(tmp_path, {INCIDENT_PATH: INCIDENT, POSTMORTEM_PATH: POSTMORTEM})
    os.mkfifo(tmp_path / "incidents" / "INC-2024-06-01-pipe.md")  # reading it would block
    found = lint_archive(tmp_path)
    assert [(d.path, d.code, d.message) for d in found] == [
        ("incidents/INC-2024-06-01-pipe.md", "IO001", "cannot read file: not a regular file")
    ]


def test_a_pipe_among_the_records_is_not_waited_on_when_one_file_is_linted(
    tmp_path: Path,
) -> None:
    # The IDs of the records not linted are read to check the linted one's: a pipe blocked it.
    write_archive(tmp_path, {INCIDENT_PATH: INCIDENT, POSTMORTEM_PATH: POSTMORTEM})
    os.mkfifo(tmp_path / "incidents" / "INC-2024-06-01-pipe.md")
    command = [sys.executable, "-m", "incident_docs", "--root", str(tmp_path), "lint"]
    done = subprocess.run(
        [*command, str(tmp_path / POSTMORTEM_PATH)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "people.yaml",
            "people: " + "[" * 5000 + "]" * 5000 + "\n",
            "nest",
        ),  # the C parser says "nesting depth"
        (
            "people.yaml",
            "people:\n  - handle: dana\n    github: " + "9" * 5000,
            "people.yaml:3: invalid YAML: number too long (5,000 digits; at most 4,300)",
        ),
        ("people.yaml", None, "cannot read the roster: not a regular file"),
        ("pyproject.toml", "tool = 5\n", "tool must be a table"),
        (
            "pyproject.toml",
            "[tool.x]\ny = " + "9" * 5000 + "\n",
            "pyproject.toml:2: invalid TOML: number too long (5,000 digits; at most 4,300)",
        ),
        ("pyproject.toml", "x = " + "[" * 5000 + "]" * 5000 + "\n", "it nests too deeply"),
        ("pyproject.toml", None, "cannot read: not a regular file"),
        ("pyproject.toml", '[tool.incident-docs]\nincidents-dir = "."\n', "below the reposit"),
        ("pyproject.toml", '[tool.incident-docs]\npostmortems-dir = ""\n', "below the reposit"),
        ("pyproject.toml", "[tool.incident-docs.lint]\nmax-file-bytes = 10000000000\n", "less"),
    ],
    ids=[
        "deep-roster",
        "long-integer-roster",
        "pipe-roster",
        "tool-not-a-table",
        "long-integer-config",
        "deep-config",
        "pipe-config",
        "records-in-the-root",
        "empty-records-folder",
        "no-size-limit",
    ],
)
def test_a_broken_roster_or_configuration_is_a_one_line_error(
    archive: Path, run_cli: RunCli, name: str, content: str | None, message: str
) -> None:
    (archive / name).unlink()
    if content is None:
        os.mkfifo(archive / name)
    else:
        (archive / name).write_text(content)
    result = run_cli(archive, "lint")
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and name in result.stderr and message in result.stderr


ROSTER = "people:\n  - handle: dana\n    name: Dana Okafor\n"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("people.yaml", ROSTER.encode("utf-16"), "people.yaml:1: UTF-16 text, not UTF-8"),
        ("people.yaml", ROSTER.encode("utf-16-le"), "people.yaml:1: UTF-16 text, not UTF-8"),
        ("pyproject.toml", "[tool.incident-docs]\n".encode("utf-16"), "pyproject.toml:1: UTF-16"),
        (
            "people.yaml",
            ROSTER.replace("Dana", "Da\x00na", 1).encode(),
            "people.yaml:3: invalid YAML: character U+0000 is not allowed",
        ),
        (
            "people.yaml",
            ROSTER.replace("Okafor", "Oka\x07for", 1).encode(),
            "people.yaml:3: invalid YAML: character U+0007 is not allowed",
        ),
    ],
    ids=["utf16-roster", "utf16-roster-no-bom", "utf16-config", "nul-roster", "bell-roster"],
)
def test_a_roster_or_configuration_that_is_not_text_says_where_and_why(
    archive: Path, run_cli: RunCli, name: str, content: bytes, message: str
) -> None:
    (archive / name).write_bytes(content)
    for command in (("lint",), ("teams",)):
        result = run_cli(archive, *command)
        assert result.exit_code == 2, result.output
        assert result.stderr.count("\n") == 1, result.stderr
        assert result.stderr.startswith(f"incident: error: {message}"), result.stderr
        assert "unicode string" not in result.stderr and "position" not in result.stderr


@pytest.mark.parametrize(
    ("title", "where", "says"),
    [
        ("Checkout \x1b[31mdown", (3, 17), "character U+001B is not allowed"),
        ("A\u2028B\nseverity: : :", (3, 10), "could not find expected ':'"),
        # Not at the first key, where the mapping YAML was reading began.
        ('"Zo\u00eb" down: [', (3, 14), "did not find expected key"),
    ],
)
def test_a_yaml_error_is_placed_on_the_files_own_lines(
    title: str, where: tuple[int, int], says: str
) -> None:
    """YAML counts U+2028 as a line break, and names a character it refuses by its offset."""
    raw = f"---\nid: INC-2022-12-25-x\ntitle: {title}\n---\n# T\n".encode()
    [problem] = [p for p in parse_bytes(raw, "x.md", max_bytes=10_000).problems]
    assert (problem.code, (problem.line, problem.column)) == ("FM002", where)
    assert says in problem.message and "position" not in problem.message


def test_a_timeline_offset_of_a_day_says_so(tmp_path: Path) -> None:
    entry = "- 2024-05-02T10:00:00+24:00 **note**"
    write_archive(
        tmp_path,
        {
            INCIDENT_PATH: INCIDENT.replace("- 2024-05-02T10:00:00Z **note**", entry),
            POSTMORTEM_PATH: POSTMORTEM,
        },
    )
    [found] = [d for d in lint_archive(tmp_path) if d.code == "TL001"]
    assert found.message == "'2024-05-02T10:00:00+24:00' has a UTC offset of a day or more"


MINUTES_60 = "whose minutes are 60 or more: write it as +HH:MM, MM under 60"


@pytest.mark.parametrize(
    ("written", "says"),
    [
        ("2024-02-30T10:00:00Z", "is not a valid date and time: day is out of range for month"),
        # Python reads +00:99 as +01:39: a moment the front-matter refuses and nobody meant.
        ("2024-05-02T10:00:00+00:99", f"has a UTC offset {MINUTES_60}"),
    ],
)
def test_a_timeline_time_that_names_no_moment_says_which_part(
    tmp_path: Path, written: str, says: str
) -> None:
    entry = f"- {written} **note**"
    write_archive(
        tmp_path,
        {
            INCIDENT_PATH: INCIDENT.replace("- 2024-05-02T10:00:00Z **note**", entry),
            POSTMORTEM_PATH: POSTMORTEM,
        },
    )
    [found] = [d for d in lint_archive(tmp_path) if d.code == "TL001"]
    assert found.message == f"'{written}' {says}"


@pytest.mark.parametrize(
    ("written", "says"),
    [
        ("2024-05-02T10:05:00+25:00", "has a UTC offset of a day or more"),
        ("2024-05-02T23:59:60Z", "is not a valid date and time: second must be in 0..59"),
        ("2024-05-02T24:00:00Z", "is not a valid date and time: hour must be in 0..23"),
        # Which part is out of range, as pydantic's message said before.
        ("2024-02-30T10:05:00Z", "is not a valid date and time: day is out of range for month"),
        ("2024-13-02T10:05:00Z", "is not a valid date and time: month must be in 1..12"),
        ("2024-05-02T10:05:00+05:75", f"has a UTC offset {MINUTES_60}"),
    ],
)
def test_a_front_matter_time_that_names_no_moment_says_why_as_the_timeline_does(
    tmp_path: Path, written: str, says: str
) -> None:
    """Not "write a date and time with a UTC offset" of a time that has one."""
    incident = INCIDENT.replace("declared_at: 2024-05-02T10:05:00Z", f"declared_at: {written}")
    write_archive(tmp_path, {INCIDENT_PATH: incident, POSTMORTEM_PATH: POSTMORTEM})
    [found] = [d for d in lint_archive(tmp_path) if d.code == "FM004"]
    assert found.message == f"invalid 'declared_at': '{written}' {says}"


@pytest.mark.parametrize("name", ["people.yaml", "pyproject.toml"])
def test_a_roster_or_configuration_not_in_utf8_names_its_line(
    tmp_path: Path, run_cli: RunCli, name: str
) -> None:
    write_archive(tmp_path, {INCIDENT_PATH: INCIDENT, POSTMORTEM_PATH: POSTMORTEM})
    (tmp_path / name).write_bytes(
        b"people:\n  - {handle: jose, name: Jos\xe9}\n"
        if name == "people.yaml"
        else b"[tool.incident-docs]\n# caf\xe9\n"
    )
    result = run_cli(tmp_path, "lint")
    assert result.exit_code == 2
    assert f"{name}:2: invalid UTF-8 (byte 0xe9); save the file as UTF-8" in result.stderr


def test_a_records_folder_linked_out_of_the_repository_is_not_read(
    tmp_path: Path, run_cli: RunCli
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "INC-2024-05-02-api-errors.md").write_text(INCIDENT)
    root = tmp_path / "repo"
    root.mkdir()
    write_archive(root, {POSTMORTEM_PATH: POSTMORTEM})
    os.symlink(outside, root / "incidents")
    result = run_cli(root, "lint")
    assert "incidents:1:1: IO005 symbolic link leads outside the repository" in result.stdout
    assert "INC-2024-05-02-api-errors.md:" not in result.stdout


def test_a_boolean_timestamp_is_not_called_a_number(tmp_path: Path) -> None:
    record = INCIDENT.replace("declared_at: 2024-05-02T10:05:00Z", "declared_at: true")
    write_archive(tmp_path, {INCIDENT_PATH: record, POSTMORTEM_PATH: POSTMORTEM})
    [found] = [d for d in lint_archive(tmp_path) if d.code == "FM004"]
    assert "declared_at" in found.message and "number" not in found.message


@pytest.mark.parametrize(
    ("written", "said"),
    [("-PT1H", "is negative"), ("90", "is a number"), ("'5400'", "is a number")],
)
def test_an_impact_duration_that_is_negative_or_a_bare_number_is_refused(
    written: str, said: str, tmp_path: Path
) -> None:
    """Taken as they were, the card showed -PT1H as "-1d 23h" and 90 (minutes?) as "2m"."""
    record = POSTMORTEM.replace("duration: PT1H", f"duration: {written}")
    assert record != POSTMORTEM
    write_archive(tmp_path, {INCIDENT_PATH: INCIDENT, POSTMORTEM_PATH: record})
    [found] = [d for d in lint_archive(tmp_path) if d.code == "FM004"]
    assert "impact.duration" in found.message and said in found.message


_PIECES = st.sampled_from(["<!--", "-->", "<!-->", "`", "``", "```", "a", " ", "-", ">", "\n"])


@given(st.lists(_PIECES, max_size=30).map("".join))
@settings(max_examples=300, deadline=None)
def test_comments_are_taken_out_as_the_regex_did_in_one_pass(text: str) -> None:
    """The comments a section's emptiness ignores, found without reading the text to its end
    from each unclosed "<!--" (a text of thousands of them took minutes)."""
    assert without_comments(text) == re.sub(r"<!--.*?-->", "", text, flags=re.DOTALL)
    assert without_comments(text, " ") == re.sub(r"<!--.*?-->", " ", text, flags=re.DOTALL)


@given(st.lists(_PIECES.filter(lambda piece: piece != "\n"), max_size=30).map("".join))
@settings(max_examples=300, deadline=None)
def test_code_spans_on_a_suppression_line_are_found_as_the_regex_did(line: str) -> None:
    """Each run of backticks read once, not searched for its partner from each run."""
    spans = [m.span() for m in re.finditer(r"(?<!`)(`+)(?!`).+?(?<!`)\1(?!`)", line)]
    assert code_spans(line) == spans


class _CountedLines(list[str]):
    """A document's lines that count how often one of them is read."""

    reads = 0

    def __getitem__(self, index: Any) -> Any:
        self.reads += 1
        return super().__getitem__(index)


@pytest.mark.parametrize("stacked", [100, 2000])
def test_stacked_suppressions_read_each_line_a_bounded_number_of_times(stacked: int) -> None:
    """Each next-line suppression of a stack is for the paragraph under the stack, found without
    reading the rest of the stack again from each (12,000 of them took half a minute)."""
    text = "# Title\n\n" + "<!-- incident-docs disable-next-line BL003 -->\n" * stacked + "Text.\n"
    doc = parse_text(text, "stacked.md")
    doc.lines = counted = _CountedLines(doc.lines)
    found, problems = parse(doc)
    assert problems == [] and len(found) == stacked
    assert {(s.first, s.last) for s in found} == {(stacked + 3, stacked + 3)}
    assert counted.reads <= 3 * len(doc.lines)
