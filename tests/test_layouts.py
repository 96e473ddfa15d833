"""The brief's data from every survey tool's export: the same numbers, byte for byte.

The generator writes the synthetic survey as each tool would export it, with the
mapping that reads it; the data stages then give the committed build's ``_variables.yml``,
tables and figure exactly.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from ltbrief import synth
from ltbrief.build import run_build
from ltbrief.io import sha256_of
from ltbrief.paths import PATHS, ProjectPaths
from ltbrief.synth.exports import EXPORTERS

pytestmark = pytest.mark.slow
TOOL_LAYOUTS = sorted(set(EXPORTERS) - {"csv"})
TABLES = ("challenges", "support", "development", "legacy")


def data_outputs(paths: ProjectPaths) -> dict[str, str]:
    """The SHA-256 of ``_variables.yml`` and of every table and figure file."""
    files = [paths.variables, *paths.tables.rglob("*"), *paths.figures.rglob("*")]
    return {
        path.relative_to(paths.root).as_posix(): sha256_of(path) for path in files if path.is_file()
    }


def build_data(root: Path, layout: str) -> ProjectPaths:
    """A project with the synthetic survey in ``layout``, its data stages built."""
    paths = ProjectPaths.at(root)
    synth.write(synth.generate(), paths, layout)
    shutil.copy(PATHS.codebook, paths.codebook)
    run_build(paths, formats=(), out=io.StringIO())
    return paths


@pytest.fixture(scope="module")
def committed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The data outputs of the committed project (this project's own CSV layout)."""
    root = tmp_path_factory.mktemp("committed")
    shutil.copytree(PATHS.raw, root / "data" / "raw")
    for path in (PATHS.sources, PATHS.codebook):
        shutil.copy(path, root / "data" / path.name)
    paths = ProjectPaths.at(root)
    run_build(paths, formats=(), out=io.StringIO())
    return data_outputs(paths)


@pytest.mark.parametrize("layout", TOOL_LAYOUTS)
def test_every_layout_gives_the_committed_variables_tables_and_figure(
    layout: str, committed: dict[str, str], tmp_path: Path
) -> None:
    paths = build_data(tmp_path, layout)
    assert data_outputs(paths) == committed
    published = ["_variables.yml", "data/processed/figures/references-by-theme.svg"]
    published += [f"data/processed/tables/tbl-{table}.md" for table in TABLES]
    assert set(published) <= set(committed)
