"""The synthetic coding as each qualitative-analysis tool exports it, one writer per format.

The analysts coded each answer as a document of its own, named ``"{response_id} {question}"``
(``PMS20-0104 challenge``), holding the answer exactly as the respondent's kept submission
has it (the latest ``Complete`` one): stray spaces, line breaks, typographic quotes and all.
Each reference is a coded passage: the span of the answer that holds its code's sentence(s)
from ``sentences.yml``, found whatever the case, spacing and quote style; where no sentence
of the code is in the answer (the brief's quotes, or a second coder's other reading), the
whole answer. ``CodedDocuments.of`` builds the documents and passages once; the writers
turn them into a tool's files, to be read back through the matching mapping in
``resources/synth/sources/coding/<format>.yml``:

- ``csv``: this project's own columns, one row per reference and coder;
- ``qdpx``: a REFI-QDA project as NVivo for Windows writes it;
- ``qualcoder``: QualCoder's "Report > Coding" CSV for files;
- ``taguette``: Taguette's highlights CSV, one export per coder;

and ``write_qdc``, the REFI-QDA codebook that accompanies the CSV formats as the tool's code
tree. Every GUID is a ``uuid5`` of a stable name and every time stamp is fixed, so the same
coding always gives the same bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd
import yaml
from lxml import etree

from ltbrief.codebook import Codebook
from ltbrief.io import write_bytes, write_csv
from ltbrief.paths import resource
from ltbrief.sources.mapping import Coding

PROJECT_NAMESPACE = "urn:QDA-XML:project:1.0"
CODEBOOK_NAMESPACE = "urn:QDA-XML:codebook:1.0"
SCHEMA_INSTANCE = "http://www.w3.org/2001/XMLSchema-instance"
PROJECT_SCHEMA = "http://schema.qdasoftware.org/versions/Project/v1.0/Project.xsd"
CODEBOOK_SCHEMA = "http://schema.qdasoftware.org/versions/Codebook/v1.0/Codebook.xsd"
ORIGIN = "NVivo 14 (synthetic)"
# The tool named as the origin of the codebook that comes with each CSV format.
CODEBOOK_ORIGINS = {
    "qualcoder": "QualCoder 3.6 (synthetic)",
    "taguette": "Taguette 1.5 (synthetic)",
}
PROJECT_NAME = "Partnership members' survey 2020 (synthetic)"
DOUBLE_CODED_SET = "Double-coded sample"
# The codebook's questions as the analysts named their top-level folders.
ROOT_NAMES = {"challenge": "Main challenge", "support": "Support needed"}
# After the survey closed: when the analysts finished coding, and exported their project.
CODED_AT = dt.datetime(2020, 9, 30, 15, 0, tzinfo=dt.UTC)
EXPORTED_AT = dt.datetime(2020, 10, 5, 16, 0, tzinfo=dt.UTC)
# Every GUID is uuid5(GUIDS, "<kind>:<stable name>").
GUIDS = uuid.uuid5(uuid.NAMESPACE_URL, "urn:ltbrief:synth:coding")
# The sub-themes' colours in the tool, in codebook order (a colour-blind-safe palette).
COLOURS = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442",
           "#332288", "#117733", "#882255", "#44aa99", "#999933", "#aa4499")  # fmt: skip

QUALCODER_HEADER = ("File", "Coder", "Coded", "Id", "Codename", "Coded_Memo", "Category",
                    "Category")  # fmt: skip
TAGUETTE_HEADER = ("id", "document", "tag", "content")
DOCUMENT_COLUMNS = ("name", "response_id", "question", "number", "text")
PASSAGE_COLUMNS = ("document", "coder", "code", "start", "end", "text")
CODE_COLUMNS = ("question", "theme_code", "theme_label", "subtheme_code", "subtheme_label")
QUOTE_STYLES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
SENTENCE_END = (".", "!", "?")
XML_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>\n'
ZIPPED_AT = EXPORTED_AT.timetuple()[:6]
MS_DOS = 0  # the zip entries' "made by" system, as NVivo for Windows writes them


@dataclass(frozen=True)
class CodedDocuments:
    """The coding as a QDA tool holds it: documents, coded passages and the code tree.

    ``documents``: one per (valid respondent, question) coded by anyone, in response id
    order (name, response_id, question, number, text). ``passages``: one per reference and
    coder (document, coder, code, start, end, text), ``start``/``end`` a slice of the
    document's text. ``references``: the generator's frame, one row per reference and coder.
    ``codes``: the sub-themes with their theme and question, in codebook order.
    """

    documents: pd.DataFrame
    passages: pd.DataFrame
    references: pd.DataFrame
    codes: pd.DataFrame

    @classmethod
    def of(
        cls, survey_export: pd.DataFrame, references: pd.DataFrame, codebook: Codebook
    ) -> CodedDocuments:
        """Build the documents and passages of ``references`` from the answers in the export."""
        codes = codebook.subthemes.loc[:, list(CODE_COLUMNS)].reset_index(drop=True)
        documents = _documents(survey_export, references, codebook.answer_columns)
        return cls(documents, _passages(documents, references, codes), references, codes)

    def for_coder(self, coder: str | None) -> CodedDocuments:
        """Only ``coder``'s references and passages (all of them for ``None``)."""
        if coder is None:
            return self
        return CodedDocuments(
            self.documents,
            self.passages.loc[self.passages["coder"] == coder].reset_index(drop=True),
            self.references.loc[self.references["coder"] == coder].reset_index(drop=True),
            self.codes,
        )


