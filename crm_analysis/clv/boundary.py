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
3. Pareto/NBD has a second edge the grid of finite θ cannot see: s → 0 with β → 0 at a fixed
   share q, where q of the customers drop out at once (L = (1−q) NBD + q 1[x = 0], the
   zero-inflated NBD; on simulated NBD data it often beats the NBD limit by a few tenths of
   a log-likelihood unit by chance). It is fitted in closed form; when its log-likelihood
   exceeds the NBD's by χ²₁(0.95)/2 or more (a likelihood-ratio test at 5 %), drop-out is
   evidenced and the full model is fitted; otherwise the NBD limit is reported and the
   interval below is measured from the higher of the two.

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
first asked for (a few tenths of a second for 5,000 customers: analytic gradients, the
search for the end started at the zero-inflated edge's closed-form profile, each profile
point warm-started). Predictions (purchases, P(alive) = 1, CLV) are the NBD's.

The Pareto/NBD likelihood is evaluated by quadrature in log space
(:func:`pareto_loglik_grad`), with its analytic gradient: the hypergeometric form
(scipy's ``hyp2f1``) converges slowly for β ≫ T and loses all accuracy for β ≪ α (it
returned log-likelihoods 166 units too high at β = 6e−15, where the profile goes).

Written by hand: no Python library fits these models with a boundary-aware likelihood.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from ._fit import compress

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
        # u on [t_x, T] by Gauss-Legendre; one θ at a time (a θ × node × row array of 5,000
        # rows is 100 MB, and allocating it cost more than the arithmetic)
        half = (T - t_x) / 2
        u = t_x[None, :] + half[None, :] * (_NODES[:, None] + 1)          # (nodes, rows)
        log_power = (r + x) * (np.log(alpha + T) - np.log(alpha + u))
        ratio = np.empty((theta.size, x.size))
        for i, mu in enumerate(theta):
            integral = (np.exp(np.minimum(log_power - mu * u, 700.0)) * _WEIGHTS[:, None]).sum(axis=0) * half
            ratio[i] = np.exp(-mu * T) + mu * integral
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
    fit = {"log_params": log_params, "loglik": loglik, "cov_log": cov, "data": data,
           "max_gain": float(np.max(gain)), "sup_loglik": loglik}
    if kind == "pareto_nbd":
        # the corner s → 0, β → 0 at a fixed share q: q of the customers drop out at once
        share, zi_loglik = fit_zero_inflated_nbd(log_params, data)
        if zi_loglik - loglik >= stats.chi2.ppf(0.95, 1) / 2:
            return None  # significant: drop-out is evidenced; fit the full model
        fit.update(sup_loglik=max(loglik, zi_loglik), zero_inflation=share)
    return fit


def zero_inflated_nbd_loglik(log_params, logit_q, x, T, w) -> float:
    """Log-likelihood of the Pareto/NBD's limit s → 0, β → 0 with a fixed share
    q = 1/(1+e^−logit_q) of customers who drop out at once (they make no repeat purchase):
    L = (1−q) NBD(x | T) + q 1[x = 0]."""
    r, alpha = np.exp(log_params)
    q = special.expit(logit_q)
    nbd = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha) - (r + x) * np.log(alpha + T)
    return float(w @ np.where(x == 0, np.logaddexp(np.log1p(-q) + nbd, np.log(q)), np.log1p(-q) + nbd))


def fit_zero_inflated_nbd(log_params, data) -> tuple[float, float]:
    """(share q, log-likelihood) of the zero-inflated NBD limit at its maximum over (r, α, q),
    started at the NBD fit ``log_params``."""
    x, T, w = data["x"], data["T"], data["w"]
    scale = float(w.sum())

    def negative(theta):
        with np.errstate(all="ignore"):
            value = zero_inflated_nbd_loglik(theta[:2], theta[2], x, T, w)
        return -value / scale if np.isfinite(value) else np.inf

    best = None
    for logit_q in (-6.0, -3.0, -1.0):
        result = optimize.minimize(negative, np.r_[log_params, logit_q], method="L-BFGS-B",
                                   bounds=[(-20, 20), (-20, 20), (-30, 10)])
        if best is None or result.fun < best.fun:
            best = result
    return float(special.expit(best.x[2])), -float(best.fun) * scale


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


