"""Discrete-opportunity summaries (for BG/BB, :mod:`.bgbb`) from a transaction log.

An "opportunity" business has fixed transaction occasions — a donation drive per year, an
annual event, a monthly renewal date.  Each calendar ``period`` (``"Y"`` year, ``"M"``
month, ``"W"`` ISO week, ``"D"`` day) is one opportunity; a customer "transacts" at an
opportunity when they have at least one purchase in that period.  Per customer:

* opportunity 0 is the period of the first purchase (not counted, as in BG/NBD);
* ``opportunities`` (n) — periods after the first, up to and including the period of
  ``calibration_end``;
* ``frequency`` (x) — of those n, the periods with a purchase;
* ``recency_opportunities`` (t_x) — the opportunity (1..n) of the last purchase, 0 if none;
* with ``calibration_end``: ``holdout_frequency`` — periods with a purchase in
  (calibration period, observation period]; ``holdout_opportunities`` their number.

Uses the validation, day arithmetic and customer coding of the continuous-time summary
engine (:mod:`.summary`), so a log the BG/NBD summary accepts gives the same customers
here; :func:`opportunity_cells` collapses the summary into weighted (x, t_x, n) cells.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .bgbb import FREQUENCY, OPPORTUNITIES, RECENCY, WEIGHT, compress_cells, opportunity_arrays
from .summary import _EPOCH, _days_since_epoch, _sorted_codes, _validated_columns

PERIODS = ("Y", "M", "W", "D")


def _period_index(day: np.ndarray, period: str) -> np.ndarray:
    """Integer index of each day's period (consecutive periods differ by 1)."""
    if period == "D":
        return day
    if period == "W":
        return (day + 3) // 7  # ISO weeks, Monday start (1970-01-01 was a Thursday)
    months = day.astype("datetime64[D]").astype("datetime64[M]").astype("int64")
    return months if period == "M" else months // 12


def summarize_opportunities(
    transactions: pd.DataFrame,
    *,
    customer_col: str = "customer_id",
    date_col: str = "date",
    period: str = "Y",
    calibration_end: str | pd.Timestamp | None = None,
    observation_end: str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Discrete-opportunity summary per customer (definitions in the module docstring).

    ``calibration_end``: last day (inclusive) of calibration; ``None`` uses all purchases
    (up to ``observation_end``, default the last purchase) and no holdout columns.
    Purchases after ``observation_end`` are ignored; customers whose first purchase is after
    ``calibration_end`` are left out.  Returns a DataFrame indexed by ``customer_id`` (str,
    sorted) with int64 columns ``frequency``, ``recency_opportunities``, ``opportunities``
    (and ``holdout_frequency``, ``holdout_opportunities``).
    """
    if period not in PERIODS:
        raise ValueError(f"period must be one of {PERIODS}, got {period!r}")
    customer, date, _ = _validated_columns(transactions, customer_col, date_col, None)
    if len(customer) == 0:
        raise ValueError("transactions are empty")
    day = _days_since_epoch(date.to_numpy())
    obs_day = (pd.Timestamp(observation_end).floor("D") - _EPOCH).days if observation_end is not None else int(
        day.max())
    cal_day = (pd.Timestamp(calibration_end).floor("D") - _EPOCH).days if calibration_end is not None else obs_day
    if cal_day > obs_day:
        raise ValueError(f"calibration_end {calibration_end} is after observation_end {observation_end}")
    customers, codes = _sorted_codes(customer)
    keep = day <= obs_day
    idx = _period_index(day[keep], period)
    codes = codes[keep]
    cal_p, obs_p = (int(_period_index(np.array([d]), period)[0]) for d in (cal_day, obs_day))
    pairs = np.unique(np.stack([codes, idx], axis=1), axis=0)  # one row per (customer, period)
    cust, per = pairs[:, 0], pairs[:, 1]
    starts = np.flatnonzero(np.r_[True, cust[1:] != cust[:-1]])
    first = np.repeat(per[starts], np.diff(np.r_[starts, cust.size]))
    in_cal = per <= cal_p
    cohort = per[starts] <= cal_p
    if not cohort.any():
        raise ValueError(f"no purchases on or before calibration_end {calibration_end}")
    n_cust = customers.size
    count = np.bincount(cust[in_cal], minlength=n_cust)
    last = np.full(n_cust, -1, dtype="int64")
    np.maximum.at(last, cust[in_cal], per[in_cal] - first[in_cal])
    ids = cust[starts][cohort]
    out = pd.DataFrame({
        FREQUENCY: count[ids] - 1,
        RECENCY: last[ids],
        OPPORTUNITIES: cal_p - per[starts][cohort],
    }, index=pd.Index(customers[ids], name="customer_id"))
    if calibration_end is not None:
        hold = np.bincount(cust[~in_cal], minlength=n_cust)
        out["holdout_frequency"] = hold[ids]
        out["holdout_opportunities"] = obs_p - cal_p
    return out.astype("int64")


def opportunity_cells(summary: pd.DataFrame) -> pd.DataFrame:
    """The summary collapsed to (x, t_x, n) cells with a ``customers`` weight column, plus the
    cell totals of ``holdout_frequency`` when present (sorted by n, t_x, x)."""
    x, t_x, n, w = opportunity_arrays(summary)
    cells = compress_cells(x, t_x, n, w)
    table = pd.DataFrame({FREQUENCY: cells["x"], RECENCY: cells["t_x"], OPPORTUNITIES: cells["n"],
                          WEIGHT: cells["w"]}).astype("int64")
    if "holdout_frequency" in summary.columns:
        key = summary[[FREQUENCY, RECENCY, OPPORTUNITIES]].astype("int64")
        hold = summary["holdout_frequency"].groupby([key[c] for c in key.columns]).sum()
        table["holdout_frequency"] = hold.reindex(
            pd.MultiIndex.from_frame(table[[FREQUENCY, RECENCY, OPPORTUNITIES]])).to_numpy()
    return table
