"""The customer summary of :mod:`crm_analysis.clv.summary`, computed by DuckDB SQL.

Same definitions, same columns, same numbers as
:func:`~crm_analysis.clv.summary.summarize_transactions`, but the transactions are read
by DuckDB straight from CSV or Parquet files (a path or glob) or from a DataFrame, and the
aggregation streams, so the log can be larger than memory: only the per-customer result
(a few numbers per customer) is returned to pandas.  DuckDB spills to a temporary
directory when ``memory_limit`` is reached.

The SQL is plain aggregate SQL (GROUP BY, date_trunc, date_diff) and runs on other
engines (e.g. Spark SQL) with small dialect changes.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from .summary import UNIT_DAYS, UNIT_NAMES, check_units, wall_time

_TRUNC = {"D": "day", "W": "week", "M": "month"}


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _relation(source: str | os.PathLike | pd.DataFrame) -> str:
    if isinstance(source, pd.DataFrame):
        return "source_frame"
    text = str(source)
    if not any(ch in text for ch in "*?[") and not Path(text).exists():
        raise FileNotFoundError(f"transactions file {text!r} does not exist")
    lower = text.lower()
    if lower.endswith(".parquet") or lower.endswith(".pq"):
        return f"read_parquet({_literal(text)})"
    if lower.endswith((".csv", ".csv.gz", ".txt", ".tsv")):
        return f"read_csv({_literal(text)}, header = true)"
    raise ValueError(f"transactions file {text!r}: expected a .csv, .csv.gz or .parquet file")


def summarize_transactions_sql(
    source: str | os.PathLike | pd.DataFrame,
    *,
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str | None = "amount",
    time_unit: str = "W",
    merge_period: str = "D",
    calibration_end: str | pd.Timestamp | None = None,
    observation_end: str | pd.Timestamp | None = None,
    memory_limit: str | None = None,
    threads: int | None = None,
) -> pd.DataFrame:
    """DuckDB version of :func:`~crm_analysis.clv.summary.summarize_transactions`.

    ``source`` is a CSV/Parquet path or glob (read with a header; dates parsed by DuckDB)
    or a DataFrame.  ``memory_limit`` (e.g. ``"2GB"``) and ``threads`` are passed to
    DuckDB.  Bad rows (missing customer or date, missing or negative amount) raise
    ValueError with their count and up to 10 examples.
    """
    import duckdb  # the SQL engine is loaded where it is used, not by `import crm_analysis.clv`

    check_units(time_unit, merge_period)
    con = duckdb.connect()
    try:
        con.execute("SET enable_progress_bar = false")
        if memory_limit:
            con.execute(f"SET memory_limit = {_literal(memory_limit)}")
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        if isinstance(source, pd.DataFrame):
            if date_col in source and isinstance(source[date_col].dtype, pd.DatetimeTZDtype):
                source = source.assign(**{date_col: wall_time(source[date_col])})
            con.register("source_frame", source)
        rel = _relation(source)
        columns = [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {rel}").fetchall()]
        missing = [c for c in (customer_col, date_col, amount_col) if c and c not in columns]
        if missing:
            raise ValueError(f"transactions lack column(s) {missing}; they have {columns}")
        cust, date = _quote(customer_col), _quote(date_col)
        amount = f"TRY_CAST({_quote(amount_col)} AS DOUBLE)" if amount_col else "0.0"
        con.execute(
            f"CREATE TEMP VIEW tx AS SELECT CAST({cust} AS VARCHAR) AS customer, "
            f"TRY_CAST({date} AS TIMESTAMP) AS ts, {amount} AS amount FROM {rel}"
        )
        last = _check_rows(con, customer_col, date_col, amount_col)
        if last is None:
            raise ValueError("transactions are empty")
        last_day = pd.Timestamp(last).floor("D")
        obs_end = pd.Timestamp(observation_end) if observation_end is not None else last_day
        cal_end = pd.Timestamp(calibration_end) if calibration_end is not None else obs_end
        if cal_end > obs_end:
            raise ValueError(
                f"calibration_end {cal_end.date()} is after observation_end {obs_end.date()}"
            )
        unit, days = UNIT_NAMES[time_unit], UNIT_DAYS[time_unit]
        cal = f"DATE {_literal(str(cal_end.date()))}"
        obs = f"DATE {_literal(str(obs_end.date()))}"
        holdout_sql = ""
        if calibration_end is not None:
            holdout_sql = (
                ", coalesce(h.n, 0) AS holdout_frequency"
                ", coalesce(h.spend, 0.0) AS holdout_amount"
                f", {float((obs_end - cal_end).days) / days!r} AS holdout_{unit}"
            )
        period = "day" if merge_period == "D" else f"CAST(date_trunc('{_TRUNC[merge_period]}', day) AS DATE)"
        query = f"""
            WITH days AS (
                SELECT customer, CAST(ts AS DATE) AS day, amount FROM tx WHERE CAST(ts AS DATE) <= {obs}
            ),
            periods AS (
                SELECT customer, day <= {cal} AS in_cal, {period} AS period, sum(amount) AS spend
                FROM days GROUP BY customer, in_cal, period
            ),
            cal AS (
                SELECT customer,
                       count(*) - 1 AS frequency,
                       min(period) AS first_period,
                       max(period) AS last_period,
                       sum(spend) - arg_min(spend, period) AS repeat_spend
                FROM periods WHERE in_cal GROUP BY customer
            ),
            h AS (
                SELECT customer, count(*) AS n, sum(spend) AS spend
                FROM periods WHERE NOT in_cal GROUP BY customer
            )
            SELECT cal.customer AS customer_id,
                   CAST(frequency AS BIGINT) AS frequency,
                   date_diff('day', first_period, last_period) / {days!r} AS recency_{unit},
                   date_diff('day', first_period, {cal}) / {days!r} AS T_{unit},
                   CASE WHEN frequency > 0 THEN repeat_spend / frequency END AS monetary_value
                   {holdout_sql}
            FROM cal LEFT JOIN h ON cal.customer = h.customer
            ORDER BY customer_id
        """
        out = con.execute(query).df()
    finally:
        con.close()
    if out.empty:
        raise ValueError(f"no purchases on or before calibration_end {cal_end.date()}")
    out["customer_id"] = out["customer_id"].astype("str")
    out = out.set_index("customer_id")
    out["frequency"] = out["frequency"].astype("int64")
    out["monetary_value"] = out["monetary_value"].astype("float64")
    if not amount_col:
        out["monetary_value"] = 0.0
    if calibration_end is not None:
        out["holdout_frequency"] = out["holdout_frequency"].astype("int64")
        out["holdout_amount"] = out["holdout_amount"].astype("float64")
    return out


def _check_rows(con, customer_col: str, date_col: str, amount_col: str | None):
    """One scan: count bad rows per check (raising with examples) and return the last timestamp."""
    checks = [
        ("customer IS NULL", customer_col, "is missing"),
        ("ts IS NULL", date_col, "is missing or not a date"),
    ]
    if amount_col:
        checks += [
            ("amount IS NULL OR isinf(amount) OR isnan(amount)", amount_col,
             "is missing or not a finite number"),
            ("amount < 0", amount_col, "is negative (net returns against their purchases first)"),
        ]
    counts = ", ".join(f"count_if({condition})" for condition, _, _ in checks)
    *bad, last = con.execute(f"SELECT {counts}, max(ts) FROM tx").fetchone()
    for n, (condition, column, problem) in zip(bad, checks):
        if n:
            examples = con.execute(f"SELECT * FROM tx WHERE {condition} LIMIT 10").fetchall()
            raise ValueError(
                f"column {column!r} {problem} in {n} rows, e.g. (customer, date, amount) {examples}"
            )
    return last
