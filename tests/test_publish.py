"""Tests for ltbrief.publish: notebook pages, the validation page and the about fragment.

A tiny notebook is executed once per module; the validation records are synthetic, in
the format ``ValidationReport.as_record()`` writes.
"""

from __future__ import annotations

import copy
import hashlib
import platform
import re
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

import nbformat
import pypandoc
import pytest
from bs4 import BeautifulSoup

from ltbrief import provenance, publish
from ltbrief.errors import BuildError
from ltbrief.execute import STAGES, execute_notebook
from ltbrief.io import write_json
from ltbrief.paths import PATHS, ProjectPaths
from ltbrief.sources.mapping import raw_inputs
from tests.conftest import CHROMIUM

if TYPE_CHECKING:
    from playwright.sync_api import Browser

STEMS = ("01-tiny", "02-tiny")
# Anything a browser would fetch from another server.
REMOTE = re.compile(
    r"""(?:src|href)\s*=\s*["']?(?:https?:)?//|@import|url\(\s*["']?(?:https?:)?//"""
)


def tiny_notebook(title: str, root: Path) -> nbformat.NotebookNode:
    """A stage-like notebook: prose, printed text, a DataFrame, a path under ``root``."""
    cells = [
        nbformat.v4.new_markdown_cell(f"# {title}\n\nCounts *things* with the `alpha` suite."),
        nbformat.v4.new_code_cell(
            'import pandas as pd\nSUITE = "alpha"\nprint("3 rows read from things.csv")'
        ),
        nbformat.v4.new_markdown_cell("## A table"),
        nbformat.v4.new_code_cell(
            'pd.DataFrame({"count": [2, 1]}, index=pd.Index(["a", "b"], name="thing"))'
        ),
        nbformat.v4.new_code_cell(f"print({(root / 'data' / 'things.csv').as_posix()!r})"),
    ]
    for number, cell in enumerate(cells):
        cell.id = f"cell-{number}"
    return nbformat.v4.new_notebook(cells=cells)


def record(suite: str, *results: dict[str, Any]) -> dict[str, Any]:
    failing = [row for row in results if not row["success"]]
    failed = sum(row["severity"] == "critical" for row in failing)
    return {
        "suite": suite,
        "success": failed == 0,
        "evaluated": len(results),
        "failed": failed,
        "warned": len(failing) - failed,
        "results": list(results),
    }


SINGLE_CODER = {
    "coders": ["Ana"], "counted_coder": None, "double_coded_answers": 0,
    "double_coded_responses": 0, "coded_responses": 10, "figures": [],
}  # fmt: skip
TWO_CODERS = {
    "coders": ["Ana", "Ben"], "counted_coder": "Ana", "double_coded_answers": 12,
    "double_coded_responses": 9, "coded_responses": 60,
    "figures": [
        {"level": "question", "question": "challenge", "theme_code": "", "code": "",
         "label": "challenge", "measure": "alpha", "value": 0.8412, "units": 12},
        {"level": "theme", "question": "challenge", "theme_code": "CH-ENG", "code": "",
         "label": "Engagement *bold*", "measure": "alpha", "value": None, "units": 12},
        {"level": "code", "question": "challenge", "theme_code": "CH-ENG", "code": "CH-ENG-INV",
         "label": "Involved", "measure": "kappa", "value": 0.7, "units": 12},
    ],
}  # fmt: skip


def result(success: bool = True, **changes: Any) -> dict[str, Any]:
    row = {
        "expectation": "expect_column_values_to_not_be_null",
        "columns": "thing",
        "expected": "column values to not be null",
        "why": "Every row names a thing.",
        "success": success,
        "severity": "critical",
        "unexpected_count": 0 if success else 2,
        "examples": [] if success else ["row 4: None", "row 9: None"],
        "note": "",
    }
    return {**row, **changes}


