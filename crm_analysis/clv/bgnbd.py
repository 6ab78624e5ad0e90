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

from . import boundary
from ._fit import ConvergenceError, MLEModel, compress
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
        self._arrays = (x, t_x, T)
        at_boundary = boundary.at_no_dropout_boundary("bgnbd", x, t_x, T)
        if at_boundary is not None:  # a → 0: the NBD limit (see crm_analysis.clv.boundary)
            boundary.set_boundary(self, at_boundary, n_obs=len(x))
            return self
        first = {"r": 1.0, "alpha": max(float(np.mean(T)), 1e-3), "a": 1.0, "b": 1.0}
        first.update(start or {})
        try:
            self._maximize_warm(lambda d: self._data_from(d["x"], d["t_x"], d["T"]),
                                {"x": x, "t_x": t_x, "T": T},
                                np.log([first[n] for n in self.param_names]), n_obs=len(x))
        except ConvergenceError:
            if not boundary.boundary_fallback(self, x, t_x, T):
                raise
        return self

    def _full_data(self) -> dict:
        """Compressed data of the fitted summary for the full likelihood (profiles)."""
        if getattr(self, "_full", None) is None:
            self._full = self._data_from(*self._arrays)
        return self._full

    def _no_dropout(self) -> bool:
        return bool(self.params_["a"] == 0)

    @staticmethod
    def _data_from(x, t_x, T) -> dict:
        """Compressed rows with weights, sorted by x.  Special functions depend on x only, so
        they are evaluated once per distinct x (a few hundred values) and expanded to the rows
        with ``np.repeat`` (``n_x`` rows per distinct x), not once per row."""
        data, weights = compress({"x": np.asarray(x, float), "t_x": np.asarray(t_x, float),
                                  "T": np.asarray(T, float)})
        order = np.argsort(data["x"], kind="stable")
        data = {k: v[order] for k, v in data.items()}
        data["w"] = weights[order]
        data["u_x"], data["n_x"] = np.unique(data["x"], return_counts=True)
        return data

    def _loglik(self, log_params, data):
        return self._loglik_grad(log_params, data, gradient=False)[0]

    def _loglik_grad(self, log_params, data, gradient=True):
        r, alpha, a, b = np.exp(log_params)
        ux, nx = data["u_x"], data["n_x"]
        x, t_x, T, w = data["x"], data["t_x"], data["T"], data["w"]
        has = x > 0
        uxm1 = np.maximum(ux - 1, 0.0)
        log_a_tx = np.log(alpha + t_x)
        log_a_T = np.log(alpha + T)
        fixed = np.repeat(gammaln(r + ux) - gammaln(r) + betaln(a, b + ux) - betaln(a, b), nx)
        a3 = -(r + x) * log_a_T
        a4 = np.where(has, np.repeat(np.log(a) - np.log(b + uxm1), nx) - (r + x) * log_a_tx, -np.inf)
        mix = np.logaddexp(a3, a4)
        loglik = float(w @ fixed + w @ mix) + float(w.sum()) * r * np.log(alpha)
        if not gradient:
            return loglik, None
        w3 = np.exp(a3 - mix)
        w4 = np.where(has, 1.0 - w3, 0.0)
        ww3, ww4 = w * w3, w * w4
        # Σ_i w_i f(x_i) for a function of x only = Σ_x f(x) · (Σ of w over rows with that x)
        wx = np.add.reduceat(w, np.r_[0, np.cumsum(nx)[:-1]])
        w4x = np.add.reduceat(ww4, np.r_[0, np.cumsum(nx)[:-1]])
        wsum = wx.sum()
        d_r = (wx @ digamma(r + ux) - wsum * (digamma(r) - np.log(alpha))
               - ww3 @ log_a_T - ww4 @ log_a_tx)
        d_alpha = wsum * r / alpha - (r + x) @ (ww3 / (alpha + T) + ww4 / (alpha + t_x))
        d_a = wsum * digamma(a + b) - wx @ digamma(a + b + ux) + w4x.sum() / a
        d_b = (wx @ (digamma(b + ux) - digamma(a + b + ux)) - wsum * (digamma(b) - digamma(a + b))
               - w4x @ (1.0 / (b + uxm1)))
        grad = np.array([d_r, d_alpha, d_a, d_b]) * np.array([r, alpha, a, b])
        return loglik, grad

    # ------------------------------------------------------------------ predictions
    def expected_purchases(self, t) -> np.ndarray:
        """E[X(t)]: expected repeat purchases of a new customer in (0, t] (t in time units)."""
        self._check_fitted()
        r, alpha, a, b = self.params_.to_numpy()
        t = np.asarray(t, dtype="float64")
        if self._no_dropout():
            return r * t / alpha
        z = t / (alpha + t)
        # (α/(α+t))^r 2F1(r, b; a+b−1; z) = (1−z)^(a−1) 2F1(a+b−1−r, a−1; a+b−1; z)
        return (a + b - 1) / (a - 1) * (1 - (1 - z) ** (a - 1) * hyp2f1(a + b - 1 - r, a - 1, a + b - 1, z))

    def p_alive(self, frequency, recency, T) -> np.ndarray:
        """P(customer still alive at T | x, t_x, T)."""
        self._check_fitted()
        r, alpha, a, b = self.params_.to_numpy()
        x, t_x, T = (np.asarray(v, dtype="float64") for v in (frequency, recency, T))
        if self._no_dropout():
            return np.ones(np.broadcast(x, t_x, T).shape)
        log_odds = np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) + (r + x) * (
            np.log(alpha + T) - np.log(alpha + t_x))
        return np.where(x > 0, 1.0 / (1.0 + np.exp(np.minimum(log_odds, 700))), 1.0)

    def conditional_expected_purchases(self, t, frequency, recency, T) -> np.ndarray:
        """E[Y(t) | x, t_x, T]: expected repeat purchases in (T, T+t] (t in time units)."""
        self._check_fitted()
        r, alpha, a, b = self.params_.to_numpy()
        x, t_x, T = (np.asarray(v, dtype="float64") for v in (frequency, recency, T))
        t = np.asarray(t, dtype="float64")
        if self._no_dropout():  # NBD: E[λ | x, T] t
            return (r + x) / (alpha + T) * t
        return purchases_if_alive(t, x, T, r, alpha, a, b) * self.p_alive(x, t_x, T)

    def frequency_pmf(self, x, t) -> np.ndarray:
        """P(X(t) = x): probability of exactly x repeat purchases in (0, t] (FHL 2005 eq. 8)."""
        self._check_fitted()
        r, alpha, a, b = self.params_.to_numpy()
        x = np.asarray(x, dtype="float64")
        t = np.asarray(t, dtype="float64")
        x, t = np.broadcast_arrays(x, t)
        with np.errstate(divide="ignore", invalid="ignore"):  # t = 0: x log 0 for x = 0 is 0
            log_nb = (gammaln(r + x) - gammaln(r) - gammaln(x + 1)
                      + r * np.log(alpha / (alpha + t)) + np.where(x > 0, x * np.log(t / (alpha + t)), 0.0))
        if self._no_dropout():
            return np.exp(log_nb)
        first = np.exp(betaln(a, b + x) - betaln(a, b) + log_nb)
        # 1 − Σ_{j<x} NB(j; r, α, t), via the regularized incomplete beta (NB CDF).
        nb_cdf = np.where(x > 0, betainc(r, np.maximum(x, 1), alpha / (alpha + t)), 0.0)
        second = np.where(x > 0, np.exp(betaln(a + 1, b + np.maximum(x, 1) - 1) - betaln(a, b))
                          * (1 - nb_cdf), 0.0)
        return first + second


def purchases_if_alive(t, x, T, r, alpha, a, b) -> np.ndarray:
    """BG/NBD's E[Y(t) | x, t_x, T] divided by P(alive): expected repeat purchases in
    (T, T+t] (t, T in time units) of a customer alive at T,
    (a+b+x−1)/(a−1)·[1 − (1−z)^(a−1)·2F1(a+b−1−r, a−1; a+b+x−1; z)], z = t/(α+T+t)
    (Fader, Hardie & Lee 2005, eq. 10).  MBG/NBD's is the same expression with b+1."""
    z = t / (alpha + T + t)
    tail = (1 - z) ** (a - 1) * hyp2f1(a + b - 1 - r, a - 1, a + b + x - 1, z)
    return (a + b + x - 1) / (a - 1) * (1 - tail)
