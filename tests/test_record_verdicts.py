"""Lint's verdicts on records that look whole but disagree with themselves or with the format."""

from __future__ import annotations

from pathlib import Path

import pytest

from incident_docs.diagnostics import Diagnostic
from incident_docs.document import parse_text
from incident_docs.timeline import DEFAULT_TITLES, parse_timeline
from support.linting import lint_archive, write_archive
from support.rule_cases import INCIDENT_PATH, POSTMORTEM_PATH, Files, incident, postmortem

APPROVED = "status: approved\napproved_by: []\napproved_at: 2024-05-09T10:00:00Z"
NO_APPROVALS = """\
[[tool.incident-docs.severities]]
name = "SEV2"
description = "Major."
approvals = 0
"""
NO_TEAM_APPROVALS = "\n[tool.incident-docs.review]\nteam-approvals = 0\n"


def found(tmp_path: Path, files: Files, code: str) -> list[tuple[str, int, str]]:
    tmp_path.mkdir(exist_ok=True)
    write_archive(tmp_path, files)
    diagnostics: list[Diagnostic] = lint_archive(tmp_path)
    return [(d.path, d.line, d.message) for d in diagnostics if d.code == code]


def test_resolved_at_is_when_the_history_says_the_incident_was_resolved(tmp_path: Path) -> None:
    files = incident("resolved_at: 2024-05-02T11:00:00Z", "resolved_at: 2024-05-02T11:45:00Z")
    assert found(tmp_path, files, "FM008") == [
        (
            INCIDENT_PATH,
            11,
            "'resolved_at' (2024-05-02T11:45+00:00) is not when status_history says the "
            "incident was resolved (2024-05-02T11:00+00:00)",
        )
    ]


def test_the_same_moment_in_another_offset_agrees(tmp_path: Path) -> None:
    files = incident("resolved_at: 2024-05-02T11:00:00Z", "resolved_at: 2024-05-02T13:00:00+02:00")
    assert found(tmp_path, files, "FM008") == []


def test_a_reopened_incident_is_resolved_when_it_was_resolved_last(tmp_path: Path) -> None:
    history = (
        "  - status: resolved\n    at: 2024-05-02T10:40:00Z\n"
        "  - status: investigating\n    at: 2024-05-02T10:50:00Z\n"
        "  - status: resolved\n    at: 2024-05-02T11:00:00Z\n"
    )
    files = incident("  - status: resolved\n    at: 2024-05-02T11:00:00Z\n", history)
    assert found(tmp_path, files, "FM008") == []
    early = incident("resolved_at: 2024-05-02T11:00:00Z", "resolved_at: 2024-05-02T10:40:00Z")
    early[INCIDENT_PATH] = str(early[INCIDENT_PATH]).replace(
        "  - status: resolved\n    at: 2024-05-02T11:00:00Z\n", history
    )
    assert [line for _, line, _ in found(tmp_path / "early", early, "FM008")] == [11]


def test_the_history_starts_where_every_incident_starts(tmp_path: Path) -> None:
    files = incident("  - status: investigating\n", "  - status: identified\n")
    assert found(tmp_path, files, "FM008") == [
        (
            INCIDENT_PATH,
            26,
            "status_history starts at 'identified': an incident is declared 'investigating', "
            "and its first entry says when",
        )
    ]


def test_approved_at_belongs_to_an_approved_postmortem(tmp_path: Path) -> None:
    files = postmortem("status: draft", "status: in-review\napproved_at: 2024-05-09T10:00:00Z")
    assert [(path, message) for path, _, message in found(tmp_path, files, "FM008")] == [
        (
            POSTMORTEM_PATH,
            "'approved_at' is set but status is 'in-review': set status to approved or remove "
            "approved_at",
        )
    ]
    # Approvals gathered while in review are not yet a verdict.
    gathering = postmortem("status: draft", "status: in-review\napproved_by: [priya]")
    assert found(tmp_path / "gathering", gathering, "FM008") == []


