"""Pareto/NBD and BG/NBD at the no-drop-out boundary (issue 12): time to fit 5,000
customers whose data fit an NBD model (nobody drops out). Not a test: run by hand.

    .venv/bin/python benchmarks/bench_clv_boundary.py

Data: 5,000 customers buying as Poisson processes with rates λ ~ Gamma(r = 0.5, α = 5)
per week, observed for T uniform in [20, 40] weeks, no drop-out (seed 4, a data set whose
MLE lies on the boundary for both models). Prints one JSON line per run and model: wall
seconds of ``fit`` (``time.perf_counter``), whether the fit is at the boundary, and the
seconds of ``summary()`` (which adds the profile-likelihood interval of the drop-out).
"""

from __future__ import annotations

import json
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


def main() -> None:
    summary = nbd_summary(5000, 0.5, 5.0, 40.0, seed=4)
    for run in range(3):
        for model in (ParetoNBD, BGNBD):
            start = time.perf_counter()
            fit = model().fit(summary)
            fit_s = time.perf_counter() - start
            start = time.perf_counter()
            fit.summary()
            print(json.dumps({"run": run + 1, "model": model.__name__, "customers": len(summary),
                              "fit_s": round(fit_s, 3), "boundary": bool(fit.boundary_),
                              "summary_s": round(time.perf_counter() - start, 3)}))


if __name__ == "__main__":
    main()
