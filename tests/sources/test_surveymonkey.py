"""SurveyMonkey exports: two header rows, question text carried over, personal data unread."""

from __future__ import annotations

import pytest

from ltbrief.errors import BuildError
from tests.sources.conftest import FIXTURES, Reader

AREA = "Which Big Local area is your partnership in?"
QUOTE = "May we quote your answers anonymously in our reports?"
MAPPING = {
    "layout": "surveymonkey",
    "response_id": {"column": "Custom Data 1"},
    "submission_id": {"column": "Respondent ID"},
    "submitted_at": {
        "column": "End Date",
        "format": "%m/%d/%Y %I:%M:%S %p",
        "timezone": "Europe/London",
    },
    "test": {"column": "Collector ID", "listed": ["412345999"]},
    "finished": {"column": QUOTE, "answered": True},
    "area": {"column": AREA, "subheader": "Response"},
    "consent_to_quote": {"column": QUOTE, "values": {"Yes": True, "No": False}},
    "questions": {
        "challenge": "Thinking prior to the COVID-19 pandemic, what was the main challenge your "
        "Big Local partnership faced since 2019?",
        "support": "What support do you think your Big Local partnership needs to achieve its "
        "goals?",
    },
}


def export(reader: Reader, **changes: object) -> object:
    return reader(FIXTURES / "surveymonkey.csv", "monkey.csv", **{**MAPPING, **changes})


def test_reads_the_canonical_frame(survey_reader: Reader) -> None:
    frame = export(survey_reader).frame
    assert frame["row"].tolist() == [3, 4, 5]
    assert frame["response_id"].tolist() == ["PMS20-0001", "PMS20-0002", "PMS20-0003"]
    assert frame["status"].tolist() == ["Complete", "Preview", "Partial"]
    assert frame["submitted_at"].tolist() == [
        "2020-06-01T10:14:44+01:00",
        "2020-06-01T12:01:00+01:00",
        "2020-06-02T08:20:00+01:00",
    ]
    assert frame["area"].tolist() == ["Ashcombe Vale", "TEST", "Other"]
    assert frame["main_challenge"].iloc[0] == "We struggle to get “new faces” involved."
    assert frame["consent_to_quote"].tolist() == ["Yes", "No", ""]


def test_the_other_column_of_a_question_is_named_by_its_subheader(survey_reader: Reader) -> None:
    area = {"column": AREA, "subheader": "Other (please specify)"}
    assert export(survey_reader, area=area).frame["area"].iloc[2] == "Brackenholt estate"


def test_a_question_of_several_columns_needs_a_subheader(survey_reader: Reader) -> None:
    with pytest.raises(BuildError, match="has 2 columns") as caught:
        export(survey_reader, area={"column": AREA})
    assert "'Response', 'Other (please specify)'" in (caught.value.expected or "")


def test_personal_columns_and_the_mark_are_dealt_with_and_said(survey_reader: Reader) -> None:
    result = export(survey_reader)
    assert "sarah.jones@example.org" not in result.frame.to_csv()
    notes = " ".join(result.notes)
    assert "removed a UTF-8 byte-order mark" in notes
    assert "never read 4 column(s) of personal data" in notes
    assert "carried question text over 5 blank header cell(s)" in notes
    assert "detected" not in result.notes[0]


def test_the_layout_is_detected_from_its_id_block(survey_reader: Reader) -> None:
    notes = export(survey_reader, layout=None).notes
    assert "detected: it starts with SurveyMonkey's Respondent ID and Collector ID" in notes[0]


def test_a_subheader_on_another_layout_is_refused(survey_reader: Reader) -> None:
    with pytest.raises(BuildError, match="'subheader' applies only to SurveyMonkey"):
        survey_reader(
            "response_id,submitted_at,area,a,b,c\n",
            "plain.csv",
            layout="csv",
            response_id={"column": "response_id"},
            submitted_at={"column": "submitted_at"},
            area={"column": "area", "subheader": "Response"},
            consent_to_quote={"column": "c", "values": {"Yes": True}},
            questions={"challenge": "a", "support": "b"},
        )


def test_a_repeated_respondent_id_is_a_pasted_export(survey_reader: Reader) -> None:
    text = (FIXTURES / "surveymonkey.csv").read_text(encoding="utf-8-sig")
    doubled = text.replace("11412345680", "11412345678")
    with pytest.raises(BuildError, match="'11412345678' is in two rows") as caught:
        export(survey_reader).frame  # noqa: B018 - the good file reads
        survey_reader(doubled, "monkey.csv", **MAPPING)
    assert caught.value.row == 5
    assert caught.value.column == "Respondent ID"


def test_a_time_not_in_the_declared_format_names_its_cell(survey_reader: Reader) -> None:
    text = (FIXTURES / "surveymonkey.csv").read_text(encoding="utf-8-sig")
    message = "'2020-06-01 12:01' is not a local date and time"
    with pytest.raises(BuildError, match=message) as caught:
        survey_reader(
            text.replace("06/01/2020 12:01:00 PM", "2020-06-01 12:01"), "m.csv", **MAPPING
        )
    assert (caught.value.row, caught.value.column) == (4, "End Date")
