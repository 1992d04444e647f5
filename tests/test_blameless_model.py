"""The trained layer: it scores as scikit-learn does, ships reproducibly, and reports BL010 in lint."""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import io
import json
import os
import re
import sys
import tracemalloc
import unicodedata
import zlib
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from incident_docs.blameless import Checker, check_text, prose, training
from incident_docs.blameless import model as model_module
from incident_docs.blameless.agents import organisations
from incident_docs.blameless.engine import BlamelessOptions
from incident_docs.blameless.lexicon import IMPLIED_TARGET, TARGETS
from incident_docs.blameless.model import (
    HANDLE,
    LOOSELY_NAMED,
    NAME,
    NUMBER,
    TEAM,
    UNTARGETED,
    VERSION,
    BlameModel,
    analyse,
    bare_person,
    feature_names,
    implies_target,
    is_model_file,
    load_model,
    loosely_named,
    packaged_model,
    tokens,
    unquote_handles,
)
from incident_docs.blameless.prose import (
    SURER,
    TIMELINE,
    check_document,
    check_markdown,
    normalise,
    sentences,
)
from incident_docs.cli import main
from incident_docs.diagnostics import UsageError
from incident_docs.document import parse_text
from incident_docs.linter import PARALLEL_THRESHOLD
from support.archive import REPO
from support.cli import RunCli

PACKAGED = REPO / "tooling" / "incident_docs" / "blameless" / "data" / "blameless-model.json.gz"
FROZEN = REPO / "training" / "blameless" / "frozen-test.tsv"

ISSUE_SENTENCES = [
    "Marta is the reason checkout was down for an hour.",
    "This one is on Ken, plain and simple.",
    "If Ivan had read the runbook, none of this would have happened.",
    "He sat on the alert for forty minutes.",
    "Nobody should be surprised that the junior engineer broke it.",
    "Dmitri's deploys have a reputation for a reason.",
    "Nice of the platform team to test their change in production for us.",
    "The room went quiet when Omar admitted he had never heard of the rollback button.",
    "Action item: revoke Bruno's production access until further notice.",
    "Thanks to one person's shortcut, support fielded four hundred angry calls.",
]

SOURCE_BLAMEFUL = [
    "Eric was at it again this weekend: he made a typo in the deployment config which caused "
    "the entire SRE and developement team to miss out on Christmas with their families.",
    "After the other SREs and Dev team memebers (not Eric, he was crying in the corner) "
    "exhausted the logs and system metrics, Sally, the hero of the day realized that Eric made "
    "a typo in the deployment config, then we forced him to fix it while we stared at him.",
]
SOURCE_BLAMELESS = (
    "At 12:32 PM on Dec. 25th 2022 a corrupt image was deployed to the production environment "
    "instead of the newly corrected one. Due to this, a memory leak spiraled out of control "
    "leading to vm's crashing, rebooting and repeating. After 2 hours of searching the logs and "
    "system metrics the typo was discovered in the deployment config, changed, and the system "
    "began to work as expected."
)


def _shipped_checker() -> Checker:
    model = packaged_model()
    return Checker(model=model, threshold=model.threshold)


# --- the model against scikit-learn ------------------------------------------------------------


def test_scores_match_scikit_learn() -> None:
    rows = training.corpus_rows()[::5]
    fitted, held = rows[::2], rows[1::2]
    vectorizer, classifier, _, _, _ = training._fit(fitted, seed=0)
    expected = classifier.predict_proba(vectorizer.transform([row.text for row in held]))[:, 1]
    model = BlameModel(training.train(fitted, threshold=0.5), "test")
    for row, probability in zip(held, expected, strict=True):
        # Only the file's rounding (six decimals) stands between the two.
        assert model.probability(row.text) == pytest.approx(probability, abs=1e-5), row.text
        assert model.score(row.text).probability == model.probability(row.text)


def test_the_sentence_read_last_is_reused_only_for_the_same_text_and_roster() -> None:
    model = packaged_model()
    text = "Then jo pushed the change to the deploy again, as jo always does on a Friday."
    other = "The rollback was, once again, left until the last possible minute."
    nobody, roster = frozenset[str](), frozenset({"jo"})

    def fresh(sentence: str, people: frozenset[str]) -> float:
        model._last = None  # nothing read before
        return model.probability(sentence, people)

    alone, named, elsewhere = fresh(text, nobody), fresh(text, roster), fresh(other, nobody)
    assert alone != named  # on the roster, "jo" reads as a name
    assert alone != elsewhere
    model._last = None
    # The same text object, read again with another roster in between.
    assert model.probability(text, nobody) == alone
    assert model.probability(text, roster) == named
    assert model.score(text, roster).probability == named
    assert model.probability(text, nobody) == alone
    # Another text, with the same roster object.
    assert model.probability(other, nobody) == elsewhere
    assert model.score(other, nobody).probability == elsewhere


def test_a_kept_selection_is_fitted_on_its_features_and_the_taught_lines_own() -> None:
    rows = training.corpus_rows()[::50]
    kept = frozenset(training.train(rows, threshold=0.5)["features"][::7])
    alone = training.train(rows, threshold=0.5, keep=training.Selection(kept))
    assert set(alone["features"]) == kept and alone["metadata"]["features"] == "kept"
    taught = "The replica was rebuilt twice before lunch."
    model = training.train(rows, threshold=0.5, keep=training.Selection(kept, (taught,)))
    own = set(
        analyse(
            training.as_read(taught),
            frozenset(model["known_words"]),
            frozenset(model["vocabulary"]),
        )
    )
    added = set(model["features"]) - kept
    assert added and added <= own


def test_the_fast_path_reads_every_sentence_as_the_explained_path_does() -> None:
    model = packaged_model()
    for row in training.corpus_rows()[::3]:
        assert model.probability(row.text) == pytest.approx(model.score(row.text).probability)


@pytest.mark.slow
def test_the_shipped_model_is_what_the_training_command_makes_of_the_committed_corpus(
    tmp_path: Path,
) -> None:
    out = tmp_path / "model.json.gz"
    assert training.main(["--output", str(out)]) == 0
    made = json.loads(gzip.decompress(out.read_bytes()))
    shipped = json.loads(gzip.decompress(PACKAGED.read_bytes()))
    assert made["features"] == shipped["features"]
    assert made["vocabulary"] == shipped["vocabulary"]
    assert made["intercept"] == pytest.approx(shipped["intercept"], abs=1e-6)
    assert made["known_words"] == shipped["known_words"]
    assert made["common_words"] == shipped["common_words"]
    assert made["threshold"] == shipped["threshold"]
    assert made["metadata"]["corpus_sha256"] == shipped["metadata"]["corpus_sha256"]
    assert made["coef"] == pytest.approx(shipped["coef"], abs=1e-5)
    assert made["idf"] == pytest.approx(shipped["idf"], abs=1e-5)


def test_the_model_file_is_plain_json_data() -> None:
    raw = gzip.decompress(PACKAGED.read_bytes())
    data = json.loads(raw)
    assert data["format"] == "incident-docs/blameless-model"
    assert len(data["features"]) == len(data["coef"]) == len(data["idf"])
    assert PACKAGED.stat().st_size < 3_000_000


def test_a_file_that_is_not_a_model_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "model.json.gz"
    bad.write_bytes(b"\x80\x04\x95 not json")
    with pytest.raises(ValueError, match="not a JSON model"):
        load_model(bad)
    bad.write_text('{"format": "something else"}')
    with pytest.raises(ValueError, match="not a blameless model"):
        load_model(bad)


def test_a_model_file_is_read_only_up_to_its_limit_zipped_or_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(model_module, "MODEL_LIMIT", 4096)
    data = json.dumps(_small_model()).encode()
    path = tmp_path / "model.json.gz"
    path.write_bytes(gzip.compress(data))
    assert load_model(path).size == 4  # under the limit, zipped
    path.write_bytes(gzip.compress(data + b" " * 5000))  # valid JSON, unzipped past the limit
    with pytest.raises(ValueError, match="over 4,096 bytes"):
        load_model(path)
    path.write_bytes(data + b" " * 5000)
    with pytest.raises(ValueError, match="over 4,096 bytes"):
        load_model(path)
    path.write_bytes(gzip.compress(data)[:-12])
    with pytest.raises(ValueError, match="cut short"):
        load_model(path)
    path.write_bytes(gzip.compress(data) * 2)
    with pytest.raises(ValueError, match="after the gzip stream"):
        load_model(path)
    # A small file that unzips to 50 MB is never unzipped whole.
    packer = zlib.compressobj(wbits=31)
    path.write_bytes(b"".join(packer.compress(bytes(2**20)) for _ in range(50)) + packer.flush())
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="over 4,096 bytes"):
            load_model(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000


def _small_model(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "format": "incident-docs/blameless-model",
        "version": 2,
        "threshold": 0.5,
        "intercept": -1.0,
        "known_words": ["broke", "it"],
        "vocabulary": ["broke", "it"],
        "features": ["b #name broke", "p broke", "t #start #name broke", "w broke"],
        "idf": [1.5, 2, 1.25, 1.0],
        "coef": [2.0, 0.5, 1.0, 3],
    }
    data.update(changes)
    return data


def test_large_finite_numbers_are_numbers() -> None:
    BlameModel(_small_model(idf=[1e300, 1e300, 1e300, 1e300]), "large")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"features": ["b #name broke", "p broke", "t #start broke", "w broke"]}, "'t #start"),
        ({"features": ["b #name broke", "p broke", "t #start #name broke", "w  broke"]}, "'w  "),
        ({"features": ["b #name broke", "p broke", "x a", "w broke"]}, "'x a'"),
        ({"features": ["b #name ", "p broke", "t #start #name broke", "w broke"]}, "'b #name '"),
        ({"idf": [1.5, 10**400, 1.25, 1.0]}, "idf must hold finite"),
        ({"features": ["b #name broke", 7, "t #start #name broke", "w broke"]}, "7 is not"),
        ({"features": ["b #name broke", [1, 2], "t #start #name broke", "w broke"]}, "[1, 2] is"),
        ({"idf": [1.5, float("inf"), 1.25, 1.0]}, "idf must hold finite"),
        ({"coef": [2.0, 0.5, float("nan"), 3]}, "coef must hold finite"),
        ({"coef": [2.0, True, 1.0, 3]}, "coef must hold finite"),
        ({"idf": [1.5, "2", 1.25, 1.0]}, "idf must hold finite"),
        ({"idf": [1e200, 2, 1.25, 1.0], "coef": [1e200, 0.5, 1.0, 3]}, "idf times coef"),
        ({"features": ["b #name broke", "p broke", "w broke", "w broke"]}, "listed twice"),
        ({"features": ["b #name broke", "p broke", "t #start #name fixed", "w broke"]}, "'fixed'"),
        ({"vocabulary": ["broke", ""]}, "empty word"),
        ({"vocabulary": "broke it"}, "must be lists"),
        ({"version": 1}, "version 1, where this release reads version 2"),
        ({"version": [[[1]]]}, "version unknown, where"),
    ],
)
def test_a_model_with_a_bad_feature_or_number_is_refused_naming_it(
    changes: dict[str, object], message: str
) -> None:
    BlameModel(_small_model(), "ok")  # the unchanged model loads
    with pytest.raises(ValueError, match=f"^bad: .*{re.escape(message)}"):
        BlameModel(_small_model(**changes), "bad")


# --- masking ----------------------------------------------------------------------------------


def test_names_handles_and_numbers_are_masked() -> None:
    known = packaged_model().known
    read = [t.value for t in tokens("Marta's deploy paged @kenji at 14:02, then CircleCI", known)]
    assert read == [NAME, "'s", "deploy", "paged", HANDLE, "at", NUMBER, "then", "circleci"]
    sentence_start = [t.value for t in tokens("Flerbization finished. Later, Flerbization", known)]
    assert sentence_start[0] == "flerbization" and sentence_start[-1] == NAME


@pytest.mark.parametrize(
    "curly",
    [
        "Sally \u201cshould have\u201d checked the config.",
        "Sally \u2018should have\u2019 checked the config.",
        "Sally \u201eshould have\u201d checked the config.",
    ],
)
def test_words_in_curly_quotes_read_as_in_straight_ones(curly: str) -> None:
    # A word in curly quotes is the word: it was dropped, and blame put in them went unread.
    model = packaged_model()
    straight = [t.value for t in tokens('Sally "should have" checked the config.', model.known)]
    assert [t.value for t in tokens(curly, model.known)] == straight
    assert model.probability(curly) == model.probability('Sally "should have" checked the config.')


@pytest.mark.parametrize(
    ("sentence", "read"),
    [
        ("11:18 AM: The user logged in", [NUMBER, "the", "user", "logged", "in"]),
        (
            "paged at 3 p.m. and again at 5 pm.",
            ["paged", "at", NUMBER, "and", "again", "at", NUMBER],
        ),
        ("I am sure the 2 PMs agreed", ["i", "am", "sure", "the", NUMBER, "pms", "agreed"]),
        ("**11:18** AM: the deploy", [NUMBER, "the", "deploy"]),
        ("`11:18` AM: the deploy", ["the", "deploy"]),
        ("the Q3 PM review", ["the", "q3", "pm", "review"]),
        ("step 2\nAm I the only one", ["step", NUMBER, "am", "i", "the", "only", "one"]),
    ],
)
def test_am_and_pm_of_a_time_of_day_are_part_of_the_number(sentence: str, read: list[str]) -> None:
    # "11:18 AM" is not the verb of "I am": a timeline entry's clock says nothing of blame.
    assert [t.value for t in tokens(sentence, packaged_model().known)] == read


@pytest.mark.parametrize(
    "sentence",
    ["At 3 PM jdoe pushed the bad config.", "- 9 a.m. kchen force-pushed to main."],
)
def test_a_handle_after_a_time_of_day_in_hours_opens_the_entry(sentence: str) -> None:
    assert bare_person(sentence, packaged_model().common)


def test_which_name_is_blamed_does_not_change_the_score() -> None:
    model = packaged_model()
    first = model.probability("Marta is the reason checkout was down for an hour.")
    for name in ("Oluwaseun", "Zoë", "Hiroshi", "Jean-Luc"):
        assert model.probability(f"{name} is the reason checkout was down for an hour.") == first


def test_which_team_is_named_does_not_change_the_score() -> None:
    model = packaged_model()
    first = model.probability("Up until 2020 the Lab team managed the WordPress sites.")
    for team in ("Payments", "Platform", "SRE", "Web", "Zahlungen"):
        sentence = f"Up until 2020 the {team} team managed the WordPress sites."
        assert model.probability(sentence) == model.score(sentence).probability == first


@pytest.mark.parametrize(
    ("sentence", "read"),
    [
        ("then the Lab team's pager", ["then", "the", TEAM, "team", "'s", "pager"]),
        ("and their SRE teams, paged", ["and", "their", TEAM, "teams", "paged"]),
        # Opening a sentence, the word may be no name ("Our team", "Whole team").
        ("Our team paged. Whole team paged", ["our", "team", "paged", "whole", "team", "paged"]),
        # Nor across punctuation, nor the verb "to team up".
        (
            "the Lab, team leads and I team up",
            ["the", "lab", "team", "leads", "and", "i", "team", "up"],
        ),
    ],
)
def test_a_capitalised_word_before_team_reads_as_a_team_s_name(
    sentence: str, read: list[str]
) -> None:
    assert [t.value for t in tokens(sentence, packaged_model().known)] == read


@pytest.mark.parametrize(
    ("sentence", "read"),
    [
        ("Then Client-side requests failed", ["then", "client-side", "requests", "failed"]),
        ("and the Fast-forward spends", ["and", "the", "fast-forward", "spends"]),
        ("Furthermore, the cache expired", ["furthermore", "the", "cache", "expired"]),
        ("Minimize copy-paste errors", ["minimize", "copy-paste", "errors"]),
        # Romanised names have parts of their own after the hyphen.
        ("then Joon-ho and Ji-young paged", ["then", NAME, "and", NAME, "paged"]),
    ],
)
def test_compounds_connectives_and_verbs_in_capitals_are_words(
    sentence: str, read: list[str]
) -> None:
    assert [t.value for t in tokens(sentence, packaged_model().known)] == read


@pytest.mark.parametrize(
    ("sentence", "read"),
    [
        ("If only Jun had read the spec", ["if", "only", NAME, "had", "read", "the", "spec"]),
        ("Jan pushed the config", [NAME, "pushed", "the", "config"]),
        ("Deployed on Jun 3", ["deployed", "on", "jun", NUMBER]),
        ("Deployed 3 Jun 2024", ["deployed", NUMBER, "jun", NUMBER]),
        ("The June release", ["the", "june", "release"]),
        ("In April the quota doubled", ["in", "april", "the", "quota", "doubled"]),
        ("After April the quota doubled", ["after", "april", "the", "quota", "doubled"]),
        ("June was a quiet month", ["june", "was", "a", "quiet", "month"]),
        ("silenced by Jun again", ["silenced", "by", NAME, "again"]),
        ("Follow-up: Jun's bonus", ["follow-up", NAME, "'s", "bonus"]),
    ],
)
def test_a_month_that_is_also_a_name_is_a_name_outside_a_date(
    sentence: str, read: list[str]
) -> None:
    assert [t.value for t in tokens(sentence, packaged_model().known)] == read


@pytest.mark.parametrize("days", ["Fridays", "Mondays", "Sundays", "Weekdays"])
def test_days_of_the_week_in_the_plural_are_no_one(days: str) -> None:
    sentence = f"Stop deploying on {days} without a canary"
    assert NAME not in [t.value for t in tokens(sentence, packaged_model().known)]
    assert not check_text(sentence)
    assert not _shipped_checker().check(sentence)
    assert _shipped_checker().check(f"Ken pushed to production on {days} again, without a canary.")


@pytest.mark.parametrize("name", ["Ahmed", "Emily", "Ming", "Kunal", "Jamal", "Inés"])
def test_a_short_name_with_a_noun_ending_opens_a_sentence_as_a_name(name: str) -> None:
    sentence = f"{name} skipped the staging check and the payment API went down for an hour."
    model = packaged_model()
    assert tokens(sentence, model.known)[0].value == NAME
    assert Checker(model=model, threshold=model.threshold).check(sentence)


@pytest.mark.parametrize(
    "word", ["Remediation", "Resharding", "Flerbishly", "Quorumation", "Flerbs", "Qorts"]
)
def test_a_long_or_plural_unknown_word_with_a_noun_ending_opens_a_sentence_as_a_word(
    word: str,
) -> None:
    assert tokens(f"{word} took an hour", packaged_model().known)[0].value == word.lower()


@pytest.mark.parametrize(
    ("sentence", "codes"),
    [
        ("Mohammed forgot to renew the certificate.", ["BL002"]),
        ("Kimberly pushed the untested config and checkout broke.", ["BL010"]),
        ("Faisal had ignored the pager for forty minutes.", ["BL010"]),
        # A gerund, an adverb and an adjective opening a sentence stay words.
        ("Porting failed to finish before the freeze.", []),
        ("Initially failed to connect to the replica.", []),
        ("Massive spikes followed the deploy.", []),
        ("Additionally, we forgot to renew the certificate.", []),
    ],
)
def test_a_noun_shaped_word_followed_by_a_verb_opens_a_sentence_as_a_name(
    sentence: str, codes: list[str]
) -> None:
    model = packaged_model()
    found = [hit.code for hit in Checker(model=model, threshold=model.threshold).check(sentence)]
    assert found == codes


def test_a_name_written_in_lower_case_only_as_a_handle_is_not_a_known_word() -> None:
    texts = [
        "[09:13] <lena> restarting the proxy",
        "| 09:20 | lena | drained the queue |",
        "lena: on it",
        "The proxy was restarted and then Lena drained the queue.",
        "the queue drained and the proxy restarted",
        "the queue drained again",
    ]
    known = training.known_words(texts)
    assert "lena" not in known
    assert {"queue", "proxy", "drained"} <= known
    # Written in running prose, a word is known even if it is capitalised elsewhere.
    assert "queue" in training.known_words([*texts, "Then Queue depth rose"])


def _negatives(count: int, high: int, kind: str) -> list[tuple[training.Row, float]]:
    row = training.Row("line", 0, "ordinary", "g", kind=kind)
    return [(row, 0.8 if index < high else 0.1) for index in range(count)]


@pytest.mark.parametrize(
    ("kind", "count", "expected"),
    [
        ("w", 300, 0.8),  # 3% of one kind's lines over 0.8: the threshold rises above them
        ("w", 150, 0.4),  # too few lines of the kind to judge it alone: the floor
        ("", 300, 0.4),  # an organisation's own examples are no kind of the corpus
        ("b", 300, 0.4),  # sentences of engineering blogs set no bar
    ],
)
def test_the_threshold_keeps_each_kind_of_blameless_line_within_the_target(
    kind: str, count: int, expected: float
) -> None:
    pairs = _negatives(count, 9, kind) + _negatives(3000, 0, "r")
    rows, scores = zip(*pairs, strict=True)
    # All together, 9 of 3,300 lines over 0.8 are well within the target.
    assert training.choose_threshold(rows, scores) == pytest.approx(expected, abs=1e-3)


