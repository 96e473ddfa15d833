"""Which response a passage is of, and whether its text is in that response's answer."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from ltbrief.codebook import Codebook
from ltbrief.coding.link import check_texts, markers, owner_at, owner_by_name
from ltbrief.errors import BuildError

RESPONSES = pd.DataFrame(
    {
        "response_id": ["R1", "R2"],
        "main_challenge": ["Our rep [name] left. Volunteers are few.", "Money."],
        "support_needed": [None, "Training on governance."],
    }
)


def references(*rows: tuple[str, str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"row": n, "place": f"document {r!r}", "response_id": r, "question": q, "text": t,
             "code_path": "A / B", "code_name": "B"}
            for n, (r, q, t) in enumerate(rows, start=1)
        ]
    )  # fmt: skip


def test_a_document_name_gives_the_response_and_question() -> None:
    pattern = r"(?P<response_id>R[0-9]+)(?: (?P<question>challenge|support))?"
    assert owner_by_name(" R12 support ", pattern).question == "support"
    assert owner_by_name("R12", pattern).question == ""
    assert owner_by_name("Notes", pattern) is None


def test_markers_split_a_collated_document() -> None:
    found = markers("[R1] a b\n[R2] c", r"\[(?P<response_id>R\d)\]")
    assert owner_at(found, 5, 8).response_id == "R1"
    assert owner_at(found, 0, 2) is None  # before the first marker
    assert owner_at(found, 5, 12) is None  # runs into R2's answer


def test_raw_text_matches_its_clean_redacted_answer(codebook: Codebook) -> None:
    rows = [
        ("R1", "challenge", "Our rep  Sarah Jones left."),  # the name, as typed in the raw export
        ("R1", "challenge", "volunteers are\r\nfew"),
        (
            "R2",
            "support",
            "Training on \u201cgovernance\u201d".replace("\u201c", "").replace("\u201d", ""),
        ),
        ("R2", "challenge", ""),  # a CSV of codes has no text: not checked
    ]
    check_texts(references(*rows), RESPONSES, codebook, Path("x.qdpx"))


def test_a_passage_of_another_answer_is_named_with_its_place(codebook: Codebook) -> None:
    with pytest.raises(BuildError, match="is not in the challenge answer of response R2") as caught:
        check_texts(
            references(("R2", "challenge", "Volunteers are few")),
            RESPONSES,
            codebook,
            Path("x.qdpx"),
        )
    assert caught.value.place == "document 'R2'"
    assert "Money." in (caught.value.expected or "")
