"""Item-to-item recommendation (the Amazon idea) and its popularity and random baselines.

"Customers who bought X also bought Y": two items are similar when the same customers
(or baskets) buy both. :class:`ItemItemRecommender` computes the item × item similarity
from a sparse user × item purchase matrix (rows are customers for a next-purchase
recommendation, baskets for a basket completion at the counter):

* ``cosine``: co-buyers / √(buyers of i · buyers of j);
* ``lift``: co-buyers · users / (buyers of i · buyers of j) (noisy for rare items).

A user's score for an item is the sum of its similarities to the items in the user's
history; the top ``k`` items not in the history are recommended. Ties are broken by
training popularity (more buyers first), then by item order, so a user with no
informative history gets the most popular unseen items. :func:`recommend_popular`
recommends the most popular unseen items to everyone and :func:`recommend_random` a
seeded uniform draw of unseen items: the two baselines of the offline evaluation
(:mod:`crm_analysis.baskets.evaluation`).

Written with scipy.sparse and numpy because the computation is two sparse products and
a row-wise top-k; the recommender libraries on PyPI (``implicit`` and others) fit
latent-factor models, not this similarity, and would add a compiled dependency. Scores
are computed in blocks of users, so memory is the dense item × item similarity
(4 bytes per entry) plus one block of user × item scores.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from crm_analysis.common import require_columns

__all__ = [
    "Interactions",
    "ItemItemRecommender",
    "interaction_matrix",
    "recommend_popular",
    "recommend_random",
    "recommendations_frame",
    "top_k_rows",
]

SIMILARITIES = ("cosine", "lift")


@dataclass(frozen=True, eq=False)
class Interactions:
    """A user × item 0/1 matrix (CSR, float32) with its row and column labels."""

    matrix: sparse.csr_matrix
    users: pd.Index
    items: pd.Index


def interaction_matrix(frame: pd.DataFrame, user: str = "customer_id", item: str = "product",
                       items: pd.Index | None = None, users: pd.Index | None = None,
                       what: str = "transactions") -> Interactions:
    """0/1 matrix of which ``user`` bought which ``item`` in ``frame`` (repeat purchases count once).

    ``items`` / ``users`` fix the columns / rows (e.g. the training catalogue, so test
    data are laid out like training data); lines whose item or user is not among them
    are dropped. Without them, the sorted distinct values are used.
    """
    require_columns(frame, [user, item], what)
    missing = frame[[user, item]].isna().any(axis=1).to_numpy()
    if missing.any():
        rows = np.flatnonzero(missing)[:10].tolist()
        raise ValueError(f"{what}: missing {user!r} or {item!r} in rows {rows} "
                         f"({int(missing.sum())} rows); drop them first")
    u_val = frame[user].astype("str")
    i_val = frame[item].astype("str")
    users = pd.Index(np.sort(u_val.unique()), name=user) if users is None else pd.Index(users)
    items = pd.Index(np.sort(i_val.unique()), name=item) if items is None else pd.Index(items)
    r = users.get_indexer(u_val)
    c = items.get_indexer(i_val)
    ok = (r >= 0) & (c >= 0)
    m = sparse.csr_matrix((np.ones(int(ok.sum()), dtype=np.float32), (r[ok], c[ok])),
                          shape=(len(users), len(items)))
    m.sum_duplicates()
    m.data[:] = 1.0
    return Interactions(matrix=m, users=users, items=items)


def top_k_rows(scores: np.ndarray, k: int, order: np.ndarray | None = None) -> np.ndarray:
    """Column positions of the ``k`` highest scores of every row, best first.

    The matrix form of :func:`crm_analysis.common.top_k`: ties are broken by ``order``
    (a permutation of the columns giving their tie rank; default: column position).
    ``-inf`` marks excluded columns; a row with fewer than ``k`` allowed columns is
    padded with -1.
    """
    s = np.asarray(scores)
    if k < 0:
        raise ValueError(f"k must be non-negative; got {k}")
    n, m = s.shape
    k_eff = min(k, m)
    if k_eff == 0 or n == 0:
        return np.full((n, k), -1, dtype="int64")
    perm = np.arange(m) if order is None else np.asarray(order)
    permuted = s[:, perm]  # column position = tie rank
    kth = np.partition(permuted, m - k_eff, axis=1)[:, m - k_eff:m - k_eff + 1]  # k-th largest
    greater = permuted > kth
    room = k_eff - greater.sum(axis=1)
    # of the columns tied with the k-th value, keep the first `room` in tie order; a stable
    # sort of booleans (radix sort) finds them without touching the other columns' scores
    tied = permuted == kth
    first_tied = np.argsort(~tied, axis=1, kind="stable")[:, :k_eff]
    use = np.arange(k_eff)[None, :] < room[:, None]
    t_rows = np.broadcast_to(np.arange(n)[:, None], use.shape)[use]
    g_rows, g_cols = np.nonzero(greater)
    rows = np.concatenate([g_rows, t_rows])
    cols = np.concatenate([g_cols, first_tied[use]])
    vals = permuted[rows, cols]
    picked_order = np.lexsort((cols, -vals, rows))
    picked = cols[picked_order].reshape(n, k_eff)
    picked_vals = vals[picked_order].reshape(n, k_eff)
    out = np.where(np.isneginf(picked_vals), -1, perm[picked])
    if k_eff < k:
        out = np.hstack([out, np.full((n, k - k_eff), -1, dtype=out.dtype)])
    return out.astype("int64")


def _popularity_order(popularity: np.ndarray) -> np.ndarray:
    """Columns from most to least popular, ties by position."""
    return np.lexsort((np.arange(popularity.size), -popularity))


def _block_top_k(history: sparse.csr_matrix, k: int, score_block, order: np.ndarray,
                 block: int) -> np.ndarray:
    n = history.shape[0]
    out = np.empty((n, k), dtype="int64")
    for s in range(0, n, block):
        h = history[s:s + block]
        scores = np.asarray(score_block(h, s), dtype=np.float32)
        rows, cols = h.nonzero()
        scores[rows, cols] = -np.inf
        out[s:s + block] = top_k_rows(scores, k, order)
    return out


class ItemItemRecommender:
    """Item-to-item collaborative filtering on co-purchases.

    ``fit(train)`` takes the training user × item 0/1 matrix (CSR) and sets
    ``similarity_`` (dense item × item, float32, zero diagonal), ``popularity_``
    (training buyers per item) and ``n_users_``; ``recommend(history, k)`` returns the
    top-``k`` unseen item positions per row of ``history`` (same columns), padded with
    -1. ``min_co`` drops similarities resting on fewer co-buyers.
    """

    def __init__(self, similarity: str = "cosine", min_co: int = 1, block: int = 2048):
        if similarity not in SIMILARITIES:
            raise ValueError(f"similarity must be one of {set(SIMILARITIES)}; got {similarity!r}")
        if int(min_co) < 1:
            raise ValueError(f"min_co must be at least 1; got {min_co!r}")
        self.similarity = similarity
        self.min_co = int(min_co)
        self.block = int(block)
        self.similarity_: np.ndarray | None = None

    def fit(self, train: sparse.spmatrix) -> ItemItemRecommender:
        X = sparse.csr_matrix(train, dtype=np.float32)
        X.data[:] = 1.0
        sim = (X.T @ X).toarray()  # co-buyers, float32; scaled in place below (memory: one item × item array)
        buyers = np.diag(sim).astype(np.float64)
        weak = sim < self.min_co if self.min_co > 1 else None
        with np.errstate(divide="ignore"):
            inv = np.where(buyers > 0, 1.0 / (np.sqrt(buyers) if self.similarity == "cosine" else buyers), 0.0)
        scale = inv.astype(np.float32)
        if self.similarity == "lift":
            sim *= np.float32(X.shape[0])
        sim *= scale[:, None]
        sim *= scale[None, :]
        if weak is not None:
            sim[weak] = 0.0
        np.fill_diagonal(sim, 0.0)
        self.similarity_ = sim
        self.popularity_ = buyers.astype("int64")
        self.n_users_ = X.shape[0]
        return self

    def score(self, history: sparse.spmatrix) -> np.ndarray:
        """Dense user × item scores: the sum of similarities to the items in each history."""
        self._check()
        return np.asarray(sparse.csr_matrix(history, dtype=np.float32) @ self.similarity_)

    def recommend(self, history: sparse.spmatrix, k: int = 10) -> np.ndarray:
        """Top-``k`` unseen item positions per row of ``history`` (-1 pads)."""
        self._check()
        h = sparse.csr_matrix(history, dtype=np.float32)
        if h.shape[1] != self.similarity_.shape[0]:
            raise ValueError(f"history has {h.shape[1]} item columns but the recommender was fitted "
                             f"on {self.similarity_.shape[0]}; build it with the training items")
        order = _popularity_order(self.popularity_)
        return _block_top_k(h, k, lambda b, s: b @ self.similarity_, order, self.block)

    def _check(self):
        if self.similarity_ is None:
            raise RuntimeError("ItemItemRecommender is not fitted yet: call fit() first")


def _first_unseen(candidates: np.ndarray, history: sparse.csr_matrix, k: int) -> np.ndarray:
    """Per row, the first ``k`` entries of ``candidates`` (rows × T item positions, -1 = none)
    that are not in the row's history, in order; padded with -1."""
    n, width = candidates.shape
    n_items = history.shape[1]
    rows, cols = history.nonzero()
    seen_keys = np.sort(rows.astype("int64") * n_items + cols)
    probe = np.arange(n, dtype="int64")[:, None] * n_items + candidates
    usable = (candidates >= 0) & ~np.isin(probe, seen_keys)
    first = np.argsort(~usable, axis=1, kind="stable")[:, :k]  # stable bool sort keeps the order
    out = np.take_along_axis(candidates, first, axis=1)
    out = np.where(np.take_along_axis(usable, first, axis=1), out, -1)
    if out.shape[1] < k:
        out = np.hstack([out, np.full((n, k - out.shape[1]), -1, dtype=out.dtype)])
    return out.astype("int64")


