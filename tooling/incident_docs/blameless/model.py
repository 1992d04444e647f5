"""The learned layer: turn a sentence into features and score it with a shipped linear model.

The model is a TF-IDF logistic regression trained by `incident blameless train` (see
training.py). It ships as gzipped JSON, read without executing anything, and scores in plain
Python. Names, handles, numbers and teams' names are masked before featurising, so the model
learns the shape of blame rather than a list of names.
"""

from __future__ import annotations

import json
import math
import re
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import chain, compress, repeat
from operator import add, mul, not_
from pathlib import Path
from typing import Any, NamedTuple

from incident_docs.blameless.agents import caseless_name, handle_shaped, opens_as_name
from incident_docs.blameless.lexicon import (
    AUXILIARIES,
    CLAUSE_OPENERS,
    CODE_SPAN,
    DOTTED_ABBREVIATIONS,
    FUNCTION_WORDS,
    GOVERNED,
    GOVERNING,
    IMPLIED_TARGET,
    IMPLIED_TARGET_KEYS,
    MONTH_CONTEXT,
    MONTH_NAMES,
    NOT_NAMES,
    NOUN_SUFFIX,
    S_NAMES,
    SUBJECT_VERBS,
    TARGETS,
)

FORMAT = "incident-docs/blameless-model"
VERSION = 2
PACKAGED = "blameless-model.json.gz"
"""The shipped model, in incident_docs/blameless/data/."""

NAME = "#name"
HANDLE = "#handle"
NUMBER = "#num"
START = "#start"
TEAM = "#team"
"""The name of a team, masked as a person's is ("the Lab team", "our Payments team")."""

_PIECE = re.compile(r"\S+")
_FIRST = (0,)
"""The parts of a piece that reads as one token: a constant, quicker to loop over than a range."""
_POSSESSIVE = re.compile(r"(?:['\u2019]s?)$")
_MARKUP = re.compile(
    # A tag holds no '<': a line of them is read in one pass, not searched to its end from each.
    CODE_SPAN
    + r"|<!--.*?(?:-->|$)|\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\)|<[^<>\n]*>|\bhttps?://\S+|\bwww\.\S+",
    re.DOTALL,
)


class Token(NamedTuple):
    """A word of a sentence as the model sees it, with its span in the sentence.

    A named tuple rather than a frozen dataclass: every word of every sentence explained makes
    one, and a tuple is several times quicker to make.
    """

    value: str
    start: int
    end: int


_PERSON_SHAPE = re.compile(
    r"(?:Mc|Mac|O'|D'|De|Di|Da|La|Le|Van|Von)?[^\W\d_][^\W\d_A-Z]+(?:[-'][^\W\d_][^\W\d_A-Z]+)*"
)


def is_capitalised(word: str) -> bool:
    """Shaped like a person's name: 'Ken', 'Zoë', 'McKay', 'Jean-Luc', 'O'Brien'.

    Product and company names in CamelCase ('CircleCI', 'LaunchDarkly') and acronyms are not.
    """
    return word[:1].isupper() and _PERSON_SHAPE.fullmatch(word) is not None


def _ordinary_word(low: str) -> bool:
    """Sentence-initial capitals shaped like nouns and adverbs ('Remediation', 'Additionally').

    A shorter word only as a plural ('Certs'): the other short words with those endings are
    known words ('Added', 'Early'), and the unknown ones are names ('Ahmed', 'Emily', 'Ming').
    The endings are English ones: a word with letters beyond ASCII is a name ('Inés', 'Zoë').
    """
    if (len(low) < 6 and low[-1:] != "s") or not low.isascii():
        return False
    return low not in S_NAMES and NOUN_SUFFIX.search(low) is not None


def _compound(low: str, known: frozenset[str]) -> bool:
    """A hyphenated word made of known words ('Client-side', 'Fast-forward', 'Mark-and-sweep'),
    not a name: romanised names have parts of their own ('Joon-ho', 'Ji-young')."""
    return "-" in low and all(part in known for part in low.split("-"))


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group(0))


_MERIDIEM = re.compile(
    r"(?<![\w.:-])(\d{1,2}(?:[:.]\d{2}){0,2}[*_`)\]]{0,2}[^\S\n]+)"
    r"(?:[AP]M|[ap]m|[AP]\.M\.|[ap]\.m\.)(?!\w)"
)
"""The 'AM' or 'PM' of a time of day ("11:18 AM", "**9** a.m."), which belongs to the number and
is not the verb of "I am": an hour, perhaps with minutes and seconds, perhaps in markup, then the
letters on the same line. Not after a longer number or an identifier ("Q3 PM review")."""


_DIGIT = re.compile(r"\d")
_MERIDIEM_LETTERS = re.compile(r"\s[AaPp]\.?[Mm]")
"""What every _MERIDIEM match holds: a quick test, since most numbers are no time of day."""


def _blank_meridiem(match: re.Match[str]) -> str:
    return match.group(1) + " " * (match.end() - match.end(1))


def _clean(text: str) -> str:
    # The time first: a time of day in a code span ("`11:18` AM") is blanked with it below.
    # Quick tests first: most sentences hold no number, and most numbers are no time of day.
    if _DIGIT.search(text) is not None and _MERIDIEM_LETTERS.search(text) is not None:
        text = _MERIDIEM.sub(_blank_meridiem, text)
    if "`" in text or "<" in text or "](" in text or "://" in text or "www." in text:
        text = _MARKUP.sub(_blank, text)
    if not text.isascii():
        # One apostrophe and one double quote, so that curly and straight ones read alike: a
        # word in curly quotes ("\u201cshould have\u201d") is the word, and "\u2019s" a possessive.
        text = text.translate(_QUOTES)
    return text


_QUOTES = str.maketrans(
    dict.fromkeys("\u2018\u2019\u201b", "'") | dict.fromkeys("\u201c\u201d\u201e\u201f", '"')
)


_EDGE = ".,;:!?()[]{}\"'*_`|<>~=+\u2026\u2014\u2013-/\\"
"""Punctuation stripped from both ends of a whitespace-separated piece to get its word."""
_OPENS_SENTENCE = '.!?:;|>("*-'


