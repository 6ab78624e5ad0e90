"""Execute one notebook with papermill and describe the outcome.

A failing notebook never raises out of :func:`execute_notebook`: the failure (cell,
exception type, message) is returned in the :class:`NotebookRun` so that a batch goes
on and reports it.
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
import signal
import tempfile
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import nbformat

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
    headlines: list[str] = field(default_factory=list)
    error: dict[str, Any] | None = None
    ipynb: str | None = None
    html: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _describe_failure(exc: BaseException, timeout: float | None = None) -> tuple[str, dict[str, Any]]:
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        return "failed", {
            "cell_index": exc.cell_index,
            "execution_count": exc.exec_count,
            "ename": exc.ename,
            "evalue": exc.evalue,
            "source": exc.source,
        }
    if isinstance(exc, CellTimeoutError):
        limit = f"{timeout:g} s" if timeout is not None else "its time limit"
        return "error", {"ename": "CellTimeoutError",
                         "evalue": f"a cell ran longer than --timeout {limit} and was stopped;"
                                   " raise --timeout or make the notebook faster"}
    if isinstance(exc, DeadKernelError) and _STOPPING.is_set():
        return "error", {"ename": "Interrupted", "evalue": "stopped by Ctrl-C"}
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return "error", {"ename": "OSError", "evalue": disk_full_message(exc)}
    return "error", {"ename": type(exc).__name__, "evalue": str(exc)}


def disk_full_message(exc: OSError) -> str:
    where = f" while writing {exc.filename}" if exc.filename else ""
    return f"No space left on device{where}; free some space and render again"


# Kernels of this process that are running now, so that Ctrl-C can stop them at once.
_LIVE_KERNELS: set[Any] = set()
_LIVE_LOCK = threading.Lock()
_STOPPING = threading.Event()
_SOCKET_DIR: Path | None = None


def socket_dir() -> Path:
    """This process's folder of kernel IPC sockets (``<tmp>/crm-workbook-<pid>-<id>``)."""
    global _SOCKET_DIR
    with _LIVE_LOCK:
        if _SOCKET_DIR is None:
            _SOCKET_DIR = Path(tempfile.mkdtemp(prefix=f"crm-workbook-{os.getpid()}-"))
        return _SOCKET_DIR


def remove_socket_dirs() -> None:
    """Remove this process's socket folder and those left by processes that are gone
    (a render killed with SIGKILL cannot remove its own)."""
    global _SOCKET_DIR
    with _LIVE_LOCK:
        if _SOCKET_DIR is not None:
            shutil.rmtree(_SOCKET_DIR, ignore_errors=True)
            _SOCKET_DIR = None
    for folder in Path(tempfile.gettempdir()).glob("crm-workbook-*-*"):
        try:
            pid = int(folder.name.split("-")[2])
        except (IndexError, ValueError):
            continue
        if pid != os.getpid() and not _alive(pid):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _kill(manager: Any) -> None:
    process = getattr(getattr(manager, "provisioner", None), "process", None)
    if process is None:
        return
    try:
        os.killpg(process.pid, signal.SIGKILL)  # the kernel leads its own process group
    except OSError:
        try:
            process.kill()
        except OSError:
            pass


def stop_all_kernels() -> None:
    """Ctrl-C: start no new notebook and kill every running kernel of this process."""
    _STOPPING.set()
    with _LIVE_LOCK:
        managers = list(_LIVE_KERNELS)
    for manager in managers:
        _kill(manager)


