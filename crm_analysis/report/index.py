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

from ..results import display_value, format_value, humanize

MANIFEST = "manifest.json"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("crm_analysis", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["figure"] = format_value
    env.filters["headlines"] = headlines
    return env


#: Recorded names that describe a run's inputs rather than its findings.
_NOT_HEADLINES = ("data_source", "data_source_used")


def headlines(results: dict[str, dict[str, Any]], first: list[str] | tuple = (),
              count: int = 6, width: int = 90) -> list[dict[str, str]]:
    """A notebook's findings for the index, each as ``label``, ``text`` (value and unit, at
    most ``width`` characters, cut between items, never inside a number) and ``note``.

    The results named in ``first`` (the notebook's metadata ``crm_workbook.headlines``)
    come first, in that order; the other places, up to ``count`` in all, go to findings
    whose value is a number, a text or one estimate, then to tables and long mappings.
    """
    def short(result: dict[str, Any]) -> bool:
        value = result.get("value")
        return not isinstance(value, (list, dict)) or (
            isinstance(value, dict) and {"ci_low", "ci_high"} <= value.keys())

    found = [(name, r) for name, r in results.items() if name not in _NOT_HEADLINES]
    chosen = ([(name, results[name]) for name in first if name in results]
              + [item for item in found if short(item[1]) and item[0] not in first]
              + [item for item in found if not short(item[1]) and item[0] not in first])
    chosen = chosen[:max(count, sum(name in results for name in first))]
    rows = []
    for name, result in chosen:
        text = display_value(result.get("value"), result.get("unit"), limit=width,
                             decimals=result.get("decimals"))
        rows.append({"name": name, "label": result.get("label") or humanize(name),
                     "text": text, "note": result.get("note") or ""})
    return rows


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
