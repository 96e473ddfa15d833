"""Reading inputs and writing outputs: deterministic bytes, written atomically.

Every output goes to a temporary file beside its target and is moved into place
only once complete, so a failed build leaves the last good output untouched.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from ltbrief.errors import BuildError


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


def write_parquet(path: Path, frame: pd.DataFrame) -> Path:
    """Write ``frame`` as Parquet with no pandas index and no creation metadata, atomically.

    The pandas schema metadata is kept (it restores dtypes on reading); Parquet
    records no timestamps, so the same frame gives the same bytes.
    """
    table = pa.Table.from_pandas(frame, preserve_index=False)
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
    return pd.read_parquet(path)


def read_export(path: Path, columns: Sequence[str]) -> ReadResult:
    """Read a raw CSV export as text, exactly as typed, with a spreadsheet row number.

    Every cell is a ``str`` (a blank cell is ``""``); the ``row`` column holds the
    row number a spreadsheet would show (the header is row 1). UTF-8 with or
    without a byte-order mark is read as is; text that is not UTF-8 is read as
    Windows-1252 and the result says so. The header must hold exactly ``columns``.
    """
    data = _read_raw_bytes(path)
    notes: list[str] = []
    if data.startswith(b"\xef\xbb\xbf"):
        notes.append(f"{path.name}: removed a UTF-8 byte-order mark")
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
        notes.append(f"{path.name}: not UTF-8; read as Windows-1252")
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise BuildError(
            "the file contains a NUL byte, so it is binary or corrupted",
            file=path,
            line=line,
            expected="a text CSV export",
            action="export the file again from the survey tool as CSV (UTF-8)",
        )
    rows = _parse_csv(text, path)
    header, records = rows[0], rows[1:]
    _check_header(header, columns, path)
    for index, record in enumerate(records):
        if len(record) != len(header):
            raise BuildError(
                f"this row has {len(record)} cells but the header has {len(header)}",
                file=path,
                row=index + 2,
                expected="every row to have one cell per column",
                action="check that row for a stray comma or a missing quote, and re-export",
            )
    frame = pd.DataFrame(records, columns=list(header), dtype=object)
    frame.insert(0, "row", pd.RangeIndex(2, len(records) + 2))
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


def _parse_csv(text: str, path: Path) -> list[list[str]]:
    """Split CSV text into rows of cells, failing on an unterminated quote."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        rows = list(reader)
    except csv.Error as error:
        raise BuildError(
            f"the CSV cannot be read ({error})",
            file=path,
            line=reader.line_num,
            expected='comma-separated cells, each quote-wrapped cell closed with "',
            action="look for an unclosed quote at or before that line and re-export",
        ) from error
    return [row for row in rows if row]


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
    repeated = sorted({name for name in header if header.count(name) > 1})
    missing = [name for name in columns if name not in header]
    extra = [name for name in header if name not in columns]
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
