"""Stage 01 rules, each on a few hand-made rows."""

from __future__ import annotations

import random
import re
import sys
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from ltbrief import clean_responses as stage
from ltbrief.errors import BuildError


def submissions(*rows: dict[str, str]) -> pd.DataFrame:
    """Raw export rows as read (all text), with spreadsheet row numbers from 2."""
    defaults = {
        "response_id": "PMS20-0001",
        "submitted_at": "2020-06-14T19:02:11+01:00",
        "status": "Complete",
        "area": "Alderbrook",
        "main_challenge": "Getting residents involved.",
        "support_needed": "Training for members.",
        "consent_to_quote": "Yes",
    }
    frame = pd.DataFrame([{**defaults, **row} for row in rows], dtype=object)
    frame.insert(0, "row", range(2, len(frame) + 2))
    return frame


AREAS = pd.DataFrame(
    {
        "area_code": ["BL001", "BL002"],
        "area_name": ["Alderbrook", "St Ann's & Hillside"],
        "variants": ["Alder Brook|Aldrbrook", ""],
    }
)


class TestKeepCompleteSubmissions:
    def test_drops_previews_and_partials_whatever_the_case(self) -> None:
        raw = submissions(
            {"status": "Complete"},
            {"status": "Preview"},
            {"status": "partial"},
            {"status": " complete "},
        )
        kept = stage.keep_complete_submissions(raw)
        assert list(kept["row"]) == [2, 5]

    def test_leaves_input_untouched(self) -> None:
        raw = submissions({"status": "Preview"})
        before = raw.copy()
        stage.keep_complete_submissions(raw)
        pd.testing.assert_frame_equal(raw, before)


class TestKeepLatestSubmission:
    def test_keeps_the_latest_of_each_respondent(self) -> None:
        raw = submissions(
            {"submitted_at": "2020-06-14T10:00:00+01:00", "main_challenge": "old"},
            {"response_id": "PMS20-0002"},
            {"submitted_at": "2020-06-20T10:00:00+01:00", "main_challenge": "new"},
        )
        kept = stage.keep_latest_submission(raw)
        assert list(kept["response_id"]) == ["PMS20-0002", "PMS20-0001"]
        assert kept.set_index("response_id").loc["PMS20-0001", "main_challenge"] == "new"

    def test_timestamps_become_utc(self) -> None:
        kept = stage.keep_latest_submission(submissions({}))
        assert str(kept["submitted_at"].iloc[0]) == "2020-06-14 18:02:11+00:00"

    def test_identical_resubmission_at_same_time_is_not_a_conflict(self) -> None:
        kept = stage.keep_latest_submission(submissions({}, {}))
        assert len(kept) == 1

    def test_conflicting_answers_at_same_time_fail_naming_both_rows(self) -> None:
        raw = submissions({"main_challenge": "one"}, {"main_challenge": "other"})
        with pytest.raises(BuildError, match=r"rows 2, 3") as caught:
            stage.keep_latest_submission(raw)
        assert caught.value.column == "response_id"

    def test_unparseable_date_names_row_and_column(self) -> None:
        raw = submissions({}, {"response_id": "PMS20-0002", "submitted_at": "14/06/2020 7pm"})
        with pytest.raises(BuildError) as caught:
            stage.keep_latest_submission(raw)
        assert (caught.value.row, caught.value.column) == (3, "submitted_at")
        assert "ISO 8601" in caught.value.message


class TestNormaliseAnswers:
    def test_folds_whitespace_and_line_breaks_and_plain_quotes(self) -> None:
        raw = submissions({"main_challenge": "  We\u2019re  a\r\nsmall\tteam \u201cnew\u201d  "})
        clean = stage.normalise_answers(raw)
        assert clean["main_challenge"].iloc[0] == 'We\'re a small team "new"'

    def test_keeps_missing_values_missing(self) -> None:
        raw = submissions({}).assign(support_needed=[None])
        assert stage.normalise_answers(raw)["support_needed"].isna().all()


class TestMarkNonAnswers:
    @pytest.mark.parametrize(
        "answer", ["", "n/a", "N/A.", "na", "-", ".", "None", "no comment", "Not applicable!"]
    )
    def test_non_answers_become_missing(self, answer: str) -> None:
        clean = stage.mark_non_answers(submissions({"support_needed": answer}))
        assert clean["support_needed"].isna().all()

    @pytest.mark.parametrize(
        "answer",
        ["None of the above would help", "Nothing stopped us, but funding", "NA meeting rooms"],
    )
    def test_real_answers_stay(self, answer: str) -> None:
        clean = stage.mark_non_answers(submissions({"support_needed": answer}))
        assert clean["support_needed"].iloc[0] == answer