def _classify(piece: str, known: frozenset[str], people: frozenset[str]) -> tuple[str, ...] | None:
    """The values of one piece of text; None for a capitalised word whose reading needs its place."""
    word = piece.strip(_EDGE)
    if not word:
        return ()
    first = word[0]
    if first == "@":
        # "@dana"; a lone "@" is a word for "at" ("the Windows log @ the server level")
        return (HANDLE,) if word[1:2].isalnum() or word[1:2] == "_" else ()
    if not first.isalpha():
        return (NUMBER,) if any(char.isdigit() for char in word) else ()
    stem = _POSSESSIVE.sub("", word)
    low = stem.lower()
    if handle_shaped(stem):
        value = HANDLE
    elif low in people and (stem[0].isupper() or low not in known):
        value = NAME  # a roster name, unless an ordinary word written in lower case ("will")
    elif low in MONTH_NAMES and stem[0].isupper():
        return None  # "Jun pushed" or "Jun 3": its neighbours tell
    elif (
        low not in known
        and low not in NOT_NAMES
        and is_capitalised(stem)
        and not _compound(low, known)
    ):
        if not _ordinary_word(low):
            value = NAME
        else:
            return None  # a name mid-sentence, an ordinary word at the start of one
    else:
        value = low
    return (value, "'s") if len(stem) < len(word) else (value,)


def _positioned(piece: str, previous: str | None, following: str | None) -> tuple[str, ...]:
    """A capitalised noun-shaped word: a name mid-sentence, and at the start of one when it opens
    the sentence as a name does; else an ordinary word. A month that is also a name ('Jun',
    'April') is a name unless a number or a preposition of time stands next to it."""
    word = piece.strip(_EDGE)
    stem = _POSSESSIVE.sub("", word)
    low = stem.lower()
    owner = len(stem) < len(word)  # "Jun's bonus"
    starts = previous is None or previous[-1] in _OPENS_SENTENCE or previous.rstrip(".)").isdigit()
    if low in MONTH_NAMES:
        named = _month_as_name(previous, following, starts, owner)
    else:
        named = not starts or _named_subject(piece, stem, following)
    value = NAME if named else low
    return (value, "'s") if owner else (value,)


def _month_as_name(previous: str | None, following: str | None, starts: bool, owner: bool) -> bool:
    """A month that is also a name ('Jun', 'April') names a person unless a date reads it: a
    number beside it, or a word of time before it ("after April", "the June release"). Opening a
    sentence, it is a name only as an owner ("Jun's bonus"), as the one an action item is for
    ("Jun to double-check") or as the subject of a verb in the past tense ("June broke")."""
    numbered = following is not None and following[:1].isdigit()
    before = previous.strip(_EDGE).lower() if previous is not None else ""
    if numbered or before[-1:].isdigit() or before in MONTH_CONTEXT:
        return False
    if not starts or owner:
        return True
    verb = following.rstrip(".,;:!?") if following is not None else ""
    return (
        verb == "to" or verb.endswith("ed") or (verb in SUBJECT_VERBS and verb not in AUXILIARIES)
    )


def _named_subject(piece: str, stem: str, following: str | None) -> bool:
    """The word opens its sentence as a name does (see opens_as_name), nothing between it and
    the next word."""
    if following is None or piece != stem:
        return False
    verb = following.rstrip(".,;:!?")
    return verb.islower() and opens_as_name(stem, verb)


_TEAM_WORDS = frozenset({"team", "teams"})


def team_names(pieces: Sequence[str]) -> list[int]:
    """Which pieces name a team: a capitalised word, inside a sentence, directly before "team"
    ("the Lab team", "their SRE teams"). Read as TEAM, as a person's name is read as NAME: the
    model learns what a sentence says of a team, not which teams its corpus blamed. Not a word
    that opens a sentence ("Our team", "Whole team"), nor one with punctuation between them."""
    found = []
    for index in range(1, len(pieces) - 1):
        following = pieces[index + 1]
        if (
            following[:1] in "tT"
            and _POSSESSIVE.sub("", following.rstrip(_EDGE)).lower() in _TEAM_WORDS
        ):
            piece = pieces[index]
            previous = pieces[index - 1]
            if (
                piece[:1].isupper()
                and len(piece) > 1
                and piece.isalnum()
                and previous[-1] not in _OPENS_SENTENCE
                and not previous.rstrip(".)").isdigit()
            ):
                found.append(index)
    return found


_READINGS: dict[tuple[frozenset[str], frozenset[str]], dict[str, tuple[str, ...]]] = {}
"""How each piece of text reads, per vocabulary of known words and roster: most pieces recur."""


def tokens(text: str, known: frozenset[str], people: frozenset[str] = frozenset()) -> list[Token]:
    """The sentence's words with their spans: lower-cased, names, handles and numbers masked.

    Words are the pieces between white space, without the punctuation at their ends. A
    capitalised word is a name unless its lower-case form is a known word (seen in lower case in
    the training corpus), a known non-name (tools, vendors, calendar words), or shaped like a
    noun or adverb at the start of a sentence (unless it opens the sentence as a name does:
    "Mohammed pushed"); roster names are always names.
    """
    text = _clean(text)
    found: list[Token] = []
    previous: str | None = None
    cache = _READINGS.setdefault((known, people), {}) if len(_READINGS) < 16 else {}
    matches = list(_PIECE.finditer(text))
    teams = set(team_names([match.group(0) for match in matches])) if "eam" in text else ()
    for index, match in enumerate(matches):
        piece = match.group(0)
        read = (TEAM,) if index in teams else cache.get(piece)
        if read is None:
            read = _classify(piece, known, people)
            if read is not None and len(cache) < 100_000:
                cache[piece] = read
        if read is None:
            following = matches[index + 1].group(0) if index + 1 < len(matches) else None
            read = _positioned(piece, previous, following)
        previous = piece
        if not read:
            continue
        start = match.start() + len(piece) - len(piece.lstrip(_EDGE))
        end = match.end() - (len(piece) - len(piece.rstrip(_EDGE)))
        if len(read) == 2:
            stem = len(_POSSESSIVE.sub("", text[start:end]))
            found.append(Token(read[0], start, start + stem))
            found.append(Token(read[1], start + stem, end))
        else:
            found.append(Token(read[0], start, end))
    return found


