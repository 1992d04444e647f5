"""Tests of the blameless-language engine: corpus quality, rule examples, Markdown skipping."""

from __future__ import annotations

import csv
import random
import time
from collections import defaultdict

import pytest

from incident_docs.blameless import (
    EXAMPLES,
    RULES,
    BlameHit,
    BlamelessOptions,
    Checker,
    check_markdown,
    check_text,
)
from incident_docs.blameless.engine import _dedupe
from incident_docs.blameless.lexicon import SENTENCE_END, opens_sentence
from incident_docs.blameless.model import packaged_model
from incident_docs.blameless.training import corpus_files

CORPUS = {path.name: path for path in corpus_files()}
RULE_CODES = sorted(code for code in RULES if code != "BL010")


def _load(name: str) -> list[tuple[str, str, str]]:
    """The rules' first labelled sets, as (blame|ok, category, sentence)."""
    with CORPUS[name].open(encoding="utf-8", newline="") as handle:
        return [
            ("blame" if row["label"] == "blameful" else "ok", row["category"], row["text"])
            for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        ]


def _scores(rows: list[tuple[str, str, str]]) -> tuple[float, float, float]:
    tp = fp = fn = tn = 0
    for label, _, sentence in rows:
        flagged = bool(check_text(sentence))
        if label == "blame":
            tp, fn = tp + flagged, fn + (not flagged)
        else:
            fp, tn = fp + flagged, tn + (not flagged)
    return tp / max(1, tp + fp), tp / max(1, tp + fn), fp / max(1, fp + tn)


# --- corpus -----------------------------------------------------------------------------------


def test_corpus_is_large_and_balanced() -> None:
    rows = _load("legacy-rules.tsv")
    assert len(rows) >= 320
    per_code: defaultdict[str, int] = defaultdict(int)
    for label, category, _ in rows:
        assert label in ("blame", "ok")
        if label == "blame":
            assert category in RULE_CODES
            per_code[category] += 1
        else:
            assert category.startswith("ok-")
    assert all(per_code[code] >= 15 for code in RULE_CODES), per_code
    blame = sum(per_code.values())
    assert 0.4 <= blame / len(rows) <= 0.6


@pytest.mark.parametrize("name", ["legacy-rules.tsv", "legacy-holdout.tsv", "legacy-fresh.tsv"])
def test_corpus_meets_quality_targets(name: str) -> None:
    precision, recall, fp_rate = _scores(_load(name))
    assert precision >= 0.95
    assert recall >= 0.90
    assert fp_rate <= 0.03


def test_fresh_corpus_has_postmortem_prose_and_every_category() -> None:
    rows = _load("legacy-fresh.tsv")
    ok = [sentence for label, _, sentence in rows if label == "ok"]
    codes = {category for label, category, _ in rows if label == "blame"}
    assert len(ok) >= 140 and len(rows) - len(ok) >= 120
    assert codes == set(RULE_CODES)


def test_recall_per_category() -> None:
    found: dict[str, list[bool]] = defaultdict(list)
    right_code: dict[str, list[bool]] = defaultdict(list)
    for label, category, sentence in _load("legacy-rules.tsv"):
        if label == "blame":
            codes = {hit.code for hit in check_text(sentence)}
            found[category].append(bool(codes))
            right_code[category].append(category in codes)
    for code, flags in found.items():
        assert sum(flags) / len(flags) >= 0.85, code
    # Loosely: most sentences get the category they were written for, not just any code.
    for code, flags in right_code.items():
        assert sum(flags) / len(flags) >= 0.6, code


# --- rules and examples (proselint-style meta-test) -------------------------------------------


def test_every_rule_has_an_example() -> None:
    assert set(EXAMPLES) == set(RULES)
    assert all(code.startswith("BL") for code in RULES)


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_example_bad_is_flagged_and_good_is_not(code: str) -> None:
    model = packaged_model()
    checker = Checker(model=model, threshold=model.threshold)
    bad, good = EXAMPLES[code]
    assert code in {hit.code for hit in checker.check(bad)}, bad
    assert checker.check(good) == [], good


def test_hits_carry_message_and_valid_span() -> None:
    text = "Dave pushed a broken config and obviously nobody noticed."
    hits = check_text(text)
    assert hits
    for hit in hits:
        assert isinstance(hit, BlameHit)
        assert 0 <= hit.start < hit.end <= len(text)
        assert hit.message and "\n" not in hit.message


# --- source material --------------------------------------------------------------------------

BLAMELESS_SUMMARY = (
    "On 25 December 2022 at 12:32 UTC a corrupt image was deployed to production. "
    "A memory leak in the new image caused the VMs to crash-loop. "
    "The responders spent two hours in logs and metrics before finding a typo in the deployment "
    "configuration, which was fixed and redeployed."
)
BLAMEFUL_SUMMARY = [
    "Of course Jake was at it again and pushed a broken image on Christmas Day.",
    "Nobody is surprised that he forgot to check the config, what a genius.",
    "We wasted two hours because Jake couldn't be bothered to test his typo.",
    "Thankfully Maria, our hero, saved the day once again.",
]


def test_blameless_summary_passes() -> None:
    assert check_text(BLAMELESS_SUMMARY) == []
    assert check_markdown("## Summary\n\n" + BLAMELESS_SUMMARY + "\n") == []


@pytest.mark.parametrize("sentence", BLAMEFUL_SUMMARY)
def test_every_blameful_sentence_is_flagged(sentence: str) -> None:
    assert check_text(sentence)


def test_blameful_paragraph_has_a_hit_in_every_sentence() -> None:
    paragraph = " ".join(BLAMEFUL_SUMMARY)
    hits = check_text(paragraph)
    offset = 0
    for sentence in BLAMEFUL_SUMMARY:
        end = offset + len(sentence)
        assert any(offset <= hit.start < end for hit in hits), sentence
        offset = end + 1


# --- behaviour on near-misses -----------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "The health check failed to detect the degraded node.",
        "The alert should have fired at 10,000 queued messages.",
        "We used git blame to find the commit.",
        "Alerts fire when the error rate exceeds 5 percent.",
        "The master node hung and we had to kill the process.",
        "Priya rolled back the deploy at 12:40.",
        "Paged Sam.",
        "Thanks to the on-call engineer for the quick escalation.",
        "This was our mistake.",
        "We will remove the opportunity for human error by automating the step.",
        "The Incident Commander handed off to the Ops Lead.",
        "Kubernetes rescheduled the pods after the node failed.",
        "The service panicked with a nil pointer dereference.",
        "The consumer group failed to rebalance after the deploy.",
        "New servers launched by Auto Scaling Groups failed to come online.",
        "The target group failed to register the new instances.",
        "We asked whether operator error played a part; the console offered no confirmation.",
        "Writing this down as human error would hide the missing guard on the delete command.",
        "Human error is never a finding in our reviews.",
        "The batches needed reprocessing due to Riak write timeouts.",
        "Monitoring paged the on-call engineer when user errors became apparent.",
        "Engineers broke the dependency between the queue and the alerting pipeline.",
        # Idioms and questions that share words with blame.
        "We wasted no time rolling back the release.",
        "The team wasted little time on the old dashboards.",
        "Do you know who conducted the attack, or do you plan to find out?",
        "Everyone knows who to page when the queue backs up.",
        "The retry storm wasted CPU time on every node.",
    ],
)
def test_near_misses_are_not_flagged(sentence: str) -> None:
    assert check_text(sentence) == []


