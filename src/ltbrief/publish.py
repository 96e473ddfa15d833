"""Publish the analysis beside the brief, for auditors.

Three things, written after the data stages: the executed notebooks as web pages
(``_output/notebooks/<stem>.html``), every validation result as one page
(``_output/validation.html``), and the "About this analysis" fragment that
``report.qmd`` includes (``data/processed/about.md``). The pages are single offline
files: no script, no remote font, stylesheet or image. Nothing written depends on the
time, the machine's paths or chance, so the same inputs give the same bytes.
"""

from __future__ import annotations

import json
import platform
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
import nbformat
from bs4 import BeautifulSoup
from markupsafe import Markup

from ltbrief.coding.agreement import describe, show
from ltbrief.errors import BuildError
from ltbrief.execute import STAGES
from ltbrief.io import sha256_of, write_text
from ltbrief.paths import PATHS, ProjectPaths, resource
from ltbrief.provenance import GIT_TRACKED_INPUTS, code_version
from ltbrief.sources.mapping import raw_inputs
from ltbrief.summarise import escape_markdown
from ltbrief.validate import CRITICAL, RECORD_FIELDS

CODE_STYLE = "xcode"  # Pygments style of code cells: every colour passes AA on the code panel
RERUN_DATA = "run the data stages first: python -m ltbrief data"
_LOADING_TAGS = ("script", "iframe", "frame", "object", "embed", "link", "base", "audio", "video")
_REMOTE_CSS = re.compile(r"@import|url\(\s*['\"]?\s*(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)


@dataclass(frozen=True)
class StageNotebook:
    """A stage notebook as the build executed it and kept it in ``_output/notebooks/``."""

    stem: str
    title: str
    notebook: nbformat.NotebookNode

    @property
    def code(self) -> str:
        """The source of every code cell, in order."""
        return "\n".join(cell.source for cell in self.notebook.cells if cell.cell_type == "code")

    @property
    def page(self) -> str:
        """Where its page lies, relative to ``_output/``."""
        return f"notebooks/{quote(self.stem)}.html"


@dataclass(frozen=True)
class SuiteRecord:
    """One suite's outcome as a notebook recorded it with ``ValidationReport.as_record()``."""

    suite: str
    success: bool
    evaluated: int
    failed: int
    warned: int
    results: tuple[dict[str, Any], ...]

    @property
    def passed(self) -> int:
        return self.evaluated - self.failed - self.warned


@dataclass(frozen=True)
class Link:
    """One entry of the pages' navigation."""

    text: str
    href: str
    current: bool


def executed_notebook(paths: ProjectPaths, stem: str) -> Path:
    """The executed copy of a stage notebook that the build keeps."""
    return paths.output / "notebooks" / f"{stem}.ipynb"


def notebook_page(paths: ProjectPaths, stem: str) -> Path:
    """The published page of a stage notebook."""
    return paths.output / "notebooks" / f"{stem}.html"


def validation_page(paths: ProjectPaths) -> Path:
    """The published page of every validation result."""
    return paths.output / "validation.html"


def about_fragment(paths: ProjectPaths) -> Path:
    """The Markdown fragment ``report.qmd`` includes in "About this analysis"."""
    return paths.processed / "about.md"


def publish(paths: ProjectPaths = PATHS, stems: Sequence[str] = STAGES) -> list[Path]:
    """Write the notebook pages, the validation page and the about fragment."""
    return [
        *write_notebook_pages(paths, stems),
        write_validation_page(paths, stems),
        write_about(paths, stems),
    ]


def write_notebook_pages(paths: ProjectPaths = PATHS, stems: Sequence[str] = STAGES) -> list[Path]:
    """Write each executed stage notebook as an offline page beside it; return the pages."""
    notebooks = read_stage_notebooks(paths, stems)
    return [
        write_text(
            notebook_page(paths, notebook.stem), notebook_html(notebook, notebooks, paths.root)
        )
        for notebook in notebooks
    ]


def write_validation_page(paths: ProjectPaths = PATHS, stems: Sequence[str] = STAGES) -> Path:
    """Write every suite's recorded results as one offline page in ``_output/``."""
    records = read_records(paths)
    notebooks = [
        read_stage_notebook(paths, stem)
        for stem in stems
        if executed_notebook(paths, stem).is_file()
    ]
    return write_text(validation_page(paths), validation_html(records, notebooks))


def write_about(
    paths: ProjectPaths = PATHS, stems: Sequence[str] = STAGES, version: str | None = None
) -> Path:
    """Write the "About this analysis" Markdown fragment into ``data/processed/``.

    ``version`` names the code (default: read from the project's git checkout); an
    audit passes the audited checkout's, since it rebuilds in a folder without git.
    """
    text = about_markdown(
        read_stage_notebooks(paths, stems),
        read_records(paths),
        engine_versions(),
        input_checksums(paths),
        version or code_version(paths.root),
        read_agreement(paths),
    )
    return write_text(about_fragment(paths), text)


# The executed notebooks.


def read_stage_notebooks(paths: ProjectPaths, stems: Sequence[str]) -> list[StageNotebook]:
    """Read the executed copy of every stage notebook, failing on the first one missing."""
    return [read_stage_notebook(paths, stem) for stem in stems]


def read_stage_notebook(paths: ProjectPaths, stem: str) -> StageNotebook:
    """Read the executed copy of one stage notebook, titled by its first level-1 heading."""
    path = executed_notebook(paths, stem)
    if not path.is_file():
        raise BuildError(
            "the executed notebook is missing",
            file=path,
            expected=f"the copy of notebooks/{stem}.ipynb the build keeps after running it",
            action=RERUN_DATA,
        )
    try:
        notebook = nbformat.read(path, as_version=4)
    except (OSError, ValueError, nbformat.ValidationError) as error:
        raise BuildError(
            f"the executed notebook cannot be read ({error})",
            file=path,
            expected="a Jupyter notebook (nbformat 4)",
            action=RERUN_DATA,
        ) from error
    return StageNotebook(stem, notebook_title(notebook, stem), notebook)


def notebook_title(notebook: nbformat.NotebookNode, default: str) -> str:
    """The text of the notebook's first level-1 Markdown heading, or ``default``."""
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            if line.startswith("# "):
                return line[2:].strip().strip("#").strip().replace("`", "")
    return default


def notebook_html(notebook: StageNotebook, notebooks: Sequence[StageNotebook], root: Path) -> str:
    """Render one executed notebook, outputs and all, as a complete offline page.

    Paths under the project ``root`` are shown relative to it, so the page does not
    depend on where the project was built.
    """
    html = _relative_to(_cells_html(notebook.notebook), root)
    cells = BeautifulSoup(html, "html.parser")
    _make_offline(cells)
    _make_tables_accessible(cells, "Output table")
    has_title = cells.find("h1") is not None
    return _render(
        "page.html.j2",
        title=f"{notebook.title}: executed notebook",
        kind="Executed notebook",
        nav=_navigation(notebooks, notebook.page, prefix="../"),
        heading=None if has_title else notebook.title,
        byline=None,
        body=Markup(str(cells)),
        footer=(
            f"The build ran notebooks/{notebook.stem}.ipynb from top to bottom on a fresh "
            "kernel; this page shows its code and outputs as they were."
        ),
    )


def _cells_html(notebook: nbformat.NotebookNode) -> str:
    """The notebook's cells as HTML through nbconvert's lab template, with no page around."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="cells",
        extra_template_basedirs=[str(resource("publish"))],
        exclude_anchor_links=True,
    )
    body, _ = exporter.from_notebook_node(notebook)
    return body


def _relative_to(html: str, root: Path) -> str:
    """Write the project root's absolute path in ``html`` as relative paths."""
    pattern = re.compile(re.escape(root.as_posix()) + r"(/|(?![\w.-]))")
    return pattern.sub(lambda found: "" if found[1] == "/" else ".", html)


def _make_offline(soup: BeautifulSoup) -> None:
    """Remove from the HTML everything a browser would run or fetch from elsewhere."""
    for element in soup.find_all(_LOADING_TAGS):
        element.decompose()
    for style in soup.find_all("style"):
        if _REMOTE_CSS.search(style.get_text()):
            style.decompose()
    for element in soup.find_all(True):
        for name in [name for name in element.attrs if name.lower().startswith("on")]:
            del element[name]
        if _REMOTE_CSS.search(str(element.get("style", ""))):
            del element["style"]
        for name in ("srcset", "poster"):
            element.attrs.pop(name, None)
    for image in soup.find_all("img"):
        if not str(image.get("src", "")).startswith("data:"):
            image.replace_with(f"[image not shown: {image.get('alt') or image.get('src', '')}]")


def _make_tables_accessible(soup: BeautifulSoup, label: str) -> None:
    """Give every table header scopes, no empty header cell, and a labelled scroll region."""
    for number, table in enumerate(soup.find_all("table"), start=1):
        table.attrs.pop("border", None)
        for cell in table.select("thead th"):
            if cell.get_text(strip=True):
                cell["scope"] = "colgroup" if int(cell.get("colspan", 1)) > 1 else "col"
            else:
                cell.name = "td"
        for cell in table.select("tbody th"):
            cell["scope"] = "rowgroup" if int(cell.get("rowspan", 1)) > 1 else "row"
        region = soup.new_tag("div")
        region.attrs = {
            "class": "table-region",
            "role": "region",
            "tabindex": "0",
            "aria-label": f"{label} {number}",
        }
        table.wrap(region)


# The validation results.


def read_agreement(paths: ProjectPaths) -> dict[str, Any]:
    """The coders' agreement notebook 02 wrote."""
    if not paths.agreement.is_file():
        raise BuildError(
            "the agreement record is missing",
            file=paths.agreement,
            expected="the record notebook 02 writes",
            action=RERUN_DATA,
        )
    return json.loads(paths.agreement.read_text(encoding="utf-8"))


def read_records(paths: ProjectPaths) -> list[SuiteRecord]:
    """Read every suite's validation record the notebooks wrote, sorted by suite name."""
    files = sorted(paths.validation.glob("*.json"))
    if not files:
        raise BuildError(
            "no validation records",
            file=paths.validation,
            expected="one <suite>.json per suite, written by the stage notebooks",
            action=RERUN_DATA,
        )
    return [read_record(path) for path in files]


def read_record(path: Path) -> SuiteRecord:
    """Read one suite's record, failing clearly unless it is what the notebooks write."""
    action = f"do not edit validation records; {RERUN_DATA}"
    expected = "a record written by ltbrief.validate.ValidationReport.as_record()"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise BuildError(
            f"the record is not valid JSON: {error.msg}",
            file=path,
            line=error.lineno,
            expected=expected,
            action=action,
        ) from error
    problem = _record_problem(data, path.stem)
    if problem:
        raise BuildError(f"the record {problem}", file=path, expected=expected, action=action)
    return SuiteRecord(
        suite=data["suite"],
        success=data["success"],
        evaluated=data["evaluated"],
        failed=data["failed"],
        warned=data["warned"],
        results=tuple(data["results"]),
    )


def _record_problem(data: Any, name: str) -> str:
    """Say what is wrong with a parsed record, or return an empty string."""
    if not isinstance(data, dict):
        return "is not a JSON object"
    kinds = {"suite": str, "success": bool, "evaluated": int, "failed": int, "warned": int,
             "results": list}  # fmt: skip
    for key, kind in kinds.items():
        if not isinstance(data.get(key), kind) or (kind is int and isinstance(data[key], bool)):
            return f"has no {kind.__name__} '{key}'"
    if data["suite"] != name:
        return f"names the suite '{data['suite']}', not '{name}' as its file name does"
    results = data["results"]
    for number, row in enumerate(results, start=1):
        missing = [key for key in RECORD_FIELDS if not isinstance(row, dict) or key not in row]
        if missing:
            return f"result {number} has no {', '.join(missing)}"
    failures = sum(not row["success"] and row["severity"] == CRITICAL for row in results)
    warnings = sum(not row["success"] and row["severity"] != CRITICAL for row in results)
    if (data["evaluated"], data["failed"], data["warned"], data["success"]) != (
        len(results),
        failures,
        warnings,
        failures == 0,
    ):
        return (
            f"says {data['failed']} of {data['evaluated']} failed and {data['warned']} warned, "
            f"but lists {failures} failures and {warnings} warnings in {len(results)} results"
        )
    return ""


def suite_order(
    records: Sequence[SuiteRecord], notebooks: Sequence[StageNotebook]
) -> list[tuple[SuiteRecord, StageNotebook | None]]:
    """Pair each record with the notebook that validates it; order as the build runs them.

    The notebook is the first stage whose code names the suite in quotes (as in
    ``validate.check(frame, "raw_export")``); suites no notebook names come last.
    """

    def place(record: SuiteRecord) -> tuple[int, int]:
        pattern = re.compile(rf"[\"']{re.escape(record.suite)}[\"']")
        for index, notebook in enumerate(notebooks):
            found = pattern.search(notebook.code)
            if found:
                return index, found.start()
        return len(notebooks), 0

    placed = sorted((place(record), record.suite, record) for record in records)
    return [
        (record, notebooks[index] if index < len(notebooks) else None)
        for (index, _), _, record in placed
    ]


def validation_summary(records: Sequence[SuiteRecord]) -> str:
    """One sentence on how many expectations passed, naming the suites with failures."""
    total = sum(record.evaluated for record in records)
    failing = [record for record in records if record.failed]
    suites = f"{len(records)} suites" if len(records) != 1 else "1 suite"
    warned = sum(record.warned for record in records)
    warnings = (
        f" {warned:,} gave a warning, in "
        + ", ".join(record.suite for record in records if record.warned)
        + "."
        if warned
        else ""
    )
    if not failing:
        passed = "All" if not warned else f"{total - warned:,} of the {total:,}"
        return f"{passed} expectations of the {suites} passed.{warnings}"
    failed = sum(record.failed for record in failing)
    names = ", ".join(record.suite for record in failing)
    return (
        f"{failed:,} of {total:,} expectations failed, in {len(failing)} of the {suites}: "
        f"{names}.{warnings}"
    )


def validation_html(records: Sequence[SuiteRecord], notebooks: Sequence[StageNotebook]) -> str:
    """Render every suite's results as one offline page: a summary, then a table per suite."""
    suites = [
        {
            "name": record.suite,
            "anchor": "suite-" + re.sub(r"[^A-Za-z0-9_-]+", "-", record.suite),
            "notebook": {"title": notebook.title, "href": notebook.page} if notebook else None,
            "evaluated": record.evaluated,
            "passed": record.passed,
            "failed": record.failed,
            "warned": record.warned,
            "result": "Passed" if record.success else "Failed",
            "results": [_result_view(row) for row in record.results],
        }
        for record, notebook in suite_order(records, notebooks)
    ]
    return _render(
        "validation.html.j2",
        title="Validation results",
        kind="Validation",
        nav=_navigation(notebooks, "validation.html", prefix=""),
        heading="Validation results",
        byline="Every Great Expectations check of every stage's data, as the last build ran it",
        summary=validation_summary(records),
        suites=suites,
        footer="Written from the records in data/processed/validation/, one per suite.",
    )


def _result_view(row: dict[str, Any]) -> dict[str, Any]:
    """One expectation's result as the page shows it."""
    count = row["unexpected_count"]
    return {
        "expectation": Markup("_<wbr>").join(row["expectation"].split("_")),
        "columns": row["columns"],
        "expected": row["expected"],
        "why": row["why"],
        "result": _result_word(row),
        "examples": list(row["examples"]),
        "note": row["note"],
        "unexpected": "" if count is None else f"{count:,}",
    }


def _result_word(row: dict[str, Any]) -> str:
    """Passed, Failed, or Warning for a failed expectation that does not stop the build."""
    if row["success"]:
        return "Passed"
    return "Failed" if row["severity"] == CRITICAL else "Warning"


# The "About this analysis" fragment.


def about_markdown(
    notebooks: Sequence[StageNotebook],
    records: Sequence[SuiteRecord],
    versions: Sequence[tuple[str, str]],
    checksums: Sequence[tuple[str, str]],
    code: str,
    agreement: dict[str, Any],
) -> str:
    """Write the fragment: coding and agreement, notebooks and validation, software, data."""
    lines = [
        *_agreement_lines(agreement),
        "### Notebooks and validation",
        "",
        "Every number, table and quote in this brief comes from the notebooks below, which "
        "the build runs in order on the raw data and publishes with their outputs. Each "
        "notebook checks its stage's data against a Great Expectations suite before writing "
        "it: the [validation results](validation.html) list every expectation, why it is "
        "there and what the build found.",
        "",
        "| Notebook | Suite | Expectations passed |",
        "|:-------|:-----|-----:|",
        *_validation_rows(notebooks, records),
        "",
        ": The notebooks and the expectations their data passed",
        "",
        "### Software",
        "",
        "| Software | Version |",
        "|:---|:---|",
        *(f"| {escape_markdown(name)} | {escape_markdown(number)} |" for name, number in versions),
        "",
        ": The software that ran the analysis and rendered the brief",
        "",
        "### Code and data",
        "",
        "The code is the last commit that changed an input of the build ("
        + ", ".join(f"`{name}`" for name in GIT_TRACKED_INPUTS)
        + f"): {_show_code_version(code)}.",
        "",
        "| Input file | SHA-256 |",
        "|:---|:-------|",  # 30 % and 70 % of the width: a digest does not wrap
        *(f"| {escape_markdown(name)} | `{digest}` |" for name, digest in checksums),
        "",
        ": The input files and their SHA-256 checksums",
    ]
    return "\n".join(lines) + "\n"


def _agreement_lines(agreement: dict[str, Any]) -> list[str]:
    """The coders and their agreement: a paragraph, and a table of alpha by question and theme."""
    lines = ["### Coding and its reliability", "", escape_markdown(describe(agreement)), ""]
    alphas = [row for row in agreement["figures"] if row["level"] in ("question", "theme")]
    if not alphas:
        return lines
    lines += [
        "Krippendorff (2004) relies on an alpha of .800 or more and draws tentative "
        "conclusions from .667; the build stops below .667 and reports a warning below .800 "
        "(see the [validation results](validation.html)).",
        "",
        "| Question | Theme | Answers coded by two | Alpha |",
        "|:----|:------|-----:|-----:|",
    ]
    for row in alphas:
        question = escape_markdown(row["question"]) if row["level"] == "question" else ""
        theme = "all themes" if row["level"] == "question" else escape_markdown(row["label"])
        lines.append(f"| {question} | {theme} | {row['units']:,} | {show(row['value'])} |")
    lines += [
        "",
        ": Agreement between the coders, by question and theme (Krippendorff's alpha)",
        "",
    ]
    return lines


def _validation_rows(
    notebooks: Sequence[StageNotebook], records: Sequence[SuiteRecord]
) -> list[str]:
    """Table rows: each notebook, linked, then one row per suite it checks.

    A notebook's second and later suites leave the first cell empty, which the brief's
    table filter reads as rows of the same group.
    """
    by_notebook: dict[str | None, list[SuiteRecord]] = {}
    for record, notebook in suite_order(records, notebooks):
        by_notebook.setdefault(notebook.stem if notebook else None, []).append(record)
    rows = []
    for notebook in notebooks:
        link = f"[{escape_markdown(notebook.title)}]({notebook.page})"
        suites = by_notebook.get(notebook.stem, [])
        if not suites:
            rows.append(f"| {link} | none | |")
        for index, record in enumerate(suites):
            first = link if index == 0 else ""
            rows.append(f"| {first} | {_suite_cells(record)} |")
    rows.extend(f"| not known | {_suite_cells(record)} |" for record in by_notebook.get(None, []))
    return rows


def _suite_cells(record: SuiteRecord) -> str:
    warned = f", {record.warned:,} warning(s)" if record.warned else ""
    return f"{escape_markdown(record.suite)} | {record.passed:,} of {record.evaluated:,}{warned}"


def _show_code_version(code: str) -> str:
    """The code version as Markdown, its commit hash (if any) as inline code."""
    commit, _, rest = code.partition(" ")
    if re.fullmatch(r"[0-9a-f]{40,64}", commit):
        return f"`{commit}`" + (f" {escape_markdown(rest)}" if rest else "")
    return escape_markdown(code)


def engine_versions() -> list[tuple[str, str]]:
    """The installed versions of the engines that ran the analysis and render the brief."""
    import pypandoc

    return [
        ("Python", platform.python_version()),
        ("pandas", version("pandas")),
        ("Great Expectations", version("great_expectations")),
        ("Pandoc", pypandoc.get_pandoc_version()),
        ("Typst", version("typst")),
    ]


def input_checksums(paths: ProjectPaths) -> list[tuple[str, str]]:
    """The SHA-256 of each raw input, the sources file and the codebook, by project path."""
    files = (*raw_inputs(paths), paths.sources, paths.codebook)
    checksums = []
    for path in files:
        if not path.is_file():
            raise BuildError(
                "an input file is missing",
                file=path,
                expected="the raw inputs and codebook described in docs/data-dictionary.md",
                action="restore it from git, or put the export in data/raw/",
            )
        checksums.append((path.relative_to(paths.root).as_posix(), sha256_of(path)))
    return checksums


# Pages.


def _navigation(notebooks: Sequence[StageNotebook], here: str, prefix: str) -> list[Link]:
    """Links to the brief, each notebook and the validation results, relative to a page."""
    targets = [
        ("The brief", "report.html"),
        *((notebook.title, notebook.page) for notebook in notebooks),
        ("Validation results", "validation.html"),
    ]
    return [Link(text, prefix + target, target == here) for text, target in targets]


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(resource("publish")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


@cache
def _stylesheet() -> Markup:
    """The brief's fonts and stylesheet, then the pages' own rules and code colours."""
    from pygments.formatters import HtmlFormatter

    from ltbrief.render.fonts import font_face_css

    parts = [
        font_face_css(),
        resource("render", "report.css").read_text(encoding="utf-8"),
        resource("publish", "publish.css").read_text(encoding="utf-8"),
        HtmlFormatter(style=CODE_STYLE).get_style_defs(".highlight"),
    ]
    return Markup("\n".join(part.strip() for part in parts))


def _render(template: str, **context: Any) -> str:
    return _environment().get_template(template).render(css=_stylesheet(), **context)


def main() -> int:
    """Publish for the project in this repository; report a readable error and exit 1."""
    try:
        written = publish(PATHS)
    except BuildError as error:
        print(f"Publishing failed: {error.message}", file=sys.stderr)
        return 1
    for path in written:
        print(path.relative_to(PATHS.root))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
