"""Stage 01: turn the raw survey export into one clean, redacted row per valid response.

Each rule is a function that takes a frame and returns a new one; ``clean_responses``
runs them in order and logs how many rows went in and out of each, and why.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from ltbrief.errors import BuildError
from ltbrief.redact import redact_and_count, redact_free_text

# The canonical frame ltbrief.sources reads any survey export into.
EXPORT_COLUMNS = (
    "response_id",
    "submitted_at",
    "status",
    "area",
    "main_challenge",
    "support_needed",
    "consent_to_quote",
)
AREA_COLUMNS = ("area_code", "area_name", "variants")
ANSWER_COLUMNS = ("main_challenge", "support_needed")
OUTPUT_COLUMNS = (
    "response_id",
    "submitted_at",
    "area_code",
    "area_name",
    "main_challenge",
    "support_needed",
    "consent_to_quote",
)
NON_ANSWERS = frozenset(
    {"", "n/a", "na", "n.a", "-", "--", ".", "none", "nil", "not applicable", "no comment"}
)
CONSENT_VALUES = {"yes": True, "no": False}
TYPOGRAPHIC_QUOTES = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
     "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"'}
)  # fmt: skip
_NOT_WORD = re.compile(r"[^\w\s]")
_APOSTROPHES = re.compile(r"['\u2019\u2018`]")
_NON_ANSWER_KEYS = frozenset(" ".join(_NOT_WORD.sub("", token).split()) for token in NON_ANSWERS)
# Years 1900-2099 are far from the limits of nanosecond timestamps, so no shift by an offset
# can overflow; re.ASCII as pandas reads no digits of other scripts, which \d would match.
_PLAIN_TIMESTAMP = re.compile(
    r"(?:19|20)\d\d-\d\d-\d\dT\d\d:\d\d:\d\d[+-](?:[01]\d|2[0-3]):[0-5]\d", re.ASCII
)


# The survey had about a thousand respondents (more with resubmissions and tests);
# the suites' row-count bounds scale with the synthetic generator's factor.
SUBMISSIONS_PER_SCALE = (1_000, 1_300)
RESPONSES_PER_SCALE = (900, 1_100)


@dataclass(frozen=True)
class StepLog:
    """What one cleaning rule did: rows in and out, values changed, and why."""

    step: str
    rows_in: int
    rows_out: int
    values_changed: int
    why: str


@dataclass(frozen=True)
class CleaningResult:
    """The clean responses and the log of every rule applied to reach them."""

    responses: pd.DataFrame
    log: pd.DataFrame
    redactions: pd.DataFrame


def keep_complete_submissions(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop preview (test) and partial submissions; keep rows whose status is Complete."""
    is_complete = frame["status"].str.strip().str.casefold() == "complete"
    return frame.loc[is_complete].reset_index(drop=True)


def keep_latest_submission(frame: pd.DataFrame, source: Path | None = None) -> pd.DataFrame:
    """Keep each respondent's latest submission; ``submitted_at`` becomes a UTC timestamp.

    Two submissions of one respondent at the same moment with different answers
    cannot be ordered, so they stop the build instead of being picked at random.
    """
    timed = frame.assign(submitted_at=_parse_timestamps(frame, source))
    ordered = timed.take(_stable_order(timed, ["response_id", "submitted_at", "row"]))
    latest = ordered.drop_duplicates("response_id", keep="last")
    _fail_on_simultaneous_conflicts(ordered, source)
    return latest.sort_values("row", kind="stable", ignore_index=True)


def normalise_answers(frame: pd.DataFrame) -> pd.DataFrame:
    """Trim answers, fold runs of whitespace and line breaks to one space, plain quotes."""
    return frame.assign(
        **{column: _per_distinct(frame[column], normalise_text) for column in ANSWER_COLUMNS}
    )


def mark_non_answers(frame: pd.DataFrame) -> pd.DataFrame:
    """Set blank answers and non-answers such as "n/a" or "none" to missing."""
    return frame.assign(
        **{
            column: frame[column].mask(_per_distinct(frame[column], _is_non_answer).astype(bool))
            for column in ANSWER_COLUMNS
        }
    )


