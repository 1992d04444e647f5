"""What people install: the sdist holds the repository, the wheel built from it the package."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from support.archive import REPO

# Two builds of the whole repository: about fifteen seconds.
pytestmark = pytest.mark.slow

# Made by a build or a run, never part of the source.
_NOT_SOURCE = {".git", ".venv", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"}
_NOT_SOURCE |= {".hypothesis", "site", "build", "dist", "PKG-INFO", "setup.cfg"}


def source_files() -> list[str]:
    """The repository's files: what git tracks, or (in an unpacked sdist) what is there."""
    listed = subprocess.run(["git", "-C", str(REPO), "ls-files", "-z"], capture_output=True)
    if listed.returncode == 0 and (REPO / ".git").exists():
        names = listed.stdout.decode().split("\0")
        return sorted(name for name in names if name and (REPO / name).is_file())
    return sorted(
        path.relative_to(REPO).as_posix()
        for path in REPO.rglob("*")
        if path.is_file()
        and not _NOT_SOURCE & set(path.relative_to(REPO).parts)
        and not any(part.endswith(".egg-info") for part in path.relative_to(REPO).parts)
    )


def build(source: Path, hook: str, out: Path) -> Path:
    """Run the build backend's `hook` (build_sdist, build_wheel) in `source`, as pip does."""
    script = f"import setuptools.build_meta as backend; print(backend.{hook}({str(out)!r}))"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=source, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return out / result.stdout.strip().splitlines()[-1]


# What a working checkout holds beside its files, which no sdist may carry: secrets, caches,
# a virtualenv, a built site, an editor's backup, a command's temporary file.
_LEFT_AROUND = (
    ".env",
    ".github/.env",
    ".github/workflows/.lint.yml.tmp",
    ".ci/.env",
    ".ci/run~",
    ".venv/bin/python",
    "site/index.html",
    "scripts/__pycache__/test.cpython-311.pyc",
    "scripts/.test.tmp",
    "tests/__pycache__/conftest.cpython-311.pyc",
    "tooling/incident_docs/__pycache__/cli.cpython-311.pyc",
    "docs/.about.md.tmp",
    ".incident-docs-lock",
)


@pytest.fixture(scope="module")
def sdist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # pyproject.toml's build-system asks for setuptools 77 (the SPDX `license`).
    pytest.importorskip("setuptools", minversion="77")
    source = tmp_path_factory.mktemp("source")
    for name in source_files():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, source / name)
    for name in _LEFT_AROUND:
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_text("TOKEN=not-for-the-sdist\n")
    return build(source, "build_sdist", tmp_path_factory.mktemp("sdist"))


@pytest.fixture(scope="module")
def wheel(sdist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    unpacked = tmp_path_factory.mktemp("unpacked")
    with tarfile.open(sdist) as archive:
        archive.extractall(unpacked, filter="data")
    (top,) = unpacked.iterdir()
    return build(top, "build_wheel", tmp_path_factory.mktemp("wheel"))


def test_the_sdist_holds_every_file_of_the_repository(sdist: Path) -> None:
    with tarfile.open(sdist) as archive:
        held = {name.partition("/")[2] for name in archive.getnames()}
    missing = [name for name in source_files() if name not in held]
    assert not missing, f"not in {sdist.name}: {missing}"


def test_the_sdist_holds_nothing_else(sdist: Path) -> None:
    # .github/ and .ci/ went in whole: a .env or a cache left there was published with them.
    with tarfile.open(sdist) as archive:
        held = {
            name.partition("/")[2]
            for name in archive.getnames()
            if archive.getmember(name).isfile()
        }
    built = {"PKG-INFO", "setup.cfg"}  # the sdist's metadata, and its egg-info
    extra = sorted(
        name
        for name in held - set(source_files()) - built
        if not name.startswith("tooling/incident_docs.egg-info/")
    )
    assert extra == [], f"in {sdist.name} but no file of the repository: {extra}"


def test_the_wheel_built_from_the_sdist_holds_every_file_of_the_package(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        held = set(archive.namelist())
    package = [
        name.removeprefix("tooling/")
        for name in source_files()
        if name.startswith("tooling/incident_docs/")
    ]
    assert "incident_docs/blameless/data/blameless-model.json.gz" in package
    assert [name for name in package if name not in held] == []
    # Nothing but the package and its metadata: no tests, no training data.
    assert {name.partition("/")[0] for name in held} == {
        "incident_docs",
        wheel.name.split("-py3")[0] + ".dist-info",
    }
