"""Render notebooks into a dated run folder: execute, export, manifest, index, publish.

A run is built in a hidden temporary folder ``reports/.tmp-<as_of>-<id>/`` and moved to
``reports/<as_of>/`` only when complete, so a crash or Ctrl-C never leaves a half-written
run or index. Rendering a subset of notebooks for an as-of date that already has a run
keeps that run's other notebooks (copied forward) and replaces the ones rendered.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import shutil
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor, as_completed
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Callable

from .. import __version__
from ..notebook_params import NotebookInfo
from .execute import NotebookRun, execute_notebook
from .export import export_html
from .index import read_manifest, write_manifest, write_reports_index, write_run_index

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


def _publish(tmp: Path, final: Path) -> None:
    """Move the finished run folder into place, replacing an older run of the same name."""
    old = None
    if final.exists():
        old = final.with_name(f".old-{final.name}-{uuid.uuid4().hex[:8]}")
        os.replace(final, old)
    os.replace(tmp, final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


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
) -> dict[str, Any]:
    """Render ``notebooks`` with their validated parameter overrides ``plan`` into
    ``output_dir/<as_of>/`` and return the run manifest.

    ``jobs`` notebooks run at once (each in its own kernel); ``timeout`` is the per-cell
    limit in seconds (None: no limit). Failures are recorded, never raised.
    ``not_run`` maps notebooks left out on purpose (e.g. their data table is missing) to
    the reason; they are listed with status ``not run``, which is not a failure.
    """
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    final = output_dir / as_of
    tmp = output_dir / f".tmp-{as_of}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    started = time.perf_counter()
    context = {
        "as_of": as_of,
        "rendered_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "package_version": __version__,
        "git_commit": _git_commit(Path(__file__).resolve().parents[2]),
        "versions": _versions(),
    }
    try:
        runs: dict[str, NotebookRun] = {}
        progress(f"Rendering {len(notebooks)} notebook(s) as of {as_of} into {final}")

        def one(info: NotebookInfo) -> NotebookRun:
            progress(f"  started {info.name} (elapsed {time.perf_counter() - started:.0f} s)")
            run = execute_notebook(info, plan.get(info.name, {}), tmp / f"{info.name}.ipynb",
                                   timeout)
            if run.ipynb:
                export_html(tmp / run.ipynb, tmp / f"{info.name}.html", run, context, show_code)
                run.html = f"{info.name}.html"
            return run

        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            futures = {pool.submit(one, info): info for info in notebooks}
            for future in as_completed(futures):
                run = future.result()
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
        entries = [runs[info.name].to_dict() for info in notebooks]
        entries += [{"name": name, "title": name, "status": "not run", "note": reason,
                     "duration_s": 0.0, "parameters": {}, "results": {}, "error": None,
                     "html": None, "ipynb": None} for name, reason in (not_run or {}).items()]
        if final.exists():
            entries += _carry_forward(final, tmp, set(runs) | set(not_run or {}))
        entries.sort(key=lambda e: e["name"])
        manifest = {
            "run": {**context, "duration_s": round(time.perf_counter() - started, 2)},
            "notebooks": entries,
        }
        write_manifest(tmp, manifest)
        write_run_index(tmp, manifest)
        _publish(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    write_reports_index(output_dir)
    return manifest
