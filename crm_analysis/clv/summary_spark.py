"""The customer summary of :mod:`crm_analysis.clv.summary` on Apache Spark (pyspark).

The same SQL text as the DuckDB engine (:mod:`.summary_sql`: :func:`check_query`,
:func:`summary_query` in the Spark :data:`~.summary_sql.SPARK` dialect), run by a
``SparkSession``: the one the caller passes (a cluster: ``spark://host:7077``, YARN,
Kubernetes, Databricks) or one the package starts in local mode (``local[*]``).  Files are
read by Spark from any path it can read (local, ``hdfs://``, ``s3a://`` through the
session's own configuration); only the per-customer result is collected to pandas.

Install with ``pip install crm-workbook[spark]`` (pyspark; needs Java 17 or newer).

Day boundaries are those of :mod:`.summary`: text dates (CSV is read as text) have their
UTC offset dropped and are parsed as ``TIMESTAMP_NTZ`` (wall-clock time); Parquet
timestamps written without a zone are read as ``TIMESTAMP_NTZ``; timestamps stored as
instants are read in the session time zone, which is set to ``time_zone`` (default: the
zone stored in a local Parquet file, else UTC) for the query and restored afterwards.
"""

from __future__ import annotations

import os
from contextlib import contextmanager

import pandas as pd

from .summary import SummaryWindow, _days_since_epoch, _validated_columns, check_units
from .summary_sql import (SPARK, check_query, finish, parquet_time_zone, raise_bad_rows, refuse_nanosecond_parquet,
                          summary_query, tx_select)


def local_spark_session(master: str = "local[*]", app_name: str = "crm-workbook", **conf):
    """A SparkSession (``getOrCreate``: an active session is reused) with the settings the
    summaries rely on: Arrow transfers, a small shuffle for one machine, quiet logs.

    ``conf`` keys use underscores for dots (``spark_driver_memory="4g"``).
    """
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.master(master).appName(app_name)
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.shuffle.partitions", str(max(os.cpu_count() or 1, 2) * 2))
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
    )
    for key, value in conf.items():
        builder = builder.config(key.replace("_", "."), str(value))
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _source_frame(spark, source, customer_col, date_col, amount_col):
    """``(Spark DataFrame, date kind, zone)`` of a path or a pandas DataFrame."""
    if isinstance(source, pd.DataFrame):
        customer, date, amount = _validated_columns(source, customer_col, date_col, amount_col)
        day = _days_since_epoch(date.to_numpy())
        # ship integer days: pandas datetimes would be shifted by the session zone
        frame = pd.DataFrame({"customer": customer.astype("str").to_numpy(), "day": day, "amount": amount})
        return spark.createDataFrame(frame), "days", None
    text = str(source)
    lower = text.lower()
    if lower.endswith((".parquet", ".pq")) or os.path.isdir(text):
        if "://" not in text:
            refuse_nanosecond_parquet(text)
        frame = spark.read.parquet(text)
        zone = parquet_time_zone(text, date_col) if "://" not in text else None
    elif lower.endswith((".csv", ".csv.gz", ".txt", ".tsv")):
        frame = spark.read.option("header", "true").csv(text)  # every column as text
        zone = None
    else:
        raise ValueError(f"transactions file {text!r}: expected a .csv, .csv.gz or .parquet file or folder")
    return frame, None, zone


@contextmanager
def session_conf(spark, settings: dict):
    """Spark SQL settings (``{key: value}``) for the duration of a block; the previous
    values are restored afterwards, also on errors."""
    previous = {key: spark.conf.get(key) for key in settings}
    try:
        for key, value in settings.items():
            spark.conf.set(key, value)
        yield spark
    finally:
        for key, value in previous.items():
            spark.conf.set(key, value)


@contextmanager
def tx_view(spark, source, customer_col: str, date_col: str, amount_col: str | None,
            time_zone: str | None = None):
    """The temp view ``tx(customer, ts, amount)`` over ``source`` (:func:`tx_query`) for
    the duration of a block, run in the session time zone the data need; afterwards the
    views are dropped and the zone restored."""
    tx, view, zone = tx_query(spark, source, customer_col, date_col, amount_col, time_zone)
    try:
        with session_conf(spark, {"spark.sql.session.timeZone": zone}):
            spark.sql(tx).createOrReplaceTempView("tx")
            yield
    finally:
        spark.catalog.dropTempView(view)
        spark.catalog.dropTempView("tx")


def tx_query(spark, source, customer_col: str, date_col: str, amount_col: str | None,
             time_zone: str | None = None) -> tuple[str, str, str]:
    """``(sql, view, zone)``: the Spark SQL ``SELECT customer, ts, amount`` over ``source``
    (a path, a pandas or a Spark DataFrame) registered as the temp view ``view``, and the
    session time zone to run it in (stored instants are read in ``time_zone``, default the
    zone of a local Parquet file, else UTC). The caller drops ``view``."""
    if hasattr(source, "sparkSession") and hasattr(source, "schema"):
        frame, kind, zone = source, None, None
    else:
        frame, kind, zone = _source_frame(spark, source, customer_col, date_col, amount_col)
    view = f"crm_tx_source_{id(frame)}"
    frame.createOrReplaceTempView(view)
    if kind == "days":
        return (f"SELECT customer, CAST(date_add(DATE '1970-01-01', CAST(day AS INT)) AS TIMESTAMP_NTZ) AS ts, "
                f"amount FROM {view}", view, "UTC")
    types = {field.name: field.dataType.simpleString() for field in frame.schema.fields}
    missing = [c for c in (customer_col, date_col, amount_col) if c and c not in types]
    if missing:
        spark.catalog.dropTempView(view)
        raise ValueError(f"transactions lack column(s) {missing}; they have {list(types)}")
    date_type = types[date_col]
    kind = "text" if date_type == "string" else "wall"
    if date_type == "timestamp":  # an instant (TIMESTAMP_LTZ): read in the data's zone
        zone = time_zone or zone or "UTC"
    return tx_select(SPARK, view, customer_col, date_col, amount_col, kind), view, zone or "UTC"


def summarize_transactions_spark(
    source,
    *,
    spark=None,
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str | None = "amount",
    time_unit: str = "W",
    merge_period: str = "D",
    calibration_end: str | pd.Timestamp | None = None,
    observation_end: str | pd.Timestamp | None = None,
    time_zone: str | None = None,
) -> pd.DataFrame:
    """Spark version of :func:`~crm_analysis.clv.summary.summarize_transactions`.

    ``source``: a CSV/Parquet path, glob or folder Spark can read, a pandas DataFrame, or
    a Spark DataFrame.  ``spark``: the SparkSession to use (default
    :func:`local_spark_session`).  ``time_zone``: the zone in which stored instants are
    read (see the module docstring).  Returns the same frame as the pandas and DuckDB
    engines; bad rows raise the same ValueError.
    """
    check_units(time_unit, merge_period)
    spark = spark or local_spark_session()
    with tx_view(spark, source, customer_col, date_col, amount_col, time_zone):
        sql, checks = check_query(SPARK, customer_col, date_col, amount_col)
        *bad, last = spark.sql(sql).collect()[0]
        raise_bad_rows(bad, checks, lambda c: [tuple(r) for r in spark.sql(f"SELECT * FROM tx WHERE {c} LIMIT 10").collect()])
        if last is None:
            raise ValueError("transactions are empty")
        window = SummaryWindow.of(int(last), calibration_end, observation_end)
        parts = spark.sql(summary_query(SPARK, window, merge_period)).toPandas()
    return finish(parts, window, time_unit, amount_col is not None)
