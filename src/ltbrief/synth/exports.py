"""The synthetic survey export as each survey tool writes it, one function per layout.

Each takes the export in this project's own columns (``SyntheticSurvey.survey_export``)
and writes the same submissions as the tool would export them, to be read back through
the mapping section in ``resources/synth/sources/survey/<layout>.yml``. What a tool adds of
its own (time stamps, ids, the respondents' names, e-mail and IP addresses, a role question
the brief does not use) is drawn from a generator seeded for that layout, so the same
export always gives the same bytes. Every personal value is invented: names from
``personal_data.yml``, e-mail addresses on example.org/.com/.net, IP addresses from the
documentation ranges. Every answer is written exactly as typed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import string
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter
import yaml
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from ltbrief.io import write_bytes, write_csv
from ltbrief.paths import resource

Column = tuple[Sequence[str], Sequence[object]]  # header cells, then one value per row

ZONE = "Europe/London"
# When the team exported the responses, after the survey closed: the workbooks' creation time.
EXPORTED_AT = dt.datetime(2020, 9, 2, 9, 30)
SEEDS = {"qualtrics": 5_001, "surveymonkey": 5_002, "forms": 5_003}
EXCEL_TEXT_LIMIT = 32_767

AREA_QUESTION = "Which Big Local area is your partnership in?"
# The codebook's question texts (data/codebook.yml), by question key.
QUESTION_TEXTS = {
    "challenge": "Thinking prior to the COVID-19 pandemic, what was the main challenge your "
    "Big Local partnership faced since 2019?",
    "support": "What support do you think your Big Local partnership needs to achieve its goals?",
}
ROLE_QUESTION = "What is your role in the partnership?"
CONSENT_QUESTION = "May we quote your answers anonymously in our reports?"
REFERENCE_QUESTION = "Your survey reference (from your invitation e-mail)"
ROLES = ("Chair", "Partnership member", "Big Local worker", "Other")
ROLE_WEIGHTS = (0.12, 0.63, 0.15, 0.10)
OTHER_ROLES = ("Treasurer", "Secretary", "Vice chair", "Resident volunteer", "Local councillor")
OTHER_TYPED_SHARE = 0.6

EMAIL_DOMAINS = ("example.org", "example.com", "example.net")
# RFC 5737's address blocks for documentation.
IP_BLOCKS = ("192.0.2", "198.51.100", "203.0.113")
LATITUDES = (50.4, 55.0)
LONGITUDES = (-4.5, 1.5)
DURATION_SECONDS = (90, 1_800)
FORMS_DURATION_SECONDS = (120, 1_200)
RECORDING_LAG_SECONDS = (0, 3)
PARTIAL_PROGRESS = (10, 90)

QUALTRICS_ID_CHARACTERS = np.array(list(string.ascii_letters + string.digits))
QUALTRICS_ID_LENGTH = 15
QUALTRICS_DATE_IDS = frozenset({"startDate", "endDate", "recordedDate"})
# Export tag (row 1), English description (row 2) and ImportId (row 3) of each column.
QUALTRICS_COLUMNS = (
    ("StartDate", "Start Date", "startDate"),
    ("EndDate", "End Date", "endDate"),
    ("Status", "Response Type", "status"),
    ("IPAddress", "IP Address", "ipAddress"),
    ("Progress", "Progress", "progress"),
    ("Duration (in seconds)", "Duration (in seconds)", "duration"),
    ("Finished", "Finished", "finished"),
    ("RecordedDate", "Recorded Date", "recordedDate"),
    ("ResponseId", "Response ID", "_recordId"),
    ("RecipientLastName", "Recipient Last Name", "recipientLastName"),
    ("RecipientFirstName", "Recipient First Name", "recipientFirstName"),
    ("RecipientEmail", "Recipient Email", "recipientEmail"),
    ("ExternalReference", "External Data Reference", "externalDataReference"),
    ("LocationLatitude", "Location Latitude", "locationLatitude"),
    ("LocationLongitude", "Location Longitude", "locationLongitude"),
    ("DistributionChannel", "Distribution Channel", "distributionChannel"),
    ("UserLanguage", "User Language", "userLanguage"),
    ("Q1", AREA_QUESTION, "QID1_TEXT"),
    ("Q2", QUESTION_TEXTS["challenge"], "QID2_TEXT"),
    ("Q3", QUESTION_TEXTS["support"], "QID3_TEXT"),
    ("Q4", CONSENT_QUESTION, "QID4"),
    ("Q5", f"{ROLE_QUESTION} - Selected Choice", "QID5"),
    ("Q5_4_TEXT", f"{ROLE_QUESTION} - Other - Text", "QID5_4_TEXT"),
)
QUALTRICS_CONSENT = {"Yes": "1", "No": "2"}
SURVEY_PREVIEW, SURVEY_TEST = "1", "2"
# Of the staff's tests, the share made with "Generate test responses" rather than a preview.
SURVEY_TEST_SHARE = 0.5

SURVEYMONKEY_COLLECTOR = "412345678"  # the e-mail invitation sent to members
SURVEYMONKEY_TEST_COLLECTOR = "412345999"  # the staff's test link
SURVEYMONKEY_FIRST_RESPONDENT = 11_412_000_000
SURVEYMONKEY_RESPONDENT_GAP = (1, 4_000)
SURVEYMONKEY_ROLES = (*ROLES[:-1], "Other (please specify)")


def write_plain_csv(export: pd.DataFrame, path: Path) -> Path:
    """Write this project's own layout: UTF-8 CSV, one header row of the canonical names."""
    return write_csv(path, export)


