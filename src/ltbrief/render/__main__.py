"""``python -m ltbrief.render``: lint the brief and render it.

python -m ltbrief.render                    # HTML, PDF and DOCX into _output/
python -m ltbrief.render --to html          # a quick preview
python -m ltbrief.render --check            # only the lint
python -m ltbrief.render --engine quarto    # needs the Quarto CLI
python -m ltbrief.render review --reviewer XY   # record your review of new or changed quotes
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from ltbrief.errors import BuildError
from ltbrief.paths import PATHS, ProjectPaths
from ltbrief.render import review
from ltbrief.render.engine import ENGINES, FORMATS, LintFailed, render
from ltbrief.render.lint import lint


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m ltbrief.render", description="Lint the brief and render it."
    )
    parser.add_argument("--engine", choices=ENGINES, default="embedded")
    parser.add_argument(
        "--to",
        default=",".join(FORMATS),
        help=f"comma-separated formats (default: {','.join(FORMATS)})",
    )
    parser.add_argument("--check", action="store_true", help="only lint; render nothing")
    parser.add_argument("--project", type=Path, help="project folder (default: this repository)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Lint, render, print what was written; print problems and return 1 on failure."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["review"]:
        return review.main(argv[1:])
    arguments = parse_arguments(argv)
    logging.basicConfig(format="warning: %(message)s", level=logging.WARNING)
    paths = ProjectPaths.at(arguments.project) if arguments.project else PATHS
    formats = tuple(name.strip() for name in arguments.to.split(",") if name.strip())
    started = time.perf_counter()
    try:
        if arguments.check:
            problems = lint(paths)
            if problems:
                raise LintFailed(problems)
            print("The brief passes every check.")
            return 0
        written = render(paths, formats=formats, engine=arguments.engine)
    except LintFailed as failure:
        for problem in failure.problems:
            print(problem, file=sys.stderr)
        print(f"{len(failure.problems)} problem(s); nothing was rendered.", file=sys.stderr)
        return 1
    except BuildError as error:
        print(error.message, file=sys.stderr)
        return 1
    for path in written:
        shown = path.relative_to(paths.root) if path.is_relative_to(paths.root) else path
        print(f"wrote {shown} ({path.stat().st_size / 1024:,.0f} KiB)")
    print(f"Rendered in {time.perf_counter() - started:.1f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
