"""Acquisition cohorts: customers grouped by the month of their first purchase, followed
month by month.

``cohort_table`` counts, per cohort and month since the first purchase (0 = the first
month), the customers who bought in that month and their revenue. Cells that lie after the
end of the data (``as_of``) are missing, not zero: a cohort acquired in May cannot yet show
its month-6 retention in July. Retention is the share of the cohort's customers active in
that month (period retention, the usual cohort heat map), not the share never lapsed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_analysis.common import require_columns
from crm_analysis.estimates import normal_quantile


def cohort_table(transactions: pd.DataFrame, customer: str = "customer_id", date: str = "date",
                 amount: str | None = "amount", as_of=None) -> pd.DataFrame:
    """Long table: ``cohort`` (month of first purchase, a Period), ``month`` (months since
    it), ``customers`` active, ``revenue`` (sum of ``amount``, currency), ``cohort_size``,
    ``retention`` (customers ÷ cohort size) and ``revenue_per_customer`` (revenue ÷ cohort
    size, so it includes the customers who did not buy). Rows after ``as_of`` are dropped
    before anything is computed; cells after ``as_of`` or after the last purchase in the
    data (whichever is earlier) are not in the table."""
    cols = [customer, date] + ([amount] if amount else [])
    require_columns(transactions, cols, "cohort_table")
    tx = transactions[cols].copy()
    if not pd.api.types.is_datetime64_any_dtype(tx[date]):
        raise ValueError(f"cohort_table: column {date!r} must hold dates (datetime64); "
                         "parse it with pd.to_datetime first")
    if as_of is not None:
        tx = tx[tx[date] <= pd.Timestamp(as_of)]
    if tx.empty:
        raise ValueError("cohort_table: no transactions on or before as_of")
    # the window ends at as_of, or at the last purchase if the data stop earlier: months
    # after the data's end are unobserved, not months without purchases
    end = min(pd.Timestamp(as_of), tx[date].max()) if as_of is not None else tx[date].max()
    period = tx[date].dt.to_period("M")
    first = period.groupby(tx[customer]).transform("min")
    tx = tx.assign(cohort=first, month=(period - first).apply(lambda d: d.n).astype("int64"))
    agg = {"customers": (customer, "nunique")}
    if amount:
        agg["revenue"] = (amount, "sum")
    out = tx.groupby(["cohort", "month"]).agg(**agg).reset_index()
    size = out.loc[out["month"] == 0].set_index("cohort")["customers"].rename("cohort_size")
    # every cohort × month up to the end of the data; unobserved (future) cells dropped
    last = end.to_period("M")
    grid = pd.DataFrame([(c, m, c + m) for c in size.index for m in range((last - c).n + 1)],
                        columns=["cohort", "month", "calendar_month"])
    out = grid.merge(out, on=["cohort", "month"], how="left").merge(size, on="cohort")
    out["customers"] = out["customers"].fillna(0).astype("int64")
    out["retention"] = out["customers"] / out["cohort_size"]
    if amount:
        out["revenue"] = out["revenue"].fillna(0.0)
        out["revenue_per_customer"] = out["revenue"] / out["cohort_size"]
    return out


def cohort_matrix(table: pd.DataFrame, value: str = "retention", max_month: int | None = None) -> pd.DataFrame:
    """Cohorts (rows) × months since first purchase (columns) of ``value``; NaN where
    not yet observed."""
    wide = table.pivot(index="cohort", columns="month", values=value)
    if max_month is not None:
        wide = wide.loc[:, wide.columns <= max_month]
    return wide


def retention_at(table: pd.DataFrame, month: int, complete_only: bool = True,
                 level: float = 0.95) -> dict:
    """Share of customers active ``month`` months after their first purchase, pooled over
    the cohorts observed that long (weighted by cohort size), with a binomial (Wald)
    interval. ``complete_only`` leaves out the last calendar month of the data, which may
    be partial."""
    rows = table[table["month"] == month]
    if complete_only:
        rows = rows[rows["calendar_month"] < table["calendar_month"].max()]
    if rows.empty:
        raise ValueError(f"retention_at: no cohort is observed {month} months after acquisition")
    n = float(rows["cohort_size"].sum())
    p = float(rows["customers"].sum()) / n
    se = float(np.sqrt(p * (1 - p) / n))
    z = normal_quantile(level)
    return {"estimate": p, "std_err": se, "ci_low": p - z * se, "ci_high": p + z * se,
            "level": level, "customers": int(n), "cohorts": int(len(rows))}
