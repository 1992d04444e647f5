"""Blameless-language checks for postmortem prose: pure regex functions over text, no I/O."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class BlameHit:
    """One blameful span found in a chunk of prose."""

    code: str
    start: int
    end: int
    message: str
    suggestion: str | None = None
    replacement: str | None = None


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
}


# Default message (why it reads as blame + what to write instead) and rewrite advice per code.
def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


_MESSAGES: dict[str, tuple[str, str]] = {
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
        "mocking or emotional narration; keep the tone factual",
        "Remove the sarcasm or emotion and state what happened.",
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
}

# Patterns run on the lower-cased text (same offsets as the original), so they are written in lower case
# and compiled without IGNORECASE, which keeps the regex engine's literal-prefix fast paths.
_NEG_ADJ = (
    r"(?:broken|bad|faulty|buggy|wrong|incorrect|corrupt(?:ed)?|untested|unreviewed|malformed|invalid|"
    r"bogus|half-baked|busted|defective|erroneous|flawed|botched|borked|typo(?:s|'d)?|mistakes?|bugs?|"
    r"poison(?:ed)?|garbage|rogue|dodgy|hasty|rushed|sloppy|careless)"
)
_NEG_WORDS = (
    "broken bad faulty buggy wrong incorrect corrupt corrupted untested unreviewed malformed invalid bogus "
    "half baked busted defective erroneous flawed botched borked typo typos mistake mistakes bug bugs poison "
    "poisoned garbage rogue dodgy hasty rushed sloppy careless"
)
# Verbs that say what a person did without judging it: blame only with a negative object.
_WEAK_VERB = (
    r"(?:pushed|deployed|merged|shipped|committed|ran|executed|applied|typed|entered|wrote|"
    r"released|rolled\s+out|approved|changed|edited|modified|uploaded|introduced|added|made|"
    r"landed|sent|published|configured|set)"
)
_WEAK_WORDS = (
    "pushed deployed merged shipped committed ran executed applied typed entered wrote released rolled "
    "approved changed edited modified uploaded introduced added made landed sent published configured set"
)
# Verbs that themselves say the person caused damage.
_CAUSE_VERB = (
    r"(?:broke|breaks|has\s+broken|took\s+down|brought\s+down|knocked\s+over|taken\s+down|"
    r"misconfigured|mistyped|"
    r"caused\s+(?:the|this|an?|another|today's|our)\s+(?:\w+\s+)?(?:outage|incident|problem|issue|"
    r"breakage|failure|downtime|mess|bug|regression|data\s+loss|crash|errors?)|"
    r"introduced\s+(?:the|a|this|another)\s+(?:\w+\s+)?(?:bug|regression|typo|error|problem|issue|mistake)|"
    r"(?:deleted|dropped|wiped|truncated|nuked|destroyed|overwrote|erased)\s+(?:the\s+|our\s+|all\s+)?"
    r"(?:\w+\s+)?(?:production|prod|primary|live|customer|main|master|entire|whole)|"
    r"wiped|nuked|trashed|wrecked|"
    r"ignored\s+(?:the|an?|all|our|his|her|their|every|several|repeated)\s+(?:\w+\s+)?"
    r"(?:warnings?|alerts?|reviews?|process|runbook|checklist|advice|policy|pages?|freeze|errors?|"
    r"failures?|comments?)|"
    r"skipped\s+(?:the\s+|a\s+|all\s+)?(?:code\s+)?(?:review|tests?|checks?|canary|staging|checklist|"
    r"process|steps?|approval)|"
    r"bypassed\s+(?:the\s+)?(?:\w+\s+)?(?:review|checks?|process|safeguards?|approval|freeze|pipeline))\b"
)
_CAUSE_WORDS = (
    "broke breaks broken took brought knocked taken misconfigured mistyped caused introduced deleted dropped "
    "wiped truncated nuked destroyed overwrote erased trashed wrecked ignored skipped bypassed"
)
# Verbs and phrases that judge the person whoever they are, including an unnamed role.
_JUDGE_VERB = (
    r"(?:screwed\s+up|screws\s+up|messed\s+up|messes\s+up|botched|bungled|fat-?fingered|fumbled|"
    r"blundered|goofed|dropped\s+the\s+ball|(?:is|was|are|were)\s+to\s+blame|"
    r"made\s+a\s+mess|cocked\s+up|fucked\s+up|borked)\b"
)
_JUDGE_WORDS = "screwed screws messed messes botched bungled fat fingered fatfingered fumbled blundered goofed dropped blame made cocked fucked borked"
_CF_VERB = (
    r"(?:(?:should(?:\s+not|n['\u2019]t)?\s+have|should['\u2019]ve)(?!\s+(?:been\s+(?:paged|notified|alerted|informed|"
    r"told|given|able|woken|called|escalated|consulted|included|involved|warned|trained)|access|permissions?|"
    r"the\s+(?:ability|option|right|permission|access)|a\s+way|read-only|read-write|write\s+access))|ought\s+to\s+have|"
    r"failed\s+to(?!\s+(?:connect|log\s+in|login|reach|access|authenticate|load|open|receive|ssh|get\s+access))|forgot(?:\s+to|\s+about)?|"
    r"forgets\s+to|neglected(?:\s+to)?|omitted\s+to|(?:did\s+not|didn['\u2019]t|never)\s+(?:even\s+)?bother(?:ed)?|"
    r"couldn['\u2019]t\s+be\s+bothered|could\s+not\s+be\s+bothered|could\s+(?:have\s+easily|easily\s+have)|"
    r"(?:did\s+not|didn['\u2019]t|never)\s+(?:even\s+)?(?:test(?:ed)?|check(?:ed)?|verif(?:y|ied)|review(?:ed)?|"
    r"read|look(?:ed)?|notice[d]?|validate[d]?|double-check(?:ed)?|think|thought|ask(?:ed)?|tell|told|"
    r"warn(?:ed)?|follow(?:ed)?|consider(?:ed)?|confirm(?:ed)?|realis(?:e|ed)|realiz(?:e|ed)|care[d]?)|"
    r"chose\s+not\s+to|decided\s+not\s+to|(?:was|were)\s+too\s+lazy|"
    r"could\s+(?:easily\s+|simply\s+)?have\s+(?:easily\s+|simply\s+)?(?:caught|prevented|avoided|noticed|spotted|"
    r"stopped|checked|tested|asked|verified)|"
    r"(?:was|were)(?:n['\u2019]t|\s+not)\s+(?:even\s+)?paying\s+(?:any\s+)?attention|"
    r"(?:was|were)\s+daydreaming)\b"
)
_CF_WORDS = (
    "should ought failed forgot forgets neglected omitted did didn never couldn could chose decided lazy "
    "paying daydreaming"
)

# Words that may sit between a subject and its verb without changing who the subject is.
_SKIPPABLE = _wordset(
    """
    accidentally mistakenly carelessly just then also simply clearly obviously apparently
    somehow again once more even completely totally basically literally really still already had
    has have who that unfortunately probably evidently ever , yet promptly immediately later
    subsequently
    """
)
_PRONOUNS = _wordset(
    """
    he she him her they someone somebody nobody anyone anybody everyone everybody whoever you
    """
)
# Roles that single out one person when named as the agent of a mistake.
_SINGLED_ROLES = frozenset(["intern", "newbie", "rookie", "junior", "contractor", "trainee"])
_ROLES = _SINGLED_ROLES | _wordset(
    """
    engineer developer dev operator admin administrator sre reviewer author person responder
    on-call oncall dba manager employee colleague approver committer individual teammate lead
    commander programmer sysadmin owner deployer maintainer releaser implementer assignee submitter
    requester
    """
)
_GROUPS = _wordset(
    """
    team teams squad group folks guys department org crew devs developers engineers dbas sres
    contractors admins ops qa operators reviewers interns people staff
    """
)
# Departments read as a team only as a bare subject: "due to marketing emails" is not blame.
_DEPARTMENTS = _wordset("marketing sales finance legal hr management leadership infra")
# Month names that are also given names: a person when they are the subject of a verb.
_LINKERS = _wordset("and or who which that when after before again for by with")
_MONTH_CONTEXT = _wordset(
    "in on of during since until till by from early late mid last next this each every through"
)
# Capitalised words that are not people: function words, calendar words, common tools and vendors.
_NOT_NAMES = _wordset(
    """
    the a an this that these those it its our we us their there here after before during when
    while once then since until at on in of for to from by with without and but or so because if
    although though however also all any each every no none some both either neither most many
    much more few what which who whom whose why how where his her he she they them you your i my
    me mine on-call today yesterday tomorrow tonight morning evening afternoon night monday
    tuesday wednesday thursday friday saturday sunday january february march april may june july
    august september october november december christmas easter action actions root cause
    summary impact timeline resolution detection mitigation recovery incident postmortem owner
    status note notes update customers users engineers responders production staging prod config
    configuration deploy deployment deploys rollback rollout release kubernetes k8s terraform
    ansible puppet chef jenkins github gitlab bitbucket docker helm argo argocd spinnaker consul
    vault nomad etcd zookeeper kafka redis postgres postgresql mysql mariadb mongo mongodb
    cassandra elasticsearch opensearch nginx envoy haproxy istio linkerd prometheus grafana
    datadog pagerduty opsgenie sentry splunk cloudflare fastly akamai google amazon aws gcp
    azure microsoft linux windows ubuntu debian systemd python java golang go node rust ruby
    rails django flask react slack zoom jira confluence okta auth0 stripe twilio s3 ec2 rds
    lambda dynamodb bigquery spanner memcached rabbitmq celery sidekiq airflow spark hadoop hive
    snowflake cron crontab git nagios zabbix icinga pingdom statuspage heroku netlify vercel fly
    openstack ceph gluster nfs bgp dns tls ssl http https api cdn waf vpn ipv4 ipv6 tcp udp
    chrome firefox safari android ios macos apple facebook meta twitter netflix verisign openssl
    openssh glibc jvm npm pip yarn webpack graphql grpc protobuf json yaml intel nvidia cisco
    juniper arista comcast verizon kernel service server cluster database cache queue worker
    scheduler controller pipeline script job task alert alerts monitoring metrics logs dashboard
    ci cd everyone everybody nobody someone somebody anyone anybody whoever unfortunately
    fortunately thankfully luckily ultimately finally initially later meanwhile first second
    third next last
    """
)
_NAME_SHAPE = re.compile(r"[A-Z][a-z]+(?:[-'\u2019][A-Za-z][a-z]+)*")
_NOUN_SUFFIX = re.compile(
    r"(?:ing|tion|sion|ment|ness|ity|ies|ers|ors|ed|ly|al|ive|ous|able|ible|ance|ence|ure|age|ism|"
    r"ics|ogy|ship|ways|[^aeiousy]s|ys|es)$"
)
_S_NAMES = _wordset(
    """
    james charles agnes jules miles wes yves hans jens lars niels jonas matthias tobias elias
    andreas lucas thomas nicolas nicholas marcus douglas carlos chris kris ross russ jess tess
    doris boris iris dennis francis louis otis travis curtis lewis ellis ines gus klaus mateus
    julius cyrus rufus magnus hayes reyes terrence terence florence lawrence laurence clarence
    constance prudence
    """
)
_SENTENCE_END = re.compile(r"(?:^|[.!?:;|\n(\"“]|^\s*[-*+]|\d[.)])\s*$")
_OF_HEAD = re.compile(r"(\S+)\s+of\s+(?:the|a|an|this|that|their|his|her|our)\s+$")
_PREV_WORD = re.compile(r"(\S+)\s+$")
_TOKEN = re.compile(r"[@\w][\w'\u2019.\-]*|,|[.;:!?|]")
_ALPHA = re.compile(r"[a-z]+")


def _strip_possessive(word: str) -> str:
    word = word.rstrip(".-,")
    for tail in ("'s", "\u2019s", "'", "\u2019"):
        if word.endswith(tail):
            return word[: -len(tail)]
    return word


def _looks_like_name(word: str, text: str, start: int) -> bool:
    """A capitalised word reads as a name unless it is a known non-name or, sentence-initially, noun-shaped."""
    if not _NAME_SHAPE.fullmatch(word):
        return False
    low = word.lower()
    if low in _NOT_NAMES:
        return False
    sentence_initial = (
        _SENTENCE_END.search(text, max(0, start - 8), start) is not None or start == 0
    )
    # Sentence-initial capitals are mostly ordinary nouns ("Retries", "Backups", "Monitoring").
    return not (sentence_initial and low not in _S_NAMES and _NOUN_SUFFIX.search(low))


def _agent_kind(text: str, start: int, end: int, people: frozenset[str]) -> str | None:
    """Classify text[start:end] as 'person', 'pronoun', 'singled', 'role', 'team' or None (not a person)."""
    raw = text[start:end]
    if raw.startswith("@"):
        return "person"
    word = _strip_possessive(raw)
    low = word.lower()
    if low in people:
        return "person"
    before = text[max(0, start - 60) : start]
    prev = _PREV_WORD.search(before)
    prev_low = prev.group(1).lower() if prev else ""
    if prev_low == "we" or (prev_low == "our" and low not in _ROLES):
        # "our engineers failed to": organisation-level ownership, not blame; "our DBA" is one person.
        return None
    if low in ("call", "duty") and prev_low == "on":
        return "role"
    if low == "one":
        return "pronoun" if prev_low == "no" else None
    if prev_low == "no" and low in _ROLES:
        return None  # "no reviewer could have caught this" absolves rather than blames
    if low in ("guy", "hire", "joiner", "starter") and prev_low in ("new", "junior"):
        return "singled"
    if low in _PRONOUNS:
        return "pronoun"
    if low in _GROUPS:
        return "team"
    if low in _DEPARTMENTS and word[:1].isupper():
        return "team"  # "Marketing launched", not "a marketing campaign"
    if low in _SINGLED_ROLES:
        return "singled"
    if low in _ROLES:
        return "role"
    head = _OF_HEAD.search(before)
    if head:
        # "the author of the change": the person is the head noun, not "change".
        head_low = _strip_possessive(head.group(1)).lower()
        if head_low in _ROLES:
            return "role"
        if head_low in _GROUPS:
            return "team"
    if _looks_like_name(word, text, start):
        return "person"
    return None


def _agent_before(text: str, pos: int, skip_adverbs: bool) -> tuple[int, int] | None:
    """Span of the subject word that ends just before pos, skipping adverbs; None at a sentence boundary."""
    tokens = list(_TOKEN.finditer(text, max(0, pos - 80), pos))
    for token in reversed(tokens):
        value = token.group(0)
        if value in ".;:!?|":
            return None
        if skip_adverbs and value.lower() in _SKIPPABLE:
            continue
        return token.span()
    return None


@dataclass(frozen=True)
class _Check:
    """One pattern and how a match becomes a hit."""

    pattern: re.Pattern[str]
    code: str
    # Run only when the lower-cased text contains one of these words (None: always run); keeps the engine fast.
    triggers: frozenset[str] | None
    # "before": the subject is the word left of the match; "group": named groups agent/agent2 in the match.
    agent: str | None = None
    by_agent: tuple[tuple[str, str], ...] = ()
    droppable: bool = False
    span: str | None = None
    veto: re.Pattern[str] | None = None  # searched in the 60 chars before the match
    skip_adverbs: bool = True
    # Characters of which every match contains at least one, tested before the regex.
    literal: str | None = None
    # Word sets a match always takes a word from (one from each set), tested on the chunk's words
    # before the regex: some trigger words are common in ordinary prose.
    requires: tuple[frozenset[str], ...] = ()


_PERSON_CODES = (("person", "BL001"), ("pronoun", "BL001"), ("singled", "BL001"), ("team", "BL008"))
_JUDGE_CODES = (*_PERSON_CODES, ("role", "BL001"))
_CF_CODES = (
    ("person", "BL002"),
    ("pronoun", "BL002"),
    ("singled", "BL002"),
    ("role", "BL002"),
    ("team", "BL008"),
)
_PUNISH_CODES = (("person", "BL009"), ("pronoun", "BL009"), ("singled", "BL009"), ("role", "BL009"))
_EMOTION_CODES = tuple((kind, "BL006") for kind in ("person", "pronoun", "singled", "role", "team"))
_AGENT = r"(?P<agent>[@a-z][\w'\u2019.\-]*)(?:\s+(?P<agent2>[a-z][\w'\u2019\-]*))?"
_POSSESSIVE_TAIL = (
    r"(?<=\w)['\u2019]s?\s+(?:\w+\s+){0,2}?(?:"
    + _NEG_ADJ
    + r"|fault|blunder|screw-?up|oversight|negligence|carelessness|incompetence|error|fuck-?up|cock-?up)\b"
)


def _c(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


_CHECKS: tuple[_Check, ...] = (
    # BL001/BL008: someone as the agent of a damaging change.
    _Check(_c(r"\b" + _JUDGE_VERB), "BL001", _wordset(_JUDGE_WORDS), "before", _JUDGE_CODES),
    _Check(_c(r"\b" + _CAUSE_VERB), "BL001", _wordset(_CAUSE_WORDS), "before", _PERSON_CODES),
    _Check(
        _c(r"\b" + _WEAK_VERB + r"\b(?:(?!\band\b)[^.;:!?|\n]){0,40}?\b" + _NEG_ADJ + r"\b"),
        "BL001",
        _wordset(_WEAK_WORDS),
        "before",
        _PERSON_CODES,
        requires=(_wordset(_NEG_WORDS),),  # every match ends in a negative adjective
    ),
    _Check(
        _c(
            # The nearest past-tense verb before "without" is the one whose subject matters.
            r"\b\w+ed\s+(?:(?!\w+ed\s)\w+\s+){0,4}?without\s+(?:any\s+|first\s+|even\s+)?(?:testing|tests|review|reviewing|checking|"
            r"telling|asking|approval|a\s+review|looking|waiting|verifying|reading|running|consulting|notifying|"
            r"confirming|validating|warning|double-checking)\b"
        ),
        "BL001",
        _wordset("without"),
        "before",
        _PERSON_CODES,
    ),
    _Check(
        _c(_POSSESSIVE_TAIL),
        "BL001",
        _wordset(
            # The noun after the possessive, not the "s" of every possessive.
            _NEG_WORDS + " fault blunder screw oversight negligence "
            "carelessness incompetence error fuck cock"
        ),
        "before",
        _PERSON_CODES,
        skip_adverbs=False,
        literal="'\u2019",  # the apostrophe of the possessive
    ),
    _Check(
        _c(
            r"(?<=\w)['\u2019]s?\s+(?:\w+\s+){0,2}?(?:change|commit|push|deploy|deployment|pr|pull\s+request|script|"
            r"migration|query|patch|config|edit|code)\s+(?:\w+\s+){0,4}?(?:(?:is|was)\s+what\s+)?(?:caused|broke|took\s+down|"
            r"triggered|brought\s+down|led\s+to|resulted\s+in|is\s+to\s+blame|was\s+to\s+blame)\b"
        ),
        "BL001",
        _wordset("caused broke took triggered brought led resulted blame"),
        "before",
        _PERSON_CODES,
        skip_adverbs=False,
        literal="'\u2019",  # the apostrophe of the possessive
    ),
    _Check(
        _c(
            r"\b(?:caused\s+by|because\s+of|due\s+to|blame|blamed\s+on|fault\s+of|lies\s+with|rests\s+with|"
            r"lay\s+with|traced?\s+(?:back\s+)?to|traces\s+back\s+to|comes?\s+down\s+to)\s+"
            r"(?:the\s+|our\s+|that\s+)?" + _AGENT
        ),
        "BL001",
        _wordset(
            "caused because due blame blamed fault lies rests lay trace traced traces comes come"
        ),
        "group",
        _PERSON_CODES,
        span="agent",
    ),
    _Check(
        _c(
            r"\b"
            + _NEG_ADJ
            + r"\b[^.;!?|\n]{0,60}?\b(?:was|were|got|had\s+been|been)\s+(?:\w+\s+)?"
            r"(?:pushed|deployed|merged|shipped|committed|written|approved|introduced|made|applied|"
            r"run|entered|typed|added)\s+by\s+(?:the\s+)?" + _AGENT
        ),
        "BL001",
        _wordset(_NEG_WORDS),
        "group",
        _PERSON_CODES,
        span="agent",
        requires=(_wordset("was were got been"), _wordset("by")),  # "... was pushed by ..."
    ),
    _Check(
        _c(
            r"\b(?:caused|broken|misconfigured|botched|introduced|deleted|wiped)\s+by\s+(?:the\s+)?"
            + _AGENT
        ),
        "BL001",
        _wordset("caused broken misconfigured botched introduced deleted wiped"),
        "group",
        _PERSON_CODES,
        span="agent",
    ),
    # Ordinary operations that read as blame only with a named person as the subject: "they took
    # the nodes out of rotation" and "the database team dropped the old index" are routine.
    _Check(
        _c(
            r"\b(?:(?:took|brought|knocked)\s+(?:the\s+|our\s+|all\s+|every\s+)?(?:\w+\s+){1,2}?"
            r"(?:down|offline|over)|(?:deleted|wiped|erased|destroyed|disabled|dropped)\s+(?:the|our|all|every|"
            r"a|an)\s+(?:\w+\s+)?\w+)\b"
        ),
        "BL001",
        _wordset("took brought knocked deleted wiped erased destroyed disabled dropped"),
        "before",
        (("person", "BL001"), ("singled", "BL001")),
    ),
    # Letting a bad change through is blame for a person, a pronoun or a team.
    _Check(
        _c(
            r"\blet\s+(?:the\s+|this\s+|that\s+|an?\s+|it\s+)?(?:\w+\s+){0,2}?(?:through|slip|sit|rot|languish|"
            r"lapse)\b"
        ),
        "BL001",
        _wordset("through slip sit rot languish lapse"),
        "before",
        _PERSON_CODES,
    ),
    # A person or team named as the cause itself: "Root cause: Mark ran...", "the culprit was Ingrid".
    _Check(
        _c(r"\bculprit\s*(?::|-|=|\bwas\b|\bis\b)\s*(?:the\s+|our\s+)?" + _AGENT),
        "BL001",
        _wordset("culprit"),
        "group",
        _PERSON_CODES,
        span="agent",
    ),
    # After "root cause" a name counts only as the subject of an action a person takes, so
    # "Root cause: Quicksilver propagated ..." is left alone.
    _Check(
        _c(
            r"\b(?:root\s+cause|cause)\s*(?::|-|=|\bwas\b|\bis\b)\s*(?:the\s+|our\s+)?"
            r"(?P<agent>[@a-z][\w'\u2019.\-]*)\s+(?:\w+ly\s+)?(?:"
            + _WEAK_VERB
            + r"|deleted|broke|forgot|skipped|"
            r"ignored|disabled|dropped|removed|wiped|misconfigured|mistyped)\b"
        ),
        "BL001",
        _wordset("cause"),
        "group",
        _PERSON_CODES,
        span="agent",
    ),
    # Cleft sentences single out the agent: "it was Bill who deleted the zone".
    _Check(
        _c(
            r"\bit\s+(?:was|is)\s+(?:the\s+)?" + _AGENT + r"\s+(?:who|that)\s+(?:\w+\s+)?"
            r"(?:deleted|broke|pushed|merged|caused|disabled|dropped|wiped|removed|ran|deployed|shipped|"
            r"approved|forgot|skipped|ignored|changed|introduced|misconfigured|took)\b"
        ),
        "BL001",
        _wordset("who"),
        "group",
        _PERSON_CODES,
        span="agent",
    ),
    # "Who deleted the bucket?": a question that hunts for the person.
    _Check(
        _c(
            r"(?:^|(?<=[.;:!?])\s*)who\s+(?:\w+\s+)?(?:deleted|broke|pushed|merged|caused|disabled|dropped|"
            r"wiped|removed|ran|deployed|shipped|approved|forgot|skipped|ignored|changed|introduced|"
            r"misconfigured|is\s+responsible|was\s+responsible)\b[^.;!?]*\?"
        ),
        "BL001",
        _wordset("who"),
    ),
    # "responsible for this incident" with a person or team as the subject.
    _Check(
        _c(
            r"\b(?:is|are|was|were|be)\s+(?:solely\s+|entirely\s+|fully\s+|directly\s+|wholly\s+|ultimately\s+)?"
            r"responsible\s+for\s+(?:the|this|that|today['\u2019]s|yesterday['\u2019]s|another|our)\s+"
            r"(?:\w+\s+)?(?:outage|incident|failure|downtime|breakage|mess|disaster|data\s+loss|problem)\b"
            r"(?!\s+(?:response|review|report|retrospective|postmortem|communications?|comms|updates?|process|"
            r"channel|bridge|management|command))"
        ),
        "BL001",
        _wordset("responsible"),
        "before",
        _PERSON_CODES,
    ),
    # BL005 also covers a person given as the root cause.
    _Check(
        _c(
            r"\b(?:root\s+cause|cause)\s*(?::|was|is|=)\s*(?:the\s+|an?\s+|our\s+)?"
            r"(?:engineer|developer|operator|intern|on-?call|person|human|admin|individual|contractor|dba)s?\b"
        ),
        "BL005",
        _wordset("cause"),
    ),
    # BL002: counterfactuals aimed at people.
    _Check(_c(r"\b" + _CF_VERB), "BL002", _wordset(_CF_WORDS), "before", _CF_CODES),
    _Check(
        _c(
            r"\bif\s+only\s+(?:the\s+|a\s+|an\s+|our\s+|that\s+)?"
            + _AGENT
            + r"\s+(?:had|would|were|was|did)\b"
        ),
        "BL002",
        _wordset("only"),
        "group",
        _CF_CODES,
    ),
    _Check(_c(r"\b(?:his|her|their)\s+failure\s+to\b"), "BL002", _wordset("failure")),
    # "Had Tom just followed the checklist", "if he had actually read the diff".
    _Check(
        _c(
            r"(?:(?:^|(?<=[.;:!?])\s*)had|\bif)\s+(?:the\s+|an?\s+|our\s+|that\s+)?(?P<agent>[@a-z][\w'\u2019.\-]*)"
            r"(?:\s+(?P<agent2>engineer|developer|operator|reviewer|author|team|person|responder|admin))?"
            r"\s+(?:had\s+)?(?:just|only|simply|actually|even|properly|bothered\s+to|taken\s+the\s+time\s+to)\s+"
            r"(?!been\b)\w+"
        ),
        "BL002",
        _wordset("just only simply actually even properly bothered taken"),
        "group",
        _CF_CODES,
        requires=(_wordset("had if"),),  # every match starts with one of them
    ),
    _Check(
        _c(
            r"(?:^|(?<=[.;:!?])\s*)had\s+(?P<agent>[@a-z][\w'\u2019.\-]*)\s+(?!been\b|had\b|known\b)"
            r"(?:\w+ed|read|run|done|made|taken|thought|asked)\b"
        ),
        "BL002",
        _wordset("had"),
        "group",
        (("person", "BL002"), ("pronoun", "BL002"), ("singled", "BL002")),
    ),
    _Check(
        _c(
            r"\bwhy\s+(?:didn['\u2019]t|did\s+not|wasn['\u2019]t|weren['\u2019]t|hadn['\u2019]t|couldn['\u2019]t|"
            r"wouldn['\u2019]t|did\s+nobody|did\s+no\s+one)\s+(?:the\s+|our\s+|that\s+)?" + _AGENT
        ),
        "BL002",
        _wordset("why"),
        "group",
        _CF_CODES,
    ),
    # BL003: hindsight.
    _Check(_c(r"\bobviously\b"), "BL003", _wordset("obviously"), droppable=True),
    _Check(
        _c(
            r"\b(?:(?:it|this|that|which|they)\s+(?:was|is|were|seemed|should\s+have\s+been|must\s+have\s+been|"
            r"had\s+been)|it['\u2019]s|was)\s+(?:so\s+|very\s+|painfully\s+|blindingly\s+|completely\s+|totally\s+|"
            r"pretty\s+)?obvious\b|"
            r"\b(?:so|blindingly|painfully|glaringly|completely|totally)\s+obvious\b|"
            r"\bobvious\s+(?:mistake|error|typo|oversight|bug|problem|flaw|thing|failure|omission|signs?)\b|"
            r"\bobvious\s+to\s+(?:anyone|everyone|anybody|all)\b"
        ),
        "BL003",
        _wordset("obvious"),
    ),
    _Check(
        _c(
            r"\bclearly\s+(?:should|shouldn|was\s+(?:not|wrong|a\s+mistake|broken)|nobody|no\s+one|never|"
            r"didn|did\s+not|had\s+no|wasn|failed|ignored|someone|they|he|she|have|would|could|"
            r"wrong|a\s+mistake|not)\b"
        ),
        "BL003",
        _wordset("clearly"),
    ),
    _Check(
        _c(
            r"\b(?:any(?:one|body)|every(?:one|body)|any\s+(?:\w+\s+)?(?:engineer|person|developer|one|sre|"
            r"admin|operator|reviewer|human))\s+(?:\w+\s+)?(?:would|could|should|must)\s+(?:have\s+)?"
            r"(?:\w+\s+)?(?:known|seen|noticed|spotted|caught|realised|realized|guessed|predicted|understood|"
            r"figured|told|foreseen)\b"
        ),
        "BL003",
        _wordset("any anyone anybody everyone everybody"),
    ),
    _Check(
        _c(
            r"\b(?:in\s+hindsight|in\s+retrospect|with\s+hindsight|looking\s+back|with\s+the\s+benefit\s+of\s+"
            r"hindsight)\b[^.;!?|\n]{0,30}?\b(?:obvious(?:ly)?|clear(?:ly)?|evident|plain|should|apparent)\b"
        ),
        "BL003",
        _wordset("hindsight retrospect looking"),
    ),
    _Check(
        _c(
            r"\b(?:needless\s+to\s+say|it\s+goes\s+without\s+saying|plain\s+to\s+see|as\s+anyone\s+(?:can|could|"
            r"would)\s+(?:see|tell)|should\s+have\s+been\s+(?:obvious|clear|apparent|evident)|"
            r"(?:clear|evident|apparent)\s+to\s+(?:anyone|everyone|anybody)|easily\s+(?:avoid|prevent)(?:ed|able)|"
            r"(?:would|could)\s+(?:clearly|obviously|easily)\s+have\s+(?:prevented|caught|avoided|been\s+avoided)|"
            r"(?:simple|quick|basic|five-minute|two-minute|one-minute|cursory)\s+(?:check|test|look|glance)\s+"
            r"would\s+have)\b"
        ),
        "BL003",
        _wordset(
            "needless goes plain anyone should clear evident apparent easily clearly obviously would"
        ),
    ),
    # Foreknowledge attributed to everyone: "everyone knows you don't", "even a junior would have".
    _Check(
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
        _wordset("knows know sense even clear"),
    ),
    # BL004: judgmental words about people or their work.
    _Check(
        _c(
            r"\b(?:careless(?:ly|ness)?|sloppy|sloppily|sloppiness|incompeten(?:t|ce|tly)|reckless(?:ly|ness)?|"
            r"stupid(?:ly|ity)?|negligen(?:t|ce|tly)|clueless(?:ness)?|idiot(?:s|ic|ically)?|moron(?:s|ic)?|"
            r"amateur(?:s|ish)?|inept(?:itude|ly)?|foolish(?:ly|ness)?|boneheaded|bonehead|brainless|"
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
        _wordset(
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
    ),
    _Check(
        _c(
            r"\blaz(?:y|ily|iness)\b(?!\s*[-_]?\s*(?:load|loading|loaded|evaluat|eval|init|iterat|seq|val|static|"
            r"import|bind|fetch|mode|list|propert|attribute|field|relation|column|quantifier|match|consumer))"
        ),
        "BL004",
        _wordset("lazy lazily laziness"),
        veto=_c(r"(?:\bto|\bas|=|:|\bset)\s*$"),
    ),
    _Check(
        _c(
            r"\bdumb(?:est|er)?\b(?!\s+(?:terminal|pipe|switch|client|device|proxy|phone|hub|node|storage|"
            r"endpoint)s?\b)"
        ),
        "BL004",
        _wordset("dumb dumbest dumber"),
    ),
    # BL005: human error as the cause.
    _Check(
        _c(
            r"\b(?:human|operator|user|pilot|personnel|engineer|people)\s+errors?\b"
            r"(?!\s+(?:code|message|response|status|page|rate|class|type|handling|handler|path)s?\b)|"
            r"\bhuman\s+(?:mistakes?|slips?|lapses?|blunders?|failings?)\b|\bpersonal\s+(?:errors?|mistakes?)\b|\bpebkac\b|\bpebcak\b|\bid-?10-?t\b|\blayer[\s-]*8\s+(?:issue|problem|error|failure)\b|"
            r"\bfat[\s-]finger(?:ed|ing|s)?\b|\bfinger\s+trouble\b"
        ),
        "BL005",
        _wordset(
            "error errors pebkac pebcak id layer fat finger mistake mistakes slip slips lapse lapses "
            "blunder blunders failing failings"
        ),
        requires=(
            # The first word of each alternative: "error" alone is common in postmortems.
            _wordset(
                "human operator user pilot personnel engineer people personal pebkac pebcak id "
                "layer fat finger"
            ),
        ),
        veto=_c(
            r"(?:reduc\w*|eliminat\w*|remov\w*|prevent\w*|avoid\w*|minimi[sz]\w*|opportunit\w+\s+for|risk\s+of|"
            r"chances?\s+of|prone\s+to|susceptib\w+\s+to|guard\w*\s+against|resilien\w+\s+to|likelihood\s+of|"
            r"possibilit\w+\s+of|room\s+for|scope\s+for|less|without|mitigat\w*|protect\w*\s+against|"
            r"return\w*\s+(?:a|an)|not|isn['\u2019]t|wasn['\u2019]t|rather\s+than|instead\s+of|blam\w+\s+on)"
            r"\s+(?:\w+\s+){0,3}$"
        ),
    ),
    # BL006: mocking, sarcasm and emotional narration.
    _Check(
        _c(
            r"\b(?:at\s+it\s+again|(?:did|done|does|has\s+done)\s+it\s+again|genius(?:es)?|"
            r"what\s+an?\s+(?:genius|mess|joke|surprise|shock|disaster|day|night|nightmare|fiasco|clown|idiot|"
            r"fool|waste|shame|shambles|circus)|"
            r"yet\s+another\s+(?:\w+\s+)?(?:outage|incident|mistake|blunder|screw-?up|failure|brilliant|great|"
            r"genius|botched|typo|case|fine|stellar|classic|fiasco|disaster|mess|example)|"
            r"unbelievable|incredibl[ey]\s+(?:stupid|dumb|careless|sloppy)|"
            r"super-?hero(?:es|ic)?|rock-?stars?|ninjas?|saved\s+the\s+day|to\s+the\s+rescue|"
            r"knight\s+in\s+shining\s+armou?r|facepalm\w*|lol|lmao|rofl|smh|wtf|omg|ugh|sigh|yikes|"
            r"surprise,?\s+surprise|big\s+surprise|no\s+surprise\s+there|(?:nobody|no\s+one)\s+(?:is|was)\s+"
            r"(?:surprised|shocked)|(?:who|what)\s+could\s+(?:possibly\s+)?(?:have\s+)?(?:guessed|predicted|"
            r"gone\s+wrong)|go\s+figure|dumpster\s+fire|train\s*wreck|"
            r"(?:complete|total|absolute|utter|unmitigated)\s+(?:disaster|mess|nightmare|shambles|fiasco|"
            r"catastrophe|joke|failure|clown\s*show|chaos|trainwreck)|fiasco|debacle|shit\s*show|"
            r"clown\s*(?:show|car|fiesta)|damn(?:ed)?|crap(?:py)?|shit(?:ty)?|fuck\w*|bloody\s+hell|"
            r"brilliant\s+(?:move|idea|plan|decision)|thanks\s+a\s+lot|what\s+were\s+they\s+thinking|"
            r"freak(?:ed|ing)?\s+out|freak-out|lost\s+(?:it|(?:their|his|her)\s+(?:minds?|cool|heads?))|"
            r"in\s+(?:a|full)\s+panic|panic\s+(?:set\s+in|ensued|mode|button)|wasted\s+(?:\w+\s+)?"
            r"(?:hours?|minutes?|days?|time|the\s+(?:whole|entire)|our|a\s+whole|an\s+hour|an\s+entire))\b"
        ),
        "BL006",
        _wordset(
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
    _Check(
        _c(
            r"\bhero(?:es|ic|ically|ics)?\b(?!\s+(?:image|banner|section|unit|shot|component|video|area|block)s?\b)"
        ),
        "BL006",
        _wordset("hero heroes heroic heroically heroics"),
    ),
    _Check(
        _c(r"(?:^|(?<=[.;:!?])\s*|\b(?:and|but|so)\s+)of\s+course\b"), "BL006", _wordset("course")
    ),
    _Check(_c(r"\bunbelievably\b"), "BL006", _wordset("unbelievably"), droppable=True),
    _Check(_c(r"[!?]*!{2,}[!?]*|\?!|!\?"), "BL006", None, literal="!"),
    _Check(_c(r"(?:^|(?<=[.;:!?])\s*|,\s*)as\s+usual\b"), "BL006", _wordset("usual")),
    _Check(
        _c(r"\b(?:panicked|panicking|panics|freaked|flipped\s+out)\b"),
        "BL006",
        _wordset("panicked panicking panics freaked flipped"),
        "before",
        _EMOTION_CODES,
    ),
    # Ironic praise: always sarcastic phrases, or praise next to the damage it mocks.
    _Check(
        _c(
            r"\b(?:nice|good|great)\s+(?:one|going)\b|\bslow\s+clap|\bgolf\s+clap|\bway\s+to\s+go\b|"
            r"\bsmooth\s+move\b|\bwell\s+played\b|"
            r"\bthanks?\b[^.;!?|\n]{0,30}?\bfor\s+(?:another|nothing|ruining|breaking|wrecking|the\s+(?:extra|wasted|"
            r"ruined|lost))\b|"
            r"\b(?:great|good|nice|fantastic|stellar|amazing|excellent|brilliant|superb)\s+(?:job|work|stuff)\b"
            r"[^.;!?|\n]{0,40}?\b(?:managed\s+to|broke|breaking|broken|again|optional|twice|whoever)\b|"
            r"\b(?:well\s+done|bravo|congrat\w*|kudos|hats\s+off)\b[^.;!?|\n]{0,60}?\b(?:managed\s+to|broke|"
            r"breaking|broken|again|optional|twice|took\s+down|taking\s+down|whoever|deleting|wiping)\b"
        ),
        "BL006",
        _wordset(
            # The praise word each alternative must contain, not "one", "job" or "work".
            "nice good great fantastic stellar amazing excellent brilliant superb clap go smooth played "
            "done bravo congrats congratulations congratulation kudos hats thank thanks"
        ),
    ),
    # Sarcasm about the process: "is optional now", "because why not", "it's a miracle".
    _Check(
        _c(
            r"\b(?:is|are)\s+(?:apparently\s+)?optional\s+(?:now|these\s+days|nowadays|around\s+here)\b|"
            r"\bapparently\b[^.;!?|\n]{0,60}?\boptional\b|\btoo\s+much\s+to\s+ask\b|"
            r"\bwho\s+needs\s+(?:\w+\s+){0,2}?(?:tests|testing|backups|reviews?|staging|monitoring|runbooks?|"
            r"documentation|docs|canaries|alerts)\b|\bbecause\s+why\s+(?:not|wouldn['\u2019]t\s+it)\b|"
            r"\bit['\u2019]s\s+a\s+(?:small\s+)?miracle\b"
        ),
        "BL006",
        _wordset("optional ask needs why miracle"),
    ),
    _Check(
        _c(
            r"\b(?:engineers|developers|devs|people|folks|colleagues|teammates|friends)\s+like\s+"
            r"(?:these|those)\b"
        ),
        "BL006",
        _wordset("these those"),
    ),
    # Emotional narration by the author: "we were furious", "I couldn't believe my eyes".
    _Check(
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
        _wordset(
            "furious livid outraged disgusted appalled fuming enraged incensed seething apoplectic beside "
            "believe angry"
        ),
    ),
    # BL007: insinuation.
    _Check(
        _c(
            r"\b(?:certain\s+(?:people|persons|individuals|folks|engineers?|developers?|devs|team\s*members?|"
            r"colleagues|parties|someone|somebody|person|teams?|groups?|squads?)|"
            r"(?:an?|one)\s+(?:certain|particular)\s+(?:\w+\s+)?(?:person|engineer|developer|dev|team|someone|somebody|"
            r"individual|colleague|member|group|squad)|"
            r"some\s+(?:people|folks|individuals|engineers|developers|devs|team\s+members|colleagues)\s+"
            r"(?:\w+\s+){0,3}?(?:still|apparently|keep|kept|just|seem|seems|think|thought|don['\u2019]t|do\s+not|never|"
            r"refuse|insist|like|love|need|needs|should|can['\u2019]t|cannot|won['\u2019]t|clearly|obviously|believe|"
            r"prefer|treat|ignore|decided|chose|must|ought)|"
            r"you\s+know\s+who|(?:won['\u2019]t|will\s+not|not\s+going\s+to|shan['\u2019]t|not\s+to)\s+(?:say|mention|"
            r"point\s+out)\s+who|without\s+(?:naming|mentioning)\s+(?:anyone|anybody|names|who)|"
            r"knows?\s+what\s+(?:they|he|she|you)\s+did|let['\u2019]s\s+just\s+say|"
            r"suffice\s+(?:it\s+)?to\s+say|(?:shall|will|must|should)\s+remain\s+(?:nameless|anonymous|unnamed)|"
            r"(?:shall|will|must)\s+not\s+be\s+named|naming\s+(?:no\s+)?names|no\s+names|"
            r"(?:won['\u2019]t|will\s+not|not\s+going\s+to|not\s+to|don['\u2019]t|do\s+not)\s+name\s+(?:any\s+)?names|"
            r"(?:we|you|everyone|everybody)\s+(?:all\s+)?knows?\s+who|"
            r"the\s+(?:person|people|individual|individuals|engineer|developer|one|ones)\s+responsible|"
            r"those\s+responsible|guilty\s+part(?:y|ies)|usual\s+suspects)\b"
        ),
        "BL007",
        _wordset(
            "certain particular some know knows remain named naming names responsible guilty suspects say "
            "mentioning suffice mention point"
        ),
    ),
    # BL009: punishment or "be more careful" as an action.
    _Check(
        _c(
            r"\b(?:be\s+(?:more\s+|extra\s+|very\s+|much\s+more\s+|a\s+lot\s+more\s+)?(?:careful|vigilant|diligent|"
            r"thorough|attentive|cautious|mindful)|take\s+(?:more|extra|greater|better)\s+care|"
            r"pay\s+(?:more|closer|better|extra|greater|proper)\s+attention|more\s+carefully|"
            r"double[\s-]check\w*\b[^.;!?|\n]{0,40}?\b(?:next\s+time|in\s+(?:the\s+)?future|from\s+now\s+on|"
            r"going\s+forward)|next\s+time\b[^.;!?|\n]{0,30}?\b(?:double[\s-]check|be\s+careful|remember\s+to)|"
            r"disciplinary|disciplin(?:e|ed)\s+(?:the|him|her|them|those|whoever)|remedial\s+training|"
            r"(?:written|formal|verbal|final)\s+warning|(?:been|was|were|get|got|be|being)\s+written\s+up|"
            r"(?:don['\u2019]t|do\s+not|never)\s+do\s+(?:it|that|this)\s+again|"
            r"let\s+(?:him|her|them)\s+go|terminat\w+\s+(?:his|her|their)\s+(?:employment|contract)|"
            r"dock\w*\s+(?:his|her|their)\s+pay|demot(?:e|ed|ion)|reprimand\w*|"
            r"performance\s+improvement\s+plan|on\s+a\s+pip|punish\w*|"
            r"(?:be\s+)?held\s+(?:accountable|responsible)|hold\s+(?!ourselves|us\b)\w+\s+(?:\w+\s+)?accountable|"
            r"face\s+(?:the\s+)?consequences|there\s+will\s+be\s+consequences|"
            r"remind\w*\s+(?:all\s+|the\s+)?(?:everyone|everybody|engineers|developers|team|people|staff|him|"
            r"her|them|engineer|developer|on-?call)\s+(?:\w+\s+)?to)\b"
        ),
        "BL009",
        _wordset(
            # The rarest word each alternative must contain ("double", not "check" or "next").
            "careful vigilant diligent thorough attentive cautious mindful care attention carefully "
            "double remember disciplinary discipline disciplined remedial warning written again let "
            "employment contract pay demote demoted demotion reprimand reprimanded reprimanding "
            "reprimands performance pip punish punished punishing punishment punishes accountable "
            "held consequences remind reminded reminding reminds"
        ),
    ),
    _Check(
        _c(r"\b(?:try\s+harder|do\s+better)\b"),
        "BL009",
        _wordset("harder better"),
        veto=_c(r"\bwe\s+(?:\w+\s+){0,3}$"),
    ),
    _Check(
        _c(
            r"\b(?:fire|sack|re-?train|discipline|write\s+up|punish|suspend|demote)\s+(?:the\s+|our\s+|that\s+)?"
            + _AGENT
        ),
        "BL009",
        _wordset("fire sack train retrain discipline write punish suspend demote"),
        "group",
        (*_PUNISH_CODES, ("team", "BL009")),
    ),
    _Check(
        _c(
            r"\b(?:remov\w*|revok\w*|tak\w+\s+away|strip\w*|suspend\w*|restrict\w*|pull\w*)\s+"
            r"(?:his|her|their|[@a-z][\w'\u2019.\-]*['\u2019]s)\s+(?:\w+\s+){0,2}?(?:access|permissions?|privileges?|rights|"
            r"credentials|keys?)\b"
        ),
        "BL009",
        _wordset("access permission permissions privileges rights credentials key keys"),
    ),
    _Check(
        _c(
            r"\b(?:remov\w*|revok\w*|tak\w+\s+away|strip\w*|suspend\w*|restrict\w*|pull\w*)\s+(?:\w+\s+){0,2}?"
            r"(?:access|permissions?|privileges?|rights)\s+(?:from|for)\s+(?:the\s+)?" + _AGENT
        ),
        "BL009",
        _wordset("access permission permissions privileges rights"),
        "group",
        _PUNISH_CODES,
    ),
    _Check(
        _c(
            r"\b(?:remov\w*|ban\w*|kick\w*|tak\w+)\s+(?:the\s+)?(?P<agent>[@a-z][\w'\u2019.\-]*)"
            r"\s+(?:\w+\s+)?(?:from|off)\s+(?:the\s+)?(?:on-?call|rotation|team|project|production|prod|repo)"
        ),
        "BL009",
        _wordset("rotation team project production prod repo call oncall"),
        "group",
        _PUNISH_CODES,
    ),
)

_PUNISH_CHECKS: tuple[_Check, ...] = (
    # Passive punishment of a person: "Tom will be removed from the rotation", "should be fired".
    _Check(
        _c(
            r"\b(?:will|should|must|shall|needs?\s+to|(?:is|are)\s+going\s+to|has\s+been|have\s+been|is\s+being|"
            r"are\s+being)\s+(?:be\s+)?(?:immediately\s+|permanently\s+|temporarily\s+)?(?:removed|taken\s+off|"
            r"kicked|banned|suspended|fired|sacked|dismissed|demoted|disciplined|reprimanded|let\s+go|"
            r"punished|written\s+up)\b(?!\s+(?:from|to)\s+(?:the\s+)?(?:cluster|pool|"
            r"load\s+balancer|rotation\s+of\s+hosts|dns|service|list|config))"
        ),
        "BL009",
        _wordset(
            "removed taken kicked banned suspended fired sacked dismissed demoted disciplined reprimanded "
            "let punished written"
        ),
        "before",
        _PUNISH_CODES,
    ),
    # "Olu has lost the right to deploy": a privilege taken from a person.
    _Check(
        _c(
            r"\b(?:has|have|will|should|must)\s+(?:\w+\s+)?(?:lost|lose|forfeited|forfeit)\s+(?:the\s+|their\s+|his\s+|"
            r"her\s+)?(?:right|rights|privilege|privileges|access|permission|permissions)\b"
        ),
        "BL009",
        _wordset("lost lose forfeited forfeit"),
        "before",
        _PUNISH_CODES,
    ),
    # "Bill's deploy rights are suspended": access withdrawn from a named person.
    _Check(
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
        _wordset("suspended revoked removed restricted pulled withdrawn taken limited"),
        "before",
        _PUNISH_CODES,
        skip_adverbs=False,
    ),
)
_CHECKS = _CHECKS + _PUNISH_CHECKS

# Markdown noise inside a chunk of prose: masked (replaced by spaces) so offsets stay valid.
_INLINE_MASK = re.compile(
    # The lookahead lets the engine skip, in one step, every position no alternative can start at.
    r"(?=[`<\]\[_*~hw \t])(?:"
    r"(`+)[^`]*?\1"  # inline code spans
    r"|<!--.*?(?:-->|$)"  # HTML comments
    r"|\]\([^)\s]*(?:\s+\"[^\"]*\")?\)"  # link targets
    r"|^\s*\[[^\]]+\]:\s*\S.*$"  # reference definitions
    r"|<(?:https?|mailto|ftp):[^>]*>"  # autolinks
    r"|\bhttps?://\S+|\bwww\.\S+"  # bare URLs
    r"|</?[A-Za-z][^>]*>"  # HTML tags
    r"|(?<!\w)_+|_+(?!\w)|\*+|~~)",  # emphasis markers, not underscores inside identifiers
    re.MULTILINE | re.DOTALL,
)


_NOT_NEWLINE = re.compile(r"[^\n]")


def _mask(match: re.Match[str]) -> str:
    found = match.group(0)
    if "\n" not in found:
        return " " * len(found)  # the common case (emphasis markers, short spans) needs no regex
    return _NOT_NEWLINE.sub(" ", found)


_MAYBE_MARKUP = re.compile(r"[`<\]_*~\[]|://|www\.")
_MARKUP_BUT_STARS = re.compile(r"[`<\]_~\[]|://|www\.")


def _mask_inline(text: str) -> str:
    if not _MARKUP_BUT_STARS.search(text):
        # Only emphasis stars (the **kind** of every timeline entry): no other alternative of
        # _INLINE_MASK can match, and each run of stars becomes as many spaces.
        return text.replace("*", " ")
    return _INLINE_MASK.sub(_mask, text)


@dataclass(frozen=True)
class _Prepared:
    allow: re.Pattern[str] | None
    extra: re.Pattern[str] | None


def _phrase_pattern(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    cleaned = sorted({p.strip() for p in phrases if p.strip()}, key=len, reverse=True)
    if not cleaned:
        return None
    body = "|".join(r"\s+".join(re.escape(w) for w in p.split()) for p in cleaned)
    return re.compile(r"(?<!\w)(?:" + body + r")(?!\w)", re.IGNORECASE)


@lru_cache(maxsize=64)
def _prepare(options: BlamelessOptions) -> _Prepared:
    # Cached per options value so repeated calls with one config never recompile.
    return _Prepared(_phrase_pattern(options.allow), _phrase_pattern(options.extra_terms))


def _drop_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Span to delete so that removing a parenthetical adverb leaves a grammatical sentence."""
    if text[end : end + 1] == "," and text[max(0, start - 2) : start] == ", ":
        return start - 2, end + 1  # "the deploy, obviously, broke" -> "the deploy broke"
    at_sentence_start = _SENTENCE_END.search(text, 0, start) is not None
    if at_sentence_start:
        return None  # dropping it would leave a lower-case sentence start
    if text[end : end + 1] == " " and text[start - 1 : start] == " ":
        return start, end + 1
    if text[start - 1 : start] == " " and text[end : end + 1] in (".", ",", ";", ":", "!", "?", ""):
        return start - 1, end
    return None


