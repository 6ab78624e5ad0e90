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
Times are whole days divided by the unit's length, so weekly recency can be fractional
(e.g. 30.43 weeks), as in the published CDNOW analyses.
Merge periods: ``"D"`` calendar day, ``"W"`` ISO week (Monday start), ``"M"`` calendar
month; a merged period is dated by its first day.

Day boundaries and window lengths (the one definition every engine — pandas here, DuckDB
in :mod:`.summary_sql`, Spark in :mod:`.summary_spark` — uses; :class:`SummaryWindow`):

* a purchase's **day** is the calendar day of its wall-clock time where it was recorded:
  a naive date as it is; a time-zone-aware date in its own zone's local time; a text date
  with a UTC offset (``2024-02-01 00:30+01:00``) as written, the offset dropped
  (:data:`UTC_OFFSET`), never converted to UTC or to the machine's zone;
* ``calibration_end`` and ``observation_end`` name **days**: a time of day is dropped
  (``"1997-09-30 12:00"`` means all of 30 September), so every length — T, the holdout —
  is a whole number of days divided by the unit's length (the holdout from 1997-09-30
  12:00 to 1998-06-30 is 273 days = 39.0 weeks in every engine);
* all arithmetic on days is on integers (days since 1970-01-01); the one division by the
  unit's length happens in :func:`assemble_summary`, shared by the engines.

:func:`crm_analysis.clv.summary_sql.summarize_transactions_sql` computes the same table
with DuckDB from CSV/Parquet files larger than memory.

The aggregation is written with numpy (factorize, one sort of a packed integer key, reduceat)
instead of chained pandas group-bys because it is several times faster on logs of tens
of millions of rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..common import require_columns

#: A UTC offset (or ``Z``) after a time of day at the end of a text date; the engines drop
#: it to keep the wall-clock time as written. Group 1 is the date and time before it.
#: Written for both Python ``re`` / RE2 (DuckDB) and Java regex (Spark).
UTC_OFFSET = r"^(.*[0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?) *(Z|[+-][0-9]{2}(:?[0-9]{2})?)$"

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


def _bad_rows(index: pd.Index, mask, column: str, problem: str) -> None:
    mask = np.asarray(mask, dtype=bool)
    if mask.any():
        rows = list(index[mask][:10])
        raise ValueError(f"column {column!r} {problem} in {int(mask.sum())} rows, e.g. rows {rows}")


def _validated_columns(
    transactions: pd.DataFrame, customer_col: str, date_col: str, amount_col: str | None
) -> tuple[pd.Series, pd.Series, np.ndarray]:
    """``(customer, date, amount)`` after checking them; errors name the column and rows."""
    require_columns(transactions, [c for c in (customer_col, date_col, amount_col) if c], "transactions")
    index = transactions.index
    customer, date = transactions[customer_col], transactions[date_col]
    _bad_rows(index, customer.isna(), customer_col, "is missing")
    if not pd.api.types.is_datetime64_any_dtype(date):
        text = date.astype("str").str.strip().str.replace(UTC_OFFSET, r"\1", regex=True)
        parsed = pd.to_datetime(text.where(date.notna()), format="mixed", errors="coerce")
        _bad_rows(index, parsed.isna() & date.notna(), date_col, "is not a date")
        date = parsed
    _bad_rows(index, date.isna(), date_col, "is missing")
    date = wall_time(date)
    if not amount_col:
        return customer, date, np.zeros(len(index))
    amount = transactions[amount_col]
    if not pd.api.types.is_float_dtype(amount):
        amount = pd.to_numeric(amount, errors="coerce")
    amount = amount.to_numpy(dtype="float64", na_value=np.nan)
    _bad_rows(index, ~np.isfinite(amount), amount_col, "is missing or not a finite number")
    _bad_rows(index, amount < 0, amount_col, "is negative (net returns against their purchases first)")
    return customer, date, amount


def wall_time(dates: pd.Series) -> pd.Series:
    """Time-zone-aware dates as the local wall-clock time of their own zone (a purchase at
    00:30 in Paris is on that Paris day, whatever the machine's zone); others unchanged."""
    if isinstance(dates.dtype, pd.DatetimeTZDtype):
        return dates.dt.tz_localize(None)
    return dates


def _validated(
    transactions: pd.DataFrame, customer_col: str, date_col: str, amount_col: str | None
) -> pd.DataFrame:
    """The checked columns as a frame ``customer``, ``date``, ``amount``."""
    customer, date, amount = _validated_columns(transactions, customer_col, date_col, amount_col)
    return pd.DataFrame({"customer": customer, "date": date, "amount": amount}, index=transactions.index)


