"""The brief's data from every tool's export: the same numbers, byte for byte.

The generator writes the synthetic survey as each survey tool would export it, and the
synthetic coding as each qualitative-analysis tool would, with the mapping that reads them;
the data stages then give the committed build's ``_variables.yml``, tables and figure
exactly, and every coding format the same agreement figures.
"""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from ltbrief import synth
from ltbrief.build import executed_notebook, run_build
from ltbrief.execute import reader_notes
from ltbrief.io import sha256_of
from ltbrief.paths import PATHS, ProjectPaths
from ltbrief.sources.mapping import raw_inputs
from ltbrief.synth.coding import WRITERS
from ltbrief.synth.exports import EXPORTERS

pytestmark = pytest.mark.slow
TABLES = ("challenges", "support", "development", "legacy")
EXPORTS = [
    *(pytest.param(layout, "csv", id=f"survey as {layout}") for layout in sorted(EXPORTERS)),
    *(
        pytest.param("csv", coding, id=f"coding as {coding}")
        for coding in sorted(WRITERS)
        if coding != "csv"
    ),
]


def data_outputs(paths: ProjectPaths) -> dict[str, str]:
    """The SHA-256 of ``_variables.yml``, every table and figure file, and the agreement."""
    files = [paths.variables, paths.agreement, *paths.tables.rglob("*"), *paths.figures.rglob("*")]
    return {
        path.relative_to(paths.root).as_posix(): sha256_of(path) for path in files if path.is_file()
    }


@pytest.fixture(scope="module")
def committed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The data outputs of the committed project (this project's own CSV files)."""
    root = tmp_path_factory.mktemp("committed")
    shutil.copytree(PATHS.raw, root / "data" / "raw")
    for path in (PATHS.sources, PATHS.codebook):
        shutil.copy(path, root / "data" / path.name)
    paths = ProjectPaths.at(root)
    run_build(paths, formats=(), out=io.StringIO())
    return data_outputs(paths)


@pytest.mark.parametrize(("layout", "coding"), EXPORTS)
def test_every_export_gives_the_committed_variables_tables_figure_and_agreement(
    layout: str, coding: str, committed: dict[str, str], tmp_path: Path
) -> None:
    paths = ProjectPaths.at(tmp_path)
    synth.write(synth.generate(), paths, layout, coding)
    shutil.copy(PATHS.codebook, paths.codebook)
    out = io.StringIO()
    run_build(paths, formats=(), out=out)
    assert data_outputs(paths) == committed
    # The command line repeats, under each stage, the notes its notebook printed.
    printed = out.getvalue()
    for stem in ("01-clean-responses", "02-code-responses"):
        executed = nbformat.read(executed_notebook(stem, paths), as_version=4)
        notes = reader_notes(executed)
        assert notes
        block = "".join(f"  {note}\n" for note in notes)
        assert re.search(rf"^{stem} +ran \([0-9.]+ s\)\n{re.escape(block)}", printed, re.M)
    survey = raw_inputs(paths).survey.name
    assert re.search(rf"^  {re.escape(survey)}: read as an? {layout} export ", printed, re.M)
    if layout == "surveymonkey":
        assert f"  {survey}: removed a UTF-8 byte-order mark\n" in printed
    published = ["_variables.yml", "data/processed/figures/references-by-theme.svg"]
    published += [f"data/processed/tables/tbl-{table}.md" for table in TABLES]
    published += ["data/processed/agreement.json"]
    assert set(published) <= set(committed)
