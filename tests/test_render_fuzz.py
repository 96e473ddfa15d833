"""Free text is data: any string in a table cell or a quote prints as written in HTML, PDF, DOCX.

Hypothesis writes strings full of HTML, Markdown, Pandoc, Typst and Quarto syntax and control
characters. Each of 14 examples puts 120 of them into one brief (1,680 a run; Hypothesis draws
at most about 150 per example), each string through both paths:

- the table path: a row written by ``ltbrief.summarise.table_markdown`` (the strings as data);
- the quote path: a block quote or an inline quote, written as the editor typed it when the
  lint finds no markup in it (``quotes.find_markup``), and with every ASCII punctuation
  character backslash-escaped otherwise.

Then every output must show each string: every table cell and quote in the HTML and DOCX,
compared one by one; in the PDF, every quote as a run of text and the characters of all the
strings as a multiset (a table cell that wraps interleaves its lines with its neighbours' when
the text is extracted); and the HTML holds no element, attribute or link the same brief
without the strings lacks.

Texts are compared under ``comparable``: NFKC (PDF extraction returns ligatures and other
compatibility forms), typography folded back (Pandoc's smart punctuation sets straight quotes
curly, ``...`` as an ellipsis and ``--``/``---`` as dashes; it is house style, not markup), and
every whitespace and invisible character removed (layout is the renderer's: HTML collapses
spaces, PDF extraction breaks lines where the page did, control characters print as spaces).
"""

from __future__ import annotations

import re
import shutil
import string
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import docx
import pandas as pd
import pypdf
import pytest
from fontTools.ttLib import TTFont
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from ltbrief.codebook import TableSpec
from ltbrief.io import write_yaml
from ltbrief.paths import PATHS, ProjectPaths
from ltbrief.render.document import prepare
from ltbrief.render.engine import RENDERERS
from ltbrief.render.fonts import font_folder
from ltbrief.render.quotes import block_quotes, find_markup, inline_quotes
from ltbrief.render.scan import scan, unescape
from ltbrief.summarise import table_markdown

pytestmark = pytest.mark.slow

STRINGS_PER_BRIEF = 120
BRIEFS = 14
# A header line long enough that Pandoc always gives the table relative column widths
# (<colgroup>), as it does for the brief's own tables, whatever the fuzzed cells' length; short
# words, so the PDF repeats the header on each page on one line, and the check can remove it.
HEADERS = ("Theme" + " " * 72, "Text", "N")
REPEATED_HEADER = "ThemeTextN"
SPEC = TableSpec("tbl-fuzz", "Fuzzed cells", "challenge", "subthemes-by-theme", HEADERS)
HOSTILE = (
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<b>", "</p>", "<!--", "-->",
    "*", "**", "_", "#", "# ", "[x](y)", "[x]", "![a](b)", "|", "| a |", "@cite", "@tbl-x",
    "[@a]", "[^n]", "^[note]", ":::", "::: {.x}", "#set text(red)", '#import "x"', "#{1}", "$",
    "$x^2$", "<label>", "@label", "{{< var x >}}", "{{< include /etc/passwd >}}",
    "{{{< var x >}}}", "\\", "\\\\", "\\\n", "`", "```", "~~", "~", "^", "&amp;", "&#65;", "\n",
    "\n\n", "\r\n", "\r", "\t", "\x00", "\x0c", "\x1b", "\x85", "\u2028", "\u202e", "\u2066",
    "\ufffe", "\ufeff", "1. ", "- ", "+ ", "* ", "(a) ", "a) ", "A.  ", "iv. ", "#. ", "(@) ",
    "> ", "    ", "---", "===", "***", "+---+", ": ", "[x]: y", '"', "'", "...", "--", "Mr. ",
    "Table: ", "%", "=", "/", "-?", "=x", "\\(", "<http://x.org>", "x  \n", "[being]", "[...]",
    "//", "/*", "*/", "\\u{41}", "1'", "https://x.org", "\u00a0", "\u200b", "½", "ﬁ",
)  # fmt: skip
# The characters the brief's font draws, and the controls, separators and noncharacters the
# renderer neutralises. Left out: letters the font lacks (Typst draws them in another font or
# builds them from a base and an accent, and pypdf cannot always read those back), combining
# marks (they join the glyph before them, perhaps the template's) and the soft hyphen (it
# prints a hyphen wherever a line breaks at it).
FONT_CHARACTERS = sorted(
    chr(code)
    for code in TTFont(font_folder() / "AtkinsonHyperlegible-Regular.ttf").getBestCmap()
    if unicodedata.category(chr(code)) not in ("Mn", "Cc") and chr(code) != "\xad"
)
CHARACTERS = st.one_of(
    st.sampled_from(FONT_CHARACTERS),
    st.characters(categories=("Cc",)),
    st.sampled_from("\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2069\ufeff\ufffe\uffff"),
)
FREE_TEXT = st.lists(
    st.one_of(st.sampled_from(HOSTILE), st.text(CHARACTERS, min_size=1, max_size=6)), max_size=10
).map("".join)
_INVISIBLE_CONTROLS = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]"
)
_TYPOGRAPHY = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "--", "—": "---"})


