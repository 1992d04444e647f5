"""One archive everywhere: lint, the commands, the metrics and the site count the same records
the same way, and a draft or a search finds what the records hold."""

from __future__ import annotations

import errno
import json
import os
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from incident_docs import store
from incident_docs.config import load_config
from incident_docs.models import key_durations
from incident_docs.records import load_archive, load_roster
from incident_docs.related import RelatedIndex, cases_from
from incident_docs.site.archive import load_site_archive
from incident_docs.site.cards import timeline_markdown
from incident_docs.site.pages import FACETS, PageBuilder, facet_groups
from incident_docs.site.prework import Settings, decoration
from incident_docs.site.stage import staged_record
from support.archive import CHRISTMAS
from support.cli import RunCli

INCIDENT = f"incidents/INC-{CHRISTMAS}.md"
POSTMORTEM = f"postmortems/PM-{CHRISTMAS}.md"


def test_a_record_under_a_hidden_name_is_reported_by_lint_and_left_out_loudly(
    christmas: Path, run_cli: RunCli
) -> None:
    hidden = christmas / "incidents" / ".archive"
    hidden.mkdir()
    text = (christmas / INCIDENT).read_text().replace(CHRISTMAS, "2022-12-26-hidden-copy")
    (hidden / "INC-2022-12-26-hidden-copy.md").write_text(text.replace("postmortem: ", "# "))
    result = run_cli(christmas, "lint", "--select", "ID004")
    assert (
        "incidents/.archive/INC-2022-12-26-hidden-copy.md:2:1: ID004 a record under '.archive'"
        in (result.stdout)
    ), result.stdout
    config = load_config(christmas)
    site = load_site_archive(christmas, config, load_roster(christmas, config))
    assert [why.split(" ")[:2] for why in site.left_out] == [
        ["incidents/.archive/INC-2022-12-26-hidden-copy.md:1:", "ID004"]
    ]


def test_a_draft_is_refused_for_an_incident_another_postmortem_covers(
    christmas: Path, run_cli: RunCli
) -> None:
    second = "2022-12-26-second-wave"
    text = (christmas / INCIDENT).read_text().replace(CHRISTMAS, second)
    (christmas / f"incidents/INC-{second}.md").write_text(
        text.replace(f"postmortem: PM-{second}", "postmortem: PM-" + CHRISTMAS)
    )
    pm = christmas / POSTMORTEM
    pm.write_text(
        pm.read_text().replace(
            f"incidents: [INC-{CHRISTMAS}]", f"incidents: [INC-{CHRISTMAS}, INC-{second}]"
        )
    )
    before = (christmas / f"incidents/INC-{second}.md").read_text()
    result = run_cli(christmas, "postmortem", f"INC-{second}")
    assert result.exit_code == 2
    assert f"INC-{second} is covered by PM-{CHRISTMAS} already" in result.stderr, result.output
    assert (christmas / f"incidents/INC-{second}.md").read_text() == before
    assert not (christmas / f"postmortems/PM-{second}.md").exists()


def test_similar_finds_inflected_words_other_scripts_and_words_every_case_has(
    christmas: Path,
) -> None:
    incidents = christmas / "incidents"
    base = (incidents / f"INC-{CHRISTMAS}.md").read_text()
    for slug, title in (
        ("2024-01-10-zahlung", "Zahlungsstörung im Kassensystem"),
        ("2024-02-10-oplata", "Ошибка оплаты картой"),
    ):
        text = base.replace(CHRISTMAS, slug).replace(
            "title: Corrupt web image crash-looped the front-end VMs", f"title: {title}"
        )
        (incidents / f"INC-{slug}.md").write_text(text)
    config = load_config(christmas)
    index = RelatedIndex(cases_from(load_archive(christmas, config), config))

    def first(text: str) -> str | None:
        found = index.search(text, limit=1)
        return found[0].case.ids[0] if found else None

    assert first("Zahlungsstörung") == "INC-2024-01-10-zahlung"
    assert first("Ошибка оплаты") == "INC-2024-02-10-oplata"
    assert first("crash-loops of images") is not None  # "loops", "images": inflected
    assert first("frontend VMs crash looping") is not None  # words every case has


def _drafted_with(christmas: Path, run_cli: RunCli, settings: str) -> str:
    """The Christmas incident's postmortem drafted again under these settings of the
    configuration's table."""
    (christmas / POSTMORTEM).unlink()
    incident = christmas / INCIDENT
    incident.write_text(incident.read_text().replace(f"postmortem: PM-{CHRISTMAS}\n", ""))
    pyproject = christmas / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            'roster = "people.yaml"', f'roster = "people.yaml"\n{settings}'
        )
    )
    result = run_cli(christmas, "postmortem", f"INC-{CHRISTMAS}", "--by", "sam")
    assert result.exit_code == 0, result.output
    return (christmas / POSTMORTEM).read_text()


