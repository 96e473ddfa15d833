"""``data/sources.yml``: where the raw inputs are and what each survey column means.

The models below are the file's schema and its documentation (docs/data-sources.md
shows them in use). A survey tool's export goes in unchanged: the mapping names the
export, its layout, and the column that plays each role, with value maps that turn the
tool's codes (``1``/``2``, ``True``/``False``, Qualtrics ``Status`` codes) into the
canonical values the cleaning rules read.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from ltbrief.config import Loaded, Strict, load_model
from ltbrief.errors import did_you_mean
from ltbrief.paths import ProjectPaths

LAYOUTS = ("csv", "xlsx", "qualtrics", "surveymonkey", "forms")
ENCODINGS = ("auto", "utf-8", "windows-1252", "latin-1", "utf-16")
# Without a declared pattern: any id with no space at either end and no line break.
ANY_ID = r"\S(?:.*\S)?"
SOURCES_ACTION = "restore data/sources.yml from git, or write one as docs/data-sources.md shows"


def _plain_file_name(name: str) -> str:
    """A file in ``data/raw/`` named without folders, so nothing is read from elsewhere."""
    pure = PurePosixPath(name)
    if not name.strip() or len(pure.parts) != 1 or pure.name in {".", ".."} or "\\" in name:
        raise ValueError(f"a file name inside data/raw/ without folders, not {name!r}")
    return name


def _regular_expression(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as error:
        raise ValueError(f"a regular expression ({error})") from None
    return pattern


def _time_zone(name: str) -> str:
    if name not in known_zones():
        hint = did_you_mean(name, sorted(known_zones()))
        raise ValueError(f"an IANA time zone such as Europe/London{f' ({hint})' if hint else ''}")
    return name


@cache
def known_zones() -> frozenset[str]:
    """The IANA time zones this machine's zone database holds."""
    return frozenset(zoneinfo.available_timezones())


FileName = Annotated[str, AfterValidator(_plain_file_name)]
Pattern = Annotated[str, AfterValidator(_regular_expression)]
TimeZone = Annotated[str, AfterValidator(_time_zone)]
ColumnName = Annotated[str, Field(min_length=1)]


class Column(Strict):
    """A column of the export, named as the layout identifies columns (see docs)."""

    column: ColumnName
    # SurveyMonkey only: the second header row's cell, for a question with several columns.
    subheader: str | None = None


class RespondentId(Column):
    """The respondent's id; a resubmission repeats it. ``pattern`` is what every id looks like."""

    pattern: Pattern | None = None


class SubmittedAt(Column):
    """When a submission was made: ISO 8601 with an offset, or local times in a declared zone.

    ``format`` is a ``strftime`` pattern (e.g. ``%m/%d/%Y %I:%M:%S %p``) for text that is
    not ISO 8601; ``timezone`` the zone the tool wrote local times in, where the export
    does not say so itself.
    """

    format: str | None = None
    timezone: TimeZone | None = None


class Flag(Column):
    """Which submissions have a property (are tests, are finished), read from one column.

    Exactly one of: ``values``, a map of every value the column holds to true or false
    (a value not listed stops the build); ``listed``, the values that mean true (any
    other means false); ``answered: true``, a non-blank cell means true.
    """

    values: dict[str, bool] | None = None
    listed: list[str] | None = None
    answered: Literal[True] | None = None

    @model_validator(mode="after")
    def _one_rule(self) -> Flag:
        given = [name for name in ("values", "listed", "answered") if getattr(self, name)]
        if len(given) != 1:
            raise ValueError(
                "exactly one of 'values' (every value mapped to true or false), 'listed' "
                f"(the values that mean true) or 'answered: true'; this has {given or 'none'}"
            )
        return self


class Consent(Column):
    """Consent to be quoted: every value the column holds, mapped to true (yes) or false."""

    values: dict[str, bool] = Field(min_length=1)


