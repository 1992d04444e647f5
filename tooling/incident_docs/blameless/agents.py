"""Who a word refers to: a person, a pronoun, a role that singles someone out, or a team."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable

from incident_docs.blameless.lexicon import (
    CODE_HOSTS,
    DEPARTMENTS,
    FUNCTION_WORDS,
    GROUPS,
    HANDLE_SHAPE,
    MACHINE_GROUPS,
    MACHINES,
    NAME_JOINS,
    NAME_SHAPE,
    NOT_INITIALS,
    NOT_NAMES,
    NOUN_SUFFIX,
    OF_HEAD,
    ORGANISATION_FOLLOWERS,
    ORGANISATION_POSSESSIONS,
    PREV_WORD,
    PRONOUNS,
    ROLES,
    S_NAMES,
    SENTENCE_END,
    SINGLED_ROLES,
    SKIPPABLE,
    SUBJECT_VERBS,
    TARGETS,
    TOKEN,
)


def strip_possessive(word: str) -> str:
    word = word.rstrip(".-,")
    for tail in ("'s", "\u2019s", "'", "\u2019"):
        if word.endswith(tail):
            return word[: -len(tail)]
    return word


def handle_shaped(word: str) -> bool:
    """A lowercase handle without its @ ('sigrid.h', 'priya_k', 'j.mueller'): two short parts,
    one of them an initial or two, that read as no file, module, host or abbreviation."""
    shape = HANDLE_SHAPE.fullmatch(word)
    if shape is None:
        return False
    first, second = shape.groups()
    short = second if len(second) <= 2 else first if len(first) <= 2 else None
    return (
        short is not None
        and len(first) + len(second) > 2
        and first not in NOT_INITIALS
        and second not in NOT_INITIALS
    )


def name_shaped(word: str) -> bool:
    """Capitalised as a person's name is, in any alphabet with capitals: 'Ken', 'Zoë',
    'Łukasz', 'Мария', 'Ελένη', 'Jean-Luc', 'O'Brien'. Each part a letter and small letters;
    not an acronym, a word in CamelCase ('CircleCI') or a contraction ('Isn't', 'I'll')."""
    if not word[:1].isupper() or NAME_SHAPE.fullmatch(word) is None:
        return False
    parts = NAME_JOINS.split(word)
    if len(parts[0]) == 1:
        parts = parts[1:]  # the "O'" of "O'Brien"
    return parts[0][0].isupper() and all(part[1:].islower() for part in parts)


def caseless_name(word: str) -> bool:
    """A word in a script without capitals ('陈伟', '田中', 'محمد', 'דוד', '김민준'): inside an
    English sentence, a name, which no capital can mark. A longer run of such letters is a
    sentence of its own language, not a name."""
    return (
        len(word) <= CASELESS_NAME_LENGTH
        and word.isalpha()
        and not word.isascii()
        and not any(char.isupper() or char.islower() for char in word)
    )


CASELESS_NAME_LENGTH = 8


def looks_like_name(word: str, text: str, start: int) -> bool:
    """A capitalised word reads as a name unless it is a known non-name or, sentence-initially,
    noun-shaped; a word in a script without capitals reads as one too."""
    if caseless_name(word):
        return True
    if not name_shaped(word):
        return False
    low = word.lower()
    if low in NOT_NAMES:
        return False
    sentence_initial = SENTENCE_END.search(text, max(0, start - 8), start) is not None or start == 0
    if not (sentence_initial and low not in S_NAMES and _english_ending(low)):
        return True
    # Sentence-initial capitals are mostly ordinary nouns ("Retries", "Backups", "Monitoring"),
    # unless the word opens the sentence as a name does ("Mohammed pushed"). The rules know no
    # vocabulary, so an adverb ("Finally restarted", "Initially failed to") stays a word.
    following = _NEXT_WORD.match(text, start + len(word))
    return not low.endswith("ly") and opens_as_name(word, following.group(1) if following else None)


def _english_ending(low: str) -> bool:
    """Ends as an English noun does ("Retries"), as "Façades", "Rôles" and "Entrées" do too,
    whose accents lie elsewhere; not "Andrés" or "Inés", whose ending is accented, nor a word of
    other letters ("Łukasz", "Мария"): those are names."""
    if low.isascii():
        return NOUN_SUFFIX.search(low) is not None
    letters = "".join(unicodedata.normalize("NFD", char)[0] for char in low)
    found = NOUN_SUFFIX.search(letters) if letters.isascii() else None
    return found is not None and low[found.start() :] == letters[found.start() :]


_NEXT_WORD = re.compile(r" ([a-z]+)\b(?!['\u2019-])")


def opens_as_name(word: str, following: str | None) -> bool:
    """A noun-shaped capitalised word that opens a sentence as a name does: short, neither a
    plural nor a gerund, and straight after it a verb in the past tense or an auxiliary
    ('Mohammed pushed', 'Kimberly had'). Nouns and adverbs there are followed by a comma or an
    object ('Additionally, ...', 'Massive spikes ...')."""
    if following is None or len(word) > 8 or word.lower().endswith(("s", "ing")):
        return False
    return following.endswith("ed") or following in SUBJECT_VERBS


def agent_kind(text: str, start: int, end: int, people: frozenset[str]) -> str | None:
    """Classify text[start:end] as 'person', 'pronoun', 'singled', 'role', 'team' or None (not a person)."""
    raw = text[start:end]
    if raw.startswith("@"):
        return "person" if len(raw) > 1 else None  # a lone "@" stands for "at"
    word = strip_possessive(raw)
    low = word.lower()
    if (low in people and (word[:1].isupper() or low not in FUNCTION_WORDS)) or handle_shaped(word):
        # A roster name that is also a word of grammar ("An", "Will") is the person only
        # capitalised: "caused by an expired certificate", "the job will fail" name no one.
        return "person"
    before = text[max(0, start - 60) : start]
    prev = PREV_WORD.search(before)
    prev_low = prev.group(1).lower() if prev else ""
    if low[:2] == "we" and low[2:3] in ("'", "\u2019") and low[3:] in ("ve", "d", "ll", "re"):
        return None  # "We've never tested a restore": the organisation speaking, as "we" is
    if prev_low == "we" or (prev_low == "our" and low not in ROLES):
        # "our engineers failed to": organisation-level ownership, not blame; "our DBA" is one person.
        return None
    if low in ("call", "duty") and prev_low == "on":
        return "role"
    if low == "one" and prev_low != "no":
        return None  # a number
    if low in ("one", "nobody"):
        # "No one typed a wrong rule", "Nobody forgot": the agent of a mistake denied, not named;
        # but "No one should have missed an alert this obvious" is a counterfactual aimed at all.
        return "pronoun" if _MODAL_AFTER.match(text, end) else None
    if prev_low == "no" and low in ROLES:
        return None  # "no reviewer could have caught this" absolves rather than blames
    if low in ("guy", "hire", "joiner", "starter") and prev_low in ("new", "junior"):
        return "singled"
    if low in PRONOUNS:
        return "pronoun"
    if low in ("group", "groups") and prev_low in MACHINE_GROUPS:
        return None  # "the consumer group failed to rebalance", "Auto Scaling Groups"
    if low in GROUPS:
        return "team"
    if low in DEPARTMENTS and word[:1].isupper():
        return "team"  # "Marketing launched", not "a marketing campaign"
    if low in SINGLED_ROLES:
        return "singled"
    if low in ROLES:
        return "role"
    head = OF_HEAD.search(before)
    if head:
        # "the author of the change": the person is the head noun, not "change".
        head_low = strip_possessive(head.group(1)).lower()
        if head_low in ROLES:
            return "role"
        if head_low in GROUPS:
            return "team"
    if (
        looks_like_name(word, text, start)
        and not _named_thing(before)
        and not _things_counted(low, before)
    ):
        return "person"
    return None


_ARTICLE_BEFORE_NAME = re.compile(r"\b(?:[Tt]he|[Aa]n?)\s+((?:[A-Z][a-z][\w.-]*\s+)*)$")


def _named_thing(before: str) -> bool:
    """An article and a run of capitalised words before a word: the name of a thing ("the
    Carbon Design System shipped"), which no person's name takes; but not a title before one
    ("The CTO Mark", "The Release Manager Dave")."""
    found = _ARTICLE_BEFORE_NAME.search(before)
    return found is not None and not any(
        word.lower() in ROLES or word.lower() in GROUPS for word in found.group(1).split()
    )


_COUNTED_BEFORE = re.compile(
    r"\b(?:[Tt]hese|[Tt]hose|[Ss]ome|[Cc]ertain|[Ss]everal|[Mm]any|[Aa]ll|[Bb]oth|[Mm]ost|[Ff]ew|"
    r"[Oo]ther|[Ss]uch)\s+(?:[A-Z][a-z][\w.-]*\s+)*$"
)


def _things_counted(low: str, before: str) -> bool:
    """A capitalised plural after a word that counts or points at several ("Those Vals failed
    to start", "some Workers failed to boot"): a product's things, as no person's name is
    written. Not a name that ends in s ("those James wrote" is no plural)."""
    return low.endswith("s") and low not in S_NAMES and _COUNTED_BEFORE.search(before) is not None


_MODAL_AFTER = re.compile(r"\s+(?:should|could|would|must|ought|needs?\s+to|has\s+to)\b", re.I)


def agent_before(text: str, pos: int, skip_adverbs: bool) -> tuple[int, int] | None:
    """Span of the subject word that ends just before pos, skipping adverbs; None at a sentence boundary."""
    tokens = list(TOKEN.finditer(text, max(0, pos - 80), pos))
    for token in reversed(tokens):
        value = token.group(0)
        if value in ".;:!?|":
            return None
        if skip_adverbs and value.lower() in SKIPPABLE:
            continue
        return token.span()
    return None


def _forms(words: Iterable[str]) -> str:
    """The words as written, capitalised and in capitals (as in a Title Case heading), as one
    alternation: quicker to scan for than the same words under IGNORECASE."""
    return _trie({form for word in words for form in (word, word.capitalize(), word.upper())})


def _trie(forms: Iterable[str]) -> str:
    """An alternation of the forms that branches one letter at a time ("en(?:gineers|dpoint)"):
    the regex engine tries a few first letters at each capital, not every form. Like the plain
    alternation with the longest forms first, it tries a longer form before its prefixes."""
    by_first: dict[str, set[str]] = {}
    ends = False
    for form in forms:
        if form:
            by_first.setdefault(form[0], set()).add(form[1:])
        else:
            ends = True
    branches = [re.escape(first) + _trie(rest) for first, rest in sorted(by_first.items())]
    if not branches:
        return ""
    body = "(?:" + "|".join(branches) + ")"
    return body + "?" if ends else body


_CAPITALISED = re.compile(
    # A capitalised word that starts no later than its token does (the lookbehind sits after the
    # first letter so that the engine can skip ahead to capitals) ...
    r"([A-Z](?<![\w@./-][A-Z])[\w-]*)"
    # ... and whether what follows is what only an organisation or product has: "Etsy
    # engineers", "Etsy's employees", "Acme Inc".
    r"((?:['\u2019]s\s+(?:[\w-]+\s+)?"
    + _forms(ORGANISATION_POSSESSIONS)
    + r"|\s+"
    + _forms(ORGANISATION_FOLLOWERS)
    + r")(?!\w))?"
)
_VERSIONED = re.compile(
    # A capitalised word before a release's three-part version ("Fluentd 1.14.2"; not a date or
    # a score, and not what could be a day, a month and a year: "14.03.24").
    r"([A-Z](?<![\w@./-][A-Z])[\w-]*)[ \t]+"
    r"(?!(?:0?[1-9]|[12]\d|3[01])\.(?:0?[1-9]|1[0-2])\.\d\d(?![\d.]))"
    r"\d{1,3}\.\d{1,3}\.\d{1,3}(?![\d.])"
)
_THREE_PARTS = re.compile(r"\d\.\d+\.\d")
_V_VERSIONED = re.compile(
    # A capitalised word before a version written with its "v", after a link's bracket or a word
    # that puts a thing there ("[Traefik v2 bug]", "back to Traefik v1.", "the Helm v3 chart"):
    # a release's name. Not where a person stands, opening a sentence ("Dmitri v2 strikes").
    r"(?:(?<=[\[(])|(?<![\w-])(?:[Tt]o|[Ff]rom|[Oo]f|[Oo]n|[Ii]n|[Ww]ith|[Tt]he|[Aa]n?|[Aa]nd|[Oo]r"
    r"|[Ff]or|[Vv]ia)[ \t]+)([A-Z](?<![\w@./-][A-Z])[\w-]*)[ \t]+v\d+(?:\.\d+)*(?![\w-]|\.\d)"
)
_V_NUMBER = re.compile(r"v(?<=[ \t]v)\d")
"""What every _V_VERSIONED match holds: a quick test, since its search tries every position
(written to open with the letter, which the engine can skip ahead to)."""


_DONE_TO_SOFTWARE = re.compile(
    # What is done only to software, where the name ends the phrase: "a newer version of
    # Kyverno.", "we upgraded Traefik to 2.5", "installed Goldpinger." (not "a newer version of
    # Priya would have tested it", "upgraded Dmitri to admin", "during the upgrade Ken, ...",
    # "upgraded Ken's laptop").
    r"(?:(?:version|release)s?[ \t]+of|installation[ \t]+of|upgrad(?:ed|ing)|install(?:ed|ing))"
    r"[ \t]+([A-Z][\w-]*)(?=[.;:)]|[ \t]+to[ \t]+v?\d|[ \t]*$)"
)
_DETERMINERS = "the a an more our their its any all some no each every these those this new other"
_DETERMINED = re.compile(
    # A capitalised word between a determiner and a noun for what only a machine puts out, which
    # would read as a verb after a name: "the Goldpinger logs", "the Fluentd exporter" (not "Ken
    # logs the call"). Not what is named after a person too ("the Dmitri alerts", "the Priya
    # jobs", "the Dmitri queries").
    # The determiner is looked behind the capital, so that the engine skips ahead to capitals;
    # only one that opens its word is tried, so a run of capitals is read once, not once a letter.
    r"([A-Z](?<![\w-][A-Z])"
    # What follows first: most capitals are no such word, and this fails at once for them.
    r"(?=[\w-]*[ \t]+(?:logs|exporters?|probes?|webhooks?|sidecars?)\b)"
    r"(?:"
    + "|".join(
        f"(?<=\\b{form} [A-Z])"
        for word in _DETERMINERS.split()
        for form in (word, word.capitalize())
    )
    + r")[\w-]*)[ \t]+(?:logs|exporters?|probes?|webhooks?|sidecars?)\b"
)


_DESCRIBED = re.compile(
    # A name, its emphasis, and a parenthesis that says it is a machine or a program, its last
    # word the machine and no preposition before it: "**Nietzsche** (the main database
    # server)", "Radiation (our email service)"; not "Dave (a developer on the app)".
    r"([A-Z](?<![\w@./-][A-Z])[a-z]+)[*_]*[ \t]*\((?:the|a|an|our|its|their)[ \t]+"
    r"(?:(?!(?:on|of|for|in|at|with|from|to|by|and|or|who|that)[ \t])[\w-]+[ \t]+){0,3}?"
    r"(?<![\w-])" + _forms(MACHINES) + r"\)"
)
_CODENAMED = re.compile(
    # A machine or a program given its name: "one of our email services, code-named
    # "Radiation"", "a server named Nietzsche"; not "a colleague named Ken", "our intern,
    # code-named Dave" (a nickname), nor "the paging service called Dave" (it phoned him).
    r"(?<![\w-])(?:" + _forms(MACHINES) + r")(?:e?s)?,?[ \t]+(?:code-?named|named|dubbed)"
    r"[ \t]+[\"'\u201c\u2018*_]*([A-Z][a-z]+)"
)


_NEVER_ORGANISATIONS = NOT_NAMES | TARGETS
"""Function words, tools and calendar words, and the words for people."""
_ADDRESS = re.compile(r"(?:https?://|(?<![\w.-]))([\w.-]+\.[a-z]{2,})/([\w.-]+)/([\w.-]+)")
_CODE_SPAN = re.compile(r"`[^`\n]*?`")
_IMAGE = re.compile(
    # An image in a code span, by its tag or digest: "ethpandaops/lighthouse:v7",
    # "ghcr.io/acme/api@sha256:…"; the part before the tag is its name.
    r"(?<![\w.:/@~-])(?:[\w.-]+/)+([\w.-]+)(?::[\w][\w.-]*|@sha256:[0-9a-f]+)(?![\w/])"
)
_PLAIN_PART = re.compile(r"[a-z][a-z0-9]{2,30}")


def addressed(text: str) -> frozenset[str]:
    """Single words, in lower case, that the text uses as the name of a repository on a code host
    ("github.com/sigp/lighthouse", the second part of the path: the first is its owner's login)
    or of a container image in a code span, by its tag or digest (`ethpandaops/lighthouse:v7`),
    which is software's place. Not the other parts of an address or a path, where a person's
    name stands as often: a branch ("tree/kevin/fix"), a host ("kevin-dev.example.com"), a page
    ("wiki.example.com/oncall/kevin"), a home folder; nor a slug of several words."""
    found: set[str] = set()
    if ".com/" in text or ".org/" in text:
        for host, _owner, name in _ADDRESS.findall(text):
            low = name.rstrip(".-").lower()  # the full stop after "github.com/acme/tamsin."
            if host.lower() in CODE_HOSTS and _PLAIN_PART.fullmatch(low):
                found.add(low)
    if "`" in text and ":" in text:
        for span in _CODE_SPAN.finditer(text):
            for name in _IMAGE.findall(span.group(0)):
                low = name.lower()
                if _PLAIN_PART.fullmatch(low):
                    found.add(low)
    return frozenset(found)


def organisations(
    text: str, people: frozenset[str] = frozenset(), known: frozenset[str] = frozenset()
) -> frozenset[str]:
    """Capitalised words the text itself shows to name an organisation or a product, not a
    person: what follows them is staff, users, a legal form or a machine's part ("Discord
    engineers", "Acme Inc", "Etsy's employees", "the Binder pod"), a release's version
    ("Fluentd 1.14.2"), what only a machine puts out ("the Goldpinger logs"), or they are
    upgraded or installed or had a version ("a newer version of Kyverno."), or the text names a
    repository or an image after them, in lower case (see addressed).

    A word shown so is not a person anywhere in the record, so the evidence is only what no
    person has or undergoes: not a name before a number that could be a date or a score,
    before what a person makes ("the Priya jobs"), nor in "a newer version of Priya would...".

    Not roster names, acronyms, or `known` words and words for people ("Support staff",
    "Backend engineers"): those read as words already, and a department can still be blamed.
    """
    shown = [word for word, follower in _CAPITALISED.findall(text) if follower]
    # Most lines hold none of what these look for: a quicker test skips the search.
    if text.count(".") > 1 and _THREE_PARTS.search(text):
        shown += _VERSIONED.findall(text)
    if " v" in text and _V_NUMBER.search(text):
        shown += _V_VERSIONED.findall(text)
    if "ersion" in text or "elease" in text or "nstall" in text or "pgrad" in text:
        shown += _DONE_TO_SOFTWARE.findall(text)
    if (
        "logs" in text
        or "xporter" in text
        or "probe" in text
        or "webhook" in text
        or "sidecar" in text
    ):
        shown += _DETERMINED.findall(text)
    if " (" in text:
        shown += _DESCRIBED.findall(text)
    if "named" in text or "dubbed" in text:
        shown += _CODENAMED.findall(text)
    for low in addressed(text):
        # Written as a name is ("Lighthouse"): a word in capitals or CamelCase reads as no name.
        word = low.capitalize()
        if word in text:
            shown.append(word)
    found = set()
    for word in shown:
        if word[1:2].islower():
            low = word.lower()
            if low not in people and low not in known and low not in _NEVER_ORGANISATIONS:
                found.add(word)
    return frozenset(found)


def unname(text: str, names: frozenset[str]) -> str:
    """The text with those words in lower case, so that no check reads them as people.

    Offsets stay valid: a word whose lower case is longer ('İ') is left as written.
    """
    if not any(name in text for name in names):
        return text  # most chunks of a record name none of its organisations
    return _CAPITAL_WORD.sub(_lowered(names), text)


_CAPITAL_WORD = re.compile(r"[A-Z][\w-]*")


def _lowered(names: frozenset[str]) -> Callable[[re.Match[str]], str]:
    def lower(match: re.Match[str]) -> str:
        word = match.group(0)
        if word not in names:
            return word
        start = match.start()
        before = match.string[start - 1] if start else " "
        low = word.lower()
        if before.isalnum() or before in "_@" or len(low) != len(word):
            return word  # inside a longer word or handle; or a lower case of another length
        return low

    return lower
