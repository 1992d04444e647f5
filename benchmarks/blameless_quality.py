"""How well the blameless checks separate blame from blameless prose, and how fast they run.

    python benchmarks/blameless_quality.py [--real FILE.tsv] [--no-cv] [--held-out] [--in-context N]
        [--show-published]

Prints, for the rules alone, the model alone and the two combined:
- grouped cross-validation on the training corpus: every fold holds out whole writer batches and
  whole source postmortems, so no figure is measured on a style the model was trained on (the
  table is of the postmortem lines; the sentences of engineering blogs, which teach the model
  and set no bar, are counted after it, and so is every line together);
- the frozen test set (training/blameless/frozen-test.tsv), written before the model was trained
  and never used to train or tune it, scored with the shipped model;
- with --held-out, the held-out batches (training/blameless/held-out/), by writers whose batches
  the corpus does not hold, never trained on, scored the same way (count each look: see the
  README there);
- whole postmortems with blameful sentences hidden in them (training/blameless/documents/), each
  linted as `incident lint --select BL` reads a record pasted in: how many of the hidden
  sentences get a finding, how many lines elsewhere get one, and in how many documents (the
  `dev` writers, always; the `held-out` writers with --held-out).
The rules and the combined figures are what lint reports for each line read as a one-line
Markdown body: a heading is read as a heading, a table row cell by cell and whole, a line that
opens with a time of day with the surer threshold of a timeline; in cross-validation, with a
model trained without the line's fold. A line stands in no section, so a name in a timeline
entry can still be BL001 here, as it cannot under a `## Timeline` heading. The model's figures
are its sentence scores over the threshold, wherever the line stands.
Also printed:
- with cross-validation, how many of the published postmortems of the `p` batches get a finding
  (each organisation held out; with --show-published, each sentence flagged), and the corpus
  lines placed in the example records' timeline, responders list and other sections, linted in
  context with their fold's model;
- optionally a TSV of real postmortem sentences (a `text` column, all blameless): the share flagged;
- the speed of the whole BL family in sentences per second on one core.
Cross-validation needs scikit-learn (the `train` extra).
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tooling"))

from incident_docs.blameless import Checker, check_markdown, check_text  # noqa: E402
from incident_docs.blameless.model import BlameModel, packaged_model  # noqa: E402
from incident_docs.blameless.prose import (  # noqa: E402
    MIN_WORDS,
    check_document,
    sentences,
    untargeted_bar,
)
from incident_docs.blameless.training import (  # noqa: E402
    FOLDS,
    UNJUDGED_KINDS,
    Row,
    corpus_rows,
    cross_validate,
    fold_of,
    read_rows,
    train,
)
from incident_docs.document import parse_text  # noqa: E402

FROZEN = REPO / "training" / "blameless" / "frozen-test.tsv"
HELD_OUT = REPO / "training" / "blameless" / "held-out"
DOCUMENTS = REPO / "training" / "blameless" / "documents"


def scores(flags: Sequence[bool], labels: Sequence[int]) -> tuple[float, float, float]:
    tp = sum(1 for f, y in zip(flags, labels, strict=True) if f and y)
    fp = sum(1 for f, y in zip(flags, labels, strict=True) if f and not y)
    positives = sum(labels)
    negatives = len(labels) - positives
    precision = tp / (tp + fp) if tp + fp else 0.0
    return precision, tp / max(1, positives), fp / max(1, negatives)


def table(title: str, rows: Sequence[Row], systems: dict[str, list[bool]]) -> None:
    labels = [row.label for row in rows]
    blameful = sum(labels)
    print(f"\n{title}: {len(rows)} lines, {blameful} blameful, {len(rows) - blameful} blameless")
    print(f"  {'system':<10} {'precision':>9} {'recall':>7} {'flagged blameless':>18}")
    for name, flags in systems.items():
        precision, recall, fp_rate = scores(flags, labels)
        print(f"  {name:<10} {precision:>9.3f} {recall:>7.3f} {fp_rate:>18.3f}")
    per_category: dict[str, list[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        per_category[row.category].append(index)
    names = list(systems)
    print(f"  per category (blameful: recall; blameless: share flagged) — {' / '.join(names)}")
    for category in sorted(per_category, key=lambda c: (rows[per_category[c][0]].label == 0, c)):
        indexes = per_category[category]
        shares = [sum(systems[name][i] for i in indexes) / len(indexes) for name in names]
        kind = "R" if rows[indexes[0]].label else "FP"
        figures = " / ".join(f"{share:.2f}" for share in shares)
        print(f"    {category:<22} n={len(indexes):<4} {kind} {figures}")


def long_enough(text: str) -> bool:
    return any(len(text[a:b].split()) >= MIN_WORDS for a, b in sentences(text))


def model_flags(model: BlameModel, threshold: float, text: str) -> bool:
    """The model alone, much as lint runs it: some sentence names someone and scores over the
    line, or, in a line that is not a heading, has enough words and the model is all but sure of
    it (lint also leaves table rows, references and lists of people out of that)."""
    prose = not text.lstrip().startswith("#")
    return any(
        model.probability(
            text[a:b],
            needs_target=True,
            min_tokens=MIN_WORDS,
            untargeted=untargeted_bar(text[a:b]) if prose else 1.0,
        )
        >= threshold
        for a, b in sentences(text)
    )


def as_linted(text: str, checker: Checker) -> tuple[bool, bool]:
    """Whether lint reports the line, read as a one-line Markdown body: (by a rule, at all)."""
    codes = {hit.code for _, _, hit in check_markdown(text, checker=checker)}
    return bool(codes - {"BL010"}), bool(codes)


def cross_validated_lint(
    rows: Sequence[Row], threshold: float, placed: Sequence[int] = ()
) -> tuple[list[tuple[bool, bool]], dict[int, tuple[str, bool]]]:
    """as_linted() for every row, with a model trained on the folds that do not hold it; and,
    for the rows `placed`, the section each was put in and whether lint reports it there."""
    found = [(False, False)] * len(rows)
    in_context: dict[int, tuple[str, bool]] = {}
    spots: dict[str, list[tuple[list[str], int]]] = defaultdict(list)
    for lines in map(_record_lines, RECORDS):
        for at, section in _spots(lines):
            spots[section].append((lines, at))
    chance = random.Random(7)
    for fold in range(FOLDS):
        held = [index for index, row in enumerate(rows) if fold_of(row.group) == fold]
        if not held:
            continue
        kept = [row for row in rows if fold_of(row.group) != fold]
        model = BlameModel(train(kept, threshold=threshold), f"fold {fold}")
        checker = Checker(model=model, threshold=threshold)
        for index in held:
            found[index] = as_linted(rows[index].text, checker)
        for index in sorted(set(placed) & set(held)):
            section = chance.choice(sorted(spots))
            lines, at = chance.choice(spots[section])
            text = _as_placed(rows[index].text, section)
            in_context[index] = (section, _reported_at(lines, at, text, checker))
    return found, in_context


RECORDS = sorted((REPO / "postmortems").glob("*.md")) + sorted((REPO / "incidents").glob("*.md"))
"""The example archive's records, where corpus lines are placed to be linted in context."""


