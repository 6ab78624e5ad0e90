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
