"""Render the brief: lint it, then write HTML, PDF and DOCX, all or none."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from ltbrief.errors import BuildError
from ltbrief.io import write_bytes
from ltbrief.paths import PATHS, ProjectPaths
from ltbrief.render.document import Document, prepare
from ltbrief.render.docx import render_docx
from ltbrief.render.html import render_html
from ltbrief.render.lint import Problem, lint
from ltbrief.render.pdf import render_pdf
from ltbrief.render.quarto import render_with_quarto

FORMATS = ("html", "pdf", "docx")
ENGINES = ("embedded", "quarto")
EXTENSIONS = {"html": "html", "pdf": "pdf", "docx": "docx"}
RENDERERS: dict[str, Callable[[Document, Path], bytes]] = {
    "html": render_html,
    "pdf": render_pdf,
    "docx": render_docx,
}


class LintFailed(BuildError):
    """The lint found problems, so nothing was rendered."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        listing = "\n".join(f"  {problem}" for problem in self.problems)
        super().__init__(
            f"the brief has {len(self.problems)} problem(s), so nothing was rendered:\n{listing}",
            action="fix each line above, then render again",
        )


def render(
    paths: ProjectPaths = PATHS,
    formats: Sequence[str] = FORMATS,
    engine: str = "embedded",
    data_built: bool = False,
) -> list[Path]:
    """Lint the brief, render it in ``formats`` and return the files written.

    Every format is rendered before any file is written, so a failure leaves the last
    good outputs in place. ``data_built``: the caller has just built the data stages, so
    Quarto's pre-render step is to leave them.
    """
    _check_choices(formats, engine)
    problems = lint(paths)
    if problems:
        raise LintFailed(problems)
    if engine == "quarto":
        return render_with_quarto(paths, formats, EXTENSIONS, data_built)
    document = prepare(paths)
    with tempfile.TemporaryDirectory(prefix="ltbrief-render-") as workdir:
        rendered = {name: RENDERERS[name](document, Path(workdir)) for name in formats}
    return [write_bytes(output_file(paths, name), data) for name, data in rendered.items()]


def output_file(paths: ProjectPaths, output_format: str) -> Path:
    """Where a format's output goes, e.g. ``_output/report.pdf``."""
    return paths.output / f"{paths.report.stem}.{EXTENSIONS[output_format]}"


def _check_choices(formats: Sequence[str], engine: str) -> None:
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown or not formats:
        raise BuildError(
            f"unknown output format {', '.join(unknown) or '(none given)'}",
            expected=", ".join(FORMATS),
            action="choose formats from the list, e.g. --to html,pdf",
        )
    if engine not in ENGINES:
        raise BuildError(
            f"unknown engine {engine!r}",
            expected=" or ".join(ENGINES),
            action="use --engine embedded (the default) or --engine quarto",
        )
