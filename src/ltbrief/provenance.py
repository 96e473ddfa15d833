"""Which version of the code built the outputs, read from git without ever failing."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

# What git is asked about for the code version: every tracked input of the build. The
# build's outputs are ignored by git, so a commit that only records outputs is not one.
GIT_TRACKED_INPUTS = (
    "data",
    "src",
    "notebooks",
    "expectations",
    "report.qmd",
    "_quarto.yml",
    "pyproject.toml",
    "requirements.lock",
)
NOT_A_CHECKOUT = "not a git checkout"
GIT_FAILED = "not known (git could not read the checkout)"
UNCOMMITTED = "with uncommitted changes"
NO_COMMIT = "no commit yet"


def code_version(root: Path) -> str:
    """Name the last commit that changed a build input, and say if inputs changed since.

    Never fails: without git or a checkout it says so, since the build must not
    depend on where the project was copied.
    """
    if shutil.which("git") is None or not (root / ".git").exists():
        return NOT_A_CHECKOUT
    try:
        commit = _git(root, "log", "-1", "--format=%H", "--", *GIT_TRACKED_INPUTS)
        changes = _git(root, "status", "--porcelain", "--", *GIT_TRACKED_INPUTS)
    except (OSError, subprocess.SubprocessError):
        return GIT_FAILED
    if not commit:
        return NO_COMMIT
    return f"{commit} {UNCOMMITTED}" if changes else commit


def _git(root: Path, *arguments: str) -> str:
    """Run a read-only git command in ``root`` and return its output."""
    # No optional locks: a status that refreshed the index could race a person's git.
    environment = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}
    completed = subprocess.run(
        ["git", *arguments],
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return completed.stdout.strip()