def test_a_draft_fills_the_sections_whatever_the_configuration_names_them(
    christmas: Path, run_cli: RunCli
) -> None:
    draft = _drafted_with(
        christmas,
        run_cli,
        'postmortem-sections = ["Summary", "Damage done", "Timeline of events", '
        '"Mitigation efforts", "Who worked on it"]',
    )
    timeline = draft.split("## Timeline of events\n", 1)[1].split("\n## ", 1)[0]
    assert timeline.count("**") >= 8, timeline  # the incident's entries, not a placeholder
    responders = draft.split("## Who worked on it\n", 1)[1].split("\n## ", 1)[0]
    assert "Incident Commander: sam" in responders, responders
    assert "The web shop returned errors" in draft.split("## Damage done\n", 1)[1]


def test_a_draft_fills_a_section_the_configuration_names_by_an_alias(
    christmas: Path, run_cli: RunCli
) -> None:
    # "Impact" listed nowhere but its alias is: the draft fills "## Damage" with the impact,
    # so the configuration is no alias that matches nothing.
    draft = _drafted_with(
        christmas,
        run_cli,
        'postmortem-sections = ["Summary", "Damage", "Timeline"]\n'
        'section-aliases = { Impact = ["Damage"] }',
    )
    assert "The web shop returned errors" in draft.split("## Damage\n", 1)[1]


def test_time_to_detect_needs_the_start_of_impact_and_the_draft_counts_from_detection(
    christmas: Path, run_cli: RunCli
) -> None:
    incident = christmas / INCIDENT
    incident.write_text(incident.read_text().replace("started_at: 2022-12-25T12:32:00Z\n", ""))
    config = load_config(christmas)
    (record,) = [
        loaded.record
        for loaded in load_archive(christmas, config)
        if loaded.record.id == f"INC-{CHRISTMAS}"
    ]
    assert "detect" not in key_durations(record)
    assert key_durations(record)["resolve"] == timedelta(hours=2, minutes=32)
    (christmas / POSTMORTEM).unlink()
    incident.write_text(incident.read_text().replace(f"postmortem: PM-{CHRISTMAS}\n", ""))
    assert run_cli(christmas, "postmortem", f"INC-{CHRISTMAS}", "--by", "sam").exit_code == 0
    assert "duration: PT2H32M" in (christmas / POSTMORTEM).read_text()  # from 12:38 to 15:10


@pytest.mark.parametrize(
    ("resolved", "duration", "said"),
    [("10:00:30Z", "PT30S", "30s"), ("12:32:40Z", "PT2H32M40S", "2h 33m")],
)
def test_the_drafts_time_to_resolution_is_the_duration_the_site_and_stats_give(
    archive: Path, run_cli: RunCli, resolved: str, duration: str, said: str
) -> None:
    # "+0:00" for an incident of 30 seconds read as no time at all, beside the draft's own PT30S
    # and the card's "30s"; 2h 32m 40s read as 2:32 where the card says 2h 33m.
    declared = run_cli(
        archive, "declare", "-y", "-t", "Blip in search", "--because", "user-facing",
        "--service", "search-api", "--by", "mei", "--at", "2024-01-01T10:00:00Z",
    )  # fmt: skip
    assert declared.exit_code == 0, declared.output
    incident = "INC-2024-01-01-blip-in-search"
    at = f"2024-01-01T{resolved}"
    closed = run_cli(archive, "resolve", "-i", incident, "--by", "mei", "--at", at, "A blip.")
    assert closed.exit_code == 0, closed.output
    assert run_cli(archive, "postmortem", incident, "--by", "mei", "-y").exit_code == 0
    written = (archive / "postmortems" / "PM-2024-01-01-blip-in-search.md").read_text()
    assert f"duration: {duration}" in written
    assert f"From start to resolution: {said}." in written


