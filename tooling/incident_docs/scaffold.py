"""Setting up an archive in a repository (`incident init`), and telling whether a folder is one."""

from __future__ import annotations

import contextlib
import dataclasses
import fnmatch
import json
import os
import re
import shlex
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from incident_docs import __version__
from incident_docs.casecache import CACHE_DIR
from incident_docs.codeowners import CODEOWNERS_PATH, carries_tooling
from incident_docs.codeowners import generate as generate_codeowners
from incident_docs.codeowners import locate as locate_codeowners
from incident_docs.config import CONFIG_FILE, TABLE, Config, git_top, toml_error
from incident_docs.diagnostics import UsageError
from incident_docs.document import escapes, open_regular
from incident_docs.models import Roster
from incident_docs.records import SKIPPED_NAMES, is_record_name, record_file_names
from incident_docs.store import LOCK_NAME, TEMPORARY, locked, record_target, write_atomic
from incident_docs.templates import REVIEW_CHECKLIST

NOT_A_REPOSITORY = (
    "not inside an incident-docs repository: run 'incident init' here, or pass --root"
)

INCIDENTS_README = """\
# Incidents

One Markdown file per incident, with its record in the YAML front-matter and its timeline under
`## Timeline`. Create one with `incident declare`, then keep it up to date with `incident assign`,
`incident log`, `incident status` and `incident resolve`. `incident lint` checks every record.

This README is not a record: lint skips it.
"""

POSTMORTEMS_README = """\
# Postmortems

One Markdown file per postmortem. `incident postmortem INC-...` drafts one from the incident
record; write it together in a pull request, blamelessly: describe systems, conditions and
decisions, never a culprit. It merges once enough senior members of the roster approve it.

This README is not a record: lint skips it.
"""

ROSTER_TEMPLATE = """\
# The people roster: who can hold incident roles, who reviews postmortems.
# `senior: true` marks the members whose approval counts for the postmortem review gate.
# `maintainer: true` marks who owns the roster, CODEOWNERS, workflows and tooling.
# Uncomment the lines below and add one entry per person.
#
# people:
#   - handle: sam
#     name: Sam Example
#     emails: [sam@example.com]
#     github: sam-example
#     senior: true
#     maintainer: true
"""

CONFIG_TABLE = f"""\
[tool.{TABLE}]
# Everything here is optional; uncomment a line to change its default.
# incidents-dir = "incidents"
# postmortems-dir = "postmortems"
# roster = "people.yaml"
#
# Severities replace the default SEV1-SEV4, most severe first. `approvals` is how many senior
# members must approve a postmortem of that severity (default 1).
# [[tool.{TABLE}.severities]]
# name = "SEV1"
# description = "Critical: a core service is down for most users, or user data is lost."
# approvals = 2
"""


def is_archive_root(root: Path, config: Config) -> bool:
    """Whether `root` is a repository: git, our pyproject table, or an incidents folder."""
    if (root / ".git").exists() or (root / config.incidents_dir).is_dir():
        return True
    return _has_table(root / CONFIG_FILE)


def require_archive_root(root: Path, config: Config) -> None:
    """Refuse to create records in a folder that is not a repository (a stray `incidents/`), or
    at the top of a repository whose archive lives in a folder of it (`ops/`): run there, the
    first record would start a second archive beside it."""
    if not is_archive_root(root, config):
        raise UsageError(NOT_A_REPOSITORY)
    if (root / config.incidents_dir).is_dir() or _has_table(root / CONFIG_FILE):
        return  # an archive here
    below = _archives_below(root)
    if below:
        folder = shlex.quote(below[0])
        raise UsageError(
            f"no archive here, and {below[0]}/{CONFIG_FILE} sets up one: run the command in "
            f"{below[0]} (cd {folder}) or pass --root {folder}; to keep a second archive here, "
            "run 'incident init' here first"
        )


ARCHIVES_BELOW_LIMIT = 200
"""The most pyproject.toml files of a repository read to find its archive: a monorepo of many
Python packages is not read to its end before a command starts."""


def _archives_below(root: Path) -> list[str]:
    """The folders of the git repository at `root` (tracked, or new and not ignored) whose
    pyproject.toml has a [tool.incident-docs] table, nearest first."""
    from incident_docs import git

    try:
        done = git.run(
            root,
            "ls-files", "-z", "--cached", "--others", "--exclude-standard",
            "--", ":(glob)**/pyproject.toml",
            purpose="finding the archive",
        )  # fmt: skip
    except UsageError:
        return []
    if done.returncode != 0:
        return []
    names = sorted(
        {name for name in done.stdout.decode(errors="replace").split("\0") if "/" in name},
        key=lambda name: (name.count("/"), name),
    )
    return [
        name.rsplit("/", 1)[0] for name in names[:ARCHIVES_BELOW_LIMIT] if _has_table(root / name)
    ]


