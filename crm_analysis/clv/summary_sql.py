"""The customer summary of :mod:`crm_analysis.clv.summary`, computed by SQL (DuckDB here,
Spark in :mod:`.summary_spark`).

Same definitions, same columns, same numbers as
:func:`~crm_analysis.clv.summary.summarize_transactions`, but the transactions are read
by the engine straight from CSV or Parquet files (a path or glob) or from a DataFrame, and
the aggregation streams, so the log can be larger than memory: only the per-customer
result (a few numbers per customer) is returned to pandas.  DuckDB spills to a temporary
directory when ``memory_limit`` is reached.

One SQL text serves every engine: :func:`check_query` (bad rows and the last day, one
scan) and :func:`summary_query` (the aggregation) are written once over a view
``tx(customer, ts, amount)`` and differ between DuckDB, Spark and PostgreSQL
(:mod:`.summary_postgres`) only in the few functions a :class:`Dialect` names (day number
of a timestamp, month start, infinity and NaN tests, conditional count, the value at the
smallest key, a text-to-number cast that gives NULL for non-numbers, regex
back-reference).  Days are integers (days since 1970-01-01) throughout; the
window ends come from :class:`~crm_analysis.clv.summary.SummaryWindow` and the time
columns are divided by the unit's length only in
:func:`~crm_analysis.clv.summary.assemble_summary`, shared with pandas, so the engines
agree exactly on every time column (spend sums agree to rounding: engines add in
different orders).

Wall-clock days (the module docstring of :mod:`.summary`): text dates are read as text
and their UTC offset dropped with :data:`~crm_analysis.clv.summary.UTC_OFFSET` (never
auto-detected as instants, whose conversion depended on the machine's zone and on query
planning); instants (``TIMESTAMP WITH TIME ZONE``, e.g. Parquet written from
time-zone-aware pandas) are read in the zone stored in the file (UTC when it has none) or
the ``time_zone`` given.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pandas as pd

from .summary import UTC_OFFSET, SummaryWindow, assemble_summary, check_units, wall_time


@dataclass(frozen=True)
class Dialect:
    """The functions in which DuckDB, Spark SQL and PostgreSQL differ, as SQL text builders."""

    name: str
    text_type: str
    day_number: Callable[[str], str]  # timestamp/date expression -> days since 1970-01-01
    month_start: Callable[[str], str]  # day number -> day number of its month's first day
    is_infinite: Callable[[str], str]
    group_one: str  # back-reference to group 1 in regexp_replace
    is_nan: Callable[[str], str] = lambda x: f"isnan({x})"
    count_if: Callable[[str], str] = lambda cond: f"count_if({cond})"
    min_by: Callable[[str, str], str] = lambda value, key: f"min_by({value}, {key})"  # value at the smallest key
    to_number: Callable[[str], str] = lambda x: f"TRY_CAST({x} AS DOUBLE)"  # NULL when not a number
    number_type: str = "DOUBLE"
    sort_result: bool = True  # False: the caller sorts (a server collation may order text otherwise)


DUCKDB = Dialect(
    name="duckdb",
    text_type="VARCHAR",
    day_number=lambda ts: f"(CAST({ts} AS DATE) - DATE '1970-01-01')",
    month_start=lambda d: f"(CAST(date_trunc('month', DATE '1970-01-01' + CAST({d} AS INTEGER)) AS DATE) - DATE '1970-01-01')",
    is_infinite=lambda x: f"isinf({x})",
    group_one="\\1",
)

SPARK = Dialect(
    name="spark",
    text_type="STRING",
    day_number=lambda ts: f"CAST(datediff(CAST({ts} AS DATE), DATE '1970-01-01') AS BIGINT)",
    month_start=lambda d: f"CAST(datediff(trunc(date_add(DATE '1970-01-01', CAST({d} AS INT)), 'MM'), DATE '1970-01-01') AS BIGINT)",
    is_infinite=lambda x: f"({x} IN (double('inf'), double('-inf')))",
    group_one="$1",
)

#: A number written as text (optional sign, digits with one decimal point, exponent).
NUMBER_TEXT = r"^\s*[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?\s*$"

POSTGRES = Dialect(
    name="postgres",
    text_type="text",
    # date - date is an integer in PostgreSQL; a timestamptz takes the session's zone
    day_number=lambda ts: f"(CAST({ts} AS date) - DATE '1970-01-01')",
    month_start=lambda d: (f"(CAST(date_trunc('month', CAST(DATE '1970-01-01' + CAST({d} AS integer) "
                           f"AS timestamp)) AS date) - DATE '1970-01-01')"),
    is_infinite=lambda x: f"({x} IN ('Infinity'::float8, '-Infinity'::float8))",
    group_one="\\1",
    is_nan=lambda x: f"({x} = 'NaN'::float8)",  # NaN equals NaN in PostgreSQL
    count_if=lambda cond: f"count(*) FILTER (WHERE {cond})",
    # no min_by: the smallest (key, value) array; keys are unique per customer, so no ties
    min_by=lambda value, key: f"(min(ARRAY[CAST({key} AS float8), CAST({value} AS float8)]))[2]",
    to_number=lambda x: (f"CASE WHEN CAST({x} AS text) ~ {literal(NUMBER_TEXT)} "
                         f"THEN CAST(trim(CAST({x} AS text)) AS float8) END"),
    number_type="float8",
    sort_result=False,
)


def quote(name: str, dialect: Dialect = DUCKDB) -> str:
    """An identifier quoted for the dialect."""
    if dialect.name == "spark":
        return "`" + name.replace("`", "``") + "`"
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def tx_select(dialect: Dialect, relation: str, customer_col: str, date_col: str,
              amount_col: str | None, date_kind: str, amount_is_number: bool = False,
              keep_stored_amount: bool = False) -> str:
    """``SELECT customer, ts, amount FROM relation``: the canonical view every query reads.

    ``date_kind`` is ``"text"`` (offset dropped, then parsed), ``"instant"`` (a
    timestamp with time zone: read in the session's zone, which the engine sets to the
    data's zone) or ``"wall"`` (a naive timestamp or a date). ``amount_is_number``: the
    amount column has a numeric type (a plain cast) rather than text (read as a number
    when it is one, else NULL and refused by :func:`check_query`); ``keep_stored_amount``
    adds ``amount_as_stored`` (the amount as text, shown in errors).
    """
    cust, date = quote(customer_col, dialect), quote(date_col, dialect)
    if date_kind == "text":
        stripped = f"regexp_replace(trim({date}), {literal(UTC_OFFSET)}, {literal(dialect.group_one)})"
        wall_type = "TIMESTAMP" if dialect.name == "duckdb" else "TIMESTAMP_NTZ"
        ts = f"TRY_CAST({stripped} AS {wall_type})"
    else:
        ts = date
    if not amount_col:
        amount = f"CAST(0.0 AS {dialect.number_type})"
    elif amount_is_number:
        amount = f"CAST({quote(amount_col, dialect)} AS {dialect.number_type})"
    else:
        amount = dialect.to_number(quote(amount_col, dialect))
    stored = (f", CAST({quote(amount_col, dialect)} AS {dialect.text_type}) AS amount_as_stored"
              if amount_col and keep_stored_amount else "")
    return (f"SELECT CAST({cust} AS {dialect.text_type}) AS customer, {ts} AS ts, {amount} AS amount"
            f"{stored} FROM {relation}")


def check_query(dialect: Dialect, customer_col: str, date_col: str, amount_col: str | None):
    """``(sql, checks)``: one scan of ``tx`` counting each kind of bad row, then the last
    day number; ``checks`` lists ``(condition, column, problem)`` in the same order."""
    checks = [
        ("customer IS NULL", customer_col, "is missing"),
        ("ts IS NULL", date_col, "is missing or not a date"),
    ]
    if amount_col:
        checks += [
            (f"amount IS NULL OR {dialect.is_infinite('amount')} OR {dialect.is_nan('amount')}", amount_col,
             "is missing or not a finite number"),
            ("amount < 0", amount_col, "is negative (net returns against their purchases first)"),
        ]
    counts = ", ".join(dialect.count_if(condition) for condition, _, _ in checks)
    return f"SELECT {counts}, max({dialect.day_number('ts')}) FROM tx", checks


def raise_bad_rows(counts, checks, examples: Callable[[str], list]) -> None:
    """ValueError for the first check with bad rows, with up to 10 examples."""
    for n, (condition, column, problem) in zip(counts, checks):
        if n:
            raise ValueError(
                f"column {column!r} {problem} in {n} rows, e.g. (customer, date, amount) "
                f"{examples(condition)}"
            )


def period_expr(dialect: Dialect, merge_period: str, day: str = "day") -> str:
    """Day number of the first day of ``day``'s merge period (ISO weeks start on Monday;
    1970-01-01 was a Thursday; the double modulo keeps days before 1970 right)."""
    if merge_period == "D":
        return day
    if merge_period == "W":
        return f"({day} - (({day} + 3) % 7 + 7) % 7)"
    return dialect.month_start(day)


def summary_query(dialect: Dialect, window: SummaryWindow, merge_period: str) -> str:
    """The aggregation over ``tx``: one row per calibration customer, sorted by customer
    (unless the dialect leaves sorting to the caller), with the integer parts
    :func:`~crm_analysis.clv.summary.assemble_summary` needs."""
    day = dialect.day_number("ts")
    holdout = ""
    if window.holdout:
        holdout = ", h.n AS holdout_frequency, h.spend AS holdout_amount"
    return f"""
        WITH days AS (
            SELECT customer, {day} AS day, amount FROM tx
        ),
        periods AS (
            SELECT customer, day > {window.cal_day} AS in_holdout, {period_expr(dialect, merge_period)} AS period,
                   sum(amount) AS spend
            FROM days WHERE day <= {window.obs_day}
            GROUP BY 1, 2, 3
        ),
        cal AS (
            SELECT customer,
                   count(*) - 1 AS frequency,
                   min(period) AS first_period,
                   max(period) AS last_period,
                   sum(spend) - {dialect.min_by("spend", "period")} AS repeat_spend
            FROM periods WHERE NOT in_holdout GROUP BY customer
        ),
        h AS (
            SELECT customer, count(*) AS n, sum(spend) AS spend
            FROM periods WHERE in_holdout GROUP BY customer
        )
        SELECT cal.customer AS customer_id, frequency, first_period, last_period, repeat_spend
               {holdout}
        FROM cal LEFT JOIN h ON cal.customer = h.customer
        {"ORDER BY customer_id" if dialect.sort_result else ""}
    """


def finish(parts: pd.DataFrame, window: SummaryWindow, time_unit: str, has_amount: bool) -> pd.DataFrame:
    """The engine's sorted integer parts as the summary frame (shared final step)."""
    if parts.empty:
        raise ValueError(f"no purchases on or before calibration_end {window.cal_date}")
    columns = {name: parts[name].to_numpy() for name in parts.columns if name != "customer_id"}
    return assemble_summary(parts["customer_id"].astype("str").to_numpy(), columns, window, time_unit,
                            has_amount)


