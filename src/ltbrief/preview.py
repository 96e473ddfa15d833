"""Preview for editors: rebuild the HTML brief in place every time a source is saved.

The incremental build does the work, so saving ``report.qmd`` re-renders in about a
second and runs no notebook; saving data or code re-runs what depends on it.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from ltbrief.build import run_build
from ltbrief.errors import BuildError
from ltbrief.paths import PACKAGE_ROOT, PATHS, ProjectPaths

# Editors save in bursts (temporary file, rename, metadata); one rebuild per burst.
QUIET_SECONDS = 0.3


def watched_folders(paths: ProjectPaths) -> list[Path]:
    """The folders whose files feed the brief: sources, raw data, suites, notebooks, code."""
    return [paths.root, paths.raw, paths.expectations, paths.notebooks, PACKAGE_ROOT]


def is_source(path: Path, paths: ProjectPaths) -> bool:
    """Whether a saved file is one the build reads (not an output, cache or editor backup)."""
    ignored_parts = {"_output", "interim", "processed", "__pycache__", ".git", ".venv"}
    if ignored_parts & set(path.parts) or path.name.startswith((".", "#")):
        return False
    if path.name.endswith(("~", ".swp", ".tmp")) or path == paths.variables:
        return False
    if path.parent == paths.raw:
        return True  # a raw export, whatever the tool named it (.xlsx, .tsv, ...)
    return path.suffix in {".qmd", ".yml", ".csv", ".json", ".ipynb", ".py", ".lua", ".typ",
                           ".css", ".html", ".txt"} or path.name == "SHA256SUMS"  # fmt: skip


class _Debounced(FileSystemEventHandler):
    """Call ``rebuild`` once a burst of changes to source files has gone quiet."""

    def __init__(self, paths: ProjectPaths, rebuild: Callable[[], None]) -> None:
        self.paths = paths
        self.rebuild = rebuild
        self.timer: threading.Timer | None = None

    def on_any_event(self, event: FileSystemEvent) -> None:
        changed = Path(str(getattr(event, "dest_path", "") or event.src_path))
        if event.is_directory or not is_source(changed, self.paths):
            return
        if self.timer is not None:
            self.timer.cancel()
        self.timer = threading.Timer(QUIET_SECONDS, self.rebuild)
        self.timer.start()


def rebuild_html(paths: ProjectPaths) -> None:
    """Bring the HTML brief up to date, printing a readable error instead of stopping."""
    started = time.perf_counter()
    try:
        run_build(paths, formats=("html",))
    except BuildError as error:
        print(f"\nNot updated: {error.message}\n", file=sys.stderr, flush=True)
        return
    page = (paths.output / "report.html").as_uri()
    print(f"Updated {page} in {time.perf_counter() - started:.1f} s", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Build once, then watch the sources and rebuild the HTML on every save until Ctrl+C."""
    parser = argparse.ArgumentParser(prog="python -m ltbrief.preview", description=__doc__)
    parser.add_argument("--project", type=Path, default=PATHS.root)
    arguments = parser.parse_args(argv)
    paths = ProjectPaths.at(arguments.project)
    rebuild_html(paths)
    observer = Observer()
    handler = _Debounced(paths, lambda: rebuild_html(paths))
    for folder in watched_folders(paths):
        observer.schedule(handler, str(folder), recursive=folder != paths.root)
    observer.start()
    print("Watching for saves; open the page above in a browser and reload it. Ctrl+C stops.")
    try:
        while observer.is_alive():
            observer.join(1)
    except KeyboardInterrupt:
        observer.stop()
    observer.join()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
