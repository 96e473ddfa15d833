"""The analysts' codebook: questions, themes and sub-themes, and the brief's table layouts."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from ltbrief.errors import BuildError

TABLE_LAYOUTS = ("subthemes-by-theme", "subthemes-with-needs")


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
    """Read and check the codebook, failing with the entry and field that is wrong."""
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)
    except FileNotFoundError as error:
        raise BuildError(
            "the codebook is missing",
            file=path,
            expected="a YAML codebook as described in docs/data-dictionary.md",
            action="restore data/codebook.yml from git",
        ) from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise BuildError(
            f"the codebook is not valid YAML ({getattr(error, 'problem', error)})",
            file=path,
            line=mark.line + 1 if mark else None,
            expected="valid YAML",
            action="fix the indentation or quoting at that line",
        ) from error
    if not isinstance(document, dict):
        raise BuildError(
            "the codebook is empty or not a mapping",
            file=path,
            expected="top-level keys 'questions' and 'tables'",
            action="restore data/codebook.yml from git",
        )
    questions, rows = _read_questions(document, path)
    subthemes = pd.DataFrame(rows)
    tables = _read_tables(document, path, questions, subthemes)
    return Codebook(path, tuple(questions), subthemes, tuple(tables))


def _read_questions(document: dict[str, Any], path: Path) -> tuple[list[Question], list[dict]]:
    """Flatten questions -> themes -> sub-themes into rows, checking fields and unique codes."""
    questions: list[Question] = []
    rows: list[dict[str, Any]] = []
    defined: dict[str, int | None] = {}
    for q_index, question in enumerate(_required_list(document, "questions", path, "the codebook")):
        where = f"questions[{q_index}]"
        questions.append(
            Question(
                key=_required(question, "key", path, where),
                column=_required(question, "column", path, where),
                text=_required(question, "text", path, where),
                line=_line(question),
            )
        )
        for t_index, theme in enumerate(_required_list(question, "themes", path, where)):
            theme_where = f"{where}.themes[{t_index}]"
            theme_fields = {
                "question": questions[-1].key,
                "theme_code": _unique_code(theme, defined, path, theme_where),
                "theme_key": _required(theme, "key", path, theme_where),
                "theme_label": _required(theme, "label", path, theme_where),
                "theme_order": _required_int(theme, "order", path, theme_where),
                "theme_reported": _optional_bool(theme, "reported", path, theme_where),
            }
            subthemes = _required_list(theme, "subthemes", path, theme_where)
            for s_index, subtheme in enumerate(subthemes):
                sub_where = f"{theme_where}.subthemes[{s_index}]"
                rows.append(
                    {
                        **theme_fields,
                        "subtheme_code": _unique_code(subtheme, defined, path, sub_where),
                        "subtheme_key": _required(subtheme, "key", path, sub_where),
                        "subtheme_label": _required(subtheme, "label", path, sub_where),
                        "subtheme_order": _required_int(subtheme, "order", path, sub_where),
                        "subtheme_reported": _optional_bool(subtheme, "reported", path, sub_where),
                        "description": str(subtheme.get("description", "")),
                        "indicative_phrases": list(subtheme.get("indicative_phrases") or []),
                        "tool_code": str(subtheme.get("tool_code") or ""),
                        "specific_needs": list(subtheme.get("specific_needs") or []),
                    }
                )
    return questions, rows


def _read_tables(
    document: dict[str, Any], path: Path, questions: list[Question], subthemes: pd.DataFrame
) -> list[TableSpec]:
    """Read the table layouts and check they point at questions and themes that exist."""
    question_keys = {question.key for question in questions}
    theme_codes = set(subthemes["theme_code"])
    tables = []
    for index, table in enumerate(_required_list(document, "tables", path, "the codebook")):
        where = f"tables[{index}]"
        headers = _required_list(table, "headers", path, where)
        spec = TableSpec(
            id=_required(table, "id", path, where),
            caption=_required(table, "caption", path, where),
            question=_required(table, "question", path, where),
            rows=_required(table, "rows", path, where),
            headers=tuple(str(header) for header in headers),  # type: ignore[arg-type]
            theme=table.get("theme"),
        )
        problems = {
            "question": spec.question in question_keys,
            "rows": spec.rows in TABLE_LAYOUTS,
            "headers": len(spec.headers) == 3,
            "theme": spec.theme is None or spec.theme in theme_codes,
        }
        for field, ok in problems.items():
            if not ok:
                raise BuildError(
                    f"{where}.{field} is {getattr(spec, field)!r}",
                    file=path,
                    line=_line(table),
                    expected={
                        "question": f"one of {sorted(question_keys)}",
                        "rows": f"one of {list(TABLE_LAYOUTS)}",
                        "headers": "three column headers",
                        "theme": "a theme code defined under questions",
                    }[field],
                    action=f"correct {where}.{field} in the codebook",
                )
        tables.append(spec)
    return tables


def _required(entry: Any, field: str, path: Path, where: str) -> Any:
    """Return ``entry[field]``, or fail naming the entry that lacks it."""
    if not isinstance(entry, dict) or entry.get(field) in (None, ""):
        raise BuildError(
            f"{where} has no '{field}'",
            file=path,
            line=_line(entry),
            expected=f"every entry under {where.rsplit('[', 1)[0]} to have a '{field}'",
            action=f"add '{field}' to {where}",
        )
    return entry[field]


def _required_list(entry: Any, field: str, path: Path, where: str) -> list[Any]:
    """Return the non-empty list ``entry[field]``, or fail naming the entry."""
    value = _required(entry, field, path, where)
    if not isinstance(value, list) or not value:
        raise BuildError(
            f"{where} has an empty or malformed '{field}'",
            file=path,
            line=_line(entry),
            expected=f"a non-empty list under '{field}'",
            action=f"list at least one item under {where}.{field}",
        )
    return value


def _required_int(entry: Any, field: str, path: Path, where: str) -> int:
    """Return the whole number ``entry[field]``, or fail naming the entry."""
    value = _required(entry, field, path, where)
    if isinstance(value, bool) or not isinstance(value, int):
        raise BuildError(
            f"{where}.{field} is {value!r}",
            file=path,
            line=_line(entry),
            expected="a whole number, e.g. 1 for the first in display order",
            action=f"give {where} a numeric '{field}'",
        )
    return value


def _optional_bool(entry: Any, field: str, path: Path, where: str) -> bool:
    """Return ``entry[field]`` (true when absent), or fail unless it is true or false."""
    value = entry.get(field, True)
    if not isinstance(value, bool):
        raise BuildError(
            f"{where}.{field} is {value!r}",
            file=path,
            line=_line(entry),
            expected="true or false, unquoted",
            action=f"set {where}.{field} to true or false",
        )
    return value


def _unique_code(entry: Any, defined: dict[str, int | None], path: Path, where: str) -> str:
    """Return the entry's code and record where it is defined; fail if it was already."""
    code = _required(entry, "code", path, where)
    if code in defined:
        first = f" (first at line {defined[code]})" if defined[code] else ""
        raise BuildError(
            f"{where} defines code {code}, which is already defined{first}",
            file=path,
            line=_line(entry),
            expected="each theme and sub-theme code once across the codebook",
            action="rename or remove the duplicate entry",
        )
    defined[code] = _line(entry)
    return code


def _line(entry: Any) -> int | None:
    """The line a codebook entry starts on, when it is a mapping read from the file."""
    return getattr(entry, "line", None)


class _Entry(dict):
    """A YAML mapping that remembers the line it starts on."""

    line: int | None = None


class _LineLoader(yaml.SafeLoader):
    """The safe YAML loader, with mappings that remember their line for located errors."""


def _construct_entry(loader: _LineLoader, node: yaml.MappingNode) -> _Entry:
    """Build a YAML mapping as a dict that knows the line it starts on."""
    entry = _Entry(loader.construct_mapping(node, deep=True))
    entry.line = node.start_mark.line + 1
    return entry


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_entry)
