"""The rendered brief: HTML, PDF and DOCX carry the whole content, accessibly and reproducibly.

Renders the real ``report.qmd`` against the fixture data (tests/fixtures/render/) in a
temporary project, never in the repository's own ``_output/``.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import docx
import pikepdf
import pypdf
import pytest

from ltbrief.paths import PATHS, ProjectPaths
from ltbrief.render import render
from ltbrief.render.crossref import find_labels
from ltbrief.render.quotes import block_quotes, inline_quotes
from ltbrief.render.scan import scan
from ltbrief.render.shortcodes import expand_variables, load_variables
from tests.fixtures.render.fixture import make_project

pytestmark = pytest.mark.slow

FREE_TEXT = "<b>x</b> <script>alert(1)</script> #set $1 @a {{< var y >}} *not bold*"
A4_POINTS = (595.28, 841.89)
_FOOTNOTE = re.compile(r"^\[\^[\w-]+\]:\s*(?P<text>.+)$", re.MULTILINE)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> ProjectPaths:
    paths = make_project(tmp_path_factory.mktemp("brief"))
    render(paths)
    return paths


def plain(text: str) -> str:
    """Text as a reader sees it: one kind of quote mark and ellipsis, single spaces."""
    text = unicodedata.normalize("NFKC", text).replace("...", "…")
    text = re.sub(r"[\"“”'‘’]", "", text)
    return " ".join(text.split())


class _TextAndTags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._skip += tag in ("style", "script")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("style", "script")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


@pytest.fixture(scope="module")
def page(project: ProjectPaths) -> _TextAndTags:
    parser = _TextAndTags()
    parser.feed((project.output / "report.html").read_text(encoding="utf-8"))
    return parser


def html_text(page: _TextAndTags) -> str:
    return plain(" ".join(page.parts))


def pdf_text(project: ProjectPaths) -> str:
    reader = pypdf.PdfReader(project.output / "report.pdf")
    text = "\n".join(page.extract_text() for page in reader.pages)
    # A line may break after a slash or hyphen; extraction puts a newline there.
    return plain(re.sub(r"(?<=[/-])\n", "", text))


def docx_text(project: ProjectPaths) -> str:
    path = project.output / "report.docx"
    document = docx.Document(str(path))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    with zipfile.ZipFile(path) as archive:
        notes = re.sub(r"<[^>]+>", " ", archive.read("word/footnotes.xml").decode("utf-8"))
    return plain(" ".join([*(p.text for p in document.paragraphs), *cells, notes]))


def expected_content(project: ProjectPaths) -> Iterator[str]:
    """What every format must say: the numbers, table labels, footnotes and quotes."""
    report = project.report.read_text(encoding="utf-8")
    variables = load_variables(project.variables)
    yield from (variables["responses"], variables["partnerships"])
    tables = [
        label for label in find_labels(_included_text(project)) if label.id.startswith("tbl-")
    ]
    yield from (f"Table 1.{number}" for number in range(1, len(tables) + 1))
    for match in _FOOTNOTE.finditer(report):
        note = expand_variables(match["text"], variables, project.report)
        yield re.sub(r"<(https?://[^>]+)>", r"\1", note).replace("\\", "")
    for quote in block_quotes(scan(report)) + inline_quotes(report):
        yield quote.text
    yield FREE_TEXT


def _included_text(project: ProjectPaths) -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in project.tables.glob("*.md"))


@pytest.mark.parametrize("extract", [html_text, pdf_text, docx_text], ids=["html", "pdf", "docx"])
def test_every_number_table_footnote_and_quote_appears(
    project: ProjectPaths, page: _TextAndTags, extract: object
) -> None:
    text = extract(page) if extract is html_text else extract(project)  # type: ignore[operator]
    missing = [item for item in expected_content(project) if plain(item) not in text]
    assert missing == []


class TestHtml:
    def test_landmarks_skip_link_and_one_h1(self, page: _TextAndTags) -> None:
        names = [tag for tag, _ in page.tags]
        assert names.count("h1") == 1
        assert names.count("main") == 1
        assert "header" in names
        assert "footer" in names
        skip = next(attrs for tag, attrs in page.tags if tag == "a")
        main = next(attrs for tag, attrs in page.tags if tag == "main")
        assert skip["href"] == "#" + str(main["id"])
        assert next(attrs for tag, attrs in page.tags if tag == "html")["lang"] == "en-GB"

    def test_tables_have_captions_scoped_headers_and_labelled_regions(
        self, page: _TextAndTags
    ) -> None:
        names = [tag for tag, _ in page.tags]
        assert names.count("table") == names.count("caption") == 4
        headers = [attrs for tag, attrs in page.tags if tag == "th"]
        assert headers
        assert {attrs.get("scope") for attrs in headers} == {"col", "rowgroup", "row"}
        regions = [attrs for _, attrs in page.tags if attrs.get("class") == "table-region"]
        assert len(regions) == 4
        assert all(r["role"] == "region" and r["tabindex"] == "0" for r in regions)
        assert all(str(r["aria-label"]).startswith("Table 1.") for r in regions)

    def test_footnotes_link_both_ways(self, page: _TextAndTags) -> None:
        ids = {attrs.get("id") for _, attrs in page.tags}
        links = [attrs for tag, attrs in page.tags if tag == "a" and attrs.get("href")]
        refs = [a for a in links if a.get("class") == "footnote-ref"]
        backs = [a for a in links if a.get("class") == "footnote-back"]
        assert len(refs) == len(backs) == len(_FOOTNOTE.findall(PATHS.report.read_text()))
        assert all(str(a["href"]).lstrip("#") in ids for a in refs + backs)

    def test_quotes_are_attributed_block_quotes(self, page: _TextAndTags) -> None:
        figures = [attrs for tag, attrs in page.tags if tag == "figure"]
        quotes = [attrs for attrs in figures if attrs.get("class") == "respondent-quote"]
        assert quotes
        assert all(str(attrs["data-responses"]).startswith("PMS20-") for attrs in quotes)
        text = html_text(page)
        assert "Survey respondent" in text
        assert "Survey respondents" in text

    def test_figure_has_alt_text_and_nothing_is_fetched(
        self, project: ProjectPaths, page: _TextAndTags
    ) -> None:
        images = [attrs for tag, attrs in page.tags if tag == "img"]
        assert images
        assert all(attrs.get("alt") and str(attrs["src"]).startswith("data:") for attrs in images)
        html = (project.output / "report.html").read_text(encoding="utf-8")
        assert not re.search(r"""\bsrc=["']?(https?:)?//""", html)
        assert "<link" not in html
        assert "@import" not in html
        assert "script" not in [tag for tag, _ in page.tags]


