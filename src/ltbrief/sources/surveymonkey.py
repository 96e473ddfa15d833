"""SurveyMonkey's "All individual responses" export (CSV or XLSX, expanded columns).

Two header rows. Row 1 holds the question text, written only above the first column of
a question that takes several columns and blank above the others; row 2 the sub-header
(``Response``, ``Open-Ended Response``, an option's text, ``Other (please specify)``).
The export starts with an ID block: ``Respondent ID``, ``Collector ID``, ``Start Date``,
``End Date``, ``IP Address``, ``Email Address``, ``First Name``, ``Last Name``, ``Custom
Data 1``. A column is named by its question text (carried over the blank cells) and,
where the question has several columns, its sub-header. The IP address, e-mail and
names are personal data: never read.
"""

from __future__ import annotations

from ltbrief.errors import BuildError
from ltbrief.sources.grid import Grid, Header, SourceColumn, header_texts

LAYOUT = "surveymonkey"
HEADER_ROWS = 2
LEADING_COLUMNS = ("Respondent ID", "Collector ID")
PERSONAL_COLUMNS = frozenset({"IP Address", "Email Address", "First Name", "Last Name"})


def looks_like(grid: Grid) -> str | None:
    """Why the grid is a SurveyMonkey export, or None."""
    if len(grid.rows) >= HEADER_ROWS and tuple(header_texts(grid.rows[0])[:2]) == LEADING_COLUMNS:
        return "it starts with SurveyMonkey's Respondent ID and Collector ID columns"
    return None


def read_header(grid: Grid) -> Header:
    """Carry each question's text over its blank cells; pair it with the row-2 sub-header."""
    if looks_like(grid) is None:
        shown = ", ".join(repr(name) for name in header_texts(grid.rows[0])[:2])
        raise BuildError(
            f"the header does not match a SurveyMonkey export (it starts {shown})",
            **grid.where(0, 0),
            expected="two header rows, the first starting Respondent ID, Collector ID",
            action="check survey.layout in data/sources.yml, or export again from SurveyMonkey "
            "(Analyze Results > Save As > Export file > All individual responses)",
        )
    questions = header_texts(grid.rows[0])
    subheaders = header_texts(grid.rows[1])
    carried = 0
    current = ""
    texts = []
    for question in questions:
        if question:
            current = question
        elif current:
            carried += 1
        texts.append(question or current)
    widths = {text: texts.count(text) for text in texts}
    columns = tuple(
        SourceColumn(
            position,
            f"{text} / {subheader}" if widths[text] > 1 and subheader else text,
            (text,),
            personal=text in PERSONAL_COLUMNS,
            subheader=subheader or None,
        )
        for position, (text, subheader) in enumerate(zip(texts, subheaders, strict=True))
        if text
    )
    notes = ()
    if carried:
        notes = (
            f"{grid.path.name}: carried question text over {carried} blank header cell(s) "
            "of questions with several columns",
        )
    return Header(LAYOUT, columns, rows=HEADER_ROWS, notes=notes)
