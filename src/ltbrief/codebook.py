"""The analysts' codebook: questions, themes and sub-themes, and the brief's table layouts."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import pandas as pd
from pydantic import Field

from ltbrief.config import Loaded, Strict, load_model
from ltbrief.errors import BuildError, did_you_mean

CODEBOOK_ACTION = "restore data/codebook.yml from git, or correct it (docs/data-dictionary.md)"

Text = Annotated[str, Field(min_length=1)]
Code = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*$")]
Key = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]


class CodeEntry(Strict):
    """What a theme and a sub-theme both have: a code, a key, a label, a place in order."""

    code: Code
    key: Key
    label: Text
    order: int
    reported: bool = True
    description: str = ""


class SubthemeEntry(CodeEntry):
    """A sub-theme: the code each coded reference names, its label and display order."""

    indicative_phrases: list[str] = Field(default_factory=list)
    # The code's name in the QDA tool, when it differs from ``code`` (docs/coding-sources.md).
    tool_code: str = ""
    specific_needs: list[str] = Field(default_factory=list)


class ThemeEntry(CodeEntry):
    """A theme: its sub-themes, its label and display order."""

    subthemes: list[SubthemeEntry] = Field(min_length=1)


class QuestionEntry(Strict):
    """An open-ended question: its key in the coding, its survey column, its themes."""

    key: Key
    column: Text
    text: Text
    themes: list[ThemeEntry] = Field(min_length=1)


class TableEntry(Strict):
    """How one table of the brief is laid out."""

    id: Annotated[str, Field(pattern=r"^tbl-[a-z0-9-]+$")]
    caption: Text
    question: Key
    # A row per sub-theme grouped under its theme, or the sub-themes of one theme with needs.
    rows: Literal["subthemes-by-theme", "subthemes-with-needs"]
    headers: list[Text] = Field(min_length=3, max_length=3)
    theme: Code | None = None


class CodebookFile(Strict):
    """``data/codebook.yml``: the questions with their themes, then the brief's tables."""

    questions: list[QuestionEntry] = Field(min_length=1)
    tables: list[TableEntry] = Field(min_length=1)


@dataclass(frozen=True)
class Question:
    """One open-ended question: its key in the coding export and its survey column."""

    key: str
    column: str
    text: str
    line: int | None = dataclasses.field(default=None, compare=False)


@dataclass(frozen=True)
class TableSpec:
    """How one of the brief's tables is laid out from the codebook and the counts."""

    id: str
    caption: str
    question: str
    rows: str
    headers: tuple[str, str, str]
    theme: str | None = None


@dataclass(frozen=True)
class Codebook:
    """The codebook read from YAML.

    ``subthemes`` has one row per sub-theme with its theme's fields beside it:
    question, theme_code, theme_key, theme_label, theme_order, theme_reported,
    subtheme_code, subtheme_key, subtheme_label, subtheme_order, subtheme_reported,
    description, indicative_phrases, specific_needs.
    """

    source: Path
    questions: tuple[Question, ...]
    subthemes: pd.DataFrame
    tables: tuple[TableSpec, ...]

    def question(self, key: str) -> Question:
        """The question with this key."""
        return next(question for question in self.questions if question.key == key)

    @property
    def answer_columns(self) -> dict[str, str]:
        """Each question's key and the column of the responses holding its answers."""
        return {question.key: question.column for question in self.questions}

    def require_answer_columns(self, columns: Iterable[str]) -> None:
        """Fail, at the question's line, unless every question's column is among ``columns``."""
        columns = list(columns)
        for question in self.questions:
            if question.column not in columns:
                raise BuildError(
                    f"question {question.key!r} takes its answers from column "
                    f"{question.column!r}, which the clean responses do not have",
                    file=self.source,
                    line=question.line,
                    expected=f"one of the responses' columns: {', '.join(columns)}",
                    action=f"correct the 'column' of question {question.key!r} in the codebook",
                )

    @property
    def question_code_pairs(self) -> list[list[str]]:
        """Every valid (question, sub-theme code) pair, for validation."""
        return self.subthemes[["question", "subtheme_code"]].values.tolist()

    @property
    def code_theme_pairs(self) -> list[list[str]]:
        """Every valid (sub-theme code, theme code) pair, for validation."""
        return self.subthemes[["subtheme_code", "theme_code"]].values.tolist()