def _lower_same_length(text: str) -> str:
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    # A few characters (e.g. 'İ') grow when lower-cased; keep offsets aligned with the original.
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _classify_match(
    check: _Check, match: re.Match[str], text: str, people: frozenset[str]
) -> tuple[str | None, int]:
    """Agent kind of the match, and where the reported span starts (at the agent when it precedes)."""
    if check.agent == "before":
        span = _agent_before(text, match.start(), check.skip_adverbs)
        if span is None:
            return None, match.start()
        word = text[span[0] : span[1]]
        if word in ("April", "May", "June", "August"):
            # "June broke the build": a month name directly before the verb is its subject,
            # unless a preposition or a number makes it a date ("in June", "June 3").
            prev = _PREV_WORD.search(text, max(0, span[0] - 30), span[0])
            if prev is None or prev.group(1).lower() not in _MONTH_CONTEXT:
                return "person", span[0]
        return _agent_kind(text, span[0], span[1], people), span[0]
    if "agent2" in check.pattern.groupindex and match.group("agent2"):
        # "the platform team": the head noun decides; "Dave and": the first word does.
        head = _agent_kind(text, match.start("agent2"), match.end("agent2"), people)
        if head in ("team", "role", "singled"):
            return head, match.start()
        second = match.group("agent2")
        if (
            match.group("agent") in _DEPARTMENTS
            and not second.endswith("ing")
            and second not in _LINKERS
        ):
            return None, match.start()  # "due to marketing emails": a modifier, not the agent
    return _agent_kind(text, match.start("agent"), match.end("agent"), people), match.start()


