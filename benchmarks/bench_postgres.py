"""Pushed-down CLV summary in PostgreSQL vs loading the table into pandas first (issue 25).

Not a test: run by hand, once (needs PostgreSQL server binaries; starts a throwaway cluster
with tests/conftest.py's ``throwaway_postgres``):

    PYTHONPATH=$PWD .venv/bin/python benchmarks/bench_postgres.py [n_rows] [--explain]

Data: ``n_rows`` (default 10M) purchases by 1M customers (``c0``…, times uniform over 1000
days from 2020-01-01, amounts uniform 0–100 with cents), made inside the server with
``generate_series``, then ``VACUUM ANALYZE`` (planner statistics, as a real table has).
Each way runs in its own Python process so its peak RSS (``ru_maxrss``) is its own; the
server's work is shown as the CPU seconds its processes used during the way (the
postmaster's reaped children: backends and parallel workers, from ``/proc``; the server
runs on this machine) and, for the pushdown, ``EXPLAIN (ANALYZE)`` of the summary query
(``--explain``) shows where its time and memory go.

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
        fetched = None
    else:
        frame = db.read(["cust", "ts", "amount"])
        fetched = time.perf_counter() - start
        out = summarize_transactions(frame, customer_col="cust", date_col="ts",
                                     amount_col="amount")
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak = usage.ru_maxrss / 1024
    print(json.dumps({"way": way, "seconds": round(seconds, 1), "peak_rss_mb": round(peak),
                      "python_cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
                      "fetch_seconds": fetched and round(fetched, 1),
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
        with psycopg.connect(server["url"], password=server["password"], autocommit=True) as con:
            con.execute("VACUUM ANALYZE bench_tx")
            data_dir = con.execute("SHOW data_directory").fetchone()[0]
            settings = {name: con.execute(f"SHOW {name}").fetchone()[0] for name in
                        ("shared_buffers", "max_parallel_workers_per_gather", "jit")}
        postmaster = int(Path(data_dir, "postmaster.pid").read_text().split()[0])
        print(json.dumps({"server_settings": settings, "work_mem": "256MB (set by Database.connect)"}),
              flush=True)
        for way in ("pushdown", "pandas"):
            before = _children_cpu(postmaster)
            subprocess.run([sys.executable, __file__, "--child", way, server["url"]], env=env,
                           check=True)
            time.sleep(1.0)  # the backend has exited and been reaped
            print(json.dumps({"way": way, "server_cpu_seconds":
                              round(_children_cpu(postmaster) - before, 1)}), flush=True)
        if "--explain" in sys.argv:
            _explain(server)


def _children_cpu(pid: int) -> float:
    """CPU seconds (user + system) of the reaped children of process ``pid``."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")  # cutime, cstime


def _explain(server) -> None:
    from crm_analysis.clv.summary import SummaryWindow
    from crm_analysis.clv.summary_sql import POSTGRES, summary_query, tx_select
    from crm_analysis.data.sources import Database

    os.environ["PGPASSWORD"] = server["password"]
    db = Database(server["url"], table="bench_tx")
    con = db.connect()
    con.execute("CREATE TEMP VIEW tx AS " + tx_select(POSTGRES, db.relation(), "cust", "ts",
                                                       "amount", "wall", amount_is_number=True))
    last = con.execute(f"SELECT max({POSTGRES.day_number('ts')}) FROM tx").fetchone()[0]
    sql = summary_query(POSTGRES, SummaryWindow.of(int(last)), "D")
    for (line,) in con.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql).fetchall():
        print(line)
    con.close()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], sys.argv[3])
    else:
        sizes = [a for a in sys.argv[1:] if not a.startswith("--")]
        main(int(float(sizes[0])) if sizes else 10_000_000)