def _relation(source: str | os.PathLike | pd.DataFrame, date_col: str) -> str:
    if isinstance(source, pd.DataFrame):
        return "source_frame"
    text = str(source)
    if not any(ch in text for ch in "*?[") and not Path(text).exists():
        raise FileNotFoundError(f"transactions file {text!r} does not exist")
    lower = text.lower()
    if lower.endswith(".parquet") or lower.endswith(".pq"):
        return f"read_parquet({literal(text)})"
    if lower.endswith((".csv", ".csv.gz", ".txt", ".tsv")):
        # the date as text: auto-detected offsets would become instants in the machine's zone
        return f"read_csv({literal(text)}, header = true, types = {{{literal(date_col)}: 'VARCHAR'}})"
    raise ValueError(f"transactions file {text!r}: expected a .csv, .csv.gz or .parquet file")


def _first_parquet_schema(path: str):
    """``(file, schema)`` of the first local Parquet file of a path or glob, or None."""
    import glob

    import pyarrow.parquet as pq

    files = sorted(glob.glob(path)) if any(ch in path for ch in "*?[") else [path]
    if not files or not Path(files[0]).is_file():
        return None
    return files[0], pq.read_schema(files[0])


def parquet_time_zone(path: str, column: str) -> str | None:
    """The time zone stored with a Parquet timestamp column (first file of a glob), or None."""
    found = _first_parquet_schema(path)
    if found is None or column not in found[1].names:
        return None
    return getattr(found[1].field(column).type, "tz", None)


