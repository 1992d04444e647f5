"""`incident lint` as a user runs it: exit codes, positions, formats, selection, stdin."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import Result

from incident_docs.blameless.training import PACKAGED_PATH
from incident_docs.config import parse_config
from incident_docs.diagnostics import Finding, UsageError
from incident_docs.rules.suppression import Suppression, suppressed
from support.archive import copy_archive, record_files
from support.cli import RunCli

PM = "postmortems/PM-2022-12-25-corrupt-image-crash-loop.md"
INC = "incidents/INC-2022-12-25-corrupt-image-crash-loop.md"


def test_example_archive_is_clean(archive: Path, run_cli: RunCli) -> None:
    result = run_cli(archive, "lint")
    assert result.exit_code == 0, result.output
    assert f"0 errors, 0 warnings in {len(record_files(archive))} files" in result.stderr


def test_a_folder_lints_the_records_in_it_not_other_markdown(
    archive: Path, run_cli: RunCli
) -> None:
    (archive / "docs").mkdir(exist_ok=True)
    guide = archive / "docs" / "writing.md"
    guide.write_text("# Writing\n\nNever write 'Bob obviously forgot'.\n")
    (archive / "NOTES.md").write_text("Obviously Bob forgot.\n")
    records = len(record_files(archive))
    result = run_cli(archive, "lint", str(archive))  # `incident lint .`
    assert result.exit_code == 0, result.output
    assert f"0 errors, 0 warnings in {records} files" in result.stderr
    assert run_cli(archive, "lint", str(archive / "docs")).exit_code == 0
    named = run_cli(archive, "lint", str(guide))  # a file named is linted, whatever it is
    assert named.exit_code == 1 and "docs/writing.md:" in named.stdout


def test_a_folder_is_walked_only_where_records_can_be(
    archive: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `incident lint .` listed every file of a tree of dependencies (and `incident lint /` the
    # whole disk), to lint none of them; a folder deleted meanwhile ended it with an error.
    (archive / "node_modules" / "left-pad").mkdir(parents=True)
    (archive / "postmortems" / "2021").mkdir()
    scandir = os.scandir
    listed: list[str] = []

    def listing(path: str | os.PathLike[str] = ".") -> object:
        listed.append(Path(path).name)
        if Path(path).name == "2021":
            raise FileNotFoundError(2, "No such file or directory", os.fspath(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", listing)
    records = len(record_files(archive))
    for named in ([], [str(archive)], [str(archive.parent)]):
        listed.clear()
        result = run_cli(archive, "lint", *named)
        assert result.exit_code == 0, result.output
        assert f"0 errors, 0 warnings in {records} files" in result.stderr
        assert "postmortems" in listed and "node_modules" not in listed, listed


def test_a_file_named_after_its_folder_is_still_linted(archive: Path, run_cli: RunCli) -> None:
    (archive / "docs").mkdir(exist_ok=True)
    guide = archive / "docs" / "writing.md"
    guide.write_text("# Writing\n\nBob was careless.\n")
    for named in ([guide, archive], [archive, guide]):
        result = run_cli(archive, "lint", "--select", "BL", *map(str, named))
        assert result.exit_code == 1, (named, result.output)
        assert result.stdout.startswith("docs/writing.md:3:"), (named, result.stdout)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_folder_holding_a_pipe_or_a_link_that_cannot_be_read_lints_as_the_archive_does(
    archive: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A pipe named like a record was left out quietly when its folder was named (the archive's
    # lint reports it), and a link that cannot be followed (as "/proc/1/cwd" under `incident
    # lint /`) ended the lint with an error.
    os.mkfifo(archive / "incidents" / "pipe.md")
    (archive / "postmortems" / "cwd").symlink_to(archive / "elsewhere")
    realpath = os.path.realpath

    def unreadable(path: str | os.PathLike[str], **kwargs: bool) -> str:
        if os.fspath(path).endswith("cwd"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return realpath(path, **kwargs)

    monkeypatch.setattr(os.path, "realpath", unreadable)
    whole = run_cli(archive, "lint")
    named = run_cli(archive, "lint", str(archive / "incidents"), str(archive / "postmortems"))
    for result in (whole, named):
        assert result.exit_code == 1, result.output
        assert "incidents/pipe.md:1:1: IO001 cannot read file: not a regular file" in result.stdout
        assert "postmortems/cwd:1:1: ID004" in result.stdout
    assert named.stdout == whole.stdout


def test_the_folder_a_linked_records_folder_leads_to_lints_its_records(
    archive: Path, run_cli: RunCli
) -> None:
    # `postmortems` a link to `records/postmortems`: naming where the records live, or a folder
    # above it, linted nothing and passed.
    (archive / "records").mkdir()
    (archive / "postmortems").rename(archive / "records" / "postmortems")
    (archive / "postmortems").symlink_to(Path("records") / "postmortems")
    record = archive / "records" / PM
    record.write_text(record.read_text().replace("status: published", "status: bogus", 1))
    whole = run_cli(archive, "lint")
    assert whole.exit_code == 1 and f"{PM}:" in whole.stdout, whole.output
    for named in ("records/postmortems", "records", "."):
        result = run_cli(archive, "lint", str(archive / named))
        assert result.exit_code == 1, (named, result.output)
        assert result.stdout == whole.stdout, named


def test_a_folder_linked_inside_the_repository_is_no_stray_file(
    archive: Path, run_cli: RunCli
) -> None:
    (archive / "postmortems" / "2022").mkdir()
    (archive / PM).rename(archive / "postmortems" / "2022" / Path(PM).name)
    (archive / "postmortems" / "old").symlink_to("2022")
    for named in ([], [str(archive / "postmortems")]):
        result = run_cli(archive, "lint", *named)
        assert result.exit_code == 0, (named, result.output)


def test_a_record_reached_through_a_linked_records_folder_is_no_duplicate_of_itself(
    archive: Path, run_cli: RunCli
) -> None:
    # `postmortems` a link to `records/postmortems`: the archive lists its records by the link,
    # and the changed files of a pull request name them where they are; each was ID001 against
    # itself ("also used by postmortems/PM-….md").
    (archive / "records").mkdir()
    (archive / "postmortems").rename(archive / "records" / "postmortems")
    (archive / "postmortems").symlink_to(Path("records") / "postmortems")
    for named in (archive / PM, archive / "records" / PM):
        result = run_cli(archive, "lint", "--select", "ID", str(named))
        assert result.exit_code == 0, (named, result.output)
    # The folder named, as the whole archive reads it (it linted nothing, and said so as a pass),
    # and a file of it named by where it lives too: each record once.
    whole = run_cli(archive, "lint")
    for names in (["postmortems"], ["postmortems", f"records/{PM}"]):
        result = run_cli(archive, "lint", *(str(archive / name) for name in names))
        assert result.exit_code == 0, (names, result.output)
        records = len(list((archive / "postmortems").glob("*.md")))
        assert f"in {records} files" in result.stderr, (names, result.stderr)
    assert whole.exit_code == 0, whole.output
    copy = archive / "records" / "postmortems" / "PM-copy.md"
    copy.write_bytes((archive / PM).read_bytes())
    result = run_cli(archive, "lint", "--select", "ID001", str(archive / PM))
    assert result.exit_code == 1 and "is also used by postmortems/PM-copy.md" in result.stdout


def test_a_folder_linked_from_outside_the_record_folders_is_reported(
    archive: Path, run_cli: RunCli
) -> None:
    # Records kept elsewhere and linked in are never read there: not linted, not published.
    (archive / "legacy").mkdir()
    (archive / PM).rename(archive / "legacy" / Path(PM).name)
    (archive / "postmortems" / "legacy").symlink_to(Path("..") / "legacy")
    said = "postmortems/legacy:1:1: ID004 'legacy' links to legacy/, outside the record folders"
    for named in ([], ["--select", "ID"], [str(archive / "postmortems")]):
        result = run_cli(archive, "lint", *named)
        assert result.stdout.count(said) == 1, (named, result.stdout)
    named = [str(archive / "postmortems" / "legacy"), str(archive / "postmortems")]
    both = run_cli(archive, "lint", *named)
    assert both.exit_code == 1 and both.stdout.count(said) == 1, both.stdout


def test_deleted_section_is_reported_where_it_belongs(archive: Path, run_cli: RunCli) -> None:
    path = archive / PM
    text = path.read_text()
    start = text.index("## Detection")
    end = text.index("## Mitigation")
    path.write_text(text[:start] + text[end:])
    result = run_cli(archive, "lint")
    assert result.exit_code == 1
    line = text[:start].count("\n") + 1  # where '## Mitigation' now stands
    assert result.stdout == (
        f"{PM}:{line}:1: SC001 missing required section '## Detection' "
        "(expected before '## Mitigation')\n"
    )


def test_sections_missing_after_a_lone_front_matter_are_on_a_line_the_file_has(
    archive: Path, run_cli: RunCli
) -> None:
    path = archive / PM
    text = path.read_text()
    path.write_text(text[: text.index("\n---\n") + 5])  # the front-matter alone
    lines = len(path.read_text().splitlines())
    result = run_cli(archive, "lint", "--format", "github", str(path))
    annotations = [line for line in result.stdout.splitlines() if "title=SC001" in line]
    assert annotations and all(f",line={lines}," in line for line in annotations), result.stdout


def test_yaml_syntax_error_at_its_line(archive: Path, run_cli: RunCli) -> None:
    path = archive / INC
    text = path.read_text().replace("tags: [deployment, memory-leak, config]", "tags: [deployment")
    path.write_text(text)
    result = run_cli(archive, "lint", str(archive / INC))
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{INC}:13:7: FM002 YAML syntax error: while parsing a flow")


def test_json_format_is_the_contract(archive: Path, run_cli: RunCli) -> None:
    (archive / INC).write_text(
        (archive / INC).read_text().replace("severity: SEV2", "severity: SEV9")
    )
    result = run_cli(archive, "lint", "--format", "json")
    payload = json.loads(result.stdout)
    assert payload["version"] == 1
    [diagnostic] = payload["diagnostics"]
    assert diagnostic == {
        "path": INC,
        "line": 4,
        "column": 1,
        "code": "FM004",
        "severity": "error",
        "message": "unknown severity 'SEV9' (configured: SEV1, SEV2, SEV3, SEV4)",
        "suggestion": None,
    }


def test_select_and_ignore(archive: Path, run_cli: RunCli) -> None:
    (archive / INC).write_text(
        (archive / INC).read_text().replace("severity: SEV2", "severity: SEV9")
    )
    _unknown_author(archive)
    assert {d["code"] for d in _json(run_cli(archive, "lint", "--format", "json"))} == {
        "FM004",
        "PE001",
    }
    assert {
        d["code"] for d in _json(run_cli(archive, "lint", "--format", "json", "--select", "PE"))
    } == {"PE001"}
    assert {
        d["code"] for d in _json(run_cli(archive, "lint", "--format", "json", "--ignore", "FM,PE"))
    } == set()


def test_an_unreadable_file_fails_whatever_is_selected(tmp_path: Path, run_cli: RunCli) -> None:
    notes = tmp_path / "notes.md"
    notes.write_bytes(b"The deploy went out at 12:32.\nLatin-1 caf\xe9\n")
    result = run_cli(tmp_path, "lint", "--select", "BL", str(notes))
    assert result.exit_code == 1
    assert result.stdout.startswith("notes.md:2:12: IO003 invalid UTF-8")
    ignored = run_cli(tmp_path, "lint", "--select", "BL", "--ignore", "IO", str(notes))
    assert ignored.exit_code == 0 and ignored.stdout == ""


def test_a_byte_that_is_not_utf8_is_placed_at_its_character_column(
    tmp_path: Path, run_cli: RunCli
) -> None:
    notes = tmp_path / "notes.md"
    notes.write_bytes("\ufeffCafé 日本 ".encode() + b"\xff\n")
    result = run_cli(tmp_path, "lint", "--select", "BL", str(notes))
    assert result.stdout.startswith("notes.md:1:9: IO003 invalid UTF-8 (byte 0xff)")


def test_a_byte_that_is_not_utf8_is_on_the_line_other_findings_count(
    tmp_path: Path, run_cli: RunCli
) -> None:
    # Lines ended by a lone CR (an old Mac editor) are lines to an editor and to every rule.
    notes = tmp_path / "notes.md"
    notes.write_bytes(b"# Notes\r\rBob was careless.\r\nCaf\xc3\xa9 \xff\r")
    result = run_cli(tmp_path, "lint", "--select", "BL", str(notes))
    assert result.stdout.startswith("notes.md:4:6: IO003 invalid UTF-8 (byte 0xff)")
    notes.write_bytes(b"# Notes\r\rBob was careless.\r\nCafe\r")
    careless = run_cli(tmp_path, "lint", "--select", "BL", str(notes))
    assert careless.stdout.startswith("notes.md:3:"), careless.stdout


def test_a_link_out_of_the_repository_named_twice_is_reported_once(
    archive: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    (tmp_path / "secret.md").write_text("outside\n")
    link = archive / "postmortems" / "PM-2030-01-01-link.md"
    link.symlink_to(tmp_path / "secret.md")
    for named in ([link, link], [link, link.parent], [link.parent, archive]):
        result = run_cli(archive, "lint", *map(str, named))
        assert result.stdout.count("IO005") == 1, (named, result.stdout)


def _json(result: Result) -> list[dict[str, object]]:
    payload = json.loads(result.stdout)
    diagnostics: list[dict[str, object]] = payload["diagnostics"]
    return diagnostics


def _unknown_author(archive: Path) -> None:
    path = archive / PM
    path.write_text(path.read_text().replace("authors: [sam, dana]", "authors: [sam, nobody]"))


def test_one_setting_decides_whether_warnings_fail(archive: Path, run_cli: RunCli) -> None:
    _unknown_author(archive)
    result = run_cli(archive, "lint")
    assert result.exit_code == 1 and "PE001" in result.stdout  # a finding fails by default
    assert run_cli(archive, "lint", "--fail-on", "error").exit_code == 0
    pyproject = archive / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + '\n[tool.incident-docs.lint]\nfail-on = "error"\n')
    assert run_cli(archive, "lint").exit_code == 0
    assert run_cli(archive, "lint", "--strict").exit_code == 1
    assert run_cli(archive, "lint", "--fail-on", "warning").exit_code == 1


def test_stdin_with_filename(archive: Path, run_cli: RunCli) -> None:
    text = (
        (archive / INC)
        .read_text()
        .replace("declared_at: 2022-12-25T12:41:00Z", "declared_at: 2022-12-25T12:41:00")
    )
    result = run_cli(archive, "lint", "-", "--stdin-filename", INC, input=text)
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{INC}:6:1: FM006 ")


def test_stdin_filename_from_a_folder_outside_the_archive_names_its_file(
    archive: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `incident --root repo lint --stdin-filename repo/incidents/….md -` from repo's parent: it
    # was read from the root (repo/repo/incidents/…), and the record was its own duplicate.
    monkeypatch.chdir(archive.parent)
    name = f"{archive.name}/{INC}"
    result = run_cli(
        archive, "lint", "--format", "json", "-", "--stdin-filename", name,
        input=(archive / INC).read_text(),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["diagnostics"] == []


@pytest.mark.parametrize(
    "written", ["../{inc}", "{root}/{inc}", "{root}/incidents/../{inc}", "{name}"]
)
def test_stdin_filename_is_the_file_it_names_however_it_is_written(
    archive: Path, run_cli: RunCli, written: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Editors pass the buffer's absolute path: the document is that record, not another file
    # with its ID (ID001), and its findings carry the repo-relative path.
    text = (
        (archive / INC).read_text().replace("declared_at: 2022-12-25T12:41:00Z", "declared_at: x")
    )
    name = written.format(inc=INC, root=archive, name=Path(INC).name)
    monkeypatch.chdir(archive / "incidents")
    result = run_cli(archive, "lint", "--format", "json", "-", "--stdin-filename", name, input=text)
    found = json.loads(result.stdout)["diagnostics"]
    assert {d["path"] for d in found} == {INC} and "ID001" not in {d["code"] for d in found}


def test_a_file_is_named_from_the_root_however_it_is_given(
    archive: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A file outside the archive was named as given from the current folder
    # ("../../elsewhere/x.md" from incidents/), which from the root is another file; a link in
    # a folder reached through a symbolic link was named by the way there ("../through/…").
    outside = archive.parent / "elsewhere" / "x.md"
    outside.parent.mkdir()
    outside.write_text((archive / INC).read_text(encoding="utf-8"), encoding="utf-8")
    (archive / "incidents" / "link.md").symlink_to(Path(INC).name)
    (archive.parent / "through").symlink_to(archive)
    monkeypatch.chdir(archive / "incidents")
    for given, shown in [
        ("../../elsewhere/x.md", "../elsewhere/x.md"),
        (str(outside), "../elsewhere/x.md"),
        (str(archive.parent / "through" / "incidents" / "link.md"), "incidents/link.md"),
    ]:
        result = run_cli(archive, "lint", "--format", "json", given)
        assert {d["path"] for d in _json(result)} == {shown}, (given, result.output)


def test_sarif_paths_are_relative_to_the_archive_it_names(archive: Path, run_cli: RunCli) -> None:
    _unknown_author(archive)
    payload = json.loads(run_cli(archive, "lint", "--format", "sarif").stdout)
    run = payload["runs"][0]
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": archive.resolve().as_uri() + "/"}}
    location = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location["uriBaseId"] == "%SRCROOT%" and location["uri"] == PM


def test_github_sarif_and_gitlab_name_files_from_the_git_root_of_a_larger_repository(
    tmp_path: Path, run_cli: RunCli
) -> None:
    # The archive in a subfolder of a monorepo: GitHub and GitLab read paths from the
    # repository's root, so `postmortems/…` would annotate a file that is not there.
    (tmp_path / "mono" / ".git").mkdir(parents=True)
    archive = copy_archive(tmp_path / "mono" / "ops" / "postmortems")
    _unknown_author(archive)
    shown = f"ops/postmortems/{PM}"
    github = run_cli(archive, "lint", "--format", "github").stdout
    assert f"file={shown}," in github, github
    run = json.loads(run_cli(archive, "lint", "--format", "sarif").stdout)["runs"][0]
    base = (tmp_path / "mono").resolve().as_uri() + "/"
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": base}}
    assert run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        shown
    )
    gitlab = json.loads(run_cli(archive, "lint", "--format", "gitlab").stdout)
    assert gitlab[0]["location"]["path"] == shown
    # Text and JSON keep naming files from the archive's root.
    assert {d["path"] for d in _json(run_cli(archive, "lint", "--format", "json"))} == {PM}
    assert run_cli(archive, "lint").stdout.startswith(f"{PM}:")


def test_linting_one_file_knows_the_ids_however_the_others_write_them(
    archive: Path, run_cli: RunCli
) -> None:
    # The other records' IDs were read from "id:" in their first 4 KB: a quoted key, or an id
    # after a long field, hid a duplicate (ID001) and made a link look broken (ID005).
    incident = archive / "incidents" / "INC-2023-03-14-payments-db-failover.md"
    text = incident.read_text(encoding="utf-8")
    notes = "# A long note on how this record was written.\n" * 120  # past the first 4 KB
    text = text.replace("---\nid: ", "---\n" + notes + '"id": ', 1)
    incident.write_text(text, encoding="utf-8")
    linked = run_cli(archive, "lint", "postmortems/PM-2023-03-14-payments-db-failover.md")
    assert "ID005" not in linked.stdout, linked.stdout
    copy = archive / "incidents" / "2023" / incident.name
    copy.parent.mkdir()
    copy.write_text(text, encoding="utf-8")
    duplicate = run_cli(archive, "lint", str(copy))
    assert "ID001" in duplicate.stdout, duplicate.stdout


def test_a_broken_record_is_reported_once_not_again_by_the_links_to_it(
    archive: Path, run_cli: RunCli
) -> None:
    # Its incident said "no postmortem with ID …" (ID005), though the file is there.
    path = archive / "postmortems" / "PM-2023-03-14-payments-db-failover.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r'(?m)^title: "(.*)"$', r'title: "\1', text, count=1), encoding="utf-8")
    result = run_cli(archive, "lint")
    assert "FM002" in result.stdout and "ID005" not in result.stdout, result.stdout


def test_plain_markdown_is_accepted_for_prose_rules_only(archive: Path, run_cli: RunCli) -> None:
    notes = archive / "notes.md"
    notes.write_text("# Notes\n\nNothing to see.\n")
    assert run_cli(archive, "lint", str(notes)).exit_code == 1  # FM001: not a record
    assert run_cli(archive, "lint", "--select", "SC", str(notes)).exit_code == 0


def test_usage_errors_exit_2_with_one_line(archive: Path, run_cli: RunCli) -> None:
    missing = run_cli(archive, "lint", "no/such/record.md")
    assert missing.exit_code == 2
    assert missing.stderr.strip() == "incident: error: no/such/record.md: no such file or directory"
    unknown = run_cli(archive, "lint", "--select", "ZZ9")
    assert unknown.exit_code == 2 and "unknown rule code" in unknown.stderr
    assert run_cli(archive, "lint", "--format", "yaml").exit_code == 2
    for option in ("--select", "--ignore"):
        empty = run_cli(archive, "lint", option, " , ")
        assert empty.exit_code == 2 and empty.stdout == ""
        assert (
            empty.stderr
            == f"incident: error: {option}: give rule codes or prefixes (e.g. BL,FM003)\n"
        )
    record = str(record_files(archive)[0])
    renamed = run_cli(archive, "lint", "--stdin-filename", "x.md", record)
    assert renamed.exit_code == 2 and renamed.stdout == ""
    assert "--stdin-filename names the document read from '-'" in renamed.stderr


def test_bad_configuration_exits_2_naming_the_location(archive: Path, run_cli: RunCli) -> None:
    pyproject = archive / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("approvals = 2", 'approvals = "two"'))
    result = run_cli(archive, "lint")
    assert result.exit_code == 2
    line = pyproject.read_text().splitlines().index('approvals = "two"') + 1
    assert f"pyproject.toml:{line}: tool.incident-docs.severities.0.approvals:" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("added", "said"),
    [
        # "Extra inputs are not permitted", and for a table of its own the line of
        # [tool.incident-docs] instead of the table's.
        (
            '[[tool.incident-docs.severities]]\nname = "P1"\ndescription = "a"\napproval = 2\n',
            "4: tool.incident-docs.severities.0.approval: unknown setting: did you mean "
            "'approvals'?",
        ),
        (
            "[tool.incident-docs.severity.SEV1]\napprovals = 2\n",
            "1: tool.incident-docs.severity: unknown setting: did you mean 'severities'?",
        ),
        (
            '[tool.incident-docs]\nlint.selcet = ["BL"]\n',
            "2: tool.incident-docs.lint.selcet: unknown setting: did you mean 'select'?",
        ),
        # The line was at the end of the message, not where every other error has it.
        ('[tool.x]\ny = "a"\ny = "b"\n', "3: invalid TOML: Cannot overwrite a value (column 8)"),
        # A byte order mark: "Invalid statement (column 1)" did not say what was there.
        (
            "\ufeff[tool.incident-docs]\n",
            "1: invalid TOML: the file starts with a byte order mark (BOM): save it as UTF-8 "
            "without one",
        ),
    ],
)
def test_a_configuration_error_names_the_line_and_the_setting_meant(
    tmp_path: Path, run_cli: RunCli, added: str, said: str
) -> None:
    (tmp_path / "pyproject.toml").write_text(added)
    result = run_cli(tmp_path, "lint")
    assert result.exit_code == 2
    assert result.stderr == f"incident: error: pyproject.toml:{said}\n"


def test_severity_names_that_differ_only_in_case_are_refused(
    archive: Path, run_cli: RunCli
) -> None:
    # A record's "sev4" and the site's pages and colours could not tell them apart.
    pyproject = archive / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text()
        + '\n[[tool.incident-docs.severities]]\nname = "sev4"\ndescription = "Again."\n'
    )
    result = run_cli(archive, "lint")
    assert result.exit_code == 2
    # The line of the name that repeats, not of the file's start.
    line = pyproject.read_text().splitlines().index('name = "sev4"') + 1
    assert result.stderr.splitlines() == [
        f"incident: error: pyproject.toml:{line}: tool.incident-docs.severities.4.name: "
        "severity 'sev4' repeats 'SEV4': names are compared without case"
    ]


def test_a_severity_named_twice_is_refused_at_its_second_name() -> None:
    text = (
        '[tool.incident-docs]\nseverities = [\n  {name = "P1", description = "a"},\n'
        '  {name = "P2", description = "b"},\n  {name = "P1", description = "c"},\n]\n'
    )
    with pytest.raises(UsageError) as raised:
        parse_config(text, "pyproject.toml")
    # An inline table's keys are not found line by line: the line of the array, then.
    assert str(raised.value) == (
        "pyproject.toml:2: tool.incident-docs.severities.2.name: severity 'P1' is named twice"
    )


@pytest.mark.parametrize(
    ("sections", "says"),
    [
        ('["Summary", "summary"]', "section 'summary' repeats 'Summary': lint reads both as"),
        ('["Summary", "## Impact"]', "'## Impact' is no section title: write the heading's words"),
        ('["Summary", ""]', "'' is no section title"),
    ],
)
def test_required_sections_each_once_and_without_hashes(sections: str, says: str) -> None:
    # Listed twice, no postmortem could have both; with its #s, the draft would say '## ## Impact'.
    text = f"[tool.incident-docs]\npostmortem-sections = {sections}\n"
    with pytest.raises(UsageError) as raised:
        parse_config(text, "pyproject.toml")
    assert str(raised.value).startswith(
        f"pyproject.toml:2: tool.incident-docs.postmortem-sections.1: {says}"
    )


@pytest.mark.parametrize(
    ("title", "says"),
    [
        (
            "impact",
            "'impact' is no required section: write it as 'Impact', as the sections list it",
        ),
        ("Postmortem", "'Postmortem' is no required section (of postmortem-sections, "),
    ],
)
def test_aliases_of_a_section_no_list_names_are_refused(
    archive: Path, run_cli: RunCli, title: str, says: str
) -> None:
    # "## Damage" was still reported missing as '## Impact': the aliases were never used.
    pyproject = archive / "pyproject.toml"
    text = pyproject.read_text() + f'\n[tool.incident-docs.section-aliases]\n{title} = ["Damage"]\n'
    pyproject.write_text(text)
    result = run_cli(archive, "lint")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(
        f"incident: error: pyproject.toml:{len(text.splitlines())}: "
        f"tool.incident-docs.section-aliases.{title}: {says}"
    )


@pytest.mark.parametrize(
    ("folders", "says"),
    [
        ('incidents-dir = "records"\npostmortems-dir = "records/postmortems"', "postmortems-dir"),
        ('incidents-dir = "records/incidents"\npostmortems-dir = "records"', "incidents-dir"),
        ('incidents-dir = "records"\npostmortems-dir = "./records"', "postmortems-dir"),
    ],
)
def test_records_folders_one_inside_the_other_are_refused(
    archive: Path, run_cli: RunCli, folders: str, says: str
) -> None:
    # A record's kind is told by its folder: postmortems inside the incidents folder would be
    # read as incidents (and the review gate would ask nothing of them).
    pyproject = archive / "pyproject.toml"
    kept = re.sub(r"(?m)^(?:incidents|postmortems)-dir = .*\n", "", pyproject.read_text())
    text = kept.replace("[tool.incident-docs]\n", f"[tool.incident-docs]\n{folders}\n", 1)
    pyproject.write_text(text)
    result = run_cli(archive, "lint")
    assert result.exit_code == 2, result.output
    assert f"tool.incident-docs: {says} " in result.stderr and "must not be" in result.stderr


@pytest.mark.parametrize(
    ("key", "value"),
    [("incidents-dir", "~/incidents"), ("roster", "~/people.yaml"), ("postmortems-dir", "~ops/pm")],
)
def test_a_path_from_the_home_folder_is_refused(
    archive: Path, run_cli: RunCli, key: str, value: str
) -> None:
    # Read from the repository's root, "~/incidents" was a folder named "~" there: declare
    # wrote the record into it and printed "~/incidents/INC-….md", which a shell reads as home.
    pyproject = archive / "pyproject.toml"
    kept = re.sub(rf"(?m)^{key} = .*\n", "", pyproject.read_text())
    setting = f'[tool.incident-docs]\n{key} = "{value}"\n'
    pyproject.write_text(kept.replace("[tool.incident-docs]\n", setting))
    declared = run_cli(archive, "declare", "Checkout fails", "--by", "sam", "--yes")
    assert declared.exit_code == 2, declared.output
    line = pyproject.read_text().splitlines().index(f'{key} = "{value}"') + 1
    assert declared.stderr == (
        f"incident: error: pyproject.toml:{line}: tool.incident-docs.{key}: '{value}' must be a "
        "path inside the repository: '~' is not the home folder here\n"
    )
    assert not any(path.name.startswith("~") for path in archive.rglob("*"))


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("threshold = true", "threshold: Input should be a valid number"),
        ("threshold = nan", "threshold: Input should be a finite number"),
        ('model = "yes"', "model: Input should be a valid boolean"),
        ('allow = "obviously"', "allow: Input should be an array"),
    ],
)
def test_a_blameless_setting_of_the_wrong_kind_names_its_line_in_toml_words(
    archive: Path, run_cli: RunCli, setting: str, message: str
) -> None:
    pyproject = archive / "pyproject.toml"
    text = pyproject.read_text() + f"\n[tool.incident-docs.blameless]\n# a comment\n{setting}\n"
    pyproject.write_text(text)
    result = run_cli(archive, "lint")
    assert result.exit_code == 2
    line = len(text.splitlines())
    assert result.stderr == (
        f"incident: error: pyproject.toml:{line}: tool.incident-docs.blameless.{message}\n"
    )


def test_attachments_are_extensions_in_any_case_with_or_without_their_dot(
    archive: Path, run_cli: RunCli
) -> None:
    # "PNG" and ".pdf" matched no file: lint called the picture and the report stray files.
    pyproject = archive / "pyproject.toml"
    text = pyproject.read_text()
    setting = '[tool.incident-docs]\nattachments = ["PNG", ".pdf"]\n'
    pyproject.write_text(text.replace("[tool.incident-docs]\n", setting, 1))
    (archive / "incidents" / "diagram.png").write_bytes(b"\x89PNG")
    (archive / "postmortems" / "report.pdf").write_bytes(b"%PDF")
    result = run_cli(archive, "lint")
    assert result.exit_code == 0, result.output
    pyproject.write_text(text.replace("[tool.incident-docs]\n", setting.replace("PNG", "tar.gz")))
    refused = run_cli(archive, "lint")
    assert refused.exit_code == 2
    line = pyproject.read_text().splitlines().index('attachments = ["tar.gz", ".pdf"]') + 1
    assert refused.stderr == (
        f"incident: error: pyproject.toml:{line}: tool.incident-docs.attachments.0: 'tar.gz' is "
        'not a file extension: give the last one, like "png" for diagram.png\n'
    )


@pytest.mark.parametrize(
    ("table", "setting", "says"),
    [
        # Each was read as something else: true as 1 approval, "no" as false, 1e6 as a number
        # of bytes, true as a timeout of one second.
        ("review", "team-approvals = true", "Input should be a valid integer"),
        ("review", 'team-approvals = "2"', "Input should be a valid integer"),
        ("review", 'allow-unchanged-since-review = "no"', "Input should be a valid boolean"),
        ("lint", "max-file-bytes = 1e6", "Input should be a valid integer"),
        ("updates", "timeout = true", "Input should be a valid number"),
    ],
)
def test_a_number_or_switch_of_another_kind_is_refused(
    archive: Path, run_cli: RunCli, table: str, setting: str, says: str
) -> None:
    pyproject = archive / "pyproject.toml"
    text = pyproject.read_text() + f"\n[tool.incident-docs.{table}]\n{setting}\n"
    pyproject.write_text(text)
    result = run_cli(archive, "lint")
    assert result.exit_code == 2, result.output
    key = setting.partition(" = ")[0]
    assert result.stderr == (
        f"incident: error: pyproject.toml:{len(text.splitlines())}: "
        f"tool.incident-docs.{table}.{key}: {says}\n"
    )


def test_approvals_written_as_a_string_are_refused(archive: Path, run_cli: RunCli) -> None:
    pyproject = archive / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("approvals = 2", 'approvals = "2"'))
    result = run_cli(archive, "lint")
    assert result.exit_code == 2, result.output
    assert "tool.incident-docs.severities.0.approvals: Input should be a valid integer" in (
        result.stderr
    )


@pytest.mark.parametrize(
    ("added", "where", "says"),
    [
        (  # a table inside another setting's multi-line string is no table
            '\n[tool.other]\ntext = """\n[tool.incident-docs.blameless]\nthreshold = 3\n"""\n'
            "[tool.incident-docs.blameless]\nthreshold = 3\n",
            "threshold = 3",
            "blameless.threshold: Input should be less than 1",
        ),
        (  # a quoted key holds dots and slashes
            '\n[tool.incident-docs.lint.per-file-ignores]\n"postmortems/*.md" = 5\n',
            '"postmortems/*.md" = 5',
            "per-file-ignores.postmortems/*.md: Input should be an array",
        ),
        (  # a dotted key under its table
            '\n[tool.incident-docs.lint]\nper-file-ignores."notes/*.md" = 5\n',
            'per-file-ignores."notes/*.md" = 5',
            "per-file-ignores.notes/*.md: Input should be an array",
        ),
    ],
)
def test_a_setting_of_the_wrong_kind_names_the_line_that_sets_it(
    archive: Path, run_cli: RunCli, added: str, where: str, says: str
) -> None:
    pyproject = archive / "pyproject.toml"
    text = pyproject.read_text() + added
    pyproject.write_text(text)
    result = run_cli(archive, "lint")
    assert result.exit_code == 2
    line = len(text.splitlines()) - text.splitlines()[::-1].index(where)
    assert result.stderr.startswith(f"incident: error: pyproject.toml:{line}: tool.incident-docs.")
    assert says in result.stderr and result.stderr.count("\n") == 1


def test_string_values_of_a_setting_are_found_where_they_are_written() -> None:
    from incident_docs.config import string_positions

    text = (
        '[tool.other]\nallow = ["ours"]\n'
        "[tool.incident-docs.blameless]\n"
        "allow = ['ours', \"don't\", # 'not this'\n"
        '  "ours",  "esc\\u0061ped", """tri"""]\n'
    )
    assert string_positions(text, ("blameless", "allow")) == (
        (4, 1),  # the setting's own, not the other tool's
        {"ours": [(4, 10), (5, 3)], "don't": [(4, 18)], "escaped": [(5, 12)], "tri": [(5, 28)]},
    )
    inline = '[tool.incident-docs]\nblameless = { allow = ["hotfix"] }\n'
    assert string_positions(inline, ("blameless", "allow")) == ((2, 1), {"hotfix": [(2, 24)]})
    assert string_positions("", ("blameless", "allow")) == ((1, 1), {})


def test_a_setting_is_found_on_its_line_after_a_line_separator_in_a_string(
    archive: Path, run_cli: RunCli
) -> None:
    pyproject = archive / "pyproject.toml"
    text = 'x = "one\u2028two\x85three"\n' + pyproject.read_text()
    text += '\n[tool.incident-docs.blameless]\nallow = ["a phrase never written"]\n'
    pyproject.write_text(text)
    result = run_cli(archive, "lint")
    line = text.split("\n").index('allow = ["a phrase never written"]') + 1
    assert f"pyproject.toml:{line}:10: SP003 allowed phrase" in result.stdout, result.stdout
    pyproject.write_text(text + "[tool.incident-docs.lint]\nfail-on = 3\n")
    result = run_cli(archive, "lint")
    assert f"pyproject.toml:{line + 2}: tool.incident-docs.lint.fail-on" in result.stderr


def test_thousands_of_wrong_settings_are_listed_twenty_at_most(
    archive: Path, run_cli: RunCli
) -> None:
    pyproject = archive / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text()
        + "\n[tool.incident-docs.blameless]\nallow = [\n"
        + "1,\n" * 5000
        + "]\n"
    )
    result = run_cli(archive, "lint")
    assert result.exit_code == 2
    listed = result.stderr.splitlines()
    assert len(listed) == 21 and listed[-1].endswith(": and 4980 more")


def test_broken_roster_exits_2(archive: Path, run_cli: RunCli) -> None:
    (archive / "people.yaml").write_text("people:\n  - handle: [oops\n")
    result = run_cli(archive, "lint")
    assert result.exit_code == 2
    assert result.stderr.startswith("incident: error: people.yaml:")


@pytest.mark.parametrize(
    ("roster", "said"),
    [
        # pydantic's words for Python's types, and a regular expression, were all it said.
        (
            "teams:\n  - name: core\n    github-team: core\n",
            "people.yaml:3: teams[0].github-team: unknown key: did you mean 'github_team'?",
        ),
        (
            "people:\n  - {handle: sam, name: Sam, github: '@sam'}\n",
            "people.yaml:2: people[0].github: '@sam' is not a GitHub login: letters, digits and "
            "hyphens, without the '@'",
        ),
        (
            "people:\n  - {handle: sam, name: Sam, emails: sam@example.com}\n",
            "people.yaml:2: people[0].emails: should be a list, written [a, b] "
            "(got 'sam@example.com')",
        ),
        ("- sam\n", "people.yaml:1: roster: should be a mapping of keys (people:, teams:)"),
        ("people:\nteams:\n", "people.yaml:1: people: should be a list, written [a, b]"),
        # "Field required", "Input should be a valid string": nothing said what to write.
        (
            "people:\n  - {name: Sam}\n",
            "people.yaml:2: people[0].handle: missing: add handle: to this entry",
        ),
        (
            "people:\n  - handle: yes\n    name: Yes\n",
            "people.yaml:2: people[0].handle: should be text, but YAML reads it as true: put it in quotes",
        ),
        (
            "people:\n  - handle: sam\n    name:\n",
            "people.yaml:3: people[0].name: is empty: give it a value",
        ),
        (
            "people:\n  - {handle: sam, name: Sam, senior: maybe}\n",
            "people.yaml:2: people[0].senior: should be true or false (got 'maybe')",
        ),
        (
            "people:\n  - {handle: sam, name: 2024-01-01}\n",
            "people.yaml:2: people[0].name: should be text, but YAML reads it as a date: put it in quotes",
        ),
        (
            "people:\n  - {handle: sam, name: Sam, github: [samlq]}\n",
            "people.yaml:2: people[0].github: should be one piece of text, not a list",
        ),
    ],
)
def test_a_roster_error_is_said_in_the_words_of_the_yaml(
    archive: Path, run_cli: RunCli, roster: str, said: str
) -> None:
    (archive / "people.yaml").write_text(roster)
    result = run_cli(archive, "teams")
    assert result.exit_code == 2
    assert result.stderr == f"incident: error: {said}\n"


def test_a_key_given_twice_in_a_roster_entry_is_an_error_naming_its_line(
    archive: Path, run_cli: RunCli
) -> None:
    # The second handle would silently make the senior someone else.
    roster = "people:\n  - handle: sam\n    name: Sam\n    senior: true\n    handle: eve\n"
    (archive / "people.yaml").write_text(roster)
    result = run_cli(archive, "lint")
    assert result.exit_code == 2
    assert (
        result.stderr
        == "incident: error: people.yaml:5: invalid YAML: key 'handle' appears twice\n"
    )
    # A merge key brings in what it merges, which the entry may then give again; "1" and "true"
    # are two keys.
    merged = (
        "people:\n  - &sam\n    handle: sam\n    name: Sam\n    senior: true\n"
        "  - <<: *sam\n    handle: eve\n    name: Eve\n"
    )
    (archive / "people.yaml").write_text(merged)
    teams = run_cli(archive, "teams")
    assert teams.exit_code == 0, teams.output
    # The same key in two entries is no repeat.
    (archive / "people.yaml").write_text(
        roster.replace("    handle: eve\n", "  - handle: eve\n    name: Eve\n")
    )
    assert run_cli(archive, "lint").exit_code in (0, 1)


def test_a_huge_value_is_quoted_by_its_start_and_length(archive: Path, run_cli: RunCli) -> None:
    huge = "A" * 100_000
    path = archive / INC
    path.write_text(path.read_text().replace("severity: SEV2", f"severity: {huge}"))
    result = run_cli(archive, "lint", "--format", "json")
    (found,) = [d for d in json.loads(result.stdout)["diagnostics"] if d["code"] == "FM004"]
    assert found["message"] == (
        f"unknown severity '{'A' * 60}\u2026' (100,000 characters) (configured: SEV1, SEV2, SEV3, SEV4)"
    )


def test_github_format_writes_the_step_summary(
    archive: Path, run_cli: RunCli, tmp_path: Path, monkeypatch: object
) -> None:
    summary = tmp_path / "summary.md"
    (archive / INC).write_text(
        (archive / INC).read_text().replace("severity: SEV2", "severity: SEV9")
    )
    import pytest

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GITHUB_STEP_SUMMARY", str(summary))
        result = run_cli(archive, "lint", "--format", "github")
    assert result.stdout.startswith(f"::error file={INC},line=4,col=1,title=FM004 invalid-value::")
    assert "| FM004 |" in summary.read_text()


def test_the_step_summary_counts_what_the_step_wrote_before(
    archive: Path, run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # xargs may run lint twice in one step, both writing the summary GitHub takes 1 MiB of.
    summary = tmp_path / "summary.md"
    summary.write_bytes(b"x" * (1024 * 1024 - 100))
    _unknown_author(archive)
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert run_cli(archive, "lint", "--format", "github").exit_code == 1
    assert summary.stat().st_size <= 1024 * 1024


def test_a_gitlab_fingerprint_stays_when_a_line_is_added_above_the_finding(
    tmp_path: Path, run_cli: RunCli
) -> None:
    """GitLab compares fingerprints between the base and the merge request: one that moved with
    its line showed every finding below an edit as fixed, and again as new."""

    def issues(text: str) -> list[tuple[int, str]]:
        result = run_cli(tmp_path, "lint", "--select", "BL", "--format", "gitlab", "-", input=text)
        found = json.loads(result.stdout)
        return [(issue["location"]["lines"]["begin"], issue["fingerprint"]) for issue in found]

    text = "Fine.\n\nThe deploy was careless. The deploy was careless.\n"
    before = issues(text)
    after = issues("A line added.\n\n" + text)
    assert [line for line, _ in before] == [3, 3] and [line for line, _ in after] == [5, 5]
    assert [fingerprint for _, fingerprint in after] == [fingerprint for _, fingerprint in before]
    assert before[0][1] != before[1][1]  # two findings alike, each its own
    sloppy = issues(text.replace("careless", "sloppy", 1))
    assert sloppy[0][1] != before[0][1] and sloppy[1][1] == before[0][1]


def test_sarif_rules_carry_the_configured_severity(archive: Path, run_cli: RunCli) -> None:
    """Code scanning shows a rule's own level too: it said error for a rule made a warning."""
    pyproject = archive / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text()
        + '\n[tool.incident-docs.lint]\nseverity = { BL003 = "warning", BL00 = "info" }\n'
    )
    text = "Obviously the certificate was expiring. The rollout was careless.\n"
    result = run_cli(archive, "lint", "--select", "BL", "--format", "sarif", "-", input=text)
    run = json.loads(result.stdout)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    levels = {rule["id"]: rule["defaultConfiguration"]["level"] for rule in rules}
    assert levels["BL003"] == "warning" and levels["BL004"] == levels["BL001"] == "note"
    assert levels["BL010"] == "error" and levels["FM001"] == "error"  # as shipped
    found = {result["ruleId"]: result["level"] for result in run["results"]}
    assert found == {"BL003": "warning", "BL004": "note"}