def _record_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")


def _spots(lines: list[str]) -> list[tuple[int, str]]:
    """Blank lines of the body outside code fences where a paragraph can go, with the kind of
    section each is in: the timeline, the responders list, or any other."""
    first = lines.index("---", 1) + 1 if lines[:1] == ["---"] else 0
    found: list[tuple[int, str]] = []
    fenced = False
    section = "other"
    for index, line in enumerate(lines[first:-1], start=first):
        if line.startswith("```"):
            fenced = not fenced
        elif line.startswith("#") and not fenced:
            title = line.lstrip("#").strip().lower()
            section = next((kind for kind in _SECTIONS if _SECTIONS[kind].search(title)), "other")
        elif not line.strip() and not fenced:
            found.append((index, section))
    return found


_SECTIONS = {
    "timeline": re.compile(r"timeline"),
    "responders": re.compile(r"responders|who\s+worked|participants|people\s+involved"),
}
_OPENS_AS_ENTRY = re.compile(r"\s*(?:[-*+]\s|\d+[.)]\s|\|)|\s*[\[(*]*\d{1,2}[:h.]\d{2}")


def placeable(text: str) -> bool:
    """A corpus line that can stand as a paragraph or a list item: not a heading, a table row or
    a code fence, which would be read as something else in a record."""
    stripped = text.lstrip()
    return not stripped.startswith(("#", "|", "```", "~~~", ">")) and "\n" not in text