def test_an_approved_postmortem_needs_approvers_only_when_approvals_are_asked_for(
    tmp_path: Path,
) -> None:
    files = postmortem("status: draft", APPROVED)
    assert [message for _, _, message in found(tmp_path / "default", files, "FM008")] == [
        "status is 'approved' but nobody is listed in 'approved_by'"
    ]
    files["pyproject.toml"] = NO_APPROVALS
    # Each team involved still gives one approval by default.
    assert len(found(tmp_path / "teams", files, "FM008")) == 1
    files["pyproject.toml"] = NO_APPROVALS + NO_TEAM_APPROVALS
    assert found(tmp_path / "none", files, "FM008") == []


def test_a_section_heading_in_bold_or_with_a_full_stop_is_the_section(tmp_path: Path) -> None:
    files = postmortem("## Summary\n", "## **Summary**\n")
    files = {
        **files,
        POSTMORTEM_PATH: str(files[POSTMORTEM_PATH])
        .replace("## Detection\n", "## Detection.\n")
        .replace("## Recovery\n", "## _Recovery:_\n"),
    }
    assert found(tmp_path, files, "SC001") == []
    # Emphasis on part of the title is part of the title.
    partly = postmortem("## Summary\n", "## **Summary** of events\n")
    assert [line for _, line, _ in found(tmp_path / "partly", partly, "SC001")] == [24]


def test_a_section_heading_with_an_emoji_or_an_exclamation_is_the_section(tmp_path: Path) -> None:
    files = postmortem("## Summary\n", "## \U0001f4dd Summary\n")
    files = {
        **files,
        POSTMORTEM_PATH: str(files[POSTMORTEM_PATH])
        .replace("## Detection\n", "## Detection!\n")
        .replace("## Recovery\n", "## Recovery? \u2705\n"),
    }
    assert found(tmp_path, files, "SC001") == []


def test_a_placeholder_left_beside_what_was_written_is_reported(tmp_path: Path) -> None:
    written = "Clients retried automatically; no manual recovery was needed."
    files = postmortem(
        written, f"{written}\n\n- _TODO: how was service restored?_", status="in-review"
    )
    line = _line_of(str(files[POSTMORTEM_PATH]), "- _TODO: how was service restored?_")
    assert found(tmp_path, files, "SC005") == [
        (
            POSTMORTEM_PATH,
            line,
            "section 'Recovery' still holds a placeholder line (- _TODO: how was service "
            "restored?_): remove it, the section is written",
        )
    ]
    # While the draft is written, and in a fenced block, a placeholder is left alone.
    draft = postmortem(written, f"{written}\n\n_TODO: more_")
    assert found(tmp_path / "draft", draft, "SC005") == []
    fenced = postmortem(
        written, f"{written}\n\n```\nTODO: a comment in code\n```", status="in-review"
    )
    assert found(tmp_path / "fenced", fenced, "SC005") == []


@pytest.mark.parametrize(
    "prose",
    [
        # A wrapped sentence whose next line starts with the word, and redacted numbers.
        "The alert linked a runbook that was a\nTODO page nobody had filled in.",
        "The dashboard showed failed requests as\nXXX until its panel was fixed.",
        "XXX (redacted) requests failed in the first minute.",
        "- FIXME markers in the renewal script had named the old provider since June.",
        "- TBD whether the vendor credits the outage.",
        "1. TBD whether the vendor credits the outage.",
        "2024. TODO lists were moved to the tracker.",
        # Quoted from the code or a log, and a note to the authors the site does not publish.
        "The renewal script said:\n\n> FIXME: this only checks the exit code",
        "Clients retried on their own. <!--\nTODO: add the retry graph\n-->",
    ],
)
def test_prose_that_starts_a_line_with_todo_is_no_placeholder_left(
    tmp_path: Path, prose: str
) -> None:
    written = "Clients retried automatically; no manual recovery was needed."
    files = postmortem(written, f"{written}\n\n{prose}", status="in-review")
    assert found(tmp_path, files, "SC005") == []


@pytest.mark.parametrize(
    "left",
    [
        "TODO",
        "**TBD**",
        "- TODO: the retry graph",
        "1. TODO: the retry graph",
        "- [ ] TODO: the retry graph",
        "TODO(sam): the retry graph",
        "TODO (sam): the retry graph",
        "...",
    ],
)
def test_a_placeholder_written_by_hand_is_reported(tmp_path: Path, left: str) -> None:
    written = "Clients retried automatically; no manual recovery was needed."
    files = postmortem(written, f"{written}\n{left}", status="in-review")
    line = _line_of(str(files[POSTMORTEM_PATH]), left)
    assert [at for _, at, _ in found(tmp_path, files, "SC005")] == [line]