def test_inline_suppressions(archive: Path, run_cli: RunCli) -> None:
    path = archive / PM
    recovery = (
        "Traffic was rebalanced across both zones at 15:00 and the extra capacity released at 16:30.\n"
        "Queued orders were processed automatically once the front end recovered.\n"
    )
    emptied = path.read_text().replace(recovery, "_TODO: later_\n")
    path.write_text(emptied)
    assert "SC002" in run_cli(archive, "lint").stdout
    next_line = emptied.replace(
        "## Recovery\n", "<!-- incident-docs disable-next-line SC002 -->\n## Recovery\n"
    )
    path.write_text(next_line)
    assert run_cli(archive, "lint").exit_code == 0
    block = emptied.replace("## Timeline\n", "<!-- incident-docs disable TL -->\n## Timeline\n")
    block = block.replace(
        "## Contributing factors", "<!-- incident-docs enable TL -->\n## Contributing factors"
    )
    block = block.replace("2022-12-25T12:41:00Z **status**", "2022-12-25T12:41:00 **status**")
    path.write_text(block.replace("_TODO: later_\n", recovery))
    assert run_cli(archive, "lint").exit_code == 0
    wrong = next_line.replace("disable-next-line SC002", "disable-next-line SC001")
    path.write_text(wrong)
    result = run_cli(archive, "lint")
    assert "SC002" in result.stdout and "SP001" in result.stdout


