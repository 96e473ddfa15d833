"""Stage 03: count references by theme and lay out the numbers, tables and figure of the brief."""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ltbrief.codebook import Codebook, TableSpec
from ltbrief.io import write_checksums, write_csv, write_text, write_yaml
from ltbrief.paths import ProjectPaths

SURVEY_TIMEZONE = "Europe/London"
# Counts of responses and references grow with the generator's scale factor; the
# number of areas and of partnerships that answered do not.
UNSCALED_FIGURES = frozenset({"partnerships", "areas"})
# A number and full stop opening a cell, which Typst would read as a numbered list.
_LIST_NUMBER = re.compile(r"\A([0-9]+\.) (?=\S)")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|$@~^&])")
# Characters with no glyph that could still act: line and paragraph breaks (a carriage return
# ends a table row), other control characters, the bidirectional embeddings, overrides and
# isolates that reorder the text after them, and the byte-order mark PDF/UA-1 forbids.
_INVISIBLE_CONTROLS = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]"
)
# Noncharacters, lone surrogates and unassigned code points have no glyph in any font.
_NOT_TEXT = frozenset({"Cs", "Cn"})
FIGURE_STEM = "references-by-theme"
FIGURE_ID = f"fig-{FIGURE_STEM}"
FIGURE_COLOURS = {"challenge": "#0072B2", "support": "#D55E00"}  # Okabe-Ito blue, vermilion


@dataclass(frozen=True)
class Discrepancy:
    """A place where the published brief and its own data or method disagree."""

    table: str
    check: str
    published: str
    computed: str
    note: str


