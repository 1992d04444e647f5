"""Sections under the names `section-aliases` gives them: every reader and writer takes the
aliased section exactly as it takes the one under its default name, as lint does."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from support.archive import CHRISTMAS
from support.cli import RunCli
from support.site_build import build_site, page, search_entries

LATENCY = "INC-2026-11-20-search-latency"
LATENCY_PATH = f"incidents/{LATENCY}.md"


def rename_timeline(root: Path, heading: str = "Chronology", alias: str = "Chronology") -> None:
    """Configure `Timeline = [alias]` and write every record's timeline under `## heading`."""
    pyproject = root / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text() + f'\n[tool.incident-docs.section-aliases]\nTimeline = ["{alias}"]\n'
    )
    for path in [*root.glob("incidents/*.md"), *root.glob("postmortems/*.md")]:
        path.write_text(path.read_text().replace("\n## Timeline\n", f"\n## {heading}\n"))


def configure(root: Path, settings: str) -> None:
    """Add SETTINGS (lines of TOML) at the top of `[tool.incident-docs]` in ROOT's pyproject."""
    pyproject = root / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            "[tool.incident-docs]\n", f"[tool.incident-docs]\n{settings}", 1
        )
    )


def declared_record(root: Path, run_cli: RunCli) -> Path:
    """The record `incident declare` writes in an archive that holds none yet."""
    args = ("--because", "user-facing", "--severity", "SEV2", "--service", "payments-api")
    declared = run_cli(root, "declare", "Checkout fails", *args, "--by", "sam")
    assert declared.exit_code == 0, declared.output
    (path,) = (root / "incidents").glob("*.md")
    return path


@pytest.mark.parametrize("heading", ["Chronology", "Chronology (UTC)", "CHRONOLOGY:"])
def test_lint_checks_the_timeline_under_its_alias(
    archive: Path, run_cli: RunCli, heading: str
) -> None:
    rename_timeline(archive, heading)
    path = archive / LATENCY_PATH
    text = path.read_text()
    path.write_text(
        text.replace("- 2026-11-20T13:58:00Z", "- 2026-11-20T23:58:00Z").replace(
            "**note** by sam: p99", "**notes** by sam: p99"
        )
    )
    result = run_cli(archive, "lint", str(archive / LATENCY_PATH))
    assert result.exit_code == 1, result.output
    assert " TL002 " in result.output and " TL001 " in result.output


def test_show_lists_the_timeline_under_its_alias(archive: Path, run_cli: RunCli) -> None:
    rename_timeline(archive)
    result = run_cli(archive, "show", LATENCY)
    assert result.exit_code == 0, result.output
    assert "Timeline: none recorded" not in result.output
    assert "Weekly index rebuild swapped in." in result.output


def test_log_keeps_the_timeline_under_its_alias_in_order(archive: Path, run_cli: RunCli) -> None:
    rename_timeline(archive)
    result = run_cli(
        archive, "log", "-i", LATENCY, "--by", "sam", "--at", "2026-11-20T14:00:00Z", "Paged db."
    )
    assert result.exit_code == 0, result.output
    text = (archive / LATENCY_PATH).read_text()
    assert "## Timeline" not in text
    lines = text.splitlines()
    new = lines.index("- 2026-11-20T14:00:00Z **note** by sam: Paged db.")
    assert lines[new - 1].startswith("- 2026-11-20T13:58:00Z ")
    assert lines[new + 1].startswith("- 2026-11-20T14:05:00Z ")
    assert run_cli(archive, "lint", str(archive / LATENCY_PATH)).exit_code == 0


def test_the_update_reports_the_work_in_the_timeline_under_its_alias(
    archive: Path, run_cli: RunCli
) -> None:
    rename_timeline(archive)
    result = run_cli(archive, "update", "-i", LATENCY)
    assert result.exit_code == 0, result.output
    assert "Added three replicas for the hot shards" in result.output


