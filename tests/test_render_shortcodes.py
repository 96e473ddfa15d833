"""Expanding {{< var >}} and {{< include >}} as Quarto does, but safely."""

from __future__ import annotations

from pathlib import Path

import pytest

from ltbrief.errors import BuildError
from ltbrief.render.shortcodes import (
    expand,
    expand_includes,
    expand_variables,
    find_shortcodes,
    lookup,
    resolve_include,
    variable_keys,
)

VARIABLES = {"responses": "1,018", "survey": {"year": "2020"}, "odd": "*x* <b>"}


class TestFindShortcodes:
    def test_names_arguments_and_literals(self) -> None:
        codes = find_shortcodes("a {{< var responses >}} b {{<include t.md>}} c {{{< var x >}}}")
        assert [(c.name, c.argument, c.literal) for c in codes] == [
            ("var", "responses", False),
            ("include", "t.md", False),
            ("", "var x", True),
        ]

    def test_escaped_braces_are_not_shortcodes(self) -> None:
        assert find_shortcodes(r"\{\{\< var y \>\}\}") == []


class TestVariables:
    def test_lookup_follows_dotted_keys(self) -> None:
        assert lookup(VARIABLES, "survey.year") == "2020"
        assert lookup(VARIABLES, "survey") is None
        assert lookup(VARIABLES, "survey.month") is None

    def test_keys_are_dotted_leaves(self) -> None:
        assert variable_keys(VARIABLES) == ["responses", "survey.year", "odd"]

    def test_values_are_escaped_as_data(self) -> None:
        text = expand_variables("{{< var odd >}} of {{< var responses >}}", VARIABLES, Path("r"))
        assert text == r"\*x\* \<b\> of 1,018"

    def test_control_characters_in_values_become_spaces(self) -> None:
        variables = {"odd": "a\r\nb\x00c\u202ed\ufeff\ufffe"}
        assert expand_variables("{{< var odd >}}", variables, Path("r")) == "a  b c d \ufffd"

    def test_triple_braces_print_the_shortcode(self) -> None:
        text = expand_variables("{{{< var responses >}}}", VARIABLES, Path("r"))
        assert text == r"\{\{\< var responses \>\}\}"

    def test_unknown_variable_stops_the_render(self) -> None:
        with pytest.raises(BuildError, match="unknown variable 'responce'"):
            expand_variables("{{< var responce >}}", VARIABLES, Path("r"))


class TestIncludes:
    def test_nested_includes_resolve_from_the_including_file(self, tmp_path: Path) -> None:
        (tmp_path / "tables").mkdir()
        (tmp_path / "tables" / "outer.md").write_text("outer {{< include inner.md >}}")
        (tmp_path / "tables" / "inner.md").write_text("inner {{< var responses >}}")
        report = tmp_path / "report.qmd"
        text = expand("x {{< include tables/outer.md >}} y", report, tmp_path, VARIABLES)
        assert text == "x outer inner 1,018 y"

    def test_generator_escaped_shortcodes_stay_literal(self, tmp_path: Path) -> None:
        (tmp_path / "t.md").write_text(r"| \{\{\< var y \>\}\} |")
        text = expand("{{< include t.md >}}", tmp_path / "report.qmd", tmp_path, VARIABLES)
        assert text == r"| \{\{\< var y \>\}\} |"

    @pytest.mark.parametrize(
        ("argument", "problem"),
        [("/etc/hostname", "is absolute"), ("../outside.md", "outside the project folder"),
         ("missing.md", "does not exist"), ("", "names no file")],
    )  # fmt: skip
    def test_unsafe_or_missing_includes_are_refused(
        self, tmp_path: Path, argument: str, problem: str
    ) -> None:
        root = tmp_path / "project"
        root.mkdir()
        (tmp_path / "outside.md").write_text("secret")
        with pytest.raises(BuildError, match=problem):
            resolve_include(argument, root / "report.qmd", root)

    def test_include_loops_are_refused(self, tmp_path: Path) -> None:
        (tmp_path / "a.md").write_text("{{< include b.md >}}")
        (tmp_path / "b.md").write_text("{{< include a.md >}}")
        with pytest.raises(BuildError, match="loop"):
            expand_includes("{{< include a.md >}}", tmp_path / "report.qmd", tmp_path)
