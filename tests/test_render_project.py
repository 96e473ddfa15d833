"""Reading _quarto.yml and the report's front matter, and fixing the build time."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from ltbrief.errors import BuildError
from ltbrief.paths import PATHS, ProjectPaths
from ltbrief.render.project import build_timestamp, load_project, split_front_matter

REPORT = "---\ntitle: A brief\nauthor: Local Trust\ndate: '2021'\n---\n\n## Start\n"


def _project(tmp_path: Path, config: str, report: str = REPORT) -> ProjectPaths:
    paths = ProjectPaths.at(tmp_path)
    paths.quarto_config.write_text(config, encoding="utf-8")
    paths.report.write_text(report, encoding="utf-8")
    return paths


class TestSplitFrontMatter:
    def test_keeps_line_numbers_of_the_body(self) -> None:
        data, body = split_front_matter(REPORT, Path("report.qmd"))
        assert data == {"title": "A brief", "author": "Local Trust", "date": "2021"}
        assert body.splitlines()[6] == "## Start"
        assert body.splitlines()[:5] == [""] * 5

    def test_text_without_front_matter_is_all_body(self) -> None:
        assert split_front_matter("## Only\n", Path("r.qmd")) == ({}, "## Only\n")

    def test_invalid_yaml_names_the_line(self) -> None:
        with pytest.raises(BuildError) as caught:
            split_front_matter("---\ntitle: a\nauthor: [unclosed\n---\n", Path("report.qmd"))
        assert caught.value.line in (3, 4)
        assert "front matter" in caught.value.problem


class TestOptions:
    def test_front_matter_beats_format_beats_project(self, tmp_path: Path) -> None:
        config = (
            "lang: en-GB\ntitle: From config\n"
            "format:\n  typst:\n    papersize: a4\n    lang: cy\n  docx: default\n"
        )
        project = load_project(_project(tmp_path, config))
        assert project.options("typst")["lang"] == "cy"
        assert project.options("typst")["papersize"] == "a4"
        assert project.options("docx")["lang"] == "en-GB"
        assert project.title == "A brief"
        assert "format" not in project.options("html")

    def test_missing_config_is_a_build_error(self, tmp_path: Path) -> None:
        paths = ProjectPaths.at(tmp_path)
        paths.report.write_text(REPORT, encoding="utf-8")
        with pytest.raises(BuildError, match="project file is missing"):
            load_project(paths)


class TestBuildTimestamp:
    @pytest.mark.parametrize(
        ("date", "expected"),
        [("'2021'", dt.datetime(2021, 1, 1)), ("2021-06", dt.datetime(2021, 6, 1)),
         ("2021-06-30", dt.datetime(2021, 6, 30))],
    )  # fmt: skip
    def test_front_matter_date_at_midnight_utc(
        self, tmp_path: Path, date: str, expected: dt.datetime
    ) -> None:
        report = REPORT.replace("date: '2021'", f"date: {date}")
        project = load_project(_project(tmp_path, "lang: en-GB\n", report))
        seconds = build_timestamp(project, environ={})
        assert seconds == int(expected.replace(tzinfo=dt.UTC).timestamp())

    def test_source_date_epoch_wins(self, tmp_path: Path) -> None:
        project = load_project(_project(tmp_path, "lang: en-GB\n"))
        assert build_timestamp(project, environ={"SOURCE_DATE_EPOCH": "86400"}) == 86400

    def test_unusable_date_is_a_build_error(self, tmp_path: Path) -> None:
        project = load_project(_project(tmp_path, "{}\n", REPORT.replace("'2021'", "soon")))
        with pytest.raises(BuildError, match="date"):
            build_timestamp(project, environ={})


@pytest.fixture(scope="module")
def config() -> dict:
    return yaml.safe_load(PATHS.quarto_config.read_text(encoding="utf-8"))


class TestRealProjectFile:
    """``_quarto.yml`` must stay valid Quarto and agree with what the engine assumes."""

    def test_project_section(self, config: dict) -> None:
        project = config["project"]
        assert project["type"] == "default"
        assert project["output-dir"] == PATHS.output.name
        assert project["render"] == [PATHS.report.name]
        assert project["pre-render"] == "python -m ltbrief data"

    def test_formats_and_language(self, config: dict) -> None:
        assert config["lang"] == "en-GB"
        assert config["format"]["html"]["embed-resources"] is True
        assert config["format"]["typst"]["papersize"] == "a4"
        assert config["format"]["typst"]["pdf-standard"] == ["ua-1"]
        assert "docx" in config["format"]

    def test_filters_exist(self, config: dict) -> None:
        for name in config["filters"]:
            assert (PATHS.root / name).is_file(), name
