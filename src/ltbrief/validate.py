"""Check a stage's data against its reviewed Great Expectations suite in ``expectations/``.

Great Expectations is imported on first use, not with this module: the import
alone takes seconds. One in-memory context serves the whole process; it never
writes a file, so the reviewed suite files stay exactly as committed.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ltbrief.errors import BuildError
from ltbrief.paths import PATHS, ProjectPaths
from ltbrief.sources.grid import ROW_INDEX
from ltbrief.suites import read_suite

if TYPE_CHECKING:
    from great_expectations.core import ExpectationSuite
    from great_expectations.core.expectation_validation_result import (
        ExpectationSuiteValidationResult,
        ExpectationValidationResult,
    )
    from great_expectations.data_context import AbstractDataContext

RESULT_COLUMNS = (
    "expectation",
    "columns",
    "expected",
    "why",
    "success",
    "severity",
    "unexpected_count",
    "examples",
    "note",
    "rows",
)
# What a published record keeps of each result: rows are left out, since the examples
# name them and a record of passing data has none.
RECORD_FIELDS = tuple(column for column in RESULT_COLUMNS if column != "rows")
# A failed expectation of this severity stops the build; one of "warning" is reported only.
CRITICAL = "critical"
MAX_EXAMPLES = 5
EXAMPLE_WIDTH = 60
_DATA_SOURCE = "ltbrief frames"
_LONG_LIST = 8
# Keyword arguments that say how to check, not what is expected.
_CONTROL_KWARGS = frozenset({"column", "column_A", "column_B", "row_condition"})
_MULTICOLUMN_PREFIXES = ("expect_compound_", "expect_multicolumn_", "expect_select_column_")
# Expectations whose verdict on a row depends on nothing but that row's own values.
_VALUE_WISE = frozenset(
    {
        "expect_column_values_to_not_be_null",
        "expect_column_values_to_be_null",
        "expect_column_values_to_be_of_type",
        "expect_column_values_to_be_in_type_list",
        "expect_column_values_to_be_in_set",
        "expect_column_values_to_not_be_in_set",
        "expect_column_values_to_be_between",
        "expect_column_values_to_match_regex",
        "expect_column_values_to_not_match_regex",
        "expect_column_values_to_match_regex_list",
        "expect_column_values_to_not_match_regex_list",
        "expect_column_value_lengths_to_be_between",
        "expect_column_value_lengths_to_equal",
        "expect_column_pair_values_to_be_equal",
        "expect_column_pair_values_to_be_in_set",
        "expect_column_pair_values_a_to_be_greater_than_b",
    }
)
_DISTINCT_ROW = "distinct row"
_SAMPLE_ROWS = 10_000
# Below this many rows one run on the whole frame is quicker than splitting the work.
_SPLIT_FROM_ROWS = 50_000


@dataclass(frozen=True, eq=False)
class ValidationReport:
    """The outcome of one suite on one frame: one row of ``results`` per expectation.

    For a frame read from a raw export, ``source`` names the file and each failure's
    ``rows`` and examples give the spreadsheet rows of its first failing values.
    """

    suite: str
    success: bool
    evaluated: int
    failed: int
    results: pd.DataFrame
    source: str | None = None
    warned: int = 0

    def summary(self) -> str:
        """Say how many expectations passed, with one line per failure, warnings last.

        A failed expectation of severity ``warning`` does not stop the build.
        """
        passed = self.evaluated - self.failed - self.warned
        warnings = f", {self.warned} gave a warning" if self.warned else ""
        lines = [f"{self.suite}: {passed} of {self.evaluated} expectations passed{warnings}"]
        failures = self.results.loc[~self.results["success"]]
        ordered = sorted(failures.itertuples(index=False), key=lambda row: row.severity != CRITICAL)
        for row in ordered:
            label = "" if row.severity == CRITICAL else f"{row.severity}: "
            lines.append(f"  - {label}{_describe_failure(row)}")
            if row.why:
                lines.append(f"    why: {row.why}")
        return "\n".join(lines)

    def as_record(self) -> dict[str, Any]:
        """Return the report as plain JSON types, in suite order, with nothing run-specific."""
        return {
            "suite": self.suite,
            "success": self.success,
            "evaluated": self.evaluated,
            "failed": self.failed,
            "warned": self.warned,
            "results": [_record_row(row) for row in self.results.to_dict(orient="records")],
        }


class ValidationFailed(BuildError):
    """A stage's data broke expectations of its suite; the message lists each one."""

    def __init__(self, report: ValidationReport, paths: ProjectPaths = PATHS) -> None:
        self.report = report
        suite_file = paths.suite(report.suite).relative_to(paths.root)
        failures = report.summary().splitlines()[1:]
        critical = report.results.loc[~report.results["success"]]
        first = critical.loc[critical["severity"] == CRITICAL].iloc[0]
        super().__init__(
            "\n".join(
                [
                    f"the data failed {report.failed} of {report.evaluated} expectations "
                    f"of the suite '{report.suite}'",
                    *failures,
                ]
            ),
            file=report.source,
            row=first["rows"][0] if report.source and first["rows"] else None,
            column=(first["columns"] or None) if report.source else None,
            action=(
                "correct the rows shown in the file, or export it again"
                if report.source
                else "fix the data, or the stage that produced it"
            )
            + f"; if a rule itself is wrong, review it in the suite file {suite_file}",
        )


