"""Per-customer intervals for expected purchases, P(alive) and CLV — two kinds, kept apart:

* **Parameter uncertainty** (``*_low``/``*_high``): how sure we are of the customer's
  *expected* value given that the model's parameters are estimated.  Krinsky–Robb
  simulation (a sampling form of the delta method): ``n_draws`` parameter vectors from the
  asymptotic normal distribution of the log-parameters (:meth:`MLEModel.sample_params`), the
  customer's expectation recomputed for each, the percentile interval at ``level``.  It
  shrinks as the customer base grows.
* **Predictive spread** (``purchases_pred_*``, ``clv_pred_*``): the range of the customer's
  *own* future purchases in the horizon — the "luck" part, which does not shrink with more
  customers.  Simulated at the fitted parameters from the customer's posterior: alive with
  probability P(alive | x, t_x, T); if alive, the purchase rate λ ~ Gamma(r+x, α+T) and
  (BG/NBD) the drop-out probability p ~ Beta(a, b+x) — the future count is
  min(Poisson(λt), Geometric(p)) — or (Pareto/NBD) the drop-out rate μ ~ Gamma(s, β+T) —
  the count is Poisson(λ·min(τ, t)), τ ~ Exp(μ).  Equal-tailed quantiles of ``n_sims``
  simulated counts.  The CLV predictive interval scales the count quantiles by the
  customer's CLV per expected purchase (margin × expected spend × discount share), so it
  is a spread of purchases in money, not of spend per purchase.

Everything is computed once per distinct (x, t_x, T) (and frequency/spend for CLV) and
mapped back, so a million customers cost what their distinct cells cost.  CLV discounting
uses up to ``max_steps`` equal steps of the horizon (purchases of a step discounted to its
end); with ``horizon`` ≤ ``max_steps`` time units that is exactly
:func:`crm_analysis.clv.customer_clv`'s per-period discounting.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..common import top_k
from ..estimates import check_level
from .summary import rfm_arrays, time_unit_of
from .value import period_discount_rate


def _discount_share(model, px, pT, horizon, rate, max_steps):
    """Per distinct (x, T): (E[Y(horizon)] / P(alive), Σ_k ΔE[Y] at step k / (1+rate)^(end of
    step k) / P(alive)).  For BG/NBD, MBG/NBD and Pareto/NBD the conditional expectation is
    P(alive | x, t_x, T) times a function of (x, T, t) only, so the costly hypergeometric part
    is computed once per (x, T) and evaluated at t_x = T."""
    n = int(min(max(np.ceil(horizon), 1), max_steps))
    ends = np.linspace(horizon / n, horizon, n)
    cum = model.conditional_expected_purchases(ends[:, None], px[None, :], pT[None, :], pT[None, :])
    cum = cum / model.p_alive(px, pT, pT)[None, :]
    inc = np.diff(np.vstack([np.zeros((1, px.size)), cum]), axis=0)
    return cum[-1], ((1 + rate) ** -ends) @ inc


def simulate_alive_purchases(model, x, T, horizon: float, n_sims: int, seed: int = 0) -> np.ndarray:
    """Simulated future purchase counts in (T, T+horizon] of customers *alive at T* with x
    repeat purchases, shape (n_sims, len(x)), from the posterior at the fitted parameters
    (BG/NBD, MBG/NBD or Pareto/NBD; see the module docstring).  Given alive, the posterior
    depends on (x, T) only, not on t_x."""
    rng = np.random.default_rng(seed)
    x, T = np.asarray(x, dtype="float64"), np.asarray(T, dtype="float64")
    shape = (n_sims, x.size)
    names, params = tuple(model.params_.index), model.params_
    lam = rng.gamma(params["r"] + x, 1.0 / (params["alpha"] + T), size=shape)
    if getattr(model, "boundary_", None):  # no drop-out (the NBD limit): Poisson purchases
        return rng.poisson(lam * horizon)
    if names == ("r", "alpha", "s", "beta"):  # Pareto/NBD
        mu = rng.gamma(params["s"], 1.0 / (params["beta"] + T), size=shape)
        return rng.poisson(lam * np.minimum(rng.exponential(1.0, size=shape) / mu, horizon))
    if names == ("r", "alpha", "a", "b"):  # BG/NBD or MBG/NBD: death after a purchase
        extra = 1.0 if type(model).__name__ == "MBGNBD" else 0.0
        p = rng.beta(params["a"], params["b"] + x + extra, size=shape)
        return np.minimum(rng.poisson(lam * horizon), rng.geometric(np.clip(p, 1e-12, 1.0)))
    raise ValueError(f"simulate_alive_purchases: no simulator for {type(model).__name__}")


def _predictive_quantiles(model, x, t_x, T, horizon, n_sims, q, seed):
    """Equal-tailed quantiles of the customer's own future count: the mixture of 0 (dead,
    probability 1 − P(alive)) and the alive-conditional distribution, simulated once per
    distinct (x, T) and combined with each cell's P(alive) through the CDF."""
    pairs, which = np.unique(np.stack([x, T], axis=1), axis=0, return_inverse=True)
    sims = simulate_alive_purchases(model, pairs[:, 0], pairs[:, 1], horizon, n_sims, seed)
    top = int(sims.max()) + 1
    cdf = np.zeros((pairs.shape[0], top))
    np.add.at(cdf, (np.broadcast_to(np.arange(pairs.shape[0]), sims.shape), sims), 1.0)
    cdf = np.cumsum(cdf, axis=1) / n_sims
    alive = model.p_alive(x, t_x, T)[:, None]
    mix = (1 - alive) + alive * cdf[which.ravel()]
    # smallest count whose CDF reaches q (upper quantile: reaches 1 − tail)
    return [np.argmax(mix >= level - 1e-12, axis=1) for level in q]


