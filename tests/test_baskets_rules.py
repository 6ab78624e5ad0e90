"""Association rules: a hand-computed example, mlxtend as an independent implementation,
brute-force itemsets, the published arules figures on Groceries, lift-interval coverage on
planted rules and the family-wise control of spurious rules."""

import itertools

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from crm_analysis import baskets as bk
from crm_analysis.data.synthetic import simulate_baskets
from results import arules_groceries as ref

TINY = pd.DataFrame(
    [(1, "a"), (1, "b"), (1, "c"), (2, "a"), (2, "b"), (3, "a"), (3, "c"), (4, "b"), (4, "c"),
     (5, "a"), (5, "b"), (5, "d"), (5, "d")],
    columns=["basket_id", "item"],
)


@pytest.fixture(scope="module")
def tiny_rules():
    b = bk.basket_matrix(TINY)
    return bk.mine_rules(b, min_support=0.2, min_confidence=0.0).set_index("rule"), b


def test_tiny_example_by_hand(tiny_rules):
    rules, b = tiny_rules
    assert b.n_baskets == 5 and list(b.items) == ["a", "b", "c", "d"]  # the repeated d counts once
    # a→b: 3 of 5 baskets hold a and b, 4 hold a, 4 hold b
    r = rules.loc["{a} → b"]
    assert (r["count"], r["support"], r["confidence"]) == (3, 0.6, 0.75)
    assert r["lift"] == pytest.approx(0.75 / 0.8)
    assert r["leverage"] == pytest.approx(0.6 - 0.8 * 0.8)
    assert r["conviction"] == pytest.approx((1 - 0.8) / (1 - 0.75))
    # d→a: confidence 1, conviction infinite
    r = rules.loc["{d} → a"]
    assert (r["confidence"], r["lift"], r["conviction"]) == (1.0, 1.25, np.inf)
    assert r["leverage"] == pytest.approx(0.2 - 0.2 * 0.8)
    # {a, b}→d: 1 of 3 baskets with a and b holds d
    r = rules.loc["{a, b} → d"]
    assert r["confidence"] == pytest.approx(1 / 3)
    assert r["lift"] == pytest.approx((1 / 3) / 0.2)
    assert r["leverage"] == pytest.approx(0.2 - 0.6 * 0.2)
    assert r["conviction"] == pytest.approx(0.8 / (2 / 3))
    # every itemset of ≥ 2 items with count ≥ 1 gives one rule per item: ab ac ad bc bd (2 each), abc abd (3 each)
    assert len(rules) == 5 * 2 + 2 * 3
    assert bk.mine_rules(b, 0.2, min_confidence=0.75).shape[0] == (rules["confidence"] >= 0.75).sum()


def test_frequencies_and_errors():
    freq = bk.item_frequencies(bk.basket_matrix(TINY))
    assert list(freq["item"]) == ["a", "b", "c", "d"] and list(freq["count"]) == [4, 4, 3, 1]
    with pytest.raises(ValueError, match="missing column.*'item'"):
        bk.basket_matrix(TINY.rename(columns={"item": "product"}))
    with pytest.raises(ValueError, match=r"rows \[2\]"):
        bk.basket_matrix(TINY.assign(item=TINY["item"].where(TINY.index != 2)))
    with pytest.raises(ValueError, match="min_support"):
        bk.frequent_itemsets(bk.basket_matrix(TINY), 0.0)


def random_baskets(rng, n=400, m=12):
    p = rng.uniform(0.05, 0.5, m)
    x = rng.random((n, m)) < p
    basket, item = np.nonzero(x)
    return pd.DataFrame({"basket_id": basket, "item": [f"i{j:02d}" for j in item]}), x


def test_itemsets_against_brute_force():
    rng = np.random.default_rng(3)
    frame, x = random_baskets(rng)
    b = bk.basket_matrix(frame)
    items = list(b.items)
    cols = {name: x[:, int(name[1:])] for name in items}
    got = bk.frequent_itemsets(b, 0.03, max_len=4)
    got = {tuple(items[i] for i in s): c for s, c in zip(got["itemset"], got["count"])}
    want = {}
    for size in range(1, 5):
        for combo in itertools.combinations(items, size):
            count = int(np.logical_and.reduce([cols[i] for i in combo]).sum())
            if count >= 0.03 * len(x) - 1e-9:
                want[combo] = count
    assert got == want


