"""Check a stage's data against its reviewed Great Expectations suite in ``expectations/``.

Great Expectations is imported on first use, not with this module: the import
alone takes seconds. One in-memory context serves the whole process; it never
writes a file, so the reviewed suite files stay exactly as committed.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ltbrief.errors import BuildError
from ltbrief.io import ROW_INDEX
from ltbrief.paths import PATHS, ProjectPaths

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
    "unexpected_count",
    "examples",
    "note",
    "rows",
)
# What a published record keeps of each result: rows are left out, since the examples
# name them and a record of passing data has none.
RECORD_FIELDS = tuple(column for column in RESULT_COLUMNS if column != "rows")
MAX_EXAMPLES = 5
EXAMPLE_WIDTH = 60
_DATA_SOURCE = "ltbrief frames"
_LONG_LIST = 8
# Keyword arguments that say how to check, not what is expected.
_CONTROL_KWARGS = frozenset({"column", "column_A", "column_B", "row_condition"})
_MULTICOLUMN_PREFIXES = ("expect_compound_", "expect_multicolumn_", "expect_select_column_")


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

    def summary(self) -> str:
        """Say how many expectations passed, with one line per failure."""
        passed = self.evaluated - self.failed
        lines = [f"{self.suite}: {passed} of {self.evaluated} expectations passed"]
        failures = self.results.loc[~self.results["success"]]
        for row in failures.itertuples(index=False):
            lines.append(f"  - {_describe_failure(row)}")
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
            "results": [_record_row(row) for row in self.results.to_dict(orient="records")],
        }


class ValidationFailed(BuildError):
    """A stage's data broke expectations of its suite; the message lists each one."""

    def __init__(self, report: ValidationReport, paths: ProjectPaths = PATHS) -> None:
        self.report = report
        suite_file = paths.suite(report.suite).relative_to(paths.root)
        failures = report.summary().splitlines()[1:]
        first = report.results.loc[~report.results["success"]].iloc[0]
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
    return _build_suite(_read_suite_spec(name, paths))


def validate(
    frame: pd.DataFrame,
    suite: str,
    *,
    parameters: Mapping[str, Any] | None = None,
    paths: ProjectPaths = PATHS,
) -> ValidationReport:
    """Check ``frame`` against the named suite and report every expectation's outcome."""
    spec = _read_suite_spec(suite, paths)
    given = dict(parameters or {})
    _check_parameters(spec, given, paths)
    expectations = _build_suite(spec)
    for index, expectation in enumerate(expectations.expectations):
        # Results come back grouped by metric, not in suite order; the id restores the order.
        expectation.id = str(index)
    located = frame.index.name == ROW_INDEX
    outcome = _run(frame, expectations, given, located)
    report = _report(suite, spec, outcome, given, list(frame.columns))
    return replace(report, source=frame.attrs.get("source")) if located else report


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

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def _build_suite(spec: dict[str, Any]) -> ExpectationSuite:
    """Build the suite from a copy of its JSON: GX rewrites the arguments it is given."""
    from great_expectations.core import ExpectationSuite

    return ExpectationSuite(**copy.deepcopy(spec))


def _run(
    frame: pd.DataFrame, suite: ExpectationSuite, parameters: dict[str, Any], located: bool
) -> ExpectationSuiteValidationResult:
    """Validate ``frame`` through a data source that lives for this run only.

    GX's execution engine keeps the last frame it was given; deleting the data
    source lets a large frame go as soon as the caller drops it.
    """
    sources = _context().data_sources
    source = sources.add_pandas(_DATA_SOURCE)
    try:
        asset = source.add_dataframe_asset("frame")
        batch = asset.add_batch_definition_whole_dataframe("whole frame").get_batch(
            batch_parameters={"dataframe": frame}
        )
        # BASIC gives counts and example values; SUMMARY adds their index at a third more
        # time, worth it only where the index is a row a person can look up.
        return batch.validate(
            suite,
            expectation_parameters=parameters,
            result_format={
                "result_format": "SUMMARY" if located else "BASIC",
                "partial_unexpected_count": MAX_EXAMPLES,
            },
        )
    finally:
        sources.delete(_DATA_SOURCE)


def _read_suite_spec(name: str, paths: ProjectPaths) -> dict[str, Any]:
    """Read a suite file as JSON, failing with the file and what is wrong in it."""
    path = paths.suite(name)
    action = f"restore {path.name} from git, or correct it by hand (see expectations/README.md)"
    if not path.is_file():
        raise BuildError(f"no suite named '{name}'", file=path, action=action)
    try:
        spec = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise BuildError(
            f"the suite is not valid JSON: {error.msg}", file=path, line=error.lineno, action=action
        ) from error
    if not isinstance(spec, dict) or spec.get("name") != name:
        raise BuildError(
            "the suite's name does not match its file name",
            file=path,
            expected=f'a JSON object with "name": "{name}"',
            action=action,
        )
    _check_expectation_types(spec, path)
    return spec


def _check_expectation_types(spec: dict[str, Any], path: Path) -> None:
    """Fail on an unknown expectation type, which GX would otherwise drop with a log line."""
    from great_expectations.expectations.registry import list_registered_expectation_implementations

    known = set(list_registered_expectation_implementations())
    for number, expectation in enumerate(spec.get("expectations", []), start=1):
        kind = expectation.get("type") if isinstance(expectation, dict) else None
        if kind not in known:
            raise BuildError(
                f"expectation {number} has unknown type {kind!r}",
                file=path,
                expected="a Great Expectations 1.x expectation type, e.g. "
                "expect_column_values_to_not_be_null",
                action="correct the type in the suite file",
            )


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
    outcome: ExpectationSuiteValidationResult,
    parameters: dict[str, Any],
    columns: list[str],
) -> ValidationReport:
    """Turn GX's results into one row per expectation, in the order of the suite file."""
    by_index = {int(result.expectation_config.id): result for result in outcome.results}
    rows = [
        _result_row(expectation, by_index[index], parameters, columns)
        for index, expectation in enumerate(spec["expectations"])
    ]
    results = pd.DataFrame(rows, columns=list(RESULT_COLUMNS)).astype(
        {"success": bool, "unexpected_count": "Int64"}
    )
    failed = int((~results["success"]).sum())
    return ValidationReport(
        suite=name,
        success=failed == 0,
        evaluated=len(results),
        failed=failed,
        results=results,
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
    return _short_text(repr(value))


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
