"""Train the blameless model from the labelled corpus (and an archive's own examples).

scikit-learn does the fitting (the `train` extra); what it learns is exported to gzipped JSON
that model.py scores in plain Python. Training is deterministic: the same rows give the same
file, byte for byte, on the same library versions.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import math
import re
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from importlib import resources
from itertools import repeat
from pathlib import Path
from typing import Any

from incident_docs.blameless.agents import organisations, unname
from incident_docs.blameless.model import (
    FORMAT,
    LOOSELY_NAMED,
    PACKAGED,
    VERSION,
    analyse,
    bare_person,
    has_target,
    implies_target,
    is_capitalised,
    loosely_named,
    tokens,
    values,
)
from incident_docs.blameless.prose import normalise, sentences
from incident_docs.config import BlamelessConfig, setting_file
from incident_docs.diagnostics import UsageError
from incident_docs.document import invalid_utf8

LABELS = {"blameful": 1, "blameless": 0}
FOLDS = 5
C = 5.0
"""Inverse regularisation strength of the logistic regression."""
SELECTED = 50_000
"""How many features the model keeps: those the fit on all of them weighs most."""
EXAMPLE_WEIGHT = 16.0
"""An organisation's own example counts as much as this many corpus rows."""
PUBLISHED_WEIGHT = 2.0
"""A sentence of a published postmortem (a `p` batch) counts as much as this many written rows:
real prose is where a user meets a false alarm first, and it is the rarer kind in the corpus.
With the fit reading blameless rows by sentence (as_sentences), grouped cross-validation at the
same threshold found 4% fewer false alarms, 6% fewer on these sentences, at the same recall."""
MIN_DF = 2
TARGET_FP_RATE = 0.02
"""The threshold is the lowest whose cross-validated false-alarm rate on blameless rows stays under this."""
PACKAGED_PATH = resources.files("incident_docs.blameless") / "data" / PACKAGED


@dataclass(frozen=True)
class Row:
    text: str
    label: int
    category: str
    group: str
    """Rows of one group (a writer's batch, or one source postmortem) are held out together."""
    source: str = ""
    licence: str = ""
    weight: float = 1.0
    kind: str = ""
    """The kind of corpus batch: 'r' postmortem prose, 'w' a writer's lines, 'p' sentences of
    published postmortems, 'b' sentences of engineering blogs that point at someone; '' for
    the rest."""
    writer: str = ""
    """Who wrote the row: its corpus batch ('w27', 'r15'); its group when not given."""


def corpus_files() -> list[Path]:
    folder = resources.files("incident_docs.blameless") / "corpus"
    return sorted(
        Path(str(entry)) for entry in folder.iterdir() if str(entry.name).endswith(".tsv")
    )


