"""The Quarto engine: one ``quarto render`` for every format, when the Quarto CLI is installed.

Quarto is not on the package registries our machines reach, so the embedded engine is the
default; this path hands the project to Quarto and names the files it writes. What Quarto
does, read from its source (quarto-cli 1.11, docs/rendering.md gives file and line):

- ``project: pre-render`` runs once per ``quarto render``, in the project folder, however
  many formats ``--to`` lists; a command such as ``python -m ltbrief data`` is split on
  spaces and run without a shell, ``python`` found on PATH. So the command is given this
  interpreter's folder first on PATH, and ``QUARTO_PYTHON``; and when the data stages were
  just built by the build calling Quarto, ``LTBRIEF_DATA_BUILT`` tells the step so, and it
  does nothing (a second runner on the same build record would fight the first).
- ``pdf-standard`` (PDF/UA-1) exists from Quarto 1.9.18; an older Quarto writes a PDF that
  is not PDF/UA and says nothing, so it is refused.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from ltbrief.errors import BuildError
from ltbrief.paths import ProjectPaths

QUARTO_FORMATS = {"html": "html", "pdf": "typst", "docx": "docx"}
# A development checkout of Quarto reports 99.9.9 (quarto-cli src/core/quarto.ts): newer.
MINIMUM_VERSION = (1, 9, 18)
DATA_BUILT = "LTBRIEF_DATA_BUILT"
_VERSION = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?")
INSTALL_ACTION = (
    "install Quarto 1.9.18 or later from https://quarto.org, or use the embedded engine "
    "(the default): python -m ltbrief.render --engine embedded"
)


def render_with_quarto(
    paths: ProjectPaths,
    formats: Sequence[str],
    extensions: Mapping[str, str],
    data_built: bool = False,
) -> list[Path]:
    """Run one ``quarto render`` for ``formats`` and return the output files.

    ``data_built``: the caller has just brought the data stages up to date, so Quarto's
    pre-render step need not (and must not) run them again.
    """
    quarto = shutil.which("quarto")
    if quarto is None:
        raise BuildError(
            "the quarto engine needs the Quarto CLI, and no 'quarto' is on PATH",
            expected="Quarto 1.9.18 or later",
            action=INSTALL_ACTION,
        )
    check_version(quarto_version(quarto))
    command = quarto_command(quarto, paths, formats)
    completed = subprocess.run(
        command, cwd=paths.root, env=quarto_environment(paths, data_built), check=False
    )
    if completed.returncode != 0:
        raise BuildError(
            f"{' '.join(command[1:])} failed (exit {completed.returncode})",
            action="read Quarto's message above",
        )
    return [paths.output / f"{paths.report.stem}.{extensions[name]}" for name in formats]


def quarto_command(quarto: str, paths: ProjectPaths, formats: Sequence[str]) -> list[str]:
    """``quarto render report.qmd --to html,typst,docx``: every format in one run."""
    targets = ",".join(QUARTO_FORMATS[name] for name in formats)
    return [quarto, "render", paths.report.name, "--to", targets]


def quarto_environment(
    paths: ProjectPaths, data_built: bool, base: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The environment Quarto runs in: this interpreter first on PATH and as QUARTO_PYTHON."""
    environment = dict(os.environ if base is None else base)
    interpreter = Path(sys.executable)
    environment["PATH"] = os.pathsep.join(
        [str(interpreter.parent), *filter(None, [environment.get("PATH")])]
    )
    environment["QUARTO_PYTHON"] = str(interpreter)
    if data_built:
        environment[DATA_BUILT] = str(paths.root)
    else:
        environment.pop(DATA_BUILT, None)
    return environment


def quarto_version(quarto: str) -> tuple[int, int, int]:
    """The version ``quarto --version`` prints, e.g. (1, 9, 38)."""
    completed = subprocess.run([quarto, "--version"], capture_output=True, text=True, check=False)
    found = _VERSION.search(completed.stdout)
    if completed.returncode != 0 or found is None:
        raise BuildError(
            f"'quarto --version' printed no version ({completed.stdout.strip()!r})",
            expected="a version such as 1.9.38",
            action=INSTALL_ACTION,
        )
    major, minor, patch = found.groups(default="0")
    return int(major), int(minor), int(patch)


def check_version(version: tuple[int, int, int]) -> None:
    """Refuse a Quarto too old to write PDF/UA-1 (``pdf-standard`` came with 1.9.18)."""
    if version < MINIMUM_VERSION:
        shown = ".".join(map(str, version))
        raise BuildError(
            f"Quarto {shown} is too old: it ignores pdf-standard, so its PDF would not be "
            "PDF/UA-1, and it would not say so",
            expected="Quarto " + ".".join(map(str, MINIMUM_VERSION)) + " or later",
            action=INSTALL_ACTION,
        )
