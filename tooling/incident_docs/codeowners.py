"""CODEOWNERS generated from the roster: seniors own postmortems, maintainers own the machinery.

The generated lines go after the lines a repository wrote by hand, which stay as they are."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from incident_docs.config import CONFIG_FILE, Config, from_git_top
from incident_docs.diagnostics import UsageError
from incident_docs.document import escapes, open_regular
from incident_docs.models import Person, Roster

CODEOWNERS_PATH = ".github/CODEOWNERS"
TOOLING = "tooling"
"""Where incident-docs keeps its code, in this repository and in copies of it."""
CODEOWNERS_PLACES = (CODEOWNERS_PATH, "CODEOWNERS", "docs/CODEOWNERS")
"""Where GitHub looks for CODEOWNERS, in its order: it reads the first it finds, and only that."""
GENERATED_MARK = "by `incident codeowners --write`"
"""What the first generated line says, after `# Generated from ROSTER `: where ours begin."""


@dataclass(frozen=True)
class Generated:
    text: str
    warnings: tuple[str, ...]


_SPECIAL = re.compile(r"([*?\s])")
"""What a CODEOWNERS pattern reads as more than a character of a name, escaped with a
backslash: whitespace ends it, `*` and `?` match other names."""

_UNWRITABLE = re.compile(r"[#\[\]\\]")
"""What a CODEOWNERS pattern cannot hold, escaped or not, matched by `?` instead: a `#` starts
a comment; GitHub reads no `[…]` (a line with one is an error, and skipped); a backslash of a
name would escape what follows it."""


def _pattern(path: str, *, folder: bool) -> str:
    """The pattern for exactly this path: a leading slash anchors it at the repository root,
    a backslash escapes what CODEOWNERS would read otherwise (a space, `*`), and `?` stands
    for a `#`, which CODEOWNERS parsers read as the start of a comment, escaped or not, and
    for a `[`, `]` or backslash, which GitHub's CODEOWNERS does not read as gitignore does."""
    escaped = "".join(
        "?" if _UNWRITABLE.fullmatch(c) else _SPECIAL.sub(r"\\\1", c) for c in path.strip("/")
    )
    return f"/{escaped}/" if folder else f"/{escaped}"


def _pattern_of(line: str) -> str:
    """The pattern a CODEOWNERS line starts with: up to its first whitespace not escaped."""
    return re.split(r"(?<!\\)\s+", line.strip(), maxsplit=1)[0]


def _owners(people: tuple[Person, ...]) -> list[str]:
    # GitHub logins are case-insensitive: one owner, however the roster spells it twice.
    logins = {p.github.casefold(): p.github for p in reversed(people) if p.github}
    return [f"@{login}" for login in sorted(logins.values(), key=str.casefold)]


def locate(root: Path) -> str:
    """The CODEOWNERS GitHub reads in `root` (its path from the root), or where one goes."""
    for place in CODEOWNERS_PLACES:
        if (root / place).exists() or (root / place).is_symlink():
            return place
    return CODEOWNERS_PATH


def carries_tooling(top: Path) -> bool:
    """The repository at `top` holds incident-docs' own code (`tooling/incident_docs`): this
    repository, or a copy of it kept as a template, whose CI and tooling are the archive's."""
    return (top / TOOLING / "incident_docs").is_dir()