def load_suite(name: str, paths: ProjectPaths = PATHS) -> ExpectationSuite:
    """Read the suite ``expectations/<name>.json`` into an in-memory ExpectationSuite."""
    spec = read_suite(name, paths)
    return _build_suite(spec, [True] * len(spec["expectations"]))


def validate(
    frame: pd.DataFrame,
    suite: str,
    *,
    parameters: Mapping[str, Any] | None = None,
    paths: ProjectPaths = PATHS,
) -> ValidationReport:
    """Check ``frame`` against the named suite and report every expectation's outcome."""
    spec = read_suite(suite, paths)
    given = dict(parameters or {})
    _check_parameters(spec, given, paths)
    located = frame.index.name == ROW_INDEX
    results = _runs(frame, spec, given, located)
    report = _report(suite, spec, results, given, list(frame.columns))
    return replace(report, source=frame.attrs.get("source")) if located else report


def _runs(
    frame: pd.DataFrame, spec: dict[str, Any], parameters: dict[str, Any], located: bool
) -> list[ExpectationValidationResult]:
    """Validate the frame in one GX run, or a large one in up to three on less data each.

    In a large frame, value-wise expectations run once per distinct value (or pair)
    and their results are mapped back to rows; other expectations on named columns
    see only those columns; table-level ones see the whole frame. The results are
    those of a single run on the whole frame.
    """
    expectations = spec["expectations"]
    result_format = "SUMMARY" if located else "BASIC"
    if len(frame) < _SPLIT_FROM_ROWS:
        everything = _build_suite(spec, [True] * len(expectations))
        return list(_run(frame, everything, parameters, result_format).results)
    domains = [_domain(e.get("kwargs", {})) for e in expectations]
    value_wise = [_is_value_wise(e, frame) for e in expectations]
    distinct = _DistinctRows.of(
        frame, [d for d, wise in zip(domains, value_wise, strict=True) if wise]
    )
    by_distinct = [
        wise and d[0] in distinct.group_of for d, wise in zip(domains, value_wise, strict=True)
    ]
    read = [_columns_read(e) for e in expectations]
    by_column = [
        not done and columns is not None and set(columns) <= set(frame.columns)
        for done, columns in zip(by_distinct, read, strict=True)
    ]
    by_table = [not (d or c) for d, c in zip(by_distinct, by_column, strict=True)]
    results = []
    if any(by_table):
        results += _run(frame, _build_suite(spec, by_table), parameters, result_format).results
    if any(by_column):
        # GX copies and filters the whole frame it is given for each check.
        needed = {c for columns, flag in zip(read, by_column, strict=True) if flag for c in columns}
        narrow = frame[[column for column in frame.columns if column in needed]]
        suite = _build_suite(spec, by_column)
        results += _run(narrow, suite, parameters, result_format).results
    if any(by_distinct):
        outcome = _run(distinct.frame, _build_suite(spec, by_distinct), parameters, "COMPLETE")
        results += [distinct.expand(result, frame, located) for result in outcome.results]
    return results


