"""Time and memory of the migration matrices for 1M customers over 4 periods (issue 16).

The log is simulated once in memory (``simulate_recency_chain``: 1,000,000 customers, 4
quarters); each timed run then does the whole pipeline from the transaction frame: status snapshots (recency state and value segment of every
customer at every period end), the migration counts of both state kinds, the pooled
transition matrices with Wilson intervals and the stationarity test. Three runs; the
fastest and the range are reported, with the process's peak RSS.

    PYTHONPATH=. OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_dynamics.py [--customers 1000000]
"""

from __future__ import annotations

import argparse
import platform
import resource
import time

from crm_analysis import dynamics as dyn
from crm_analysis.data.synthetic import simulate_recency_chain


def pipeline(tx):
    snaps = dyn.status_snapshots(tx, n_recency_states=4, n_value_tiers=3)
    out = {}
    for kind in ("recency", "value"):
        counts = dyn.migration_counts(snaps, kind)
        out[kind] = (dyn.transition_matrix(counts), dyn.stationarity_test(counts))
    return snaps, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--periods", type=int, default=4)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    began = time.perf_counter()
    tx, _ = simulate_recency_chain(n_customers=args.customers, n_periods=args.periods, seed=1)
    print(f"simulated {len(tx):,} purchase lines of {args.customers:,} customers over {args.periods} "
          f"periods in {time.perf_counter() - began:.1f} s")
    times = []
    for _ in range(args.runs):
        began = time.perf_counter()
        snaps, out = pipeline(tx)
        times.append(time.perf_counter() - began)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{platform.python_version()}, {platform.machine()}")
    print(f"snapshots + migration matrices (recency and value) + stationarity tests: fastest {min(times):.2f} s, "
          f"range {min(times):.2f}–{max(times):.2f} s over {args.runs} runs; peak RSS {peak:,.0f} MiB")
    print(f"{len(snaps.customer_ids):,} customers × {len(snaps.period_ends)} period ends; "
          f"repurchase probabilities {dyn.retention_from_matrix(out['recency'][0])['estimate'].round(4).tolist()}")


if __name__ == "__main__":
    main()