def generate(
    roster: Roster,
    config: Config,
    path: str = CODEOWNERS_PATH,
    folder: str = "",
    workflows: tuple[str, ...] = (),
    tooling: bool = True,
    current: str | None = None,
) -> Generated:
    """The CODEOWNERS lines for the file at `path`; later lines win in CODEOWNERS, so the
    machinery comes last. `folder` is the archive's from the repository's root (see
    archive_folder): CODEOWNERS names every path from there. An archive at the root of a
    repository that holds incident-docs' code (`tooling`, see carries_tooling) owns its CI,
    CODEOWNERS and tooling. Any other archive (in a subfolder, or at the root of a repository
    that adopted it) owns its own files only, the workflows `init --github` writes for it
    among them (their files in `.github/workflows/`, see scaffold.workflow_files; NAME.yml by
    default): a pull request that changes the gate's workflow changes the gate. The
    repository's other CI, its CODEOWNERS and its other folders (its own `tooling/`) are its
    owners', and so is the CODEOWNERS at `path` when the lines of `current` (the file as it is,
    None when there is none) written by hand give it an owner: when none does, it is the
    maintainers' too, or any pull request could give itself the postmortems."""
    from incident_docs.scaffold import WORKFLOWS  # it writes this file: imported when used

    warnings = [
        f"{p.handle} is {role} but has no github login in {config.roster}"
        for role, group in (("senior", roster.seniors()), ("maintainer", roster.maintainers()))
        for p in group
        if not p.github
    ]
    seniors, maintainers = _owners(roster.seniors()), _owners(roster.maintainers())
    lines = [
        f"# Generated from {config.roster} {GENERATED_MARK}; edit the roster,",
        "# not this file. `incident codeowners --check` fails when they disagree.",
        "",
        "# Postmortems are approved by senior members.",
    ]
    postmortems = _pattern(from_git_top(folder, config.postmortems_dir), folder=True)
    if seniors:
        lines.append(f"{postmortems} {' '.join(seniors)}")
    else:
        lines.append(f"# {postmortems} has no owner: nobody in {config.roster} is senior")
        warnings.append(f"nobody in {config.roster} is senior with a github login")
    own_files_only = bool(folder) or not tooling
    lines += ["", _MACHINERY_COMMENTS[own_files_only]]
    machinery = [
        _pattern(from_git_top(folder, config.roster), folder=False),
        _pattern(from_git_top(folder, CONFIG_FILE), folder=False),
    ]
    if own_files_only:
        files = workflows or tuple(f"{name}.yml" for name in WORKFLOWS)
        machinery += [_pattern(f".github/workflows/{name}", folder=False) for name in files]
        if not _owned_by_hand(current, path):
            machinery.append(_pattern(path, folder=False))
    else:
        machinery += [
            _pattern(path, folder=False),
            _pattern(".github/workflows", folder=True),
            _pattern(TOOLING, folder=True),
        ]
    if maintainers:
        lines += [f"{pattern} {' '.join(maintainers)}" for pattern in machinery]
    else:
        lines.append(f"# no maintainer with a github login in {config.roster}")
        warnings.append(f"nobody in {config.roster} is a maintainer with a github login")
    lines += ["", END_MARK]
    return Generated("\n".join(lines) + "\n", tuple(warnings))


END_MARK = "# End of the generated lines: lines written by hand above or below them are kept."
"""The last generated line: what follows it is the repository's own."""


SHARED_NOTE = (
    "# not these lines, which run to the line that ends them: write your own above or below.\n"
    "# `incident codeowners --check` fails when they disagree."
)
"""The second and third lines of the generated lines when lines written by hand come before them."""


def merge(current: str | None, generated: str) -> str:
    """What the file should hold: the lines written by hand in `current` as they are, then the
    generated ones, replacing those of an earlier `--write` (from their first line to the line
    that ends them), then the lines written by hand after those, as they are. Generated lines
    that have no end line run to the end of the file: of those, the lines no `--write` would
    write (a pattern the roster does not own, a comment of someone's) are kept."""
    if current is None:
        return generated
    lines, start, end = _generated_span(current)
    own = "".join(lines[:start])
    stray = "".join(moved(current, generated))
    after = (stray and "\n" + stray) + "".join(_without_repeats(lines[end + 1 :], generated))
    if after and not after.endswith("\n"):
        after += "\n"
    if not own.strip():
        return generated + after
    first, _, rest = generated.partition("\n")
    _, _, rest = rest.partition("\n")
    own = own if own.endswith("\n") else own + "\n"
    separator = "" if own.endswith("\n\n") else "\n"
    return f"{own}{separator}{first}\n{SHARED_NOTE}\n{rest}{after}"


def moved(current: str, generated: str) -> list[str]:
    """The lines written by hand among the generated ones (all to the end of the file when they
    have no end line, as an earlier release wrote them): lines no --write would write, which
    merge keeps after the generated ones, where they override them for the paths they match."""
    lines, start, end = _generated_span(current)
    found = [line for line in lines[start:end] if not _generated_line(line, generated)]
    return [line if line.endswith("\n") else line + "\n" for line in found]