def _token_span(piece: re.Match[str], part: int, parts: int) -> tuple[int, int]:
    """The span of a piece's word without the punctuation at its ends; of a possessive's name
    (part 0) or its "'s" (part 1) when the piece reads as both."""
    raw = piece.group(0)
    start = piece.start() + len(raw) - len(raw.lstrip(_EDGE))
    end = piece.end() - (len(raw) - len(raw.rstrip(_EDGE)))
    if parts < 2:
        return start, end
    stem = start + len(_POSSESSIVE.sub("", piece.string[start:end]))
    return (start, stem) if part == 0 else (stem, end)


def feature_names(values: list[str]) -> list[str]:
    """The features of a token sequence: what training counts and scoring weighs.

    Unigrams, bigrams and trigrams (with a start marker), skip-grams (the words either side of
    each word but the last, the start marker before the first: "sat … alert" whatever sits
    between) and five-letter prefixes of long words, so that 'blamed', 'blaming' and 'blames'
    share evidence. A name or a handle has no unigram of
    its own: what the sentence says of them is evidence; that someone is named is not.
    """
    opened = [START, *values]
    names = ["w " + v for v in values if v not in _UNWEIGHED]
    names += ["b " + a + " " + b for a, b in zip(opened, values, strict=False)]
    names += [
        "t " + a + " " + b + " " + c for a, b, c in zip(opened, values, values[1:], strict=False)
    ]
    names += ["s " + a + " " + c for a, c in zip(opened, values[1:], strict=False)]
    names += ["p " + v[:5] for v in values if len(v) > 6 and v[0] != "#"]
    return names


_UNWEIGHED = frozenset({NAME, HANDLE, TEAM})
"""Token values without a unigram feature (see feature_names)."""
RARE = "#rare"
_SPECIAL_VALUES = frozenset({NAME, HANDLE, NUMBER, START, RARE, TEAM})
"""Token values that are no word of a vocabulary."""
UNTARGETED = 0.99
"""The probability from which a sentence of prose that names nobody the model can read still
reads as blame: blame can point at someone in words no list holds ("Sure, let us just hand-edit
the routing table in production, what could go wrong"), and only the model's surest readings
are taken."""
TARGET_VALUES = TARGETS | {NAME, HANDLE}
"""Token values that point at someone: without one, a sentence blames nobody."""


def has_target(read: Sequence[str]) -> bool:
    """Some word points at someone; not a "who" that a rule settles ("Limit who can push"), nor
    the writers' own team ("our team is solely responsible"), which owns what went wrong."""
    if TARGET_VALUES.isdisjoint(read):
        return False
    return any(
        value in TARGET_VALUES
        and not (value == "who" and _settled(read, index))
        and not (value in _OWN and index > 0 and read[index - 1] == "our")
        for index, value in enumerate(read)
    )


_OWN = frozenset({"team", "teams"})
"""A group that, after "our", is the organisation speaking of itself ("our team", not "our
platform team")."""


def _settled(read: Sequence[str], index: int) -> bool:
    """read[index] is the "who" of a rule that settles who may act (see GOVERNED): not "who has
    been ignoring the pager" nor "who has broken it"."""
    if not (0 < index < len(read) - 1 and read[index - 1] in GOVERNING):
        return False
    verb = read[index + 1]
    if verb not in GOVERNED:
        return False
    after = read[index + 2] if index + 2 < len(read) else ""
    return verb not in ("has", "have") or not (after == "been" or after.endswith(("ed", "en")))


_BARE_WORD = re.compile(r"[a-z]{3,20}[0-9]{0,4}")
_TIME_OF_DAY = re.compile(r"[\[(]?\d{1,2}[:.h]\d{2}(?::\d{2})?Z?[\])]?:?")


def bare_person(text: str, common: frozenset[str], *, relative: bool = False) -> bool:
    """Someone may be meant by words the masking does not read as a person: a word in lower case
    that is not one of the model's common words (known words written so by two batches of its
    corpus or more: one batch's handles are not), shaped like a handle, opening the sentence or a clause
    of it as the subject of a verb ("zpetrovic broke the seat maps", "because tkarimi skipped the
    canary", "14:05 mkowalski pushed") or written as an owner ("kchen's regex"); initials
    ("R.S. pushed it", "that makes five for K.W."); or a name in a script without capitals,
    anywhere in the sentence ("this one is on 田中", "محمد's deploy"), which the masking reads
    as a word it never saw.

    The words are not read as a person: they only let the sentence be weighed, its words as they
    are, since a tool written in lower case stands there too ("restic skipped the locked files",
    "pgpool's health check") and only the rest of the sentence tells the two apart.

    With `relative`, the subject of a relative clause too ("the snapshot that jdoe had
    deleted").
    """
    return _bare_person(_clean(text).split(), common, relative=relative)


def _bare_person(
    pieces: list[str],
    common: frozenset[str],
    products: frozenset[str] = frozenset(),
    *,
    relative: bool = False,
) -> bool:
    """bare_person() of a sentence's pieces of text, cleaned and split as the model reads them;
    `products` are no handles either (see BlameModel.probability)."""
    # Only the pieces that are not common words are weighed.
    unknown = compress(range(len(pieces)), map(not_, map(common.__contains__, pieces)))
    last = len(pieces) - 1
    for index in unknown:
        word = pieces[index]
        if "." in word and _initials(word):
            return True
        if not word.isascii() and caseless_name(_POSSESSIVE.sub("", word.strip(_EDGE))):
            return True
        owner = word.strip(_OWNER_EDGE)
        if owner.endswith("'s"):
            if owner[:-2] not in products and _unknown_handle(owner[:-2], common):
                return True  # "kchen's regex", "(kchen's regex)", and "kchen's been skipping"
            continue
        if not "a" <= word[0] <= "z":
            continue
        if index == last or word in products or not _unknown_handle(word, common):
            continue
        previous = pieces[index - 1] if index else None
        if not _opens_clause(previous) and not (
            relative and previous is not None and previous.lower() in _RELATIVES
        ):
            continue
        verb = pieces[index + 1].rstrip(".,;:!?")
        verb = _NEGATED.get(verb, verb[:-3] if verb.endswith("n't") else verb)
        if verb.islower() and (verb.endswith("ed") or verb in SUBJECT_VERBS):
            return True
    return False


