"""How far the coders agree, on the answers two or more of them coded.

A unit is one answer: a (response, question) pair coded by two or more coders. Each coder's
value for a unit is the set of sub-theme codes they gave it. Agreement is Krippendorff's
alpha with the MASI distance between sets (Passonneau 2006): 0 for the same set, growing
from a set and its subset to overlapping and disjoint sets, so that coders who agree on one
of two codes disagree less than coders who share nothing; a nominal distance would count
both as total disagreement. Per theme, a coder's value is the set of the theme's sub-themes
they gave the unit, the empty set where none. Cohen's kappa is given per code where exactly
two coders coded. Alpha and kappa are NLTK's (``nltk.metrics.agreement``, Apache-2.0).

Alpha is undefined where the units show one value only (no disagreement is possible, so
none is expected): such a figure is ``NaN``, never 1.
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import dataclass

import pandas as pd

from ltbrief.codebook import Codebook

AGREEMENT_COLUMNS = (
    "level",
    "question",
    "theme_code",
    "code",
    "label",
    "measure",
    "value",
    "units",
)
UNIT = ["response_id", "question"]
# The sub-theme code of a reference, as stage 02 writes it.
CODE = "subtheme_code"


@dataclass(frozen=True)
class Agreement:
    """The agreement figures, and how much was double-coded.

    ``figures`` has one row per question and theme (``alpha``) and per sub-theme code
    (``kappa``, two coders only); ``coders`` are the coders in the coding, ``units`` the
    number of answers coded by two or more, ``responses`` the responses they belong to,
    ``coded_responses`` the responses coded by anyone.
    """

    figures: pd.DataFrame
    coders: tuple[str, ...]
    units: int
    responses: int
    coded_responses: int

    @property
    def share(self) -> float:
        """The share of coded responses that two or more coders coded."""
        return self.responses / self.coded_responses if self.coded_responses else 0.0

    @property
    def double_coded(self) -> bool:
        return self.units > 0


def measure_agreement(references: pd.DataFrame, codebook: Codebook) -> Agreement:
    """Agreement of the coders of ``references`` (response_id, question, subtheme_code, coder)."""
    coders = tuple(sorted(references["coder"].unique()))
    per_unit = references.groupby(UNIT)["coder"].nunique()
    shared = per_unit.loc[per_unit >= 2].index
    double = references.set_index(UNIT).loc[lambda f: f.index.isin(shared)].reset_index()
    rows: list[dict[str, object]] = []
    if len(shared):
        for question in codebook.questions:
            units = double.loc[double["question"] == question.key]
            if units.empty:
                continue
            codes = codebook.subthemes.loc[codebook.subthemes["question"] == question.key]
            rows.append(_alpha_row("question", question.key, "", question.key, units, None))
            for theme in codes.drop_duplicates("theme_code").itertuples(index=False):
                members = set(codes.loc[codes["theme_code"] == theme.theme_code, "subtheme_code"])
                rows.append(
                    _alpha_row(
                        "theme", question.key, theme.theme_code, theme.theme_label, units, members
                    )
                )
            if len(coders) == 2:
                rows += [
                    _kappa_row(question.key, code, units, coders)
                    for code in codes.itertuples(index=False)
                ]
    figures = pd.DataFrame(rows, columns=list(AGREEMENT_COLUMNS))
    return Agreement(
        figures=figures.astype({"value": "float64", "units": "int64"}),
        coders=coders,
        units=len(shared),
        responses=len({response for response, _ in shared}),
        coded_responses=references["response_id"].nunique(),
    )


def _sets(
    units: pd.DataFrame, members: set[str] | None
) -> list[tuple[str, Hashable, frozenset[str]]]:
    """Each (coder, unit, set of codes), the codes kept to ``members`` where given."""
    triples = []
    for (coder, response, question), codes in units.groupby(["coder", *UNIT])[CODE]:
        chosen = frozenset(codes) if members is None else frozenset(codes) & members
        triples.append((str(coder), (response, question), chosen))
    # A coder who coded a unit of the question but gave it none of the theme's codes
    # gave the empty set: the groupby above already holds every (coder, unit) pair.
    return triples


def _alpha_row(
    level: str, question: str, theme: str, label: str, units: pd.DataFrame, members: set[str] | None
) -> dict[str, object]:
    triples = _sets(units, members)
    return {
        "level": level,
        "question": question,
        "theme_code": theme,
        "code": "",
        "label": label,
        "measure": "alpha",
        "value": _alpha(triples),
        "units": len({unit for _, unit, _ in triples}),
    }


def _alpha(triples: list[tuple[str, Hashable, frozenset[str]]]) -> float:
    """Krippendorff's alpha with MASI distance; NaN where the units show one value only."""
    if len({value for _, _, value in triples}) < 2:
        return math.nan
    from nltk.metrics.agreement import AnnotationTask

    return float(AnnotationTask(data=triples, distance=set_distance).alpha())


