"""RFM scoring: recency, frequency and monetary value in quintiles, and named segments.

Scoring direction: 5 is best on every axis, so the most RECENT buyers (fewest days since
the last purchase), the most frequent and the highest spenders score 5.

Ties: customers are ranked with ``rank(method="first")`` (ties broken by row order, after
ordering by the value) before cutting into equal-sized groups, so every score holds
``n / bins`` customers (±1) even when many customers share a value (frequency often does).
The price is that two customers with the same value can get neighbouring scores.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

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
    ranks = pd.Series(values if higher_is_better else -values).rank(method="first")
    return pd.qcut(ranks, bins, labels=False).to_numpy() + 1


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
