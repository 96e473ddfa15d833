"""Reading inputs and writing outputs: deterministic bytes, written atomically.

Every output goes to a temporary file beside its target and is moved into place
only once complete, so a failed build leaves the last good output untouched.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import yaml


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