def test_a_suppression_shown_in_a_code_span_is_text(archive: Path, run_cli: RunCli) -> None:
    """The page shows it, so it suppresses nothing: anyone could disable a check with it."""
    result = run_cli(
        archive,
        "lint",
        "--select",
        "BL,SP",
        "-",
        input="Write `<!-- incident-docs disable BL004 -->` to turn it off.\nDave is careless.\n"
        "`` a `<!-- incident-docs disable-next-line BL004 -->` b ``\nDave is careless.\n",
    )
    assert [line.split(": ")[0].split(":", 1)[1] for line in result.stdout.splitlines()] == [
        "2:9",
        "4:9",
    ]


def test_blocks_of_suppressed_lines_open_close_and_overlap(archive: Path, run_cli: RunCli) -> None:
    text = (
        "<!-- incident-docs disable BL004 -->\nDave is careless.\n"  # 1-2: suppressed
        "<!-- incident-docs disable BL -->\n"  # 3: open to the end
        "<!-- incident-docs enable BL004 -->\nDave is careless.\n"  # 4-5: still under BL
        "<!-- incident-docs enable BL -->\nDave is careless.\n"  # 6-7: reported
        "<!-- incident-docs disable BL001 -->\n<!-- incident-docs enable BL001 -->\n"  # unused
    )
    result = run_cli(archive, "lint", "--select", "BL,SP", "-", input=text)
    found = [line.split(": ")[0].split(":", 1)[1] + line.split(": ")[1][:6] for line in
             result.stdout.splitlines()]  # fmt: skip
    assert found == ["7:9BL004 ", "8:1SP001 "]


