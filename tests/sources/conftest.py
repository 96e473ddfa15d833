"""A small project around one export: the export, a data sources file, the tiny codebook."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from ltbrief.codebook import load_codebook
from ltbrief.paths import ProjectPaths
from ltbrief.sources.grid import ReadResult
from ltbrief.sources.mapping import load_sources
from ltbrief.sources.survey import read_survey
from tests.conftest import TINY_CODEBOOK

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sources"
Reader = Callable[..., ReadResult]


def write_project(
    root: Path, export: Path | bytes | str, name: str, survey: dict[str, Any]
) -> ProjectPaths:
    """A project holding ``export`` as ``data/raw/<name>`` and a sources file mapping it."""
    paths = ProjectPaths.at(root)
    paths.raw.mkdir(parents=True, exist_ok=True)
    target = paths.raw_file(name)
    if isinstance(export, Path):
        shutil.copy(export, target)
    else:
        target.write_bytes(export.encode("utf-8") if isinstance(export, str) else export)
    mapping = {
        "survey": {"file": name, **survey},
        "coding": {"file": "coded_references.csv"},
        "areas": {"file": "areas.csv"},
    }
    paths.sources.write_text(yaml.safe_dump(mapping, sort_keys=False), encoding="utf-8")
    paths.codebook.write_text(TINY_CODEBOOK, encoding="utf-8")
    return paths


def read(paths: ProjectPaths) -> ReadResult:
    """Read the project's survey export as stage 01 does."""
    codebook = load_codebook(paths.codebook)
    sources = load_sources(paths, [question.key for question in codebook.questions])
    return read_survey(paths, sources, codebook.answer_columns)


@pytest.fixture
def survey_reader(tmp_path: Path) -> Reader:
    """Read ``export`` through a sources file whose ``survey`` section is ``survey``."""

    def reader(export: Path | bytes | str, name: str, **survey: Any) -> ReadResult:
        return read(write_project(tmp_path, export, name, survey))

    return reader