class TestMapAreas:
    @pytest.mark.parametrize(
        ("typed", "code"),
        [
            ("Alderbrook", "BL001"),
            ("  alder brook ", "BL001"),
            ("ALDRBROOK", "BL001"),
            ("St Anns and Hillside", "BL002"),
            ("st. ann's &  hillside", "BL002"),
        ],
    )
    def test_spellings_map_to_the_area(self, typed: str, code: str) -> None:
        mapped = stage.map_areas(submissions({"area": typed}), AREAS)
        assert (mapped["area_code"].iloc[0], "area" in mapped) == (code, False)
        assert mapped["area_name"].iloc[0] == AREAS.set_index("area_code").loc[code, "area_name"]

    def test_unknown_area_fails_with_row_and_column(self) -> None:
        raw = submissions({}, {"area": "Atlantis"})
        with pytest.raises(BuildError, match="Atlantis") as caught:
            stage.map_areas(raw, AREAS)
        assert (caught.value.row, caught.value.column) == (3, "area")

    @pytest.mark.parametrize(
        ("areas", "message", "row", "column"),
        [
            (["BL001", "BL001"], "BL001 is listed twice", 3, "area_code"),
            (["BL001", "BL002"], "'Alder Brook' is listed for BL002 but also names BL001", 3,
             "variants"),
        ],
    )  # fmt: skip
    def test_area_list_naming_one_spelling_twice_fails(
        self, areas: list[str], message: str, row: int, column: str
    ) -> None:
        listed = pd.DataFrame(
            {
                "row": [2, 3],
                "area_code": areas,
                "area_name": ["Alderbrook", "Brook End"],
                "variants": ["Alder Brook", "Alder Brook"],
            }
        )
        listed.attrs["source"] = "areas.csv"
        with pytest.raises(BuildError, match=message) as caught:
            stage.map_areas(submissions({}), listed)
        assert (caught.value.row, caught.value.column) == (row, column)
        assert caught.value.file is not None and caught.value.file.name == "areas.csv"


class TestParseConsent:
    def test_yes_and_no_become_booleans(self) -> None:
        parsed = stage.parse_consent(
            submissions({"consent_to_quote": "Yes"}, {"consent_to_quote": "no"})
        )
        assert list(parsed["consent_to_quote"]) == [True, False]

    def test_anything_else_fails(self) -> None:
        with pytest.raises(BuildError, match="'Maybe'") as caught:
            stage.parse_consent(submissions({"consent_to_quote": "Maybe"}))
        assert caught.value.column == "consent_to_quote"


class TestCleanResponses:
    def test_runs_every_rule_and_logs_rows_in_and_out(self) -> None:
        raw = submissions(
            {"status": "Preview", "area": "TEST"},
            {"submitted_at": "2020-06-10T10:00:00+01:00", "main_challenge": "first go"},
            {"main_challenge": "Email me at jo.bloggs@example.org please", "area": "alder brook"},
            {"response_id": "PMS20-0002", "support_needed": "n/a", "consent_to_quote": "No"},
        )
        result = stage.clean_responses(raw, AREAS)
        assert list(result.responses.columns) == list(stage.OUTPUT_COLUMNS)
        assert list(result.responses["response_id"]) == ["PMS20-0001", "PMS20-0002"]
        assert list(result.log["rows_out"]) == [3, 2, 2, 2, 2, 2, 2]
        first = result.responses.iloc[0]
        assert "jo.bloggs@example.org" not in first["main_challenge"]
        assert "[email]" in first["main_challenge"]
        assert pd.isna(result.responses.iloc[1]["support_needed"])
        assert result.redactions.query("kind == 'email'")["count"].sum() == 1


class TestSuiteParameters:
    def test_row_bounds_scale(self) -> None:
        assert stage.raw_suite_parameters(10, r"\A(?:x)\Z") == {
            "min_rows": 10 * stage.SUBMISSIONS_PER_SCALE[0],
            "max_rows": 10 * stage.SUBMISSIONS_PER_SCALE[1],
            "response_id_regex": r"\A(?:x)\Z",
        }
        clean = stage.clean_suite_parameters(1, AREAS, r"\A(?:x)\Z")
        assert clean["area_codes"] == ["BL001", "BL002"]
        assert clean["response_id_regex"] == r"\A(?:x)\Z"


