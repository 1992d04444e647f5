"""`incident lint --base REF`: IDs stay unique across branches and never change, in a real git repo."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from support.cli import RunCli

INC = "incidents/INC-2022-12-25-corrupt-image-crash-loop.md"
NEW_ID = "INC-2024-06-01-search-down"


def git(root: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com",
         "-c", "commit.gpgsign=false", "-C", str(root), *args],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return result.stdout


def incident(record_id: str, title: str = "Search is down") -> str:
    return f"""\
---
id: {record_id}
title: {title}
severity: SEV3
status: investigating
declared_at: 2024-06-01T10:00:00Z
declared_by: sam
roles:
  incident_commander: sam
  communications_lead: sam
  ops_lead: sam
---

# {title}

## Summary

Search returns errors.

## Timeline

- 2024-06-01T10:00:00Z **note** by sam: Declared.
"""


@pytest.fixture
def repo(archive: Path) -> Path:
    git(archive, "init", "--quiet", "-b", "main")
    git(archive, "add", "-A")
    git(archive, "commit", "--quiet", "-m", "archive")
    git(archive, "switch", "--quiet", "-c", "feature")
    return archive


def commit_on(root: Path, branch: str, files: dict[str, str]) -> None:
    """Commit files on another branch, leaving the working tree on the current one."""
    current = git(root, "branch", "--show-current").strip()
    git(root, "switch", "--quiet", branch)
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "--quiet", "-m", f"on {branch}")
    git(root, "switch", "--quiet", current)


def id_findings(run_cli: RunCli, root: Path, *args: str) -> list[tuple[str, str, str]]:
    result = run_cli(root, "lint", "--select", "ID", "--format", "json", *args)
    assert result.exit_code in (0, 1), result.output
    return [(d["path"], d["code"], d["message"]) for d in json.loads(result.stdout)["diagnostics"]]


def test_an_unchanged_branch_is_clean(repo: Path, run_cli: RunCli) -> None:
    assert id_findings(run_cli, repo, "--base", "main") == []


def test_changing_an_id_is_reported(repo: Path, run_cli: RunCli) -> None:
    path = repo / INC
    path.write_text(
        path.read_text().replace(
            "id: INC-2022-12-25-corrupt-image-crash-loop", "id: INC-2022-12-26-corrupt-image"
        )
    )
    found = id_findings(run_cli, repo, "--base", "main", str(repo / INC))
    assert (INC, "ID006") in {(p, c) for p, c, _ in found}
    message = next(m for _, c, m in found if c == "ID006")
    assert "was 'INC-2022-12-25-corrupt-image-crash-loop' on main" in message
    assert "ID006" not in {c for _, c, _ in id_findings(run_cli, repo, str(repo / INC))}


def test_an_id_taken_on_the_base_since_the_branch_started(repo: Path, run_cli: RunCli) -> None:
    commit_on(repo, "main", {f"incidents/2024/{NEW_ID}.md": incident(NEW_ID, "Search outage")})
    mine = f"incidents/{NEW_ID}.md"
    (repo / mine).write_text(incident(NEW_ID), encoding="utf-8")
    found = id_findings(run_cli, repo, "--base", "main", str(repo / mine))
    assert (mine, "ID001", f"ID '{NEW_ID}' is also used by incidents/2024/{NEW_ID}.md on main: "
            "choose another slug") in found  # fmt: skip
    assert id_findings(run_cli, repo, str(repo / mine)) == [], (
        "without --base the working tree looks fine"
    )


def test_the_same_file_added_on_both_branches(repo: Path, run_cli: RunCli) -> None:
    mine = f"incidents/{NEW_ID}.md"
    commit_on(repo, "main", {mine: incident(NEW_ID, "Search outage")})
    (repo / mine).write_text(incident(NEW_ID), encoding="utf-8")
    found = id_findings(run_cli, repo, "--base", "main")
    assert any(c == "ID001" and "also added on main since this branch" in m for _, c, m in found)


def test_moving_a_record_keeps_its_id_and_is_not_a_duplicate(repo: Path, run_cli: RunCli) -> None:
    moved = "incidents/2022/INC-2022-12-25-corrupt-image-crash-loop.md"
    (repo / moved).parent.mkdir()
    (repo / INC).rename(repo / moved)
    assert id_findings(run_cli, repo, "--base", "main") == []


OLD_ID = "INC-2022-12-25-corrupt-image-crash-loop"
RENAMED_ID = "INC-2022-12-26-corrupt-image"
CHANGED = (
    f"the ID was '{OLD_ID}' on main, in {INC}: IDs are immutable once created "
    "(a new record goes in a new file)"
)


def rename(root: Path, name: str, record_id: str, how: str) -> str:
    """Move the record at INC to incidents/NAME with id: RECORD_ID, left as HOW says in git."""
    moved = f"incidents/{name}"
    if how == "untracked":
        (root / INC).rename(root / moved)
    else:
        git(root, "mv", INC, moved)
    text = (root / moved).read_text(encoding="utf-8")
    (root / moved).write_text(text.replace(f"id: {OLD_ID}", f"id: {record_id}"), encoding="utf-8")
    if how == "staged":
        git(root, "add", moved)
    elif how == "committed":
        git(root, "commit", "--quiet", "-am", "rename")
    return moved


def located(run_cli: RunCli, root: Path, *args: str) -> list[tuple[str, int, str, str]]:
    result = run_cli(root, "lint", "--select", "ID", "--format", "json", *args)
    assert result.exit_code in (0, 1), result.output
    return [(d["path"], d["line"], d["code"], d["message"])
            for d in json.loads(result.stdout)["diagnostics"]]  # fmt: skip


@pytest.mark.parametrize("how", ["untracked", "staged", "committed"])
def test_renaming_a_record_with_its_id_is_a_changed_id(
    repo: Path, run_cli: RunCli, how: str
) -> None:
    moved = rename(repo, f"{RENAMED_ID}.md", RENAMED_ID, how)
    status = git(repo, "status", "--porcelain", "--untracked-files=all")
    found = located(run_cli, repo, "--base", "main")
    assert (moved, 2, "ID006", CHANGED) in found
    assert located(run_cli, repo, "--base", "main", str(repo / moved)) == [
        (moved, 2, "ID006", CHANGED)
    ]
    assert git(repo, "status", "--porcelain", "--untracked-files=all") == status, (
        "lint leaves git's index as it was"
    )


@pytest.mark.parametrize("how", ["untracked", "staged"])
def test_a_renamed_record_keeps_its_id(repo: Path, run_cli: RunCli, how: str) -> None:
    moved = rename(repo, "corrupt-image.md", OLD_ID, how)
    assert [c for _, _, c, _ in located(run_cli, repo, "--base", "main")] == ["ID002"]
    text = (repo / moved).read_text(encoding="utf-8")
    (repo / moved).write_text(text.replace(f"id: {OLD_ID}", f"id: {RENAMED_ID}"), encoding="utf-8")
    assert (moved, 2, "ID006", CHANGED) in located(run_cli, repo, "--base", "main")


def test_a_bad_ref_is_a_one_line_error(repo: Path, run_cli: RunCli) -> None:
    result = run_cli(repo, "lint", "--base", "origin/nope")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "incident: error: --base origin/nope: no such commit in this repository (fetch it "
        "first, e.g. git fetch origin main, with full history)"
    ]


def test_outside_a_git_repository_is_a_one_line_error(archive: Path, run_cli: RunCli) -> None:
    result = run_cli(archive, "lint", "--base", "main")
    assert result.exit_code == 2
    assert "is not inside a git repository" in result.stderr


def test_a_new_record_on_a_branch_behind_its_base_is_no_rename(repo: Path, run_cli: RunCli) -> None:
    # The base added a record since the branch started: against the base's tip it looks deleted
    # here, and a record declared here from the same template looked like it, renamed.
    commit_on(repo, "main", {"incidents/INC-2024-06-01-checkout-errors.md": incident(
        "INC-2024-06-01-checkout-errors", "Checkout errors after deploy")})  # fmt: skip
    (repo / f"incidents/{NEW_ID}.md").write_text(incident(NEW_ID), encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "-m", "declared")
    assert [c for _, _, c, _ in located(run_cli, repo, "--base", "main")] == []


def test_a_record_deleted_and_another_declared_is_no_rename(repo: Path, run_cli: RunCli) -> None:
    commit_on(repo, "main", {"incidents/INC-2024-06-01-checkout-errors.md": incident(
        "INC-2024-06-01-checkout-errors", "Checkout errors after deploy")})  # fmt: skip
    git(repo, "merge", "--quiet", "main")
    git(repo, "rm", "--quiet", "incidents/INC-2024-06-01-checkout-errors.md")
    (repo / f"incidents/{NEW_ID}.md").write_text(incident(NEW_ID), encoding="utf-8")
    assert "ID006" not in [c for _, _, c, _ in located(run_cli, repo, "--base", "main")]


def test_a_rename_is_found_in_a_shallow_clone(repo: Path, run_cli: RunCli, tmp_path: Path) -> None:
    # CI often checks out one commit: no fork point to diff from, so from REF itself.
    git(repo, "switch", "--quiet", "main")
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "--quiet", "--depth", "1", "--branch", "main", repo.as_uri(), "shallow")
    git(shallow, "switch", "--quiet", "-c", "feature")
    moved = rename(shallow, f"{RENAMED_ID}.md", RENAMED_ID, "committed")
    # The base moved on and was fetched one commit deep: git finds no common commit.
    (repo / "incidents" / f"{NEW_ID}.md").write_text(incident(NEW_ID), encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "-m", "more")
    git(shallow, "fetch", "--quiet", "--depth", "1", "origin", "+main:refs/remotes/origin/main")
    found = located(run_cli, shallow, "--base", "origin/main")
    assert (moved, 2, "ID006", CHANGED.replace(" on main,", " on origin/main,")) in found


def file_under_its_year_on_main(repo: Path) -> None:
    """main files the record under a year's folder after the branch started."""
    git(repo, "switch", "--quiet", "main")
    (repo / "incidents" / "2022").mkdir()
    git(repo, "mv", INC, "incidents/2022/" + INC.rpartition("/")[2])
    git(repo, "commit", "--quiet", "-m", "by year")
    git(repo, "switch", "--quiet", "feature")