class Survey(Strict):
    """The survey tool's export and the role each of its columns plays."""

    file: FileName
    layout: Literal["csv", "xlsx", "qualtrics", "surveymonkey", "forms"] | None = None
    encoding: Literal["auto", "utf-8", "windows-1252", "latin-1", "utf-16"] = "auto"
    delimiter: Literal[",", ";", "\t"] | None = None
    sheet: str | None = None
    response_id: RespondentId
    submission_id: Column | None = None
    submitted_at: SubmittedAt
    test: Flag | None = None
    finished: Flag | None = None
    area: Column
    consent_to_quote: Consent
    questions: dict[str, ColumnName] = Field(min_length=1)

    def roles(self) -> Iterator[tuple[tuple[str | int, ...], Column]]:
        """Every declared column with where it is declared, e.g. ``("area",)``."""
        for role in ("response_id", "submission_id", "submitted_at", "test", "finished",
                     "area", "consent_to_quote"):  # fmt: skip
            declared = getattr(self, role)
            if declared is not None:
                yield (role,), declared
        for key, column in self.questions.items():
            yield ("questions", key), Column(column=column)


class TidyFile(Strict):
    """A CSV in this project's own columns (see docs/data-dictionary.md)."""

    file: FileName


class CoderFile(Strict):
    """One coder's export, for a tool whose exports do not name the coder (Taguette)."""

    file: FileName
    coder: str = Field(min_length=1)


class Link(Strict):
    """How a QDA tool's documents are tied to responses: exactly one rule.

    ``document``: a regular expression every document's name matches in full, with a group
    ``response_id`` (and, where each document holds one answer, ``question``). ``case`` and
    ``case_variable``: documents belong to cases (REFI ``SourceRef``) whose name matches the
    expression, or whose variable of that name holds the id. ``marker``: documents collate
    many answers, each after a marker such as ``[PMS20-0104]`` that the expression matches.
    Without a ``question`` group, each passage's question is its code's question.
    """

    document: Pattern | None = None
    case: Pattern | None = None
    case_variable: str | None = None
    marker: Pattern | None = None

    @model_validator(mode="after")
    def _one_rule(self) -> Link:
        given = [
            name for name in ("document", "case", "case_variable", "marker") if getattr(self, name)
        ]
        if len(given) != 1:
            raise ValueError(
                "exactly one of 'document', 'case', 'case_variable' or 'marker'; this has "
                f"{given or 'none'}"
            )
        for name in ("document", "case", "marker"):
            pattern = getattr(self, name)
            if pattern and "response_id" not in re.compile(pattern).groupindex:
                raise ValueError(f"a group (?P<response_id>...) in the '{name}' expression")
        return self


class Coding(Strict):
    """The analysts' coding, as their qualitative-analysis tool exported it.

    ``format``: ``csv`` (this project's own columns), ``qdpx`` (a REFI-QDA project, from
    NVivo, ATLAS.ti, MAXQDA, QualCoder, Quirkos, Transana), ``qualcoder`` (QualCoder's coding
    report as CSV) or ``taguette`` (Taguette's highlights CSV). ``file``, or ``files`` with a
    coder each. ``codebook``: a REFI-QDA codebook (``.qdc``) holding the tool's code tree.
    ``counted_coder``: whose coding the brief counts, where several coders coded.
    ``offsets``: how a REFI project counts text positions (``auto`` decides by its origin).
    """

    format: Literal["csv", "qdpx", "qualcoder", "taguette"] = "csv"
    file: FileName | None = None
    files: list[CoderFile] | None = None
    codebook: FileName | None = None
    link: Link | None = None
    counted_coder: str | None = None
    offsets: Literal["auto", "codepoints", "utf16", "crlf-as-one"] = "auto"

    @model_validator(mode="after")
    def _files_and_link(self) -> Coding:
        if (self.file is None) == (self.files is None):
            raise ValueError("exactly one of 'file' or 'files' (one file per coder)")
        if self.format == "csv" and self.link is not None:
            raise ValueError("no 'link' for the csv format: its rows name the response")
        if self.format != "csv" and self.link is None:
            raise ValueError(f"a 'link' saying how the {self.format} documents name responses")
        if (
            self.format in ("qualcoder", "taguette")
            and self.link
            and (self.link.marker or self.link.case or self.link.case_variable)
        ):
            raise ValueError(f"a 'document' link: {self.format} exports name documents only")
        return self

    def paths(self, paths: ProjectPaths) -> list[Path]:
        """The coding files, then the codebook, as paths in ``data/raw/``."""
        names = [self.file] if self.file else [entry.file for entry in self.files or []]
        if self.codebook:
            names.append(self.codebook)
        return [paths.raw_file(name) for name in names]


