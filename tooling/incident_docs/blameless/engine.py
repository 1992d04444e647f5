"""Blameless-language rules over one chunk of prose: pure functions, no I/O."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import islice

from incident_docs.blameless.agents import (
    agent_before,
    agent_kind,
    caseless_name,
)
from incident_docs.blameless.lexicon import (
    AFFIRMED,
    ALPHA,
    CODE_SPAN,
    DENIED_AGENT,
    DEPARTMENTS,
    FUNCTION_WORDS,
    MACHINES,
    MONTH_CONTEXT,
    MONTH_NAMES,
    NEGATED,
    PERSON_FOLLOWERS,
    PREV_WORD,
    REJECTED_AFTER,
    SUBJECT_VERBS,
    SUSPENDING,
    SUSPENDING_OPENER,
    TOKEN,
    opens_sentence,
)
from incident_docs.blameless.patterns import (
    CHECKS,
    HENCEFORTH,
    LESSON,
    LESSON_STOP,
    LESSON_VERB,
    OWN_DOINGS,
    READERS,
    Check,
)


@dataclass(frozen=True)
class BlameHit:
    """One blameful span found in a chunk of prose."""

    code: str
    start: int
    end: int
    message: str
    suggestion: str | None = None
    replacement: str | None = None
    sure: bool = False
    """Found by a pattern narrow enough that the model's veto does not apply (see Check.sure)."""
    discourse: bool = False
    """Found by a word that is also an everyday discourse marker (see Check.discourse)."""


@dataclass(frozen=True)
class BlamelessOptions:
    """Per-repository tuning: roster names, allowed phrases and extra judgmental terms."""

    people: frozenset[str] = frozenset()
    allow: tuple[str, ...] = ()
    extra_terms: tuple[str, ...] = ()


RULES: dict[str, tuple[str, str]] = {
    "BL001": ("person-as-cause", "A person is named or singled out as the cause of the incident."),
    "BL002": (
        "counterfactual",
        "A counterfactual ('should have', 'failed to', 'forgot to') is aimed at a person.",
    ),
    "BL003": ("hindsight", "Hindsight bias: the outcome is presented as obvious or foreseeable."),
    "BL004": ("judgmental-words", "A judgmental word describes people or their work."),
    "BL005": ("human-error", "'Human error' or 'operator error' is given as the cause."),
    "BL006": ("mocking-or-emotional", "Mocking, sarcasm, hero worship or emotional narration."),
    "BL007": (
        "insinuation",
        "Insinuation points at unnamed people ('certain people', 'you know who you are').",
    ),
    "BL008": (
        "team-blame",
        "A team is blamed as the cause instead of the conditions that allowed the failure.",
    ),
    "BL009": (
        "punishment-action",
        "Punishment or 'be more careful' is proposed as an action item.",
    ),
    "BL010": (
        "blaming-tone",
        "The trained model reads the sentence as blame, though no rule names the phrasing.",
    ),
}

EXAMPLES: dict[str, tuple[str, str]] = {
    "BL001": (
        "Dave pushed a broken config to the load balancers.",
        "A config change with an invalid upstream reached the load balancers.",
    ),
    "BL002": (
        "The on-call engineer should have noticed the alert sooner.",
        "The alert was routed to a low-urgency channel, so it was not seen for 20 minutes.",
    ),
    "BL003": (
        "The config was obviously wrong.",
        "The config contained an invalid upstream address.",
    ),
    "BL004": (
        "This was a sloppy change with no tests.",
        "The change had no tests covering the new code path.",
    ),
    "BL005": (
        "The root cause was human error.",
        "The root cause was a deploy tool that accepted an empty target list.",
    ),
    "BL006": (
        "Genius move to deploy on a Friday afternoon.",
        "The deploy started on Friday at 16:30, when fewer responders were available.",
    ),
    "BL007": (
        "Certain people keep skipping code review.",
        "The merge settings allowed changes to land without an approving review.",
    ),
    "BL008": (
        "The database team broke replication with their schema change.",
        "A schema change stalled the replication stream.",
    ),
    "BL009": (
        "Engineers need to be more careful when editing production configs.",
        "Validate production config changes in CI before they can be applied.",
    ),
    "BL010": (
        "Dmitri's deploys have a reputation for a reason.",
        "Deploys of the billing service have no canary stage, so a bad build reaches every host.",
    ),
}


# Default message (why it reads as blame + what to write instead) and rewrite advice per code.
def wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


MESSAGES: dict[str, tuple[str, str]] = {
    "BL001": (
        "names a person as the cause; describe the change and the conditions that let it through",
        "Describe what happened to the system, e.g. 'a config change with a typo was deployed'.",
    ),
    "BL002": (
        "counterfactual aimed at a person; say what the system or process did not provide",
        "Rewrite as a gap, e.g. 'the runbook did not include a check for X'.",
    ),
    "BL003": (
        "hindsight makes the outcome look foreseeable; state what was known at the time",
        "Describe the information available at the time instead.",
    ),
    "BL004": (
        "judgmental word about people or their work; describe the observable fact",
        "Replace the judgment with the fact, e.g. 'the change had no tests'.",
    ),
    "BL005": (
        "'human error' is not a cause; name the condition that made the error possible",
        "Explain what in the tooling or process allowed the mistake to have impact.",
    ),
    "BL006": (
        "mocking, hero worship or emotional narration; keep the tone factual",
        "Remove the sarcasm, praise or emotion and state what happened.",
    ),
    "BL007": (
        "insinuation singles out unnamed people; describe the process gap instead",
        "Say which process or safeguard was missing.",
    ),
    "BL008": (
        "blames a team; describe the change and what let it cause impact",
        "Describe the change, e.g. 'a schema change stalled replication', not the team that made it.",
    ),
    "BL009": (
        "punishment or 'be more careful' is not an action item; propose a safeguard",
        "Propose a system change, e.g. 'add a validation step' or 'require a second approval'.",
    ),
    "BL010": (
        "describe what the system did and the conditions around it, not who is at fault",
        "Say what changed, what let it through and what detected it, without a culprit.",
    ),
}

