"""Shared maximum-likelihood machinery of the CLV models.

Every model maximizes a log-likelihood over **log** parameters (so all parameters stay
positive) on *compressed sufficient statistics*: customers with identical statistics
(e.g. the same (x, t_x, T)) are collapsed into one row with a weight, which turns a
million customers into a few thousand rows when times are whole days.

Optimizer: scipy's L-BFGS-B with the model's gradient (analytic where the model supplies
one, otherwise central finite differences); if it stops without meeting the gradient
tolerance it is restarted with BFGS from where it stopped, and if that fails too a
:class:`ConvergenceError` says why.  Standard errors come from the inverse of the
observed information (the Hessian of −log L, by central differences of the gradient in
log space, mapped to the natural scale by the delta method).

Written by hand because statsmodels' ``GenericLikelihoodModel`` neither takes weights
for compressed rows nor analytic gradients in a transformed parameter space, and the
only Python BTYD libraries (lifetimes, archived; pymc-marketing, Bayesian) do not give
weighted MLE with standard errors.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy import optimize

from ..estimates import FittedModel, normal_quantile


class ConvergenceError(RuntimeError):
    """The maximum-likelihood optimizer did not converge."""


def compress(columns: dict[str, np.ndarray]) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Collapse identical rows of ``columns`` into unique rows and integer weights."""
    frame = pd.DataFrame(columns)
    counts = frame.groupby(list(columns), sort=False, dropna=False).size()
    unique = counts.index.to_frame(index=False)
    return {name: unique[name].to_numpy(dtype="float64") for name in columns}, counts.to_numpy(
        dtype="float64"
    )


def numeric_gradient(fun: Callable[[np.ndarray], float], theta: np.ndarray, step: float = 1e-5) -> np.ndarray:
    """Central-difference gradient of a scalar function (relative error ~ step²)."""
    grad = np.empty_like(theta)
    for i in range(theta.size):
        e = np.zeros_like(theta)
        e[i] = step
        grad[i] = (fun(theta + e) - fun(theta - e)) / (2 * step)
    return grad


