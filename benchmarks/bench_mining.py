"""Time and peak memory of the OLAP cube of notebook 12 on 10 million transactions.

One fresh process per run: the sales fact table (10M rows: date levels, region, category,
segment) is simulated, then ``build_cube`` computes ROLLUP(year, quarter, month) ×
CUBE(region, category, segment) in one DuckDB query. Reported: the cube's wall time and
cells, and the process's peak resident set size (which includes the 10M-row frame).

    .venv/bin/python benchmarks/bench_mining.py            # 3 runs, Markdown rows
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time

N_ROWS = 10_000_000


def one_run() -> dict:
    import numpy as np
    import pandas as pd

    from crm_analysis.mining import build_cube

    rng = np.random.default_rng(1)
    days = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 731, N_ROWS), unit="D")
    fact = pd.DataFrame({
        "year": days.year.astype("int64"), "quarter": days.quarter.astype("int64"),
        "month": days.month.astype("int64"),
        "region": pd.Categorical.from_codes(rng.integers(0, 4, N_ROWS), ["Seoul", "Busan", "Incheon", "Daegu"]),
        "category": pd.Categorical.from_codes(rng.integers(0, 4, N_ROWS), ["grocery", "fashion", "electronics", "beauty"]),
        "segment": pd.Categorical.from_codes(rng.integers(0, 2, N_ROWS), ["single", "family"]),
        "amount": rng.gamma(2.0, 30.0, N_ROWS),
    })
    start = time.perf_counter()
    cube = build_cube(fact, ["region", "category", "segment"],
                      {"revenue": "sum(amount)", "purchases": "count(*)"},
                      hierarchy=["year", "quarter", "month"])
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "cells": len(cube),
            "peak_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2}


def main() -> None:
    if sys.argv[1:] == ["--child"]:
        print(json.dumps(one_run()))
        return
    print("| run | cube time (s) | cells | peak RSS (GB) |\n|---|---|---|---|")
    for i in range(3):
        out = subprocess.run([sys.executable, __file__, "--child"], capture_output=True, text=True, check=True)
        r = json.loads(out.stdout)
        print(f"| {i + 1} | {r['seconds']:.2f} | {r['cells']:,} | {r['peak_gb']:.2f} |")


if __name__ == "__main__":
    main()
