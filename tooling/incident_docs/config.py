"""Configuration from `[tool.incident-docs]` in pyproject.toml, validated by pydantic.

Every option has a default, so a repository with no configuration at all works.
"""

from __future__ import annotations

import difflib
import os
import posixpath
import re
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from incident_docs.diagnostics import Severity, UsageError
from incident_docs.document import too_long_number_line, utf8_text
from incident_docs.templates import normalise

CONFIG_FILE = "pyproject.toml"
TABLE = "incident-docs"


def _kebab(name: str) -> str:
    return name.replace("_", "-")


class _Section(BaseModel):
    # No protected namespaces: pydantic before 2.10 warns, on every command, of a setting
    # named model-… (blameless model-file).
    model_config = ConfigDict(
        extra="forbid",
        alias_generator=_kebab,
        populate_by_name=True,
        frozen=True,
        protected_namespaces=(),
    )


def _section_titles(value: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """Required section titles as the records' `## ` headings say them: each once, without
    the #s, which the template writes itself."""
    first: dict[str, str] = {}
    for index, title in enumerate(value or ()):
        if not title.strip() or "\n" in title or title.lstrip().startswith("#"):
            raise PydanticCustomError(
                "section_title",
                '{title} is no section title: write the heading\'s words, like "Summary" '
                "for '## Summary'",
                {"title": repr(title), ITEM: (index,)},
            )
        earlier = first.setdefault(normalise(title), title)
        if earlier != title or len(first) <= index:
            raise PydanticCustomError(
                "section_repeated",
                "section {title} is listed twice"
                if earlier == title
                else "section {title} repeats {earlier}: lint reads both as the same heading",
                {"title": repr(title), "earlier": repr(earlier), ITEM: (index,)},
            )
    return value


class SeverityLevel(_Section):
    name: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,31}$")
    description: str
    approvals: int = Field(default=1, ge=0, le=20, strict=True)
    team_approvals: int | None = Field(default=None, ge=0, le=5, strict=True)
    """Approvals each involved team gives, for this severity (default: review.team-approvals)."""
    sections: tuple[str, ...] | None = None
    """Required postmortem sections for this severity; None means the default list."""

    _sections = field_validator("sections")(_section_titles)


DEFAULT_SEVERITIES: tuple[SeverityLevel, ...] = (
    SeverityLevel(
        name="SEV1",
        description="Critical: a core service is down for most users, or user data is "
        "lost or exposed. Everyone needed joins now.",
    ),
    SeverityLevel(
        name="SEV2",
        description="Major: a core service is badly degraded for many users, or an "
        "important feature is unavailable.",
    ),
    SeverityLevel(
        name="SEV3",
        description="Minor: limited impact on some users, or a workaround exists.",
    ),
    SeverityLevel(
        name="SEV4",
        description="Low: internal or cosmetic impact, no users affected yet.",
    ),
)

DEFAULT_POSTMORTEM_SECTIONS: tuple[str, ...] = (
    "Summary",
    "Impact",
    "Timeline",
    "Contributing factors",
    "Detection",
    "Mitigation",
    "Resolution",
    "Recovery",
    "Responders",
    "Lessons learned",
    "Action items",
)

DEFAULT_INCIDENT_SECTIONS: tuple[str, ...] = ("Summary", "Timeline")

DEFAULT_SECTION_ALIASES: dict[str, tuple[str, ...]] = {
    "Impact": ("Damage done", "Damage"),
    "Contributing factors": ("Cause", "Causes", "Root cause", "Root causes", "What caused it"),
    "Timeline": ("Timeline of events",),
    "Mitigation": ("Mitigation efforts",),
    "Resolution": ("Solution",),
    "Recovery": ("Recovery efforts",),
    "Responders": ("Who worked on it", "Participants"),
    "Lessons learned": ("Lessons", "What we learned"),
    "Action items": ("Follow-ups", "Follow-up actions"),
}

DRAFT_SECTIONS: tuple[str, ...] = ("Summary", "Impact", "Timeline", "Mitigation", "Responders")
"""The sections `incident postmortem` fills from the incident, by their default names: a
configuration that lists another name gives it as an alias of one of them
(`Impact = ["Damage"]` fills "## Damage")."""

READ_SECTIONS: tuple[str, ...] = (*DRAFT_SECTIONS, "Contributing factors", "Resolution")
"""The sections the commands and the site read by their default names (Config.section_names):
the draft's, and what `similar` tells of a case; a configuration may list another name for one
and give it as its alias (`Resolution = ["Fix"]` with "Fix" listed)."""

DEFAULT_ATTACHMENTS: tuple[str, ...] = (
    "png", "jpg", "jpeg", "gif", "svg", "webp", "pdf", "txt", "log", "csv", "json",
)  # fmt: skip


