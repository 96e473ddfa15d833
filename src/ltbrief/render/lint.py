"""Check the brief before rendering: every reference resolves, every quote is true and safe.

Each problem names the file and line, says what is wrong and what to do, e.g.
``report.qmd:42: unknown variable 'responce' — did you mean 'responses'?``.
Quarto prints ``?var:key`` and carries on; this lint stops the build instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ltbrief.errors import BuildError, did_you_mean
from ltbrief.io import read_parquet
from ltbrief.paths import PATHS, ProjectPaths
from ltbrief.render import quotes
from ltbrief.render.crossref import LABEL_KINDS, find_labels, find_references
from ltbrief.render.guard import PLACEHOLDERS, find_personal_data
from ltbrief.render.project import Project, load_project
from ltbrief.render.quote_reviews import (
    REVIEW_COMMAND,
    Review,
    read_reviews,
    review_problem,
)
from ltbrief.render.scan import Structure, find_images, find_table_cells, line_of, scan, unescape
from ltbrief.render.shortcodes import (
    Shortcode,
    find_shortcodes,
    load_variables,
    lookup,
    resolve_include,
    standalone_include,
    variable_keys,
)

ANSWER_COLUMNS = ("main_challenge", "support_needed")
_INLINE_CODE_CELL = re.compile(r"`\{(?P<engine>[\w-]+)\}[^`]*`")
_QUOTE_HINT = 'put it in a div: ::: {.respondent-quote response="PMS20-…"}'
_MATCH_HINT = "copy the respondent's words exactly; mark cuts with ... and additions with [ ]"
_REVIEW_HINT = f"read it against the response, then record your review: {REVIEW_COMMAND}"
_CELL_HINT = (
    "take it out of the data the table is made from (data/codebook.yml), then run "
    "python -m ltbrief data: personal data is never published"
)


@dataclass(frozen=True, order=True)
class Problem:
    """Something in the brief a person must fix before it renders."""

    file: Path
    line: int
    message: str
    suggestion: str = ""

    def __str__(self) -> str:
        text = f"{self.file.as_posix()}:{self.line}: {self.message}"
        return f"{text} — {self.suggestion}" if self.suggestion else text


@dataclass(frozen=True)
class Source:
    """One file of the brief: ``report.qmd`` (front matter blanked) or an included file."""

    path: Path
    text: str


class _Reporter:
    """Collects problems, naming files relative to the project root."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[Problem] = []

    def add(self, file: Path, line: int, message: str, suggestion: str = "") -> None:
        shown = file.relative_to(self.root) if file.is_relative_to(self.root) else file
        self.problems.append(Problem(shown, line, message, suggestion))

    def add_error(self, error: BuildError) -> None:
        self.add(error.file or self.root, error.line or 1, error.problem, error.action or "")


def lint(paths: ProjectPaths = PATHS, check_reviews: bool = True) -> list[Problem]:
    """Every problem in the brief and the files it includes, sorted by file and line.

    ``check_reviews=False`` leaves out the quote-review check, for the review command.
    """
    reporter = _Reporter(paths.root)
    try:
        project = load_project(paths)
    except BuildError as error:
        reporter.add_error(error)
        return reporter.problems
    variables = _read_variables(paths, reporter)
    reviews = _read_reviews(paths, reporter) if check_reviews else None
    sources = collect_sources(project)
    for source in sources:
        structure = scan(source.text)
        check_shortcodes(source, variables, paths, reporter)
        check_structure(source, structure, reporter)
        check_images(source, paths, reporter)
        check_quotes(source, structure, paths, reporter, reviews)
        check_table_cells(source, reporter)
    check_headings(project, scan(project.body), reporter)
    check_cross_references(sources, reporter)
    return sorted(set(reporter.problems))


def collect_sources(project: Project) -> list[Source]:
    """The report and every file it includes (an included file includes none: see below)."""
    sources = [Source(project.paths.report, project.body)]
    for code in find_shortcodes(project.body):
        if code.literal or code.name != "include":
            continue
        try:
            target = resolve_include(code.argument, project.paths.report, project.paths.root)
        except BuildError:
            continue
        if all(known.path != target for known in sources):
            sources.append(Source(target, target.read_text(encoding="utf-8")))
    return sources