def _unknown_handle(word: str, common: frozenset[str]) -> bool:
    """A word shaped like a handle in lower case that is not a common word, nor a host named
    after one ("kafka3")."""
    if word in common or _BARE_WORD.fullmatch(word) is None:
        return False
    letters = word.rstrip("0123456789")
    return letters not in common and letters not in NOT_NAMES


_QUOTED_HANDLE = re.compile(
    r"(?<!`)`(@[a-z][a-z0-9._-]*[a-z0-9]|[a-z]{1,12}[._][a-z]{1,12})`(?!`)(['\u2019]s(?!\w))?"
)
_HANDLE_PARTS = re.compile(r"[a-z]+")
_SOURCE_SUFFIXES = frozenset("chloy")
"""The common one-letter suffixes of source and object files ('main.c', 'util.h', 'gopher.y',
'lexer.l', 'main.o'): after a dot, such a letter reads as a file's, not as a person's initial
('kwame.o' is left as code too)."""


def unquote_handles(text: str, common: frozenset[str]) -> str:
    """The text with a handle written as code (`@dana`, `priya_k`, `t.okoro`) read as it is read
    bare: on GitHub a handle is written so, so that its owner is not notified, and it still
    names them. The backticks become spaces, so offsets stay valid; a possessive after the span
    joins the handle ("`@dana`'s deploy").

    Only a span that cannot be code: an @ and a word in lower case whose longest part is no
    common word nor shaped like an English one (not a decorator, a tag or an alias: `@property`,
    `@latest`, `@sre-team`, `@1.2.3`; not an annotation, capitalised: `@Override`); or two short
    parts, one an initial (see handle_shaped), whose long part is no common word (not a method,
    `r.status`), an underscore's only when it is one letter (`priya_k`, not `tx_hash`), a dot's
    not before a file's suffix (`main.c`, `gopher.y`). A program's name alone (`restic`) stays
    code."""
    if "`" not in text:
        return text  # most chunks hold no code span
    return _QUOTED_HANDLE.sub(lambda match: _unquoted_handle(match, common), text)


def _unquoted_handle(match: re.Match[str], common: frozenset[str]) -> str:
    handle, owner = match.group(1), match.group(2) or ""
    if not _handle_as_code(handle, common):
        return match.group(0)
    return f" {handle}{owner} " if owner else f" {handle} "


def _handle_as_code(handle: str, common: frozenset[str]) -> bool:
    """The content of a code span is a handle, not code (see unquote_handles)."""
    if handle[0] == "@":
        longest = max(_HANDLE_PARTS.findall(handle), key=len)
        return longest not in common and not _ordinary_word(longest)
    if not handle_shaped(handle):
        return False
    separator = "_" if "_" in handle else "."
    first, second = handle.split(separator)
    longer = first if len(first) >= len(second) else second
    if longer in common or _ordinary_word(longer):
        return False
    if separator == "_":
        return len(first) == 1 or len(second) == 1
    return not (len(second) == 1 and second in _SOURCE_SUFFIXES)


LOOSELY_NAMED = 0.85
"""The probability from which a sentence that names no one but may point at someone in words
the masking reads as no person (see loosely_named) reads as blame: more than the threshold, less
than UNTARGETED."""


def loosely_named(text: str, common: frozenset[str]) -> bool:
    """Someone may be meant anywhere in the sentence, not only where bare_person looks: a word in
    lower case shaped like a handle that is not a common word, nor shaped like an English noun or
    adverb ("props to jcarrasco", "Cause: fnavarro"), but for a speaker's label; or a
    capitalised word inside the sentence (not opening it, a heading or a timeline entry) that
    the masking reads as an ordinary word, as the name of a team, a department or a shift is
    written ("this one is entirely on Payments", "thanks to Customer Care's macro"). A tool, a
    product or a rare word stands there as often, so such a sentence must score LOOSELY_NAMED
    or more."""
    return _loosely_named(_clean(text).split(), common)


def _loosely_named(
    pieces: list[str], common: frozenset[str], products: frozenset[str] = frozenset()
) -> bool:
    """loosely_named() of a sentence's pieces of text; `products` are no one (see
    _bare_person)."""
    unknown = compress(range(len(pieces)), map(not_, map(common.__contains__, pieces)))
    for index in unknown:
        if _speaker_label(pieces, index):
            continue
        bare = _POSSESSIVE.sub("", pieces[index].strip(_EDGE))
        if not bare or bare.lower() in products:
            continue
        if "a" <= bare[0] <= "z":
            if _unknown_handle(bare, common) and not _ordinary_word(bare):
                return True  # not a rare word shaped like English ("disclosures", "thoroughly")
        elif (
            index
            and not _opens_entry(pieces[index - 1])
            and _named_unit(bare)
            and not _title_case(pieces)
        ):
            return True
    return False


def _speaker_label(pieces: list[str], index: int) -> bool:
    """The piece labels who speaks in a transcript line ("rohan: clearing the cache now",
    "[14:05] rohan: …", "**rohan:** …", "- rohan: …"): it ends with a colon and opens the line,
    or follows only what opens an entry."""
    return pieces[index].rstrip("*_").endswith(":") and (
        index == 0 or _opens_entry(pieces[index - 1])
    )


def _opens_entry(previous: str) -> bool:
    """The word after `previous` opens a sentence, a heading, a list item, a quotation or a
    timeline entry: after punctuation that ends or opens one, a heading's or a list's marker, a
    dash, a time of day with its zone ("14:05 UTC"), or a date or number ("2024-03-01")."""
    return (
        previous[-1] in _OPENS_SENTENCE
        or previous[-1] in _OPENS_ENTRY
        or not any(map(str.isalpha, previous))
        or _TIME_OF_DAY.fullmatch(previous) is not None
        or _ZONE.fullmatch(previous) is not None
    )


