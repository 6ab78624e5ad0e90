"""The customer summary of :mod:`crm_analysis.clv.summary`, computed by polars.

Same definitions, same columns, same numbers as
:func:`~crm_analysis.clv.summary.summarize_transactions` (pandas),
:func:`~crm_analysis.clv.summary_sql.summarize_transactions_sql` (DuckDB) and
:func:`~crm_analysis.clv.summary_spark.summarize_transactions_spark` (Spark); the engine
tests assert identical frames.  polars reads the Parquet/CSV file itself (a path or glob,
lazily, only the three columns), aggregates on all cores and hands the per-customer
integer parts to :func:`~crm_analysis.clv.summary.assemble_summary`, the step every
engine shares.

Why a polars engine: it is the fastest one-machine engine for the summary at the sizes
most logs have.  At 20M rows (``benchmarks/README.md``, "One pass ... re-measured"): this
engine 9.1 s / 2.45 GB, the same summary written by hand in bare polars 7.7 s / 2.22 GB
(1.18 x, +10 % memory), the DuckDB engine 11.6 s, pandas 19.6 s; at 100M rows DuckDB is a little faster (42 s against
49 s) and spills to disk past memory, so it stays the core engine and polars is an
optional extra (``pip install crm-workbook[polars]``, ``polars>=1.37`` for ``min_by``).

Plan, over the rows of the log (day numbers are days since 1970-01-01), one run of
polars' streaming engine for both the bad-row counts and the summary:

1. bad rows counted (missing customer or date, missing, infinite or negative amount; they
   raise the same ``ValueError`` as the other engines, with examples) and the last day;
2. rows after the observation end dropped; per (customer, merge period) — and, for weekly
   or monthly periods, per side of the calibration end, so a period that straddles it is
   split — the spend;
3. per customer: calibration periods, first and last calibration period, calibration
   spend, spend of the first period (``min_by``), holdout periods and spend; customers
   without a calibration purchase dropped, sorted as text in the same plan.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .summary import UTC_OFFSET, SummaryWindow, _day_of, assemble_summary, check_units

#: Text date layouts tried, in order, after the UTC offset is dropped (ISO dates; a date
#: in another layout is a bad row, named in the error).
TEXT_FORMATS = ("%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S",
                "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d")


def _scan(source, customer_col: str, date_col: str, amount_col: str | None):
    """A LazyFrame of the source's three columns (a path or glob, a pandas or polars frame)."""
    import polars as pl

    columns = [c for c in (customer_col, date_col, amount_col) if c]
    if isinstance(source, pl.LazyFrame):
        frame = source
    elif isinstance(source, pl.DataFrame):
        frame = source.lazy()
    elif isinstance(source, pd.DataFrame):
        missing = [c for c in columns if c not in source.columns]
        if missing:
            raise ValueError(f"transactions lack column(s) {missing}; they have {list(source.columns)}")
        frame = pl.from_pandas(source[columns]).lazy()
    else:
        text = str(source)
        if not any(ch in text for ch in "*?[") and not Path(text).exists():
            raise FileNotFoundError(f"transactions file {text!r} does not exist")
        lower = text.lower()
        if lower.endswith((".parquet", ".pq")):
            frame = pl.scan_parquet(text)
        elif lower.endswith((".csv", ".csv.gz", ".txt", ".tsv")):
            # ids and dates as text: an inferred integer id loses leading zeros, an inferred
            # date its UTC offset
            frame = pl.scan_csv(text, schema_overrides={customer_col: pl.String, date_col: pl.String},
                                separator="\t" if lower.endswith(".tsv") else ",")
        else:
            raise ValueError(f"transactions file {text!r}: expected a .csv, .csv.gz or .parquet file")
    names = frame.collect_schema().names()
    missing = [c for c in columns if c not in names]
    if missing:
        raise ValueError(f"transactions lack column(s) {missing}; they have {names}")
    return frame.select(columns)


def _wall_date(frame, date_col: str, time_zone: str | None):
    """The date column as the calendar date of its wall-clock time (module :mod:`.summary`)."""
    import polars as pl

    dtype = frame.collect_schema()[date_col]
    col = pl.col(date_col)
    if dtype == pl.String:
        text = col.str.strip_chars().str.replace(UTC_OFFSET, "${1}")
        parsed = pl.coalesce([text.str.strptime(pl.Datetime("us"), fmt, strict=False) for fmt in TEXT_FORMATS])
        return parsed.cast(pl.Date)
    if isinstance(dtype, pl.Datetime) and dtype.time_zone is not None:
        if time_zone:
            col = col.dt.convert_time_zone(time_zone)
        return col.dt.replace_time_zone(None).cast(pl.Date)
    if isinstance(dtype, (pl.Datetime, pl.Date)):
        return col.cast(pl.Date)
    raise ValueError(f"transactions column {date_col!r} has type {dtype}; expected dates or ISO date text")


