"""The survey export, whatever tool wrote it, read into the canonical frame."""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType

from ltbrief.config import Loaded
from ltbrief.paths import ProjectPaths
from ltbrief.sources import forms, plain, qualtrics, surveymonkey
from ltbrief.sources.canonical import canonical_frame
from ltbrief.sources.grid import Grid, Header, ReadResult
from ltbrief.sources.mapping import SourcesFile, Survey, check_questions
from ltbrief.sources.text import read_text_grid
from ltbrief.sources.workbook import is_workbook, read_workbook_grid

# The layouts whose header says what they are, in the order they are tried.
RECOGNISED_LAYOUTS: tuple[ModuleType, ...] = (qualtrics, surveymonkey, forms)


def read_survey(
    paths: ProjectPaths, sources: Loaded[SourcesFile], answer_columns: Mapping[str, str]
) -> ReadResult:
    """Read the survey export the sources file names into the canonical frame.

    ``answer_columns`` maps each codebook question key to its canonical column.
    """
    check_questions(sources, list(answer_columns))
    survey = sources.model.survey
    path = paths.raw_file(survey.file)
    workbook = path.is_file() and is_workbook(path)
    _check_container_options(survey, workbook, sources)
    if workbook:
        grid = read_workbook_grid(path, survey.sheet)
    else:
        grid = read_text_grid(path, survey.encoding, survey.delimiter)
    header, reason = _read_header(grid, survey.layout, workbook, sources)
    article = "an" if header.layout[0] in "aeiox" else "a"
    note = f"{path.name}: read as {article} {header.layout} export ({reason})"
    return canonical_frame(grid, header, sources, answer_columns, notes=(note,))


def _read_header(
    grid: Grid, declared: str | None, workbook: bool, sources: Loaded[SourcesFile]
) -> tuple[Header, str]:
    """The header by the declared layout, or by the first layout the header matches."""
    plain_layout = "xlsx" if workbook else "csv"
    if declared in ("csv", "xlsx"):
        if declared != plain_layout:
            kind = "a workbook" if workbook else "a text (CSV) file"
            raise sources.error(
                f"survey.layout is '{declared}' but {grid.path.name} is {kind}",
                "survey", "layout",
                expected=f"layout '{plain_layout}' for a file of one header row like this one",
                action=f"set survey.layout to '{plain_layout}' (or remove it to let the reader "
                "decide)",
            )  # fmt: skip
        return plain.read_header(grid, declared), "as data/sources.yml declares"
    by_name = {module.LAYOUT: module for module in RECOGNISED_LAYOUTS}
    if declared is not None:
        return by_name[declared].read_header(grid), "as data/sources.yml declares"
    for module in RECOGNISED_LAYOUTS:
        reason = module.looks_like(grid)
        if reason:
            return module.read_header(grid), f"detected: {reason}"
    return plain.read_header(grid, plain_layout), "one header row of column names"


def _check_container_options(survey: Survey, workbook: bool, sources: Loaded[SourcesFile]) -> None:
    """Fail on an option that does not apply to this kind of file, instead of ignoring it."""
    if workbook:
        given = [name for name in ("delimiter",) if getattr(survey, name) is not None]
        if survey.encoding != "auto":
            given.append("encoding")
        applies = "to text (CSV) files"
    else:
        given = ["sheet"] if survey.sheet is not None else []
        applies = "to workbooks"
    if given:
        raise sources.error(
            f"survey.{given[0]} applies only {applies}, and {survey.file} is not one",
            "survey", given[0],
            expected="only the options of this kind of file",
            action=f"remove survey.{given[0]} from data/sources.yml",
        )  # fmt: skip
