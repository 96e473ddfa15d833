"""The quote-review file: a person read each published quote against its response.

``data/quote-reviews.csv`` is committed with the brief. One row per reviewed quote:
``response_id``, ``quote_sha256`` (of the quote as written in the brief, see
``quote_digest``), the reviewer's initials and the date. The lint fails on a quote with no
row, and on a quote whose words changed since its row was written, so automated checks
(match, consent, personal data, markup) never publish a quote on their own.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated

import pandas as pd
from pydantic import AfterValidator, ValidationError

from ltbrief.config import Strict
from ltbrief.errors import BuildError, did_you_mean
from ltbrief.io import write_csv

REVIEW_COMMAND = "python -m ltbrief.render review --reviewer XY"
_INITIALS = re.compile(r"[A-Z]{2,4}")
_DIGEST = re.compile(r"[0-9a-f]{64}")


def _response_id(text: str) -> str:
    if not text.strip() or text != text.strip():
        raise ValueError("a response id without spaces at either end, e.g. PMS20-0104")
    return text


def _digest(text: str) -> str:
    if not _DIGEST.fullmatch(text):
        raise ValueError("64 lower-case hex digits, the quote's SHA-256")
    return text


def _initials(text: str) -> str:
    if not _INITIALS.fullmatch(text):
        raise ValueError("2 to 4 capital letters, the reviewer's initials, e.g. LT")
    return text


def _iso_date(text: str) -> str:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        text = ""
    if len(text) != len("YYYY-MM-DD"):
        raise ValueError("a date as YYYY-MM-DD")
    return text


class ReviewRow(Strict):
    """A row of ``data/quote-reviews.csv``: who read which quote's words against its answer."""

    response_id: Annotated[str, AfterValidator(_response_id)]
    quote_sha256: Annotated[str, AfterValidator(_digest)]
    reviewer: Annotated[str, AfterValidator(_initials)]
    reviewed_on: Annotated[str, AfterValidator(_iso_date)]


COLUMNS = tuple(ReviewRow.model_fields)


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
    try:
        return _initials(reviewer)
    except ValueError as error:
        raise BuildError(
            f"reviewer {reviewer!r} is not a reviewer's initials",
            expected=str(error),
            action="give your initials: --reviewer XY",
        ) from None


def read_reviews(path: Path) -> list[Review]:
    """The reviews in ``path``, each row checked; none when the file does not exist yet."""
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle)
        _check_header(next(rows, []), path)
        reviews = [_review(row, rows.line_num, path) for row in rows]
    return reviews


def _review(row: list[str], line: int, path: Path) -> Review:
    """The review on one line of the file, or a ``BuildError`` naming its first bad value."""
    if len(row) != len(COLUMNS):
        raise BuildError(
            f"the row has {len(row)} values",
            file=path,
            line=line,
            expected=f"{len(COLUMNS)} values: {','.join(COLUMNS)}",
            action=f"fix the row, or record the review again: {REVIEW_COMMAND}",
        )
    values = dict(zip(COLUMNS, row, strict=True))
    try:
        return Review(**ReviewRow.model_validate(values).model_dump())
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        column = str(first["loc"][0])
        raise BuildError(
            f"{column} {values[column]!r} is not valid",
            file=path,
            line=line,
            column=column,
            expected=first["msg"].removeprefix("Value error, "),
            action=f"fix the row, or record the review again: {REVIEW_COMMAND}",
        ) from None


def _check_header(columns: list[str], path: Path) -> None:
    """Fail on a header line that is not exactly the four columns, naming the first wrong one."""
    if tuple(columns) == COLUMNS:
        return
    unknown = [column for column in columns if column not in COLUMNS]
    missing = [column for column in COLUMNS if column not in columns]
    if unknown:
        problem = f"the quote-review file has an unknown column '{unknown[0]}'"
        hint = did_you_mean(unknown[0], COLUMNS, "remove the column")
    elif missing:
        problem, hint = f"the quote-review file lacks the column '{missing[0]}'", ""
    else:
        problem, hint = "the quote-review file has its columns in another order", ""
    raise BuildError(
        problem,
        file=path,
        line=1,
        expected=",".join(COLUMNS),
        action=f"{hint + '; ' if hint else ''}restore the header line, or record the reviews "
        f"again: {REVIEW_COMMAND}",
    )


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