def _has_table(pyproject: Path) -> bool:
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    tool = data.get("tool")
    return isinstance(tool, dict) and TABLE in tool


SITE_CHECK_LIMIT = 1_000_000
"""The largest mkdocs.yml read to check it is YAML: a site's configuration is a few KB."""


def _yaml_problem(text: str) -> str | None:
    """Where and why the text is not YAML ("4: expected ',' or ']'"), or None. Its syntax only
    (composed, no value built: a tag such as `!!python/name:` or a date MkDocs would read its
    own way is no problem here); a file too large to be a site's configuration is not read."""
    if len(text) > SITE_CHECK_LIMIT:
        return None
    try:
        for _document in yaml.compose_all(text, Loader=yaml.SafeLoader):
            pass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = f"{mark.line + 1}" if mark is not None else "1"
        return f"{line}: {error.problem or error.context or 'not YAML'}"
    except (yaml.YAMLError, RecursionError) as error:
        return f"1: {' '.join(str(error).split())[:80] or 'not YAML'}"
    return None


def _docs_dir(text: str, key: str = "docs_dir", default: str = "docs") -> str | None:
    """The folder of the site's pages that a readable mkdocs.yml names (`docs_dir`, `docs` when
    it names none; or the built site's, `site_dir`, `site`), from the root; None for one
    outside the repository, which init leaves to the site. Read from the YAML's nodes: a site's
    configuration may hold tags only MkDocs knows (`!!python/name:`, `!ENV`)."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, RecursionError):
        return default
    if not isinstance(node, yaml.MappingNode):
        return default
    found = next(
        (v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == key), None
    )
    if isinstance(found, yaml.SequenceNode) and found.tag == "!ENV" and found.value:
        # `!ENV [SITE_DIR, public]`: the first variable set, else the last item. The workflows
        # set none, so the folder they build and publish is that last item.
        found = found.value[-1]
    value = found.value if isinstance(found, yaml.ScalarNode) and found.tag != "!ENV" else None
    if not isinstance(value, str) or not value.strip():
        return default
    folder = Path(value.strip())
    if folder.is_absolute() or ".." in folder.parts:
        return None
    return folder.as_posix() if folder.parts else None


def _has_key(text: str, key: str) -> bool:
    """The YAML mapping `text` (a site's configuration) has `key` at its top level."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, RecursionError):
        return False
    return isinstance(node, yaml.MappingNode) and any(
        isinstance(k, yaml.ScalarNode) and k.value == key for k, _v in node.value
    )


@dataclass(frozen=True)
class Step:
    """One file `incident init` writes: its full new content, and what it does, for the user."""

    path: Path
    content: bytes
    what: str
    create: bool = True
    """False: replace an existing file (whose old content `content` starts with)."""


IGNORED = (LOCK_NAME, TEMPORARY, f"{CACHE_DIR}/")
"""What .gitignore keeps out of commits: the write lock, a killed write's temporary file and
what `incident similar` keeps between runs (and the built site, where mkdocs.yml puts it)."""
WORKFLOWS = ("lint", "review", "publish", "actions-sync")
"""The GitHub workflows `init --github` writes: PR lint, review gate, publishing, follow-ups."""
_WORKFLOW_WORDS = {
    "lint": "the workflow linting pull requests",
    "review": "the postmortem review gate",
    "publish": "the workflow publishing the site",
    "actions-sync": "the workflow syncing follow-ups with GitHub issues",
}
REQUIREMENTS = ".github/requirements.txt"
"""The pinned incident-docs the workflows install, which Dependabot keeps current."""
OWN_REQUIREMENTS = ".github/requirements-incident-docs.txt"
"""Where the pin goes when the repository keeps requirements of its own in REQUIREMENTS."""
PULL_REQUEST_TEMPLATE = ".github/pull_request_template.md"
"""The pull request template init writes: the review checklist."""
_PINS_US = re.compile(r"^\s*incident[-_.]docs\b", re.IGNORECASE | re.MULTILINE)


def _small_text(path: Path) -> str:
    """The text of a regular file, no more of it than a workflow holds; OSError when it is
    none (a folder, a pipe, a link to nothing) or cannot be read."""
    with open_regular(path) as handle:
        return handle.read(1 << 20).decode("utf-8", errors="replace")


def is_release(version: str) -> bool:
    """`version` is one PyPI may hold: not a development (`.dev0`) or local (`+g1234`) one."""
    return ".dev" not in version and "+" not in version


def requirements_path(top: Path) -> str:
    """The file, from the repository's root `top`, that pins the incident-docs the workflows
    install: REQUIREMENTS, unless the repository already has one that names no incident-docs
    (its own CI's), which init leaves alone and the workflows must not install instead, or
    OWN_REQUIREMENTS is there already (written beside one since removed)."""
    if (top / OWN_REQUIREMENTS).is_file():
        return OWN_REQUIREMENTS
    try:
        text = _small_text(top / REQUIREMENTS)
    except FileNotFoundError:
        return REQUIREMENTS
    except OSError:
        return OWN_REQUIREMENTS
    return REQUIREMENTS if _PINS_US.search(text) else OWN_REQUIREMENTS


@dataclass(frozen=True)
class GitHubSetup:
    """What differs between repositories in the GitHub files: how CI installs incident-docs,
    and where the archive is in the repository."""

    install: str
    pip_directory: str
    branch: str = "main"
    site: str = "site"
    """Where `mkdocs build` writes the site (mkdocs.yml's `site_dir`), from the archive's root:
    what the publish workflow uploads."""
    requirements: str = ""
    """The file pinning the incident-docs CI installs, from the repository's root; "" when it
    installs from the checkout."""
    folder: str = ""
    """The archive's folder from the repository's root (see archive_folder), "" at the root:
    GitHub reads `.github/` at the root only, and the workflows run the commands there."""
    tooling: bool = True
    """The repository holds incident-docs' code (see codeowners.carries_tooling): its CI and
    tooling are the archive maintainers' in CODEOWNERS."""


REPOSITORY_SETUP = GitHubSetup(install="python -m pip install .", pip_directory="/")
"""This repository, which is incident-docs itself: CI installs it from the checkout."""


def adopter_setup(
    branch: str = "main", folder: str = "", requirements: str = REQUIREMENTS
) -> GitHubSetup:
    """A repository that keeps its records with incident-docs: CI installs the pinned release
    (from `requirements`, see requirements_path). With the archive in a subfolder, the steps
    run there and the pin stays at the root."""
    pinned = f'"$GITHUB_WORKSPACE/{requirements}"' if folder else requirements
    return GitHubSetup(
        f"python -m pip install -r {pinned}",
        "/.github",
        branch,
        requirements=requirements,
        folder=folder,
    )


def starter_text(name: str) -> str:
    """A file of the starter kit shipped in the package (starter/...)."""
    return (resources.files("incident_docs") / "starter" / name).read_text(encoding="utf-8")


def github_file(name: str, config: Config, setup: GitHubSetup) -> str:
    """A workflow or Dependabot file, filled in for this repository's folders and install."""
    wide = config.checked_against()
    return (
        _in_folder(starter_text(f"github/{name}"), setup.folder, setup.site)
        .replace("@INSTALL@", setup.install)
        .replace("@PIP_DIRECTORY@", setup.pip_directory)
        .replace("@BRANCH@", json.dumps(setup.branch))
        .replace("@RECORDS@", _shell_pathspecs((config.incidents_dir, config.postmortems_dir)))
        .replace("@WIDE@", _shell_pathspecs(wide))
        .replace("@WIDE_RE@", _shell_word(f"^({'|'.join(map(_extended_regex, wide))})$"))
    )


def _shell_pathspecs(paths: Iterable[str]) -> str:
    """Paths as words of a `git diff -- …` command in a workflow's script: a leading ':' is
    not read as pathspec magic."""
    return " ".join(_shell_word(f"./{path}" if path.startswith(":") else path) for path in paths)


def _shell_word(text: str) -> str:
    """`text` as one word of a workflow's shell script: quoted for the shell, and with no
    `${{`, which GitHub replaces by an expression's value before the shell runs."""
    return shlex.quote(text).replace("${{", "$''{{")


def _extended_regex(path: str) -> str:
    """A path as a POSIX extended regular expression (grep -E) that matches it alone: only
    the characters special there escaped (GNU grep warns of a stray backslash before others)."""
    return re.sub(r"([.\[\]()*+?{}|^$\\])", r"\\\1", path)


def _in_folder(text: str, folder: str, site: str = "site") -> str:
    """A workflow whose commands run in the archive's folder, when it is not the repository's
    root: a job's `defaults` (or a line in those it has), the workspace for a step run before
    the checkout, and the built site's path there."""
    if not folder:
        return (
            text.replace("@WORKING_DIRECTORY@\n", "")
            .replace("@DEFAULTS@\n", "")
            .replace("@IN_WORKSPACE@\n", "")
            .replace("@SITE_PATH@", site if site == "site" else json.dumps(site))
        )
    line = f"        working-directory: {json.dumps(folder)}\n"
    defaults = (
        "    defaults:\n      run:\n"
        "        # The archive is kept in this folder of the repository: its commands run there.\n"
        + line
    )
    # A step that runs before anything is checked out (the review gate's on a merge group)
    # runs where the runner starts: the archive's folder is not there yet.
    workspace = (
        "        # Nothing is checked out for it: it runs in the workspace, not in the archive's\n"
        "        # folder, which is not there.\n"
        "        working-directory: ${{ github.workspace }}\n"
    )
    return (
        text.replace("@WORKING_DIRECTORY@\n", line)
        .replace("@DEFAULTS@\n", defaults)
        .replace("@IN_WORKSPACE@\n", workspace)
        .replace("@SITE_PATH@", json.dumps(f"{folder}/{site}"))
    )


def workflow_files(top: Path) -> dict[str, str]:
    """The file in the repository's `.github/workflows/` (`top` its root) of each workflow
    `init --github` writes, by its name in WORKFLOWS: NAME.yml, or incident-NAME.yml where
    NAME.yml is the repository's own (a code linter's lint.yml), which init leaves alone, or
    was when init wrote incident-NAME.yml (it stays ours when the other goes)."""
    files = {}
    for name in WORKFLOWS:
        ours = starter_text(f"github/{name}.yml")
        plain = top / ".github" / "workflows" / f"{name}.yml"
        if _runs_ours(plain, ours):
            files[name] = plain.name
            continue
        beside = plain.with_name(f"incident-{plain.name}")
        taken = plain.exists() or plain.is_symlink() or _runs_ours(beside, ours)
        files[name] = beside.name if taken else plain.name
    return files


def github_files(
    config: Config,
    roster: Roster,
    setup: GitHubSetup,
    workflows: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Every file `init --github` writes, by its path from the repository's root; the workflows
    in the files `workflows` names (see workflow_files), NAME.yml by default."""
    workflows = workflows or {name: f"{name}.yml" for name in WORKFLOWS}
    files = {
        f".github/workflows/{workflows[name]}": github_file(f"{name}.yml", config, setup)
        for name in WORKFLOWS
    }
    files[".github/dependabot.yml"] = github_file("dependabot.yml", config, setup)
    files[PULL_REQUEST_TEMPLATE] = (
        "<!-- A pull request that changes a postmortem needs approval from senior members "
        "(the review-gate check). -->\n\n" + REVIEW_CHECKLIST
    )
    files[CODEOWNERS_PATH] = generate_codeowners(
        roster,
        config,
        folder=setup.folder,
        workflows=tuple(workflows.values()),
        tooling=setup.tooling,
    ).text
    if setup.requirements:
        files[setup.requirements] = (
            "# The incident-docs the workflows install; Dependabot proposes new releases.\n"
            f"incident-docs=={__version__}\n"
        )
    return files


@dataclass(frozen=True)
class InitPlan:
    steps: list[Step]
    notes: list[str]
    """What the person should know: files left alone, and what to do about them."""


def plan_init(
    root: Path,
    config: Config,
    *,
    github: GitHubSetup | None = None,
    roster: Roster | None = None,
) -> InitPlan:
    """What `incident init` would write in `root`; no step when everything is already there.

    Never a file that exists, but for the lines added to .gitignore and pyproject.toml.
    """
    steps: list[Step] = []
    notes: list[str] = []
    for folder, readme in (
        (config.incidents_dir, INCIDENTS_README),
        (config.postmortems_dir, POSTMORTEMS_README),
    ):
        base = root / folder
        if base.exists() and not base.is_dir():
            raise UsageError(f"{folder}: exists and is not a folder")
        existing = {p.name.lower() for p in base.iterdir()} if base.is_dir() else set()
        if not existing & SKIPPED_NAMES:
            what = "created" if base.is_dir() else "created (with its folder)"
            steps.append(Step(base / "README.md", readme.encode(), what))
        note = _not_records_note(root, folder, config)
        if note is not None:
            notes.append(note)
    roster_file = root / config.roster
    if not roster_file.exists() and not roster_file.is_symlink():
        steps.append(Step(roster_file, ROSTER_TEMPLATE.encode(), "created (one commented example)"))
    sites = [root / n for n in ("mkdocs.yml", "mkdocs.yaml") if (root / n).exists()]
    site_text = sites[0].read_text(encoding="utf-8", errors="replace") if sites else ""
    unreadable = _yaml_problem(site_text) if sites else None
    # The site's pages are where its mkdocs.yml says (docs_dir), `docs/` by default; the built
    # site too (site_dir), which .gitignore keeps out and the publish workflow uploads.
    docs_dir = _docs_dir(site_text) if sites and unreadable is None else "docs"
    site_dir = _docs_dir(site_text, "site_dir", "site") if sites and unreadable is None else "site"
    if site_dir is None and github is not None:
        notes.append(
            f"{sites[0].name} builds the site outside the repository (site_dir): the publish "
            "workflow uploads site/ of the archive: set one of them to the other"
        )
    site_dir = site_dir or "site"
    if github is not None:
        github = dataclasses.replace(github, site=site_dir)
    for step in (
        _config_step(root / CONFIG_FILE),
        _ignore_step(root / ".gitignore", f"{site_dir}/"),
    ):
        if step is not None:
            steps.append(step)
    docs = root / docs_dir if docs_dir is not None else None
    if docs is not None and (docs.exists() or docs.is_symlink()) and not docs.is_dir():
        raise UsageError(
            f"{docs_dir}: exists and is not a folder; the site needs a {docs_dir}/ folder: move "
            "it, then run init again (nothing was written)"
        )
    if not sites:
        steps.append(
            Step(root / "mkdocs.yml", starter_text("mkdocs.yml").encode(), "created (the site)")
        )
    elif unreadable is not None:
        notes.append(
            f"{sites[0].name}:{unreadable}: MkDocs cannot read it: fix it, and add "
            "'- incident-docs' under plugins: to publish the records"
        )
    elif "incident-docs" not in site_text:
        notes.append(
            f"{sites[0].name} has no incident-docs plugin: add '- incident-docs' under "
            "plugins: to publish the records"
        )
    if sites and unreadable is None and _has_key(site_text, "nav"):
        # The site's pages of the archive, wherever its folders are (incidents-dir).
        from incident_docs.site.pages import INCIDENTS, POSTMORTEMS

        if INCIDENTS not in site_text and POSTMORTEMS not in site_text:
            notes.append(
                f"{sites[0].name} has a nav: of its own, which the plugin leaves as it is: add the "
                f"archive's pages to it ({INCIDENTS}, {POSTMORTEMS} and the others 'mkdocs "
                "build' names as not in the nav), or no menu of the site leads to them"
            )
    if docs is not None and (docs / "index.md").exists():
        notes.append(
            f"{docs_dir}/index.md stays the site's home page instead of the generated dashboard, "
            "and a strict build warns of it: rename it to publish the dashboard"
        )
    if docs is not None and (not docs.is_dir() or not any(docs.glob("*.md"))):
        steps.append(
            Step(
                docs / "about.md",
                starter_text("docs/about.md").encode(),
                f"created (the site's first page; MkDocs needs {docs_dir}/)",
            )
        )
    if github is not None:
        _github_steps(root, config, roster or Roster(), github, steps, notes)
    return InitPlan(steps, notes)


def _github_steps(
    root: Path,
    config: Config,
    roster: Roster,
    setup: GitHubSetup,
    steps: list[Step],
    notes: list[str],
) -> None:
    top = git_top(root)  # GitHub reads .github/ at the repository's root only
    owners = locate_codeowners(top)
    setup = dataclasses.replace(setup, tooling=carries_tooling(top))
    elsewhere: dict[str, list[str]] = {}  # workflows of ours that run in another folder
    stale: list[str] = []  # workflows of ours that install the repository's requirements
    taken: list[str] = []  # workflows of ours not written: their names are someone else's
    # Someone else's workflow of the same name (a code linter's lint.yml) is left alone: ours
    # goes beside it as incident-lint.yml, which CODEOWNERS names.
    workflows = workflow_files(top)
    for name, text in github_files(config, roster, setup, workflows).items():
        if name == PULL_REQUEST_TEMPLATE:
            name = _pull_request_template(top) or name  # GitHub reads the first it finds
        elif name == ".github/dependabot.yml" and (top / ".github" / "dependabot.yaml").exists():
            name = ".github/dependabot.yaml"  # Dependabot reads either, not two
        target = top / name
        if name == CODEOWNERS_PATH and (top / owners).exists():
            if _runs_ours(top / owners, text):
                continue  # written by an earlier `init --github` or `incident codeowners`
            notes.append(
                f"{owners} exists: left alone (GitHub reads only one CODEOWNERS); "
                "'incident codeowners --write' adds the lines for postmortems after yours, "
                "which the lint workflow checks"
            )
            continue
        if target.exists() or target.is_symlink():
            if name.startswith(".github/workflows/"):
                if _runs_ours(target, text):
                    # Ours, from an archive elsewhere in the repository (moved, or another).
                    runs_in = _working_directory(target)
                    if runs_in is not None and runs_in != setup.folder:
                        elsewhere.setdefault(runs_in, []).append(target.name)
                    if _installs_theirs(target, setup):
                        stale.append(target.name)
                else:
                    # Both names are the repository's own (review.yml, incident-review.yml):
                    # this workflow is not written, and the checks it makes never run.
                    taken.append(target.name)
            else:
                note = _left_alone_note(target, name, setup)
                if note is not None:
                    notes.append(note)
            continue
        theirs = target.name.removeprefix("incident-")
        what = "created" if theirs == target.name else f"created (your {theirs} is left alone)"
        steps.append(Step(target, text.encode(), what))
    for name in taken:
        theirs = name.removeprefix("incident-")
        notes.append(
            f"{theirs} and {name} are both the repository's own workflows: left alone, so "
            f"{_WORKFLOW_WORDS[theirs.removesuffix('.yml')]} is not written and will not run; "
            f"rename {name} and run 'incident init --github' again"
        )
    for runs_in, names in elsewhere.items():
        notes.append(
            f"{', '.join(names)} {'run' if len(names) > 1 else 'runs'} in "
            f"{_folder_words(runs_in)}, not in {_folder_words(setup.folder)} where this archive "
            "is: left alone; remove them and run 'incident init --github' here again to write "
            "them for this archive"
        )
    if stale:
        notes.append(
            f"{', '.join(stale)} {'install' if len(stale) > 1 else 'installs'} {REQUIREMENTS}, "
            f"which names no incident-docs: left alone; install {setup.requirements} instead "
            f"(run: {setup.install}), or the jobs stop at 'incident: command not found'"
        )
    pinned = setup.requirements and any(step.path == top / setup.requirements for step in steps)
    if pinned and not is_release(__version__):
        # An earlier release is no way out: the workflows run commands it lacks.
        coming = __version__.split("+")[0].split(".dev")[0]
        notes.append(
            f"{setup.requirements} pins incident-docs {__version__}, a development version "
            f"that is not on PyPI: the workflows cannot install it; pin {coming} or later once "
            "it is released, until then where this one comes from (a git URL and commit), not "
            "an earlier release, which lacks commands they run"
        )
    published = [step.path.name for step in steps if step.path.name.endswith("publish.yml")]
    if published:  # incident-publish.yml beside a publish.yml of the repository's own
        notes.append(
            f"{published[0]} publishes from {setup.branch}, the default branch: edit it if yours "
            "is another"
        )


NOT_RECORDS_SHOWN = 3
"""How many of the files a record folder already holds that are not records init names."""


def _not_records_note(root: Path, folder: str, config: Config) -> str | None:
    """What to do about the files already in a record folder (a repository's own `incidents/`
    of write-ups) that lint reports as no records: Markdown without front-matter, and files
    that are neither Markdown nor an attachment. None when there are none."""
    if not (root / folder).is_dir():
        return None
    found: list[str] = []
    for path, display in record_file_names(root, config):  # of both record folders
        name = display.rpartition("/")[2]
        if not display.startswith(f"{folder}/"):
            continue
        if name.startswith(".") or name.lower() in SKIPPED_NAMES:
            continue
        if is_record_name(name):
            try:
                with open_regular(Path(path)) as handle:
                    head = handle.read(8)
            except OSError:
                continue  # lint says why it cannot read it
            if head.removeprefix(b"\xef\xbb\xbf").startswith(b"---"):
                continue
        elif Path(name).suffix.lstrip(".").lower() in config.attachments:
            continue
        found.append(display)
    if not found:
        return None
    shown = ", ".join(found[:NOT_RECORDS_SHOWN])
    more = f" and {len(found) - NOT_RECORDS_SHOWN} more" if len(found) > NOT_RECORDS_SHOWN else ""
    setting = "incidents-dir" if folder == config.incidents_dir else "postmortems-dir"
    return (
        f"{folder}/ already holds files that are not records ({shown}{more}): 'incident lint' "
        f"reports them and fails, and so does the site's build; move them out of {folder}/, or "
        f"keep the records in another folder ({setting} under [tool.{TABLE}] in {CONFIG_FILE}) "
        "and run init again"
    )


def _pull_request_template(top: Path) -> str | None:
    """The repository's own pull request template (its path from the root `top`), where GitHub
    looks for one: in `.github/`, at the root or in `docs/`, named in any case, with an
    extension (.md, .txt) or none; None when it has none."""
    for folder in (".github", "", "docs"):
        try:
            names = sorted(entry.name for entry in (top / folder).iterdir())
        except OSError:
            continue
        for name in names:
            if name.split(".")[0].lower() == "pull_request_template" and (
                (top / folder / name).is_file() or (top / folder / name).is_symlink()
            ):
                return f"{folder}/{name}" if folder else name
    return None


def _updates_pip(text: str, directory: str) -> bool:
    """The Dependabot configuration `text` has a pip update for `directory` (in `directory` or
    among `directories`, which may be globs)."""
    try:
        updates = yaml.safe_load(text).get("updates")
    except (yaml.YAMLError, AttributeError, RecursionError):
        return False
    for update in updates if isinstance(updates, list) else []:
        if not isinstance(update, dict) or update.get("package-ecosystem") != "pip":
            continue
        named = update.get("directories")
        named = [*named] if isinstance(named, list) else []
        named.append(update.get("directory"))
        for folder in named:
            if isinstance(folder, str) and fnmatch.fnmatchcase(
                directory, "/" + folder.strip().strip("/")
            ):
                return True
    return False


def _left_alone_note(path: Path, name: str, setup: GitHubSetup) -> str | None:
    """What the repository's own Dependabot configuration or pull request template, left
    alone, lacks of what init would have written there; None when it has it (or is ours)."""
    try:
        text = _small_text(path)
    except OSError:
        text = ""
    if path.name in ("dependabot.yml", "dependabot.yaml"):
        if _updates_pip(text, setup.pip_directory):
            return None
        return (
            f"{name} exists: left alone; add an update with package-ecosystem: pip and "
            f"directory: {setup.pip_directory} to it, so that Dependabot keeps the incident-docs "
            f"of {setup.requirements or CONFIG_FILE} current"
        )
    template = path.name.split(".")[0].lower() == "pull_request_template"
    if template and "review checklist" not in text.lower():
        return (
            f"{name} exists: left alone; 'incident postmortem --pr' still puts the review "
            "checklist in each postmortem's pull request"
        )
    return None


def _installs_theirs(path: Path, setup: GitHubSetup) -> bool:
    """The workflow of ours at `path` installs REQUIREMENTS where that is the repository's own
    (see requirements_path): written before init kept its pin apart."""
    if setup.requirements != OWN_REQUIREMENTS:
        return False
    try:
        text = _small_text(path)
    except OSError:
        return False
    return REQUIREMENTS in text and OWN_REQUIREMENTS not in text


_WORKING_DIRECTORY = re.compile(r"^ +working-directory: *(?!\$\{\{)(.*?) *$", re.MULTILINE)
"""The archive's folder a workflow of ours runs in; not a step's `${{ github.workspace }}`."""


def _working_directory(path: Path) -> str | None:
    """The folder a workflow of ours runs its commands in ("" for the repository's root), as
    `init --github` writes it; None when it cannot be read."""
    try:
        text = _small_text(path)
        found = _WORKING_DIRECTORY.search(text)
        value = yaml.safe_load(found.group(1)) if found else ""
    except (OSError, yaml.YAMLError):
        return None
    folder = Path(value).as_posix() if isinstance(value, str) else "."
    return "" if folder == "." else folder


def _folder_words(folder: str) -> str:
    return f"{folder}/" if folder else "the repository's root"


_OURS = re.compile(r"\bincident(?:-docs\b| [a-z][a-z-]*\b)")
"""What a workflow of ours names: the package, or an `incident` command it runs."""


def _runs_ours(path: Path, ours: str) -> bool:
    """The workflow at `path` names what this one of ours does (the package, the commands it
    runs): written by an earlier `init --github`, perhaps edited since, not someone else's
    workflow of the same name (a code linter's lint.yml)."""
    try:
        existing = _small_text(path)
    except OSError:
        return False
    return bool(set(_OURS.findall(ours)) & set(_OURS.findall(existing)))


def _ignore_step(gitignore: Path, site: str = "site/") -> Step | None:
    """Keep the write lock, temporary files, the cache and the built site (`site`) out of
    commits."""
    ignored = (*IGNORED, site)
    if not gitignore.exists():
        text = "".join(f"{line}\n" for line in ignored)
        return Step(gitignore, text.encode(), f"created (ignores {', '.join(ignored)})")
    try:
        original = gitignore.read_bytes()
    except OSError as error:
        raise UsageError(f".gitignore: cannot read: {error.strerror or error}") from None
    lines = {line.strip() for line in original.decode("utf-8", "replace").splitlines()}
    missing = [
        name
        for name in ignored
        if not lines & {name, f"/{name}", name.rstrip("/"), f"/{name.rstrip('/')}"}
    ]
    if not missing:
        return None
    newline = b"\r\n" if b"\r\n" in original else b"\n"
    separator = newline if original and not original.endswith(b"\n") else b""
    added = separator + b"".join(name.encode() + newline for name in missing)
    return Step(gitignore, original + added, f"{', '.join(missing)} added", create=False)


def _config_step(pyproject: Path) -> Step | None:
    if not pyproject.exists():
        return Step(pyproject, CONFIG_TABLE.encode(), f"created with a [tool.{TABLE}] table")
    try:
        original = pyproject.read_bytes()
        text = original.decode("utf-8")
        data = tomllib.loads(text)
    except OSError as error:
        raise UsageError(f"{CONFIG_FILE}: cannot read: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{CONFIG_FILE}: not UTF-8; save it as UTF-8 and run init again") from None
    except tomllib.TOMLDecodeError as error:
        raise UsageError(toml_error(CONFIG_FILE, error)) from None
    tool = data.get("tool")
    if isinstance(tool, dict) and TABLE in tool:
        return None
    newline = "\r\n" if "\r\n" in text else "\n"
    separator = "" if not text else (newline if text.endswith("\n") else newline * 2)
    added = separator + CONFIG_TABLE.replace("\n", newline)
    try:
        tomllib.loads(text + added)
    except tomllib.TOMLDecodeError:
        # e.g. `tool = {...}` written inline: a [tool.incident-docs] header would redefine it.
        raise UsageError(
            f"{CONFIG_FILE}: cannot add a [tool.{TABLE}] table to it as it is written; "
            "add the table by hand"
        ) from None
    return Step(
        pyproject, original + added.encode(), f"[tool.{TABLE}] table appended", create=False
    )


def apply_init(root: Path, steps: list[Step]) -> None:
    """Write the planned files, all or none: a file that cannot be written (a folder init may
    not write in, a full disk), one that appeared meanwhile (left alone) or Ctrl-C takes back
    what was written, and UsageError names the file.

    Every folder a file goes in is checked first, so a file in the way stops init before it
    writes anything. Files go in the root, or in the git repository's root it is in (`.github/`
    of an archive kept in a subfolder); each is named from where it goes.
    """
    for step in steps:
        base = _base(root, step.path)
        if step.create and step.path.is_symlink():
            # A link to nothing where a file is to be made (one that exists is read as it is):
            # never written through, and no file that "appeared while init ran".
            shown = step.path.relative_to(base).as_posix()
            why = (
                "symbolic link leads outside the repository"
                if escapes(step.path, base) is not None
                else "a symbolic link to nothing"
            )
            raise UsageError(f"{shown}: {why} (nothing was written)")
        if not step.create and step.path.is_symlink():
            # Written where it leads anywhere in the repository: a pyproject.toml of an archive
            # in a subfolder may be the one its monorepo's packages share, at the root.
            try:
                record_target(git_top(root), step.path, step.path.relative_to(base).as_posix())
            except UsageError as error:
                raise UsageError(f"{error} (nothing was written)") from None
        for parent in reversed(step.path.relative_to(base).parents):  # the outermost first
            place = base / parent
            if (place.exists() or place.is_symlink()) and not place.is_dir():
                raise UsageError(
                    f"{parent.as_posix()}: exists and is not a folder, but "
                    f"{step.path.relative_to(base).as_posix()} goes in it (nothing was written)"
                )
            if escapes(place, base) is not None:
                # `.github` a link out of the repository: the files would be written there.
                raise UsageError(
                    f"{parent.as_posix()}: symbolic link leads outside the repository "
                    "(nothing was written)"
                )
    lock = root / LOCK_NAME
    lock_there = lock.exists() or lock.is_symlink()
    with locked(root):
        try:
            _write_all(root, steps)
        except BaseException:
            if not lock_there:
                # The lock file too, which the .gitignore line taken back no longer hides. (A
                # command that waited for it holds a removed file then: only in a folder a
                # failed init leaves without an archive, where no command that writes runs.)
                lock.unlink(missing_ok=True)
            raise


def _base(root: Path, path: Path) -> Path:
    """Where a file init writes is named from: the archive's root, or the git repository's."""
    return root if path.is_relative_to(root) else git_top(root)


def _write_all(root: Path, steps: list[Step]) -> None:
    undo: list[tuple[Path, bytes | None]] = []  # what each written file was, in order
    made: list[Path] = []  # the folders init created
    writing = root
    try:
        for step in steps:
            writing = step.path
            made += _missing_folders(step.path.parent, _base(root, step.path))
            # A file that is a link (a pyproject.toml the packages of a monorepo share) is
            # changed where it leads, and stays a link.
            target = step.path if step.create else Path(os.path.realpath(step.path))
            before = None if step.create else target.read_bytes()
            write_atomic(target, step.content, exclusive=step.create)
            undo.append((target, before))
    except BaseException as error:
        # A folder init may not write in, a full disk, Ctrl-C: take back what it wrote.
        _take_back(undo, made)
        if not isinstance(error, OSError):
            raise
        where = writing.relative_to(_base(root, writing)).as_posix()
        if isinstance(error, FileExistsError):
            raise UsageError(
                f"{where}: appeared while init ran: left alone (nothing was written)"
            ) from None
        raise UsageError(
            f"{where}: cannot write: {error.strerror or error} (nothing was written)"
        ) from None


def _missing_folders(folder: Path, root: Path) -> list[Path]:
    """The folders from `root` down to `folder` that do not exist yet, the outermost first."""
    below = folder.relative_to(root)
    return [
        root / place for place in (*reversed(below.parents), below) if not (root / place).exists()
    ]


def _take_back(undo: list[tuple[Path, bytes | None]], made: list[Path]) -> None:
    """Put back the files init wrote (remove the new, restore the old) and remove the folders
    it created, the last first; what cannot be is left as it is."""
    for path, before in reversed(undo):
        with contextlib.suppress(OSError):
            if before is None:
                path.unlink(missing_ok=True)
            elif path.read_bytes() != before:
                write_atomic(path, before)
    for folder in reversed(made):
        with contextlib.suppress(OSError):
            folder.rmdir()
