"""BG/NBD with static customer covariates (as CLVTools' ``bgnbd`` with static covariates).

Each customer i has covariates z_i (numeric, fixed in time).  The purchase rate scales with
exp(γ_pᵀz): α_i = α·exp(−γ_pᵀz_i), so E[λ_i] = (r/α)·exp(γ_pᵀz_i); the drop-out side
scales b: b_i = b·exp(−γ_dᵀz_i), so a positive γ_d raises the drop-out probability
(E[p_i] = a/(a + b_i)).  With no covariates the model is BG/NBD (:mod:`.bgnbd`).

Maximum likelihood over θ = (ln r, ln α, ln a, ln b, γ_p, γ_d) with the analytic gradient,
on rows compressed over identical (x, t_x, T, z) (so binary or categorical covariates
compress well); standard errors from the observed information (:mod:`._fit`), Wald
intervals — on the log scale for r, α, a, b, on the natural scale for the coefficients.
Predictions per customer use the customer's own α_i and b_i in the BG/NBD formulas.

Written by hand: no Python library fits covariate BTYD models by maximum likelihood
(CLVTools is R; lifetimes has no covariates).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import betaln, digamma, gammaln, hyp2f1

from ..estimates import estimate_table, normal_quantile
from ._fit import MLEModel, compress
from .summary import rfm_arrays, time_unit_of

BASE = ("r", "alpha", "a", "b")


class CovariateBGNBD(MLEModel):
    """``CovariateBGNBD().fit(summary, covariates, purchase=[...], dropout=[...])``."""

    def fit(self, summary: pd.DataFrame, covariates: pd.DataFrame | None = None, *,
            purchase=(), dropout=(), start: dict | None = None) -> CovariateBGNBD:
        """``covariates``: numeric columns indexed like ``summary`` (customer id);
        ``purchase``/``dropout``: the columns acting on the purchase / drop-out side."""
        x, t_x, T = rfm_arrays(summary)
        self.time_unit_ = time_unit_of(summary)
        purchase, dropout = list(purchase), list(dropout)
        zp, zd = self._matrices(summary, covariates, purchase, dropout)
        self.purchase_, self.dropout_ = purchase, dropout
        self.param_names = BASE + tuple(f"purchase:{c}" for c in purchase) + tuple(f"dropout:{c}" for c in dropout)
        first = {"r": 1.0, "alpha": max(float(np.mean(T)), 1e-3), "a": 1.0, "b": 1.0}
        first.update(start or {})
        theta0 = np.r_[np.log([first[k] for k in BASE]), np.zeros(len(purchase) + len(dropout))]
        arrays = {"x": x, "t_x": t_x, "T": T, **{f"p{j}": zp[:, j] for j in range(zp.shape[1])},
                  **{f"d{j}": zd[:, j] for j in range(zd.shape[1])}}
        # > 200,000 customers: start from the fit on a random 50,000 (see MLEModel._maximize_warm)
        self._maximize_warm(lambda cols: self._data_from(cols, zp.shape[1], zd.shape[1]), arrays, theta0,
                            n_obs=len(x))
        # _maximize reports exp(θ); the coefficients are θ itself (delta method only for the rest)
        k = len(BASE)
        theta = self._log_params
        jac = np.r_[np.exp(theta[:k]), np.ones(theta.size - k)]
        values = np.r_[np.exp(theta[:k]), theta[k:]]
        names = list(self.param_names)
        self.params_ = pd.Series(values, index=names, name="estimate")
        cov = self.cov_log_.to_numpy() * np.outer(jac, jac)
        self.cov_ = pd.DataFrame(cov, index=names, columns=names)
        self.std_err_ = pd.Series(np.sqrt(np.diag(cov)), index=names, name="std_err")
        return self

    @staticmethod
    def _data_from(columns: dict, n_p: int, n_d: int) -> dict:
        """Rows compressed over identical (x, t_x, T, z), with weights."""
        data, w = compress(columns)
        return {"x": data["x"], "t_x": data["t_x"], "T": data["T"], "w": w,
                "zp": np.column_stack([data[f"p{j}"] for j in range(n_p)] or [np.zeros(w.size)])[:, :n_p],
                "zd": np.column_stack([data[f"d{j}"] for j in range(n_d)] or [np.zeros(w.size)])[:, :n_d]}

    @staticmethod
    def _matrices(summary, covariates, purchase, dropout):
        if not purchase and not dropout:
            return np.zeros((len(summary), 0)), np.zeros((len(summary), 0))
        if covariates is None:
            raise ValueError("covariates: a DataFrame indexed by customer id is needed for purchase/dropout columns")
        missing = [c for c in [*purchase, *dropout] if c not in covariates.columns]
        if missing:
            raise ValueError(f"covariates: missing column(s) {missing}; have {list(covariates.columns)}")
        aligned = covariates.reindex(summary.index)
        for c in [*purchase, *dropout]:
            bad = ~np.isfinite(pd.to_numeric(aligned[c], errors="coerce").to_numpy(dtype="float64"))
            if bad.any():
                raise ValueError(f"covariates: column {c!r} is missing or not numeric for {int(bad.sum())} "
                                 f"customers of the summary, e.g. {list(summary.index[bad][:10])}")
        return (aligned[purchase].to_numpy(dtype="float64"), aligned[dropout].to_numpy(dtype="float64"))

    def _split(self, theta, zp, zd):
        k = len(BASE)
        n_p = zp.shape[1]
        r, alpha, a, b = np.exp(theta[:k])
        alpha_i = alpha * np.exp(-(zp @ theta[k:k + n_p]))
        b_i = b * np.exp(-(zd @ theta[k + n_p:]))
        return r, alpha_i, a, b_i

    def _loglik(self, theta, data):
        return self._loglik_grad(theta, data, gradient=False)[0]

    def _loglik_grad(self, theta, data, gradient=True):
        x, t_x, T, w, zp, zd = (data[k] for k in ("x", "t_x", "T", "w", "zp", "zd"))
        r, al, a, b = self._split(theta, zp, zd)
        has = x > 0
        la_T, la_tx = np.log(al + T), np.log(al + t_x)
        a3 = -(r + x) * la_T
        a4 = np.where(has, np.log(a) - np.log(b + np.maximum(x - 1, 0)) - (r + x) * la_tx, -np.inf)
        mix = np.logaddexp(a3, a4)
        rows = gammaln(r + x) - gammaln(r) + r * np.log(al) + betaln(a, b + x) - betaln(a, b) + mix
        loglik = float(w @ rows)
        if not gradient:
            return loglik, None
        w3 = np.exp(a3 - mix)
        w4 = np.where(has, 1.0 - w3, 0.0)
        d_r = w @ (digamma(r + x) - digamma(r) + np.log(al) - w3 * la_T - w4 * la_tx)
        d_al = r / al - (r + x) * (w3 / (al + T) + w4 / (al + t_x))  # per row, d/d alpha_i
        d_a = w @ (digamma(a + b) - digamma(a + b + x) + w4 / a)
        d_b = (digamma(b + x) - digamma(a + b + x) - digamma(b) + digamma(a + b)
               - np.where(has, w4 / (b + np.maximum(x - 1, 0)), 0.0))
        g_al, g_b = w * d_al * al, w * d_b * b  # derivatives w.r.t. ln alpha_i, ln b_i
        grad = np.r_[d_r * r, g_al.sum(), d_a * a, g_b.sum(), -(g_al @ zp), -(g_b @ zd)]
        return loglik, grad

    # ------------------------------------------------------------------ results
    def conf_int(self, level: float = 0.95) -> pd.DataFrame:
        """Log-scale Wald intervals for r, α, a, b; natural-scale Wald for the coefficients."""
        self._check_fitted()
        z = normal_quantile(level)
        se = np.sqrt(np.diag(self.cov_log_.to_numpy()))
        theta, k = self._log_params, len(BASE)
        low, high = theta - z * se, theta + z * se
        low[:k], high[:k] = np.exp(low[:k]), np.exp(high[:k])
        return pd.DataFrame({"ci_low": low, "ci_high": high}, index=self.params_.index)

    def effects(self, level: float = 0.95) -> pd.DataFrame:
        """The coefficients as an estimate table (with p-values against 0) plus
        ``rate_ratio`` = exp(coefficient): the multiplicative change of the purchase rate (or
        of 1/b on the drop-out side) per unit of the covariate."""
        self._check_fitted()
        names = list(self.params_.index[len(BASE):])
        est, se = self.params_[names].to_numpy(), self.std_err_[names].to_numpy()
        from scipy import stats

        p = 2 * stats.norm.sf(np.abs(est / se))
        table = estimate_table(est, se, level=level, p_value=p, index=names)
        return table.assign(rate_ratio=np.exp(est))

    def _customer_params(self, covariates: pd.DataFrame | None, index):
        zp, zd = self._matrices(pd.DataFrame(index=index), covariates, self.purchase_, self.dropout_)
        return self._split(self._log_params, zp, zd)

    def p_alive(self, summary: pd.DataFrame, covariates: pd.DataFrame | None = None) -> np.ndarray:
        """P(alive at T) per customer of ``summary`` with their covariates."""
        self._check_fitted()
        x, t_x, T = rfm_arrays(summary)
        r, al, a, b = self._customer_params(covariates, summary.index)
        log_odds = np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) + (r + x) * (np.log(al + T) - np.log(al + t_x))
        return np.where(x > 0, 1.0 / (1.0 + np.exp(np.minimum(log_odds, 700))), 1.0)

    def conditional_expected_purchases(self, t: float, summary: pd.DataFrame,
                                       covariates: pd.DataFrame | None = None) -> np.ndarray:
        """E[Y(t) | x, t_x, T, z] per customer (BG/NBD formula with the customer's α_i, b_i)."""
        self._check_fitted()
        x, t_x, T = rfm_arrays(summary)
        r, al, a, b = self._customer_params(covariates, summary.index)
        z = t / (al + T + t)
        tail = (1 - z) ** (a - 1) * hyp2f1(a + b - 1 - r, a - 1, a + b + x - 1, z)
        return (a + b + x - 1) / (a - 1) * (1 - tail) * self.p_alive(summary, covariates)