def _without_repeats(lines: list[str], generated: str) -> list[str]:
    """The lines after the generated ones without another copy of them (a merge that kept both
    sides, a paste): below, a copy overrides the generated lines for every path they own, and
    once the roster changes, with the owners it had. What was written by hand among a copy's
    lines is kept, as `moved` keeps it."""
    kept: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if not (line.startswith("# Generated from ") and GENERATED_MARK in line):
            kept.append(line)
            index += 1
            continue
        end = next(
            (n for n in range(index, len(lines)) if lines[n].strip() == END_MARK), len(lines)
        )
        kept.extend(line for line in lines[index:end] if not _generated_line(line, generated))
        index = end + 1
    while kept and not kept[-1].strip():
        kept.pop()  # the blank line that set the copy apart
    return kept


def overriding(
    current: str | None, generated: str, attachments: tuple[str, ...] = ()
) -> list[tuple[int, str, str]]:
    """The lines written by hand after the generated ones that take a path they own from them
    (CODEOWNERS' last matching line wins): each line's number, its text and the generated
    pattern it overrides, in part or whole. A folder holds records and the `attachments` beside
    them (`*.png` takes the pictures of the postmortems)."""
    if current is None:
        return []
    lines, _, end = _generated_span(current)
    owned = [
        _pattern_of(line) for line in generated.split("\n") if line.startswith("/") and " " in line
    ]
    found = []
    for number, line in enumerate(lines[end + 1 :], start=end + 2):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        written = _pattern_of(text)
        rule = _pattern_rule(written)
        for pattern in owned:
            path = re.sub(r"\\(.)", r"\1", pattern.strip("/"))
            names = (_SAMPLE, *(f"{_SAMPLE_STEM}.{extension}" for extension in attachments))
            samples = [f"{path}/{name}" for name in names] if pattern.endswith("/") else [path]
            inside = written.startswith(f"/{pattern.strip('/')}/")
            if inside or any(rule.fullmatch(sample) for sample in samples):
                found.append((number, text, pattern))
                break
    return found


_SAMPLE_STEM = "PM-2024-01-01-sample"
_SAMPLE = f"{_SAMPLE_STEM}.md"
"""A file in a folder the generated lines own, to try a pattern written by hand on (and the
stem of an attachment beside it)."""


def _owned_by_hand(current: str | None, path: str) -> bool:
    """The lines written by hand before and after the generated ones in `current` give `path`
    (a file's from the repository's root) an owner: the last of them that matches it names one
    (a pattern with none leaves the file without an owner)."""
    if current is None:
        return False
    lines, start, end = _generated_span(current)
    owned = False
    for line in (*lines[:start], *lines[end + 1 :]):
        text = line.strip()
        if text and not text.startswith("#"):
            written = _pattern_of(text)
            if _pattern_rule(written).fullmatch(path):
                owned = text != written
    return owned