def test_rules_against_mlxtend():
    mlx = pytest.importorskip("mlxtend.frequent_patterns")
    data, _ = simulate_baskets(4000, seed=5)
    b = bk.basket_matrix(data)
    ours = bk.mine_rules(b, 0.01, min_confidence=0.2, max_len=4)
    onehot = pd.DataFrame(b.matrix.toarray(), columns=list(b.items))
    itemsets = mlx.fpgrowth(onehot, min_support=0.01, use_colnames=True, max_len=4)
    theirs = mlx.association_rules(itemsets, num_itemsets=len(onehot), metric="confidence", min_threshold=0.2)
    theirs = theirs[theirs["consequents"].map(len) == 1]
    theirs.index = [(frozenset(a), next(iter(c))) for a, c in zip(theirs["antecedents"], theirs["consequents"])]
    ours.index = [(frozenset(a), c) for a, c in zip(ours["antecedent"], ours["consequent"])]
    assert len(ours) > 50 and set(ours.index) == set(theirs.index)
    theirs = theirs.loc[ours.index]
    for col in ("support", "confidence", "lift", "leverage", "conviction"):
        np.testing.assert_allclose(ours[col].to_numpy(), theirs[col].to_numpy(dtype=float), rtol=1e-9, err_msg=col)
    np.testing.assert_allclose(ours["antecedent_support"], theirs["antecedent support"], rtol=1e-12)
    np.testing.assert_allclose(ours["consequent_support"], theirs["consequent support"], rtol=1e-12)


def test_fisher_test_against_scipy(tiny_rules):
    data, _ = simulate_baskets(3000, seed=2)
    b = bk.basket_matrix(data)
    rules = bk.rule_significance(bk.mine_rules(b, 0.01, 0.1, max_len=2), b.n_baskets, adjust="none")
    for r in rules.head(12).itertuples():
        a, nx, ny, n = r.count, r.antecedent_count, r.consequent_count, b.n_baskets
        table = [[a, nx - a], [ny - a, n - nx - ny + a]]
        assert r.p_value == pytest.approx(stats.fisher_exact(table, alternative="greater").pvalue, rel=1e-6)
    from statsmodels.stats.multitest import multipletests

    for method in ("holm", "fdr_bh", "bonferroni"):
        adjusted = bk.rule_significance(rules, b.n_baskets, adjust=method)["p_adjusted"]
        np.testing.assert_allclose(adjusted, multipletests(rules["p_value"], method=method)[1], rtol=1e-10)
    with pytest.raises(ValueError, match="adjust"):
        bk.rule_significance(rules, b.n_baskets, adjust="sidak")


@pytest.mark.real_data
def test_groceries_reproduces_arules(real_data_home):
    from crm_analysis.data import fetch_groceries

    b = bk.basket_matrix(fetch_groceries(real_data_home), basket="transaction_id", item="item")
    assert (b.n_baskets, b.n_items) == (ref.N_BASKETS, ref.N_ITEMS)
    freq = bk.item_frequencies(b).head(5)
    assert dict(zip(freq["item"], freq["count"])) == ref.ITEM_COUNTS
    rules = bk.mine_rules(b, 0.001, 0.5, max_len=10)
    assert len(rules) == ref.RULES_SUPP_0001_CONF_05
    assert rules["n_items"].value_counts().sort_index().to_dict() == ref.RULE_LENGTHS_SUPP_0001_CONF_05
    q = ref.QUALITY_SUPP_0001_CONF_05
    assert rules["support"].min() == pytest.approx(q["min_support"], abs=1e-6)
    assert rules["support"].max() == pytest.approx(q["max_support"], abs=1e-6)
    assert rules["lift"].min() == pytest.approx(q["min_lift"], abs=1e-3)
    assert rules["lift"].max() == pytest.approx(q["max_lift"], abs=1e-3)
    assert rules["confidence"].median() == pytest.approx(q["median_confidence"], abs=1e-4)
    assert (rules["count"].min(), rules["count"].max()) == (q["min_count"], q["max_count"])
    for (ante, cons, support, confidence, lift, count), r in zip(ref.TOP_RULES_BY_LIFT, rules.itertuples()):
        # arules' label "cream cheese " ends in a blank, which R's printout does not show
        assert ({a.strip() for a in r.antecedent}, r.consequent.strip(), r.count) == (set(ante), cons, count)
        assert (r.support, r.confidence, r.lift) == pytest.approx((support, confidence, lift), rel=1e-6)
    second = bk.mine_rules(b, 0.003, 0.5, max_len=4)
    assert len(second) == ref.RULES_SUPP_0003_CONF_05_MAXLEN_4
    assert second["n_items"].value_counts().sort_index().to_dict() == ref.RULE_LENGTHS_SUPP_0003_CONF_05_MAXLEN_4


