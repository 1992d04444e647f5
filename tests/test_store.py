"""The store keeps every byte it is not asked to change, writes atomically and refuses broken records."""

from __future__ import annotations

import fcntl
import os
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from incident_docs import handoffs, inputs, lifecycle, store
from incident_docs.config import Config
from incident_docs.diagnostics import UsageError
from incident_docs.lifecycle import Change
from incident_docs.models import EntryKind, IncidentStatus, MitigationAction, Role
from incident_docs.timeline import out_of_order
from support.archive import CHRISTMAS, timeline_entries

T0 = datetime(2024, 5, 2, 10, 5, tzinfo=UTC)
CONFIG = Config()

RECORD = """\
---
# Written by hand during the incident.
id: INC-2024-05-02-api-errors  # never changes
title: "API errors after deploy"
severity: 'SEV2'
status: investigating
declared_at: 2024-05-02T10:05:00Z
declared_by: sam
services: [api]   # the public API only
criteria:
  user_facing: true
roles:
  incident_commander: sam
  communications_lead: sam
  ops_lead: sam
status_history:
  - status: investigating
    at: 2024-05-02T10:05:00Z
---

# API errors after deploy

## Summary

_TODO: what is wrong._

## Timeline

- 2024-05-02T10:05:00Z **status** by sam: Declared SEV2 incident.
- 2024-05-02T10:20:00Z **note** by sam: Error rate at 20%.
  A continuation line that belongs to the entry above.

## Notes

Free text the tool never touches: *emphasis*, trailing spaces \x20\x20
"""


def write(tmp_path: Path, text: str | bytes = RECORD) -> Path:
    folder = tmp_path / "incidents"
    folder.mkdir(exist_ok=True)
    path = folder / "INC-2024-05-02-api-errors.md"
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


Make = Callable[[store.IncidentFile], Change]


def edit(tmp_path: Path, path: Path, make: Make) -> store.EditResult:
    return store.edit_incident(tmp_path, path, "incidents/" + path.name, CONFIG, make)


def note(minutes: int, text: str, by: str = "sam") -> Make:
    return lambda f: lifecycle.log_entry(
        f.incident, EntryKind.NOTE, text, by=by, at=T0 + timedelta(minutes=minutes)
    )


def rollback(minutes: int) -> Make:
    return lambda f: lifecycle.log_entry(
        f.incident,
        EntryKind.MITIGATION,
        "Rolled back.",
        by="dana",
        at=T0 + timedelta(minutes=minutes),
        action=MitigationAction.ROLLBACK,
    )


def test_an_edit_changes_only_what_it_is_about(tmp_path: Path) -> None:
    path = write(tmp_path)
    edit(tmp_path, path, rollback(25))
    after = path.read_text()
    # The same text, plus two lines: mitigated_at and the entry.
    assert (
        after.replace("mitigated_at: 2024-05-02T10:30:00Z\n", "").replace(
            "- 2024-05-02T10:30:00Z **mitigation/rollback** by dana: Rolled back.\n", ""
        )
        == RECORD
    )
    lines = after.splitlines()
    assert lines.index("mitigated_at: 2024-05-02T10:30:00Z") == lines.index("declared_by: sam") + 1
    assert lines.index("- 2024-05-02T10:30:00Z **mitigation/rollback** by dana: Rolled back.") == (
        lines.index("  A continuation line that belongs to the entry above.") + 1
    )


def test_backfilled_entries_land_in_time_order(tmp_path: Path) -> None:
    path = write(tmp_path)
    for minutes, text in ((-5, "first"), (30, "last"), (10, "middle"), (10, "middle again")):
        edit(tmp_path, path, note(minutes, text))
    current = store.read_incident(path, "x", CONFIG)
    assert [e.text for e in current.entries] == [
        "first",
        "Declared SEV2 incident.",
        "middle",
        "middle again",
        "Error rate at 20%. A continuation line that belongs to the entry above.",
        "last",
    ]
    assert list(out_of_order(list(current.entries))) == []


def test_an_entry_is_refused_when_the_timeline_heading_is_misspelled(tmp_path: Path) -> None:
    """A second `## Timeline` at the end would take the timeline from the entries above it."""
    path = write(tmp_path, RECORD.replace("## Timeline", "## Timline"))
    before = path.read_bytes()
    with pytest.raises(UsageError, match=r"INC-2024-05-02-api-errors.md:29: a timeline entry, "):
        edit(tmp_path, path, note(30, "Restarted the workers."))
    assert path.read_bytes() == before
    # With no entry anywhere, the section is made for the first one.
    path = write(tmp_path, RECORD.split("## Timeline")[0])
    edit(tmp_path, path, note(30, "Restarted the workers."))
    assert [e.text for e in store.read_incident(path, "x", CONFIG).entries] == [
        "Restarted the workers."
    ]


def test_an_entry_goes_under_the_heading_the_configuration_names_the_timeline(
    tmp_path: Path,
) -> None:
    """Lint takes `## Chronology` for the timeline when configured so: an entry is no refusal."""
    config = Config.model_validate({"section_aliases": {"Timeline": ["Chronology"]}})
    path = write(tmp_path, RECORD.replace("## Timeline", "## Chronology"))
    store.edit_incident(tmp_path, path, "incidents/" + path.name, config, note(30, "Restarted."))
    text = path.read_text()
    assert "## Timeline" not in text
    assert text.index("by sam: Restarted.") > text.index("## Chronology")


def test_entries_of_another_section_leave_the_first_entry_its_timeline(tmp_path: Path) -> None:
    """A chat transcript in a record with no timeline yet: the entry starts `## Timeline`."""
    body = RECORD.split("## Timeline")[0]
    transcript = "## Chat transcript\n\n- 2024-05-02T10:06:00Z **note** by jo: Seeing 500s.\n"
    path = write(tmp_path, body + transcript)
    edit(tmp_path, path, note(30, "Restarted the workers."))
    assert [e.text for e in store.read_incident(path, "x", CONFIG).entries] == [
        "Restarted the workers."
    ]
    assert path.read_text().endswith(
        "## Timeline\n\n- 2024-05-02T10:35:00Z **note** by sam: Restarted the workers.\n"
    )