def read_rows(
    path: Path,
    *,
    weight: float = 1.0,
    default_group: str | None = None,
    same: Callable[[str], str] | None = None,
    display: str | None = None,
    spreadsheet: bool = False,
) -> list[Row]:
    """Rows of a labelled TSV with a header; `text` and `label` are required columns. With
    `same`, two lines that it reads as the same text must carry the same label. Errors name the
    file as `display`, or as its path. With `spreadsheet`, a field in quotation marks may hold
    tabs and line breaks, as a spreadsheet exports one (see _spreadsheet_records); the corpus is
    read a line a record."""
    shown = display or str(path)
    try:
        handle = path.open(encoding="utf-8-sig", newline="")  # a spreadsheet may add a BOM
    except OSError as exc:
        raise UsageError(f"{shown}: cannot read: {exc.strerror or exc}") from None
    rows: list[Row] = []
    labelled: dict[str, tuple[str, int]] = {}  # text as `same` reads it -> its label, its line
    with handle:
        try:
            if spreadsheet:
                records = _spreadsheet_records(handle.read(), shown)
            else:
                reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
                records = (
                    (reader.line_num, [(value, False) for value in values]) for values in reader
                )
            fields = [name for name, _ in next(records, (1, []))[1]]
            # A spreadsheet told to quote every text cell quotes the header too: then each
            # cell quoted whole is read without its quotation marks, whatever it holds.
            quoted_all = spreadsheet and bool(fields) and all(map(_quoted_whole, fields))
            if quoted_all:
                fields = [_without_quotes(name) for name in fields]
            # Labels are read in any capitals, and so is the header a person types ("Text").
            fields = [name.strip().lower() for name in fields]
            twice = next((name for name in fields if name and fields.count(name) > 1), None)
            if twice is not None:
                # Read as a mapping, one of the two would be left unread without a word.
                raise UsageError(f"{shown}:1: the header names the column {twice} twice")
            if {"text", "label"} - set(fields):
                raise UsageError(
                    f"{shown}:1: the header needs the columns text and label (tab-separated)"
                )
            for line, values in records:
                if not values:
                    continue  # a blank line
                record = dict(zip(fields, values, strict=False))
                text, quoted = record.get("text", ("", False))
                if quoted_all and not quoted and _quoted_whole(text.strip()):
                    text, quoted = _without_quotes(text.strip()), True
                text = text.strip() if quoted else _unquoted(text.strip())
                label = record["label"][0].strip().strip('"').lower() if "label" in record else None
                if quoted and _swallows_a_label(text):
                    raise UsageError(
                        f"{shown}:{line}: a quotation mark opens the text and closes none on "
                        f"this line, so line {line + 1} is read into it: close it, or double it "
                        '("") if it is part of the text'
                    )
                if not text:
                    raise UsageError(f"{shown}:{line}: empty text")
                if label not in LABELS:
                    raise UsageError(f"{shown}:{line}: {_label_problem(label, values, fields)}")
                if same is not None:
                    if not same(text).strip():
                        # Lint would match it to no sentence, and training would learn marks.
                        raise UsageError(
                            f"{shown}:{line}: {text!r} holds no words once read as lint reads "
                            "a line (list, heading and emphasis marks left out)"
                        )
                    earlier, at = labelled.setdefault(same(text), (label, line))
                    if earlier != label:
                        raise UsageError(
                            f"{shown}:{line}: labelled {label} here and {earlier} on line {at}"
                        )
                rows.append(
                    Row(
                        text,
                        LABELS[label],
                        record.get("category", ("", False))[0].strip() or label,
                        record.get("group", ("", False))[0].strip() or default_group or path.stem,
                        record.get("source", ("", False))[0].strip(),
                        record.get("licence", ("", False))[0].strip(),
                        weight,
                    )
                )
        except UnicodeDecodeError:
            raise UsageError(f"{shown}:{_undecodable_line(path)}: not UTF-8 text") from None
        except csv.Error as exc:
            # Unquoted, a line can fail only on a field over csv's size limit, which the reader
            # raises once it has counted the line.
            raise UsageError(f"{shown}:{reader.line_num}: {exc}") from None
    return rows


def _swallows_a_label(text: str) -> bool:
    """A quoted text over several lines holds a label in a cell of its own ("Ken broke
    it.<TAB>blameful" and the next line, or "blameless<TAB>The disk…" after the first, whatever
    the columns' order): a quotation mark opened the text and closed none on its line, so the
    next line was read into it (as a spreadsheet reads it too)."""
    pieces = _LINE_END.split(text)
    return len(pieces) > 1 and any(
        cell.strip().lower() in LABELS
        for piece in pieces
        if "\t" in piece
        for cell in piece.split("\t")
    )


def _label_problem(label: str | None, values: list[tuple[str, bool]], fields: list[str]) -> str:
    """What is wrong with a line whose label is none of LABELS, said so that it can be fixed."""
    if label is None and len(values) == 1:
        return "no tab on this line: write the text, a tab, then its label (blameful or blameless)"
    if label is None:
        return (
            f"no label: the line has {len(values)} tab-separated columns and the label is "
            f"column {fields.index('label') + 1} of the header"
        )
    if not label:
        return "no label after the tab: write blameful or blameless"
    problem = f"label must be 'blameful' or 'blameless', not {label!r}"
    if len(values) > len(fields):
        problem += (
            f" (the line has {len(values)} tab-separated columns, the header {len(fields)}: "
            "a text that holds a tab goes in quotation marks, as a spreadsheet writes it)"
        )
    return problem


