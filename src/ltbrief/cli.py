"""The command line: ``python -m ltbrief build`` turns raw data into the brief."""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path

from ltbrief.build import FORMATS, run_build
from ltbrief.errors import BuildError
from ltbrief.paths import PATHS, ProjectPaths


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line, run it, and turn readable errors into a message and exit 1."""
    parser = argparse.ArgumentParser(prog="python -m ltbrief", description=__doc__)
    parser.add_argument("--debug", action="store_true", help="show tracebacks for every error")
    parser.add_argument(
        "--project",
        type=Path,
        default=Path(os.environ.get("QUARTO_PROJECT_DIR") or PATHS.root),
        help="project folder to build (default: the one Quarto is rendering, in its "
        "pre-render step; else this repository)",
    )
    parser.add_argument(
        "--scale",
        type=int,
        default=1,
        help="the synthetic data's scale factor (benchmarks); 1 for a real export",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="raw data -> notebooks -> validated outputs -> brief")
    build.add_argument(
        "--to", default=",".join(FORMATS), help="formats to render (default: html,pdf,docx)"
    )
    build.add_argument("--engine", choices=("embedded", "quarto"), default="embedded")
    commands.add_parser("data", help="run only the data stages (Quarto's pre-render step)")
    arguments = parser.parse_args(argv)

    if arguments.command == "data" and _built_by_caller(arguments.project):
        print("data stages: already brought up to date by the build that called Quarto")
        return 0
    formats: list[str] = []
    if arguments.command == "build":
        formats = [name.strip() for name in arguments.to.split(",") if name.strip()]
        unknown = sorted(set(formats) - set(FORMATS))
        if unknown:
            parser.error(f"unknown format {', '.join(unknown)}; choose from {', '.join(FORMATS)}")
    started = time.perf_counter()
    try:
        run_build(
            ProjectPaths.at(arguments.project),
            formats=formats,
            engine=getattr(arguments, "engine", "embedded"),
            scale=arguments.scale,
        )
    except BuildError as error:
        if arguments.debug:
            traceback.print_exc()
        print(f"\nBuild failed: {error.message}", file=sys.stderr)
        print("The failed stage replaced none of its outputs.", file=sys.stderr)
        return 1
    print(f"Build succeeded in {time.perf_counter() - started:.1f} s.")
    return 0


def _built_by_caller(project: Path) -> bool:
    """Whether this is Quarto's pre-render step, run by a build that built the data already."""
    from ltbrief.render.quarto import DATA_BUILT  # the render package loads Pandoc's wrapper

    built = os.environ.get(DATA_BUILT)
    return bool(built) and Path(built).resolve() == project.resolve()
