"""Microsoft Forms' "Open in Excel" export, and other question-text-as-header exports.

One header row: ``ID``, ``Start time``, ``Completion time``, ``Email``, ``Name`` (and
``Last modified time`` where responses may be edited), then one column per question
headed with the question's text. SmartSurvey and Jisc Online Surveys exports have the
same shape; a mapping names each question by its exact text. ``Email`` and ``Name`` are
personal data: never read. Forms keeps only submitted responses, so there is no status.
"""

from __future__ import annotations

from ltbrief.errors import BuildError
from ltbrief.sources.grid import Grid, Header, SourceColumn, header_texts

LAYOUT = "forms"
LEADING_COLUMNS = ("ID", "Start time", "Completion time")
PERSONAL_COLUMNS = frozenset({"Email", "Name"})


def looks_like(grid: Grid) -> str | None:
    """Why the grid is a Forms export, or None."""
    leading = [name.casefold() for name in header_texts(grid.rows[0])[: len(LEADING_COLUMNS)]]
    if leading == [name.casefold() for name in LEADING_COLUMNS]:
        return "its first columns are " + ", ".join(LEADING_COLUMNS)
    return None


def read_header(grid: Grid) -> Header:
    """Name each column by its header text; mark Forms' respondent name and e-mail personal."""
    if looks_like(grid) is None:
        shown = ", ".join(repr(name) for name in header_texts(grid.rows[0])[:3])
        raise BuildError(
            f"the header does not look like a Microsoft Forms export (it starts {shown})",
            **grid.where(0, 0),
            expected="first columns " + ", ".join(LEADING_COLUMNS),
            action="check survey.layout in data/sources.yml (use 'csv' or 'xlsx' for an export "
            "with other leading columns)",
        )
    names = header_texts(grid.rows[0])
    columns = tuple(
        SourceColumn(position, name, (name,), personal=name in PERSONAL_COLUMNS)
        for position, name in enumerate(names)
        if name
    )
    return Header(LAYOUT, columns, rows=1)
