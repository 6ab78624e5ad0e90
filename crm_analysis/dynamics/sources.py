"""Where notebook 05 gets its transactions: the synthetic recency chain (known truth), the
real CDNOW purchase log (shipped), or the analyst's own transactions through a data profile."""

from __future__ import annotations

import pandas as pd

from crm_analysis.data import load_cdnow, load_profile

DATA_SOURCES = ("synthetic", "cdnow", "cdnow_sample")
SYNTHETIC_END = "2025-12-31"


def load_dynamics_data(data_source: str, *, retention, as_of: str | None = None, data: str | None = None,
                       n_customers: int = 20000, n_periods: int = 8, period_months: int = 3,
                       seed: int = 0) -> tuple[pd.DataFrame, object, str, pd.Timestamp]:
    """``(transactions, truth, description, as_of_used)``; ``truth`` is None for real data.

    ``data``, the path of a data profile (YAML), wins over ``data_source``: its
    ``transactions`` table (``customer_id``, ``date``, ``amount`` net of returns) up to
    ``as_of``.

    ``synthetic`` simulates ``n_customers`` customers over ``n_periods`` periods ending on
    ``as_of`` (default 2025-12-31) whose true repurchase probabilities per recency state
    are ``retention``; ``cdnow`` is the full CDNOW log (23,570 customers), ``cdnow_sample``
    its 1/10 sample. Real data keep the rows up to ``as_of``; an ``as_of`` after the last
    purchase is moved back to the last purchase day (a report run today on an old log
    still shows the log's periods). ``as_of_used`` is the last day analysed.
    """
    as_of_ts = pd.Timestamp(as_of).normalize() if as_of else None
    if data:
        profile = load_profile(data)
        if not profile.has("transactions"):
            raise ValueError(f"data profile {data}: it has no `transactions` table (it has {profile.tables}); "
                             "notebook 05 needs one: add a transactions section with customer_id, date and amount")
        tx = profile.transactions(as_of=as_of_ts)[["customer_id", "date", "amount"]]
        if tx.empty:
            raise ValueError(f"data profile {data}: no transactions on or before as_of {as_of}")
        last = tx["date"].max().normalize()
        used = last if as_of_ts is None or as_of_ts > last else as_of_ts
        return tx, None, (f"your data ({data}): {tx['customer_id'].nunique():,} customers, "
                          f"{len(tx):,} purchase lines to {used.date()}"), used
    if data_source == "synthetic":
        from crm_analysis.data.synthetic import simulate_recency_chain

        end = as_of_ts if as_of_ts is not None else pd.Timestamp(SYNTHETIC_END)
        tx, truth = simulate_recency_chain(n_customers=n_customers, retention=retention, n_periods=n_periods,
                                           period_months=period_months, end=end, seed=seed)
        return tx, truth, (f"synthetic: {n_customers:,} customers over {n_periods} periods of "
                           f"{period_months} months to {end.date()}, true repurchase probabilities "
                           f"{list(retention)}"), end
    if data_source in ("cdnow", "cdnow_sample"):
        tx = load_cdnow(sample=data_source == "cdnow_sample")[["customer_id", "date", "amount"]]
        if as_of_ts is not None:
            tx = tx[tx["date"] <= as_of_ts]
            if tx.empty:
                raise ValueError(f"as_of {as_of_ts.date()} is before the first CDNOW purchase (1997-01-01)")
        last = tx["date"].max().normalize()
        used = last if as_of_ts is None or as_of_ts > last else as_of_ts
        return tx, None, (
            f"CDNOW {'1/10 sample' if data_source == 'cdnow_sample' else 'full log'}: "
            f"{tx['customer_id'].nunique():,} customers who first bought in 1997-Q1, purchases to "
            f"{used.date()} (USD)"), used
    raise ValueError(f"data_source must be one of {DATA_SOURCES}, got {data_source!r}")
