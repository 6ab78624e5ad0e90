"""Speed and memory of the CLV engine (issue 4, part E).  Not a test: run by hand, once.

    .venv/bin/python benchmarks/bench_clv.py summary      # 10M-row summary, pandas and DuckDB
    .venv/bin/python benchmarks/bench_clv.py parquet100m  # 100M-row Parquet with DuckDB, peak RSS
    .venv/bin/python benchmarks/bench_clv.py fit          # BG/NBD + Gamma-Gamma on 1M customers
    .venv/bin/python benchmarks/bench_clv.py engines      # summary engines vs bare GROUP BYs on one
                                                          # Parquet file (ENGINE_ROWS, default 20M;
                                                          # ENGINE_ROUNDS, default 3; ENGINE_CUSTOMERS,
                                                          # default rows/2; ENGINES, a comma list
                                                          # of CONTENDERS; Spark needs
                                                          # the [spark] extra and Java 17)
    .venv/bin/python benchmarks/bench_clv.py lifetimes    # the same work with lifetimes (needs
                                                          # /tmp/lifetimes-venv, see lifetimes_oracle.py,
                                                          # plus "pyarrow<15"; run summary and fit first)

Each part prints one JSON line of timings (wall-clock seconds, ``time.perf_counter``).
Data: a random log of 10M purchases by 1M customers (ids ``C00000000``…, times uniform over
2024–2025, Gamma amounts) for the summaries; ``simulate_transactions`` (BG/NBD + Gamma-Gamma,
CDNOW-like parameters) with 1M customers for the fit.  Files go to ``$CLV_BENCH_DIR``
(default ``/tmp/clv-bench``).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from crm_analysis.clv import BGNBD, GammaGamma, summarize_transactions, summarize_transactions_sql

WORK = Path(os.environ.get("CLV_BENCH_DIR", "/tmp/clv-bench"))
LIFETIMES_PYTHON = os.environ.get("LIFETIMES_PYTHON", "/tmp/lifetimes-venv/bin/python")
WINDOW = dict(calibration_end="2025-06-30", observation_end="2025-12-31")


def customer_ids(n_customers: int):
    return pd.array(np.char.add("C", np.char.zfill(np.arange(n_customers).astype(str), 8)), dtype="str")


def random_log(n_rows: int, ids, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "customer_id": ids.take(rng.integers(0, len(ids), n_rows)),
        "date": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 730 * 86400, n_rows), unit="s"),
        "amount": np.round(rng.gamma(2.0, 20.0, n_rows), 2),
    })


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - start


def bench_summary() -> dict:
    WORK.mkdir(parents=True, exist_ok=True)
    log = random_log(10_000_000, customer_ids(1_000_000), seed=0)
    path = WORK / "log10m.parquet"
    log.to_parquet(path, row_group_size=1_000_000)
    pandas_out, t_pandas = timed(summarize_transactions, log, **WINDOW)
    duck_df, t_duck_df = timed(summarize_transactions_sql, log, **WINDOW)
    duck_pq, t_duck_pq = timed(summarize_transactions_sql, path, **WINDOW)
    pd.testing.assert_frame_equal(pandas_out, duck_pq, check_exact=False, rtol=1e-9)
    return {"rows": len(log), "customers": len(pandas_out), "pandas_s": t_pandas,
            "duckdb_dataframe_s": t_duck_df, "duckdb_parquet_s": t_duck_pq}


def bench_parquet_100m() -> dict:
    import pyarrow as pa
    import pyarrow.parquet as pq

    WORK.mkdir(parents=True, exist_ok=True)
    path = WORK / "log100m.parquet"
    if not path.exists():
        writer, ids = None, customer_ids(10_000_000)
        for chunk in range(10):  # 10 x 10M rows, 10M customers
            table = pa.Table.from_pandas(random_log(10_000_000, ids, seed=100 + chunk), preserve_index=False)
            writer = writer or pq.ParquetWriter(path, table.schema)
            writer.write_table(table, row_group_size=1_000_000)
        writer.close()
    code = (
        "import sys, time; from crm_analysis.clv import summarize_transactions_sql as s; t = time.perf_counter(); "
        f"out = s({str(path)!r}, calibration_end='2025-06-30', observation_end='2025-12-31', memory_limit='3GB'); "
        "print(len(out), time.perf_counter() - t)"
    )
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    customers, seconds = proc.stdout.strip().splitlines()[-1].split()
    return {"rows": 100_000_000, "customers": int(customers), "duckdb_parquet_s": float(seconds),
            "peak_rss_gb": peak_kb / 1024**2, "rss_before_gb": before / 1024**2,
            "file_gb": path.stat().st_size / 1024**3}


def bench_fit() -> dict:
    from crm_analysis.data.synthetic import simulate_transactions

    WORK.mkdir(parents=True, exist_ok=True)
    log, truth = simulate_transactions(1_000_000, seed=1)
    summary = summarize_transactions(log, time_unit="W", observation_end=truth.end)
    summary.reset_index().to_parquet(WORK / "summary1m.parquet")
    runs = []
    for _ in range(3):  # the same fits three times: the spread shows the machine's noise
        bg, t_bg = timed(BGNBD().fit, summary)
        gg, t_gg = timed(GammaGamma().fit, summary)
        runs.append((t_bg, t_gg))
    t_bg, t_gg = min(runs, key=sum)
    return {"customers": len(summary), "bgnbd_s": t_bg, "gamma_gamma_s": t_gg, "total_s": t_bg + t_gg,
            "total_s_all_runs": [round(a + b, 3) for a, b in runs],
            "bgnbd_rows_after_compression": bg.n_rows_, "gamma_gamma_rows": gg.n_rows_,
            "bgnbd": bg.params_.round(4).to_dict(), "gamma_gamma": gg.params_.round(4).to_dict(),
            "truth": {"r": truth.r, "alpha": truth.alpha, "a": truth.a, "b": truth.b,
                      "p": truth.p, "q": truth.q, "gamma": truth.gamma}}


# Each contender runs in its own Python process (fresh memory) on the same Parquet file:
# (setup, work); only the work is timed (imports and Spark's JVM start are setup). Peak RSS
# is the Python process's, plus for Spark its JVM's peak (VmHWM; -Xmx is SPARK_MEMORY, 6g).
CONTENDERS = {
    "pandas_summary": ("import pandas as pd; from crm_analysis.clv import summarize_transactions as f",
                       "out = f(pd.read_parquet(PATH), **WINDOW)"),
    "duckdb_summary": ("from crm_analysis.clv import summarize_transactions_sql as f",
                       "out = f(PATH, **WINDOW)"),
    "polars_summary": ("from crm_analysis.clv.summary_polars import summarize_transactions_polars as f",
                       "out = f(PATH, **WINDOW)"),
    # lifetimes 0.11.3 in its own environment (LIFETIMES_PYTHON; see lifetimes_oracle.py, plus
    # "pyarrow<15" to read Parquet): summary_data_from_transaction_data (daily merge, no
    # holdout: its calibration_and_holdout_data took 31.9 s already at 2M rows)
    "lifetimes_summary": ("import pandas as pd; from lifetimes.utils import "
                          "summary_data_from_transaction_data as f",
                          "out = f(pd.read_parquet(PATH), 'customer_id', 'date', monetary_value_col='amount', "
                          "observation_period_end=WINDOW['observation_end'], freq='D')"),
    "spark_local_summary": ("from crm_analysis.clv.summary_spark import summarize_transactions_spark as f, "
                            "local_spark_session as s; spark = s(spark_driver_memory=SPARK_MEMORY); "
                            "jvm_pid = spark.sparkContext._gateway.proc.pid",
                            "out = f(PATH, spark=spark, **WINDOW)"),
    "bare_duckdb_group_by": ("import duckdb",
                             "out = duckdb.sql(f\"SELECT customer_id, count(*) AS n, min(date) AS first, "
                             "max(date) AS last, sum(amount) AS spend FROM read_parquet('{PATH}') "
                             "GROUP BY customer_id\").df()"),
    "bare_polars_group_by": ("import polars as pl",
                             "out = pl.scan_parquet(PATH).group_by('customer_id').agg(pl.len().alias('n'), "
                             "pl.col('date').min().alias('first'), pl.col('date').max().alias('last'), "
                             "pl.col('amount').sum().alias('spend')).collect(engine='streaming')"),
    # The summary itself written by hand in each engine: purchases merged per customer and
    # day, then per customer the calibration and holdout parts, sorted by customer (what
    # the project's engines compute, without their bad-row checks and the pandas frame).
    "bare_duckdb_summary": ("import duckdb",
                            "out = duckdb.sql(f\"WITH p AS (SELECT customer_id AS c, CAST(date AS DATE) - "
                            "DATE '1970-01-01' AS day, sum(amount) AS s FROM read_parquet('{PATH}') "
                            "WHERE CAST(date AS DATE) <= DATE '{WINDOW['observation_end']}' GROUP BY 1, 2) "
                            "SELECT c, count_if(day <= {CAL}) - 1 AS frequency, min(day) AS first, "
                            "max(day) FILTER (WHERE day <= {CAL}) AS last, "
                            "sum(s) FILTER (WHERE day <= {CAL}) - min_by(s, day) AS repeat_spend, "
                            "count_if(day > {CAL}) AS holdout_n, sum(s) FILTER (WHERE day > {CAL}) AS holdout_spend "
                            "FROM p GROUP BY c HAVING min(day) <= {CAL} ORDER BY c\").df()"),
    "bare_polars_summary": ("import polars as pl",
                            "d, s = pl.col('day'), pl.col('s'); out = pl.scan_parquet(PATH).select('customer_id', "
                            "day=pl.col('date').cast(pl.Date).cast(pl.Int32), s='amount').filter(d <= OBS)"
                            ".group_by('customer_id', 'day').agg(s.sum()).group_by('customer_id').agg("
                            "frequency=(d <= CAL).sum() - 1, first=d.min(), last=pl.when(d <= CAL).then(d).max(), "
                            "repeat_spend=pl.when(d <= CAL).then(s).sum() - s.min_by(d), holdout_n=(d > CAL).sum(), "
                            "holdout_spend=pl.when(d > CAL).then(s).sum()).filter(pl.col('first') <= CAL)"
                            ".sort('customer_id').collect(engine='streaming')"),
}
RUNNER = """
import os, resource, sys, time
PATH, WINDOW = sys.argv[1], dict(calibration_end='2025-06-30', observation_end='2025-12-31')
CAL, OBS = 20269, 20453  # the window's last days, days since 1970-01-01
SPARK_MEMORY = os.environ.get('SPARK_MEMORY', '6g')
exec(sys.argv[2])
t = time.perf_counter()
exec(sys.argv[3])
seconds = time.perf_counter() - t
jvm = 0.0
if 'jvm_pid' in globals():  # Spark's JVM: its peak resident memory (VmHWM), GB
    for line in open(f'/proc/{jvm_pid}/status'):
        if line.startswith('VmHWM:'):
            jvm = int(line.split()[1]) / 1024**2
