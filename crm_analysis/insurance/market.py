"""A yearly insurance market where flat and risk-based insurers compete for the same customers.

The customers start spread evenly at random over the insurers. Each year a share
``shopping_rate`` of them compares quotes (the others renew where they are); a shopper
gets one quote from every insurer and picks insurer j with multinomial-logit probability ∝ premium_j ^ (−price_sensitivity) (so ``price_sensitivity``
is how many percent more customers a 1% cheaper quote attracts, roughly; a large value
means "always the cheapest"). Each customer's claims that year are compound
Poisson–Gamma with the *true* expected frequency and severity, which the insurers do
not know. At year end each insurer reprices from its own book's experience:

* a flat insurer charges everyone (1 + loading) × its book's observed claims per policy;
* a risk-based insurer charges (1 + loading) × its risk score for the customer, scaled
  so the scores match its book's observed claims.

With ``credibility`` Z < 1 the new rate is Z × experience + (1 − Z) × last year's rate.
The flat insurer keeps the customers its price undercharges — the bad risks — and its
loss ratio climbs (adverse selection). The yearly books balance: profit = premiums −
claims (no expenses or investment income are modelled). Written by hand because no
library simulates insurance market competition; all draws are vectorized numpy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Insurer:
    """One competitor: ``pricing`` is ``"flat"`` or ``"risk"``; ``loading`` over expected claims."""

    name: str
    pricing: str
    loading: float = 0.10

    def __post_init__(self):
        if self.pricing not in ("flat", "risk"):
            raise ValueError(f"Insurer {self.name!r}: pricing must be 'flat' or 'risk', got {self.pricing!r}")
        if self.loading <= -1:
            raise ValueError(f"Insurer {self.name!r}: loading must be above -1, got {self.loading}")


def _vector(name: str, values, n: int | None, positive: bool) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if array.ndim != 1 or (n is not None and len(array) != n):
        raise ValueError(f"{name} must be 1-d with {n} values, got shape {array.shape}")
    bad = ~np.isfinite(array) | ((array <= 0) if positive else (array < 0))
    if bad.any():
        kind = "positive" if positive else "non-negative"
        raise ValueError(f"{name} must be finite and {kind}; rows {np.flatnonzero(bad)[:10].tolist()} are not")
    return array


def simulate_market(
    expected_frequency,
    expected_severity,
    risk_score,
    insurers: Sequence[Insurer],
    n_years: int = 10,
    price_sensitivity: float = 8.0,
    severity_shape: float | None = 2.0,
    policies=None,
    credibility: float = 1.0,
    shopping_rate: float = 1.0,
    seed: int = 0,
) -> pd.DataFrame:
    """Simulate ``n_years`` of competition and return every insurer's yearly books.

    Parameters
    ----------
    expected_frequency : true claims per policy-year of each customer (row).
    expected_severity : true mean cost per claim (currency) of each row.
    risk_score : the risk-based insurers' estimate of each row's claim cost per
        policy-year (currency; e.g. a GLM pure premium); the flat insurers start from
        its average, so all insurers start from the same expected total.
    insurers : the competitors, at least two.
    n_years : years simulated.
    price_sensitivity : logit elasticity of choice to the log premium (≥ 0).
    severity_shape : Gamma shape of one claim's cost; ``None`` = every claim costs
        exactly the row's expected severity.
    policies : identical customers behind each row (grouped data); 1 each if omitted.
    credibility : weight Z in (0, 1] of the latest year's experience in repricing.
    shopping_rate : share of customers in (0, 1] who compare quotes each year.
    seed : seed of the numpy random generator.

    Returns
    -------
    One row per (year, insurer) with ``pricing``, ``policies``, ``premiums``, ``claims``,
    ``profit`` (= premiums − claims), ``market_share`` (share of policies),
    ``loss_ratio`` (claims ÷ premiums), ``margin`` (profit ÷ premiums), ``growth``
    (premium growth on the year before; NaN in year 1) and ``mean_true_cost`` (the
    book's average true expected claim cost per policy-year). Currency as inputs.
    """
    freq = _vector("expected_frequency", expected_frequency, None, positive=False)
    n = len(freq)
    sev = _vector("expected_severity", expected_severity, n, positive=True)
    score = _vector("risk_score", risk_score, n, positive=True)
    count = np.ones(n, dtype=np.int64) if policies is None else _vector("policies", policies, n, True)
    if not np.array_equal(count, np.round(count)):
        raise ValueError("policies must be whole numbers of customers")
    count = count.astype(np.int64)
    if len(insurers) < 2:
        raise ValueError(f"a market needs at least two insurers, got {len(insurers)}")
    names = [ins.name for ins in insurers]
    if len(set(names)) != len(names):
        raise ValueError(f"insurer names must be unique, got {names}")
    if n_years < 1 or price_sensitivity < 0 or not 0 < credibility <= 1 or not 0 < shopping_rate <= 1:
        raise ValueError(
            "need n_years ≥ 1, price_sensitivity ≥ 0, 0 < credibility ≤ 1 and 0 < shopping_rate ≤ 1; "
            f"got {n_years}, {price_sensitivity}, {credibility}, {shopping_rate}")
    if severity_shape is not None and severity_shape <= 0:
        raise ValueError(f"severity_shape must be positive or None, got {severity_shape}")

    rng = np.random.default_rng(seed)
    loading = np.array([ins.loading for ins in insurers])
    is_flat = np.array([ins.pricing == "flat" for ins in insurers])
    true_cost = freq * sev
    # every insurer starts from the same estimate of total claims: the risk score's;
    # ``rate`` is each insurer's expected claim cost per policy-year for each row
    mean_score = np.average(score, weights=count)
    rate = np.where(is_flat[None, :], mean_score, score[:, None])
    premium = (1 + loading)[None, :] * rate  # (rows, insurers), currency per policy-year

    # customers per (row, insurer), spread evenly at random before year 1
    chosen = rng.multinomial(count, np.full(len(insurers), 1 / len(insurers)))
    rows = []
    previous_premiums = np.full(len(insurers), np.nan)
    for year in range(1, n_years + 1):
        utility = -price_sensitivity * np.log(premium)
        prob = np.exp(utility - utility.max(axis=1, keepdims=True))
        prob /= prob.sum(axis=1, keepdims=True)
        shoppers = rng.binomial(chosen, shopping_rate)
        chosen = chosen - shoppers + rng.multinomial(shoppers.sum(axis=1), prob)
        n_claims = rng.poisson(chosen * freq[:, None])
        if severity_shape is None:
            amounts = n_claims * sev[:, None]
        else:
            amounts = np.zeros(n_claims.shape)
            hit = n_claims > 0
            amounts[hit] = rng.gamma(n_claims[hit] * severity_shape,
                                     np.broadcast_to(sev[:, None], hit.shape)[hit] / severity_shape)
        book_policies = chosen.sum(axis=0)
        premiums = (chosen * premium).sum(axis=0)
        claims = amounts.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            for j, ins in enumerate(insurers):
                rows.append({
                    "year": year, "insurer": ins.name, "pricing": ins.pricing,
                    "policies": int(book_policies[j]), "premiums": premiums[j],
                    "claims": claims[j], "profit": premiums[j] - claims[j],
                    "market_share": book_policies[j] / count.sum(),
                    "loss_ratio": claims[j] / premiums[j],
                    "margin": (premiums[j] - claims[j]) / premiums[j],
                    "growth": premiums[j] / previous_premiums[j] - 1,
                    "mean_true_cost": (chosen[:, j] * true_cost).sum() / book_policies[j],
                })
        previous_premiums = premiums
        # reprice from experience: observed claims ÷ what the current rates expected
        expected = (chosen * rate).sum(axis=0)
        experience = np.divide(claims, expected, out=np.ones_like(claims), where=expected > 0)
        rate = rate * (credibility * experience + (1 - credibility))
        premium = (1 + loading)[None, :] * rate
    return pd.DataFrame(rows)


def market_summary(books: pd.DataFrame) -> pd.DataFrame:
    """Per insurer over all simulated years: totals, margin, loss ratio, growth, final share.

    ``margin`` and ``loss_ratio`` are over the whole period (total profit ÷ total
    premiums); ``growth`` is the mean annual premium growth from the first to the last
    year (compound); ``final_share`` is the share of policies in the last year.
    """
    first, last = books["year"].min(), books["year"].max()
    totals = books.groupby("insurer", sort=False)[["premiums", "claims", "profit"]].sum()
    start = books[books["year"] == first].set_index("insurer")
    end = books[books["year"] == last].set_index("insurer")
    summary = totals.assign(
        pricing=start["pricing"],
        margin=totals["profit"] / totals["premiums"],
        loss_ratio=totals["claims"] / totals["premiums"],
        growth=(end["premiums"] / start["premiums"]) ** (1 / max(last - first, 1)) - 1,
        initial_share=start["market_share"],
        final_share=end["market_share"],
    )
    return summary
