"""The BL rules through `incident lint`, on whole postmortems as authors write them."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.cli import RunCli

PM = "postmortems/PM-2022-12-25-corrupt-image-crash-loop.md"


def _hide_three(path: Path) -> dict[str, int]:
    text = path.read_text()
    paragraph = "The error-rate alert fired six minutes after the deploy began."
    text = text.replace(
        paragraph,
        paragraph + " Honestly, Marco was careless with the rollout and ignored the warnings.",
    )
    text = text.replace(
        "| Keep the last three production images for rollback | sam | mitigate | done |",
        "| Keep the last three production images for rollback | sam | mitigate | done |\n"
        "| The release engineer should have double-checked the image hash | lee | process | open |",
    )
    text = text.replace(
        "| Canary every web deploy for ten minutes | priya | prevent | in progress |",
        "| Canary every web deploy for ten minutes | priya | prevent | in progress |\n\n"
        "- Everyone must be more careful when editing deployment configs (dana)",
    )
    path.write_text(text)
    lines = text.splitlines()

    def line_of(fragment: str) -> int:
        return next(number for number, line in enumerate(lines, 1) if fragment in line)

    return {
        "paragraph": line_of("Marco was careless"),
        "table": line_of("should have double-checked"),
        "action": line_of("must be more careful"),
    }


def test_three_hidden_blameful_sentences_are_exactly_what_is_flagged(
    archive: Path, run_cli: RunCli
) -> None:
    where = _hide_three(archive / PM)
    result = run_cli(archive, "lint", "--select", "BL", "--format", "json")
    import json

    diagnostics = json.loads(result.stdout)["diagnostics"]
    assert result.exit_code == 1
    assert {d["line"] for d in diagnostics} == set(where.values())
    assert all(d["path"] == PM and d["suggestion"] for d in diagnostics)
    codes = {d["line"]: d["code"] for d in diagnostics}
    assert codes[where["table"]] == "BL002"
    assert codes[where["action"]] == "BL009"


def test_github_annotations_show_them_inline(archive: Path, run_cli: RunCli) -> None:
    where = _hide_three(archive / PM)
    result = run_cli(archive, "lint", "--format", "github")
    lines = result.stdout.splitlines()
    assert len(lines) >= len(where)
    for line in where.values():
        assert any(f"file={PM},line={line}," in annotation for annotation in lines)
    assert all(annotation.startswith("::error ") for annotation in lines)


BLAMELESS_SUMMARY = (
    "On 25 December 2022 at 12:32 UTC a corrupt image was deployed to production. A memory leak "
    "in the new image caused the VMs to crash-loop. The responders spent two hours in logs and "
    "metrics before finding a typo in the deployment configuration, which was fixed and redeployed."
)
BLAMEFUL_SUMMARY = [
    "Of course Jake was at it again and pushed a broken image to production on Christmas Day.",
    "Nobody is surprised that he forgot to check the config, what a genius.",
    "We wasted two hours in logs because Jake couldn't be bothered to test his own typo.",
    "Thankfully Maria, our hero, saved the day once again and found his mistake.",
]


def test_source_material_summaries(archive: Path, run_cli: RunCli, tmp_path: Path) -> None:
    good = tmp_path / "good.md"
    good.write_text(f"# Summary\n\n{BLAMELESS_SUMMARY}\n")
    assert run_cli(archive, "lint", "--select", "BL", str(good)).exit_code == 0
    bad = tmp_path / "bad.md"
    bad.write_text("# Summary\n\n" + "\n\n".join(BLAMEFUL_SUMMARY) + "\n")
    result = run_cli(archive, "lint", "--select", "BL", str(bad))
    flagged = {int(line.split(":")[1]) for line in result.stdout.splitlines()}
    written = bad.read_text().splitlines()
    assert flagged == {number for number, line in enumerate(written, 1) if line in BLAMEFUL_SUMMARY}
    assert len(flagged) == len(BLAMEFUL_SUMMARY)


def test_allow_list_and_extra_terms_from_config(archive: Path, run_cli: RunCli) -> None:
    path = archive / PM
    path.write_text(
        path.read_text().replace("No data was lost", "The yolo deploy script ran. No data was lost")
    )
    assert run_cli(archive, "lint", "--select", "BL").exit_code == 0
    pyproject = archive / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text() + '\n[tool.incident-docs.blameless]\nextra-terms = ["yolo"]\n'
    )
    assert "BL004" in run_cli(archive, "lint", "--select", "BL").stdout
    pyproject.write_text(
        pyproject.read_text().replace(
            'extra-terms = ["yolo"]', 'extra-terms = ["yolo"]\nallow = ["yolo deploy"]'
        )
    )
    assert run_cli(archive, "lint", "--select", "BL").exit_code == 0


def test_per_rule_severity(archive: Path, run_cli: RunCli) -> None:
    _hide_three(archive / PM)
    pyproject = archive / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text()
        + '\n[tool.incident-docs.lint]\nseverity = { BL = "warning" }\nfail-on = "error"\n'
    )
    result = run_cli(archive, "lint")
    assert result.exit_code == 0 and "BL00" in result.stdout
    assert run_cli(archive, "lint", "--strict").exit_code == 1


def test_sarif_carries_the_mechanical_fix(archive: Path, run_cli: RunCli) -> None:
    import json

    path = archive / PM
    path.write_text(
        path.read_text().replace("The build cache served", "The build cache obviously served")
    )
    sarif = json.loads(run_cli(archive, "lint", "--format", "sarif").stdout)
    [result] = sarif["runs"][0]["results"]
    assert result["ruleId"] == "BL003"
    replacement = result["fixes"][0]["artifactChanges"][0]["replacements"][0]
    assert replacement["insertedContent"]["text"] == ""
    region = replacement["deletedRegion"]
    line = path.read_text().splitlines()[region["startLine"] - 1]
    fixed = line[: region["startColumn"] - 1] + line[region["endColumn"] - 1 :]
    assert "The build cache served" in fixed


def test_a_blog_post_with_toml_front_matter_is_linted_from_its_body(
    archive: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    """A postmortem pasted from a Hugo or Zola site: its `team = "..."` is a setting, not prose;
    blame in its body is still found, on the file's own line."""
    post = tmp_path / "post.md"
    post.write_text(
        '+++\ntitle = "Outage"\nteam = "the crates.io team"\n+++\n\n'
        f"# Summary\n\n{BLAMELESS_SUMMARY}\n\nEric was at it again this weekend.\n"
    )
    assert _flagged_lines(run_cli, archive, post) == [10]