def _floor(dates: pd.Series, merge_period: str) -> pd.Series:
    """First day of each date's merge period, as dates (through :func:`_period_start`,
    the one implementation of the merge-period floor; the SQL engine's ``date_trunc`` in
    :mod:`.summary_sql` is the same rule written in SQL)."""
    day = _days_since_epoch(dates.to_numpy())  # naive local dates (from _validated)
    start = _period_start(day, merge_period)
    return pd.Series(start.astype("datetime64[D]").astype("datetime64[ns]"), index=dates.index,
                     name=dates.name)


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
    customer, date, amount = _validated_columns(transactions, customer_col, date_col, amount_col)
    if len(customer) == 0:
        raise ValueError("transactions are empty")
    day = _days_since_epoch(date.to_numpy())
    window = SummaryWindow.of(int(day.max()), calibration_end, observation_end)
    cal_day, obs_day = window.cal_day, window.obs_day
    customers, codes = _sorted_codes(customer)
    if day.max() > obs_day:
        keep = day <= obs_day
        day, codes, amount = day[keep], codes[keep], amount[keep]
    period = _period_start(day, merge_period)
    # Split purchases at calibration_end first, then merge within each side, so a week or
    # month that straddles calibration_end contributes one purchase to each side.
    # One int64 key per row, customer code in the high bits, then period, then the holdout
    # flag; sorting it groups rows by (customer, period, side) in period order.
    base = int(period.min())
    bits = max(int(period.max() - base).bit_length(), 1) + 1
    key = (codes << bits) | ((period - base) << 1) | (day > cal_day)
    key, order = _sort_with_order(key)
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    spend = np.add.reduceat(amount[order], starts)
    ukey = key[starts]
    cal = (ukey & 1) == 0
    if not cal.any():
        raise ValueError(f"no purchases on or before calibration_end {window.cal_date}")
    c_key, c_spend = ukey[cal], spend[cal]
    c_cust, c_period = c_key >> bits, ((c_key & ((1 << bits) - 1)) >> 1) + base
    firsts = np.flatnonzero(np.r_[True, c_cust[1:] != c_cust[:-1]])
    lasts = np.r_[firsts[1:], c_cust.size] - 1
    ids = c_cust[firsts]
    parts = {
        "frequency": lasts - firsts,
        "first_period": c_period[firsts],
        "last_period": c_period[lasts],
        "repeat_spend": np.add.reduceat(c_spend, firsts) - c_spend[firsts],
    }
    if window.holdout:
        h_cust = ukey[~cal] >> bits
        parts["holdout_frequency"] = np.bincount(h_cust, minlength=len(customers))[ids]
        parts["holdout_amount"] = np.bincount(h_cust, weights=spend[~cal], minlength=len(customers))[ids]
    return assemble_summary(customers.take(ids), parts, window, time_unit, amount_col is not None)


def assemble_summary(customer_ids, parts: dict, window: "SummaryWindow", time_unit: str,
                     has_amount: bool = True) -> pd.DataFrame:
    """The summary frame from per-customer integer parts, shared by every engine.

    ``parts`` holds arrays aligned with ``customer_ids`` (already sorted as text):
    ``frequency`` (repeat periods), ``first_period`` and ``last_period`` (days since
    1970-01-01 of the first and last calibration period), ``repeat_spend`` (spend of the
    calibration periods after the first) and, with a holdout, ``holdout_frequency`` and
    ``holdout_amount`` (NaN/missing for customers without holdout purchases: 0).  The
    only divisions of the summary are here, so the engines agree to the last bit on
    every time column.
    """
    unit, days = UNIT_NAMES[time_unit], UNIT_DAYS[time_unit]
    frequency = np.asarray(parts["frequency"], dtype="int64")
    first = np.asarray(parts["first_period"], dtype="int64")
    last = np.asarray(parts["last_period"], dtype="int64")
    with np.errstate(invalid="ignore", divide="ignore"):
        monetary = np.where(frequency > 0, np.asarray(parts["repeat_spend"], dtype="float64") / frequency,
                            np.nan)
    columns = {
        "frequency": frequency,
        f"recency_{unit}": (last - first).astype("float64") / days,
        f"T_{unit}": (window.cal_day - first).astype("float64") / days,
        "monetary_value": monetary if has_amount else np.zeros(len(frequency)),
    }
    if window.holdout:  # missing (a customer without holdout purchases, from a join) is 0
        columns["holdout_frequency"] = pd.Series(parts["holdout_frequency"]).fillna(0).to_numpy(dtype="int64")
        columns["holdout_amount"] = pd.Series(parts["holdout_amount"], dtype="float64").fillna(0.0).to_numpy()
        columns[f"holdout_{unit}"] = np.full(len(frequency), float(window.obs_day - window.cal_day) / days)
    # one frame from all columns at once: adding columns one by one copies the block each time
    return pd.DataFrame(columns, index=pd.Index(customer_ids, dtype="str", name="customer_id"), copy=False)


