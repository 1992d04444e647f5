"""The blameless checks read what the published page shows: no more, no less.

Each case was a gap between the site (Python-Markdown with the archive's extensions) and what
the checks read: blame shown on the page but never read, or text the page hides or shows as
code read as prose.
"""

from __future__ import annotations

import html
import re
import time
import unicodedata
from pathlib import Path
from typing import Any

import markdown  # type: ignore[import-untyped]
import pytest
from click.testing import Result

from incident_docs.blameless import Checker, check_markdown, prose
from incident_docs.blameless.model import packaged_model
from incident_docs.blameless.prose import check_document
from incident_docs.document import parse_text
from incident_docs.site.plugin import _headings_as_read
from incident_docs.site.sanitize import clean_html
from support.archive import CHRISTMAS, REPO
from support.cli import RunCli
from support.site_build import site_settings

BLAME = "Eric was at it again, careless as usual."
"""Flagged wherever it is read: BL006 ('at it again') and BL004 ('careless')."""


def lines_flagged(body: str) -> set[int]:
    """The lines lint reports for the body, as `incident lint --select BL -` reads it."""
    return {line for line, _, _ in check_markdown(body, checker=_checker())}


@pytest.mark.parametrize(
    ("body", "line"),
    [
        # A comment never closed: the site shows "<!--" as text and everything after it.
        ("# Title\n\n<!-- TODO(jo): add the screenshot\n\n## Appendix\n\n" + BLAME + "\n", 7),
        ("Fine.\n\n<!-->\n\n" + BLAME + "\n\n-->\n", 5),
        # A line shaped like a link definition that is none (words after the destination).
        ("[Update]: " + BLAME + "\n", 1),
        ("See below.\n[Update]: reverted.\n" + BLAME + "\n", 3),
        # Admonitions in a list item, in another admonition, after a paragraph.
        ("- Step one\n\n    !!! warning\n\n        " + BLAME + "\n", 5),
        ("- item\n\n    !!! note\n        a\n\n        " + BLAME + "\n", 6),
        ("!!! note\n    x\n\n    !!! warning\n\n        " + BLAME + "\n", 6),
        ("- item\n\n    ??? note\n\n        " + BLAME + "\n", 5),
        ("Some text.\n!!! note\n    " + BLAME + "\n", 3),
        ('> !!! note "' + BLAME + '"\n>     x\n', 1),
        # Indented under a list item less than the site's code (four columns a level, and four).
        ("- item\n\n      " + BLAME + "\n", 3),
        ("1. item\n\n       " + BLAME + "\n", 3),
        ("- a\n    - b\n\n          " + BLAME + "\n", 4),
        # Indented code in CommonMark, after an empty list item; a paragraph on the site.
        ("-\n        " + BLAME + "\n", 2),
        ("- a\n\n-\n        " + BLAME + "\n", 4),
        # A quote holds blocks as the page shows them.
        ("> > " + BLAME + "\n", 1),
        ("> " * 40 + BLAME + "\n", 1),
        ("> ## Heading\n> " + BLAME + "\n", 2),
        # A backtick a backslash escapes opens no code span: the page shows it, and what follows.
        ("The shell needs \\` escaped. " + BLAME + " Then `ls` ran.\n", 1),
        ("Use \\\\`ls` now. " + BLAME + " Then `ls` ran.\n", 1),
    ],
)
def test_blame_the_page_shows_is_read(body: str, line: int) -> None:
    assert lines_flagged(body) == {line}


@pytest.mark.parametrize(
    ("body", "codes"),
    [
        # Wrapped over the lines of a quote: one sentence, as on the page.
        (
            "> The root cause of this outage was human\n> error during the maintenance window.\n",
            {"BL005"},
        ),
        ("> Once again certain\n> people skipped the review.\n", {"BL007"}),
        ("> - First item is fine.\n> - The cause was human\n>   error in the change.\n", {"BL005"}),
    ],
)
def test_a_sentence_wrapped_in_a_quote_is_read_whole(body: str, codes: set[str]) -> None:
    assert {hit.code for _, _, hit in check_markdown(body)} == codes


