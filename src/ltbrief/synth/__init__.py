"""A deterministic synthetic stand-in for the confidential 2020 partnership members' survey.

``generate`` builds the three raw inputs as a survey tool and a coding tool would export them,
messy in the same ways (test, abandoned and repeated submissions, blank and "n/a" answers,
stray whitespace, area spellings, typographic quotes, personal data), with coded totals equal
to the published brief's times ``scale``. Every choice is drawn from one NumPy generator
seeded with ``seed``; the text, areas, quotes and targets are YAML files in
``resources/synth/``. A second analyst double-codes a 15 % sample of the coded respondents,
disagreeing now and then as coders do; that is drawn from a generator of its own, so the
survey and the first analyst's coding are what they were before it. ``write`` saves the
files, their checksums and the project's ``data/sources.yml``, with the survey in one of
the layouts of ``exports`` (this project's own CSV, or as Qualtrics, SurveyMonkey,
Microsoft Forms or an XLSX workbook export it) and the coding in one of the formats of
``coding`` (this project's own CSV, or as NVivo, QualCoder or Taguette export it).

    python -m ltbrief.synth --seed 2020 --scale 1 --layout csv --coding csv --project .
"""

from __future__ import annotations

import argparse
import itertools
import random
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from ltbrief.clean_responses import EXPORT_COLUMNS
from ltbrief.code_responses import CODING_COLUMNS
from ltbrief.codebook import load_codebook
from ltbrief.io import sha256_of, write_csv, write_text
from ltbrief.paths import PATHS, ProjectPaths, resource
from ltbrief.sources.mapping import Coding
from ltbrief.synth import coding as qda
from ltbrief.synth import exports

LEDGER_COLUMNS = ("response_id", "column", "kind", "value")
ID_PREFIX = "PMS20-"
ID_DIGITS = 4
SECONDS_PER_HOUR = 3_600
SECONDS_PER_DAY = 86_400
# Dealing settles its clashes in a few rounds; this many means the targets cannot be met.
MAX_DEAL_ROUNDS = 1_000
MAX_PERSONAL_DATA_TRIES = 50
MIN_RESUBMISSION_GAP = 60  # seconds: two submissions of one id never share a time stamp
PLACEHOLDER = re.compile(r"\{(\w+)\}")
DOUBLE_QUOTED = re.compile(r'"([^"]*)"')
PLACEHOLDER_KINDS = {
    "full": "name",
    "first": "name",
    "lower": "name",
    "wordname": "name",
    "surname": "name",
    "email": "email",
    "phone": "phone",
    "postcode": "postcode",
    "url": "url",
}
LEADING_SPACE = ("", " ", "  ", "\t", "\n")
TRAILING_SPACE = ("", " ", "  ", "\n", "\r\n", " \n")
LINE_BREAKS = ("\n", "\r\n", "\n\n")
# Earlier submissions of a respondent who came back: an earlier draft is often left partly blank.
REDRAFT_BLANK_SHARE = 0.25
ABANDONED_BLANK_AREA_SHARE = 0.12
ABANDONED_ANSWERED_SHARE = 0.5  # people who left after answering the first question
PREVIEW_REAL_AREA_SHARE = 0.5
PERSONAL_DATA_FIRST_SHARE = 0.3
# The coders: Analyst A coded every answer, Analyst B a sample to measure agreement.
CODERS = ("Analyst A", "Analyst B")
CODED_COLUMNS = (*CODING_COLUMNS, "coder")
# Analyst B's sample and disagreements come from a generator of their own, drawn from after
# everything else, so that adding them changed none of the survey or of Analyst A's coding.
SECOND_CODER_SEED = 7_919
DOUBLE_CODED_SHARE = 0.15  # of the valid respondents with at least one reference
# Per code of Analyst A's: the chance that B codes a sibling sub-theme (same theme) instead,
# or leaves it out; per answer, the chance that B adds one more code of the question.
SECOND_CODER_SWAP_SHARE = 0.07
SECOND_CODER_DROP_SHARE = 0.05
SECOND_CODER_ADD_SHARE = 0.08


@dataclass(frozen=True)
class SyntheticSurvey:
    """The raw inputs of one synthetic survey, and the ledger of personal data put into it."""

    survey_export: pd.DataFrame
    coded_references: pd.DataFrame
    areas: pd.DataFrame
    personal_data: pd.DataFrame


@dataclass(frozen=True)
class _Resources:
    """The generator's YAML resources: targets, sentence banks, personal data, areas, quotes."""

    targets: dict[str, Any]
    sentences: dict[str, Any]
    personal_data: dict[str, Any]
    areas: list[dict[str, Any]]
    quotes: list[dict[str, Any]]

    @classmethod
    def load(cls) -> _Resources:
        """Read every resource file of the generator."""
        return cls(
            targets=_read_resource("targets.yml"),
            sentences=_read_resource("sentences.yml"),
            personal_data=_read_resource("personal_data.yml"),
            areas=_read_resource("areas.yml")["areas"],
            quotes=_read_resource("quotes.yml")["quotes"],
        )


