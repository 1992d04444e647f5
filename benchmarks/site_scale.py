"""Time the archive site at scale: the plugin against plain MkDocs on the same records, same run.

    python benchmarks/site_scale.py [--sizes 500,2000] [--pagefind-records 10000] [--no-serve]
        [--page-sizes 10000]

For each size it generates realistic records (half incidents, half postmortems, made from the
example archive with shifted dates and times, severities, services and tags), then builds
  * with the plugin: `mkdocs build` with incident-docs (lint, cards, pictures, related
    incidents, generated pages, sanitising);
  * plain: what a team without the plugin builds: the same record files, Material and its
    search, records left out of the nav as the plugin leaves them;
and prints both times, the ratio (target: at most 1.3 at 2,000 records), the search index size
and the size of the generated pages (and, with --page-sizes, at more records without building). Then (unless --no-serve) it runs `mkdocs serve` for each,
edits one postmortem, and prints the time to the live reload for both and their ratio (target
at most 1.3). With --pagefind-records N (0 to skip) it builds N records with
`search: pagefind`, loads the search page in chromium, searches one word, and prints how long
the results took and the bytes the search fetched (target: under 1 MB at 10,000 records).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from support.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402  (the tests' launch settings)

EXAMPLE_ID = "2022-12-25-corrupt-image-crash-loop"
SERVICES = (
    "web-frontend", "deploy-pipeline", "payments-api", "search-api", "static-cdn", "auth",
    "checkout", "orders-db", "notifications", "image-resizer", "billing", "mobile-api",
)  # fmt: skip
TAGS = (
    "deployment", "memory-leak", "config", "certificates", "latency", "database", "failover",
    "capacity", "dns", "monitoring", "rollback", "cache", "network", "storage", "third-party",
    "queue", "timeouts", "security", "migration", "load-balancer",
)  # fmt: skip
SEVERITIES = ("SEV2", "SEV3", "SEV3", "SEV4")
SENTENCES = (
    "The {svc} error budget dropped by {n}% during the window.",
    "A retry storm against {svc} doubled the queue depth within {n} minutes.",
    "The {svc} dashboards showed saturation on {n} nodes before the alert fired.",
    "Responders compared the {svc} release notes with the configuration diff.",
    "Capacity on {svc} was raised by {n} instances while the cause was investigated.",
    "The cache hit ratio for {svc} fell to {n}% after the change.",
    "Synthetic checks for {svc} stayed green because they bypassed the {tag} path.",
)
_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})(?!\d)")  # also in 2022-12-25T12:32:00Z


def _shift(text: str, days: int) -> str:
    def move(match: re.Match[str]) -> str:
        moved = date(*(int(g) for g in match.groups())) + timedelta(days=days)
        return moved.isoformat()

    return _DATE.sub(move, text)


def _vary(text: str, index: int, rng: random.Random) -> tuple[str, str]:
    days = index * 2 - 1200
    slug = f"{rng.choice(TAGS)}-{rng.choice(SERVICES)}-{index}"
    services = rng.sample(SERVICES, 2)
    tags = rng.sample(TAGS, 3)
    severity = rng.choice(SEVERITIES)
    new_day = (date(2022, 12, 25) + timedelta(days=days)).isoformat()
    # The ID keeps the example's date, which the shift moves with every other date: a record's
    # ID names the day it happened, as `incident new` names it.
    text = text.replace(EXAMPLE_ID, f"{EXAMPLE_ID[:10]}-{slug}")
    text = _shift(text, days)
    text = text.replace(
        "services: [web-frontend, deploy-pipeline]", f"services: [{', '.join(services)}]"
    )
    text = text.replace("tags: [deployment, memory-leak, config]", f"tags: [{', '.join(tags)}]")
    text = text.replace("SEV2", severity)
    # Every team a generated postmortem involves has approved it (a senior of each).
    text = text.replace("approved_by: [lee]\n", "approved_by: [lee, jo, mei]\n")
    extra = " ".join(
        rng.choice(SENTENCES).format(svc=rng.choice(services), n=rng.randint(2, 90), tag=tags[0])
        for _ in range(4)
    )
    text = text.replace("\n## Timeline\n", f"\n{extra}\n\n## Timeline\n", 1)
    return text, new_day


def generate(root: Path, records: int, seed: int = 7) -> None:
    """records/2 incident and postmortem pairs from the example pair, plus roster and config."""
    rng = random.Random(seed)
    incident = (REPO / "incidents" / f"INC-{EXAMPLE_ID}.md").read_text(encoding="utf-8")
    postmortem = (REPO / "postmortems" / f"PM-{EXAMPLE_ID}.md").read_text(encoding="utf-8")
    for folder in ("incidents", "postmortems", "docs"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    roster = (REPO / "people.yaml").read_text(encoding="utf-8")
    owned: set[str] = set()  # the services of the example teams; one more team owns the rest
    for line in re.findall(r"^    services: \[(.*)\]$", roster, re.MULTILINE):
        owned |= set(line.split(", "))
    others = ", ".join(s for s in SERVICES if s not in owned)
    roster += (
        f"  - name: core\n    members: [jo, priya]\n    seniors: [jo]\n    services: [{others}]\n"
    )
    (root / "people.yaml").write_text(roster, encoding="utf-8")
    shutil.copy2(REPO / "pyproject.toml", root / "pyproject.toml")
    (root / "docs" / "about.md").write_text("# About\n\nThe archive of our incidents.\n")
    for index in range(records // 2):
        state = rng.getstate()
        text, _day = _vary(incident, index, rng)
        rng.setstate(state)  # the postmortem gets the same id, services and tags
        pm_text, _ = _vary(postmortem, index, rng)
        name = re.search(r"^id: (\S+)$", text, re.MULTILINE)
        pm_name = re.search(r"^id: (\S+)$", pm_text, re.MULTILINE)
        assert name and pm_name
        (root / "incidents" / f"{name.group(1)}.md").write_text(text, encoding="utf-8")
        (root / "postmortems" / f"{pm_name.group(1)}.md").write_text(pm_text, encoding="utf-8")


PLUGIN_YML = """site_name: Benchmark
docs_dir: docs
site_dir: {site}
theme: {{name: material, font: false}}
plugins:
  - search
  - incident-docs:
      today: "2025-06-01"
      search: {search}
