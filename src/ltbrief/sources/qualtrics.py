"""Qualtrics "Export Data" as CSV or TSV: three header rows.

Row 1 holds each column's export tag (``StartDate``, ``Q2``, ``Q5_4_TEXT``), which a
survey's author may rename and which may repeat; row 2 the question text, in the
survey's language; row 3 a JSON object per column, ``{"ImportId":"QID2_TEXT"}``, with
``timeZone`` on the date columns and ``choiceId`` on split choice columns. Columns are
identified by ImportId or export tag, never by the translated text of row 2. The
recipient's name and e-mail, the IP address and the location are personal data: they
are never read. (Followed: Qualtrics' "Understanding your dataset" page, and the parsers
of R's qualtRics and excluder; see docs/data-sources.md.)
"""

from __future__ import annotations

import ast
import json
import re
from typing import Any

from ltbrief.errors import BuildError
from ltbrief.sources.grid import Grid, Header, SourceColumn, cell_text, header_texts

LAYOUT = "qualtrics"
HEADER_ROWS = 3
PERSONAL_IMPORT_IDS = frozenset(
    {"ipAddress", "recipientLastName", "recipientFirstName", "recipientEmail",
     "locationLatitude", "locationLongitude"}
)  # fmt: skip
_LEGACY_NAMES = re.compile(r"V[0-9]+")
# A real row-3 cell is a few dozen characters; a long one is not an ImportId.
_MAX_IMPORT_ID_CHARACTERS = 1_000


def looks_like(grid: Grid) -> str | None:
    """Why the grid is a Qualtrics export, or None."""
    if len(grid.rows) < HEADER_ROWS:
        return None
    parsed = [_import_id(cell_text(cell)) for cell in grid.rows[2]]
    filled = [value for value in parsed if value is not None]
    if filled and len(filled) * 2 >= len([c for c in grid.rows[2] if cell_text(c).strip()]):
        return 'row 3 holds Qualtrics ImportIds ({"ImportId": ...})'
    return None


def read_header(grid: Grid) -> Header:
    """Name each column by its export tag and its ImportId; mark the personal columns."""
    tags = header_texts(grid.rows[0])
    if len(tags) > 1 and all(_LEGACY_NAMES.fullmatch(tag) for tag in tags[:10]):
        raise BuildError(
            "this is a Qualtrics export in the legacy format (columns V1, V2, ...)",
            **grid.where(0, 0),
            expected="the current export format: three header rows, ImportIds in row 3",
            action="export again from Qualtrics (Data & Analysis > Export & Import > Export "
            "Data) without 'Use legacy exporter'",
        )
    if looks_like(grid) is None:
        shown = cell_text(grid.rows[2][0]) if len(grid.rows) >= HEADER_ROWS else "nothing"
        raise BuildError(
            f"the header does not match a Qualtrics export: row 3 holds {shown[:60]!r}",
            **grid.where(min(2, len(grid.rows) - 1), 0),
            expected='three header rows, the third of JSON cells such as {"ImportId":"QID2_TEXT"}',
            action="check survey.layout in data/sources.yml, or export again from Qualtrics "
            "as CSV with its three header rows",
        )
    columns = []
    notes = []
    for position, (tag, cell) in enumerate(zip(tags, grid.rows[2], strict=True)):
        described = _import_id(cell_text(cell)) or {}
        import_id = str(described.get("ImportId", "")).strip()
        choice = str(described.get("choiceId", "")).strip()
        keys = tuple(
            dict.fromkeys(
                key for key in (tag, import_id, choice and f"{import_id}_{choice}") if key
            )
        )
        if not keys:
            continue
        columns.append(
            SourceColumn(
                position,
                f"{tag} ({import_id})" if import_id and import_id != tag else tag,
                keys,
                personal=import_id in PERSONAL_IMPORT_IDS,
                timezone=_zone(described.get("timeZone")),
            )
        )
    if any(_is_single_quoted(cell_text(cell)) for cell in grid.rows[2]):
        notes.append(f"{grid.path.name}: row 3 is in the 2017 format (single quotes); read as such")
    return Header(LAYOUT, tuple(columns), rows=HEADER_ROWS, notes=tuple(notes))


def _import_id(text: str) -> dict[str, Any] | None:
    """Row 3's object for one column, or None when the cell is not one."""
    text = text.strip()
    if len(text) > _MAX_IMPORT_ID_CHARACTERS or not (text.startswith("{") and text.endswith("}")):
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        # 2017's transitional exporter wrote Python-style dicts: {'ImportId': 'QID3-1-TEXT'}.
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError, RecursionError, MemoryError):
            return None
    if isinstance(value, dict) and "ImportId" in value:
        return value
    return None


def _is_single_quoted(text: str) -> bool:
    return text.strip().startswith("{'")


def _zone(value: Any) -> str | None:
    """A time zone row 3 names; ``Z`` is UTC."""
    if not isinstance(value, str) or not value.strip():
        return None
    return "UTC" if value.strip() == "Z" else value.strip()
