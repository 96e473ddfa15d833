"""The quote-review file and the command that records reviews."""

from __future__ import annotations

import dataclasses
import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from ltbrief.errors import BuildError
from ltbrief.paths import PATHS, ProjectPaths
from ltbrief.render import lint
from ltbrief.render.__main__ import main
from ltbrief.render.quote_reviews import (
    COLUMNS,
    Review,
    quote_digest,
    read_reviews,
    review_problem,
    updated_reviews,
    write_reviews,
)
from tests.fixtures.render.fixture import make_project

OLD = "finding the right experts and advice to get"
NEW = "finding the right experts [...] to get"
DAY = "2026-12-01"


class TestDigest:
    def test_rewrapping_keeps_the_digest(self) -> None:
        assert quote_digest(' "One  two\nthree"\n') == quote_digest('"One two three"')

    def test_composed_and_decomposed_accents_are_the_same_text(self) -> None:
        assert quote_digest("café") == quote_digest("cafe\u0301")

    @pytest.mark.parametrize("changed", ['"one two three"', "'One two three'", '"One two three."'])
    def test_any_visible_change_changes_the_digest(self, changed: str) -> None:
        assert quote_digest(changed) != quote_digest('"One two three"')


class TestReviewFile:
    def test_round_trip_sorted(self, tmp_path: Path) -> None:
        path = tmp_path / "reviews.csv"
        reviews = [Review("B", "b" * 64, "LT", DAY), Review("A", "a" * 64, "XY", DAY)]
        write_reviews(path, reviews)
        assert path.read_text().splitlines()[0] == ",".join(COLUMNS)
        assert read_reviews(path) == sorted(reviews)

    def test_a_missing_file_holds_no_reviews(self, tmp_path: Path) -> None:
        assert read_reviews(tmp_path / "none.csv") == []

    @pytest.mark.parametrize(
        ("column", "value"),
        [("quote_sha256", "abc"), ("reviewer", "lt"), ("reviewed_on", "25/11/2026"),
         ("reviewed_on", "20261125"), ("response_id", " ")],
    )  # fmt: skip
    def test_a_bad_value_names_row_and_column(
        self, tmp_path: Path, column: str, value: str
    ) -> None:
        path = tmp_path / "reviews.csv"
        good = Review("PMS20-0104", "a" * 64, "LT", DAY)
        bad = dataclasses.replace(good, **{column: value})
        rows = [COLUMNS, *(dataclasses.astuple(review) for review in (good, bad))]
        path.write_text("".join(",".join(row) + "\n" for row in rows), encoding="utf-8")
        with pytest.raises(BuildError) as caught:
            read_reviews(path)
        assert (caught.value.line, caught.value.column) == (3, column)

    @pytest.mark.parametrize(
        ("header", "problem", "hint"),
        [("response_id,quote_sha256,reviewr,reviewed_on", "an unknown column 'reviewr'",
          "did you mean 'reviewer'"),
         ("response_id,quote_sha256,reviewer", "lacks the column 'reviewed_on'", ""),
         ("quote_sha256,response_id,reviewer,reviewed_on", "in another order", "")],
    )  # fmt: skip
    def test_a_wrong_header_is_refused_naming_the_column(
        self, tmp_path: Path, header: str, problem: str, hint: str
    ) -> None:
        path = tmp_path / "reviews.csv"
        path.write_text(header + "\n", encoding="utf-8")
        with pytest.raises(BuildError, match=problem) as caught:
            read_reviews(path)
        assert caught.value.line == 1
        assert hint in (caught.value.action or "")

    def test_a_row_with_a_fifth_value_is_a_located_error(self, tmp_path: Path) -> None:
        path = tmp_path / "reviews.csv"
        row = ",".join(("PMS20-0104", "a" * 64, "LT", DAY, "extra"))
        path.write_text(",".join(COLUMNS) + "\n" + row + "\n", encoding="utf-8")
        with pytest.raises(BuildError, match="the row has 5 values"):
            read_reviews(path)


