"""Stage 02: joining the coding export to responses and codebook, and its checks."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from ltbrief import code_responses as stage
from ltbrief.codebook import Codebook, load_codebook
from ltbrief.errors import BuildError


def coding(*rows: tuple[str, str, str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(stage.CODING_COLUMNS), dtype=object)
    frame.insert(0, "row", range(2, len(frame) + 2))
    return frame


RESPONSES = pd.DataFrame(
    {
        "response_id": ["PMS20-0001", "PMS20-0002"],
        "area_code": ["BL001", "BL002"],
        "main_challenge": ["Engaging people", None],
        "support_needed": ["Training", "Strategy support"],
    }
)


class TestCodeResponses:
    def test_joins_codebook_and_area(self, codebook: Codebook) -> None:
        raw = coding(
            ("PMS20-0002", "support", "SU-DEV-CORE"),
            (" PMS20-0001", "challenge", "CH-ENG-INV "),
            ("PMS20-0001", "support", "SU-ENG-RES"),
        )
        result = stage.code_responses(raw, RESPONSES, codebook)
        refs = result.references
        assert list(refs.columns) == list(stage.OUTPUT_COLUMNS)
        assert refs[
            ["response_id", "subtheme_code", "theme_code", "area_code"]
        ].values.tolist() == [
            ["PMS20-0001", "CH-ENG-INV", "CH-ENG", "BL001"],
            ["PMS20-0001", "SU-ENG-RES", "SU-ENG", "BL001"],
            ["PMS20-0002", "SU-DEV-CORE", "SU-DEV", "BL002"],
        ]
        assert list(result.log["references"]) == [3, 3, 3, 3]

    def test_input_untouched(self, codebook: Codebook) -> None:
        raw = coding((" PMS20-0001", "challenge", "CH-ENG-INV"))
        before = raw.copy()
        stage.code_responses(raw, RESPONSES, codebook)
        pd.testing.assert_frame_equal(raw, before)


class TestCodingErrors:
    def test_unknown_code(self, codebook: Codebook) -> None:
        raw = coding(
            ("PMS20-0001", "challenge", "CH-ENG-INV"), ("PMS20-0001", "challenge", "CH-NOPE")
        )
        with pytest.raises(BuildError, match="'CH-NOPE' is not in the codebook") as caught:
            stage.code_responses(raw, RESPONSES, codebook)
        assert (caught.value.row, caught.value.column) == (3, "code")

    def test_code_for_the_wrong_question(self, codebook: Codebook) -> None:
        raw = coding(("PMS20-0001", "challenge", "SU-DEV-CORE"))
        with pytest.raises(BuildError, match="belongs to the support question") as caught:
            stage.code_responses(raw, RESPONSES, codebook)
        assert caught.value.column == "question"

    def test_duplicate_reference(self, codebook: Codebook) -> None:
        raw = coding(
            ("PMS20-0001", "challenge", "CH-ENG-INV"), ("PMS20-0001", "challenge", "CH-ENG-INV")
        )
        with pytest.raises(BuildError, match="coded CH-ENG-INV twice") as caught:
            stage.code_responses(raw, RESPONSES, codebook)
        assert caught.value.row == 3

    def test_reference_to_missing_response(self, codebook: Codebook) -> None:
        raw = coding(("PMS20-0099", "challenge", "CH-ENG-INV"))
        with pytest.raises(BuildError, match="PMS20-0099 is not among the valid responses"):
            stage.code_responses(raw, RESPONSES, codebook)

    def test_reference_to_blank_answer(self, codebook: Codebook) -> None:
        raw = coding(("PMS20-0002", "challenge", "CH-ENG-INV"))
        with pytest.raises(BuildError, match="no answer in main_challenge"):
            stage.code_responses(raw, RESPONSES, codebook)

    def test_question_not_in_the_codebook(self, codebook: Codebook) -> None:
        raw = coding(("PMS20-0001", "challenge", "CH-ENG-INV"), ("PMS20-0001", "Q1", "CH-ENG-INV"))
        with pytest.raises(BuildError, match="'Q1' is not a question of the codebook") as caught:
            stage.code_responses(raw, RESPONSES, codebook)
        assert (caught.value.row, caught.value.column) == (3, "question")
        assert "challenge, support" in caught.value.message

    def test_codebook_column_missing_from_responses(self, codebook_file: Path) -> None:
        text = codebook_file.read_text().replace("column: support_needed", "column: support")
        codebook_file.write_text(text)
        raw = coding(("PMS20-0001", "challenge", "CH-ENG-INV"))
        with pytest.raises(
            BuildError, match="column 'support', which the clean responses do not have"
        ) as caught:
            stage.code_responses(raw, RESPONSES, load_codebook(codebook_file))
        assert caught.value.file == codebook_file
        assert "column: support" in text.splitlines()[caught.value.line]


def test_suite_parameters_list_valid_pairs(codebook: Codebook) -> None:
    parameters = stage.suite_parameters(2, codebook, r"\A(?:PMS20-[0-9]+)\Z")
    assert parameters["response_id_regex"] == r"\A(?:PMS20-[0-9]+)\Z"
    assert parameters["min_rows"] == 2 * stage.REFERENCES_PER_SCALE[0]
    assert ["challenge", "CH-ENG-OTHER"] in parameters["question_code_pairs"]