def check(
    frame: pd.DataFrame,
    suite: str,
    *,
    parameters: Mapping[str, Any] | None = None,
    paths: ProjectPaths = PATHS,
) -> ValidationReport:
    """Validate ``frame`` and raise ValidationFailed unless every expectation passed."""
    report = validate(frame, suite, parameters=parameters, paths=paths)
    if not report.success:
        raise ValidationFailed(report, paths)
    return report


@cache
def _context() -> AbstractDataContext:
    """The process's one in-memory Great Expectations context, with progress bars off."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.execution_engine import pandas_execution_engine

    # GX fingerprints every frame under 1 GB with an md5 of all its values, only to label
    # the batch, which nothing here reads; on a million rows that costs 10 s or more.
    pandas_execution_engine.HASH_THRESHOLD = 0
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def _build_suite(spec: dict[str, Any], selected: Sequence[bool]) -> ExpectationSuite:
    """Build a suite of the selected expectations from a copy of its JSON.

    GX rewrites the arguments it is given, hence the copy. Each expectation's id is
    its position in the suite file: GX returns results grouped by metric, and the id
    restores the file's order.
    """
    from great_expectations.core import ExpectationSuite

    chosen = copy.deepcopy(spec)
    chosen["expectations"] = [
        expectation
        for expectation, keep in zip(chosen["expectations"], selected, strict=True)
        if keep
    ]
    suite = ExpectationSuite(**chosen)
    positions = [index for index, keep in enumerate(selected) if keep]
    for position, expectation in zip(positions, suite.expectations, strict=True):
        expectation.id = str(position)
    return suite


def _run(
    frame: pd.DataFrame, suite: ExpectationSuite, parameters: dict[str, Any], result_format: str
) -> ExpectationSuiteValidationResult:
    """Validate ``frame`` through a data source that lives for this run only.

    GX's execution engine keeps the last frame it was given; deleting the data
    source lets a large frame go as soon as the caller drops it. BASIC gives counts
    and example values; SUMMARY adds their index, worth it only where the index is a
    row a person can look up; COMPLETE lists every failing value.
    """
    sources = _context().data_sources
    source = sources.add_pandas(_DATA_SOURCE)
    try:
        asset = source.add_dataframe_asset("frame")
        batch = asset.add_batch_definition_whole_dataframe("whole frame").get_batch(
            batch_parameters={"dataframe": frame}
        )
        return batch.validate(
            suite,
            expectation_parameters=parameters,
            result_format={
                "result_format": result_format,
                "partial_unexpected_count": MAX_EXAMPLES,
            },
        )
    finally:
        sources.delete(_DATA_SOURCE)


def _is_value_wise(expectation: dict[str, Any], frame: pd.DataFrame) -> bool:
    """Whether an expectation judges each row by that row's values in its columns alone.

    Such an expectation gives the same verdict on every row holding the same values,
    so it can be checked once per distinct value. One with ``mostly`` weighs rows,
    one with a row condition looks at other columns, and one naming a missing column
    must fail as GX reports it: those run on the whole frame.
    """
    kwargs = expectation.get("kwargs", {})
    return (
        expectation.get("type") in _VALUE_WISE
        and "mostly" not in kwargs
        and "row_condition" not in kwargs
        and all(column in frame.columns for column in _domain(kwargs))
    )


def _columns_read(expectation: Mapping[str, Any]) -> tuple[str, ...] | None:
    """The columns an expectation reads, its row condition's included.

    None when it looks at the whole table, or has a condition whose columns
    cannot be told.
    """
    kwargs = expectation.get("kwargs", {})
    if str(expectation.get("type")).startswith("expect_table_"):
        return None
    if "column_list" in kwargs:
        columns = tuple(kwargs["column_list"])
    elif "column" in kwargs or "column_A" in kwargs:
        columns = _domain(kwargs)
    else:
        return None
    if "row_condition" not in kwargs:
        return columns
    conditioned = _condition_columns(kwargs["row_condition"])
    return None if conditioned is None else columns + conditioned


def _condition_columns(condition: Any) -> tuple[str, ...] | None:
    """The columns a row condition compares, or None for one not written as a structure."""
    if not isinstance(condition, dict):
        return None
    if condition.get("type") == "comparison":
        return (condition["column"]["name"],)
    parts = [_condition_columns(part) for part in condition.get("conditions", [])]
    if not parts or None in parts:
        return None
    return tuple(column for part in parts for column in part)


def _domain(kwargs: Mapping[str, Any]) -> tuple[str, ...]:
    """The column, or the pair of columns, a value-wise expectation reads."""
    if "column" in kwargs:
        return (kwargs["column"],)
    return (kwargs.get("column_A"), kwargs.get("column_B"))


@dataclass(frozen=True)
class _DistinctRows:
    """The distinct values of a frame's columns, and which rows hold each of them.

    Columns read together by a pair expectation form one group; ``frame`` holds each
    group's distinct rows side by side, a short group repeating its first row to fill
    the length, and ``codes`` gives each row of the original frame its distinct row.
    ``group_of`` names the group of each column kept.
    """

    frame: pd.DataFrame
    group_of: dict[str, tuple[str, ...]]
    codes: dict[tuple[str, ...], np.ndarray]
    counts: dict[tuple[str, ...], int]

    @classmethod
    def of(cls, frame: pd.DataFrame, domains: Sequence[tuple[str, ...]]) -> _DistinctRows:
        """Group the columns of ``domains`` and find each group's distinct rows.

        A group with more distinct rows than half the frame's is left out: checking
        its values once each would save less than building them costs. In a large
        frame, a group already that varied in its first rows is left out unread.
        """
        sample = frame.iloc[:_SAMPLE_ROWS]
        codes = {
            group: _row_codes(frame, group)
            for group in _linked_groups(domains)
            if len(frame) < 2 * _SAMPLE_ROWS or _row_codes(sample, group).max() < _SAMPLE_ROWS // 2
        }
        firsts = {
            group: first
            for group, code in codes.items()
            if len(first := np.unique(code, return_index=True)[1]) <= len(frame) // 2
        }
        codes = {group: codes[group] for group in firsts}
        length = max((len(first) for first in firsts.values()), default=0)
        parts = [
            frame[list(group)]
            .iloc[np.concatenate([first, np.full(length - len(first), first[:1].sum())])]
            .reset_index(drop=True)
            for group, first in firsts.items()
        ]
        return cls(
            frame=pd.concat(parts, axis=1).rename_axis(_DISTINCT_ROW) if parts else frame.iloc[:0],
            group_of={column: group for group in firsts for column in group},
            codes=codes,
            counts={group: len(first) for group, first in firsts.items()},
        )

    def expand(
        self, result: ExpectationValidationResult, frame: pd.DataFrame, located: bool
    ) -> ExpectationValidationResult:
        """Turn a result on the distinct rows into the result on every row of ``frame``."""
        listed = result.result.get("unexpected_index_list")
        if result.success or listed is None:
            return result
        columns = _domain(result.expectation_config.kwargs)
        group = self.group_of[columns[0]]
        # A filler row beyond the group's distinct rows repeats its distinct row 0.
        count = self.counts[group]
        failing = {row if (row := item[_DISTINCT_ROW]) < count else 0 for item in listed}
        matches = np.isin(self.codes[group], sorted(failing))
        first = np.flatnonzero(matches)[:MAX_EXAMPLES]
        values = [frame[column].iloc[first].tolist() for column in columns]
        examples = list(zip(*values, strict=True))
        expanded: dict[str, Any] = {
            "unexpected_count": int(matches.sum()),
            "partial_unexpected_list": [
                example[0] if len(columns) == 1 else example for example in examples
            ],
        }
        if located:
            expanded["partial_unexpected_index_list"] = [
                {**dict(zip(columns, example, strict=True)), ROW_INDEX: row}
                for example, row in zip(examples, frame.index[first].tolist(), strict=True)
            ]
        result.result = expanded
        return result


def _linked_groups(domains: Sequence[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """Merge domains that share a column, so that a pair and its columns share one group."""
    groups: list[set[str]] = []
    for domain in domains:
        touching = [group for group in groups if group & set(domain)]
        merged = set(domain).union(*touching)
        groups = [group for group in groups if group not in touching] + [merged]
    order = list(dict.fromkeys(column for domain in domains for column in domain))
    return [tuple(sorted(group, key=order.index)) for group in groups]


def _row_codes(frame: pd.DataFrame, columns: tuple[str, ...]) -> np.ndarray:
    """Number each row by its distinct values in ``columns``, in order of first appearance.

    A missing value is a value of its own. In a column of mixed types, values that
    compare equal but differ in type (1, 1.0 and True) stay apart, since a type
    check tells them apart.
    """
    combined = np.zeros(len(frame), dtype=np.int64)
    for column in columns:
        series = frame[column]
        keys = [series]
        if series.dtype == object and pd.api.types.infer_dtype(series, skipna=True) not in (
            "string",
            "empty",
        ):
            keys.append(pd.Series([type(value).__name__ for value in series], dtype=object))
        for key in keys:
            codes, uniques = pd.factorize(key, use_na_sentinel=False)
            combined, _ = pd.factorize(combined * (len(uniques) + 1) + codes)
    return combined


def _check_parameters(spec: dict[str, Any], given: dict[str, Any], paths: ProjectPaths) -> None:
    """Fail unless the caller gave exactly the parameters the suite refers to."""
    needed = sorted(_parameter_names(spec))
    missing = [name for name in needed if name not in given]
    unknown = sorted(name for name in given if name not in needed)
    if missing or unknown:
        raise ValueError(
            f"suite '{spec['name']}' ({paths.suite(spec['name']).name}) takes parameters "
            f"{needed}; missing {missing}, unknown {unknown}"
        )


def _parameter_names(spec: dict[str, Any]) -> set[str]:
    """The names of the ``{"$PARAMETER": name}`` arguments in a suite."""
    return {
        value["$PARAMETER"]
        for expectation in spec.get("expectations", [])
        for value in expectation.get("kwargs", {}).values()
        if isinstance(value, dict) and "$PARAMETER" in value
    }


def _report(
    name: str,
    spec: dict[str, Any],
    outcome: Sequence[ExpectationValidationResult],
    parameters: dict[str, Any],
    columns: list[str],
) -> ValidationReport:
    """Turn GX's results into one row per expectation, in the order of the suite file."""
    by_index = {int(result.expectation_config.id): result for result in outcome}
    rows = [
        _result_row(expectation, by_index[index], parameters, columns)
        for index, expectation in enumerate(spec["expectations"])
    ]
    results = pd.DataFrame(rows, columns=list(RESULT_COLUMNS)).astype(
        {"success": bool, "unexpected_count": "Int64"}
    )
    failing = ~results["success"]
    failed = int((failing & (results["severity"] == CRITICAL)).sum())
    return ValidationReport(
        suite=name,
        success=failed == 0,
        evaluated=len(results),
        failed=failed,
        results=results,
        warned=int(failing.sum()) - failed,
    )


