"""How the BL family's time grows with lines built to hit it thousands of times.

    python benchmarks/blameless_hostile.py [--repeat 2000]

Each shape is a line opening, then a unit repeated `--repeat` times (ten times as often for a
unit of one character) and four times as often (a table's shape: its header, rule and row, each
as wide), linted as
`incident lint --select BL -` lints a document from standard input, in this process (the model
is loaded before the clock starts). A check that searches the whole line once per hit grows
sixteenfold when the line grows fourfold; linear work grows fourfold. The ratio printed is the
growth: about 4 is the target, and anything near 16 is a quadratic path.
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import replace
from pathlib import Path

from incident_docs.cli import Project
from incident_docs.linter import lint, selection_from

SHAPES = {
    # name: (what opens the line, the unit repeated)
    "one word, no sentence end": ("", "obviously "),
    "one endless sentence": ("", "Bob forgot to check and "),
    "quoted passages": ("", '"the deploy obviously broke" and Bob obviously forgot '),
    "emphasis, no clause break": ("", "**Bob** obviously _forgot_ "),
    "a sentence-wide veto": ("", "human error "),
    # Words also said in passing, each weighed with its sentence (read once for all of them).
    "discourse markers": ("", "the service is up and of course "),
    "a frame before each hit": ("", "it would be easy to call this human error and "),
    "many sentences": ("", "Bob obviously forgot. "),
    "table cells": ("", "| Dave should have known "),
    "list items": ("", "- Bob obviously forgot\n"),
    "a list item of stars": ("- ", "*"),
    "a list item of blanks": ("- ", " "),
    "angle brackets": ("The deploy ", "<"),
    "backticks": ("The deploy ", "`"),
    # What the checks read as the page shows it (prose.as_shown): a run of stars inside a word,
    # with an entity that makes them look; a word of mixed scripts; unclosed comments in words.
    "stars in a word, an entity": ("R&amp;D rotated AKIA", "*"),
    "a word of mixed scripts": ("See \u043b\u043e\u0433 ", "a"),
    "comments never closed": ("", "Dave a<!--"),
    "a heading's comments": ("## Notes", " <!-- a -->"),
    # Blocks of suppressed lines that are never closed: each one covers every finding after it.
    "disable blocks never closed": ("", "<!-- incident-docs disable BL005 -->\n\nHuman error.\n\n"),
    # A suppression comment that never closes, its word or its codes running to the line's end.
    "suppression verb unclosed": ("<!-- incident-docs ", "a"),
    "suppression codes unclosed": ("<!-- incident-docs disable", " "),
    "suppression comments never closed": ("", "<!-- incident-docs disable BL002 "),
    # Blocks read as the site reads them: comments over lines, code spans holding comment
    # marks, admonitions opened one after another in a paragraph, quotes in quotes.
    "comments over lines": ("", "Dave <!--\n-->broke it "),
    "comment marks in code spans": ("", "`<!--` "),
    # Links never closed: each opener's target was searched to the line's next blank.
    "links never closed": ("The cache filled after the deploy ", "[a]("),
    "images never closed": ("The cache filled after the deploy ", "![img]("),
    "link titles never closed": ("The cache filled after the deploy ", '](x "'),
    "admonitions in a paragraph": ("Text.\n", "!!! note\nDave obviously forgot.\n"),
    "quotes in quotes": ("", "> "),
    # A front-matter value of thousands of hits: each placed on its line and column.
    "a front-matter title of hits": ("---\ntitle: ", "Bob forgot to restart the cache "),
}
CLOSING = {"a front-matter title of hits": "\n---\n\n# Notes\n"}
ALLOWING = {
    # Read again without the archive's allowed phrases (Checker.allowed_used), with every hit of
    # the line kept away by one of them, or by none.
    "allowed phrase on each hit": ("obviously",),
    "allowed phrase by each hit": ("blast radius",),
}
SHAPES.update(
    {
        "allowed phrase on each hit": ("", "obviously "),
        "allowed phrase by each hit": ("", "the blast radius obviously grew and "),
    }
)
WIDE = {
    # A table as wide as the unit is repeated: a header, its rule and a row, each that wide.
    # Every column is one of who acted, whose cells the model reads only with their row.
    "a table of who columns": ("|Who", "|-", "|Ops team"),
}
SHAPES.update({name: ("", columns[0]) for name, columns in WIDE.items()})


def _built(name: str, opening: str, unit: str, repeat: int) -> str:
    if name in WIDE:
        return "".join(column * repeat + "|\n" for column in WIDE[name])
    return opening + unit * repeat + CLOSING.get(name, "")


def _once(text: str, project: Project, allow: tuple[str, ...] = ()) -> float:
    context = project.lint_context()
    if allow:
        blameless = context.config.blameless.model_copy(update={"allow": allow})
        context = replace(
            context, config=context.config.model_copy(update={"blameless": blameless})
        )
    selection = selection_from(project.config, ("BL",))
    started = time.perf_counter()
    lint(context, selection, stdin=(text.encode(), "<stdin>"))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    project = Project(Path.cwd())
    _once("Bob obviously forgot.", project)  # loads the model
    print(f"{'shape':28} {'chars':>8} {'s (1x)':>8} {'s (4x)':>8} {'growth':>7}")
    for name, (opening, unit) in SHAPES.items():
        repeat = options.repeat * (10 if len(unit) == 1 else 1)
        small = _built(name, opening, unit, repeat)
        large = _built(name, opening, unit, repeat * 4)
        runs: dict[str, list[float]] = {"1x": [], "4x": []}
        allow = ALLOWING.get(name, ())
        for _ in range(options.runs):  # interleaved, so a busy moment hurts both alike
            runs["1x"].append(_once(small, project, allow))
            runs["4x"].append(_once(large, project, allow))
        one, four = statistics.median(runs["1x"]), statistics.median(runs["4x"])
        print(f"{name:28} {len(large):8} {one:8.3f} {four:8.3f} {four / one:6.1f}x")


if __name__ == "__main__":
    main()