def customer_intervals(
    transaction_model,
    summary: pd.DataFrame,
    *,
    horizon: float,
    spend_model=None,
    margin: float = 1.0,
    annual_discount_rate: float = 0.1,
    level: float = 0.95,
    n_draws: int = 200,
    n_sims: int = 2000,
    max_steps: int = 12,
    seed: int = 0,
) -> pd.DataFrame:
    """Per-customer estimates with a parameter-uncertainty interval and a predictive interval.

    ``horizon`` in the summary's time unit; ``spend_model`` a fitted
    :class:`~crm_analysis.clv.GammaGamma` (without it, CLV columns are left out).
    Returns a DataFrame indexed like ``summary`` with ``p_alive``, ``p_alive_low``,
    ``p_alive_high``; ``expected_purchases`` (in the horizon) with ``_low``/``_high``
    (parameter uncertainty) and ``purchases_pred_low``/``purchases_pred_high`` (the
    customer's own future); with a spend model ``clv`` (currency; margin × expected spend ×
    discounted expected purchases), ``clv_low``/``clv_high`` (parameter uncertainty of both
    models) and ``clv_pred_low``/``clv_pred_high``.  ``attrs`` record the method, level,
    ``n_draws`` and ``n_sims``.
    """
    level = check_level(level)
    if not horizon > 0:
        raise ValueError(f"horizon must be positive, got {horizon!r}")
    x, t_x, T = rfm_arrays(summary)
    unit = time_unit_of(summary)
    rate = period_discount_rate(annual_discount_rate, unit)
    codes, first = _cell_codes(x, t_x, T)
    ux, utx, uT = x[first], t_x[first], T[first]
    tail = (1 - level) / 2

    pairs, which = np.unique(np.stack([ux, uT], axis=1), axis=0, return_inverse=True)
    which = which.ravel()

    def one(model):
        purchases, disc = _discount_share(model, pairs[:, 0], pairs[:, 1], horizon, rate, max_steps)
        alive = model.p_alive(ux, utx, uT)
        return alive, alive * purchases[which], alive * disc[which]

    alive0, purch0, disc0 = one(transaction_model)
    draws = transaction_model.sample_params(n_draws, seed=seed)
    alive_d, purch_d, disc_d = (np.empty((n_draws, ux.size)) for _ in range(3))
    for i in range(n_draws):
        alive_d[i], purch_d[i], disc_d[i] = one(transaction_model.with_params(draws.iloc[i]))
    q = np.array([tail, 1 - tail])
    pred = _predictive_quantiles(transaction_model, ux, utx, uT, horizon, n_sims, q, seed + 1)
    out = pd.DataFrame(index=summary.index)
    for name, est, dr in (("p_alive", alive0, alive_d), ("expected_purchases", purch0, purch_d)):
        low, high = np.quantile(dr, q, axis=0)
        out[name], out[f"{name}_low"], out[f"{name}_high"] = est[codes], low[codes], high[codes]
    out["purchases_pred_low"], out["purchases_pred_high"] = pred[0][codes], pred[1][codes]
    if spend_model is not None:
        freq = summary["frequency"].to_numpy(dtype="float64")
        mval = summary["monetary_value"].to_numpy(dtype="float64")
        spend0 = spend_model.expected_spend(freq, mval)
        sdraws = spend_model.sample_params(n_draws, seed=seed + 2)
        clv0 = margin * spend0 * disc0[codes]
        p_d, q_d, g_d = (sdraws[k].to_numpy()[:, None] for k in sdraws.columns)  # Gamma-Gamma p, q, gamma
        low, high = np.empty(x.size), np.empty(x.size)
        m_all = np.nan_to_num(mval)
        for start in range(0, x.size, 50_000):  # chunks: a (chunk, draws) matrix, not (customers, draws)
            part = slice(start, start + 50_000)
            f, m, c = freq[part][None, :], m_all[part][None, :], codes[part]
            spend_d = (g_d + f * m) * p_d / (p_d * f + q_d - 1)  # GammaGamma.expected_spend per draw
            values = np.ascontiguousarray((margin * spend_d * disc_d[:, c]).T)
            low[part], high[part] = _row_quantiles(values, q)
        per_purchase = np.divide(clv0, purch0[codes], out=np.zeros_like(clv0), where=purch0[codes] > 0)
        out["clv"], out["clv_low"], out["clv_high"] = clv0, low, high
        out["clv_pred_low"] = per_purchase * pred[0][codes]
        out["clv_pred_high"] = per_purchase * pred[1][codes]
    out.attrs.update(level=level, n_draws=n_draws, n_sims=n_sims,
                     method="parameter: Krinsky-Robb draws of the log-parameters; "
                            "predictive: simulation of each customer's posterior at the MLE")
    return out