@pytest.mark.parametrize(
    "sentence",
    [
        'Rather than stopping at "someone made a typo", we asked why the field accepted 50,000.',
        'An earlier draft said "human error by the field technician"; we removed that line.',
        "It is tempting to write \u201cTobi ran the wrong script\u201d, but the names were alike.",
        'We don\'t think "be more careful" counts as an action item.',
        "No one typed a wrong rule; the module silently widened its scope.",
        "Nobody forgot to renew it; the renewal job had been disabled in March.",
        "No one dropped the ball here; our setup depended on one inbox.",
        "It would be easy to call this human error, but the real gap was the missing prompt.",
        "Calling this operator error would ignore that the runbook said to do exactly that.",
        "We found no evidence of carelessness; the process depended on memory.",
        "Not because Jess made a typo, but because a typo in that field could delete a bucket.",
        # Someone's claim reported in order to examine it.
        "It was suggested in the retro that Hamid should have paged the DBA; the page had no route.",
        "It has been said that Hamid forgot the flag, but he did not: the flag was never set.",
        "A reader may conclude that Lotte forgot the region; the tool listed only five.",
        "The team does not believe Dave was careless; the form hid the field.",
        "Carelessness was not involved.",
        # What follows, true of something else, affirms nothing.
        "Not because Jess made a typo, but because the field was not verified.",
        "There was no carelessness involved, and the alert thresholds were correct.",
        "It would be easy to call this human error, but the form turned out to hide the field.",
        "We have heard it said that the reviewer forgot the flag. The flag was not in the diff.",
        "A reader could conclude that Lotte forgot the region; the tool listed only five.",
        'Early comments on the ticket said Omar "failed to check" the replica lag.',
        # A judgement declined.
        "We do not believe Rin was careless: the two buttons were the same colour.",
        "Our conclusion is not that Farid forgot the index; the ORM never created one.",
        "It isn't fair to say Kaveh should have known; the dependency was undocumented.",
        "We chose not to describe the delay as negligence, since the pager app was silenced.",
        "This was never about the night shift being sloppy; the queue had no alert.",
        # The phrase itself denied, or rejected as the subject of its clause.
        "The review found no negligence in how the restore was run.",
        "This was not one person's mistake, and the timeline shows why.",
        "Operator error did not cause this; a default in the CLI did.",
        "The human error explanation was dropped once the logs were read.",
        "Be more careful was proposed and struck from the action items.",
        "| Operator error? | No. The form accepted a negative quantity. |",
        "**Not a root cause:** the individual who approved the plan.",
        "Not a root cause: the engineer's mistake. Root cause: a script with no environment check.",
        # A quotation of three words or more: the role or team inside it is mentioned, not blamed.
        '- We rejected "operator should have checked the target" as a finding.',
        'Reviews this half listed "engineer did not double-check the config" as a factor.',
        'Reviewers struck "database team broke replication" from the draft.',
        # A paragraph wrapped by hand: the line break is no sentence's end.
        "This was our mistake, and it's not something we'd\ndescribe as human error.",
        "The review did not\nfind human error at work.",
    ],
)
def test_blame_mentioned_or_denied_is_not_flagged(sentence: str) -> None:
    """A blameful phrase quoted, supposed or denied in order to be rejected is not asserted."""
    assert check_text(sentence) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "Someone made a typo in the deployment config.",
        "Someone forgot to renew the certificate.",
        'What a "genius" move to deploy on a Friday.',  # one word in quotes: scare quotes
        'Ana said "ok" and then Dave broke prod again. Later we said "all clear".',
        "Dave kept saying the config was fine, which was careless.",
        "It was the easy way out: Dave pushed a broken config.",
        "Dave made a typo in the config, and not because the form was confusing.",
        # A frame governs the words just after it, not the rest of the sentence.
        "There is no evidence that the alert was misrouted, so the root cause was human error.",
        "It is easy to read the graph now, and in hindsight it was obvious the disk would fill.",
        "No one should have missed an alert this obvious.",
        "It is easy to see why Dave was careless.",
        "The wizard makes it easy to put a wrong value in and Ken stupidly did.",
        "It is unfair to attribute this to tooling when it was human error.",
        # A line of its own, not a wrapped sentence: the denial on the next line is another's.
        "Looks like operator error to me\nNot sure about the second alert though",
        # A denial or a report governs its own clause, and mocking stands with a "not" before it.
        "Our finding is not that the tool failed; Hamid forgot to run it, again.",
        "Not naming names, but someone on the late shift skipped the runbook.",
        "It is not the first time: nice one, Dave, three outages this quarter.",
        "The typo theory was not wrong, and Dave was careless with the config.",
        "It was obvious the firmware wasn't ready, and Lena shipped it anyway.",
        "Priya asked whether Dave forgot to renew the certificate again.",
        # A frame that looks like a report or a denial, and is not one.
        "We decided to call Dave, who forgot to renew the certificate.",
        "The first version Dave shipped was sloppy.",
        "Instead of asking for a review Dave pushed a sloppy change.",
        "The rollout stopped at 50% because Dave forgot to run the migration.",
        "Dave didn't see the alert because he was careless.",
        "We may safely conclude that Dave forgot the certificate.",
        # A report its sentence affirms, a denial "but" turns round, a rejection that is none.
        "The claim that Dave forgot the certificate was confirmed by the logs.",
        "We heard it said that Dave forgot the certificate, and it is true.",
        "This is not about tooling but about Dave being careless.",
        "Carelessness was not ruled out.",
        "Carelessness was not a one-off for Dave.",
        "Human error? No doubt about it.",
        "Human error? No kidding.",
        "Carelessness was not a factor we could ignore.",
        "We heard it said that Dave forgot the certificate, and that's correct.",
        "It was suggested that Dave was careless, which proved to be true.",
        # Quotation marks paired across a line break; an inch mark opens nothing; two words in
        # quotation marks are scare quotes.
        'We wrote "be more\ncareful"; the root cause was human error and "all clear" came late.',
        'The 27" monitor showed it; the root cause was human error, and "all clear" came late.',
        'That was a "brilliant idea", deploying on a Friday.',
    ],
)
def test_blame_outside_a_quoted_phrase_is_still_flagged(sentence: str) -> None:
    assert check_text(sentence) != []