def test_a_code_of_a_suppression_that_suppresses_nothing_is_named(
    archive: Path, run_cli: RunCli
) -> None:
    text = (
        "<!-- incident-docs disable-next-line BL003 BL004 -->\n"
        "The deploy, obviously, broke checkout.\n"  # BL003 only: BL004 is unused
        "<!-- incident-docs disable-next-line BL003 FM004 -->\n"
        "The deploy, obviously, broke checkout.\n"  # FM004 did not run: it cannot be judged
        "<!-- incident-docs disable-next-line BL004 BL009 -->\n"
        "The deploy broke checkout.\n"  # neither suppresses anything
    )
    result = run_cli(archive, "lint", "--select", "BL,SP", "-", input=text)
    assert result.stdout.splitlines() == [
        "<stdin>:1:1: SP001 BL004 in this suppression suppresses nothing: remove it from the "
        "comment",
        "<stdin>:5:1: SP001 suppression of BL004, BL009 suppresses nothing: remove it",
    ]


@pytest.mark.parametrize(
    ("comment", "reported"),
    [
        ("disable-nextline BL003", "'disable-nextline' is no suppression"),
        ("disable-line BL003", "'disable-line' is no suppression"),
        ("ignore BL003", "'ignore' is no suppression"),
        ("disable-next-lineBL003", "'disable-next-lineBL003' is no suppression"),
        ("disable-nextline", "'disable-nextline' is no suppression"),
        ("disable-next-line", "a suppression names the rule codes it is for"),
        ("enable BL003", "enable BL003 ends no block"),  # no disable above it
        # A reason after the codes: the word that is no code is named.
        ("disable-next-line BL003 quoting them", "'quoting' is no rule code"),
        ("disable-next-line BL003 -- quoted", "'--' is no rule code"),
        # SP001 then said the comment suppressed nothing, and removing it kept SP001.
        ("disable-next-line SP001", "SP001 cannot be suppressed by a comment"),
        ("action-item: PM-2024-01-01-x#1", None),  # another note of ours, no suppression
    ],
)
def test_a_mistyped_suppression_says_what_is_wrong(
    archive: Path, run_cli: RunCli, comment: str, reported: str | None
) -> None:
    text = f"<!-- incident-docs {comment} -->\nThe deploy, obviously, broke checkout.\n"
    result = run_cli(archive, "lint", "--select", "BL,SP", "-", input=text)
    lines = result.stdout.splitlines()
    assert any(line.startswith("<stdin>:2:") and "BL003" in line for line in lines)
    problems = [line for line in lines if " SP00" in line]
    if reported is None:
        assert problems == []
    else:
        assert len(problems) == 1 and problems[0].startswith("<stdin>:1:1: SP002 ")
        assert reported in problems[0]


