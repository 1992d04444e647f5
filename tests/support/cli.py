"""The `incident` command line in-process, as the `run_cli` fixture runs it."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from click.testing import CliRunner, Result

from incident_docs.cli import main


class RunCli(Protocol):
    """The type of the `run_cli` fixture: `incident --root ROOT ARGS...`, stdin text optional."""

    def __call__(self, root: Path, *args: str, input: str | bytes | None = None) -> Result: ...


def run_cli(root: Path, *args: str, input: str | bytes | None = None) -> Result:
    return CliRunner().invoke(main, ["--root", str(root), *args], input=input)
