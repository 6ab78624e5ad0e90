"""Purchases of customers who move through recency states by a known Markov chain.

The recency model of Pfeifer & Carraway (2000, J. Interactive Marketing 14(2)): time is
cut into periods of ``period_months`` months. A customer's recency state at the end of a
period is 1 if they bought in that period, 2 if their last purchase was one period
earlier, …, ``k`` if it was ``k − 1`` periods earlier, and ``lost`` (state ``k + 1``)
after ``k`` periods without a purchase. From state ``i ≤ k`` the customer buys in the next
period with probability ``p_i`` (back to state 1) or moves to state ``i + 1``; ``lost`` is
absorbing. So the true one-period transition matrix is known exactly
(:attr:`RecencyChainTruth.transition_matrix`).

* Customers are acquired uniformly over the periods (``acquired_share_first`` of them in
  the first period, the rest evenly over the later ones); the acquisition purchase puts
  them in state 1 at the end of their first period.
* ``retention`` is ``(p_1, …, p_k)``; ``retention_by_period`` (optional, shape
  ``(n_periods, k)``) lets the probabilities change from period to period (row ``j`` is
  used for the move into period ``j``), which makes the chain non-stationary.
* A buying period holds ``1 + Poisson(λ)`` purchases on days drawn uniformly within the
  period, where each customer's λ ~ Gamma(shape 0.5, mean ``extra_purchases``) (some
  customers buy several times a period, most once); each customer has a mean spend per purchase
  m ~ Gamma(shape ``spend_shape``, scale ``spend_mean / spend_shape``) (currency) and
  each purchase is Gamma(shape 4, scale m / 4).

Vectorized over customers; a loop over the (few) periods.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._common import check_count, check_positive, check_probability, customer_ids


@dataclass(frozen=True, eq=False)
class RecencyChainTruth:
    """The truth behind :func:`simulate_recency_chain`."""

    retention: np.ndarray            # (p_1 … p_k), or the per-period rows when non-stationary
    retention_by_period: np.ndarray  # (n_periods, k): probability used for the move into period j
    period_ends: pd.DatetimeIndex    # last day of each period
    period_months: int
    states: tuple                    # state labels "1" … "k", "lost"
    state_paths: pd.DataFrame        # true state per customer (rows) and period end (columns); 0 = not yet acquired

    @property
    def transition_matrix(self) -> pd.DataFrame:
        """True one-period transition matrix (stationary chain: the rows of ``retention``)."""
        p = np.asarray(self.retention, dtype=float)
        if p.ndim != 1:
            raise ValueError("the chain is non-stationary; use transition_matrix_at(period)")
        return _matrix(p, self.states)

    def transition_matrix_at(self, period: int) -> pd.DataFrame:
        """True transition matrix of the move into period ``period`` (0-based)."""
        return _matrix(self.retention_by_period[period], self.states)


def _matrix(p: np.ndarray, states: tuple) -> pd.DataFrame:
    k = p.size
    m = np.zeros((k + 1, k + 1))
    m[np.arange(k), 0] = p
    m[np.arange(k), np.arange(1, k + 1)] = 1 - p
    m[k, k] = 1.0
    return pd.DataFrame(m, index=pd.Index(states, name="from"), columns=pd.Index(states, name="to"))


def simulate_recency_chain(
    n_customers: int = 20000,
    retention=(0.30, 0.20, 0.15, 0.05),
    n_periods: int = 8,
    period_months: int = 3,
    end: str = "2025-12-31",
    acquired_share_first: float = 0.4,
    extra_purchases: float = 0.5,
    spend_mean: float = 60.0,
    spend_shape: float = 2.0,
    retention_by_period=None,
    seed: int = 0,
) -> tuple[pd.DataFrame, RecencyChainTruth]:
    """Simulate a transaction log (``customer_id``, ``date``, ``amount``) and its truth.

    ``end`` is the last day of the last period; periods are ``period_months`` months long.
    Returns ``(transactions, truth)``; transactions are sorted by customer and date.
    """
    check_count("n_customers", n_customers)
    check_count("n_periods", n_periods, minimum=2)
    check_count("period_months", period_months)
    check_positive(spend_mean=spend_mean, spend_shape=spend_shape)
    check_probability(acquired_share_first=acquired_share_first)
    if extra_purchases < 0:
        raise ValueError(f"extra_purchases must be >= 0, got {extra_purchases!r}")
    p = np.asarray(retention, dtype=float)
    if p.ndim != 1 or p.size < 1 or ((p < 0) | (p > 1)).any():
        raise ValueError(f"retention must be a list of probabilities in [0, 1], got {retention!r}")
    k = p.size
    if retention_by_period is None:
        by_period = np.tile(p, (n_periods, 1))
    else:
        by_period = np.asarray(retention_by_period, dtype=float)
        if by_period.shape != (n_periods, k) or ((by_period < 0) | (by_period > 1)).any():
            raise ValueError(f"retention_by_period must have shape ({n_periods}, {k}) with probabilities")
    rng = np.random.default_rng(seed)
    end_ts = pd.Timestamp(end).normalize()
    # period ends step back whole months from ``end``; a month's last day stays a month end
    back = [period_months * (n_periods - 1 - j) for j in range(n_periods)]
    ends = pd.DatetimeIndex([end_ts + pd.offsets.MonthEnd(-m) if end_ts.is_month_end and m else
                             end_ts - pd.DateOffset(months=m) for m in back])
    starts = pd.DatetimeIndex([ends[0] - pd.DateOffset(months=period_months) + pd.Timedelta(days=1),
                               *(ends[:-1] + pd.Timedelta(days=1))])
    first = np.where(rng.random(n_customers) < acquired_share_first, 0,
                     rng.integers(1, n_periods, n_customers))
    state = np.zeros(n_customers, dtype=np.int16)  # 0 = not yet acquired
    paths = np.zeros((n_customers, n_periods), dtype=np.int16)
    bought = np.zeros((n_customers, n_periods), dtype=bool)
    for j in range(n_periods):
        active = (state >= 1) & (state <= k)
        buy = np.zeros(n_customers, dtype=bool)
        probs = by_period[j][np.clip(state - 1, 0, k - 1)]
        buy[active] = rng.random(int(active.sum())) < probs[active]
        new = first == j
        buy |= new
        state = np.where(buy, 1, np.where(state >= 1, np.minimum(state + 1, k + 1), 0)).astype(np.int16)
        paths[:, j] = state
        bought[:, j] = buy
    cust, period = np.nonzero(bought)
    lam = rng.gamma(0.5, 2.0 * extra_purchases, n_customers) if extra_purchases > 0 else np.zeros(n_customers)
    n_buy = 1 + rng.poisson(lam[cust])
    cust, period = np.repeat(cust, n_buy), np.repeat(period, n_buy)
    length = (ends - starts).days.to_numpy() + 1
    day = (starts.to_numpy()[period] + (rng.random(cust.size) * length[period]).astype("int64")
           * np.timedelta64(1, "D"))
    mean_spend = rng.gamma(spend_shape, spend_mean / spend_shape, n_customers)
    amount = np.round(rng.gamma(4.0, mean_spend[cust] / 4.0), 2)
    ids = customer_ids(n_customers)
    tx = pd.DataFrame({"customer_id": ids.take(cust), "date": pd.DatetimeIndex(day).astype("datetime64[ns]"),
                       "amount": amount})
    tx = tx.sort_values(["customer_id", "date"], kind="stable").reset_index(drop=True)
    states = tuple(str(i) for i in range(1, k + 1)) + ("lost",)
    truth = RecencyChainTruth(
        retention=p if retention_by_period is None else by_period,
        retention_by_period=by_period,
        period_ends=ends,
        period_months=period_months,
        states=states,
        state_paths=pd.DataFrame(paths, index=pd.Index(ids, name="customer_id"), columns=ends),
    )
    return tx, truth
