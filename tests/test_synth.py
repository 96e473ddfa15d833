"""The synthetic survey: deterministic, with the published totals, messy like a real export."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from ltbrief import synth
from ltbrief.codebook import load_codebook
from ltbrief.io import verify_checksums
from ltbrief.paths import PATHS, ProjectPaths, resource

# The brief's Tables 1.1-1.4: theme totals and the sub-themes it reports.
PUBLISHED_THEME_TOTALS = {
    "CH-ENG": 273,
    "CH-DEL": 186,
    "CH-REL": 87,
    "SU-ENG": 184,
    "SU-DEV": 197,
    "SU-LEG": 75,
}
PUBLISHED_SUBTHEMES = {
    "CH-ENG-INV": 167,
    "CH-ENG-AWARE": 38,
    "CH-ENG-GROUPS": 31,
    "CH-DEL-MOMENTUM": 33,
    "CH-DEL-COMPLEX": 23,
    "CH-REL-LA": 35,
    "CH-REL-CONFLICT": 32,
    "SU-ENG-RESIDENTS": 184,
    "SU-DEV-CORE": 95,
    "SU-DEV-BUSINESS": 41,
    "SU-DEV-GOV": 35,
    "SU-LEG-PLANNING": 55,
    "SU-LEG-ENTITY": 16,
}
# The respondents the brief quotes, with the column and code of each quote.
PUBLISHED_QUOTES = {
    "PMS20-0104": ("main_challenge", "CH-ENG-INV"),
    "PMS20-0217": ("main_challenge", "CH-ENG-GROUPS"),
    "PMS20-0330": ("main_challenge", "CH-DEL-MOMENTUM"),
    "PMS20-0388": ("main_challenge", "CH-DEL-MOMENTUM"),
    "PMS20-0452": ("main_challenge", "CH-DEL-COMPLEX"),
    "PMS20-0519": ("main_challenge", "CH-DEL-COMPLEX"),
    "PMS20-0603": ("main_challenge", "CH-REL-LA"),
    "PMS20-0671": ("main_challenge", "CH-REL-CONFLICT"),
    "PMS20-0745": ("support_needed", "SU-ENG-RESIDENTS"),
    "PMS20-0812": ("support_needed", "SU-EXI-PARTNERS"),
    "PMS20-0857": ("support_needed", "SU-EXI-REPS"),
    "PMS20-0903": ("support_needed", "SU-EXI-REPS"),
    "PMS20-0948": ("support_needed", "SU-EXI-LT"),
    "PMS20-0990": ("support_needed", "SU-EXI-LT"),
}
COLUMNS = {"challenge": "main_challenge", "support": "support_needed"}
NON_ANSWERS = {"", "na", "n a", "none", "nil", "not applicable", "no comment"}
TYPOGRAPHIC = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
EDITORIAL = re.compile(r"\[\.\.\.\]|\.\.\.|\[[^\]]*\]")


@pytest.fixture(scope="module")
def survey() -> synth.SyntheticSurvey:
    return synth.generate()


@pytest.fixture(scope="module")
def survey_10x() -> synth.SyntheticSurvey:
    return synth.generate(scale=10)


def kept(export: pd.DataFrame) -> pd.DataFrame:
    """Each respondent's latest complete submission, indexed by response id."""
    complete = export.loc[export["status"] == "Complete"]
    latest = complete.assign(moment=pd.to_datetime(complete["submitted_at"], utc=True))
    latest = latest.sort_values("moment").drop_duplicates("response_id", keep="last")
    return latest.set_index("response_id")


def area_key(text: str) -> str:
    """The form the cleaning rule compares area spellings in (case, &, punctuation, spaces)."""
    text = text.translate(TYPOGRAPHIC).casefold().replace("&", " and ").replace("'", "")
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def area_codes(survey: synth.SyntheticSurvey, typed: pd.Series) -> pd.Series:
    lookup = {
        area_key(spelling): code
        for code, name, variants in survey.areas.itertuples(index=False)
        for spelling in [name, *filter(None, variants.split("|"))]
    }
    return typed.map(area_key).map(lookup)


def says_something(answer: str) -> bool:
    return " ".join(re.sub(r"[^\w\s]", "", answer).split()).casefold() not in NON_ANSWERS


def plain(text: str) -> str:
    return " ".join(text.translate(TYPOGRAPHIC).split())


def quote_fragments(quote: str) -> list[str]:
    """The parts of a published quote the respondent wrote: between elisions and insertions."""
    return [plain(part) for part in EDITORIAL.split(quote) if plain(part)]