def refuse_nanosecond_parquet(path: str) -> None:
    """ValueError naming the file and columns when the first local Parquet file of ``path``
    stores timestamps in nanoseconds, which Spark does not read (its own error is a Java
    stack trace); nothing for other files."""
    found = _first_parquet_schema(path)
    if found is None:
        return
    nanos = [f.name for f in found[1] if getattr(f.type, "unit", None) == "ns"]
    if nanos:
        raise ValueError(
            f"transactions file {found[0]!r}: column(s) {nanos} store timestamps in nanoseconds, which "
            f"Spark does not read; write the file with microseconds (pandas: df.to_parquet(path, "
            f"coerce_timestamps='us'); pyarrow: pq.write_table(table, path, coerce_timestamps='us')) or "
            f"use the DuckDB engine instead of Spark")


def date_kind_of(type_name: str) -> str:
    """``text``, ``instant`` or ``wall`` for an engine's type name of the date column."""
    upper = type_name.upper()
    if upper in ("VARCHAR", "STRING") or upper.startswith(("VARCHAR", "CHAR")):
        return "text"
    if "WITH TIME ZONE" in upper or upper.startswith("TIMESTAMPTZ"):  # DuckDB names of an instant (TIMESTAMPTZ_NS: nanoseconds)
        return "instant"
    return "wall"