@pytest.mark.parametrize(
    "body",
    [
        # A comment over several lines of a paragraph, a list item or a quote is not shown.
        "The failover finished at 09:47. <!-- jo: should we say\nthat " + BLAME + " -->\n",
        "- <!--\n  " + BLAME + "\n  -->\n",
        "> <!--\n> " + BLAME + "\n> -->\n",
        # Code in a quote, and blocks shown as written.
        "> The pager said:\n>\n>     " + BLAME + "\n",
        "> ```\n> " + BLAME + "\n> ```\n",
        "<pre>\n" + BLAME + "\n</pre>\n",
        "<PRE class=log>\n" + BLAME + "\n</Pre>\n",
        "- item\n\n        " + BLAME + "\n",
        # A code span is one piece of its sentence, whatever stops it holds.
        "The commit message was `Revert. " + BLAME + "` and nothing else.\n",
        # A real link definition is not shown.
        "[Update]: https://status.example.com/incidents/42\n",
        # An admonition's marker is no exclamation of the author's.
        "- item\n\n    !!! note\n        The restore took forty minutes.\n",
        "> !!! note\n>     The restore took forty minutes.\n",
        # Who acted, alone in its cell, in a table indented by a tab in an admonition.
        '!!! info "Day one"\n\t| Time | Who | What |\n\t| --- | --- | --- |\n'
        "\t| 10:00 | Ops control centre | First radio call |\n",
    ],
)
def test_what_the_page_hides_or_shows_as_code_is_not_read(body: str) -> None:
    assert lines_flagged(body) == set()


def test_a_table_without_leading_pipes_is_read_as_its_cells() -> None:
    rows = [
        "Time | Who | What",
        "--- | --- | ---",
        "10:00 | Ops control centre | First radio call",
        "10:05 | Ken | Rolled back; the cause was human error",
        "10:15 | Platform team, as usual | Paged late",
    ]

    def flagged(lines: list[str]) -> list[tuple[int, str, str]]:
        found = check_markdown("\n".join(lines) + "\n", checker=_checker())
        return sorted(
            (line, hit.code, lines[line - 1][column - 1 :][: hit.end - hit.start])
            for line, column, hit in found
        )

    piped = flagged(["| " + row + " |" for row in rows])
    assert piped == flagged(rows)
    assert [(line, code) for line, code, _ in piped] == [(4, "BL005"), (5, "BL006")]


def test_a_comment_mark_in_a_code_span_hides_nothing() -> None:
    body = "Use `<!--` to open a note; " + BLAME + " The `-->` ends it.\n"
    assert lines_flagged(body) == {1}


def test_front_matter_is_read_as_the_site_shows_it_not_as_markdown() -> None:
    text = (
        "---\n"
        'title: "Expired certificate <!-- because Sam was careless, again -->"\n'
        'summary: "Renewal failed `thanks to Sam\'s sloppy script`"\n'
        "action_items:\n"
        "  - title: Alert before certificates expire ~~and fire Sam~~\n"
        "---\n\nBody.\n"
    )
    found = {
        (line, hit.code)
        for line, _, _, _, hit in check_document(parse_text(text, "x.md"), _checker())
    }
    assert {line for line, _ in found} == {2, 3, 5}
    assert (5, "BL009") in found


def test_a_value_is_placed_where_it_is_written_in_a_flow_list() -> None:
    text = (
        '---\ntitle: Flow\naction_items: [{title: "Retire the Be more careful poster", owner: sam,'
        ' type: process}, {title: "Be more careful", owner: lee, type: process}]\n---\n\nBody.\n'
    )
    found = [
        (line, column)
        for line, column, _, _, _ in check_document(parse_text(text, "x.md"), _checker())
    ]
    assert found == [(3, 36), (3, 98)]


def _linted(run_cli: RunCli, root: Path, text: str, *options: str) -> Result:
    """`incident lint OPTIONS -` of the text, read as the file x.md."""
    return run_cli(root, "lint", *options, "--stdin-filename", "x.md", "-", input=text)


def _checker() -> Checker:
    model = packaged_model()
    return Checker(model=model, threshold=model.threshold)


def test_lazily_said_of_a_program_is_left_alone_beside_real_blame() -> None:
    body = "The index is loaded lazily, and Ken should have checked the logs.\n"
    assert [hit.code for _, _, hit in check_markdown(body)] == ["BL002"]


def test_a_front_matter_that_cannot_be_read_is_reported_to_the_blameless_checks(
    tmp_path: Path, run_cli: RunCli
) -> None:
    text = '---\ntitle: The intern was sloppy and Dave broke prod again\nsummary: "unclosed\n---\n\nBody.\n'
    result = _linted(run_cli, tmp_path, text, "--select", "BL")
    assert result.exit_code == 1
    assert " FM002 " in result.stdout, result.stdout
    ignored = _linted(run_cli, tmp_path, text, "--select", "BL", "--ignore", "FM")
    assert ignored.exit_code == 0 and " FM002 " not in ignored.stdout
    plain = run_cli(tmp_path, "lint", "--select", "BL", "-", input="Just prose about the cache.\n")
    assert plain.exit_code == 0