def summarize_transactions_polars(
    source,
    *,
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str | None = "amount",
    time_unit: str = "W",
    merge_period: str = "D",
    calibration_end: str | pd.Timestamp | None = None,
    observation_end: str | pd.Timestamp | None = None,
    time_zone: str | None = None,
) -> pd.DataFrame:
    """polars version of :func:`~crm_analysis.clv.summary.summarize_transactions`.

    ``source``: a Parquet or CSV path or glob, a pandas DataFrame, or a polars
    DataFrame/LazyFrame.  ``time_zone`` (an IANA name): the zone in which time-zone-aware
    timestamps are read (default: their own zone).  Returns the same frame as the other
    engines (indexed by ``customer_id``, sorted as text); bad rows (missing customer or
    date, missing, infinite or negative amount) raise ValueError with their count and up
    to 10 examples.
    """
    import polars as pl

    check_units(time_unit, merge_period)
    frame = _scan(source, customer_col, date_col, amount_col)
    date = _wall_date(frame, date_col, time_zone)
    amount = pl.col(amount_col).cast(pl.Float64, strict=False) if amount_col else pl.lit(0.0)
    obs_limit = _day_of(observation_end, "observation_end") if observation_end is not None else None
    cal_limit = _day_of(calibration_end, "calibration_end") if calibration_end is not None else obs_limit
    if cal_limit is not None and obs_limit is not None and cal_limit > obs_limit:
        SummaryWindow.of(0, calibration_end, observation_end)  # raises the shared message

    day = date.cast(pl.Int32)
    if merge_period == "D":
        period = day
    elif merge_period == "W":
        period = date.dt.truncate("1w").cast(pl.Int32)  # ISO weeks: Monday
    else:
        period = date.dt.month_start().cast(pl.Int32)
    rows = frame.select(customer=pl.col(customer_col).cast(pl.String), period=period, day=day, amount=amount)
    if obs_limit is not None:
        rows = rows.filter(pl.col("day") <= obs_limit)
    # side of the calibration end: a merge period that straddles it is split in two
    keys = ["customer", "period"]
    if cal_limit is not None and merge_period != "D":
        rows, keys = rows.with_columns(hold=pl.col("day") > cal_limit), keys + ["hold"]
    per_period = rows.group_by(keys).agg(spend=pl.col("amount").sum())
    p, spend = pl.col("period"), pl.col("spend")
    if cal_limit is None:  # no holdout (a null period is a bad row, refused below)
        hold = p.is_null()
    else:
        hold = pl.col("hold") if "hold" in keys else p > cal_limit
    cal = ~hold
    order = p * 2 + hold.cast(pl.Int32) if "hold" in keys else p  # a calibration period first
    summary = per_period.group_by("customer").agg(  # integers as int64: handed to numpy uncopied
        n_cal=cal.sum().cast(pl.Int64),
        first_period=p.min().cast(pl.Int64),
        last_period=pl.when(cal).then(p).max().cast(pl.Int64),
        cal_spend=pl.when(cal).then(spend).sum(),
        first_spend=spend.min_by(order),
        holdout_frequency=hold.sum().cast(pl.Int64),
        holdout_amount=pl.when(hold).then(spend).sum(),
    ).filter(pl.col("n_cal") > 0).sort("customer")
    checks = [(pl.col(customer_col).is_null(), customer_col, "is missing"),
              (date.is_null(), date_col, "is missing or not a date")]
    if amount_col:
        checks += [(amount.is_null() | amount.is_nan() | amount.is_infinite(), amount_col,
                    "is missing or not a finite number"),
                   (amount < 0, amount_col, "is negative (net returns against their purchases first)")]
    counts = frame.select(*(condition.sum().alias(str(i)) for i, (condition, _, _) in enumerate(checks)),
                          last_day=day.max())
    # one streaming run for both: the bad-row counts and the summary (wasted only on bad data)
    counts, out = pl.collect_all([counts, summary], engine="streaming")
    for i, (condition, column, problem) in enumerate(checks):
        count = counts[str(i)].item()
        if count:
            examples = frame.filter(condition).head(10).collect().rows()
            raise ValueError(f"column {column!r} {problem} in {count} rows, e.g. (customer, date, amount) "
                             f"{examples}")
    if counts["last_day"].item() is None:
        raise ValueError("transactions are empty")

    window = SummaryWindow.of(int(counts["last_day"].item()), calibration_end, observation_end)
    if out.height == 0:
        raise ValueError(f"no purchases on or before calibration_end {window.cal_date}")
    parts = {
        "frequency": (out["n_cal"] - 1).to_numpy(),
        "first_period": out["first_period"].to_numpy(),
        "last_period": out["last_period"].to_numpy(),
        "repeat_spend": (out["cal_spend"] - out["first_spend"]).to_numpy(),
        "holdout_frequency": out["holdout_frequency"].to_numpy(),
        "holdout_amount": out["holdout_amount"].to_numpy(),
    }
    customers = pd.array(out["customer"].to_arrow().cast("large_string"), dtype="str")
    return assemble_summary(customers, parts, window, time_unit, amount_col is not None)
