"""The no-drop-out boundary of MBG/NBD, BG/BB and the covariate models, handled as
:mod:`.boundary` handles BG/NBD and Pareto/NBD: a result in words with a valid interval.

Each of these models nests a model without drop-out as a limit of its parameter space:

* **MBG/NBD** as a → 0: the NBD (r, α). Recognised before the full fit as in
  :mod:`.boundary`: at the NBD estimate, the log-likelihood gain per unit of mean drop-out,
  h(p) = Σ_i w_i (L_i(p)/L_i(0) − 1)/p with L_i(p)/L_i(0) = (1−p)^(x+1) + p (1−p)^x R_i,
  R_i = ((α+T)/(α+t_x))^(r+x) (MBG/NBD can drop out right after the first purchase, so
  also x = 0 counts), is ≤ 0 on a fine grid of p in (0, 1): no drop-out distribution with
  a small mean raises the likelihood. Stored with :func:`.boundary.set_boundary`, so the
  table, the profile-likelihood interval of the mean drop-out a/(a+b) and the parameter
  draws are those of BG/NBD at its boundary.
* **BG/BB** as γ → 0 (mean drop-out γ/(γ+δ) → 0): the beta-binomial, each customer
  transacting at every opportunity with their own p ~ Beta(α, β). The gain test uses
  L_i(θ)/L_i(0) = (1−θ)^n + Σ_{i<n−t_x} θ(1−θ)^(t_x+i) B(α+x, β+t_x−x+i)/B(α+x, β+n−x).
* **Covariate BG/NBD** as a → 0: the NBD with the purchase covariates (α_i =
  α·exp(−γ_pᵀz_i)); the drop-out coefficients are then not identified (NaN). Recognised
  before the full fit by the BG/NBD gain with each customer's α_i, for all customers and
  for each group sharing the drop-out covariates (:func:`covariate_at_boundary`), or
  when the full fit runs to that edge.

Every model also falls back to its limit when the full fit converges or stops with a mean
drop-out below 10⁻⁴ (the optimizer's "interior" point there is the limit in all but name;
its Wald intervals are meaningless). When the full fit fails near the edge in another way
— the drop-out the same for every customer (both Beta shapes growing without bound) at a
small mean below 10⁻² — the limit is the result if the likelihood-ratio test of the best
point found against it is not significant at 5 % (:func:`not_significant`); the sentence
says so, and the profile interval is then taken from that higher log-likelihood. At the boundary the drop-out row of ``summary()`` has
estimate 0 and the profile-likelihood interval [0, upper] (upper: the largest mean drop-out
whose profile log-likelihood, maximized over all other parameters, is within χ²₁(level)/2
of the maximum; conservative at a boundary). Predictions are the limit model's.

Written by hand for the same reason as :mod:`.boundary` (no library fits these models
with a boundary-aware likelihood).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from . import boundary
from ._fit import compress

BGBB_TEXT = ("no evidence of drop-out over these opportunities: the data fit a beta-binomial "
             "model (customers keep transacting with their own probability; γ → 0)")
COVARIATE_TEXT = ("no evidence of drop-out in this window: the data fit an NBD model with the "
                  "purchase covariates (a → 0; the drop-out coefficients are not identified)")
_GRID = np.logspace(-6, np.log10(0.999), 61)


def not_significant(loglik_found: float, loglik_limit: float, mean_dropout: float) -> str | None:
    """The clause added to the boundary sentence when a failed fit stopped at a small mean
    drop-out (< 10⁻²) whose likelihood-ratio test against the no-drop-out limit is not
    significant at 5 %; None otherwise."""
    if not (np.isfinite(loglik_found) and mean_dropout < 1e-2):
        return None
    statistic = max(2 * (loglik_found - loglik_limit), 0.0)
    p_value = 0.5 * stats.chi2.sf(statistic, 1) if statistic > 0 else 1.0  # 50:50 χ²₀/χ²₁ at a boundary
    if p_value < 0.05:
        return None
    return (f"; the best fit with drop-out found (mean {mean_dropout:.2g}) is not significantly better "
            f"(likelihood ratio p = {p_value:.2f})")


# --- MBG/NBD ----------------------------------------------------------------------------------


def mbgnbd_gain(r: float, alpha: float, data: dict) -> np.ndarray:
    """h(p) on :data:`_GRID` at the NBD estimate (see the module doc)."""
    x, t_x, T, w = data["x"], data["t_x"], data["T"], data["w"]
    log_R = np.minimum((r + x) * (np.log(alpha + T) - np.log(alpha + t_x)), 700.0)
    stay = np.log1p(-_GRID)[:, None]
    ratio = np.exp((x + 1) * stay) + _GRID[:, None] * np.exp(np.minimum(x * stay + log_R, 700.0))
    return ((ratio - 1.0) @ w) / _GRID


def mbgnbd_at_boundary(x, t_x, T) -> dict | None:
    """The NBD fit (dict for :func:`.boundary.set_boundary`) if adding drop-out to it cannot
    raise the MBG/NBD likelihood; otherwise None."""
    data, w = compress({"x": np.asarray(x, float), "t_x": np.asarray(t_x, float), "T": np.asarray(T, float)})
    data["w"] = w
    if not np.any(data["x"] > 0):
        return None
    log_params, loglik, cov = boundary.fit_nbd(data["x"], data["T"], w)
    if not np.all(np.isfinite(cov)) or np.any(np.diag(cov) <= 0):
        return None
    with np.errstate(all="ignore"):
        gain = mbgnbd_gain(*np.exp(log_params), data)
    if not np.all(np.isfinite(gain)) or np.max(gain) > 0:
        return None
    return {"log_params": log_params, "loglik": loglik, "cov_log": cov, "data": data,
            "max_gain": float(np.max(gain))}


# --- BG/BB --------------------------------------------------------------------------------------


def beta_binomial_loglik(log_params, x, n, w, gradient: bool = False):
    """Σ w [ln B(α+x, β+n−x) − ln B(α, β)] (the BG/BB likelihood with no drop-out), and its
    gradient in (ln α, ln β)."""
    al, be = np.exp(log_params)
    ll = float(w @ (special.betaln(al + x, be + n - x) - special.betaln(al, be)))
    if not gradient:
        return ll
    psi = special.digamma(al + be + n) - special.digamma(al + be)
    d_al = w @ (special.digamma(al + x) - special.digamma(al) - psi)
    d_be = w @ (special.digamma(be + n - x) - special.digamma(be) - psi)
    return ll, np.array([d_al * al, d_be * be])


def fit_beta_binomial(x, n, w):
    """(log params, loglik, covariance of the log params) of the beta-binomial MLE."""
    scale = max(float(w.sum()), 1.0)

    def objective(lp):
        with np.errstate(all="ignore"):
            value, grad = beta_binomial_loglik(lp, x, n, w, gradient=True)
        if not np.isfinite(value):
            return np.inf, np.zeros(2)
        return -value / scale, -grad / scale

    result = optimize.minimize(objective, np.zeros(2), jac=True, method="L-BFGS-B", bounds=[(-20, 20)] * 2,
                               options={"gtol": 1e-10, "ftol": 1e-15})
    hess = np.empty((2, 2))
    for i in range(2):
        e = np.zeros(2)
        e[i] = 1e-5
        hess[:, i] = (beta_binomial_loglik(result.x + e, x, n, w, True)[1]
                      - beta_binomial_loglik(result.x - e, x, n, w, True)[1]) / 2e-5
    try:
        cov = np.linalg.inv(-(hess + hess.T) / 2)
    except np.linalg.LinAlgError:
        cov = np.full((2, 2), np.nan)
    return result.x, beta_binomial_loglik(result.x, x, n, w), cov


def bgbb_gain(al: float, be: float, data: dict) -> np.ndarray:
    """h(θ) on :data:`_GRID` at the beta-binomial estimate (see the module doc)."""
    x, n, w, valid, b, d = (data[k] for k in ("x", "n", "w", "valid", "b", "d"))
    base = special.betaln(al + x, be + n - x)
    # died after opportunity t_x + i: columns 1.. of the term matrices (b = t_x − x + i, d = t_x + i)
    rel = np.where(valid[:, 1:], special.betaln(al + x[:, None], be + b[:, 1:]) - base[:, None], -np.inf)
    log_t = np.log(_GRID)[:, None, None]
    stay = np.log1p(-_GRID)[:, None, None]
    died = np.exp(np.minimum(log_t + d[None, :, 1:] * stay + rel[None], 700.0)).sum(axis=2)
    ratio = np.exp(n[None, :] * stay[:, :, 0]) + died
    return ((ratio - 1.0) @ w) / _GRID


def bgbb_at_boundary(data: dict) -> dict | None:
    """The beta-binomial fit if adding drop-out cannot raise the BG/BB likelihood, else None;
    ``data`` the BG/BB cell data (:meth:`BGBB._data_from`)."""
    log_params, loglik, cov = fit_beta_binomial(data["x"], data["n"], data["w"])
    if not np.all(np.isfinite(cov)) or np.any(np.diag(cov) <= 0):
        return None
    with np.errstate(all="ignore"):
        gain = bgbb_gain(*np.exp(log_params), data)
    if not np.all(np.isfinite(gain)) or np.max(gain) > 0:
        return None
    return {"log_params": log_params, "loglik": loglik, "cov_log": cov, "data": data}


def set_bgbb_boundary(model, fit: dict) -> None:
    """Store the beta-binomial limit on a BGBB: α, β from ``fit``, γ = 0, δ not identified."""
    boundary.set_boundary(model, fit, n_obs=float(fit["data"]["w"].sum()), text=BGBB_TEXT)


# --- covariate BG/NBD -------------------------------------------------------------------------


def covariate_nbd_loglik(theta, data, gradient: bool = False):
    """NBD with purchase covariates: θ = (ln r, ln α, γ_p); rows x, T, w, zp."""
    x, T, w, zp = data["x"], data["T"], data["w"], data["zp"]
    r = np.exp(theta[0])
    log_al = theta[1] - zp @ theta[2:]
    al = np.exp(log_al)
    rows = special.gammaln(r + x) - special.gammaln(r) + r * log_al - (r + x) * np.log(al + T)
    ll = float(w @ rows)
    if not gradient:
        return ll
    d_r = w @ (special.digamma(r + x) - special.digamma(r) + log_al - np.log(al + T)) * r
    d_log_al = w * (r - (r + x) * al / (al + T))
    return ll, np.r_[d_r, d_log_al.sum(), -(d_log_al @ zp)]


def fit_covariate_nbd(data: dict, start: np.ndarray):
    """(θ, loglik, covariance of θ) of the NBD with purchase covariates."""
    scale = max(float(data["w"].sum()), 1.0)

    def objective(theta):
        with np.errstate(all="ignore"):
            value, grad = covariate_nbd_loglik(theta, data, gradient=True)
        if not np.isfinite(value):
            return np.inf, np.zeros_like(theta)
        return -value / scale, -grad / scale

    result = optimize.minimize(objective, start, jac=True, method="L-BFGS-B",
                               bounds=[(-20, 20)] * start.size, options={"gtol": 1e-10, "ftol": 1e-15})
    k = start.size
    hess = np.empty((k, k))
    for i in range(k):
        e = np.zeros(k)
        e[i] = 1e-5
        hess[:, i] = (covariate_nbd_loglik(result.x + e, data, True)[1]
                      - covariate_nbd_loglik(result.x - e, data, True)[1]) / 2e-5
    try:
        cov = np.linalg.inv(-(hess + hess.T) / 2)
    except np.linalg.LinAlgError:
        cov = np.full((k, k), np.nan)
    return result.x, covariate_nbd_loglik(result.x, data), cov


def covariate_at_boundary(data: dict) -> tuple | None:
    """The covariate NBD fit ``(θ, loglik, cov)`` if adding drop-out to it cannot raise the
    covariate BG/NBD likelihood, else None: the BG/NBD gain h(p) (as in :mod:`.boundary`,
    with each row's α_i) ≤ 0 on the grid for all customers together and, when the drop-out
    covariates take at most 50 distinct values, for each group of customers sharing them
    (drop-out that only one group has must not pay either)."""
    x, t_x, T, w = data["x"], data["t_x"], data["T"], data["w"]
    if not np.any(x > 0):
        return None
    start = np.r_[0.0, np.log(max(float(np.average(T, weights=w)), 1e-3)), np.zeros(data["zp"].shape[1])]
    theta, loglik, cov = fit_covariate_nbd(data, start)
    if not np.all(np.isfinite(cov)) or np.any(np.diag(cov) <= 0):
        return None
    r = np.exp(theta[0])
    al = np.exp(theta[1] - data["zp"] @ theta[2:])
    with np.errstate(all="ignore"):
        log_R = np.minimum((r + x) * (np.log(al + T) - np.log(al + t_x)), 700.0)
        stay = np.log1p(-_GRID)[:, None]
        ratio = np.exp(x * stay) + np.where(x > 0, _GRID[:, None] * np.exp(np.minimum((x - 1) * stay + log_R, 700.0)),
                                            0.0)
        per_row = (ratio - 1.0) * w / _GRID[:, None]
    groups = pd.DataFrame(data["zd"]).groupby(list(range(data["zd"].shape[1])), sort=False).ngroup().to_numpy() \
        if data["zd"].shape[1] else np.zeros(x.size, dtype=int)
    gains = [per_row.sum(axis=1)]
    if groups.max(initial=0) < 50:
        gains += [per_row[:, groups == g].sum(axis=1) for g in np.unique(groups)]
    gain = np.concatenate(gains)
    if not np.all(np.isfinite(gain)) or np.max(gain) > 0:
        return None
    return theta, loglik, cov


def set_covariate_boundary(model, data: dict, n_obs: int, fit: tuple | None = None) -> bool:
    """Store the covariate NBD ``fit`` (default: fitted here on ``data``, the model's
    compressed rows, from where the full fit stopped) as the boundary result; False if it
    is not identified either."""
    n_p = data["zp"].shape[1]
    if fit is None:
        start = np.r_[model._last_log_params[:2], model._last_log_params[4:4 + n_p]]
        fit = fit_covariate_nbd(data, start)
    theta, loglik, cov = fit
    if not np.all(np.isfinite(cov)) or np.any(np.diag(cov) <= 0):
        return False
    names = list(model.param_names)
    k = len(names)
    idx = [0, 1, *range(4, 4 + n_p)]
    values = np.full(k, np.nan)
    values[idx] = np.r_[np.exp(theta[:2]), theta[2:]]
    values[2] = 0.0
    cov_theta = np.full((k, k), np.nan)
    cov_theta[np.ix_(idx, idx)] = cov
    jac = np.where(np.arange(k) < 2, values, 1.0)
    model.boundary_ = COVARIATE_TEXT
    model.params_ = pd.Series(values, index=names, name="estimate")
    model.cov_log_ = pd.DataFrame(cov_theta, index=names, columns=names)
    model.cov_ = pd.DataFrame(cov_theta * np.outer(jac, jac), index=names, columns=names)
    model.std_err_ = pd.Series(np.sqrt(np.diag(model.cov_.to_numpy())), index=names, name="std_err")
    model.loglik_ = loglik
    model.n_obs_ = n_obs
    model.n_rows_ = int(data["x"].size)
    model.iterations_ = 0
    lp = np.full(k, np.nan)
    lp[idx] = theta
    lp[2] = -np.inf
    model._log_params = lp
    model._data = data
    model._boundary_fit = {"theta": theta, "cov": cov, "idx": idx}
    model._profile_cache = {}
    return True


def mean_dropout_max(model, data: dict, log_params) -> float:
    """Largest a/(a+b_i) over the rows of a covariate BG/NBD at ``log_params``."""
    k, n_p = 4, data["zp"].shape[1]
    a, b = np.exp(log_params[2]), np.exp(log_params[3])
    b_i = b * np.exp(-(data["zd"] @ log_params[k + n_p:]))
    return float(np.max(a / (a + b_i)))


# --- profile likelihood of the mean drop-out (all three models) ------------------------------


def profile_dropout_upper(model, level: float, start_free: np.ndarray, n_params: int, pair=(2, 3)) -> float:
    """Upper end of the profile-likelihood interval [0, upper] of the mean drop-out
    m = e^θ_i/(e^θ_i + e^θ_j) (θ_i, θ_j the log drop-out shapes at ``pair``), maximizing
    the model's log-likelihood over the other parameters and the log of the shapes' sum."""
    key = round(float(level), 6)
    if key in model._profile_cache:
        return model._profile_cache[key]
    data = model._full_data()
    target = max(model.loglik_, getattr(model, "_loglik_found", -np.inf)) - stats.chi2.ppf(level, 1) / 2
    rest = [i for i in range(n_params) if i not in pair]
    scale = float(data["w"].sum())

    def profile(m, state):
        def full(v):
            lp = np.empty(n_params)
            lp[rest] = v[:-1]
            lp[pair[0]], lp[pair[1]] = np.log(m) + v[-1], np.log1p(-m) + v[-1]
            return lp

        def objective(v):
            with np.errstate(all="ignore"):
                value, grad = model._value_and_grad(full(v), data)
            if not np.isfinite(value) or not np.all(np.isfinite(grad)):
                return np.inf, np.zeros_like(v)
            return -value / scale, -np.r_[grad[rest], grad[pair[0]] + grad[pair[1]]] / scale

        candidates = [state] + [np.r_[state[:-1], k] for k in np.linspace(-8, 8, 9)]
        values = [objective(c)[0] for c in candidates]
        best = candidates[int(np.argmin(values))]
        result = optimize.minimize(objective, best, jac=True, method="L-BFGS-B",
                                   bounds=[(-20, 20)] * best.size, options={"gtol": 1e-8, "ftol": 1e-13})
        return -float(result.fun) * scale, result.x

    state = np.r_[start_free, 0.0]
    mean, cap, low, value = 1e-3, 0.999, None, model.loglik_
    while value > target and mean < cap:
        low = mean
        mean = min(mean * 4, cap)
        value, state = profile(mean, state)
    if value > target:
        upper = cap
    elif low is None:
        upper = mean
    else:
        lo, hi = np.log(low), np.log(mean)
        for _ in range(6):
            mid = (lo + hi) / 2
            value, state = profile(float(np.exp(mid)), state)
            lo, hi = (mid, hi) if value > target else (lo, mid)
        upper = float(np.exp(hi))
    model._profile_cache[key] = upper
    return upper


def boundary_table(model, level: float, free_log: np.ndarray, free_se: np.ndarray, free_idx, natural_idx=(),
                   profile_start: np.ndarray | None = None):
    """Estimate table at the boundary: the free parameters with Wald intervals (log scale
    except ``natural_idx``), the drop-out pair at its limit ([0, ∞) and not identified), any
    other not identified parameter NaN, and the ``mean_dropout`` row with its profile
    interval; ``profile_start``: start of the parameters other than the drop-out pair, in
    order (default ``free_log``)."""
    from crm_analysis.estimates import check_level, normal_quantile

    level = check_level(level)
    z = normal_quantile(level)
    names = list(model.param_names)
    low, high = np.full(len(names), np.nan), np.full(len(names), np.nan)
    for j, i in enumerate(free_idx):
        lo, hi = free_log[j] - z * free_se[j], free_log[j] + z * free_se[j]
        low[i], high[i] = (lo, hi) if i in natural_idx else (np.exp(lo), np.exp(hi))
    low[2:4], high[2:4] = 0.0, np.inf
    table = pd.DataFrame({"estimate": model.params_.to_numpy(), "std_err": model.std_err_.to_numpy(),
                          "ci_low": low, "ci_high": high}, index=names)
    start = np.asarray(free_log if profile_start is None else profile_start, dtype="float64")
    table.loc["mean_dropout"] = [0.0, np.nan, 0.0,
                                 profile_dropout_upper(model, level, start, len(names))]
    table["level"] = level
    return table