def _pattern_rule(pattern: str) -> re.Pattern[str]:
    """The paths a CODEOWNERS pattern matches, as GitHub reads it: anchored at the root when it
    has a slash before its end, a folder's files too, `*` within a name, `**` across."""
    anchored = "/" in pattern.rstrip("/")
    body = pattern.strip("/")
    words = re.split(r"(\\.|\*\*/?|\*|\?)", body)
    wild = {"**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}
    regex = "".join(
        wild.get(word, re.escape(word[1:] if word.startswith("\\") else word)) for word in words
    )
    # "docs/*" matches the files in docs/, not those in its folders (GitHub's own example).
    wildcard_end = body.endswith("*") and not body.endswith(("**", "\\*"))
    below = "" if wildcard_end else "(?:/.*)?"
    return re.compile(f"{'' if anchored else '(?:.*/)?'}{regex}{below}")


def _generated_span(current: str) -> tuple[list[str], int, int]:
    """The file's lines, the index of the first generated one (their count when there is none)
    and of the line that ends them (their count when there is none: an earlier release's run
    to the end of the file)."""
    lines = current.replace("\r\n", "\n").splitlines(keepends=True)
    start = next(
        (
            n
            for n, line in enumerate(lines)
            if line.startswith("# Generated from ") and GENERATED_MARK in line
        ),
        len(lines),
    )
    end = next((n for n in range(start, len(lines)) if lines[n].strip() == END_MARK), len(lines))
    return lines, start, end


def _generated_line(line: str, generated: str) -> bool:
    """A line an earlier `--write` may have written: blank, a comment of ours, or a line for a
    path the generated lines own (whoever it names: the roster may have changed since)."""
    text = line.strip()
    if not text or text in generated.split("\n") or text in SHARED_NOTE.split("\n"):
        return True
    if text.startswith("#"):
        return (
            text.startswith(("# Generated from ", *_OUR_COMMENTS))
            or "has no owner: nobody in " in text
        )
    patterns = {
        _pattern_of(written.removeprefix("# "))
        for written in generated.split("\n")
        if written.startswith("/") or written.startswith("# /")
    }
    return _pattern_of(text) in patterns | _TOOLING_PATTERNS


_TOOLING_PATTERNS = frozenset(
    {
        _pattern(".github/workflows", folder=True),
        _pattern(TOOLING, folder=True),
        *(_pattern(place, folder=False) for place in CODEOWNERS_PLACES),
    }
)
"""What the generated lines give maintainers in a repository that holds incident-docs' code,
and gave them in any repository before they kept to the archive's own files: generated lines,
whoever they name, not lines written by hand."""


_MACHINERY_COMMENTS = (
    "# The roster, the review configuration, CI and tooling belong to maintainers.",
    "# The roster, the review configuration and the archive's workflows belong to maintainers.",
)
"""What the maintainers own, said of an archive at the repository's root and in a subfolder."""


_OUR_COMMENTS = (
    *_MACHINERY_COMMENTS,
    "# no maintainer with a github login in ",
    "# not this file",
    "# not these lines, which run to the end of the file: write your own above them.",
)
"""Comments generated lines hold whose words depend on the roster or changed over releases."""


def difference(current: str | None, generated: str, path: str = CODEOWNERS_PATH) -> str | None:
    """A unified diff from the file to what it should hold (see merge), or None when they
    agree. Generated lines written before they had an end line agree without it: a release
    that adds the line does not fail `--check` until the roster changes."""
    if current is None:
        return f"{path} does not exist"
    normalised = current.replace("\r\n", "\n")
    wanted = merge(current, generated)
    if normalised == wanted:
        return None
    if END_MARK not in normalised:
        older = generated.removesuffix(f"\n{END_MARK}\n")
        if normalised == merge(current, older):
            return None
    diff = difflib.unified_diff(
        normalised.splitlines(keepends=True),
        wanted.splitlines(keepends=True),
        fromfile=f"{path} (current)",
        tofile=f"{path} (from the roster)",
    )
    return "".join(diff)


CODEOWNERS_LIMIT = 3 * 2**20
"""The largest CODEOWNERS file GitHub reads (3 MB); a bigger one is no CODEOWNERS of ours."""


def read_current(root: Path, place: str = CODEOWNERS_PATH) -> str | None:
    """The repository's CODEOWNERS at `place`, or None when there is none. UsageError when it
    cannot be read as one: a link leading out of the repository (a pull request could point it
    at any file of the runner, and `--check` prints the difference), not a regular file, too
    big, not UTF-8."""
    path = root / place
    if not path.exists() and not path.is_symlink():
        return None
    outside = escapes(path, root)
    if outside is not None:
        raise UsageError(f"{place}: symbolic link leads outside the repository")
    try:
        with open_regular(path) as handle:
            raw = handle.read(CODEOWNERS_LIMIT + 1)
    except OSError as error:
        raise UsageError(f"{place}: cannot read: {error.strerror or error}") from None
    if len(raw) > CODEOWNERS_LIMIT:
        raise UsageError(f"{place}: over {CODEOWNERS_LIMIT:,} bytes, more than GitHub reads")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UsageError(
            f"{place}: not valid UTF-8 (byte {error.start + 1}): save it as UTF-8"
        ) from None
