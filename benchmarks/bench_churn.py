"""Speed of the churn models (run by hand; results in benchmarks/README.md).

    PYTHONPATH=. OMP_NUM_THREADS=1 python benchmarks/bench_churn.py

Times (best of 3) the Kaplan–Meier curve, the log-rank test, RMST, the Cox fit (statsmodels
PHReg, Efron ties) and its proportional-hazards test, and the Weibull AFT fit on IBM Telco
replicated k times (tenure in whole months: at most 73 distinct times), and the Cox fit on
continuous simulated lifetimes (one distinct time per churn), where statsmodels' Python loop
over distinct event times dominates.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from crm_analysis import churn
from crm_analysis.data import load_telco_churn
from crm_analysis.data.synthetic import simulate_lifetimes


def best_of(fn, runs=3):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    telco = load_telco_churn().assign(churned=lambda d: (d["churn"] == "Yes").astype(int))
    covs = ["contract", "internet_service", "payment_method", "monthly_charges"]
    rows = []
    for k in (1, 10):
        data = pd.concat([telco] * k, ignore_index=True)
        cox = churn.CoxModel("tenure", "churned", covs).fit(data)
        rows += [
            (f"Telco x{k}", len(data), "kaplan_meier", best_of(lambda: churn.kaplan_meier(data["tenure"], data["churned"]))),
            (f"Telco x{k}", len(data), "logrank (contract)", best_of(lambda: churn.logrank_test(data["tenure"], data["churned"], data["contract"]))),
            (f"Telco x{k}", len(data), "rmst (60 months)", best_of(lambda: churn.rmst(data["tenure"], data["churned"], 60))),
            (f"Telco x{k}", len(data), "Cox fit (7 columns)", best_of(lambda: churn.CoxModel("tenure", "churned", covs).fit(data))),
            (f"Telco x{k}", len(data), "PH test", best_of(lambda: cox.ph_test())),
            (f"Telco x{k}", len(data), "Weibull AFT fit", best_of(lambda: churn.ParametricAFT("tenure", "churned", covs).fit(data))),
        ]
    for n in (1000, 5000):
        sim, _ = simulate_lifetimes(n, seed=1)
        rows.append((f"simulated, continuous times", n, "Cox fit (1 column)",
                     best_of(lambda: churn.CoxModel("duration", "churned", ["x"]).fit(sim))))
    table = pd.DataFrame(rows, columns=["data", "rows", "step", "seconds"])
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))


if __name__ == "__main__":
    main()
