"""Records stay ordinary Markdown with YAML front-matter: the usual library reads them the same.

Records are read by our own reader (document.py) rather than python-frontmatter because that
library gives no line numbers, keeps the last of two repeated keys without a word, builds YAML
tags into objects before anything can refuse them, and loses comments when it writes.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import frontmatter
import pytest

from incident_docs.document import parse_text
from support.archive import REPO, record_files

RECORDS = record_files(REPO)


def _same(ours: Any, theirs: Any) -> bool:
    """Equal, counting our timestamp text and PyYAML's datetime for the same moment as equal."""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        return ours.keys() == theirs.keys() and all(_same(ours[k], theirs[k]) for k in ours)
    if isinstance(ours, list) and isinstance(theirs, list):
        return len(ours) == len(theirs) and all(map(_same, ours, theirs))
    if isinstance(ours, str) and isinstance(theirs, datetime):
        return datetime.fromisoformat(ours.replace("Z", "+00:00")) == theirs
    if isinstance(ours, str) and isinstance(theirs, date):
        return date.fromisoformat(ours) == theirs
    return bool(ours == theirs)


@pytest.mark.parametrize("path", RECORDS, ids=lambda p: p.name)
def test_every_example_record_loads_with_python_frontmatter_to_the_same_metadata(
    path: Path,
) -> None:
    text = path.read_text(encoding="utf-8")
    ours = parse_text(text, path.name)
    theirs = frontmatter.loads(text)
    assert ours.problems == []
    assert _same(ours.front_matter, theirs.metadata)
    body = "\n".join(ours.lines[ours.front_matter_end :]).strip()
    assert body == theirs.content.strip()