def test_an_mdx_pages_imports_are_code_not_prose(
    archive: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "import {HeaderBadgesWidget} from '@site/src/components/HeaderBadgesWidget.js';\n"
        "import Tabs from '@theme/Tabs';\n\n"
        "export const meta = {title: 'Outage'};\n\n<HeaderBadgesWidget />\n\n"
        "Import the backup from the old cluster. Eric was at it again this weekend.\n"
    )
    assert _flagged_lines(run_cli, archive, page) == [8]


def test_code_fenced_inside_a_quote_is_not_prose(
    archive: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "> From the channel:\n>\n> ```\n> Dave broke it again, what an idiot\n> ```\n>\n"
        "> Eric was at it again this weekend.\n"
    )
    assert set(_flagged_lines(run_cli, archive, page)) == {7}


def _flagged_lines(run_cli: RunCli, archive: Path, path: Path) -> list[int]:
    result = run_cli(archive, "lint", "--select", "BL", str(path))
    return [int(line.split(":")[1]) for line in result.stdout.splitlines()]


def test_an_admonition_is_read_as_the_site_shows_it(
    archive: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    """Its title and every paragraph indented under it are published; its marker and the code
    fenced or indented inside it are not."""
    page = tmp_path / "page.md"
    page.write_text(
        '!!! warning "Eric was at it again this weekend"\n'  # 1: the title
        "    The cache was warmed before the deploy.\n\n"
        "    Eric was at it again this weekend.\n\n"  # 4: a second paragraph
        "    ```bash\n    echo 'Eric was at it again this weekend'\n    ```\n\n"
        "        Eric was at it again this weekend (indented code).\n\n"
        "??? note\n    Nothing to see.\n\n"
        "???+ tip\n    Eric was at it again this weekend.\n"  # 16
    )
    assert sorted(set(_flagged_lines(run_cli, archive, page))) == [1, 4, 16]
    result = run_cli(archive, "lint", "--select", "BL", str(page))
    assert f"{page.name}:4:14: BL006" in result.stdout  # where "at it again" is written


def test_a_footnote_is_prose(archive: Path, run_cli: RunCli, tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "The cache was warmed.[^1]\n\n[^1]: Eric was at it again this weekend.\n\n"
        "[docs]: https://example.com/eric-was-at-it-again\n"
    )
    assert _flagged_lines(run_cli, archive, page) == [3]


def test_a_line_python_markdown_reads_as_no_admonition_is_a_paragraph(
    archive: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "!!! note 'Eric was at it again this weekend'\n    x\n\n"  # single quotes: no title
        '!!! note "Eric was \\"at it\\" again this weekend"\n    x\n'  # the title runs to the end
    )
    assert sorted(set(_flagged_lines(run_cli, archive, page))) == [1, 4]


def test_the_harm_to_each_audience_is_checked(archive: Path, run_cli: RunCli) -> None:
    """The header card publishes it."""
    path = archive / "incidents" / "INC-2022-12-25-corrupt-image-crash-loop.md"
    text = path.read_text()
    path.write_text(
        text.replace(
            "  stakeholders: Christmas Day sales stopped, and customers said so in public.",
            "  stakeholders: Eric was at it again this weekend.",
        )
    )
    result = run_cli(archive, "lint", "--select", "BL", str(path))
    line = next(n for n, t in enumerate(path.read_text().splitlines(), 1) if "Eric" in t)
    assert f"{path.name}:{line}:" in result.stdout


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("Term\n: first\n\n    Eric was at it again this weekend.\n", [4]),  # a definition
        ("x[^1]\n\n[^1]: Context.\n\n    Eric was at it again this weekend.\n", [5]),  # a footnote
        ("Intro.\n\n    Eric was at it again this weekend (code).\n", []),  # indented code
        ("```\nEric was at it again this weekend.\n", [2]),  # a fence never closed
        ("~~~\nEric was at it again this weekend.\n```\n", [2]),  # nor closed by its kind
        ("```\nEric was at it again this weekend.\n```\n", []),  # closed
        ("```\nEric was at it again this weekend.\n````\n", [2]),  # superfences: not closed
        # a fence that opens a list item: code on GitHub; text on the site, unless a code span
        ("- ~~~\n  Eric was at it again this weekend.\n  ~~~\n", [2]),
        ("- ```\n  Eric was at it again this weekend.\n- next\n", [2]),
        ("- ```\n  Eric was at it again this weekend.\n  ```\n", []),
        ("- ```\n  a\n\n  Eric was at it again this weekend.\n  ```\n", [4]),  # no span
        ("- x\n\n  ~~~\n  Eric was at it again this weekend.\n  ~~~\n", []),  # code
        # closed left of where it opened: tildes are text, backticks a span a blank line breaks
        ("- x\n\n  ~~~\n  Eric was at it again this weekend.\n~~~\n", [4]),
        ("- x\n\n  ```\n  Eric was at it again this weekend.\n```\n", []),
        ("- x\n\n  ```\n  a\n\n  Eric was at it again this weekend.\n```\n", [6]),
        ("- x\n\n    - ~~~\n      Eric was at it again this weekend.\n      ~~~\n", [4]),
        ("> - ~~~\n>   Eric was at it again this weekend.\n>   ~~~\n", [2]),
        # the label of a reference link hid the last word from the model, which then vetoed
        ("See [the rollout was careless.][r] now.\n\n[r]: https://example.com/x\n", [1]),
    ],
)
def test_text_the_site_shows_as_prose_is_checked_as_prose(
    archive: Path, run_cli: RunCli, tmp_path: Path, text: str, lines: list[int]
) -> None:
    page = tmp_path / "page.md"
    page.write_text(text)
    assert sorted(set(_flagged_lines(run_cli, archive, page))) == lines