def set_boundary(model, fit: dict, n_obs: float, text: str | None = None) -> None:
    """Store a boundary fit on ``model``: its first two parameters from ``fit``, the third 0
    (drop-out gone), the fourth not identified. ``text`` says so in words (default: the
    NBD limit of BG/NBD, MBG/NBD or Pareto/NBD)."""
    names = model.param_names
    r, alpha = np.exp(fit["log_params"])
    limit = "a → 0" if names[2] == "a" else "s → 0"
    model.boundary_ = BOUNDARY_TEXT.format(limit=limit) if text is None else text
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

_QN, _QW = np.polynomial.legendre.leggauss(32)


_GN, _GW = np.polynomial.legendre.leggauss(16)


def _log_int_terms(log_f, log_w, parts, gradient):
    """ln Σ_j exp(log_w + log_f) over the nodes (axis 0) and, with ``gradient``, ∂ ln I /
    ∂(ln r, ln α, ln s, ln β) as node-weighted means of ∂ ln f, where
    f(u) = (α+u)^−p (β+u)^−(s+1); ``parts`` = (r, s, p, ln(α+u), ln(β+u), ln α, ln β)."""
    terms = log_w + log_f
    peak = terms.max(axis=0)
    share = np.exp(terms - peak)
    total = share.sum(axis=0)
    log_int = peak + np.log(total)
    if not gradient:
        return log_int, None
    r, s, p, log_au, log_bu, log_alpha, log_beta = parts
    share /= total

    def mean(values):
        return np.einsum("nr,nr->r", share, values)

    return log_int, np.stack([-r * mean(log_au), -p * mean(np.exp(log_alpha - log_au)),
                              -s * mean(log_bu), -(s + 1) * mean(np.exp(log_beta - log_bu))])


