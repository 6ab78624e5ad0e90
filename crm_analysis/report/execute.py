"""Execute one notebook with papermill and describe the outcome.

A failing notebook never raises out of :func:`execute_notebook`: the failure (cell,
exception type, message) is returned in the :class:`NotebookRun` so that a batch goes
on and reports it.
"""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..notebook_params import NotebookInfo, effective_parameters
from ..results import read_results

KERNEL_NAME = "python3"
# Messages of kernel start-up failures worth one retry (a kernel slow to start on a
# loaded machine).
_TRANSIENT = ("Address already in use", "Kernel didn't respond", "Kernel died before replying")


@dataclass
class NotebookRun:
    """Outcome of one notebook in a run (what the manifest and index show).

    ``status`` is ``ok``, ``failed`` (a cell raised) or ``error`` (the notebook could not
    run: kernel death, timeout, missing kernel). ``duration_s`` is wall time in seconds.
    """

    name: str
    title: str
    status: str
    duration_s: float
    parameters: dict[str, Any]
    overrides: dict[str, Any]
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    error: dict[str, Any] | None = None
    ipynb: str | None = None
    html: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _describe_failure(exc: BaseException) -> tuple[str, dict[str, Any]]:
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        return "failed", {
            "cell_index": exc.cell_index,
            "execution_count": exc.exec_count,
            "ename": exc.ename,
            "evalue": exc.evalue,
            "source": exc.source,
        }
    return "error", {"ename": type(exc).__name__, "evalue": str(exc)}


def _kernel_options() -> dict[str, type]:
    """On POSIX, papermill options for a kernel manager that talks to its kernel over
    local IPC sockets, not TCP; elsewhere none (papermill's default, TCP on localhost).

    Each kernel gets its own socket prefix in the temp folder, so kernels started at
    once cannot race for ports (papermill issues #239 and #511) or sockets, and the
    kernel does not print its warning about unencrypted TCP on every start. The socket
    files are removed when the kernel stops.
    """
    if os.name != "posix":
        return {}
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import Unicode, default

    class IPCKernelManager(AsyncKernelManager):
        transport = Unicode("ipc")

        @default("ip")
        def _unique_socket_prefix(self) -> str:
            return os.path.join(tempfile.gettempdir(), f"crm-workbook-{uuid.uuid4().hex[:16]}")

    return {"kernel_manager_class": IPCKernelManager}


def execute_notebook(
    info: NotebookInfo,
    overrides: dict[str, Any],
    output: Path,
    timeout: float | None = None,
) -> NotebookRun:
    """Run ``info.path`` in a fresh ``python3`` kernel (cwd: the notebook's folder) into
    ``output`` with the given parameter overrides; ``timeout`` is per cell, in seconds."""
    import papermill as pm

    start = time.perf_counter()
    status, error = "ok", None
    for attempt in (1, 2):
        try:
            pm.execute_notebook(
                str(info.path),
                str(output),
                parameters=overrides,
                kernel_name=KERNEL_NAME,
                # The kernel starts in the notebook's folder. Not papermill's ``cwd``:
                # that changes the whole process's working folder, which races with
                # the notebooks running in other threads.
                resources={"metadata": {"path": str(info.path.parent)}},
                progress_bar=False,
                execution_timeout=timeout,
                **_kernel_options(),
            )
            status, error = "ok", None
            break
        except Exception as exc:  # noqa: BLE001 - every failure is reported, none stops the batch
            status, error = _describe_failure(exc)
            transient = status == "error" and any(m in str(exc) for m in _TRANSIENT)
            if not (transient and attempt == 1):
                break
    results = {}
    if output.exists():
        results = {name: {"value": r.value, "unit": r.unit, "note": r.note}
                   for name, r in read_results(output).items()}
    return NotebookRun(
        name=info.name,
        title=info.title,
        status=status,
        duration_s=round(time.perf_counter() - start, 2),
        parameters=effective_parameters(info, overrides),
        overrides=dict(overrides),
        results=results,
        error=error,
        ipynb=output.name if output.exists() else None,
    )