def test_the_corpus_batches_are_of_their_kinds() -> None:
    kinds = {row.group.split(":")[0]: row.kind for row in training.corpus_rows()}
    assert kinds["w1"] == "w" and kinds["r12"] == "r" and kinds["legacy-fresh"] == ""
    assert kinds["p1"] == "p" and kinds["b1"] == "b"


def test_every_quoted_line_links_its_source_at_a_commit_under_a_licence_the_corpus_names() -> None:
    """The lines quoted from published postmortems and blogs (the p and b batches) each link the
    post they come from at the commit it was read from and carry permissive licences, and
    LICENSES.md has a section for each such batch; the lines written for the project say so and
    carry the project's licence."""
    licences = training.corpus_files()[0].with_name("LICENSES.md").read_text("utf-8")
    sections = set(re.findall(r"^## (\S+\.tsv):", licences, re.M))
    permissive = r"(?:MIT|Apache-2\.0|BSD-[23]-Clause|CC-BY-4\.0)"
    licence = re.compile(rf"{permissive}(?: (?:OR|or) {permissive})?, \S")
    quoted = set()
    for row in training.corpus_rows():
        if row.kind in ("p", "b"):
            quoted.add(f"{row.writer}.tsv")
            assert re.match(r"[\w ]+: https://\S+/blob/[0-9a-f]{40}/\S", row.source), row.source
            assert licence.match(row.licence), row.licence
        else:
            assert row.source.startswith("written for incident-docs: "), row.source
            assert row.licence == "MIT", row.licence
    assert quoted and quoted <= sections, sorted(quoted - sections)


def test_sentences_of_published_postmortems_weigh_more_than_written_lines() -> None:
    weights = {row.kind: row.weight for row in training.corpus_rows()}
    assert weights["p"] == training.PUBLISHED_WEIGHT > weights["w"] == weights["r"] == 1.0


def test_the_fit_reads_a_blameless_line_by_sentence_and_keeps_the_rest_whole() -> None:
    def row(text: str, label: int) -> training.Row:
        return training.Row(text=text, label=label, category="", group="g")

    rows = [
        row("The cache filled up. The pager fired at 03:10.", 0),
        row("Dave pushed it. Then he went home.", 1),
        row("| 03:10 | The pager fired. Priya acked. |", 0),
        row("The disk filled up.", 0),
    ]
    assert [r.text for r in training.as_sentences(rows)] == [
        "The cache filled up.",
        "The pager fired at 03:10.",
        "Dave pushed it. Then he went home.",
        "| 03:10 | The pager fired. Priya acked. |",
        "The disk filled up.",
    ]


def test_no_line_of_the_frozen_or_held_out_sets_is_trained_on() -> None:
    evaluated = [FROZEN, *sorted((FROZEN.parent / "held-out").glob("*.tsv"))]
    assert len(evaluated) > 1
    kept_out = {normalise(row.text) for path in evaluated for row in training.read_rows(path)}
    trained = {normalise(row.text) for row in training.corpus_rows()}
    assert kept_out.isdisjoint(trained)


def test_every_hidden_blameful_sentence_stands_in_its_document(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spec = importlib.util.spec_from_file_location(
        "blameless_quality", REPO / "benchmarks" / "blameless_quality.py"
    )
    assert spec is not None and spec.loader is not None
    quality = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, quality)  # its dataclass looks itself up there
    spec.loader.exec_module(quality)
    for split, writers in (("dev", 8), ("held-out", 4)):
        folders = sorted(path for path in (quality.DOCUMENTS / split).iterdir() if path.is_dir())
        assert len(folders) == writers
        for folder in folders:
            hidden = quality.hidden_blame(folder)  # a sentence not in its document raises
            documents = sorted(folder.glob("*.md"))
            assert len(documents) == 6
            assert {found.document for found in hidden} <= set(documents)
            assert sum(not any(found.document == d for found in hidden) for d in documents) == 2


def test_roster_handles_count_as_names() -> None:
    model = packaged_model()
    people = frozenset({"dmitri"})
    assert tokens("dmitri broke it", model.known, people)[0].value == NAME


@pytest.mark.parametrize("handle", ["priya_k", "j.mueller", "linh.ng", "tobi.a", "sigrid.h"])
def test_a_handle_written_without_its_at_sign_reads_as_a_handle(handle: str) -> None:
    model = packaged_model()
    assert tokens(f"{handle} pushed the change", model.known)[0].value == HANDLE
    assert [hit.code for hit in check_text(f"{handle} pushed a broken config to the proxies.")] == [
        "BL001"
    ]


@pytest.mark.parametrize(
    "word", ["config.yml", "app.py", "user_id", "os.path", "example.io", "e.g", "max_connections"]
)
def test_files_modules_identifiers_and_abbreviations_are_not_handles(word: str) -> None:
    assert tokens(f"{word} pushed the change", packaged_model().known)[0].value != HANDLE


def test_month_and_day_abbreviations_are_not_names_and_do_not_end_a_sentence() -> None:
    known = packaged_model().known
    assert NAME not in [t.value for t in tokens("At 12:32 PM on Dec. 25th, Tue", known)]
    text = "At 12:32 PM on Dec. 25th a corrupt image was deployed. It crashed, e.g. on node 4."
    assert [text[a:b] for a, b in sentences(text)] == [
        "At 12:32 PM on Dec. 25th a corrupt image was deployed.",
        "It crashed, e.g. on node 4.",
    ]


# --- in lint ----------------------------------------------------------------------------------


def _lint_stdin(run_cli: RunCli, root: Path, text: str) -> list[dict[str, Any]]:
    result = run_cli(
        root, "lint", "--select", "BL", "--format", "json", "-", "--stdin-filename", "x.md",
        input=text,
    )  # fmt: skip
    assert result.exit_code in (0, 1), result.output
    diagnostics: list[dict[str, Any]] = json.loads(result.stdout)["diagnostics"]
    return diagnostics


def test_the_suppression_the_docs_show_suppresses_what_it_names(
    archive: Path, run_cli: RunCli
) -> None:
    docs = (REPO / "docs" / "blameless.md").read_text(encoding="utf-8")
    comment = "<!-- incident-docs disable-next-line BL006 -->\n"
    snippet = comment + docs.split(comment, 1)[1].split("```", 1)[0]
    found = _lint_stdin(run_cli, archive, snippet.removeprefix(comment))
    assert [d["code"] for d in found] == ["BL006"], "precondition: the line is reported"
    result = run_cli(
        archive, "lint", "--select", "BL,SP", "-", "--stdin-filename", "x.md", input=snippet
    )
    assert result.exit_code == 0, result.output


def test_every_sentence_the_issue_names_is_flagged_with_a_rewrite(
    archive: Path, run_cli: RunCli
) -> None:
    found = _lint_stdin(run_cli, archive, "\n\n".join(ISSUE_SENTENCES) + "\n")
    lines = {d["line"] for d in found}
    assert lines == {2 * i + 1 for i in range(len(ISSUE_SENTENCES))}
    for diagnostic in found:
        assert diagnostic["suggestion"]
        if diagnostic["code"] == "BL010":
            assert "reads as blame" in str(diagnostic["message"])
            assert "from '" in str(diagnostic["message"])  # the words that drove the score


def test_the_source_material_blameless_summary_passes_and_the_blameful_one_does_not(
    archive: Path, run_cli: RunCli
) -> None:
    assert _lint_stdin(run_cli, archive, "## Summary\n\n" + SOURCE_BLAMELESS + "\n") == []
    for sentence in SOURCE_BLAMEFUL:
        assert _lint_stdin(run_cli, archive, sentence + "\n"), sentence


def test_headings_table_cells_and_list_items_are_read(archive: Path, run_cli: RunCli) -> None:
    text = (
        "## How Ken broke checkout\n\n"
        "| Time | What |\n| --- | --- |\n"
        "| 14:02 | Dmitri's deploys have a reputation for a reason. |\n\n"
        "- Thanks to one person's shortcut, support fielded four hundred angry calls.\n\n"
        "`Dmitri's deploys have a reputation for a reason.`\n\n"
        "```\nDmitri's deploys have a reputation for a reason.\n```\n"
    )
    found = _lint_stdin(run_cli, archive, text)
    assert sorted({d["line"] for d in found}) == [1, 5, 7]


@pytest.mark.parametrize("owner", ["Owner", "**Assignee**", "Responsible", "Action owner", "POC"])
def test_the_owner_of_an_action_item_is_no_culprit_but_blame_of_them_is_read(
    owner: str, archive: Path, run_cli: RunCli
) -> None:
    text = (
        f"| Action | {owner} | Status |\n| --- | --- | --- |\n"
        "| Rotate the production database credentials | Ken | done |\n"
        "| Keep the last three production images for rollback | @dana and Priya | open |\n"
        "| Broke the payment webhook, again, third time this month | Ken | open |\n"
    )
    found = _lint_stdin(run_cli, archive, text)
    assert [(d["line"], d["code"]) for d in found] == [(5, "BL010")]


_ROOT_CAUSE_MISS = (
    "known miss: the model reads 'Root cause of the outage' as the heading it mostly is in "
    "published postmortems (0.12 with a name before it); a rule for a name before 'root cause' "
    "flagged system names, table headers and who-worked-on-what tables"
)


@pytest.mark.parametrize(
    "table",
    [
        pytest.param(
            "| Who | Notes |\n| --- | --- |\n| Dmitri | Root cause of the outage |\n",
            marks=pytest.mark.xfail(strict=True, reason=_ROOT_CAUSE_MISS),
        ),
        pytest.param(
            "| Who | Notes |\n| --- | --- |\n| Dmitri | Root cause |\n",
            marks=pytest.mark.xfail(strict=True, reason=_ROOT_CAUSE_MISS),
        ),
        "| Factor | By |\n| --- | --- |\n| Root cause | Dmitri |\n",
    ],
)
def test_a_column_of_people_that_is_no_owners_column_is_read(
    table: str, archive: Path, run_cli: RunCli
) -> None:
    assert _lint_stdin(run_cli, archive, "## Contributing factors\n\n" + table)


def test_a_list_of_people_says_nothing_about_them(archive: Path, run_cli: RunCli) -> None:
    text = "## Responders\n\n- @dana and Priya\n- Ken Li and Ola Nordmann\n"
    assert not _lint_stdin(run_cli, archive, text)
    assert _shipped_checker().check("@dana and Priya broke production again, as usual.")


def test_an_owner_cell_that_says_more_than_a_name_is_still_read(
    archive: Path, run_cli: RunCli
) -> None:
    text = (
        "| Action | Owner |\n| --- | --- |\n"
        "| Rotate the production database credentials | Ken |\n"
        "| Ken | Broke the payment webhook, again, third time this month |\n"
    )
    found = _lint_stdin(run_cli, archive, text)
    assert [(d["line"], d["code"]) for d in found] == [(4, "BL010")]


def test_a_table_row_is_also_read_whole_where_one_cell_names_and_the_next_blames(
    archive: Path, run_cli: RunCli
) -> None:
    text = (
        "| Who | What |\n| --- | --- |\n"
        "| Radomir | Broke the payment webhook, again, third time this month |\n"
        "| dana | Validate deployment configs against a schema before rollout |\n"
        "| Keep the last three production images for rollback | sam | mitigate | done |\n"
    )
    found = _lint_stdin(run_cli, archive, text)
    assert [(d["line"], d["code"]) for d in found] == [(3, "BL010")]


@pytest.mark.parametrize(
    "table",
    [
        # More than who: a clause about them, whatever the rest of the row holds.
        "| Time | Who | What |\n| --- | --- | --- |\n"
        "| 14:05 | Ken, who we all knew would break it | Deployed v2. Rolled back at 14:20. |\n",
        "| Owner |\n| --- |\n| Ken, the reason we cannot have nice things |\n",
        # A person named in it, or an aside, whatever the rest of the row holds.
        "| Time | Who | What |\n| --- | --- | --- |\n| 14:05 | Ken (repeat offender) | Deployed v2 |\n",
        "| Time | Who | What |\n| --- | --- | --- |\n"
        "| 14:30 | Ken — third time this month | Deployed v3. Rolled back. |\n",
        # A pipe shown as text moves the cells: none is left out.
        "| Time | Command | What | Who | Notes |\n|---|---|---|---|---|\n"
        "| 14:05 | grep a&#124;b | Ken, who we all knew would break it, ran it | Ops | Paged. |\n",
    ],
)
def test_a_cell_of_who_acted_that_says_more_is_read_alone(
    table: str, archive: Path, run_cli: RunCli
) -> None:
    assert [d["line"] for d in _lint_stdin(run_cli, archive, table)] == [3]


@pytest.mark.parametrize(
    "table",
    [
        "| Time | Who | What |\n| --- | --- | --- |\n"
        "| 06:20 | Ops control centre | First driver radio call from the Hanoi terminal |\n",
        "| # | Action | Owner | Due |\n| --- | --- | --- | --- |\n"
        "| 3 | Upgrade the validators to firmware 5.3 | Fleet ops team | 2024-12-31 |\n",
        "| Step | Team |\n| --- | --- |\n| Restarted the consumers in eu-west-1 | Head of DBA |\n",
    ],
)
def test_a_cell_that_says_who_acted_is_read_with_its_row(
    table: str, archive: Path, run_cli: RunCli
) -> None:
    """A team or a role alone in a column of who acted or owns says who, not what went wrong."""
    assert _lint_stdin(run_cli, archive, table) == []


def test_an_impact_written_as_text_in_the_front_matter_is_checked(
    archive: Path, run_cli: RunCli
) -> None:
    text = (
        "---\ntitle: Checkout outage\nimpact: >-\n  Checkout failed for two hours. Customers\n"
        "  waited at the tills because Gwen's team pushed an oversized file without checking"
        " it.\n---\n\n## Summary\n\nThe pricing file was truncated.\n"
    )
    found = _lint_stdin(run_cli, archive, text)
    assert [d["line"] for d in found] == [5]


def test_front_matter_prose_is_checked_where_it_is_written(archive: Path, run_cli: RunCli) -> None:
    path = archive / "postmortems" / "PM-2022-12-25-corrupt-image-crash-loop.md"
    text = path.read_text()
    text = text.replace(
        "  - title: Validate deployment configs against a schema before rollout",
        "  - title: Engineers must be more careful when editing deployment configs",
    )
    path.write_text(text)
    line = text.splitlines().index(
        "  - title: Engineers must be more careful when editing deployment configs"
    )
    result = run_cli(archive, "lint", "--select", "BL", "--format", "json")
    found = json.loads(result.stdout)["diagnostics"]
    assert [(d["line"], d["code"]) for d in found] == [(line + 1, "BL009")]
    assert found[0]["column"] == len("  - title: ") + 1 + len("Engineers must ")


def test_bl010_can_be_switched_off_and_its_threshold_set(archive: Path, run_cli: RunCli) -> None:
    sentence = "Dmitri's deploys have a reputation for a reason.\n"
    assert [d["code"] for d in _lint_stdin(run_cli, archive, sentence)] == ["BL010"]
    pyproject = archive / "pyproject.toml"
    base = pyproject.read_text()
    over = (1 + packaged_model().probability(sentence)) / 2  # over the sentence's score
    pyproject.write_text(base + f"\n[tool.incident-docs.blameless]\nthreshold = {over!r}\n")
    assert _lint_stdin(run_cli, archive, sentence) == []
    pyproject.write_text(base + "\n[tool.incident-docs.blameless]\nmodel = false\n")
    assert _lint_stdin(run_cli, archive, sentence) == []


def test_a_broken_archive_model_is_a_one_line_error(archive: Path, run_cli: RunCli) -> None:
    model = archive / ".incident-docs" / "blameless-model.json.gz"
    model.parent.mkdir()
    model.write_bytes(b"not a model")
    result = run_cli(archive, "lint", "--select", "BL")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert ".incident-docs/blameless-model.json.gz" in result.stderr
    assert "Traceback" not in result.output


# --- explain and train ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("- Who deleted the bucket?",),
        ("- Who deleted the bucket?", "--format", "json"),
        ("--format", "json", "- Who deleted the bucket?"),
        ("--format", "json", "--", "- Who deleted the bucket?"),
    ],
)
def test_explain_reads_a_pasted_list_item_as_the_sentence(
    archive: Path, run_cli: RunCli, args: tuple[str, ...]
) -> None:
    """A dash and a space open no option: the list item is the sentence, wherever the options
    are written."""
    result = run_cli(archive, "blameless", "explain", *args)
    assert result.exit_code == 1, result.output
    text = (
        json.loads(result.stdout)["text"]
        if "json" in args
        else result.stdout.splitlines()[0].removeprefix("sentence: ")
    )
    assert text == "- Who deleted the bucket?"


def test_an_unknown_option_of_explain_is_still_one(archive: Path, run_cli: RunCli) -> None:
    result = run_cli(archive, "blameless", "explain", "--formt", "json", "Ken broke it.")
    assert result.exit_code == 2 and "No such option" in result.output


def test_explain_prints_the_score_the_rule_hits_and_the_cues(
    archive: Path, run_cli: RunCli
) -> None:
    flagged = run_cli(archive, "blameless", "explain", "Dmitri's deploys have a reputation.")
    assert flagged.exit_code == 1
    cues = next(line for line in flagged.stdout.splitlines() if line.startswith("cues: "))
    assert "model: " in flagged.stdout and "Dmitri (+" in cues
    assert "reported BL010" in flagged.stdout
    ruled = run_cli(
        archive, "blameless", "explain", "The rollout was careless.", "--format", "json"
    )
    payload = json.loads(ruled.stdout)
    assert ruled.exit_code == 1 and payload["rules"][0]["code"] == "BL004"
    clean = run_cli(archive, "blameless", "explain", "The health check failed to see the hang.")
    assert clean.exit_code == 0 and "reported: nothing" in clean.stdout
    paragraph = run_cli(
        archive,
        "blameless",
        "explain",
        "The replica lag grew for an hour before it caught up. This one is on Ken, plain and simple.",
    )
    lines = paragraph.stdout.splitlines()
    each = lines[lines.index("lint weighs each sentence alone:") + 1 :][:2]
    assert each[0].endswith(" The replica lag grew for an hour before it caught up.")
    assert each[1].endswith(" This one is on Ken, plain and simple.")
    bar = float(paragraph.stdout.split("(threshold ", 1)[1].split(":", 1)[0])
    assert float(each[0].split()[0]) < bar <= float(each[1].split()[0])
    assert "each sentence alone" not in clean.stdout and payload["sentences"] == []
    for nothing in ("", "  \n", "\u200b", "\x07"):
        empty = run_cli(archive, "blameless", "explain", nothing)
        assert empty.exit_code == 2 and empty.stdout == ""
        assert (
            empty.stderr
            == "incident: error: explain: give the sentence to explain, in quotation marks\n"
        )


@pytest.mark.parametrize(
    "line", ["- 12:32 Sam deployed on a Friday.", "| 14:02 | Sam | deployed on a Friday |"]
)
def test_explain_weighs_a_timeline_entry_at_the_bar_lint_sets_there(
    archive: Path, run_cli: RunCli, line: str
) -> None:
    """A line that opens with a time of day is weighed as lint weighs a timeline entry, surely
    (0.8): the verdict explain prints is the one it reports."""
    result = run_cli(archive, "blameless", "explain", "--format", "json", "--", line)
    payload = json.loads(result.stdout)
    assert payload["threshold"] >= 0.8 and payload["rules"] == []
    assert (payload["probability"] >= payload["threshold"]) == payload["flagged"]
    text = run_cli(archive, "blameless", "explain", "--", line).stdout
    assert ("reads as not blame" in text) == ("reported: nothing" in text)


FALSE_ALARMS = [  # blameless lines the shipped model reads as blame
    "Everyone who upgraded before Tuesday is safe.",
    "The database team rebuilt the replica twice before lunch.",
]


def test_an_examples_file_marks_a_false_alarm_even_before_retraining(
    archive: Path, run_cli: RunCli
) -> None:
    text = "\n\n".join(FALSE_ALARMS) + "\n"
    before = _lint_stdin(run_cli, archive, text)
    assert {d["code"] for d in before} == {"BL010"}, "precondition: the shipped model errs here"
    (archive / "examples.tsv").write_text(
        "text\tlabel\n" + "".join(f"{s}\tblameless\n" for s in FALSE_ALARMS)
    )
    with (archive / "pyproject.toml").open("a") as handle:
        handle.write('\n[tool.incident-docs.blameless]\nexamples = "examples.tsv"\n')
    assert _lint_stdin(run_cli, archive, text) == []


def test_an_example_matches_through_emphasis_and_links() -> None:
    plain = normalise("Ken owned the rollback end to end.")
    for written in (
        "1. **Ken owned the rollback end to end.**",
        "- _Ken_ owned the rollback *end to end*.",
        "[Ken owned the rollback](https://example.com/ken) end to end.",
    ):
        assert normalise(written) == plain, written
    assert normalise("the snake_case flag") == "the snake_case flag"


