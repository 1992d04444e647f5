"""The gate's decision, without any network: latest decisions, who counts, which commit counts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import yaml

from incident_docs.config import Config, ReviewConfig, SeverityLevel
from incident_docs.github import web_root
from incident_docs.models import Roster
from incident_docs.review import (
    ChangedFile,
    Decision,
    PullRequest,
    Requirement,
    evaluate,
    follow_up_update,
    gated_files,
    matches,
    requirement,
    reviews_from_api,
    summary_markdown,
)
from support.github_fake import HEAD, INC_PATH, OLD, PM_PATH, ROSTER, incident, postmortem, review

PR = PullRequest(7, "samlq", HEAD, "b" * 40)
BASE_ROSTER = Roster.model_validate(yaml.safe_load(ROSTER))


def decide(
    reviews: list[dict[str, Any]],
    *,
    required: int = 1,
    config: Config | None = None,
    unchanged: Callable[[str], bool | None] = lambda sha: False,
    authors: frozenset[str] = frozenset({"sam"}),
) -> Decision:
    return evaluate(
        PR,
        reviews_from_api(reviews),
        BASE_ROSTER,
        config or Config(),
        Requirement(required, "SEV2", PM_PATH, authors),
        unchanged_since=unchanged,
    )


def reasons(decision: Decision) -> dict[str, str]:
    return {row.login: row.reason for row in decision.rows}


def test_a_senior_approval_on_the_head_satisfies() -> None:
    decision = decide([review(1, "priyaraman", "APPROVED")])
    assert decision.satisfied
    assert decision.approvers == ("priyaraman",)


def test_a_later_comment_does_not_revoke_an_approval() -> None:
    decision = decide([review(1, "priyaraman", "APPROVED"), review(2, "priyaraman", "COMMENTED")])
    assert decision.approvers == ("priyaraman",)


def test_the_latest_decision_wins_either_way() -> None:
    withdrawn = decide(
        [review(1, "priyaraman", "APPROVED"), review(2, "priyaraman", "CHANGES_REQUESTED")]
    )
    assert not withdrawn.satisfied
    assert withdrawn.blockers == ("priyaraman",)
    settled = decide(
        [review(1, "priyaraman", "CHANGES_REQUESTED"), review(2, "priyaraman", "APPROVED")]
    )
    assert settled.satisfied and not settled.blockers


def test_order_is_submitted_at_then_id_not_list_order() -> None:
    later_approval = review(5, "priyaraman", "APPROVED", at="2024-05-10T12:00:00Z")
    earlier_block = review(9, "priyaraman", "CHANGES_REQUESTED", at="2024-05-10T11:00:00Z")
    assert decide([later_approval, earlier_block]).satisfied
    same_time = "2024-05-10T12:00:00Z"
    tie = [
        review(11, "priyaraman", "CHANGES_REQUESTED", at=same_time),
        review(10, "priyaraman", "APPROVED", at=same_time),
    ]
    assert not decide(tie).satisfied


def test_the_same_person_approving_twice_counts_once() -> None:
    decision = decide(
        [review(1, "priyaraman", "APPROVED"), review(2, "PriyaRaman", "APPROVED")], required=2
    )
    assert decision.approvers == ("PriyaRaman",)
    assert not decision.satisfied
    assert "needs 2 senior approvals" in decision.unmet[0]


def test_a_dismissed_approval_does_not_count() -> None:
    decision = decide([review(1, "priyaraman", "DISMISSED")])
    assert not decision.satisfied
    assert reasons(decision)["priyaraman"] == "dismissed"


def test_the_author_and_non_seniors_do_not_count_and_the_reason_says_why() -> None:
    base_senior_author = PullRequest(7, "dana-okafor", HEAD, "b" * 40)
    decision = evaluate(
        base_senior_author,
        reviews_from_api(
            [review(1, "DANA-OKAFOR", "APPROVED"), review(2, "leemorgan", "APPROVED")]
        ),
        BASE_ROSTER,
        Config(),
        Requirement(1, "SEV2", PM_PATH),
        unchanged_since=lambda sha: True,
    )
    assert not decision.satisfied
    why = reasons(decision)
    assert why["DANA-OKAFOR"] == "the author of the pull request"
    assert why["leemorgan"].startswith("not senior")
    assert "leemorgan (not senior" in decision.unmet[0]


def test_a_postmortem_author_cannot_approve_their_own_postmortem() -> None:
    decision = decide([review(1, "jotanaka", "APPROVED")], authors=frozenset({"jo"}))
    assert not decision.satisfied
    assert "an author of the postmortem" in reasons(decision)["jotanaka"]


@pytest.mark.parametrize("listed", ["priyaraman", "@priyaraman", " @PriyaRaman "])
def test_bots_never_count(listed: str) -> None:
    config = Config(review=ReviewConfig(bots=(listed,)))
    decision = decide(
        [
            review(1, "renovate[bot]", "APPROVED"),
            review(2, "jotanaka", "APPROVED", user_type="Bot"),
            review(3, "priyaraman", "APPROVED"),
        ],
        config=config,
    )
    assert decision.approvers == ()
    assert set(reasons(decision).values()) == {"a bot"}


def test_a_stale_approval_counts_only_when_no_postmortem_changed_since() -> None:
    stale = [review(1, "priyaraman", "APPROVED", commit=OLD)]
    assert not decide(stale, unchanged=lambda sha: False).satisfied
    assert "postmortems changed since" in reasons(decide(stale))["priyaraman"]
    assert decide(stale, unchanged=lambda sha: True).satisfied
    unknown = decide(stale, unchanged=lambda sha: None)
    assert not unknown.satisfied
    assert "cannot compare" in reasons(unknown)["priyaraman"]
    strict = Config(review=ReviewConfig(allow_unchanged_since_review=False))
    assert not decide(stale, config=strict, unchanged=lambda sha: True).satisfied


def test_a_non_senior_requesting_changes_does_not_block() -> None:
    decision = decide(
        [review(1, "leemorgan", "CHANGES_REQUESTED"), review(2, "jotanaka", "APPROVED")]
    )
    assert decision.satisfied
    assert "does not block" in reasons(decision)["leemorgan"]


def test_pending_and_ghost_reviews_are_ignored() -> None:
    pending = {**review(1, "priyaraman", "PENDING"), "submitted_at": None}
    ghost = {"id": 2, "user": None, "state": "APPROVED", "commit_id": HEAD}
    decision = decide([pending, ghost])
    assert decision.rows == ()
    assert not decision.satisfied


def test_globs_cross_folders_only_with_double_star() -> None:
    assert matches("postmortems/2024/PM-x.md", ["postmortems/**"])
    assert matches("postmortems/PM-x.md", ["/postmortems/*.md"])
    assert not matches("postmortems/2024/PM-x.md", ["postmortems/*.md"])
    assert not matches("incidents/INC-x.md", ["postmortems/**"])
    moved_out = ChangedFile("attic/PM-x.md", "renamed", "postmortems/PM-x.md")
    assert gated_files([moved_out], Config()) == [moved_out]


def test_a_folder_matches_what_is_in_it() -> None:
    for folder in ("postmortems/", "postmortems", "/postmortems/", "./postmortems/"):
        assert matches("postmortems/2024/PM-x.md", [folder])
        assert matches("postmortems/PM-x.md", [folder])
        assert not matches("postmortems-old/PM-x.md", [folder])
        assert not matches("docs/postmortems/PM-x.md", [folder])
    assert not matches("postmortems/PM-x.md", ["/", ""])
    assert matches("postmortems/PM-2024\nx.md", ["postmortems/**"])  # a line break in a name


def test_the_gate_follows_the_postmortems_folder_unless_paths_are_set() -> None:
    moved = ChangedFile("docs/postmortems/PM-x.md", "added", None)
    elsewhere = Config.model_validate({"postmortems-dir": "docs/postmortems"})
    assert elsewhere.review_paths() == ("docs/postmortems/**",)
    assert gated_files([moved], elsewhere) == [moved]
    assert gated_files([moved], Config()) == []
    chosen = Config.model_validate(
        {"postmortems-dir": "docs/postmortems", "review": {"paths": ["reviews/**"]}}
    )
    assert gated_files([moved], chosen) == []


def test_the_highest_severity_sets_the_count() -> None:
    config = Config(
        severities=(
            SeverityLevel(name="SEV1", description="x", approvals=3),
            SeverityLevel(name="SEV2", description="y"),
        )
    )
    need = requirement(
        [("a.md", postmortem("SEV2")), ("b.md", postmortem("SEV1", ("jo", "lee")))], config
    )
    assert (need.required, need.severity, need.source) == (3, "SEV1", "b.md")
    assert need.authors == frozenset({"sam", "jo", "lee"})
    assert requirement([], config).required == 1


def test_an_unreadable_severity_requires_the_strictest_count() -> None:
    config = Config(
        severities=(
            SeverityLevel(name="SEV1", description="x", approvals=2),
            SeverityLevel(name="SEV2", description="y"),
        )
    )
    need = requirement([("a.md", postmortem("SEV2")), ("b.md", b"no front-matter")], config)
    assert need.required == 2
    assert need.notes and "b.md" in need.notes[0]
    assert requirement([("a.md", postmortem("SEV2")), ("gone.md", None)], config).required == 2
    found = f"{INC_PATH} (at base bbbbbbb)"
    assert requirement([("a.md", postmortem("SEV2")), (found, incident())], config).required == 1
    # An incident found neither at the base nor the head: how severe it was cannot be known.
    missing = requirement([("a.md", postmortem("SEV2"))], config)
    assert missing.required == 2 and "INC-2024-05-02-api-errors" in missing.notes[0]


def test_an_incident_sets_the_count_only_when_more_severe_than_its_postmortem() -> None:
    config = Config(
        severities=(
            SeverityLevel(name="SEV1", description="x", approvals=2),
            SeverityLevel(name="SEV2", description="y"),
        )
    )
    at_base = f"{INC_PATH} (at base bbbbbbb)"
    need = requirement(
        [(PM_PATH, postmortem("SEV2")), (at_base, incident(severity="SEV1"))], config
    )
    assert (need.required, need.severity, need.source) == (2, "SEV1", at_base)
    assert need.raised_by == (
        f"the severity of its incident INC-2024-05-02-api-errors at base bbbbbbb; {PM_PATH} says SEV2"
    )
    same = requirement(
        [(PM_PATH, postmortem("SEV1")), (at_base, incident(severity="SEV1"))], config
    )
    assert (same.required, same.source, same.raised_by, same.notes) == (2, PM_PATH, None, ())
    # An incident another postmortem names sets nothing for this one.
    other = "incidents/INC-2024-05-09-other.md (at base bbbbbbb)"
    alone = requirement([(PM_PATH, postmortem("SEV2")), (other, incident(severity="SEV1"))], config)
    assert (alone.required, alone.source) == (1, PM_PATH)


def test_the_summary_says_how_many_approvals_were_needed_and_why() -> None:
    text = summary_markdown(decide([review(1, "priyaraman", "APPROVED")], required=2), PR, {})
    assert f"**not satisfied**: 1 senior approval (2 needed; SEV2: `{PM_PATH}`) on head" in text


def test_the_summary_table_lists_every_reviewer_and_escapes_cells() -> None:
    decision = decide([review(1, "priyaraman", "APPROVED"), review(2, "le|e", "APPROVED")])
    text = summary_markdown(decision, PR, {"roster": "people.yaml at base bbbbbbb"})
    assert "| reviewer | state | commit | counted |" in text
    assert "| priyaraman | APPROVED | `ccccccc` | yes: counted |" in text
    assert "le\\|e" in text


# --- follow-up updates -------------------------------------------------------------------------

FOLLOWED = """\
---
id: PM-2024-05-02-api-errors
title: "Postmortem: API errors after deploy"
incidents: [INC-2024-05-02-api-errors]
status: approved
severity: SEV2
authors: [sam]
# <!-- incident-docs disable-next-line BL004 -->
services: [api]
impact:
  users_affected: 12
