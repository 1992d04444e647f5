"""IDs checked against another git revision: unique across branches, and never changed."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Protocol

from incident_docs import git
from incident_docs.config import Config
from incident_docs.diagnostics import Finding, UsageError
from incident_docs.records import ID_PEEK_BYTES, SKIPPED_NAMES, peek_id


class Linted(Protocol):
    """What the linter knows about one linted file (linter.FileResult)."""

    path: str
    record_id: str | None
    id_line: int
    findings: list[Finding]


class Selected(Protocol):
    def wants(self, code: str) -> bool: ...


@dataclass(frozen=True)
class Revision:
    """Record IDs by repo-relative path at one commit."""

    label: str
    commit: str
    ids: dict[str, str]

    @cached_property
    def _paths(self) -> dict[str, list[str]]:
        by_id: dict[str, list[str]] = {}
        for path, found in sorted(self.ids.items()):
            by_id.setdefault(found, []).append(path)
        return by_id

    def paths_of(self, record_id: str) -> list[str]:
        return self._paths.get(record_id, [])


def resolve(root: Path, ref: str) -> str:
    """The commit a REF names, or a one-line UsageError."""
    if not ref or ref.startswith("-"):
        raise UsageError(f"--base {ref!r}: not a git revision")
    inside = git.run(root, "rev-parse", "--is-inside-work-tree", purpose="--base")
    if inside.returncode != 0:
        raise UsageError(f"--base {ref}: {root} is not inside a git repository")
    found = git.run(
        root,
        "rev-parse",
        "--verify",
        "--quiet",
        "--end-of-options",
        f"{ref}^{{commit}}",
        purpose="--base",
    )
    if found.returncode != 0:
        raise UsageError(
            f"--base {ref}: no such commit in this repository (fetch it first, "
            "e.g. git fetch origin main, with full history)"
        )
    return found.stdout.decode().strip()


def ids_at(root: Path, commit: str, config: Config, label: str) -> Revision:
    """The ID of every record under the records folders at a commit, read in one git process."""
    prefix = git.run(root, "rev-parse", "--show-prefix", purpose="--base").stdout.decode().strip()
    folders = [config.incidents_dir, config.postmortems_dir]
    listed = git.run(
        root, "ls-tree", "-r", "-z", "--full-name", commit, "--", *folders, purpose="--base"
    )
    if listed.returncode != 0:
        raise UsageError(f"--base {label}: git ls-tree failed: {_first_line(listed.stderr)}")
    blobs: list[tuple[str, str]] = []
    for entry in listed.stdout.decode("utf-8", errors="replace").split("\0"):
        meta, _, name = entry.partition("\t")
        parts = meta.split()
        # Blob ids, not REV:path names: git resolves a path per request, which is far slower.
        if (
            len(parts) == 3
            and parts[1] == "blob"
            and name.endswith(".md")
            and name.rsplit("/", 1)[-1].lower() not in SKIPPED_NAMES
            and name.startswith(prefix)
        ):
            blobs.append((name, parts[2]))
    if not blobs:
        return Revision(label, commit, {})
    request = "".join(f"{blob}\n" for _, blob in blobs).encode()
    batch = git.run(root, "cat-file", "--batch", stdin=request, purpose="--base")
    if batch.returncode != 0:
        raise UsageError(f"--base {label}: git cat-file failed: {_first_line(batch.stderr)}")
    ids: dict[str, str] = {}
    output, offset = batch.stdout, 0
    for name, _blob in blobs:
        end = output.index(b"\n", offset)
        header = output[offset:end].split()
        offset = end + 1
        if len(header) != 3:  # "<object> missing": nothing to read
            continue
        size = int(header[2])
        content = output[offset : offset + size]
        offset += size + 1
        found = peek_id(content)
        if found is not None:
            ids[name[len(prefix) :]] = found
    return Revision(label, commit, ids)


def renamed_since(root: Path, commit: str, config: Config, label: str) -> dict[str, str]:
    """Record files renamed since a commit, each path now to its path there, paired by content as
    `git diff -M` pairs them: renames committed, staged or only in the working tree, also to a
    file not added to git yet. Read with `git ls-files` and one `git diff` (and two more git
    calls when record files are untracked), however many records there are."""
    folders = [config.incidents_dir, config.postmortems_dir]
    diff = ("diff", "-M80%", "--name-status", "-z", "--relative", commit, "--", *folders)
    untracked = git.run(
        root, "ls-files", "-z", "--others", "--exclude-standard", "--", *folders, purpose="--base"
    )
    names = untracked.stdout if untracked.returncode == 0 else b""
    if names.strip(b"\0"):
        with tempfile.TemporaryDirectory(prefix="incident-docs-") as scratch:
            env = _index_with(root, names, Path(scratch) / "index")
            done = git.run(root, *diff, purpose="--base", env=env)
    else:
        done = git.run(root, *diff, purpose="--base")
    if done.returncode != 0:
        raise UsageError(f"--base {label}: git diff failed: {_first_line(done.stderr)}")
    fields = done.stdout.decode("utf-8", errors="replace").split("\0")
    renamed: dict[str, str] = {}
    at = 0
    while at + 1 < len(fields):
        status = fields[at]
        if status[:1] in ("R", "C") and at + 2 < len(fields):
            if status[:1] == "R":
                renamed[fields[at + 2]] = fields[at + 1]
            at += 3
        else:
            at += 2
    return renamed


def _index_with(root: Path, untracked: bytes, scratch: Path) -> Mapping[str, str] | None:
    """A copy of the index that also lists the untracked files (intent to add), so that git can
    pair them with the files they were renamed from; the repository's index is left as it is.
    None (git's own index) when the copy cannot be made."""
    where = git.run(root, "rev-parse", "--git-path", "index", purpose="--base")
    if where.returncode != 0:
        return None
    index = root / where.stdout.decode().strip()
    try:
        if index.is_file():
            shutil.copyfile(index, scratch)
    except OSError:
        return None
    env = {"GIT_INDEX_FILE": str(scratch), "GIT_LITERAL_PATHSPECS": "1"}
    added = git.run(
        root,
        "add",
        "--intent-to-add",
        "--pathspec-from-file=-",
        "--pathspec-file-nul",
        stdin=untracked,
        purpose="--base",
        env=env,
    )
    return {"GIT_INDEX_FILE": str(scratch)} if added.returncode == 0 else None


def _id_in_working_tree(root: Path, path: str) -> str | None:
    try:
        with (root / path).open("rb") as handle:
            return peek_id(handle.read(ID_PEEK_BYTES))
    except OSError:
        return None


def _first_line(raw: bytes) -> str:
    text = raw.decode("utf-8", errors="replace").strip()
    return text.splitlines()[0] if text else "unknown error"


def fork_point(root: Path, commit: str) -> str | None:
    """Where this branch left the base: `git merge-base`, or None (shallow or unrelated history)."""
    found = git.run(root, "merge-base", commit, "HEAD", purpose="--base")
    if found.returncode != 0:
        return None
    return found.stdout.decode().strip() or None


def check_against_base(
    results: Iterable[Linted], root: Path, config: Config, ref: str, selection: Selected
) -> None:
    """Add ID001 (the ID is taken on REF) and ID006 (the ID changed from REF) findings."""
    commit = resolve(root, ref)  # a wrong REF is an error even when no ID rule is selected
    if not (selection.wants("ID001") or selection.wants("ID006")):
        return
    results = list(results)
    base = ids_at(root, commit, config, ref)
    fork_commit = fork_point(root, commit)
    if fork_commit == commit:
        fork: Revision | None = base
    elif fork_commit is not None:
        fork = ids_at(root, fork_commit, config, fork_commit[:7])
    else:
        fork = None
    # A record at a path REF does not have may have been renamed, its ID changed with the name:
    # renamed by this branch, since it started (a branch behind REF has not deleted what REF
    # added since), and paired only when most of the file is the same (two records declared
    # from one template are alike in two thirds of their lines).
    renamed = (
        # Without a fork point (a shallow clone, unrelated histories), from REF itself.
        renamed_since(root, fork.commit if fork is not None else commit, config, ref)
        if selection.wants("ID006")
        and any(result.record_id and result.path not in base.ids for result in results)
        else {}
    )
    if fork is None and renamed:
        # REF's own new files then read as deleted here: a rename is from a path this branch
        # had, in the history it holds.
        had = _paths_in_history(root, config)
        renamed = {now: was for now, was in renamed.items() if was in had}
    for result in results:
        if result.record_id:
            result.findings.extend(_findings(result, root, base, fork, renamed, selection))


def _paths_in_history(root: Path, config: Config) -> set[str]:
    """Every record path of the commits HEAD holds (one `git log`): with no fork point, the
    history is short (a shallow clone) or the branch's own."""
    folders = [config.incidents_dir, config.postmortems_dir]
    done = git.run(
        root,
        "log",
        "--format=",
        "--name-only",
        "--no-renames",
        "-z",
        "--relative",
        "HEAD",
        "--",
        *folders,
        purpose="--base",
    )
    if done.returncode != 0:
        return set()
    return set(done.stdout.decode("utf-8", errors="replace").replace("\n", "\0").split("\0"))


def _findings(
    result: Linted,
    root: Path,
    base: Revision,
    fork: Revision | None,
    renamed: Mapping[str, str],
    selection: Selected,
) -> Iterable[Finding]:
    record_id, line = str(result.record_id), result.id_line
    if result.path in renamed and result.path not in base.ids:
        was = renamed[result.path]
        before = (fork or base).ids.get(was)
    elif (
        result.path not in base.ids
        and fork is not None
        and result.path in fork.ids
        and base.paths_of(fork.ids[result.path])
    ):
        # Here when the branch started, moved by REF since: its ID then is the one it keeps.
        was = base.paths_of(fork.ids[result.path])[0]
        before = fork.ids[result.path]
    else:
        was, before = result.path, base.ids.get(result.path)
    if selection.wants("ID006") and before is not None and before != record_id:
        where = "" if was == result.path else f", in {was}"
        yield Finding(
            "ID006",
            f"the ID was '{before}' on {base.label}{where}: IDs are immutable once created "
            "(a new record goes in a new file)",
            line,
            1,
        )
    if not selection.wants("ID001"):
        return
    for other in base.paths_of(record_id):
        if other == result.path:
            # Present on both sides but not where they forked: each branch added it.
            if fork is not None and result.path not in fork.ids:
                yield Finding(
                    "ID001",
                    f"'{record_id}' was also added on {base.label} since this branch started: "
                    "choose another slug",
                    line,
                    1,
                )
            continue
        if _id_in_working_tree(root, other) == record_id:
            continue  # both files are here: the archive-wide duplicate check reports them
        if fork is not None and fork.paths_of(record_id):
            # The record was there when the branch started: moved since, by this branch, by
            # REF or by both, it is the same record, not a second one.
            continue
        yield Finding(
            "ID001",
            f"ID '{record_id}' is also used by {other} on {base.label}: choose another slug",
            line,
            1,
        )
