"""``python -m ltbrief.render review``: record that a person read each new or changed quote.

python -m ltbrief.render review --reviewer XY          # show the quotes, ask, record
python -m ltbrief.render review --reviewer XY --yes    # record without asking (scripts)

Shows every published quote with no current review beside the response it cites, then
writes one row per quote to the quote-review file (``data/quote-reviews.csv``). A quote
that fails an automated check (match, consent, markup, personal data) cannot be recorded.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ltbrief.errors import BuildError
from ltbrief.io import read_parquet
from ltbrief.paths import PATHS, ProjectPaths
from ltbrief.render.lint import ANSWER_COLUMNS, collect_sources, find_quotes, lint
from ltbrief.render.project import load_project
from ltbrief.render.quote_reviews import (
    Review,
    check_initials,
    read_reviews,
    review_problem,
    updated_reviews,
    write_reviews,
)
from ltbrief.render.quotes import Quote
from ltbrief.render.scan import scan

WIDTH = 96


@dataclass(frozen=True)
class Pending:
    """A published quote without a current review, and why."""

    file: Path
    quote: Quote
    reason: str


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m ltbrief.render review",
        description="Show new or changed quotes beside their responses and record your review.",
    )
    parser.add_argument("--reviewer", required=True, help="your initials, e.g. LT")
    parser.add_argument(
        "--date",
        type=dt.date.fromisoformat,
        default=dt.date.today(),
        help="the review date, YYYY-MM-DD (default: today)",
    )
    parser.add_argument("--yes", action="store_true", help="record without asking")
    parser.add_argument("--project", type=Path, help="project folder (default: this repository)")
    return parser.parse_args(argv)


def published_quotes(paths: ProjectPaths) -> list[tuple[Path, Quote]]:
    """Every quote in the brief and its includes that names a response, with its file."""
    sources = collect_sources(load_project(paths))
    return [
        (source.path, quote)
        for source in sources
        for quote in find_quotes(source, scan(source.text))
        if quote.response_id
    ]


def pending_reviews(
    quoted: Sequence[tuple[Path, Quote]], reviews: Sequence[Review]
) -> list[Pending]:
    """The quotes whose review is missing or older than their words."""
    pending = []
    for file, quote in quoted:
        reason = review_problem(str(quote.response_id), quote.text, reviews)
        if reason:
            pending.append(Pending(file, quote, reason))
    return pending


def describe(pending: Pending, root: Path, responses: pd.DataFrame | None) -> str:
    """The quote as written and the answers of the response it cites, for a person to read."""
    shown = pending.file.relative_to(root) if pending.file.is_relative_to(root) else pending.file
    lines = [f"{shown.as_posix()}:{pending.quote.line}: {pending.reason}"]
    lines += _block("quote", pending.quote.text)
    rid = pending.quote.response_id
    if responses is not None and rid in responses.index:
        for column in ANSWER_COLUMNS:
            answer = responses.loc[rid].get(column)
            if isinstance(answer, str) and answer:
                lines += _block(column, answer)
    return "\n".join(lines)


def _block(label: str, text: str) -> list[str]:
    return textwrap.wrap(
        " ".join(text.split()),
        width=WIDTH,
        initial_indent=f"  {label}: ",
        subsequent_indent=" " * (len(label) + 4),
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Show the quotes to review, ask, and record the reviews; return 1 if nothing was."""
    arguments = parse_arguments(argv)
    paths = ProjectPaths.at(arguments.project) if arguments.project else PATHS
    try:
        reviewer = check_initials(arguments.reviewer)
        quoted = published_quotes(paths)
        reviews = read_reviews(paths.quote_reviews)
    except BuildError as error:
        print(error.message, file=sys.stderr)
        return 1
    pending = pending_reviews(quoted, reviews)
    updated = updated_reviews(
        reviews, [(str(q.response_id), q.text) for _, q in quoted], reviewer, arguments.date
    )
    shown_file = paths.quote_reviews.relative_to(paths.root)
    if not pending:
        if updated != sorted(reviews):
            write_reviews(paths.quote_reviews, updated)
            print(f"Dropped the reviews of quotes no longer published from {shown_file}.")
        print("Every published quote has a current review.")
        return 0
    if blocked := _failing_checks(paths, pending):
        print("\n".join(blocked), file=sys.stderr)
        print(
            "Fix these first: a review records a quote that passes every automated check.",
            file=sys.stderr,
        )
        return 1
    responses = _responses(paths)
    for item in pending:
        print(describe(item, paths.root, responses), end="\n\n")
    question = f"Record {len(pending)} review(s) as {reviewer} on {arguments.date}? [y/N] "
    if not (arguments.yes or _confirm(question)):
        print("Nothing recorded.")
        return 1
    write_reviews(paths.quote_reviews, updated)
    print(f"Recorded {len(pending)} review(s) in {shown_file}.")
    return 0


def _failing_checks(paths: ProjectPaths, pending: Sequence[Pending]) -> list[str]:
    """The lint's problems on the lines of the quotes waiting for review."""
    places = {(item.file, item.quote.line) for item in pending}
    return [
        str(problem)
        for problem in lint(paths, check_reviews=False)
        if (paths.root / problem.file, problem.line) in places
    ]


def _responses(paths: ProjectPaths) -> pd.DataFrame | None:
    if not paths.responses.is_file():
        return None
    return read_parquet(paths.responses).set_index("response_id")


def _confirm(question: str) -> bool:
    try:
        return input(question).strip().lower() in ("y", "yes")
    except EOFError:
        print()
        return False