def set_distance(first: frozenset[str], second: frozenset[str]) -> float:
    """MASI distance between two sets of codes; two empty sets do not differ.

    NLTK's ``masi_distance`` divides by the size of the union, which two empty sets lack.
    """
    if first == second:
        return 0.0
    from nltk.metrics.distance import masi_distance

    return float(masi_distance(first, second))


def _kappa_row(
    question: str, code: object, units: pd.DataFrame, coders: tuple[str, ...]
) -> dict[str, object]:
    """Cohen's kappa of two coders on one code: given or not, over the question's units."""
    subtheme = code.subtheme_code  # type: ignore[attr-defined]
    given = set(
        zip(
            units.loc[units[CODE] == subtheme, "coder"],
            units.loc[units[CODE] == subtheme, "response_id"],
            strict=True,
        )
    )
    responses = sorted(units["response_id"].unique())
    triples = [
        (coder, response, int((coder, response) in given))
        for coder in coders
        for response in responses
    ]
    value = math.nan
    if len({flag for _, _, flag in triples}) > 1:
        from nltk.metrics.agreement import AnnotationTask

        value = float(AnnotationTask(data=triples).kappa())
    return {
        "level": "code",
        "question": question,
        "theme_code": code.theme_code,  # type: ignore[attr-defined]
        "code": subtheme,
        "label": code.subtheme_label,  # type: ignore[attr-defined]
        "measure": "kappa",
        "value": value,
        "units": len(responses),
    }


def agreement_record(agreement: Agreement, counted_coder: str | None) -> dict[str, object]:
    """The agreement as plain JSON: what notebook 02 writes and the appendix is made from."""
    figures = agreement.figures.astype(object).where(agreement.figures.notna(), None)
    return {
        "coders": list(agreement.coders),
        "counted_coder": counted_coder,
        "double_coded_answers": agreement.units,
        "double_coded_responses": agreement.responses,
        "coded_responses": agreement.coded_responses,
        "figures": figures.to_dict(orient="records"),
    }


def describe(record: dict[str, object]) -> str:
    """The agreement in a sentence or two, for the notebook and the brief's appendix."""
    coders = list(record["coders"])  # type: ignore[call-overload]
    if not record["double_coded_answers"]:
        named = f" ({coders[0]})" if coders and coders[0] else ""
        return (
            f"The answers were coded by one analyst{named}, so no agreement between coders "
            "can be measured."
        )
    responses, coded = record["double_coded_responses"], record["coded_responses"]
    share = responses / coded if coded else 0  # type: ignore[operator]
    alphas = [
        f"{row['label']} {show(row['value'])}"
        for row in record["figures"]  # type: ignore[attr-defined]
        if row["level"] == "question"
    ]
    return (
        f"The answers were coded by {len(coders)} analysts ({', '.join(coders)}); the brief "
        f"counts {record['counted_coder']}'s coding. {responses:,} of the {coded:,} coded "
        f"responses ({share:.0%}) were coded independently by "
        f"{'both' if len(coders) == 2 else 'two or more of them'}, "
        f"{record['double_coded_answers']:,} answers in all. Krippendorff's alpha over each "
        f"answer's set of codes (MASI distance), by question: {'; '.join(alphas)}."
    )


def show(value: object) -> str:
    """An agreement figure as printed: three decimals, or "not defined"."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "not defined"
    return f"{float(value):.3f}"  # type: ignore[arg-type]
