"""The transaction logs the lifetime-value notebook can analyse, behind one call.

``data_source`` is ``"cdnow_sample"`` (2,357 CDNOW customers), ``"cdnow"`` (all 23,570),
``"synthetic"`` (a BG/NBD world with known truth, from :mod:`crm_analysis.data.synthetic`)
or the path of the analyst's CSV/Parquet file (read and checked by
:func:`crm_analysis.data.load_transactions` with the given column names).  Every source
comes back with the columns ``customer_id`` (str), ``date`` (datetime64) and ``amount``
(currency of the source: USD for CDNOW, currency units for synthetic data).
"""

from __future__ import annotations

import pandas as pd

from crm_analysis.data import load_cdnow, load_transactions
from crm_analysis.data.synthetic import simulate_transactions

#: Calibration and holdout ends of the published CDNOW analyses (39 + 39 weeks).
CDNOW_WINDOW = ("1997-09-30", "1998-06-30")


def load_clv_transactions(
    data_source: str,
    *,
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str = "amount",
    allow_duplicates: bool = False,
    n_synthetic: int = 5000,
    seed: int = 0,
):
    """``(transactions, truth)`` for ``data_source``; ``truth`` is None for real data.

    ``allow_duplicates`` keeps identical lines of a file (refused by default because they
    are often double loads; CDNOW itself has 21 such lines that are genuine).
    """
    if data_source in ("cdnow", "cdnow_sample"):
        frame = load_cdnow(sample=data_source == "cdnow_sample")
        return frame[["customer_id", "date", "amount"]], None
    if data_source == "synthetic":
        frame, truth = simulate_transactions(n_synthetic, seed=seed)
        return frame[["customer_id", "date", "amount"]], truth
    frame = load_transactions(data_source, customer_id=customer_col, date=date_col, amount=amount_col,
                              allow_duplicates=allow_duplicates)
    return frame[["customer_id", "date", "amount"]], None


def analysis_window(
    data_source: str, transactions: pd.DataFrame, calibration_end: str, observation_end: str
) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Resolve ``"auto"`` calibration/observation ends: the published window for CDNOW,
    otherwise the last purchase day as observation end and the midpoint between the first
    and last purchase day as calibration end."""
    first, last = transactions["date"].min().floor("D"), transactions["date"].max().floor("D")
    if data_source in ("cdnow", "cdnow_sample"):
        auto_cal, auto_obs = (pd.Timestamp(d) for d in CDNOW_WINDOW)
    else:
        auto_cal, auto_obs = first + (last - first) / 2, last
    cal = auto_cal.floor("D") if calibration_end == "auto" else pd.Timestamp(calibration_end)
    obs = auto_obs if observation_end == "auto" else pd.Timestamp(observation_end)
    if not first <= cal < obs:
        raise ValueError(
            f"calibration_end {cal.date()} must fall between the first purchase {first.date()} "
            f"and observation_end {obs.date()}"
        )
    return cal, obs
