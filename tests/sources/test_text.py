"""Delimited text: encodings decided by rule, delimiters found, rows located by line."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from ltbrief.errors import BuildError
from ltbrief.sources.text import decode, read_text_grid


def write(tmp_path: Path, data: bytes | str, name: str = "export.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


class TestDecode:
    def test_plain_utf8_needs_no_note(self, tmp_path: Path) -> None:
        assert decode("caf\u00e9".encode(), tmp_path / "x.csv") == ("caf\u00e9", [])

    def test_windows_1252_punctuation_decides_windows_1252(self, tmp_path: Path) -> None:
        text, notes = decode("\u201cquoted\u201d \u20ac5".encode("cp1252"), tmp_path / "x.csv")
        assert text == "\u201cquoted\u201d \u20ac5"
        assert notes == ["x.csv: not UTF-8; read as Windows-1252"]

    def test_latin_1_text_is_read_and_said_to_read_the_same(self, tmp_path: Path) -> None:
        text, notes = decode("caf\u00e9 na\u00efve".encode("latin-1"), tmp_path / "x.csv")
        assert text == "caf\u00e9 na\u00efve"
        assert "Latin-1 reads this file the same" in notes[0]

    def test_bytes_no_candidate_defines_cannot_be_decided(self, tmp_path: Path) -> None:
        with pytest.raises(BuildError, match="encoding cannot be decided") as caught:
            decode(b"a,b\nc,\x81\n", tmp_path / "x.csv")
        assert caught.value.line == 2
        assert "survey.encoding" in (caught.value.action or "")

    def test_a_declared_encoding_is_used_as_declared(self, tmp_path: Path) -> None:
        text, notes = decode("\u00e9".encode("latin-1"), tmp_path / "x.csv", "latin-1")
        assert text == "\u00e9"
        assert notes == ["x.csv: read as Latin-1, as data/sources.yml declares"]

    def test_a_wrongly_declared_encoding_fails_at_its_line(self, tmp_path: Path) -> None:
        with pytest.raises(BuildError, match=r"not UTF-8 as data/sources\.yml declares") as caught:
            decode(b"a\nb\n\xe9\n", tmp_path / "x.csv", "utf-8")
        assert caught.value.line == 3

    def test_a_declared_utf8_file_may_start_with_its_mark(self, tmp_path: Path) -> None:
        text, notes = decode(codecs.BOM_UTF8 + b"a", tmp_path / "x.csv", "utf-8")
        assert text == "a"
        assert "removed a UTF-8 byte-order mark" in notes[1]


class TestReadTextGrid:
    def test_quoted_line_breaks_and_crlf_are_kept_and_rows_counted(self, tmp_path: Path) -> None:
        path = write(tmp_path, 'id,answer\r\n1,"two\r\nlines"\r\n\r\n2,x\r\n')
        grid = read_text_grid(path)
        assert grid.rows == [["id", "answer"], ["1", "two\r\nlines"], ["2", "x"]]
        assert grid.numbers == [1, 2, 4]
        assert grid.line_of(4) == 5

    @pytest.mark.parametrize(("delimiter", "said"), [(";", "semicolon"), ("\t", "tab")])
    def test_the_delimiter_is_found_and_said(
        self, tmp_path: Path, delimiter: str, said: str
    ) -> None:
        path = write(tmp_path, f"id{delimiter}answer\n1{delimiter}a, b\n")
        grid = read_text_grid(path)
        assert grid.rows == [["id", "answer"], ["1", "a, b"]]
        assert grid.notes == (f"export.csv: {said}-separated",)

    def test_excel_separator_line_is_skipped_and_rows_still_count_from_the_header(
        self, tmp_path: Path
    ) -> None:
        grid = read_text_grid(write(tmp_path, "sep=;\nid;answer\n1;2,5\n"))
        assert grid.rows == [["id", "answer"], ["1", "2,5"]]
        assert grid.numbers == [1, 2]
        assert grid.line_of(2) == 3
        assert "skipped the first line 'sep=;'" in grid.notes[0]

    def test_a_utf16_tab_separated_export_is_read(self, tmp_path: Path) -> None:
        path = write(tmp_path, "id\tanswer\n1\tcaf\u00e9\n".encode("utf-16"), "export.tsv")
        grid = read_text_grid(path)
        assert grid.rows[1] == ["1", "caf\u00e9"]
        assert "UTF-16" in grid.notes[0]

    def test_a_trailing_delimiter_on_every_line_is_an_empty_column_dropped(
        self, tmp_path: Path
    ) -> None:
        grid = read_text_grid(write(tmp_path, "id,answer,\n1,a,\n"))
        assert grid.rows == [["id", "answer"], ["1", "a"]]
        assert "ignored the empty last column" in grid.notes[-1]

    def test_a_declared_delimiter_is_not_second_guessed(self, tmp_path: Path) -> None:
        grid = read_text_grid(write(tmp_path, "a;b,c\n1;2,3\n"), delimiter=",")
        assert grid.rows == [["a;b", "c"], ["1;2", "3"]]

    def test_a_ragged_row_names_its_row_and_line(self, tmp_path: Path) -> None:
        path = write(tmp_path, 'id,answer\n1,"a\nb"\n2\n')
        with pytest.raises(BuildError, match="has 1 cells but the header has 2") as caught:
            read_text_grid(path)
        assert (caught.value.row, caught.value.line) == (3, 4)

    def test_a_file_of_blank_lines_holds_no_rows(self, tmp_path: Path) -> None:
        with pytest.raises(BuildError, match="the file is empty"):
            read_text_grid(write(tmp_path, "\n\n\n"))
