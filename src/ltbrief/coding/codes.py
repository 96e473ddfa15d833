"""Where each of the tool's codes sits in the brief's codebook.

``data/codebook.yml`` keeps the brief's themes, sub-themes, labels and order; the tool's
codes are placed on its sub-themes. A sub-theme takes the tool code its ``tool_code``
names (a GUID, or the code's path of names, ``Main challenge/Engagement/Raising
awareness``); without one, the tool code named by the sub-theme's ``code`` (CH-ENG-AWARE),
or the one named by its ``label`` under a parent named by its theme's label. A tool code
the coding uses that no sub-theme takes, or a sub-theme that matches no code of the tool's
tree, is an error naming both sides with the nearest matches.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from ltbrief.codebook import Codebook
from ltbrief.coding.passages import PATH_SEPARATOR, ToolCode
from ltbrief.coding.refi import is_guid, normal_guid
from ltbrief.errors import BuildError, did_you_mean

CODEBOOK_ACTION = (
    "give the sub-theme a tool_code in data/codebook.yml (the tool code's GUID or its path "
    "of names, parents first, separated by '/'), or rename the code in the tool"
)


def place_codes(
    passages: pd.DataFrame, codebook: Codebook, tree: Sequence[ToolCode] | None, source: Path
) -> pd.DataFrame:
    """Add each passage's sub-theme ``code``; its ``question`` where the document gave none."""
    keys = _sub_theme_keys(codebook)
    distinct = passages.drop_duplicates(["code_guid", "code_path", "code_name"])
    placed: dict[tuple[str, str, str], str] = {}
    for row in distinct.itertuples(index=False):
        placed[(row.code_guid, row.code_path, row.code_name)] = _sub_theme(
            row, keys, codebook, source
        )
    if tree is not None:
        _every_sub_theme_in_tree(codebook, keys, tree)
    codes = [
        placed[key]
        for key in zip(
            passages["code_guid"], passages["code_path"], passages["code_name"], strict=True
        )
    ]
    questions = dict(
        zip(codebook.subthemes["subtheme_code"], codebook.subthemes["question"], strict=True)
    )
    question = passages["question"].where(
        passages["question"] != "",
        pd.Series([questions[code] for code in codes], index=passages.index),
    )
    return passages.assign(code=codes, question=question)


def _sub_theme_keys(codebook: Codebook) -> dict[str, str]:
    """Every name, path or GUID a tool code may have, with the sub-theme it places on."""
    keys: dict[str, str] = {}
    for row in codebook.subthemes.itertuples(index=False):
        names = [row.tool_code] if row.tool_code else [
            row.subtheme_code,
            _path_key((row.theme_label, row.subtheme_label)),
        ]  # fmt: skip
        for name in names:
            keys[_key(name)] = row.subtheme_code
    return keys


def _sub_theme(row: object, keys: dict[str, str], codebook: Codebook, source: Path) -> str:
    """The sub-theme one tool code places on, or an error with the nearest sub-themes."""
    guid, path, name = row.code_guid, row.code_path, row.code_name  # type: ignore[attr-defined]
    parts = tuple(part.strip() for part in path.split(PATH_SEPARATOR)) if path else (name,)
    candidates = [guid, _path_key(parts), _path_key(parts[-2:]), name]
    for candidate in candidates:
        if candidate and _key(candidate) in keys:
            return keys[_key(candidate)]
    labels = list(codebook.subthemes["subtheme_label"]) + list(codebook.subthemes["subtheme_code"])
    raise BuildError(
        f"the tool code {path or name!r} is used in the coding but the codebook places it on "
        "no sub-theme",
        file=source,
        **_where(row),
        expected="a sub-theme whose tool_code, code, or theme and label name this code",
        action=f"{did_you_mean(name, labels, '')} {CODEBOOK_ACTION}".strip(),
    )


def _where(row: object) -> dict[str, object]:
    """Where a person finds a passage: its place, or (a row of a CSV) its row and code column."""
    place = getattr(row, "place", "")
    # Only the project's own CSV gives rows without a place (passages.py); codes are in 'code'.
    return {"place": place} if place else {"row": row.row, "column": "code"}  # type: ignore[attr-defined]


def _every_sub_theme_in_tree(
    codebook: Codebook, keys: dict[str, str], tree: Sequence[ToolCode]
) -> None:
    """Fail when a sub-theme of the codebook matches no codable code of the tool's tree."""
    codable = [code for code in tree if code.codable]
    names = {
        _key(candidate): code
        for code in codable
        for candidate in (code.guid, _path_key(code.path), _path_key(code.path[-2:]), code.name)
    }
    taken = {keys[key] for key in names if key in keys}
    for row in codebook.subthemes.itertuples(index=False):
        if row.subtheme_code not in taken:
            shown = [code.shown for code in codable]
            raise BuildError(
                f"the codebook's sub-theme {row.subtheme_code} ({row.subtheme_label!r}) matches "
                "no code in the tool's code tree",
                file=codebook.source,
                expected="a tool code named by its tool_code, its code, or its theme and label",
                action=f"{did_you_mean(row.subtheme_label, [c.name for c in codable], '')} "
                f"{CODEBOOK_ACTION}; the tool's codes include {_first(shown)}".strip(),
            )


def _path_key(names: Iterable[str]) -> str:
    return "/".join(name.strip() for name in names)


def _key(name: str) -> str:
    """A name, path or GUID in the form they are compared: GUIDs normalised, paths by '/'."""
    text = name.strip()
    if is_guid(text):
        return "guid:" + normal_guid(text)
    return "/".join(
        part.strip().casefold() for part in text.replace(PATH_SEPARATOR, "/").split("/")
    )


def _first(names: Sequence[str], count: int = 5) -> str:
    shown = ", ".join(repr(name) for name in names[:count])
    return shown + (f" and {len(names) - count} more" if len(names) > count else "")