class MLEModel(FittedModel):
    """Base of the fitted CLV models: fit flow, parameters, standard errors, summary.

    Subclasses set ``param_names`` and implement ``_loglik(log_params, data)`` returning
    the weighted total log-likelihood and, if they can, ``_loglik_grad`` returning
    ``(loglik, gradient w.r.t. log params)``.  After ``fit`` the model has ``params_``
    (Series), ``std_err_`` (standard errors, Series), ``cov_`` (DataFrame), ``loglik_``,
    ``n_obs_`` (customers / units the likelihood covers) and ``n_rows_`` (rows after
    compression).
    """

    param_names: tuple[str, ...] = ()
    _loglik_grad = None  # optional analytic (loglik, gradient) in log space

    def _loglik(self, log_params: np.ndarray, data: dict) -> float:
        raise NotImplementedError

    def _value_and_grad(self, log_params: np.ndarray, data: dict) -> tuple[float, np.ndarray]:
        if self._loglik_grad is not None:
            return self._loglik_grad(log_params, data)
        value = self._loglik(log_params, data)
        return value, numeric_gradient(lambda lp: self._loglik(lp, data), log_params)

    def _maximize_warm(self, prepare, arrays: dict, start: np.ndarray, n_obs: float) -> None:
        """:meth:`_maximize` on ``prepare(arrays)``; for more than 200,000 customers, first on a
        random 50,000 of them (fixed seed) to get start values close to the optimum, so the
        full data need only a few iterations."""
        n = len(next(iter(arrays.values())))
        hess_inv0 = None
        if n > 200_000:
            rows = np.random.default_rng(0).choice(n, 50_000, replace=False)
            try:
                self._maximize(prepare({k: v[rows] for k, v in arrays.items()}), start, n_obs=50_000)
                # inverse Hessian of the mean log-likelihood, to start quasi-Newton on the full data
                cov = self.cov_log_.to_numpy()
                start, hess_inv0 = self._log_params, 50_000 * (cov + cov.T) / 2
            except ConvergenceError:
                pass  # the full data may still identify the model
        self._maximize(prepare(arrays), start, n_obs=n_obs, hess_inv0=hess_inv0)

    def _maximize(self, data: dict, start: np.ndarray, n_obs: float, tol: float = 1e-6,
                  hess_inv0: np.ndarray | None = None) -> None:
        scale = max(float(n_obs), 1.0)  # optimize the mean log-likelihood: tolerances scale-free

        def objective(log_params):
            with np.errstate(all="ignore"):
                value, grad = self._value_and_grad(log_params, data)
            if not np.isfinite(value) or not np.all(np.isfinite(grad)):
                return np.inf, np.zeros_like(log_params)
            return -value / scale, -grad / scale

        bounds = [(-20.0, 20.0)] * len(start)
        result = None
        if hess_inv0 is not None and np.all(np.linalg.eigvalsh(hess_inv0) > 0):
            # warm start with curvature: BFGS converges in a few steps
            result = optimize.minimize(objective, start, jac=True, method="BFGS",
                                       options={"maxiter": 200, "gtol": tol * 1e-2, "hess_inv0": hess_inv0})
        if result is None or np.max(np.abs(result.jac)) > tol:
            result = optimize.minimize(objective, start, jac=True, method="L-BFGS-B", bounds=bounds,
                                       options={"maxiter": 2000, "gtol": tol * 1e-2, "ftol": 1e-15})
        if np.max(np.abs(result.jac)) > tol:
            result = optimize.minimize(objective, result.x, jac=True, method="BFGS",
                                       options={"maxiter": 2000, "gtol": tol})
        log_params = result.x
        self._last_log_params = log_params  # where the optimizer stopped (boundary fallback)
        if not np.isfinite(result.fun) or np.max(np.abs(result.jac)) > tol * 10:
            raise ConvergenceError(
                f"{type(self).__name__}: maximum likelihood did not converge ({result.message}); "
                f"last parameters {dict(zip(self.param_names, np.exp(log_params).round(6)))}, "
                f"largest gradient {np.max(np.abs(result.jac)):.3g}. Check the data (enough "
                "repeat purchasers? times in the right unit?) or pass other start values."
            )
        if np.any(np.abs(log_params) > 19.5):
            raise ConvergenceError(
                f"{type(self).__name__}: a parameter ran to the boundary "
                f"({dict(zip(self.param_names, np.exp(log_params)))}); the model is not "
                "identified on these data (e.g. almost nobody drops out)."
            )
        self._log_params = log_params
        self._data = data
        self.boundary_ = None
        params = np.exp(log_params)
        self.params_ = pd.Series(params, index=list(self.param_names), name="estimate")
        self.loglik_ = float(self._loglik(log_params, data))
        self.n_obs_ = n_obs
        self.n_rows_ = int(len(next(iter(data.values()))))
        self.iterations_ = int(result.nit)
        cov_log = self._cov_log(log_params, data)
        if not np.all(np.isfinite(cov_log)) or np.any(np.diag(cov_log) <= 0):
            pairs = [self.param_names[i:i + 2] for i in (0, 2)]
            runaway = [p for p in pairs if min(params[self.param_names.index(n)] for n in p) > 1e3]
            if runaway:
                first, second = runaway[0]
                raise ConvergenceError(
                    f"{type(self).__name__}: {first} and {second} grew without bound together "
                    f"({first} = {params[self.param_names.index(first)]:.4g}, {second} = "
                    f"{params[self.param_names.index(second)]:.4g}): the data show no differences "
                    "between customers in that rate (every customer seems to share one value), so "
                    "the model's spread is not identified on these data; use the other model or "
                    "a longer window.")
            raise ConvergenceError(
                f"{type(self).__name__}: the information matrix at "
                f"{dict(zip(self.param_names, np.exp(log_params).round(6)))} is singular or not "
                "positive definite, so the parameters are not identified by these data "
                "(e.g. no repeat purchases)."
            )
        cov = cov_log * np.outer(params, params)  # delta method: d theta = theta d log theta
        self.cov_log_ = pd.DataFrame(cov_log, index=self.params_.index, columns=self.params_.index)
        self.cov_ = pd.DataFrame(cov, index=self.params_.index, columns=self.params_.index)
        self.std_err_ = pd.Series(np.sqrt(np.diag(cov)), index=self.params_.index, name="std_err")

    def _cov_log(self, log_params: np.ndarray, data: dict) -> np.ndarray:
        # Hessian by forward differences of the gradient (error O(step) relative, far below
        # the sampling error the standard errors describe).
        k = log_params.size
        hess = np.empty((k, k))
        step = 1e-5
        at = self._value_and_grad(log_params, data)[1]
        for i in range(k):
            e = np.zeros(k)
            e[i] = step
            hess[:, i] = (self._value_and_grad(log_params + e, data)[1] - at) / step
        hess = (hess + hess.T) / 2
        try:
            return np.linalg.inv(-hess)
        except np.linalg.LinAlgError:
            return np.full((k, k), np.nan)

    def conf_int(self, level: float = 0.95) -> pd.DataFrame:
        """Wald intervals computed on the log scale (so they stay positive), back-transformed:
        a frame with ``ci_low``, ``ci_high`` per parameter. At a no-drop-out boundary
        (``boundary_``), see :mod:`crm_analysis.clv.boundary`."""
        self._check_fitted()
        if getattr(self, "boundary_", None):
            from .boundary import boundary_table
            return boundary_table(self, level).loc[list(self.param_names), ["ci_low", "ci_high"]]
        z = normal_quantile(level)
        se_log = np.sqrt(np.diag(self.cov_log_.to_numpy()))
        return pd.DataFrame(
            {"ci_low": np.exp(self._log_params - z * se_log), "ci_high": np.exp(self._log_params + z * se_log)},
            index=self.params_.index,
        )

    def summary(self, level: float = 0.95) -> pd.DataFrame:
        """The estimate table of the parameters (log-scale Wald intervals at ``level``);
        ``attrs`` carry ``loglik``, ``n_obs`` and ``model``. At a no-drop-out boundary
        (``boundary_``) the table has one more row, the drop-out with its profile-likelihood
        interval (see :mod:`crm_analysis.clv.boundary`)."""
        if getattr(self, "boundary_", None):
            from .boundary import boundary_table
            table = boundary_table(self, level)
            table.attrs.update(boundary=self.boundary_)
        else:
            table = super().summary(level=level)
        table.attrs.update(loglik=self.loglik_, n_obs=self.n_obs_, model=type(self).__name__)
        return table

    def sample_params(self, n: int, seed: int = 0) -> pd.DataFrame:
        """Draws of the parameters from their asymptotic normal distribution on the log scale.

        Used for parameter-uncertainty intervals of predictions (Krinsky–Robb simulation,
        a sampling form of the delta method).
        """
        self._check_fitted()
        rng = np.random.default_rng(seed)
        if getattr(self, "boundary_", None):  # r, α drawn; drop-out held at its limit
            fit = self._boundary_fit
            draws = np.exp(rng.multivariate_normal(fit["log_params"], fit["cov_log"], size=n))
            rest = np.tile(self.params_.to_numpy()[2:], (n, 1))
            return pd.DataFrame(np.hstack([draws, rest]), columns=self.params_.index)
        draws = rng.multivariate_normal(self._log_params, self.cov_log_.to_numpy(), size=n)
        return pd.DataFrame(np.exp(draws), columns=self.params_.index)

    def with_params(self, params) -> MLEModel:
        """A copy of this fitted model with other parameter values (for what-ifs and draws)."""
        self._check_fitted()
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        values = np.asarray([params[name] for name in self.param_names], dtype="float64")
        clone.params_ = pd.Series(values, index=list(self.param_names), name="estimate")
        with np.errstate(divide="ignore", invalid="ignore"):
            clone._log_params = np.log(values)
        return clone
