"""Taguette's highlights export (CSV): ``id, document, tag, content``.

One row per highlight and tag: a highlight with three tags is three rows with one ``id``.
No positions and no coder: each coder's export is its own file, whose coder the mapping
names (``coding.files``). ``content`` is the highlighted text.
"""

from __future__ import annotations

from pathlib import Path

from ltbrief.coding import link
from ltbrief.coding.passages import CodingRead, passage_frame
from ltbrief.sources.mapping import Link
from ltbrief.sources.tidy import read_tidy

HIGHLIGHT_COLUMNS = ("id", "document", "tag", "content")


def read_taguette(path: Path, coder: str, rule: Link) -> CodingRead:
    """Read one coder's Taguette highlights into passages tied to responses by document."""
    read = read_tidy(path, HIGHLIGHT_COLUMNS)
    rows = []
    assert rule.document is not None
    for row, highlight, document, tag, content in read.frame.itertuples(index=False):
        place = f"{path.name}, row {row}, highlight {highlight}"
        owner = link.owner_by_name(document, rule.document)
        if owner is None:
            raise link.unmatched_document(path, document, "document", rule.document, tag, place)
        rows.append(
            {
                "row": row,
                "place": place,
                "document": document,
                "response_id": owner.response_id,
                "question": owner.question,
                "code_name": tag.strip(),
                "code_path": tag.strip(),
                "coder": coder,
                "text": content,
            }
        )
    return CodingRead(passage_frame(rows), None, read.notes, path)