def write_workbook(export: pd.DataFrame, path: Path) -> Path:
    """Write this project's own columns as a workbook: an ``About`` sheet, then ``Responses``.

    ``submitted_at`` is a date-time cell in London local time, as Excel keeps dates.
    """
    about = [
        ["Partnership members' survey 2020: every submission, one row each."],
        [f"submitted_at is local time in {ZONE}; status is Complete, Partial or Preview."],
    ]
    columns = [
        ([name], _london(_moments(export)) if name == "submitted_at" else export[name])
        for name in export.columns
    ]
    sheets = {"About": about, "Responses": _rows(columns)}
    return write_bytes(path, _workbook_bytes(sheets, "yyyy-mm-dd hh:mm:ss"))


def write_qualtrics(export: pd.DataFrame, path: Path) -> Path:
    """Write a Qualtrics "Export Data" CSV: three header rows, numeric values, CRLF lines."""
    values = _qualtrics_values(export, np.random.default_rng(SEEDS["qualtrics"]))
    columns = [
        ([tag, description, _import_id(import_id)], values[tag])
        for tag, description, import_id in QUALTRICS_COLUMNS
    ]
    return write_bytes(path, _csv_bytes(_rows(columns), "utf-8"))


def write_surveymonkey(export: pd.DataFrame, path: Path) -> Path:
    """Write a SurveyMonkey "All individual responses" CSV: expanded, two header rows, a BOM."""
    rng = np.random.default_rng(SEEDS["surveymonkey"])
    status = export["status"].to_numpy()
    preview, partial = status == "Preview", status == "Partial"
    ended = _moments(export)
    started = ended - pd.to_timedelta(_durations(len(export), DURATION_SECONDS, rng), unit="s")
    people = _invented_people(export, rng)
    gaps = rng.integers(*SURVEYMONKEY_RESPONDENT_GAP, len(export), endpoint=True)
    roles = _roles(partial, rng)
    columns: list[Column] = [
        (["Respondent ID", ""], (SURVEYMONKEY_FIRST_RESPONDENT + np.cumsum(gaps)).astype(str)),
        (
            ["Collector ID", ""],
            np.where(preview, SURVEYMONKEY_TEST_COLLECTOR, SURVEYMONKEY_COLLECTOR),
        ),
        (["Start Date", ""], [_us_clock(moment) for moment in _london(started)]),
        (["End Date", ""], [_us_clock(moment) for moment in _london(ended)]),
        (["IP Address", ""], people["ip"]),
        (["Email Address", ""], people["email"]),
        (["First Name", ""], people["first"]),
        (["Last Name", ""], people["last"]),
        (["Custom Data 1", ""], export["response_id"]),
        ([AREA_QUESTION, "Response"], export["area"]),
        ([QUESTION_TEXTS["challenge"], "Open-Ended Response"], export["main_challenge"]),
        ([QUESTION_TEXTS["support"], "Open-Ended Response"], export["support_needed"]),
        *(
            ([ROLE_QUESTION if number == 1 else "", option], np.where(roles == number, option, ""))
            for number, option in enumerate(SURVEYMONKEY_ROLES, start=1)
        ),
        ([CONSENT_QUESTION, "Response"], np.where(partial, "", export["consent_to_quote"])),
    ]
    return write_bytes(path, _csv_bytes(_rows(columns), "utf-8-sig"))