def test_an_examples_file_a_spreadsheet_exported_matches_as_written(
    archive: Path, run_cli: RunCli
) -> None:
    text = (
        'Dave said the page read "oops" again.\n\n"Ken broke it."\n\nKen broke it.\n\n'
        "Jo deleted the stale lock file, which let the workers resume.\n"
    )
    assert len(_lint_stdin(run_cli, archive, text)) == 4, "precondition: each line is reported"
    (archive / "examples.tsv").write_text(
        'text\tlabel\n"Dave said the page read ""oops"" again."\t"blameless"\n'
        # Someone's words quoted are not the writer's own sentence: two lines, two labels.
        '"Ken broke it."\tblameless\nKen broke it.\tblameful\n'
        # A cell with a comma, as a spreadsheet quotes it on export.
        '"Jo deleted the stale lock file, which let the workers resume."\tblameless\n'
    )
    assert [row.text for row in training.read_examples(archive, "examples.tsv")][-1] == (
        "Jo deleted the stale lock file, which let the workers resume."
    )
    (archive / "quoted.tsv").write_text(
        # A quotation with a comma, its quotation marks doubled as a spreadsheet writes them.
        'text\tlabel\n"""Ken, you broke it."""\tblameless\nKen, you broke it.\tblameful\n'
    )
    assert [row.text for row in training.read_examples(archive, "quoted.tsv")] == [
        '"Ken, you broke it."',
        "Ken, you broke it.",
    ]
    with (archive / "pyproject.toml").open("a") as handle:
        handle.write('\n[tool.incident-docs.blameless]\nexamples = "examples.tsv"\n')
    assert [d["line"] for d in _lint_stdin(run_cli, archive, text)] == [5]


def test_a_setting_that_is_not_a_path_in_the_repository_reads_without_pydantic_words(
    archive: Path, run_cli: RunCli
) -> None:
    with (archive / "pyproject.toml").open("a") as handle:
        handle.write('\n[tool.incident-docs.blameless]\nexamples = "../x.tsv"\n')
    result = run_cli(archive, "lint", "--select", "BL")
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "tool.incident-docs.blameless.examples: '../x.tsv' must be a path inside the repository\n"
    )


def test_explain_and_lint_say_when_the_examples_file_decides(
    archive: Path, run_cli: RunCli
) -> None:
    (archive / "examples.tsv").write_text(
        "text\tlabel\nDave is lazy.\tblameless\nThe release went sideways on Friday.\tblameful\n"
    )
    with (archive / "pyproject.toml").open("a") as handle:
        handle.write('\n[tool.incident-docs.blameless]\nexamples = "examples.tsv"\n')
    cleared = run_cli(archive, "blameless", "explain", "Dave is lazy.")
    assert cleared.exit_code == 0
    assert "examples: labelled blameless in the archive's examples file" in cleared.stdout
    assert "names someone" not in cleared.stdout  # not the model's reason: the label decides
    marked = run_cli(archive, "blameless", "explain", "The release went sideways on Friday.")
    assert marked.exit_code == 1
    assert "reported BL010: labelled blameful in the archive's examples file" in marked.stdout
    payload = json.loads(
        run_cli(archive, "blameless", "explain", "Dave is lazy.", "--format", "json").stdout
    )
    assert payload["examples"] == [{"text": "Dave is lazy.", "label": "blameless"}]
    both = run_cli(
        archive, "blameless", "explain", "The pager was quiet. The release went sideways on Friday."
    )
    assert "examples: 'The release went sideways on Friday.' labelled blameful" in both.stdout
    found = _lint_stdin(run_cli, archive, "The release went *sideways* on Friday.\n")
    assert [d["message"].split(":")[0] for d in found] == [
        "labelled blameful in the archive's examples file"
    ]


def test_an_allowed_phrase_is_no_evidence_for_the_model(archive: Path, run_cli: RunCli) -> None:
    text = "Dave wrote the cowboy migration.\n"
    before = _lint_stdin(run_cli, archive, text)
    assert [d["code"] for d in before] == ["BL004"], "precondition"
    with (archive / "pyproject.toml").open("a") as handle:
        handle.write('\n[tool.incident-docs.blameless]\nallow = ["cowboy"]\n')
    assert _lint_stdin(run_cli, archive, text) == []
    explained = run_cli(archive, "blameless", "explain", text.strip())
    assert "cowboy (+" not in explained.stdout


@pytest.mark.parametrize(
    "text",
    [
        "| 2023-04-11 20:28 | Alert for Fluentd is noticed by engineer |",
        "| 2024-03-13 15:19 | Email sent to the team owning the rogue dev container. |",
        "* Package maintainers should be careful with using any services that auto-merge"
        " dependency upgrades.",
        "All user pods are deleted, which finally properly logs everyone out.",
        "Jay Freeman (a.k.a. saurik) reported the bug to us via security@optimism.io.",
        "Dave wrote the cowboy migration, and it was careless.",
    ],
)
def test_allowing_a_phrase_never_adds_a_finding(text: str) -> None:
    """The model reads the text without the allowed phrase, so its verdict on the rest can
    change: it may take a finding away, never add one."""
    shipped = _shipped_checker()
    before = {(hit.code, hit.start, hit.end) for hit in shipped.check(text)}
    for word in sorted(set(re.findall(r"[A-Za-z]{3,}", text))):
        allowing = Checker(
            model=shipped.model,
            threshold=shipped.threshold,
            options=BlamelessOptions(allow=(word.lower(),)),
        )
        after = {(hit.code, hit.start, hit.end) for hit in allowing.check(text)}
        assert after <= before, word


@pytest.mark.parametrize(
    ("text", "allowed", "used", "reported"),
    [
        # The model's finding goes with the phrase: the phrase kept it away.
        ("Nietzsche is now back down to 30 percent.", "back down", {"back down"}, False),
        # A rule's finding, the phrase's case and spacing as the configuration writes them.
        ("Dave went full cowboy on the rollout.", "Full   Cowboy", {"full cowboy"}, False),
        # Written, but nothing would be reported without it.
        ("The blast radius was one region.", "blast radius", set(), False),
        # Reported with it as without it.
        ("The blast radius grew because the rollout was careless.", "blast radius", set(), True),
        # A rule's finding over the phrase, another beside it.
        ("Ken ignored the warnings, which was careless.", "the warnings", {"the warnings"}, True),
    ],
)
def test_the_checker_notes_the_allowed_phrases_that_keep_a_finding_away(
    text: str, allowed: str, used: set[str], reported: bool
) -> None:
    shipped = _shipped_checker()
    assert bool(shipped.check(text)) == bool(used or reported), "precondition"
    options = BlamelessOptions(allow=(allowed,))
    allowing = Checker(options, shipped.model, shipped.threshold, note_allowed=True)
    assert bool(allowing.check(text)) == reported
    assert allowing.allowed_used == used
    # Noted only when asked: the second reading costs time.
    quiet = Checker(options, shipped.model, shipped.threshold)
    assert bool(quiet.check(text)) == reported and quiet.allowed_used == set()


def test_a_bad_examples_file_names_its_line(archive: Path, run_cli: RunCli) -> None:
    (archive / "examples.tsv").write_text("text\tlabel\nfine\tblameless\nodd\tmaybe\n")
    with (archive / "pyproject.toml").open("a") as handle:
        handle.write('\n[tool.incident-docs.blameless]\nexamples = "examples.tsv"\n')
    result = run_cli(archive, "lint", "--select", "BL")
    assert result.exit_code == 2
    assert "examples.tsv:3: label must be 'blameful' or 'blameless'" in result.stderr


def _with_examples(archive: Path, examples: str, *settings: str) -> None:
    (archive / "examples.tsv").write_text("text\tlabel\n" + examples)
    with (archive / "pyproject.toml").open("a") as handle:
        handle.write('\n[tool.incident-docs.blameless]\nexamples = "examples.tsv"\n')
        handle.writelines(f"{setting}\n" for setting in settings)


@pytest.mark.parametrize(
    "opening",
    [
        "- 14:05 UTC: ",
        "**10:40** ",
        "- [03-26 06:27] ",
        "- 2:05 pm - ",
        "### 07:35 - ",
        "",
        "- 10:30\u201310:45 ",  # a range of times
        "- 14:05-14:20 UTC ",
        "- `10:30`\u2013`10:45` ",
        "- ~14:05 - ~14:20: ",
        "- `03:05` ",
        "| Jan 14, 10:18 AM | ",
        "**June 14th, 2022, 10:00 AM:** ",
        "- 14:05 ET: ",  # any zone's abbreviation
        "- 09:12 MEZ: ",
    ],
)
def test_an_example_labels_a_free_form_timeline_entry_without_its_time(
    archive: Path, run_cli: RunCli, opening: str
) -> None:
    cleared = "Ken broke the deploy again, as he always does."
    marked = "Sam kept the old dashboard around."
    text = f"# Notes\n\n## Timeline\n\n{opening}{cleared}\n\n{opening}{marked}\n"
    before = _lint_stdin(run_cli, archive, text)
    assert [d["line"] for d in before] == [5], "precondition: only the first is reported"
    _with_examples(archive, f"{cleared}\tblameless\n{marked}\tblameful\n")
    after = _lint_stdin(run_cli, archive, text)
    assert [(d["line"], d["code"]) for d in after] == [(7, "BL010")]
    assert after[0]["message"].startswith("labelled blameful in the archive's examples file")
    explained = run_cli(archive, "blameless", "explain", "--", f"{opening}{cleared}")
    assert explained.exit_code == 0, explained.output
    assert "examples: labelled blameless in the archive's examples file" in explained.stdout


def test_an_example_labels_an_entry_whose_text_opens_with_a_word_in_capitals() -> None:
    shipped = _shipped_checker()
    entry = "- 14:05 DB failover botched by Ken again, as usual."
    assert shipped.check(entry), "precondition: reported"
    for example in ("DB failover botched by Ken again, as usual.", entry):
        # A word in capitals after the time may be a zone or the entry's own first word; an
        # example may also be the entry as written.
        labelled = replace(shipped, examples={normalise(example): 0})
        assert labelled.check(entry) == [], example


@pytest.mark.parametrize(
    ("heading", "code"),
    [
        ("## The Infamous Friday Deploy", None),
        ("## How Sanjay Broke Month-End Close", "BL010"),
        # Out of a quote, or after a blank line, a heading is still one.
        ("> ## Config Push Broke Routing For Europe", None),
        ("> ## How Sanjay Broke Month-End Close", "BL010"),
        ("\n## Config Push Broke Routing For Europe", None),
    ],
)
def test_explain_reads_a_heading_as_lint_does(
    archive: Path, run_cli: RunCli, heading: str, code: str | None
) -> None:
    linted = _lint_stdin(run_cli, archive, f"# Notes\n\n{heading}\n")
    assert [d["code"] for d in linted] == ([code] if code else [])
    explained = run_cli(archive, "blameless", "explain", heading)
    assert explained.exit_code == (1 if code else 0), explained.output
    reported = [line for line in explained.stdout.splitlines() if line.startswith("reported")]
    assert reported == (
        [f"reported {code}: {linted[0]['message']}"] if code else ["reported: nothing"]
    )
    assert "threshold 0.85" in explained.stdout  # a heading's bar, as lint weighs it
    payload = json.loads(
        run_cli(archive, "blameless", "explain", "--format", "json", heading).stdout
    )
    assert payload["heading"] is True
    assert [hit["code"] for hit in payload["reported"]] == ([code] if code else [])


def test_explain_names_the_allowed_phrases_that_decide(archive: Path, run_cli: RunCli) -> None:
    sentence = "The intern did the intern thing."
    with (archive / "pyproject.toml").open("a") as handle:
        handle.write(
            '\n[tool.incident-docs.blameless]\nallow = ["The intern did the intern thing"]\n'
        )
    explained = run_cli(archive, "blameless", "explain", sentence)
    assert explained.exit_code == 0
    assert (
        "allowed: 'the intern did the intern thing' in the archive's allow list, never reported "
        "nor weighed by the model"
    ) in explained.stdout
    payload = json.loads(
        run_cli(archive, "blameless", "explain", "--format", "json", sentence).stdout
    )
    assert payload["allowed"] == ["the intern did the intern thing"]
    plain = json.loads(
        run_cli(archive, "blameless", "explain", "--format", "json", "Ken broke it.").stdout
    )
    assert plain["allowed"] == []


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "Ken does this every quarter.\n",
            "examples.tsv:3: no tab on this line: write the text, a tab, then its label "
            "(blameful or blameless)",
        ),
        ("Ken does this every quarter.\t\n", "examples.tsv:3: no label after the tab"),
        (
            "Ken\tbroke it\tblameful\n",
            "examples.tsv:3: label must be 'blameful' or 'blameless', not 'broke it' (the line "
            "has 3 tab-separated columns, the header 2: a text that holds a tab goes in "
            "quotation marks, as a spreadsheet writes it)",
        ),
        # After a quoted cell over two lines, a line is named by its number in the file.
        ('"Ken broke\nit."\tblameful\nodd\tmaybe\n', "examples.tsv:5: label must be"),
        # A quotation mark that opens a text and closes none on its line takes the next line
        # in, its label too, as a spreadsheet would: said, not read silently.
        (
            '"Ken broke it.\tblameful\nThe disk filled up."\tblameless\n',
            "examples.tsv:3: a quotation mark opens the text and closes none on this line, so "
            'line 4 is read into it: close it, or double it ("") if it is part of the text',
        ),
    ],
)
def test_a_bad_examples_line_says_what_is_wrong(
    archive: Path, run_cli: RunCli, line: str, message: str
) -> None:
    _with_examples(archive, "Fine words here.\tblameless\n" + line)
    result = run_cli(archive, "lint", "--select", "BL")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"incident: error: {message}"), result.stderr


@pytest.mark.parametrize(
    "table",
    [
        # A column after the label, or the label first: the next line is read in all the same.
        'text\tlabel\tcategory\n"Ken broke it.\tblameful\tblame\nThe disk filled up."\tblameless\tx\n',
        'label\ttext\nblameful\t"Ken broke it.\nblameless\tThe disk filled up."\n',
    ],
)
def test_a_stray_quotation_mark_is_named_whatever_the_columns(archive: Path, table: str) -> None:
    (archive / "examples.tsv").write_text(table)
    with pytest.raises(UsageError, match=r"^examples.tsv:2: a quotation mark opens the text"):
        training.read_examples(archive, "examples.tsv")


def test_an_examples_file_reads_cells_a_spreadsheet_quoted_for_a_tab_or_a_line_break(
    archive: Path,
) -> None:
    (archive / "examples.tsv").write_bytes(
        b'\xef\xbb\xbftext\tlabel\r\n"Ken\tbroke it"\tblameful\r\n"Sam broke\r\nit again."\tblameful'
        b'\r\n"Ken broke it."\tblameless\r\n"Jo said ""no""."\tblameless\r\n'
    )
    rows = training.read_examples(archive, "examples.tsv")
    assert [(row.text, row.label) for row in rows] == [
        ("Ken\tbroke it", 1),
        ("Sam broke\r\nit again.", 1),
        ('"Ken broke it."', 0),  # quoted whole with nothing that needed it: someone's words
        ('Jo said "no".', 0),
    ]
    # "Quote all text cells" (LibreOffice): the header is quoted too, and so is every text.
    (archive / "all.tsv").write_text(
        '"text"\t"label"\n"Ken broke it."\t"blameful"\n"Jo said ""no""."\t"blameless"\n'
    )
    rows = training.read_examples(archive, "all.tsv")
    assert [(row.text, row.label) for row in rows] == [("Ken broke it.", 1), ('Jo said "no".', 0)]
    (archive / "twice.tsv").write_text(
        'text\tlabel\n"Ken\tbroke it."\tblameful\nKen broke it.\tblameless\n'
    )
    with pytest.raises(
        UsageError, match=r"^twice.tsv:3: labelled blameless here and blameful on line 2$"
    ):
        training.read_examples(archive, "twice.tsv")


@pytest.mark.slow
def test_train_learns_the_archive_examples_and_keeps_catching_blame(
    archive: Path, run_cli: RunCli
) -> None:
    unseen = [  # near the false alarms, but not in the examples file
        "Everyone who upgraded on Monday is safe.",
        "The network team rebuilt the router config twice before lunch.",
    ]
    (archive / "examples.tsv").write_text(
        "text\tlabel\n" + "".join(f"{s}\tblameless\n" for s in FALSE_ALARMS)
    )
    with (archive / "pyproject.toml").open("a") as handle:
        handle.write('\n[tool.incident-docs.blameless]\nexamples = "examples.tsv"\n')
    trained = run_cli(archive, "blameless", "train")
    assert trained.exit_code == 0, trained.output
    own = archive / ".incident-docs" / "blameless-model.json.gz"
    assert own.exists()
    assert _lint_stdin(run_cli, archive, "\n\n".join(FALSE_ALARMS) + "\n") == []
    # Lines near them that the file does not hold move the same way, by two fifths or more, if
    # not always under the bar ("The network team rebuilt the router config…": 0.99 with the
    # shipped model, 0.54 after; 0.45 after with the model before the cause statements of r40).
    shipped, archive_model = packaged_model(), load_model(own)
    for line in unseen:
        assert archive_model.probability(line) < 0.6 * shipped.probability(line)
    # The misses the frozen set catches stay caught.
    blameful = [row.text for row in training.read_rows(FROZEN) if row.label == 1]

    def caught(model: BlameModel) -> int:
        checker = Checker(model=model, threshold=model.threshold)
        return sum(bool(checker.check(text)) for text in blameful)

    assert caught(archive_model) >= caught(shipped) - len(blameful) // 100
    # Sentences unlike the examples read as they did: the features are the shipped model's.
    # Chosen afresh, a fifth of them changed, and 35 of 2,052 frozen and held-out lines moved by
    # more than 0.1.
    moved = max(
        abs(archive_model.probability(row.text) - shipped.probability(row.text))
        for row in training.read_rows(FROZEN)
    )
    assert moved < 0.05


@pytest.mark.slow
def test_train_without_examples_gives_the_shipped_model_again(
    archive: Path, run_cli: RunCli
) -> None:
    out = archive / "own.json.gz"
    assert run_cli(archive, "blameless", "train", "--output", str(out)).exit_code == 0
    own = json.loads(gzip.decompress(out.read_bytes()))
    shipped = json.loads(gzip.decompress(training.PACKAGED_PATH.read_bytes()))
    assert own.pop("metadata").items() > shipped.pop("metadata").items()
    assert own == shipped


# --- what a review of the first version found -------------------------------------------------


def test_people_named_in_the_timeline_and_responders_are_left_alone(
    archive: Path, run_cli: RunCli
) -> None:
    text = (
        "## Timeline\n\n"
        "- 2024-05-02T10:05:00Z **action** by sam: Priya rolled back the deploy.\n"
        "- 2024-05-02T10:06:00Z **action** by sam: Dana paged the database team.\n"
        "- 2024-05-02T10:07:00Z **action** by sam: Jo ran the failover script by hand.\n"
        "- 2024-05-02T10:09:00Z **note** by sam: Priya pushed the bad config again, as usual.\n\n"
        "## Responders\n\n- Sam Lindqvist ran the failover.\n"
    )
    found = _lint_stdin(run_cli, archive, text)
    assert {d["line"] for d in found} == {6}  # only the entry that mocks


@pytest.mark.parametrize(
    "text",
    [
        # Title Case capitalises every word: not a row of names.
        "---\ntitle: Config Push Broke Routing For Europe\n---\n\n"
        "## Expired CDN Certificate Broke Images And Styles\n\n## Database Team Follow-Ups\n",
        # Short noun phrases with a role or a team in them: the model must be surer there.
        "---\ntitle: Checkout outage\naction_items:\n"
        "  - title: Give the on-call engineer a read-only production shell\n"
        "  - title: Require a second reviewer for hotfixes\n---\n\n"
        "## What the On-Call Saw\n\n## What the database team changed\n\n"
        "## How the Support Team Responded\n",
        pytest.param(
            "---\ntitle: Checkout outage\naction_items:\n"
            "  - title: Make the release manager sign off on hotfixes\n---\n",
            marks=pytest.mark.xfail(
                strict=True,
                reason="known false alarm: the model reads 'manager … sign off' as blame (0.93, "
                "over the 0.8 an action item needs; 0.90 before the blogs' sentences were added)",
            ),
        ),
    ],
    ids=["title-case", "roles", "sign-off"],
)
def test_titles_and_headings_that_blame_nobody_are_left_alone(
    archive: Path, run_cli: RunCli, text: str
) -> None:
    assert _lint_stdin(run_cli, archive, text) == []


