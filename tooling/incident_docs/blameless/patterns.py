"""The rule table: one entry per pattern, with the words that wake it up and how a match becomes a hit."""

from __future__ import annotations

import re
from dataclasses import dataclass

from incident_docs.blameless.lexicon import (
    BLAME_NOUNS,
    CARE,
    CAUSE_VERB,
    CAUSE_WORDS,
    CF_VERB,
    CF_WORDS,
    GROUPS,
    JUDGE_VERB,
    JUDGE_WORDS,
    NEG_ADJ,
    NEG_WORDS,
    NEGATED,
    ROLES,
    WEAK_VERB,
    WEAK_WORDS,
    wordset,
)


@dataclass(frozen=True)
class Check:
    """One pattern and how a match becomes a hit."""

    pattern: re.Pattern[str]
    code: str
    # Run only when the lower-cased text contains one of these words (None: always run); keeps the engine fast.
    triggers: frozenset[str] | None
    # "before": the subject is the word left of the match; "clause": that word, or else someone
    # named before the match in its clause ("Dave's migration was"); "group": named groups
    # agent/agent2 in the match.
    agent: str | None = None
    by_agent: tuple[tuple[str, str], ...] = ()
    droppable: bool = False
    span: str | None = None
    veto: re.Pattern[str] | None = None  # searched in the 60 chars before the match
    after_veto: re.Pattern[str] | None = None  # matched at the end of the match
    mention_veto: bool = False  # a match in quotation marks is mentioned, not used
    # A match in quotation marks is mentioned, not used, when its sentence also says so (a
    # denial, "the word", "such as", "described as"): otherwise quotation marks are scare quotes.
    mention_cue: re.Pattern[str] | None = None
    sentence_veto: re.Pattern[str] | None = None  # searched in the whole sentence of the match
    skip_adverbs: bool = True
    # Characters of which every match contains at least one, tested before the regex.
    literal: str | None = None
    # Word sets a match always takes a word from (one from each set), tested on the chunk's words
    # before the regex: some trigger words are common in ordinary prose.
    requires: tuple[frozenset[str], ...] = ()
    # A pattern that names the blame outright ("we should have fired Dave"): its hits stand
    # whatever the model reads, since the model weighs words such as "fired" as alerting terms.
    sure: bool = False
    # A refusal of what the match says, searched in the 60 chars before it ("we are not going to
    # fire the developer"): the match is not reported unless its sentence asks a question ("why
    # on earth are we not going to fire the developer?").
    refusal: re.Pattern[str] | None = None
    # A word that is also an everyday discourse marker ("obviously", "needless to say", "of
    # course"): hindsight or sarcasm only in a sentence with some of blame's tone, so the match is
    # not reported in a sentence of the present, said of no one, that the model reads as blaming
    # no one (see prose.DISCOURSE).
    discourse: bool = False
    # The message names the words found ("'operator error' is not a cause"), not the rule's
    # own example of them (see engine.NAMED_MESSAGES).
    names_words: bool = False
    # With a second word in lower case that names no one ("the on-call runbook", "the engineer
    # onboarding"), that word is the head noun: a thing, not the people the first word names.
    head_noun: bool = False
    # The veto names the writers as who takes the care (the writers' own resolve): it does not
    # hold when a person is named just after the match, beside the care ("We need to be more
    # careful, Dave", "I'll do better, and so should Carlos"; see engine._someone_beside).
    writers_veto: bool = False
    # Care bidden to the readers as a warning: the match is not reported when this pattern,
    # searched in the 60 chars before the match through its end, finds it so, in a sentence that
    # speaks to the readers (READERS) and names no one else (see engine._hits_for).
    advice: re.Pattern[str] | None = None
    # A lesson seen afterwards and said in the present: the match is not reported when this
    # pattern matches where its group "lead" ends, unless the rest of its sentence names someone
    # ("In retrospect it is clear that the on-call engineer is not up to the job").
    lesson: re.Pattern[str] | None = None
    # A thing or a state of mind after the match: the match is not reported when this pattern
    # matches where it ends, unless someone is named before it in its clause, whose the thing
    # is said to be ("He is clearly not a team player").
    of_a_thing: re.Pattern[str] | None = None


PERSON_CODES = (("person", "BL001"), ("pronoun", "BL001"), ("singled", "BL001"), ("team", "BL008"))
JUDGE_CODES = (*PERSON_CODES, ("role", "BL001"))
CARE_CODES = tuple((kind, "BL009") for kind in ("person", "pronoun", "singled", "role", "team"))
CF_CODES = (
    ("person", "BL002"),
    ("pronoun", "BL002"),
    ("singled", "BL002"),
    ("role", "BL002"),
    ("team", "BL008"),
)
PUNISH_CODES = (("person", "BL009"), ("pronoun", "BL009"), ("singled", "BL009"), ("role", "BL009"))
EMOTION_CODES = tuple((kind, "BL006") for kind in ("person", "pronoun", "singled", "role", "team"))
AGENT = r"(?P<agent>(?:@|[^\W\d_])[\w'\u2019\-]*(?:\.[\w'\u2019\-]+)*)(?:\s+(?P<agent2>[a-z][\w'\u2019\-]*))?"
"""Who a check's verb is aimed at, and the word after it, which may be its head ("the platform
team"): a handle with dots inside ("dave.li"), but never across a full stop ("fire anyone. Why")."""
_FORESAW = (
    r"(?:\w+\s+){0,2}?should(?:\s+have|['\u2019]ve)\s+(?:\w+ly\s+)?(?:known|seen|foreseen|predicted|"
    r"anticipated|noticed|spotted|realised|realized|recogni[sz]ed|understood|guessed|been\s+aware)\b"
)
"""What someone should have known or seen coming: hindsight, whoever should have."""
_PAST = (
    r"\b(?:was|were|had|did|been|would|could|should|might|must|ought|ago|yesterday|went|came|"
    r"broke|took|made|knew|saw|forgot|ran|fell|became|began|got|left|lost|set|put|let|cut|hit|"
    r"shut|told|said|thought|meant|sent|spent|kept|built|chose|wrote|gave|brought|caught|found|"
    r"held|sold|stood|understood)\b|n['\u2019]t\s+have\b|['\u2019](?:d|ve)\b|\b[a-z]+[^e\W]ed\b"
)
"""A word of the past, roughly: an auxiliary or a verb in the past tense, a counterfactual; a
word in -ed is read as one, so that an adjective ("the unsigned binaries") keeps hindsight
reported rather than clears it."""
_LESSON = (
    # The rest of the clause ("…, but during the incident it was one of forty alerts" is
    # another): no word of the past, nor of what people never do, and a verb in the present.
    # A full stop inside a word ("@wei.z", "S3.Bucket") ends nothing.
    r"(?=(?:(?!" + _PAST + r"|\b(?:but|never|nobody|no\s+one|someone|somebody|anyone|anybody|"
    r"everyone|everybody)\b)(?:[^.;!?|\n]|[.;!?](?=\S)))*(?:[.;!?](?!\S)|[|\n]|\bbut\b|$))"
    r"(?:(?!\bbut\b)(?:[^.;!?|\n]|[.;!?](?=\S)))*?\b(?:is|are|isn['\u2019]t|aren['\u2019]t|seems?|"
    r"looks?|remains?|(?:it|that|this|there)['\u2019]s)\b"
)
"""What is seen afterwards as a lesson in the present, not as what someone should have seen
coming: "In retrospect it is now clear that pointing a subdomain at S3 in DNS-only mode is a
misconfiguration", "In hindsight the warning sign is obvious, but during the incident it was one
of forty alerts"; not "In retrospect it is clear that the change was risky"."""
_NOT_A_DEED = r"(?!\s+(?:happy|pleased|amused|impressed|thrilled|satisfied|delighted|content)\b)"
"""After "clearly not": not a mood ("He's clearly not happy because our API impacts a lot of
products"), which is no one's deed looked back on ("clearly not tested", "clearly not taking the
on-call seriously", "clearly not true")."""
_NOT_A_THING = (
    r"\s+(?:a|an|the|this|that|these|those|what|how|where|why|which|who|enough|sufficient|ideal|"
    r"optimal|feasible|possible|sustainable|scalable|desirable|comfortable|keen|interested|"
    r"excited|convinced|sure|certain|fond)\b"
)
"""After "clearly not", a thing or a state of mind ("clearly not what you want for a dashboard",
"this is clearly not an issue for such operators"): no one's deed, unless the clause says whose
("He is clearly not a team player", "Ops is clearly not the team for this")."""
_UTTERLY = "complete total absolute utter unmitigated"
_UTTERLY_WORDS = _UTTERLY.replace(" ", "|")
_WRECKS = "disaster mess nightmare shambles fiasco catastrophe joke show chaos trainwreck"
_WRECK = (
    r"(?:" + _UTTERLY_WORDS + r")\s+(?:disaster|mess|nightmare|shambles|fiasco|catastrophe|joke|"
    r"clown\s*show|chaos|trainwreck)\b"
)
"""A judgement of something as a wreck: "a complete mess", "a total disaster"."""
_COPULA = (
    r"(?:(?:was|is|were|are|been|be|became|becomes|remains?|remained)\s+|['\u2019](?:s|re)\s+)"
    r"(?:(?:\w+ly|just|still|such)\s+)?(?:an?\s+)?"
)
"""What the subject of a clause is ("was a", "'s an", "is frankly a")."""
_NO_OBJECT = r"(?:by|to|from|back|after|before|in|on|at|for|with|during|following|because|when|and|or|as|if)\b"
"""A word after a verb that opens no object of it: a preposition or a conjunction."""
_DEMOTION_OF_A_SYSTEM = (
    r"behaviou?r|logic|timeouts?|handl(?:er|ers|ing)|routines?|mechanisms?|latency|hooks?|"
    r"loops?|code|api|endpoints?|config(?:uration)?|settings?|flags?|metrics?|logs?|semantics|"
    r"thresholds?|protocols?|scripts?"
)
"""What a demotion names when it is a program's or a cluster's ("Patroni's demotion behaviour",
"the relay's demotion logic"): the noun after it, of which it is a part."""
_NOT_ASKED = r"(?<!\bdo\s)(?<!\bdid\s)(?<!\bdoes\s)"
"""Not in a question that asks who ("Do you know who conducted the attack?")."""
_NOT_WHO_TO_REACH = r"(?!\s+(?:to\s+(?:call|page|ask|contact|ping|reach|notify|escalate\s+to)|is\s+on[\s-]?call|owns?)\b)"
"""After "know who": not who to page, who is on call or who owns a service ("Everyone knows who
to page")."""
_COMPOUND_HEAD = (
    # The noun is the first word of a technical term, not what the owner did: "Flink's fault
    # tolerance", "Cargo's error messages", "Clippy's error/warning format", "Oracle's garbage
    # collection", "the project's bug tracker". Not a rate or a count: "Dave's error rate" is
    # his.
    # The next word follows at once, after one space or a hyphen ("error - recovery took two
    # hours" is another clause), or after a word joined by a slash ("error/warning format").
    r"(?!(?<=fault)(?:[ \t]|-)(?:toleran\w*|injection|domains?|isolation|detection|handl\w*|zones?)\b)"
    r"(?!(?<=error)(?:/\w+)?(?:[ \t]|-)(?:messages?|format\w*|handl\w*|budgets?|codes?|output|"
    r"reporting|pages?|class\w*|types?|values?|responses?|correction|recovery|tracking|logs?|"
    r"paths?)\b)"
    r"(?!(?<=garbage)[ \t]collect\w*)"
    r"(?!(?<=bug)s?[ \t](?:trackers?|bount\w+|reports?|fix\w*|triage)\b)"
)
POSSESSIVE_TAIL = (
    r"(?<=\w)['\u2019]s?\s+(?:\w+\s+){0,2}?(?:"
    + NEG_ADJ
    + r"|"
    + BLAME_NOUNS
    + r"|oversight|error)\b"
    + _COMPOUND_HEAD
)