def write_forms(export: pd.DataFrame, path: Path) -> Path:
    """Write a Microsoft Forms "Open in Excel" workbook of the completed submissions.

    Forms keeps only submitted responses, and the team deleted their tests before exporting.
    """
    rng = np.random.default_rng(SEEDS["forms"])
    complete = export.loc[export["status"] == "Complete"].reset_index(drop=True)
    completed = _moments(complete)
    seconds = _durations(len(complete), FORMS_DURATION_SECONDS, rng)
    started = completed - pd.to_timedelta(seconds, unit="s")
    columns: list[Column] = [
        (["ID"], range(1, len(complete) + 1)),
        (["Start time"], _london(started)),
        (["Completion time"], _london(completed)),
        (["Email"], ["anonymous"] * len(complete)),
        (["Name"], [""] * len(complete)),
        ([REFERENCE_QUESTION], complete["response_id"]),
        ([AREA_QUESTION], complete["area"]),
        ([QUESTION_TEXTS["challenge"]], complete["main_challenge"]),
        ([QUESTION_TEXTS["support"]], complete["support_needed"]),
        ([CONSENT_QUESTION], complete["consent_to_quote"]),
    ]
    return write_bytes(path, _workbook_bytes({"Sheet1": _rows(columns)}, "m/d/yy h:mm:ss"))


EXPORTERS: dict[str, Callable[[pd.DataFrame, Path], Path]] = {
    "csv": write_plain_csv,
    "xlsx": write_workbook,
    "qualtrics": write_qualtrics,
    "surveymonkey": write_surveymonkey,
    "forms": write_forms,
}


def _qualtrics_values(
    export: pd.DataFrame, rng: np.random.Generator
) -> dict[str, Sequence[object]]:
    """Every Qualtrics column's values, by export tag, for the submissions of ``export``."""
    count = len(export)
    status = export["status"].to_numpy()
    preview, partial = status == "Preview", status == "Partial"
    duration = _durations(count, DURATION_SECONDS, rng)
    ended = _moments(export)
    started = ended - pd.to_timedelta(duration, unit="s")
    lag = rng.integers(*RECORDING_LAG_SECONDS, count, endpoint=True)
    recorded = ended + pd.to_timedelta(lag, unit="s")
    test_code = np.where(rng.random(count) < SURVEY_TEST_SHARE, SURVEY_TEST, SURVEY_PREVIEW)
    progress = rng.integers(*PARTIAL_PROGRESS, count, endpoint=True)
    people = _invented_people(export, rng)
    roles = _roles(partial, rng)
    typed = rng.random(count) < OTHER_TYPED_SHARE
    other = np.where((roles == len(ROLES)) & typed, _pick(OTHER_ROLES, count, rng), "")
    consent = [QUALTRICS_CONSENT[answer] for answer in export["consent_to_quote"]]
    return {
        "StartDate": _qualtrics_clock(started),
        "EndDate": _qualtrics_clock(ended),
        "Status": np.where(preview, test_code, "0"),
        "IPAddress": people["ip"],
        "Progress": np.where(partial, progress.astype(str), "100"),
        "Duration (in seconds)": duration.astype(str),
        "Finished": np.where(partial, "0", "1"),
        "RecordedDate": _qualtrics_clock(recorded),
        "ResponseId": _qualtrics_response_ids(count, rng),
        "RecipientLastName": people["last"],
        "RecipientFirstName": people["first"],
        "RecipientEmail": people["email"],
        "ExternalReference": export["response_id"],
        "LocationLatitude": people["latitude"],
        "LocationLongitude": people["longitude"],
        "DistributionChannel": np.where(preview, "preview", "email"),
        "UserLanguage": ["EN"] * count,
        "Q1": export["area"],
        "Q2": export["main_challenge"],
        "Q3": export["support_needed"],
        "Q4": np.where(partial, "", consent),
        "Q5": np.where(roles > 0, roles.astype(str), ""),
        "Q5_4_TEXT": other,
    }


def _import_id(import_id: str) -> str:
    """Row 3's JSON cell for a column, with the time zone on the date columns."""
    described = {"ImportId": import_id}
    if import_id in QUALTRICS_DATE_IDS:
        described["timeZone"] = ZONE
    return json.dumps(described, separators=(",", ":"))


def _qualtrics_response_ids(count: int, rng: np.random.Generator) -> list[str]:
    """Distinct Qualtrics response ids: ``R_`` and 15 letters and digits."""
    ids: dict[str, None] = {}
    while len(ids) < count:
        letters = rng.choice(QUALTRICS_ID_CHARACTERS, (count - len(ids), QUALTRICS_ID_LENGTH))
        ids.update(dict.fromkeys("R_" + "".join(row) for row in letters))
    return list(ids)


def _qualtrics_clock(moments: pd.Series) -> list[str]:
    """Qualtrics' local times: ``2020-06-14 19:02:11`` in London."""
    return [moment.strftime("%Y-%m-%d %H:%M:%S") for moment in _london(moments)]


def _us_clock(moment: dt.datetime) -> str:
    """SurveyMonkey's local time ``06/14/2020 07:02:11 PM``, whatever the machine's locale."""
    return moment.strftime("%m/%d/%Y %I:%M:%S ") + ("AM" if moment.hour < 12 else "PM")


def _moments(export: pd.DataFrame) -> pd.Series:
    """The submission times as instants, from their ISO 8601 text with its offset."""
    return pd.to_datetime(export["submitted_at"], format="ISO8601", utc=True)


