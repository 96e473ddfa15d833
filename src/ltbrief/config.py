"""Project files read into typed models: every key known, every error located.

Each configuration file is described once by a pydantic model that forbids unknown keys.
``load_model`` reads the YAML keeping the line of every key and list item, so that an
error names the file, the line and the key, and an unknown key comes with the nearest
valid names. The YAML is read strictly and plainly:

- keys are text exactly as typed (``0:`` is the key "0", ``Yes:`` the key "Yes");
- values follow YAML 1.2's core schema: only ``true`` and ``false`` are booleans, so
  ``No`` or ``off`` stay text (YAML 1.1 would read Norway's country code as false);
- anchors, aliases and explicit tags are refused: no project file needs them, and alias
  expansion is the way to make a small file take gigabytes of memory;
- a key written twice in one mapping is an error, where YAML keeps the last silently.
"""

from __future__ import annotations

import json
import re
import types
import typing
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from ltbrief.errors import BuildError, did_you_mean

Model = TypeVar("Model", bound=BaseModel)
Location = tuple[str | int, ...]

_NULL = re.compile(r"~|null|Null|NULL|")
_BOOLEAN = {"true": True, "True": True, "TRUE": True, "false": False, "False": False,
            "FALSE": False}  # fmt: skip
_INTEGER = re.compile(r"[-+]?[0-9]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_PYDANTIC_PREFIXES = ("Value error, ", "Assertion failed, ")


class Strict(BaseModel):
    """The base of every configuration model: unknown keys and loose types are errors.

    Strict types: the text "yes" is not read as true, nor "1" as a number.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


@dataclass(frozen=True)
class Loaded(Generic[Model]):
    """A configuration file read into its model, with the line of every key and item."""

    model: Model
    file: Path
    lines: dict[Location, int]

    def line_of(self, *location: str | int) -> int | None:
        """The line of the key or item at ``location``, or of the nearest enclosing one."""
        path: Location = tuple(location)
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path)

    def error(self, problem: str, *location: str | int, expected: str, action: str) -> BuildError:
        """A located error about the value at ``location`` in this file."""
        return BuildError(
            problem,
            file=self.file,
            line=self.line_of(*location),
            column=_dotted(location) or None,
            expected=expected,
            action=action,
        )


def load_model(path: Path, model: type[Model], what: str, action: str) -> Loaded[Model]:
    """Read the YAML file at ``path`` into ``model``, failing with a located, readable error.

    ``what`` names the file for a person ("the data sources file"); ``action`` says
    what to do when it is missing or unreadable.
    """
    if not path.is_file():
        raise BuildError(f"{what} is missing", file=path, action=action)
    data, lines = read_yaml(path.read_text(encoding="utf-8"), path, what)
    return validate_data(data, lines, path, model, what)


def validate_data(
    data: Any, lines: dict[Location, int], path: Path, model: type[Model], what: str
) -> Loaded[Model]:
    """Check already-read data against ``model``; fail with the first problem, located."""
    try:
        return Loaded(model.model_validate(data), path, lines)
    except ValidationError as error:
        raise _located(error, lines, path, model, what) from None


def read_yaml(text: str, path: Path, what: str) -> tuple[Any, dict[Location, int]]:
    """Read YAML text into plain Python data and the line of every key and item."""
    try:
        _refuse_anchors_and_tags(text, path)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise BuildError(
            f"{what} is not valid YAML ({getattr(error, 'problem', None) or error})",
            file=path,
            line=mark.line + 1 if mark else None,
            expected="valid YAML: 'key: value' lines, lists with '- '",
            action="fix the indentation or quoting at that line (quote text that holds ': ' "
            "or starts with a special character)",
        ) from None
    lines: dict[Location, int] = {}
    if node is None:
        return {}, lines
    return _value(node, (), lines, path), lines


def read_json(path: Path, what: str, action: str) -> tuple[Any, dict[Location, int]]:
    """Read a JSON file into plain Python data and, where it can, the line of every key.

    JSON is read by the json module; the lines come from reading the same text as
    YAML, of which JSON is a subset (a tab outside a string is JSON whitespace, so it
    is read as a space). A key written twice, or NaN and Infinity, are errors.
    """
    if not path.is_file():
        raise BuildError(f"{what} is missing", file=path, action=action)
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text, object_pairs_hook=_unique_pairs, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        raise BuildError(
            f"{what} is not valid JSON: {error.msg}",
            file=path,
            line=error.lineno,
            expected="valid JSON: double-quoted keys and text, no comma after the last item",
            action=action,
        ) from None
    except ValueError as error:
        raise BuildError(f"{what} is not plain JSON: {error}", file=path, action=action) from None
    lines: dict[Location, int] = {}
    try:
        _value(yaml.compose(text.replace("\t", " "), Loader=yaml.SafeLoader), (), lines, path)
    except yaml.YAMLError:
        lines.clear()
    return data, lines


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    twice = sorted({key for key in keys if keys.count(key) > 1})
    if twice:
        raise ValueError(f"the key {twice[0]!r} is written twice in one object")
    return dict(pairs)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _refuse_anchors_and_tags(text: str, path: Path) -> None:
    """Fail at the first anchor, alias or explicit tag, which no project file needs."""
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            kind = "an alias (*name)" if isinstance(event, yaml.AliasEvent) else "an anchor (&name)"
            problem, action = f"{kind} is used", "write the value out in full where it is needed"
        elif _explicit_tag(event):
            problem, action = f"an explicit tag ({event.tag}) is used", "remove the tag"
        else:
            continue
        raise BuildError(
            problem,
            file=path,
            line=line,
            expected="plain YAML without anchors, aliases or tags",
            action=action,
        )


def _explicit_tag(event: yaml.Event) -> bool:
    tag = getattr(event, "tag", None)
    if tag is None:
        return False
    implicit = getattr(event, "implicit", True)
    return not (any(implicit) if isinstance(implicit, tuple) else implicit)


def _value(node: yaml.Node, location: Location, lines: dict[Location, int], path: Path) -> Any:
    """Turn a composed YAML node into dicts, lists and scalars, recording lines."""
    lines.setdefault(location, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise BuildError(
                    "a key is a list or mapping",
                    file=path,
                    line=key_node.start_mark.line + 1,
                    expected="text keys",
                    action="write the key as plain text",
                )
            key = key_node.value
            if key in mapping:
                raise BuildError(
                    f"the key '{key}' is written twice in one mapping (first on line "
                    f"{lines[(*location, key)]})",
                    file=path,
                    line=key_node.start_mark.line + 1,
                    column=_dotted((*location, key)),
                    expected="each key once",
                    action="remove one of the two, or merge them",
                )
            lines[(*location, key)] = key_node.start_mark.line + 1
            mapping[key] = _value(value_node, (*location, key), lines, path)
        return mapping
    if isinstance(node, yaml.SequenceNode):
        return [
            _value(item, (*location, index), lines, path) for index, item in enumerate(node.value)
        ]
    return _scalar(node)


def _scalar(node: yaml.ScalarNode) -> Any:
    """A scalar as YAML 1.2's core schema reads it; quoted and block scalars are text."""
    text = node.value
    if node.style is not None:
        return text
    if _NULL.fullmatch(text):
        return None
    if text in _BOOLEAN:
        return _BOOLEAN[text]
    if _INTEGER.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    return text


def _located(
    error: ValidationError, lines: dict[Location, int], path: Path, model: type[BaseModel],
    what: str,
) -> BuildError:  # fmt: skip
    """Turn pydantic's first error into a person's message: file, line, key, hint."""
    problems = error.errors(include_url=False)
    # A misspelt key is both unknown and, under its right name, missing: the unknown key
    # is the one that explains both.
    first = next((p for p in problems if p["type"] == "extra_forbidden"), problems[0])
    location = _in_the_file(first["loc"], lines, missing=first["type"] == "missing")
    more = f" (and {len(problems) - 1} more problem(s) after it)" if len(problems) > 1 else ""
    line = _line(lines, location)
    key = _dotted(location)
    if first["type"] == "extra_forbidden":
        valid = _field_names(model, location[:-1])
        return BuildError(
            f"{what} has an unknown key '{location[-1]}'{more}",
            file=path,
            line=line,
            column=key,
            expected=f"one of the keys {', '.join(valid)}" if valid else "no key here",
            action=did_you_mean(
                str(location[-1]), valid, "the valid keys are " + ", ".join(map(repr, valid)) + "."
            ),
        )
    if first["type"] == "missing":
        return BuildError(
            f"{what} lacks the key '{location[-1]}'{more}",
            file=path,
            line=_line(lines, location[:-1]),
            column=key,
            expected=f"'{location[-1]}' under {_dotted(location[:-1]) or 'the top level'}",
            action=f"add '{location[-1]}'",
        )
    message = first["msg"]
    for prefix in _PYDANTIC_PREFIXES:
        message = message.removeprefix(prefix)
    shown = _shown(first.get("input"))
    return BuildError(
        f"{what} has a wrong value{f' at {key}' if key else ''}{shown}{more}",
        file=path,
        line=line,
        column=key or None,
        expected=message,
        action="correct the value",
    )


def _line(lines: dict[Location, int], location: Location) -> int | None:
    while location and location not in lines:
        location = location[:-1]
    return lines.get(location)


def _shown(value: Any) -> str:
    if isinstance(value, dict | list) or value is None:
        return ""
    text = repr(value)
    return f": {text if len(text) <= 60 else text[:56] + '...'}"


def _in_the_file(
    location: Sequence[str | int], lines: dict[Location, int], missing: bool
) -> Location:
    """pydantic's location of an error without the union members it names along the way.

    A member is named by its type (``TypstOptions``, ``str``, ``function-after[...]``);
    it is told from a key by not being one at that place in the file (a missing key,
    the last part of its location, is not in the file either).
    """
    kept: Location = ()
    for position, part in enumerate(location):
        missing_key = missing and position == len(location) - 1
        tag = isinstance(part, str) and ("[" in part or part.startswith("function-"))
        absent = bool(lines) and (*kept, part) not in lines and not missing_key
        if not (tag or (isinstance(part, str) and absent)):
            kept = (*kept, part)
    return kept


def _dotted(location: Sequence[str | int]) -> str:
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _field_names(model: type[BaseModel], location: Location) -> list[str]:
    """The keys allowed where ``location`` points, if a model can be found there."""
    found = _model_at(model, location)
    if found is None:
        return []
    return [field.alias or name for name, field in found.model_fields.items()]


def _model_at(model: type[BaseModel], location: Location) -> type[BaseModel] | None:
    current: Any = model
    for part in location:
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = next((f for n, f in current.model_fields.items() if part in (n, f.alias)), None)
            if field is None:
                return None
            current = field.annotation
        else:
            current = next(_contained(current, part), None)
        current = _unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _contained(annotation: Any, part: str | int) -> Iterator[Any]:
    """What a list (at an index) or a mapping (at a key) holds, per its annotation."""
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if origin in (list, tuple) and isinstance(part, int) and arguments:
        yield arguments[0]
    elif origin is dict and len(arguments) == 2:
        yield arguments[1]


def _unwrap(annotation: Any) -> Any:
    """Strip ``Annotated`` and ``X | None`` down to the model or container inside.

    Of a union holding one model and plain values (``Options | "default"``), the model.
    """
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
            models = [
                member
                for member in members
                if isinstance(member, type) and issubclass(member, BaseModel)
            ]
            if len(members) != 1 and len(models) != 1:
                return annotation
            annotation = members[0] if len(members) == 1 else models[0]
        else:
            return annotation
