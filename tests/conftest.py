"""Shared fixtures: a copy of the example archive to change, and a CLI runner."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from incident_docs.cli import main

REPO = Path(__file__).resolve().parent.parent
ARCHIVE_PARTS = ("incidents", "postmortems", "people.yaml", "pyproject.toml")


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """A throwaway copy of the example archive (records, roster and configuration)."""
    root = tmp_path / "repo"
    root.mkdir()
    for part in ARCHIVE_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, root / part)
        elif source.exists():
            shutil.copy2(source, root / part)
    return root


RunCli = Callable[..., Result]


@pytest.fixture
def run_cli() -> RunCli:
    """Run `incident --root ROOT ARGS...` in-process; stdin text optional."""

    def run(root: Path, *args: str, input: str | bytes | None = None) -> Result:
        return CliRunner().invoke(main, ["--root", str(root), *args], input=input)

    return run


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> object:
    """Where INCIDENT_DOCS_NO_SKIP is set (the test script, CI), a skipped test fails the run."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if (
        report.skipped
        and os.environ.get("INCIDENT_DOCS_NO_SKIP")
        and not hasattr(report, "wasxfail")
    ):
        report.outcome = "failed"
        report.longrepr = f"skipped, and skips are failures here: {report.longrepr}"
    return None