def pareto_loglik_grad(log_params, data, gradient: bool = True):
    """Weighted Pareto/NBD log-likelihood and (optionally) its gradient in log parameters,
    by quadrature (see the module doc):

        L = Γ(r+x) α^r / Γ(r) · [ (α+T)^−(r+x) (β/(β+T))^s + s β^s I ],
        I = ∫_{t_x}^{T} (α+u)^−(r+x) (β+u)^−(s+1) du.

    Rows with r+x−1 > 0.05 take the steep factor (α+u)^−(r+x) out by the substitution
    v = ((α+u)/(α+t_x))^−(r+x−1) (48 Gauss-Legendre nodes in v). The other rows (mostly
    x = 0, t_x = 0) are integrated in y = ln(m+u), m = min(α, β), on two panels of 24 nodes
    split at y = ln max(α, β): in y both factors are smooth however small β is (the profile
    visits β ~ e^−1000, where a share of customers drops out at once) or large (β ≫ T
    near the NBD limit). The gradient differentiates under the integral on the same nodes.
    Everything is kept in logs, so β may lie far outside the range of doubles."""
    log_r, log_alpha, log_s, log_beta = (float(v) for v in log_params)
    r, alpha, s = np.exp(log_r), np.exp(log_alpha), np.exp(log_s)
    x, t_x, T, w = data["x"], data["t_x"], data["T"], data["w"]
    p = r + x
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        log_T, log_tx = np.log(T), np.log(t_x)
        log_aT, log_bT = np.logaddexp(log_alpha, log_T), np.logaddexp(log_beta, log_T)
        common = special.gammaln(p) - special.gammaln(r) + r * log_alpha
        first = -p * log_aT + s * (log_beta - log_bT)
        log_int = np.full(x.shape, -np.inf)
        d_int = np.zeros((4, x.size))
        k = p - 1.0
        steep = (k > 0.05) & (T > t_x)
        if steep.any():
            ks, log_atx = k[steep], np.logaddexp(log_alpha, log_tx[steep])
            log_vT = -ks * (log_aT[steep] - log_atx)
            v_T = np.exp(log_vT)
            half_v = (1.0 - v_T) / 2
            v = v_T + half_v * (_QN[:, None] + 1)
            log_au = log_atx - np.log(v) / ks                          # ln(α+u), exact
            u = np.exp(log_atx) * np.expm1(-np.log(v) / ks) + t_x[steep]
            log_bu = np.logaddexp(log_beta, np.log(u))
            log_f = -(s + 1) * log_bu                                  # (α+u)^−p dv-absorbed
            log_w = np.log(_QW[:, None] * half_v)
            li, di = _log_int_terms(log_f, log_w, (r, s, p[steep], log_au, log_bu, log_alpha, log_beta),
                                    gradient)
            log_int[steep] = li - ks * log_atx - np.log(ks)
            if gradient:
                d_int[:, steep] = di
        mild = (k <= 0.05) & (T > t_x)
        if mild.any():
            log_m, log_M = min(log_alpha, log_beta), max(log_alpha, log_beta)
            log_gap = log_M + np.log1p(-np.exp(log_m - log_M)) if log_M > log_m else -np.inf
            lo = np.logaddexp(log_m, log_tx[mild])
            hi = np.logaddexp(log_m, log_T[mild])
            mid = np.clip(log_M, lo, hi)
            y = np.concatenate([lo + (mid - lo) / 2 * (_GN[:, None] + 1), mid + (hi - mid) / 2 * (_GN[:, None] + 1)])
            log_w = np.log(np.concatenate([_GW[:, None] * (mid - lo) / 2, _GW[:, None] * (hi - mid) / 2])) + y
            log_Mu = np.logaddexp(log_gap, y)
            log_au, log_bu = (y, log_Mu) if log_alpha <= log_beta else (log_Mu, y)
            pm = p[mild]
            log_f = -pm * log_au - (s + 1) * log_bu
            log_int[mild], dm = _log_int_terms(log_f, log_w, (r, s, pm, log_au, log_bu, log_alpha, log_beta),
                                               gradient)
            if gradient:
                d_int[:, mild] = dm
        log_second = log_int + log_s + s * log_beta
        total = np.logaddexp(first, log_second)
        value = float(w @ (common + total))
        if not gradient:
            return value, None
        share = np.where(np.isfinite(log_second), np.exp(log_second - total), 0.0)  # B/(A+B)
        d_common = np.stack([r * (special.digamma(p) - special.digamma(r) + log_alpha),
                             np.full(x.shape, r), np.zeros(x.shape), np.zeros(x.shape)])
        d_first = np.stack([-r * log_aT, -p * np.exp(log_alpha - log_aT), s * (log_beta - log_bT),
                            s * np.exp(log_T - log_bT)])
        d_second = d_int + np.array([0.0, 0.0, 1.0 + s * log_beta, s])[:, None]
        grad = (d_common + (1 - share) * d_first + share * d_second) @ w
    return value, grad


def pareto_loglik_quadrature(log_params, data) -> float:
    """Weighted Pareto/NBD log-likelihood (see :func:`pareto_loglik_grad`)."""
    return pareto_loglik_grad(log_params, data, gradient=False)[0]


def _log_expm1(z):
    """ln(e^z − 1) for z > 0 without overflow."""
    return np.where(z > 1, z + np.log(-np.expm1(-np.minimum(z, 1e300))), np.log(np.expm1(np.minimum(z, 1.0))))


def _horizon(model) -> float:
    """τ of the Pareto/NBD drop-out share: the customers' mean age T (time units)."""
    return float(np.average(model._data["T"], weights=model._data["w"]))