def test_planted_lift_intervals_cover_the_truth():
    """300 independent data sets of ~2,400 baskets (one large simulation cut into chunks, baskets
    are independent): the 95 % lift intervals of the 6 planted rules cover the true lift in
    about 95 % of the 1,800 cases."""
    data, truth = simulate_baskets(900_000, seed=11)
    chunk = (data["basket_id"].to_numpy() - 1) // 3000
    b = bk.basket_matrix(data)
    x = b.matrix.tocsc()
    n_chunks = int(chunk.max()) + 1
    basket_chunk = np.zeros(b.n_baskets, dtype="int64")
    basket_chunk[np.searchsorted(b.basket_ids, data["basket_id"])] = chunk
    n = np.bincount(basket_chunk, minlength=n_chunks)
    col = {item: j for j, item in enumerate(b.items)}
    covered = []
    for rule in truth.rules.itertuples():
        a = x[:, col[rule.antecedent]].toarray().ravel()
        c = x[:, col[rule.consequent]].toarray().ravel()
        both, na, nc = (np.bincount(basket_chunk, weights=v, minlength=n_chunks) for v in (a & c, a, c))
        frame = pd.DataFrame({"rule": [f"{rule.antecedent}/{i}" for i in range(n_chunks)],
                              "count": both, "antecedent_count": na, "consequent_count": nc,
                              "lift": both * n / (na * nc)})
        table = bk.lift_interval(frame, n)  # one basket count per data set
        covered.extend((table["ci_low"] <= rule.lift) & (rule.lift <= table["ci_high"]))
    share = np.mean(covered)
    assert 0.93 <= share <= 0.97, share


def test_planted_rules_are_mined_and_significant():
    data, truth = simulate_baskets(20_000, seed=4)
    b = bk.basket_matrix(data)
    rules = bk.rule_significance(bk.mine_rules(b, 0.01, 0.2, max_len=2), b.n_baskets)
    table = bk.planted_rule_table(rules, truth.rules, b.n_baskets)
    assert table["significant"].all() and table["estimate"].notna().all()
    assert list(table["true"]) == list(truth.rules["lift"])


def test_holm_controls_spurious_rules():
    """200 worlds of 1,500 baskets × 25 independent items: every ordered pair rule with lift > 1
    tested one-sided, Holm-corrected at 0.05. A world with any significant rule is a
    family-wise error; its share must stay near or below 5 %, while an uncorrected test finds
    chance rules in most worlds. (Pair counts come from the test's own XᵀX.)"""
    rng = np.random.default_rng(8)
    any_holm, any_raw = [], []
    a_idx, c_idx = np.nonzero(~np.eye(25, dtype=bool))
    for _ in range(200):
        x = (rng.random((1500, 25)) < rng.uniform(0.05, 0.5, 25)).astype(np.int64)
        co = x.T @ x
        rules = pd.DataFrame({"count": co[a_idx, c_idx], "antecedent_count": co[a_idx, a_idx],
                              "consequent_count": co[c_idx, c_idx]})
        rules = rules[rules["count"] * 1500 > rules["antecedent_count"] * rules["consequent_count"]]
        tested = bk.rule_significance(rules, 1500, adjust="holm")
        any_holm.append(bool(tested["significant"].any()))
        any_raw.append(bool((tested["p_value"] < 0.05).any()))
    assert np.mean(any_holm) <= 0.05 + 3 * np.sqrt(0.05 * 0.95 / 200)
    assert np.mean(any_raw) > 0.5