def write_references(coding: CodedDocuments, path: Path) -> Path:
    """Write this project's own coding CSV: ``response_id,question,code,coder``, one row each."""
    return write_csv(path, coding.references)


def write_qdpx(coding: CodedDocuments, path: Path) -> Path:
    """Write a REFI-QDA project (.qdpx) as NVivo for Windows exports one.

    ``project.qde`` at the root, then ``Sources/<guid>.txt`` per document: UTF-8 with a
    byte-order mark and CRLF line ends. Positions count UTF-16 code units of that text,
    without the mark, CRLF as two, end exclusive, as NVivo 12 and later do.
    """
    documents = coding.documents
    texts = {
        name: _crlf(text) for name, text in zip(documents["name"], documents["text"], strict=True)
    }
    entries = [("project.qde", _xml_bytes(_project(coding, texts)))]
    entries += [
        (f"Sources/{_guid('source', name)}.txt", text.encode("utf-8-sig"))
        for name, (text, _) in texts.items()
    ]
    return write_bytes(path, _zip_bytes(entries))


def write_qdc(coding: CodedDocuments, path: Path, origin: str = ORIGIN) -> Path:
    """Write a REFI-QDA codebook (.qdc): the code tree of the project, with the same GUIDs."""
    root = etree.Element(
        _tag(CODEBOOK_NAMESPACE, "CodeBook"),
        {_tag(SCHEMA_INSTANCE, "schemaLocation"): f"{CODEBOOK_NAMESPACE} {CODEBOOK_SCHEMA}"},
        nsmap={None: CODEBOOK_NAMESPACE, "xsi": SCHEMA_INSTANCE},
        origin=origin,
    )
    _code_tree(etree.SubElement(root, _tag(CODEBOOK_NAMESPACE, "Codes")), coding.codes)
    return write_bytes(path, _xml_bytes(root))


def write_qualcoder(coding: CodedDocuments, path: Path) -> Path:
    """Write QualCoder's "Report > Coding" CSV of text files, every coder in one file.

    One row per passage: file, coder, coded text, ``ctid:N``, code name, a blank memo and
    the categories leaf to root (the theme, then the question's folder). UTF-8 with a
    byte-order mark, every cell quoted, CRLF line ends.
    """
    labels = coding.codes.set_index("subtheme_code")
    rows: list[Sequence[str]] = [QUALCODER_HEADER]
    for number, passage in enumerate(_ordered_passages(coding), start=1):
        code = labels.loc[passage.code]
        rows.append(
            (passage.document, passage.coder, passage.text, f"ctid:{number}",
             code["subtheme_label"], "", code["theme_label"], ROOT_NAMES[code["question"]])
        )  # fmt: skip
    return write_bytes(path, _csv_text(rows, quoting=csv.QUOTE_ALL).encode("utf-8-sig"))


def write_taguette(coding: CodedDocuments, path: Path) -> Path:
    """Write Taguette's highlights CSV: ``id,document,tag,content``, one row per tag.

    A highlight is a span of a document; codes on the same span are one highlight with a row
    per tag. Tags are the sub-theme codes. Taguette names no coder: export one coder's
    coding (``CodedDocuments.for_coder``) per file. The csv module's defaults, no BOM.
    """
    passages = pd.DataFrame(_ordered_passages(coding), columns=list(PASSAGE_COLUMNS))
    passages = passages.drop_duplicates(["document", "start", "end", "code"])
    rows: list[Sequence[object]] = [TAGUETTE_HEADER]
    highlights = passages.groupby(["document", "start", "end"], sort=False)
    for number, ((document, _, _), highlight) in enumerate(highlights, start=1):
        rows += [
            (number, document, code, text)
            for code, text in zip(highlight["code"], highlight["text"], strict=True)
        ]
    return write_bytes(path, _csv_text(rows).encode("utf-8"))