@pytest.mark.parametrize(
    "sentence",
    [
        # A gap in an artefact or a plan, seen afterwards, is no hindsight about a person.
        "In hindsight the canary plan should have covered the EU region as well.",
        "In retrospect, our escalation policy should have paged the database on-call first.",
        "In hindsight  the canary plan should have covered the EU region.",  # two spaces
        # A lesson seen afterwards, in the present: no one should have seen it coming.
        "In retrospect it is now clear that setting a subdomain to point to S3 in DNS-only mode "
        "is a misconfiguration.",
        "In hindsight the warning sign is obvious, but during the incident it was one of forty "
        "alerts firing.",
        # "Clearly not" before a thing or a state of mind.
        "This is clearly not an issue for record-at-a-time operators.",
        "The retry budget is clearly not enough for a region failover.",
        "The query takes tens of seconds, which is clearly not what you want for a dashboard.",
        "He's clearly not happy because our API impacts a lot of products and services.",
        # A thing or a situation judged a wreck.
        "The migration was a complete mess.",
        "The wiki page is a total mess.",
        "We found that the state of the config repository was a complete mess.",
        "Our fallback to SMS didn't trigger, because it only activated on a total failure.",
        # Struck-out text is withdrawn by its author.
        "Root cause: ~~human error~~ a delete command with no confirmation.",
        "- ~~Root cause: human error~~ the wrapper swapped source and target",
        # Fire crews and lazy loading.
        "The fire team leader called the all-clear at 03:40.",
        "Profiles are lazily populated on first login, so the cold cache took most of the load.",
        "Our thanks to the amateur radio club that relayed the status updates.",
        "Dynamo-style sloppy quorums let writes land on the fallback nodes.",
        # Human error reported as a label or a framing that was set aside.
        "Some people have called this human error; we would rather fix the prompt.",
        "If we file this under operator error, the same keystroke will cause it again.",
        "The first draft said operator error, and QA sent it back.",
        "The board declined to describe the loss as a human error.",
        # A judgement denied, not made.
        "This was not a careless technician; keying on surname was a design choice.",
        "Bilal did nothing careless: losing a phone is an ordinary event.",
        # A judgmental word in quotation marks, in a sentence that says it is mentioned.
        'We are not recording "carelessness" here; the checklist was out of date.',
        "We considered whether this was a 'careless' entry and found the word was hindsight.",
        "We avoided words like \u201csloppy\u201d in this report.",
        "This wasn't someone being careless with a delete command.",
        # An operation done for a purpose said right after it.
        "Ifeoma took the indexing server offline at 14:00 so the rebuild could finish.",
        "Sione took the donation form offline for 20 minutes to stop further double charges.",
        "Priya disabled the feature flag so checkout could recover.",
        "Mei dropped the unused index to free disk space.",
        # What the thanks are for, not what that was for.
        "Thanks, Camila, for pushing for the extra QC pass.",
        # A capitalised product that is down is a system, not a culprit.
        "Users could not change their namespaces, due to Concourse being down.",
        "Builds queued for an hour because of Quay being degraded.",
        "The workers stalled due to Sidekiq running out of memory.",
        # A primary, a leader, an incident or a builder is demoted, not a person from a role.
        "After the partition healed we demoted the stale master and let the replicas resync.",
        "The primary was demoted and the replica promoted, following the failover procedure.",
        "The node was demoted from primary to secondary during the failover.",
        "The old primary was demoted back to replica.",
        "Patroni demoted the node from its primary role.",
        "The leader stepped down and was demoted back to follower.",
        "Fencing: preventing a demoted primary from accepting writes after failover.",
        "We demoted the incident from SEV1 to SEV2 at 14:05.",
        "The alert was demoted from paging to ticket-only.",
        "The alert was demoted to on-call.",
        "The old primary was demoted by Patroni.",
        "Patroni's demotion of the primary completed at 14:03.",
        "Relay Demotion Failure",
        "The relay's demotion logic ignored timeouts.",
        "Patroni's demotion behaviour worked exactly as intended.",
        "Sentinel's demotion routine hung for 40 seconds.",
        "Patroni's demotion handling has a race with the health check.",
        "Kafka's demotion timeout is 30 seconds.",
        "Builders are now demoted when a simulation request times out.",
        # What was seen at the time, not hindsight.
        "The second engineer read the logs but saw nothing obviously wrong.",
        "Not seeing anything obviously amiss, we paged the database team.",
        "There was no obviously bad commit in the range.",
        "We saw nothing *obviously* wrong in the dashboards.",
        # The organisation's own lesson, seen afterwards.
        "In hindsight, we should have asked the other members for their status output.",
        "In retrospect we should have done many small releases rather than one large one.",
        # Alerts fire at people, roles and tools.
        "The alert fired the on-call pager twice before anyone acknowledged.",
        "The cron job fired Sidekiq workers at midnight.",
        "Opsgenie fired Ravi a push notification.",
        "The escalation policy should have fired her a second notification.",
        # A punishment refused is no action item.
        "I am not going to fire the developer, because we are one and the same person.",
        # Refused far into a paragraph, and in a contraction.
        "Nobody's job is at risk because of this outage. I am not going to fire the developer.",
        "After a long week of retros and a lot of talking, I'm not going to fire the developer.",
        "We decided not to discipline Priya.",
        "We will not hold the engineer accountable.",
        "Nobody is going to fire anyone. Why would we?",
        "No one wants to discipline the developer.",
        "We will not fire Dave.",
        "We should fire up Grafana.",
        "We'll fire Locust against staging.",
        # What could go wrong, asked in earnest.
        "In the pre-mortem we asked what could possibly go wrong with a DNS change.",
        "A game day explores what could possibly go wrong in a controlled setting.",
        "While it can be attributed to human error, it is incorrect to focus on the individual.",
        "Anmol starts a dev setup to test scenarios of what could have gone wrong.",
        "We typed up the upcoming changes, and let's just say there are some fairly spicy ones.",
        "Suffice it to say the whole region was affected.",
        "Suffice it to say that the ops dashboards lit up.",
        # The organisation's own promise, however it is put.
        "We all need to do better.",
        "We've promised to do better.",
        # A decision whose reason is speed, which is the situation's.
        "Sara decided not to page the DBA, since a restart was faster than a handover.",
        "The fix is a version check, not a reminder to take more care.",
        (
            "Some reviewers described this as human error. We do not accept that conclusion, but "
            "we understand why it was raised."
        ),
        "We absolutely must do better.",
        "We'll have to do better.",
        # "Be careful" and accountability named in order to be rejected.
        "The fix is a version check, not a reminder to be careful.",
        'Telling people to "be careful" won\'t stop this recurring; a guard in the deploy tool will.',
        "We are not asking maintainers to 'be more careful'; we are adding an automated check.",
        "This review names people to show who did what; nobody named here is held responsible.",
        # The one that is good, not "nice one".
        "The importer failed closed, publishing an empty lineup instead of keeping the last good one.",
        "We compared the failing message with a known-good one.",
        "the good one mounts /etc/app/secrets, the bad one doesn't",
        "A checklist is what tells a slow release from a good one.",
        # A decision given with the situation's reasons.
        "The team chose not to purge the CDN cache, since a purge would have sent every request "
        "to the struggling origin.",
        "Sara decided not to re-close the bypass, because a second transfer could have dropped "
        "the A feed as well.",
        "@emi decided not to page the second on-call, judging the alert to be a known flaky check.",
        # "Human error" asked about, or rejected by the sentence or clause after it.
        "**Human error?** The term came up in review, but we do not accept it as an explanation.",
        "It would be easy to call this human error. That explanation is wrong and not useful.",
        "The vendor's report attributes the outage to operator error; the department does not "
        "accept that conclusion.",
        # The organisation's judgement of itself.
        "We dropped the ball.",
        "Our team was sloppy with the rollout.",
        "We got complacent about backups.",
        "We've never tested a restore of that size.",
        # A rule of writing, machines suspended.
        "* Keep the report factual - avoid blame, and no names except to record the meeting.",
        "The control plane was unable to suspend _Compute_ VMs.",
        "The scheduler could not suspend Compute VMs in time.",
        "We\u2019re sorry and promise to do better.",
        "We will fire Gatling at the API.",
        # Relief is no exasperation.
        "We all breathed a sigh of relief when the graphs recovered.",
        # A technical term that opens with a word of blame, owned by a program.
        "Flink's fault tolerance has always been a powerful feature.",
        "Timers are stored in Flink's fault-tolerant state.",
        "Lazy decoding can't be supported safely by the existing Open Struct API.",
        "The traits working group met yesterday on lazy normalization.",
        "That means Clippy's error/warning format should be familiar.",
        "We thank all the people who improved Cargo's error messages.",
        "See Oracle's Garbage Collection Tuning guide.",
        "Issues should be reported in Flink's bug tracker.",
        # A question about the process, asked in the present tense.
        "Who approves schema changes?",
        "Who decides when a migration may run?",
        "Open question: who approves changes during a freeze?",
        "Who reads the alerts channel at night?",
        "- Who owns the runbook?",
        "Who changes DNS records in production?",
        "- Who schedules maintenance before a release?",
        "Who deploys the payments service, and can it be done without downtime?",
        "Who restarts the batch workers on Sunday?",
        "Who approves deploys at 17:00 after the change board has closed?",
        "| Who runs the nightly backup at 02:00? | Ops |",
        "Who restarted the pods, the kubelet or the operator?",
        "Who exactly runs the failover drill each quarter?",
        # Who did something, said as a fact beside a question about the system.
        "The logs show which job ran and who ran it, but why did the job fail?",
        "Which jobs ran, and who ran them?",
        # A dash in prose opens no sentence, nor does a list marker for these turns of phrase.
        "The release went out - of course - after the freeze lifted.",
        "- As usual, the weekly release train left at 10:00.",
    ],
)
def test_artefacts_and_withdrawn_words_are_not_flagged(sentence: str) -> None:
    assert check_text(sentence) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "Unlike other engineers, on-call responders have production access.",
        "Unlike other developers on the project, contractors do not have access to staging.",
        "Unlike some colleagues at other companies, our engineers can roll back without approval.",
        "Unlike some developers' laptops, CI runs with the production feature flags.",
        "Unlike some people expect, the cache is not shared between regions.",
        "Unlike some of us assumed, the replica was not promoted automatically.",
    ],
)
def test_people_compared_without_the_writers_set_against_them_are_no_insinuation(
    sentence: str,
) -> None:
    assert check_text(sentence) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "In this incident we have learned to be extra careful with vendored tooling.",
        "From now on, we want to be more mindful of flaky canaries.",
        "We should be cautious about reading too much into one week of data.",
        "I need to be more careful with my own release checklist.",
        "I'll do better next time.",
        "I promise to do better with the next migration.",
        "I misread the dashboard, and I need to be more careful with units.",
        # A clause of the writers' own before the promise.
        "We are sorry for the disruption and promise to do better.",
        "We misread the graph and need to be more careful with units.",
        # A name after the care that does not share it: credited, or a product.
        "We learned to be extra careful with feature flags, as Priya suggested in the review.",
        "I need to be more careful about clock skew on Graviton.",
        "We need to be more careful with Terraform plans.",
        "Unlike some databases, Postgres keeps the write-ahead log until the replica confirms it.",
        "We will keep a closer eye on disk usage from now on.",
        "We will watch the error budget more closely.",
        "We will keep an eye on the queue depth.",
        "We will keep close tabs on the error budget.",
        "We will monitor the canary very closely.",
        "Priya kept an eye on the replication lag while Dave restarted the primary.",
    ],
)
def test_the_writers_own_lesson_of_care_is_no_action_item(sentence: str) -> None:
    assert check_text(sentence) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "Be careful of the software, as it doesn't require much confirmation for serious "
        "modifications to your hard drives.",
        "They could use them for phishing, though, so be careful with emails asking you to sign in.",
        "You need to be very careful to keep track of everything happening in the background.",
    ],
)
def test_care_bidden_to_the_readers_as_a_warning_is_no_action_item(sentence: str) -> None:
    assert check_text(sentence) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "Be careful when running scripts against production.",
        "Be more careful when you run scripts against production.",
        "Be careful with your config next time.",
        "Dave, you need to be careful with your deploys.",
        "Be careful with your deploys, Dave.",
        "Engineers must be careful with your data.",
        "- [ ] Be careful with your deploys.",
        # What the readers themselves do, or nothing, after the care: a reproach.
        "Be careful with your deploys.",
        "- Be careful when you deploy.",
        "You need to be careful when you touch prod.",
        "You should be careful with what you merge.",
        "You need to be mindful of what you push.",
        "Be cautious when you run scripts.",
        "You need to be careful with prod.",
        "Seriously, you need to be careful.",
        # Someone called on last, or what "you" did, or a threat.
        "Be careful when you deploy, team.",
        "Be careful when you deploy, on-call.",
        "Be careful when you deploy, guys.",
        "Be careful with prod, since you took it down.",
        "Be careful of the new flag, or you're out.",
    ],
)
def test_care_asked_of_someone_or_for_next_time_is_still_an_action_item(sentence: str) -> None:
    assert [hit.code for hit in check_text(sentence)] == ["BL009"]


