"""Project files read strictly: every key known, every error located, YAML without surprises."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import Field

from ltbrief.config import Strict, load_model
from ltbrief.errors import BuildError, nearest


class Item(Strict):
    name: str
    reported: bool = True


class Document(Strict):
    title: str
    items: list[Item]
    codes: dict[str, bool] = Field(default_factory=dict)


def load(tmp_path: Path, text: str) -> Document:
    path = tmp_path / "file.yml"
    path.write_text(text, encoding="utf-8")
    return load_model(path, Document, "the test file", "restore it").model


def failure(tmp_path: Path, text: str) -> BuildError:
    with pytest.raises(BuildError) as caught:
        load(tmp_path, text)
    return caught.value


class TestReading:
    def test_keys_are_text_as_typed_and_only_true_false_are_booleans(self, tmp_path: Path) -> None:
        document = load(
            tmp_path,
            "title: No\nitems: []\ncodes: {0: true, Yes: false, 01: true, 'off': false}\n",
        )
        assert document.title == "No"
        assert document.codes == {"0": True, "Yes": False, "01": True, "off": False}

    def test_an_unknown_key_is_located_with_the_nearest_valid_key(self, tmp_path: Path) -> None:
        error = failure(tmp_path, "title: t\nitems:\n  - name: a\n    reportd: false\n")
        assert error.line == 4
        assert error.column == "items[0].reportd"
        assert "unknown key 'reportd'" in error.problem
        assert "did you mean 'reported'?" in (error.action or "")

    def test_an_unknown_top_level_section_lists_the_valid_keys(self, tmp_path: Path) -> None:
        error = failure(tmp_path, "title: t\nitems: []\nzzz: 1\n")
        assert (error.line, error.column) == (3, "zzz")
        assert "'title', 'items', 'codes'" in (error.action or "")

    def test_a_missing_key_names_the_mapping_that_lacks_it(self, tmp_path: Path) -> None:
        error = failure(tmp_path, "title: t\nitems:\n  - reported: true\n")
        assert "lacks the key 'name'" in error.problem
        assert error.line == 3

    def test_a_wrong_type_names_the_value_and_what_was_expected(self, tmp_path: Path) -> None:
        error = failure(tmp_path, "title: t\nitems:\n  - name: a\n    reported: yes\n")
        assert error.line == 4
        assert "'yes'" in error.problem
        assert "boolean" in (error.expected or "")

    def test_a_key_written_twice_is_an_error_naming_both_lines(self, tmp_path: Path) -> None:
        error = failure(tmp_path, "title: t\nitems: []\ntitle: u\n")
        assert error.line == 3
        assert "first on line 1" in error.problem

    @pytest.mark.parametrize(
        ("text", "refused"),
        [
            ("title: &t x\nitems: []\n", "an anchor"),
            ("a: &a [1]\ntitle: *a\nitems: []\n", "an anchor"),
            ("title: !!str x\nitems: []\n", "an explicit tag"),
        ],
    )
    def test_anchors_aliases_and_tags_are_refused(
        self, tmp_path: Path, text: str, refused: str
    ) -> None:
        assert refused in failure(tmp_path, text).problem

    def test_a_billion_laughs_is_refused_before_it_expands(self, tmp_path: Path) -> None:
        lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
        error = failure(tmp_path, "\n".join(lines) + "\n")
        assert error.line == 1

    def test_invalid_yaml_names_its_line(self, tmp_path: Path) -> None:
        error = failure(tmp_path, "title: t\nitems: [\n")
        assert "not valid YAML" in error.problem
        assert error.line is not None

    def test_a_missing_file_says_what_to_do(self, tmp_path: Path) -> None:
        with pytest.raises(BuildError, match="the test file is missing") as caught:
            load_model(tmp_path / "none.yml", Document, "the test file", "restore it")
        assert caught.value.action == "restore it"


def test_nearest_prefers_a_case_difference_then_close_spellings() -> None:
    assert nearest("Q2_text", ["Q2_TEXT", "Q3_TEXT"]) == ["Q2_TEXT"]
    assert nearest("reportd", ["reported", "order"]) == ["reported"]
    assert nearest("zzz", ["reported"]) == []