def test_a_missing_section_points_at_the_line_meant_as_it(tmp_path: Path) -> None:
    files = postmortem("## Summary\n", "##Summary\n")
    files[POSTMORTEM_PATH] = str(files[POSTMORTEM_PATH]).replace("## Recovery\n", "### Recovery\n")
    assert [(line, message) for _, line, message in found(tmp_path, files, "SC001")] == [
        (
            _line_of(str(files[POSTMORTEM_PATH]), "##Summary"),
            "missing required section '## Summary' ('##Summary' here is no heading: write '## Summary')",
        ),
        (
            _line_of(str(files[POSTMORTEM_PATH]), "### Recovery"),
            "missing required section '## Recovery' ('Recovery' here is a level-3 heading, not level 2)",
        ),
    ]
    # Closing #s are no part of the title meant.
    closed = postmortem("## Summary\n", "##Summary ##\n")
    assert "'##Summary ##' here is no heading" in found(tmp_path / "closed", closed, "SC001")[0][2]
    # No near miss: another word after the #s, or a hashtag that opens a paragraph.
    for number, written in enumerate(("#Summaries matter", "##Summary\nis a channel")):
        other = postmortem("## Summary\n", written + "\n")
        assert "here" not in found(tmp_path / f"other{number}", other, "SC001")[0][2]


def test_a_heading_inside_a_list_item_is_no_section(tmp_path: Path) -> None:
    # GitHub shows both headings inside the list above them, not as sections of the record.
    files = postmortem("## Detection\n", "- Alerts were quiet.\n\n  ## Detection\n")
    text = str(files[POSTMORTEM_PATH]).replace("## Recovery\n", "- ## Recovery\n")
    files[POSTMORTEM_PATH] = text
    hint = "here is inside a list item, shown in the list: write it at the start of its line"
    assert [(line, message) for _, line, message in found(tmp_path, files, "SC001")] == [
        (
            _line_of(text, "  ## Detection"),
            f"missing required section '## Detection' ('## Detection' {hint}, after a blank line)",
        ),
        (
            _line_of(text, "- ## Recovery"),
            f"missing required section '## Recovery' ('## Recovery' {hint}, after a blank line)",
        ),
    ]


def test_a_heading_under_an_empty_list_item_is_a_section(tmp_path: Path) -> None:
    # "-" alone, then a blank line, is an empty item: GitHub shows the heading after the list.
    files = postmortem("## Detection\n", "-\n\n  ## Detection\n")
    assert found(tmp_path, files, "SC001") == []


def _line_of(text: str, line: str) -> int:
    return text.split("\n").index(line) + 1


def test_a_numbered_timeline_item_is_reported_not_left_out(tmp_path: Path) -> None:
    files = incident(
        "- 2024-05-02T10:30:00Z **mitigation/rollback**",
        "1. 2024-05-02T10:30:00Z **mitigation/rollback**",
    )
    assert found(tmp_path, files, "TL001") == [
        (
            INCIDENT_PATH,
            41,
            "timeline entry is a numbered item: write it as "
            "'- 2022-12-25T12:32:00Z **note** by sam: What happened, in one line.'",
        )
    ]


def test_a_timestamp_to_the_nanosecond_is_read(tmp_path: Path) -> None:
    files = incident("- 2024-05-02T10:00:00Z **note**", "- 2024-05-02T10:00:00.123456789Z **note**")
    assert found(tmp_path, files, "TL001") == []
    too_fine = incident(
        "- 2024-05-02T10:00:00Z **note**", "- 2024-05-02T10:00:00.1234567890Z **note**"
    )
    assert [line for _, line, _ in found(tmp_path / "fine", too_fine, "TL001")] == [40]


KEY_TIMES = "mitigated_at: 2024-05-02T10:30:00Z\nresolved_at: 2024-05-02T11:00:00Z"


def _approved_at(moment: str, key_times: str = KEY_TIMES) -> Files:
    return postmortem(
        "status: draft",
        f"status: approved\napproved_by: [priya]\napproved_at: {moment}\n{key_times}",
    )


