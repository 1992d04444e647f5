"""Running an incident from the terminal: the commands as a responder types them."""

from __future__ import annotations

import contextlib
import gc
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click
import pytest
import yaml
from markdown_it import MarkdownIt
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from incident_docs import cli_incident, records, store, webhooks
from incident_docs import git as incident_git
from incident_docs.document import read_document
from incident_docs.templates import REVIEW_CHECKLIST
from support.archive import copy_archive
from support.cli import RunCli

NOW = datetime(2024, 5, 2, 10, 0, tzinfo=UTC)
INC = "INC-2024-05-02-checkout-fails"
INC_PATH = f"incidents/{INC}.md"


@pytest.fixture
def archive(empty_archive: Path) -> Path:
    """No records yet, and the checkout service has an owner."""
    root = empty_archive
    roster = root / "people.yaml"  # the checkout service these tests declare about has an owner
    roster.write_text(
        roster.read_text().replace("services: [payments-api,", "services: [checkout, payments-api,")
    )
    return root


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands read a fixed 'now'; --at moves individual steps."""
    monkeypatch.setattr(cli_incident, "CLOCK", lambda: NOW + timedelta(hours=3))
    monkeypatch.setattr(cli_incident, "_terminal", lambda: False)


def declare(run_cli: RunCli, root: Path, *extra: str) -> str:
    result = run_cli(
        root,
        "declare",
        "Checkout fails",
        "--because",
        "user-facing",
        "--service",
        "checkout",
        "--by",
        "sam",
        "--at",
        "2024-05-02T10:00:00Z",
        "--yes",
        *extra,
    )
    assert result.exit_code == 0, result.output
    return result.stdout.strip().splitlines()[-1]


def lint_codes(run_cli: RunCli, root: Path, *paths: str) -> list[str]:
    result = run_cli(root, "lint", "--format", "json", *(str(root / p) for p in paths))
    return [d["code"] for d in json.loads(result.stdout)["diagnostics"]]


# --- declare -------------------------------------------------------------------------------------


def test_declare_creates_a_record_that_lints_clean_but_for_its_placeholder(
    archive: Path, run_cli: RunCli
) -> None:
    printed = declare(run_cli, archive)
    path = archive / INC_PATH
    assert Path(printed).resolve() == path.resolve()
    text = path.read_text()
    assert "severity: SEV3\n" in text  # user facing alone
    assert "  user_facing: true\n" in text and "  data_lost: false\n" in text
    for role in ("incident_commander", "communications_lead", "ops_lead"):
        assert f"  {role}: sam\n" in text
    assert "## Timeline\n\n- 2024-05-02T10:00:00Z **status** by sam: Declared SEV3 incident" in text
    # Clean while it runs (a PR opened with --pr starts green); the placeholder counts once
    # the incident is resolved.
    assert lint_codes(run_cli, archive, INC_PATH) == []
    path.write_text(
        text.replace(
            "status: investigating", "status: resolved\nresolved_at: 2024-05-02T11:00:00Z", 1
        )
    )
    assert "SC002" in lint_codes(run_cli, archive, INC_PATH)


def test_the_same_title_on_the_same_day_gets_a_new_id(archive: Path, run_cli: RunCli) -> None:
    first = declare(run_cli, archive)
    second = declare(run_cli, archive)
    assert Path(second).name == f"{INC}-2.md" and Path(first).name == f"{INC}.md"
    # Records filed in a folder of their own (by year) keep their IDs too.
    filed = archive / "incidents" / "2024"
    filed.mkdir()
    for made in (first, second):
        Path(made).rename(filed / Path(made).name)
    third = declare(run_cli, archive)
    assert Path(third).name == f"{INC}-3.md"


def test_a_record_renamed_by_hand_keeps_its_id_from_a_new_declare(
    archive: Path, run_cli: RunCli
) -> None:
    first = Path(declare(run_cli, archive))
    renamed = first.rename(first.with_name("checkout-outage.md"))
    second = declare(run_cli, archive)
    assert Path(second).name == f"{INC}-2.md"
    assert "ID001" not in lint_codes(run_cli, archive, "incidents")
    # Still found by its ID, and written to where it is.
    logged = run_cli(archive, "log", "Rolled back the flag", "--by", "sam", "-i", INC)
    assert logged.exit_code == 0, logged.output
    assert "Rolled back the flag" in renamed.read_text()


def test_an_id_two_files_hold_is_refused_naming_both(archive: Path, run_cli: RunCli) -> None:
    first = Path(declare(run_cli, archive))
    copy = first.with_name(f"{INC} copy.md")
    copy.write_bytes(first.read_bytes())
    before = first.read_bytes()
    result = run_cli(archive, "log", "Rolled back the flag", "--by", "sam", "-i", INC)
    assert result.exit_code == 2
    assert f"'{INC}' is the ID of several records:" in result.stderr
    assert f"incidents/{INC} copy.md" in result.stderr and INC_PATH in result.stderr
    assert first.read_bytes() == before and copy.read_bytes() == before


def test_an_open_incident_copied_by_hand_is_named_once_with_both_files(
    archive: Path, run_cli: RunCli
) -> None:
    """Without -i, the error listed the ID twice, as two incidents to choose from; `list` showed
    two rows of one ID without a word, and `stats` counted it twice without one."""
    first = Path(declare(run_cli, archive))
    first.with_name(f"{INC} copy.md").write_bytes(first.read_bytes())
    both = f"incidents/{INC} copy.md, {INC_PATH}; keep one (lint reports each, ID001)"
    result = run_cli(archive, "log", "Rolled back the flag", "--by", "sam")
    assert result.exit_code == 2 and "2 incidents are open" not in result.stderr
    assert f"'{INC}' is the ID of several records: {both}" in result.stderr
    listed = run_cli(archive, "list")
    assert listed.exit_code == 0 and listed.stdout.count(INC) == 2
    assert f"incident: warning: {INC} is the ID of several records: {both}\n" in listed.stderr
    counted = run_cli(archive, "stats")
    assert counted.exit_code == 0
    assert f"incident: warning: {INC} is the ID of several records: {both}\n" in counted.stderr


def test_an_id_its_file_is_named_by_is_found_without_reading_the_archive(
    archive: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 3 a.m., in an archive of thousands: only the record named by the ID is read for the ID
    it holds, and the files named after it, where a copy made by hand would be."""
    first = Path(declare(run_cli, archive))
    for number in range(5):
        other = archive / "incidents" / f"INC-2023-01-0{number + 1}-disk-full.md"
        other.write_text(first.read_text().replace(INC, other.stem))
    read: list[str] = []
    written_id = records.written_id

    def counted(path: Path | str) -> str | None:
        read.append(Path(path).name)
        return written_id(path)

    monkeypatch.setattr(records, "written_id", counted)
    logged = run_cli(archive, "log", "Rolled back the flag", "--by", "sam", "-i", INC)
    assert logged.exit_code == 0, logged.output
    assert "Rolled back the flag" in first.read_text()
    assert read == [first.name]


def test_a_script_reads_only_the_record_path_on_standard_output(
    archive: Path, run_cli: RunCli
) -> None:
    """`path=$(incident declare …)`: what the command did goes to standard error."""
    declared = run_cli(
        archive, "declare", "Checkout fails", "--because", "user-facing", "--by", "sam"
    )
    assert declared.exit_code == 0, declared.output
    [path] = declared.stdout.splitlines()
    assert Path(path).parent == archive / "incidents" and Path(path).is_file()
    assert "Declared INC-" in declared.stderr and "Incident Commander" in declared.stderr
    moved = run_cli(archive, "status", "identified", "bad flag", "--by", "sam", "-i", "checkout")
    assert moved.exit_code == 0, moved.output
    assert moved.stdout == declared.stdout
    assert "investigating -> identified" in moved.stderr


