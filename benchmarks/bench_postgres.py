"""Pushed-down CLV summary in PostgreSQL vs loading the table into pandas first (issue 25).

Not a test: run by hand, once (needs PostgreSQL server binaries; starts a throwaway cluster
with tests/conftest.py's ``throwaway_postgres``):

    PYTHONPATH=$PWD .venv/bin/python benchmarks/bench_postgres.py [n_rows]

Data: ``n_rows`` (default 10M) purchases by 1M customers (``c0``…, times uniform over 1000
days from 2020-01-01, amounts uniform 0–100 with cents), made inside the server with
``generate_series``. Each way runs in its own Python process so its peak RSS
(``ru_maxrss``) is its own; the server's memory is not counted.

- ``pushdown``: :func:`summarize_transactions_postgres` (one query; only the per-customer
  result reaches Python);
- ``pandas``: ``Database.read`` (what a profile's ``transactions()`` does: all rows fetched
  through psycopg into a DataFrame), then :func:`summarize_transactions`.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def child(way: str, url: str) -> None:
    from crm_analysis.clv.summary import summarize_transactions
    from crm_analysis.clv.summary_postgres import summarize_transactions_postgres
    from crm_analysis.data.sources import Database

    db = Database(url, table="bench_tx")
    start = time.perf_counter()
    if way == "pushdown":
        out = summarize_transactions_postgres(db, customer_col="cust", date_col="ts",
                                              amount_col="amount")
    else:
        frame = db.read(["cust", "ts", "amount"])
        out = summarize_transactions(frame, customer_col="cust", date_col="ts",
                                     amount_col="amount")
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"way": way, "seconds": round(seconds, 1), "peak_rss_mb": round(peak),
                      "customers": len(out), "frequency_sum": int(out["frequency"].sum())}))


def main(n_rows: int) -> None:
    import psycopg

    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import throwaway_postgres

    def fail(reason):
        raise SystemExit(reason)

    with throwaway_postgres(skip=fail) as server:
        env = {**os.environ, "PGPASSWORD": server["password"], "PYTHONPATH": str(ROOT)}
        start = time.perf_counter()
        with psycopg.connect(server["url"], password=server["password"]) as con:
            con.execute("CREATE TABLE bench_tx AS SELECT 'c' || (random() * 999999)::int AS cust, "
                        "timestamp '2020-01-01' + random() * interval '1000 days' AS ts, "
                        "round((random() * 100)::numeric, 2)::float8 AS amount "
                        f"FROM generate_series(1, {int(n_rows)})")
        print(json.dumps({"server": server["version"], "rows": n_rows,
                          "load_seconds": round(time.perf_counter() - start, 1)}), flush=True)
        for way in ("pushdown", "pandas"):
            subprocess.run([sys.executable, __file__, "--child", way, server["url"]], env=env,
                           check=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], sys.argv[3])
    else:
        main(int(float(sys.argv[1])) if len(sys.argv) > 1 else 10_000_000)
