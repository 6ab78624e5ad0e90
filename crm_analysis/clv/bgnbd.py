"""BG/NBD model of repeat purchasing (Fader, Hardie & Lee 2005, "Counting your customers
the easy way").

While alive a customer buys as a Poisson process with rate λ ~ Gamma(r, α) (per time
unit of the summary); after each repeat purchase they drop out with probability
p ~ Beta(a, b).  Parameters: r, α (in time units), a, b.

Log-likelihood of one customer with x repeat purchases, last at t_x, observed for T:

    ln L = ln Γ(r+x) − ln Γ(r) + r ln α + ln B(a, b+x) − ln B(a, b)
           + logaddexp(−(r+x) ln(α+T),  [x>0] (ln a − ln(b+x−1) − (r+x) ln(α+t_x)))

evaluated in log space (no overflow for customers with hundreds of purchases), with its
analytic gradient.  Conditional expectations use the Euler transformation of the Gauss
hypergeometric function, 2F1(r+x, b+x; a+b+x−1; z) (1−z)^(r+x) =
(1−z)^(a−1) 2F1(a+b−1−r, a−1; a+b+x−1; z), whose terms stay bounded for large x.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import betainc, betaln, digamma, gammaln, hyp2f1

from ._fit import MLEModel, compress
from .summary import rfm_arrays, time_unit_of


class BGNBD(MLEModel):
    """BG/NBD fitter: ``BGNBD().fit(summary)``; times in the summary's time unit."""

    param_names = ("r", "alpha", "a", "b")

    def fit(self, summary: pd.DataFrame, start: dict | None = None) -> BGNBD:
        """Fit by maximum likelihood to a summary from ``summarize_transactions``.

        ``start`` optionally gives start values {r, alpha, a, b}.
        """
        x, t_x, T = rfm_arrays(summary)
        self.time_unit_ = time_unit_of(summary)
        data, weights = compress({"x": x, "t_x": t_x, "T": T})
        data["w"] = weights
        first = {"r": 1.0, "alpha": max(float(np.mean(T)), 1e-3), "a": 1.0, "b": 1.0}
        first.update(start or {})
        self._maximize(data, np.log([first[n] for n in self.param_names]), n_obs=len(x))
        return self

    @staticmethod
    def _terms(log_params, data):
        r, alpha, a, b = np.exp(log_params)
        x, t_x, T = data["x"], data["t_x"], data["T"]
        has = x > 0
        xm1 = np.where(has, x - 1, 0.0)
        a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
        a2 = betaln(a, b + x) - betaln(a, b)
        a3 = -(r + x) * np.log(alpha + T)
        a4 = np.where(has, np.log(a) - np.log(b + xm1) - (r + x) * np.log(alpha + t_x), -np.inf)
        return r, alpha, a, b, x, t_x, T, has, xm1, a1, a2, a3, a4

    def _loglik(self, log_params, data):
        *_, a1, a2, a3, a4 = self._terms(log_params, data)
        return float(np.sum(data["w"] * (a1 + a2 + np.logaddexp(a3, a4))))

    def _loglik_grad(self, log_params, data):
        r, alpha, a, b, x, t_x, T, has, xm1, a1, a2, a3, a4 = self._terms(log_params, data)
        w = data["w"]
        mix = np.logaddexp(a3, a4)
        w3 = np.exp(a3 - mix)
        w4 = np.where(has, np.exp(a4 - mix), 0.0)
        d_r = digamma(r + x) - digamma(r) + np.log(alpha) - w3 * np.log(alpha + T) - w4 * np.log(alpha + t_x)
        d_alpha = r / alpha - w3 * (r + x) / (alpha + T) - w4 * (r + x) / (alpha + t_x)
        d_a = digamma(a + b) - digamma(a + b + x) + w4 / a
        d_b = (digamma(b + x) - digamma(a + b + x) - digamma(b) + digamma(a + b)
               - w4 / (b + xm1))
        grad = np.array([np.sum(w * d) for d in (d_r, d_alpha, d_a, d_b)]) * np.array([r, alpha, a, b])
        return float(np.sum(w * (a1 + a2 + mix))), grad

    # ------------------------------------------------------------------ predictions
    def expected_purchases(self, t) -> np.ndarray:
        """E[X(t)]: expected repeat purchases of a new customer in (0, t] (t in time units)."""
        self._check_fitted()
        r, alpha, a, b = self.params_.to_numpy()
        t = np.asarray(t, dtype="float64")
        z = t / (alpha + t)
        # (α/(α+t))^r 2F1(r, b; a+b−1; z) = (1−z)^(a−1) 2F1(a+b−1−r, a−1; a+b−1; z)
        return (a + b - 1) / (a - 1) * (1 - (1 - z) ** (a - 1) * hyp2f1(a + b - 1 - r, a - 1, a + b - 1, z))

    def p_alive(self, frequency, recency, T) -> np.ndarray:
        """P(customer still alive at T | x, t_x, T)."""
        self._check_fitted()
        r, alpha, a, b = self.params_.to_numpy()
        x, t_x, T = (np.asarray(v, dtype="float64") for v in (frequency, recency, T))
        log_odds = np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) + (r + x) * (
            np.log(alpha + T) - np.log(alpha + t_x))
        return np.where(x > 0, 1.0 / (1.0 + np.exp(np.minimum(log_odds, 700))), 1.0)

    def conditional_expected_purchases(self, t, frequency, recency, T) -> np.ndarray:
        """E[Y(t) | x, t_x, T]: expected repeat purchases in (T, T+t] (t in time units)."""
        self._check_fitted()
        r, alpha, a, b = self.params_.to_numpy()
        x, t_x, T = (np.asarray(v, dtype="float64") for v in (frequency, recency, T))
        t = np.asarray(t, dtype="float64")
        z = t / (alpha + T + t)
        tail = (1 - z) ** (a - 1) * hyp2f1(a + b - 1 - r, a - 1, a + b + x - 1, z)
        return (a + b + x - 1) / (a - 1) * (1 - tail) * self.p_alive(x, t_x, T)

    def frequency_pmf(self, x, t) -> np.ndarray:
        """P(X(t) = x): probability of exactly x repeat purchases in (0, t] (FHL 2005 eq. 8)."""
        self._check_fitted()
        r, alpha, a, b = self.params_.to_numpy()
        x = np.asarray(x, dtype="float64")
        t = np.asarray(t, dtype="float64")
        x, t = np.broadcast_arrays(x, t)
        log_nb = (gammaln(r + x) - gammaln(r) - gammaln(x + 1)
                  + r * np.log(alpha / (alpha + t)) + x * np.log(t / (alpha + t)))
        first = np.exp(betaln(a, b + x) - betaln(a, b) + log_nb)
        # 1 − Σ_{j<x} NB(j; r, α, t), via the regularized incomplete beta (NB CDF).
        nb_cdf = np.where(x > 0, betainc(r, np.maximum(x, 1), alpha / (alpha + t)), 0.0)
        second = np.where(x > 0, np.exp(betaln(a + 1, b + np.maximum(x, 1) - 1) - betaln(a, b))
                          * (1 - nb_cdf), 0.0)
        return first + second
