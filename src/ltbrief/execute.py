"""Run a stage notebook top to bottom on a fresh kernel, with its parameters injected."""

from __future__ import annotations

import copy
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import nbformat
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from ltbrief.errors import BuildError
from ltbrief.io import write_text

STAGES = ("01-clean-responses", "02-code-responses", "03-summarise")
KERNEL_TIMEOUT_SECONDS = 1_800
# Errors raised on purpose for people (bad input, failed suite): show their message alone.
READABLE_ERRORS = frozenset({"BuildError", "ValidationFailed"})


def stage_parameters(scale: int = 1) -> dict[str, Any]:
    """The parameters the build gives every stage notebook.

    The project folder is the kernel's working folder, passed as ``"."`` so that
    executed notebooks are identical whichever folder a project was cloned into.
    """
    parameters: dict[str, Any] = {"project_dir": "."}
    if scale != 1:
        parameters["scale"] = scale
    return parameters


def inject_parameters(
    notebook: nbformat.NotebookNode, parameters: Mapping[str, Any]
) -> nbformat.NotebookNode:
    """Return a copy with a cell assigning ``parameters`` after the ``parameters`` cell."""
    injected = copy.deepcopy(notebook)
    if not parameters:
        return injected
    tagged = [
        index
        for index, cell in enumerate(injected.cells)
        if "parameters" in cell.get("metadata", {}).get("tags", [])
    ]
    if not tagged:
        raise BuildError(
            "the notebook has no cell tagged 'parameters'",
            expected="one code cell tagged 'parameters' holding the defaults",
            action="tag the defaults cell 'parameters' in Jupyter (View > Cell toolbar > Tags)",
        )
    assignments = "\n".join(f"{name} = {value!r}" for name, value in parameters.items())
    cell = nbformat.v4.new_code_cell(f"# Parameters injected by the build\n{assignments}")
    cell.id = "injected-parameters"
    cell.metadata["tags"] = ["injected-parameters"]
    injected.cells.insert(tagged[0] + 1, cell)
    return injected


def execute_notebook(
    source: Path,
    parameters: Mapping[str, Any] | None = None,
    executed_copy: Path | None = None,
    workdir: Path | None = None,
) -> nbformat.NotebookNode:
    """Execute ``source`` with ``parameters`` in ``workdir`` (default: its own folder);
    save the executed copy.

    A cell that raises one of the package's readable errors stops the run with that
    message and the notebook's name; any other error keeps its traceback.
    """
    notebook = inject_parameters(nbformat.read(source, as_version=4), parameters or {})
    try:
        _run_on_fresh_kernel(notebook, workdir or source.parent)
    except CellExecutionError as error:
        if executed_copy is not None:
            write_text(executed_copy.with_suffix(".failed.ipynb"), nbformat.writes(notebook))
        if error.ename in READABLE_ERRORS:
            raise StageFailed(source.stem, error.evalue) from None
        raise
    if executed_copy is not None:
        write_text(executed_copy, nbformat.writes(notebook))
    return notebook


def _run_on_fresh_kernel(notebook: nbformat.NotebookNode, folder: Path) -> None:
    """Execute every cell on a new kernel reached over local sockets, then shut it down.

    IPC sockets instead of TCP: the kernel is not reachable from the network, and
    ipykernel does not warn about unencrypted TCP.
    """
    with tempfile.TemporaryDirectory(prefix="ltbrief-kernel-") as sockets:
        manager = KernelManager(
            kernel_name="python3", transport="ipc", ip=str(Path(sockets) / "kernel")
        )
        client = NotebookClient(
            notebook,
            km=manager,
            timeout=KERNEL_TIMEOUT_SECONDS,
            resources={"metadata": {"path": str(folder)}},
            record_timing=False,
        )
        try:
            client.execute(env=_kernel_environment())
        finally:
            if manager.has_kernel:
                manager.shutdown_kernel(now=True)


class StageFailed(BuildError):
    """A stage notebook stopped on a readable error; the message is the notebook's own."""

    def __init__(self, stage: str, message: str) -> None:
        self.stage = stage
        super().__init__(f"stage {stage} stopped:\n{message}")


def _kernel_environment() -> dict[str, str]:
    """The kernel's environment: ours, with progress bars off and hashing fixed."""
    return {**os.environ, "TQDM_DISABLE": "1", "PYTHONHASHSEED": "0"}