def test_a_postmortem_is_approved_after_the_incident_is_over(tmp_path: Path) -> None:
    assert found(tmp_path / "later", _approved_at("2024-05-09T10:00:00Z"), "FM007") == []
    assert found(tmp_path / "same", _approved_at("2024-05-02T13:00:00+02:00"), "FM007") == []
    assert found(tmp_path / "years", _approved_at("2020-01-01T00:00:00Z"), "FM007") == [
        (
            POSTMORTEM_PATH,
            7,
            "'approved_at' (2020-01-01T00:00+00:00) is before the incident was resolved "
            "('resolved_at', 2024-05-02T11:00+00:00): a postmortem is approved after the "
            "incident is over",
        )
    ]
    during = _approved_at("2024-05-02T10:45:00Z")
    assert [line for _, line, _ in found(tmp_path / "during", during, "FM007")] == [7]
    # Without a resolution, after the last key time the postmortem records.
    unresolved = _approved_at("2024-05-02T10:20:00Z", "mitigated_at: 2024-05-02T10:30:00Z")
    assert found(tmp_path / "unresolved", unresolved, "FM007") == [
        (
            POSTMORTEM_PATH,
            7,
            "'approved_at' (2024-05-02T10:20+00:00) is before 'mitigated_at' "
            "(2024-05-02T10:30+00:00), the last key time this postmortem records: a postmortem "
            "is approved after the incident is over",
        )
    ]
    # No key time to compare with: nothing to say.
    assert found(tmp_path / "none", _approved_at("2020-01-01T00:00:00Z", ""), "FM007") == []


def test_an_out_of_order_key_time_is_reported_once(tmp_path: Path) -> None:
    # A detection typed a week late is FM007's where the key times disagree, not a second time
    # on approved_at (line 7).
    files = _approved_at("2024-05-09T10:00:00Z", KEY_TIMES + "\ndetected_at: 2024-05-09T12:00:00Z")
    assert [line for _, line, _ in found(tmp_path, files, "FM007")] == [8, 9]


def _postmortem_findings(tmp_path: Path, files: Files) -> list[tuple[str, int, str]]:
    tmp_path.mkdir(exist_ok=True)
    write_archive(tmp_path, files)
    return [(d.code, d.line, d.message) for d in lint_archive(tmp_path)]


INCIDENT_ID_FORM = (
    "is not an incident ID: write one like INC-2024-05-02-api-errors (INC-, the date, then "
    "lower-case letters, digits and dashes; 96 characters at most)"
)


def test_an_entry_of_incidents_that_is_no_incident_id_is_reported_once(tmp_path: Path) -> None:
    for number, (written, message) in enumerate(
        (
            (
                '[INC-2024-05-02-api-errors, "../x"]',
                f"invalid 'incidents[1]': '../x' {INCIDENT_ID_FORM}",
            ),
            (
                "[../../etc/passwd]",
                f"invalid 'incidents[0]': '../../etc/passwd' {INCIDENT_ID_FORM}",
            ),
            ("[5]", f"invalid 'incidents[0]': 5 {INCIDENT_ID_FORM}"),
            (
                "[PM-2024-05-02-api-errors]",
                "invalid 'incidents[0]': 'PM-2024-05-02-api-errors' is a postmortem's ID, not an "
                "incident's",
            ),
            (
                "[PM-2099-01-01-gone]",
                "invalid 'incidents[0]': 'PM-2099-01-01-gone' is a "
                "postmortem's ID, not an incident's",
            ),
            ("[]", "invalid 'incidents': the list is empty: give at least one"),
            (  # a final line break: no ID, and no broken link to 'INC-… ' either
                '["INC-2024-05-02-api-errors\\n"]',
                f"invalid 'incidents[0]': 'INC-2024-05-02-api-errors\\n' {INCIDENT_ID_FORM}",
            ),
        )
    ):
        files = postmortem("incidents: [INC-2024-05-02-api-errors]", f"incidents: {written}")
        assert _postmortem_findings(tmp_path / str(number), files) == [("FM004", 4, message)]


def test_an_id_not_written_as_one_names_no_file_to_rename_to(tmp_path: Path) -> None:
    files = incident("id: INC-2024-05-02-api-errors", "id: INC-2024-05-02-../../x")
    # FM004 only: no ID002 naming '../../x.md', and the postmortem's link to the file is no
    # broken link (ID005): the record is there, its ID written wrong.
    assert [code for code, _, _ in _postmortem_findings(tmp_path, files)] == ["FM004"]
    files = incident("id: INC-2024-05-02-api-errors", 'id: "INC-2024-05-02-api-errors-x\\n"')
    assert [code for code, _, _ in _postmortem_findings(tmp_path / "newline", files)] == ["FM004"]


