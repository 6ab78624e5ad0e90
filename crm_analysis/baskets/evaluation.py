"""Offline evaluation of top-k recommendations: splits, metrics per user, intervals.

Two ways to hide what the recommender must find:

* :func:`time_split`: train on purchases before a date, test on each customer's
  purchases on or after it (the customer's *next* purchases); only items the customer
  had not bought before count as relevant, because a recommendation of something
  already bought is excluded anyway.
* :func:`hold_out_one_item`: for each basket with at least two items, hide one item
  chosen at random and recommend from the rest (a cross-sell at the counter).

:func:`top_k_metrics` scores a recommendation array against the hidden items, per
user: ``hit`` (at least one hidden item in the top k), ``recall`` (share of the hidden
items found), ``precision``, ``ndcg`` (binary relevance, log2 discount) and ``ap``
(average precision at k, normalised by min(hidden items, k)). Users without hidden
items have no defined recall and are left out (their number is reported).
:func:`compare_recommenders` gives each method's mean with a 95 % interval over users
and the paired difference against a baseline (users are the independent units; normal
interval of the mean of per-user values).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse, stats

from crm_analysis.common import require_columns
from crm_analysis.estimates import estimate_table, normal_quantile

__all__ = [
    "catalogue_coverage",
    "compare_recommenders",
    "comparison_display",
    "hold_out_one_item",
    "recommendation_verdict",
    "time_split",
    "top_k_metrics",
]

METRICS = ("hit", "recall", "precision", "ndcg", "ap")


def time_split(frame: pd.DataFrame, split: str | pd.Timestamp, date: str = "date",
               what: str = "transactions") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows dated before ``split`` (training) and on or after it (test)."""
    require_columns(frame, [date], what)
    cut = pd.Timestamp(split)
    dates = pd.to_datetime(frame[date])
    if not (dates < cut).any() or not (dates >= cut).any():
        raise ValueError(f"{what}: split date {cut.date()} leaves no rows on one side; "
                         f"the data run from {dates.min().date()} to {dates.max().date()}")
    return frame[dates < cut], frame[dates >= cut]


def hold_out_one_item(matrix: sparse.spmatrix, seed: int = 0
                      ) -> tuple[sparse.csr_matrix, sparse.csr_matrix, np.ndarray]:
    """Hide one random item of every row with ≥ 2 items.

    Returns ``(query, hidden, rows)``: the rows that qualify with one item removed, the
    removed item (one per row), and the positions of those rows in ``matrix``.
    """
    m = sparse.csr_matrix(matrix, dtype=np.float32)
    m.sum_duplicates()
    sizes = np.diff(m.indptr)
    rows = np.flatnonzero(sizes >= 2)
    rng = np.random.default_rng(seed)
    pick = m.indptr[rows] + (rng.random(rows.size) * sizes[rows]).astype("int64")
    hidden_col = m.indices[pick]
    sub = m[rows].tocoo()
    drop = hidden_col[sub.row] == sub.col
    query = sparse.csr_matrix((np.ones(int((~drop).sum()), dtype=np.float32),
                               (sub.row[~drop], sub.col[~drop])), shape=(rows.size, m.shape[1]))
    hidden = sparse.csr_matrix((np.ones(rows.size, dtype=np.float32), (np.arange(rows.size), hidden_col)),
                               shape=(rows.size, m.shape[1]))
    return query, hidden, rows


def top_k_metrics(recommended: np.ndarray, relevant: sparse.spmatrix, k: int | None = None
                  ) -> pd.DataFrame:
    """Per-user hit, recall, precision, NDCG and AP at ``k`` (default: the array's width).

    ``recommended``: users × ≥k item positions, best first, -1 = no item. ``relevant``:
    users × items 0/1 (the hidden items). Rows of users with no relevant item are
    dropped; the frame's index is the user's row position.
    """
    rec = np.asarray(recommended, dtype="int64")
    k = rec.shape[1] if k is None else int(k)
    if k < 1 or k > rec.shape[1]:
        raise ValueError(f"k must be in [1, {rec.shape[1]}]; got {k}")
    rec = rec[:, :k]
    rel = sparse.csr_matrix(relevant)
    rel.sum_duplicates()
    rel.eliminate_zeros()
    if rel.shape[0] != rec.shape[0]:
        raise ValueError(f"recommended has {rec.shape[0]} users but relevant has {rel.shape[0]}")
    n_items = rel.shape[1]
    rows, cols = rel.nonzero()
    keys = np.sort(rows.astype("int64") * n_items + cols)
    user = np.arange(rec.shape[0], dtype="int64")[:, None]
    probe = np.where(rec >= 0, user * n_items + rec, -1)
    hits = np.isin(probe, keys) & (rec >= 0)
    n_rel = np.diff(rel.indptr)
    has = n_rel > 0
    hits, n_rel = hits[has], n_rel[has]
    n_hit = hits.sum(axis=1)
    discount = 1.0 / np.log2(np.arange(2, k + 2))
    dcg = (hits * discount).sum(axis=1)
    ideal = np.cumsum(discount)[np.minimum(n_rel, k) - 1]
    precision_at = np.cumsum(hits, axis=1) / np.arange(1, k + 1)
    ap = (precision_at * hits).sum(axis=1) / np.minimum(n_rel, k)
    return pd.DataFrame({"hit": (n_hit > 0).astype(float), "recall": n_hit / n_rel,
                         "precision": n_hit / k, "ndcg": dcg / ideal, "ap": ap,
                         "n_relevant": n_rel}, index=pd.Index(np.flatnonzero(has), name="user"))


