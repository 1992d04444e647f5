"""What gets published, checked: the prose of a record's body and front-matter, rules and model.

The body's structure comes from the document's one block scanner: headings, paragraphs, list
items, table rows and block quotes are prose; code, HTML comments, link definitions and quoted
log output are not. Front-matter fields that are shown as text (titles, summaries, impact,
action items) are prose too.
"""

from __future__ import annotations

import html
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from itertools import accumulate, islice, pairwise
from typing import Any

from incident_docs.blameless.agents import opens_as_name, unname
from incident_docs.blameless.agents import organisations as find_organisations
from incident_docs.blameless.engine import (
    MESSAGES,
    BlameHit,
    BlamelessOptions,
    allowed_matches,
    allowed_spans,
    check_text,
    lower_same_length,
)
from incident_docs.blameless.lexicon import (
    BLAME_NOUNS,
    CODE_SPAN,
    FUNCTION_WORDS,
    PRONOUNS,
    WORKS,
    wordset,
)
from incident_docs.blameless.model import (
    HANDLE,
    NAME,
    TARGET_VALUES,
    UNTARGETED,
    BlameModel,
    Cue,
    bare_person,
    cue_span,
    has_target,
    tokens,
    unquote_handles,
)
from incident_docs.blameless.patterns import resolve_of_own
from incident_docs.document import (
    HTML_ELEMENTS,
    PROSE_KINDS,
    Block,
    Document,
    dedent_columns,
    indent_columns,
    scan_blocks,
)
from incident_docs.templates import PLACEHOLDER_LINE
from incident_docs.templates import normalise as section_title
from incident_docs.timeline import ENTRY

PROSE_FIELDS = frozenset(
    {"title", "summary", "description", "harm", "users_affected", "text", "impact"}
)
"""Front-matter keys whose string values are published as prose, wherever they appear (an
impact written as text, not as the record's fields of it, is prose too)."""

_LOG_LINE = re.compile(
    r"^\s*>+\s*(?:\[(?:\d|[A-Z]{3,}\])|\d{2,4}[-/:.]\d|\d{1,2}:\d{2}|(?:ERROR|ERR|WARN(?:ING)?|INFO|DEBUG|TRACE"
    r"|FATAL|CRIT(?:ICAL)?|PANIC|NOTICE|[EWIF]\d{4})\b|[a-z/][\w.\-/]*(?:\[\d+\])?:\s|\$\s"
    r"|\w+=\S|at\s+[\w.$]+\(|Traceback\b|(?:[\w-]+\.)+(?:go|py|java|js|ts|rb|rs):\d+)"
)
"""A quoted line that a program wrote: a time, a level, a process (in lower case, with its id) or a
file, a prompt, key=value pairs, a stack frame. Not a label a person writes ("Note: …"), an
alert's marker ("[!WARNING]") or a heading ("# …")."""
_TRANSCRIPT = r"chat\s+logs?|transcripts?|(?:slack|irc|chat)\s+(?:threads?|excerpts?|history)"
_PERSON_SECTIONS = re.compile(
    r"timeline|responders|who\s+worked|participants|people\s+involved|" + _TRANSCRIPT + r"|"
    # Praise, when it is the whole title: not "What went well and what didn't", nor "Page
    # acknowledgement".
    r"^\W*(?:\d+(?:\.\d+)*\.?\s+)?(?:(?:what|things\s+that)\s+went\s+(?:well|right)|"
    r"(?:special\s+)?thanks|kudos|shout-?outs?|(?:thanks\s+and\s+)?acknowledge?ments)\W*$",
    re.IGNORECASE,
)
"""Sections that name people as a matter of course: the timeline, the responders, the
transcript of the incident channel, where people talk to each other, and what went well and
the thanks, where people are named for what they did."""
_TRANSCRIPT_SECTIONS = re.compile(_TRANSCRIPT, re.IGNORECASE)
"""Of those, the transcript: its lines that open with a time are messages, not entries."""
_SENTENCE_BREAK = re.compile(
    r"[.!?](?P<gap>[\"'\u201d)\]]*(?:\s+(?=[^\sa-z|])|[ \t]*\n\s*(?=[a-z])))"
)
"""Where a sentence ends: at a stop before a capital, a digit or markup, or before a line in
lower case (a chat message pasted a line each: "The rollback finished.⏎whose fault? jonas")."""
_ABBREVIATED = re.compile(
    r"(?:^|[\s(])(?:[a-z]\.[a-z]|etc|vs|approx|no|nr|fig|dr|mr|mrs|ms|st|jr|sr|inc|ltd|co|corp|"
    r"dept|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun)\.$",
    re.IGNORECASE,
)
"""A period that ends an abbreviation ('Dec.', 'e.g.', 'approx.'), not a sentence."""
_TIMESTAMPED = re.compile(
    r"[ \t>]*(?:[-*+][ \t]+|\d+[.)][ \t]+|\|(?:[^|\n]*\|){0,3}[ \t]*)?[*_\[(`~]*"
    r"(?:\d{4}-\d{2}-\d{2}(?:[T ]|,?[ \t]+)|\d{1,2}[-/.]\d{1,2}(?:[-/.]\d{2,4})?,?[ \t]+|"
    r"\d{1,2}[ \t]+[A-Z][a-z]{2,8}\.?(?:[ \t]+\d{4})?,?[ \t]+|"
    r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]{0,6}\.?[ \t]+\d{1,2}(?:st|nd|rd|th)?"
    r",?(?:[ \t]+\d{4},?)?[ \t]+(?:at[ \t]+)?)?"
    r"~?(?:\d{1,2}:|\d{2}h)\d{2}(?!\d)"
)
"""A line that opens with a time of day (a list item, bold, in brackets or backticks, about:
"~14:05"; after a date, the day or the month first: "26 Mar 2024", "Jan 14, 2024"; a table row
with the time in one of its first cells): a timeline entry in any format, where people are named
as a matter of course."""
_DAY = re.compile(
    r"\d|\b(?:day|morning|afternoon|evening|night|week|(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|"
    r"sat(?:ur)?|sun)(?:day)?|jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|"
    r"aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b",
    re.IGNORECASE,
)
"""A heading that names a day or a date."""
_TIMELINE_OPENERS = frozenset(" \t>-*+|_[(`~0123456789JFMASOND")
_TOOK_PART = r"participants|attendees|responders"
"""Labels of the people who took part that are also a byline's."""
_BYLINE = re.compile(
    r"[ \t>*_+-]*+(?:(?:created|written|authored|edited|reviewed|approved|prepared|compiled|"
    r"maintained|posted|published|drafted)[ \t]+by|(?:authors?|editors?|reviewers?|approvers?|owners?|contributors?|"
    + _TOOK_PART
    + r")[*_]*[ \t]*:)",
    re.IGNORECASE,
)
"""A byline or a list of the people involved ("Created by: ...", "**Authors:** ...",
"Owner: @kenji"): people are named there as a matter of course."""
_LIST_OF_PEOPLE = re.compile(
    # The markers are taken whole (*+): no label opens with one, so giving some back could not
    # help, and a timeline entry's blanked time would otherwise be retried space by space.
    r"[ \t>*_+-]*+(?:"
    + _TOOK_PART
    + r"|(?:people[ \t]+)?involved|present|paged|cc|on[ \t]+the[ \t]+(?:call|bridge))"
    r"[*_]*[ \t]*:",
    re.IGNORECASE,
)
"""A line that lists the people who took part ("Responders: ...", "Paged: ...", "On the call:
...")."""
_LISTED = frozenset({NAME, HANDLE, "and"})
"""What a list of people reads as: names, handles and 'and'."""
_WORDY = re.compile(r"[^\W\d_]{2,}")
_CELL_BREAK = re.compile(_SENTENCE_BREAK.pattern + r"|(?P<bar>\|)")
SURER = 0.8
"""The model's threshold in bylines, references, action items, the transcript, the timeline and
responders sections, and for a table row read whole: as sure as for a timeline entry (a heading
there is still weighed as any heading is). At 0.9, grouped cross-validation found 20 fewer
blameful lines and 2 fewer false alarms, and blameful lines put in a responders list were
reported 0.826 of the time against 0.851 at 0.8; the sentences of published postmortems, and the
whole published postmortems kept for development, got the same findings at both."""
TIMELINE = 0.8
"""The model's threshold for a line that opens with a time of day: a timeline entry."""
HEADING = 0.85
"""The model's threshold in headings and titles: short, and read with their capitals lowered."""
MIN_WORDS = 3
"""Sentences with fewer words (a table cell, a name) are too short for the model to judge."""
VETO = 0.02
"""Under this probability the model is all but sure a sentence, and the clause of it that a rule
matched in, blame no one, and a match of a rule that reads someone as at fault (VETOED) is not
reported there: the rules read words, not what the sentence does with them ("The team decided
not to restore from backup", "the scheduler punishes noisy tenants"). The clause is read too
because a long sentence of technical clauses scores its one clause of blame low."""
_CLAUSE_BREAK = re.compile(
    r"[,;:()\u2014\u2013]|\s-\s|\b(?:and|but|or|so|yet|which|who|whom|whose|that|because|since|as|"
    r"while|whereas|although|though|after|before|when|until|unless|if|then)\b",
    re.IGNORECASE,
)
"""Where a clause of a sentence ends: punctuation inside it, a conjunction, a relative pronoun."""
VETOED = frozenset({"BL001", "BL002", "BL004", "BL007", "BL008", "BL009"})
"""The rules that read a person, a team or their work as at fault. Hindsight, "human error" and
mocking (BL003, BL005, BL006) are reported whoever they are about (but see DISCOURSE)."""
DISCOURSE = 0.1
"""Under this probability the model reads a sentence as blaming no one, and a match of a word
that is also an everyday discourse marker (Check.discourse: "obviously", "needless to say", "of
course") is no hindsight or sarcasm there, if the sentence tells nothing of the past ("Needless
to say, the device is used for nothing other than signing releases", "Of course there are
services that absorb such attacks"): looking back is what makes them hindsight. Nor if someone
is named in the sentence's opening or just before or after the marker ("Of course Priya never
checks the retry budget…"), or by a role, a team or a handle anywhere in it ("…because the
mobile developers ignore the schedule"): a long technical sentence of sarcasm at someone can
score as low.
In grouped cross-validation the sentences of these matches that blame someone scored 0.1 or
more but for one in 134 ("In hindsight, `sami_k` clearly should have noticed..." scored 0.15).
The markers weigh as blame in the model, so a short sentence of them seldom scores under the
bar: it is the long technical sentences of real postmortems that this clears."""

_TELLS_OF_THE_PAST = re.compile(
    r"\b(?:was|were|had|did|(?:was|were|had|did)n['\u2019]t|(?:should|would|could|must|might)(?:n['\u2019]t|\s+not)?"
    r"(?:\s+(?:\w+\s+)?have(?!\s+to\b)|['\u2019]ve)|ago|yesterday|"
    r"ran|took|broke|forgot|went|came|became|began|chose|drove|fell|gave|knew|saw|threw|woke|wrote|"
    r"rose|tore|led|spoke|flew|drew|grew|blew|shot|stole|sank|undid|redid|overrode|overwrote|hid|"
    r"froze|mistook|forgave|swore|wore|rode|rang|sang|shook|slid|spun|strode|swam|withdrew|"
    # Alike in the present and the past: read as the past, so that hindsight is never cleared
    # for want of a tense ("Of course Ken set the TTL to a day").
    r"set|put|let|cut|hit|shut|read|misread|quit|spread|"
    r"(?P<verb>left|made|sat|brought|caught|felt|found|got|lost|meant|paid|said|sent|slept|spent|"
    r"stood|thought|told|understood|built|bought|held|kept|heard|sold|struck|dealt|hung|stuck|"
    r"taught|sought|fought|laid|lit|swept|wept|won|wound|agreed|freed|guaranteed|forgotten|done|"
    r"undone|gone|taken|mistaken|written|overwritten|rewritten|given|forgiven|seen|known|shown|"
    r"chosen|stolen|hidden|frozen|spoken|broken|driven|fallen|ridden|eaten|woken|begun|worn|torn|"
    # A word in -ed, hyphenated too ("fat-fingered"), but for the heads of compound adjectives
    # ("UDP-based", "geo-distributed", "self-signed").
    r"(?<!['\u2019])(?<!-(?=(?:based|driven|related|oriented|powered|backed|enabled|shaped|sized|"
    r"hosted|managed|generated|signed|distributed|tested|defined|owned|facing)\b))"
    r"[a-z]+[^e\W]ed))\b",
    re.IGNORECASE,
)
"""Words that tell of the past: an auxiliary or a verb in the past tense, a counterfactual.
A verb of the group "verb" is a participle instead after a form of "be" in the present (an
adverb or two between: "is no longer exposed", "it's used"), or an adjective after an article, a
possessive or a preposition ("the signed binaries", "with automated tests"); see
_tells_of_the_past. After "have", "been" or "she's" it tells of the past ("has ignored", "has
been rotated"), but for "we've got"."""
_BE = wordset("is are am be being get gets")
_IS_CONTRACTED = re.compile(
    r"(?:it|that|there|here|what|this)['\u2019]s|(?:we|they|you)['\u2019]re|i['\u2019]m"
)
_HAVE_CONTRACTED = re.compile(r"(?:we|they|you|i)['\u2019]ve")
_BETWEEN = wordset("no longer not never now strictly fully already also still just only")
_ADJECTIVE_AFTER = wordset(
    "the a an these those its our their his her my your of for with in on to from by about into at "
    "as than without via like"
)


@lru_cache(maxsize=64)
def _tells_of_the_past(sentence: str) -> bool:
    """The sentence tells of the past: hindsight can look back from it (see DISCOURSE). Kept for
    a sentence's other hits: a line of thousands of them is read once."""
    for match in _TELLS_OF_THE_PAST.finditer(sentence):
        verb = match.group("verb")
        if verb is None:
            return True
        window = sentence[max(0, match.start() - 60) : match.start()]
        written = [word.strip(',*_()"') for word in window.split()]
        # Adverbs between, in lower case: "Kelly" and "Emily" are names.
        while (
            written
            and written[-1].islower()
            and (written[-1] in _BETWEEN or written[-1].endswith("ly"))
        ):
            written.pop()
        before = [word.lower() for word in written]
        if before and before[-1] in _ADJECTIVE_AFTER:
            continue  # an adjective: "the signed binaries", "our fully automated pipeline"
        if before and (
            before[-1] in _BE
            or _IS_CONTRACTED.fullmatch(before[-1])
            or (verb.lower() == "got" and _HAVE_CONTRACTED.fullmatch(before[-1]))
        ):
            continue  # a participle: "SSH is no longer exposed", "we've got a runbook"
        return True
    return False


def _around(sentence: str, start: int, end: int) -> tuple[str, str, str]:
    """Where whom a match is said of stands, each part apart: just before it and just after it
    ("Priya obviously never checks…", "Of course Priya never checks…"), and the sentence's
    opening, its subject ("Ken, who owns the database, obviously never tests…", "Priya never
    checks the lag, obviously.")."""
    before = sentence[max(0, start - 30) : start].split()[-3:]
    after = sentence[end : end + 60].split()[:5]
    opening = sentence[: min(start, 40)].split()[:3]
    return " ".join(before), " ".join(after), " ".join(opening)


