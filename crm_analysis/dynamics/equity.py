"""Markov customer equity (Pfeifer & Carraway 2000, "Modeling customer relationships as
Markov chains", J. Interactive Marketing 14(2), 43–55).

A customer's state moves by a transition matrix ``P`` (rows: from, columns: to); in each
period the firm receives the state's reward ``R`` (margin − contact cost, currency). With
a per-period discount rate ``d``, the expected present value of a customer in each state,
counting the current period's reward, is

* finite horizon of ``T`` periods: V_T = Σ_{t=0}^{T−1} (P/(1+d))^t R;
* infinite horizon: V = (I − P/(1+d))⁻¹ R  (solved, not inverted).

**Recency model.** States 1 … k by periods since the last purchase (1 = bought this
period) and an absorbing ``lost``. A customer in state i who is contacted buys in the next
period with probability p_i (back to state 1), else moves to i + 1; not contacted, they buy
with probability q_i (0 unless stated: no contact, no purchase). Reward of state i:
``margin`` if i = 1 (the purchase that put them there) minus ``contact_cost`` if the
policy contacts state i; ``lost`` is worth 0. So with everyone contacted R = (M − c, −c,
…, −c, 0) as in Pfeifer & Carraway.

**Contact policy.** Whom to keep contacting is a Markov decision problem; policy
iteration (Howard 1960) finds the policy that maximises every state's value. The state
space is tiny (k + 1 states), so this is written with numpy; no MDP library is needed.

**Projection.** :func:`project_segments` pushes segment sizes through a matrix and sums
the discounted rewards: the customer equity of the current customers over the horizon.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_analysis.estimates import estimate_table

from .snapshots import recency_labels


def _probabilities(values, name: str) -> np.ndarray:
    p = np.asarray(values, dtype=float)
    if p.ndim != 1 or p.size < 1 or not np.isfinite(p).all() or ((p < 0) | (p > 1)).any():
        raise ValueError(f"{name} must be a non-empty list of probabilities in [0, 1]; got {values!r}")
    return p


def _check_discount(rate: float) -> float:
    rate = float(rate)
    if not (np.isfinite(rate) and rate > -1):
        raise ValueError(f"period_discount_rate must be a number > -1 (e.g. 0.02 per period); got {rate!r}")
    return rate


def _contact(contact, k: int) -> np.ndarray:
    if contact is None:
        return np.ones(k, dtype=bool)
    c = np.asarray(contact, dtype=bool)
    if c.shape != (k,):
        raise ValueError(f"contact must give one yes/no per recency state 1..{k}; got {contact!r}")
    return c


def recency_chain(retention, contact=None, uncontacted_retention=None) -> pd.DataFrame:
    """Transition matrix of the recency model under a contact policy (states 1 … k, lost).

    ``retention`` = (p_1 … p_k): probability of buying next period when contacted in
    state i; ``uncontacted_retention`` = (q_1 … q_k), default 0; ``contact`` one bool per
    state (default: contact every state 1 … k).
    """
    p = _probabilities(retention, "recency_retention")
    k = p.size
    q = np.zeros(k) if uncontacted_retention is None else _probabilities(uncontacted_retention,
                                                                          "uncontacted_retention")
    if q.size != k:
        raise ValueError(f"uncontacted_retention needs {k} values, got {q.size}")
    buy = np.where(_contact(contact, k), p, q)
    m = np.zeros((k + 1, k + 1))
    m[np.arange(k), 0] = buy
    m[np.arange(k), np.arange(1, k + 1)] += 1 - buy
    m[k, k] = 1.0
    labels = recency_labels(k)
    return pd.DataFrame(m, index=pd.Index(labels, name="from"), columns=pd.Index(labels, name="to"))


def recency_rewards(k: int, margin_per_purchase: float, contact_cost: float, contact=None) -> pd.Series:
    """Reward per period of each recency state (currency): margin in state 1, minus the
    contact cost where the policy contacts; 0 when lost."""
    c = _contact(contact, k)
    r = np.zeros(k + 1)
    r[0] = float(margin_per_purchase)
    r[:k] -= float(contact_cost) * c
    return pd.Series(r, index=pd.Index(recency_labels(k), name="state"), name="reward")


def markov_value(transition: pd.DataFrame, rewards, period_discount_rate: float,
                 horizon: int | None = None) -> pd.Series:
    """Expected present value per starting state (currency), current period included.

    ``horizon=None``: infinite horizon, V = (I − P/(1+d))⁻¹ R; absorbing states with no
    reward are worth 0 and left out of the solve, so d = 0 works for chains that end in
    them (the fundamental-matrix value of an absorbing chain). Otherwise the sum over ``horizon`` periods.
    """
    d = _check_discount(period_discount_rate)
    P = np.asarray(transition, dtype=float)
    R = np.asarray(rewards, dtype=float)
    if P.ndim != 2 or P.shape[0] != P.shape[1] or R.shape != (P.shape[0],):
        raise ValueError(f"transition must be square and rewards match it; got {P.shape} and {R.shape}")
    if not np.allclose(P.sum(axis=1), 1.0, atol=1e-8) or (P < 0).any():
        raise ValueError("transition rows must be probabilities summing to 1")
    index = transition.index if isinstance(transition, pd.DataFrame) else None
    if horizon is None:
        # absorbing states without reward (lost) are worth 0; solving on the others keeps
        # the system regular when d = 0 (the fundamental matrix (I − Q)⁻¹ of an absorbing chain)
        live = ~((np.isclose(np.diag(P), 1.0)) & (R == 0))
        v = np.zeros_like(R)
        a = np.eye(int(live.sum())) - P[np.ix_(live, live)] / (1 + d)
        try:
            v[live] = np.linalg.solve(a, R[live])
        except np.linalg.LinAlgError:
            raise ValueError("infinite-horizon value does not exist: with period_discount_rate 0 some "
                             "rewarded state is never left; use a positive rate or a finite horizon") from None
    else:
        if int(horizon) < 0:
            raise ValueError(f"horizon must be >= 0 periods, got {horizon!r}")
        v, term = np.zeros_like(R), R.copy()
        for _ in range(int(horizon)):
            v += term
            term = P @ term / (1 + d)
    return pd.Series(v, index=None if index is None else index.rename("state"), name="value")


def recency_equity(retention, margin_per_purchase: float, contact_cost: float,
                   period_discount_rate: float, contact=None, horizon: int | None = None,
                   uncontacted_retention=None) -> pd.Series:
    """Value per recency state (currency) of the recency model under a contact policy."""
    P = recency_chain(retention, contact, uncontacted_retention)
    R = recency_rewards(len(P) - 1, margin_per_purchase, contact_cost, contact)
    return markov_value(P, R, period_discount_rate, horizon)


def optimal_contact_policy(retention, margin_per_purchase: float, contact_cost: float,
                           period_discount_rate: float, uncontacted_retention=None) -> pd.DataFrame:
    """The contact policy that maximises the value of every recency state (policy iteration).

    Returns a frame per state 1 … k, lost with ``contact`` (bool; lost: False), ``value``
    (infinite horizon under the optimal policy), ``value_if_contacted`` and
    ``value_if_not_contacted`` (one period's choice, optimal afterwards; their difference is
    what contacting that state is worth).
    """
    p = _probabilities(retention, "recency_retention")
    k = p.size
    q = np.zeros(k) if uncontacted_retention is None else _probabilities(uncontacted_retention,
                                                                          "uncontacted_retention")
    d = _check_discount(period_discount_rate)
    if d <= 0:
        raise ValueError("optimal_contact_policy needs period_discount_rate > 0")
    contact = np.ones(k, dtype=bool)
    for _ in range(4 * k + 10):
        v = recency_equity(p, margin_per_purchase, contact_cost, d, contact, None, q).to_numpy()
        nxt = np.r_[v[1:k], v[k]]  # value of moving to i + 1 (state k moves to lost)
        base = np.r_[margin_per_purchase, np.zeros(k - 1)]
        q_yes = base - contact_cost + (p * v[0] + (1 - p) * nxt) / (1 + d)
        q_no = base + (q * v[0] + (1 - q) * nxt) / (1 + d)
        better = np.where(contact, q_no > q_yes + 1e-12, q_yes > q_no + 1e-12)
        if not better.any():
            break
        contact = np.where(better, ~contact, contact)
    labels = recency_labels(k)
    return pd.DataFrame({"contact": np.r_[contact, False], "value": v,
                         "value_if_contacted": np.r_[q_yes, 0.0], "value_if_not_contacted": np.r_[q_no, 0.0]},
                        index=pd.Index(labels, name="state"))


def compare_policies(retention, margin_per_purchase: float, contact_cost: float,
                     period_discount_rate: float, policies: dict, uncontacted_retention=None,
                     horizon: int | None = None) -> pd.DataFrame:
    """Value per state (rows) under each named contact policy (columns), currency."""
    return pd.DataFrame({name: recency_equity(retention, margin_per_purchase, contact_cost,
                                              period_discount_rate, contact, horizon, uncontacted_retention)
                         for name, contact in policies.items()})


def standard_policies(k: int, optimal) -> dict:
    """The optimal policy and the alternatives a manager would name: contact until lost,
    contact only recent buyers (state 1), contact nobody."""
    return {"optimal": np.asarray(optimal, dtype=bool)[:k],
            "contact until lost": np.ones(k, dtype=bool),
            "recent buyers only": np.r_[True, np.zeros(k - 1, dtype=bool)],
            "nobody": np.zeros(k, dtype=bool)}


def retention_from_matrix(table: pd.DataFrame) -> pd.DataFrame:
    """Repurchase probability p_i = P(i → 1) per recency state from a
    :func:`~crm_analysis.dynamics.migration.transition_matrix` table (lost left out):
    the estimate-table rows for the moves to state ``"1"``."""
    rows = table.xs("1", level="to")
    return rows.drop(index="lost", errors="ignore")


def _batched_recency_values(p: np.ndarray, margin: float, cost: float, d: float,
                            contact: np.ndarray) -> np.ndarray:
    """Infinite-horizon values of many retention vectors at once (rows of ``p``), q = 0."""
    n_draws, k = p.shape
    buy = np.where(contact, p, 0.0)
    P = np.zeros((n_draws, k + 1, k + 1))
    P[:, np.arange(k), 0] = buy
    P[:, np.arange(k), np.arange(1, k + 1)] += 1 - buy
    P[:, k, k] = 1.0
    R = np.r_[margin, np.zeros(k)] - np.r_[cost * contact, 0.0]
    A = np.eye(k + 1) - P / (1 + d)
    return np.linalg.solve(A, np.broadcast_to(R, (n_draws, k + 1))[..., None])[..., 0]


def retention_for_policy(retention: pd.DataFrame) -> tuple[np.ndarray, list]:
    """Repurchase probabilities for the equity and policy functions from a
    :func:`retention_from_matrix` table, and the states no customer was seen in.

    A state nobody reached in the snapshots (too little history) has no estimate; it is
    taken as 0 (no evidence that such customers buy again) and listed, so the notebook can
    say so.
    """
    est = retention["estimate"]
    unobserved = [str(s) for s in est.index[est.isna()]]
    return est.fillna(0.0).to_numpy(dtype=float), unobserved


def equity_interval(counts: pd.DataFrame, margin_per_purchase: float, contact_cost: float,
                    period_discount_rate: float, contact=None, n_draws: int = 2000, seed: int = 0,
                    level: float = 0.95) -> pd.DataFrame:
    """Value per recency state from repurchase probabilities estimated on ``counts`` (pooled
    from × to counts of recency states), with a parametric-bootstrap percentile interval:
    p_i* = Binomial(n_i, p̂_i) / n_i, the value recomputed per draw. Estimate table."""
    table = counts.drop(index="lost", errors="ignore")
    n = table.sum(axis=1).to_numpy(dtype=float)
    x = table["1"].to_numpy(dtype=float)
    # states nobody was seen in: p = 0 without sampling variation (see retention_for_policy)
    p_hat = np.divide(x, n, out=np.zeros_like(x), where=n > 0)
    point = recency_equity(p_hat, margin_per_purchase, contact_cost, period_discount_rate, contact)
    rng = np.random.default_rng(seed)
    draws = rng.binomial(n.astype(np.int64), p_hat, size=(n_draws, n.size)) / np.maximum(n, 1)
    values = _batched_recency_values(draws, margin_per_purchase, contact_cost, period_discount_rate,
                                     _contact(contact, n.size))
    tail = (1 - level) / 2
    return estimate_table(point, values.std(axis=0, ddof=1), ci_low=np.quantile(values, tail, axis=0),
                          ci_high=np.quantile(values, 1 - tail, axis=0), level=level, index=point.index)


def project_segments(transition: pd.DataFrame, sizes, rewards, period_discount_rate: float,
                     horizon: int) -> pd.DataFrame:
    """Segment sizes and discounted cash flow of the current customers for ``horizon`` periods.

    Row 0 is now (sizes as given); row h holds sizes after h moves, the period's reward
    (Σ sizes × rewards, currency) and its present value (÷ (1+d)^h). The sum of
    ``present_value`` over rows 1 … horizon is the projected customer equity of the current
    base (new customers are not included).
    """
    d = _check_discount(period_discount_rate)
    P = transition.to_numpy(dtype=float)
    n = np.asarray(sizes, dtype=float)
    r = np.asarray(rewards, dtype=float)
    rows = []
    for h in range(int(horizon) + 1):
        rows.append([*n, float(n @ r), float(n @ r) / (1 + d) ** h])
        n = n @ P
    return pd.DataFrame(rows, columns=[*transition.columns, "cash_flow", "present_value"],
                        index=pd.RangeIndex(int(horizon) + 1, name="periods_ahead"))


def projected_equity(counts: pd.DataFrame, sizes, rewards, period_discount_rate: float, horizon: int,
                     n_draws: int = 1000, seed: int = 0, level: float = 0.95) -> pd.DataFrame:
    """Projected customer equity of the current customers over ``horizon`` periods (currency)
    with a parametric-bootstrap percentile interval for the estimated matrix.

    ``counts``: pooled from × to counts (rows with no customers stay put); the matrix is
    redrawn row by row as Multinomial(n_i, p̂_i) / n_i and the equity recomputed per draw.
    Rewards are taken as known. One-row estimate table indexed ``projected_equity``.
    """
    d = _check_discount(period_discount_rate)
    c = counts.to_numpy(dtype=float)
    n = c.sum(axis=1)
    p_hat = np.where(n[:, None] > 0, c / np.where(n > 0, n, 1)[:, None], np.eye(len(c)))
    rng = np.random.default_rng(seed)
    draws = np.stack([rng.multinomial(int(n_i), p_i, size=n_draws) / n_i if n_i > 0
                      else np.tile(p_i, (n_draws, 1)) for n_i, p_i in zip(n, p_hat)], axis=1)
    sizes = np.asarray(sizes, dtype=float)
    r = np.asarray(rewards, dtype=float)

    def equity(P):  # P: (..., S, S)
        x = np.broadcast_to(sizes, P.shape[:-1]).copy()
        total = np.zeros(P.shape[:-2])
        for h in range(1, int(horizon) + 1):
            x = np.einsum("...i,...ij->...j", x, P)
            total = total + (x @ r) / (1 + d) ** h
        return total

    point = float(equity(p_hat))
    values = equity(draws)
    tail = (1 - level) / 2
    return estimate_table([point], [values.std(ddof=1)], ci_low=[np.quantile(values, tail)],
                          ci_high=[np.quantile(values, 1 - tail)], level=level, index=["projected_equity"])
