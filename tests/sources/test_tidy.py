"""The project's own CSV files: exact columns in any order, located by spreadsheet row."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from ltbrief.errors import BuildError
from ltbrief.sources.grid import ROW_INDEX
from ltbrief.sources.tidy import read_tidy

COLUMNS = ("response_id", "area", "answer")


def export(tmp_path: Path, data: bytes | str) -> Path:
    path = tmp_path / "export.csv"
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


class TestReadTidy:
    def test_reads_text_exactly_with_spreadsheet_rows(self, tmp_path: Path) -> None:
        path = export(
            tmp_path, 'response_id,area,answer\nPMS20-0001, Alder ,"line\nbreak"\nPMS20-0002,x,\n'
        )
        result = read_tidy(path, COLUMNS)
        assert result.frame.values.tolist() == [
            [2, "PMS20-0001", " Alder ", "line\nbreak"],
            [3, "PMS20-0002", "x", ""],
        ]
        assert result.notes == ()

    def test_columns_in_any_order_are_read_by_name_and_said(self, tmp_path: Path) -> None:
        path = export(tmp_path, "answer,area,response_id\na,b,c\n")
        result = read_tidy(path, COLUMNS)
        assert list(result.frame.columns) == ["row", *COLUMNS]
        assert result.frame["response_id"].tolist() == ["c"]
        assert "another order" in result.notes[0]

    def test_byte_order_mark_is_removed_and_said(self, tmp_path: Path) -> None:
        path = export(tmp_path, b"\xef\xbb\xbfresponse_id,area,answer\nR1,a,b\n")
        result = read_tidy(path, COLUMNS)
        assert list(result.frame.columns) == ["row", *COLUMNS]
        assert "byte-order mark" in result.notes[0]

    def test_windows_1252_is_read_and_said(self, tmp_path: Path) -> None:
        path = export(
            tmp_path, "response_id,area,answer\nR1,a,\u201cquoted\u201d\n".encode("cp1252")
        )
        result = read_tidy(path, COLUMNS)
        assert result.frame["answer"].iloc[0] == "\u201cquoted\u201d"
        assert "Windows-1252" in result.notes[0]

    @pytest.mark.parametrize(
        ("content", "message", "where"),
        [
            ("", "the file is empty", {}),
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
            read_tidy(export(tmp_path, content), COLUMNS)
        for attribute, value in where.items():
            assert getattr(caught.value, attribute) == value
        assert caught.value.action

    def test_missing_file(self, tmp_path: Path) -> None:
        with pytest.raises(BuildError, match="missing"):
            read_tidy(tmp_path / "none.csv", COLUMNS)

    def test_frame_is_located_by_row_and_file(self, tmp_path: Path) -> None:
        path = export(tmp_path, 'answer,area,response_id\n"two\nlines",a,R1\n\nb,c,R2\n')
        frame = read_tidy(path, COLUMNS).frame
        assert list(frame.columns) == ["row", *COLUMNS]
        assert frame.index.name == ROW_INDEX
        assert frame.index.tolist() == frame["row"].tolist() == [2, 4]
        assert frame.attrs["source"] == str(path)

    def test_a_cell_longer_than_csv_default_limit_is_read_whole(self, tmp_path: Path) -> None:
        long = "x" * 200_000
        path = export(tmp_path, f"response_id,area,answer\nR1,a,{long}\n")
        assert read_tidy(path, COLUMNS).frame["answer"].iloc[0] == long
        assert csv.field_size_limit() == 131_072

    def test_header_quote_left_open_is_a_header_problem(self, tmp_path: Path) -> None:
        path = export(tmp_path, '"response_id,area,answer\n' + "R1,a,b\n" * 30_000)
        with pytest.raises(BuildError, match="never closed") as caught:
            read_tidy(path, COLUMNS)
        assert caught.value.row == 1
        assert len(caught.value.message) < 500

    def test_utf16_with_its_mark_is_read_and_said(self, tmp_path: Path) -> None:
        path = export(tmp_path, "response_id,area,answer\nR1,a,b\n".encode("utf-16"))
        result = read_tidy(path, COLUMNS)
        assert result.frame["answer"].tolist() == ["b"]
        assert "UTF-16" in result.notes[0]

    def test_mixed_encodings_fail_naming_the_odd_line(self, tmp_path: Path) -> None:
        data = "response_id,area,answer\nR1,a,caf\u00e9\nR2,a,\u201cquoted\u201d\n"
        line_3 = data.splitlines(keepends=True)[2].encode("cp1252")
        mixed = "".join(data.splitlines(keepends=True)[:2]).encode("utf-8") + line_3
        with pytest.raises(BuildError, match="mixes two text encodings") as caught:
            read_tidy(export(tmp_path, mixed), COLUMNS)
        assert caught.value.line == 3

    def test_bytes_that_are_no_known_text_fail(self, tmp_path: Path) -> None:
        path = export(tmp_path, b"response_id,area,answer\nR1,a,\x81\x8d\n")
        with pytest.raises(BuildError, match="encoding cannot be decided") as caught:
            read_tidy(path, COLUMNS)
        assert caught.value.line == 2

    def test_a_semicolon_separated_file_is_read_and_said(self, tmp_path: Path) -> None:
        path = export(tmp_path, 'response_id;area;answer\n"R1";a;"b, c"\n')
        result = read_tidy(path, COLUMNS)
        assert result.frame["answer"].tolist() == ["b, c"]
        assert result.notes == ("export.csv: semicolon-separated",)