_SOMEONE_IN_A_MATCH = re.compile(
    r"\b(?:he|she|they|someone|somebody|nobody|no\s+one)\b", re.IGNORECASE
)
"""Whom a match of "clearly" takes in itself ("Clearly he never checks…", "clearly no one
reads…")."""


_WRITERS_AND_READERS = frozenset(
    {"we", "us", "our", "ours", "ourselves", "i", "me", "my", "you", "your", "yours"}
)
"""Who a postmortem's own words name when they name its writers or its readers."""
_SOMEONE_ELSE = TARGET_VALUES - _WRITERS_AND_READERS
"""Who a sentence may mock or judge with hindsight other than its writers and readers: a person, a
handle, a role, a team, "they". Named in the sentence's opening or beside a discourse marker (see
_around), the marker is said of them, however low the model scores a long sentence (see
DISCOURSE)."""


_SOMEONE_BY_A_WORD = _SOMEONE_ELSE - {NAME, "they", "them", "their", "theirs"}
"""Who a sentence names anywhere in it by a word: a handle, a role, a team, "he" or "she"
("…because the mobile developers ignore the rotation schedule"). A capitalised word read as a
name, and "they", are weighed only beside the marker (see _around): far from it, they are as
often a product's or things' ("protection from Cloudflare Gaming or Akamai Gaming, but their
costs start at thousands a month")."""


@lru_cache(maxsize=64)
def _names_by_a_word(sentence: str, known: frozenset[str], people: frozenset[str]) -> bool:
    """Some word of the sentence is one of _SOMEONE_BY_A_WORD. Kept for the sentence's other
    hits: a line of thousands of them is read once."""
    return not _SOMEONE_BY_A_WORD.isdisjoint(
        token.value for token in tokens(sentence, known, people)
    )


_WRITERS_DEED = re.compile(
    r",?\s*(?:[a-z]+\s+){0,4}?(?:[Ww]e|I)(?:['\u2019](?:re|ll|ve|d|m))?\s+(?:also\s+|still\s+)?[a-z]+"
)
"""The writers as the subject of the clause the marker opens ("and of course we added regression
tests", "of course I audited those too", "and of course those which I vendored I also audited",
"needless to say, we're excited", "as usual, we also leave you with some resources"): the
organisation's own deed or view, no one's looked back on, whether or not it went well ("…of
course we missed it" is ownership). The writers may come after a few words in lower case (an
object put first), never after a name; the rest of the conditions stand (no one else named, the
model's bar), and a name anywhere after the marker makes it stand (see _names_someone_after)."""


def _names_someone_after(
    sentence: str, end: int, known: frozenset[str], people: frozenset[str], common: frozenset[str]
) -> bool:
    """Some word of the sentence after a marker ending at `end` is a person's name: the writers'
    own deed does not clear the marker in a sentence that names someone else, however far on
    ("and of course the ones we inherited from Dave we also had to rewrite", "of course when we
    rolled it back, Dave pushed it again"): the writers are then who cleaned up after that
    person. Before the marker, a name stands beside it or opens the sentence (see _around); the
    marker's own word is no name ("Needless to say"). So is a word in lower case that may be a
    handle written without its @, as the subject of a clause ("…rebuilt the export that
    mkowalski had disabled", "…after jdoe pushed it again"; see bare_person): a tool written so
    stands there too, but the sentence then tells of the past, and only the writers' own deed
    cleared that."""
    rest = sentence[end:]
    return any(token.value == NAME for token in tokens(rest, known, people)) or bare_person(
        rest, common, relative=True
    )


def _stands_as_said(
    sentence: str,
    start: int,
    end: int,
    known: frozenset[str],
    people: frozenset[str],
    common: frozenset[str],
) -> bool:
    """A discourse marker at sentence[start:end] is hindsight or sarcasm whatever the model
    reads: the sentence tells of the past (but for the writers' own deed said just after it: see
    _WRITERS_DEED), or names someone it is said of (see DISCOURSE)."""
    return (
        (
            _tells_of_the_past(sentence)
            and (
                _WRITERS_DEED.match(sentence, end) is None
                or _names_someone_after(sentence, end, known, people, common)
            )
        )
        or _SOMEONE_IN_A_MATCH.search(sentence, start, end) is not None
        or any(
            not _SOMEONE_ELSE.isdisjoint(token.value for token in tokens(words, known, people))
            for words in _around(sentence, start, end)
        )
        or _names_by_a_word(sentence, known, people)
    )


def veto_bar(hit: BlameHit) -> float | None:
    """The probability under which the model's reading of its sentence clears a rule hit: VETO for
    a rule that reads someone as at fault, DISCOURSE for a discourse marker; None: never."""
    if hit.sure:
        return None
    if hit.discourse:
        return DISCOURSE
    return VETO if hit.code in VETOED else None


UNTARGETED_WORDS = 5
"""A sentence of prose that names nobody is weighed (see UNTARGETED) from this many words: a
shorter one ("It went down again.") says too little of whom it is about."""


def untargeted_bar(sentence: str) -> float:
    """The probability from which a sentence of prose that names nobody reads as blame: UNTARGETED,
    or 1.0 (never) when it has fewer than UNTARGETED_WORDS words."""
    # Counted only up to the number needed: finditer stops there.
    enough = next(islice(_WORDY.finditer(sentence), UNTARGETED_WORDS - 1, None), None)
    return UNTARGETED if enough is not None else 1.0


_NAMES_THE_BLAME = re.compile(r"(?i)\b(?:" + BLAME_NOUNS + r"|mistake)s?\b")
"""A noun that says a person is at fault, in a finding of BL001 ("Arjun's fault")."""


_SPEAKER_APOLOGISES = re.compile(
    r"[\W_]*(?:(?:once\s+(?:again|more)|again|finally|lastly|in\s+closing|on\s+behalf\s+of\s+"
    r"(?:the|our|my)\s+[^,;]{0,60}?\b(?:team|teams|staff|maintainers|company|organi[sz]ation|project)),\s*)?(?:we|i|all\s+of\s+us\b[^,;]{0,80}?|(?:the|our)\s+(?:[\w.&'\u2019-]+\s+)"
    r"{0,5}?(?:team|teams|staff|maintainers|crew|organi[sz]ation|company|project))\s+(?:(?:\w+ly|"
    r"would\s+like\s+to|wants?\s+to|wish(?:es)?\s+to|(?:is|are|am|was|were)|'m|'re)\s+)*?"
    r"(?:apologi[sz](?:e|es|ed|ing)|(?:(?:very|so|truly|deeply|really)\s+)*sorry|regrets?)\b",
    re.IGNORECASE,
)
"""An apology by those who write the postmortem, as its subject: "we apologise", "the cloud team
sincerely apologises", "all of us on the platform team would like to apologize", "the entire
SRE team is deeply sorry"; not one demanded of someone ("the team should apologise")."""
_AFTER_APOLOGY = re.compile(
    r"\b(?:again|as\s+(?:usual|always|ever)|yet\s+another|for\s+once|of\s+course|apparently|"
    r"sure|whoever|someone|somebody|certain)\b",
    re.IGNORECASE,
)
"""What turns an apology into a jab ("the DBA team is sorry their migration ate the weekend,
again") or points it at someone."""
_APOLOGY_FOR = re.compile(
    r"[\s,]*(?:(?:to|with)\s+[^.;:!?]{1,80}?)?(?:\s*for\s+(?:[\w'\u2019.-]+\s+){0,5}?(?:impact|"
    r"outages?|disruptions?|inconvenience|downtime|degradation|degraded\s+service|trouble|"
    r"frustration|interruptions?|delays?|incidents?|errors|problems|issues|confusion|service|"
    r"experience|loss|failures?)\b[^.;:!?]{0,80}?)?[\s.!]*$",
    re.IGNORECASE,
)
"""What the writers' apology may go on to say: to whom, and for what harm ("for the impact of
this outage", "to every customer whose builds failed"); not for what someone did ("for running
the migration without telling anyone") nor that someone did it."""
_NOT_THE_WRITERS = (TARGET_VALUES | {"he", "she", "him", "her", "his", "hers"}) - (
    _WRITERS_AND_READERS
    | {
        "team", "teams", "everyone", "everybody", "anyone", "who", "whose", "whom", "they",
        "them", "their", "customer", "customers", "user", "users", "member", "members",
        "community", "people",
    }
)  # fmt: skip
"""Who, named in the writers' apology, makes it about someone else: a person, a handle, a role."""


_INTERJECTION_WORD = (
    r":?(?:facepalm\w*|lol|lmao|rofl|smh|wtf|omg|ugh|sigh|yikes|damn(?:ed)?|crap):?"
)
_INTERJECTION = re.compile(_INTERJECTION_WORD + r"|[!?]+", re.IGNORECASE)
"""What people type in a channel at a moment ("lol", "ugh", ":facepalm:", "!!"): quoted in a
transcript, not the writer's tone."""
_TYPED_INTERJECTION = re.compile(r"(?<![\w:])" + _INTERJECTION_WORD + r"(?![\w:])", re.IGNORECASE)
"""An _INTERJECTION word where it stands in a line, for the model to read the line without it."""
_MARKERS = re.compile(r"^[\s>|*+\-#\d.)\[\]x]*")


_LATIN_LETTER = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u0370-\u03ff\u0400-\u052f"
    "\uff21-\uff3a\uff41-\uff5a\U0001d400-\U0001d7ff"
)
"""The letters of Latin script: ASCII's, those with accents ("é", "ł"), and those drawn as
Latin ones, whose words need no joiner either: Greek and Cyrillic (see _LOOKALIKES), full-width
and mathematical ones (see _COMPATIBLE)."""
_AFTER_LATIN = "(?<=[" + _LATIN_LETTER + "])"
_BEFORE_LATIN = "(?=[" + _LATIN_LETTER + "])"
_IGNORABLE_CHARACTER = (
    "[\u200c-\u200f\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u2061-\u2064\u3164"
    "\ufe00-\ufe0f\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0000-\U000e0fff]"
)
"""The other characters Unicode says show as nothing (its default ignorable ones), which
emoji and other scripts need: the joiners, the marks of direction, the grapheme joiner, the
Hangul fillers, the invisible operators, variation selectors and tags, and the like."""
_IGNORABLE = _IGNORABLE_CHARACTER + "++"
"""A run of them, read once (possessive): a long run that no Latin letter follows is tried
once, not once for each of its characters."""
_INVISIBLE = (
    # Each character that shows as nothing: the other control characters but the tab and those
    # Python reads as white space (a line break, a form feed), a soft hyphen, a zero-width
    # space, the word joiner and the invisible characters after it, a zero-width no-break
    # space, and the embeddings, overrides and isolates of bidirectional text ...
    r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\u00ad\u200b\u2060\u2065-\u206f\ufeff\u202a-\u202e]"
    # ... and the characters of _IGNORABLE where they shape nothing: after a Latin letter
    # ("care\u200dless", "human\u200c error"), or before one after a space or punctuation
    # ("\u034fcareless"). After an emoji or a letter of another script they stay, whatever
    # follows: they may end its sequence (a flag's tags before a word).
    + ("|" + _AFTER_LATIN + _IGNORABLE)
    # (From the run's first character only: the marks of direction and the joiners are
    # punctuation's code points too.)
    + (
        "|(?<![^\\s!-/:-@\\[-`{-~\u00a0-\u00bf\u2000-\u206f])(?<!"
        + _IGNORABLE_CHARACTER
        + ")"
        + _IGNORABLE
        + _BEFORE_LATIN
    )
)
_HIDDEN = (
    # An escape sequence that colours or moves the text, pasted from a terminal: ESC [ (or its
    # one-character form U+009B), its parameters and its final letter ("\x1b[31m") ... and each
    # character that shows as nothing.
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]|" + _INVISIBLE
)
_HIDDEN_SEARCH = re.compile(_HIDDEN)
_COMPATIBLE = "\uff01-\uff5e\ufb00-\ufb06\U0001d400-\U0001d7ff"
"""Letters written in another form of the same letter: full-width, ligatures (U+FB02 for "fl"),
the mathematical alphabets (U+1D450 for "c"). The page shows them as those letters."""
_COMPATIBLE_LETTER = re.compile("[" + _COMPATIBLE + "]")
_LETTER_FORMS = (
    "\u00aa\u00ba\u02b0-\u02b8\u02e0-\u02e4\u1d2c-\u1d6a\u1d78\u1d9b-\u1dbf\u2071\u207f"
    "\u2090-\u209c\u2100-\u214f\u2160-\u217f\u24b6-\u24e9"
)
"""Other forms of a Latin letter: modifier letters, superscripts and subscripts, letterlike
symbols, Roman numerals, circled letters ("\u217c" for "l", "\u24e2" for "s"). Beside a Latin
letter, in a word, one that Unicode takes for a single letter is read as that letter."""
_SHOWN_OTHERWISE = re.compile(
    ("(?P<nothing>" + _INVISIBLE + ")")
    + ("|[" + _COMPATIBLE + "]")
    + ("|" + _AFTER_LATIN + "[" + _LETTER_FORMS + "]|[" + _LETTER_FORMS + "]" + _BEFORE_LATIN)
)
"""What the page shows otherwise than written, character by character: as nothing, or as the
letter it is another form of."""
_ATTRIBUTES = r"\{:?[ ]*[^{}\n ][^{}\n]*\}"
"""An inline attribute list after an element ("*slo*{: .x}ppy"), which the page does not show."""
_UNDERSCORES = re.compile(r"_+")
_WORD_CHARACTER = re.compile(r"\w")
_LINK = r"\[(?P<linked>[^\[\]\n]{0,200})\]\([^()\s]*(?:\s+\"[^\"\n]*\")?\)(?:" + _ATTRIBUTES + ")?"
_LINK_IN_A_WORD = (
    # The text of a link inside a word, which the page shows as part of the word: after a
    # letter ("care[less](#)") or before one ("[care](#)less"). Not an image's: its words are
    # no text of the page.
    r"(?:(?<=[^\W_])|(?<!!)(?=" + _LINK.replace("?P<linked>", "") + r"[^\W_]))" + _LINK
)
_AN_ELEMENTS_NAME = (
    r"(?=(?i:" + "|".join(sorted(HTML_ELEMENTS, key=len, reverse=True)) + r")(?![^\t\n\f\r /<>]))"
)
"""A tag's name that is an HTML element's, to its end as the HTML parser reads it: "<b>" and
"<B x=1>" are, "<pod>" and "<b_x>" are not."""
_UNSHOWN = re.compile(
    # A code span, shown as written (its backticks are the pattern's first group) ...
    CODE_SPAN
    # ... markup inside a word, which the page shows as none: an inline HTML element, a comment,
    # a processing instruction or a CDATA section, which browsers read as a comment
    # ("br<b></b>oke", "br<!-- -->oke", "care<img src=x>less", "slo<?x?>ppy"), emphasis stars or
    # underscores and the attributes after them ("ca*re*less", "*slo*{: .x}ppy"; not underscores
    # alone, which stay in words) ... A tag no HTML element has is none: the page shows it as
    # written, a placeholder ("care<pod>less").
    # (Possessive, and a comment of at most 200 characters: a run of stars or of unclosed
    # comments is read once, not once for each way to split it.)
    + r"|(?<=[^\W_])(?:<!--.{0,200}?-->|</?(?!(?:br|hr|p|div|li|ul|ol|dl|dt|dd|table|tr|td|th|h[1-6]"
    r"|blockquote|pre|details|summary|section|article|header|footer)\b)"
    + _AN_ELEMENTS_NAME
    + r"[A-Za-z][\w-]*+\b[^<>\n]*+>"
    r"|<\?[^<>\n]{0,200}>|<!\[CDATA\[.{0,200}?\]\]>"
    r"|\*++(?:"
    + _ATTRIBUTES
    + r")?|_++"
    + _ATTRIBUTES
    + r")++(?=[^\W_])"
    # ... a footnote's reference, which shows as a number apart ("Dave[^1] broke") ...
    + r"|\[\^[^\]\s]{1,40}\]"
    # ... a character reference, which the page shows as its character ("&#100;ave") ...
    r"|&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});",
    re.DOTALL,
)
"""What the checks read the text without, or as what it shows: hidden in a word, it would
split "br<b></b>oke" or "care[less](#)" into words no check knows. What shows as nothing
(_HIDDEN; IO007 reports the controls among it) is read without before and after: markup between
it and a word is inside the word, and a character reference may write it ("&zwj;"). A link's
brackets and address inside a word (_LINKS_IN_WORDS) go before: the markup in its text is in
the word too ("slo[*ppy*](#)", "[s*lo*](#)ppy")."""
_LINKS_IN_WORDS = re.compile(
    # A code span, shown as written, and a link's brackets and address inside a word.
    CODE_SPAN + "|" + _LINK_IN_A_WORD,
    re.DOTALL,
)
_MAY_HIDE = re.compile(
    r"[<*](?<=[^\W_].)(?=[^\W_]|\*+[^\W_]|!--|!\[|\?|/?[A-Za-z])|&#?[A-Za-z0-9]+;|\[\^"
    r"|[^\W_]\[[^\[\]\n]*\]\(|\]\([^()\n]*\)[^\W_]|\}[^\W_]"
)
"""What the markup above needs, in printable ASCII text: a quick test before the search."""
_COMBINING = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
"""The marks a letter may be written with after it, as text in Unicode's decomposed form (NFD)
writes "e\u0301" for "\u00e9"."""
_JAMO = "[\u1100-\u1112][\u1161-\u1175][\u11a8-\u11c2]?"
"""A Hangul syllable written as its letters (jamo), as decomposed text writes "\uae40" (Kim)."""
_DECOMPOSED = re.compile("[^\\W\\d_][" + _COMBINING + "]+|" + _JAMO)
"""A letter written with its marks after it, which the page shows as the one letter: read
apart, "Jose\u0301" would be the word "Jose" and a mark, and "Nguye\u0302\u0303n" two words;
and a Hangul syllable written as its jamo, which would be a name of nine letters, not three."""
_FOREIGN = re.compile(
    "[\u02bc\u034f\ufe00-\ufe0f\u0370-\u04ff\u0500-\u052f\u1100-\u11ff"
    + _COMBINING
    + _COMPATIBLE
    + _LETTER_FORMS
    + "]"
)
"""What else may hide a word, in text that is not ASCII: letters of other forms, letters
written with their marks after them and Hangul written as its jamo (see _DECOMPOSED), Greek
and Cyrillic letters that look Latin (see _LOOKALIKES), and the modifier letter apostrophe,
drawn as the apostrophe is ("Dave\u02bcs")."""
_LOOKALIKES = str.maketrans(
    # Cyrillic and Greek letters drawn as Latin ones: in a word that mixes them with Latin
    # letters ("c\u0430reless"), they are those Latin letters. A word of their own script stays.
    "\u0430\u0432\u0435\u043a\u043c\u043d\u043e\u0440\u0441\u0442\u0443\u0445\u0455\u0456\u0458\u0501\u04cf\u051b\u051d"
    "\u0410\u0412\u0415\u041a\u041c\u041d\u041e\u0420\u0421\u0422\u0423\u0425\u0405\u0406\u0408\u04c0"
    "\u03bf\u03b1\u03bd\u03c1\u03c5\u03b9\u0391\u0392\u0395\u0397\u0399\u039a\u039c\u039d\u039f\u03a1\u03a4\u03a7\u03a5\u0396",
    "aBekmHopcTyxsijdlqwABEKMHOPCTYXSIJIoavpuiABEHIKMNOPTXYZ",
)
_WORD = re.compile(r"[^\W\d_]+")
_LATIN = re.compile(r"[A-Za-z]")
_GREEK_OR_CYRILLIC = re.compile("[\u0370-\u052f]")
"""A word, and what tells whether it mixes Latin letters with Greek or Cyrillic ones."""