_OPENS_ENTRY = "#]\u2014\u2013"


def _title_case(pieces: list[str]) -> bool:
    """Most words capitalised ("The Alerts Were Ignored Again"): no unit stands out."""
    return sum(1 for piece in pieces if piece[:1].isupper()) * 2 > len(pieces)


def _named_unit(word: str) -> bool:
    """A capitalised word as a team or a department is written ("Payments"): not a function
    word left capitalised ("The Alerts Were Ignored"), a day, a month or a tool (see
    NOT_NAMES)."""
    low = word.lower()
    return (
        len(word) > 2
        and low not in FUNCTION_WORDS
        and low not in NOT_NAMES
        and word.isalpha()
        and word[0].isupper()
        and word[1:].islower()
    )


_OWNER_EDGE = '([{"*_\u201c\u201d.,;:!?)]}'
"""Brackets, quotation marks and punctuation around an owner ("(kchen's", "kchen's.")."""
_INITIALS = re.compile(r"[(\[\"*_]*((?:[A-Z]\.){1,2}[A-Z])\.?(?:'s)?[)\]\"*_,;:!?.]*")
"""A piece that is two or three initials, with what may stand around them ("(K.W.).")."""


def _initials(piece: str) -> bool:
    """A person's initials ("R.S.", "(K.W.)", "J.R.R.'s"), not a dotted abbreviation ("U.S.")."""
    found = _INITIALS.fullmatch(piece)
    return found is not None and found.group(1) not in DOTTED_ABBREVIATIONS


_NEGATED = {"can't": "can", "won't": "will", "cannot": "can"}


_RELATIVES = frozenset({"that", "which", "who", "whom"})
"""Words that open a relative clause, whose subject may follow ("the export that mkowalski had
disabled")."""


def _opens_clause(previous: str | None) -> bool:
    """The word after `previous` opens a sentence, a clause or a timeline entry."""
    return (
        previous is None
        or previous[-1] in _OPENS_SENTENCE
        or previous[-1] == "]"
        or previous.lower() in CLAUSE_OPENERS
        or previous in ("\u2014", "\u2013")
        or _TIME_OF_DAY.fullmatch(previous) is not None
        or _ZONE.fullmatch(previous) is not None  # "14:05 UTC", "21:00 EAT"
        or (previous.isdigit() and len(previous) <= 2)  # "3 PM jdoe", its "PM" read with the 3
    )


_ZONE = re.compile(r"(?:[A-Z]{2,5}|[AaPp]\.?[Mm]\.?)[:,]?")


def implies_target(text: str) -> bool:
    """The sentence points at someone without naming them ("some of us did flag this")."""
    low = text.lower()
    if "\n" in low or "\t" in low or "  " in low:
        low = " ".join(low.split())  # a hard-wrapped paragraph: "as I\n  mentioned"
    return (
        any(key in low for key in IMPLIED_TARGET_KEYS) and IMPLIED_TARGET.search(text) is not None
    )


def values(found: list[Token], vocabulary: frozenset[str]) -> list[str]:
    """Token values, with words outside the model's vocabulary folded into one rare-word token.

    Folding keeps a sentence full of jargon from being judged on its two familiar words alone.
    """
    return fold([t.value for t in found], vocabulary)


def fold(read: list[str], vocabulary: frozenset[str]) -> list[str]:
    return [v if v[0] == "#" or v in vocabulary else RARE for v in read]


def analyse(text: str, known: frozenset[str], vocabulary: frozenset[str]) -> list[str]:
    """The feature strings of a sentence: the analyzer training and scoring both use."""
    return feature_names(values(tokens(text, known), vocabulary))


_PLACED: tuple[int, ...] = (-1,)
"""The cached reading of a piece whose reading depends on its place in the sentence."""


class Cue(NamedTuple):
    """A word of the sentence and how much it pushed the score towards blame (a named tuple,
    as Token is)."""

    word: str
    start: int
    end: int
    weight: float


@dataclass(frozen=True)
class Score:
    probability: float
    cues: tuple[Cue, ...]
    """Words that pushed towards blame, strongest first."""


@dataclass(slots=True)
class _Reading:
    """The last sentence a model read (see BlameModel._read), and its probability once weighed,
    which is set in place: a reading is shared only by calls about the same text and roster."""

    text: str
    people: frozenset[str]
    cleaned: str
    read: list[tuple[int, ...]]
    ids: list[int]
    probability: float | None