def test_a_missing_incident_of_the_right_form_is_a_broken_link(tmp_path: Path) -> None:
    files = postmortem(
        "incidents: [INC-2024-05-02-api-errors]",
        'incidents: [INC-2099-01-01-missing, "../x"]',
    )
    assert _postmortem_findings(tmp_path, files) == [
        ("FM004", 4, f"invalid 'incidents[1]': '../x' {INCIDENT_ID_FORM}"),
        ("ID005", 4, "no incident with ID 'INC-2099-01-01-missing' in the archive"),
    ]


def test_an_incidents_postmortem_link_that_is_no_postmortem_id(tmp_path: Path) -> None:
    def findings(name: str, written: str) -> list[tuple[str, int, str]]:
        files = incident("tags: [deploy]", f"tags: [deploy]\npostmortem: {written}")
        return [f for f in _postmortem_findings(tmp_path / name, files) if f[0] != "SC002"]

    assert findings("path", "../x") == [
        (
            "FM004",
            14,
            "invalid 'postmortem': '../x' is not a postmortem ID: write one like "
            "PM-2024-05-02-api-errors (PM-, the date, then lower-case letters, digits and "
            "dashes; 96 characters at most)",
        )
    ]
    assert findings("incident", "INC-2024-05-02-api-errors") == [
        (
            "FM004",
            14,
            "invalid 'postmortem': 'INC-2024-05-02-api-errors' is an incident's ID, not a "
            "postmortem's",
        )
    ]
    assert findings("missing", "PM-2099-01-01-missing") == [
        ("ID005", 14, "no postmortem with ID 'PM-2099-01-01-missing' in the archive")
    ]
    assert findings("linked", "PM-2024-05-02-api-errors") == []


def test_a_wrongly_written_action_item_says_how_to_write_it(tmp_path: Path) -> None:
    files = postmortem(
        "    owner: dana\n    type: prevent\n    due: 2024-06-01\n",
        "    owner: '@dana'\n    type: prevent\n    due: next week\n"
        "    tracker: tracker.example.com/API-1\n",
    )
    files[POSTMORTEM_PATH] = str(files[POSTMORTEM_PATH]).replace(
        "  duration: PT1H\n", "  duration: 1h\n"
    )
    assert [message for _, _, message in found(tmp_path, files, "FM004")] == [
        "invalid 'impact.duration': write a duration in ISO 8601, e.g. PT1H30M (got '1h')",
        "invalid 'action_items[0].owner': '@dana' is not a handle: write it without the '@'",
        "invalid 'action_items[0].due': write a date like 2024-06-30 (got 'next week')",
        "invalid 'action_items[0].tracker': 'tracker.example.com/API-1' is not a link starting "
        "with https:// or http://, without spaces",
    ]


@pytest.mark.parametrize("written", ["-200", "true", "2.5", "''"])
def test_users_affected_is_a_count_or_words(tmp_path: Path, written: str) -> None:
    files = postmortem("users_affected: 20% of API requests", f"users_affected: {written}")
    [(_, line, message)] = found(tmp_path, files, "FM004")
    assert line == 9 and message.startswith("invalid 'impact.users_affected': is ")
    assert "write a number like 1200 or words like" in message or "say who" in message
    counted = postmortem("users_affected: 20% of API requests", "users_affected: 1200")
    assert found(tmp_path / "counted", counted, "FM004") == []


def _key_times(times: str) -> Files:
    return postmortem("authors: [sam]\n", f"authors: [sam]\n{times}\n")


