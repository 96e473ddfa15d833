"""The brief as a Word document, with each SVG figure rasterised so every viewer shows it."""

from __future__ import annotations

from pathlib import Path

import typst

from ltbrief.render.document import Document
from ltbrief.render.fonts import font_folder
from ltbrief.render.pandoc import filter_arguments, render_resource, run_pandoc, write_metadata
from ltbrief.render.pdf import typst_string
from ltbrief.render.scan import find_images

RASTER_PPI = 200
RASTER_WIDTH = "16cm"  # the text width of an A4 page with Pandoc's default margins


def rasterise_svg(source: str, root: Path) -> bytes:
    """Draw an SVG (a path relative to ``root``) as PNG, as the PDF draws it."""
    markup = (
        render_resource("figures.typ").read_text(encoding="utf-8")
        + "#set page(width: auto, height: auto, margin: 0pt)\n"
        + f"#svg-image({typst_string(source)}, width: {RASTER_WIDTH})\n"
    )
    return typst.compile(
        markup.encode("utf-8"),
        root=str(root),
        format="png",
        ppi=RASTER_PPI,
        font_paths=[str(font_folder())],
        ignore_system_fonts=True,
    )


def rasterise_figures(document: Document, folder: Path) -> Path:
    """Write a PNG beside each SVG's relative path under ``folder``; return ``folder``."""
    for image in find_images(document.markdown):
        if image.src.endswith(".svg"):
            target = folder / Path(image.src).with_suffix(".png")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(rasterise_svg(image.src, document.paths.root))
    return folder


def render_docx(document: Document, workdir: Path) -> bytes:
    """Write the brief as DOCX with Pandoc's default styles."""
    rasters = rasterise_figures(document, workdir / "rasters")
    arguments = [
        "--to=docx",
        f"--metadata-file={write_metadata(document.metadata('docx'), workdir, 'docx')}",
        f"--resource-path={rasters}:.",
        *filter_arguments("docx.lua"),
    ]
    return run_pandoc(
        document.markdown, arguments, cwd=document.paths.root, workdir=workdir, epoch=document.epoch
    )
