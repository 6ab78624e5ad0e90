"""Per-customer frequency / recency / age / monetary summaries of a transaction log (pandas).

The buy-till-you-die models (BG/NBD, Pareto/NBD, Gamma-Gamma) need, for each customer:

* ``frequency`` — number of *repeat* purchase periods: purchases are first merged per
  ``merge_period`` (a day by default, so several orders on one day count once), and the
  first purchase period is not counted;
* ``recency_<unit>`` (t_x) — time from the first to the last purchase period, in
  ``time_unit``.  This is **not** RFM recency: RFM recency is the time since the last
  purchase (``T − t_x`` here); t_x grows with loyalty, RFM recency shrinks;
* ``T_<unit>`` — the customer's age: time from the first purchase period to the end of
  the calibration period, in ``time_unit``;
* ``monetary_value`` — mean spend per repeat purchase period (currency of ``amount``;
  NaN when ``frequency`` is 0, because the first purchase is not used, as in Fader,
  Hardie & Lee 2005).

With ``calibration_end`` the log is split before merging: the summary above uses purchases
up to and including ``calibration_end``; ``holdout_frequency`` counts merged purchase
periods of the purchases in (``calibration_end``, ``observation_end``] and
``holdout_amount`` is their spend;
``holdout_<unit>`` is the holdout length.  Customers whose first purchase is after
``calibration_end`` are not in the calibration cohort and are left out.

Time units: ``"D"`` days, ``"W"`` weeks (7 days), ``"M"`` months (365.25/12 days).
Times are whole days (dates are floored to the day) divided by the unit's length, so
weekly recency can be fractional (e.g. 30.43 weeks), as in the published CDNOW analyses.
Merge periods: ``"D"`` calendar day, ``"W"`` ISO week (Monday start), ``"M"`` calendar
month; a merged period is dated by its first day.

:func:`crm_analysis.clv.summary_sql.summarize_transactions_sql` computes the same table
with DuckDB from CSV/Parquet files larger than memory.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Length of one time unit in days.
UNIT_DAYS = {"D": 1.0, "W": 7.0, "M": 365.25 / 12.0}
UNIT_NAMES = {"D": "days", "W": "weeks", "M": "months"}
MERGE_PERIODS = ("D", "W", "M")


def check_units(time_unit: str, merge_period: str) -> None:
    """Raise ValueError unless ``time_unit`` and ``merge_period`` are D, W or M."""
    if time_unit not in UNIT_DAYS:
        raise ValueError(f"time_unit must be one of {sorted(UNIT_DAYS)}, got {time_unit!r}")
    if merge_period not in MERGE_PERIODS:
        raise ValueError(f"merge_period must be one of {MERGE_PERIODS}, got {merge_period!r}")


def summary_columns(time_unit: str, holdout: bool) -> list[str]:
    """Column names of a summary in ``time_unit`` (with or without the holdout columns)."""
    unit = UNIT_NAMES[time_unit]
    columns = ["frequency", f"recency_{unit}", f"T_{unit}", "monetary_value"]
    if holdout:
        columns += ["holdout_frequency", "holdout_amount", f"holdout_{unit}"]
    return columns


def _bad_rows(frame: pd.DataFrame, mask: pd.Series, column: str, problem: str) -> None:
    if mask.any():
        rows = list(frame.index[mask.to_numpy()][:10])
        raise ValueError(
            f"column {column!r} {problem} in {int(mask.sum())} rows, e.g. rows {rows}"
        )


def _validated(
    transactions: pd.DataFrame, customer_col: str, date_col: str, amount_col: str | None
) -> pd.DataFrame:
    missing = [c for c in (customer_col, date_col, amount_col) if c and c not in transactions]
    if missing:
        raise ValueError(
            f"transactions lack column(s) {missing}; they have {list(transactions.columns)}"
        )
    frame = pd.DataFrame(
        {
            "customer": transactions[customer_col],
            "date": transactions[date_col],
            "amount": transactions[amount_col] if amount_col else 0.0,
        },
        index=transactions.index,
    )
    _bad_rows(frame, frame["customer"].isna(), customer_col, "is missing")
    if not pd.api.types.is_datetime64_any_dtype(frame["date"]):
        parsed = pd.to_datetime(frame["date"], format="mixed", errors="coerce")
        _bad_rows(frame, parsed.isna() & frame["date"].notna(), date_col, "is not a date")
        frame["date"] = parsed
    _bad_rows(frame, frame["date"].isna(), date_col, "is missing")
    if amount_col:
        amount = pd.to_numeric(frame["amount"], errors="coerce")
        _bad_rows(frame, ~np.isfinite(amount.to_numpy(dtype=float, na_value=np.nan)),
                  amount_col, "is missing or not a finite number")
        _bad_rows(frame, amount < 0, amount_col,
                  "is negative (net returns against their purchases first)")
        frame["amount"] = amount.astype("float64")
    frame["customer"] = frame["customer"].astype("str")
    return frame


def _floor(dates: pd.Series, merge_period: str) -> pd.Series:
    day = dates.dt.floor("D")
    if merge_period == "D":
        return day
    if merge_period == "W":
        return day - pd.to_timedelta(day.dt.day_of_week, unit="D")
    return day - pd.to_timedelta(day.dt.day - 1, unit="D")


def summarize_transactions(
    transactions: pd.DataFrame,
    *,
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str | None = "amount",
    time_unit: str = "W",
    merge_period: str = "D",
    calibration_end: str | pd.Timestamp | None = None,
    observation_end: str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Summarize a transaction log per customer (see the module docstring for definitions).

    Parameters
    ----------
    transactions : one row per purchase (line); other columns are ignored.
    customer_col, date_col, amount_col : column names; ``amount_col=None`` when there is no
        spend (``monetary_value`` is then 0).
    time_unit : ``"D"``, ``"W"`` or ``"M"``: the unit of recency, age and holdout length.
    merge_period : purchases of one customer in the same ``"D"``/``"W"``/``"M"`` period are
        one purchase (their amounts are summed).
    calibration_end : last day (inclusive) of the calibration period; ``None`` uses all
        purchases and no holdout columns.
    observation_end : last day (inclusive) of the holdout (default: the last purchase date);
        with ``calibration_end=None`` it is the date at which ``T`` is measured.

    Returns
    -------
    DataFrame indexed by ``customer_id`` (str, sorted) with the columns of
    :func:`summary_columns`; ``frequency``/``holdout_frequency`` are int64.
    """
    check_units(time_unit, merge_period)
    frame = _validated(transactions, customer_col, date_col, amount_col)
    if frame.empty:
        raise ValueError("transactions are empty")
    last_day = frame["date"].max().floor("D")
    obs_end = pd.Timestamp(observation_end) if observation_end is not None else last_day
    cal_end = pd.Timestamp(calibration_end) if calibration_end is not None else obs_end
    if cal_end > obs_end:
        raise ValueError(f"calibration_end {cal_end.date()} is after observation_end {obs_end.date()}")
    # Split purchases at calibration_end first, then merge within each side, so a week or
    # month that straddles calibration_end contributes one purchase to each side.
    frame["in_cal"] = frame["date"].dt.floor("D") <= cal_end
    frame["period"] = _floor(frame["date"], merge_period)
    per_period = frame.groupby(["customer", "in_cal", "period"], sort=False)["amount"].sum().reset_index()
    in_cal = per_period["in_cal"]
    cal = per_period[in_cal]
    if cal.empty:
        raise ValueError(f"no purchases on or before calibration_end {cal_end.date()}")
    grouped = cal.groupby("customer", sort=True)
    first = grouped["period"].min()
    last = grouped["period"].max()
    count = grouped["period"].size()
    total = grouped["amount"].sum()
    first_spend = cal.loc[cal.groupby("customer")["period"].idxmin(), ["customer", "amount"]]
    first_spend = first_spend.set_index("customer")["amount"].reindex(first.index)
    unit = UNIT_NAMES[time_unit]
    days = UNIT_DAYS[time_unit]
    frequency = (count - 1).astype("int64")
    with np.errstate(invalid="ignore", divide="ignore"):
        monetary = ((total - first_spend) / frequency).where(frequency > 0)
    out = pd.DataFrame(
        {
            "frequency": frequency,
            f"recency_{unit}": (last - first).dt.days.astype("float64") / days,
            f"T_{unit}": (cal_end - first).dt.days.astype("float64") / days,
            "monetary_value": monetary.astype("float64") if amount_col else 0.0,
        }
    )
    if calibration_end is not None:
        hold = frame[~frame["in_cal"] & (frame["date"].dt.floor("D") <= obs_end)]
        hold = hold.groupby(["customer", "period"], sort=False)["amount"].sum().reset_index()
        hold_grouped = hold.groupby("customer")
        out["holdout_frequency"] = (
            hold_grouped["period"].size().reindex(out.index, fill_value=0).astype("int64")
        )
        out["holdout_amount"] = (
            hold_grouped["amount"].sum().reindex(out.index, fill_value=0.0).astype("float64")
        )
        out[f"holdout_{unit}"] = (obs_end - cal_end).days / days
    out.index = out.index.astype("str")
    out.index.name = "customer_id"
    return out