def test_resolve_asks_for_the_summary_at_a_terminal_on_standard_error(
    archive: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`path=$(incident resolve)` at a terminal: the question shows, the path is all it reads."""
    declare(run_cli, archive)
    monkeypatch.setattr(cli_incident, "_terminal", lambda: True)
    result = run_cli(archive, "resolve", "--by", "sam", input="Reverted the flag.\n")
    assert result.exit_code == 0, result.output
    assert "Summary (what happened, in a few sentences)" in result.stderr
    [path] = result.stdout.splitlines()
    assert "Reverted the flag." in Path(path).read_text()


def test_data_lost_suggests_the_most_severe_and_no_yes_says_declare_early(
    archive: Path, run_cli: RunCli
) -> None:
    lost = run_cli(archive, "declare", "Rows gone", "--because", "data-lost", "--by", "sam")
    assert "severity: SEV1" in Path(lost.stdout.splitlines()[-1]).read_text()
    calm = run_cli(archive, "declare", "Odd graph", "--by", "sam")
    assert "Declaring early is cheap" in calm.stderr
    assert "severity: SEV4" in Path(calm.stdout.splitlines()[-1]).read_text()


def test_declare_asks_the_seven_questions_at_a_terminal(
    archive: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli_incident, "_terminal", lambda: True)
    answers = "Search is slow\n" + "y\nn\ny\nn\nn\nn\nn\n" + "\n" + "search, Web Frontend\n"
    # Who is hurt: users (yes by default, as it is user facing) and how; not stakeholders;
    # the company's staff too, and how.
    answers += "\nResults take ten seconds\n" + "n\n" + "y\nSupport cannot find orders\n"
    result = run_cli(archive, "declare", "--by", "dana", input=answers)
    assert result.exit_code == 0, result.output
    # The questions are asked on standard error: `path=$(incident declare)` at a terminal shows
    # them, and standard output holds the path alone.
    assert "Is it user facing? [y/N]" in result.stderr
    assert "Users: users cannot reach the service or get unexpected results? [Y/n]" in result.stderr
    [path] = result.stdout.splitlines()
    text = Path(path).read_text()
    assert "  user_facing: true\n  multiple_teams: false\n  too_long: true\n" in text
    assert "severity: SEV2\n" in text  # the suggestion, accepted with Enter
    assert "services: [search, web-frontend]\n" in text
    assert (
        "audiences:\n  users: Results take ten seconds\n  company: Support cannot find orders\n"
        in text
    )


def test_a_title_too_long_is_asked_again_before_the_questions(
    archive: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli_incident, "_terminal", lambda: True)
    # The title is checked as it is typed, not after the seven questions: asked again at once.
    answers = "x" * 201 + "\nSearch is slow\n" + "n\n" * 7 + "y\n" + "\n" * 6
    result = run_cli(archive, "declare", "--by", "dana", input=answers)
    assert result.exit_code == 0, result.output
    asked = result.stderr.index("keep it to 200")
    assert asked < result.stderr.index("Is it user facing?")
    assert result.stderr.count("Title (what is wrong, in a few words)") == 2
    assert "title: Search is slow\n" in Path(result.stdout.splitlines()[-1]).read_text()
    # Given as an argument, it is refused before any question, "who are you?" first of all.
    refused = run_cli(archive, "declare", "x" * 201, input="dana\n" + answers)
    assert refused.exit_code == 2
    assert "keep it to 200" in refused.stderr
    assert "Who are you?" not in refused.output
    assert "Is it user facing?" not in refused.output


def test_a_harm_a_record_cannot_hold_is_asked_again(
    archive: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli_incident, "_terminal", lambda: True)
    answers = "Search is slow\n" + "y\n" + "n\n" * 6 + "\n" + "\n"
    answers += (
        "\n" + "slow " * 61 + "\n" + "red \x1b[31m\n" + "   \n" + "Results take ten seconds\n"
    )
    answers += "n\nn\n"
    result = run_cli(archive, "declare", "--by", "dana", input=answers)
    assert result.exit_code == 0, result.output
    assert "the harm to users: the harm is one line (300 characters at most)" in result.stderr
    assert "the harm to users holds a control character (U+001B)" in result.stderr
    assert "the harm to users: describe it in one line" in result.stderr  # blanks only
    assert result.stderr.count("The harm to users, in one line") == 4
    text = Path(result.stdout.splitlines()[-1]).read_text()
    assert "audiences:\n  users: Results take ten seconds\n" in text


def test_a_service_that_is_not_a_name_is_asked_again(
    archive: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli_incident, "_terminal", lambda: True)
    answers = "Search is slow\n" + "y\n" + "n\n" * 6 + "\n" + "search, ../etc\n" + "search\n"
    answers += "\nResults take ten seconds\n" + "n\nn\n"
    result = run_cli(archive, "declare", "--by", "dana", input=answers)
    assert result.exit_code == 0, result.output
    assert "service '../etc' is not a name" in result.stderr
    assert result.stderr.count("Affected services") == 2
    assert "services: [search]\n" in Path(result.stdout.splitlines()[-1]).read_text()


def test_a_service_or_tag_too_long_is_refused_as_too_long(archive: Path, run_cli: RunCli) -> None:
    # It said "is not a name: lower-case letters, digits..." of a name made only of those.
    long = "checkout-" * 6
    for option in ("--service", "--tag"):
        result = run_cli(archive, "declare", "Checkout fails", "--by", "sam", option, long)
        assert result.exit_code == 2
        assert f"{option} '{long}' is 54 characters: a name is at most 48" in result.stderr
    assert not list((archive / "incidents").glob("*checkout-fails*"))


@pytest.mark.parametrize(
    "given",
    ["checkout/" + "a" * 45, "-" + "a" * 48, "straße-" + "a" * 42],
    ids=["slash", "first", "letter"],
)
def test_a_long_service_that_is_not_a_name_is_refused_as_not_a_name(
    archive: Path, run_cli: RunCli, given: str
) -> None:
    # It was refused as too long: shortened, it was refused again, as not a name.
    result = run_cli(archive, "declare", "Checkout fails", "--by", "sam", "--service", given)
    assert result.exit_code == 2
    assert f"--service '{given}' is not a name: lower-case letters" in result.stderr


def test_declaring_nothing_can_be_called_off_at_the_prompt(
    archive: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli_incident, "_terminal", lambda: True)
    result = run_cli(archive, "declare", "Blip", "--by", "dana", input="\n" * 7 + "n\n")
    assert result.exit_code == 0
    assert "Not declared." in result.stderr and result.stdout == ""  # no path to read
    assert not list((archive / "incidents").glob("*blip*"))


def test_bad_declare_input_is_a_one_line_error(archive: Path, run_cli: RunCli) -> None:
    cases = [
        (["declare", "x", "--by", "sam", "--at", "2024-05-02T10:00:00"], "no UTC offset"),
        (["declare", "x", "--by", "sam", "--because", "bored"], "--because 'bored'"),
        (["declare", "x", "--by", "sam", "--severity", "critical"], "not a configured severity"),
        (["declare", "--by", "sam"], "give the incident a title"),
        (["declare", "x", "--by", "no way"], "not a handle"),
    ]
    for args, message in cases:
        result = run_cli(archive, *args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.stderr
        assert "Traceback" not in result.output


def test_a_handle_missing_from_the_roster_is_refused_with_the_nearest_ones(
    archive: Path, run_cli: RunCli
) -> None:
    result = run_cli(archive, "declare", "x", "--by", "leee")
    assert result.exit_code == 2
    assert "--by 'leee' is not in the roster (people.yaml); did you mean lee?" in result.stderr
    assert not list((archive / "incidents").glob("INC-*-x.md"))


def test_a_github_login_names_its_person_by_their_handle(archive: Path, run_cli: RunCli) -> None:
    # "--by @leemorgan" was refused as not in the roster ("add them there"), though it is.
    path = declare(run_cli, archive)
    handed = run_cli(archive, "assign", "comms", "@PriyaRaman", "--by", "@leemorgan")
    assert handed.exit_code == 0, handed.output
    text = Path(path).read_text()
    assert "communications_lead: priya\n" in text
    assert "**handoff** by lee: Communications Lead handed from sam to priya." in text


def test_a_login_that_is_another_persons_handle_is_refused(archive: Path, run_cli: RunCli) -> None:
    # "--by @sam", as GitHub shows mei (her login is sam), recorded sam, whose handle it is.
    roster = archive / "people.yaml"
    roster.write_text(roster.read_text().replace("github: mei-ito", "github: sam"))
    path = declare(run_cli, archive)
    before = Path(path).read_text()
    handed = run_cli(archive, "assign", "comms", "priya", "--by", "@sam")
    assert handed.exit_code == 2
    assert (
        "--by '@sam' is mei's GitHub login and sam's handle in the roster (people.yaml): pass "
        "the handle of who you mean"
    ) in handed.stderr
    assert Path(path).read_text() == before
    handed = run_cli(archive, "assign", "comms", "priya", "--by", "sam")  # the handle: sam
    assert handed.exit_code == 0, handed.output
    assert (
        "**handoff** by sam: Communications Lead handed from sam to priya."
        in Path(path).read_text()
    )


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, check=True
    ).stdout


def test_by_defaults_to_the_roster_entry_for_the_git_email(archive: Path, run_cli: RunCli) -> None:
    git(archive, "init", "-q")
    git(archive, "config", "user.email", "Lee.Morgan@example.com")
    result = run_cli(archive, "declare", "x")
    assert "declared_by: lee" in Path(result.stdout.splitlines()[-1]).read_text()
    git(archive, "config", "user.email", "someone@elsewhere.example")
    git(archive, "config", "user.name", "Ada Lovelace")
    result = run_cli(archive, "declare", "y")
    assert result.exit_code == 2  # not in the roster: asked at a terminal, refused in a script
    assert "your git email (someone@elsewhere.example) is not in people.yaml" in result.stderr
    (archive / "people.yaml").write_text("people: []\n")
    result = run_cli(archive, "declare", "z")  # a new archive, no roster yet: the git name
    assert "declared_by: ada-lovelace" in Path(result.stdout.splitlines()[-1]).read_text()


def test_a_git_name_no_handle_can_spell_is_not_taken_for_the_commander(
    archive: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A new archive: nobody in the roster yet, and the git name is written in Japanese.
    (archive / "people.yaml").write_text("people: []\n")
    git(archive, "init", "-q")
    git(archive, "config", "user.name", "山田太郎")
    result = run_cli(archive, "declare", "Checkout fails", "--yes")
    assert result.exit_code == 2
    assert result.stderr == (
        "incident: error: who is this? pass --by HANDLE: nobody is in people.yaml yet, and git "
        "has no user name (in letters a handle can spell) to stand in\n"
    )
    assert not (archive / INC_PATH).exists()
    monkeypatch.setattr(cli_incident, "_terminal", lambda: True)  # at a terminal: asked
    answers = "taro yamada\ntaro\n" + "y\n" + "\n" * 6 + "\n\nn\nn\nn\n"
    asked = run_cli(archive, "declare", "Checkout fails", input=answers)
    assert asked.exit_code == 0, asked.output
    assert "Who are you? (a handle, as people.yaml will list you): " in asked.stderr
    assert "handle 'taro yamada' is not a handle" in asked.stderr
    assert "  incident_commander: taro\n" in (archive / INC_PATH).read_text()


def test_a_git_email_the_roster_gives_two_people_names_neither(
    archive: Path, run_cli: RunCli
) -> None:
    # The first of them was recorded as having declared it, whoever ran the command.
    roster = archive / "people.yaml"
    roster.write_text(
        roster.read_text().replace("[lee.morgan@example.com]", "[lee.morgan@example.com, oncall@example.com]")
        .replace("[mei.ito@example.com]", "[mei.ito@example.com, ONCALL@example.com]")
    )  # fmt: skip
    git(archive, "init", "-q")
    git(archive, "config", "user.email", "oncall@example.com")
    result = run_cli(archive, "declare", "x", "--because", "user-facing", "--yes")
    assert result.exit_code == 2
    assert (
        "who is this? your git email (oncall@example.com) is given to lee and mei in "
        "people.yaml, an email names one person: pass --by HANDLE"
    ) in result.stderr
    assert not list((archive / "incidents").glob("INC-*-x.md"))


def test_branch_commits_the_record_and_pr_says_what_to_run_without_gh(
    archive: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    git(archive, "init", "-q", "-b", "main")
    git(archive, "config", "user.email", "sam.lindqvist@example.com")
    git(archive, "config", "user.name", "Sam")
    git(archive, "add", "-A")
    git(archive, "commit", "-qm", "archive")
    monkeypatch.setattr("incident_docs.git.shutil.which", lambda _name: None)  # no gh
    printed = declare(run_cli, archive, "--pr")
    assert git(archive, "branch", "--show-current").strip() == f"incident/{INC}"
    assert git(archive, "show", "--name-only", "--format=%s", "HEAD").splitlines() == [
        f"Declare {INC}: Checkout fails",
        "",
        INC_PATH,
    ]
    result_lines = run_cli(archive, "show", INC).stdout
    assert INC in result_lines and printed.endswith(f"{INC}.md")


def committed_archive(root: Path) -> Path:
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "sam.lindqvist@example.com")
    git(root, "config", "user.name", "Sam")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "archive")
    return root


def test_a_commit_refused_by_a_hook_leaves_the_branch_checked_out_before(
    archive: Path, run_cli: RunCli
) -> None:
    committed_archive(archive)
    hook = archive / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'records do not lint' >&2\nexit 1\n")
    hook.chmod(0o755)
    result = run_cli(archive, "declare", "Checkout fails", "--by", "sam", "--yes", "--branch")
    assert result.exit_code == 2
    assert (
        "incident: error: git commit failed: records do not lint; nothing was committed, "
        "and you are back on main\n"
    ) in result.stderr
    assert git(archive, "branch", "--format=%(refname:short)").split() == ["main"]
    assert git(archive, "status", "--porcelain", "--untracked-files=no") == ""  # none staged
    assert result.stdout.strip().endswith(".md")  # the record is written, to commit by hand


def test_branch_is_refused_before_anything_is_written_when_git_cannot_commit(
    archive: Path, run_cli: RunCli
) -> None:
    committed_archive(archive)
    git(archive, "config", "user.name", "")  # git refuses an empty name in a commit
    result = run_cli(archive, "declare", "Checkout fails", "--by", "sam", "--yes", "--branch")
    assert result.exit_code == 2
    assert "git does not know who commits: set `git config user.name`" in result.stderr
    assert list((archive / "incidents").glob("INC-*.md")) == []
    assert git(archive, "branch", "--show-current").strip() == "main"


def test_a_locked_git_index_is_named_with_what_to_do(archive: Path, run_cli: RunCli) -> None:
    """Git's own last line, "remove the file manually to continue.", named no file."""
    committed_archive(archive)
    lock = archive / ".git" / "index.lock"
    lock.touch()  # left by a git command killed outright, or one still running
    args = ("declare", "Checkout fails", "--by", "sam", "--yes", "--branch")
    result = run_cli(archive, *args)
    advice = (
        "git's index is locked (.git/index.lock): another git command is running in this "
        "repository, or one was stopped before it could clean up; if none is running, remove "
        ".git/index.lock and run the command again"
    )
    assert result.exit_code == 2 and f"incident: error: --branch: {advice}\n" in result.stderr
    assert list((archive / "incidents").glob("INC-*.md")) == []  # refused before writing
    lock.unlink()
    hook = archive / ".git" / "hooks" / "post-checkout"  # another git takes it meanwhile
    hook.write_text("#!/bin/sh\ntouch .git/index.lock\n")
    hook.chmod(0o755)
    result = run_cli(archive, *args)
    assert result.exit_code == 2
    assert f"incident: error: git add failed: {advice}; nothing was committed" in result.stderr
    assert git(archive, "branch", "--format=%(refname:short)").split() == ["main"]


def test_the_git_index_lock_of_an_archive_in_a_folder_is_named_where_it_is(
    tmp_path: Path, run_cli: RunCli
) -> None:
    # Named as git gives it, "/…/repo/ops/../.git/index.lock".
    repo = tmp_path / "repo"
    archive = copy_archive(repo / "ops")
    committed_archive(repo)
    lock = repo / ".git" / "index.lock"
    lock.touch()
    result = run_cli(archive, "declare", "Checkout fails", "--by", "sam", "--yes", "--branch")
    assert result.exit_code == 2
    assert f"git's index is locked ({lock.resolve()})" in result.stderr
    assert ".." not in result.stderr


def test_an_incident_branch_there_already_takes_its_id(archive: Path, run_cli: RunCli) -> None:
    committed_archive(archive)
    git(archive, "branch", f"incident/{INC}")  # declared on its branch, then back to main
    printed = declare(run_cli, archive, "--branch")
    assert printed.endswith(f"{INC}-2.md")
    assert git(archive, "branch", "--show-current").strip() == f"incident/{INC}-2"


def test_postmortem_branch_there_already_is_refused_before_the_draft(
    archive: Path, run_cli: RunCli
) -> None:
    declare(run_cli, archive)
    run_cli(archive, "resolve", "--summary", "Fixed.", "--by", "sam")
    committed_archive(archive)
    git(archive, "branch", f"postmortem/PM-{INC[4:]}")
    result = run_cli(archive, "postmortem", INC, "--branch")
    assert result.exit_code == 2
    assert f"--branch: the branch postmortem/PM-{INC[4:]} exists already" in result.stderr
    assert not (archive / "postmortems" / f"PM-{INC[4:]}.md").exists()
    assert "postmortem:" not in (archive / INC_PATH).read_text()


def test_ctrl_c_after_the_record_is_written_still_names_it(
    archive: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Ctrl-C while the pull request is opened (gh waits on the network) or the past cases are
    # searched: "aborted" alone would have the responder declare the incident a second time.
    def interrupted(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_incident, "RelatedIndex", interrupted)
    result = run_cli(archive, "declare", "Checkout fails", "--by", "sam", "--yes")
    assert result.exit_code == 0  # declared all the same: only the cases like it are left out
    assert result.stdout.splitlines()[-1] == str(archive / INC_PATH)
    assert f"Cases like it not looked for: incident similar {INC}\n" in result.stderr
    committed_archive(archive)
    run_cli(archive, "resolve", "--summary", "Fixed.", "--by", "sam", "-i", INC)
    monkeypatch.setattr("incident_docs.git.open_pull_request", interrupted)
    drafted = run_cli(archive, "postmortem", INC, "--pr")
    assert drafted.exit_code == 2
    assert drafted.stdout.splitlines()[-1].endswith(f"postmortems/PM-{INC[4:]}.md")
    assert "is written; the pull request may not be open" in drafted.stderr


def no_git_identity(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nobody git could commit as, whatever this machine's own configuration says."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in ("AUTHOR", "COMMITTER"):
        for what in ("NAME", "EMAIL"):
            monkeypatch.delenv(f"GIT_{name}_{what}", raising=False)
    git(root, "config", "--unset", "user.name")
    git(root, "config", "--unset", "user.email")
    git(root, "config", "user.useConfigOnly", "true")  # no guess from the host name


def test_branch_is_refused_when_git_knows_the_committer_but_not_the_author(
    archive: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    committed_archive(archive)
    no_git_identity(archive, monkeypatch)
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Sam")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "sam.lindqvist@example.com")
    result = run_cli(archive, "declare", "Checkout fails", "--by", "sam", "--yes", "--branch")
    assert result.exit_code == 2
    assert "git does not know who commits" in result.stderr
    assert list((archive / "incidents").glob("INC-*.md")) == []
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Sam")  # both from the environment: it commits
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "sam.lindqvist@example.com")
    printed = declare(run_cli, archive, "--branch")
    assert git(archive, "log", "-1", "--format=%an %ce").split() == [
        "Sam",
        "sam.lindqvist@example.com",
    ]
    assert git(archive, "status", "--porcelain", "--", printed) == ""


def test_branch_is_refused_before_who_are_you_is_asked(
    archive: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A new machine: no git email, so not in the roster, and nobody git could commit as.
    committed_archive(archive)
    no_git_identity(archive, monkeypatch)
    monkeypatch.setattr(cli_incident, "_terminal", lambda: True)
    result = run_cli(archive, "declare", "Checkout fails", "--branch", input="sam\n")
    assert result.exit_code == 2
    assert "Who are you?" not in result.stderr
    assert "git does not know who commits" in result.stderr


def test_branch_in_a_work_tree_git_refuses_says_why(archive: Path, run_cli: RunCli) -> None:
    # As with a repository someone else owns ("dubious ownership"): a work tree all the same.
    committed_archive(archive)
    git(archive, "config", "core.repositoryformatversion", "99")
    result = run_cli(archive, "declare", "Checkout fails", "--by", "sam", "--yes", "--branch")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"incident: error: --branch: git cannot commit in {archive}: ")
    assert "repo version" in result.stderr
    assert "not in a git work tree" not in result.stderr
    assert list((archive / "incidents").glob("INC-*.md")) == []


def test_branches_of_a_remote_with_a_slash_in_its_name_are_read(
    archive: Path, run_cli: RunCli
) -> None:
    committed_archive(archive)
    git(archive, "update-ref", f"refs/remotes/team/ops/incident/{INC}", "HEAD")  # no fetch
    assert declare(run_cli, archive, "--branch").endswith(f"{INC}-2.md")


def test_postmortem_branch_on_a_remote_already_is_refused_before_the_draft(
    archive: Path, run_cli: RunCli
) -> None:
    # Someone else drafts it on their branch: a second draft would clash with theirs.
    declare(run_cli, archive)
    run_cli(archive, "resolve", "--summary", "Fixed.", "--by", "sam")
    committed_archive(archive)
    git(archive, "update-ref", f"refs/remotes/origin/postmortem/PM-{INC[4:]}", "HEAD")
    result = run_cli(archive, "postmortem", INC, "--branch")
    assert result.exit_code == 2
    assert result.stderr == (
        f"incident: error: --branch: the branch postmortem/PM-{INC[4:]} is on a remote already "
        f"(origin/postmortem/PM-{INC[4:]}); to work on it: git switch postmortem/PM-{INC[4:]}\n"
    )
    assert not (archive / "postmortems" / f"PM-{INC[4:]}.md").exists()


def test_ctrl_c_in_the_commit_says_nothing_was_committed(
    archive: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    committed_archive(archive)
    output = incident_git.output

    def interrupted(root: Path, *args: str, purpose: str) -> str:
        if args[0] == "commit":  # a slow pre-commit hook
            raise KeyboardInterrupt
        return output(root, *args, purpose=purpose)

    monkeypatch.setattr(incident_git, "output", interrupted)
    result = run_cli(archive, "declare", "Checkout fails", "--by", "sam", "--yes", "--branch")
    assert result.exit_code == 2
    assert result.stderr.endswith(
        f"incident: error: interrupted once {INC} was declared: {archive / INC_PATH} is "
        "written; nothing was committed, and you are back on main\n"
    )
    assert git(archive, "branch", "--format=%(refname:short)").split() == ["main"]
    assert git(archive, "status", "--porcelain", "--untracked-files=no") == ""


def test_a_declaration_cut_short_while_it_looks_for_cases_like_it_is_committed(
    archive: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    git(archive, "init", "-q", "-b", "main")
    git(archive, "config", "user.email", "sam.lindqvist@example.com")
    git(archive, "config", "user.name", "Sam")
    git(archive, "add", "-A")
    git(archive, "commit", "-qm", "archive")

    def interrupted(*_args: object) -> None:
        raise KeyboardInterrupt  # Ctrl-C while the cases like it are looked for

    monkeypatch.setattr(cli_incident, "RelatedIndex", interrupted)
    result = run_cli(
        archive, "declare", "Checkout fails", "--because", "user-facing", "--service",
        "checkout", "--by", "sam", "--at", "2024-05-02T10:00:00Z", "--yes", "--branch",
    )  # fmt: skip
    assert result.exit_code == 0, result.output  # declared all the same
    assert result.stdout.strip().endswith(INC_PATH)
    assert f"Cases like it not looked for: incident similar {INC}\n" in result.stderr
    assert git(archive, "show", "--name-only", "--format=%s", f"incident/{INC}").splitlines() == [
        f"Declare {INC}: Checkout fails",
        "",
        INC_PATH,
    ]


# --- during the incident -------------------------------------------------------------------------


def test_assign_hands_a_role_over_with_a_handoff_entry(archive: Path, run_cli: RunCli) -> None:
    declare(run_cli, archive)
    result = run_cli(archive, "assign", "comms", "lee", "--by", "sam", "--at", "-2h")
    assert result.exit_code == 0, result.output
    text = (archive / INC_PATH).read_text()
    assert "  communications_lead: lee\n" in text
    assert (
        "handoffs:\n  - at: 2024-05-02T11:00:00Z\n    role: communications_lead\n"
        "    from: sam\n    to: lee\n"
    ) in text
    assert "**handoff** by sam: Communications Lead handed from sam to lee." in text
    again = run_cli(archive, "assign", "communications-lead", "lee", "--by", "sam")
    assert again.exit_code == 2 and "lee already holds" in again.stderr


def test_handing_off_command_moves_the_roles_never_delegated(
    archive: Path, run_cli: RunCli
) -> None:
    declare(run_cli, archive)
    run_cli(archive, "assign", "ops", "dana", "--by", "sam", "--at", "-2h")
    result = run_cli(archive, "assign", "ic", "jo", "--by", "sam", "--at", "-1h")
    assert "with Communications Lead (not yet delegated)" in result.stderr
    text = (archive / INC_PATH).read_text()
    assert "  incident_commander: jo\n  communications_lead: jo\n  ops_lead: dana\n" in text
    assert lint_codes(run_cli, archive, INC_PATH) == []


def test_log_kinds_stdin_and_mitigations(archive: Path, run_cli: RunCli) -> None:
    declare(run_cli, archive)
    assert run_cli(archive, "log", "looking", "at", "dashboards", "--by", "dana").exit_code == 0
    piped = run_cli(archive, "log", "-", "--kind", "decision", "--by", "sam", input="Keep\nit.\n")
    assert piped.exit_code == 0
    missing = run_cli(archive, "log", "rolled back", "--kind", "mitigation", "--by", "dana")
    assert missing.exit_code == 2 and "--action rollback|redirect-traffic" in missing.stderr
    done = run_cli(archive, "log", "Rolled back to 4.1", "--action", "rollback", "--by", "dana")
    assert done.exit_code == 0 and "mitigated_at set to 2024-05-02T13:00:00Z" in done.stderr
    text = (archive / INC_PATH).read_text()
    assert "- 2024-05-02T13:00:00Z **note** by dana: looking at dashboards\n" in text
    assert "**decision** by sam: Keep it.\n" in text
    assert "**mitigation/rollback** by dana: Rolled back to 4.1\n" in text
    assert "mitigated_at: 2024-05-02T13:00:00Z\n" in text


@pytest.mark.parametrize(
    "heading", ["## Timeline:", "## 2. Timeline", "## `Timeline`", "## Timeline of events"]
)
def test_log_finds_the_timeline_where_lint_does(
    archive: Path, run_cli: RunCli, heading: str
) -> None:
    """A heading lint reads as the Timeline section gets the entry: no second one is added."""
    declare(run_cli, archive)
    record = archive / INC_PATH
    record.write_text(record.read_text().replace("\n## Timeline\n", f"\n{heading}\n"))
    assert run_cli(archive, "lint", str(record)).exit_code == 0
    assert run_cli(archive, "log", "looking", "at", "dashboards", "--by", "dana").exit_code == 0
    text = record.read_text()
    assert text.count("Timeline") == 1
    assert "**note** by dana: looking at dashboards\n" in text
    assert run_cli(archive, "lint", str(record)).exit_code == 0


def test_backfilled_entries_are_inserted_in_time_order(archive: Path, run_cli: RunCli) -> None:
    declare(run_cli, archive)
    for at, text in (("2024-05-02T10:30:00Z", "b"), ("2024-05-02T09:50:00Z", "a")):
        assert run_cli(archive, "log", text, "--at", at, "--by", "sam").exit_code == 0
    run_cli(archive, "log", "c", "--by", "sam")
    shown = json.loads(run_cli(archive, "show", "--format", "json").stdout)
    assert [e["text"] for e in shown["timeline"]][:1] == ["a"]
    lines = (archive / INC_PATH).read_text().split("## Timeline\n\n")[1].splitlines()
    assert [line.split(": ", 1)[1] for line in lines] == [
        "a",
        lines[1].split(": ", 1)[1],
        "b",
        "c",
    ]
    assert "TL002" not in lint_codes(run_cli, archive, INC_PATH)


def test_status_changes_follow_the_state_machine(archive: Path, run_cli: RunCli) -> None:
    declare(run_cli, archive)
    ok = run_cli(archive, "status", "ident", "cache", "misconfigured", "--by", "sam")
    assert ok.exit_code == 0
    bad = run_cli(archive, "status", "investigating", "--by", "sam")
    assert bad.exit_code == 2
    assert bad.stderr.strip().splitlines() == [
        "incident: error: cannot go from identified to investigating "
        "(from identified: monitoring, resolved)"
    ]
    text = (archive / INC_PATH).read_text()
    assert "  - status: identified\n    at: 2024-05-02T13:00:00Z\n" in text
    assert "**status** by sam: Identified: cache misconfigured\n" in text
    # Resolved, it needs a summary: the note is it, as `incident resolve` writes it.
    before = (archive / INC_PATH).read_bytes()
    bare = run_cli(archive, "status", "resolved", "--by", "sam")
    assert bare.exit_code == 2 and "needs a summary" in bare.stderr
    assert (archive / INC_PATH).read_bytes() == before
    closed = run_cli(
        archive, "status", "resolved", "A stale cache config; reverted.", "--by", "sam"
    )
    assert closed.exit_code == 0
    text = (archive / INC_PATH).read_text()
    assert "resolved_at: 2024-05-02T13:00:00Z" in text
    assert "## Summary\n\nA stale cache config; reverted.\n" in text
    assert run_cli(archive, "lint", str(archive / INC_PATH)).exit_code == 0


@pytest.mark.parametrize(
    ("start", "moves"),
    [("investigating", ["identified", "monitoring"]), ("monitoring", ["identified"])],
)
def test_a_record_kept_without_a_status_history_still_lints_clean_after_a_status_change(
    archive: Path, run_cli: RunCli, start: str, moves: list[str]
) -> None:
    """A record written by hand or by another tool may leave the history out; lint takes it,
    and a status change must not make it one lint refuses."""
    declare(run_cli, archive)
    path = archive / INC_PATH
    text = path.read_text()
    text = re.sub(r"status_history:\n(?:  .*\n)+", "", text)
    path.write_text(text.replace("status: investigating", f"status: {start}", 1))
    assert lint_codes(run_cli, archive, INC_PATH) == []
    for status in moves:
        moved = run_cli(archive, "status", status, "--by", "sam")
        assert moved.exit_code == 0, moved.output
        assert lint_codes(run_cli, archive, INC_PATH) == []
    history = yaml.safe_load(path.read_text().split("---\n")[1])["status_history"]
    assert history[0]["status"] == "investigating"
    assert [change["status"] for change in history] == ["investigating", *moves]
    assert history[0]["at"] == datetime(2024, 5, 2, 10, 0, tzinfo=UTC)  # when it was declared


def test_reopening_a_record_kept_without_a_status_history_keeps_when_it_was_resolved(
    archive: Path, run_cli: RunCli
) -> None:
    """Reopening removes resolved_at: the history is what keeps when it was first resolved,
    and a record without one lost it (the history started at the reopening)."""
    declare(run_cli, archive)
    closed = run_cli(archive, "resolve", "Fixed.", "--by", "sam", "--at", "2024-05-02T11:00:00Z")
    assert closed.exit_code == 0, closed.output
    path = archive / INC_PATH
    path.write_text(re.sub(r"status_history:\n(?:  .*\n)+", "", path.read_text()))
    assert lint_codes(run_cli, archive, INC_PATH) == []
    reopened = run_cli(
        archive, "reopen", INC, "--because", "errors are back", "--by", "sam", "--yes"
    )
    assert reopened.exit_code == 0, reopened.output
    assert lint_codes(run_cli, archive, INC_PATH) == []
    history = yaml.safe_load(path.read_text().split("---\n")[1])["status_history"]
    assert [(change["status"], change["at"]) for change in history[:2]] == [
        ("investigating", datetime(2024, 5, 2, 10, 0, tzinfo=UTC)),  # declared
        ("resolved", datetime(2024, 5, 2, 11, 0, tzinfo=UTC)),  # resolved_at, now removed
    ]
    assert [change["status"] for change in history] == [
        "investigating",
        "resolved",
        "investigating",
    ]


def test_which_incident_when_none_or_several_are_open(archive: Path, run_cli: RunCli) -> None:
    none = run_cli(archive, "log", "x", "--by", "sam")
    assert none.exit_code == 2 and "no open incident" in none.stderr
    declare(run_cli, archive)
    run_cli(archive, "declare", "Search slow", "--by", "sam", "--at", "2024-05-02T11:00:00Z")
    several = run_cli(archive, "log", "x", "--by", "sam")
    assert several.exit_code == 2
    assert "2 incidents are open" in several.stderr and INC in several.stderr
    assert run_cli(archive, "log", "x", "--by", "sam", "-i", "search").exit_code == 0
    assert run_cli(archive, "log", "x", "--by", "sam", "-i", INC_PATH).exit_code == 0


def test_a_record_with_broken_yaml_is_left_alone(archive: Path, run_cli: RunCli) -> None:
    declare(run_cli, archive)
    path = archive / INC_PATH
    broken = path.read_text().replace("services: [checkout]", "services: [checkout")
    path.write_text(broken)
    result = run_cli(archive, "log", "x", "--by", "sam", "-i", INC)
    assert result.exit_code == 2
    assert f"{INC_PATH}:8: YAML syntax error" in result.stderr  # where the parser stops
    assert path.read_text() == broken


def test_the_stakeholder_update(archive: Path, run_cli: RunCli) -> None:
    declare(run_cli, archive)
    run_cli(archive, "log", "Drained eu-1", "--action", "redirect", "--by", "dana")
    markdown = run_cli(archive, "update", "--next-update", "1h")
    assert markdown.exit_code == 0
    assert "- **Affected services:** checkout" in markdown.stdout
    assert "13:00 UTC (traffic redirected): Drained eu-1" in markdown.stdout
    assert "- **Next update:** by 14:00 UTC (in 1 hour)" in markdown.stdout
    plain = run_cli(archive, "update", "--format", "text", "--log", "--by", "lee")
    assert "Impact: Users of checkout are affected." in plain.stdout and "**" not in plain.stdout
    # Printed, for someone to pass on: not sent anywhere.
    assert (
        "**comms** by lee: Stakeholder update written: internal, status investigating; "
        "next update by 2024-05-02T13:30:00Z."
    ) in (archive / INC_PATH).read_text()


def test_a_timeline_line_the_update_cannot_read_is_named_not_left_out_unseen(
    archive: Path, run_cli: RunCli
) -> None:
    # The update said "none logged" of a rollback whose timestamp had lost its offset.
    declare(run_cli, archive)
    path = archive / INC_PATH
    text = path.read_text()
    line = text.count("\n") + 1
    path.write_text(text + "- 2024-05-02T10:20:00 **mitigation/rollback** by sam: Rolled back\n")
    result = run_cli(archive, "update", "--format", "text")
    assert result.exit_code == 0, result.output
    assert "Work so far: none logged" in result.stdout
    assert result.stderr == (
        f"incident: warning: {INC_PATH}:{line}: timestamp '2024-05-02T10:20:00' has no UTC "
        "offset: add 'Z' or '+HH:MM' (TL003): not in the update\n"
    )


def _draft_timeline(archive: Path) -> str:
    """The `## Timeline` section of the draft `incident postmortem INC` wrote."""
    draft = (archive / "postmortems" / f"PM-{INC.removeprefix('INC-')}.md").read_text()
    return draft.split("## Timeline\n", 1)[1].split("\n## ", 1)[0]


def test_a_timeline_line_the_draft_cannot_read_is_copied_not_left_out(
    archive: Path, run_cli: RunCli
) -> None:
    declare(run_cli, archive)
    path = archive / INC_PATH
    text = path.read_text()
    line = text.count("\n") + 1
    slip = "- 2024-05-02T10:20:00 **mitigation/rollback** by sam: Rolled back the deploy"
    path.write_text(text + slip + "\n")
    result = run_cli(archive, "postmortem", INC)
    assert result.exit_code == 0, result.output
    assert (
        f"incident: warning: {INC_PATH}:{line}: timestamp '2024-05-02T10:20:00' has no UTC "
        "offset: add 'Z' or '+HH:MM' (TL003): copied into the draft as written: fix it there "
        "and in the incident\n"
    ) in result.stderr
    timeline = _draft_timeline(archive)
    assert timeline.rstrip().endswith(slip)


def test_a_timeline_written_as_a_table_is_copied_into_the_draft_as_a_table(
    archive: Path, run_cli: RunCli
) -> None:
    declare(run_cli, archive)
    path = archive / INC_PATH
    table = (
        "| Time (UTC) | Who | What |\n| --- | --- | --- |\n"
        "| 10:20 | sam | Rolled back the deploy |\n| 10:40 | dana | Error rate back to normal |\n"
    )
    path.write_text(path.read_text() + "\n" + table + "\n**10:50** sam closed the bridge.\n")
    result = run_cli(archive, "postmortem", INC)
    assert result.exit_code == 0, result.output
    assert result.stderr.count("timeline entry is a table row") == 2
    assert f"\n\n{table}\n**10:50** sam closed the bridge.\n" in _draft_timeline(archive)


def test_a_draft_refused_says_nothing_of_what_it_would_have_copied(
    archive: Path, run_cli: RunCli
) -> None:
    # The warnings are about the draft: said once it is written, or a refused one named a copy
    # that was never made.
    declare(run_cli, archive)
    path = archive / INC_PATH
    slip = "- 2024-05-02T10:20:00 **mitigation/rollback** by sam: Rolled back the deploy"
    path.write_text(path.read_text() + slip + "\n")
    path.chmod(0o444)
    result = run_cli(archive, "postmortem", INC)
    assert result.exit_code == 2
    assert result.stderr == (
        f"incident: error: {INC_PATH}: the file is read-only: make it writable to change it\n"
    )
    assert not (archive / "postmortems" / f"PM-{INC.removeprefix('INC-')}.md").exists()


def test_a_suppression_above_a_line_the_draft_cannot_read_stays_above_it(
    archive: Path, run_cli: RunCli
) -> None:
    declare(run_cli, archive)
    path = archive / INC_PATH
    slip = (
        "<!-- incident-docs disable-next-line TL003 -->\n"
        "- 2024-05-02T10:20:00 **mitigation/rollback** by sam: Rolled back the deploy\n"
    )
    after = "- 2024-05-02T10:40:00Z **note** by sam: Error rate back to normal.\n"
    path.write_text(path.read_text() + slip + after)
    linted = run_cli(archive, "lint", "--select", "TL,SP", str(path))
    assert linted.exit_code == 0, linted.output
    result = run_cli(archive, "postmortem", INC)
    assert result.exit_code == 0, result.output
    assert "TL003" not in result.stderr  # the record says it is meant
    timeline = _draft_timeline(archive)
    assert timeline.rstrip().endswith((slip + after).rstrip())
    linted = run_cli(archive, "lint", "--select", "TL,SP", str(path.parents[1] / "postmortems"))
    assert linted.exit_code == 0, linted.output


def test_resolving_an_incident_whose_draft_copied_its_times_says_to_copy_the_resolution(
    archive: Path, run_cli: RunCli
) -> None:
    # Lint warned (FM011) and the site build stopped on it, with nothing said at the moment the
    # incident was resolved.
    declare(run_cli, archive)
    assert run_cli(archive, "postmortem", INC).exit_code == 0
    result = run_cli(archive, "resolve", "Pool size raised.", "--by", "sam")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith(INC_PATH)
    warning = f"incident: warning: {INC_PATH}:"
    said = [line for line in result.stderr.splitlines() if line.startswith(warning)]
    assert len(said) == 1 and "'resolved_at'" in said[0] and said[0].endswith("(FM011)")
    # What does not move a key time says nothing of it.
    logged = run_cli(archive, "log", "Checked the pool.", "--by", "sam")
    assert "FM011" not in logged.stderr


def test_details_listed_under_a_timeline_entry_are_copied_with_it(
    archive: Path, run_cli: RunCli
) -> None:
    declare(run_cli, archive)
    path = archive / INC_PATH
    entry = (
        "- 2024-05-02T10:20:00Z **note** by sam: Latency alert for checkout.\n"
        "  - p99 at 2.4 s in eu-west\n"
        "  - p99 at 1.9 s in us-east\n"
        "\n"
        "    Both regions read the new index.\n"
    )
    after = "- 2024-05-02T10:40:00Z **note** by sam: Error rate back to normal.\n"
    path.write_text(path.read_text() + entry + after)
    result = run_cli(archive, "postmortem", INC)
    assert result.exit_code == 0, result.output
    timeline = _draft_timeline(archive)
    assert timeline.rstrip().endswith((entry + after).rstrip())
    linted = run_cli(archive, "lint", "--select", "TL,SP", str(path.parents[1] / "postmortems"))
    assert linted.exit_code == 0, linted.output


def test_work_logged_after_an_update_but_timed_before_it_is_in_the_next_one(
    archive: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    declare(run_cli, archive)
    assert run_cli(archive, "update", "--log", "--by", "lee").exit_code == 0  # at 13:00
    monkeypatch.setattr(cli_incident, "CLOCK", lambda: NOW + timedelta(hours=3, minutes=5))
    rollback = ("Rolled back checkout to 4.1", "--action", "rollback", "--at", "-10m")
    assert run_cli(archive, "log", *rollback, "--by", "dana").exit_code == 0
    assert (
        "Rolled back checkout to 4.1 (logged 2024-05-02T13:05:00Z)"
        in (archive / INC_PATH).read_text()
    )
    monkeypatch.setattr(cli_incident, "CLOCK", lambda: NOW + timedelta(hours=3, minutes=6))
    update = run_cli(archive, "update", "--format", "text", "--log", "--by", "lee")
    assert (
        "Mitigations since the last update (13:00 UTC):\n"
        "  - 12:55 UTC (rollback): Rolled back checkout to 4.1 (logged 13:05 UTC)"
    ) in update.stdout
    monkeypatch.setattr(cli_incident, "CLOCK", lambda: NOW + timedelta(hours=3, minutes=10))
    assert "Rolled back" not in run_cli(archive, "update").stdout  # reported once
    assert lint_codes(run_cli, archive, INC_PATH) == []
    # A note is never in an update: logged late, it is left as written.
    late = ("Customer ticket volume doubled", "--kind", "note", "--at", "-30m")
    noted = run_cli(archive, "log", *late, "--by", "dana")
    assert noted.exit_code == 0 and "logged" not in noted.stderr
    assert "Customer ticket volume doubled\n" in (archive / INC_PATH).read_text()


def test_an_internal_update_reports_the_work_since_the_last_internal_one(
    archive: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A public update says far less: logged in between, it hid the work from the next internal.
    declare(run_cli, archive)
    assert run_cli(archive, "update", "--log", "--by", "lee").exit_code == 0  # at 13:00
    monkeypatch.setattr(cli_incident, "CLOCK", lambda: NOW + timedelta(hours=3, minutes=5))
    rollback = ("Rolled back checkout to 4.1", "--action", "rollback")
    assert run_cli(archive, "log", *rollback, "--by", "dana").exit_code == 0
    monkeypatch.setattr(cli_incident, "CLOCK", lambda: NOW + timedelta(hours=3, minutes=10))
    public = run_cli(archive, "update", "--audience", "public", "--log", "--by", "lee")
    assert public.exit_code == 0, public.output
    monkeypatch.setattr(cli_incident, "CLOCK", lambda: NOW + timedelta(hours=3, minutes=20))
    internal = run_cli(archive, "update", "--format", "text")
    assert "Mitigations since the last update (13:00 UTC):" in internal.stdout
    assert "Rolled back checkout to 4.1" in internal.stdout


def test_list_and_show(archive: Path, run_cli: RunCli) -> None:
    old = run_cli(archive, "declare", "Old one", "--by", "sam", "--at", "2024-05-02T12:00:00Z")
    run_cli(archive, "resolve", "Fixed.", "--by", "sam", "-i", old.stdout.splitlines()[-1])
    declare(run_cli, archive)
    listed = run_cli(archive, "list").stdout.splitlines()
    assert listed[0].startswith(INC)  # open first, although declared earlier
    assert listed[1].split()[:3] == ["INC-2024-05-02-old-one", "SEV4", "resolved"]
    # Columns line up whatever the length of each ID.
    assert len({line.index(" SEV") for line in listed}) == 1
    assert len({line.index(" IC ") for line in listed}) == 1
    rows = json.loads(run_cli(archive, "list", "--status", "open", "--format", "json").stdout)
    assert [r["id"] for r in rows] == [INC]
    unknown = run_cli(archive, "list", "--service", "nothing", "--format", "json")
    assert json.loads(unknown.stdout) == []
    # A typo is said, as `actions --service` says it; a service nothing affects yet is not.
    assert "--service nothing: no incident affects that service" in unknown.stderr
    owned = run_cli(archive, "list", "--service", "checkout", "--format", "json")
    assert owned.exit_code == 0 and "warning" not in owned.stderr
    empty = run_cli(archive, "list", "--service", "")  # an unset variable in a script
    assert empty.exit_code == 2 and empty.stdout == ""
    assert "--service '': give a name" in empty.stderr
    for option in ("--status", "--severity"):  # the same slip in the other filters
        unset = run_cli(archive, "list", option, "")
        assert unset.exit_code == 2 and unset.stdout == "", option
        assert f"{option} '': give a" in unset.stderr
    sev = json.loads(run_cli(archive, "list", "--severity", "sev2", "--format", "json").stdout)
    assert INC not in [r["id"] for r in sev]
    text = run_cli(archive, "show", "checkout").stdout
    assert "Incident Commander  sam from 2024-05-02T10:00:00Z (now)" in text
    # `show` takes postmortems too: where nothing matches, it says how to name one.
    missing = run_cli(archive, "show", "nope")
    assert missing.exit_code == 2 and missing.stderr.count("\n") == 1
    assert "no incident matches 'nope'" in missing.stderr and "(PM-" in missing.stderr


def test_reading_the_archive_leaves_no_garbage_behind_for_good(
    tmp_path: Path, run_cli: RunCli
) -> None:
    # Commands that read the whole archive pause the cycle collector while they read: what was
    # garbage then (in a test session, every earlier test's) must still be collected after.
    archive = copy_archive(tmp_path / "example")

    class Cycle:
        me: object

    garbage = Cycle()
    garbage.me = garbage
    gone = weakref.ref(garbage)
    del garbage
    frozen = gc.get_freeze_count()
    assert run_cli(archive, "list").exit_code == 0
    assert gc.get_freeze_count() == frozen
    assert gc.isenabled()
    gc.collect()
    assert gone() is None


def test_list_finds_old_records_by_a_severity_no_longer_configured(
    tmp_path: Path, run_cli: RunCli
) -> None:
    # After a move from SEV1-SEV4 to P1-P2, the old records still say SEV1…: `list --severity
    # SEV1` was refused as "not a configured severity", though stats and the site count them.
    archive = copy_archive(tmp_path / "repo")
    (archive / "pyproject.toml").write_text(
        '[[tool.incident-docs.severities]]\nname = "P1"\ndescription = "Down."\n'
        '\n[[tool.incident-docs.severities]]\nname = "P2"\ndescription = "Slow."\n'
    )
    old = run_cli(archive, "list", "--severity", "sev1", "--format", "json")
    assert old.exit_code == 0, old.output
    assert [row["id"] for row in json.loads(old.stdout)] == ["INC-2023-03-14-payments-db-failover"]
    unknown = run_cli(archive, "list", "--severity", "SEV9")
    assert unknown.exit_code == 2
    assert unknown.stderr == (
        "incident: error: 'SEV9' is not a configured severity: use one of P1, P2 "
        "(or one that records use: SEV1, SEV2, SEV3)\n"
    )


def test_show_and_list_read_in_order_whatever_offset_each_time_was_written_in(
    empty_archive: Path, run_cli: RunCli
) -> None:
    # Declared in +02:00, handed off in Z: "ann from 10:00:00+02:00 until 08:30:00Z" read
    # backwards, and list put 06:20+02:00 below 05:00Z as if it were later.
    def run(*args: str) -> None:
        result = run_cli(empty_archive, *args)
        assert result.exit_code == 0, result.output

    run("declare", "Cache stampede", "--by", "sam", "--yes", "--at", "2024-05-02T10:00:00+02:00")
    run("assign", "ops", "lee", "--by", "sam", "--at", "2024-05-02T08:30:00Z", "-i", "cache")
    run("declare", "Disk full", "--by", "sam", "--yes", "--at", "2024-05-02T07:00:00Z")
    shown = run_cli(empty_archive, "show", "cache").stdout
    assert "declared_at   2024-05-02T08:00:00Z" in shown
    assert "Ops Lead            sam from 2024-05-02T08:00:00Z until 2024-05-02T08:30:00Z" in shown
    assert "+0:00  2024-05-02T08:00:00Z  status" in shown
    assert "+0:30  2024-05-02T08:30:00Z  handoff" in shown
    listed = run_cli(empty_archive, "list").stdout.splitlines()
    assert [line.split()[3] for line in listed] == ["2024-05-02T08:00:00Z", "2024-05-02T07:00:00Z"]


def test_show_says_when_a_record_has_no_timeline(tmp_path: Path, run_cli: RunCli) -> None:
    # A record written by hand without one showed a bare "Timeline:" heading.
    archive = copy_archive(tmp_path / "example")
    path = archive / "incidents" / "INC-2023-03-14-payments-db-failover.md"
    text = path.read_text()
    start = text.index("## Timeline")
    after = text.find("\n## ", start)
    path.write_text(text[:start] + (text[after + 1 :] if after != -1 else ""))
    shown = run_cli(archive, "show", "INC-2023-03-14").stdout.splitlines()
    assert "Timeline: none recorded" in shown
    assert "Timeline:" not in shown


@pytest.mark.parametrize(
    ("line", "broken", "message"),
    [
        ("severity: SEV1", "severity: [SEV1", ":6: YAML syntax error"),
        ("authors: [jo, sam]", "authors: 5", ":7: invalid 'authors': should be a list"),
    ],
)
def test_show_names_the_line_of_a_broken_postmortem(
    tmp_path: Path, run_cli: RunCli, line: str, broken: str, message: str
) -> None:
    # It said only "not a valid postmortem (see 'incident lint ...')".
    archive = copy_archive(tmp_path / "example")
    path = archive / "postmortems" / "PM-2023-03-14-payments-db-failover.md"
    assert line in path.read_text()
    path.write_text(path.read_text().replace(line, broken, 1))
    result = run_cli(archive, "show", "PM-2023-03-14")
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith(f"incident: error: postmortems/{path.name}{message}")


def test_show_of_a_postmortem_reads_the_incidents_it_covers_only(
    tmp_path: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every record of the archive was read for its incidents' timelines: seconds on a large one.
    archive = copy_archive(tmp_path / "example")
    expected = run_cli(archive, "show", "PM-2023-03-14-payments-db-failover", "--format", "json")
    assert expected.exit_code == 0, expected.output
    read: list[str] = []
    reading = read_document

    def counted(path: Path, display: str, **options: Any) -> Any:
        read.append(display)
        return reading(path, display, **options)

    monkeypatch.setattr(records, "read_document", counted)
    result = run_cli(archive, "show", "PM-2023-03-14-payments-db-failover", "--format", "json")
    assert result.stdout == expected.stdout
    assert json.loads(result.stdout)["review"]["teams"]
    assert read == ["incidents/INC-2023-03-14-payments-db-failover.md"]


def test_show_of_a_postmortem_reads_an_incident_whose_title_holds_another_id_line(
    tmp_path: Path, run_cli: RunCli
) -> None:
    """A quoted title before the ID may hold a line that reads as another ID: the incident was
    passed over as not one the postmortem covers, and its responders left out of the review."""
    archive = copy_archive(tmp_path / "example")
    shown = ("show", "PM-2022-12-25-corrupt-image-crash-loop", "--format", "json")
    expected = run_cli(archive, *shown)
    assert expected.exit_code == 0, expected.output
    path = archive / "incidents" / "INC-2022-12-25-corrupt-image-crash-loop.md"
    text = path.read_text(encoding="utf-8")
    own = "id: INC-2022-12-25-corrupt-image-crash-loop\n"
    title = "title: Corrupt web image crash-looped the front-end VMs\n"
    hostile = 'title: "Corrupt web image\nid: INC-2024-05-02-search-slow\n  crash-looped"\n'
    path.write_text(text.replace(own + title, hostile + own, 1), encoding="utf-8")
    assert hostile in path.read_text(encoding="utf-8")
    result = run_cli(archive, *shown)
    assert result.exit_code == 0, result.output
    assert result.stdout == expected.stdout


# --- the whole story -----------------------------------------------------------------------------


def test_a_whole_incident_from_declaration_to_postmortem(archive: Path, run_cli: RunCli) -> None:
    def run(*args: str) -> str:
        result = run_cli(archive, *args)
        assert result.exit_code == 0, (args, result.output)
        return result.stdout

    declare(run_cli, archive)
    run("assign", "comms", "lee", "--by", "sam", "--at", "2024-05-02T10:05:00Z")
    run("log", "Rolled back checkout to 4.1", "--kind", "mitigation", "--action", "rollback",
        "--by", "dana", "--at", "2024-05-02T10:20:00Z")  # fmt: skip
    run("status", "identified", "--by", "sam", "--at", "2024-05-02T10:30:00Z")
    run("status", "monitoring", "--by", "sam", "--at", "2024-05-02T10:40:00Z")
    run("resolve", "--summary", "A bad release broke checkout; rolled back.", "--by", "sam",
        "--at", "2024-05-02T11:00:00Z")  # fmt: skip
    shown = json.loads(run("show", INC, "--format", "json"))
    assert [(e["kind"], e["offset"]) for e in shown["timeline"]] == [
        ("status", "PT0S"),
        ("handoff", "PT5M"),
        ("mitigation", "PT20M"),
        ("status", "PT30M"),
        ("status", "PT40M"),
        ("status", "PT1H"),
    ]
    assert shown["timeline"][2]["action"] == "rollback"
    assert shown["mitigated_at"] == "2024-05-02T10:20:00Z"
    assert shown["resolved_at"] == "2024-05-02T11:00:00Z"
    assert {"role": "communications_lead", "holder": "sam", "from": "2024-05-02T10:00:00Z",
            "until": "2024-05-02T10:05:00Z"} in shown["role_history"]  # fmt: skip
    # Resolved: nobody holds a role any more, until the resolution (it said null, "(now)").
    assert {"role": "communications_lead", "holder": "lee", "from": "2024-05-02T10:05:00Z",
            "until": "2024-05-02T11:00:00Z"} in shown["role_history"]  # fmt: skip
    assert "Communications Lead lee from 2024-05-02T10:05:00Z until 2024-05-02T11:00:00Z " \
        "(resolved)" in run("show", INC)  # fmt: skip

    pm_path = Path(run("postmortem", INC).splitlines()[-1])
    draft = pm_path.read_text()
    assert pm_path.name == "PM-2024-05-02-checkout-fails.md"
    assert "incidents: [INC-2024-05-02-checkout-fails]\n" in draft
    assert "authors: [sam]\n" in draft
    assert "- Also responded: dana" in draft
    assert "**mitigation/rollback** by dana: Rolled back checkout to 4.1" in draft
    assert "A bad release broke checkout; rolled back." in draft
    assert "  data_lost: false\n  user_data_exposed: false\n" in draft
    incident_text = (archive / INC_PATH).read_text()
    assert "postmortem: PM-2024-05-02-checkout-fails\n" in incident_text
    codes = lint_codes(run_cli, archive, INC_PATH, str(pm_path.relative_to(archive)))
    assert codes and set(codes) == {"SC004"}  # a draft: the sections still to write, as notes
    assert run_cli(archive, "lint", str(pm_path)).exit_code == 0
    again = run_cli(archive, "postmortem", INC)
    assert again.exit_code == 2 and "already exists" in again.stderr


def test_an_entry_wrapped_onto_more_lines_is_read_whole(archive: Path, run_cli: RunCli) -> None:
    # Lint accepts a hard-wrapped entry: show, its JSON and the postmortem draft kept only the
    # first line of it.
    declare(run_cli, archive)
    path = archive / INC_PATH
    path.write_text(
        path.read_text()
        + "- 2024-05-02T10:05:00Z **note** by sam: Tried two things, first a restart of the\n"
        "  checkout pods and then a cache flush; neither helped.\n"
    )
    whole = "Tried two things, first a restart of the checkout pods and then a cache flush; neither helped."
    assert run_cli(archive, "lint", str(path)).exit_code == 0
    shown = json.loads(run_cli(archive, "show", INC, "--format", "json").stdout)
    assert shown["timeline"][-1]["text"] == whole
    run_cli(
        archive,
        "resolve",
        "-i",
        INC,
        "--summary",
        "Fixed.",
        "--by",
        "sam",
        "--at",
        "2024-05-02T11:00:00Z",
    )
    draft = Path(run_cli(archive, "postmortem", INC).stdout.splitlines()[-1]).read_text()
    assert (
        "first a restart of the\n  checkout pods and then a cache flush; neither helped." in draft
    )


def test_the_draft_of_an_incident_with_a_long_title_has_a_title_lint_accepts(
    archive: Path, run_cli: RunCli
) -> None:
    title = ("Checkout and payments API returned errors " * 5)[:195].strip()
    declared = run_cli(archive, "declare", "--title", title, "--by", "sam", "--yes",
                       "--at", "2024-05-02T10:00:00Z")  # fmt: skip
    assert declared.exit_code == 0, declared.output
    incident_id = Path(declared.stdout.splitlines()[-1]).stem
    run_cli(archive, "resolve", "-i", incident_id, "-m", "Fixed.", "--by", "sam")
    made = run_cli(archive, "postmortem", incident_id, "--by", "sam")
    assert made.exit_code == 0, made.output
    draft = Path(made.stdout.splitlines()[-1])
    front = yaml.safe_load(draft.read_text().split("---\n")[1])
    assert len(front["title"]) <= 200 and front["title"].startswith("Postmortem: Checkout and")
    assert "FM004" not in run_cli(archive, "lint", str(draft)).stdout


def test_an_outside_incident_commander_is_not_the_drafts_author(
    archive: Path, run_cli: RunCli
) -> None:
    # Not in the roster, they made a draft that lint refused (PE001).
    declare(run_cli, archive)
    assert run_cli(archive, "assign", "ic", "vendor-ic", "--outside", "--by", "sam").exit_code == 0
    assert (
        run_cli(archive, "resolve", "-i", INC, "-m", "Upstream recovered.", "--by", "sam").exit_code
        == 0
    )
    made = run_cli(archive, "postmortem", INC)
    assert made.exit_code == 0, made.output
    draft = Path(made.stdout.splitlines()[-1])
    assert "authors: [sam]\n" in draft.read_text()  # who declared it
    assert "PE001" not in run_cli(archive, "lint", str(draft)).stdout


def test_someone_of_the_roster_is_not_taken_as_an_outsider(archive: Path, run_cli: RunCli) -> None:
    declare(run_cli, archive)
    record = archive / "incidents" / f"{INC}.md"
    before = record.read_bytes()
    refused = run_cli(archive, "assign", "ops", "JO", "--outside", "--by", "sam")
    assert refused.exit_code == 2
    assert "'JO' is in the roster (people.yaml) as 'jo': leave out --outside" in refused.stderr
    assert record.read_bytes() == before


def test_an_author_given_twice_is_one_author(archive: Path, run_cli: RunCli) -> None:
    declare(run_cli, archive)
    assert run_cli(archive, "resolve", "-i", INC, "-m", "Recovered.", "--by", "sam").exit_code == 0
    made = run_cli(archive, "postmortem", INC, "--by", "jo", "--by", "jo", "--by", "JO")
    assert made.exit_code == 0, made.output
    assert "authors: [jo]\n" in Path(made.stdout.splitlines()[-1]).read_text()


def test_text_that_starts_with_a_dash_says_how_to_write_it(archive: Path, run_cli: RunCli) -> None:
    declare(run_cli, archive)
    refused = run_cli(archive, "log", "-5% error rate after rollback", "--by", "sam")
    assert refused.exit_code == 2 and "incident log -- -5" in refused.output
    logged = run_cli(archive, "log", "--by", "sam", "--", "-5%", "error", "rate")
    assert logged.exit_code == 0, logged.output
    assert "**note** by sam: -5% error rate\n" in (archive / INC_PATH).read_text()


def test_an_outside_responder_acts_in_the_role_they_hold(archive: Path, run_cli: RunCli) -> None:
    # Recorded with --outside, they held the role but every --by of theirs was refused.
    declare(run_cli, archive)
    assert (
        run_cli(archive, "assign", "ops", "vendor-alex", "--outside", "--by", "sam").exit_code == 0
    )
    logged = run_cli(archive, "log", "Restarted the gateway", "--by", "vendor-alex")
    assert logged.exit_code == 0, logged.output
    handed = run_cli(archive, "assign", "ops", "dana", "--by", "vendor-alex")
    assert handed.exit_code == 0, handed.output
    stranger = run_cli(archive, "log", "x", "--by", "stranger")
    assert stranger.exit_code == 2 and "not in the roster" in stranger.stderr
    assert run_cli(archive, "lint", str(archive / INC_PATH)).exit_code == 0


def test_status_resolved_finds_the_summary_where_lint_does(archive: Path, run_cli: RunCli) -> None:
    # Under an alias the configuration gives, or not asked for at all: it was refused, or a
    # second Summary section was added.
    pyproject = archive / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text() + '\n[tool.incident-docs.section-aliases]\nSummary = ["Overview"]\n'
    )
    declare(run_cli, archive)
    path = archive / INC_PATH
    path.write_text(path.read_text().replace("## Summary\n", "## Overview\n"))
    done = run_cli(archive, "status", "resolved", "Rolled back the flag.", "--by", "sam")
    assert done.exit_code == 0, done.output
    text = path.read_text()
    assert "## Overview\n\nRolled back the flag.\n" in text and "## Summary" not in text
    assert run_cli(archive, "lint", str(path)).exit_code == 0


def _summary_around_placeholder(run_cli: RunCli, archive: Path, around: str) -> tuple[Path, str]:
    """An incident declared, its summary's placeholder line written into `around` (at `{p}`),
    as an author writes the summary around it; the record's path and the placeholder line."""
    declare(run_cli, archive)
    path = archive / INC_PATH
    text = path.read_text()
    placeholder = next(line for line in text.splitlines() if line.startswith("_TODO: what is"))
    path.write_text(text.replace(placeholder, around.format(p=placeholder)))
    return path, placeholder


def test_a_summary_written_by_hand_loses_the_template_placeholder_above_it(
    archive: Path, run_cli: RunCli
) -> None:
    # Text written under the placeholder while the incident ran: the placeholder line left
    # above it failed lint once resolved (SC005), and the postmortem draft copied it.
    path, placeholder = _summary_around_placeholder(
        run_cli, archive, "{p}\n\nEU checkout returns 500s."
    )
    draft = run_cli(archive, "postmortem", INC)
    assert draft.exit_code == 0, draft.output
    written = (archive / draft.stdout.strip()).read_text()
    assert "## Summary\n\nEU checkout returns 500s.\n" in written
    assert "_TODO: what is" not in written
    done = run_cli(archive, "resolve", "-m", "Rolled back the flag.", "--by", "sam")
    assert done.exit_code == 0, done.output
    assert "already had text" in done.stderr
    text = path.read_text()
    assert "## Summary\n\nEU checkout returns 500s.\n" in text and placeholder not in text
    assert "SC005" not in lint_codes(run_cli, archive, INC_PATH)


@pytest.mark.parametrize(
    ("around", "kept"),
    [
        # Text right above it: the blank line before the next heading stays.
        ("EU checkout returns 500s.\n{p}", "EU checkout returns 500s.\n"),
        # Under a list item: the paragraph after it does not join the item.
        ("- EU checkout returns 500s.\n{p}\n\nCause unknown.", "500s.\n\nCause unknown."),
        # A quotation of the template in a code block, or a note in a comment, is the author's.
        ("EU checkout returns 500s.\n\n```\n{p}\n```", "```\n{p}\n```"),
        ("EU checkout returns 500s.\n\n    {p}", "500s.\n\n    {p}\n"),
        ("<!--\n{p}\n-->\n\nEU checkout returns 500s.", "<!--\n{p}\n-->"),
        # Kept from SC005 by the author: lint does not report it, and the comment is not left
        # suppressing nothing (SP001).
        (
            "<!-- incident-docs disable-next-line SC005 -->\n{p}\n\nEU checkout returns 500s.",
            "SC005 -->\n{p}\n",
        ),
        (
            "<!-- incident-docs disable SC -->\n{p}\n<!-- incident-docs enable SC -->\n\nEU 500s.",
            "SC -->\n{p}\n<!--",
        ),
    ],
)
def test_only_the_placeholder_lint_reports_leaves_a_summary_written_by_hand(
    archive: Path, run_cli: RunCli, around: str, kept: str
) -> None:
    path, placeholder = _summary_around_placeholder(run_cli, archive, around)
    kept = kept.format(p=placeholder)
    draft = run_cli(archive, "postmortem", INC)
    assert draft.exit_code == 0, draft.output
    assert kept in (archive / draft.stdout.strip()).read_text()
    done = run_cli(archive, "resolve", "-m", "Rolled back the flag.", "--by", "sam")
    assert done.exit_code == 0, done.output
    text = path.read_text()
    assert kept in text and "\n\n## Timeline\n" in text
    assert not {"SC005", "SP001"} & set(lint_codes(run_cli, archive, INC_PATH))


def test_resolve_says_it_took_the_placeholder_from_a_summary_written_by_hand(
    archive: Path, run_cli: RunCli
) -> None:
    _summary_around_placeholder(run_cli, archive, "{p}\n\nEU checkout returns 500s.")
    done = run_cli(archive, "resolve", "-m", "Rolled back the flag.", "--by", "sam")
    assert done.exit_code == 0, done.output
    assert "the ## Summary section already had text: kept it" in done.stderr
    assert "as it was" not in done.stderr


def test_the_summary_section_is_the_one_lint_reads_as_it(archive: Path, run_cli: RunCli) -> None:
    # Lint takes a required name in any case and its aliases under that name as written; the
    # commands take the same section, or lint failed on what they wrote (SC001, SC002).
    pyproject = archive / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            "[tool.incident-docs]\n",
            '[tool.incident-docs]\nincident-sections = ["summary", "Timeline"]\n',
            1,
        )
        + '\n[tool.incident-docs.section-aliases]\nsummary = ["Overview"]\n'
    )
    declare(run_cli, archive)
    path = archive / INC_PATH
    assert "\n## summary\n" in path.read_text()  # as the list spells it
    path.write_text(path.read_text().replace("## summary\n", "## Overview\n"))
    bare = run_cli(archive, "status", "resolved", "--by", "sam")
    assert bare.exit_code == 2 and "needs a summary" in bare.stderr
    done = run_cli(archive, "resolve", "-m", "Rolled back the flag.", "--by", "sam")
    assert done.exit_code == 0, done.output
    assert "## Overview\n\nRolled back the flag.\n" in path.read_text()
    assert run_cli(archive, "lint", str(path)).exit_code == 0


def test_an_alias_under_another_spelling_of_the_name_is_refused(
    archive: Path, run_cli: RunCli
) -> None:
    # Lint reads aliases under the required name as the configuration spells it ("Summary"):
    # "summary = [...]" names none, and the commands must not take "## Overview" for it either.
    # Such a setting is refused, saying how to spell it.
    declare(run_cli, archive)
    pyproject = archive / "pyproject.toml"
    text = (
        pyproject.read_text() + '\n[tool.incident-docs.section-aliases]\nsummary = ["Overview"]\n'
    )
    pyproject.write_text(text)
    done = run_cli(archive, "resolve", "-m", "Rolled back the flag.", "--by", "sam")
    assert done.exit_code == 2, done.output
    assert done.stderr == (
        f"incident: error: pyproject.toml:{len(text.splitlines())}: "
        "tool.incident-docs.section-aliases.summary: 'summary' is no required section: write it "
        "as 'Summary', as the sections list it\n"
    )
    assert "Rolled back the flag." not in (archive / INC_PATH).read_text()


def test_an_outside_communications_lead_logs_the_update_they_send(
    archive: Path, run_cli: RunCli
) -> None:
    declare(run_cli, archive)
    assert (
        run_cli(archive, "assign", "comms", "vendor-amy", "--outside", "--by", "sam").exit_code == 0
    )
    sent = run_cli(archive, "update", "--log", "--by", "vendor-amy")
    assert sent.exit_code == 0, sent.output
    assert "**comms** by vendor-amy" in (archive / INC_PATH).read_text()


def test_a_title_that_starts_with_a_dash_says_how_to_write_it(
    archive: Path, run_cli: RunCli
) -> None:
    refused = run_cli(archive, "declare", "-5%", "checkouts", "--by", "sam", "-y")
    assert refused.exit_code == 2 and "incident declare -- -5" in refused.output


def test_postmortem_pr_body_carries_the_review_checklist(
    archive: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    declare(run_cli, archive)
    git(archive, "init", "-q", "-b", "main")
    git(archive, "config", "user.email", "sam.lindqvist@example.com")
    git(archive, "config", "user.name", "Sam")
    git(archive, "add", "-A")
    git(archive, "commit", "-qm", "archive")
    monkeypatch.setattr("incident_docs.git.shutil.which", lambda _name: None)  # no gh
    result = run_cli(archive, "postmortem", INC, "--pr", "--by", "dana")
    assert result.exit_code == 0, result.output
    assert "Postmortem review checklist" in result.stderr
    assert (
        git(archive, "branch", "--show-current").strip()
        == "postmortem/PM-2024-05-02-checkout-fails"
    )
    assert "still investigating" in result.stderr
    assert REVIEW_CHECKLIST.splitlines()[2] in result.stderr


@pytest.mark.slow
def test_twenty_logs_at_once_leave_twenty_entries(archive: Path, run_cli: RunCli) -> None:
    declare(run_cli, archive)
    command = Path(sys.executable).parent / "incident"
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull}
    processes = [
        subprocess.Popen(
            [str(command), "--root", str(archive), "log", f"entry {n}", "--by", "dana"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        for n in range(20)
    ]
    for process in processes:
        _out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    text = (archive / INC_PATH).read_text()
    assert sorted(
        int(line.rsplit(" ", 1)[1]) for line in text.splitlines() if "entry " in line
    ) == list(range(len(processes)))
    assert lint_codes(run_cli, archive, INC_PATH) == []
    assert not (archive / "incidents").joinpath(".tmp").exists()
    assert sorted(p.name for p in (archive / "incidents").iterdir() if p.name.startswith(".")) == []


def test_a_command_that_waited_for_the_lock_records_the_time_it_wrote(
    archive: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Started first, a handoff or status change that gets its turn after another's records a
    time after that one's, rather than being refused as going before it."""
    declare(run_cli, archive)
    now = [NOW + timedelta(hours=3)]
    monkeypatch.setattr(cli_incident, "CLOCK", lambda: now[0])
    real_locked = store.locked
    waiting: list[str] = []

    @contextlib.contextmanager
    def behind_another(root: Path) -> Iterator[None]:
        if waiting:  # another command takes its turn, a minute later, while this one waits
            role = waiting.pop()
            now[0] += timedelta(minutes=1)
            other = run_cli(archive, *role.split(), "--by", "sam")
            assert other.exit_code == 0, other.output
        with real_locked(root):
            yield

    monkeypatch.setattr(store, "locked", behind_another)
    for first, second in (
        ("assign ops dana", "assign ops lee"),
        ("status identified", "status monitoring"),
        ("resolve --summary Fixed", "assign comms jo"),
    ):
        waiting.append(second)
        result = run_cli(archive, *first.split(), "--by", "sam")
        assert result.exit_code == 0, result.output
    text = (archive / INC_PATH).read_text()
    assert "  ops_lead: dana\n" in text and "  communications_lead: jo\n" in text
    assert "status: resolved\n" in text
    assert lint_codes(run_cli, archive, INC_PATH) == []


# --- commands that must not write what they were not asked to ---------------------------------


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*.md")}


def test_postmortem_without_an_incident_takes_only_the_one_waiting_for_it(
    archive: Path, run_cli: RunCli
) -> None:
    declare(run_cli, archive)
    second = run_cli(archive, "declare", "Search is slow", "--by", "sam", "--yes")
    assert second.exit_code == 0
    before = snapshot(archive)
    result = run_cli(archive, "postmortem")  # both are open: none is waiting for a postmortem
    assert result.exit_code == 2
    assert "no resolved incident is waiting for a postmortem" in result.stderr
    assert snapshot(archive) == before
    assert (
        run_cli(archive, "resolve", "-i", INC, "-m", "Rolled back.", "--by", "sam").exit_code == 0
    )
    result = run_cli(archive, "postmortem")
    assert result.exit_code == 0, result.output
    assert f"Drafting for {INC}, the one resolved incident without a postmortem." in result.stderr
    assert (archive / "postmortems" / f"PM-{INC.removeprefix('INC-')}.md").exists()


def test_postmortem_without_an_incident_reads_only_what_may_be_waiting(
    archive: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In an archive of thousands, every resolved incident and every postmortem was parsed: an
    incident whose draft is there by its ID is not, nor a postmortem naming none of the rest."""
    declare(run_cli, archive)
    assert run_cli(archive, "resolve", "-m", "Rolled back.", "--by", "sam").exit_code == 0
    assert run_cli(archive, "postmortem", INC).exit_code == 0
    incident, draft = archive / INC_PATH, next((archive / "postmortems").glob("PM-*.md"))
    for day in range(1, 6):
        other = f"INC-2023-01-0{day}-disk-full"
        (archive / "incidents" / f"{other}.md").write_text(incident.read_text().replace(INC, other))
        pm = f"PM-2023-01-0{day}-disk-full"
        (archive / "postmortems" / f"{pm}.md").write_text(
            draft.read_text().replace(INC, other).replace(draft.stem, pm)
        )
    waiting = "INC-2023-02-01-cache"  # its postmortem is named after another incident
    text = incident.read_text().replace(INC, waiting)
    (archive / "incidents" / f"{waiting}.md").write_text(
        re.sub(r"^postmortem: .*\n", "", text, flags=re.M)
    )
    covering = draft.read_text().replace(f"incidents: [{INC}]", f"incidents: [{INC}, {waiting}]")
    draft.write_text(covering)
    read: list[str] = []
    load_record = records.load_record

    def counted(path: Path, root: Path, config: object) -> object:
        read.append(path.name)
        return load_record(path, root, config)  # type: ignore[arg-type]

    monkeypatch.setattr(records, "load_record", counted)
    result = run_cli(archive, "postmortem")
    assert result.exit_code == 2
    assert "no resolved incident is waiting for a postmortem" in result.stderr
    assert read == [f"{waiting}.md", draft.name]


def test_postmortem_without_an_incident_skips_one_only_by_the_id_it_plainly_gives(
    archive: Path, run_cli: RunCli
) -> None:
    """A quoted title before the ID may hold a line that reads as another ID: the incident whose
    draft that one names is not this one, and it was left out as if its draft were there."""
    declare(run_cli, archive)
    assert run_cli(archive, "resolve", "-m", "Rolled back.", "--by", "sam").exit_code == 0
    path = archive / INC_PATH
    other = "INC-2024-05-02-search-slow"
    text = path.read_text().replace(f"id: {INC}\n", "", 1)
    text = re.sub(
        r"^title: .*\n",
        f'title: "Checkout fails\nid: {other}"\nid: {INC}\n',
        text,
        count=1,
        flags=re.M,
    )
    path.write_text(text)
    (archive / "postmortems").mkdir(exist_ok=True)
    (archive / "postmortems" / f"PM-{other.removeprefix('INC-')}.md").write_text("---\n---\n")
    result = run_cli(archive, "postmortem")
    assert result.exit_code == 0, result.output
    assert f"Drafting for {INC}, the one resolved incident without a postmortem." in result.stderr


def test_postmortem_without_an_incident_names_a_resolved_one_copied_by_hand_once(
    archive: Path, run_cli: RunCli
) -> None:
    """A resolved incident copied to a second file was listed twice, as two incidents to choose
    from ("2 resolved incidents have no postmortem yet: INC-x, INC-x"), and that ID was then
    refused."""
    first = Path(declare(run_cli, archive))
    assert run_cli(archive, "resolve", "-m", "Rolled back.", "--by", "sam").exit_code == 0
    first.with_name(f"{INC} copy.md").write_bytes(first.read_bytes())
    before = snapshot(archive)
    result = run_cli(archive, "postmortem", "--by", "sam")
    assert result.exit_code == 2 and "2 resolved incidents" not in result.stderr
    both = f"incidents/{INC} copy.md, {INC_PATH}; keep one (lint reports each, ID001)"
    assert f"'{INC}' is the ID of several records: {both}, then run" in result.stderr
    assert snapshot(archive) == before


def test_a_draft_left_without_its_link_is_linked_by_the_next_run(
    archive: Path, run_cli: RunCli
) -> None:
    """Killed between writing the draft and the incident's link to it: running the command again
    finishes the change, keeping what the draft holds."""
    declare(run_cli, archive)
    assert run_cli(archive, "resolve", "-m", "Rolled back.", "--by", "sam").exit_code == 0
    incident = archive / INC_PATH
    unlinked = incident.read_bytes()
    assert run_cli(archive, "postmortem", INC).exit_code == 0
    incident.write_bytes(unlinked)  # as a run killed before its second write leaves it
    draft = archive / "postmortems" / f"PM-{INC.removeprefix('INC-')}.md"
    draft.write_text(draft.read_text().replace("## Summary\n", "## Summary\n\nWritten.\n", 1))
    written = draft.read_bytes()
    result = run_cli(archive, "postmortem", INC)
    assert result.exit_code == 0, result.output
    assert "now links to it; the draft is left as it is" in result.stderr
    assert Path(result.stdout.strip()).resolve() == draft.resolve()
    assert f"postmortem: {draft.stem}\n" in incident.read_text()
    assert draft.read_bytes() == written
    again = run_cli(archive, "postmortem", INC)
    assert again.exit_code == 2 and "the postmortem already exists" in again.stderr


def test_a_draft_left_without_its_link_is_not_linked_when_another_postmortem_covers_it(
    archive: Path, run_cli: RunCli
) -> None:
    """The incident would link to one of two postmortems that cover it: refused, as a second
    draft would be."""
    declare(run_cli, archive)
    assert run_cli(archive, "resolve", "-m", "Rolled back.", "--by", "sam").exit_code == 0
    incident = archive / INC_PATH
    unlinked = incident.read_bytes()
    assert run_cli(archive, "postmortem", INC).exit_code == 0
    incident.write_bytes(unlinked)
    draft = archive / "postmortems" / f"PM-{INC.removeprefix('INC-')}.md"
    other = draft.with_name("PM-2024-05-02-checkout-and-cart.md")
    other.write_text(draft.read_text().replace(draft.stem, other.stem))
    result = run_cli(archive, "postmortem", INC)
    assert result.exit_code == 2
    assert f"{INC} is covered by" in result.stderr and other.stem in result.stderr
    assert incident.read_bytes() == unlinked


def test_incident_and_the_incident_option_must_agree(archive: Path, run_cli: RunCli) -> None:
    declare(run_cli, archive)
    run_cli(archive, "declare", "Disk full", "--by", "sam", "--yes")
    before = snapshot(archive)
    result = run_cli(archive, "postmortem", "checkout", "-i", "disk")
    assert result.exit_code == 2
    assert "name different incidents" in result.stderr
    assert snapshot(archive) == before
    assert run_cli(archive, "show", "checkout", "-i", INC).exit_code == 0  # the same one


def test_a_resolved_incident_can_be_reopened_and_says_so_otherwise(
    archive: Path, run_cli: RunCli
) -> None:
    declare(run_cli, archive)
    resolved = run_cli(archive, "resolve", "--yes", "--by", "sam")
    assert resolved.exit_code == 2 and "give a summary" in resolved.stderr  # --yes asks nothing
    assert run_cli(archive, "resolve", "-m", "Rolled back.", "--by", "sam", "--yes").exit_code == 0
    refused = run_cli(archive, "assign", "comms", "lee", "-i", INC, "--by", "sam")
    assert refused.exit_code == 2 and "incident reopen --because WHY" in refused.stderr
    status = run_cli(archive, "status", "investigating", "-i", INC, "--by", "sam")
    assert status.exit_code == 2 and "reopen it" in status.stderr
    logged = run_cli(archive, "log", "Late note.", "-i", INC, "--by", "sam")
    assert logged.exit_code == 0 and "is resolved: the entry is added" in logged.stderr
    reopened = run_cli(archive, "reopen", INC, "--because", "errors are back", "--by", "sam")
    assert reopened.exit_code == 0, reopened.output
    text = (archive / INC_PATH).read_text()
    assert "status: investigating" in text and "resolved_at" not in text
    assert "**status** by sam: Reopened: errors are back" in text
    assert lint_codes(run_cli, archive, INC_PATH) == []


def test_a_handoff_is_not_backfilled_into_the_time_a_reopened_incident_stood_resolved(
    archive: Path, run_cli: RunCli
) -> None:
    declare(run_cli, archive)
    resolve = ("resolve", "-m", "Rolled back.", "--at", "2024-05-02T11:00:00Z")
    assert run_cli(archive, *resolve, "--by", "sam", "--yes").exit_code == 0
    reopen = ("reopen", INC, "--because", "errors are back", "--at", "2024-05-02T12:00:00Z")
    assert run_cli(archive, *reopen, "--by", "sam").exit_code == 0
    before = (archive / INC_PATH).read_text()
    assign = ("assign", "comms", "lee", "-i", INC, "--by", "sam")
    refused = run_cli(archive, *assign, "--at", "2024-05-02T11:30:00Z")
    assert refused.exit_code == 2
    assert "the incident was resolved then (2024-05-02T11:00:00Z)" in refused.stderr
    assert (archive / INC_PATH).read_text() == before
    assert run_cli(archive, *assign, "--at", "2024-05-02T12:30:00Z").exit_code == 0
    assert lint_codes(run_cli, archive, INC_PATH) == []


# --- posting the update ---------------------------------------------------------------------------


@pytest.fixture
def webhook(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    monkeypatch.setenv("INCIDENT_WEBHOOK_URL", httpserver.url_for("/hooks/secret-token"))
    return httpserver


def test_post_sends_the_update_to_a_slack_compatible_webhook(
    archive: Path, run_cli: RunCli, webhook: HTTPServer
) -> None:
    declare(run_cli, archive)
    webhook.expect_oneshot_request("/hooks/secret-token", method="POST").respond_with_data("ok")
    result = run_cli(archive, "update", "--post", "--log", "--by", "lee")
    assert result.exit_code == 0, result.output
    ((request, _response),) = webhook.log
    sent = json.loads(request.get_data())
    assert sent["text"].startswith("Incident update: Checkout fails")
    assert "Impact: Users of checkout are affected." in sent["text"] and "**" not in sent["text"]
    assert (
        "**comms** by lee: Stakeholder update posted to localhost: internal, status investigating"
    ) in (archive / INC_PATH).read_text()


def test_a_webhook_url_with_credentials_posts_with_them_and_never_shows_them(
    archive: Path, run_cli: RunCli, webhook: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # urllib read "hook:s3cret@localhost" as the host name: the post failed on a lookup.
    declare(run_cli, archive)
    address = webhook.url_for("/hooks/secret-token").replace("://", "://hook%40ops:s3cr%3At@", 1)
    monkeypatch.setenv("INCIDENT_WEBHOOK_URL", address)
    webhook.expect_oneshot_request("/hooks/secret-token", method="POST").respond_with_data("ok")
    result = run_cli(archive, "update", "--post", "--log", "--by", "lee")
    assert result.exit_code == 0, result.output
    ((request, _response),) = webhook.log
    assert request.authorization is not None
    assert (request.authorization.username, request.authorization.password) == (
        "hook@ops",
        "s3cr:t",
    )
    record = (archive / INC_PATH).read_text()
    assert "Stakeholder update posted to localhost:" in record
    assert "s3cr" not in record + result.output


def test_an_update_to_log_in_a_read_only_record_is_not_posted(
    archive: Path, run_cli: RunCli, webhook: HTTPServer
) -> None:
    declare(run_cli, archive)
    record = archive / INC_PATH
    record.chmod(0o444)
    result = run_cli(archive, "update", "--post", "--log", "--by", "lee")
    assert result.exit_code == 2
    assert f"{INC_PATH}: the file is read-only" in result.stderr
    assert webhook.log == []  # posting again once it is writable would post it twice


def post_to_teams(archive: Path) -> None:
    pyproject = archive / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text() + '\n[tool.incident-docs.updates]\nwebhook-format = "teams"\n'
    )


def test_post_builds_a_teams_card_when_configured(
    archive: Path, run_cli: RunCli, webhook: HTTPServer
) -> None:
    post_to_teams(archive)
    declare(run_cli, archive)
    webhook.expect_oneshot_request("/hooks/secret-token", method="POST").respond_with_data("")
    assert run_cli(archive, "update", "--post").exit_code == 0
    ((request, _response),) = webhook.log
    card = json.loads(request.get_data())["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    texts = [block["text"] for block in card["content"]["body"]]
    assert texts[0].startswith("Incident update: Checkout fails")
    assert "Affected services: checkout" in texts


def test_a_failed_post_is_one_clear_line_the_update_is_still_printed_and_not_logged(
    archive: Path, run_cli: RunCli, webhook: HTTPServer
) -> None:
    declare(run_cli, archive)
    webhook.expect_oneshot_request("/hooks/secret-token").respond_with_data("boom", status=500)
    result = run_cli(archive, "update", "--post", "--log", "--by", "lee")
    assert result.exit_code == 2
    assert result.stdout.startswith("**Incident update: Checkout fails")
    assert (
        result.stderr.strip() == "incident: error: posting the update to localhost: HTTP 500: boom"
    )
    assert "secret-token" not in result.stderr  # the URL is a secret
    assert "Stakeholder update" not in (archive / INC_PATH).read_text()


@pytest.mark.parametrize(
    ("answer", "content_type", "said"),
    [
        ('{"ok": false, "error": "channel_not_found"}', "application/json", ": channel_not_found"),
        ('{"success": false, "error": "Invalid token"}', "application/json", ": Invalid token"),
        ("invalid_payload", "text/plain", ": invalid_payload"),
        (
            json.dumps(
                {
                    "ok": False,
                    "error": "invalid_blocks",
                    "response_metadata": {"messages": [f"[ERROR] block {n}" for n in range(40)]},
                }
            ),
            "application/json",
            ": invalid_blocks",
        ),
        (
            '\ufeff{"ok": false, "error": "channel_not_found"}',
            "application/json",
            ": channel_not_found",
        ),
        ('{"ok": false, "error": "bad\\rnews"}', "application/json", ""),
    ],
    ids=["ok false", "success false", "a Slack code", "long", "a byte order mark", "two lines"],
)
def test_a_post_the_chat_answers_200_to_but_refuses_is_a_failure(
    archive: Path,
    run_cli: RunCli,
    webhook: HTTPServer,
    answer: str,
    content_type: str,
    said: str,
) -> None:
    # Reported as posted and logged as such, while nobody in the chat saw it.
    declare(run_cli, archive)
    webhook.expect_oneshot_request("/hooks/secret-token").respond_with_data(
        answer, content_type=content_type
    )
    result = run_cli(archive, "update", "--post", "--log", "--by", "lee")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"incident: error: posting the update to localhost: the chat answered that it did not "
        f"post it{said}"
    )
    assert "Stakeholder update" not in (archive / INC_PATH).read_text()


@pytest.mark.parametrize(
    ("answer", "content_type"),
    [
        ("ok", "text/html"),
        ('{"ok": true}', "application/json"),
        ("", "text/plain"),
        ("1", "text/plain"),
        ('{"success": true}', "application/json"),
        ('{"result": "queued"}', "application/json"),
        ("message_received", "text/plain"),
    ],
)
def test_a_post_the_chat_answers_200_to_and_took_is_posted(
    archive: Path, run_cli: RunCli, webhook: HTTPServer, answer: str, content_type: str
) -> None:
    declare(run_cli, archive)
    webhook.expect_oneshot_request("/hooks/secret-token").respond_with_data(
        answer, content_type=content_type
    )
    result = run_cli(archive, "update", "--post", "--log", "--by", "lee")
    assert result.exit_code == 0, result.output
    assert "Stakeholder update posted" in (archive / INC_PATH).read_text()


@pytest.mark.parametrize(
    ("status", "answer", "said"),
    [
        (404, "no webhook at /hooks/secret-token", "HTTP 404: no webhook at /…"),
        (401, "wrong password s3cr:t for hook@ops", "HTTP 401: wrong password … for …"),
        (
            200,
            '{"ok": false, "error": "secret-token is disabled"}',
            "the chat answered that it did not post it: … is disabled",
        ),
    ],
)
def test_a_chat_answer_that_quotes_the_webhook_url_does_not_show_its_secret(
    archive: Path,
    run_cli: RunCli,
    webhook: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
    status: int,
    answer: str,
    said: str,
) -> None:
    # The URL is a secret, yet what the chat said back was shown as it came.
    declare(run_cli, archive)
    address = webhook.url_for("/hooks/secret-token").replace("://", "://hook%40ops:s3cr%3At@", 1)
    monkeypatch.setenv("INCIDENT_WEBHOOK_URL", address)
    webhook.expect_oneshot_request("/hooks/secret-token").respond_with_data(
        answer, status=status, content_type="application/json" if status == 200 else "text/plain"
    )
    result = run_cli(archive, "update", "--post")
    assert result.exit_code == 2
    assert result.stderr.strip() == f"incident: error: posting the update to localhost: {said}"


@pytest.mark.parametrize(
    ("path", "answer", "said"),
    [
        ("/h/ab12/cd34/ef56", "no hook ab12/cd34/ef56 here", "no hook … here"),
        ("/hooks/x?key=3f9acafe01", "invalid key 3F9ACAFE01", "invalid key …"),
        ("/hooks/Tok%2fEN123", "no hook Tok%2FEN123", "no hook …"),
        ("/hooks/x?sig=ab+cd%2Fef", "bad signature ab cd/ef", "bad signature …"),
        (
            "/webhookb2/1111-2222-3333@4444-5555-6666/IncomingWebhook/x",
            "group 1111-2222-3333 not found",
            "group … not found",
        ),
        (
            "/h/ab12/cd34/ef56",
            '{"error": "no hook \\/h\\/ab12\\/cd34\\/ef56"}',
            '{"error": "no hook \\/…"}',
        ),
    ],
    ids=["over short pieces", "in capitals", "encoded in capitals", "a plus", "one of two", "JSON"],
)
def test_a_chat_answer_that_quotes_the_webhook_url_otherwise_does_not_show_its_secret(
    archive: Path,
    run_cli: RunCli,
    webhook: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
    path: str,
    answer: str,
    said: str,
) -> None:
    # Only each piece of six characters or more was hidden, as written and decoded.
    declare(run_cli, archive)
    monkeypatch.setenv("INCIDENT_WEBHOOK_URL", webhook.url_for(path))
    webhook.expect_oneshot_request(re.compile(".*")).respond_with_data(
        answer, status=404, content_type="text/plain"
    )
    result = run_cli(archive, "update", "--post")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"incident: error: posting the update to localhost: HTTP 404: {said}"
    )


def test_a_rate_limited_post_waits_as_asked_and_is_sent_once(
    archive: Path, run_cli: RunCli, webhook: HTTPServer
) -> None:
    # A 429 takes nothing: it was an error, so a burst of updates lost one.
    declare(run_cli, archive)
    webhook.expect_ordered_request("/hooks/secret-token").respond_with_data(
        "rate_limited", status=429, headers={"Retry-After": "1"}
    )
    webhook.expect_ordered_request("/hooks/secret-token").respond_with_data("ok")
    started = time.monotonic()
    result = run_cli(archive, "update", "--post", "--log", "--by", "lee")
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started >= 1
    assert len(webhook.log) == 2 and webhook.log[1][1].status_code == 200
    assert (archive / INC_PATH).read_text().count("Stakeholder update posted") == 1


def test_a_rate_limit_longer_than_the_timeout_says_how_long_to_wait(
    archive: Path, run_cli: RunCli, webhook: HTTPServer
) -> None:
    declare(run_cli, archive)
    webhook.expect_request("/hooks/secret-token").respond_with_data(
        "rate_limited", status=429, headers={"Retry-After": "120"}
    )
    result = run_cli(archive, "update", "--post", "--log", "--by", "lee")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "incident: error: posting the update to localhost: HTTP 429: rate_limited: "
        "the chat asks to wait 120 s, then try again"
    )
    assert len(webhook.log) == 1
    assert "Stakeholder update" not in (archive / INC_PATH).read_text()


@pytest.mark.parametrize("retry_after", ["\xb2", "1\xb2", "soon"])
def test_a_rate_limit_with_an_unreadable_wait_says_to_try_again_later(
    archive: Path, run_cli: RunCli, webhook: HTTPServer, retry_after: str
) -> None:
    # "²" (the byte b2) and "٣" are digits to str.isdigit(), not to float(): a traceback.
    declare(run_cli, archive)
    webhook.expect_request("/hooks/secret-token").respond_with_data(
        "rate_limited", status=429, headers={"Retry-After": retry_after}
    )
    result = run_cli(archive, "update", "--post", "--log", "--by", "lee")
    assert result.exit_code == 2, result.output
    assert result.stderr.strip() == (
        "incident: error: posting the update to localhost: HTTP 429: rate_limited: try again later"
    )
    assert len(webhook.log) == 1
    assert "Stakeholder update" not in (archive / INC_PATH).read_text()


@pytest.mark.parametrize(
    ("written", "wait"),
    [
        ("7", 7.0),
        (" 12 ", 12.0),
        ("\u0663", None),
        ("\uff17", None),
        ("\xb2", None),
        ("-1", None),
        ("9" * 400, 86400.0),  # a day at most, not "wait inf s"
        ("Fri, 31 Dec 9999 23:59:59 GMT", 86400.0),
    ],
)
def test_a_retry_after_is_read_in_ascii_digits_only(written: str, wait: float | None) -> None:
    # A header's bytes are read as Latin-1: a server can send any such character, and HTTP
    # leaves room for others to reach the header some other way.
    assert webhooks._retry_after(written) == wait


def test_a_webhook_that_does_not_answer_times_out(
    archive: Path, run_cli: RunCli, webhook: HTTPServer
) -> None:
    pyproject = archive / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n[tool.incident-docs.updates]\ntimeout = 0.5\n")
    declare(run_cli, archive)

    released = threading.Event()

    def slow(_request: Request) -> Response:
        released.wait(10)
        return Response("late")

    webhook.expect_oneshot_request("/hooks/secret-token").respond_with_handler(slow)
    result = run_cli(archive, "update", "--post")
    assert result.exit_code == 2
    assert result.stderr.strip().endswith(
        "posting the update to localhost: no answer within 0.5 s: it may have arrived, so look "
        "in the chat before posting again"
    )
    # The server logs the request when its answer is given: let it answer now, so that the
    # entry does not land in the log of the next test.
    released.set()
    deadline = time.monotonic() + 10
    while not webhook.log and time.monotonic() < deadline:
        time.sleep(0.01)


def test_a_webhook_that_cannot_be_reached_in_time_got_nothing(
    archive: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No connection was made, yet the error said the update may have arrived.
    pyproject = archive / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n[tool.incident-docs.updates]\ntimeout = 0.5\n")
    declare(run_cli, archive)
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(0)  # never accepted: once its queue is full, connecting waits
        port = server.getsockname()[1]
        waiting = [socket.socket() for _ in range(2)]
        for queued in waiting:
            queued.setblocking(False)
            queued.connect_ex(("127.0.0.1", port))
        monkeypatch.setenv("INCIDENT_WEBHOOK_URL", f"http://127.0.0.1:{port}/x")
        result = run_cli(archive, "update", "--post", "--log", "--by", "lee")
        for queued in waiting:
            queued.close()
    assert result.exit_code == 2
    assert result.stderr.strip().endswith(
        "posting the update to 127.0.0.1: no connection within 0.5 s"
    )
    assert "Stakeholder update posted" not in (archive / INC_PATH).read_text()


def test_a_webhook_that_closes_without_answering_may_have_taken_the_post(
    archive: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The request was sent whole: the error read as if nothing had been, to be posted twice.
    declare(run_cli, archive)
    server = socket.create_server(("127.0.0.1", 0))

    def close() -> None:
        connection, _ = server.accept()
        with connection, connection.makefile("rb") as stream:
            head = b"".join(iter(stream.readline, b"\r\n"))
            length = re.search(rb"content-length: *(\d+)", head, re.IGNORECASE)
            stream.read(int(length[1]) if length else 0)  # all of it: then no answer

    thread = threading.Thread(target=close, daemon=True)
    thread.start()
    monkeypatch.setenv("INCIDENT_WEBHOOK_URL", f"http://127.0.0.1:{server.getsockname()[1]}/x")
    result = run_cli(archive, "update", "--post")
    thread.join(10)
    server.close()
    assert result.exit_code == 2
    assert result.stderr.strip().endswith(
        "posting the update to 127.0.0.1: Remote end closed connection without response: it may "
        "have arrived, so look in the chat before posting again"
    )


def test_an_answer_that_trickles_in_is_read_no_longer_than_the_timeout(
    archive: Path, run_cli: RunCli, webhook: HTTPServer
) -> None:
    # A byte at a time never lets one read time out: the post hung for as long as it went on.
    pyproject = archive / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n[tool.incident-docs.updates]\ntimeout = 3\n")
    declare(run_cli, archive)
    sent: list[int] = []
    done = threading.Event()

    def trickle() -> Iterator[bytes]:
        for n in range(600):  # a minute, unless the test is over
            if done.is_set():
                return
            sent.append(n)
            time.sleep(0.1)
            yield b"."

    webhook.expect_oneshot_request("/hooks/secret-token").respond_with_response(
        Response(trickle(), content_type="text/plain")
    )
    result = run_cli(archive, "update", "--post")
    done.set()
    assert result.exit_code == 0, result.output  # it arrived: its status said so
    assert len(sent) < 100  # read for the timeout (3 s), not to its end


def test_an_error_answer_that_trickles_in_is_read_no_longer_than_the_timeout(
    archive: Path, run_cli: RunCli, webhook: HTTPServer
) -> None:
    # Its body was read a byte at a time, each within the timeout: 300 of them held the error
    # back for minutes.
    pyproject = archive / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n[tool.incident-docs.updates]\ntimeout = 2\n")
    declare(run_cli, archive)
    sent: list[int] = []
    done = threading.Event()

    def trickle() -> Iterator[bytes]:
        for n in range(300):
            if done.is_set():
                return
            sent.append(n)
            time.sleep(0.2)
            yield b"x"

    webhook.expect_oneshot_request("/hooks/secret-token").respond_with_response(
        Response(trickle(), status=500, content_type="text/plain")
    )
    result = run_cli(archive, "update", "--post", "--log", "--by", "lee")
    done.set()
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "incident: error: posting the update to localhost: HTTP 500 INTERNAL SERVER ERROR"
    )
    assert len(sent) < 30  # read for the timeout (2 s), not to its end (a minute)
    assert "Stakeholder update" not in (archive / INC_PATH).read_text()


@pytest.mark.parametrize(
    "start",
    [
        b"HTTP/1.1 500 Internal Server Error\r\nTransfer-Encoding: chunked\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nX-Padding: ",
    ],
    ids=["an error's chunk size", "a success's chunk size", "a header"],
)
def test_an_answer_whose_lines_trickle_in_is_given_up_on(
    archive: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, start: bytes
) -> None:
    # http.client reads a header or a chunk's size a line at a time: a server that sends one a
    # byte at a time, each within the timeout, held the post for as long as it went on.
    pyproject = archive / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n[tool.incident-docs.updates]\ntimeout = 1\n")
    declare(run_cli, archive)
    server = socket.create_server(("127.0.0.1", 0))
    done = threading.Event()
    sent: list[int] = []

    def trickle() -> None:
        connection, _ = server.accept()
        with connection, connection.makefile("rb") as stream:
            head = b"".join(iter(stream.readline, b"\r\n"))
            length = re.search(rb"content-length: *(\d+)", head, re.IGNORECASE)
            stream.read(int(length[1]) if length else 0)
            connection.sendall(start)
            for n in range(600):  # a minute, unless the test is over
                if done.is_set():
                    return
                sent.append(n)
                with contextlib.suppress(OSError):
                    connection.sendall(b"0")
                time.sleep(0.1)

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    monkeypatch.setenv("INCIDENT_WEBHOOK_URL", f"http://127.0.0.1:{server.getsockname()[1]}/x")
    result = run_cli(archive, "update", "--post", "--log", "--by", "lee")
    done.set()
    thread.join(10)
    server.close()
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "incident: error: posting the update to 127.0.0.1: no whole answer within 3 s: it may "
        "have arrived, so look in the chat before posting again"
    )
    assert len(sent) < 50  # three timeouts (3 s), not to its end (a minute)
    assert "Stakeholder update posted" not in (archive / INC_PATH).read_text()


def test_post_without_the_variable_says_which_to_set(
    archive: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("INCIDENT_WEBHOOK_URL", raising=False)
    declare(run_cli, archive)
    result = run_cli(archive, "update", "--post")
    assert result.exit_code == 2 and "set INCIDENT_WEBHOOK_URL" in result.stderr
    assert "Incident update" in result.stdout


# --- what a record's text can do to an update ---------------------------------------------------

HOSTILE = "Checkout **down** <img src=x onerror=alert(1)> <!channel> [x](http://evil.example) @here"
MARKDOWN = MarkdownIt("commonmark").enable("strikethrough")


def retitle(root: Path, title: str) -> None:
    """The title edited by hand: a JSON string is a YAML one, escapes and all, but for those of
    characters beyond U+FFFF, which YAML writes as one escape, not two."""
    path = root / INC_PATH
    text = path.read_text()
    assert "title: Checkout fails\n" in text
    quoted = "".join(f"\\U{ord(c):08x}" if ord(c) > 0xFFFF else json.dumps(c)[1:-1] for c in title)
    path.write_text(text.replace("title: Checkout fails\n", f'title: "{quoted}"\n', 1))


def test_an_updates_markdown_shows_the_records_text_as_text(archive: Path, run_cli: RunCli) -> None:
    declare(run_cli, archive)
    retitle(archive, HOSTILE)
    run_cli(
        archive, "log", "see _this_ [dashboard](http://evil.example)", "-a", "other", "--by", "dana"
    )
    result = run_cli(archive, "update")
    assert result.exit_code == 0, result.output
    html = MARKDOWN.render(result.stdout)
    assert "<img" not in html and "<a " not in html and "<em>" not in html
    assert (
        "Checkout **down** &lt;img src=x onerror=alert(1)&gt; &lt;!channel&gt; "
        "[x](http://evil.example) @here"
    ) in html
    assert "see _this_ [dashboard](http://evil.example)" in html
    assert html.count("<strong>") == result.stdout.count("- **") + 1  # the tool's own bold stays


def test_an_address_in_an_updates_markdown_stays_as_written(archive: Path, run_cli: RunCli) -> None:
    # An escape inside it ("search\\_api") made GitHub link somewhere else.
    declare(run_cli, archive)
    url = "https://grafana.example.com/d/search_api?var-node=search_3&from=now-1h*2"
    run_cli(archive, "log", f"Purged the cache_v2; see {url}.", "-a", "other", "--by", "dana")
    # Markup inside an address is escaped still: no link or image hides in one.
    hidden = "https://s.example/[https://bank.example](https://evil.example/p) https://x.example/![t](https://evil.example/i.png)"
    run_cli(archive, "log", hidden, "-a", "other", "--by", "dana")
    result = run_cli(archive, "update")
    assert result.exit_code == 0, result.output
    assert f"Purged the cache\\_v2; see {url}." in result.stdout
    html = MARKDOWN.render(result.stdout)
    assert "evil.example" not in "".join(re.findall(r'(?:href|src)="([^"]*)"', html))


def test_a_public_updates_markdown_shows_the_records_text_as_text(
    archive: Path, run_cli: RunCli
) -> None:
    declare(run_cli, archive)
    retitle(archive, "Card payments _fail_ <img src=x onerror=alert(1)> [status](#x)")
    result = run_cli(archive, "update", "--audience", "public")
    assert result.exit_code == 0, result.output
    html = MARKDOWN.render(result.stdout)
    assert "<img" not in html and "<a " not in html and "<em>" not in html
    assert "Card payments _fail_ &lt;img src=x onerror=alert(1)&gt; [status](#x)" in html


def test_a_teams_card_shows_the_records_text_as_text(
    archive: Path, run_cli: RunCli, webhook: HTTPServer
) -> None:
    post_to_teams(archive)
    declare(run_cli, archive)
    retitle(archive, HOSTILE)
    webhook.expect_oneshot_request("/hooks/secret-token", method="POST").respond_with_data("")
    assert run_cli(archive, "update", "--post").exit_code == 0
    ((request, _response),) = webhook.log
    texts = [b["text"] for b in json.loads(request.get_data())["attachments"][0]["content"]["body"]]
    # A TextBlock reads Markdown: no bold, no link whose text hides where it goes.
    assert texts[0].startswith(
        "Incident update: Checkout \\*\\*down\\*\\* \\<img src=x onerror=alert(1)\\> "
        "\\<!channel\\> \\[x\\]\\(http://evil.example) @here ("
    )
    assert "<img" not in MARKDOWN.render(texts[0]) and "<a " not in MARKDOWN.render(texts[0])
    assert "Affected services: checkout" in texts  # the tool's own text as it was


def test_a_slack_compatible_post_notifies_nobody_and_links_nothing_from_the_record(
    archive: Path, run_cli: RunCli, webhook: HTTPServer
) -> None:
    declare(run_cli, archive)
    retitle(archive, HOSTILE + " @channel @ALL @everyone")
    webhook.expect_oneshot_request("/hooks/secret-token", method="POST").respond_with_data("ok")
    assert run_cli(archive, "update", "--post").exit_code == 0
    ((request, _response),) = webhook.log
    text = json.loads(request.get_data())["text"]
    # Slack: <!channel> escaped. Mattermost, Rocket.Chat: plain mentions and Markdown links.
    assert "&lt;!channel&gt;" in text and "<" not in text
    assert "@\u200bhere @\u200bchannel @\u200bALL @\u200beveryone" in text
    assert "[x]\u200b(http://evil.example)" in text and "](" not in text
    assert "Checkout **down**" in text  # plain text, as Slack shows it


def test_slack_shows_the_records_mrkdwn_as_written(
    archive: Path, run_cli: RunCli, webhook: HTTPServer
) -> None:
    declare(run_cli, archive)
    retitle(archive, "Checkout *down* for _all_ shoppers, ~50%~ of carts")
    webhook.expect_oneshot_request("/hooks/secret-token").respond_with_data("ok")
    assert run_cli(archive, "update", "--post").exit_code == 0
    ((request, _response),) = webhook.log
    sent = json.loads(request.get_data())
    # Slack read them as bold, italic and struck-out text.
    assert sent["mrkdwn"] is False
    assert "Checkout *down* for _all_ shoppers, ~50%~ of carts" in sent["text"]


@pytest.mark.parametrize("webhook_format", ["slack", "teams"])
def test_control_characters_in_a_title_edited_by_hand_are_not_posted(
    archive: Path, run_cli: RunCli, webhook: HTTPServer, webhook_format: str
) -> None:
    pyproject = archive / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text()
        + f'\n[tool.incident-docs.updates]\nwebhook-format = "{webhook_format}"\n'
    )
    declare(run_cli, archive)
    # A window title sequence, a bell, a colour, a C1 CSI, a right-to-left override.
    retitle(archive, "Checkout \x1b]0;owned\x07 down \x1b[31mred \x9b2J \u202eevil")
    webhook.expect_oneshot_request("/hooks/secret-token", method="POST").respond_with_data("ok")
    assert run_cli(archive, "update", "--post").exit_code == 0
    ((request, _response),) = webhook.log
    posted = json.dumps(json.loads(request.get_data()), ensure_ascii=False)
    assert not any(char in posted for char in ("\x1b", "\x07", "\x9b", "\u202e"))
    assert "owned\ufffd down \ufffd" in posted  # replaced: it shows that something was there


@pytest.mark.parametrize("webhook_format", ["slack", "teams"])
@pytest.mark.parametrize("char", ["&", "\U0001f525"])  # escaped five times over; four bytes
def test_the_update_of_a_huge_incident_fits_in_one_chat_message(
    archive: Path, run_cli: RunCli, webhook: HTTPServer, webhook_format: str, char: str
) -> None:
    pyproject = archive / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text()
        + f'\n[tool.incident-docs.updates]\nwebhook-format = "{webhook_format}"\n'
    )
    services = [f"--service=service-{n:02d}-{'x' * 30}" for n in range(30)]
    harms = [f"--audience={name}={char * 300}" for name in ("users", "stakeholders", "company")]
    declare(run_cli, archive, *services, *harms)
    retitle(archive, char * 200)
    assert run_cli(archive, "status", "identified", char * 3000, "--by", "sam").exit_code == 0
    kinds = ("mitigation/rollback", "action", "decision")
    start = datetime(2024, 5, 2, 10, 0, 1, tzinfo=UTC)
    with (archive / INC_PATH).open("a") as record:
        for n in range(12_000):
            moment = (start + timedelta(seconds=n // 2)).isoformat().replace("+00:00", "Z")
            length = 1000 if n >= 12_000 - 30 else 10  # the latest, which it lists, are long
            record.write(f"- {moment} **{kinds[n % 3]}** by dana: {char * length}\n")
    webhook.expect_oneshot_request("/hooks/secret-token", method="POST").respond_with_data("ok")
    result = run_cli(archive, "update", "--post")
    assert result.exit_code == 0, result.stderr
    assert "and 3,995 earlier: see the record" in result.stdout
    assert len(result.stdout) < 10_000
    ((request, _response),) = webhook.log
    if webhook_format == "slack":
        assert len(json.loads(request.get_data())["text"]) < 30_000  # Slack: 40,000
    else:
        assert len(request.get_data()) < 24_000  # Teams: 28 KB


def test_at_a_terminal_declare_asks_who_you_are_until_the_roster_knows(
    archive: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli_incident, "_terminal", lambda: True)
    args = [
        "declare", "Checkout fails", "--because", "user-facing", "-s", "SEV2", "--service", "x",
        "--audience", "users=Checkout fails",
    ]  # fmt: skip
    result = run_cli(archive, *args, input="leee\nlee\n")
    assert result.exit_code == 0, result.output
    assert "did you mean lee?" in result.stderr  # the typo is asked again, not recorded
    assert result.stderr.count("Who are you? (") == 2
    [path] = result.stdout.splitlines()  # the questions are on standard error
    assert "declared_by: lee" in (archive / path).read_text()


def test_a_backfilled_handoff_lands_in_time_order_and_lints_clean(
    archive: Path, run_cli: RunCli
) -> None:
    declare(run_cli, archive)
    assert (
        run_cli(
            archive, "assign", "ops", "dana", "--by", "sam", "--at", "2024-05-02T10:20:00Z"
        ).exit_code
        == 0
    )
    late = run_cli(archive, "assign", "comms", "lee", "--by", "sam", "--at", "2024-05-02T10:10:00Z")
    assert late.exit_code == 0, late.output
    text = (archive / INC_PATH).read_text()
    assert text.index("at: 2024-05-02T10:10:00Z") < text.index("at: 2024-05-02T10:20:00Z")
    codes = lint_codes(run_cli, archive, INC_PATH)
    assert not [c for c in codes if c.startswith(("FM", "RL", "TL"))], codes


def test_a_post_that_did_not_arrive_is_never_reported_as_sent(
    archive: Path, run_cli: RunCli, webhook: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    declare(run_cli, archive)
    webhook.expect_oneshot_request("/hooks/secret-token").respond_with_data(
        "", status=302, headers={"Location": webhook.url_for("/elsewhere")}
    )
    moved = run_cli(archive, "update", "--post")
    assert (
        moved.exit_code == 2 and "redirected elsewhere: use the webhook's final URL" in moved.stderr
    )
    webhook.expect_oneshot_request("/hooks/secret-token").respond_with_data(
        "<html>Sign in</html>", content_type="text/html"
    )
    portal = run_cli(archive, "update", "--post")
    assert portal.exit_code == 2 and "the answer is a web page" in portal.stderr
    for broken in (
        "http://h:abc/secret-token",
        "https://[::1/secret-token",
        "http://h /secret-token",
    ):
        monkeypatch.setenv("INCIDENT_WEBHOOK_URL", broken)
        result = run_cli(archive, "update", "--post")
        assert result.exit_code == 2, broken
        assert "not a valid" in result.stderr and "secret-token" not in result.stderr
        assert "Traceback" not in result.output


def test_an_answer_cut_short_after_its_status_is_a_post_that_arrived(
    archive: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The status said it arrived; a body cut short was reported as a failed post (exit 2,
    # nothing logged), and posting again posted it twice.
    declare(run_cli, archive)
    server = socket.create_server(("127.0.0.1", 0))
    posts: list[bytes] = []

    def answer() -> None:
        connection, _ = server.accept()
        with connection, connection.makefile("rb") as stream:
            head = b""
            for line in stream:  # the request's head, then its body: read it all
                if line == b"\r\n":
                    break
                head += line
            length = re.search(rb"content-length: *(\d+)", head, re.IGNORECASE)
            posts.append(stream.read(int(length[1]) if length else 0))
            connection.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\no")

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    monkeypatch.setenv("INCIDENT_WEBHOOK_URL", f"http://127.0.0.1:{server.getsockname()[1]}/x")
    result = run_cli(archive, "update", "--post", "--log", "--by", "lee")
    thread.join(10)
    server.close()
    assert len(posts) == 1
    assert result.exit_code == 0, result.output
    assert "Stakeholder update posted to 127.0.0.1" in (archive / INC_PATH).read_text()


@pytest.mark.parametrize(
    "answer",
    [
        b"HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nno",  # cut short
        b"HTTP/1.1 404 Not Found\r\nContent-Length: 50\r\n\r\nno_se",  # the rest never comes
    ],
)
def test_an_error_answer_cut_short_is_reported_by_its_status(
    archive: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, answer: bytes
) -> None:
    # Reading what the chat said raised out of the error's handling: a traceback.
    pyproject = archive / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n[tool.incident-docs.updates]\ntimeout = 0.5\n")
    declare(run_cli, archive)
    server = socket.create_server(("127.0.0.1", 0))
    done = threading.Event()

    def respond() -> None:
        connection, _ = server.accept()
        with connection, connection.makefile("rb") as stream:
            head = b"".join(iter(stream.readline, b"\r\n"))
            length = re.search(rb"content-length: *(\d+)", head, re.IGNORECASE)
            stream.read(int(length[1]) if length else 0)
            connection.sendall(answer)
            if b"Content-Length" in answer:
                done.wait(10)

    thread = threading.Thread(target=respond, daemon=True)
    thread.start()
    monkeypatch.setenv("INCIDENT_WEBHOOK_URL", f"http://127.0.0.1:{server.getsockname()[1]}/x")
    result = run_cli(archive, "update", "--post", "--log", "--by", "lee")
    done.set()
    thread.join(10)
    server.close()
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().endswith("posting the update to 127.0.0.1: HTTP 404 Not Found")
    assert "Stakeholder update posted" not in (archive / INC_PATH).read_text()


def test_slacks_ok_typed_as_html_is_a_post_that_arrived(
    archive: Path, run_cli: RunCli, webhook: HTTPServer
) -> None:
    # Slack answers a post it took with "ok" typed text/html: it was reported as a web page,
    # exit 2 and nothing logged, and posting again posted it twice.
    declare(run_cli, archive)
    webhook.expect_oneshot_request("/hooks/secret-token").respond_with_data(
        "ok", content_type="text/html"
    )
    result = run_cli(archive, "update", "--post", "--log", "--by", "lee")
    assert result.exit_code == 0, result.output
    assert "Posted the update (slack webhook)." in result.stderr
    assert "Stakeholder update posted to localhost" in (archive / INC_PATH).read_text()


def test_slack_text_cannot_mention_the_whole_channel(
    archive: Path, run_cli: RunCli, webhook: HTTPServer
) -> None:
    result = run_cli(archive, "declare", "<!channel> checkout & cart", "--by", "sam", "--yes")
    assert result.exit_code == 0
    webhook.expect_oneshot_request("/hooks/secret-token").respond_with_data("ok")
    assert run_cli(archive, "update", "--post").exit_code == 0
    ((request, _response),) = webhook.log
    sent = json.loads(request.get_data())["text"]
    assert "&lt;!channel&gt; checkout &amp; cart" in sent and "<!channel>" not in sent


def test_reopen_keeps_the_comments_around_the_end_time_and_a_second_resolve_rewrites_the_summary(
    archive: Path, run_cli: RunCli
) -> None:
    declare(run_cli, archive)
    assert (
        run_cli(archive, "resolve", "-m", "A bad flag; rolled back.", "--by", "sam").exit_code == 0
    )
    path = archive / INC_PATH
    text = path.read_text()
    end = text.index("resolved_at:")
    line_end = text.index("\n", end) + 1
    path.write_text(text[:line_end] + "# resolved once the queue drained\n" + text[line_end:])
    reopened = run_cli(archive, "reopen", INC, "--because", "errors are back", "--by", "sam")
    assert reopened.exit_code == 0, reopened.output
    text = path.read_text()
    assert "# resolved once the queue drained" in text and "resolved_at" not in text
    assert "note: errors are back" in text  # the status history says why
    again = run_cli(archive, "resolve", "-m", "The flag is gone for good.", "--by", "sam")
    assert again.exit_code == 0, again.output
    summary = path.read_text().split("## Summary", 1)[1].split("##", 1)[0]
    assert "The flag is gone for good." in summary and "rolled back" not in summary


def test_a_closed_pipe_keeps_the_findings_exit_code(archive: Path) -> None:
    (archive / "notes.md").write_text("---\nid: x\n---\nEric broke it, obviously.\n")
    result = subprocess.run(
        f"set -o pipefail; '{sys.executable}' -m incident_docs --root '{archive}' lint "
        f"--select BL '{archive / 'notes.md'}' | head -0",
        shell=True,
        executable="/bin/bash",
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr


def test_every_command_that_writes_takes_yes() -> None:
    from incident_docs.cli import _load_command_modules, main

    _load_command_modules()
    writers = ["declare", "assign", "log", "status", "resolve", "reopen", "update", "postmortem",
               "init", "codeowners"]  # fmt: skip
    for name in writers:
        command = main.commands[name]
        assert any("--yes" in param.opts for param in command.params), name
    for group, sub in (("actions", "sync"), ("blameless", "train")):
        found = main.commands[group]
        assert isinstance(found, click.Group)
        assert any("--yes" in param.opts for param in found.commands[sub].params), sub


def test_show_outside_an_archive_says_how_to_find_one(tmp_path: Path, run_cli: RunCli) -> None:
    result = run_cli(tmp_path, "show")
    assert result.exit_code == 2 and "no incident archive in" in result.stderr


def test_the_end_of_input_at_a_question_is_an_error_not_a_finding(
    archive: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli_incident, "_terminal", lambda: True)
    before = sorted(p.name for p in (archive / "incidents").rglob("*"))
    result = run_cli(archive, "declare", "--by", "dana", input="Search is slow\ny\n")
    assert result.exit_code == 2, result.output  # 1 would say lint found something
    assert result.stderr.endswith("incident: error: aborted\n")
    assert sorted(p.name for p in (archive / "incidents").rglob("*")) == before


def test_an_interrupted_lint_is_an_error_not_a_finding(
    archive: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Ctrl-C outside a question: click said "Aborted!" and exit 1, which says lint found something.
    from incident_docs import cli_lint

    def interrupted(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_lint, "lint", interrupted)
    result = run_cli(archive, "lint")
    assert result.exit_code == 2, result.output
    assert result.stderr.endswith("incident: error: aborted\n")