def test_the_site_refuses_what_lint_refuses(
    christmas: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    incident = christmas / INCIDENT
    incident.write_text(
        incident.read_text().replace(
            "declared_at: 2022-12-25T12:41:00Z", "declared_at: 2022-12-25T12:41:00 +00:00"
        )
    )
    assert " FM004 " in run_cli(christmas, "lint", str(incident)).stdout
    staged = run_cli(christmas, "site", "stage", str(tmp_path / "staged"))
    assert staged.exit_code == 1
    assert f"{INCIDENT}:6: FM004" in staged.stderr, staged.output  # declared_at's line


def test_responders_in_a_draft_are_given_in_utc(christmas: Path, run_cli: RunCli) -> None:
    (christmas / POSTMORTEM).unlink()
    incident = christmas / INCIDENT
    text = incident.read_text().replace(f"postmortem: PM-{CHRISTMAS}\n", "")
    incident.write_text(
        text.replace("declared_at: 2022-12-25T12:41:00Z", "declared_at: 2022-12-25T14:41:00+02:00")
    )
    assert run_cli(christmas, "postmortem", f"INC-{CHRISTMAS}", "--by", "sam").exit_code == 0
    responders = (christmas / POSTMORTEM).read_text().split("## Responders\n", 1)[1]
    assert "+02:00" not in responders.split("\n## ", 1)[0]


def test_stats_columns_are_as_wide_as_the_severity_names(christmas: Path, run_cli: RunCli) -> None:
    pyproject = christmas / "pyproject.toml"
    text = pyproject.read_text().replace('name = "SEV2"', 'name = "Critical-ish"')
    pyproject.write_text(text)
    for path in (christmas / INCIDENT, christmas / POSTMORTEM):
        path.write_text(path.read_text().replace("severity: SEV2", "severity: Critical-ish"))
    result = run_cli(christmas, "stats", "--today", "2023-01-10")
    lines = result.stdout.splitlines()
    header = next(line for line in lines if line.startswith("Month"))
    row = next(line for line in lines if line.startswith("2022-12"))
    assert row.index(" 1 ") + 2 == header.index("Critical-ish") + len("Critical-ish"), (header, row)
    assert json.loads(
        run_cli(christmas, "stats", "--format", "json", "--today", "2023-01-10").stdout
    )


def _without_postmortem(christmas: Path) -> Path:
    (christmas / POSTMORTEM).unlink()
    incident = christmas / INCIDENT
    incident.write_text(incident.read_text().replace(f"postmortem: PM-{CHRISTMAS}\n", ""))
    return incident


def _around_summary(text: str) -> tuple[str, str]:
    """The incident's text before its front-matter summary, and from the end of its
    front-matter on."""
    start = text.index("summary: >-")
    return text[:start], text[text.index("---", start) :]


def test_the_bodys_summary_fills_the_draft_and_is_searched(
    christmas: Path, run_cli: RunCli
) -> None:
    incident = _without_postmortem(christmas)
    text = incident.read_text()
    incident.write_text("".join(_around_summary(text)))
    assert run_cli(christmas, "postmortem", f"INC-{CHRISTMAS}", "--by", "sam").exit_code == 0
    summary = (christmas / POSTMORTEM).read_text().split("## Summary\n", 1)[1].split("\n## ", 1)[0]
    assert "a corrupt image of the web front end was deployed" in summary, summary
    (christmas / POSTMORTEM).unlink()
    config = load_config(christmas)
    index = RelatedIndex(cases_from(load_archive(christmas, config), config))
    # "exhaust" is written in the body's summary only.
    assert [m.case.ids[0] for m in index.search("exhausted", limit=1)] == [f"INC-{CHRISTMAS}"]


def test_a_draft_keeps_the_suppressions_above_its_entries(christmas: Path, run_cli: RunCli) -> None:
    incident = _without_postmortem(christmas)
    entry = "- 2022-12-25T12:38:00Z **note** by sam: Error-rate alert"
    incident.write_text(
        incident.read_text().replace(
            entry,
            "<!-- incident-docs disable-next-line BL003 -->\n"
            + entry.replace("Error-rate", "Obviously, the error-rate"),
        )
    )
    assert run_cli(christmas, "lint", str(incident)).exit_code == 0
    assert run_cli(christmas, "postmortem", f"INC-{CHRISTMAS}", "--by", "sam").exit_code == 0
    linted = run_cli(christmas, "lint", str(christmas / POSTMORTEM))
    assert " BL003 " not in linted.stdout and " SP001 " not in linted.stdout, linted.stdout


def test_an_outside_responder_in_a_postmortems_timeline_is_known_from_its_incident(
    christmas: Path, run_cli: RunCli
) -> None:
    incident = christmas / INCIDENT
    incident.write_text(
        incident.read_text()
        .replace("summary: >-", "outside_responders: [vendor-joe]\nsummary: >-")
        .replace("**action** by sam: Scheduled", "**action** by vendor-joe: Scheduled")
    )
    pm = christmas / POSTMORTEM
    pm.write_text(
        pm.read_text().replace(
            "**action** by sam: Scheduled", "**action** by vendor-joe: Scheduled"
        )
    )
    assert run_cli(christmas, "lint", str(incident), "--select", "PE").exit_code == 0
    linted = run_cli(christmas, "lint", str(pm), "--select", "PE")
    assert linted.exit_code == 0, linted.stdout


def test_the_metrics_headline_says_what_its_tables_count(christmas: Path, run_cli: RunCli) -> None:
    (christmas / INCIDENT).unlink()  # the postmortem stands for it
    result = run_cli(christmas, "stats", "--today", "2023-01-10")
    assert (
        "Incidents:     0 (0 open); the tables count 1, with postmortems whose incidents are not in "
        "the archive" in result.stdout
    ), result.stdout
    data = json.loads(
        run_cli(christmas, "stats", "--format", "json", "--today", "2023-01-10").stdout
    )
    assert (data["incidents"], data["counted"]) == (0, 1)


def test_a_drafts_summary_keeps_its_suppressions(christmas: Path, run_cli: RunCli) -> None:
    incident = _without_postmortem(christmas)
    text = incident.read_text()
    text = "".join(_around_summary(text))
    incident.write_text(
        text.replace(
            "deployment configuration; the corrected",
            "deployment configuration.\n<!-- incident-docs disable-next-line BL003 -->\n"
            "In hindsight the typo was obviously the cause; the corrected",
        )
    )
    assert run_cli(christmas, "lint", str(incident)).exit_code == 0
    assert run_cli(christmas, "postmortem", f"INC-{CHRISTMAS}", "--by", "sam").exit_code == 0
    linted = run_cli(christmas, "lint", str(christmas / POSTMORTEM))
    assert " BL003 " not in linted.stdout and linted.exit_code == 0, linted.stdout


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (
            "was deployed to\nproduction.",
            "was deployed to\nproduction. <!-- incident-docs disable BL -->\nIn hindsight the typo "
            "was obviously the cause.",
        ),
        (
            "**note** by sam: Error-rate alert",
            "**note** by sam: In hindsight it was obviously the image. "
            "<!-- incident-docs disable BL003 -->\n"
            "- 2022-12-25T12:38:00Z **note** by sam: Error-rate alert",
        ),
    ],
    ids=["summary", "timeline"],
)
def test_a_block_suppression_copied_into_a_draft_ends_with_what_it_copied(
    christmas: Path, run_cli: RunCli, old: str, new: str
) -> None:
    # In the incident a block never ended runs to its end; copied as it was, it ran to the end
    # of the draft, and blame its authors wrote under Lessons learned passed lint.
    incident = _without_postmortem(christmas)
    text = incident.read_text()
    text = "".join(_around_summary(text))  # the body's summary is copied
    assert old in text
    incident.write_text(text.replace(old, new, 1))
    draft = _drafted_clean(christmas, run_cli)
    assert "obviously" in draft
    lessons = "## Lessons learned\n"
    (christmas / POSTMORTEM).write_text(
        draft.replace(lessons, lessons + "\nIn hindsight the typo was obviously careless.\n")
    )
    linted = run_cli(christmas, "lint", str(christmas / POSTMORTEM), "--select", "BL,SP")
    found = {line.split(" ")[1] for line in linted.stdout.splitlines()}
    assert {"BL003", "BL004"} <= found and "SP001" not in found, linted.stdout
    # The site's table holds the whole copied timeline: the comment ending the block follows it.
    entries = store.read_incident(incident, INCIDENT, load_config(christmas)).entries
    rows = [line for line in timeline_markdown(draft).splitlines() if line.startswith("| ")]
    assert len(rows) == 2 + len(entries), rows


