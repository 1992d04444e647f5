"""Small archives written file by file and linted in-process, for the rule and hostile-input tests."""

from __future__ import annotations

import os
from pathlib import Path

from incident_docs.config import Config, load_config
from incident_docs.diagnostics import Diagnostic
from incident_docs.linter import Selection, lint
from incident_docs.records import load_roster
from incident_docs.rules.base import LintContext
from support.rule_cases import ROSTER, Files


def write_archive(root: Path, files: Files, symlinks: dict[str, str] | None = None) -> None:
    """The roster of the rule cases and FILES (path -> text or bytes), plus symlinks if given."""
    (root / "people.yaml").write_text(ROSTER, encoding="utf-8")
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    for name, target in (symlinks or {}).items():
        link = root / name
        link.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, link)


def lint_archive(root: Path, config: Config | None = None) -> list[Diagnostic]:
    """Every rule over the archive at ROOT, as `incident lint` runs them (with the archive's
    pyproject.toml, when it has one)."""
    config = config or load_config(root)
    ctx = LintContext(root, config, load_roster(root, config))
    return lint(ctx, Selection()).diagnostics


def codes(diagnostics: list[Diagnostic]) -> set[str]:
    return {d.code for d in diagnostics}
