"""Audit: rebuild everything from ``data/raw/`` elsewhere and compare with the published hashes.

``outputs.sha256`` (committed) lists the SHA-256 of every published output. The audit
checks the raw data against ``data/raw/SHA256SUMS``, copies the build's inputs into a
fresh folder, re-executes every notebook and renders the brief there, and compares each
output with the list, naming every file that differs.
"""

from __future__ import annotations

import argparse
import io
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

import pandas as pd

from ltbrief.build import published_outputs, run_build
from ltbrief.errors import BuildError
from ltbrief.io import sha256_of, verify_checksums, write_text
from ltbrief.paths import PATHS, ProjectPaths
from ltbrief.provenance import code_version

# What a clone holds that the build reads; everything else it needs is in the package.
BUILD_INPUTS = (
    "data/raw",
    "data/sources.yml",
    "data/codebook.yml",
    "data/quote-reviews.csv",
    "report.qmd",
    "_quarto.yml",
)


def record_outputs(paths: ProjectPaths) -> Path:
    """Write ``outputs.sha256`` for the outputs of the last build."""
    lines = [
        f"{sha256_of(path)}  {path.relative_to(paths.root).as_posix()}"
        for path in published_outputs(paths)
    ]
    return write_text(paths.output_hashes, "\n".join(lines) + "\n")


def compare_outputs(manifest: Path, paths: ProjectPaths) -> pd.DataFrame:
    """Compare the outputs under ``paths`` with ``manifest``: one row per file and its status.

    A file is ``match``, ``differs``, ``missing`` (listed, not built) or ``unlisted``
    (built, not in the list).
    """
    expected = dict(
        reversed(line.split("  ", 1))
        for line in manifest.read_text(encoding="utf-8").splitlines()
        if line.strip()
    )
    built = {path.relative_to(paths.root).as_posix(): path for path in published_outputs(paths)}
    rows = []
    for name in sorted(set(expected) | set(built)):
        actual = sha256_of(built[name]) if name in built else ""
        if name not in built:
            status = "missing"
        elif name not in expected:
            status = "unlisted"
        else:
            status = "match" if actual == expected[name] else "differs"
        rows.append((name, expected.get(name, ""), actual, status))
    return pd.DataFrame(rows, columns=["file", "expected", "actual", "status"])


def rebuild(source: ProjectPaths, workdir: Path, out: TextIO | None = None) -> ProjectPaths:
    """Copy the build's inputs from ``source`` into ``workdir`` and build everything there."""
    verify_checksums(source.raw_checksums)
    for name in BUILD_INPUTS:
        origin, copy = source.root / name, workdir / name
        copy.parent.mkdir(parents=True, exist_ok=True)
        if origin.is_dir():
            shutil.copytree(origin, copy)
        else:
            shutil.copy2(origin, copy)
    paths = ProjectPaths.at(workdir)
    run_build(paths, out=out or io.StringIO(), version=code_version(source.root))
    return paths


def audit(source: ProjectPaths = PATHS, out: TextIO | None = None) -> pd.DataFrame:
    """Rebuild from raw data in a temporary folder and compare with ``outputs.sha256``."""
    if not source.output_hashes.is_file():
        raise BuildError(
            "there is no list of published output hashes",
            file=source.output_hashes,
            expected="outputs.sha256, written by `make outputs` after a reviewed build",
            action="run `make report` then `make outputs`, review, and commit outputs.sha256",
        )
    with tempfile.TemporaryDirectory(prefix="ltbrief-audit-") as workdir:
        rebuilt = rebuild(source, Path(workdir), out)
        return compare_outputs(source.output_hashes, rebuilt)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the audit, print a table of match/differ per file, exit 1 on any difference."""
    parser = argparse.ArgumentParser(prog="python -m ltbrief.audit", description=__doc__)
    parser.add_argument(
        "--record", action="store_true", help="write outputs.sha256 from the current outputs"
    )
    parser.add_argument("--project", type=Path, default=PATHS.root, help="project to audit")
    arguments = parser.parse_args(argv)
    paths = ProjectPaths.at(arguments.project)
    if arguments.record:
        print(f"wrote {record_outputs(paths).relative_to(paths.root)}")
        return 0
    try:
        print("checking data/raw/SHA256SUMS, then rebuilding everything in a fresh folder ...")
        result = audit(paths, out=sys.stdout)
    except BuildError as error:
        print(f"\nAudit failed: {error.message}", file=sys.stderr)
        return 1
    width = max(len(name) for name in result["file"])
    for row in result.itertuples():
        print(f"{row.file:<{width}}  {row.status}")
    bad = result.loc[result["status"] != "match"]
    if bad.empty:
        print(f"\nAudit passed: all {len(result)} outputs match outputs.sha256.")
        return 0
    print(f"\nAudit failed: {len(bad)} of {len(result)} outputs do not match:", file=sys.stderr)
    for row in bad.itertuples():
        print(f"  {row.file}: {row.status}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
