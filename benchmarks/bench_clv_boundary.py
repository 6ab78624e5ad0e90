"""Pareto/NBD and BG/NBD at the no-drop-out boundary (issue 12): time to fit 5,000
customers whose data fit an NBD model (nobody drops out). Not a test: run by hand.

    PYTHONPATH=. OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_clv_boundary.py
    CRM_WORKBOOK_DATA=../shared/data/real ...   # adds the raw Online Retail log (real data)

Data: 5,000 customers buying as Poisson processes with rates λ ~ Gamma(r = 0.5, α = 5)
per week, observed for T uniform in [20, 40] weeks (continuous times: 5,000 distinct rows,
nothing to compress), no drop-out (seed 4, a data set whose MLE lies on the boundary for
both models); with ``CRM_WORKBOOK_DATA``, also Online Retail through its data profile
(weekly summary to 2011-12-09, 4,328 customers). Prints one JSON line per run, data set
and model: wall and CPU seconds of ``fit`` (``time.perf_counter``, ``time.process_time``),
whether the fit is at the boundary, and the seconds of the first ``summary()`` (which adds
the profile-likelihood interval of the drop-out) and its upper end; then the load average.
"""

from __future__ import annotations

import json
import os
import time

import numpy as np
import pandas as pd

from crm_analysis.clv import BGNBD, ParetoNBD


def nbd_summary(n: int, r: float, alpha: float, T: float, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    lam = rng.gamma(r, 1 / alpha, n)
    age = rng.uniform(T / 2, T, n)
    x = rng.poisson(lam * age)
    t_x = np.where(x > 0, age * rng.beta(np.maximum(x, 1), 1), 0.0)  # last of x uniform times
    return pd.DataFrame({"frequency": x, "recency_weeks": t_x, "T_weeks": age})


def online_retail_summary() -> pd.DataFrame | None:
    if not os.environ.get("CRM_WORKBOOK_DATA"):
        return None
    from crm_analysis.clv import summarize_transactions
    from crm_analysis.data.examples import online_retail_profile

    transactions = online_retail_profile().transactions(as_of="2011-12-09")
    return summarize_transactions(transactions, time_unit="W", observation_end="2011-12-09")


def main() -> None:
    sets = {"nbd_5000": nbd_summary(5000, 0.5, 5.0, 40.0, seed=4), "online_retail": online_retail_summary()}
    for run in range(3):
        for name, summary in sets.items():
            if summary is None:
                continue
            for model in (ParetoNBD, BGNBD):
                wall, cpu = time.perf_counter(), time.process_time()
                fit = model().fit(summary)
                fit_wall, fit_cpu = time.perf_counter() - wall, time.process_time() - cpu
                wall, cpu = time.perf_counter(), time.process_time()
                table = fit.summary()
                print(json.dumps({"run": run + 1, "data": name, "model": model.__name__,
                                  "customers": len(summary), "fit_s": round(fit_wall, 3),
                                  "fit_cpu_s": round(fit_cpu, 3), "boundary": bool(fit.boundary_),
                                  "summary_s": round(time.perf_counter() - wall, 3),
                                  "summary_cpu_s": round(time.process_time() - cpu, 3),
                                  "dropout_upper": round(float(table.iloc[-1]["ci_high"]), 4)
                                  if fit.boundary_ else None}))
    print(json.dumps({"load_average": os.getloadavg()}))


if __name__ == "__main__":
    main()
