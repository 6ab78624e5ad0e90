"""The synthetic promotion: its planted interaction is invisible in every one- and two-way
table, the planted Simpson's paradox holds in the truth, and the mining level recovers the
planted rule and customer types over several seeds."""

from itertools import product

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from crm_analysis import mining
from crm_analysis.data.synthetic import simulate_promotion
from crm_analysis.data.synthetic.promotion import PLANTED_FACTORS


def test_interaction_is_flat_in_every_one_and_two_way_table_of_the_truth():
    _, truth = simulate_promotion(n_customers=50, seed=0)
    # the design: the three factors are independent and balanced; average the parity term
    cells = {combo: truth.delta * (truth.parity(*combo) - 0.5)
             for combo in product(["single", "family"], ["online", "store"], ["spring", "autumn"])}
    for keep in [(0,), (1,), (2,), (0, 1), (0, 2), (1, 2)]:
        margins = {}
        for combo, effect in cells.items():
            margins.setdefault(tuple(combo[i] for i in keep), []).append(effect)
        assert all(abs(np.mean(v)) < 1e-15 for v in margins.values()), keep
    # the three-way cells are not flat: +delta/2 and -delta/2
    assert sorted(set(np.round(list(cells.values()), 12))) == [-truth.delta / 2, truth.delta / 2]


def test_sample_tables_show_nothing_beyond_chance_over_seeds():
    """Stated test: across 20 simulated data sets the chi-square p-values of the six one- and
    two-way tables of the planted factors behave like p-values under no effect: fewer than
    15 % fall below 0.05 (expected 5 %; 15 % of 120 is 5 SDs above it)."""
    p_values = []
    for seed in range(20):
        data, _ = simulate_promotion(n_customers=1500, seed=seed)
        k = data["contacts"].merge(data["customers"], on="customer_id")
        p_values += list(mining.interaction_scan(k, "responded", list(PLANTED_FACTORS))["p_value"])
    assert np.mean(np.array(p_values) < 0.05) < 0.15


def test_simpson_reversal_holds_in_the_expected_rates():
    data, truth = simulate_promotion(n_customers=20000, seed=3)
    k = data["contacts"].merge(data["customers"], on="customer_id").assign(
        expected=lambda f: f["p_response"])
    cube = mining.build_cube(k, ["region", "coupon"], {"n": "count(*)", "expected": "sum(expected)"})
    table = mining.compare_within(cube, "coupon", "region", "expected", "n")
    assert mining.simpson_reversal(table)
    # within each region mobile is exactly coupon_effect lower in expectation up to the parity mix
    assert np.allclose(table.drop(index="all")["difference"], truth.coupon_effect, atol=0.01)


@pytest.mark.parametrize("seed", range(6))
def test_exhaustive_tree_recovers_the_planted_rule(seed):
    data, truth = simulate_promotion(n_customers=3000, seed=100 + seed)
    k = data["contacts"].merge(data["customers"], on="customer_id")
    X, negation = mining.binary_features(k, ["segment", "channel", "season", "region", "coupon"])
    held = mining.holdout_mask(k["customer_id"], 0.3, seed=seed)
    tree = mining.OptimalTree(max_depth=3, min_leaf=100).fit(X[~held], k["responded"][~held], negation)
    assert mining.split_columns(tree.split_features_) == sorted(PLANTED_FACTORS)
    high = truth.parity(k["segment"], k["channel"], k["season"])[held]
    assert mining.rule_recovery(tree.predict_proba(X[held]), high) > 0.95


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_clusters_recover_the_true_customer_types(seed):
    data, _ = simulate_promotion(n_customers=2000, seed=seed)
    features = mining.customer_features(data["transactions"])
    clusters = mining.cluster_customers(features, seed=seed)
    truth = data["customers"].set_index("customer_id")["customer_type"].reindex(features.index)
    assert clusters.k == 3
    assert adjusted_rand_score(truth, clusters.labels) > 0.8


def test_refuses_impossible_probabilities():
    with pytest.raises(ValueError, match="outside"):
        simulate_promotion(n_customers=100, delta=0.3, coupon_effect=0.05)
