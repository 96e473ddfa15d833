"""The quote-review file: a person read each published quote against its response.

``data/quote-reviews.csv`` is committed with the brief. One row per reviewed quote:
``response_id``, ``quote_sha256`` (of the quote as written in the brief, see
``quote_digest``), the reviewer's initials and the date. The lint fails on a quote with no
row, and on a quote whose words changed since its row was written, so automated checks
(match, consent, personal data, markup) never publish a quote on their own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

from ltbrief.errors import BuildError
from ltbrief.io import write_csv

COLUMNS = ("response_id", "quote_sha256", "reviewer", "reviewed_on")
REVIEW_COMMAND = "python -m ltbrief.render review --reviewer XY"
_INITIALS = re.compile(r"^[A-Z]{2,4}$")
_DIGEST = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True, order=True)
class Review:
    """One row of the review file."""

    response_id: str
    quote_sha256: str
    reviewer: str
    reviewed_on: str


def quote_digest(text: str) -> str:
    """The SHA-256 of a quote as written, after NFC and folding each run of whitespace.

    Rewrapping a quote's lines keeps its review; any other change, even of a quotation
    mark, an escape or a letter's case, asks for a new one.
    """
    folded = " ".join(unicodedata.normalize("NFC", text).split())
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()


def check_initials(reviewer: str) -> str:
    """The reviewer's initials, or a ``BuildError`` saying how to write them."""
    if not _INITIALS.match(reviewer):
        raise BuildError(
            f"reviewer {reviewer!r} is not a reviewer's initials",
            expected="2 to 4 capital letters, e.g. LT",
            action="give your initials: --reviewer XY",
        )
    return reviewer


def read_reviews(path: Path) -> list[Review]:
    """The reviews in ``path``; none when the file does not exist yet."""
    if not path.is_file():
        return []
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    if tuple(frame.columns) != COLUMNS:
        raise BuildError(
            "the quote-review file has the wrong columns",
            file=path,
            line=1,
            expected=",".join(COLUMNS),
            action=f"restore the header line, or record the reviews again: {REVIEW_COMMAND}",
        )
    reviews = [Review(*row) for row in frame.itertuples(index=False)]
    for line, review in enumerate(reviews, start=2):
        _check_row(review, path, line)
    return reviews


def _check_row(review: Review, path: Path, line: int) -> None:
    """Raise a ``BuildError`` naming the line and column of the first bad value."""
    checks = (
        ("response_id", bool(review.response_id.strip()), "a response id, e.g. PMS20-0104"),
        ("quote_sha256", bool(_DIGEST.match(review.quote_sha256)), "64 lower-case hex digits"),
        ("reviewer", bool(_INITIALS.match(review.reviewer)), "2 to 4 capital letters"),
        ("reviewed_on", _is_iso_date(review.reviewed_on), "a date as YYYY-MM-DD"),
    )
    for column, valid, expected in checks:
        if not valid:
            raise BuildError(
                f"{column} {getattr(review, column)!r} is not valid",
                file=path,
                line=line,
                column=column,
                expected=expected,
                action=f"fix the row, or record the review again: {REVIEW_COMMAND}",
            )


def _is_iso_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == len("YYYY-MM-DD")


def write_reviews(path: Path, reviews: Iterable[Review]) -> Path:
    """Write the reviews sorted by response id and digest, atomically."""
    rows = [asdict(review) for review in sorted(set(reviews))]
    return write_csv(path, pd.DataFrame(rows, columns=list(COLUMNS)))


def review_problem(response_id: str, text: str, reviews: Sequence[Review]) -> str | None:
    """Why a quote has no current review, or ``None`` when it has one."""
    digest = quote_digest(text)
    earlier = [review for review in reviews if review.response_id == response_id]
    if any(review.quote_sha256 == digest for review in earlier):
        return None
    if earlier:
        last = max(earlier, key=lambda review: review.reviewed_on)
        return (
            f"quote of {response_id} changed since {last.reviewer} reviewed it "
            f"on {last.reviewed_on}"
        )
    return f"quote of {response_id} has not been reviewed"


def updated_reviews(
    reviews: Sequence[Review], quoted: Iterable[tuple[str, str]], reviewer: str, day: dt.date
) -> list[Review]:
    """The reviews for the quotes now published: kept where current, new where not.

    ``quoted`` holds (response id, text) for every published quote; rows for quotes no
    longer published are dropped (git keeps their history).
    """
    current = {(rid, quote_digest(text)) for rid, text in quoted}
    kept = [review for review in reviews if (review.response_id, review.quote_sha256) in current]
    known = {(review.response_id, review.quote_sha256) for review in kept}
    added = [Review(rid, digest, reviewer, day.isoformat()) for rid, digest in current - known]
    return sorted(kept + added)
