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
    standalone_include,
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
    def test_an_include_resolves_from_the_project_root_as_quarto_does(self, tmp_path: Path) -> None:
        (tmp_path / "tables").mkdir()
        (tmp_path / "tables" / "t.md").write_text("table {{< var responses >}}")
        report = tmp_path / "report.qmd"
        for argument in ("tables/t.md", "/tables/t.md", '"tables/t.md"'):
            text = expand(f"x\n{{{{< include {argument} >}}}}\ny", report, tmp_path, VARIABLES)
            assert text == "x\ntable 1,018\ny"
        # Whichever file holds it: an include is resolved from the root, not from its file.
        found = resolve_include("tables/t.md", tmp_path / "tables" / "outer.md", tmp_path)
        assert found == tmp_path / "tables" / "t.md"

    @pytest.mark.parametrize(
        ("text", "alone"),
        [
            ("{{< include t.md >}}", True),
            ("  {{< include t.md >}}  ", True),
            ("a\n{{< include t.md >}}\nb", True),
            ("see {{< include t.md >}}", False),
            ("{{<include t.md>}}", False),
            ("{{<  include t.md  >}}", False),
        ],
    )
    def test_only_an_include_alone_on_its_line_is_quarto_s(self, text: str, alone: bool) -> None:
        (code,) = find_shortcodes(text)
        assert standalone_include(text, code) is alone

    def test_generator_escaped_shortcodes_stay_literal(self, tmp_path: Path) -> None:
        (tmp_path / "t.md").write_text(r"| \{\{\< var y \>\}\} |")
        text = expand("{{< include t.md >}}", tmp_path / "report.qmd", tmp_path, VARIABLES)
        assert text == r"| \{\{\< var y \>\}\} |"

    @pytest.mark.parametrize(
        ("argument", "problem"),
        [("/etc/hostname", "does not exist"), ("../outside.md", "outside the project folder"),
         ("/../outside.md", "outside the project folder"), ("missing.md", "does not exist"),
         ("", "names no file")],
    )  # fmt: skip
    def test_unsafe_or_missing_includes_are_refused(
        self, tmp_path: Path, argument: str, problem: str
    ) -> None:
        root = tmp_path / "project"
        root.mkdir()
        (tmp_path / "outside.md").write_text("secret")
        with pytest.raises(BuildError, match=problem):
            resolve_include(argument, root / "report.qmd", root)

    def test_an_included_file_s_include_is_not_expanded(self, tmp_path: Path) -> None:
        (tmp_path / "a.md").write_text("{{< include b.md >}}")
        (tmp_path / "b.md").write_text("b")
        text = expand_includes("{{< include a.md >}}", tmp_path / "report.qmd", tmp_path)
        assert text == "{{< include b.md >}}"  # the lint refuses it before any render
