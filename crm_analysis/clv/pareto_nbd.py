"""Pareto/NBD model of repeat purchasing (Schmittlein, Morrison & Colombo 1987; likelihood
as in Fader & Hardie 2005, "A note on deriving the Pareto/NBD model").

While alive a customer buys as a Poisson process with rate λ ~ Gamma(r, α); the
lifetime is exponential with rate μ ~ Gamma(s, β) (rates per time unit of the summary).

    L = Γ(r+x) α^r β^s / Γ(r) · [ (α+T)^−(r+x) (β+T)^−s + s/(r+s+x) · A0 ]

where, with M = max(α, β), m = min(α, β), ρ = r+s+x and b = s+1 if α ≥ β else r+x,

    A0 = F(t_x) − F(T),   F(t) = 2F1(ρ, b; ρ+1; (M−m)/(M+t)) / (M+t)^ρ .

Numerical care (hand-written because no library has a stable weighted Pareto/NBD MLE):
the hypergeometric function is evaluated after Euler's transformation,
2F1(ρ, b; ρ+1; z) = (1−z)^(1−b) 2F1(1, ρ+1−b; ρ+1; z), whose series has bounded terms
(between 1 and 1/(1−z)), so ln F(t) is computed without overflow for x in the hundreds;
A0 is formed in log space as ln F(t_x) + ln(−expm1(ln F(T) − ln F(t_x))), and the two
likelihood terms are added with ``logaddexp``.  The gradient is by central differences.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import gammaln, hyp2f1

from . import boundary
from ._fit import ConvergenceError, MLEModel, compress
from .summary import rfm_arrays, time_unit_of


def _log_terms(params, x, t_x, T):
    """(common part, ln first term, ln second term) of the Pareto/NBD likelihood."""
    r, alpha, s, beta = params
    rho = r + s + x
    big, small = max(alpha, beta), min(alpha, beta)
    b = s + 1 if alpha >= beta else r + x

    def log_f(t):
        z = (big - small) / (big + t)
        return ((1 - b) * (np.log(small + t) - np.log(big + t))
                + np.log(hyp2f1(1.0, rho + 1 - b, rho + 1, z)) - rho * np.log(big + t))

    lf_tx, lf_T = log_f(t_x), log_f(T)
    with np.errstate(divide="ignore"):
        log_a0 = lf_tx + np.log(-np.expm1(np.minimum(lf_T - lf_tx, 0.0)))
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    first = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    second = np.log(s) - np.log(rho) + log_a0
    return common, first, second


class ParetoNBD(MLEModel):
    """Pareto/NBD fitter: ``ParetoNBD().fit(summary)``; times in the summary's time unit."""

    param_names = ("r", "alpha", "s", "beta")

    def fit(self, summary: pd.DataFrame, start: dict | None = None) -> ParetoNBD:
        """Fit by maximum likelihood to a summary from ``summarize_transactions``."""
        x, t_x, T = rfm_arrays(summary)
        self.time_unit_ = time_unit_of(summary)
        at_boundary = boundary.at_no_dropout_boundary("pareto_nbd", x, t_x, T)
        if at_boundary is not None:  # s → 0: the NBD limit (see crm_analysis.clv.boundary)
            boundary.set_boundary(self, at_boundary, n_obs=len(x))
            return self
        data, weights = compress({"x": x, "t_x": t_x, "T": T})
        data["w"] = weights
        first = {"r": 0.5, "alpha": max(float(np.mean(T)), 1e-3) / 2, "s": 0.5,
                 "beta": max(float(np.mean(T)), 1e-3) / 2}
        first.update(start or {})
        try:
            self._maximize(data, np.log([first[n] for n in self.param_names]), n_obs=len(x))
        except ConvergenceError:
            if not boundary.boundary_fallback(self, x, t_x, T):
                raise
        return self

    def _full_data(self) -> dict:
        """Compressed data of the fitted summary (the same for the full likelihood)."""
        return self._data

    def _no_dropout(self) -> bool:
        return bool(self.params_["s"] == 0)

    def _loglik(self, log_params, data):
        # the integral form by quadrature (crm_analysis.clv.boundary): equal to the
        # hypergeometric form to ~1e-11 and fast also where β ≫ T, where the series of
        # 2F1 converges slowly (near the no-drop-out edge a fit spent minutes there)
        return boundary.pareto_loglik_grad(log_params, data, gradient=False)[0]

    def _loglik_grad(self, log_params, data):
        """(ln L, its analytic gradient in log parameters), by the same quadrature."""
        return boundary.pareto_loglik_grad(log_params, data)

    def loglik_per_customer(self, frequency, recency, T) -> np.ndarray:
        """ln L of each customer at the fitted parameters."""
        self._check_fitted()
        x, t_x, T = (np.asarray(v, dtype="float64") for v in (frequency, recency, T))
        common, first, second = _log_terms(self.params_.to_numpy(), x, t_x, T)
        return common + np.logaddexp(first, second)

    # ------------------------------------------------------------------ predictions
    def expected_purchases(self, t) -> np.ndarray:
        """E[X(t)] = rβ/(α(s−1)) [1 − (β/(β+t))^(s−1)]: a new customer's purchases in (0, t]."""
        self._check_fitted()
        r, alpha, s, beta = self.params_.to_numpy()
        t = np.asarray(t, dtype="float64")
        if self._no_dropout():
            return r * t / alpha
        return r * beta / alpha * _one_minus_power_over(s - 1, np.log(beta / (beta + t)))

    def p_alive(self, frequency, recency, T) -> np.ndarray:
        """P(customer still alive at T | x, t_x, T)."""
        self._check_fitted()
        x, t_x, T = (np.asarray(v, dtype="float64") for v in (frequency, recency, T))
        if self._no_dropout():
            return np.ones(np.broadcast(x, t_x, T).shape)
        _, first, second = _log_terms(self.params_.to_numpy(), x, t_x, T)
        return np.exp(first - np.logaddexp(first, second))

    def conditional_expected_purchases(self, t, frequency, recency, T) -> np.ndarray:
        """E[Y(t) | x, t_x, T]: expected repeat purchases in (T, T+t] (t in time units)."""
        self._check_fitted()
        r, alpha, s, beta = self.params_.to_numpy()
        x, T_ = np.asarray(frequency, dtype="float64"), np.asarray(T, dtype="float64")
        t = np.asarray(t, dtype="float64")
        if self._no_dropout():  # NBD: E[λ | x, T] t
            return (r + x) / (alpha + T_) * t
        rate = (r + x) * (beta + T_) / (alpha + T_)
        horizon = _one_minus_power_over(s - 1, np.log((beta + T_) / (beta + T_ + t)))
        return rate * horizon * self.p_alive(frequency, recency, T)


def _one_minus_power_over(k: float, log_base):
    """(1 − exp(k·log_base)) / k, with its limit −log_base at k = 0."""
    if abs(k) < 1e-12:
        return -np.asarray(log_base)
    return -np.expm1(k * np.asarray(log_base)) / k
