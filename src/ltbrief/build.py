"""The incremental build: every stage's inputs and outputs, run by doit.

doit keeps an MD5 of every declared input in ``.doit.db`` and re-runs a stage only
when one of its inputs changed or one of its outputs is missing, so a prose-only edit
of ``report.qmd`` re-renders without executing a notebook, and a no-op build runs
nothing. Each stage lists the package modules it imports, so editing a module
re-runs exactly the stages downstream of it.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, TextIO

from doit.cmd_base import ModuleTaskLoader
from doit.doit_cmd import DoitMain
from doit.exceptions import TaskFailed
from doit.tools import config_changed

from ltbrief.config import read_yaml
from ltbrief.errors import BuildError
from ltbrief.execute import STAGES, Kernels, execute_notebook, reader_notes, stage_parameters
from ltbrief.io import verify_checksums
from ltbrief.paths import PACKAGE_ROOT, PATHS, ProjectPaths
from ltbrief.provenance import code_version
from ltbrief.sources.mapping import RawInputs, load_sources, raw_inputs

FORMATS = ("html", "pdf", "docx")
GENERATED_FILE_CHANGED = (
    "this file is written by notebook 03 from the data and was changed by hand, so the brief "
    "would no longer match its data: change prose in report.qmd and numbers in the data, then "
    "delete the file (or `make clean`) and run `make report` to regenerate it"
)
COMMON_MODULES = ("__init__", "paths", "io", "errors")
# What every stage reads its raw inputs with: the mapping, and the project's own CSV files.
SOURCE_MODULES = (
    "config", "sources/__init__", "sources/mapping", "sources/grid", "sources/text", "sources/tidy"
)  # fmt: skip
# The readers of coding exports and the agreement measures, which only stage 02 uses.
CODING_MODULES = (
    "coding/__init__", "coding/passages", "coding/refi", "coding/qdpx", "coding/qdc",
    "coding/tidy", "coding/qualcoder", "coding/taguette", "coding/link", "coding/codes",
    "coding/agreement", "coding/read", "clean_responses", "redact",
)  # fmt: skip
# The readers of survey exports, which only stage 01 uses.
SURVEY_MODULES = (
    "sources/survey", "sources/canonical", "sources/workbook", "sources/plain",
    "sources/qualtrics", "sources/surveymonkey", "sources/forms",
)  # fmt: skip
# The package modules each stage's notebook imports, directly or through another module.
STAGE_MODULES = {
    "01-clean-responses": (
        "clean_responses", "redact", "validate", "codebook", *SOURCE_MODULES, *SURVEY_MODULES
    ),
    "02-code-responses": (
        "code_responses", "codebook", "validate", *SOURCE_MODULES, *CODING_MODULES
    ),
    "03-summarise": ("summarise", "codebook", "validate", *SOURCE_MODULES),
}  # fmt: skip
STAGE_SUITES = {
    "01-clean-responses": ("raw_export", "clean_responses"),
    "02-code-responses": ("code_responses", "agreement"),
    "03-summarise": ("summarise",),
}


@dataclass
class Progress:
    """What the build did, stage by stage, as the runner reported it."""

    lines: list[str] = field(default_factory=list)
    ran: list[str] = field(default_factory=list)
    up_to_date: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    error: BuildError | None = None
    # What each stage that ran noted about reading its raw files (BOM removed, encoding).
    notes: dict[str, list[str]] = field(default_factory=dict)


def stage_inputs(stem: str, paths: ProjectPaths, raw: RawInputs | None = None) -> list[Path]:
    """Everything a stage notebook reads: data, notebook, package code, suites, lock.

    ``raw`` are the raw files the project's sources file names (read from it if not given).
    """
    raw = raw or raw_inputs(paths)
    data = {
        "01-clean-responses": [raw.survey, raw.areas, paths.codebook],
        "02-code-responses": [*raw.coding, paths.codebook, paths.responses],
        "03-summarise": [raw.areas, paths.codebook, paths.responses, paths.references],
    }[stem]
    data.append(paths.sources)
    modules = [PACKAGE_ROOT / f"{name}.py" for name in (*COMMON_MODULES, *STAGE_MODULES[stem])]
    if "redact" in STAGE_MODULES[stem]:
        modules += sorted((PACKAGE_ROOT / "resources" / "redact").glob("*"))
    suites = [PATHS.suite(name) for name in STAGE_SUITES[stem]]
    return [*data, PATHS.notebook(stem), *modules, *suites, PATHS.root / "requirements.lock"]


def stage_outputs(stem: str, paths: ProjectPaths, codebook_tables: Iterable[str]) -> list[Path]:
    """Everything a stage notebook writes, including its executed copy."""
    outputs = {
        "01-clean-responses": [paths.responses],
        "02-code-responses": [paths.references, paths.agreement],
        "03-summarise": [
            *(paths.tables / name for name in ("theme_counts.csv", "subtheme_counts.csv",
                                               "figures.csv", "discrepancies.csv")),
            *(paths.tables / f"{table}.md" for table in codebook_tables),
            paths.figures / "references-by-theme.svg",
            paths.figures / "references-by-theme.md",
            paths.variables,
            paths.generated_manifest,
        ],
    }[stem]  # fmt: skip
    records = [paths.validation / f"{suite}.json" for suite in STAGE_SUITES[stem]]
    return [*outputs, *records, executed_notebook(stem, paths)]


def render_inputs(paths: ProjectPaths, table_ids: Iterable[str]) -> list[Path]:
    """Everything rendering reads: the brief, its config, generated fragments, render code."""
    return [
        paths.report,
        paths.quarto_config,
        paths.quote_reviews,
        paths.variables,
        paths.generated_manifest,
        *(paths.tables / f"{table}.md" for table in table_ids),
        paths.figures / "references-by-theme.svg",
        paths.figures / "references-by-theme.md",
        paths.processed / "about.md",
        paths.responses,
        *(PACKAGE_ROOT / f"{name}.py" for name in (*COMMON_MODULES, "summarise")),
        *sorted((PACKAGE_ROOT / "render").glob("*.py")),
        *sorted((PACKAGE_ROOT / "resources" / "render").glob("*")),
        PATHS.root / "requirements.lock",
    ]


def published_outputs(paths: ProjectPaths) -> list[Path]:
    """Every output of a build that is published or feeds the brief, in a stable order."""
    folders = (paths.output, paths.interim, paths.processed)
    files = [path for folder in folders if folder.is_dir() for path in folder.rglob("*")]
    outputs = [path for path in files if path.is_file() and ".failed." not in path.name]
    if paths.variables.is_file():
        outputs.append(paths.variables)
    return sorted(outputs, key=lambda path: path.relative_to(paths.root).as_posix())


@contextmanager
def unchanged_on_failure(paths: ProjectPaths) -> Iterator[None]:
    """Leave every output, and the runner's memory, as they were if the build fails.

    Outputs are only ever replaced by renaming a new file over them, so a hard link
    keeps each old file at no cost; the runner's database is rewritten in place, so it
    is copied. Files a failed build made where there were none are removed, except the
    executed copies of failed notebooks (``*.failed.ipynb``), kept for diagnosis.
    """
    before = set(published_outputs(paths))
    database = paths.build_record
    with tempfile.TemporaryDirectory(prefix=".build-backup-", dir=paths.root) as folder:
        backup = Path(folder)
        for index, path in enumerate(sorted(before)):
            (backup / str(index)).hardlink_to(path)
        if database.is_file():
            shutil.copy2(database, backup / "doit.db")
        try:
            yield
        except BaseException:
            for path in set(published_outputs(paths)) - before:
                path.unlink()
            for index, path in enumerate(sorted(before)):
                path.parent.mkdir(parents=True, exist_ok=True)
                (backup / str(index)).replace(path)
            if (backup / "doit.db").is_file():
                (backup / "doit.db").replace(database)
            else:
                database.unlink(missing_ok=True)
            raise


def executed_notebook(stem: str, paths: ProjectPaths) -> Path:
    """Where the build keeps a stage's executed notebook."""
    return paths.output / "notebooks" / f"{stem}.ipynb"


