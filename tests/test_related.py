"""Has this happened before? `incident similar`, the Related panels, and a labelled set."""

from __future__ import annotations

import csv
import json
import re
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from incident_docs import cli_incident
from incident_docs.config import Config, load_config
from incident_docs.records import load_archive, load_roster
from incident_docs.related import Match, RelatedIndex, cases_from
from incident_docs.site.archive import load_site_archive
from incident_docs.site.prework import Settings, related_panels
from support.archive import CHRISTMAS, REPO, cover_a_second_incident
from support.cli import RunCli
from support.site_build import build_site, page

DATA = REPO / "tests" / "data" / "similar"


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def test_the_labelled_set_finds_what_a_responder_wants() -> None:
    """Written by someone who never saw the ranking; the floors sit below its first score
    (precision at 3: 0.44 of at most 0.75; hit at 3: 1.00)."""
    index = RelatedIndex(cases_from(load_archive(DATA, Config()), Config()))
    with (DATA / "queries.tsv").open(encoding="utf-8", newline="") as handle:
        queries = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert len(queries) >= 30
    hits = 0
    for query in queries:
        found = index.search(
            query["title"] + " " + query["text"],
            _split(query["services"]),
            _split(query["tags"]),
            3,
        )
        hits += bool(set(_split(query["relevant"])) & {m.case.ids[0] for m in found})
    assert hits / len(queries) >= 0.9


@pytest.fixture(autouse=True)
def quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_incident, "_terminal", lambda: False)


def test_a_new_memory_leak_finds_the_christmas_postmortem_first(
    archive: Path, run_cli: RunCli
) -> None:
    declared = run_cli(
        archive, "declare", "Memory leak after deploy", "--service", "web-frontend",
        "--tag", "deployment", "--by", "sam", "--yes",
    )  # fmt: skip
    assert declared.exit_code == 0, declared.output
    assert f"Like it before (incident similar for more):\n  INC-{CHRISTMAS}" in declared.stderr
    result = run_cli(archive, "similar", "memory-leak-after-deploy", "--format", "json")
    assert result.exit_code == 0, result.output
    first = json.loads(result.stdout)[0]
    assert first["ids"] == [f"INC-{CHRISTMAS}", f"PM-{CHRISTMAS}"]
    assert "Drained the crash-looping VMs" in first["mitigated_by"]


CDN = "INC-2023-08-02-cdn-certificate-expiry"


