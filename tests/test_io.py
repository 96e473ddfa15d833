"""Reading raw exports clearly and writing outputs atomically."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pandas as pd
import pytest

from ltbrief import io
from ltbrief.errors import BuildError

COLUMNS = ("response_id", "area", "answer")


def export(tmp_path: Path, data: bytes | str) -> Path:
    path = tmp_path / "export.csv"
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


class TestReadExport:
    def test_reads_text_exactly_with_spreadsheet_rows(self, tmp_path: Path) -> None:
        path = export(
            tmp_path, 'response_id,area,answer\nPMS20-0001, Alder ,"line\nbreak"\nPMS20-0002,x,\n'
        )
        result = io.read_export(path, COLUMNS)
        assert result.frame.values.tolist() == [
            [2, "PMS20-0001", " Alder ", "line\nbreak"],
            [3, "PMS20-0002", "x", ""],
        ]
        assert result.notes == ()

    def test_columns_in_any_order_are_read_by_name_and_said(self, tmp_path: Path) -> None:
        path = export(tmp_path, "answer,area,response_id\na,b,c\n")
        result = io.read_export(path, COLUMNS)
        assert list(result.frame.columns) == ["row", *COLUMNS]
        assert result.frame["response_id"].tolist() == ["c"]
        assert "another order" in result.notes[0]

    def test_byte_order_mark_is_removed_and_said(self, tmp_path: Path) -> None:
        path = export(tmp_path, b"\xef\xbb\xbfresponse_id,area,answer\nR1,a,b\n")
        result = io.read_export(path, COLUMNS)
        assert list(result.frame.columns) == ["row", *COLUMNS]
        assert "byte-order mark" in result.notes[0]

    def test_windows_1252_is_read_and_said(self, tmp_path: Path) -> None:
        path = export(
            tmp_path, "response_id,area,answer\nR1,a,\u201cquoted\u201d\n".encode("cp1252")
        )
        result = io.read_export(path, COLUMNS)
        assert result.frame["answer"].iloc[0] == "\u201cquoted\u201d"
        assert "Windows-1252" in result.notes[0]

    @pytest.mark.parametrize(
        ("content", "message", "where"),
        [
            ("", "the file is empty", {}),
            ("response_id;area;answer\nR1;a;b\n", "not comma-separated", {"row": 1}),
            ('response_id;area;answer\n"R1";a;"b, c"\n', "not comma-separated", {"row": 1}),
            ("response_id,area\nR1,a\n", "missing answer", {"column": "answer"}),
            ("response_id,area,answer,extra\nR1,a,b,c\n", "unexpected extra", {"column": "extra"}),
            ("response_id,area,answer,area\nR1,a,b,c\n", "repeated area", {}),
            ("response_id,area,reply\nR1,a,b\n", "missing answer; unexpected reply", {}),
            (" response_id,area,answer\nR1,a,b\n", "unexpected ' response_id'", {}),
            ("response_id,area,answer\nR1,a,b\nR2,a\n", "has 2 cells", {"row": 3}),
            ('response_id,area,answer\nR1,a,"open\n', "never closed", {"row": 2, "line": 2}),
            (
                'response_id,area,answer\nR1,a,b\nR2,"x"y,c\n',
                "text follows the closing quote on line 3",
                {"row": 3},
            ),
            ("response_id,area,answer\n", "no data rows", {"row": 2}),
            (
                'response_id,area,answer\nR1,"a\nb",c\n\nR2,a\n',
                "has 2 cells",
                {"row": 4, "line": 5},
            ),
            ("response_id,area,answer\nR1,a\x00,b\n", "NUL byte", {"line": 2}),
        ],
    )
    def test_bad_files_fail_with_a_located_message(
        self, tmp_path: Path, content: str, message: str, where: dict
    ) -> None:
        with pytest.raises(BuildError, match=message) as caught:
            io.read_export(export(tmp_path, content), COLUMNS)
        for attribute, value in where.items():
            assert getattr(caught.value, attribute) == value
        assert caught.value.action

    def test_missing_file(self, tmp_path: Path) -> None:
        with pytest.raises(BuildError, match="missing"):
            io.read_export(tmp_path / "none.csv", COLUMNS)

    def test_frame_is_located_by_row_and_file(self, tmp_path: Path) -> None:
        path = export(tmp_path, 'answer,area,response_id\n"two\nlines",a,R1\n\nb,c,R2\n')
        frame = io.read_export(path, COLUMNS).frame
        assert list(frame.columns) == ["row", *COLUMNS]
        assert frame.index.name == io.ROW_INDEX
        assert frame.index.tolist() == frame["row"].tolist() == [2, 4]
        assert frame.attrs["source"] == str(path)

    def test_a_cell_longer_than_csv_default_limit_is_read_whole(self, tmp_path: Path) -> None:
        long = "x" * 200_000
        path = export(tmp_path, f"response_id,area,answer\nR1,a,{long}\n")
        assert io.read_export(path, COLUMNS).frame["answer"].iloc[0] == long
        assert csv.field_size_limit() == 131_072

    def test_header_quote_left_open_is_a_header_problem(self, tmp_path: Path) -> None:
        path = export(tmp_path, '"response_id,area,answer\n' + "R1,a,b\n" * 30_000)
        with pytest.raises(BuildError, match="unexpected 'response_id,area,answer") as caught:
            io.read_export(path, COLUMNS)
        assert caught.value.row == 1
        assert len(caught.value.message) < 500

    def test_utf16_with_its_mark_is_read_and_said(self, tmp_path: Path) -> None:
        path = export(tmp_path, "response_id,area,answer\nR1,a,b\n".encode("utf-16"))
        result = io.read_export(path, COLUMNS)
        assert result.frame["answer"].tolist() == ["b"]
        assert "UTF-16" in result.notes[0]

    def test_mixed_encodings_fail_naming_the_odd_line(self, tmp_path: Path) -> None:
        data = "response_id,area,answer\nR1,a,caf\u00e9\nR2,a,\u201cquoted\u201d\n"
        line_3 = data.splitlines(keepends=True)[2].encode("cp1252")
        mixed = "".join(data.splitlines(keepends=True)[:2]).encode("utf-8") + line_3
        with pytest.raises(BuildError, match="mixes two text encodings") as caught:
            io.read_export(export(tmp_path, mixed), COLUMNS)
        assert caught.value.line == 3

    def test_bytes_that_are_no_known_text_fail(self, tmp_path: Path) -> None:
        path = export(tmp_path, b"response_id,area,answer\nR1,a,\x81\x8d\n")
        with pytest.raises(BuildError, match="neither UTF-8 nor Windows-1252") as caught:
            io.read_export(path, COLUMNS)
        assert caught.value.line == 2


class TestAtomicWrites:
    def test_failed_write_keeps_the_last_good_file(self, tmp_path: Path) -> None:
        target = tmp_path / "out" / "table.csv"
        io.write_text(target, "good\n")

        class Unwritable:
            def to_csv(self, *args: object, **kwargs: object) -> None:
                raise OSError("disk full")

        with pytest.raises(OSError, match="disk full"):
            io.write_csv(target, Unwritable())  # type: ignore[arg-type]
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
