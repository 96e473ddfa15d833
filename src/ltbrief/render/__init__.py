"""Render the brief (``report.qmd``) to accessible HTML, PDF/UA-1 and DOCX.

``render()`` lints the brief, then renders it with the embedded engine (Pandoc and
Typst from PyPI, identical bytes on every machine) or with Quarto when installed.
``lint()`` alone gives the editor's checks.
"""

from ltbrief.render.engine import ENGINES, FORMATS, LintFailed, output_file, render
from ltbrief.render.lint import Problem, lint

__all__ = ["ENGINES", "FORMATS", "LintFailed", "Problem", "lint", "output_file", "render"]
