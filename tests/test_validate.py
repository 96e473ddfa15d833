"""Tests for ltbrief.validate and the four suites in expectations/.

Each suite passes a small valid frame; each mutation breaks one rule and must make
exactly the expectations of that rule fail.
"""

from __future__ import annotations

import gc
import json
import re
import subprocess
import sys
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd
import pytest

from ltbrief import validate as v
from ltbrief.errors import BuildError
from ltbrief.paths import PATHS, ProjectPaths
from ltbrief.sources.grid import ROW_INDEX
from tests.published import PUBLISHED

SUITES = ("raw_export", "clean_responses", "code_responses", "summarise", "agreement")
# Read at collection, before any test validates: the last test compares the files with it.
SUITE_BYTES_BEFORE = {suite: PATHS.suite(suite).read_bytes() for suite in SUITES}
ANSWERS = ("main_challenge", "support_needed")
TEXT_CHECKS = (
    "leading or trailing",
    "run of two",
    "line break",
    "e-mail",
    "phone",
    "postcode",
    "web address",
    "typographic quotes",
    "non-answer",
)

Mutation = Callable[[pd.DataFrame], pd.DataFrame]
Failure = tuple[str, str]
# A mutation, the (expectation, columns) it must fail (or the name of a column it drops, which
# fails everything on that column), and optionally what the failing regex checks are about
# (words from the headline of their notes), which tells apart the regex checks on one column.
Case = tuple[Mutation, set[Failure] | str] | tuple[Mutation, set[Failure] | str, tuple[str, ...]]


def with_value(column: str, row: int, value: object) -> Mutation:
    """A mutation that sets one cell, keeping the column's dtype where it can."""

    def mutate(frame: pd.DataFrame) -> pd.DataFrame:
        values = frame[column].astype(object).tolist()
        values[row] = value
        return frame.assign(**{column: pd.Series(values, index=frame.index)})

    return mutate


def with_column(column: str, values: list[object]) -> Mutation:
    return lambda frame: frame.assign(**{column: values})


def without(column: str) -> Mutation:
    return lambda frame: frame.drop(columns=column)