def recommend_popular(train: sparse.spmatrix, history: sparse.spmatrix, k: int = 10,
                      block: int = 256) -> np.ndarray:
    """The ``k`` most-bought training items each user has not bought yet (ties by item order)."""
    popularity = np.asarray(sparse.csr_matrix(train).astype(bool).sum(axis=0)).ravel()
    order = _popularity_order(popularity)
    h = sparse.csr_matrix(history)
    sizes = np.diff(h.indptr)
    out = np.empty((h.shape[0], k), dtype="int64")
    for s in range(0, h.shape[0], block):
        hb = h[s:s + block]
        # only the first k + (longest history in the block) items of the order can be needed
        width = min(order.size, k + int(sizes[s:s + block].max(initial=0)))
        out[s:s + block] = _first_unseen(np.broadcast_to(order[:width], (hb.shape[0], width)), hb, k)
    return out


def recommend_random(history: sparse.spmatrix, k: int = 10, seed: int = 0, block: int = 256) -> np.ndarray:
    """``k`` unseen items per user drawn uniformly without replacement (seeded)."""
    rng = np.random.default_rng(seed)
    h = sparse.csr_matrix(history)
    n, m = h.shape
    sizes = np.diff(h.indptr)
    out = np.empty((n, k), dtype="int64")
    for s in range(0, n, block):
        hb = h[s:s + block]
        # the first `width` items of a uniform random permutation hold ≥ k unseen ones
        width = min(m, k + int(sizes[s:s + block].max(initial=0)))
        draws = np.argsort(rng.random((hb.shape[0], m), dtype=np.float32), axis=1)[:, :width] if width > m // 4 \
            else np.stack([rng.choice(m, size=width, replace=False) for _ in range(hb.shape[0])])
        out[s:s + block] = _first_unseen(draws, hb, k)
    return out


def recommendations_frame(recommended: np.ndarray, users: pd.Index, items: pd.Index,
                          scores: np.ndarray | None = None) -> pd.DataFrame:
    """Long table ``user, rank (1 = best), item`` (+ ``score``) of a recommendation array."""
    n, k = recommended.shape
    r = recommended.ravel()
    keep = r >= 0
    user = np.repeat(np.arange(n), k)[keep]
    table = pd.DataFrame({users.name or "user": np.asarray(users)[user],
                          "rank": np.tile(np.arange(1, k + 1), n)[keep],
                          items.name or "item": np.asarray(items)[r[keep]]})
    if scores is not None:
        table["score"] = scores[user, r[keep]]
    return table
