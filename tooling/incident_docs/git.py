"""Git and the GitHub CLI as subprocesses: the one place the package runs them."""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import subprocess
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from incident_docs.diagnostics import UsageError


def run(
    root: Path,
    *args: str,
    purpose: str,
    stdin: bytes | None = None,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """`git -C root ARGS`, whatever its exit code; a UsageError when git is not installed.

    ENV holds variables to set for git on top of this process's environment."""
    try:
        return subprocess.run(
            ["git", "-C", str(root), *args],
            input=stdin,
            capture_output=True,
            check=False,
            env=None if env is None else {**os.environ, **env},
        )
    except OSError:
        raise UsageError(f"{purpose} needs git, and git is not installed") from None


def output(root: Path, *args: str, purpose: str) -> str:
    """The text git prints; a one-line UsageError when it fails."""
    done = run(root, *args, purpose=purpose)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).decode(errors="replace").strip().splitlines()
        if any("index.lock': File exists" in line for line in detail):
            # Git's last line ("remove the file manually to continue.") names no file.
            raise UsageError(f"git {args[0]} failed: {_locked(root)}")
        raise UsageError(f"git {args[0]} failed: {detail[-1] if detail else 'no output'}")
    return done.stdout.decode(errors="replace")


def _index_lock(root: Path) -> Path:
    """Where git locks the index while it changes it (`.git/index.lock`, in a worktree's own
    git folder for a linked worktree)."""
    done = run(root, "rev-parse", "--git-path", "index.lock", purpose="--branch")
    found = done.stdout.decode(errors="replace").strip() if done.returncode == 0 else ""
    return root / (found or ".git/index.lock")


def _locked(root: Path) -> str:
    """What to do about git's index lock: git's own message names no file."""
    # Resolved: for an archive in a folder of the repository, git gives "../.git/index.lock".
    lock = _index_lock(root).resolve()
    with contextlib.suppress(ValueError):
        lock = lock.relative_to(root.resolve())
    return (
        f"git's index is locked ({lock}): another git command is running in this repository, "
        f"or one was stopped before it could clean up; if none is running, remove {lock} and "
        "run the command again"
    )


def config_value(root: Path, key: str) -> str:
    """A git configuration value, or "" when it is unset or git is missing."""
    try:
        done = run(root, "config", "--get", key, purpose="reading git configuration")
    except UsageError:
        return ""
    return done.stdout.decode(errors="replace").strip() if done.returncode == 0 else ""


def github_owner(root: Path) -> str | None:
    """The owner (organisation or user) of the GitHub repository `origin` points at, if any."""
    url = config_value(root, "remote.origin.url")
    match = re.search(r"github\.com[:/]([A-Za-z0-9-]+(?:_[A-Za-z0-9]+)?)/", url)
    return match.group(1) if match else None


def default_branch(root: Path) -> str:
    """The branch the repository publishes from: origin's HEAD, else the branch checked out
    when it is a usual default, else init.defaultBranch, else main."""
    try:
        done = run(
            root,
            "symbolic-ref",
            "--quiet",
            "--short",
            "refs/remotes/origin/HEAD",
            purpose="reading the default branch",
        )
    except UsageError:
        return "main"
    remote = done.stdout.decode("utf-8", "replace").strip()
    if done.returncode == 0 and "/" in remote:
        return remote.split("/", 1)[1]
    current = current_branch(root)
    if current in ("main", "master", "trunk", "develop"):
        return current
    return config_value(root, "init.defaultBranch") or current or "main"


def current_branch(root: Path) -> str | None:
    """The branch checked out (also in a repository with no commit yet), or None outside git."""
    try:
        done = run(root, "symbolic-ref", "--quiet", "--short", "HEAD", purpose="reading the branch")
    except UsageError:
        return None
    name = done.stdout.decode("utf-8", "replace").strip()
    return name if done.returncode == 0 and name else None


def _branch_refs(root: Path) -> list[str]:
    """The full names of the branches here and of the remotes' branches this clone knows
    (read from the clone, no fetch); none outside git."""
    try:
        done = run(
            root,
            "for-each-ref",
            "--format=%(refname)",
            "refs/heads/",
            "refs/remotes/",
            purpose="reading the branches",
        )
    except UsageError:
        return []
    return done.stdout.decode("utf-8", "replace").splitlines() if done.returncode == 0 else []


def branch_names(root: Path, prefix: str) -> set[str]:
    """The names after PREFIX (`incident/`) of the branches here and of the remotes' branches
    this clone knows; none outside git. A remote's name may have a slash in it (`team/ops`)."""
    names = set()
    for ref in _branch_refs(root):
        local = ref.removeprefix("refs/heads/")
        if local != ref:
            if local.startswith(prefix):
                names.add(local.removeprefix(prefix))
        elif ref.startswith("refs/remotes/"):
            _before, found, name = ref.rpartition(f"/{prefix}")
            if found and name and "/" not in name:
                names.add(name)
    return names


