"""Shared fixtures: a tiny codebook in the real schema, and Debian's chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from ltbrief.codebook import Codebook, load_codebook

if TYPE_CHECKING:
    from playwright.sync_api import Browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

TINY_CODEBOOK = """
questions:
  - key: challenge
    column: main_challenge
    text: What was the main challenge?
    themes:
      - {code: CH-ENG, key: engagement, label: Engagement, order: 1, reported: true,
         subthemes: [
           {code: CH-ENG-INV, key: getting_involved, label: Getting people involved, order: 1},
           {code: CH-ENG-OTHER, key: other, label: Other engagement, order: 2,
            reported: false}]}
      - {code: CH-REL, key: relationships, label: Relationships, order: 2,
         subthemes: [
           {code: CH-REL-LA, key: local_authorities, label: Local authorities, order: 1}]}
  - key: support
    column: support_needed
    text: What support do you need?
    themes:
      - {code: SU-ENG, key: engagement, label: Engagement, order: 1,
         subthemes: [{code: SU-ENG-RES, key: residents, label: Resident engagement, order: 1}]}
      - {code: SU-DEV, key: skills, label: Skills, order: 2,
         subthemes: [
           {code: SU-DEV-CORE, key: core_skills, label: Core skills, order: 1,
            specific_needs: [Strategy, Decision making]},
           {code: SU-DEV-GOV, key: governance, label: Governance, order: 2,
            specific_needs: ["Conflicts of interest"]}]}
tables:
  - {id: tbl-challenges, caption: Summary of main challenges, question: challenge,
     rows: subthemes-by-theme, headers: [Challenge theme, Challenge sub-themes, References]}
  - {id: tbl-support, caption: Summary of support needs, question: support,
     rows: subthemes-by-theme, headers: [Support theme, Specific support needs, References]}
  - {id: tbl-development, caption: Development themes, question: support, theme: SU-DEV,
     rows: subthemes-with-needs, headers: [Development theme, Development needs, References]}
"""


@pytest.fixture
def codebook_file(tmp_path: Path) -> Path:
    path = tmp_path / "codebook.yml"
    path.write_text(TINY_CODEBOOK, encoding="utf-8")
    return path


@pytest.fixture
def codebook(codebook_file: Path) -> Codebook:
    return load_codebook(codebook_file)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's chromium, headless, driven by playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()