def count_themes(references: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Count references per theme, including themes with none, in codebook order."""
    themes = codebook.subthemes.drop_duplicates("theme_code")[
        ["question", "theme_code", "theme_key", "theme_label", "theme_order", "theme_reported"]
    ]
    counts = references.groupby("theme_code").size().rename("references")
    return (
        themes.merge(counts, left_on="theme_code", right_index=True, how="left")
        .fillna({"references": 0})
        .astype({"references": "int64"})
        .sort_values(["question", "theme_order"], kind="stable")
        .reset_index(drop=True)
    )


def count_subthemes(references: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Count references per sub-theme, including sub-themes with none, in codebook order."""
    subthemes = codebook.subthemes[
        [
            "question", "theme_code", "theme_key", "theme_order", "subtheme_code",
            "subtheme_key", "subtheme_label", "subtheme_order", "subtheme_reported",
        ]
    ]  # fmt: skip
    counts = references.groupby("subtheme_code").size().rename("references")
    return (
        subthemes.merge(counts, left_on="subtheme_code", right_index=True, how="left")
        .fillna({"references": 0})
        .astype({"references": "int64"})
        .sort_values(["question", "theme_order", "subtheme_order"], kind="stable")
        .reset_index(drop=True)
    )


def compute_figures(
    responses: pd.DataFrame,
    references: pd.DataFrame,
    areas: pd.DataFrame,
    codebook: Codebook,
    scale: int = 1,
) -> pd.DataFrame:
    """List every number the brief can print as ``key, value, value_at_1x``.

    ``value_at_1x`` divides counts by the synthetic generator's scale factor so the
    published totals can be checked at any scale; for a real export ``scale`` is 1.
    """
    themes = count_themes(references, codebook)
    subthemes = count_subthemes(references, codebook)
    rows: list[tuple[str, int]] = [
        ("responses", len(responses)),
        ("partnerships", int(responses["area_code"].nunique())),
        ("areas", len(areas)),
    ]
    for question in codebook.questions:
        coded = int((references["question"] == question.key).sum())
        answered = int(responses[question.column].notna().sum())
        rows += [(f"{question.key}.references", coded), (f"{question.key}.responses", answered)]
    rows += [(f"{t.question}.{t.theme_key}.total", int(t.references)) for t in themes.itertuples()]
    rows += [
        (f"{s.question}.{s.theme_key}.{s.subtheme_key}", int(s.references))
        for s in subthemes.itertuples()
    ]
    figures = pd.DataFrame(rows, columns=["key", "value"])
    divisor = figures["key"].map(lambda key: 1 if key in UNSCALED_FIGURES else scale)
    return figures.assign(value_at_1x=figures["value"] // divisor)


def survey_period(responses: pd.DataFrame) -> dict[str, str]:
    """Name the months and year the kept submissions span, in UK time."""
    local = responses["submitted_at"].dt.tz_convert(SURVEY_TIMEZONE)
    first, last = local.min(), local.max()
    return {
        "start_month": first.strftime("%B"),
        "end_month": last.strftime("%B"),
        "year": str(last.year) if first.year == last.year else f"{first.year}-{last.year}",
    }


def build_variables(figures: pd.DataFrame, period: Mapping[str, str]) -> dict[str, Any]:
    """Nest the figures by their dotted keys as display strings, for ``{{< var >}}``."""
    variables: dict[str, Any] = {}
    for key, value in zip(figures["key"], figures["value"], strict=True):
        *parents, leaf = key.split(".")
        branch = variables
        for parent in parents:
            branch = branch.setdefault(parent, {})
        branch[leaf] = f"{int(value):,}"
    variables["survey"] = dict(period)
    return variables


def escape_markdown(text: str) -> str:
    """Backslash-escape every character Markdown, Pandoc or Quarto could read as markup.

    Control characters become spaces and characters that are not text become U+FFFD, so the
    value stays on one line and prints as what it says in every format.
    """
    visible = "".join(
        "\ufffd" if unicodedata.category(char) in _NOT_TEXT else char for char in str(text)
    )
    return _MARKDOWN_SPECIAL.sub(r"\\\1", _INVISIBLE_CONTROLS.sub(" ", visible))


def table_rows(
    spec: TableSpec, themes: pd.DataFrame, subthemes: pd.DataFrame, codebook: Codebook
) -> pd.DataFrame:
    """Lay out one of the brief's tables as three text columns, reported rows only."""
    needs = codebook.subthemes.set_index("subtheme_code")["specific_needs"]
    shown = subthemes.loc[
        (subthemes["question"] == spec.question) & subthemes["subtheme_reported"]
    ].assign(specific_needs=lambda frame: frame["subtheme_code"].map(needs))
    if spec.rows == "subthemes-by-theme":
        reported = themes.loc[(themes["question"] == spec.question) & themes["theme_reported"]]
        rows = []
        for number, theme in enumerate(reported.itertuples(), start=1):
            members = shown.loc[shown["theme_code"] == theme.theme_code]
            for position, sub in enumerate(members.itertuples()):
                label = f"{number}. {theme.theme_label} ({theme.references:,})"
                rows.append((label if position == 0 else "", sub.subtheme_label, sub.references))
    else:
        members = shown.loc[shown["theme_code"] == spec.theme]
        rows = [
            (f"{number}. {sub.subtheme_label}", "; ".join(sub.specific_needs), sub.references)
            for number, sub in enumerate(members.itertuples(), start=1)
        ]
    return pd.DataFrame(rows, columns=list(spec.headers)).astype({spec.headers[2]: "int64"})


def table_markdown(spec: TableSpec, rows: pd.DataFrame) -> str:
    """Write a table as a Pandoc/Quarto pipe table with its caption and ``#tbl-`` id."""
    header = "| " + " | ".join(escape_markdown(h) for h in spec.headers) + " |"
    lines = [header, "|:---|:---|---:|"]
    for first, second, count in rows.itertuples(index=False):
        lines.append(f"| {table_cell(first)} | {table_cell(second)} | {count:,} |")
    return "\n".join(lines) + f"\n\n: {escape_markdown(spec.caption)} {{#{spec.id}}}\n"


def table_cell(text: str) -> str:
    """A cell's text, escaped; a leading "1. " keeps its number from starting a list.

    Pandoc's Typst writer leaves "1. Engagement" unescaped at the start of a cell, where
    Typst reads it as a numbered list; Quarto runs no filter of ours to escape it. Written
    "1.\\ Engagement", a no-break space, it is text in every engine and format.
    """
    return _LIST_NUMBER.sub(r"\1\\ ", escape_markdown(text), count=1)


def find_discrepancies(
    themes: pd.DataFrame, subthemes: pd.DataFrame, codebook: Codebook
) -> pd.DataFrame:
    """Compare each table's published layout with the brief's method and its own counts.

    The method says themes are presented from most to least referenced; the
    tables also show theme totals above the sum of the sub-themes listed.
    """
    found: list[Discrepancy] = []
    for spec in codebook.tables:
        if spec.rows != "subthemes-by-theme":
            continue
        reported = themes.loc[(themes["question"] == spec.question) & themes["theme_reported"]]
        published = list(reported["theme_label"])
        descending = list(
            reported.sort_values("references", ascending=False, kind="stable")["theme_label"]
        )
        if published != descending:
            found.append(
                Discrepancy(
                    spec.id,
                    "themes in descending order of references",
                    _listing(reported, " > "),
                    " > ".join(descending),
                    "reproduced as published; the method's stated order would differ",
                )
            )
        for theme in reported.itertuples():
            members = subthemes.loc[subthemes["theme_code"] == theme.theme_code]
            shown = int(members.loc[members["subtheme_reported"], "references"].sum())
            if shown != theme.references:
                found.append(
                    Discrepancy(
                        spec.id,
                        f"{theme.theme_label}: theme total equals sum of sub-themes shown",
                        f"{theme.references:,}",
                        f"{shown:,} shown + {theme.references - shown:,} not reported separately",
                        "the brief's own caveat: overlapping or rare sub-themes are not listed",
                    )
                )
    return pd.DataFrame(found, columns=list(Discrepancy.__dataclass_fields__))


def figure_alt_text(themes: pd.DataFrame, codebook: Codebook) -> str:
    """Describe the figure in words, from the same counts it draws."""
    parts = []
    for question in codebook.questions:
        shown = themes.loc[(themes["question"] == question.key) & themes["theme_reported"]]
        ranked = shown.sort_values("references", ascending=False, kind="stable")
        parts.append(f"{_question_name(question.key)}: {_listing(ranked, ', ')}.")
    return "Bar chart of the number of coded references to each theme. " + " ".join(parts)


def figure_svg(themes: pd.DataFrame, codebook: Codebook, alt: str) -> str:
    """Draw references per theme, one panel per question, as a deterministic SVG."""
    import matplotlib

    matplotlib.use("svg")
    from matplotlib import pyplot as plt

    panels = [
        themes.loc[(themes["question"] == q.key) & themes["theme_reported"]].sort_values(
            "references", kind="stable"
        )
        for q in codebook.questions
    ]
    with plt.rc_context(
        {"svg.hashsalt": "ltbrief", "svg.fonttype": "none", "font.family": "sans-serif",
         "font.size": 11, "axes.spines.top": False, "axes.spines.right": False}
    ):  # fmt: skip
        fig, axes = plt.subplots(len(panels), 1, figsize=(7.5, 2.2 * len(panels)), sharex=True)
        for axis, question, panel in zip(axes, codebook.questions, panels, strict=True):
            bars = axis.barh(panel["theme_label"], panel["references"],
                             color=FIGURE_COLOURS.get(question.key, "#333333"))  # fmt: skip
            axis.bar_label(bars, labels=[f"{n:,}" for n in panel["references"]], padding=3)
            axis.set_title(_question_name(question.key), loc="left", fontweight="bold")
        axes[-1].set_xlabel("Number of references")
        fig.tight_layout()
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
        plt.close(fig)
    return _label_svg(buffer.getvalue(), "References to each theme, by question", alt)


def figure_markdown(alt: str, svg_path: str) -> str:
    """The Markdown image that includes the figure, with its caption, id and alt text."""
    quoted = alt.replace('"', "'")
    return (
        f"![References to each theme, by question]({svg_path})"
        f'{{#{FIGURE_ID} fig-alt="{quoted}" alt="{quoted}"}}\n'
    )


def _listing(themes: pd.DataFrame, separator: str) -> str:
    """ "Engagement (273), Delivering ... (186)" for the themes given, in their order."""
    pairs = themes[["theme_label", "references"]].itertuples(index=False)
    return separator.join(f"{label} ({count:,})" for label, count in pairs)


def _question_name(key: str) -> str:
    return {"challenge": "Main challenges", "support": "Support needs"}.get(key, key.title())


def _label_svg(svg: str, title: str, description: str) -> str:
    """Give the SVG an accessible name and description (matplotlib writes neither)."""
    opening = re.search(r"<svg\b[^>]*>", svg)
    assert opening, "matplotlib always writes an <svg> element"
    escaped = [
        value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        for value in (title, description)
    ]
    labelled = opening.group(0)[:-1] + ' role="img" aria-labelledby="fig-title fig-desc">'
    return (
        svg[: opening.start()]
        + labelled
        + f'<title id="fig-title">{escaped[0]}</title><desc id="fig-desc">{escaped[1]}</desc>'
        + svg[opening.end() :]
    )


def write_outputs(
    paths: ProjectPaths,
    variables_file: Path,
    *,
    themes: pd.DataFrame,
    subthemes: pd.DataFrame,
    figures: pd.DataFrame,
    discrepancies: pd.DataFrame,
    tables: Mapping[str, pd.DataFrame],
    codebook: Codebook,
    svg: str,
    alt: str,
    period: Mapping[str, str],
) -> list[Path]:
    """Write the count tables, table fragments, figure and ``_variables.yml``, atomically."""
    svg_file = paths.figures / f"{FIGURE_STEM}.svg"
    written = [
        write_csv(paths.tables / "theme_counts.csv", themes),
        write_csv(paths.tables / "subtheme_counts.csv", subthemes),
        write_csv(paths.tables / "figures.csv", figures),
        write_csv(paths.tables / "discrepancies.csv", discrepancies),
    ]
    written += [
        write_text(paths.tables / f"{spec.id}.md", table_markdown(spec, tables[spec.id]))
        for spec in codebook.tables
    ]
    written.append(write_text(svg_file, svg))
    written.append(
        write_text(
            paths.figures / f"{FIGURE_STEM}.md", figure_markdown(alt, _from_root(svg_file, paths))
        )
    )
    variables = build_variables(figures, period)
    variables["figure"] = {"alt": alt}
    written.append(write_yaml(variables_file, variables))
    written.append(write_checksums(paths.generated_manifest, written))
    return written


def _from_root(path: Path, paths: ProjectPaths) -> str:
    """The path as report.qmd refers to it: relative to the project root where possible."""
    return (path.relative_to(paths.root) if path.is_relative_to(paths.root) else path).as_posix()