class TestStatus:
    REVIEWS = (Review("R1", quote_digest('"Old words"'), "LT", DAY),)

    def test_a_current_review_is_no_problem(self) -> None:
        assert review_problem("R1", '"Old  words"', self.REVIEWS) is None

    def test_changed_words_name_the_last_reviewer(self) -> None:
        problem = review_problem("R1", '"New words"', self.REVIEWS)
        assert problem == f"quote of R1 changed since LT reviewed it on {DAY}"

    def test_an_unknown_quote_was_never_reviewed(self) -> None:
        assert (
            review_problem("R2", '"Old words"', self.REVIEWS) == "quote of R2 has not been reviewed"
        )

    def test_update_keeps_current_adds_new_and_drops_unpublished(self) -> None:
        reviews = [*self.REVIEWS, Review("R9", "9" * 64, "AB", "2026-01-01")]
        quoted = [("R1", '"Old words"'), ("R2", '"New"')]
        updated = updated_reviews(reviews, quoted, "XY", dt.date(2026, 12, 1))
        assert updated == [self.REVIEWS[0], Review("R2", quote_digest('"New"'), "XY", DAY)]


@pytest.fixture
def edited(tmp_path: Path) -> ProjectPaths:
    """The brief with fixture data and one quote cut shorter since its review."""
    paths = make_project(tmp_path)
    report = paths.report.read_text(encoding="utf-8")
    paths.report.write_text(report.replace(OLD, NEW), encoding="utf-8")
    return paths


class TestCommand:
    def test_the_committed_file_reviews_every_quote_of_the_brief(self, tmp_path: Path) -> None:
        assert (
            main(["review", "--reviewer", "LT", "--project", str(make_project(tmp_path).root)]) == 0
        )
        assert make_project(tmp_path).quote_reviews.read_bytes() == PATHS.quote_reviews.read_bytes()

    def test_shows_the_quote_beside_its_response_and_records_it(
        self, edited: ProjectPaths, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert [p.message for p in lint(edited)] == [
            "quote of PMS20-0452 changed since LT reviewed it on 2026-11-25"
        ]
        arguments = ["review", "--reviewer", "XY", "--date", DAY, "--yes"]
        assert main([*arguments, "--project", str(edited.root)]) == 0
        shown = capsys.readouterr().out
        assert "report.qmd:90: quote of PMS20-0452 changed since LT reviewed it" in shown
        assert f'quote: "There were problems {NEW}' in shown
        assert "main_challenge: There were problems finding the right experts and advice" in shown
        assert "Recorded 1 review(s) in data/quote-reviews.csv." in shown
        assert lint(edited) == []
        rows = read_reviews(edited.quote_reviews)
        assert len(rows) == 14
        assert [r.reviewer for r in rows if r.response_id == "PMS20-0452"] == ["XY"]

    def test_records_nothing_unless_the_reviewer_says_yes(
        self, edited: ProjectPaths, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        before = edited.quote_reviews.read_bytes()
        monkeypatch.setattr("builtins.input", lambda question: "n")
        assert main(["review", "--reviewer", "XY", "--project", str(edited.root)]) == 1
        assert edited.quote_reviews.read_bytes() == before

    def test_a_quote_failing_a_check_cannot_be_recorded(
        self, edited: ProjectPaths, capsys: pytest.CaptureFixture[str]
    ) -> None:
        report = edited.report.read_text(encoding="utf-8")
        edited.report.write_text(report.replace(NEW, NEW + " on 07700 900123"), encoding="utf-8")
        before = edited.quote_reviews.read_bytes()
        assert main(["review", "--reviewer", "XY", "--yes", "--project", str(edited.root)]) == 1
        error = capsys.readouterr().err
        assert "report.qmd:90: quote of PMS20-0452 contains a phone number" in error
        assert "Fix these first" in error
        assert edited.quote_reviews.read_bytes() == before

    def test_initials_are_checked(
        self, edited: ProjectPaths, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert main(["review", "--reviewer", "x", "--project", str(edited.root)]) == 1
        assert "2 to 4 capital letters" in capsys.readouterr().err

    def test_runs_without_a_terminal(self, edited: ProjectPaths) -> None:
        completed = subprocess.run(
            [sys.executable, "-m", "ltbrief.render", "review", "--reviewer", "XY",
             "--project", str(edited.root)],
            input="", capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert completed.returncode == 1
        assert "Nothing recorded." in completed.stdout
