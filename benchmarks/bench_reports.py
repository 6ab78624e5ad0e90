"""Where ``make reports`` spends its time, per notebook.  Not a test: run by hand.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_reports.py [JOBS] [OUT]

Renders every notebook once with ``crm-workbook render --jobs JOBS`` (default 2, as
``make reports``) into ``OUT`` (default a temp folder), prints the wall time of the whole
command, then reads papermill's per-cell timestamps from each executed notebook and the
HTML file's write time, and prints one row per notebook (seconds):

* ``kernel``: papermill's start to the first cell's start (kernel start and connection);
* ``imports``: cells that only import (``import``/``from`` lines and comments);
* ``compute``: every other cell (parameters, data, models, plots, records);
* ``export``: the executed notebook's end to the HTML file written (nbconvert);
* ``total``: the notebook's wall time as the runner measured it (``duration_s``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import nbformat


def _stamp(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def _is_import_cell(source: str) -> bool:
    lines = [ln.strip() for ln in source.splitlines() if ln.strip() and not ln.strip().startswith("#")]
    return bool(lines) and all(ln.startswith(("import ", "from ")) or ln.startswith((")", "    ")) or
                               ln.endswith((",", "(")) for ln in lines)


def breakdown(ipynb: Path, html: Path) -> dict:
    nb = nbformat.read(ipynb, as_version=4)
    meta = nb.metadata.get("papermill", {})
    cells = [c for c in nb.cells if c.cell_type == "code" and c.metadata.get("papermill", {}).get("start_time")]
    first = _stamp(cells[0].metadata.papermill.start_time)
    kernel = first - _stamp(meta["start_time"])
    imports = sum(c.metadata.papermill.duration or 0 for c in cells if _is_import_cell(c.source))
    compute = sum(c.metadata.papermill.duration or 0 for c in cells if not _is_import_cell(c.source))
    export = html.stat().st_mtime - _stamp(meta["end_time"]) if html.exists() else float("nan")
    return {"kernel": round(kernel, 2), "imports": round(imports, 2), "compute": round(compute, 2),
            "export": round(export, 2)}


def main() -> None:
    jobs = sys.argv[1] if len(sys.argv) > 1 else "2"
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(tempfile.mkdtemp(prefix="bench-reports-"))
    cli = Path(sys.executable).with_name("crm-workbook")
    start = time.perf_counter()
    subprocess.run([str(cli), "render", "--jobs", jobs, "--output-dir", str(out)], check=True)
    wall = time.perf_counter() - start
    manifest = json.loads(next(out.glob("*/manifest.json")).read_text())
    run_dir = next(out.glob("*/manifest.json")).parent
    rows = {}
    for run in sorted(manifest["notebooks"], key=lambda r: r["name"]):
        name = run["name"]
        row = breakdown(run_dir / f"{name}.ipynb", run_dir / f"{name}.html")
        rows[name] = {**row, "total": run["duration_s"], "status": run["status"]}
    print(json.dumps({"jobs": int(jobs), "wall_s": round(wall, 1), "load": os.getloadavg(), "notebooks": rows}))
    print(f"{'notebook':45s} kernel imports compute export  total")
    for name, r in rows.items():
        print(f"{name:45s} {r['kernel']:6.1f} {r['imports']:7.1f} {r['compute']:7.1f} {r['export']:6.1f} {r['total']:6.1f}")
    print(f"make reports (render --jobs {jobs}) wall: {wall:.1f} s")


if __name__ == "__main__":
    main()