def top_customer_intervals(intervals: pd.DataFrame, k: int = 10, by: str = "clv") -> pd.DataFrame:
    """The ``k`` customers with the highest ``by`` (ties by customer id), highest first."""
    if by not in intervals.columns:
        raise ValueError(f"intervals: no column {by!r}; pass a spend model to customer_intervals for CLV")
    return intervals.iloc[top_k(intervals[by].to_numpy(), k, tie_key=intervals.index.astype(str))]



def opportunity_intervals(model, summary: pd.DataFrame, *, n_star: int, level: float = 0.95,
                          n_draws: int = 200, n_sims: int = 1000, seed: int = 0) -> pd.DataFrame:
    """The same two intervals for a fitted :class:`~crm_analysis.clv.BGBB` and a discrete
    summary, over the next ``n_star`` opportunities: ``p_alive`` (at opportunity n+1),
    ``expected_transactions`` with ``_low``/``_high`` (Krinsky–Robb parameter draws) and
    ``transactions_pred_low``/``_high`` (the customer's own future, simulated at the MLE:
    alive at n with its posterior probability, then p ~ Beta(α+x, β+n−x),
    θ ~ Beta(γ, δ+n), each later opportunity survived with 1−θ and used with p)."""
    from .bgbb import compress_cells, opportunity_arrays

    level = check_level(level)
    x, t_x, n, _ = opportunity_arrays(summary)
    cells = compress_cells(x, t_x, n)
    ux, ut, un = cells["x"], cells["t_x"], cells["n"]
    base = int(un.max()) + 1
    lookup = {k: i for i, k in enumerate(((un * base + ut) * base + ux).astype("int64"))}
    codes = np.array([lookup[k] for k in ((n * base + t_x) * base + x).astype("int64")])
    q = np.array([(1 - level) / 2, 1 - (1 - level) / 2])
    draws = np.array(model.sample_params(n_draws, seed=seed).to_numpy(), dtype="float64")
    limit = draws[:, 2] == 0  # at the no-drop-out boundary: γ → 0 (see BGBB._prediction_params)
    draws[limit, 2], draws[limit, 3] = 1e-200, 1.0
    alive_d, exp_d = _bgbb_draws(draws, ux, ut, un, n_star)
    rng = np.random.default_rng(seed + 1)
    al, be, ga, de = model._prediction_params()
    shape = (n_sims, ux.size)
    alive = rng.random(shape) < model.p_alive(ux, ut, un, future=0)[None, :]
    p = rng.beta(al + ux, be + un - ux, size=shape)
    theta = rng.beta(ga, de + un, size=shape)
    death = rng.geometric(np.clip(theta, 1e-12, 1.0))  # first future opportunity not alive
    steps = np.arange(1, n_star + 1)
    count = np.zeros(shape, dtype="int64")
    for k in steps:
        count += (alive & (k < death) & (rng.random(shape) < p)).astype("int64")
    pred = np.quantile(count, q, axis=0, method="inverted_cdf")
    out = pd.DataFrame(index=summary.index)
    for name, est, dr in (("p_alive", model.p_alive(ux, ut, un), alive_d),
                          ("expected_transactions", model.conditional_expected_transactions(n_star, ux, ut, un),
                           exp_d)):
        low, high = np.quantile(dr, q, axis=0)
        out[name], out[f"{name}_low"], out[f"{name}_high"] = est[codes], low[codes], high[codes]
    out["transactions_pred_low"], out["transactions_pred_high"] = pred[0][codes], pred[1][codes]
    out.attrs.update(level=level, n_draws=n_draws, n_sims=n_sims)
    return out


