"""Respondents' quotes in the brief, and whether each matches the response it cites.

A quote may leave words out (``...``, ``…`` or ``[...]``) and add words of the editor's
own in ``[brackets]``; what remains must appear in the response, in order. Matching
ignores whitespace, letter case and the style of quotation marks and apostrophes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from ltbrief.render.scan import Structure, line_of, parse_attributes

QUOTE_CLASS = "respondent-quote"
_SPAN_END = re.compile(r"\]\{(?P<attributes>[^{}]*)\}")
_ELISION = re.compile(r"\[\s*(?:\.\s*){3}\]|\[\s*…\s*\]|\.\.\.|…")
_INSERTION = re.compile(r"\[[^\[\]]*\]")
_ESCAPE = re.compile(r"\\(.)")
_QUOTE_MARKS = str.maketrans("", "", "\"'`´‘’‚‛“”„‟")


@dataclass(frozen=True)
class Quote:
    """A quote in the brief: where it is, the response it cites, and its words."""

    line: int
    response_id: str | None
    text: str


@dataclass(frozen=True)
class Mismatch:
    """The first part of a quote not found in the response, and the closest passage."""

    fragment: str
    closest: str
    similarity: float


def block_quotes(structure: Structure) -> list[Quote]:
    """The block quotes inside ``.respondent-quote`` divs, one per div."""
    quotes = []
    for div in structure.divs:
        if QUOTE_CLASS not in div.attributes.classes:
            continue
        lines = [quoted.text for quoted in structure.quote_lines if div.line in quoted.divs]
        response = div.attributes.values.get("response") or None
        quotes.append(Quote(div.line, response, " ".join(lines)))
    return quotes


def inline_quotes(text: str) -> list[Quote]:
    """The bracketed spans ``[“...”]{.respondent-quote response="..."}`` in ``text``."""
    quotes = []
    for match in _SPAN_END.finditer(text):
        attributes = parse_attributes("{" + match["attributes"] + "}")
        if QUOTE_CLASS not in attributes.classes:
            continue
        start = _opening_bracket(text, match.start())
        if start is None:
            continue
        quotes.append(
            Quote(
                line=line_of(text, start),
                response_id=attributes.values.get("response") or None,
                text=text[start + 1 : match.start()],
            )
        )
    return quotes


def _opening_bracket(text: str, closing: int) -> int | None:
    """The offset of the ``[`` that the ``]`` at ``closing`` closes, allowing nesting."""
    depth = 0
    for position in range(closing, -1, -1):
        if position > 0 and text[position - 1] == "\\":
            continue
        if text[position] == "]":
            depth += 1
        elif text[position] == "[":
            depth -= 1
            if depth == 0:
                return position
    return None


def normalise(text: str) -> str:
    """Drop Markdown escapes and quotation marks, fold case and collapse whitespace."""
    unescaped = _ESCAPE.sub(r"\1", text).translate(_QUOTE_MARKS)
    return " ".join(unescaped.split()).casefold()


def quote_fragments(text: str) -> list[str]:
    """The respondent's own words in a quote: split at elisions and editorial insertions."""
    fragments = []
    for piece in _ELISION.split(text):
        fragments += [normalise(part) for part in _INSERTION.split(piece)]
    return [fragment for fragment in fragments if fragment]


def find_mismatch(quote: str, response: str) -> Mismatch | None:
    """Check that a quote's fragments appear in the response in order."""
    words = [(word, normalise(word)) for word in response.split()]
    words = [(original, folded) for original, folded in words if folded]
    haystack = " ".join(folded for _, folded in words)
    position = 0
    for fragment in quote_fragments(quote):
        found = _find_words(haystack, fragment, position)
        if found < 0:
            closest, similarity = closest_passage(fragment, words)
            return Mismatch(fragment, closest, similarity)
        position = found + len(fragment)
    return None


def _find_words(haystack: str, fragment: str, start: int) -> int:
    """Where ``fragment`` occurs in ``haystack`` from ``start`` as whole words, or -1."""
    left = r"(?<!\w)" if fragment[0].isalnum() else ""
    right = r"(?!\w)" if fragment[-1].isalnum() else ""
    match = re.compile(left + re.escape(fragment) + right).search(haystack, start)
    return match.start() if match else -1


def closest_passage(fragment: str, words: Sequence[tuple[str, str]]) -> tuple[str, float]:
    """The run of response words most like ``fragment``, as the respondent wrote them."""
    size = max(1, len(fragment.split()))
    best, best_ratio = "", 0.0
    for start in range(max(1, len(words) - size + 1)):
        window = words[start : start + size]
        ratio = SequenceMatcher(None, fragment, " ".join(f for _, f in window)).ratio()
        if ratio > best_ratio:
            best, best_ratio = " ".join(original for original, _ in window), ratio
    return best, best_ratio