class SourcesFile(Strict):
    """``data/sources.yml``: the survey export, the coding export and the area list."""

    survey: Survey
    coding: Coding
    areas: TidyFile


@dataclass(frozen=True)
class RawInputs:
    """The raw files a project's sources file names, as paths: ``coding`` may be several."""

    survey: Path
    coding: tuple[Path, ...]
    areas: Path

    def __iter__(self) -> Iterator[Path]:
        return iter((self.survey, *self.coding, self.areas))


def load_sources(
    paths: ProjectPaths, question_keys: Sequence[str] | None = None
) -> Loaded[SourcesFile]:
    """Read and check ``data/sources.yml``; fail with the line and key of any problem.

    With ``question_keys`` (the codebook's), the survey's questions must be exactly those.
    """
    sources = load_model(paths.sources, SourcesFile, "the data sources file", SOURCES_ACTION)
    check_columns_used_once(sources)
    if question_keys is not None:
        check_questions(sources, question_keys)
    return sources


def response_id_regex(sources: Loaded[SourcesFile]) -> str:
    """The regular expression every respondent id matches in full, for the suites."""
    pattern = sources.model.survey.response_id.pattern or ANY_ID
    return rf"\A(?:{pattern})\Z"


def raw_inputs(paths: ProjectPaths, sources: Loaded[SourcesFile] | None = None) -> RawInputs:
    """The survey export, coding export and area list the sources file names."""
    model = (sources or load_sources(paths)).model
    return RawInputs(
        survey=paths.raw_file(model.survey.file),
        coding=tuple(model.coding.paths(paths)),
        areas=paths.raw_file(model.areas.file),
    )


def check_questions(sources: Loaded[SourcesFile], question_keys: Sequence[str]) -> None:
    """Fail unless every question the survey maps is a question of the codebook, and all are."""
    declared = sources.model.survey.questions
    for key in declared:
        if key not in question_keys:
            raise sources.error(
                f"'{key}' is not a question of the codebook",
                "survey", "questions", key,
                expected=f"the codebook's question keys: {', '.join(question_keys)}",
                action=f"{did_you_mean(key, question_keys)} Rename the key to "
                "the codebook's.",
            )  # fmt: skip
    missing = [key for key in question_keys if key not in declared]
    if missing:
        raise sources.error(
            f"the codebook's question '{missing[0]}' has no column in the survey export",
            "survey", "questions",
            expected=f"a column for every codebook question: {', '.join(question_keys)}",
            action=f"add '{missing[0]}: <column>' under survey.questions",
        )  # fmt: skip


def check_columns_used_once(sources: Loaded[SourcesFile]) -> None:
    """Fail when two roles that carry values read one column; flags may share a column."""
    seen: dict[tuple[str, str | None], tuple[str | int, ...]] = {}
    for where, column in sources.model.survey.roles():
        if where[0] in ("test", "finished"):
            continue
        key = (column.column, column.subheader)
        if key in seen:
            first = ".".join(map(str, seen[key]))
            raise sources.error(
                f"column '{column.column}' is declared for two roles: {first} and "
                f"{'.'.join(map(str, where))}",
                "survey", *where,
                expected="each value column for one role",
                action="correct one of the two declarations",
            )  # fmt: skip
        seen[key] = where
