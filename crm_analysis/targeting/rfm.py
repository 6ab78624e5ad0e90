"""RFM scoring: recency, frequency and monetary value in quintiles, and named segments.

Scoring direction: 5 is best on every axis, so the most RECENT buyers (fewest days since
the last purchase), the most frequent and the highest spenders score 5.

Ties: scores are :func:`crm_analysis.common.score_groups` of the values, **by value**:
customers with the same value always get the same score, whatever the row order. When
many customers share a value (frequency often does) the groups are unequal in size and a
score may be empty.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..common import score_groups
from .checks import as_scores

SEGMENT_RULES = (
    # (segment, rule on R and FM = rounded mean of F and M, both 1..5), first match wins
    ("champions", lambda r, fm: (r >= 4) & (fm >= 4)),
    ("loyal customers", lambda r, fm: (r >= 3) & (fm >= 4)),
    ("potential loyalists", lambda r, fm: (r >= 4) & (fm >= 2)),
    ("new or occasional", lambda r, fm: r >= 4),
    ("need attention", lambda r, fm: (r == 3) & (fm >= 2)),
    ("at risk", lambda r, fm: (r <= 2) & (fm >= 4)),
    ("about to sleep", lambda r, fm: r == 3),
    ("hibernating", lambda r, fm: (r <= 2) & (fm >= 2)),
    ("lost", lambda r, fm: r <= 2),
)
"""Named RFM segments (a common marketing convention), applied in this order."""


def _score(values: np.ndarray, bins: int, higher_is_better: bool) -> np.ndarray:
    return score_groups(values, bins, higher_is_better=higher_is_better)


def rfm_scores(frame: pd.DataFrame, recency: str = "recency_days",
               frequency: str = "frequency", monetary: str = "monetary",
               bins: int = 5) -> pd.DataFrame:
    """Score each customer 1..``bins`` on recency, frequency and monetary value.

    ``recency`` is time since the last purchase (any unit; smaller is better),
    ``frequency`` a purchase count and ``monetary`` a spend amount (larger is better).
    Returns columns ``R``, ``F``, ``M``, ``rfm_cell`` (e.g. ``"545"``) and ``rfm_total``
    (R + F + M), indexed like ``frame``.
    """
    for col in (recency, frequency, monetary):
        if col not in frame.columns:
            raise ValueError(f"rfm_scores: column {col!r} not found; columns are "
                             f"{list(frame.columns)}")
    if len(frame) < bins:
        raise ValueError(f"rfm_scores: {len(frame)} customers cannot fill {bins} bins")
    r = _score(as_scores(frame[recency], recency), bins, higher_is_better=False)
    f = _score(as_scores(frame[frequency], frequency), bins, higher_is_better=True)
    m = _score(as_scores(frame[monetary], monetary), bins, higher_is_better=True)
    out = pd.DataFrame({"R": r, "F": f, "M": m}, index=frame.index)
    out["rfm_cell"] = (out["R"].astype(str) + out["F"].astype(str) + out["M"].astype(str))
    out["rfm_total"] = r + f + m
    return out


def rfm_segments(scores: pd.DataFrame) -> pd.Series:
    """Name each customer's RFM segment from 1..5 scores (:data:`SEGMENT_RULES`)."""
    r = scores["R"].to_numpy()
    fm = np.floor((scores["F"].to_numpy() + scores["M"].to_numpy()) / 2 + 0.5)
    conditions = [rule(r, fm) for _, rule in SEGMENT_RULES]
    names = [name for name, _ in SEGMENT_RULES]
    return pd.Series(np.select(conditions, names, default="lost"), index=scores.index,
                     name="rfm_segment")


def rfm_from_transactions(transactions: pd.DataFrame, as_of=None) -> pd.DataFrame:
    """Per-customer recency, frequency and monetary value from a transaction log.

    ``transactions`` has ``customer_id``, ``date`` and ``amount`` (e.g. a data profile's
    transactions table, net of returns). Only rows dated on or before ``as_of`` are used;
    recency is counted to ``as_of`` (default: the last day in the data). Purchases are
    merged per customer and day. Returns, indexed by ``customer_id`` (sorted):
    ``recency_days`` (days from the last purchase day to ``as_of``), ``frequency``
    (purchase days), ``monetary`` (mean spend per purchase day, currency of ``amount``),
    ``total_spend`` and ``first_purchase``.
    """
    for col in ("customer_id", "date", "amount"):
        if col not in transactions.columns:
            raise ValueError(f"rfm_from_transactions: column {col!r} not found; columns are "
                             f"{list(transactions.columns)}")
    day = transactions["date"].dt.floor("D")
    end = pd.Timestamp(as_of).normalize() if as_of else day.max()
    keep = day <= end
    if not keep.any():
        raise ValueError(f"rfm_from_transactions: no purchases on or before {end.date()}")
    daily = (pd.DataFrame({"customer_id": transactions["customer_id"][keep], "day": day[keep],
                           "amount": transactions["amount"][keep]})
             .groupby(["customer_id", "day"], sort=True)["amount"].sum().reset_index())
    per = daily.groupby("customer_id", sort=True).agg(
        last=("day", "max"), first_purchase=("day", "min"), frequency=("day", "size"),
        total_spend=("amount", "sum"))
    return pd.DataFrame({
        "recency_days": (end - per["last"]).dt.days.astype("int64"),
        "frequency": per["frequency"].astype("int64"),
        "monetary": per["total_spend"] / per["frequency"],
        "total_spend": per["total_spend"],
        "first_purchase": per["first_purchase"],
    })


def transaction_cube_levels(scores: pd.DataFrame, high_score: int = 4) -> pd.DataFrame:
    """Cube axes from RFM scores when no campaign or survey data exist (this workbook's
    reading of the sources' cube for a plain transaction log): purchasing power = M score,
    loyalty = F score, response potential = R score (recent buyers answer more often);
    each is 1 ("high") at or above ``high_score``, else 0. Columns ``power``, ``loyalty``,
    ``response`` for :func:`crm_analysis.targeting.cube_cells` with thresholds 1."""
    return pd.DataFrame({"power": (scores["M"] >= high_score).astype(int),
                         "loyalty": (scores["F"] >= high_score).astype(int),
                         "response": (scores["R"] >= high_score).astype(int)}, index=scores.index)
