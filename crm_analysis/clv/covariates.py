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

No evidence of drop-out (a → 0) gives the NBD with the purchase covariates as the result
(see :mod:`crm_analysis.clv.edges`).

Written by hand: no Python library fits covariate BTYD models by maximum likelihood
(CLVTools is R; lifetimes has no covariates).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import betaln, digamma, gammaln, hyp2f1

from ..estimates import estimate_table, normal_quantile
from . import edges
from ._fit import ConvergenceError, MLEModel, compress
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
        prepare = lambda cols: self._data_from(cols, zp.shape[1], zd.shape[1])  # noqa: E731
        if len(x) <= 200_000:  # no evidence of drop-out? (see crm_analysis.clv.edges)
            data = prepare(arrays)
            at_boundary = edges.covariate_at_boundary(data)
            if at_boundary is not None and edges.set_covariate_boundary(self, data, len(x), at_boundary):
                return self
        try:
            self._maximize_warm(prepare, arrays, theta0, n_obs=len(x))
        except ConvergenceError:
            data = prepare(arrays)  # ran to the no-drop-out edge? then the covariate NBD is the result
            last = getattr(self, "_last_log_params", None)
            mean = np.inf if last is None else edges.mean_dropout_max(self, data, last)
            if not mean < 1e-2:
                raise
            fit = edges.fit_covariate_nbd(data, np.r_[last[:2], last[4:4 + zp.shape[1]]])
            found = self._loglik(last, data)
            clause = "" if mean < 1e-4 else edges.not_significant(found, fit[1], mean)
            if clause is None or not edges.set_covariate_boundary(self, data, len(x), fit):
                raise
            self.boundary_ += clause
            self._loglik_found = found
            return self
        if edges.mean_dropout_max(self, self._data, self._log_params) < 1e-4:
            if edges.set_covariate_boundary(self, self._data, n_obs=len(x)):
                return self
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
        """Rows compressed over identical (x, t_x, T, z), with weights; plus the groups of
        identical (x, drop-out covariates), on which the special functions are evaluated
        (few groups when the drop-out covariates are categorical)."""
        data, w = compress(columns)
        zp = np.column_stack([data[f"p{j}"] for j in range(n_p)] or [np.zeros(w.size)])[:, :n_p]
        zd = np.column_stack([data[f"d{j}"] for j in range(n_d)] or [np.zeros(w.size)])[:, :n_d]
        codes, first = _group_codes([data["x"], *zd.T])
        return {"x": data["x"], "t_x": data["t_x"], "T": data["T"], "w": w, "zp": zp, "zd": zd,
                "g_code": codes, "g_x": data["x"][first], "g_zd": zd[first]}

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

    def _full_data(self) -> dict:
        return self._data

    def _no_dropout(self) -> bool:
        return bool(self.params_["a"] == 0)

    def summary(self, level: float = 0.95) -> pd.DataFrame:
        """Estimate table; at the no-drop-out boundary r, α and the purchase coefficients of
        the covariate NBD, a = 0, b and the drop-out coefficients not identified, and a
        ``mean_dropout`` row (a/(a+b) at z = 0) with its profile-likelihood interval."""
        if not getattr(self, "boundary_", None):
            return super().summary(level)
        fit = self._boundary_fit
        n_d = len(self.dropout_)
        table = edges.boundary_table(self, level, fit["theta"], np.sqrt(np.diag(fit["cov"])), fit["idx"],
                                     natural_idx=fit["idx"][2:], profile_start=np.r_[fit["theta"], np.zeros(n_d)])
        table.attrs.update(boundary=self.boundary_, loglik=self.loglik_, n_obs=self.n_obs_, model="CovariateBGNBD")
        return table

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
        code, gx, gzd = data["g_code"], data["g_x"], data["g_zd"]
        k, n_p = len(BASE), zp.shape[1]
        r, alpha, a, b = np.exp(theta[:k])
        al = alpha * np.exp(-(zp @ theta[k:k + n_p]))
        gb = b * np.exp(-(gzd @ theta[k + n_p:]))  # b_i per group of (x, drop-out covariates)
        gxm1 = np.maximum(gx - 1, 0)
        has = x > 0
        la_T, la_tx = np.log(al + T), np.log(al + t_x)
        a3 = -(r + x) * la_T
        a4 = np.where(has, (np.log(a) - np.log(gb + gxm1))[code] - (r + x) * la_tx, -np.inf)
        mix = np.logaddexp(a3, a4)
        g_fixed = gammaln(r + gx) - gammaln(r) + betaln(a, gb + gx) - betaln(a, gb)
        loglik = float(w @ (g_fixed[code] + r * np.log(al) + mix))
        if not gradient:
            return loglik, None
        w3 = np.exp(a3 - mix)
        w4 = np.where(has, 1.0 - w3, 0.0)
        gw = np.bincount(code, weights=w, minlength=gx.size)  # weight per group
        gw4 = np.bincount(code, weights=w * w4, minlength=gx.size)
        d_r = (gw @ (digamma(r + gx) - digamma(r)) + w @ (np.log(al) - w3 * la_T - w4 * la_tx))
        d_al = r / al - (r + x) * (w3 / (al + T) + w4 / (al + t_x))  # per row, d/d alpha_i
        d_a = gw @ (digamma(a + gb) - digamma(a + gb + gx)) + gw4.sum() / a
        d_gb = (gw * (digamma(gb + gx) - digamma(a + gb + gx) - digamma(gb) + digamma(a + gb))
                - np.where(gx > 0, gw4 / (gb + gxm1), 0.0))  # per group, d/d b_i
        g_al, g_b = w * d_al * al, d_gb * gb  # derivatives w.r.t. ln alpha_i, ln b_i
        return loglik, np.r_[d_r * r, g_al.sum(), d_a * a, g_b.sum(), -(g_al @ zp), -(g_b @ gzd)]

    # ------------------------------------------------------------------ results
    def conf_int(self, level: float = 0.95) -> pd.DataFrame:
        """Log-scale Wald intervals for r, α, a, b; natural-scale Wald for the coefficients."""
        self._check_fitted()
        if getattr(self, "boundary_", None):
            return self.summary(level).loc[list(self.param_names), ["ci_low", "ci_high"]]
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
        if self._no_dropout():
            return np.ones(x.size)
        r, al, a, b = self._customer_params(covariates, summary.index)
        log_odds = np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) + (r + x) * (np.log(al + T) - np.log(al + t_x))
        return np.where(x > 0, 1.0 / (1.0 + np.exp(np.minimum(log_odds, 700))), 1.0)

    def conditional_expected_purchases(self, t: float, summary: pd.DataFrame,
                                       covariates: pd.DataFrame | None = None) -> np.ndarray:
        """E[Y(t) | x, t_x, T, z] per customer (BG/NBD formula with the customer's α_i, b_i)."""
        self._check_fitted()
        x, t_x, T = rfm_arrays(summary)
        r, al, a, b = self._customer_params(covariates, summary.index)
        if self._no_dropout():  # NBD with covariates: E[λ | x, T] t
            return (r + x) / (al + T) * t
        z = t / (al + T + t)
        tail = (1 - z) ** (a - 1) * hyp2f1(a + b - 1 - r, a - 1, a + b + x - 1, z)
        return (a + b + x - 1) / (a - 1) * (1 - tail) * self.p_alive(summary, covariates)


def _group_codes(columns) -> tuple[np.ndarray, np.ndarray]:
    """Code of each row's distinct combination of ``columns`` and the first row of each code:
    columns factorized by hashing and combined into one integer key (``np.unique`` on rows
    when the key could overflow)."""
    n = len(columns[0])
    key, span = np.zeros(n, dtype="int64"), 1
    for column in columns:
        c, u = pd.factorize(column)
        span *= max(len(u), 1)
        if span > 2**62:
            _, first, codes = np.unique(np.column_stack(columns), axis=0, return_index=True, return_inverse=True)
            return codes.ravel(), first
        key = key * len(u) + c
    codes, uniques = pd.factorize(key)
    first = np.zeros(len(uniques), dtype="int64")
    first[codes[::-1]] = np.arange(n)[::-1]
    return codes, first
