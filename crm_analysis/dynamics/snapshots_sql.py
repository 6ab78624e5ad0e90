"""Status snapshots (:func:`~crm_analysis.dynamics.snapshots.status_snapshots`) computed
by a SQL engine: DuckDB on this machine or Apache Spark on a cluster, from one SQL text.

What runs where, and why:

* **In the engine** (the log-sized part): the purchase lines are read from CSV/Parquet
  files (or a DataFrame), checked for bad rows, folded into purchases (one per customer
  and calendar day, amounts summed) and then into purchase-day counts and spend per
  customer and period.  DuckDB streams the files and spills to disk, so the log may be
  larger than memory; Spark (``engine="spark"``) reads any path the user's
  ``SparkSession`` reads (local, ``hdfs://``, ``s3a://``) and runs on its cluster (or on
  a local session the package starts, ``local[*]``).
* **In numpy** (the small part, customers × periods): recency states, value tiers cut at
  quantiles of spend, the :class:`~.snapshots.Snapshots` —
  :func:`~.snapshots.snapshots_from_periods`, the finishing step the numpy engine uses too,
  so the engines cannot drift apart in the definitions of states and tiers.

Two queries, written once over the view ``tx(customer, ts, amount)`` of
:mod:`crm_analysis.clv.summary_sql` and differing between DuckDB and Spark only in the
:class:`~crm_analysis.clv.summary_sql.Dialect` (day number of a timestamp, conditional
count) and in how the relation is read: :func:`bounds_query` (bad rows, last day, first
purchase day on or before ``as_of``; one scan) and :func:`periods_query` (the
aggregation).  The period ends come from :func:`~.snapshots.period_ends`, as in numpy, and
enter the query as a ``CASE`` over their day numbers (period ``j`` holds the days in
``(end[j-1], end[j]]``).

Units: days are integers (days since 1970-01-01), calendar days of the wall-clock time
(time of day dropped; stored instants read in the data's zone, see
:mod:`crm_analysis.clv.summary_sql`); spend is in the data's currency.  Purchase counts,
states and period ends equal numpy's exactly; spend sums agree to rounding (engines add in
different orders), so a customer-period whose spend lies within rounding of a tier cut
point could fall in the other tier — with amounts in whole cents that sum exactly in
binary (e.g. multiples of 1/4) they cannot differ at all.  Customer ids come back as text.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from crm_analysis.clv.summary_sql import (DUCKDB, SPARK, Dialect, check_query, duckdb_connection, open_tx,
                                         raise_bad_rows)

from .snapshots import Snapshots, as_of_day, check_options, snapshot_period_ends, snapshots_from_periods

ENGINES = ("duckdb", "spark")


def bounds_query(dialect: Dialect, customer_col: str, date_col: str, amount_col: str,
                 as_of: int | None) -> tuple[str, list]:
    """``(sql, checks)``: one scan of ``tx`` counting each kind of bad row (``checks`` as
    in :func:`~crm_analysis.clv.summary_sql.check_query`), then the last purchase day and
    the first purchase day on or before ``as_of`` (a day number; ``None``: no cut)."""
    _, checks = check_query(dialect, customer_col, date_col, amount_col)
    counts = ", ".join(dialect.count_if(condition) for condition, _, _ in checks)
    first = "min(day)" if as_of is None else f"min(CASE WHEN day <= {int(as_of)} THEN day END)"
    return (f"SELECT {counts}, max(day), {first} "
            f"FROM (SELECT customer, ts, amount, {dialect.day_number('ts')} AS day FROM tx) AS t"), checks


def period_case(end_days, day: str = "day") -> str:
    """SQL: the index of the period holding ``day``: the first ``j`` with
    ``day <= end_days[j]`` (numpy ``searchsorted(end_days, day, side="left")``) for
    days up to the last end."""
    ends = [int(d) for d in end_days]
    if len(ends) == 1:
        return "0"
    whens = " ".join(f"WHEN {day} <= {d} THEN {j}" for j, d in enumerate(ends[:-1]))
    return f"CASE {whens} ELSE {len(ends) - 1} END"


def periods_query(dialect: Dialect, last_day: int, end_days) -> str:
    """The aggregation over ``tx``: purchase lines up to ``last_day`` → purchases (one per
    customer and day, amounts summed) → one row per customer and period with
    ``customer, period, purchases, spend``."""
    return f"""
        WITH days AS (
            SELECT customer, day, sum(amount) AS spend
            FROM (SELECT customer, {dialect.day_number('ts')} AS day, amount FROM tx) AS lines
            WHERE day <= {int(last_day)}
            GROUP BY customer, day
        ),
        periods AS (
            SELECT customer, {period_case(end_days)} AS period, spend FROM days
        )
        SELECT customer, period, count(*) AS purchases, sum(spend) AS spend
        FROM periods GROUP BY customer, period
    """


def snapshots_from_table(table: pd.DataFrame, ends: pd.DatetimeIndex, **options) -> Snapshots:
    """The :class:`Snapshots` from the long result of :func:`periods_query` (any row order):
    customers sorted as numpy sorts them, then :func:`~.snapshots.snapshots_from_periods`."""
    codes, uniques = pd.factorize(table["customer"].astype("str"), sort=True)
    n, n_t = len(uniques), len(ends)
    cell = codes.astype(np.int64) * n_t + table["period"].to_numpy(dtype=np.int64)
    purchases = np.zeros(n * n_t, dtype=np.int32)
    spend = np.zeros(n * n_t)
    purchases[cell] = table["purchases"].to_numpy(dtype=np.int64)
    spend[cell] = table["spend"].to_numpy(dtype=float)
    return snapshots_from_periods(pd.Index(uniques, name="customer_id"), ends, purchases.reshape(n, n_t),
                                  spend.reshape(n, n_t), **options)


def _run(dialect: Dialect, fetch_one, fetch_frame, examples, as_of, columns, options) -> Snapshots:
    """The two queries on an engine whose ``tx`` view exists, then the shared finish."""
    given = None if as_of is None or as_of == "" else as_of_day(as_of, 0)
    sql, checks = bounds_query(dialect, *columns, given)
    *bad, last, first = fetch_one(sql)
    raise_bad_rows(bad, checks, examples)
    if last is None:
        raise ValueError("transactions are empty")
    last_day = as_of_day(as_of, last)
    if first is None:
        raise ValueError(f"transactions: no purchase on or before as_of {as_of}")
    ends, end_days = snapshot_period_ends(int(first), last_day, options["period_months"])
    return snapshots_from_table(fetch_frame(periods_query(dialect, last_day, end_days)), ends, **options)


def status_snapshots_sql(
    source,
    *,
    engine: str = "duckdb",
    spark=None,
    as_of=None,
    period_months: int = 3,
    n_recency_states: int = 4,
    n_value_tiers: int = 3,
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str = "amount",
    time_zone: str | None = None,
    memory_limit: str | None = None,
) -> Snapshots:
    """:func:`~crm_analysis.dynamics.snapshots.status_snapshots` run by DuckDB or Spark.

    ``source``: a CSV/Parquet path or glob (CSV with a header; for Spark also a Parquet
    folder or any URL the session reads), a pandas DataFrame, or (Spark) a Spark DataFrame.
    ``engine``: ``"duckdb"`` or ``"spark"``; ``spark``: the ``SparkSession`` to use
    (default: :func:`crm_analysis.clv.summary_spark.local_spark_session`, ``local[*]``;
    needs the ``spark`` extra and Java 17+).  ``as_of``, ``period_months``,
    ``n_recency_states``, ``n_value_tiers``: as in ``status_snapshots``.
    ``time_zone``: the zone in which stored instants are read (default the file's, else
    UTC); ``memory_limit`` (DuckDB, e.g. ``"2GB"``): spill to disk past it.

    Returns the same :class:`~.snapshots.Snapshots` as ``status_snapshots`` (customer ids
    as text).  Bad rows (missing customer or date, missing, non-numeric or negative
    amount) raise ValueError naming the column, the number of rows and examples.
    """
    check_options(period_months, n_recency_states, n_value_tiers)
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}")
    options = dict(period_months=period_months, n_recency_states=n_recency_states, n_value_tiers=n_value_tiers)
    columns = (customer_col, date_col, amount_col)
    if engine == "duckdb":
        return _duckdb(source, as_of, columns, options, time_zone, memory_limit)
    return _spark(source, spark, as_of, columns, options, time_zone)


def _duckdb(source, as_of, columns, options, time_zone, memory_limit) -> Snapshots:
    if not isinstance(source, (pd.DataFrame, str, os.PathLike)):
        raise ValueError(f"engine='duckdb' reads a CSV/Parquet path or a pandas DataFrame, got {type(source).__name__}")
    con = duckdb_connection(memory_limit)
    try:
        open_tx(con, source, *columns, time_zone)
        return _run(DUCKDB, lambda sql: con.execute(sql).fetchone(), lambda sql: con.execute(sql).df(),
                    lambda c: con.execute(f"SELECT * FROM tx WHERE {c} LIMIT 10").fetchall(),
                    as_of, columns, options)
    finally:
        con.close()


def _spark(source, spark, as_of, columns, options, time_zone) -> Snapshots:
    from crm_analysis.clv.summary_spark import local_spark_session, tx_view

    spark = spark or local_spark_session()
    with tx_view(spark, source, *columns, time_zone):
        return _run(SPARK, lambda sql: tuple(spark.sql(sql).collect()[0]), lambda sql: spark.sql(sql).toPandas(),
                    lambda c: [tuple(r) for r in spark.sql(f"SELECT * FROM tx WHERE {c} LIMIT 10").collect()],
                    as_of, columns, options)