def _unmixed(match: re.Match[str]) -> str:
    """A word that mixes Latin letters with Greek or Cyrillic ones, in Latin letters (see
    _LOOKALIKES); any other word as it is."""
    word = match.group(0)
    if _LATIN.search(word) is None or _GREEK_OR_CYRILLIC.search(word) is None:
        return word
    return word.translate(_LOOKALIKES)


_Places = tuple[list[int], list[int]]
"""Where each character of a text read otherwise starts and ends in the text it was read from."""


def _as_shown_by(text: str, found: re.Match[str]) -> str | None:
    """What the page shows for one match of _UNSHOWN; None for a link's text, shown as written."""
    written = found.group(0)
    if written[0] == "`" or _linked(found) is not None:
        return None
    if written[0] == "&":
        return html.unescape(written)
    if written[0] == "_" and found.start() not in _closing_underscores(text):
        return written  # no emphasis closes there ("key_{: .x}name"): shown as written
    return ""


@lru_cache(maxsize=4)
def _closing_underscores(text: str) -> frozenset[int]:
    """Where a run of underscores closes emphasis, as the site's Markdown pairs them: the first
    run after an opening one (not after a word's letter) that no word's letter follows, with
    text between them. "_slo_{: .x}ppy" closes at its second run; "_Note_: it was care_{: .x}less"
    does not close at the third, whose opening run was closed already. Read once for the text,
    however many runs it holds."""
    closing: set[int] = set()
    opened: int | None = None
    for run in _UNDERSCORES.finditer(text):
        start, end = run.span()
        if opened is not None:
            if start > opened and not _WORD_CHARACTER.match(text, end):
                closing.add(start)
                opened = None
        elif (not start or not _WORD_CHARACTER.match(text, start - 1)) and end < len(text):
            opened = end
    return frozenset(closing)


def _linked(found: re.Match[str]) -> tuple[int, int] | None:
    """Where a link's text is, for a match of _LINKS_IN_WORDS that is a link."""
    if "linked" not in found.re.groupindex or found.group("linked") is None:
        return None
    return found.span("linked")


def _read(
    text: str, pattern: re.Pattern[str], shown_by: Callable[[str, re.Match[str]], str | None]
) -> tuple[str, _Places] | None:
    """The text with each match of the pattern read as shown_by(text, match) shows it (as
    written for None: a code span; a link's text without its brackets and address), and where
    each of its characters comes from; None when nothing matches."""
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    done = 0
    for match in pattern.finditer(text):
        begin, end = match.span()
        pieces.append(text[done:begin])
        starts.extend(range(done, begin))
        ends.extend(range(done + 1, begin + 1))
        shown = shown_by(text, match)
        if shown is None:  # a code span or a link's text: each character where it is written
            first, last = _linked(match) or (begin, end)
            pieces.append(text[first:last])
            starts.extend(range(first, last))
            ends.extend(range(first + 1, last + 1))
        else:
            pieces.append(shown)
            starts.extend([begin] * len(shown))
            ends.extend([end] * len(shown))
        done = end
    if not done:
        return None
    pieces.append(text[done:])
    starts.extend(range(done, len(text)))
    ends.extend(range(done + 1, len(text) + 1))
    return "".join(pieces), (starts, ends)


def _through(outer: _Places | None, inner: _Places) -> _Places:
    """Places in the first text of characters read twice: inner into the text outer made."""
    if outer is None:
        return inner
    starts, ends = outer
    return [starts[at] for at in inner[0]], [ends[at - 1] for at in inner[1]]


def _without_invisible(text: str, found: re.Match[str]) -> str:
    """What the page shows for a character that shows as nothing."""
    return ""


def _letter_shown(text: str, found: re.Match[str]) -> str:
    """What the page shows for a match of _SHOWN_OTHERWISE: nothing, or the letter it is."""
    if found.group("nothing") is not None:
        return ""
    written = found.group(0)
    shown = unicodedata.normalize("NFKC", written)
    if _COMPATIBLE_LETTER.match(written):
        return shown
    # Another form of a letter: only one Unicode takes for a single letter ("\u217c").
    return shown if len(shown) == 1 and shown.isascii() and shown.isalpha() else written


def _composed(text: str, found: re.Match[str]) -> str:
    """The one letter a letter and its marks are shown as, where Unicode has one."""
    return unicodedata.normalize("NFC", found.group(0))


def as_shown(text: str) -> tuple[str, list[int], list[int]]:
    """The text as the page shows it (see _UNSHOWN and _LOOKALIKES), and where each of its
    characters starts and ends in the text as written."""
    ascii_text = text.isascii()
    if not (
        ((not ascii_text or not text.isprintable()) and _HIDDEN_SEARCH.search(text) is not None)
        or (
            ("<" in text or "*" in text or "&" in text or "[" in text or "}" in text)
            and _MAY_HIDE.search(text) is not None
        )
        or (not ascii_text and _FOREIGN.search(text) is not None)
    ):
        return text, [], []  # nearly every chunk: a few scans in C
    shown_text = text
    places: _Places | None = None
    # What shows as nothing, then the links in words, then the markup, then each character as
    # it shows: markup beside an invisible character or in a link's text is still inside the
    # word, and a character reference may write one ("&zwj;", "&#65359;").
    for pattern, shown_by in (
        (_HIDDEN_SEARCH, _without_invisible),
        (_LINKS_IN_WORDS, _as_shown_by),
        (_UNSHOWN, _as_shown_by),
        (_SHOWN_OTHERWISE, _letter_shown),
        (_DECOMPOSED, _composed),
    ):
        if pattern is _LINKS_IN_WORDS and "](" not in shown_text:
            continue
        if pattern is _DECOMPOSED and shown_text.isascii():
            continue
        read = _read(shown_text, pattern, shown_by)
        if read is not None:
            shown_text, inner = read
            places = _through(places, inner)
    if not shown_text.isascii():
        # One for one: the places stay.
        shown_text = _WORD.sub(_unmixed, shown_text).replace("\u02bc", "\u2019")
    if shown_text == text:
        return text, [], []  # nothing the page shows otherwise ("**note**", "a <b>c</b>")
    if places is None:
        return shown_text, list(range(len(text))), list(range(1, len(text) + 1))
    return shown_text, places[0], places[1]


_How = tuple[bool, bool, bool, frozenset[str] | None, tuple[int, ...], tuple[int, ...]]
"""How Checker.check reads a chunk: heading, names_people, transcript, organisations,
owner_cells, actor_cells."""

LABELLED_BLAMEFUL = "labelled blameful in the archive's examples file"
"""What BL010 says of a sentence the examples file labels blameful, whatever the model reads."""

_LINKED = re.compile(r"!?\[([^\[\]]*)\]\([^()\s]*\)")
_EMPHASIS = re.compile(r"(?<!\w)[*_]+|[*_]+(?!\w)")


def normalise(text: str) -> str:
    """A line as the examples file matches it: no list, table or heading markers, no emphasis,
    a link's text without its target, no case. Quotation marks stay: someone's words quoted are
    not the writer's own sentence."""
    if "](" in text:
        text = _LINKED.sub(r"\1", text)
    if "*" in text or "_" in text:
        text = _EMPHASIS.sub("", text)
    return " ".join(_MARKERS.sub("", text).lower().split()).rstrip(".!?;: |")


_ZONE = (
    r"[ \t]*(?:[AaPp]\.?[Mm]\.?|\(?[A-Z]{2,5}(?:[+-]\d{1,2}(?::?\d{2})?)?\)?|"
    r"[+-]\d{2}:?\d{2})(?!\w)"
)
"""A time's zone or half of the day ("14:05:09 UTC", "2:05 pm", "14:05+02:00", "(UTC+1)", "ET"):
any word of two to five capitals, since no list holds every zone's abbreviation."""
_ENTRY_TIME = re.compile(
    # A heading's marker: "### 07:35 - Pods pending" is an entry too. Its blanks taken whole
    # (possessive): the pattern's own blanks follow, and a line of them split every way was
    # quadratic.
    r"(?:[ \t]*+#{1,6}[ \t]++)?"
    + _TIMESTAMPED.pattern
    # Its seconds, and its zone or half of the day ("14:05:09 UTC", "2:05 pm", "14:05+02:00") ...
    + r"(?::\d{2}(?:[.,]\d{1,9})?)?Z?"
    r"(?P<zone>" + _ZONE + r")?"
    # ... where a range of times ends ("10:30 - 10:45 UTC", "~14:05 - ~14:20", "`10:30`-`10:45`", an
    # en dash too; "14:05-14:20" reads as a time and its offset, so a zone may follow that too) ...
    r"(?:[*_`]*[ \t]*[-\u2013\u2014~][ \t]*[*_`]*~?(?:\d{1,2}:|\d{2}h)\d{2}(?!\d)"
    r"(?::\d{2}(?:[.,]\d{1,9})?)?Z?)?(?:" + _ZONE + r")?"
    # ... the emphasis, bracket or backtick that closes it, and what stands between it and the
    # text ("**10:00 AM:** ").
    r"[*_\])`]*(?:[ \t]*(?:[-:|,\u2013\u2014]|\.(?!\d))[*_\])`]*)*[ \t]*"
)
"""The time a free-form timeline entry opens with ("- 14:05 UTC: ", "**10:40** ", "- [03-26
06:27] ", "| 14:02 | ", "### 07:35 - ", "- `10:30`-`10:45` "), and what stands between it and the
entry's text."""
_ENTRY_OPENERS = _TIMELINE_OPENERS | {"#"}


def entry_texts(line: str) -> tuple[str, ...]:
    """The text of a free-form timeline entry without its time, as an example labels it: after
    the time and its zone ("- 14:05 UTC: Ken paged the DBA"), and after the time alone, since
    a word in capitals after it may be the text's own ("- 14:05 DB failover started"); none
    for a line that opens with no time."""
    entry = _ENTRY_TIME.match(line)
    if entry is None:
        return ()
    if entry.group("zone") is None:
        return (line[entry.end() :],)
    return line[entry.end() :], line[entry.start("zone") :]


