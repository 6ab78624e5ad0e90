"""BG/NBD and Pareto/NBD when the maximum-likelihood estimate lies on the boundary:
no evidence of drop-out.

Both models nest the NBD model (customers buy at their own Poisson rate λ ~ Gamma(r, α)
and never drop out) as a limit: BG/NBD as a → 0 (or b → ∞), Pareto/NBD as s → 0 (or
β → ∞). On real data (e.g. one year of a shop whose good customers keep coming) the
likelihood often rises all the way to that limit. There the optimizer runs off to
infinity, the Hessian is singular, and Wald intervals do not exist; yet the estimate is
a result: *no evidence of drop-out in this window: the data fit an NBD model*.

How it is recognised, before the full fit (fast, so a boundary fit of 5,000 customers
takes a fraction of a second instead of minutes of an optimizer running off):

1. Fit the NBD model (r, α) by maximum likelihood (closed-form likelihood, analytic
   gradient and Hessian).
2. At the NBD estimate, for each individual drop-out value θ (BG/NBD: the drop-out
   probability p after a purchase; Pareto/NBD: the drop-out rate μ), compute
   h(θ) = Σ_i w_i (L_i(θ)/L_i(0) − 1)/θ, the change in log-likelihood per unit of mean
   drop-out when a small share of customers gets drop-out θ. Any Beta or Gamma
   drop-out distribution with a small mean moves the log-likelihood by its mean times a
   weighted average of h over θ, so if h(θ) ≤ 0 on a fine grid of θ (p in (0, 1]; μ
   from 10⁻⁶ to 10² per mean age), adding drop-out does not raise the likelihood: the
   MLE is the NBD limit. Otherwise the full model is fitted as usual; if that fit then runs to the same edge
   (mean drop-out below 10⁻⁴ where the optimizer stops), the NBD limit is the result too.

At the boundary the fitted model has ``boundary_`` (the sentence above), ``params_``
with the drop-out parameter at its limit (BG/NBD a = 0, b not identified (NaN);
Pareto/NBD s = 0, β not identified (NaN)), r and α from the NBD fit with Wald
intervals on the log scale (the NBD is regular there), and a drop-out row
(BG/NBD ``mean_dropout``: E[p] = a/(a+b) per repeat purchase; Pareto/NBD
``dropout_share_<τ>_<unit>``: the share 1 − (β/(β+τ))^s of customers who drop out within
τ = the customers' mean age (the mean rate s/β is not bounded by the data: a few
customers with a huge rate, gone right after their first purchase, cost no likelihood)) with
estimate 0 and a **profile-likelihood** interval [0, upper]: the largest drop-out
value whose profile log-likelihood (maximized over the other three parameters) is within
χ²₁(level)/2 of the maximum (conservative at a boundary, where the likelihood-ratio
statistic is a 50:50 mixture of 0 and χ²₁). The profile is computed when an interval is
first asked for. Predictions (purchases, P(alive) = 1, CLV) are the NBD's.

Written by hand: no Python library fits these models with a boundary-aware likelihood.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from ._fit import compress, numeric_gradient

BOUNDARY_TEXT = ("no evidence of drop-out in this window: the data fit an NBD model "
                 "(customers keep buying at their own rate; {limit})")
_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(48)


# --- the NBD model --------------------------------------------------------------------------


def nbd_loglik(log_params, x, T, w, derivatives: bool = False):
    """Weighted NBD log-likelihood of x purchases in (0, T] (λ ~ Gamma(r, α)), optionally
    with gradient and Hessian in log parameters."""
    r, alpha = np.exp(log_params)
    ll = w @ (special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha) - (r + x) * np.log(alpha + T))
    if not derivatives:
        return float(ll)
    d_r = w @ (special.digamma(r + x) - special.digamma(r) + np.log(alpha) - np.log(alpha + T))
    d_a = w @ (r / alpha - (r + x) / (alpha + T))
    h_rr = w @ (special.polygamma(1, r + x) - special.polygamma(1, r))
    h_ra = w @ (1 / alpha - 1 / (alpha + T))
    h_aa = w @ (-r / alpha**2 + (r + x) / (alpha + T) ** 2)
    grad = np.array([d_r * r, d_a * alpha])
    hess = np.array([[h_rr * r * r + d_r * r, h_ra * r * alpha],
                     [h_ra * r * alpha, h_aa * alpha * alpha + d_a * alpha]])
    return float(ll), grad, hess


def fit_nbd(x, T, w, start=(1.0, None)):
    """NBD maximum likelihood: (log params, loglik, covariance of log params)."""
    x, T, w = (np.asarray(v, dtype="float64") for v in (x, T, w))
    alpha0 = start[1] or max(float(np.average(T, weights=w)), 1e-3)
    scale = max(float(w.sum()), 1.0)

    def objective(lp):
        with np.errstate(all="ignore"):
            value, grad, _ = nbd_loglik(lp, x, T, w, derivatives=True)
        if not np.isfinite(value):
            return np.inf, np.zeros(2)
        return -value / scale, -grad / scale

    result = optimize.minimize(objective, np.log([start[0], alpha0]), jac=True, method="L-BFGS-B",
                               bounds=[(-20, 20)] * 2, options={"gtol": 1e-10, "ftol": 1e-15})
    value, _, hess = nbd_loglik(result.x, x, T, w, derivatives=True)
    try:
        cov = np.linalg.inv(-hess)
    except np.linalg.LinAlgError:
        cov = np.full((2, 2), np.nan)
    return result.x, value, cov


# --- is the NBD limit the maximum? ----------------------------------------------------------


def _log_ratio_tx(r, alpha, x, t_x, T):
    return (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))


def dropout_gain(kind: str, r: float, alpha: float, data: dict) -> tuple[np.ndarray, np.ndarray]:
    """(θ grid, h(θ)): the log-likelihood gain per unit of mean drop-out at the NBD
    estimate (see the module doc). ``kind`` is ``"bgnbd"`` (θ = p) or ``"pareto_nbd"``
    (θ = μ per time unit)."""
    x, t_x, T, w = data["x"], data["t_x"], data["T"], data["w"]
    if kind == "bgnbd":
        theta = np.logspace(-6, np.log10(0.999), 61)
        log_R = np.minimum(_log_ratio_tx(r, alpha, x, t_x, T), 700.0)
        log_stay = np.log1p(-theta)[:, None]
        ratio = np.exp(x * log_stay) + np.where(
            x > 0, theta[:, None] * np.exp(np.minimum((x - 1) * log_stay + log_R, 700.0)), 0.0)
    else:
        mean_T = float(np.average(T, weights=w))
        theta = np.logspace(-6, 2, 61) / max(mean_T, 1e-9)
        mu = theta[:, None, None]
        # u on [t_x, T] by Gauss-Legendre
        half = (T - t_x) / 2
        u = t_x[None, :] + half[None, :] * (_NODES[:, None] + 1)          # (nodes, rows)
        log_int = -mu * u[None] + (r + x) * (np.log(alpha + T) - np.log(alpha + u))[None]
        integral = (np.exp(np.minimum(log_int, 700.0)) * _WEIGHTS[None, :, None]).sum(axis=1) * half
        ratio = np.exp(-theta[:, None] * T[None, :]) + theta[:, None] * integral
    gain = ((ratio - 1.0) @ w) / theta
    return theta, gain


def at_no_dropout_boundary(kind: str, x, t_x, T) -> dict | None:
    """Fit the NBD and return the boundary fit (dict) if adding drop-out cannot raise the
    likelihood; otherwise None (fit the full model)."""
    data, w = compress({"x": np.asarray(x, float), "t_x": np.asarray(t_x, float),
                        "T": np.asarray(T, float)})
    data["w"] = w
    if not np.any(data["x"] > 0):
        return None  # nobody repeats: nothing to say about drop-out or rates
    log_params, loglik, cov = fit_nbd(data["x"], data["T"], w)
    if not np.all(np.isfinite(cov)) or np.any(np.diag(cov) <= 0):
        return None
    r, alpha = np.exp(log_params)
    with np.errstate(all="ignore"):
        _, gain = dropout_gain(kind, r, alpha, data)
    if not np.all(np.isfinite(gain)) or np.max(gain) > 0:
        return None
    return {"log_params": log_params, "loglik": loglik, "cov_log": cov, "data": data,
            "max_gain": float(np.max(gain))}


def ran_to_no_dropout(model, T) -> bool:
    """After a failed full fit: did the optimizer stop with (almost) no drop-out? BG/NBD
    mean drop-out a/(a+b) < 10⁻⁴; Pareto/NBD expected drop-outs within the mean age
    s/β · mean(T) < 10⁻⁴."""
    last = getattr(model, "_last_log_params", None)
    if last is None:
        return False
    r, alpha, shape, other = np.exp(last)
    if model.param_names[2] == "a":
        return shape / (shape + other) < 1e-4
    return shape / other * float(np.mean(T)) < 1e-4


def boundary_fallback(model, x, t_x, T) -> bool:
    """When the full fit ran to the no-drop-out edge, store the NBD limit as the result
    (see :func:`set_boundary`) and return True; otherwise False (re-raise)."""
    if not ran_to_no_dropout(model, T):
        return False
    data, w = compress({"x": np.asarray(x, float), "t_x": np.asarray(t_x, float),
                        "T": np.asarray(T, float)})
    data["w"] = w
    log_params, loglik, cov = fit_nbd(data["x"], data["T"], w)
    if not np.all(np.isfinite(cov)) or np.any(np.diag(cov) <= 0):
        return False
    set_boundary(model, {"log_params": log_params, "loglik": loglik, "cov_log": cov, "data": data,
                         "max_gain": np.nan}, n_obs=int(w.sum()))
    return True


def set_boundary(model, fit: dict, n_obs: int) -> None:
    """Store a boundary fit on ``model`` (a BGNBD or ParetoNBD)."""
    names = model.param_names
    r, alpha = np.exp(fit["log_params"])
    limit = "a → 0" if names[2] == "a" else "s → 0"
    model.boundary_ = BOUNDARY_TEXT.format(limit=limit)
    model.params_ = pd.Series([r, alpha, 0.0, np.nan], index=list(names), name="estimate")
    cov_log = np.full((4, 4), np.nan)
    cov_log[:2, :2] = fit["cov_log"]
    model.cov_log_ = pd.DataFrame(cov_log, index=list(names), columns=list(names))
    scale = np.array([r, alpha, 0.0, np.nan])
    model.cov_ = pd.DataFrame(cov_log * np.outer(scale, scale), index=list(names), columns=list(names))
    std_err = pd.Series(np.sqrt(np.diag(model.cov_.to_numpy())), index=list(names), name="std_err")
    model.std_err_ = std_err
    model.loglik_ = fit["loglik"]
    model.n_obs_ = n_obs
    model.n_rows_ = int(len(fit["data"]["x"]))
    model.iterations_ = 0
    with np.errstate(divide="ignore"):
        model._log_params = np.log(model.params_.to_numpy())
    model._data = fit["data"]
    model._boundary_fit = fit
    model._profile_cache = {}


# --- profile likelihood of the mean drop-out ---------------------------------------------------

_QN, _QW = np.polynomial.legendre.leggauss(48)


def pareto_loglik_quadrature(log_params, data) -> float:
    """Pareto/NBD log-likelihood by quadrature, fast where β ≫ T (near the boundary),
    where the hypergeometric form converges slowly:

        L = Γ(r+x) α^r / Γ(r) · [ (α+T)^−(r+x) (β/(β+T))^s
                                  + ∫_{t_x}^{T} (α+u)^−(r+x) s β^s (β+u)^−(s+1) du ],

    the integral by Gauss-Legendre (``_QN`` nodes) after substituting
    v = ((α+u)/(α+t_x))^−(r+x−1), which takes out the steep power of (α+u) (rows with
    r+x−1 ≤ 0.05 are integrated in u directly).
    """
    r, alpha, s, beta = np.exp(log_params)
    x, t_x, T, w = data["x"], data["t_x"], data["T"], data["w"]
    k = r + x - 1.0
    common = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
    first = -(r + x) * np.log(alpha + T) + s * (np.log(beta) - np.log(beta + T))
    log_int = np.full(x.shape, -np.inf)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        steep = (k > 0.05) & (T > t_x)
        if steep.any():
            ks, a_tx = k[steep], alpha + t_x[steep]
            v_T = np.exp(-ks * (np.log(alpha + T[steep]) - np.log(a_tx)))
            half_v = (1.0 - v_T) / 2
            v = v_T + half_v * (_QN[:, None] + 1)
            u = a_tx * np.exp(-np.log(v) / ks) - alpha
            log_g = -(s + 1) * np.log(beta + u)
            peak = log_g.max(axis=0)
            log_int[steep] = (peak + np.log((np.exp(log_g - peak) * _QW[:, None]).sum(axis=0) * half_v)
                              - ks * np.log(a_tx) - np.log(ks))
        mild = (k <= 0.05) & (T > t_x)
        if mild.any():
            half_u = (T[mild] - t_x[mild]) / 2
            u = t_x[mild] + half_u * (_QN[:, None] + 1)
            log_f = -(r + x[mild]) * np.log(alpha + u) - (s + 1) * np.log(beta + u)
            peak_u = log_f.max(axis=0)
            log_int[mild] = peak_u + np.log((np.exp(log_f - peak_u) * _QW[:, None]).sum(axis=0) * half_u)
        log_int = log_int + np.log(s) + s * np.log(beta)
    return float(w @ (common + np.logaddexp(first, log_int)))


def objective_value(full_log, lp3, bgnbd, model, data) -> float:
    """Log-likelihood (no gradient) at the profile point ``lp3``; NaN if not finite."""
    lp = full_log(lp3)
    value = model._loglik(lp, data) if bgnbd else pareto_loglik_quadrature(lp, data)
    return value if np.isfinite(value) else np.nan


def _horizon(model) -> float:
    """τ of the Pareto/NBD drop-out share: the customers' mean age T (time units)."""
    return float(np.average(model._data["T"], weights=model._data["w"]))