def _kernel_options() -> dict[str, type]:
    """On POSIX, papermill options for a kernel manager that talks to its kernel over
    local IPC sockets, not TCP; elsewhere none (papermill's default, TCP on localhost).

    Each kernel gets its own socket prefix in this process's socket folder, so kernels
    started at once cannot race for ports (papermill issues #239 and #511) or sockets,
    and the kernel does not print its warning about unencrypted TCP on every start.
    The socket files are removed when the kernel stops; the folder at the end of the
    run, or by the next run if this one was killed.

    The manager also registers its kernel for :func:`stop_all_kernels`, and does not
    send SIGINT before a normal shutdown (jupyter_client does, and ipykernel then logs
    ``KeyboardInterrupt caught in kernel`` into cron logs for a run that went well).
    """
    if os.name != "posix":
        return {}
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import Unicode, default

    class IPCKernelManager(AsyncKernelManager):
        transport = Unicode("ipc")

        @default("ip")
        def _unique_socket_prefix(self) -> str:
            return str(socket_dir() / f"k-{uuid.uuid4().hex[:12]}")

        async def _async_post_start_kernel(self, **kw: Any) -> None:
            with _LIVE_LOCK:
                _LIVE_KERNELS.add(self)
            if _STOPPING.is_set():
                _kill(self)
            await super()._async_post_start_kernel(**kw)

        async def _async_interrupt_kernel(self) -> None:
            if self.shutting_down:  # a shutdown, not a user's interrupt: nothing to stop
                return
            await super()._async_interrupt_kernel()

        async def _async_cleanup_resources(self, restart: bool = False) -> None:
            with _LIVE_LOCK:
                _LIVE_KERNELS.discard(self)
            await super()._async_cleanup_resources(restart=restart)

    return {"kernel_manager_class": IPCKernelManager}


class _QuietLibraries(logging.Filter):
    """Drop library log lines that repeat, as raw internals, a failure the run reports
    in its own words (a cell timeout, a kernel stopped at shutdown or by Ctrl-C)."""

    NOISE = ("Timeout waiting for execute reply", "Task was destroyed but it is pending",
             "KeyboardInterrupt caught in kernel", "ZMQError", "Kernel died",
             "Exception in callback", "Socket operation on non-socket")

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            text += f" {type(record.exc_info[1]).__name__}"
        return not any(n in text for n in self.NOISE)


def quiet_library_logs() -> None:
    """Install :class:`_QuietLibraries` on the loggers of papermill, nbclient, asyncio,
    the kernel client and traitlets (once)."""
    for name in ("papermill", "nbclient", "asyncio", "jupyter_client", "traitlets", ""):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _QuietLibraries) for f in logger.filters):
            logger.addFilter(_QuietLibraries())
        for handler in logger.handlers:
            if not any(isinstance(f, _QuietLibraries) for f in handler.filters):
                handler.addFilter(_QuietLibraries())


def execute_notebook(
    info: NotebookInfo,
    overrides: dict[str, Any],
    output: Path,
    timeout: float | None = None,
    edition: str = "student",
) -> NotebookRun:
    """Run ``info.path`` in a fresh ``python3`` kernel (cwd: the notebook's folder) into
    ``output`` with the given parameter overrides; ``timeout`` is per cell, in seconds.

    The ``student`` edition runs the notebook without its solution cells, the
    ``instructor`` edition with them (:mod:`crm_analysis.report.editions`)."""
    import papermill as pm

    from .editions import count_solutions, edition_notebook

    quiet_library_logs()
    start = time.perf_counter()
    status, error = "ok", None
    source = str(info.path)
    original = nbformat.read(source, as_version=4)
    if count_solutions(original) and edition != "instructor":
        # the solutions are left out: run a stripped copy (in this process's temp folder;
        # the kernel still starts in the notebook's folder)
        source = str(socket_dir() / f"{info.name}-{uuid.uuid4().hex[:8]}.ipynb")
        nbformat.write(edition_notebook(original, edition), source)
    for attempt in (1, 2):
        if _STOPPING.is_set():
            status, error = "error", {"ename": "Interrupted", "evalue": "stopped by Ctrl-C"}
            break
        try:
            pm.execute_notebook(
                source,
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
            status, error = _describe_failure(exc, timeout)
            transient = status == "error" and any(m in str(exc) for m in _TRANSIENT)
            if not (transient and attempt == 1):
                break
    results = {}
    if output.exists():
        try:
            results = {name: {"value": r.value, "unit": r.unit, "note": r.note,
                              "label": r.title, "decimals": r.decimals}
                       for name, r in read_results(output).items()}
        except Exception as exc:  # noqa: BLE001 - a truncated file (full disk, kill)
            output.unlink(missing_ok=True)
            if status == "ok":
                status, error = "error", {
                    "ename": type(exc).__name__,
                    "evalue": f"the executed notebook {output.name} could not be read back: {exc}"}
    return NotebookRun(
        name=info.name,
        title=info.title,
        status=status,
        duration_s=round(time.perf_counter() - start, 2),
        parameters=effective_parameters(info, overrides),
        overrides=dict(overrides),
        results=results,
        headlines=list(info.headlines),
        error=error,
        ipynb=output.name if output.exists() else None,
    )
