"""ChipShotGolf: the replacement cycle and the timing of the new-material offer.

- :func:`interpurchase_times` turns a purchase log into survival data: the months from
  each purchase to the next (an event) or to ``as_of`` (censored), per customer and, when
  a ``category`` column is given, per category.
- :func:`fit_replacement` fits a Weibull model to those times with censoring (the
  intercept-only :class:`crm_analysis.churn.ParametricAFT`) and reports shape, scale and
  median with intervals; the Kaplan–Meier curve (:func:`crm_analysis.churn.kaplan_meier`)
  is the model-free check. :func:`heterogeneity_check` compares it with the
  gamma-mixed Weibull (Burr XII: customers wear clubs out at different rates), fitted by
  scipy's censored maximum likelihood, by log-likelihood and AIC.
- :func:`offer_value` — expected incremental margin of an offer sent ``m`` months after
  the purchase: ``response × margin × P(m < T ≤ m + window) − contact_cost``. Too early,
  the customer does not need a club before the offer is forgotten (``window``); too late,
  they have already replaced it elsewhere. :func:`best_offer_month` maximises it;
  :func:`fixed_date_value` is the alternative of one mailing date for everyone, whose
  customers are at all stages of their cycle.
- :func:`accessory_timing` — accessory purchases per customer by month since the club
  purchase, for timing the accessory cross-sell.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy import optimize, stats

from crm_analysis.common import require_columns
from crm_analysis.estimates import estimate_table

DAYS_PER_MONTH = 30.4375


def interpurchase_times(transactions: pd.DataFrame, as_of=None, category: str | None = None,
                        customer: str = "customer_id", date: str = "date") -> pd.DataFrame:
    """Months from each purchase to the customer's next one (``replaced`` = 1) or to
    ``as_of`` (default: the last purchase day in the data; ``replaced`` = 0).

    Several purchases on one day count once. With ``category``, times run within each
    (customer, category). Rows with a duration of 0 (a purchase on ``as_of``) are dropped.
    """
    keys = [customer] + ([category] if category else [])
    require_columns(transactions, [*keys, date], "interpurchase_times")
    days = pd.to_datetime(transactions[date]).dt.normalize()
    end = days.max() if as_of is None else pd.Timestamp(as_of).normalize()
    frame = transactions.assign(**{date: days}).loc[days <= end, [*keys, date]].drop_duplicates()
    frame = frame.sort_values([*keys, date], kind="stable")
    following = frame.groupby(keys, sort=False)[date].shift(-1)
    out = frame[keys].copy()
    out["months"] = ((following.fillna(end) - frame[date]).dt.days / DAYS_PER_MONTH).to_numpy()
    out["replaced"] = following.notna().astype("int64").to_numpy()
    return out.loc[out["months"] > 0].reset_index(drop=True)


def fit_replacement(times: pd.DataFrame, duration: str = "months", event: str = "replaced",
                    level: float = 0.95) -> pd.DataFrame:
    """Weibull replacement-time model with censoring: ``shape`` (k; > 1: the need to
    replace grows with the club's age), ``scale_months`` and ``median_months``, as an
    estimate table (intervals by the delta method on the log scale, mapped back)."""
    from crm_analysis.churn import ParametricAFT

    model = ParametricAFT(duration, event, [], distribution="weibull").fit(times)
    b0, log_s = model.params_["Intercept"], model.params_["log_scale"]
    cov = model.cov_.loc[["Intercept", "log_scale"], ["Intercept", "log_scale"]].to_numpy()
    z = stats.norm.ppf(0.5 + level / 2)
    # log shape = -log_s; log median = b0 + σ·log(log 2)
    sigma = np.exp(log_s)
    grads = {"shape": np.array([0.0, -1.0]), "scale_months": np.array([1.0, 0.0]),
             "median_months": np.array([1.0, sigma * np.log(np.log(2))])}
    logs = {"shape": -log_s, "scale_months": b0, "median_months": b0 + sigma * np.log(np.log(2))}
    names = list(logs)
    log_est = np.array([logs[n] for n in names])
    log_se = np.array([np.sqrt(grads[n] @ cov @ grads[n]) for n in names])
    est = np.exp(log_est)
    return estimate_table(est, est * log_se, ci_low=np.exp(log_est - z * log_se),
                          ci_high=np.exp(log_est + z * log_se), level=level, index=names)


def weibull_survival(shape: float, scale_months: float) -> Callable[[np.ndarray], np.ndarray]:
    """S(t) = exp(−(t / scale)^shape), t in months."""
    return lambda t: np.exp(-((np.asarray(t, dtype="float64") / scale_months) ** shape))


def heterogeneity_check(times: pd.DataFrame, duration: str = "months",
                        event: str = "replaced") -> pd.DataFrame:
    """Weibull against the gamma-mixed Weibull (Burr XII) by censored maximum likelihood.

    Rows ``weibull`` and ``gamma-mixed weibull``: ``loglik``, ``parameters``, ``aic``
    (lower is better). A clearly lower AIC for the mixture says customers differ in their
    replacement rate beyond what one Weibull describes.
    """
    t = times[duration].to_numpy(dtype="float64")
    e = times[event].to_numpy(dtype=bool)
    data = stats.CensoredData(uncensored=t[e], right=t[~e])
    rows = {}
    for name, dist in (("weibull", stats.weibull_min), ("gamma-mixed weibull", stats.burr12)):
        params = dist.fit(data, floc=0)
        frozen = dist(*params)
        loglik = float(frozen.logpdf(t[e]).sum() + frozen.logsf(t[~e]).sum())
        k = len(params) - 1  # the location is fixed at 0
        rows[name] = {"loglik": loglik, "parameters": k, "aic": 2 * k - 2 * loglik}
    return pd.DataFrame.from_dict(rows, orient="index")


def offer_value(months, survival: Callable, response: float, margin: float,
                contact_cost: float, window: float) -> np.ndarray:
    """Expected incremental margin per customer (currency) of an offer ``months`` after
    the purchase: response × margin × (S(m) − S(m + window)) − contact_cost."""
    m = np.asarray(months, dtype="float64")
    return response * margin * (survival(m) - survival(m + window)) - contact_cost


def best_offer_month(survival: Callable, response: float, margin: float, contact_cost: float,
                     window: float, max_month: float = 120.0) -> tuple[float, float]:
    """(month, value) maximising :func:`offer_value` on [0, ``max_month``]: a grid at
    0.25-month steps, refined by bounded scalar minimisation around the best grid point."""
    grid = np.arange(0.0, max_month + 0.25, 0.25)
    values = offer_value(grid, survival, response, margin, contact_cost, window)
    i = int(np.argmax(values))
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]
    res = optimize.minimize_scalar(lambda m: -offer_value(m, survival, response, margin,
                                                          contact_cost, window),
                                   bounds=(lo, hi), method="bounded", options={"xatol": 1e-4})
    best = (float(res.x), float(-res.fun)) if -res.fun >= values[i] else (float(grid[i]), float(values[i]))
    return best


def fixed_date_value(purchase_months, send_month: float, survival: Callable, response: float,
                     margin: float, contact_cost: float, window: float) -> float:
    """Mean value per customer of one mailing at ``send_month`` (months on the calendar of
    ``purchase_months``) to every customer who has bought by then."""
    m = send_month - np.asarray(purchase_months, dtype="float64")
    m = m[m >= 0]
    return float(offer_value(m, survival, response, margin, contact_cost, window).mean()) if m.size else 0.0


def best_fixed_date(purchase_months, survival: Callable, response: float, margin: float,
                    contact_cost: float, window: float, months) -> tuple[float, float]:
    """(send_month, value) of the best single mailing date among ``months``."""
    values = [fixed_date_value(purchase_months, s, survival, response, margin, contact_cost, window)
              for s in months]
    i = int(np.argmax(values))
    return float(list(months)[i]), float(values[i])


def accessory_timing(purchases: pd.DataFrame, club: str = "club", accessory: str = "accessory",
                     horizon_months: int = 12) -> pd.DataFrame:
    """Accessories bought per customer in each month after their first club purchase.

    Columns ``month`` (0 = the month after the purchase day), ``accessories``,
    ``customers`` (those observed for the whole month), ``per_customer``.
    """
    require_columns(purchases, ["customer_id", "date", "category"], "accessory_timing")
    dates = pd.to_datetime(purchases["date"])
    first = purchases.assign(date=dates).loc[purchases["category"] == club].groupby("customer_id")["date"].min()
    end = dates.max()
    acc = purchases.assign(date=dates).loc[purchases["category"] == accessory]
    since = (acc["date"] - acc["customer_id"].map(first)).dt.days / DAYS_PER_MONTH
    month = np.floor(since.dropna()).astype("int64")
    month = month[(month >= 0) & (month < horizon_months)]
    observed = ((end - first).dt.days / DAYS_PER_MONTH).to_numpy()
    months = np.arange(horizon_months)
    customers = np.array([(observed >= m + 1).sum() for m in months])
    counts = np.bincount(month, minlength=horizon_months)[:horizon_months]
    return pd.DataFrame({"month": months, "accessories": counts, "customers": customers,
                         "per_customer": counts / np.maximum(customers, 1)})
