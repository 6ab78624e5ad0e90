"""The customer summary of :mod:`crm_analysis.clv.summary`, pushed down into PostgreSQL.

Same definitions, columns and numbers as
:func:`~crm_analysis.clv.summary.summarize_transactions` (pandas) and
:func:`~crm_analysis.clv.summary_sql.summarize_transactions_sql` (DuckDB), computed by the
database server over a profile's table or query
(:class:`crm_analysis.data.sources.Database`): only the per-customer result crosses the
wire, never the transaction rows.

The SQL is the shared text of :mod:`.summary_sql` (:func:`~.summary_sql.check_query`: one
scan for bad rows and the last day; :func:`~.summary_sql.summary_query`: the aggregation)
in the :data:`~.summary_sql.POSTGRES` dialect, which spells what PostgreSQL lacks
(``count_if``, ``min_by``, ``isnan``, ``TRY_CAST``) in its own terms; the window ends come
from :class:`~crm_analysis.clv.summary.SummaryWindow` and the divisions from
:func:`~crm_analysis.clv.summary.assemble_summary`, as for every engine.

Day boundaries: a ``timestamp`` (without time zone) or ``date`` column is local wall time
as written; a ``timestamptz`` column is read in ``time_zone`` (required then: the session
time zone is set to it) before its day is taken, as the file engines do with offsets.
Amounts may be numbers or text holding numbers (as a profile reads them); text that is
not a number is refused with its customers.
"""

from __future__ import annotations

import pandas as pd

from crm_analysis.data.sources import Database, DatabaseError

from .summary import SummaryWindow, check_units
from .summary_sql import POSTGRES, check_query, finish, literal, raise_bad_rows, summary_query, tx_select

class PushdownUnsupported(DatabaseError):
    """A column type the pushed-down summary does not read (e.g. dates stored as text);
    the profile reads such columns in Python, so callers may fall back to pandas."""

    def __init__(self, what: str, reason: str):
        super().__init__(f"{what}: {reason}")
        self.reason = reason


# PostgreSQL type OIDs (pg_type)
_NUMERIC = {20, 21, 23, 700, 701, 1700}  # int8, int2, int4, float4, float8, numeric
_TEXT = {25, 1042, 1043}  # text, char(n), varchar(n)
_TIMESTAMP, _TIMESTAMPTZ, _DATE = 1114, 1184, 1082


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
    Bad rows (missing customer or date, missing, non-numeric or negative amount), a column
    of the wrong type, an empty table or a database failure raise ValueError
    (:class:`~crm_analysis.data.sources.DatabaseError`) naming the database (URL without
    password), the table or query, the column and up to 10 offending rows
    ``(customer, date, amount)``.
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
        if amount_col and types[amount_col] not in _NUMERIC | _TEXT:
            raise PushdownUnsupported(db.what, f"column {amount_col!r} (amount) is neither a "
                                      f"number nor text (PostgreSQL type oid "
                                      f"{types[amount_col]}); cast it in a `query:` or map "
                                      "another column")
        if types[date_col] not in (_TIMESTAMP, _TIMESTAMPTZ, _DATE):
            raise PushdownUnsupported(db.what, f"column {date_col!r} (date) is not a date or "
                                      f"timestamp (PostgreSQL type oid {types[date_col]}); cast "
                                      "it in a `query:` (e.g. CAST(col AS timestamp))")
        if types[date_col] == _TIMESTAMPTZ:
            if not time_zone:
                raise DatabaseError(f"{db.what}: column {date_col!r} is a timestamp with time "
                                    "zone; set `time_zone:` (e.g. Asia/Seoul) so days are local")
            db.run(f"SET TIME ZONE {literal(time_zone)}", con=con, rows=False)
        kind = "instant" if types[date_col] == _TIMESTAMPTZ else "wall"
        tx = tx_select(POSTGRES, db.relation(), customer_col, date_col, amount_col, kind,
                       amount_is_number=bool(amount_col) and types[amount_col] in _NUMERIC,
                       keep_stored_amount=True)
        db.run(f"CREATE TEMP VIEW tx AS {tx}", con=con, rows=False)
        sql, checks = check_query(POSTGRES, customer_col, date_col, amount_col)
        _, rows = db.run(sql, con=con)
        *bad, last = rows[0]
        try:
            raise_bad_rows(bad, checks, lambda c: _examples(db, con, c, amount_col is not None))
        except DatabaseError:
            raise
        except ValueError as error:
            raise DatabaseError(f"{db.what}: {error}") from None
        if last is None:
            raise DatabaseError(f"{db.what}: the table or query has 0 rows")
        window = SummaryWindow.of(int(last), calibration_end, observation_end)
        names, rows = db.run(summary_query(POSTGRES, window, merge_period), con=con)
    finally:
        con.close()
    parts = pd.DataFrame.from_records(rows, columns=names)
    if not parts.empty:  # the server's collation may order text differently from Python
        parts["customer_id"] = parts["customer_id"].astype("str")
        parts = parts.sort_values("customer_id", kind="stable", ignore_index=True)
    try:
        return finish(parts, window, time_unit, amount_col is not None)
    except ValueError as error:
        raise DatabaseError(f"{db.what}: {error}") from None


def _examples(db: Database, con, condition: str, has_amount: bool) -> list[tuple]:
    """Up to 10 offending rows as ``(customer, date as text, amount as stored)``."""
    shown = "amount_as_stored" if has_amount else "NULL"
    _, rows = db.run(f"SELECT customer, CAST(ts AS text), {shown} FROM tx WHERE {condition} "
                     "LIMIT 10", con=con)
    return [tuple(row) for row in rows]
