"""CSV files in this project's own columns: the tidy coding export and the area list.

The header must hold exactly the expected columns (in any order); every cell is read
as the text typed. docs/data-dictionary.md describes each file.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ltbrief.errors import BuildError
from ltbrief.sources.grid import ROW_INDEX, ReadResult, cell_text, shown_name
from ltbrief.sources.text import read_text_grid


def read_tidy(path: Path, columns: Sequence[str], optional: Sequence[str] = ()) -> ReadResult:
    """Read a CSV whose header names exactly ``columns`` (and any of ``optional``).

    Every cell is a ``str`` (a blank cell is ``""``), in the order of ``columns`` then
    ``optional`` whatever the file's order. The ``row`` column and the index (named
    ``ROW_INDEX``) hold the row number a spreadsheet shows, and ``frame.attrs["source"]``
    names the file, so that later checks can say where a bad value is.
    """
    grid = read_text_grid(path)
    header = [cell_text(cell) for cell in grid.rows[0]]
    columns = [*columns, *(name for name in optional if name in header)]
    _check_header(header, columns, path)
    if len(grid.rows) == 1:
        raise BuildError(
            "the file has a header row but no data rows",
            file=path,
            row=grid.numbers[0] + 1,
            expected="one row per record under the header",
            action="export the data again; the export may have been filtered or cut short",
        )
    notes = list(grid.notes)
    rows = pd.Index(grid.numbers[1:], name=ROW_INDEX)
    frame = pd.DataFrame(grid.rows[1:], columns=header, index=rows, dtype=object)
    frame = frame.loc[:, list(columns)]
    frame.insert(0, "row", rows.to_numpy())
    frame.attrs["source"] = str(path)
    if header != list(columns):
        notes.append(f"{path.name}: columns read by name; the file has them in another order")
    return ReadResult(frame, tuple(notes))


def _check_header(header: list[str], columns: Sequence[str], path: Path) -> None:
    """Fail unless the header holds exactly the expected columns, saying what differs."""
    repeated = sorted({shown_name(name) for name in header if header.count(name) > 1})
    missing = [name for name in columns if name not in header]
    extra = [shown_name(name) for name in header if name not in columns]
    if repeated or missing or extra:
        details = "; ".join(
            f"{kind} {', '.join(names)}"
            for kind, names in (("repeated", repeated), ("missing", missing), ("unexpected", extra))
            if names
        )
        raise BuildError(
            f"the header does not match the expected columns ({details})",
            file=path,
            row=1,
            column=(missing or extra or repeated)[0],
            expected=f"columns {', '.join(columns)}",
            action="rename the columns to these names (see docs/data-dictionary.md)",
        )