WRITERS: dict[str, Callable[[CodedDocuments, Path], Path]] = {
    "csv": write_references,
    "qdpx": write_qdpx,
    "qualcoder": write_qualcoder,
    "taguette": write_taguette,
}


def write_coding(
    coding: CodedDocuments, section: Coding, raw_file: Callable[[str], Path]
) -> list[Path]:
    """Write the files a mapping's ``coding`` section names, in its format.

    Its ``file`` holds every coder's coding; each of its ``files`` one coder's. Then the
    codebook, where it names one. Returns the paths written, in that order.
    """
    writer = WRITERS[section.format]
    if section.file:
        written = [writer(coding, raw_file(section.file))]
    else:
        written = [
            writer(coding.for_coder(entry.coder), raw_file(entry.file))
            for entry in section.files or []
        ]
    if section.codebook:
        origin = CODEBOOK_ORIGINS.get(section.format, ORIGIN)
        written.append(write_qdc(coding, raw_file(section.codebook), origin))
    return written


def folded(text: str) -> tuple[str, list[int]]:
    """``text`` as the passage search compares it, and where each of its characters came from.

    Case is folded, typographic quotes made straight, and every run of whitespace one space;
    ``where[i]`` is the index in ``text`` of the folded string's character ``i``.
    """
    characters: list[str] = []
    where: list[int] = []
    for index, character in enumerate(text):
        if character.isspace():
            if characters and characters[-1] == " ":
                continue
            piece = " "
        else:
            piece = character.translate(QUOTE_STYLES).casefold()
        characters.append(piece)
        where.extend([index] * len(piece))
    return "".join(characters), where


def _documents(
    survey_export: pd.DataFrame, references: pd.DataFrame, columns: dict[str, str]
) -> pd.DataFrame:
    """One document per (respondent, question) coded by anyone, with the kept answer's text."""
    complete = survey_export.loc[survey_export["status"] == "Complete"]
    moment = pd.to_datetime(complete["submitted_at"], format="ISO8601", utc=True)
    kept = (
        complete.assign(moment=moment)
        .sort_values("moment", kind="stable")
        .drop_duplicates("response_id", keep="last")
        .set_index("response_id")
    )
    units = references.loc[:, ["response_id", "question"]].drop_duplicates()
    units = units.assign(number=units["response_id"].str.extract(r"(\d+)$")[0].astype(int))
    units = units.sort_values(["number", "question"], kind="stable", ignore_index=True)
    texts = [
        kept.at[response_id, columns[question]]
        for response_id, question in zip(units["response_id"], units["question"], strict=True)
    ]
    names = units["response_id"] + " " + units["question"]
    return units.assign(name=names, text=texts).loc[:, list(DOCUMENT_COLUMNS)]


def _passages(
    documents: pd.DataFrame, references: pd.DataFrame, codes: pd.DataFrame
) -> pd.DataFrame:
    """Each reference's passage: the span of its code's sentences, else the whole answer."""
    bank = yaml.safe_load(resource("synth", "sentences.yml").read_text(encoding="utf-8"))
    searches = {
        question: _Search.of(bank, question, list(group["subtheme_code"]))
        for question, group in codes.groupby("question", sort=False)
    }
    text_of = documents.set_index("name")["text"]
    names = references["response_id"] + " " + references["question"]
    rows = []
    for name, question, coder, code in zip(
        names, references["question"], references["coder"], references["code"], strict=True
    ):
        text = text_of[name]
        start, end = searches[question].span(text, code)
        rows.append((name, coder, code, start, end, text[start:end]))
    return pd.DataFrame(rows, columns=list(PASSAGE_COLUMNS))


