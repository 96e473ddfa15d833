"""The editor's checks: each problem is found, located, explained, and stops the build."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from ltbrief.io import write_parquet, write_yaml
from ltbrief.paths import PATHS, ProjectPaths
from ltbrief.render import lint
from ltbrief.render.__main__ import main
from ltbrief.render.quote_reviews import Review, quote_digest, write_reviews
from tests.fixtures.render.fixture import make_project

CONFIG = "project:\n  type: default\n  output-dir: _output\nlang: en-GB\n"
VARIABLES = {"responses": "1,018", "survey": {"year": "2020", "start_month": "June"}}
TABLE = "| Theme | References |\n|:---|---:|\n| Engagement | 273 |\n\n: Themes {#tbl-themes}\n"
CLEAN = """\
---
title: A brief
date: "2021"
---

## Findings

We had {{< var responses >}} responses in {{< var survey.year >}} (@tbl-themes).

{{< include tables/tbl-themes.md >}}

::: {.respondent-quote response="PMS20-0001"}
> "We found it hard to recruit volunteers..."
:::

A respondent wanted ["more training"]{.respondent-quote response="PMS20-0003"}.

![A chart](chart.svg){fig-alt="A bar chart of references by theme"}

### Detail

Text.[^note]

[^note]: A note.
"""


def _responses() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "response_id": ["PMS20-0001", "PMS20-0002", "PMS20-0003"],
            "main_challenge": [
                "We found it hard to recruit volunteers. Meetings ran long.",
                None,
                None,
            ],
            "support_needed": [None, "More training please.", "We need more training for all."],
            "consent_to_quote": [True, False, True],
        }
    )


# The quotes of CLEAN as written, reviewed.
REVIEWS = [
    Review(
        "PMS20-0001",
        quote_digest('"We found it hard to recruit volunteers..."'),
        "LT",
        "2026-11-25",
    ),
    Review("PMS20-0003", quote_digest('"more training"'), "LT", "2026-11-25"),
]


def make_brief(root: Path, report: str = CLEAN) -> ProjectPaths:
    """A small project: config, report, variables, one table, one image, responses, reviews."""
    paths = ProjectPaths.at(root)
    root.mkdir(parents=True, exist_ok=True)
    paths.quarto_config.write_text(CONFIG, encoding="utf-8")
    paths.report.write_text(report, encoding="utf-8")
    write_yaml(paths.variables, VARIABLES)
    (root / "tables").mkdir(exist_ok=True)
    (root / "tables" / "tbl-themes.md").write_text(TABLE, encoding="utf-8")
    (root / "chart.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>", encoding="utf-8")
    write_parquet(paths.responses, _responses())
    write_reviews(paths.quote_reviews, REVIEWS)
    return paths


def problems_in(root: Path, report: str) -> list[str]:
    return [str(problem) for problem in lint(make_brief(root, report))]


def line_of(report: str, marker: str) -> int:
    return report[: report.index(marker)].count("\n") + 1


def test_a_clean_brief_has_no_problems(tmp_path: Path) -> None:
    assert problems_in(tmp_path, CLEAN) == []


# Each case: what to change in the clean brief, what it becomes, and the problem expected on
# the line where the change starts (a quote's problems are reported on its div's line).
CASES = {
    "unknown variable": (
        "{{< var responses >}}",
        "{{< var responce >}}",
        "unknown variable 'responce' — did you mean 'responses'?",
    ),
    "unknown nested variable": (
        "{{< var survey.year >}}",
        "{{< var survey.yaer >}}",
        "unknown variable 'survey.yaer' — did you mean 'survey.year'",
    ),
    "missing include": (
        "{{< include tables/tbl-themes.md >}}",
        "{{< include tables/tbl-theme.md >}}",
        "the included file 'tables/tbl-theme.md' does not exist",
    ),
    "include leaving the project": (
        "{{< include tables/tbl-themes.md >}}",
        "{{< include ../secret.md >}}",
        "the include path '../secret.md' leads outside the project folder",
    ),
    "include from the root, missing": (
        "{{< include tables/tbl-themes.md >}}",
        "{{< include /etc/hostname >}}",
        "the included file '/etc/hostname' does not exist",
    ),
    "inline include": (
        "{{< include tables/tbl-themes.md >}}",
        "Tables: {{< include tables/tbl-themes.md >}}",
        "an include that does not stand alone on its line — put {{< include file >}} on a line "
        "of its own, with one space inside the braces: Quarto leaves any other include as text",
    ),
    "unknown cross-reference": (
        "(@tbl-themes)",
        "(@tbl-theme)",
        "unknown cross-reference '@tbl-theme' — did you mean 'tbl-themes'?",
    ),
    "quote that does not match": (
        'response="PMS20-0001"}\n> "We found it hard',
        'response="PMS20-0001"}\n> "We found it easy',
        "quote does not match response PMS20-0001: 'we found it easy to recruit volunteers' is "
        "not in its main_challenge answer — closest passage: 'We found it hard to recruit "
        "volunteers.'",
    ),
    "inline quote that does not match": (
        '["more training"]',
        '["better training"]',
        "quote does not match response PMS20-0003: 'better training'",
    ),
    "quote div with no response id": (
        '::: {.respondent-quote response="PMS20-0001"}',
        "::: {.respondent-quote}",
        "quote with no response id",
    ),
    "block quote outside a quote div": (
        "Text.[^note]",
        "> A bare quote",
        "block quote with no response id",
    ),
    "response without consent": (
        'response="PMS20-0003"',
        'response="PMS20-0002"',
        "response PMS20-0002 did not consent to be quoted",
    ),
    "response id not in the data": (
        '::: {.respondent-quote response="PMS20-0001"}',
        '::: {.respondent-quote response="PMS20-0010"}',
        "response id 'PMS20-0010' is not in the data — did you mean",
    ),
    "image without alt text": (
        '{fig-alt="A bar chart of references by theme"}',
        "{#fig-chart}",
        "image 'chart.svg' has no alt text",
    ),
    "skipped heading level": ("### Detail", "#### Detail", "heading level skips from 2 to 4"),
    "second level-1 heading": ("## Findings", "# Findings", "a second level-1 heading"),
    "footnote in a heading": ("### Detail", "### Detail[^note]", "footnote in a heading"),
    "code cell": ("Text.[^note]", "```{python}\n1 + 1\n```", "code cell {python}"),
    "inline code cell": ("Text.[^note]", "Total `{python} 1 + 1`.", "inline code cell (python)"),
    "unknown shortcode": ("Text.[^note]", "{{< meta title >}}", "unknown shortcode 'meta'"),
    "unclosed fenced div": ("Text.[^note]", "::: {.colophon}\nText.", "fenced div is never closed"),
    "stray closing fence": ("Text.[^note]", ":::", "':::' closes no open div"),
    "markup in a quote": (
        '["more training"]',
        '["more *training*"]',
        "quote of PMS20-0003 has markup that would not print as written: '*' — write \\*",
    ),
    "a quote line that starts a list": (
        'response="PMS20-0001"}\n> "We found it hard to',
        'response="PMS20-0001"}\n> "We found it hard\n> - to',
        "quote of PMS20-0001 has markup that would not print as written: a line starting '-'",
    ),
    "personal data in a quote": (
        '["more training"]',
        '["more training, call 07700 900123"]',
        "quote of PMS20-0003 contains a phone number ('07…') — cut it with ... or write [phone]",
    ),
    "quote changed since its review": (
        'response="PMS20-0001"}\n> "We found it hard to recruit volunteers..."',
        'response="PMS20-0001"}\n> "We found it hard to recruit volunteers. Meetings ran long."',
        "quote of PMS20-0001 changed since LT reviewed it on 2026-11-25 — read it against the "
        "response, then record your review: python -m ltbrief.render review --reviewer XY",
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_each_problem_is_reported_at_its_line(tmp_path: Path, case: str) -> None:
    old, new, expected = CASES[case]
    report = CLEAN.replace(old, new, 1)
    problems = problems_in(tmp_path / "project", report)
    location = f"report.qmd:{line_of(CLEAN, old)}: "
    assert any(p.startswith(location) and expected in p for p in problems), problems


def test_personal_data_in_a_table_cell_names_the_table_line(tmp_path: Path) -> None:
    paths = make_brief(tmp_path)
    cell = r"Engagement, jo\@example.org"
    (tmp_path / "tables" / "tbl-themes.md").write_text(TABLE.replace("Engagement", cell))
    assert [str(problem) for problem in lint(paths)] == [
        "tables/tbl-themes.md:3: table cell 'Engagement, [email]' contains an e-mail "
        "address ('jo…') — take it out of the data the table is made from (data/codebook.yml), "
        "then run python -m ltbrief data: personal data is never published"
    ]


def test_quotes_without_a_review_file_are_not_reviewed(tmp_path: Path) -> None:
    paths = make_brief(tmp_path)
    paths.quote_reviews.unlink()
    assert [str(problem) for problem in lint(paths)] == [
        f"report.qmd:{line_of(CLEAN, ':::')}: quote of PMS20-0001 has not been reviewed — read it "
        "against the response, then record your review: python -m ltbrief.render review "
        "--reviewer XY",
        f"report.qmd:{line_of(CLEAN, 'A respondent')}: quote of PMS20-0003 has not been reviewed "
        "— read it against the response, then record your review: python -m ltbrief.render "
        "review --reviewer XY",
    ]


def test_a_malformed_review_file_names_row_and_column(tmp_path: Path) -> None:
    paths = make_brief(tmp_path)
    text = paths.quote_reviews.read_text(encoding="utf-8")
    paths.quote_reviews.write_text(text.replace(",LT,", ",lt,", 1), encoding="utf-8")
    problems = [str(problem) for problem in lint(paths)]
    assert problems[0].startswith("data/quote-reviews.csv:2: reviewer 'lt' is not valid — fix")
    assert "has not been reviewed" in problems[1]


def test_a_brief_without_title_is_one_located_problem(tmp_path: Path) -> None:
    problems = problems_in(tmp_path, CLEAN.replace("title: A brief\n", ""))
    assert problems == ["report.qmd:2: the front matter lacks the key 'title' — add 'title'"]


def test_missing_data_outputs_say_what_to_run(tmp_path: Path) -> None:
    paths = make_brief(tmp_path)
    paths.responses.unlink()
    paths.variables.unlink()
    problems = [str(problem) for problem in lint(paths)]
    assert "_variables.yml:1: the variables file is missing — run the data stages first: " \
        "python -m ltbrief data" in problems  # fmt: skip
    assert any(
        "cannot check quotes: data/interim/responses.parquet is missing" in p for p in problems
    )


def test_an_include_in_an_included_file_is_refused(tmp_path: Path) -> None:
    paths = make_brief(tmp_path)
    (tmp_path / "tables" / "tbl-themes.md").write_text(TABLE + "\n{{< include other.md >}}\n")
    (tmp_path / "other.md").write_text("x\n")
    problems = [str(p) for p in lint(paths)]
    assert problems[0].startswith("tables/tbl-themes.md:7: an included file includes another")


def test_problems_in_included_files_name_that_file(tmp_path: Path) -> None:
    paths = make_brief(tmp_path)
    (tmp_path / "tables" / "tbl-themes.md").write_text(TABLE + "\n{{< var nope >}}\n")
    assert [str(p) for p in lint(paths)] == [
        "tables/tbl-themes.md:7: unknown variable 'nope' — the variables are listed in "
        "_variables.yml"
    ]


class TestCommandLine:
    def test_check_prints_each_problem_and_exits_1(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        make_brief(tmp_path, CLEAN.replace("{{< var responses >}}", "{{< var responce >}}"))
        assert main(["--check", "--project", str(tmp_path)]) == 1
        error = capsys.readouterr().err
        assert "report.qmd:8: unknown variable 'responce' — did you mean 'responses'?" in error
        assert "1 problem(s); nothing was rendered." in error

    def test_check_passes_a_clean_brief(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        make_brief(tmp_path)
        assert main(["--check", "--project", str(tmp_path)]) == 0
        assert "passes every check" in capsys.readouterr().out

    def test_module_entry_point_exits_non_zero(self, tmp_path: Path) -> None:
        make_brief(tmp_path, CLEAN.replace("(@tbl-themes)", "(@tbl-nothing)"))
        completed = subprocess.run(
            [sys.executable, "-m", "ltbrief.render", "--check", "--project", str(tmp_path)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert completed.returncode == 1
        assert "unknown cross-reference '@tbl-nothing'" in completed.stderr


def test_the_brief_passes_with_the_fixture_data(tmp_path: Path) -> None:
    """The real report.qmd, with small stand-in data outputs, has no problems."""
    assert [str(problem) for problem in lint(make_project(tmp_path))] == []


@pytest.mark.skipif(
    not PATHS.variables.is_file(),
    reason="_variables.yml is absent: run `python -m ltbrief data` to lint the real brief",
)
def test_the_real_brief_passes() -> None:
    assert [str(problem) for problem in lint(PATHS)] == []
