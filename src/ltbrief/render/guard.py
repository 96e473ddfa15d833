"""Personal data the brief must never publish: e-mail addresses, phone numbers, postcodes, URLs.

The clean stage already redacts responses (``ltbrief.redact``). This is a second, separate
check on what is published, run by the lint on every quote and table cell, so that a gap in
redaction, a hand-edited quote or a codebook label cannot publish contact details. Its
patterns are written apart from the redactor's and cast wider on purpose: a false alarm
costs an editor a look, a miss costs a respondent their privacy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

KINDS = {
    "email": "an e-mail address",
    "url": "a web address",
    "phone": "a phone number",
    "postcode": "a postcode",
}
PLACEHOLDERS = {kind: f"[{kind}]" for kind in KINDS}
_DOMAIN_ENDINGS = (
    "uk|com|org|net|info|biz|io|gov|edu|eu|co|me|ly|app|online|site|london|scot|wales|cymru"
)
# The rest of an address, without the punctuation that ends the sentence around it.
_URL_TAIL = r"""\S*[^\s.,;:!?)\]'"]"""
_PATTERNS = {
    "email": re.compile(r"[\w.%+'-]+@[\w-]+(?:\.[\w-]+)+"),
    "url": re.compile(
        rf"(?i)\b[a-z][a-z0-9+.-]*://{_URL_TAIL}|\bwww\.{_URL_TAIL}"
        rf"|\b(?:[a-z0-9-]+\.)+(?:{_DOMAIN_ENDINGS})\b(?:/{_URL_TAIL})?"
    ),
    # A trunk 0, or + or 00 and a country code, then 9 to 11 digits in any grouping.
    "phone": re.compile(
        r"(?<![\w+])(?:(?:\+|00)\d{1,3}[\s.-]?(?:\(0\)[\s.-]?)?|\(?0)(?:[\s().-]{0,2}\d){9,11}(?!\d)"
    ),
    "postcode": re.compile(r"(?i)\b[A-Z]{1,2}\d[A-Z\d]?\s{0,2}\d[A-Z]{2}\b"),
}


@dataclass(frozen=True)
class Finding:
    """Personal data found in a text: its kind and the text that matched."""

    kind: str
    text: str

    @property
    def description(self) -> str:
        """What was found, naming only its first characters so no log repeats it."""
        return f"{KINDS[self.kind]} ('{self.text[:2]}…')"


def find_personal_data(text: str) -> list[Finding]:
    """Every e-mail address, URL, phone number and postcode in ``text``, in order.

    A match inside another (the domain of an e-mail address) is not reported again.
    """
    spans = sorted(
        ((match.start(), -match.end(), kind) for kind, pattern in _PATTERNS.items()
         for match in pattern.finditer(text)),
    )  # fmt: skip
    found, covered = [], -1
    for start, negative_end, kind in spans:
        if -negative_end > covered:
            found.append(Finding(kind, text[start:-negative_end]))
            covered = max(covered, -negative_end)
    return found