def _result_row(
    expectation: dict[str, Any],
    result: ExpectationValidationResult,
    parameters: dict[str, Any],
    frame_columns: list[str],
) -> dict[str, Any]:
    """One row of the report: the expectation as written in the suite and what GX found."""
    kind = expectation["type"]
    kwargs = expectation.get("kwargs", {})
    columns = _columns(kind, kwargs)
    errors = _error_messages(result.exception_info)
    absent = [column for column in columns.split(", ") if column and column not in frame_columns]
    if errors and absent:
        # GX's own message for a missing column varies by expectation (one is an IndexError).
        errors = [f"no column {', '.join(map(repr, absent))} in the data"]
    return {
        "expectation": kind,
        "columns": columns,
        "expected": _expected(kind, kwargs, parameters),
        "why": expectation.get("meta", {}).get("notes", ""),
        "success": bool(result.success),
        "severity": expectation.get("severity", CRITICAL),
        "unexpected_count": _unexpected_count(result.result),
        "examples": () if errors or result.success else _examples(kind, kwargs, result.result),
        "note": "; ".join(errors),
        "rows": () if errors or result.success else _rows(result.result),
    }


def _columns(kind: str, kwargs: dict[str, Any]) -> str:
    """The column or columns an expectation looks at; empty for a table-level one."""
    if "column" in kwargs:
        return kwargs["column"]
    if "column_A" in kwargs:
        return f"{kwargs['column_A']}, {kwargs['column_B']}"
    if kind.startswith(_MULTICOLUMN_PREFIXES):
        return ", ".join(kwargs["column_list"])
    return ""


