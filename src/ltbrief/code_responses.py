"""Stage 02: join the analysts' coding export to the clean responses and the codebook."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ltbrief.codebook import Codebook
from ltbrief.errors import BuildError

CODING_COLUMNS = ("response_id", "question", "code")
OUTPUT_COLUMNS = (
    "response_id",
    "question",
    "theme_code",
    "theme_key",
    "theme_label",
    "theme_order",
    "theme_reported",
    "subtheme_code",
    "subtheme_key",
    "subtheme_label",
    "subtheme_order",
    "subtheme_reported",
    "area_code",
)


# About 1,200 references were coded for the survey's ~1,000 respondents; the suite's
# row-count bounds scale with the synthetic generator's factor.
REFERENCES_PER_SCALE = (800, 2_000)


@dataclass(frozen=True)
class CodingResult:
    """One row per coded reference, with what each check found."""

    references: pd.DataFrame
    log: pd.DataFrame


def _located(reference: pd.Series, source: Path | None) -> dict[str, object]:
    """Where a reference is: its row in a CSV export, or its place in a project file."""
    place = reference.get("place") or ""
    if place:
        return {"file": source, "place": place}
    return {"file": source, "row": int(reference["row"])}


def tidy_coding(coding: pd.DataFrame) -> pd.DataFrame:
    """Trim stray spaces around ids, question keys and codes."""
    return coding.assign(**{column: coding[column].str.strip() for column in CODING_COLUMNS})


def reject_duplicate_references(coding: pd.DataFrame, source: Path | None = None) -> pd.DataFrame:
    """Fail if a coder gives a response the same code twice for one question; else pass through.

    A duplicate would count one mention twice, so it is an error in the export,
    not something to drop silently.
    """
    key = [*CODING_COLUMNS, *(["coder"] if "coder" in coding else [])]
    repeated = coding.loc[coding.duplicated(key, keep="first")]
    if not repeated.empty:
        first = repeated.iloc[0]
        raise BuildError(
            f"response {first['response_id']} is coded {first['code']} twice "
            f"for the {first['question']} question",
            **_located(first, source),
            column="code",
            expected="each (response_id, question, code) once",
            action="remove the repeated row from the coding export",
        )
    return coding


def attach_codebook(
    coding: pd.DataFrame, codebook: Codebook, source: Path | None = None
) -> pd.DataFrame:
    """Add each code's theme and sub-theme from the codebook; unknown or misplaced codes fail."""
    keys = [question.key for question in codebook.questions]
    strangers = coding.loc[~coding["question"].isin(keys)]
    if not strangers.empty:
        first = strangers.iloc[0]
        raise BuildError(
            f"question {first['question']!r} is not a question of the codebook "
            f"({len(strangers)} row(s))",
            **_located(first, source),
            column="question",
            expected=f"one of {', '.join(keys)} (the questions in {codebook.source.name})",
            action="correct the question in the coding export",
        )
    entries = codebook.subthemes.drop(
        columns=["description", "indicative_phrases", "specific_needs", "tool_code"]
    ).rename(columns={"question": "codebook_question"})
    joined = coding.merge(entries, left_on="code", right_on="subtheme_code", how="left")
    unknown = joined.loc[joined["subtheme_code"].isna()]
    if not unknown.empty:
        first = unknown.iloc[0]
        raise BuildError(
            f"code {first['code']!r} is not in the codebook ({len(unknown)} row(s))",
            **_located(first, source),
            column="code",
            expected=f"a sub-theme code from {codebook.source.name}",
            action="correct the code, or add it to the codebook with its theme",
        )
    misplaced = joined.loc[joined["question"] != joined["codebook_question"]]
    if not misplaced.empty:
        first = misplaced.iloc[0]
        raise BuildError(
            f"code {first['code']} belongs to the {first['codebook_question']} question "
            f"but is used for {first['question']!r}",
            **_located(first, source),
            column="question",
            expected=f"'{first['codebook_question']}' for code {first['code']}",
            action="correct the question or the code in the coding export",
        )
    return joined.drop(columns=["code", "codebook_question"])


def attach_responses(
    coding: pd.DataFrame,
    responses: pd.DataFrame,
    codebook: Codebook,
    source: Path | None = None,
) -> pd.DataFrame:
    """Add each reference's area; a reference to a missing response or blank answer fails."""
    codebook.require_answer_columns(responses.columns)
    answered = pd.concat(
        [
            responses.loc[responses[question.column].notna(), ["response_id", "area_code"]].assign(
                question=question.key
            )
            for question in codebook.questions
        ]
    )
    joined = coding.merge(answered, on=["response_id", "question"], how="left")
    orphans = joined.loc[joined["area_code"].isna()]
    if not orphans.empty:
        first = orphans.iloc[0]
        known = first["response_id"] in set(responses["response_id"])
        column = codebook.question(first["question"]).column
        raise BuildError(
            (
                f"response {first['response_id']} has no answer in {column}, yet it is coded"
                if known
                else f"response {first['response_id']} is not among the valid responses"
            )
            + f" ({len(orphans)} reference(s) like this)",
            **_located(first, source),
            column="response_id",
            expected="a response that survives cleaning and answered the coded question",
            action="check the id against the survey export; remove references to test, "
            "partial or blank responses",
        )
    return joined


def code_responses(
    coding: pd.DataFrame,
    responses: pd.DataFrame,
    codebook: Codebook,
    source: Path | None = None,
) -> CodingResult:
    """Check and join the coding export; log what each step found.

    Where the coding has a ``coder`` column, each coder's references are checked and the
    result keeps the column (the brief counts one coder's: ``ltbrief.coding.read.counted``).
    """
    tidy = tidy_coding(coding)
    steps = [
        ("trim spaces", tidy),
        ("no duplicate references", reject_duplicate_references(tidy, source)),
    ]
    with_codes = attach_codebook(steps[-1][1], codebook, source)
    steps.append(("codes exist for their question", with_codes))
    with_responses = attach_responses(with_codes, responses, codebook, source)
    steps.append(("responses exist and answered", with_responses))
    coder = ["coder"] if "coder" in with_responses else []
    references = (
        with_responses.sort_values(
            ["response_id", "question", *coder, "subtheme_code"], kind="stable"
        )
        .loc[:, [*OUTPUT_COLUMNS, *coder]]
        .reset_index(drop=True)
    )
    log = pd.DataFrame([{"step": step, "references": len(frame)} for step, frame in steps])
    return CodingResult(references, log)


def suite_parameters(scale: int, codebook: Codebook, response_id_regex: str) -> dict[str, object]:
    """Parameters of the ``code_responses`` suite: row counts, valid code pairs, id pattern."""
    low, high = REFERENCES_PER_SCALE
    return {
        "min_rows": low * scale,
        "max_rows": high * scale,
        "response_id_regex": response_id_regex,
        "question_code_pairs": codebook.question_code_pairs,
        "code_theme_pairs": codebook.code_theme_pairs,
    }


def agreement_suite_parameters(codebook: Codebook) -> dict[str, object]:
    """Parameters of the ``agreement`` suite: the codebook's question keys."""
    return {"questions": [question.key for question in codebook.questions]}
