"""Speed of BG/BB on a million customers (compressed cells), per-customer intervals for a
million customers, covariate BG/NBD on a million and covariate Pareto/NBD on 100,000
(run by hand; results in benchmarks/README.md).

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python benchmarks/bench_clv_discrete.py
"""

import time

import numpy as np
import pandas as pd

from crm_analysis import clv
from crm_analysis.data.synthetic import simulate_opportunities


def timed(label, fn):
    start = time.perf_counter()
    out = fn()
    print(f"{label}: {time.perf_counter() - start:.3f} s")
    return out


summary, truth = simulate_opportunities(1_000_000, 6, seed=1)
x, t, n = (summary[c].to_numpy() for c in ("frequency", "recency_opportunities", "opportunities"))
for _ in range(3):
    fit = timed("BG/BB fit, 1,000,000 customers -> cells (compression + MLE + SEs)",
                lambda: clv.BGBB().fit_cells(x, t, n))
print("  ", fit.params_.round(4).to_dict(), "cells:", fit.n_rows_)
timed("BG/BB opportunity intervals, 1,000,000 customers (200 draws, 1000 sims)",
      lambda: clv.opportunity_intervals(fit, summary, n_star=5))

# Continuous-time intervals: 1,000,000 customers whose times are whole weeks (a weekly summary)
rng = np.random.default_rng(2)
T = rng.integers(1, 79, 1_000_000).astype(float)
xs = rng.poisson(2.0, T.size).astype(float)
tx = np.where(xs > 0, np.floor(rng.random(T.size) * T) + 1, 0.0)
tx = np.minimum(tx, T)
big = pd.DataFrame({"frequency": xs, "recency_weeks": tx, "T_weeks": T,
                    "monetary_value": np.where(xs > 0, rng.gamma(5, 8, T.size), np.nan)})
cdnow = clv.summarize_transactions(clv.load_clv_transactions("cdnow_sample")[0], time_unit="W",
                                   calibration_end="1997-09-30")
bg, gg = clv.BGNBD().fit(cdnow), clv.GammaGamma().fit(cdnow)
timed("customer_intervals BG/NBD + Gamma-Gamma, 1,000,000 customers, 52 weeks (100 draws, 2000 sims)",
      lambda: clv.customer_intervals(bg, big, horizon=52, spend_model=gg, margin=0.3, n_draws=100))

# Covariate BG/NBD: 1,000,000 customers, 3 covariates (z1 binary, z2 on a 0.5 grid, z3 continuous)
from crm_analysis.clv.covariates import CovariateBGNBD  # noqa: E402
from crm_analysis.data.synthetic import simulate_covariate_customers  # noqa: E402

(csum, z), ctruth = simulate_covariate_customers(1_000_000, seed=3)
z = z.assign(z3=np.random.default_rng(4).standard_normal(len(z)))
cfit = timed("CovariateBGNBD fit, 1,000,000 customers x 3 covariates (purchase z1, z2, z3; drop-out z1)",
             lambda: CovariateBGNBD().fit(csum, z, purchase=["z1", "z2", "z3"], dropout=["z1"]))
print("  ", cfit.params_.round(3).to_dict(), "rows:", cfit.n_rows_)

# Covariate Pareto/NBD: 100,000 customers, the same 3 covariates on both sides
from crm_analysis.clv import CovariateParetoNBD  # noqa: E402
from crm_analysis.data.synthetic import simulate_covariate_pareto_customers  # noqa: E402

(psum, pz), _ = simulate_covariate_pareto_customers(100_000, seed=5)
pz = pz.assign(z3=np.random.default_rng(6).standard_normal(len(pz)))
pfit = timed("CovariateParetoNBD fit, 100,000 customers x 3 covariates (purchase z1, z2, z3; drop-out z1)",
             lambda: CovariateParetoNBD().fit(psum, pz, purchase=["z1", "z2", "z3"], dropout=["z1"]))
print("  ", pfit.params_.round(3).to_dict())