def _as_placed(text: str, section: str) -> str:
    """The line as it would stand there: a timeline entry in the timeline, a list item in the
    responders list; as written when it already is one."""
    if section == "other" or _OPENS_AS_ENTRY.match(text):
        return text
    return ("- 14:05 UTC: " if section == "timeline" else "- ") + text


def _reported_at(lines: list[str], at: int, text: str, checker: Checker) -> bool:
    """Whether lint reports the line when it is put in the record after line `at` (0-based)."""
    record = "\n".join([*lines[: at + 1], text, "", *lines[at + 1 :]])
    return any(line == at + 2 for line, *_ in check_document(parse_text(record, "x.md"), checker))


def in_context_table(rows: Sequence[Row], placed: dict[int, tuple[str, bool]]) -> None:
    """Recall and false alarms of the corpus lines placed in the example records, by section."""
    print(
        f"\nin context: {len(placed)} corpus lines (not headings, table rows or code), each put in "
        "the timeline (as an entry), the responders list (as a list item) or another section of "
        "an example record, and linted with the model of its fold"
    )
    for section in ("timeline", "responders", "other"):
        for label, name in ((1, "blameful lines reported"), (0, "blameless lines flagged")):
            marks = [
                hit
                for index, (where, hit) in placed.items()
                if where == section and rows[index].label == label
            ]
            if marks:
                print(f"  {section:11s} {name}: {sum(marks) / len(marks):.3f} (n={len(marks)})")


def blog_table(rows: Sequence[Row], systems: dict[str, list[bool]]) -> None:
    """The sentences of engineering blogs (each blog held out), and every line together."""
    blogs = [i for i, row in enumerate(rows) if row.kind in UNJUDGED_KINDS and row.label == 0]
    if not blogs:
        return
    shares = " / ".join(
        f"{sum(flags[i] for i in blogs) / len(blogs):.3f}" for flags in systems.values()
    )
    print(
        f"\nsentences of engineering blogs that point at someone (the b batches, each blog held "
        f"out; they teach the model and set no bar): {len(blogs)} blameless, flagged "
        f"{shares} ({' / '.join(systems)})"
    )
    labels = [row.label for row in rows]
    precision, recall, fp_rate = scores(systems["combined"], labels)
    print(
        f"  every line together ({len(rows)}): precision {precision:.3f}, recall {recall:.3f}, "
        f"flagged blameless {fp_rate:.3f} (combined)"
    )


def published_table(rows: Sequence[Row], flagged: Sequence[bool], *, show: bool = False) -> None:
    """How many published postmortems (the `p` batches) have a sentence labelled blameless that
    lint flags, each sentence read alone with the model of its fold (which holds out the
    sentence's organisation; the shipped threshold was chosen with these rows too). `show`:
    print each flagged sentence too, with its batch."""
    postmortems: dict[str, bool] = defaultdict(bool)
    sentences_flagged = total = 0
    for row, flag in zip(rows, flagged, strict=True):
        if row.kind == "p" and row.label == 0:
            postmortems[row.source] |= flag
            sentences_flagged += flag
            total += 1
            if flag and show:
                print(f"  flagged ({row.group}): {row.text[:200]}")
    if postmortems:
        print(
            f"\npublished postmortems (the p batches, each organisation held out, each sentence "
            f"read alone): {sum(postmortems.values())} of {len(postmortems)} with a sentence "
            f"labelled blameless flagged ({sentences_flagged} of {total} sentences)"
        )


@dataclass(frozen=True)
class HiddenBlame:
    """A blameful sentence a writer hid in a document: where it is and what kind it is."""

    document: Path
    first_line: int
    last_line: int
    style: str
    sentence: str


