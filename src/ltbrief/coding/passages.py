"""The frame every coding reader yields: one row per coded passage, with where it is.

Columns: ``row`` (the spreadsheet row, or the passage's number in a project file),
``place`` (where a person finds it: "document 'PMS20-0104 challenge', characters 12-80";
empty for a CSV row), ``document``, ``response_id`` and ``question`` (empty where the
document does not say; the code's question is used), ``code_name``, ``code_path`` (the
tool's code and its parents, "Main challenge / Engagement / Raising awareness"),
``code_guid`` (empty where the tool gives none), ``coder`` and ``text`` (the passage as
coded; empty where the export holds no text).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

PASSAGE_COLUMNS = (
    "row",
    "place",
    "document",
    "response_id",
    "question",
    "code_name",
    "code_path",
    "code_guid",
    "coder",
    "text",
)
PATH_SEPARATOR = " / "


@dataclass(frozen=True)
class ToolCode:
    """A code of the tool's code tree: its GUID, name, ancestors' names and whether codable."""

    guid: str
    name: str
    path: tuple[str, ...]
    codable: bool = True

    @property
    def shown(self) -> str:
        return PATH_SEPARATOR.join(self.path)


@dataclass(frozen=True)
class CodingRead:
    """A coding export as read: its passages, the tool's code tree if it has one, and notes.

    ``source`` is the file a passage's ``row`` or ``place`` refers to (the first of
    several files, whose passages carry their file's name in ``place``).
    """

    passages: pd.DataFrame
    tree: tuple[ToolCode, ...] | None
    notes: tuple[str, ...]
    source: Path


def passage_frame(rows: Sequence[dict[str, object]]) -> pd.DataFrame:
    """Rows of passages as a frame with every column of ``PASSAGE_COLUMNS``, as text."""
    frame = pd.DataFrame(list(rows), columns=list(PASSAGE_COLUMNS))
    text_columns = [column for column in PASSAGE_COLUMNS if column != "row"]
    frame[text_columns] = frame[text_columns].fillna("").astype(object)
    return frame.astype({"row": "int64"})
