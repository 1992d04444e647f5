"""The built archive in a real browser (Debian's chromium): dashboard, search, safety, no network."""

from __future__ import annotations

import contextlib
import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from support.archive import CHRISTMAS, REPO, copy_archive, timeline_entries
from support.browser import CHROMIUM, CHROMIUM_ARGS
from support.site_build import HOSTILE_INCIDENT, build_site

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Dialog, Page, Route


pytestmark = pytest.mark.slow


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def _serve(site: Path) -> Iterator[str]:
    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        thread.join()


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example archive plus a hostile record (in a copy), built with the plugin and served."""
    root = copy_archive(tmp_path_factory.mktemp("browser") / "repo")
    (root / "incidents" / "INC-2024-01-02-hostile-title.md").write_text(HOSTILE_INCIDENT)
    (root / "docs").mkdir()
    for guide in GUIDES:  # hand-written pages: code blocks, plain-text tables, links in text
        shutil.copy2(REPO / "docs" / f"{guide}.md", root / "docs" / f"{guide}.md")
    yield from _serve(build_site(root))


GUIDES = ("blameless", "site")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            "the browser tests need Debian's chromium at /usr/bin/chromium: "
            "apt-get update && apt-get install -y chromium"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


class Visit:
    """A page that records every request and every dialog; requests off 127.0.0.1 are refused."""

    def __init__(self, browser: Browser, base: str) -> None:
        self.base = base
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.page.route("**/*", self._route)
        self.page.on("dialog", self._dialog)

    def _route(self, route: Route) -> None:
        url = route.request.url
        self.requests.append(url)
        if url.startswith(self.base) or url.startswith("data:"):
            route.continue_()
        else:
            route.abort()

    def _dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def outside(self) -> list[str]:
        return [
            u for u in self.requests if not u.startswith(self.base) and not u.startswith("data:")
        ]

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser: Browser, site_url: str) -> Iterator[Visit]:
    opened = Visit(browser, site_url)
    yield opened
    assert opened.outside() == [], "requests left 127.0.0.1"
    opened.close()


def search(page: Page, words: str) -> None:
    """Type as a person does: Material searches on key presses, once its index has loaded."""
    box = page.locator("input.md-search__input")
    box.click()
    page.wait_for_load_state("networkidle")
    box.press_sequentially(words, delay=40)


def test_dashboard_renders(visit: Visit) -> None:
    page = visit.page
    page.goto(visit.base)
    assert page.title().startswith("Dashboard")
    assert page.locator("h1").first.inner_text().startswith("Incident archive")
    assert page.locator(".idocs-tile").count() == 5
    assert page.get_by_role("link", name="Action items").first.is_visible()
    assert visit.outside() == []


def test_search_finds_the_christmas_postmortem_and_opens_it(visit: Visit) -> None:
    page = visit.page
    page.goto(visit.base)
    search(page, "memory leak")
    hit = page.locator("a.md-search-result__link", has_text="Postmortem: corrupt web image")
    hit.first.wait_for(timeout=15_000)
    hit.first.click()
    page.wait_for_url(f"**/postmortems/PM-{CHRISTMAS}/**")
    assert page.locator(".idocs-card .idocs-sev").inner_text() == "SEV2"
    postmortem = (REPO / "postmortems" / f"PM-{CHRISTMAS}.md").read_text(encoding="utf-8")
    rows = page.locator("table.idocs-timeline tbody tr")
    assert rows.count() == len(timeline_entries(postmortem))
    assert "2h 13m" in page.locator(".idocs-card__moments").inner_text()


def test_every_open_action_item_is_on_one_page(visit: Visit) -> None:
    page = visit.page
    page.goto(visit.base + "action-items/")
    text = page.locator("article").inner_text()
    assert "Alert on VM restart loops, not only on error rate" in text
    assert "Canary every web deploy for ten minutes before full rollout" in text


def test_the_action_items_tables_show_every_column_on_a_desktop_screen(
    browser: Browser, site_url: str
) -> None:
    # Beside the table of contents, the Postmortem and Tracker columns had to be scrolled to.
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(site_url + "action-items/")
    widths = page.evaluate(
        "[...document.querySelectorAll('article table')].map(t => [t.scrollWidth, t.clientWidth])"
    )
    page.close()
    assert widths and all(scroll <= client + 1 for scroll, client in widths), widths


def test_hostile_record_runs_no_script_and_injects_nothing(visit: Visit) -> None:
    page = visit.page
    for url in ("", "incidents/", "incidents/INC-2024-01-02-hostile-title/", "browse/tag/config/"):
        page.goto(visit.base + url)
        page.wait_for_timeout(300)
        injected = page.evaluate(
            """() => document.querySelectorAll(
                 'article img[onerror], article iframe, article svg[onload], article [onclick],'
                 + ' article [onmouseover], article a[href^="javascript"], body > div#__config,'
                 + ' article #__config, article script').length"""
        )
        assert injected == 0, url
        page.mouse.move(400, 500)
    assert visit.dialogs == []
    page.goto(visit.base + "incidents/INC-2024-01-02-hostile-title/")
    assert "<script>alert('title')</script>" in page.title()  # shown as text, not run
    search(page, "hostile")
    page.locator(".md-search-result__item").first.wait_for(timeout=15_000)
    page.wait_for_timeout(300)
    assert visit.dialogs == []
    assert page.evaluate("() => document.querySelectorAll('.md-search-result img').length") == 0


@pytest.fixture(scope="module")
def pagefind_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("pagefind") / "repo"
    copy_archive(root)
    yield from _serve(build_site(root, search="pagefind"))


def test_pagefind_search_box_leaves_the_site_name_readable_on_a_phone(
    browser: Browser, pagefind_url: str
) -> None:
    """The header's search box took so much of a phone's header that the site's name was cut to
    one letter and an ellipsis."""
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(pagefind_url)
    name = page.locator(".md-header__topic").first.locator(".md-ellipsis")
    assert name.inner_text() == "Incident archive"
    shown, needed = name.evaluate("element => [element.clientWidth, element.scrollWidth]")
    assert shown >= needed, f"the site's name needs {needed} px and has {shown}"
    box = page.locator(".idocs-header-search input")
    box.fill("memory leak")
    box.press("Enter")
    page.locator(".pagefind-ui__result-link").first.wait_for(timeout=15_000)
    page.close()


def test_pagefind_search_finds_the_postmortem(browser: Browser, pagefind_url: str) -> None:
    visit = Visit(browser, pagefind_url)
    page = visit.page
    page.goto(pagefind_url)
    page.locator(".idocs-header-search input").fill("memory leak")
    page.locator(".idocs-header-search input").press("Enter")
    hit = page.locator(".pagefind-ui__result-link", has_text="corrupt web image")
    hit.first.wait_for(timeout=15_000)
    hit.first.click()
    page.wait_for_url("**/*-corrupt-image-crash-loop/**")
    assert visit.outside() == [] and visit.dialogs == []
    visit.close()


def test_pagefind_search_is_reached_and_used_by_keyboard(
    browser: Browser, pagefind_url: str
) -> None:
    """Material's keys to search (/, s, f) did nothing with Pagefind's box, and the arrow keys
    did not leave the search page's box for its results."""
    visit = Visit(browser, pagefind_url)
    page = visit.page
    for key in ("/", "s", "f"):
        page.goto(pagefind_url + f"incidents/INC-{CHRISTMAS}/")
        page.keyboard.press(key)
        focused = page.evaluate(
            "document.activeElement.closest('form.idocs-header-search') !== null"
        )
        assert focused, key
    page.keyboard.type("memory leak")
    page.keyboard.press("Enter")
    results = page.locator(".pagefind-ui__result-link")
    results.first.wait_for(timeout=15_000)
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.matches('#idocs-search input')")
    assert page.locator("#idocs-search input").input_value() == "memory leak"
    page.keyboard.press("ArrowDown")
    first = results.first.get_attribute("href") or ""
    assert page.evaluate("document.activeElement.getAttribute('href')") == first
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.matches('#idocs-search input')")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url("**/*-corrupt-image-crash-loop/**")
    assert visit.outside() == []
    visit.close()


def test_pagefind_arrow_keys_with_a_modifier_stay_the_browsers(
    browser: Browser, pagefind_url: str
) -> None:
    """Shift with an arrow key selects the box's text, and Alt with one is the browser's: both
    moved to the results instead."""
    page = browser.new_page()
    page.goto(pagefind_url + "search/?q=memory leak")
    page.locator(".pagefind-ui__result-link").first.wait_for(timeout=15_000)
    box = page.locator("#idocs-search input")
    box.focus()
    page.keyboard.press("Home")
    page.keyboard.press("Shift+ArrowDown")
    assert page.evaluate("document.activeElement.matches('#idocs-search input')")
    assert box.evaluate("input => [input.selectionStart, input.selectionEnd]") == [0, 11]
    for key in ("Alt+ArrowDown", "Control+ArrowDown", "Meta+ArrowDown"):
        box.focus()
        page.keyboard.press(key)
        assert page.evaluate("document.activeElement.matches('#idocs-search input')"), key
    page.close()


PAGE_TYPES = [
    "",
    f"incidents/INC-{CHRISTMAS}/",
    f"postmortems/PM-{CHRISTMAS}/",
    "postmortems/PM-2023-03-14-payments-db-failover/",
    "action-items/",
    "metrics/",
    "incidents/",
    "postmortems/",
    "browse/",
    *(f"browse/{facet}/" for facet in ("year", "severity", "service", "tag", "status")),
    *(f"{guide}/" for guide in GUIDES),
]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 390])
def test_no_page_type_has_a_serious_accessibility_problem(
    browser: Browser, site_url: str, scheme: str, width: int
) -> None:
    """axe-core on every kind of page, in both colour schemes, at desktop and phone widths:
    contrast included, and no region that scrolls without a way to reach it by keyboard."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    context = browser.new_context(
        color_scheme=scheme,  # type: ignore[arg-type]
        viewport={"width": width, "height": 900},
    )
    problems = []
    for url in PAGE_TYPES:
        page = context.new_page()
        page.goto(site_url + url)
        for violation in axe.run(page).response["violations"]:
            if violation["impact"] in ("serious", "critical"):
                where = [node["target"][0] for node in violation["nodes"][:3]]
                problems.append(f"{url or '/'}: {violation['id']} at {where}")
        page.close()
    context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_material_search_results_have_no_serious_accessibility_problem(
    browser: Browser, site_url: str, scheme: str
) -> None:
    """The words found were in the accent colour (deep orange on white, 2.8:1), and the count of
    results grey on grey."""
    context = browser.new_context(color_scheme=scheme)  # type: ignore[arg-type]
    page = context.new_page()
    page.goto(site_url)
    search(page, "crash loop")
    page.locator(".md-search-result mark").first.wait_for(timeout=15_000)
    problems = serious_problems(page)
    context.close()
    assert not problems, "\n".join(problems)


def test_no_page_type_scrolls_sideways_on_a_phone(browser: Browser, site_url: str) -> None:
    """A wide timeline or picture scrolls in its own box; the page itself fits the screen, down
    to 320 px (WCAG's reflow width)."""
    wide = []
    for screen in (375, 320):
        page = browser.new_page(viewport={"width": screen, "height": 812})
        for url in PAGE_TYPES:
            page.goto(site_url + url)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > screen:
                wide.append(f"{url or '/'} at {screen}: {width} px")
        page.close()
    assert not wide, "\n".join(wide)


SEARCHES = [
    ("memory leak", "corrupt-image-crash-loop"),
    ("No space left on device", "payments-db-failover"),
    ("payments-db", "payments-db-failover"),
    ("certificate expired", "cdn-certificate-expiry"),
    ("static-cdn", "cdn-certificate-expiry"),
    ("search-api", "search-latency"),
    ("index rebuild", "search-latency"),
    ("garbage-collected", "corrupt-image-crash-loop"),
    ("lagging replica", "payments-db-failover"),
    ("unstyled pages", "cdn-certificate-expiry"),
    ("2022-12-25", "corrupt-image-crash-loop"),
]
"""Title words, service names, words from timelines and the date of an ID, each with the record
a reader wants."""

FIRST = [
    ("INC-2023-03-14-payments-db-failover", "incidents/INC-2023-03-14-payments-db-failover"),
    ("PM-2023-08-02-cdn-certificate-expiry", "postmortems/PM-2023-08-02-cdn-certificate-expiry"),
    ("2023-03-14-payments-db-failover", "payments-db-failover"),
    ("2023-08-02", "cdn-certificate-expiry"),
    ("deploy-pipeline", "corrupt-image-crash-loop"),
    ("memory-leak", "corrupt-image-crash-loop"),
    ("eu-west-1b", "corrupt-image-crash-loop"),
]
"""An ID pasted from chat (or without its kind, or its date alone), a service, a tag (which only
the card shows), and a word of one timeline that the Related panels of other records quote: the
record comes first."""


def test_search_finds_the_record_in_the_first_three(visit: Visit) -> None:
    """Material's search: records, not the lists that repeat them, and labelled with severity
    and date."""
    page = visit.page
    missed = []
    for words, wanted in SEARCHES:
        page.goto(visit.base)
        search(page, words)
        results = page.locator("li.md-search-result__item > a.md-search-result__link")
        results.first.wait_for(timeout=15_000)
        top = [results.nth(i).get_attribute("href") or "" for i in range(min(3, results.count()))]
        if not any(wanted in href for href in top):
            missed.append(f"{words!r}: {top}")
    for words, wanted in FIRST:
        page.goto(visit.base)
        search(page, words)
        results = page.locator("li.md-search-result__item > a.md-search-result__link")
        results.first.wait_for(timeout=15_000)
        if wanted not in (results.first.get_attribute("href") or ""):
            missed.append(f"{words!r} first: {results.first.get_attribute('href')}")
    assert not missed, "\n".join(missed)
    page.goto(visit.base)
    search(page, "memory leak")
    first = page.locator("li.md-search-result__item > a.md-search-result__link").first
    first.wait_for(timeout=15_000)
    assert "(SEV2 · 2022-12-25)" in first.inner_text()


def serious_problems(page: Page) -> list[str]:
    """What axe reports as serious or critical on the page, each with where it is."""
    from axe_playwright_python.sync_playwright import Axe

    return [
        f"{violation['id']} at {[node['target'][0] for node in violation['nodes'][:3]]}"
        for violation in Axe().run(page).response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def pagefind_top(page: Page, base: str, words: str) -> list[str]:
    """The links of Pagefind's first three results for the words, searched from the header."""
    page.goto(base)
    box = page.locator(".idocs-header-search input")
    box.fill(words)
    box.press("Enter")
    results = page.locator(".pagefind-ui__result-link")
    results.first.wait_for(timeout=15_000)
    page.wait_for_timeout(300)  # the rest of the results arrive a moment later
    return [results.nth(i).get_attribute("href") or "" for i in range(min(3, results.count()))]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_pagefind_results_have_no_serious_accessibility_problem(
    browser: Browser, pagefind_url: str, scheme: str
) -> None:
    """Pagefind's own colours are for a white page: on the dark scheme its text was dark grey on
    the dark background, and its box was labelled by a title alone."""
    context = browser.new_context(color_scheme=scheme)  # type: ignore[arg-type]
    page = context.new_page()
    page.goto(pagefind_url + "search/?q=memory+leak")
    page.locator(".pagefind-ui__result-link").first.wait_for(timeout=15_000)
    if scheme == "dark":  # as the palette's toggle sets it
        page.evaluate("document.body.setAttribute('data-md-color-scheme', 'slate')")
    problems = serious_problems(page)
    context.close()
    assert not problems, "\n".join(problems)


def test_pagefind_finds_the_record_in_the_first_three(browser: Browser, pagefind_url: str) -> None:
    visit = Visit(browser, pagefind_url)
    page = visit.page
    missed = []
    for words, wanted in SEARCHES:
        top = pagefind_top(page, pagefind_url, words)
        if not any(wanted in href for href in top):
            missed.append(f"{words!r}: {top}")
    for words, wanted in FIRST:
        top = pagefind_top(page, pagefind_url, words)
        if wanted not in top[0]:
            missed.append(f"{words!r} first: {top[0]}")
    visit.close()
    assert not missed, "\n".join(missed)


def test_metrics_charts_are_readable_on_a_phone(browser: Browser, site_url: str) -> None:
    """Scaled down to a phone's screen, the charts' words were 5 px high: the charts keep a
    readable size and scroll sideways in their own box, which a keyboard can reach."""
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(site_url + "metrics/")
    heights = page.evaluate(
        "Array.from(document.querySelectorAll('svg.idocs-chart text'),"
        " t => t.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= 10
    boxes = page.locator("svg.idocs-chart").evaluate_all(
        "charts => charts.map(c => c.parentElement.getAttribute('tabindex'))"
    )
    assert boxes == ["0", "0"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.close()


def test_each_role_stays_beside_its_holder_on_a_phone(browser: Browser, site_url: str) -> None:
    """The card's roles ran on as one line of text: on a phone a holder's handle was wrapped
    to the start of the next line, where it read as holding the role named after it."""
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(site_url + f"incidents/INC-{CHRISTMAS}/")
    lines = page.locator(".idocs-card ul.idocs-inline li").evaluate_all(
        "items => items.map(item => item.getClientRects().length)"
    )
    assert lines == [1, 1, 1]
    # Nor at the start of a line of its own role: "Incident Commander:" too wide for the
    # column put "sam" alone under it, just above "Communications Lead:". (The roster's name
    # after the handle, "(Sam Lindqvist)", may wrap.)
    starts = page.locator(".idocs-card ul.idocs-inline li").evaluate_all(
        """items => items.map(item => {
            const range = document.createRange();
            range.selectNodeContents(item.querySelector('.idocs-person').firstChild);
            return [item.textContent,
                range.getClientRects()[0].left - item.getBoundingClientRect().left];
        })"""
    )
    assert all(offset > 0 for _text, offset in starts), starts
    page.close()


def test_a_screen_reader_hears_the_pictures_title_only_as_its_name(
    browser: Browser, site_url: str
) -> None:
    """The picture named by its title (aria-labelledby) also had the same title, its first
    child, as its description: a screen reader said it once more after naming the picture.
    (Nor is the SVG an image of its own named by the same title: it holds the markers' links.)"""
    page = browser.new_page()
    page.goto(site_url + f"incidents/INC-{CHRISTMAS}/")
    session = page.context.new_cdp_session(page)
    heard = [
        (node["role"]["value"], node.get("name", {}).get("value"), node.get("description"))
        for node in session.send("Accessibility.getFullAXTree")["nodes"]
        if node.get("role", {}).get("value") in ("figure", "image")
        and "Timeline of" in str(node.get("name")) + str(node.get("description"))
    ]
    page.close()
    title = f"Timeline of INC-{CHRISTMAS} over 2h 38m, times in UTC"
    assert heard == [("figure", title, None)]


@pytest.mark.parametrize(("system", "site"), [("dark", "default"), ("light", "slate")])
def test_charts_and_picture_keep_their_words_in_forced_colours(
    browser: Browser, site_url: str, system: str, site: str
) -> None:
    """Windows high contrast paints the page in the system's colours, not an SVG: with the
    site's scheme the other way round (chosen with the palette's toggle), the words of the
    charts and the picture were drawn in the colour of the background."""
    context = browser.new_context(color_scheme=system, forced_colors="active")  # type: ignore[arg-type]
    page = context.new_page()
    unreadable = []
    for url in ("metrics/", f"incidents/INC-{CHRISTMAS}/"):
        page.goto(site_url + url)
        page.evaluate(f"document.body.setAttribute('data-md-color-scheme', '{site}')")
        unreadable += page.evaluate(
            """() => {
                const back = getComputedStyle(document.body).backgroundColor;
                return [...document.querySelectorAll('svg text:not(.idocs-picture__note)')]
                    .filter(t => getComputedStyle(t).fill === back
                        || getComputedStyle(t).fill.startsWith('rgba'))
                    .map(t => t.textContent);
            }"""
        )
    context.close()
    assert not unreadable, unreadable


@pytest.mark.parametrize(("system", "site"), [("dark", "default"), ("light", "slate")])
def test_bars_phases_and_markers_are_edged_in_the_text_colour_in_forced_colours(
    browser: Browser, site_url: str, system: str, site: str
) -> None:
    """The dark scheme edges its bars and phases in its own light grey: in forced colours that
    edge won over the system's text colour, and on a light system it all but vanished (as did
    the faint 90th percentile's)."""
    context = browser.new_context(color_scheme=system, forced_colors="active")  # type: ignore[arg-type]
    page = context.new_page()
    unedged = []
    for url in ("metrics/", f"incidents/INC-{CHRISTMAS}/"):
        page.goto(site_url + url)
        page.evaluate(f"document.body.setAttribute('data-md-color-scheme', '{site}')")
        unedged += page.evaluate(
            """() => {
                const text = getComputedStyle(document.body).color;
                return [...document.querySelectorAll(
                    '.idocs-chart rect, .idocs-phase, .idocs-marker, .idocs-band')]
                    .filter(shape => getComputedStyle(shape).stroke !== text
                        || getComputedStyle(shape).opacity !== '1')
                    .map(shape => shape.getAttribute('class'));
            }"""
        )
    context.close()
    assert not unedged, unedged


def test_titles_in_the_lists_break_between_words_on_a_phone(
    browser: Browser, site_url: str
) -> None:
    """Material's links break anywhere: in a list's table on a phone, a title had the width of
    a syllable, "Postmort" on one line and "em:" on the next. (A hyphen is a place to break.)"""
    page = browser.new_page(viewport={"width": 390, "height": 844})
    broken = []
    for url in ("", "incidents/", "postmortems/", "browse/status/", "action-items/"):
        page.goto(site_url + url)
        broken += page.locator("table.idocs-table a").evaluate_all(
            """links => links.flatMap(link => {
                const text = link.firstChild, words = [], pattern = /[\\w:]+/g;
                for (let m; (m = pattern.exec(text.data)); ) {
                    const range = document.createRange();
                    range.setStart(text, m.index);
                    range.setEnd(text, m.index + m[0].length);
                    const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
                    if (tops.size > 1) words.push(m[0]);
                }
                return words;
            })"""
        )
    page.close()
    assert not broken, broken


def test_a_long_word_in_a_list_still_breaks_on_a_phone(browser: Browser, site_url: str) -> None:
    """Broken only between words, a title holding a URL or a service's name gave its column
    more than the width of the screen, and the browse page scrolled sideways."""
    long = "customer_notifications_dispatcher_v2 at https://status.example.com/incidents/2026/11"
    page = browser.new_page(viewport={"width": 390, "height": 844})
    too_wide = []
    for url, link in (("", "table.idocs-table td > a"), ("browse/", "a.idocs-chip")):
        page.goto(site_url + url)
        page.locator(link).first.evaluate(f"link => {{ link.textContent = {long!r}; }}")
        too_wide += page.locator("table.idocs-table").evaluate_all(
            """tables => tables.flatMap(table => [...table.querySelectorAll('a')]
                .filter(link => link.getBoundingClientRect().width > table.clientWidth / 2)
                .map(link => `${location.pathname}: ${link.textContent}`))"""
        )
    browse = page.locator("table.idocs-browse-table")
    shown, needed = browse.evaluate("table => [table.clientWidth, table.scrollWidth]")
    page.close()
    assert not too_wide, too_wide
    assert needed <= shown, f"the browse table needs {needed} px and has {shown}"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_pagefind_search_boxes_show_where_the_focus_is(
    browser: Browser, pagefind_url: str, scheme: str
) -> None:
    """Material takes the outline off every input: reached by keyboard, the header's box and
    the search page's looked just as they did before."""
    context = browser.new_context(color_scheme=scheme)  # type: ignore[arg-type]
    page = context.new_page()
    unmarked = []
    for url, box in (("", ".idocs-header-search input"), ("search/", "#idocs-search input")):
        page.goto(pagefind_url + url)
        page.keyboard.press("/")  # as Material's search is reached by keyboard
        assert page.evaluate(f"document.activeElement.matches({box!r})"), box
        outline = page.evaluate(
            "(() => { const s = getComputedStyle(document.activeElement);"
            " return [s.outlineStyle, parseFloat(s.outlineWidth)]; })()"
        )
        if outline[0] == "none" or outline[1] < 2:
            unmarked.append(f"{box}: {outline}")
    context.close()
    assert not unmarked, unmarked


FOCUS_CONTRAST = """() => {
    const rgb = c => (c.match(/[\\d.]+/g) || []).map(Number);
    const lum = ([r, g, b]) => [r, g, b].map(v => {
        v /= 255;
        return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    }).reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
    const el = document.activeElement, style = getComputedStyle(el);
    const layers = [];
    for (let n = el; n && n.nodeType === 1; n = n.parentElement) {
        layers.push(rgb(getComputedStyle(n).backgroundColor));
    }
    let back = [255, 255, 255];
    for (const [r, g, b, a = 1] of layers.reverse()) {
        back = [r, g, b].map((v, i) => v * a + back[i] * (1 - a));
    }
    const [one, two] = [lum(rgb(style.outlineColor)), lum(back)].sort((x, y) => y - x);
    return [el.textContent.trim().slice(0, 30), style.outlineStyle, (one + 0.05) / (two + 0.05)];
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_focus_ring_stands_out_from_the_page_in_both_schemes(
    browser: Browser, site_url: str, scheme: str
) -> None:
    """Material rings a focused link, summary or navigation entry in its accent colour: deep
    orange, 2.8:1 on white and less on a card, where WCAG 2.2 asks 3:1 of a focus indicator."""
    context = browser.new_context(color_scheme=scheme)  # type: ignore[arg-type]
    page = context.new_page()
    faint = []
    for url in ("", f"incidents/INC-{CHRISTMAS}/"):
        page.goto(site_url + url)
        for _ in range(40):
            page.keyboard.press("Tab")
            if not page.evaluate("!!document.activeElement.closest('.md-main')"):
                continue
            text, style, contrast = page.evaluate(FOCUS_CONTRAST)
            if style != "none" and contrast < 3:
                faint.append(f"{url or '/'}: {text!r} {contrast:.2f}:1")
    context.close()
    assert not faint, "\n".join(faint)


def test_a_markers_words_are_reached_by_keyboard_and_by_touch(
    browser: Browser, site_url: str
) -> None:
    """A marker of the picture named its entry in a tooltip alone: only the whole picture took
    the focus, and a touch screen has no pointer to rest on it. Each marker leads to its row
    of the timeline table, shown with its words."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    page = context.new_page()
    page.goto(site_url + f"incidents/INC-{CHRISTMAS}/")
    page.locator("figure.idocs-picture").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.matches('.idocs-marker-link')")
    ring = page.evaluate(
        "getComputedStyle(document.activeElement.querySelector('.idocs-marker-hit')).strokeWidth"
    )
    assert ring == "2px"
    page.keyboard.press("Enter")
    row = page.locator("table.idocs-timeline tr:target")
    assert "Declared SEV2 incident" in row.inner_text()  # the first in time, whichever lane
    assert row.evaluate("row => row.getBoundingClientRect().top") >= 48  # under the header
    # The focus goes with it: it was left on the page, and a screen reader said nothing.
    assert row.evaluate("row => row === document.activeElement")
    page.goto(site_url + f"incidents/INC-{CHRISTMAS}/")
    page.locator(".idocs-marker-link").nth(1).tap()
    assert "Drained the crash-looping VMs" in row.inner_text()
    context.close()


def test_a_long_name_on_a_card_wraps_on_a_phone(browser: Browser, tmp_path: Path) -> None:
    # The roster's name beside a handle was kept on one line: a long one ran past the card and
    # the page scrolled sideways.
    root = copy_archive(tmp_path / "repo")
    roster = root / "people.yaml"
    long = "Samuel Maximilianwolfeschlegelsteinhausenbergerdorff-Lindqvist af Vasterbotten"
    roster.write_text(roster.read_text().replace("name: Sam Lindqvist", f"name: {long}"))
    page = browser.new_page(viewport={"width": 320, "height": 812})
    with contextlib.contextmanager(_serve)(build_site(root)) as base:
        page.goto(base + f"incidents/INC-{CHRISTMAS}/")
        assert long in page.locator(".idocs-card").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.close()
