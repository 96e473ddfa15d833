"""Quarto's ``{{< var key >}}`` and ``{{< include file >}}`` shortcodes, and nothing else.

Includes are expanded first (recursively, confined to the project folder), then
variables, as Quarto does. ``{{{< ... >}}}`` is Quarto's way to print a shortcode
literally. A variable's value is data: it is escaped so it always prints as written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ltbrief.errors import BuildError
from ltbrief.io import read_yaml_mapping
from ltbrief.summarise import escape_markdown

# Quarto's own pattern for an include it expands (src/core/lib/parse-shortcode.ts).
_STANDALONE_INCLUDE = re.compile(r"\s*\{\{< include \S(?:.*\S)? >\}\}\s*")
_SHORTCODE = re.compile(
    r"\{\{\{<(?P<literal>.*?)>\}\}\}"
    r"|\{\{<\s*(?P<name>[^\s>]*)(?P<argument>[^>]*?)\s*>\}\}"
)


@dataclass(frozen=True)
class Shortcode:
    """One shortcode in a text; ``literal`` when escaped with triple braces."""

    name: str
    argument: str
    start: int
    end: int
    literal: bool


def find_shortcodes(text: str) -> list[Shortcode]:
    """Every shortcode in ``text``, in order."""
    found = []
    for match in _SHORTCODE.finditer(text):
        literal = match["literal"] is not None
        found.append(
            Shortcode(
                name="" if literal else match["name"],
                argument=(match["literal"] if literal else match["argument"]).strip(),
                start=match.start(),
                end=match.end(),
                literal=literal,
            )
        )
    return found


def load_variables(path: Path) -> dict[str, Any]:
    """Read ``_variables.yml``."""
    return read_yaml_mapping(
        path, "variables file", "run the data stages first: python -m ltbrief data"
    )


def lookup(variables: Mapping[str, Any], key: str) -> str | None:
    """The display string of a dotted key, or ``None`` when it names no single value."""
    value: Any = variables
    for part in key.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    if value is None or isinstance(value, Mapping | list):
        return None
    return str(value)


def variable_keys(variables: Mapping[str, Any], prefix: str = "") -> list[str]:
    """Every dotted key that names a single value."""
    keys = []
    for name, value in variables.items():
        key = f"{prefix}{name}"
        if isinstance(value, Mapping):
            keys += variable_keys(value, f"{key}.")
        elif value is not None and not isinstance(value, list):
            keys.append(key)
    return keys


def resolve_include(argument: str, including_file: Path, root: Path) -> Path:
    """The file an include names, inside the project, as Quarto resolves it.

    Quarto resolves an include from the main document's folder, here the project root,
    whichever file holds it; a path starting with ``/`` is from the project root too.
    """
    name = argument.strip().strip("\"'")
    if not name:
        raise BuildError("an include names no file", file=including_file)
    target = (root / name.lstrip("/")).resolve()
    if not target.is_relative_to(root.resolve()):
        raise BuildError(
            f"the include path {name!r} leads outside the project folder",
            file=including_file,
            action="include only files inside the project folder",
        )
    if not target.is_file():
        raise BuildError(
            f"the included file {name!r} does not exist",
            file=including_file,
            expected="a path from the project root, e.g. data/processed/tables/tbl-support.md",
            action="check the name, or run the data stages: python -m ltbrief data",
        )
    return target


def standalone_include(text: str, code: Shortcode) -> bool:
    """Whether an include stands alone on its line, as Quarto needs to expand it.

    Quarto expands ``{{< include file >}}`` only on a line of its own, written with one
    space inside the braces; anywhere else it leaves the shortcode as text.
    """
    start = text.rfind("\n", 0, code.start) + 1
    end = text.find("\n", code.end)
    line = text[start : len(text) if end < 0 else end]
    return _STANDALONE_INCLUDE.fullmatch(line) is not None


def expand_includes(text: str, file: Path, root: Path) -> str:
    """Replace each include with its file's text; the lint has checked none is nested."""
    pieces, position = [], 0
    for code in find_shortcodes(text):
        if code.literal or code.name != "include":
            continue
        target = resolve_include(code.argument, file, root)
        pieces += [text[position : code.start], target.read_text(encoding="utf-8")]
        position = code.end
    return "".join([*pieces, text[position:]])


def expand_variables(text: str, variables: Mapping[str, Any], file: Path) -> str:
    """Replace each ``{{< var key >}}`` with its escaped value and print escaped codes."""
    pieces, position = [], 0
    for code in find_shortcodes(text):
        if code.literal:
            replacement = escape_markdown("{{< " + code.argument + " >}}")
        elif code.name == "var":
            value = lookup(variables, code.argument)
            if value is None:
                raise BuildError(
                    f"unknown variable {code.argument!r}",
                    file=file,
                    action="run the lint (python -m ltbrief.render --check) for a suggestion",
                )
            replacement = escape_markdown(value)
        else:
            raise BuildError(f"unknown shortcode {code.name!r}", file=file)
        pieces += [text[position : code.start], replacement]
        position = code.end
    return "".join([*pieces, text[position:]])


def expand(text: str, file: Path, root: Path, variables: Mapping[str, Any]) -> str:
    """Expand includes, then variables, as Quarto does."""
    return expand_variables(expand_includes(text, file, root), variables, file)