@dataclass(frozen=True)
class Checker:
    """The rules, the model and the archive's own examples, ready to check prose."""

    options: BlamelessOptions = field(default_factory=BlamelessOptions)
    model: BlameModel | None = None
    threshold: float = 0.5
    examples: Mapping[str, int] = field(default_factory=dict)
    """Normalised lines the organisation labelled: 1 blameful, 0 blameless."""
    _lines: dict[tuple[Any, ...], list[BlameHit]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    """What check_document found in short lines, by line and how it was read: every record of
    an archive repeats its template's headings and labels."""
    note_allowed: bool = False
    """Note in allowed_used which allowed phrases keep a finding away, which costs a second
    reading of text that holds one: only a lint of the whole archive asks (see SP003)."""
    allowed_used: set[str] = field(default_factory=set, init=False, repr=False, compare=False)
    """The allowed phrases (see allowed_phrase) that kept a finding from being reported in what
    this checker read, with note_allowed."""

    def check(
        self,
        text: str,
        *,
        heading: bool = False,
        names_people: bool = False,
        transcript: bool = False,
        organisations: frozenset[str] | None = None,
        owner_cells: tuple[int, ...] = (),
        actor_cells: tuple[int, ...] = (),
    ) -> list[BlameHit]:
        """Rule hits in a chunk of prose, plus BL010 for sentences only the model reads as blame.

        `heading`: a heading or title: short, and Title Case hides which words are names.
        `names_people`: a timeline, responders list, transcript or action item, where people
        are named as a matter of course, so the model needs to be surer, and a person read as
        the cause (BL001) is reported only when the model reads the sentence as blame too, or
        another rule finds blame in it.
        `transcript`: the transcript of the incident channel, where a line that opens with a time
        is a message, not a timeline entry, and the tone of what was typed is quoted (no BL006).
        `organisations`: capitalised words the whole document shows to be organisations or
        products ("Discord engineers"); by default, those the chunk itself shows.
        `owner_cells`: for a table row, the cells (from 0) its table's header calls the owner's.
        `actor_cells`: for a table row, the cells its table's header says hold who acted or
        owns (owner_cells among them); one that only names a team or a role is weighed only
        with the rest of the row.
        """
        how = (heading, names_people, transcript, organisations, owner_cells, actor_cells)
        if (
            text.isascii()
            and text.isprintable()
            and "*" not in text
            and "&" not in text
            and "<" not in text
            and "[" not in text
            and "}" not in text
        ):
            return self._check_shown(text, how)  # nothing can show otherwise than written
        shown, starts, ends = as_shown(text)
        if shown is text:
            return self._check_shown(text, how)
        if actor_cells and shown.count("|") != text.count("|"):
            # A pipe the page shows as text ("&#124;") moves the cells: none is left out.
            how = (heading, names_people, transcript, organisations, owner_cells, ())
        # Read as the page shows it, each hit placed back where its words are written; a fix
        # is kept only where the words are written as they show.
        placed = []
        for hit in self._check_shown(shown, how):
            start = starts[hit.start] if hit.start < len(starts) else len(text)
            end = ends[hit.end - 1] if hit.end > hit.start else start
            same = text[start:end] == shown[hit.start : hit.end]
            placed.append(
                replace(hit, start=start, end=end, replacement=hit.replacement if same else None)
            )
        return placed

    def _check_shown(self, text: str, how: _How) -> list[BlameHit]:
        """check() of text as it shows."""
        hits = self._check(text, True, *how)
        if not self.options.allow or not ((hits and self.model is not None) or self.note_allowed):
            return hits
        allowed = allowed_matches(text, self.options)
        if not allowed:
            return hits
        if hits and self.model is not None:
            # The model reads the text without the phrases the archive allows: other words, so
            # its verdicts can change either way. A finding stands only if the text as written
            # finds it too, so that allowing a phrase never adds one.
            hits = _found_in_both(text, hits, self._check(text, False, *how))
        if self.note_allowed and not self.allowed_used.issuperset(p for _, p in allowed):
            self._note_allowed(text, how, hits, allowed)
        return hits

    @cached_property
    def _unallowed(self) -> Checker:
        """This checker with no phrase allowed: what would be reported without them."""
        return replace(self, options=replace(self.options, allow=()), note_allowed=False)

    def _note_allowed(
        self,
        text: str,
        how: _How,
        hits: list[BlameHit],
        allowed: list[tuple[tuple[int, int], str]],
    ) -> None:
        """Add to allowed_used the phrases of the text that kept a finding from being reported,
        one found without them and not with them: a rule's where it was, kept away by the
        phrases it overlaps (as check_text drops it); BL010 in the same sentence, or a rule's
        that overlaps none (the model, reading without them, cleared it), kept away by the
        phrases of its sentence."""
        # Split as _check splits for the model: a table row by its cells.
        spans = sentences(_model_view(text), cells=text.lstrip().startswith("|"))
        opening = [start for start, _ in spans]
        edges = [span[0] for span, _ in allowed]  # sorted, never overlapping: finditer's

        def sentence_of(at: int) -> int:
            return bisect_right(opening, at) - 1

        by_sentence: dict[int, set[str]] = {}
        for (start, _), phrase in allowed:
            by_sentence.setdefault(sentence_of(start), set()).add(phrase)
        phrases = {phrase for _, phrase in allowed}
        reported = {(hit.code, hit.start, hit.end) for hit in hits}
        toned = {sentence_of(hit.start) for hit in hits if hit.code == "BL010"}
        for hit in self._unallowed._check_shown(text, how):
            where = sentence_of(hit.start)
            if (hit.code, hit.start, hit.end) in reported or (
                hit.code == "BL010" and where in toned
            ):
                continue
            over: set[str] = set()
            if hit.code != "BL010":
                index = bisect_left(edges, hit.end) - 1  # the last phrase that starts before
                while index >= 0 and allowed[index][0][1] > hit.start:
                    over.add(allowed[index][1])
                    index -= 1
            self.allowed_used.update(over or by_sentence.get(where) or phrases)
            if self.allowed_used.issuperset(phrases):
                return

    def _check(
        self,
        text: str,
        blank_allowed: bool,
        heading: bool,
        names_people: bool,
        transcript: bool,
        organisations: frozenset[str] | None,
        owner_cells: tuple[int, ...],
        actor_cells: tuple[int, ...],
    ) -> list[BlameHit]:
        """check() of text that shows as written, with the allowed phrases blanked for the model
        or not."""
        written = text
        if organisations is None:
            organisations = self.organisations(text)
        text = self.read(text, organisations)
        # Read in lower case, they are no handles either ("Holesky's deposit contract").
        products = frozenset(map(str.lower, organisations)) if organisations else organisations
        hits = check_text(text, self.options)
        if heading:
            # Title Case capitalises every word, so the name heuristic cannot work there.
            hits = [hit for hit in hits if hit.code != "BL001"]
        if transcript:
            # What people typed in the channel at the time is quoted, not narrated: its "lol",
            # "ugh" and ":facepalm:" are left as they were; blame of someone in it is not.
            hits = [
                hit
                for hit in hits
                if hit.code != "BL006" or _INTERJECTION.fullmatch(text[hit.start : hit.end]) is None
            ]
        if self.model is None and not self.examples:
            # Without the model, a person named there is taken for who did it, not the culprit.
            return [hit for hit in hits if hit.code != "BL001"] if names_people else hits
        if self._byline_of_names(text) and self._label(text) != 1:
            return hits
        view = _model_view(text)
        if transcript:
            # Nor does the model weigh them: "lol what happened?!!" asks what happened.
            view = _blanked(view, (m.span() for m in _TYPED_INTERJECTION.finditer(view)))
        if blank_allowed and self.options.allow:
            # A phrase the archive allows is never reported: nor is it evidence of blame.
            view = _blanked(view, allowed_spans(view, self.options))
        # Split as written: a sentence that opens with a lower-cased organisation still opens one.
        written_view = view if text is written else _model_view(written)
        listed = _LIST_OF_PEOPLE.match(view)
        if listed is not None and "\n" in text.strip():
            listed = None  # a paragraph that opens with such a label is read as one
        if listed is not None:
            # The people who took part are no culprits for being listed: the line is read
            # without them, and reported when the rest of it blames them ("Responders: Ken Li,
            # who broke it again").
            view = self._without_people(view, listed.end())
        if heading and _title_case(written):  # as written: lower-cased organisations would hide it
            view = _title_case_view(view)  # read as words, but for the names that act
        # The timeline and responders sections and bylines name people as a matter of course:
        # be surer there. Headings are short noun phrases, and a line that opens with a time of
        # day, in the timeline or not, says what someone did in a sentence of its own, as blame
        # of them does: surer, but not as sure.
        threshold: float | None = None
        entry = False
        if heading:
            threshold = max(self.threshold, HEADING, SURER if names_people else 0.0)
        elif (
            not transcript
            and text[:1] in _TIMELINE_OPENERS
            and _TIMESTAMPED.match(text) is not None
        ):
            threshold = max(self.threshold, TIMELINE)
            entry = True
        elif names_people or transcript or _BYLINE.match(text) is not None:
            threshold = max(self.threshold, SURER)
        row = written_view.lstrip().startswith("|")
        spans = sentences(written_view, cells=row)
        # A line of the examples file labels the chunk it is, whatever sentences it holds
        # (explain says it decides): blameless, nothing of it is reported; blameful, it is.
        labelled = self._label(text) if len(spans) > 1 else None
        if labelled == 0:
            return []
        # The cells of who acted or owns say who, not what went wrong: a team or a role alone
        # ("| 06:20 | Ops control centre | First radio call |") is no blame of it, and is not
        # weighed alone. A cell that names a person, or says more than who ("Ken (repeat
        # offender)", "Ops, as usual"), is weighed as any other.
        actors: list[tuple[int, int]] = []
        actor_starts: list[int] = []
        if row and actor_cells:
            actors = [
                (start, end)
                for start, end in _cells_at(written_view, actor_cells)
                if _SAYS_WHO.fullmatch(written_view, start, end) is not None
                and not self._names_a_person(written_view[start:end])
            ]
            actor_starts = [start for start, _ in actors]
        kept: list[BlameHit] = []
        placed: set[int] = set()
        starts: list[int] = []
        if hits:
            hits.sort(key=lambda hit: hit.start)
            starts = [hit.start for hit in hits]
        for start, end in spans:
            # The hits that start in this sentence: a slice of the sorted hits, since a chunk of
            # many sentences can have as many hits.
            inside = hits[bisect_left(starts, start) : bisect_left(starts, end)] if hits else []
            if inside:
                placed.update(map(id, inside))
            label = self._label(text[start:end])
            if label == 0:
                continue  # the organisation marked this sentence blameless
            sentence = view[start:end]
            if inside:
                if (names_people or entry) and all(hit.code == "BL001" for hit in inside):
                    # Where people are named as a matter of course (in the timeline and the
                    # responders, or in a line that opens with a time of day, wherever it is), a
                    # person as the subject of what went wrong is often just who did it ("14:05
                    # Omar took the API offline for the planned migration"): the rule stands when
                    # the model reads the sentence as blame too, at the bar of the section, or
                    # when the finding names the blame itself ("Arjun's fault").
                    if (
                        label == 1
                        or any(_NAMES_THE_BLAME.search(text, hit.start, hit.end) for hit in inside)
                        or self._reads_as_blame(
                            sentence,
                            threshold if names_people else self.threshold,
                            needs_target=False,
                        )
                    ):
                        kept.extend(inside)
                    continue
                if label != 1:
                    scores: dict[tuple[int, int], float | None] = {}
                    inside = [
                        hit for hit in inside if not self._cleared(sentence, hit, start, scores)
                    ]
                kept.extend(inside)
                continue
            if label != 1 and actors:
                cell = bisect_right(actor_starts, start) - 1
                if cell >= 0 and end <= actors[cell][1]:
                    continue
            # A sentence that is only a reference is the title of someone else's writing: its
            # author is left out, and a title in Title Case is read as a heading is, surely (0.8).
            # What it says of its author, or of the people its title names as written, is
            # weighed whole, as the row whose owners were left out is.
            reference = _reference_view(sentence) if "](" in sentence else None
            weighed = reference is not None and (
                reference[1] or self._names_someone(text[start:end])
            )
            hit = self._model_hit(
                view,
                written,
                start,
                end,
                force=label == 1,
                threshold=threshold if reference is None else max(self.threshold, SURER),
                needs_target=listed is None and not weighed,
                read=None if reference is None else reference[0],
                # A sentence of prose that names nobody is still blame when the model is all
                # but sure; a heading, a table row, a reference or a list of people is read only
                # for whom it names, or may name (see model.loosely_named).
                untargeted=not heading and not row and reference is None and listed is None,
                products=products,
            )
            if hit is not None:
                kept.append(hit)
        if row and not kept and not hits and len(spans) > 1:
            # The person in one cell and what they did in the next ("| Fernanda | Broke KYC,
            # again |"): the row read whole, as the model learned rows, and surer.
            whole = sentences(written_view)
            if len(whole) == 1:
                start, end = whole[0]
                label = self._label(text[start:end])
                if label != 0:
                    # The owners of an action item are no culprits: the row is read without
                    # them, and reported when the rest of it blames them ("| Broke checkout,
                    # again | Ken |"); a row without them names no one else to weigh.
                    # A cell that is a reference is read as one.
                    cited = _row_references(view) if "](" in view else view
                    without = self._without_owners(cited, owner_cells)
                    hit = self._model_hit(
                        without,
                        written,
                        start,
                        end,
                        force=label == 1,
                        threshold=max(self.threshold, SURER),
                        needs_target=without == cited,
                        products=products,
                    )
                    if hit is not None:
                        kept.append(hit)
        if labelled == 1 and not kept:
            hit = self._model_hit(view, written, spans[0][0], spans[-1][1], force=True)
            if hit is not None:
                kept.append(hit)
        if len(placed) < len(hits):
            # Hits outside every sentence span (in a timeline entry's prefix, say) stand as found.
            kept.extend(h for h in hits if id(h) not in placed)
            kept.sort(key=lambda hit: (hit.start, hit.code))
        return kept

    def _without_owners(self, row: str, owner_cells: tuple[int, ...]) -> str:
        """The row with the cells of its owner's column blanked out, where they hold only
        people: the owner of an action item is no culprit."""
        if self.model is None or not owner_cells:
            return row
        owning = set(owner_cells)
        return _blanked(
            row,
            (
                span
                for index, span in enumerate(_cell_spans(row))
                if index in owning and self._only_people(row[span[0] : span[1]])
            ),
        )

    def _without_people(self, text: str, start: int) -> str:
        """The text with the names and handles after `start` blanked out (same length)."""
        if self.model is None:
            return text
        found = tokens(text[start:], self.model.known, self.options.people)
        return _blanked(
            text,
            ((start + t.start, start + t.end) for t in found if t.value in (NAME, HANDLE)),
        )

    def _names_someone(self, text: str) -> bool:
        """Some word of the text, as written, points at someone (see has_target)."""
        if self.model is None:
            return False
        found = tokens(text, self.model.known, self.options.people)
        return has_target([token.value for token in found])

    def _names_a_person(self, text: str) -> bool:
        """Some word of the text reads as a person's name, a handle or a pronoun."""
        if self.model is None:
            return True
        return any(
            token.value in (NAME, HANDLE) or token.value in PRONOUNS
            for token in tokens(text, self.model.known, self.options.people)
        )

    def _only_people(self, text: str) -> bool:
        """The text reads as names, handles and 'and' alone ("Ken Li and @dana")."""
        if self.model is None:
            return False
        return self.model.reads_only(text, _LISTED, self.options.people)

    def _byline_of_names(self, text: str) -> bool:
        """A byline of one line that lists people and says nothing else ("Created by:
        [Katharine Berry](...)", "**Authors:** Ken Li, @dana and Ola Nordmann"): nothing in it
        reads as blame. The model's own reading tells names from words written in capitals
        ("Authors: Ken Li, The Culprit" says more)."""
        match = _BYLINE.match(text)
        if match is None or self.model is None or "\n" in text.strip():
            return False
        return self._only_people(text[match.end() :])

    def _label(self, sentence: str) -> int | None:
        """How the organisation labelled the sentence in its examples: 1 blameful, 0 blameless.
        A timeline entry's sentence is also looked up without its time (see entry_texts)."""
        if not self.examples:
            return None
        label = self.examples.get(normalise(sentence))
        if label is None and sentence[:1] in _ENTRY_OPENERS:
            for text in entry_texts(sentence):
                label = self.examples.get(normalise(text))
                if label is not None:
                    break
        return label

    def read(self, text: str, organisations: frozenset[str] | None = None) -> str:
        """The chunk as the checks read it: organisations and products in lower case, so that
        neither the rules nor the model take them for people; handles written as code as they
        are written bare (see unquote_handles)."""
        if organisations is None:
            organisations = self.organisations(text)
        if self.model is not None:
            text = unquote_handles(text, self.model.common)
        return unname(text, organisations)

    def organisations(self, text: str) -> frozenset[str]:
        """What read() lower-cases: nothing for the rules alone, which keep reading as before."""
        if self.model is None:
            return frozenset()
        return find_organisations(text, self.options.people, self.model.known)

    def explain(self, text: str) -> Explanation:
        """Everything the checks see in one sentence: rule hits, the model's score and its cues.
        A Markdown heading ("## How Sanjay Broke Month-End Close") is read as lint reads one."""
        text = as_shown(text)[0]
        heading = _heading_unit(text)
        if heading is not None:
            # As lint reads it: out of its quote, a blank line before it.
            text = heading.text.lstrip()
        read = self.read(text)
        rules = tuple(hit for hit in check_text(read, self.options))
        allowed = (
            tuple(dict.fromkeys(phrase for _, phrase in allowed_matches(read, self.options)))
            if self.options.allow
            else ()
        )
        weighed = _blanked(read, allowed_spans(read, self.options)) if self.options.allow else read
        threshold = self.threshold
        if heading is not None:
            # As _check weighs a heading: its capitals lowered, and surer.
            threshold = max(self.threshold, HEADING, SURER if heading.names_people else 0.0)
            if _title_case(text):
                weighed = _title_case_view(weighed)
        elif read[:1] in _TIMELINE_OPENERS and _TIMESTAMPED.match(read) is not None:
            # As _check weighs a line that opens with a time of day, a timeline entry: surer.
            threshold = max(self.threshold, TIMELINE)
        elif _BYLINE.match(read) is not None:
            threshold = max(self.threshold, SURER)
        people = self.options.people
        score = self.model.score(weighed, people) if self.model else None
        cues = (
            tuple(cue._replace(word=text[cue.start : cue.end]) for cue in score.cues[:8])
            if score
            else ()
        )
        hits = tuple(
            self.check(text)
            if heading is None
            else self.check(
                text,
                heading=True,
                names_people=heading.names_people,
                transcript=heading.transcript,
            )
        )
        reported = {(hit.code, hit.start) for hit in hits}
        view = _model_view(read)
        spans = sentences(view)
        opening = [start for start, _ in spans]
        read_sentences: dict[int, tuple[str, dict[tuple[int, int], float | None]]] = {}

        def cleared_by_model(hit: BlameHit) -> bool:
            index = bisect_right(opening, hit.start) - 1
            if index < 0 or hit.start >= spans[index][1]:
                return False
            start, _ = spans[index]
            if index not in read_sentences:
                read_sentences[index] = (view[start : spans[index][1]], {})
            sentence, scores = read_sentences[index]
            return self._cleared(sentence, hit, start, scores)

        cleared = tuple(
            hit
            for hit in rules
            if (hit.code, hit.start) not in reported
            and not (heading is not None and hit.code == "BL001")
            and cleared_by_model(hit)
        )
        # Lint weighs each sentence of a paragraph alone: with several, say what each scores.
        each = (
            tuple(
                (text[start:end].strip(), self.model.probability(weighed[start:end], people))
                for start, end in spans
            )
            if self.model is not None and len(spans) > 1
            else ()
        )
        return Explanation(
            text,
            rules,
            score.probability if score else None,
            threshold,
            cues,
            hits,
            cleared,
            self._labels(read, spans),
            each,
            allowed,
            heading is not None,
            self._owned_apology(read.strip()) or self._owned_resolve(read.strip()),
        )

    def _labels(self, read: str, spans: list[tuple[int, int]]) -> tuple[tuple[str, int], ...]:
        """The sentences of the text that the examples file labels, as lint looks them up, with
        their labels; the whole text when it is labelled as one line."""
        if not self.examples:
            return ()
        whole = self._label(read)
        if whole is not None:
            return ((read.strip(), whole),)
        found = ((read[start:end], self._label(read[start:end])) for start, end in spans)
        return tuple((sentence, label) for sentence, label in found if label is not None)

    def _model_hit(
        self,
        text: str,
        written: str,
        start: int,
        end: int,
        *,
        force: bool,
        threshold: float | None = None,
        needs_target: bool = True,
        read: str | None = None,
        untargeted: bool = False,
        products: frozenset[str] = frozenset(),
    ) -> BlameHit | None:
        """BL010 for text[start:end] when the model reads it as blame; `written` is the chunk as
        the author wrote it, for the words the message quotes; `read`, the sentence as the model
        reads it, when not text[start:end] (a reference). Without `needs_target`, the sentence
        is weighed even when it names no one (the row whose owners were left out); with
        `untargeted`, one that names no one is blame when the model is all but sure of it."""
        if self.model is None:
            if not force:
                return None
            message, suggestion = MESSAGES["BL010"]
            return BlameHit("BL010", start, end, f"{LABELLED_BLAMEFUL}: {message}", suggestion)
        sentence = text[start:end] if read is None else read
        # The apology is read only of a sentence the model reads as blame: most are not.
        if not force and (
            not self._reads_as_blame(
                sentence,
                threshold,
                needs_target=needs_target,
                untargeted=untargeted,
                products=products,
            )
            or self._owned_apology(sentence)
            or self._owned_resolve(sentence)
        ):
            return None
        score = self.model.score(sentence, self.options.people)
        span = cue_span(score.cues) or (0, end - start)
        telling = [cue for cue in score.cues if cue.word.lower() not in FUNCTION_WORDS]
        words = ", ".join(
            f"'{written[start + cue.start : start + cue.end]}'" for cue in telling[:3]
        )
        message, suggestion = MESSAGES["BL010"]
        if force:
            detail = LABELLED_BLAMEFUL
        else:
            detail = f"reads as blame (model {score.probability:.2f}"
            detail += f", from {words})" if words else ")"
        return BlameHit(
            "BL010", start + span[0], start + span[1], f"{detail}: {message}", suggestion
        )

    def _owned_resolve(self, sentence: str) -> bool:
        """The writers promise themselves care or doing better, and name no one else: their own
        lesson ("I need to be more careful with my own release checklist"), which BL009 leaves
        alone (see patterns.resolve_of_own) and is no blame of anyone for the model either.
        A sentence that names someone, or may after the care ("…with whatever the night shift
        merges"), is weighed as any."""
        return (
            self.model is not None
            and resolve_of_own(lower_same_length(sentence))
            and not self._names_someone(sentence)
        )

    def _owned_apology(self, sentence: str) -> bool:
        """The writers apologise for the incident, in their own name or their team's: owning it,
        not blaming anyone (see _SPEAKER_APOLOGISES), when no one else is named in it."""
        found = _SPEAKER_APOLOGISES.match(sentence)
        if (
            found is None
            or _AFTER_APOLOGY.search(sentence, found.end()) is not None
            or _APOLOGY_FOR.match(sentence, found.end()) is None
        ):
            return False
        model = self.model
        # Who apologises is read above; who else the rest of it names is read here.
        rest = sentence[found.end() :]
        return model is not None and _NOT_THE_WRITERS.isdisjoint(
            token.value for token in tokens(rest, model.known, self.options.people)
        )

    def _cleared(
        self,
        sentence: str,
        hit: BlameHit,
        offset: int,
        scores: dict[tuple[int, int], float | None],
    ) -> bool:
        """The model reads the sentence, and the clause of it around the hit (at `offset` in the
        sentence's text; the sentence alone for a discourse marker), under the hit's veto bar (see
        veto_bar): it blames no one there. Never when either is too short to judge.

        `scores` keeps, by span, what the model said of the sentence and its clauses (None: too
        short) for the sentence's other hits: a sentence with thousands of them is read once, not
        once per hit."""
        model = self.model
        bar = veto_bar(hit)
        if model is None or bar is None:
            return False
        whole = (0, len(sentence))
        if hit.discourse and _stands_as_said(
            sentence,
            hit.start - offset,
            hit.end - offset,
            model.known,
            self.options.people,
            model.common,
        ):
            return False
        # A discourse marker's clause is most often the marker alone ("Of course, ..."): the
        # sentence is what it is said of.
        read = (
            (whole,)
            if hit.discourse
            else dict.fromkeys(
                (_clause_span(sentence, hit.start - offset, hit.end - offset), whole)
            )
        )
        for span in read:
            if span in scores:
                score = scores[span]
            else:
                text = sentence[span[0] : span[1]]
                score = scores[span] = (
                    model.probability(text, self.options.people)
                    if len(_WORDY.findall(text)) >= MIN_WORDS
                    else None
                )
            if score is None or score >= bar:
                return False
        return True

    def _reads_as_blame(
        self,
        sentence: str,
        threshold: float | None,
        *,
        needs_target: bool,
        untargeted: bool = False,
        products: frozenset[str] = frozenset(),
    ) -> bool:
        """The model scores the sentence at the threshold or over it (the checker's own when
        None), and it is more than a list of people. With `untargeted`, a sentence of
        UNTARGETED_WORDS words or more that names no one scores what the model reads."""
        if self.model is None or sentence.count(" ") < MIN_WORDS - 1:
            return False  # too short to judge, known without reading it
        threshold = threshold or self.threshold
        probability = self.model.probability(
            sentence,
            self.options.people,
            needs_target=needs_target,
            min_tokens=MIN_WORDS,
            untargeted=untargeted_bar if untargeted else 1.0,
            products=products,
            floor=threshold,
        )
        # A list of people ("@dana and Priya") says nothing about them.
        return probability >= threshold and not self._only_people(sentence)


@dataclass(frozen=True)
class Explanation:
    text: str
    rules: tuple[BlameHit, ...]
    probability: float | None
    threshold: float
    cues: tuple[Cue, ...]
    hits: tuple[BlameHit, ...]
    """What lint reports for the sentence (rules, BL010, the archive's examples applied)."""
    cleared: tuple[BlameHit, ...] = ()
    """Rule hits not reported because the model reads their sentence as blaming no one (see
    veto_bar)."""
    labels: tuple[tuple[str, int], ...] = ()
    """The sentences the archive's examples file labels, with the label: 1 blameful, 0 blameless."""
    sentences: tuple[tuple[str, float], ...] = ()
    """For text of several sentences, each with the model's score of it alone, as lint weighs it."""
    allowed: tuple[str, ...] = ()
    """The phrases of the archive's allow list the text holds (see allowed_phrase)."""
    heading: bool = False
    """The text is a Markdown heading, read as lint reads one."""
    owned: bool = False
    """The text is the writers' own apology, lesson or resolve, naming no one else, which the
    model does not report (see Checker._owned_apology, Checker._owned_resolve)."""
    model_file: str | None = None
    """The archive's own model file the scores come from, as configured; None for the shipped
    model."""

    @property
    def flagged(self) -> bool:
        return bool(self.hits)

    def as_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "flagged": self.flagged,
            "probability": None if self.probability is None else round(self.probability, 4),
            "threshold": self.threshold,
            "model_file": self.model_file,
            "rules": [
                {
                    "code": h.code,
                    "span": self.text[h.start : h.end],
                    "message": h.message,
                    "cleared_by_model": h in self.cleared,
                }
                for h in self.rules
            ],
            "cues": [{"word": c.word, "weight": round(c.weight, 4)} for c in self.cues],
            "sentences": [
                {"text": sentence, "probability": round(probability, 4)}
                for sentence, probability in self.sentences
            ],
            "examples": [
                {"text": sentence, "label": _LABEL_NAMES[label]} for sentence, label in self.labels
            ],
            "allowed": list(self.allowed),
            "heading": self.heading,
            "owned": self.owned,
            "reported": [
                {"code": h.code, "span": self.text[h.start : h.end], "message": h.message}
                for h in self.hits
            ],
        }

    def as_text(self) -> str:
        lines = [f"sentence: {self.text}"]
        if self.probability is None:
            lines.append("model: off")
        else:
            side = "blame" if self.probability >= self.threshold else "not blame"
            lines.append(
                f"model: {self.probability:.2f} (threshold {self.threshold:.2f}: reads as {side})"
            )
            # After `blameless train`, whether the archive's model is the one that scored.
            lines.append(
                f"model file: {self.model_file} (the archive's own)"
                if self.model_file
                else "model file: none (the model shipped with incident-docs)"
            )
            if self.sentences:
                lines.append("lint weighs each sentence alone:")
                lines.extend(f"  {p:.2f} {sentence}" for sentence, p in self.sentences)
        cues = ", ".join(f"{c.word} (+{c.weight:.2f})" for c in self.cues) or "none"
        lines.append(f"cues: {cues}")
        if self.rules:
            for hit in self.rules:
                lines.append(f"rule {hit.code}: '{self.text[hit.start : hit.end]}': {hit.message}")
                if self.heading and hit.code == "BL001":
                    lines.append(
                        "  not reported: BL001 does not read headings, where Title Case "
                        "capitalises words that are no names; the model weighs the heading"
                    )
                elif hit in self.cleared:
                    lines.append(
                        "  not reported: a word also said in passing, in a sentence that tells "
                        "nothing of the past (but perhaps the writers' own deed), names no one "
                        f"near it, and that the model scores under {DISCOURSE:.2f}"
                        if hit.discourse
                        else f"  not reported: the model is all but sure (under {VETO:.2f}) "
                        "that the sentence and the clause this matched in blame no one"
                    )
        else:
            lines.append("rules: no rule matches")
        for sentence, label in self.labels:
            which = "" if sentence == self.text.strip() else f"'{sentence}' "
            lines.append(
                f"examples: {which}labelled {_LABEL_NAMES[label]} in the archive's examples "
                "file, which decides"
            )
        if self.allowed:
            phrases = ", ".join(f"'{phrase}'" for phrase in self.allowed)
            lines.append(
                f"allowed: {phrases} in the archive's allow list, never reported nor weighed by "
                "the model"
            )
        if self.hits:
            lines.extend(f"reported {hit.code}: {hit.message}" for hit in self.hits)
        else:
            lines.append("reported: nothing")
            if (
                self.owned
                and not self.labels
                and self.probability is not None
                and self.probability >= self.threshold
            ):
                lines.append(
                    "(the writers' own apology, lesson or resolve, naming no one else, is no "
                    "blame of anyone: the model does not report it)"
                )
            elif (
                not self.labels
                and self.probability is not None
                and self.probability >= self.threshold
            ):
                why = (
                    "(the model reports a sentence only when it names someone, a person, a "
                    "pronoun, a role or a team, or points at someone ('some of us did flag "
                    "this'), in three words or more, and not when it only lists people"
                )
                lines.append(
                    f"{why})"
                    if self.heading  # a heading that names nobody is never reported
                    else f"{why}; a sentence of prose of {UNTARGETED_WORDS} words or more that "
                    f"names nobody, when it is {UNTARGETED:.2f} sure or more, or the threshold "
                    "if higher)"
                )
        return "\n".join(lines)


