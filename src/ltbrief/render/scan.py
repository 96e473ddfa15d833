"""Read the structure of Quarto-subset Markdown line by line, keeping line numbers.

The lint needs to say *where* something is, which Pandoc's AST cannot tell it, so this
scanner finds the few block structures the brief uses: fenced code, fenced divs with
their attributes, headings, block quotes and images.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

_FENCE = re.compile(r"^ {0,3}(?P<marker>`{3,}|~{3,})\s*(?P<info>.*)$")
_DIV_OPEN = re.compile(r"^ {0,3}:{3,}\s*(?P<attributes>\{[^}]*\}|[\w-]+)\s*:*\s*$")
_DIV_CLOSE = re.compile(r"^ {0,3}:{3,}\s*$")
_HEADING = re.compile(r"^ {0,3}(?P<hashes>#{1,6})(?:[ \t]+(?P<text>.*?))?[ \t]*$")
_BLOCK_QUOTE = re.compile(r"^ {0,3}>[ ]?(?P<text>.*)$")
_ATTRIBUTE = re.compile(
    r"""\.(?P<cls>[\w-]+)|\#(?P<id>[\w:.-]+)|(?P<key>[\w-]+)=(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s}]+))"""
)
_TABLE_ROW = re.compile(r"^ {0,3}\|(?P<cells>.*)$")
_TABLE_RULE = re.compile(r"^[\s|:+=-]*$")
_CELL_SEPARATOR = re.compile(r"(?<!\\)\|")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_IMAGE = re.compile(
    r"!\[(?P<caption>(?:[^\[\]]|\[[^\[\]]*\])*)\]\((?P<src>[^)\s]+)(?:\s+\"[^\"]*\")?\)"
    r"(?P<attributes>\{[^}]*\})?"
)


@dataclass(frozen=True)
class Attributes:
    """The ``{#id .class key="value"}`` of a div, span, image or table."""

    identifier: str = ""
    classes: tuple[str, ...] = ()
    values: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Fence:
    """A fenced code, code-cell or raw block."""

    line: int
    info: str


@dataclass(frozen=True)
class Div:
    """A fenced div; ``end_line`` is ``None`` when it is never closed."""

    line: int
    attributes: Attributes
    end_line: int | None


@dataclass(frozen=True)
class Heading:
    line: int
    level: int
    text: str


@dataclass(frozen=True)
class QuoteLine:
    """One line of a block quote, with the fenced divs it sits in (innermost last)."""

    line: int
    text: str
    divs: tuple[int, ...]


@dataclass(frozen=True)
class Image:
    line: int
    src: str
    caption: str
    attributes: Attributes


@dataclass(frozen=True)
class Cell:
    """The text of one pipe-table cell as written, and its line."""

    line: int
    text: str


@dataclass(frozen=True)
class Structure:
    """Everything the scanner found in one file."""

    fences: tuple[Fence, ...]
    divs: tuple[Div, ...]
    stray_closings: tuple[int, ...]
    headings: tuple[Heading, ...]
    quote_lines: tuple[QuoteLine, ...]


def parse_attributes(text: str) -> Attributes:
    """Parse ``{#id .class key="value"}`` (or a bare class word, as after ``:::``)."""
    text = text.strip()
    if not text.startswith("{"):
        return Attributes(classes=(text,)) if text else Attributes()
    identifier, classes, values = "", [], {}
    for match in _ATTRIBUTE.finditer(text):
        if match["cls"]:
            classes.append(match["cls"])
        elif match["id"]:
            identifier = match["id"]
        else:
            values[match["key"]] = next(
                value for value in (match["dq"], match["sq"], match["bare"]) if value is not None
            )
    return Attributes(identifier, tuple(classes), values)


def scan(text: str) -> Structure:
    """Find fences, fenced divs, headings and block-quote lines, with their line numbers."""
    fences: list[Fence] = []
    opened: list[tuple[int, Attributes]] = []
    divs: list[Div] = []
    stray: list[int] = []
    headings: list[Heading] = []
    quote_lines: list[QuoteLine] = []
    fence_marker = ""
    in_quote = False
    for number, line in enumerate(text.splitlines(), start=1):
        if fence_marker:
            if line.strip().startswith(fence_marker) and not line.strip().strip(fence_marker[0]):
                fence_marker = ""
            continue
        if match := _FENCE.match(line):
            fences.append(Fence(number, match["info"].strip()))
            fence_marker, in_quote = match["marker"], False
        elif match := _DIV_OPEN.match(line):
            opened.append((number, parse_attributes(match["attributes"])))
            in_quote = False
        elif _DIV_CLOSE.match(line):
            if opened:
                start, attributes = opened.pop()
                divs.append(Div(start, attributes, number))
            else:
                stray.append(number)
            in_quote = False
        elif match := _BLOCK_QUOTE.match(line):
            quote_lines.append(QuoteLine(number, match["text"], tuple(s for s, _ in opened)))
            in_quote = True
        elif in_quote and line.strip():
            quote_lines.append(QuoteLine(number, line.strip(), tuple(s for s, _ in opened)))
        elif match := _HEADING.match(line):
            headings.append(Heading(number, len(match["hashes"]), (match["text"] or "").strip()))
        else:
            in_quote = in_quote and bool(line.strip())
    divs += [Div(start, attributes, None) for start, attributes in opened]
    return Structure(
        fences=tuple(fences),
        divs=tuple(sorted(divs, key=lambda div: div.line)),
        stray_closings=tuple(stray),
        headings=tuple(headings),
        quote_lines=tuple(quote_lines),
    )


def find_images(text: str) -> list[Image]:
    """Every Markdown image, with its caption, source and attributes."""
    return [
        Image(
            line=line_of(text, match.start()),
            src=match["src"],
            caption=match["caption"],
            attributes=parse_attributes(match["attributes"] or "{}"),
        )
        for match in _IMAGE.finditer(text)
    ]


def find_table_cells(text: str) -> list[Cell]:
    """Every non-empty cell of every pipe table row (header and body), with its line."""
    cells = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _TABLE_ROW.match(line)
        if not match or _TABLE_RULE.match(line):
            continue
        cells += [
            Cell(number, cell.strip())
            for cell in _CELL_SEPARATOR.split(match["cells"])
            if cell.strip()
        ]
    return cells


def unescape(text: str) -> str:
    """Text as Markdown prints it: backslash escapes of punctuation removed."""
    return _ESCAPE.sub(r"\1", text)


def line_of(text: str, offset: int) -> int:
    """The 1-based line number of a character offset."""
    return text.count("\n", 0, offset) + 1
