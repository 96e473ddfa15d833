"""The data sources file: its schema, and the checks that need the codebook or two roles."""

from __future__ import annotations

from pathlib import Path

import pytest

from ltbrief.errors import BuildError
from ltbrief.paths import PATHS, ProjectPaths
from ltbrief.sources.mapping import load_sources, raw_inputs, response_id_regex

GOOD = PATHS.sources.read_text(encoding="utf-8")
KEYS = ["challenge", "support"]


def sources_file(tmp_path: Path, text: str) -> ProjectPaths:
    paths = ProjectPaths.at(tmp_path)
    paths.sources.parent.mkdir(parents=True, exist_ok=True)
    paths.sources.write_text(text, encoding="utf-8")
    return paths


def refused(tmp_path: Path, old: str, new: str) -> BuildError:
    assert old in GOOD, old
    with pytest.raises(BuildError) as caught:
        load_sources(sources_file(tmp_path, GOOD.replace(old, new, 1)), KEYS)
    assert caught.value.file is not None and caught.value.file.name == "sources.yml"
    return caught.value


def line_of(text: str, line: int | None) -> str:
    assert line is not None
    return text.splitlines()[line - 1]


def test_the_committed_file_reads_and_names_the_raw_files() -> None:
    sources = load_sources(PATHS, KEYS)
    assert raw_inputs(PATHS, sources).survey == PATHS.raw / "survey_export.csv"
    assert response_id_regex(sources) == r"\A(?:PMS20-[0-9]{4,})\Z"


@pytest.mark.parametrize(
    ("old", "new", "problem", "hint", "at"),
    [
        ("  area:\n", "  areas:\n", "unknown key 'areas'", "did you mean 'area'?", "areas:"),
        ("    column: area\n", "    colum: area\n", "unknown key 'colum'", "'column'", "colum:"),
        ("  layout: csv\n", "  layout: qualtric\n", "wrong value at survey.layout", "", "layout"),
        ("challenge: main_", "challenges: main_", "not a question", "'challenge'", "challenges"),
        ("file: survey_export.csv", "file: ../x.csv", "without folders", "", "file: ../x.csv"),
        ('pattern: "PMS20-[0-9]{4,}"', 'pattern: "[0-9"', "a regular expression", "", "pattern"),
        ("    values: {Complete: false", "    listed: [x]\n    values: {Complete: false",
         "exactly one", "", "  test:"),
        ('values: {"Yes": true', 'values: {"Yes": yes', "'yes'", "", '"Yes": yes'),
    ],
)  # fmt: skip
def test_a_bad_declaration_is_located_with_a_hint(
    tmp_path: Path, old: str, new: str, problem: str, hint: str, at: str
) -> None:
    error = refused(tmp_path, old, new)
    assert problem in error.message
    assert hint in error.message
    assert at in line_of(GOOD.replace(old, new, 1), error.line)


def test_a_role_written_twice_is_an_error(tmp_path: Path) -> None:
    error = refused(tmp_path, "  area:\n", "  area:\n    column: x\n  area:\n")
    assert "the key 'area' is written twice" in error.problem


def test_two_value_roles_may_not_read_one_column(tmp_path: Path) -> None:
    error = refused(tmp_path, "    column: area\n", "    column: main_challenge\n")
    assert "declared for two roles: area and questions.challenge" in error.problem


def test_flags_may_share_a_column() -> None:
    survey = load_sources(PATHS, KEYS).model.survey
    assert survey.test is not None and survey.finished is not None
    assert survey.test.column == survey.finished.column == "status"


def test_a_codebook_question_without_a_column_is_named(tmp_path: Path) -> None:
    error = refused(tmp_path, "    support: support_needed\n", "")
    assert "the codebook's question 'support' has no column" in error.problem


def test_an_unknown_time_zone_suggests_the_real_one(tmp_path: Path) -> None:
    zone = "    column: submitted_at\n    timezone: Europe/Londn\n"
    error = refused(tmp_path, "    column: submitted_at\n", zone)
    assert "did you mean 'Europe/London'" in (error.expected or "")


def test_a_missing_file_says_how_to_write_one(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="the data sources file is missing") as caught:
        load_sources(ProjectPaths.at(tmp_path))
    assert "docs/data-sources.md" in (caught.value.action or "")
