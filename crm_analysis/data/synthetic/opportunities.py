"""Discrete-opportunity customers from a known BG/BB process (Fader, Hardie & Shang 2010).

Each customer has a transaction probability p ~ Beta(alpha, beta) and a death probability
θ ~ Beta(gamma, delta); before each opportunity an alive customer dies with probability θ,
and at each opportunity an alive customer transacts with probability p.  Vectorized: the
death opportunity is geometric, the transactions Bernoulli.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class OpportunityTruth:
    alpha: float
    beta: float
    gamma: float
    delta: float
    n_opportunities: int
    n_holdout: int


def simulate_opportunities(
    n_customers: int = 10_000,
    n_opportunities: int = 6,
    *,
    n_holdout: int = 0,
    alpha: float = 1.2,
    beta: float = 0.75,
    gamma: float = 0.66,
    delta: float = 2.8,
    seed: int = 0,
) -> tuple[pd.DataFrame, OpportunityTruth]:
    """Simulate a cohort: returns a discrete summary (one row per customer, int columns
    ``frequency``, ``recency_opportunities``, ``opportunities``, ``holdout_frequency``,
    ``holdout_opportunities``; index ``customer_id``) and the true parameters.  Defaults are
    close to the donations fit."""
    if n_customers < 1 or n_opportunities < 1 or n_holdout < 0:
        raise ValueError("n_customers and n_opportunities must be >= 1 and n_holdout >= 0")
    rng = np.random.default_rng(seed)
    p = rng.beta(alpha, beta, n_customers)
    theta = rng.beta(gamma, delta, n_customers)
    # first opportunity at which the customer is dead (alive at 1..death-1)
    death = rng.geometric(np.clip(theta, 1e-12, 1.0))
    total = n_opportunities + n_holdout
    k = np.arange(1, total + 1)
    buys = (k[None, :] < death[:, None]) & (rng.random((n_customers, total)) < p[:, None])
    cal = buys[:, :n_opportunities]
    x = cal.sum(axis=1)
    t_x = np.where(x > 0, n_opportunities - np.argmax(cal[:, ::-1], axis=1), 0)
    summary = pd.DataFrame({
        "frequency": x, "recency_opportunities": t_x, "opportunities": n_opportunities,
        "holdout_frequency": buys[:, n_opportunities:].sum(axis=1), "holdout_opportunities": n_holdout,
    }, index=pd.Index([f"C{i:06d}" for i in range(n_customers)], name="customer_id")).astype("int64")
    return summary, OpportunityTruth(alpha, beta, gamma, delta, n_opportunities, n_holdout)