def test_a_heading_and_an_action_item_each_have_a_threshold_of_their_own(
    archive: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A heading is short and read with its capitals lowered; an action item names its owner and
    # a role as a matter of course. The thresholds set apart, so the test holds whatever the
    # model scores the two, over its own threshold.
    monkeypatch.setattr(prose, "HEADING", 0.0)
    monkeypatch.setattr(prose, "SURER", 1.0)
    text = (
        "---\ntitle: Launch day\naction_items:\n"
        "  - title: Give the on-call engineer a read-only production shell\n---\n\n"
        "## How the Release Manager Sank Launch Day\n"
    )
    found = _lint_stdin(run_cli, archive, text)
    assert [(d["line"], d["code"]) for d in found] == [(7, "BL010")]


@pytest.mark.parametrize(
    ("surer", "heading", "lines"),
    [(None, None, [3]), (0.0, 1.0, []), (1.0, 0.0, [])],
    ids=["as-shipped", "heading-surer", "timeline-surer"],
)
def test_a_heading_where_people_are_named_needs_the_higher_of_both_thresholds(
    archive: Path,
    run_cli: RunCli,
    monkeypatch: pytest.MonkeyPatch,
    surer: float | None,
    heading: float | None,
    lines: list[int],
) -> None:
    if surer is not None and heading is not None:
        monkeypatch.setattr(prose, "SURER", surer)
        monkeypatch.setattr(prose, "HEADING", heading)
    text = "## Timeline\n\n### How the Release Manager Sank Launch Day\n"
    assert [d["line"] for d in _lint_stdin(run_cli, archive, text)] == lines


def test_a_title_case_heading_still_names_the_person_it_blames(
    archive: Path, run_cli: RunCli
) -> None:
    text = (
        "## How Oyelaran Broke the Payments Queue\n\n"
        "# Postmortem: Kaito's Billing Disaster\n\n"
        "## Certificate Expiry Took Down Payments In Europe\n\n"
        "## Lessons Learned From The Frankfurt Outage\n\n"
        "## Łódź Datacenter Alerts Ignored Again\n"
    )
    found = _lint_stdin(run_cli, archive, text)
    assert {(d["line"], d["code"]) for d in found} == {(1, "BL010"), (3, "BL010")}


def test_a_front_matter_value_with_an_escape_is_reported_at_its_words_without_a_fix(
    archive: Path, run_cli: RunCli
) -> None:
    written = 'summary: "The caf\\u00e9 config was, obviously, wrong."'
    text = f"---\n{written}\n---\n"
    result = run_cli(
        archive, "lint", "--select", "BL", "--format", "sarif", "-", "--stdin-filename", "x.md",
        input=text,
    )  # fmt: skip
    results = json.loads(result.stdout)["runs"][0]["results"]
    assert results, "the hindsight word is found"
    for found in results:
        region = found["locations"][0]["physicalLocation"]["region"]
        assert (region["startLine"], region["startColumn"]) == (2, written.index(", obviously") + 1)
        assert "fixes" not in found  # the value is not written as it reads: no safe edit


def test_a_front_matter_value_written_over_several_lines_is_reported_where_its_words_are(
    archive: Path, run_cli: RunCli
) -> None:
    text = (
        "---\ntitle: Outage\nsummary: |\n  The cache filled up at noon.\n"
        "  Dave should have checked the config.\n"  # line 5, a literal block
        "description: The queue backed up where\n  Dave, obviously, waited.\n"  # line 7, wrapped
        "action_items:\n  - title: >-\n      Make sure that\n"
        "      Dave is more careful\n"  # line 11, a folded block
        '  - title: "Remind Dave\n      to be more careful"\n'  # lines 12-13, quoted
        "---\n"
    )
    found = _lint_stdin(run_cli, archive, text)
    # Each at its words (the hindsight word's span opens with the comma its fix removes), no
    # longer at the key.
    assert {(d["line"], d["column"], d["code"]) for d in found} == {
        (5, 3, "BL002"),
        (7, len("  Dave") + 1, "BL003"),
        (11, len("      ") + 1, "BL009"),
        (13, len("      to ") + 1, "BL009"),
    }


def test_a_value_after_a_comment_an_anchor_or_a_tag_is_reported_where_its_words_are(
    archive: Path, run_cli: RunCli
) -> None:
    text = (
        '---\ntitle: Outage\nsummary:\n  "The cache filled up.\n'
        '  Dave should have checked the config."\n'  # line 5, quoted from the next line
        "harm: &h |\n  Dave should have checked it.\n"  # line 7, an anchored block
        "description: # why\n  Dave should have checked the disk.\n"  # line 9, after a comment
        "impact:\n  users_affected: !!str >-\n    All of them, because\n"
        "    Dave should have checked the flag.\n"  # line 13, a tagged folded block
        "---\n"
    )
    found = _lint_stdin(run_cli, archive, text)
    assert {(d["line"], d["column"], d["code"]) for d in found} == {
        (5, 3, "BL002"),
        (7, 3, "BL002"),
        (9, 3, "BL002"),
        (13, 5, "BL002"),
    }


@pytest.mark.parametrize(
    "hidden",
    [
        "\u00ad",
        "\u200b",
        "\u2060",
        "\ufeff",
        "\u202e",
        "\x07",
        "\x1b[1;31m",
        "\x9b0m",
    ],
)
def test_a_character_that_shows_as_nothing_hides_no_blame(
    archive: Path, run_cli: RunCli, hidden: str
) -> None:
    """Pasted from a document, a chat or a terminal's colours (IO007 reports the controls)."""
    plain = "Dave broke prod again, as usual.\n"
    pasted = f"Da{hidden}ve bro{hidden}ke prod again, as usual.\n"
    expected = _lint_stdin(run_cli, archive, plain)
    found = [d for d in _lint_stdin(run_cli, archive, pasted) if d["code"].startswith("BL")]
    assert [d["code"] for d in found] == [d["code"] for d in expected] != []
    # Each finding where its words are in the line as written, after what was pasted before it.
    before = {0: 0, **dict.fromkeys(range(1, len("Dave bro") + 1), 1)}
    assert [d["column"] for d in found] == [
        d["column"] + len(hidden) * before.get(d["column"] - 1, 2) for d in expected
    ]
    explained = run_cli(archive, "blameless", "explain", pasted.strip())
    assert explained.exit_code == 1 and "reported BL" in explained.stdout


@pytest.mark.parametrize(
    ("written", "plain"),
    [
        ("&#68;ave broke prod again, as usual.", "Dave broke prod again, as usual."),
        ("Dave br<b></b>oke prod again, as usual.", "Dave broke prod again, as usual."),
        ("Dave br<!-- x -->oke prod again, as usual.", "Dave broke prod again, as usual."),
        ("The rollout was ca*re*less.", "The rollout was careless."),
        ("The rollout was care&shy;less.", "The rollout was careless."),
        ("The rollout was <em>care</em>less.", "The rollout was careless."),
        ("The rollout was care<cite></cite>less.", "The rollout was careless."),
        ("The rollout was care\u200dless.", "The rollout was careless."),
        ("The rollout was care\ufe0fless.", "The rollout was careless."),
        ("The rollout was care\u034fless.", "The rollout was careless."),
        ("Da\u200cve broke prod again, as usual.", "Dave broke prod again, as usual."),
        ("The rollout was c\u0430r\u0435l\u0435ss.", "The rollout was careless."),
        ("The rollout was c&#1072;reless.", "The rollout was careless."),
        (
            "The rollout was \uff43\uff41\uff52\uff45\uff4c\uff45\uff53\uff53.",
            "The rollout was careless.",
        ),
        ("The rollout was \U0001d450areless.", "The rollout was careless."),
        ("Dave[^1] broke prod again, as usual.", "Dave broke prod again, as usual."),
    ],
)
def test_markup_inside_a_word_hides_no_blame(
    archive: Path, run_cli: RunCli, written: str, plain: str
) -> None:
    """The page shows the word whole: an entity, an element, a comment or emphasis inside it."""
    expected = [d["code"] for d in _lint_stdin(run_cli, archive, plain + "\n")]
    found = _lint_stdin(run_cli, archive, written + "\n")
    assert [d["code"] for d in found] == expected != []
    for diagnostic in found:  # each where its words are written
        assert 1 <= diagnostic["column"] <= len(written)


def test_markup_between_words_is_read_as_before(archive: Path, run_cli: RunCli) -> None:
    text = "Tom &amp; Jerry ran the **deploy** at 10:00; a*b = c and <b>x</b> held.\n"
    assert _lint_stdin(run_cli, archive, text) == []


def test_words_of_other_scripts_and_emoji_are_read_as_written() -> None:
    for text in ("Дмитрий и Ольга перезапустили сервер.", "Family \U0001f468\u200d\U0001f469 day.",
                 "naïve café"):  # fmt: skip
        assert prose.as_shown(text)[0] == text


def test_text_after_a_comment_on_the_same_line_is_checked(archive: Path, run_cli: RunCli) -> None:
    found = _lint_stdin(run_cli, archive, "<!-- note --> The rollout was careless.\n")
    assert [(d["line"], d["column"], d["code"]) for d in found] == [
        (1, len("<!-- note --> The rollout was ") + 1, "BL004")
    ]


@pytest.mark.parametrize(
    "content",
    [
        b"\x1f\x8b\x08\x00truncated",
        gzip.compress(b'{"format": "incident-docs/blameless-model"'),
        json.dumps(
            {"format": "incident-docs/blameless-model", "version": 2, "threshold": 0.5,
             "intercept": 0, "known_words": [], "vocabulary": [], "features": ["w"], "idf": [1],
             "coef": [1]}
        ).encode(),
        json.dumps(
            {"format": "incident-docs/blameless-model", "version": 2, "threshold": 0.5,
             "intercept": 0, "known_words": [], "vocabulary": [], "features": [1], "idf": [1],
             "coef": [1]}
        ).encode(),
        json.dumps(
            {"format": "incident-docs/blameless-model", "version": 2, "threshold": 7,
             "intercept": 0, "known_words": [], "vocabulary": [], "features": [], "idf": [],
             "coef": []}
        ).encode(),
        json.dumps(
            {"format": "incident-docs/blameless-model", "version": 2, "threshold": 0.5,
             "intercept": 0, "known_words": [], "vocabulary": [""], "features": [], "idf": [],
             "coef": []}
        ).encode(),
        b"[" * 100_000,
    ],
    ids=[
        "truncated-gzip", "cut-json", "bad-feature", "feature-not-text", "threshold",
        "empty-word", "deep",
    ],
)  # fmt: skip
def test_any_broken_archive_model_is_a_one_line_error(
    archive: Path, run_cli: RunCli, content: bytes
) -> None:
    model = archive / ".incident-docs" / "blameless-model.json.gz"
    model.parent.mkdir()
    model.write_bytes(content)
    for args in (("lint", "--select", "BL"), ("blameless", "explain", "Ken broke it again.")):
        result = run_cli(archive, *args)
        assert result.exit_code == 2, (args, result.output)
        assert (
            result.stderr.count("\n") == 1 and result.stderr.count("blameless-model.json.gz") == 1
        )


@pytest.mark.parametrize("setting", ["model-file", "examples"])
def test_a_setting_whose_file_leads_out_of_the_archive_or_is_no_file_is_refused(
    archive: Path, run_cli: RunCli, tmp_path: Path, setting: str
) -> None:
    outside = tmp_path / "outside.tsv"
    outside.write_text("text\tlabel\nAPI_TOKEN=s3cr3t\tblameless\n")
    (archive / "linked").symlink_to(outside)
    os.mkfifo(archive / "pipe")  # reading it would wait for a writer forever
    base = (archive / "pyproject.toml").read_text()
    for value, message in (
        ("linked", "symbolic link leads outside the repository"),
        ("pipe", "not a regular file"),
    ):
        (archive / "pyproject.toml").write_text(
            base + f'\n[tool.incident-docs.blameless]\n{setting} = "{value}"\n'
        )
        for args in (("lint", "--select", "BL"), ("blameless", "explain", "Ken broke it.")):
            result = run_cli(archive, *args)
            assert result.exit_code == 2, (value, args, result.output)
            assert result.stderr == f"incident: error: {value} ({setting}): {message}\n"
            assert "s3cr3t" not in result.output


@pytest.mark.parametrize("setting", ["model-file", "examples"])
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "'' names no file"),
        ("  ", "'  ' names no file"),
        (".git/model", "'.git/model' is inside .git, where it would never be committed"),
    ],
)
def test_a_setting_that_names_no_file_to_commit_is_refused_where_it_is_set(
    archive: Path, run_cli: RunCli, setting: str, value: str, message: str
) -> None:
    pyproject = archive / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text() + f'\n[tool.incident-docs.blameless]\n{setting} = "{value}"\n'
    )
    line = pyproject.read_text().count("\n")
    result = run_cli(archive, "lint", "--select", "BL")
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"incident: error: pyproject.toml:{line}: tool.incident-docs.blameless.{setting}: {message}"
    ), result.stderr