def _hits_for(check: _Check, text: str, low: str, people: frozenset[str]) -> Iterator[BlameHit]:
    for match in check.pattern.finditer(low):
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
        if check.veto is not None and check.veto.search(
            low, max(0, match.start() - 60), match.start()
        ):
            continue
        while start < end and text[start].isspace():
            start += 1
        message, suggestion = _MESSAGES[code]
        replacement = None
        if check.droppable:
            dropped = _drop_span(text, start, end)
            if dropped is not None:
                start, end = dropped
                replacement = ""
                suggestion = f"Delete '{text[start:end].strip(' ,')}'."
        yield BlameHit(code, start, end, message, suggestion, replacement)


def _index_triggers() -> tuple[dict[str, tuple[int, ...]], frozenset[int]]:
    # word -> the checks it can wake up: one set intersection per chunk instead of one per check.
    by_word: dict[str, list[int]] = {}
    always: set[int] = set()
    for index, check in enumerate(_CHECKS):
        if check.triggers is None:
            always.add(index)
            continue
        for word in check.triggers:
            by_word.setdefault(word, []).append(index)
    return {word: tuple(found) for word, found in by_word.items()}, frozenset(always)


_CHECKS_BY_TRIGGER, _ALWAYS = _index_triggers()
_TRIGGER_WORDS = frozenset(_CHECKS_BY_TRIGGER)