def duckdb_connection(memory_limit: str | None = None, threads: int | None = None):
    """A DuckDB connection as every SQL engine of the package uses it: no progress bar,
    ``memory_limit`` (e.g. ``"2GB"``; spills to disk beyond it) and ``threads`` when given."""
    import duckdb  # the SQL engine is loaded where it is used, not by `import crm_analysis.clv`

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    if memory_limit:
        con.execute(f"SET memory_limit = {literal(memory_limit)}")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    return con


def open_tx(con, source, customer_col: str, date_col: str, amount_col: str | None,
            time_zone: str | None = None) -> None:
    """Create the view ``tx(customer, ts, amount)`` over ``source`` (a CSV/Parquet path or
    glob, or a DataFrame) on the DuckDB connection ``con``: the one reading step of every
    DuckDB query. Stored instants are read in ``time_zone`` (default: the Parquet file's
    zone, else UTC), set as the connection's ``TimeZone``."""
    if isinstance(source, pd.DataFrame):
        if date_col in source and isinstance(source[date_col].dtype, pd.DatetimeTZDtype):
            source = source.assign(**{date_col: wall_time(source[date_col])})
        con.register("source_frame", source)
    rel = _relation(source, date_col)
    types = dict((row[0], row[1]) for row in con.execute(f"DESCRIBE SELECT * FROM {rel}").fetchall())
    missing = [c for c in (customer_col, date_col, amount_col) if c and c not in types]
    if missing:
        raise ValueError(f"transactions lack column(s) {missing}; they have {list(types)}")
    kind = date_kind_of(types[date_col])
    if kind == "instant":
        zone = time_zone or (None if isinstance(source, pd.DataFrame)
                             else parquet_time_zone(str(source), date_col)) or "UTC"
        con.execute(f"SET TimeZone = {literal(zone)}")
        # the wall-clock time in that zone
        con.execute(f"CREATE TEMP VIEW tx_raw AS SELECT * REPLACE (CAST({quote(date_col)} AS TIMESTAMP) "
                    f"AS {quote(date_col)}) FROM {rel}")
        rel, kind = "tx_raw", "wall"
    con.execute("CREATE TEMP VIEW tx AS " + tx_select(DUCKDB, rel, customer_col, date_col, amount_col, kind))


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
    time_zone: str | None = None,
) -> pd.DataFrame:
    """DuckDB version of :func:`~crm_analysis.clv.summary.summarize_transactions`.

    ``source`` is a CSV/Parquet path or glob (read with a header) or a DataFrame.
    ``memory_limit`` (e.g. ``"2GB"``) and ``threads`` are passed to DuckDB.
    ``time_zone`` (an IANA name) is the zone in which stored instants (timestamps with time
    zone) are read; default: the zone stored in the Parquet file, else UTC.  Bad rows
    (missing customer or date, missing or negative amount) raise ValueError with their
    count and up to 10 examples.
    """
    check_units(time_unit, merge_period)
    con = duckdb_connection(memory_limit, threads)
    try:
        open_tx(con, source, customer_col, date_col, amount_col, time_zone)
        sql, checks = check_query(DUCKDB, customer_col, date_col, amount_col)
        *bad, last = con.execute(sql).fetchone()
        raise_bad_rows(bad, checks, lambda c: con.execute(f"SELECT * FROM tx WHERE {c} LIMIT 10").fetchall())
        if last is None:
            raise ValueError("transactions are empty")
        window = SummaryWindow.of(int(last), calibration_end, observation_end)
        parts = con.execute(summary_query(DUCKDB, window, merge_period)).df()
    finally:
        con.close()
    return finish(parts, window, time_unit, amount_col is not None)
