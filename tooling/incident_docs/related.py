"""Has this happened before, and what fixed it? Past incidents ranked by likeness, with SQLite's
full-text index (FTS5, BM25): shared services and tags, and the words of titles, summaries,
timelines and contributing factors.

An incident and its postmortem are one case: found together, shown once, with one line on what
mitigated it.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Protocol

from incident_docs.config import Config
from incident_docs.document import Document
from incident_docs.lifecycle import is_declaration
from incident_docs.models import (
    EntryKind,
    Incident,
    MitigationAction,
    Postmortem,
    RecordKind,
    TimelineEntry,
    record_start,
)
from incident_docs.templates import is_empty, titled, without_comments
from incident_docs.timeline import parse_timeline, timeline_titles

_WORD = re.compile(r"[^\W_]+")
"""A word as the index's tokenizer (unicode61) splits text, in any script ("Zahlungsstörung",
"оплаты"): letters and digits, apart at everything else."""
_LETTER = re.compile(r"[^\W\d_]")
_SOUTHEAST_ASIAN = "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff"
"""Thai, Lao, Myanmar and Khmer: written without spaces between words too."""
_UNSPACED = re.compile(
    rf"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f{_SOUTHEAST_ASIAN}]{{2,}}"
)
"""A run of characters of a script written without spaces between words."""
_SOUTHEAST_MARK = re.compile(rf"[{_SOUTHEAST_ASIAN}]")


def _unmarked(text: str) -> str:
    """The text without the vowel and tone marks of Thai, Lao, Myanmar and Khmer: the tokenizer
    splits a word at each of them ("ชำระเงิน" as "ชำระเง" and "น"), so a word was found only
    where the same marks cut it the same way."""
    if _SOUTHEAST_MARK.search(text) is None:
        return text
    return "".join(
        c
        for c in text
        if not (_SOUTHEAST_MARK.match(c) and unicodedata.category(c) in ("Mn", "Mc"))
    )


def _spaced(text: str) -> str:
    """The text with each run of characters of a script written without spaces (Chinese,
    Japanese, Thai, …) written as its overlapping pairs ("接続失敗" as "接続 続失 失敗"): the
    tokenizer splits words at spaces and punctuation, so a sentence in those scripts was one word,
    found only by the whole of it."""
    if text.isascii():  # the most texts: no script of those
        return text
    text = _unmarked(text)
    if _UNSPACED.search(text) is None:
        return text
    return _UNSPACED.sub(
        lambda run: " " + " ".join(map("".join, zip(run[0], run[0][1:], strict=False))) + " ",
        text,
    )


STOP_WORDS = frozenset(
    re.findall(
        r"\S+",
        """
    the a an and or but of to in on at for by with from into onto over under after before during
    is was were be been being are am it its this that these those as if then than so not no yes
    we our us they their them he she his her you your i me my has had have do did does done can
    could would should will may might must shall about again all also any each few more most other
    some such only own same too very just now up down out off once here there when where why how
    what which who whom while until because through both between per via new old
    incident incidents postmortem status declared resolved investigating identified monitoring
    sev1 sev2 sev3 sev4 todo utc
    """,
    )
)
"""Words that say nothing about what went wrong."""
NOT_RECORDED = "not recorded"
"""What mitigated a case no record says, as people read it (JSON says null)."""
QUERY_TERMS = 16
"""The most telling words of a case make its query: rarer words tell more. The same number for
`incident similar` and the site's Related panels, or the two would disagree."""


@dataclass(frozen=True)
class Case:
    """An incident and its postmortem (or a postmortem whose incident is not in the archive)."""

    key: str
    title: str
    severity: str
    when: datetime | None
    services: tuple[str, ...]
    tags: tuple[str, ...]
    text: str
    fix: str
    """One line on what mitigated it; "" when no record says (shown as NOT_RECORDED)."""
    ids: tuple[str, ...]
    """The record IDs of the case: the incident's first."""


class Loaded(Protocol):
    """A valid record and its document: the archive's and the site's records both are."""

    @property
    def doc(self) -> Document: ...

    @property
    def record(self) -> Incident | Postmortem: ...


@dataclass(frozen=True)
class Match:
    case: Case
    score: float

    @property
    def telling(self) -> bool:
        """Found by a telling word: BM25 weighs a word by how few records have it, and what most
        of them share weighs nothing (in a handful of records, every word)."""
        return round(self.score, 4) > 0