def test_a_block_ended_among_the_incidents_entries_ends_there_in_the_draft(
    christmas: Path, run_cli: RunCli
) -> None:
    incident = _without_postmortem(christmas)
    text = incident.read_text()
    first = "**note** by sam: Error-rate alert"
    later = "**comms** by lee: Status page updated"
    assert first in text and later in text
    incident.write_text(
        text.replace(
            first,
            "**note** by sam: In hindsight, obviously the image. "
            + "<!-- incident-docs disable BL003 -->\n"
            + "- 2022-12-25T12:38:00Z "
            + first,
        )
        .replace(
            "\n- 2022-12-25T12:50:00Z",
            "\n<!-- incident-docs enable BL003 -->\n- 2022-12-25T12:50:00Z",
            1,
        )
        .replace(later, later + "; obviously the rebuild should have been tested first")
    )
    linted = run_cli(christmas, "lint", str(incident), "--select", "BL,SP")
    assert [line.split(" ")[1] for line in linted.stdout.splitlines()] == ["BL003"], linted.stdout
    assert run_cli(christmas, "postmortem", f"INC-{CHRISTMAS}", "--by", "sam").exit_code == 0
    drafted = run_cli(christmas, "lint", str(christmas / POSTMORTEM), "--select", "BL,SP")
    assert [line.split(" ")[1] for line in drafted.stdout.splitlines()] == ["BL003"], drafted.stdout
    draft = (christmas / POSTMORTEM).read_text().splitlines()
    line = next(n for n, text in enumerate(draft, 1) if "obviously the rebuild" in text)
    assert drafted.stdout.startswith(f"{POSTMORTEM}:{line}:"), drafted.stdout