@dataclass(frozen=True)
class _Spellings:
    """Every way each area may be typed, grouped by area and by kind of spelling.

    Kinds: 0 the listed name, 1 a spelling the area-matching rule recognises by itself,
    2 a listed variant.
    """

    forms: np.ndarray
    start: np.ndarray
    size: np.ndarray

    @classmethod
    def of(cls, areas: pd.DataFrame) -> _Spellings:
        """Collect the spellings of every area in ``areas``."""
        forms: list[str] = []
        starts, sizes = [], []
        for name, variants in zip(areas["area_name"], areas["variants"], strict=True):
            kinds = ([name], _recognisable_spellings(name), [v for v in variants.split("|") if v])
            sizes.append([len(kind) for kind in kinds])
            starts.append([len(forms), len(forms) + sizes[-1][0], len(forms) + sum(sizes[-1][:2])])
            forms.extend(itertools.chain(*kinds))
        return cls(np.asarray(forms, dtype=object), np.asarray(starts), np.asarray(sizes))

    def typed(
        self, area: np.ndarray, shares: dict[str, float], rng: np.random.Generator
    ) -> np.ndarray:
        """Spell each area index in ``area`` as a respondent might type it."""
        draw = rng.random(area.size)
        kind = np.select(
            [draw < shares["canonical"], draw < shares["canonical"] + shares["normalisable"]],
            [0, 1],
            default=2,
        )
        kind = np.where(self.size[area, kind] == 0, 1, kind)
        size = self.size[area, kind]
        return self.forms[self.start[area, kind] + (rng.random(area.size) * size).astype(np.int64)]


def generate(seed: int = 2020, scale: int = 1) -> SyntheticSurvey:
    """Build a synthetic survey ``scale`` times the published one's size, the same for a seed."""
    if scale < 1:
        raise ValueError(f"scale must be a whole number of 1 or more, not {scale}")
    res = _Resources.load()
    rng = np.random.default_rng(seed)
    areas = _area_frame(res.areas)
    spellings = _Spellings.of(areas)
    per_area = _responses_per_area(res.targets, len(areas), rng) * scale
    numbers = _id_numbers(res.targets, res.quotes, scale, rng)
    arrivals = _arrival_seconds(sum(map(len, numbers.values())), res.targets["timing"], rng)
    people = _respondents(numbers["valid"], arrivals, per_area, res, rng)
    references = {
        key: _references(spec, scale, people, _quoted_references(res, spec["column"]), rng)
        for key, spec in res.targets["questions"].items()
    }
    answers, ledger = _kept_answers(people, references, res, rng)
    submissions = pd.concat(
        [
            _kept_submissions(people, answers, spellings, res, rng),
            _resubmissions(people, references, spellings, res, scale, rng),
            _quoted_resubmissions(people, areas, res),
            _abandoned_submissions(
                numbers["partial_only"], arrivals, per_area, spellings, res, rng
            ),
            _previews(numbers["preview"], arrivals, areas, res, rng),
        ],
        ignore_index=True,
    )
    first = _first_coding(references)
    second = _second_coding(
        first, res.targets["questions"], np.random.default_rng(seed + SECOND_CODER_SEED)
    )
    return SyntheticSurvey(
        survey_export=_survey_export(submissions, res.targets["timing"]),
        coded_references=_coded_references(first, second),
        areas=areas,
        personal_data=_ledger(ledger, people),
    )


def write(
    survey: SyntheticSurvey, paths: ProjectPaths, layout: str = "csv", coding: str = "csv"
) -> list[Path]:
    """Write the raw files into ``paths.raw``: the survey in ``layout``, the coding in ``coding``.

    Also writes their ``SHA256SUMS`` and the mapping that reads them, ``data/sources.yml``.
    Returns every path written: the raw files (survey, coding, areas), then the checksums,
    then the mapping. Every file is written atomically.
    """
    mapping = sources_text(layout, coding)
    sections = yaml.safe_load(mapping)
    documents = qda.CodedDocuments.of(
        survey.survey_export, survey.coded_references, load_codebook(PATHS.codebook)
    )
    written = [
        exports.EXPORTERS[layout](survey.survey_export, paths.raw_file(sections["survey"]["file"])),
        *qda.write_coding(documents, Coding.model_validate(sections["coding"]), paths.raw_file),
        write_csv(paths.raw_file(sections["areas"]["file"]), survey.areas),
    ]
    sums = "".join(f"{sha256_of(path)}  {path.name}\n" for path in sorted(written))
    return [*written, write_text(paths.raw_checksums, sums), write_text(paths.sources, mapping)]


def sources_text(layout: str = "csv", coding: str = "csv") -> str:
    """The ``data/sources.yml`` that reads the survey in ``layout`` and the coding in ``coding``.

    The file's opening comment, then the survey, coding and areas sections, each from its
    template in ``resources/synth/sources/``, a blank line between them.
    """
    parts = [("header.yml",), ("survey", f"{layout}.yml"), ("coding", f"{coding}.yml"),
             ("areas.yml",)]  # fmt: skip
    return "\n".join(
        resource("synth", "sources", *part).read_text(encoding="utf-8") for part in parts
    )


