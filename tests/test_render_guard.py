"""The render-time guard: no quote or table cell publishes contact details."""

from __future__ import annotations

import pytest

from ltbrief.render.guard import Finding, find_personal_data

FOUND = {
    "email": ["jo.smith+bl@example.co.uk", "o'neil@bl-area.org"],
    "phone": ["07700 900123", "+44 (0)20 7946 0018", "(020) 7946 0321", "0044 161 496 0000",
              "01632.960.123", "020-7946-0018"],
    "postcode": ["SE1 4YR", "se1 4yr", "SW1A1AA", "M1  1AE", "B33 8TH"],
    "url": ["https://example.org/plan?x=1", "www.example.com", "example-bl.org.uk/news",
            "localtrust.org.uk", "ftp://files.example.net"],
}  # fmt: skip
NOT_FOUND = [
    "Charity number 1147511, company number 07833396",
    "1,018 responses from 148 partnerships in 2020",
    "COVID-19 hit in March; meetings at 7.30pm",
    "e.g. the council; i.e. the LTO",
    "[email] and [phone] and [postcode] and [url] and [name]",
    "£1m over 10-15 years",
    "Table 1.2: Summary of support needs",
]


@pytest.mark.parametrize(
    ("kind", "text"), [(kind, text) for kind, texts in FOUND.items() for text in texts]
)
def test_each_kind_is_found_inside_a_sentence(kind: str, text: str) -> None:
    assert find_personal_data(f"Contact: {text}, thanks.") == [Finding(kind, text)]


@pytest.mark.parametrize("text", NOT_FOUND)
def test_numbers_and_placeholders_are_not_personal_data(text: str) -> None:
    assert find_personal_data(text) == []


def test_an_email_domain_is_not_reported_again_as_a_url() -> None:
    found = find_personal_data("write to jo@example.org or see example.org, 07700 900123")
    assert [f.kind for f in found] == ["email", "url", "phone"]


def test_two_numbers_in_a_row_are_two_phone_numbers() -> None:
    found = find_personal_data("020 7946 0018 020 7946 0019")
    assert [f.text for f in found] == ["020 7946 0018", "020 7946 0019"]


def test_a_description_shows_only_the_first_characters() -> None:
    assert Finding("email", "jo@example.org").description == "an e-mail address ('jo…')"
