"""The synthetic survey as each tool exports it reads back to the same canonical frame."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
import python_calamine
import yaml

from ltbrief import synth
from ltbrief.codebook import Codebook, load_codebook
from ltbrief.paths import PATHS, ProjectPaths
from ltbrief.sources.mapping import load_sources
from ltbrief.sources.survey import read_survey
from ltbrief.synth import exports

TOOL_LAYOUTS = ("xlsx", "qualtrics", "surveymonkey", "forms")
PERSONAL_COLUMNS = {
    "qualtrics": ("IPAddress", "RecipientLastName", "RecipientFirstName", "RecipientEmail",
                  "LocationLatitude", "LocationLongitude"),
    "surveymonkey": ("IP Address", "Email Address", "First Name", "Last Name"),
    "forms": ("Email", "Name"),
}  # fmt: skip
HEADER_ROWS = {"qualtrics": 3, "surveymonkey": 2, "forms": 1}
# Answers a careless writer changes: formulas, numbers, dates, links, spaces, line breaks,
# and Excel's own escape for a carriage return typed as text.
TRICKY_ANSWERS = (
    "=SUM(A1:A2)", "0123", "1e5", "12.50", "TRUE", "#N/A", "@home", "-5", "2020-06-01",
    "https://example.org/x", "+44 7700 900123", "  both ends  ", "\tafter a tab", " ", "\n",
    "one\r\ntwo", "one\n\ntwo\n", "a\rb", "_x000D_ as text", 'say "hi", then',
    "café – “curly”", "'quoted",
)  # fmt: skip


@pytest.fixture(scope="module")
def survey() -> synth.SyntheticSurvey:
    return synth.generate(scale=1)


@pytest.fixture(scope="module")
def real_codebook() -> Codebook:
    return load_codebook(PATHS.codebook)


@pytest.fixture(scope="module")
def project(
    survey: synth.SyntheticSurvey, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str], ProjectPaths]:
    """A temporary project with the survey written in a layout, written once per layout."""
    written: dict[str, ProjectPaths] = {}

    def write(layout: str) -> ProjectPaths:
        if layout not in written:
            paths = ProjectPaths.at(tmp_path_factory.mktemp(layout))
            synth.write(survey, paths, layout)
            shutil.copyfile(PATHS.codebook, paths.codebook)
            written[layout] = paths
        return written[layout]

    return write


@pytest.fixture(scope="module")
def canonical(
    project: Callable[[str], ProjectPaths], real_codebook: Codebook
) -> Callable[[str], pd.DataFrame]:
    """The canonical frame read back from a layout, without the spreadsheet row numbers."""
    read: dict[str, pd.DataFrame] = {}

    def frame(layout: str) -> pd.DataFrame:
        if layout not in read:
            read[layout] = read_canonical(project(layout), real_codebook)
        return read[layout]

    return frame


def read_canonical(paths: ProjectPaths, codebook: Codebook) -> pd.DataFrame:
    sources = load_sources(paths, list(codebook.answer_columns))
    frame = read_survey(paths, sources, codebook.answer_columns).frame
    return frame.drop(columns="row").reset_index(drop=True)


def survey_file(paths: ProjectPaths) -> Path:
    return paths.raw_file(
        yaml.safe_load(paths.sources.read_text(encoding="utf-8"))["survey"]["file"]
    )


def raw_rows(path: Path) -> list[list[object]]:
    """Every row of a raw export as its tool wrote it: CSV text, or a workbook's first sheet."""
    if path.suffix == ".xlsx":
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        return workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def as_the_tool_keeps_it(expected: pd.DataFrame, layout: str) -> pd.DataFrame:
    """The csv layout's frame less what the tool legitimately does not keep."""
    if layout == "forms":
        return expected.loc[expected["status"] == "Complete"].reset_index(drop=True)
    if layout in ("qualtrics", "surveymonkey"):
        partial = expected["status"] == "Partial"
        return expected.assign(consent_to_quote=expected["consent_to_quote"].mask(partial, ""))
    return expected


@pytest.mark.parametrize("layout", TOOL_LAYOUTS)
def test_reads_back_to_the_csv_layouts_canonical_frame(
    layout: str, canonical: Callable[[str], pd.DataFrame]
) -> None:
    expected = as_the_tool_keeps_it(canonical("csv"), layout)
    got = canonical(layout)
    assert list(got.columns) == list(expected.columns)
    for column in expected.columns:
        pd.testing.assert_series_equal(got[column], expected[column], obj=f"{layout} {column}")


