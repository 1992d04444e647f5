"""An archive's blameless setup, read once: its model file, its own examples, its roster's names."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from incident_docs.blameless.engine import BlamelessOptions
from incident_docs.blameless.model import BlameModel, is_model_file, model_at, packaged_model
from incident_docs.blameless.prose import Checker, normalise
from incident_docs.blameless.training import PACKAGED_PATH, examples_digest, read_examples
from incident_docs.config import BlamelessConfig, setting_file
from incident_docs.diagnostics import UsageError
from incident_docs.models import Roster


def archive_model(root: Path, config: BlamelessConfig) -> BlameModel:
    """The archive's own model when `blameless train` has written one, else the shipped one."""
    path = setting_file(root, config.model_file, "model-file")
    try:
        stat = path.stat()
    except OSError:
        return packaged_model()
    try:
        return model_at(path, stat.st_mtime_ns)
    except (OSError, ValueError) as exc:
        detail = str(exc).removeprefix(f"{path}: ")  # the file is named once, as configured
        if "blameless train" not in detail:
            # Training replaces only a file that is a model: a broken one is removed first; the
            # roster or the examples file named by mistake is not, or it would be lost.
            detail += (
                "; remove it to use the shipped model, then run `incident blameless train` to "
                "train the archive's own again"
                if _damaged_model(path, config)
                else "; it holds something other than a blameless model: set model-file under "
                "[tool.incident-docs.blameless] to a file of its own, where `incident blameless "
                "train` writes the archive's model"
            )
        raise UsageError(f"{config.model_file}: unusable blameless model: {detail}") from None


def _damaged_model(path: Path, config: BlamelessConfig) -> bool:
    """The unusable file at model-file is a model gone bad, which may be removed: it is where
    training writes unless configured, or gzipped as training writes it, empty, or a model
    whose values are wrong; not a file of another use the setting names by mistake."""
    if config.model_file == BlamelessConfig().model_file:
        return True
    try:
        with path.open("rb") as handle:
            head = handle.read(2)
        return head in (b"", b"\x1f\x8b") or is_model_file(path)
    except OSError:
        return False


def own_model_file(root: Path, config: BlamelessConfig) -> str | None:
    """The archive's model file as configured when lint scores with it (see archive_model);
    None when it uses the shipped model, or none."""
    if not config.model:
        return None
    own = setting_file(root, config.model_file, "model-file").exists()
    return config.model_file if own else None


def stale_model(root: Path, config: BlamelessConfig) -> str | None:
    """Why the archive's own model no longer fits what it was trained from, when it does not:
    the examples file changed since `blameless train` (or is no longer configured), or the
    release's shipped model did. Lint still uses the model; this says to train it again."""
    if not config.model:
        return None
    if not setting_file(root, config.model_file, "model-file").is_file():
        return None  # the shipped model, which nothing was trained from
    metadata = archive_model(root, config).metadata
    learnt, shipped = metadata.get("examples_sha256"), metadata.get("shipped_sha256")
    again = "run `incident blameless train` to train it again"
    if isinstance(learnt, str):
        rows = read_examples(root, config.examples) if config.examples else []
        if examples_digest(rows) != learnt:
            if config.examples is None:
                return (
                    f"{config.model_file} was trained on examples the configuration no longer "
                    f"names: {again}, or remove it to use the shipped model"
                )
            return f"{config.model_file} was trained before {config.examples} changed: {again}"
    if isinstance(shipped, str) and shipped != _packaged_digest():
        return f"{config.model_file} was trained from another release's model: {again}"
    return None


@lru_cache(maxsize=1)
def _packaged_digest() -> str:
    return hashlib.sha256(PACKAGED_PATH.read_bytes()).hexdigest()


@lru_cache(maxsize=8)
def load_checker(
    root: Path, config: BlamelessConfig, roster: Roster, note_allowed: bool = False
) -> Checker:
    """The checker for an archive: read once per root, configuration and roster; with
    `note_allowed`, one that notes which allowed phrases keep a finding away."""
    options = BlamelessOptions(
        people=roster.name_words(), allow=config.allow, extra_terms=config.extra_terms
    )
    model = archive_model(root, config) if config.model else None
    threshold = config.threshold or (model.threshold if model else 0.5)
    examples: dict[str, int] = {}
    if config.examples:
        for row in read_examples(root, config.examples):
            examples[normalise(row.text)] = row.label
    return Checker(options, model, threshold, examples, note_allowed)