_LINE_END = re.compile(r"\r\n|\r|\n")
_QUOTED_FIELD = re.compile(r'"([^"]*(?:""[^"]*)*)"(?=[\t\r\n]|\Z)')
"""A field in quotation marks, as a spreadsheet writes one: those inside it doubled, closed at
a tab or the line's end."""
_RAW_FIELD = re.compile(r"[^\t\r\n]*")
_NEEDS_QUOTING = re.compile(r'[\t\r\n",]')
"""What a spreadsheet quotes a field for on export (Excel quotes a comma even in a TSV)."""


def _spreadsheet_records(text: str, shown: str) -> Iterator[tuple[int, list[tuple[str, bool]]]]:
    """The records of a TSV file a spreadsheet exported, each with the line it starts on, and
    each field with whether it was read out of quotation marks (an empty list for a blank line).

    A field in quotation marks that needed them (see _NEEDS_QUOTING) is read without them: it
    may hold tabs, line breaks and doubled quotation marks ('"Ken<TAB>broke it"', '"The page
    said ""oops""."'). One quoted whole with nothing that needed it stays as written, since a
    person quoted it: '"Ken broke it."' is someone's words. A quotation mark that opens a field
    and closes none as a spreadsheet does is a character of it, as in a line read alone."""
    limit = csv.field_size_limit()
    at, line, end = 0, 1, len(text)
    while at < end:
        first = line
        values: list[tuple[str, bool]] = []
        while True:
            quoted = _QUOTED_FIELD.match(text, at) if text.startswith('"', at) else None
            value = quoted.group(1).replace('""', '"') if quoted is not None else ""
            if quoted is not None and _NEEDS_QUOTING.search(value) is not None:
                values.append((value, True))
                line += len(_LINE_END.findall(quoted.group(1)))
                at = quoted.end()
            else:
                raw = _RAW_FIELD.match(text, at)
                assert raw is not None  # it matches the empty string
                value = raw.group(0)
                values.append((value, False))
                at = raw.end()
            if len(value) > limit:
                raise UsageError(
                    f"{shown}:{first}: a cell of {len(value):,} characters, over the limit of "
                    f"{limit:,}: an example is a sentence or a line of a record"
                )
            if not text.startswith("\t", at):
                break
            at += 1
        broken = _LINE_END.match(text, at)
        if broken is not None:
            at = broken.end()
            line += 1
        yield first, [] if values == [("", False)] else values


def _quoted_whole(field: str) -> bool:
    return len(field) >= 2 and field[0] == field[-1] == '"'


def _without_quotes(field: str) -> str:
    """A field quoted whole, as written inside its quotation marks."""
    return field[1:-1].replace('""', '"')


def _unquoted(field: str) -> str:
    """A field as a spreadsheet quotes it when it exports one that holds quotation marks
    ('"The page said ""oops""."') or a comma ('"Jo deleted the lock file, which let the
    workers resume."'), unquoted; any other field as written, a sentence quoted whole without
    a comma ('"Ken broke it."') included."""
    if len(field) >= 4 and field[0] == field[-1] == '"':
        inner = field[1:-1]
        if '""' in inner and '"' not in inner.replace('""', ""):
            return inner.replace('""', '"')
        if "," in inner and '"' not in inner:
            return inner
    return field


def _undecodable_line(path: Path) -> int:
    """The line of the file's first byte that is not UTF-8 (the file has one)."""
    raw = path.read_bytes()
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return invalid_utf8(raw, exc)[0]
    return 1


def corpus_rows() -> list[Row]:
    rows: list[Row] = []
    for path in corpus_files():
        batch = _BATCH.fullmatch(path.stem)
        kind = batch.group(1) if batch else ""
        weight = PUBLISHED_WEIGHT if kind == "p" else 1.0
        rows.extend(
            replace(row, kind=kind, writer=path.stem, weight=row.weight * weight)
            for row in read_rows(path)
        )
    return rows


_BATCH = re.compile(r"([rwpb])\d+")
"""A batch file of the corpus ("w26.tsv", "r12.tsv", "p1.tsv", "b1.tsv") and its kind."""


def archive_training_rows(root: Path, config: BlamelessConfig) -> tuple[list[Row], int]:
    """The shipped corpus plus the archive's examples (weighted up), and how many those are."""
    rows = corpus_rows()
    own = read_examples(root, config.examples) if config.examples else []
    return rows + own, len(own)


EXAMPLES_LIMIT = 16 * 2**20
"""The largest examples file read, in bytes: a hundred thousand lines or more, and every lint
run reads it."""


