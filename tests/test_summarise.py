"""Stage 03: counts, figures, variables, table fragments, discrepancies and the figure."""

from __future__ import annotations

import pandas as pd
import pytest

from ltbrief import summarise as stage
from ltbrief.codebook import Codebook

REFERENCES = pd.DataFrame(
    [
        ("PMS20-0001", "challenge", "CH-ENG", "CH-ENG-INV"),
        ("PMS20-0002", "challenge", "CH-ENG", "CH-ENG-INV"),
        ("PMS20-0002", "challenge", "CH-ENG", "CH-ENG-OTHER"),
        ("PMS20-0003", "challenge", "CH-REL", "CH-REL-LA"),
        ("PMS20-0001", "support", "SU-ENG", "SU-ENG-RES"),
        ("PMS20-0001", "support", "SU-DEV", "SU-DEV-CORE"),
        ("PMS20-0002", "support", "SU-DEV", "SU-DEV-CORE"),
        ("PMS20-0003", "support", "SU-DEV", "SU-DEV-GOV"),
    ],
    columns=["response_id", "question", "theme_code", "subtheme_code"],
)
RESPONSES = pd.DataFrame(
    {
        "response_id": ["PMS20-0001", "PMS20-0002", "PMS20-0003", "PMS20-0004"],
        "submitted_at": pd.to_datetime(
            ["2020-06-01T09:00Z", "2020-07-01T09:00Z", "2020-08-31T22:30Z", "2020-07-02T09:00Z"]
        ),
        "area_code": ["BL001", "BL001", "BL002", "BL002"],
        "main_challenge": ["a", "b", "c", None],
        "support_needed": ["d", "e", "f", None],
    }
)
AREAS = pd.DataFrame({"area_code": ["BL001", "BL002", "BL003"]})


@pytest.fixture
def themes(codebook: Codebook) -> pd.DataFrame:
    return stage.count_themes(REFERENCES, codebook)


@pytest.fixture
def subthemes(codebook: Codebook) -> pd.DataFrame:
    return stage.count_subthemes(REFERENCES, codebook)


class TestCounts:
    def test_theme_totals_include_unreported_sub_themes(self, themes: pd.DataFrame) -> None:
        assert dict(zip(themes["theme_code"], themes["references"], strict=True)) == {
            "CH-ENG": 3, "CH-REL": 1, "SU-ENG": 1, "SU-DEV": 3,
        }  # fmt: skip

    def test_sub_themes_with_no_references_count_zero(self, codebook: Codebook) -> None:
        counts = stage.count_subthemes(REFERENCES.iloc[:1], codebook).set_index("subtheme_code")
        assert counts.loc["SU-DEV-GOV", "references"] == 0


class TestFigures:
    def test_every_number_keyed_as_in_variables(self, codebook: Codebook) -> None:
        figures = stage.compute_figures(RESPONSES, REFERENCES, AREAS, codebook).set_index("key")
        assert figures.loc["responses", "value"] == 4
        assert figures.loc["partnerships", "value"] == 2
        assert figures.loc["areas", "value"] == 3
        assert figures.loc["challenge.engagement.total", "value"] == 3
        assert figures.loc["challenge.engagement.getting_involved", "value"] == 2
        assert figures.loc["support.skills.core_skills", "value"] == 2
        assert figures.loc["challenge.references", "value"] == 4
        assert figures.loc["support.responses", "value"] == 3

    def test_value_at_1x_divides_only_scaled_counts(self, codebook: Codebook) -> None:
        figures = stage.compute_figures(RESPONSES, REFERENCES, AREAS, codebook, scale=2)
        figures = figures.set_index("key")
        assert figures.loc["responses", "value_at_1x"] == 2
        assert figures.loc["areas", "value_at_1x"] == 3

    def test_variables_are_nested_display_strings(self, codebook: Codebook) -> None:
        figures = pd.DataFrame(
            {"key": ["responses", "challenge.engagement.total"], "value": [1018, 273]}
        )
        variables = stage.build_variables(figures, {"year": "2020"})
        assert variables == {
            "responses": "1,018",
            "challenge": {"engagement": {"total": "273"}},
            "survey": {"year": "2020"},
        }

    def test_survey_period_in_uk_time(self) -> None:
        assert stage.survey_period(RESPONSES) == {
            "start_month": "June", "end_month": "August", "year": "2020",
        }  # fmt: skip


