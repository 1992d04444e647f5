"""CI files are valid against their schemas, safe, and wired to the commands they call."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from incident_docs.config import load_config
from incident_docs.records import load_roster
from incident_docs.scaffold import REPOSITORY_SETUP, adopter_setup, github_files
from incident_docs.templates import REVIEW_CHECKLIST
from support.archive import REPO, copy_archive

WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
BIN = Path(sys.executable).parent


def load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    # YAML 1.1 reads the bare key `on` as True.
    on = workflow.get("on", workflow.get(True))
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return dict.fromkeys(on)
    assert isinstance(on, dict)
    return on


def run_tool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / args[0]), *args[1:]], capture_output=True, text=True)


def test_the_three_workflows_exist() -> None:
    assert {path.name for path in WORKFLOWS} >= {"lint.yml", "review.yml", "publish.yml"}


def test_workflows_match_the_github_schema() -> None:
    result = run_tool(
        "check-jsonschema", "--builtin-schema", "vendor.github-workflows", *map(str, WORKFLOWS)
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_broken_workflow_is_caught_by_the_schema(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("on: pull_request\njobs:\n  x:\n    runs-on: ubuntu-latest\n    stepz: []\n")
    result = run_tool(
        "check-jsonschema", "--builtin-schema", "vendor.github-workflows", str(broken)
    )
    assert result.returncode != 0


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.name)
def test_no_workflow_uses_pull_request_target(path: Path) -> None:
    assert "pull_request_target" not in triggers(load(path))
    assert "pull_request_target" not in path.read_text(encoding="utf-8").split("#")[0]


def test_the_review_gate_runs_on_pushes_and_reviews_with_the_least_access_it_needs() -> None:
    workflow = load(REPO / ".github" / "workflows" / "review.yml")
    assert set(triggers(workflow)) == {"pull_request", "pull_request_review", "merge_group"}
    # Write only to ask the missing teams for reviews; the code comes from the base commit.
    assert workflow["permissions"] == {"contents": "read", "pull-requests": "write"}
    job = workflow["jobs"]["review-gate"]
    assert job["name"] == "review-gate"
    checkout = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["uses"].startswith("actions/checkout@")
    assert checkout["with"]["ref"] == "${{ github.event.pull_request.base.sha }}"
    assert any(step.get("run") == "incident review-gate --request-reviews" for step in job["steps"])


def test_lint_annotates_changed_records_and_checks_ids_against_the_base() -> None:
    workflow = load(REPO / ".github" / "workflows" / "lint.yml")
    assert set(triggers(workflow)) == {"pull_request", "merge_group"}
    steps = workflow["jobs"]["lint"]["steps"]
    assert steps[0]["with"]["fetch-depth"] == 0
    scripts = " ".join(step.get("run", "") for step in steps)
    assert "incident lint --format github" in scripts
    assert '--base "origin/${BASE_REF#refs/heads/}"' in scripts
    assert workflow["jobs"]["lint"]["env"]["BASE_REF"] == (
        "${{ github.base_ref || github.event.merge_group.base_ref }}"
    )


@pytest.mark.parametrize("name", ["review.yml", "lint.yml"])
def test_a_merge_queue_gets_the_required_checks_on_its_merge_group(name: str) -> None:
    # A required check that never runs on a merge group stalls a merge queue for good.
    workflow = load(REPO / ".github" / "workflows" / name)
    assert triggers(workflow)["merge_group"] == {"types": ["checks_requested"]}
    # Merge groups have no pull request number: each run must not cancel the others.
    assert "github.ref" in workflow["concurrency"]["group"]


def test_the_review_gate_passes_a_merge_group_without_judging_it_again() -> None:
    # Each pull request passed the gate to join the queue; a merge group has no reviews.
    job = load(REPO / ".github" / "workflows" / "review.yml")["jobs"]["review-gate"]
    in_queue = [s for s in job["steps"] if s.get("if") == "github.event_name == 'merge_group'"]
    assert len(in_queue) == 1 and "run" in in_queue[0]
    others = [s for s in job["steps"] if s not in in_queue]
    assert all(s.get("if") == "github.event_name != 'merge_group'" for s in others)


@pytest.mark.parametrize("folder", ["", "ops/postmortems"], ids=["root", "subfolder"])
def test_the_review_gate_on_a_merge_group_runs_where_something_is_there(
    tmp_path: Path, folder: str
) -> None:
    # Nothing is checked out on a merge group: a step run in the archive's folder (the job's
    # working-directory, for an archive in a subfolder) fails to start, and the required check
    # fails on every merge group.
    archive = copy_archive(tmp_path / "mono" / folder)
    config = load_config(archive)
    text = github_files(config, load_roster(archive, config), adopter_setup("main", folder))[
        ".github/workflows/review.yml"
    ]
    job = yaml.safe_load(text)["jobs"]["review-gate"]
    in_queue = [s for s in job["steps"] if s.get("if") != "github.event_name != 'merge_group'"]
    assert in_queue and not any("actions/checkout@" in s.get("uses", "") for s in in_queue)
    where = job.get("defaults", {}).get("run", {}).get("working-directory")
    for step in in_queue:
        assert step.get("working-directory", where) in (None, "${{ github.workspace }}"), step


def runner_shell(workflow: dict[Any, Any], job: str, step: dict[str, Any]) -> list[str]:
    """The command a Linux runner runs a step's script with: `bash -e` when no shell is named,
    `bash --noprofile --norc -eo pipefail` for `shell: bash`."""
    defaults = workflow.get("defaults", {}).get("run", {})
    shell = step.get(
        "shell",
        workflow["jobs"][job]
        .get("defaults", {})
        .get("run", {})
        .get("shell", defaults.get("shell")),
    )
    assert shell in (None, "bash"), shell
    return ["bash", "-e"] if shell is None else ["bash", "--noprofile", "--norc", "-eo", "pipefail"]


def test_linting_the_changed_records_fails_when_git_cannot_list_them(tmp_path: Path) -> None:
    # Under the default shell, a pipeline is as good as its last command: `git diff` failing
    # (the base branch not fetched) fed xargs nothing, and the step passed having linted nothing.
    workflow = load(REPO / ".github" / "workflows" / "lint.yml")
    step = next(s for s in workflow["jobs"]["lint"]["steps"] if "git diff" in s.get("run", ""))
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    script = tmp_path / "step.sh"
    script.write_text(step["run"], encoding="utf-8")
    done = subprocess.run(
        [*runner_shell(workflow, "lint", step), str(script)],
        cwd=tmp_path,
        env={"PATH": os.environ["PATH"], "BASE_REF": "main"},
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0, done.stderr


@pytest.mark.parametrize("base_ref", ["main", "refs/heads/main"], ids=["pull-request", "queue"])
def test_linting_the_changed_records_of_an_archive_in_a_subfolder_lints_its_files_only(
    tmp_path: Path, base_ref: str
) -> None:
    # `git diff` names files from the repository's root: run in the archive's folder, the
    # step passed `ops/postmortems/postmortems/…` to lint, which reads it from the archive.
    mono, folder = tmp_path / "mono", "ops/postmortems"
    archive = copy_archive(mono / folder)
    (mono / "postmortems").mkdir()  # another folder of the same name, outside the archive
    (mono / "postmortems" / "notes.md").write_text("Not the archive's.\n")

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(mono), *args], check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    git(
        "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "x", "--allow-empty"
    )
    git("add", "-A")
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "archive")
    git("update-ref", "refs/remotes/origin/main", "HEAD")
    changed = sorted((archive / "postmortems").glob("PM-*.md"))[0]
    changed.write_text(changed.read_text() + "\nMore.\n")
    (mono / "postmortems" / "notes.md").write_text("Changed too.\n")
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qam", "change")
    config = load_config(archive)
    text = github_files(config, load_roster(archive, config), adopter_setup("main", folder))[
        ".github/workflows/lint.yml"
    ]
    workflow = yaml.safe_load(text)
    job = workflow["jobs"]["lint"]
    step = next(s for s in job["steps"] if "git diff" in s.get("run", ""))
    script, stub = tmp_path / "step.sh", tmp_path / "bin" / "incident"
    script.write_text(step["run"], encoding="utf-8")
    stub.parent.mkdir()
    stub.write_text('#!/bin/sh\nprintf "%s\\n" "$@" > "$ARGS"\n')
    stub.chmod(0o755)
    done = subprocess.run(
        [*runner_shell(workflow, "lint", step), str(script)],
        cwd=mono / job["defaults"]["run"]["working-directory"],
        env={
            "PATH": f"{stub.parent}:{os.environ['PATH']}",
            "BASE_REF": base_ref,  # a merge group's is the branch's full name
            "ARGS": str(tmp_path / "args"),
        },
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    linted = (tmp_path / "args").read_text().splitlines()
    assert linted == ["lint", "--format", "github", f"postmortems/{changed.name}"]


def lint_the_changes(
    tmp_path: Path, examples: str, before: Mapping[str, bytes], after: Mapping[str, bytes | None]
) -> tuple[str, list[str]]:
    """Run the changed-records step of the lint workflow `init --github` writes for an archive
    with this examples file, on a pull request from `before` to `after` (None: deleted): its
    script and what it ran `incident` with ([] when nothing)."""
    archive = copy_archive(tmp_path / "repo")
    with (archive / "pyproject.toml").open("a") as handle:
        handle.write(f"\n[tool.incident-docs.blameless]\nexamples = {json.dumps(examples)}\n")

    def write(files: Mapping[str, bytes | None]) -> None:
        for name, data in files.items():
            if data is None:
                (archive / name).unlink()
            else:
                (archive / name).parent.mkdir(parents=True, exist_ok=True)
                (archive / name).write_bytes(data)

    def git(*args: str) -> None:
        identity = ("-c", "user.name=t", "-c", "user.email=t@example.com")
        subprocess.run(["git", "-C", str(archive), *identity, *args], check=True)

    write(before)
    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-qm", "archive")
    git("update-ref", "refs/remotes/origin/main", "HEAD")
    write(after)
    git("add", "-A")
    git("commit", "-qm", "change")
    config = load_config(archive)
    text = github_files(config, load_roster(archive, config), adopter_setup("main"))[
        ".github/workflows/lint.yml"
    ]
    workflow = yaml.safe_load(text)
    step = next(s for s in workflow["jobs"]["lint"]["steps"] if "git diff" in s.get("run", ""))
    script, stub = tmp_path / "step.sh", tmp_path / "bin" / "incident"
    script.write_text(step["run"], encoding="utf-8")
    stub.parent.mkdir()
    stub.write_text('#!/bin/sh\nprintf "%s\\n" "$@" >> "$ARGS"\n')
    stub.chmod(0o755)
    done = subprocess.run(
        [*runner_shell(workflow, "lint", step), str(script)],
        cwd=archive,
        env={
            "PATH": f"{stub.parent}:{os.environ['PATH']}",
            "BASE_REF": "main",
            "ARGS": str(tmp_path / "args"),
        },
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and not done.stderr, done.stderr
    called = tmp_path / "args"
    return step["run"], called.read_text().splitlines() if called.exists() else []


def test_a_pull_request_that_changes_the_blameless_examples_or_model_lints_the_archive(
    tmp_path: Path,
) -> None:
    # Either changes what lint finds in every record: a pull request changing only them linted
    # nothing and went green, and publishing failed once it merged.
    _, linted = lint_the_changes(
        tmp_path,
        "house-style.tsv",
        {"house-style.tsv": b"text\tlabel\n"},
        {
            "house-style.tsv": b"text\tlabel\nKen broke it, again.\tblameful\n",
            ".incident-docs/blameless-model.json.gz": b"trained",
        },
    )
    assert linted[:3] == ["lint", "--format", "github"]
    assert sorted(linted[3:]) == [".incident-docs/blameless-model.json.gz", "house-style.tsv"]


def test_a_pull_request_that_removes_the_archive_s_model_lints_the_archive(
    tmp_path: Path,
) -> None:
    # Lint then scores with the shipped model, as the error for a broken model file says to
    # do: such a pull request linted nothing, since a deleted file is no record to lint.
    model = ".incident-docs/blameless-model.json.gz"
    _, linted = lint_the_changes(
        tmp_path, "ex.tsv", {"ex.tsv": b"text\tlabel\n", model: b"trained"}, {model: None}
    )
    assert linted == ["lint", "--format", "github", model]


def test_a_pull_request_that_removes_a_record_does_not_name_it_to_lint(tmp_path: Path) -> None:
    record = sorted(p.name for p in (REPO / "postmortems").glob("PM-*.md"))[0]
    _, linted = lint_the_changes(
        tmp_path, "ex.tsv", {"ex.tsv": b"text\tlabel\n"}, {f"postmortems/{record}": None}
    )
    assert linted == []


@pytest.mark.parametrize(
    "examples",
    [
        "it's ours.tsv",
        "x; rm -rf ~.tsv",
        'our "$HOME" `id`.tsv',
        ":colon.tsv",
        "a${{ github.token }}b.tsv",
    ],
)
def test_the_lint_workflow_watches_an_examples_file_of_any_name(
    tmp_path: Path, examples: str
) -> None:
    # The name is the configuration's: a quote in it ended the quoted pattern of `grep` (a
    # syntax error, or a command of the name's), GitHub would replace `${{ … }}` in it before
    # the shell ran, and git read a leading ':' as pathspec magic.
    script, linted = lint_the_changes(
        tmp_path,
        examples,
        {examples: b"text\tlabel\n"},
        {examples: b"text\tlabel\nKen broke it, again.\tblameful\n"},
    )
    assert "${{" not in script
    assert linted == ["lint", "--format", "github", examples]


def test_publish_builds_strictly_and_deploys_with_the_official_pages_actions() -> None:
    workflow = load(REPO / ".github" / "workflows" / "publish.yml")
    assert triggers(workflow)["push"] == {"branches": ["main"]}
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    uses = [step.get("uses", "").split("@")[0] for step in build["steps"] + deploy["steps"]]
    for action in (
        "actions/configure-pages",
        "actions/upload-pages-artifact",
        "actions/deploy-pages",
    ):
        assert action in uses
    assert any(step.get("run") == "mkdocs build --strict" for step in build["steps"])
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}


def test_the_action_sync_runs_daily_and_proposes_changes_as_a_pull_request() -> None:
    path = REPO / ".github" / "workflows" / "actions-sync.yml"
    workflow = load(path)
    assert set(triggers(workflow)) == {"schedule", "workflow_dispatch"}
    # Least privilege: what it pushes (a branch), creates (issues) and opens (a pull request).
    assert workflow["permissions"] == {
        "contents": "write",
        "issues": "write",
        "pull-requests": "write",
    }
    steps = workflow["jobs"]["sync"]["steps"]
    for step in steps:
        if "uses" in step:
            _action, _, ref = step["uses"].partition("@")
            assert re.fullmatch(r"[0-9a-f]{40}", ref), step["uses"]
    assert re.findall(r"@[0-9a-f]{40} # v\d", path.read_text(encoding="utf-8"))
    scripts = "\n".join(step.get("run", "") for step in steps)
    assert "incident actions sync" in scripts
    pushes = [line.strip() for line in scripts.splitlines() if "git push" in line]
    assert pushes == ['git push origin "HEAD:$BRANCH"']  # never forced, never the default branch
    assert workflow["env"]["BRANCH"] != "main" and "gh pr create" in scripts
    propose = steps[-1]
    assert propose["if"] == "success() || failure()"  # what a stopped run finished is proposed


class SyncBranch:
    """A default branch and the sync's branch in a bare origin, and a runner's clone of it that
    runs the sync workflow's steps around the sync itself, with `gh` stubbed."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.workflow = load(REPO / ".github" / "workflows" / "actions-sync.yml")
        self.env = {
            "PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}",
            "HOME": str(tmp_path),
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.com",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.com",
            "BRANCH": self.workflow["env"]["BRANCH"],
            "BASE": "main",
            "CALLS": str(tmp_path / "gh-calls"),
        }
        self.origin, self.work = tmp_path / "origin.git", tmp_path / "work"
        subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(self.origin)], check=True)
        subprocess.run(["git", "clone", "-q", str(self.origin), str(self.work)], check=True)
        self.commit(
            "items:\n  - title: a\n    status: open\nvisibility: internal\n", "main", on="HEAD"
        )

    def git(self, where: Path, *args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(where), *args],
            check=True,
            capture_output=True,
            text=True,
            env=self.env,
        ).stdout

    def commit(
        self, text: str, branch: str, *, on: str = "origin/main", path: str = "record.md"
    ) -> None:
        """Commit TEXT as the file at PATH on top of ON and push it to BRANCH."""
        self.git(self.work, "fetch", "-q", "origin")
        if on != "HEAD":
            self.git(self.work, "reset", "-q", "--hard", on)
        (self.work / path).write_text(text)
        self.git(self.work, "add", "-A")
        self.git(self.work, "commit", "-qm", f"to {branch}")
        self.git(self.work, "push", "-q", "origin", f"HEAD:{branch}")

    def run(self, *, open_pull_request: bool) -> str:
        """Run the steps before and after the sync; what the second printed."""
        answer = "7" if open_pull_request else ""
        stub = self.tmp_path / "bin" / "gh"
        stub.parent.mkdir(exist_ok=True)
        stub.write_text(
            f'#!/bin/sh\necho "$*" >> "$CALLS"\n[ "$1 $2" = "pr list" ] && echo {answer}\nexit 0\n'
        )
        stub.chmod(0o755)
        runner = self.tmp_path / "runner"
        subprocess.run(["git", "clone", "-q", str(self.origin), str(runner)], check=True)
        job = self.workflow["jobs"]["sync"]
        start = next(s for s in job["steps"] if "git switch" in s.get("run", ""))
        for step in (start, job["steps"][-1]):
            script = self.tmp_path / "step.sh"
            script.write_text(step["run"], encoding="utf-8")
            done = subprocess.run(
                [*runner_shell(self.workflow, "sync", step), str(script)],
                cwd=runner,
                env=self.env,
                capture_output=True,
                text=True,
            )
            assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    @property
    def gh_calls(self) -> str:
        calls = self.tmp_path / "gh-calls"
        return calls.read_text() if calls.exists() else ""


