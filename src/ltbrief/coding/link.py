"""Which response a coded passage is of, and whether its text is that response's answer.

Survey answers enter a qualitative-analysis tool as documents: one per respondent and
question, one per respondent, or one collated document with a marker before each answer.
``data/sources.yml`` says which (``coding.link``). A passage whose document names no
response, or whose text is not in the answer it codes, is an error naming the file, the
document, the code and the position.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ltbrief.clean_responses import normalise_text
from ltbrief.codebook import Codebook
from ltbrief.errors import BuildError
from ltbrief.redact import redact_text

LINK_ACTION = (
    "correct coding.link in data/sources.yml so that it matches how the documents are named, "
    "or rename the document in the tool and export again"
)


@dataclass(frozen=True)
class Owner:
    """The response (and question, where the document says) a document or passage is of."""

    response_id: str
    question: str = ""


def owner_by_name(name: str, pattern: str) -> Owner | None:
    """The response a document name gives, by the ``document`` rule; None if it matches not."""
    match = re.fullmatch(pattern, name.strip())
    if not match:
        return None
    groups = match.groupdict()
    return Owner(groups["response_id"], groups.get("question") or "")


@dataclass(frozen=True)
class Marker:
    """One response's marker in a collated document: where it is, where the answer starts."""

    at: int
    answer: int
    owner: Owner


def markers(text: str, pattern: str) -> list[Marker]:
    """Every answer's marker in a collated document, in order."""
    return [
        Marker(
            match.start(),
            match.end(),
            Owner(match["response_id"], match.groupdict().get("question") or ""),
        )
        for match in re.finditer(pattern, text)
    ]


def owner_at(found: Sequence[Marker], start: int, end: int) -> Owner | None:
    """The response of a passage from ``start`` to ``end`` of a collated document.

    None when the passage starts before the first answer or runs into the next marker.
    """
    owner = None
    following = None
    for marker in found:
        if marker.answer <= start:
            owner = marker.owner
        elif marker.at >= start and following is None:
            following = marker.at
    if owner is None or (following is not None and end > following):
        return None
    return owner


def unmatched_document(
    file: Path, document: str, rule: str, pattern: str, code: str, place: str
) -> BuildError:
    """The error for a coded document that the link rule ties to no response."""
    return BuildError(
        f"the document {document!r} holds coding ({code}) but names no response by the {rule} rule",
        file=file,
        place=place,
        expected=f"a {rule} matching {pattern!r} in full",
        action=LINK_ACTION,
    )


def check_texts(
    references: pd.DataFrame, responses: pd.DataFrame, codebook: Codebook, source: Path
) -> None:
    """Fail at the first passage whose text is not in the answer it codes.

    Both are compared as cleaning leaves answers: whitespace folded, quotes plain, and
    case ignored; a passage that held personal data is compared redacted, as the answer
    is. Passages without text (a CSV of codes) are not checked.
    """
    if "text" not in references:
        return
    columns = codebook.answer_columns
    answers = {
        (response, question): text
        for question, column in columns.items()
        for response, text in zip(responses["response_id"], responses[column], strict=True)
        if isinstance(text, str)
    }
    for row in references.loc[references["text"].str.strip() != ""].itertuples(index=False):
        answer = answers.get((row.response_id, row.question), "")
        if not _contained(row.text, answer):
            raise BuildError(
                f"the passage {_short(row.text)!r}, coded {row.code_path or row.code_name}, is "
                f"not in the {row.question} answer of response {row.response_id}",
                file=source,
                place=row.place or f"row {row.row}",
                expected=f"text from that answer: {_short(answer)!r}",
                action="check that the document holds this response's answer (the link in "
                "data/sources.yml, or the document's name in the tool), and export again",
            )


def _contained(passage: str, answer: str) -> bool:
    folded = answer.casefold()
    plain = normalise_text(passage)
    return plain.casefold() in folded or redact_text(plain).casefold() in folded


def _short(text: str, characters: int = 60) -> str:
    return text if len(text) <= characters else text[: characters - 3] + "..."