def hidden_blame(folder: Path) -> list[HiddenBlame]:
    """The sentences of a writer's `key.tsv` (file, sentence, style), each found in its
    document with line breaks and runs of spaces read as one space, by the lines it spans (the
    first place it stands, where it stands twice). A finding on any of those lines counts as
    finding it, even when it is about another sentence of the same line."""
    found = []
    with (folder / "key.tsv").open(encoding="utf-8", newline="") as handle:
        for entry in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            document = folder / entry["file"]
            text = document.read_text(encoding="utf-8")
            flat, line_of = _flattened(text)
            sentence = " ".join(entry["sentence"].split())
            at = _word_start(flat, sentence)
            if not sentence or at < 0:
                raise ValueError(f"{folder / 'key.tsv'}: not in {entry['file']}: {sentence!r}")
            found.append(
                HiddenBlame(
                    document,
                    line_of[at],
                    line_of[at + len(sentence) - 1],
                    entry["style"],
                    sentence,
                )
            )
    return found


def _word_start(text: str, sentence: str) -> int:
    """Where the sentence first stands in the text as words of its own ("Ops ignored" not
    inside "DevOps ignored"), or -1."""
    at = text.find(sentence)
    while at > 0 and text[at - 1].isalnum() and sentence[:1].isalnum():
        at = text.find(sentence, at + 1)
    return at


def _flattened(text: str) -> tuple[str, list[int]]:
    """The text with each run of white space one space, and the 1-based line of each character."""
    chars: list[str] = []
    line_of: list[int] = []
    line = 1
    for char in text:
        if char.isspace():
            if not chars or chars[-1] != " ":
                chars.append(" ")
                line_of.append(line)
            line += char == "\n"
        else:
            chars.append(char)
            line_of.append(line)
    return "".join(chars), line_of


def documents_table(title: str, folders: Sequence[Path], checker: Checker) -> None:
    """Hidden blameful sentences found, and findings anywhere else, in whole documents."""
    hidden = found = false = documents = with_false = clean = clean_with_false = 0
    missed: dict[str, int] = defaultdict(int)
    for folder in folders:
        key = hidden_blame(folder)
        for document in sorted(folder.glob("*.md")):
            spans = [h for h in key if h.document == document]
            doc = parse_text(document.read_text(encoding="utf-8"), document.name)
            lines = {line for line, *_ in check_document(doc, checker)}
            caught = [h for h in spans if any(h.first_line <= n <= h.last_line for n in lines)]
            wrong = [n for n in lines if not any(h.first_line <= n <= h.last_line for h in spans)]
            hidden += len(spans)
            found += len(caught)
            for h in spans:
                if h not in caught:
                    missed[h.style] += 1
            false += len(wrong)
            documents += 1
            with_false += bool(wrong)
            clean += not spans
            clean_with_false += not spans and bool(wrong)
    print(f"\n{title}: {len(folders)} writers, {documents} documents")
    share = f" ({found / hidden:.3f})" if hidden else ""
    print(f"  hidden blameful sentences found: {found} of {hidden}{share}")
    print(
        f"  lines with a finding elsewhere: {false}, in {with_false} of {documents} documents; "
        f"documents without blame that get a finding: {clean_with_false} of {clean}"
    )
    if missed:
        styles = ", ".join(f"{style} {n}" for style, n in sorted(missed.items()))
        print(f"  missed, by the writer's style: {styles}")


