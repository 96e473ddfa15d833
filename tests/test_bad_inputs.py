"""Bad input through the command line: one readable, located message, and nothing lost.

Each case of ``tests/bad_inputs/cases.py`` breaks a copy of a project whose last build
succeeded. ``python -m ltbrief --project COPY build --to html`` must then stop with one
message naming the file, the row or line and the column, saying what was expected and what
to do, with no traceback; raw data and the last good outputs stay byte for byte. An odd
but legitimate input builds, and its notebooks say what was done.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from ltbrief.io import sha256_of
from ltbrief.paths import PATHS
from tests.bad_inputs.cases import CASES, Builds, Case, Fails

# Two builds at once, one per core: the corpus runs in a little over half the time.
WORKERS = 2
BUILD_TIMEOUT_SECONDS = 600
# Far more than any located message needs, far less than a 10 MB answer.
MAX_MESSAGE_CHARACTERS = 4_000
OUTPUTS = ("data/interim", "data/processed", "_variables.yml", "_output")
RAW = ("data/raw",)
BUILD_RECORD = ".doit.db"


def _params(cases: list[Case]) -> list[object]:
    """One test per case; a case the build does not pass yet must fail until it does."""
    return [
        pytest.param(case, id=case.name, marks=[pytest.mark.xfail(reason=case.gap, strict=True)])
        if case.gap
        else pytest.param(case, id=case.name)
        for case in cases
    ]


FAILING = _params([case for case in CASES if isinstance(case.expect, Fails)])
BUILDING = _params([case for case in CASES if isinstance(case.expect, Builds)])


@dataclass(frozen=True)
class Outcome:
    """What one build of a broken copy did, and the files before and after it."""

    root: Path
    code: int
    stdout: str
    stderr: str
    seconds: float
    raw_before: dict[str, str]
    raw_after: dict[str, str]
    outputs_before: dict[str, str]
    outputs_after: dict[str, str]

    @property
    def message(self) -> str:
        """The error as printed after ``Build failed:``."""
        return self.stderr.partition("Build failed:")[2].strip()


def hashes(root: Path, parts: tuple[str, ...]) -> dict[str, str]:
    """The SHA-256 of every file under ``parts`` of ``root``, by path relative to it."""
    files = []
    for part in parts:
        path = root / part
        files += [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return {file.relative_to(root).as_posix(): sha256_of(file) for file in sorted(files)}


def build(project: Path) -> subprocess.CompletedProcess[str]:
    """Build ``project`` as a person would, from inside it."""
    return subprocess.run(
        [sys.executable, "-m", "ltbrief", "--project", str(project), "build", "--to", "html"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_SECONDS,
        check=False,
    )


def copy_project(template: Path, root: Path) -> None:
    """Copy a built project; its build record then describes the copy.

    The record names the files of the template's folder: pointed at the copy, it lets
    the build rerun only the stages whose inputs a case changed, as it would in the
    template itself.
    """
    shutil.copytree(template, root, symlinks=True)
    record = root / BUILD_RECORD
    if record.is_file():
        record.write_text(record.read_text().replace(str(template), str(root)))


def run_case(case: Case, template: Path, root: Path) -> Outcome:
    """Break a copy of the template as ``case`` says, and build it."""
    copy_project(template, root)
    case.apply(root)
    raw_before, outputs_before = hashes(root, RAW), hashes(root, OUTPUTS)
    started = time.perf_counter()
    result = build(root)
    return Outcome(
        root=root,
        code=result.returncode,
        stdout=result.stdout,
        stderr=result.stderr,
        seconds=time.perf_counter() - started,
        raw_before=raw_before,
        raw_after=hashes(root, RAW),
        outputs_before=outputs_before,
        outputs_after=hashes(root, OUTPUTS),
    )


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of this project's inputs whose build succeeded."""
    root = tmp_path_factory.mktemp("good") / "project"
    shutil.copytree(PATHS.raw.parent, root / "data", ignore=shutil.ignore_patterns(
        PATHS.interim.name, PATHS.processed.name))  # fmt: skip
    for file in (PATHS.report, PATHS.quarto_config):
        shutil.copy2(file, root / file.name)
    result = build(root)
    assert result.returncode == 0, f"the good project did not build:\n{result.stderr}"
    return root


@pytest.fixture(scope="module")
def outcome_of(
    template: Path, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Callable[[Case], Outcome]]:
    """Build every selected case, two at a time, as soon as the first one is asked for."""
    selected = [
        item.callspec.params["case"]
        for item in request.session.items
        if getattr(item, "module", None) is request.module
        and "case" in getattr(getattr(item, "callspec", None), "params", {})
    ]
    cases = tmp_path_factory.mktemp("cases")
    with ThreadPoolExecutor(WORKERS) as pool:
        futures: dict[str, Future[Outcome]] = {}

        def outcome(case: Case) -> Outcome:
            if not futures:
                for each in selected:
                    futures[each.name] = pool.submit(run_case, each, template, cases / each.name)
            return futures[case.name].result()

        yield outcome


