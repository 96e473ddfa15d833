"""Parameter injection and stage parameters for the notebook runner."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from ltbrief.errors import BuildError
from ltbrief.execute import STAGES, inject_parameters, stage_parameters
from ltbrief.paths import PATHS, ProjectPaths


def notebook_with(*tags: list[str]) -> nbformat.NotebookNode:
    book = nbformat.v4.new_notebook()
    for index, cell_tags in enumerate(tags):
        cell = nbformat.v4.new_code_cell(f"x{index} = {index}")
        cell.metadata["tags"] = cell_tags
        book.cells.append(cell)
    return book


class TestInjectParameters:
    def test_inserts_a_cell_after_the_parameters_cell(self) -> None:
        book = notebook_with([], ["parameters"], [])
        injected = inject_parameters(book, {"raw_dir": "/tmp/raw", "scale": 10})
        assert [c.source.splitlines()[-1] for c in injected.cells] == [
            "x0 = 0", "x1 = 1", "scale = 10", "x2 = 2",
        ]  # fmt: skip
        assert "raw_dir = '/tmp/raw'" in injected.cells[2].source
        assert len(book.cells) == 3

    def test_no_parameters_leaves_the_notebook_as_is(self) -> None:
        book = notebook_with(["parameters"])
        assert inject_parameters(book, {}) == book

    def test_a_notebook_without_a_parameters_cell_is_refused(self) -> None:
        with pytest.raises(BuildError, match="no cell tagged 'parameters'"):
            inject_parameters(notebook_with([]), {"scale": 2})


class TestStageParameters:
    def test_the_project_itself_needs_none(self) -> None:
        assert all(stage_parameters(stem, PATHS) == {} for stem in STAGES)

    def test_another_tree_passes_its_folders(self, tmp_path: Path) -> None:
        parameters = stage_parameters("03-summarise", ProjectPaths.at(tmp_path), scale=10)
        assert parameters["variables_path"] == str(tmp_path.resolve() / "_variables.yml")
        assert parameters["scale"] == 10
        assert "variables_path" not in stage_parameters(
            "01-clean-responses", ProjectPaths.at(tmp_path)
        )

    def test_every_stage_notebook_declares_its_parameters(self) -> None:
        for stem in STAGES:
            book = nbformat.read(PATHS.notebook(stem), as_version=4)
            cell = next(c for c in book.cells if "parameters" in c.metadata.get("tags", []))
            declared = {
                line.split("=")[0].strip() for line in cell.source.splitlines() if "=" in line
            }
            assert set(stage_parameters(stem, ProjectPaths.at("/elsewhere"), 2)) <= declared