def map_areas(frame: pd.DataFrame, areas: pd.DataFrame, source: Path | None = None) -> pd.DataFrame:
    """Replace the typed ``area`` with ``area_code`` and ``area_name`` from the area list.

    Spelling variants listed in the area list and differences of case, spacing,
    punctuation and "&"/"and" are matched; an area that still matches nothing
    stops the build with every row that used it.
    """
    lookup = area_lookup(areas)
    keys = _per_distinct(frame["area"], area_key)
    codes = keys.map(lookup)
    unmapped = frame.loc[codes.isna()]
    if not unmapped.empty:
        examples = ", ".join(
            f"row {row}: {area!r}" for row, area in unmapped[["row", "area"]].head(5).values
        )
        raise BuildError(
            f"{len(unmapped)} response(s) name an area that is not in the area list ({examples})",
            file=source,
            row=int(unmapped["row"].iloc[0]),
            column="area",
            expected="an area name from data/raw/areas.csv or one of its listed variants",
            action="add the spelling to that area's 'variants' in areas.csv, or correct the export",
        )
    names = areas.set_index("area_code")["area_name"]
    return frame.drop(columns="area").assign(area_code=codes, area_name=codes.map(names))


def parse_consent(frame: pd.DataFrame, source: Path | None = None) -> pd.DataFrame:
    """Turn ``consent_to_quote`` Yes/No into True/False, failing on any other value."""
    consent = frame["consent_to_quote"].str.strip().str.casefold().map(CONSENT_VALUES)
    bad = frame.loc[consent.isna()]
    if not bad.empty:
        raise BuildError(
            f"consent_to_quote is {bad['consent_to_quote'].iloc[0]!r}",
            file=source,
            row=int(bad["row"].iloc[0]),
            column="consent_to_quote",
            expected="Yes or No",
            action="correct the value in the export; never guess consent",
        )
    return frame.assign(consent_to_quote=consent.astype(bool))


def redact_answers(frame: pd.DataFrame) -> pd.DataFrame:
    """Replace personal data in the answers with visible placeholders such as [name]."""
    return redact_free_text(frame, list(ANSWER_COLUMNS))


RULES: tuple[tuple[str, Callable[..., pd.DataFrame], str], ...] = (
    ("keep complete submissions", keep_complete_submissions,
     "previews are staff tests; partial submissions were abandoned"),
    ("keep latest submission", keep_latest_submission,
     "a respondent who resubmitted counts once, with their final answers"),
    ("parse consent", parse_consent, "consent must be an explicit Yes or No"),
    ("map areas", map_areas, "areas are typed inconsistently; the area list is the reference"),
    ("normalise answers", normalise_answers,
     "stray spaces, line breaks and curly quotes are typing, not content"),
    ("mark non-answers", mark_non_answers, "blank and 'n/a'-style answers say nothing to code"),
    ("redact personal data", redact_answers,
     "names and contact details must never reach a published quote"),
)  # fmt: skip


def clean_responses(
    raw: pd.DataFrame, areas: pd.DataFrame, source: Path | None = None
) -> CleaningResult:
    """Apply every rule in ``RULES`` in order and log what each did to the rows and values."""
    counted: list[pd.DataFrame] = []

    def redact_and_keep_counts(frame: pd.DataFrame) -> pd.DataFrame:
        # The counts need the same search for personal data as the redaction: search once.
        redacted, counts = redact_and_count(frame, list(ANSWER_COLUMNS))
        counted.append(counts)
        return redacted

    with_context = {
        keep_latest_submission: partial(keep_latest_submission, source=source),
        parse_consent: partial(parse_consent, source=source),
        map_areas: partial(map_areas, areas=areas, source=source),
        redact_answers: redact_and_keep_counts,
    }
    logs = []
    frame = raw
    for step, rule, why in RULES:
        result = with_context.get(rule, rule)(frame)
        logs.append(StepLog(step, len(frame), len(result), _values_changed(frame, result), why))
        frame = result
    responses = frame.loc[:, list(OUTPUT_COLUMNS)].reset_index(drop=True)
    return CleaningResult(responses, pd.DataFrame(logs), counted[0])


def area_key(name: object) -> str:
    """The form two area spellings share when they name the same area."""
    text = unicodedata.normalize("NFKC", str(name)).casefold().replace("&", " and ")
    text = _APOSTROPHES.sub("", text)
    return " ".join(_NOT_WORD.sub(" ", text).split())