def write_records(paths: ProjectPaths, *records: dict[str, Any]) -> None:
    for data in records:
        write_json(paths.validation / f"{data['suite']}.json", data)


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project folder whose _output/notebooks/ holds the two executed tiny notebooks."""
    root = tmp_path_factory.mktemp("executed")
    source = root / "tiny.ipynb"
    nbformat.write(tiny_notebook("01 · Tiny stage", root), source)
    first = ProjectPaths.at(root).output / "notebooks" / f"{STEMS[0]}.ipynb"
    notebook = execute_notebook(source, executed_copy=first)
    notebook.cells[0].source = notebook.cells[0].source.replace("01 · Tiny", "02 · Small")
    notebook.cells[1].source = notebook.cells[1].source.replace('"alpha"', '"beta"')
    nbformat.write(notebook, first.with_name(f"{STEMS[1]}.ipynb"))
    return root


@pytest.fixture
def paths(executed: Path, tmp_path: Path) -> ProjectPaths:
    """A fresh copy of the executed project, with records and raw inputs, for one test."""
    shutil.copytree(executed, tmp_path, dirs_exist_ok=True)
    project = ProjectPaths.at(tmp_path)
    write_records(
        project,
        record("alpha", result(), result(expectation="expect_column_values_to_be_unique")),
        record("beta", result(success=False)),
    )
    shutil.copy(PATHS.sources, project.sources)
    for path in raw_inputs(project):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{path.stem}\n", encoding="utf-8")
    project.codebook.write_text("questions: []\n", encoding="utf-8")
    write_json(project.agreement, SINGLE_CODER)
    return project


def read_notebook(paths: ProjectPaths, stem: str) -> publish.StageNotebook:
    return publish.read_stage_notebook(paths, stem)


class TestWriteNotebookPages:
    def test_writes_an_accessible_offline_page_per_notebook(self, paths: ProjectPaths) -> None:
        pages = publish.write_notebook_pages(paths, STEMS)
        assert pages == [paths.output / "notebooks" / f"{stem}.html" for stem in STEMS]
        html = pages[0].read_text(encoding="utf-8")
        assert '<html lang="en-GB"' in html
        assert "<title>01 · Tiny stage: executed notebook</title>" in html
        assert html.count("<main") == 1
        assert len(re.findall(r"<h1\b", html)) == 1
        assert "3 rows read from things.csv" in html
        assert "<script" not in html
        assert REMOTE.search(html) is None

    def test_shows_paths_under_the_project_relative_to_it(
        self, executed: Path, paths: ProjectPaths
    ) -> None:
        notebook = read_notebook(paths, STEMS[0])
        html = publish.notebook_html(notebook, [notebook], executed)
        assert "'data/things.csv'" in html
        assert str(executed) not in html

    def test_dataframes_become_accessible_scrollable_tables(self, paths: ProjectPaths) -> None:
        (page, _) = publish.write_notebook_pages(paths, STEMS)
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        (table,) = soup.find_all("table")
        region = table.parent
        assert (region["role"], region["tabindex"], region["aria-label"]) == (
            "region",
            "0",
            "Output table 1",
        )
        assert [(th.get_text(), th["scope"]) for th in table.find_all("th")] == [
            ("count", "col"),
            ("thing", "col"),
            ("a", "row"),
            ("b", "row"),
        ]
        assert "border" not in table.attrs

    def test_same_notebook_gives_the_same_bytes(self, paths: ProjectPaths) -> None:
        (page, _) = publish.write_notebook_pages(paths, STEMS)
        first = page.read_bytes()
        assert publish.write_notebook_pages(paths, STEMS)[0].read_bytes() == first

    def test_metadata_such_as_timings_and_ids_does_not_reach_the_page(
        self, paths: ProjectPaths
    ) -> None:
        notebook = read_notebook(paths, STEMS[0])
        noisy = copy.deepcopy(notebook.notebook)
        noisy.metadata["widgets"] = {
            "application/vnd.jupyter.widget-state+json": {
                "state": {"4f1c": {"model_name": "IntSliderModel"}},
                "version_major": 2,
                "version_minor": 0,
            }
        }
        for cell in noisy.cells:
            cell.metadata["execution"] = {"iopub.status.busy": "2024-05-01T10:00:00.000Z"}
            for output in cell.get("outputs", []):
                output.setdefault("metadata", {})["msg_id"] = "a1b2c3"
        plain = publish.notebook_html(notebook, [notebook], paths.root)
        noisy_page = publish.notebook_html(
            publish.StageNotebook(notebook.stem, notebook.title, noisy), [notebook], paths.root
        )
        assert noisy_page == plain

    def test_scripts_widgets_and_remote_resources_are_removed(self, paths: ProjectPaths) -> None:
        notebook = read_notebook(paths, STEMS[0])
        cell = notebook.notebook.cells[1]
        cell.outputs = [
            nbformat.v4.new_output(
                "display_data",
                data={
                    "text/html": '<img src="https://example.org/t.png" alt="tracker">'
                    '<script src="https://cdn.example.org/x.js"></script>'
                    '<p onclick="go()" style="background: url(//example.org/b.png)">kept</p>'
                    '<style>@import "https://example.org/f.css";</style>',
                },
            ),
            nbformat.v4.new_output("display_data", data={"application/javascript": "alert(1)"}),
        ]
        html = publish.notebook_html(notebook, [notebook], paths.root)
        assert REMOTE.search(html) is None
        assert "<script" not in html and "onclick" not in html
        assert "[image not shown: tracker]" in html
        assert "kept" in html
        assert "the published page runs no scripts" in html

    def test_a_notebook_without_a_title_gets_one(self, paths: ProjectPaths) -> None:
        notebook = read_notebook(paths, STEMS[0])
        notebook.notebook.cells[0].source = "No heading here."
        untitled = publish.StageNotebook("01-tiny", "01-tiny", notebook.notebook)
        html = publish.notebook_html(untitled, [untitled], paths.root)
        assert len(re.findall(r"<h1\b", html)) == 1
        assert "<h1>01-tiny</h1>" in html

    def test_a_missing_executed_notebook_says_to_run_the_data_stages(
        self, paths: ProjectPaths
    ) -> None:
        with pytest.raises(BuildError, match="the executed notebook is missing") as raised:
            publish.write_notebook_pages(paths, ("03-absent",))
        assert raised.value.file == paths.output / "notebooks" / "03-absent.ipynb"
        assert "python -m ltbrief data" in (raised.value.action or "")

    def test_an_unreadable_executed_notebook_is_named(self, paths: ProjectPaths) -> None:
        path = publish.executed_notebook(paths, STEMS[0])
        path.write_text("not a notebook", encoding="utf-8")
        with pytest.raises(BuildError, match="cannot be read") as raised:
            publish.write_notebook_pages(paths, STEMS)
        assert raised.value.file == path


class TestNotebookTitle:
    def test_is_the_first_level_one_heading(self) -> None:
        book = nbformat.v4.new_notebook(
            cells=[
                nbformat.v4.new_markdown_cell("Intro\n## Not this"),
                nbformat.v4.new_markdown_cell("# 02 · `Code` responses\n\nText"),
            ]
        )
        assert publish.notebook_title(book, "stem") == "02 · Code responses"

    def test_falls_back_to_the_default(self) -> None:
        book = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("# comment")])
        assert publish.notebook_title(book, "stem") == "stem"


class TestWriteValidationPage:
    def test_lists_every_expectation_with_a_summary(self, paths: ProjectPaths) -> None:
        html = publish.write_validation_page(paths, STEMS).read_text(encoding="utf-8")
        assert "1 of 3 expectations failed, in 1 of the 2 suites: beta." in html
        assert html.count('<th scope="row">') == 2 + 3  # summary rows + expectation rows
        assert "expect_<wbr>column_<wbr>values_<wbr>to_<wbr>be_<wbr>unique" in html
        assert "Every row names a thing." in html
        assert "row 4: None" in html
        assert '<a href="notebooks/02-tiny.html">02 · Small stage</a>' in html
        assert '<html lang="en-GB"' in html and html.count("<main") == 1
        assert "<script" not in html and REMOTE.search(html) is None

    def test_a_warning_is_counted_apart_and_does_not_fail_the_suite(
        self, paths: ProjectPaths
    ) -> None:
        warning = result(success=False, severity="warning", expectation="expect_x")
        write_records(paths, record("alpha", result(), warning), record("beta", result()))
        html = publish.write_validation_page(paths, STEMS).read_text(encoding="utf-8")
        assert "2 of the 3 expectations of the 2 suites passed. 1 gave a warning, in alpha." in html
        assert '<span class="result warning">Warning</span>' in html
        assert "1 of 2 expectations passed; 1 gave a warning." in html

    def test_suites_follow_the_notebooks_that_check_them(self, paths: ProjectPaths) -> None:
        write_records(paths, record("zeta", result()), record("aardvark", result()))
        notebooks = publish.read_stage_notebooks(paths, STEMS)
        order = publish.suite_order(publish.read_records(paths), notebooks)
        assert [(rec.suite, nb.stem if nb else None) for rec, nb in order] == [
            ("alpha", "01-tiny"),
            ("beta", "02-tiny"),
            ("aardvark", None),
            ("zeta", None),
        ]

    def test_text_from_records_is_escaped(self, paths: ProjectPaths) -> None:
        write_records(paths, record("alpha", result(why="<script>alert(1)</script> & more")))
        html = publish.write_validation_page(paths, STEMS).read_text(encoding="utf-8")
        assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in html

    def test_works_without_the_executed_notebooks(self, paths: ProjectPaths) -> None:
        shutil.rmtree(paths.output / "notebooks")
        html = publish.write_validation_page(paths, STEMS).read_text(encoding="utf-8")
        assert "not known" in html

    def test_same_records_give_the_same_bytes(self, paths: ProjectPaths) -> None:
        first = publish.write_validation_page(paths, STEMS).read_bytes()
        assert publish.write_validation_page(paths, STEMS).read_bytes() == first


class TestReadRecords:
    def test_no_records_says_to_run_the_data_stages(self, tmp_path: Path) -> None:
        with pytest.raises(BuildError, match="no validation records"):
            publish.read_records(ProjectPaths.at(tmp_path))

    def test_invalid_json_names_the_line(self, tmp_path: Path) -> None:
        path = tmp_path / "alpha.json"
        path.write_text('{\n  "suite": "alpha",\n  oops\n}\n', encoding="utf-8")
        with pytest.raises(BuildError, match="not valid JSON") as raised:
            publish.read_record(path)
        assert (raised.value.file, raised.value.line) == (path, 3)

    @pytest.mark.parametrize(
        ("change", "message"),
        [
            ({"suite": "beta"}, "names the suite 'beta', not 'alpha'"),
            ({"evaluated": "1"}, "has no int 'evaluated'"),
            ({"failed": 1}, "says 1 of 1 failed and 0 warned, but lists 0 failures and 0 warnings"),
            ({"warned": 1}, "says 0 of 1 failed and 1 warned, but lists 0 failures and 0 warnings"),
            ({"results": [{"expectation": "x"}]}, "result 1 has no columns"),
        ],
    )
    def test_a_record_unlike_as_record_is_refused(
        self, tmp_path: Path, change: dict[str, Any], message: str
    ) -> None:
        path = tmp_path / "alpha.json"
        write_json(path, {**record("alpha", result()), **change})
        with pytest.raises(BuildError, match=re.escape(message)):
            publish.read_record(path)


class TestAboutMarkdown:
    @pytest.fixture
    def markdown(self, paths: ProjectPaths) -> str:
        return publish.about_markdown(
            publish.read_stage_notebooks(paths, STEMS),
            publish.read_records(paths),
            [("Python", "3.11.7"), ("Pandoc", "3.9")],
            [("data/raw/survey_export.csv", "ab" * 32)],
            "0123456789abcdef0123456789abcdef01234567 with uncommitted changes",
            SINGLE_CODER,
        )

    def test_has_no_heading_above_level_three(self, markdown: str) -> None:
        assert re.search(r"^#{1,2} ", markdown, re.MULTILINE) is None
        assert markdown.startswith("### ")

    def test_links_each_notebook_page_and_the_validation_page(self, markdown: str) -> None:
        assert "| [01 · Tiny stage](notebooks/01-tiny.html) | alpha | 2 of 2 |" in markdown
        assert "| [02 · Small stage](notebooks/02-tiny.html) | beta | 0 of 1 |" in markdown
        assert "[validation results](validation.html)" in markdown

    def test_lists_versions_checksums_and_code_version(self, markdown: str) -> None:
        assert "| Python | 3.11.7 |" in markdown
        assert f"| data/raw/survey\\_export.csv | `{'ab' * 32}` |" in markdown
        assert "`0123456789abcdef0123456789abcdef01234567` with uncommitted changes." in markdown

    def test_renders_as_pipe_tables_and_links(self, markdown: str) -> None:
        html = pypandoc.convert_text(markdown, "html5", format="markdown")
        assert html.count("<table") == 3
        assert html.count("<caption>") == 3
        assert '<a href="notebooks/01-tiny.html">' in html
        assert "survey_export.csv" in html
        assert "coded by one analyst (Ana), so no agreement between coders can be measured" in (
            markdown
        )

    def test_agreement_of_two_coders_is_a_paragraph_and_a_table(self, paths: ProjectPaths) -> None:
        markdown = publish.about_markdown(
            publish.read_stage_notebooks(paths, STEMS),
            publish.read_records(paths),
            [("Python", "3.11.7")],
            [],
            "0123456789abcdef0123456789abcdef01234567",
            TWO_CODERS,
        )
        assert "9 of the 60 coded responses (15%) were coded independently" in markdown
        assert "by question: challenge 0.841." in markdown
        assert "| challenge | all themes | 12 | 0.841 |" in markdown
        assert "|  | Engagement \\*bold\\* | 12 | not defined |" in markdown
        assert "Involved" not in markdown  # kappa per code is in the notebook, not the brief

    def test_a_second_suite_of_a_notebook_continues_its_row_group(
        self, paths: ProjectPaths
    ) -> None:
        write_records(paths, record("gamma", result()))
        notebooks = publish.read_stage_notebooks(paths, STEMS)
        notebooks[0].notebook.cells[1].source += '\nOTHER = "gamma"'
        rows = publish._validation_rows(notebooks, publish.read_records(paths))
        assert rows[:2] == [
            "| [01 · Tiny stage](notebooks/01-tiny.html) | alpha | 2 of 2 |",
            "|  | gamma | 1 of 1 |",
        ]

    def test_markup_in_names_is_escaped(self, paths: ProjectPaths) -> None:
        notebook = publish.read_stage_notebook(paths, STEMS[0])
        tricky = publish.StageNotebook(
            notebook.stem, "Stage | with *markup* {{< x >}}", notebook.notebook
        )
        rows = publish._validation_rows([tricky], publish.read_records(paths))
        assert rows[0].startswith(r"| [Stage \| with \*markup\* \{\{\<")


class TestWriteAbout:
    def test_writes_the_fragment_from_the_files(self, paths: ProjectPaths) -> None:
        written = publish.write_about(paths, STEMS)
        assert written == paths.processed / "about.md"
        text = written.read_text(encoding="utf-8")
        digest = hashlib.sha256(raw_inputs(paths).survey.read_bytes()).hexdigest()
        assert f"| data/raw/survey\\_export.csv | `{digest}` |" in text
        assert "| data/sources.yml |" in text
        assert "| data/codebook.yml |" in text
        assert f"| Python | {platform.python_version()} |" in text
        assert f"): {provenance.NOT_A_CHECKOUT}." in text

    def test_a_missing_raw_input_is_named(self, paths: ProjectPaths) -> None:
        areas = raw_inputs(paths).areas
        areas.unlink()
        with pytest.raises(BuildError, match="an input file is missing") as raised:
            publish.write_about(paths, STEMS)
        assert raised.value.file == areas

    def test_engine_versions_are_read_from_the_installation(self) -> None:
        versions = dict(publish.engine_versions())
        assert list(versions) == ["Python", "pandas", "Great Expectations", "Pandoc", "Typst"]
        assert versions["Pandoc"] == pypandoc.get_pandoc_version()
        assert all(re.fullmatch(r"\d+(\.\d+)+\S*", value) for value in versions.values())


def git(root: Path, *arguments: str) -> str:
    identity = ["-c", "user.name=Test", "-c", "user.email=test@example.org"]
    completed = subprocess.run(
        ["git", *identity, *arguments], cwd=root, capture_output=True, text=True, check=True
    )
    return completed.stdout.strip()


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
class TestCodeVersion:
    @pytest.fixture
    def repository(self, tmp_path: Path) -> Path:
        git(tmp_path, "init", "--quiet")
        (tmp_path / "src").mkdir()
        (tmp_path / "src" / "stage.py").write_text("x = 1\n", encoding="utf-8")
        git(tmp_path, "add", "src")
        git(tmp_path, "commit", "--quiet", "-m", "inputs")
        return tmp_path

    def test_is_the_last_commit_that_changed_an_input(self, repository: Path) -> None:
        inputs = git(repository, "rev-parse", "HEAD")
        (repository / "outputs.sha256").write_text("hashes\n", encoding="utf-8")
        git(repository, "add", "outputs.sha256")
        git(repository, "commit", "--quiet", "-m", "outputs only")
        assert git(repository, "rev-parse", "HEAD") != inputs
        assert provenance.code_version(repository) == inputs

    def test_says_when_inputs_changed_since(self, repository: Path) -> None:
        commit = git(repository, "rev-parse", "HEAD")
        (repository / "src" / "stage.py").write_text("x = 2\n", encoding="utf-8")
        assert provenance.code_version(repository) == f"{commit} with uncommitted changes"

    def test_an_untracked_input_counts_as_a_change(self, repository: Path) -> None:
        (repository / "notebooks").mkdir()
        (repository / "notebooks" / "04-new.ipynb").write_text("{}", encoding="utf-8")
        assert provenance.code_version(repository).endswith(" with uncommitted changes")

    def test_outside_a_checkout_says_so(self, tmp_path: Path) -> None:
        assert provenance.code_version(tmp_path) == provenance.NOT_A_CHECKOUT

    def test_a_checkout_git_cannot_read_does_not_fail(self, tmp_path: Path) -> None:
        (tmp_path / ".git").write_text("gitdir: /nowhere\n", encoding="utf-8")
        assert provenance.code_version(tmp_path) == provenance.GIT_FAILED


def test_relative_to_rewrites_only_the_project_root() -> None:
    root = Path("/work/project")
    html = "'/work/project/data/x.csv' '/work/project' /work/projects/y /work/project.bak"
    assert publish._relative_to(html, root) == "'data/x.csv' '.' /work/projects/y /work/project.bak"


class TestMain:
    def test_reports_a_readable_error(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        monkeypatch.setattr(publish, "PATHS", ProjectPaths.at(tmp_path))
        assert publish.main() == 1
        assert "Publishing failed:" in capsys.readouterr().err

    def test_publishes_every_stage(
        self,
        monkeypatch: pytest.MonkeyPatch,
        paths: ProjectPaths,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        for stem in STAGES:
            shutil.copy(
                publish.executed_notebook(paths, STEMS[0]), publish.executed_notebook(paths, stem)
            )
        monkeypatch.setattr(publish, "PATHS", paths)
        assert publish.main() == 0
        assert capsys.readouterr().out.splitlines() == [
            *(f"_output/notebooks/{stem}.html" for stem in STAGES),
            "_output/validation.html",
            "data/processed/about.md",
        ]


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")
def test_pages_pass_axe_and_fit_320_px(paths: ProjectPaths, browser: Browser) -> None:
    from tests.test_accessibility import NARROW, axe_violations, open_page

    pages = [
        *publish.write_notebook_pages(paths, STEMS),
        publish.write_validation_page(paths, STEMS),
    ]
    found = {}
    for page_file in pages:
        for width in (1280, NARROW):
            page, blocked = open_page(browser, page_file, width)
            found[page_file.name, width] = (
                axe_violations(page),
                blocked,
                page.evaluate("document.documentElement.scrollWidth") <= width,
            )
            page.close()
    assert found == {key: ([], [], True) for key in found}
