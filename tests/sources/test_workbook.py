"""Workbooks: the named or first sheet, cells with their types, located by sheet and cell."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from ltbrief.errors import BuildError
from ltbrief.sources.workbook import is_workbook, read_workbook_grid


def workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = xlsxwriter.Workbook(path, {"strings_to_numbers": False})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for number, row in enumerate(rows):
            for column, cell in enumerate(row):
                if cell is not None:
                    sheet.write(number, column, cell)
    book.close()
    return path


def test_the_first_sheet_is_read_and_said(tmp_path: Path) -> None:
    path = workbook(tmp_path / "b.xlsx", {"Responses": [["id"], [1]], "Notes": [["x"]]})
    grid = read_workbook_grid(path)
    assert grid.sheet == "Responses"
    assert grid.rows == [["id"], [1.0]]
    assert grid.notes == ("b.xlsx: read its first sheet 'Responses' (of 2)",)


def test_a_named_sheet_keeps_blank_rows_counted_and_dates_as_dates(tmp_path: Path) -> None:
    when = dt.datetime(2020, 6, 1, 10, 14, 44)
    path = tmp_path / "b.xlsx"
    book = xlsxwriter.Workbook(path)
    book.add_worksheet("About").write(0, 0, "notes")
    data = book.add_worksheet("Data")
    data.write_row(1, 1, ["id", "at"])
    data.write(3, 1, "PMS20-0001")
    data.write_datetime(3, 2, when, book.add_format({"num_format": "yyyy-mm-dd hh:mm"}))
    book.close()
    grid = read_workbook_grid(path, "Data")
    assert grid.numbers == [2, 4]
    assert grid.rows == [["", "id", "at"], ["", "PMS20-0001", when]]
    assert grid.where(1, 2) == {"file": path, "row": 4, "sheet": "Data", "cell": "C4"}


def test_a_missing_sheet_is_named_with_the_sheets_there_are(tmp_path: Path) -> None:
    path = workbook(tmp_path / "b.xlsx", {"Responses": [["id"]], "Sheet2": [["x"]]})
    with pytest.raises(BuildError, match="no sheet 'responses'") as caught:
        read_workbook_grid(path, "responses")
    assert "did you mean 'Responses'?" in (caught.value.action or "")
    assert "'Responses', 'Sheet2'" in (caught.value.expected or "")


def test_an_empty_sheet_says_which(tmp_path: Path) -> None:
    path = workbook(tmp_path / "b.xlsx", {"Empty": []})
    with pytest.raises(BuildError, match="the sheet 'Empty' is empty"):
        read_workbook_grid(path)


@pytest.mark.parametrize("damage", ["truncated", "not a workbook inside"])
def test_an_unreadable_workbook_says_so_without_a_traceback(tmp_path: Path, damage: str) -> None:
    path = workbook(tmp_path / "b.xlsx", {"S": [["id"], ["x"]]})
    if damage == "truncated":
        path.write_bytes(path.read_bytes()[:300])
    else:
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("hello.txt", "not a spreadsheet")
    assert is_workbook(path)
    with pytest.raises(BuildError, match="the workbook cannot be read") as caught:
        read_workbook_grid(path)
    assert "save it again as .xlsx" in (caught.value.action or "")
