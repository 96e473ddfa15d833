"""Every bad input the build must refuse clearly, or read correctly where it is legitimate.

Each case is a recipe applied to a copy of a project whose last build succeeded, and what
``python -m ltbrief --project COPY build`` must then do: stop with one message naming the
file, the row or line, the column, what was expected and what to do (``Fails``), or build
and say in its notebooks what it had to do (``Builds``). README.md lists the cases.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ltbrief import synth
from ltbrief.io import read_parquet
from ltbrief.paths import ProjectPaths
from ltbrief.sources.mapping import raw_inputs
from ltbrief.synth.exports import EXPORTERS

SURVEY = "data/raw/survey_export.csv"
CODING = "data/raw/coded_references.csv"
AREAS = "data/raw/areas.csv"
CHECKSUMS = "data/raw/SHA256SUMS"
CODEBOOK = "data/codebook.yml"
SOURCES = "data/sources.yml"
QUALTRICS = "data/raw/qualtrics_export.csv"
SURVEYMONKEY = "data/raw/surveymonkey_export.csv"
WORKBOOK = "data/raw/survey_export.xlsx"
FORMS = "data/raw/forms_export.xlsx"
QDPX = "data/raw/coding.qdpx"
QUALCODER_CODES = "data/raw/codebook.qdc"
REPORT = "report.qmd"
RESPONSES = "data/interim/responses.parquet"

Recipe = Callable[[Path], None]


@dataclass(frozen=True)
class Fails:
    """The build stops, and its one message says all of this.

    ``row`` is a spreadsheet row, the first cell of the row meant (as it is in the good
    project), or -1 for a row added after the last; ``line`` is a line number, or text
    found (last) in the changed file on the line meant.
    """

    file: str
    says: tuple[str, ...]
    stage: str | None = None
    row: int | str | None = None
    line: int | str | None = None
    column: str | None = None


@dataclass(frozen=True)
class Builds:
    """The build succeeds; its executed notebooks print ``notes``; ``check`` passes."""

    notes: tuple[str, ...] = ()
    check: Callable[[Path, Path], None] | None = None


@dataclass(frozen=True)
class Case:
    """One bad input: how to make it from a good project, and what the build must do.

    Changed raw data is recorded in ``SHA256SUMS``, as for a new export on purpose,
    unless ``record_checksums`` is false. ``gap`` says what the build does not do yet:
    the case is then expected to fail until it does.
    """

    name: str
    about: str
    recipe: Sequence[Recipe]
    expect: Fails | Builds
    record_checksums: bool = True
    gap: str | None = None

    def apply(self, root: Path) -> None:
        """Make the bad input in the project at ``root``."""
        for step in self.recipe:
            step(root)
        if self.record_checksums:
            record_checksums(root / CHECKSUMS)


def _text(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


def _write_text(path: Path, text: str) -> None:
    path.write_bytes(text.encode("utf-8"))


def replace(file: str, old: str, new: str) -> Recipe:
    """Replace the first ``old`` in a UTF-8 file with ``new``."""

    def apply(root: Path) -> None:
        text = _text(root / file)
        assert old in text, f"{old!r} is not in {file}: the committed data changed"
        _write_text(root / file, text.replace(old, new, 1))

    return apply


def in_record(file: str, first_cell: str, old: str, new: str) -> Recipe:
    """Replace the first ``old`` at or after the line that starts with ``first_cell,``."""

    def apply(root: Path) -> None:
        text = _text(root / file)
        start = text.index(f"\n{first_cell},") + 1
        at = text.index(old, start)
        _write_text(root / file, text[:at] + new + text[at + len(old) :])

    return apply


def cut(file: str, start: str, end: str, new: str) -> Recipe:
    """Replace the text from ``start`` up to ``end`` (kept) with ``new``."""

    def apply(root: Path) -> None:
        text = _text(root / file)
        head, tail = text[: text.index(start)], text[text.index(start) :]
        _write_text(root / file, head + new + tail[tail.index(end) :])

    return apply


def append(file: str, text: str) -> Recipe:
    """Add ``text`` at the end of a file."""

    def apply(root: Path) -> None:
        _write_text(root / file, _text(root / file) + text)

    return apply


def write(file: str, data: bytes) -> Recipe:
    """Replace a file's bytes."""

    def apply(root: Path) -> None:
        (root / file).write_bytes(data)

    return apply


def remove(file: str) -> Recipe:
    """Delete a file."""

    def apply(root: Path) -> None:
        (root / file).unlink()

    return apply


def transcode(file: str, encoding: str, mark: bytes = b"") -> Recipe:
    """Save a UTF-8 file in another encoding, after ``mark``."""

    def apply(root: Path) -> None:
        (root / file).write_bytes(mark + _text(root / file).encode(encoding))

    return apply


def replace_bytes(file: str, old: bytes, new: bytes) -> Recipe:
    """Replace the first ``old`` bytes of a file with ``new``."""

    def apply(root: Path) -> None:
        data = (root / file).read_bytes()
        assert old in data, f"{old!r} is not in {file}: the committed data changed"
        (root / file).write_bytes(data.replace(old, new, 1))

    return apply


