"""Parameter injection and stage parameters for the notebook runner."""

from __future__ import annotations

import nbformat
import pytest

from ltbrief.errors import BuildError
from ltbrief.execute import (
    STAGES,
    execute_notebook,
    inject_parameters,
    reader_notes,
    stage_parameters,
)
from ltbrief.paths import PATHS


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
    def test_the_project_is_the_working_folder_whatever_its_path(self) -> None:
        assert stage_parameters() == {"project_dir": "."}
        assert stage_parameters(scale=10) == {"project_dir": ".", "scale": 10}

    def test_every_stage_notebook_declares_the_parameters(self) -> None:
        for stem in STAGES:
            book = nbformat.read(PATHS.notebook(stem), as_version=4)
            cell = next(c for c in book.cells if "parameters" in c.metadata.get("tags", []))
            declared = {
                line.split("=")[0].strip()
                for line in cell.source.splitlines()
                if "=" in line and not line.startswith("#")
            }
            assert set(stage_parameters(scale=2)) <= declared


class TestReaderNotes:
    def test_the_printed_lines_of_the_tagged_cells_only(self) -> None:
        book = notebook_with(["reader-notes"], [], ["reader-notes"])
        book.cells[0].outputs = [
            nbformat.v4.new_output("stream", name="stdout", text="a.csv: removed a mark\nread\n"),
            nbformat.v4.new_output("stream", name="stderr", text="a warning\n"),
            nbformat.v4.new_output("execute_result", data={"text/plain": "a table"}),
        ]
        book.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="other\n")]
        book.cells[2].outputs = [nbformat.v4.new_output("stream", name="stdout", text="b.csv\n")]
        assert reader_notes(book) == ["a.csv: removed a mark", "read", "b.csv"]

    @pytest.mark.parametrize("stem", ["01-clean-responses", "02-code-responses"])
    def test_the_stages_that_read_raw_files_tag_one_cell(self, stem: str) -> None:
        book = nbformat.read(PATHS.notebook(stem), as_version=4)
        tagged = [cell for cell in book.cells if "reader-notes" in cell.metadata.get("tags", [])]
        assert len(tagged) == 1
        assert "notes" in tagged[0].source


def test_a_cell_s_prints_are_one_output_however_the_kernel_flushed_them(tmp_path) -> None:
    book = nbformat.v4.new_notebook()
    book.cells.append(
        nbformat.v4.new_code_cell(
            "import sys, time\nprint('first')\nsys.stdout.flush()\ntime.sleep(0.5)\nprint('second')"
        )
    )
    source = tmp_path / "flushes.ipynb"
    nbformat.write(book, source)
    executed = execute_notebook(source, executed_copy=tmp_path / "executed.ipynb")
    outputs = executed.cells[0].outputs
    assert [(output.output_type, output.text) for output in outputs] == [
        ("stream", "first\nsecond\n")
    ]
    assert nbformat.read(tmp_path / "executed.ipynb", as_version=4).cells[0].outputs == outputs