def test_what_an_edit_inserts_goes_above_the_comments_of_the_line_below(tmp_path: Path) -> None:
    # A suppression (or any comment) above a key or an entry belongs to it: a key or an entry
    # written between them took its suppression, and lint failed on both lines.
    suppress = "<!-- incident-docs disable-next-line BL003 -->"
    path = write(
        tmp_path,
        RECORD.replace("declared_by: sam\n", f"declared_by: sam\n# {suppress}\n").replace(
            "- 2024-05-02T10:05:00Z", f"{suppress}\n- 2024-05-02T10:05:00Z"
        ),
    )
    edit(tmp_path, path, rollback(25))
    edit(tmp_path, path, note(-5, "Alert fired."))
    lines = path.read_text().splitlines()
    mitigated = lines.index("mitigated_at: 2024-05-02T10:30:00Z")
    assert lines[mitigated + 1 : mitigated + 3] == [
        f"# {suppress}",
        "services: [api]   # the public API only",
    ]
    first = lines.index("- 2024-05-02T10:00:00Z **note** by sam: Alert fired.")
    assert lines[first + 1 : first + 3] == [
        suppress,
        "- 2024-05-02T10:05:00Z **status** by sam: Declared SEV2 incident.",
    ]


def test_a_line_of_a_quoted_value_that_starts_with_a_hash_is_no_comment_to_go_above() -> None:
    lines = [
        "id: INC-1",
        'title: "Search results slow',
        '#4521 (the rebuild job)"',
        "# <!-- incident-docs disable-next-line BL003 -->",
        "summary: Obviously stale.",
    ]
    change = Change(sets=((("severity",), "SEV2"),))
    assert store.edit_front_matter(lines, change, "incident", "inc.md") == [
        *lines[:3],
        "severity: SEV2",
        *lines[3:],
    ]


def test_a_comment_under_an_entry_is_not_its_text(tmp_path: Path) -> None:
    path = write(tmp_path, RECORD.replace(
        "  A continuation line that belongs to the entry above.\n",
        "  A continuation line that belongs to the entry above.\n"
        "  <!-- incident-docs disable-next-line BL004 -->\n"))  # fmt: skip
    texts = [e.text for e in store.read_incident(path, "x", CONFIG).entries]
    assert "Error rate at 20%. A continuation line that belongs to the entry above." in texts
    # "<" that opens no tag is text wrapped like any other.
    path = write(tmp_path, RECORD.replace(
        "  A continuation line that belongs to the entry above.\n", "  <1% a minute later.\n"))  # fmt: skip
    texts = [e.text for e in store.read_incident(path, "x", CONFIG).entries]
    assert "Error rate at 20%. <1% a minute later." in texts
    path = write(tmp_path, RECORD.replace(
        "  A continuation line that belongs to the entry above.\n",
        "  <a few seconds later, see\n  <https://status.example.com/x> for the notice.\n"))  # fmt: skip
    texts = [e.text for e in store.read_incident(path, "x", CONFIG).entries]
    assert (
        "Error rate at 20%. <a few seconds later, see <https://status.example.com/x> for the notice."
        in texts
    )


def test_an_entry_added_after_an_item_with_a_block_never_splits_it(tmp_path: Path) -> None:
    # A code block after a blank line is still the item's: the new entry used to land between
    # "Error log excerpt:" and its excerpt, which then read as the new entry's.
    item = (
        "- 2024-05-02T10:20:00Z **note** by sam: Error log excerpt:\n"
        "\n"
        "  ```\n"
        "  ERROR pool exhausted on db-3\n"
        "  ```\n"
        "\n"
        "  - a nested note, after a blank line\n"
    )
    path = write(tmp_path, RECORD.replace(
        "- 2024-05-02T10:20:00Z **note** by sam: Error rate at 20%.\n"
        "  A continuation line that belongs to the entry above.\n", item))  # fmt: skip
    edit(tmp_path, path, note(20, "Paged the DB team"))
    assert item + "- 2024-05-02T10:25:00Z **note** by sam: Paged the DB team\n" in path.read_text()


def test_an_entry_added_after_an_item_wrapped_without_indent_never_splits_it(
    tmp_path: Path,
) -> None:
    # Markdown reads an unindented line right after an item's text as more of it (a lazy
    # continuation): the new entry used to land above it, and the line read as the new entry's.
    item = (
        "- 2024-05-02T10:20:00Z **note** by sam: Error rate at 20%, the whole\n"
        "EU region is affected.\n"
    )
    path = write(tmp_path, RECORD.replace(
        "- 2024-05-02T10:20:00Z **note** by sam: Error rate at 20%.\n"
        "  A continuation line that belongs to the entry above.\n", item))  # fmt: skip
    result = edit(tmp_path, path, note(20, "Paged the DB team"))
    assert item + "- 2024-05-02T10:25:00Z **note** by sam: Paged the DB team\n" in path.read_text()
    texts = [e.text for e in result.after.entries]
    assert "Error rate at 20%, the whole EU region is affected." in texts
    assert result.after.entry_lines()[1] == item.rstrip("\n")


def test_an_entry_added_before_a_details_block_stays_out_of_it(tmp_path: Path) -> None:
    # A line that opens with a block element's tag starts a block of HTML, which ends the item
    # above it: it was read as the entry's text, and the new entry written under it, inside the
    # HTML, where GitHub and the site show it as plain text.
    details = "<details><summary>Dashboards</summary>\n\n- p99 at 4 s\n\n</details>\n"
    path = write(tmp_path, RECORD.replace(
        "  A continuation line that belongs to the entry above.\n", details))  # fmt: skip
    result = edit(tmp_path, path, note(20, "Paged the DB team"))
    assert "Error rate at 20%." in [e.text for e in result.after.entries]
    assert (
        "- 2024-05-02T10:20:00Z **note** by sam: Error rate at 20%.\n"
        "- 2024-05-02T10:25:00Z **note** by sam: Paged the DB team\n<details>"
    ) in path.read_text()