def test_a_block_disabled_twice_ends_at_the_first_enable(archive: Path, run_cli: RunCli) -> None:
    # The second disable once replaced the first, which then ran to the end of the file.
    text = (
        "<!-- incident-docs disable BL003 -->\n"
        "<!-- incident-docs disable BL003 BL004 -->\n"
        "The deploy, obviously, broke checkout.\n"
        "<!-- incident-docs enable BL003 -->\n"
        "The deploy, obviously, broke search.\n"
        "<!-- incident-docs enable BL003 BL004 -->\n"
        "The deploy, obviously, broke login.\n"
    )
    result = run_cli(archive, "lint", "--select", "BL,SP", "-", input=text)
    lines = result.stdout.splitlines()
    found = [re.match(r"<stdin>:(\d+):\d+: BL003 ", line) for line in lines]
    assert [m.group(1) for m in found if m] == ["5", "7"]
    problems = [line for line in lines if " SP00" in line]
    assert "<stdin>:2:1: SP002 disable BL003 is already open (line 1): end that block with " \
        "<!-- incident-docs enable BL003 --> first" in problems  # fmt: skip
    assert any(p.startswith("<stdin>:6:1: SP002 enable BL003 ends no block") for p in problems)


def test_a_suppression_of_many_codes_still_suppresses(archive: Path, run_cli: RunCli) -> None:
    codes = " ".join(f"BL{n:03}" for n in range(1, 100))
    text = f"<!-- incident-docs disable-next-line {codes} -->\nThe deploy, obviously, broke it.\n"
    result = run_cli(archive, "lint", "--select", "BL,SP", "-", input=text)
    lines = result.stdout.splitlines()
    assert not any("BL003" in line and line.startswith("<stdin>:2:") for line in lines)
    assert any(" SP001 " in line for line in lines)  # the codes that suppressed nothing