@pytest.mark.parametrize(
    "sentence",
    [
        "We have asked the on-call engineers to be extra careful with vendored tooling.",
        "We expect responders to be more mindful of flaky canaries.",
        "I expect the DBA to be more careful with migrations.",
        "I told Dave to do better next time.",
        "Reviewers need to be more careful.",
        # Someone named beside the writer.
        "Dave and I need to be more careful with the release checklist.",
        "Priya or I will be more careful with the failover runbook.",
        # Asked of others in the clause before.
        "We expect responders to read the runbook and be more careful.",
        "We apologised to Dave and told him to do better.",
        # Someone else named in the clause before: what the writers did to them.
        "We had a word with Dave and will be more careful.",
        "We moved Dave off the rotation and promise to do better.",
        "We let the intern go and promise to do better.",
        "We are done covering for the database team and will be more careful.",
        "We know his habits and need to be more careful.",
        # Someone named after the care, who shares it or whom it is about.
        "We need to be more careful, Dave.",
        "I will do better next time, and so should Carlos.",
        "We will do better, and so will @kchen.",
        "We all need to be more careful, especially Tomasz.",
        "We learned to be careful around Chen's scripts.",
        "We need to be more careful when Dave is on call.",
        "I need to be more careful with him around.",
        "I need to be more careful, and the night shift needs to be far more careful.",
        # Watching someone as the action.
        "We have to keep a closer eye on Fatima from now on.",
        "We promise to watch the new hire more closely.",
        "We should supervise interns more closely.",
        "We will keep an eye on Dave from now on.",
        "We need to keep closer tabs on Dave.",
        "We will keep a close watch on Fatima.",
        "We will watch Fatima very closely.",
        "We will be watching Dave closely.",
        "We will monitor the new hire more closely.",
    ],
)
def test_care_the_writers_ask_of_others_is_still_flagged(sentence: str) -> None:
    assert "BL009" in {hit.code for hit in check_text(sentence)}


@pytest.mark.parametrize(
    "text",
    [
        "- Who deleted the bucket?",
        "> Who deleted the bucket?",
        "| Who deleted the bucket? | x |",
        "| 15:20 | Who deleted the bucket? |",
        "**Who deleted the bucket?**",
        "  - Who deleted the bucket?",
        "- [ ] Who deleted the bucket?",
        "1) Who deleted the bucket?",
    ],
)
def test_a_question_in_a_list_quotation_or_cell_is_found_where_its_words_start(text: str) -> None:
    assert [(hit.code, text[hit.start : hit.start + 3]) for hit in check_text(text)] == [
        ("BL001", "Who")
    ]


