"""The Quarto engine's side: the command, folder and environment it gives Quarto.

The Quarto CLI cannot run here, so a stand-in ``quarto`` on PATH records what it is given
and does what Quarto does before rendering: runs the project's pre-render command, split on
spaces and found on PATH, in the project folder (quarto-cli src/command/render/project.ts).
"""

from __future__ import annotations

import io
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from ltbrief.audit import BUILD_INPUTS
from ltbrief.build import run_build
from ltbrief.errors import BuildError
from ltbrief.paths import PATHS, ProjectPaths
from ltbrief.render import render
from ltbrief.render.quarto import (
    DATA_BUILT,
    check_version,
    quarto_command,
    quarto_environment,
)
from tests.fixtures.render.fixture import make_project

FAKE_QUARTO = """#!/bin/sh
if [ "$1" = "--version" ]; then echo "{version}"; exit 0; fi
{{ echo "args: $*"; echo "cwd: $(pwd)"; echo "QUARTO_PYTHON: $QUARTO_PYTHON";
   echo "{data_built}: ${data_built}"; echo "python: $(command -v python)"; }} >> "{log}"
{pre_render}
mkdir -p _output && for ext in html pdf docx; do echo "$ext" > "_output/report.$ext"; done
"""


def fake_quarto(
    folder: Path, monkeypatch: pytest.MonkeyPatch, version: str = "1.9.38", pre_render: str = ""
) -> Path:
    """Put a stand-in ``quarto`` first on PATH; return the file it logs its calls to."""
    tools = folder / "bin"
    tools.mkdir(parents=True)
    log = folder / "quarto.log"
    fake = tools / "quarto"
    fake.write_text(
        FAKE_QUARTO.format(version=version, log=log, pre_render=pre_render, data_built=DATA_BUILT),
        encoding="utf-8",
    )
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{tools}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.delenv(DATA_BUILT, raising=False)
    return log


def logged(log: Path) -> list[dict[str, str]]:
    """Each call the stand-in logged, as a mapping of what it saw."""
    calls: list[dict[str, str]] = []
    for line in log.read_text(encoding="utf-8").splitlines():
        key, _, value = line.partition(": ")
        if key == "args":
            calls.append({})
        calls[-1][key] = value
    return calls


class TestCommand:
    def test_every_format_in_one_render(self, tmp_path: Path) -> None:
        paths = ProjectPaths.at(tmp_path)
        assert quarto_command("/opt/quarto", paths, ("html", "pdf", "docx")) == [
            "/opt/quarto", "render", "report.qmd", "--to", "html,typst,docx",
        ]  # fmt: skip

    def test_this_interpreter_first_on_path_and_as_quarto_python(self, tmp_path: Path) -> None:
        paths = ProjectPaths.at(tmp_path)
        environment = quarto_environment(paths, data_built=True, base={"PATH": "/usr/bin"})
        assert environment["PATH"] == f"{Path(sys.executable).parent}{os.pathsep}/usr/bin"
        assert environment["QUARTO_PYTHON"] == sys.executable
        assert environment[DATA_BUILT] == str(paths.root)
        rendering = quarto_environment(paths, False, base={DATA_BUILT: "x", "PATH": "/bin"})
        assert DATA_BUILT not in rendering

    @pytest.mark.parametrize("version", [(1, 6, 40), (1, 8, 25), (1, 9, 17)])
    def test_a_quarto_before_pdf_standard_is_refused(self, version: tuple[int, int, int]) -> None:
        with pytest.raises(BuildError, match=r"too old: it ignores pdf-standard") as caught:
            check_version(version)
        assert "1.9.18 or later" in (caught.value.expected or "")

    @pytest.mark.parametrize("version", [(1, 9, 18), (1, 11, 0), (99, 9, 9)])
    def test_quarto_from_1_9_18_and_development_builds_are_accepted(
        self, version: tuple[int, int, int]
    ) -> None:
        check_version(version)


def test_render_runs_quarto_once_in_the_project_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = make_project(tmp_path / "project")
    log = fake_quarto(tmp_path, monkeypatch)
    written = render(paths, formats=("html", "pdf", "docx"), engine="quarto")
    assert written == [paths.output / f"report.{ext}" for ext in ("html", "pdf", "docx")]
    (call,) = logged(log)
    assert call["args"] == "render report.qmd --to html,typst,docx"
    assert Path(call["cwd"]) == paths.root
    assert call["QUARTO_PYTHON"] == sys.executable
    assert call["python"] == str(Path(sys.executable).parent / "python")
    assert call[DATA_BUILT] == ""  # a render alone: the pre-render step builds the data


def test_an_old_quarto_is_refused_before_it_renders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = make_project(tmp_path / "project")
    log = fake_quarto(tmp_path, monkeypatch, version="1.8.25")
    with pytest.raises(BuildError, match=r"Quarto 1\.8\.25 is too old"):
        render(paths, formats=("pdf",), engine="quarto")
    assert not log.exists()


@pytest.fixture(scope="module")
def built_copy(tmp_path_factory: pytest.TempPathFactory) -> ProjectPaths:
    """A copy of the project in another folder, its data stages built once."""
    root = tmp_path_factory.mktemp("elsewhere") / "copy"
    for name in BUILD_INPUTS:
        origin, copy = PATHS.root / name, root / name
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(origin, copy) if origin.is_dir() else shutil.copy(origin, copy)
    paths = ProjectPaths.at(root)
    run_build(paths, formats=(), out=io.StringIO())
    return paths


@pytest.mark.slow
def test_the_pre_render_step_builds_the_folder_quarto_renders(built_copy: ProjectPaths) -> None:
    # Quarto runs "python -m ltbrief data" in the project folder with QUARTO_PROJECT_DIR set.
    (built_copy.root / "report.qmd").write_text(
        built_copy.report.read_text(encoding="utf-8"), encoding="utf-8"
    )
    built_copy.variables.unlink()
    environment = quarto_environment(built_copy, data_built=False)
    environment["QUARTO_PROJECT_DIR"] = str(built_copy.root)
    completed = subprocess.run(
        ["python", "-m", "ltbrief", "data"],
        cwd=built_copy.root,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert "03-summarise" in completed.stdout
    assert built_copy.variables.is_file()


@pytest.mark.slow
def test_a_build_with_quarto_renders_once_and_its_pre_render_step_stands_aside(
    built_copy: ProjectPaths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = fake_quarto(tmp_path, monkeypatch, pre_render="python -m ltbrief data || exit 1")
    progress = run_build(built_copy, formats=("html", "pdf"), engine="quarto", out=io.StringIO())
    (call,) = logged(log)
    assert call["args"] == "render report.qmd --to html,typst"
    assert Path(call[DATA_BUILT]) == built_copy.root
    assert "render-quarto" in progress.ran
    assert not any(name.startswith("render-html") for name in progress.ran)
