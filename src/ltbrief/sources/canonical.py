"""The canonical survey frame: the mapping applied to an export's columns and values.

Whatever the tool, stage 01 receives one frame: ``row`` (the spreadsheet row), then
``response_id``, ``submitted_at`` (ISO 8601 with its UTC offset), ``status``
(``Complete``, ``Partial`` or ``Preview``), ``area``, one column per codebook question,
and ``consent_to_quote`` (``Yes`` or ``No``; blank only where a test or unfinished
submission left it blank). Every cell is text, exactly as typed: cleaning is stage 01's
work, not the reader's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ltbrief.config import Loaded
from ltbrief.errors import BuildError, did_you_mean
from ltbrief.sources.grid import ROW_INDEX, Cell, Grid, Header, ReadResult, SourceColumn, cell_text
from ltbrief.sources.mapping import Column, Flag, SourcesFile, SubmittedAt, known_zones

STATUSES = ("Complete", "Partial", "Preview")
CONSENT = {True: "Yes", False: "No"}
_ISO_WITH_OFFSET = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:Z|[+-][0-9]{2}:[0-9]{2})"
)
_SHOWN_COLUMNS = 12
Role = tuple[str | int, ...]


@dataclass(frozen=True)
class _Found:
    """A declared role and the export column that plays it."""

    where: Role
    declared: Column
    column: SourceColumn


def canonical_frame(
    grid: Grid,
    header: Header,
    sources: Loaded[SourcesFile],
    answer_columns: Mapping[str, str],
    notes: Sequence[str] = (),
) -> ReadResult:
    """Find every role's column in ``header``, map its values, and return the canonical frame.

    ``answer_columns`` maps each codebook question key to its canonical column name, in
    the codebook's order, which is the frame's.
    """
    survey = sources.model.survey
    found = {
        where: _find(header, where, declared, sources, grid) for where, declared in survey.roles()
    }
    body = grid.rows[header.rows :]
    numbers = grid.numbers[header.rows :]
    if not body:
        raise BuildError(
            f"the export has its {header.rows} header row(s) but no responses under them",
            file=grid.path,
            row=grid.numbers[header.rows - 1] + 1,
            expected="one row per submission under the header",
            action="export the responses again; the export may have been filtered or cut short",
        )

    def cells(role: Role) -> list[Cell]:
        position = found[role].column.position
        return [row[position] for row in body]

    def texts(role: Role) -> list[str]:
        column = cells(role)
        if grid.all_text:
            return column  # type: ignore[return-value]
        return [cell if type(cell) is str else cell_text(cell) for cell in column]

    located = _Locator(grid, header.rows, found)
    nobody = np.zeros(len(body), dtype=bool)
    test = _flag(("test",), survey.test, texts, located) if survey.test else nobody
    finished = _flag(("finished",), survey.finished, texts, located) if survey.finished else ~nobody
    status = np.where(test, "Preview", np.where(finished, "Complete", "Partial"))
    response_ids = texts(("response_id",))
    located.require_filled(("response_id",), response_ids)
    if survey.submission_id is not None:
        located.require_unique(("submission_id",), texts(("submission_id",)))
    times, time_note = _times(
        survey.submitted_at, found[("submitted_at",)].column, cells(("submitted_at",)), located,
        sources,
    )  # fmt: skip
    consent = _consent(
        survey.consent_to_quote.values, texts(("consent_to_quote",)), ~test & finished, located
    )
    columns: dict[str, Sequence[str]] = {
        "response_id": response_ids,
        "submitted_at": times,
        "status": status.tolist(),
        "area": texts(("area",)),
        **{column: texts(("questions", key)) for key, column in answer_columns.items()},
        "consent_to_quote": consent,
    }
    index = pd.Index(numbers, name=ROW_INDEX)
    frame = pd.DataFrame(columns, index=index, dtype=object)
    frame.insert(0, "row", index.to_numpy())
    frame.attrs["source"] = str(grid.path)
    read_notes = [
        *notes,
        *grid.notes,
        *header.notes,
        *_column_notes(grid, header, found.values()),
        *_status_notes(grid, survey.test, survey.finished, status),
        *([time_note] if time_note else []),
    ]
    return ReadResult(frame, tuple(read_notes))


class _Locator:
    """Says where a value is, and fails on blank or repeated values with that place."""

    def __init__(self, grid: Grid, header_rows: int, found: Mapping[Role, _Found]) -> None:
        self.grid = grid
        self.header_rows = header_rows
        self.found = found

    def where(self, role: Role, index: int) -> dict[str, object]:
        column = self.found[role].column
        return {**self.grid.where(self.header_rows + index, column.position), "column": column.name}

    def require_filled(self, role: Role, values: Sequence[str]) -> None:
        blank = next((i for i, value in enumerate(values) if not value.strip()), None)
        if blank is not None:
            count = sum(1 for value in values if not value.strip())
            raise BuildError(
                f"the {_role_name(role)} is blank ({count:,} row(s) like this)",
                **self.where(role, blank),
                expected="an id in every row",
                action="fill in the id in the export, or remove the row; a submission without "
                "an id cannot be told from another",
            )

    def require_unique(self, role: Role, values: Sequence[str]) -> None:
        self.require_filled(role, values)
        first: dict[str, int] = {}
        for index, value in enumerate(values):
            if value in first:
                raise BuildError(
                    f"the {_role_name(role)} {value!r} is in two rows (rows "
                    f"{self.grid.numbers[self.header_rows + first[value]]} and "
                    f"{self.grid.numbers[self.header_rows + index]})",
                    **self.where(role, index),
                    expected="each submission once: the tool gives every submission its own id",
                    action="remove the repeated row; the export may have been pasted together "
                    "from two downloads",
                )
            first[value] = index

    def unmapped(self, role: Role, index: int, value: str, known: Sequence[str]) -> BuildError:
        key = ".".join(map(str, ("survey", *role, "values")))
        return BuildError(
            f"{value!r} is not a value data/sources.yml maps for the {_role_name(role)}",
            **self.where(role, index),
            expected=f"one of the values {key} lists: {', '.join(repr(k) for k in known)}",
            action=f"add {value!r} to {key} in data/sources.yml (with true or false), or "
            "correct the export",
        )


def _find(
    header: Header, where: Role, declared: Column,
    sources: Loaded[SourcesFile], grid: Grid,
) -> _Found:  # fmt: skip
    """The export column a role names, or an error saying what the export has instead."""
    location = ("survey", *where, "column") if where[0] != "questions" else ("survey", *where)
    if declared.subheader is not None and header.layout != "surveymonkey":
        raise sources.error(
            "'subheader' applies only to SurveyMonkey exports",
            "survey", *where, "subheader",
            expected=f"no subheader for a {header.layout} export",
            action="remove the subheader",
        )  # fmt: skip
    named = [column for column in header.columns if declared.column in column.keys]
    matches = [
        column for column in named
        if declared.subheader is None or column.subheader == declared.subheader
    ]  # fmt: skip
    if not matches:
        keys = header.keys()
        shown = ", ".join(repr(key) for key in keys[:_SHOWN_COLUMNS])
        more = f" and {len(keys) - _SHOWN_COLUMNS} more" if len(keys) > _SHOWN_COLUMNS else ""
        wanted = declared.column + (f" / {declared.subheader}" if declared.subheader else "")
        raise sources.error(
            f"{grid.path.name} has no column {wanted!r} (was it renamed between exports?)",
            *location,
            expected=f"a column of the {header.layout} export: {shown}{more}",
            action=" ".join(
                part
                for part in (
                    did_you_mean(declared.column, keys),
                    "Correct the column in data/sources.yml, or export again with the column.",
                )
                if part
            ),
        )
    if len(matches) > 1:
        subheaders = [column.subheader for column in matches]
        if header.layout == "surveymonkey" and len(set(subheaders)) == len(subheaders):
            raise sources.error(
                f"question {declared.column!r} has {len(matches)} columns in {grid.path.name}",
                *location,
                expected="a subheader saying which: "
                + ", ".join(repr(subheader) for subheader in subheaders),
                action="add 'subheader: <row 2 text>' beside the column in data/sources.yml",
            )
        letters = ", ".join(str(column.position + 1) for column in matches)
        raise sources.error(
            f"{grid.path.name} has {len(matches)} columns named {declared.column!r} "
            f"(columns {letters}): duplicate column names",
            *location,
            expected="one column per name",
            action="rename one of the columns in the survey tool and export again, or name "
            "the column by an id the layout gives it (a Qualtrics ImportId)",
        )
    column = matches[0]
    if column.personal:
        raise sources.error(
            f"column {column.name!r} holds personal data, which the build never reads",
            *location,
            expected="a column that identifies no one by name, e-mail, address or location",
            action="map another column (for a respondent id, a pseudonymous reference such as "
            "Qualtrics' ExternalReference)",
        )
    return _Found(where, declared, column)


def _flag(
    role: tuple[str, ...], flag: Flag, texts: Callable[[Role], list[str]], located: _Locator
) -> np.ndarray:
    """Whether each submission has the flag's property, by the flag's rule."""
    values = [value.strip() for value in texts(role)]
    if flag.answered:
        return np.fromiter((bool(value) for value in values), dtype=bool, count=len(values))
    if flag.listed is not None:
        listed = {value.strip() for value in flag.listed}
        return np.fromiter((value in listed for value in values), dtype=bool, count=len(values))
    assert flag.values is not None
    mapping = {key.strip(): value for key, value in flag.values.items()}
    result = np.empty(len(values), dtype=bool)
    for index, value in enumerate(values):
        if value not in mapping:
            raise located.unmapped(role, index, value, list(flag.values))
        result[index] = mapping[value]
    return result


def _consent(
    values: Mapping[str, bool], texts: Sequence[str], counted: np.ndarray, located: _Locator
) -> list[str]:
    """``Yes`` or ``No`` per the map; a blank is allowed only where the row is not counted."""
    mapping = {key.strip(): CONSENT[value] for key, value in values.items()}
    result = []
    for index, text in enumerate(texts):
        value = text.strip()
        if value in mapping:
            result.append(mapping[value])
        elif not value and not counted[index]:
            result.append("")
        else:
            raise located.unmapped(("consent_to_quote",), index, text, list(values))
    return result


def _times(
    declared: SubmittedAt, column: SourceColumn, cells: Sequence[Cell], located: _Locator,
    sources: Loaded[SourcesFile],
) -> tuple[list[str], str | None]:  # fmt: skip
    """Submission times as ISO 8601 text with an offset, and a note when they were converted.

    Text already in that form is kept as typed. Local times (workbook dates, Qualtrics'
    ``2020-06-14 19:02:11``, text in a declared ``format``) are placed in the declared
    time zone, or the one the export names, and written with their offset.
    """
    blank = [type(cell) is str and not cell.strip() for cell in cells]
    offset = [
        type(cell) is str and bool(_ISO_WITH_OFFSET.fullmatch(cell.strip())) for cell in cells
    ]
    fine = [empty or iso for empty, iso in zip(blank, offset, strict=True)]
    if declared.format is None and all(fine):
        return list(cells), None  # type: ignore[arg-type]
    zone = declared.timezone or column.timezone
    if zone is None and declared.format is None and any(offset):
        # The export writes offsets: a time without one is a bad value, not a local time.
        index = fine.index(False)
        raise BuildError(
            f"{cell_text(cells[index])!r} is not a date and time with a UTC offset, as the "
            "column's other times are",
            **located.where(("submitted_at",), index),
            expected="ISO 8601 with an offset, e.g. 2020-06-14T19:02:11+01:00",
            action="correct the value, or export the times again",
        )
    if zone is None:
        raise sources.error(
            f"the submission times in column {column.name!r} have no UTC offset and no time "
            "zone is declared",
            "survey", "submitted_at",
            expected="a time zone for local times, e.g. timezone: Europe/London",
            action="add 'timezone: <zone>' under survey.submitted_at in data/sources.yml (the "
            "zone the survey tool's account was set to)",
        )  # fmt: skip
    if zone not in known_zones():
        raise BuildError(
            f"the export names the time zone {zone!r}, which is not one the reader knows",
            file=located.grid.path,
            column=column.name,
            expected="an IANA time zone such as Europe/London",
            action="declare the right zone as survey.submitted_at.timezone in data/sources.yml",
        )
    local = _local_times(declared, cells, located)
    placed = local.dt.tz_localize(zone, ambiguous="NaT", nonexistent="NaT")
    lost = placed.isna() & local.notna()
    if lost.any():
        index = int(np.flatnonzero(lost.to_numpy())[0])
        raise BuildError(
            f"the local time {cell_text(cells[index])!r} is ambiguous or does not exist in "
            f"{zone} (the clocks changed then)",
            **located.where(("submitted_at",), index),
            expected=f"a time that happened once in {zone}",
            action="export the times in UTC, or correct the time zone in data/sources.yml",
        )
    where = "as data/sources.yml declares" if declared.timezone else "as the export says"
    note = (
        f"{located.grid.path.name}: submission times ({column.name}) are local times in {zone}, "
        f"{where}; written as ISO 8601 with their UTC offset"
    )
    return _iso_with_offsets(local, placed), note


def _local_times(declared: SubmittedAt, cells: Sequence[Cell], located: _Locator) -> pd.Series:
    """Parse local times into naive timestamps; blank cells become NaT; fail on any other."""
    values = pd.Series(list(cells), dtype=object)
    blank = values.map(lambda cell: cell is None or (isinstance(cell, str) and not cell.strip()))
    try:
        parsed = pd.to_datetime(
            values.where(~blank), format=declared.format or "ISO8601", errors="coerce"
        )
        failed = parsed.isna() & ~blank
        local = parsed.dt.tz is None
    except (ValueError, TypeError):  # pandas refuses a column of times with and without offsets
        failed, local = pd.Series(False, index=values.index), False
    if not local:
        index = next(
            i for i, cell in enumerate(cells)
            if isinstance(cell, str) and _ISO_WITH_OFFSET.fullmatch(cell.strip())
        )  # fmt: skip
        failed.iloc[index] = True
    if failed.any():
        index = int(np.flatnonzero(failed.to_numpy())[0])
        raise BuildError(
            f"{cell_text(cells[index])!r} is not a local date and time the reader can read",
            **located.where(("submitted_at",), index),
            expected=f"text in the declared format {declared.format!r}"
            if declared.format
            else "a local time such as 2020-06-14 19:02:11 or a workbook date, like the "
            "column's other times, or ISO 8601 with an offset in every row",
            action="correct the value, or declare the export's format as "
            "survey.submitted_at.format in data/sources.yml (e.g. '%m/%d/%Y %I:%M:%S %p')",
        )
    return parsed


def _iso_with_offsets(local: pd.Series, placed: pd.Series) -> list[str]:
    """Local times and the same times placed in their zone, as ``2020-06-14T19:02:11+01:00``.

    NumPy writes the local part and each distinct offset is written once: pandas' strftime
    takes seconds for a hundred thousand times.
    """
    clock = np.datetime_as_string(local.to_numpy(dtype="datetime64[s]"), unit="s")
    utc = placed.dt.tz_convert("UTC").dt.tz_localize(None)
    minutes = ((local - utc).dt.total_seconds() // 60).fillna(0).astype(int)
    offsets = {
        value: f"{'-' if value < 0 else '+'}{abs(value) // 60:02d}:{abs(value) % 60:02d}"
        for value in minutes.unique()
    }
    written = [f"{time}{offsets[minute]}" for time, minute in zip(clock, minutes, strict=True)]
    return [text if not text.startswith("NaT") else "" for text in written]


def _column_notes(grid: Grid, header: Header, found: Iterable[_Found]) -> list[str]:
    """What the reader left out: personal columns never read, other columns not used."""
    used = {item.column.position for item in found}
    personal = [column.name for column in header.columns if column.personal]
    unused = [c for c in header.columns if not c.personal and c.position not in used]
    notes = []
    if personal:
        notes.append(
            f"{grid.path.name}: never read {len(personal)} column(s) of personal data: "
            + ", ".join(personal)
        )
    if unused:
        notes.append(
            f"{grid.path.name}: {len(unused)} other column(s) not used by data/sources.yml"
        )
    return notes


def _status_notes(
    grid: Grid, test: Flag | None, finished: Flag | None, status: np.ndarray
) -> list[str]:
    if test is None and finished is None:
        return [f"{grid.path.name}: no test or finished column declared: every submission counts"]
    counts = {name: int((status == name).sum()) for name in STATUSES}
    parts = [f"{counts['Complete']:,} complete"]
    if finished is not None:
        parts.append(f"{counts['Partial']:,} unfinished (by {finished.column})")
    if test is not None:
        parts.append(f"{counts['Preview']:,} tests or previews (by {test.column})")
    return [f"{grid.path.name}: " + ", ".join(parts)]


def _role_name(role: Role) -> str:
    return {
        "response_id": "respondent id",
        "submission_id": "submission id",
        "submitted_at": "submission time",
        "test": "test flag",
        "finished": "finished flag",
        "consent_to_quote": "consent to quote",
        "area": "area",
    }.get(str(role[0]), f"answer to {role[-1]}")