def catalogue_coverage(recommended: np.ndarray, n_items: int) -> float:
    """Share of the ``n_items`` catalogue recommended to at least one user."""
    rec = np.asarray(recommended)
    return float(np.unique(rec[rec >= 0]).size / n_items)


def compare_recommenders(per_user: dict[str, pd.DataFrame], baseline: str = "popularity",
                         metrics=METRICS, level: float = 0.95) -> pd.DataFrame:
    """Mean of each metric per method, and each method minus ``baseline``, with intervals.

    ``per_user`` maps a method name to its :func:`top_k_metrics` frame (same users).
    Returns an estimate table indexed by (``method``, ``metric``): rows ``method`` for the
    mean itself and ``method − baseline`` for the paired difference, whose ``p_value``
    tests a zero difference (two-sided, normal). Columns also hold ``n_users``.
    """
    if baseline not in per_user:
        raise ValueError(f"baseline {baseline!r} is not among the methods {list(per_user)}")
    base = per_user[baseline]
    z = normal_quantile(level)
    rows, index = [], []
    for name, frame in per_user.items():
        if not frame.index.equals(base.index):
            raise ValueError(f"method {name!r} was scored on other users than {baseline!r}")
        for metric in metrics:
            for label, values in ((name, frame[metric]),
                                  (f"{name} − {baseline}", frame[metric] - base[metric])):
                if label == f"{baseline} − {baseline}":
                    continue
                v = values.to_numpy(dtype="float64")
                n = v.size
                mean = float(v.mean()) if n else np.nan
                se = float(v.std(ddof=1) / np.sqrt(n)) if n > 1 else np.nan
                p = np.nan
                if "−" in label:
                    p = float(2 * stats.norm.sf(abs(mean) / se)) if se and se > 0 else (
                        1.0 if mean == 0 else 0.0)
                rows.append((mean, se, mean - z * se, mean + z * se, p, n))
                index.append((label, metric))
    arr = np.array(rows, dtype="float64")
    table = estimate_table(arr[:, 0], arr[:, 1], ci_low=arr[:, 2], ci_high=arr[:, 3],
                           p_value=arr[:, 4], level=level)
    table.index = pd.MultiIndex.from_tuples(index, names=["method", "metric"])
    table["n_users"] = arr[:, 5].astype("int64")
    return table


def recommendation_verdict(comparison: pd.DataFrame, method: str = "item-item", baseline: str = "popularity",
                           metric: str = "hit", k: int | None = None) -> dict:
    """Which recommender to use, from a :func:`compare_recommenders` table.

    ``method`` is recommended only when the interval of its paired difference with
    ``baseline`` on ``metric`` lies wholly above zero; otherwise the simpler baseline is.
    Returns ``recommended``, ``method_value``, ``baseline_value``, ``difference`` with
    ``ci_low`` / ``ci_high``, ``relative`` (difference ÷ baseline value) and ``sentence``.
    """
    diff = comparison.loc[(f"{method} − {baseline}", metric)]
    m = float(comparison.loc[(method, metric), "estimate"])
    b = float(comparison.loc[(baseline, metric), "estimate"])
    better = bool(diff["ci_low"] > 0)
    at = f"@{k}" if k else ""
    verdict = {"recommended": method if better else baseline, "method_value": m, "baseline_value": b,
               "difference": float(diff["estimate"]), "ci_low": float(diff["ci_low"]),
               "ci_high": float(diff["ci_high"]), "relative": float(diff["estimate"]) / b if b else np.nan}
    verdict["sentence"] = (
        f"{method} {metric}{at} {m:.3f} vs {baseline} {b:.3f}: difference {verdict['difference']:+.3f} "
        f"(95 % CI {verdict['ci_low']:+.3f} to {verdict['ci_high']:+.3f}, {verdict['relative']:+.0%}); "
        + (f"use {method}." if better else f"{method} is not clearly better: keep {baseline}."))
    return verdict


def comparison_display(comparison: pd.DataFrame, metrics=METRICS, digits: int = 3) -> pd.DataFrame:
    """A compact text view of :func:`compare_recommenders` for reports: one row per metric,
    one column per method and per difference, each cell ``estimate (ci_low to ci_high)``."""
    methods = list(pd.unique(comparison.index.get_level_values("method")))
    base = [m for m in methods if "−" not in m]
    diffs = [m for m in methods if "−" in m]
    table = pd.DataFrame(index=pd.Index(list(metrics), name="metric"))
    for method in base + diffs:
        rows = comparison.loc[method].reindex(list(metrics))
        sign = "+" if "−" in method else ""
        table[method] = [f"{e:{sign}.{digits}f} ({lo:{sign}.{digits}f} to {hi:{sign}.{digits}f})"
                         for e, lo, hi in zip(rows["estimate"], rows["ci_low"], rows["ci_high"])]
    return table