def occurs_in_order(fragments: list[str], text: str) -> bool:
    position = 0
    for fragment in fragments:
        position = text.find(fragment, position)
        if position < 0:
            return False
        position += len(fragment)
    return True


def counted(survey: synth.SyntheticSurvey) -> pd.DataFrame:
    """The references the brief counts: Analyst A's, who coded every answer."""
    references = survey.coded_references
    return references.loc[references["coder"] == "Analyst A"].reset_index(drop=True)


def code_counts(survey: synth.SyntheticSurvey) -> pd.Series:
    return counted(survey)["code"].value_counts().sort_index()


class TestDeterminism:
    def test_same_seed_gives_the_same_survey(self, survey: synth.SyntheticSurvey) -> None:
        again = synth.generate()
        for field in ("survey_export", "coded_references", "areas", "personal_data"):
            pd.testing.assert_frame_equal(getattr(again, field), getattr(survey, field))

    def test_another_seed_gives_other_answers_with_the_same_totals(
        self, survey: synth.SyntheticSurvey
    ) -> None:
        other = synth.generate(seed=1)
        assert not other.survey_export.equals(survey.survey_export)
        pd.testing.assert_series_equal(code_counts(other), code_counts(survey))

    def test_committed_raw_files_and_mapping_are_regenerated_byte_for_byte(
        self, survey: synth.SyntheticSurvey, tmp_path: Path
    ) -> None:
        for path in synth.write(survey, ProjectPaths.at(tmp_path)):
            committed = PATHS.root / path.relative_to(tmp_path)
            assert path.read_bytes() == committed.read_bytes(), f"{committed} differs"


class TestWrite:
    def test_writes_the_three_files_and_their_checksums(
        self, survey: synth.SyntheticSurvey, tmp_path: Path
    ) -> None:
        project = ProjectPaths.at(tmp_path)
        paths = synth.write(survey, project)
        assert [path.name for path in paths] == [
            "survey_export.csv",
            "coded_references.csv",
            "areas.csv",
            "SHA256SUMS",
            "sources.yml",
        ]
        assert verify_checksums(project.raw_checksums) == sorted(paths[:3])
        assert paths[4] == project.sources
        lines = project.raw_checksums.read_text(encoding="utf-8").splitlines()
        expected = [
            f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.name}"
            for path in sorted(paths[:3])
        ]
        assert lines == expected

    def test_files_read_back_as_the_same_text(
        self, survey: synth.SyntheticSurvey, tmp_path: Path
    ) -> None:
        project = ProjectPaths.at(tmp_path)
        synth.write(survey, project)
        for name, frame in [
            ("survey_export.csv", survey.survey_export),
            ("coded_references.csv", survey.coded_references),
            ("areas.csv", survey.areas),
        ]:
            read = pd.read_csv(project.raw_file(name), dtype=str, keep_default_na=False)
            pd.testing.assert_frame_equal(read, frame.astype(str), check_dtype=False)

    def test_records_end_with_unix_line_endings(
        self, survey: synth.SyntheticSurvey, tmp_path: Path
    ) -> None:
        project = ProjectPaths.at(tmp_path)
        synth.write(survey, project)
        data = project.raw_file("survey_export.csv").read_bytes()
        assert data.startswith(b"response_id,submitted_at,status,area,") and data.endswith(b"\n")
        assert b"\r\n" not in project.raw_file("areas.csv").read_bytes()


