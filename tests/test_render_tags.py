"""The PDF's tag tree and the HTML's headers: quotes, row headers and table placement.

Each respondent's quote is its own ``BlockQuote`` (also two quotes under one attribution);
each table's theme cells are row headers (``TH`` with row scope in the PDF, ``th`` with
``scope="rowgroup"`` or ``"row"`` in the HTML); and every table, the appendix's narrow
Software table too, starts at the left margin. The brief is the real ``report.qmd`` on the
fixture data, with a Software table like the one the build writes added to its appendix
(rendered once, so those tests are marked slow); the last tests run ``tag_row_headers`` on
small tables Typst compiles.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pikepdf
import pypdf
import pytest
import typst
from bs4 import BeautifulSoup

from ltbrief.errors import BuildError
from ltbrief.paths import ProjectPaths
from ltbrief.render import render
from ltbrief.render.document import prepare
from ltbrief.render.fonts import font_folder
from ltbrief.render.pdf import tag_row_headers
from ltbrief.render.scan import scan
from tests.fixtures.render.fixture import make_project
from tests.test_render_outputs import structure_elements

SOFTWARE = """
### Software

| Software | Version |
|:---|:---|
| Python | 3.11.7 |
| pandas | 2.3.3 |
| Typst | 0.15.2 |

: The software that ran the analysis and rendered the brief
"""
LEFT_MARGIN = 2.2 / 2.54 * 72  # template.typ: margin-x, in points
CELL_INSET = 6  # template.typ: a table cell's inset on the left, in points
GROUP_ATTRIBUTION = "— Survey respondents"


# The brief, rendered once.


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> ProjectPaths:
    paths = make_project(tmp_path_factory.mktemp("brief"))
    about = paths.processed / "about.md"
    about.write_text(about.read_text(encoding="utf-8") + SOFTWARE, encoding="utf-8")
    render(paths, formats=("html", "pdf"))
    return paths


@pytest.fixture(scope="module")
def pdf(project: ProjectPaths) -> Iterator[pikepdf.Pdf]:
    with pikepdf.open(project.output / "report.pdf") as document:
        yield document


@pytest.fixture(scope="module")
def page(project: ProjectPaths) -> BeautifulSoup:
    return BeautifulSoup((project.output / "report.html").read_text("utf-8"), "html.parser")


@pytest.fixture(scope="module")
def groups(project: ProjectPaths) -> list[list[int]]:
    """Each table's theme groups, from the Markdown the brief is rendered from: rows per theme."""
    return [_theme_groups(table) for table in _pipe_tables(prepare(project).markdown)]


def _pipe_tables(markdown: str) -> list[list[list[str]]]:
    """The cells of each pipe table's body rows, in document order."""
    tables, rows = [], []
    for line in [*markdown.splitlines(), ""]:
        if line.startswith("|"):
            rows.append([cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]])
        elif rows:
            tables.append(rows[2:])
            rows = []
    return tables


def _theme_groups(rows: list[list[str]]) -> list[int]:
    sizes: list[int] = []
    for row in rows:
        if row[0] or not sizes:
            sizes.append(1)
        else:
            sizes[-1] += 1
    return sizes


def _attributes(element: pikepdf.Dictionary, owner: str) -> pikepdf.Dictionary:
    """The element's attribute dictionary of ``owner`` (/Table, /Layout), or an empty one."""
    found = element.get("/A")
    for item in found if isinstance(found, pikepdf.Array) else [found]:
        if isinstance(item, pikepdf.Dictionary) and item.get("/O") == owner:
            return item
    return pikepdf.Dictionary()


def _scope(cell: pikepdf.Dictionary) -> str | None:
    scope = _attributes(cell, "/Table").get("/Scope")
    return str(scope) if scope is not None else None