def test_area_corrections_lists_only_respelled_areas() -> None:
    raw = submissions({"area": "Alderbrook"}, {"area": "alder brook"}, {"area": "alder brook"})
    corrections = stage.area_corrections(raw, AREAS)
    assert corrections[["area", "submissions", "area_code"]].values.tolist() == [
        ["alder brook", 2, "BL001"]
    ]


def utc(*texts: str | None) -> pd.Series:
    """UTC timestamps, missing for None."""
    return pd.Series(pd.to_datetime(list(texts), utc=True))


def values_changed_on_whole_frames(before: pd.DataFrame, after: pd.DataFrame) -> int:
    """The log's count computed on whole frames, as pandas compares them."""
    shared = [c for c in before.columns if c in after.columns and c != "row"]
    old = before.set_index("row").loc[after["row"], shared].reset_index(drop=True)
    new = after.loc[:, shared].reset_index(drop=True)
    same = (old == new) | (old.isna() & new.isna())
    return int((~same).to_numpy().sum())


def latest_by_sorting_whole_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``keep_latest_submission`` done with pandas' multi-column sort and a full merge."""
    timed = frame.assign(
        submitted_at=pd.to_datetime(frame["submitted_at"], utc=True, format="ISO8601")
    )
    ordered = timed.sort_values(["response_id", "submitted_at", "row"], kind="stable")
    latest = ordered.drop_duplicates("response_id", keep="last")
    moments = ["response_id", "submitted_at"]
    tied = ordered.merge(latest[moments], on=moments)
    twins = tied.drop_duplicates(["response_id", *stage.ANSWER_COLUMNS, "area", "consent_to_quote"])
    conflicting = twins.loc[twins.duplicated("response_id", keep=False)]
    if not conflicting.empty:
        raise ValueError(conflicting["response_id"].iloc[0], *conflicting["row"].iloc[:2])
    return latest.sort_values("row", kind="stable").reset_index(drop=True)


PLAIN_TIMES = [
    "2020-06-14T19:02:11+01:00",
    "2020-06-14T18:02:11+00:00",
    "2020-06-15T09:00:00+01:00",
    "2020-06-13T23:59:59-05:30",
]


