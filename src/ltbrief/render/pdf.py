"""The brief as a tagged PDF/UA-1 file: Pandoc writes Typst, the ``typst`` package compiles it.

Typst tags a table's header row ``TH`` with column scope, but it has no way yet to tag a
header *column* without its experimental ``a11y-extras`` feature, which the PyPI package
cannot switch on. So ``tag_row_headers`` finishes the job on the compiled file: each table's
theme cells (the first column, which tables.lua makes the row heads) become ``TH`` with row
scope and an ``ID``, and every cell in a theme's rows lists that ID in its ``Headers`` — the
tags Typst writes for ``pdf.header-cell(scope: "row")``. pypdf reads the file and finds the
changed objects, the structure elements and the structure tree root; they are appended to the
file as an incremental update with a classic cross-reference table, so no page content changes.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import pypdf
import typst
from pypdf.errors import PyPdfError
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NumberObject,
    PdfObject,
    TextStringObject,
)

from ltbrief.errors import BuildError
from ltbrief.render.document import Document
from ltbrief.render.fonts import font_folder
from ltbrief.render.pandoc import filter_arguments, render_resource, run_pandoc, write_metadata

log = logging.getLogger(__name__)
DEFAULT_STANDARDS = ("ua-1",)


def typst_string(text: str) -> str:
    """A Typst string literal holding ``text``."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + " ".join(escaped.split()) + '"'


def typst_source(document: Document, workdir: Path) -> str:
    """The brief as Typst markup, laid out by our template."""
    arguments = [
        "--to=typst",
        "--standalone",
        f"--template={render_resource('template.typ')}",
        f"--metadata-file={write_metadata(document.metadata('typst'), workdir, 'typst')}",
        f"--variable=author-string:{typst_string(document.project.author)}",
        *filter_arguments("typst.lua"),
    ]
    return run_pandoc(
        document.markdown, arguments, cwd=document.paths.root, workdir=workdir, epoch=document.epoch
    ).decode("utf-8")


def compile_pdf(source: str, document: Document) -> bytes:
    """Compile Typst markup to PDF with our fonts only, the fixed time and PDF/UA-1."""
    standards = document.metadata("typst").get("pdf-standard") or DEFAULT_STANDARDS
    try:
        pdf, warnings = typst.compile_with_warnings(
            source.encode("utf-8"),
            root=str(document.paths.root),
            font_paths=[str(font_folder())],
            ignore_system_fonts=True,
            pdf_standards=[str(standard).lower() for standard in standards],
            timestamp=document.epoch,
        )
    except typst.TypstError as error:
        raise BuildError(
            f"Typst could not make the PDF: {error.message}\n{error.diagnostic}",
            action="run the lint (python -m ltbrief.render --check); PDF/UA-1 needs a title, "
            "alt text on every image and headings that do not skip a level",
        ) from error
    for warning in warnings:
        log.warning("Typst: %s", warning.message)
    return pdf


def render_pdf(document: Document, workdir: Path) -> bytes:
    """Write the brief as PDF."""
    return tag_row_headers(compile_pdf(typst_source(document, workdir), document))


# Row headers.

_TYPST_ID = re.compile(r"U(\d+)x\d+y\d+")
_CELLS = {"/TH", "/TD"}
_ROW_GROUPS = {"/THead", "/TBody", "/TFoot"}


@dataclass
class _Cell:
    """A table cell's structure element and where it sits in the table's grid."""

    element: DictionaryObject
    x: int
    y: int
    height: int
    in_body: bool

    @property
    def rows(self) -> range:
        return range(self.y, self.y + self.height)


