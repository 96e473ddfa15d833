"""Reading inputs and writing outputs: deterministic bytes, written atomically.

Every output goes to a temporary file beside its target and is moved into place
only once complete, so a failed build leaves the last good output untouched.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import os
import re
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from ltbrief.errors import BuildError

if TYPE_CHECKING:
    # pandas and pyarrow take most of a second to load; a build with nothing to do, which
    # only checks checksums, never needs them.
    import pandas as pd

# The index of a frame read from a raw export: the row number a spreadsheet shows.
ROW_INDEX = "spreadsheet_row"
# Far above any real answer, so that an over-long cell is read and reported with its
# row and column by the suites, not cut off by the csv module's 128 KiB default.
_MAX_CELL_CHARACTERS = 2**31 - 1
_MAX_NAME_SHOWN = 60
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


@contextmanager
def _atomic_target(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; replace ``path`` with it on success."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    temporary_path = Path(temporary)
    try:
        yield temporary_path
        temporary_path.chmod(0o644)
        temporary_path.replace(path)
    finally:
        temporary_path.unlink(missing_ok=True)


def write_bytes(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically."""
    with _atomic_target(path) as temporary:
        temporary.write_bytes(data)
    return path


def write_text(path: Path, text: str) -> Path:
    """Write UTF-8 text with Unix line endings to ``path`` atomically."""
    return write_bytes(path, text.encode("utf-8"))


def write_csv(path: Path, frame: pd.DataFrame) -> Path:
    """Write ``frame`` as UTF-8 CSV with ``\\n`` line endings and no index, atomically."""
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\n")
    return write_text(path, buffer.getvalue())


def write_yaml(path: Path, data: object) -> Path:
    """Write ``data`` as block-style YAML in the order given, atomically."""
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False)
    return write_text(path, text)