def test_per_file_ignores_drop_a_code_in_the_files_they_match(
    archive: Path, run_cli: RunCli
) -> None:
    pyproject = archive / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text()
        + '\n[tool.incident-docs.lint.per-file-ignores]\n"notes/*" = ["BL004"]\n'
    )
    text = "Dave is careless.\n<!-- incident-docs disable-next-line BL004 -->\nDave is sloppy.\n"

    def found(name: str) -> list[str]:
        result = run_cli(archive, "lint", "--select", "BL,SP", "--stdin-filename", name, "-",
                         input=text)  # fmt: skip
        return [line.split(": ")[0].split(":", 1)[1] + line.split(": ")[1][:5] for line in
                result.stdout.splitlines()]  # fmt: skip

    # Ignored there, the finding is no one's to suppress: the comment suppresses nothing.
    assert found("notes/today.md") == ["2:1SP001"]
    assert found("other/today.md") == ["1:9BL004"]


def test_configured_codes_read_in_any_case_as_the_command_line_does(
    archive: Path, run_cli: RunCli
) -> None:
    # Lower case did nothing in `severity` and `per-file-ignores`, silently.
    pyproject = archive / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text()
        + '\n[tool.incident-docs.lint]\nseverity = { bl004 = "info" }\n'
        + '\n[tool.incident-docs.lint.per-file-ignores]\n"notes/*" = ["bl"]\n'
    )
    text = "Dave is careless.\n"
    notes = run_cli(archive, "lint", "--select", "BL", "--stdin-filename", "notes/a.md", "-",
                    input=text)  # fmt: skip
    assert notes.exit_code == 0 and "BL004" not in notes.stdout
    other = run_cli(archive, "lint", "--select", "BL", "--stdin-filename", "other/a.md", "-",
                    input=text)  # fmt: skip
    assert "BL004" in other.stdout and other.exit_code == 0  # reported, as info: no failure
    twice = archive / "pyproject.toml"
    twice.write_text(
        twice.read_text().replace('{ bl004 = "info" }', '{ BL004 = "error", bl004 = "info" }')
    )
    refused = run_cli(archive, "lint")
    assert refused.exit_code == 2 and "'bl004' is given twice" in refused.stderr
    # Which one was meant is lint's to ask: a declaration goes on, with the warning.
    declared = run_cli(archive, "declare", "-y", "Checkout down", "--by", "sam")
    assert declared.exit_code == 0 and "warning" in declared.stderr, declared.output


@pytest.mark.parametrize(
    ("setting", "where"),
    [
        ('ignore = ["XX123"]', "lint.ignore: unknown rule code or prefix 'XX123'"),
        ('severity = { TM02 = "info" }', "lint.severity.TM02: unknown rule code or prefix 'TM02'"),
        ('per-file-ignores = { "a/*" = ["ZZ"] }', "unknown rule code or prefix 'ZZ'"),
    ],
)
def test_a_configured_code_no_rule_has_is_refused_by_lint_and_a_warning_elsewhere(
    archive: Path, run_cli: RunCli, setting: str, where: str
) -> None:
    # It did nothing, or stopped `incident lint` naming no file. A code from another version
    # of the tool must not stop a declaration: the commands that do not lint warn.
    pyproject = archive / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + f"\n[tool.incident-docs.lint]\n{setting}\n")
    line = len(pyproject.read_text().splitlines())
    said = f"pyproject.toml:{line}: tool.incident-docs."
    lint = run_cli(archive, "lint")
    assert lint.exit_code == 2 and lint.stderr.startswith(f"incident: error: {said}")
    assert where in lint.stderr and "Traceback" not in lint.output
    declared = run_cli(archive, "declare", "-y", "Checkout down", "--by", "sam")
    assert declared.exit_code == 0, declared.output
    assert declared.stderr.count(f"incident: warning: {said}") == 1 and where in declared.stderr
    assert list((archive / "incidents").glob("*checkout-down*"))


def test_suppressions_cover_their_codes_and_prefixes_where_blocks_overlap() -> None:
    blocks = [
        Suppression(1, ("BL00",), 1, 999),  # never closed: BL001-BL009, not BL010
        Suppression(2, ("FM", "BL010"), 2, 4),
        Suppression(5, ("BL004",), 6, 6),  # disable-next-line: also under the first block
        Suppression(7, ("ID",), 7, 999),  # nothing of ID: unused
        Suppression(8, ("SP",), 8, 8),  # a finding about suppressions is never suppressed
        Suppression(9, ("BL00",), 9, 9),  # inside the first block, which covers line 12 still
        *(Suppression(20 + n, ("BL00",), 20 + n, 999) for n in range(500)),  # overlapping
    ]
    findings = [
        Finding("BL010", "", 3, 1),  # under the second block
        Finding("BL010", "", 5, 1),  # no block of BL010 is open at line 5
        Finding("BL004", "", 6, 1),
        Finding("SP002", "", 8, 1),
        Finding("BL001", "", 12, 1),
        Finding("BL001", "", 600, 1),
    ]
    assert suppressed(findings, blocks) == {0, 2, 4, 5}
    assert [block.used for block in blocks[:6]] == [
        {"BL00"}, {"BL010"}, {"BL004"}, set(), set(), set()
    ]  # fmt: skip
    assert all(block.used == {"BL00"} for block in blocks[6:])