def test_a_postmortem_records_its_incidents_key_times(tmp_path: Path) -> None:
    copied = "detected_at: 2024-05-02T10:00:00Z\nresolved_at: 2024-05-02T13:00:00+02:00"
    assert found(tmp_path / "copied", _key_times(copied), "FM011") == []
    drifted = "detected_at: 2024-05-02T10:00:00Z\nresolved_at: 2024-05-02T11:20:00Z"
    assert found(tmp_path / "drifted", _key_times(drifted), "FM011") == [
        (
            POSTMORTEM_PATH,
            9,
            "'resolved_at' (2024-05-02T11:20+00:00) is not its incident's "
            "(2024-05-02T11:00+00:00): copy it from INC-2024-05-02-api-errors, or correct the "
            "incident",
        )
    ]
    seconds = _key_times("started_at: 2024-05-02T09:55:30Z")
    assert [message for _, _, message in found(tmp_path / "seconds", seconds, "FM011")] == [
        "'started_at' (2024-05-02T09:55:30+00:00) is not its incident's "
        "(2024-05-02T09:55:00+00:00): copy it from INC-2024-05-02-api-errors, or correct the "
        "incident"
    ]
    # Within the same second, the fractions that differ are shown, not two equal-looking times.
    fraction = _key_times("started_at: 2024-05-02T09:55:00.5Z")
    assert [message for _, _, message in found(tmp_path / "fraction", fraction, "FM011")] == [
        "'started_at' (2024-05-02T09:55:00.500000+00:00) is not its incident's "
        "(2024-05-02T09:55:00.000000+00:00): copy it from INC-2024-05-02-api-errors, or correct "
        "the incident"
    ]
    # A time the incident does not record yet (still open, say) is not compared.
    open_files = _key_times("resolved_at: 2024-05-02T12:00:00Z")
    open_files[INCIDENT_PATH] = (
        str(open_files[INCIDENT_PATH])
        .replace("status: resolved\n", "status: identified\n", 1)
        .replace("resolved_at: 2024-05-02T11:00:00Z\n", "", 1)
    )
    assert found(tmp_path / "open", open_files, "FM011") == []


def test_a_postmortem_drafted_before_the_resolution_is_told_to_copy_it(tmp_path: Path) -> None:
    # The draft copied how the incident began and was mitigated; it was resolved later.
    began = (
        "started_at: 2024-05-02T09:55:00Z\ndetected_at: 2024-05-02T10:00:00Z\n"
        "declared_at: 2024-05-02T10:05:00Z\nmitigated_at: 2024-05-02T10:30:00Z"
    )
    files = _key_times(began)
    files[INCIDENT_PATH] = str(files[INCIDENT_PATH]).replace(
        "handoffs:", "postmortem: PM-2024-05-02-api-errors\nhandoffs:"
    )
    assert found(tmp_path, files, "FM011") == [
        (
            INCIDENT_PATH,
            11,
            "'resolved_at' (2024-05-02T11:00+00:00) is missing from PM-2024-05-02-api-errors, "
            "which copies the key times before it: copy it there",
        ),
        (
            POSTMORTEM_PATH,
            11,
            "'resolved_at' is missing, though the key times before it are copied: add "
            "'resolved_at: 2024-05-02T11:00:00Z' (its incident's, INC-2024-05-02-api-errors's)",
        ),
    ]
    copied = _key_times(began + "\nresolved_at: 2024-05-02T11:00:00Z")
    assert found(tmp_path / "copied", copied, "FM011") == []


def test_a_postmortem_of_several_incidents_spans_them(tmp_path: Path) -> None:
    second_path = "incidents/INC-2024-05-03-api-errors.md"
    files = _key_times("started_at: 2024-05-02T09:55:00Z\nresolved_at: 2024-05-03T11:00:00Z")
    files[POSTMORTEM_PATH] = str(files[POSTMORTEM_PATH]).replace(
        "incidents: [INC-2024-05-02-api-errors]",
        "incidents: [INC-2024-05-02-api-errors, INC-2024-05-03-api-errors]",
    )
    second = str(files[INCIDENT_PATH]).replace("2024-05-02", "2024-05-03")
    spans = {**files, second_path: second}
    # Started with the first, resolved with the last.
    assert found(tmp_path / "spans", spans, "FM011") == []
    first_end = {
        **spans,
        POSTMORTEM_PATH: str(spans[POSTMORTEM_PATH]).replace(
            "resolved_at: 2024-05-03T11:00:00Z", "resolved_at: 2024-05-02T11:00:00Z"
        ),
    }
    assert [message for _, _, message in found(tmp_path / "first", first_end, "FM011")] == [
        "'resolved_at' (2024-05-02T11:00+00:00) is not the latest of its incidents' "
        "(2024-05-03T11:00+00:00, INC-2024-05-03-api-errors): copy it from "
        "INC-2024-05-03-api-errors, or correct the incident"
    ]
    # One of them missing (ID005's to report): the span is unknown, nothing compared.
    assert found(tmp_path / "missing", first_end | {second_path: ""}, "FM011") == []