def _read_variables(paths: ProjectPaths, reporter: _Reporter) -> Mapping[str, Any] | None:
    """``_variables.yml``, or ``None`` (and a problem) when it cannot be read."""
    try:
        return load_variables(paths.variables)
    except BuildError as error:
        reporter.add_error(error)
        return None


def _read_reviews(paths: ProjectPaths, reporter: _Reporter) -> list[Review]:
    """The quote reviews, or none (and a problem) when the file cannot be read."""
    try:
        return read_reviews(paths.quote_reviews)
    except BuildError as error:
        reporter.add_error(error)
        return []


def find_quotes(source: Source, structure: Structure) -> list[quotes.Quote]:
    """The quotes in one file, block and inline, in order."""
    found = quotes.block_quotes(structure) + quotes.inline_quotes(source.text)
    return sorted(found, key=lambda quote: quote.line)


def check_shortcodes(
    source: Source,
    variables: Mapping[str, Any] | None,
    paths: ProjectPaths,
    reporter: _Reporter,
) -> None:
    """Unknown shortcodes, unknown variables and includes that cannot be read."""
    for code in find_shortcodes(source.text):
        line = line_of(source.text, code.start)
        if code.literal:
            continue
        if code.name == "var":
            _check_variable(source.path, line, code.argument, variables, reporter)
        elif code.name == "include":
            _check_include(source, code, line, paths, reporter)
        else:
            reporter.add(
                source.path,
                line,
                f"unknown shortcode '{code.name}'",
                "the brief uses only {{< var key >}} and {{< include file >}}",
            )


def _check_include(
    source: Source, code: Shortcode, line: int, paths: ProjectPaths, reporter: _Reporter
) -> None:
    """An include both engines expand alike: in report.qmd, alone on its line, readable.

    Quarto expands only includes alone on their line and resolves a nested include from
    report.qmd's folder; refusing the other forms keeps the two engines' briefs the same.
    """
    if source.path != paths.report:
        reporter.add(
            source.path,
            line,
            "an included file includes another",
            "move the include into report.qmd: Quarto and this renderer would resolve a "
            "nested include from different folders",
        )
    elif not standalone_include(source.text, code):
        reporter.add(
            source.path,
            line,
            "an include that does not stand alone on its line",
            "put {{< include file >}} on a line of its own, with one space inside the braces: "
            "Quarto leaves any other include as text",
        )
    try:
        resolve_include(code.argument, source.path, paths.root)
    except BuildError as error:
        reporter.add(source.path, line, error.problem, error.action or "")


def _check_variable(
    file: Path,
    line: int,
    key: str,
    variables: Mapping[str, Any] | None,
    reporter: _Reporter,
) -> None:
    if not key:
        reporter.add(file, line, "a var shortcode names no variable", "write {{< var key >}}")
    elif variables is not None and lookup(variables, key) is None:
        keys = variable_keys(variables)
        hint = did_you_mean(key, keys, "the variables are listed in _variables.yml")
        reporter.add(file, line, f"unknown variable '{key}'", hint)


def check_structure(source: Source, structure: Structure, reporter: _Reporter) -> None:
    """Code cells and blocks, raw blocks, unclosed or stray divs, unattributed quotes."""
    for fence in structure.fences:
        reporter.add(source.path, fence.line, *_fence_problem(fence.info))
    for match in _INLINE_CODE_CELL.finditer(source.text):
        reporter.add(
            source.path,
            line_of(source.text, match.start()),
            f"inline code cell ({match['engine']}): the brief has no code",
            "compute the value in a notebook and print it with {{< var key >}}",
        )
    for div in structure.divs:
        if div.end_line is None:
            reporter.add(
                source.path,
                div.line,
                "fenced div is never closed",
                "add a ':::' line where it ends",
            )
    for line in structure.stray_closings:
        reporter.add(
            source.path, line, "':::' closes no open div", "remove it, or open the div it closes"
        )
    quote_divs = {
        div.line for div in structure.divs if quotes.QUOTE_CLASS in div.attributes.classes
    }
    previous = -1
    for quoted in structure.quote_lines:
        if quoted.line != previous + 1 and not quote_divs & set(quoted.divs):
            reporter.add(source.path, quoted.line, "block quote with no response id", _QUOTE_HINT)
        previous = quoted.line