def telling(matches: Iterable[Match]) -> list[Match]:
    """The matches found by a telling word if there are any, else all of them: beside a case
    that shares a telling word, those that share only what most records have are noise."""
    found = list(matches)
    return [match for match in found if match.telling] or found


def _joined(sentences: list[str]) -> str:
    """Sentences one after the other: "Did this. Then that", "did this; then that"."""
    out = ""
    for sentence in sentences:
        sentence = sentence.strip()
        if out:
            out += " " if out.endswith((".", "!", "?")) else "; "
        out += sentence
    return out


@dataclass(frozen=True)
class Entry:
    """A timeline entry as a case reads it."""

    text: str
    mitigation: bool
    told: bool
    """It says what went wrong: not what the commands write of who held a role (handoffs, the
    declaration)."""
    action: str
    """A mitigation's action as words ("redirect traffic "), see _action_words."""


@dataclass(frozen=True)
class Part:
    """What a case takes from one record: all that similarity reads of it, so that it can be
    kept between commands (casecache.py) rather than read again."""

    kind: RecordKind
    id: str
    title: str
    severity: str
    when: datetime | None
    services: tuple[str, ...]
    tags: tuple[str, ...]
    incidents: tuple[str, ...]
    """A postmortem's incidents."""
    sections: tuple[str, ...]
    """An incident's summary; a postmortem's sections of POSTMORTEM_SECTIONS."""
    entries: tuple[Entry, ...]


POSTMORTEM_SECTIONS = ("Summary", "Contributing factors", "Resolution", "Mitigation")


def part_of(item: Loaded, config: Config) -> Part:
    """What a case takes from the record; its sections read under the names the configuration
    gives them, as lint reads them."""
    record = item.record
    entries = tuple(
        Entry(
            text=entry.text,
            mitigation=entry.kind is EntryKind.MITIGATION,
            told=entry.kind is not EntryKind.HANDOFF and not is_declaration(entry),
            action=_action_words(entry),
        )
        for entry in parse_timeline(item.doc, timeline_titles(config))[0]
    )
    if isinstance(record, Incident):
        # The summary in the front-matter (written by `resolve`), else the body's own.
        sections: tuple[str, ...] = (record.summary or _section(item.doc, "Summary", config),)
        return Part(
            "incident",
            record.id,
            record.title,
            record.severity,
            record_start(record),
            tuple(record.services),
            tuple(record.tags),
            (),
            sections,
            entries,
        )
    sections = tuple(_section(item.doc, name, config) for name in POSTMORTEM_SECTIONS)
    return Part(
        "postmortem",
        record.id,
        record.title,
        record.severity,
        record_start(record),
        tuple(record.services),
        tuple(record.tags),
        tuple(record.incidents),
        sections,
        entries,
    )


def cases_from(records: Iterable[Loaded], config: Config) -> list[Case]:
    """The archive's records as cases (see cases_of)."""
    return cases_of([part_of(item, config) for item in records])


def cases_of(parts: Iterable[Part]) -> list[Case]:
    """The archive's records as cases: each incident with its postmortems (one that covers
    several incidents is in the case of each: what it says fixed them is theirs too)."""
    loaded = list(parts)
    incidents = {part.id: part for part in loaded if part.kind == "incident"}
    postmortems_of: dict[str, list[Part]] = {}
    alone: list[Part] = []
    for part in loaded:
        if part.kind == "postmortem":
            owners = [i for i in dict.fromkeys(part.incidents) if i in incidents]
            if not owners:
                alone.append(part)
            for owner in owners:
                postmortems_of.setdefault(owner, []).append(part)
    cases = [_case(incidents[key], postmortems_of.get(key, [])) for key in incidents]
    cases += [_case(None, [part]) for part in alone]
    return cases