def with_extra_column(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(extra="x")


def reversed_columns(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.loc[:, frame.columns[::-1]]


def with_row_copied(source: int, **changes: object) -> Mutation:
    def mutate(frame: pd.DataFrame) -> pd.DataFrame:
        row = frame.iloc[[source]].assign(**changes)
        return pd.concat([frame, row], ignore_index=True)

    return mutate


def about_what(notes: str) -> str:
    """The headline of a text check's notes, e.g. 'No UK postcode left after redaction'."""
    return next(kind for kind in TEXT_CHECKS if kind in notes.split(":")[0])


def failures(report: v.ValidationReport) -> set[Failure]:
    failed = report.results.loc[~report.results["success"]]
    return set(zip(failed["expectation"], failed["columns"], strict=True))


def failures_on(report: v.ValidationReport, column: str) -> set[Failure]:
    """Every expectation that looks at ``column``: what dropping the column must break."""
    rows = report.results
    looks_at = rows["columns"].str.split(", ").map(lambda columns: column in columns)
    return set(zip(rows.loc[looks_at, "expectation"], rows.loc[looks_at, "columns"], strict=True))


COLUMNS_FAIL = ("expect_table_columns_to_match_ordered_list", "")
ROWS_FAIL = ("expect_table_row_count_to_be_between", "")


# raw_export ---------------------------------------------------------------------------------

# What data/sources.yml declares for the synthetic ids, as ltbrief.sources passes it.
ID_REGEX = {"response_id_regex": r"\A(?:PMS20-[0-9]{4,})\Z"}
RAW_PARAMETERS = {"min_rows": 1, "max_rows": 10, **ID_REGEX}


def raw_export() -> pd.DataFrame:
    """An export as read: test, partial and repeated submissions, blanks and stray spaces."""
    return pd.DataFrame(
        {
            "response_id": ["PMS20-0001", "PMS20-0002", "PMS20-0002", "PMS20-0003"],
            "submitted_at": [
                "2020-06-14T19:02:11+01:00",
                "2020-06-15T09:00:00+01:00",
                "2020-06-16T10:30:00.250+01:00",
                "2020-07-01T12:00:00Z",
            ],
            "status": ["Complete", "Partial", "Complete", "Preview"],
            "area": ["Anytown", "", "other town ", ""],
            "main_challenge": ["Getting people involved.", "", "n/a", "test"],
            "support_needed": ["  Training\n", "", "", "test"],
            # A partial submission may leave consent blank; a complete one may not.
            "consent_to_quote": ["Yes", "", "Yes", "No"],
        }
    )


def located(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as ``io.read_export`` gives it: indexed by spreadsheet row, with its file."""
    located = frame.set_axis(pd.RangeIndex(2, len(frame) + 2, name=ROW_INDEX))
    located.attrs["source"] = "export.csv"
    return located


RAW_MUTATIONS: dict[str, Case] = {
    "extra column": (with_extra_column, {COLUMNS_FAIL}),
    "columns out of order": (reversed_columns, {COLUMNS_FAIL}),
    "missing column": (without("consent_to_quote"), "consent_to_quote"),
    "null id": (
        with_value("response_id", 0, None),
        {("expect_column_values_to_not_be_null", "response_id")},
    ),
    "id not PMS20-digits": (
        with_value("response_id", 0, "PMS-0001"),
        {("expect_column_values_to_match_regex", "response_id")},
    ),
    "id with a trailing line break": (
        with_value("response_id", 0, "PMS20-0001\n"),
        {("expect_column_values_to_match_regex", "response_id")},
    ),
    "id read as a number": (
        with_value("response_id", 3, 3),
        {
            ("expect_column_values_to_be_of_type", "response_id"),
            ("expect_column_values_to_match_regex", "response_id"),
        },
    ),
    "duplicate submission": (
        with_value("submitted_at", 2, "2020-06-15T09:00:00+01:00"),
        {("expect_compound_columns_to_be_unique", "response_id, submitted_at")},
    ),
    "time without offset": (
        with_value("submitted_at", 0, "2020-06-14T19:02:11"),
        {("expect_column_values_to_match_regex", "submitted_at")},
    ),
    "unknown status": (
        with_value("status", 3, "Test"),
        {("expect_column_values_to_be_in_set", "status")},
    ),
    "complete response without area": (
        with_value("area", 2, "  "),
        {("expect_column_values_to_match_regex", "area")},
    ),
    "blank read as null": (
        with_value("main_challenge", 1, None),
        {("expect_column_values_to_not_be_null", "main_challenge")},
    ),
    "answer too long": (
        with_value("support_needed", 0, "x" * 10_001),
        {("expect_column_value_lengths_to_be_between", "support_needed")},
    ),
    "consent not Yes or No": (
        with_value("consent_to_quote", 0, "yes"),
        {("expect_column_values_to_be_in_set", "consent_to_quote")},
    ),
    "complete submission without consent": (
        with_value("consent_to_quote", 2, ""),
        {("expect_column_values_to_be_in_set", "consent_to_quote")},
    ),
    "consent read as bool": (
        with_column("consent_to_quote", [True, False, True, False]),
        {
            ("expect_column_values_to_be_of_type", "consent_to_quote"),
            ("expect_column_values_to_be_in_set", "consent_to_quote"),
        },
    ),
}


# clean_responses ----------------------------------------------------------------------------

CLEAN_PARAMETERS = {
    "min_rows": 1, "max_rows": 10, "area_codes": ["BL001", "BL002", "BL003"], **ID_REGEX
}  # fmt: skip


def clean_responses() -> pd.DataFrame:
    """Clean, redacted responses, with every placeholder and some look-alikes of personal data."""
    return pd.DataFrame(
        {
            "response_id": ["PMS20-0001", "PMS20-0002", "PMS20-0003"],
            "submitted_at": pd.to_datetime(
                # The survey's first and last moments in UK time (BST), as UTC.
                ["2020-05-31T23:00:00Z", "2020-07-14T18:02:11+01:00", "2020-08-31T22:59:59Z"],
                utc=True,
            ),
            "area_code": ["BL001", "BL002", "BL001"],
            "area_name": ["Anytown", "Other Town", "Anytown"],
            "main_challenge": [
                "Getting people involved, said [name] at [email].",
                None,
                'It\'s "hard" - see [url], call [phone] or visit [postcode].',
            ],
            "support_needed": [
                "Training on governance, e.g. the co-op model.",
                "Help to plan £50,000 of spending in 2021 on 3 projects by 06/2021.",
                None,
            ],
            "consent_to_quote": [True, False, True],
        }
    )


def in_both_answers(value: object, expectation: str, *because: str) -> Case:
    """Put ``value`` in both answer columns: the expectation must fail on each of them."""

    def mutate(frame: pd.DataFrame) -> pd.DataFrame:
        return with_value("support_needed", 1, value)(with_value("main_challenge", 0, value)(frame))

    failures = {(expectation, column) for column in ANSWERS}
    return (mutate, failures, because) if because else (mutate, failures)


NOT_MATCH = "expect_column_values_to_not_match_regex"
LENGTHS = "expect_column_value_lengths_to_be_between"
ANSWER_MUTATIONS = {
    "answer: blank left as text": (
        in_both_answers("", LENGTHS)[0],
        {(kind, column) for kind in (LENGTHS, NOT_MATCH) for column in ANSWERS},
    ),
    "answer: too long": in_both_answers("x" * 10_001, LENGTHS),
    "answer: a number": in_both_answers(42, "expect_column_values_to_be_of_type"),
    "answer: leading space": in_both_answers(" Training", NOT_MATCH, "leading or trailing"),
    "answer: two spaces": in_both_answers("More  training", NOT_MATCH, "run of two"),
    "answer: line break": in_both_answers("More\ntraining", NOT_MATCH, "line break"),
    "answer: e-mail": in_both_answers(
        "Write to jo.bloggs@example.org.uk please", NOT_MATCH, "e-mail", "web address"
    ),
    "answer: phone": in_both_answers("Ring me on 07700 900123", NOT_MATCH, "phone"),
    "answer: postcode": in_both_answers("Our hub at NG1 5DT is closed", NOT_MATCH, "postcode"),
    "answer: url": in_both_answers("See https://biglocal.example/plan", NOT_MATCH, "web address"),
    "answer: curly quote": in_both_answers("It\u2019s hard", NOT_MATCH, "typographic quotes"),
    "answer: n/a": in_both_answers("N/A", NOT_MATCH, "non-answer"),
}


CLEAN_MUTATIONS: dict[str, Case] = {
    "extra column": (with_extra_column, {COLUMNS_FAIL}),
    "missing column": (without("area_name"), "area_name"),
    "null id": (
        with_value("response_id", 1, None),
        {("expect_column_values_to_not_be_null", "response_id")},
    ),
    "duplicate id": (
        with_value("response_id", 1, "PMS20-0001"),
        {("expect_column_values_to_be_unique", "response_id")},
    ),
    "id not PMS20-digits": (
        with_value("response_id", 1, "PMS20-12"),
        {("expect_column_values_to_match_regex", "response_id")},
    ),
    "time not in UTC": (
        lambda frame: frame.assign(
            submitted_at=frame["submitted_at"].dt.tz_convert("Europe/London")
        ),
        {("expect_column_type_to_be", "submitted_at")},
    ),
    "time as text": (
        lambda frame: frame.assign(submitted_at=frame["submitted_at"].astype(str)),
        # Text compares with the bounds as text, where "2020-05-31 23:00" < "2020-06-01T00:00".
        {
            ("expect_column_type_to_be", "submitted_at"),
            ("expect_column_values_to_be_between", "submitted_at"),
        },
    ),
    "time before the survey": (
        with_value("submitted_at", 0, pd.Timestamp("2020-05-31T22:59:59Z")),
        {("expect_column_values_to_be_between", "submitted_at")},
    ),
    "time after the survey": (
        with_value("submitted_at", 2, pd.Timestamp("2020-08-31T23:00:00Z")),
        {("expect_column_values_to_be_between", "submitted_at")},
    ),
    "unknown area": (
        with_value("area_code", 0, "BL999"),
        {("expect_column_values_to_be_in_set", "area_code")},
    ),
    "null area": (
        with_value("area_code", 0, None),
        {("expect_column_values_to_not_be_null", "area_code")},
    ),
    "null area name": (
        with_value("area_name", 0, None),
        {("expect_column_values_to_not_be_null", "area_name")},
    ),
    "consent as text": (
        with_column("consent_to_quote", ["Yes", "No", "Yes"]),
        {("expect_column_type_to_be", "consent_to_quote")},
    ),
    "consent missing": (
        with_value("consent_to_quote", 0, None),
        {
            ("expect_column_values_to_not_be_null", "consent_to_quote"),
            ("expect_column_type_to_be", "consent_to_quote"),
        },
    ),
    **ANSWER_MUTATIONS,
}


# code_responses -----------------------------------------------------------------------------

CODE_PARAMETERS = {
    "min_rows": 1,
    "max_rows": 10,
    **ID_REGEX,
    "question_code_pairs": [
        ["challenge", "CH-ENG-INV"],
        ["challenge", "CH-ENG-OTH"],
        ["challenge", "CH-DEL-MOM"],
        ["support", "SU-ENG-INC"],
    ],
    "code_theme_pairs": [
        ["CH-ENG-INV", "CH-ENG"],
        ["CH-ENG-OTH", "CH-ENG"],
        ["CH-DEL-MOM", "CH-DEL"],
        ["SU-ENG-INC", "SU-ENG"],
    ],
}


def code_responses() -> pd.DataFrame:
    """Three coded references: two questions of one response, and an unreported sub-theme."""
    return pd.DataFrame(
        {
            "response_id": ["PMS20-0001", "PMS20-0001", "PMS20-0002"],
            "question": ["challenge", "support", "challenge"],
            "theme_code": ["CH-ENG", "SU-ENG", "CH-ENG"],
            "theme_key": ["engagement", "engagement", "engagement"],
            "theme_label": ["Engagement", "Engagement", "Engagement"],
            "theme_order": [1, 1, 1],
            "theme_reported": [True, True, True],
            "subtheme_code": ["CH-ENG-INV", "SU-ENG-INC", "CH-ENG-OTH"],
            "subtheme_key": ["getting_involved", "increase_engagement", "other"],
            "subtheme_label": [
                "Getting people engaged and involved in the partnership",
                "How to increase resident engagement",
                "Other",
            ],
            "subtheme_order": [1, 1, 9],
            "subtheme_reported": [True, True, False],
            "area_code": ["BL001", "BL001", "BL002"],
        }
    )


CODE_MUTATIONS: dict[str, Case] = {
    "extra column": (with_extra_column, {COLUMNS_FAIL}),
    "missing column": (without("theme_label"), "theme_label"),
    "order as float": (
        with_column("theme_order", [1.0, 1.0, 1.0]),
        {("expect_column_type_to_be", "theme_order")},
    ),
    "reported flag as text": (
        with_column("subtheme_reported", ["yes", "yes", "no"]),
        {("expect_column_type_to_be", "subtheme_reported")},
    ),
    "reference counted twice": (
        with_row_copied(0),
        {("expect_compound_columns_to_be_unique", "response_id, question, subtheme_code")},
    ),
    "null id": (
        with_value("response_id", 2, None),
        {("expect_column_values_to_not_be_null", "response_id")},
    ),
    "id not PMS20-digits": (
        with_value("response_id", 2, "R2"),
        {("expect_column_values_to_match_regex", "response_id")},
    ),
    "code for the wrong question": (
        with_value("question", 1, "challenge"),
        {("expect_column_pair_values_to_be_in_set", "question, subtheme_code")},
    ),
    "unknown question": (
        with_value("question", 0, "challenges"),
        {
            ("expect_column_values_to_be_in_set", "question"),
            ("expect_column_pair_values_to_be_in_set", "question, subtheme_code"),
        },
    ),
    "sub-theme under the wrong theme": (
        with_value("theme_code", 0, "CH-DEL"),
        {("expect_column_pair_values_to_be_in_set", "subtheme_code, theme_code")},
    ),
    "order zero": (
        with_column("subtheme_order", [1, 0, 9]),
        {("expect_column_values_to_be_between", "subtheme_order")},
    ),
    "blank label": (
        with_value("subtheme_label", 0, "  "),
        {("expect_column_values_to_match_regex", "subtheme_label")},
    ),
    "null label": (
        with_value("theme_label", 0, None),
        {("expect_column_values_to_not_be_null", "theme_label")},
    ),
    "key not an identifier": (
        with_value("subtheme_key", 0, "Getting involved"),
        {("expect_column_values_to_match_regex", "subtheme_key")},
    ),
    "area code malformed": (
        with_value("area_code", 0, "B1"),
        {("expect_column_values_to_match_regex", "area_code")},
    ),
}


# summarise ----------------------------------------------------------------------------------


def figures(scale: int = 1) -> pd.DataFrame:
    """figures.csv for data at ``scale`` times the survey, with one unpublished figure."""
    published = pd.DataFrame({"key": list(PUBLISHED), "value_at_1x": list(PUBLISHED.values())})
    extra = pd.DataFrame({"key": ["challenge.references"], "value_at_1x": [620]})
    frame = pd.concat([published, extra], ignore_index=True)
    return frame.assign(value=frame["value_at_1x"] * scale).loc[:, ["key", "value", "value_at_1x"]]


SUMMARISE_MUTATIONS: dict[str, Case] = {
    "extra column": (with_extra_column, {COLUMNS_FAIL}),
    "missing column": (without("value_at_1x"), "value_at_1x"),
    "wrong published total": (
        with_value("value_at_1x", 3, 272),
        {("expect_column_values_to_be_in_set", "value_at_1x")},
    ),
    "wrong published sub-theme": (
        with_value("value_at_1x", 21, 15),
        {("expect_column_values_to_be_in_set", "value_at_1x")},
    ),
    "missing published key": (
        lambda frame: frame.loc[frame["key"] != "support.legacy.legal_entity"],
        {("expect_column_distinct_values_to_contain_set", "key")},
    ),
    "duplicate key": (
        with_row_copied(0),
        {("expect_column_values_to_be_unique", "key")},
    ),
    "null key": (
        with_row_copied(22, key=None),
        {("expect_column_values_to_not_be_null", "key")},
    ),
    "negative count": (
        with_row_copied(22, key="challenge.other", value=-1, value_at_1x=-1),
        {
            ("expect_column_values_to_be_between", "value"),
            ("expect_column_values_to_be_between", "value_at_1x"),
        },
    ),
    "count as float": (
        lambda frame: frame.assign(value=frame["value"].astype(float)),
        {("expect_column_type_to_be", "value")},
    ),
    "value_at_1x above value": (
        with_value("value", 22, 600),
        {("expect_column_pair_values_a_to_be_greater_than_b", "value, value_at_1x")},
    ),
}

# agreement -----------------------------------------------------------------------------------

AGREEMENT_PARAMETERS = {"questions": ["challenge", "support"]}


def agreement() -> pd.DataFrame:
    """Agreement figures as notebook 02 measures them: alphas by question and theme, kappas."""
    return pd.DataFrame(
        {
            "level": ["question", "theme", "theme", "code", "question"],
            "question": ["challenge", "challenge", "challenge", "challenge", "support"],
            "theme_code": ["", "CH-ENG", "CH-REL", "CH-ENG", ""],
            "code": ["", "", "", "CH-ENG-INV", ""],
            "label": ["challenge", "Engagement", "Relationships", "Involved", "support"],
            "measure": ["alpha", "alpha", "alpha", "kappa", "alpha"],
            "value": [0.84, 0.79, float("nan"), 0.55, 0.81],
            "units": [120, 120, 120, 120, 95],
        }
    )


CASES = {
    "raw_export": (raw_export, RAW_PARAMETERS, RAW_MUTATIONS),
    "clean_responses": (clean_responses, CLEAN_PARAMETERS, CLEAN_MUTATIONS),
    "code_responses": (code_responses, CODE_PARAMETERS, CODE_MUTATIONS),
    "summarise": (figures, {}, SUMMARISE_MUTATIONS),
    "agreement": (agreement, AGREEMENT_PARAMETERS, {}),
}
MUTATIONS = [
    pytest.param(suite, name, id=f"{suite}: {name}")
    for suite, (_, _, mutations) in CASES.items()
    for name in mutations
]
ROW_COUNT_SUITES = ("raw_export", "clean_responses", "code_responses")


@pytest.fixture(scope="module")
def valid_reports() -> dict[str, v.ValidationReport]:
    """Each suite's report on its valid frame (pays the GX import once for the module)."""
    return {
        suite: v.validate(make(), suite, parameters=parameters)
        for suite, (make, parameters, _) in CASES.items()
    }


class TestAgreementSuite:
    """Thresholds: a question's alpha below .667 stops the build, below .800 warns."""

    @pytest.mark.parametrize(
        ("mutate", "stops", "warns"),
        [
            (with_value("value", 0, 0.6), 1, 1),
            (with_value("value", 0, 0.75), 0, 1),
            (with_value("value", 2, 0.5), 0, 1),
            (with_value("value", 0, float("nan")), 1, 0),
            (with_value("value", 3, 1.5), 1, 0),
            (with_value("units", 4, 0), 1, 0),
            (with_value("level", 1, "themes"), 1, 0),
            (with_value("question", 4, "supports"), 1, 0),
            (with_value("measure", 3, "tau"), 1, 0),
            (reversed_columns, 1, 0),
        ],
    )
    def test_each_expectation_fails_on_data_that_breaks_it(
        self, mutate: Mutation, stops: int, warns: int
    ) -> None:
        report = v.validate(mutate(agreement()), "agreement", parameters=AGREEMENT_PARAMETERS)
        assert (report.failed, report.warned, report.success) == (stops, warns, stops == 0)

    def test_a_warning_is_reported_but_does_not_stop_check(self) -> None:
        frame = with_value("value", 0, 0.75)(agreement())
        report = v.check(frame, "agreement", parameters=AGREEMENT_PARAMETERS)
        assert "1 gave a warning" in report.summary()
        assert "  - warning: expect_column_values_to_be_between on value" in report.summary()
        assert report.as_record()["warned"] == 1

    def test_a_failure_below_the_floor_stops_check_naming_it_first(self) -> None:
        frame = with_value("value", 0, 0.5)(agreement())
        with pytest.raises(v.ValidationFailed) as caught:
            v.check(frame, "agreement", parameters=AGREEMENT_PARAMETERS)
        lines = caught.value.problem.splitlines()
        assert "min_value=0.667" in lines[1] and lines[2].startswith("    why: Krippendorff")
        assert "warning: " in caught.value.problem

    def test_one_coder_gives_no_rows_and_passes(self) -> None:
        report = v.validate(agreement().iloc[0:0], "agreement", parameters=AGREEMENT_PARAMETERS)
        assert report.success


class TestSuiteFiles:
    @pytest.mark.parametrize("suite", SUITES)
    def test_file_is_pretty_printed_with_stable_keys_and_no_ids(self, suite: str) -> None:
        text = PATHS.suite(suite).read_text(encoding="utf-8")
        spec = json.loads(text)
        assert text == json.dumps(spec, indent=2) + "\n"
        assert list(spec) == ["name", "meta", "expectations"]
        assert spec["name"] == suite
        assert spec["meta"]["notes"]
        for expectation in spec["expectations"]:
            assert list(expectation)[:2] == ["type", "kwargs"]
            assert set(expectation) <= {"type", "kwargs", "severity", "meta"}
            assert "mostly" not in expectation["kwargs"]
        assert '"id"' not in text

    @pytest.mark.parametrize("suite", SUITES)
    def test_load_suite_keeps_every_expectation(self, suite: str) -> None:
        spec = json.loads(PATHS.suite(suite).read_text(encoding="utf-8"))
        loaded = v.load_suite(suite)
        assert [e.expectation_type for e in loaded.expectations] == [
            e["type"] for e in spec["expectations"]
        ]


class TestValidSuites:
    @pytest.mark.parametrize("suite", SUITES)
    def test_valid_frame_passes(self, valid_reports: dict, suite: str) -> None:
        report = valid_reports[suite]
        assert report.success, report.summary()
        assert report.failed == 0
        assert report.evaluated == len(report.results) > 0

    def test_scaled_figures_pass_on_value_at_1x(self) -> None:
        assert v.validate(figures(scale=10), "summarise").success

    def test_summary_counts_expectations(self, valid_reports: dict) -> None:
        report = valid_reports["clean_responses"]
        assert report.summary() == (
            f"clean_responses: {report.evaluated} of {report.evaluated} expectations passed"
        )

    def test_results_follow_the_suite_file(self, valid_reports: dict) -> None:
        spec = json.loads(PATHS.suite("code_responses").read_text(encoding="utf-8"))
        results = valid_reports["code_responses"].results
        assert list(results.columns) == list(v.RESULT_COLUMNS)
        assert results["expectation"].tolist() == [e["type"] for e in spec["expectations"]]

    def test_record_is_json_and_the_same_every_run(self, valid_reports: dict) -> None:
        again = v.validate(raw_export(), "raw_export", parameters=RAW_PARAMETERS)
        first = json.dumps(valid_reports["raw_export"].as_record(), sort_keys=True)
        assert first == json.dumps(again.as_record(), sort_keys=True)

    def test_input_frame_is_not_modified(self) -> None:
        frame = clean_responses()
        v.validate(frame, "clean_responses", parameters=CLEAN_PARAMETERS)
        pd.testing.assert_frame_equal(frame, clean_responses())


class TestMutations:
    @pytest.mark.parametrize(("suite", "mutation"), MUTATIONS)
    def test_mutation_fails_its_expectation(
        self, valid_reports: dict, suite: str, mutation: str
    ) -> None:
        make, parameters, mutations = CASES[suite]
        mutate, expected, *about = mutations[mutation]
        report = v.validate(mutate(make()), suite, parameters=parameters)
        if isinstance(expected, str):
            expected = {COLUMNS_FAIL} | failures_on(valid_reports[suite], expected)
        assert not report.success
        assert failures(report) == expected
        failed = report.results.loc[~report.results["success"]]
        for words in about:
            assert sorted(set(map(about_what, failed["why"]))) == sorted(words)

    @pytest.mark.parametrize("suite", ROW_COUNT_SUITES)
    def test_row_count_out_of_range_fails(self, suite: str) -> None:
        make, parameters, _ = CASES[suite]
        report = v.validate(make(), suite, parameters={**parameters, "min_rows": 5})
        assert failures(report) == {ROWS_FAIL}
        failed = report.results.loc[~report.results["success"]].iloc[0]
        assert failed["examples"] == (f"observed {len(make())}",)

    def test_missing_column_is_reported_with_the_error(self) -> None:
        report = v.validate(figures().drop(columns="value"), "summarise")
        on_value = report.results.loc[report.results["columns"] == "value"]
        assert not on_value["success"].any()
        assert (on_value["note"] == "no column 'value' in the data").all()
        columns = report.results.iloc[0]
        assert columns["examples"] == ("missing 'value'",)

    @pytest.mark.parametrize(
        ("mutate", "examples"),
        [
            (with_extra_column, ("unexpected 'extra'",)),
            (without("status"), ("missing 'status'",)),
            (
                reversed_columns,
                ("order ['consent_to_quote', 'support_needed', 'main_challenge', ...",),
            ),
        ],
    )
    def test_column_differences_are_named(self, mutate: Mutation, examples: tuple) -> None:
        report = v.validate(mutate(raw_export()), "raw_export", parameters=RAW_PARAMETERS)
        assert report.results.iloc[0]["examples"] == examples

    def test_examples_are_short_and_at_most_five(self) -> None:
        repeated = pd.concat([clean_responses()] * 3, ignore_index=True)
        frame = repeated.assign(main_challenge=[f"{n} " + "a" * 10_001 for n in range(9)])
        report = v.validate(frame, "clean_responses", parameters=CLEAN_PARAMETERS)
        row = report.results.loc[
            (report.results["expectation"] == LENGTHS)
            & (report.results["columns"] == "main_challenge")
        ].iloc[0]
        assert row["unexpected_count"] == 9
        assert len(row["examples"]) == v.MAX_EXAMPLES
        assert row["examples"][0] == "'0 " + "a" * (v.EXAMPLE_WIDTH - 6) + "..."


LEFT_OVER = {
    "e-mail": ["Write to jo.bloggs@example.org.uk please", "jo@my-site.org"],
    "phone": [
        "Ring me on 07700 900123",
        "07700900123",
        "Call (020) 7946 0958.",
        "+44 (0)113 496 0000",
        "0044 20 7946 0958",
        "01632-960-123",
        "The landline is (0)161 496 0000.",
    ],
    "postcode": ["Our hub at NG1 5DT is closed", "our hub at sw1a1aa", "(EC1A 1BB)"],
    "web address": [
        "See https://biglocal.example/plan",
        "www.example.org",
        "See our-area.org.uk for more",
    ],
    "typographic quotes": ["It\u2019s hard", "\u201cquoted\u201d", "6\u2032 tall"],
    "non-answer": ["N/A", "n/a.", "NA", "None", "nil", "Not applicable", "No comment", "-"],
    "leading or trailing": [" Training", "Training "],
    "run of two": ["More  training"],
    "line break": ["More\ntraining", "More\ttraining", "More\u00a0training"],
}
PLAIN = [
    "Getting people involved, said [name] at [email].",
    'It\'s "hard" - see [url], call [phone] or visit [postcode].',
    "We spent £50,000 in 2019 and 2020 on 3 projects.",
    "Meet 10 am - 12 pm on 06/07/2020 at 0.5 FTE.",
    "Training, e.g. the co-op model, i.e. how to run one.",
    "Year 6 pupils, the M6 junction and phase 2.",
    "None of the residents came to the 2nd meeting.",
    "Nothing",
    "No",
]


class TestAnswerPatterns:
    """The clean_responses text patterns, applied as pandas applies them (re.search)."""

    @pytest.fixture(scope="class")
    @classmethod
    def patterns(cls) -> dict[str, list[tuple[str, str]]]:
        """Each answer column's not-match regexes with the notes that explain them."""
        spec = json.loads(PATHS.suite("clean_responses").read_text(encoding="utf-8"))
        return {
            column: [
                (e["kwargs"]["regex"], e["meta"]["notes"])
                for e in spec["expectations"]
                if e["type"] == NOT_MATCH and e["kwargs"]["column"] == column
            ]
            for column in ANSWERS
        }

    def test_both_answers_have_the_same_patterns(self, patterns: dict) -> None:
        assert patterns["main_challenge"] == patterns["support_needed"]
        assert len(patterns["main_challenge"]) == 9

    @pytest.mark.parametrize(
        ("kind", "text"), [(kind, text) for kind, texts in LEFT_OVER.items() for text in texts]
    )
    def test_left_over_text_is_caught_by_its_own_pattern(
        self, patterns: dict, kind: str, text: str
    ) -> None:
        caught = [
            about_what(notes)
            for regex, notes in patterns["main_challenge"]
            if re.search(regex, text)
        ]
        assert caught == [kind] or (kind, caught) == ("e-mail", ["e-mail", "web address"])

    @pytest.mark.parametrize("text", PLAIN)
    def test_clean_text_and_placeholders_pass(self, patterns: dict, text: str) -> None:
        assert [regex for regex, _ in patterns["main_challenge"] if re.search(regex, text)] == []


class TestCheck:
    def test_returns_the_report_when_data_pass(self) -> None:
        assert v.check(raw_export(), "raw_export", parameters=RAW_PARAMETERS).success

    def test_failure_names_suite_expectation_example_and_what_to_do(self) -> None:
        frame = with_value("main_challenge", 0, "Ring me on 07700 900123")(clean_responses())
        with pytest.raises(v.ValidationFailed) as raised:
            v.check(frame, "clean_responses", parameters=CLEAN_PARAMETERS)
        message = str(raised.value)
        assert isinstance(raised.value, BuildError)
        assert "'clean_responses'" in message
        assert "expect_column_values_to_not_match_regex on main_challenge" in message
        assert "'Ring me on 07700 900123'" in message
        assert "UK phone number" in message
        assert "expectations/clean_responses.json" in message
        assert raised.value.report.failed == 1

    def test_failure_in_a_file_names_file_rows_and_column(self) -> None:
        frame = with_value("consent_to_quote", 2, "Y")(located(raw_export()))
        frame = with_value("main_challenge", 3, "x" * 20_000)(frame)
        with pytest.raises(v.ValidationFailed) as raised:
            v.check(frame, "raw_export", parameters=RAW_PARAMETERS)
        error = raised.value
        assert (error.file, error.row, error.column) == (Path("export.csv"), 5, "main_challenge")
        assert "row 5: 'xxx" in error.message and "(20,000 characters)" in error.message
        assert "row 4: 'Y'" in error.message
        assert len(error.message) < 2_000
        assert "correct the rows shown in the file" in error.message

    def test_rows_stay_out_of_the_record(self) -> None:
        report = v.validate(
            with_value("status", 0, "Done")(located(raw_export())),
            "raw_export",
            parameters=RAW_PARAMETERS,
        )
        failed = report.results.loc[~report.results["success"]].iloc[0]
        assert failed["rows"] == (2,)
        assert "rows" not in report.as_record()["results"][0]

    def test_missing_published_key_is_named(self) -> None:
        frame = figures().loc[lambda f: f["key"] != "areas"]
        with pytest.raises(v.ValidationFailed, match="missing 'areas'"):
            v.check(frame, "summarise")


class TestParameters:
    def test_missing_parameter_is_named(self) -> None:
        with pytest.raises(ValueError, match=r"missing \['area_codes'\]"):
            v.validate(
                clean_responses(),
                "clean_responses",
                parameters={"min_rows": 1, "max_rows": 9, **ID_REGEX},
            )

    def test_unknown_parameter_is_named(self) -> None:
        with pytest.raises(ValueError, match=r"unknown \['max_row'\]"):
            v.validate(figures(), "summarise", parameters={"max_row": 1})

    def test_parameter_values_appear_in_the_report(self) -> None:
        report = v.validate(
            raw_export(), "raw_export", parameters={"min_rows": 5, "max_rows": 9, **ID_REGEX}
        )
        assert "min_value=5 ($min_rows), max_value=9 ($max_rows)" in report.summary()


class TestDistinctValues:
    """Value-wise expectations run once per distinct value; the report must not show it."""

    SUITE: ClassVar[dict[str, Any]] = {
        "name": "distinct",
        "expectations": [
            {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}},
            {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "id"}},
            {
                "type": "expect_column_values_to_match_regex",
                "kwargs": {"column": "id", "regex": "^r"},
            },
            {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "text"}},
            {
                "type": "expect_column_values_to_not_match_regex",
                "kwargs": {"column": "text", "regex": "bad"},
            },
            {
                "type": "expect_column_value_lengths_to_be_between",
                "kwargs": {"column": "text", "max_value": 6},
            },
            {
                "type": "expect_column_values_to_be_of_type",
                "kwargs": {"column": "mixed", "type_": "str"},
            },
            {
                "type": "expect_column_values_to_be_in_set",
                "kwargs": {"column": "mixed", "value_set": ["1", 1]},
            },
            {
                "type": "expect_column_pair_values_to_be_in_set",
                "kwargs": {
                    "column_A": "code",
                    "column_B": "label",
                    "value_pairs_set": [["a", "Apple"], ["b", "Banana"]],
                },
            },
            {
                "type": "expect_column_values_to_be_in_set",
                "kwargs": {"column": "code", "value_set": ["a"]},
            },
            {
                "type": "expect_column_values_to_be_between",
                "kwargs": {"column": "n", "max_value": 2},
            },
            {
                "type": "expect_column_values_to_match_regex",
                "kwargs": {"column": "text", "regex": "o", "mostly": 0.5},
            },
            {
                "type": "expect_table_columns_to_match_ordered_list",
                "kwargs": {"column_list": ["id", "text", "mixed", "code", "label"]},
            },
            {
                "type": "expect_compound_columns_to_be_unique",
                "kwargs": {"column_list": ["id", "code"]},
            },
            {
                "type": "expect_column_values_to_match_regex",
                "kwargs": {
                    "column": "id",
                    "regex": "^r",
                    "row_condition": {
                        "type": "comparison",
                        "column": {"name": "n"},
                        "operator": "==",
                        "parameter": 3,
                    },
                },
            },
        ],
    }

    @pytest.fixture(autouse=True)
    def split_small_frames(self, monkeypatch) -> None:
        monkeypatch.setattr(v, "_SPLIT_FROM_ROWS", 0)

    @pytest.fixture
    def project(self, tmp_path) -> ProjectPaths:
        paths = ProjectPaths.at(tmp_path)
        paths.expectations.mkdir()
        paths.suite("distinct").write_text(json.dumps(self.SUITE), encoding="utf-8")
        return paths

    @staticmethod
    def frame() -> pd.DataFrame:
        """Failures repeated across rows, a bad pair in a code's first row, and mixed types."""
        return pd.DataFrame(
            {
                "id": ["r1", "r2", "x3", "r4", "r4", "x6", "r7", "r8"],
                "text": ["ok", "bad one", None, "ok", "bad one", "toolongtext", "bad one", None],
                "mixed": ["1", 1, True, 1.0, "1", 1, "1", "2"],
                "code": ["c", "a", "b", "a", "c", "b", "b", "a"],
                "label": [
                    "Cherry",
                    "Apple",
                    "Banana",
                    "Apple",
                    "Cherry",
                    "Bean",
                    "Banana",
                    "Apple",
                ],
                "n": [1, 2, 3, 3, 1, 2, 5, 1],
            }
        )

    @pytest.mark.parametrize("copies", [1, 3])
    @pytest.mark.parametrize("where", ["in memory", "read from a file"])
    def test_report_equals_checking_every_row(
        self, project: ProjectPaths, copies: int, where: str, monkeypatch
    ) -> None:
        data = pd.concat([self.frame()] * copies, ignore_index=True)
        data = located(data) if where == "read from a file" else data
        split = v.validate(data, "distinct", paths=project)
        monkeypatch.setattr(v, "_SPLIT_FROM_ROWS", len(data) + 1)
        whole = v.validate(data, "distinct", paths=project)
        pd.testing.assert_frame_equal(split.results, whole.results)
        assert split.failed == whole.failed == (12 if copies == 1 else 13)

    def test_repeated_failures_are_counted_per_row(self, project: ProjectPaths) -> None:
        results = v.validate(located(self.frame()), "distinct", paths=project).results
        bad_text = results.iloc[4]
        assert bad_text["unexpected_count"] == 3
        assert bad_text["rows"] == (3, 6, 8)
        assert bad_text["examples"] == ("row 3: 'bad one'", "row 6: 'bad one'", "row 8: 'bad one'")
        pairs = results.iloc[8]
        assert pairs["unexpected_count"] == 3
        assert pairs["examples"][0] == "row 2: code='c', label='Cherry'"

    def test_types_that_compare_equal_stay_apart(self, project: ProjectPaths) -> None:
        frame = pd.concat([self.frame()] * 3, ignore_index=True)
        assert v._row_codes(frame, ("mixed",)).max() + 1 == 5
        of_type = v.validate(frame, "distinct", paths=project).results.iloc[6]
        assert of_type["unexpected_count"] == 12
        assert of_type["examples"] == ("1", "True", "1.0", "1", "1")

    def test_groups_of_mostly_distinct_values_are_checked_row_by_row(self) -> None:
        distinct = v._DistinctRows.of(self.frame(), [("id",), ("text",), ("mixed",)])
        assert set(distinct.group_of) == {"text"}

    def test_a_large_frame_varied_from_its_first_rows_is_checked_row_by_row(
        self, monkeypatch
    ) -> None:
        monkeypatch.setattr(v, "_SAMPLE_ROWS", 10)
        # Distinct in the first ten rows, repeated after: the sample decides, not the whole.
        frame = pd.DataFrame({"same": ["x"] * 40, "varied": [str(n % 10) for n in range(40)]})
        distinct = v._DistinctRows.of(frame, [("same",), ("varied",)])
        assert set(distinct.group_of) == {"same"}

    def test_distinct_rows_fill_a_short_group_with_its_first_row(self) -> None:
        distinct = v._DistinctRows.of(self.frame(), [("text",), ("code", "label"), ("code",)])
        assert distinct.counts == {("text",): 4, ("code", "label"): 4}
        assert distinct.frame["text"].tolist()[:4] == ["ok", "bad one", None, "toolongtext"]
        assert distinct.frame["code"].tolist() == ["c", "a", "b", "b"]
        assert distinct.frame["label"].tolist() == ["Cherry", "Apple", "Banana", "Bean"]