def test_a_record_the_base_moved_is_no_duplicate(repo: Path, run_cli: RunCli) -> None:
    file_under_its_year_on_main(repo)
    assert [c for _, _, c, _ in located(run_cli, repo, "--base", "main")] == []


def test_a_record_moved_on_both_sides_is_no_duplicate(repo: Path, run_cli: RunCli) -> None:
    file_under_its_year_on_main(repo)
    (repo / "incidents" / "web").mkdir()
    git(repo, "mv", INC, "incidents/web/" + INC.rpartition("/")[2])
    assert [c for _, _, c, _ in located(run_cli, repo, "--base", "main")] == []


def test_an_id_changed_in_place_is_found_after_the_base_moved_the_record(
    repo: Path, run_cli: RunCli
) -> None:
    file_under_its_year_on_main(repo)
    text = (repo / INC).read_text(encoding="utf-8")
    (repo / INC).write_text(text.replace(f"id: {OLD_ID}", f"id: {RENAMED_ID}"), encoding="utf-8")
    assert "ID006" in [c for _, _, c, _ in located(run_cli, repo, "--base", "main")]


def test_in_a_shallow_clone_a_record_the_base_added_is_no_rename(
    repo: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    git(repo, "switch", "--quiet", "main")
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "--quiet", "--depth", "1", "--branch", "main", repo.as_uri(), "shallow")
    git(shallow, "switch", "--quiet", "-c", "feature")
    original = (repo / INC).read_text(encoding="utf-8")
    for root, record_id in ((shallow, RENAMED_ID), (repo, NEW_ID)):  # alike but for their IDs
        (root / f"incidents/{record_id}.md").write_text(
            original.replace(f"id: {OLD_ID}", f"id: {record_id}"), encoding="utf-8"
        )
        git(root, "add", "-A")
        git(root, "commit", "--quiet", "-m", "added")
    git(shallow, "fetch", "--quiet", "--depth", "1", "origin", "+main:refs/remotes/origin/main")
    assert "ID006" not in [c for _, _, c, _ in located(run_cli, shallow, "--base", "origin/main")]