def test_an_incident_whose_postmortem_copied_other_times_says_so(tmp_path: Path) -> None:
    # A pull request that corrects an incident lints the incident alone.
    files = _key_times("detected_at: 2024-05-02T10:00:00Z")
    files[INCIDENT_PATH] = (
        str(files[INCIDENT_PATH])
        .replace("detected_at: 2024-05-02T10:00:00Z", "detected_at: 2024-05-02T09:58:00Z")
        .replace("handoffs:", "postmortem: PM-2024-05-02-api-errors\nhandoffs:")
    )
    assert found(tmp_path, files, "FM011") == [
        (
            INCIDENT_PATH,
            9,
            "'detected_at' (2024-05-02T09:58+00:00) differs from the copy in "
            "PM-2024-05-02-api-errors (2024-05-02T10:00+00:00): update the postmortem's copy",
        ),
        (
            POSTMORTEM_PATH,
            8,
            "'detected_at' (2024-05-02T10:00+00:00) is not its incident's "
            "(2024-05-02T09:58+00:00): copy it from INC-2024-05-02-api-errors, or correct the "
            "incident",
        ),
    ]


def test_times_in_other_offsets_are_shown_in_one(tmp_path: Path) -> None:
    # 10:00:30 in the incident, 11:00 at +01:00 in the postmortem: thirty seconds apart.
    files = _key_times("detected_at: 2024-05-02T11:00:00+01:00")
    files[INCIDENT_PATH] = str(files[INCIDENT_PATH]).replace(
        "detected_at: 2024-05-02T10:00:00Z", "detected_at: 2024-05-02T10:00:30Z"
    )
    assert [message for _, _, message in found(tmp_path, files, "FM011")] == [
        "'detected_at' (2024-05-02T11:00:00+01:00) is not its incident's "
        "(2024-05-02T11:00:30+01:00): copy it from INC-2024-05-02-api-errors, or correct the "
        "incident"
    ]


def test_an_incident_listed_twice_is_still_compared(tmp_path: Path) -> None:
    files = _key_times("detected_at: 2024-05-02T10:05:00Z")
    files[POSTMORTEM_PATH] = str(files[POSTMORTEM_PATH]).replace(
        "incidents: [INC-2024-05-02-api-errors]",
        "incidents: [INC-2024-05-02-api-errors, INC-2024-05-02-api-errors]",
    )
    assert [line for _, line, _ in found(tmp_path, files, "FM011")] == [8]


def test_a_timeline_titled_with_its_time_zone_is_the_timeline(tmp_path: Path) -> None:
    files = incident(
        "## Timeline\n\n- 2024-05-02T10:00:00Z",
        "## Timeline (UTC)\n\n- 2024-05-02T10:40:00Z **note** by sam: Late.\n- 2024-05-02T10:00:00Z",
    )
    assert found(tmp_path, files, "SC001") == []
    # Its entries are read and checked.
    assert [line for _, line, _ in found(tmp_path, files, "TL002")] == [41]


def test_a_section_with_a_note_beside_the_section_itself_is_another_section(
    tmp_path: Path,
) -> None:
    # "## Impact (support)" after "## Impact" is more on it, not the section written twice.
    files = postmortem(
        "## Contributing factors",
        "## Impact (support)\n\nForty tickets.\n\n## Timeline (detailed)\n\nHour by hour."
        "\n\n## Contributing factors",
    )
    files[POSTMORTEM_PATH] = (
        str(files[POSTMORTEM_PATH]) + "\n## Action items (done)\n\n- Rollback\n"
    )
    assert found(tmp_path, files, "SC003") == []
    assert found(tmp_path, files, "SC001") == []
    # Where the section is written only with a note, a second one is written twice.
    twice = postmortem("## Impact\n", "## Impact (users)\n")
    twice[POSTMORTEM_PATH] = str(twice[POSTMORTEM_PATH]).replace(
        "## Timeline\n", "## Impact (internal)\n\nNone.\n\n## Timeline\n"
    )
    assert [line for _, line, _ in found(tmp_path / "twice", twice, "SC003")] == [28]


