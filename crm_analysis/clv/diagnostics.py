"""Model-vs-actual tables for the buy-till-you-die diagnostics (data only; plots live in
:mod:`crm_analysis.plots.clv`).

* :func:`frequency_histogram` — calibration repeat purchases, actual vs expected
  (Σ over customers of P(X(T_i) = x); needs a model with ``frequency_pmf``, i.e. BG/NBD);
* :func:`holdout_by_frequency` — mean holdout purchases by calibration frequency, actual
  vs the model's conditional expectation;
* :func:`repeat_purchase_tracking` — cumulative and incremental repeat purchases per time
  unit over calibration and holdout, actual vs model;
* :func:`p_alive_grid` — P(alive) over a frequency × recency grid for one age T.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .summary import UNIT_DAYS, UNIT_NAMES, _floor, _validated, rfm_arrays, time_unit_of


def frequency_histogram(model, summary: pd.DataFrame, max_frequency: int = 7) -> pd.DataFrame:
    """Customers by calibration repeat purchases 0 … ``max_frequency``+ (last bin is
    "or more"): ``actual`` and ``expected`` counts."""
    x, _, T = rfm_arrays(summary)
    bins = np.arange(max_frequency + 1)
    pmf = model.frequency_pmf(bins[:, None], T[None, :])
    expected = pmf.sum(axis=1)
    expected[-1] = len(T) - expected[:-1].sum()
    actual = np.bincount(np.minimum(x, max_frequency).astype(int), minlength=max_frequency + 1)
    labels = [str(b) for b in bins[:-1]] + [f"{max_frequency}+"]
    return pd.DataFrame({"frequency": labels, "actual": actual, "expected": expected})


def holdout_by_frequency(model, summary: pd.DataFrame, max_frequency: int = 7) -> pd.DataFrame:
    """Mean holdout repeat purchases by calibration frequency (last bin "or more"):
    ``customers``, ``actual`` mean of ``holdout_frequency`` and ``expected`` mean of the
    model's E[Y(holdout) | x, t_x, T]."""
    unit = UNIT_NAMES[time_unit_of(summary)]
    if "holdout_frequency" not in summary:
        raise ValueError("summary has no holdout columns: call summarize_transactions with calibration_end")
    x, t_x, T = rfm_arrays(summary)
    length = summary[f"holdout_{unit}"].to_numpy(dtype="float64")
    expected = model.conditional_expected_purchases(length, x, t_x, T)
    group = np.minimum(x, max_frequency).astype(int)
    table = pd.DataFrame({"group": group, "actual": summary["holdout_frequency"].to_numpy(),
                          "expected": expected})
    out = table.groupby("group").agg(customers=("actual", "size"), actual=("actual", "mean"),
                                     expected=("expected", "mean")).reset_index()
    out["frequency"] = [str(g) if g < max_frequency else f"{max_frequency}+" for g in out["group"]]
    return out[["frequency", "customers", "actual", "expected"]]


def repeat_purchase_tracking(
    model,
    transactions: pd.DataFrame,
    summary: pd.DataFrame,
    *,
    calibration_end,
    observation_end,
    customer_col: str = "customer_id",
    date_col: str = "date",
    merge_period: str = "D",
) -> pd.DataFrame:
    """Repeat purchases per time unit of the customers in ``summary``, actual vs model.

    Periods are whole time units laid out so that one period ends exactly at the
    calibration end, the summary's convention: a customer's age ``T`` is
    ``calibration_end − first purchase day`` and purchases *on* ``calibration_end`` belong
    to the calibration period. A period covers the days ``(e_{k−1}, e_k]`` after the earliest
    first purchase, so at the calibration edge ``actual_cumulative`` equals the summary's
    total ``frequency`` and ``expected_cumulative`` equals Σ_i E X(T_i) exactly.
    ``actual`` counts the customers' repeat purchase periods (merged as in the summary);
    ``expected`` is Σ_i [E X(a_i(end)) − E X(a_i(start))] with a_i the age of customer i
    (model of a new customer, ``model.expected_purchases``). Columns: ``period``,
    ``period_start`` (first day), ``actual``, ``expected``, ``actual_cumulative``,
    ``expected_cumulative``, ``holdout`` (bool: the period lies after calibration_end).
    """
    unit = time_unit_of(summary)
    days = UNIT_DAYS[unit]
    frame = _validated(transactions, customer_col, date_col, None)
    frame = frame.assign(customer=frame["customer"].astype("str"))
    frame = frame[frame["customer"].isin(summary.index)]
    frame["period"] = _floor(frame["date"], merge_period)
    periods = frame[["customer", "period"]].drop_duplicates().sort_values(["customer", "period"])
    first = periods.groupby("customer")["period"].transform("min")
    repeat = periods[periods["period"] > first]
    cal_end, obs_end = pd.Timestamp(calibration_end).floor("D"), pd.Timestamp(observation_end).floor("D")
    repeat = repeat[repeat["period"] <= obs_end]
    start = first.min()
    cal_since, obs_since = (cal_end - start).days, (obs_end - start).days
    first_edge = cal_since - days * np.ceil(cal_since / days)  # ≤ 0: an edge falls on cal_since
    n_periods = int(np.ceil((max(obs_since, cal_since) - first_edge) / days))
    edges = first_edge + np.arange(n_periods + 1) * days  # in days since start
    since = (repeat["period"] - start).dt.days.to_numpy()
    period = np.searchsorted(edges, since, side="left")  # edges[k-1] < since <= edges[k]
    actual = np.bincount(period, minlength=n_periods + 1)[1:]
    firsts = periods.groupby("customer")["period"].min()
    offsets = (firsts - start).dt.days.value_counts()
    offset_days = offsets.index.to_numpy(dtype="float64")
    counts = offsets.to_numpy(dtype="float64")
    ages = np.clip(edges[None, :] - offset_days[:, None], 0, None) / days
    cumulative = counts @ model.expected_purchases(ages)
    expected = np.diff(cumulative)
    starts = start + pd.to_timedelta(np.floor(edges[:-1]) + 1, unit="D")
    return pd.DataFrame({
        "period": np.arange(1, n_periods + 1), "period_start": starts, "actual": actual,
        "expected": expected, "actual_cumulative": np.cumsum(actual),
        "expected_cumulative": cumulative[1:], "holdout": edges[:-1] >= cal_since,
    })


def p_alive_grid(model, T: float, max_frequency: int = 20, n_recency: int = 20) -> pd.DataFrame:
    """P(alive) for frequency 0 … ``max_frequency`` (rows) × recency in [0, T] (columns)."""
    freq = np.arange(max_frequency + 1, dtype="float64")
    rec = np.linspace(0, T, n_recency)
    x, t_x = np.meshgrid(freq, rec, indexing="ij")
    prob = model.p_alive(x.ravel(), np.where(x.ravel() > 0, t_x.ravel(), 0.0), np.full(x.size, T))
    return pd.DataFrame(prob.reshape(x.shape), index=pd.Index(freq.astype(int), name="frequency"),
                        columns=pd.Index(np.round(rec, 2), name="recency"))