_LABEL_NAMES = ("blameless", "blameful")

_GENERATED_KINDS = frozenset({"handoff", "status"})


_OWNER_HEADER = re.compile(
    r"(?:action |task )?(?:owners?|assignees?|assigned(?: to)?|dri|responsible|poc|point of contact)"
)
"""The header of a table's column of action-item owners (not "Who" or "By", which head the
people of any table: "| Who | Notes |\n| Dmitri | Root cause |")."""
_ACTOR_HEADER = re.compile(
    r"who|by|(?:done|performed|handled|raised|reported|actioned|taken) by|actors?|"
    r"(?:responsible |owning |assigned )?(?:teams?|roles?|groups?|departments?|dept)|"
    r"persons?|people|names?|(?:incident )?leads?|responders?|on-?call|contacts?"
)
"""The header of a table's column of who acted (a timeline's "Who", "Team", "Role"): with
_OWNER_HEADER, the cells the model weighs only with the rest of their row when they only name
a team or a role."""


def _heading_unit(text: str) -> Unit | None:
    """The text as lint reads it when it is a Markdown heading ("## Timeline"), else None."""
    units = list(body_units(scan_blocks(text.split("\n"))))
    if len(units) == 1 and units[0].heading:
        return units[0]
    return None


def _cells_at(row: str, cells: tuple[int, ...]) -> list[tuple[int, int]]:
    """Where those cells (from 0) of a table row start and end."""
    wanted = set(cells)
    return [span for index, span in enumerate(_cell_spans(row)) if index in wanted]


