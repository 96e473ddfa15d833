"""Replace personal data in survey free text with visible placeholders, offline.

Detection uses rules and hand-written word lists only; no model or list is downloaded.
Regular expressions find e-mail addresses, URLs, UK phone numbers and UK postcodes. A name
detector then combines gazetteers of UK first names and surnames with context cues
(titles, roles such as "our rep", verbs such as "speak to"), place words ("X Street") and
an allow-list of places and organisations that are never redacted. ``docs/redaction.md``
describes the rules, their measured precision and recall, and their limits.

``python -m ltbrief.redact --evaluate`` scores the labelled corpora and regenerates the
table in that doc; ``--benchmark`` measures the speed and records it there.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

import numpy as np
import pandas as pd

from ltbrief.errors import BuildError
from ltbrief.io import write_text
from ltbrief.paths import PATHS, ProjectPaths, resource

KINDS: tuple[str, ...] = ("email", "phone", "postcode", "url", "name")
PLACEHOLDERS: Mapping[str, str] = MappingProxyType({kind: f"[{kind}]" for kind in KINDS})


@dataclass(frozen=True)
class Finding:
    """One piece of personal data in a text: its kind, where it is and what it says."""

    kind: str
    start: int
    end: int
    text: str


# --- e-mail, URL, phone, postcode --------------------------------------------------------

_EMAIL = (
    r"(?<![\w.+'-])[\w%+'-]+(?:\.[\w%+'-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}(?![\w-])"
)
_URL_REST = r"""[^\s<>"'\[\]]*[^\s<>"'\[\].,;:!?)]"""
_BARE_DOMAIN_ENDINGS = (
    "com|org|net|uk|info|biz|io|eu|london|online|site|app|gov|scot|wales|cymru|ly"
)
_URL = (
    rf"(?i:https?://{_URL_REST}"
    rf"|(?<![\w@.-])www\.{_URL_REST}"
    rf"|(?<![\w@.-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:{_BARE_DOMAIN_ENDINGS})(?![\w-])"
    rf"(?:/{_URL_REST}|/)?)"
)
# A trunk 0 (or +44 / 0044, optionally with "(0)") and 9 or 10 more digits in groups split by
# single spaces, dots or dashes, the area code optionally in brackets. The leading lookahead
# lets the regex engine skip quickly to a possible first character.
_PHONE = (
    r"(?=[+0(])(?<![\w+])"
    r"(?:(?:\+|00)44[ .-]?(?:\(0\)[ .-]?)?|\(0\)[ .-]?|\(0(?=\d{2,4}\))|0)"
    r"[1-9](?:(?:[ .-]|\)[ .-]?)?\d){8,9}(?!\d)"
)
# The six formats A9, A99, AA9, AA99, A9A, AA9A, then 9AA; any case; 0 to 2 spaces.
_POSTCODE = (
    r"(?=[A-PR-UWYZa-pr-uwyz])(?<![A-Za-z0-9])"
    r"(?i:(?:[A-PR-UWYZ][A-HK-Y]?[0-9][0-9A-HJKMNPR-Y]?|GIR) {0,2}[0-9][ABD-HJLNP-UW-Z]{2})"
    r"(?![A-Za-z0-9])"
)
# Each kind is searched for only where a cheap test shows it could be present. The order is
# the order of precedence when two spans start at the same place.
_STRUCTURED: tuple[tuple[str, re.Pattern[str], re.Pattern[str]], ...] = (
    ("email", re.compile("@"), re.compile(_EMAIL)),
    ("url", re.compile(r"\.[A-Za-z]"), re.compile(_URL)),
    ("phone", re.compile("[0-9]"), re.compile(_PHONE)),
    ("postcode", re.compile("[0-9][A-Za-z]{2}"), re.compile(_POSTCODE)),
)


def _structured_spans(text: str) -> list[tuple[int, int, str]]:
    """E-mail, URL, phone and postcode spans as (start, end, kind), possibly overlapping."""
    return [
        (match.start(), match.end(), kind)
        for kind, maybe_present, pattern in _STRUCTURED
        if maybe_present.search(text)
        for match in pattern.finditer(text)
    ]


# --- word lists ----------------------------------------------------------------------------


def _read_words(name: str) -> list[str]:
    """The entries of a word list in resources/redact/, without comments or blank lines."""
    lines = resource("redact", name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


# Every capitalised word is classified by bit flags looked up in one dict.
_FIRST = 1
_SURNAME = 2
_AMBIGUOUS = 4  # a name that is also a word or a place: Hope, Will, May, Green, Stanley
_PLACE = 8  # makes the words before it a place or organisation: Street, Hill, Centre
_COMMON = 16
_TITLE = 32
_SAINT = 64
_INITIAL = 128
_NAME = _FIRST | _SURNAME

_TITLES = (
    "Mr", "Mrs", "Ms", "Mx", "Miss", "Dr", "Cllr", "Councillor", "Rev", "Revd", "Reverend",
    "Prof", "Professor", "Sir", "Dame",
)  # fmt: skip
_SAINTS = ("St", "Saint")


def _build_lexicon() -> dict[str, int]:
    """Flags for every listed word, keyed by the word as it is capitalised in running text."""
    lexicon: dict[str, int] = {}
    for words, flag in (
        (_read_words("first_names.txt"), _FIRST),
        (_read_words("surnames.txt"), _SURNAME),
        (_read_words("ambiguous_names.txt"), _AMBIGUOUS),
        (_read_words("place_words.txt"), _PLACE),
        ([word.capitalize() for word in _read_words("common_words.txt")], _COMMON),
        (list(_TITLES), _TITLE),
        (list(_SAINTS), _SAINT),
    ):
        for word in words:
            lexicon[word] = lexicon.get(word, 0) | flag
    # A listed name that is also an everyday word ("Will", "Bill") needs the care of "Hope".
    for word, flags in lexicon.items():
        if flags & _NAME and flags & _COMMON:
            lexicon[word] = (flags | _AMBIGUOUS) & ~_COMMON
    return lexicon


_UPPER = "A-ZÀ-ÖØ-ÞĀĂĄĆČĎĐĒĘĚĞĪŁŃŇŌŐŒŘŚŞŠŢŤŪŮŰŸŹŻŽ"
_LOWER = "a-zß-öø-ÿāăąćčďđēęěğīłńňōőœřśşšţťūůűźżž"
_NAMEWORD = re.compile(rf"(?:[OD]['’]|Ma?c)?[{_UPPER}][{_LOWER}]+(?:-[{_UPPER}][{_LOWER}]+)*")
# Any capitalised word, with a possessive or full stop that ends it; the lookbehind comes
# after the first character so that the regex engine can scan for that character quickly.
_CAPWORD = re.compile(
    rf"[{_UPPER}](?<![\w@./\\-].)[{_LOWER}{_UPPER}'’\-]*(?![{_LOWER}{_UPPER}0-9_])\.?"
)
_RUN_GAPS = (" ", "\u00a0")
_LOWER_WORD = re.compile(r"[a-z](?<![\w'’-].)[a-z'-]*")
_LOWER_LETTERS = re.compile("[a-z]+")


def _build_allow_index(phrases: list[str]) -> dict[str, list[tuple[str, int]]]:
    """For each capitalised word of an allow-listed phrase: the phrases it is in, and where."""
    index: dict[str, list[tuple[str, int]]] = {}
    for phrase in phrases:
        for match in _NAMEWORD.finditer(phrase):
            index.setdefault(match.group(), []).append((phrase, match.start()))
    return index


_LEXICON = _build_lexicon()
_ALLOW_INDEX = _build_allow_index(_read_words("allow_list.txt"))
_LOWER_FIRST_NAMES = frozenset(
    word.lower() for word, flags in _LEXICON.items() if flags & _FIRST and not flags & _AMBIGUOUS
)

# Words just before a name that mark it as a person's: a role ("our rep Sue") or an action
# ("speak to Mark"); compared with the last one to three words before the name.
_ROLE_WORDS = frozenset(
    {
        "rep", "reps", "representative", "chair", "chairperson", "chairman", "chairwoman",
        "vice-chair", "worker", "officer", "coordinator", "co-ordinator", "manager",
        "treasurer", "secretary", "trustee", "councillor", "clerk", "facilitator", "mentor",
        "adviser", "advisor", "consultant", "volunteer", "vicar", "caretaker", "organiser",
        "administrator", "colleague", "contact",
    }
)  # fmt: skip
_ROLE_LINKS = frozenset({"is", "was", "called", "named"})
_ACTION_PHRASES = frozenset(
    {
        "contact", "contacted", "contacting", "thank", "thanks", "thanked", "called", "named",
        "ask", "asked", "ring", "rang", "call", "phone", "phoned", "email", "emailed", "e-mail",
        "text", "texted", "cheers", "miss", "speak to", "speaking to", "spoke to", "talk to",
        "talked to", "talking to", "thanks to", "thank you", "thank you to", "ask for",
        "asked for", "met with", "helped by", "supported by", "led by", "run by", "help from",
        "support from", "shout out to", "shout-out to", "rely on",
    }
)  # fmt: skip
_ROLE = "role"
_ACTION = "action"
_ROLES_PATTERN = "|".join(sorted(map(re.escape, _ROLE_WORDS), key=len, reverse=True))
# Words just after a name that mark it as a person's.
_CUE_AFTER = re.compile(
    rf"(?i:\s*[,(]\s*(?:(?:our|the|my|their|a|your)\s+)?(?:[a-z]+\s+)?(?:{_ROLES_PATTERN})\b"
    r"|\s+(?:from|at)\s+(?:the\s+)?(?:council|LTO|Local\s+Trust|local\s+authority|Big\s+Local"
    r"|housing\s+association|surgery|school|hub|office|library|church|mosque|centre|CVS)\b"
    rf"|\s+(?:is|was)\s+(?:our|the|a)\s+(?:[a-z]+\s+)?(?:{_ROLES_PATTERN})\b"
    r"|\s+(?:said|says|told|asked|suggested|explained|agreed"
    r"|who\s+(?:is|was|runs|ran|works|worked))\b)"
)
_COORDINATION = re.compile(r"\s*(?:,\s*and|,|and|&|or)\s*")


# --- names -----------------------------------------------------------------------------------


class _Word(NamedTuple):
    start: int
    end: int
    flags: int


class _Candidate(NamedTuple):
    """A span that is a name only if a cue marks it: a role cue, or (if ``any_cue``) any cue."""

    start: int
    end: int
    any_cue: bool


def _token_key(token: str) -> tuple[str, bool]:
    """A capitalised token without its possessive or full stop, and whether a run of names
    may go on after it (not after "Sarah's" or "Smith.", but after "Mr." or "J.")."""
    if token.endswith(("'s", "’s")):
        return token[:-2], False
    if token.endswith(("'", "’")):
        return token[:-1], False
    if token.endswith("."):
        key = token[:-1]
        return key, len(key) == 1 or bool(_LEXICON.get(key, 0) & (_TITLE | _SAINT))
    return token, True


def _word_flags(key: str) -> int | None:
    """The flags of an unlisted capitalised word: a guess for Mc/O' and double-barrelled
    names, 0 for other name-shaped words, None for words that are not name-shaped."""
    key = key.replace("’", "'")
    flags = _LEXICON.get(key)
    if flags is not None:
        return flags
    if len(key) == 1:
        return _INITIAL
    if not _NAMEWORD.fullmatch(key):
        return None
    if key.startswith(("O'", "D'", "Mc")) or (key.startswith("Mac") and key[3:4].isupper()):
        return _SURNAME
    if "-" in key and all(_LEXICON.get(part, 0) & _NAME for part in key.split("-")):
        return _SURNAME
    return 0


def _runs(text: str) -> Iterator[list[_Word]]:
    """Runs of capitalised words separated by single spaces, each word with its flags.

    Everyday words ("We", "The") and words that are not name-shaped ("COVID") end a run.
    """
    run: list[_Word] = []
    next_start = -1  # where the next word must start to continue the run
    for match in _CAPWORD.finditer(text):
        start = match.start()
        token = match.group()
        flags = _LEXICON.get(token)
        if flags is None:
            key, may_continue = _token_key(token)
            flags = _word_flags(key)
        else:
            key, may_continue = token, True
        breaks = flags is None or flags == _COMMON
        if run and (breaks or start != next_start):
            yield run
            run = []
        if breaks:
            next_start = -1
            continue
        run.append(_Word(start, start + len(key), flags))
        end = match.end()
        next_start = end + 1 if may_continue and text[end : end + 1] in _RUN_GAPS else -1
    if run:
        yield run


def _is_allowed(text: str, word: _Word) -> bool:
    """Whether the word lies inside an allow-listed phrase in this text."""
    for phrase, offset in _ALLOW_INDEX.get(text[word.start : word.end], ()):
        start = word.start - offset
        end = start + len(phrase)
        if (
            start >= 0
            and text.startswith(phrase, start)
            and not (start and text[start - 1].isalnum())
            and not (end < len(text) and text[end].isalnum())
        ):
            return True
    return False


def _is_nameish(text: str, word: _Word) -> bool:
    """Whether the word could be part of a name: listed as one, or unknown, and not allowed."""
    if not word.flags & _NAME and word.flags & (_COMMON | _TITLE | _SAINT | _PLACE):
        return False
    return not _is_allowed(text, word)


def _is_clear_first(word: _Word) -> bool:
    """Whether the word is a first name that is not also an everyday word or a place."""
    return bool(word.flags & _FIRST) and not word.flags & _AMBIGUOUS


def _resolve_stretch(
    stretch: list[_Word], names: list[tuple[int, int]], candidates: list[_Candidate]
) -> None:
    """Sort a stretch of name-like words into names and candidates that need a cue."""
    place_at = next((k for k in range(1, len(stretch)) if stretch[k].flags & _PLACE), None)
    if place_at is not None:
        if len(stretch) == 2 and _is_clear_first(stretch[0]):
            names.append((stretch[0].start, stretch[1].end))  # Sarah Hill, Daniel Green
        elif len(stretch) == 2 and stretch[0].flags & _FIRST:
            # Rose Hill, Mark Lane: a place unless a cue marks a person
            candidates.append(_Candidate(stretch[0].start, stretch[1].end, any_cue=True))
        else:
            _resolve_stretch(stretch[place_at + 1 :], names, candidates)
        return
    for k, word in enumerate(stretch):
        rest = stretch[k + 1 :]
        span = word.start, stretch[-1].end
        if _is_clear_first(word) or (rest and word.flags & (_FIRST | _INITIAL)):
            names.append(span)  # Sarah, Sarah Jones, Will Patel, J. Smith
            return
        if rest and (
            (word.flags & _SURNAME and not word.flags & _AMBIGUOUS and rest[0].flags & _NAME)
            or (not word.flags and rest[0].flags & _SURNAME and not rest[0].flags & _AMBIGUOUS)
        ):
            names.append(span)  # Hughes Taylor; Kamala Smith
            return
        if not rest and word.flags & _NAME:
            candidates.append(_Candidate(*span, any_cue=True))  # Hope, Mark, Patel
        elif not rest and not word.flags:
            candidates.append(_Candidate(*span, any_cue=False))  # Bronwen, or Engaging


def _names_in_run(
    text: str, words: list[_Word], names: list[tuple[int, int]], candidates: list[_Candidate]
) -> None:
    """Find the names and the candidates that need a cue in one run of capitalised words."""
    i = 0
    while i < len(words):
        word = words[i]
        if word.flags & _TITLE and not word.flags & _NAME:
            j = i + 1
            while j < len(words) and _is_nameish(text, words[j]):
                j += 1
            if j > i + 1:
                names.append((words[i + 1].start, words[j - 1].end))  # the title stays
            i = j
            continue
        if word.flags & _SAINT:
            i += 2  # St Mary's, Saint Anne's
            continue
        if not _is_nameish(text, word):
            i += 1
            continue
        j = i
        while j < len(words) and _is_nameish(text, words[j]):
            j += 1
        if not (j < len(words) and words[j].flags & _PLACE):  # Victoria Road, Hope Centre
            _resolve_stretch(words[i:j], names, candidates)
        i = j


def _cue_before(text: str, start: int) -> str:
    """The kind of cue (role, action, or none) in the words just before ``start``."""
    window = text[max(0, start - 50) : start]
    if not window or window[-1] not in " ,:(\u00a0":
        return ""
    words = window.lower().replace(",", " ").replace(":", " ").replace("(", " ").split()
    if start > 50:
        words = words[1:]  # the window may begin inside a word
    if not words:
        return ""
    if words[-1] in _ROLE_WORDS or (
        words[-1] in _ROLE_LINKS and len(words) > 1 and words[-2] in _ROLE_WORDS
    ):
        return _ROLE
    if any(" ".join(words[-size:]) in _ACTION_PHRASES for size in (1, 2, 3)):
        return _ACTION
    return ""


def _is_cued(text: str, candidate: _Candidate) -> bool:
    """Whether the words around a candidate mark it as a person."""
    before = _cue_before(text, candidate.start)
    if before == _ROLE or (before and candidate.any_cue):
        return True
    return bool(_CUE_AFTER.match(text, candidate.end))


def _is_coordinated(text: str, candidate: _Candidate, names: list[tuple[int, int]]) -> bool:
    """Whether the candidate is joined by "and", "&", "or" or a comma to a name found."""
    return any(
        (end <= candidate.start and _COORDINATION.fullmatch(text, end, candidate.start))
        or (candidate.end <= start and _COORDINATION.fullmatch(text, candidate.end, start))
        for start, end in names
    )


def _lower_case_names(text: str) -> list[tuple[int, int]]:
    """Lower-case first names (and a surname after them) straight after a cue: "our rep sue"."""
    if _LOWER_FIRST_NAMES.isdisjoint(_LOWER_LETTERS.findall(text)):
        return []
    found = []
    for first in _LOWER_WORD.finditer(text):
        if first.group() not in _LOWER_FIRST_NAMES or not _cue_before(text, first.start()):
            continue
        end = first.end()
        last = _LOWER_WORD.match(text, end + 1) if text[end : end + 1] == " " else None
        if last:
            flags = _LEXICON.get(last.group().capitalize(), 0)
            if flags & _SURNAME and not flags & _AMBIGUOUS:
                end = last.end()
        found.append((first.start(), end))
    return found


def _name_spans(text: str) -> list[tuple[int, int]]:
    """Name spans in a text whose e-mails, URLs, phones and postcodes are masked out."""
    names: list[tuple[int, int]] = []
    candidates: list[_Candidate] = []
    for words in _runs(text):
        _names_in_run(text, words, names, candidates)
    pending = []
    for candidate in candidates:
        if _is_cued(text, candidate):
            names.append((candidate.start, candidate.end))
        else:
            pending.append(candidate)
    # "Lisa and Mark", "Eileen, Margaret and Pat": joined to a name, a candidate is one too.
    while joined := [c for c in pending if _is_coordinated(text, c, names)]:
        names.extend((c.start, c.end) for c in joined)
        pending = [c for c in pending if c not in joined]
    return names + _lower_case_names(text)


def _spans(text: str) -> list[tuple[int, int, str]]:
    """Every piece of personal data as (start, end, kind): sorted, never overlapping."""
    structured = _structured_spans(text)
    masked = text
    for start, end, _ in structured:
        masked = masked[:start] + "\x00" * (end - start) + masked[end:]
    spans = structured + [(start, end, "name") for start, end in _name_spans(masked)]
    spans.sort(key=lambda span: (span[0], -span[1]))
    kept: list[tuple[int, int, str]] = []
    for span in spans:
        if not kept or span[0] >= kept[-1][1]:
            kept.append(span)
    return kept


# --- public API --------------------------------------------------------------------------


def find_personal_data(text: str) -> list[Finding]:
    """List the e-mails, phones, postcodes, URLs and names found in a text, left to right."""
    return [Finding(kind, start, end, text[start:end]) for start, end, kind in _spans(text)]


def redact_text(text: str) -> str:
    """Replace each piece of personal data in a text by its placeholder, e.g. ``[email]``."""
    return _replace_spans(text, _spans(text))


def _replace_spans(text: str, spans: list[tuple[int, int, str]]) -> str:
    """The text with each span found in it replaced by its kind's placeholder."""
    pieces = []
    position = 0
    for start, end, kind in spans:
        pieces.append(text[position:start])
        pieces.append(PLACEHOLDERS[kind])
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def _require_columns(frame: pd.DataFrame, columns: Sequence[str], task: str) -> None:
    """Stop with a clear message when the frame lacks a column the caller named."""
    for column in columns:
        if column not in frame.columns:
            raise BuildError(
                f"cannot {task}: there is no column {column!r}",
                column=column,
                expected=f"columns {list(columns)}; the frame has {list(frame.columns)}",
                action="Check the column names passed in, or the header of the input file.",
            )


def _distinct_texts(series: pd.Series) -> tuple[np.ndarray, list[str]]:
    """The column's distinct texts, and each row's code into them (-1 for an empty cell)."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    texts = list(uniques)
    for code, value in enumerate(texts):
        if not isinstance(value, str):
            raise BuildError(
                f"free text holds a {type(value).__name__}, not text",
                row=series.index[int(np.flatnonzero(codes == code)[0])],
                column=str(series.name),
                expected="text or an empty cell",
                action="Check that the column holds the free-text answers as text.",
            )
    return codes, texts


def _with_texts(series: pd.Series, codes: np.ndarray, texts: list[str]) -> pd.Series:
    """The column with each cell's distinct text replaced by ``texts[code]``; empty cells kept."""
    replaced = np.empty(len(texts), dtype=object)
    replaced[:] = texts
    values = series.to_numpy(dtype=object, copy=True)
    present = codes >= 0
    values[present] = replaced[codes[present]]
    return pd.Series(values, index=series.index, name=series.name, dtype=series.dtype)


def _redact_series(series: pd.Series) -> pd.Series:
    """The column with each distinct text redacted once; empty cells stay as they were."""
    codes, texts = _distinct_texts(series)
    return _with_texts(series, codes, [redact_text(text) for text in texts])


def redact_free_text(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Return a copy of the frame with personal data in ``columns`` replaced by placeholders."""
    _require_columns(frame, columns, "redact free text")
    return frame.assign(**{column: _redact_series(frame[column]) for column in columns})


def _kind_counts(codes: np.ndarray, spans: list[list[tuple[int, int, str]]]) -> pd.DataFrame:
    """Per row position and kind, how many pieces of that kind the row's text holds.

    ``codes`` gives each row's distinct text (-1 for an empty cell), ``spans`` what
    was found in each distinct text.
    """
    per_text = pd.DataFrame(
        [
            (code, kind, count)
            for code, found in enumerate(spans)
            for kind, count in Counter(kind for _, _, kind in found).items()
        ],
        columns=["code", "kind", "count"],
    )
    rows = pd.DataFrame({"position": np.arange(len(codes)), "code": codes})
    return rows.merge(per_text, on="code")[["position", "kind", "count"]]


def _count_table(
    frame: pd.DataFrame, columns: Sequence[str], id_column: str, per_column: list[pd.DataFrame]
) -> pd.DataFrame:
    """Sum the per-row counts of each of ``columns`` (``_kind_counts``) per id, column and kind."""
    counts = pd.concat(
        [
            column_counts.assign(column=column)
            for column, column_counts in zip(columns, per_column, strict=True)
        ],
        ignore_index=True,
    )
    ids = frame[id_column].iloc[counts["position"].to_numpy()].reset_index(drop=True)
    counts = counts.assign(
        **{id_column: ids},
        column=pd.Categorical(counts["column"], categories=list(columns), ordered=True),
        kind=pd.Categorical(counts["kind"], categories=list(KINDS), ordered=True),
    )
    summed = counts.groupby([id_column, "column", "kind"], observed=True, dropna=False)
    return (
        summed["count"]
        .sum()
        .reset_index()
        .astype({"column": object, "kind": object, "count": "int64"})
    )


def redaction_counts(
    frame: pd.DataFrame, columns: Sequence[str], id_column: str = "response_id"
) -> pd.DataFrame:
    """Count the personal data per response, column and kind (never the data itself).

    One row per (id, column, kind) found at least once, ordered by id, then by the order of
    ``columns`` and of ``KINDS``; columns ``id_column``, ``column``, ``kind``, ``count``.
    """
    _require_columns(frame, [id_column, *columns], "count redactions")
    counts = []
    for column in columns:
        codes, texts = _distinct_texts(frame[column])
        counts.append(_kind_counts(codes, [_spans(text) for text in texts]))
    return _count_table(frame, columns, id_column, counts)


def redact_and_count(
    frame: pd.DataFrame, columns: Sequence[str], id_column: str = "response_id"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The frame as ``redact_free_text`` redacts it, and the counts of ``redaction_counts``.

    Finding the personal data is nearly all the work of either; here each distinct text is
    searched once for both.
    """
    _require_columns(frame, columns, "redact free text")
    searched = []
    for column in columns:
        codes, texts = _distinct_texts(frame[column])
        searched.append((codes, texts, [_spans(text) for text in texts]))
    _require_columns(frame, [id_column, *columns], "count redactions")
    redacted = frame.assign(
        **{
            column: _with_texts(
                frame[column],
                codes,
                [_replace_spans(text, spans) for text, spans in zip(texts, found, strict=True)],
            )
            for column, (codes, texts, found) in zip(columns, searched, strict=True)
        }
    )
    counts = [_kind_counts(codes, found) for codes, _, found in searched]
    return redacted, _count_table(frame, columns, id_column, counts)


# --- evaluation on a labelled corpus -------------------------------------------------------

EVALUATION_COLUMNS = ["kind", "expected", "found", "correct", "precision", "recall"]
_PLACEHOLDER_IN_EXPECTED = re.compile(rf"\[({'|'.join(KINDS)})\]")


def _expected_spans(text: str, expected: str) -> list[tuple[int, int, str]] | None:
    """Line the expected text up with the text: the span each placeholder stands for, or None."""
    pieces = _PLACEHOLDER_IN_EXPECTED.split(expected)
    literals, kinds = pieces[0::2], pieces[1::2]
    match = re.fullmatch("(.+?)".join(map(re.escape, literals)), text, flags=re.DOTALL)
    if match is None:
        return None
    return [(match.start(g), match.end(g), kind) for g, kind in enumerate(kinds, start=1)]


def _misaligned(
    file: Path | None = None, line: int | None = None, row: object = None
) -> BuildError:
    """The error for a corpus line whose expected text is not its text with placeholders."""
    return BuildError(
        "the expected text does not line up with the text",
        file=file,
        line=line,
        row=None if row is None else str(row),
        column="expected",
        expected="the text with each piece of personal data replaced by its placeholder",
        action="Correct the expected text so that only the placeholders differ from the text.",
    )


def evaluate(corpus: pd.DataFrame) -> pd.DataFrame:
    """Score the detector per kind on a corpus of ``text`` and its ``expected`` redaction.

    A found span is correct only when its kind, start and end all match a labelled one.
    Precision is correct / found and recall correct / expected; each is 1.0 when nothing
    was found or nothing was expected.
    """
    _require_columns(corpus, ["text", "expected"], "evaluate the redaction")
    expected: Counter[str] = Counter()
    found: Counter[str] = Counter()
    correct: Counter[str] = Counter()
    for label, text, expected_text in zip(
        corpus.index, corpus["text"], corpus["expected"], strict=True
    ):
        truth = _expected_spans(text, expected_text)
        if truth is None:
            raise _misaligned(row=label)
        detected = _spans(text)
        expected.update(kind for _, _, kind in truth)
        found.update(kind for _, _, kind in detected)
        correct.update(kind for _, _, kind in set(truth) & set(detected))
    return pd.DataFrame(
        [
            (
                kind,
                expected[kind],
                found[kind],
                correct[kind],
                correct[kind] / found[kind] if found[kind] else 1.0,
                correct[kind] / expected[kind] if expected[kind] else 1.0,
            )
            for kind in KINDS
        ],
        columns=EVALUATION_COLUMNS,
    )


def corpus_path(paths: ProjectPaths, split: str) -> Path:
    """The labelled redaction corpus of a split, ``dev`` or ``heldout``."""
    return paths.root / "tests" / "redaction_corpus" / f"{split}.tsv"


def load_corpus(path: Path) -> pd.DataFrame:
    """Read a labelled corpus (tab-separated ``id``, ``text``, ``expected``), indexed by id."""
    try:
        corpus = pd.read_csv(
            path, sep="\t", dtype=str, keep_default_na=False, quoting=csv.QUOTE_NONE
        )
    except pd.errors.ParserError as error:
        raise BuildError(
            f"cannot read the corpus: {error}",
            file=path,
            expected="three tab-separated fields on every line",
            action="Remove stray tabs from the text, or add the missing field.",
        ) from error
    if list(corpus.columns) != ["id", "text", "expected"]:
        raise BuildError(
            "unexpected header",
            file=path,
            line=1,
            expected="id<TAB>text<TAB>expected",
            action="Restore the header row of the corpus file.",
        )
    for line, (text, expected_text) in enumerate(
        zip(corpus["text"], corpus["expected"], strict=True), start=2
    ):
        if _expected_spans(text, expected_text) is None:
            raise _misaligned(file=path, line=line)
    duplicated = np.flatnonzero(corpus["id"].duplicated().to_numpy())
    if duplicated.size:
        raise BuildError(
            f"duplicate id {corpus['id'].iloc[duplicated[0]]!r}",
            file=path,
            line=int(duplicated[0]) + 2,
            column="id",
            expected="a unique id on every line",
            action="Give the sentence a new id.",
        )
    return corpus.set_index("id")


def evaluation_table(paths: ProjectPaths) -> pd.DataFrame:
    """Precision and recall per kind on the dev and held-out corpora."""
    tables = []
    for split, label in (("dev", "dev"), ("heldout", "held-out")):
        corpus = load_corpus(corpus_path(paths, split))
        tables.append(evaluate(corpus).assign(corpus=label, sentences=len(corpus)))
    return pd.concat(tables, ignore_index=True)[["corpus", "sentences", *EVALUATION_COLUMNS]]


# --- speed -------------------------------------------------------------------------------


def benchmark_texts(sentences: Sequence[str], count: int, seed: int = 2020) -> list[str]:
    """Make ``count`` distinct answers, each one to three sentences drawn from ``sentences``."""
    possible = sum(len(set(sentences)) ** size for size in (1, 2, 3))
    if count > possible:
        raise ValueError(f"{len(set(sentences))} sentences make at most {possible} answers")
    rng = random.Random(seed)
    answers: dict[str, None] = {}
    while len(answers) < count:
        answers[" ".join(rng.choices(sentences, k=rng.randint(1, 3)))] = None
    return list(answers)


def _texts_per_second(texts: list[str]) -> tuple[float, float]:
    """Seconds taken to redact the texts one by one, and texts per second."""
    started = time.perf_counter()
    for text in texts:
        redact_text(text)
    seconds = time.perf_counter() - started
    return seconds, len(texts) / seconds


def measure_speed(corpus: pd.DataFrame, count: int, rows: int = 1_000_000) -> pd.DataFrame:
    """Time redaction of distinct answers made from the corpus, and of a large frame."""
    everything = benchmark_texts(list(corpus["text"]), count)
    clean = benchmark_texts(list(corpus.loc[corpus["text"] == corpus["expected"], "text"]), count)
    pool = everything[: max(1, count // 10)]
    frame = pd.DataFrame(
        {
            "main_challenge": [pool[i % len(pool)] for i in range(rows)],
            "support_needed": [pool[(i * 7 + 3) % len(pool)] for i in range(rows)],
        }
    )
    started = time.perf_counter()
    redact_free_text(frame, ["main_challenge", "support_needed"])
    frame_seconds = time.perf_counter() - started
    measured = [
        (f"redact_text, {count:,} distinct answers", *_texts_per_second(everything)),
        (
            f"redact_text, {count:,} distinct answers without personal data",
            *_texts_per_second(clean),
        ),
        (
            f"redact_free_text, 2 columns x {rows:,} rows of {len(pool):,} distinct answers",
            frame_seconds,
            2 * rows / frame_seconds,
        ),
    ]
    return pd.DataFrame(
        [(what, f"{seconds:.1f}", f"{rate:,.0f}") for what, seconds, rate in measured],
        columns=["measurement", "seconds", "texts per second"],
    )


# --- generated sections of docs/redaction.md and the command line --------------------------

_DOC_SECTIONS = {"evaluation": "--evaluate", "speed": "--benchmark"}


def doc_path(paths: ProjectPaths) -> Path:
    """The redaction method note whose tables this module generates."""
    return paths.docs / "redaction.md"


def _markers(section: str) -> tuple[str, str]:
    """The lines that open and close a generated section of the doc."""
    command = f"python -m ltbrief.redact {_DOC_SECTIONS[section]}"
    return (
        f"<!-- {section}: generated by `{command}`; edits below are overwritten -->",
        f"<!-- end of generated {section} -->",
    )


def replace_section(document: str, section: str, content: str, path: Path) -> str:
    """Put ``content`` between the start and end markers of a generated section."""
    start_marker, end_marker = _markers(section)
    start = document.find(start_marker)
    end = document.find(end_marker, start + 1)
    if start < 0 or end < 0:
        raise BuildError(
            f"the generated {section} section is missing its markers",
            file=path,
            expected=f"a line {start_marker!r} and, after it, a line {end_marker!r}",
            action="Restore both marker lines; the text between them is regenerated.",
        )
    return f"{document[: start + len(start_marker)]}\n{content}{document[end:]}"


def markdown_table(table: pd.DataFrame) -> str:
    """A pipe table of the frame: numbers right-aligned, fractions to three decimals."""
    align = ["---:" if pd.api.types.is_numeric_dtype(table[c]) else "---" for c in table]
    lines = ["| " + " | ".join(table.columns) + " |", "|" + "|".join(align) + "|"]
    for row in table.itertuples(index=False):
        cells = [f"{value:.3f}" if isinstance(value, float) else str(value) for value in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _rewrite_doc(paths: ProjectPaths, section: str, content: str) -> None:
    """Regenerate one section of docs/redaction.md."""
    path = doc_path(paths)
    document = path.read_text(encoding="utf-8")
    write_text(path, replace_section(document, section, content, path))


def main(argv: Sequence[str] | None = None, paths: ProjectPaths = PATHS) -> int:
    """Score the corpora and/or measure speed, print the tables and regenerate the doc."""
    parser = argparse.ArgumentParser(
        prog="python -m ltbrief.redact",
        description="Evaluate and benchmark the offline redaction of personal data.",
    )
    parser.add_argument(
        "--evaluate",
        action="store_true",
        help="score the dev and held-out corpora and rewrite the table in docs/redaction.md",
    )
    parser.add_argument(
        "--benchmark",
        type=int,
        nargs="?",
        const=200_000,
        metavar="TEXTS",
        help="time redaction of TEXTS distinct answers (default 200,000) and record it",
    )
    args = parser.parse_args(argv)
    if not args.evaluate and args.benchmark is None:
        parser.error("choose --evaluate, --benchmark, or both")
    try:
        if args.evaluate:
            table = markdown_table(evaluation_table(paths))
            print(table)
            _rewrite_doc(paths, "evaluation", table)
        if args.benchmark is not None:
            speed = measure_speed(load_corpus(corpus_path(paths, "dev")), args.benchmark)
            note = (
                f"\nMeasured with Python {platform.python_version()} on a machine with "
                f"{os.cpu_count()} CPUs, one process.\n"
            )
            table = markdown_table(speed)
            print(table + note)
            _rewrite_doc(paths, "speed", table + note)
    except BuildError as error:
        print(error.message, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