@pytest.mark.parametrize(
    ("sentence", "code"),
    [
        ("In hindsight, Dave should have known the disk would fill.", "BL003"),
        ("In hindsight, I should have known the disk would fill.", "BL003"),
        ("In hindsight, we should have fired Dave.", "BL009"),
        ("They should have sacked him.", "BL009"),
        ("In hindsight, we should have known the disk would fill.", "BL003"),
        ("Looking back, we should have foreseen the outage.", "BL003"),
        ("In retrospect, we really should have seen this coming.", "BL003"),
        ("In hindsight, we should've recognised the pattern.", "BL003"),
        ("In hindsight, we should have just fired him the same day.", "BL009"),
        ("He should have higher standards.", "BL002"),
        ("Something was obviously wrong, and nobody looked.", "BL003"),
        # "Clearly" said of someone else, or of what "we" should have known.
        ("We hired Dave, but he clearly failed to read the runbook.", "BL003"),
        ("We told the platform team, but they clearly ignored it.", "BL003"),
        ("We warned the vendor, who clearly ignored it.", "BL003"),
        ("We clearly should have known the disk would fill.", "BL003"),
        ("Dave clearly failed to test it, and we paid for it.", "BL003"),
        # "Clearly" beside "we" that is no subject, or "our" that is not the organisation.
        ("Marisol reviewed the plan we drafted and clearly didn't read past the summary.", "BL003"),
        ("Ahmed acknowledged the alert we configured but clearly failed to escalate.", "BL003"),
        ("The vendor received the logs we sent yet clearly failed to read them.", "BL003"),
        ("Our manager heard what we said but clearly wasn't listening.", "BL003"),
        ("They clearly have no idea how the failover works.", "BL003"),
        ("No names, but the config was edited by hand again.", "BL007"),
        ("In retrospect, it is clear that the change was risky.", "BL003"),
        ("Looking back, it's plain that @wei.z knew the patch wasn't ready.", "BL003"),
        ("Looking back, it's clear that the on-call never reads the runbook.", "BL003"),
        ("Rina was half-asleep and clearly not taking the on-call seriously.", "BL003"),
        ("Matteo claimed he had tested the change, which is clearly not true.", "BL003"),
        # A present-tense "lesson" said of someone is still hindsight, and "clearly not"
        # before a thing is still BL003 when the clause says whose the thing is.
        ("In retrospect it is clear that the on-call engineer is not up to the job.", "BL003"),
        ("In retrospect it is now clear that Dave is not competent to run deploys.", "BL003"),
        ("Looking back, it is clear that Priya is the weak link.", "BL003"),
        ("In retrospect it is evident that @raj is the problem.", "BL003"),
        ("In hindsight it is obvious that they are not reading the alerts.", "BL003"),
        ("In retrospect it is clear that his approach to testing is inadequate.", "BL003"),
        ("He is clearly not a team player.", "BL003"),
        ("She's clearly not the right fit for the SRE team.", "BL003"),
        ("The on-call engineer was clearly not the right person for this.", "BL003"),
        ("Priya is clearly not a senior engineer.", "BL003"),
        ("Ops is clearly not the team for this.", "BL003"),
        ("Dave is clearly not interested in reliability.", "BL003"),
        ("Dave was a complete disaster on call.", "BL006"),
        # Someone's work judged a wreck: whose it is stands before the verb.
        ("Dave's migration was a complete mess.", "BL006"),
        ("The migration Priya ran was a total disaster.", "BL006"),
        ("Their rollout was a complete disaster.", "BL006"),
        ("The new guy's code is a total mess.", "BL006"),
        ("His deploy was an absolute disaster.", "BL006"),
        ("@raj's PR is a complete joke.", "BL006"),
        ("The on-call's response was a total shambles.", "BL006"),
        ("The rollout, which Dave led, was a total disaster.", "BL006"),
        ("Your deploy last night was a complete disaster.", "BL006"),
        ("The new guy is an absolute joke.", "BL006"),
        ("He's a total mess.", "BL006"),
        (
            "Thank goodness the DBA was on call, because the developers made a complete mess.",
            "BL006",
        ),
        ("Human error could have caused this.", "BL005"),
        ("The outage was caused by human error, which can happen to anyone.", "BL005"),
        ("Human error may be the root cause here.", "BL005"),
        (
            "The incident was caused by human error and a misconfigured load balancer that could "
            "affect availability.",
            "BL005",
        ),
        ("User error and manual misconfiguration can adversely affect project security.", "BL005"),
        ("Operator error inevitably led to the data loss.", "BL005"),
        ("Human error happens to be the root cause of this outage.", "BL005"),
        ("Human error can be blamed for the whole outage.", "BL005"),
        ("No names beyond the obvious one.", "BL007"),
        ("No names are mentioned, wink wink.", "BL007"),
        ("No names in this report, but it was the same engineer as last time.", "BL007"),
        ("No names except to say it was one of the contractors.", "BL007"),
        ("No names, unless to list the guilty.", "BL007"),
        ("In hindsight it is now obvious the alert threshold was too high.", "BL003"),
        ("Our team lead acknowledged the page but clearly failed to escalate.", "BL003"),
        ("She ignored something obviously important in the alert.", "BL003"),
        ("There was nothing, obviously, that Dave could not have avoided.", "BL003"),
        ("Nothing was done about an obviously broken deploy.", "BL003"),
        ("In hindsight the engineer should have checked the diff.", "BL002"),
        ("Root cause: human error, as ~~usual~~ ever.", "BL005"),
        ("Dave decided not to run the tests before merging.", "BL002"),
        ("Dave decided not to run the tests because he was in a hurry.", "BL002"),
        ("Fire the team that shipped this.", "BL009"),
        # Put as a condition or a question, or not refused at all, a punishment still is one.
        ("Why didn't we fire the contractor?", "BL009"),
        ("Unless we retrain the on-call engineer, it will recur.", "BL009"),
        ("Do not hesitate to fire Dave.", "BL009"),
        ("Don't forget to retrain the team.", "BL009"),
        ("Sigh. The deploy broke again.", "BL006"),
        # The blame itself, not the first word of a technical term.
        ("This was entirely Dave's fault, again.", "BL001"),
        ("Priya's error took down checkout.", "BL001"),
        ("Dana's bugs are legendary.", "BL001"),
        ("Omar's garbage config broke the cache.", "BL001"),
        ("Dave's error made recovery take two hours.", "BL001"),
        (
            "Dave's error rate this quarter was 4%, against 1% for the rest of the rotation.",
            "BL001",
        ),
        # Not being held to account, or careful, is no refusal of a punishment.
        ("They are not going to be held accountable, which is unacceptable.", "BL009"),
        (
            "They are not going to be more careful, no matter how many postmortems we write.",
            "BL009",
        ),
        ("It was Dave's error - recovery took two hours.", "BL001"),
        ("The review was lazy - decoding the payload by hand would have shown the bug.", "BL004"),
        ("Why are we not going to fire Dave after he took down production again?", "BL009"),
        ("We cannot afford not to fire Dave.", "BL009"),
        ("Why on earth are we not going to fire the developer?", "BL009"),
        ("If nobody is going to fire Dave, I will.", "BL009"),
        ("We were told Dave was careless.", "BL004"),
        ('QA chose not to run the payment tests because they found them "boring".', "BL008"),
        ("Tomasz decided not to run the tests, since he was busy.", "BL002"),
        ("Ravi chose not to look.", "BL002"),
        # The person's convenience is no reason, nor a cause ("because of").
        ("Dave decided not to follow the runbook because it was tedious.", "BL002"),
        ("Dave chose not to escalate to avoid the paperwork.", "BL002"),
        ("Dave dropped the orders table because of a missing WHERE clause.", "BL001"),
        ("Dave took the cluster offline since it was quicker than asking.", "BL001"),
        # A punishment beside a rejection of something else.
        ("We are not asking Dave to resign, but he will be held accountable.", "BL009"),
        ("No one disputes that Dave is held accountable.", "BL009"),
        # A label rejected at first and then accepted.
        (
            "The incident was due to human error. The vendor did not accept that conclusion at "
            "first, but agreed after seeing the logs.",
            "BL005",
        ),
        # A punishment beside a rejected "be careful", and blame after "but".
        ("We are not asking engineers to be careful, and Dave will be held accountable.", "BL009"),
        ("We warned Dave to do better.", "BL009"),
        ("We know the intern can do better.", "BL009"),
        # A consequence after the decision is no reason for it.
        ("Dave chose not to escalate, and the site stayed down until 9am.", "BL002"),
        ("Ken decided not to answer the page until the next morning.", "BL002"),
        ("Dave chose not to follow the runbook and instead improvised.", "BL002"),
        ("Ken deleted the namespace and we only found out later because no alert fired.", "BL001"),
        # "Human error" followed by a rejection of something else.
        ("This was human error. We do not accept that kind of sloppiness from seniors.", "BL005"),
        ("This was human error; the company does not accept it as an excuse.", "BL005"),
        ("This was human error, full stop. That answer is not going to change.", "BL005"),
        # Sarcasm in a clause of its own.
        ("Sure, skip staging. What could have gone wrong?", "BL006"),
        ("Skipping the canary on a Friday evening: what could have gone wrong?", "BL006"),
        # A promise is the organisation's; a demand of others is not.
        ("We've asked support to try harder next time.", "BL009"),
        ("We're going to have QA do better.", "BL009"),
        (
            "We're not just asking engineers to be careful anymore: repeat offenders will face "
            "consequences.",
            "BL009",
        ),
        ("Let's just say the deploy of 23:59 didn't write itself.", "BL007"),
        ("Let's just say a certain founder likes to test listings in prod.", "BL007"),
        ("- Let's just say whoever ran the rollout has done this before.", "BL007"),
        # The writers set against people left unnamed.
        ("I'll do better next time, unlike some people.", "BL007"),
        ("Unlike other engineers on the team, I always test before merging.", "BL007"),
        ("I'll do better, unlike some of my colleagues.", "BL007"),
        ("Unlike the rest of you, I read the runbook.", "BL007"),
        ("Unlike others on this team, I actually test my changes.", "BL007"),
        ("Sure, skip the tests, what could possibly go wrong?", "BL006"),
        ("Root cause: human error, and it is wrong to pretend otherwise.", "BL005"),
        ("Dave deleted the prod database because he thought it was staging.", "BL001"),
        ("We are not asking much: be more careful.", "BL009"),
        ("Tell Dave to be more careful; telling him twice did not work.", "BL009"),
        ("The root cause was human error. That explanation is the only one that fits.", "BL005"),
        ("Root cause: human error. That is final.", "BL005"),
        ("Root cause: human error. We do not accept excuses.", "BL005"),
        ("Then we noticed that Dave was sloppy.", "BL004"),
        ("Dave needs to do better.", "BL009"),
        ("Is there a reason we aren't going to fire the developer?", "BL009"),
        # A question that hunts for the person, in a list, a quotation or a cell too, or in the
        # present tense when it is asked rhetorically.
        ("- Who deleted the bucket?", "BL001"),
        ("> Who deleted the bucket?", "BL001"),
        ("Who decided to reload both route reflectors in the same window?", "BL001"),
        ("And honestly, who restarts the primary at 19:00 without a word to anyone?", "BL001"),
        ("| 15:20 | Who on earth approves a schema change during the sale? |", "BL001"),
        ("Who in their right mind deploys on a Friday?", "BL001"),
        ("- Had Dave checked the logs, none of this would have happened.", "BL002"),
        ("Demote Riaan from senior engineer back to engineer.", "BL009"),
        ("Demote Lars from primary on-call to secondary.", "BL009"),
        ("Demote the duty shift lead to assistant controller.", "BL009"),
        ("Consider demoting Dave from lead.", "BL009"),
        ("We demoted Dave.", "BL009"),
        ("As a consequence, Mark was demoted.", "BL009"),
        ("Bob was quietly demoted.", "BL009"),
        ("Outcome: Carlos demoted to L3.", "BL009"),
        ("@bob's demotion was announced.", "BL009"),
        ("The team was demoted.", "BL009"),
        ("We recommend the release manager be demoted.", "BL009"),
        ("Outcome: Lars demoted from tech lead.", "BL009"),
        ("Dave's demotion was announced on Monday.", "BL009"),
        ("Her demotion was announced at the all-hands.", "BL009"),
        ("Action: Ravi's demotion to analyst.", "BL009"),
        ("We asked for @bob's demotion.", "BL009"),
        ("| 4 | Dave's demotion | Lena | open |", "BL009"),
        ("We recommend Dave's demotion due to repeated outages.", "BL009"),
        ("Dave's demotion followed the review.", "BL009"),
        ("Dave's demotion process starts Monday.", "BL009"),
        ("Priya's demotion request: approved.", "BL009"),
        ("We should fire team leads who approve untested changes.", "BL009"),
        ("The reviewer was lazy on first read and missed the bug.", "BL004"),
        ("Dave lazily skimmed the diff and approved it.", "BL004"),
        ("What an amateur move by Priya.", "BL004"),
        # Scare quotes and reported words are still the judgement.
        ('Dave was, in a word, "careless".', "BL004"),
        ("Let's be honest: the night shift was 'negligent'.", "BL004"),
        ('The ops team called Ken "reckless", and they were right.', "BL004"),
        # A reported word governs its own clause only.
        ("He called it a quick fix, but the root cause was human error.", "BL005"),
        ("Nobody asked me, but Dave is careless with configs.", "BL004"),
        ("It was not just careless, it was reckless.", "BL004"),
        ("Dave could not have been more careless with the config.", "BL004"),
        ("Dave took the whole site down on Friday.", "BL001"),
        ("Dave took the payments database offline.", "BL001"),
        ("Dave disabled the alerts so he could sleep.", "BL001"),
        ("Dave took the site down so nobody could log in.", "BL001"),
        ("Dave dropped the orders table, so checkout could not recover.", "BL001"),
        ("Dave deleted the queue so payments would never settle.", "BL001"),
        ("Dave knocked the payment API offline with his change.", "BL001"),
        # A reported word governs the phrase right after it only, and only for human error.
        ("Everyone called it a careless mistake by Dave, and it was.", "BL004"),
        ("Priya asked whether Dave forgot to renew the certificate again.", "BL002"),
        ("Thanks to Dave for ruining the launch.", "BL006"),
        ("Thanks, Dave, for the extra hours on Sunday.", "BL006"),
        # "Be more careful" as what an action item makes sure of.
        ("Make sure that Dave is more careful with the config.", "BL009"),
        ("Ensure engineers are more careful when editing configs.", "BL009"),
        ("Ensure on-call staff remain vigilant.", "BL009"),
        ("Make sure they're more careful with the database.", "BL009"),
        ("Ensure Dave, Priya and Sam are more careful.", "BL009"),
        ("Suffice to say the person who approved this also wrote it.", "BL007"),
        ("We wasted two hours while Dave ignored the pager.", "BL006"),
        ("The outage was caused by, you know who, again.", "BL007"),
        ("We all know who pushed on Friday.", "BL007"),
        ("We all know who to blame for this.", "BL007"),
        ("We wasted our whole morning on Dave's untested change.", "BL006"),
        # A title before a name keeps it a name.
        ("The CTO Mark broke the deploy pipeline.", "BL001"),
        ("The Release Manager Dave broke production.", "BL001"),
    ],
)
def test_the_same_words_aimed_at_people_are_still_flagged(sentence: str, code: str) -> None:
    assert code in {hit.code for hit in check_text(sentence)}


