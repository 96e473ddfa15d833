"""Benchmark the build on this machine and print the figures (medians over repeated runs).

Measures, each in a fresh copy of the project under a temporary folder and as the user
runs it (``python -m ltbrief ...`` in a new process):

- a cold build (data stages and all three formats; the environment already installed),
- a no-op rebuild, and a rebuild after a prose-only edit of ``report.qmd``,
- the data stages alone on synthetic data at 1x, 10x, 100x and 1,000x the survey's size,
  with the peak memory of the largest process (a notebook kernel),
- reading the survey export in each tool's layout at 1x and 100x, against the plain CSV,
- importing the coding from a REFI-QDA project (.qdpx) at 1x, 100x and 1,000x,
- the cost of importing Great Expectations and of starting a kernel.

Times are wall-clock and noisy on a shared machine: compare figures within one run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ltbrief.audit import BUILD_INPUTS
from ltbrief.paths import PATHS, ProjectPaths
from ltbrief.synth.exports import EXPORTERS

SCALES = (1, 10, 100, 1000)
LAYOUT_SCALES = (1, 100)
QDPX_SCALES = (1, 100, 1000)
# Times importing a project's coding alone (read, link and place its passages), after the
# imports, in a new process; prints the seconds and the process's peak memory in MiB.
MEASURE_IMPORT = """
import resource, sys, time
from ltbrief.codebook import load_codebook
from ltbrief.coding.read import read_coding
from ltbrief.paths import ProjectPaths
from ltbrief.sources.mapping import load_sources
paths = ProjectPaths.at(sys.argv[1])
codebook = load_codebook(paths.codebook)
sources = load_sources(paths)
started = time.perf_counter()
read = read_coding(paths, sources, codebook)
seconds = time.perf_counter() - started
print(seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, len(read.passages))
"""
# Times the reading of a project's survey export alone, after the imports, in a new process.
MEASURE_READ = """
import sys, time
from ltbrief.codebook import load_codebook
from ltbrief.paths import ProjectPaths
from ltbrief.sources.mapping import load_sources
from ltbrief.sources.survey import read_survey
paths = ProjectPaths.at(sys.argv[1])
codebook = load_codebook(paths.codebook)
sources = load_sources(paths)
started = time.perf_counter()
read_survey(paths, sources, codebook.answer_columns)
print(time.perf_counter() - started)
"""
MEASURE_CHILD = """
import resource, subprocess, sys, time
started = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
seconds = time.perf_counter() - started
print(seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)
"""


@dataclass(frozen=True)
class Measurement:
    """One timed command: wall seconds, peak memory of its largest process, exit code."""

    seconds: float
    peak_mib: float
    code: int


def measure(command: Sequence[str]) -> Measurement:
    """Run ``command`` in a fresh process tree and measure it from outside."""
    # A wrapper process of its own, so the peak memory is this command's alone.
    result = subprocess.run(
        [sys.executable, "-c", MEASURE_CHILD, *command], capture_output=True, text=True, check=True
    )
    seconds, peak_kib, code = result.stdout.split()
    return Measurement(float(seconds), int(peak_kib) / 1024, int(code))


def ltbrief(project: Path, *arguments: str) -> list[str]:
    """The command a user runs, pointed at ``project``."""
    return [sys.executable, "-m", "ltbrief", "--project", str(project), *arguments]


def copy_project(target: Path, raw: Path | None = None) -> Path:
    """A project folder holding the build's inputs (optionally other raw data)."""
    for name in BUILD_INPUTS:
        origin, copy = PATHS.root / name, target / name
        copy.parent.mkdir(parents=True, exist_ok=True)
        if name == "data/raw" and raw is not None:
            shutil.copytree(raw, copy)
        elif origin.is_dir():
            shutil.copytree(origin, copy)
        else:
            shutil.copy2(origin, copy)
    return target


def fresh_outputs(project: Path) -> None:
    """Delete every output and the runner's memory, as on a fresh clone."""
    paths = ProjectPaths.at(project)
    for path in (paths.output, paths.interim, paths.processed, paths.variables, paths.build_record):
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)


def median_of(runs: Sequence[Measurement]) -> str:
    """Show a set of runs as "12.3 s (11.9-13.0), 812 MiB"; say so loudly if one failed."""
    if any(run.code for run in runs):
        return f"FAILED (exit {[run.code for run in runs]})"
    times = [run.seconds for run in runs]
    peak = max(run.peak_mib for run in runs)
    return f"{statistics.median(times):6.1f} s ({min(times):.1f}-{max(times):.1f}), {peak:,.0f} MiB"


def builds(workdir: Path, repeats: int) -> dict[str, list[Measurement]]:
    """Cold, no-op and prose-only builds of the committed data."""
    project = copy_project(workdir / "builds")
    results: dict[str, list[Measurement]] = {"cold": [], "no-op": [], "prose edit": []}
    for _ in range(repeats):
        fresh_outputs(project)
        results["cold"].append(measure(ltbrief(project, "build")))
        results["no-op"].append(measure(ltbrief(project, "build")))
        with (project / "report.qmd").open("a", encoding="utf-8") as report:
            report.write(f"\nAn editor's sentence, added at {time.perf_counter():.6f}.\n")
        results["prose edit"].append(measure(ltbrief(project, "build")))
    return results