def tag_row_headers(pdf: bytes) -> bytes:
    """Tag the first-column body cells of every table of two or more columns as row headers.

    These are the theme cells tables.lua makes (one per group of rows, spanning them). Each
    becomes ``TH`` with ``/Scope /Row`` and an ``/ID`` (entered in the structure tree's ID
    tree, named as Typst names its header cells), which every other cell in its rows adds to
    its ``/Headers``, after its column header. The changed objects are appended to ``pdf``;
    an untagged file, or one without such tables, comes back unchanged.
    """
    try:
        reader = pypdf.PdfReader(io.BytesIO(pdf), strict=True)
        if "/StructTreeRoot" not in reader.root_object:  # untagged: no table cells to tag
            return pdf
        previous_xref = _classic_xref(pdf)
        writer = pypdf.PdfWriter(reader, incremental=True)
        tree = writer.root_object["/StructTreeRoot"]
        new_ids: list[tuple[str, IndirectObject]] = []
        for index, cells in enumerate(_tables(tree), start=1):
            new_ids += _tag_table(cells, index)
        if new_ids:
            _add_ids(tree, new_ids)
        return _append_update(
            pdf, reader.trailer, previous_xref, writer.list_objects_in_increment()
        )
    except (PyPdfError, KeyError, ValueError, IndexError, TypeError, AttributeError) as error:
        raise BuildError(
            f"could not tag the PDF's row headers: {error}",
            action="the renderer reads the structure tree Typst writes; check that the "
            "typst package is the one in requirements.lock",
        ) from error


def _resolved(dictionary: DictionaryObject, key: str) -> PdfObject | None:
    """The value at ``key``, the object itself if it is a reference; None if there is none."""
    value = dictionary.get(key)  # dict.get, unlike [], does not resolve a reference
    return None if value is None else value.get_object()


def _listed(element: DictionaryObject, key: str) -> list[PdfObject]:
    """The items at ``key``, which holds an array of them or just one, references as written."""
    value = element.get(key)
    if value is None:
        return []
    items = value.get_object()
    return list(items) if isinstance(items, ArrayObject) else [value]


def _children(element: DictionaryObject) -> list[DictionaryObject]:
    """The structure elements directly below ``element``."""
    kids = [kid.get_object() for kid in _listed(element, "/K")]
    return [kid for kid in kids if isinstance(kid, DictionaryObject) and "/S" in kid]


def _tables(root: DictionaryObject) -> list[list[_Cell]]:
    """Each table's cells, in document order, placed in the table's grid."""
    tables, stack = [], list(reversed(_children(root)))
    while stack:
        element = stack.pop()
        if element["/S"] != "/Table":
            stack.extend(reversed(_children(element)))
            continue
        rows = []
        for child in _children(element):
            if child["/S"] in _ROW_GROUPS:
                in_body = child["/S"] == "/TBody"
                rows += [(in_body, row) for row in _children(child)]
            elif child["/S"] == "/TR":
                rows.append((True, child))
        tables.append(_place_cells(rows))
    return tables


def _place_cells(rows: list[tuple[bool, DictionaryObject]]) -> list[_Cell]:
    """The rows' cells with their column and row, as a table lays out row and column spans."""
    cells, taken = [], set()
    for y, (in_body, row) in enumerate(rows):
        x = 0
        for element in _children(row):
            if element["/S"] not in _CELLS:
                continue
            while (x, y) in taken:
                x += 1
            height, width = _span(element, "/RowSpan"), _span(element, "/ColSpan")
            taken |= {(x + i, y + j) for i in range(width) for j in range(height)}
            cells.append(_Cell(element, x, y, height, in_body))
            x += width
    return cells


def _table_attributes(element: DictionaryObject, create: bool = False) -> DictionaryObject:
    """The element's attribute dictionary owned by Table (``/O /Table``).

    With ``create``, one the element lacks is added to its ``/A``, first.
    """
    listed = _listed(element, "/A")
    for item in listed:
        owned = item.get_object()
        if isinstance(owned, DictionaryObject) and _resolved(owned, "/O") == "/Table":
            return owned
    table = DictionaryObject({NameObject("/O"): NameObject("/Table")})
    if create:
        element[NameObject("/A")] = ArrayObject([table, *listed]) if listed else table
    return table


def _span(element: DictionaryObject, key: str) -> int:
    value = _resolved(_table_attributes(element), key)
    return int(value) if value is not None else 1


