"""Pagefind search: find the binary from PyPI's package, index the built site, add its search UI."""

from __future__ import annotations

import contextlib
import importlib
import os
import shutil
import signal
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

from mkdocs.exceptions import PluginError
from mkdocs.structure.pages import Page

from incident_docs.site.archive import page_url, relative_url
from incident_docs.site.markup import e

INSTALL_HINT = "install it with: pip install 'incident-docs[pagefind]' (or pagefind[extended])"

_BINARY_PACKAGES = ("pagefind_bin_extended", "pagefind_bin")

TIMEOUT = 1800.0
"""Seconds Pagefind may take over the site before the build fails instead of waiting on."""


def executable() -> Path:
    """The Pagefind binary shipped by pagefind_bin(_extended), else one on PATH."""
    for name in _BINARY_PACKAGES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        try:
            return Path(module.get_executable())
        except (FileNotFoundError, AttributeError):
            continue
    found = shutil.which("pagefind_extended") or shutil.which("pagefind")
    if found:
        return Path(found)
    raise PluginError(f"incident-docs: search: pagefind needs the Pagefind binary; {INSTALL_HINT}")


def index(site_dir: Path) -> str:
    """Run Pagefind over the built site; its index and UI land in site_dir/pagefind/."""
    command = [str(executable()), "--site", str(site_dir)]
    try:
        # In a session of its own: a `pagefind` on PATH may be a wrapper (npm's is), and the
        # binary it starts must stop with it.
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
    except OSError as error:
        raise PluginError(f"incident-docs: cannot run Pagefind ({command[0]}): {error}") from None
    try:
        stdout, stderr = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        _stop(process)
        raise PluginError(
            f"incident-docs: Pagefind did not finish in {TIMEOUT:g} seconds ({command[0]})"
        ) from None
    except BaseException:
        _stop(process)  # Ctrl-C: no Pagefind left writing into the site
        raise
    if process.returncode != 0:
        detail = (stderr or stdout).strip().splitlines()[-5:]
        raise PluginError(
            f"incident-docs: Pagefind failed ({_ending(process.returncode)})"
            + (":" if detail else "")
            + "".join(f"\n{line}" for line in detail)
        )
    return stdout


def _stop(process: subprocess.Popen[str]) -> None:
    """Kill the process and everything it started, and wait for it."""
    if hasattr(os, "killpg"):  # not on Windows, where the session is not a group either
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
    process.kill()
    process.communicate()


def _ending(returncode: int) -> str:
    """How a process ended, from its return code (a signal's is its number, negated)."""
    if returncode > 0:
        return f"exit code {returncode}"
    try:
        return f"killed by {signal.Signals(-returncode).name}"
    except ValueError:
        return f"killed by signal {-returncode}"


_FORM = (
    '<form class="idocs-header-search" action="{action}" role="search">'
    '<input type="search" name="q" placeholder="Search" aria-label="Search the archive" '
    'autocomplete="off"></form>'
)

_SEARCH_KEYS = """<script>
document.addEventListener("keydown", function (event) {
  // Material's keys to search (/, s, f), which its search gave and Pagefind's box did not:
  // the search page's own box, else the header's; not while typing in a field.
  var target = event.target;
  if (["/", "s", "f"].indexOf(event.key) < 0 || event.ctrlKey || event.altKey
      || event.metaKey || event.isComposing || target.isContentEditable
      || /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName)) { return; }
  var box = document.querySelector("#idocs-search input")
    || document.querySelector(".idocs-header-search input");
  if (box) { event.preventDefault(); box.focus(); }
});
</script>"""

_SEARCH_UI = """
<link rel="stylesheet" href="{base}pagefind/pagefind-ui.css">
<script src="{base}pagefind/pagefind-ui.js"></script>
<script>
window.addEventListener("DOMContentLoaded", function () {{
  var ui = new PagefindUI({{ element: "#idocs-search", showSubResults: true, showImages: false,
                             resetStyles: false }});
  // Its box is labelled by a title alone, which assistive technology may not read out.
  var box = document.querySelector("#idocs-search input");
  if (box) {{ box.setAttribute("aria-label", "Search the archive"); }}
  var query = new URLSearchParams(window.location.search).get("q");
  if (query) {{ ui.triggerSearch(query); }}
  // Arrow keys move from the box through the results and back, as in Material's search;
  // with a modifier they stay the browser's (Shift selects the box's text).
  document.querySelector("#idocs-search").addEventListener("keydown", function (event) {{
    if ((event.key !== "ArrowDown" && event.key !== "ArrowUp") || event.shiftKey
        || event.altKey || event.ctrlKey || event.metaKey) {{ return; }}
    var stops = [box].concat(Array.prototype.slice.call(
      document.querySelectorAll("#idocs-search .pagefind-ui__result-link")));
    var at = stops.indexOf(document.activeElement);
    if (at < 0 || stops.length < 2) {{ return; }}
    var next = at + (event.key === "ArrowDown" ? 1 : -1);
    if (next >= 0 && next < stops.length) {{ event.preventDefault(); stops[next].focus(); }}
  }});
}});
</script>
"""


def decorate(output: str, page: Page, search_src: str, use_directory_urls: bool) -> str:
    """Mark what Pagefind indexes, add a search box to the header, and the UI to the search page."""
    here = page.file.src_uri
    action = relative_url(here, search_src, use_directory_urls)
    is_search = here == search_src
    meta_search = page.meta.get("search")
    excluded = isinstance(meta_search, dict) and bool(meta_search.get("exclude"))
    if not is_search and not excluded:  # lists and overviews are not results, as in Material's
        output = output.replace(
            '<article class="md-content__inner md-typeset">',
            '<article class="md-content__inner md-typeset" data-pagefind-body>',
            1,
        )
    # A heading's permalink ("¶") is no word of it: Pagefind put it in every title and excerpt.
    output = output.replace('<a class="headerlink"', '<a data-pagefind-ignore class="headerlink"')
    output = _with_search_box(output, action)
    if is_search:
        root = relative_url(here, "index.md", use_directory_urls)
        base = "" if root == "./" else root
        output = output.replace("</body>", _SEARCH_UI.format(base=base) + "</body>", 1)
    return output


def decorate_error_page(
    output: str, search_src: str, site_url: str, use_directory_urls: bool
) -> str:
    """The 404 page with the header's search box. It is served at any missing address, so the
    box leads to the search page from the site's root (as MkDocs links the page's assets)."""
    root = urlsplit(site_url or "/").path
    root = root if root.endswith("/") else root + "/"
    return _with_search_box(output, root + page_url(search_src, use_directory_urls))


def _with_search_box(output: str, action: str) -> str:
    header = output.find('class="md-header__inner')
    close = output.find("</nav>", header) if header >= 0 else -1
    if close < 0:
        return output
    return output[:close] + _FORM.format(action=e(action)) + _SEARCH_KEYS + output[close:]