def printable(text: str) -> str:
    """What a string prints as: control characters as spaces, non-text as U+FFFD."""
    shown = _INVISIBLE_CONTROLS.sub(" ", text)
    return "".join("\ufffd" if unicodedata.category(c) in ("Cs", "Cn") else c for c in shown)


def comparable(text: str) -> str:
    """Text reduced to what literal rendering must keep (see the module docstring)."""
    folded = unicodedata.normalize("NFKC", text).translate(_TYPOGRAPHY)
    return "".join(c for c in folded if not (c.isspace() or unicodedata.category(c)[0] == "C"))


def escape_everything(text: str) -> str:
    """A string as an editor can always write it in a quote: every ASCII punctuation escaped."""
    return "".join("\\" + c if c in string.punctuation else c for c in printable(text)).strip()


@dataclass(frozen=True)
class QuoteSlot:
    """One quote in the fuzzed brief: its Markdown, and the text it must print."""

    markdown: str
    expected: str


def quote_slot(index: int, text: str) -> QuoteSlot:
    """Write ``text`` as a block (even ``index``) or inline quote, raw if the lint allows it."""
    block = index % 2 == 0
    attributes = f'{{.respondent-quote response="R{index}"}}'
    for written in (text, escape_everything(text)):
        if block:
            body = "\n".join("> " + line for line in written.split("\n"))
            markdown = f"::: {attributes}\n{body}\n:::"
            found = block_quotes(scan(markdown))
        else:
            markdown = f"Said: [{written}]{attributes}"
            found = inline_quotes(markdown)
        if [quote.lines for quote in found] == [tuple(written.split("\n"))] and not find_markup(
            found[0]
        ):
            return QuoteSlot(markdown, unescape(written))
    raise AssertionError(f"the lint refuses even the escaped quote {written!r}")


def write_brief(root: Path, strings: Sequence[str]) -> list[QuoteSlot]:
    """A project whose brief holds one table row and one quote per string."""
    paths = ProjectPaths.at(root)
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(PATHS.quarto_config, paths.quarto_config)
    rows = pd.DataFrame(
        [(f"{n}{text}", text, n) for n, text in enumerate(strings)], columns=list(SPEC.headers)
    )
    (root / "table.md").write_text(table_markdown(SPEC, rows), encoding="utf-8")
    slots = [quote_slot(n, text) for n, text in enumerate(strings)]
    paths.report.write_text(
        "---\ntitle: Fuzz\nauthor: LT\ndate: '2021'\n---\n\n## Table\n\n"
        "{{< include table.md >}}\n\n## Quotes\n\n"
        + "\n\n".join(slot.markdown for slot in slots)
        + "\n",
        encoding="utf-8",
    )
    write_yaml(paths.variables, {})
    return slots


def render_all(root: Path) -> dict[str, bytes]:
    document = prepare(ProjectPaths.at(root))
    work = root / "work"
    work.mkdir()
    return {name: render(document, work) for name, render in RENDERERS.items()}


class _Page(HTMLParser):
    """Start tags, table cells and quotes of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, tuple[tuple[str, str | None], ...]]] = []
        self.cells: list[str] = []
        self.quotes: list[str] = []
        self._open: list[tuple[str, list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, tuple(attrs)))
        inline_quote = tag == "span" and ("class", "respondent-quote") in attrs
        if tag in ("td", "th", "blockquote") or inline_quote:
            self._open.append((tag, []))

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1][0] == tag:
            _, parts = self._open.pop()
            (self.cells if tag in ("td", "th") else self.quotes).append("".join(parts))

    def handle_data(self, data: str) -> None:
        for _, parts in self._open:
            parts.append(data)


def parse_html(html: bytes) -> _Page:
    page = _Page()
    page.feed(html.decode("utf-8"))
    return page


def pdf_body_text(pdf: bytes, root: Path) -> str:
    """The PDF's text between the running header and footer, in drawing order."""
    path = root / "brief.pdf"
    path.write_bytes(pdf)
    parts: list[str] = []

    def keep_body(text: str, cm: Sequence[float], tm: Sequence[float], *_: object) -> None:
        height = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        if 68 < height < 768:  # inside the template's 2.4 cm bottom and 2.6 cm top margins
            parts.append(text)

    for page in pypdf.PdfReader(path).pages:
        page.extract_text(visitor_text=keep_body)
    return "".join(parts)