def _case(incident: Part | None, postmortems: Sequence[Part]) -> Case:
    main = incident or postmortems[0]
    texts: list[str] = [main.title]
    entries: Sequence[Entry] = []
    written: list[str] = []
    """What the postmortems say mitigated it: their timelines' mitigations, then the first
    sentence of their Mitigation sections, then of their Resolution sections."""
    resolutions: list[str] = []
    summaries: list[str] = []
    services = list(main.services)
    tags = list(main.tags)
    if incident is not None:
        texts.append(incident.sections[0])
        entries = incident.entries
    for pm in postmortems:
        services += [s for s in pm.services if s not in services]
        tags += [t for t in pm.tags if t not in tags]
        texts.append(pm.title)
        texts += pm.sections
        own = pm.entries
        if not entries:
            entries = own
        written += [entry.text for entry in own if entry.mitigation][:2]
        _summary, _factors, resolution, mitigation = pm.sections
        if mitigation:
            summaries.append(_first_sentence(mitigation))
        if resolution:
            resolutions.append(_first_sentence(resolution))
    # Not what the commands write of who held a role: the declaration names the declarer as
    # Incident Commander, and every incident they declare would be like every other.
    # A mitigation's action is what the Ops Lead asks by ("rollback", "redirect traffic"): the
    # text of "Went back to 4.1" or "Drained eu-1" may not say it.
    texts += [entry.action + entry.text for entry in entries if entry.told]
    # What the incident's timeline says mitigated it, else what a postmortem says: a timeline
    # without mitigation entries showed the Resolution (the lasting fix, days later), though a
    # postmortem said what mitigated it.
    mitigations = [entry.text for entry in entries if entry.mitigation]
    fix = _joined(mitigations[:2]) or _joined(written[:2])
    fix = fix or next(iter(summaries + resolutions), "")
    return Case(
        key=main.id,
        title=main.title,
        severity=main.severity,
        when=main.when,
        services=tuple(services),
        tags=tuple(tags),
        text=" ".join(t for t in texts if t),
        fix=_one_line(fix),
        ids=tuple([main.id] + [p.id for p in postmortems if p.id != main.id]),
    )


def _action_words(entry: TimelineEntry) -> str:
    """A mitigation's action as words ("redirect traffic "), but "other", which says nothing."""
    if entry.action is None or entry.action is MitigationAction.OTHER:
        return ""
    return entry.action.value.replace("-", " ") + " "


def _section(doc: Document, name: str, config: Config) -> str:
    """The text of the section `name`, under whichever of its names (Config.section_names)."""
    titles = config.section_names(name)
    for section in titled(doc.sections(), titles, lambda section: section.heading.title)[:1]:
        text = doc.section_text(section)
        return "" if is_empty(text) else without_comments(text, " ")
    return ""


def _first_sentence(text: str) -> str:
    flat = " ".join(text.split())
    end = re.search(r"(?<=[.!?])\s", flat)
    return flat[: end.start()] if end else flat


_EMPHASIS = re.compile(r"(?<![^\W_])[*_]+(?=\S)|(?<=\S)[*_]+(?![^\W_])")
"""Emphasis, roughly as CommonMark finds it: a run of `*` and `_` that opens text (after a
space, punctuation or the start, before something) or closes it (the other way round), as in
"**Note:**" and "_(see runbook)_"; not one inside a word ("payments_api") or standing alone
("2 * 3")."""
_ADDRESS_OR_EMPHASIS = re.compile(
    rf"(?P<address>(?:https?://|www\.)\S+)|{_EMPHASIS.pattern}", re.IGNORECASE
)
_TICKS = re.compile(r"(`+)")
PLAIN_LIMIT = 1_000
"""The most characters of a text read for its one line (of 200): a record's entry may be huge."""


def _plain(text: str) -> str:
    """The text as the page shows it, roughly: without emphasis marks and code spans' backticks;
    addresses and the text of code as written. A code span runs to the next run of as many
    backticks, as CommonMark reads it; a run with none is left out."""
    pieces = _TICKS.split(text[:PLAIN_LIMIT])  # text, a run of backticks, text, …
    parts: list[str] = []
    at = 0
    while at < len(pieces):
        if at % 2:
            close = next(
                (n for n in range(at + 2, len(pieces), 2) if pieces[n] == pieces[at]), None
            )
            if close is not None:  # a code span: its text as written
                parts.append("".join(pieces[at + 1 : close]))
                at = close + 1
                continue
        else:
            parts.append(_unemphasised(pieces[at]))
        at += 1
    return "".join(parts)


def _unemphasised(text: str) -> str:
    """Emphasis marks left out, but not from an address ("?var-host=_all")."""
    return _ADDRESS_OR_EMPHASIS.sub(lambda m: m.group("address") or "", text)