NAMED_MESSAGES: dict[str, str] = {
    "BL005": "'{words}' is not a cause; name the condition that made the error possible",
}
"""The message of a check that names the words it found (Check.names_words)."""


# Markdown noise inside a chunk of prose: masked (replaced by spaces) so offsets stay valid.
_INLINE_MASK = re.compile(
    # The lookahead lets the engine skip, in one step, every position no alternative can start at.
    r"(?=[`<\]\[_*~hw \t])(?:" + CODE_SPAN + r"|<!--.*?(?:-->|$)"  # HTML comments
    r"|\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\)"  # link targets
    # reference definitions: a label, one destination and perhaps a title, alone on a line
    r"|^[ \t]*\[[^\]\n]+\]:[ \t]*(?:<[^<>\n]*>|[^\s<]\S*)"
    r"(?:[ \t]+(?:\"[^\"\n]*\"|'[^'\n]*'|\([^()\n]*\)))?[ \t]*$"
    r"|<(?:https?|mailto|ftp):[^<>]*>"  # autolinks
    r"|\bhttps?://\S+|\bwww\.\S+"  # bare URLs
    r"|</?[A-Za-z][^<>]*>"  # HTML tags (holding no '<': see _MARKUP in model.py)
    # struck-out text, perhaps over lines: the author withdrew it ("~~Human error~~")
    r"|~~(?=\S)[^~]{0,2000}?(?<=\S)~~"
    r"|(?<!\w)_+|_+(?!\w)|\*+|~~)",  # emphasis markers, not underscores inside identifiers
    re.MULTILINE | re.DOTALL,
)


_NOT_NEWLINE = re.compile(r"[^\n]")


def _mask(match: re.Match[str]) -> str:
    found = match.group(0)
    if "\n" not in found:
        return " " * len(found)  # the common case (emphasis markers, short spans) needs no regex
    return _NOT_NEWLINE.sub(" ", found)


_MARKUP_BUT_STARS = re.compile(r"[`<\]_~\[]")
"""Where some alternative of _INLINE_MASK other than emphasis stars can start, with '://' and
'www.' (see _has_markup)."""


def _has_markup(text: str) -> bool:
    # Three scans in C: one regex for the characters and a substring test for each address
    # form is quicker than one alternation, which stops at every 'w' and ':'.
    return _MARKUP_BUT_STARS.search(text) is not None or "://" in text or "www." in text


@dataclass(frozen=True)
class _Prepared:
    allow: re.Pattern[str] | None
    extra: re.Pattern[str] | None
    phrases: dict[str, str]
    """Each allowed phrase as written, by its allowed_phrase()."""
    folded: dict[str, str] = field(default_factory=dict)
    """The allowed phrase of words that fold otherwise than the pattern ignores case, once found."""