def test_an_entry_added_to_a_timeline_written_with_another_bullet_takes_that_bullet(
    tmp_path: Path,
) -> None:
    # Markdown ends a list where its bullet changes: a `-` entry among `*` ones split the
    # timeline into three lists, set apart on GitHub and on the site.
    path = write(tmp_path, RECORD.replace("- 2024-05-02T10:", "*   2024-05-02T10:"))
    edit(tmp_path, path, note(-5, "first"))
    edit(tmp_path, path, note(10, "middle"))
    timeline = path.read_text().split("## Timeline\n\n")[1].split("\n\n")[0].splitlines()
    assert [line.split("2024")[0] for line in timeline if "**" in line] == ["*   "] * 4


def test_crlf_and_bom_survive(tmp_path: Path) -> None:
    original = ("\ufeff" + RECORD.replace("\n", "\r\n")).encode()
    path = write(tmp_path, original)
    edit(tmp_path, path, note(1, "still CRLF"))
    raw = path.read_bytes()
    assert raw.startswith("\ufeff".encode())
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert b"- 2024-05-02T10:06:00Z **note** by sam: still CRLF\r\n" in raw


def test_a_record_with_classic_mac_line_ends_keeps_them(tmp_path: Path) -> None:
    path = write(tmp_path, RECORD.replace("\n", "\r").encode())
    edit(tmp_path, path, note(1, "still CR"))
    raw = path.read_bytes()
    assert b"\n" not in raw
    assert b"- 2024-05-02T10:06:00Z **note** by sam: still CR\r" in raw


def test_a_file_without_final_newline_gets_the_entry_at_the_end(tmp_path: Path) -> None:
    text = RECORD.split("\n## Notes")[0].rstrip("\n")
    path = write(tmp_path, text)
    edit(tmp_path, path, note(60, "late"))
    assert path.read_text().endswith("above.\n- 2024-05-02T11:05:00Z **note** by sam: late")


def test_the_original_spelling_of_untouched_yaml_is_kept(tmp_path: Path) -> None:
    odd = RECORD.replace(
        "status_history:\n  - status: investigating\n    at: 2024-05-02T10:05:00Z",
        "status_history:\n- status: investigating\n  at: 2024-05-02T10:05:00Z\npostmortem: ~",
    )
    path = write(tmp_path, odd)
    edit(
        tmp_path,
        path,
        lambda f: lifecycle.assign(
            f.incident, Role.OPS_LEAD, "dana", by="sam", at=T0 + timedelta(minutes=1)
        ),
    )
    after = path.read_text()
    assert "postmortem: ~\n" in after
    assert "status_history:\n- status: investigating\n  at: 2024-05-02T10:05:00Z\n" in after
    assert "  ops_lead: dana  " not in after and "  ops_lead: dana\n" in after
    assert "handoffs:\n- at: 2024-05-02T10:06:00Z\n  role: ops_lead\n" in after


def test_an_item_added_to_a_list_indented_its_own_way_keeps_the_rest_as_written() -> None:
    # One list indented by four, the others by two: the new item once made the whole
    # front-matter written anew, `~` and the spacing of a flow list with it.
    lines = [
        "id: INC-1",
        "postmortem: ~",
        "tags: [ api,  deploy ]",
        "handoffs:",
        "  - at: 2024-05-02T10:00:00Z",
        "    role: ops_lead",
        "    from: sam",
        "    to: lee",
        "status_history:",
        "    - status: investigating",
        "      at: 2024-05-02T10:05:00Z",
        "summary: x",
    ]
    item = {"status": "identified", "at": T0 + timedelta(minutes=30)}
    change = Change(appends=(("status_history", item),))
    edited = store.edit_front_matter(lines, change, "incident", "inc.md")
    new = ["    - status: identified", "      at: 2024-05-02T10:35:00Z"]
    assert edited == [*lines[:11], *new, "summary: x"]


def test_a_block_indented_unlike_the_first_one_is_edited_in_its_own_indentation() -> None:
    # Criteria indented by four and roles by two: a handoff once wrote the roles anew, in the
    # first block's indentation, the lines it was not about too.
    lines = [
        "id: INC-1",
        "criteria:",
        "    user_facing: true",
        "roles:",
        "  incident_commander: sam",
        "  communications_lead: sam",
        "  ops_lead: sam",
        "handoffs: []",
    ]
    handoff = {"at": T0, "role": "communications_lead", "from": "sam", "to": "lee"}
    change = Change(
        sets=((("roles", "communications_lead"), "lee"),), appends=(("handoffs", handoff),)
    )
    edited = store.edit_front_matter(lines, change, "incident", "inc.md")
    assert edited == [
        *lines[:5],
        "  communications_lead: lee",
        "  ops_lead: sam",
        "handoffs:",
        "  - at: 2024-05-02T10:05:00Z",
        "    role: communications_lead",
        "    from: sam",
        "    to: lee",
    ]


def test_an_item_goes_to_a_list_written_unlike_the_first_one_as_that_list_is_written() -> None:
    # Handoffs written `-   at:`, the status history `- status:`: a status change once wrote
    # the whole status history anew as the handoffs are.
    lines = [
        "handoffs:",
        "    -   at: 2024-05-02T10:00:00Z",
        "        role: ops_lead",
        "        from: lee",
        "        to: sam",
        "status_history:",
        "  - status: investigating",
        "    at: 2024-05-02T10:05:00Z",
    ]
    item = {"status": "identified", "at": T0 + timedelta(minutes=30)}
    change = Change(appends=(("status_history", item),))
    edited = store.edit_front_matter(lines, change, "incident", "inc.md")
    assert edited == [*lines, "  - status: identified", "    at: 2024-05-02T10:35:00Z"]


