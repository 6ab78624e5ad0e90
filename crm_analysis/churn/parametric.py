"""Parametric accelerated-failure-time (AFT) models: Weibull and log-logistic lifetimes.

log T = x·β + σ·W, where W is the standard (minimum) extreme-value distribution for the
Weibull model and the standard logistic for the log-logistic model: the parametrisation of
R's ``survreg`` (``Intercept``, coefficients, ``log_scale`` = ``Log(scale)``). A
coefficient multiplies the lifetime by exp(β) per unit (a time ratio): > 1 means longer
customer lifetimes. In Weibull terms the shape is k = 1/σ and the scale exp(x·β); the
hazard rises with tenure when k > 1 and falls when k < 1 (the usual churn pattern: new
customers leave fastest).

Unlike the Cox model, the fitted curve can be extrapolated past the longest observed
tenure (e.g. expected lifetime, or survival at 10 years when the data cover 6); the
extrapolation rests on the distribution's shape, so compare it with the Kaplan–Meier curve
inside the data first.

Written here (maximum likelihood with scipy, analytic gradient, Hessian by differencing the
gradient) because statsmodels and scikit-survival have no parametric survival regression
and lifelines' newest release pins pandas below 3.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import integrate, optimize, special

from crm_analysis.churn.design import design_matrix
from crm_analysis.churn.survival import check_survival_data
from crm_analysis.common import require_columns
from crm_analysis.estimates import FittedModel

DISTRIBUTIONS = ("weibull", "loglogistic")


def _logpdf_logsf(z, distribution):
    """log density and log survival of the standardized error W at z, and their
    derivatives in z."""
    if distribution == "weibull":
        ez = np.exp(z)
        return z - ez, -ez, 1 - ez, -ez
    p = special.expit(z)
    log1pez = np.logaddexp(0, z)
    return z - 2 * log1pez, -log1pez, 1 - 2 * p, -p


class ParametricAFT(FittedModel):
    """Weibull or log-logistic AFT model: ``ParametricAFT("tenure", "churned",
    ["contract"], distribution="weibull").fit(frame)``.

    Parameters ``params_`` are ``Intercept``, one per covariate column (as in
    :func:`crm_analysis.churn.design.design_matrix`) and ``log_scale``; ``loglik_`` is the
    log-likelihood of the lifetimes (with the Jacobian, as R's ``survreg`` reports it).
    """

    def __init__(self, duration: str, event: str, covariates=(), distribution: str = "weibull",
                 reference: dict | None = None):
        if distribution not in DISTRIBUTIONS:
            raise ValueError(f"distribution must be one of {DISTRIBUTIONS}; got {distribution!r}")
        self.duration, self.event, self.covariates = duration, event, list(covariates)
        self.distribution, self.reference = distribution, reference
        self.params_ = None

    def _design(self, frame, refs=None, strict=True):
        X, refs = design_matrix(frame, self.covariates, refs, f"{type(self).__name__}", strict)
        X.insert(0, "Intercept", 1.0)
        return X, refs

    def _negloglik(self, theta, X, y, e):
        beta, log_s = theta[:-1], theta[-1]
        s = np.exp(log_s)
        z = (y - X @ beta) / s
        lf, ls, dlf, dls = _logpdf_logsf(z, self.distribution)
        ll = np.sum(e * (lf - log_s - y) + (1 - e) * ls)
        gz = e * dlf + (1 - e) * dls
        grad_beta = -(X.T @ gz) / s
        grad_log_s = np.sum(-gz * z - e)
        return -ll, -np.append(grad_beta, grad_log_s)

    def fit(self, frame: pd.DataFrame) -> ParametricAFT:
        """Maximum-likelihood fit; returns self. Durations must be > 0 for churned
        customers (a censored duration of 0 carries no information and is dropped)."""
        require_columns(frame, [self.duration, self.event], f"{type(self).__name__}.fit")
        t, e = check_survival_data(frame[self.duration], frame[self.event])
        zero_events = np.flatnonzero((t <= 0) & (e == 1))
        if zero_events.size:
            raise ValueError(f"{type(self).__name__}.fit: churn at duration 0 in rows "
                             f"{frame.index[zero_events[:10]].tolist()}; a lifetime model needs "
                             "positive durations (measure tenure from the start date, e.g. in days)")
        X, self.reference_levels_ = self._design(frame, self.reference)
        keep = t > 0
        Xa, y, ev = X.to_numpy()[keep], np.log(t[keep]), e[keep]
        if ev.sum() == 0:
            raise ValueError(f"{type(self).__name__}.fit: no churn events; nothing to fit")
        start = np.zeros(Xa.shape[1] + 1)
        start[0] = np.log(np.mean(t[keep])) + 0.5
        res = optimize.minimize(self._negloglik, start, args=(Xa, y, ev), jac=True,
                                method="BFGS", options={"gtol": 1e-7, "maxiter": 1000})
        theta = res.x
        grad = lambda th: self._negloglik(th, Xa, y, ev)[1]  # noqa: E731
        hess = optimize.approx_fprime(theta, grad, 1e-6)
        hess = (hess + hess.T) / 2
        try:
            cov = np.linalg.inv(hess)
        except np.linalg.LinAlgError:
            raise ValueError(f"{type(self).__name__}.fit: singular information matrix; "
                             "a covariate may be constant or collinear") from None
        if not res.success and np.max(np.abs(grad(theta))) > 1e-3:
            raise ValueError(f"{type(self).__name__}.fit did not converge: {res.message}")
        names = list(X.columns) + ["log_scale"]
        self.params_ = pd.Series(theta, index=names)
        self.std_err_ = pd.Series(np.sqrt(np.diag(cov)), index=names)
        self.cov_ = pd.DataFrame(cov, index=names, columns=names)
        self.loglik_ = float(-res.fun)
        self.n_, self.n_events_ = int(t.size), int(e.sum())
        return self

    @property
    def scale_(self) -> float:
        """σ, the scale of log T (Weibull shape k = 1/σ)."""
        return float(np.exp(self.params_["log_scale"]))

    def time_ratios(self, level: float = 0.95) -> pd.DataFrame:
        """exp(β) per covariate column with intervals: the factor by which lifetimes
        are stretched (> 1) or shortened (< 1)."""
        table = self.summary(level).drop(index=["Intercept", "log_scale"])
        for col in ("estimate", "ci_low", "ci_high"):
            table[col] = np.exp(table[col])
        return table

    def linear_predictor(self, frame: pd.DataFrame) -> np.ndarray:
        """x·β (log of the lifetime scale) for each row of ``frame``."""
        self._check_fitted()
        X, _ = self._design(frame, self.reference_levels_, strict=False)
        X = X.reindex(columns=self.params_.index[:-1], fill_value=0.0)
        return X.to_numpy() @ self.params_.to_numpy()[:-1]

    def survival(self, frame: pd.DataFrame, times) -> pd.DataFrame:
        """S(t | x): rows of ``frame`` × ``times`` (columns), in the data's time unit."""
        eta = self.linear_predictor(frame)
        times = np.asarray(times, dtype=float)
        with np.errstate(divide="ignore"):
            z = (np.log(times)[None, :] - eta[:, None]) / self.scale_
        _, ls, _, _ = _logpdf_logsf(z, self.distribution)
        return pd.DataFrame(np.exp(ls), index=frame.index, columns=times)

    def median_lifetime(self, frame: pd.DataFrame) -> np.ndarray:
        """Median lifetime per row (time at which S = 0.5)."""
        eta = self.linear_predictor(frame)
        z50 = np.log(np.log(2.0)) if self.distribution == "weibull" else 0.0
        return np.exp(eta + self.scale_ * z50)

    def mean_lifetime(self, frame: pd.DataFrame) -> np.ndarray:
        """Expected lifetime per row (infinite for a log-logistic with σ ≥ 1)."""
        eta = self.linear_predictor(frame)
        s = self.scale_
        if self.distribution == "weibull":
            return np.exp(eta) * special.gamma(1 + s)
        if s >= 1:
            return np.full(eta.shape, np.inf)
        return np.exp(eta) * np.pi * s / np.sin(np.pi * s)

    def restricted_mean(self, frame: pd.DataFrame, horizon: float, steps: int = 2000) -> np.ndarray:
        """Model RMST up to ``horizon`` per row (trapezoid rule on ``steps`` intervals)."""
        grid = np.linspace(0.0, horizon, steps + 1)[1:]
        surv = self.survival(frame, grid).to_numpy()
        surv = np.hstack([np.ones((surv.shape[0], 1)), surv])
        return integrate.trapezoid(surv, dx=horizon / steps, axis=1)
