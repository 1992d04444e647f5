"""The words the blameless rules are built from: word lists and regex fragments, built once."""

from __future__ import annotations

import re


# Default message (why it reads as blame + what to write instead) and rewrite advice per code.
def wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Patterns run on the lower-cased text (same offsets as the original), so they are written in lower case
# and compiled without IGNORECASE, which keeps the regex engine's literal-prefix fast paths.
NEG_ADJ = (
    r"(?:broken|bad|faulty|buggy|wrong|incorrect|corrupt(?:ed)?|untested|unreviewed|malformed|invalid|"
    r"bogus|half-baked|busted|defective|erroneous|flawed|botched|borked|typo(?:s|'d)?|mistakes?|bugs?|"
    r"poison(?:ed)?|garbage|rogue|dodgy|hasty|rushed|sloppy|careless)"
)
NEG_WORDS = (
    "broken bad faulty buggy wrong incorrect corrupt corrupted untested unreviewed malformed invalid bogus "
    "half baked busted defective erroneous flawed botched borked typo typos mistake mistakes bug bugs poison "
    "poisoned garbage rogue dodgy hasty rushed sloppy careless"
)
# Nouns that say a person is at fault ("Dave's fault", "her blunder").
BLAME_NOUNS = r"fault|blunder|screw-?up|negligence|carelessness|incompetence|fuck-?up|cock-?up"
# The care asked of someone instead of a safeguard ("be more careful", "stay vigilant").
CARE = r"(?:careful|vigilant|diligent|thorough|attentive|cautious|mindful)"
# Verbs that say what a person did without judging it: blame only with a negative object.
WEAK_VERB = (
    r"(?:pushed|deployed|merged|shipped|committed|ran|executed|applied|typed|entered|wrote|"
    r"released|rolled\s+out|approved|changed|edited|modified|uploaded|introduced|added|made|"
    r"landed|sent|published|configured|set)"
)
WEAK_WORDS = (
    "pushed deployed merged shipped committed ran executed applied typed entered wrote released rolled "
    "approved changed edited modified uploaded introduced added made landed sent published configured set"
)
# Verbs that themselves say the person caused damage.
CAUSE_VERB = (
    # "broke the dependency" or "the cycle": a deliberate cut to contain the damage, not damage.
    r"(?:(?:broke|breaks|has\s+broken)(?!\s+(?:the\s+|a\s+|that\s+|this\s+)?"
    r"(?:dependency|dependencies|cycle|loop|deadlock|tie|glass)\b)|took\s+down|brought\s+down|knocked\s+over|taken\s+down|"
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
CAUSE_WORDS = (
    "broke breaks broken took brought knocked taken misconfigured mistyped caused introduced deleted dropped "
    "wiped truncated nuked destroyed overwrote erased trashed wrecked ignored skipped bypassed"
)
# Verbs and phrases that judge the person whoever they are, including an unnamed role.
JUDGE_VERB = (
    r"(?:screwed\s+up|screws\s+up|messed\s+up|messes\s+up|botched|bungled|fat-?fingered|fumbled|"
    r"blundered|goofed|dropped\s+the\s+ball|(?:is|was|are|were)\s+to\s+blame|"
    r"made\s+a\s+mess|cocked\s+up|fucked\s+up|borked)\b"
)
JUDGE_WORDS = "screwed screws messed messes botched bungled fat fingered fatfingered fumbled blundered goofed dropped blame made cocked fucked borked"
CF_VERB = (
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
CF_WORDS = (
    "should ought failed forgot forgets neglected omitted did didn never couldn could chose decided lazy "
    "paying daydreaming"
)

# Words that may sit between a subject and its verb without changing who the subject is.
SKIPPABLE = wordset(
    """
    accidentally mistakenly carelessly just then also simply clearly obviously apparently
    somehow again once more even completely totally basically literally really still already had
    has have who that unfortunately probably evidently ever , yet promptly immediately later
    subsequently
    """
)
PRONOUNS = wordset(
    """
    he she him her they someone somebody nobody anyone anybody everyone everybody whoever you
    """
)
# Roles that single out one person when named as the agent of a mistake.
SINGLED_ROLES = frozenset(["intern", "newbie", "rookie", "junior", "contractor", "trainee"])
ROLES = SINGLED_ROLES | wordset(
    """
    engineer developer dev operator admin administrator sre reviewer author person responder
    on-call oncall dba manager employee colleague approver committer individual teammate lead
    commander programmer sysadmin owner deployer maintainer releaser implementer assignee submitter
    requester
    """
)
GROUPS = wordset(
    """
    team teams squad group folks guys department org crew devs developers engineers dbas sres
    contractors admins ops qa operators reviewers interns people staff
    """
)
# Groups that are machines' or accounts', not people's: "the consumer group failed to rebalance",
# "Auto Scaling Groups failed to launch", "the target group failed to register the instances".
MACHINE_GROUPS = wordset(
    """
    consumer target node instance placement scaling autoscaling replica log resource availability
    subnet parameter option partition volume thread raid cgroup
    """
)
# Departments read as a team only as a bare subject: "due to marketing emails" is not blame.
DEPARTMENTS = wordset("marketing sales finance legal hr management leadership infra")
# Month names that are also given names: a person when they are the subject of a verb.
LINKERS = wordset("and or who which that when after before again for by with")
# Words that carry on a clause about a person: "caused by Dave not testing", "Dave alone".
PERSON_FOLLOWERS = LINKERS | wordset(
    "not never alone himself herself themselves personally directly just simply as our we us i my "
    "his her their the a an"
)
SUBJECT_VERBS = wordset(
    """
    is was has had did does should would could will can must might never just always also
    ran took broke left forgot made went sat let put set gave got told saw knew thought kept
    hit shut cut wrote drove chose threw slept lost ate fell began brought caught sent spent
    """
)
"""Auxiliaries and verbs in the past tense that do not end in -ed: what follows a subject."""
MONTH_NAMES = wordset("jan jun june april august")
"""Months, or their abbreviations, that are also given names: a name unless a date reads them."""
MONTH_CONTEXT = wordset(
    "in on during since until till before after to between around past into early late mid last "
    "next this each every through the"
)
"""Words before a month that make it a date ("in June", "after April", "the June release"); "by",
"from" and "of" do only with a number after the month ("by June 3"), since "by Jun" is a person."""
CLAUSE_OPENERS = wordset(
    "because since after before when until and but so then once while if though although"
)
"""Words that open a clause, so that the word after them may be its subject."""
DOTTED_ABBREVIATIONS = wordset(
    """
    U.S U.K E.U U.N U.S.A U.A.E N.Z A.M P.M N.B P.S Q.A I.T D.C L.A N.Y B.C A.D R.I.P A.K.A
    F.A.Q I.E E.G V.S T.V S.A O.K N.A T.B.D T.B.C C.E.O C.T.O C.I.O C.F.O U.T.C C.E.T G.M.T X.Y.Z
    """
)
"""Abbreviations written with dots that are not a person's initials (see model._initials)."""
AUXILIARIES = wordset("is was has had did does will can might would could should must")
# Capitalised words that are not people: function words, calendar words, common tools and vendors.
NOT_NAMES = wordset(
    """
    the a an this that these those it its our we us their there here after before during when
    while once then since until at on in of for to from by with without and but or so because if
    although though however also all any each every no none some both either neither most many
    much more few what which who whom whose why how where his her he she they them you your i my
    me mine on-call today yesterday tomorrow tonight morning evening afternoon night monday
    tuesday wednesday thursday friday saturday sunday january february march april may june july
    august september october november december feb mar apr jun jul aug sep sept oct nov dec
    mondays tuesdays wednesdays thursdays fridays saturdays sundays weekdays mon tue tues wed
    thu thur thurs fri sat sun am pm utc gmt christmas easter action actions
    root cause
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
    third next last furthermore moreover nevertheless nonetheless sometime thus hence likewise
    besides
    """
)
# Evidence that a capitalised word names an organisation, a product or a machine, not a
# person: people are not followed by these nouns ("Discord engineers", "the Xubuntu team", "Acme
# Inc", "the Binder pod", "Boskos deployments", "a Plot NFT"). Only nouns that are never verbs
# after a name: not "deploys", "alerts", "logs", "builds", "hosts", "packages", "releases".
ORGANISATION_FOLLOWERS = wordset(
    """
    engineers engineering employees staff developers devs maintainers users customers admins
    administrators team teams support infrastructure servers datacenter datacenters website
    platform cloud headquarters ceo cto founder founders inc corp ltd llc gmbh
    server pod pods cluster clusters deployment deployments installer instance instances node
    nodes blockchain mainnet testnet software repository repositories repo repos bot bots
    database databases metrics dashboard dashboards endpoint endpoints daemon container
    containers pipeline pipelines scheduler controller cronjob bucket wallet wallets protocol
    firmware api apis sdk cli app apps plugin plugins binary binaries library libraries module
    modules kernel vm vms config configuration version versions nft nfts tls dns cdn
    """
)
# What a machine or a program is, named in a parenthesis after its name ("Nietzsche (the main
# database server)") or before the name it is given ("a bot named Marvin"): no person is such a
# thing. Not what people are too ("the meeting host", "a contract worker", "the tool").
MACHINES = wordset(
    """
    server servers database db cluster node instance vm service microservice api app bot
    daemon pod container proxy router switch firewall repository repo library website pipeline
    queue bucket cronjob scheduler controller
    """
)
# ... nor do they own these ("Foursquare's employees", "Etsy's headquarters"). Not a database,
# an API, a network, servers, users or customers: "Marcus's database migration", "Khalid's API
# key" and a salesperson's customers are a person's; nor engineers, developers or contributors,
# whom a manager or a maintainer has too ("Kevin's engineers were paged").
ORGANISATION_POSSESSIONS = wordset(
    """
    employees staff headquarters ceo cto founder founders shareholders datacenter datacenters
    """
)
# Code hosts, where the second part of an address's path is a repository's name
# ("github.com/sigp/lighthouse"); the first is its owner's login, and what follows may be a
# branch named after a person ("tree/kevin/fix"): see agents.addressed.
CODE_HOSTS = wordset(
    """
    github.com gitlab.com codeberg.org bitbucket.org
    """
)
# Short parts of dotted or underscored words that are code, files or hosts, not initials of a
# person's handle: "app.py", "user_id", "os.path", "example.io", "e.g".
NOT_INITIALS = wordset(
    """
    so py rb go js ts md sh pl rs cs db id io ui os re np pd tf fs gz xz sql log tmp txt vs st dr mr ms
    cfg ini yml env pem crt key csv tsv xml pdf png jpg gif svg zip tar jar war lock json yaml
    html css conf com org net dev app gov edu uk de fr us eu in co ai me
    """
)
HANDLE_SHAPE = re.compile(r"([a-z]{1,12})[._]([a-z]{1,12})")
"""A lowercase handle written without its @: 'sigrid.h', 'priya_k', 'j.mueller', 'linh.ng'."""
NAME_SHAPE = re.compile(r"(?:[^\W\d_]['\u2019])?[^\W\d_]{2,}(?:[-'\u2019][^\W\d_]{2,})*")
"""The letters of a name, in any alphabet: parts joined by hyphens or apostrophes ('Jean-Luc'),
perhaps after a letter and an apostrophe ('O'Brien', 'D'Angelo'). See agents.name_shaped."""
NAME_JOINS = re.compile(r"[-'\u2019]")
NOUN_SUFFIX = re.compile(
    r"(?:ing|tion|sion|ment|ness|ity|ies|ers|ors|ed|ly|al|ive|ous|able|ible|ance|ence|ure|age|ism|ize|ify|"
    r"ics|ogy|ship|ways|[^aeiousy]s|ys|es)$"
)
S_NAMES = wordset(
    """
    james charles agnes jules miles wes yves hans jens lars niels jonas matthias tobias elias
    andreas lucas thomas nicolas nicholas marcus douglas carlos chris kris ross russ jess tess
    doris boris iris dennis francis louis otis travis curtis lewis ellis ines gus klaus mateus
    julius cyrus rufus magnus hayes reyes terrence terence florence lawrence laurence clarence
    constance prudence
    """
)
# Frames that hold a blameful phrase up to reject it rather than assert it, governing the phrase
# that follows within a few words and no punctuation: "It would be easy to call this human
# error", "not because Jess made a typo", "no evidence of carelessness"; or opening the clause
# ("Calling this operator error would ...", "Saying Sean should have been more careful doesn't").
_REACH = r"(?:(?!\bbut\b)[^,;:.!?]){0,40}$"
"""Where a frame reaches: a few words, no punctuation and no "but" ("This is not about tooling
but about Dave being careless")."""
_N = r"(?:\s+not|n['\u2019]t)"
SUSPENDING = re.compile(
    r"\b(?:(?:easy|easier|tempting|unfair)\s+to\s+(?:\w+\s+){0,2}?"
    r"(?:say|write|call|blame|conclude|label|frame|file|chalk|pin|stop)|"
    r"no\s+(?:evidence|sign|suggestion|indication)\s+(?:of|that)|not\s+because|"
    r"(?:rather\s+than|instead\s+of)\s+(?:stopping|blaming|saying|calling|asking\s+who|writing|"
    r"pointing|settling|(?:ask|asking|tell|telling)\s+(?:people|everyone|everybody|engineers|"
    r"developers|staff|operators|the\s+team|teams|them|us)\s+to)|"
    r"(?:if\s+we|we(?:\s+(?:could|should|can|must|would))?|to)\s+stop\s+at|"
    # Someone's claim reported to be examined: "it has been suggested that", "we have heard it
    # said that", "a reader might conclude".
    r"it\s+(?:has\s+been|had\s+been|was|is)\s+(?:suggested|said|claimed|argued|alleged|implied)|"
    r"(?:heard|read|seen)\s+(?:it\s+)?(?:said|suggested|claimed)|"
    r"(?:suggestions?|claims?|allegations?|speculation|assumptions?)\s+that|recollection\s+was|"
    r"(?:could|might|may)\s+(?:say|conclude|argue|claim|assume)|"
    # A judgement declined by the writers or the review: "we do not think", "it is not accurate
    # to say", "our finding is not that", "we have chosen not to describe it as", "this wasn't
    # about".
    r"(?:\bwe|\bi|review|panel|investigation|report|board|analysis|team)\s+"
    r"(?:(?:really|simply|just|still)\s+)?(?:do|does|did)" + _N + r"\s+"
    r"(?:think|believe|agree|accept|consider|conclude|find|see)|"
    r"(?:is|was)" + _N + r"\s+(?:accurate|fair|right|true|correct|useful|helpful)\s+to|"
    r"(?:not|never)\s+that|(?:is|was|were|are)(?:\s+not|\s+never|n['\u2019]t)\s+about|"
    r"(?:chose|chosen|decided)\s+not\s+to\s+(?:describe|call|treat|frame|label|attribute)|"
    r"(?:declin\w*|refus\w*|avoid\w*)\s+(?:to\s+)?(?:describe|call|calling|describing|treat|"
    r"treating|frame|framing|label|labell?ing|attribute|attributing)|"
    r"not\s+(?:treating|describing|calling|framing|labell?ing|attributing)|"
    r"(?:set|put)\s+aside|not\s+(?:a|the)\s+root\s+cause\s*:|"
    # An earlier wording withdrawn: "the initial draft said", "was first titled".
    r"(?:initial|first|original|earlier|early)\s+(?:\w+\s+)?(?:draft|ticket|report|messages?|"
    r"comments?|posts?|replies|title|write-?up|classification|framing)\s+(?:\w+\s+){0,3}?"
    r"(?:said|says|called|read|stated|claimed|blamed|attributed|described|listed|named|put)|"
    r"first\s+(?:titled|called|filed|written))\b" + _REACH
)
AFFIRMED = re.compile(
    r"(?:,\s*which|,?\s+and\s+(?:it|that|this|the\s+claim))\s+(?:is|was|proved|turned\s+out)\s+"
    r"(?:to\s+be\s+)?(?:true|correct|right|accurate)\b|"
    r",?\s+and\s+(?:it|that)['\u2019]s\s+(?:true|correct|right)\b|"
    r"\bwas\s+(?:later\s+|then\s+|since\s+)?(?:confirmed|verified|borne\s+out)\b|"
    r"\b(?:he|she|they)\s+did\s*[.!]?\s*$"
)
"""A reported claim the rest of its clause says holds ("The claim that Dave forgot the
certificate was confirmed by the logs", "…, and it is true", "…, and he did."): asserted."""
SUSPENDING_OPENER = re.compile(
    r"[\s>*_|#-]*(?:calling|treating|labell?ing|framing|filing|chalking|saying|blaming|"
    r"writing\s+(?:this|it)\s+(?:up|off|down))\b" + _REACH
)
# "No one dropped the ball", "nobody acted carelessly": the mistake's agent denied, at most two
# words before the phrase.
DENIED_AGENT = re.compile(
    r"\b(?:nobody|no\s+one|no\s+individual|none\s+of\s+(?:us|them))(?:\s+\w+){0,2}\s*$"
)
# "This was not anybody's error", "the investigation found no carelessness", "the root cause is
# not 'Fiona ran the wrong file'", "would not be punished": the phrase itself denied.
NEGATED = re.compile(
    r"(?:\bno|\bnot|n['\u2019]t|\bnever|\bnothing(?:\s+\w+){0,2}\s+(?:was|is|were))"
    r"(?:\s+(?:a|an|any|the|one|be|been|anyone['\u2019]s|anybody['\u2019]s|someone['\u2019]s|"
    r"individual|personal))*[\s\"'\u201c\u2018]*$"
)
# "Carelessness did not cause this", "the fat-finger theory was dropped", "Operator error? No:",
# "Be more careful is not an action item": the phrase, as the subject of its clause, rejected.
REJECTED_AFTER = re.compile(
    r"[\s\"'\u201d\u2019|]*(?:"
    r"(?:(?:theory|label|framing|explanation|idea|hypothesis|finding|verdict|narrative|story)\s+)?"
    r"(?:"
    # "... is not the cause", "... was not involved": what the phrase is not, and no more.
    r"(?:is|was|are|were)(?:\s+not|n['\u2019]t)\s+"
    r"(?:(?:the|a|an|our|any)\s+(?:\w+\s+)?(?:root\s+)?(?:cause|reason|factor|finding|explanation|"
    r"action\s+item|answer|fix|lesson)|why|what|to\s+blame|involved|relevant|at\s+play)"
    r"(?=\s*(?:[.,;:!?)|\u2014]|$|here\b|in\s+this\b|of\s+th))"
    r"|(?:did|does|do)(?:\s+not|n['\u2019]t)\s+(?:cause|explain)"
    r"|(?:was|were|has\s+been|is)\s+(?:(?!not\b|never\b)\w+\s+){0,2}?(?:dropped|rejected|removed|"
    r"struck|withdrawn|discarded|dismissed|excluded|(?:set|put)\s+aside|ruled\s+out|"
    r"considered\s+and\s+(?:rejected|dismissed|dropped|set\s+aside))"
    r")"
    r"|\?[\s|]*no\s*[.,:;!|\u2014]"
    r")"
)
CODE_SPAN = r"(?<!`)(?<!(?<!\\)\\)(`++)(?:[^`]*?\1|(?<=``)(?!`).{1,300}?(?<!`)\1(?!`))"
"""An inline code span, as the first group of a pattern: it opens only at the first backtick of a
run, so a long run of them is read in one pass, not searched to its end from each backtick, and
not at a backtick a backslash escapes ("\\`" shows a backtick, and the text after it). One
opened by two backticks or more may hold single ones ("`` kill `cat pid` ``"), and ends at a run
as long, within 300 characters."""
SENTENCE_END = re.compile(r"(?:^|[.!?:;|\n(\"“]|^\s*[-*+]|\d[.)])\s*$")
_NOT_SPACE = re.compile(r"\S")


def opens_sentence(text: str, start: int) -> bool:
    """Whether text[start] opens a sentence: SENTENCE_END matches just before it.

    Found from the last word before `start`, not by a search from the text's start, which a line
    of thousands of hits would make quadratic.
    """
    index = start
    while index and text[index - 1].isspace():
        index -= 1
    if index == 0 or "\n" in text[index:start]:
        return True
    if text[index - 1] in "-*+" and _NOT_SPACE.search(text, 0, index - 1) is None:
        return True  # a list item's marker with only blanks before it
    return SENTENCE_END.search(text, max(0, index - 2), start) is not None


OF_HEAD = re.compile(r"(\S+)\s+of\s+(?:the|a|an|this|that|their|his|her|our)\s+$")
PREV_WORD = re.compile(r"(\S+)\s+$")
TOKEN = re.compile(r"[@\w][\w'\u2019\-]*(?:\.[\w'\u2019\-]+)*|,|[.;:!?|]")
"""A word (a handle or a version with dots inside: "dave.li", "v1.2"), a comma or a sentence's
punctuation: a full stop after a word ends its sentence ("Text. Who deleted the bucket?")."""
ALPHA = re.compile(r"[a-z]+")

# Who a sentence can blame: people, pronouns, roles, teams. Blame needs a target, so the model
# reports only sentences that name one. Not we, us and our (the organisation owning a mistake),
# nor I, me and my: the writer speaking ("I think I see the bug"), as chat logs pasted into a
# postmortem do all the time.
# Pieces of writing a reference cites by their author, on a line that is only a link: "See also
# [Bryan Cantrill's talk](...)", "- [Tim Freeman's list of postmortems](...)". Anywhere else the
# same words are read as any are: "Priya's slides were the usual mess" judges the person.
WORKS = wordset(
    """
    talk talks post posts blog article articles paper papers book books thread threads write-up
    write-ups writeup writeups slides keynote presentation podcast newsletter essay essays tweet
    tweets video videos lecture lectures guide tutorial list lists notes postmortem postmortems
    post-mortem post-mortems report reports analysis summary reflection reflections retrospective
    """
)


def _plurals(text: str) -> frozenset[str]:
    """The nouns of a list and their plurals ("pharmacist", "pharmacists"; "deputies",
    "foremen")."""
    words = text.split()
    return frozenset(words) | frozenset(map(_plural, words))


def _plural(noun: str) -> str:
    if noun.endswith("men"):
        return noun
    if noun.endswith("person"):
        return noun[:-6] + "people"
    if noun.endswith("man"):
        return noun[:-3] + "men"
    if noun.endswith("wife"):
        return noun[:-4] + "wives"
    if noun.endswith(("s", "x", "ch", "sh")):
        return noun + "es"
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "s"


TARGETS = (
    ROLES
    | GROUPS
    | PRONOUNS
    | DEPARTMENTS
    | wordset(
        """
        his hers their them theirs your yours person guy guys man woman hire
        joiner whoever everyone everybody nobody somebody someone anyone who whom whose
        """
    )
    # People by occupation: named as the subject, they can carry blame as a role does.
    | wordset(
        """
        tester testers analyst analysts architect architects designer designers supervisor
        supervisors technician technicians consultant consultants supplier suppliers vendor
        vendors founder founders director directors executive executives student students
        graduate graduates postdoc postdocs researcher researchers scientist scientists clerk
        clerks staffer staffers administrators managers leads juniors seniors trainees newbies
        rookies colleagues coworkers co-worker co-workers teammates employees programmers
        maintainers approvers authors owners responders dispatcher dispatchers agent agents
        volunteer volunteers contributor contributors lineman linemen quant quants
        helpdesk noc moderator moderators trader traders nurse nurses officer
        officers inspector inspectors auditor auditors apprentice apprentices freelancer
        freelancers
        """
    )
    # More occupations of the places incidents happen, in their singular and plural, so that
    # "the duty forecaster ignored the warning" is weighed as "the engineer ignored" is. Not
    # the jobs whose word also names software, a service, a thing or an act (driver,
    # controller, editor, producer, consumer, planner, broker, registrar, interpreter,
    # principal, pilot, judge, guard, vet, janitor, wrangler, scribe, porter, reporter,
    # courier, buyer, secretary, specialist, teacher, treasurer, steward, conductor).
    | _plurals(
        """
        accountant actuary agronomist anaesthetist anesthetist archivist astronomer attorney
        banker barista bartender biologist bookkeeper caretaker cashier clinician co-ordinator
        coordinator counsellor counselor dentist dietitian electrician epidemiologist
        facilitator firefighter foreman forecaster geologist hygienist investigator
        journalist juror labourer laborer landlord lawyer lecturer librarian lifeguard locksmith
        machinist marketer mathematician mechanic meteorologist midwife negotiator notary
        nutritionist paralegal paramedic pathologist pharmacist photographer physician physicist
        physio physiotherapist plumber practitioner professor psychologist purser radiographer
        radiologist realtor receptionist recruiter salesperson signaller signalman signalmen
        solicitor statistician storekeeper superintendent surgeon surveyor technologist
        therapist toolpusher underwriter veterinarian waiter waitress call-taker caseworker
        copywriter deckhand dockworker driller foreperson groundskeeper helmsman
        lineworker longshoreman longshoremen mariner metallurgist millwright optician roustabout
        sailor seafarer shipwright sonographer stevedore telecommunicator welder warehouseman
        warehousemen
        """
    )
)

# Phrases that point at someone without naming them: the passive-aggressive aside ("Some of us did
# flag this in March", "As I mentioned in three reviews"), and people named by when or where
# they work. They give the model a sentence to read, as a name or a pronoun does.
IMPLIED_TARGET = re.compile(
    # "Some of us did flag it", "As some of us have pointed out": the emphatic or insistent "us".
    r"\b(?:(?:some|a\s+few|several|those|the\s+rest)\s+of\s+us\s+(?:did|do|actually|also|still|"
    r"always|flagged|warned|raised|have\s+(?:already\s+)?(?:pointed|flagged|raised|said|warned|"
    r"asked|mentioned))\b|"
    # "As I mentioned in three reviews", but not "as I mentioned above": a pointer to the
    # document.
    r"as\s+i(?:['\u2019]ve|\s+have)?\s+(?:already\s+)?(?:mentioned|said|noted|pointed\s+out|"
    r"flagged|warned|raised|explained|stated)\b(?!\s+(?:above|below|earlier|in\s+the\s+"
    r"(?:summary|introduction|overview|timeline|previous\s+section|section)))|"
    # "As was pointed out, politely and several times": impersonal, but insisting.
    r"as\s+(?:was|has\s+been|previously|already)\s+(?:\w+\s+)?(?:mentioned|noted|pointed\s+out|"
    r"flagged|said|stated|raised)\b(?=[^.;]{0,40}?\b(?:more\s+than\s+once|twice|several\s+times|"
    r"many\s+times|\d+\s+times|repeatedly|in\s+writing)\b)|"
    r"not\s+to\s+(?:repeat\s+myself|belabou?r)\b|just\s+saying\b|"
    # People named by when or where they work: "the night shift", "the B-shift", "the help desk".
    r"(?:(?:night|day|morning|evening|late|early|weekend|graveyard)[\s-]+|(?-i:[ABC])-|"
    r"the\s+(?-i:[ABC])\s+)shifts?\b|"
    r"(?:help|service|support|trading|front)[\s-]+desks?\b)",
    re.IGNORECASE,
)

# A rule that settles who may act: a verb of such a rule, "who", then a modal or the present
# tense of having or owning ("Limit who can push to the production branch", "Review who has
# write access", "Document who owns each alert"); that "who" names no one. What someone did or is
# is still pointed at ("Review who approved this mess", "Confirm who has been ignoring the
# pager", "Identify who is responsible"). Only words the model knows count: any other is a rare
# word to it.
GOVERNING = wordset(
    """
    limit control decide document record track audit review check manage list log verify
    confirm identify agree assign choose change
    """
)
GOVERNED = wordset("can may might must has have owns own holds")

IMPLIED_TARGET_KEYS = (
    "of us", "as i", "as was", "as has", "as previously", "as already", "not to", "just saying",
    "shift", "desk",
)  # fmt: skip
"""A piece of text every match of IMPLIED_TARGET contains, in lower case: a quick test first."""

# Words that carry no blame on their own: left out when a finding lists the words behind a score.
FUNCTION_WORDS = wordset(
    """
    the a an of to in on at and or for by with is was were be been being it its this that these
    those as from if then so but not no had has have do did does into onto over under than
    's there here what which who whom when where while are am will would could should can may
    """
)
