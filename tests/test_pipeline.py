"""The three notebooks end to end: fidelity to the published brief, and failure behaviour."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from ltbrief import synth
from ltbrief.build import run_build
from ltbrief.errors import BuildError
from ltbrief.execute import STAGES
from ltbrief.io import sha256_of
from ltbrief.paths import PATHS, ProjectPaths
from ltbrief.sources.mapping import raw_inputs
from tests.published import PUBLISHED

pytestmark = pytest.mark.slow


def project_copy(root: Path) -> ProjectPaths:
    """A project tree holding a copy of the committed raw data and codebook."""
    paths = ProjectPaths.at(root)
    shutil.copytree(PATHS.raw, paths.raw)
    shutil.copy(PATHS.codebook, paths.codebook)
    shutil.copy(PATHS.sources, paths.sources)
    return paths


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> ProjectPaths:
    paths = project_copy(tmp_path_factory.mktemp("committed"))
    run_build(paths, formats=(), out=io.StringIO())
    return paths


class TestFidelity:
    def test_every_published_figure_is_reproduced(self, built: ProjectPaths) -> None:
        figures = pd.read_csv(built.tables / "figures.csv").set_index("key")["value"]
        assert {key: int(figures[key]) for key in PUBLISHED} == PUBLISHED

    def test_variables_hold_the_display_strings(self, built: ProjectPaths) -> None:
        variables = yaml.safe_load(built.variables.read_text())
        assert variables["responses"] == "1,018"
        assert variables["partnerships"] == "148"
        assert variables["challenge"]["engagement"]["total"] == "273"
        assert variables["survey"] == {"start_month": "June", "end_month": "August", "year": "2020"}

    def test_table_1_1_is_laid_out_as_published(self, built: ProjectPaths) -> None:
        rows = (built.tables / "tbl-challenges.md").read_text().splitlines()[2:9]
        assert rows == [
            # "1.\\ " is a no-break space: a cell starting "1. " would be a list in Typst.
            "| 1.\\ Engagement (273) "
            "| Getting people engaged and involved in the partnership | 167 |",
            "|  | Raising awareness | 38 |",
            "|  | Getting specific groups and people engaged and involved | 31 |",
            "| 2.\\ Delivering the Big Local plan and projects (186) "
            "| Maintaining momentum and progress | 33 |",
            "|  | Delivering complex projects and activities | 23 |",
            "| 3.\\ Relationships and networks (87) | Relationships with local authorities | 35 |",
            "|  | Dealing with conflict | 32 |",
        ]

    def test_table_1_2_keeps_the_published_order_and_the_notebook_flags_it(
        self, built: ProjectPaths
    ) -> None:
        text = (built.tables / "tbl-support.md").read_text()
        assert text.index("1.\\ Engagement (184)") < text.index(
            "2.\\ Partnership skills and development (197)"
        )
        discrepancies = pd.read_csv(built.tables / "discrepancies.csv")
        order = discrepancies.loc[discrepancies["check"].str.contains("descending")]
        assert list(order["table"]) == ["tbl-support"]

    def test_tables_1_3_and_1_4_list_specific_needs(self, built: ProjectPaths) -> None:
        development = (built.tables / "tbl-development.md").read_text()
        legacy = (built.tables / "tbl-legacy.md").read_text()
        assert "| 1.\\ Core skills | Strategy or strategic thinking; " in development
        assert "| 95 |" in development
        assert "How to be independent of Local Trust | 16 |" in legacy

    def test_figure_and_executed_notebooks_are_written(self, built: ProjectPaths) -> None:
        svg = (built.figures / "references-by-theme.svg").read_text()
        assert "Engagement (273)" in svg
        for stem in STAGES:
            assert (built.output / "notebooks" / f"{stem}.ipynb").is_file()

    def test_raw_data_is_never_written(self, built: ProjectPaths) -> None:
        for path in PATHS.raw.iterdir():
            assert sha256_of(built.raw / path.name) == sha256_of(path)


def test_scaled_synthetic_data_runs_end_to_end(tmp_path: Path) -> None:
    paths = ProjectPaths.at(tmp_path)
    synth.write(synth.generate(seed=7, scale=2), paths)
    shutil.copy(PATHS.codebook, paths.codebook)
    run_build(paths, formats=(), scale=2, out=io.StringIO())
    figures = pd.read_csv(paths.tables / "figures.csv").set_index("key")
    assert figures.loc["responses", "value"] == 2 * PUBLISHED["responses"]
    assert figures.loc["challenge.engagement.total", "value_at_1x"] == 273


def test_a_bad_input_stops_the_build_and_keeps_the_last_good_outputs(
    built: ProjectPaths, tmp_path: Path
) -> None:
    paths = project_copy(tmp_path)
    shutil.copytree(built.interim, paths.interim)
    shutil.copytree(built.processed, paths.processed)
    good = {path: sha256_of(path) for path in paths.processed.rglob("*") if path.is_file()}
    coding_file = raw_inputs(paths).coding[0]
    coding = coding_file.read_text().splitlines()
    response_id, question, _, coder = coding[5].split(",")
    coding[5] = ",".join((response_id, question, "CH-MADE-UP", coder))
    coding_file.write_text("\n".join(coding) + "\n")
    manifest = paths.raw_checksums.read_text()
    paths.raw_checksums.write_text(
        manifest.replace(sha256_of(raw_inputs(PATHS).coding[0]), sha256_of(coding_file))
    )
    with pytest.raises(BuildError) as caught:
        run_build(paths, formats=(), out=io.StringIO())
    message = caught.value.message
    assert "02-code-responses" in message
    assert "coded_references.csv" in message and "row 6" in message and "'code'" in message
    assert "CH-MADE-UP" in message
    assert {path: sha256_of(path) for path in good} == good