def test_a_suppression_of_a_prefix_is_not_unused_when_one_of_its_rules_did_not_run(
    tmp_path: Path, run_cli: RunCli
) -> None:
    text = "<!-- incident-docs disable-next-line BL -->\nDmitri's deploys have a reputation for a reason.\n"
    result = run_cli(tmp_path, "lint", "--select", "BL,SP", "--ignore", "BL010", "-", input=text)
    assert result.exit_code == 0, result.stdout


def test_a_suppression_naming_no_rule_says_so_and_its_other_codes_still_hold(
    tmp_path: Path, run_cli: RunCli
) -> None:
    text = "<!-- incident-docs disable-next-line BL010 BL011 -->\nDmitri's deploys have a reputation for a reason.\n"
    result = run_cli(tmp_path, "lint", "--select", "BL,SP", "-", input=text)
    assert result.stdout.splitlines()[0] == (
        "<stdin>:1:1: SP002 no rule has the code BL011: see 'incident rules' for the codes a "
        "suppression may name"
    )
    assert " BL010 " not in result.stdout


def test_struck_out_words_are_struck_out_on_the_site_as_the_checks_read_them(
    christmas: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    for config in (REPO / "mkdocs.yml", REPO / "tooling/incident_docs/starter/mkdocs.yml"):
        extensions = site_settings(config)["markdown_extensions"]
        assert {"pymdownx.tilde": {"subscript": False}} in extensions, config
    path = christmas / "postmortems" / f"PM-{CHRISTMAS}.md"
    path.write_text(path.read_text() + "\nThe cause was ~~human error~~ a missing length check.\n")
    assert lines_flagged("The cause was ~~human error~~ a missing length check.\n") == set()
    out = tmp_path / "staged"
    assert run_cli(christmas, "site", "stage", str(out)).exit_code == 0
    staged = "".join(page.read_text() for page in out.rglob(f"PM-{CHRISTMAS}*"))
    assert "<del>human error</del>" in staged


def test_a_finding_in_the_front_matter_is_suppressed_by_a_yaml_comment(
    tmp_path: Path, run_cli: RunCli
) -> None:
    text = (
        "---\n"
        "# <!-- incident-docs disable-next-line BL004 -->\n"
        "title: The careless config push\n"
        "summary: A sloppy rollout.\n"
        "---\n\n"
        "<!-- incident-docs disable-next-line BL004 -->\n"
        "<!-- incident-docs disable-next-line BL005 -->\n"
        "The root cause was human error by a sloppy intern.\n"
    )
    result = _linted(run_cli, tmp_path, text, "--select", "BL,SP")
    assert [
        line.split(" ")[0:2] for line in result.stdout.splitlines() if line.startswith("x.md")
    ] == [["x.md:4:12:", "BL004"]]


def test_a_quoted_value_with_escapes_is_placed_at_its_words() -> None:
    text = (
        "---\n"
        "title: 'It''s the renewal job; the intern was sloppy'\n"
        'summary: "\\u00dcn \\"quoted\\" step was careless"\n'
        'impact: "The \\"renew\\" job failed at 06:00 and nobody noticed for a\n'
        '  while; in the end the intern was sloppy."\n'
        "---\n\nBody.\n"
    )
    found = [
        (line, column)
        for line, column, _, _, _ in check_document(parse_text(text, "x.md"), _checker())
    ]
    assert found == [(2, 47), (3, 39), (5, 36)]


def test_a_line_break_escaped_in_a_quoted_value_is_placed_at_its_words() -> None:
    # Each was placed at the value's opening quotation mark, on the line above its word.
    text = (
        "---\n"
        'title: "The renewal job failed \\\n'
        "  because of a sloppy \\\n"
        '   script"\n'
        "---\n\nBody.\n"
    )
    found = [
        (line, column)
        for line, column, _, _, _ in check_document(parse_text(text, "x.md"), _checker())
    ]
    assert found == [(3, 16)]


def test_white_space_written_as_an_escape_in_a_quoted_value_is_placed_at_its_words() -> None:
    lines = [
        'title: "Outage caused by human\\u00a0error"',
        'summary: "The deploy\\twas sloppy"',
        'impact: "Dave\\_was careless"',
    ]
    text = "---\n" + "\n".join(lines) + "\n---\n\nBody.\n"
    found = [
        (line, column, hit.code)
        for line, column, _, _, hit in check_document(parse_text(text, "x.md"), _checker())
    ]
    assert found == [
        (2, lines[0].index("human") + 1, "BL005"),
        (3, lines[1].index("sloppy") + 1, "BL004"),
        (4, lines[2].index("careless") + 1, "BL004"),
    ]


def test_white_space_written_both_as_itself_and_as_an_escape_is_placed_at_its_words() -> None:
    lines = [
        'title: "Impact was large. \\nThe deploy was sloppy."',
        'summary: "The rollout \\t was careless."',
        'impact: "The deploy',
        '  \\twas sloppy."',
    ]
    text = "---\n" + "\n".join(lines) + "\n---\n\nBody.\n"
    found = [
        (line, column, hit.code)
        for line, column, _, _, hit in check_document(parse_text(text, "x.md"), _checker())
    ]
    assert found == [
        (2, lines[0].index("sloppy") + 1, "BL004"),
        (3, lines[1].index("careless") + 1, "BL004"),
        (5, lines[3].index("sloppy") + 1, "BL004"),
    ]


@pytest.mark.parametrize(
    ("body", "title"),
    [
        ("Intro.\n\n ## Timeline\n\n- a\n", "Timeline"),
        ("All times are UTC. Entries are copied\nfrom the channel.\n---\n\nText.\n", "All times"),
        ("| a | b |\n| --- | --- |\n| 1 | 2 |\n## Appendix\n\nText.\n", "Appendix"),
        ("Text.\n## Next\n", "Next"),
    ],
)
def test_the_site_shows_each_heading_lint_reads_as_a_heading(body: str, title: str) -> None:
    doc = parse_text("---\ntitle: x\n---\n" + body, "x.md")
    assert [h.title.split(" ")[0] for h in doc.headings] == [title.split(" ")[0]]
    shown = markdown.markdown("\n".join(_headings_as_read(doc)), extensions=["tables", "attr_list"])
    assert f"<h{doc.headings[0].level}>{title}" in shown, shown


def test_a_heading_inside_a_list_item_stays_in_the_list_on_the_site() -> None:
    text = "---\ntitle: x\n---\n\n- Rolled back\n\n    ## Notes\n\n    Paged the team.\n"
    shown = markdown.markdown("\n".join(_headings_as_read(parse_text(text, "x.md"))))
    assert "<li>" in shown and "<code>" not in shown, shown
    assert shown.index("<h2>Notes</h2>") < shown.index("</li>"), shown


@pytest.mark.parametrize(
    "body",
    ["- Rolled back\n\n  ## Notes\n\n  Paged the team.\n", "1. Rolled back\n   ## Notes\n"],
)
def test_a_heading_in_a_list_item_the_site_reads_as_text_is_shown_after_the_list(
    body: str,
) -> None:
    # Indented as GitHub reads it in the item, less than the site's Markdown takes an item's
    # content: left there, the site showed "## Notes" as text.
    doc = parse_text("---\ntitle: x\n---\n\n" + body, "x.md")
    shown = markdown.markdown("\n".join(_headings_as_read(doc)))
    assert "<h2>Notes</h2>" in shown and "##" not in shown, shown


def test_a_heading_already_read_alike_is_left_as_written() -> None:
    text = "---\ntitle: x\n---\n\n## Lessons learned {#lessons}\n\nText.\n"
    doc = parse_text(text, "x.md")
    assert _headings_as_read(doc) == doc.lines[doc.front_matter_end :]


@pytest.mark.parametrize(
    ("body", "lines"),
    [
        # Text after a closing </pre> on its line is a paragraph on the site.
        ("<pre>exit 1</pre> " + BLAME + "\n", {1}),
        # A lazy line ends a <pre> left open in a quote.
        ("> <pre>\n> ERROR: timeout\n" + BLAME + "\n", {3}),
        # A comment over two lines inside a word hides nothing ("care<!--⏎-->less").
        ("The review of the change was care<!--\n-->less.\n", {1}),
        # A reply quoted under its attribution is a block of its own.
        (
            "> **@sam** wrote:\n> > The release manager paused deployments for the day as a precaution.\n",
            set(),
        ),
        # A chat message pasted a line each ends where its line does.
        (
            "## Contributing factors\n\n> The rollback finished at 19:10.\n"
            "> whose fault? jonas. next question\n",
            {4},
        ),
        # Text after an admonition that is not indented under it ends it.
        (
            'The alert fired.\n!!! note\nThis section is a draft.\n\n    $ echo "Dave was careless" >> motd\n',
            set(),
        ),
        # "lazily" of people, not of a program's work.
        ("The reviewers read lazily and missed the typo.\n", {1}),
        ("Our executives lazily rubber-stamped the change.\n", {1}),
    ],
)
def test_review_cases_read_as_the_page_shows_them(body: str, lines: set[int]) -> None:
    assert lines_flagged(body) == lines


@pytest.mark.parametrize(
    "body",
    [
        ">" * 1000 + " latency < 5ms\n",
        "Text.\n!!! note\n" * 600,
        "".join(" " * (4 * level) + "!!! note\n" for level in range(600)),
        "> " * 1500 + BLAME + "\n",
    ],
)
def test_deep_nesting_is_read_without_exhausting_the_stack(body: str) -> None:
    check_markdown(body)  # no RecursionError


def test_markup_the_site_reads_in_a_quote_or_list_item_is_held_to_its_limits(
    tmp_path: Path, run_cli: RunCli
) -> None:
    for body in (
        "> <pre>\n> " + "[" * 16_000 + "x\n> </pre>\n",
        "- item\n\n    <pre>\n    " + "[" * 16_000 + "x\n    </pre>\n",
    ):
        result = run_cli(tmp_path, "lint", "--select", "IO", "-", input="# T\n\n" + body)
        assert " IO006 " in result.stdout, result.stdout


def test_names_in_backticks_in_the_front_matter_stay_code() -> None:
    text = (
        "---\ntitle: Writes lost while `sloppy-quorum` was on\n"
        "summary: The job ran with `--lazy`; the `stupid-simple` cache returned stale entries.\n---\n\nBody.\n"
    )
    assert list(check_document(parse_text(text, "x.md"), _checker())) == []


def test_a_yaml_suppression_covers_a_block_value_and_a_hash_inside_one_is_no_comment(
    tmp_path: Path, run_cli: RunCli
) -> None:
    above = "---\ntitle: Outage\n# <!-- incident-docs disable-next-line BL004 -->\nsummary: >-\n  Dave was careless with the config.\n---\n\nBody.\n"
    result = _linted(run_cli, tmp_path, above, "--select", "BL,SP")
    assert result.exit_code == 0, result.stdout
    inside = "---\ntitle: Outage\nsummary: |\n  # <!-- incident-docs disable BL -->\n  The deploy failed.\n---\n\nDave was careless and broke the deploy.\n"
    result = _linted(run_cli, tmp_path, inside, "--select", "BL,SP")
    assert "x.md:8:10: BL004" in result.stdout, result.stdout


def test_a_yaml_suppression_after_a_value_is_read_as_in_the_body(
    tmp_path: Path, run_cli: RunCli
) -> None:
    # A suppression written after a value was no suppression at all: it hid nothing, and
    # nothing said so. It is for the line below, as after text in the body.
    text = (
        "---\ntitle: The careless push  # <!-- incident-docs disable-next-line BL004 -->\n"
        "summary: A sloppy rollout.\n"
        "tags: [deploy]  # <!-- incident-docs disable-next-line BL004 -->\n"
        "services: [web]\n---\n\nBody.\n"
    )
    result = _linted(run_cli, tmp_path, text, "--select", "BL,SP")
    lines = result.stdout.splitlines()
    assert [line.split(" ")[:2] for line in lines] == [
        ["x.md:2:12:", "BL004"],
        ["x.md:4:19:", "SP001"],
    ]
    assert (
        "a disable-next-line comment is for the line below it, not the text before it" in lines[1]
    )


def test_a_yaml_suppression_after_a_block_scalars_header_is_read_as_after_a_value(
    tmp_path: Path, run_cli: RunCli
) -> None:
    # The comment after "summary: >" was read as part of the text below it: it suppressed
    # nothing, and nothing said so.
    comment = "# <!-- incident-docs disable-next-line BL004 -->"
    text = (
        f"---\ntitle: Outage\nsummary: >  {comment}\n  A sloppy\n  careless rollout.\n"
        f"impact: |-  {comment}\n  Fine.\n---\n\nBody.\n"
    )
    result = _linted(run_cli, tmp_path, text, "--select", "BL,SP")
    assert [line.split(" ")[:2] for line in result.stdout.splitlines()] == [
        ["x.md:5:3:", "BL004"],
        ["x.md:6:15:", "SP001"],
    ]


def test_a_hash_in_a_quoted_value_is_no_suppression_when_the_yaml_below_is_unreadable(
    tmp_path: Path, run_cli: RunCli
) -> None:
    # With a quotation mark never closed below it, the title's text was read as a comment: its
    # "disable BL004" hid the body's finding.
    text = (
        '---\ntitle: "A # <!-- incident-docs disable BL004 --> thing"\nimpact: "x\n---\n\n'
        "The sloppy push.\n"
    )
    result = _linted(run_cli, tmp_path, text, "--select", "BL,SP,FM")
    assert [line.split(" ")[:2] for line in result.stdout.splitlines()] == [
        ["x.md:3:11:", "FM002"],
        ["x.md:6:5:", "BL004"],
    ]


def test_a_suppression_written_in_the_front_matter_as_in_the_body_says_how_to_write_it(
    tmp_path: Path, run_cli: RunCli
) -> None:
    # Written without a '#', it was a YAML syntax error about the key below it ("could not find
    # expected ':'"), or, indented, silently part of the value above it.
    comment = "<!-- incident-docs disable-next-line BL004 -->"
    broken = f"---\ntitle: Outage\n{comment}\nsummary: A sloppy rollout.\n---\n\nBody.\n"
    result = _linted(run_cli, tmp_path, broken, "--select", "BL,SP")
    assert result.stdout.startswith(
        "x.md:3:1: FM002 YAML syntax error: an HTML comment is no YAML: in the front-matter, "
        "write it in a YAML comment, after a '#' (# <!-- incident-docs"
    ), result.stdout
    taken_in = f"---\ntitle: Outage\nsummary: A sloppy rollout.\n  {comment}\n---\n\nBody.\n"
    result = _linted(run_cli, tmp_path, taken_in, "--select", "BL,SP")
    assert [line.split(" ")[:2] for line in result.stdout.splitlines()] == [
        ["x.md:3:12:", "BL004"],
        ["x.md:4:3:", "SP002"],
    ]
    assert "is read as part of the value above it" in result.stdout


def test_an_html_comment_above_a_yaml_error_of_its_own_leaves_yaml_to_say_what_it_is(
    tmp_path: Path, run_cli: RunCli
) -> None:
    # The error below a value's line that starts with an HTML comment was said to be that
    # comment, at its place: the bracket never closed went unnamed.
    for comment in ("<!-- see the log -->", "<!-- incident-docs disable-next-line BL004 -->"):
        text = f"---\ntitle: Outage\nsummary: A rollout\n  {comment}\ntags: [a, b\n---\n\nBody.\n"
        result = _linted(run_cli, tmp_path, text, "--select", "FM")
        assert result.stdout.startswith(
            "x.md:5:7: FM002 YAML syntax error: while parsing a flow sequence that is not closed"
        ), result.stdout


def test_a_yaml_suppression_covers_a_list_written_at_its_keys_indentation(
    tmp_path: Path, run_cli: RunCli
) -> None:
    # YAML lets a key's list start at the key's own indentation: the suppression above the key
    # covered none of its items, and was reported as suppressing nothing.
    text = (
        "---\ntitle: Outage\n# <!-- incident-docs disable-next-line BL004 -->\naction_items:\n"
        "- title: Add a canary stage\n  owner: sam\n- title: Stop the sloppy pushes\n  owner: jo\n"
        "summary: A careless push.\n---\n\nBody.\n"
    )
    result = _linted(run_cli, tmp_path, text, "--select", "BL,SP")
    assert [line.split(" ")[:2] for line in result.stdout.splitlines()] == [["x.md:9:12:", "BL004"]]


def test_a_yaml_suppression_covers_a_list_at_its_keys_indentation_past_a_comment_line(
    tmp_path: Path, run_cli: RunCli
) -> None:
    # A comment line between two items at the key's indentation ended the list: the items
    # below it were not covered.
    text = (
        "---\ntitle: Outage\n# <!-- incident-docs disable-next-line BL004 -->\naction_items:\n"
        "- title: Stop the sloppy pushes\n# the second one\n- title: Stop the careless pushes\n"
        "summary: A careless push.\n---\n\nBody.\n"
    )
    result = _linted(run_cli, tmp_path, text, "--select", "BL,SP")
    assert [line.split(" ")[:2] for line in result.stdout.splitlines()] == [["x.md:8:12:", "BL004"]]


def test_a_leading_rule_is_no_unreadable_front_matter_to_the_blameless_checks(
    tmp_path: Path, run_cli: RunCli
) -> None:
    result = run_cli(tmp_path, "lint", "--select", "BL", "-", input="---\n\nDave was careless.\n")
    assert [
        line.split(" ")[1] for line in result.stdout.splitlines() if line.startswith("<stdin>")
    ] == ["BL004"]


def test_a_quote_nested_a_thousand_deep_is_linted_without_a_traceback(
    tmp_path: Path, run_cli: RunCli
) -> None:
    result = run_cli(
        tmp_path,
        "lint",
        "--select",
        "BL,IO",
        "-",
        input="# T\n\n" + ">" * 1000 + " latency < 5ms\n",
    )
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("body", "lines"),
    [
        # "lazily" of how a program works, in the active voice too.
        ("It evaluates lazily, so the bad expression was not noticed in tests.\n", set()),
        ("The pool, which initialises lazily, had no connections when the burst came.\n", set()),
        ("The resolver caches results and refreshes lazily.\n", set()),
        # A quote in a quote keeps its prose when it also holds log lines.
        (
            "> From the review thread:\n>\n"
            "> > 12:01:02 ERROR payments-db: connection refused\n"
            "> > 12:01:03 ERROR payments-db: connection refused\n"
            "> > Sam ignored these alerts for an hour, as usual, because he is careless.\n",
            {5},
        ),
        # The line that attributes a quote in a quote names people as a matter of course.
        (
            "> **@olu-a** commented on `db/migrations/V188.sql`:\n"
            "> > The migration looks fine to me, the table is small.\n",
            set(),
        ),
    ],
)
def test_second_review_cases(body: str, lines: set[int]) -> None:
    assert lines_flagged(body) == lines