class TestFasterEquivalents:
    """The shortcuts taken for large exports give what the plain pandas operations give."""

    def test_values_changed_counts_as_whole_frame_comparison(self) -> None:
        raw = submissions(
            {"status": "Preview"},
            {"submitted_at": "2020-06-10T10:00:00+01:00", "main_challenge": "first go"},
            {"main_challenge": " Email  me at jo@example.org ", "area": "alder brook"},
            {"response_id": "PMS20-0002", "support_needed": "n/a", "consent_to_quote": "No"},
            {"response_id": "PMS20-0003", "submitted_at": "2020-11-01T08:00:00-00:00"},
            {"response_id": "PMS20-0004", "main_challenge": "\u201cNone\u201d"},
        )
        with_context = {stage.map_areas: lambda frame: stage.map_areas(frame, AREAS)}
        frame = raw
        for _, rule, _ in stage.RULES:
            result = with_context.get(rule, rule)(frame)
            expected = values_changed_on_whole_frames(frame, result)
            assert stage._values_changed(frame, result) == expected, rule.__name__
            frame = result

    @pytest.mark.parametrize(
        ("old", "new"),
        [
            (["a", None, np.nan, "b", None], ["a", np.nan, None, "c", "d"]),
            (["a", pd.NA, "b"], [pd.NA, None, "b"]),
            (["Yes", "No", None], [True, False, True]),
            (
                ["2020-06-14T19:02:11+01:00", "2020-06-14T19:02:11-05:30", "2020-01-01T00:00:00Z"],
                utc("2020-06-14 18:02:11", "2020-06-15 00:32:11", "2020-01-02 00:00:00"),
            ),
            (
                [
                    "2020-06-14T19:02:11+01:00",
                    "2020-06-14T19:02:11-05:30",
                    "2020-01-01T01:00:00+01:00",
                ],
                utc("2020-06-14 18:02:11", None, "2020-01-01 00:00:00"),
            ),
        ],
    )
    def test_values_changed_treats_missing_and_types_as_pandas_does(
        self, old: list[object], new: list[object] | pd.Series
    ) -> None:
        rows = list(range(2, len(old) + 2))
        before = pd.DataFrame({"row": rows, "value": pd.Series(old, dtype=object)})
        after = pd.DataFrame({"row": rows, "value": new})
        for kept in (slice(None), [2, 0]):
            subset = after.iloc[kept].reset_index(drop=True)
            expected = values_changed_on_whole_frames(before, subset)
            assert stage._values_changed(before, subset) == expected

    @pytest.mark.parametrize("times", [PLAIN_TIMES, [*PLAIN_TIMES, "2020-06-14T18:02:11Z"]])
    @pytest.mark.parametrize("seed", range(10))
    def test_keep_latest_submission_matches_sorting_the_whole_frame(
        self, seed: int, times: list[str]
    ) -> None:
        rng = random.Random(seed)
        raw = submissions(
            *(
                {
                    "response_id": f"PMS20-{rng.randrange(15):04d}",
                    "submitted_at": rng.choice(times),
                    "main_challenge": rng.choices(["same", "other"], weights=[19, 1])[0],
                }
                for _ in range(60)
            )
        ).sample(frac=1, random_state=seed)
        try:
            expected = latest_by_sorting_whole_frame(raw)
        except ValueError as conflict:
            respondent, first, second = conflict.args
            named = rf": response_id '{respondent}' .* \(rows {first}, {second}\)\n"
            with pytest.raises(BuildError, match=named):
                stage.keep_latest_submission(raw)
        else:
            pd.testing.assert_frame_equal(stage.keep_latest_submission(raw), expected)

    @pytest.mark.parametrize(
        "text",
        [
            "2020-06-14T19:02:11+01:00",
            "2020-02-29T00:00:00-00:00",
            "1999-12-31T23:59:59+23:59",
            "2020-06-14T00:30:00-05:30",
            "2099-01-01T00:00:00-00:01",
        ],
    )
    def test_plain_timestamps_parse_as_to_datetime_does(self, text: str) -> None:
        values = pd.Series([text, "2020-06-14T19:02:11+01:00"], index=[5, 3], name="at")
        expected = pd.to_datetime(values, utc=True, format="ISO8601")
        parsed = stage._plain_timestamps(values)
        assert parsed is not None
        pd.testing.assert_series_equal(parsed, expected)

    @pytest.mark.parametrize(
        "text",
        [
            "2021-02-29T00:00:00+00:00",
            "2020-06-14T24:00:00+00:00",
            "2020-06-14T19:02:11Z",
            "2020-06-14T19:02:11.5+01:00",
            "2020-06-14 19:02:11+01:00",
            "2020-06-14T19:02:11+24:00",
            "2020-06-14T19:02:11",
            "1850-06-14T19:02:11+01:00",
            "2020-06-14T19:02:11+0\u0663:00",
            None,
        ],
    )
    def test_other_timestamps_are_left_to_to_datetime(self, text: str | None) -> None:
        assert stage._plain_timestamps(pd.Series(["2020-06-14T19:02:11+01:00", text])) is None

    def test_every_kind_of_whitespace_folds_as_before(self) -> None:
        spaces = "".join(chr(c) for c in range(sys.maxunicode + 1) if re.fullmatch(r"\s", chr(c)))
        text = f"{spaces}N/A{spaces}\u201cyes\u201d{spaces}"
        folded = re.sub(r"\s+", " ", text.translate(stage.TYPOGRAPHIC_QUOTES)).strip()
        assert stage.normalise_text(text) == folded == 'N/A "yes"'
        key = re.sub(r"\s+", " ", re.sub(r"[^\w\s]", "", text)).strip().casefold()
        assert stage._answer_key(text) == key == "na yes"

    @pytest.mark.parametrize(
        ("values", "function"),
        [
            (["b", None, "a", np.nan, "b"], str.upper),
            (["x", None, "y"], lambda value: value == "x"),
            ([None, np.nan], str.upper),
        ],
    )
    def test_per_distinct_maps_as_series_map_does(
        self, values: list[object], function: Callable[[str], object]
    ) -> None:
        series = pd.Series(values, index=range(10, 10 + len(values)), name="answer", dtype=object)
        expected = series.map({v: function(v) for v in series.dropna().unique()})
        pd.testing.assert_series_equal(stage._per_distinct(series, function), expected)