def _bgbb_draws(params: np.ndarray, x, t_x, n, n_star: int):
    """P(alive at n+1) and E[X(n, n+n*)] per (draw, cell), all draws at once (the formulas
    of :class:`~crm_analysis.clv.BGBB`, broadcast over a leading draw axis)."""
    from scipy.special import betaln

    from .bgbb import BGBB

    data = BGBB._data_from({"x": x, "t_x": t_x, "n": n, "w": np.ones(x.size)})
    al, be, ga, de = (params[:, i][:, None, None] for i in range(4))
    terms = (betaln(al + x[:, None], be + data["b"]) - betaln(al, be)
             + betaln(ga + data["g"], de + data["d"]) - betaln(ga, de))
    terms = np.where(data["valid"], terms, -np.inf)
    top = terms.max(axis=2, keepdims=True)
    ll = (top + np.log(np.exp(terms - top).sum(axis=2, keepdims=True)))[..., 0]
    al, be, ga, de = (v[..., 0] for v in (al, be, ga, de))
    alive = np.exp(betaln(al + x, be + n - x) - betaln(al, be) + betaln(ga, de + n + 1) - betaln(ga, de) - ll)
    base = betaln(al + x + 1, be + n - x) - betaln(al, be) - betaln(ga, de) - ll
    k = np.arange(1, n_star + 1, dtype="float64")
    expected = np.exp(base[..., None] + betaln(ga[..., None], de[..., None] + n[None, :, None] + k)).sum(axis=2)
    return alive, expected


def _cell_codes(x, t_x, T):
    """Code of each customer's distinct (x, t_x, T) and the first row of each code (each
    column factorized by hashing, then the combined integer key; no sort of the rows)."""
    key = np.zeros(x.size, dtype="int64")
    for column in (x, t_x, T):
        c, u = pd.factorize(column)
        key = key * len(u) + c
    codes, uniques = pd.factorize(key)
    first = np.zeros(uniques.size, dtype="int64")
    first[codes[::-1]] = np.arange(x.size)[::-1]
    return codes, first


def _row_quantiles(values: np.ndarray, q) -> tuple[np.ndarray, np.ndarray]:
    """Quantiles ``q`` (two levels) of each row, linear interpolation as ``np.quantile``'s
    default, with one partial sort of the rows."""
    d = values.shape[1]
    pos = np.asarray(q) * (d - 1)
    lo, hi = np.floor(pos).astype(int), np.minimum(np.floor(pos).astype(int) + 1, d - 1)
    part = np.partition(values, sorted({*lo, *hi}), axis=1)
    frac = pos - lo
    return tuple(part[:, lo[i]] * (1 - frac[i]) + part[:, hi[i]] * frac[i] for i in range(2))