def _profile_functions(model, level_value: float):
    """(value, value-and-gradient) of the log-likelihood over (log r, log α, log shape) with
    the drop-out quantity fixed: BG/NBD mean p = a/(a+b) (shape κ = a+b); Pareto/NBD share
    q = 1 − (β/(β+τ))^s who drop out within τ (shape s; ln β = ln τ − ln(e^(c/s) − 1),
    c = −ln(1−q), kept in logs so that s → 0, where β underflows, stays computable)."""
    data = model._full_data()
    if model.param_names[2] == "a":
        def full(lp3, gradient=True):
            log_r, log_alpha, log_k = lp3
            lp = np.array([log_r, log_alpha, np.log(level_value) + log_k, np.log1p(-level_value) + log_k])
            if not gradient:
                return model._loglik(lp, data), None
            value, grad = model._value_and_grad(lp, data)
            return value, np.array([grad[0], grad[1], grad[2] + grad[3]])
        return full
    log_tau, c = np.log(_horizon(model)), -np.log1p(-level_value)

    def full(lp3, gradient=True):
        z = c * np.exp(-lp3[2])
        lp = np.array([lp3[0], lp3[1], lp3[2], log_tau - float(_log_expm1(z))])
        value, grad = pareto_loglik_grad(lp, data, gradient)
        if not gradient:
            return value, None
        d_beta = z / -np.expm1(-z)  # d ln β / d ln s at fixed q
        return value, np.array([grad[0], grad[1], grad[2] + grad[3] * d_beta])
    return full


def _profile(model, level_value: float, start: np.ndarray) -> tuple[float, np.ndarray]:
    """Profile log-likelihood at the drop-out value ``level_value`` (see
    :func:`_profile_functions`) and where it is attained (log r, log α, log shape)."""
    full = _profile_functions(model, level_value)
    scale = float(model._full_data()["w"].sum())

    def objective(lp3):
        with np.errstate(all="ignore"):
            value, grad = full(lp3)
        if not np.isfinite(value) or not np.all(np.isfinite(grad)):
            return np.inf, np.zeros(3)
        return -value / scale, -grad / scale

    # the shape is weakly identified and its profile may have several maxima (for Pareto/NBD
    # one at s → 0: a share q drops out at once; one at s → ∞: everybody has the same rate):
    # start the local search from the best of a grid of shapes and the warm start
    shapes = np.linspace(-11, 6, 18) if model.param_names[2] == "a" else np.linspace(-10, 8, 7)
    candidates = [np.asarray(start, float)] + [np.r_[start[:2], k] for k in shapes]
    with np.errstate(all="ignore"):
        values = np.array([full(cand, gradient=False)[0] for cand in candidates])
    values[~np.isfinite(values)] = -np.inf
    result = optimize.minimize(objective, candidates[int(np.argmax(values))], jac=True, method="L-BFGS-B",
                               bounds=[(-20, 20), (-20, 20), (-12, 12)],
                               options={"gtol": 1e-6, "ftol": 1e-11})
    best, where = -float(result.fun) * scale, result.x
    if model.param_names[2] == "s":  # the limit s → 0 at this q, in closed form
        data = model._full_data()
        logit_q = np.log(level_value) - np.log1p(-level_value)
        limit = optimize.minimize(
            lambda lp: -zero_inflated_nbd_loglik(lp, logit_q, data["x"], data["T"], data["w"]) / scale,
            where[:2], method="L-BFGS-B", bounds=[(-20, 20)] * 2)
        if -limit.fun * scale > best:
            best, where = -float(limit.fun) * scale, np.r_[limit.x, -12.0]
    return best, where