@pytest.mark.parametrize(
    ("sentence", "code"),
    [
        ("The on-call group failed to respond for an hour.", "BL008"),
        ("The platform group failed to test the change.", "BL008"),
        ("The security group failed to review the firewall change.", "BL008"),
        ("The change control group failed to review the change.", "BL008"),
        ("The server group failed to patch the hosts before the deadline.", "BL008"),
    ],
)
def test_a_group_of_people_is_still_a_team(sentence: str, code: str) -> None:
    assert code in {hit.code for hit in check_text(sentence)}


@pytest.mark.parametrize(
    "sentence",
    [
        "The outage was caused by Baraka Otieno.",
        "Because of Tala our store rating dropped to two stars.",
        "This was caused by Dave not testing the migration.",
        "The outage was caused by Priya's change to the rate limiter.",
        "It was user error.",
        "Dave broke the circuit breaker config.",
        "Jun pushed a broken config to the load balancers.",
        # A person is not down: what they did or were still blames them.
        "The delay was due to Priya being unavailable.",
        "The outage was caused by Dave, down in the data centre.",
        "The extra hour was due to Priya being down in the basement without signal.",
        "The delay was due to Dave being down at the pub instead of answering the page.",
        "The outage was due to Dave being careless with the config.",
    ],
)
def test_people_named_as_the_cause_are_still_flagged(sentence: str) -> None:
    assert check_text(sentence) != []


@pytest.mark.parametrize(
    ("sentence", "code"),
    [
        # Names with letters beyond ASCII, and the "O'" of an Irish name, read as names do.
        ("Zoë forgot to renew the TLS certificate.", "BL002"),
        ("Łukasz should have run the migration in staging first.", "BL002"),
        ("Jesús deleted the wrong table.", "BL001"),
        ("This was caused by Søren not testing the migration.", "BL001"),
        ("O'Brien broke the build.", "BL001"),
        ("We should fire Łukasz.", "BL009"),
        # Names in Cyrillic and Greek, capitalised as Latin names are.
        ("The outage was caused by Мария.", "BL001"),
        ("Ελένη skipped the canary and broke checkout.", "BL001"),
        # Names in a script without capitals, inside an English sentence.
        ("田中 should have checked the disk quota.", "BL002"),
        ("The outage was caused by محمد.", "BL001"),
        ("Once again דוד ignored the runbook.", "BL001"),
        # A name opening the sentence with an accented ending is no English plural.
        ("Andrés typed the wrong region.", "BL001"),
        ("Inés should have checked the replication status.", "BL002"),
    ],
)
def test_a_name_in_any_alphabet_is_read_as_a_name(sentence: str, code: str) -> None:
    assert code in {hit.code for hit in check_text(sentence)}


@pytest.mark.parametrize(
    ("sentence", "code"),
    [
        ("Had Łukasz run the tests, this would not have happened.", "BL002"),
        ("Make Łukasz more careful.", "BL009"),
        ("Keep a closer eye on Łukasz.", "BL009"),
        ("We demoted Łukasz.", "BL009"),
        ("Łukasz's demotion was announced.", "BL009"),
        ("Revoke Łukasz's access to production.", "BL009"),
        ("Remove Łukasz from the on-call rotation.", "BL009"),
        ("Remove 田中 from the on-call rotation.", "BL009"),
        ("Make Мария more careful.", "BL009"),
    ],
)
def test_every_check_aimed_at_someone_reads_a_name_in_any_alphabet(
    sentence: str, code: str
) -> None:
    # As each reads "Dave": a name whose first letter is beyond ASCII is still the one aimed at.
    assert code in {hit.code for hit in check_text(sentence)}
    assert code in {hit.code for hit in check_text(sentence.replace("Łukasz", "Dave"))}


@pytest.mark.parametrize(
    "sentence",
    [
        "Isn't this the third time the cache filled up?",
        "I'll check the logs again after the deploy.",
        "Thanks to José for rolling back the deploy.",
        "陈伟 rolled back the release at 12:40.",
        "Мария redirected traffic away from the bad node.",
        # A word in a script without capitals before a noun names a thing, as "Riak" does.
        "The outage was caused by 连接超时 errors from the payment gateway.",
        # English plurals opening a sentence, accented where the ending is not.
        "Façades should have been removed before the migration.",
        "Rôles should have been reviewed before the migration.",
        "Entrées caused the outage.",
    ],
)
def test_a_contraction_or_a_name_used_neutrally_is_left_alone(sentence: str) -> None:
    assert check_text(sentence) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "Make sure the review is more thorough.",
        "Ensure the rollout is more cautious in the first hour.",
        "Make sure the runbook is mindful of time zones.",
        "Ensure the alerting stays vigilant during deploy freezes.",
        "Make sure we're more careful with migrations.",
        "Make the rollout more cautious: canary first.",
        "Make the config loader more careful about unknown keys.",
        # A thing named after a role or a team: its head noun says what it is.
        "Make the on-call runbook more thorough.",
        "Make the engineer onboarding more thorough.",
        "Make the developer experience more careful about defaults.",
        "I am sure the new pipeline is more thorough.",
        "Suffice to say, these are very large tree objects that take a lot of computation.",
        # An article before a run of capitalised words names a thing, not a person.
        "The v10.5.0 release of the Carbon Design System shipped a broken build.",
        "Then the Open Build Service dropped the old repositories.",
    ],
)
def test_care_asked_of_things_and_names_of_things_are_left_alone(
    sentence: str,
) -> None:
    assert not {"BL001", "BL007", "BL009"} & {hit.code for hit in check_text(sentence)}


@pytest.mark.parametrize(
    "sentence",
    [
        "Dave failed to start the job.",
        "Those who know Charles failed to tell him.",
        "Some days Dave failed to read the runbook.",
    ],
)
def test_a_name_after_words_that_count_is_still_a_name(sentence: str) -> None:
    assert "BL002" in {hit.code for hit in check_text(sentence)}


@pytest.mark.parametrize(
    "sentence",
    [
        "Those Vals failed to start entirely.",
        "Some Droplets failed to boot after the migration.",
        "Certain Lambdas failed to read the new secret.",
        "These Workers should have drained first.",
    ],
)
def test_a_capitalised_plural_after_words_that_count_is_a_thing(sentence: str) -> None:
    """A product's things ("Vals", "Droplets"), as no person's name is written."""
    assert not {"BL001", "BL002"} & {hit.code for hit in check_text(sentence)}


