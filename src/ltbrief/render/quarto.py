"""The Quarto engine: ``quarto render`` when the Quarto CLI is installed.

Quarto is not on the package registries our machines reach, so the embedded engine is
the default; this path only hands the project to Quarto and names the files it writes.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from ltbrief.errors import BuildError
from ltbrief.paths import ProjectPaths

QUARTO_FORMATS = {"html": "html", "pdf": "typst", "docx": "docx"}


def render_with_quarto(
    paths: ProjectPaths, formats: Sequence[str], extensions: dict[str, str]
) -> list[Path]:
    """Run ``quarto render`` once per format and return the output files."""
    quarto = shutil.which("quarto")
    if quarto is None:
        raise BuildError(
            "the quarto engine needs the Quarto CLI, and no 'quarto' is on PATH",
            expected="Quarto 1.6 or later installed from https://quarto.org",
            action="install Quarto, or use the embedded engine (the default): "
            "python -m ltbrief.render --engine embedded",
        )
    outputs = []
    for name in formats:
        command = [quarto, "render", paths.report.name, "--to", QUARTO_FORMATS[name]]
        completed = subprocess.run(command, cwd=paths.root, check=False)
        if completed.returncode != 0:
            raise BuildError(
                f"quarto render --to {QUARTO_FORMATS[name]} failed (exit {completed.returncode})",
                action="read Quarto's message above",
            )
        outputs.append(paths.output / f"{paths.report.stem}.{extensions[name]}")
    return outputs