def _fence_problem(info: str) -> tuple[str, str]:
    """The message and suggestion for a fenced block, by what its info string says."""
    if info.startswith("{="):
        return (
            f"raw output block {info}: the brief is plain Markdown",
            "write Markdown; styling lives in src/ltbrief/resources/render/",
        )
    if info.startswith("{"):
        return (
            f"code cell {info}: the brief has no code",
            "compute the value in a notebook and print it with {{< var key >}}",
        )
    return (
        "code block: the brief has no code",
        "remove it; a respondent's words go in a respondent-quote div",
    )


def check_images(source: Source, paths: ProjectPaths, reporter: _Reporter) -> None:
    """Images without alt text, and images that are missing or remote."""
    for image in find_images(source.text):
        alt = image.attributes.values.get("fig-alt") or image.attributes.values.get("alt") or ""
        if not alt.strip():
            reporter.add(
                source.path,
                image.line,
                f"image '{image.src}' has no alt text",
                'add fig-alt="…" saying what the image shows, for people who cannot see it',
            )
        if re.match(r"^[a-z]+://", image.src):
            reporter.add(
                source.path,
                image.line,
                f"image '{image.src}' is on another server",
                "save it in the project; the brief must render offline and fetch nothing",
            )
        elif not (paths.root / image.src).is_file():
            reporter.add(
                source.path,
                image.line,
                f"image file '{image.src}' does not exist",
                "check the path (relative to the project root) or run python -m ltbrief data",
            )


def check_headings(project: Project, structure: Structure, reporter: _Reporter) -> None:
    """One level-1 heading (the title), body headings from ##, no skipped levels or notes."""
    previous = 1 if project.title else 0
    for heading in structure.headings:
        if heading.level == 1 and project.title:
            message = "a second level-1 heading: the title is the only one"
            hint = "start sections at ##"
        elif previous == 0 and heading.level != 1:
            message = f"the first heading is level {heading.level}, not 1"
            hint = "give the brief a title in the front matter"
        elif heading.level > previous + 1:
            message = f"heading level skips from {previous} to {heading.level}"
            hint = f"use {'#' * (previous + 1)} here"
        elif "[^" in heading.text or "^[" in heading.text:
            message = "footnote in a heading: PDF bookmarks would repeat its whole text"
            hint = "put the footnote at the end of the section's first sentence"
        else:
            message = ""
        if message:
            reporter.add(project.paths.report, heading.line, message, hint)
        previous = heading.level


def check_cross_references(sources: Sequence[Source], reporter: _Reporter) -> None:
    """Labels defined twice, and references to labels that do not exist."""
    defined: dict[str, Path] = {}
    for source in sources:
        for label in find_labels(source.text):
            if label.id in defined:
                reporter.add(source.path, label.line, f"label '#{label.id}' is defined twice")
            defined.setdefault(label.id, source.path)
    for source in sources:
        for reference in find_references(source.text):
            if reference.id in defined:
                continue
            hint = did_you_mean(
                reference.id,
                defined,
                f"label a table or figure {{#{LABEL_KINDS[0]}-…}} / {{#{LABEL_KINDS[1]}-…}}",
            )
            reporter.add(
                source.path, reference.line, f"unknown cross-reference '@{reference.id}'", hint
            )


def check_table_cells(source: Source, reporter: _Reporter) -> None:
    """No table cell publishes an e-mail address, URL, phone number or postcode."""
    for cell in find_table_cells(source.text):
        text = unescape(cell.text)
        for finding in find_personal_data(text):
            shown = _shorten(text.replace(finding.text, PLACEHOLDERS[finding.kind]), 40)
            reporter.add(
                source.path,
                cell.line,
                f"table cell '{shown}' contains {finding.description}",
                _CELL_HINT,
            )