@pytest.mark.parametrize("module", ["incident_docs", "incident_docs.cli"])
def test_console_script_runs(archive: Path, module: str) -> None:
    # `python -m incident_docs.cli` printed nothing and exited 0: its commands were never added.
    result = subprocess.run(
        [sys.executable, "-m", module, "--root", str(archive), "lint"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "0 errors" in result.stderr


def test_a_clean_lint_prints_its_summary_and_nothing_else(archive: Path) -> None:
    # With pydantic before 2.10 every command began with a UserWarning about the setting
    # blameless model-file ("conflict with protected namespace").
    env = {key: value for key, value in os.environ.items() if key != "PYTHONWARNINGS"}
    result = subprocess.run(
        [sys.executable, "-m", "incident_docs", "--root", str(archive), "lint"],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == f"0 errors, 0 warnings in {len(record_files(archive))} files\n"


def test_no_setting_falls_in_a_namespace_pydantic_protects() -> None:
    # The test above can fail only with pydantic before 2.10, which protects every name that
    # starts with model_ unless the model says otherwise; this one fails with any pydantic.
    from pydantic import BaseModel

    from incident_docs import config, models

    clashes = [
        f"{model.__name__}.{name}"
        for module in (config, models)
        for model in vars(module).values()
        if isinstance(model, type) and issubclass(model, BaseModel)
        for name in model.model_fields
        for namespace in model.model_config.get("protected_namespaces", ("model_",))
        if isinstance(namespace, str) and name.startswith(namespace)
    ]
    assert clashes == []


def test_rules_listing() -> None:
    from click.testing import CliRunner

    from incident_docs.cli import main

    result = CliRunner().invoke(main, ["rules", "--format", "json"])
    rules = json.loads(result.stdout)
    assert all(rule["bad"] and rule["good"] for rule in rules)
    assert {"FM001", "SC001", "ID001", "TL001"} <= {rule["code"] for rule in rules}


def test_naming_the_roster_or_the_configuration_lints_the_whole_archive(
    archive: Path, run_cli: RunCli
) -> None:
    everything = len(record_files(archive))
    for name in ("people.yaml", "pyproject.toml"):
        result = run_cli(archive, "lint", str(archive / name))
        assert result.exit_code == 0, result.output
        assert result.stderr.strip().endswith(f"in {everything} files")


def test_naming_the_blameless_examples_or_model_file_lints_the_whole_archive(
    archive: Path, run_cli: RunCli
) -> None:
    # Either can change the findings of every record; read as a record, the examples file got
    # FM001 and BL findings of its own lines.
    everything = len(record_files(archive))
    with (archive / "pyproject.toml").open("a") as handle:
        handle.write('\n[tool.incident-docs.blameless]\nexamples = "examples.tsv"\n')
    (archive / "examples.tsv").write_text("text\tlabel\nKen broke it, again.\tblameful\n")
    model = archive / ".incident-docs" / "blameless-model.json.gz"
    model.parent.mkdir()
    model.write_bytes(PACKAGED_PATH.read_bytes())
    for name in ("examples.tsv", ".incident-docs/blameless-model.json.gz"):
        result = run_cli(archive, "lint", str(archive / name))
        assert result.exit_code == 0, result.output
        assert result.stderr.strip().endswith(f"in {everything} files")
    # As `incident lint --help` says.
    usage = " ".join(run_cli(archive, "lint", "--help").stdout.split())
    assert "the roster, pyproject.toml, the blameless examples file or model file" in usage


def test_read_commands_outside_an_archive_exit_2_and_say_how(
    tmp_path: Path, run_cli: RunCli
) -> None:
    for command in (["lint"], ["list"], ["stats"], ["actions"]):
        result = run_cli(tmp_path, *command)
        assert result.exit_code == 2, command
        assert "no incident archive in" in result.stderr and "incident init" in result.stderr


def test_a_closed_pipe_is_not_an_error(archive: Path) -> None:
    result = subprocess.run(
        f"'{sys.executable}' -m incident_docs --root '{archive}' rules | head -1",
        shell=True,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout.startswith("IO001")
    assert "error" not in result.stderr.lower(), result.stderr


def test_findings_still_fail_when_the_reader_of_both_streams_goes_away(archive: Path) -> None:
    """`incident lint x.md 2>&1 | true`: the summary on standard error meets a closed pipe."""
    bad = archive / "incidents" / "x.md"
    bad.write_text("---\n---\n")
    result = subprocess.run(
        ["bash", "-c", f"'{sys.executable}' -m incident_docs --root '{archive}' lint '{bad}' "
         "2>&1 | true; exit ${PIPESTATUS[0]}"],
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    assert result.returncode == 1


def _into_a_closed_pipe(
    *args: str, env: dict[str, str] | None = None, both: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run `incident ARGS` with standard output (and with `both`, standard error: `2>&1`) a pipe
    nobody reads any more."""
    reader, writer = os.pipe()
    os.close(reader)
    try:
        return subprocess.run(
            [sys.executable, "-m", "incident_docs", *args],
            stdout=writer,
            stderr=writer if both else subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            check=False,
            env=env,
        )
    finally:
        os.close(writer)


def test_a_check_that_fails_still_fails_when_its_reader_goes_away(archive: Path) -> None:
    """`incident codeowners --check | head -1` in a job with pipefail: no CODEOWNERS yet."""
    result = _into_a_closed_pipe("--root", str(archive), "codeowners", "--check")
    assert result.returncode == 1
    assert "out of date" in result.stderr and "Traceback" not in result.stderr


def test_a_check_that_fails_still_fails_after_a_warning_into_a_closed_pipe(archive: Path) -> None:
    """`incident codeowners --check 2>&1 | head -1` with a lint setting that names no rule: the
    warning about it met the closed pipe, and the check stopped there with exit 0."""
    with (archive / "pyproject.toml").open("a", encoding="utf-8") as config:
        config.write('\n[tool.incident-docs.lint]\nignore = ["ZZ"]\n')
    result = _into_a_closed_pipe("--root", str(archive), "codeowners", "--check", both=True)
    assert result.returncode == 1


@pytest.mark.parametrize("option", ["--help", "--version"])
def test_help_into_a_closed_pipe_is_not_a_finding(option: str) -> None:
    result = _into_a_closed_pipe(option)
    assert (result.returncode, result.stderr) == (0, "")


@pytest.mark.parametrize(
    "args", [["lint", "--format", "jsn"], ["lnit"], ["--root"]], ids=["option", "command", "root"]
)
def test_a_usage_error_into_a_closed_pipe_is_still_a_usage_error(args: list[str]) -> None:
    """`incident lint --format jsn 2>&1 | head -1` in a job with pipefail: click's message meets
    the closed pipe, and the exit code said 1 (findings) instead of 2."""
    result = _into_a_closed_pipe(*args, both=True)
    assert result.returncode == 2


def test_output_in_an_encoding_without_the_characters_is_escaped(archive: Path) -> None:
    """PYTHONIOENCODING=latin-1 (or a locale that is not UTF-8) and a title with a dash."""
    record = archive / "incidents" / "INC-2026-11-20-search-latency.md"
    text = record.read_text(encoding="utf-8")
    record.write_text(text.replace("Search results slow", "Search — 搜索 slow", 1), "utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "incident_docs", "--root", str(archive), "list"],
        capture_output=True,
        check=False,
        env={**os.environ, "PYTHONIOENCODING": "latin-1"},
    )
    assert result.returncode == 0, result.stderr
    assert b"Search \\u2014 \\u641c\\u7d22 slow" in result.stdout


@pytest.mark.parametrize("command", ["show", "list", "similar"])
def test_json_in_an_encoding_without_the_characters_still_reads_back(
    archive: Path, command: str
) -> None:
    """`show` wrote a character beyond the Basic Multilingual Plane (an emoji) as `\\U0001f525`,
    which is no JSON escape: a script read invalid JSON from a command that exited 0. Every JSON
    output reads back as the record."""
    record = archive / "incidents" / "INC-2026-11-20-search-latency.md"
    text = record.read_text(encoding="utf-8")
    title = "Search \U0001f525 caf\u00e9 \u2014 slow"
    record.write_text(text.replace("Search results slow", title, 1), "utf-8")
    args = {
        "show": ["show", "INC-2026-11-20-search-latency"],
        "list": ["list"],
        "similar": ["similar", "--text", "search latency index"],
    }[command]
    result = subprocess.run(
        [sys.executable, "-m", "incident_docs", "--root", str(archive), *args, "--format", "json"],
        capture_output=True,
        check=False,
        env={**os.environ, "PYTHONIOENCODING": "latin-1"},
    )
    assert result.returncode == 0, result.stderr
    read = json.loads(result.stdout.decode("latin-1"))
    titles = [read["title"]] if command == "show" else [r["title"] for r in read]
    assert any(t.startswith(title) for t in titles), titles


def test_the_command_list_shows_whole_first_sentences() -> None:
    from click.testing import CliRunner

    from incident_docs.cli import main

    result = CliRunner().invoke(main, ["--help"], terminal_width=80)
    commands = result.stdout.split("Commands:", 1)[1]
    assert "..." not in commands
    assert "action-item page lists them." in " ".join(commands.split())


def test_the_command_list_matches_the_commands() -> None:
    """`incident --help` lists commands without importing them; the list must not drift."""
    from incident_docs.cli import COMMANDS, _load_command_modules, main

    _load_command_modules()
    assert sorted(main.commands) == sorted(COMMANDS)
    for name, (module, short_help) in COMMANDS.items():
        command = main.commands[name]
        assert command.get_short_help_str(limit=400) == short_help, name
        callback = command.callback
        assert callback is not None and callback.__module__ == module, name


def test_version_and_help_import_no_command() -> None:
    """They start fast because they load neither pydantic nor a command's module."""
    probe = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from incident_docs.cli import main\n"
        "for args in (['--version'], ['--help']):\n"
        "    assert CliRunner().invoke(main, args).exit_code == 0\n"
        "heavy = [m for m in sys.modules if m == 'pydantic' or m.startswith('incident_docs.cli_')]\n"
        "print(','.join(heavy))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


def test_per_file_ignores_of_sp_silence_unused_suppressions(archive: Path, run_cli: RunCli) -> None:
    # SP001 was still reported in the files that ignore SP, as no other code ever is.
    pyproject = archive / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text() + '\n[tool.incident-docs.lint.per-file-ignores]\n"notes/*" = ["SP"]\n'
    )
    text = "<!-- incident-docs disable-next-line BL004 -->\nThe deploy broke checkout.\n"

    def found(name: str) -> str:
        return run_cli(archive, "lint", "--select", "BL,SP", "--stdin-filename", name, "-",
                       input=text).stdout  # fmt: skip

    assert "SP001" not in found("notes/today.md")
    assert "other/today.md:1:1: SP001 " in found("other/today.md")


def test_a_code_named_twice_in_a_suppression_is_one(archive: Path, run_cli: RunCli) -> None:
    # The enable ended the block for the first BL004, then said no block of BL004 was open.
    text = (
        "<!-- incident-docs disable BL004 bl004 -->\nDave is careless.\n"
        "<!-- incident-docs enable BL004 BL004 -->\n"
        "<!-- incident-docs disable-next-line BL003 BL003 -->\nFine.\n"
    )
    result = run_cli(archive, "lint", "--select", "BL,SP", "-", input=text)
    assert (
        result.stdout == "<stdin>:4:1: SP001 suppression of BL003 suppresses nothing: remove it\n"
    )


def test_an_unused_suppression_after_text_says_it_is_for_the_line_below(
    archive: Path, run_cli: RunCli
) -> None:
    # A list marker is no text the comment could be meant for: "1." was said to be.
    comment = "<!-- incident-docs disable-next-line BL004 -->"
    text = (
        f"The careless push. {comment}\nFine.\n\n- {comment}\n  Fine.\n\n1. {comment}\n   Fine.\n"
    )
    result = run_cli(archive, "lint", "--select", "BL,SP", "-", input=text)
    assert [
        line.split(": SP001 ")[1] for line in result.stdout.splitlines() if "SP001" in line
    ] == [
        "suppression of BL004 suppresses nothing: a disable-next-line comment is for the line "
        "below it, not the text before it: move it to a line of its own above that text, or "
        "remove it",
        "suppression of BL004 suppresses nothing: remove it",
        "suppression of BL004 suppresses nothing: remove it",
    ]


def test_a_suppression_over_two_lines_is_reported(archive: Path, run_cli: RunCli) -> None:
    # A comment over several lines is no suppression: it suppressed nothing, silently.
    text = "<!-- incident-docs disable-next-line\n  BL003 -->\nThe deploy, obviously, broke it.\n"
    result = run_cli(archive, "lint", "--select", "BL,SP", "-", input=text)
    lines = result.stdout.splitlines()
    assert lines[0].startswith("<stdin>:1:1: SP002 a suppression is written on one line")
    assert lines[1].startswith("<stdin>:3:") and " BL003 " in lines[1]


@pytest.mark.parametrize(
    ("text", "where"),
    [
        # Within a paragraph, a list item or a quote, and in a YAML comment of the front-matter:
        # each suppressed nothing, and nothing said so.
        ("The deploy <!-- incident-docs disable-next-line\nBL003 --> broke.\n", "1:12"),
        ("- The deploy <!-- incident-docs disable BL003\n  -->\n", "1:14"),
        ("> <!-- incident-docs disable-next-line\n> BL003 -->\n", "1:3"),
        ("---\ntitle: x\n# <!-- incident-docs disable-next-line\n# BL003 -->\nsummary: x\n---\n",
         "3:3"),
    ],
    ids=["paragraph", "list-item", "quote", "front-matter"],
)  # fmt: skip
def test_a_suppression_over_two_lines_is_reported_wherever_it_is(
    archive: Path, run_cli: RunCli, text: str, where: str
) -> None:
    result = run_cli(archive, "lint", "--select", "SP", "-", input=text)
    assert result.stdout.startswith(f"<stdin>:{where}: SP002 a suppression is written on one line")


def test_a_suppression_in_a_code_span_over_two_lines_is_text(
    archive: Path, run_cli: RunCli
) -> None:
    text = "Write `<!-- incident-docs disable-next-line\nBL003 -->` on one line.\n"
    assert run_cli(archive, "lint", "--select", "SP", "-", input=text).exit_code == 0


def test_a_reason_after_the_codes_is_told_where_to_go(archive: Path, run_cli: RunCli) -> None:
    # Below a next-line comment, a comment of its own is the line it is for: the comment above.
    text = "<!-- incident-docs disable-next-line BL003 quoted -->\nThe deploy, obviously, broke.\n"
    result = run_cli(archive, "lint", "--select", "BL,SP", "-", input=text)
    assert "write a reason in a comment of its own above it" in result.stdout


def test_an_unused_suppression_is_reported_where_its_comment_is(
    archive: Path, run_cli: RunCli
) -> None:
    # Each was reported at column 1: the second comment on a line, or one in a list item, was
    # pointed at by an annotation on another.
    text = (
        "<!-- incident-docs disable-next-line BL003 --> <!-- incident-docs disable-next-line BL004 -->\n"
        "The deploy, obviously, broke it.\n"
        "- item\n\n  <!-- incident-docs disable BL009 --->\n  Fine.\n"
    )
    result = run_cli(archive, "lint", "--select", "BL,SP", "-", input=text)
    assert [line.split(": ")[0] + " " + line.split(": ")[1][:5] for line in
            result.stdout.splitlines()] == ["<stdin>:1:48 SP001", "<stdin>:5:3 SP001"]  # fmt: skip


def _many_records(archive: Path) -> None:
    """The example archive grown past the size lint starts worker processes for, with findings
    in several files: unknown severities, a broken link, and an ID used by two files."""
    from incident_docs.linter import PARALLEL_THRESHOLD

    incident, postmortem = (archive / INC).read_text(), (archive / PM).read_text()
    slug = "2022-12-25-corrupt-image-crash-loop"
    for index in range(PARALLEL_THRESHOLD // 2 + 10):
        copy = f"2023-01-{index % 28 + 1:02d}-copy-{index}"
        text = incident.replace(slug, copy)
        if index % 9 == 0:
            text = text.replace("severity: SEV", "severity: XSEV", 1)
        (archive / "incidents" / f"INC-{copy}.md").write_text(text)
        text = postmortem.replace(slug, copy)
        if index % 13 == 0:
            text = text.replace(f"INC-{copy}", "INC-2099-01-01-missing", 1)
        (archive / "postmortems" / f"PM-{copy}.md").write_text(text)
    (archive / "incidents" / "2023").mkdir()
    (archive / "incidents" / "2023" / "INC-2023-01-05-copy-4.md").write_text(
        (archive / "incidents" / "INC-2023-01-05-copy-4.md").read_text()
    )


@pytest.mark.parametrize("output_format", ["text", "json", "github", "sarif"])
def test_worker_processes_print_what_one_process_prints(
    archive: Path, run_cli: RunCli, output_format: str
) -> None:
    _many_records(archive)
    one = run_cli(archive, "lint", "--format", output_format, "--jobs", "1")
    assert one.exit_code == 1, one.output
    for jobs in ("2", "3"):
        several = run_cli(archive, "lint", "--format", output_format, "--jobs", jobs)
        assert (several.exit_code, several.stdout, several.stderr) == (
            one.exit_code,
            one.stdout,
            one.stderr,
        )
    if output_format == "text":
        for expected in ("FM004", "ID005", "ID001"):
            assert f" {expected} " in one.stdout
        assert (
            "incidents/2023/INC-2023-01-05-copy-4.md:2:1: ID001 ID 'INC-2023-01-05-copy-4' "
            "is also used by incidents/INC-2023-01-05-copy-4.md" in one.stdout
        )


@pytest.mark.parametrize("jobs", ["0", "-1", "x"])
def test_jobs_is_a_count_of_processes(archive: Path, run_cli: RunCli, jobs: str) -> None:
    result = run_cli(archive, "lint", "--jobs", jobs)
    assert result.exit_code == 2
    assert "--jobs" in result.stderr and "Traceback" not in result.output


def test_the_default_jobs_are_the_processors_this_process_may_use(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from incident_docs.linter import usable_cpus

    # A CI job or a container given 3 of the machine's 64 processors.
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 5, 9}, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    assert usable_cpus() == 3
