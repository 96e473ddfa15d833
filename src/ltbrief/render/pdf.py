"""The brief as a tagged PDF/UA-1 file: Pandoc writes Typst, the ``typst`` package compiles it."""

from __future__ import annotations

import logging
from pathlib import Path

import typst

from ltbrief.errors import BuildError
from ltbrief.render.document import Document
from ltbrief.render.fonts import font_folder
from ltbrief.render.pandoc import filter_arguments, render_resource, run_pandoc, write_metadata

log = logging.getLogger(__name__)
DEFAULT_STANDARDS = ("ua-1",)


def typst_string(text: str) -> str:
    """A Typst string literal holding ``text``."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + " ".join(escaped.split()) + '"'


def typst_source(document: Document, workdir: Path) -> str:
    """The brief as Typst markup, laid out by our template."""
    arguments = [
        "--to=typst",
        "--standalone",
        f"--template={render_resource('template.typ')}",
        f"--metadata-file={write_metadata(document.metadata('typst'), workdir, 'typst')}",
        f"--variable=author-string:{typst_string(document.project.author)}",
        *filter_arguments("typst.lua"),
    ]
    return run_pandoc(
        document.markdown, arguments, cwd=document.paths.root, workdir=workdir, epoch=document.epoch
    ).decode("utf-8")


def compile_pdf(source: str, document: Document) -> bytes:
    """Compile Typst markup to PDF with our fonts only, the fixed time and PDF/UA-1."""
    standards = document.metadata("typst").get("pdf-standard") or DEFAULT_STANDARDS
    try:
        pdf, warnings = typst.compile_with_warnings(
            source.encode("utf-8"),
            root=str(document.paths.root),
            font_paths=[str(font_folder())],
            ignore_system_fonts=True,
            pdf_standards=[str(standard).lower() for standard in standards],
            timestamp=document.epoch,
        )
    except typst.TypstError as error:
        raise BuildError(
            f"Typst could not make the PDF: {error.message}\n{error.diagnostic}",
            action="run the lint (python -m ltbrief.render --check); PDF/UA-1 needs a title, "
            "alt text on every image and headings that do not skip a level",
        ) from error
    for warning in warnings:
        log.warning("Typst: %s", warning.message)
    return pdf


def render_pdf(document: Document, workdir: Path) -> bytes:
    """Write the brief as PDF."""
    return compile_pdf(typst_source(document, workdir), document)