def test_an_examples_file_over_its_limit_is_a_one_line_error(
    archive: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(training, "EXAMPLES_LIMIT", 1000)
    with (archive / "pyproject.toml").open("a") as handle:
        handle.write('\n[tool.incident-docs.blameless]\nexamples = "examples.tsv"\n')
    (archive / "examples.tsv").write_text("text\tlabel\n" + "Fine words here.\tblameless\n" * 60)
    result = run_cli(archive, "lint", "--select", "BL")
    assert result.exit_code == 2
    assert result.stderr == (
        "incident: error: examples.tsv: the examples file is 1,631 bytes, over the 1,000 byte "
        "limit\n"
    )
    (archive / "examples.tsv").write_text("text\tlabel\n" + "Fine words here.\tblameless\n" * 30)
    assert run_cli(archive, "lint", "--select", "BL").exit_code == 0


def test_an_examples_line_too_long_for_a_field_is_named_by_its_number(tmp_path: Path) -> None:
    examples = tmp_path / "examples.tsv"
    examples.write_text("text\tlabel\nFine.\tblameless\n" + "x" * 200_000 + "\tblameless\n")
    with pytest.raises(UsageError, match=r"examples.tsv:3: field larger than field limit"):
        training.read_rows(examples)


def test_an_examples_line_too_long_says_how_long_and_the_limit(archive: Path) -> None:
    # "field larger than field limit (131072)" named neither what was too long nor in what.
    (archive / "ex.tsv").write_text("text\tlabel\n" + "word " * 200_000 + "\tblameless\n")
    with pytest.raises(
        UsageError,
        match=r"^ex.tsv:2: a cell of 1,000,000 characters, over the limit of 131,072: an "
        "example is a sentence or a line of a record$",
    ):
        training.read_examples(archive, "ex.tsv")


def test_an_examples_line_labelled_both_ways_names_both_lines(
    archive: Path, run_cli: RunCli
) -> None:
    with (archive / "pyproject.toml").open("a") as handle:
        handle.write('\n[tool.incident-docs.blameless]\nexamples = "examples.tsv"\n')
    (archive / "examples.tsv").write_text(
        "text\tlabel\nKen rolled it back.\tblameless\nKen rolled it back.\tblameless\n\n"
        "- ken rolled it  back\tblameful\n"
    )
    for args in (("lint", "--select", "BL"), ("blameless", "train")):
        result = run_cli(archive, *args)
        assert result.exit_code == 2, result.output
        assert result.stderr == (
            "incident: error: examples.tsv:5: labelled blameful here and blameless on line 2\n"
        )


def test_an_examples_file_that_is_not_there_is_named_with_its_setting(
    archive: Path, run_cli: RunCli
) -> None:
    with (archive / "pyproject.toml").open("a") as handle:
        handle.write('\n[tool.incident-docs.blameless]\nexamples = "examples.tsv"\n')
    for args in (("lint",), ("blameless", "train")):
        result = run_cli(archive, *args)
        assert result.exit_code == 2, result.output
        assert result.stderr == (
            "incident: error: examples.tsv (examples): cannot read: No such file or directory\n"
        )


def test_train_refuses_a_place_it_cannot_write_before_it_trains(
    archive: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (archive / ".incident-docs").mkdir()
    (archive / ".incident-docs" / "elsewhere").symlink_to(outside, target_is_directory=True)
    with (archive / "pyproject.toml").open("a") as handle:
        handle.write(
            '\n[tool.incident-docs.blameless]\nmodel-file = ".incident-docs/elsewhere/m"\n'
        )
    os.mkfifo(outside / "pipe")
    (archive / "notes.md").write_text("notes\n")
    for args, message in (
        ((), ".incident-docs/elsewhere/m (model-file): symbolic link leads outside"),
        (("--output", str(outside / "pipe")), "pipe: not a regular file"),
        (("--output", str(archive / "notes.md" / "m.json.gz")), "notes.md is not a folder"),
    ):
        result = run_cli(archive, "blameless", "train", *args)
        assert result.exit_code == 2, result.output
        assert message in result.stderr and "training on" not in result.output
    assert [path.name for path in outside.iterdir()] == ["pipe"]  # no model, no temporary file


def test_train_never_writes_over_a_file_that_is_no_model(archive: Path, run_cli: RunCli) -> None:
    examples = archive / "examples.tsv"
    examples.write_text("text\tlabel\nJo shipped the fix.\tblameless\n")
    config = archive / "pyproject.toml"
    with config.open("a") as handle:
        handle.write(
            '\n[tool.incident-docs.blameless]\nexamples = "examples.tsv"\n'
            'model-file = "examples.tsv"\n'
        )
    record = next((archive / "postmortems").glob("*.md"))
    before = {path: path.read_bytes() for path in (examples, config, record)}
    for args in ((), ("--output", "pyproject.toml"), ("--output", str(record))):
        result = run_cli(archive, "blameless", "train", *args)
        assert result.exit_code == 2, result.output
        assert "holds something other than a blameless model" in result.stderr
        assert result.stderr.count("\n") == 1 and "training on" not in result.output
    assert all(path.read_bytes() == content for path, content in before.items())


def test_a_model_file_of_any_version_is_known_as_one(tmp_path: Path) -> None:
    path = tmp_path / "m"
    for content, model in (
        (gzip.compress(json.dumps(_small_model()).encode()), True),
        (gzip.compress(json.dumps(_small_model(version=VERSION - 1)).encode()), True),
        (json.dumps(_small_model(), indent=2).encode(), True),
        (gzip.compress(json.dumps(_small_model(), sort_keys=True).encode()), True),
        (json.dumps({"format": "something else"}).encode(), False),
        (gzip.compress(b"text\tlabel\n"), False),
        (b"\x1f\x8b\x08\x00cut", False),
        (b'[tool.incident-docs.blameless]\nformat = "incident-docs/blameless-model"\n', False),
        (b"", False),
    ):
        path.write_bytes(content)
        assert is_model_file(path) is model, content[:40]


def test_train_finds_a_folder_that_takes_no_file_before_it_trains(
    archive: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(**_: object) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr("incident_docs.cli_blameless.tempfile.TemporaryFile", refused)
    result = run_cli(archive, "blameless", "train", "--output", "models/m.json.gz")
    assert result.exit_code == 2
    assert result.stderr == (
        "incident: error: models/m.json.gz: cannot write there: Operation not permitted\n"
    )
    assert "training on" not in result.output and not (archive / "models").exists()


def test_train_wants_an_archive(tmp_path: Path, run_cli: RunCli) -> None:
    result = run_cli(tmp_path, "blameless", "train")
    assert result.exit_code == 2 and "no incident archive in" in result.stderr
    assert list(tmp_path.iterdir()) == []


class _EndlessInput(io.RawIOBase):
    """Standard input that never ends (`< /dev/zero`), and fails a reader that reads on far past
    lint's limit instead of hanging the test."""

    given = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.given > 10_000_000:
            raise AssertionError("standard input read on past the limit")
        size = len(buffer)
        buffer[:size] = b"Ken broke it. " * (size // 14) + b" " * (size % 14)
        self.given += size
        return size


def test_standard_input_is_read_only_to_one_byte_over_the_limit(archive: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["--root", str(archive), "lint", "--select", "BL", "--format", "json", "-"],
        input=io.BufferedReader(_EndlessInput()),
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    found = json.loads(result.stdout)["diagnostics"]
    assert [(d["code"], d["message"]) for d in found] == [
        ("IO004", "file is over the 2,000,000 byte limit")
    ]


def test_a_model_an_older_release_trained_asks_to_be_trained_again(
    archive: Path, run_cli: RunCli
) -> None:
    old = _small_model(version=1)
    del old["vocabulary"]
    model = archive / ".incident-docs" / "blameless-model.json.gz"
    model.parent.mkdir()
    model.write_bytes(gzip.compress(json.dumps(old).encode()))
    result = run_cli(archive, "lint", "--select", "BL")
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert "version 1" in result.stderr and "incident blameless train" in result.stderr


def test_an_examples_file_that_is_not_utf8_is_a_one_line_error_and_a_bom_is_fine(
    archive: Path, run_cli: RunCli
) -> None:
    with (archive / "pyproject.toml").open("a") as handle:
        handle.write('\n[tool.incident-docs.blameless]\nexamples = "examples.tsv"\n')
    examples = archive / "examples.tsv"
    examples.write_bytes(b"text\tlabel\nDave \xff broke it\tblameful\n")
    result = run_cli(archive, "lint", "--select", "BL")
    assert result.exit_code == 2 and "examples.tsv:2: not UTF-8 text" in result.stderr
    examples.write_bytes("\ufefftext\tlabel\nFine words here.\tblameless\n".encode())
    assert run_cli(archive, "lint", "--select", "BL").exit_code == 0


def _many_records(archive: Path) -> None:
    """Enough postmortems for lint to spread the files over worker processes."""
    source = next((archive / "postmortems").glob("*.md"))
    text = source.read_text(encoding="utf-8")
    for index in range(PARALLEL_THRESHOLD):
        (archive / "postmortems" / f"copy-{index}.md").write_text(text, encoding="utf-8")


def test_a_broken_archive_model_is_one_line_when_workers_lint_too(
    archive: Path, run_cli: RunCli
) -> None:
    _many_records(archive)
    model = archive / ".incident-docs" / "blameless-model.json.gz"
    model.parent.mkdir()
    model.write_bytes(b"not a model")
    result = run_cli(archive, "lint", "--select", "BL", "--jobs", "2")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "blameless-model.json.gz" in result.stderr


# --- organisations, timelines in other formats ------------------------------------------------


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("Discord engineers rolled out a fix.", {"Discord"}),
        ("Foursquare's employees were told the same day.", {"Foursquare"}),
        ("Here is what we heard from the Vitwit devs: a race.", {"Vitwit"}),
        ("Later, Kevin's engineers were paged.", set()),  # a manager has engineers too
        ("Acme Inc confirmed the outage.", {"Acme"}),
        ("A problem with **Nietzsche** (the main database server).", {"Nietzsche"}),
        ("Radiation (our email service) timed out.", {"Radiation"}),
        ('One of our email services, code-named "Radiation", timed out.', {"Radiation"}),
        ("A server named Nietzsche ran out of disk.", {"Nietzsche"}),
        # A person is no machine, and the words around the name say so.
        ("Dave, our app developer, pushed the fix.", set()),
        ("Ken, the database admin, restored it.", set()),
        ("Ken, our walking database, knew the answer.", set()),
        ("Priya, the engineer behind the gateway, joined at 14:10.", set()),
        ("Ken, a contractor maintaining the dashboard, was paged.", set()),
        ("With help from Ken, the team migrated the database.", set()),
        ("We escalated to Ken, the database, and the vendor.", set()),
        ("Someone on the bridge named Ken suggested the rollback.", set()),
        ("Ken (the on-call engineer) restarted it.", set()),
        ("Marta (our CEO) signed off.", set()),
        ("Dave (a developer on the app) joined the bridge.", set()),
        ("Dave (our DBA for the database) joined.", set()),
        ("Dave (a contract worker) joined.", set()),
        ("Dave (the call host) joined.", set()),
        ("A colleague named Ken restarted it.", set()),
        ("A coworker named Dave joined the bridge.", set()),
        ("The paging service called Dave at 09:04 and he acknowledged.", set()),
        ("Our intern, code-named Dave, broke it again.", set()),  # a nickname
        ("Paged `Dave` at 09:10.", set()),  # a name in a code span can be a person's
        ("## Xubuntu Team Follow-Ups", {"Xubuntu"}),
        ("Marta's team broke it.", set()),  # a person has a team ...
        ("Marcus's database migration locked the table.", set()),  # ... databases, API keys
        ("Khalid's API key leaked.", set()),
        ("Ken's change reached every host.", set()),
        ("Support staff and Backend engineers joined.", set()),  # words, not names
        ("SRE engineers joined.", set()),
        ("The team paged Priya.", set()),
        ("x.Etsy engineers and @Etsy engineers", set()),  # parts of longer tokens
        ("Delete the Binder pod and wait for Boskos deployments to settle.", {"Binder", "Boskos"}),
        ("A user had created a Plot NFT.", {"Plot"}),
        ("Ken deploys on Fridays and Ken builds the images.", set()),  # verbs, not things
        ("Nils logs in, Nils hosts the call.", set()),
        # What only software has or has done to it.
        ("Fluentd 1.14.2 stopped shipping logs.", {"Fluentd"}),
        ("The fix was a newer version of Kyverno.", {"Kyverno"}),
        ("We upgraded Traefik to 2.5 overnight.", {"Traefik"}),
        ("Read the Goldpinger logs and the Fluentd exporter.", {"Goldpinger", "Fluentd"}),
        ("The Traefik logs show the header was dropped.", {"Traefik"}),
        ("- [Traefik v2 bug](https://example.com/8098)", {"Traefik"}),
        ("Roll back to Traefik v1 as the main ingress controller.", {"Traefik"}),
        ("We rolled back to Traefik v1.", {"Traefik"}),
        # A link says nothing of the kind: a site may be a company's or a person's own.
        ("[Etsy](https://etsy.com/blog/x) lost its search index.", set()),
        ("More notes on [Dmitri](https://dmitri.github.io).", set()),
        # People: what they make, dates, scores, sarcasm and promotions say nothing of the kind.
        ("Ken, the database engineer, approved it.", set()),
        ("We upgraded Ken's laptop.", set()),
        ("Someone upgraded Dmitri to admin.", set()),
        ("A newer version of Priya would have tested it first.", set()),
        ("This quarter: three instances of Dmitri skipping the review.", set()),
        ("Action: migrate ownership to Dmitri by Friday.", set()),
        ("Approved: Dmitri 14.03.2024, and Priya 14.03.24", set()),
        ("During the upgrade Dmitri, who was on call, paged the database team.", set()),
        ("We silenced the Dmitri alerts last week.", set()),
        ("Priya 2.0 strikes again.", set()),
        ("Dmitri vs. the vendor, round two.", set()),
        ("Dmitri v.2 of the same mistake.", set()),
        ("Dmitri v2 strikes again.", set()),
        ("Reviewer: Sean McCarthy", set()),
        ("Dmitri, the human chaos engine.", set()),
        # A repository's name on a code host, an image's name by its tag: software's place.
        ("Lighthouse (`sigp/lighthouse:v7.0.0`) stopped attesting.", {"Lighthouse"}),
        ("Lighthouse notes: https://github.com/sigp/lighthouse/releases", {"Lighthouse"}),
        ("Tamsin's module is github.com/acme/tamsin.", {"Tamsin"}),
        # Not where a person's name stands in an address or a path: an owner, a branch, a host,
        # a page, a profile, a home folder, a personal page, a slug, a remote branch.
        ("Dave's notes: https://github.com/dave/notes", set()),
        ("Kevin's fix: https://github.com/acme/api/tree/kevin/revert-config", set()),
        ("Kevin tested it on https://kevin-dev.staging.example.com first.", set()),
        ("Kevin: https://wiki.example.com/oncall/kevin", set()),
        ("Priya, see https://www.linkedin.com/in/priya/ and `/home/priya/.ssh`.", set()),
        ("Maria: https://blog.example.com/2021/welcome-maria", set()),
        ("Ana https://ana.github.io/posts", set()),
        ("Kevin ran `git diff main origin/kevin/hotfix`.", set()),
        ("Ken ran `git log --author=ken`.", set()),
        ("No more Dmitri queries against the primary, and no more Priya jobs.", set()),
        ("Ken alerts the team and logs the call.", set()),
        ("It was the Dmitri deploys again.", set()),
    ],
)
def test_what_only_an_organisation_has_shows_a_name_to_be_one(text: str, named: set[str]) -> None:
    assert organisations(text, known=frozenset({"support", "backend"})) == named


def test_a_roster_name_stays_a_person_whatever_follows_it() -> None:
    assert organisations("Sage engineers rolled out a fix.", frozenset({"sage"})) == set()


def test_a_name_the_record_shows_to_be_an_organisation_is_not_read_as_a_person(
    archive: Path, run_cli: RunCli
) -> None:
    sentence = "The outage was caused by Tamsin's failover logic."
    assert _lint_stdin(run_cli, archive, sentence + "\n")  # on its own, Tamsin may be a person
    record = "Tamsin engineers rolled out a fix within the hour.\n\n" + sentence + "\n"
    assert _lint_stdin(run_cli, archive, record) == []
    # Quoted as the author wrote it, even though the checks read the organisation in lower case.
    explained = _shipped_checker().explain("Tamsin engineers said a bug in Tamsin caused it.")
    assert all(cue.word != "tamsin" for cue in explained.cues)


def test_a_short_line_found_in_one_record_is_read_again_where_another_reads_it_otherwise() -> None:
    checker = _shipped_checker()
    line = "- Tamsin broke checkout again.\n"

    def found(body: str) -> list[tuple[int, int, str]]:
        doc = parse_text("---\nid: x\n---\n\n# Notes\n\n" + body, "x.md")
        return [(at, column, hit.code) for at, column, _, _, hit in check_document(doc, checker)]

    alone = found(line)
    assert alone  # on its own, Tamsin may be a person
    assert found("Tamsin engineers rolled out a fix within the hour.\n\n" + line) == []
    assert found(line) == alone
    assert found("Notes first.\n\n" + line) == [(9, 3, code) for _, _, code in alone]


def test_a_product_the_record_upgrades_or_versions_is_not_read_as_a_person(
    archive: Path, run_cli: RunCli
) -> None:
    factor = "- Signs that Kyverno is not ready for production\n"
    assert _lint_stdin(run_cli, archive, factor)  # on its own, Kyverno may be a person
    record = factor + "\nThe fix was a newer version of Kyverno.\n"
    assert _lint_stdin(run_cli, archive, record) == []
    versioned = "Traefik 2.4.8 dropped the header, and Traefik kept dropping it for an hour.\n"
    assert _lint_stdin(run_cli, archive, versioned) == []


def test_a_product_the_record_addresses_or_pulls_as_an_image_is_not_read_as_a_person(
    archive: Path, run_cli: RunCli
) -> None:
    sentence = "The outage was caused by Tamsin's failover logic.\n"
    assert _lint_stdin(run_cli, archive, sentence)  # on its own, Tamsin may be a person
    for address in ("The image was `acme/tamsin:1.4`.", "See https://github.com/acme/tamsin."):
        assert _lint_stdin(run_cli, archive, sentence + "\n" + address + "\n") == []
    # A person's login, branch, host or home folder in an address or a path says nothing of it.
    for address in (
        "See https://github.com/tamsin/notes.",
        "The fix is on https://github.com/acme/api/tree/tamsin/fix.",
        "It ran on https://tamsin-dev.example.com first.",
        "Keys: `/home/tamsin/.ssh`.",
    ):
        assert _lint_stdin(run_cli, archive, sentence + "\n" + address + "\n")


@pytest.mark.parametrize(
    "clue",
    [
        "Reviewer: Sean McCarthy",
        "Approved: Dmitri 14.03.2024",
        "Approved: Dmitri 14.03.24",
        "Action: migrate ownership to Dmitri by Friday.",
        "Someone upgraded Dmitri to admin.",
        "During the upgrade Dmitri, who was on call, paged the database team.",
        "We paused the Dmitri jobs until Monday.",
        "We silenced the Dmitri alerts last week.",
        "Build logs: https://travis-ci.com/acme/builds/1",
        "More notes on [Dmitri](https://dmitri.github.io).",
    ],
)
def test_a_person_stays_a_person_whatever_else_the_record_says_of_them(
    archive: Path, run_cli: RunCli, clue: str
) -> None:
    name = "Travis" if "travis" in clue else "Sean" if "Sean" in clue else "Dmitri"
    blame = f"{name} is the reason we were down for six hours.\n"
    assert _lint_stdin(run_cli, archive, clue + "\n\n" + blame)


def test_a_lone_at_sign_is_a_word_for_at_not_a_handle(archive: Path, run_cli: RunCli) -> None:
    text = "Checked the Windows event log @ the server level, where SeriLog had written nothing.\n"
    assert _lint_stdin(run_cli, archive, text) == []
    assert _lint_stdin(run_cli, archive, "@dana broke the release again, as usual.\n")


@pytest.mark.parametrize(
    "text",
    [
        "- Review who has write access to the bucket.",
        "- Audit who can read the customer table.",
        # A verb the model never saw, opening an action item: no name.
        "- Limit who can push to the production branch.",
    ],
)
def test_a_who_that_a_rule_settles_names_no_one(archive: Path, run_cli: RunCli, text: str) -> None:
    assert _lint_stdin(run_cli, archive, text + "\n") == []


@pytest.mark.parametrize(
    "text",
    [
        "We all know who approved this change.",
        "Guess whose laptop the TRUNCATE came from.",
        "Ken every single time.",  # a name opening a tally is still a name
        "Eric the destroyer strikes again.",
        "Dmitri to be removed from the on-call rotation.",
        "Review who approved this mess; it is always the same one.",  # what someone did
        "We finally identified who caused the outage.",
        "Check whose laptop the TRUNCATE came from, again.",
        "Identify who is responsible for this mess.",
        "Confirm who has been ignoring the pager.",
        "Audit who has broken the build twice this week.",
        "Dmitri why is prod down again?",  # a name opening an address
        "Priya where is the rollback plan this time?",
    ],
)
def test_a_who_that_insinuates_is_still_reported(archive: Path, run_cli: RunCli, text: str) -> None:
    assert _lint_stdin(run_cli, archive, text + "\n")


@pytest.mark.parametrize(
    "text",
    [
        "See also [Bryan Cantrill's talk](https://example.com/talk).",
        "- [Tim Freeman's list of postmortems](https://example.com/t)",
        "Source: [Lorin Hochstein's list of major incidents](https://example.com/l).",
        "See also [Bryan Cantrill\u2019s talk](https://example.com/talk).",  # a curly apostrophe
        "- [James' notes on the failover](https://example.com/j)",
        # A reference that is a sentence of its own in a paragraph is one all the same.
        "The API needed manual intervention. See also [Bryan Cantrill's talk](https://e.com/t).",
        # A title in Title Case is read as a heading is, not as a row of names.
        "- [How Complex Systems Fail](https://example.com/hcsf)",
        "[Awesome Tech Postmortems](https://example.com/atp).",
        "[FirstEnergy / General Electric](https://example.com/fe). A line tripped on a tree.",
        # Hard-wrapped, and in a table cell.
        "The API was down for an hour. See also\n[Bryan Cantrill's talk](https://e.com/t).",
        "| Reference | [Bryan Cantrill's talk](https://example.com/talk) |",
        # A title in Title Case that blames no one is left alone.
        "- [Everything Is Broken](https://example.com/e)",
        "| Reading | [The Worst Outage Ever](https://example.com/w) |",
        # A stop inside the title ends no sentence; the author after "by" is left out.
        "- [Who Moved My Testnet? - Reflection on the testnet by Lucas Saldanha](https://e.com/h)",
        "- Upstream issue: [Why did my node stop syncing? by @jdoe](https://example.com/i)",
    ],
)
def test_a_reference_to_someones_writing_is_not_blame(
    archive: Path, run_cli: RunCli, text: str
) -> None:
    assert _lint_stdin(run_cli, archive, text + "\n") == []


@pytest.mark.parametrize(
    "text",
    [
        "Ken's talk was a disaster.",  # out of a link, a person judged through their work
        "[Ken's talk](https://example.com/x) shows he never tests anything.",
        "[Ken Broke Prod Again](https://example.com/x)",  # a name that acts in a title
        "Add it to Marek's list: two dropped databases and a wiped Key Vault, all within a year.",
        # A link inside a sentence is read as its words are.
        "Add it to [Marek's list](https://example.com/m): two dropped databases, all in a year.",
        "[Dmitri's post](https://example.com/p) was the usual excuse: no time to test, again.",
        "[Dmitri Petrov](https://example.com/dpetrov) is the reason we were down for six hours.",
        "[Another Dmitri Special](https://example.com/pr/1): six hours down.",
        # A reference's author is left out, but what it says of them is still weighed.
        "- [Dmitri's notes on breaking prod again](https://example.com/n)",
        "- [How Dave broke prod again, by Ken Li](https://example.com/d)",
        "See [the report](https://example.com/r). Dave broke prod again, as usual.",
        "- [How S\u00e9bastien Broke Search](https://example.com/s)",  # as "Sebastien" is
    ],
)
def test_blame_beside_a_citation_is_still_reported(
    archive: Path, run_cli: RunCli, text: str
) -> None:
    assert _lint_stdin(run_cli, archive, text + "\n")


@pytest.mark.parametrize(
    "text",
    [
        # A title in Title Case that names someone as written is weighed whole: its capitals
        # lowered, the blame in its shape is still read.
        "- [Ken Strikes Again](https://example.com/k)",
        "- [Another Dmitri Special](https://example.com/d)",
        # A reference in lower case is read as any words are, at the usual threshold.
        "See also [the usual Friday deploy from Ken](https://example.com/k).",
        "It went down again. See also [Ken's latest disaster](https://example.com/k).",
    ],
)
def test_blame_in_a_reference_is_reported_by_the_model(
    archive: Path, run_cli: RunCli, text: str
) -> None:
    found = _lint_stdin(run_cli, archive, text + "\n")
    assert [d["code"] for d in found] == ["BL010"]
    assert found[0]["column"] > text.index("[")  # in the reference, not before it


@pytest.mark.parametrize(
    "text",
    ["We should fire \u0141ukasz.", "We should fire \u7530\u4e2d.", "We should fire Dave."],
)
def test_a_wish_to_fire_someone_is_reported_in_any_alphabet(
    archive: Path, run_cli: RunCli, text: str
) -> None:
    assert [d["code"] for d in _lint_stdin(run_cli, archive, text + "\n")] == ["BL009"]


@pytest.mark.parametrize(
    "text",
    [
        # Only the model reads these, and only when someone is named: a name in a script
        # without capitals is someone, as a capitalised name is.
        "This was all down to \u7530\u4e2d, again.",
        "The outage was on \u7530\u4e2d's watch.",
    ],
)
def test_a_name_in_a_script_without_capitals_is_someone_the_model_weighs(
    archive: Path, run_cli: RunCli, text: str
) -> None:
    assert [d["code"] for d in _lint_stdin(run_cli, archive, text + "\n")] == ["BL010"]


def test_a_subsection_of_the_timeline_is_still_the_timeline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # In the timeline, a person read as the cause stands only when the model reads blame too,
    # and here it never does.
    monkeypatch.setattr(prose, "TIMELINE", 1.0)
    monkeypatch.setattr(prose, "SURER", 1.0)
    checker = Checker(model=packaged_model(), threshold=0.5)
    entry = "- 21:33 UTC: Dave pushed a broken config to the load balancers.\n"
    in_timeline = check_markdown("## Timeline\n\n### 2020-02-20\n\n" + entry, checker=checker)
    assert in_timeline == []
    in_summary = check_markdown("## Summary\n\n### 2020-02-20\n\n" + entry, checker=checker)
    assert [hit.code for _, _, hit in in_summary] == ["BL001"]
    # A heading at the timeline's own level or above ends it, and so does a subsection that is
    # not a day.
    for text, codes in (
        ("## Timeline\n\n### Day one\n\n## Cause\n\n", ["BL001"]),
        ("## Timeline\n\n### Root cause\n\n", ["BL001"]),
        ("## Timeline\n\n### Root cause\n\ntext\n\n### 2020-02-21\n\n", []),
    ):
        assert [hit.code for _, _, hit in check_markdown(text + entry, checker=checker)] == codes


@pytest.mark.parametrize(
    "entry",
    [
        "- 14:05 UTC: Dave took the site down for maintenance as planned.\n",
        "- 14:05 UTC: Omar took the API offline for the planned migration.\n",
    ],
)
def test_who_did_what_in_the_timeline_is_left_alone_by_the_shipped_model(entry: str) -> None:
    # The rules read the person as the cause; the shipped model, at its own thresholds, does not.
    assert [hit.code for _, _, hit in check_markdown("## Summary\n\n" + entry)] == ["BL001"]
    checker = _shipped_checker()
    assert check_markdown("## Timeline\n\n" + entry, checker=checker) == []
    assert check_markdown("## Responders\n\n" + entry, checker=checker) == []


@pytest.mark.parametrize(
    "entry",
    [
        "- 21:33 UTC: Dave pushed a broken config to the load balancers.\n",
        "- Dave pushed a broken config to the load balancers.\n",
    ],
)
def test_a_person_read_as_the_cause_in_the_timeline_needs_the_model_to_agree(
    entry: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "## Timeline\n\n" + entry + "\n## Responders\n\n" + entry
    found = {}
    for sure in (0.0, 1.0):
        monkeypatch.setattr(prose, "TIMELINE", sure)
        monkeypatch.setattr(prose, "SURER", sure)
        checker = Checker(model=packaged_model(), threshold=1e-9 if sure == 0.0 else 0.5)
        found[sure] = [(line, hit.code) for line, _, hit in check_markdown(text, checker=checker)]
    assert found[1.0] == []
    assert found[0.0] == [(3, "BL001"), (7, "BL001")]
    # Without the model, a person named there is who did it.
    assert check_markdown(text) == []
    assert [hit.code for _, _, hit in check_markdown("## Summary\n\n" + entry)] == ["BL001"]


def _line_score(model: BlameModel, line: str) -> float:
    spans = sentences(line, cells=line.startswith("|"))
    return max(model.probability(line[start:end]) for start, end in spans)


@pytest.mark.parametrize(
    ("prefix", "timeline"),
    [
        ("- 21:35 UTC: ", True),
        ("* 2023-05-04 09:12 — ", True),
        ("| 14:02 | ", True),
        ("| Sun | Oct 31 | 21:33 | ", True),
        ("* [09:27] ", True),
        ("**31 July 2012, 13:00 IST.** ", True),
        ("- [03-26 06:27] ", True),
        ("| 26/03/2019 14:02 | ", True),
        ("- `03:05` ", True),  # in backticks
        ("- ~3:53PM - ", True),  # about then
        ("| Jan 14, 10:18 AM | ", True),  # the month first
        ("**June 14th, 2022, 10:00 AM:** ", True),
        ("- Mar 26 at 14:05: ", True),
        ("- May 3 pods: ", False),  # a month's name and a number, no time
        ("- 2.14: ", False),  # a version, not a time
        ("| 99.95% | ", False),
        ("- 3.12 upgrade: ", False),
    ],
)
def test_a_line_that_opens_with_a_time_needs_the_model_to_be_surer(
    prefix: str, timeline: bool
) -> None:
    model = packaged_model()
    candidates = [
        "Marcus approved his own pull request.",
        "Sean addresses the concerns in the PR.",
        "Dana paged the database team.",
        "Sean deploys it directly to master.",
        "Marcus deployed his own pull request.",
        "Marcus approved the change without comments.",
        "Dana ran the migration herself.",
        "Dana restarted the primary by hand.",
    ]
    # The line's sentences (a table row's cells) as the model scores them, just over the
    # threshold and under a timeline's.
    scored = [(_line_score(model, prefix + text), text) for text in candidates]
    probability, sentence = max((p, t) for p, t in scored if p < TIMELINE - 0.05)
    assert probability > 0.1
    checker = Checker(model=model, threshold=probability - 0.05)
    found = [hit.code for hit in checker.check(prefix + sentence)]
    assert found == ([] if timeline else ["BL010"])


def test_a_timeline_entry_needs_the_model_less_sure_than_other_lines_of_the_timeline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A line that opens with a time of day says what someone did, in the timeline or out of it;
    # the timeline's other lines and headings name people as a matter of course. The thresholds
    # set apart, so the test holds whatever the model scores the sentence.
    monkeypatch.setattr(prose, "SURER", 1.0)
    monkeypatch.setattr(prose, "HEADING", 1.0)
    monkeypatch.setattr(prose, "TIMELINE", 0.0)
    checker = Checker(model=packaged_model(), threshold=1e-9)
    text = (
        "## What happened\n\n"
        "- 21:35 UTC: Sean deploys it directly to master.\n\n"
        "## Timeline\n\n"
        "- 21:36 UTC: Sean deploys it directly to master.\n"
        "- Sean deploys it directly to master.\n\n"
        "### 21:40 Sean deploys it directly to master\n\n"
        "## Chat log\n\n"
        "- 21:41 UTC: Sean deploys it directly to master.\n"
    )
    found = [(line, hit.code) for line, _, hit in check_markdown(text, checker=checker)]
    # Not the timeline's other lines and headings, nor the transcript's messages.
    assert found == [(3, "BL010"), (7, "BL010")]


def test_a_transcript_lasts_until_a_heading_at_its_level(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prose, "SURER", 1.0)
    monkeypatch.setattr(prose, "HEADING", 1.0)
    monkeypatch.setattr(prose, "TIMELINE", 0.0)
    checker = Checker(model=packaged_model(), threshold=1e-9)
    entry = "Sean deploys it directly to master.\n\n"
    text = (
        "## Timeline\n\n### Slack thread\n\n- 21:41 UTC: "
        + entry  # a message
        + "### 2020-02-21\n\n- 21:42 UTC: "
        + entry  # the timeline again: an entry
        + "## Chat log\n\n### Root cause\n\ntext\n\n"
        + "### Day two\n\n- 21:43 UTC: "
        + entry  # the chat log's day: a message
        + "<!-- note --> 21:44 UTC: "
        + entry  # text after a comment, still in it
    )
    found = [(line, hit.code) for line, _, hit in check_markdown(text, checker=checker)]
    assert found == [(9, "BL010")]


@pytest.mark.parametrize(
    ("byline", "read"),
    [
        ("Created by: [Katharine Berry](https://example.com/katharine)", False),
        ("**Authors:** Ken Li, @dana and Ola Nordmann", False),
        ("Reviewed by: Ken Li <ken@example.com>", False),
        ("Reviewed by: Ken Li, who caused the outage", True),
        ("Approved by: Ken Li (incident commander)", True),
        ("Created by: Ken Li, Ignoring Every Alert As Usual", True),  # capitals are not names
        ("**Authors:** Ken Li, The Culprit", True),
        ("Created by: Ken Li\nKen Li, Ignoring Every Alert As Usual", True),  # one line only
    ],
)
def test_a_byline_that_only_lists_people_is_not_for_the_model(
    byline: str, read: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(prose, "SURER", 0.0)
    model = packaged_model()
    checker = Checker(model=model, threshold=1e-9)  # reports whatever the model reads
    assert bool(checker.check(byline)) is read


@pytest.mark.parametrize(
    ("line", "reported"),
    [
        (
            "Involved: traffic control centre (Olumide, evening shift), signals engineer "
            "(h.virtanen), contractor SignalCo",
            False,
        ),
        ("On the call: Priya (IC), @dmitri (database), Ola Nordmann (comms)", False),
        ("Involved: Ken, who broke prod again and lied about it", True),
        ("Paged: dvanwyk, who ignored it for an hour", True),
        ("Paged: @dana (ignored it)", True),
    ],
)
def test_the_people_a_list_of_those_involved_names_are_no_culprits_for_being_listed(
    line: str, reported: bool
) -> None:
    # The people are left out and the rest is weighed: roles and teams in brackets name no
    # culprit, what is said of someone still does.
    assert bool(_shipped_checker().check(line)) is reported


def test_occupations_and_their_plurals_point_at_someone_but_not_words_software_shares() -> None:
    assert {
        "forecaster",
        "forecasters",
        "midwives",
        "waitresses",
        "salespeople",
        "signalmen",
        "attorneys",
    } <= TARGETS
    assert TARGETS.isdisjoint({"driver", "controller", "editor", "producer", "wrangler", "janitor"})


def test_a_blog_post_byline_names_people_as_a_matter_of_course(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(prose, "SURER", 1.0)  # a byline is then never reported
    model = packaged_model()
    checker = Checker(model=model, threshold=1e-9)  # and anything else always is
    assert not checker.check("*Posted by @wenjie on behalf of the admin team.*")
    assert not checker.check("Published by Ken Li and @dana on 3 May 2024.")
    assert checker.check("Fixed by @wenjie on behalf of the admin team.")


def test_a_byline_the_archive_marked_blameful_is_reported() -> None:
    model = packaged_model()
    byline = "**Authors:** Ken Li and @dana"
    assert not Checker(model=model, threshold=model.threshold).check(byline)
    marked = Checker(model=model, threshold=model.threshold, examples={normalise(byline): 1})
    assert [hit.code for hit in marked.check(byline)] == ["BL010"]


def test_blame_after_a_byline_is_reported(archive: Path, run_cli: RunCli) -> None:
    text = (
        "Created by: [Ken Li](https://example.com/ken)\n\nKen Li, Ignoring Every Alert As Usual.\n"
    )
    found = _lint_stdin(run_cli, archive, text)
    assert [(d["line"], d["code"]) for d in found] == [(3, "BL010")]
    assert not _lint_stdin(run_cli, archive, text.split("\n\n")[0] + "\n")


@pytest.mark.parametrize(
    ("record", "person_named"),
    [
        ("## Appendix\n\n### #ops chat logs\n\n", True),  # people talk to each other there
        ("## Slack thread\n\n", True),
        ("### 07:35 - Pods pending\n\n", True),  # a timeline entry as a heading
        ("Created by: ", True),  # bylines
        ("**Authors:** ", True),
        ("## Root cause\n\n", False),
        ("## Chat about the root cause\n\n", False),
    ],
)
def test_transcripts_bylines_and_timed_headings_need_the_model_to_be_surer(
    record: str, person_named: bool
) -> None:
    model = packaged_model()
    candidates = [
        "Dana paged the whole database team.",
        "Dana paged the database team.",
        "Dana rolled back her own change.",
    ]
    # The line as the model reads it, scored just over the threshold and under the surer one.
    probability, text = max(
        (p, t)
        for p, t in (
            (model.probability(record.split("\n")[-1] + c), record + c) for c in candidates
        )
        if p < SURER - 0.05
    )
    assert probability > 0.1
    checker = Checker(model=model, threshold=probability - 0.05)
    found = [hit.code for _, _, hit in check_markdown(text + "\n", checker=checker)]
    assert found == ([] if person_named else ["BL010"])


@pytest.mark.parametrize(
    "elsewhere",
    [
        "The change came from the branch `marcus-hotfix`, built on marcus-laptop.",
        "Contact: marcus.webb@example.com",
        "> <marcus> yeah i skipped the checklist",
        "```\ngit log --author=marcus\n```",
        "Marcus's database migration locked the orders table.",
        "Support staff were paged at noon.",
    ],
)
def test_a_person_blamed_stays_blamed_whatever_else_the_record_says(
    archive: Path, run_cli: RunCli, elsewhere: str
) -> None:
    blame = "Marcus ignored the review checklist and pushed the migration straight to production."
    found = _lint_stdin(run_cli, archive, "## Cause\n\n" + blame + "\n\n" + elsewhere + "\n")
    assert 3 in {d["line"] for d in found}


def test_a_sentence_that_opens_with_an_organisation_is_still_a_sentence() -> None:
    checker = _shipped_checker()
    text = "Acme engineers joined the bridge. Acme said Marcus broke it, as usual."
    named = frozenset({"Acme"})
    assert [text[h.start : h.end] for h in checker.check(text, organisations=named)] == [
        text[h.start : h.end] for h in checker.check(text, organisations=frozenset())
    ]


def test_a_hostile_capitalised_word_is_a_finding_or_nothing_never_a_crash(
    archive: Path, run_cli: RunCli
) -> None:
    line = "Dave broke it. A" + "a" * 5000 + " engineers fixed it. " * 3
    result = run_cli(
        archive, "lint", "--select", "BL", "-", "--stdin-filename", "x.md", input=line + "\n"
    )
    assert result.exit_code in (0, 1) and "Traceback" not in result.output


def test_the_writer_speaking_in_the_first_person_is_nobody_to_blame() -> None:
    model = packaged_model()
    for line in ("I think I see the bug", "my best guess is yes", "i will look at the code"):
        assert model.probability(line, needs_target=True) == 0.0
    assert model.probability("I think he broke it", needs_target=True) > 0.0


def test_a_sentence_that_names_nobody_reads_as_blame_only_when_the_model_is_all_but_sure() -> None:
    model = packaged_model()
    sure = "Sure, let us just hand-edit the routing table in production, what could go wrong."
    unsure = "The rollback was, once again, left until the last possible minute."
    for line in (sure, unsure):  # no person, pronoun, role or team the gate can read
        assert not model._names_someone(model._read(line, frozenset())[2])
        assert not implies_target(line)
    weighed = model.probability(sure, needs_target=True, untargeted=UNTARGETED)
    assert weighed == model.probability(sure) >= UNTARGETED
    assert model.probability(sure, needs_target=True) == 0.0  # by default, not weighed
    assert [hit.code for hit in _shipped_checker().check(sure)] == ["BL010"]
    assert UNTARGETED > model.probability(unsure) >= model.threshold
    assert model.probability(unsure, needs_target=True, untargeted=UNTARGETED) == 0.0
    assert _shipped_checker().check(unsure) == []


@pytest.mark.parametrize(
    "text",
    [
        "It broke again.",  # too short to say whom it is about
        "## The Alerts Were Ignored Again On Friday Night",  # a heading
        "| Action | Responsible | Status | Again |",  # a table's header
        "| Broken Again, Third Time This Month | Status |",  # a table row
        "Down again \u2014 third time.",  # four words and a dash
        "- [The Same Mistake Again, Third Time This Month](https://example.com/w)",  # a reference
    ],
)
def test_only_a_sentence_of_prose_that_names_nobody_is_weighed_whole(text: str) -> None:
    model = packaged_model()
    assert not model._names_someone(model._read(text, frozenset())[2])
    assert model.probability(text) >= UNTARGETED  # what the model reads, were it weighed whole
    assert _shipped_checker().check(text, heading=text.startswith("#")) == []


def test_common_words_are_those_two_writers_write_in_lower_case() -> None:
    texts = ["restic skipped it", "lchen pushed it", "lchen broke it", "then restic failed"]
    assert training.common_words(texts, ["w1", "w1", "w1", "w2"]) == {"restic"}
    # One writer's handle is known once used twice, yet is no common word.
    assert "lchen" in training.known_words(texts, ["a", "b", "c", "d"])


def test_the_model_common_words_are_known_words_too() -> None:
    """A name two writers write in lower case ("thanks ravi") stays unknown, and so uncommon."""
    model = packaged_model()
    assert model.common <= model.known


@pytest.mark.parametrize(
    "text",
    [
        "zpetrovic broke the seat maps",
        # Handles that one writer of the corpus also used: known words, yet not common ones.
        "lchen broke the seat maps",
        "kzhang skipped the canary again.",
        "Checkout went down because tkarimi skipped the canary",
        "14:05 mkowalski pushed the config",
        "[02:58] zhuang needed a diagram to find the restart button",
        "rbalogun couldn't wait for the lock",
        "rbalogun can't be trusted with the console",
        "- 21:00 EAT zpetrovic ignored the alert",
        "The canary failed because tkarimi skipped.",
        "If tkarimi had read the runbook, none of this would have happened.",
        "mkowalski's change went out",  # an owner
        "Yet again, kchen's regex ate the SKU suffixes.",
        "R.S. pushed the config at 09:31",  # initials
        "That's five incidents for (K.W.) since March.",
        "That's five incidents for (K.W.).",
        "(kchen's regex) ate the SKU suffixes, same as last month.",
        "Once again the culprit was kchen's.",
        "kchen's been skipping the canary all week.",  # "'s" for "has": the same person
    ],
)
def test_a_bare_handle_or_initials_may_mean_someone(text: str) -> None:
    assert bare_person(text, packaged_model().common)


@pytest.mark.parametrize(
    "text",
    [
        "the proxy restarted after the deploy",  # words the model knows
        "kafka3 lost its leadership",  # a host named after a word
        "keiko: is that the same backup?",  # a speaker's label
        "The failover left pgpool stalled",  # no subject
        "It made a request, zorblat lower-cased it",  # after a comma
        "wal_level was still minimal",  # a setting
        "it's what the pager said",  # a known word's contraction
        "The U.S. region failed over at 9 A.M.",  # abbreviations, not initials
        "The C.E.O. signed off the status page text at 09:00 U.T.C.",
        "e.g. the v1.2.3 release",
        "nginx dropped the idle connections",  # a tool several writers name in lower case
    ],
)
def test_a_lower_case_word_elsewhere_means_nobody(text: str) -> None:
    assert not bare_person(text, packaged_model().common)


@pytest.mark.parametrize(
    "sentence",
    [
        "mkowalski pushed the broken config again and took checkout down.",
        "Checkout went down because tkarimi skipped the canary, again.",
        "- 14:05 dpatel ignored the disk alert for the third time tonight",
    ],
)
def test_blame_of_a_bare_handle_is_weighed_and_flagged(sentence: str) -> None:
    assert [hit.code for _, _, hit in check_markdown(sentence, checker=_shipped_checker())] == [
        "BL010"
    ]


@pytest.mark.parametrize(
    "sentence",
    [
        "Once again it was dbarros's cron change that took billing down.",
        "That makes four outages for J.K. this quarter, all of them config pushes.",
    ],
)
def test_blame_of_an_owner_in_lower_case_or_of_initials_is_flagged(sentence: str) -> None:
    assert [hit.code for _, _, hit in check_markdown(sentence, checker=_shipped_checker())] == [
        "BL010"
    ]


@pytest.mark.parametrize(
    "sentence",
    [
        "pgpool's health check marked the replica down after the partition.",
        "restic's prune step skipped the locked snapshots, so the bucket kept growing.",
        "We paged M.O. at 03:10 and she rolled back the release at 03:25.",
        "The U.S. region failed over at 9 A.M. as planned.",
    ],
)
def test_a_tool_as_owner_or_initials_doing_ordinary_work_is_not_flagged(sentence: str) -> None:
    assert check_markdown(sentence, checker=_shipped_checker()) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "pgpool marked every backend down after the network partition.",
        "patroni promoted the replica once the leader key expired.",
        "minio lost quorum when two of the four nodes went offline.",
        "- 14:05 zhuang restarted the ingest workers and lag started to fall",
    ],
)
def test_a_tool_or_person_in_lower_case_doing_ordinary_work_is_not_flagged(sentence: str) -> None:
    model = packaged_model()
    assert bare_person(sentence, model.common)  # weighed, not passed over
    assert check_markdown(sentence, checker=_shipped_checker()) == []


@pytest.mark.parametrize(
    ("sentence", "flagged"),
    [
        ("Some of us did warn about the disk quota in the spring planning meeting.", True),
        ("As I have said in every retro this year, the backup job was never tested.", True),
        ("Per my ticket from June, which nobody opened, the token was about to expire.", True),
        # The same words pointing at the document, or at the responders neutrally.
        ("As I mentioned above, the cache is rebuilt on every deploy.", False),
        ("Some of us stayed on the bridge until the backlog cleared.", False),
        ("Noting for the record that the backup completed at 04:10.", False),
    ],
)
def test_a_passive_aggressive_aside_points_at_someone_without_naming_them(
    sentence: str, flagged: bool
) -> None:
    """'Some of us did flag this' names nobody, yet it is aimed at someone: the model reads it."""
    assert bool(_shipped_checker().check(sentence)) is flagged


def test_every_aside_that_points_at_someone_passes_the_quick_test() -> None:
    asides = [
        "Some of us did flag it", "A few of us actually read it", "Several of us did raise it",
        "the rest of us have pointed out", "As I mentioned in review", "as I've said", "As I have warned",
        "As was pointed out, twice,", "as has been said repeatedly", "As previously noted, twice",
        "as already flagged more than once", "Not to repeat myself", "not to belabour it",
        "just saying", "the night shift", "the B-shift", "the B shift", "the help desk",
        "the Service-Desk", "A few of us flagged", "Some of\nus did flag it",
        "- Some of\n  us did flag it", "Some of\tus did flag it",
    ]  # fmt: skip
    for aside in asides:
        assert IMPLIED_TARGET.search(aside), aside
        assert implies_target(aside), aside


def test_ordinary_prose_with_the_words_of_an_aside_points_at_no_one() -> None:
    for sentence in (
        "Per my earlier email to customers, the API stayed read-only for two hours.",
        "Friendly reminder, the change freeze starts on Friday.",
        "Some of us read the logs while others restarted the service.",
        "Noting this again: the affected region was eu-west-1 only.",
        "We have fixed the root cause, hopefully for the last time.",
        "It should go without saying that customer data was never at risk.",
    ):
        assert not IMPLIED_TARGET.search(sentence), sentence


def test_what_points_at_someone_without_naming_them() -> None:
    assert implies_target("As was pointed out, twice, in #platform, the image had no pins.")
    assert implies_target("A few of us did raise this in March.")
    assert not implies_target("As previously mentioned in the summary, no data was lost.")
    assert not implies_target("The rest of the fleet recovered on its own.")


@pytest.mark.parametrize(
    ("sentence", "flagged"),
    [
        ("Typical night shift: alarms acknowledged, nothing checked.", True),
        ("The volunteers broke the build for the third time this month.", True),
        ("Kudos to the weekend shift for finding a new way to take down the scanner fleet.", True),
        ("The night shift restarted the conveyor at 02:10 and the line recovered.", False),
        ("A shift in load meant the backups were never verified again.", False),
        ("Thanks to the volunteers who tested the release candidate.", False),
        ("The help desk received 40 calls in the first hour.", False),
    ],
)
def test_people_named_by_occupation_or_shift_are_read(sentence: str, flagged: bool) -> None:
    assert bool(_shipped_checker().check(sentence)) is flagged


def test_thanks_to_all_the_contributors_is_not_flagged() -> None:
    sentence = "Thanks to all the contributors who tested the release candidate."
    assert not _shipped_checker().check(sentence)


@pytest.mark.parametrize(
    ("sentence", "rule"),
    [
        ("The team decided not to restore from backup; the replica was more recent.", "BL008"),
        ("- Runbook should have covered replaying from a fixed offset", "BL002"),
        ("The scheduler punishes noisy tenants by lowering their priority.", "BL009"),
    ],
)
def test_a_rule_reading_someone_at_fault_yields_where_the_model_is_all_but_sure_of_no_blame(
    sentence: str, rule: str
) -> None:
    model = packaged_model()
    assert rule in {hit.code for hit in check_text(sentence)}  # the rule alone matches
    assert model.probability(sentence) < prose.VETO
    assert not _shipped_checker().check(sentence)
    # The organisation's own label, and the rules without the model, still report it.
    marked = Checker(model=model, threshold=model.threshold, examples={normalise(sentence): 1})
    assert rule in {hit.code for hit in marked.check(sentence)}
    assert rule in {hit.code for hit in Checker().check(sentence)}


def _found_by_a_model_sure_of_no_blame(sentence: str) -> set[str]:
    """The codes lint reports for the sentence with a model that reads no sentence as blame."""
    sure_of_none = BlameModel(_small_model(intercept=-30.0), "sure of no blame")
    return {hit.code for hit in Checker(model=sure_of_none).check(sentence)}


@pytest.mark.parametrize(
    ("sentence", "rule", "yields"),
    [
        (
            "Nobody reads the runbook, and Tom broke the deploy because he never checks.",
            "BL001",
            True,
        ),
        ("Dana should have checked the replica before the failover.", "BL002", True),
        ("The careless config change took the cache down.", "BL004", True),
        ("Certain people knew about the expiry and said nothing.", "BL007", True),
        ("The platform team broke the deploy again.", "BL008", True),
        ("Action item: Ken must be more careful with production.", "BL009", True),
        ("The build cache obviously served a partially written layer.", "BL003", False),
        ("Root cause: human error during the config change.", "BL005", False),
        ("The migration was a total disaster from start to finish!!!", "BL006", False),
    ],
)
def test_only_the_rules_that_read_someone_at_fault_yield_to_the_model(
    sentence: str, rule: str, yields: bool
) -> None:
    """A model sure of no blame anywhere silences the rules that read someone at fault; hindsight,
    "human error" and mocking are reported whoever they are about (but for a word said in passing
    in a sentence of the present: see test_a_word_said_in_passing_stands_in_a_sentence_that_tells_
    of_the_past)."""
    assert rule in {hit.code for hit in check_text(sentence)}
    assert (rule in _found_by_a_model_sure_of_no_blame(sentence)) is not yields


@pytest.mark.parametrize(
    ("sentence", "rule"),
    [
        ("Needless to say, the device is used for nothing other than signing releases.", "BL003"),
        ("There's obviously a lot we need to do to spot attacks sooner.", "BL003"),
        (
            "Of course there are services that absorb such attacks, but they cost thousands a "
            "month.",
            "BL006",
        ),
        ("This is clearly wrong for a stream that holds one record at a time.", "BL003"),
    ],
)
def test_a_word_said_in_passing_in_the_present_yields_to_the_model(
    sentence: str, rule: str
) -> None:
    """ "Obviously", "needless to say" and "of course" are hindsight or sarcasm only with some of
    blame's tone: in a sentence of the present the model reads as blaming no one, they are not
    reported. The archive's own label, and the rules without the model, still report them."""
    model = packaged_model()
    assert rule in {hit.code for hit in check_text(sentence)}
    assert model.probability(sentence) < prose.DISCOURSE
    assert not _shipped_checker().check(sentence)
    explained = _shipped_checker().explain(sentence)
    assert [hit.code for hit in explained.cleared] == [rule]
    assert "said in passing" in explained.as_text()
    marked = Checker(model=model, threshold=model.threshold, examples={normalise(sentence): 1})
    assert rule in {hit.code for hit in marked.check(sentence)}
    assert rule in {hit.code for hit in Checker().check(sentence)}


@pytest.mark.parametrize(
    ("sentence", "rule", "cleared"),
    [
        # Told of the past: looking back is what makes them hindsight or a sneer.
        ("The build cache obviously served a partially written layer.", "BL003", False),
        ("Of course the deploy went out at 4:55 pm on a Friday.", "BL006", False),
        ("Needless to say, nobody had tested the restore.", "BL003", False),
        ("Needless to say, this would not have happened had we patched Jenkins.", "BL003", False),
        ("Obviously, the cache was going to serve a partial layer to the build.", "BL003", False),
        ("Of course, the payments team did it again.", "BL006", False),
        ("Clearly nobody tested the migration before the release.", "BL003", False),
        ("Needless to say, Dave never tested the restore.", "BL003", False),
        ("Of course Sarah Manning merged the change to the pool limits.", "BL006", False),
        ("Of course, like Kelly, Emily merged the change to the pool limits.", "BL006", False),
        ("Of course Ken set the TTL of the records to a day.", "BL006", False),
        ("Of course Sarah force-merged the change to the pool limits.", "BL006", False),
        ("Needless to say, the token has been rotated by the on-call.", "BL003", False),
        # Said of someone, whatever the tense: just before or after the word.
        (
            "Of course Priya never checks the retry budget of the settlement service.",
            "BL006",
            False,
        ),
        ("Of course the platform team does not review changes to the gateway.", "BL006", False),
        (
            "Priya obviously never checks the retry budget of the settlement service.",
            "BL003",
            False,
        ),
        (
            "Clearly he never checks the replication lag of the clusters in eu-west-1.",
            "BL003",
            False,
        ),
        ("Clearly no one on that rota reads the disk alerts of the Ceph cluster.", "BL003", False),
        (
            "Ken, who owns the ledger database, obviously never tests the restore path.",
            "BL003",
            False,
        ),
        (
            "Priya never checks the replication lag of the clusters in eu-west-1, obviously.",
            "BL003",
            False,
        ),
        ("Of course the restore drill has been forgotten since the migration.", "BL006", False),
        # A role, a team or a handle anywhere in the sentence.
        (
            "Of course the pinning breaks on every rotation because the mobile developers ignore "
            "the schedule.",
            "BL006",
            False,
        ),
        (
            "Needless to say, we are moving the service away from the team that owns it.",
            "BL003",
            False,
        ),
        ("Needless to say, Priya's team ignored the alerts.", "BL003", False),
        ("Of course, that caused the outage.", "BL006", False),
        ("Of course, Dave has ignored the freeze three times.", "BL006", False),
        ("Of course, Dave used the old runbook.", "BL006", False),
        # Of the present: a participle after "be" or "have", an adjective, a compound.
        ("Needless to say, SSH is no longer exposed to the internet.", "BL003", True),
        ("Of course, we've got a runbook for that one now.", "BL006", True),
        ("Of course there are protections for UDP-based games, at a price.", "BL006", True),
        ("Obviously, the signed binaries stay on the build host.", "BL003", True),
        ("Needless to say, the rollback is already used by every service.", "BL003", True),
        ("Of course, it's deployed to every region first.", "BL006", True),
        ("Needless to say, we run it with automated tests only.", "BL003", True),
        ("Obviously, our fully automated pipeline catches this kind of bug.", "BL003", True),
        ("Of course, these encrypted backups are stored in a second region.", "BL006", True),
        # "As usual" is most often said of someone, and then it stands.
        ("The moderators, as usual, lock threads instead of fixing anything.", "BL006", False),
        ("Schäfer, as usual, starts the run before the lot is released.", "BL006", False),
        ("As usual, the deploy went out without a review.", "BL006", False),
        # The writers' own deed, told just after the marker.
        ("And of course we added regression tests for this exact error.", "BL006", True),
        # ... whatever its verb, and after an object put first.
        ("And of course the ones we forked we also pinned to a commit.", "BL006", True),
        ("Needless to say, we were glad the replica caught up before the peak.", "BL003", True),
        ("And of course the backup had not been tested since the migration.", "BL006", False),
        ("Of course we asked Dave, who ignored it again.", "BL006", False),
        # ... but not when someone else is named, wherever in the sentence.
        (
            "And of course the ones we inherited from Dave we also had to rewrite from scratch.",
            "BL006",
            False,
        ),
        (
            "Of course after we restored the cache cluster and rebuilt the search index, Dave "
            "pushed the same change again.",
            "BL006",
            False,
        ),
        (
            "Needless to say, we had to roll back the deployment and restore the cache cluster "
            "from the snapshot that Marco took.",
            "BL003",
            False,
        ),
        # ... a handle written without its @ too, as the subject of a clause.
        (
            "Of course we then spent the next four hours rebuilding the replica set and the search "
            "index from the snapshot that jdoe had deleted.",
            "BL006",
            False,
        ),
        (
            "Of course we discovered this only after restoring the primary, rebuilding both "
            "replicas and re-running the nightly export that mkowalski had disabled.",
            "BL006",
            False,
        ),
        # Of a system's way, in passing.
        (
            "Because the wallet does not warn about a repeated address, the exchange will, as "
            "usual, credit the sender with the full amount.",
            "BL006",
            True,
        ),
    ],
)
def test_a_word_said_in_passing_stands_in_a_sentence_that_tells_of_the_past(
    sentence: str, rule: str, cleared: bool
) -> None:
    assert rule in {hit.code for hit in check_text(sentence)}
    assert (rule not in _found_by_a_model_sure_of_no_blame(sentence)) is cleared


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("`@jhkim` merged it", " @jhkim  merged it"),
        ("`@dana`'s deploy", " @dana's  deploy"),
        ("`@priya-r` pushed", " @priya-r  pushed"),
        ("`priya_k` pushed", " priya_k  pushed"),
        ("`t.okoro` typed", " t.okoro  typed"),
        # Code stays code: identifiers, methods, files, scopes, decorators, annotations, tags,
        # versions, aliases, and a program's name alone.
        ("`tx_hash` was empty", None),
        ("`r.status` was empty", None),
        ("`app.py` failed", None),
        ("`gopher.y` and `main.c` and `util.h`", None),
        ("`inbox.ru` was blocked", None),
        ("`@types/node` broke", None),
        ("`@property` getter", None),
        ("`@Override` and `@Transactional`", None),
        ("`@latest` and `@1.2.3`", None),
        ("`@sre-team` was paged", None),
        ("`@memoized` results", None),
        ("`restic` skipped", None),
        ("``@x`` y", None),
        ("`kubectl rollout undo` by @dana", None),
    ],
)
def test_a_handle_written_as_code_is_read_as_written_bare(text: str, read: str | None) -> None:
    unquoted = unquote_handles(text, packaged_model().common)
    assert unquoted == (text if read is None else read)
    assert len(unquoted) == len(text)  # offsets stay valid


@pytest.mark.parametrize(
    ("text", "blame"),
    [
        ("- Strike four for `j.osei` on the billing export.", True),
        ("Conclusion: the fault is `@r-tanaka`'s alone.", True),
        ("Thanks to `@adaeze` for keeping the site managers informed.", False),
        ("- `@mfolau` took notes and `b.ionescu` worked the queue.", False),
        ("The `tx_hash` column of `ledger.py` was empty for an hour.", False),
        ("The `@property` getter hits the database on every call.", False),
        ("The `@1.2.3` pin breaks once the registry deletes the version.", False),
        ("The grammar in `gopher.y` breaks on empty input.", False),
        ("`main.c` ignores the return value of `write`, so the error goes unnoticed.", False),
    ],
)
def test_who_a_handle_written_as_code_names_is_weighed(text: str, blame: bool) -> None:
    """On GitHub a handle is written as code so that its owner is not notified."""
    assert bool(_shipped_checker().check(text)) is blame


def test_the_writers_own_deed_after_a_marker_is_still_weighed_by_the_model() -> None:
    """Told just after "of course", it does not stand for the past alone; the model still reads
    what was done."""
    assert "BL006" in {
        hit.code for hit in _shipped_checker().check("Of course we ignored the alerts for an hour.")
    }
    assert (
        _shipped_checker().check("And of course we added regression tests for this exact error.")
        == []
    )
    # Whatever the writers did, and with an object put first; the model still reads what a
    # writer says in the first person ("I had to redo it all myself").
    assert (
        _shipped_checker().check("And of course the ones we forked we also pinned to a commit.")
        == []
    )
    assert "BL006" in {
        hit.code for hit in _shipped_checker().check("Of course I had to redo it all myself.")
    }
    # Someone else named makes the marker stand, however low the model scores the sentence.
    sentence = (
        "As usual, we had to rebuild the replica from the nightly snapshot and replay the "
        "write-ahead log, while Dave was on holiday."
    )
    assert "BL006" in {hit.code for hit in _shipped_checker().check(sentence)}


def test_a_track_record_that_is_not_a_good_one_reads_as_blame() -> None:
    """The model reads the tally the rules leave to it ("a good one" is no ironic praise)."""
    sentence = "His track record is not a good one: three outages this quarter."
    assert check_text(sentence) == []
    assert {hit.code for hit in _shipped_checker().check(sentence)} == {"BL010"}


@pytest.mark.parametrize(
    ("sentence", "rule"),
    [
        ("Obviously the best time to rotate the keys is during peak checkout.", "BL003"),
        # The marker is the sarcasm: the rest of the sentence alone reads as no blame.
        ("Needless to say, testing in staging is for the weak.", "BL003"),
        ("Of course the feature flag defaults to on in production, what could go wrong.", "BL006"),
        ("Obviously the migration script has no down step; going back is for quitters.", "BL003"),
    ],
)
def test_sarcasm_of_the_present_still_reads_as_blame_to_the_model(sentence: str, rule: str) -> None:
    """The model weighs the sentence with its marker, which carries the sarcasm."""
    assert packaged_model().probability(sentence) >= prose.DISCOURSE
    assert rule in {hit.code for hit in _shipped_checker().check(sentence)}


@pytest.mark.parametrize(
    "sentence",
    [
        "We should have fired Dave.",
        "We should have fired Dave on the spot.",
        "Honestly, they should have sacked Priya immediately.",
        "We should have fired the platform team.",
        "We should have fired the on-call engineer.",
        "We should have fired Dave months ago.",
        "We should have fired Priya straight away.",
        # Meant, not only wished.
        "We should fire Dave.",
        "We will fire dave.li today.",
        "We'll fire the on-call engineer.",
        "We need to sack the intern.",
        "I'd fire Dave, honestly.",
        "We should fire Dave at once.",
        "We're going to fire Dave.",
        "We will fire Dave at the end of the month.",
        "We should fire Dave for this.",
        "We should fire Dave and Priya.",
        "We will fire Dave unless he improves.",
        "We should have fired Dave the same day.",
        "This isn't about blame but we should fire Dave.",
    ],
)
def test_a_wish_to_have_fired_someone_stands_whatever_the_model_reads(sentence: str) -> None:
    """The model weighs "fired" as alerting ("the alert fired"), so its veto would clear the
    wish; the pattern is narrow enough to stand on its own."""
    assert "BL009" in _found_by_a_model_sure_of_no_blame(sentence)
    assert "BL009" in {hit.code for hit in _shipped_checker().check(sentence)}
    explained = _shipped_checker().explain(sentence)
    assert not explained.cleared


@pytest.mark.parametrize(
    "sentence",
    [
        "The replica lag alert fired at 02:10 and the failover script promoted the standby, and "
        "Priya should have enabled fencing when she set up the cluster.",
        "The index rebuild started at 03:00 on the reporting replica, queries slowed across the "
        "cluster, and the nightly export timed out during the index rebuild, which Tom scheduled "
        "without checking the calendar.",
    ],
)
def test_blame_in_one_clause_of_a_long_technical_sentence_is_still_reported(
    sentence: str,
) -> None:
    """The whole sentence scores under the veto, its clause of blame does not."""
    assert packaged_model().probability(sentence) < prose.VETO
    assert {hit.code for hit in _shipped_checker().check(sentence)} & prose.VETOED


@pytest.mark.parametrize(
    ("sentence", "rule"),
    [
        (
            "The network operations crew behaved irresponsibly from the first alert to the last.",
            "BL004",
        ),
        (
            "- The build cache obviously served a partially written layer, so the image that "
            "passed the build step differed from the one that was tested.",
            "BL003",
        ),
        ("Root cause: human error during the config change.", "BL005"),
    ],
)
def test_blame_and_the_language_of_blame_are_still_reported(sentence: str, rule: str) -> None:
    """Hindsight and "human error" are reported even where no one is blamed: the model is all
    but sure the hindsight about a build cache blames no one."""
    assert rule in {hit.code for hit in _shipped_checker().check(sentence)}


def test_explain_says_which_rule_match_is_not_reported_and_why(
    archive: Path, run_cli: RunCli
) -> None:
    sentence = (
        "The team decided not to restore from backup. The replica was more recent, and Bob is an "
        "idiot who should have known better."
    )
    result = run_cli(archive, "blameless", "explain", sentence)
    lines = result.stdout.splitlines()
    cleared = lines.index(next(line for line in lines if line.startswith("rule BL008")))
    assert "not reported" in lines[cleared + 1] and "all but sure" in lines[cleared + 1]
    assert any(line.startswith("reported BL004") for line in lines)
    assert sum("not reported:" in line for line in lines) == 1


@pytest.mark.parametrize(
    ("message", "reported"),
    [
        ("> stevekuznetsov [10:32 AM]\nlmao\n:facepalm:", False),
        ("> Katharine [8:57 AM]\nugh, this is not right\nrolling back", False),
        ("> dana [9:04 AM]\nlol what happened?!!", False),
        ("> dana [9:04 AM]\nlol, Marcus broke prod again, as usual, what an idiot", True),
    ],
)
def test_the_tone_of_a_chat_transcript_is_quoted_and_blame_in_it_is_reported(
    message: str, reported: bool
) -> None:
    """What people typed in the channel at the time keeps its interjections; calling someone an
    idiot in it, and "as usual", are still blame. Outside the transcript, the same interjections
    are BL006."""
    checker = _shipped_checker()
    chat = "## Appendix\n\n### #ops chat logs\n\n" + message + "\n"
    in_chat = check_markdown(chat, checker=checker)
    assert bool(in_chat) is reported
    tone = [chat[hit.start : hit.end].lower() for _, _, hit in in_chat if hit.code == "BL006"]
    assert not [
        span for span in tone if span.strip(":!? ,") in ("lol", "lmao", "ugh", "facepalm", "")
    ]
    narrated = check_markdown("## Summary\n\n" + message + "\n", checker=checker)
    assert "BL006" in {hit.code for _, _, hit in narrated}


@pytest.mark.parametrize(
    ("sentence", "model_reads_blame"),
    [
        (
            "Once again, the status.example.org team sincerely apologises for the degraded service.",
            True,
        ),
        ("Once more, the platform team is sorry for the long outage on Friday.", True),
        ("The whole ops team wants to apologise to every customer whose builds failed.", True),
        # The model alone reads these as no blame.
        ("The entire SRE team is deeply sorry for the trouble this caused.", False),
        (
            "All of us on the Payments team would like to apologize for the impact of this outage.",
            False,
        ),
    ],
)
def test_the_writers_apologising_in_their_teams_name_own_the_incident(
    sentence: str, model_reads_blame: bool
) -> None:
    """Organisation-level ownership, as "we apologise" is: the model alone may read a team and
    an apology as blame of the team."""
    model = packaged_model()
    assert (model.probability(sentence) >= model.threshold) is model_reads_blame
    assert not _shipped_checker().check(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "The platform team should apologise to every customer for breaking checkout again.",
        "The DBA team is sorry their migration ate the weekend, again.",
        "Action item: require the SRE team to apologise in person to the support floor.",
        "Dave apologised for breaking the build again.",
        "The whole ops team is sorry that certain people still skip the checklist.",
        "We apologise that Dave ignored the alert for an hour.",
    ],
)
def test_an_apology_demanded_of_someone_or_turned_into_a_jab_is_still_blame(sentence: str) -> None:
    assert _shipped_checker().check(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "I need to be more careful with my own release checklist.",
        "I'm going to be more careful about reviewing my own Terraform plans.",
        "I'll be more careful to double-check the region before running destructive commands.",
    ],
)
def test_the_writers_own_resolve_to_take_care_is_no_blame_for_the_model(sentence: str) -> None:
    """The model is all but sure these blame (0.9 or more), naming nobody; BL009 leaves the
    writers' own resolve alone, and so does the model, and explain says why."""
    checker = _shipped_checker()
    assert packaged_model().probability(sentence) >= 0.9
    assert not checker.check(sentence)
    assert "the writers' own apology, lesson or resolve" in checker.explain(sentence).as_text()