def check_branch(root: Path, branch: str | None = None) -> None:
    """Refuse `--branch` before anything is written, rather than after: git missing, no git
    work tree here (or one git refuses to work in), a BRANCH of that name already there or on
    a remote, or nobody git could commit as."""
    purpose = "--branch"
    done = run(root, "rev-parse", "--is-inside-work-tree", purpose=purpose)
    if done.returncode != 0 and b"not a git repository" not in done.stderr:
        # Dubious ownership, say: the work tree is there, git will not commit in it.
        said = done.stderr.decode(errors="replace").strip().splitlines()
        reason = said[0].removeprefix("fatal: ") if said else "no output"
        raise UsageError(f"--branch: git cannot commit in {root}: {reason} (git status says more)")
    if done.returncode != 0 or done.stdout.strip() != b"true":
        raise UsageError(f"--branch commits to git, and {root} is not in a git work tree")
    if branch is not None:
        refs = _branch_refs(root)
        if f"refs/heads/{branch}" in refs:
            raise UsageError(f"--branch: the branch {branch} exists already")
        remote = [
            ref.removeprefix("refs/remotes/")
            for ref in refs
            if ref.startswith("refs/remotes/") and ref.endswith(f"/{branch}")
        ]
        if remote:
            raise UsageError(
                f"--branch: the branch {branch} is on a remote already ({remote[0]}); "
                f"to work on it: git switch {branch}"
            )
    if _index_lock(root).exists():
        raise UsageError(f"--branch: {_locked(root)}")
    # A commit needs both: GIT_COMMITTER_NAME and _EMAIL set alone do not make an author.
    for ident in ("GIT_AUTHOR_IDENT", "GIT_COMMITTER_IDENT"):
        if run(root, "var", ident, purpose=purpose).returncode != 0:
            raise UsageError(
                "--branch: git does not know who commits: set `git config user.name` and "
                "`git config user.email`"
            )


def branch_and_commit(root: Path, branch: str, paths: Sequence[Path], message: str) -> None:
    """Create BRANCH from the current commit and commit PATHS to it. When the commit fails (a
    hook refused it, say), the branch checked out before is again, the paths are unstaged and
    BRANCH is gone: the files stay as written, for the next try."""
    purpose = "--branch"
    output(root, "rev-parse", "--git-dir", purpose=purpose)
    head = run(root, "symbolic-ref", "--quiet", "HEAD", purpose=purpose)
    before = head.stdout.decode("utf-8", "replace").strip() if head.returncode == 0 else None
    commit = run(root, "rev-parse", "--verify", "--quiet", "HEAD", purpose=purpose)
    base = commit.stdout.decode("ascii", "replace").strip() if commit.returncode == 0 else None
    output(root, "switch", "-c", branch, purpose=purpose)
    relative = [str(p.resolve().relative_to(root.resolve())) for p in paths]
    try:
        output(root, "add", "--", *relative, purpose=purpose)
        output(root, "commit", "--quiet", "-m", message, "--", *relative, purpose=purpose)
    except BaseException as error:  # Ctrl-C in a slow hook too
        # The new branch points at the commit it was made from, so going back changes no file.
        if before is not None:
            run(root, "symbolic-ref", "HEAD", before, purpose=purpose)
        elif base is not None:
            run(root, "update-ref", "--no-deref", "HEAD", base, purpose=purpose)
        if base is not None:
            run(root, "reset", "--quiet", "--", *relative, purpose=purpose)
        else:  # no commit yet: nothing to reset to
            run(
                root,
                "rm",
                "--cached",
                "--quiet",
                "--ignore-unmatch",
                "--",
                *relative,
                purpose=purpose,
            )
        run(root, "branch", "--quiet", "-D", branch, purpose=purpose)
        where = before.removeprefix("refs/heads/") if before else f"commit {(base or '')[:12]}"
        back = f"nothing was committed, and you are back on {where}"
        if isinstance(error, KeyboardInterrupt):
            raise KeyboardInterrupt(back) from None  # for the message that names the record
        if not isinstance(error, UsageError):
            raise
        raise UsageError(f"{error}; {back}") from None


def open_pull_request(
    root: Path,
    branch: str,
    title: str,
    body: str,
    show: Callable[[str], None],
    reviewers: Sequence[str] = (),
) -> None:
    """Push BRANCH and open a pull request with gh, asking REVIEWERS (logins or org/team) for
    reviews, passing what they print to `show` as it comes. Without gh, nothing runs and `show`
    gets the two commands to run by hand."""
    push = ["git", "push", "-u", "origin", branch]
    create = ["gh", "pr", "create", "--head", branch, "--title", title, "--body", body]
    if reviewers:
        create += ["--reviewer", ",".join(reviewers)]
    if shutil.which("gh") is None:
        show("gh (GitHub CLI) is not installed; to open the pull request, run:")
        show("  " + shlex.join(push))
        show("  " + shlex.join(create))
        return
    for command in (push, create):
        done = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            detail = (done.stderr or done.stdout).strip().splitlines()
            raise UsageError(
                f"{shlex.join(command[:3])} failed: {detail[-1] if detail else 'no output'}; "
                f"retry with: {shlex.join(command)}"
            )
        if done.stdout.strip():
            show(done.stdout.strip())