@pytest.mark.parametrize(
    ("summary", "closed"),
    [
        ("  ```\n  OOMKilled (exit code 137)", "OOMKilled (exit code 137)\n```\n\n## Impact"),
        ("  <pre>\n  OOMKilled (exit code 137)", "OOMKilled (exit code 137)\n</pre>\n\n## Impact"),
        ("  <!-- OOMKilled (exit code 137)", "<!-- OOMKilled (exit code 137)\n-->\n\n## Impact"),
    ],
    ids=["fence", "pre", "comment"],
)
def test_what_the_incidents_summary_leaves_open_is_closed_in_the_draft(
    christmas: Path, run_cli: RunCli, summary: str, closed: str
) -> None:
    # Copied into the draft's body, a fence or a <pre> made every section after the Summary
    # code, and a comment never closed was closed by the draft's next one, hiding Impact.
    incident = _without_postmortem(christmas)
    text = incident.read_text()
    before, after = _around_summary(text)
    body = after.replace(
        "recovered by 15:10.", "recovered by 15:10.\n\n" + summary.removeprefix("  ")
    )
    if "<!--" in summary:  # a body summary: the front-matter refuses a comment
        incident.write_text(before + body)
    else:
        written = "summary: |-\n  The VMs crash-looped with:\n" + summary + "\n"
        incident.write_text(before + written + after)
    assert run_cli(christmas, "postmortem", f"INC-{CHRISTMAS}", "--by", "sam").exit_code == 0
    assert closed in (christmas / POSTMORTEM).read_text()
    linted = run_cli(christmas, "lint", str(christmas / POSTMORTEM), "--select", "SC")
    assert " SC001 " not in linted.stdout, linted.stdout  # every section is found


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        (
            "title: Corrupt web image",
            "title: Corrupt web image <!-- incident-docs disable BL003 -->",
            "the title holds '<!--'",
        ),
        (
            "was found and fixed.",
            "was found and fixed. <!-- incident-docs disable BL003 -->",
            "the summary holds '<!--'",
        ),
        (
            "  users: ",
            "  users: <!-- incident-docs disable BL003 --> ",
            "the harm to users holds '<!--'",
        ),
    ],
    ids=["title", "summary", "harm"],
)
def test_a_comment_in_the_incidents_prose_values_is_refused_for_the_draft(
    christmas: Path, run_cli: RunCli, old: str, new: str, said: str
) -> None:
    # Inert in the YAML value, it would open a comment in the draft's body, and lint would read
    # an incident-docs one there as a block to the end of the draft.
    incident = _without_postmortem(christmas)
    text = incident.read_text()
    assert old in text
    incident.write_text(text.replace(old, new, 1))
    made = run_cli(christmas, "postmortem", f"INC-{CHRISTMAS}", "--by", "sam")
    assert made.exit_code == 2, made.output
    assert said in made.stderr and "nothing was written" in made.stderr
    assert made.stderr.startswith(f"incident: error: incidents/INC-{CHRISTMAS}.md:")
    assert not (christmas / POSTMORTEM).exists()


def test_a_heading_in_the_incidents_summary_is_refused_for_the_draft(
    christmas: Path, run_cli: RunCli
) -> None:
    # Copied into the draft's `## Summary`, it would end it and start a section of its own: a
    # second Impact (SC003) before anyone wrote a word.
    incident = _without_postmortem(christmas)
    before, after = _around_summary(incident.read_text())
    for heading in ("## Impact", "Impact\n  ------", "# Impact"):
        summary = f"summary: |-\n  The VMs crash-looped.\n\n  {heading}\n\n  Users saw errors.\n"
        written = before + summary + after
        incident.write_text(written)
        made = run_cli(christmas, "postmortem", f"INC-{CHRISTMAS}", "--by", "sam")
        line = written[: written.index("  Impact" if "#" not in heading else heading)]
        assert made.exit_code == 2, made.output
        assert made.stderr.startswith(
            f"incident: error: {INCIDENT}:{line.count(chr(10)) + 1}: the summary holds a heading"
        ), made.stderr
        assert "nothing was written" in made.stderr
        assert not (christmas / POSTMORTEM).exists()
    # The line that is the heading, not one above it that says the same words; and a heading
    # that ends in no letter is quoted whole.
    for heading, above in (("Impact\n  ------", "Impact grew."), ("# of users: 12.", "C# client.")):
        summary = f"summary: |-\n  {above}\n\n  {heading}\n"
        written = before + summary + after
        incident.write_text(written)
        made = run_cli(christmas, "postmortem", f"INC-{CHRISTMAS}", "--by", "sam")
        number = written[: written.index("  " + heading)].count("\n") + 1
        assert made.stderr.startswith(f"incident: error: {INCIDENT}:{number}: "), made.stderr
        title = heading.split("\n")[0]
        assert f"holds a heading, '{title}', which" in made.stderr
        assert "characters)" not in made.stderr and "as a ### heading, or" in made.stderr
    # Below the summary's own level, it stays in the draft's Summary.
    incident.write_text(before + "summary: |-\n  Crash loop.\n\n  ### Details\n\n  More.\n" + after)
    assert run_cli(christmas, "postmortem", f"INC-{CHRISTMAS}", "--by", "sam").exit_code == 0
    assert (
        "## Summary\n\nCrash loop.\n\n### Details\n\nMore.\n"
        in (christmas / POSTMORTEM).read_text()
    )


def test_a_one_line_summary_that_reads_as_a_heading_is_drafted_as_resolve_wrote_it(
    christmas: Path, run_cli: RunCli
) -> None:
    # `incident resolve` takes it, and writes it in the incident's Summary escaped: the draft
    # copies it so, rather than refusing a summary nobody wrote by hand.
    incident = _without_postmortem(christmas)
    before, after = _around_summary(incident.read_text())
    incident.write_text(before + 'summary: "# of users affected was 1200."\n' + after)
    made = run_cli(christmas, "postmortem", f"INC-{CHRISTMAS}", "--by", "sam")
    assert made.exit_code == 0, made.output
    draft = (christmas / POSTMORTEM).read_text()
    assert "## Summary\n\n\\# of users affected was 1200.\n" in draft


