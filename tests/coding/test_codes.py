"""Placing a tool's codes on the codebook: by tool_code, by code, by theme and label."""

from __future__ import annotations

from pathlib import Path

import pytest

from ltbrief.codebook import Codebook, load_codebook
from ltbrief.coding.codes import place_codes
from ltbrief.coding.passages import ToolCode, passage_frame
from ltbrief.errors import BuildError
from tests.conftest import TINY_CODEBOOK

SOURCE = Path("coding.qdpx")


def passages(*codes: tuple[str, str, str], question: str = "") -> object:
    return passage_frame(
        [
            {"row": n, "response_id": "R1", "question": question, "code_guid": guid,
             "code_path": path, "code_name": name, "coder": "A"}
            for n, (guid, path, name) in enumerate(codes, start=1)
        ]
    )  # fmt: skip


def test_by_code_by_theme_and_label_and_the_question_from_the_code(codebook: Codebook) -> None:
    frame = passages(
        ("", "CH-ENG-INV", "CH-ENG-INV"),
        ("g1", "Main challenge / Engagement / Getting people involved", "Getting people involved"),
        ("g2", "Support needed / Skills / core skills", "core skills"),
    )
    placed = place_codes(frame, codebook, None, SOURCE)
    assert placed["code"].tolist() == ["CH-ENG-INV", "CH-ENG-INV", "SU-DEV-CORE"]
    assert placed["question"].tolist() == ["challenge", "challenge", "support"]


def test_a_tool_code_given_in_the_codebook_wins(tmp_path: Path) -> None:
    text = TINY_CODEBOOK.replace(
        "{code: SU-DEV-GOV, key: governance, label: Governance, order: 2,",
        "{code: SU-DEV-GOV, key: governance, label: Governance, order: 2, "
        "tool_code: '{0C000000-0000-4000-8000-0000000000AA}',",
    )
    path = tmp_path / "codebook.yml"
    path.write_text(text, encoding="utf-8")
    frame = passages(("0c000000-0000-4000-8000-0000000000aa", "Nodes / Gov", "Gov"))
    assert place_codes(frame, load_codebook(path), None, SOURCE)["code"].tolist() == ["SU-DEV-GOV"]


def test_a_code_no_sub_theme_takes_is_named_with_the_nearest(codebook: Codebook) -> None:
    frame = passages(
        ("", "Main challenge / Engagement / Geting people involved", "Geting people involved")
    )
    with pytest.raises(BuildError, match="places it on no sub-theme") as caught:
        place_codes(frame, codebook, None, SOURCE)
    assert "did you mean 'Getting people involved'?" in (caught.value.action or "")
    assert (caught.value.row, caught.value.column) == (1, "code")


def test_a_sub_theme_the_tool_s_tree_lacks_is_named(codebook: Codebook) -> None:
    tree = [
        ToolCode(
            "a",
            "Getting people involved",
            ("Main challenge", "Engagement", "Getting people involved"),
        ),
        ToolCode("b", "Engagement", ("Main challenge", "Engagement"), codable=False),
    ]
    frame = passages(("a", tree[0].shown, tree[0].name))
    with pytest.raises(
        BuildError, match=r"CH-ENG-OTHER .* matches no code in the tool's code tree"
    ) as caught:
        place_codes(frame, codebook, tree, SOURCE)
    assert caught.value.file == codebook.source
    assert "'Main challenge / Engagement / Getting people involved'" in (caught.value.action or "")