def _phrase_pattern(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    cleaned = sorted({p.strip() for p in phrases if p.strip()}, key=len, reverse=True)
    if not cleaned:
        return None
    body = "|".join(r"\s+".join(re.escape(w) for w in p.split()) for p in cleaned)
    return re.compile(r"(?<!\w)(?:" + body + r")(?!\w)", re.IGNORECASE)


@lru_cache(maxsize=64)
def _prepare(options: BlamelessOptions) -> _Prepared:
    # Cached per options value so repeated calls with one config never recompile.
    return _Prepared(
        _phrase_pattern(options.allow),
        _phrase_pattern(options.extra_terms),
        {allowed_phrase(phrase): phrase for phrase in options.allow},
    )


def allowed_phrase(text: str) -> str:
    """An allowed phrase as written in the configuration or matched in text, compared so: one
    phrase whatever its case and spacing."""
    return " ".join(text.casefold().split())


def allowed_spans(text: str, options: BlamelessOptions) -> list[tuple[int, int]]:
    """Where the text holds a phrase the archive allows (BlamelessOptions.allow), read as the
    rules read it: through emphasis, not in code or link targets."""
    pattern = _prepare(options).allow
    return [] if pattern is None else [m.span() for m in pattern.finditer(_unmarked(text))]


def allowed_matches(text: str, options: BlamelessOptions) -> list[tuple[tuple[int, int], str]]:
    """allowed_spans(), each with the phrase it holds (see allowed_phrase)."""
    prepared = _prepare(options)
    if prepared.allow is None:
        return []
    return [
        (match.span(), _phrase_of(match.group(0), prepared))
        for match in prepared.allow.finditer(_unmarked(text))
    ]


def _phrase_of(matched: str, prepared: _Prepared) -> str:
    """The allowed phrase (see allowed_phrase) whose pattern matched these words."""
    phrase = allowed_phrase(matched)
    if phrase in prepared.phrases:
        return phrase
    # Folded otherwise than the pattern ignores case ("İzmir" matches "izmir", and folds to
    # "i̇zmir"): the phrase whose own pattern matches them, looked for once per such words.
    found = prepared.folded.get(matched)
    if found is None:
        found = prepared.folded[matched] = next(
            (
                key
                for key, written in prepared.phrases.items()
                if (single := _phrase_pattern((written,))) is not None and single.fullmatch(matched)
            ),
            phrase,
        )
    return found


def _unmarked(text: str) -> str:
    """The text as the rules read it (see _check_chunk): inline markup, code and link targets
    blanked, the same length."""
    if _has_markup(text):
        return _INLINE_MASK.sub(_mask, text)
    return text.replace("*", " ") if "*" in text else text


def _drop_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Span to delete so that removing a parenthetical adverb leaves a grammatical sentence."""
    if text[end : end + 1] == "," and text[max(0, start - 2) : start] == ", ":
        # "the deploy, obviously, broke" -> "the deploy broke"; with a word right after the
        # comma, one comma stays between them ("the deploy, obviously,broke").
        return (start - 2, end + 1) if not text[end + 1 : end + 2].strip() else (start - 2, end)
    if text[end : end + 1] in (".", ";", "!", "?", "") and text[max(0, start - 2) : start] == ", ":
        return start - 2, end  # "we checked the logs, obviously." -> "we checked the logs."
    if opens_sentence(text, start):
        return None  # dropping it would leave a lower-case sentence start
    if text[end : end + 1] == " " and text[start - 1 : start] == " ":
        return start, end + 1
    if text[end : end + 1] == "," and text[start - 1 : start] == " ":
        # Its comma goes with it: "and obviously, the deploy broke" -> "and the deploy broke";
        # not where a word follows the comma directly ("was obviously,wrong"), which would join.
        after = text[end + 1 : end + 2]
        if after == " ":
            return start, end + 2
        if not after or after.isspace():
            return start - 1, end + 1
    if text[start - 1 : start] == " " and text[end : end + 1] in (".", ",", ";", ":", "!", "?", ""):
        return start - 1, end
    return None


_MARK_BEFORE = re.compile(r"(?:\*+|(?<!\w)_+|<([A-Za-z][\w-]*)(?:\s[^<>]*)?>)\Z")
"""Emphasis or an inline element's opening tag just before a word (searched up to it)."""


def _drop_as_written(text: str, masked: str, hit: BlameHit) -> BlameHit:
    """A deletion found in the text with its markup masked, made in the text as written: the
    emphasis or the inline element around the words goes with them ("was *obviously* broken"
    -> "was broken"). Where it cannot, the hit keeps its words and offers no fix, rather than
    one that leaves half of the markup behind ("was * broken", "was <b>/b> broken")."""
    words = _WORDS.search(masked, hit.start, hit.end)
    if words is None:
        return replace(hit, replacement=None)
    start, end = words.span()
    while (found := _MARK_BEFORE.search(text, max(0, start - 200), start)) is not None:
        closing = f"</{found.group(1)}>" if found.group(1) else found.group(0)
        if text[end : end + len(closing)].lower() != closing.lower():
            break
        start, end = found.start(), end + len(closing)
    dropped = _drop_span(text, start, end)
    if dropped is None or any(
        text[first:last] != masked[first:last]
        for first, last in ((dropped[0], start), (end, dropped[1]))
    ):
        return replace(hit, start=words.start(), end=words.end(), replacement=None)
    return replace(hit, start=dropped[0], end=dropped[1])


_WORDS = re.compile(r"\w(?:[^\n]*\w)?")
"""From the first to the last letter of a deletion's words."""


def lower_same_length(text: str) -> str:
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    # A few characters (e.g. 'İ') grow when lower-cased; keep offsets aligned with the original.
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


class _ClauseSubject:
    """Who is named (a pronoun, or a person, role or team: see _CALLED_KINDS) in a sentence
    before a match of a check said of its clause's subject: the first such word from where the
    sentence opens. The words read for one match are not read again for a later match in the
    same sentence (a paragraph of thousands of "was a complete mess and" is read in time linear
    in its length): the scan goes on from the last word it read whole."""

    def __init__(self) -> None:
        self._key: tuple[str, frozenset[str], int] | None = None
        self._end = 0
        self._upto = 0
        """Every word before it was read whole, and none of them names anyone."""
        self._found: tuple[str, int] | None = None
        """The first word read whole that names someone: its kind and where it ends."""

    def find(self, text: str, opens: int, end: int, people: frozenset[str]) -> str | None:
        key = self._key
        if key is not None and key[0] is text and key[1] is people and key[2] == opens:
            if self._found is not None and self._found[1] + 2 <= end:
                return self._found[0]
            if self._found is None and self._end <= end:
                return self._scan(text, opens, self._upto, end, people)
        return self._scan(text, opens, opens, end, people)

    def _scan(
        self, text: str, opens: int, start: int, end: int, people: frozenset[str]
    ) -> str | None:
        # A word within two characters of `end` may be cut short by it ("dave.li" read up to
        # "dave."): the next scan reads it again, whole, as a scan from `opens` would.
        self._key, self._end, self._found = (text, people, opens), end, None
        for token in TOKEN.finditer(text, start, end):
            if token.group(0).lower() in _CLAUSE_PRONOUNS:
                kind: str | None = "pronoun"
            else:
                kind = agent_kind(text, token.start(), token.end(), people)
                kind = kind if kind in _CALLED_KINDS else None
            cut = token.end() + 2 > end
            if kind is not None:
                if not cut:
                    self._found = (kind, token.end())
                self._upto = start
                return kind
            if not cut:
                start = token.end()
        self._upto = start
        return None


_SUBJECT_BEFORE = _ClauseSubject()


def _classify_match(
    check: Check, match: re.Match[str], text: str, people: frozenset[str]
) -> tuple[str | None, int]:
    """Agent kind of the match, and where the reported span starts (at the agent when it precedes)."""
    if check.agent == "clause":
        # The subject the match is said of, wherever it stands before the match in its clause:
        # "Dave was", "Dave's migration was", "the migration Priya ran was".
        kind, start = _classify_match(replace(check, agent="before"), match, text, people)
        if kind is not None:
            return kind, start
        opens = _sentence_bounds(text, match.start(), match.end())[0]
        return _SUBJECT_BEFORE.find(text, opens, match.start(), people), match.start()
    if check.agent == "before":
        span = agent_before(text, match.start(), check.skip_adverbs)
        if span is None:
            return None, match.start()
        word = text[span[0] : span[1]]
        if word == "May" or (word[:1].isupper() and word.lower() in MONTH_NAMES):
            # "June broke the build": a month name directly before the verb is its subject,
            # unless a preposition or a number makes it a date ("in June", "June 3").
            prev = PREV_WORD.search(text, max(0, span[0] - 30), span[0])
            if prev is None or prev.group(1).lower() not in MONTH_CONTEXT:
                return "person", span[0]
        kind = agent_kind(text, span[0], span[1], people)
        if kind in ("team", "role"):
            return kind, _head_of_group(text, span[0])
        return kind, span[0]
    if "agent2" in check.pattern.groupindex and match.group("agent2"):
        # "the platform team": the head noun decides; "Dave and": the first word does.
        head = agent_kind(text, match.start("agent2"), match.end("agent2"), people)
        if head in ("team", "role", "singled"):
            return head, match.start()
        if check.head_noun and head is None and text[match.start("agent2")].islower():
            return None, match.start()  # "make the on-call runbook more thorough": a thing
        second = match.group("agent2")
        first = text[match.start("agent") : match.end("agent")]
        bare = first.strip("*_")
        modifier = match.group("agent") in DEPARTMENTS or (
            # A capitalised word before a lower-case noun: a product ("Riak write timeouts"),
            # not a person's possessive ("Priya's change") or full name ("Baraka Otieno"); or
            # before a machine in any case ("suspend _Compute_ VMs"). So is a word in a script
            # without capitals ("连接超时 errors").
            (bare[:1].isupper() or caseless_name(bare))
            and bare.isalpha()
            and (
                text[match.start("agent2")].islower()
                or second.lower().removesuffix("s") in MACHINES
                or second.lower() in MACHINES
            )
            and bare.lower() not in people
        )
        if modifier and not second.endswith(("ing", "ed")) and second not in PERSON_FOLLOWERS:
            # "due to marketing emails", "due to Riak write timeouts": a modifier of the noun
            # that follows, not the agent.
            return None, match.start()
    return agent_kind(text, match.start("agent"), match.end("agent"), people), match.start()


_CLAUSE_PRONOUNS = wordset("he she him her his they them their you your")
"""Pronouns before the match in its clause that say whose the subject is ("his deploy was",
"their rollout was")."""


_DETERMINER = re.compile(r"(?:the|our|their|his|her|its|your|my|a|an|this|that)\Z", re.IGNORECASE)
_MODIFIER = re.compile(r"[a-zA-Z][\w\-]*\Z")
_NO_MODIFIERS = FUNCTION_WORDS | wordset(
    "because since after before until unless once why how all both every each some any and "
    "certain particular one few several many most other"
)
"""Words before a team or a role that do not say which one it is ("because ops team")."""


def _head_of_group(text: str, start: int) -> int:
    """Where a team or a role named at `start` begins with the words that say which, after its
    article or at the start of its sentence: "the [database team] broke", "the [on-call
    engineer] failed to". With neither before them, the word alone ("because ops [team]"). An
    opening quotation mark or bracket before them opens the words too: a finding in a quotation
    stays inside it ('rejected "[operator should have] checked"')."""
    tokens = list(TOKEN.finditer(text, max(0, start - 60), start))
    begins = start
    for token in reversed(tokens[-3:]):
        if _DETERMINER.match(token.group(0)) or token.group(0) in ".;:!?|":
            return begins
        if not text[token.end() : begins].isspace():
            return begins
        word = token.group(0)
        if not _MODIFIER.match(word) or word.lower() in _NO_MODIFIERS:
            return start
        begins = token.start()
    # Or opening the text: "Database team broke replication."
    return begins if TOKEN.search(text, 0, begins) is None else start


def _hits_for(
    check: Check, text: str, low: str, people: frozenset[str], first: int = 0
) -> Iterator[BlameHit]:
    # `first`: where the pattern's first match in `low` starts, when the caller searched for it.
    # What the sentence-wide patterns found in each sentence, for its other matches: one search
    # per sentence, not one per match, however many matches a sentence holds.
    found: dict[tuple[re.Pattern[str], int, int], bool] = {}

    def in_sentence(pattern: re.Pattern[str], match: re.Match[str]) -> bool:
        # Bounds from the text as written: whether a line goes on in lower case shows there.
        key = (pattern, *_sentence_bounds(text, match.start(), match.end()))
        if key not in found:
            found[key] = pattern.search(low, key[1], key[2]) is not None
        return found[key]

    named_since = _SomeoneSince(text, people, _names_someone)
    someone_since = _SomeoneSince(text, people, _someone_or_whose)
    lessons = _Lessons(text, low, people)
    for match in check.pattern.finditer(low, first):
        code = check.code
        start, end = match.span(check.span) if check.span else match.span()
        if check.agent is not None:
            kind, agent_start = _classify_match(check, match, text, people)
            code_for = dict(check.by_agent).get(kind) if kind else None
            if code_for is None:
                continue
            code = code_for
            if check.agent == "before":
                start = agent_start
        if check.mention_veto and _quoted(text, match.start(), match.end()):
            continue
        if (
            check.mention_cue is not None
            and _quoted(text, match.start(), match.end())
            and in_sentence(check.mention_cue, match)
        ):
            continue
        if check.after_veto is not None and check.after_veto.match(low, match.end()):
            continue
        if check.sentence_veto is not None and in_sentence(check.sentence_veto, match):
            continue
        vetoed = (
            check.veto.search(low, max(0, match.start() - 60), match.start())
            if check.veto is not None
            else None
        )
        if vetoed is not None and not (
            check.writers_veto
            and (
                _someone_beside(text, match.end(), people)
                or _someone_within(text, vetoed.start(), match.start(), people)
            )
        ):
            continue
        if (
            check.advice is not None
            and check.advice.search(low, max(0, match.start() - 60), match.end()) is not None
            and in_sentence(READERS, match)
            and not in_sentence(HENCEFORTH, match)
            and not named_since.between(
                _sentence_bounds(text, match.start(), match.end())[0], match.start()
            )
            and not _someone_beside(text, match.end(), people)
            and OWN_DOINGS.match(low, match.end()) is None
            and not _called_on(text, match.end(), people)
        ):
            continue  # a warning to the readers: "Be careful of the software, as it …"
        if check.lesson is not None and lessons.unnamed(
            check.lesson, match.end("lead"), *_sentence_bounds(text, match.start(), match.end())
        ):
            continue  # "In retrospect it is now clear that … is a misconfiguration"
        if (
            check.of_a_thing is not None
            and check.of_a_thing.match(low, match.end()) is not None
            and not someone_since.between(
                _sentence_bounds(text, match.start(), match.end())[0], match.start()
            )
        ):
            continue  # "this is clearly not an issue for such operators"
        if (
            check.refusal is not None
            and check.refusal.search(low, max(0, match.start() - 60), match.start())
            and not _asks(text, match.start(), match.end())
        ):
            continue
        while start < end and text[start].isspace():
            start += 1
        message, suggestion = MESSAGES[code]
        if check.names_words:
            message = NAMED_MESSAGES[code].format(words=" ".join(text[start:end].split()))
        replacement = None
        if check.droppable:
            dropped = _drop_span(text, start, end)
            if dropped is not None:
                start, end = dropped
                replacement = ""
                suggestion = f"Delete '{text[start:end].strip(' ,')}'."
        yield BlameHit(
            code, start, end, message, suggestion, replacement, check.sure, check.discourse
        )


_BESIDE = 8
"""How many words after a match of the writers' own care a person may stand and share it."""
_BESIDE_PRONOUNS = frozenset({"he", "she", "him", "her"})


def _someone_beside(text: str, end: int, people: frozenset[str]) -> bool:
    """A person is named in the _BESIDE words after text[:end], in its sentence, where the care
    the writers promise is asked of them too or made about them: last in the sentence or its
    clause ("We need to be more careful, Dave", "…, and so should Carlos", "…, especially
    Tomasz"), as an owner ("…careful around Chen's scripts") or before a verb a subject takes
    ("…when Sven is on call"). Not before a verb in the past tense, which tells what they did
    ("as Priya suggested in the review"), nor before another word ("more careful with Terraform
    plans"), nor last after a word of place ("on Graviton."): a product. A role or a team there
    is as often what the care is for ("mindful of the on-boarding experience of new
    developers")."""
    last = _sentence_bounds(text, end, end)[1]
    found = _first_words(TOKEN.finditer(text, end, last), _BESIDE)
    words = [token for token in found if token.group(0) not in _PUNCTUATION]
    for token in words[:_BESIDE]:  # the word after the last is read only as what follows it
        word = token.group(0)
        kind = agent_kind(text, token.start(), token.end(), people)
        if kind == "pronoun":
            if word.lower() in _BESIDE_PRONOUNS:
                return True
            continue
        if kind not in ("person", "singled"):
            continue
        index = found.index(token)
        after = found[index + 1].group(0).lower() if index + 1 < len(found) else "."
        before = found[index - 1].group(0).lower() if index else ""
        if (
            after in _PUNCTUATION
            and before in _PLACES
            and word.lower() not in people
            and not word.startswith("@")
        ):
            continue  # a product or a place, as often as a person: "on Graviton."
        if (
            after in _PUNCTUATION
            or after in _BESIDE_FOLLOWERS
            or word.endswith(("'s", "\u2019s"))
            or (after in SUBJECT_VERBS and after not in _PAST_SUBJECT_VERBS)
        ):
            return True
    return False


def _first_words(tokens: Iterator[re.Match[str]], count: int) -> list[re.Match[str]]:
    """The tokens up to the count-th word and the one after it: the rest of a long sentence is
    not read, once for each of its matches."""
    found: list[re.Match[str]] = []
    for token in tokens:
        found.append(token)
        if count == 0:
            break
        if token.group(0) not in _PUNCTUATION:
            count -= 1
    return found


def _someone_within(text: str, start: int, end: int, people: frozenset[str]) -> bool:
    """Someone other than the writers is named in text[start:end], the words of the writers'
    own resolve before the care: in a clause of their own before it, joined by "and" (see
    patterns._WRITERS_RESOLVE), what they did to someone is no promise of their own ("We had a
    word with Dave and will be more careful", "We let the intern go and promise to do better",
    "We are done covering for the database team and will be more careful")."""
    for token in TOKEN.finditer(text, start, end):
        if token.group(0).lower() in _WITHIN_PRONOUNS or agent_kind(
            text, token.start(), token.end(), people
        ) in ("person", "singled", "role", "team"):
            return True
    return False


def _names_someone(text: str, token: re.Match[str], people: frozenset[str]) -> bool:
    """The token names a person, a role or a team, or is "he" or "she": someone the care before
    a warning may be bidden to ("Dave, you need to be careful"); not "they", as often the people
    the readers are warned of ("They could use them for phishing, so be careful with emails
    asking you to sign in")."""
    return token.group(0).lower() in _BESIDE_PRONOUNS or agent_kind(
        text, token.start(), token.end(), people
    ) in ("person", "singled", "role", "team")


_CALLED = wordset("everyone everybody all folks guys people y'all")


def _called_on(text: str, end: int, people: frozenset[str]) -> bool:
    """After text[:end], the last words of its sentence, after a comma, call on someone: a
    person, a role, a team or everyone ("Be careful when you deploy, team", "…, on-call")."""
    last = _sentence_bounds(text, end, end)[1]
    commas = _commas(text)
    index = bisect_left(commas, last) - 1
    if index < 0 or commas[index] < end:
        return False
    # The tokens after its last comma, a comma being a token of its own: four at most are read.
    tail = list(islice(TOKEN.finditer(text, commas[index] + 1, last), 4))
    return 0 < len(tail) <= 3 and any(
        token.group(0).lower() in _CALLED
        or agent_kind(text, token.start(), token.end(), people) in _CALLED_KINDS
        for token in tail
        if token.group(0) not in _PUNCTUATION
    )


@lru_cache(maxsize=4)
def _commas(text: str) -> tuple[int, ...]:
    # Found once per chunk, as _sentence_edges() are: the last before a sentence's end is a
    # search, not a scan of the sentence for each match.
    return tuple(m.start() for m in _COMMA.finditer(text))


_COMMA = re.compile(",")
_CALLED_KINDS = frozenset({"person", "pronoun", "singled", "role", "team"})


def _someone_in(text: str, start: int, end: int, people: frozenset[str]) -> bool:
    """A person, a role or a team is named in text[start:end], or a pronoun for someone or
    whose ("he", "their", "you"): what is said there may be said of them ("In retrospect it is
    clear that the on-call engineer is not up to the job", "He is clearly not a team
    player")."""
    return any(_someone_or_whose(text, token, people) for token in TOKEN.finditer(text, start, end))


def _someone_or_whose(text: str, token: re.Match[str], people: frozenset[str]) -> bool:
    return (
        token.group(0).lower() in _CLAUSE_PRONOUNS
        or agent_kind(text, token.start(), token.end(), people) in _CALLED_KINDS
    )


@dataclass
class _Reading:
    """How far the words after one start have been read (see _SomeoneSince)."""

    tokens: Iterator[re.Match[str]]
    ahead: re.Match[str] | None
    """The first token not yet judged."""
    found: int = -1
    """Where the first token accepted ends, once one is."""
    asked: int = 0
    """The furthest end asked about."""


class _SomeoneSince:
    """Whether a token that _names_someone() (or _someone_or_whose()) stands between the start of
    a sentence and each of its matches in turn: the words after a start read once, not once for
    each match a long sentence holds."""

    def __init__(self, text: str, people: frozenset[str], accepts: _TokenTest) -> None:
        self.text = text
        self.people = people
        self.accepts = accepts
        self.readings: dict[int, _Reading] = {}

    def between(self, start: int, end: int) -> bool:
        """Whether a token accepted stands in text[start:end], as a scan of just that would say."""
        text = self.text
        reading = self.readings.get(start)
        if reading is None:
            tokens = TOKEN.finditer(text, start)
            reading = self.readings[start] = _Reading(tokens, next(tokens, None))
        if end < reading.asked:
            return self._any(start, end)  # asked out of turn: read it all again
        reading.asked = end
        # A token that ends by `end` is the same token read with `end` as the text's end.
        while reading.found < 0 and reading.ahead is not None and reading.ahead.end() <= end:
            if self.accepts(text, reading.ahead, self.people):
                reading.found = reading.ahead.end()
            reading.ahead = next(reading.tokens, None)
        if reading.found >= 0:
            return True
        across = reading.ahead  # one that runs past `end` is read cut there
        return across is not None and across.start() < end and self._any(across.start(), end)

    def _any(self, start: int, end: int) -> bool:
        return any(
            self.accepts(self.text, token, self.people)
            for token in TOKEN.finditer(self.text, start, end)
        )


class _Lessons:
    """Whether a lesson in the present (patterns.LESSON) is said after each match in turn and no
    one is named from there to its sentence's end: the clause ends, the words of the past, the
    verbs and the people of a sentence found once, not read again to the end of the clause and
    of the sentence for each match ("in retrospect it is now clear that … is … and " thousands of
    times took minutes)."""

    def __init__(self, text: str, low: str, people: frozenset[str]) -> None:
        self.text = text
        self.low = low
        self.people = people
        self.stop = (-1, -1, False)  # asked from, where the clause stops, whether it may hold
        self.verb = (-1, -1)  # asked from, where the next verb in the present starts
        self.named: dict[tuple[int, int], tuple[list[int], list[int], int]] = {}

    def unnamed(self, lesson: re.Pattern[str], at: int, start: int, end: int) -> bool:
        """lesson.match(low, at) and no _someone_in(text, at, end), `start` opening the sentence."""
        if lesson is not LESSON or at < start:
            return lesson.match(self.low, at) is not None and not _someone_in(
                self.text, at, end, self.people
            )
        return self._lesson(at) and not self._someone(at, start, end)

    def _lesson(self, at: int) -> bool:
        low = self.low
        asked, stops, holds = self.stop
        if not asked <= at <= stops:
            # The first place from `at` where the look at the rest of the clause stops, the same
            # from any place before it: no word of the past there, and the end of the clause.
            found = LESSON_STOP.search(low, at)
            stops = len(low) if found is None else found.start()
            holds = found is None or found.group("past") is None or found.group("but") is not None
            self.stop = (at, stops, holds)
        if not holds:
            return False
        asked, verb = self.verb
        if not asked <= at <= verb:
            found = LESSON_VERB.search(low, at)
            verb = len(low) + 1 if found is None else found.start()
            self.verb = (at, verb)
        return verb < stops

    def _someone(self, at: int, start: int, end: int) -> bool:
        key = (start, end)
        if key not in self.named:
            starts: list[int] = []
            ends: list[int] = []
            last = -1
            for token in TOKEN.finditer(self.text, start, end):
                starts.append(token.start())
                ends.append(token.end())
                if _someone_or_whose(self.text, token, self.people):
                    last = token.start()
            self.named[key] = (starts, ends, last)
        starts, ends, last = self.named[key]
        if last >= at:
            return True
        # A word that runs across `at` is read from there, as a scan from `at` would.
        index = bisect_right(starts, at) - 1
        return (
            index >= 0 and ends[index] > at and _someone_in(self.text, at, ends[index], self.people)
        )


_TokenTest = Callable[[str, re.Match[str], frozenset[str]], bool]


_WITHIN_PRONOUNS = wordset("he she him her his they them someone somebody whoever")
"""Pronouns that name someone else in the writers' own clause ("We fired him and promise to do
better", "We know his habits and need to be more careful"); not "their", as often the
customers' ("sorry to our customers for their lost time"), nor "everyone" ("We apologise to
everyone affected and will do better")."""


_PUNCTUATION = frozenset(",.;:!?|")
_PLACES = wordset("on in at to from into onto via across through over under inside within")
"""Where a word names where or what the care is about: a product or a place as often as a person
("clock skew on Graviton"), unless the roster or an @ says it is one."""
_BESIDE_FOLLOWERS = frozenset({"too", "and", "or", "as", "again"})
"""What may follow a person who shares the care ("Dave too", "Dave and I", "Dave as well")."""
_PAST_SUBJECT_VERBS = frozenset(
    {"ran", "took", "broke", "left", "forgot", "made", "went", "sat", "gave", "got", "told",
     "saw", "knew", "thought", "kept", "wrote", "drove", "chose", "threw", "slept", "lost", "ate",
     "fell", "began", "brought", "caught", "sent", "spent", "said", "did", "had", "was"}
)  # fmt: skip
"""Verbs a subject takes that tell what the person did ("as Priya said"), not what they are."""


_OPENING_QUOTES = "\"'\u201c\u2018`"
_CLOSING_QUOTES = "\"'\u201d\u2019`"


_SENTENCE_EDGE = re.compile(r"[.;!?]|\n(?![^\S\n]*[a-z])")
"""Where a sentence (or a clause after a semicolon) ends; a line break too, unless the line
after it goes on in lower case, as a paragraph wrapped by hand does ("not something we'd /
describe as human error")."""


@lru_cache(maxsize=4)
def _sentence_edges(text: str) -> tuple[int, ...]:
    # Found once per chunk, not once per hit: a line of thousands of hits stays linear.
    return tuple(m.start() for m in _SENTENCE_EDGE.finditer(text))


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The span of the sentence (or clause after a semicolon) around text[start:end]."""
    edges = _sentence_edges(text)
    before = bisect_left(edges, start)
    after = bisect_left(edges, end)
    return (edges[before - 1] + 1 if before else 0), (
        edges[after] if after < len(edges) else len(text)
    )


def _asks(text: str, start: int, end: int) -> bool:
    """The sentence around text[start:end] is a question: a question mark ends it or stands in
    it."""
    first, last = _sentence_bounds(text, start, end)
    return "?" in text[first : last + 1]


def _quoted(text: str, start: int, end: int) -> bool:
    """The span stands in quotation marks: a word mentioned, not used."""
    before = text[max(0, start - 2) : start].rstrip()
    return bool(before) and before[-1] in _OPENING_QUOTES and text[end : end + 1] in _CLOSING_QUOTES


def _suspended(low: str, hit: BlameHit, text: str) -> bool:
    """The phrase of the hit is held up to be rejected, not asserted: a frame before it in its
    clause ("it would be easy to call this", "not because", "it has been suggested that", "we do
    not think"), a framing gerund opening the clause ("Calling this operator error would ..."),
    its agent denied ("No one dropped the ball"), the phrase itself denied ("found no
    carelessness"), or, as the subject of its clause, rejected ("Carelessness did not cause
    this"). `low` is `text` in lower case, of the same length."""
    start = hit.start
    first = _clause_start(low, start)
    if SUSPENDING.search(low, max(first, start - 120), start) is not None:
        # ... unless the rest of its clause says the claim holds.
        end = _sentence_bounds(text, start, hit.end)[1]
        turn = _BUT.search(low, hit.end, end)
        if AFFIRMED.search(low, hit.end, turn.start() if turn else end) is None:
            return True
    return (
        SUSPENDING_OPENER.match(low, first, start) is not None
        or DENIED_AGENT.search(low, max(first, start - 40), start) is not None
        or (
            hit.code not in _ASSERTED_WHEN_DENIED
            and hit.code != "BL002"  # "No one should have missed it": its agent, not a denial
            and NEGATED.search(low, max(first, start - 40), start) is not None
        )
        or (
            hit.code not in _ASSERTED_WHEN_DENIED
            and _CLAUSE_SUBJECT.fullmatch(low, first, start) is not None
            and REJECTED_AFTER.match(low, hit.end) is not None
        )
    )


_BUT = re.compile(r"\bbut\b")


_ASSERTED_WHEN_DENIED = frozenset({"BL006", "BL007"})
"""Mocking and insinuation stand with a 'not' before them ("not a good one", "not naming
names, but ...")."""
_CLAUSE_SUBJECT = re.compile(r"[\s>*_|#+\-\"'\u201c\u2018]*(?:(?:the|a|an|this|that|any|some)\s+)?")
"""What may stand between a clause's opening and its subject."""


_CLAUSE_EDGE = re.compile(r"[.;!?]")


def _clause_start(text: str, start: int) -> int:
    """Where the clause around `start` opens; a line break inside a paragraph is no edge."""
    before = [m.end() for m in _CLAUSE_EDGE.finditer(text, max(0, start - 300), start)]
    return before[-1] if before else (0 if start <= 300 else start)


_QUOTATION = re.compile(
    # An opening mark after a space or a bracket and a closing one before a space or punctuation,
    # across line breaks: the inch mark of a 27" monitor opens nothing.
    r'(?<![\w"])"(?=\S)[^"]*?(?<=\S)"(?![\w"])|\u201c[^\u201d]*\u201d'
)


def _quoted_passages(text: str) -> list[tuple[int, int]]:
    """Spans of the passages of three words or more in double quotation marks.

    A phrase in quotation marks is mentioned, not used: an earlier draft's "human error in code
    review", a rejected action item ("be more careful"), a chat message quoted in full. One or
    two words in quotation marks are left alone: scare quotes ('our "genius"', 'a "brilliant
    idea"') are a way of mocking.
    """
    return [m.span() for m in _QUOTATION.finditer(text) if len(m.group(0)[1:-1].split()) > 2]


def _index_triggers() -> tuple[dict[str, tuple[int, ...]], frozenset[int]]:
    # word -> the checks it can wake up: one set intersection per chunk instead of one per check.
    by_word: dict[str, list[int]] = {}
    always: set[int] = set()
    for index, check in enumerate(CHECKS):
        if check.triggers is None:
            always.add(index)
            continue
        for word in check.triggers:
            by_word.setdefault(word, []).append(index)
    return {word: tuple(found) for word, found in by_word.items()}, frozenset(always)


_CHECKS_BY_TRIGGER, _ALWAYS = _index_triggers()
_TRIGGER_WORDS = frozenset(_CHECKS_BY_TRIGGER)


@lru_cache(maxsize=8192)
def _woken(present: frozenset[str]) -> tuple[Check, ...]:
    """The checks that the trigger words present can wake, in table order: sets recur. The
    prose of a few thousand records holds some thousands of sets (the 18,000 sentences of the
    corpus's prose, 4,800), which a smaller cache, read in turn, would forget before their
    next use; a full one holds about 5 MB."""
    indexes = {index for word in present for index in _CHECKS_BY_TRIGGER[word]} | _ALWAYS
    return tuple(CHECKS[index] for index in sorted(indexes))


def check_text(text: str, options: BlamelessOptions = BlamelessOptions()) -> list[BlameHit]:
    """Check one chunk of prose (a paragraph, a table cell, a list item: may contain several sentences and inline Markdown)."""
    return _check_chunk(text, _prepare(options), options.people)


def _check_chunk(text: str, prepared: _Prepared, people: frozenset[str]) -> list[BlameHit]:
    """check_text, with what depends only on the options prepared once by the caller."""
    low = lower_same_length(text)
    words = ALPHA.findall(low)
    present = _TRIGGER_WORDS.intersection(words)
    if not present and prepared.extra is None and "!" not in text:
        # Most factual prose: masking markup can only remove words, never add them, and the
        # only check without trigger words looks for "!!" and "?!".
        return []
    masked = text
    if _has_markup(text):
        masked = _INLINE_MASK.sub(_mask, text)
        low = lower_same_length(masked)
        words = ALPHA.findall(low)
        present = _TRIGGER_WORDS.intersection(words)
    elif "*" in text:
        # Only emphasis stars (the **kind** of every timeline entry): each run of stars becomes
        # as many spaces, and the words stay as they were.
        masked = text.replace("*", " ")
        low = low.replace("*", " ")
    hits: list[BlameHit] = []
    word_set: set[str] | None = None
    for check in _woken(frozenset(present)):
        if check.literal is not None and not any(char in masked for char in check.literal):
            continue
        if check.requires:
            if word_set is None:
                word_set = set(words)
            if any(word_set.isdisjoint(required) for required in check.requires):
                continue
        # Most woken patterns match nowhere: one search says so, before any of the work of
        # reading their matches is set up.
        found = check.pattern.search(low)
        if found is not None:
            hits.extend(_hits_for(check, masked, low, people, found.start()))
    if prepared.extra is not None:
        for match in prepared.extra.finditer(masked):
            message, suggestion = MESSAGES["BL004"]
            hits.append(BlameHit("BL004", match.start(), match.end(), message, suggestion))
    if hits:
        hits = [hit for hit in hits if not _suspended(low, hit, masked)]
    if masked is not text:
        hits = [
            _drop_as_written(text, masked, hit)
            if hit.replacement is not None
            and text[hit.start : hit.end] != masked[hit.start : hit.end]
            else hit
            for hit in hits
        ]
    if hits and ('"' in masked or "\u201c" in masked):
        quoted = _quoted_passages(masked)
        hits = [h for h in hits if not _within(quoted, h)]
    if prepared.allow is not None and hits:
        allowed = [m.span() for m in prepared.allow.finditer(masked)]
        hits = [h for h in hits if not _overlaps(allowed, h)]
    if len(hits) > 1:
        hits = _dedupe(_insinuated_not_teams(low, hits))
    return hits


_SINGLING = re.compile(r"(?:(?:certain|some|particular|an?|one)\s+)+")
"""What opens an insinuation before the people it singles out: "certain", "a particular"."""


def _insinuated_not_teams(low: str, hits: list[BlameHit]) -> list[BlameHit]:
    """Without BL008 for the people an insinuation singles out ("Certain people never read
    it": BL007 alone), but with it for a team named beside them ("Some folks in ops never
    read it")."""
    singled = sorted((hit for hit in hits if hit.code == "BL007"), key=_hit_start)
    if not singled:
        return hits
    starts = [hit.start for hit in singled]

    def singled_out(team: BlameHit) -> bool:
        # Only the insinuations that open just before the team, nearest first: once the words
        # between one and the team are not all singling words, no earlier one's are either. A
        # line of thousands of both stays linear.
        for index in range(bisect_left(starts, team.start) - 1, -1, -1):
            other = singled[index]
            if _SINGLING.fullmatch(low, other.start, team.start) is None:
                return False
            if team.start < other.end:
                return True
        return False

    return [hit for hit in hits if hit.code != "BL008" or not singled_out(hit)]


def _hit_start(hit: BlameHit) -> int:
    return hit.start


def _within(spans: list[tuple[int, int]], hit: BlameHit) -> bool:
    """The hit lies inside one of the spans (sorted, never overlapping, as finditer gives them)."""
    index = bisect_right(spans, hit.start, key=_span_start) - 1
    return index >= 0 and hit.end <= spans[index][1]


def _overlaps(spans: list[tuple[int, int]], hit: BlameHit) -> bool:
    """The hit shares a character with one of the spans (sorted, never overlapping)."""
    index = bisect_left(spans, hit.end, key=_span_start) - 1
    return index >= 0 and hit.start < spans[index][1]


def _span_start(span: tuple[int, int]) -> int:
    return span[0]


def _dedupe(hits: list[BlameHit]) -> list[BlameHit]:
    """Keep one hit per code per overlapping span, preferring ones that carry a replacement, then
    ones the model's veto does not apply to (see Check.sure)."""
    hits.sort(key=lambda h: (h.start, h.replacement is None, not h.sure, -(h.end - h.start)))
    kept: list[BlameHit] = []
    reach: dict[str, int] = {}  # code -> the furthest end of a kept hit: they start no later
    for hit in hits:
        if hit.start < hit.end:
            if hit.start < reach.get(hit.code, -1):
                continue
        elif any(k.code == hit.code and k.start < hit.start < k.end for k in kept):
            continue
        kept.append(hit)
        reach[hit.code] = max(reach.get(hit.code, -1), hit.end)
    return kept
