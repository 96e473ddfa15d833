"""This project's own coding CSV: one row per coded reference, with its coder.

Columns ``response_id``, ``question``, ``code`` (a sub-theme code of ``data/codebook.yml``)
and, where more than one analyst coded, ``coder``.
"""

from __future__ import annotations

from pathlib import Path

from ltbrief.code_responses import CODING_COLUMNS
from ltbrief.coding.passages import CodingRead, passage_frame
from ltbrief.sources.tidy import read_tidy

CODER = "coder"


def read_coding_csv(path: Path, default_coder: str | None) -> CodingRead:
    """Read the project's coding CSV into passages; a file without coders has one."""
    read = read_tidy(path, CODING_COLUMNS, optional=(CODER,))
    frame = read.frame
    coders = frame[CODER] if CODER in frame else [default_coder or ""] * len(frame)
    rows = [
        {
            "row": row,
            "response_id": response_id,
            "question": question,
            "code_name": code,
            "code_path": code,
            "coder": coder,
        }
        for row, response_id, question, code, coder in zip(
            frame["row"], frame["response_id"], frame["question"], frame["code"], coders,
            strict=True,
        )
    ]  # fmt: skip
    return CodingRead(passage_frame(rows), None, read.notes, path)