@pytest.mark.parametrize(
    "sentence",
    [
        "I need to be more careful, and the night shift needs to be far more careful.",
        "We need to be more careful, Dave.",
        "We have learned to be extra careful with anything Oluwaseun writes.",
        # A group no list names, after the care: the model still weighs it.
        "We need to be more careful with whatever the night shift merges.",
        "We need to be more careful with what they push.",
    ],
)
def test_the_writers_resolve_that_names_someone_else_is_still_blame(sentence: str) -> None:
    assert _shipped_checker().check(sentence)


@pytest.mark.parametrize(
    "sentence",
    ["We will keep an eye on Dave.", "We need to keep closer tabs on Dave."],
)
def test_watching_someone_as_the_action_stands_whatever_the_model_reads(sentence: str) -> None:
    """The model is all but sure these blame no one (under 0.02): the rule names the action."""
    assert packaged_model().probability(sentence) < 0.02
    assert {hit.code for hit in _shipped_checker().check(sentence)} == {"BL009"}


def test_a_product_the_record_shows_is_no_handle_when_read_in_lower_case(
    archive: Path, run_cli: RunCli
) -> None:
    """The record shows Holesky to be a testnet, so it is read in lower case; "holesky's" is then
    no unknown handle's possessive ("kchen's regex") that would make the sentence weighed."""
    line = "- Holesky's deposit contract address should be `0x4242424242424242`"
    assert not _lint_stdin(run_cli, archive, "The Holesky testnet halted.\n\n" + line + "\n")
    blame = "- Holesky forgot to check the deposit contract again, as usual."
    assert _lint_stdin(run_cli, archive, "The Holesky testnet halted.\n\n" + blame + "\n")


