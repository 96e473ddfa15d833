"""The brief as one self-contained, accessible HTML file."""

from __future__ import annotations

from pathlib import Path

from ltbrief.render.document import Document
from ltbrief.render.fonts import font_face_css
from ltbrief.render.pandoc import filter_arguments, render_resource, run_pandoc, write_metadata


def render_html(document: Document, workdir: Path) -> bytes:
    """Write the page with our template and stylesheet, fonts and images inlined."""
    fonts = workdir / "fonts.css"
    fonts.write_text(font_face_css(), encoding="utf-8")
    arguments = [
        "--to=html5",
        "--standalone",
        "--embed-resources",
        f"--template={render_resource('template.html')}",
        f"--css={fonts}",
        f"--css={render_resource('report.css')}",
        f"--metadata-file={write_metadata(document.metadata('html'), workdir, 'html')}",
        *filter_arguments("html.lua"),
    ]
    return run_pandoc(
        document.markdown, arguments, cwd=document.paths.root, workdir=workdir, epoch=document.epoch
    )