class BlameModel:
    """A linear model over TF-IDF features, scored in plain Python.

    A feature's value is its count in the sentence times its idf, the whole scaled by one over
    the square root of the sentence's length in tokens: unlike an l2 norm, that scale needs no
    feature's weight, so the file holds only the features the model gives a weight, and a
    sentence is weighed by one pass over its keys.
    """

    def __init__(self, data: dict[str, Any], source: str) -> None:
        if data.get("format") != FORMAT:
            raise ValueError(f"{source}: not a blameless model of version {VERSION}")
        version = data.get("version")
        if version != VERSION:
            # Named only when it is a number: anything else could be as large as the file.
            named = version if isinstance(version, int) and not isinstance(version, bool) else None
            raise ValueError(
                f"{source}: a blameless model of version {named or 'unknown'}, where this "
                f"release reads version {VERSION}: run `incident blameless train` to make it again"
            )
        self.source = source
        self.threshold = _number(data.get("threshold"), "threshold", source)
        if not 0.0 < self.threshold < 1.0:
            raise ValueError(f"{source}: threshold must be between 0 and 1")
        self.intercept = _number(data.get("intercept"), "intercept", source)
        known = data.get("known_words")
        common = data.get("common_words", known)
        vocabulary = data.get("vocabulary")
        features = data.get("features")
        idf = data.get("idf")
        coef = data.get("coef")
        if not (
            isinstance(known, list)
            and isinstance(vocabulary, list)
            and isinstance(features, list)
            and isinstance(idf, list)
            and isinstance(coef, list)
            and all(isinstance(word, str) for word in known)
            and all(isinstance(word, str) for word in vocabulary)
            and isinstance(common, list)
            and all(isinstance(word, str) for word in common)
        ):
            raise ValueError(
                f"{source}: known_words, common_words, vocabulary, features, idf and coef must "
                "be lists of words or numbers"
            )
        if not all(vocabulary):
            raise ValueError(f"{source}: the vocabulary holds an empty word")
        if not len(features) == len(idf) == len(coef):
            raise ValueError(f"{source}: features, idf and coef differ in length")
        names = _features(features, source)  # all of them words, so they can be counted
        if len(set(features)) < len(features):
            raise ValueError(f"{source}: a feature is listed twice")
        weights = list(map(mul, _numbers(idf, "idf", source), _numbers(coef, "coef", source)))
        if not all(map(math.isfinite, weights)):
            raise ValueError(f"{source}: idf times coef must be a finite number")
        self.known = frozenset(known)
        self.common = frozenset(common)
        """Known words written in lower case by two batches of the corpus or more (see
        bare_person)."""
        self.size = len(features)
        self.vocabulary = frozenset(vocabulary)
        """The words the model reads as themselves; any other word reads as RARE."""
        # A word of a feature that is in no vocabulary could never be read: a broken file.
        unread = set(chain.from_iterable(parts[1:] for parts in names if parts[0] != "p"))
        unread -= self.vocabulary
        unread -= _SPECIAL_VALUES
        if unread:
            raise ValueError(f"{source}: feature word {min(unread)!r} is not in the vocabulary")
        metadata = data.get("metadata", {})
        self.metadata: dict[str, Any] = dict(metadata) if isinstance(metadata, dict) else {}
        self._caches: dict[frozenset[str], dict[str, tuple[int, ...]]] = {}
        self._last: _Reading | None = None
        self._index(names, weights)

    def score(self, text: str, people: frozenset[str] = frozenset()) -> Score:
        """The probability that the sentence reads as blame, and the words that pushed it there."""
        cleaned, read, ids = self._read(text, people)
        pieces = list(_PIECE.finditer(cleaned))
        scale = 1.0 / math.sqrt(len(ids)) if ids else 0.0
        # A word gets its unigram and prefix, half of each bigram and skip-gram and a third of
        # each trigram it is part of (the start marker's part goes to the words): the weights
        # of _weigh, key by key. Each word's parts are added in the order of its keys: the
        # bigram it ends, the one it opens, the skip-gram it ends (around the word before it),
        # the one it opens (around the word after it), and the trigrams it ends, sits in the
        # middle of and opens.
        weights = list(map(self._unigram.__getitem__, ids))
        zeros = repeat(0.0)
        based = self._based(ids)
        pairs = self._pairs(based, ids)
        bigrams = list(map(self._bigrams.get, pairs, zeros))
        if len(ids) == 1:
            weights[0] += bigrams[0]  # its only key but the unigram
        elif ids:
            halves = [part / 2 for part in bigrams]
            skips = [part / 2 for part in map(self._skipgrams.get, self._skips(based, ids), zeros)]
            trigrams = list(map(self._trigrams.get, self._triples(pairs, ids), zeros))
            thirds = [part / 3 for part in trigrams]
            # Where a sentence opens, a part goes whole (the first skip-gram) or in halves (the
            # first trigram); a word that has no such key gets 0.0, which changes no sum.
            skips[0] *= 2  # exact: the half doubled
            opening = trigrams[0] / 2
            weights = [
                unigram + ended + opened + skipped + skipping + trigram + middle + opening_three
                for unigram, ended, opened, skipped, skipping, trigram, middle, opening_three in zip(
                    weights,
                    [bigrams[0], *halves[1:]],
                    [*halves[1:], 0.0],
                    [0.0, *skips],
                    [*skips[1:], 0.0, 0.0],
                    [0.0, opening, *thirds[1:]],
                    [opening, *thirds[1:], 0.0],
                    [*thirds[1:], 0.0, 0.0],
                    strict=True,
                )
            ]
        # The probability as lint reads it: the same sum, added in the same order.
        probability = self._weighed(text, people, ids)
        # Spans only for the words that became cues: most words of a sentence do not.
        cues = []
        index = 0
        for piece, piece_ids in zip(pieces, read, strict=True):
            parts = len(piece_ids)
            for part in _FIRST if parts == 1 else range(parts):  # most pieces are one word
                weight = weights[index]
                index += 1
                if weight > 0:
                    start, end = _token_span(piece, part, parts)
                    cues.append(Cue(text[start:end], start, end, weight * scale))
        cues.sort(key=lambda cue: -cue.weight)
        return Score(probability, tuple(cues))

    def probability(
        self,
        text: str,
        people: frozenset[str] = frozenset(),
        *,
        needs_target: bool = False,
        min_tokens: int = 0,
        untargeted: float | Callable[[str], float] = 1.0,
        products: frozenset[str] = frozenset(),
        floor: float = 0.0,
    ) -> float:
        """score(text).probability without the cues: the path lint takes for every sentence.

        With `needs_target`, a sentence that names nobody (no person, pronoun, role or team, nor
        a phrase that points at someone: see implies_target) scores 0 unless it scores
        `untargeted` or more (see UNTARGETED; by default it always scores 0, without being
        weighed), or LOOSELY_NAMED or more when it may point at someone (see loosely_named);
        given as a function of the text, it is read only for a sentence that names nobody.
        One of fewer than `min_tokens` words scores 0 without being weighed.
        `products`: words the document shows to be organisations or products, in lower case,
        which are no handles (see bare_person). `floor`: the caller asks only whether the
        probability reaches it, and under it a sentence may score 0 where it would not.

        The same features as feature_names(), as integers: token ids from a cache of each raw
        word's reading, bigram, skip-gram and trigram keys by arithmetic on them.
        """
        cleaned, _, ids = self._read(text, people)
        if len(ids) < min_tokens:
            return 0.0
        if not needs_target or self._names_someone(ids):
            return self._weighed(text, people, ids)
        pieces = cleaned.split()
        probability = None
        if callable(untargeted):
            untargeted = untargeted(text)
        if untargeted < 1.0:
            # Weighed first: most sentences score under the floor, and such a one scores 0
            # whether it points at someone or not, so what it points at need not be read.
            probability = self._weighed(text, people, ids)
            if probability < floor:
                return 0.0
        if implies_target(text) or _bare_person(pieces, self.common, products):
            return self._weighed(text, people, ids) if probability is None else probability
        # Whether it is loosely named is read only when the score could turn on it.
        loosely = None
        if probability is None:
            loosely = _loosely_named(pieces, self.common, products)
            if not loosely:
                return 0.0
            probability = self._weighed(text, people, ids)
        if probability >= untargeted:
            return probability
        if probability < LOOSELY_NAMED:
            return 0.0
        if loosely is None:
            loosely = _loosely_named(pieces, self.common, products)
        return probability if loosely else 0.0

    def _weigh(self, ids: list[int]) -> float:
        """The probability of the sentence read as these token ids."""
        if not ids:
            return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, self.intercept))))
        # Each kind of key summed by map() and sum(), which run in C: no Python-level loop per
        # word. A feature seen twice counts twice, as training counts it.
        # The keys of _based, _pairs, _skips and _triples, written out: no call per sentence.
        zeros = repeat(0.0)
        base = self._base
        based = [base[self._start], *map(base.__getitem__, ids)]
        pairs = list(map(add, based, ids))
        following = ids[1:]
        total = sum(map(self._unigram.__getitem__, ids))
        total += sum(map(self._bigrams.get, pairs, zeros))
        total += sum(map(self._skipgrams.get, map(add, based, following), zeros))
        triples = map(add, map(mul, pairs[:-1], repeat(self._span)), following)
        total += sum(map(self._trigrams.get, triples, zeros))
        margin = self.intercept + total / math.sqrt(len(ids))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, margin))))

    def _names_someone(self, ids: list[int]) -> bool:
        """has_target() of the token ids."""
        if self._targets.isdisjoint(ids):
            return False
        if self._read_whole.isdisjoint(ids):
            return True  # nothing to weigh: the usual case, decided without reading the words
        return has_target([self._values[index] for index in ids])

    def reads_only(self, text: str, values: frozenset[str], people: frozenset[str]) -> bool:
        """Every word of the text reads as one of `values`, and it has a word."""
        ids = self._read(text, people)[2]
        wanted = {self._ids[value] for value in values if value in self._ids}
        return bool(ids) and wanted.issuperset(ids)

    def _based(self, ids: list[int]) -> list[int]:
        """_base of the start marker and of each token: the first halves of the keys below."""
        return [self._base[self._start], *map(self._base.__getitem__, ids)]

    @staticmethod
    def _pairs(based: list[int], ids: list[int]) -> list[int]:
        """The key of the bigram ending at each token (the first one opens the sentence)."""
        return list(map(add, based, ids))

    @staticmethod
    def _skips(based: list[int], ids: list[int]) -> Iterable[int]:
        """The key of the skip-gram around each token but the last: the token before it (the
        start for the first) and the token after it. `based` is two longer than ids[1:], and
        map() stops with the shorter."""
        return map(add, based, ids[1:])

    def _triples(self, pairs: list[int], ids: list[int]) -> Iterable[int]:
        """The key of the trigram ending at each token after the first: the key of the bigram
        before it, times the span (the number of ids, the unknown one included), plus the
        token."""
        return map(add, map(mul, pairs[:-1], repeat(self._span)), ids[1:])

    def _read(
        self, text: str, people: frozenset[str]
    ) -> tuple[str, list[tuple[int, ...]], list[int]]:
        """The text cleaned, the token ids of each of its pieces, and all its token ids (which
        no caller changes). The last text read is kept: lint asks about one sentence several
        times in a row (its probability, whether it lists only people, the cues of its
        message)."""
        last = self._last
        if last is not None and last.text is text and last.people is people:
            return last.cleaned, last.read, last.ids
        cleaned = _clean(text)
        pieces = cleaned.split()
        read = self._readings(pieces, people)
        if "eam" in cleaned:
            for index in team_names(pieces):
                read[index] = self._team
        ids = list(chain.from_iterable(read))
        # The reading holds the text and the roster, so no other object can take their ids.
        self._last = _Reading(text, people, cleaned, read, ids, None)
        return cleaned, read, ids

    def _weighed(self, text: str, people: frozenset[str], ids: list[int]) -> float:
        """_weigh(ids), weighed once for the text read last."""
        last = self._last
        if (
            last is None
            or last.text is not text
            or last.people is not people
            or last.ids is not ids
        ):
            return self._weigh(ids)
        if last.probability is None:
            last.probability = self._weigh(ids)
        return last.probability

    def _readings(self, pieces: list[str], people: frozenset[str]) -> list[tuple[int, ...]]:
        """The token ids of each piece of text (none, one, or a name and its "'s"), from a
        cache of each raw piece's reading; a capitalised word whose reading needs its
        neighbours (see _positioned) is read in place."""
        cache = self._caches.get(people)
        if cache is None or len(cache) > 100_000:
            cache = self._caches[people] = {}
        read = list(map(cache.get, pieces))
        if None in read or _PLACED in read:
            for index, found in enumerate(read):
                piece = pieces[index]
                if found is None:
                    classified = _classify(piece, self.known, people)
                    found = _PLACED if classified is None else self._id_tuple(classified)
                    cache[piece] = found
                if found is _PLACED:
                    previous = pieces[index - 1] if index else None
                    following = pieces[index + 1] if index + 1 < len(pieces) else None
                    found = self._id_tuple(_positioned(piece, previous, following))
                read[index] = found
        return read  # type: ignore[return-value]  # every None was read above

    def _id_tuple(self, read: tuple[str, ...]) -> tuple[int, ...]:
        ids = self._ids
        return tuple(ids.get(fold([value], self.vocabulary)[0], self._unknown) for value in read)

    def _index(self, names: list[list[str]], weights: list[float]) -> None:
        """Integer keys for every feature, so scoring hashes small ints instead of strings."""
        seen = {*_SPECIAL_VALUES, *TARGET_VALUES, *self.vocabulary}
        seen.update(chain.from_iterable(parts[1:] for parts in names if parts[0] != "p"))
        ids = self._ids = {token: index for index, token in enumerate(sorted(seen))}
        self._unknown = len(ids)
        self._span = span = len(ids) + 1
        self._start = ids[START]
        self._team = (ids[TEAM],)
        self._base = [index * span for index in range(span)]
        """The key of (a, b), for a bigram or a skip-gram, is _base[a] + b; of a trigram
        (a, b, c), (_base[a] + b) * span + c."""
        self._targets = frozenset(ids[t] for t in TARGET_VALUES)
        self._read_whole = frozenset(ids[word] for word in ("who", "our") if word in ids)
        """The ids of the words has_target() weighs in their place ("who", "our")."""
        self._values = [*sorted(seen), RARE]
        """Token value of each id (the unknown id reads as a rare word)."""
        unigram = [0.0] * span
        """The weight of each id's unigram plus its prefix's: the two are counted per token."""
        prefixes: dict[str, float] = {}
        self._bigrams: dict[int, float] = {}
        self._skipgrams: dict[int, float] = {}
        self._trigrams: dict[int, float] = {}
        tables = {"b": self._bigrams, "s": self._skipgrams}
        for parts, weight in zip(names, weights, strict=True):
            kind = parts[0]
            if kind == "w":
                unigram[ids[parts[1]]] += weight
            elif kind == "p":
                prefixes[parts[1]] = weight
            elif kind == "t":
                pair = ids[parts[1]] * span + ids[parts[2]]
                self._trigrams[pair * span + ids[parts[3]]] = weight
            else:
                tables[kind][ids[parts[1]] * span + ids[parts[2]]] = weight
        for token, index in ids.items():
            if len(token) > 6 and token[0] != "#" and token[:5] in prefixes:
                unigram[index] += prefixes[token[:5]]
        self._unigram = unigram


