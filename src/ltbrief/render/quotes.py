"""Respondents' quotes in the brief, and whether each matches the response it cites.

A quote may leave words out (``...``, ``…`` or ``[...]``) and add words of the editor's
own in ``[brackets]``; what remains must appear in the response, in order. Matching
ignores whitespace, letter case and the style of quotation marks and apostrophes.

A quote is the respondent's words, so it must print as written: ``find_markup`` reports
anything in it that Markdown would read as formatting, a link, a shortcode or a block.
"""

from __future__ import annotations

import re
import string
import unicodedata
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
# Quotation marks, apostrophes, "..." and "--" stay unescaped: Pandoc sets them as curly
# quotes, an ellipsis and dashes, which is typography, not markup.
_MARKUP_CHARACTERS = frozenset("`*_{}<>#|$@~^&")
_ESCAPABLE = frozenset(string.punctuation)
_BLOCK_START = re.compile(
    r"""^(?:[ ]{4}|\t)                                     # indented code
    |^\s*(?:[-+*]|\d+[.)]|[A-Za-z][.)]|[ivxlcdmIVXLCDM]+[.)]|\(\w+\)|\#\.)(?=\s|$)  # list
    |^\s*(?:[-*_=]\s*){3,}$|^\s*[-=]+\s*$                 # rule, heading underline
    |^\s*(?::|\+[-=]|\[[^\]]*\]:)                         # definition or div, grid, note
    """,
    re.VERBOSE,
)
_INVISIBLE = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]"
)


@dataclass(frozen=True)
class Quote:
    """A quote in the brief: where it is, the response it cites, and its words.

    ``text`` joins the lines of a block quote with spaces; ``lines`` keeps them as written
    (without the ``>``), and ``block`` says whether the first line starts a block.
    """

    line: int
    response_id: str | None
    text: str
    lines: tuple[str, ...]
    block: bool


@dataclass(frozen=True)
class Markup:
    """Something in a quote that would not print as written, and how to write it instead."""

    what: str
    fix: str


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
        quotes.append(Quote(div.line, response, " ".join(lines), tuple(lines), block=True))
    return quotes


def inline_quotes(text: str) -> list[Quote]:
    """The bracketed spans ``[“...”]{.respondent-quote response="..."}`` in ``text``."""
    quotes = []
    for match in _SPAN_END.finditer(text):
        attributes = parse_attributes("{" + match["attributes"] + "}")
        if QUOTE_CLASS not in attributes.classes or _is_escaped(text, match.start()):
            continue
        start = _opening_bracket(text, match.start())
        if start is None:
            continue
        words = text[start + 1 : match.start()]
        quotes.append(
            Quote(
                line=line_of(text, start),
                response_id=attributes.values.get("response") or None,
                text=words,
                lines=tuple(words.split("\n")),
                block=False,
            )
        )
    return quotes


def _opening_bracket(text: str, closing: int) -> int | None:
    """The offset of the ``[`` that the ``]`` at ``closing`` closes, allowing nesting."""
    depth = 0
    for position in range(closing, -1, -1):
        if _is_escaped(text, position):
            continue
        if text[position] == "]":
            depth += 1
        elif text[position] == "[":
            depth -= 1
            if depth == 0:
                return position
    return None


def _is_escaped(text: str, position: int) -> bool:
    """Whether the character at ``position`` follows an odd number of backslashes."""
    count = 0
    while position - count > 0 and text[position - count - 1] == "\\":
        count += 1
    return count % 2 == 1


def find_markup(quote: Quote) -> list[Markup]:
    """Everything in a quote that Markdown would read as markup, once each, in order."""
    found: list[Markup] = []
    first = 0 if quote.block else 1
    for number, line in enumerate(quote.lines[first:], start=first):
        if match := _BLOCK_START.match(line):
            found.append(
                Markup(
                    f"a line starting {match.group().strip() or 'with spaces'!r} "
                    "(read as a list, rule, heading or code)",
                    "join it to the line above, or put a backslash before its first mark",
                )
            )
        elif not (quote.block or line.strip()) and number < len(quote.lines) - 1:
            found.append(Markup("a blank line", "an inline quote must stay in one paragraph"))
    if any(line.endswith("  ") for line in quote.lines[:-1]):
        found.append(Markup("a line ending in two spaces (a line break)", "delete the spaces"))
    found += _markup_characters("\n".join(quote.lines))
    if _unbalanced(quote.text):
        found.append(Markup("an unmatched '[' or ']'", "write \\[ or \\] for a bracket"))
    return list(dict.fromkeys(found))


def _markup_characters(text: str) -> list[Markup]:
    """Unescaped markup characters, stray backslashes, links and invisible characters."""
    found = []
    escaped = False
    for index, char in enumerate(text):
        following = text[index + 1 : index + 2]
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = following in _ESCAPABLE
            if not escaped:
                found.append(Markup("a backslash", "write \\\\ for a backslash"))
        elif char in _MARKUP_CHARACTERS:
            found.append(Markup(f"'{char}'", f"write \\{char}"))
        elif char == "]" and following in ("(", "["):
            found.append(Markup(f"']{following}' (a link)", "write \\] for the bracket"))
        elif _INVISIBLE.match(char) or unicodedata.category(char) in ("Cs", "Cn"):
            found.append(Markup(f"an invisible character U+{ord(char):04X}", "delete it"))
    return found


def _unbalanced(text: str) -> bool:
    """Whether the unescaped square brackets in ``text`` fail to pair up."""
    depth = 0
    for match in re.finditer(r"\\.|[\[\]]", text, re.DOTALL):
        depth += {"[": 1, "]": -1}.get(match.group(), 0)
        if depth < 0:
            return True
    return depth != 0


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