def write_json(path: Path, data: object) -> Path:
    """Write ``data`` as indented JSON with a final newline, atomically."""
    return write_text(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def read_yaml_mapping(path: Path, what: str, action: str) -> dict[str, Any]:
    """Read a YAML file that must hold a mapping, failing with its line and ``action``."""
    if not path.is_file():
        raise BuildError(f"the {what} is missing", file=path, action=action)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise BuildError(
            f"the {what} is not valid YAML ({getattr(error, 'problem', error)})",
            file=path,
            line=mark.line + 1 if mark else None,
            action=action,
        ) from error
    if not isinstance(data, dict):
        raise BuildError(f"the {what} is not a YAML mapping", file=path, action=action)
    return data


def write_parquet(path: Path, frame: pd.DataFrame) -> Path:
    """Write ``frame`` as Parquet with no pandas index and no creation metadata, atomically.

    The pandas schema metadata is kept (it restores dtypes on reading); Parquet
    records no timestamps, so the same frame gives the same bytes.
    """
    # pandas would store ``frame.attrs`` too, and they may hold machine paths.
    detached = frame.copy(deep=False)
    detached.attrs = {}
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(detached, preserve_index=False)
    buffer = io.BytesIO()
    pq.write_table(
        table,
        buffer,
        compression="zstd",
        write_statistics=True,
    )
    return write_bytes(path, buffer.getvalue())


def read_parquet(path: Path) -> pd.DataFrame:
    """Read a stage output written by ``write_parquet``."""
    import pandas as pd

    # Arrow's reader threads can still be alive when Python exits, which aborts the
    # process (SIGABRT, "terminate called without an active exception") about one
    # run in fifteen, whatever the exit code; reading on this thread avoids that.
    return pd.read_parquet(path, use_threads=False, pre_buffer=False)


def read_export(path: Path, columns: Sequence[str]) -> ReadResult:
    """Read a raw CSV export as text, exactly as typed, located by spreadsheet row.

    Every cell is a ``str`` (a blank cell is ``""``), in the order of ``columns``
    whatever the file's order. The ``row`` column and the index (named
    ``ROW_INDEX``) hold the row number a spreadsheet would show (the header is
    row 1), and ``frame.attrs["source"]`` names the file, so that later checks can
    say where a bad value is. UTF-8 with or without a byte-order mark and UTF-16
    with one are read as is, text wholly in Windows-1252 as such, and the result
    says what the reader had to do. The header must hold exactly ``columns``.
    """
    text, notes = _decode(_read_raw_bytes(path), path)
    if "\x00" in text:
        raise BuildError(
            "the file contains a NUL byte: it is binary, corrupted, or UTF-16 without a "
            "byte-order mark",
            file=path,
            line=text[: text.index("\x00")].count("\n") + 1,
            expected="a text CSV export",
            action="export the file again from the survey tool as CSV (UTF-8)",
        )
    with _csv_field_limit(_MAX_CELL_CHARACTERS):
        # The header first: a file in another delimiter fails there, before its quoted cells.
        _check_header(next(csv.reader(io.StringIO(text, newline="")), []), columns, path)
        try:
            header, *body = csv.reader(io.StringIO(text, newline=""), strict=True)
        except csv.Error:
            # Reading again record by record finds where the file breaks, to say so.
            _record_lines(text, path)
            raise
    # A blank line is a row a spreadsheet shows, so it still counts.
    numbers = [number for number, cells in enumerate(body, start=2) if cells]
    records = [cells for cells in body if cells]
    if not records:
        raise BuildError(
            "the file has a header row but no data rows",
            file=path,
            row=2,
            expected="one row per record under the header",
            action="export the data again; the export may have been filtered or cut short",
        )
    wrong = next((i for i, cells in enumerate(records) if len(cells) != len(header)), None)
    if wrong is not None:
        row = numbers[wrong]
        raise BuildError(
            f"this row has {len(records[wrong])} cells but the header has {len(header)}",
            file=path,
            row=row,
            line=_record_lines(text, path)[row],
            expected=f"one cell per column: {', '.join(header)}",
            action="check that row for a stray comma or a missing quote, and re-export",
        )
    import pandas as pd

    rows = pd.Index(numbers, name=ROW_INDEX)
    frame = pd.DataFrame(records, columns=header, index=rows, dtype=object).loc[:, list(columns)]
    frame.insert(0, "row", rows.to_numpy())
    frame.attrs["source"] = str(path)
    if header != list(columns):
        notes.append(f"{path.name}: columns read by name; the file has them in another order")
    return ReadResult(frame, tuple(notes))


@dataclass(frozen=True)
class ReadResult:
    """A raw export as read, with what the reader had to do to read it."""

    frame: pd.DataFrame
    notes: tuple[str, ...]


def _read_raw_bytes(path: Path) -> bytes:
    """Read a raw input file, failing clearly when it is missing or empty."""
    if not path.is_file():
        raise BuildError(
            "the file is missing",
            file=path,
            expected="the raw export described in docs/data-dictionary.md",
            action="put the export in data/raw/ (or run `make data` for the synthetic one)",
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


def _decode(data: bytes, path: Path) -> tuple[str, list[str]]:
    """Decode an export, noting any encoding other than plain UTF-8 that had to be read.

    A file that is UTF-8 in places and not in others is refused: read as
    Windows-1252 it would garble every UTF-8 character in it.
    """
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
            "the file is neither UTF-8 nor Windows-1252 text",
            file=path,
            line=data[: error.start].count(b"\n") + 1,
            expected="a CSV export saved as UTF-8",
            action="export the file again as CSV UTF-8",
        ) from None
    return text, [*notes, f"{path.name}: not UTF-8; read as Windows-1252"]


def _record_lines(text: str, path: Path) -> dict[int, int]:
    """The file line each record starts on, by spreadsheet row; fail on a broken quote.

    Record by record, several times slower than reading the whole file at once: used
    only to say where a file that could not be read goes wrong.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    lines = {}
    row = 0
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise BuildError(
                _describe_csv_error(str(error), reader.line_num),
                file=path,
                row=row + 1,
                line=line,
                expected='comma-separated cells; a quote inside a quoted cell doubled ("")',
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
            "before the next comma"
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


def _check_header(header: list[str], columns: Sequence[str], path: Path) -> None:
    """Fail unless the header holds exactly the expected columns, saying what differs."""
    if len(header) == 1 and len(columns) > 1 and any(sep in header[0] for sep in ";\t|"):
        raise BuildError(
            "the header is one cell: the file is not comma-separated",
            file=path,
            row=1,
            expected=f"comma-separated columns {', '.join(columns)}",
            action="export again as CSV with commas, or convert the delimiter",
        )
    repeated = sorted({_column_name(name) for name in header if header.count(name) > 1})
    missing = [name for name in columns if name not in header]
    extra = [_column_name(name) for name in header if name not in columns]
    if repeated or missing or extra:
        details = "; ".join(
            f"{kind} {', '.join(names)}"
            for kind, names in (("repeated", repeated), ("missing", missing), ("unexpected", extra))
            if names
        )
        raise BuildError(
            f"the header does not match the expected columns ({details})",
            file=path,
            row=1,
            column=(missing or extra or repeated)[0],
            expected=f"columns {', '.join(columns)}",
            action="rename the columns to these names (see docs/data-dictionary.md)",
        )


def _column_name(name: str) -> str:
    """Show a header cell in a message: quoted if odd, cut short if it swallowed later lines."""
    shown = name if name.isidentifier() else repr(name)
    return shown if len(shown) <= _MAX_NAME_SHOWN else shown[: _MAX_NAME_SHOWN - 4] + "...'"


def sha256_of(path: Path) -> str:
    """The SHA-256 hex digest of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_checksums(manifest: Path, files: Sequence[Path]) -> Path:
    """Write a ``sha256sum``-format manifest of ``files``, named relative to its folder."""
    names = {Path(os.path.relpath(path, manifest.parent)).as_posix(): path for path in files}
    lines = [f"{sha256_of(names[name])}  {name}" for name in sorted(names)]
    return write_text(manifest, "\n".join(lines) + "\n")


RAW_DATA_CHANGED = (
    "raw data must not change: restore it (git checkout data/raw); if this is a new export "
    "on purpose, record it with `sha256sum *.csv > SHA256SUMS`"
)


def verify_checksums(manifest: Path, if_changed: str = RAW_DATA_CHANGED) -> list[Path]:
    """Check every file listed in a ``sha256sum``-format manifest; return the files checked.

    ``if_changed`` is what the error tells a person to do when a file differs.
    """
    if not manifest.is_file():
        raise BuildError(
            "the checksum manifest is missing",
            file=manifest,
            expected="a SHA256SUMS file listing every raw input",
            action="restore it from git, or for new raw data run `sha256sum *.csv > SHA256SUMS`",
        )
    checked = []
    for number, line in enumerate(manifest.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        expected, _, name = line.partition("  ")
        target = manifest.parent / name.strip()
        if not target.is_file():
            raise BuildError(
                f"{name.strip()} is listed but missing",
                file=manifest,
                line=number,
                expected=f"the file {target}",
                action="restore the raw file from git or the original export",
            )
        if sha256_of(target) != expected.strip():
            raise BuildError(
                f"{name.strip()} does not match its recorded checksum",
                file=manifest,
                line=number,
                expected=f"sha256 {expected.strip()}",
                action=if_changed,
            )
        checked.append(target)
    return checked