def dropout_upper(model, level: float = 0.95) -> float:
    """Upper end of the profile-likelihood interval of the drop-out quantity (lower end 0):
    BG/NBD mean drop-out probability per repeat purchase; Pareto/NBD share of customers who
    drop out within τ = the mean customer age.

    The end is where the profile log-likelihood falls χ²₁(level)/2 below the maximum. It is
    found by safeguarded interpolation: the profile's drop D(θ) below the maximum (D(0) = 0
    at the boundary) is modelled as a θ + b θ² through the origin and the last two points,
    inside a bracket [inside, outside] that each new point narrows; it stops when the drop
    is within 0.01 of χ²₁(level)/2 or the bracket is 1 % wide (typically 4–6 profile points,
    each warm-started from the last)."""
    key = round(float(level), 6)
    if key in model._profile_cache:
        return model._profile_cache[key]
    drop_target = stats.chi2.ppf(level, 1) / 2
    sup = model._boundary_fit.get("sup_loglik", model.loglik_)
    r, alpha = model.params_.iloc[:2]
    state = np.log([r, alpha, 1.0])
    cap = 0.999
    inside, outside = 0.0, None
    points = []  # (θ, drop)
    theta = 0.01
    if model.param_names[2] == "s":
        # start where the closed-form limit s → 0 (a share q drops out at once) leaves the
        # region: the profile is at least that limit's, so the end lies at or beyond it
        theta = _zero_inflated_upper(model, sup - drop_target) or theta
    for _ in range(30):
        value, state = _profile(model, theta, state)
        if value > sup:  # a higher point than the two limits: measure drops from it
            points = [(t, d + value - sup) for t, d in points]
            sup = value
        drop = sup - value
        points.append((theta, drop))
        if abs(drop - drop_target) < 0.01:
            break
        if drop < drop_target:
            inside = max(inside, theta)
        else:
            outside = theta if outside is None else min(outside, theta)
        if outside is None and theta >= cap:
            break
        if outside is not None and outside - inside < 0.01 * outside:
            break
        theta = _next_point(points, drop_target, inside, outside, cap)
    if abs(points[-1][1] - drop_target) < 0.01:
        upper = points[-1][0]
    else:  # conservative: the smallest value known to lie outside (or the cap)
        upper = cap if outside is None else outside
    model._profile_cache[key] = float(upper)
    return float(upper)


def _zero_inflated_upper(model, target: float) -> float | None:
    """The share q > q̂ where the zero-inflated NBD's profile log-likelihood (closed form,
    maximized over r, α) falls to ``target``; None if it does not within (0, 0.999)."""
    data = model._full_data()
    x, T, w = data["x"], data["T"], data["w"]
    scale = float(w.sum())
    state = [np.asarray(model._boundary_fit["log_params"], float)]

    def gap(q):
        logit_q = np.log(q) - np.log1p(-q)
        result = optimize.minimize(lambda lp: -zero_inflated_nbd_loglik(lp, logit_q, x, T, w) / scale,
                                   state[0], method="L-BFGS-B", bounds=[(-20, 20)] * 2)
        state[0] = result.x
        return -result.fun * scale - target

    low = max(model._boundary_fit.get("zero_inflation", 0.0), 1e-6)
    if not gap(low) > 0:
        return None
    high = min(max(4 * low, 0.01), 0.999)
    while gap(high) > 0:
        if high >= 0.999:
            return None
        low, high = high, min(high * 4, 0.999)
    return float(optimize.brentq(gap, low, high, xtol=1e-6, rtol=1e-4))


def _next_point(points, drop_target, inside, outside, cap) -> float:
    """Next θ: root of a θ + b θ² = target through the last two points (a line through the
    origin and the last point when there is one), kept inside the bracket."""
    pts = sorted(points[-2:])
    if len(pts) == 2 and pts[0][0] != pts[1][0]:
        design = np.array([[t, t * t] for t, _ in pts])
        a, b = np.linalg.solve(design, [d for _, d in pts])
    else:
        a, b = pts[-1][1] / pts[-1][0], 0.0
    if abs(b) > 1e-12 and a * a + 4 * b * drop_target >= 0:
        guess = (-a + np.sqrt(a * a + 4 * b * drop_target)) / (2 * b)
    else:
        guess = drop_target / a if a > 0 else np.inf
    high = outside if outside is not None else min(cap, 8 * max(pts[-1][0], inside))
    low = inside
    if not np.isfinite(guess) or guess <= low or guess >= high:
        guess = np.sqrt(max(low, 1e-6) * high) if outside is not None else high
    return float(min(guess, cap))


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
