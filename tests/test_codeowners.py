"""`incident codeowners`: generated from the roster, checked, written atomically."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from support.archive import REPO, copy_archive
from support.cli import RunCli


@pytest.fixture
def archive(archive: Path) -> Path:
    """The example archive as this repository keeps it: beside incident-docs' own code."""
    (archive / "tooling" / "incident_docs").mkdir(parents=True)
    return archive


def test_seniors_own_postmortems_and_maintainers_the_machinery(
    archive: Path, run_cli: RunCli
) -> None:
    result = run_cli(archive, "codeowners")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line and not line.startswith("#")]
    # Seniors of the roster and of its teams.
    assert lines[0] == "/postmortems/ @dana-okafor @jotanaka @leemorgan @mei-ito @priyaraman"
    assert "/people.yaml @dana-okafor" in lines
    assert "/.github/workflows/ @dana-okafor" in lines
    assert "/tooling/ @dana-okafor" in lines
    assert "/.github/CODEOWNERS @dana-okafor" in lines


def test_write_then_check_then_drift(archive: Path, run_cli: RunCli) -> None:
    missing = run_cli(archive, "codeowners", "--check")
    assert missing.exit_code == 1
    assert ".github/CODEOWNERS does not exist" in missing.stdout

    assert run_cli(archive, "codeowners", "--write").exit_code == 0
    assert run_cli(archive, "codeowners", "--check").exit_code == 0
    assert not list((archive / ".github").glob(".CODEOWNERS.*")), "no temporary file is left"

    roster = archive / "people.yaml"
    roster.write_text(
        roster.read_text().replace("github: samlq", "github: samlq\n    senior: true")
    )
    drift = run_cli(archive, "codeowners", "--check")
    assert drift.exit_code == 1
    assert (
        "+/postmortems/ @dana-okafor @jotanaka @leemorgan @mei-ito @priyaraman @samlq"
        in drift.stdout
    )
    assert "run 'incident codeowners --write'" in drift.stderr


def test_a_roster_without_seniors_leaves_postmortems_unowned_and_warns(
    archive: Path, run_cli: RunCli
) -> None:
    (archive / "people.yaml").write_text("people:\n  - {handle: sam, name: Sam, github: samlq}\n")
    result = run_cli(archive, "codeowners")
    assert result.exit_code == 0
    assert "# /postmortems/ has no owner" in result.stdout
    assert "nobody in people.yaml is senior" in result.stderr


def test_check_and_write_together_is_a_usage_error(archive: Path, run_cli: RunCli) -> None:
    result = run_cli(archive, "codeowners", "--check", "--write")
    assert result.exit_code == 2
    assert "cannot be combined" in result.stderr


def test_the_repository_codeowners_matches_its_roster(tmp_path: Path, run_cli: RunCli) -> None:
    for part in ("people.yaml", "pyproject.toml", ".github/CODEOWNERS"):
        (tmp_path / part).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / part, tmp_path / part)
    (tmp_path / "tooling" / "incident_docs").mkdir(parents=True)
    result = run_cli(tmp_path, "codeowners", "--check")
    assert result.exit_code == 0, result.output