def test_the_comparison_covers_previews_and_consent_on_partial_rows(
    canonical: Callable[[str], pd.DataFrame],
) -> None:
    expected = canonical("csv")
    partial = expected["status"] == "Partial"
    assert set(expected["status"]) == {"Complete", "Partial", "Preview"}
    assert (expected.loc[partial, "consent_to_quote"] != "").all()


@pytest.mark.parametrize("layout", TOOL_LAYOUTS)
def test_every_answer_is_kept_exactly(layout: str, tmp_path: Path, real_codebook: Codebook) -> None:
    count = len(TRICKY_ANSWERS)
    export = pd.DataFrame(
        {
            "response_id": [f"PMS20-{number:04d}" for number in range(1, count + 1)],
            "submitted_at": [
                f"2020-06-{day:02d}T{day:02d}:14:59+01:00" for day in range(1, count + 1)
            ],
            "status": "Complete",
            "area": TRICKY_ANSWERS,
            "main_challenge": TRICKY_ANSWERS[::-1],
            "support_needed": TRICKY_ANSWERS,
            "consent_to_quote": "Yes",
        },
        dtype=object,
    )
    paths = ProjectPaths.at(tmp_path)
    paths.sources.parent.mkdir(parents=True)
    paths.sources.write_text(synth.sources_text(layout), encoding="utf-8")
    exports.EXPORTERS[layout](export, survey_file(paths))
    got = read_canonical(paths, real_codebook)
    for column in export.columns:
        assert got[column].tolist() == export[column].tolist(), column


@pytest.mark.parametrize("layout", sorted(exports.EXPORTERS))
def test_writes_the_same_bytes_twice(
    layout: str, survey: synth.SyntheticSurvey, tmp_path: Path
) -> None:
    first = exports.EXPORTERS[layout](survey.survey_export, tmp_path / "first")
    second = exports.EXPORTERS[layout](survey.survey_export, tmp_path / "second")
    assert first.read_bytes() == second.read_bytes()
    assert not [path.name for path in tmp_path.iterdir() if path.name.endswith(".tmp")]


@pytest.mark.parametrize("layout", sorted(PERSONAL_COLUMNS))
def test_personal_values_never_reach_the_canonical_frame(
    layout: str,
    project: Callable[[str], ProjectPaths],
    canonical: Callable[[str], pd.DataFrame],
) -> None:
    header, *rows = raw_rows(survey_file(project(layout)))
    personal = {
        str(row[header.index(name)])
        for row in rows[HEADER_ROWS[layout] - 1 :]
        for name in PERSONAL_COLUMNS[layout]
    } - {""}
    assert personal
    cells = canonical(layout).to_numpy().ravel().tolist()
    assert not personal & set(cells)
    # Addresses and coordinates are distinctive enough to look for inside answers too.
    distinctive = [value for value in personal if re.search(r"[0-9@]", value)]
    text = "\x00".join(cells)
    assert not [value for value in distinctive if value in text]


@pytest.mark.parametrize("layout", ["qualtrics", "surveymonkey"])
def test_personal_columns_are_blank_for_previews(
    layout: str, project: Callable[[str], ProjectPaths], canonical: Callable[[str], pd.DataFrame]
) -> None:
    rows = raw_rows(survey_file(project(layout)))
    header, body = rows[0], rows[HEADER_ROWS[layout] :]
    preview = (canonical(layout)["status"] == "Preview").tolist()
    for name in PERSONAL_COLUMNS[layout]:
        values = [row[header.index(name)] for row in body]
        assert all(value == "" for value, test in zip(values, preview, strict=True) if test)
        assert all(value != "" for value, test in zip(values, preview, strict=True) if not test)


@pytest.mark.parametrize("layout", TOOL_LAYOUTS)
def test_the_mapping_loads_and_names_the_written_file(
    layout: str, project: Callable[[str], ProjectPaths], real_codebook: Codebook
) -> None:
    paths = project(layout)
    survey = load_sources(paths, list(real_codebook.answer_columns)).model.survey
    assert survey.layout == layout
    assert paths.raw_file(survey.file).is_file()


def test_question_texts_are_the_codebooks(real_codebook: Codebook) -> None:
    assert {q.key: q.text for q in real_codebook.questions} == exports.QUESTION_TEXTS