_SAYS_WHO = re.compile(
    r"(?i)(?![^,;]*?\b(?:who|whom|which|that|because|again|usual|always|never)\b)"
    r"[ \t]*(?:[^\s,;:()\[\]!?\u2013\u2014-]++[ \t]*){1,6}"
)
"""A cell that only says who: six words at most, with no clause or aside (a comma, a bracket,
a dash, a colon, an exclamation)."""


def _cell_spans(row: str) -> list[tuple[int, int]]:
    """Where each cell of a table row starts and ends, from 0, the opening pipe ending none."""
    start = row.find("|") + 1 if row.lstrip().startswith("|") else 0
    spans = []
    for at, char in enumerate(row[start:], start):
        if char == "|":
            spans.append((start, at))
            start = at + 1
    return [*spans, (start, len(row))]


def _title_case(text: str) -> bool:
    """Most words capitalised, as in a Title Case heading or title."""
    words = [w for w in text.split() if len(w) > 3 and w[0].isalpha()]
    return len(words) >= 2 and sum(w[0].isupper() for w in words) >= 0.75 * len(words)


_CAPITALISED_WORD = re.compile(r"(?<![^\W_])[^\W\d_][^\W_]*(?:[-'\u2019][^\W_]+)*")
"""A word, capitalised or not, in any script ('Łódź', 'Øresund')."""


def _title_case_view(text: str) -> str:
    """A Title Case heading in lower case, but for the words that act as a name does there: the
    subject of a verb in the past tense ("How Sanjay Broke Month-End Close"), an owner ("Wanjiru's
    Ledger Disaster") or the agent after "by" ("Ruined by Nikhil"). The other capitals are words,
    not a row of names ("Config Push Broke Routing For Europe")."""

    def lower(match: re.Match[str]) -> str:
        word = match.group(0)
        if not word[0].isupper():
            return word
        following = _FOLLOWING.match(text, match.end())
        before = text[max(0, match.start() - 3) : match.start()].lower()
        if (
            word.endswith(("'s", "\u2019s"))
            or before.endswith("by ")
            or (following is not None and opens_as_name(word, following.group(1).lower()))
        ):
            return word
        return lower_same_length(word)

    return _CAPITALISED_WORD.sub(lower, text)


_FOLLOWING = re.compile(r" +([^\W\d_]+)\b")
_CITATION = re.compile(
    r"[\s>]*(?:[-*+]\s+|\d+[.)]\s+)?(?:(?:see(?:\s+also)?|sources?|via|from|read)[:\s]+|"
    # or a label of a word or two ("Release: [...]", "Upstream issue: [...]")
    r"[*_]*[A-Z][a-z]+(?:[\s-][a-z]+)?[*_]*:[*_]*\s+)?"
    r"\[(?P<text>[^\[\]]+)\]\([^()\s]*(?:\s+\"[^\"]*\")?\)[\s.;,]*",
    re.IGNORECASE,
)
"""A sentence that is only a link, perhaps in a list, after "See also" or a short label,
hard-wrapped or not: a reference."""
_BY_AUTHOR = re.compile(
    # At the start of a run of blanks (so a long run is read once), after a separator or in the
    # title of a piece of writing (see _reference_view), not after what someone did ("Prod taken
    # down by Marcus").
    r"(?<![\s,])[\s,]++by\s+(?:@[\w.-]+|[A-Z][\w'\u2019.-]*(?:\s+[A-Z][\w'\u2019.-]*){0,3})"
    r"(?:\s+(?:and|&)\s+(?:@[\w.-]+|[A-Z][\w'\u2019.-]*(?:\s+[A-Z][\w'\u2019.-]*){0,3}))?\s*$"
)
"""The author a title ends with ("… - Reflection on the testnet by Lucas Saldanha")."""
_CITED = re.compile(
    r"((?:[^\W\d_][\w-]*\s+){0,3}[^\W\d_][\w-]*)(?=['\u2019]s?\s+(?:[\w-]+\s+)?(?:"
    + "|".join(sorted(WORKS, key=len, reverse=True))
    + r")\b)"
)


def _reference_view(sentence: str) -> tuple[str, bool] | None:
    """A sentence that is only a reference to someone's writing ("- [Tim Freeman's list of
    postmortems](...)", "See also [Bryan Cantrill's talk](...).", "[How Complex Systems
    Fail](...)", "Release: [A reflection by Lucas Saldanha](...)") as the model reads it, and
    whether it cites an author: the author's name and its "'s", or "by" and the author, are
    left out, a Title Case title is read as a heading is, and the rest is still
    weighed ("[Dmitri's notes on breaking prod again](...)", "[Ken Strikes Again](...)"). None
    for any other sentence, and for a reference with neither: a link inside a sentence, or a
    title in lower case, is read as any words are ("[Marek's list](...): two dropped
    databases", "See also [the usual Friday deploy from Ken](...).")."""
    line = _CITATION.fullmatch(sentence)
    if line is None:
        return None
    start, end = line.span("text")
    title = sentence[start:end]
    author = _BY_AUTHOR.search(sentence, start, end)  # before a Title Case view lowers it
    titled = _title_case(title)
    if titled:
        sentence = sentence[:start] + _title_case_view(title) + sentence[end:]
    cited = _CITED.match(sentence, start, end)
    if cited is None:
        if author is not None and _written_by(sentence[start : author.start()]):
            blank = " " * (author.end() - author.start())
            return sentence[: author.start()] + blank + sentence[author.end() :], True
        return (sentence, False) if titled else None
    end = cited.end(1) + (2 if sentence[cited.end(1) + 1 : cited.end(1) + 2] == "s" else 1)
    return sentence[: cited.start()] + " " * (end - cited.start()) + sentence[end:], True


_SEPARATED = re.compile(r"(?:\s[-\u2013\u2014|]|[:(,])\s*$")


def _written_by(title: str) -> bool:
    """The words before a title's "by" name a piece of writing ("Reflection on the testnet",
    "Release notes -"), not what someone did ("Prod taken down")."""
    if _SEPARATED.search(title) is not None:
        return True
    return not WORKS.isdisjoint(word.strip(".,:;()[]-").lower() for word in title.split())


def _row_references(row: str) -> str:
    """A table row with each cell that is a reference read as one (see _reference_view)."""
    pieces: list[str] = []
    done = 0
    for start, end in _cell_spans(row):
        cell = row[start:end]
        if "](" not in cell:
            continue
        trimmed = cell.strip()
        reference = _reference_view(trimmed)
        if reference is not None:
            at = start + len(cell) - len(cell.lstrip())
            pieces += (row[done:at], reference[0])
            done = at + len(trimmed)
    return "".join(pieces) + row[done:] if pieces else row


def _blanked(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """The text with each span (in order, not overlapping) turned into as many spaces."""
    out: list[str] = []
    done = 0
    for start, end in spans:
        out += (text[done:start], " " * (end - start))
        done = end
    return "".join(out) + text[done:] if out else text


def _found_in_both(text: str, hits: list[BlameHit], plain: list[BlameHit]) -> list[BlameHit]:
    """The hits found with the allowed phrases blanked that the text as written finds too: a
    rule's hit where it was, BL010 in the same sentence (the same row), where its words may
    differ."""
    found = {(hit.code, hit.start, hit.end) for hit in plain}
    toned = [hit.start for hit in plain if hit.code == "BL010"]
    spans = [(0, len(text))]
    if toned and not text.lstrip().startswith("|"):
        spans = sentences(_model_view(text))
    return [
        hit
        for hit in hits
        if (hit.code, hit.start, hit.end) in found
        or (
            hit.code == "BL010"
            and any(
                start <= hit.start < end and any(start <= at < end for at in toned)
                for start, end in spans
            )
        )
    ]


def _model_view(text: str) -> str:
    """The chunk as the model reads it: a timeline entry's time, kind and author blanked out,
    and the label of a reference link ("[the report][r]"), which the page does not show.

    They are metadata in a fixed format, not the author's words, and the same length keeps
    offsets valid.
    """
    entry = ENTRY.match(text)
    if entry is not None:
        if entry.group("kind") in _GENERATED_KINDS:
            return " " * len(text)  # written by `incident assign` and `incident status`
        text = " " * entry.start("text") + text[entry.start("text") :]
    if "][" in text:
        text = _REFERENCE_LABEL.sub(_blank, text)
    return text


_REFERENCE_LABEL = re.compile(r"\]\[[^\[\]\n]*\]")
"""A reference link's label, after the bracket that closes its text; the bracket too, so that
the text's last word reads as a word ("careless.][r]")."""


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group(0))


def _clause_span(sentence: str, start: int, end: int) -> tuple[int, int]:
    """The span of the clause of the sentence around sentence[start:end]: from the last clause
    break before it to the first after it (see _CLAUSE_BREAK)."""
    starts, ends = _clause_breaks(sentence)
    before = bisect_right(ends, start)
    opened = ends[before - 1] if before else 0
    after = bisect_left(starts, max(end, opened))
    return opened, starts[after] if after < len(starts) else len(sentence)


@lru_cache(maxsize=4)
def _clause_breaks(sentence: str) -> tuple[list[int], list[int]]:
    # Found once per sentence, not once per hit: a sentence of thousands of hits stays linear.
    found = [match.span() for match in _CLAUSE_BREAK.finditer(sentence)]
    return [span[0] for span in found], [span[1] for span in found]


def sentences(text: str, *, cells: bool = False) -> list[tuple[int, int]]:
    """Spans of the sentences of a chunk (of each table cell, with `cells`), trimmed, with a word."""
    cuts = [
        m.span("gap") if m.group("gap") else m.span()
        for m in (_CELL_BREAK if cells else _SENTENCE_BREAK).finditer(text)
        if not (m.group("gap") and _ABBREVIATED.search(text, max(0, m.start() - 8), m.start() + 1))
    ]
    if cuts and "](" in text:
        cuts = _outside(cuts, [found.span() for found in _LINK_TEXT.finditer(text)])
    if cuts and "`" in text:
        # A code span is one piece of its sentence, whatever stops it holds ("`Revert. …`").
        cuts = _outside(cuts, [found.span() for found in _CODE_SPAN.finditer(text)])
    pieces: list[tuple[int, int]] = [(0, len(text))]
    if cuts:
        starts = [0, *(end for _, end in cuts)]
        ends = [*(start for start, _ in cuts), len(text)]
        pieces = list(zip(starts, ends, strict=True))
    result = []
    for begin, end in pieces:
        piece = text[begin:end]
        stripped = piece.strip()
        if stripped and _WORDY.search(stripped):
            begin += len(piece) - len(piece.lstrip())
            result.append((begin, begin + len(stripped)))
    return result


_LINK_TEXT = re.compile(r"\[[^\[\]\n]*\]\(")
"""The text of a link, up to its target: one title, whatever stops it holds ("[Who Moved My
Testnet? - A reflection](…)")."""