def read_examples(root: Path, value: str) -> list[Row]:
    """The rows of the archive's examples file (the `examples` setting), weighted as training
    weighs them: a regular file inside the repository, of at most EXAMPLES_LIMIT bytes."""
    path = setting_file(root, value, "examples")
    try:
        size = path.stat().st_size
    except OSError as exc:
        # Named with its setting, as setting_file names it: "missing.tsv: cannot read" did not
        # say which setting named the file.
        raise UsageError(f"{value} (examples): cannot read: {exc.strerror or exc}") from None
    if size > EXAMPLES_LIMIT:
        raise UsageError(
            f"{value}: the examples file is {size:,} bytes, over the {EXAMPLES_LIMIT:,} byte limit"
        )
    # Lint looks a line up as normalise() reads it: two labels for it would leave one unheard.
    return read_rows(
        path,
        weight=EXAMPLE_WEIGHT,
        default_group="examples",
        same=normalise,
        display=value,
        spreadsheet=True,
    )


def known_words(texts: Iterable[str], groups: Iterable[str] | None = None) -> frozenset[str]:
    """Words written in lower case at least twice, and more often so than capitalised mid-sentence.

    A capitalised word whose lower-case form is known reads as a word, not a name. A word that
    is also capitalised mid-sentence must be written in lower case in running prose at least
    once, between two words: a name written in lower case only as a handle ('<lena>',
    '| lena |', 'lena: on it') stays a name; so does one that a single writer or source
    postmortem (of `groups`, one per text) writes in lower case in running prose ("thanks
    wambui"). The same holds for a word also written as a handle ('@lena', '<lena>'), while
    '@everyone' and '@platform' leave the words known.
    """
    lower: Counter[str] = Counter()
    in_prose: dict[str, set[str]] = defaultdict(set)
    capital: Counter[str] = Counter()
    handles: set[str] = set()
    for text, group in zip(texts, groups if groups is not None else repeat(""), strict=False):
        if "@" in text or "<" in text:
            handles.update(_HANDLE_USE.findall(text))
        pieces = text.split()
        index = 0  # the word's place among the words of the text
        for at, piece in enumerate(pieces):
            if not piece[:1].isalpha():
                continue
            word = piece.strip(".,;:!?()[]\"'*_`|")
            if word[:1].islower():
                lower[word] += 1
                if (
                    piece.rstrip(".,;!?") == word
                    and 0 < at < len(pieces) - 1
                    and pieces[at - 1][:1].isalpha()
                    and pieces[at + 1][:1].isalpha()
                ):
                    in_prose[word].add(group)
            elif index and is_capitalised(word):
                capital[word.lower()] += 1
            index += 1
    needed = 1 if groups is None else 2
    return frozenset(
        w
        for w, n in lower.items()
        if n >= 2
        and n >= capital[w]
        and (len(in_prose[w]) >= needed or not (capital[w] or w in handles))
    )


def common_words(texts: Iterable[str], writers: Iterable[str]) -> frozenset[str]:
    """Words written in lower case by at least two writers (`writers`, one per text): the
    shared vocabulary, tools included ("restic"), and not one writer's handles ("lchen"), which
    a known word can be once that writer has used it twice. The model's common words are the
    known words among these. See model.bare_person."""
    seen: dict[str, set[str]] = defaultdict(set)
    for text, writer in zip(texts, writers, strict=True):
        for piece in text.split():
            word = piece.strip(".,;:!?()[]\"'*_`|")
            if word[:1].islower():
                seen[word].add(writer)
    return frozenset(word for word, found in seen.items() if len(found) >= 2)


_HANDLE_USE = re.compile(r"(?<![\w@])[@<]([a-z][\w.-]*?)[.-]?(?![\w@.-])")
"""A word written as a handle: '@lena', '<lena>'."""


def as_read(text: str) -> str:
    """A row as lint reads it: the organisations and products it names are not people.

    Lint also leaves words its model knows as written, which the model reads the same either
    way; the words are not known yet here. And lint reads a handle written as code as the
    handle (see unquote_handles), which training leaves as code: the model learns handles from
    the many written bare. Reading these so in training too measured worse in grouped
    cross-validation (with a first, wider reading of what a handle in code is): 16 more blameful
    lines found instead of 36, 1 fewer false alarm on blameless lines but 8 more on blog
    sentences, against reading them so at lint time only.
    """
    return unname(text, organisations(text))


