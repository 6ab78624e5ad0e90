"""The run manifest (``manifest.json``) and the index pages.

``<run>/index.html`` tables the notebooks of one run; ``reports/index.html`` lists the
runs, newest first. All links are relative, so a run folder can be zipped and mailed.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import jinja2

from ..results import format_value

MANIFEST = "manifest.json"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("crm_analysis", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["figure"] = format_value
    return env


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and ``os.replace``."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; reports are meant to be shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_manifest(run_dir: Path, manifest: dict[str, Any]) -> None:
    write_atomically(run_dir / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False))


def read_manifest(run_dir: Path) -> dict[str, Any] | None:
    try:
        return json.loads((run_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None


def write_run_index(run_dir: Path, manifest: dict[str, Any]) -> None:
    notebooks = manifest["notebooks"]
    counts = {
        "ok": sum(nb["status"] == "ok" for nb in notebooks),
        "failed": sum(nb["status"] not in ("ok", "not run") for nb in notebooks),
        "not_run": sum(nb["status"] == "not run" for nb in notebooks),
    }
    page = _environment().get_template("run_index.html.j2").render(
        run=manifest["run"], notebooks=notebooks, counts=counts
    )
    write_atomically(run_dir / "index.html", page)


def write_reports_index(reports_dir: Path) -> None:
    """Rewrite ``reports/index.html`` from the manifests of the run folders in it."""
    runs = []
    for folder in reports_dir.iterdir():
        if not folder.is_dir() or folder.name.startswith("."):
            continue
        manifest = read_manifest(folder)
        if manifest is None:
            continue
        runs.append({
            "folder": folder.name,
            "as_of": manifest["run"]["as_of"],
            "rendered_at": manifest["run"]["rendered_at"],
            "n": len(manifest["notebooks"]),
            "failed": sum(nb["status"] not in ("ok", "not run") for nb in manifest["notebooks"]),
        })
    runs.sort(key=lambda r: (r["as_of"], r["rendered_at"]), reverse=True)
    page = _environment().get_template("reports_index.html.j2").render(runs=runs)
    write_atomically(reports_dir / "index.html", page)