@pytest.mark.parametrize(
    "sentence",
    [
        "The outage was caused by human error during the migration.",
        "Root cause: operator error. The ticket is closed.",
        "Human error led to the deletion of the customer table.",
        # The "not" of an omission the error is said to be, not a denial of it.
        "- Human error in not knowing which account the audit logs are kept in.",
        "Operator error by not checking the target cluster before the purge.",
    ],
)
def test_human_error_given_as_the_cause_is_flagged(sentence: str) -> None:
    assert "BL005" in {hit.code for hit in check_text(sentence)}


@pytest.mark.parametrize(
    ("sentence", "words"),
    [
        ("It was operator error, plain and simple.", "operator error"),
        ("The config was a fat-finger mistake.", "fat-finger"),
        ("The root cause was human error.", "human error"),
        ("Root cause: operator error.", "operator error"),
        ("The root cause was the intern.", "the intern"),
    ],
)
def test_human_error_finding_names_and_underlines_the_words_given_as_the_cause(
    sentence: str, words: str
) -> None:
    [hit] = check_text(sentence)
    assert hit.code == "BL005"
    assert sentence[hit.start : hit.end] == words
    assert hit.message.startswith(f"'{words}' is not a cause;")


@pytest.mark.parametrize(
    "sentence",
    [
        "This was not human error in not knowing anything: the logs were moved without notice.",
        "We are not blaming human error for not seeing the alert.",
    ],
)
def test_human_error_denied_beside_an_omission_is_left_alone(sentence: str) -> None:
    assert "BL005" not in {hit.code for hit in check_text(sentence)}


def test_roster_names_and_handles() -> None:
    options = BlamelessOptions(people=frozenset({"dave-ops", "priya"}))
    hits = check_text("dave-ops pushed a broken config.", options)
    assert [hit.code for hit in hits] == ["BL001"]
    assert check_text("@sam merged a bad PR.")[0].code == "BL001"
    assert check_text("priya rolled back the deploy.", options) == []


def test_allow_and_extra_terms() -> None:
    assert check_text("The rollout was careless.", BlamelessOptions(allow=("careless",))) == []
    hits = check_text("That was a cowboyish move.", BlamelessOptions(extra_terms=("cowboyish",)))
    assert [hit.code for hit in hits] == ["BL004"]


def test_inline_code_and_links_are_skipped_in_text() -> None:
    assert check_text("Set `careless_mode` to false, see [docs](https://x.test/stupid-idea).") == []


# --- replacements -----------------------------------------------------------------------------


def _apply(text: str, hits: list[BlameHit]) -> str:
    for hit in sorted(hits, key=lambda h: h.start, reverse=True):
        if hit.replacement is not None:
            text = text[: hit.start] + hit.replacement + text[hit.end :]
    return text


@pytest.mark.parametrize(
    ("text", "fixed"),
    [
        ("The config was obviously wrong.", "The config was wrong."),
        ("The deploy, obviously, broke the parser.", "The deploy broke the parser."),
        ("We checked the dashboards, obviously.", "We checked the dashboards."),
        ("The rollback was unbelievably slow.", "The rollback was slow."),
        # Its comma goes with it.
        ("And obviously, the deploy broke the parser.", "And the deploy broke the parser."),
        ("The cache was unbelievably, obviously cold.", "The cache was cold."),
        # So does the emphasis around it, rather than half of it.
        ("The config was *obviously* wrong.", "The config was wrong."),
        ("The config was **obviously** wrong.", "The config was wrong."),
        ("The config was _obviously_ wrong.", "The config was wrong."),
        ("The deploy, *obviously*, broke the parser.", "The deploy broke the parser."),
        ("The config was <b>obviously</b> wrong.", "The config was wrong."),
        # A comma with no space after it: the words either side stay apart.
        ("The config was obviously,wrong.", "The config was,wrong."),
        ("The deploy, obviously,broke the parser.", "The deploy,broke the parser."),
    ],
)
def test_replacement_removes_the_hit(text: str, fixed: str) -> None:
    hits = check_text(text)
    assert any(hit.replacement is not None for hit in hits)
    assert _apply(text, hits) == fixed
    assert check_text(fixed) == []


def test_no_replacement_where_rewrite_is_not_mechanical() -> None:
    for text in ["Obviously the config was wrong.", "Dave pushed a broken config."]:
        assert all(hit.replacement is None for hit in check_text(text))


@pytest.mark.parametrize(
    ("sentence", "span"),
    [
        ("The on-call engineer failed to notice the alert.", "on-call engineer failed to"),
        ("Then the database team broke replication.", "database team broke"),
        ("Database team broke replication.", "Database team broke"),
        ("Because ops team failed to page anyone, it ran.", "team failed to"),
        ("The team broke it.", "team broke"),
    ],
)
def test_a_team_or_role_is_underlined_with_the_words_that_say_which(
    sentence: str, span: str
) -> None:
    [hit] = check_text(sentence)
    assert sentence[hit.start : hit.end] == span


def test_hero_worship_is_not_called_mocking() -> None:
    [hit] = check_text("Thankfully Dana saved the day and restored the cache.")
    assert hit.code == "BL006" and "hero worship" in hit.message


def test_no_replacement_that_would_leave_half_the_emphasis() -> None:
    [hit] = check_text("It was *really obviously* wrong.")
    assert hit.code == "BL003" and hit.replacement is None


# --- Markdown ---------------------------------------------------------------------------------

DOC = """# Postmortem

## Summary

A config change broke the parser. The change was obviously wrong.

```
careless_flag = stupid
```

    indented stupid code

Set `obviously` in the config. See [the guide](https://example.test/careless-sloppy).
<!-- Dave pushed a broken config, obviously -->
<https://example.test/stupid>

[ref]: https://example.test/sloppy

> 2022-12-25T12:32:00Z ERROR careless write detected
> panic: stupid nil pointer

## Timeline

- 12:32 Dave pushed the config change.
- 12:40 Priya rolled back the deploy.
- 12:45 Dave was at it again.

## Responders

- Dave (Incident Commander)
- Priya

## Contributing factors

| factor | note |
| --- | --- |
| config | Dave pushed a broken config |

## Action items

- [ ] Dave: add config validation in CI
- [ ] Engineers need to be more careful with configs
"""


def _by_code(results: list[tuple[int, int, BlameHit]]) -> list[tuple[int, int, str]]:
    return [(line, col, hit.code) for line, col, hit in results]


def test_markdown_positions_and_skips() -> None:
    results = _by_code(check_markdown(DOC))
    # "obviously" on line 5; col of the 'o' (1-based).
    line5 = DOC.splitlines()[4]
    assert (5, line5.index("obviously") + 1, "BL003") in results
    # Nothing from code blocks, inline code, comments, URLs, reference definitions or logs.
    assert all(line not in (7, 8, 9, 11, 13, 14, 15, 17, 19, 20) for line, _, _ in results)
    # Neutral names in the timeline are fine; a judgmental phrase there is not.
    assert (26, DOC.splitlines()[25].index("at it again") + 1, "BL006") in results
    assert all(line not in (24, 25, 30, 31) for line, _, _ in results)
    # Table rows and action items are checked.
    table_line = DOC.splitlines()[36]
    assert (37, table_line.index("Dave") + 1, "BL001") in results
    assert any(line == 42 and code == "BL009" for line, _, code in results)
    # The owner name in an action item is not blame.
    assert all(line != 41 for line, _, _ in results)


def test_markdown_hit_offsets_point_into_body() -> None:
    for line, col, hit in check_markdown(DOC):
        lines = DOC.splitlines(keepends=True)
        offset = sum(len(text) for text in lines[: line - 1]) + col - 1
        assert offset == hit.start
        assert DOC[hit.start : hit.end].strip()


def test_markdown_blockquote_prose_is_checked_but_logs_are_not() -> None:
    body = "> The rollout was careless.\n\n> ERROR 2022-12-25 stupid value\n"
    assert _by_code(check_markdown(body)) == [(1, 19, "BL004")]


def test_one_log_like_line_does_not_hide_a_quote() -> None:
    """A quote is a log when most of its lines are; else only its log lines are skipped."""
    body = (
        "> Note: the rollout was careless.\n\n"  # a label, not a process
        "> [!WARNING]\n> The rollout was careless.\n\n"
        "> # The rollout was careless.\n\n"  # a heading inside the quote
        "> ERROR write failed\n> Frankly the rollout was careless.\n\n"
        "> ERROR disk full\n> at com.acme.Writer(Writer.java:3)\n> careless write\n"
    )
    assert [line for line, _, _ in _by_code(check_markdown(body))] == [1, 4, 6, 9]


