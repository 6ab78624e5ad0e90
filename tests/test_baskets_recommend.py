"""Item-to-item recommendation and its offline evaluation: hand computations on tiny cases
(ties, users without test purchases), brute force, and the common top-k helper as reference."""

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from crm_analysis import baskets as bk
from crm_analysis.common import top_k

# users × items: u0 {0, 1}, u1 {0, 2}, u2 {3}, u3 {0, 3}
TRAIN = sparse.csr_matrix(np.array([[1, 1, 0, 0], [1, 0, 1, 0], [0, 0, 0, 1], [1, 0, 0, 1]], dtype=float))


def test_cosine_and_lift_similarity_by_hand():
    cos = bk.ItemItemRecommender("cosine").fit(TRAIN).similarity_
    # buyers: item0 3, item1 1, item2 1, item3 2; co-buyers 0-1: 1, 0-2: 1, 0-3: 1
    assert cos[0, 1] == pytest.approx(1 / np.sqrt(3))
    assert cos[0, 3] == pytest.approx(1 / np.sqrt(6))
    assert cos[1, 2] == 0 and np.all(np.diag(cos) == 0) and np.allclose(cos, cos.T)
    lift = bk.ItemItemRecommender("lift").fit(TRAIN).similarity_
    assert lift[0, 1] == pytest.approx(1 * 4 / (3 * 1))
    assert lift[0, 3] == pytest.approx(1 * 4 / (3 * 2))
    # every pair here rests on one co-buyer: min_co=2 drops them all
    assert not bk.ItemItemRecommender("cosine", min_co=2).fit(TRAIN).similarity_.any()
    with pytest.raises(ValueError, match="similarity"):
        bk.ItemItemRecommender("jaccard")


def test_recommend_excludes_history_and_breaks_ties_by_popularity():
    model = bk.ItemItemRecommender("cosine").fit(TRAIN)
    history = sparse.csr_matrix(np.array([[0, 1, 0, 0], [0, 0, 0, 0], [1, 1, 1, 1]], dtype=float))
    got = model.recommend(history, k=3)
    # history {1}: item0 scores 1/√3, items 2 and 3 score 0 → tie broken by popularity (3 has 2 buyers)
    assert got[0].tolist() == [0, 3, 2]
    # empty history: all scores 0 → pure popularity order 0 (3), 3 (2), then 1 and 2 (1 each) by position
    assert got[1].tolist() == [0, 3, 1]
    # everything bought: nothing to recommend
    assert got[2].tolist() == [-1, -1, -1]
    np.testing.assert_allclose(model.score(history[:1]), [[1 / np.sqrt(3), 0, 0, 0]], rtol=1e-6)
    with pytest.raises(ValueError, match="item columns"):
        model.recommend(sparse.csr_matrix((1, 5)), k=2)


def test_popular_and_random_baselines():
    history = sparse.csr_matrix(np.array([[1, 0, 0, 0], [0, 0, 0, 1]], dtype=float))
    assert bk.recommend_popular(TRAIN, history, k=3).tolist() == [[3, 1, 2], [0, 1, 2]]
    big = sparse.random(300, 40, density=0.2, format="csr", random_state=1)
    draws = bk.recommend_random(big, k=5, seed=3)
    for u in range(300):
        assert len(set(draws[u])) == 5 and not set(draws[u]) & set(big[u].indices)
    # uniform over unseen items: each item's share of draws is close to 5/32 per eligible user
    counts = np.bincount(draws.ravel(), minlength=40)
    eligible = 300 - np.bincount(big.indices, minlength=40)
    expected = (5 / (40 - np.diff(big.indptr)))[:, None] * (big.toarray() == 0)
    assert np.abs(counts - expected.sum(axis=0)).max() < 5 * np.sqrt(expected.sum(axis=0).max())
    assert (eligible > 0).all()


def test_top_k_rows_matches_common_top_k():
    rng = np.random.default_rng(0)
    scores = rng.integers(0, 4, (200, 30)).astype(float)
    scores[rng.random(scores.shape) < 0.3] = -np.inf
    order = rng.permutation(30)
    rank = np.empty(30, dtype=int)
    rank[order] = np.arange(30)
    for k in (1, 6, 30, 33):
        got = bk.top_k_rows(scores, k, order)
        for i in range(200):
            allowed = np.isfinite(scores[i])
            want = [j for j in top_k(np.where(allowed, scores[i], -1e9), k, tie_key=rank) if allowed[j]]
            assert got[i].tolist() == want + [-1] * (k - len(want))