def load_codebook(path: Path) -> Codebook:
    """Read the codebook into questions, one row per sub-theme, and the table layouts.

    Every key, type and cross-reference is checked; an error names the line and key.
    """
    loaded = load_model(path, CodebookFile, "the codebook", CODEBOOK_ACTION)
    _check_unique_codes(loaded)
    _check_tables(loaded)
    questions = tuple(
        Question(entry.key, entry.column, entry.text, loaded.line_of("questions", index))
        for index, entry in enumerate(loaded.model.questions)
    )
    subthemes = pd.DataFrame(
        [
            {
                "question": question.key,
                "theme_code": theme.code,
                "theme_key": theme.key,
                "theme_label": theme.label,
                "theme_order": theme.order,
                "theme_reported": theme.reported,
                "subtheme_code": subtheme.code,
                "subtheme_key": subtheme.key,
                "subtheme_label": subtheme.label,
                "subtheme_order": subtheme.order,
                "subtheme_reported": subtheme.reported,
                "description": subtheme.description,
                "indicative_phrases": list(subtheme.indicative_phrases),
                "tool_code": subtheme.tool_code,
                "specific_needs": list(subtheme.specific_needs),
            }
            for question in loaded.model.questions
            for theme in question.themes
            for subtheme in theme.subthemes
        ]
    )
    tables = tuple(
        TableSpec(
            table.id, table.caption, table.question, table.rows, tuple(table.headers), table.theme
        )  # type: ignore[arg-type]
        for table in loaded.model.tables
    )
    return Codebook(path, questions, subthemes, tables)


def _check_unique_codes(loaded: Loaded[CodebookFile]) -> None:
    """Fail at the second definition of a theme or sub-theme code, naming the first."""
    defined: dict[str, int | None] = {}
    for q, question in enumerate(loaded.model.questions):
        for t, theme in enumerate(question.themes):
            entries = [(("questions", q, "themes", t), theme.code)] + [
                (("questions", q, "themes", t, "subthemes", s), subtheme.code)
                for s, subtheme in enumerate(theme.subthemes)
            ]
            for location, code in entries:
                line = loaded.line_of(*location)
                if code in defined:
                    first = f" (first at line {defined[code]})" if defined[code] else ""
                    raise loaded.error(
                        f"code {code} is already defined{first}",
                        *location,
                        "code",
                        expected="each theme and sub-theme code once across the codebook",
                        action="rename or remove the duplicate entry",
                    )
                defined[code] = line


def _check_tables(loaded: Loaded[CodebookFile]) -> None:
    """Fail on a table whose question or theme is not in the codebook."""
    questions = {question.key: question for question in loaded.model.questions}
    for index, table in enumerate(loaded.model.tables):
        if table.question not in questions:
            raise loaded.error(
                f"table {table.id} shows question {table.question!r}, which the codebook lacks",
                "tables", index, "question",
                expected=f"one of the question keys {sorted(questions)}",
                action=did_you_mean(table.question, questions, "correct the table's question"),
            )  # fmt: skip
        themes = [theme.code for theme in questions[table.question].themes]
        if (table.rows == "subthemes-with-needs") != (table.theme is not None):
            raise loaded.error(
                f"table {table.id} has rows {table.rows!r} "
                f"{'without' if table.theme is None else 'with'} a theme",
                "tables", index, "theme",
                expected="a theme for rows subthemes-with-needs, and none for subthemes-by-theme",
                action="add or remove the table's 'theme'",
            )  # fmt: skip
        if table.theme is not None and table.theme not in themes:
            raise loaded.error(
                f"table {table.id} shows theme {table.theme}, which question "
                f"{table.question!r} lacks",
                "tables", index, "theme",
                expected=f"one of the question's theme codes {themes}",
                action=did_you_mean(table.theme, themes, "correct the table's theme"),
            )  # fmt: skip