def area_lookup(areas: pd.DataFrame) -> dict[str, str]:
    """Map the key of every area name and listed variant to its area code.

    An area code listed twice, or a spelling listed for two areas, would send
    responses to the wrong area, so either stops the build at the row repeating it.
    """
    lookup: dict[str, str] = {}
    codes: set[str] = set()
    rows = areas["row"].tolist() if "row" in areas else [None] * len(areas)
    entries = areas.loc[:, list(AREA_COLUMNS)].itertuples(index=False)
    for row, (code, name, variants) in zip(rows, entries, strict=True):
        if code in codes:
            raise _area_list_error(f"area code {code} is listed twice", areas, row, "area_code")
        codes.add(code)
        spellings = [("area_name", name)] + [("variants", v) for v in str(variants).split("|")]
        for column, spelling in spellings:
            key = area_key(spelling)
            if spelling.strip() and lookup.setdefault(key, code) != code:
                raise _area_list_error(
                    f"{spelling.strip()!r} is listed for {code} but also names {lookup[key]}",
                    areas,
                    row,
                    column,
                )
    return lookup


def _area_list_error(problem: str, areas: pd.DataFrame, row: int | None, column: str) -> BuildError:
    """An error at one row of the area list, which names its file when read from one."""
    return BuildError(
        problem,
        file=areas.attrs.get("source"),
        row=row,
        column=column,
        expected="each area code once, and each name or variant for one area only",
        action="remove the repeat from the area list, so every spelling leads to one area",
    )


def normalise_text(text: str) -> str:
    """Text as answers are kept: NFC, plain quotes, single spaces, nothing around it."""
    plain = unicodedata.normalize("NFC", text)
    if not plain.isascii():  # the quotes to replace are not ASCII, and translate() is slow
        plain = plain.translate(TYPOGRAPHIC_QUOTES)
    return " ".join(plain.split())


def _is_non_answer(text: str) -> bool:
    return _answer_key(text) in _NON_ANSWER_KEYS


def _answer_key(text: str) -> str:
    """Letters, digits and single spaces only, case-folded: "N/A." and "n/a" look alike."""
    return " ".join(_NOT_WORD.sub("", text).split()).casefold()


def _values_changed(before: pd.DataFrame, after: pd.DataFrame) -> int:
    """Count cells of the rows and columns both frames share whose value a rule changed."""
    shared = [c for c in before.columns if c in after.columns and c != "row"]
    if np.array_equal(before["row"].to_numpy(), after["row"].to_numpy()):
        olds = [before[c] for c in shared]
    else:
        positions = pd.Series(np.arange(len(before)), index=before["row"]).loc[after["row"]]
        olds = [before[c].take(positions.to_numpy()) for c in shared]
    index = pd.RangeIndex(len(after))
    return sum(
        _cells_changed(old.set_axis(index, copy=False), after[c].set_axis(index, copy=False))
        for old, c in zip(olds, shared, strict=True)
    )


def _cells_changed(old: pd.Series, new: pd.Series) -> int:
    """Count positions where two columns differ; a missing value equals any missing value."""
    if old.dtype == object and new.dtype == object:
        # Cells numpy finds equal are equal for pandas too, and they are most cells; only the
        # others need pandas' slower comparison, which knows None, NaN and pd.NA are missing.
        try:
            differ = old.to_numpy() != new.to_numpy()
        except TypeError:  # pd.NA has no truth value; compare every cell below
            differ = np.ones(len(old), dtype=bool)
        old, new = old[differ], new[differ]
    elif old.dtype == object and new.dtype == "datetime64[ns, UTC]":
        # pandas compares text with timestamps by parsing each text, slowly; plain ISO 8601
        # text parses to the same timestamps faster.
        parsed = _plain_timestamps(old)
        old = old if parsed is None else parsed
    same = (old == new) | (old.isna() & new.isna())
    return int((~same).sum())


def _per_distinct(values: pd.Series, function: Callable[[str], object]) -> pd.Series:
    """Apply ``function`` once per distinct non-null value; answers and areas repeat a lot."""
    codes, distinct = pd.factorize(values)
    # Mapping codes rather than the texts saves hashing every text a second time.
    mapping = {code: function(value) for code, value in enumerate(distinct)}
    return pd.Series(codes, index=values.index, name=values.name).map(mapping)