@dataclass(frozen=True)
class SummaryWindow:
    """The analysis window in whole days since 1970-01-01 (see the module docstring).

    ``cal_day``: last day of the calibration period (inclusive); ``obs_day``: last day of
    the observation (inclusive); ``holdout``: whether a calibration end was given (the
    summary then has holdout columns).
    """

    cal_day: int
    obs_day: int
    holdout: bool

    @classmethod
    def of(cls, last_day: int, calibration_end=None, observation_end=None) -> "SummaryWindow":
        """The window for a log whose last purchase day is ``last_day`` (days since epoch);
        ``calibration_end``/``observation_end`` as in :func:`summarize_transactions`,
        each floored to its day (a time-zone-aware end in its own local day)."""
        obs_day = _day_of(observation_end, "observation_end") if observation_end is not None else int(last_day)
        cal_day = _day_of(calibration_end, "calibration_end") if calibration_end is not None else obs_day
        if cal_day > obs_day:
            raise ValueError(
                f"calibration_end {_iso(cal_day)} is after observation_end {_iso(obs_day)}"
            )
        return cls(cal_day, obs_day, calibration_end is not None)

    @property
    def cal_date(self) -> str:
        """``cal_day`` as an ISO date."""
        return _iso(self.cal_day)

    @property
    def obs_date(self) -> str:
        """``obs_day`` as an ISO date."""
        return _iso(self.obs_day)


def _iso(day: int) -> str:
    return str(np.datetime64(int(day), "D"))


def _day_of(value, name: str) -> int:
    """Days since 1970-01-01 of a window end's own calendar day (time of day dropped)."""
    try:
        if isinstance(value, str):
            value = re.sub(UTC_OFFSET, r"\1", value.strip())
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError) as err:
        raise ValueError(f"{name} {value!r} is not a date (use an ISO date like '1997-09-30')") from err
    if stamp is pd.NaT:
        raise ValueError(f"{name} {value!r} is not a date (use an ISO date like '1997-09-30')")
    if stamp.tzinfo is not None:
        stamp = stamp.tz_localize(None)
    return int((stamp.floor("D") - _EPOCH).days)


_EPOCH = pd.Timestamp("1970-01-01")


def _sorted_codes(customer: pd.Series) -> tuple[pd.Index, np.ndarray]:
    """Customer ids as text (a ``str`` Index), sorted, and each row's integer code into them.

    Factorized unsorted, then only the distinct ids are sorted (as text, also for
    integer ids): cheaper than ``factorize(sort=True)`` on millions of rows.
    """
    codes, uniques = pd.factorize(customer, sort=False)
    text = pd.Index(uniques).astype("str")
    order = text.argsort()
    rank = np.empty(order.size, dtype="int64")
    rank[order] = np.arange(order.size)
    return text.take(order), rank[codes]


def _days_since_epoch(dates: np.ndarray) -> np.ndarray:
    """Whole days since 1970-01-01 (floored) of a ``datetime64`` array, as int64."""
    unit, _ = np.datetime_data(dates.dtype)
    ticks_per_day = np.timedelta64(1, "D") // np.timedelta64(1, unit)
    return dates.view("int64") // ticks_per_day


def _sort_with_order(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(np.sort(key), order)`` with ``key[order]`` sorted, for non-negative int64 keys.

    When the key and a row number fit in 63 bits together, the row number is packed
    into the low bits and one plain sort does the work: several times faster than
    ``np.argsort`` on tens of millions of rows. Equal keys keep their row order.
    """
    row_bits = max(int(key.size - 1).bit_length(), 1)
    if int(key.max()).bit_length() + row_bits > 63:
        order = np.argsort(key, kind="stable")
        return key[order], order
    packed = (key << row_bits) | np.arange(key.size, dtype="int64")
    packed.sort()
    return packed >> row_bits, packed & ((1 << row_bits) - 1)


def _period_start(day: np.ndarray, merge_period: str) -> np.ndarray:
    """First day (days since 1970-01-01) of each day's merge period."""
    if merge_period == "D":
        return day
    if merge_period == "W":
        return day - (day + 3) % 7  # 1970-01-01 was a Thursday; weeks start on Monday
    months = day.astype("datetime64[D]").astype("datetime64[M]")
    return months.astype("datetime64[D]").astype("int64")


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