def _allow(archive: Path, phrases: list[str]) -> Path:
    pyproject = archive / "pyproject.toml"
    listed = "".join(f'  "{phrase}",\n' for phrase in phrases)
    pyproject.write_text(
        pyproject.read_text() + f"\n[tool.incident-docs.blameless]\nallow = [\n{listed}]\n"
    )
    return pyproject


def _unused_allowed(stdout: str) -> list[tuple[int, int, str]]:
    import json

    return [
        (d["line"], d["column"], d["message"])
        for d in json.loads(stdout)["diagnostics"]
        if d["code"] == "SP003" and d["path"] == "pyproject.toml" and d["severity"] == "info"
    ]


def _write_into(archive: Path, sentences: str) -> None:
    path = archive / PM
    path.write_text(path.read_text().replace("No data was lost", f"{sentences} No data was lost"))


def test_an_allowed_phrase_that_keeps_no_finding_away_is_reported(
    archive: Path, run_cli: RunCli
) -> None:
    _write_into(archive, "It was a cowboy deploy. The blast radius was one region.")
    pyproject = _allow(archive, ["Cowboy  Deploy", "blast radius", "written nowhere"])
    lines = pyproject.read_text().splitlines()
    result = run_cli(archive, "lint", "--format", "json")
    # "cowboy deploy" keeps BL004 away; "blast radius" is written, but in words nothing reports.
    assert _unused_allowed(result.stdout) == [
        (
            lines.index('  "blast radius",') + 1,
            3,
            "allowed phrase 'blast radius' keeps no finding away in the archive",
        ),
        (
            lines.index('  "written nowhere",') + 1,
            3,
            "allowed phrase 'written nowhere' keeps no finding away in the archive",
        ),
    ]
    assert "BL004" not in result.stdout
    assert result.exit_code == 0  # a phrase may be kept for text to come: only info
    text = run_cli(archive, "lint", "--select", "BL,SP").stdout
    assert text.count("pyproject.toml:") == 2 and "SP003 allowed phrase 'blast radius'" in text
    # Only every blameless check over the whole archive can tell.
    assert _unused_allowed(run_cli(archive, "lint", "--format", "json", PM).stdout) == []
    for selected in ("BL", "SP", "BL001,SP", "BL010,SP"):
        result = run_cli(archive, "lint", "--select", selected, "--format", "json")
        assert _unused_allowed(result.stdout) == []
    result = run_cli(archive, "lint", "--ignore", "BL004", "--format", "json")
    assert _unused_allowed(result.stdout) == []
    pyproject.write_text(
        pyproject.read_text() + '\n[tool.incident-docs.lint]\nseverity = { SP003 = "warning" }\n'
    )
    assert run_cli(archive, "lint").exit_code == 1