def test_the_timeline_read_is_the_one_titled_without_a_note(tmp_path: Path) -> None:
    files = incident(
        "## Timeline\n",
        "## Timeline (highlights)\n\nThe rollback at 10:30.\n\n## Timeline\n",
    )
    assert found(tmp_path, files, "SC003") == []
    doc = parse_text(str(files[INCIDENT_PATH]), INCIDENT_PATH)
    assert [entry.line for entry in parse_timeline(doc, DEFAULT_TITLES)[0]] == [44, 45, 46]


def test_timeline_entries_written_as_no_list_item_are_reported_not_left_out(
    tmp_path: Path,
) -> None:
    files = incident(
        "- 2024-05-02T11:00:00Z **status** by sam: Resolved.",
        "\n| When | What |\n| --- | --- |\n| 10:45 | Error rate back to normal |\n"
        "| Owner | sam |\n\n"
        "**10:50** sam closed the bridge,\nwith nothing left to do.\n"
        "-\u00a02024-05-02T11:00:00Z **status** by sam: Resolved.\n\nAll times UTC.",
    )
    assert [
        (line, message.split(":")[0]) for _, line, message in found(tmp_path, files, "TL001")
    ] == [
        (45, "timeline entry is a table row"),
        (48, "timeline entry is not a list item"),
        (50, "timeline entry has a non-breaking space after its '-', so it is no list item"),
    ]


def test_prose_a_table_and_html_that_mention_a_time_are_no_timeline_entries(
    tmp_path: Path,
) -> None:
    files = incident(
        "- 2024-05-02T11:00:00Z **status** by sam: Resolved.",
        "- 2024-05-02T11:00:00Z **status** by sam: Resolved.\n\n"
        "Errors climbed from the deploy at\n10:00 until the rollback, as the graph shows.\n\n"
        "| Window | Errors | Peak |\n| --- | --- | --- |\n| first hour | 20% | at 10:20 |\n"
        "| Error rate at 10:45 | 1% | none |\n\n"
        "<details><summary>Logs</summary>\n\n10:05:01 pod crashed\n\n</details>\n\n"
        "Times are UTC:\n**10:50** sam closed the bridge.\n\n| When | What |\n| --- | --- |\n"
        "| May 2, 10:55 | Status page cleared |",
    )
    assert [line for _, line, _ in found(tmp_path, files, "TL001")] == [59, 63]


@pytest.mark.parametrize(
    ("written", "column", "says"),
    [
        ("- 10:30 **mitigation/rollback** by dana:", 3, "'10:30' has no date: write the date"),
        (
            "- **2024-05-02T10:30:00Z** **mitigation/rollback** by dana:",
            3,
            "write it bare, '2024-05-02T10:30:00Z'",
        ),
        (
            "- 2024-05-02 10:30Z **mitigation/rollback** by dana:",
            3,
            "write '2024-05-02T10:30Z'",
        ),
        ("- 2024-05-02T10:30:00Z mitigation/rollback by dana:", 24, "write '**mitigation**'"),
        ("- 2024-05-02T10:30:00Z by dana:", 23, "has no kind after its time: write one of"),
        ("- 2024-05-02T10:30:00Z **mitigation/rollback**:", 47, "write 'by HANDLE:' after it"),
        ("- 2024-05-02T10:30:00Z **mitigation/rollback** by Dana Smith:", 55, "one handle"),
        (
            "- 2024-05-02T10:30:00Z **mitigation/roll back** by dana:",
            24,
            "'mitigation/roll back' is no kind",
        ),
        (
            "- 2024-05-02T10:30:00Z\u00a0**mitigation/rollback** by dana:",
            23,
            "non-breaking space here: write a plain space",
        ),
    ],
)
def test_a_timeline_entry_lint_cannot_read_says_what_to_write(
    tmp_path: Path, written: str, column: int, says: str
) -> None:
    files = incident("- 2024-05-02T10:30:00Z **mitigation/rollback** by dana:", written)
    write_archive(tmp_path, files)
    [problem] = [d for d in lint_archive(tmp_path) if d.code == "TL001"]
    assert (problem.line, problem.column) == (41, column)
    assert says in problem.message
