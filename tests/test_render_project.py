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

    def test_invalid_yaml_names_the_line(self) -> None:
        with pytest.raises(BuildError) as caught:
            split_front_matter("---\ntitle: a\nauthor: [unclosed\n---\n", Path("report.qmd"))
        assert caught.value.line in (3, 4)
        assert "front matter" in caught.value.problem


class TestOptions:
    def test_front_matter_beats_format_beats_project(self, tmp_path: Path) -> None:
        config = "lang: en-GB\nformat:\n  typst:\n    papersize: us-letter\n  docx: default\n"
        report = REPORT.replace("date:", "lang: cy\ndate:")
        project = load_project(_project(tmp_path, config, report))
        assert project.options("typst")["papersize"] == "us-letter"
        assert "papersize" not in project.options("docx")
        assert project.options("docx")["lang"] == "cy"
        assert project.title == "A brief"
        assert "format" not in project.options("html")

    def test_date_format_yyyy_prints_the_year_of_the_date(self, tmp_path: Path) -> None:
        report = REPORT.replace("date: '2021'", "date: 2021-06-30")
        project = load_project(_project(tmp_path, "date-format: YYYY\n", report))
        assert project.options("html")["date"] == "2021"
        assert build_timestamp(project, environ={}) == int(
            dt.datetime(2021, 6, 30, tzinfo=dt.UTC).timestamp()
        )

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
        with pytest.raises(BuildError, match="date") as caught:
            load_project(_project(tmp_path, "{}\n", REPORT.replace("'2021'", "soon")))
        assert caught.value.line == 4


class TestStrictKeys:
    """A key one engine would act on and the other ignore is an error, with the nearest key."""

    @pytest.mark.parametrize(
        ("config", "line", "column", "hint"),
        [("toc: true\n", 1, "toc", ""),
         ("format:\n  html:\n    embed-resource: true\n", 3, "format.html.embed-resource",
          "did you mean 'embed-resources'?"),
         ("format:\n  typst:\n    pdf-standards: [ua-1]\n", 3, "format.typst.pdf-standards",
          "did you mean 'pdf-standard'?"),
         ("project:\n  type: default\n  output_dir: _output\n", 3, "project.output_dir",
          "did you mean 'output-dir'?"),
         ("format:\n  pdf: default\n", 2, "format.pdf", "")],
    )  # fmt: skip
    def test_an_unknown_key_in_the_project_file(
        self, tmp_path: Path, config: str, line: int, column: str, hint: str
    ) -> None:
        with pytest.raises(BuildError, match="the project file has an unknown key") as caught:
            load_project(_project(tmp_path, config))
        assert (caught.value.line, caught.value.column) == (line, column)
        assert hint in (caught.value.action or "")

    def test_a_wrong_value_in_the_project_file(self, tmp_path: Path) -> None:
        with pytest.raises(
            BuildError, match=r"wrong value at format\.typst\.pdf-standard\[0\]: 'ua-2'"
        ) as caught:
            load_project(_project(tmp_path, "format:\n  typst:\n    pdf-standard: [ua-2]\n"))
        assert caught.value.line == 3

    def test_an_unknown_front_matter_key_is_located_in_the_report(self, tmp_path: Path) -> None:
        report = REPORT.replace("author:", "subtitle: More\nauthor:")
        with pytest.raises(BuildError, match="unknown key 'subtitle'") as caught:
            load_project(_project(tmp_path, "{}\n", report))
        assert caught.value.line == 3
        assert caught.value.file == tmp_path / "report.qmd"

    def test_a_report_without_a_title_is_an_error(self, tmp_path: Path) -> None:
        with pytest.raises(BuildError, match="lacks the key 'title'"):
            load_project(_project(tmp_path, "{}\n", "## Only\n"))

    def test_a_wrongly_typed_author_is_located_at_its_key(self, tmp_path: Path) -> None:
        report = REPORT.replace("author: Local Trust", "author: {name: Local Trust}")
        with pytest.raises(BuildError, match="wrong value at author") as caught:
            load_project(_project(tmp_path, "{}\n", report))
        assert (caught.value.line, caught.value.column) == (3, "author")

    def test_an_anchor_in_the_front_matter_is_refused(self, tmp_path: Path) -> None:
        report = REPORT.replace("author: Local Trust", "author: &who Local Trust")
        with pytest.raises(BuildError, match="an anchor"):
            load_project(_project(tmp_path, "{}\n", report))


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
        # Quarto would print the year as 1 January 2021; pdf-standard needs Quarto 1.9.18.
        assert config["date-format"] == "YYYY"
        assert config["quarto-required"] == ">= 1.9.18"
        assert config["format"]["html"]["embed-resources"] is True
        assert config["format"]["typst"]["papersize"] == "a4"
        assert config["format"]["typst"]["pdf-standard"] == ["ua-1"]
        assert "docx" in config["format"]

    def test_git_ignores_what_quarto_writes(self) -> None:
        # Quarto appends these to .gitignore (and rewrites it) when they are missing.
        lines = (PATHS.root / ".gitignore").read_text(encoding="utf-8").splitlines()
        assert {"/.quarto/", "**/*.quarto_ipynb"} <= set(lines)

    def test_filters_exist(self, config: dict) -> None:
        for name in config["filters"]:
            assert (PATHS.root / name).is_file(), name