def check_text(text: str, options: BlamelessOptions = BlamelessOptions()) -> list[BlameHit]:
    """Check one chunk of prose (a paragraph, a table cell, a list item: may contain several sentences and inline Markdown)."""
    return _check_chunk(text, _prepare(options), options.people)


def _check_chunk(text: str, prepared: _Prepared, people: frozenset[str]) -> list[BlameHit]:
    """check_text, with what depends only on the options prepared once by the caller."""
    low = _lower_same_length(text)
    words = _ALPHA.findall(low)
    present = _TRIGGER_WORDS.intersection(words)
    if not present and prepared.extra is None and "!" not in text:
        # Most factual prose: masking markup can only remove words, never add them, and the
        # only check without trigger words looks for "!!" and "?!".
        return []
    masked = text
    if _MAYBE_MARKUP.search(text):
        masked = _mask_inline(text)
        low = _lower_same_length(masked)
        words = _ALPHA.findall(low)
        present = _TRIGGER_WORDS.intersection(words)
    hits: list[BlameHit] = []
    word_set: set[str] | None = None
    for index in sorted({i for word in present for i in _CHECKS_BY_TRIGGER[word]} | _ALWAYS):
        check = _CHECKS[index]
        if check.literal is not None and not any(char in masked for char in check.literal):
            continue
        if check.requires:
            if word_set is None:
                word_set = set(words)
            if any(word_set.isdisjoint(required) for required in check.requires):
                continue
        hits.extend(_hits_for(check, masked, low, people))
    if prepared.extra is not None:
        for match in prepared.extra.finditer(masked):
            message, suggestion = _MESSAGES["BL004"]
            hits.append(BlameHit("BL004", match.start(), match.end(), message, suggestion))
    if prepared.allow is not None and hits:
        allowed = [m.span() for m in prepared.allow.finditer(masked)]
        hits = [h for h in hits if not any(s < h.end and h.start < e for s, e in allowed)]
    return _dedupe(hits) if len(hits) > 1 else hits


