"""Reading the codebook: structure, and errors that point at the entry to fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from ltbrief.codebook import Codebook, load_codebook
from ltbrief.errors import BuildError
from tests.conftest import TINY_CODEBOOK


class TestLoadCodebook:
    def test_flattens_sub_themes_with_their_theme(self, codebook: Codebook) -> None:
        rows = codebook.subthemes.set_index("subtheme_code")
        assert rows.loc["CH-ENG-OTHER", ["theme_code", "subtheme_reported"]].tolist() == [
            "CH-ENG",
            False,
        ]
        assert rows.loc["SU-DEV-CORE", "specific_needs"] == ["Strategy", "Decision making"]
        assert [q.column for q in codebook.questions] == ["main_challenge", "support_needed"]

    def test_pairs_for_validation(self, codebook: Codebook) -> None:
        assert ["support", "SU-DEV-GOV"] in codebook.question_code_pairs
        assert ["CH-REL-LA", "CH-REL"] in codebook.code_theme_pairs

    def test_tables(self, codebook: Codebook) -> None:
        assert [t.id for t in codebook.tables] == [
            "tbl-challenges",
            "tbl-support",
            "tbl-development",
        ]
        assert codebook.tables[2].theme == "SU-DEV"


class TestCodebookErrors:
    def write(self, tmp_path: Path, text: str) -> Path:
        path = tmp_path / "codebook.yml"
        path.write_text(text, encoding="utf-8")
        return path

    def test_duplicate_code_names_both_lines(self, tmp_path: Path) -> None:
        text = TINY_CODEBOOK.replace("code: CH-REL-LA", "code: CH-ENG-INV")
        with pytest.raises(BuildError, match=r"code CH-ENG-INV is already defined") as caught:
            load_codebook(self.write(tmp_path, text))
        defined_on = [n for n, line in enumerate(text.splitlines(), 1) if "CH-ENG-INV" in line]
        assert caught.value.line == defined_on[1]
        assert f"first at line {defined_on[0]}" in caught.value.message

    def test_theme_code_reused_as_sub_theme_code(self, tmp_path: Path) -> None:
        text = TINY_CODEBOOK.replace("code: CH-REL-LA", "code: CH-ENG")
        with pytest.raises(BuildError, match="code CH-ENG is already defined"):
            load_codebook(self.write(tmp_path, text))

    @pytest.mark.parametrize(
        ("old", "new", "message"),
        [
            ("order: 2,\n         subthemes", "order: second,\n         subthemes",
             r"questions\[0\]\.themes\[1\]\.order: 'second'"),
            ("reported: false}", "reported: 'no'}", r"subthemes\[1\]\.reported: 'no'"),
        ],
    )  # fmt: skip
    def test_wrongly_typed_field_names_entry_and_line(
        self, tmp_path: Path, old: str, new: str, message: str
    ) -> None:
        assert old in TINY_CODEBOOK
        with pytest.raises(BuildError, match=message) as caught:
            load_codebook(self.write(tmp_path, TINY_CODEBOOK.replace(old, new, 1)))
        assert caught.value.line is not None

    def test_theme_without_sub_themes(self, tmp_path: Path) -> None:
        text = TINY_CODEBOOK.replace(
            "subthemes: [\n           {code: CH-REL-LA, key: local_authorities, "
            "label: Local authorities, order: 1}]",
            "subthemes: []",
        )
        with pytest.raises(BuildError, match=r"questions\[0\]\.themes\[1\]\.subthemes") as caught:
            load_codebook(self.write(tmp_path, text))
        assert "subthemes: []" in text.splitlines()[caught.value.line - 1]

    def test_missing_field_names_the_entry(self, tmp_path: Path) -> None:
        text = TINY_CODEBOOK.replace("key: residents, ", "")
        with pytest.raises(BuildError, match=r"lacks the key 'key'") as caught:
            load_codebook(self.write(tmp_path, text))
        assert caught.value.column == "questions[1].themes[0].subthemes[0].key"

    def test_malformed_yaml_gives_the_line(self, tmp_path: Path) -> None:
        with pytest.raises(BuildError, match="not valid YAML") as caught:
            load_codebook(self.write(tmp_path, "questions:\n  - key: [unclosed\n"))
        assert caught.value.line is not None

    def test_table_pointing_at_unknown_theme(self, tmp_path: Path) -> None:
        text = TINY_CODEBOOK.replace("theme: SU-DEV,", "theme: SU-NOPE,")
        with pytest.raises(BuildError, match=r"tables\[2\]\.theme"):
            load_codebook(self.write(tmp_path, text))

    def test_a_misspelt_key_is_an_error_with_the_nearest_valid_key(self, tmp_path: Path) -> None:
        text = TINY_CODEBOOK.replace("reported: false}", "reportd: false}", 1)
        with pytest.raises(BuildError, match="unknown key 'reportd'") as caught:
            load_codebook(self.write(tmp_path, text))
        assert "did you mean 'reported'?" in (caught.value.action or "")
        assert "reportd" in text.splitlines()[caught.value.line - 1]

    def test_an_extra_top_level_section_is_an_error(self, tmp_path: Path) -> None:
        with pytest.raises(BuildError, match="unknown key 'notes'") as caught:
            load_codebook(self.write(tmp_path, TINY_CODEBOOK + "notes:\n  - to do\n"))
        assert "'questions', 'tables'" in (caught.value.action or "")

    def test_an_alias_is_refused(self, tmp_path: Path) -> None:
        text = TINY_CODEBOOK.replace("key: residents,", "key: &name residents,", 1)
        with pytest.raises(BuildError, match=r"an anchor \(&name\) is used"):
            load_codebook(self.write(tmp_path, text))

    def test_a_table_of_another_question_s_theme_is_an_error(self, tmp_path: Path) -> None:
        text = TINY_CODEBOOK.replace("theme: SU-DEV,", "theme: CH-ENG,")
        with pytest.raises(BuildError, match="shows theme CH-ENG, which question 'support' lacks"):
            load_codebook(self.write(tmp_path, text))

    def test_a_table_with_needs_must_name_its_theme(self, tmp_path: Path) -> None:
        text = TINY_CODEBOOK.replace("theme: SU-DEV,", "", 1)
        with pytest.raises(BuildError, match="without a theme") as caught:
            load_codebook(self.write(tmp_path, text))
        assert caught.value.column == "tables[2].theme"

    def test_missing_file(self, tmp_path: Path) -> None:
        with pytest.raises(BuildError, match="missing"):
            load_codebook(tmp_path / "nope.yml")