def test_metrics_by_hand_with_ties_and_users_without_test_purchases():
    recommended = np.array([[0, 1, 2], [3, 4, -1], [1, 0, 2], [2, 3, 4]])
    relevant = sparse.csr_matrix((np.ones(4), ([0, 0, 2, 3], [1, 5, 1, 9])), shape=(4, 10))
    m = bk.top_k_metrics(recommended, relevant)
    assert m.index.tolist() == [0, 2, 3]  # user 1 bought nothing new: left out
    assert m.loc[0, "hit"] == 1 and m.loc[0, "recall"] == 0.5 and m.loc[0, "precision"] == pytest.approx(1 / 3)
    assert m.loc[0, "ndcg"] == pytest.approx((1 / np.log2(3)) / (1 + 1 / np.log2(3)))
    assert m.loc[0, "ap"] == pytest.approx((1 / 2) / 2)
    assert m.loc[2, ["hit", "recall", "ndcg", "ap"]].tolist() == [1, 1, 1, 1]
    assert m.loc[3, ["hit", "recall", "precision", "ndcg", "ap"]].tolist() == [0, 0, 0, 0, 0]
    at1 = bk.top_k_metrics(recommended, relevant, k=1)
    assert at1["hit"].tolist() == [0, 1, 0] and at1["ndcg"].tolist() == [0, 1, 0]
    assert bk.catalogue_coverage(recommended, 10) == pytest.approx(5 / 10)


def test_compare_recommenders_paired_intervals():
    a = pd.DataFrame({"hit": [1, 1, 0, 1, 0.0], "recall": [1, 0.5, 0, 1, 0]})
    b = pd.DataFrame({"hit": [0, 1, 0, 0, 0.0], "recall": [0, 0.5, 0, 0, 0]})
    table = bk.compare_recommenders({"item-item": a, "popularity": b}, metrics=("hit", "recall"))
    d = (a["hit"] - b["hit"]).to_numpy()
    row = table.loc[("item-item − popularity", "hit")]
    se = d.std(ddof=1) / np.sqrt(5)
    assert row["estimate"] == pytest.approx(0.4) and row["std_err"] == pytest.approx(se)
    assert row["ci_low"] == pytest.approx(0.4 - 1.959964 * se, rel=1e-6)
    assert table.loc[("popularity", "hit"), "estimate"] == pytest.approx(0.2)
    assert set(table["level"]) == {0.95} and set(table["n_users"]) == {5}
    verdict = bk.recommendation_verdict(table, metric="hit")
    assert verdict["recommended"] == ("item-item" if row["ci_low"] > 0 else "popularity")
    assert verdict["difference"] == pytest.approx(0.4)


def test_hold_out_one_item_and_time_split():
    m = sparse.csr_matrix(np.array([[1, 1, 0, 1], [0, 1, 0, 0], [1, 0, 1, 0]], dtype=float))
    query, hidden, rows = bk.hold_out_one_item(m, seed=1)
    assert rows.tolist() == [0, 2]  # the one-item basket cannot hide an item
    assert np.array_equal((query + hidden).toarray(), m[rows].toarray())
    assert np.diff(hidden.indptr).tolist() == [1, 1]
    frame = pd.DataFrame({"date": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"])})
    train, test = bk.time_split(frame, "2024-02-01")
    assert len(train) == 1 and len(test) == 2
    with pytest.raises(ValueError, match="leaves no rows"):
        bk.time_split(frame, "2025-01-01")


def test_interaction_matrix_layout_and_errors():
    tx = pd.DataFrame({"customer_id": ["b", "a", "a", "c"], "product": ["x", "y", "y", "z"]})
    inter = bk.interaction_matrix(tx)
    assert list(inter.users) == ["a", "b", "c"] and list(inter.items) == ["x", "y", "z"]
    assert inter.matrix.toarray().tolist() == [[0, 1, 0], [1, 0, 0], [0, 0, 1]]
    fixed = bk.interaction_matrix(tx, items=pd.Index(["y", "x"]), users=inter.users)
    assert fixed.matrix.toarray().tolist() == [[1, 0], [0, 1], [0, 0]]  # z is not in the catalogue
    with pytest.raises(ValueError, match="missing column"):
        bk.interaction_matrix(tx.rename(columns={"product": "sku"}))
