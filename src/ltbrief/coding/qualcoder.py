"""QualCoder's coding report, exported as CSV (Report > Coding > Export).

Header ``File`` (or ``Case`` then ``Filename``), ``Coder``, ``Coded`` (the coded text),
``Id`` (``ctid:N``), ``Codename``, ``Coded_Memo``, then one ``Category`` column per level of
the code's hierarchy, nearest parent first, then any ``FileVar_``/``CaseVar_`` columns
(which QualCoder's CSV may shift left; they are not read). UTF-8 with a byte-order mark,
every cell quoted, line breaks kept inside cells.
"""

from __future__ import annotations

from pathlib import Path

from ltbrief.coding import link
from ltbrief.coding.passages import PATH_SEPARATOR, CodingRead, passage_frame
from ltbrief.errors import BuildError
from ltbrief.sources.grid import cell_text
from ltbrief.sources.mapping import Link
from ltbrief.sources.text import read_text_grid

REQUIRED = ("Coder", "Coded", "Codename")
EXPORT_ACTION = "export the coding report again from QualCoder (Report > Coding > Export CSV)"


def read_qualcoder(path: Path, rule: Link) -> CodingRead:
    """Read a QualCoder coding report into passages tied to responses by document name."""
    grid = read_text_grid(path)
    header = [cell_text(cell).strip() for cell in grid.rows[0]]
    document_column = "Filename" if header[:1] == ["Case"] else "File"
    missing = [name for name in (document_column, *REQUIRED) if name not in header]
    if missing:
        raise BuildError(
            f"the header is not a QualCoder coding report's (no {', '.join(missing)})",
            file=path,
            row=1,
            column=missing[0],
            expected="File, Coder, Coded, Id, Codename, Coded_Memo, Category, ...",
            action=EXPORT_ACTION,
        )
    at = {name: header.index(name) for name in (document_column, *REQUIRED)}
    categories = [i for i, name in enumerate(header) if name == "Category"]
    rows = []
    assert rule.document is not None
    for index, cells in enumerate(grid.rows[1:], start=1):
        document = cell_text(cells[at[document_column]]).strip()
        name = cell_text(cells[at["Codename"]]).strip()
        parents = [cell_text(cells[i]).strip() for i in categories]
        path_names = [*reversed([parent for parent in parents if parent]), name]
        place = f"row {grid.numbers[index]}, document {document!r}"
        owner = link.owner_by_name(document, rule.document)
        if owner is None:
            raise link.unmatched_document(
                path, document, "document", rule.document, PATH_SEPARATOR.join(path_names), place
            )
        rows.append(
            {
                "row": grid.numbers[index],
                "place": place,
                "document": document,
                "response_id": owner.response_id,
                "question": owner.question,
                "code_name": name,
                "code_path": PATH_SEPARATOR.join(path_names),
                "coder": cell_text(cells[at["Coder"]]).strip(),
                "text": cell_text(cells[at["Coded"]]),
            }
        )
    return CodingRead(passage_frame(rows), None, grid.notes, path)
