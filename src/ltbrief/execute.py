"""Run a stage notebook top to bottom on a fresh kernel, with its parameters injected."""

from __future__ import annotations

import copy
import itertools
import os
import queue
import tempfile
import threading
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ltbrief.errors import BuildError
from ltbrief.io import write_text

if TYPE_CHECKING:
    # Loading Jupyter takes half a second: the build imports it only to run a notebook.
    import nbformat
    from jupyter_client.manager import KernelManager

STAGES = ("01-clean-responses", "02-code-responses", "03-summarise")
KERNEL_TIMEOUT_SECONDS = 1_800
WARM_UP = "import great_expectations, matplotlib.pyplot, pandas, pyarrow.parquet, ltbrief.validate"
# Errors raised on purpose for people (bad input, failed suite): show their message alone.
READABLE_ERRORS = frozenset({"BuildError", "ValidationFailed"})
# The cells whose printed lines the command line repeats: how the raw files were read.
NOTES_TAG = "reader-notes"


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
    import nbformat

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


def reader_notes(notebook: nbformat.NotebookNode) -> list[str]:
    """The lines printed by the notebook's cells tagged ``reader-notes``: what was read, how."""
    return [
        line
        for cell in notebook.cells
        if NOTES_TAG in cell.get("metadata", {}).get("tags", [])
        for output in cell.get("outputs", [])
        if output.get("output_type") == "stream" and output.get("name") == "stdout"
        for line in output.get("text", "").splitlines()
    ]


def execute_notebook(
    source: Path,
    parameters: Mapping[str, Any] | None = None,
    executed_copy: Path | None = None,
    kernels: Kernels | None = None,
) -> nbformat.NotebookNode:
    """Execute ``source`` with ``parameters`` on a new kernel; save the executed copy.

    The kernel comes from ``kernels`` (default: one started now, working in the
    notebook's folder). A cell that raises one of the package's readable errors stops
    the run with that message and the notebook's name; any other error keeps its
    traceback.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    notebook = inject_parameters(nbformat.read(source, as_version=4), parameters or {})
    kernels = kernels or Kernels(source.parent)
    manager = kernels.take()
    client = NotebookClient(
        notebook,
        km=manager,
        timeout=KERNEL_TIMEOUT_SECONDS,
        resources={"metadata": {"path": str(kernels.workdir)}},
        record_timing=False,
    )
    try:
        client.execute()
    except CellExecutionError as error:
        _coalesce_streams(notebook)
        if executed_copy is not None:
            write_text(executed_copy.with_suffix(".failed.ipynb"), nbformat.writes(notebook))
        if error.ename in READABLE_ERRORS:
            raise StageFailed(source.stem, error.evalue) from None
        raise
    finally:
        kernels.release(manager)
    _coalesce_streams(notebook)
    if executed_copy is not None:
        write_text(executed_copy, nbformat.writes(notebook))
    return notebook


def _coalesce_streams(notebook: nbformat.NotebookNode) -> None:
    """Merge each cell's consecutive prints into one output, in place.

    A busy kernel flushes its output mid-cell, splitting one cell's prints into several
    outputs where an idle one writes one; merged, the executed notebook is the same bytes
    however loaded the machine was.
    """
    from nbconvert.preprocessors import CoalesceStreamsPreprocessor

    CoalesceStreamsPreprocessor().preprocess(notebook, {})


class Kernels:
    """New kernels for stage notebooks, reached over local IPC sockets, one per notebook.

    ``start_ahead`` starts kernels in the background with the heavy libraries already
    imported (Great Expectations takes seconds to import), so the next notebook does
    not wait for them. A kernel never runs two notebooks: nothing a notebook defines
    reaches another. IPC sockets instead of TCP: the kernel is not reachable from the
    network, and ipykernel does not warn about unencrypted TCP.
    """

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self._sockets = tempfile.TemporaryDirectory(prefix="ltbrief-kernels-")
        self._starting: list[Future[KernelManager]] = []
        self._unused: list[KernelManager] = []
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="kernel")
        self._ids = itertools.count(1)
        self._used = 0

    @property
    def started_any(self) -> bool:
        """Whether a kernel has been started or begun ahead yet."""
        return self._used > 0 or bool(self._starting)

    def start_ahead(self, count: int) -> None:
        """Start ``count`` kernels in the background, each importing the libraries."""
        self._starting += [self._pool.submit(self._start, warm=True) for _ in range(count)]

    def take(self) -> KernelManager:
        """A started kernel: one begun ahead if any, else a new one."""
        self._used += 1
        manager = self._starting.pop(0).result() if self._starting else self._start(warm=False)
        with self._lock:
            self._unused.remove(manager)
        return manager

    def release(self, manager: KernelManager) -> None:
        """Shut a kernel down once its notebook has run."""
        if manager.has_kernel:
            manager.shutdown_kernel(now=True)

    def close(self) -> None:
        """Stop kernels started ahead but never used, without waiting for their imports."""
        self._closing.set()
        for future in self._starting:
            future.cancel()
        with self._lock:
            unused, self._unused = self._unused, []
        for manager in unused:
            self.release(manager)
        self._pool.shutdown(wait=True)
        self._starting.clear()
        self._sockets.cleanup()

    def _start(self, warm: bool) -> KernelManager:
        from jupyter_client.manager import KernelManager

        manager = KernelManager(
            kernel_name="python3",
            transport="ipc",
            ip=str(Path(self._sockets.name) / f"kernel-{next(self._ids)}"),
        )
        with self._lock:
            self._unused.append(manager)
        manager.start_kernel(cwd=str(self.workdir), env=_kernel_environment())
        if warm:
            self._warm_up(manager)
        return manager

    def _warm_up(self, manager: KernelManager) -> None:
        """Import the libraries in the kernel; give up as soon as the kernels are closed."""
        client = manager.blocking_client()
        client.start_channels()
        try:
            client.wait_for_ready(timeout=60)
            # silent: no execution count is used, so the notebook's cells number from 1.
            request = client.execute(WARM_UP, silent=True, store_history=False)
            while not self._closing.is_set():
                try:
                    reply = client.get_shell_msg(timeout=0.25)
                except queue.Empty:
                    continue
                if reply["parent_header"].get("msg_id") == request:
                    return
        except RuntimeError:
            if not self._closing.is_set():
                raise
        finally:
            client.stop_channels()


class StageFailed(BuildError):
    """A stage notebook stopped on a readable error; the message is the notebook's own."""

    def __init__(self, stage: str, message: str) -> None:
        self.stage = stage
        super().__init__(f"stage {stage} stopped:\n{message}")


def _kernel_environment() -> dict[str, str]:
    """The kernel's environment: ours, with progress bars off and hashing fixed."""
    return {**os.environ, "TQDM_DISABLE": "1", "PYTHONHASHSEED": "0"}