def test_a_comment_in_code_only_as_a_whole_value_reads_it_is_refused_for_the_draft(
    christmas: Path, run_cli: RunCli
) -> None:
    # Backticks on two lines make no code span of the lines the draft writes (nor does a title
    # the draft's heading shortens inside one): lint read the comment as a directive there.
    incident = _without_postmortem(christmas)
    text = incident.read_text()
    before, after = _around_summary(text)
    across = (
        "summary: |-\n  The page source ended in `<div>\n"
        "  <!-- incident-docs disable BL001 BL004 -->` where the footer should be.\n"
    )
    incident.write_text(before + across + after)
    made = run_cli(christmas, "postmortem", f"INC-{CHRISTMAS}", "--by", "sam")
    assert made.exit_code == 2 and "the summary holds '<!--'" in made.stderr, made.output
    long_title = "VMs " * 34 + "`<!-- incident-docs disable BL001 --> image-tag-web-frontend`"
    incident.write_text(
        re.sub(r"(?m)^title: .*$", f"title: '{long_title}'", before + after, count=1)
    )
    made = run_cli(christmas, "postmortem", f"INC-{CHRISTMAS}", "--by", "sam")
    assert made.exit_code == 2 and "the title holds '<!--'" in made.stderr, made.output


def test_a_comment_in_a_code_block_of_the_incidents_summary_is_drafted_and_one_outside_named(
    christmas: Path, run_cli: RunCli
) -> None:
    # The summary becomes blocks of the draft: in a code block '<!--' opens no comment.
    incident = _without_postmortem(christmas)
    text = incident.read_text()
    before, after = _around_summary(text)
    for fence in ("~~~", "```"):
        summary = f"summary: |-\n  The page ended in:\n  {fence}\n  </main><!-- footer\n  {fence}\n"
        incident.write_text(before + summary + after)
        made = run_cli(christmas, "postmortem", f"INC-{CHRISTMAS}", "--by", "sam")
        assert made.exit_code == 0, made.output
        (christmas / POSTMORTEM).unlink()
        incident.write_text(incident.read_text().replace(f"postmortem: PM-{CHRISTMAS}\n", ""))
    indented = "summary: |-\n  The page ended in:\n\n      </main><!-- footer\n"
    incident.write_text(before + indented + after)
    assert run_cli(christmas, "postmortem", f"INC-{CHRISTMAS}", "--by", "sam").exit_code == 0
    (christmas / POSTMORTEM).unlink()
    # Outside code, the refusal names the line that holds it, not the key's.
    outside = "summary: >-\n  The page held `<!--`\n  in </main><!-- footer\n  and nothing else.\n"
    written = before + outside + after
    incident.write_text(written.replace(f"postmortem: PM-{CHRISTMAS}\n", ""))
    made = run_cli(christmas, "postmortem", f"INC-{CHRISTMAS}", "--by", "sam")
    line = written[: written.index("<!-- footer")].count("\n") + 1
    assert made.exit_code == 2, made.output
    assert made.stderr.startswith(f"incident: error: {INCIDENT}:{line}: the summary holds"), (
        made.stderr
    )


def test_a_comment_written_as_code_in_the_incidents_summary_is_drafted(
    christmas: Path, run_cli: RunCli
) -> None:
    incident = _without_postmortem(christmas)
    incident.write_text(
        incident.read_text().replace("was found and fixed.", "was found and fixed (`<!--`).")
    )
    made = run_cli(christmas, "postmortem", f"INC-{CHRISTMAS}", "--by", "sam")
    assert made.exit_code == 0, made.output


def test_a_drafts_front_matter_prose_keeps_its_suppressions(
    christmas: Path, run_cli: RunCli
) -> None:
    incident = _without_postmortem(christmas)
    incident.write_text(
        incident.read_text()
        .replace(
            "summary: >-",
            "# <!-- incident-docs disable-next-line BL003 -->\nsummary: >-\n  Obviously,",
        )
        .replace(
            "  users: The web shop",
            "  # <!-- incident-docs disable-next-line BL004 -->\n  users: A sloppy page; the web shop",
        )
    )
    draft = _drafted_clean(christmas, run_cli)
    assert "Obviously," in draft and "A sloppy page" in draft


def _drafted_clean(christmas: Path, run_cli: RunCli) -> str:
    """The draft of the Christmas incident, which lints clean, as its draft does (BL and SP)."""
    assert run_cli(christmas, "lint", str(christmas / INCIDENT)).exit_code == 0
    assert run_cli(christmas, "postmortem", f"INC-{CHRISTMAS}", "--by", "sam").exit_code == 0
    linted = run_cli(christmas, "lint", str(christmas / POSTMORTEM), "--select", "BL,SP")
    assert linted.exit_code == 0, linted.stdout
    return (christmas / POSTMORTEM).read_text()