@pytest.mark.slow
@pytest.mark.parametrize("case", FAILING)
def test_bad_input_stops_with_one_located_message(
    case: Case, outcome_of: Callable[[Case], Outcome], template: Path
) -> None:
    outcome = outcome_of(case)
    expect = case.expect
    assert isinstance(expect, Fails)
    output = outcome.stdout + outcome.stderr
    message = outcome.message
    print(f"{case.name} | {outcome.code} | {headline(message)} | {outcome.seconds:.1f} s")
    assert outcome.code == 1, output
    assert "Traceback" not in output
    assert output.count("Build failed") == 1, output
    assert len(message) <= MAX_MESSAGE_CHARACTERS, message[:MAX_MESSAGE_CHARACTERS]
    assert expect.file in message, message
    for phrase in expect.says:
        assert phrase in message, message
    assert "what to do:" in message, message
    if expect.stage:
        assert re.search(rf"^{expect.stage}\s+failed", outcome.stdout, re.MULTILINE), output
    if expect.row is not None:
        row = spreadsheet_row(template / expect.file, expect.row)
        assert f"row {row}" in message, message
    if expect.line is not None:
        line = line_number(outcome.root / expect.file, expect.line)
        assert f"line {line}" in message or f"{expect.file}:{line}:" in message, message
    if expect.column is not None:
        assert f"column '{expect.column}'" in message, message
    assert outcome.raw_after == outcome.raw_before, "the build wrote to data/raw/"
    assert changed_outputs(outcome) == [], "a failed build replaced good outputs"


@pytest.mark.slow
@pytest.mark.parametrize("case", BUILDING)
def test_odd_but_legitimate_input_builds_and_says_so(
    case: Case, outcome_of: Callable[[Case], Outcome], template: Path
) -> None:
    outcome = outcome_of(case)
    expect = case.expect
    assert isinstance(expect, Builds)
    print(f"{case.name} | {outcome.code} | {headline(outcome.stdout)} | {outcome.seconds:.1f} s")
    assert outcome.code == 0, outcome.stdout + outcome.stderr
    assert outcome.raw_after == outcome.raw_before, "the build wrote to data/raw/"
    said = notebook_output(outcome.root / "_output" / "notebooks")
    for note in expect.notes:
        assert note in said
    if expect.check:
        expect.check(outcome.root, template)


def test_readme_lists_every_case() -> None:
    readme = (Path(__file__).parent / "bad_inputs" / "README.md").read_text(encoding="utf-8")
    listed = re.findall(r"^\| `([a-z0-9-]+)` \|", readme, flags=re.MULTILINE)
    assert listed == [case.name for case in CASES]
    assert len(CASES) >= 30


def spreadsheet_row(path: Path, row: int | str) -> int:
    """The spreadsheet row of a record, found by its first cell; -1 means after the last."""
    if isinstance(row, int) and row >= 0:
        return row
    records = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    if row == -1:
        return len(records) + 1
    return next(number for number, cells in enumerate(records, 1) if cells and cells[0] == row)


def line_number(path: Path, line: int | str) -> int:
    """A line number, or that of the last line holding the text."""
    if isinstance(line, int):
        return line
    text = path.read_bytes().decode("utf-8", errors="replace")
    return text[: text.rindex(line)].count("\n") + 1


def changed_outputs(outcome: Outcome) -> list[str]:
    """Outputs of the good build that changed or went, and new files other than failure logs."""
    before, after = outcome.outputs_before, outcome.outputs_after
    changed = [path for path, digest in before.items() if after.get(path) != digest]
    added = [path for path in after if path not in before and not path.endswith(".failed.ipynb")]
    return changed + added


def notebook_output(folder: Path) -> str:
    """Everything the executed notebooks printed or displayed as text."""
    texts = []
    for notebook in sorted(folder.glob("*.ipynb")):
        for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
            for output in cell.get("outputs", []):
                texts.append("".join(output.get("text", "")))
                texts.append("".join(output.get("data", {}).get("text/plain", "")))
    return "\n".join(texts)


def headline(message: str) -> str:
    """The first line of a message that says where, skipping the stage's own heading."""
    lines = [line for line in message.splitlines() if line.strip()]
    located = [line for line in lines if not re.match(r"^stage \S+ stopped:$", line)]
    return (located or [""])[0][:150]
