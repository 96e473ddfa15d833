"""One header row of column names: the project's own CSV, or any table saved as CSV or XLSX.

A column is named by its header cell, exactly as written apart from spaces at either end.
"""

from __future__ import annotations

from ltbrief.sources.grid import Grid, Header, SourceColumn, header_texts


def read_header(grid: Grid, layout: str) -> Header:
    """The first row's names; columns without a name cannot be mapped and are left out."""
    names = header_texts(grid.rows[0])
    columns = tuple(
        SourceColumn(position, name, (name,)) for position, name in enumerate(names) if name
    )
    return Header(layout, columns, rows=1)