@dataclass(frozen=True)
class _Search:
    """Finds where an answer holds a code's sentences, among everything else it may say.

    ``sentences``: each folded sentence with its code, or ``None`` for the openers, closers
    and remarks that are no code's; a match inside a longer match does not count.
    """

    sentences: tuple[tuple[str, str | None], ...]

    @classmethod
    def of(cls, bank: dict[str, Any], question: str, codes: list[str]) -> _Search:
        """The sentences of ``question``'s codes and the rest of its sentence banks."""
        coded = [(sentence, code) for code in codes for sentence in bank["codes"][code]]
        other = [
            (sentence, None)
            for kind in ("openers", "closers", "uncoded")
            for sentence in bank[kind][question]
        ]
        return cls(tuple((folded(sentence.strip())[0], code) for sentence, code in coded + other))

    def span(self, text: str, code: str) -> tuple[int, int]:
        """The slice of ``text`` from the first to the last of ``code``'s sentences in it."""
        searched, where = folded(text)
        matches = list(self._matches(searched))
        own = [
            (start, end)
            for start, end, owner in matches
            if owner == code
            and not any(s <= start and end <= e and (s, e) != (start, end) for s, e, _ in matches)
        ]
        if not own:
            return 0, len(text)
        start, end = min(start for start, _ in own), max(end for _, end in own)
        return where[start], where[end - 1] + 1

    def _matches(self, searched: str) -> Iterator[tuple[int, int, str | None]]:
        """Every whole-word occurrence of each sentence, with a following full stop added
        where the sentence has no end of its own (the generator ends such pieces)."""
        for sentence, owner in self.sentences:
            start = searched.find(sentence)
            while start != -1:
                end = start + len(sentence)
                if _word_edge(searched, start - 1) and _word_edge(searched, end):
                    if not sentence.endswith(SENTENCE_END) and searched[end : end + 1] == ".":
                        end += 1
                    yield start, end, owner
                start = searched.find(sentence, start + 1)


def _word_edge(text: str, index: int) -> bool:
    """Whether ``text[index]`` is outside the text or not a letter or digit."""
    return not 0 <= index < len(text) or not text[index].isalnum()


class _Passage(NamedTuple):
    document: str
    coder: str
    code: str
    start: int
    end: int
    text: str


def _ordered_passages(coding: CodedDocuments) -> list[_Passage]:
    """The passages by document (response id order), coder, position and code."""
    rank = {name: index for index, name in enumerate(coding.documents["name"])}
    passages = coding.passages.assign(rank=coding.passages["document"].map(rank))
    passages = passages.sort_values(["rank", "coder", "start", "end", "code"], kind="stable")
    rows = passages.loc[:, list(PASSAGE_COLUMNS)].itertuples(index=False, name=None)
    return [_Passage(*row) for row in rows]