def _c(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


LESSON = _c(_LESSON)
LESSON_STOP = _c(
    r"(?P<but>\bbut\b)|(?P<past>" + _PAST + r"|\b(?:never|nobody|no\s+one|someone|somebody|anyone|"
    r"anybody|everyone|everybody)\b)|[.;!?](?!\S)|[|\n]"
)
"""Where _LESSON's look at the rest of a clause stops: its end (a full stop, "but"), or a word of
the past or of what people never do, which the lesson may not hold (group "past")."""
LESSON_VERB = _c(
    r"\b(?:is|are|isn['\u2019]t|aren['\u2019]t|seems?|looks?|remains?|(?:it|that|this|there)['\u2019]s)\b"
)
"""The verb in the present _LESSON looks for before the clause stops."""


_WRITERS_RESOLVE = _c(
    # "I" after "and" is one of several ("Dave and I need to be more careful"), but for a clause
    # of its own after a comma ("…, and I need to be more careful").
    r"\b(?:we|(?:(?<!\band\s)(?<!\bor\s)|(?<=,\sand\s))i)(?:['\u2019](?:re|ll|ve|d|m))?\s+"
    # A clause of the writers' own before the promise, joined by "and" ("we are sorry for the
    # disruption and promise to do better"): no one else its subject or asked anything in it.
    r"(?:(?:(?!\b(?:he|she|they|you|who|whom|which|that|and|or|but|expect\w*|ask\w*|tell|told|"
    r"telling|want\w*|remind\w*|warn\w*|urg\w*|requir\w*)\b)[^.;:!?\n]){1,50}?\band\s+"
    r"(?=(?:promise|promised|commit|committed|pledge|pledged|vow|vowed|will|shall|must|need|have|"
    r"had|hope|intend|aim|strive|plan|resolved|learned|learnt|are)\s))?"
    r"(?:(?:all|both|also|still|really|truly|just|always|"
    r"now|collectively|definitely|certainly|absolutely|need|needs|have|had|must|can|could|should|"
    r"would|will|shall|ought|are|am|was|were|been|to|promise|promised|commit|committed|pledge|"
    r"pledged|vow|vowed|going|strive|aim|try|tried|hope|intend|want|wanted|like|plan|planned|"
    r"decided|agreed|resolved|learn|learned|learnt|realised|realized|keep|continue|got|gotta|"
    r"['\u2019](?:ll|ve|re|d|m))\s+){0,5}$"
)
"""The writers, as who is to take the care or do better ("we have learned to be extra careful", "I
want to be more mindful", "I'll do better next time"): their own lesson or promise, said before
the words through auxiliaries and verbs of resolve alone, so that whoever else they ask it of
stands ("we expect responders to be more attentive", "we warned Dave to do better"), and so does
whoever the writer names beside themselves ("Dave and I need to be more careful"). A clause of
the writers' own may come first, joined by "and" ("we are sorry for the disruption and promise
to do better", "we misread the graph and need to be more careful with units")."""


_ADVICE = _c(
    # Asked of "you", or bidden with no subject where a sentence or a clause opens ("Be careful of
    # the software", "…, so be careful with emails"), with no "more": a warning of what can go
    # wrong, not a reproach of what went wrong ("be more careful").
    r"(?:(?:^|[.;:!?(\n])[\s>*_\-\"'\u201c\u2018]*|\b(?:so|then|though|but|and)[\s,]+|"
    r"\byou(?:['\u2019](?:ll|d|re))?\s+(?:(?:should|must|need|have|ought|will|would|may|might|"
    r"can|could|to|really|just|always|also|want|got)\s+){0,3})"
    r"(?:(?:please|just|always|also|do)[\s,]+)*"
    r"be\s+(?:very\s+|really\s+|extremely\s+|especially\s+|particularly\s+)?" + CARE + r"$"
)
"""Care bidden to the readers: "Be careful of the software, as it doesn't ask for confirmation",
"…, so be careful with emails asking you to sign in", "you need to be very careful to keep track
of it"; not "be more careful", nor care asked of someone named ("Engineers must be careful")."""
READERS = _c(r"\byou(?:rs?|rself|rselves)?\b")
"""The readers, spoken to: a warning of care is theirs only in a sentence that says "you"."""
HENCEFORTH = _c(
    r"\b(?:next\s+time|in\s+(?:the\s+)?future|from\s+now\s+on|going\s+forward|again|last\s+time|"
    r"or\s+else|or\s+you['\u2019](?:re|ll\s+be)\s+(?:out|fired|gone|done))\b|"
    r"\byou\s+(?:\w+ly\s+|just\s+)?(?:did|broke|took|made|forgot|ran|left|lost|let|caught|"
    r"sent|brought|[a-z]+[^e\W]ed)\b"
)
"""Care bidden for the next time, after what "you" did or under a threat is a reproach of the
last ("Be careful with your config next time", "Be careful with prod, since you took it
down", "…, or you're out"), whoever it is said to."""
OWN_DOINGS = _c(
    r"\s*(?:[.!]|$)|\s+(?:(?:when|while|before|whenever|if|after|as|once|until)\s+(?:you|your)\b|"
    r"(?:with|of|about|around|on|in|during)\s+(?:(?:all|any|every)\s+)?(?:your\b|what(?:ever)?\s+"
    r"you\b|(?:the\s+)?(?:prod|production|deploys?|deployments?|releases?|changes|commits|merges|"
    r"migrations?|scripts?|configs?|configuration|code|rollouts?|pushes|force[\s-]pushes|prs|"
    r"pull\s+requests|reviews?|commands)\b)|"
    r"to\s+(?:test|check|double-check|review|verify|read|run|follow)\b)"
)
"""After care bidden to "you", nothing ("You need to be careful.") or what the readers
themselves do ("be careful when you deploy", "…with your deploys", "…with prod", "…to test"): a
reproach, not a warning of what can go wrong."""


_CARE = (
    r"\bbe\s+(?:more\s+|extra\s+|very\s+|(?:much|far|a\s+lot|a\s+bit|a\s+little)\s+more\s+)?"
    + CARE
    + r"\b|\btake\s+(?:more|extra|greater|better)\s+care\b|"
    r"\bpay\s+(?:more|closer|better|extra|greater|proper)\s+attention\b"
)
"""Care asked of whoever takes it: "be more careful", "take more care", "pay closer attention"."""
_BETTER = r"\b(?:try\s+harder|do\s+better)\b"
"""Doing better asked of whoever takes it."""
_OWN_CARE = _c(_CARE + "|" + _BETTER)


_UNLIKE = (
    r"unlike\s+(?:(?:some|certain|other|a\s+few|most|many)\s+(?:of\s+(?:my|our|the)\s+)?"
    r"(?:people|folks|individuals|engineers|developers|devs|team\s*members|teammates|colleagues|"
    r"co-?workers)|(?:some|a\s+few|most|many)\s+of\s+(?:us|you|them|the\s+team)|"
    r"the\s+rest\s+of\s+(?:you|us|the\s+team)|others\s+(?:on|in)\s+(?:this|the|my|our)\s+team)"
    r"\b(?!['\u2019])(?!\s+(?:\w+\s+)?(?:expect|expected|assume|assumed|think|thought|believe|"
    r"believed|suppose|supposed|fear|feared|claim|claimed|say|said|suggest|suggested|report|"
    r"reported|might|may|would|will)\b)"
)
"""People left unnamed whom the writers set themselves against ("unlike some people", "unlike
the rest of you"); not what they think ("unlike some people expect") nor own ("unlike some
developers' laptops")."""


def writers_resolve(low: str) -> bool:
    """The care or doing better that the lower-cased sentence asks for is all the writers' own
    lesson or promise, said through auxiliaries and verbs of resolve alone (see
    _WRITERS_RESOLVE): "I need to be more careful with my own release checklist", "we'll do
    better"; not "I need to be more careful, and the night shift needs to be far more
    careful"."""
    found = [match.start() for match in _OWN_CARE.finditer(low)]
    return bool(found) and all(
        _WRITERS_RESOLVE.search(low, max(0, start - 60), start) is not None for start in found
    )


_OTHERS_AFTER = re.compile(
    r"\b(?:their|his|her|them|they|he|she|you|your|anyone|everyone|everybody|whoever|people|"
    r"someone|somebody|others)\b|"
    r"\b(?:what|whatever|whoever|whichever|anything|everything|who|when|whenever|if|once)\s+"
    r"(?:the|a|an|any|some|those|these|that|this|every)\s"
)
"""Words after the care that may bring in someone besides the writers: a pronoun for others
("what they push"), or a clause whose subject is someone no list may name ("whatever the night
shift merges"); "to double-check the region" brings in no one."""


def resolve_of_own(low: str) -> bool:
    """writers_resolve(), and what follows the last care asked is only the writers' own: nothing,
    or words that name nobody else ("I need to be more careful with my own release
    checklist"), for the model to stand down on; not "we need to be more careful with whatever
    the night shift merges", whose group no list may name."""
    if not writers_resolve(low):
        return False
    end = max(match.end() for match in _OWN_CARE.finditer(low))
    return _OTHERS_AFTER.search(low, end) is None


_CARE_REJECTED = _c(
    r"(?:\bnot\s+(?:a|an|the)\s+(?:\w+\s+)?(?:reminder|answer|fix|lesson|solution)\s+to\s+|"
    r"\b(?:not|never)\s+(?!just\b)(?:\w+\s+)?(?:asking|telling|expecting)\s+(?:\w+\s+){1,3}?"
    r"to\s+)[\"'\u201c\u2018]?(?:(?:be\s+)?(?:more\s+|extra\s+|very\s+)?"
    + CARE
    + r"|take\s+(?:more|extra|greater|better)\s+care|"
    r"pay\s+(?:more|closer|better|extra|greater)\s+attention)\b"
    # ... unless a punishment stands beside it ("…, and Dave will be held accountable").
    r"(?![^.;!?\n]{0,300}\b(?:held\s+(?:accountable|responsible)|consequences|fired|sacked|"
    r"disciplin\w*|punish\w*|written\s+up|warning)\b)|"
    r"\b(?:telling|asking|reminding)\s+(?:\w+\s+){1,3}?to\s+[\"'\u201c\u2018]?(?:\w+\s+){0,3}?"
    r"(?:careful|vigilant|attention)\W+(?:\w+\s+){0,2}?(?:won['\u2019]t|will\s+not|would\s+not|"
    r"wouldn['\u2019]t|doesn['\u2019]t|does\s+not|isn['\u2019]t|is\s+not|cannot|can['\u2019]t)\b|"
    r"\b(?:nobody|no\s+one)\s+(?:named\s+(?:here|in\s+\w+(?:\s+\w+)?)\s+)?(?:is|was|will\s+be)\s+"
    r"(?:being\s+)?held\b|"
    r"\bwrong\s+lesson\b"
)
"""Care or accountability named in order to be rejected: "the fix is a version check, not a
reminder to be careful", "telling engineers to be more careful would not have prevented this",
"we are not asking maintainers to 'be more careful'", "nobody named here is held responsible"."""


_REFUSED = _c(
    # Who refuses, then the refusal, with at most an auxiliary between them ("we cannot afford not
    # to fire Dave" refuses nothing); a condition ("if we don't…") is no refusal, nor is a question
    # (see Check.refusal).
    r"(?<![\w'\u2019-])(?<!\bif\s)(?<!\bunless\s)(?<!\bwhen\s)"
    r"(?:(?:we|i|they|management|leadership|the\s+company)(?:['\u2019](?:m|re|ll|d))?\s+"
    r"(?:(?:(?:am|are|is|was|were|will|would|shall|should|do|does|did|have|has|had|decided|chose|"
    r"agreed|plan|plans|intend|intends)\s+)?(?:not|never)|\w*n['\u2019]t)\s+"
    # Or no one at all: "nobody is going to fire anyone", "no one will discipline the intern".
    r"|(?:nobody|no[\s-]one)\s+(?:(?:is|was|will|would|shall|should|wants|wanted|plans|intends|"
    r"needs)\s+)?)"
    r"(?:(?:going|planning|intending|looking|seeking|want|wants|plan|plans|intend|intends|need|"
    r"needs|to|be)\s+){0,3}$"
)
"""The refusal of BL009's checks of punishment: a punishment refused is no action item ("we are
not going to fire the developer", "we decided not to discipline the engineer", "nobody is going
to fire anyone"); put as a condition or a question it still is one ("if we don't fire the
intern, ...", "why on earth are we not going to fire the developer?")."""


_OPENING = r"(?:^\s*|(?<=^[-*+>]\s)|(?<=^\*\*)|(?<=[.;:!?|])\s*)"
"""Where a sentence opens: the start of the text or of a list item or quotation there, after
emphasis that opens it, after a sentence's end or at a table cell's edge. The marker is no part
of a match: a hit starts where its words do."""
_OPENING_MARKED = r"(?:^[\s>*+\-]*(?:\[[ xX]\]\s+)?(?:\d+[.)]\s+)?|(?<=[.;:!?|])\s*)"
"""_OPENING with the marker taken in, so that nested, task and numbered list items open a sentence
too: for a check whose hit is a named group after it (see Check.span)."""

CHECKS: tuple[Check, ...] = (
    # BL001/BL008: someone as the agent of a damaging change.
    Check(_c(r"\b" + JUDGE_VERB), "BL001", wordset(JUDGE_WORDS), "before", JUDGE_CODES),
    Check(_c(r"\b" + CAUSE_VERB), "BL001", wordset(CAUSE_WORDS), "before", PERSON_CODES),
    Check(
        _c(r"\b" + WEAK_VERB + r"\b(?:(?!\band\b)[^.;:!?|\n]){0,40}?\b" + NEG_ADJ + r"\b"),
        "BL001",
        wordset(WEAK_WORDS),
        "before",
        PERSON_CODES,
        requires=(wordset(NEG_WORDS),),  # every match ends in a negative adjective
    ),
    Check(
        _c(
            # The nearest past-tense verb before "without" is the one whose subject matters.
            r"\b\w+ed\s+(?:(?!\w+ed\s)\w+\s+){0,4}?without\s+(?:any\s+|first\s+|even\s+)?(?:testing|tests|review|reviewing|checking|"
            r"telling|asking|approval|a\s+review|looking|waiting|verifying|reading|running|consulting|notifying|"
            r"confirming|validating|warning|double-checking)\b"
        ),
        "BL001",
        wordset("without"),
        "before",
        PERSON_CODES,
    ),
    Check(
        _c(POSSESSIVE_TAIL),
        "BL001",
        wordset(
            # The noun after the possessive, not the "s" of every possessive.
            NEG_WORDS + " fault blunder screw oversight negligence "
            "carelessness incompetence error fuck cock"
        ),
        "before",
        PERSON_CODES,
        skip_adverbs=False,
        literal="'\u2019",  # the apostrophe of the possessive
    ),
    Check(
        _c(
            r"(?<=\w)['\u2019]s?\s+(?:\w+\s+){0,2}?(?:change|commit|push|deploy|deployment|pr|pull\s+request|script|"
            r"migration|query|patch|config|edit|code)\s+(?:\w+\s+){0,4}?(?:(?:is|was)\s+what\s+)?(?:caused|broke|took\s+down|"
            r"triggered|brought\s+down|led\s+to|resulted\s+in|is\s+to\s+blame|was\s+to\s+blame)\b"
        ),
        "BL001",
        wordset("caused broke took triggered brought led resulted blame"),
        "before",
        PERSON_CODES,
        skip_adverbs=False,
        literal="'\u2019",  # the apostrophe of the possessive
    ),
    Check(
        _c(
            r"\b(?:caused\s+by|because\s+of|due\s+to|blame|blamed\s+on|fault\s+of|lies\s+with|rests\s+with|"
            r"lay\s+with|traced?\s+(?:back\s+)?to|traces\s+back\s+to|comes?\s+down\s+to)\s+"
            r"(?:the\s+|our\s+|that\s+)?" + AGENT
        ),
        "BL001",
        wordset(
            "caused because due blame blamed fault lies rests lay trace traced traces comes come"
        ),
        "group",
        PERSON_CODES,
        span="agent",
        # What is down or crash-looping is a system, however it is capitalised ("due to Concourse
        # being down", "because of Quay being degraded"); a person down somewhere ("down at the
        # pub", "down in the basement") is not.
        after_veto=_c(
            r"(?:\s+(?:being|was|were|is|are|went))?\s+(?:down(?!\s+(?:at|in|on|to|by|with|the|a|an|"
            r"there|here|for|from|near|under|and)\b)|degraded|unhealthy|crash-?looping|"
            r"out\s+of\s+(?:memory|disk|space))\b"
        ),
    ),
    Check(
        _c(
            r"\b" + NEG_ADJ + r"\b[^.;!?|\n]{0,60}?\b(?:was|were|got|had\s+been|been)\s+(?:\w+\s+)?"
            r"(?:pushed|deployed|merged|shipped|committed|written|approved|introduced|made|applied|"
            r"run|entered|typed|added)\s+by\s+(?:the\s+)?" + AGENT
        ),
        "BL001",
        wordset(NEG_WORDS),
        "group",
        PERSON_CODES,
        span="agent",
        requires=(wordset("was were got been"), wordset("by")),  # "... was pushed by ..."
    ),
    Check(
        _c(
            r"\b(?:caused|broken|misconfigured|botched|introduced|deleted|wiped)\s+by\s+(?:the\s+)?"
            + AGENT
        ),
        "BL001",
        wordset("caused broken misconfigured botched introduced deleted wiped"),
        "group",
        PERSON_CODES,
        span="agent",
    ),
    # Ordinary operations that read as blame only with a named person as the subject: "they took
    # the nodes out of rotation" and "the database team dropped the old index" are routine, and
    # so is one done for a purpose said right after it ("Ifeoma took the server offline to
    # contain the breach", "Sione took the form offline for 20 minutes so that ...").
    Check(
        _c(
            r"\b(?:(?:took|brought|knocked)\s+(?:the\s+|our\s+|all\s+|every\s+)?(?:\w+\s+){1,2}?"
            r"(?:down|offline|over)|(?:deleted|wiped|erased|destroyed|disabled|dropped)\s+(?:the|our|all|every|"
            r"a|an)\s+(?:\w+\s+)?\w+)\b"
        ),
        "BL001",
        wordset("took brought knocked deleted wiped erased destroyed disabled dropped"),
        "before",
        (("person", "BL001"), ("singled", "BL001")),
        after_veto=_c(
            r"(?:\s+(?:at|on|for|within|after)\s+[^,;.!?]{1,25}?)?,?\s+(?:(?:in\s+order\s+)?to\s+"
            r"(?:contain|stop|protect|isolate|prevent|preserve|limit|let|allow|finish|rebuild|repair|"
            r"patch|investigate|clean|drain|restore|free|reclaim|unblock|recover|resume|relieve|"
            r"release|reset)|so\s+(?:that\s+)?(?:(?:the|it|we|they|no)\b|"
            # ... or what could then happen: not what no one could, or what could not.
            r"(?!(?:nobody|none|nothing|no\s+one)\b)(?:[\w-]+\s+){1,3}?"
            r"(?:could|can|would|will|might)\b(?!\s+(?:not|never|no\s+longer)\b)))"
        ),
    ),
    # Letting a bad change through is blame for a person, a pronoun or a team.
    Check(
        _c(
            r"\blet\s+(?:the\s+|this\s+|that\s+|an?\s+|it\s+)?(?:\w+\s+){0,2}?(?:through|slip|sit|rot|languish|"
            r"lapse)\b"
        ),
        "BL001",
        wordset("through slip sit rot languish lapse"),
        "before",
        PERSON_CODES,
    ),
    # A person or team named as the cause itself: "Root cause: Mark ran...", "the culprit was Ingrid".
    Check(
        _c(r"\bculprit\s*(?::|-|=|\bwas\b|\bis\b)\s*(?:the\s+|our\s+)?" + AGENT),
        "BL001",
        wordset("culprit"),
        "group",
        PERSON_CODES,
        span="agent",
    ),
    # After "root cause" a name counts only as the subject of an action a person takes, so
    # "Root cause: Quicksilver propagated ..." is left alone.
    Check(
        _c(
            r"\b(?:root\s+cause|cause)\s*(?::|-|=|\bwas\b|\bis\b)\s*(?:the\s+|our\s+)?"
            r"(?P<agent>(?:@|[^\W\d_])[\w'\u2019.\-]*)\s+(?:\w+ly\s+)?(?:"
            + WEAK_VERB
            + r"|deleted|broke|forgot|skipped|"
            r"ignored|disabled|dropped|removed|wiped|misconfigured|mistyped)\b"
        ),
        "BL001",
        wordset("cause"),
        "group",
        PERSON_CODES,
        span="agent",
    ),
    # Cleft sentences single out the agent: "it was Bill who deleted the zone".
    Check(
        _c(
            r"\bit\s+(?:was|is)\s+(?:the\s+)?" + AGENT + r"\s+(?:who|that)\s+(?:\w+\s+)?"
            r"(?:deleted|broke|pushed|merged|caused|disabled|dropped|wiped|removed|ran|deployed|shipped|"
            r"approved|forgot|skipped|ignored|changed|introduced|misconfigured|took)\b"
        ),
        "BL001",
        wordset("who"),
        "group",
        PERSON_CODES,
        span="agent",
    ),
    # "Who deleted the bucket?": a question that hunts for the person, where a sentence, a list
    # item (a task's too), a quotation or a table cell opens. In the present tense it is a
    # question about the process ("Who approves schema changes?", "Who restarts the batch
    # workers on Sunday?") unless it is asked rhetorically: "Who in their right mind deploys on a
    # Friday?", "Who on earth…", "And honestly, who restarts a bridge at 19:00 without a word to
    # anyone?". Which component restarted or rebooted something is a question about the system
    # ("Who restarted the pods, the kubelet or the operator?"). The finding starts at "Who"; a
    # question ends within its cell.
    Check(
        _c(
            r"(?:"
            + _OPENING_MARKED
            + r"|(?:(?<=honestly,\s)|(?<=honestly\s)|(?<=seriously,\s)|(?<=seriously\s))(?P<asking>))"
            r"(?P<asked>who\s+(?:(?P<rhetorical>in\s+(?:their|the)\s+right\s+minds?|on\s+earth)\s+|\w+\s+)?"
            r"(?:deleted|broke|pushed|merged|caused|disabled|dropped|wiped|removed|ran|deployed|shipped|"
            r"approved|forgot|skipped|ignored|changed|introduced|misconfigured|decided|"
            r"is\s+responsible|was\s+responsible|"
            r"(?(asking)|(?(rhetorical)|(?!)))"
            r"(?:deletes|breaks|pushes|merges|disables|drops|wipes|removes|runs|deploys|ships|approves|"
            r"skips|ignores|changes|decides|restarts|reboots|schedules|starts|reads))\b[^.;!?|]*\?)"
        ),
        "BL001",
        wordset("who"),
        span="asked",
    ),
    # "responsible for this incident" with a person or team as the subject.
    Check(
        _c(
            r"\b(?:is|are|was|were|be)\s+(?:solely\s+|entirely\s+|fully\s+|directly\s+|wholly\s+|ultimately\s+)?"
            r"responsible\s+for\s+(?:the|this|that|today['\u2019]s|yesterday['\u2019]s|another|our)\s+"
            r"(?:\w+\s+)?(?:outage|incident|failure|downtime|breakage|mess|disaster|data\s+loss|problem)\b"
            r"(?!\s+(?:response|review|report|retrospective|postmortem|communications?|comms|updates?|process|"
            r"channel|bridge|management|command))"
        ),
        "BL001",
        wordset("responsible"),
        "before",
        PERSON_CODES,
    ),
    # BL005 also covers a person given as the root cause: the finding is who, or the error
    # ("'the intern' is not a cause", "'human error' is not a cause").
    Check(
        _c(
            r"\b(?:root\s+cause|cause)\s*(?::|was|is|=)\s*(?P<cause>(?:the\s+|an?\s+|our\s+)?"
            r"(?:engineer|developer|operator|intern|on-?call|person|human|admin|individual|contractor|dba)s?\b"
            r"(?:\s+(?:errors?|mistakes?)\b)?)"
        ),
        "BL005",
        wordset("cause"),
        span="cause",
        names_words=True,
        # "Not a root cause: the individual who approved the plan": denied before the words it
        # underlines, where the clause's own denials (engine._suspended) no longer look.
        veto=NEGATED,
    ),
    # BL002: counterfactuals aimed at people.
    Check(
        _c(r"\b" + CF_VERB),
        "BL002",
        wordset(CF_WORDS),
        "before",
        CF_CODES,
        # A decision given with its reasons, which are the situation's ("The team decided not to
        # purge the CDN, since a purge would have sent every request to the origin", "@emi
        # decided not to page the second on-call, judging the alert to be a known flaky
        # check"): a decision described, as a blameless review describes them. Reasons that are
        # the person's ("... because he was in a hurry", "because they found them boring",
        # "because it was tedious") are no such thing.
        after_veto=_c(
            # The reasons follow the decision itself, not a clause after it ("…, and the site
            # stayed down until 9am", "…and instead improvised").
            r"(?<=not\sto)(?=(?:(?!\band\b)[^.;!?\n]){0,200}?(?:,\s*|\s)(?:because|since|so\s+that|"
            r"to\s+(?:avoid|protect|prevent|keep)|accepting|judging|reasoning|expecting)\b)"
            r"(?![^.;!?\n]{0,300}?\b(?:he|she|they|him|her|them|his|hers|their|theirs|"
            r"lazy|boring|tedious|annoying|hassle|paperwork|effort|hurry|tired|busy|bother\w*|felt|"
            r"feel|wanted|liked?)\b)"
        ),
    ),
    Check(
        _c(
            r"\bif\s+only\s+(?:the\s+|a\s+|an\s+|our\s+|that\s+)?"
            + AGENT
            + r"\s+(?:had|would|were|was|did)\b"
        ),
        "BL002",
        wordset("only"),
        "group",
        CF_CODES,
    ),
    Check(_c(r"\b(?:his|her|their)\s+failure\s+to\b"), "BL002", wordset("failure")),
    # "Had Tom just followed the checklist", "if he had actually read the diff".
    Check(
        _c(
            r"(?:(?:"
            + _OPENING
            + r")had|\bif)\s+(?:the\s+|an?\s+|our\s+|that\s+)?(?P<agent>(?:@|[^\W\d_])[\w'\u2019.\-]*)"
            r"(?:\s+(?P<agent2>engineer|developer|operator|reviewer|author|team|person|responder|admin))?"
            r"\s+(?:had\s+)?(?:just|only|simply|actually|even|properly|bothered\s+to|taken\s+the\s+time\s+to)\s+"
            r"(?!been\b)\w+"
        ),
        "BL002",
        wordset("just only simply actually even properly bothered taken"),
        "group",
        CF_CODES,
        requires=(wordset("had if"),),  # every match starts with one of them
    ),
    Check(
        _c(
            # "had" first, a quick test at each character before the openings' lookbehinds; the
            # blanks before it are read from the first one only, or a long run of them is read
            # again from each (200,000 spaces after "had" took half a minute).
            r"(?=had\s|(?<!\s)\s+had\s)"
            + _OPENING
            + r"had\s+(?P<agent>(?:@|[^\W\d_])[\w'\u2019.\-]*)\s+(?!been\b|had\b|known\b)"
            r"(?:\w+ed|read|run|done|made|taken|thought|asked)\b"
        ),
        "BL002",
        wordset("had"),
        "group",
        (("person", "BL002"), ("pronoun", "BL002"), ("singled", "BL002")),
    ),
    Check(
        _c(
            r"\bwhy\s+(?:didn['\u2019]t|did\s+not|wasn['\u2019]t|weren['\u2019]t|hadn['\u2019]t|couldn['\u2019]t|"
            r"wouldn['\u2019]t|did\s+nobody|did\s+no\s+one)\s+(?:the\s+|our\s+|that\s+)?" + AGENT
        ),
        "BL002",
        wordset("why"),
        "group",
        CF_CODES,
    ),
    # BL003: hindsight. Not what was seen at the time: "nothing obviously wrong in the logs",
    # "not seeing anything *obviously* amiss" ("something obviously critical" still is).
    Check(
        _c(r"\bobviously\b"),
        "BL003",
        wordset("obviously"),
        droppable=True,
        veto=_c(r"\b(?:nothing|anything|no)[\s*_~]*$"),
        discourse=True,
    ),
    Check(
        _c(
            r"\b(?:(?:it|this|that|which|they)\s+(?:was|is|were|seemed|should\s+have\s+been|must\s+have\s+been|"
            r"had\s+been)|it['\u2019]s|was)\s+(?:so\s+|very\s+|painfully\s+|blindingly\s+|completely\s+|totally\s+|"
            r"pretty\s+)?obvious\b|"
            r"\b(?:so|blindingly|painfully|glaringly|completely|totally)\s+obvious\b|"
            r"\bobvious\s+(?:mistake|error|typo|oversight|bug|problem|flaw|thing|failure|omission|signs?)\b|"
            r"\bobvious\s+to\s+(?:anyone|everyone|anybody|all)\b"
        ),
        "BL003",
        wordset("obvious"),
    ),
    Check(
        _c(
            r"\bclearly\s+(?:should|shouldn|was\s+(?:not|wrong|a\s+mistake|broken)|nobody|no\s+one|never|"
            r"didn|did\s+not|had\s+no|wasn|failed|ignored|someone|they|he|she|have|would|could|"
            r"wrong|a\s+mistake|not\b" + _NOT_A_DEED + r")\b"
        ),
        "BL003",
        wordset("clearly"),
        discourse=True,
        of_a_thing=_c(_NOT_A_THING),
    ),
    Check(
        _c(
            r"\b(?:any(?:one|body)|every(?:one|body)|any\s+(?:\w+\s+)?(?:engineer|person|developer|one|sre|"
            r"admin|operator|reviewer|human))\s+(?:\w+\s+)?(?:would|could|should|must)\s+(?:have\s+)?"
            r"(?:\w+\s+)?(?:known|seen|noticed|spotted|caught|realised|realized|guessed|predicted|understood|"
            r"figured|told|foreseen)\b"
        ),
        "BL003",
        wordset("any anyone anybody everyone everybody"),
    ),
    Check(
        _c(
            r"(?P<lead>\b(?:in\s+hindsight|in\s+retrospect|with\s+hindsight|looking\s+back|with\s+the\s+"
            r"benefit\s+of\s+hindsight)\b)(?:[^.;!?|\n]{0,30}?\b(?:obvious(?:ly)?|clear(?:ly)?|evident|"
            r"plain|apparent)\b|"
            # "In hindsight the runbook should have...": a gap in an artefact, seen afterwards. A
            # person or a role there is still a counterfactual (BL002).
            # Nor is the organisation's own lesson ("In hindsight, we should have done many small
            # releases"), unless what it should have done is to know or see it coming; whom it
            # should have punished is BL009's ("...we should have fired Dave").
            r",?\s++(?!(?:the|our|this|that|these|those|its|an?)\s|we\s+(?!" + _FORESAW + r"))"
            r"[^.;!?|\n]{0,30}?\bshould\b)"
        ),
        "BL003",
        wordset("hindsight retrospect looking"),
        lesson=LESSON,
    ),
    Check(
        _c(r"\b(?:needless\s+to\s+say|it\s+goes\s+without\s+saying)\b"),
        "BL003",
        wordset("needless goes"),
        discourse=True,
    ),
    Check(
        _c(
            r"\b(?:plain\s+to\s+see|as\s+anyone\s+(?:can|could|"
            r"would)\s+(?:see|tell)|should\s+have\s+been\s+(?:obvious|clear|apparent|evident)|"
            r"(?:clear|evident|apparent)\s+to\s+(?:anyone|everyone|anybody)|easily\s+(?:avoid|prevent)(?:ed|able)|"
            r"(?:would|could)\s+(?:clearly|obviously|easily)\s+have\s+(?:prevented|caught|avoided|been\s+avoided)|"
            r"(?:simple|quick|basic|five-minute|two-minute|one-minute|cursory)\s+(?:check|test|look|glance)\s+"
            r"would\s+have)\b"
        ),
        "BL003",
        wordset("plain anyone should clear evident apparent easily clearly obviously would"),
    ),
    # Foreknowledge attributed to everyone: "everyone knows you don't", "even a junior would have".
    Check(
        _c(
            r"\b(?:every(?:one|body)|we\s+all|any(?:one|body)|any\s+fool)\s+knows?\s+(?!who\b|how\s+to\s+reach)"
            r"(?:that\s+|you\s+|not\s+to\b|better\b|not\s+|never\b)|\bcommon\s+sense\b|\bas\s+we\s+all\s+know\b|"
            r"\beven\s+an?\s+(?:\w+\s+){0,2}?(?:engineer|person|developer|intern|child|junior|newbie|beginner|"
            r"student|trainee|monkey|toddler|grandmother|grandma|five-year-old)s?\s+(?:\w+\s+)?(?:would|could|"
            r"should)(?:\s+have|['\u2019]ve)\b|"
            r"\bit\s+(?:was|is|should\s+have\s+been)\s+(?:abundantly\s+|perfectly\s+|crystal\s+|very\s+|so\s+)?clear\s+"
            r"(?:from\s+the\s+(?:start|outset|beginning)\s+|beforehand\s+|in\s+advance\s+)?that\b[^.;!?|\n]{0,60}?"
            r"\b(?:dangerous|risky|unsafe|a\s+bad\s+idea|a\s+mistake|wrong|reckless|doomed|going\s+to\s+(?:fail|break))\b"
        ),
        "BL003",
        wordset("knows know sense even clear"),
    ),
    # BL004: judgmental words about people or their work.
    Check(
        _c(
            r"\b(?:careless(?:ly|ness)?|sloppy(?!\s+quorums?\b)|sloppily|sloppiness|incompeten(?:t|ce|tly)|reckless(?:ly|ness)?|"
            r"stupid(?:ly|ity)?|negligen(?:t|ce|tly)|clueless(?:ness)?|idiot(?:s|ic|ically)?|moron(?:s|ic)?|"
            r"amateur(?:s|ish)?(?!\s+(?:radio|astronom|satellite|ham)\w*)|inept(?:itude|ly)?|foolish(?:ly|ness)?|boneheaded|bonehead|brainless|"
            r"half-?assed|irresponsib(?:le|ly|ility)|thoughtless(?:ly|ness)?|unprofessional(?:ly)?|shoddy|"
            r"shoddily|lousy|clumsy|clumsily|noob|n00b|dunce|inexcusable|unforgivable|slapdash|"
            r"lackadaisical|complacen(?:t|cy)|pathetic|halfwit|nitwit|numpty|muppet|buffoon|daft|"
            r"asleep\s+at\s+the\s+wheel|cowboys?|rookie\s+(?:mistake|error|move)|silly\s+(?:mistake|error)|"
            r"dropped\s+the\s+ball|dereliction|lapse\s+in\s+judge?ment|(?:poor|bad)\s+judge?ment|"
            r"useless\s+(?:engineer|developer|person|people|team|reviewer|on-?call|admin)s?|"
            r"embarrassing(?:ly)?|ignoran(?:t|ce)|bungl(?:ed|ing)|inattentive(?:ly|ness)?|inattention|heedless(?:ly)?|"
            r"absent-?minded(?:ly|ness)?|cavalier|dim-?witted|dimwits?|bozos?|hack\s+job|lax\s+attitude|"
            r"half-?hearted(?:ly)?|unqualified|incapable|half\s+a\s+brain|(?:two|three|few)\s+brain\s+cells)\b"
        ),
        "BL004",
        wordset(
            "careless carelessly carelessness sloppy sloppily sloppiness incompetent incompetence incompetently "
            "reckless recklessly recklessness stupid stupidly stupidity negligent negligence negligently "
            "clueless cluelessness idiot idiots idiotic idiotically moron morons moronic amateur amateurs "
            "amateurish inept ineptitude ineptly foolish foolishly foolishness boneheaded bonehead brainless "
            "half assed halfassed irresponsible irresponsibly irresponsibility thoughtless thoughtlessly "
            "thoughtlessness unprofessional unprofessionally shoddy shoddily lousy clumsy clumsily noob n "
            "dunce inexcusable unforgivable slapdash lackadaisical complacent complacency pathetic halfwit "
            "nitwit numpty muppet buffoon daft asleep cowboy cowboys rookie silly dropped dereliction lapse "
            "poor bad useless embarrassing embarrassingly ignorant ignorance bungled bungling inattentive "
            "inattentively inattentiveness inattention heedless heedlessly absent absentminded absentmindedly "
            "absentmindedness cavalier dim dimwitted dimwit dimwits bozo bozos hack attitude halfhearted "
            "halfheartedly hearted heartedly unqualified incapable brain"
        ),
        # Denied, not said: "this was not a careless technician", "did nothing careless" (but
        # "not just careless", "couldn't have been more careless"). Nor is the organisation's
        # own judgement of itself ("we dropped the ball", "we got complacent", "our team was
        # sloppy"), which owns the failure and names no one.
        veto=_c(
            r"(?:\bnot|n['\u2019]t|\bnothing|\bnever)\s+"
            r"(?:(?:a|an|being|been|someone|anyone|anybody|somebody)\s+){0,2}$|"
            r"(?<![\w'\u2019])(?:we|our\s+(?:team|company|organi[sz]ation))\s+"
            r"(?:(?:were|was|are|got|have\s+been|had\s+been|became|really|totally|completely|"
            r"simply|just)\s+){0,2}$"
        ),
        # 'We are not recording "carelessness" here', 'we avoided words like "sloppy"' (but
        # 'Dave was, in a word, "careless".', 'the night shift was "negligent"').
        mention_cue=_c(
            r"\b(?:not|no|never|nothing|nobody|none)\b|n['\u2019]t\b|(?<!in a )\b(?:words?|terms?|phrases?|"
            r"labels?|such\s+as|describ\w*|suggest\w*|record\w*|reject\w*|avoid\w*|remov\w*|"
            r"struck|strike|withdr[ae]w\w*)\b"
        ),
    ),
    Check(
        _c(
            r"\blaz(?:y|ily|iness)\b(?!(?:[-_]|\s+)(?:load|loading|loaded|evaluat|eval|init|iterat|seq|val|static|"
            r"import|bind|fetch|mode|list|propert|attribute|field|relation|column|quantifier|match|consumer|"
            r"populat|built|build|comput|instantiat|resolv|allocat|decod|normali|constraint|pars|"
            r"seriali|deseriali|stream|on\s+demand))"
        ),
        "BL004",
        wordset("lazy lazily laziness"),
        # "lazy: true", "set to lazy"; and how a program's work is done ("the index is loaded
        # lazily", "it evaluates lazily", "which initialises lazily"), by verbs of programs
        # only, whole words (not "the reviewers read lazily", "our executives lazily").
        veto=_c(
            r"(?:\bto|\bas|=|:|\bset|\b(?:load|evaluat|initiali[sz]|comput|fetch|import|resolv|"
            r"instantiat|allocat|decod|pars|render|stream|bind|bound|creat|construct|populat|"
            r"build|built|generat|execut|invok|mount|compil|link|cach|materiali[sz]|"
            r"deseriali[sz]|seriali[sz]|appl|iterat|refresh|updat|flush|sync|evict|reload|"
            r"spawn|connect|expand|decompress|hydrat|register|index)"
            r"(?:e|es|ed|ing|s|d|ied|ies|y)?)\s*$"
        ),
    ),
    Check(
        _c(
            r"\bdumb(?:est|er)?\b(?!\s+(?:terminal|pipe|switch|client|device|proxy|phone|hub|node|storage|"
            r"endpoint)s?\b)"
        ),
        "BL004",
        wordset("dumb dumbest dumber"),
    ),
    # BL005: human error as the cause.
    Check(
        _c(
            # "user errors" are errors users saw; "user error" is the blame idiom.
            r"\b(?:(?:human|operator|pilot|personnel|engineer|people)\s+errors?|user\s+error)\b"
            r"(?!\s+(?:code|message|response|status|page|rate|class|type|handling|handler|path)s?\b)|"
            r"\bhuman\s+(?:mistakes?|slips?|lapses?|blunders?|failings?)\b|\bpersonal\s+(?:errors?|mistakes?)\b|\bpebkac\b|\bpebcak\b|\bid-?10-?t\b|\blayer[\s-]*8\s+(?:issue|problem|error|failure)\b|"
            r"\bfat[\s-]finger(?:ed|ing|s)?\b|\bfinger\s+trouble\b"
        ),
        "BL005",
        wordset(
            "error errors pebkac pebcak id layer fat finger mistake mistakes slip slips lapse lapses "
            "blunder blunders failing failings"
        ),
        requires=(
            # The first word of each alternative: "error" alone is common in postmortems.
            wordset(
                "human operator user pilot personnel engineer people personal pebkac pebcak id "
                "layer fat finger"
            ),
        ),
        veto=_c(
            r"(?:reduc\w*|eliminat\w*|remov\w*|prevent\w*|avoid\w*|minimi[sz]\w*|opportunit\w+\s+for|risk\s+of|"
            r"chances?\s+of|prone\s+to|susceptib\w+\s+to|guard\w*\s+against|resilien\w+\s+to|likelihood\s+of|"
            r"possibilit\w+\s+of|room\s+for|scope\s+for|less|without|mitigat\w*|protect\w*\s+against|"
            r"return\w*\s+(?:a|an)|not|isn['\u2019]t|wasn['\u2019]t|rather\s+than|instead\s+of|blam\w+\s+on)"
            r"\s+(?:\w+\s+){0,3}$|"
            # Someone else's word for it, reported directly before it: "some people called this
            # human error", "if we file this under operator error", "the first draft said".
            r"\b(?:call(?:ed|s|ing)\s+(?:this|it|that)|(?:file|filed|put)\s+(?:this|it)\s+"
            r"(?:under|down\s+to)|first\s+draft\s+(?:said|called)|asked\s+(?:if|whether)\s+"
            r"(?:this|it)\s+was|declin\w*\s+to\s+(?:call|describe|treat|classify)\s+(?:this|it|"
            r"the\s+\w+)\s+as)\s+(?:(?:a|an)\s+)?$"
        ),
        # "'Human error' is not a root cause": named in order to be rejected; or rejected by
        # the next sentence or clause ("…describe this as human error. That explanation is
        # wrong", "…attributes it to operator error; the department does not accept that",
        # "**Human error?** It came up, but we do not accept it").
        after_veto=_c(
            r"\s*(?:(?:is|was|are|were)(?:\s+(?:not|never|no\s+longer)\b|n['\u2019]t\b)|"
            r"explains?\s+nothing|would\s+(?:hide|explain\s+nothing|teach\s+us\s+nothing))|"
            # Within a few hundred characters, so that a line of many matches stays linear.
            r"[^.;!?\n]{0,300}[.;?][*_]*\s+(?:(?:that|this)\s+(?:explanation|framing|label|description|"
            r"conclusion|answer|account|reading|classification|categori[sz]ation)\s+(?:is|was|"
            r"would\s+be)\s+(?:wrong|incorrect|inaccurate|misleading|unhelpful|not\s+(?:useful|"
            r"helpful|accurate|correct|right|true|the\s+(?:cause|answer|whole\s+story)))|"
            r"[^.;!?\n]{0,200}?\b(?:we|the\s+[\w-]+(?:\s+[\w-]+)?)\s+(?:do|does|did|have|has)\s+not\s+"
            r"(?:accept|adopt)\w*\s+(?:(?:that|this|the)\s+(?:term|word|label|phrase|framing|"
            r"explanation|conclusion|classification|description)|[\"'\u201c\u2018](?:human|operator|"
            r"user)\s+error|(?:it|that|this)\s+as\s+(?:an?\s+|the\s+)?(?:explanation|cause|"
            r"root\s+cause|finding|conclusion))\b"
            # ... and does not come round to it ("did not accept that conclusion at first, but").
            r"(?![^.;!?\n]{0,200}?\b(?:at\s+first|initially|at\s+the\s+time|until)\b))"
        ),
        mention_veto=True,
        names_words=True,
        # A sentence that denies, questions or supposes it does not give it as the cause, nor
        # one that calls it a framing ("Any PEBKAC framing is off the table"). Not the "not" of
        # an omission the error is said to be ("human error in not knowing where the logs are").
        sentence_veto=_c(
            r"\b(?:(?<!\bin\s)(?<!\bby\s)(?<!\bof\s)(?<!\bfor\s)not|no|nope|never|reject\w*|dismiss\w*|disagree\w*|symptom|whether|"
            r"would\s+(?:hide|miss|be\s+wrong|stop|obscure)|framing|(?:incorrect|wrong|unfair|"
            r"unhelpful|misleading)\s+to\s+(?:focus\s+on|single\s+out|blame)\s+(?:the\s+|an?\s+|"
            r"one\s+)?(?:individual|person|people|engineer|operator|human)s?)\b|"
            r"n['\u2019]t\b"
        ),
    ),
    # BL006: mocking, sarcasm and emotional narration.
    Check(
        _c(
            r"\b(?:at\s+it\s+again|(?:did|done|does|has\s+done)\s+it\s+again|genius(?:es)?|"
            r"what\s+an?\s+(?:genius|mess|joke|surprise|shock|disaster|day|night|nightmare|fiasco|clown|idiot|"
            r"fool|waste|shame|shambles|circus)|"
            r"yet\s+another\s+(?:\w+\s+)?(?:outage|incident|mistake|blunder|screw-?up|failure|brilliant|great|"
            r"genius|botched|typo|case|fine|stellar|classic|fiasco|disaster|mess|example)|"
            r"unbelievable|incredibl[ey]\s+(?:stupid|dumb|careless|sloppy)|"
            r"super-?hero(?:es|ic)?|rock-?stars?|ninjas?|saved\s+the\s+day|to\s+the\s+rescue|"
            r"knight\s+in\s+shining\s+armou?r|facepalm\w*|lol|lmao|rofl|smh|wtf|omg|ugh|yikes|"
            # Exasperation, not relief ("we breathed a sigh of relief").
            r"sigh(?!\s+of\s+relief)|"
            r"surprise,?\s+surprise|big\s+surprise|no\s+surprise\s+there|(?:nobody|no\s+one)\s+(?:is|was)\s+"
            r"(?:surprised|shocked)|(?:who|what)\s+could\s+(?:possibly\s+)?(?:have\s+)?(?:guessed|predicted)|"
            # Sarcasm asks what could possibly go wrong, in a clause of its own ("Sure, skip
            # staging. What could have gone wrong?"); an investigation asks what could go wrong,
            # or could have ("to test scenarios of what could have gone wrong", "in the
            # pre-mortem we asked what could possibly go wrong").
            r"(?:(?<=[.,;:!?(\u2014\u2013-]\s)|(?<=[.,;:!?(\u2014\u2013-])|(?<![\s\S]))what\s+could\s+"
            r"(?:possibly\s+(?:have\s+gone|go)|have\s+gone)\s+wrong|go\s+figure|dumpster\s+fire|train\s*wreck|"
            r"fiasco|debacle|shit\s*show|"
            r"clown\s*(?:show|car|fiesta)|damn(?:ed)?|crap(?:py)?|shit(?:ty)?|fuck\w*|bloody\s+hell|"
            r"brilliant\s+(?:move|idea|plan|decision)|thanks\s+a\s+lot|what\s+were\s+they\s+thinking|"
            r"freak(?:ed|ing)?\s+out|freak-out|lost\s+(?:it|(?:their|his|her)\s+(?:minds?|cool|heads?))|"
            r"in\s+(?:a|full)\s+panic|panic\s+(?:set\s+in|ensued|mode|button)|"
            # Not "we wasted no time", which says the response was quick.
            # Nor what a machine wasted ("the retry storm wasted CPU time").
            r"wasted\s+(?!(?:no|little|cpu|gpu|compute|runner|machine|build|disk|server)\s)(?:\w+\s+)?"
            r"(?:hours?|minutes?|days?|time|the\s+(?:whole|entire)|our\s+(?:whole\s+|entire\s+)?(?:time|morning|afternoon|evening|"
            r"night|weekend|day|sprint)|a\s+whole|an\s+hour|an\s+entire))\b"
        ),
        "BL006",
        wordset(
            # The rarest word of each alternative, so common words ("at", "to", "what") do not wake
            # this long pattern up on every paragraph.
            "again genius geniuses mess joke surprise surprised shock shocked disaster day night nightmare "
            "fiasco clown idiot fool waste shame shambles circus thinking guessed predicted wrong another "
            "unbelievable incredible incredibly superhero superheroes superheroic hero star stars rockstar "
            "rockstars ninja ninjas saved rescue knight facepalm facepalmed facepalming lol lmao rofl smh wtf "
            "omg ugh sigh yikes figure dumpster wreck trainwreck catastrophe failure chaos show debacle shit "
            "shitshow clownshow damn damned crap crappy shitty fuck fucking fucked bloody brilliant thanks "
            "freak freaked freaking lost panic wasted"
        ),
    ),
    # A wreck made or named: "the developers had made a complete mess", "what followed was
    # chaos, a total nightmare"; not what the subject of a clause is (see the next check).
    Check(
        _c(r"\b" + _WRECK),
        "BL006",
        wordset(_WRECKS),
        requires=(wordset(_UTTERLY),),
        veto=_c(_COPULA + r"$"),
    ),
    # A wreck that the subject of its clause is, when the subject is someone ("Dave was a
    # complete disaster", "the new guy is an absolute joke"); not a thing, a plan or a situation
    # ("The migration was a complete mess", "the wiki page is a total mess", "it was a complete
    # failure of the primary link").
    Check(
        _c(r"\b" + _COPULA + r"(?:" + _WRECK + r"|(?:" + _UTTERLY_WORDS + r")\s+failure)\b"),
        "BL006",
        wordset(_WRECKS + " failure"),
        "clause",
        EMOTION_CODES,
        requires=(wordset(_UTTERLY),),
    ),
    Check(
        _c(
            r"\bhero(?:es|ic|ically|ics)?\b(?!\s+(?:image|banner|section|unit|shot|component|video|area|block)s?\b)"
        ),
        "BL006",
        wordset("hero heroes heroic heroically heroics"),
    ),
    Check(
        _c(r"(?:^|(?<=[.;:!?])\s*|\b(?:and|but|so)\s+)of\s+course\b"),
        "BL006",
        wordset("course"),
        discourse=True,
    ),
    Check(_c(r"\bunbelievably\b"), "BL006", wordset("unbelievably"), droppable=True),
    Check(_c(r"[!?]*!{2,}[!?]*|\?!|!\?"), "BL006", None, literal="!"),
    # A tally of past mistakes when said of someone ("Schäfer, as usual, starts the run before
    # the lot is released"), which the discourse conditions keep; of a system's way, said in
    # passing ("the exchange will, as usual, credit the attacker").
    Check(
        _c(r"(?:^|(?<=[.;:!?])\s*|,\s*)as\s+usual\b"),
        "BL006",
        wordset("usual"),
        discourse=True,
    ),
    Check(
        _c(r"\b(?:panicked|panicking|panics|freaked|flipped\s+out)\b"),
        "BL006",
        wordset("panicked panicking panics freaked flipped"),
        "before",
        EMOTION_CODES,
    ),
    # Ironic praise: always sarcastic phrases, or praise next to the damage it mocks.
    Check(
        _c(
            # Every alternative opens a word: the boundary is tested once, before any of them, and
            # the lookbehinds of the first only there, not at every character of the text.
            r"\b(?:"
            # "Nice one", not the one that is good ("the last good one", "a known-good one", "a
            # great side project from a good one").
            r"(?<![-\u2010\u2011])(?<!\bthe\s)(?<!\blast\s)(?<!\ba\s)(?:nice|good|great)\s+"
            r"(?:one|going)\b|"
            r"slow\s+clap|golf\s+clap|way\s+to\s+go\b|"
            r"smooth\s+move\b|well\s+played\b|"
            # What the thanks are for, not what that was for ("Thanks for pushing for the extra QC pass").
            r"thanks?\b(?:(?!\bfor\b)[^.;!?|\n]){0,30}?\bfor\s+(?:another|nothing|ruining|breaking|wrecking|"
            r"the\s+(?:extra|wasted|"
            r"ruined|lost))\b|"
            r"(?:great|good|nice|fantastic|stellar|amazing|excellent|brilliant|superb)\s+(?:job|work|stuff)\b"
            r"[^.;!?|\n]{0,40}?\b(?:managed\s+to|broke|breaking|broken|again|optional|twice|whoever)\b|"
            r"(?:well\s+done|bravo|congrat\w*|kudos|hats\s+off)\b[^.;!?|\n]{0,60}?\b(?:managed\s+to|broke|"
            r"breaking|broken|again|optional|twice|took\s+down|taking\s+down|whoever|deleting|wiping)\b)"
        ),
        "BL006",
        wordset(
            # The praise word each alternative must contain, not "one", "job" or "work".
            "nice good great fantastic stellar amazing excellent brilliant superb clap go smooth played "
            "done bravo congrats congratulations congratulation kudos hats thank thanks"
        ),
    ),
    # Sarcasm about the process: "is optional now", "because why not", "it's a miracle".
    Check(
        _c(
            r"\b(?:is|are)\s+(?:apparently\s+)?optional\s+(?:now|these\s+days|nowadays|around\s+here)\b|"
            r"\bapparently\b[^.;!?|\n]{0,60}?\boptional\b|\btoo\s+much\s+to\s+ask\b|"
            r"\bwho\s+needs\s+(?:\w+\s+){0,2}?(?:tests|testing|backups|reviews?|staging|monitoring|runbooks?|"
            r"documentation|docs|canaries|alerts)\b|\bbecause\s+why\s+(?:not|wouldn['\u2019]t\s+it)\b|"
            r"\bit['\u2019]s\s+a\s+(?:small\s+)?miracle\b"
        ),
        "BL006",
        wordset("optional ask needs why miracle"),
    ),
    Check(
        _c(
            r"\b(?:engineers|developers|devs|people|folks|colleagues|teammates|friends)\s+like\s+"
            r"(?:these|those)\b"
        ),
        "BL006",
        wordset("these those"),
    ),
    # Emotional narration by the author: "we were furious", "I couldn't believe my eyes".
    Check(
        _c(
            r"\b(?:i|we|i['\u2019]m|we['\u2019]re|everyone|everybody)\s+(?:was\s+|were\s+|am\s+|are\s+|felt\s+|"
            r"got\s+|became\s+)?(?:\w+\s+)?(?:furious|livid|outraged|disgusted|appalled|fuming|enraged|incensed|"
            r"seething|apoplectic|angry|beside\s+(?:myself|ourselves))\b|"
            r"\bhow\s+(?:angry|furious|livid|upset|disgusted|appalled)\s+(?:i|we)\s+(?:am|are|was|were|felt)\b|"
            r"\b(?:couldn['\u2019]t|could\s+not|can['\u2019]t|cannot)\s+believe\s+(?:my|our|their)\s+eyes\b|"
            r"\b(?:i|we)\s+(?:couldn['\u2019]t|could\s+not|can['\u2019]t|cannot)\s+believe\s+(?:that\s+)?"
            r"(?:anyone|someone|somebody|he|she|they|you|it|this|what)\b"
        ),
        "BL006",
        wordset(
            "furious livid outraged disgusted appalled fuming enraged incensed seething apoplectic beside "
            "believe angry"
        ),
    ),
    # BL007: insinuation.
    Check(
        _c(
            r"\b(?:certain\s+(?:people|persons|individuals|folks|engineers?|developers?|devs|team\s*members?|"
            r"colleagues|parties|someone|somebody|person|teams?|groups?|squads?)|"
            r"(?:an?|one)\s+(?:certain|particular)\s+(?:\w+\s+)?(?:person|engineer|developer|dev|team|someone|somebody|"
            r"individual|colleague|member|group|squad)|"
            r"some\s+(?:people|folks|individuals|engineers|developers|devs|team\s+members|colleagues)\s+"
            r"(?:\w+\s+){0,3}?(?:still|apparently|keep|kept|just|seem|seems|think|thought|don['\u2019]t|do\s+not|never|"
            r"refuse|insist|like|love|need|needs|should|can['\u2019]t|cannot|won['\u2019]t|clearly|obviously|believe|"
            r"prefer|treat|ignore|decided|chose|must|ought)|"
            + _NOT_ASKED
            + r"you\s+know\s+who"
            + _NOT_WHO_TO_REACH
            + r"|"
            r"(?:won['\u2019]t|will\s+not|not\s+going\s+to|shan['\u2019]t|not\s+to)\s+(?:say|mention|"
            r"point\s+out)\s+who|without\s+(?:naming|mentioning)\s+(?:anyone|anybody|names|who)|"
            r"knows?\s+what\s+(?:they|he|she|you)\s+did|"
            # "Suffice to say the person who approved it also wrote it", "let's just say a certain
            # founder likes to test in prod", not "suffice to say, these are very large objects"
            # nor "let's just say there are some fairly spicy ones": the idiom insinuates only
            # about someone.
            r"(?:suffice\s+(?:it\s+)?to|let['\u2019]s\s+just)\s+say\b(?=[^.;!?]{0,80}?(?:\b(?:who|whom|"
            r"whose|whoever|person|people|someone|somebody|he|she|they|them|his|her|their|certain|"
            r"individual|engineer|developer|team|hire|name)\b|(?:n['\u2019]t|\bnot)\s+\w+\s+itself\b))|"
            r"(?:shall|will|must|should)\s+remain\s+(?:nameless|anonymous|unnamed)|"
            r"(?:shall|will|must)\s+not\s+be\s+named|naming\s+(?:no\s+)?names|"
            # Not a rule of writing ("avoid blame, and no names except to record the meeting").
            r"no\s+names(?!,?\s+(?:except|unless|other\s+than)\s+(?:to|for|in)\s+(?:record|credit|"
            r"thank|minute|note)\w*\b)|"
            r"(?:won['\u2019]t|will\s+not|not\s+going\s+to|not\s+to|don['\u2019]t|do\s+not)\s+name\s+(?:any\s+)?names|"
            + _NOT_ASKED
            + r"(?:we|you|everyone|everybody)\s+(?:all\s+)?knows?\s+who"
            + _NOT_WHO_TO_REACH
            + r"|"
            r"the\s+(?:person|people|individual|individuals|engineer|developer|one|ones)\s+responsible|"
            r"those\s+responsible|guilty\s+part(?:y|ies)|usual\s+suspects)\b"
        ),
        "BL007",
        wordset(
            "certain particular some know knows remain named naming names responsible guilty suspects say "
            "mentioning suffice mention point"
        ),
    ),
    # The writers set against people left unnamed: "I'll do better next time, unlike some
    # people", "Unlike other engineers on the team, I always test". Only with the writers in
    # the sentence: a comparison of roles is no insinuation ("Unlike other engineers, on-call
    # responders have production access"), nor is what people expect ("unlike some people
    # expect, the cache is not shared") or what they own ("unlike some developers' laptops").
    Check(
        _c(
            r"(?P<writers>\b(?:i|we)\b[^.;:!?\n]{0,120}?,\s*)?\b(?P<insinuation>" + _UNLIKE + r")"
            r"(?(writers)|(?=[^.;:!?\n]{0,120}?\b(?:i|we)\b))"
        ),
        "BL007",
        wordset("unlike"),
        span="insinuation",
    ),
    # BL009: punishment or "be more careful" as an action. Care asked of whoever reads it ("Be
    # more careful", "engineers need to take more care"); not the writers' own lesson or
    # resolve ("we have learned to be extra careful", "I want to be more mindful").
    Check(
        _c(_CARE),
        "BL009",
        wordset("careful vigilant diligent thorough attentive cautious mindful care attention"),
        veto=_WRITERS_RESOLVE,
        sentence_veto=_CARE_REJECTED,
        writers_veto=True,
        advice=_ADVICE,
    ),
    Check(
        _c(
            r"\b(?:more\s+carefully|"
            r"double[\s-]check\w*\b[^.;!?|\n]{0,40}?\b(?:next\s+time|in\s+(?:the\s+)?future|from\s+now\s+on|"
            r"going\s+forward)|next\s+time\b[^.;!?|\n]{0,30}?\b(?:double[\s-]check|be\s+careful|remember\s+to)|"
            r"disciplinary|disciplin(?:e|ed)\s+(?:the|him|her|them|those|whoever)|remedial\s+training|"
            r"(?:written|formal|verbal|final)\s+warning|(?:been|was|were|get|got|be|being)\s+written\s+up|"
            r"(?:don['\u2019]t|do\s+not|never)\s+do\s+(?:it|that|this)\s+again|"
            r"let\s+(?:him|her|them)\s+go|terminat\w+\s+(?:his|her|their)\s+(?:employment|contract)|"
            r"dock\w*\s+(?:his|her|their)\s+pay|(?:his|her|their)\s+demotion|reprimand\w*|"
            r"performance\s+improvement\s+plan|on\s+a\s+pip|punish\w*|"
            r"(?:be\s+)?held\s+(?:accountable|responsible)|hold\s+(?!ourselves|us\b)\w+\s+(?:\w+\s+)?accountable|"
            r"face\s+(?:the\s+)?consequences|there\s+will\s+be\s+consequences|"
            r"remind\w*\s+(?:all\s+|the\s+)?(?:everyone|everybody|engineers|developers|team|people|staff|him|"
            # The care a reminder asks for is part of its one finding ("Remind engineers to
            # always be more careful", "to double-check next time"); nothing after it is.
            r"her|them|engineer|developer|on-?call)\s+(?:\w+\s+)?to"
            r"(?:\s+(?:\w+\s+){0,2}?(?:be\s+(?:more\s+|extra\s+|very\s+|much\s+more\s+)?"
            + CARE
            + r"|take\s+(?:more|extra|greater|better)\s+care|"
            r"pay\s+(?:more|closer|better|extra|greater|proper)\s+attention|"
            r"double[\s-]check\w*(?:\s+next\s+time)?|more\s+carefully))?)\b"
        ),
        "BL009",
        wordset(
            # The rarest word each alternative must contain ("double", not "check" or "next").
            "careful vigilant diligent thorough attentive cautious mindful care attention carefully "
            "double remember disciplinary discipline disciplined remedial warning written again let "
            "employment contract pay demotion reprimand reprimanded reprimanding "
            "reprimands performance pip punish punished punishing punishment punishes accountable "
            "held consequences remind reminded reminding reminds"
        ),
        sentence_veto=_CARE_REJECTED,
    ),
    # "Make sure that Dave is more careful", "Ensure on-call staff remain vigilant": care asked
    # of a person, a role or a team; not of a thing ("Make sure the runbook is mindful of time
    # zones").
    Check(
        _c(
            r"(?:\b(?:is|are|gets?|stays?|becomes?|remains?)|['\u2019]re)\s+(?:more\s+|extra\s+|very\s+|"
            r"much\s+more\s+)?" + CARE + r"\b"
        ),
        "BL009",
        wordset("careful vigilant diligent attentive mindful cautious thorough"),
        "before",
        CARE_CODES,
        requires=(wordset("sure ensure"),),
    ),
    # "Make Sam more careful", "Make the on-call engineer more vigilant": care made of a person,
    # a role or a team; not of a thing ("Make the alert more thorough").
    Check(
        _c(
            r"\bmake\s+(?:the\s+|our\s+|all\s+)?(?P<agent>(?:@|[^\W\d_])[\w'\u2019\-]*(?:\.[\w'\u2019\-]+)*)"
            r"(?:\s+(?!(?:more|extra|very|much|a|far)\b)(?P<agent2>[a-z][\w'\u2019\-]*))?\s+"
            r"(?:more\s+|extra\s+|very\s+|much\s+more\s+|a\s+lot\s+more\s+|far\s+more\s+)?"
            + CARE
            + r"\b"
        ),
        "BL009",
        wordset("careful vigilant diligent attentive mindful cautious thorough"),
        "group",
        CARE_CODES,
        requires=(wordset("make"),),
        head_noun=True,
    ),
    # "Keep a closer eye on Fatima", "watch the new hire more closely": watching a person, a
    # role or a team as the action; not a thing ("keep a closer eye on disk usage").
    Check(
        _c(
            r"\b(?:keep\s+(?:(?:a|an)\s+)?(?:much\s+|very\s+)?(?:(?:closer|close|careful|tighter|"
            r"better|watchful)\s+)?(?:eyes?|tabs|watch)\s+on|"
            r"(?:watch|watching|supervise|supervising|monitor|monitoring|check\s+on)(?=\s+(?:the\s+|"
            r"our\s+|that\s+)?[@\w'\u2019.\-]+(?:\s+[a-z][\w'\u2019\-]*)?\s+(?:much\s+|far\s+|"
            r"very\s+)?(?:more\s+)?closely\b))"
            r"\s+(?:the\s+|our\s+|that\s+)?(?P<agent>(?:@|[^\W\d_])[\w'\u2019\-]*(?:\.[\w'\u2019\-]+)*)"
            r"(?:\s+(?!(?:more|much|far|very|closely|from|after|during|when|until|for|on|in|at)\b)"
            r"(?P<agent2>[a-z][\w'\u2019\-]*))?"
        ),
        "BL009",
        wordset("eye eyes tabs watch closely"),
        "group",
        (*PUNISH_CODES, ("team", "BL009")),
        head_noun=True,
        sure=True,
    ),
    Check(
        _c(_BETTER),
        "BL009",
        wordset("harder better"),
        # The organisation's own promise: "we will do better", "we're sorry and promise to do
        # better", "we as a team need to do better"; or the writer's ("I'll do better next time").
        veto=_c(
            _WRITERS_RESOLVE.pattern + r"|"
            r"\bwe(?:['\u2019](?:re|ll|ve|d))?\s+(?:(?:all|both|as|a|an|the|whole|team|company|"
            r"organi[sz]ation|need|needs|have|has|had|must|can|could|should|would|will|shall|to|and|"
            r"are|absolutely|obviously|really|truly|clearly|simply|just|collectively|definitely|"
            r"certainly|promise|promised|commit|committed|pledge|pledged|vow|vowed|sorry|going|"
            r"strive|aim|try|hope|intend|want|gotta|got|here|now|next|time|more|much|ourselves|"
            r"['\u2019](?:ll|ve|re|d))\s+){0,5}$"
        ),
        writers_veto=True,
    ),
    Check(
        _c(
            r"\b(?:fire(?!\s+(?:team|crew|brigade|department|service|warden|marshal)s?\b"
            r"(?!\s+(?:leads?|members?|owners?|managers?)\b))|sack|re-?train|"
            r"discipline|write\s+up|punish|suspend|demote)\s+(?:the\s+|our\s+|that\s+)?" + AGENT
        ),
        "BL009",
        wordset("fire sack train retrain discipline write punish suspend demote"),
        "group",
        (*PUNISH_CODES, ("team", "BL009")),
        refusal=_REFUSED,
    ),
    Check(
        # Wished or meant to be done: "we should have fired Dave", "they should have sacked him",
        # "we will fire Dave", "we need to sack the intern". Alerts fire too, at people and their
        # pagers ("PagerDuty fired Ravi a notification", "fired Dave's pager", "the alert should
        # fire the on-call a page"), so only the wish or the intent, and a person who is neither
        # given nor owns what follows. A refusal says "not" or "never" after the modal, which
        # this does not take ("we will not fire Dave": see _REFUSED).
        _c(
            r"\b(?:(?:should|must|could|would|ought\s+to)(?:\s+have|['\u2019]ve)\s+(?:just\s+|"
            r"simply\s+|\w+ly\s+)?(?=fired\b|sacked\b)|(?:should|must|could|would|will|shall|"
            r"ought\s+to|needs?\s+to|ha(?:ve|s)\s+to|(?:am|are|is|['\u2019](?:re|m|s))\s+going\s+to|"
            r"gonna|['\u2019](?:ll|d))\s+(?:just\s+|simply\s+|\w+ly\s+)?(?=fire\b|sack\b))"
            # The finding is the punishment and whom it is aimed at, from its verb.
            r"(?P<punished>(?:(?P<past>fired|sacked)|fire|sack)"
            # Not a page or a message fired at someone ("fire the incident commander a summary").
            r"(?!(?:\s+[@\w'\u2019.\-]+){1,3}\s+(?:a|an|another)\s)"
            r"\s+(?:the\s+|that\s+)?(?!(?:@|[^\W\d_])[\w.\-]*['\u2019]s?\b)"
            r"(?P<agent>(?:@|[^\W\d_])[\w'\u2019\-]*+(?:\.[\w'\u2019\-]++)*+)"
            r"(?!\s+(?:a|an|another|one|two|three|several|some|\d+)\b)"
            # A second word only as the head of a group or role ("the platform team", "the
            # on-call engineer"): "fired Dave on the spot" and "…Dave months ago" name Dave.
            r"(?:\s+(?=(?:" + "|".join(sorted(ROLES | GROUPS, key=len, reverse=True)) + r")\b)"
            r"(?P<agent2>[a-z][\w'\u2019\-]*))?)"
            # Not a tool fired somewhere or a page fired at someone: what follows the person is
            # where to, what was fired, or how a machine fires it ("we will fire Locust in the
            # load-test cluster", "we should have fired Gatling against the endpoint", "we'll
            # fire Priya the link", "we will fire the on-call directly", "we'll fire Gatling
            # scenarios nightly").
            r"(?!\s+(?:(?:at|against|in|into|towards?|onto|through)\s+(?!once\b|the\s+(?:end|start|next|"
            r"latest|earliest|same|morning|afternoon|evening)\b|next\b|noon\b|\d)|(?:the|this|these|"
            r"those|our|your)\s+(?!(?:same|next|very|following)\b|day\b|week\b|month\b|moment\b)|"
            r"(?:scenarios?|runs?|tests?|jobs?|load|traffic|requests?|events?|webhooks?|"
            r"notifications?|messages?|emails?|updates?|summar\w+|alerts?|pages?|pings?|links?|"
            r"directly|manually|automatically|nightly|daily|hourly|weekly|every|each|off|up)\b))"
        ),
        "BL009",
        wordset("fire sack fired sacked"),
        "group",
        (*PUNISH_CODES, ("team", "BL009")),
        span="punished",
        # The wish is someone's: an alert, a probe or a pager that "should have fired the on-call
        # page" fires, as alerts do.
        veto=_c(
            r"\b(?!(?:we|i|they|you|management|leadership|someone|somebody|hr|company|really|just|"
            r"probably|definitely|frankly|honestly|clearly|simply|seriously|obviously|totally|"
            r"absolutely|so|all|also|still)\b)[a-z'\u2019]+\W*$|"
            # Asked about or denied, not wished: "the question is not whether we should fire
            # Dave", "nobody is suggesting we should fire Dave".
            r"(?:\b(?:whether|nobody|no\s+one)|(?:\bnot|\bnever|n['\u2019]t)\s+(?:\w+\s+)?(?:ask\w*|"
            r"suggest\w*|say\w*|propos\w*|recommend\w*|mean\w*|about))"
            r"(?:\s+(?!(?:but|yet|however|still|though|although)\b)[\w'\u2019]+){0,5}\s*$"
        ),
        sure=True,
    ),
    # Who is demoted, or whose demotion it is, decides: a person from a role ("Mark was demoted",
    # "Lars demoted from tech lead", "Dave's demotion"), not a primary in a failover, an incident
    # from SEV1 or a relay's builders.
    Check(
        _c(
            # The head noun of the object ("demote the duty shift lead to assistant"), not who
            # demoted it or where to ("was demoted by Patroni", "demoted to on-call").
            r"\bdemot(?:e|ed|es|ing)\s+(?:the\s+|our\s+|that\s+)?(?:(?!"
            + _NO_OBJECT
            + r")[a-z][\w'\u2019\-]*\s+){0,2}?"
            r"(?!"
            + _NO_OBJECT
            + r")(?P<agent>(?:@|[^\W\d_])[\w'\u2019.\-]*)(?=\s+(?:from|back\s+to|to)\s|\s*[.,;:!?)]|\s*$)"
        ),
        "BL009",
        wordset("demote demoted demotes demoting"),
        "group",
        (*PUNISH_CODES, ("team", "BL009")),
    ),
    Check(
        _c(
            # The subject of a passive ("Mark was quietly demoted", "Lars demoted from tech lead").
            r"\b(?:(?:was|were|got|gets|get|be|been|being|is|are)\s+(?:\w+ly\s+)?demoted|"
            r"demoted(?=\s+(?:from|back\s+to|to)\s))"
        ),
        "BL009",
        wordset("demoted"),
        "before",
        (*PUNISH_CODES, ("team", "BL009")),
    ),
    # "Dave's demotion was announced", "| Dave's demotion | Lena |"; not a part of a program's
    # working it names ("Patroni's demotion behaviour worked").
    Check(
        _c(
            r"(?<![\w@.\-])(?P<agent>(?:@|[^\W\d_])[\w.\-]*)['\u2019]s\s+demotion\b"
            r"(?!\s+of\b|\s+(?:" + _DEMOTION_OF_A_SYSTEM + r")\b)"
        ),
        "BL009",
        wordset("demotion"),
        "group",
        (*PUNISH_CODES, ("team", "BL009")),
        span="agent",
        literal="'\u2019",
    ),
    Check(
        _c(
            r"\b(?:remov\w*|revok\w*|tak\w+\s+away|strip\w*|suspend\w*|restrict\w*|pull\w*)\s+"
            r"(?:his|her|their|(?:@|[^\W\d_])[\w'\u2019.\-]*['\u2019]s)\s+(?:\w+\s+){0,2}?(?:access|permissions?|privileges?|rights|"
            r"credentials|keys?)\b"
        ),
        "BL009",
        wordset("access permission permissions privileges rights credentials key keys"),
    ),
    Check(
        _c(
            r"\b(?:remov\w*|revok\w*|tak\w+\s+away|strip\w*|suspend\w*|restrict\w*|pull\w*)\s+(?:\w+\s+){0,2}?"
            r"(?:access|permissions?|privileges?|rights)\s+(?:from|for)\s+(?:the\s+)?" + AGENT
        ),
        "BL009",
        wordset("access permission permissions privileges rights"),
        "group",
        PUNISH_CODES,
    ),
    Check(
        _c(
            r"\b(?:remov\w*|ban\w*|kick\w*|tak\w+)\s+(?:the\s+)?(?P<agent>(?:@|[^\W\d_])[\w'\u2019.\-]*)"
            r"\s+(?:\w+\s+)?(?:from|off)\s+(?:the\s+)?(?:on-?call|rotation|team|project|production|prod|repo)"
        ),
        "BL009",
        wordset("rotation team project production prod repo call oncall"),
        "group",
        PUNISH_CODES,
    ),
)

PUNISH_CHECKS: tuple[Check, ...] = (
    # Passive punishment of a person: "Tom will be removed from the rotation", "should be fired".
    Check(
        _c(
            r"\b(?:will|should|must|shall|needs?\s+to|(?:is|are)\s+going\s+to|has\s+been|have\s+been|is\s+being|"
            r"are\s+being)\s+(?:be\s+)?(?:immediately\s+|permanently\s+|temporarily\s+)?(?:removed|taken\s+off|"
            r"kicked|banned|suspended|fired|sacked|dismissed|demoted|disciplined|reprimanded|let\s+go|"
            r"punished|written\s+up)\b(?!\s+(?:from|to)\s+(?:the\s+)?(?:cluster|pool|"
            r"load\s+balancer|rotation\s+of\s+hosts|dns|service|list|config))"
        ),
        "BL009",
        wordset(
            "removed taken kicked banned suspended fired sacked dismissed demoted disciplined reprimanded "
            "let punished written"
        ),
        "before",
        PUNISH_CODES,
    ),
    # "Olu has lost the right to deploy": a privilege taken from a person.
    Check(
        _c(
            r"\b(?:has|have|will|should|must)\s+(?:\w+\s+)?(?:lost|lose|forfeited|forfeit)\s+(?:the\s+|their\s+|his\s+|"
            r"her\s+)?(?:right|rights|privilege|privileges|access|permission|permissions)\b"
        ),
        "BL009",
        wordset("lost lose forfeited forfeit"),
        "before",
        PUNISH_CODES,
    ),
    # "Bill's deploy rights are suspended": access withdrawn from a named person.
    Check(
        _c(
            r"(?<=\w)['\u2019]s?\s+(?:\w+\s+){0,2}?(?:access|rights|permissions?|privileges?|credentials)\s+"
            r"(?:are|were|is|was|will\s+be|have\s+been|has\s+been|should\s+be|must\s+be|to\s+be)\s+"
            r"(?:\w+\s+)?(?:suspended|revoked|removed|restricted|pulled|withdrawn|taken\s+away|limited)\b|"
            r"(?<=\w)['\u2019]s?\s+(?:\w+\s+){0,2}?(?:access|rights|permissions?|privileges?|credentials)\s+"
            r"(?:to|on|in|for)\s+(?:the\s+)?[\w\-]+\s+(?:are|were|is|was|will\s+be|have\s+been|has\s+been|should\s+be|"
            r"must\s+be|to\s+be)\s+(?:\w+\s+)?(?:suspended|revoked|removed|restricted|pulled|withdrawn|"
            r"taken\s+away|limited)\b"
        ),
        "BL009",
        wordset("suspended revoked removed restricted pulled withdrawn taken limited"),
        "before",
        PUNISH_CODES,
        skip_adverbs=False,
    ),
)
CHECKS = CHECKS + PUNISH_CHECKS
