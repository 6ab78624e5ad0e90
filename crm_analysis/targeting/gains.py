"""Gains, lift and profit curves of a response score, and the profit-optimal contact depth.

Curves (profit by depth) order customers by score, highest first (a stable sort, so tied
scores keep their row order). Gains tables cut the scores into ``n_bins`` equal-count
groups **by value** with :func:`crm_analysis.common.score_groups` (group 1 = the best
10 %): tied scores share a group, so with many ties groups are unequal (an empty group is
left out); with continuous model scores the groups are equal.

Hand-written on purpose: scikit-learn has no gains/lift table, and the few lines of
cumulative sums below are clearer than a dependency on a marketing-metrics package.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..common import score_groups
from .checks import as_binary, as_scores, require_both_classes, same_length


def _order(y, score) -> tuple[np.ndarray, np.ndarray]:
    y = as_binary(y, "response")
    s = as_scores(score, "score")
    same_length(response=y, score=s)
    require_both_classes(y, "response")
    order = np.argsort(-s, kind="stable")
    return y[order], s[order]


def gains_table(y, score, n_bins: int = 10) -> pd.DataFrame:
    """Gains and lift by score group (1 = highest scores).

    Columns: ``customers``, ``responders``, ``response_rate`` (share), ``lift`` (group rate
    ÷ overall rate), ``cum_share`` (share of all customers in groups 1..g), ``gain`` (share
    of all responders found in groups 1..g) and ``cum_lift`` (``gain / cum_share``).
    """
    y_sorted, s_sorted = _order(y, score)
    n = len(y_sorted)
    if n < n_bins:
        raise ValueError(f"gains_table: {n} customers cannot fill {n_bins} groups")
    group = n_bins + 1 - score_groups(s_sorted, n_bins)
    table = (pd.DataFrame({"group": group, "y": y_sorted})
             .groupby("group")["y"].agg(customers="size", responders="sum"))
    overall = y_sorted.mean()
    table["response_rate"] = table["responders"] / table["customers"]
    table["lift"] = table["response_rate"] / overall
    table["cum_share"] = table["customers"].cumsum() / n
    table["gain"] = table["responders"].cumsum() / y_sorted.sum()
    table["cum_lift"] = table["gain"] / table["cum_share"]
    return table


def profit_curve(y, score, margin, contact_cost: float) -> pd.DataFrame:
    """Campaign profit when contacting the top ``k`` customers by score, for k = 0..n.

    ``margin`` is the profit of one response (currency; a number, or one per customer,
    e.g. margin rate × expected spend) and ``contact_cost`` the cost of one contact
    (currency). Profit(k) = sum of margins of responders among the top k − k × cost.
    Columns: ``contacted``, ``share`` (k / n), ``responders``, ``profit`` (currency).
    """
    y = as_binary(y, "response")
    s = as_scores(score, "score")
    m = np.broadcast_to(as_scores(np.atleast_1d(margin), "margin"), y.shape) \
        if np.ndim(margin) == 0 else as_scores(margin, "margin")
    same_length(response=y, score=s, margin=m)
    require_both_classes(y, "response")
    order = np.argsort(-s, kind="stable")
    gained = np.concatenate([[0.0], np.cumsum(m[order] * y[order])])
    k = np.arange(len(y) + 1)
    return pd.DataFrame({"contacted": k, "share": k / len(y),
                         "responders": np.concatenate([[0], np.cumsum(y[order])]),
                         "profit": gained - contact_cost * k})


def optimal_depth(curve: pd.DataFrame) -> pd.Series:
    """The row of a :func:`profit_curve` with the highest profit (the smallest depth on ties)."""
    return curve.loc[curve["profit"].idxmax()]


def expected_profit_curve(score, value, contact_cost: float) -> pd.DataFrame:
    """Expected profit when contacting the top ``k`` customers by score, for k = 0..n.

    ``value`` is each customer's expected gross value of a contact (currency), e.g.
    margin × true uplift on synthetic data; profit(k) = sum of the top k values − k × cost.
    Columns: ``contacted``, ``share`` (k / n), ``profit`` (currency).
    """
    s = as_scores(score, "score")
    v = as_scores(value, "value")
    same_length(score=s, value=v)
    order = np.argsort(-s, kind="stable")
    k = np.arange(len(s) + 1)
    return pd.DataFrame({"contacted": k, "share": k / len(s),
                         "profit": np.concatenate([[0.0], np.cumsum(v[order])])
                         - contact_cost * k})
