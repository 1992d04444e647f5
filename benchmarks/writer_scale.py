"""Time the commands run during an incident on an archive of N incidents, against a baseline.

    python benchmarks/writer_scale.py [--incidents 10000] [--runs 3] [--only declare,log]

The archive is the example one (one incident open, `search-latency`) with N - 4 resolved
incidents made from its resolved ones (their IDs, dates, titles, services and summaries
varied), every other one with its postmortem. Each command runs --runs times, interleaved
with the baseline (`incident --version`, the interpreter starting the command line), each
from the same state: what a run wrote is put back before the next. Prints each command's
median and its ratio to the baseline's. The target is about a second for each on 10,000
incidents: they are run at 3 a.m., and read only what they need, not the whole archive.
Commands run as `python -m incident_docs`, so PYTHONPATH chooses the code that is timed.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from lint_scale import WORDS, sentence

REPO = Path(__file__).resolve().parent.parent
COPIED = ("incidents", "postmortems", "people.yaml", "pyproject.toml", "mkdocs.yml", "docs")
OPEN = "INC-2026-11-20-search-latency"
TEMPLATES = (
    "2022-12-25-corrupt-image-crash-loop",
    "2023-03-14-payments-db-failover",
    "2023-08-02-cdn-certificate-expiry",
)
"""The example archive's resolved incidents (and their postmortems), varied into the others."""
SERVICES = (
    "web-frontend", "deploy-pipeline", "static-cdn", "payments-api", "payments-db", "search-api",
)  # fmt: skip
"""The services the example roster's teams own."""


