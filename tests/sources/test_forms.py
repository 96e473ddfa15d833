"""Microsoft Forms workbooks: questions by their text, dates as dates, Email and Name unread."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import xlsxwriter

from ltbrief.errors import BuildError
from tests.sources.conftest import Reader

REFERENCE = "Your survey reference (from your invitation e-mail)"
AREA = "Which Big Local area is your partnership in? "
CHALLENGE = "What was the main challenge?\n(Think of the time before COVID-19.)"
SUPPORT = "What support do you need?"
QUOTE = "May we quote your answers anonymously?"
HEADER = ["ID", "Start time", "Completion time", "Email", "Name", REFERENCE, AREA, CHALLENGE,
          SUPPORT, QUOTE]  # fmt: skip
ROWS = [
    [1, dt.datetime(2020, 6, 1, 9, 58, 2), dt.datetime(2020, 6, 1, 10, 14, 44), "anonymous", "",
     "PMS20-0001", "Ashcombe Vale", "  Volunteers\r\nleave ", "=1+1", "Yes"],
    [2, dt.datetime(2020, 12, 1, 9, 0), dt.datetime(2020, 12, 1, 9, 5, 30),
     "jo.bloggs@example.org", "Jo Bloggs", "PMS20-0002", "Brackenholt", "Money", "", "No"],
]  # fmt: skip
MAPPING = {
    "layout": "forms",
    "response_id": {"column": REFERENCE},
    "submission_id": {"column": "ID"},
    "submitted_at": {"column": "Completion time", "timezone": "Europe/London"},
    "area": {"column": AREA.strip()},
    "consent_to_quote": {"column": QUOTE, "values": {"Yes": True, "No": False}},
    "questions": {"challenge": CHALLENGE, "support": SUPPORT},
}


def forms_workbook(path: Path, rows: list[list[object]] = ROWS) -> Path:
    """A workbook as Forms' "Open in Excel" saves it: one sheet, dates as date cells."""
    workbook = xlsxwriter.Workbook(path, {"strings_to_formulas": False})
    sheet = workbook.add_worksheet("Sheet1")
    dates = workbook.add_format({"num_format": "m/d/yy h:mm:ss"})
    sheet.write_row(0, 0, HEADER)
    for number, row in enumerate(rows, start=1):
        for column, cell in enumerate(row):
            if isinstance(cell, dt.datetime):
                sheet.write_datetime(number, column, cell, dates)
            else:
                sheet.write(number, column, cell)
    workbook.close()
    return path


def test_reads_the_canonical_frame(survey_reader: Reader, tmp_path: Path) -> None:
    result = survey_reader(forms_workbook(tmp_path / "f.xlsx"), "forms.xlsx", **MAPPING)
    frame = result.frame
    assert frame["row"].tolist() == [2, 3]
    assert frame["submitted_at"].tolist() == [
        "2020-06-01T10:14:44+01:00",
        "2020-12-01T09:05:30+00:00",
    ]
    assert frame["status"].tolist() == ["Complete", "Complete"]
    assert frame["main_challenge"].iloc[0] == "  Volunteers\r\nleave "
    assert frame["support_needed"].tolist() == ["=1+1", ""]
    assert "jo.bloggs@example.org" not in frame.to_csv() and "Jo Bloggs" not in frame.to_csv()
    notes = " ".join(result.notes)
    assert "never read 2 column(s) of personal data: Email, Name" in notes
    assert "no test or finished column declared: every submission counts" in notes


def test_the_layout_is_detected_from_its_leading_columns(
    survey_reader: Reader, tmp_path: Path
) -> None:
    mapping = {**MAPPING, "layout": None}
    notes = survey_reader(forms_workbook(tmp_path / "f.xlsx"), "forms.xlsx", **mapping).notes
    assert "detected: its first columns are ID, Start time, Completion time" in notes[0]


def test_a_workbook_time_needs_a_declared_zone(survey_reader: Reader, tmp_path: Path) -> None:
    mapping = {**MAPPING, "submitted_at": {"column": "Completion time"}}
    with pytest.raises(BuildError, match="no UTC offset and no time zone is declared") as caught:
        survey_reader(forms_workbook(tmp_path / "f.xlsx"), "forms.xlsx", **mapping)
    assert caught.value.column == "survey.submitted_at"


def test_a_blank_reference_names_its_cell(survey_reader: Reader, tmp_path: Path) -> None:
    rows = [ROWS[0], [*ROWS[1][:5], "", *ROWS[1][6:]]]
    with pytest.raises(BuildError, match="respondent id is blank") as caught:
        survey_reader(forms_workbook(tmp_path / "f.xlsx", rows), "forms.xlsx", **MAPPING)
    assert (caught.value.sheet, caught.value.cell, caught.value.row) == ("Sheet1", "F3", 3)


def test_a_workbook_without_forms_columns_is_not_a_forms_export(
    survey_reader: Reader, tmp_path: Path
) -> None:
    path = tmp_path / "other.xlsx"
    workbook = xlsxwriter.Workbook(path)
    workbook.add_worksheet().write_row(0, 0, ["Respondent", "When"])
    workbook.close()
    with pytest.raises(BuildError, match="does not look like a Microsoft Forms export"):
        survey_reader(path, "forms.xlsx", **MAPPING)
