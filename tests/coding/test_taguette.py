"""Taguette's highlights: one row per highlight and tag, the coder named by the mapping."""

from __future__ import annotations

from pathlib import Path

import pytest

from ltbrief.coding.taguette import read_taguette
from ltbrief.errors import BuildError
from ltbrief.sources.mapping import Link

LINK = Link(document=r"(?P<response_id>R[0-9]+) (?P<question>challenge|support)")


def highlights(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "highlights.csv"
    path.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    return path


def test_a_highlight_with_two_tags_is_two_passages_of_one_coder(tmp_path: Path) -> None:
    text = 'id,document,tag,content\n4,R1 challenge,CH-ENG-INV,"Few volunteers, same faces"\n'
    text += '4,R1 challenge,CH-ENG-AWARE,"Few volunteers, same faces"\n5,R2 support,SU-DEV-CORE,x\n'
    frame = read_taguette(highlights(tmp_path, text), "Ben", LINK).passages
    assert frame[["response_id", "code_name", "coder"]].values.tolist() == [
        ["R1", "CH-ENG-INV", "Ben"],
        ["R1", "CH-ENG-AWARE", "Ben"],
        ["R2", "SU-DEV-CORE", "Ben"],
    ]
    assert frame["text"].iloc[0] == "Few volunteers, same faces"
    assert frame["place"].iloc[2] == "highlights.csv, row 4, highlight 5"


def test_an_export_of_other_columns_is_refused_at_its_header(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="missing tag") as caught:
        read_taguette(highlights(tmp_path, "id,document,content\n1,R1 challenge,x\n"), "B", LINK)
    assert caught.value.row == 1