def _expected(kind: str, kwargs: dict[str, Any], parameters: dict[str, Any]) -> str:
    """What the expectation asks for, as written in the suite, with parameters filled in."""
    skipped = _CONTROL_KWARGS | (
        {"column_list"} if kind.startswith(_MULTICOLUMN_PREFIXES) else set()
    )
    terms = [
        f"{key}={_show_argument(value, parameters)}"
        for key, value in kwargs.items()
        if key not in skipped
    ]
    text = ", ".join(terms) if terms else kind.removeprefix("expect_").replace("_", " ")
    condition = kwargs.get("row_condition")
    return f"{text} where {_show_condition(condition)}" if condition else text


def _show_condition(condition: dict[str, Any]) -> str:
    """Show a row condition as written in the suite, e.g. ``key == 'responses'``."""
    if not isinstance(condition, dict):
        return str(condition)
    if condition.get("type") == "comparison":
        return f"{condition['column']['name']} {condition['operator']} {condition['parameter']!r}"
    return json.dumps(condition)


def _show_argument(value: Any, parameters: dict[str, Any]) -> str:
    """Show one argument of an expectation; a parameter by its value and its name."""
    if isinstance(value, dict) and "$PARAMETER" in value:
        name = value["$PARAMETER"]
        return f"{_show_value(parameters[name])} (${name})"
    return _show_value(value)


