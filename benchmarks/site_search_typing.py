"""Time Material's search as a person uses it: an ID typed key by key, a word, a pasted ID.

    python benchmarks/site_search_typing.py [--incidents 500] [--postmortems 250] [--rounds 3]

Generates the records (benchmarks/site_scale.py's generator: the example pair with shifted
dates, services and tags, at their own times of day), builds the site with the theme settings `incident init` writes, and
again with `search.suggest` added (what archives set up before it was left out), then in
chromium, alternating between the two sites: opens a page, waits for the search index, presses
`/` and types at 80 ms a key. It prints the seconds from the first key until every query has
been answered and the first result is the wanted record, the median of the rounds, and the
ratio of the two sites (Material's worker answers queries one after another, in order).
"""

from __future__ import annotations

import argparse
import contextlib
import random
import re
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from site_scale import REPO, build, generate, served

from support.browser import CHROMIUM, CHROMIUM_ARGS  # site_scale put tests/ on the path

if TYPE_CHECKING:
    from playwright.sync_api import Browser

KEY_DELAY_MS = 80
COUNT_QUERIES = """
(() => {
  window.__asked = 0; window.__answered = 0; window.__ready = false;
  const Base = window.Worker;
  window.Worker = class extends Base {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", ev => {
        const type = ev.data && ev.data.type;
        if (type === 1) window.__ready = true;  // Material's READY
        if (type === 3) window.__answered++;     // RESULT
      });
    }
    postMessage(message, ...rest) {
      if (message && message.type === 2) window.__asked++;  // QUERY
      return super.postMessage(message, ...rest);
    }
  };
})();
"""
ANSWERED = """([want]) => {
  if (window.__asked === 0 || window.__answered < window.__asked) return false;
  const first = document.querySelector("li.md-search-result__item > a.md-search-result__link");
  return first !== null && (!want || first.getAttribute("href").includes(want));
}"""


_CLOCK = re.compile(r"(?<=\d{4}-\d{2}-\d{2}T)(\d{2}):(\d{2})")


def _move_clock(text: str, minutes: int) -> str:
    def move(match: re.Match[str]) -> str:
        moved = int(match.group(1)) * 60 + int(match.group(2)) + minutes
        return f"{moved // 60:02d}:{moved % 60:02d}"

    return _CLOCK.sub(move, text)


def archive(root: Path, incidents: int, postmortems: int) -> str:
    """The records; the ID of the incident to search for (a postmortem's, with one).

    Each incident and its postmortem start at their own time of day, as real ones do: the
    generator's all start at 12:32 (moved by -12 h to +7 h, they end the same day)."""
    generate(root, 2 * incidents)
    for index, path in enumerate(sorted((root / "incidents").glob("*.md"))):
        minutes = random.Random(index).randint(-720, 420)
        for record in (path, root / "postmortems" / path.name.replace("INC-", "PM-", 1)):
            record.write_text(_move_clock(record.read_text("utf-8"), minutes), "utf-8")
    kept = sorted((root / "postmortems").glob("*.md"))
    step = max(1, len(kept) // max(1, postmortems)) if postmortems else 0
    keep = set(kept[::step][:postmortems]) if step else set()
    for path in kept:
        if path not in keep:
            path.unlink()
            incident = root / "incidents" / path.name.replace("PM-", "INC-", 1)
            text = incident.read_text(encoding="utf-8")
            incident.write_text(re.sub(r"^postmortem: .*\n", "", text, flags=re.M), "utf-8")
    wanted = sorted(keep)[len(keep) * 3 // 5] if keep else kept[0]
    return wanted.stem.replace("PM-", "INC-", 1)


def site_config(root: Path, name: str, suggest: bool) -> Path:
    """mkdocs.yml: the starter's theme and Markdown settings, the records' own plugin options."""

    # MkDocs's `!ENV [NAME, default]` (site_url) read as its default.
    class SiteLoader(yaml.SafeLoader):
        pass

    SiteLoader.add_constructor("!ENV", lambda _loader, _node: "")
    starter = yaml.load(
        (REPO / "tooling" / "incident_docs" / "starter" / "mkdocs.yml").read_text("utf-8"),
        Loader=SiteLoader,
    )
    features = [f for f in starter["theme"]["features"] if f != "search.suggest"]
    if suggest:
        features.append("search.suggest")
    settings = {
        "site_name": "Benchmark",
        "docs_dir": "docs",
        "site_dir": str(root / name),
        "theme": {**starter["theme"], "features": features},
        "plugins": ["search", {"incident-docs": {"today": "2025-06-01"}}],
        "markdown_extensions": starter["markdown_extensions"],
    }
    config = root / f"{name}.yml"
    config.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    return config


def search_once(browser: Browser, base: str, words: str, want: str, paste: bool) -> float:
    """Seconds from the first key to the answer of the last query showing `want` first."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.add_init_script(COUNT_QUERIES)
    page.goto(base + "about/", wait_until="load")
    page.wait_for_function("window.__ready", timeout=120_000)
    page.keyboard.press("/")
    page.wait_for_timeout(200)
    started = page.evaluate("performance.now()")
    if paste:
        page.locator("input.md-search__input").fill(words)
        page.keyboard.press("End")  # the key up Material searches on
    else:
        page.keyboard.type(words, delay=KEY_DELAY_MS)
    page.wait_for_function(ANSWERED, arg=[want], timeout=300_000, polling=20)
    took = page.evaluate("performance.now()") - started
    context.close()
    return float(took) / 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=500)
    parser.add_argument("--postmortems", type=int, default=250)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--word", default="saturation")
    options = parser.parse_args()
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="site-search-"))
    try:
        wanted = archive(work, options.incidents, options.postmortems)
        tail = wanted.split("-", 4)[4]  # the ID without INC- and its date
        sites = {}
        for name, suggest in (("shipped", False), ("with-suggest", True)):
            took, _cpu = build(site_config(work, name, suggest))
            sites[name] = work / name
            print(f"built '{name}' in {took:.1f} s", flush=True)
        index = sites["shipped"] / "search" / "search_index.json"
        print(
            f"{options.incidents} incidents, {options.postmortems} postmortems; search index "
            f"{index.stat().st_size / 1e6:.1f} MB; searching for {wanted}",
            flush=True,
        )
        cases = [
            ("ID typed", wanted, wanted + "/", False),
            ("ID end typed", tail, wanted + "/", False),
            ("one word typed", options.word, "", False),
            ("ID pasted", wanted, wanted + "/", True),
        ]
        times: dict[tuple[str, str], list[float]] = {}
        with sync_playwright() as p, contextlib.ExitStack() as stack:
            browser = p.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            bases = {name: stack.enter_context(served(site)) for name, site in sites.items()}
            for _ in range(options.rounds):
                for label, words, want, paste in cases:
                    for name in sites:  # alternating, so a busy moment hurts both alike
                        took = search_once(browser, bases[name], words, want, paste)
                        times.setdefault((label, name), []).append(took)
            browser.close()
        for label, words, _want, paste in cases:
            shipped = statistics.median(times[(label, "shipped")])
            suggested = statistics.median(times[(label, "with-suggest")])
            typing = 0.0 if paste else len(words) * KEY_DELAY_MS / 1000
            print(
                f"{label:>15} ({words!r}): {shipped:5.2f} s as shipped, {suggested:5.2f} s with "
                f"search.suggest ({suggested / shipped:.1f}x); typing it takes {typing:.2f} s",
                flush=True,
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
