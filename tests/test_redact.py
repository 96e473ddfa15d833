"""Tests for ltbrief.redact: each kind of personal data, names in context, frames, corpora."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ltbrief import redact
from ltbrief.errors import BuildError
from ltbrief.paths import PATHS, ProjectPaths, resource
from ltbrief.redact import (
    PLACEHOLDERS,
    Finding,
    evaluate,
    find_personal_data,
    redact_and_count,
    redact_free_text,
    redact_text,
    redaction_counts,
)

PUBLISHED_QUOTES = [
    "...The main challenge has been the difficulties engaging with local residents and gaining "
    "their support and interest in the work we are doing. We are a very small team of people, "
    "mostly in a similar age group and background, which does not reflect the demographics of "
    "the locality.",
    "We are a relatively small partnership, with a majority of older residents, and I feel that "
    "we could have a more diverse partnership.",
    "It has been difficult negotiating the pandemic because it hit just as we were beginning to "
    "work as a team.",
    "COVID struck at the same time as movement from one plan to the next and change in workers "
    "as well as the old worker furloughed. Made movement to next exciting stage difficult. "
    "However, we have new well-grounded plan to go forward. For me the face-to-face contact "
    "with local likeminded residents was important and that has been very constrained.",
    "There were problems finding the right experts and advice to get our housing scheme off the "
    "ground.",
    "Our main challenge is still ongoing. We are negotiating a lease for the building that was "
    "taken on a 'gentlemen's handshake'. This has caused no end of problems and it is looking "
    "likely we may walk away, as we are being asked to pay rent as well as take on all "
    "responsibility for repairs to the building.",
    "The bureaucracy and risk averse attitude that is the local authority, and the seemed lack "
    "and/or delay of decision-making being made by them that hampers our plans.",
    "It was sometimes difficult to come together for decisions. One or two people were quite "
    "dominant and swayed the way others thought and made decisions.",
    "fresh ideas and a great driving force to move forward",
    "take a chance and do things differently",
    "more than enough expertise",
    "Local Trust to come back slightly quicker on decisions when needed",
]

# kind -> (minimum recall, minimum precision) on both corpora
TARGETS = {
    "email": (0.98, 0.95),
    "phone": (0.98, 0.95),
    "postcode": (0.98, 0.95),
    "url": (0.98, 0.95),
    "name": (0.85, 0.85),
}


def allow_listed_phrases() -> list[str]:
    lines = resource("redact", "allow_list.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def kinds_found(text: str) -> list[tuple[str, str]]:
    return [(finding.kind, finding.text) for finding in find_personal_data(text)]


class TestPlaceholders:
    def test_each_kind_has_a_bracketed_placeholder(self):
        assert dict(PLACEHOLDERS) == {
            "email": "[email]",
            "phone": "[phone]",
            "postcode": "[postcode]",
            "url": "[url]",
            "name": "[name]",
        }

    def test_placeholders_cannot_be_changed(self):
        with pytest.raises(TypeError):
            PLACEHOLDERS["name"] = "[person]"  # type: ignore[index]


class TestEmails:
    @pytest.mark.parametrize(
        "address",
        [
            "hello@example.org",
            "sarah.jones+survey@example.co.uk",
            "j-oneill@example-bl.org.uk",
            "CHAIR.Big_Local@Example.org",
            "d.smith-jones@council.example.gov.uk",
        ],
    )
    def test_addresses_are_found_whole(self, address):
        assert kinds_found(f"Write to {address}, please.") == [("email", address)]

    def test_trailing_full_stop_is_not_part_of_the_address(self):
        assert redact_text("Send it to info@example.org.") == "Send it to [email]."

    def test_at_sign_without_a_domain_is_left(self):
        assert find_personal_data("Meet @ the hub at 7 or email me @home") == []


class TestPhones:
    @pytest.mark.parametrize(
        "number",
        [
            "07700 900123",
            "07700-900-456",
            "07700.900.567",
            "07700900234",
            "+44 7700 900123",
            "+447700900789",
            "+44 (0)20 7946 0958",
            "(0)161 496 0000",
            "020 7946 0018",
            "(020) 7946 0321",
            "01632 960 123",
            "(01632) 960 789",
            "0044 20 7946 0222",
            "0800 123 4567",
        ],
    )
    def test_uk_numbers_are_found_whole(self, number):
        assert kinds_found(f"Ring {number} today.") == [("phone", number)]

    @pytest.mark.parametrize(
        "text",
        [
            "Charity number 1147511 | Company number 07833396",
            "We ran 25 events in 2019 and 30 in 2020.",
            "Meetings 09.30-11.30 and 18.00-20.00.",
            "Costs rose from £1,250.50 to £12,000,000.",
        ],
    )
    def test_other_numbers_are_left(self, text):
        assert redact_text(text) == text


class TestPostcodes:
    @pytest.mark.parametrize(
        "postcode",
        ["SE1 4YR", "M1  1AE", "se1 4yr", "B33 8TH", "W1A 0AX", "EC1A 1BB", "CR2 6XH", "SW1A1AA"],
    )
    def test_valid_formats_are_found(self, postcode):
        assert kinds_found(f"Post it to {postcode} now.") == [("postcode", postcode)]

    @pytest.mark.parametrize(
        "text",
        [
            "Leaflets went to every house in DN31.",
            "The A12 and the M6 toll cut the estate in two.",
            "Inward codes never use C, I, K, M, O or V: AB1 2CD is not a postcode.",
            "Clean-up at 10am, lunch at 1pm.",
        ],
    )
    def test_ordinary_words_and_numbers_are_left(self, text):
        assert redact_text(text) == text


class TestUrls:
    @pytest.mark.parametrize(
        "url",
        [
            "https://localtrust.org.uk/big-local/support-from-big-local/",
            "http://examplebl.org",
            "www.example-biglocal.org.uk",
            "WWW.NORTHFIELD-BL.ORG.UK",
            "example-bl.org.uk",
            "localtrust.org.uk/page",
            "facebook.com/ourbiglocal",
            "https://example.com/book?id=42&area=7",
        ],
    )
    def test_urls_are_found_without_trailing_punctuation(self, url):
        assert kinds_found(f"See {url}.") == [("url", url)]

    def test_public_sites_are_replaced_too(self):
        assert redact_text("localtrust.org.uk has guides.") == "[url] has guides."

    @pytest.mark.parametrize("text", ["Use e.g. Zoom, i.e. online.", "It costs 3.5 hours a week."])
    def test_abbreviations_and_decimals_are_left(self, text):
        assert redact_text(text) == text


class TestNames:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("Sarah Jones did the paperwork.", "[name] did the paperwork."),
            ("Janet in the office answers.", "[name] in the office answers."),
            ("Mrs Patel and Cllr Khan came.", "Mrs [name] and Cllr [name] came."),
            ("Dr. Aisha Rahman spoke.", "Dr. [name] spoke."),
            ("Mr and Mrs O'Connor gave benches.", "Mr and Mrs [name] gave benches."),
            ("Kevin's wife Tracey ran it.", "[name]'s wife [name] ran it."),
            ("Our rep, Tomasz Nowak, helps.", "Our rep, [name], helps."),
            ("Daniel Green has moved away.", "[name] has moved away."),
            ("J. Smith resigned.", "[name] resigned."),
        ],
    )
    def test_names_are_replaced_whole(self, text, expected):
        assert redact_text(text) == expected

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("Thanks to Hope, our worker, it helped.", "Thanks to [name], our worker, it helped."),
            ("Speak to Joy at the hub.", "Speak to [name] at the hub."),
            ("Our chair Will has done well.", "Our chair [name] has done well."),
            ("Grace from the LTO sorted it.", "[name] from the LTO sorted it."),
            ("Will Patel chaired it.", "[name] chaired it."),
            ("Lisa and Mark ran the club.", "[name] and [name] ran the club."),
            ("Contact May at the office.", "Contact [name] at the office."),
        ],
    )
    def test_names_that_are_words_need_a_cue_or_a_surname(self, text, expected):
        assert redact_text(text) == expected

    @pytest.mark.parametrize(
        "text",
        [
            "Hope is what keeps us going.",
            "Will the council ever answer?",
            "May was a difficult month.",
            "We need to mark the anniversary with joy and grace.",
            "Bill payments and rent arrears worry families.",
            "It takes patience.",
        ],
    )
    def test_names_that_are_words_are_left_without_a_cue(self, text):
        assert redact_text(text) == text

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("our rep sue has been great", "our rep [name] has been great"),
            ("speak to karen at the hub", "speak to [name] at the hub"),
            ("the worker called jo left", "the worker called [name] left"),
        ],
    )
    def test_lower_case_names_are_replaced_after_a_strong_cue(self, text, expected):
        assert redact_text(text) == expected

    @pytest.mark.parametrize(
        "text",
        ["the old worker furloughed", "our rep will help", "sue the council", "speak to them"],
    )
    def test_lower_case_words_are_left(self, text):
        assert redact_text(text) == text

    @pytest.mark.parametrize(
        "text",
        [
            "Traffic on Mark Lane is bad.",
            "The Rose Hill centre opened.",
            "Residents in King's Lynn had not heard of us.",
            "Hope Street food bank fed 200 families.",
            "We bought the Victoria Road building.",
            "St Mary's Church drew a crowd.",
            "The Grace Darling Centre is closed.",
            "We visited Milton Keynes.",
        ],
    )
    def test_places_built_from_names_are_left(self, text):
        assert redact_text(text) == text

    def test_a_place_is_left_even_after_a_cue(self):
        assert redact_text("Thanks to Local Trust and Big Local.") == (
            "Thanks to Local Trust and Big Local."
        )


class TestAllowList:
    @pytest.mark.parametrize("phrase", allow_listed_phrases())
    def test_phrase_is_never_redacted(self, phrase):
        for text in (f"We talked about {phrase} today.", f"Thanks to {phrase}, our rep said."):
            assert phrase in redact_text(text)


class TestPublishedQuotes:
    @pytest.mark.parametrize("quote", PUBLISHED_QUOTES)
    def test_quote_comes_through_unchanged(self, quote):
        assert redact_text(quote) == quote


class TestFindPersonalData:
    def test_findings_say_kind_place_and_text(self):
        text = "Contact Ruth Evans (ruth@example.org, 07700 900321)."
        assert find_personal_data(text) == [
            Finding("name", 8, 18, "Ruth Evans"),
            Finding("email", 20, 36, "ruth@example.org"),
            Finding("phone", 38, 50, "07700 900321"),
        ]

    @settings(max_examples=300, deadline=None)
    @given(
        st.lists(
            st.sampled_from(
                [
                    *"abcXYZ019 .,'’-@/:()+&\n",
                    *["Sarah ", "Hope ", "Mr ", "our rep ", "sue ", "Street ", "www.", ".org.uk"],
                    *["07700 900123", "SE1 4YR", "King's Lynn", "St ", " and ", "Local Trust"],
                ]
            ),
            max_size=30,
        ).map("".join)
    )
    def test_spans_are_ordered_disjoint_and_match_the_text(self, text):
        position = 0
        for finding in find_personal_data(text):
            assert position <= finding.start < finding.end <= len(text)
            assert text[finding.start : finding.end] == finding.text
            position = finding.end


class TestRedactFreeText:
    @pytest.fixture
    def answers(self):
        return pd.DataFrame(
            {
                "response_id": ["PMS20-1", "PMS20-2", "PMS20-3", "PMS20-4"],
                "main_challenge": ["Call 07700 900123.", None, "Call 07700 900123.", np.nan],
                "support_needed": ["More help.", "Ask Sarah Jones.", None, "Nothing."],
                "area": ["Hope Street", "Rose Hill", "Mark Lane", "King's Lynn"],
            },
            index=[10, 11, 12, 13],
        )

    def test_columns_are_redacted_and_others_kept(self, answers):
        result = redact_free_text(answers, ["main_challenge", "support_needed"])
        assert result["main_challenge"].tolist()[0::2] == ["Call [phone].", "Call [phone]."]
        assert result["support_needed"].tolist()[:2] == ["More help.", "Ask [name]."]
        pd.testing.assert_series_equal(result["area"], answers["area"])
        pd.testing.assert_index_equal(result.index, answers.index)

    def test_nulls_stay_null(self, answers):
        result = redact_free_text(answers, ["main_challenge", "support_needed"])
        assert result["main_challenge"].iloc[1] is None
        assert np.isnan(result["main_challenge"].iloc[3])
        assert result["support_needed"].iloc[2] is None

    def test_input_is_untouched(self, answers):
        before = answers.copy(deep=True)
        redact_free_text(answers, ["main_challenge", "support_needed"])
        pd.testing.assert_frame_equal(answers, before)

    def test_string_dtype_is_kept(self):
        frame = pd.DataFrame({"text": pd.array(["Ask Sarah.", pd.NA], dtype="string")})
        result = redact_free_text(frame, ["text"])
        assert result["text"].dtype == "string"
        assert result["text"].iloc[0] == "Ask [name]."
        assert result["text"].isna().iloc[1]

    def test_each_distinct_text_is_redacted_once(self, monkeypatch):
        calls = []
        original = redact.redact_text

        def counting_redact_text(text: str) -> str:
            calls.append(text)
            return original(text)

        monkeypatch.setattr(redact, "redact_text", counting_redact_text)
        frame = pd.DataFrame({"text": ["Ask Sarah."] * 1000 + ["No."] * 500})
        result = redact_free_text(frame, ["text"])
        assert sorted(calls) == ["Ask Sarah.", "No."]
        assert result["text"].value_counts().to_dict() == {"Ask [name].": 1000, "No.": 500}

    def test_missing_column_names_the_column(self, answers):
        with pytest.raises(BuildError, match="no column 'support'") as error:
            redact_free_text(answers, ["support"])
        assert error.value.column == "support"

    def test_non_text_value_names_row_and_column(self):
        frame = pd.DataFrame({"text": ["fine", 42]}, index=["a", "b"])
        with pytest.raises(BuildError, match="holds a int") as error:
            redact_free_text(frame, ["text"])
        assert (error.value.row, error.value.column) == ("b", "text")


class TestRedactionCounts:
    def test_counts_per_response_column_and_kind(self):
        frame = pd.DataFrame(
            {
                "response_id": ["PMS20-2", "PMS20-1", "PMS20-3"],
                "main_challenge": ["Sarah and Dave: 07700 900123", None, "Nothing to see."],
                "support_needed": ["Email a@example.org", "Ask Sarah.", "Ask Sarah."],
            }
        )
        counts = redaction_counts(frame, ["main_challenge", "support_needed"])
        assert counts.to_dict("records") == [
            {"response_id": "PMS20-1", "column": "support_needed", "kind": "name", "count": 1},
            {"response_id": "PMS20-2", "column": "main_challenge", "kind": "phone", "count": 1},
            {"response_id": "PMS20-2", "column": "main_challenge", "kind": "name", "count": 2},
            {"response_id": "PMS20-2", "column": "support_needed", "kind": "email", "count": 1},
            {"response_id": "PMS20-3", "column": "support_needed", "kind": "name", "count": 1},
        ]

    def test_personal_data_never_appears(self):
        frame = pd.DataFrame({"response_id": ["r1"], "text": ["Sarah Jones, sarah@example.org"]})
        counts = redaction_counts(frame, ["text"])
        cells = " ".join(counts.astype(str).to_numpy().ravel())
        assert "Sarah" not in cells and "example" not in cells

    def test_nothing_found_gives_an_empty_table_with_the_columns(self):
        frame = pd.DataFrame({"id": ["r1", "r2"], "text": ["All fine.", None]})
        counts = redaction_counts(frame, ["text"], id_column="id")
        assert counts.empty
        assert list(counts.columns) == ["id", "column", "kind", "count"]

    def test_missing_id_column_is_reported(self):
        with pytest.raises(BuildError, match="no column 'response_id'"):
            redaction_counts(pd.DataFrame({"text": ["x"]}), ["text"])


class TestRedactAndCount:
    @pytest.fixture
    def answers(self):
        return pd.DataFrame(
            {
                "response_id": ["PMS20-3", "PMS20-1", "PMS20-2", "PMS20-4", "PMS20-5"],
                "main_challenge": [
                    "Sarah and Dave: 07700 900123",
                    None,
                    "Sarah and Dave: 07700 900123",
                    np.nan,
                    "Nothing to see.",
                ],
                "support_needed": [
                    "Email a@example.org or see example.org",
                    "Ask Sarah.",
                    "Ask Sarah.",
                    "Post to SE1 4YR.",
                    "Sarah and Dave: 07700 900123",
                ],
                "area": ["Hope Street", "Rose Hill", "Mark Lane", "King's Lynn", "Hope"],
            },
            index=[10, 11, 12, 13, 14],
        )

    def test_equals_redacting_then_counting(self, answers):
        columns = ["main_challenge", "support_needed"]
        redacted, counts = redact_and_count(answers, columns)
        pd.testing.assert_frame_equal(redacted, redact_free_text(answers, columns))
        pd.testing.assert_frame_equal(counts, redaction_counts(answers, columns))
        assert redacted["main_challenge"].iloc[1] is None
        assert np.isnan(redacted["main_challenge"].iloc[3])

    def test_equal_when_nothing_is_found(self):
        frame = pd.DataFrame({"id": ["r1", "r2"], "text": ["All fine.", None]})
        redacted, counts = redact_and_count(frame, ["text"], id_column="id")
        pd.testing.assert_frame_equal(redacted, redact_free_text(frame, ["text"]))
        pd.testing.assert_frame_equal(counts, redaction_counts(frame, ["text"], id_column="id"))

    def test_each_distinct_text_is_searched_once(self, answers, monkeypatch):
        calls = []
        original = redact._spans

        def counting_spans(text: str) -> list[tuple[int, int, str]]:
            calls.append(text)
            return original(text)

        monkeypatch.setattr(redact, "_spans", counting_spans)
        columns = ["main_challenge", "support_needed"]
        redact_and_count(answers, columns)
        assert calls == [text for c in columns for text in answers[c].dropna().unique()]

    def test_input_is_untouched(self, answers):
        before = answers.copy(deep=True)
        redact_and_count(answers, ["main_challenge", "support_needed"])
        pd.testing.assert_frame_equal(answers, before)

    @pytest.mark.parametrize(
        ("columns", "id_column", "message"),
        [
            (["support"], "response_id", "cannot redact free text: there is no column 'support'"),
            (["support_needed"], "id", "cannot count redactions: there is no column 'id'"),
        ],
    )
    def test_missing_column_fails_as_the_separate_functions_do(
        self, answers, columns, id_column, message
    ):
        with pytest.raises(BuildError, match=message):
            redact_and_count(answers, columns, id_column=id_column)

    def test_non_text_value_names_row_and_column(self):
        frame = pd.DataFrame({"response_id": ["r1", "r2"], "text": ["fine", 42]}, index=["a", "b"])
        with pytest.raises(BuildError, match="holds a int") as error:
            redact_and_count(frame, ["text"])
        assert (error.value.row, error.value.column) == ("b", "text")


class TestEvaluate:
    def test_scores_count_exact_spans_per_kind(self):
        corpus = pd.DataFrame(
            {
                "text": ["Ask Sarah Jones.", "Hope said no.", "Ring 07700 900123.", "Sarah came."],
                "expected": ["Ask [name].", "[name] said no.", "Ring [phone].", "Sarah came."],
            }
        )
        scores = evaluate(corpus).set_index("kind")
        # "Hope said" is found (a cue follows); "Sarah came" is a false alarm by label.
        assert scores.loc["name", ["expected", "found", "correct"]].tolist() == [2, 3, 2]
        assert scores.loc["name", "precision"] == pytest.approx(2 / 3)
        assert scores.loc["name", "recall"] == 1.0
        assert scores.loc["phone", ["precision", "recall"]].tolist() == [1.0, 1.0]
        assert scores.loc["email", ["expected", "found", "precision", "recall"]].tolist() == [
            0,
            0,
            1.0,
            1.0,
        ]

    def test_a_partial_name_is_a_miss_and_a_false_alarm(self):
        # A surname in capitals is not name-shaped, so only "Dave" is found.
        corpus = pd.DataFrame({"text": ["Ask Dave SMITH."], "expected": ["Ask [name]."]})
        scores = evaluate(corpus).set_index("kind").loc["name"]
        assert scores[["expected", "found", "correct"]].tolist() == [1, 1, 0]

    def test_misaligned_label_names_the_row(self):
        corpus = pd.DataFrame({"text": ["Ask Sarah."], "expected": ["Ask [name]!"]}, index=["d9"])
        with pytest.raises(BuildError, match="does not line up") as error:
            evaluate(corpus)
        assert error.value.row == "d9"


@pytest.fixture(scope="module")
def corpora() -> dict[str, pd.DataFrame]:
    return {
        split: redact.load_corpus(redact.corpus_path(PATHS, split)) for split in ("dev", "heldout")
    }


class TestCorpora:
    def test_size_and_held_out_share(self, corpora):
        sizes = {split: len(corpus) for split, corpus in corpora.items()}
        assert sum(sizes.values()) >= 200
        assert 0.28 <= sizes["heldout"] / sum(sizes.values()) <= 0.4

    @pytest.mark.parametrize("split", ["dev", "heldout"])
    def test_targets_are_met(self, corpora, split):
        scores = evaluate(corpora[split]).set_index("kind")
        for kind, (recall, precision) in TARGETS.items():
            assert scores.loc[kind, "recall"] >= recall, (split, kind)
            assert scores.loc[kind, "precision"] >= precision, (split, kind)

    @pytest.mark.parametrize("split", ["dev", "heldout"])
    def test_no_allow_listed_phrase_is_taken_for_a_name(self, corpora, split):
        phrases = [re.compile(rf"(?<!\w){re.escape(p)}(?!\w)") for p in allow_listed_phrases()]
        for text in corpora[split]["text"]:
            names = [f for f in find_personal_data(text) if f.kind == "name"]
            for phrase in phrases:
                for match in phrase.finditer(text):
                    assert not [
                        name
                        for name in names
                        if name.start < match.end() and match.start() < name.end
                    ], (match.group(), text)

    def test_corpora_cover_the_hard_cases(self, corpora):
        texts = " ".join(pd.concat(list(corpora.values()))["text"])
        for needle in ["Hope", "Mark", "Joy", "Will", "our rep sue", "Local Trust", "Big Local",
                       "Hope Street", "King's Lynn", "Mark Lane", "Rose Hill", "M1  1AE",
                       "+44", "(0)", "example-bl.org.uk", "+survey@"]:  # fmt: skip
            assert needle in texts


class TestLoadCorpus:
    def write(self, tmp_path: Path, body: str) -> Path:
        path = tmp_path / "corpus.tsv"
        path.write_text("id\ttext\texpected\n" + body, encoding="utf-8")
        return path

    def test_reads_rows_indexed_by_id(self, tmp_path):
        path = self.write(tmp_path, 'd1\tSay "hi" to Sarah.\tSay "hi" to [name].\n')
        corpus = redact.load_corpus(path)
        assert corpus.loc["d1", "text"] == 'Say "hi" to Sarah.'

    def test_misaligned_line_is_reported_with_file_and_line(self, tmp_path):
        path = self.write(tmp_path, "d1\tAsk Sarah.\tAsk Sarah.\nd2\tAsk Sue.\tAsk [name]!\n")
        with pytest.raises(BuildError, match="does not line up") as error:
            redact.load_corpus(path)
        assert (error.value.file, error.value.line) == (path, 3)

    def test_duplicate_id_is_reported(self, tmp_path):
        path = self.write(tmp_path, "d1\tA.\tA.\nd1\tB.\tB.\n")
        with pytest.raises(BuildError, match="duplicate id 'd1'") as error:
            redact.load_corpus(path)
        assert error.value.line == 3

    def test_wrong_header_is_reported(self, tmp_path):
        path = tmp_path / "corpus.tsv"
        path.write_text("text\texpected\nA.\tA.\n", encoding="utf-8")
        with pytest.raises(BuildError, match="unexpected header"):
            redact.load_corpus(path)


class TestGeneratedDoc:
    @pytest.fixture
    def project(self, tmp_path) -> ProjectPaths:
        paths = ProjectPaths.at(tmp_path)
        for split in ("dev", "heldout"):
            target = redact.corpus_path(paths, split)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(redact.corpus_path(PATHS, split), target)
        paths.docs.mkdir()
        shutil.copy(redact.doc_path(PATHS), redact.doc_path(paths))
        return paths

    def test_evaluate_command_rewrites_only_the_table(self, project, capsys):
        document = redact.doc_path(project)
        start, end = "<!-- evaluation: generated", "<!-- end of generated evaluation -->"
        before = document.read_text()
        stale = before[: before.index(start)] + before[before.index(start) :].replace(
            "| dev |", "| stale |"
        )
        document.write_text(stale)
        assert redact.main(["--evaluate"], paths=project) == 0
        after = document.read_text()
        assert "| stale |" not in after and "| held-out | 112 | name |" in after
        assert after[: after.index(start)] == before[: before.index(start)]
        assert after[after.index(end) :] == before[before.index(end) :]
        assert "| dev |" in capsys.readouterr().out

    def test_missing_markers_are_reported(self, project, capsys):
        redact.doc_path(project).write_text("# Doc without markers\n")
        assert redact.main(["--evaluate"], paths=project) == 1
        assert "missing its markers" in capsys.readouterr().err

    def test_speed_table_has_one_row_per_measurement(self):
        corpus = pd.DataFrame(
            {
                "text": ["Ask Sarah.", "All fine.", "Ring 07700 900123.", "Yes."],
                "expected": ["Ask [name].", "All fine.", "Ring [phone].", "Yes."],
            }
        )
        speed = redact.measure_speed(corpus, count=5, rows=100)
        assert list(speed.columns) == ["measurement", "seconds", "texts per second"]
        assert len(speed) == 3