def rewrite_csv(
    file: str,
    change: Callable[[list[list[str]]], list[list[str]]],
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> Recipe:
    """Read a CSV file's rows, change them, and write them back as a tool would."""

    def apply(root: Path) -> None:
        rows = list(csv.reader(io.StringIO(_text(root / file), newline="")))
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(change(rows))
        (root / file).write_bytes(buffer.getvalue().encode(encoding))

    return apply


def as_layout(layout: str, change: Callable[[pd.DataFrame], pd.DataFrame] | None = None) -> Recipe:
    """Replace the survey export with the synthetic one as ``layout``'s tool writes it.

    ``change`` edits the export (in this project's columns) before the tool's layout is
    written; the project's data sources file becomes that layout's.
    """

    def apply(root: Path) -> None:
        survey, paths = synth.generate(), ProjectPaths.at(root)
        synth.write(survey, paths, layout)
        if change is not None:
            # The coding was written from the good export; only the survey file is broken.
            EXPORTERS[layout](change(survey.survey_export.copy()), raw_inputs(paths).survey)

    return apply


def as_coding(coding: str) -> Recipe:
    """Replace the coding export with the synthetic one as ``coding``'s tool writes it."""

    def apply(root: Path) -> None:
        synth.write(synth.generate(), ProjectPaths.at(root), "csv", coding)

    return apply


def in_zip(
    file: str,
    change: Callable[[str, bytes], bytes | None] = lambda name, data: data,
    add: dict[str, bytes] | None = None,
) -> Recipe:
    """Rewrite an archive: ``change`` each entry (None drops it), then ``add`` entries."""

    def apply(root: Path) -> None:
        path = root / file
        with zipfile.ZipFile(path) as archive:
            entries = [(info.filename, archive.read(info)) for info in archive.infolist()]
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in entries:
                changed = change(name, data)
                if changed is not None:
                    archive.writestr(name, changed)
            for name, data in (add or {}).items():
                archive.writestr(name, data)

    return apply


def _in_project(pattern: str, new: Callable[[re.Match[str]], str]) -> Callable[[str, bytes], bytes]:
    """Change the first match of ``pattern`` in project.qde."""

    def change(name: str, data: bytes) -> bytes:
        if name != "project.qde":
            return data
        text = data.decode("utf-8")
        match = re.search(pattern, text)
        assert match, f"{pattern!r} is not in project.qde: the generator changed"
        return (text[: match.start()] + new(match) + text[match.end() :]).encode("utf-8")

    return change


def _drop_first(folder: str) -> Callable[[str, bytes], bytes | None]:
    """Drop the archive's first entry in ``folder``, keeping every other."""
    dropped: list[str] = []

    def change(name: str, data: bytes) -> bytes | None:
        if name.startswith(folder) and not dropped:
            dropped.append(name)
            return None
        return data

    return change


def _rewrite_codes(file: str, change: Callable[[pd.DataFrame], pd.DataFrame]) -> Recipe:
    """Change the rows of the coding CSV, as another export of it would."""

    def apply(root: Path) -> None:
        frame = pd.read_csv(root / file, dtype=str, keep_default_na=False)
        (root / file).write_text(change(frame).to_csv(index=False, lineterminator="\n"))

    return apply


def _second_coder_disagrees(frame: pd.DataFrame) -> pd.DataFrame:
    """Analyst B gives every answer one catch-all code of its question: alpha falls."""
    other = {"challenge": "CH-DEL-OTHER", "support": "SU-EXI-LT"}
    b = frame["coder"] == "Analyst B"
    frame.loc[b, "code"] = frame.loc[b, "question"].map(other)
    return frame.drop_duplicates()


def _with_cell(row: int, column: str, value: str) -> Callable[[pd.DataFrame], pd.DataFrame]:
    """Set one cell of the export (by position and column) before a tool's layout is written."""

    def change(export: pd.DataFrame) -> pd.DataFrame:
        export.loc[export.index[row], column] = value
        return export

    return change


def record_checksums(manifest: Path) -> None:
    """Record the current SHA-256 of every file the manifest lists that still exists."""
    lines = []
    for line in manifest.read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        target = manifest.parent / name
        if target.is_file():
            digest = hashlib.sha256(target.read_bytes()).hexdigest()
        lines.append(f"{digest}  {name}")
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _repeat_last_line(file: str) -> Recipe:
    """Append the file's last line again, as when two downloads are pasted together."""

    def apply(root: Path) -> None:
        lines = _text(root / file).splitlines(keepends=True)
        _write_text(root / file, "".join(lines) + lines[-1])

    return apply


def _truncate(file: str, size: int) -> Recipe:
    """Keep only a file's first ``size`` bytes."""

    def apply(root: Path) -> None:
        (root / file).write_bytes((root / file).read_bytes()[:size])

    return apply


def _drop_column(name: str) -> Callable[[list[list[str]]], list[list[str]]]:
    def change(rows: list[list[str]]) -> list[list[str]]:
        index = rows[0].index(name)
        return [row[:index] + row[index + 1 :] for row in rows]

    return change


def _add_column(name: str, value: str) -> Callable[[list[list[str]]], list[list[str]]]:
    def change(rows: list[list[str]]) -> list[list[str]]:
        return [[*rows[0], name]] + [[*row, value] for row in rows[1:]]

    return change


def _reverse_columns(rows: list[list[str]]) -> list[list[str]]:
    return [row[::-1] for row in rows]


def _same_responses(project: Path, template: Path) -> None:
    pd.testing.assert_frame_equal(
        read_parquet(project / RESPONSES), read_parquet(template / RESPONSES)
    )


RESUBMITTED = "We could not get the new members we needed; the same few do everything."


def _latest_resubmission_wins(project: Path, template: Path) -> None:
    before = read_parquet(template / RESPONSES).set_index("response_id")
    after = read_parquet(project / RESPONSES).set_index("response_id")
    assert len(after) == len(before)
    assert after.loc["PMS20-0020", "main_challenge"] == RESUBMITTED
    assert str(after.loc["PMS20-0020", "submitted_at"]) == "2020-08-20 09:00:00+00:00"
    # The kept submission is now the last row read, so the response moves to the end.
    pd.testing.assert_frame_equal(
        after.drop(index="PMS20-0020").sort_index(), before.drop(index="PMS20-0020").sort_index()
    )


TEN_MEGABYTES = "I have a lot to say. " * 500_000
HEADER = "response_id,submitted_at,status,area,main_challenge,support_needed,consent_to_quote\n"

CASES: tuple[Case, ...] = (
    # survey_export.csv: reading the file
    Case(
        "survey-empty",
        "the survey export is an empty file",
        [write(SURVEY, b"")],
        Fails(SURVEY, ("the file is empty", "expected: a header row"), "01-clean-responses"),
    ),
    Case(
        "survey-header-only",
        "the survey export has its header row and nothing else",
        [write(SURVEY, HEADER.encode())],
        Fails(SURVEY, ("no responses under them",), "01-clean-responses", row=2),
    ),
    Case(
        "survey-semicolons",
        "the survey export is separated by semicolons (a European spreadsheet's CSV)",
        [rewrite_csv(SURVEY, lambda rows: rows, delimiter=";")],
        Builds(("survey_export.csv: semicolon-separated",), _same_responses),
    ),
    Case(
        "survey-utf16-tabs",
        "the survey export saved as Excel's 'Unicode text': UTF-16, tab-separated",
        [rewrite_csv(SURVEY, lambda rows: rows, delimiter="\t", encoding="utf-16")],
        Builds(
            ("survey_export.csv: read as UTF-16", "survey_export.csv: tab-separated"),
            _same_responses,
        ),
    ),
    Case(
        "survey-extra-cell",
        "a row of the survey export has one cell more than the header (a stray comma)",
        [in_record(SURVEY, "PMS20-0003", ",Yes\n", ",Yes,\n")],
        Fails(
            SURVEY,
            ("has 8 cells but the header has 7",),
            "01-clean-responses",
            row="PMS20-0003",
            line="PMS20-0003,",
        ),
    ),
    Case(
        "survey-missing-cell",
        "a row of the survey export has one cell fewer than the header",
        [in_record(SURVEY, "PMS20-0005", ",Yes\n", "\n")],
        Fails(
            SURVEY,
            ("has 6 cells but the header has 7",),
            "01-clean-responses",
            row="PMS20-0005",
            line="PMS20-0005,",
        ),
    ),
    Case(
        "survey-unterminated-quote",
        "the last answer of the survey export opens a quote that never closes",
        [
            append(
                SURVEY,
                'PMS20-9001,2020-07-01T10:00:00+01:00,Complete,Cinderbank,"Volunteers,,Yes\n',
            )
        ],
        Fails(SURVEY, ("never closed",), "01-clean-responses", row=-1, line="PMS20-9001,"),
    ),
    Case(
        "survey-stray-quote",
        'a quoted answer holds a quote that is not doubled ("like "this"")',
        [in_record(SURVEY, "PMS20-0001", '"engaging with', '"engaging "with" ')],
        Fails(
            SURVEY,
            ("a quote ends a cell early",),
            "01-clean-responses",
            row="PMS20-0001",
            line="PMS20-0001,",
        ),
    ),
    Case(
        "survey-nul-byte",
        "a NUL byte in the middle of the survey export",
        [in_record(SURVEY, "PMS20-0010", "No real", "No\x00real")],
        Fails(
            SURVEY,
            ("NUL byte", "expected: a text CSV export"),
            "01-clean-responses",
            line="PMS20-0010,",
        ),
    ),
    Case(
        "survey-mixed-encoding",
        "one answer pasted in Windows-1252 into an otherwise UTF-8 export",
        [
            replace_bytes(
                SURVEY,
                "\u201cI\u2019ll help next time\u201d".encode(),
                "\u201cI\u2019ll help next time\u201d".encode("cp1252"),
            )
        ],
        Fails(
            SURVEY,
            ("mixes two text encodings", "expected: one encoding"),
            "01-clean-responses",
            line="PMS20-0012,",
        ),
    ),
    Case(
        "survey-bom",
        "the survey export starts with a UTF-8 byte-order mark (Excel's 'CSV UTF-8')",
        [transcode(SURVEY, "utf-8", mark=codecs.BOM_UTF8)],
        Builds(("survey_export.csv: removed a UTF-8 byte-order mark",), _same_responses),
    ),
    Case(
        "survey-windows-1252",
        "the survey export saved as Windows-1252, curly quotes and all (Excel's plain 'CSV')",
        [transcode(SURVEY, "cp1252")],
        Builds(("survey_export.csv: not UTF-8; read as Windows-1252",), _same_responses),
    ),
    # survey_export.csv: its columns
    Case(
        "survey-missing-column",
        "the survey export has no consent_to_quote column",
        [rewrite_csv(SURVEY, _drop_column("consent_to_quote"))],
        Fails(
            SOURCES,
            ("survey_export.csv has no column 'consent_to_quote'", "expected: a column of"),
            "01-clean-responses",
            line="column: consent_to_quote",
            column="survey.consent_to_quote.column",
        ),
    ),
    Case(
        "survey-renamed-column",
        "the survey export calls consent_to_quote 'Consent'",
        [replace(SURVEY, ",consent_to_quote\n", ",Consent\n")],
        Fails(
            SOURCES,
            ("no column 'consent_to_quote' (was it renamed between exports?)", "'Consent'"),
            "01-clean-responses",
            line="column: consent_to_quote",
            column="survey.consent_to_quote.column",
        ),
    ),
    Case(
        "survey-duplicated-column",
        "the survey export has two columns called area (status renamed by mistake)",
        [replace(SURVEY, ",status,", ",area,")],
        Fails(
            SOURCES,
            ("survey_export.csv has no column 'status'",),
            "01-clean-responses",
            line="column: status\n    values: {Complete: false",
            column="survey.test.column",
        ),
    ),
    Case(
        "survey-duplicate-column-names",
        "the survey export has two columns called area, and the mapping reads area",
        [
            replace(SURVEY, ",main_challenge,", ",area,"),
            replace(SOURCES, "challenge: main_challenge", "challenge: status"),
        ],
        Fails(
            SOURCES,
            ("has 2 columns named 'area'", "duplicate column names"),
            "01-clean-responses",
            line="column: area",
            column="survey.area.column",
        ),
    ),
    Case(
        "survey-extra-column",
        "the survey export has an extra column the survey tool added (legitimate: not read)",
        [rewrite_csv(SURVEY, _add_column("ip_address", "192.0.2.1"))],
        Builds(
            ("survey_export.csv: 1 other column(s) not used by data/sources.yml",),
            _same_responses,
        ),
    ),
    Case(
        "survey-columns-reordered",
        "the survey export has its columns in another order (legitimate: read by name)",
        [rewrite_csv(SURVEY, _reverse_columns)],
        Builds(("survey_export.csv: read as a csv export",), _same_responses),
    ),
    # survey_export.csv: its values
    Case(
        "survey-10mb-answer",
        "one answer is 10 MB long (a paste gone wrong)",
        [in_record(SURVEY, "PMS20-0005", "not applicable", TEN_MEGABYTES)],
        Fails(
            SURVEY,
            ("10,500,000 characters", "max_value=10000"),
            "01-clean-responses",
            row="PMS20-0005",
            column="main_challenge",
        ),
    ),
    Case(
        "survey-same-time-conflict",
        "a respondent submitted twice at the same moment with different answers",
        [
            append(
                SURVEY,
                "PMS20-0003,2020-06-01T07:27:10+01:00,Complete,OLD QUARRY,"
                "Something else entirely.,Nothing.,Yes\n",
            )
        ],
        Fails(
            SURVEY,
            ("expect_compound_columns_to_be_unique", "cannot be ordered"),
            "01-clean-responses",
            row="PMS20-0003",
            column="response_id, submitted_at",
        ),
    ),
    Case(
        "survey-later-resubmission",
        "a respondent resubmitted later with new answers (legitimate: the latest wins)",
        [
            append(
                SURVEY,
                f"PMS20-0020,2020-08-20T10:00:00+01:00,Complete,Coalbrook Terraces,"
                f"{RESUBMITTED},Governance training.,Yes\n",
            )
        ],
        Builds(("keep latest submission",), _latest_resubmission_wins),
    ),
    Case(
        "survey-bad-date",
        "a submission time written as a spreadsheet shows it (14/06/2020 19:02)",
        [in_record(SURVEY, "PMS20-0010", "2020-06-01T10:46:45+01:00", "01/06/2020 10:46")],
        Fails(
            SURVEY,
            ("'01/06/2020 10:46'", "ISO 8601"),
            "01-clean-responses",
            row="PMS20-0010",
            column="submitted_at",
        ),
    ),
    Case(
        "survey-consent-y",
        "consent_to_quote is 'Y' instead of Yes or No",
        [in_record(SURVEY, "PMS20-0010", ",Yes\n", ",Y\n")],
        Fails(
            SURVEY,
            ("'Y' is not a value data/sources.yml maps", "'Yes', 'No'"),
            "01-clean-responses",
            row="PMS20-0010",
            column="consent_to_quote",
        ),
    ),
    Case(
        "survey-unknown-status",
        "a status the survey tool never writes ('Completed')",
        [in_record(SURVEY, "PMS20-0010", ",Complete,", ",Completed,")],
        Fails(
            SURVEY,
            ("'Completed' is not a value data/sources.yml maps", "'Complete', 'Partial'"),
            "01-clean-responses",
            row="PMS20-0010",
            column="status",
        ),
    ),
    Case(
        "survey-blank-id",
        "a submission with no response_id",
        [replace(SURVEY, "\nPMS20-0010,", "\n,")],
        Fails(
            SURVEY,
            ("the respondent id is blank", "expected: an id in every row"),
            "01-clean-responses",
            row="PMS20-0010",
            column="response_id",
        ),
    ),
    Case(
        "survey-unknown-area",
        "an area that is in neither the area list nor its variants",
        [in_record(SURVEY, "PMS20-0010", "pitmans row", "Atlantis Big Local")],
        Fails(
            SURVEY,
            ("'Atlantis Big Local'", "expected: an area name"),
            "01-clean-responses",
            row="PMS20-0010",
            column="area",
        ),
    ),
    Case(
        "survey-edited-unrecorded",
        "the survey export edited by hand without recording a new checksum",
        [in_record(SURVEY, "PMS20-0010", "No real", "Some real")],
        Fails(
            CHECKSUMS,
            ("survey_export.csv does not match its recorded checksum",),
            "raw-checksums",
            line="survey_export.csv",
        ),
        record_checksums=False,
    ),
    Case(
        "survey-missing",
        "the survey export is not there",
        [remove(SURVEY)],
        Fails(SURVEY, ("the file is missing",)),
    ),
    # data/sources.yml and the exports of other survey tools
    Case(
        "sources-unknown-key",
        "a role misspelt in the data sources file ('areas' for 'area')",
        [replace(SOURCES, "  area:\n", "  areas:\n")],
        Fails(SOURCES, ("unknown key 'areas'", "did you mean 'area'?"), line="  areas:"),
    ),
    Case(
        "sources-role-twice",
        "a role declared twice in the data sources file",
        [replace(SOURCES, "  area:\n", "  area:\n    column: Area\n  area:\n")],
        Fails(SOURCES, ("the key 'area' is written twice",), line="  area:"),
    ),
    Case(
        "sources-unknown-question",
        "a question key the codebook does not have ('challenges')",
        [replace(SOURCES, "challenge: main_challenge", "challenges: main_challenge")],
        Fails(
            SOURCES,
            ("'challenges' is not a question of the codebook", "did you mean 'challenge'?"),
            line="challenges:",
            column="survey.questions.challenges",
        ),
    ),
    Case(
        "sources-wrong-layout",
        "the data sources file says Qualtrics; the export has one header row",
        [replace(SOURCES, "layout: csv", "layout: qualtrics")],
        Fails(
            SURVEY,
            ("does not match a Qualtrics export", "ImportId"),
            "01-clean-responses",
            row=3,
        ),
    ),
    Case(
        "survey-undecidable-encoding",
        "a Windows-1252 export with a byte Windows-1252 does not define (a damaged download)",
        [transcode(SURVEY, "cp1252"), replace_bytes(SURVEY, b"No real", b"No\x81real")],
        Fails(
            SURVEY,
            ("the encoding cannot be decided", "survey.encoding"),
            "01-clean-responses",
            line="PMS20-0010,",
        ),
    ),
    Case(
        "qualtrics-unmapped-status",
        "a Qualtrics export with a Status code the mapping does not list (32, an EX response)",
        [
            as_layout("qualtrics"),
            replace_bytes(QUALTRICS, b"2020-06-01 00:14:44,0,", b"2020-06-01 00:14:44,32,"),
        ],
        Fails(
            QUALTRICS,
            ("'32' is not a value data/sources.yml maps for the test flag", "survey.test.values"),
            "01-clean-responses",
            row=4,
            column="Status (status)",
        ),
    ),
    Case(
        "qualtrics-pasted-twice",
        "a Qualtrics export with one response pasted in twice (its ResponseId repeats)",
        [as_layout("qualtrics"), _repeat_last_line(QUALTRICS)],
        Fails(
            QUALTRICS,
            ("is in two rows", "expected: each submission once"),
            "01-clean-responses",
            column="ResponseId (_recordId)",
        ),
    ),
    Case(
        "qualtrics-unchanged",
        "the survey as Qualtrics exports it (legitimate: read through its mapping)",
        [as_layout("qualtrics")],
        Builds(
            (
                "qualtrics_export.csv: read as a qualtrics export (as data/sources.yml declares)",
                "never read 6 column(s) of personal data",
            ),
            _same_responses,
        ),
    ),
    Case(
        "surveymonkey-renamed-question",
        "a SurveyMonkey export whose area question was reworded after the mapping was written",
        [
            as_layout("surveymonkey"),
            replace(SURVEYMONKEY, "Which Big Local area is", "Which Big Local area are"),
        ],
        Fails(
            SOURCES,
            ("has no column 'Which Big Local area is your partnership in?'", "renamed"),
            "01-clean-responses",
            column="survey.area.column",
        ),
    ),
    Case(
        "xlsx-unreadable",
        "the survey workbook cut short (an interrupted download)",
        [as_layout("xlsx"), _truncate(WORKBOOK, 2_000)],
        Fails(
            WORKBOOK,
            ("the workbook cannot be read", "save it again as .xlsx"),
            "01-clean-responses",
        ),
    ),
    Case(
        "xlsx-missing-sheet",
        "the data sources file names a sheet the workbook does not have",
        [as_layout("xlsx"), replace(SOURCES, "sheet: Responses", "sheet: Responces")],
        Fails(
            WORKBOOK,
            ("the workbook has no sheet 'Responces'", "did you mean 'Responses'?"),
            "01-clean-responses",
        ),
    ),
    Case(
        "forms-blank-reference",
        "a Forms workbook whose first respondent left the survey reference blank",
        [as_layout("forms", _with_cell(0, "response_id", ""))],
        Fails(
            FORMS,
            ("the respondent id is blank", "sheet 'Sheet1', cell F2"),
            "01-clean-responses",
            row=2,
        ),
    ),
    # coded_references.csv
    Case(
        "coding-missing-response",
        "a coded reference to a response id the survey export does not have",
        [append(CODING, "PMS20-9999,challenge,CH-ENG-INV,Analyst A\n")],
        Fails(
            CODING,
            ("PMS20-9999 is not among the valid responses",),
            "02-code-responses",
            row=-1,
            column="response_id",
        ),
    ),
    Case(
        "coding-dropped-response",
        "a coded response turned out to be a partial submission (cleaning drops it)",
        [in_record(SURVEY, "PMS20-0012", ",Complete,", ",Partial,")],
        Fails(
            CODING,
            ("PMS20-0012 is not among the valid responses",),
            "02-code-responses",
            row="PMS20-0012",
            column="response_id",
        ),
    ),
    Case(
        "coding-blank-answer",
        "a reference coded to a question the respondent left blank",
        [append(CODING, "PMS20-0002,support,SU-DEV-CORE,Analyst A\n")],
        Fails(
            CODING,
            ("no answer in support_needed",),
            "02-code-responses",
            row=-1,
            column="response_id",
        ),
    ),
    Case(
        "coding-unknown-code",
        "a code that is not in the codebook",
        [append(CODING, "PMS20-0003,challenge,CH-ENG-XYZ,Analyst A\n")],
        Fails(
            CODING,
            (
                "the tool code 'CH-ENG-XYZ' is used in the coding but the codebook places it on no "
                "sub-theme",
                "did you mean 'CH-ENG-INV'",
            ),
            "02-code-responses",
            row=-1,
            column="code",
        ),
    ),
    Case(
        "coding-wrong-question",
        "a support code used for the challenge question",
        [append(CODING, "PMS20-0003,challenge,SU-DEV-CORE,Analyst A\n")],
        Fails(
            CODING,
            ("SU-DEV-CORE belongs to the support question",),
            "02-code-responses",
            row=-1,
            column="question",
        ),
    ),
    Case(
        "coding-unknown-question",
        "a question key the codebook does not have ('challenges')",
        [append(CODING, "PMS20-0003,challenges,CH-ENG-INV,Analyst A\n")],
        Fails(
            CODING,
            ("'challenges' is not a question", "challenge, support"),
            "02-code-responses",
            row=-1,
            column="question",
        ),
    ),
    Case(
        "coding-duplicate-reference",
        "the same reference exported twice",
        [append(CODING, "PMS20-0003,challenge,CH-ENG-AWARE,Analyst A\n")],
        Fails(CODING, ("coded CH-ENG-AWARE twice",), "02-code-responses", row=-1, column="code"),
    ),
    Case(
        "coding-missing-column",
        "the coding export has no code column",
        [rewrite_csv(CODING, _drop_column("code"))],
        Fails(CODING, ("missing code",), "02-code-responses", row=1, column="code"),
    ),
    # the coding as qualitative-analysis tools export it
    Case(
        "qdpx-not-a-zip",
        "the coding project is not a zip (a download saved as a web page)",
        [as_coding("qdpx"), write(QDPX, b"<html>Sign in to continue</html>")],
        Fails(QDPX, ("not a zip archive, so not a REFI-QDA project",), "02-code-responses"),
    ),
    Case(
        "qdpx-invalid-xml",
        "the project file inside the coding project cut short",
        [
            as_coding("qdpx"),
            in_zip(QDPX, lambda name, data: data[:5_000] if name == "project.qde" else data),
        ],
        Fails(QDPX, ("is not valid XML",), "02-code-responses"),
    ),
    Case(
        "qdpx-missing-source",
        "a document's text file missing from the coding project",
        [as_coding("qdpx"), in_zip(QDPX, _drop_first("Sources/"))],
        Fails(QDPX, ("which the archive does not hold",), "02-code-responses"),
    ),
    Case(
        "qdpx-dangling-code",
        "a coding that refers to a code the project's code tree does not define",
        [
            as_coding("qdpx"),
            in_zip(
                QDPX,
                _in_project(
                    r'<CodeRef targetGUID="[^"]+"',
                    lambda m: '<CodeRef targetGUID="00000000-0000-4000-8000-00000000dead"',
                ),
            ),
        ],
        Fails(
            QDPX, ("refers to the code 00000000-0000-4000-8000-00000000dead",), "02-code-responses"
        ),
    ),
    Case(
        "qdpx-duplicate-guid",
        "two codes of the code tree with the same GUID",
        [
            as_coding("qdpx"),
            in_zip(
                QDPX,
                _in_project(
                    r'(<Code guid="([^"]+)"[^>]*>\s*<Code guid=")[^"]+',
                    lambda m: m.group(1) + m.group(2),
                ),
            ),
        ],
        Fails(QDPX, ("is defined twice",), "02-code-responses"),
    ),
    Case(
        "qdpx-position-past-end",
        "a coded selection that ends past the end of its document",
        [
            as_coding("qdpx"),
            in_zip(QDPX, _in_project(r'endPosition="[0-9]+"', lambda m: 'endPosition="99999"')),
        ],
        Fails(QDPX, ("lies outside its document",), "02-code-responses"),
    ),
    Case(
        "qdpx-zip-bomb",
        "a coding project with an entry that expands thousands of times",
        [as_coding("qdpx"), in_zip(QDPX, add={"Sources/padding.txt": bytes(2**25)})],
        Fails(QDPX, ("is a zip bomb or damaged",), "02-code-responses"),
    ),
    Case(
        "qdpx-entry-outside",
        "a coding project with an entry that points outside its folder",
        [as_coding("qdpx"), in_zip(QDPX, add={"../../evil.txt": b"x"})],
        Fails(QDPX, ("an entry outside its folder",), "02-code-responses"),
    ),
    Case(
        "qdpx-unmatched-document",
        "a coded document whose name names no response",
        [
            as_coding("qdpx"),
            in_zip(
                QDPX,
                _in_project(
                    r'<TextSource guid="([^"]+)" name="[^"]+"',
                    lambda m: f'<TextSource guid="{m.group(1)}" name="Focus group notes"',
                ),
            ),
        ],
        Fails(QDPX, ("'Focus group notes' holds coding", "coding.link"), "02-code-responses"),
    ),
    Case(
        "qdpx-passage-of-another-response",
        "a document renamed to another respondent, so its passages are not that answer's",
        [
            as_coding("qdpx"),
            in_zip(
                QDPX,
                _in_project(
                    r'(<TextSource guid="[^"]+" name=")PMS20-[0-9]+( challenge")',
                    lambda m: m.group(1) + "PMS20-0003" + m.group(2),
                ),
            ),
        ],
        Fails(
            QDPX, ("is not in the challenge answer of response PMS20-0003",), "02-code-responses"
        ),
    ),
    Case(
        "qualcoder-code-missing-from-tree",
        "the codebook beside a QualCoder export lacks a code the brief's codebook names",
        [
            as_coding("qualcoder"),
            replace(QUALCODER_CODES, 'name="Dealing with conflict"', 'name="Conflict"'),
        ],
        Fails(
            CODEBOOK,
            ("matches no code in the tool's code tree",),
            "02-code-responses",
        ),
    ),
    Case(
        "coding-no-counted-coder",
        "two coders in the coding, and the data sources file says not whose coding counts",
        [replace(SOURCES, "  counted_coder: Analyst A\n", "")],
        Fails(
            SOURCES,
            ("does not say whose coding the brief counts", "counted_coder"),
            "02-code-responses",
        ),
    ),
    Case(
        "coding-agreement-too-low",
        "the second coder's coding agrees with the first's far below Krippendorff's .667",
        [_rewrite_codes(CODING, _second_coder_disagrees)],
        Fails(
            "expectations/agreement.json",
            ("expectations of the suite 'agreement'", "min_value=0.667"),
            "02-code-responses",
        ),
    ),
    # areas.csv
    Case(
        "areas-ambiguous-variant",
        "a spelling listed as a variant of one area is the name of another",
        [replace(AREAS, "BL003,Cinderbank,", "BL003,Cinderbank,Brackenholt")],
        Fails(
            AREAS,
            ("'Brackenholt' is listed for BL003 but also names BL002",),
            "01-clean-responses",
            row="BL003",
            column="variants",
        ),
    ),
    Case(
        "areas-duplicate-code",
        "an area code listed twice in the area list",
        [append(AREAS, "BL001,Ashcombe Vale North,\n")],
        Fails(
            AREAS,
            ("area code BL001 is listed twice",),
            "01-clean-responses",
            row=-1,
            column="area_code",
        ),
    ),
    # codebook.yml
    Case(
        "codebook-duplicate-code",
        "two sub-themes with the same code",
        [replace(CODEBOOK, "code: CH-DEL-STAFF", "code: CH-DEL-COVID")],
        Fails(
            CODEBOOK,
            (
                "code CH-DEL-COVID is already defined (first at line",
                "expected: each theme and sub-theme code once",
            ),
            line="          - code: CH-DEL-COVID\n",
        ),
    ),
    Case(
        "codebook-theme-without-subthemes",
        "a theme whose sub-themes were all deleted",
        [
            cut(
                CODEBOOK,
                "        subthemes:\n          - code: SU-EXI-",
                "\ntables:",
                "        subthemes: []\n",
            )
        ],
        Fails(
            CODEBOOK,
            ("wrong value at questions[1].themes[3].subthemes", "at least 1 item"),
            line="        subthemes: []\n",
        ),
    ),
    Case(
        "codebook-malformed-yaml",
        "a label with an unquoted colon, which YAML cannot read",
        [replace(CODEBOOK, "label: Raising awareness", "label: Raising: awareness")],
        Fails(CODEBOOK, ("not valid YAML", "expected: valid YAML"), line="label: Raising:"),
    ),
    Case(
        "codebook-order-not-a-number",
        "a theme's display order written as a word",
        [replace(CODEBOOK, "\n        order: 2\n", "\n        order: second\n")],
        Fails(
            CODEBOOK,
            ("wrong value at questions[0].themes[1].order: 'second'", "a valid integer"),
            line="        order: second\n",
        ),
    ),
    Case(
        "codebook-wrong-column",
        "a question pointing at a survey column that does not exist",
        [replace(CODEBOOK, "column: support_needed", "column: support_need")],
        Fails(
            CODEBOOK,
            ("column 'support_need', which the clean responses do not have",),
            "01-clean-responses",
            line="  - key: support\n",
        ),
    ),
    Case(
        "codebook-misspelt-key",
        "a sub-theme's 'reported: false' misspelt, which was once ignored in silence",
        [replace(CODEBOOK, "            reported: false\n", "            reportd: false\n")],
        Fails(
            CODEBOOK,
            ("the codebook has an unknown key 'reportd'", "did you mean 'reported'?"),
            line="reportd: false",
            column="questions[0].themes[0].subthemes[3].reportd",
        ),
    ),
    Case(
        "codebook-extra-section",
        "a top-level section the codebook does not have",
        [append(CODEBOOK, "notes:\n  - check the legacy codes\n")],
        Fails(CODEBOOK, ("unknown key 'notes'", "'questions', 'tables'"), line="notes:"),
    ),
    Case(
        "codebook-alias",
        "a YAML anchor and alias, which no project file needs",
        [replace(CODEBOOK, "label: Engagement\n", "label: &engagement Engagement\n")],
        Fails(CODEBOOK, ("an anchor (&name) is used",), line="&engagement"),
    ),
    # _quarto.yml, the front matter and the quote reviews (the suites are the checkout's)
    Case(
        "quarto-misspelt-option",
        "a misspelt format option in _quarto.yml, which Quarto would ignore",
        [replace("_quarto.yml", "embed-resources: true", "embed-resource: true")],
        Fails(
            "_quarto.yml",
            ("unknown key 'embed-resource'", "did you mean 'embed-resources'?"),
            line="embed-resource:",
        ),
    ),
    Case(
        "report-unsupported-front-matter",
        "a front-matter key neither the embedded engine nor the template prints",
        [replace(REPORT, "author: Local Trust\n", "author: Local Trust\nsubtitle: 2020 survey\n")],
        Fails(REPORT, ("the front matter has an unknown key 'subtitle'",), line="subtitle:"),
    ),
    Case(
        "reviews-misspelt-column",
        "the quote-review file's header with a misspelt column",
        [replace("data/quote-reviews.csv", ",reviewer,", ",reviewr,")],
        Fails(
            "data/quote-reviews.csv",
            ("unknown column 'reviewr'", "did you mean 'reviewer'"),
            "render-html",
            line=1,
        ),
    ),
    Case(
        "codebook-missing",
        "the codebook is not there",
        [remove(CODEBOOK)],
        Fails(CODEBOOK, ("the file is missing",)),
    ),
    # report.qmd: the renderer's lint (owned by the renderer; tested here end to end)
    Case(
        "report-unclosed-div",
        "a fenced div that is opened and never closed",
        [append(REPORT, "\n::: {.callout-note}\nA note that never ends.\n")],
        Fails(REPORT, ("never closed",), "render-html", line="::: {.callout-note}"),
    ),
    Case(
        "report-unknown-shortcode",
        "a Quarto shortcode the brief does not support",
        [append(REPORT, "\nWatch {{< video intro.mp4 >}} for more.\n")],
        Fails(REPORT, ("video",), "render-html", line="{{< video"),
    ),
    Case(
        "report-quote-without-id",
        "a respondent quote that does not say which response it quotes",
        [append(REPORT, '\n::: {.respondent-quote}\n> "We need more volunteers."\n:::\n')],
        Fails(
            REPORT, ("quote with no response id",), "render-html", line="::: {.respondent-quote}"
        ),
    ),
)