def docx_cells_and_quotes(data: bytes, root: Path) -> tuple[list[str], list[str]]:
    """The body cells of the DOCX table, and each quote's text (block, then inline, in order)."""
    path = root / "brief.docx"
    path.write_bytes(data)
    document = docx.Document(str(path))
    cells = [cell.text for row in document.tables[0].rows[1:] for cell in row.cells[:2]]
    quotes, current = [], []
    for paragraph in document.paragraphs:
        if paragraph.style is not None and paragraph.style.name == "Block Text":
            current.append(paragraph.text)
        elif paragraph.text.startswith("— Survey respondent"):
            quotes.append(" ".join(current))
            current = []
        elif paragraph.text.startswith("Said:"):
            quotes.append(paragraph.text.removeprefix("Said:"))
    return cells, quotes


@dataclass(frozen=True)
class Twin:
    """The fuzzed brief's plain twin (every string "x"): its HTML tags and PDF body text."""

    tags: frozenset[tuple[str, tuple[tuple[str, str | None], ...]]]
    pdf_text: str


@pytest.fixture(scope="module")
def twin(tmp_path_factory: pytest.TempPathFactory) -> Twin:
    root = tmp_path_factory.mktemp("plain")
    write_brief(root / "brief", ["x"] * STRINGS_PER_BRIEF)
    outputs = render_all(root / "brief")
    pdf_text = comparable(pdf_body_text(outputs["pdf"], root))
    return Twin(frozenset(parse_html(outputs["html"]).tags), pdf_text)


def check_brief(root: Path, strings: Sequence[str], twin: Twin) -> None:
    """Render one fuzzed brief; every string must print as written, in every format."""
    slots = write_brief(root / "brief", strings)
    outputs = render_all(root / "brief")
    cells = [comparable(printable(t)) for n, s in enumerate(strings) for t in (f"{n}{s}", s)]
    quotes = [comparable(slot.expected) for slot in slots]

    page = parse_html(outputs["html"])
    body_cells = page.cells[len(SPEC.headers) :]
    assert_same([c for n, c in enumerate(body_cells) if n % 3 != 2], cells, "HTML cells")
    assert_same(page.quotes, quotes, "HTML quotes")
    assert set(page.tags) <= twin.tags, "the HTML has elements or attributes the plain twin lacks"

    docx_cells, docx_quotes = docx_cells_and_quotes(outputs["docx"], root)
    assert_same(docx_cells, cells, "DOCX cells")
    assert_same(docx_quotes, quotes, "DOCX quotes")

    body = comparable(pdf_body_text(outputs["pdf"], root))
    assert [quote for quote in quotes if quote not in body] == [], "PDF quotes"
    placeholders = "".join(comparable(f"{n}xxx") for n in range(len(strings)))
    assert Counter(body.replace(REPEATED_HEADER, "")) + Counter(placeholders) == Counter(
        twin.pdf_text.replace(REPEATED_HEADER, "")
    ) + Counter("".join(cells + quotes)), "PDF characters"


def assert_same(actual: Sequence[str], expected: Sequence[str], what: str) -> None:
    """Each extracted text, made comparable, equals the expected one in the same place."""
    found = [comparable(item) for item in actual]
    differ = [(e, f) for e, f in zip(expected, found, strict=False) if e != f]
    assert len(found) == len(expected) and not differ, (what, differ[:3])


def test_free_text_prints_literally_in_every_format(
    tmp_path_factory: pytest.TempPathFactory, twin: Twin
) -> None:
    rendered: list[str] = []

    # No shrinking: each step renders three documents, and the failure already names the
    # strings that differ.
    @settings(
        max_examples=BRIEFS,
        deadline=None,
        phases=(Phase.explicit, Phase.reuse, Phase.generate),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(st.lists(FREE_TEXT, min_size=STRINGS_PER_BRIEF, max_size=STRINGS_PER_BRIEF))
    def one_brief(strings: list[str]) -> None:
        check_brief(tmp_path_factory.mktemp("fuzz"), strings, twin)
        rendered.extend(strings)

    one_brief()
    assert sum(bool(text) for text in rendered) >= 1000, "too few strings were generated"
