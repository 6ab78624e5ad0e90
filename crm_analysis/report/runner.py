"""Render notebooks into a dated run folder: execute, export, manifest, index, publish.

Layout of an output folder::

    reports/
      .crm-workbook.lock          held by the render writing here (others wait)
      .runs/2024-06-30-1a2b3c4d/  a complete run: reports, executed notebooks, manifest
      2024-06-30 -> .runs/2024-06-30-1a2b3c4d
      index.html                  the runs, newest first

A run is built in its own folder under ``.runs/`` and published in one atomic step:
the symbolic link ``reports/<as_of>`` is swapped onto it with ``os.replace``. A crash,
a kill or Ctrl-C at any moment leaves either the old run or the new one published,
never a half-written one and never an index pointing at a missing folder. The next
render removes what a killed render left (unpublished builds, ``.tmp-*`` folders,
kernel socket folders) and restores a run folder that an older version of the
program had moved aside (``.old-*``).

Renders into one output folder are serialized by a lock file: a second render
(a cron job overlapping a manual rerun) says it is waiting and starts when the first
has published, so it carries the first one's notebooks forward and no result is lost.
Rendering a subset of notebooks for an as-of date that already has a run keeps that
run's other notebooks and replaces the ones rendered.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import platform
import queue
import shutil
import subprocess
import sys
import threading
import time
import uuid
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Callable, Iterator

from .. import __version__
from ..notebook_params import NotebookInfo
from . import execute as _execute
from .execute import NotebookRun, disk_full_message
from .course import learning_goals
from .export import export_html
from .index import read_manifest, write_manifest, write_reports_index, write_run_index

RUNS = ".runs"
LOCK = ".crm-workbook.lock"


class DiskFullError(OSError):
    """The disk filled up during a run; the message says what was kept and where."""


_VERSIONED = ("numpy", "pandas", "scipy", "statsmodels", "scikit-learn", "matplotlib",
              "papermill", "nbconvert", "duckdb")


def _versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in _VERSIONED:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            pass
    return found


def _git_commit(directory: Path) -> str | None:
    try:
        out = subprocess.run(
            ["git", "-C", str(directory), "rev-parse", "--short", "HEAD"],
            capture_output=True, text=True, timeout=5, check=True,
        )
        dirty = subprocess.run(
            ["git", "-C", str(directory), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True, text=True, timeout=5, check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() + ("+changes" if dirty.stdout.strip() else "")


def _stderr_progress(message: str) -> None:
    sys.stderr.write(message + "\n")  # one write, so lines from worker threads never interleave
    sys.stderr.flush()


@contextlib.contextmanager
def output_lock(output_dir: Path, as_of: str, progress: Callable[[str], None]) -> Iterator[None]:
    """Hold the output folder's lock file; if another render holds it, say so and wait."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock (documented in the README)
        yield
        return
    path = output_dir / LOCK
    with open(path, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another render"
            progress(f"Waiting: {output_dir} is in use by {holder}; this render (as of {as_of})"
                     " starts when that one has published its reports")
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        handle.truncate()
        handle.write(f"crm-workbook render pid {os.getpid()}, as of {as_of}, started "
                     f"{dt.datetime.now().astimezone().isoformat(timespec='seconds')}\n")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            handle.flush()
            fcntl.flock(handle, fcntl.LOCK_UN)


def _linked(output_dir: Path) -> set[str]:
    """Names of the run folders under ``.runs`` that a published link points at."""
    found = set()
    for entry in output_dir.iterdir():
        if entry.is_symlink():
            target = Path(os.readlink(entry))
            if target.parent.name == RUNS:
                found.add(target.name)
    return found


def _link(output_dir: Path, as_of: str, run_name: str) -> None:
    """Publish: point ``output_dir/<as_of>`` at ``.runs/<run_name>`` in one atomic step."""
    final = output_dir / as_of
    if final.exists() and not final.is_symlink():  # a run folder written by an older version
        os.replace(final, output_dir / RUNS / f"{as_of}-legacy-{uuid.uuid4().hex[:8]}")
    staged = output_dir / f".tmp-link-{as_of}-{uuid.uuid4().hex[:8]}"
    os.symlink(Path(RUNS) / run_name, staged)
    os.replace(staged, final)


def clean_stale(output_dir: Path) -> None:
    """Under the lock: remove what killed renders left and repair half-done publishes."""
    runs = output_dir / RUNS
    for entry in sorted(output_dir.iterdir()):
        name = entry.name
        if name.startswith(".old-"):  # older version killed between its two renames
            as_of = name[len(".old-"):].rsplit("-", 1)[0]
            if not os.path.lexists(output_dir / as_of):
                os.replace(entry, output_dir / as_of)
            else:
                shutil.rmtree(entry, ignore_errors=True)
        elif name.startswith(".tmp-"):
            if entry.is_symlink() or entry.is_file():
                entry.unlink(missing_ok=True)
            else:
                shutil.rmtree(entry, ignore_errors=True)
        elif entry.is_symlink() and not entry.exists():  # link to a removed run
            entry.unlink()
    if not runs.is_dir():
        return
    linked = _linked(output_dir)
    for run in sorted(runs.iterdir()):
        if run.name in linked:
            continue
        if "-legacy-" in run.name:  # moved aside but never linked: put it back
            as_of = run.name.split("-legacy-")[0]
            if not os.path.lexists(output_dir / as_of):
                _link(output_dir, as_of, run.name)
                continue
        shutil.rmtree(run, ignore_errors=True)


def _carry_forward(previous: Path, tmp: Path, rendered: set[str]) -> list[dict[str, Any]]:
    """Copy the entries (files and manifest rows) of notebooks not rendered this time."""
    manifest = read_manifest(previous)
    if manifest is None:
        return []
    kept = []
    for entry in manifest["notebooks"]:
        if entry["name"] in rendered:
            continue
        for key in ("ipynb", "html"):
            if entry.get(key) and (previous / entry[key]).exists():
                shutil.copy2(previous / entry[key], tmp / entry[key])
        kept.append(entry)
    return kept


def _is_disk_full(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno == errno.ENOSPC


def _as_completed(fn: Callable[[Any], Any], items: list[Any], jobs: int) -> Iterator[Any]:
    """``fn(item)`` for each item, ``jobs`` at a time, yielding results as they finish.

    Daemon worker threads (unlike ``ThreadPoolExecutor``'s): after Ctrl-C has killed the
    kernels, the process exits at once instead of joining workers that are still
    unwinding, and no queued notebook is started.
    """
    todo: queue.Queue = queue.Queue()
    done: queue.Queue = queue.Queue()
    for item in items:
        todo.put(item)

    def worker() -> None:
        while not _execute._STOPPING.is_set():
            try:
                item = todo.get_nowait()
            except queue.Empty:
                return
            try:
                done.put((fn(item), None))
            except BaseException as exc:  # noqa: BLE001 - re-raised in the main thread
                done.put((None, exc))

    for _ in range(max(1, min(jobs, len(items)))):
        threading.Thread(target=worker, daemon=True, name="crm-workbook-notebook").start()
    for _ in items:
        result, exc = done.get()
        if exc is not None:
            raise exc
        yield result


def check_output_dir(output_dir: Path) -> None:
    """Raise ``OSError`` with a plain message if reports cannot be written into ``output_dir``."""
    if output_dir.exists() and not output_dir.is_dir():
        raise NotADirectoryError(f"--output-dir {output_dir} is a file, not a folder")
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
        probe = output_dir / f".tmp-probe-{uuid.uuid4().hex[:8]}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise PermissionError(
            f"--output-dir {output_dir} cannot be written to ({exc.strerror or exc}); "
            "choose a folder you can write to") from None


def render(
    notebooks: list[NotebookInfo],
    plan: dict[str, dict[str, Any]],
    as_of: str,
    output_dir: Path,
    show_code: bool = False,
    jobs: int = 1,
    timeout: float | None = None,
    progress: Callable[[str], None] = _stderr_progress,
    not_run: dict[str, str] | None = None,
    edition: str = "student",
) -> dict[str, Any]:
    """Render ``notebooks`` with their validated parameter overrides ``plan`` into
    ``output_dir/<as_of>/`` and return the run manifest.

    ``jobs`` notebooks run at once (each in its own kernel); ``timeout`` is the per-cell
    limit in seconds (None: no limit). Failures are recorded, never raised; Ctrl-C
    (``KeyboardInterrupt``) kills the running kernels, publishes nothing and re-raises.
    A full disk raises :class:`DiskFullError` after keeping what completed.
    ``not_run`` maps notebooks left out on purpose (e.g. their data table is missing) to
    the reason; they are listed with status ``not run``, which is not a failure.
    ``edition`` ``student`` (the default) runs the notebooks without their solution
    cells into ``output_dir/<as_of>/``; ``instructor`` runs them with the solutions into
    ``output_dir/<as_of>-instructor/`` (:func:`run_folder_name`).
    """
    from .editions import check_edition

    check_edition(edition)
    output_dir = Path(output_dir).absolute()  # worker threads must not depend on the cwd
    check_output_dir(output_dir)
    with output_lock(output_dir, as_of, progress):
        clean_stale(output_dir)
        _execute.remove_socket_dirs()
        _execute._STOPPING.clear()
        try:
            return _render_locked(notebooks, plan, as_of, output_dir, show_code, jobs, timeout,
                                  progress, not_run or {}, edition)
        finally:
            _execute.remove_socket_dirs()


def _run_lang(notebooks: list[NotebookInfo], plan: dict[str, dict[str, Any]]) -> str:
    """The language of the run's index headlines: ``ko`` when every notebook that has a
    ``lang`` parameter runs with ``lang=ko``, else ``en``."""
    langs = {plan.get(info.name, {}).get("lang", info.parameters["lang"].default)
             for info in notebooks if "lang" in info.parameters}
    return "ko" if langs == {"ko"} else "en"


def run_folder_name(as_of: str, edition: str = "student") -> str:
    """The published folder of a run: ``<as_of>``, or ``<as_of>-instructor`` for the
    instructor edition, so a student run and an instructor run never replace each other."""
    return as_of if edition == "student" else f"{as_of}-{edition}"


def _render_locked(notebooks, plan, as_of, output_dir, show_code, jobs, timeout, progress, not_run,
                   edition="student"):
    folder = run_folder_name(as_of, edition)
    final = output_dir / folder
    run_name = f"{folder}-{uuid.uuid4().hex[:8]}"
    (output_dir / RUNS).mkdir(exist_ok=True)
    tmp = output_dir / RUNS / run_name
    tmp.mkdir()
    started = time.perf_counter()
    context = {
        "as_of": as_of,
        "rendered_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "package_version": __version__,
        "git_commit": _git_commit(Path(__file__).resolve().parents[2]),
        "versions": _versions(),
        "edition": edition,
        "lang": _run_lang(notebooks, plan),
    }
    keep = False
    try:
        runs: dict[str, NotebookRun] = {}
        progress(f"Rendering {len(notebooks)} notebook(s) as of {as_of} into {final}")

        def one(info: NotebookInfo) -> NotebookRun:
            progress(f"  started {info.name} (elapsed {time.perf_counter() - started:.0f} s)")
            # the edition only when not the default: stand-ins of execute_notebook (tests)
            # keep the older signature
            extra = {} if edition == "student" else {"edition": edition}
            run = _execute.execute_notebook(info, plan.get(info.name, {}),
                                            tmp / f"{info.name}.ipynb", timeout, **extra)
            if run.ipynb and not _execute._STOPPING.is_set():
                try:
                    export_html(tmp / run.ipynb, tmp / f"{info.name}.html", run, context,
                                show_code)
                    run.html = f"{info.name}.html"
                except OSError as exc:
                    (tmp / f"{info.name}.html").unlink(missing_ok=True)
                    if not _is_disk_full(exc):
                        raise
                    (tmp / run.ipynb).unlink(missing_ok=True)
                    run.ipynb = None
                    run.status = "error"
                    run.error = {"ename": "OSError", "evalue": disk_full_message(exc)}
            return run

        try:
            for run in _as_completed(one, notebooks, jobs):
                runs[run.name] = run
                detail = "" if run.status == "ok" else (
                    f" — {run.error.get('ename')}: {run.error.get('evalue')}"
                    + (f" (cell In [{run.error['execution_count']}])"
                       if run.error.get("execution_count") is not None else "")
                )
                progress(
                    f"[{len(runs)}/{len(notebooks)}] {run.name}: {run.status} in"
                    f" {run.duration_s:.1f} s (elapsed {time.perf_counter() - started:.0f} s)"
                    f"{detail}"
                )
        except KeyboardInterrupt:
            _execute.stop_all_kernels()
            raise
        disk_full = [r for r in runs.values()
                     if r.error and str(r.error.get("evalue", "")).startswith("No space left")]
        for run in disk_full:  # partial files: free what they take
            for name in (run.ipynb, run.html):
                if name:
                    (tmp / name).unlink(missing_ok=True)
            run.ipynb = run.html = None
        entries = [runs[info.name].to_dict() for info in notebooks]
        for info, entry in zip(notebooks, entries):
            entry["goals"] = learning_goals(info.path)
        entries += [{"name": name, "title": name, "status": "not run", "note": reason,
                     "duration_s": 0.0, "parameters": {}, "results": {}, "error": None,
                     "html": None, "ipynb": None} for name, reason in not_run.items()]
        if final.exists():
            entries += _carry_forward(final, tmp, set(runs) | set(not_run))
        entries.sort(key=lambda e: e["name"])
        manifest = {
            "run": {**context, "duration_s": round(time.perf_counter() - started, 2)},
            "notebooks": entries,
        }
        try:
            write_manifest(tmp, manifest)
            write_run_index(tmp, manifest)
            _link(output_dir, folder, run_name)
        except OSError as exc:
            if not _is_disk_full(exc):
                raise
            keep = True
            kept = output_dir / f"incomplete-{run_name}"
            os.replace(tmp, kept)
            done = sorted(r.name for r in runs.values() if r.status == "ok")
            raise DiskFullError(
                errno.ENOSPC,
                f"{disk_full_message(exc)}. Nothing was published; the {len(done)} notebook(s)"
                f" that completed ({', '.join(done) or 'none'}) are kept in {kept}") from None
        if disk_full:
            progress(f"{len(disk_full)} notebook(s) could not be written: No space left on "
                     f"device; the {len(runs) - len(disk_full)} that completed are published")
    except BaseException:
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)
        raise
    clean_stale(output_dir)  # the run this one replaced
    try:
        write_reports_index(output_dir)
    except OSError as exc:
        if not _is_disk_full(exc):
            raise
        progress(f"reports index not updated: {disk_full_message(exc)}")
    return manifest
