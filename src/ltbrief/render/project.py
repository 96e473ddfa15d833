"""The brief as a project: ``_quarto.yml`` and the front matter of ``report.qmd``.

Metadata is merged as Quarto merges it: the top-level keys of ``_quarto.yml``, then the
options of one output format, then the document's own front matter.

Both files are described by the models below: the keys that both engines, Quarto and
the embedded one, honour alike (docs/rendering.md). Any other key is an error, since
one engine would act on it and the other ignore it silently.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field

from ltbrief.config import Strict, load_model, read_yaml, validate_data
from ltbrief.errors import BuildError
from ltbrief.paths import ProjectPaths

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<yaml>.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_DATE = re.compile(r"^(?P<year>\d{4})(?:-(?P<month>\d{1,2})(?:-(?P<day>\d{1,2}))?)?$")
_PROJECT_KEYS = frozenset({"project", "format", "filters"})
_CONFIG_ACTION = (
    "restore _quarto.yml at the project root from git, or correct it (see docs/rendering.md)"
)


def _publication_date(text: str) -> str:
    if not _DATE.match(text):
        raise ValueError('a year, year-month or date in quotes: "2021", "2021-06" or "2021-06-30"')
    return text


Language = Annotated[str, Field(pattern=r"^[a-z]{2,3}(?:-[A-Z]{2})?$")]


class ProjectOptions(Strict):
    """``project:``: one document, rendered into ``output-dir`` after the data stages."""

    type: Literal["default"] = "default"
    output_dir: str | None = Field(None, alias="output-dir", min_length=1)
    pre_render: str | None = Field(None, alias="pre-render", min_length=1)
    render: list[str] = Field(default_factory=list)


class HtmlOptions(Strict):
    """The HTML brief is one file with its styles and figures inside."""

    embed_resources: Literal[True] = Field(True, alias="embed-resources")


class TypstOptions(Strict):
    """The PDF: its paper and the PDF standard Typst checks it against."""

    papersize: Literal["a4", "us-letter"] = "a4"
    pdf_standard: list[Literal["ua-1"]] | None = Field(None, alias="pdf-standard", min_length=1)


class Formats(Strict):
    """The three formats the brief is rendered to, each with its options or ``default``."""

    html: HtmlOptions | Literal["default"] = "default"
    typst: TypstOptions | Literal["default"] = "default"
    docx: Literal["default"] = "default"


class QuartoConfig(Strict):
    """``_quarto.yml``."""

    project: ProjectOptions | None = None
    lang: Language | None = None
    # The embedded engine prints the year of the front matter's date; Quarto formats the
    # date as this says, so this is the one format both print alike.
    date_format: Literal["YYYY"] | None = Field(None, alias="date-format")
    quarto_required: str | None = Field(None, alias="quarto-required", min_length=1)
    filters: list[str] = Field(default_factory=list)
    format: Formats | None = None


class FrontMatter(Strict):
    """The front matter of ``report.qmd``: what the title block prints."""

    title: str = Field(min_length=1)
    author: str | list[str] | None = None
    date: Annotated[str, AfterValidator(_publication_date)]
    lang: Language | None = None


@dataclass(frozen=True)
class Project:
    """``_quarto.yml`` and ``report.qmd`` read, with the report's body kept line for line."""

    paths: ProjectPaths
    config: Mapping[str, Any]
    front_matter: Mapping[str, Any]
    body: str

    def options(self, output_format: str | None = None) -> dict[str, Any]:
        """The metadata one output format sees: project keys, format options, front matter."""
        merged = {key: value for key, value in self.config.items() if key not in _PROJECT_KEYS}
        formats = self.config.get("format") or {}
        if output_format and isinstance(formats.get(output_format), Mapping):
            merged.update(formats[output_format])
        merged.update(self.front_matter)
        if merged.get("date-format") == "YYYY":
            merged["date"] = _DATE.match(merged["date"])["year"]  # type: ignore[index]
        return merged

    @property
    def title(self) -> str:
        return str(self.options().get("title") or "")

    @property
    def author(self) -> str:
        author = self.options().get("author") or ""
        return ", ".join(map(str, author)) if isinstance(author, list) else str(author)


def split_front_matter(text: str, file: Path) -> tuple[dict[str, Any], str]:
    """Separate the front matter, checked against ``FrontMatter``, from the body.

    The body keeps one (empty) line per front-matter line, so a line number in the body
    is the line number in the file.
    """
    match = _FRONT_MATTER.match(text)
    data, lines = read_yaml(match["yaml"] or "", file, "the front matter") if match else ({}, {})
    below_the_dashes = {location: line + 1 for location, line in lines.items()}
    validate_data(data, below_the_dashes, file, FrontMatter, "the front matter")
    if not match:
        return data, text
    blank = "\n" * match.group(0).count("\n")
    return data, blank + text[match.end() :]


def read_config(paths: ProjectPaths) -> dict[str, Any]:
    """Read ``_quarto.yml``, every key checked, as the keys and values written in it."""
    loaded = load_model(paths.quarto_config, QuartoConfig, "the project file", _CONFIG_ACTION)
    return loaded.model.model_dump(by_alias=True, exclude_unset=True)


def load_project(paths: ProjectPaths) -> Project:
    """Read the project file and the report."""
    config = read_config(paths)
    if not paths.report.is_file():
        raise BuildError(
            "the brief is missing",
            file=paths.report,
            action="restore report.qmd at the project root",
        )
    front_matter, body = split_front_matter(paths.report.read_text(encoding="utf-8"), paths.report)
    return Project(paths=paths, config=config, front_matter=front_matter, body=body)


def build_timestamp(project: Project, environ: Mapping[str, str] = os.environ) -> int:
    """The fixed creation time stamped into outputs, as Unix seconds.

    ``SOURCE_DATE_EPOCH`` wins when set (the reproducible-builds convention); otherwise
    the front-matter ``date`` (a year, year-month or full date) at midnight UTC.
    """
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        if not epoch.isdigit():
            raise BuildError(
                f"SOURCE_DATE_EPOCH is {epoch!r}",
                expected="a whole number of seconds since 1970-01-01 UTC",
                action="unset it, or set it to e.g. 1609459200",
            )
        return int(epoch)
    match = _DATE.match(project.front_matter["date"])
    day = dt.date(int(match["year"]), int(match["month"] or 1), int(match["day"] or 1))  # type: ignore[index]
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())