def test_the_draft_copies_the_timeline_written_under_its_alias(
    christmas: Path, run_cli: RunCli
) -> None:
    rename_timeline(christmas)
    (christmas / f"postmortems/PM-{CHRISTMAS}.md").unlink()
    path = christmas / f"incidents/INC-{CHRISTMAS}.md"
    path.write_text(path.read_text().replace(f"postmortem: PM-{CHRISTMAS}\n", ""))
    result = run_cli(christmas, "postmortem", f"INC-{CHRISTMAS}", "--by", "sam")
    assert result.exit_code == 0, result.output
    draft = (christmas / f"postmortems/PM-{CHRISTMAS}.md").read_text()
    timeline = draft.split("\n## Timeline\n", 1)[1].split("\n## ", 1)[0]
    assert "**mitigation/redirect-traffic** by dana" in timeline


def test_similar_reads_the_timeline_and_sections_under_their_aliases(
    christmas: Path, run_cli: RunCli
) -> None:
    # The mitigations of the timeline, else the first sentence of the Mitigation section, say
    # what fixed a case: under "## Chronology" and "## Mitigation efforts".
    rename_timeline(christmas)
    with (christmas / "pyproject.toml").open("a") as pyproject:
        pyproject.write('Mitigation = ["Mitigation efforts"]\n')

    def mitigated_by() -> str:
        result = run_cli(christmas, "similar", "--text", "corrupt image", "--format", "json")
        assert result.exit_code == 0, result.output
        found: str = json.loads(result.output)[0]["mitigated_by"]
        return found

    assert mitigated_by().startswith("Drained the crash-looping VMs")
    for path in christmas.glob("*/*.md"):
        text = re.sub(r"\*\*mitigation/[a-z-]+\*\*", "**note**", path.read_text())
        path.write_text(text.replace("\n## Mitigation\n", "\n## Mitigation efforts\n"))
    assert mitigated_by().startswith("Traffic was moved from the crash-looping")


def test_the_site_shows_the_timeline_under_its_alias(christmas: Path) -> None:
    rename_timeline(christmas)
    site = build_site(christmas)
    incident = page(site, f"incidents/INC-{CHRISTMAS}")
    table = re.search(r'<table class="idocs-timeline">.*?</table>', incident, re.DOTALL)
    assert table is not None and "mitigation · redirect-traffic" in table.group(0)
    picture = re.search(r"<figure.*?</figure>", incident, re.DOTALL)
    assert picture is not None and "13:05 traffic redirected: Drained" in picture.group(0)
    # The postmortem's copy of the timeline is searched on the incident's page only.
    located = {entry["location"] for entry in search_entries(site)}
    assert f"incidents/INC-{CHRISTMAS}/#chronology" in located
    assert f"postmortems/PM-{CHRISTMAS}/#chronology" not in located


def test_people_are_named_neutrally_in_the_responders_under_its_alias(
    christmas: Path, run_cli: RunCli
) -> None:
    pyproject = christmas / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text() + '\n[tool.incident-docs.section-aliases]\nResponders = ["Crew"]\n'
    )
    path = christmas / f"postmortems/PM-{CHRISTMAS}.md"
    named = "- Ops Lead: dana (from 12:55)\n- Dave took the payments database offline.\n"
    text = path.read_text().replace("- Ops Lead: dana (from 12:55)\n", named)
    for heading, code in (("Crew", 0), ("Crew (on call)", 0), ("Elsewhere", 1)):
        path.write_text(text.replace("\n## Responders\n", f"\n## {heading}\n"))
        result = run_cli(christmas, "lint", "--select", "BL", str(path))
        assert result.exit_code == code, (heading, result.output)


@pytest.mark.parametrize(
    ("aliases", "says"),
    [
        (
            'Timeline = ["Summary"]',
            "Timeline.0: 'Summary' names another required section, 'Summary': a heading so named "
            "would count as both 'Summary' and 'Timeline'",
        ),
        (
            'Impact = ["Chronology"]\nTimeline = ["chronology"]',
            "Timeline.0: 'chronology' is an alias of 'Impact' already",
        ),
        ('Timeline = [""]', "Timeline.0: '' is no section title"),
        ('Timeline = ["## Chronology"]', "Timeline.0: '## Chronology' is no section title"),
    ],
)
def test_an_alias_that_names_another_section_is_refused(
    archive: Path, run_cli: RunCli, aliases: str, says: str
) -> None:
    # "## Summary" counted as the Timeline too: lint was satisfied with no timeline at all.
    pyproject = archive / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text() + f"\n[tool.incident-docs.section-aliases]\n{aliases}\n"
    )
    result = run_cli(archive, "lint")
    assert result.exit_code == 2, result.output
    assert f"tool.incident-docs.section-aliases.{says}" in result.stderr