def test_a_new_incident_of_a_large_archive_is_compared_with_its_latest_ones(
    archive: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Reading every record of a large archive took seconds at the moment there are none to spare.
    source = (archive / "incidents" / "INC-2026-11-20-search-latency.md").read_text()
    for day in range(1, 7):  # eleven incidents, with the new one
        other = f"INC-2025-01-0{day}-search-latency"
        text = source.replace("INC-2026-11-20-search-latency", other)
        (archive / "incidents" / f"{other}.md").write_text(text)
    declare = (
        "declare", "Expired certificate on the CDN", "--service", "static-cdn", "--by", "sam",
        "--at", "2023-01-01T10:00:00Z", "--yes",
    )  # fmt: skip
    monkeypatch.setattr(cli_incident, "HINT_INCIDENTS", 9)
    declared = run_cli(archive, *declare)
    assert declared.exit_code == 0, declared.output
    new = declared.stdout.strip().rpartition("/")[2].removesuffix(".md")
    # The new record is one of them, however early it says it started.
    assert (
        f"Like it before, of the latest 9 of 11 incidents (incident similar {new} for all):\n"
        f"  {CDN}: "
    ) in declared.stderr
    (archive / "incidents" / f"{new}.md").unlink()
    monkeypatch.setattr(cli_incident, "HINT_INCIDENTS", 7)  # the CDN's is no longer among them
    declared = run_cli(archive, *declare)
    assert declared.exit_code == 0, declared.output
    assert CDN not in declared.stderr
    (archive / "incidents" / f"{new}.md").unlink()
    monkeypatch.setattr(cli_incident, "HINT_INCIDENTS", 11)  # all of them: as before
    declared = run_cli(archive, *declare)
    assert f"Like it before (incident similar for more):\n  {CDN}: " in declared.stderr


def test_a_record_renamed_by_hand_is_dated_by_its_id_among_the_latest(
    archive: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A file renamed by hand starts with no date: it was taken for the oldest of all, and a
    # case as recent as any was left out of those the new incident is compared with.
    source = (archive / "incidents" / "INC-2026-11-20-search-latency.md").read_text()
    for day in range(1, 7):
        other = f"INC-2025-01-0{day}-search-latency"
        text = source.replace("INC-2026-11-20-search-latency", other)
        (archive / "incidents" / f"{other}.md").write_text(text)
    (archive / "incidents" / f"{CDN}.md").rename(archive / "incidents" / "cdn-expiry.md")
    declare = (
        "declare", "Expired certificate on the CDN", "--service", "static-cdn", "--by", "sam",
        "--yes",
    )  # fmt: skip
    monkeypatch.setattr(cli_incident, "HINT_INCIDENTS", 9)
    declared = run_cli(archive, *declare)
    assert declared.exit_code == 0, declared.output
    assert "Like it before, of the latest 9 of 11 incidents" in declared.stderr
    assert f"  {CDN}: " in declared.stderr


def test_similar_writes_times_as_list_and_show_do(archive: Path, run_cli: RunCli) -> None:
    """A script that joins `incident similar` to `incident show` by time finds the same text:
    "Z" for UTC, as the records and every other command write it."""
    similar = run_cli(archive, "similar", "--text", "image crash loop", "--format", "json")
    cases = json.loads(similar.stdout)
    assert cases
    for case in cases:
        shown = json.loads(run_cli(archive, "show", case["ids"][0], "--format", "json").stdout)
        assert case["when"] == shown["started_at"], case


def test_similar_with_empty_text_is_a_usage_error(archive: Path, run_cli: RunCli) -> None:
    """`incident similar --text "$DESCRIPTION"` with the variable unset."""
    result = run_cli(archive, "similar", "--text", "  ", "--format", "json")
    assert result.exit_code == 2
    assert result.stdout == "" and "--text is empty" in result.stderr


@pytest.mark.parametrize("given", ["...", "the", "- -", "DB", "502 504"])
def test_similar_with_text_of_no_word_is_a_usage_error(
    archive: Path, run_cli: RunCli, given: str
) -> None:
    """Punctuation or only words too common to tell cases apart: as empty as no text, not
    "Nothing like it in the archive yet"."""
    result = run_cli(archive, "similar", "--text", given)
    assert result.exit_code == 2, result.output
    assert "has no word to search by" in result.stderr
    assert "Nothing like it" not in result.output
    # "DB" is no word as common as "the": the message says why it is not searched by.
    assert "fewer than three letters" in result.stderr
    # Nor is "502 504": numbers are not searched by, and the message said nothing of them.
    assert "numbers" in result.stderr


def test_similar_by_text_and_when_nothing_is_alike(archive: Path, run_cli: RunCli) -> None:
    text = run_cli(archive, "similar", "--text", "the certificate expired and styles broke")
    assert text.exit_code == 0
    assert text.stdout.startswith("INC-2023-08-02-cdn-certificate-expiry")
    assert "    mitigated by: Uploaded the new certificate to the CDN" in text.stdout
    nothing = run_cli(archive, "similar", "--text", "zebra quokka")
    assert nothing.exit_code == 0 and "Nothing like it in the archive yet." in nothing.stderr
    assert "too few records" not in text.stderr


def test_words_of_scripts_written_without_spaces_are_found(archive: Path, run_cli: RunCli) -> None:
    # A Japanese title was one word to the index: found only by the whole of it.
    declared = run_cli(
        archive, "declare", "データベースの接続が失敗した", "--by", "sam", "--yes"
    )  # fmt: skip
    assert declared.exit_code == 0, declared.output
    found = run_cli(archive, "similar", "--text", "データベース 接続")
    assert found.exit_code == 0 and "データベースの接続が失敗した" in found.stdout
    assert "Nothing like it" not in found.stderr
    unrelated = run_cli(archive, "similar", "--text", "証明書の期限切れ")
    assert "データベース" not in unrelated.stdout


def test_what_mitigated_a_case_keeps_its_words_whole(archive: Path, run_cli: RunCli) -> None:
    # Markup is dropped from the one line, not the underscores inside names and addresses.
    path = archive / "incidents" / "INC-2023-08-02-cdn-certificate-expiry.md"
    text = path.read_text()
    old = "Uploaded the new certificate to the CDN"
    assert old in text
    new = (
        "**Note:** Uploaded **cert_v2** to `__init__.py` (``a ` b``, 2 * 3, _(v2)_), "
        "see https://x.example/a_b?h=_all&f=now_-1h"
    )
    path.write_text(text.replace(old, new))
    result = run_cli(archive, "similar", "--text", "the certificate expired and styles broke")
    shown = (
        "Note: Uploaded cert_v2 to __init__.py (a ` b, 2 * 3, (v2)), "
        "see https://x.example/a_b?h=_all&f=now_-1h"
    )
    assert f"mitigated by: {shown}" in result.stdout


def test_a_list_ranked_by_nothing_says_so(archive: Path, run_cli: RunCli) -> None:
    # The search incident shares only words most of the example's four records have.
    result = run_cli(archive, "similar", "INC-2026-11-20-search-latency")
    assert result.exit_code == 0 and result.stdout
    assert "too few records yet to tell which is like it" in result.stderr
    # Beside a case that shares a telling word, the others are left out.
    mixed = run_cli(archive, "similar", "--text", "alert payments")
    assert mixed.stdout.count("mitigated by:") == 1, mixed.stdout
    assert "payments-db-failover" in mixed.stdout and "too few records" not in mixed.stderr


@pytest.mark.slow
def test_every_record_page_has_its_related_incidents(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(DATA, root)
    (root / "pyproject.toml").write_text("[tool.incident-docs]\n")
    (root / "docs").mkdir()
    site = build_site(root, lint=False)
    pages = sorted((root / "incidents").glob("*.md"))
    with_panel = 0
    for path in pages:
        html = page(site, f"incidents/{path.stem}")
        if '<details class="idocs-related"' in html:
            with_panel += 1
            panel = html.split('<details class="idocs-related"', 1)[1].split("</details>", 1)[0]
            assert panel.count("<li>") <= 5 and "Mitigated by:" in panel
    assert with_panel == len(pages)


def test_a_postmortems_related_cases_are_not_its_own_incidents(christmas: Path) -> None:
    second = cover_a_second_incident(christmas)
    config = load_config(christmas)
    archive = load_site_archive(christmas, config, load_roster(christmas, config))
    panels = related_panels(archive, Settings(date(2023, 1, 10), True, "material"))
    assert second not in panels.get(f"postmortems/PM-{CHRISTMAS}.md", "")
    # Nor does either incident's panel list the postmortem that covers both.
    assert f"PM-{CHRISTMAS}" not in panels.get(f"incidents/{second}.md", "")


def test_an_incident_and_its_postmortem_are_asked_about_once(
    archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each leaves out the other, which is the same case: the panels of a postmortem and of its
    # incident were asked for twice, and an archive's Related panels took half as long again.
    asked: list[str] = []
    search = RelatedIndex.search

    def counted(index: RelatedIndex, text: str, *args: Any, **kwargs: Any) -> list[Match]:
        asked.append(text)
        return search(index, text, *args, **kwargs)

    monkeypatch.setattr(RelatedIndex, "search", counted)
    config = load_config(archive)
    site = load_site_archive(archive, config, load_roster(archive, config))
    panels = related_panels(site, Settings(date(2026, 12, 1), True, "material"))
    assert len(asked) == len(list((archive / "incidents").glob("*.md"))) == 4
    pm = panels[f"postmortems/PM-{CHRISTMAS}.md"]
    assert _panel_ids(pm) == _panel_ids(panels[f"incidents/INC-{CHRISTMAS}.md"]) != []


def test_a_postmortem_of_two_incidents_is_in_the_case_of_each(christmas: Path) -> None:
    # It was in the first incident's case alone: `incident similar` showed the second with no
    # postmortem, and without its resolution to say what fixed it.
    second = cover_a_second_incident(christmas)
    cases = {case.key: case for case in cases_from(load_archive(christmas, Config()), Config())}
    assert cases[f"INC-{CHRISTMAS}"].ids == (f"INC-{CHRISTMAS}", f"PM-{CHRISTMAS}")
    assert cases[second].ids == (second, f"PM-{CHRISTMAS}")


def test_a_panel_ranked_by_nothing_says_so(archive: Path, tmp_path: Path) -> None:
    settings = Settings(date(2026, 12, 1), True, "material")
    caveat = "Too few records yet to tell which is like this one"
    config = load_config(archive)
    small = related_panels(
        load_site_archive(archive, config, load_roster(archive, config)), settings
    )
    assert caveat in small["incidents/INC-2026-11-20-search-latency.md"]
    root = tmp_path / "large"
    shutil.copytree(DATA, root)
    (root / "pyproject.toml").write_text("[tool.incident-docs]\n")
    config = load_config(root)
    large = related_panels(load_site_archive(root, config, load_roster(root, config)), settings)
    assert sum(caveat in panel for panel in large.values()) < len(large) / 10


def _panel_ids(panel: str) -> list[str]:
    """The record IDs a Related panel links, in its order (an incident's and its postmortem's
    case named by the incident)."""
    return [
        "INC-" + found.split("-", 1)[1]
        for found in re.findall(r'href="[^"]*?((?:INC|PM)-[^"/#]+?)(?:/|\.html)?"', panel)
    ]


def test_a_panel_shows_what_incident_similar_shows(
    tmp_path: Path, run_cli: RunCli, archive: Path
) -> None:
    # The panels asked with half the words `incident similar` does: the two disagreed on 47 of
    # the labelled set's 48 records. And beside a case that shares a telling word, a panel kept
    # those that share only what most records have, where the command leaves them out.
    settings = Settings(date(2026, 12, 1), True, "material")
    root = tmp_path / "large"
    shutil.copytree(DATA, root)
    (root / "pyproject.toml").write_text("[tool.incident-docs]\n")
    for repo in (root, archive):
        config = load_config(repo)
        panels = related_panels(
            load_site_archive(repo, config, load_roster(repo, config)), settings
        )
        for path in sorted((repo / "incidents").glob("INC-*.md"))[:8]:
            shown = run_cli(repo, "similar", path.stem)
            assert shown.exit_code == 0, shown.output
            listed = re.findall(r"^(INC-\S+)", shown.stdout, re.MULTILINE)
            assert _panel_ids(panels.get(f"incidents/{path.name}", "")) == listed, path.stem


def test_incidents_one_person_declared_are_not_alike_for_it(
    tmp_path: Path, run_cli: RunCli
) -> None:
    # The entry `declare` writes names the declarer as Incident Commander: two incidents with
    # nothing else in common came first for each other, ahead of the cases with the same tag.
    root = tmp_path / "repo"
    shutil.copytree(DATA, root)
    shutil.copy(REPO / "people.yaml", root / "people.yaml")
    (root / "pyproject.toml").write_text("[tool.incident-docs]\n")
    for args in (
        ("Zorblat quuxed", "--service", "webhook-dispatcher", "--because", "user-facing"),
        ("Frobnicator wibbled", "--tag", "rate-limiting", "--because", "user-facing"),
    ):
        declared = run_cli(root, "declare", *args, "--by", "sam", "--yes")
        assert declared.exit_code == 0, declared.output
    result = run_cli(root, "similar", "frobnicator", "--format", "json")
    assert result.exit_code == 0, result.output
    found = [match["ids"][0] for match in json.loads(result.stdout)]
    assert not any("zorblat" in record_id for record_id in found), found
    tagged = {
        path.stem
        for path in (root / "incidents").glob("INC-202[1-5]-*.md")
        if "rate-limiting" in path.read_text()
    }
    assert found[0] in tagged, found


def test_a_mitigation_is_found_by_its_action(empty_archive: Path, run_cli: RunCli) -> None:
    # `incident log "Drained eu-1" --action redirect-traffic`: the action was not searched, and
    # asking how traffic was redirected before found nothing.
    for title, action, text in (
        ("Checkout errors", "rollback", "Went back to 4.1"),
        ("Login timeouts", "redirect-traffic", "Drained eu-1"),
        ("Search slow", "scale-up", "Added four nodes"),
    ):
        declared = run_cli(empty_archive, "declare", title, "--by", "sam", "--yes")
        assert declared.exit_code == 0, declared.output
        logged = run_cli(
            empty_archive, "log", text, "--action", action, "--by", "sam", "-i", title.split()[0]
        )
        assert logged.exit_code == 0, logged.output
    for asked, title in (("rollback", "Checkout errors"), ("redirect traffic", "Login timeouts")):
        found = run_cli(empty_archive, "similar", "--text", asked, "--format", "json")
        assert found.exit_code == 0, found.output
        assert [case["title"] for case in json.loads(found.stdout)][:1] == [title], asked


def test_a_case_nothing_says_mitigated_has_no_mitigation_in_json(
    empty_archive: Path, run_cli: RunCli
) -> None:
    # JSON said "mitigated_by": "not recorded", as if that were what mitigated it.
    declared = run_cli(empty_archive, "declare", "Zorblat quuxed", "--by", "sam", "--yes")
    assert declared.exit_code == 0, declared.output
    found = run_cli(empty_archive, "similar", "--text", "zorblat", "--format", "json")
    assert found.exit_code == 0, found.output
    assert [case["mitigated_by"] for case in json.loads(found.stdout)] == [None]
    text = run_cli(empty_archive, "similar", "--text", "zorblat")
    assert "    mitigated by: not recorded\n" in text.stdout


def test_of_cases_alike_the_latest_comes_first(empty_archive: Path, run_cli: RunCli) -> None:
    # A tie was listed in the order the files were read: the oldest first.
    declared = [
        ("Primary database disk full", "2024-03-01T10:00:00Z"),
        ("Primary database disk full", "2026-03-01T10:00:00Z"),
        ("Primary database disk full", "2025-03-01T10:00:00Z"),
        ("Checkout latency after deploy", "2025-04-01T10:00:00Z"),
        ("Login page returns errors", "2025-05-01T10:00:00Z"),
        ("Search index stale", "2025-06-01T10:00:00Z"),
        ("Mail queue backlog", "2025-07-01T10:00:00Z"),
    ]
    for title, at in declared:
        result = run_cli(empty_archive, "declare", title, "--at", at, "--by", "sam", "--yes")
        assert result.exit_code == 0, result.output
    found = run_cli(empty_archive, "similar", "--text", "database disk full", "--format", "json")
    assert found.exit_code == 0, found.output
    assert [match["when"][:4] for match in json.loads(found.stdout)[:3]] == [
        "2026", "2025", "2024",
    ]  # fmt: skip


def test_what_mitigated_a_case_is_what_its_postmortem_says_when_the_incident_does_not(
    christmas: Path, run_cli: RunCli
) -> None:
    # Without mitigation entries in the incident's timeline, the one line was the first sentence
    # of the postmortem's Resolution (the lasting fix), not what it says mitigated the incident.
    incident = christmas / "incidents" / f"INC-{CHRISTMAS}.md"
    postmortem = christmas / "postmortems" / f"PM-{CHRISTMAS}.md"
    for path in (incident, postmortem):
        path.write_text(re.sub(r"\*\*mitigation/[a-z-]+\*\*", "**action**", path.read_text()))
        if path == incident:  # the postmortem's timeline, then its Mitigation section
            result = run_cli(christmas, "similar", "--text", "corrupt image crash loop")
            assert "mitigated by: Sent traffic to the healthy pool in eu-west-1b." in result.stdout
    result = run_cli(christmas, "similar", "--text", "corrupt image crash loop")
    assert result.exit_code == 0, result.output
    assert "mitigated by: Traffic was moved from the crash-looping zone to the healthy zone" in (
        result.stdout
    )
    assert "configuration key was corrected" not in result.stdout


def test_similar_to_a_postmortem_is_its_pages_related_panel(archive: Path, run_cli: RunCli) -> None:
    # `incident similar PM-…` said "no incident matches", though the postmortem's page has its
    # Related panel. Like the panel, it leaves out the incidents the postmortem covers.
    payments, cdn = "INC-2023-03-14-payments-db-failover", "INC-2023-08-02-cdn-certificate-expiry"
    path = archive / "postmortems" / "PM-2023-03-14-payments-db-failover.md"
    path.write_text(
        path.read_text().replace(f"incidents: [{payments}]", f"incidents: [{payments}, {cdn}]")
    )
    shown = run_cli(archive, "similar", "PM-2023-03")
    assert shown.exit_code == 0, shown.output
    listed = re.findall(r"^(INC-\S+)", shown.stdout, re.MULTILINE)
    assert listed and payments not in listed and cdn not in listed, listed
    config = load_config(archive)
    site = load_site_archive(archive, config, load_roster(archive, config))
    panels = related_panels(site, Settings(date(2026, 12, 1), True, "material"))
    assert _panel_ids(panels.get(f"postmortems/{path.name}", "")) == listed
    # Each incident it covers: its postmortem's other incident is linked, not a case like it.
    for covered in (payments, cdn):
        asked = run_cli(archive, "similar", covered)
        found = re.findall(r"^(INC-\S+)", asked.stdout, re.MULTILINE)
        assert found == _panel_ids(panels.get(f"incidents/{covered}.md", "")), covered
        assert not {payments, cdn} & set(found), found
    broken = run_cli(archive, "similar", "PM-1999")
    assert broken.exit_code == 2
    assert broken.stderr == "incident: error: no postmortem matches 'PM-1999' in postmortems/\n"


def test_a_postmortem_of_several_incidents_does_not_shorten_the_list(
    archive: Path, run_cli: RunCli
) -> None:
    # The incidents a postmortem covers are left out of each other's lists: asked for one
    # case, `incident similar` found two of them first and said "Nothing like it".
    payments = "INC-2023-03-14-payments-db-failover"
    covered = [payments, "INC-2023-08-02-cdn-certificate-expiry", f"INC-{CHRISTMAS}"]
    path = archive / "postmortems" / "PM-2023-03-14-payments-db-failover.md"
    path.write_text(
        path.read_text().replace(f"incidents: [{payments}]", f"incidents: [{', '.join(covered)}]")
    )
    found = run_cli(archive, "similar", payments, "--limit", "1", "--format", "json")
    assert found.exit_code == 0, found.output
    assert [case["ids"][0] for case in json.loads(found.stdout)] == [
        "INC-2026-11-20-search-latency"
    ]


def test_an_incident_never_lists_the_postmortem_it_links(archive: Path, run_cli: RunCli) -> None:
    # The incident names its postmortem, which names another incident (a slip lint reports):
    # `incident similar` listed the incident's own postmortem as a case like it, where its
    # page's Related panel leaves it out.
    path = archive / "postmortems" / f"PM-{CHRISTMAS}.md"
    typo = f"INC-{CHRISTMAS}"[:-1]
    path.write_text(
        path.read_text().replace(f"incidents: [INC-{CHRISTMAS}]", f"incidents: [{typo}]")
    )
    found = run_cli(archive, "similar", f"INC-{CHRISTMAS}", "--format", "json")
    assert found.exit_code == 0, found.output
    listed = [record_id for case in json.loads(found.stdout) for record_id in case["ids"]]
    assert listed and f"PM-{CHRISTMAS}" not in listed, listed


def test_similar_says_which_records_it_could_not_read(archive: Path, run_cli: RunCli) -> None:
    # A broken record was left out without a word, as if nothing like it had happened.
    path = archive / "incidents" / "INC-2023-08-02-cdn-certificate-expiry.md"
    path.write_text(path.read_text().replace("severity: SEV3", "severity: [SEV3", 1))
    found = run_cli(archive, "similar", "--text", "the certificate expired and styles broke")
    assert found.exit_code == 0, found.output
    assert (
        "incident: warning: 1 record skipped (run 'incident lint' to see why): "
        f"incidents/{path.name}\n"
    ) in found.stderr
    # Asked about the broken record itself: one error, naming its file and line.
    asked = run_cli(archive, "similar", "cdn")
    assert asked.exit_code == 2
    assert asked.stderr.startswith(f"incident: error: incidents/{path.name}:4: YAML syntax error")
    assert len(asked.stderr.splitlines()) == 1


def test_a_service_or_tag_is_shared_only_when_it_is_the_same(
    empty_archive: Path, run_cli: RunCli
) -> None:
    # Services and tags were split into words: "api" was shared by every "…-api", and
    # "api-gateway" by a case of "orders-api" and "gateway".
    for title, labels in [
        ("Zorblat quuxed", ("--service", "api", "--tag", "memory")),
        ("Wibble frobbed", ("--service", "api")),
        ("Grault corfed", ("--tag", "memory")),
        ("Plugh xyzzied", ("--service", "payments-api", "--tag", "memory-leak")),
        ("Thud waldoed", ("--service", "api-gateway")),
        ("Fred garplied", ("--service", "orders-api,gateway")),
        ("Barney fooed", ("--service", "search-api")),
        ("Wilma quuxed", ("--tag", "disk")),
    ]:
        result = run_cli(empty_archive, "declare", title, *labels, "--by", "sam", "--yes")
        assert result.exit_code == 0, result.output

    def found(name: str) -> set[str]:
        shown = run_cli(empty_archive, "similar", name, "--format", "json")
        assert shown.exit_code == 0, shown.output
        return {match["ids"][0].split("-", 4)[4] for match in json.loads(shown.stdout)}

    assert found("zorblat") == {"wibble-frobbed", "grault-corfed", "wilma-quuxed"}
    assert found("thud") == set()
    assert found("fred") == set()


def test_words_of_thai_lao_myanmar_and_khmer_are_found(archive: Path, run_cli: RunCli) -> None:
    # Written without spaces too, and the index splits a word at each vowel or tone mark: a
    # word of a Thai title ("ชำระเงิน", payment) found nothing, only the whole title did.
    for title in ("ระบบชำระเงินล้มเหลวหลังการปรับใช้", "ការទូទាត់បរាជ័យ"):
        declared = run_cli(archive, "declare", title, "--by", "sam", "--yes")
        assert declared.exit_code == 0, declared.output
    for word, title in (("ชำระเงิน", "ระบบชำระเงิน"), ("ការទូទាត់", "ការទូទាត់បរាជ័យ")):
        found = run_cli(archive, "similar", "--text", word)
        assert found.exit_code == 0 and title in found.stdout, (word, found.output)


def test_json_output_writes_text_as_it_is_in_every_command(
    empty_archive: Path, run_cli: RunCli
) -> None:
    # `show --format json` wrote "Zahlungsdienst überlastet" as written, `list` and `similar`
    # as "\u00fcberlastet": one tool, two spellings of one title.
    title = "Zahlungsdienst überlastet"
    declared = run_cli(empty_archive, "declare", title, "--by", "sam", "--yes")
    assert declared.exit_code == 0, declared.output
    for args in (
        ("list", "--format", "json"),
        ("similar", "--text", "zahlungsdienst", "--format", "json"),
        ("show", "zahlungsdienst", "--format", "json"),
        ("blameless", "explain", title, "--format", "json"),
    ):
        result = run_cli(empty_archive, *args)
        assert result.exit_code in (0, 1), result.output
        assert "überlastet" in result.stdout and "\\u00fc" not in result.stdout, args
        json.loads(result.stdout)