def time_unit_of(summary: pd.DataFrame) -> str:
    """The time unit (``"D"``, ``"W"``, ``"M"``) of a summary, read from its column names."""
    for code, name in UNIT_NAMES.items():
        if f"recency_{name}" in summary.columns and f"T_{name}" in summary.columns:
            return code
    raise ValueError(
        "summary needs columns frequency, recency_<unit> and T_<unit> with unit days, weeks "
        f"or months (from summarize_transactions); it has {list(summary.columns)}"
    )


def rfm_arrays(summary: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(x, t_x, T)`` float arrays of a summary, after checking them row by row.

    Raises ValueError naming the column and customers when frequency is negative or not
    whole, recency is negative or above T, or T is not positive.
    """
    unit = UNIT_NAMES[time_unit_of(summary)]
    x = summary["frequency"].to_numpy(dtype="float64")
    t_x = summary[f"recency_{unit}"].to_numpy(dtype="float64")
    T = summary[f"T_{unit}"].to_numpy(dtype="float64")
    checks = [
        ("frequency", ~np.isfinite(x) | (x < 0) | (x != np.round(x)), "is not a whole number >= 0"),
        (f"recency_{unit}", ~np.isfinite(t_x) | (t_x < 0) | (t_x > T), "is not in [0, T]"),
        (f"T_{unit}", ~np.isfinite(T) | (T < 0), "is negative or missing"),
        (f"recency_{unit}", (x == 0) & (t_x != 0), "is not 0 for a customer with frequency 0"),
    ]
    for column, bad, problem in checks:
        if bad.any():
            ids = list(summary.index[bad][:10])
            raise ValueError(f"column {column!r} {problem} for {int(bad.sum())} customers, e.g. {ids}")
    return x, t_x, T
