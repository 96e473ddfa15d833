"""Agreement of coders on the answers they both coded: alpha with MASI, kappa per code."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from nltk.metrics.agreement import AnnotationTask
from nltk.metrics.distance import masi_distance

from ltbrief.codebook import Codebook
from ltbrief.coding.agreement import agreement_record, describe, measure_agreement, set_distance

A, B = "Anna", "Ben"


def coding(*rows: tuple[str, str, str, str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["response_id", "question", "subtheme_code", "coder"])


def figure(agreement: object, level: str, **where: str) -> pd.Series:
    figures = agreement.figures  # type: ignore[attr-defined]
    chosen = figures.loc[figures["level"] == level]
    for column, value in where.items():
        chosen = chosen.loc[chosen[column] == value]
    assert len(chosen) == 1
    return chosen.iloc[0]


CODING = coding(
    ("R1", "challenge", "CH-ENG-INV", A), ("R1", "challenge", "CH-ENG-INV", B),
    ("R2", "challenge", "CH-ENG-INV", A), ("R2", "challenge", "CH-REL-LA", A),
    ("R2", "challenge", "CH-ENG-INV", B),
    ("R3", "challenge", "CH-REL-LA", A), ("R3", "challenge", "CH-ENG-OTHER", B),
    ("R4", "challenge", "CH-REL-LA", A),  # coded by Anna alone: not a unit
    ("R5", "support", "SU-DEV-CORE", A), ("R5", "support", "SU-DEV-CORE", B),
    ("R6", "support", "SU-ENG-RES", A), ("R6", "support", "SU-ENG-RES", B),
)  # fmt: skip


def test_alpha_per_question_is_nltk_s_masi_alpha_over_sets(codebook: Codebook) -> None:
    agreement = measure_agreement(CODING, codebook)
    expected = AnnotationTask(
        data=[
            (A, "R1", frozenset({"CH-ENG-INV"})), (B, "R1", frozenset({"CH-ENG-INV"})),
            (A, "R2", frozenset({"CH-ENG-INV", "CH-REL-LA"})), (B, "R2", frozenset({"CH-ENG-INV"})),
            (A, "R3", frozenset({"CH-REL-LA"})), (B, "R3", frozenset({"CH-ENG-OTHER"})),
        ],
        distance=masi_distance,
    ).alpha()  # fmt: skip
    row = figure(agreement, "question", question="challenge")
    assert row["value"] == pytest.approx(expected)
    assert row["units"] == 3
    assert (agreement.units, agreement.responses, agreement.coded_responses) == (5, 5, 6)


def test_one_value_everywhere_is_undefined_not_one(codebook: Codebook) -> None:
    agreement = measure_agreement(CODING, codebook)
    # The support units: the coders agree exactly, on two different sets: alpha is 1.
    assert figure(agreement, "question", question="support")["value"] == pytest.approx(1.0)
    # The skills theme: {core} for both on R5, the empty set for both on R6: still 1.
    assert figure(agreement, "theme", theme_code="SU-DEV")["value"] == pytest.approx(1.0)
    # One unit, one set: no disagreement was possible, so alpha is not defined.
    only_one = measure_agreement(CODING.loc[CODING["response_id"] == "R1"], codebook)
    assert math.isnan(figure(only_one, "question", question="challenge")["value"])


def test_a_theme_s_value_is_the_set_of_its_sub_themes_and_empty_sets_agree() -> None:
    assert set_distance(frozenset(), frozenset()) == 0.0
    assert set_distance(frozenset({"a"}), frozenset()) == 1.0
    assert set_distance(frozenset({"a", "b"}), frozenset({"a"})) == pytest.approx(
        masi_distance({"a", "b"}, {"a"})
    )


def test_kappa_per_code_for_two_coders(codebook: Codebook) -> None:
    row = figure(measure_agreement(CODING, codebook), "code", code="CH-REL-LA")
    # Anna gave it R2 and R3, Ben neither: kappa 0 (Ben never used it).
    assert row["value"] == pytest.approx(0.0)
    assert row["units"] == 3


def test_one_coder_has_no_figures_and_says_so(codebook: Codebook) -> None:
    alone = measure_agreement(CODING.loc[CODING["coder"] == A], codebook)
    assert alone.figures.empty and not alone.double_coded
    assert "coded by one analyst (Anna)" in describe(agreement_record(alone, None))


def test_the_record_is_json_and_describes_the_figures(codebook: Codebook) -> None:
    record = agreement_record(measure_agreement(CODING, codebook), A)
    assert record["double_coded_responses"] == 5 and record["coded_responses"] == 6
    text = describe(record)
    assert "coded by 2 analysts (Anna, Ben); the brief counts Anna's coding" in text
    assert "5 of the 6 coded responses (83%)" in text
    assert all(isinstance(row["value"], float) or row["value"] is None for row in record["figures"])