def _crlf(text: str) -> tuple[str, list[int]]:
    """``text`` with CRLF line ends, and each position of ``text`` counted in it.

    ``offsets[i]`` is where character ``i`` of ``text`` begins in the converted text, in
    UTF-16 code units (a character beyond U+FFFF counts two); ``offsets[len(text)]`` its end.
    """
    pieces: list[str] = []
    offsets = [0]
    for index, character in enumerate(text):
        if character == "\n":
            piece = "\n" if text[index - 1 : index] == "\r" else "\r\n"
        elif character == "\r":
            piece = "\r" if text[index + 1 : index + 2] == "\n" else "\r\n"
        else:
            piece = character
        pieces.append(piece)
        offsets.append(offsets[-1] + len(piece.encode("utf-16-le")) // 2)
    return "".join(pieces), offsets


def _guid(kind: str, name: str) -> str:
    """The GUID of a ``kind`` of thing (source, code, user...) named ``name``, lower case."""
    return str(uuid.uuid5(GUIDS, f"{kind}:{name}"))


def _tag(namespace: str, name: str) -> str:
    return f"{{{namespace}}}{name}"


def _element(parent: etree._Element, local: str, /, **attributes: str) -> etree._Element:
    """A child ``local`` of ``parent`` in its namespace, attributes in the order given."""
    namespace = etree.QName(parent).namespace
    return etree.SubElement(parent, _tag(namespace, local), attributes)


def _timestamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _code_tree(codes_element: etree._Element, codes: pd.DataFrame) -> None:
    """Fill ``Codes`` with a folder per question, one per theme, and the sub-themes to code."""
    colours = {
        code: COLOURS[index % len(COLOURS)] for index, code in enumerate(codes["subtheme_code"])
    }
    for question, themes in codes.groupby("question", sort=False):
        root = _element(
            codes_element, "Code", guid=_guid("question", question),
            name=ROOT_NAMES[question], isCodable="false",
        )  # fmt: skip
        for (theme, label), subthemes in themes.groupby(["theme_code", "theme_label"], sort=False):
            folder = _element(
                root, "Code", guid=_guid("theme", theme), name=label, isCodable="false"
            )
            for code, name in subthemes.loc[:, ["subtheme_code", "subtheme_label"]].itertuples(
                index=False
            ):
                _element(
                    folder, "Code", guid=_guid("code", code), name=name, isCodable="true",
                    color=colours[code],
                )  # fmt: skip


def _project(coding: CodedDocuments, texts: dict[str, tuple[str, list[int]]]) -> etree._Element:
    """``project.qde``: users, code book, cases, sources with their coding, the sample set.

    The coders in the order the references first name them: the first coded every answer,
    the answers the others coded too form the set. Elements follow the schema's order:
    Users, CodeBook, Cases, Sources, Sets.
    """
    coders = list(dict.fromkeys(coding.references["coder"]))
    users = {coder: _guid("user", coder) for coder in sorted(coders)}
    project = etree.Element(
        _tag(PROJECT_NAMESPACE, "Project"),
        {_tag(SCHEMA_INSTANCE, "schemaLocation"): f"{PROJECT_NAMESPACE} {PROJECT_SCHEMA}"},
        nsmap={None: PROJECT_NAMESPACE, "xsi": SCHEMA_INSTANCE},
        name=PROJECT_NAME,
        origin=ORIGIN,
        creatingUserGUID=users[coders[0]],
        creationDateTime=_timestamp(EXPORTED_AT),
    )
    users_element = _element(project, "Users")
    for coder, guid in users.items():
        _element(users_element, "User", guid=guid, name=coder)
    _code_tree(_element(_element(project, "CodeBook"), "Codes"), coding.codes)
    documents = coding.documents
    cases = _element(project, "Cases")
    for response_id, own in documents.groupby("response_id", sort=False):
        case = _element(cases, "Case", guid=_guid("case", response_id), name=response_id)
        for name in own["name"]:
            _element(case, "SourceRef", targetGUID=_guid("source", name))
    _sources(_element(project, "Sources"), coding, texts, users, coders[0])
    others = coding.passages["coder"].isin(coders[1:])
    sample = coding.passages.loc[others, "document"].unique()
    if sample.size:
        members = _element(
            _element(project, "Sets"), "Set", guid=_guid("set", DOUBLE_CODED_SET),
            name=DOUBLE_CODED_SET,
        )  # fmt: skip
        _element(
            members, "Description"
        ).text = f"The answers {' and '.join(coders[1:])} coded as well as {coders[0]}."
        for name in documents.loc[documents["name"].isin(sample), "name"]:
            _element(members, "MemberSource", targetGUID=_guid("source", name))
    return project


def _sources(
    sources: etree._Element,
    coding: CodedDocuments,
    texts: dict[str, tuple[str, list[int]]],
    users: dict[str, str],
    first: str,
) -> None:
    """A ``TextSource`` per document, with a ``PlainTextSelection`` per passage in it.

    The sources were imported by ``first``, the coder who coded every answer.
    """
    ordered = coding.passages.sort_values(["start", "end", "coder", "code"], kind="stable")
    passages: dict[str, list[tuple[str, str, int, int]]] = {}
    for document, coder, code, start, end, _ in ordered.itertuples(index=False):
        passages.setdefault(document, []).append((coder, code, start, end))
    coded_at = _timestamp(CODED_AT)
    for name in coding.documents["name"]:
        guid = _guid("source", name)
        source = _element(
            sources, "TextSource", guid=guid, name=name, plainTextPath=f"internal://{guid}.txt",
            creatingUser=users[first], creationDateTime=coded_at,
        )  # fmt: skip
        offsets = texts[name][1]
        for coder, code, start, end in passages[name]:
            unit = f"{coder}:{name}:{code}"
            selection = _element(
                source, "PlainTextSelection", guid=_guid("selection", unit), name="",
                startPosition=str(offsets[start]), endPosition=str(offsets[end]),
                creatingUser=users[coder], creationDateTime=coded_at,
            )  # fmt: skip
            marked = _element(
                selection, "Coding", guid=_guid("coding", unit), creatingUser=users[coder],
                creationDateTime=coded_at,
            )  # fmt: skip
            _element(marked, "CodeRef", targetGUID=_guid("code", code))


def _xml_bytes(root: etree._Element) -> bytes:
    """The document as UTF-8, indented, under the declaration the tools write."""
    return XML_DECLARATION + etree.tostring(root, encoding="utf-8", pretty_print=True)


def _zip_bytes(entries: Sequence[tuple[str, bytes]]) -> bytes:
    """A zip of ``entries`` in the order given, deflated, every entry dated ``ZIPPED_AT``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=ZIPPED_AT)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = MS_DOS
            archive.writestr(info, data)
    return buffer.getvalue()


def _csv_text(rows: Sequence[Sequence[object]], quoting: int = csv.QUOTE_MINIMAL) -> str:
    """Rows as the csv module writes them (CRLF line ends)."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer, quoting=quoting).writerows(rows)
    return buffer.getvalue()
