"""How well `incident similar` finds the past incidents a responder wants, and how fast.

    python benchmarks/similar_quality.py [--records 10000]

Quality: tests/data/similar holds an archive of past incidents and queries written as new
incidents, each with the records a responder would want to read first. Prints precision at 3
(the share of the top three that are wanted) and hit at 3 (a wanted record among the top three);
then the same for each past incident a query wants, asked as `incident similar INCIDENT` asks,
against the others that query wants.

Speed: the same records cloned to N cases; prints the time to build the index and the median and
slowest query, against a baseline run in the same process (reading the cases' text).
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tooling"))

from incident_docs.config import Config  # noqa: E402
from incident_docs.records import load_archive  # noqa: E402
from incident_docs.related import Case, RelatedIndex, cases_from  # noqa: E402

DATA = REPO / "tests" / "data" / "similar"


def read_queries() -> list[dict[str, str]]:
    with (DATA / "queries.tsv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def quality(index: RelatedIndex) -> tuple[float, float, int]:
    precision: list[float] = []
    hits = 0
    queries = read_queries()
    for query in queries:
        wanted = set(split(query["relevant"]))
        found = index.search(
            query["title"] + " " + query["text"], split(query["services"]), split(query["tags"]), 3
        )
        top = [match.case.ids[0] for match in found]
        good = len(wanted.intersection(top))
        precision.append(good / 3)
        hits += good > 0
    return statistics.mean(precision), hits / len(queries), len(queries)


def quality_between_records(index: RelatedIndex) -> tuple[float, float, int]:
    """As `incident similar INCIDENT` and the Related panels ask: each past incident that some
    query wants, against the others that query wants (they are alike)."""
    wanted: dict[str, set[str]] = {}
    for query in read_queries():
        relevant = split(query["relevant"])
        for record_id in relevant:
            wanted.setdefault(record_id, set()).update(set(relevant) - {record_id})
    precision: list[float] = []
    hits = 0
    for record_id, others in wanted.items():
        if not others:
            continue
        top = [match.case.key for match in index.similar_to(index.cases[record_id], limit=3)]
        good = len(others.intersection(top))
        precision.append(good / min(3, len(others)))
        hits += good > 0
    return statistics.mean(precision), hits / len(precision), len(precision)


def clones(cases: list[Case], count: int) -> list[Case]:
    made = []
    for index in range(count):
        case = cases[index % len(cases)]
        key = f"{case.key}-copy-{index}"
        made.append(replace(case, key=key, ids=(key,)))
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    args = parser.parse_args()
    config = Config()
    cases = cases_from(load_archive(DATA, config), config)
    p3, hit3, n = quality(RelatedIndex(cases))
    best = statistics.mean(min(3, len(split(q["relevant"]))) / 3 for q in read_queries())
    print(f"labelled set: {len(cases)} past incidents, {n} queries")
    print(f"precision at 3: {p3:.2f} (at most {best:.2f}: some queries want fewer than 3)   "
          f"hit at 3: {hit3:.2f}")  # fmt: skip

    p3, hit3, n = quality_between_records(RelatedIndex(cases))
    print(f"like a past incident ({n} of them): precision at 3: {p3:.2f} (of what it can reach)   "
          f"hit at 3: {hit3:.2f}")  # fmt: skip

    many = clones(cases, args.records)
    started = time.perf_counter()
    baseline = sum(len(case.text.split()) for case in many)  # reading every case once
    floor = time.perf_counter() - started
    started = time.perf_counter()
    index = RelatedIndex(many)
    build = time.perf_counter() - started
    timings = []
    for query in read_queries():
        started = time.perf_counter()
        index.search(
            query["title"] + " " + query["text"], split(query["services"]), split(query["tags"]), 5
        )
        timings.append((time.perf_counter() - started) * 1000)
    print(f"\n{args.records:,} cases ({baseline:,} words): index built in {build:.2f} s "
          f"({build / max(floor, 1e-9):.0f}x reading their words once, {floor * 1000:.0f} ms)")  # fmt: skip
    print(f"query: median {statistics.median(timings):.1f} ms, slowest {max(timings):.1f} ms "
          "(target under 200 ms)")  # fmt: skip


if __name__ == "__main__":
    main()