"""


def plain_tree(root: Path, plain: Path) -> None:
    """What a team without the plugin would build: the same record files and docs/, Material
    and its search, the records left out of the nav as the plugin leaves them out."""
    docs = plain / "docs"
    shutil.copytree(root / "docs", docs)
    for folder in ("incidents", "postmortems"):
        shutil.copytree(root / folder, docs / folder)
    (plain / "mkdocs.yml").write_text(
        f"site_name: Benchmark\ndocs_dir: docs\nsite_dir: {plain / 'site'}\n"
        "theme: {name: material, font: false}\nplugins:\n  - search\nnav:\n  - about.md\n"
        "not_in_nav: |\n  /incidents/*\n  /postmortems/*\n",
        encoding="utf-8",
    )


def page_sizes(root: Path) -> str:
    """The generated pages' Markdown: their total size and the largest."""
    sys.path.insert(0, str(REPO / "tooling"))
    from incident_docs.config import load_config
    from incident_docs.records import load_roster
    from incident_docs.site.archive import load_site_archive
    from incident_docs.site.pages import PageBuilder

    config = load_config(root)
    archive = load_site_archive(root, config, load_roster(root, config))
    pages = PageBuilder(archive, date(2025, 6, 1)).pages()
    sizes = sorted(((len(p.content.encode()), p.src_uri) for p in pages), reverse=True)
    total = sum(size for size, _ in sizes)
    return (
        f"{len(pages)} generated pages, {total / 1e6:.1f} MB in all, the largest "
        f"{sizes[0][1]} {sizes[0][0] / 1e6:.2f} MB"
    )


