"""The brief as a project: ``_quarto.yml`` and the front matter of ``report.qmd``.

Metadata is merged as Quarto merges it: the top-level keys of ``_quarto.yml``, then the
options of one output format, then the document's own front matter.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ltbrief.errors import BuildError
from ltbrief.io import read_yaml_mapping
from ltbrief.paths import ProjectPaths

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<yaml>.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_DATE = re.compile(r"^(?P<year>\d{4})(?:-(?P<month>\d{1,2})(?:-(?P<day>\d{1,2}))?)?$")
_PROJECT_KEYS = frozenset({"project", "format", "filters"})


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
        return merged

    @property
    def title(self) -> str:
        return str(self.options().get("title") or "")

    @property
    def author(self) -> str:
        author = self.options().get("author") or ""
        return ", ".join(map(str, author)) if isinstance(author, list) else str(author)


def split_front_matter(text: str, file: Path) -> tuple[dict[str, Any], str]:
    """Separate the YAML front matter from the body, blanking its lines in the body.

    The body keeps one (empty) line per front-matter line, so a line number in the body
    is the line number in the file.
    """
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        data = yaml.safe_load(match.group("yaml") or "") or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise BuildError(
            f"the front matter is not valid YAML ({getattr(error, 'problem', error)})",
            file=file,
            line=mark.line + 2 if mark else 1,
            expected="key: value lines between two '---' lines",
            action="fix the YAML at that line (quote values that contain ':' or '#')",
        ) from error
    if not isinstance(data, dict):
        raise BuildError(
            "the front matter is not a set of key: value pairs",
            file=file,
            line=1,
            action="write the front matter as 'title: ...' lines between '---' lines",
        )
    blank = "\n" * match.group(0).count("\n")
    return data, blank + text[match.end() :]


def read_config(paths: ProjectPaths) -> dict[str, Any]:
    """Read ``_quarto.yml``."""
    return read_yaml_mapping(
        paths.quarto_config,
        "project file",
        "restore _quarto.yml at the project root from git, or fix the YAML at that line "
        "(see docs/rendering.md)",
    )


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
    return _date_seconds(project.options().get("date"), project.paths.report)


def _date_seconds(value: object, file: Path) -> int:
    """Midnight UTC of a front-matter date, in Unix seconds."""
    if isinstance(value, dt.date):
        day = value if not isinstance(value, dt.datetime) else value.date()
    else:
        match = _DATE.match(str(value or "").strip())
        if not match:
            raise BuildError(
                f"the front matter date is {value!r}",
                file=file,
                expected="date: 2021, date: 2021-06 or date: 2021-06-30",
                action="give the publication date in the front matter",
            )
        day = dt.date(int(match["year"]), int(match["month"] or 1), int(match["day"] or 1))
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())