print(len(out), seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2, jvm)
"""


def bench_engines() -> dict:
    """Every contender on one Parquet file, interleaved rounds, medians (wall s, peak GB)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = int(float(os.environ.get("ENGINE_ROWS", 20_000_000)))
    rounds = int(os.environ.get("ENGINE_ROUNDS", 3))
    WORK.mkdir(parents=True, exist_ok=True)
    customers = int(float(os.environ.get("ENGINE_CUSTOMERS", max(rows // 2, 1))))
    path = WORK / (f"engines{rows}.parquet" if customers == max(rows // 2, 1) else f"engines{rows}_{customers}.parquet")
    if not path.exists():
        writer, ids, chunk = None, customer_ids(customers), min(rows, 5_000_000)
        for i, start in enumerate(range(0, rows, chunk)):
            table = pa.Table.from_pandas(random_log(min(chunk, rows - start), ids, seed=200 + i),
                                         preserve_index=False)
            writer = writer or pq.ParquetWriter(path, table.schema)
            writer.write_table(table, row_group_size=1_000_000)
        writer.close()
    names = [n for n in os.environ.get("ENGINES", ",".join(CONTENDERS)).split(",") if n]
    if "lifetimes_summary" in names and not Path(LIFETIMES_PYTHON).exists():
        print(f"lifetimes_summary skipped: no lifetimes environment at {LIFETIMES_PYTHON}", file=sys.stderr)
        names.remove("lifetimes_summary")
    runs: dict[str, list] = {n: [] for n in names}
    for _ in range(rounds):
        for name in names:
            python = LIFETIMES_PYTHON if name.startswith("lifetimes") else sys.executable
            proc = subprocess.run([python, "-c", RUNNER, str(path), *CONTENDERS[name]],
                                  capture_output=True, text=True)
            if proc.returncode:
                runs[name].append(None)
                print(name, proc.stderr[-2000:], file=sys.stderr)
                continue
            n, seconds, peak, jvm = proc.stdout.strip().splitlines()[-1].split()
            runs[name].append((int(n), float(seconds), float(peak) + float(jvm), float(jvm)))
            print(json.dumps({"round": len(runs[name]), "contender": name, "seconds": round(float(seconds), 2),
                              "peak_gb": round(float(peak) + float(jvm), 3), "load": os.getloadavg()}),
                  file=sys.stderr, flush=True)
    result = {"rows": rows, "customers_in_log": customers, "rounds": rounds, "load_before": os.getloadavg()}
    for name, values in runs.items():
        ok = [v for v in values if v]
        if ok:
            result[name] = {"groups": ok[0][0], "median_s": float(np.median([v[1] for v in ok])),
                            "median_peak_gb": float(np.median([v[2] for v in ok])),
                            "all_s": [round(v[1], 2) for v in ok]}
            if any(v[3] for v in ok):
                result[name]["median_jvm_peak_gb"] = float(np.median([v[3] for v in ok]))
    result["load_after"] = os.getloadavg()
    return result


LIFETIMES_SCRIPT = r"""
import json, sys, time
import pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter
from lifetimes.utils import summary_data_from_transaction_data
work = sys.argv[1]
out = {}
s = pd.read_parquet(work + "/summary1m.parquet")
t = time.perf_counter(); BetaGeoFitter().fit(s["frequency"], s["recency_weeks"], s["T_weeks"]); out["bgnbd_s"] = time.perf_counter() - t
rep = s[s["frequency"] > 0]
t = time.perf_counter(); GammaGammaFitter().fit(rep["frequency"], rep["monetary_value"]); out["gamma_gamma_s"] = time.perf_counter() - t
log = pd.read_parquet(work + "/log10m.parquet")
t = time.perf_counter()
summary_data_from_transaction_data(log, "customer_id", "date", monetary_value_col="amount",
                                   observation_period_end="2025-12-31", freq="D")
out["summary_10m_s"] = time.perf_counter() - t
print(json.dumps(out))
"""


def bench_lifetimes() -> dict:
    if not Path(LIFETIMES_PYTHON).exists():
        return {"skipped": f"no lifetimes environment at {LIFETIMES_PYTHON} (set LIFETIMES_PYTHON)"}
    proc = subprocess.run([LIFETIMES_PYTHON, "-c", LIFETIMES_SCRIPT, str(WORK)], capture_output=True, text=True,
                          check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    parts = {"summary": bench_summary, "parquet100m": bench_parquet_100m, "fit": bench_fit, "engines": bench_engines,
             "lifetimes": bench_lifetimes}
    for name in sys.argv[1:] or ["summary", "fit", "lifetimes"]:
        print(json.dumps({name: parts[name]()}, default=float), flush=True)