def _dedupe(hits: list[BlameHit]) -> list[BlameHit]:
    """Keep one hit per code per overlapping span, preferring ones that carry a replacement."""
    hits.sort(key=lambda h: (h.start, h.replacement is None, -(h.end - h.start)))
    kept: list[BlameHit] = []
    for hit in hits:
        if any(k.code == hit.code and k.start < hit.end and hit.start < k.end for k in kept):
            continue
        kept.append(hit)
    return kept


# --- Markdown ---------------------------------------------------------------------------------

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_TABLE_ROW = re.compile(r"^\s*\|")
_TABLE_DELIM = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
_QUOTE = re.compile(r"^ {0,3}>")
_LOG_LINE = re.compile(
    r"^\s*>+\s*(?:\[|\d{2,4}[-/:.]\d|\d{1,2}:\d{2}|(?:ERROR|ERR|WARN(?:ING)?|INFO|DEBUG|TRACE|FATAL|CRIT(?:ICAL)?|"
    r"PANIC|NOTICE|[EWIF]\d{4})\b|[\w.\-/]+(?:\[\d+\])?:\s|\$\s|#\s|\w+=\S|at\s+[\w.$]+\(|Traceback\b|"
    r"(?:[\w-]+\.)+(?:go|py|java|js|ts|rb|rs):\d+)"
)
_PERSON_SECTIONS = re.compile(
    r"timeline|responders|who\s+worked|participants|people\s+involved", re.IGNORECASE
)
_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
_REF_DEF = re.compile(r"^ {0,3}\[[^\]]+\]:\s*\S")