def test_sections_never_required_together_may_share_an_alias(
    empty_archive: Path, run_cli: RunCli
) -> None:
    # Refused as "an alias of 'Summary' already": an incident's "## Overview" is its Summary, a
    # postmortem's its Executive summary, and no record is asked for both.
    configure(
        empty_archive,
        'postmortem-sections = ["Executive summary", "Timeline"]\n'
        'section-aliases = { Summary = ["Overview"], "Executive summary" = ["Overview"] }\n',
    )
    path = declared_record(empty_archive, run_cli)
    path.write_text(path.read_text().replace("\n## Summary\n", "\n## Overview\n"))
    result = run_cli(empty_archive, "lint", str(path))
    assert result.exit_code == 0, result.output


def test_declare_writes_the_incident_sections_the_configuration_asks_for(
    empty_archive: Path, run_cli: RunCli
) -> None:
    # It wrote "## Summary" and "## Timeline" whatever the list said: lint failed on a record
    # declared a second before (SC001 for '## Chronology' and '## Impact').
    configure(
        empty_archive,
        'incident-sections = ["Summary", "Chronology", "Impact"]\n'
        'section-aliases = { Timeline = ["Chronology"] }\n',
    )
    path = declared_record(empty_archive, run_cli)
    headings = [line for line in path.read_text().splitlines() if line.startswith("## ")]
    assert headings == ["## Summary", "## Chronology", "## Impact"]
    assert run_cli(empty_archive, "lint", str(path)).exit_code == 0
    # A record with no timeline gets one for its first entry, under the name the list gives it.
    text = path.read_text()
    path.write_text(text[: text.index("## Chronology")] + text[text.index("## Impact") :])
    logged = run_cli(empty_archive, "log", "--by", "sam", "Paged the database team.")
    assert logged.exit_code == 0, logged.output
    lines = path.read_text().splitlines()
    assert lines[-3:-1] == ["## Chronology", ""] and lines[-1].endswith("Paged the database team.")


def test_declare_writes_the_timeline_under_a_listed_section_it_is_the_alias_of(
    empty_archive: Path, run_cli: RunCli
) -> None:
    # With `Chronology = ["Timeline"]` lint takes "## Timeline" for the Chronology: declare
    # wrote "## Chronology" with a placeholder and "## Timeline" after it, and lint failed on
    # a record declared a second before (SC003, the section twice).
    configure(
        empty_archive,
        'incident-sections = ["Summary", "Chronology"]\n'
        'section-aliases = { Chronology = ["Timeline"] }\n',
    )
    path = declared_record(empty_archive, run_cli)
    logged = run_cli(empty_archive, "log", "--by", "sam", "Paged the database team.")
    assert logged.exit_code == 0, logged.output
    lines = path.read_text().splitlines()
    assert [line for line in lines if line.startswith("## ")] == ["## Summary", "## Chronology"]
    assert "Declared SEV2" in lines[-2] and lines[-1].endswith("Paged the database team.")
    result = run_cli(empty_archive, "lint", str(path))
    assert result.exit_code == 0, result.output


def test_a_section_similar_reads_may_be_listed_under_another_name(
    christmas: Path, run_cli: RunCli
) -> None:
    # `Resolution = ["Fix"]` with "Fix" listed was refused as no required section: similar
    # reads the Resolution by its name, and could read it under no other.
    listed = '"Mitigation", "Fix", "Recovery"'
    configure(
        christmas,
        'postmortem-sections = ["Summary", "Impact", "Timeline", '
        f'"Contributing factors", "Detection", {listed}, "Responders", '
        '"Lessons learned", "Action items"]\nsection-aliases = { Resolution = ["Fix"] }\n',
    )
    for path in christmas.glob("*/*.md"):
        text = re.sub(r"\*\*mitigation/[a-z-]+\*\*", "**note**", path.read_text())
        text = text.replace("\n## Mitigation\n", "\n## Mitigation notes\n")
        path.write_text(text.replace("\n## Resolution\n", "\n## Fix\n"))
    result = run_cli(christmas, "similar", "--text", "corrupt image", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)[0]["mitigated_by"].startswith("The configuration key was")
