"""Mining level of notebook 12: table scans, the exhaustive tree, selections, clusters."""

from itertools import product

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from crm_analysis import mining
from crm_analysis.mining.patterns import _deviance


def _parity_frame(reps=60):
    rows = []
    for a, b, c, noise in product([0, 1], repeat=4):
        hits = 45 if a ^ b ^ c else 15
        rows += [(a, b, c, noise, 1)] * hits + [(a, b, c, noise, 0)] * (reps - hits)
    return pd.DataFrame(rows, columns=["a", "b", "c", "noise", "y"])


def test_interaction_scan_by_hand():
    frame = _parity_frame()
    scan = mining.interaction_scan(frame, "y", ["a", "b", "c"]).set_index("table")
    # every one- and two-way table of a pure parity is exactly flat
    assert np.allclose(scan["max_deviation"], 0) and np.allclose(scan["chi2"], 0)
    assert len(scan) == 3 + 3
    tiny = pd.DataFrame({"g": ["x"] * 10 + ["z"] * 10, "y": [1] * 8 + [0] * 2 + [1] * 2 + [0] * 8})
    row = mining.interaction_scan(tiny, "y", ["g"]).iloc[0]
    chi2, p, _, _ = stats.chi2_contingency([[8, 2], [2, 8]], correction=False)
    assert row["chi2"] == pytest.approx(chi2) and row["p_value"] == pytest.approx(p)
    assert row["max_deviation"] == pytest.approx(0.3)


def test_exhaustive_tree_finds_a_pure_parity_that_greedy_splits_cannot_see():
    frame = _parity_frame()
    X, negation = mining.binary_features(frame.astype(str), ["a", "b", "c", "noise"])
    tree = mining.OptimalTree(max_depth=3, min_leaf=20).fit(X, frame["y"], negation)
    assert mining.split_columns(tree.split_features_) == ["a", "b", "c"]
    assert sorted(tree.rules_["rate"].round(6).unique()) == [0.25, 0.75]
    truth = (frame["a"] ^ frame["b"] ^ frame["c"]).astype(bool)
    assert mining.rule_recovery(tree.predict_proba(X), truth) == 1.0
    # at depth 2 no tree can separate a three-way parity: the penalty keeps the root a leaf
    shallow = mining.OptimalTree(max_depth=2, min_leaf=20).fit(X, frame["y"], negation)
    assert list(shallow.rules_["rule"]) == ["everyone"]


def _brute_force_depth2(X, y, penalty, min_leaf):
    """Every tree of depth ≤ 2 enumerated directly (an independent search)."""
    cols = range(X.shape[1])

    def leaf(mask):
        return _deviance(y[mask].sum(), mask.sum()) + penalty

    best = leaf(np.ones(len(y), bool))
    for f in cols:
        for side_trees in product([None, *cols], repeat=2):
            total, ok = 0.0, True
            for side, g in zip([~X[:, f], X[:, f]], side_trees):
                if side.sum() < min_leaf:
                    ok = False
                    break
                if g is None or g == f:
                    total += leaf(side)
                else:
                    parts = [side & ~X[:, g], side & X[:, g]]
                    if min(p.sum() for p in parts) < min_leaf:
                        ok = False
                        break
                    total += sum(leaf(p) for p in parts)
            if ok:
                best = min(best, total)
    return best


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_exhaustive_tree_equals_brute_force(seed):
    rng = np.random.default_rng(seed)
    X = rng.random((400, 4)) < 0.5
    p = 0.2 + 0.3 * (X[:, 0] & X[:, 1]) + 0.2 * X[:, 2]
    y = (rng.random(400) < p).astype(float)
    features = pd.DataFrame(X, columns=[f"f{i}" for i in range(4)])
    for penalty in (0.0, 4.0):
        tree = mining.OptimalTree(max_depth=2, min_leaf=20, penalty=penalty).fit(features, y)
        assert tree.tree_.cost == pytest.approx(_brute_force_depth2(X, y, penalty, 20), rel=1e-9)