def _one_line(text: str, limit: int = 200) -> str:
    flat = " ".join(_plain(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def words(text: str) -> list[str]:
    """The words of a text that may tell cases apart, lower-cased, as the index splits them."""
    return [
        w.lower()
        for w in _WORD.findall(_spaced(text))
        if (len(w) > 2 or _UNSPACED.fullmatch(w))
        and w.lower() not in STOP_WORDS
        and _LETTER.search(w) is not None
    ]


class _Words:
    """set(words(text)) for the many texts of an index, each different word looked at once."""

    def __init__(self) -> None:
        self.told: dict[str, str] = {}
        """What words() makes of a word as written: the word, or "" for one it leaves out."""
        self.several: dict[str, tuple[str, ...]] = {}
        """A word as written that words() reads as several (none known; kept all the same)."""

    def of(self, text: str) -> set[str]:
        written = set(_WORD.findall(_spaced(text)))
        told = self.told
        for word in written.difference(told):
            found = words(word)
            told[word] = found[0] if len(found) == 1 else ""
            if len(found) > 1:
                self.several[word] = tuple(found)
        kept = set(map(told.__getitem__, written))
        kept.discard("")
        if self.several:
            for word in written.intersection(self.several):
                kept.update(self.several[word])
        return kept


@cache
def _label(name: str) -> str:
    """A service or tag as one word of the index, whole: "payments-api" as "paymentsx2dxapi".
    Split into words, "api" was a service that every "…-api" shared, and "api-gateway" one
    that "payments-api" and "gateway" shared side by side."""
    return "".join(c if c.isalnum() else f"x{ord(c):x}x" for c in name.casefold())


class RelatedIndex:
    """The cases in an in-memory FTS5 table; built once, queried many times."""

    def __init__(self, cases: Sequence[Case]) -> None:
        self.cases = {case.key: case for case in cases}
        # A postmortem of several incidents is in each of their cases: it is asked about as the
        # first of them by key, whatever order the records were read in.
        self.by_id: dict[str, Case] = {}
        self._cases_with: dict[str, set[str]] = {}
        """The keys of the cases a record ID is in (a postmortem of several incidents: each)."""
        for case in sorted(cases, key=lambda case: case.key):
            for record_id in case.ids:
                self.by_id.setdefault(record_id, case)
                self._cases_with.setdefault(record_id, set()).add(case.key)
        self._db = sqlite3.connect(":memory:")
        self._db.execute(
            "CREATE VIRTUAL TABLE cases USING fts5(title, body, services, tags, "
            "tokenize='porter unicode61')"
        )
        # In the order a tie is broken in (when it started, then the key): a query orders by
        # the row's number, which costs nothing, where reading when each case it matches
        # started and its key cost a third of its time.
        ordered = sorted(
            cases, key=lambda c: (c.when.astimezone(UTC).isoformat() if c.when else "", c.key)
        )
        self._keys = [case.key for case in ordered]
        """The key of the case in each row, by its number less one."""
        self._db.executemany(
            "INSERT INTO cases(rowid, title, body, services, tags) VALUES (?, ?, ?, ?, ?)",
            [
                (
                    number,
                    _spaced(c.title),
                    _spaced(c.text),
                    " ".join(map(_label, c.services)),
                    " ".join(map(_label, c.tags)),
                )
                for number, c in enumerate(ordered, 1)
            ],
        )
        # Words are counted as the index stems them ("failovers" as "failover"), with its own
        # tokenizer on a scratch table: how many cases use a word is what the query can find.
        self._db.execute("CREATE VIRTUAL TABLE scratch USING fts5(t, tokenize='porter unicode61')")
        self._db.execute("CREATE VIRTUAL TABLE scratch_terms USING fts5vocab(scratch, 'instance')")
        self._stem: dict[str, str] = {}
        self._frequency: Counter[str] = Counter()
        self._words_of: dict[str, frozenset[str]] = {}
        reader = _Words()
        texts = {case.key: reader.of(case.title + " " + case.text) for case in cases}
        self._stems({word for found in texts.values() for word in found})
        self._spelling = {term: word for word, term in sorted(self._stem.items(), reverse=True)}
        """A word as written for each stem: the query sends it, and the index stems it again."""
        for case in cases:
            terms = frozenset(map(self._stem.__getitem__, texts[case.key]))
            self._words_of[case.key] = terms
            self._frequency.update(terms)
        self._total = max(len(cases), 1)

    def _stems(self, found: set[str]) -> None:
        """Learn how the index stems each new word: one scratch row per word, read back."""
        new = sorted(word for word in found if word not in self._stem)
        if not new:
            return
        self._db.execute("DELETE FROM scratch")
        self._db.executemany("INSERT INTO scratch(rowid, t) VALUES (?, ?)", list(enumerate(new, 1)))
        for row, term in self._db.execute("SELECT doc, term FROM scratch_terms"):
            self._stem.setdefault(new[row - 1], term)
        for word in new:
            self._stem.setdefault(word, word)  # nothing the tokenizer keeps: counted as it is

    def similar_to(
        self, case: Case, limit: int = 5, leaving_out: Collection[str] = ()
    ) -> list[Match]:
        """The cases most like the case, best first, but those with a record of `leaving_out`
        (a record's own postmortems or incidents: linked from it, not cases like it): up to
        `limit` of the others, however many cases those records are in."""
        left = self.left_out(case, leaving_out)
        found = self.search(
            case.title + " " + case.text,
            case.services,
            case.tags,
            limit + len(left),
            case.key,
            self._words_of.get(case.key),
        )
        return [match for match in found if match.case.key not in left][:limit]

    def left_out(self, case: Case, leaving_out: Collection[str]) -> frozenset[str]:
        """The keys of the other cases that a record of `leaving_out` is in: what `similar_to`
        leaves out of the case's list, the same for an incident and for its postmortem."""
        found = {key for record_id in leaving_out for key in self._cases_with.get(record_id, ())}
        return frozenset(found - {case.key})

    def _others(self, word: str, exclude: str | None) -> int:
        """How many cases other than the one asking use the word."""
        count = self._frequency.get(word, 0)
        own = self.cases.get(exclude) if exclude else None
        if own is not None and word in self._words_of.get(own.key, ()):
            count -= 1
        return count

    def search(
        self,
        text: str,
        services: Sequence[str] = (),
        tags: Sequence[str] = (),
        limit: int = 5,
        exclude: str | None = None,
        text_words: frozenset[str] | None = None,
    ) -> list[Match]:
        """The cases most like the text, services and tags; BM25, best first.

        `text_words`: the words of the text as the index stems them, when the caller has them.
        """
        # The most telling words: those few other cases use (a word no other case has cannot
        # find one). A word every case has comes last: BM25 weighs it little, but in a small
        # archive, or for a query of only such words, it is all there is to go on.
        if text_words is None:
            written = set(words(text))
            self._stems(written)
            # One word as written for each stem: the query sends it, and the index stems it.
            spelled = {self._stem[word]: word for word in sorted(written, reverse=True)}
        else:
            spelled = {term: self._spelling.get(term, term) for term in text_words}
        counts = {term: self._others(term, exclude) for term in spelled}
        chosen = sorted((w for w, n in counts.items() if n > 0), key=lambda w: (counts[w], w))[
            :QUERY_TERMS
        ]
        clauses = [f'"{spelled[w]}"' for w in chosen]
        clauses += [f'services : "{_label(s)}"' for s in services if _LETTER.search(s)]
        clauses += [f'tags : "{_label(t)}"' for t in tags if _LETTER.search(t)]
        if not clauses:
            return []
        query = " OR ".join(clause.replace("'", " ") for clause in clauses)
        try:
            rows = self._db.execute(
                # Of cases alike, the latest first: what fixed it last time is likelier to still
                # apply (a tie was in the order the files were read, the oldest first).
                "SELECT rowid, bm25(cases, 4.0, 1.0, 3.0, 2.0) AS score FROM cases "
                "WHERE cases MATCH ? ORDER BY score, rowid DESC LIMIT ?",
                (query, limit + 1),
            ).fetchall()
        except sqlite3.OperationalError:
            return []  # a query FTS5 cannot parse finds nothing rather than failing
        keys = self._keys
        matches = [
            Match(self.cases[keys[number - 1]], -score)
            for number, score in rows
            if keys[number - 1] != exclude
        ]
        return matches[:limit]