DONE = "items:\n  - title: a\n    status: done\nvisibility: internal\n"


def test_the_action_sync_proposes_nothing_once_its_pull_request_was_squash_merged(
    tmp_path: Path,
) -> None:
    # Squash-merged (or rebased), the sync branch stays behind with commits the default
    # branch does not hold, though their changes are all in it: every run then pushed a merge
    # and opened a pull request that changed nothing.
    repo = SyncBranch(tmp_path)
    repo.commit(DONE, repo.env["BRANCH"])
    repo.commit(DONE, "main")  # the squash merge; the branch stays
    assert "Every action item is in step" in repo.run(open_pull_request=False)
    assert "pr create" not in repo.gh_calls


def test_the_action_sync_runs_on_once_the_default_branch_changed_near_a_merged_sync(
    tmp_path: Path,
) -> None:
    # The kept branch was merged with the default branch again on every run, and an edit next
    # to a line it had changed (an item added after the last one) conflicted: every run then
    # failed, asking to merge a sync pull request that was not open.
    repo = SyncBranch(tmp_path)
    repo.commit(DONE, repo.env["BRANCH"])
    repo.commit(DONE, "main")
    added = DONE.replace("visibility:", "  - title: b\n    status: open\nvisibility:")
    repo.commit(added, "main", on="HEAD")
    assert "Every action item is in step" in repo.run(open_pull_request=False)
    assert "pr create" not in repo.gh_calls