def speed(checker: Checker, sample: Sequence[str]) -> tuple[float, float]:
    """Sentences per second through lint's checks, and through the rules alone, in one run."""
    repeats = max(1, 20_000 // len(sample))
    for text in sample:  # warm the per-word caches, as a lint run of any size does
        checker.check(text)
    start = time.perf_counter()
    for _ in range(repeats):
        for text in sample:
            checker.check(text)
    both = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(repeats):
        for text in sample:
            check_text(text)
    rules_only = time.perf_counter() - start
    count = repeats * len(sample)
    return count / both, count / rules_only


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--real", type=Path, help="TSV of real postmortem sentences (column text)")
    parser.add_argument("--no-cv", action="store_true", help="skip cross-validation")
    parser.add_argument(
        "--held-out", action="store_true", help="also score training/blameless/held-out/"
    )
    parser.add_argument(
        "--in-context",
        type=int,
        default=1500,
        metavar="N",
        help="in cross-validation, also lint N blameful and N blameless lines placed in the "
        "example records (default 1500)",
    )
    parser.add_argument(
        "--show-published",
        action="store_true",
        help="print each sentence of a published postmortem that cross-validation flags",
    )
    args = parser.parse_args(argv)
    if args.in_context < 0:
        parser.error("--in-context: a number of lines, 0 or more")
    model = packaged_model()
    threshold = model.threshold
    checker = Checker(model=model, threshold=threshold)
    print(f"shipped model: {model.size:,} features, threshold {threshold:.2f}")

    if not args.no_cv:
        rows = corpus_rows()
        probabilities = cross_validate(rows)
        chance = random.Random(7)
        blameful = [i for i, row in enumerate(rows) if row.label == 1 and placeable(row.text)]
        blameless = [
            i
            for i, row in enumerate(rows)
            if row.label == 0 and row.kind not in UNJUDGED_KINDS and placeable(row.text)
        ]
        placed = chance.sample(blameful, min(args.in_context, len(blameful)))
        placed += chance.sample(blameless, min(args.in_context, len(blameless)))
        linted, in_context = cross_validated_lint(rows, threshold, placed)
        rules = [by_rule for by_rule, _ in linted]
        learned = [
            p >= threshold and long_enough(r.text) for p, r in zip(probabilities, rows, strict=True)
        ]
        combined = [reported for _, reported in linted]
        # The sentences of engineering blogs teach the model but are no postmortem text: the
        # table is of the postmortem lines, and the blogs' own figures follow it.
        judged = [i for i, row in enumerate(rows) if row.kind not in UNJUDGED_KINDS]
        systems = {"rules": rules, "model": learned, "combined": combined}
        table(
            "grouped cross-validation (5 folds; writers and source postmortems held out whole), "
            "postmortem lines",
            [rows[i] for i in judged],
            {name: [flags[i] for i in judged] for name, flags in systems.items()},
        )
        blog_table(rows, systems)
        published_table(rows, combined, show=args.show_published)
        in_context_table(rows, in_context)

    frozen = read_rows(FROZEN)
    linted = [as_linted(row.text, checker) for row in frozen]
    rules = [by_rule for by_rule, _ in linted]
    learned = [model_flags(model, threshold, row.text) for row in frozen]
    combined = [reported for _, reported in linted]
    table(
        "frozen test set (never trained or tuned on)",
        frozen,
        {"rules": rules, "model": learned, "combined": combined},
    )

    batches = sorted(HELD_OUT.glob("*.tsv")) if args.held_out else []
    held_out = [row for path in batches for row in read_rows(path)]
    if held_out:
        linted = [as_linted(row.text, checker) for row in held_out]
        table(
            f"held-out batches ({', '.join(path.stem for path in batches)}; never trained on)",
            held_out,
            {
                "rules": [by_rule for by_rule, _ in linted],
                "model": [model_flags(model, threshold, row.text) for row in held_out],
                "combined": [reported for _, reported in linted],
            },
        )

    for split, title, wanted in (
        ("dev", "dev writers (used to tune the checks)", True),
        ("held-out", "held-out writers (never tuned on)", args.held_out),
    ):
        folders = sorted(path for path in (DOCUMENTS / split).glob("*") if path.is_dir())
        if wanted and folders:
            documents_table(f"whole postmortems with hidden blame, {title}", folders, checker)

    if args.real is not None:
        with args.real.open(encoding="utf-8", newline="") as handle:
            texts = [
                r["text"] for r in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
            ]
        linted = [as_linted(text, checker) for text in texts]
        rule_share = sum(by_rule for by_rule, _ in linted) / len(texts)
        share = sum(reported for _, reported in linted) / len(texts)
        print(f"\nreal postmortem sentences ({args.real.name}): {len(texts)}")
        print(f"  flagged by the rules: {rule_share:.2%}; by rules and model: {share:.2%}")

    prose = [row.text for row in corpus_rows() if row.group.startswith("r")]
    for name, sample in (("the frozen set, half blameful", [r.text for r in frozen]),
                         ("blameless postmortem prose (the r batches)", prose)):  # fmt: skip
        both, rules_only = speed(checker, sample)
        print(
            f"\nspeed on {name}, one core: {both:,.0f} sentences/second (rules and model), "
            f"{rules_only:,.0f} (rules alone, same run)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