def test_a_draft_carries_a_block_suppression_only_where_it_is_still_needed(
    christmas: Path, run_cli: RunCli
) -> None:
    incident = _without_postmortem(christmas)
    text = (
        incident.read_text()
        .replace("audiences:\n", "# <!-- incident-docs disable BL004 -->\naudiences:\n")
        .replace("  users: The web shop", "  users: A sloppy page; the web shop")
    )
    end = text.index("\n---\n", 4)  # the block ends after the summary, with the front-matter
    incident.write_text(text[:end] + "\n# <!-- incident-docs enable BL004 -->" + text[end:])
    summary = _drafted_clean(christmas, run_cli).split("## Summary\n", 1)[1].split("\n## ", 1)[0]
    assert "incident-docs" not in summary


def test_a_draft_is_written_when_the_archives_model_cannot_be_read(
    christmas: Path, run_cli: RunCli
) -> None:
    incident = _without_postmortem(christmas)
    incident.write_text(
        incident.read_text().replace(
            "summary: >-",
            "# <!-- incident-docs disable-next-line BL003 -->\nsummary: >-\n  Obviously,",
        )
    )
    (christmas / ".incident-docs").mkdir()
    (christmas / ".incident-docs" / "blameless-model.json.gz").write_text("garbage")
    made = run_cli(christmas, "postmortem", f"INC-{CHRISTMAS}", "--by", "sam")
    assert made.exit_code == 0, made.output
    assert "unusable blameless model" in made.stderr  # once, with what the draft does about it
    assert made.stderr.count("warning:") == 1
    assert "incident-docs disable BL003" in (christmas / POSTMORTEM).read_text()