def _stable_order(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """Positions that order the frame as ``frame.sort_values(columns, kind="stable")`` does.

    Stable sorts by the last column, then by each one before it, give that order; pandas'
    own sort on several columns first ranks each column's distinct values, which takes
    seconds for a million distinct response ids.
    """
    order = np.arange(len(frame))
    for column in reversed(columns):
        keys = frame[column].iloc[order].reset_index(drop=True)
        order = order[keys.sort_values(kind="stable").index.to_numpy()]
    return order


def _plain_timestamps(values: pd.Series) -> pd.Series | None:
    """Text such as ``2020-06-14T19:02:11+01:00`` as UTC timestamps; None for any other text.

    Equal to ``pd.to_datetime(values, utc=True, format="ISO8601")``, which takes several
    microseconds per value that carries a UTC offset: here the local times are parsed
    without their offsets, then shifted by them.
    """
    if pd.api.types.infer_dtype(values, skipna=False) != "string":
        return None
    if not values.str.fullmatch(_PLAIN_TIMESTAMP).all():
        return None
    local = pd.to_datetime(values.str.slice(0, 19), format="ISO8601", errors="coerce")
    if local.isna().any():
        return None
    offsets = values.str.slice(19)
    minutes = {
        offset: (-1 if offset[0] == "-" else 1) * (60 * int(offset[1:3]) + int(offset[4:6]))
        for offset in offsets.unique()
    }
    return (local - pd.to_timedelta(offsets.map(minutes), unit="min")).dt.tz_localize("UTC")


def _parse_timestamps(frame: pd.DataFrame, source: Path | None) -> pd.Series:
    parsed = _plain_timestamps(frame["submitted_at"])
    if parsed is None:
        parsed = pd.to_datetime(frame["submitted_at"], utc=True, format="ISO8601", errors="coerce")
    bad = frame.loc[parsed.isna()]
    if not bad.empty:
        raise BuildError(
            f"submitted_at {bad['submitted_at'].iloc[0]!r} is not a date and time",
            file=source,
            row=int(bad["row"].iloc[0]),
            column="submitted_at",
            expected="an ISO 8601 timestamp such as 2020-06-14T19:02:11+01:00",
            action="correct the value, or re-export with ISO 8601 dates",
        )
    return parsed


def _fail_on_simultaneous_conflicts(ordered: pd.DataFrame, source: Path | None) -> None:
    """Fail when a respondent's latest submission has a same-time twin with other answers."""
    moments = ["response_id", "submitted_at"]
    # Only a respondent who submitted more than once can have a twin.
    resubmitted = ordered.loc[ordered["response_id"].duplicated(keep=False)]
    latest = resubmitted.drop_duplicates("response_id", keep="last")
    tied = resubmitted.merge(latest[moments], on=moments)
    twins = tied.drop_duplicates(["response_id", *ANSWER_COLUMNS, "area", "consent_to_quote"])
    conflicting = twins.loc[twins.duplicated("response_id", keep=False)]
    if not conflicting.empty:
        first = conflicting.iloc[:2]
        raise BuildError(
            f"response_id {first['response_id'].iloc[0]!r} was submitted twice at the same time "
            f"with different answers (rows {', '.join(str(r) for r in first['row'])})",
            file=source,
            row=int(first["row"].iloc[0]),
            column="response_id",
            expected="one final submission per respondent",
            action="keep the right submission in the export, or give the other a new id",
        )


def raw_suite_parameters(scale: int, response_id_regex: str) -> dict[str, object]:
    """Parameters of the ``raw_export`` suite: row-count range at this scale, id pattern."""
    low, high = SUBMISSIONS_PER_SCALE
    return {
        "min_rows": low * scale,
        "max_rows": high * scale,
        "response_id_regex": response_id_regex,
    }


def clean_suite_parameters(
    scale: int, areas: pd.DataFrame, response_id_regex: str
) -> dict[str, object]:
    """Parameters of the ``clean_responses`` suite: row counts, area codes, id pattern."""
    low, high = RESPONSES_PER_SCALE
    return {
        "min_rows": low * scale,
        "max_rows": high * scale,
        "area_codes": sorted(areas["area_code"]),
        "response_id_regex": response_id_regex,
    }


def area_corrections(raw: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """List each typed area spelling that differs from its area's name, with how often."""
    lookup = area_lookup(areas)
    names = areas.set_index("area_code")["area_name"]
    typed = raw.groupby("area").size().rename("submissions").reset_index()
    typed = typed.assign(area_code=typed["area"].map(area_key).map(lookup))
    typed = typed.assign(area_name=typed["area_code"].map(names))
    corrected = typed.loc[typed["area_code"].notna() & (typed["area"] != typed["area_name"])]
    return corrected.sort_values(["area_code", "area"]).reset_index(drop=True)
