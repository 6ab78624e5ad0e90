"""The customer summary of :mod:`crm_analysis.clv.summary`, pushed down into PostgreSQL.

Same definitions, columns and numbers as
:func:`~crm_analysis.clv.summary.summarize_transactions` (pandas) and
:func:`~crm_analysis.clv.summary_sql.summarize_transactions_sql` (DuckDB), computed by the
database server as one SQL query over a profile's table or query
(:class:`crm_analysis.data.sources.Database`): only the per-customer result crosses the
wire, never the transaction rows. Units, merge periods and their day lengths come from
:mod:`crm_analysis.clv.summary` (``UNIT_DAYS``, ``UNIT_NAMES``, ``check_units``).

Day boundaries: a ``timestamp`` (without time zone) column is taken as local wall time
as written; a ``timestamptz`` column is converted to ``time_zone`` (required then) before
its day is taken, as the file engines do with offsets. Weeks start on Monday
(``date_trunc('week')``, ISO), months on the 1st, as in the other engines.

The PostgreSQL dialect differs from DuckDB's (no ``arg_min``, ``date_diff``,
``count_if``), so the query is written here in PostgreSQL terms; equality with the other
engines is tested to the last customer against a real server.
"""

from __future__ import annotations

import pandas as pd

from crm_analysis.data.sources import Database, DatabaseError, _quote_name

from .summary import UNIT_DAYS, UNIT_NAMES, check_units

_TRUNC = {"W": "week", "M": "month"}
# PostgreSQL type OIDs (pg_type): numbers, dates and timestamps
_NUMERIC = {20, 21, 23, 700, 701, 1700}
_TIMESTAMP, _TIMESTAMPTZ, _DATE = 1114, 1184, 1082