def _tables(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    return [e for e in structure_elements(pdf.Root.StructTreeRoot) if e.get("/S") == "/Table"]


def _cells(table: pikepdf.Dictionary, kind: str) -> list[pikepdf.Dictionary]:
    return [e for e in structure_elements(table) if e.get("/S") == kind]


# Quotes.


def _quote_groups(report: str) -> list[int]:
    """Quotes per attribution, in order: 1 for a lone quote, n for a group of n."""
    structure = scan(report)
    groups = [d for d in structure.divs if "respondent-quotes" in d.attributes.classes]
    sizes: dict[int, int] = {}
    for div in structure.divs:
        if "respondent-quote" not in div.attributes.classes:
            continue
        group = next(
            (g for g in groups if g.line < div.line and div.line < (g.end_line or 10**9)), None
        )
        key = group.line if group else div.line
        sizes[key] = sizes.get(key, 0) + 1
    return [sizes[key] for key in sorted(sizes)]


def _block_quote_runs(pdf: pikepdf.Pdf) -> list[tuple[int, str | None]]:
    """Each run of sibling BlockQuote elements: its length and the element after it."""
    runs = []
    for element in [pdf.Root.StructTreeRoot, *structure_elements(pdf.Root.StructTreeRoot)]:
        kids = element.get("/K")
        kinds = [
            str(kid.get("/S")) if isinstance(kid, pikepdf.Dictionary) else None
            for kid in (kids if isinstance(kids, pikepdf.Array) else [kids])
        ]
        for index, kind in enumerate(kinds):
            if kind == "/BlockQuote" and (index == 0 or kinds[index - 1] != "/BlockQuote"):
                length = next(
                    (n for n, k in enumerate(kinds[index:]) if k != "/BlockQuote"),
                    len(kinds) - index,
                )
                after = kinds[index + length] if index + length < len(kinds) else None
                runs.append((length, after))
    return runs


@pytest.mark.slow
class TestQuotes:
    def test_each_quote_is_its_own_block_quote(
        self, pdf: pikepdf.Pdf, project: ProjectPaths
    ) -> None:
        expected = _quote_groups(project.report.read_text(encoding="utf-8"))
        assert 2 in expected  # the brief groups two quotes under one attribution
        elements = structure_elements(pdf.Root.StructTreeRoot)
        quotes = [element for element in elements if element.get("/S") == "/BlockQuote"]
        assert len(quotes) == sum(expected)
        assert all(
            [str(kid.get("/S")) for kid in structure_elements(quote)] in (["/P"], ["/P", "/P"])
            for quote in quotes
        )
        runs = _block_quote_runs(pdf)
        assert [length for length, _ in runs] == expected

    def test_a_group_shares_one_attribution_after_its_quotes(
        self, pdf: pikepdf.Pdf, project: ProjectPaths
    ) -> None:
        expected = _quote_groups(project.report.read_text(encoding="utf-8"))
        runs = _block_quote_runs(pdf)
        # A lone quote holds its attribution; a group's follows its quotes as a paragraph.
        assert [after for length, after in runs if length > 1] == ["/P"] * expected.count(2)
        elements = structure_elements(pdf.Root.StructTreeRoot)
        quotes = [element for element in elements if element.get("/S") == "/BlockQuote"]
        grouped = [len(list(structure_elements(quote))) for quote in quotes]
        assert grouped.count(1) == sum(size for size in expected if size > 1)
        reader = pypdf.PdfReader(project.output / "report.pdf")
        text = "\n".join(page.extract_text() for page in reader.pages)
        assert text.count(GROUP_ATTRIBUTION) == sum(1 for size in expected if size > 1)
        assert len(re.findall(r"— Survey respondent\b(?!s)", text)) == expected.count(1)


# Row headers.


@pytest.mark.slow
class TestRowHeadersHtml:
    def test_theme_cells_are_scoped_row_headers(
        self, page: BeautifulSoup, groups: list[list[int]]
    ) -> None:
        tables = page.find_all("table")
        assert len(tables) == len(groups)
        for table, sizes in zip(tables, groups, strict=True):
            heads = [th for body in table.find_all("tbody") for th in body.find_all("th")]
            assert [th.get("scope") for th in heads] == [
                "rowgroup" if size > 1 else "row" for size in sizes
            ]
            assert [int(th.get("rowspan", 1)) for th in heads] == sizes
            assert {th.get("scope") for th in table.thead.find_all("th")} == {"col"}

    def test_both_scopes_occur(self, page: BeautifulSoup) -> None:
        scopes = {th.get("scope") for th in page.select("tbody th")}
        assert scopes == {"row", "rowgroup"}


@pytest.mark.slow
class TestRowHeadersPdf:
    def test_theme_cells_are_th_with_row_scope(
        self, pdf: pikepdf.Pdf, groups: list[list[int]], page: BeautifulSoup
    ) -> None:
        tables = _tables(pdf)
        assert len(tables) == len(groups)
        for table, sizes, html in zip(tables, groups, page.find_all("table"), strict=True):
            headers = _cells(table, "/TH")
            columns = len(html.thead.find_all("th"))
            assert [_scope(th) for th in headers].count("/Column") == columns
            rows = [th for th in headers if _scope(th) == "/Row"]
            assert len(rows) == len(sizes)
            spans = [int(_attributes(th, "/Table").get("/RowSpan", 1)) for th in rows]
            assert spans == sizes
            assert len(_cells(table, "/TD")) == sum(sizes) * (columns - 1)

    def test_every_data_cell_names_its_theme(self, pdf: pikepdf.Pdf) -> None:
        by_id = dict(zip(*[iter(pdf.Root.StructTreeRoot.IDTree.Names)] * 2, strict=True))
        for table in _tables(pdf):
            named: dict[str, int] = {}
            for cell in _cells(table, "/TD"):
                ids = [str(value) for value in _attributes(cell, "/Table").get("/Headers", [])]
                themes = [i for i in ids if _scope(by_id[pikepdf.String(i)]) == "/Row"]
                assert len(themes) == 1, ids
                named[themes[0]] = named.get(themes[0], 0) + 1
            for th in _cells(table, "/TH"):
                if _scope(th) == "/Row":
                    assert by_id[th.ID].objgen == th.objgen
                    span = int(_attributes(th, "/Table").get("/RowSpan", 1))
                    columns = len([c for c in _cells(table, "/TH") if _scope(c) == "/Column"])
                    assert named[str(th.ID)] == span * (columns - 1)


# Table placement.


def _text_starts(path: Path) -> dict[str, list[float]]:
    """Where each run of text starts across the page, in points from the left edge."""
    starts: dict[str, list[float]] = {}

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            starts.setdefault(text.strip(), []).append(x)

    for page in pypdf.PdfReader(path).pages:
        page.extract_text(visitor_text=visit)
    return starts


@pytest.mark.slow
def test_every_table_starts_at_the_left_margin(project: ProjectPaths, page: BeautifulSoup) -> None:
    """Narrow tables such as Software are not centred: they start where the wide ones do."""
    starts = _text_starts(project.output / "report.pdf")
    themes = [table.tbody.th.get_text(strip=True) for table in page.find_all("table")]
    assert themes[-1] == "Python"  # the first row of the Software table
    # A theme that wraps starts with its first line's run of text.
    lefts = [
        min(x for run, xs in starts.items() if len(run) > 3 and theme.startswith(run) for x in xs)
        for theme in themes
    ]
    assert all(abs(left - (LEFT_MARGIN + CELL_INSET)) < 0.5 for left in lefts), lefts
    # The Software table is much narrower than the text, so this is not trivially true.
    assert min(starts["Version"]) - LEFT_MARGIN < 150


# tag_row_headers on Typst's output directly.

TABLES = """
#set document(title: [Tables])
#set text(lang: "en")
#table(
  columns: 3,
  table.header([Theme], [Need], [Count]),
  table.cell(rowspan: 2)[A], [a1], [1],
  [a2], [2],
  [B], [b1], [3],
)
#table(columns: 1, table.header([Only]), [x], [y])
#table(columns: 2, [no], [header], [at], [all])
"""


@pytest.fixture(scope="module")
def compiled() -> bytes:
    return typst.compile(
        TABLES.encode("utf-8"),
        font_paths=[str(font_folder())],
        ignore_system_fonts=True,
        pdf_standards=["ua-1"],
        timestamp=0,
    )


def _open(data: bytes, tmp_path: Path) -> pikepdf.Pdf:
    path = tmp_path / "tables.pdf"
    path.write_bytes(data)
    return pikepdf.open(path)


def test_typst_alone_tags_no_row_headers(compiled: bytes, tmp_path: Path) -> None:
    """Why the renderer adds them: Typst 0.15 has no row-header tagging without a11y-extras."""
    with _open(compiled, tmp_path) as pdf:
        scopes = {_scope(th) for table in _tables(pdf) for th in _cells(table, "/TH")}
    assert scopes == {"/Column"}


def test_first_column_body_cells_become_row_headers(compiled: bytes, tmp_path: Path) -> None:
    with _open(tag_row_headers(compiled), tmp_path) as pdf:
        assert pdf.check_pdf_syntax() == []
        first, single, headless = _tables(pdf)
        rows = [th for th in _cells(first, "/TH") if _scope(th) == "/Row"]
        assert [str(th.ID) for th in rows] == ["U1x0y1", "U1x0y3"]
        assert [int(_attributes(th, "/Table").get("/RowSpan", 1)) for th in rows] == [2, 1]
        headers = [
            [str(i) for i in _attributes(td, "/Table")["/Headers"]] for td in _cells(first, "/TD")
        ]
        assert headers == [
            ["U1x1y0", "U1x0y1"],
            ["U1x2y0", "U1x0y1"],
            ["U1x1y0", "U1x0y1"],
            ["U1x2y0", "U1x0y1"],
            ["U1x1y0", "U1x0y3"],
            ["U1x2y0", "U1x0y3"],
        ]
        assert [_scope(th) for th in _cells(single, "/TH")] == ["/Column"]
        assert len(_cells(single, "/TD")) == 2
        assert [str(th.ID) for th in _cells(headless, "/TH")] == ["U3x0y0", "U3x0y1"]
        names = [str(name) for name in pdf.Root.StructTreeRoot.IDTree.Names[::2]]
        assert names == sorted(names)
        assert {"U1x0y1", "U1x0y3", "U3x0y0", "U3x0y1"} <= set(names)


def test_an_untagged_file_is_left_as_it_is() -> None:
    untagged = typst.compile(TABLES.encode("utf-8"), pdf_tags=False)
    assert tag_row_headers(untagged) == untagged


def test_the_update_is_appended_and_repeatable(compiled: bytes) -> None:
    tagged = tag_row_headers(compiled)
    assert tagged.startswith(compiled)
    assert tag_row_headers(compiled) == tagged


def test_the_same_input_gives_the_same_bytes_in_every_process(
    compiled: bytes, tmp_path: Path
) -> None:
    """pypdf finds the changed objects by Python hashes, which differ between processes."""
    source = tmp_path / "compiled.pdf"
    source.write_bytes(compiled)
    script = (
        "import sys; from pathlib import Path; from ltbrief.render.pdf import tag_row_headers; "
        "sys.stdout.buffer.write(tag_row_headers(Path(sys.argv[1]).read_bytes()))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script, str(source)],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert outputs == {tag_row_headers(compiled)}


def _content(item: pikepdf.Object) -> bytes:
    if isinstance(item, pikepdf.Stream):
        return item.stream_dict.unparse(resolved=True) + item.read_raw_bytes()
    return item.unparse(resolved=True)


def test_only_the_changed_structure_elements_are_appended(compiled: bytes) -> None:
    """No page content changes, and the trailer keeps the file's Info and ID."""
    tagged = tag_row_headers(compiled)
    appended = re.findall(rb"(?m)^(\d+) 0 obj\b", tagged[len(compiled) :])
    with pikepdf.open(io.BytesIO(compiled)) as before, pikepdf.open(io.BytesIO(tagged)) as after:
        changed = {
            item.objgen[0]
            for item in before.objects
            if _content(item) != _content(after.get_object(item.objgen))
        }
        assert sorted(int(number) for number in appended) == sorted(changed)
        kinds = {str(after.get_object(number, 0).Type) for number in changed}
        assert kinds == {"/StructElem", "/StructTreeRoot"}
        assert after.trailer.ID.unparse() == before.trailer.ID.unparse()
        assert after.docinfo.unparse() == before.docinfo.unparse()
        assert after.docinfo.objgen == before.docinfo.objgen


DAMAGE = {
    "empty": lambda pdf: b"",
    "not a PDF": lambda pdf: b"<html>not a PDF</html>",
    "cut short": lambda pdf: pdf[: len(pdf) // 2],
    "objects moved": lambda pdf: pdf.replace(b"/StructTreeRoot", b"/StructTreeRoot ", 1),
}


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_a_file_it_cannot_read_stops_the_build(
    compiled: bytes, damage: Callable[[bytes], bytes]
) -> None:
    with pytest.raises(BuildError, match="row headers"):
        tag_row_headers(damage(compiled))


def test_a_file_with_a_cross_reference_stream_stops_the_build(
    compiled: bytes, tmp_path: Path
) -> None:
    """The update is a classic cross-reference table, which may only follow one."""
    with _open(compiled, tmp_path) as pdf:
        rewritten = tmp_path / "streams.pdf"
        pdf.save(rewritten, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    with pytest.raises(BuildError, match="row headers: the file ends in a cross-reference stream"):
        tag_row_headers(rewritten.read_bytes())