def test_the_action_sync_adds_to_its_open_pull_request(tmp_path: Path) -> None:
    # Open, its branch is built on: the default branch merged in, pushed without force.
    repo = SyncBranch(tmp_path)
    repo.commit(DONE, repo.env["BRANCH"])
    repo.commit("# another record\n", "main", path="other.md")
    before = repo.git(repo.origin, "rev-parse", repo.env["BRANCH"]).strip()
    repo.run(open_pull_request=True)
    after = repo.git(repo.origin, "rev-parse", repo.env["BRANCH"]).strip()
    assert after != before
    assert repo.git(repo.origin, "merge-base", "--is-ancestor", before, after) == ""
    assert repo.git(repo.origin, "show", f"{after}:record.md") == DONE
    assert repo.git(repo.origin, "show", f"{after}:other.md") == "# another record\n"
    assert "pr create" not in repo.gh_calls


def test_the_pre_commit_manifest_is_valid() -> None:
    result = run_tool("pre-commit", "validate-manifest", str(REPO / ".pre-commit-hooks.yaml"))
    assert result.returncode == 0, result.stdout + result.stderr
    hooks = {
        hook["id"]: hook for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    }
    assert hooks["incident-lint"]["entry"] == "incident lint"
    lint = re.compile(hooks["incident-lint"]["files"])
    for path in ("incidents/INC-1.md", "postmortems/PM-1.md", "people.yaml", "pyproject.toml"):
        assert lint.search(path), path  # the roster and configuration lint the whole archive
    # So does the model `blameless train` writes, where it writes it unless configured.
    assert lint.search(".incident-docs/blameless-model.json.gz")
    assert not lint.search("docs/about.md")


