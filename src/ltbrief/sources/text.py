"""Delimited text exports (CSV, TSV): encoding and delimiter found, every cell read as typed.

Encodings seen in survey exports: UTF-8 with or without a byte-order mark (Excel's "CSV
UTF-8" writes one), UTF-16 with a mark (tab-separated exports), and Windows-1252 (Excel's
plain "CSV" on Windows). Detection is by rule, not by guessing: a statistical detector
reads short Western European text as Central European and garbles it. Delimiters: comma,
semicolon (Excel in locales with a decimal comma, sometimes announced by a first line
``sep=;``) and tab.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from ltbrief.errors import BuildError
from ltbrief.sources.grid import Grid

DELIMITERS = (",", ";", "\t")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
CODECS = {"utf-8": "utf-8", "windows-1252": "cp1252", "latin-1": "latin-1", "utf-16": "utf-16"}
ENCODING_NAMES = {"utf-8": "UTF-8", "windows-1252": "Windows-1252", "latin-1": "Latin-1",
                  "utf-16": "UTF-16"}  # fmt: skip
# Far above any real answer, so that an over-long cell is read and reported with its
# row and column by the suites, not cut off by the csv module's 128 KiB default.
_MAX_CELL_CHARACTERS = 2**31 - 1
_RECORDS_TO_SNIFF = 5
_SNIFF_CHARACTERS = 1 << 20
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_SEPARATOR_LINE = re.compile(r"\Asep=(.)\r?\n")
ENCODING_ACTION = (
    "export the file again as CSV UTF-8, or declare its encoding as survey.encoding in "
    "data/sources.yml"
)


def read_text_grid(path: Path, encoding: str = "auto", delimiter: str | None = None) -> Grid:
    """Read a delimited text file into rows of text cells, saying what it had to do.

    ``encoding`` is ``auto`` or one of ``CODECS``; ``delimiter`` is found from the
    first records when not given. Blank lines are left out but still count as rows.
    """
    text, notes = decode(read_raw_bytes(path), path, encoding)
    if "\x00" in text:
        raise BuildError(
            "the file contains a NUL byte: it is binary, corrupted, or UTF-16 without a "
            "byte-order mark",
            file=path,
            line=text[: text.index("\x00")].count("\n") + 1,
            expected="a text CSV export",
            action="export the file again from the survey tool as CSV (UTF-8)",
        )
    skipped_lines = 0
    announced = _SEPARATOR_LINE.match(text)
    if announced and announced.group(1) in DELIMITERS:
        # Excel's hint line: Excel itself hides it, so the header is still row 1.
        text = text[announced.end() :]
        skipped_lines = 1
        notes.append(f"{path.name}: skipped the first line 'sep={announced.group(1)}'")
        delimiter = delimiter or announced.group(1)
    if delimiter is None:
        delimiter = _sniff_delimiter(text)
        if delimiter != ",":
            notes.append(f"{path.name}: {DELIMITER_NAMES[delimiter]}-separated")
    records = _parse(text, path, delimiter, skipped_lines)
    numbers = [number for number, cells in enumerate(records, start=1) if cells]
    rows = [cells for cells in records if cells]
    if not rows:
        raise BuildError(
            "the file holds no rows",
            file=path,
            expected="a header row and one row per record under it",
            action="export the data again; the survey tool may have failed part way",
        )
    line_of = _line_finder(text, path, delimiter, skipped_lines)
    width = len(rows[0])
    ragged = next((i for i, cells in enumerate(rows) if len(cells) != width), None)
    if ragged is not None:
        raise BuildError(
            f"this row has {len(rows[ragged])} cells but the header has {width}",
            file=path,
            row=numbers[ragged],
            line=line_of(numbers[ragged]),
            expected=f"one cell per column, {DELIMITER_NAMES[delimiter]}-separated",
            action="check that row for a stray delimiter or a missing quote, and re-export",
        )
    if width > 1 and all(cells[-1] == "" for cells in rows):
        # Some exporters end every line with a delimiter: a column with no name and no values.
        rows = [cells[:-1] for cells in rows]
        notes.append(
            f"{path.name}: every line ends with a delimiter; ignored the empty last column"
        )
    return Grid(path, rows, numbers, tuple(notes), line_of=line_of)


def read_raw_bytes(path: Path) -> bytes:
    """Read a raw input file, failing clearly when it is missing or empty."""
    if not path.is_file():
        raise BuildError(
            "the file is missing",
            file=path,
            expected="the raw export that data/sources.yml names",
            action="put the export in data/raw/ (or run `make data` for the synthetic one), or "
            "correct its name in data/sources.yml",
        )
    data = path.read_bytes()
    if not data.strip():
        raise BuildError(
            "the file is empty",
            file=path,
            expected="a header row and at least one data row",
            action="export the data again; the survey tool may have failed part way",
        )
    return data


def decode(data: bytes, path: Path, encoding: str = "auto") -> tuple[str, list[str]]:
    """Decode an export, noting any encoding other than plain UTF-8 that had to be read.

    A declared encoding is used as declared. Otherwise: a byte-order mark decides; then
    UTF-8 if the bytes are UTF-8; then Windows-1252. A file that is UTF-8 in places and
    not in others is refused (read as Windows-1252 it would garble every UTF-8 character
    in it), and so are bytes that no candidate encoding defines.
    """
    if encoding != "auto":
        return _decode_declared(data, path, encoding)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), [f"{path.name}: read as UTF-16 (it starts with its mark)"]
    notes = []
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
        notes.append(f"{path.name}: removed a UTF-8 byte-order mark")
    try:
        return data.decode("utf-8"), notes
    except UnicodeDecodeError as error:
        if _UTF8_SEQUENCE.search(data):
            raise BuildError(
                "this line is not UTF-8 but other lines are: the file mixes two text encodings",
                file=path,
                line=data[: error.start].count(b"\n") + 1,
                expected="one encoding throughout, UTF-8",
                action="retype the odd characters on that line (often quotes or dashes pasted "
                "from Word), or export the whole file again as CSV UTF-8",
            ) from None
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as error:
        raise BuildError(
            "the encoding cannot be decided: the file is not UTF-8, and it holds bytes that "
            "Windows-1252 does not define (Latin-1 would read them as control characters)",
            file=path,
            line=data[: error.start].count(b"\n") + 1,
            expected="a CSV export saved as UTF-8 (or Windows-1252)",
            action=ENCODING_ACTION,
        ) from None
    if re.search(rb"[\x80-\x9f]", data):
        return text, [*notes, f"{path.name}: not UTF-8; read as Windows-1252"]
    return text, [
        *notes,
        f"{path.name}: not UTF-8; read as Windows-1252 (Latin-1 reads this file the same)",
    ]


def _decode_declared(data: bytes, path: Path, encoding: str) -> tuple[str, list[str]]:
    notes = [f"{path.name}: read as {ENCODING_NAMES[encoding]}, as data/sources.yml declares"]
    if encoding == "utf-8" and data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
        notes.append(f"{path.name}: removed a UTF-8 byte-order mark")
    try:
        return data.decode(CODECS[encoding]), notes
    except UnicodeDecodeError as error:
        raise BuildError(
            f"the file is not {ENCODING_NAMES[encoding]} as data/sources.yml declares "
            f"(byte {error.start + 1} cannot be read)",
            file=path,
            line=data[: error.start].count(b"\n") + 1,
            expected=f"{ENCODING_NAMES[encoding]} text",
            action="correct survey.encoding in data/sources.yml (or remove it to let the "
            "reader decide), or export the file again as CSV UTF-8",
        ) from None


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first records into equal rows of most cells.

    When none does, a comma: reading the file then says precisely what is wrong with it.
    """
    widths = {}
    for delimiter in DELIMITERS:
        records = _first_records(text, delimiter)
        if records and len(records[0]) > 1 and all(len(r) == len(records[0]) for r in records):
            widths[delimiter] = len(records[0])
    return max(widths, key=lambda delimiter: widths[delimiter], default=",")