def _outside(cuts: list[tuple[int, int]], spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The sentence breaks that are not inside one of the spans (both lists run in order)."""
    kept = []
    index = 0
    for cut in cuts:
        while index < len(spans) and spans[index][1] <= cut[0]:
            index += 1
        if index == len(spans) or not spans[index][0] < cut[0]:
            kept.append(cut)
    return kept


_IMPORT_SOURCE = re.compile(r"""['"][^'"\s]+['"];?""")
_EXPORT = re.compile(
    r"export\s+(?:default\s|(?:const|let|var)\s+[\w$]+\s*=|(?:async\s+)?function|class\s+[\w$]+\s*\{|\{)"
)


def _module_lines(text: str) -> bool:
    """Every line is a JavaScript module statement (`import {Badge} from '@site/src/Badge.js';`,
    `export const meta = {...}`): the code an MDX page opens with, not its prose. Read word by word, so
    a line of blanks costs its length."""
    for line in text.split("\n"):
        words = line.split()
        if words[:1] == ["import"]:
            if not (
                len(words) >= 2
                and _IMPORT_SOURCE.fullmatch(words[-1]) is not None
                and (len(words) == 2 or words[-2] == "from")
            ):
                return False
        elif words[:1] != ["export"] or _EXPORT.match(line.lstrip()) is None:
            return False
    return True


@dataclass(frozen=True)
class Unit:
    """A piece of published prose and where its first character is in the file."""

    text: str
    line: int
    column: int
    heading: bool = False
    exact: bool = True
    """Offsets map to the file exactly (False: a front-matter value written differently, e.g.
    escaped or folded; findings then point at where the value starts, with no fix)."""
    owner_cells: tuple[int, ...] = ()
    """For a table row: the cells its table's header calls the owner's ("Owner", "Assignee")."""
    actor_cells: tuple[int, ...] = ()
    """For a table row: the cells its table's header says hold who acted or owns ("Who",
    "Team", "Owner")."""
    names_people: bool = False
    """Prose that names people as a matter of course: the timeline, the responders list, the
    transcript, or an action item, which names its owner and often a role ("Give the on-call
    engineer a read-only shell")."""
    transcript: bool = False
    """In the transcript of the incident channel: a line that opens with a time is a message."""
    places: tuple[tuple[int, int], ...] | None = None
    """Of a value not written as it reads, where each of its characters is in the file (line,
    column), when that is known."""


_MAX_NESTING = 24
"""How deep admonitions and quotes inside each other are read as such; deeper, their text is
read as it stands (a hostile file of a thousand levels must not exhaust Python's stack)."""


def body_units(
    blocks: list[Block], depth: int = 0, people_sections: frozenset[str] = frozenset()
) -> Iterator[Unit]:
    """Prose blocks of the body, each marked when it sits in a section that names people.
    `depth`: how many admonitions or quotes the blocks are inside; `people_sections`: other
    titles of such sections, as templates.normalise reads them (a `## Chronology` configured as
    the timeline's alias)."""
    in_person_section = False
    in_transcript = False
    transcript_level: int | None = None
    """The level of the heading that opened the transcript of the incident channel."""
    person_level: int | None = None
    """The level of the heading that opened the section that names people."""
    owners: tuple[int, ...] | None = None
    """The owner's cells of the table being read (None: not in a table)."""
    actors: tuple[int, ...] = ()
    """The cells of who acted or owns, in the table being read."""
    next_row = 0
    """The line where the table being read would continue."""
    admonition = False
    """The block before opens text that goes on in indented blocks: an admonition, a footnote,
    a definition of a definition list."""
    columns = 4
    """How far that text is indented in the file."""
    for block in blocks:
        if block.kind != "table_row":
            owners = None
        elif owners is None or block.line != next_row:  # the header row
            headers = [
                block.text[start:end].strip(" *_`").lower()
                for start, end in _cell_spans(block.text)
            ]
            owners = tuple(i for i, name in enumerate(headers) if _OWNER_HEADER.fullmatch(name))
            owning = set(owners)
            actors = tuple(
                i for i, name in enumerate(headers) if i in owning or _ACTOR_HEADER.fullmatch(name)
            )
        next_row = block.end_line + 1
        if block.kind == "heading" and block.level >= 2:
            title = block.title
            if person_level is not None and block.level > person_level:
                # A subsection of the timeline for a day ("### 2020-02-20", "### Day two") is
                # still the timeline; one for anything else ("### Root cause") is not.
                in_person_section = bool(
                    _DAY.search(title)
                    or _PERSON_SECTIONS.search(title)
                    or section_title(title) in people_sections
                )
            else:
                # A heading that opens with a time of day ("### 07:35 - Pods pending") is itself
                # an entry of the timeline, and its section tells that moment.
                in_person_section = bool(
                    _PERSON_SECTIONS.search(title)
                    or section_title(title) in people_sections
                    or _TIMESTAMPED.match(title)
                )
                person_level = block.level if in_person_section else None
            # The transcript a heading opens lasts until a heading at its level or above, and
            # holds where its subsections are still people's ("### Day two").
            if transcript_level is not None and block.level <= transcript_level:
                transcript_level = None
            if transcript_level is None and _TRANSCRIPT_SECTIONS.search(title):
                transcript_level = block.level
            in_transcript = in_person_section and transcript_level is not None
        opened = (
            _admonition_in(block.text)
            if block.kind == "paragraph" and depth < _MAX_NESTING
            else None
        )
        if opened is not None:
            # Admonitions ("!!! warning \"Title\""), perhaps in a list item or another one,
            # perhaps after a paragraph's first lines: each title and the text indented under
            # it are published; the markers are not. Python-Markdown reads the lines after
            # what an admonition holds as a block of their own: so are they, one after another.
            lines = block.text.split("\n")
            starts = list(accumulate((len(line) + 1 for line in lines), initial=0))
            done = 0
            admonition = False
            while opened is not None:
                at, lead, opener = opened
                index = bisect_right(starts, at) - 1
                if index > done:
                    yield Unit(
                        "\n".join(lines[done:index]),
                        block.line + done,
                        1,
                        names_people=in_person_section,
                        transcript=in_transcript,
                    )
                columns = lead + 4
                if opener.group("title") and opener.group("title").strip():
                    yield Unit(
                        opener.group("title"),
                        block.line + index,
                        lead + opener.start("title") + 1,
                        heading=True,
                        names_people=in_person_section,
                        transcript=in_transcript,
                    )
                held = index + 1
                while held < len(lines) and indent_columns(lines[held]) >= columns:
                    held += 1
                yield from _indented_units(
                    lines[index + 1 : held],
                    block.line + index + 1,
                    in_person_section,
                    in_transcript,
                    columns=columns,
                    depth=depth + 1,
                )
                done = held
                # Its text may go on after a blank line only if it held the paragraph's end.
                admonition = done == len(lines)
                opened = _admonition_in(block.text, starts[done]) if done < len(lines) else None
            if done < len(lines):
                yield Unit(
                    "\n".join(lines[done:]),
                    block.line + done,
                    1,
                    names_people=in_person_section,
                    transcript=in_transcript,
                )
            continue
        # Indented "code" that the site shows as text: more of an admonition's, a footnote's or
        # a definition's text after a blank line; or text indented under a list item less than
        # Python-Markdown's code there (four columns a level, and four).
        shown_from = None
        goes_on = block.kind == "code" and admonition and indent_columns(block.text) >= columns
        if goes_on:
            shown_from = columns
        elif block.kind == "code" and block.level and _prose_in_list_item(block):
            shown_from = indent_columns(block.text)
        if not goes_on:
            admonition = (
                block.kind == "paragraph"
                and ("[^" in block.text or ":" in block.text[:1] or "\n:" in block.text)
                and _GOES_ON_INDENTED.search(block.text) is not None
            )
        if shown_from is not None:
            yield from _indented_units(
                block.text.split("\n"),
                block.line,
                in_person_section,
                in_transcript,
                columns=shown_from,
                depth=depth + 1,
            )
            continue
        columns = 4
        shown_at = _fence_shown_as_text(block.text) if block.kind == "code" else None
        if shown_at is not None:
            # The site shows what follows the fence as text, not as code.
            lines = block.text.split("\n")[1:]
            yield from _indented_units(
                lines, block.line + 1, in_person_section, in_transcript, columns=shown_at
            )
            continue
        if block.kind == "html":
            tail = _html_tail(block)
            if tail is not None:
                # text after `-->` or `</pre>` on the same line is published
                yield replace(tail, names_people=in_person_section, transcript=in_transcript)
            continue
        if block.kind not in PROSE_KINDS:
            continue
        text = _comments_blanked(block.text) if "<!--" in block.text else block.text
        if block.kind == "quote":
            quoted = text.split("\n")
            logged = {offset for offset, line in enumerate(quoted) if _LOG_LINE.match(line)}
            written = [line for line in quoted if line.strip(" \t>")]
            if not depth and len(logged) * 2 > len(written):
                # Quoted log output is evidence, not the author's words. (A quote in a quote
                # has its log lines left out one by one: its prose is the author's.) A line
                # written after it without a marker is the page's quote too, but the author's
                # own words: it is read.
                marked = {n for n, line in enumerate(quoted) if _QUOTE_MARK.match(line)}
                if len(marked) == len(quoted):
                    continue
                logged = marked
            yield from _quoted_units(
                quoted, block.line, logged, in_person_section, in_transcript, depth
            )
            continue
        if PLACEHOLDER_LINE.match(block.text):
            continue  # the template's words, not the author's
        if block.kind == "paragraph" and block.text[:1] in "ie" and _module_lines(block.text):
            continue  # an MDX page's imports and exports: code, which the page does not show
        column = 1
        if block.kind == "table_row" and not text.lstrip().startswith("|"):
            # A row written without its leading pipe ("10:00 | Ken | …") is read with one, as
            # the page shows its cells; the pipe stands before the first column.
            text, column = "|" + text, 0
        yield Unit(
            text,
            block.line,
            column,
            heading=block.kind == "heading",
            owner_cells=owners or (),
            actor_cells=actors if owners is not None else (),
            names_people=in_person_section,
            transcript=in_transcript,
        )


def _comments_blanked(text: str) -> str:
    """The text with its closed HTML comments that run over several lines (of a paragraph, a
    list item or a quote) blanked, line breaks kept: the site does not show them. One inside a
    word ("care<!--⏎-->less") is left to as_shown, which joins the word as the page does; one on
    a single line too. One pass: a comment never closed leaves the rest as it is (each line's
    own reading masks it to the line's end)."""
    code = [found.span() for found in _CODE_SPAN.finditer(text)] if "`" in text else []
    spans = 0  # the code spans before `index` are done with
    parts = []
    index = 0
    while (start := text.find("<!--", index)) >= 0:
        while spans < len(code) and code[spans][1] <= start:
            spans += 1
        if spans < len(code) and code[spans][0] <= start:  # "`<!--`" is code, shown as written
            parts.append(text[index : code[spans][1]])
            index = code[spans][1]
            continue
        end = text.find("-->", start + 4)
        if end < 0:
            break
        end += 3
        comment = text[start:end]
        in_word = (
            start > 0 and end < len(text) and _WORDY_CHAR.match(text[start - 1]) is not None
            and _WORDY_CHAR.match(text[end]) is not None
        )  # fmt: skip
        hidden = "\n" in comment and not in_word
        parts += [text[index:start], _NOT_BREAK.sub(" ", comment) if hidden else comment]
        index = end
    parts.append(text[index:])
    return "".join(parts)


_WORDY_CHAR = re.compile(r"[^\W_]")
_NOT_BREAK = re.compile(r"[^\n]")
_CODE_SPAN = re.compile(CODE_SPAN, re.DOTALL)


_GOES_ON_INDENTED = re.compile(r"\A {0,3}\[\^[^\]\s]+\]:|^:[ \t]", re.MULTILINE)
"""A paragraph whose text may go on in indented blocks: a footnote ("[^1]: …"), a definition of
a definition list ("Term" then ": …")."""
_ADMONITION = re.compile(r' {0,3}(?:!!!|\?\?\?\+?) ?[\w-]+(?: +[\w-]+)*(?: +"(?P<title>.*?)")? *')
"""The first line of an admonition (the site's `admonition` and `pymdownx.details`), whole: its
marker, its type and classes, and its title in quotation marks, as Python-Markdown reads it.
A line it does not read so is a paragraph, shown as written."""


_QUOTE_MARK = re.compile(r"^[ \t]*>[ \t]?")
"""One level of a quote's markers (after the outer levels' markers, blanked)."""
_QUOTE_MARKS = re.compile(r"^[ \t]*(?:>[ \t]?)+")
"""Every level of them."""
_MAY_OPEN_ADMONITION = re.compile(r"^[ \t]*(?:!!!|\?\?\?)", re.MULTILINE)


def _admonition_in(text: str, start: int = 0) -> tuple[int, int, re.Match[str]] | None:
    """The first line of a paragraph from offset `start` on that opens an admonition (a line of
    its own, as Python-Markdown finds one anywhere in a block): the offset where that line
    starts, the columns before its marker (a list item's or an outer admonition's), and how it
    reads."""
    if not start and "!!!" not in text and "???" not in text:
        return None  # nearly every paragraph
    for found in _MAY_OPEN_ADMONITION.finditer(text, start):
        end = text.find("\n", found.start())
        line = text[found.start() : len(text) if end < 0 else end]
        marker = line.lstrip(" \t")
        opener = _ADMONITION.fullmatch(marker)
        if opener is not None:
            return found.start(), len(line) - len(marker), opener
    return None


_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")


def _prose_in_list_item(block: Block) -> bool:
    """Indented code in a list item (its content at column `block.level`) that Python-Markdown,
    which builds the site, reads as a paragraph: it takes four columns for each level of the
    list, and four more for code ("- item", a blank line, then six spaces: text)."""
    first = block.text.split("\n", 1)[0]
    if _FENCE.match(first.lstrip(" \t")) is not None and indent_columns(first) < block.level + 4:
        return False  # a fence in the item, not indented code
    levels = -(-block.level // 4)  # "- " and "1. " are one level, "    - " two
    return indent_columns(first) < 4 * levels + 4


def _fence_shown_as_text(text: str) -> int | None:
    """For a fenced code block the site shows as text, the column its lines start at (None when
    the site shows it as code). CommonMark reads a fence as code up to the fence that closes it;
    Python-Markdown with pymdownx.superfences, which builds the site, only when a fence as long
    closes it where it opened. Opening a list item (`- ~~~`) or closed left of where it opened,
    tildes are text and backticks a code span, which a blank line inside breaks into text."""
    lines = text.split("\n")
    marker = _MARKER_BEFORE_FENCE.match(lines[0])
    rest = lines[0][marker.end() :] if marker else lines[0]
    opened = _FENCE.match(rest)
    if opened is None:
        return None
    column = len(lines[0][: len(lines[0]) - len(rest.lstrip(" "))].expandtabs(4))
    if len(lines) < 2 or lines[-1].strip() != opened.group(1):
        return column  # never closed
    if marker is None and indent_columns(lines[-1]) >= indent_columns(lines[0]):
        return None  # closed where it opened: code
    if opened.group(1)[0] == "`" and all(line.strip() for line in lines[1:-1]):
        return None  # a code span
    return column


_MARKER_BEFORE_FENCE = re.compile(r"[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+(?=```|~~~)")


def _indented_units(
    lines: list[str],
    first: int,
    names_people: bool,
    transcript: bool,
    *,
    columns: int = 4,
    depth: int = 0,
) -> Iterator[Unit]:
    """The units of text indented `columns` under what opens it (an admonition, say): read as
    blocks of their own (paragraphs, lists, fenced code), reported where they are written.
    `depth`: how many admonitions or quotes they are inside."""
    blocks = []
    for inner in scan_blocks([dedent_columns(line, columns) for line in lines]):
        written = "\n".join(lines[inner.line - 1 : inner.end_line])
        blocks.append(
            replace(
                inner,
                line=first + inner.line - 1,
                end_line=first + inner.end_line - 1,
                text=written,
            )
        )
    yield from _nested_units(blocks, names_people, transcript, depth)


def _nested_units(
    blocks: list[Block],
    names_people: bool,
    transcript: bool,
    depth: int,
    bylines: frozenset[int] = frozenset(),
) -> Iterator[Unit]:
    """The units of blocks held in another (an admonition, a quote), `depth` deep, read as the
    body's are, and marked as what holds them is; a unit on a line of `bylines` names people."""
    for unit in body_units(blocks, depth):
        yield replace(
            unit,
            names_people=unit.names_people or names_people or unit.line in bylines,
            transcript=unit.transcript or transcript,
        )


def _quoted_units(
    lines: list[str],
    first: int,
    logged: set[int],
    names_people: bool,
    transcript: bool,
    depth: int,
) -> Iterator[Unit]:
    """The units of a block quote: the blocks its lines hold once one level of the quote's
    markers is taken off, as the page shows them (a sentence wrapped over several quoted lines
    is read whole; a list, code, an admonition or a quote in the quote as outside one), reported
    where they are written, the markers blanked. A line of a log (`logged`) is left out. A line
    without a marker (a lazy line) continues a paragraph, but ends code or HTML held open."""
    marks = _QUOTE_MARK if depth < _MAX_NESTING else _QUOTE_MARKS
    inner: list[str] = []
    written: list[str] = []
    lazy: list[int] = []
    for offset, line in enumerate(lines):
        marked = marks.match(line)
        cut = marked.end() if marked is not None else 0
        if marked is None:
            lazy.append(offset)
        if offset in logged:
            inner.append("")
            written.append("")
        else:
            inner.append(line[cut:])
            written.append(" " * cut + line[cut:])
    found = scan_blocks(inner)
    for index, block in enumerate(found):
        if block.kind not in ("code", "html"):
            continue
        first_lazy = bisect_right(lazy, block.line - 1)  # the first lazy line in the block
        if first_lazy < len(lazy) and lazy[first_lazy] <= block.end_line - 1:
            # The quote ended before the lazy line: what follows it is read on its own.
            held = lazy[first_lazy]
            found[index] = replace(block, end_line=held)
            found[index + 1 : index + 1] = [
                replace(rest, line=rest.line + held, end_line=rest.end_line + held)
                for rest in scan_blocks(inner[held : block.end_line])
            ]
            break
    blocks = [
        replace(
            block,
            line=first + block.line - 1,
            end_line=first + block.end_line - 1,
            text="\n".join(written[block.line - 1 : block.end_line]),
        )
        for block in found
    ]
    # A line that ends with a colon right above a quote in the quote is its attribution
    # ("**@sam** commented on `db.sql`:", "Priya wrote:"): it names people as a matter of course.
    bylines = frozenset(
        block.line
        for block, following in pairwise(blocks)
        if block.kind == "paragraph"
        and following.kind == "quote"
        and following.line == block.end_line + 1
        and block.text.rstrip().endswith(":")
    )
    yield from _nested_units(blocks, names_people, transcript, depth + 1, bylines)


def _html_tail(block: Block) -> Unit | None:
    """The text after a comment's `-->`, or a `</pre>`'s (and the like: `?>`, `]]>`, the `>` of a
    declaration), on the block's last line, which the site still renders as a paragraph."""
    last = block.text.rsplit("\n", 1)[-1]
    opening = block.text.lstrip(" \t")
    if _DECLARATION.match(opening):
        end = last.find(">") + 1
    else:
        ends = next((e for o, e in _HTML_ENDS if opening.startswith(o)), _RAW_HTML_END)
        end = max((found.end() for found in ends.finditer(last)), default=0)
    if not end or not last[end:].strip():
        return None
    return Unit(last[end:], block.end_line, end + 1)


_HTML_ENDS = (
    ("<!--", re.compile("-->")),
    ("<?", re.compile(r"\?>")),
    ("<![CDATA[", re.compile(r"\]\]>")),
)
_RAW_HTML_END = re.compile(r"</(?:pre|script|style|textarea)>", re.IGNORECASE)
_DECLARATION = re.compile(r"<![A-Za-z]")


_TOML_PROSE = re.compile(
    r"[ \t]*(title|description|summary|subtitle|lede|excerpt)[ \t]*=[ \t]*(?:\"([^\"\\\n]*)\"|'([^'\n]*)')[ \t]*"
)
"""A prose key of TOML front-matter written on one line, which the page publishes."""


def field_units(doc: Document) -> Iterator[Unit]:
    """String values of prose keys in the front-matter, at the line and column they are written;
    in TOML front-matter (see document.py), those written on one line as a plain string."""
    if not isinstance(doc.front_matter, dict):
        if doc.front_matter_end and doc.lines[0].rstrip() == "+++":
            for index in range(1, doc.front_matter_end - 1):
                found = _TOML_PROSE.fullmatch(doc.lines[index])
                if found is not None:
                    group = 2 if found.group(2) is not None else 3
                    yield Unit(
                        as_literal(found.group(group)),
                        index + 1,
                        found.start(group) + 1,
                        heading=found.group(1) == "title",
                    )
        return
    for location, value in _prose_values(doc.front_matter, ()):
        line = doc.key_lines.get(location)
        if line is None:
            continue
        start = doc.value_starts.get(location)
        after = start[1] if start is not None and start[0] == line else None
        unit = _locate(doc, line, value, heading=location[-1] == "title", after=after)
        yield replace(unit, text=as_literal(unit.text), names_people=location[0] == "action_items")


_MARKUP_CHARACTERS = str.maketrans("<>~", "   ")


def as_literal(value: str) -> str:
    """A front-matter value as the site shows it: as written, never read as Markdown, so that no
    comment, tag, struck-out text or sentence in backticks hides a word ("Expired certificate
    <!-- because Sam was careless -->", "`thanks to Sam's sloppy script`"). A name in backticks
    (`` `sloppy-quorum` ``, `` `--lazy` ``) stays code, as in the body. The same length: offsets
    stay valid."""
    value = value.translate(_MARKUP_CHARACTERS)
    if "`" in value:
        value = _CODE_SPAN.sub(_unless_a_name, value)
    return value


def _unless_a_name(span: re.Match[str]) -> str:
    found = span.group(0)
    ticks = len(span.group(1))
    inner = found[ticks:-ticks].strip()
    if inner and _IDENTIFIER.fullmatch(inner) is not None:
        return found  # a flag, a setting, a path: code, as in the body
    return " " * ticks + found[ticks:-ticks] + " " * ticks


_IDENTIFIER = re.compile(r"(?=\S*[-_./=:\d])[^\s@]+")
"""What a span holding a thing's name has (`--lazy`, `sloppy-quorum`, `db.sql`, `v2`): one word
with a hyphen, a dot, a digit or the like, and no '@'. A word alone (`sam`, `Sam`, `lazy`) is
read: the site shows it as written, backticks and all."""


def _prose_values(
    value: Any, location: tuple[str | int, ...]
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    if isinstance(value, dict):
        for key, child in value.items():
            if isinstance(child, str) and (key in PROSE_FIELDS or location == ("audiences",)):
                # The harm to each audience is published too, on the header card.
                yield (*location, key), child
            elif isinstance(child, dict | list):
                yield from _prose_values(child, (*location, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            if isinstance(child, dict | list):
                yield from _prose_values(child, (*location, index))


def _locate(
    doc: Document, line: int, value: str, *, heading: bool, after: int | None = None
) -> Unit:
    """Where the value's text starts: on the key's line when written there as it reads, else
    the key's line itself (escaped, quoted with doubled quotes, folded or multi-line values).
    `after`: the column where the value is written on that line, when known (in a flow list
    of mappings, the same words may stand in an earlier item)."""
    written = doc.lines[line - 1] if 0 < line <= len(doc.lines) else ""
    colon = written.find(":")
    start = colon + 1 if colon >= 0 else 0
    if after is not None and start <= after <= len(written):
        start = after
    at = written.find(value, start) if value and "\n" not in value else -1
    if at >= 0:
        return Unit(value, line, at + 1, heading=heading)
    column = start + 1 + len(written[start:]) - len(written[start:].lstrip())
    places = _aligned(doc.lines, line, start, value)
    return Unit(value, line, column, heading=heading, exact=False, places=places)


def _aligned(
    lines: list[str], line: int, start: int, value: str
) -> tuple[tuple[int, int], ...] | None:
    """The 1-based line and column of each character of a value written over several lines
    (a block scalar, a folded or a wrapped one), read from lines[line - 1][start:] on: its words
    in order, a run of white space in it standing for any run in the file (indentation, the
    line breaks a block folds), an escape or a doubled quotation mark in a quoted one standing
    for the character it writes. None when it is written otherwise."""
    if not 0 < line <= len(lines):
        return None
    row, column = line, start
    # To the value's first character: past white space, line breaks, a comment, an anchor and
    # a tag ("summary: &s !!str |"), and past a block's header or an opening quotation mark.
    while True:
        row, column = _past_space(lines, row, column)
        if row > len(lines):
            return None
        opener = lines[row - 1][column]
        if opener == "#":
            column = len(lines[row - 1])
        elif opener in "&!":
            while column < len(lines[row - 1]) and not lines[row - 1][column].isspace():
                column += 1
        else:
            break
    quote = ""
    if opener in "|>":
        column = len(lines[row - 1])  # the value starts on the next line, after its header
    elif opener in "\"'":
        quote = opener
        column += 1
    places: list[tuple[int, int]] = []
    index = 0
    while index < len(value):
        char = value[index]
        written = lines[row - 1] if row <= len(lines) else ""
        if (
            char.isspace()
            and quote == '"'
            and written[column : column + 1] == "\\"
            and (length := _escape_length(written, column, quote, char)) > 1
        ):
            # White space written as an escape ("human\u00a0error", "a\tb"): that escape.
            places.append((row, column + 1))
            column += length
            index += 1
            continue
        if char.isspace():
            # A run written as white space, up to one written as an escape ("a \nb").
            run = index
            index += 1
            row_after, column_after = _past_space(lines, row, column)
            written_after = lines[row_after - 1] if row_after <= len(lines) else ""
            while (
                index < len(value)
                and value[index].isspace()
                and not (
                    quote == '"'
                    and written_after[column_after : column_after + 1] == "\\"
                    and _escape_length(written_after, column_after, quote, value[index]) > 1
                )
            ):
                index += 1
            places += [(row, column + 1)] * (index - run)
            row, column = row_after, column_after
            continue
        while (
            row <= len(lines)
            and (
                column >= len(lines[row - 1])
                # A line break escaped in double quotes ("game \" then "  day"): nothing written.
                or (quote == '"' and lines[row - 1][column:].rstrip(" \t") == "\\")
            )
        ):
            # A line break the value does not keep, and the indentation after it.
            row += 1
            column = len(lines[row - 1]) - len(lines[row - 1].lstrip()) if row <= len(lines) else 0
        if row > len(lines):
            return None
        written = lines[row - 1]
        length = 1
        if quote and written[column] in "\\'":
            length = _escape_length(written, column, quote, char)
        if written[column] != char and length == 1:
            return None
        places.append((row, column + 1))
        column += length
        index += 1
    return tuple(places)


_ESCAPED = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v",
    "f": "\f", "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\",
    "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029",
}  # fmt: skip
"""What each of YAML's one-letter escapes in a double-quoted value writes."""
_HEX_DIGITS = {"x": 2, "u": 4, "U": 8}


def _escape_length(written: str, column: int, quote: str, char: str) -> int:
    """How many characters of the line, from `column`, write `char` in a value quoted with
    `quote`: 2 for a doubled quotation mark in single quotes ("It''s") or a one-letter escape
    in double quotes ('\\"'), 4, 6 or 10 for a hex escape ('\\u00e9'); 1 otherwise."""
    if quote == "'":
        return 2 if written.startswith("''", column) and char == "'" else 1
    if written[column] != "\\" or column + 1 >= len(written):
        return 1
    letter = written[column + 1]
    if letter in _ESCAPED:
        return 2 if _ESCAPED[letter] == char else 1
    digits = _HEX_DIGITS.get(letter)
    if digits is None:
        return 1
    code = written[column + 2 : column + 2 + digits]
    try:
        return 2 + digits if len(code) == digits and chr(int(code, 16)) == char else 1
    except ValueError:
        return 1


def _past_space(lines: list[str], row: int, column: int) -> tuple[int, int]:
    """The first character from (row, column) on, 1-based row and 0-based column, that is not
    white space or a line's end; a row past the last line when there is none."""
    while row <= len(lines) and (column >= len(lines[row - 1]) or lines[row - 1][column].isspace()):
        row, column = (row + 1, 0) if column >= len(lines[row - 1]) else (row, column + 1)
    return row, column


def check_document(
    doc: Document, checker: Checker, people_sections: Iterable[str] = ()
) -> Iterator[tuple[int, int, int, int, BlameHit]]:
    """(line, column, end line, end column, hit) for every hit in the record's published prose.

    A word that anywhere in the record names an organisation or product ("Discord engineers")
    is not read as a person's name anywhere in it. `people_sections`: the titles the
    configuration gives the sections that name people as a matter of course (the timeline and
    the responders, by their aliases), read as lint reads a section's title.
    """
    named = checker.organisations("\n".join(doc.lines))
    for unit in field_units(doc):
        found = _checked(checker, unit, named)
        # Found once for all the value's hits: a value of thousands of them stays linear.
        breaks = [i for i, char in enumerate(unit.text) if char == "\n"] if found else []
        for hit in found:
            if unit.exact:
                yield (*_position(unit, hit.start, breaks), *_position(unit, hit.end, breaks), hit)
            elif unit.places and hit.end > hit.start:
                # Written over several lines: where its words are, but no fix.
                last = unit.places[hit.end - 1]
                yield (
                    *unit.places[hit.start],
                    last[0],
                    last[1] + 1,
                    replace(hit, replacement=None),
                )
            else:
                # Offsets in the parsed value do not match the file: point at the value, no fix.
                yield unit.line, unit.column, unit.line, unit.column, replace(hit, replacement=None)
    titles = frozenset(section_title(title) for title in people_sections)
    for unit in body_units(doc.blocks, people_sections=titles):
        hits = _checked(checker, unit, named)
        breaks = [i for i, char in enumerate(unit.text) if char == "\n"] if hits else []
        for hit in hits:
            yield (*_position(unit, hit.start, breaks), *_position(unit, hit.end, breaks), hit)


_SHORT_LINE = 80
"""The longest unit check_document keeps what it found in: headings, labels and list items repeat
from record to record; prose rarely does."""
_KEPT_LINES = 10_000


def _checked(checker: Checker, unit: Unit, organisations: frozenset[str]) -> list[BlameHit]:
    """checker.check() of the unit; of a short one, found once per checker and way of reading."""
    if len(unit.text) > _SHORT_LINE or (
        # What a line keeps away is noted when it is read, so one noted is read each time.
        checker.note_allowed and allowed_spans(as_shown(unit.text)[0], checker.options)
    ):
        return _check_unit(checker, unit, organisations)
    key = (
        unit.text,
        unit.heading,
        unit.names_people,
        unit.transcript,
        unit.owner_cells,
        unit.actor_cells,
        organisations,
    )
    kept = checker._lines
    hits = kept.get(key)
    if hits is None:
        if len(kept) >= _KEPT_LINES:
            kept.clear()
        hits = kept[key] = _check_unit(checker, unit, organisations)
    return hits


def _check_unit(checker: Checker, unit: Unit, organisations: frozenset[str]) -> list[BlameHit]:
    return checker.check(
        unit.text,
        heading=unit.heading,
        names_people=unit.names_people,
        transcript=unit.transcript,
        organisations=organisations,
        owner_cells=unit.owner_cells,
        actor_cells=unit.actor_cells,
    )


def _position(unit: Unit, offset: int, breaks: list[int] | None = None) -> tuple[int, int]:
    """1-based line and column of an offset into the unit; `breaks`: the unit's newline offsets."""
    if breaks is None:
        breaks = [i for i, char in enumerate(unit.text[:offset]) if char == "\n"]
    newlines = bisect_left(breaks, offset)
    if not newlines:
        return unit.line, unit.column + offset
    return unit.line + newlines, offset - breaks[newlines - 1]


def check_markdown(
    body: str, options: BlamelessOptions | None = None, checker: Checker | None = None
) -> list[tuple[int, int, BlameHit]]:
    """Check a Markdown body (no front-matter): (1-based line, 1-based column, hit with offsets into body)."""
    checker = checker or Checker(options or BlamelessOptions())
    raw_lines = re.findall(r"[^\n]*\n|[^\n]+$", body)
    lines = [line.rstrip("\r\n") for line in raw_lines]
    starts = [0]
    for raw in raw_lines:
        starts.append(starts[-1] + len(raw))
    doc = Document(path="-", lines=lines, blocks=scan_blocks(lines))
    results = []
    for line, column, _end_line, _end_column, hit in check_document(doc, checker):
        start = starts[line - 1] + column - 1
        moved = replace(hit, start=start, end=start + (hit.end - hit.start))
        results.append((line, column, moved))
    results.sort(key=lambda r: (r[0], r[1], r[2].code))
    return results