def test_a_draft_whose_incident_cannot_be_linked_is_not_left_behind(
    christmas: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    incident = _without_postmortem(christmas)
    before = incident.read_bytes()
    write_atomic = store.write_atomic

    def refuse_the_incident(path: Path, data: bytes, *, exclusive: bool = False) -> None:
        if path.name == incident.name:
            # What a read-only or immutable file gives: the error is about the temporary file.
            temporary = path.parent / f".{path.name}.incident-docs.x.tmp"
            raise PermissionError(errno.EPERM, "Operation not permitted", str(temporary))
        write_atomic(path, data, exclusive=exclusive)

    monkeypatch.setattr(store, "write_atomic", refuse_the_incident)
    result = run_cli(christmas, "postmortem", f"INC-{CHRISTMAS}", "--by", "sam")
    assert result.exit_code == 2
    assert not (christmas / POSTMORTEM).exists()
    assert incident.read_bytes() == before
    monkeypatch.setattr(store, "write_atomic", write_atomic)
    assert run_cli(christmas, "postmortem", f"INC-{CHRISTMAS}", "--by", "sam").exit_code == 0


def test_an_error_writing_a_record_names_the_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = tmp_path / "INC-1.md"
    record.write_text("old")

    def refused(source: str, target: str) -> None:
        raise PermissionError(errno.EPERM, "Operation not permitted", source)

    monkeypatch.setattr(os, "replace", refused)
    with pytest.raises(OSError) as raised:
        store.write_atomic(record, b"new")
    assert raised.value.filename == str(record)
    assert record.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["INC-1.md"]


def test_the_site_names_the_line_of_what_keeps_a_record_unpublished(christmas: Path) -> None:
    incident = christmas / INCIDENT
    text = incident.read_text()
    incident.write_text(
        text.replace("declared_at: 2022-12-25T12:41:00Z", "declared_at: 2022-12-25T12:41:00")
    )
    line = text.splitlines().index("declared_at: 2022-12-25T12:41:00Z") + 1
    config = load_config(christmas)
    site = load_site_archive(christmas, config, load_roster(christmas, config))
    assert [why.split(" ")[:2] for why in site.left_out] == [[f"{INCIDENT}:{line}:", "FM006"]]


def test_a_record_outside_the_archive_is_no_hidden_record(
    christmas: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    other = tmp_path / "other" / "incidents"
    other.mkdir(parents=True)
    copy = other / f"INC-{CHRISTMAS}.md"
    copy.write_text((christmas / INCIDENT).read_text())
    result = run_cli(christmas, "lint", "--select", "ID004", str(copy))
    assert " ID004 " not in result.stdout, result.stdout


def test_outside_responders_are_known_in_the_timeline_only(
    christmas: Path, run_cli: RunCli
) -> None:
    incident = christmas / INCIDENT
    incident.write_text(
        incident.read_text().replace("summary: >-", "outside_responders: [vendor-joe]\nsummary: >-")
    )
    pm = christmas / POSTMORTEM
    pm.write_text(pm.read_text().replace("authors: [", "authors: [vendor-joe, ", 1))
    assert "'vendor-joe' is not in the roster" in run_cli(christmas, "lint", str(pm)).stdout


def test_the_stats_csv_keeps_its_rows_in_place(christmas: Path, run_cli: RunCli) -> None:
    rows = run_cli(
        christmas, "stats", "--format", "csv", "--today", "2023-01-10"
    ).stdout.splitlines()
    assert rows[1].startswith("incidents,") and rows[2].startswith("postmortems,")
    assert rows[-1].startswith("counted,")


def test_a_severity_written_in_another_case_counts_as_the_configured_one(
    christmas: Path, run_cli: RunCli
) -> None:
    # "sev2" and "Sev1" (typos lint reports) were severities of their own in `incident stats`
    # and on the metrics page, and `incident list --severity SEV1` did not find "Sev1", while
    # the browse pages list them under SEV2 and SEV1.
    incident = christmas / INCIDENT
    text = incident.read_text()
    incident.write_text(text.replace("severity: SEV2", "severity: sev2", 1))
    other = "2023-01-05-second-wave"
    (christmas / f"incidents/INC-{other}.md").write_text(
        text.replace(CHRISTMAS, other).replace("severity: SEV2", "severity: Sev1", 1)
    )
    stats = json.loads(run_cli(christmas, "stats", "--format", "json").stdout)
    assert stats["by_severity"] == {"SEV1": 1, "SEV2": 1, "SEV3": 0, "SEV4": 0}
    assert stats["by_month"]["2022-12"]["SEV2"] == 1
    listed = run_cli(christmas, "list", "--severity", "SEV1").stdout
    assert f"INC-{other}" in listed and f"INC-{CHRISTMAS}" not in listed
    config = load_config(christmas)
    site = load_site_archive(christmas, config, load_roster(christmas, config))
    groups, keys = facet_groups(site, next(f for f in FACETS if f.name == "severity"))
    assert keys == ["SEV1", "SEV2"]
    assert [len(groups[key][1]) for key in keys] == [1, 2]


def test_the_site_timeline_counts_from_the_start_as_incident_show_does(
    christmas: Path, run_cli: RunCli
) -> None:
    # Without an entry at the start of impact (12:32), the site called the alert at 12:38
    # "start" while `incident show` put it 6 minutes in; an entry before the start was blank.
    incident = christmas / INCIDENT
    text = incident.read_text()
    first = re.search(r"(?m)^- 2022-12-25T12:32:00Z .*\n", text)
    assert first is not None
    incident.write_text(
        text.replace(first.group(), "- 2022-12-25T12:20:00Z **note** by sam: Build started.\n")
    )
    shown = run_cli(christmas, "show", f"INC-{CHRISTMAS}").stdout
    assert re.search(r"-0:12 +2022-12-25T12:20:00Z", shown) and re.search(
        r"\+0:06 +2022-12-25T12:38:00Z", shown
    ), shown
    config = load_config(christmas)
    site = load_site_archive(christmas, config, load_roster(christmas, config))
    record = site.by_id[f"INC-{CHRISTMAS}"]
    cells = decoration(site, record, Settings(date(2023, 1, 10), True, "material")).timeline_cells
    elapsed = [re.findall(r'idocs-elapsed">([^<]*)<', when) for when, _kind, _who in cells]
    assert elapsed[:2] == [["-12m"], ["+6m"]]
    staged = staged_record(site, record, date(2023, 1, 10))
    assert re.search(r"12:20</time> <span[^>]*>-12m</span>", staged), staged


def test_a_heading_in_a_list_item_is_staged_as_the_site_reads_it(christmas: Path) -> None:
    # Indented four columns, the site's Markdown reads it in its list; indented less, as text
    # ("## Notes"), so it is staged as a heading after the list.
    path = christmas / POSTMORTEM
    path.write_text(
        path.read_text().replace(
            "## Recovery\n",
            "- Rolled back\n\n  ## Notes\n\n- Paged\n\n    ## Calls\n\n    Two.\n\n## Recovery\n",
        )
    )
    config = load_config(christmas)
    site = load_site_archive(christmas, config, load_roster(christmas, config))
    staged = staged_record(site, site.by_id[f"PM-{CHRISTMAS}"], date(2023, 1, 10))
    assert "\n## Notes\n" in staged and "## Notes</p>" not in staged, staged
    assert re.search(r"<li>\s*<p>Paged</p>\s*<h2>Calls</h2>\s*<p>Two.</p>\s*</li>", staged), staged


def test_a_severity_nobody_configured_has_one_name_on_the_metrics_and_browse_pages(
    christmas: Path,
) -> None:
    # "urgent" on the incident and "Urgent" on its postmortem: the metrics named it after the
    # incident ("urgent"), the browse pages after the first of both ("Urgent").
    for path, written in ((christmas / INCIDENT, "urgent"), (christmas / POSTMORTEM, "Urgent")):
        path.write_text(path.read_text().replace("severity: SEV2", f"severity: {written}", 1))
    config = load_config(christmas)
    site = load_site_archive(christmas, config, load_roster(christmas, config))
    _groups, keys = facet_groups(site, next(f for f in FACETS if f.name == "severity"))
    assert keys == ["Urgent"]
    builder = PageBuilder(site, date(2023, 1, 10))
    assert builder.metrics.by_severity == {"Urgent": 1}