def _first_records(text: str, delimiter: str) -> list[list[str]]:
    records = []
    # The first records are far shorter than this; copying the whole text would not be.
    reader = csv.reader(io.StringIO(text[:_SNIFF_CHARACTERS], newline=""), delimiter=delimiter)
    try:
        with _csv_field_limit(_MAX_CELL_CHARACTERS):
            for cells in reader:
                if cells:
                    records.append(cells)
                if len(records) == _RECORDS_TO_SNIFF:
                    break
    except csv.Error:
        return []
    return records


def _parse(text: str, path: Path, delimiter: str, skipped_lines: int) -> list[list[str]]:
    with _csv_field_limit(_MAX_CELL_CHARACTERS):
        try:
            return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
        except csv.Error:
            # Reading again record by record finds where the file breaks, to say so.
            _record_lines(text, path, delimiter, skipped_lines)
            raise


def _line_finder(
    text: str, path: Path, delimiter: str, skipped_lines: int
) -> Callable[[int], int | None]:
    """A function giving the file line a row starts on, worked out once, when first asked."""

    @cache
    def lines() -> dict[int, int]:
        return _record_lines(text, path, delimiter, skipped_lines)

    return lambda number: lines().get(number)


def _record_lines(text: str, path: Path, delimiter: str, skipped_lines: int) -> dict[int, int]:
    """The file line each record starts on, by spreadsheet row; fail on a broken quote.

    Record by record, several times slower than reading the whole file at once: used
    only to say where a file goes wrong.
    """
    lines = {}
    row = 0
    with _csv_field_limit(_MAX_CELL_CHARACTERS):
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
        while True:
            line = reader.line_num + 1 + skipped_lines
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                raise BuildError(
                    _describe_csv_error(str(error), reader.line_num + skipped_lines),
                    file=path,
                    row=row + 1,
                    line=line,
                    expected=f"{DELIMITER_NAMES[delimiter]}-separated cells; a quote inside a "
                    'quoted cell doubled ("")',
                    action="look at that row in a text editor, close or double the quote, "
                    "and re-export",
                ) from None
            row += 1
            if cells:
                lines[row] = line
    return lines


def _describe_csv_error(message: str, at_line: int) -> str:
    """Say in words what the csv module's error means for the person fixing the file."""
    if "unexpected end of data" in message:
        return "a quoted cell in the row starting here is never closed"
    if "expected after" in message:
        return (
            f"a quote ends a cell early: text follows the closing quote on line {at_line} "
            "before the next delimiter"
        )
    return f"the CSV cannot be read ({message}, line {at_line})"


@contextmanager
def _csv_field_limit(limit: int) -> Iterator[None]:
    """Let the csv module read cells up to ``limit`` characters, then restore its limit."""
    previous = csv.field_size_limit(limit)
    try:
        yield
    finally:
        csv.field_size_limit(previous)