def _show_value(value: Any) -> str:
    """Show a value; a long list by its first items and its length."""
    if isinstance(value, set | frozenset):
        value = sorted(value, key=repr)
    if isinstance(value, list | tuple) and len(value) > _LONG_LIST:
        head = ", ".join(repr(item) for item in value[:3])
        return f"[{head}, ...] ({len(value)} values)"
    return repr(value)


def _error_messages(exception_info: dict[str, Any]) -> list[str]:
    """The messages of errors raised while checking; GX nests them per metric when several."""
    infos = [exception_info] if "raised_exception" in exception_info else exception_info.values()
    return sorted(
        {str(info["exception_message"]) for info in infos if info.get("raised_exception")}
    )


def _unexpected_count(result: dict[str, Any]) -> int | None:
    """How many values failed (or, for a required set, were missing); None for table checks."""
    for key in ("unexpected_count", "missing_count"):
        if result.get(key) is not None:
            return int(result[key])
    return None


def _examples(kind: str, kwargs: dict[str, Any], result: dict[str, Any]) -> tuple[str, ...]:
    """Up to five short reprs of what was wrong: bad values, missing values or the observation."""
    if kind == "expect_table_columns_to_match_ordered_list":
        return _column_differences(kwargs["column_list"], result["observed_value"])
    if _rows(result):
        located = result["partial_unexpected_index_list"][:MAX_EXAMPLES]
        return tuple(f"row {cells[ROW_INDEX]}: {_show_cells(kind, cells)}" for cells in located)
    if result.get("partial_unexpected_list"):
        return tuple(_short(value) for value in result["partial_unexpected_list"][:MAX_EXAMPLES])
    if result.get("partial_missing_list"):
        missing = sorted(result["partial_missing_list"], key=repr)[:MAX_EXAMPLES]
        return tuple(f"missing {_short(value)}" for value in missing)
    if "observed_value" in result:
        return (f"observed {_short(result['observed_value'])}",)
    return ()


