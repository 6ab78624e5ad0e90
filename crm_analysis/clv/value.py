"""Lifetime value: the sources' LTV formula, its drivers, and model-based CLV per customer.

Units.  Discount rates are given **per year** (``annual_discount_rate``, e.g. 0.10) and
converted to the model's period by compounding: d_period = (1 + d_year)^(period/year) − 1,
with a year of 365.25 days (a week is 7/365.25 years, a month 1/12).  Horizons are in the
model's time unit.  Money is in the currency of the transactions.

* :func:`constant_retention_lifetime` — the discounted expected lifetime (in periods) of
  a customer retained with one constant probability each period: the one implementation
  of the constant-retention lifetime value (customer equity in notebook 01, the naive
  DEL of notebook 03, the duration driver of :func:`driver_ltv`).
* :func:`ltv_formula` — the sources' LTV = S1 + S2/(1+r) + S3/(1+r)² + … as a table.
* :func:`driver_ltv` / :func:`driver_sensitivity` — the LTV drivers of the sources
  (transactions per customer × revenue per transaction × margin × duration via retention,
  referral, acquisition cost) and a what-if table of ±x % changes.
* :func:`customer_clv` — discounted CLV per customer from a fitted BG/NBD or Pareto/NBD
  model and a Gamma-Gamma spend model.
* :func:`clv_interval` — parameter-uncertainty interval of total CLV by drawing the
  parameters of both models from their asymptotic normal distributions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..estimates import check_level, estimate_table
from .summary import UNIT_DAYS, UNIT_NAMES, rfm_arrays, time_unit_of

DAYS_PER_YEAR = 365.25


def period_discount_rate(annual_discount_rate: float, time_unit: str) -> float:
    """Per-period rate equivalent to an annual rate: (1+d)^(days/365.25) − 1."""
    if not annual_discount_rate > -1:
        raise ValueError(f"annual_discount_rate must be > -1, got {annual_discount_rate!r}")
    if time_unit not in UNIT_DAYS:
        raise ValueError(f"time_unit must be one of {sorted(UNIT_DAYS)}, got {time_unit!r}")
    return (1 + annual_discount_rate) ** (UNIT_DAYS[time_unit] / DAYS_PER_YEAR) - 1


def constant_retention_lifetime(retention: float, discount_rate: float, *, periods: int | None = None,
                                include_current: bool = True) -> float:
    """Discounted expected number of payments with one retention rate for everybody.

    Σ_t r^t / (1+d)^t over t = 0, 1, … (``include_current``: the payment of the current
    period, undiscounted, counts) or t = 1, 2, … (it does not), for ``periods`` terms or
    forever. Forever it is (1+d)/(1+d−r), or r/(1+d−r) without the current payment.
    ``retention`` r is a share in [0, 1] per period, ``discount_rate`` d is per period.
    Multiply by the margin per period (currency) for a lifetime value.
    """
    if not 0 <= retention <= 1:
        raise ValueError(f"retention must be a share in [0, 1], got {retention!r}")
    if not discount_rate > -1:
        raise ValueError(f"discount_rate must be > -1, got {discount_rate!r}")
    if periods is None:
        if not retention < 1 + discount_rate:
            raise ValueError(f"retention {retention!r} with discount_rate {discount_rate!r}: the "
                             "infinite sum diverges; give a positive discount rate or periods")
        return ((1 + discount_rate) if include_current else retention) / (1 + discount_rate - retention)
    if periods < 0 or int(periods) != periods:
        raise ValueError(f"periods must be a whole number >= 0, got {periods!r}")
    t = np.arange(int(periods), dtype="float64") + (0 if include_current else 1)
    return float(np.sum(retention**t * (1 + discount_rate) ** -t))


def ltv_formula(cash_flows, discount_rate: float) -> pd.DataFrame:
    """The sources' LTV = S1 + S2/(1+r) + S3/(1+r)² + …, term by term.

    ``cash_flows`` are the customer's profits S1, S2, … per period (S1 now, undiscounted);
    ``discount_rate`` is r per period.  Returns columns ``period`` (1, 2, …),
    ``cash_flow``, ``discount_factor`` = 1/(1+r)^(period−1), ``present_value`` and
    ``cumulative_ltv``; the last ``cumulative_ltv`` is the LTV.
    """
    flows = np.asarray(cash_flows, dtype="float64")
    if flows.ndim != 1 or not np.all(np.isfinite(flows)):
        raise ValueError("cash_flows must be a 1-D sequence of finite numbers")
    periods = np.arange(1, flows.size + 1)
    factor = (1 + discount_rate) ** -(periods - 1.0)
    pv = flows * factor
    return pd.DataFrame({"period": periods, "cash_flow": flows, "discount_factor": factor,
                         "present_value": pv, "cumulative_ltv": np.cumsum(pv)})


def driver_ltv(
    *,
    transactions_per_year: float,
    revenue_per_transaction: float,
    margin: float,
    retention: float,
    annual_discount_rate: float,
    years: int = 10,
    referral_rate: float = 0.0,
    acquisition_cost: float = 0.0,
) -> float:
    """LTV from the sources' drivers (slide 15), net of acquisition cost.

    Yearly profit m = transactions_per_year × revenue_per_transaction × margin, earned at
    the start of each year the customer is still active (share retention^t after t
    years), discounted at ``annual_discount_rate``; each customer refers
    ``referral_rate`` new customers of the same value (one generation, counted at the
    referrer's acquisition); minus ``acquisition_cost``.  Currency of the revenue.
    """
    profit = transactions_per_year * revenue_per_transaction * margin
    value = profit * constant_retention_lifetime(retention, annual_discount_rate, periods=years)
    return float(value * (1 + referral_rate) - acquisition_cost)


def driver_sensitivity(base: dict, change: float = 0.10) -> pd.DataFrame:
    """What-if of :func:`driver_ltv`: each driver moved by ±``change`` (relative) alone.

    ``base`` holds the keyword arguments of :func:`driver_ltv`.  Retention is capped at
    1.  Returns one row per driver with ``ltv_down``, ``ltv_up``, ``base_ltv`` and the
    swing ``ltv_up − ltv_down``, sorted by the absolute swing (a tornado table).
    """
    base_value = driver_ltv(**base)
    rows = []
    for driver in ("transactions_per_year", "revenue_per_transaction", "margin", "retention",
                   "referral_rate", "acquisition_cost", "annual_discount_rate"):
        if driver not in base:
            continue
        values = {}
        for side, factor in (("down", 1 - change), ("up", 1 + change)):
            moved = dict(base)
            moved[driver] = base[driver] * factor
            if driver == "retention":
                moved[driver] = min(moved[driver], 1.0)
            values[side] = driver_ltv(**moved)
        rows.append({"driver": driver, "ltv_down": values["down"], "ltv_up": values["up"],
                     "base_ltv": base_value, "swing": values["up"] - values["down"]})
    table = pd.DataFrame(rows)
    return table.reindex(table["swing"].abs().sort_values(ascending=False).index).reset_index(drop=True)


def _discounted_purchases(model, x, t_x, T, horizon: float, rate: float) -> np.ndarray:
    """Σ_k [E(Y(k)) − E(Y(k−1))] / (1+rate)^k over whole periods k = 1..horizon
    (purchases of period k discounted to the end of that period)."""
    steps = np.arange(1, int(np.ceil(horizon)) + 1, dtype="float64")
    steps[-1] = horizon
    cumulative = model.conditional_expected_purchases(steps[:, None], x[None, :], t_x[None, :], T[None, :])
    increments = np.diff(np.vstack([np.zeros((1, x.size)), cumulative]), axis=0)
    return ((1 + rate) ** -steps) @ increments


def customer_clv(
    transaction_model,
    spend_model,
    summary: pd.DataFrame,
    *,
    horizon: float,
    annual_discount_rate: float,
    margin: float,
    first_spend: pd.Series | None = None,
) -> pd.DataFrame:
    """Discounted CLV per customer over ``horizon`` time units after the calibration end.

    ``first_spend`` (optional, indexed by customer like ``summary``; from
    :func:`first_purchase_spend`): one-time buyers' spend is then conditioned on their one
    observed purchase (see ``GammaGamma.expected_spend``) instead of set to the
    population mean.

    CLV = margin × E[spend per purchase | x, m_x] × Σ_k ΔE[purchases in period k] /
    (1+d)^k, with d the per-period rate of ``annual_discount_rate`` and the expected
    purchases from the fitted BG/NBD or Pareto/NBD ``transaction_model`` (computed once per
    distinct (x, t_x, T)).  ``margin`` is the profit share of revenue (1 = revenue CLV).

    Returns a DataFrame indexed like ``summary``: ``p_alive``, ``expected_purchases``
    (undiscounted, in the horizon), ``expected_spend`` (per purchase), ``clv``.
    """
    x, t_x, T = rfm_arrays(summary)
    unit = time_unit_of(summary)
    model_unit = getattr(transaction_model, "time_unit_", unit)
    if model_unit != unit:
        raise ValueError(
            f"the model was fitted in {UNIT_NAMES[model_unit]} but the summary is in {UNIT_NAMES[unit]}"
        )
    if horizon <= 0:
        raise ValueError(f"horizon must be positive, got {horizon!r}")
    rate = period_discount_rate(annual_discount_rate, unit)
    keys = pd.DataFrame({"x": x, "t_x": t_x, "T": T})
    unique = keys.drop_duplicates().reset_index(drop=True)
    position = keys.merge(unique.reset_index(), on=["x", "t_x", "T"], how="left")["index"].to_numpy()
    ux, utx, uT = (unique[c].to_numpy() for c in ("x", "t_x", "T"))
    disc = _discounted_purchases(transaction_model, ux, utx, uT, horizon, rate)[position]
    purchases = transaction_model.conditional_expected_purchases(horizon, ux, utx, uT)[position]
    alive = transaction_model.p_alive(ux, utx, uT)[position]
    if first_spend is None:
        spend = spend_model.expected_spend(summary["frequency"], summary["monetary_value"])
    else:
        spend = spend_model.expected_spend(summary["frequency"], summary["monetary_value"],
                                           first_spend=pd.Series(first_spend).reindex(summary.index))
    return pd.DataFrame(
        {"p_alive": alive, "expected_purchases": purchases, "expected_spend": spend,
         "clv": margin * spend * disc},
        index=summary.index,
    )


def clv_interval(
    transaction_model,
    spend_model,
    summary: pd.DataFrame,
    *,
    horizon: float,
    annual_discount_rate: float,
    margin: float,
    n_draws: int = 200,
    level: float = 0.95,
    seed: int = 0,
    first_spend: pd.Series | None = None,
) -> pd.DataFrame:
    """Interval for total CLV of the customers in ``summary`` from parameter uncertainty
    (``first_spend`` as in :func:`customer_clv`).

    Draws both models' parameters from their asymptotic normal distributions (on the log
    scale; :meth:`MLEModel.sample_params`), recomputes total CLV for each draw, and
    returns a one-row estimate table (index ``total_clv``, currency of the data):
    ``estimate`` (at the MLE), ``std_err`` (of the draws), ``ci_low``/``ci_high``
    (percentile interval of the draws at ``level``), ``level`` and ``n_draws``.  It does
    not include the Poisson noise of future purchases.
    """
    level = check_level(level)
    kwargs = dict(horizon=horizon, annual_discount_rate=annual_discount_rate, margin=margin,
                  first_spend=first_spend)
    estimate = customer_clv(transaction_model, spend_model, summary, **kwargs)["clv"].sum()
    tdraws = transaction_model.sample_params(n_draws, seed=seed)
    sdraws = spend_model.sample_params(n_draws, seed=seed + 1)
    totals = np.array([
        customer_clv(transaction_model.with_params(tdraws.iloc[i]), spend_model.with_params(sdraws.iloc[i]),
                     summary, **kwargs)["clv"].sum()
        for i in range(n_draws)
    ])
    tail = (1 - level) / 2
    table = estimate_table(float(estimate), float(np.std(totals, ddof=1)),
                           ci_low=float(np.quantile(totals, tail)), ci_high=float(np.quantile(totals, 1 - tail)),
                           level=level, index=["total_clv"])
    return table.assign(n_draws=n_draws)


def clv_tiers(clv: pd.Series, top_shares=(0.01, 0.10, 0.50)) -> pd.DataFrame:
    """Concentration of value: for the top 1 %, 10 %, 50 % of customers by CLV, the number
    of customers, their share of total CLV and their minimum CLV (currency)."""
    ordered = clv.sort_values(ascending=False)
    total = ordered.sum()
    rows = []
    for share in top_shares:
        n = max(int(round(share * len(ordered))), 1)
        rows.append({"top_share": share, "customers": n, "clv_share": ordered.iloc[:n].sum() / total,
                     "min_clv": ordered.iloc[n - 1]})
    return pd.DataFrame(rows)


def first_purchase_spend(transactions: pd.DataFrame, calibration_end=None, *, customer_col: str = "customer_id",
                         date_col: str = "date", amount_col: str = "amount",
                         merge_period: str = "D") -> pd.Series:
    """Net spend of each customer's first purchase period (currency of ``amount_col``), the
    purchase that ``summarize_transactions`` does not count as a repeat purchase: lines on
    or before ``calibration_end`` (all lines when None), merged by ``merge_period``
    (``"D"``, ``"W"`` or ``"M"``, as in the summary). Indexed by customer id (str)."""
    frame = transactions[[customer_col, date_col, amount_col]]
    if calibration_end is not None:
        end = pd.Timestamp(calibration_end).normalize() + pd.Timedelta(days=1)
        frame = frame[frame[date_col] < end]
    day = frame[date_col].dt.floor("D")
    if merge_period == "W":
        day = day - pd.to_timedelta(day.dt.day_of_week, unit="D")
    elif merge_period == "M":
        day = day.dt.to_period("M").dt.to_timestamp()
    elif merge_period != "D":
        raise ValueError(f"merge_period must be one of D, W, M, got {merge_period!r}")
    periods = frame.assign(_period=day, _customer=frame[customer_col].astype(str))
    spend = periods.groupby(["_customer", "_period"], sort=True)[amount_col].sum()
    first = spend.groupby(level=0).head(1).droplevel(1)
    first.index.name = "customer_id"
    return first.rename("first_spend")