def _profile(model, level_value: float, start: np.ndarray) -> tuple[float, np.ndarray]:
    """Max log-likelihood over (log r, log α, log shape) with the drop-out quantity fixed:
    BG/NBD mean p = a/(a+b) (shape κ = a+b); Pareto/NBD share q = 1 − (β/(β+τ))^s who drop
    out within τ (shape s; β solved from q)."""
    data = model._full_data()
    bgnbd = model.param_names[2] == "a"
    tau = _horizon(model)

    def full_log(lp3):
        log_r, log_alpha, log_k = lp3
        if bgnbd:  # κ = a + b
            return np.array([log_r, log_alpha, np.log(level_value) + log_k,
                             np.log1p(-level_value) + log_k])
        k = np.exp(log_k)
        return np.array([log_r, log_alpha, log_k,
                         np.log(tau) - np.log(np.expm1(-np.log1p(-level_value) / k))])

    def objective(lp3):
        with np.errstate(all="ignore"):
            if bgnbd:
                value, grad = model._value_and_grad(full_log(lp3), data)
                grad = np.array([grad[0], grad[1], grad[2] + grad[3]])
            else:
                f = lambda q: pareto_loglik_quadrature(full_log(q), data)  # noqa: E731
                value, grad = f(lp3), numeric_gradient(f, lp3)
        if not np.isfinite(value) or not np.all(np.isfinite(grad)):
            return np.inf, np.zeros(3)
        return -value / scale, -grad / scale

    scale = float(data["w"].sum())
    # the shape is weakly identified and its profile may have several maxima: start the local
    # search from the best of a grid of shapes (and the warm start)
    candidates = [np.asarray(start, float)] + [np.r_[start[:2], k] for k in np.linspace(-11, 6, 18)]
    with np.errstate(all="ignore"):
        values = [objective_value(full_log, c, bgnbd, model, data) for c in candidates]
    start = candidates[int(np.nanargmax(values))]
    result = optimize.minimize(objective, start, jac=True, method="L-BFGS-B",
                               bounds=[(-20, 20), (-20, 20), (-12, 12)],
                               options={"gtol": 1e-7, "ftol": 1e-12})
    return -float(result.fun) * scale, result.x