def main(argv: list[str] | None = None) -> int:
    """Generate the synthetic survey and write it: ``python -m ltbrief.synth --project DIR``."""
    parser = argparse.ArgumentParser(
        prog="python -m ltbrief.synth",
        description="Write the synthetic stand-in for the 2020 partnership members' survey.",
    )
    parser.add_argument("--seed", type=int, default=2020, help="random seed (default 2020)")
    parser.add_argument(
        "--scale", type=_positive_int, default=1, help="times the survey's size (default 1)"
    )
    parser.add_argument(
        "--layout",
        choices=sorted(exports.EXPORTERS),
        default="csv",
        help="the survey export's layout: the tool that wrote it (default csv, this project's)",
    )
    parser.add_argument(
        "--coding",
        choices=sorted(qda.WRITERS),
        default="csv",
        help="the coding export's format: the tool that wrote it (default csv, this project's)",
    )
    parser.add_argument(
        "--project",
        type=Path,
        default=PATHS.root,
        help="project folder: writes its data/raw/ and data/sources.yml (default this one)",
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    survey = generate(seed=args.seed, scale=args.scale)
    generated = time.perf_counter()
    paths = write(survey, ProjectPaths.at(args.project), args.layout, args.coding)
    finished = time.perf_counter()
    print(
        f"synthetic survey, seed {args.seed}, scale {args.scale}, layout {args.layout}, "
        f"coding {args.coding}: "
        f"{len(survey.survey_export):,} submissions, "
        f"{len(survey.coded_references):,} coded references (both coders), "
        f"{len(survey.areas)} areas "
        f"(generated in {generated - started:.1f} s, written in {finished - generated:.1f} s)"
    )
    for path in paths:
        print(f"  wrote {path}")
    return 0


def _read_resource(name: str) -> Any:
    return yaml.safe_load(resource("synth", name).read_text(encoding="utf-8"))


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def _id_number(response_id: str) -> int:
    return int(response_id.removeprefix(ID_PREFIX))


def _pick(options: Sequence[str] | np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    """Draw ``count`` options uniformly, as an object array of str."""
    return np.asarray(options, dtype=object)[rng.integers(0, len(options), count)]


def _area_frame(entries: list[dict[str, Any]]) -> pd.DataFrame:
    """List the areas with codes BL001, BL002, ... in resource order and their variants."""
    return pd.DataFrame(
        {
            "area_code": [f"BL{number:03d}" for number in range(1, len(entries) + 1)],
            "area_name": [entry["name"] for entry in entries],
            "variants": ["|".join(entry.get("variants", [])) for entry in entries],
        }
    )


def _recognisable_spellings(name: str) -> list[str]:
    """Spell ``name`` the ways the area-matching rule reads as the same name.

    Those are case, spacing, "&" for "and", dropped apostrophes and "St." for "St".
    """
    spellings = [name.lower(), name.upper(), f"{name} ", f" {name}", name.replace(" ", "  ", 1)]
    if " and " in name:
        spellings.append(name.replace(" and ", " & "))
    if " & " in name:
        spellings += [name.replace(" & ", " and "), name.replace(" & ", "&")]
    if "'" in name:
        spellings += [name.replace("'", ""), name.replace("'", "").lower()]
    if name.startswith("St "):
        spellings.append(f"St. {name[3:]}")
    return [spelling for spelling in dict.fromkeys(spellings) if spelling != name]


def _responses_per_area(
    targets: dict[str, Any], areas: int, rng: np.random.Generator
) -> np.ndarray:
    """Spread the respondents unevenly over the areas in use; unused areas get none."""
    used = np.sort(rng.choice(areas, size=targets["areas_used"], replace=False))
    bounds = targets["responses_per_area"]
    counts = np.zeros(areas, dtype=np.int64)
    counts[used] = _uneven_split(
        targets["respondents"], used.size, bounds["min"], bounds["max"], rng
    )
    return counts


def _uneven_split(
    total: int, groups: int, low: int, high: int, rng: np.random.Generator
) -> np.ndarray:
    """Split ``total`` into ``groups`` uneven whole parts, each from ``low`` to ``high``."""
    if not low * groups <= total <= high * groups:
        raise ValueError(f"{total} cannot be split into {groups} parts of {low} to {high}")
    weights = rng.gamma(1.5, size=groups)
    parts = np.full(groups, low, dtype=np.int64)
    while (spare := total - parts.sum()) > 0:
        room = np.where(parts < high, weights, 0.0)
        extra = np.minimum(np.floor(room / room.sum() * spare).astype(np.int64), high - parts)
        if extra.sum() == 0:
            extra[np.argmax(room)] = 1
        parts += extra
    return parts


def _id_numbers(
    targets: dict[str, Any], quotes: list[dict[str, Any]], scale: int, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Number the respondents: valid, partial-only and preview ids interleaved at random.

    Quoted respondents keep their published ids, valid at every scale.
    """
    extra = targets["submissions"]
    partial, preview = extra["partial_only"] * scale, extra["preview"] * scale
    total = targets["respondents"] * scale + partial + preview
    quoted = np.asarray(sorted({_id_number(quote["id"]) for quote in quotes}), dtype=np.int64)
    if quoted.max() > total:
        raise ValueError(f"quoted id {quoted.max()} is beyond the {total} respondents")
    free = np.ones(total + 1, dtype=bool)
    free[[0, *quoted]] = False
    others = rng.permutation(np.flatnonzero(free))
    return {
        "valid": np.sort(np.concatenate([quoted, others[partial + preview :]])),
        "partial_only": np.sort(others[:partial]),
        "preview": np.sort(others[partial : partial + preview]),
    }


def _arrival_seconds(count: int, timing: dict[str, Any], rng: np.random.Generator) -> np.ndarray:
    """Draw ``count`` submission times (seconds from the start), in order: id n gets the n-th."""
    days = np.arange(timing["days"])
    rate = np.full(days.size, float(timing["base_rate"]))
    for wave in timing["waves"]:
        since = days - wave["day"]
        rate += np.where(since >= 0, wave["height"] * np.exp(-since / wave["fade_days"]), 0.0)
    hours = np.asarray(timing["hour_weights"], dtype=float)
    day = rng.choice(days.size, size=count, p=rate / rate.sum())
    hour = rng.choice(hours.size, size=count, p=hours / hours.sum())
    within = rng.integers(0, SECONDS_PER_HOUR, size=count)
    return np.sort(day * SECONDS_PER_DAY + hour * SECONDS_PER_HOUR + within)


def _respondents(
    valid: np.ndarray,
    arrivals: np.ndarray,
    per_area: np.ndarray,
    res: _Resources,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """One row per valid respondent: id number, arrival, area index, consent, quoted or not."""
    quoted = pd.Series(valid).isin([_id_number(quote["id"]) for quote in res.quotes]).to_numpy()
    consents = rng.random(valid.size) < res.targets["consent_yes_share"]
    return pd.DataFrame(
        {
            "number": valid,
            "seconds": arrivals[valid - 1],
            "area": rng.permutation(np.repeat(np.arange(per_area.size), per_area)),
            "consent": np.where(consents | quoted, "Yes", "No").astype(object),
            "quoted": quoted,
        }
    )


def _quoted_references(res: _Resources, column: str) -> pd.DataFrame:
    """The references the brief's quotes carry in ``column``: one code per quoted answer."""
    quotes = [quote for quote in res.quotes if quote["column"] == column]
    return pd.DataFrame(
        {
            "number": np.asarray([_id_number(quote["id"]) for quote in quotes], dtype=np.int64),
            "code": np.asarray([quote["code"] for quote in quotes], dtype=object),
        }
    )


def _references(
    spec: dict[str, Any],
    scale: int,
    people: pd.DataFrame,
    fixed: pd.DataFrame,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Code one question's answers: exactly the target count per code, no code twice per answer.

    Answers in ``fixed`` keep their references; the rest are dealt to randomly chosen
    respondents, some with several codes.
    """
    codes = np.asarray(list(spec["references"]), dtype=object)
    counts = np.asarray(list(spec["references"].values()), dtype=np.int64) * scale
    counts -= fixed["code"].value_counts().reindex(codes, fill_value=0).to_numpy()
    sizes = _answer_sizes(int(counts.sum()), spec["answers_with_several_codes"], scale)
    eligible = people["number"].loc[~people["number"].isin(fixed["number"])].to_numpy()
    chosen = rng.choice(eligible, size=sizes.size, replace=False)
    answer, code = _deal_codes(counts, sizes, rng)
    dealt = pd.DataFrame({"number": chosen[answer], "code": codes[code]})
    return pd.concat([dealt, fixed], ignore_index=True)


def _answer_sizes(references: int, several: dict[int, int], scale: int) -> np.ndarray:
    """How many references each coded answer holds: the multi-coded ones, the rest one each."""
    multiple = {int(size): count * scale for size, count in several.items()}
    singles = references - sum(size * count for size, count in multiple.items())
    if singles < 0:
        raise ValueError(f"{references} references cannot fill the multi-coded answers")
    return np.repeat([1, *multiple], [singles, *multiple.values()])


def _deal_codes(
    counts: np.ndarray, sizes: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Deal ``counts[c]`` references of each code c into answers of ``sizes[a]`` references.

    Returns the answer and code index of every reference, grouped by answer. The codes are
    shuffled, then every reference that repeats a code within its answer swaps with a
    random other reference until none does; counts and sizes are kept exactly.
    """
    if counts.sum() != sizes.sum():
        raise ValueError(f"{counts.sum()} references do not fill {sizes.sum()} places")
    answer = np.repeat(np.arange(sizes.size), sizes)
    code = rng.permutation(np.repeat(np.arange(counts.size), counts))
    for _ in range(MAX_DEAL_ROUNDS):
        clash = np.flatnonzero(pd.Series(answer * counts.size + code).duplicated().to_numpy())
        if clash.size == 0:
            return answer, code
        if 2 * clash.size > code.size:
            break
        free = np.ones(code.size, dtype=bool)
        free[clash] = False
        others = rng.choice(np.flatnonzero(free), clash.size, replace=False)
        code[clash], code[others] = code[others], code[clash]
    raise RuntimeError("could not deal the codes without repeating one within an answer")


def _draft_answers(
    count: int,
    owner: np.ndarray,
    codes: np.ndarray,
    question: str,
    res: _Resources,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Write ``count`` answers to a question: reference ``i`` puts ``codes[i]`` in ``owner[i]``.

    Returns the answers and which of them say something (coded, or an uncodable remark);
    the others are blank or "n/a"-style.
    """
    bank, plan = res.sentences, res.targets["text"]
    pieces, ended = _sentences_for(codes, bank["codes"], plan["second_sentence_share"], rng)
    answers = _join_per_answer(owner, _end_sentences(pieces, ended, owner, count), count)
    coded = answers != ""
    opener = coded & (rng.random(count) < plan["opener_share"])
    answers[opener] = _pick(bank["openers"][question], opener.sum(), rng) + " " + answers[opener]
    closer = coded & (rng.random(count) < plan["closer_share"])
    answers[closer] = answers[closer] + " " + _pick(bank["closers"][question], closer.sum(), rng)
    missing = ~coded & (rng.random(count) < plan["missing_share_of_uncoded"])
    answers[missing] = _pick(bank["non_answers"], missing.sum(), rng)
    remark = ~coded & ~missing
    answers[remark] = _pick(bank["uncoded"][question], remark.sum(), rng)
    return answers, coded | remark


def _sentences_for(
    codes: np.ndarray, banks: dict[str, list[str]], two_share: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Draw a sentence from its code's bank for each reference, two different ones for some.

    Returns the text of each reference and whether it ends with a full stop, ! or ?.
    """
    sentences = np.asarray(list(itertools.chain(*banks.values())), dtype=object)
    ends = np.asarray([sentence.endswith((".", "!", "?")) for sentence in sentences])
    sizes = pd.Series({code: len(bank) for code, bank in banks.items()})
    starts = sizes.cumsum() - sizes
    start = pd.Series(codes, dtype=object).map(starts).to_numpy(dtype=np.int64)
    size = pd.Series(codes, dtype=object).map(sizes).to_numpy(dtype=np.int64)
    first = start + (rng.random(codes.size) * size).astype(np.int64)
    second = (
        start + (first - start + 1 + (rng.random(codes.size) * (size - 1)).astype(np.int64)) % size
    )
    two = (rng.random(codes.size) < two_share) & (size > 1)
    text, last = sentences[first], first.copy()
    text[two] = text[two] + " " + sentences[second[two]]
    last[two] = second[two]
    return text, ends[last]


def _end_sentences(
    pieces: np.ndarray, ended: np.ndarray, owner: np.ndarray, count: int
) -> np.ndarray:
    """End with a full stop each unended piece that shares its answer with others.

    A lone fragment ("getting volunteers") stays as typed.
    """
    bare = ~ended & (np.bincount(owner, minlength=count)[owner] > 1)
    result = pieces.copy()
    result[bare] = result[bare] + "."
    return result


def _join_per_answer(owner: np.ndarray, pieces: np.ndarray, count: int) -> np.ndarray:
    """Join each answer's pieces with spaces, in the order given; "" for answers with none."""
    order = np.argsort(owner, kind="stable")
    owner, pieces = owner[order], pieces[order]
    rank = np.arange(owner.size) - np.searchsorted(owner, owner)
    answers = np.full(count, "", dtype=object)
    for place in range(int(rank.max()) + 1 if rank.size else 0):
        at = rank == place
        separator = " " if place else ""
        answers[owner[at]] = answers[owner[at]] + separator + pieces[at]
    return answers


def _roughen(
    answers: np.ndarray, eligible: np.ndarray, plan: dict[str, float], rng: np.random.Generator
) -> np.ndarray:
    """Type some eligible answers as people do.

    Some get lower case, typographic quotes, a line break or a double space.
    """
    typed = answers.copy()

    def some(share: float) -> np.ndarray:
        return np.flatnonzero(eligible & (rng.random(typed.size) < share))

    lower = some(plan["lower_case_share"])
    typed[lower] = [text.lower() for text in typed[lower]]
    curly = some(plan["curly_quote_share"])
    typed[curly] = [_typographic(text) for text in typed[curly]]
    broken = some(plan["line_break_share"])
    breaks = _pick(LINE_BREAKS, broken.size, rng)
    typed[broken] = [
        text.replace(". ", f".{line_break}", 1)
        for text, line_break in zip(typed[broken], breaks, strict=True)
    ]
    doubled = some(plan["double_space_share"])
    typed[doubled] = [text.replace(", ", ",  ", 1) for text in typed[doubled]]
    return typed


def _typographic(text: str) -> str:
    """Type apostrophes and quotation marks as typographic ones, as word processors do."""
    text = text.replace("'", "\u2019")
    return DOUBLE_QUOTED.sub("\u201c\\1\u201d", text) if '"' in text else text


def _pad(
    answers: np.ndarray, eligible: np.ndarray, share: float, rng: np.random.Generator
) -> np.ndarray:
    """Put stray spaces, tabs or line breaks around a share of the eligible answers."""
    padded = answers.copy()
    chosen = eligible & (rng.random(answers.size) < share)
    count = int(chosen.sum())
    padded[chosen] = _pick(LEADING_SPACE, count, rng) + padded[chosen]
    padded[chosen] = padded[chosen] + _pick(TRAILING_SPACE, count, rng)
    return padded


def _add_personal_data(
    answers: np.ndarray,
    eligible: np.ndarray,
    spec: dict[str, Any],
    share: float,
    rng: np.random.Generator,
) -> tuple[np.ndarray, pd.DataFrame]:
    """Add a sentence of personal data to a share of the eligible answers.

    Returns the new answers and one row per value added: position, kind, value.
    """
    chosen = np.flatnonzero(eligible & (rng.random(answers.size) < share))
    kinds = list(spec["kind_weights"])
    weights = np.asarray(list(spec["kind_weights"].values()), dtype=float)
    kind = rng.choice(len(kinds), size=chosen.size, p=weights / weights.sum())
    first = rng.random(chosen.size) < PERSONAL_DATA_FIRST_SHARE
    # Values are drawn in a plain loop: a few per hundred answers, each checked against its answer.
    writer = random.Random(int(rng.integers(2**62)))
    result, rows = answers.copy(), []
    for position, kind_index, goes_first in zip(chosen, kind, first, strict=True):
        sentence, values = _personal_sentence(answers[position], kinds[kind_index], spec, writer)
        result[position] = (
            f"{sentence} {answers[position]}" if goes_first else f"{answers[position]} {sentence}"
        )
        rows += [(position, value_kind, value) for value_kind, value in values]
    return result, pd.DataFrame(rows, columns=["position", "kind", "value"])


def _personal_sentence(
    answer: str, kind: str, spec: dict[str, Any], writer: random.Random
) -> tuple[str, list[tuple[str, str]]]:
    """Fill a template of ``kind`` with values that occur nowhere else in the answer.

    A name that is also a word ("Hope", "will") must not appear elsewhere, or no test could
    tell whether redaction removed the name or the word.
    """
    for _ in range(MAX_PERSONAL_DATA_TRIES):
        sentence, values = _fill_template(writer.choice(spec["templates"][kind]), spec, writer)
        if all(_occurs_once(value, f"{answer} {sentence}") for _, value in values):
            return sentence, values
    raise RuntimeError(f"no {kind} could be added to an answer without ambiguity: {answer!r}")


def _fill_template(
    template: str, spec: dict[str, Any], writer: random.Random
) -> tuple[str, list[tuple[str, str]]]:
    """Replace each {placeholder} of ``template`` with a value; list each value with its kind."""
    parts = PLACEHOLDER.split(template)
    values = []
    for index in range(1, len(parts), 2):
        placeholder = parts[index]
        parts[index] = _personal_value(placeholder, spec, writer)
        values.append((PLACEHOLDER_KINDS[placeholder], parts[index]))
    return "".join(parts), values


def _personal_value(placeholder: str, spec: dict[str, Any], writer: random.Random) -> str:
    """Draw one value for a template placeholder."""
    first, surname = writer.choice(spec["first_names"]), writer.choice(spec["surnames"])
    values = {
        "full": lambda: f"{first} {surname}",
        "first": lambda: first,
        "lower": lambda: writer.choice(spec["lower_names"]),
        "wordname": lambda: writer.choice(spec["word_names"]),
        "surname": lambda: surname,
        "email": lambda: writer.choice(spec["email_patterns"]).format(
            first=first.lower(),
            last=surname.lower().replace("'", ""),
            initial=first[0].lower(),
            n=writer.choice(spec["email_numbers"]),
        ),
        "phone": lambda: writer.choice(spec["phone_patterns"]).format(
            n=f"{writer.randrange(1000):03d}"
        ),
        "postcode": lambda: writer.choice(spec["postcodes"]),
        "url": lambda: writer.choice(spec["urls"]),
    }
    return values[placeholder]()


def _occurs_once(value: str, text: str) -> bool:
    """Whether ``value`` occurs exactly once in ``text`` as a whole word, in any case."""
    value, text = value.casefold(), text.casefold()
    hits, start = 0, text.find(value)
    while start != -1:
        end = start + len(value)
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        hits += not (_is_word_character(before) or _is_word_character(after))
        start = text.find(value, start + 1)
    return hits == 1


def _is_word_character(character: str) -> bool:
    return character.isalnum() or character == "_"


def _kept_answers(
    people: pd.DataFrame,
    references: dict[str, pd.DataFrame],
    res: _Resources,
    rng: np.random.Generator,
) -> tuple[dict[str, np.ndarray], pd.DataFrame]:
    """Write every valid respondent's answers in their kept submission, one array per column.

    Also returns the ledger of personal data added: position, column, kind, value.
    """
    plan = res.targets["text"]
    quoted_person = people["quoted"].to_numpy()
    answers, ledgers = {}, []
    for question, spec in res.targets["questions"].items():
        column, refs = spec["column"], references[question]
        quotes = {_id_number(q["id"]): q["answer"] for q in res.quotes if q["column"] == column}
        dealt = refs.loc[~refs["number"].isin(list(quotes))]
        owner = np.searchsorted(people["number"].to_numpy(), dealt["number"].to_numpy())
        text, says = _draft_answers(
            len(people), owner, dealt["code"].to_numpy(dtype=object), question, res, rng
        )
        quoted_here = people["number"].isin(list(quotes)).to_numpy()
        text = _roughen(text, says & ~quoted_here, plan, rng)
        text, added = _add_personal_data(
            text, says & ~quoted_person, res.personal_data, plan["personal_data_share"], rng
        )
        text = _pad(text, ~quoted_here, plan["stray_whitespace_share"], rng)
        text[quoted_here] = people.loc[quoted_here, "number"].map(quotes).to_numpy(dtype=object)
        answers[column] = text
        ledgers.append(added.assign(column=column))
    return answers, pd.concat(ledgers, ignore_index=True)


def _submission_rows(
    number: np.ndarray,
    seconds: np.ndarray,
    status: str,
    area: np.ndarray,
    answers: dict[str, np.ndarray],
    consent: np.ndarray,
) -> pd.DataFrame:
    """Gather submissions in the generator's working form (id and time still numbers)."""
    return pd.DataFrame(
        {
            "number": number,
            "seconds": seconds,
            "status": status,
            "area": area,
            **answers,
            "consent_to_quote": consent,
        }
    )


def _random_consent(count: int, res: _Resources, rng: np.random.Generator) -> np.ndarray:
    consents = rng.random(count) < res.targets["consent_yes_share"]
    return np.where(consents, "Yes", "No").astype(object)


def _kept_submissions(
    people: pd.DataFrame,
    answers: dict[str, np.ndarray],
    spellings: _Spellings,
    res: _Resources,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Each valid respondent's kept submission: complete, with their area as they typed it."""
    area = spellings.typed(people["area"].to_numpy(), res.targets["area_spelling"], rng)
    return _submission_rows(
        people["number"].to_numpy(),
        people["seconds"].to_numpy(),
        "Complete",
        area,
        answers,
        people["consent"].to_numpy(),
    )


def _resubmissions(
    people: pd.DataFrame,
    references: dict[str, pd.DataFrame],
    spellings: _Spellings,
    res: _Resources,
    scale: int,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Other submissions by valid respondents, earlier or later than the kept one.

    Earlier complete ones carry redrafted answers; partial ones are mostly blank.
    """
    plan = res.targets["submissions"]
    gap = plan["resubmission_gap_hours"]
    margin = 2 * gap["max"] * SECONDS_PER_HOUR + SECONDS_PER_HOUR
    end = res.targets["timing"]["days"] * SECONDS_PER_DAY
    roomy = ~people["quoted"] & people["seconds"].between(margin, end - margin)
    pool = rng.permutation(np.flatnonzero(roomy.to_numpy()))
    groups = ["earlier_complete", "two_earlier_complete", "earlier_partial", "later_partial"]
    bounds = np.cumsum([0, *(plan[group] * scale for group in groups)])
    chosen = {group: pool[bounds[i] : bounds[i + 1]] for i, group in enumerate(groups)}

    def gaps(count: int) -> np.ndarray:
        hours = rng.uniform(gap["min"], gap["max"], count)
        return (hours * SECONDS_PER_HOUR).astype(np.int64)

    twice = chosen["two_earlier_complete"]
    nearer = gaps(twice.size)
    moves = [
        (chosen["earlier_complete"], -gaps(chosen["earlier_complete"].size), "Complete"),
        (twice, -nearer, "Complete"),
        (twice, -(nearer + gaps(twice.size)), "Complete"),
        (chosen["earlier_partial"], -gaps(chosen["earlier_partial"].size), "Partial"),
        (chosen["later_partial"], gaps(chosen["later_partial"].size), "Partial"),
    ]
    rows = [
        _redrafts(people, positions, shift, status, references, spellings, res, rng)
        for positions, shift, status in moves
    ]
    return pd.concat(rows, ignore_index=True)


def _redrafts(
    people: pd.DataFrame,
    positions: np.ndarray,
    shift: np.ndarray,
    status: str,
    references: dict[str, pd.DataFrame],
    spellings: _Spellings,
    res: _Resources,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Another submission by each respondent at ``positions``, ``shift`` seconds from the kept one.

    Complete ones redraft both answers from the same codes; partial ones keep a first
    answer at most.
    """
    chosen = people.iloc[positions]
    numbers = chosen["number"].to_numpy()
    plan = res.targets["text"]
    answers = {}
    for index, (question, spec) in enumerate(res.targets["questions"].items()):
        refs = references[question]
        refs = refs.loc[refs["number"].isin(numbers)]
        owner = pd.Series(np.arange(numbers.size), index=numbers).loc[refs["number"]].to_numpy()
        text, says = _draft_answers(
            numbers.size, owner, refs["code"].to_numpy(dtype=object), question, res, rng
        )
        blank_share = REDRAFT_BLANK_SHARE if status == "Complete" or index == 0 else 1.0
        text[rng.random(numbers.size) < blank_share] = ""
        text = _roughen(text, says, plan, rng)
        everyone = np.ones(numbers.size, dtype=bool)
        answers[spec["column"]] = _pad(text, everyone, plan["stray_whitespace_share"], rng)
    area = spellings.typed(chosen["area"].to_numpy(), res.targets["area_spelling"], rng)
    if status != "Complete":
        area[rng.random(numbers.size) < ABANDONED_BLANK_AREA_SHARE] = ""
    return _submission_rows(
        numbers,
        chosen["seconds"].to_numpy() + shift,
        status,
        area,
        answers,
        _random_consent(numbers.size, res, rng),
    )


def _quoted_resubmissions(
    people: pd.DataFrame, areas: pd.DataFrame, res: _Resources
) -> pd.DataFrame:
    """The earlier submissions of quoted respondents, as written in quotes.yml."""
    quotes = [quote for quote in res.quotes if "earlier" in quote]
    people = people.set_index("number")
    rows = []
    for quote in quotes:
        earlier, number = quote["earlier"], _id_number(quote["id"])
        kept = int(people.at[number, "seconds"])
        # At larger scales quoted ids come early in the survey: stay after its opening.
        gap = min(int(earlier["hours_before"] * SECONDS_PER_HOUR), kept // 2)
        if gap < MIN_RESUBMISSION_GAP:
            raise ValueError(f"{quote['id']} was kept too soon after opening to have resubmitted")
        rows.append(
            {
                "number": number,
                "seconds": kept - gap,
                "status": earlier["status"],
                "area": areas["area_name"].iloc[people.at[number, "area"]],
                **{
                    spec["column"]: earlier[spec["column"]]
                    for spec in res.targets["questions"].values()
                },
                "consent_to_quote": earlier["consent_to_quote"],
            }
        )
    return pd.DataFrame(rows)


def _abandoned_submissions(
    numbers: np.ndarray,
    arrivals: np.ndarray,
    per_area: np.ndarray,
    spellings: _Spellings,
    res: _Resources,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Partial submissions by people who never completed the survey.

    Some name an area no valid response comes from.
    """
    used, unused = np.flatnonzero(per_area), np.flatnonzero(per_area == 0)
    area_index = rng.choice(used, size=numbers.size)
    if numbers.size and unused.size:
        area_index[0] = unused[0]
    area = spellings.typed(area_index, res.targets["area_spelling"], rng)
    area[rng.random(numbers.size) < ABANDONED_BLANK_AREA_SHARE] = ""
    first_question, first_spec = next(iter(res.targets["questions"].items()))
    started = np.flatnonzero(rng.random(numbers.size) < ABANDONED_ANSWERED_SHARE)
    codes = np.asarray(list(first_spec["references"]), dtype=object)
    text, says = _draft_answers(
        numbers.size, started, _pick(codes, started.size, rng), first_question, res, rng
    )
    text = _roughen(text, says, res.targets["text"], rng)
    answers = {
        spec["column"]: np.full(numbers.size, "", dtype=object)
        for spec in res.targets["questions"].values()
    }
    answers[first_spec["column"]] = text
    return _submission_rows(
        numbers,
        arrivals[numbers - 1],
        "Partial",
        area,
        answers,
        _random_consent(numbers.size, res, rng),
    )


def _previews(
    numbers: np.ndarray,
    arrivals: np.ndarray,
    areas: pd.DataFrame,
    res: _Resources,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Test submissions by survey staff: junk or real area names, junk answers."""
    preview = res.sentences["preview"]
    area = _pick(preview["areas"], numbers.size, rng)
    real = rng.random(numbers.size) < PREVIEW_REAL_AREA_SHARE
    area[real] = _pick(list(areas["area_name"]), int(real.sum()), rng)
    answers = {
        spec["column"]: _pick(preview["answers"], numbers.size, rng)
        for spec in res.targets["questions"].values()
    }
    return _submission_rows(
        numbers,
        arrivals[numbers - 1],
        "Preview",
        area,
        answers,
        _random_consent(numbers.size, res, rng),
    )


def _format_ids(numbers: np.ndarray) -> np.ndarray:
    """Write id numbers as response ids: PMS20-0001 (wider past 9999)."""
    return np.asarray(
        [f"{ID_PREFIX}{number:0{ID_DIGITS}d}" for number in numbers.tolist()], dtype=object
    )


def _format_times(seconds: np.ndarray, timing: dict[str, Any]) -> np.ndarray:
    """Write seconds from the survey's start as ISO 8601 local times with their UTC offset."""
    moments = np.datetime64(timing["start"], "s") + seconds.astype("timedelta64[s]")
    days = moments.astype("datetime64[D]")
    first = days.min() if days.size else np.datetime64(timing["start"], "D")
    dates = np.datetime_as_string(first + np.arange(timing["days"] + 1), unit="D").astype(object)
    clock = _clock_times(timing["utc_offset"])
    return dates[(days - first).astype(np.int64)] + clock[(moments - days).astype(np.int64)]


def _clock_times(utc_offset: str) -> np.ndarray:
    """The time part of a timestamp for every second of a day: T00:00:00+01:00, ..."""
    clock = [
        f"T{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}{utc_offset}"
        for second in range(SECONDS_PER_DAY)
    ]
    return np.asarray(clock, dtype=object)


def _survey_export(submissions: pd.DataFrame, timing: dict[str, Any]) -> pd.DataFrame:
    """Order submissions by time, as the survey tool exports them, with ids and times as text."""
    order = np.lexsort((submissions["number"].to_numpy(), submissions["seconds"].to_numpy()))
    ordered = submissions.iloc[order].reset_index(drop=True)
    export = ordered.assign(
        response_id=_format_ids(ordered["number"].to_numpy()),
        submitted_at=_format_times(ordered["seconds"].to_numpy(), timing),
    )
    return export.loc[:, list(EXPORT_COLUMNS)]


def _first_coding(references: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Analyst A's references (number, question, code), ordered by number, question and code."""
    coded = pd.concat(
        [refs.assign(question=question) for question, refs in references.items()],
        ignore_index=True,
    )
    coded = coded.sort_values(["number", "question", "code"], kind="stable", ignore_index=True)
    return coded.loc[:, ["number", "question", "code"]]


def _second_coding(
    first: pd.DataFrame, questions: dict[str, Any], rng: np.random.Generator
) -> pd.DataFrame:
    """Analyst B's references for a sample of the respondents Analyst A coded.

    B codes every question A coded for each sampled respondent, starting from A's codes:
    see ``_recode``. Returns number, question, code like ``_first_coding``.
    """
    numbers = np.unique(first["number"].to_numpy())
    sample = np.sort(
        rng.choice(numbers, size=round(DOUBLE_CODED_SHARE * numbers.size), replace=False)
    )
    chosen = first.loc[first["number"].isin(sample)]
    rows = []
    for (number, question), codes in chosen.groupby(["number", "question"], sort=True)["code"]:
        weights = questions[question]["references"]
        rows += [(number, question, code) for code in _recode(list(codes), weights, rng)]
    return pd.DataFrame(rows, columns=["number", "question", "code"])


def _recode(codes: list[str], weights: dict[str, int], rng: np.random.Generator) -> list[str]:
    """A second coder's codes for an answer the first coded with ``codes``, sorted.

    Each code may become a sibling sub-theme of the same theme, or be left out; now and then
    one more of the question's codes is added, the common ones more often (``weights``, the
    question's reference targets). The result is never empty.
    """
    recoded: list[str] = []
    for code in codes:
        draw = rng.random()
        siblings = [
            other
            for other in weights
            if _theme_of(other) == _theme_of(code) and other not in codes + recoded
        ]
        swapped = draw < SECOND_CODER_SWAP_SHARE
        dropped = (
            SECOND_CODER_SWAP_SHARE <= draw < SECOND_CODER_SWAP_SHARE + SECOND_CODER_DROP_SHARE
        )
        if swapped and siblings:
            recoded.append(siblings[rng.integers(len(siblings))])
        elif not dropped:
            recoded.append(code)
    if rng.random() < SECOND_CODER_ADD_SHARE:
        others = [code for code in weights if code not in codes + recoded]
        share = np.asarray([weights[code] for code in others], dtype=float)
        recoded.append(others[rng.choice(len(others), p=share / share.sum())])
    if not recoded:
        recoded.append(codes[rng.integers(len(codes))])
    return sorted(recoded)


def _theme_of(code: str) -> str:
    """A sub-theme's theme: the codebook names sub-themes after theme codes (CH-ENG-INV)."""
    return code.rsplit("-", 1)[0]


def _coded_references(first: pd.DataFrame, second: pd.DataFrame) -> pd.DataFrame:
    """One row per coded reference and coder, by response id number, question, coder, code."""
    coded = pd.concat(
        [first.assign(coder=CODERS[0]), second.assign(coder=CODERS[1])], ignore_index=True
    )
    coded = coded.sort_values(
        ["number", "question", "coder", "code"], kind="stable", ignore_index=True
    )
    return coded.assign(response_id=_format_ids(coded["number"].to_numpy())).loc[
        :, list(CODED_COLUMNS)
    ]


def _ledger(added: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    """Name the respondent of each personal-data value added, ordered by response id number."""
    numbers = people["number"].to_numpy()[added["position"].to_numpy(dtype=np.int64)]
    ledger = added.assign(number=numbers).sort_values(["number", "column"], kind="stable")
    ledger = ledger.assign(response_id=_format_ids(ledger["number"].to_numpy()))
    return ledger.loc[:, list(LEDGER_COLUMNS)].reset_index(drop=True)