NOT_NULL = '{"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "a"}}'


def suite_text(name: str, expectation: str) -> str:
    return '{"name": "' + name + '", "expectations": [' + expectation + "]}"


class TestSuiteFileErrors:
    @pytest.fixture
    def project(self, tmp_path) -> ProjectPaths:
        paths = ProjectPaths.at(tmp_path)
        paths.expectations.mkdir()
        return paths

    def write(self, paths: ProjectPaths, text: str) -> None:
        paths.suite("broken").write_text(text, encoding="utf-8")

    def test_missing_suite(self, project: ProjectPaths) -> None:
        with pytest.raises(BuildError, match="no suite named 'nothing'"):
            v.load_suite("nothing", project)

    def test_invalid_json_names_the_line(self, project: ProjectPaths) -> None:
        self.write(project, '{\n  "name": "broken",\n  "expectations": [,]\n}\n')
        with pytest.raises(BuildError, match="line 3") as raised:
            v.load_suite("broken", project)
        assert raised.value.file == project.suite("broken")

    def test_name_must_match_the_file(self, project: ProjectPaths) -> None:
        self.write(project, suite_text("other", NOT_NULL))
        with pytest.raises(BuildError, match="does not match its file name"):
            v.load_suite("broken", project)

    def failure(self, project: ProjectPaths, text: str) -> BuildError:
        self.write(project, text)
        with pytest.raises(BuildError) as raised:
            v.load_suite("broken", project)
        return raised.value

    def test_an_unknown_key_is_located_with_the_nearest_valid_key(
        self, project: ProjectPaths
    ) -> None:
        error = self.failure(
            project,
            '{\n  "name": "broken",\n  "expectations": [\n    {\n'
            '      "type": "expect_column_values_to_not_be_null",\n'
            '      "kwargs": {"column": "a"},\n      "severty": "warning"\n    }\n  ]\n}\n',
        )
        assert (error.line, error.column) == (7, "expectations[0].severty")
        assert "did you mean 'severity'?" in (error.action or "")

    def test_a_misspelt_argument_names_the_expectation_s_arguments(
        self, project: ProjectPaths
    ) -> None:
        error = self.failure(
            project,
            '{"name": "broken", "expectations": [\n\t{"type": "expect_column_values_to_be_between",'
            '\n\t "kwargs": {"column": "a", "min_value": 0, "mostlly": 0.5}}]}',
        )
        assert error.problem == (
            "expectation 1 (expect_column_values_to_be_between) has an unknown argument 'mostlly'"
        )
        assert (error.line, error.column) == (3, "expectations[0].kwargs.mostlly")
        assert "did you mean 'mostly'?" in (error.action or "")

    def test_a_wrongly_typed_argument_is_gx_s_own_check(self, project: ProjectPaths) -> None:
        error = self.failure(
            project,
            '{"name": "broken", "expectations": [{"type": "expect_column_values_to_be_between",'
            ' "kwargs": {"column": "a", "min_value": 0, "mostly": 2}}]}',
        )
        assert "wrong argument 'mostly': ensure this value is less than or equal to 1" in (
            error.problem
        )

    def test_an_unknown_severity_lists_the_two(self, project: ProjectPaths) -> None:
        error = self.failure(
            project,
            suite_text("broken", NOT_NULL.replace("}}", '}, "severity": "info"}')),
        )
        assert error.column == "expectations[0].severity"
        assert "'critical' or 'warning'" in (error.expected or "")

    def test_a_key_written_twice_is_an_error(self, project: ProjectPaths) -> None:
        error = self.failure(project, '{"name": "broken", "name": "broken", "expectations": []}')
        assert "the key 'name' is written twice" in error.problem

    def test_an_unknown_type_suggests_the_nearest(self, project: ProjectPaths) -> None:
        error = self.failure(project, suite_text("broken", NOT_NULL.replace("null", "nul")))
        assert "did you mean 'expect_column_values_to_not_be_null'" in (error.action or "")

    def test_unknown_expectation_type_is_not_dropped(self, project: ProjectPaths) -> None:
        self.write(
            project,
            '{"name": "broken", "expectations": [{"type": "expect_column_to_be_nice", '
            '"kwargs": {"column": "a"}}]}',
        )
        with pytest.raises(BuildError, match="expectation 1 has unknown type"):
            v.validate(pd.DataFrame({"a": [1]}), "broken", paths=project)


