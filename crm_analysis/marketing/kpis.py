"""Product-centric and customer-centric KPIs on the same transactions.

Mass marketing counts products and market share; CRM counts customers, their share of
wallet (고객점유율: our spend ÷ the customer's total spend in the category), their
retention and their value. Every function takes a transaction log with columns
``customer_id``, ``date`` (datetime), ``amount`` (currency per transaction) and, where
products matter, ``product``.

Time: dates are calendar timestamps; windows are given in days. Money: the currency of
``amount``. Rates: retention is per period of ``period_days`` (annual for 365).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..common import require_columns
from ..clv.value import constant_retention_lifetime

REQUIRED = ("customer_id", "date", "amount")


def _check(transactions: pd.DataFrame, extra: tuple[str, ...] = ()) -> None:
    require_columns(transactions, REQUIRED + extra, "transactions")


def product_kpis(transactions: pd.DataFrame) -> pd.DataFrame:
    """The mass marketer's view: per product, revenue, orders, buyers and revenue share.

    Sorted by revenue, largest first. ``revenue_share`` is the product's share of our
    revenue (fraction).
    """
    _check(transactions, ("product",))
    table = transactions.groupby("product").agg(
        revenue=("amount", "sum"), orders=("amount", "size"), buyers=("customer_id", "nunique")
    )
    table["revenue_share"] = table["revenue"] / table["revenue"].sum()
    return table.sort_values("revenue", ascending=False)


def share_of_wallet(transactions: pd.DataFrame, wallets: pd.DataFrame) -> pd.DataFrame:
    """Per customer: our spend, their category spend and our share of wallet (0–1).

    ``wallets`` has ``customer_id`` and ``category_spend``: the customer's total spend in
    the category at all retailers over the same window as ``transactions`` (from a panel,
    a survey or, here, the simulation). Customers in ``wallets`` who bought nothing from
    us have share 0. Raises if our spend exceeds a customer's category spend.
    """
    _check(transactions)
    ours = transactions.groupby("customer_id")["amount"].sum().rename("our_spend")
    table = wallets.set_index("customer_id")[["category_spend"]].join(ours, how="left")
    table["our_spend"] = table["our_spend"].fillna(0.0)
    missing = ours.index.difference(table.index)
    if len(missing):
        raise ValueError(f"wallets lack {len(missing)} buying customers, e.g. {list(missing[:10])}")
    over = table.index[table["our_spend"] > table["category_spend"] * (1 + 1e-9)]
    if len(over):
        raise ValueError(
            f"our spend exceeds category_spend for customers {list(over[:10])}: the wallet"
            " must cover the same window and category as the transactions"
        )
    table["share_of_wallet"] = table["our_spend"] / table["category_spend"]
    return table.reset_index()


def market_share(transactions: pd.DataFrame, market_size: float) -> float:
    """Our revenue ÷ the category's total spend ``market_size`` (same window, currency)."""
    _check(transactions)
    if not market_size > 0:
        raise ValueError(f"market_size must be positive, got {market_size!r}")
    return float(transactions["amount"].sum() / market_size)


def retention_rate(transactions: pd.DataFrame, as_of, period_days: int = 365) -> float:
    """Share of the customers who bought in the period before last who bought again in
    the last period; periods are ``period_days`` long and end at ``as_of``."""
    _check(transactions)
    as_of = pd.Timestamp(as_of)
    period = pd.Timedelta(days=period_days)
    dates = transactions["date"]
    before = set(transactions.loc[(dates > as_of - 2 * period) & (dates <= as_of - period),
                                  "customer_id"])
    if not before:
        raise ValueError(
            f"no purchases between {(as_of - 2 * period).date()} and {(as_of - period).date()};"
            " retention needs two full periods of history"
        )
    last = set(transactions.loc[(dates > as_of - period) & (dates <= as_of), "customer_id"])
    return len(before & last) / len(before)


def customer_equity(annual_margin: pd.Series | np.ndarray, retention: float,
                    discount_rate: float) -> float:
    """Sum over customers of the retention-based lifetime value m·r/(1 + d − r)
    (:func:`crm_analysis.clv.constant_retention_lifetime` without the current year).

    ``annual_margin``: each customer's margin per year (currency); ``retention``: annual
    retention rate; ``discount_rate``: annual discount rate. Margins are assumed to arrive
    at the end of each year the customer is retained (Gupta & Lehmann's simple formula;
    notebook 03 fits proper CLV models).
    """
    lifetime = constant_retention_lifetime(retention, discount_rate, include_current=False)
    return float(np.sum(annual_margin) * lifetime)


def customer_kpis(transactions: pd.DataFrame, wallets: pd.DataFrame, as_of,
                  margin_rate: float, discount_rate: float) -> pd.Series:
    """The CRM view in one row: customers, revenue per customer, market share, share of
    wallet (mean and median over customers), annual retention and customer equity.

    ``margin_rate``: margin as a fraction of revenue; ``discount_rate``: annual. Equity
    uses each customer's margin over the last 365 days before ``as_of``.
    """
    sow = share_of_wallet(transactions, wallets)
    buyers = sow[sow["our_spend"] > 0]
    as_of = pd.Timestamp(as_of)
    last_year = transactions[transactions["date"] > as_of - pd.Timedelta(days=365)]
    retention = retention_rate(transactions, as_of, 365)
    annual_margin = margin_rate * last_year.groupby("customer_id")["amount"].sum()
    return pd.Series({
        "customers": len(buyers),
        "revenue": float(sow["our_spend"].sum()),
        "revenue_per_customer": float(buyers["our_spend"].mean()),
        "market_share": market_share(transactions, sow["category_spend"].sum()),
        "mean_share_of_wallet": float(buyers["share_of_wallet"].mean()),
        "median_share_of_wallet": float(buyers["share_of_wallet"].median()),
        "annual_retention": retention,
        "customer_equity": customer_equity(annual_margin, retention, discount_rate),
    })


