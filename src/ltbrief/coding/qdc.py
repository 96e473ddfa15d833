"""REFI-QDA codebook exchange files (.qdc): the tool's code tree alone.

Root ``CodeBook`` (namespace ``urn:QDA-XML:codebook:1.0``), ``Codes`` of nested ``Code``
elements (``guid``, ``name``, ``isCodable``), optional ``Sets``. A codebook accompanies a
CSV export of coding (QualCoder, Taguette) so that every code the brief's codebook names is
checked against the tool's tree. No maintained package ships the codebook's schema, so the
file is checked by structure: a CodeBook root, codes with a GUID and a name, no GUID twice.
"""

from __future__ import annotations

from pathlib import Path

from ltbrief.coding.passages import ToolCode
from ltbrief.coding.refi import CodeTreeReader, iterate
from ltbrief.errors import BuildError

QDC_ACTION = "export the codebook again from the tool as a REFI-QDA codebook (.qdc)"


def read_qdc(path: Path) -> tuple[ToolCode, ...]:
    """The code tree of a REFI-QDA codebook, root codes first."""
    if not path.is_file():
        raise BuildError(
            "the file is missing",
            file=path,
            expected="the REFI-QDA codebook that coding.codebook names in data/sources.yml",
            action="put the codebook in data/raw/, or correct coding.codebook",
        )
    tree = CodeTreeReader(path)
    with path.open("rb") as stream:
        for event, element in iterate(
            stream, path, "the codebook", "CodeBook", ["Code"], QDC_ACTION
        ):
            if event == "start":
                tree.start(element)
            else:
                tree.end()
    if not tree.codes:
        raise BuildError(
            "the codebook defines no codes",
            file=path,
            expected="Codes holding at least one Code",
            action=QDC_ACTION,
        )
    return tuple(tree.codes)