@pytest.mark.parametrize(
    ("sentences", "allowed", "reported"),
    [
        # Read as the rules read it: through emphasis and markup.
        ("It was a cowboy _deploy_ again.", ["cowboy deploy"], []),
        ("It was a cowboy <b>deploy</b> again.", ["cowboy deploy"], []),
        # The phrase over the finding keeps it away, not another one beside it.
        (
            "It was a cowboy deploy, and the blast radius was one region.",
            ["cowboy deploy", "blast radius"],
            ["blast radius"],
        ),
        # Case read as the phrase's pattern reads it.
        ("Then a cowboy οδοσ moved.", ["COWBOY ΟΔΟΣ"], []),
        ("The cowboy deploy at İzmir failed.", ["cowboy deploy at izmir"], []),
        # Listed twice.
        ("It was a cowboy deploy.", ["cowboy deploy", "Cowboy Deploy"], ["Cowboy Deploy"]),
    ],
)
def test_each_allowed_phrase_is_judged_by_what_it_keeps_away(
    archive: Path, run_cli: RunCli, sentences: str, allowed: list[str], reported: list[str]
) -> None:
    _write_into(archive, sentences)
    pyproject = archive / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text() + "\n[tool.incident-docs.blameless]\nmodel = false\n"
    )
    allowing = ", ".join(f'"{phrase}"' for phrase in allowed)
    pyproject.write_text(pyproject.read_text() + f"allow = [{allowing}]\n")
    result = run_cli(archive, "lint", "--format", "json")
    named = [message.split("'")[1] for _, _, message in _unused_allowed(result.stdout)]
    assert named == reported
    assert "BL0" not in result.stdout


@pytest.mark.parametrize(
    ("setting", "said"),
    [
        ('allow = ["blast radius", ""]', "allow.1: '' is no phrase"),
        ('extra-terms = [" "]', "extra-terms.0: ' ' is no phrase"),
        ('extra-terms = ["yolo", "\\t"]', "extra-terms.1: '\\t' is no phrase"),
    ],
)
def test_an_empty_or_blank_phrase_is_a_configuration_error(
    archive: Path, run_cli: RunCli, setting: str, said: str
) -> None:
    """An empty allowed phrase was taken, then noted as keeping nothing away; an empty extra
    term was taken and reported nothing."""
    pyproject = archive / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + f"\n[tool.incident-docs.blameless]\n{setting}\n")
    line = len(pyproject.read_text().splitlines())
    result = run_cli(archive, "lint")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (
        f"incident: error: pyproject.toml:{line}: tool.incident-docs.blameless.{said}: give its "
        "words, or remove it\n"
    )


