"""Run the Pandoc that ships inside PyPI's ``pypandoc-binary``, the same on every machine.

The reader accepts the subset of Markdown both engines share; raw HTML, raw TeX, raw
output blocks and dollar math are switched off so that text from data can never turn
into markup, and so are links made from bare brackets (``[Methods]`` linking to a heading
of that name), so an editor's ``[insertion]`` in a quote stays text. Pandoc runs with an
empty environment apart from ``SOURCE_DATE_EPOCH`` and a private data folder, so nothing
on the machine changes its output.
"""

from __future__ import annotations

import logging
import subprocess
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from ltbrief.errors import BuildError
from ltbrief.paths import resource

log = logging.getLogger(__name__)

READER = "markdown" + "".join(
    f"-{extension}"
    for extension in (
        "raw_html",
        "raw_tex",
        "raw_attribute",
        "tex_math_dollars",
        "latex_macros",
        "yaml_metadata_block",
        "implicit_header_references",
        "shortcut_reference_links",
    )
)
# Filters every format runs, in order: quotes first (their divs hold block quotes), then
# numbering (captions exist by then), then alt text and table grouping.
COMMON_FILTERS = ("quotes.lua", "crossref.lua", "alt-text.lua", "tables.lua")


@cache
def pandoc_executable() -> Path:
    """The Pandoc binary bundled with ``pypandoc-binary``."""
    import pypandoc

    return Path(pypandoc.get_pandoc_path())


def render_resource(name: str) -> Path:
    """A template, stylesheet or filter in ``src/ltbrief/resources/render/``."""
    return resource("render", name)


def filter_arguments(*format_filters: str) -> list[str]:
    """``--lua-filter`` options for the common filters and then the format's own."""
    return [f"--lua-filter={render_resource(name)}" for name in (*COMMON_FILTERS, *format_filters)]


def write_metadata(metadata: Mapping[str, Any], folder: Path, name: str) -> Path:
    """Write metadata as a YAML file for ``--metadata-file`` (values read as Markdown)."""
    path = folder / f"{name}.yml"
    path.write_text(yaml.safe_dump(dict(metadata), allow_unicode=True), encoding="utf-8")
    return path


def run_pandoc(
    markdown: str, arguments: Sequence[str], *, cwd: Path, workdir: Path, epoch: int
) -> bytes:
    """Convert ``markdown`` with Pandoc and return what it writes to standard output."""
    command = [
        str(pandoc_executable()),
        f"--from={READER}",
        "--wrap=none",
        f"--data-dir={workdir / 'pandoc-data'}",
        *arguments,
        "--output=-",
    ]
    completed = subprocess.run(
        command,
        input=markdown.encode("utf-8"),
        capture_output=True,
        cwd=cwd,
        env={"SOURCE_DATE_EPOCH": str(epoch), "LANG": "C.UTF-8"},
        check=False,
    )
    messages = completed.stderr.decode("utf-8", errors="replace").strip()
    if completed.returncode != 0:
        raise BuildError(
            f"Pandoc could not convert the brief:\n{messages}",
            action="run the lint (python -m ltbrief.render --check); report the message if clean",
        )
    if messages:
        log.warning("Pandoc: %s", messages)
    return completed.stdout
