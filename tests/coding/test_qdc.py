"""REFI-QDA codebooks: the tool's code tree, nested, checked by structure."""

from __future__ import annotations

from pathlib import Path

import pytest

from ltbrief.coding.qdc import read_qdc
from ltbrief.errors import BuildError
from tests.coding.conftest import CODE_TREE


def codebook(tmp_path: Path, body: str, root: str = "CodeBook") -> Path:
    path = tmp_path / "codes.qdc"
    inner = body.removeprefix("<CodeBook>").removesuffix("</CodeBook>")
    path.write_text(
        f'<?xml version="1.0" encoding="utf-8"?>\n<{root} xmlns="urn:QDA-XML:codebook:1.0" '
        f'origin="Taguette 1.5">{inner}</{root}>\n',
        encoding="utf-8",
    )
    return path


def test_codes_nested_several_levels_keep_their_parents(tmp_path: Path) -> None:
    tree = read_qdc(codebook(tmp_path, CODE_TREE))
    assert [code.shown for code in tree if code.codable] == [
        "Main challenge / Engagement / Getting people involved",
        "Main challenge / Engagement / Other engagement",
        "Support needed / Skills / Core skills",
    ]
    assert [code.name for code in tree if not code.codable] == [
        "Main challenge", "Engagement", "Support needed", "Skills",
    ]  # fmt: skip


def test_braced_upper_case_guids_are_read_normalised(tmp_path: Path) -> None:
    guid = "{0C000000-0000-4000-8000-00000000000A}"
    body = f'<Codes><Code guid="{guid}" name="X" isCodable="true"/></Codes>'
    assert read_qdc(codebook(tmp_path, body))[0].guid == "0c000000-0000-4000-8000-00000000000a"


@pytest.mark.parametrize(
    ("body", "root", "problem"),
    [
        ("<Codes/>", "CodeBook", "defines no codes"),
        ('<Codes><Code name="X" isCodable="true"/></Codes>', "CodeBook", "a code has no guid"),
        (CODE_TREE, "Project", "the root element <Project>, not <CodeBook>"),
        ("<Codes><Code", "CodeBook", "not valid XML"),
    ],
)
def test_a_bad_codebook_is_located(tmp_path: Path, body: str, root: str, problem: str) -> None:
    with pytest.raises(BuildError, match=problem) as caught:
        read_qdc(codebook(tmp_path, body, root))
    assert caught.value.file is not None and caught.value.file.name == "codes.qdc"