class TestMain:
    def test_writes_a_scaled_survey_where_asked(
        self, survey: synth.SyntheticSurvey, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert synth.main(["--seed", "2020", "--scale", "2", "--project", str(tmp_path)]) == 0
        project = ProjectPaths.at(tmp_path)
        references = pd.read_csv(project.raw_file("coded_references.csv"), dtype=str)
        assert (references["coder"] == "Analyst A").sum() == 2 * len(counted(survey))
        assert project.raw_checksums.exists() and project.sources.exists()
        assert "scale 2" in capsys.readouterr().out

    def test_refuses_a_scale_below_one(self, tmp_path: Path) -> None:
        with pytest.raises(SystemExit):
            synth.main(["--scale", "0", "--project", str(tmp_path)])
        with pytest.raises(ValueError, match="scale"):
            synth.generate(scale=0)


class TestCodedReferences:
    def test_published_sub_theme_counts(self, survey: synth.SyntheticSurvey) -> None:
        counts = code_counts(survey)
        assert {code: counts[code] for code in PUBLISHED_SUBTHEMES} == PUBLISHED_SUBTHEMES

    def test_published_theme_totals(self, survey: synth.SyntheticSurvey) -> None:
        codebook = load_codebook(PATHS.codebook)
        theme_of = codebook.subthemes.set_index("subtheme_code")["theme_code"]
        totals = counted(survey)["code"].map(theme_of).value_counts()
        assert {theme: totals[theme] for theme in PUBLISHED_THEME_TOTALS} == PUBLISHED_THEME_TOTALS

    def test_every_count_is_multiplied_by_the_scale(
        self, survey: synth.SyntheticSurvey, survey_10x: synth.SyntheticSurvey
    ) -> None:
        pd.testing.assert_series_equal(code_counts(survey_10x), code_counts(survey) * 10)

    def test_each_code_belongs_to_its_question_in_the_codebook(
        self, survey: synth.SyntheticSurvey
    ) -> None:
        valid = {tuple(pair) for pair in load_codebook(PATHS.codebook).question_code_pairs}
        used = set(survey.coded_references[["question", "code"]].itertuples(index=False))
        assert used <= valid

    def test_targets_and_sentence_banks_cover_every_codebook_code(self) -> None:
        targets = yaml.safe_load(resource("synth", "targets.yml").read_text(encoding="utf-8"))
        banks = yaml.safe_load(resource("synth", "sentences.yml").read_text(encoding="utf-8"))
        pairs = load_codebook(PATHS.codebook).question_code_pairs
        assert sorted(
            [question, code]
            for question, spec in targets["questions"].items()
            for code in spec["references"]
        ) == sorted(pairs)
        assert all(len(banks["codes"][code]) >= 4 for _, code in pairs)

    def test_one_row_per_reference_in_id_order(self, survey: synth.SyntheticSurvey) -> None:
        references = survey.coded_references
        assert list(references.columns) == ["response_id", "question", "code", "coder"]
        assert not references.duplicated().any()
        order = ["response_id", "question", "coder", "code"]
        assert references.equals(references.sort_values(order, ignore_index=True))

    def test_every_reference_is_to_a_valid_answer_that_says_something(
        self, survey: synth.SyntheticSurvey
    ) -> None:
        responses = kept(survey.survey_export)
        references = survey.coded_references
        assert references["response_id"].isin(responses.index).all()
        answers = [
            responses.at[response_id, COLUMNS[question]]
            for response_id, question in zip(
                references["response_id"], references["question"], strict=True
            )
        ]
        assert all(says_something(answer) for answer in answers)

    def test_answers_carry_up_to_four_codes(self, survey: synth.SyntheticSurvey) -> None:
        per_answer = counted(survey).groupby(["response_id", "question"]).size()
        assert set(per_answer) == {1, 2, 3, 4}


class TestSurveyExport:
    def test_columns_and_values_follow_the_data_dictionary(
        self, survey: synth.SyntheticSurvey
    ) -> None:
        export = survey.survey_export
        assert list(export.columns) == list(synth.EXPORT_COLUMNS)
        assert export.map(lambda value: isinstance(value, str)).all().all()
        assert export["response_id"].str.fullmatch(r"PMS20-\d{4,}").all()
        assert export["submitted_at"].str.fullmatch(r"2020-0[678]-\d\dT\d\d:\d\d:\d\d\+01:00").all()
        assert set(export["status"]) == {"Complete", "Partial", "Preview"}
        assert set(export["consent_to_quote"]) == {"Yes", "No"}

    def test_1018_valid_responses_from_148_of_150_areas(
        self, survey: synth.SyntheticSurvey
    ) -> None:
        responses = kept(survey.survey_export)
        codes = area_codes(survey, responses["area"])
        assert len(responses) == 1018
        assert codes.notna().all()
        assert codes.nunique() == 148
        assert codes.value_counts().between(1, 15).all()
        assert list(survey.areas["area_code"]) == [f"BL{n:03d}" for n in range(1, 151)]

    def test_ten_times_the_valid_responses_at_scale_10(
        self, survey_10x: synth.SyntheticSurvey
    ) -> None:
        responses = kept(survey_10x.survey_export)
        assert len(responses) == 10_180
        assert area_codes(survey_10x, responses["area"]).nunique() == 148

    def test_every_spelling_names_one_area(self, survey: synth.SyntheticSurvey) -> None:
        spellings = pd.DataFrame(
            [
                (code, area_key(spelling))
                for code, name, variants in survey.areas.itertuples(index=False)
                for spelling in [name, *filter(None, variants.split("|"))]
            ],
            columns=["code", "key"],
        ).drop_duplicates()
        assert not spellings["key"].duplicated().any()

    def test_generated_spellings_match_by_the_cleaning_rule_alone(self) -> None:
        for name in ["St Aldric's and Fennybrook", "Canalside & Lockfield", "Old Quarry"]:
            spellings = synth._recognisable_spellings(name)
            assert spellings and all(area_key(s) == area_key(name) for s in spellings)

    def test_no_two_submissions_of_one_respondent_share_a_time(
        self, survey: synth.SyntheticSurvey
    ) -> None:
        assert not survey.survey_export.duplicated(["response_id", "submitted_at"]).any()

    def test_has_the_mess_of_a_real_export(self, survey: synth.SyntheticSurvey) -> None:
        export = survey.survey_export
        statuses = export["status"].value_counts()
        assert 30 <= statuses["Partial"] <= 60 and 8 <= statuses["Preview"] <= 16
        answers = pd.concat([export["main_challenge"], export["support_needed"]])
        assert (answers != answers.str.strip()).sum() > 50
        assert answers.str.contains("\r\n").any() and answers.str.contains("\n\n").any()
        assert answers.str.contains("\u2019").any()
        assert answers.isin(["", "n/a", "N/A", "-", "None"]).sum() > 100
        responses = kept(export)
        names = survey.areas.set_index("area_code")["area_name"]
        typed_otherwise = responses["area"] != area_codes(survey, responses["area"]).map(names)
        assert typed_otherwise.sum() > 100

    def test_resubmissions_come_before_and_after_the_kept_one(
        self, survey: synth.SyntheticSurvey
    ) -> None:
        export = survey.survey_export
        last_complete = kept(export)["submitted_at"]
        repeated = export.loc[
            export["response_id"].duplicated(keep=False)
            & export["response_id"].isin(last_complete.index)
        ]
        later = repeated["submitted_at"] > repeated["response_id"].map(last_complete)
        earlier = repeated["submitted_at"] < repeated["response_id"].map(last_complete)
        assert set(repeated.loc[later, "status"]) == {"Partial"}
        assert set(repeated.loc[earlier, "status"]) == {"Complete", "Partial"}
        assert 20 <= repeated["response_id"].nunique() <= 40

    def test_about_seventy_percent_consent_to_quotes(self, survey: synth.SyntheticSurvey) -> None:
        consent = kept(survey.survey_export)["consent_to_quote"]
        assert 0.65 <= (consent == "Yes").mean() <= 0.75


class TestPublishedQuotes:
    def quotes(self) -> list[dict[str, str]]:
        text = resource("synth", "quotes.yml").read_text(encoding="utf-8")
        return yaml.safe_load(text)["quotes"]

    def test_the_brief_quotes_are_all_placed(self) -> None:
        placed = {quote["id"]: (quote["column"], quote["code"]) for quote in self.quotes()}
        assert placed == PUBLISHED_QUOTES

    @pytest.mark.parametrize("scale", [1, 10])
    def test_each_quote_is_in_its_respondents_kept_answer_with_consent(
        self, scale: int, survey: synth.SyntheticSurvey, survey_10x: synth.SyntheticSurvey
    ) -> None:
        generated = survey if scale == 1 else survey_10x
        responses = kept(generated.survey_export)
        references = counted(generated)
        for quote in self.quotes():
            response = responses.loc[quote["id"]]
            assert occurs_in_order(
                quote_fragments(quote["quote"]), plain(response[quote["column"]])
            )
            assert response["consent_to_quote"] == "Yes"
            question = next(key for key, column in COLUMNS.items() if column == quote["column"])
            codes = references.loc[
                (references["response_id"] == quote["id"]) & (references["question"] == question),
                "code",
            ]
            assert list(codes) == [quote["code"]]

    def test_some_quoted_answers_need_cleaning(self, survey: synth.SyntheticSurvey) -> None:
        responses = kept(survey.survey_export)
        raw = [responses.at[quote["id"], quote["column"]] for quote in self.quotes()]
        assert sum(answer != plain(answer) for answer in raw) >= 4

    def test_quoted_respondents_have_no_personal_data(self, survey: synth.SyntheticSurvey) -> None:
        assert not survey.personal_data["response_id"].isin(list(PUBLISHED_QUOTES)).any()
        rows = survey.survey_export.loc[survey.survey_export["response_id"].isin(PUBLISHED_QUOTES)]
        text = " ".join(rows["main_challenge"] + " " + rows["support_needed"])
        assert not re.search(r"@|\d{3,}|www\.|https?://", text)


class TestPersonalData:
    def test_every_value_occurs_in_its_raw_answer(self, survey: synth.SyntheticSurvey) -> None:
        responses = kept(survey.survey_export)
        ledger = survey.personal_data
        assert list(ledger.columns) == ["response_id", "column", "kind", "value"]
        for response_id, column, _, value in ledger.itertuples(index=False):
            assert value in responses.at[response_id, column]

    def test_every_kind_in_three_to_six_percent_of_answers(
        self, survey: synth.SyntheticSurvey
    ) -> None:
        ledger = survey.personal_data
        responses = kept(survey.survey_export)
        answers = pd.concat([responses["main_challenge"], responses["support_needed"]])
        share = (
            len(ledger[["response_id", "column"]].drop_duplicates())
            / answers.map(says_something).sum()
        )
        assert set(ledger["kind"]) == {"name", "email", "phone", "postcode", "url"}
        assert 0.03 <= share <= 0.06

    def test_names_include_words_and_lower_case(self, survey_10x: synth.SyntheticSurvey) -> None:
        names = survey_10x.personal_data.loc[survey_10x.personal_data["kind"] == "name", "value"]
        assert names.isin(["Hope", "Joy", "Grace", "Will", "Mark", "Sue"]).any()
        assert names.str.fullmatch(r"[a-z]+").any()
        assert names.str.contains(" ").any()

    def test_contact_details_are_reserved_ones(self, survey_10x: synth.SyntheticSurvey) -> None:
        ledger = survey_10x.personal_data
        emails = ledger.loc[ledger["kind"] == "email", "value"]
        assert emails.str.fullmatch(r"[\w.]+@([\w-]+\.)?example\.(org|com|net)").all()
        phones = ledger.loc[ledger["kind"] == "phone", "value"].str.replace(r"\D", "", regex=True)
        drama = r"(44|0)(7700900|2079460|1614960|1214960|1134960)\d{3}"
        assert phones.str.replace(r"^440", "44", regex=True).str.fullmatch(drama).all()
        urls = ledger.loc[ledger["kind"] == "url", "value"]
        assert urls.str.contains("example").all()


class TestDealCodes:
    def test_deals_exact_counts_without_repeating_a_code_in_an_answer(self) -> None:
        counts, sizes = np.array([6, 3, 2, 1]), np.array([4, 3, 2, 1, 1, 1])
        answer, code = synth._deal_codes(counts, sizes, np.random.default_rng(0))
        assert np.bincount(code, minlength=4).tolist() == [6, 3, 2, 1]
        assert np.bincount(answer).tolist() == sizes.tolist()
        assert not pd.DataFrame({"answer": answer, "code": code}).duplicated().any()

    def test_refuses_counts_that_do_not_fill_the_answers(self) -> None:
        with pytest.raises(ValueError, match="do not fill"):
            synth._deal_codes(np.array([2]), np.array([1]), np.random.default_rng(0))

    def test_gives_up_when_a_code_must_repeat(self) -> None:
        with pytest.raises(RuntimeError, match="repeating"):
            synth._deal_codes(np.array([3, 1]), np.array([4]), np.random.default_rng(0))


class TestHelpers:
    def test_uneven_split_stays_in_bounds(self) -> None:
        parts = synth._uneven_split(100, 12, 1, 15, np.random.default_rng(0))
        assert parts.sum() == 100 and parts.min() >= 1 and parts.max() <= 15
        assert len(set(parts)) > 3
        with pytest.raises(ValueError):
            synth._uneven_split(100, 5, 1, 15, np.random.default_rng(0))

    def test_occurs_once_counts_whole_words_in_any_case(self) -> None:
        assert synth._occurs_once("Hope", "Thanks to Hope from the LTO.")
        assert not synth._occurs_once("Hope", "We hope to meet Hope soon.")
        assert synth._occurs_once("will", "ask will, he is willing")

    def test_answers_join_in_order_with_spaces(self) -> None:
        pieces = np.array(["b.", "a.", "c."], dtype=object)
        joined = synth._join_per_answer(np.array([2, 0, 2]), pieces, 4)
        assert joined.tolist() == ["a.", "", "b. c.", ""]