def _london(instants: pd.Series) -> list[dt.datetime]:
    """Instants as naive London local times, as the tools show them."""
    local = instants.dt.tz_convert(ZONE).dt.tz_localize(None)
    return [moment.to_pydatetime() for moment in local]


def _durations(count: int, bounds: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """Whole seconds each respondent spent on the survey."""
    return rng.integers(*bounds, count, endpoint=True)


def _roles(partial: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each submission's role, numbered from 1 as in ``ROLES``; 0 where it was abandoned first."""
    roles = rng.choice(np.arange(1, len(ROLES) + 1), size=partial.size, p=ROLE_WEIGHTS)
    return np.where(partial, 0, roles)


def _invented_people(export: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Invented personal data per submission, blank for the staff's previews.

    A respondent keeps one name and e-mail address over their submissions; the IP address
    and location are each submission's own.
    """
    names = yaml.safe_load(resource("synth", "personal_data.yml").read_text(encoding="utf-8"))
    respondents, person = np.unique(export["response_id"].to_numpy(dtype=str), return_inverse=True)
    people = len(respondents)
    first = _pick(names["first_names"], people, rng)
    last = _pick(names["surnames"], people, rng)
    numbers = rng.integers(100, 1_000, people)
    domains = _pick(EMAIL_DOMAINS, people, rng)
    emails = [
        f"{given}.{family}{number}@{domain}".lower().replace("'", "")
        for given, family, number, domain in zip(first, last, numbers, domains, strict=True)
    ]
    count = len(export)
    hosts = rng.integers(1, 255, count)
    blocks = _pick(IP_BLOCKS, count, rng)
    columns = {
        "first": first[person],
        "last": last[person],
        "email": np.asarray(emails, dtype=object)[person],
        "ip": [f"{block}.{host}" for block, host in zip(blocks, hosts, strict=True)],
        "latitude": _coordinates(rng.uniform(*LATITUDES, count)),
        "longitude": _coordinates(rng.uniform(*LONGITUDES, count)),
    }
    preview = export["status"].to_numpy() == "Preview"
    return pd.DataFrame({name: np.where(preview, "", values) for name, values in columns.items()})


def _coordinates(values: np.ndarray) -> list[str]:
    """Degrees as Qualtrics writes them: a single-precision number printed in full."""
    return [str(Decimal(float(value))) for value in values.astype(np.float32)]


def _pick(options: Sequence[str], count: int, rng: np.random.Generator) -> np.ndarray:
    """Draw ``count`` options uniformly, as an object array of str."""
    return np.asarray(options, dtype=object)[rng.integers(0, len(options), count)]


def _rows(columns: Sequence[Column]) -> list[list[object]]:
    """Columns of header cells and values turned into rows: the header rows, then the data."""
    header_rows = zip(*(header for header, _ in columns), strict=True)
    data_rows = zip(*(values for _, values in columns), strict=True)
    return [list(row) for row in (*header_rows, *data_rows)]


def _csv_bytes(rows: Sequence[Sequence[object]], encoding: str) -> bytes:
    """Rows as CSV the way the csv module writes it by default (CRLF line ends)."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def _workbook_bytes(sheets: dict[str, Sequence[Sequence[object]]], date_format: str) -> bytes:
    """An XLSX workbook of the named sheets: text kept as text, date-times as date cells.

    The creation time is fixed, so the same sheets always give the same bytes.
    """
    buffer = io.BytesIO()
    options = {
        "in_memory": True,
        "strings_to_numbers": False,
        "strings_to_formulas": False,
        "strings_to_urls": False,
    }
    with xlsxwriter.Workbook(buffer, options) as workbook:
        workbook.set_properties({"created": EXPORTED_AT})
        dates = workbook.add_format({"num_format": date_format})
        for name, rows in sheets.items():
            sheet = workbook.add_worksheet(name)
            for row, cells in enumerate(rows):
                for column, cell in enumerate(cells):
                    _write_cell(sheet, row, column, cell, dates)
    return buffer.getvalue()


def _write_cell(sheet: Worksheet, row: int, column: int, cell: object, dates: Format) -> None:
    """Write one cell; fail rather than let Excel's cell limit cut an answer short."""
    if isinstance(cell, dt.datetime):
        sheet.write_datetime(row, column, cell, dates)
    elif isinstance(cell, str):
        if len(cell) > EXCEL_TEXT_LIMIT:
            raise ValueError(
                f"a cell of {len(cell):,} characters is longer than an Excel cell holds "
                f"({EXCEL_TEXT_LIMIT:,}): {cell[:40]!r}..."
            )
        sheet.write_string(row, column, cell)
    else:
        sheet.write_number(row, column, cell)