class TestTables:
    def test_subthemes_by_theme_layout(
        self, codebook: Codebook, themes: pd.DataFrame, subthemes: pd.DataFrame
    ) -> None:
        rows = stage.table_rows(codebook.tables[0], themes, subthemes, codebook)
        assert rows.values.tolist() == [
            ["1. Engagement (3)", "Getting people involved", 2],
            ["2. Relationships (1)", "Local authorities", 1],
        ]

    def test_subthemes_with_needs_layout(
        self, codebook: Codebook, themes: pd.DataFrame, subthemes: pd.DataFrame
    ) -> None:
        rows = stage.table_rows(codebook.tables[2], themes, subthemes, codebook)
        assert rows.values.tolist() == [
            ["1. Core skills", "Strategy; Decision making", 2],
            ["2. Governance", "Conflicts of interest", 1],
        ]

    def test_markdown_has_caption_id_and_escapes_markup(self, codebook: Codebook) -> None:
        spec = codebook.tables[0]
        rows = pd.DataFrame(
            [["<b>x</b> | #set $1 @a {{< var y >}}", "*y*", 1018]], columns=list(spec.headers)
        )
        text = stage.table_markdown(spec, rows)
        assert text.endswith(": Summary of main challenges {#tbl-challenges}\n")
        body = text.splitlines()[2]
        assert body == (r"| \<b\>x\</b\> \| \#set \$1 \@a \{\{\< var y \>\}\} | \*y\* | 1,018 |")


class TestDiscrepancies:
    def test_out_of_order_themes_and_unreported_counts_are_found(
        self, codebook: Codebook, themes: pd.DataFrame, subthemes: pd.DataFrame
    ) -> None:
        found = stage.find_discrepancies(themes, subthemes, codebook)
        order = found.loc[found["check"].str.contains("descending")]
        assert list(order["table"]) == ["tbl-support"]
        assert order["computed"].iloc[0] == "Skills > Engagement"
        totals = found.loc[found["check"].str.contains("Engagement: theme total")]
        assert totals["computed"].iloc[0] == "2 shown + 1 not reported separately"

    def test_nothing_found_when_published_layout_matches(self, codebook: Codebook) -> None:
        only_reported = REFERENCES.loc[REFERENCES["subtheme_code"] != "CH-ENG-OTHER"]
        only_reported = only_reported.loc[only_reported["question"] == "challenge"]
        found = stage.find_discrepancies(
            stage.count_themes(only_reported, codebook),
            stage.count_subthemes(only_reported, codebook),
            codebook,
        )
        assert found.loc[found["table"] == "tbl-challenges"].empty


class TestFigure:
    def test_alt_text_is_written_from_the_counts(
        self, codebook: Codebook, themes: pd.DataFrame
    ) -> None:
        alt = stage.figure_alt_text(themes, codebook)
        assert "Main challenges: Engagement (3), Relationships (1)." in alt
        assert "Support needs: Skills (3), Engagement (1)." in alt

    def test_svg_is_labelled_and_deterministic(
        self, codebook: Codebook, themes: pd.DataFrame
    ) -> None:
        first = stage.figure_svg(themes, codebook, "alt & <text>")
        assert first == stage.figure_svg(themes, codebook, "alt & <text>")
        assert '<desc id="fig-desc">alt &amp; &lt;text&gt;</desc>' in first
        assert 'role="img"' in first
        assert "<dc:date>" not in first

    def test_markdown_carries_id_and_alt(self) -> None:
        text = stage.figure_markdown('Bar chart "quoted"', "data/processed/figures/f.svg")
        assert text.startswith(
            "![References to each theme, by question](data/processed/figures/f.svg)"
        )
        assert "{#fig-references-by-theme fig-alt=\"Bar chart 'quoted'\"" in text
