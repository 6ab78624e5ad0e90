"""Shifted-beta-geometric (sBG) model of contractual retention (Fader & Hardie 2007,
"How to project customer retention"; DEL/DERL from Fader & Hardie 2010, "Customer-base
valuation in a contractual setting").

Each customer renews at the end of every period with their own probability 1−θ and
churns with probability θ ~ Beta(α, β) (periods are contract periods, e.g. years).
With T the period in which the customer churns (T = 1, 2, …):

    P(T = t) = B(α+1, β+t−1) / B(α, β),   S(t) = P(T > t) = B(α, β+t) / B(α, β),
    retention r_t = S(t)/S(t−1) = (β+t−1)/(α+β+t−1)  (rises with t: heterogeneity).

Value of a customer who pays 1 per period at the start of each period, discount rate d
per period:

    DEL(d)     = Σ_{t≥0} S(t)/(1+d)^t = 2F1(1, β; α+β; 1/(1+d))          (new customer)
    DERL(d|n)  = Σ_{t≥n} S(t)/S(n−1)/(1+d)^(t−n)
               = (β+n−1)/(α+β+n−1) · 2F1(1, β+n; α+β+n; 1/(1+d))           (after n payments,
                                                                          just before renewal n)

Hand-written because no Python library fits the sBG; the likelihood is two log-beta
functions per row (scipy ``betaln``), fitted with the shared MLE code.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import betaln, hyp2f1

from ._fit import MLEModel


def _check_survivors(survivors) -> np.ndarray:
    s = np.asarray(survivors, dtype="float64")
    if s.ndim != 1 or s.size < 2:
        raise ValueError("survivors must be a 1-D sequence of at least two counts (period 0 first)")
    bad = ~np.isfinite(s) | (s < 0)
    bad[1:] |= s[1:] > s[:-1]
    if bad.any():
        raise ValueError(
            f"survivors must be finite, non-negative and non-increasing; bad at periods "
            f"{np.flatnonzero(bad).tolist()}: {s[bad].tolist()}"
        )
    return s


class ShiftedBetaGeometric(MLEModel):
    """sBG fitter: ``ShiftedBetaGeometric().fit(survivors)`` or ``.fit_lifetimes(...)``."""

    param_names = ("alpha", "beta")

    def fit(self, survivors, start: dict | None = None) -> ShiftedBetaGeometric:
        """Fit to a cohort's survivor counts: number still active at periods 0, 1, …, n.

        Customers lost in period t (survivors[t−1] − survivors[t]) churned at T = t; the
        survivors[n] still active are right-censored at n.
        """
        s = _check_survivors(survivors)
        n = s.size - 1
        churn_times = np.arange(1, n + 1, dtype="float64")
        data = {
            "t": np.concatenate([churn_times, [n]]),
            "censored": np.concatenate([np.zeros(n), [1.0]]),
            "w": np.concatenate([s[:-1] - s[1:], [s[-1]]]),
        }
        return self._fit_data(data, float(s[0]), start)

    def fit_lifetimes(self, periods, churned, start: dict | None = None) -> ShiftedBetaGeometric:
        """Fit to per-customer data: ``periods`` = number of periods observed (≥ 1),
        ``churned`` = True if the customer churned at the end of that period, False if
        still active (censored)."""
        t = np.asarray(periods, dtype="float64")
        c = np.asarray(churned, dtype=bool)
        bad = ~np.isfinite(t) | (t < 1) | (t != np.round(t))
        if bad.any():
            raise ValueError(f"periods must be whole numbers >= 1; bad rows {np.flatnonzero(bad)[:10].tolist()}")
        frame = pd.DataFrame({"t": t, "censored": (~c).astype("float64")})
        counts = frame.groupby(["t", "censored"]).size().reset_index(name="w")
        data = {k: counts[k].to_numpy(dtype="float64") for k in ("t", "censored", "w")}
        return self._fit_data(data, float(t.size), start)

    def _fit_data(self, data, n_obs, start):
        first = {"alpha": 1.0, "beta": 1.0}
        first.update(start or {})
        self._maximize(data, np.log([first[n] for n in self.param_names]), n_obs=n_obs)
        return self

    def _loglik(self, log_params, data):
        a, b = np.exp(log_params)
        t, cens, w = data["t"], data["censored"], data["w"]
        churn = betaln(a + 1, b + t - 1)
        survive = betaln(a, b + t)
        return float(np.sum(w * (np.where(cens > 0, survive, churn) - betaln(a, b))))

    # ------------------------------------------------------------------ predictions
    def survival(self, t) -> np.ndarray:
        """S(t): share of a new cohort still active after t periods."""
        self._check_fitted()
        a, b = self.params_.to_numpy()
        t = np.asarray(t, dtype="float64")
        return np.exp(betaln(a, b + t) - betaln(a, b))

    def retention_rate(self, t) -> np.ndarray:
        """r_t = S(t)/S(t−1): share of those active at t−1 who renew at t (t ≥ 1)."""
        self._check_fitted()
        a, b = self.params_.to_numpy()
        t = np.asarray(t, dtype="float64")
        return (b + t - 1) / (a + b + t - 1)

    def discounted_expected_lifetime(self, discount_rate: float) -> float:
        """DEL: expected discounted number of payments of a new customer (first one
        undiscounted at t = 0), ``discount_rate`` per period."""
        self._check_fitted()
        a, b = self.params_.to_numpy()
        return float(hyp2f1(1.0, b, a + b, 1.0 / (1.0 + discount_rate)))

    def discounted_expected_residual_lifetime(self, discount_rate: float, n_payments) -> np.ndarray:
        """DERL: expected discounted number of future payments of a customer who has made
        ``n_payments`` (≥ 1) and is about to decide on the next renewal."""
        self._check_fitted()
        a, b = self.params_.to_numpy()
        n = np.asarray(n_payments, dtype="float64")
        return (b + n - 1) / (a + b + n - 1) * hyp2f1(1.0, b + n, a + b + n, 1.0 / (1.0 + discount_rate))


def survival_projection(model: ShiftedBetaGeometric, survivors, calibration_periods: int) -> pd.DataFrame:
    """Actual survivors next to the sBG and the constant-retention projections.

    The constant retention rate is the calibration average, (S_n/S_0)^(1/n) with
    n = ``calibration_periods``.  Columns: ``period``, ``actual``, ``sbg``,
    ``constant_retention``, ``calibration`` (bool).
    """
    s = _check_survivors(survivors)
    periods = np.arange(s.size)
    rate = (s[calibration_periods] / s[0]) ** (1 / calibration_periods)
    return pd.DataFrame({"period": periods, "actual": s, "sbg": s[0] * model.survival(periods),
                         "constant_retention": s[0] * rate**periods,
                         "calibration": periods <= calibration_periods})