def _tag_table(cells: list[_Cell], index: int) -> list[tuple[str, IndirectObject]]:
    """Tag one table's theme cells; return their IDs and references for the ID tree."""
    if max((cell.x for cell in cells), default=0) < 1:
        return []
    number = index
    for cell in cells:
        identifier = _resolved(cell.element, "/ID")
        match = identifier and _TYPST_ID.fullmatch(identifier.original_bytes.decode("latin-1"))
        if match:
            number = int(match[1])
            break
    added = []
    themes = [c for c in cells if c.in_body and c.x == 0 and c.element["/S"] == "/TD"]
    for theme in themes:
        reference = getattr(theme.element, "indirect_reference", None)
        if reference is None:
            raise ValueError("a table cell is written inline, not as an object of its own")
        identifier = f"U{number}x0y{theme.y}"
        attributes = _table_attributes(theme.element, create=True)
        rest = {key: value for key, value in attributes.items() if key not in ("/O", "/Scope")}
        attributes.clear()
        attributes.update(
            {
                NameObject("/O"): NameObject("/Table"),
                NameObject("/Scope"): NameObject("/Row"),
                **rest,
            }
        )
        theme.element[NameObject("/S")] = NameObject("/TH")
        theme.element[NameObject("/ID")] = TextStringObject(identifier)
        for cell in cells:
            if cell.x > 0 and set(cell.rows) & set(theme.rows):
                attributes = _table_attributes(cell.element, create=True)
                headers = attributes.setdefault(NameObject("/Headers"), ArrayObject())
                headers.get_object().append(TextStringObject(identifier))
        added.append((identifier, reference))
    return added


def _add_ids(root: DictionaryObject, new_ids: list[tuple[str, IndirectObject]]) -> None:
    """Enter the new IDs in the structure tree's ID tree, a flat name tree in byte order."""
    tree = _resolved(root, "/IDTree")
    if tree is None:
        tree = DictionaryObject({NameObject("/Names"): ArrayObject()})
        root[NameObject("/IDTree")] = tree
    if "/Kids" in tree:
        raise ValueError("the ID tree has kids; only a flat ID tree is supported")
    names = tree["/Names"]
    entries = {names[i].original_bytes: names[i : i + 2] for i in range(0, len(names), 2)}
    for identifier, reference in new_ids:
        key = identifier.encode("ascii")
        if key in entries:
            raise ValueError(f"the ID {identifier} is already in use")
        entries[key] = [TextStringObject(identifier), reference]
    names[:] = [part for key in sorted(entries) for part in entries[key]]


def _classic_xref(pdf: bytes) -> int:
    """Where the file's last cross-reference section starts, which must be a classic table."""
    start = int(pdf[pdf.rindex(b"startxref") + len(b"startxref") :].split()[0])
    if not pdf.startswith(b"xref", start):
        raise ValueError(
            "the file ends in a cross-reference stream; the update is written as a classic "
            "cross-reference table, like the one Typst writes, and does not mix the two"
        )
    return start


def _append_update(
    pdf: bytes, trailer: DictionaryObject, previous_xref: int, changed: list[IndirectObject]
) -> bytes:
    """``pdf`` with the ``changed`` objects appended as an incremental update.

    The update has a classic cross-reference table and a trailer with the file's own
    ``/Size``, ``/Root``, ``/Info`` and ``/ID``. pypdf's ``PdfWriter.write`` is not used: in
    incremental mode (7.1.1) it writes a cross-reference stream without an entry for itself
    (qpdf warns) whose trailer leaves out an unchanged ``/Info``, so readers lose the title.
    """
    if not changed:
        return pdf
    out = io.BytesIO()
    out.write(pdf if pdf.endswith(b"\n") else pdf + b"\n")
    offsets: dict[int, int] = {}
    for reference in changed:
        offsets[reference.idnum] = out.tell()
        out.write(b"%d 0 obj\n" % reference.idnum)
        reference.get_object().write_to_stream(out)
        out.write(b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n")
    runs: list[list[int]] = []
    for number in sorted(offsets):
        if runs and runs[-1][-1] == number - 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    for run in runs:
        out.write(b"%d %d\n" % (run[0], len(run)))
        out.write(b"".join(b"%010d 00000 n \n" % offsets[number] for number in run))
    kept = ("/Size", "/Root", "/Info", "/ID")
    updated = DictionaryObject({key: trailer.raw_get(key) for key in trailer if key in kept})
    updated[NameObject("/Prev")] = NumberObject(previous_xref)
    out.write(b"trailer\n")
    updated.write_to_stream(out)
    out.write(b"\nstartxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()
