"""BG/NBD customers whose purchase and drop-out sides depend on static covariates with known
coefficients (the model of :class:`crm_analysis.clv.covariates.CovariateBGNBD`).

Customer i: λ_i ~ Gamma(r, α·exp(−γ_pᵀz_i)) per week, p_i ~ Beta(a, b·exp(−γ_dᵀz_i)); inter-purchase
times Exp(λ_i); after each repeat purchase the customer drops out with probability p_i.
Observation lengths T are whole days (in weeks) between 26 and 52 weeks; t_x is exact.  Covariates: ``z1`` binary
(0/1, share 0.5) and ``z2`` standard normal rounded to 0.5 (so rows compress).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class CovariateTruth:
    r: float
    alpha: float
    a: float
    b: float
    purchase: dict
    dropout: dict


def simulate_covariate_customers(
    n_customers: int = 5000,
    *,
    r: float = 0.8,
    alpha: float = 6.0,
    a: float = 0.8,
    b: float = 2.5,
    purchase: dict | None = None,
    dropout: dict | None = None,
    seed: int = 0,
) -> tuple[tuple[pd.DataFrame, pd.DataFrame], CovariateTruth]:
    """Returns ``((summary, covariates), truth)``: a weekly summary (``frequency``,
    ``recency_weeks``, ``T_weeks``, ``monetary_value`` NaN) and the covariates ``z1``, ``z2``,
    both indexed by ``customer_id``.  Defaults: purchase {z1: 0.5, z2: -0.3}, drop-out {z1: 0.4}."""
    purchase = {"z1": 0.5, "z2": -0.3} if purchase is None else purchase
    dropout = {"z1": 0.4} if dropout is None else dropout
    rng = np.random.default_rng(seed)
    z, zp, zd = _covariates(rng, n_customers, purchase, dropout)
    lam = rng.gamma(r, 1.0 / (alpha * np.exp(-zp)))
    p = rng.beta(a, b * np.exp(-zd))
    T = rng.integers(26 * 7, 52 * 7 + 1, n_customers) / 7.0
    x, t_x, now = np.zeros(n_customers), np.zeros(n_customers), np.zeros(n_customers)
    active = np.ones(n_customers, dtype=bool)
    while active.any():
        idx = np.flatnonzero(active)
        now[idx] += rng.exponential(1.0, idx.size) / lam[idx]
        inside = now[idx] <= T[idx]
        buy = idx[inside]
        x[buy] += 1
        t_x[buy] = now[buy]
        active[idx[~inside]] = False
        active[buy[rng.random(buy.size) < p[buy]]] = False
    return _summary(x, t_x, T, z), CovariateTruth(r, alpha, a, b, dict(purchase), dict(dropout))


@dataclass(frozen=True)
class ParetoCovariateTruth:
    r: float
    alpha: float
    s: float
    beta: float
    purchase: dict
    dropout: dict


def simulate_covariate_pareto_customers(
    n_customers: int = 5000,
    *,
    r: float = 0.8,
    alpha: float = 6.0,
    s: float = 0.6,
    beta: float = 12.0,
    purchase: dict | None = None,
    dropout: dict | None = None,
    seed: int = 0,
) -> tuple[tuple[pd.DataFrame, pd.DataFrame], ParetoCovariateTruth]:
    """Pareto/NBD customers with static covariates (as CLVTools' ``pnbd`` with covariates):
    λ_i ~ Gamma(r, α·exp(−γ_pᵀz_i)) purchases per week, μ_i ~ Gamma(s, β·exp(−γ_dᵀz_i))
    drop-outs per week, lifetime τ_i ~ Exp(μ_i), observed for T_i weeks (26–52, whole days).
    Returns ``((summary, covariates), truth)`` like :func:`simulate_covariate_customers`
    (covariates ``z1`` binary, ``z2`` on a 0.5 grid). Defaults: purchase {z1: 0.5, z2: -0.3},
    drop-out {z1: 0.4}."""
    purchase = {"z1": 0.5, "z2": -0.3} if purchase is None else purchase
    dropout = {"z1": 0.4} if dropout is None else dropout
    rng = np.random.default_rng(seed)
    z, zp, zd = _covariates(rng, n_customers, purchase, dropout)
    lam = rng.gamma(r, 1.0 / (alpha * np.exp(-zp)))
    mu = rng.gamma(s, 1.0 / (beta * np.exp(-zd)))
    T = rng.integers(26 * 7, 52 * 7 + 1, n_customers) / 7.0
    alive_for = np.minimum(rng.exponential(1.0, n_customers) / mu, T)
    x = rng.poisson(lam * alive_for)
    t_x = np.where(x > 0, alive_for * rng.beta(np.maximum(x, 1), 1.0), 0.0)  # last of x uniform times
    return _summary(x, t_x, T, z), ParetoCovariateTruth(r, alpha, s, beta, dict(purchase), dict(dropout))


def _covariates(rng, n_customers: int, purchase: dict, dropout: dict):
    """Covariates ``z1`` (binary) and ``z2`` (a 0.5 grid) and the linear predictors
    γ_pᵀz (purchase) and γ_dᵀz (drop-out), drawn in this order from ``rng``."""
    z = pd.DataFrame({"z1": (rng.random(n_customers) < 0.5).astype(float),
                      "z2": np.round(rng.standard_normal(n_customers) * 2) / 2})
    zp = sum((z[c] * g for c, g in purchase.items()), start=pd.Series(0.0, index=z.index)).to_numpy()
    zd = sum((z[c] * g for c, g in dropout.items()), start=pd.Series(0.0, index=z.index)).to_numpy()
    return z, zp, zd


def _summary(x, t_x, T, z: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The weekly summary and the covariates, both indexed by ``customer_id``."""
    ids = pd.Index([f"C{i:06d}" for i in range(len(x))], name="customer_id")
    summary = pd.DataFrame({"frequency": np.asarray(x).astype("int64"), "recency_weeks": t_x,
                            "T_weeks": T, "monetary_value": np.nan}, index=ids)
    return summary, z.set_axis(ids)