def equal_market_share_firms(wallets: pd.DataFrame, market_share: float = 0.2,
                             deep_share_of_wallet: float = 0.8, seed: int = 0) -> pd.DataFrame:
    """Two firms with the same market share and very different customer shares.

    * ``mass``: takes ``market_share`` of every customer's wallet (it sells to everyone a
      little).
    * ``crm``: serves fewer customers, drawn at random until their wallets reach
      ``market_share / deep_share_of_wallet`` of the market, and takes about
      ``deep_share_of_wallet`` of each (scaled so the market share is exactly equal).

    Returns one row per firm: customers, revenue, market_share, share_of_wallet (mean
    over its customers), revenue_per_customer (currency per customer).
    """
    if not 0 < market_share < deep_share_of_wallet <= 1:
        raise ValueError("need 0 < market_share < deep_share_of_wallet <= 1")
    spend = wallets["category_spend"].to_numpy(dtype=float)
    market = spend.sum()
    order = np.random.default_rng(seed).permutation(spend.size)
    cumulative = np.cumsum(spend[order])
    k = int(np.searchsorted(cumulative, market * market_share / deep_share_of_wallet)) + 1
    served = spend[order[:k]]
    deep_sow = market * market_share / served.sum()
    rows = [
        ("mass", spend.size, market * market_share, market_share),
        ("crm", k, market * market_share, deep_sow),
    ]
    table = pd.DataFrame(rows, columns=["firm", "customers", "revenue", "share_of_wallet"])
    table["market_share"] = table["revenue"] / market
    table["revenue_per_customer"] = table["revenue"] / table["customers"]
    return table.set_index("firm")


def lifecycle_by_cohort(transactions: pd.DataFrame, as_of, cohort_freq: str = "Q",
                        window_days: int = 180) -> pd.DataFrame:
    """Acquisition, cultivation and retention KPIs per acquisition cohort (확보·개발·유지).

    A customer's cohort is the period (``cohort_freq``, pandas period alias: "M", "Q")
    of their first purchase. Per cohort:

    * ``acquired``: new customers;
    * ``repeat_share``: share who bought again within ``window_days`` of their first
      purchase (cultivation), among those acquired at least ``window_days`` before as_of;
    * ``revenue_per_customer``: mean spend in the first ``window_days`` (same customers);
    * ``active_share``: share who bought in the last ``window_days`` before ``as_of``
      (retention).
    """
    _check(transactions)
    as_of = pd.Timestamp(as_of)
    window = pd.Timedelta(days=window_days)
    tx = transactions[transactions["date"] <= as_of]
    first = tx.groupby("customer_id")["date"].min().rename("first")
    tx = tx.join(first, on="customer_id")
    in_window = tx[tx["date"] <= tx["first"] + window]
    per_customer = pd.DataFrame({
        "first": first,
        "cohort": first.dt.to_period(cohort_freq).astype(str),
        "window_purchases": in_window.groupby("customer_id").size(),
        "window_spend": in_window.groupby("customer_id")["amount"].sum(),
        "active": tx[tx["date"] > as_of - window].groupby("customer_id").size() > 0,
    })
    per_customer["active"] = per_customer["active"].fillna(False).astype(bool)
    per_customer["mature"] = per_customer["first"] <= as_of - window
    mature = per_customer[per_customer["mature"]]
    table = pd.DataFrame({
        "acquired": per_customer.groupby("cohort").size(),
        "repeat_share": (mature["window_purchases"] > 1).groupby(mature["cohort"]).mean(),
        "revenue_per_customer": mature.groupby("cohort")["window_spend"].mean(),
        "active_share": per_customer.groupby("cohort")["active"].mean(),
    })
    return table.rename_axis("cohort")


def cohort_activity(transactions: pd.DataFrame, freq: str = "Q", as_of=None) -> pd.DataFrame:
    """Share of each acquisition cohort that bought in each period since acquisition.

    Rows: cohort (period of the first purchase); columns: periods since acquisition
    (0 = the acquisition period, always 1.0). Periods follow ``freq`` ("M", "Q"). Periods
    not yet observed at ``as_of`` (default: the last transaction) are NaN, not 0, so
    young cohorts do not look churned.
    """
    _check(transactions)
    period = transactions["date"].dt.to_period(freq)
    first = period.groupby(transactions["customer_id"]).transform("min")
    age = period.array.asi8 - first.array.asi8  # whole periods between the two
    active = pd.DataFrame({"cohort": first, "age": age,
                           "customer_id": transactions["customer_id"]}).drop_duplicates()
    counts = active.groupby(["cohort", "age"]).size().unstack(fill_value=0)
    end = pd.Timestamp(as_of if as_of is not None else transactions["date"].max())
    observed = end.to_period(freq).ordinal - counts.index.array.asi8  # last observed age
    counts = counts.reindex(columns=range(int(observed.max()) + 1), fill_value=0)
    share = counts.div(counts[0], axis=0).astype(float)
    share = share.mask(share.columns.to_numpy()[None, :] > observed[:, None])
    share.index = share.index.astype(str)
    return share