@pytest.mark.parametrize(
    "sentence",
    [
        "The alert should have fired the on-call page within a minute.",
        "PagerDuty should have fired the on-call rotation.",
        "The probe should have fired the developer webhook.",
        "The alert should fire the on-call a page.",
        "The probe will fire the developer webhook.",
        "We'll fire the incident commander a summary every 30 minutes.",
        "We will fire the support team an email when the status page changes.",
        # Asked about or denied, not wished.
        "The question is not whether we should fire Dave, but why the guardrail was missing.",
        "Nobody is suggesting we should fire Dave.",
        "The question is not whether we're going to fire Dave.",
        "We aren't saying we'll fire Dave.",
        # A tool fired somewhere, a message fired at someone.
        "We will fire Locust in the load-test cluster.",
        "We'll fire Gatling scenarios nightly.",
        "We'll fire Priya the link once the doc is ready.",
        "We will fire the secondary on-call directly if the primary does not acknowledge.",
        "We should have fired Locust at the staging cluster first.",
    ],
)
def test_an_alert_that_should_have_fired_a_page_is_no_wish_to_fire_anyone(sentence: str) -> None:
    assert "BL009" not in {hit.code for hit in _shipped_checker().check(sentence)}


@pytest.mark.parametrize(
    "sentence",
    [
        "The DBA team is sorry for running the migration without telling anyone.",
        "Our QA team regrets letting the broken build through.",
        "We are sorry the on-call engineer ignored the page for forty minutes.",
        "The SRE team apologises on behalf of the developer who skipped the review.",
        "On behalf of those of us who actually read the runbook, we apologise.",
    ],
)
def test_an_apology_for_what_someone_did_is_weighed(sentence: str) -> None:
    assert _shipped_checker().check(sentence)


