"""Reading a survey export: the container by its bytes, the layout declared or detected."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import xlsxwriter

from ltbrief.errors import BuildError
from tests.sources.conftest import Reader

CANONICAL = (
    "response_id,submitted_at,status,area,main_challenge,support_needed,consent_to_quote\n"
    "PMS20-0001,2020-06-01T00:14:44+01:00,Complete,Ashcombe Vale,Volunteers,,Yes\n"
    "PMS20-0002,2020-06-01T06:03:38+01:00,Preview,TEST,test,test,No\n"
)
MAPPING = {
    "response_id": {"column": "response_id", "pattern": "PMS20-[0-9]{4}"},
    "submitted_at": {"column": "submitted_at"},
    "test": {"column": "status", "listed": ["Preview"]},
    "area": {"column": "area"},
    "consent_to_quote": {"column": "consent_to_quote", "values": {"Yes": True, "No": False}},
    "questions": {"challenge": "main_challenge", "support": "support_needed"},
}


def as_workbook(path: Path, text: str) -> Path:
    book = xlsxwriter.Workbook(path, {"strings_to_numbers": False})
    sheet = book.add_worksheet()
    for number, line in enumerate(text.splitlines()):
        sheet.write_row(number, 0, line.split(","))
    book.close()
    return path


def test_a_plain_csv_is_detected_and_its_times_kept_as_typed(survey_reader: Reader) -> None:
    result = survey_reader(CANONICAL, "export.csv", **MAPPING)
    assert result.notes[0] == "export.csv: read as a csv export (one header row of column names)"
    assert result.frame["submitted_at"].tolist() == [
        "2020-06-01T00:14:44+01:00",
        "2020-06-01T06:03:38+01:00",
    ]
    assert result.frame["status"].tolist() == ["Complete", "Preview"]


def test_a_workbook_is_known_by_its_bytes_whatever_its_name(
    survey_reader: Reader, tmp_path: Path
) -> None:
    path = as_workbook(tmp_path / "book.xlsx", CANONICAL)
    result = survey_reader(path, "export.csv", **MAPPING)
    assert "read as an xlsx export" in result.notes[0]
    assert result.frame["area"].tolist() == ["Ashcombe Vale", "TEST"]


@pytest.mark.parametrize(
    ("workbook", "option", "refused"),
    [
        (False, {"sheet": "Responses"}, "survey.sheet applies only to workbooks"),
        (True, {"delimiter": ";"}, "survey.delimiter applies only to text (CSV) files"),
        (True, {"encoding": "latin-1"}, "survey.encoding applies only to text (CSV) files"),
        (True, {"layout": "csv"}, "survey.layout is 'csv' but export.csv is a workbook"),
        (False, {"layout": "xlsx"}, "survey.layout is 'xlsx' but export.csv is a text"),
    ],
)
def test_an_option_for_another_kind_of_file_is_an_error_not_ignored(
    survey_reader: Reader, tmp_path: Path, workbook: bool, option: dict, refused: str
) -> None:
    export = as_workbook(tmp_path / "b.xlsx", CANONICAL) if workbook else CANONICAL
    with pytest.raises(BuildError, match=re.escape(refused)) as caught:
        survey_reader(export, "export.csv", **{**MAPPING, **option})
    assert caught.value.file is not None and caught.value.file.name == "sources.yml"


def test_a_complete_submission_without_consent_stops_the_build(survey_reader: Reader) -> None:
    with pytest.raises(BuildError, match="'' is not a value") as caught:
        survey_reader(CANONICAL.replace(",Yes\n", ",\n"), "export.csv", **MAPPING)
    assert (caught.value.row, caught.value.column) == (2, "consent_to_quote")


def test_an_export_with_no_responses_says_so(survey_reader: Reader) -> None:
    with pytest.raises(BuildError, match="no responses under them"):
        survey_reader(CANONICAL.splitlines()[0] + "\n", "export.csv", **MAPPING)


def test_local_times_that_never_happened_are_refused(survey_reader: Reader) -> None:
    spring_gap = CANONICAL.replace("2020-06-01T00:14:44+01:00", "2020-03-29 01:30:00")
    mapping = {**MAPPING, "submitted_at": {"column": "submitted_at", "timezone": "Europe/London"}}
    with pytest.raises(BuildError, match="ambiguous or does not exist in Europe/London") as caught:
        survey_reader(spring_gap.replace("2020-06-01T06:03:38+01:00", "2020-06-01 06:03:38"),
                      "export.csv", **mapping)  # fmt: skip
    assert caught.value.row == 2
