"""Peak memory of ``load_transactions`` on a large CSV (run by hand).

    PYTHONPATH=. python benchmarks/bench_loader.py [lines] [folder]

Writes (once) a transaction CSV of ``lines`` data lines (default 10,000,000: customer id,
ISO date, amount with cents), then loads it in a fresh process and reports the file size,
the process's peak resident memory after importing pandas (baseline), the peak during
the load, and the load's extra peak as a multiple of the file size.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

CHILD = """
import resource, sys, time
import pandas as pd
from crm_analysis.data import DataValidationError, load_transactions
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
try:
    rows = len(load_transactions(sys.argv[1], allow_duplicates=sys.argv[2] == "1"))
except DataValidationError as refused:  # random data repeats a few rows: checked, refused
    rows = -len(refused.problems)
took = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(base * 1024, peak * 1024, took, rows)
"""


def write_csv(path: Path, lines: int, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    days = np.datetime64("2022-01-01") + np.arange(730)
    with open(path, "w", encoding="utf-8") as out:
        out.write("customer_id,date,amount\n")
        for start in range(0, lines, 1_000_000):
            n = min(1_000_000, lines - start)
            ids = rng.integers(1, 200_000, n)
            date = days[rng.integers(0, 730, n)].astype(str)
            cents = rng.integers(100, 50_000, n)
            out.write("".join(f"C{i:06d},{d},{c // 100}.{c % 100:02d}\n"
                              for i, d, c in zip(ids, date, cents)))


def main() -> None:
    lines = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000
    folder = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(tempfile.gettempdir())
    path = folder / f"bench_loader_{lines}.csv"
    if not path.exists():
        t = time.perf_counter()
        write_csv(path, lines)
        print(f"wrote {path} in {time.perf_counter() - t:.0f} s")
    size = path.stat().st_size
    for allow in ("1", "0"):
        out = subprocess.run([sys.executable, "-c", CHILD, str(path), allow], capture_output=True,
                             text=True, check=True).stdout.split()
        base, peak, took, rows = int(out[0]), int(out[1]), float(out[2]), int(out[3])
        what = f"{rows:,} rows loaded" if rows >= 0 else f"refused ({-rows} problem(s))"
        print(f"allow_duplicates={allow == '1'}: {what}, file {size / 1e6:,.0f} MB, load {took:.1f} s;"
              f" peak RSS {peak / 1e6:,.0f} MB (after imports {base / 1e6:,.0f} MB); the load's extra"
              f" peak {(peak - base) / 1e6:,.0f} MB = {(peak - base) / size:.2f} x the file,"
              f" whole process {peak / size:.2f} x")


if __name__ == "__main__":
    main()
