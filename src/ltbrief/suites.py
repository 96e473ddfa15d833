"""The expectation suites in ``expectations/``: their schema, read strictly.

A suite file is Great Expectations 1.x's suite JSON, narrowed to the keys this project
writes: the suite's ``name`` (its file's name) and ``meta.notes``, then each
expectation's ``type``, ``kwargs``, ``severity`` and ``meta.notes``. The model below
checks the file's structure; each expectation's arguments are checked by Great
Expectations' own model of that expectation, so a misspelt argument, which GX would
reject only when the suite runs, is a located error naming the expectation's valid
arguments.
"""

from __future__ import annotations

import copy
from typing import Any, Literal

from pydantic import Field

from ltbrief.config import Loaded, Strict, read_json, validate_data
from ltbrief.errors import BuildError, did_you_mean
from ltbrief.paths import ProjectPaths

# Fields of every GX expectation that describe it rather than what it checks.
_NOT_ARGUMENTS = frozenset(
    {"id", "meta", "notes", "description", "rendered_content", "severity", "windows", "batch_id"}
)


class ExpectationMeta(Strict):
    """What a person reads beside the rule: why it holds."""

    notes: str = ""


class ExpectationEntry(Strict):
    """One expectation: its GX type, its arguments, and whether a failure stops the build."""

    type: str = Field(min_length=1)
    kwargs: dict[str, Any] = Field(default_factory=dict)
    # A failed "warning" is reported without stopping the build.
    severity: Literal["critical", "warning"] = "critical"
    meta: ExpectationMeta = Field(default_factory=ExpectationMeta)


class SuiteMeta(Strict):
    """What the suite guarantees about its stage's output."""

    notes: str = ""


class SuiteFile(Strict):
    """``expectations/<name>.json``."""

    name: str = Field(min_length=1)
    meta: SuiteMeta = Field(default_factory=SuiteMeta)
    expectations: list[ExpectationEntry] = Field(min_length=1)


def read_suite(name: str, paths: ProjectPaths) -> dict[str, Any]:
    """The suite ``name`` as GX suite data, every key and argument checked.

    Absent keys are filled in with their defaults (severity "critical", empty notes).
    """
    path = paths.suite(name)
    action = f"restore {path.name} from git, or correct it by hand (see expectations/README.md)"
    if not path.is_file():
        raise BuildError(f"no suite named '{name}'", file=path, action=action)
    data, lines = read_json(path, f"the suite {path.name}", action)
    loaded = validate_data(data, lines, path, SuiteFile, f"the suite {path.name}")
    if loaded.model.name != name:
        raise loaded.error(
            f"the suite's name {loaded.model.name!r} does not match its file name",
            "name",
            expected=f'"name": "{name}"',
            action=action,
        )
    for index, expectation in enumerate(loaded.model.expectations):
        _check_arguments(loaded, index, expectation)
    return loaded.model.model_dump()


def _check_arguments(loaded: Loaded[SuiteFile], index: int, entry: ExpectationEntry) -> None:
    """Fail unless GX knows the expectation's type and accepts its arguments."""
    from great_expectations.expectations.registry import (
        get_expectation_impl,
        list_registered_expectation_implementations,
    )
    from pydantic.v1 import ValidationError

    number = f"expectation {index + 1}"
    known = sorted(list_registered_expectation_implementations())
    if entry.type not in known:
        raise loaded.error(
            f"{number} has unknown type {entry.type!r}",
            "expectations", index, "type",
            expected="a Great Expectations 1.x expectation type, e.g. "
            "expect_column_values_to_not_be_null",
            action=did_you_mean(entry.type, known, "correct the type in the suite file"),
        )  # fmt: skip
    implementation = get_expectation_impl(entry.type)
    arguments = sorted(set(implementation.__fields__) - _NOT_ARGUMENTS)
    for key in entry.kwargs:
        if key not in arguments:
            raise loaded.error(
                f"{number} ({entry.type}) has an unknown argument '{key}'",
                "expectations", index, "kwargs", key,
                expected=f"one of its arguments: {', '.join(arguments)}",
                action=did_you_mean(key, arguments, "remove the argument"),
            )  # fmt: skip
    try:
        implementation(**copy.deepcopy(entry.kwargs))
    except ValidationError as error:
        first = error.errors()[0]
        where = [part for part in first["loc"] if part != "__root__"]
        raise loaded.error(
            f"{number} ({entry.type}) has a wrong argument"
            f"{f' {where[0]!r}' if where else ''}: {first['msg']}",
            "expectations", index, "kwargs", *where,
            expected=f"the arguments Great Expectations documents for {entry.type}",
            action="correct the argument in the suite file",
        ) from None  # fmt: skip
