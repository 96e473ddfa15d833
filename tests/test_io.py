"""Writing outputs atomically and deterministically, and checking raw checksums."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pandas as pd
import pytest

from ltbrief import io
from ltbrief.errors import BuildError


def test_a_lone_carriage_return_is_quoted_so_the_csv_reads_back(tmp_path: Path) -> None:
    frame = pd.DataFrame({"a": ["one\rtwo", "x\r\ny"], "n": [1, 2]})
    path = io.write_csv(tmp_path / "t.csv", frame)
    with path.open(newline="", encoding="utf-8") as handle:
        assert list(csv.reader(handle)) == [["a", "n"], ["one\rtwo", "1"], ["x\r\ny", "2"]]


def test_csv_without_lone_carriage_returns_is_quoted_only_where_needed(tmp_path: Path) -> None:
    frame = pd.DataFrame({"a": ["plain", "x\r\ny"], "n": [1, 2]})
    written = io.write_csv(tmp_path / "t.csv", frame).read_bytes()
    assert written == b'a,n\nplain,1\n"x\r\ny",2\n'


class TestAtomicWrites:
    def test_failed_write_keeps_the_last_good_file(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        target = tmp_path / "out" / "table.csv"
        io.write_text(target, "good\n")

        def disk_full(*args: object, **kwargs: object) -> None:
            raise OSError("disk full")

        monkeypatch.setattr(pd.DataFrame, "to_csv", disk_full)
        with pytest.raises(OSError, match="disk full"):
            io.write_csv(target, pd.DataFrame({"a": [1]}))
        assert target.read_text() == "good\n"
        assert list(target.parent.iterdir()) == [target]

    def test_parquet_bytes_are_deterministic(self, tmp_path: Path) -> None:
        frame = pd.DataFrame({"a": [1, 2], "b": ["x", None]})
        first, second = tmp_path / "1.parquet", tmp_path / "2.parquet"
        io.write_parquet(first, frame)
        io.write_parquet(second, frame.copy())
        assert first.read_bytes() == second.read_bytes()
        pd.testing.assert_frame_equal(io.read_parquet(first), frame)

    def test_csv_uses_unix_line_endings(self, tmp_path: Path) -> None:
        path = io.write_csv(tmp_path / "t.csv", pd.DataFrame({"a": [1]}))
        assert path.read_bytes() == b"a\n1\n"


class TestVerifyChecksums:
    def manifest(self, tmp_path: Path) -> Path:
        (tmp_path / "a.csv").write_text("x\n")
        digest = hashlib.sha256(b"x\n").hexdigest()
        (tmp_path / "SHA256SUMS").write_text(f"{digest}  a.csv\n")
        return tmp_path / "SHA256SUMS"

    def test_passes_on_untouched_files(self, tmp_path: Path) -> None:
        assert io.verify_checksums(self.manifest(tmp_path)) == [tmp_path / "a.csv"]

    def test_one_changed_byte_is_named(self, tmp_path: Path) -> None:
        manifest = self.manifest(tmp_path)
        (tmp_path / "a.csv").write_text("y\n")
        with pytest.raises(BuildError, match=r"a\.csv does not match") as caught:
            io.verify_checksums(manifest)
        assert caught.value.line == 1

    def test_missing_listed_file(self, tmp_path: Path) -> None:
        manifest = self.manifest(tmp_path)
        (tmp_path / "a.csv").unlink()
        with pytest.raises(BuildError, match="listed but missing"):
            io.verify_checksums(manifest)