def check_quotes(
    source: Source,
    structure: Structure,
    paths: ProjectPaths,
    reporter: _Reporter,
    reviews: Sequence[Review] | None,
) -> None:
    """Each quote prints as written, hides no contact details, is true, consented and reviewed."""
    for div in structure.divs:
        is_quote = quotes.QUOTE_CLASS in div.attributes.classes
        if is_quote and not any(div.line in quoted.divs for quoted in structure.quote_lines):
            reporter.add(
                source.path, div.line, "quote div holds no block quote", "start lines with '> '"
            )
    responses: pd.DataFrame | None = None
    for quote in find_quotes(source, structure):
        check_published_words(source.path, quote, reporter)
        if quote.response_id is None:
            reporter.add(
                source.path, quote.line, "quote with no response id", 'add response="PMS20-…"'
            )
            continue
        if reviews is not None:
            problem = review_problem(quote.response_id, quote.text, reviews)
            if problem:
                reporter.add(source.path, quote.line, problem, _REVIEW_HINT)
        if responses is None:
            responses = _read_responses(paths, source.path, quote.line, reporter)
            if responses is None:
                return
        _check_quote(source.path, quote, responses, reporter)


def check_published_words(file: Path, quote: quotes.Quote, reporter: _Reporter) -> None:
    """A quote prints as written (no markup) and publishes no contact details."""
    name = f"quote of {quote.response_id}" if quote.response_id else "quote"
    markup = quotes.find_markup(quote)
    if markup:
        reporter.add(
            file,
            quote.line,
            f"{name} has markup that would not print as written: "
            + ", ".join(item.what for item in markup),
            "; ".join(dict.fromkeys(item.fix for item in markup)),
        )
    for finding in find_personal_data(unescape(quote.text)):
        reporter.add(
            file,
            quote.line,
            f"{name} contains {finding.description}",
            f"cut it with ... or write {PLACEHOLDERS[finding.kind]}: "
            "personal data is never published",
        )


def _read_responses(
    paths: ProjectPaths, file: Path, line: int, reporter: _Reporter
) -> pd.DataFrame | None:
    """The cleaned responses indexed by id, or ``None`` (and a problem) if unreadable."""
    if not paths.responses.is_file():
        reporter.add(
            file,
            line,
            f"cannot check quotes: {paths.responses.relative_to(paths.root)} is missing",
            "run the data stages first: python -m ltbrief data",
        )
        return None
    frame = read_parquet(paths.responses)
    missing = {"response_id", "consent_to_quote"} - set(frame.columns)
    if missing:
        reporter.add(
            file,
            line,
            f"cannot check quotes: responses data has no {', '.join(sorted(missing))} column",
            "regenerate it: python -m ltbrief data",
        )
        return None
    return frame.set_index("response_id")


def _check_quote(
    file: Path, quote: quotes.Quote, responses: pd.DataFrame, reporter: _Reporter
) -> None:
    rid = quote.response_id
    if rid not in responses.index:
        hint = did_you_mean(rid, responses.index.astype(str), "check the id in the responses data")
        reporter.add(file, quote.line, f"response id '{rid}' is not in the data", hint)
        return
    response = responses.loc[rid]
    consent = response["consent_to_quote"]
    if pd.isna(consent) or not bool(consent):
        reporter.add(
            file,
            quote.line,
            f"response {rid} did not consent to be quoted",
            "remove the quote, or quote a response that consented",
        )
    if not quotes.quote_fragments(quote.text):
        reporter.add(file, quote.line, f"quote of {rid} is empty", "write the quoted words")
        return
    mismatches = {}
    for column in ANSWER_COLUMNS:
        answer = response.get(column)
        if isinstance(answer, str) and answer:
            mismatch = quotes.find_mismatch(quote.text, answer)
            if mismatch is None:
                return
            mismatches[column] = mismatch
    if not mismatches:
        reporter.add(file, quote.line, f"response {rid} has no answer text to quote")
        return
    column, mismatch = max(mismatches.items(), key=lambda item: item[1].similarity)
    reporter.add(
        file,
        quote.line,
        f"quote does not match response {rid}: '{_shorten(mismatch.fragment)}' "
        f"is not in its {column} answer",
        f"closest passage: '{_shorten(mismatch.closest)}'; {_MATCH_HINT}",
    )


def _shorten(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
