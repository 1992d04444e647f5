"""Shared fixtures: archive copies to change, a CLI runner and a fake GitHub API.

Helpers, fakes and sample records that test modules import live in the `support` package.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Generator, Iterator
from pathlib import Path

import pluggy
import pytest
from pytest_httpserver import HTTPServer

from support import cli
from support.archive import REPO, copy_archive, only_christmas
from support.cli import RunCli
from support.github_fake import FakeGitHub

pytest_plugins = ["pytest_httpserver"]  # its `httpserver` fixture serves the fake GitHub API


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """A throwaway copy of the example archive (records, roster and configuration)."""
    return copy_archive(tmp_path / "repo")


@pytest.fixture
def empty_archive(tmp_path: Path) -> Path:
    """A repository with the example configuration and roster and no records yet."""
    root = tmp_path / "repo"
    root.mkdir()
    for name in ("pyproject.toml", "people.yaml"):
        shutil.copy2(REPO / name, root / name)
    return root


@pytest.fixture
def christmas(archive: Path) -> Path:
    """The archive copy with just the Christmas 2022 incident and its postmortem."""
    only_christmas(archive)
    return archive


@pytest.fixture
def run_cli() -> RunCli:
    """Run `incident --root ROOT ARGS...` in-process; stdin text optional."""
    return cli.run_cli


@pytest.fixture
def github(httpserver: HTTPServer) -> Iterator[FakeGitHub]:
    """A fake GitHub API for pull request #7 of acme/ops, served on 127.0.0.1."""
    yield FakeGitHub(httpserver)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pluggy.Result[pytest.TestReport], None]:
    """Where INCIDENT_DOCS_NO_SKIP is set (the test script, CI), a skipped test fails the run."""
    outcome = yield
    report = outcome.get_result()
    if (
        report.skipped
        and os.environ.get("INCIDENT_DOCS_NO_SKIP")
        and not hasattr(report, "wasxfail")
    ):
        report.outcome = "failed"
        report.longrepr = f"skipped, and skips are failures here: {report.longrepr}"
