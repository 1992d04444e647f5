"""The `incident blameless` commands: explain a sentence, train the archive's own model."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import replace
from pathlib import Path

import click

from incident_docs.blameless.archive import load_checker, own_model_file, stale_model
from incident_docs.blameless.model import is_model_file
from incident_docs.blameless.prose import as_shown
from incident_docs.blameless.training import archive_training_rows, dump, refit
from incident_docs.cli import Project, echo, main, pass_project, yes_option
from incident_docs.config import setting_file
from incident_docs.diagnostics import UsageError
from incident_docs.store import write_atomic


class _SentenceCommand(click.Command):
    """A command whose argument is a sentence, which may open with a dash: a pasted list item
    ("- 4:59 Priya paged the DBA") holds a space, which no option does, so it is the sentence."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if "--" not in args:
            at = next(
                (index for index, arg in enumerate(args) if arg[:1] == "-" and " " in arg), None
            )
            if at is not None:  # after the options, wherever they were written
                args = [*args[:at], *args[at + 1 :], "--", args[at]]
        return super().parse_args(ctx, args)


@main.group("blameless")
def blameless_group() -> None:
    """Blameless language: explain what reads as blame, train on the archive's own examples."""


@blameless_group.command("explain", cls=_SentenceCommand)
@click.argument("sentence")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
@pass_project
def explain_command(project: Project, sentence: str, output_format: str) -> None:
    """Show the model's score, the rule hits and the strongest cue words for SENTENCE.

    A sentence that starts with a dash (a list item) is read as the sentence, or may go after
    `--` with the options before it:

    \b
        incident blameless explain "- 4:59 Priya paged the DBA"
        incident blameless explain --format json -- "- 4:59 Priya paged the DBA"
    """
    if not as_shown(sentence)[0].strip():  # nothing that shows: no words to explain
        raise UsageError("explain: give the sentence to explain, in quotation marks")
    checker = load_checker(project.root, project.config.blameless, project.roster)
    stale = stale_model(project.root, project.config.blameless)
    if stale is not None:
        echo(f"incident: warning: {stale}", err=True)
    explanation = replace(
        checker.explain(sentence), model_file=own_model_file(project.root, project.config.blameless)
    )
    if output_format == "json":
        echo(json.dumps(explanation.as_dict(), indent=2, ensure_ascii=False))
    else:
        echo(explanation.as_text())
    raise SystemExit(1 if explanation.flagged else 0)


@blameless_group.command("train")
@click.option(
    "--output",
    type=click.Path(dir_okay=False),
    help="Model file to write (default: [tool.incident-docs.blameless] model-file).",
)
@click.option(
    "--seed",
    type=click.IntRange(0, 2**32 - 1),
    default=0,
    show_default=True,
    help="Random seed of the fit.",
)
@yes_option
@pass_project
def train_command(project: Project, output: str | None, seed: int, yes: bool) -> None:
    """Train the archive's model on the shipped corpus plus the configured examples file."""
    project.require_archive()
    config = project.config.blameless
    # Where the model goes is settled before training, not after it.
    shown = output or config.model_file
    if output is None:
        target = setting_file(project.root, config.model_file, "model-file")
    else:
        target = Path(output)
        if target.exists() and not target.is_file():
            raise UsageError(f"{output}: not a regular file; give the path of a model file")
    try:
        replaces_other = target.is_file() and not is_model_file(target)
    except OSError as exc:
        raise UsageError(f"{shown}: cannot read: {exc.strerror or exc}") from None
    if replaces_other:
        # The examples file, the configuration, a record: training never writes over them.
        raise UsageError(
            f"{shown}: holds something other than a blameless model; training replaces only "
            "a model file: remove it or write the model elsewhere"
        )
    folder = next(folder for folder in target.parents if folder.exists())
    if not folder.is_dir():
        raise UsageError(f"{shown}: {folder.name} is not a folder")
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass  # a folder that takes no new file is found now, not after training
    except OSError as exc:
        raise UsageError(f"{shown}: cannot write there: {exc.strerror or exc}") from None
    rows, own = archive_training_rows(project.root, config)
    echo(f"training on {len(rows)} lines ({own} of them the archive's own examples)...")
    model = refit(rows, rows[len(rows) - own :], seed)
    try:
        write_atomic(target, dump(model))
    except OSError as exc:
        raise UsageError(f"{shown}: cannot write: {exc.strerror or exc}") from None
    echo(f"wrote {shown}: {len(model['features'])} features, threshold {model['threshold']:.2f}")
    # realpath, not resolve(): a symbolic link that loops is no error here, only not the same.
    if os.path.realpath(target) != os.path.realpath(project.root / config.model_file):
        echo(f"lint reads {config.model_file}; copy the file there to use it")
    if not config.model:
        echo("lint uses no model while [tool.incident-docs.blameless] model = false")
