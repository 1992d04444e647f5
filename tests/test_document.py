"""The reader: line numbers of keys and headings, and nothing silently lost."""

from __future__ import annotations

from incident_docs.document import parse_text, quoted_code_lines
from support.rule_cases import INCIDENT, POSTMORTEM


def test_a_repeated_key_is_reported_not_silently_dropped() -> None:
    for text in (
        "---\ntitle: a\nseverity: SEV1\ntitle: b\n---\n",
        "---\nimpact:\n  data_lost: true\n  data_lost: false\n---\n",
        "---\naction_items:\n  - title: a\n    owner: x\n    owner: y\n---\n",
    ):
        doc = parse_text(text, "x.md")
        assert [p.code for p in doc.problems] == ["FM010"], text


def test_key_lines() -> None:
    doc = parse_text(INCIDENT, "x.md")
    assert doc.line_of(("roles", "ops_lead")) == 19
    assert doc.line_of(("handoffs", 0, "to")) == 24
    assert doc.line_of(("nope",)) == 1


def test_timestamps_stay_text_so_naive_ones_can_be_told_apart() -> None:
    doc = parse_text("---\na: 2022-12-25T12:32:00\nb: 2022-12-25T12:32:00Z\n---\n", "x.md")
    assert doc.front_matter == {"a": "2022-12-25T12:32:00", "b": "2022-12-25T12:32:00Z"}


def test_headings_skip_code_and_comments() -> None:
    doc = parse_text(
        POSTMORTEM.replace(
            "## Detection", "```\n## Not a heading\n```\n<!--\n## Nor this\n-->\n## Detection"
        ),
        "x.md",
    )
    titles = [h.title for h in doc.headings]
    assert "Not a heading" not in titles and "Nor this" not in titles
    assert titles.count("Detection") == 1


def test_a_heading_is_titled_without_its_attribute_list_or_comment() -> None:
    body = (
        "## Lessons learned {#lessons}\n\n## Detection {: .wide }\n\n## Recovery <!-- todo -->\n\n"
        "## Use `{#id}` ##\n\n## Language { lang=en }\n\n"
        "## Impact <!-- a --> <!-- b --> {#impact}\n\n## Two {#a} {#b}\n\n## Tail<!-- x -->\n\n"
        "## Many" + " <!-- a -->" * 3000 + " ##\n"
    )
    doc = parse_text("---\nid: x\n---\n" + body, "x.md")
    assert [h.title for h in doc.headings] == [
        "Lessons learned",
        "Detection",
        "Recovery",
        "Use `{#id}`",
        "Language",
        "Impact",
        "Two {#a}",  # attr_list reads one attribute list, the last
        "Tail<!-- x -->",  # no white space before it: part of the title
        "Many",
    ]


def test_setext_headings() -> None:
    doc = parse_text("---\nid: x\n---\nSummary\n-------\n\nText.\n", "x.md")
    assert [(h.level, h.title, h.line) for h in doc.headings] == [(2, "Summary", 4)]


def test_toml_front_matter_of_a_page_from_another_site_is_skipped_not_read_as_prose() -> None:
    text = '+++\ntitle = "Outage"\nteam = "the crates.io team"\n+++\n\n# Outage\n\nText.\n'
    doc = parse_text(text, "post.md")
    assert not doc.has_front_matter and doc.front_matter is None
    assert doc.body_start == 5
    assert [(b.kind, b.line) for b in doc.blocks] == [("heading", 6), ("paragraph", 8)]


def test_unterminated_toml_front_matter_is_read_as_the_body() -> None:
    doc = parse_text('+++\ntitle = "Outage"\n\nText.\n', "post.md")
    assert doc.body_start == 1 and doc.blocks[0].line == 1


def test_a_fenced_block_inside_a_quote_is_code() -> None:
    doc = parse_text(
        "> Note:\n>\n> ```\n> Dave broke it\n> ```\n> Said so.\n\n>> ~~~~\n>> x\n", "x.md"
    )
    quotes = [block for block in doc.blocks if block.kind == "quote"]
    assert [sorted(quoted_code_lines(block)) for block in quotes] == [[2, 3, 4], [0, 1]]
    # An info string with a backtick opens no fence; nor does a quote without one.
    assert not quoted_code_lines(parse_text("> ```not `a fence`\n> x\n", "x.md").blocks[0])
    assert not quoted_code_lines(parse_text("> plain\n", "x.md").blocks[0])
