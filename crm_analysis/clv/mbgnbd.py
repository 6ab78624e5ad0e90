"""MBG/NBD model of repeat purchasing (Batislam, Denizel & Filiztekin 2007, "Empirical
validation and comparison of models for customer base analysis", *International Journal of
Research in Marketing* 24(3):201–209).

Like BG/NBD (:mod:`.bgnbd`) — purchases at rate λ ~ Gamma(r, α) while alive, drop-out
probability p ~ Beta(a, b) — except that a customer can also drop out right after the
first purchase (at time 0), so a customer with no repeat purchase is not certain to be
alive.  Log-likelihood of one customer with x repeat purchases, the last at t_x, observed
for T:

    ln L = ln Γ(r+x) − ln Γ(r) + r ln α + ln B(a, b+x+1) − ln B(a, b)
           + logaddexp(−(r+x) ln(α+T),  ln a − ln(b+x) − (r+x) ln(α+t_x))

with its analytic gradient, fitted on compressed (x, t_x, T) rows.  Predictions:

    P(alive | x, t_x, T) = 1 / (1 + a/(b+x) · ((α+T)/(α+t_x))^(r+x))
    E[X(t)] = b/(a−1) · [1 − (α/(α+t))^r 2F1(r, b+1; a+b; t/(α+t))]
    E[Y(t) | x, t_x, T] = (a+b+x)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x)
                          2F1(r+x, b+x+1; a+b+x; t/(α+T+t))] · P(alive)

with the hypergeometric products evaluated through Euler's transformation
(1−z)^A 2F1(A, B; C; z) = (1−z)^(C−B) 2F1(C−A, C−B; C; z), whose terms stay bounded.

No evidence of drop-out (a → 0, the NBD limit) is a result, not a failure: see
:mod:`crm_analysis.clv.edges`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import betaln, digamma, gammaln, hyp2f1

from . import boundary, edges
from ._fit import ConvergenceError, MLEModel, compress
from .bgnbd import purchases_if_alive
from .summary import rfm_arrays, time_unit_of


class MBGNBD(MLEModel):
    """MBG/NBD fitter: ``MBGNBD().fit(summary)``; times in the summary's time unit."""

    param_names = ("r", "alpha", "a", "b")

    def fit(self, summary: pd.DataFrame, start: dict | None = None) -> MBGNBD:
        """Fit by maximum likelihood to a summary from ``summarize_transactions``."""
        x, t_x, T = rfm_arrays(summary)
        self.time_unit_ = time_unit_of(summary)
        at_boundary = edges.mbgnbd_at_boundary(x, t_x, T)
        if at_boundary is not None:  # a → 0: the NBD limit (see crm_analysis.clv.edges)
            boundary.set_boundary(self, at_boundary, n_obs=len(x))
            return self
        first = {"r": 1.0, "alpha": max(float(np.mean(T)), 1e-3), "a": 1.0, "b": 1.0}
        first.update(start or {})
        try:
            self._maximize_warm(lambda d: self._data_from(d["x"], d["t_x"], d["T"]), {"x": x, "t_x": t_x, "T": T},
                                np.log([first[n] for n in self.param_names]), n_obs=len(x))
        except ConvergenceError:
            if not (boundary.boundary_fallback(self, x, t_x, T) or self._not_significant(x, t_x, T)):
                raise
            return self
        if boundary.ran_to_no_dropout(self, T):  # converged with mean drop-out < 1e-4: the limit
            boundary.boundary_fallback(self, x, t_x, T)
        return self

    def _not_significant(self, x, t_x, T) -> bool:
        """A failed fit that stopped at a small drop-out not significantly better than none
        (:func:`crm_analysis.clv.edges.not_significant`): the NBD limit is the result."""
        last = getattr(self, "_last_log_params", None)
        if last is None:
            return False
        a, b = np.exp(last[2:])
        data = self._data_from(x, t_x, T)
        log_params, loglik, cov = boundary.fit_nbd(data["x"], data["T"], data["w"])
        found = self._loglik(last, data)
        clause = edges.not_significant(found, loglik, a / (a + b))
        if clause is None or not np.all(np.isfinite(cov)):
            return False
        boundary.set_boundary(self, {"log_params": log_params, "loglik": loglik, "cov_log": cov, "data": data},
                              n_obs=len(x))
        self.boundary_ += clause
        self._loglik_found = found
        return True

    def summary(self, level: float = 0.95) -> pd.DataFrame:
        """Estimate table; at the no-drop-out boundary r, α of the NBD and a ``mean_dropout``
        row (a/(a+b)) with its profile-likelihood interval (:mod:`crm_analysis.clv.edges`)."""
        if not getattr(self, "boundary_", None):
            return super().summary(level)
        fit = self._boundary_fit
        table = edges.boundary_table(self, level, fit["log_params"], np.sqrt(np.diag(fit["cov_log"])), [0, 1])
        table.attrs.update(boundary=self.boundary_, loglik=self.loglik_, n_obs=self.n_obs_, model="MBGNBD")
        return table

    def conf_int(self, level: float = 0.95) -> pd.DataFrame:
        if getattr(self, "boundary_", None):
            return self.summary(level).loc[list(self.param_names), ["ci_low", "ci_high"]]
        return super().conf_int(level)

    def _full_data(self) -> dict:
        """Compressed (x, t_x, T) rows of the fitted summary (profile likelihood)."""
        return self._data

    def _no_dropout(self) -> bool:
        return bool(self.params_["a"] == 0)

    @staticmethod
    def _data_from(x, t_x, T) -> dict:
        data, weights = compress({"x": np.asarray(x, float), "t_x": np.asarray(t_x, float),
                                  "T": np.asarray(T, float)})
        data["w"] = weights
        return data

    def _loglik(self, log_params, data):
        return self._loglik_grad(log_params, data, gradient=False)[0]

    def _loglik_grad(self, log_params, data, gradient=True):
        r, alpha, a, b = np.exp(log_params)
        x, t_x, T, w = data["x"], data["t_x"], data["T"], data["w"]
        log_a_T, log_a_tx = np.log(alpha + T), np.log(alpha + t_x)
        a3 = -(r + x) * log_a_T
        a4 = np.log(a) - np.log(b + x) - (r + x) * log_a_tx
        mix = np.logaddexp(a3, a4)
        rows = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + betaln(a, b + x + 1) - betaln(a, b) + mix
        loglik = float(w @ rows)
        if not gradient:
            return loglik, None
        w3 = np.exp(a3 - mix)
        w4 = 1.0 - w3
        d_r = w @ (digamma(r + x) - digamma(r) + np.log(alpha) - w3 * log_a_T - w4 * log_a_tx)
        d_alpha = w @ (r / alpha - (r + x) * (w3 / (alpha + T) + w4 / (alpha + t_x)))
        d_a = w @ (digamma(a + b) - digamma(a + b + x + 1) + w4 / a)
        d_b = w @ (digamma(b + x + 1) - digamma(a + b + x + 1) - digamma(b) + digamma(a + b) - w4 / (b + x))
        return loglik, np.array([d_r, d_alpha, d_a, d_b]) * np.array([r, alpha, a, b])

    # ------------------------------------------------------------------ predictions
    def expected_purchases(self, t) -> np.ndarray:
        """E[X(t)]: expected repeat purchases of a new customer in (0, t] (t in time units)."""
        self._check_fitted()
        r, alpha, a, b = self.params_.to_numpy()
        t = np.asarray(t, dtype="float64")
        if self._no_dropout():
            return r * t / alpha
        z = t / (alpha + t)
        # (1−z)^r 2F1(r, b+1; a+b; z) = (1−z)^(a−1) 2F1(a+b−r, a−1; a+b; z)
        return b / (a - 1) * (1 - (1 - z) ** (a - 1) * hyp2f1(a + b - r, a - 1, a + b, z))

    def p_alive(self, frequency, recency, T) -> np.ndarray:
        """P(customer still alive at T | x, t_x, T) (below 1 also for x = 0)."""
        self._check_fitted()
        r, alpha, a, b = self.params_.to_numpy()
        x, t_x, T = (np.asarray(v, dtype="float64") for v in (frequency, recency, T))
        if self._no_dropout():
            return np.ones(np.broadcast(x, t_x, T).shape)
        log_odds = np.log(a) - np.log(b + x) + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
        return 1.0 / (1.0 + np.exp(np.minimum(log_odds, 700)))

    def conditional_expected_purchases(self, t, frequency, recency, T) -> np.ndarray:
        """E[Y(t) | x, t_x, T]: expected repeat purchases in (T, T+t] (t in time units)."""
        self._check_fitted()
        r, alpha, a, b = self.params_.to_numpy()
        x, t_x, T = (np.asarray(v, dtype="float64") for v in (frequency, recency, T))
        t = np.asarray(t, dtype="float64")
        if self._no_dropout():  # NBD: E[λ | x, T] t
            return (r + x) / (alpha + T) * t
        return purchases_if_alive(t, x, T, r, alpha, a, b + 1) * self.p_alive(x, t_x, T)