def test_qualtrics_has_three_header_rows_and_json_import_ids(
    project: Callable[[str], ProjectPaths],
) -> None:
    path = survey_file(project("qualtrics"))
    data = path.read_bytes()
    assert data.startswith(b"StartDate,EndDate,Status,") and b"\r\n" in data
    tags, descriptions, import_ids, *_ = raw_rows(path)
    described = [json.loads(cell) for cell in import_ids]
    assert all(isinstance(cell, dict) and cell["ImportId"] for cell in described)
    assert import_ids[0] == '{"ImportId":"startDate","timeZone":"Europe/London"}'
    zoned = {cell["ImportId"] for cell in described if "timeZone" in cell}
    assert zoned == {"startDate", "endDate", "recordedDate"}
    assert descriptions[tags.index("ResponseId")] == "Response ID"
    assert described[tags.index("ExternalReference")] == {"ImportId": "externalDataReference"}
    assert tags[-2:] == ["Q5", "Q5_4_TEXT"]
    assert descriptions[-1] == "What is your role in the partnership? - Other - Text"


def test_qualtrics_metadata_agrees_with_itself(project: Callable[[str], ProjectPaths]) -> None:
    tags, _, _, *body = raw_rows(survey_file(project("qualtrics")))
    frame = pd.DataFrame(body, columns=tags)
    start, end, recorded = (
        pd.to_datetime(frame[name], format="%Y-%m-%d %H:%M:%S")
        for name in ("StartDate", "EndDate", "RecordedDate")
    )
    seconds = frame["Duration (in seconds)"].astype(int)
    assert ((end - start).dt.total_seconds() == seconds).all() and seconds.between(90, 1800).all()
    assert (recorded - end).dt.total_seconds().between(0, 3).all()
    assert frame["ResponseId"].str.fullmatch(r"R_[A-Za-z0-9]{15}").all()
    assert frame["ResponseId"].is_unique
    finished = frame["Finished"] == "1"
    assert (frame.loc[finished, "Progress"] == "100").all()
    assert frame.loc[~finished, "Progress"].astype(int).between(10, 90).all()
    assert set(frame["Status"]) <= {"0", "1", "2"}


def test_surveymonkey_has_two_header_rows_and_a_byte_order_mark(
    project: Callable[[str], ProjectPaths],
) -> None:
    path = survey_file(project("surveymonkey"))
    assert path.read_bytes().startswith(codecs.BOM_UTF8 + b"Respondent ID,Collector ID,")
    questions, subheaders, *body = raw_rows(path)
    assert subheaders[:9] == [""] * 9
    role = questions.index("What is your role in the partnership?")
    assert questions[role + 1 : role + 4] == ["", "", ""]
    assert subheaders[role : role + 4] == [
        "Chair", "Partnership member", "Big Local worker", "Other (please specify)",
    ]  # fmt: skip
    ticked = [cell for row in body for cell in row[role : role + 4] if cell]
    assert set(ticked) <= set(subheaders[role : role + 4])
    respondents = [row[0] for row in body]
    assert all(re.fullmatch(r"[0-9]{11}", value) for value in respondents)
    assert len(set(respondents)) == len(respondents)


@pytest.mark.parametrize(
    ("layout", "columns"),
    [("xlsx", ("submitted_at",)), ("forms", ("Start time", "Completion time"))],
)
def test_workbook_times_are_date_cells(
    layout: str, columns: tuple[str, ...], project: Callable[[str], ProjectPaths]
) -> None:
    paths = project(layout)
    workbook = python_calamine.CalamineWorkbook.from_path(str(survey_file(paths)))
    sheet = "Responses" if layout == "xlsx" else "Sheet1"
    assert workbook.sheet_names == (["About", "Responses"] if layout == "xlsx" else ["Sheet1"])
    header, *body = workbook.get_sheet_by_name(sheet).to_python()
    for name in columns:
        assert all(type(row[header.index(name)]) is dt.datetime for row in body), name
    if layout == "forms":
        start, end = header.index("Start time"), header.index("Completion time")
        assert all(row[start] < row[end] for row in body)
        assert [row[header.index("ID")] for row in body] == list(range(1, len(body) + 1))


def test_workbooks_hold_no_time_of_writing(survey: synth.SyntheticSurvey, tmp_path: Path) -> None:
    path = exports.EXPORTERS["xlsx"](survey.survey_export, tmp_path / "export.xlsx")
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as archive:
        core = archive.read("docProps/core.xml").decode()
    assert "2020-09-02T09:30:00Z" in core
