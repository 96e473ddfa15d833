"""Writing outputs in deterministic bytes, atomically, and reading them back.

Raw inputs are read by ``ltbrief.sources``.

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
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from ltbrief.config import read_yaml
from ltbrief.errors import BuildError

if TYPE_CHECKING:
    # pandas and pyarrow take most of a second to load; a build with nothing to do, which
    # only checks checksums, never needs them.
    import pandas as pd


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
    """Write ``frame`` as UTF-8 CSV with ``\\n`` line endings and no index, atomically.

    Text holding a lone carriage return is quoted: with ``\\n`` line endings the csv
    writer would leave it bare, and every CSV reader takes a bare ``\\r`` for a line end.
    """
    buffer = io.StringIO()
    texts = frame.select_dtypes(include="object")
    bare_return = any(
        texts[column].astype(str).str.contains("\r(?!\n)", regex=True).any() for column in texts
    )
    quoting = csv.QUOTE_NONNUMERIC if bare_return else csv.QUOTE_MINIMAL
    frame.to_csv(buffer, index=False, lineterminator="\n", quoting=quoting)
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
    data, _ = read_yaml(path.read_text(encoding="utf-8"), path, f"the {what}")
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
