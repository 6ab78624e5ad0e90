"""Status snapshots: each customer's recency state and value segment at each period end.

Time is cut into periods of ``period_months`` months ending at ``as_of`` (the last day
used; nothing after it is read) and going back to cover the first purchase. At the end
of every period each customer who has bought by then has

* a **recency state** (Pfeifer & Carraway 2000): ``1`` = bought in this period, ``2`` =
  last purchase one period earlier, …, ``k`` = ``k − 1`` periods earlier, ``lost`` = no
  purchase for ``k`` periods or more (``k = n_recency_states``);
* a **value segment**: buyers of the period in ``n_value_tiers`` spend tiers (``high`` …
  ``low``, cut at quantiles of the spend of all buying customer-periods, so the cut points
  are fixed across periods and do not depend on row order), ``inactive`` for customers
  who did not buy in the period but are not yet lost, and ``lost``.

Customers not yet acquired have code 0 (they enter the snapshots as new customers). A
purchase is a customer's purchase *day*: several lines on one day are one purchase with
their amounts summed. Amounts are in the data's currency.

Written with numpy (one sort of the rows and a loop over the few periods) because the
migration matrices must be fast for millions of customers; no library builds period
snapshots of recency states. :func:`status_snapshots` aggregates the purchase lines into
purchase-day counts and spend per customer and period; :func:`snapshots_from_periods`
builds the states from that small table. The SQL engines (:mod:`.snapshots_sql`: DuckDB for
logs larger than memory, Spark for a cluster) do the aggregation and share that finishing
step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crm_analysis.clv.summary import _day_of
from crm_analysis.common import require_columns

TIER_NAMES = {1: ("active",), 2: ("high", "low"), 3: ("high", "mid", "low"),
              4: ("top", "high", "mid", "low"), 5: ("top", "high", "mid", "low", "bottom")}


def recency_labels(n_recency_states: int) -> tuple[str, ...]:
    """State labels ``"1"`` … ``"k"``, ``"lost"``."""
    return tuple(str(i) for i in range(1, n_recency_states + 1)) + ("lost",)


@dataclass(frozen=True, eq=False)
class Snapshots:
    """Per-customer states at every period end (arrays are customers × periods).

    ``recency`` and ``value`` hold state codes: 0 = not yet a customer, then the position
    (1-based) in ``recency_states`` / ``value_states``. ``purchases`` counts purchase days
    and ``spend`` sums amounts within each period.
    """

    customer_ids: pd.Index
    period_ends: pd.DatetimeIndex
    period_months: int
    recency: np.ndarray
    value: np.ndarray
    purchases: np.ndarray
    spend: np.ndarray
    recency_states: tuple
    value_states: tuple
    value_thresholds: np.ndarray

    def codes(self, kind: str) -> np.ndarray:
        """The state-code array of ``kind`` (``"recency"`` or ``"value"``)."""
        if kind not in ("recency", "value"):
            raise ValueError(f"kind must be 'recency' or 'value', got {kind!r}")
        return self.recency if kind == "recency" else self.value

    def states(self, kind: str) -> tuple:
        """State labels of ``kind``, in code order (code 1 first)."""
        return self.recency_states if kind == "recency" else self.value_states

    def last(self, n: int) -> Snapshots:
        """The last ``n`` periods only (states still use the whole history)."""
        if not 1 <= n <= len(self.period_ends):
            raise ValueError(f"last({n}): the data cover {len(self.period_ends)} period ends of "
                             f"{self.period_months} months ({self.period_ends[0].date()} to "
                             f"{self.period_ends[-1].date()}); ask for 1 to {len(self.period_ends)} snapshots "
                             "(n_snapshots) or use shorter periods")
        cut = slice(len(self.period_ends) - n, None)
        return Snapshots(self.customer_ids, self.period_ends[cut], self.period_months,
                         self.recency[:, cut], self.value[:, cut], self.purchases[:, cut],
                         self.spend[:, cut], self.recency_states, self.value_states,
                         self.value_thresholds)

    def shares(self, kind: str = "recency") -> pd.DataFrame:
        """Customers per state (columns) at each period end (rows); not-yet customers left out."""
        codes = self.codes(kind)
        labels = self.states(kind)
        counts = np.stack([np.bincount(codes[:, j], minlength=len(labels) + 1)[1:]
                           for j in range(codes.shape[1])])
        return pd.DataFrame(counts, index=pd.Index(self.period_ends.date, name="period_end"),
                            columns=pd.Index(labels, name=f"{kind}_state"))

    def to_frame(self, customers=None) -> pd.DataFrame:
        """Long table: one row per customer and period end (existing customers only)."""
        rows = np.arange(len(self.customer_ids)) if customers is None else \
            self.customer_ids.get_indexer(pd.Index(customers))
        if (rows < 0).any():
            raise ValueError("to_frame: unknown customer ids")
        n_t = len(self.period_ends)
        r = self.recency[rows]
        keep = (r > 0).ravel()
        rec = np.asarray(("new",) + self.recency_states, dtype=object)
        val = np.asarray(("new",) + self.value_states, dtype=object)
        return pd.DataFrame({
            "customer_id": np.repeat(self.customer_ids.to_numpy()[rows], n_t)[keep],
            "period_end": np.tile(self.period_ends.to_numpy(), rows.size)[keep],
            "recency_state": rec[r.ravel()[keep]],
            "value_segment": val[self.value[rows].ravel()[keep]],
            "purchases": self.purchases[rows].ravel()[keep],
            "spend": self.spend[rows].ravel()[keep],
        })


def period_ends(first_day, as_of, period_months: int) -> pd.DatetimeIndex:
    """Period ends ``as_of``, ``as_of − period_months`` months, … back until the first
    period contains ``first_day``; oldest first. Month ends stay month ends."""
    as_of = pd.Timestamp(as_of).normalize()
    first_day = pd.Timestamp(first_day).normalize()
    if first_day > as_of:
        raise ValueError(f"the first purchase {first_day.date()} is after as_of {as_of.date()}")
    ends = [as_of]
    while shift_months(as_of, -period_months * len(ends)) >= first_day:
        ends.append(shift_months(as_of, -period_months * len(ends)))
    return pd.DatetimeIndex(ends[::-1])


def shift_months(day: pd.Timestamp, months: int) -> pd.Timestamp:
    """``day`` moved by ``months`` months; a month's last day stays a month's last day
    (2024-06-30 − 3 months = 2024-03-31), other days keep their day number where it exists."""
    if day.is_month_end:
        return day + pd.offsets.MonthEnd(months) if months else day
    return day + pd.DateOffset(months=months)


def check_options(period_months, n_recency_states, n_value_tiers) -> None:
    """ValueError for a period length, number of recency states or value tiers out of range."""
    if not (isinstance(period_months, (int, np.integer)) and 1 <= period_months <= 24):
        raise ValueError(f"period_months must be an integer in [1, 24], got {period_months!r}")
    if not (isinstance(n_recency_states, (int, np.integer)) and 1 <= n_recency_states <= 20):
        raise ValueError(f"n_recency_states must be an integer in [1, 20], got {n_recency_states!r}")
    if n_value_tiers not in TIER_NAMES:
        raise ValueError(f"n_value_tiers must be one of {sorted(TIER_NAMES)}, got {n_value_tiers!r}")


def as_of_day(as_of, last_day: int) -> int:
    """Day number (days since 1970-01-01) of ``as_of`` (its calendar day; a time of day is
    dropped); ``None`` or ``""``: ``last_day``, the last purchase day."""
    if as_of is None or as_of == "":
        return int(last_day)
    return _day_of(as_of, "as_of")  # the day rule of the customer summaries' window ends


def snapshot_period_ends(first_day: int, last_day: int, period_months: int) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """:func:`period_ends` of a first purchase day and ``as_of`` given as day numbers, and
    the ends as day numbers (int64)."""
    ends = period_ends(pd.Timestamp(int(first_day), unit="D"), pd.Timestamp(int(last_day), unit="D"),
                       period_months)
    return ends, ends.to_numpy().astype("datetime64[D]").astype("int64")


def status_snapshots(
    transactions: pd.DataFrame,
    *,
    as_of=None,
    period_months: int = 3,
    n_recency_states: int = 4,
    n_value_tiers: int = 3,
) -> Snapshots:
    """Recency state and value segment of every customer at every period end.

    Parameters
    ----------
    transactions : one row per purchase line with ``customer_id``, ``date`` and ``amount``
        (currency, net of returns, ≥ 0).
    as_of : last day used (rows after it are ignored); ``None``: the last purchase day.
    period_months : length of a period in months (3 = quarters).
    n_recency_states : ``k``: states 1 … k, then ``lost`` after k periods without a purchase.
    n_value_tiers : spend tiers of the buyers of a period (1 to 5).

    The aggregation (purchase lines → purchase days → counts and spend per customer and
    period) is done here with numpy; :func:`snapshots_from_periods` builds the states from
    it, the step shared with the SQL engines (:mod:`.snapshots_sql`).
    """
    require_columns(transactions, ["customer_id", "date", "amount"], "transactions")
    check_options(period_months, n_recency_states, n_value_tiers)
    dates = transactions["date"]
    if not pd.api.types.is_datetime64_any_dtype(dates):
        raise ValueError("transactions: column 'date' must be datetime64; parse it first "
                         "(crm_analysis.data.load_transactions does)")
    if isinstance(dates.dtype, pd.DatetimeTZDtype):
        dates = dates.dt.tz_localize(None)
    bad = dates.isna().to_numpy() | transactions["customer_id"].isna().to_numpy()
    amount = pd.to_numeric(transactions["amount"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad |= ~np.isfinite(amount) | (amount < 0)
    if bad.any():
        rows = list(transactions.index[bad][:10])
        raise ValueError(f"transactions: {int(bad.sum())} rows with a missing customer_id or date, or a "
                         f"missing/negative amount, e.g. rows {rows}; drop or fix them first")
    day = dates.to_numpy().astype("datetime64[D]").astype("int64")
    if day.size == 0:
        raise ValueError("transactions are empty")
    last_day = as_of_day(as_of, day.max())
    keep = day <= last_day
    if not keep.any():
        raise ValueError(f"transactions: no purchase on or before as_of {as_of}")
    ids = transactions["customer_id"]
    codes, uniques = pd.factorize(ids if keep.all() else ids[keep], sort=True)  # arrow strings: no object copy
    day, amount = day[keep], amount[keep]
    ends, end_days = snapshot_period_ends(day.min(), last_day, period_months)
    n, n_t = len(uniques), len(ends)
    # one purchase per customer-day: sort an int64 key (customer, day), sum amounts per key
    base = int(day.min())
    key = codes.astype(np.int64) * (last_day - base + 1) + (day - base)
    order = np.argsort(key, kind="stable")
    key = key[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    day_spend = np.add.reduceat(amount[order], starts)
    ukey = key[starts]
    cust = ukey // (last_day - base + 1)
    uday = ukey % (last_day - base + 1) + base
    period = np.searchsorted(end_days, uday, side="left")  # period j holds days in (end_{j-1}, end_j]
    cell = cust * n_t + period
    purchases = np.bincount(cell, minlength=n * n_t).reshape(n, n_t).astype(np.int32)
    spend = np.bincount(cell, weights=day_spend, minlength=n * n_t).reshape(n, n_t)
    return snapshots_from_periods(pd.Index(uniques, name="customer_id"), ends, purchases, spend,
                                  period_months=period_months, n_recency_states=n_recency_states,
                                  n_value_tiers=n_value_tiers)


def snapshots_from_periods(
    customer_ids: pd.Index,
    ends: pd.DatetimeIndex,
    purchases: np.ndarray,
    spend: np.ndarray,
    *,
    period_months: int,
    n_recency_states: int,
    n_value_tiers: int,
) -> Snapshots:
    """The :class:`Snapshots` from purchase-day counts and spend per customer and period.

    The finishing step every engine shares. ``customer_ids``: sorted, one per row;
    ``ends``: the :func:`period_ends` (columns); ``purchases`` (int) and ``spend``
    (currency): customers × periods, period ``j`` holding the days in
    ``(ends[j-1], ends[j]]``; every customer bought in at least one period.
    """
    check_options(period_months, n_recency_states, n_value_tiers)
    purchases = np.asarray(purchases, dtype=np.int32)
    spend = np.asarray(spend, dtype=float)
    n, n_t = purchases.shape
    bought = purchases > 0
    k = int(n_recency_states)
    recency = np.zeros((n, n_t), dtype=np.int8)
    last = np.full(n, -1, dtype=np.int64)
    for j in range(n_t):
        last = np.where(bought[:, j], j, last)
        recency[:, j] = np.where(last < 0, 0, np.minimum(j - last + 1, k + 1))
    m = n_value_tiers
    thresholds = np.quantile(spend[bought], np.arange(1, m) / m) if m > 1 else np.zeros(0)
    tier = m - np.searchsorted(thresholds, spend, side="right")  # 1 = highest tier
    value = np.where(recency == 0, 0, np.where(bought, tier, np.where(recency == k + 1, m + 2, m + 1)))
    return Snapshots(
        customer_ids=customer_ids,
        period_ends=ends,
        period_months=int(period_months),
        recency=recency,
        value=value.astype(np.int8),
        purchases=purchases,
        spend=spend,
        recency_states=recency_labels(k),
        value_states=TIER_NAMES[m] + ("inactive", "lost"),
        value_thresholds=thresholds,
    )


def segment_rewards(snapshots: Snapshots, margin_rate: float, kind: str = "value") -> pd.Series:
    """Mean margin per customer and period in each state (currency): mean spend of the
    customer-periods in the state × ``margin_rate`` (0 where nobody was in it)."""
    if not 0 <= margin_rate <= 1:
        raise ValueError(f"margin_rate must be in [0, 1], got {margin_rate!r}")
    codes = snapshots.codes(kind).ravel()
    labels = snapshots.states(kind)
    n = np.bincount(codes, minlength=len(labels) + 1)[1:]
    total = np.bincount(codes, weights=snapshots.spend.ravel(), minlength=len(labels) + 1)[1:]
    mean = np.divide(total, n, out=np.zeros(len(labels)), where=n > 0)
    return pd.Series(mean * margin_rate, index=pd.Index(labels, name=f"{kind}_state"), name="reward")