def _rows(result: dict[str, Any]) -> tuple[int, ...]:
    """The spreadsheet rows of the first failing values, when the frame was located."""
    located = result.get("partial_unexpected_index_list") or []
    return tuple(
        int(cells[ROW_INDEX])
        for cells in located[:MAX_EXAMPLES]
        if isinstance(cells, dict) and ROW_INDEX in cells
    )


def _show_cells(kind: str, cells: dict[str, Any]) -> str:
    """Show the failing value of one row, or each value of a multi-column failure."""
    values = {column: value for column, value in cells.items() if column != ROW_INDEX}
    if len(values) != 1:
        return ", ".join(f"{column}={_short(value)}" for column, value in values.items())
    (value,) = values.values()
    if kind == "expect_column_value_lengths_to_be_between" and isinstance(value, str):
        return f"{_short(value)} ({len(value):,} characters)"
    return _short(value)


def _column_differences(expected: list[str], observed: list[str]) -> tuple[str, ...]:
    """Name the missing and unexpected columns, or show the order when only that differs."""
    missing = [f"missing {_short(column)}" for column in expected if column not in observed]
    extra = [f"unexpected {_short(column)}" for column in observed if column not in expected]
    return tuple((missing + extra)[:MAX_EXAMPLES]) or (f"order {_short(observed)}",)


def _short(value: Any) -> str:
    """A value's repr, cut to ``EXAMPLE_WIDTH``; a NumPy scalar shown as the plain value."""
    return _short_text(repr(value.item() if isinstance(value, np.generic) else value))


def _short_text(text: str) -> str:
    return text if len(text) <= EXAMPLE_WIDTH else text[: EXAMPLE_WIDTH - 3] + "..."


def _describe_failure(row: Any) -> str:
    """One line for a failed expectation: what it expected and what it found instead."""
    where = f" on {row.columns}" if row.columns else ""
    head = f"{row.expectation}{where}: expected {row.expected}"
    if row.note:
        return f"{head}; error: {row.note}"
    count = "" if pd.isna(row.unexpected_count) else f"{row.unexpected_count} failing, "
    examples = ", ".join(row.examples) if row.examples else "no examples"
    return f"{head}; {count}e.g. {examples}"


def _record_row(row: dict[str, Any]) -> dict[str, Any]:
    """A report row's ``RECORD_FIELDS`` with pandas and tuple values turned into JSON types."""
    count = row["unexpected_count"]
    return {
        **{key: row[key] for key in RECORD_FIELDS},
        "success": bool(row["success"]),
        "unexpected_count": None if pd.isna(count) else int(count),
        "examples": list(row["examples"]),
    }
