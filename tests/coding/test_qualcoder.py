"""QualCoder's coding report: categories nearest parent first, coders in a column."""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import pytest

from ltbrief.coding.qualcoder import read_qualcoder
from ltbrief.errors import BuildError
from ltbrief.sources.mapping import Link

LINK = Link(document=r"(?P<response_id>R[0-9]+) (?P<question>challenge|support)")
HEADER = ["File", "Coder", "Coded", "Id", "Codename", "Coded_Memo", "Category", "Category"]


def report(tmp_path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
    writer.writerows([header, *rows])
    path = tmp_path / "coding.csv"
    path.write_bytes(codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8"))
    return path


def test_reads_passages_with_their_code_path_root_first(tmp_path: Path) -> None:
    rows = [
        ["R1 challenge", "anna", "Volunteers\nleave", "ctid:1", "Involved", "", "Engagement",
         "Main challenge"],
        ["R2 support", "ben", "Training", "ctid:2", "Core skills", "", "Skills", ""],
    ]  # fmt: skip
    read = read_qualcoder(report(tmp_path, rows), LINK)
    frame = read.passages
    assert frame["code_path"].tolist() == [
        "Main challenge / Engagement / Involved",
        "Skills / Core skills",
    ]
    assert frame[["response_id", "question", "coder", "text"]].values.tolist() == [
        ["R1", "challenge", "anna", "Volunteers\nleave"],
        ["R2", "support", "ben", "Training"],
    ]
    assert frame["row"].tolist() == [2, 3]
    assert "removed a UTF-8 byte-order mark" in " ".join(read.notes)


def test_the_case_form_names_documents_in_its_filename_column(tmp_path: Path) -> None:
    header = ["Case", "Filename", "Coder", "Coded", "Id", "Codename", "Coded_Memo"]
    rows = [["Case 7", "R7 challenge", "anna", "x", "ctid:1", "Involved", ""]]
    assert read_qualcoder(report(tmp_path, rows, header), LINK).passages[
        "response_id"
    ].tolist() == ["R7"]


def test_a_report_without_qualcoder_s_columns_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="not a QualCoder coding report's") as caught:
        read_qualcoder(report(tmp_path, [["a", "b"]], ["File", "Text"]), LINK)
    assert caught.value.row == 1


def test_a_file_name_the_link_does_not_match_names_its_row(tmp_path: Path) -> None:
    rows = [["notes.txt", "anna", "x", "ctid:1", "Involved", "", "Engagement", ""]]
    with pytest.raises(BuildError, match=r"'notes\.txt' holds coding") as caught:
        read_qualcoder(report(tmp_path, rows), LINK)
    assert "row 2" in (caught.value.place or "")