def test_the_gitlab_example_matches_the_gitlab_schema_and_reports_code_quality() -> None:
    path = REPO / ".gitlab-ci.yml"
    result = run_tool("check-jsonschema", "--builtin-schema", "vendor.gitlab-ci", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    lint = load(path)["lint"]
    assert "--format gitlab" in " ".join(lint["script"])
    assert lint["artifacts"]["reports"]["codequality"] == "gl-code-quality-report.json"


def test_the_pull_request_template_is_the_review_checklist() -> None:
    template = (REPO / ".github" / "pull_request_template.md").read_text(encoding="utf-8")
    assert REVIEW_CHECKLIST in template


def test_every_action_is_pinned_to_a_commit_with_its_version_beside_it() -> None:
    for path in WORKFLOWS:
        for line in path.read_text(encoding="utf-8").splitlines():
            if "uses:" in line:
                assert re.search(r"uses: [\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d", line), (
                    path.name,
                    line,
                )


def test_dependabot_keeps_the_actions_and_the_python_dependencies_current() -> None:
    path = REPO / ".github" / "dependabot.yml"
    result = run_tool("check-jsonschema", "--builtin-schema", "vendor.dependabot", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    ecosystems = {u["package-ecosystem"] for u in load(path)["updates"]}
    assert ecosystems == {"github-actions", "pip"}


def test_the_repository_github_files_are_what_init_github_writes() -> None:
    """One source: the starter kit, filled in for this repository (which installs itself)."""
    config = load_config(REPO)
    files = github_files(config, load_roster(REPO, config), REPOSITORY_SETUP)
    for name, text in files.items():
        assert (REPO / name).read_text(encoding="utf-8") == text, name


def version_problem(version: str, changelog: str) -> str | None:
    """What is wrong with `version` for the code CHANGELOG.md `changelog` describes: the last
    release only when nothing changed since, else the development version of a later one."""
    released = re.findall(r"^## \[(\d[^\]]*)\]", changelog, re.MULTILINE)
    unreleased = changelog.split("## [Unreleased]", 1)[1].split(f"## [{released[0]}]", 1)[0]
    development = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)\.dev\d+", version)
    later = development is not None and tuple(map(int, development.groups())) > tuple(
        map(int, released[0].split("."))
    )
    if later or (version == released[0] and not unreleased.strip()):
        return None
    if version in released:
        return f"{version} was released without the changes under Unreleased"
    return f"{version} is no development version of a release after {released[0]}"


def test_the_version_is_the_last_release_only_when_nothing_changed_since() -> None:
    # `incident --version` said 0.1.0 over a changelog full of unreleased changes, and
    # `init --github` pinned CI to that release, which lacks them.
    from incident_docs import __version__

    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    assert version_problem(__version__, changelog) is None


_RELEASED = "## [0.2.0]\n\n- Added.\n\n## [0.1.0]\n\n- First.\n"


@pytest.mark.parametrize(
    ("version", "unreleased", "agrees"),
    [
        ("0.2.0", "", True),  # the release itself
        ("0.3.0.dev0", "", True),  # just after it, as CONTRIBUTING says to set it
        ("0.3.0.dev0", "- Changed.\n", True),
        ("0.2.0", "- Changed.\n", False),
        ("0.1.0", "- Changed.\n", False),
        ("0.2.0.dev0", "- Changed.\n", False),  # the development version of a past release
        ("0.3.0", "- Changed.\n", False),  # a release not in the changelog
        ("0.1.0", "", False),
    ],
)
def test_which_versions_agree_with_the_changelog(
    version: str, unreleased: str, agrees: bool
) -> None:
    changelog = f"# Changelog\n\n## [Unreleased]\n\n{unreleased}\n{_RELEASED}"
    assert (version_problem(version, changelog) is None) is agrees
