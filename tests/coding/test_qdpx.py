"""REFI-QDA projects: each vendor's way of writing them read alike; broken ones refused."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from ltbrief.coding.qdpx import read_qdpx
from ltbrief.errors import BuildError
from ltbrief.sources.mapping import Coding
from tests.coding.conftest import BEN, CODES, Document, Selection, write_qdpx

BY_NAME = {
    "format": "qdpx",
    "file": "coding.qdpx",
    "link": {"document": "(?P<response_id>R[0-9]+) (?P<question>challenge|support)"},
}


def coding(**changes: object) -> Coding:
    return Coding.model_validate({**BY_NAME, **changes})


def passages(path: Path, **changes: object) -> pd.DataFrame:
    return read_qdpx(path, coding(**changes)).passages


class TestVendors:
    def test_nvivo_utf16_positions_crlf_as_two_bom_and_capital_sources(
        self, tmp_path: Path
    ) -> None:
        # NVivo for Windows 12: UTF-16 code units, the byte-order mark not counted.
        text = "We need \U0001f64f volunteers.\r\nThe same few do it all."
        start = len("We need \U0001f64f ".encode("utf-16-le")) // 2
        end = start + len("volunteers.\r\nThe same few")
        document = Document("R1 challenge", text, [Selection(start, end, ["involved"])])
        path = write_qdpx(tmp_path / "p.qdpx", [document], folder="Sources", bom=True)
        read = read_qdpx(path, coding())
        assert read.passages["text"].tolist() == ["volunteers.\r\nThe same few"]
        assert read.passages[["response_id", "question"]].values.tolist() == [["R1", "challenge"]]
        assert "positions read as utf16, as NVivo 12.6 counts them" in read.notes

    def test_atlas_ti_project_name_crlf_as_one_braced_upper_case_guids(
        self, tmp_path: Path
    ) -> None:
        text = "First line\r\nGetting people involved is hard."
        start = text.replace("\r\n", "\n").index("Getting")
        guid = "{" + CODES["involved"].upper() + "}"
        document = Document("R2 challenge", text, [Selection(start, start + 7, [guid, "core"])])
        path = write_qdpx(
            tmp_path / "p.qdpx", [document], project_name="Trial.qde", origin="ATLAS.ti 26"
        )
        read = read_qdpx(path, coding())
        assert read.passages["text"].tolist() == ["Getting", "Getting"]
        assert read.passages["code_path"].tolist() == [
            "Main challenge / Engagement / Getting people involved",
            "Support needed / Skills / Core skills",
        ]
        assert any("Trial.qde, not project.qde" in note for note in read.notes)

    def test_inline_text_and_the_spec_s_code_points(self, tmp_path: Path) -> None:
        document = Document("R3 support", "Training for the chair.", inline=True)
        document.selections = [Selection(0, 23, ["core"])]
        path = write_qdpx(tmp_path / "p.qdpx", [document], origin="QualCoder 3.6")
        frame = passages(path)
        assert frame["text"].tolist() == ["Training for the chair."]
        assert frame["code_name"].tolist() == ["Core skills"]

    def test_a_bare_file_name_path_is_found_in_the_sources_folder(self, tmp_path: Path) -> None:
        # qualitative-coding 1.3 wrote plainTextPath="board_2017.txt", without a scheme.
        document = Document("R4 support", "Help.", [Selection(0, 4, ["core"])])
        document.guid = "05000000-0000-4000-8000-000000000099"
        document.path = f"{document.guid}.TXT"
        path = write_qdpx(
            tmp_path / "p.qdpx",
            [document],
            extra={f"sources/{document.guid}.txt": b"Help."},
        )
        assert passages(path)["text"].tolist() == ["Help"]

    def test_the_coder_is_the_coding_s_user_then_the_selection_s(self, tmp_path: Path) -> None:
        text = "Volunteers."
        selections = [
            Selection(0, 10, ["involved"], coding_user=BEN),  # NVivo: two users differ
            Selection(0, 10, ["awareness"]),
        ]
        path = write_qdpx(tmp_path / "p.qdpx", [Document("R5 challenge", text, selections)])
        assert passages(path)["coder"].tolist() == ["Ben", "Anna"]

    def test_a_selection_without_coding_is_a_memo_and_is_left_out(self, tmp_path: Path) -> None:
        selections = [Selection(0, 3, []), Selection(0, 3, ["involved"])]
        path = write_qdpx(tmp_path / "p.qdpx", [Document("R6 challenge", "Yes.", selections)])
        assert len(passages(path)) == 1

    def test_a_whole_document_selection_and_a_schema_note(self, tmp_path: Path) -> None:
        text = "All of it."
        path = write_qdpx(
            tmp_path / "p.qdpx", [Document("R7 challenge", text, [Selection(0, 10, ["involved"])])]
        )
        read = read_qdpx(path, coding())
        assert read.passages["text"].tolist() == [text]
        assert any("follows the REFI-QDA 1.0 project schema" in note for note in read.notes)

    def test_unnamed_cases_link_documents_through_a_case_variable(self, tmp_path: Path) -> None:
        document = Document("Interview 12", "Money.", [Selection(0, 5, ["core"])])
        cases = (
            '<Variables><Variable guid="0f000000-0000-4000-8000-000000000001" '
            'name="Respondent" typeOfVariable="Text"/></Variables>'
            '<Cases><Case guid="0e000000-0000-4000-8000-000000000001">'
            '<VariableValue><VariableRef targetGUID="0f000000-0000-4000-8000-000000000001"/>'
            "<TextValue>R8</TextValue></VariableValue>"
            '<SourceRef targetGUID="05000000-0000-4000-8000-000000000001"/></Case></Cases>'
        )
        path = write_qdpx(tmp_path / "p.qdpx", [document], cases=cases)
        frame = passages(path, link={"case_variable": "Respondent"})
        assert frame[["response_id", "question"]].values.tolist() == [["R8", ""]]

    def test_a_collated_document_is_split_at_its_markers(self, tmp_path: Path) -> None:
        text = "[R1] Volunteers are few.\n[R2] Money is short."
        second = text.index("Money")
        document = Document(
            "All answers",
            text,
            [Selection(5, 15, ["involved"]), Selection(second, second + 5, ["core"])],
        )
        path = write_qdpx(tmp_path / "p.qdpx", [document])
        frame = passages(path, link={"marker": r"\[(?P<response_id>R[0-9]+)\]"})
        assert frame[["response_id", "text"]].values.tolist() == [
            ["R1", "Volunteers"],
            ["R2", "Money"],
        ]

    def test_a_passage_running_into_the_next_answer_names_no_response(self, tmp_path: Path) -> None:
        text = "[R1] Volunteers.\n[R2] Money."
        document = Document("All answers", text, [Selection(5, len(text), ["involved"])])
        path = write_qdpx(tmp_path / "p.qdpx", [document])
        with pytest.raises(BuildError, match="names no response by the marker rule") as caught:
            passages(path, link={"marker": r"\[(?P<response_id>R[0-9]+)\]"})
        assert "characters 5-" in (caught.value.place or "")


def refused(path: Path, **changes: object) -> BuildError:
    with pytest.raises(BuildError) as caught:
        read_qdpx(path, coding(**changes))
    assert caught.value.file == path
    assert caught.value.action
    return caught.value


class TestBadProjects:
    def test_a_file_that_is_not_a_zip(self, tmp_path: Path) -> None:
        path = tmp_path / "p.qdpx"
        path.write_text("not a zip")
        assert "not a zip archive" in refused(path).problem

    def test_a_zip_without_a_project_file(self, tmp_path: Path) -> None:
        path = tmp_path / "p.qdpx"
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("notes.txt", "hello")
        assert "no project.qde: it is not a REFI-QDA project" in refused(path).problem

    def test_invalid_xml_names_its_line(self, tmp_path: Path) -> None:
        path = tmp_path / "p.qdpx"
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("project.qde", '<?xml version="1.0"?>\n<Project name="x">\n<Users>\n')
        error = refused(path)
        assert "not valid XML" in error.problem and error.line is not None

    def test_a_document_type_declaration_is_refused_before_parsing(self, tmp_path: Path) -> None:
        laughs = (
            '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
            '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n<Project name="&lol2;"/>'
        )
        path = tmp_path / "p.qdpx"
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("project.qde", laughs)
        error = refused(path)
        assert "declares a document type" in error.problem and error.line == 2

    def test_xml_of_another_kind(self, tmp_path: Path) -> None:
        document = Document("R1 challenge", "x", [Selection(0, 1, ["involved"])])
        path = write_qdpx(tmp_path / "p.qdpx", [document], namespace="urn:something:else")
        assert "XML of another kind" in refused(path).problem

    def test_a_source_file_missing_from_the_archive(self, tmp_path: Path) -> None:
        document = Document("R1 challenge", "x", [Selection(0, 1, ["involved"])])
        document.path = "internal://05000000-0000-4000-8000-000000000042.txt"
        error = refused(write_qdpx(tmp_path / "p.qdpx", [document]))
        assert "which the archive does not hold" in error.problem
        assert "R1 challenge" in error.problem

    def test_a_source_outside_the_project(self, tmp_path: Path) -> None:
        document = Document("R1 challenge", "x", [Selection(0, 1, ["involved"])])
        document.path = "relative:///interviews/R1.txt"
        assert (
            "is a file outside the project"
            in refused(write_qdpx(tmp_path / "p.qdpx", [document])).problem
        )

    def test_a_code_defined_twice(self, tmp_path: Path) -> None:
        tree = (
            f'<CodeBook><Codes><Code guid="{CODES["core"]}" name="A" isCodable="true"/>'
            f'<Code guid="{CODES["core"].upper()}" name="B" isCodable="true"/></Codes></CodeBook>'
        )
        document = Document("R1 support", "x", [Selection(0, 1, ["core"])])
        error = refused(write_qdpx(tmp_path / "p.qdpx", [document], tree=tree))
        assert "defined twice" in error.problem and error.line is not None

    def test_a_coding_of_a_code_the_tree_lacks(self, tmp_path: Path) -> None:
        dangling = "0c000000-0000-4000-8000-0000000000ff"
        document = Document("R1 support", "x", [Selection(0, 1, [dangling])])
        error = refused(write_qdpx(tmp_path / "p.qdpx", [document]))
        assert f"refers to the code {dangling}" in error.problem
        assert error.place == "document 'R1 support', characters 0-1"

    @pytest.mark.parametrize(("start", "end"), [(0, 99), (-1, 2), (3, 3)])
    def test_a_selection_outside_its_document(self, tmp_path: Path, start: int, end: int) -> None:
        document = Document("R1 challenge", "Short.", [Selection(start, end, ["involved"])])
        error = refused(write_qdpx(tmp_path / "p.qdpx", [document]))
        assert "lies outside its document, which has 6 positions" in error.problem
        assert "Getting people involved" in error.problem
        assert f"characters {start}-{end}" in (error.place or "")
        assert "coding.offsets" in (error.action or "")

    def test_a_document_the_link_ties_to_no_response(self, tmp_path: Path) -> None:
        document = Document("Focus group notes", "x", [Selection(0, 1, ["involved"])])
        error = refused(write_qdpx(tmp_path / "p.qdpx", [document]))
        assert "'Focus group notes' holds coding" in error.problem
        assert "coding.link" in (error.action or "")

    def test_a_source_that_is_not_utf8(self, tmp_path: Path) -> None:
        document = Document("R1 challenge", "x", [Selection(0, 1, ["involved"])])
        document.guid = "05000000-0000-4000-8000-000000000077"
        document.path = f"internal://{document.guid}.txt"
        path = write_qdpx(
            tmp_path / "p.qdpx", [document], extra={f"sources/{document.guid}.txt": b"caf\xe9"}
        )
        assert "is not UTF-8" in refused(path).problem

    def test_an_entry_outside_its_folder(self, tmp_path: Path) -> None:
        document = Document("R1 challenge", "x", [Selection(0, 1, ["involved"])])
        path = write_qdpx(tmp_path / "p.qdpx", [document], extra={"../../etc/evil": b"x"})
        assert "an entry outside its folder: '../../etc/evil'" in refused(path).problem

    def test_a_zip_bomb_is_refused_before_it_is_expanded(self, tmp_path: Path) -> None:
        document = Document("R1 challenge", "x", [Selection(0, 1, ["involved"])])
        path = write_qdpx(tmp_path / "p.qdpx", [document], extra={"sources/big.txt": bytes(2**25)})
        assert "is a zip bomb or damaged" in refused(path).problem

    def test_several_project_files(self, tmp_path: Path) -> None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("a.qde", "<Project/>")
            archive.writestr("b.qde", "<Project/>")
        path = tmp_path / "p.qdpx"
        path.write_bytes(buffer.getvalue())
        assert "several project files: a.qde, b.qde" in refused(path).problem