@pytest.mark.parametrize("first", ["handoffs", "status_history"])
def test_an_item_goes_to_its_list_as_written_when_another_list_starts_in_the_same_column(
    first: str,
) -> None:
    # Handoffs `  -   at:`, the status history `  - status:`: both read the same from either
    # spelling, and the new item once took that of whichever list came first.
    handoff = ["  -   at: 2024-05-02T10:00:00Z", "      role: ops_lead", "      to: sam"]
    status = ["  - status: investigating", "    at: 2024-05-02T10:05:00Z"]
    blocks = {"handoffs": ["handoffs:", *handoff], "status_history": ["status_history:", *status]}
    lines = [*blocks[first], *next(b for k, b in blocks.items() if k != first)]
    at = T0 + timedelta(minutes=30)
    added = store.edit_front_matter(
        lines,
        Change(
            appends=(
                ("handoffs", {"at": at, "role": "ops_lead", "to": "lee"}),
                ("status_history", {"status": "identified", "at": at}),
            )
        ),
        "incident",
        "inc.md",
    )
    assert "  -   at: 2024-05-02T10:35:00Z" in added
    assert "  - status: identified" in added
    only_status = Change(appends=(("status_history", {"status": "identified", "at": at}),))
    edited = store.edit_front_matter(lines, only_status, "incident", "inc.md")
    assert "  - status: identified" in edited and "    at: 2024-05-02T10:35:00Z" in edited
    only_handoff = Change(appends=(("handoffs", {"at": at, "role": "ops_lead", "to": "lee"}),))
    edited = store.edit_front_matter(lines, only_handoff, "incident", "inc.md")
    assert "  -   at: 2024-05-02T10:35:00Z" in edited and "      to: lee" in edited