class TestSideEffects:
    def test_fresh_context_writes_nothing(self, tmp_path, monkeypatch) -> None:
        monkeypatch.chdir(tmp_path)
        v._context.cache_clear()
        v.validate(raw_export(), "raw_export", parameters=RAW_PARAMETERS)
        assert list(tmp_path.iterdir()) == []
        assert not (PATHS.root / "gx").exists()

    def test_no_progress_bars_or_other_output(self, capfd) -> None:
        v.validate(clean_responses(), "clean_responses", parameters=CLEAN_PARAMETERS)
        captured = capfd.readouterr()
        assert captured.out == ""
        assert captured.err == ""

    def test_importing_the_module_does_not_import_gx(self) -> None:
        code = "import sys, ltbrief.validate; print('great_expectations' in sys.modules)"
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert run.stdout.strip() == "False", run.stderr

    def test_one_context_per_process(self) -> None:
        assert v._context() is v._context()

    def test_validated_frame_is_not_kept_alive(self) -> None:
        frame = raw_export()
        alive = weakref.ref(frame)
        v.validate(frame, "raw_export", parameters=RAW_PARAMETERS)
        del frame
        gc.collect()
        assert alive() is None

    def test_suite_files_unchanged_after_every_validation_above(self) -> None:
        assert {suite: PATHS.suite(suite).read_bytes() for suite in SUITES} == SUITE_BYTES_BEFORE