def test_check_refuses_a_codeowners_it_cannot_read_as_one(
    archive: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    # A pull request could point it at any file of the runner; --check printed it in its diff.
    secret = tmp_path / "secret.txt"
    secret.write_text("AWS_SECRET=hunter2\n")
    codeowners = archive / ".github" / "CODEOWNERS"
    codeowners.parent.mkdir(exist_ok=True)
    codeowners.unlink(missing_ok=True)
    codeowners.symlink_to(secret)
    linked = run_cli(archive, "codeowners", "--check")
    assert linked.exit_code == 2 and "hunter2" not in linked.output
    assert "symbolic link leads outside the repository" in linked.stderr
    codeowners.unlink()
    codeowners.write_bytes(b"\xff\xfe* @someone\n")
    garbled = run_cli(archive, "codeowners", "--check")
    assert garbled.exit_code == 2 and "not valid UTF-8" in garbled.stderr


def test_write_refuses_a_github_folder_linked_out_of_the_repository(
    archive: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.rmtree(archive / ".github", ignore_errors=True)
    (archive / ".github").symlink_to(outside, target_is_directory=True)
    result = run_cli(archive, "codeowners", "--write")
    assert result.exit_code == 2 and "leads outside the repository" in result.stderr
    assert not list(outside.iterdir())


def test_write_keeps_the_lines_written_by_hand_and_check_accepts_them(
    archive: Path, run_cli: RunCli
) -> None:
    # --write replaced the whole file, and --check failed on any line of the repository's own.
    codeowners = archive / ".github" / "CODEOWNERS"
    codeowners.parent.mkdir(exist_ok=True)
    own = "# Our owners\n* @acme/core\n/docs/ @acme/docs\n"
    codeowners.write_text(own)
    assert run_cli(archive, "codeowners", "--check").exit_code == 1
    written = run_cli(archive, "codeowners", "--write")
    assert written.exit_code == 0, written.output
    text = codeowners.read_text()
    assert text.startswith(own + "\n# Generated from people.yaml")
    assert "/postmortems/ @dana-okafor" in text
    assert run_cli(archive, "codeowners", "--check").exit_code == 0
    # Again, and after a roster change: the generated lines are replaced, not added twice.
    assert run_cli(archive, "codeowners", "--write").exit_code == 0
    assert codeowners.read_text() == text
    roster = archive / "people.yaml"
    roster.write_text(
        roster.read_text().replace("github: samlq", "github: samlq\n    senior: true")
    )
    assert run_cli(archive, "codeowners", "--check").exit_code == 1
    assert run_cli(archive, "codeowners", "--write").exit_code == 0
    rewritten = codeowners.read_text()
    assert rewritten.startswith(own) and rewritten.count("# Generated from") == 1
    assert "@priyaraman @samlq" in rewritten


def test_the_codeowners_github_reads_is_the_one_written(archive: Path, run_cli: RunCli) -> None:
    # A .github/CODEOWNERS written beside the repository's CODEOWNERS would hide it from GitHub.
    shutil.rmtree(archive / ".github", ignore_errors=True)
    (archive / "CODEOWNERS").write_text("* @acme/core\n")
    assert run_cli(archive, "codeowners", "--write").exit_code == 0
    assert not (archive / ".github" / "CODEOWNERS").exists()
    text = (archive / "CODEOWNERS").read_text()
    assert text.startswith("* @acme/core\n") and "\n/CODEOWNERS @dana-okafor\n" in text
    check = run_cli(archive, "codeowners", "--check")
    assert check.exit_code == 0 and "CODEOWNERS is up to date" in check.stderr


def test_lines_written_by_hand_after_the_generated_ones_are_kept(
    archive: Path, run_cli: RunCli
) -> None:
    # Appended below the generated lines (where the last match wins), --write dropped them.
    assert run_cli(archive, "codeowners", "--write").exit_code == 0
    codeowners = archive / ".github" / "CODEOWNERS"
    appended = (
        "\n# On call owns the incidents.\n/incidents/ @acme/oncall\n\n"
        "# Legal reviews the tooling too.\n/tooling/ @acme/legal\n"
    )
    codeowners.write_text(codeowners.read_text() + appended)
    assert run_cli(archive, "codeowners", "--check").exit_code == 0
    roster = archive / "people.yaml"
    roster.write_text(
        roster.read_text().replace("github: samlq", "github: samlq\n    senior: true")
    )
    written = run_cli(archive, "codeowners", "--write")
    assert written.exit_code == 0 and "written by hand kept" in written.stderr
    text = codeowners.read_text()
    assert text.endswith(appended) and "@priyaraman @samlq" in text
    assert text.count("/incidents/") == 1 and text.count("# Generated from") == 1
    assert text.count("/tooling/") == 2  # the generated line and the one that overrides it
    assert run_cli(archive, "codeowners", "--write").exit_code == 0
    assert codeowners.read_text() == text


def test_lines_written_by_hand_that_override_the_generated_ones_are_named(
    archive: Path, run_cli: RunCli
) -> None:
    # `--check` said the file was up to date with the roster while GitHub asked @random, not
    # the seniors, for every postmortem.
    assert run_cli(archive, "codeowners", "--write").exit_code == 0
    codeowners = archive / ".github" / "CODEOWNERS"
    text = codeowners.read_text()
    codeowners.write_text(text + "/postmortems/ @random\n/incidents/ @acme/oncall\n*.yaml @yaml\n")
    first = len(text.splitlines()) + 1
    for option in ("--check", "--write"):
        result = run_cli(archive, "codeowners", option)
        assert result.exit_code == 0, result.output
        warnings = [line for line in result.stderr.splitlines() if "warning" in line]
        assert warnings == [
            f"incident: warning: .github/CODEOWNERS:{first}: '/postmortems/ @random' comes after "
            "the generated lines: it overrides the owners they give /postmortems/ for the paths "
            "it matches",
            f"incident: warning: .github/CODEOWNERS:{first + 2}: '*.yaml @yaml' comes after the "
            "generated lines: it overrides the owners they give /people.yaml for the paths it "
            "matches",
        ]


@pytest.mark.parametrize("line", ["*.png @design", "postmortems/*.pdf @legal"])
def test_a_line_written_by_hand_for_the_attachments_is_named_as_overriding(
    archive: Path, run_cli: RunCli, line: str
) -> None:
    # The pictures and reports beside the postmortems are theirs too: GitHub asked @design for
    # a postmortem's diagram, and nothing said so.
    assert run_cli(archive, "codeowners", "--write").exit_code == 0
    codeowners = archive / ".github" / "CODEOWNERS"
    text = codeowners.read_text()
    codeowners.write_text(text + line + "\n")
    result = run_cli(archive, "codeowners", "--check")
    assert result.exit_code == 0, result.output
    assert (
        f"incident: warning: .github/CODEOWNERS:{len(text.splitlines()) + 1}: '{line}' comes "
        "after the generated lines: it overrides the owners they give /postmortems/ for the "
        "paths it matches\n"
    ) in result.stderr


def test_a_second_copy_of_the_generated_lines_fails_check_and_write_drops_it(
    archive: Path, run_cli: RunCli
) -> None:
    # A merge that kept both sides: the copy below overrides the generated lines, and once the
    # roster changed --write updated the first and kept the stale copy, which GitHub then read.
    assert run_cli(archive, "codeowners", "--write").exit_code == 0
    codeowners = archive / ".github" / "CODEOWNERS"
    text = codeowners.read_text()
    hand = "/incidents/ @acme/oncall\n"
    codeowners.write_text(
        text + "\n" + text.replace("# Postmortems", hand + "# Postmortems") + hand
    )
    checked = run_cli(archive, "codeowners", "--check")
    assert checked.exit_code == 1 and "out of date" in checked.stderr
    assert run_cli(archive, "codeowners", "--write").exit_code == 0
    assert codeowners.read_text() == text + "\n" + hand + hand
    assert run_cli(archive, "codeowners", "--check").exit_code == 0


def test_generated_lines_without_an_end_keep_the_lines_no_write_would_write(
    archive: Path, run_cli: RunCli
) -> None:
    # Written before the generated lines had an end line: they ran to the end of the file.
    assert run_cli(archive, "codeowners", "--write").exit_code == 0
    codeowners = archive / ".github" / "CODEOWNERS"
    text = codeowners.read_text()
    older = text[: text.index("\n# End of the generated lines")] + "\n"
    codeowners.write_text(older + "/incidents/ @acme/oncall\n")
    assert run_cli(archive, "codeowners", "--write").exit_code == 0
    assert codeowners.read_text() == text + "\n/incidents/ @acme/oncall\n"


def test_generated_lines_from_before_the_end_line_still_check_and_keep_lines_among_them(
    archive: Path, run_cli: RunCli
) -> None:
    # A release that adds the end line must not fail every repository's --check on upgrade;
    # a line written by hand among the generated ones was dropped by --write.
    assert run_cli(archive, "codeowners", "--write").exit_code == 0
    codeowners = archive / ".github" / "CODEOWNERS"
    text = codeowners.read_text()
    older = text.removesuffix(
        "\n# End of the generated lines: lines written by hand above or below them are kept.\n"
    )
    assert older != text
    codeowners.write_text(older)
    assert run_cli(archive, "codeowners", "--check").exit_code == 0
    codeowners.write_text(text.replace("/tooling/ ", "/scripts/ @acme/ops\n/tooling/ "))
    assert run_cli(archive, "codeowners", "--check").exit_code == 1
    written = run_cli(archive, "codeowners", "--write")
    assert written.exit_code == 0
    assert "'/scripts/ @acme/ops' was among the generated lines: moved below them" in (
        written.stderr
    )
    assert codeowners.read_text() == text + "\n/scripts/ @acme/ops\n"


def test_codeowners_and_teams_outside_an_archive_say_so(tmp_path: Path, run_cli: RunCli) -> None:
    # Run in the wrong folder, they read a roster that is not there: CODEOWNERS for nobody, no
    # teams, and a --check that judges nothing.
    (tmp_path / ".git").mkdir()
    for args in (["codeowners"], ["codeowners", "--check"], ["teams"]):
        result = run_cli(tmp_path, *args)
        assert result.exit_code == 2 and "no incident archive in" in result.stderr, args
        assert result.stdout == ""


def test_teams_and_codeowners_say_what_is_wrong_with_the_roster(
    archive: Path, run_cli: RunCli
) -> None:
    roster = archive / "people.yaml"
    text = roster.read_text(encoding="utf-8")
    assert "members: [jo, priya]" in text
    roster.write_text(text.replace("members: [jo, priya]", "members: [jo, priya, ghosty]"))
    line = roster.read_text(encoding="utf-8").split("\n").index("    members: [jo, priya, ghosty]")
    for args in (["teams"], ["codeowners"]):
        result = run_cli(archive, *args)
        assert result.exit_code == 0, args
        assert (
            f"incident: warning: people.yaml:{line + 1}: team 'payments': member 'ghosty' is "
            "not in people (TM001)"
        ) in result.stderr, args


def test_an_archive_in_a_repository_of_its_own_code_leaves_its_ci_and_tooling_alone(
    tmp_path: Path, run_cli: RunCli
) -> None:
    # A service repository that adopted incident-docs: the generated lines, after its own, gave
    # its tooling/ and every workflow of its CI to the archive's maintainers.
    repo = copy_archive(tmp_path / "service")
    codeowners = repo / ".github" / "CODEOWNERS"
    codeowners.parent.mkdir()
    own = "* @acme/everyone\n/tooling/ @acme/devtools\n/.github/workflows/ @acme/devops\n"
    codeowners.write_text(own)
    assert run_cli(repo, "codeowners", "--write").exit_code == 0
    text = codeowners.read_text()
    generated = text[len(own) :].splitlines()
    assert "/people.yaml @dana-okafor" in generated
    assert "/.github/workflows/review.yml @dana-okafor" in generated
    assert not any(line.startswith(("/tooling/", "/.github/workflows/ ")) for line in generated)
    assert run_cli(repo, "codeowners", "--check").exit_code == 0
    # Written so by an earlier release: those lines were generated, and --write drops them.
    codeowners.write_text(
        text.replace("/pyproject.toml", "/tooling/ @dana-okafor\n/pyproject.toml")
    )
    assert run_cli(repo, "codeowners", "--check").exit_code == 1
    assert run_cli(repo, "codeowners", "--write").exit_code == 0
    assert codeowners.read_text() == text


def test_a_codeowners_no_line_of_the_repository_owns_stays_the_maintainers(
    tmp_path: Path, run_cli: RunCli
) -> None:
    # A copy of this repository that installs incident-docs instead of keeping tooling/, or one
    # whose CODEOWNERS init wrote: no line gave the file itself an owner, so any pull request
    # could append one that takes the postmortems, unreviewed.
    repo = copy_archive(tmp_path / "service")
    codeowners = repo / ".github" / "CODEOWNERS"
    codeowners.parent.mkdir()
    codeowners.write_text("/src/ @acme/devs\n")
    assert run_cli(repo, "codeowners", "--write").exit_code == 0
    assert "/.github/CODEOWNERS @dana-okafor" in codeowners.read_text().splitlines()
    assert run_cli(repo, "codeowners", "--check").exit_code == 0
    # One of the repository's own lines gives it an owner, below the generated ones or above.
    for own in ("/.github/ @acme/security\n", "* @acme/everyone\n"):
        codeowners.write_text(own)
        assert run_cli(repo, "codeowners", "--write").exit_code == 0
        assert "/.github/CODEOWNERS @dana-okafor" not in codeowners.read_text(), own
        codeowners.unlink()
        assert run_cli(repo, "codeowners", "--write").exit_code == 0
        codeowners.write_text(codeowners.read_text() + own)
        assert run_cli(repo, "codeowners", "--check").exit_code == 1, own
        assert run_cli(repo, "codeowners", "--write").exit_code == 0
        assert "/.github/CODEOWNERS @dana-okafor" not in codeowners.read_text(), own
        assert codeowners.read_text().endswith(own)
        assert run_cli(repo, "codeowners", "--check").exit_code == 0, own


def test_brackets_and_backslashes_in_a_path_are_matched_by_a_question_mark(
    archive: Path, run_cli: RunCli
) -> None:
    # GitHub's CODEOWNERS reads no `[ ]` (a line with one is an error, and skipped: the
    # postmortems went without owners), and what a backslash escapes there is not documented.
    pyproject = archive / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"postmortems"', '"pm [old]\\\\x"'))
    (archive / "postmortems").rename(archive / "pm [old]\\x")
    assert run_cli(archive, "codeowners", "--write").exit_code == 0
    lines = (archive / ".github" / "CODEOWNERS").read_text().splitlines()
    assert any(line.startswith("/pm\\ ?old??x/ @dana-okafor ") for line in lines), lines
    assert run_cli(archive, "codeowners", "--check").exit_code == 0


def test_paths_with_spaces_and_wildcards_are_escaped_and_their_overrides_named(
    archive: Path, run_cli: RunCli
) -> None:
    # A `*` in a folder's name matched other folders too, a `#` cut the line short; with a
    # space in it, a line below the generated ones that took the postmortems went unnamed.
    pyproject = archive / "pyproject.toml"
    text = pyproject.read_text().replace('"postmortems"', '"post mortems*"')
    pyproject.write_text(text.replace('"people.yaml"', '"team #1.yaml"'))
    (archive / "postmortems").rename(archive / "post mortems*")
    (archive / "people.yaml").rename(archive / "team #1.yaml")
    assert run_cli(archive, "codeowners", "--write").exit_code == 0
    codeowners = archive / ".github" / "CODEOWNERS"
    lines = codeowners.read_text().splitlines()
    assert any(line.startswith("/post\\ mortems\\*/ @dana-okafor ") for line in lines), lines
    assert "/team\\ ?1.yaml @dana-okafor" in lines
    codeowners.write_text(codeowners.read_text() + "/post\\ mortems\\*/ @random\n")
    result = run_cli(archive, "codeowners", "--check")
    assert result.exit_code == 0, result.output
    assert (
        f"CODEOWNERS:{len(lines) + 1}: '/post\\ mortems\\*/ @random' comes after the generated "
        "lines: it overrides the owners they give /post\\ mortems\\*/"
    ) in result.stderr