def test_a_front_matter_indented_many_ways_is_read_twice_at_most_for_each_block_edited(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every indentation tried reads and writes the whole front-matter: trying each one its
    blocks use made a handoff on a record with a few hundred status changes take minutes."""
    lines = ["criteria:", "    user_facing: true", "audiences:", "   users: slow", "roles:"]
    lines += ["  ops_lead: sam", "handoffs:", "  -   at: 2024-05-02T10:00:00Z", "      to: sam"]
    lines += ["status_history:", "- status: investigating", "  at: 2024-05-02T10:05:00Z"]
    lines += ["services:", "    - api", "tags:", "  -  db"]
    loads: list[list[str]] = []
    real = store._load_for_edit

    def counted(yaml: YAML, source: list[str]) -> tuple[object, list[str]]:
        loads.append(source)
        return real(yaml, source)

    monkeypatch.setattr(store, "_load_for_edit", counted)
    handoff = {"at": T0, "role": "ops_lead", "from": "sam", "to": "lee"}
    change = Change(sets=((("roles", "ops_lead"), "lee"),), appends=(("handoffs", handoff),))
    edited = store.edit_front_matter(lines, change, "incident", "inc.md")
    assert len(loads) <= 4  # roles and handoffs
    assert edited == [
        *lines[:5],
        "  ops_lead: lee",
        *lines[6:9],
        "  -   at: 2024-05-02T10:05:00Z",
        "      role: ops_lead",
        "      from: sam",
        "      to: lee",
        *lines[9:],
    ]


@pytest.mark.parametrize("closing", [[], ["# end of the front-matter"]])
def test_a_list_indented_its_own_way_keeps_its_spelling_with_a_comment_on_its_last_item(
    closing: list[str],
) -> None:
    # The comment on the last item (its spaces narrowed by the writer), or one closing the
    # front-matter below it, made the whole list written anew, two spaces further in.
    lines = [
        "services:",
        "  - api   # the public one",
        "status_history:",
        "- status: investigating",
        "  at: 2024-05-02T10:05:00Z   # declared",
        *closing,
    ]
    item = {"status": "identified", "at": T0 + timedelta(minutes=30)}
    change = Change(appends=(("status_history", item),))
    edited = store.edit_front_matter(lines, change, "incident", "inc.md")
    new = ["- status: identified", "  at: 2024-05-02T10:35:00Z"]
    assert edited == [*lines[:5], *new, *closing]


def test_an_item_added_at_the_end_goes_above_the_comment_closing_the_front_matter() -> None:
    lines = [
        "id: INC-1",
        "status_history:",
        "  - status: investigating",
        "    at: 2024-05-02T10:05:00Z",
        "# postmortem: PM-1 (once it is written)",
    ]
    item = {"status": "identified", "at": T0 + timedelta(minutes=30)}
    change = Change(appends=(("status_history", item),))
    edited = store.edit_front_matter(lines, change, "incident", "inc.md")
    new = ["  - status: identified", "    at: 2024-05-02T10:35:00Z"]
    assert edited == [*lines[:4], *new, lines[4]]


HANDOFF = {"at": T0 + timedelta(minutes=40), "role": "ops_lead", "from": "sam", "to": "lee"}
IDENTIFIED = {"status": "identified", "at": T0 + timedelta(minutes=30)}


@pytest.mark.parametrize(
    ("lines", "key", "item", "new"),
    [
        (
            # Four spaces where the other list has none: the writer's list at the margin.
            [
                "id: INC-1",
                "postmortem: ~",
                "handoffs:",
                "- at: 2024-05-02T10:00:00Z",
                "  role: ops_lead",
                "  from: sam",
                "  to: lee",
                "status_history:",
                "    - status: investigating",
                "      at: 2024-05-02T10:05:00Z",
                "summary: x",
            ],
            "status_history",
            IDENTIFIED,
            ["    - status: identified", "      at: 2024-05-02T10:35:00Z"],
        ),
        (
            # Mappings indented by four, items at the margin as `- key:`: not `-   key:`.
            [
                "id: INC-1",
                "criteria:",
                "    user_facing: true",
                "handoffs:",
                "- at: 2024-05-02T10:00:00Z",
                "  role: ops_lead",
                "  from: priya",
                "  to: sam",
                "summary: x",
            ],
            "handoffs",
            HANDOFF,
            ["- at: 2024-05-02T10:45:00Z", "  role: ops_lead", "  from: sam", "  to: lee"],
        ),
    ],
    ids=["four-where-the-rest-have-none", "mappings-by-four-items-at-the-margin"],
)
def test_an_item_added_to_a_list_is_written_as_its_items_are(
    lines: list[str], key: str, item: dict[str, object], new: list[str]
) -> None:
    change = Change(appends=((key, item),))
    edited = store.edit_front_matter(lines, change, "incident", "inc.md")
    assert edited == [*lines[:-1], *new, lines[-1]]


@pytest.mark.parametrize(
    ("closing", "above"),
    [
        (["# postmortem: PM-1 (once it is written)"], True),
        (["", "# postmortem: PM-1 (once it is written)", ""], True),
        ([""], True),
        (["# - status: resolved"], False),  # an item put aside, at the list's own margin
    ],
    ids=["comment", "blank-lines-around-it", "blank-line", "item-put-aside"],
)
def test_an_item_added_to_a_list_at_the_margin_stays_above_what_closes_the_front_matter(
    closing: list[str], above: bool
) -> None:
    lines = [
        "id: INC-1",
        "status_history:",
        "- status: investigating",
        "  at: 2024-05-02T10:05:00Z",
    ]
    change = Change(appends=(("status_history", IDENTIFIED),))
    edited = store.edit_front_matter([*lines, *closing], change, "incident", "inc.md")
    new = ["- status: identified", "  at: 2024-05-02T10:35:00Z"]
    assert edited == ([*lines, *new, *closing] if above else [*lines, *closing, *new])


def test_an_item_added_to_a_list_goes_above_the_blank_line_that_ends_it() -> None:
    lines = [
        "id: INC-1",
        "status_history:",
        "  - status: investigating",
        "    at: 2024-05-02T10:05:00Z",
        "",
        "summary: x",
    ]
    change = Change(appends=(("status_history", IDENTIFIED),))
    edited = store.edit_front_matter(lines, change, "incident", "inc.md")
    new = ["  - status: identified", "    at: 2024-05-02T10:35:00Z"]
    assert edited == [*lines[:4], *new, *lines[4:]]


def test_a_blank_line_that_is_part_of_a_value_is_not_moved() -> None:
    # `|+` keeps its last blank line: a key added under it cannot go above that line.
    lines = ["id: INC-1", "title: |+", "  Slow search", "", "roles:", "  ops_lead: sam"]
    change = Change(sets=((("detected_at",), T0),))
    edited = store.edit_front_matter(lines, change, "incident", "inc.md")
    assert yaml.safe_load("\n".join(edited) + "\n")["title"] == "Slow search\n\n"


def test_a_summary_replaces_only_the_placeholder(tmp_path: Path) -> None:
    path = write(tmp_path)
    resolved = edit(
        tmp_path,
        path,
        lambda f: lifecycle.resolve(
            f.incident, "Rolled back a bad deploy.", by="sam", at=T0 + timedelta(minutes=50)
        ),
    )
    text = path.read_text()
    assert "## Summary\n\nRolled back a bad deploy.\n\n## Timeline" in text
    assert "summary: Rolled back a bad deploy.\n" in text
    assert resolved.after.incident.status is IncidentStatus.RESOLVED
    written = RECORD.replace("_TODO: what is wrong._", "We wrote this ourselves.")
    path.write_text(written)
    result = edit(
        tmp_path,
        path,
        lambda f: lifecycle.resolve(f.incident, "Other.", by="sam", at=T0 + timedelta(minutes=50)),
    )
    assert "We wrote this ourselves." in path.read_text()
    assert any("already had text" in n for n in result.notes)


@pytest.mark.parametrize(
    ("broken", "where"),
    [
        ("services: [api   # the public API only", ":9:"),
        ("severity: [SEV2]", ":5:"),
    ],
)
def test_a_broken_record_is_not_edited_and_the_error_says_where(
    tmp_path: Path, broken: str, where: str
) -> None:
    original = RECORD.replace(broken.split(":")[0] + ":", "REPLACED:", 1)
    original = RECORD.replace(
        next(line for line in RECORD.splitlines() if line.startswith(broken.split(":")[0] + ":")),
        broken,
    )
    path = write(tmp_path, original)
    with pytest.raises(UsageError, match=where):
        edit(tmp_path, path, note(1, "lost?"))
    assert path.read_text() == original


def test_atomic_writes_leave_no_temporary_files(tmp_path: Path) -> None:
    path = write(tmp_path)
    path.chmod(0o640)
    edit(tmp_path, path, note(1, "x"))
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]
    assert path.stat().st_mode & 0o777 == 0o640
    with pytest.raises(FileExistsError):
        store.write_atomic(path, b"other", exclusive=True)
    assert b"**note** by sam: x" in path.read_bytes()


def test_a_full_disk_names_the_record_and_leaves_it_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path)

    def full(_descriptor: int) -> None:
        raise OSError(28, "No space left on device")  # as a write or fsync raises it: no name

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError, match="No space left on device") as raised:
        edit(tmp_path, path, note(1, "lost?"))
    assert raised.value.filename == str(path)
    assert path.read_text() == RECORD
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


def test_a_lock_file_another_user_left_does_not_stop_the_next_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A shared checkout: the lock file one user's command made (0644) is only readable to the
    next user, whose writes once all failed with 'Permission denied' until it was removed."""
    path = write(tmp_path)
    lock = tmp_path / store.LOCK_NAME
    real_open = os.open

    def as_another_user(name: str | os.PathLike[str], flags: int, *args: int) -> int:
        # The permission check the kernel makes for a user that does not own the file (this
        # test may run as root, whom none applies to).
        if Path(name) == lock and lock.exists():
            mode = lock.stat().st_mode
            wants_write = flags & (os.O_RDWR | os.O_WRONLY)
            if (wants_write and not mode & 0o002) or not mode & 0o004:
                raise PermissionError(13, "Permission denied", str(name))
        return real_open(name, flags, *args)

    monkeypatch.setattr(os, "open", as_another_user)
    lock.touch()
    lock.chmod(0o644)
    edit(tmp_path, path, note(1, "Written by the next user."))
    assert "Written by the next user." in path.read_text()
    lock.chmod(0o600)
    monkeypatch.setattr(os, "geteuid", lambda: lock.stat().st_uid + 1)
    with pytest.raises(UsageError, match=r"another user's.*remove it while no incident command"):
        edit(tmp_path, path, note(2, "Not written."))
    assert "Not written." not in path.read_text()
    # This user's own, made unreadable (chmod 000): no other user's to ask about.
    monkeypatch.setattr(os, "geteuid", lambda: lock.stat().st_uid)
    lock.chmod(0o000)
    with pytest.raises(UsageError, match=r"this user's own, made unreadable; it holds nothing"):
        edit(tmp_path, path, note(2, "Not written."))
    assert "Not written." not in path.read_text()


def test_a_lock_file_another_user_left_is_named_where_only_a_writable_file_locks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """NFS and SMB take an exclusive lock only on a file open for writing: flock on the lock
    file opened for reading fails there with 'Bad file descriptor', which named no file."""
    path = write(tmp_path)
    lock = tmp_path / store.LOCK_NAME
    lock.touch()
    real_open, real_flock = os.open, fcntl.flock

    def as_another_user(name: str | os.PathLike[str], flags: int, *args: int) -> int:
        if Path(name) == lock and flags & (os.O_RDWR | os.O_WRONLY):
            raise PermissionError(13, "Permission denied", str(name))
        return real_open(name, flags, *args)

    def as_nfs(descriptor: int, operation: int) -> None:
        writable = fcntl.fcntl(descriptor, fcntl.F_GETFL) & os.O_ACCMODE
        if operation == fcntl.LOCK_EX and writable == os.O_RDONLY:
            raise OSError(9, "Bad file descriptor")
        real_flock(descriptor, operation)

    monkeypatch.setattr(os, "open", as_another_user)
    monkeypatch.setattr(fcntl, "flock", as_nfs)
    with pytest.raises(UsageError) as raised:
        edit(tmp_path, path, note(1, "Not written."))
    assert str(raised.value) == (
        ".incident-docs-lock: the write lock cannot be taken (Bad file descriptor): this file "
        "system locks only a file open for writing, and this user may not write this one "
        "(another user's, or made read-only); it holds nothing, so remove it while no incident "
        "command is running"
    )
    assert "Not written." not in path.read_text()
    monkeypatch.setattr(os, "open", real_open)  # the lock file made anew: this user's own
    edit(tmp_path, path, note(1, "Written."))
    assert "Written." in path.read_text()


def test_a_link_out_of_the_repository_is_neither_read_nor_replaced(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    outside = write(tmp_path)  # tmp_path/incidents/..., outside root
    (root / "incidents").mkdir(parents=True)
    link = root / "incidents" / outside.name
    link.symlink_to(outside)
    with pytest.raises(UsageError, match="symbolic link leads outside the repository"):
        store.edit_incident(root, link, "incidents/x.md", CONFIG, note(1, "pwned"))
    assert link.is_symlink() and outside.read_text() == RECORD


def test_a_link_inside_the_repository_is_edited_through_and_kept(tmp_path: Path) -> None:
    real = write(tmp_path)
    (tmp_path / "records").mkdir()
    link = tmp_path / "records" / real.name
    link.symlink_to(Path("..") / "incidents" / real.name)
    result = store.edit_incident(tmp_path, link, "records/x.md", CONFIG, note(1, "through"))
    assert link.is_symlink()
    assert "**note** by sam: through" in real.read_text()
    assert result.after.path == link


def test_create_never_overwrites(tmp_path: Path) -> None:
    folder = tmp_path / "incidents"
    made = [
        store.create_record(
            tmp_path,
            folder,
            lambda taken: (
                lifecycle.new_id("INC", T0.date(), "Same title", taken),
                "---\nid: x\n---\n",
            ),
        )
        for _ in range(3)
    ]
    assert [p.stem for p in made] == [
        "INC-2024-05-02-same-title",
        "INC-2024-05-02-same-title-2",
        "INC-2024-05-02-same-title-3",
    ]


def test_a_file_system_without_hard_links_still_gets_new_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A FAT drive or some network shares make no hard links: declare and postmortem once
    failed there with 'Operation not permitted', naming the record they could not create."""

    def no_hard_links(source: str, target: str | os.PathLike[str]) -> None:
        raise OSError(1, "Operation not permitted", source, None, str(target))

    monkeypatch.setattr(os, "link", no_hard_links)
    folder = tmp_path / "incidents"

    def record(text: str) -> Callable[[set[str]], tuple[str, str]]:
        return lambda taken: (lifecycle.new_id("INC", T0.date(), "Same title", taken), text)

    made = [store.create_record(tmp_path, folder, record(f"n{n}\n")) for n in range(2)]
    assert [(p.name, p.read_text()) for p in made] == [
        ("INC-2024-05-02-same-title.md", "n0\n"),
        ("INC-2024-05-02-same-title-2.md", "n1\n"),
    ]
    with pytest.raises(FileExistsError):
        store.write_atomic(made[0], b"other", exclusive=True)
    assert made[0].read_text() == "n0\n"
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in made)


# --- property: comments and prose survive any sequence of commands ------------------------------

_PRINTABLE = st.characters(
    blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="\ufeff\x85"
)
COMMENT = st.text(_PRINTABLE, min_size=1, max_size=30).map(lambda s: s.strip() or "x")
PROSE = st.lists(
    st.text(_PRINTABLE, max_size=40).filter(
        lambda s: "timeline" not in s.casefold() and "summary" not in s.casefold()
    ),
    max_size=6,
)
COMMANDS = st.lists(
    st.sampled_from(
        [
            "note",
            "backfill",
            "mitigation",
            "comms",
            "ops",
            "ic",
            "identified",
            "monitoring",
            "resolve",
        ]
    ),
    max_size=7,
)
FRONT_LINES = range(len(RECORD.split("---\n")[1].splitlines()))


def _command(name: str, step: int) -> Make:
    moment = T0 + timedelta(minutes=30 + step)

    def make(f: store.IncidentFile) -> Change:
        record = f.incident
        if name == "note":
            return lifecycle.log_entry(record, EntryKind.NOTE, f"n{step}", by="sam", at=moment)
        if name == "backfill":
            return lifecycle.log_entry(
                record, EntryKind.NOTE, f"b{step}", by="lee", at=T0 - timedelta(minutes=step)
            )
        if name == "mitigation":
            return lifecycle.log_entry(
                record,
                EntryKind.MITIGATION,
                f"m{step}",
                by="dana",
                at=moment,
                action=MitigationAction.SCALE_UP,
            )
        if name in ("comms", "ops", "ic"):
            role = inputs.parse_role(name)
            person = "lee" if getattr(record.roles, role.value) != "lee" else "jo"
            return lifecycle.assign(record, role, person, by="sam", at=moment)
        if name == "resolve":
            return lifecycle.resolve(record, f"Summary {step}.", by="sam", at=moment)
        return lifecycle.change_status(record, inputs.parse_status(name), by="sam", at=moment)

    return make


@settings(
    max_examples=int(os.environ.get("INCIDENT_DOCS_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    comments=st.lists(st.tuples(st.sampled_from(FRONT_LINES), COMMENT, st.booleans()), max_size=5),
    prose=PROSE,
    commands=COMMANDS,
    crlf=st.booleans(),
)
def test_comments_and_prose_survive_any_sequence_of_commands(
    tmp_path: Path,
    comments: list[tuple[int, str, bool]],
    prose: list[str],
    commands: list[str],
    crlf: bool,
) -> None:
    _head, front, body = RECORD.split("---\n", 2)
    front_lines = front.splitlines()
    written: list[str] = []
    for index, text, own_line in sorted(comments, reverse=True):
        if own_line:
            line = front_lines[index]
            front_lines.insert(index, " " * (len(line) - len(line.lstrip())) + f"# {text}")
            written.append(f"# {text}")
        elif not front_lines[index].rstrip().endswith(":") and "#" not in front_lines[index]:
            front_lines[index] += f"  # {text}"
            written.append(f"# {text}")
    notes = "\n".join(prose)
    original = f"---\n{chr(10).join(front_lines)}\n---\n{body}{notes}\n"
    if crlf:
        original = original.replace("\n", "\r\n")
    path = write(tmp_path, original)
    succeeded = 0
    for step, name in enumerate(commands):
        try:
            edit(tmp_path, path, _command(name, step))
            succeeded += 1
        except UsageError:
            pass  # an invalid transition is refused; the file must be untouched then too
    after = path.read_bytes().decode()
    for comment in written:
        assert comment in after, comment
    # Everything from the Notes heading to the end is byte for byte what it was.
    tail = original[original.index("## Notes") :]
    assert after.endswith(tail)
    # The head of the body too, up to the timeline.
    assert original[original.index("# API errors after deploy") : original.index("## Summary")] in (
        after
    )
    final = store.read_incident(path, "x", CONFIG)
    assert len(final.entries) == len(timeline_entries(RECORD)) + succeeded
    assert list(out_of_order(list(final.entries))) == []
    assert handoffs.replay_roles(final.incident).problems == ()
    if crlf:
        assert "\n" not in after.replace("\r\n", "")


ITEMS = [
    "title: Postmortem",
    "action_items:",
    "  - title: Add an alert  # detect it next time",
    "    owner: dana",
    "  - {title: Add a runbook, # for the on-call",
    "     owner: lee}",
]


def test_an_item_of_a_list_is_edited_in_place_with_its_comments() -> None:
    change = Change(sets=((("action_items", 0, "tracker"), "https://example.com/1"),))
    edited = store.edit_front_matter(ITEMS[:4], change, "postmortem", "pm.md")
    assert edited == [*ITEMS[:4], "    tracker: https://example.com/1"]


def test_items_added_to_a_list_go_where_it_is_with_its_comments() -> None:
    # `status --service` once set the whole list anew, which the comment refused.
    lines = ["id: INC-1", "services:", "  - checkout  # the storefront", "  - payments", "tags: []"]
    change = Change(sets=((("services",), ["checkout", "payments", "search"]),))
    edited = store.edit_front_matter(lines, change, "incident", "inc.md")
    assert edited == [*lines[:4], "  - search", "tags: []"]


def test_a_tab_after_a_colon_is_edited_as_lint_reads_it_and_kept() -> None:
    # Lint's reader takes "severity:<TAB>SEV4"; the editing one stopped on it, so every command
    # that changes the front-matter refused the record. The lines the edit leaves alone keep
    # their tabs, as the author typed them.
    lines = [
        "id: INC-1",
        "severity:\tSEV4",
        "tags:",
        "-\tdb",
        "note: 'a\ttab'",
        "lead: sam\t# the lead",
        "status:\tinvestigating",
    ]
    change = Change(sets=((("status",), "identified"),))
    edited = store.edit_front_matter(lines, change, "incident", "inc.md")
    assert edited == [*lines[:-1], "status: identified"]


def test_an_edit_that_would_drop_a_comment_is_refused() -> None:
    change = Change(sets=((("action_items", 1, "tracker"), "https://example.com/2"),))
    with pytest.raises(UsageError, match=r"pm\.md:6: this change would drop the comment"):
        store.edit_front_matter(ITEMS, change, "postmortem", "pm.md")


@pytest.mark.parametrize(
    "value",
    [
        'summary: "Rolled back deploy #4521"',
        "summary: Rolled back deploy PR#4521",
        "summary: 'see #12'",
        "summary: |\n  Rolled back deploy\n  #4521 and #4522",
        'summary: "two lines, the second\n  with #88"',
    ],
)
def test_a_hash_inside_a_value_is_no_comment_to_keep(value: str) -> None:
    # The tool writes such values itself (a summary naming an issue); a later edit of the same
    # value was refused as dropping a comment, so the record could not be changed again.
    lines = ["id: INC-1", *value.split("\n"), "status: resolved"]
    change = Change(sets=((("summary",), "Fixed the config typo"),))
    edited = store.edit_front_matter(lines, change, "incident", "inc.md")
    assert yaml.safe_load("\n".join(edited)) == {
        "id": "INC-1",
        "summary": "Fixed the config typo",
        "status": "resolved",
    }


def test_a_comment_after_a_quoted_value_is_still_kept() -> None:
    lines = ["id: INC-1", 'summary: "deploy #4521"  # from the bot', "status: resolved"]
    change = Change(sets=((("summary",), "Fixed"),))
    assert "# from the bot" in "\n".join(
        store.edit_front_matter(lines, change, "incident", "inc.md")
    )


def test_an_item_shared_through_an_anchor_is_not_edited() -> None:
    lines = ["action_items:", "  - &a", "    title: Add an alert", "  - *a"]
    change = Change(sets=((("action_items", 1, "status"), "done"),))
    with pytest.raises(UsageError, match=r"action_items\[1\] is shared through a YAML anchor"):
        store.edit_front_matter(lines, change, "postmortem", "pm.md")


def test_a_write_removes_what_killed_writes_of_its_record_left(tmp_path: Path) -> None:
    path = write(tmp_path)
    stale = path.parent / f".{path.name}.incident-docs.k1ll3d_x.tmp"
    fresh = path.parent / f".{path.name}.incident-docs.runn1ng_.tmp"
    other = path.parent / ".INC-other.md.incident-docs.k1ll3d_x.tmp"
    # Not names write_atomic gives a temporary file of this record: someone's own copies.
    unlike = [
        path.parent / f".{path.name}.tmp",
        path.parent / f".{path.name}.original.tmp",
        path.parent / f".{path.name}.20240315.tmp",
        path.parent / f".{path.name}.backup_1.tmp",
        path.parent / f".{path.name}.incident-docs.tmp",
    ]
    for left in (stale, fresh, other, *unlike):
        left.write_bytes(b"half a record")
    old = time.time() - store.STALE_SECONDS - 60
    for left in (stale, other, *unlike):
        os.utime(left, (old, old))
    edit(tmp_path, path, note(1, "x"))
    # Only what an old write of this record left goes: a write of it may still own the young
    # one, and another record's are its own writes' to clear.
    assert not stale.exists()
    assert fresh.exists() and other.exists()
    assert all(left.exists() for left in unlike)
    assert b"**note** by sam: x" in path.read_bytes()


def test_a_summary_keeps_the_comments_of_its_section(tmp_path: Path) -> None:
    note = "<!-- For the exec digest: two sentences,\n     no jargon. -->"
    path = write(
        tmp_path, RECORD.replace("_TODO: what is wrong._", f"{note}\n\n_TODO: what is wrong._")
    )
    edit(tmp_path, path, lambda f: lifecycle.resolve(f.incident, "Rolled back.", by="sam", at=T0))
    assert f"## Summary\n\n{note}\n\nRolled back.\n\n## Timeline" in path.read_text()


@pytest.mark.parametrize(
    ("summary", "written"),
    [
        ("# Root cause: an expired certificate", "\\# Root cause: an expired certificate"),
        ("1. The flag, 2. the cache", "1\\. The flag, 2. the cache"),
        ("- 5% of checkouts failed", "\\- 5% of checkouts failed"),
        ("2024's first outage", "2024's first outage"),
    ],
)
def test_a_summary_that_starts_like_markup_stays_a_paragraph(
    tmp_path: Path, summary: str, written: str
) -> None:
    # Written as it was, "# …" left the summary empty ("<!--" is refused: see
    # test_cli_incident_hostile.py).
    path = write(tmp_path)
    result = edit(tmp_path, path, lambda f: lifecycle.resolve(f.incident, summary, by="sam", at=T0))
    assert f"## Summary\n\n{written}\n\n## Timeline" in path.read_text()
    assert result.notes == [] and result.after.incident.summary == summary
    texts = [e.text for e in result.after.entries]  # the timeline is still there, whole
    assert "Error rate at 20%. A continuation line that belongs to the entry above." in texts


def test_a_read_only_postmortem_is_read_for_a_dry_run_but_not_changed(christmas: Path) -> None:
    path = christmas / "postmortems" / f"PM-{CHRISTMAS}.md"
    path.chmod(0o444)
    display = f"postmortems/{path.name}"

    def review(_file: store.PostmortemFile) -> Change:
        return Change(sets=((("reviewers",), ["dana"]),))

    assert store.edit_postmortem(christmas, path, display, CONFIG, review, dry_run=True)
    with pytest.raises(UsageError, match="the file is read-only"):
        store.edit_postmortem(christmas, path, display, CONFIG, review)


def test_a_record_in_a_folder_that_cannot_be_written_is_refused_before_any_change(
    christmas: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The write goes through a new file beside the record: the file's mode alone said nothing.
    path = christmas / "postmortems" / f"PM-{CHRISTMAS}.md"
    display = f"postmortems/{path.name}"
    access = os.access

    def denied(where: str | os.PathLike[str], mode: int) -> bool:
        return not (Path(where) == path.parent and mode & os.W_OK) and access(where, mode)

    monkeypatch.setattr(os, "access", denied)  # as for anyone but root in a 0555 folder

    def review(_file: store.PostmortemFile) -> Change:
        return Change(sets=((("reviewers",), ["dana"]),))

    assert store.edit_postmortem(christmas, path, display, CONFIG, review, dry_run=True)
    with pytest.raises(UsageError, match=f"^{display}: its folder cannot be written"):
        store.edit_postmortem(christmas, path, display, CONFIG, review)
    with pytest.raises(UsageError, match="its folder cannot be written"):
        store.check_writable(christmas, path, display)


def test_a_folder_it_may_not_write_in_is_reported_for_the_file_being_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The error named the temporary file mkstemp tried, which the user never asked for.
    def refused(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied", str(tmp_path / ".x.md.tmp"))

    monkeypatch.setattr(tempfile, "mkstemp", refused)
    with pytest.raises(PermissionError) as raised:
        store.write_atomic(tmp_path / "INC-1.md", b"x")
    assert raised.value.filename == str(tmp_path / "INC-1.md")