def test_a_table_row_is_judged_cell_by_cell(archive: Path, run_cli: RunCli) -> None:
    # The model reads each cell of a row alone: the phrase in the other cell kept nothing away.
    path = archive / PM
    row = (
        "| The blast radius was one region | The config was pushed straight to prod"
        " without telling anyone |"
    )
    path.write_text(path.read_text() + f"\n| What | Why |\n| --- | --- |\n{row}\n")
    _allow(archive, ["blast radius", "without telling anyone"])
    result = run_cli(archive, "lint", "--format", "json")
    named = [message.split("'")[1] for _, _, message in _unused_allowed(result.stdout)]
    assert named == ["blast radius"] and "BL0" not in result.stdout


def test_a_second_lint_in_one_process_judges_the_phrases_again(
    archive: Path, run_cli: RunCli
) -> None:
    # A short line, which a checker reads once per process: what it keeps away counts each time.
    path = archive / PM
    path.write_text(path.read_text() + "\n- A cowboy deploy\n\n- A cowboy&#32;deploy\n")
    _allow(archive, ["cowboy deploy"])
    for _ in range(2):
        assert _unused_allowed(run_cli(archive, "lint", "--format", "json").stdout) == []
    path.write_text(path.read_text().replace("- A cowboy deploy\n", "- A deploy\n"))
    for _ in range(2):  # the phrase only as the page shows the line
        assert _unused_allowed(run_cli(archive, "lint", "--format", "json").stdout) == []
    path.write_text(path.read_text().replace("- A cowboy&#32;deploy", "- A deploy"))
    assert len(_unused_allowed(run_cli(archive, "lint", "--format", "json").stdout)) == 1


def test_an_allowed_phrase_that_keeps_a_finding_away_in_a_worker_is_not_reported(
    archive: Path, run_cli: RunCli
) -> None:
    from incident_docs.linter import PARALLEL_THRESHOLD

    source = archive / PM
    text = source.read_text()
    for index in range(PARALLEL_THRESHOLD):
        (archive / "postmortems" / f"copy-{index}.md").write_text(text)
    last = archive / "postmortems" / f"copy-{PARALLEL_THRESHOLD - 1}.md"
    last.write_text(text.replace("No data was lost", "It was a cowboy deploy. No data was lost"))
    _allow(archive, ["cowboy deploy", "written nowhere"])
    result = run_cli(archive, "lint", "--jobs", "2", "--format", "json")
    assert [message for _, _, message in _unused_allowed(result.stdout)] == [
        "allowed phrase 'written nowhere' keeps no finding away in the archive"
    ]


def test_an_action_item_title_asking_someone_for_care_is_reported_where_it_is_written(
    archive: Path, run_cli: RunCli
) -> None:
    import json

    path = archive / PM
    title = "title: Validate deployment configs against a schema before rollout"
    text = path.read_text()
    path.write_text(text.replace(title, "title: Make Sam more careful with deployment configs"))
    line = text[: text.index(title)].count("\n") + 1
    result = run_cli(archive, "lint", "--select", "BL", "--format", "json", str(path))
    [found] = json.loads(result.stdout)["diagnostics"]
    assert (found["line"], found["column"], found["code"]) == (line, 12, "BL009")


ROSTER_PEOPLE = """
  - handle: jalvarez
    name: "Jose\\u0301 A\\u0301lvarez"
  - handle: astrauss
    name: Anna Strauß
  - handle: pvdberg
    name: Pieter van der Berg
  - handle: abdullah
    name: Ahmad bin Abdullah
  - handle: nvan
    name: Nguyễn Văn An
"""


@pytest.mark.parametrize(
    ("line", "named"),
    [
        # The roster's names, whatever form they are written in there (decomposed, "ß").
        ("josé pushed a broken config again.", True),
        ("strauß pushed a broken config again.", True),
        ("strauss pushed a broken config again.", True),  # as "Strauß" is often written
        # The particles of its names and a name that is a word of grammar are still words.
        ("The van failed to arrive on time.", False),
        ("The bin failed to rotate the logs.", False),
        ("The outage was caused by an expired certificate.", False),
    ],
)
def test_roster_names_are_read_as_the_record_writes_them(
    archive: Path, run_cli: RunCli, line: str, named: bool
) -> None:
    roster = archive / "people.yaml"
    text = roster.read_text(encoding="utf-8")
    roster.write_text(text.replace("\nteams:", ROSTER_PEOPLE + "\nteams:", 1), encoding="utf-8")
    result = run_cli(archive, "lint", "--select", "BL", "-", "--stdin-filename", "x.md", input=line)
    assert result.exit_code in (0, 1), result.output
    assert ("BL001" in result.output or "BL002" in result.output) is named, result.output
