"""Generated documentation stays in step with the code, the codebook and the data."""

from __future__ import annotations

import pandas as pd

from ltbrief import docs
from ltbrief.codebook import load_codebook
from ltbrief.paths import PATHS


def test_method_page_is_up_to_date() -> None:
    expected = docs.method_markdown(load_codebook(PATHS.codebook))
    assert (PATHS.docs / "method.md").read_text() == expected, "run `make docs` and commit"


def test_method_page_lists_every_rule_and_code() -> None:
    text = docs.method_markdown(load_codebook(PATHS.codebook))
    assert "| 1 | keep complete submissions |" in text
    assert "`SU-LEG-ENTITY`" in text and "How to be independent of Local Trust" in text


def test_generated_section_is_replaced_not_appended() -> None:
    document = "# Notes\n\nProse.\n"
    once = docs.replace_generated_section(document, "| a |")
    twice = docs.replace_generated_section(once, "| b |")
    assert twice.count(docs.GENERATED_START) == 1
    assert "| b |" in twice and "| a |" not in twice and twice.startswith(document.rstrip())


def test_discrepancy_table_escapes_cells() -> None:
    table = docs.discrepancy_markdown(
        pd.DataFrame(
            [["tbl-support", "order", "A | B", "B > A", "kept"]],
            columns=["table", "check", "published", "computed", "note"],
        )
    )
    assert "A \\| B" in table
