"""Benchmark the blameless-language engine against the labelled corpora, and against alex if available."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tooling"))

from incident_docs.blameless import check_text  # noqa: E402

CORPORA = (
    "tests/blameless_corpus.tsv",
    "tests/blameless_holdout.tsv",
    # Written independently of the rules, in the style of published postmortems.
    "tests/blameless_fresh.tsv",
)
# Reused between runs so alex is installed once per machine, never into the repository.
ALEX_PREFIX = Path(tempfile.gettempdir()) / "incident-docs-alex"
ALEX_WARNING = re.compile(r"^\s*(\d+):(\d+)(?:-\d+:\d+)?\s+warning\b", re.MULTILINE)

Row = tuple[str, str, str]


def load(path: Path) -> list[Row]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t")
        return [(row["label"], row["category"], row["sentence"]) for row in reader]


def report(name: str, rows: Sequence[Row], flagged: Sequence[bool]) -> None:
    tp = sum(1 for (label, _, _), f in zip(rows, flagged, strict=True) if label == "blame" and f)
    fp = sum(1 for (label, _, _), f in zip(rows, flagged, strict=True) if label == "ok" and f)
    blame = sum(1 for label, _, _ in rows if label == "blame")
    ok = len(rows) - blame
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / blame if blame else 0.0
    print(
        f"  {name}: precision {precision:.3f}  recall {recall:.3f}  FP rate {fp / max(1, ok):.3f}"
    )
    per_category: dict[str, list[bool]] = defaultdict(list)
    for (_, category, _), f in zip(rows, flagged, strict=True):
        per_category[category].append(f)
    parts = []
    for category in sorted(per_category):
        flags = per_category[category]
        share = sum(flags) / len(flags)
        # For blame categories this is recall; for ok-* categories it is the false-positive rate.
        parts.append(f"{category} {'R' if category.startswith('BL') else 'FP'}={share:.2f}")
    print("    " + "  ".join(parts))


def ours(sentences: Sequence[str]) -> tuple[list[bool], float]:
    flagged = [bool(check_text(s)) for s in sentences]
    repeats = max(1, 20000 // max(1, len(sentences)))
    start = time.perf_counter()
    for _ in range(repeats):
        for sentence in sentences:
            check_text(sentence)
    elapsed = time.perf_counter() - start
    return flagged, repeats * len(sentences) / elapsed


def find_alex() -> list[str] | None:
    """Command that runs alex, installing it under the temp dir if needed; None if impossible."""
    local = ALEX_PREFIX / "node_modules" / ".bin" / "alex"
    candidates: list[Callable[[], list[str] | None]] = [
        lambda: [str(local)] if local.exists() else None,
        lambda: [found] if (found := shutil.which("alex")) else None,
        lambda: ["npx", "--no-install", "alex"] if shutil.which("npx") else None,
    ]
    for candidate in candidates:
        command = candidate()
        if command and _runs(command):
            return command
    if shutil.which("npm") is None:
        return None
    print(f"installing alex with npm under {ALEX_PREFIX} ...", flush=True)
    ALEX_PREFIX.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        ["npm", "install", "--prefix", str(ALEX_PREFIX), "--no-audit", "--no-fund", "alex"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode == 0 and local.exists() and _runs([str(local)]):
        return [str(local)]
    print(result.stderr[-2000:])
    return None


def _runs(command: list[str]) -> bool:
    try:
        result = subprocess.run(
            [*command, "--version"], capture_output=True, text=True, timeout=120, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0


def run_alex(command: list[str], sentences: Sequence[str]) -> tuple[list[bool], float]:
    """Run alex once on a text file with one sentence per paragraph; map warnings back by line."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sentences.txt"
        # Line 2*i+1 holds sentence i; blank lines keep each sentence its own paragraph.
        path.write_text("\n\n".join(sentences) + "\n", encoding="utf-8")
        start = time.perf_counter()
        result = subprocess.run(
            [*command, "--text", str(path)],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
            cwd=tmp,
        )
        elapsed = time.perf_counter() - start
    output = result.stdout + result.stderr
    flagged = [False] * len(sentences)
    for match in ALEX_WARNING.finditer(output):
        line = int(match.group(1))
        if line % 2 == 1 and (line - 1) // 2 < len(sentences):
            flagged[(line - 1) // 2] = True
    return flagged, len(sentences) / elapsed


def main() -> int:
    corpora = {name: load(REPO / name) for name in CORPORA}
    all_rows = [row for rows in corpora.values() for row in rows]
    sentences = [sentence for _, _, sentence in all_rows]

    print("incident-docs blameless engine")
    flagged, speed = ours(sentences)
    offset = 0
    for name, rows in corpora.items():
        report(Path(name).name, rows, flagged[offset : offset + len(rows)])
        offset += len(rows)
    report("all", all_rows, flagged)
    print(f"  speed: {speed:,.0f} sentences/second")

    command = find_alex()
    if command is None:
        print("\nalex could not be run or installed (no npm, or the registry is unreachable):")
        print("only incident-docs figures are shown.")
        return 0
    print(f"\nalex ({' '.join(command)})")
    alex_flagged, alex_speed = run_alex(command, sentences)
    offset = 0
    for name, rows in corpora.items():
        report(Path(name).name, rows, alex_flagged[offset : offset + len(rows)])
        offset += len(rows)
    report("all", all_rows, alex_flagged)
    print(f"  speed: {alex_speed:,.0f} sentences/second (one process, including Node start-up)")
    # A larger input shows alex's steady-state speed, so start-up alone does not decide the ratio.
    big = list(sentences) * 10
    _, alex_big_speed = run_alex(command, big)
    print(f"  speed on {len(big)} sentences: {alex_big_speed:,.0f} sentences/second")
    print(
        f"\nspeed ratio (incident-docs / alex): {speed / alex_speed:,.0f}x single run, "
        f"{speed / alex_big_speed:,.0f}x on the larger input"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
