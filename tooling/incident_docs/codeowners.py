"""CODEOWNERS generated from the roster: seniors own postmortems, maintainers own the machinery."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from incident_docs.config import CONFIG_FILE, Config
from incident_docs.diagnostics import UsageError
from incident_docs.document import escapes, open_regular
from incident_docs.models import Person, Roster

CODEOWNERS_PATH = ".github/CODEOWNERS"


@dataclass(frozen=True)
class Generated:
    text: str
    warnings: tuple[str, ...]


def _pattern(path: str, *, folder: bool) -> str:
    # CODEOWNERS escapes spaces with a backslash; a leading slash anchors at the repository root.
    escaped = path.strip("/").replace(" ", "\\ ")
    return f"/{escaped}/" if folder else f"/{escaped}"


def _owners(people: tuple[Person, ...]) -> list[str]:
    # GitHub logins are case-insensitive: one owner, however the roster spells it twice.
    logins = {p.github.casefold(): p.github for p in reversed(people) if p.github}
    return [f"@{login}" for login in sorted(logins.values(), key=str.casefold)]


def generate(roster: Roster, config: Config) -> Generated:
    """The CODEOWNERS text; later lines win in CODEOWNERS, so the machinery comes last."""
    warnings = [
        f"{p.handle} is {role} but has no github login in {config.roster}"
        for role, group in (("senior", roster.seniors()), ("maintainer", roster.maintainers()))
        for p in group
        if not p.github
    ]
    seniors, maintainers = _owners(roster.seniors()), _owners(roster.maintainers())
    lines = [
        f"# Generated from {config.roster} by `incident codeowners --write`; edit the roster,",
        "# not this file. `incident codeowners --check` fails when they disagree.",
        "",
        "# Postmortems are approved by senior members.",
    ]
    postmortems = _pattern(config.postmortems_dir, folder=True)
    if seniors:
        lines.append(f"{postmortems} {' '.join(seniors)}")
    else:
        lines.append(f"# {postmortems} has no owner: nobody in {config.roster} is senior")
        warnings.append(f"nobody in {config.roster} is senior with a github login")
    lines += ["", "# The roster, the review configuration, CI and tooling belong to maintainers."]
    machinery = [
        _pattern(config.roster, folder=False),
        _pattern(CONFIG_FILE, folder=False),
        _pattern(CODEOWNERS_PATH, folder=False),
        _pattern(".github/workflows", folder=True),
        _pattern("tooling", folder=True),
    ]
    if maintainers:
        lines += [f"{pattern} {' '.join(maintainers)}" for pattern in machinery]
    else:
        lines.append(f"# no maintainer with a github login in {config.roster}")
        warnings.append(f"nobody in {config.roster} is a maintainer with a github login")
    return Generated("\n".join(lines) + "\n", tuple(warnings))


def difference(current: str | None, wanted: str) -> str | None:
    """A unified diff from the file to what it should be, or None when they agree."""
    if current is None:
        return f"{CODEOWNERS_PATH} does not exist"
    normalised = current.replace("\r\n", "\n")
    if normalised == wanted:
        return None
    diff = difflib.unified_diff(
        normalised.splitlines(keepends=True),
        wanted.splitlines(keepends=True),
        fromfile=f"{CODEOWNERS_PATH} (current)",
        tofile=f"{CODEOWNERS_PATH} (from the roster)",
    )
    return "".join(diff)


CODEOWNERS_LIMIT = 3 * 2**20
"""The largest CODEOWNERS file GitHub reads (3 MB); a bigger one is no CODEOWNERS of ours."""


def read_current(root: Path) -> str | None:
    """The repository's CODEOWNERS, or None when there is none. UsageError when it cannot be
    read as one: a link leading out of the repository (a pull request could point it at any
    file of the runner, and `--check` prints the difference), not a regular file, too big, not
    UTF-8."""
    path = root / CODEOWNERS_PATH
    if not path.exists() and not path.is_symlink():
        return None
    outside = escapes(path, root)
    if outside is not None:
        raise UsageError(f"{CODEOWNERS_PATH}: symbolic link leads outside the repository")
    try:
        with open_regular(path) as handle:
            raw = handle.read(CODEOWNERS_LIMIT + 1)
    except OSError as error:
        raise UsageError(f"{CODEOWNERS_PATH}: cannot read: {error.strerror or error}") from None
    if len(raw) > CODEOWNERS_LIMIT:
        raise UsageError(
            f"{CODEOWNERS_PATH}: over {CODEOWNERS_LIMIT:,} bytes, more than GitHub reads"
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UsageError(
            f"{CODEOWNERS_PATH}: not valid UTF-8 (byte {error.start + 1}): save it as UTF-8"
        ) from None