def publish_inputs(paths: ProjectPaths) -> list[Path]:
    """What the published analysis pages and the about fragment are made from."""
    records = [
        paths.validation / f"{suite}.json" for stem in STAGES for suite in STAGE_SUITES[stem]
    ]
    return [
        *records,
        paths.agreement,
        *(executed_notebook(stem, paths) for stem in STAGES),
        *(
            PACKAGE_ROOT / f"{name}.py"
            for name in (*COMMON_MODULES, "publish", "provenance", "coding/agreement")
        ),
        *sorted((PACKAGE_ROOT / "resources" / "publish").rglob("*.*")),
        PACKAGE_ROOT / "resources" / "render" / "report.css",
        PATHS.root / "requirements.lock",
    ]


def build_tasks(
    paths: ProjectPaths,
    kernels: Kernels,
    formats: Sequence[str] = FORMATS,
    engine: str = "embedded",
    scale: int = 1,
    progress: Progress | None = None,
    version: str = "",
    raw: RawInputs | None = None,
) -> dict[str, Callable[[], dict[str, Any]]]:
    """The doit task generators for the whole build, keyed ``task_<name>``.

    ``version`` names the code that builds (it is printed in the brief's appendix);
    ``raw`` the raw files the sources file names (read from it if not given).
    """
    progress = progress if progress is not None else Progress()
    raw = raw or raw_inputs(paths)
    table_ids = _table_ids(paths)

    def run_notebook(stem: str) -> None:
        if not kernels.started_any:
            # Later notebooks will most likely run too: start this one's kernel and theirs.
            kernels.start_ahead(len(STAGES) - STAGES.index(stem))
        notebook = execute_notebook(
            PATHS.notebook(stem),
            stage_parameters(scale),
            executed_copy=executed_notebook(stem, paths),
            kernels=kernels,
        )
        progress.notes[stem] = reader_notes(notebook)

    tasks: dict[str, Callable[[], dict[str, Any]]] = {}

    def add(name: str, action: Callable[[], object], file_dep: list[Path], targets: list[Path],
            task_dep: Sequence[str] = (), uptodate: Sequence[object] = ()) -> None:  # fmt: skip
        definition = {
            "basename": name,
            "actions": [_readable(action, progress)],
            "file_dep": [str(path) for path in file_dep],
            "targets": [str(path) for path in targets],
            "task_dep": list(task_dep),
            "uptodate": list(uptodate),
            "verbosity": 0,
        }
        tasks[f"task_{name}"] = lambda: definition

    raw_files = [*raw, paths.raw_checksums]
    add("raw-checksums", lambda: verify_checksums(paths.raw_checksums), raw_files, [])
    previous = "raw-checksums"
    for stem in STAGES:
        add(
            stem,
            lambda stem=stem: run_notebook(stem),
            stage_inputs(stem, paths, raw),
            stage_outputs(stem, paths, table_ids),
            task_dep=[previous],
        )
        previous = stem
    raw_and_codebook = [*raw, paths.sources, paths.codebook]
    add(
        "about",
        lambda: _publish().write_about(paths, version=version),
        [*publish_inputs(paths), *raw_and_codebook],
        [paths.processed / "about.md"],
        task_dep=["03-summarise"],
        uptodate=[config_changed(version)],
    )
    if formats:
        add(
            "publish-pages",
            lambda: (
                _publish().write_notebook_pages(paths),
                _publish().write_validation_page(paths),
            ),
            publish_inputs(paths),
            [
                *(executed_notebook(stem, paths).with_suffix(".html") for stem in STAGES),
                paths.output / "validation.html",
            ],
            task_dep=["03-summarise"],
        )
    # Quarto renders every format in one run (one pre-render step); the embedded engine
    # renders each format as its own stage, so an edit re-renders only what it changed.
    groups = [tuple(formats)] if engine == "quarto" and formats else [(fmt,) for fmt in formats]
    for group in groups:
        add(
            f"render-{'-'.join(group)}" if engine != "quarto" else "render-quarto",
            lambda group=group: _render(paths, group, engine),
            render_inputs(paths, table_ids),
            [paths.output / f"report.{fmt}" for fmt in group],
            task_dep=["about"],
        )
    return tasks