def generate(root: Path, count: int) -> str:
    """The archive in `root`; returns the ID of a resolved incident (for `reopen`)."""
    for name in COPIED:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, root / name)
        else:
            shutil.copy(source, root / name)
    rng = random.Random(20221225)
    first = date(2000, 1, 1)
    sources = {
        stem: (
            (REPO / "incidents" / f"INC-{stem}.md").read_text(encoding="utf-8"),
            (REPO / "postmortems" / f"PM-{stem}.md").read_text(encoding="utf-8"),
        )
        for stem in TEMPLATES
    }
    last = ""
    for index in range(count - 4):
        stem = TEMPLATES[index % len(TEMPLATES)]
        incident, postmortem = sources[stem]
        new_day = (first + timedelta(days=index // 3)).isoformat()
        new_stem = f"{new_day}-{stem[11:]}-{index}"
        word, services = rng.choice(WORDS), sorted(set(rng.sample(SERVICES, 2)))
        text = _vary(incident, stem, new_stem, word, services)
        text = text.replace("\n## Timeline", f"{sentence(rng)}\n\n## Timeline", 1)
        with_postmortem = index % 2 == 0
        if not with_postmortem:
            text = re.sub(r"^postmortem: .*\n", "", text, count=1, flags=re.M)
        last = f"INC-{new_stem}"
        (root / "incidents" / f"{last}.md").write_text(text, encoding="utf-8")
        if with_postmortem:
            (root / "postmortems" / f"PM-{new_stem}.md").write_text(
                _vary(postmortem, stem, new_stem, word, services), encoding="utf-8"
            )
    return last


def _vary(text: str, stem: str, new_stem: str, word: str, services: list[str]) -> str:
    """A record of the example archive as another: its IDs and date, title and services."""
    text = text.replace(stem, new_stem).replace(stem[:10], new_stem[:10])
    text = re.sub(r'^(title: "?.*?)("?)$', rf"\1 in the {word} tier\2", text, count=1, flags=re.M)
    text = re.sub(r"^(# .*)$", rf"\1 in the {word} tier", text, count=1, flags=re.M)
    return re.sub(
        r"^services: \[.*\]$", f"services: [{', '.join(services)}]", text, count=1, flags=re.M
    )


def commands(resolved: str) -> dict[str, list[str]]:
    """What an incident commander runs, with flags only (no question is asked)."""
    i = ["-i", "search-latency"]
    by = ["--by", "priya"]
    return {
        "declare": ["declare", "Checkout fails for EU users", "--because", "user-facing",
                    "--service", "web-frontend", *by, "--yes"],
        "log": ["log", "Restarted the hot shards", *by],
        "log -i": ["log", "Restarted the hot shards", *i, *by],
        "status": ["status", "identified", "two shards hold most documents", *by, "--yes"],
        "status -i": ["status", "identified", "two shards hold most documents", *i, *by, "--yes"],
        "assign": ["assign", "comms", "lee", *by],
        "assign -i": ["assign", "comms", "lee", *i, *by],
        "resolve": ["resolve", "--summary", "Index shards rebalanced; latency normal.", *by],
        "resolve -i": ["resolve", "--summary", "Index shards rebalanced; latency normal.", *i,
                       *by],
        "reopen INCIDENT": ["reopen", resolved, "--because", "errors are back", *by],
        "update": ["update"],
        "update -i": ["update", *i],
        "show": ["show"],
        "show -i": ["show", *i],
        "list --status open": ["list", "--status", "open"],
        "list": ["list"],
        "similar": ["similar"],
        "similar -i": ["similar", *i],
        "similar --text": ["similar", "--text", "search latency after an index rebuild"],
        "postmortem": ["postmortem", *by],
        "postmortem -i": ["postmortem", *i, *by],
    }  # fmt: skip


class State:
    """The records a command may change, as generated: put back after every run."""

    def __init__(self, root: Path, resolved: str) -> None:
        self.root = root
        self.kept = {
            path: path.read_bytes()
            for path in (
                root / "incidents" / f"{OPEN}.md",
                root / "incidents" / f"{resolved}.md",
            )
        }
        self.names = self._names()

    def _names(self) -> set[Path]:
        return {
            path
            for folder in ("incidents", "postmortems")
            for path in (self.root / folder).iterdir()
        }

    def restore(self) -> None:
        for path in self._names() - self.names:
            path.unlink()
        for path, data in self.kept.items():
            path.write_bytes(data)


def run(root: Path, argv: list[str]) -> tuple[float, int, str]:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "incident_docs", "--root", str(root), *argv],
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    said = (result.stderr.strip().splitlines() or [""])[-1]
    return elapsed, result.returncode, said


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", help="Comma-separated command names to time (default: all).")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="writer-scale-") as folder:
        root = Path(folder)
        resolved = generate(root, options.incidents)
        records = sum(1 for _ in (root / "incidents").glob("*.md"))
        postmortems = sum(1 for _ in (root / "postmortems").glob("*.md"))
        print(f"archive: {records:,} incidents (1 open), {postmortems:,} postmortems")
        chosen = commands(resolved)
        if options.only:
            wanted = [name.strip() for name in options.only.split(",")]
            chosen = {name: argv for name, argv in chosen.items() if name in wanted}
        state = State(root, resolved)
        times: dict[str, list[float]] = {"--version": [], **{name: [] for name in chosen}}
        outcome: dict[str, tuple[int, str]] = {}
        for _ in range(options.runs):  # interleaved, so a busy moment hurts all alike
            for name, argv in chosen.items():
                times["--version"].append(run(root, ["--version"])[0])
                took, code, said = run(root, argv)
                state.restore()
                times[name].append(took)
                outcome.setdefault(name, (code, said))
        base = statistics.median(times["--version"])
        print(f"{'incident --version':<30} median {base:6.2f} s (the baseline)")
        for name in chosen:
            took = statistics.median(times[name])
            code, said = outcome[name]
            exit_note = "" if code == 0 else f"  [exit {code}: {said[:90]}]"
            print(
                f"{'incident ' + name:<30} median {took:6.2f} s ({took / base:5.1f}x the "
                f"baseline){exit_note}"
            )


if __name__ == "__main__":
    main()