def test_tree_summary_uses_wilson_intervals():
    frame = _parity_frame()
    X, negation = mining.binary_features(frame.astype(str), ["a", "b", "c"])
    tree = mining.OptimalTree().fit(X, frame["y"], negation)
    table = tree.summary(level=0.9)
    low, high = proportion_confint(tree.rules_["successes"], tree.rules_["n"], alpha=0.1, method="wilson")
    np.testing.assert_allclose(table["ci_low"], low)
    np.testing.assert_allclose(table["ci_high"], high)
    assert (table["level"] == 0.9).all()
    assert "a = 1 and b = 1 and c = 1" in set(tree.rules_["rule"])
    assert "a = 0 and b = 0 and c = 0" in set(tree.rules_["rule"])


def test_binary_features_and_refusals():
    frame = pd.DataFrame({"two": ["x", "y", "x"], "three": ["p", "q", "r"]})
    X, negation = mining.binary_features(frame, ["two", "three"])
    assert list(X.columns) == ["two = y", "three = p", "three = q", "three = r"]
    assert negation["two = y"] == "two = x" and negation["three = q"] == "three ≠ q"
    with pytest.raises(ValueError, match="one level"):
        mining.binary_features(pd.DataFrame({"c": ["a", "a"]}), ["c"])
    with pytest.raises(ValueError, match="missing column"):
        mining.binary_features(frame, ["nope"])


def test_compare_selections_by_hand():
    y = np.array([1, 0, 1, 0, 0, 1])
    p = np.array([0.9, 0.1, 0.8, 0.2, 0.3, 0.7])
    table = mining.compare_selections({"good": p, "bad": -p}, y, p, share=0.5)
    assert table.loc["good", "responders"] == 3 and table.loc["bad", "responders"] == 0
    assert table.loc["good", "expected_responders"] == pytest.approx(2.4)
    assert table.loc["bad", "response_rate"] == 0
    with pytest.raises(ValueError, match="share"):
        mining.compare_selections({"x": p}, y, p, share=0)


def test_cell_rates_and_holdout_mask():
    train = pd.DataFrame({"g": ["a", "a", "b", "b"], "y": [1, 0, 1, 1]})
    test = pd.DataFrame({"g": ["b", "a", "c"]})
    np.testing.assert_allclose(mining.cell_rates(train, test, ["g"], "y"), [1.0, 0.5, 0.75])
    ids = np.repeat(np.arange(500), 2)
    held = mining.holdout_mask(ids, 0.3, seed=1)
    assert (held[0::2] == held[1::2]).all()  # both rows of a customer on one side
    assert 0.2 < held.mean() < 0.4
    shuffled = mining.holdout_mask(ids[::-1], 0.3, seed=1)
    assert (shuffled[::-1] == held).all()  # row order does not matter


def test_customer_features_and_descriptions_by_hand():
    tx = pd.DataFrame({"customer_id": ["a", "a", "b"],
                       "date": pd.to_datetime(["2025-01-01", "2025-01-11", "2025-01-05"]),
                       "amount": [10.0, 30.0, 100.0]})
    # an as_of after the data ends measures recency at the data's last day (01-11)
    f = mining.customer_features(tx, as_of="2025-01-31")
    assert f.loc["a"].tolist() == [0.0, 2.0, 20.0] and f.loc["b"].tolist() == [6.0, 1.0, 100.0]
    # an as_of inside the data drops later rows: a's 01-11 purchase is not known on 01-08
    cut = mining.customer_features(tx, as_of="2025-01-08")
    assert cut.loc["a"].tolist() == [4.0, 1.0, 10.0] and cut.loc["b", "recency_days"] == 0.0
    # medians of all: recency 3, frequency 1.5, spend 60; ratios beyond 1.25 / 0.8 name the group
    table = mining.describe_clusters(f, pd.Series([0, 1], index=["a", "b"]))
    assert table.loc[0, "description"] == "recent, frequent, small baskets"
    assert table.loc[1, "description"] == "lapsed, infrequent, big baskets"
    assert table["customers"].tolist() == [1, 1]