def run_build(
    paths: ProjectPaths,
    formats: Sequence[str] = FORMATS,
    engine: str = "embedded",
    scale: int = 1,
    out: TextIO = sys.stdout,
    version: str | None = None,
) -> Progress:
    """Bring every output up to date, printing one line per stage; raise on failure.

    ``version`` names the code (default: read from the project's git checkout).
    """
    with one_build_at_a_time(paths, out):
        return _run_build(paths, formats, engine, scale, out, version)


@contextmanager
def one_build_at_a_time(paths: ProjectPaths, out: TextIO) -> Iterator[None]:
    """Hold the project's build lock; if another build holds it, say so and wait for it.

    The second of two builds started together then finds the first one's outputs up
    to date instead of running every stage again beside it. The lock is the operating
    system's, so a build that dies releases it.
    """
    from filelock import FileLock, Timeout

    lock = FileLock(paths.build_lock)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        print(
            f"another build is running in {paths.root}; waiting for it to finish",
            file=out,
            flush=True,
        )
        lock.acquire()
    try:
        yield
    finally:
        lock.release()


def _run_build(
    paths: ProjectPaths,
    formats: Sequence[str],
    engine: str,
    scale: int,
    out: TextIO,
    version: str | None,
) -> Progress:
    raw = _require_inputs(paths, render=bool(formats))
    progress = Progress()
    kernels = Kernels(paths.root)
    tasks = build_tasks(
        paths, kernels, formats, engine, scale, progress, version or code_version(paths.root), raw
    )
    namespace: dict[str, Any] = dict(tasks)
    namespace["DOIT_CONFIG"] = {
        "backend": "json",
        "dep_file": str(paths.build_record),
        "reporter": _reporter_for(progress, out),
        "check_file_uptodate": "md5",
    }
    with unchanged_on_failure(paths):
        try:
            code = DoitMain(ModuleTaskLoader(namespace), config_filenames=()).run([])
        finally:
            kernels.close()
        if progress.error is not None:
            raise progress.error
        if code != 0:
            raise BuildError(
                "the build runner stopped without a readable error",
                action="run again with --debug to see the full output",
            )
    return progress