def test_a_line_written_after_a_quoted_log_without_a_marker_is_read() -> None:
    # CommonMark continues the quote's paragraph with it (the page shows it inside the quote),
    # but the author wrote it outside the log: skipping the log skipped the blame with it.
    body = (
        "> ERROR 2024-05-02 10:00:01 db-3 connection refused\n"
        "> ERROR 2024-05-02 10:00:02 db-3 connection refused\n"
        "The on-call engineer was careless.\n\n"
        "> ERROR 2024-05-02 10:00:03 stupid value\n"
        "> ERROR 2024-05-02 10:00:04 stupid value\n"
    )
    assert [(line, code) for line, _, code in _by_code(check_markdown(body))] == [(3, "BL004")]


def test_markdown_multiline_paragraph_and_crlf() -> None:
    body = "Intro line.\r\nThe on-call engineer\r\nshould have noticed.\r\n"
    results = check_markdown(body)
    assert [(line, code) for line, _, code in _by_code(results)] == [(2, "BL002")]


# --- lines of thousands of hits ---------------------------------------------------------------
# The engine answers each hit from what it found once per chunk or sentence (how fast is
# benchmarks/blameless_hostile.py's concern); these check that the answers stay the same.


def test_where_a_sentence_opens_is_what_the_sentence_end_pattern_says() -> None:
    rng = random.Random(7)
    alphabet = 'ab1 .\n-*+)(;:|"\u201c!?\t'
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 9)))
        start = rng.randint(0, len(text))
        expected = SENTENCE_END.search(text, 0, start) is not None
        assert opens_sentence(text, start) is expected, (text, start)


def test_one_hit_per_code_per_overlapping_span_as_the_pairwise_definition() -> None:
    rng = random.Random(11)
    for _ in range(2_000):
        hits = []
        for _ in range(rng.randint(2, 12)):
            start = rng.randint(0, 30)
            hits.append(
                BlameHit(
                    rng.choice(("BL001", "BL003")),
                    start,
                    start + rng.randint(0, 6),
                    "m",
                    "s",
                    rng.choice((None, "")),
                )
            )
        ordered = sorted(hits, key=lambda h: (h.start, h.replacement is None, h.start - h.end))
        expected: list[BlameHit] = []
        for hit in ordered:
            if not any(
                k.code == hit.code and k.start < hit.end and hit.start < k.end for k in expected
            ):
                expected.append(hit)
        assert _dedupe(list(hits)) == expected


def test_every_hit_of_a_line_without_sentence_ends_is_reported_once() -> None:
    assert len(check_text("obviously " * 3_000)) == 3_000


def test_a_sentence_wide_veto_holds_for_every_hit_of_a_long_sentence() -> None:
    denied = "human error was not the cause and " * 400
    asserted = "the outage was caused by human error. " * 400
    assert check_text(denied + "it recovered.") == []
    assert len(check_text(asserted)) == 400
    assert len(check_text(asserted + denied)) == 400


@pytest.mark.parametrize(
    ("sentence", "found"),
    [
        ("Certain people never read the runbook.", [("BL007", "Certain people")]),
        ("A certain team broke prod again.", [("BL007", "A certain team")]),
        (
            "Some folks in ops never read the runbook.",
            [("BL007", "Some folks in ops never"), ("BL008", "ops never read")],
        ),
        (
            "Certain people in the platform team never read the runbook.",
            [("BL007", "Certain people"), ("BL008", "platform team never read")],
        ),
        ("The platform team never read the runbook.", [("BL008", "platform team never read")]),
    ],
)
def test_the_people_an_insinuation_singles_out_are_not_also_a_team_blamed(
    sentence: str, found: list[tuple[str, str]]
) -> None:
    assert [(hit.code, sentence[hit.start : hit.end]) for hit in check_text(sentence)] == found


@pytest.mark.parametrize(
    ("sentence", "span"),
    [
        (
            "Remind the on-call engineers to be more careful with deploys.",
            "Remind the on-call engineers to be more careful",
        ),
        ("Remind engineers to take more care.", "Remind engineers to take more care"),
        ("Remind engineers to always be careful.", "Remind engineers to always be careful"),
        ("Remind him to really be more careful.", "Remind him to really be more careful"),
        (
            "Remind engineers to double-check next time.",
            "Remind engineers to double-check next time",
        ),
        ("Remind engineers to deploy more carefully.", "Remind engineers to deploy more carefully"),
        ("Remind the team to update the runbook.", "Remind the team to"),
    ],
)
def test_a_reminder_to_take_care_is_one_finding(sentence: str, span: str) -> None:
    assert [(hit.code, sentence[hit.start : hit.end]) for hit in check_text(sentence)] == [
        ("BL009", span)
    ]


@pytest.mark.parametrize(
    ("sentence", "span"),
    [
        ("Make Sam more careful with deployment configs", "Make Sam more careful"),
        ("Make the on-call engineer more vigilant.", "Make the on-call engineer more vigilant"),
        ("Make everyone more mindful of change freezes.", "Make everyone more mindful"),
    ],
)
def test_care_made_of_someone_is_no_action_item(sentence: str, span: str) -> None:
    assert [(hit.code, sentence[hit.start : hit.end]) for hit in check_text(sentence)] == [
        ("BL009", span)
    ]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        # A full stop ends the subject's sentence and whom a punishment is aimed at.
        ("Text. Who deleted the bucket?", [("BL001", "Who deleted the bucket?")]),
        ("Fire the intern.", [("BL009", "Fire the intern")]),
        ("Tell them to fire anyone. Why not?", [("BL009", "fire anyone")]),
        ("Blame for the outage lies with Steve.", [("BL001", "Steve")]),
        # Dots inside a handle are part of it.
        ("The outage was caused by @bea.costa today.", [("BL001", "@bea.costa")]),
    ],
)
def test_a_full_stop_ends_the_person_a_finding_names(
    text: str, found: list[tuple[str, str]]
) -> None:
    assert [(hit.code, text[hit.start : hit.end]) for hit in check_text(text)] == found


def test_a_reminder_takes_in_only_the_care_it_asks_for() -> None:
    # What follows it is read as before: a punishment beside it is a finding of its own, and a
    # reminder in a quoted title is a quotation.
    found = check_text("Remind engineers to double-check next time, and fire Dave.")
    assert [hit.code for hit in found] == ["BL009", "BL009"]
    assert (
        check_text('The wiki page titled "Remind engineers to rotate keys" is out of date.') == []
    )


def _seconds(text: str) -> float:
    """The shortest of three runs of the rules over the text: the least a busy machine adds."""
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        check_text(text)
        runs.append(time.perf_counter() - started)
    return max(min(runs), 0.001)


@pytest.mark.parametrize(
    ("unit", "count"),
    [
        # Thousands of insinuations and of teams in one sentence (400 KB took 4 s, 800 KB 15 s).
        ("Certain people never read it ", 1_400),
        ("Some folks in ops never read it ", 1_250),
        # Care asked of the readers, or promised by the writers, thousands of times in one
        # sentence, each match reading the sentence again (40 KB took two minutes).
        ("you need to be careful and ", 40),
        ("so be careful with emails you get and ", 30),
        ("we need to be more careful and ", 130),
        # A lesson in the present after each match, each read to the end of its clause and the
        # sentence read for a person after it (40 KB took 2.8 s, 160 KB 47 s).
        ("in retrospect it is now clear that the config is a misconfiguration and ", 60),
        # A wreck said of a thing, each match reading its sentence back to where it opens for
        # whose the thing is (60 KB took 76 s).
        ("The migration was a complete mess and ", 40),
    ],
)
def test_a_sentence_of_many_matches_is_read_in_time_linear_in_its_length(
    unit: str, count: int
) -> None:
    assert _seconds(unit * count * 10) < 30 * _seconds(unit * count)


@pytest.mark.parametrize("blanks", [" ", "\t", "\n"])
def test_a_long_run_of_blanks_after_had_is_read_once(blanks: str) -> None:
    # 200,000 spaces after "had" took half a minute: each was read from each before it.
    assert _seconds("It had " + blanks * 50_000 + "x.") < 30 * _seconds(
        "It had " + blanks * 5_000 + "x."
    )
    assert [
        hit.code for hit in check_text("It was late. " + " " * 5_000 + "Had Dave read it?")
    ] == ["BL002"]


def test_care_shared_with_a_person_reads_only_the_words_beside_it() -> None:
    # A person eight words after the writers' care shares it; nine words after, not.
    assert [hit.code for hit in check_text("We need to be more careful a b c d e f g Dave.")] == [
        "BL009"
    ]
    assert check_text("We need to be more careful a b c d e f g h Dave.") == []
