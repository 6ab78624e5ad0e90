"""Where notebook 05 gets its transactions: the synthetic recency chain (known truth) or
the real CDNOW purchase log (shipped)."""

from __future__ import annotations

import pandas as pd

from crm_analysis.data import load_cdnow

DATA_SOURCES = ("synthetic", "cdnow", "cdnow_sample")


def load_dynamics_data(data_source: str, *, retention, n_customers: int = 20000, n_periods: int = 8,
                       period_months: int = 3, seed: int = 0) -> tuple[pd.DataFrame, object, str]:
    """``(transactions, truth, description)``; ``truth`` is None for real data.

    ``synthetic`` simulates ``n_customers`` customers over ``n_periods`` periods whose true
    repurchase probabilities per recency state are ``retention``; ``cdnow`` is the full
    CDNOW log (23,570 customers), ``cdnow_sample`` its 1/10 sample.
    """
    if data_source == "synthetic":
        from crm_analysis.data.synthetic import simulate_recency_chain

        tx, truth = simulate_recency_chain(n_customers=n_customers, retention=retention, n_periods=n_periods,
                                           period_months=period_months, seed=seed)
        return tx, truth, (f"synthetic: {n_customers:,} customers over {n_periods} periods of "
                           f"{period_months} months, true repurchase probabilities {list(retention)}")
    if data_source in ("cdnow", "cdnow_sample"):
        tx = load_cdnow(sample=data_source == "cdnow_sample")
        return tx[["customer_id", "date", "amount"]], None, (
            f"CDNOW {'1/10 sample' if data_source == 'cdnow_sample' else 'full log'}: "
            f"{tx['customer_id'].nunique():,} customers who first bought in 1997-Q1, purchases to 1998-06-30 (USD)")
    raise ValueError(f"data_source must be one of {DATA_SOURCES}, got {data_source!r}")