def _require_inputs(paths: ProjectPaths, render: bool) -> RawInputs:
    """Check the sources file; fail, naming the file, when an input the build needs is missing.

    The runner would otherwise refuse the stage with a message about its own task graph.
    Returns the raw files the sources file names.
    """
    inputs = [paths.sources, paths.raw_checksums, paths.codebook]
    if render:
        inputs += [paths.report, paths.quarto_config, paths.quote_reviews]
    for path in inputs:
        if not path.is_file():
            raise BuildError(
                "the file is missing",
                file=path,
                expected="every input listed in docs/data-dictionary.md and the brief's sources",
                action="restore it from git (git checkout -- <file>), or put the export back "
                "in data/raw/",
            )
    raw = raw_inputs(paths, load_sources(paths, _question_keys(paths)))
    for path in raw:
        if not path.is_file():
            raise BuildError(
                "the file is missing",
                file=path,
                expected="the raw file data/sources.yml names",
                action="put the export back in data/raw/, or correct its name in data/sources.yml",
            )
    return raw


def _publish() -> ModuleType:
    """The publishing module, imported only when a publishing stage runs (it is slow to load)."""
    from ltbrief import publish

    return publish


def _render(paths: ProjectPaths, formats: Sequence[str], engine: str) -> None:
    from ltbrief.render import render

    verify_checksums(paths.generated_manifest, GENERATED_FILE_CHANGED)
    render(paths, formats=formats, engine=engine, data_built=True)


def _table_ids(paths: ProjectPaths) -> list[str]:
    """The table fragments notebook 03 writes: one per table in the codebook.

    Read with YAML alone, which is fast; a codebook that cannot be read this way lists
    no tables here, and stage 02 reports what is wrong with it, with its line.
    """
    try:
        return [str(table["id"]) for table in _codebook_data(paths)["tables"]]
    except (OSError, BuildError, KeyError, TypeError):
        return []


def _question_keys(paths: ProjectPaths) -> list[str] | None:
    """The codebook's question keys, read with YAML alone; None if it cannot be read so.

    Stage 01 then reports what is wrong with the codebook, with its line.
    """
    try:
        return [str(question["key"]) for question in _codebook_data(paths)["questions"]]
    except (OSError, BuildError, KeyError, TypeError):
        return None


def _codebook_data(paths: ProjectPaths) -> Any:
    """The codebook as plain YAML data, not yet checked against its schema."""
    data, _ = read_yaml(paths.codebook.read_text(encoding="utf-8"), paths.codebook, "codebook")
    return data


def _readable(action: Callable[[], object], progress: Progress) -> Callable[[], object]:
    """Run ``action``; keep a readable error for the command line instead of a traceback."""

    def run() -> object:
        try:
            action()
        except BuildError as error:
            progress.error = error
            return TaskFailed(error.message)
        return None

    return run


def _reporter_for(progress: Progress, out: TextIO) -> type:
    """A doit reporter class that prints ``name  ran (1.2 s)`` lines into ``progress``."""

    class ProgressReporter:
        desc = "one line per stage: ran, up to date or failed, with its time"

        def __init__(self, outstream: TextIO, options: dict[str, Any]) -> None:
            self.started: dict[str, float] = {}

        def _line(self, name: str, state: str, seconds: float | None = None) -> None:
            timing = f" ({seconds:.1f} s)" if seconds is not None else ""
            line = f"{name:<22} {state}{timing}"
            progress.lines.append(line)
            print(line, file=out, flush=True)

        def initialize(self, tasks: Any, selected_tasks: Any) -> None: ...
        def get_status(self, task: Any) -> None: ...
        def teardown_task(self, task: Any) -> None: ...
        def cleanup_error(self, exception: Any) -> None: ...
        def runtime_error(self, message: str) -> None:
            progress.lines.append(message)
            print(message, file=sys.stderr)

        def execute_task(self, task: Any) -> None:
            self.started[task.name] = time.perf_counter()

        def add_success(self, task: Any) -> None:
            progress.ran.append(task.name)
            self._line(task.name, "ran", time.perf_counter() - self.started[task.name])
            for note in progress.notes.get(task.name, ()):
                print(f"  {note}", file=out, flush=True)

        def add_failure(self, task: Any, fail: Any) -> None:
            progress.failed.append(task.name)
            self._line(task.name, "failed", time.perf_counter() - self.started.get(task.name, 0))
            if progress.error is None:
                print(fail.get_msg(), file=sys.stderr)

        def skip_uptodate(self, task: Any) -> None:
            progress.up_to_date.append(task.name)
            self._line(task.name, "up to date")

        def skip_ignore(self, task: Any) -> None:
            self._line(task.name, "skipped")

        def complete_run(self) -> None: ...

    return ProgressReporter