_FEATURE_PARTS = {"w": 2, "b": 3, "t": 4, "s": 3, "p": 2}


def _features(names: list[Any], source: str) -> list[list[str]]:
    """Each feature name split into its kind and tokens ("b blame #name"), all of them checked.

    A model holds a hundred thousand features or more, read at every start: the checks run over
    whole lists, and a feature is looked at on its own only to name the first bad one.
    """
    if all(map(str.__instancecheck__, names)):
        split = list(map(str.split, names, repeat(" ")))
        shapes = {(parts[0], len(parts)) for parts in split}
        if all(_FEATURE_PARTS.get(kind) == size for kind, size in shapes) and not any(
            map(list.__contains__, split, repeat(""))
        ):
            return split
    return [_feature(name, source) for name in names]  # raises for the first bad one


def _feature(name: object, source: str) -> list[str]:
    parts = name.split(" ") if isinstance(name, str) else []
    if not parts or _FEATURE_PARTS.get(parts[0]) != len(parts) or not all(parts[1:]):
        raise ValueError(f"{source}: {name!r} is not a feature of this model format")
    return parts


def _numbers(values: list[Any], what: str, source: str) -> list[float]:
    """The values as floats, all of them finite numbers (not booleans): checked as a whole list."""
    try:
        if set(map(type, values)) <= {float, int} and all(map(math.isfinite, values)):
            return list(map(float, values))
    except OverflowError:
        pass  # an integer too large for a float, named below
    return [_number(value, what, source) for value in values]


