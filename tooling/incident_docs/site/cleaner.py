"""Record pages sanitised in a second process, a batch at a time, while MkDocs renders the next.

Sanitising is a third of the plugin's work on a large archive. A page is handed over when
MkDocs has rendered it and taken back before anything indexes or shows it. Pages go over in
batches: waking the other process costs this one more than a page's sanitising would. Outside
Linux (where fork is not the safe way to start a process at once) pages are sanitised here.
"""

from __future__ import annotations

import multiprocessing
import sys
from concurrent.futures import Future, ProcessPoolExecutor

from incident_docs.site.cards import exclude_timeline_from_search
from incident_docs.site.sanitize import clean_html

BATCH = 64
"""Pages handed over at once."""
WAIT = 600.0
"""Seconds to wait for a batch before the build fails instead of hanging."""


def sanitised(html: str, skip_timeline: tuple[str, ...]) -> str:
    """Record HTML made safe to publish, its timeline kept out of search if asked:
    `skip_timeline` gives the titles its heading is read under (none: searched)."""
    html = clean_html(html)
    return exclude_timeline_from_search(html, skip_timeline) if skip_timeline else html


def _sanitise_all(batch: list[tuple[str, tuple[str, ...]]]) -> list[str]:
    return [sanitised(html, skip_timeline) for html, skip_timeline in batch]


class Cleaner:
    """Takes rendered record pages and gives each back sanitised."""

    def __init__(self, *, in_process: bool = False) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self.in_process = in_process or sys.platform != "linux"
        """Pages are sanitised by the caller, here, not put."""
        if not self.in_process:
            context = multiprocessing.get_context("fork")
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=context)
            self._pool.submit(int).result()  # forked now, before the pool starts its threads
        self._waiting: list[tuple[str, str, tuple[str, ...]]] = []
        self._sent: dict[str, tuple[Future[list[str]], int]] = {}

    def put(self, key: str, html: str, *, skip_timeline: tuple[str, ...]) -> None:
        """Hand a page over (not `in_process`: then the caller sanitises it with sanitised())."""
        self._waiting.append((key, html, skip_timeline))
        if len(self._waiting) >= BATCH:
            self._send()

    def take(self, key: str) -> str | None:
        """The page sanitised (waiting for it), or None if it was never put."""
        if any(waiting[0] == key for waiting in self._waiting):
            self._send()
        found = self._sent.pop(key, None)
        if found is None:
            return None
        future, position = found
        return future.result(timeout=WAIT)[position]

    def _send(self) -> None:
        assert self._pool is not None
        batch, self._waiting = self._waiting, []
        future = self._pool.submit(_sanitise_all, [(html, skip) for _key, html, skip in batch])
        for position, (key, _html, _skip) in enumerate(batch):
            self._sent[key] = (future, position)

    def close(self) -> None:
        if self._pool is not None:
            # Waited for when its work is done (a finished build): a pool left to the
            # interpreter's exit sometimes printed a traceback (EBADF) after a good build.
            finished = all(future.done() for future, _ in self._sent.values())
            self._pool.shutdown(wait=finished, cancel_futures=True)
            self._pool = None
        self._waiting, self._sent = [], {}