def test_a_name_in_backticks_in_the_front_matter_is_read_as_the_name() -> None:
    text = '---\ntitle: "`Sam` should have rotated the search certificate"\n---\n\nBody.\n'
    assert [hit.code for *_, hit in check_document(parse_text(text, "x.md"), _checker())] == [
        "BL002"
    ]


def test_quotes_with_many_lazy_lines_and_blocks_are_read_in_one_pass() -> None:
    body = ">\n> c\n" * 8000 + "> a\n" + "b\n" * 25000
    assert lines_flagged(body) == set()  # and quickly: it took ten seconds, quadratic


def _site_markdown(body: str) -> str:
    """The body as the site renders it: Python-Markdown with the archive's extensions."""
    extensions: list[str] = []
    configs: dict[str, Any] = {}
    for entry in site_settings(REPO / "mkdocs.yml")["markdown_extensions"]:
        name, config = next(iter(entry.items())) if isinstance(entry, dict) else (entry, None)
        extensions.append(name)
        if config:
            configs[name] = config
    return str(markdown.markdown(body, extensions=extensions, extension_configs=configs))


_SHOWS_AS_NOTHING = re.compile(
    "[\u00ad\u034f\u115f\u1160\u200b-\u200f\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0"
    "\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)
"""Characters a browser draws as nothing (Unicode's default ignorable ones used below)."""


def _words_on_the_page(body: str) -> str:
    """What a reader of the site sees of a paragraph: its text, letters in their shown form."""
    text = html.unescape(re.sub(r"<[^>]*>", "", clean_html(_site_markdown(body))))
    text = _SHOWS_AS_NOTHING.sub("", text).replace("\u02bc", "\u2019")  # drawn the same
    return unicodedata.normalize("NFKC", text).strip()


@pytest.mark.parametrize(
    ("written", "plain"),
    [
        # Beside a space, not only between two letters.
        ("This outage was caused by human\u200c error.", "This outage was caused by human error."),
        ("Certain\u200d people skipped the review.", "Certain people skipped the review."),
        ("\u034fObviously the rollback would fail.", "Obviously the rollback would fail."),
        # The Hangul fillers, variation selectors, tags and invisible operators.
        ("The deploy was slo\u3164ppy.", "The deploy was sloppy."),
        ("The deploy was slo\uffa0ppy.", "The deploy was sloppy."),
        (
            "Dave forg\U000e0020ot to renew the certificate.",
            "Dave forgot to renew the certificate.",
        ),
        ("The rollout was care\U000e0100less.", "The rollout was careless."),
        ("The rollout was care\u206aless.", "The rollout was careless."),
        # Written as a character reference.
        ("The deploy was slo&zwj;ppy.", "The deploy was sloppy."),
        ("The root cause was operato&#x200C;r error.", "The root cause was operator error."),
        ("The rollout was care&InvisibleTimes;less.", "The rollout was careless."),
        # Beside markup inside the word.
        ("The rollout was care\u200d<b></b>less.", "The rollout was careless."),
        ("The rollout was care<b></b>\u200dless.", "The rollout was careless."),
        # A link's text inside a word.
        ("The deploy was slo[ppy](#).", "The deploy was sloppy."),
        ("The deploy was [slo](#)ppy.", "The deploy was sloppy."),
        ('Dave forg[ot to](https://example.com "x") renew it.', "Dave forgot to renew it."),
        ("The deploy was slo[](#)ppy.", "The deploy was sloppy."),
        # ... with markup in its text, which is in the word too.
        ("The deploy was slo[*ppy*](#).", "The deploy was sloppy."),
        ("The deploy was [s*lo*](#)ppy.", "The deploy was sloppy."),
        ("The deploy was slo[pp&#121;](#).", "The deploy was sloppy."),
        # An inline attribute list after an element in the word, which the page does not show.
        ("The deploy was *slo*{: .x}ppy.", "The deploy was sloppy."),
        ("The deploy was _slo_{: .x}ppy.", "The deploy was sloppy."),
        ("The deploy was [slo](#){: .x}ppy.", "The deploy was sloppy."),
        # A processing instruction or a CDATA section, which the browser reads as a comment.
        ("The deploy was slo<?php ?>ppy.", "The deploy was sloppy."),
        ("The deploy was slo<![CDATA[]]>ppy.", "The deploy was sloppy."),
        # A letter in another form: a Roman numeral, a circled letter, a full-width one written
        # as a character reference.
        ("The deploy was s\u217coppy.", "The deploy was sloppy."),
        ("The deploy was \u24e2loppy.", "The deploy was sloppy."),
        ("The deploy was sl&#65359;ppy.", "The deploy was sloppy."),
        # ... or beside a character that shows as nothing.
        ("The deploy was \uff53\u200dloppy.", "The deploy was sloppy."),
        ("The deploy was \U0001d494\u200dloppy.", "The deploy was sloppy."),
        # The modifier letter apostrophe, drawn as the apostrophe is.
        ("It was Dave\u02bcs fault.", "It was Dave\u2019s fault."),
    ],
)
def test_blame_the_page_shows_in_plain_words_is_read_where_it_is_written(
    written: str, plain: str
) -> None:
    assert _words_on_the_page(written) == _words_on_the_page(plain) == plain
    expected = check_markdown(plain + "\n", checker=_checker())
    found = check_markdown(written + "\n", checker=_checker())
    assert [hit.code for *_, hit in found] == [hit.code for *_, hit in expected] != []
    for (_, column, hit), (_, plain_column, _) in zip(found, expected, strict=True):
        # At the same word as written: its first letter, in the form it is written in.
        assert unicodedata.normalize("NFKC", written[column - 1]) == plain[plain_column - 1]
        assert column - 1 == hit.start and written[hit.start : hit.end].strip()


@pytest.mark.parametrize(
    "text",
    [
        "Family \U0001f468\u200d\U0001f469 day.",
        # A flag's tags end its sequence before the word after it.
        "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007fScotland won.",
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 rollout",  # Persian's joiner
        "A \u2764\ufe0f for the responders.",
        "The `care[less](#)` flag and Acme\u2122 stayed off.",
        "The key_{: .x}name and slo{: .x}ppy are shown as written.",
    ],
)
def test_what_emoji_other_scripts_and_code_need_is_read_as_written(text: str) -> None:
    assert prose.as_shown(text)[0] == text


@pytest.mark.parametrize(
    "text",
    [
        "The deploy went fine. " + "\u200d" * 40_000 + "!",
        "(" + "\u200c" * 40_000 + "!",
        "&zwj;" * 40_000 + "!",  # the joiners a character reference writes
    ],
)
def test_a_long_run_of_joiners_before_no_letter_is_read_in_one_pass(text: str) -> None:
    started = time.perf_counter()
    shown = prose.as_shown(text)[0]
    assert time.perf_counter() - started < 2  # it took over ten seconds: quadratic
    assert shown == text.replace("&zwj;", "\u200d")


def test_an_underscore_that_closes_no_emphasis_keeps_its_attribute_list_shown() -> None:
    # The underscores of "_Note_" pair with each other: the one in "care_" opens nothing.
    text = "_Note_: the deploy was care_{: .x}less."
    assert _words_on_the_page(text) == "Note: the deploy was care_{: .x}less."
    assert prose.as_shown(text)[0] == text
    # No word "careless" on the page, so no rule reads one (the model weighs the words as shown).
    found = check_markdown(text + "\n", checker=_checker())
    assert not [hit for _, _, hit in found if hit.code == "BL004"], found


def test_many_attribute_lists_after_underscores_are_read_in_one_pass() -> None:
    text = "a_{: .x}b " * 10_000
    started = time.perf_counter()
    assert prose.as_shown(text)[0] == text
    assert time.perf_counter() - started < 2  # it took ten seconds: quadratic


def test_a_letter_drawn_as_a_latin_one_beside_a_joiner_is_read_in_its_word() -> None:
    assert lines_flagged("The rollout was \u0441\u200dareless.\n") == {1}  # a Cyrillic c


@pytest.mark.parametrize(
    "text",
    [
        "The rollout was care<pod>less.",
        "The deploy was slo<my-host>ppy.",
        "It was slo<Input_x>ppy.",
    ],
)
def test_a_placeholder_inside_a_word_is_read_as_the_page_shows_it(text: str) -> None:
    # No HTML element has its name: the page shows it as written, and no word "careless".
    assert _words_on_the_page(text) == text
    assert prose.as_shown(text)[0] == text
    found = check_markdown(text + "\n", checker=_checker())
    assert not [hit for _, _, hit in found if hit.code == "BL004"], found
    # An element's tag there is markup the page does not show: the word is read whole.
    marked = re.sub(r"<[^>]*>", "<b></b>", text)
    assert _words_on_the_page(marked) == re.sub(r"<[^>]*>", "", text)
    assert [hit.code for _, _, hit in check_markdown(marked + "\n", checker=_checker())]