def build(config_file: Path) -> tuple[float, float]:
    """Wall time and CPU time (the build and every process it started) of one `mkdocs build`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config_file)],
        capture_output=True,
        text=True,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"},
        check=False,
    )
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"build of {config_file} failed:\n{done.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def compare(records: int, work: Path, repeat: int) -> tuple[float, float]:
    root = work / f"archive-{records}"
    generate(root, records)
    (root / "mkdocs.yml").write_text(
        PLUGIN_YML.format(site=root / "site", search="material"), encoding="utf-8"
    )
    plain = work / f"plain-{records}"
    plain_tree(root, plain)
    plain_runs, plugin_runs = [], []
    for _ in range(repeat):  # interleaved, so a busy moment hurts both alike
        plain_runs.append(build(plain / "mkdocs.yml"))
        plugin_runs.append(build(root / "mkdocs.yml"))
    plain_time, plain_cpu = min(plain_runs)
    plugin_time, plugin_cpu = min(plugin_runs)
    index = root / "site" / "search" / "search_index.json"
    plain_index = plain / "site" / "search" / "search_index.json"
    print(
        f"{records:>6} records: plugin {plugin_time:6.2f} s, plain {plain_time:6.2f} s, "
        f"ratio {plugin_time / plain_time:.2f} (target <= 1.30); CPU {plugin_cpu:.1f} s vs "
        f"{plain_cpu:.1f} s (lint, the generated pages and sanitising run in other processes); search index "
        f"{index.stat().st_size / 1e6:.1f} MB (plain {plain_index.stat().st_size / 1e6:.1f} MB)",
        flush=True,
    )
    print(f"{records:>6} records: {page_sizes(root)}", flush=True)
    return plugin_time, plain_time


def serve_rebuild(config_file: Path, record: Path) -> float:
    """Seconds from saving an edit to one record to `mkdocs serve` reloading the browsers."""
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "serve",
            "-f",
            str(config_file),
            "-a",
            f"127.0.0.1:{port}",
        ],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"},
    )
    assert process.stderr is not None
    try:
        _wait_for(process, "Serving on")
        time.sleep(2)  # let the watcher settle
        text = record.read_text(encoding="utf-8")
        started = time.perf_counter()
        record.write_text(
            text.replace("## Summary\n\n", "## Summary\n\nEdited while previewing. ", 1),
            encoding="utf-8",
        )
        _wait_for(process, "Reloading browsers")
        took = time.perf_counter() - started
        record.write_text(text, encoding="utf-8")
        return took
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_for(process: subprocess.Popen[str], words: str) -> None:
    assert process.stderr is not None
    for line in process.stderr:
        if words in line:
            return
        if "ERROR" in line or "Aborted" in line:
            sys.exit(f"mkdocs serve failed: {line.strip()}")
    sys.exit(f"mkdocs serve stopped before '{words}'")


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def compare_serve(records: int, work: Path, repeat: int) -> None:
    """The live-reload rebuild after editing one postmortem, with the plugin and plain."""
    root = work / f"archive-{records}"
    plain = work / f"plain-{records}"
    name = sorted((root / "postmortems").glob("*.md"))[records // 4].name
    plugin_runs, plain_runs = [], []
    for _ in range(repeat):
        plain_runs.append(
            serve_rebuild(plain / "mkdocs.yml", plain / "docs" / "postmortems" / name)
        )
        plugin_runs.append(serve_rebuild(root / "mkdocs.yml", root / "postmortems" / name))
    plugin_time, plain_time = min(plugin_runs), min(plain_runs)
    print(
        f"{records:>6} records: live reload after editing one postmortem: plugin "
        f"{plugin_time:6.2f} s, plain {plain_time:6.2f} s, ratio {plugin_time / plain_time:.2f} "
        "(target <= 1.30)",
        flush=True,
    )


@contextlib.contextmanager
def served(site: Path) -> Iterator[str]:
    """The built site on 127.0.0.1, for the browser measurements."""
    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()


def search_latency(records: int, work: Path, word: str) -> float:
    """Seconds from typing a word into Material's search to the first result on screen.

    The page is opened and the word typed at once, as a person would: the time includes
    loading the search index in the background.
    """
    from playwright.sync_api import sync_playwright

    site = work / f"archive-{records}" / "site"
    with served(site) as base, sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_page()
        page.goto(base, wait_until="load")
        started = time.perf_counter()
        page.fill("input[data-md-component=search-query]", word)
        page.wait_for_selector(".md-search-result__item", timeout=30_000)
        took = time.perf_counter() - started
        results = page.locator(".md-search-result__item").count()
        browser.close()
    print(
        f"{records:>6} records: search for '{word}' typed as the page loads showed {results} "
        f"results {took:.2f} s later (target <= 2 s; the index loads in the background)",
        flush=True,
    )
    return took


def pagefind_fetch(records: int, work: Path, word: str) -> int:
    from playwright.sync_api import sync_playwright

    root = work / f"pagefind-{records}"
    generate(root, records)
    site = root / "site"
    (root / "mkdocs.yml").write_text(PLUGIN_YML.format(site=site, search="pagefind"))
    took, _cpu = build(root / "mkdocs.yml")
    print(f"{records:>6} records: {page_sizes(root)}", flush=True)
    fetched: dict[str, int] = {}
    with served(site) as base, sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_page()
        page.goto(base + "search/")
        page.wait_for_selector(".pagefind-ui__search-input")
        page.on("response", lambda r: fetched.__setitem__(r.url, len(r.body())))
        started = time.perf_counter()
        page.fill(".pagefind-ui__search-input", word)
        page.wait_for_selector(".pagefind-ui__result", timeout=30_000)
        shown = time.perf_counter() - started
        page.wait_for_timeout(1500)
        results = page.locator(".pagefind-ui__result").count()
        browser.close()
    search_bytes = sum(size for url, size in fetched.items() if "/pagefind/" in url)
    bundle = sum(f.stat().st_size for f in (site / "pagefind").rglob("*") if f.is_file())
    print(
        f"{records:>6} records with Pagefind: built in {took:.1f} s; index on disk "
        f"{bundle / 1e6:.1f} MB; searching '{word}' fetched {search_bytes / 1e6:.3f} MB in "
        f"{sum('/pagefind/' in u for u in fetched)} files ({results} results shown "
        f"{shown:.2f} s after typing; target < 1 MB)",
        flush=True,
    )
    return search_bytes


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="500,2000")
    parser.add_argument("--pagefind-records", type=int, default=10_000)
    parser.add_argument(
        "--page-sizes",
        default="10000",
        help="Also print the generated pages' sizes at these record counts (no build).",
    )
    parser.add_argument("--word", default="memory")
    parser.add_argument("--repeat", type=int, default=3, help="Builds of each kind; best kept.")
    parser.add_argument("--keep", action="store_true", help="Keep the generated sites.")
    parser.add_argument(
        "--no-serve", dest="serve", action="store_false", help="Skip the live-reload timing."
    )
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="site-scale-"))
    try:
        sizes = [int(s) for s in options.sizes.split(",") if s]
        for size in sizes:
            compare(size, work, options.repeat)
            if options.serve:
                compare_serve(size, work, options.repeat)
        for size in (int(s) for s in options.page_sizes.split(",") if s):
            if size not in sizes:
                root = work / f"sizes-{size}"
                generate(root, size)
                print(f"{size:>6} records: {page_sizes(root)}", flush=True)
        if sizes:
            search_latency(max(sizes), work, options.word)
        if options.pagefind_records:
            pagefind_fetch(options.pagefind_records, work, options.word)
    finally:
        if options.keep:
            print(f"kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