action_items:
  - title: Canary every deploy
    owner: priya
    type: prevent
    due: 2024-06-01
    status: open # since the review
{ALERT}
---

# Postmortem: API errors after deploy

The deploy raised the error rate.
"""
"""An approved postmortem with two action items, the second written in flow style (ALERT)."""
ALERT = "  - {title: Alert on the 5xx rate, owner: jo, type: detect, status: in-progress}"


def followed_up(*edits: tuple[str, str]) -> bytes:
    text = FOLLOWED.replace("{ALERT}", ALERT)
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    return text.encode()


CLOSED = ("status: open # since", "status: done # since")
LINKED = (
    "status: in-progress}",
    "status: in-progress, tracker: 'https://github.com/acme/ops/issues/9'}",
)


@pytest.mark.parametrize(
    "edits",
    [
        pytest.param([CLOSED], id="a status"),
        pytest.param([LINKED], id="a tracker added"),
        pytest.param([("status: open # since", 'status: "wont-do" # since')], id="quoted"),
        pytest.param(
            [
                CLOSED,
                (
                    ALERT,
                    "  - title: Alert on the 5xx rate\n    owner: jo\n    type: detect\n"
                    "    status: done\n    tracker: https://github.com/acme/ops/issues/9",
                ),
            ],
            id="rewritten in block style",
        ),
        pytest.param(
            [
                ("status: in-progress}", "tracker: https://github.com/acme/ops/issues/9}"),
                ("status: open # since", "# since"),
            ],
            id="status written and left to its default",
        ),
    ],
)
def test_a_change_of_action_items_status_and_tracker_is_a_follow_up_update(
    edits: list[tuple[str, str]],
) -> None:
    assert follow_up_update(followed_up(), followed_up(*edits), PM_PATH, Config(), "acme/ops")


@pytest.mark.parametrize(
    ("api", "web"),
    [
        ("https://api.github.com", "https://github.com"),
        ("https://api.acme.ghe.com/", "https://acme.ghe.com"),
        ("https://ghe.example/api/v3", "https://ghe.example"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("https://api.github.com:443/", "https://github.com"),
        ("https://GHE.example/API/v3", "https://ghe.example"),
    ],
)
def test_the_sync_writes_issues_of_githubs_web_root(api: str, web: str) -> None:
    assert web_root(api) == web
    linked = ("status: in-progress}", f"status: in-progress, tracker: '{web}/acme/ops/issues/9'}}")
    assert follow_up_update(followed_up(), followed_up(linked), PM_PATH, Config(), "acme/ops", web)


def test_line_endings_alone_do_not_make_a_follow_up_update_a_review() -> None:
    after = followed_up(CLOSED).replace(b"\n", b"\r\n")
    assert follow_up_update(followed_up(), after, PM_PATH, Config(), "acme/ops")


@pytest.mark.parametrize(
    "edits",
    [
        pytest.param([], id="nothing"),
        pytest.param(
            [("title: Canary every deploy", "title: 'Canary every deploy'")], id="quoting alone"
        ),
        pytest.param(
            [CLOSED, ("title: Canary every deploy", "title: Canary every web deploy")],
            id="an item's title",
        ),
        pytest.param([CLOSED, ("owner: priya", "owner: jo")], id="an owner"),
        pytest.param([CLOSED, ("due: 2024-06-01", "due: 2024-07-01")], id="a due date"),
        pytest.param(
            [CLOSED, ("type: prevent", "type: prevent\n    priority: P2")], id="a default written"
        ),
        pytest.param(
            [
                CLOSED,
                ("title: Canary every deploy", "title: Canary every deploy\n    title_note: x"),
            ],
            id="a key added",
        ),
        pytest.param(
            [
                CLOSED,
                (
                    "action_items:\n",
                    "action_items:\n  - {title: Page on errors, owner: jo, type: detect}\n",
                ),
            ],
            id="an item added",
        ),
        pytest.param(
            [(ALERT + "\n", "")],
            id="an item removed",
        ),
        pytest.param(
            [
                (ALERT + "\n", ""),
                (
                    "action_items:\n",
                    "action_items:\n" + ALERT.replace("in-progress", "done") + "\n",
                ),
            ],
            id="items reordered",
        ),
        pytest.param(
            [CLOSED, ('title: "Postmortem: API', 'title: "Postmortem: Some API')], id="the title"
        ),
        pytest.param(
            [CLOSED, ("status: approved", "status: published")], id="the postmortem's status"
        ),
        pytest.param(
            [CLOSED, ("severity: SEV2\nauthors: [sam]", "authors: [sam]\nseverity: SEV2")],
            id="key order",
        ),
        pytest.param([CLOSED, ("users_affected: 12", "users_affected: 12.0")], id="a value's type"),
        pytest.param([CLOSED, ("error rate.", "error rate twice.")], id="the body"),
        pytest.param([CLOSED, ("error rate.\n", "error rate.\n\n")], id="a blank line in the body"),
        pytest.param([CLOSED, ("disable-next-line BL004", "disable BL")], id="a comment"),
        pytest.param([CLOSED, ("# since the review", "")], id="a comment removed"),
        pytest.param([("status: open # since", "status: finished # since")], id="no valid status"),
        pytest.param([("status: open # since", "status: Done # since")], id="a status in capitals"),
        pytest.param([LINKED, ("'https://github.com/acme/ops/issues/9'", "OPS 9")], id="no link"),
        # A tracker is published as the item's link: only the sync's own, for a new issue of
        # this repository, goes unreviewed.
        pytest.param(
            [LINKED, ("acme/ops/issues/9", "acme/other/issues/9")], id="another repository"
        ),
        pytest.param(
            [LINKED, ("github.com/acme/ops/issues/9", "evil.example/Jo-was-careless")],
            id="any address",
        ),
        pytest.param([LINKED, ("issues/9'", "issues/9?x=1'")], id="more after the number"),
        pytest.param([LINKED, ("https://", "ftp://")], id="not a web address"),
        pytest.param([LINKED, ("github.com/acme", "evil.example/acme")], id="another host"),
        pytest.param(
            [LINKED, ("github.com/acme", "github.com@evil.example/acme")], id="a user name"
        ),
        pytest.param([LINKED, ("github.com/acme", "github.com/login/acme")], id="a path before"),
        pytest.param([LINKED, ("github.com/acme", "github.com:8443/acme")], id="a port"),
        pytest.param([LINKED, ("acme/ops", "acme/op\u017f")], id="a letter for another"),
        pytest.param([LINKED, ("/issues/", "/ISSUES/")], id="not the issues page"),
        pytest.param(
            [CLOSED, ("---\n\n# Postmortem", "...\n\n# Postmortem")], id="the closing fence"
        ),
        pytest.param(
            [CLOSED, ("status: approved", "status: approved\nnotes: x")], id="an unknown key"
        ),
        pytest.param([CLOSED, ("authors: [sam]", "authors: [sam")], id="broken YAML"),
    ],
)
def test_any_other_change_is_reviewed(edits: list[tuple[str, str]]) -> None:
    assert not follow_up_update(followed_up(), followed_up(*edits), PM_PATH, Config(), "acme/ops")


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(None, followed_up(CLOSED), id="new"),
        pytest.param(followed_up(), None, id="deleted"),
        pytest.param(
            followed_up(("authors: [sam]", "authors: [sam")),
            followed_up(CLOSED),
            id="broken at base",
        ),
        pytest.param(followed_up(), followed_up(CLOSED) + b"\xff", id="not UTF-8"),
        pytest.param(followed_up(), followed_up(CLOSED).replace(b"---\n", b"+++\n"), id="TOML"),
        pytest.param(followed_up(), b"\x00" * 10, id="binary"),
    ],
)
def test_a_version_that_cannot_be_read_is_reviewed(
    before: bytes | None, after: bytes | None
) -> None:
    assert not follow_up_update(before, after, PM_PATH, Config(), "acme/ops")


def test_a_file_over_the_size_limit_is_reviewed() -> None:
    padded = followed_up(CLOSED) + b"x" * 2_000_000
    assert not follow_up_update(
        followed_up() + b"x" * 2_000_000, padded, PM_PATH, Config(), "acme/ops"
    )


def test_an_approval_kept_over_a_follow_up_update_says_so() -> None:
    decision = evaluate(
        PR,
        reviews_from_api([review(1, "priyaraman", "APPROVED", commit=OLD)]),
        BASE_ROSTER,
        Config(),
        Requirement(1, "SEV2", PM_PATH, frozenset({"sam"})),
        unchanged_since=lambda sha: True,
        updated_since=lambda sha: sha == OLD,
    )
    assert decision.satisfied
    assert reasons(decision)["priyaraman"] == (
        "counted: since then only action items' status and tracker changed"
    )
