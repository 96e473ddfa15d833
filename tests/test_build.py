"""The incremental build: what each kind of edit re-runs, as the runner reports it."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from filelock import FileLock

from ltbrief.audit import BUILD_INPUTS
from ltbrief.build import (
    STAGE_MODULES,
    Progress,
    published_outputs,
    render_inputs,
    run_build,
    stage_inputs,
)
from ltbrief.errors import BuildError
from ltbrief.execute import Kernels
from ltbrief.io import sha256_of
from ltbrief.paths import PACKAGE_ROOT, PATHS, ProjectPaths
from ltbrief.sources.mapping import raw_inputs

if TYPE_CHECKING:
    from jupyter_client.manager import KernelManager


class TestDeclaredInputs:
    @pytest.mark.parametrize(
        ("module", "stages"),
        [
            ("clean_responses", {"01-clean-responses", "02-code-responses"}),
            ("redact", {"01-clean-responses", "02-code-responses"}),
            ("coding/qdpx", {"02-code-responses"}),
            ("code_responses", {"02-code-responses"}),
            ("codebook", set(STAGE_MODULES)),
            ("sources/mapping", set(STAGE_MODULES)),
            ("sources/qualtrics", {"01-clean-responses"}),
            ("config", set(STAGE_MODULES)),
            ("summarise", {"03-summarise"}),
            ("validate", set(STAGE_MODULES)),
            ("io", set(STAGE_MODULES)),
        ],
    )
    def test_a_module_is_an_input_of_exactly_the_stages_that_use_it(
        self, module: str, stages: set[str]
    ) -> None:
        source = PACKAGE_ROOT / f"{module}.py"
        using = {stem for stem in STAGE_MODULES if source in stage_inputs(stem, PATHS)}
        assert using == stages

    def test_each_stage_depends_on_its_notebook_and_suites(self) -> None:
        inputs = stage_inputs("02-code-responses", PATHS)
        assert PATHS.notebook("02-code-responses") in inputs
        assert PATHS.suite("code_responses") in inputs
        assert PATHS.suite("clean_responses") not in inputs

    def test_declared_inputs_exist(self) -> None:
        for stem in STAGE_MODULES:
            code = [path for path in stage_inputs(stem, PATHS) if path.suffix in {".py", ".json"}]
            assert all(path.is_file() for path in code), stem

    def test_rendering_depends_on_prose_and_render_code_not_notebooks(self) -> None:
        inputs = render_inputs(PATHS, ["tbl-challenges"])
        assert PATHS.report in inputs and PATHS.variables in inputs
        assert PACKAGE_ROOT / "render" / "engine.py" in inputs
        assert not any(path.suffix == ".ipynb" for path in inputs)


def build(paths: ProjectPaths) -> Progress:
    return run_build(paths, formats=("html",), out=io.StringIO())


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProjectPaths]:
    paths = ProjectPaths.at(tmp_path_factory.mktemp("incremental"))
    for name in BUILD_INPUTS:
        origin, copy = PATHS.root / name, paths.root / name
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(origin, copy) if origin.is_dir() else shutil.copy(origin, copy)
    started: list[bool] = []
    start = Kernels._start

    def record_start(kernels: Kernels, warm: bool) -> KernelManager:
        started.append(warm)
        return start(kernels, warm)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Kernels, "_start", record_start)
        first = build(paths)
    assert first.ran == [
        "raw-checksums", "01-clean-responses", "02-code-responses", "03-summarise", "about",
        "publish-pages", "render-html",
    ]  # fmt: skip
    # Every notebook found its kernel started ahead, with the libraries already imported.
    assert started == [True, True, True]
    yield paths


@pytest.mark.slow
class TestIncrementalBuild:
    def test_a_second_build_runs_nothing(self, project: ProjectPaths) -> None:
        progress = build(project)
        assert progress.ran == []
        assert len(progress.up_to_date) == 7

    def test_a_prose_edit_only_re_renders(self, project: ProjectPaths) -> None:
        with project.report.open("a") as report:
            report.write("\nA sentence an editor added.\n")
        assert build(project).ran == ["render-html"]
        assert "A sentence an editor added." in (project.output / "report.html").read_text()

    def test_a_codebook_edit_re_runs_the_stages_that_read_it(self, project: ProjectPaths) -> None:
        text = project.codebook.read_text()
        project.codebook.write_text(
            text.replace("Difficulties with community", "Problems with community", 1)
        )
        progress = build(project)
        # Stage 01 reads the questions' columns from it. The tables show no descriptions;
        # the brief changes only because its appendix lists the codebook's checksum.
        assert progress.ran == [
            "01-clean-responses", "02-code-responses", "03-summarise", "about", "render-html",
        ]  # fmt: skip
        assert "publish-pages" in progress.up_to_date

    def test_a_raw_edit_re_runs_downstream_stages_whose_inputs_changed(
        self, project: ProjectPaths
    ) -> None:
        path = raw_inputs(project).areas
        areas = path.read_text().splitlines()
        areas[1] = areas[1] + ("|" if not areas[1].endswith(",") else "") + "Extra Spelling"
        path.write_text("\n".join(areas) + "\n")
        manifest = project.raw_checksums.read_text().replace(
            sha256_of(raw_inputs(PATHS).areas), sha256_of(path)
        )
        project.raw_checksums.write_text(manifest)
        progress = build(project)
        assert progress.ran == [
            "raw-checksums", "01-clean-responses", "03-summarise", "about", "render-html",
        ]  # fmt: skip

    def test_a_hand_edited_variables_file_stops_the_build(self, project: ProjectPaths) -> None:
        good = sha256_of(project.output / "report.html")
        text = project.variables.read_text()
        project.variables.write_text(text.replace("responses: 1,018", "responses: 2,000", 1))
        with pytest.raises(BuildError, match=r"_variables\.yml does not match") as caught:
            build(project)
        assert "changed by hand" in caught.value.message
        assert sha256_of(project.output / "report.html") == good
        project.variables.unlink()
        # A failed build changes nothing, so the regenerated file matches the last render.
        assert build(project).ran == ["03-summarise"]

    def test_a_second_build_waits_for_the_first_and_finds_everything_up_to_date(
        self, project: ProjectPaths
    ) -> None:
        report = project.report.read_text(encoding="utf-8")
        project.report.write_text(report + "\nOne more sentence.\n", encoding="utf-8")
        command = [sys.executable, "-m", "ltbrief", "--project", str(project.root), "build"]
        lock = FileLock(project.build_lock)
        with lock:
            # Both start while the lock is held, so both must wait, whatever the timing.
            builds = [
                subprocess.Popen([*command, "--to", "html"], stdout=subprocess.PIPE, text=True)
                for _ in range(2)
            ]
            waiting = [build.stdout.readline() for build in builds]  # type: ignore[union-attr]
        outputs = [build.communicate(timeout=600)[0] for build in builds]
        assert [build.returncode for build in builds] == [0, 0]
        assert all("another build is running" in line and "waiting" in line for line in waiting)
        ran = [output for output in outputs if re.search(r"^render-html +ran", output, re.M)]
        assert len(ran) == 1
        (second,) = [output for output in outputs if output not in ran]
        states = re.findall(r"^(\S+) +(ran|up to date|failed)", second, re.M)
        assert {stage for stage, _ in states} == {
            "raw-checksums", "01-clean-responses", "02-code-responses", "03-summarise", "about",
            "publish-pages", "render-html",
        }  # fmt: skip
        assert {state for _, state in states} == {"up to date"}

    def test_raw_data_is_untouched(self, project: ProjectPaths) -> None:
        assert sha256_of(raw_inputs(project).coding[0]) == sha256_of(raw_inputs(PATHS).coding[0])


def test_outputs_of_a_failed_stage_stay(tmp_path: Path) -> None:
    paths = ProjectPaths.at(tmp_path)
    paths.raw.mkdir(parents=True)
    for name in ("survey_export.csv", "coded_references.csv", "areas.csv"):
        (paths.raw / name).write_text("x\n")
    (paths.raw / "SHA256SUMS").write_text("0" * 64 + "  survey_export.csv\n")
    shutil.copy(PATHS.codebook, paths.codebook)
    shutil.copy(PATHS.sources, paths.sources)
    with pytest.raises(BuildError, match=r"survey_export\.csv does not match"):
        run_build(paths, formats=(), out=io.StringIO())


@pytest.mark.slow
def test_a_failed_build_leaves_every_output_and_the_runner_as_they_were(
    project: ProjectPaths,
) -> None:
    before = {path: sha256_of(path) for path in published_outputs(project)}
    database = (project.root / ".doit.db").read_bytes()
    path = raw_inputs(project).coding[0]
    path.write_text(path.read_text().replace(",CH-ENG-INV,", ",CH-NOT-A-CODE,", 1))
    project.raw_checksums.write_text(
        project.raw_checksums.read_text().replace(
            sha256_of(raw_inputs(PATHS).coding[0]), sha256_of(path)
        )
    )
    with pytest.raises(BuildError, match="CH-NOT-A-CODE"):
        build(project)
    assert {path: sha256_of(path) for path in published_outputs(project)} == before
    assert (project.root / ".doit.db").read_bytes() == database
    assert not list(project.root.glob(".build-backup-*"))