def dropout_upper(model, level: float = 0.95) -> float:
    """Upper end of the profile-likelihood interval of the drop-out quantity (lower end 0):
    BG/NBD mean drop-out probability per repeat purchase; Pareto/NBD share of customers who
    drop out within τ = the mean customer age."""
    key = round(float(level), 6)
    if key in model._profile_cache:
        return model._profile_cache[key]
    target = model.loglik_ - stats.chi2.ppf(level, 1) / 2
    r, alpha = model.params_.iloc[:2]
    state = np.log([r, alpha, 1.0])
    mean, cap = 1e-3, 0.999
    low = None
    value = model.loglik_
    while value > target and mean < cap:
        low = mean
        mean = min(mean * 4, cap)
        value, state = _profile(model, mean, state)
    if value > target:
        upper = cap
    elif low is None:
        upper = mean
    else:  # bisection on the log scale between the last value inside and the first outside
        lo, hi = np.log(low), np.log(mean)
        for _ in range(6):  # the end to within a factor 4^(1/64), 2 %
            mid = (lo + hi) / 2
            value, state = _profile(model, float(np.exp(mid)), state)
            lo, hi = (mid, hi) if value > target else (lo, mid)
        upper = float(np.exp(hi))
    model._profile_cache[key] = upper
    return upper


def dropout_name(model) -> str:
    """Row name of the drop-out quantity in the boundary table."""
    if model.param_names[2] == "a":
        return "mean_dropout"
    return f"dropout_share_{_horizon(model):.3g}_{model.time_unit_}"


def boundary_table(model, level: float = 0.95) -> pd.DataFrame:
    """Estimate table at the boundary: r, α (Wald, log scale), drop-out parameters and
    the mean drop-out with its profile-likelihood interval."""
    from crm_analysis.estimates import check_level, normal_quantile

    level = check_level(level)
    z = normal_quantile(level)
    names = list(model.param_names)
    se_log = np.sqrt(np.diag(model._boundary_fit["cov_log"]))
    log_rate = model._boundary_fit["log_params"]
    est = model.params_.to_numpy()
    low = np.r_[np.exp(log_rate - z * se_log), 0.0, 0.0]
    high = np.r_[np.exp(log_rate + z * se_log), np.inf, np.inf]
    table = pd.DataFrame({"estimate": est, "std_err": model.std_err_.to_numpy(),
                          "ci_low": low, "ci_high": high}, index=names)
    table.loc[dropout_name(model)] = [0.0, np.nan, 0.0, dropout_upper(model, level)]
    table["level"] = level
    return table
