"""Qualtrics exports: three header rows, columns by ImportId, personal columns never read."""

from __future__ import annotations

import pytest

from ltbrief.errors import BuildError
from tests.sources.conftest import FIXTURES, Reader

STATUS_CODES = {"0": False, "1": True, "2": True, "4": False, "8": True, "16": False}
NUMERIC = {
    "layout": "qualtrics",
    "response_id": {"column": "ExternalReference", "pattern": "PMS20-[0-9]{4}"},
    "submission_id": {"column": "_recordId"},
    "submitted_at": {"column": "endDate"},
    "test": {"column": "status", "values": STATUS_CODES},
    "finished": {"column": "Finished", "values": {"1": True, "0": False}},
    "area": {"column": "QID1_TEXT"},
    "consent_to_quote": {"column": "Q4", "values": {"1": True, "2": False}},
    "questions": {"challenge": "QID2_TEXT", "support": "Q3"},
}


def numeric(reader: Reader, **changes: object) -> object:
    return reader(FIXTURES / "qualtrics.csv", "qualtrics.csv", **{**NUMERIC, **changes})


class TestNumericExport:
    def test_reads_the_canonical_frame_by_import_id_and_tag(self, survey_reader: Reader) -> None:
        frame = numeric(survey_reader).frame
        assert frame["row"].tolist() == [4, 5, 6, 7]
        assert frame["response_id"].tolist() == [f"PMS20-000{n}" for n in range(1, 5)]
        assert frame["status"].tolist() == ["Complete", "Preview", "Partial", "Complete"]
        assert frame["area"].tolist() == ["Ashcombe Vale", "TEST", "Brackenholt", "Cinderbank"]
        assert frame["main_challenge"].iloc[0] == (
            'Getting people involved, "the same few" do everything.\nAnd volunteers leave.'
        )
        assert frame["support_needed"].iloc[3] == "=SUM(A1)"

    def test_local_times_take_the_zone_row_3_names_with_each_date_s_offset(
        self, survey_reader: Reader
    ) -> None:
        result = numeric(survey_reader)
        assert result.frame["submitted_at"].tolist() == [
            "2020-06-01T10:14:44+01:00",
            "2020-06-02T11:03:10+01:00",
            "2020-06-03T08:05:00+01:00",
            "2020-10-25T03:30:00+00:00",
        ]
        assert any("local times in Europe/London, as the export says" in n for n in result.notes)

    def test_consent_codes_map_and_an_unfinished_blank_is_allowed(
        self, survey_reader: Reader
    ) -> None:
        assert numeric(survey_reader).frame["consent_to_quote"].tolist() == ["Yes", "No", "", "No"]

    def test_personal_columns_are_never_read(self, survey_reader: Reader) -> None:
        result = numeric(survey_reader)
        text = result.frame.to_csv()
        for value in ("sarah.jones@example.org", "Jones", "198.51.100.7", "52.486", "Khan"):
            assert value not in text
        said = next(note for note in result.notes if "personal data" in note)
        assert "6 column(s)" in said and "RecipientEmail" in said and "IPAddress" in said

    def test_what_the_reader_did_is_said(self, survey_reader: Reader) -> None:
        notes = numeric(survey_reader).notes
        assert (
            notes[0] == "qualtrics.csv: read as a qualtrics export (as data/sources.yml declares)"
        )
        assert "ignored the empty last column" in " ".join(notes)
        assert "2 complete, 1 unfinished (by Finished), 1 tests or previews (by status)" in (
            " ".join(notes)
        )

    def test_the_layout_is_detected_from_row_3(self, survey_reader: Reader) -> None:
        notes = numeric(survey_reader, layout=None).notes
        assert "detected: row 3 holds Qualtrics ImportIds" in notes[0]

    def test_a_tag_that_two_columns_share_is_ambiguous(self, survey_reader: Reader) -> None:
        test = {"column": "Status", "values": STATUS_CODES}
        with pytest.raises(BuildError, match="2 columns named 'Status'") as caught:
            numeric(survey_reader, test=test)
        assert "ImportId" in (caught.value.action or "")
        assert caught.value.column == "survey.test.column"

    def test_a_personal_column_cannot_be_mapped(self, survey_reader: Reader) -> None:
        with pytest.raises(BuildError, match="holds personal data"):
            numeric(survey_reader, response_id={"column": "recipientEmail"})

    def test_a_status_code_the_map_does_not_cover_stops_with_its_cell(
        self, survey_reader: Reader
    ) -> None:
        with pytest.raises(BuildError, match="'1' is not a value") as caught:
            numeric(survey_reader, test={"column": "status", "values": {"0": False}})
        assert caught.value.row == 5
        assert caught.value.column == "Status (status)"
        assert "survey.test.values" in (caught.value.action or "")

    def test_a_renamed_question_is_named_with_the_nearest_columns(
        self, survey_reader: Reader
    ) -> None:
        questions = {"challenge": "QID2_TXT", "support": "Q3"}
        with pytest.raises(BuildError, match="no column 'QID2_TXT'") as caught:
            numeric(survey_reader, questions=questions)
        assert "did you mean 'QID2_TEXT'" in (caught.value.action or "")
        assert caught.value.column == "survey.questions.challenge"


def test_a_german_choice_text_tsv_in_utf16_is_read(survey_reader: Reader) -> None:
    result = survey_reader(
        FIXTURES / "qualtrics-choice-text.tsv",
        "export.tsv",
        response_id={"column": "externalDataReference"},
        submitted_at={"column": "EndDate"},
        test={"column": "Status", "values": {"IP Address": False, "Survey Preview": True}},
        finished={"column": "finished", "values": {"True": True, "False": False}},
        area={"column": "QID7_TEXT"},
        consent_to_quote={"column": "Zitat", "values": {"Ja": True, "Nein": False}},
        questions={"challenge": "QID8_TEXT", "support": "QID9_TEXT"},
    )
    frame = result.frame
    assert frame["status"].tolist() == ["Complete", "Preview", "Partial"]
    assert frame["submitted_at"].iloc[0] == "2020-06-01T10:14:44+02:00"
    assert frame["main_challenge"].iloc[0] == "Zu wenige Freiwillige – „immer dieselben“."
    assert "read as UTF-16" in " ".join(result.notes)
    assert "detected: row 3" in result.notes[0]


def test_a_legacy_export_is_refused_with_what_to_do(survey_reader: Reader) -> None:
    legacy = "V1,V2,V3,V4,V5,V6,V7,V8,V9,V10,Q1\nResponseID,ResponseSet,Name,a,b,c,d,e,f,g,Q\n"
    with pytest.raises(BuildError, match="legacy format") as caught:
        survey_reader(legacy + "R_1,Default,x,,,,,,,,y\n", "legacy.csv", **NUMERIC)
    assert "legacy exporter" in (caught.value.action or "")


def test_a_plain_csv_declared_as_qualtrics_fails_at_row_3(survey_reader: Reader) -> None:
    with pytest.raises(BuildError, match="does not match a Qualtrics export") as caught:
        survey_reader("a,b\n1,2\n3,4\n", "plain.csv", **NUMERIC)
    assert caught.value.row == 3