@pytest.fixture(scope="module")
def pdf(project: ProjectPaths) -> Iterator[pikepdf.Pdf]:
    with pikepdf.open(project.output / "report.pdf") as document:
        yield document


class TestPdf:
    def test_tagged_pdf_ua_1_in_british_english(self, pdf: pikepdf.Pdf) -> None:
        assert "/StructTreeRoot" in pdf.Root
        assert bool(pdf.Root.MarkInfo.Marked)
        assert str(pdf.Root.Lang) == "en-GB"
        with pdf.open_metadata() as xmp:
            assert xmp["pdfuaid:part"] == "1"
            assert xmp["dc:title"] == "Challenges and support needs of partnerships"
        assert bool(pdf.Root.ViewerPreferences.DisplayDocTitle)

    def test_a_bookmark_per_heading(self, pdf: pikepdf.Pdf, project: ProjectPaths) -> None:
        headings = scan(project.report.read_text(encoding="utf-8")).headings
        titles = _outline_titles(pdf.Root.Outlines)
        assert titles == ["Challenges and support needs of partnerships"] + [
            heading.text for heading in headings
        ]

    def test_table_headers_and_figure_alt_text(self, pdf: pikepdf.Pdf) -> None:
        elements = list(structure_elements(pdf.Root.StructTreeRoot))
        tables = [element for element in elements if element.get("/S") == "/Table"]
        assert len(tables) == 4
        assert all(any(e.get("/S") == "/TH" for e in structure_elements(table)) for table in tables)
        figures = [element for element in elements if element.get("/S") == "/Figure"]
        assert figures
        assert all(str(figure.get("/Alt", "")).startswith("Bar chart") for figure in figures)

    def test_a4_pages_and_only_our_font(self, pdf: pikepdf.Pdf) -> None:
        for page in pdf.pages:
            width, height = (float(value) for value in page.MediaBox[2:])
            assert (round(width, 2), round(height, 2)) == A4_POINTS
        fonts = {
            str(font.BaseFont).split("+")[-1]
            for page in pdf.pages
            for font in page.Resources.get("/Font", {}).values()
        }
        assert fonts
        assert all(name.startswith("AtkinsonHyperlegible") for name in fonts), fonts


def _outline_titles(node: pikepdf.Object) -> list[str]:
    titles, item = [], node.get("/First")
    while item is not None:
        titles += [str(item.Title), *_outline_titles(item)]
        item = item.get("/Next")
    return titles


def structure_elements(node: pikepdf.Object) -> Iterator[pikepdf.Dictionary]:
    """Every structure element below ``node``, depth first."""
    kids = node.get("/K") if isinstance(node, pikepdf.Dictionary) else None
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield kid
            yield from structure_elements(kid)


class TestDocx:
    def test_figure_keeps_its_alt_text_and_tables_their_rows(self, project: ProjectPaths) -> None:
        path = project.output / "report.docx"
        with zipfile.ZipFile(path) as archive:
            body = archive.read("word/document.xml").decode("utf-8")
            media = [name for name in archive.namelist() if name.startswith("word/media/")]
        assert re.search(r'<wp:docPr descr="Bar chart of the number', body)
        assert media
        assert all(name.endswith(".png") for name in media)
        document = docx.Document(str(path))
        assert len(document.tables) == 4
        assert all(len(table.rows) > 1 for table in document.tables)


def test_two_renders_give_identical_bytes(tmp_path: Path, project: ProjectPaths) -> None:
    """A second build, in another folder, writes byte-identical HTML, PDF and DOCX."""
    again = make_project(tmp_path / "elsewhere")
    render(again)
    for name in ("report.html", "report.pdf", "report.docx"):
        assert (again.output / name).read_bytes() == (project.output / name).read_bytes(), name