def fold_of(group: str) -> int:
    """A stable fold for a group: the same group always lands in the same fold."""
    return zlib.crc32(group.encode("utf-8")) % FOLDS


def vocabulary(texts: Iterable[str], known: frozenset[str]) -> frozenset[str]:
    """Words in at least MIN_DF of the texts; the others are folded into the rare-word token."""
    df: Counter[str] = Counter()
    for text in texts:
        df.update({token.value for token in tokens(text, known)})
    return frozenset(word for word, n in df.items() if n >= MIN_DF)


class Features:
    """The features of the rows as model.py weighs them: each feature's count times its idf
    (scikit-learn's smooth idf, features in MIN_DF rows or more), the row scaled by one over the
    square root of its length in tokens. Only the `columns` chosen after fitting are kept."""

    def __init__(self, analyzer: Callable[[str], list[str]]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.analyzer = analyzer
        self.vectorizer = TfidfVectorizer(
            analyzer=_as_given, min_df=MIN_DF, norm=None, sublinear_tf=False
        )
        self.columns: Any = None

    def fit_transform(self, texts: Sequence[str]) -> Any:
        analysed = list(map(self.analyzer, texts))
        return self._scaled(analysed, self.vectorizer.fit_transform(analysed))

    def transform(self, texts: Sequence[str]) -> Any:
        analysed = list(map(self.analyzer, texts))
        matrix = self._scaled(analysed, self.vectorizer.transform(analysed))
        return matrix if self.columns is None else matrix[:, self.columns]

    def names(self) -> list[str]:
        names = self.vectorizer.get_feature_names_out()
        return list(names if self.columns is None else names[self.columns])

    def idf(self) -> list[float]:
        idf = self.vectorizer.idf_
        return list(idf if self.columns is None else idf[self.columns])

    @staticmethod
    def _scaled(analysed: list[list[str]], matrix: Any) -> Any:
        from scipy.sparse import diags

        # One bigram per token, the first with the start marker: the sentence's length.
        lengths = [sum(1 for name in names if name[0] == "b") for names in analysed]
        return diags([1.0 / math.sqrt(n) if n else 0.0 for n in lengths]) @ matrix


def _as_given(features: list[str]) -> list[str]:
    return features


@dataclass(frozen=True)
class Selection:
    """Features chosen before the fit: a model's, and every feature of the `taught` lines."""

    features: frozenset[str]
    taught: tuple[str, ...] = ()


def _fit(
    rows: Sequence[Row], seed: int, keep: Selection | None = None
) -> tuple[Features, Any, frozenset[str], frozenset[str], frozenset[str]]:
    """The fitted features and classifier, the known words, the model's vocabulary and the
    common words.

    A fit on every feature (nearly 300,000) weighs them all; the model is fitted again on the
    SELECTED it weighs most, which score as well, and a table that small is quick to read. Both
    fits are l2-penalised, so the choice moves little when the rows do: three lines more
    (weighted as an archive's examples are) changed 0.4% of it. An l1-penalised fit chose as
    well, but which of several near-equal features it kept turned on little, and the same three
    lines changed 18%. With `keep`, the features are those it names, and no fit chooses them.
    """
    try:
        import numpy
        from sklearn.linear_model import LogisticRegression
    except ImportError:
        raise UsageError(
            "training needs scikit-learn: pip install 'incident-docs[train]'"
        ) from None

    rows = as_sentences(rows)
    texts = [as_read(row.text) for row in rows]
    known = known_words(texts, [row.group for row in rows])
    common = known & common_words(texts, [row.writer or row.group for row in rows])
    words = vocabulary(texts, known)

    def analyzer(text: str) -> list[str]:
        return analyse(text, known, words)

    features = Features(analyzer)
    matrix = features.fit_transform(texts)
    labels = [row.label for row in rows]
    weights = [row.weight for row in rows]
    if keep is None:
        everything = LogisticRegression(
            C=C, class_weight="balanced", solver="liblinear", random_state=seed, max_iter=2000
        )
        everything.fit(matrix, labels, sample_weight=weights)
        strength = numpy.abs(everything.coef_[0])
        # Ties go to the feature that sorts first: the same rows give the same choice.
        strongest = numpy.argsort(-strength, kind="stable")[:SELECTED]
        features.columns = numpy.sort(strongest[strength[strongest] > 0])
    else:
        wanted = set(keep.features)
        for text in keep.taught:
            wanted.update(analyzer(as_read(text)))
        names = features.vectorizer.get_feature_names_out()
        features.columns = [index for index, name in enumerate(names) if name in wanted]
    if not len(features.columns):
        raise UsageError("training found no word or phrase that tells blame from the rest")
    classifier = LogisticRegression(
        C=C, class_weight="balanced", solver="liblinear", random_state=seed, max_iter=2000
    )
    classifier.fit(matrix[:, features.columns], labels, sample_weight=weights)
    return features, classifier, known, words, common


def as_sentences(rows: Sequence[Row]) -> list[Row]:
    """The rows as the fit learns them: a blameless row of several sentences becomes one row per
    sentence, as lint reads it; a blameful row stays whole (which of its sentences blames is not
    known), and so does a table row (lint reads a row whole as well as by cell)."""
    result: list[Row] = []
    for row in rows:
        spans = [] if row.label or row.text.lstrip().startswith("|") else sentences(row.text)
        if len(spans) > 1:
            result.extend(replace(row, text=row.text[start:end]) for start, end in spans)
        else:
            result.append(row)
    return result


def cross_validate(
    rows: Sequence[Row], seed: int = 0, keep: Selection | None = None
) -> list[float]:
    """Out-of-fold probabilities, holding out whole groups (writers, source postmortems).

    A line that names nobody scores 0, as it does at lint time, and one that may point at
    someone only loosely (see loosely_named) scores 0 under LOOSELY_NAMED: read with the fold's
    own known words and vocabulary, so that a word for someone the model never saw names nobody,
    as at lint.
    """
    texts = [as_read(row.text) for row in rows]
    scores = [0.0] * len(rows)
    for fold in range(FOLDS):
        train = [row for row in rows if fold_of(row.group) != fold]
        held = [i for i, row in enumerate(rows) if fold_of(row.group) == fold]
        if not held or len({row.label for row in train}) < 2:
            continue
        vectorizer, classifier, known, words, common = _fit(train, seed, keep)
        probabilities = classifier.predict_proba(vectorizer.transform([texts[i] for i in held]))
        for index, probability in zip(held, probabilities[:, 1], strict=True):
            text = texts[index]
            targeted = (
                has_target(values(tokens(text, known), words))
                or implies_target(text)
                or bare_person(text, common)
            )
            if targeted or (probability >= LOOSELY_NAMED and loosely_named(text, common)):
                scores[index] = float(probability)
    return scores


def choose_threshold(rows: Sequence[Row], scores: Sequence[float]) -> float:
    """The lowest threshold whose false-alarm rate on blameless rows stays within the target:
    on all of them, and on each kind of them the corpus holds in number (postmortem prose of
    the `r` batches, the writers' tricky lines of the `w` batches, the sentences of published
    postmortems of the `p` batches), so that more lines of an easy kind do not loosen the
    threshold for a hard one. The sentences of engineering blogs (`b`, see UNJUDGED_KINDS) set
    no bar."""
    everyone: list[float] = []
    kinds: dict[str, list[float]] = defaultdict(list)
    for row, score in zip(rows, scores, strict=True):
        if row.label == 0 and row.kind not in UNJUDGED_KINDS:
            everyone.append(score)
            if row.kind:
                kinds[row.kind].append(score)
    if not everyone:
        return 0.5
    threshold = max(
        _within_target(negatives)
        for negatives in (everyone, *kinds.values())
        if negatives is everyone or len(negatives) >= MIN_KIND_ROWS
    )
    return round(min(0.95, max(MIN_THRESHOLD, threshold + 1e-6)), 4)


MIN_KIND_ROWS = 200
"""Blameless rows a kind needs for its own false-alarm rate to be judged."""
MIN_THRESHOLD = 0.4
"""The lowest threshold chosen, however low the blameless rows score, so that the model's
weakest readings are never reported. It is under one half: with the many blameless sentences
of the `b` batches the model scores everything lower, and so does the threshold that keeps each
kind within the target."""
UNJUDGED_KINDS = frozenset({"b"})
"""Kinds of blameless row that teach the model but set no bar for the threshold. Sentences of
engineering blogs that name people (release notes, team updates, thanks) show how people are
named in ordinary technical prose, which the published postmortems are too few to show; they
are no postmortem text, so how many of them would be flagged says nothing of the text lint
reads (judged with the first two blogs alone, they raised the threshold from 0.47 to 0.66)."""


def _within_target(negatives: list[float]) -> float:
    """The score above which no more than TARGET_FP_RATE of these blameless rows lie."""
    ordered = sorted(negatives, reverse=True)
    allowed = int(len(ordered) * TARGET_FP_RATE)
    return ordered[allowed] if allowed < len(ordered) else 0.0


def train(
    rows: Sequence[Row],
    seed: int = 0,
    *,
    threshold: float | None = None,
    keep: Selection | None = None,
) -> dict[str, Any]:
    """Fit on every row and return the model file's content; with `keep`, on those features."""
    if len({row.label for row in rows}) < 2:
        raise UsageError("training needs both blameful and blameless rows")
    if threshold is None:
        threshold = choose_threshold(rows, cross_validate(rows, seed, keep))
    features, classifier, known, words, common = _fit(rows, seed, keep)
    names = features.names()
    order = sorted(range(len(names)), key=lambda i: names[i])
    coef = classifier.coef_[0]
    idf = features.idf()
    digest = hashlib.sha256()
    for row in rows:
        digest.update(f"{row.text}\t{row.label}\t{row.weight}\n".encode())
    return {
        "format": FORMAT,
        "version": VERSION,
        "threshold": threshold,
        "intercept": round(float(classifier.intercept_[0]), 8),
        "known_words": sorted(known),
        "common_words": sorted(common),
        "vocabulary": sorted(words),
        "features": [str(names[i]) for i in order],
        "idf": [round(float(idf[i]), 6) for i in order],
        "coef": [round(float(coef[i]), 6) for i in order],
        "metadata": {
            "rows": len(rows),
            "blameful": sum(row.label for row in rows),
            "corpus_sha256": digest.hexdigest(),
            "C": C,
            "selected": SELECTED,
            "min_df": MIN_DF,
            "seed": seed,
            **({"features": "kept"} if keep is not None else {}),
        },
    }


def refit(rows: Sequence[Row], taught: Sequence[Row], seed: int = 0) -> dict[str, Any]:
    """An archive's model: the shipped model's features and threshold, the features of the
    archive's own examples (`taught`, also among `rows`) added, and every weight fitted again.

    Kept, the features change nothing but what the examples teach, and with no choosing fit and
    no cross-validation it is several times quicker than training afresh. Without examples it
    gives the shipped model again.
    """
    packaged = PACKAGED_PATH.read_bytes()
    shipped = json.loads(gzip.decompress(packaged))
    keep = Selection(frozenset(shipped["features"]), tuple(row.text for row in taught))
    model = train(rows, seed, threshold=shipped["threshold"], keep=keep)
    # What it was trained from, so that lint can tell when the examples or the release moved on.
    model["metadata"]["examples_sha256"] = examples_digest(taught)
    model["metadata"]["shipped_sha256"] = hashlib.sha256(packaged).hexdigest()
    return model


def examples_digest(rows: Iterable[Row]) -> str:
    """What an archive's examples teach, as its model file records it: each line's text and
    label, in any order (sorting the file changes nothing a model learns)."""
    digest = hashlib.sha256()
    for text, label in sorted({(row.text, row.label) for row in rows}):
        digest.update(f"{text}\t{label}\n".encode())
    return digest.hexdigest()


def dump(model: dict[str, Any]) -> bytes:
    """The model file's bytes: gzipped JSON with no timestamp, so equal models give equal files."""
    text = json.dumps(model, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m incident_docs.blameless.training`: rebuild the shipped model from the corpus."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--output", type=Path, default=Path(str(PACKAGED_PATH)))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rows = corpus_rows()
    model = train(rows, args.seed)
    args.output.write_bytes(dump(model))
    print(
        f"wrote {args.output}: {len(rows)} lines, {len(model['features'])} features, "
        f"threshold {model['threshold']:.2f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
