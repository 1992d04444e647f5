"""Linting the archive in a separate process while MkDocs builds, so the check costs no build time."""

from __future__ import annotations

import multiprocessing
import os
import sys
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from incident_docs.config import Config
from incident_docs.diagnostics import UsageError
from incident_docs.models import Roster
from incident_docs.terminal import log_line, printable


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    column: int
    code: str
    severity: str
    message: str

    def __str__(self) -> str:
        """One line, as `incident lint` writes it, for the build's log: GitHub Actions runs the
        build and obeys a line of its log that starts with "::", so a line break or a control
        character in a file name is written out, not obeyed."""
        path = printable(self.path, lines=False)
        return log_line(
            f"{path}:{self.line}:{self.column}: {self.code} {' '.join(self.message.split())}"
        )


def _work(root: Path, config: Config, roster: Roster, conn: Connection) -> None:
    try:
        # Its result is wanted only when the build ends: the build and its page process go first.
        if hasattr(os, "nice"):
            os.nice(10)
        # Imported here so the build process never pays for loading every rule.
        from incident_docs.rules.base import LintContext  # noqa: I001 (rules before the linter)
        from incident_docs.linter import lint, selection_from, usable_cpus

        # One CPU the build may use is left to the build itself.
        jobs = max(1, usable_cpus() - 1)
        result = lint(LintContext(root, config, roster), selection_from(config), jobs=jobs)
        conn.send(
            [
                Problem(d.path, d.line, d.column, d.code, d.severity.value, d.message)
                for d in result.diagnostics
            ]
        )
    except UsageError as error:
        # Bad input (an examples file or a model file that cannot be used): its one line, as
        # `incident lint` says it, with no Python class name before it.
        conn.send(str(error))
    except BaseException as error:  # reported by the build, never a silent pass
        conn.send(f"{type(error).__name__}: {error}")
    finally:
        conn.close()


class LintJob:
    """Starts `incident lint` of the whole archive now; `result()` waits for its diagnostics."""

    def __init__(self, root: Path, config: Config, roster: Roster) -> None:
        # fork starts at once; elsewhere spawn is the safe choice
        context = (
            multiprocessing.get_context("fork")
            if sys.platform == "linux"
            else multiprocessing.get_context("spawn")
        )
        self._receive, send = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_work, args=(root, config, roster, send), name="incident-docs-lint"
        )
        self._process.start()
        send.close()

    def result(self) -> list[Problem]:
        try:
            payload = self._receive.recv()
        except EOFError:
            payload = f"the lint process ended unexpectedly (exit code {self._process.exitcode})"
        finally:
            self._process.join()
            self._receive.close()
        if isinstance(payload, str):
            raise RuntimeError(payload)
        return list(payload)

    def cancel(self) -> None:
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._receive.close()
