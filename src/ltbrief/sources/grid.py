"""What every reader shares: a file's cells as rows, its header, and the frame it yields.

A container reader (``text`` for CSV/TSV, ``workbook`` for XLSX) turns a file into a
``Grid``: its non-blank rows, each with the row number a spreadsheet shows. A layout
reader (``plain``, ``qualtrics``, ``surveymonkey``, ``forms``) reads the grid's header
rows into a ``Header``: which column is which, and which hold personal data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

# The index of a frame read from a raw export: the row number a spreadsheet shows.
ROW_INDEX = "spreadsheet_row"
Cell = str | int | float | bool | dt.datetime | dt.date | dt.time | dt.timedelta | None
MAX_NAME_SHOWN = 60


@dataclass(frozen=True)
class ReadResult:
    """A raw export as read, with what the reader had to do to read it."""

    frame: pd.DataFrame
    notes: tuple[str, ...]


@dataclass(frozen=True)
class Grid:
    """The cells of one file or sheet, blank rows left out, every row as wide as the first.

    ``numbers`` holds each row's spreadsheet row number (the first row is 1, blank rows
    count); ``line_of`` gives the line of the file a row starts on, for text files.
    """

    path: Path
    rows: list[list[Cell]]
    numbers: list[int]
    notes: tuple[str, ...] = ()
    sheet: str | None = None
    line_of: Callable[[int], int | None] = field(default=lambda number: None, compare=False)

    @property
    def all_text(self) -> bool:
        """Whether every cell is text, as in a text file (a workbook's cells have types)."""
        return self.sheet is None

    def where(self, index: int, position: int | None = None) -> dict[str, Any]:
        """``BuildError`` arguments naming row ``index`` (and its cell) as a person finds it."""
        number = self.numbers[index]
        located: dict[str, Any] = {"file": self.path, "row": number}
        if self.sheet is not None:
            located["sheet"] = self.sheet
            if position is not None:
                located["cell"] = f"{column_letters(position)}{number}"
        else:
            line = self.line_of(number)
            if line is not None and line != number:
                located["line"] = line
        return located


@dataclass(frozen=True)
class SourceColumn:
    """One column of an export: its position, how to show it, and what a mapping may call it."""

    position: int
    name: str
    keys: tuple[str, ...]
    personal: bool = False
    timezone: str | None = None
    subheader: str | None = None


@dataclass(frozen=True)
class Header:
    """The header rows of an export, read by its layout."""

    layout: str
    columns: tuple[SourceColumn, ...]
    rows: int
    notes: tuple[str, ...] = ()

    def keys(self) -> list[str]:
        """Every name a mapping may use for a column, in the export's order, each once."""
        return list(dict.fromkeys(key for column in self.columns for key in column.keys))


def column_letters(position: int) -> str:
    """A spreadsheet's column letters for a 0-based position: 0 -> A, 27 -> AB."""
    letters = ""
    position += 1
    while position:
        position, remainder = divmod(position - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def cell_text(cell: Cell) -> str:
    """A cell as the text a person sees: whole numbers without ``.0``, blanks as ``""``."""
    if cell is None:
        return ""
    if isinstance(cell, str):
        return cell
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.datetime | dt.date | dt.time):
        return cell.isoformat()
    return str(cell)


def shown_name(name: str) -> str:
    """A header cell in a message: quoted if odd, cut short if it swallowed later lines."""
    shown = name if name.isidentifier() else repr(name)
    return shown if len(shown) <= MAX_NAME_SHOWN else shown[: MAX_NAME_SHOWN - 4] + "...'"


def header_texts(row: Sequence[Cell]) -> list[str]:
    """The cells of a header row as text, stripped of the spaces tools leave around them."""
    return [cell_text(cell).strip() for cell in row]