def _literal(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def summarize_transactions_postgres(
    db: Database,
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
    """PostgreSQL version of :func:`~crm_analysis.clv.summary.summarize_transactions`.

    ``db`` is a profile table or query; the column names are those in the database.
    Bad rows (missing customer or date, missing or negative amount), a column of the
    wrong type, an empty table or a database failure raise ValueError naming the
    database (URL without password), the table or query, the column and examples.
    """
    check_units(time_unit, merge_period)
    con = db.connect()
    try:
        with con.cursor() as cur:
            try:
                cur.execute(f"SELECT * FROM {db.relation()} LIMIT 0")
            except Exception:
                con.rollback()
                db.run(f"SELECT * FROM {db.relation()} LIMIT 0", con=con)  # raises, worded
            types = {d.name: d.type_code for d in cur.description}
        wanted = [c for c in (customer_col, date_col, amount_col) if c]
        missing = [c for c in wanted if c not in types]
        if missing:
            raise DatabaseError(f"{db.what}: column(s) {missing} not found; columns there: "
                                f"{list(types)}")
        if amount_col and types[amount_col] not in _NUMERIC:
            raise DatabaseError(f"{db.what}: column {amount_col!r} (amount) is not a number "
                                f"(PostgreSQL type oid {types[amount_col]}); cast it in a "
                                "`query:` or map another column")
        if types[date_col] not in (_TIMESTAMP, _TIMESTAMPTZ, _DATE):
            raise DatabaseError(f"{db.what}: column {date_col!r} (date) is not a date or "
                                f"timestamp (PostgreSQL type oid {types[date_col]}); cast it in "
                                "a `query:`")
        date = _quote_name(date_col)
        if types[date_col] == _TIMESTAMPTZ:
            if not time_zone:
                raise DatabaseError(f"{db.what}: column {date_col!r} is a timestamp with time "
                                    "zone; set `time_zone:` (e.g. Asia/Seoul) so days are local")
            ts = f"({date} AT TIME ZONE {_literal(time_zone)})"
        else:
            ts = f"CAST({date} AS timestamp)"
        amount = f"CAST({_quote_name(amount_col)} AS double precision)" if amount_col else "0.0"
        tx = (f"SELECT CAST({_quote_name(customer_col)} AS text) AS customer, {ts} AS ts, "
              f"{amount} AS amount FROM {db.relation()}")
        last = _check_rows(db, con, tx, customer_col, date_col, amount_col)
        last_day = pd.Timestamp(last).floor("D")
        obs_end = pd.Timestamp(observation_end) if observation_end is not None else last_day
        cal_end = pd.Timestamp(calibration_end) if calibration_end is not None else obs_end
        if cal_end > obs_end:
            raise ValueError(f"calibration_end {cal_end.date()} is after observation_end "
                             f"{obs_end.date()}")
        unit, days = UNIT_NAMES[time_unit], UNIT_DAYS[time_unit]
        cal = f"DATE {_literal(cal_end.date())}"
        obs = f"DATE {_literal(obs_end.date())}"
        holdout = ""
        if calibration_end is not None:
            holdout = (", coalesce(h.n, 0) AS holdout_frequency"
                       ", coalesce(h.spend, 0.0) AS holdout_amount")
        period = ("day" if merge_period == "D"
                  else f"CAST(date_trunc('{_TRUNC[merge_period]}', day) AS date)")
        query = f"""
            WITH tx AS ({tx}),
            days AS (
                SELECT customer, CAST(ts AS date) AS day, amount FROM tx
                WHERE CAST(ts AS date) <= {obs}
            ),
            periods AS (
                SELECT customer, day <= {cal} AS in_cal, {period} AS period, sum(amount) AS spend
                FROM days GROUP BY customer, in_cal, period
            ),
            cal AS (
                SELECT customer, count(*) - 1 AS frequency,
                       min(period) AS first_period, max(period) AS last_period,
                       sum(spend) - (array_agg(spend ORDER BY period))[1] AS repeat_spend
                FROM periods WHERE in_cal GROUP BY customer
            ),
            h AS (
                SELECT customer, count(*) AS n, sum(spend) AS spend
                FROM periods WHERE NOT in_cal GROUP BY customer
            )
            SELECT cal.customer AS customer_id, frequency,
                   (last_period - first_period) / {days!r}::double precision AS recency_{unit},
                   ({cal} - first_period) / {days!r}::double precision AS "T_{unit}",
                   CASE WHEN frequency > 0 THEN repeat_spend / frequency END AS monetary_value
                   {holdout}
            FROM cal LEFT JOIN h ON cal.customer = h.customer
        """
        names, rows = db.run(query, con=con)
    finally:
        con.close()
    if not rows:
        raise ValueError(f"{db.what}: no purchases on or before calibration_end {cal_end.date()}")
    out = pd.DataFrame.from_records(rows, columns=names)
    out["customer_id"] = out["customer_id"].astype("str")
    out = out.set_index("customer_id").sort_index()
    out["frequency"] = out["frequency"].astype("int64")
    out[f"recency_{unit}"] = out[f"recency_{unit}"].astype("float64")
    out[f"T_{unit}"] = out[f"T_{unit}"].astype("float64")
    out["monetary_value"] = out["monetary_value"].astype("float64")
    if not amount_col:
        out["monetary_value"] = 0.0
    if calibration_end is not None:
        out["holdout_frequency"] = out["holdout_frequency"].astype("int64")
        out["holdout_amount"] = out["holdout_amount"].astype("float64")
        out[f"holdout_{unit}"] = float((obs_end - cal_end).days) / days
    return out


def _check_rows(db: Database, con, tx: str, customer_col: str, date_col: str, amount_col):
    """One scan: count bad rows per check (raising with examples); the last timestamp."""
    checks = [("customer IS NULL", customer_col, "is missing"),
              ("ts IS NULL", date_col, "is missing")]
    if amount_col:
        checks += [("amount IS NULL OR amount IN ('NaN', 'Infinity', '-Infinity')", amount_col,
                    "is missing or not a finite number"),
                   ("amount < 0", amount_col, "is negative (net returns against their purchases first)")]
    counts = ", ".join(f"count(*) FILTER (WHERE {cond})" for cond, _, _ in checks)
    _, rows = db.run(f"WITH tx AS ({tx}) SELECT count(*), {counts}, max(ts) FROM tx", con=con)
    total, *bad, last = rows[0]
    if not total:
        raise DatabaseError(f"{db.what}: the table has 0 rows")
    for n, (cond, column, problem) in zip(bad, checks):
        if n:
            _, examples = db.run(f"WITH tx AS ({tx}) SELECT * FROM tx WHERE {cond} LIMIT 10",
                                 con=con)
            keys = [row[0] for row in examples]
            raise DatabaseError(f"{db.what}: column {column!r} {problem} in {n} rows, e.g. "
                                f"customers {keys}")
    return last