@pytest.mark.parametrize(
    "text",
    [
        "- [Prod taken down by Marcus](https://example.com/a)",
        "- [A bad deploy by Priya](https://example.com/a)",
        "## Lessons from the Slack thread\n\nThe rollout was a complete shitshow, thanks a lot Priya.",
        '+++\ntitle = "Dave broke prod again, as usual"\n+++\n\nText.',
        "> ```\n> kubectl delete ns prod\nDave was at it again, what an idiot.",
    ],
)
def test_blame_beside_what_is_left_out_is_still_reported(
    archive: Path, run_cli: RunCli, text: str
) -> None:
    assert _lint_stdin(run_cli, archive, text + "\n")


@pytest.mark.parametrize(
    "text",
    [
        "Props to jcarrasco for the fastest way yet to email the pay stubs to the wrong company.",
        "| Ramp closure | 2h 15m | Cause: fnavarro |",
        "The failover left pgpool stalled",  # a tool stands there as often: weighed all the same
        "This one is entirely on Payments.",
        "The missed deadline is entirely down to Research Computing.",
        "Thanks to Customer Care's macro, the rest of us spent Saturday apologising.",
    ],
)
def test_a_handle_or_a_unit_anywhere_may_mean_someone(text: str) -> None:
    model = packaged_model()
    assert loosely_named(text, model.common)


@pytest.mark.parametrize(
    "text",
    [
        "the proxy restarted after the deploy",  # words the model knows
        "kafka3 lost its leadership",  # a host named after a word
        "rohan: clearing the cache now",  # a speaker's label
        "wal_level was still minimal",  # a setting
        "The Alerts Were Ignored Again On Friday Night",  # title case: no unit stands out
        "the alerts Were ignored again",  # a function word left capitalised
        "Checkout went down at 14:02 UTC.",  # a capital opening the sentence
        "- 14:05 Payments rolled back the release",  # ... or a timeline entry
        "nginx dropped the idle connections on Monday",  # a tool several writers name
        "## third party disclosures",  # a rare word shaped like English: no handle
        "## Runbook ignored, again",  # a heading's first word opens it
        "- 14:06 UTC Runbook ignored, again, and the pager escalated",  # after a time and zone
        "- 2024-03-01 Runbook ignored, again, and the pager escalated",  # after a date
        "- 09:12 — Checklist skipped and the pager escalated",  # after a dash
        "[14:05] rohan: runbook ignored again, paging the secondary",  # labels after a time
        "**rohan:** runbook ignored again, paging the secondary",
        "> - rohan: runbook ignored again, paging the secondary",
        "The paragraphs that follow explain the cause more throughly.",
    ],
)
def test_a_known_word_a_label_or_a_capital_that_opens_means_nobody(text: str) -> None:
    assert not loosely_named(text, packaged_model().common)


@pytest.mark.parametrize(("coef", "weighed"), [(1.0, False), (5.0, True)])
def test_a_sentence_that_only_may_name_someone_needs_a_surer_score(
    coef: float, weighed: bool
) -> None:
    known = ["it", "was", "pushed", "by", "the", "proxy"]
    model = BlameModel(
        _small_model(
            known_words=known,
            vocabulary=known,
            features=["w pushed"],
            idf=[1.0],
            coef=[coef],
            intercept=0,
        ),
        "small",
    )
    sentence = "it was pushed by tkarimi"
    weight = model.probability(sentence)
    assert weight > model.threshold
    assert (weight >= LOOSELY_NAMED) is weighed
    assert model.probability(sentence, needs_target=True) == (weight if weighed else 0.0)
    assert model.probability("it was pushed by the proxy", needs_target=True) == 0.0


@pytest.mark.parametrize(
    "sentence",
    [
        # Each names no one by the other checks: only the loose reading lets it be weighed.
        "Going forward, Bioinformatics is not invited to LIMS change review meetings.",
        "No worries, the rest of us were happy to spend our Saturday fixing the change from "
        "Platform.",
        "| Ramp closure | 2h 15m | Cause: fnavarro |",
        "Thanks to tomasz92, every CMS site on 6.2 showed its readers a white screen for a day.",
    ],
)
def test_blame_of_a_team_or_a_handle_anywhere_is_flagged(sentence: str) -> None:
    assert [hit.code for _, _, hit in check_markdown(sentence, checker=_shipped_checker())] == [
        "BL010"
    ]


@pytest.mark.parametrize(
    "sentence",
    [
        "Traffic moved to Fastly at 14:02 and the error rate fell within a minute.",
        "The failover left pgpool stalled until the health check timed out.",
        "Customer Care answered 400 calls while the status page stayed green.",
        "We paged the Payments on-call, who rolled back the release at 14:10.",
        "## Runbook ignored, again",
        pytest.param(
            "- 14:06 UTC Runbook ignored, again, and the pager escalated",
            marks=pytest.mark.xfail(
                strict=True,
                reason="known false alarm: 'ignored, again' scores 0.99, the bar for a line that "
                "names nobody (0.97 before the blogs' sentences were added)",
            ),
        ),
        "[14:05] rohan: runbook ignored again, paging the secondary",
    ],
)
def test_a_team_a_product_or_a_tool_doing_ordinary_work_is_not_flagged(sentence: str) -> None:
    assert check_markdown(sentence, checker=_shipped_checker()) == []


def test_skip_grams_pair_the_words_either_side_of_each_word() -> None:
    names = feature_names(["he", "sat", "on", "alert"])
    assert {"s #start sat", "s he on", "s sat alert"} <= set(names)
    assert not any(name.startswith("s ") and name.endswith(" he") for name in names)


@pytest.mark.parametrize(
    "line",
    [
        # A line that opens with a time says who did what; the model has to read it as blame.
        "- 4:59 Tobias deleted the read replica in an attempt to give the DB breathing room.",
        "**10:15** — @freya committed offset 88412031 to skip the poison message.",
        # The writers' own team owns what went wrong.
        "Our team is solely responsible and we dropped the ball, it bounced, and hit us in the "
        "face.",
        "We\u2019re sorry and promise to do better.",
    ],
)
def test_what_names_no_culprit_in_real_postmortems_is_left_alone(line: str) -> None:
    assert _shipped_checker().check(line) == []


@pytest.mark.parametrize(
    ("line", "code"),
    [
        # A handle written as code names its owner: the rules read it as a person.
        ("`ritu.s` ignored every warning the reconciliation job printed.", "BL001"),
        # A path as the subject, and blame of someone left unnamed.
        ("`config/prod.yaml` was hand-edited again by the usual culprit.", "BL010"),
        (
            "| 02:31 | Settlement batch aborted after Arjun overrode the cut-off | Arjun's fault |",
            "BL001",
        ),
        ("**14:02 UTC:** Dmitri breaks billing.", "BL001"),
        ("Our platform team dropped the ball, again.", "BL004"),
        ("Our team ignored the alerts for an hour, as usual.", "BL006"),
    ],
)
def test_the_same_shapes_with_a_culprit_are_still_reported(line: str, code: str) -> None:
    assert code in {hit.code for hit in _shipped_checker().check(line)}


def test_what_went_well_names_people_as_a_matter_of_course() -> None:
    """A section of what went well or of thanks names people for what they did: the model has to
    be surer there, as in the timeline, and blame there is still reported."""
    checker = _shipped_checker()
    praise = "- Femi's message in the market maker channel slowed the reconnect storm noticeably.\n"
    assert check_markdown(f"## What went well\n\n{praise}", checker=checker) == []
    assert check_markdown(f"## Summary\n\n{praise}", checker=checker) != []
    blame = "- Dave finally read the runbook, for once, after breaking prod again.\n"
    assert check_markdown(f"## What went well\n\n{blame}", checker=checker) != []
    sarcasm = "- Thanks to Dave for breaking prod on a Friday, again.\n"
    assert check_markdown(f"## Acknowledgements\n\n{sarcasm}", checker=checker) != []
    # Only a title that is all praise: not one that goes on to what went wrong.
    assert check_markdown(f"## What went well and what didn't\n\n{praise}", checker=checker) != []
    assert check_markdown(f"## Page acknowledgement\n\n{praise}", checker=checker) != []


def _trained_model(archive: Path, examples: list[training.Row], **metadata: object) -> Path:
    """A small model file recording what `blameless train` records of what it learnt from."""
    recorded = {
        "examples_sha256": training.examples_digest(examples),
        "shipped_sha256": hashlib.sha256(training.PACKAGED_PATH.read_bytes()).hexdigest(),
    }
    model = archive / ".incident-docs" / "blameless-model.json.gz"
    model.parent.mkdir(exist_ok=True)
    data = _small_model(metadata={**recorded, **metadata})
    model.write_bytes(gzip.compress(json.dumps(data).encode()))
    return model


def test_lint_and_explain_say_when_the_examples_changed_since_training(
    archive: Path, run_cli: RunCli
) -> None:
    config = archive / "pyproject.toml"
    configured = config.read_text() + '\n[tool.incident-docs.blameless]\nexamples = "ex.tsv"\n'
    config.write_text(configured)
    examples = archive / "ex.tsv"
    examples.write_text("text\tlabel\nThe bot ignored the freeze.\tblameless\n")
    _trained_model(archive, training.read_examples(archive, "ex.tsv"))
    # Trained on the file as it is (in any order): nothing to say.
    for args in (("lint", "--select", "BL"), ("blameless", "explain", "The disk filled.")):
        result = run_cli(archive, *args)
        assert "incident: warning" not in result.stderr, result.stderr
    examples.write_text(
        "text\tlabel\nThe bot ignored the freeze.\tblameless\nSam skipped it again.\tblameful\n"
    )
    stale = (
        "incident: warning: .incident-docs/blameless-model.json.gz was trained before ex.tsv "
        "changed: run `incident blameless train` to train it again\n"
    )
    lint = run_cli(archive, "lint", "--select", "BL")
    assert lint.exit_code == 0 and lint.stderr.startswith(stale), lint.stderr
    explain = run_cli(archive, "blameless", "explain", "The disk filled.")
    assert explain.exit_code == 0 and explain.stderr == stale
    # Not a blameless lint: nothing to say.
    assert "incident: warning" not in run_cli(archive, "lint", "--select", "FM").stderr
    config.write_text(configured.replace('examples = "ex.tsv"\n', ""))
    lint = run_cli(archive, "lint", "--select", "BL")
    assert "trained on examples the configuration no longer names" in lint.stderr


def test_explain_says_which_model_scored(archive: Path, run_cli: RunCli) -> None:
    shipped = run_cli(archive, "blameless", "explain", "Ken broke it.")
    assert "model file: none (the model shipped with incident-docs)\n" in shipped.stdout
    _trained_model(archive, [])
    own = run_cli(archive, "blameless", "explain", "Ken broke it.")
    assert "model file: .incident-docs/blameless-model.json.gz (the archive's own)\n" in own.stdout
    data = json.loads(run_cli(archive, "blameless", "explain", "--format", "json", "x y").stdout)
    assert data["model_file"] == ".incident-docs/blameless-model.json.gz"


def test_an_unusable_model_file_says_how_to_get_past_it(archive: Path, run_cli: RunCli) -> None:
    # Training will not write over a file that is no model, and lint failed on it saying only
    # that it was unusable.
    model = archive / ".incident-docs" / "blameless-model.json.gz"
    model.parent.mkdir()
    model.write_bytes(gzip.compress(b'{"format": "incident-docs/blameless-model"')[:-12])
    result = run_cli(archive, "lint", "--select", "BL")
    assert result.exit_code == 2
    assert result.stderr == (
        "incident: error: .incident-docs/blameless-model.json.gz: unusable blameless model: not "
        "a JSON model file (the gzip stream is cut short); remove it to use the shipped model, "
        "then run `incident blameless train` to train the archive's own again\n"
    )


@pytest.mark.parametrize(
    ("model_file", "says"),
    [
        ("people.yaml", "not a JSON model file (Expecting value: line 1 column 1 (char 0))"),
        ("ex.tsv", "not a JSON model file (Expecting value: line 1 column 1 (char 0))"),
        ("settings.json", "not a blameless model of version 2"),
    ],
)
def test_a_model_file_setting_that_names_no_model_is_not_said_to_be_removed(
    archive: Path, run_cli: RunCli, model_file: str, says: str
) -> None:
    # The roster, the examples file, another tool's JSON: removing it, as said for a broken
    # model, loses the file; the setting is what is wrong.
    (archive / "ex.tsv").write_text("text\tlabel\nKen broke it.\tblameful\n")
    (archive / "settings.json").write_text('{"indent": 2}\n')
    with (archive / "pyproject.toml").open("a") as handle:
        handle.write(
            f'\n[tool.incident-docs.blameless]\nexamples = "ex.tsv"\nmodel-file = "{model_file}"\n'
        )
    result = run_cli(archive, "lint", "--select", "BL")
    assert result.exit_code == 2
    assert result.stderr == (
        f"incident: error: {model_file}: unusable blameless model: {says}; it holds something "
        "other than a blameless model: set model-file under [tool.incident-docs.blameless] to a "
        "file of its own, where `incident blameless train` writes the archive's model\n"
    )


def test_lint_says_when_the_model_was_trained_from_another_release(
    archive: Path, run_cli: RunCli
) -> None:
    _trained_model(archive, [], shipped_sha256="0" * 64)
    lint = run_cli(archive, "lint", "--select", "BL")
    assert lint.exit_code == 0
    assert "was trained from another release's model" in lint.stderr
    # A model file that records nothing of its training (hand-made) is taken as it is.
    model = archive / ".incident-docs" / "blameless-model.json.gz"
    model.write_bytes(gzip.compress(json.dumps(_small_model()).encode()))
    assert "incident: warning" not in run_cli(archive, "lint", "--select", "BL").stderr


def test_training_records_the_examples_and_the_shipped_model_it_learnt_from() -> None:
    pytest.importorskip("sklearn")
    rows = [
        training.Row(text, label, "c", f"g{index % 3}")
        for index, (text, label) in enumerate(
            [("Sam broke the build again.", 1), ("The disk filled up again.", 0)] * 6
        )
    ]
    model = training.refit(rows, rows[:2])
    assert model["metadata"]["examples_sha256"] == training.examples_digest(rows[:2])
    assert model["metadata"]["shipped_sha256"] == (
        hashlib.sha256(training.PACKAGED_PATH.read_bytes()).hexdigest()
    )


def test_the_examples_header_is_read_in_any_capitals_and_names_each_column_once(
    archive: Path,
) -> None:
    examples = archive / "ex.tsv"
    examples.write_text("Text \tLABEL\nSam skipped the checklist again.\tBlameful\n")
    rows = training.read_examples(archive, "ex.tsv")
    assert [(row.text, row.label) for row in rows] == [("Sam skipped the checklist again.", 1)]
    examples.write_text("text\tlabel\tlabel\nThe disk filled.\tblameful\tblameless\n")
    with pytest.raises(UsageError, match=r"^ex.tsv:1: the header names the column label twice$"):
        training.read_examples(archive, "ex.tsv")


def test_an_example_line_of_several_sentences_decides_for_all_of_them(
    archive: Path, run_cli: RunCli
) -> None:
    cleared = "The disk filled. Alex skipped the checklist again, as usual."
    taught = "The disk filled up. Then the night shift arrived."
    text = f"{cleared}\n\n- {taught}\n\nAlex skipped the checklist again, as usual.\n"
    (archive / "examples.tsv").write_text(
        f"text\tlabel\n{cleared}\tblameless\n{taught}\tblameful\n"
    )
    with (archive / "pyproject.toml").open("a") as handle:
        handle.write('\n[tool.incident-docs.blameless]\nexamples = "examples.tsv"\n')
    found = [(d["line"], d["code"], d["message"]) for d in _lint_stdin(run_cli, archive, text)]
    # The line labelled blameless is left alone, the one labelled blameful is reported (no
    # sentence of it alone reads as blame), and the sentence alone is as it was.
    assert sorted({(line, code) for line, code, _ in found}) == [
        (3, "BL010"), (5, "BL001"), (5, "BL006"),
    ]  # fmt: skip
    assert "labelled blameful in the archive's examples file" in found[0][2]
    explained = run_cli(archive, "blameless", "explain", cleared)
    assert explained.exit_code == 0 and explained.stdout.endswith("reported: nothing\n")


def test_an_example_of_markdown_marks_alone_names_its_line(archive: Path) -> None:
    examples = archive / "ex.tsv"
    for text in ("**", "- ", "[](https://example.com)", "---"):
        examples.write_text(f"text\tlabel\nThe disk filled.\tblameless\n{text}\tblameful\n")
        with pytest.raises(UsageError, match=r"^ex.tsv:3: .* holds no words once read as lint"):
            training.read_examples(archive, "ex.tsv")


def test_train_says_lint_uses_no_model_while_the_model_is_off(
    archive: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("incident_docs.cli_blameless.archive_training_rows", lambda *_: ([], 0))
    monkeypatch.setattr("incident_docs.cli_blameless.refit", lambda *_: _small_model())
    with (archive / "pyproject.toml").open("a") as handle:
        handle.write("\n[tool.incident-docs.blameless]\nmodel = false\n")
    result = run_cli(archive, "blameless", "train")
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith(
        "lint uses no model while [tool.incident-docs.blameless] model = false\n"
    )


@pytest.mark.parametrize(
    "text",
    [
        "The outage was on Jos\u00e9's watch.",  # the model's reading
        "Nguy\u1ec5n deleted the wrong volume.",  # the rules'
        "Zo\u00eb forgot to renew the TLS certificate.",
        "Thanks to Ren\u00e9e for the quick rollback.",  # nothing to report
        "\uae40\ubbfc\uc900 deleted the wrong volume.",  # Hangul, written as its jamo
    ],
)
def test_a_name_written_in_decomposed_unicode_reads_as_the_same_name(
    archive: Path, run_cli: RunCli, text: str
) -> None:
    """A letter and its accent written apart (NFD, as some editors and macOS file names write
    them) show as the one letter, and are read so."""
    composed = _lint_stdin(run_cli, archive, text + "\n")
    decomposed = _lint_stdin(run_cli, archive, unicodedata.normalize("NFD", text) + "\n")
    assert [d["code"] for d in decomposed] == [d["code"] for d in composed]
    assert composed or text.startswith("Thanks")
