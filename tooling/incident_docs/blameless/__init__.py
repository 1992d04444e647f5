"""Blameless language: explainable rules, a small trained model, and the prose of a record they read.

- lexicon.py: the word lists the rules are built from; agents.py: who a word refers to;
- patterns.py: the rule table, one entry per pattern; engine.py: running it over a chunk of prose;
- model.py: the trained model, scored in plain Python; training.py: fitting it (scikit-learn);
- prose.py: what a record publishes (body blocks, front-matter fields), checked by both.
"""

from incident_docs.blameless.engine import (
    EXAMPLES,
    RULES,
    BlameHit,
    BlamelessOptions,
    allowed_phrase,
    check_text,
)
from incident_docs.blameless.prose import Checker, check_document, check_markdown

__all__ = [
    "EXAMPLES",
    "RULES",
    "BlameHit",
    "BlamelessOptions",
    "Checker",
    "allowed_phrase",
    "check_document",
    "check_markdown",
    "check_text",
]