class LintConfig(_Section):
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: dict[str, Severity] = Field(default_factory=dict)
    """Per-rule (or per-prefix) severity override, e.g. {"BL006": "warning"}."""
    per_file_ignores: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    """Glob (repo-relative) -> rule codes or prefixes never reported for matching files."""
    max_file_bytes: int = Field(default=2_000_000, ge=1024, le=100_000_000, strict=True)
    fail_on: Literal["error", "warning"] = "warning"
    """The least severe finding that fails: `incident lint`'s exit code, the pre-commit hook, the
    pull-request check and the site build all follow it."""

    @field_validator("select", "ignore")
    @classmethod
    def _codes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_rule_code(code) for code in value)

    @field_validator("severity")
    @classmethod
    def _severity_codes(cls, value: dict[str, Severity]) -> dict[str, Severity]:
        # "BL001" and "bl001" both given: lint refuses it (see _lint_problems), the rest go on.
        return {_rule_code(code): severity for code, severity in value.items()}

    @field_validator("per_file_ignores")
    @classmethod
    def _ignored_codes(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        return {glob: tuple(_rule_code(code) for code in codes) for glob, codes in value.items()}

    _problems: tuple[str, ...] = PrivateAttr(default=())

    @property
    def problems(self) -> tuple[str, ...]:
        """An error line for each code above that no rule has, or that `severity` gives twice,
        when read from a file. Lint and the site refuse such settings; the commands of an
        incident only warn of them: a code from another version of the tool must not stop a
        declaration at 3 a.m."""
        return self._problems

    def codes(self) -> dict[tuple[str, ...], tuple[str, ...]]:
        """Every rule code or prefix the settings name, by where: `incident lint` accepts any
        case on the command line, and so do these (upper-cased here, as the rules are)."""
        found: dict[tuple[str, ...], tuple[str, ...]] = {
            ("select",): self.select,
            ("ignore",): self.ignore,
        }
        for code in self.severity:
            found[("severity", code)] = (code,)
        for glob, codes in self.per_file_ignores.items():
            found[("per-file-ignores", glob)] = codes
        return found


def _rule_code(code: str) -> str:
    if not code or not code.isalnum() or not code[:2].isalpha():
        raise ValueError(f"{code!r} is not a rule code or prefix (e.g. BL or BL001)")
    return code.upper()


class BlamelessConfig(_Section):
    allow: tuple[str, ...] = ()
    """Phrases that are never reported as blame (case-insensitive)."""
    extra_terms: tuple[str, ...] = ()
    """More judgmental words or phrases to report."""
    model: bool = Field(default=True, strict=True)
    """Report sentences the trained model reads as blame (BL010)."""
    threshold: float | None = Field(default=None, gt=0.0, lt=1.0, strict=True, allow_inf_nan=False)
    """Probability from which BL010 reports a sentence; None: the one stored in the model."""
    examples: str | None = None
    """A TSV of the organisation's own labelled lines (text, label): lint honours each line, and
    `blameless train` learns from them."""
    model_file: str = ".incident-docs/blameless-model.json.gz"
    """Where `blameless train` writes the archive's model; lint uses it when it exists."""

    @field_validator("allow", "extra_terms")
    @classmethod
    def _phrases(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        # An empty phrase allows nothing, or reports nothing, and says neither.
        for index, phrase in enumerate(value):
            if not phrase.strip():
                raise PydanticCustomError(
                    "phrase_empty",
                    "{phrase} is no phrase: give its words, or remove it",
                    {"phrase": repr(phrase), ITEM: (index,)},
                )
        return value

    @field_validator("examples", "model_file")
    @classmethod
    def _inside(cls, value: str | None) -> str | None:
        if value is None:
            return None
        path = _inside_repository(value)
        if not path.parts or not value.strip():
            raise ValueError(f"{value!r} names no file: give a path inside the repository")
        if ".git" in path.parts:
            raise ValueError(f"{value!r} is inside .git, where it would never be committed")
        return path.as_posix()


def _inside_repository(value: str) -> Path:
    """A configured path, refused unless it is relative and stays inside the repository."""
    path = Path(value)
    if "\0" in value or path.is_absolute() or ".." in path.parts:
        raise ValueError(f"{value!r} must be a path inside the repository")
    if path.parts and path.parts[0].startswith("~"):
        # Read from the repository's root, "~/incidents" made a folder named "~" there, which
        # a shell then reads as the home folder.
        raise ValueError(
            f"{value!r} must be a path inside the repository: '~' is not the home folder here"
        )
    return path


def setting_file(root: Path, value: str, setting: str) -> Path:
    """The file a setting names by a path inside the repository, which need not exist yet: a
    symbolic link on the way is followed, but never out of `root`, and what it names must be a
    regular file (reading a folder fails, a pipe blocks, and /dev/zero never ends)."""
    target = Path(os.path.realpath(root / value))
    if not target.is_relative_to(os.path.realpath(root)):
        raise UsageError(f"{value} ({setting}): symbolic link leads outside the repository")
    if target.exists() and not target.is_file():
        raise UsageError(f"{value} ({setting}): not a regular file")
    return target


class ReviewConfig(_Section):
    paths: tuple[str, ...] | None = None
    """Files whose change puts a pull request under the review gate (default: every file in the
    postmortems folder; see Config.review_paths)."""
    allow_unchanged_since_review: bool = Field(default=True, strict=True)
    """Count an approval on an older commit when no gated file changed since it."""
    bots: tuple[str, ...] = ()
    """Extra logins treated as bots (logins ending in [bot] always are), without their '@'."""
    team_approvals: int = Field(default=1, ge=0, le=5, strict=True)
    """Approvals from seniors of each involved team (0: teams are not required)."""

    @field_validator("bots")
    @classmethod
    def _logins(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        # Written as GitHub shows a mention ("@release-helper"), a login matched no reviewer.
        return tuple(login.strip().removeprefix("@") for login in value)


_DOMAIN = re.compile(r"[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)*")
"""A domain name as a public update may write it (IDNs as their xn-- form)."""


class UpdatesConfig(_Section):
    """Where `incident update --post` sends the stakeholder update."""

    webhook_env: str = Field(default="INCIDENT_WEBHOOK_URL", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    """The environment variable that holds the chat webhook's URL (never the record or this
    file: the URL is a secret)."""
    webhook_format: Literal["slack", "teams"] = "slack"
    """Slack-compatible JSON (Slack, Mattermost, Rocket.Chat...) or a Microsoft Teams card."""
    timeout: float = Field(default=10.0, gt=0, le=120, strict=True, allow_inf_nan=False)
    public_domains: tuple[str, ...] = ()
    """Domains a public update may name and link to (the company's site, its status page), as
    bare names in lower case: "example.com" covers "status.example.com" too."""

    @field_validator("public_domains")
    @classmethod
    def _domains(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        # Only a bare name is ever compared: "https://status.example.com" or "*.example.com"
        # allowed nothing, and the refusals said to list the very domain listed.
        domains = []
        for index, written in enumerate(value):
            domain = written.strip().lower().removeprefix("*.").strip(".")
            if not _DOMAIN.fullmatch(domain):
                raise PydanticCustomError(
                    "domain_invalid",
                    '{domain} is not a domain: write it bare, like "example.com" (it covers '
                    "the names under it)",
                    {"domain": repr(written), ITEM: (index,)},
                )
            if domain.rsplit(".", 1)[-1].isdigit():
                # No top-level domain is a number: "192.168.1.1" is an address, and a public
                # update must name none.
                raise PydanticCustomError(
                    "domain_address",
                    "{domain} is an IP address, not a domain: a public update names no address",
                    {"domain": repr(written), ITEM: (index,)},
                )
            if "." not in domain:
                # "com" would let every name under it out, "localhost" names no public host.
                raise PydanticCustomError(
                    "domain_single_label",
                    "{domain} is not a domain of its own: a single label would cover every name "
                    'under it; write the whole domain, like "example.com"',
                    {"domain": repr(written), ITEM: (index,)},
                )
            domains.append(domain)
        return tuple(domains)


class Config(_Section):
    incidents_dir: str = "incidents"
    postmortems_dir: str = "postmortems"
    roster: str = "people.yaml"
    severities: tuple[SeverityLevel, ...] = DEFAULT_SEVERITIES
    postmortem_sections: tuple[str, ...] = DEFAULT_POSTMORTEM_SECTIONS
    incident_sections: tuple[str, ...] = DEFAULT_INCIDENT_SECTIONS
    section_aliases: dict[str, tuple[str, ...]] = Field(
        default_factory=lambda: dict(DEFAULT_SECTION_ALIASES)
    )
    attachments: tuple[str, ...] = DEFAULT_ATTACHMENTS
    lint: LintConfig = Field(default_factory=LintConfig)
    blameless: BlamelessConfig = Field(default_factory=BlamelessConfig)
    review: ReviewConfig = Field(default_factory=ReviewConfig)
    updates: UpdatesConfig = Field(default_factory=UpdatesConfig)

    _sections = field_validator("postmortem_sections", "incident_sections")(_section_titles)

    @field_validator("attachments")
    @classmethod
    def _extensions(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        # Files are matched by their last suffix in lower case: "PNG" or ".png" as written
        # matched no file, and lint called every image a stray file.
        extensions = []
        for index, written in enumerate(value):
            extension = written.strip().removeprefix(".").lower()
            if not extension or not re.fullmatch(r"[a-z0-9_+~-]+", extension):
                raise PydanticCustomError(
                    "extension_invalid",
                    '{extension} is not a file extension: give the last one, like "png" '
                    "for diagram.png",
                    {"extension": repr(written), ITEM: (index,)},
                )
            extensions.append(extension)
        return tuple(extensions)

    @field_validator("severities")
    @classmethod
    def _unique_severities(cls, value: tuple[SeverityLevel, ...]) -> tuple[SeverityLevel, ...]:
        if not value:
            raise ValueError("at least one severity is needed")
        # Compared without case: records, pages and colours tell "SEV1" from "sev1" nowhere.
        first: dict[str, str] = {}
        for index, severity in enumerate(value):
            earlier = first.setdefault(severity.name.casefold(), severity.name)
            if len(first) <= index:  # the name was there already
                raise PydanticCustomError(
                    "severity_repeated",
                    "severity '{name}' is named twice"
                    if earlier == severity.name
                    else "severity '{name}' repeats '{earlier}': names are compared without case",
                    {"name": severity.name, "earlier": earlier, ITEM: (index, "name")},
                )
        return value

    @field_validator("incidents_dir", "postmortems_dir", "roster")
    @classmethod
    def _relative(cls, value: str) -> str:
        path = _inside_repository(value)
        if not path.parts:  # "" or ".": the whole repository would be read as records
            raise ValueError(f"{value!r} must name a folder or file below the repository's root")
        return path.as_posix()

    @model_validator(mode="after")
    def _folders_apart(self) -> Config:
        # A record's kind is told by its folder: one folder inside the other (or the same)
        # would read postmortems as incidents, or incidents as postmortems.
        incidents, postmortems = Path(self.incidents_dir), Path(self.postmortems_dir)
        if incidents == postmortems or incidents in postmortems.parents:
            raise ValueError(
                f"postmortems-dir {self.postmortems_dir!r} must not be incidents-dir or inside it"
            )
        if postmortems in incidents.parents:
            raise ValueError(
                f"incidents-dir {self.incidents_dir!r} must not be inside postmortems-dir"
            )
        return self

    @model_validator(mode="after")
    def _aliases_of_sections(self) -> Config:
        # Lint matches an alias to the section named exactly as the lists name it: an alias of
        # a section no list names, or named in another case, was never used.
        if "section_aliases" not in self.model_fields_set:
            return self
        listed = {
            *self.postmortem_sections,
            *self.incident_sections,
            *(title for level in self.severities for title in level.sections or ()),
        }
        by_words = {normalise(title): title for title in listed}
        read = {normalise(name) for name in READ_SECTIONS}
        for title, aliases in self.section_aliases.items():
            if title in listed:
                continue
            meant = by_words.get(normalise(title))
            # A section read by its name is read under the listed one an alias names (the
            # draft fills "## Damage" with the impact, `Impact = ["Damage"]` with "Damage" listed).
            if (
                meant is None
                and normalise(title) in read
                and any(normalise(alias) in by_words for alias in aliases)
            ):
                continue
            raise PydanticCustomError(
                "alias_section_unknown",
                "{title} is no required section: write it as {meant}, as the sections list it"
                if meant
                else "{title} is no required section (of postmortem-sections, "
                "incident-sections or a severity's sections), nor one the commands read by its "
                "name under a listed section its aliases name: its aliases would match nothing",
                {"title": repr(title), "meant": repr(meant), ITEM: ("section-aliases", title)},
            )
        self._aliases_apart()
        return self

    def _aliases_apart(self) -> None:
        """An alias names one heading of its own: one that is another section required beside
        it, or an alias of another section required beside it too, would have one heading count
        as both (lint satisfied by '## Summary' for the Timeline, every reader taking it for the
        timeline). Sections of lists apart may share one (`Summary = ["Overview"]` for the
        incidents, `"Executive summary" = ["Overview"]` for the postmortems)."""
        lists = [
            self.postmortem_sections,
            self.incident_sections,
            *(level.sections for level in self.severities if level.sections),
        ]

        def places(title: str) -> set[int]:
            # The lists that require the section: those naming it, else (a section read by its
            # name, listed under another) those naming one of its aliases.
            for names in ((title,), self.section_aliases.get(title, ())):
                words = {normalise(name) for name in names}
                found = {
                    index
                    for index, titles in enumerate(lists)
                    if any(normalise(listed) in words for listed in titles)
                }
                if found:
                    return found
            return set()

        owner: dict[str, str] = {}
        for title, aliases in self.section_aliases.items():
            for index, alias in enumerate(aliases):
                place = {ITEM: ("section-aliases", title, index)}
                if not alias.strip() or "\n" in alias or alias.lstrip().startswith("#"):
                    raise PydanticCustomError(
                        "alias_title",
                        '{alias} is no section title: write the heading\'s words, like "Chronology" '
                        "for '## Chronology'",
                        {"alias": repr(alias), **place},
                    )
                words = normalise(alias)
                other = next(
                    (
                        listed
                        for titles in lists
                        if title in titles
                        for listed in titles
                        if listed != title and normalise(listed) == words
                    ),
                    None,
                )
                if other is not None:
                    raise PydanticCustomError(
                        "alias_is_section",
                        "{alias} names another required section, {other}: a heading so named "
                        "would count as both {other} and {title}",
                        {"alias": repr(alias), "other": repr(other), "title": repr(title), **place},
                    )
                earlier = owner.setdefault(words, title)
                if normalise(earlier) != normalise(title) and places(earlier) & places(title):
                    raise PydanticCustomError(
                        "alias_repeated",
                        "{alias} is an alias of {earlier} already: a heading counts as one section",
                        {"alias": repr(alias), "earlier": repr(earlier), **place},
                    )

    def from_git_top(self, folder: str) -> Config:
        """This configuration of an archive kept in `folder` of its git repository (see
        archive_folder), its paths named from the repository's root, as GitHub names the
        files of a pull request."""
        if not folder:
            return self
        review = self.review
        if review.paths is not None:
            paths = tuple(from_git_top(folder, glob) for glob in review.paths)
            review = review.model_copy(update={"paths": paths})
        return self.model_copy(
            update={
                "incidents_dir": from_git_top(folder, self.incidents_dir),
                "postmortems_dir": from_git_top(folder, self.postmortems_dir),
                "roster": from_git_top(folder, self.roster),
                "review": review,
            }
        )

    def checked_against(self) -> tuple[str, ...]:
        """The files every record is checked against, from the archive's root: the roster, the
        configuration, and the blameless examples file and model file (when the model is on). A
        change to any of them can change the findings of every record."""
        blameless = self.blameless
        own = (blameless.examples, blameless.model_file if blameless.model else None)
        return (self.roster, CONFIG_FILE, *filter(None, own))

    def review_paths(self) -> tuple[str, ...]:
        """The globs of review.paths, or every file under postmortems-dir when it is not set:
        moving the postmortems elsewhere moves the gate with them."""
        if self.review.paths is not None:
            return self.review.paths
        return (f"{self.postmortems_dir}/**",)

    def severity(self, name: str) -> SeverityLevel | None:
        return next((s for s in self.severities if s.name == name), None)

    def severity_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.severities)

    def severity_rank(self, name: str) -> int:
        """0 for the most severe; unknown names rank last."""
        names = self.severity_names()
        return names.index(name) if name in names else len(names)

    def review_severity(self, own: str, incidents: Iterable[str] = ()) -> str:
        """The severity a postmortem's review answers to: the most severe of its own and its
        incidents' (a postmortem cannot ask fewer approvals than its incident by saying it was
        less severe), its own on a tie; names not configured count for nothing."""
        known = [name for name in (own, *incidents) if self.severity(name) is not None]
        return min(known, key=self.severity_rank, default=own)

    def required_approvals(self, severity: str | None) -> int:
        level = self.severity(severity) if severity else None
        return level.approvals if level else 1

    def required_team_approvals(self, severity: str | None) -> int:
        level = self.severity(severity) if severity else None
        if level is not None and level.team_approvals is not None:
            return level.team_approvals
        return self.review.team_approvals

    def required_sections(self, kind: str, severity: str | None) -> tuple[str, ...]:
        if kind == "incident":
            return self.incident_sections
        level = self.severity(severity) if severity else None
        if level is not None and level.sections is not None:
            return level.sections
        return self.postmortem_sections

    def section_names(self, name: str) -> tuple[str, ...]:
        """The headings the section `name` (by its default name: "Timeline") is read under, as
        lint reads it (templates.titled matches them): its name, and the aliases the
        configuration gives it under its name as the section lists spell it, and theirs
        (`Timeline = ["Chronology"]` reads "## Chronology" as the timeline); and a listed section
        the configuration gives it as an alias of (`Chronology = ["Timeline"]`: lint takes a
        `## Timeline` heading for the Chronology, so "## Chronology" is the timeline too)."""
        names = [name]
        wanted = normalise(name)
        for title, aliases in self.section_aliases.items():
            if title not in names and any(normalise(alias) == wanted for alias in aliases):
                names.append(title)
        for known in names:  # grows as it goes: an alias listed as a section has aliases too
            for title, aliases in self.section_aliases.items():
                if normalise(title) == normalise(known):
                    names += [other for other in (title, *aliases) if other not in names]
        return tuple(names)

    def section_heading(self, kind: str, name: str, severity: str | None = None) -> str:
        """The heading a command writes for the section `name` in a record of `kind`: the
        required section read under one of its names, as the list spells it, else `name`."""
        wanted = {normalise(other) for other in self.section_names(name)}
        required = self.required_sections(kind, severity)
        return next((title for title in required if normalise(title) in wanted), name)


def archive_present(root: Path, config: Config) -> bool:
    """Whether `root` holds an archive: a records folder, or our table in pyproject.toml."""
    if (root / config.incidents_dir).is_dir() or (root / config.postmortems_dir).is_dir():
        return True
    try:
        text = (root / CONFIG_FILE).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return f"[tool.{TABLE}" in text


NO_ARCHIVE = (
    "no incident archive in {root}: no {incidents}/ or {postmortems}/ folder and no "
    "[tool.incident-docs] table in pyproject.toml. Run the command inside the repository "
    "(or pass --root PATH), or create an archive here with 'incident init'"
)


def find_root(start: Path | None = None) -> Path:
    """The repository root: the nearest folder with a pyproject.toml naming our table, else the
    git repository's root (.git). Never above that: a repository inside another one (a nested
    clone, a submodule) is its own archive, not the outer one's. The start when there is none."""
    here = (start or Path.cwd()).resolve()
    return repository_of(here) or here


def repository_of(start: Path) -> Path | None:
    """The repository root above `start` as find_root finds it, or None when there is none."""
    for folder in (start, *start.parents):
        pyproject = folder / CONFIG_FILE
        if pyproject.is_file():
            try:
                if f"[tool.{TABLE}" in pyproject.read_text(encoding="utf-8", errors="replace"):
                    return folder
            except OSError:
                pass
        if (folder / ".git").exists():
            return folder
    return None


def git_folder(folder: Path) -> Path | None:
    """The folder itself or the nearest one above it that holds `.git` (a folder, or the file of
    a work tree), as written: None when there is none."""
    return next((f for f in (folder, *folder.parents) if (f / ".git").exists()), None)


def git_top(root: Path) -> Path:
    """The root of the git repository the archive is in, which GitHub names every file from:
    the archive's root itself when it is that, or in no git repository. A checkout made without
    git (actions/checkout on a runner that has none downloads the files, no .git) is named from
    the GitHub Actions workspace it is in: taken for the archive's root, an archive kept in a
    subfolder went unjudged by the review gate."""
    here = root.resolve()
    found = git_folder(here)
    if found is not None:
        return found
    workspace = os.environ.get("GITHUB_WORKSPACE")
    if workspace and os.path.isabs(workspace) and here.is_relative_to(Path(workspace).resolve()):
        return Path(workspace).resolve()
    return here


def unmade_root_problem(given: Path) -> str | None:
    """Why `incident --root FOLDER init` may not create FOLDER, which is not there; None when it
    may. It makes a folder only in the work tree of a git repository (an archive in a subfolder
    of a larger one), as named: never in a folder that is a file, after a `..` from a folder that
    is not there, inside `.git`, in no repository (a mistyped path), or through a symbolic link
    that leads out of the repository the path names."""
    written = Path.cwd() / given
    parts = written.parts
    cut = next(
        (cut for cut in range(len(parts) - 1, 0, -1) if os.path.lexists(Path(*parts[:cut]))), 1
    )

    def shown(cut: int) -> str:  # as given: from the current folder, or from /
        place = Path(*parts[:cut])
        return str(place) if given.is_absolute() else os.path.relpath(place)

    there = Path(*parts[:cut])  # the innermost folder on the way that is there
    if not there.is_dir():
        return f"{shown(cut)} is not a folder"
    if ".." in parts[cut:]:
        return f"'..' follows {shown(parts.index('..', cut))}, which is not there"
    real = Path(os.path.realpath(there))
    if ".git" in real.parts:
        return "init does not make a folder inside .git"
    repository = git_folder(real)
    if repository is None:
        return (
            f"{real} is in no git repository: init makes a folder only in one (make it, or "
            "run 'git init', first)"
        )
    named = Path(os.path.normpath(written))
    lexical = git_folder(named.parent)
    if lexical is None or Path(os.path.realpath(lexical)) != repository:
        return f"a symbolic link on the way leads to {real}, out of the repository"
    return None


def archive_folder(root: Path) -> str:
    """The archive's folder from the root of its git repository (`ops/postmortems`), "" when
    the archive is at that root: an archive kept in a subfolder of a larger repository."""
    here = root.resolve()
    folder = here.relative_to(git_top(here)).as_posix()
    return "" if folder == "." else folder


def from_git_top(folder: str, path: str) -> str:
    """A path from the archive's root as named from the git repository's root (see
    archive_folder): `postmortems/PM-….md` is `ops/postmortems/PM-….md`."""
    return posixpath.normpath(f"{folder}/{path}") if folder else path


def load_config(root: Path, path: Path | None = None) -> Config:
    """Read and validate the configuration; raise UsageError with readable lines on failure."""
    source = path or root / CONFIG_FILE
    if not source.exists():
        if path is not None:
            raise UsageError(f"{source}: configuration file not found")
        return Config()
    # The archive's own file is named as its other files are, from the root (SP003, the roster);
    # one given with --config as it was given.
    label = str(source) if path is not None else CONFIG_FILE
    if path is None and not source.is_file():  # a pipe would block, a device never end
        raise UsageError(f"{label}: cannot read: not a regular file")
    raw = read_limited(source, label)
    return parse_config(utf8_text(raw, label), label)


SETTINGS_FILE_LIMIT = 10_000_000
"""The most bytes a configuration file or the roster is read to: more is no such file (a
device such as /dev/zero never ends, and a huge file would be held in memory whole)."""


def read_limited(path: Path, label: str, limit: int = SETTINGS_FILE_LIMIT) -> bytes:
    """The file's bytes, or UsageError naming `label` when it cannot be read or is too large.
    A pipe is read to its end (`--config <(…)`)."""
    try:
        with path.open("rb") as stream:
            raw = stream.read(limit + 1)
    except OSError as exc:
        raise UsageError(f"{label}: cannot read: {exc.strerror or exc}") from None
    if len(raw) > limit:
        raise UsageError(f"{label}: cannot read: over {limit:,} bytes")
    return raw


def parse_config(text: str, label: str) -> Config:
    """The configuration in a pyproject.toml's text; UsageError lines say `label: where: what`."""
    if text.startswith("\ufeff"):
        # TOML (and pip) refuse it: "Invalid statement (column 1)" would not say what is there.
        raise UsageError(
            f"{label}:1: invalid TOML: the file starts with a byte order mark (BOM): save it "
            "as UTF-8 without one"
        )
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(toml_error(label, exc)) from None
    except ValueError as exc:  # an integer of 5,000 digits, say
        too_long = too_long_number_line(text)
        if too_long is not None:
            raise UsageError(f"{label}:{too_long[0]}: invalid TOML: {too_long[1]}") from None
        raise UsageError(f"{label}: invalid TOML: {' '.join(str(exc).split())}") from None
    except RecursionError:
        raise UsageError(f"{label}: invalid TOML: it nests too deeply") from None
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise UsageError(f"{label}: tool must be a table")
    table: Any = tool.get(TABLE, {})
    if not isinstance(table, dict):
        raise UsageError(f"{label}: tool.{TABLE} must be a table")
    try:
        config = Config.model_validate(table)
    except ValidationError as exc:
        errors = exc.errors()
        lines = []
        found = _key_lines(text)
        for error in errors[:MAX_SETTING_ERRORS]:
            item = error.get("ctx", {}).get(ITEM, ())  # an error about one item of a list
            path = ("tool", TABLE, *map(str, (*error["loc"], *item)))
            message = str(error["msg"]).removeprefix("Value error, ")  # pydantic's wording
            for pydantic, toml in _IN_TOML_WORDS:
                message = pydantic.sub(toml, message)
            if error["type"] == "extra_forbidden":
                message = _unknown_setting(tuple(error["loc"]))
            lines.append(_at_setting(label, found, path, message))
        if len(errors) > MAX_SETTING_ERRORS:
            lines.append(f"{label}: and {len(errors) - MAX_SETTING_ERRORS} more")
        raise UsageError("\n".join(lines)) from None
    config.lint._problems = _lint_problems(config.lint, table.get("lint"), text, label)
    return config


_TOML_PLACE = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


def toml_error(label: str, error: tomllib.TOMLDecodeError) -> str:
    """`label:line: invalid TOML: what (column n)`: the line where every other error has it,
    not at the end of tomllib's message."""
    message = " ".join(str(error).split())
    place = _TOML_PLACE.search(message)
    if place is None:
        return f"{label}: invalid TOML: {message}"
    what = message[: place.start()]
    return f"{label}:{place.group(1)}: invalid TOML: {what} (column {place.group(2)})"


def _lint_problems(lint: LintConfig, raw: Any, text: str, label: str) -> tuple[str, ...]:
    """An error line for each rule code or prefix no rule has, naming its line: a mistyped one
    in `ignore`, `severity` or `per-file-ignores` would silently do nothing; and for a code
    given twice in `severity`, in two cases ("BL001" and "bl001"): which was meant?"""
    from incident_docs.rules import ALL_RULES  # the rules read the configuration themselves

    found: list[str] = []
    keys: dict[tuple[str, ...], int] = {}

    def at(path: tuple[str, ...], message: str) -> None:
        if not keys:
            keys.update(_key_lines(text))  # read once, and only for a problem
        found.append(_at_setting(label, keys, ("tool", TABLE, "lint", *path), message))

    given = raw.get("severity") if isinstance(raw, dict) else None
    seen: set[str] = set()
    for code in given if isinstance(given, dict) else ():
        if code.upper() in seen:
            at(("severity", code), f"'{code}' is given twice (codes are read in any case)")
        seen.add(code.upper())
    for where, codes in lint.codes().items():
        for code in codes:
            if not any(known.startswith(code) for known in ALL_RULES):
                at(where, f"unknown rule code or prefix '{code}' (see 'incident rules')")
    return tuple(found)


def _unknown_setting(loc: tuple[Any, ...]) -> str:
    """What to say of a setting no model has: the one it resembles, or those there are."""
    model: Any = Config
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = next((f for n, f in model.model_fields.items() if _kebab(n) == part), None)
        inner = model_in(field.annotation, _Section) if field is not None else None
        if inner is None:
            return "unknown setting"
        model = inner
    names = [_kebab(name) for name in model.model_fields]
    close = difflib.get_close_matches(str(loc[-1]), names, n=1, cutoff=0.6)
    if close:
        return f"unknown setting: did you mean '{close[0]}'?"
    return f"unknown setting (known here: {', '.join(names)})"


def model_in(annotation: Any, base: type[BaseModel] = BaseModel) -> Any:
    """The model of `base`'s kind an annotation holds (`tuple[SeverityLevel, ...]`:
    SeverityLevel), or None."""
    if isinstance(annotation, type) and issubclass(annotation, base):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = model_in(arg, base)
        if found is not None:
            return found
    return None


def _at_setting(
    label: str, found: dict[tuple[str, ...], int], path: tuple[str, ...], message: str
) -> str:
    """`label:line: tool.incident-docs.key: message`, the line of the setting when written."""
    line = _setting_line(found, path)
    return f"{label}{f':{line}' if line else ''}: {'.'.join(path)}: {message}"


ITEM = "item"
"""The key of a validation error's context that holds where, inside the setting, the error is
(an item's index and key): the line of `[[…severities]]`'s second `name`, not of the array."""

MAX_SETTING_ERRORS = 20
"""The most settings one error message lists: a list of 20,000 wrong items is one mistake."""
_IN_TOML_WORDS = (
    (re.compile(r"a valid (?:tuple|list|set|frozenset)\b"), "an array"),
    (re.compile(r"a valid dictionary(?: or instance of \w+)?"), "a table"),
)
"""pydantic's names for Python's types, in the words of TOML, which the user wrote."""
_PART = r"(?:[\w-]+|\"[^\"\n]*\"|'[^'\n]*')"
_TABLE_HEADER = re.compile(rf"\s*(\[\[?)\s*({_PART}(?:\s*\.\s*{_PART})*)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(rf"\s*({_PART}(?:\s*\.\s*{_PART})*)\s*=")
_KEY_PARTS = re.compile(_PART)
_MULTILINE_STRING = re.compile(r'"""|\'\'\'')


def _toml_lines(text: str) -> list[str]:
    """The lines of TOML text as TOML, editors and GitHub number them: broken at line feeds
    only, not at the U+2028 or U+0085 a string or a comment may hold."""
    return [line.removesuffix("\r") for line in text.split("\n")]


def _key_lines(text: str) -> dict[tuple[str, ...], int]:
    """Each table and key of the TOML text (an array's tables by their index), with the line
    that first names it: read line by line, as people write pyproject.toml, outside multi-line
    strings."""
    found: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    arrays: dict[tuple[str, ...], int] = {}  # [[name]] -> how many tables of it so far
    open_string: str | None = None
    for number, line in enumerate(_toml_lines(text), start=1):
        if open_string is not None or '"""' in line or "'''" in line:
            # Inside a multi-line string no line is a table or a key; a line that opens one is
            # read for the key before it.
            quotes = _MULTILINE_STRING.findall(line)
            was_open = open_string is not None
            for quote in quotes:
                if open_string is None:
                    open_string = quote
                elif quote == open_string:
                    open_string = None
            if was_open:
                continue
        header = _TABLE_HEADER.match(line)
        if header is not None:
            table = _dotted(header.group(2))
            if header.group(1) == "[[":  # the next table of an array: by its index
                arrays[table] = arrays.get(table, -1) + 1
                table = (*table, str(arrays[table]))
            # Each table on the way too: `[tool.incident-docs.severity.SEV1]` is where the
            # unknown `severity` is written.
            for end in range(1, len(table) + 1):
                found.setdefault(table[:end], number)
            continue
        key = _KEY.match(line)
        if key is not None:
            dotted = table + _dotted(key.group(1))
            for end in range(len(table) + 1, len(dotted) + 1):
                found.setdefault(dotted[:end], number)
    return found


def _setting_line(found: dict[tuple[str, ...], int], path: tuple[str, ...]) -> int:
    """The line of the setting (see _key_lines), or else of the deepest table or key on the way
    to it; 0 when none is written."""
    return next((found[path[:n]] for n in range(len(path), 0, -1) if path[:n] in found), 0)


def string_positions(
    text: str, path: tuple[str, ...]
) -> tuple[tuple[int, int], dict[str, list[tuple[int, int]]]]:
    """Where the setting `path` of [tool.incident-docs] is in the TOML text (the line of the
    deepest table or key on the way to it; the first line when there is none), and the line
    and column (from 1) of each string value written on one line from there on, by value, in
    order: escapes read as TOML reads them, comments left out."""
    line = _setting_line(_key_lines(text), ("tool", TABLE, *path)) or 1
    places: dict[str, list[tuple[int, int]]] = {}
    for number, written in enumerate(_toml_lines(text)[line - 1 :], start=line):
        for match in _STRING_OR_COMMENT.finditer(written):
            token = match.group(0)
            if token == "#":
                break
            try:
                value = tomllib.loads(f"v = {token}")["v"]
            except tomllib.TOMLDecodeError:
                continue
            places.setdefault(value, []).append((number, match.start() + 1))
    return (line, 1), places


_STRING_OR_COMMENT = re.compile(
    r'"""(?:[^\\]|\\.)*?"""|\'\'\'.*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|#'
)
"""A TOML string on one line (basic, literal, either of them in triple quotes), or what opens
a comment."""


def _dotted(name: str) -> tuple[str, ...]:
    """A dotted key's parts, a quoted part whole ("postmortems/*.md")."""
    return tuple(part.strip("\"'") for part in _KEY_PARTS.findall(name))
