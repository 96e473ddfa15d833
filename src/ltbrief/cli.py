"""The command line: ``python -m ltbrief build`` turns raw data into the brief."""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ltbrief.errors import BuildError
from ltbrief.execute import STAGES, execute_notebook, stage_parameters
from ltbrief.io import verify_checksums
from ltbrief.paths import PATHS, ProjectPaths

FORMATS = ("html", "pdf", "docx")


@dataclass(frozen=True)
class Stage:
    """One step of the build, named as the progress lines show it."""

    name: str
    run: Callable[[], object]


def data_stages(paths: ProjectPaths, scale: int = 1) -> list[Stage]:
    """The raw-data check and the three notebooks, in order."""
    stages = [Stage("raw checksums", lambda: verify_checksums(paths.raw_checksums))]
    for stem in STAGES:
        stages.append(
            Stage(
                stem,
                lambda stem=stem: execute_notebook(
                    PATHS.notebook(stem),
                    stage_parameters(stem, paths, scale),
                    executed_copy=paths.output / "notebooks" / f"{stem}.ipynb",
                ),
            )
        )
    return stages


def render_stage(paths: ProjectPaths, formats: Sequence[str], engine: str) -> Stage:
    """Render the brief in the given formats."""
    from ltbrief.render import render

    return Stage(
        f"render {', '.join(formats)}",
        lambda: render(paths, formats=tuple(formats), engine=engine),
    )


def run_stages(stages: Sequence[Stage], out: Callable[[str], object] = print) -> None:
    """Run stages in order, printing one progress line each; stop at the first failure."""
    width = max(len(stage.name) for stage in stages)
    for number, stage in enumerate(stages, start=1):
        started = time.perf_counter()
        prefix = f"[{number}/{len(stages)}] {stage.name.ljust(width)}"
        try:
            stage.run()
        except Exception:
            out(f"{prefix}  failed ({time.perf_counter() - started:.1f} s)")
            raise
        out(f"{prefix}  ran ({time.perf_counter() - started:.1f} s)")


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line, run it, and turn readable errors into a message and exit 1."""
    parser = argparse.ArgumentParser(prog="python -m ltbrief", description=__doc__)
    parser.add_argument("--debug", action="store_true", help="show tracebacks for every error")
    parser.add_argument(
        "--project",
        type=Path,
        default=PATHS.root,
        help="project folder to build (default: this repository)",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="raw data -> notebooks -> validated outputs -> brief")
    build.add_argument(
        "--to", default=",".join(FORMATS), help="formats to render (default: html,pdf,docx)"
    )
    build.add_argument("--engine", choices=("embedded", "quarto"), default="embedded")
    commands.add_parser("data", help="run only the data stages (Quarto's pre-render step)")
    arguments = parser.parse_args(argv)

    paths = ProjectPaths.at(arguments.project)
    stages = data_stages(paths)
    if arguments.command == "build":
        formats = [name.strip() for name in arguments.to.split(",") if name.strip()]
        unknown = sorted(set(formats) - set(FORMATS))
        if unknown:
            parser.error(f"unknown format {', '.join(unknown)}; choose from {', '.join(FORMATS)}")
        stages.append(render_stage(paths, formats, arguments.engine))
    started = time.perf_counter()
    try:
        run_stages(stages)
    except BuildError as error:
        if arguments.debug:
            traceback.print_exc()
        print(f"\nBuild failed: {error.message}", file=sys.stderr)
        print("The failed stage replaced none of its outputs.", file=sys.stderr)
        return 1
    print(f"\nBuild succeeded in {time.perf_counter() - started:.1f} s.")
    return 0