_BLOCK_MARKERS = frozenset("#`~<>|-*+:[0123456789")
"""First characters of the lines that are more than paragraph text."""


def _markdown_chunks(body: str) -> Iterator[tuple[int, str, bool]]:
    """Yield (offset, prose, in_person_section) for each checkable block of the Markdown body."""
    lines = _LINES.findall(body)
    offset = 0
    fence: str | None = None
    in_comment = False
    in_person_section = False
    prev_blank = True
    current: list[str] = []
    current_start = 0
    quote_block: list[tuple[int, str]] = []

    def flush() -> Iterator[tuple[int, str, bool]]:
        if current:
            yield current_start, "".join(current), in_person_section
            current.clear()

    def flush_quote() -> Iterator[tuple[int, str, bool]]:
        if quote_block:
            # Quoted log output is evidence, not the author's words: skip the whole block.
            if not any(_LOG_LINE.match(q) for _, q in quote_block):
                for q_off, q_line in quote_block:
                    yield q_off, q_line, in_person_section
            quote_block.clear()

    for line in lines:
        line_start = offset
        offset += len(line)
        stripped = line.strip()
        if fence is not None:
            if stripped.startswith(fence[0] * len(fence)) and not stripped.strip(fence[0]):
                fence = None
            prev_blank = False
            continue
        if in_comment:
            if "-->" in line:
                in_comment = False
                tail = line.index("-->") + 3
                masked_line = " " * tail + line[tail:]
                if masked_line.strip():
                    yield from flush()
                    current_start = line_start
                    current.append(masked_line)
            continue
        if not stripped:
            # Guarded here and below: these two paths run for most lines, and a generator
            # per call costs more than the check.
            if current:
                yield from flush()
            if quote_block:
                yield from flush_quote()
            prev_blank = True
            continue
        indented = line.startswith(("    ", "\t"))
        if not indented and stripped[0] not in _BLOCK_MARKERS:
            # A plain line of a paragraph, the most common kind: none of the patterns below
            # can match it, so skip them.
            if quote_block:
                yield from flush_quote()
            if not current:
                current_start = line_start
            current.append(line)
            prev_blank = False
            continue
        if not indented and stripped[0] in "-*+" and stripped[1:2].isspace():
            # A bullet item (timelines and action items are lists): of the patterns below,
            # only _LIST_ITEM can match it.
            if quote_block:
                yield from flush_quote()
            if current:
                yield from flush()
            current_start = line_start
            current.append(line)
            prev_blank = False
            continue
        # A fence starts with ` or ~ after at most three spaces: never a blank, plain, bullet
        # or indented line, so it is looked for only now.
        fence_match = _FENCE.match(line)
        if fence_match:
            yield from flush()
            yield from flush_quote()
            fence = fence_match.group(1)
            continue
        if prev_blank and not current and indented and not _LIST_ITEM.match(line):
            continue  # indented code block
        if line.lstrip().startswith("<!--") and "-->" not in line:
            yield from flush()
            in_comment = True
            continue
        heading = _HEADING.match(line)
        if heading:
            if current:
                yield from flush()
            if quote_block:
                yield from flush_quote()
            if len(heading.group(1)) >= 2:
                in_person_section = bool(_PERSON_SECTIONS.search(heading.group(2)))
            yield line_start, line, in_person_section
            prev_blank = False
            continue
        if _QUOTE.match(line):
            yield from flush()
            quote_block.append((line_start, line))
            prev_blank = False
            continue
        yield from flush_quote()
        if _REF_DEF.match(line) or _TABLE_DELIM.match(line):
            yield from flush()
            prev_blank = False
            continue
        if _TABLE_ROW.match(line) or _LIST_ITEM.match(line):
            yield from flush()
            current_start = line_start
            current.append(line)
        else:
            if not current:
                current_start = line_start
            current.append(line)
        prev_blank = False
    yield from flush()
    yield from flush_quote()


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def check_markdown(
    body: str, options: BlamelessOptions = BlamelessOptions()
) -> list[tuple[int, int, BlameHit]]:
    """Check a Markdown body (no front-matter); return (1-based line, 1-based column, hit) with offsets into body."""
    line_starts: list[int] = []
    results: list[tuple[int, int, BlameHit]] = []
    prepared = _prepare(options)
    for chunk_start, chunk, in_person_section in _markdown_chunks(body):
        hits = _check_chunk(chunk, prepared, options.people)
        if not hits:
            continue
        if not line_starts:
            line_starts.append(0)
            line_starts.extend(m.end() for m in _LINE_BREAK.finditer(body))
        is_heading = _HEADING.match(chunk) is not None
        for hit in hits:
            if hit.code == "BL001" and (in_person_section or is_heading):
                # Neutral names belong in the timeline and responders list; Title Case headings
                # capitalise every word, so the name heuristic cannot work there.
                continue
            start = chunk_start + hit.start
            shifted = BlameHit(
                hit.code, start, chunk_start + hit.end, hit.message, hit.suggestion, hit.replacement
            )
            line_index = bisect_right(line_starts, start) - 1
            results.append((line_index + 1, start - line_starts[line_index] + 1, shifted))
    results.sort(key=lambda r: (r[0], r[1], r[2].code))
    return results
