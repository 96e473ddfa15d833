"""Workbook exports (XLSX, and the older XLS and ODS) read with calamine.

Cells keep their type: text, numbers, booleans and dates as ``datetime`` (never an
Excel serial number). Formulas are not evaluated; the value the workbook saved is read.
"""

from __future__ import annotations

import io
from pathlib import Path

import python_calamine

from ltbrief.errors import BuildError, did_you_mean
from ltbrief.sources.grid import Cell, Grid
from ltbrief.sources.text import read_raw_bytes

# Zip (XLSX, ODS) and the OLE compound file of the older XLS format.
WORKBOOK_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
UNREADABLE_ACTION = (
    "open the file in Excel and save it again as .xlsx (Excel Workbook), or export it "
    "again from the survey tool"
)


def is_workbook(path: Path) -> bool:
    """Whether the file starts as a workbook does, whatever its name says."""
    with path.open("rb") as handle:
        return handle.read(8).startswith(WORKBOOK_SIGNATURES)


def read_workbook_grid(path: Path, sheet: str | None = None) -> Grid:
    """Read one sheet (the named one, or the first) into rows of cells, blank rows left out."""
    data = read_raw_bytes(path)
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except python_calamine.PasswordError:
        raise BuildError(
            "the workbook is protected by a password",
            file=path,
            expected="a workbook that opens without a password",
            action="save a copy without the password (File > Info > Protect Workbook), "
            "or export again from the survey tool",
        ) from None
    except Exception as error:  # calamine raises several unrelated types for a broken file
        raise BuildError(
            f"the workbook cannot be read ({error})",
            file=path,
            expected="an XLSX workbook as Excel or the survey tool saves it",
            action=UNREADABLE_ACTION,
        ) from None
    names = list(workbook.sheet_names)
    if not names:
        raise BuildError(
            "the workbook has no sheets", file=path, expected="a sheet of responses",
            action=UNREADABLE_ACTION,
        )  # fmt: skip
    if sheet is not None and sheet not in names:
        raise BuildError(
            f"the workbook has no sheet '{sheet}'",
            file=path,
            expected=f"one of its sheets: {', '.join(repr(name) for name in names)}",
            action=f"{did_you_mean(sheet, names)} Correct survey.sheet in data/sources.yml.",
        )
    chosen = sheet or names[0]
    notes = []
    if sheet is None and len(names) > 1:
        notes.append(f"{path.name}: read its first sheet '{chosen}' (of {len(names)})")
    # calamine gives every row the sheet's full width, an empty cell as "".
    cells: list[list[Cell]] = workbook.get_sheet_by_name(chosen).to_python(skip_empty_area=False)
    numbers = [number for number, row in enumerate(cells, start=1) if row.count("") < len(row)]
    rows = [cells[number - 1] for number in numbers]
    if not rows:
        raise BuildError(
            f"the sheet '{chosen}' is empty",
            file=path,
            sheet=chosen,
            expected="a header row and one row per response under it",
            action="choose the sheet with the responses (survey.sheet in data/sources.yml)",
        )
    return Grid(path, rows, numbers, tuple(notes), sheet=chosen)