def data_stages(workdir: Path, scales: Sequence[int], repeats: int) -> dict[int, list[Measurement]]:
    """The data stages alone on synthetic data of each scale (generation not timed)."""
    results = {}
    for scale in scales:
        generated = workdir / f"generated-{scale}x"
        subprocess.run(
            [sys.executable, "-m", "ltbrief.synth", "--scale", str(scale), "--project",
             str(generated)],
            check=True,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        raw = generated / "data" / "raw"
        project = copy_project(workdir / f"scale-{scale}x", raw=raw)
        runs = []
        for _ in range(repeats):
            fresh_outputs(project)
            runs.append(measure(ltbrief(project, "--scale", str(scale), "data")))
        results[scale] = runs
        shutil.rmtree(generated)
    return results


def synthetic_project(project: Path, scale: int, *options: str) -> Path:
    """A project of the generator's raw data at ``scale`` (with ``options``) and our codebook."""
    subprocess.run(
        [sys.executable, "-m", "ltbrief.synth", "--scale", str(scale), *options,
         "--project", str(project)],
        check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    shutil.copy2(PATHS.codebook, ProjectPaths.at(project).codebook)
    return project


def layouts(
    workdir: Path, scales: Sequence[int], repeats: int
) -> dict[tuple[str, int], list[float]]:
    """Seconds to read the survey export in each tool's layout (generation not timed)."""
    results = {}
    for scale in scales:
        for layout in EXPORTERS:
            project = synthetic_project(workdir / f"{layout}-{scale}x", scale, "--layout", layout)
            read = [sys.executable, "-c", MEASURE_READ, str(project)]
            results[(layout, scale)] = [
                float(subprocess.run(read, capture_output=True, text=True, check=True).stdout)
                for _ in range(repeats)
            ]
            shutil.rmtree(project)
    return results


def qdpx_imports(
    workdir: Path, scales: Sequence[int], repeats: int
) -> dict[int, list[tuple[float, float, int]]]:
    """Seconds, peak MiB and passages of importing a .qdpx coding (generation not timed)."""
    results = {}
    for scale in scales:
        project = synthetic_project(workdir / f"qdpx-{scale}x", scale, "--coding", "qdpx")
        command = [sys.executable, "-c", MEASURE_IMPORT, str(project)]
        runs = []
        for _ in range(repeats):
            printed = subprocess.run(command, capture_output=True, text=True, check=True).stdout
            seconds, peak, passages = printed.split()
            runs.append((float(seconds), float(peak), int(passages)))
        results[scale] = runs
        shutil.rmtree(project)
    return results


def overheads(repeats: int) -> dict[str, list[Measurement]]:
    """Importing Great Expectations, and starting and stopping one kernel."""
    kernel = (
        "from jupyter_client.manager import start_new_kernel; "
        "manager, client = start_new_kernel(kernel_name='python3'); "
        "client.stop_channels(); manager.shutdown_kernel(now=True)"
    )
    return {
        "import great_expectations": [
            measure([sys.executable, "-c", "import great_expectations"]) for _ in range(repeats)
        ],
        "start a kernel": [measure([sys.executable, "-c", kernel]) for _ in range(repeats)],
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print one line per figure."""
    parser = argparse.ArgumentParser(prog="python -m ltbrief.bench", description=__doc__)
    parser.add_argument("--repeats", type=int, default=3, help="runs per figure (median)")
    parser.add_argument(
        "--scales", default=",".join(map(str, SCALES)), help="scale factors for the data stages"
    )
    parser.add_argument(
        "--qdpx-scales",
        type=lambda text: [int(scale) for scale in text.split(",") if scale],
        default=list(QDPX_SCALES),
        help="scale factors for importing a .qdpx coding (default 1,100,1000)",
    )
    parser.add_argument(
        "--layout-scales",
        type=lambda text: [int(scale) for scale in text.split(",")],
        default=list(LAYOUT_SCALES),
        help="scale factors for reading each layout (default 1,100)",
    )
    arguments = parser.parse_args(argv)
    scales = [int(scale) for scale in arguments.scales.split(",") if scale]
    print(f"Benchmark, {arguments.repeats} runs each; median (min-max), peak memory")
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory(prefix="ltbrief-bench-") as folder:
        workdir = Path(folder)
        for name, runs in overheads(arguments.repeats).items():
            print(f"{name:<30} {median_of(runs)}", flush=True)
        for name, runs in builds(workdir, arguments.repeats).items():
            print(f"{name + ' build':<30} {median_of(runs)}", flush=True)
        per_scale = {}
        for scale, runs in data_stages(workdir, scales, arguments.repeats).items():
            print(f"{f'data stages at {scale:,}x':<30} {median_of(runs)}", flush=True)
            per_scale[scale] = statistics.median(run.seconds for run in runs) / scale
        growth = ", ".join(f"{scale:,}x {seconds:.3f} s" for scale, seconds in per_scale.items())
        print(f"{'seconds per 1x of data':<30} {growth}")
        reads = layouts(workdir, arguments.layout_scales, arguments.repeats)
        for (layout, scale), seconds in reads.items():
            plain = statistics.median(reads[("csv", scale)])
            ratio = statistics.median(seconds) / plain
            spread = f"({min(seconds):.2f}-{max(seconds):.2f})"
            figure = f"{statistics.median(seconds):6.2f} s {spread}, {ratio:.2f}x the plain CSV"
            print(f"{f'read {layout} at {scale:,}x':<30} {figure}", flush=True)
        for scale, runs in qdpx_imports(workdir, arguments.qdpx_scales, arguments.repeats).items():
            times = [seconds for seconds, _, _ in runs]
            peak = max(megabytes for _, megabytes, _ in runs)
            figure = (
                f"{statistics.median(times):6.1f} s ({min(times):.1f}-{max(times):.1f}), "
                f"{peak:,.0f} MiB, {runs[0][2]:,} passages"
            )
            print(f"{f'import .qdpx at {scale:,}x':<30} {figure}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