def _number(value: object, what: str, source: str) -> float:
    if not isinstance(value, bool) and isinstance(value, int | float):
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        if math.isfinite(number):
            return number
    raise ValueError(f"{source}: {what} must hold finite numbers")


MODEL_LIMIT = 64 * 2**20
"""The most bytes of a model file read, and of its JSON once unzipped: the shipped one is under
2 MB unzipped, and a small file can unzip to gigabytes."""


def load_model(path: Path) -> BlameModel:
    """Read a model file (gzipped JSON, or plain JSON); raise ValueError or OSError when unusable."""
    return BlameModel(_model_data(path), str(path))


def _model_data(path: Path) -> dict[str, Any]:
    """A model file's JSON object; ValueError when it is none, OSError when it cannot be read."""
    with path.open("rb") as handle:
        raw = handle.read(MODEL_LIMIT + 1)
    try:
        if raw[:2] == b"\x1f\x8b":
            inflater = zlib.decompressobj(wbits=31)  # gzip's header and trailer
            raw = inflater.decompress(raw, MODEL_LIMIT + 1)
            if not inflater.eof and len(raw) <= MODEL_LIMIT:
                raise EOFError("the gzip stream is cut short")
            if inflater.unused_data:
                raise ValueError("more data after the gzip stream")
        if len(raw) > MODEL_LIMIT:
            raise ValueError(f"over {MODEL_LIMIT:,} bytes")
        data = json.loads(raw.decode("utf-8"))
    except (OSError, EOFError, zlib.error, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ValueError(f"{path}: not a JSON model file ({exc})") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path}: not a JSON model file")
    return data


def is_model_file(path: Path) -> bool:
    """The file is a blameless model of any version (gzipped or not, its keys in any order): a
    file that training may replace. OSError when it cannot be read."""
    try:
        return _model_data(path).get("format") == FORMAT
    except ValueError:
        return False


@lru_cache(maxsize=1)
def packaged_model() -> BlameModel:
    """The model shipped in the package."""
    resource = resources.files("incident_docs.blameless") / "data" / PACKAGED
    with resources.as_file(resource) as path:
        return load_model(path)


@lru_cache(maxsize=8)
def model_at(path: Path, mtime_ns: int) -> BlameModel:
    """An archive's own model, cached per file version."""
    del mtime_ns  # part of the cache key only
    return load_model(path)


def cue_span(cues: Iterable[Cue], share: float = 0.5) -> tuple[int, int] | None:
    """The span from the first to the last word carrying at least `share` of the top cue's weight."""
    listed = list(cues)
    if not listed:
        return None
    floor = listed[0].weight * share
    strong = [cue for cue in listed if cue.weight >= floor][:3]
    return min(cue.start for cue in strong), max(cue.end for cue in strong)
