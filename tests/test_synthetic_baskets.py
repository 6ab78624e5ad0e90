"""simulate_baskets: the planted rules show their true support, confidence and lift.

Support, confidence and lift are computed here from the baskets with pandas, independently
of the generator's closed-form truth; tolerances are 4 standard errors (delta method).
"""

import numpy as np
import pandas as pd
import pytest

from crm_analysis.data.synthetic import simulate_baskets


@pytest.fixture(scope="module")
def world():
    return simulate_baskets(150_000, seed=31)


def incidence(baskets):
    """Basket × item True/False table."""
    rows, basket_ids = pd.factorize(baskets["basket_id"])
    cols, items = pd.factorize(baskets["item"])
    table = np.zeros((len(basket_ids), len(items)), dtype=bool)
    table[rows, cols] = True
    return pd.DataFrame(table, index=basket_ids, columns=items)


@pytest.fixture(scope="module")
def table(world):
    return incidence(world[0])


def rule_stats(table, antecedent, consequent):
    a, c = table[antecedent], table[consequent]
    support = (a & c).mean()
    confidence = (a & c).sum() / a.sum()
    return support, confidence, confidence / c.mean(), a.sum(), c.mean()


def test_shape_and_columns(world):
    baskets, truth = world
    assert list(baskets.columns) == ["basket_id", "customer_id", "date", "item", "category", "price"]
    assert baskets["basket_id"].nunique() == truth.n_baskets
    per_basket = baskets.groupby("basket_id")[["customer_id", "date"]].nunique()
    assert (per_basket == 1).all().all()
    assert not baskets.duplicated(["basket_id", "item"]).any()
    merged = baskets.merge(truth.catalogue, on="item", how="left", suffixes=("", "_catalogue"))
    assert (merged["price"] == merged["price_catalogue"]).all()
    assert (merged["category"] == merged["category_catalogue"]).all()
    assert baskets["customer_id"].str.fullmatch(r"C\d{7}").all()
    # recorded share of non-empty baskets matches the truth
    drawn = 150_000
    q = truth.nonempty_probability
    assert abs(truth.n_baskets / drawn - q) < 4 * np.sqrt(q * (1 - q) / drawn)


def assert_rules_match(table, rules):
    n = len(table)
    for rule in rules.itertuples():
        support, confidence, lift, n_a, p_c = rule_stats(table, rule.antecedent, rule.consequent)
        se_conf = np.sqrt(rule.confidence * (1 - rule.confidence) / n_a)
        se_lift = rule.lift * np.sqrt((1 - rule.confidence) / (rule.confidence * n_a) + (1 - p_c) / (p_c * n))
        assert abs(confidence - rule.confidence) < 4 * se_conf, rule
        assert abs(support - rule.support) < 4 * np.sqrt(rule.support * (1 - rule.support) / n), rule
        assert abs(lift - rule.lift) < 4 * se_lift, rule


def test_planted_rules_show_their_lift(world, table):
    _, truth = world
    assert_rules_match(table, truth.rules)
    assert (truth.rules["lift"] > 1.3).all()


def test_unplanted_pairs_are_independent(table):
    # Base items are independent, so P(C | A) = π_C = P(C | B and not A) for base items
    # A, B, C (conditioning on another item B keeps the basket non-empty in both groups).
    for a, c, b in [("cheeseburger", "salad", "sundae"), ("fries", "cider", "cheese sticks")]:
        given_a, given_b = table[a], table[b] & ~table[a]
        with_a, with_b = table.loc[given_a, c].mean(), table.loc[given_b, c].mean()
        se = np.sqrt(with_a * (1 - with_a) / given_a.sum() + with_b * (1 - with_b) / given_b.sum())
        assert abs(with_a - with_b) < 4 * se, (a, c)


def test_rule_strength_zero_removes_the_association():
    baskets, truth = simulate_baskets(60_000, rule_strength=0.0, seed=32)
    base = truth.catalogue.set_index("item")["base_probability"]
    np.testing.assert_allclose(truth.rules["confidence"], base[truth.rules["consequent"]].to_numpy())
    # independent items: lift among recorded (non-empty) baskets is P(non-empty), below 1
    np.testing.assert_allclose(truth.rules["lift"], truth.nonempty_probability)
    assert_rules_match(incidence(baskets), truth.rules)


def test_upsell_pairs(world, table):
    _, truth = world
    price = truth.catalogue.set_index("item")["price"]
    for pair in truth.upsell.itertuples():
        regular, super_pack = table[pair.regular], table[pair.super_pack]
        assert not (regular & super_pack).any()
        line = (regular | super_pack).sum()
        share = super_pack.sum() / line
        u = pair.upgrade_share
        assert abs(share - u) < 4 * np.sqrt(u * (1 - u) / line)
        assert price[pair.super_pack] > price[pair.regular]


def test_seeded_and_bad_arguments():
    a, _ = simulate_baskets(500, seed=1)
    b, _ = simulate_baskets(500, seed=1)
    pd.testing.assert_frame_equal(a, b)
    with pytest.raises(ValueError, match="confidence of cola"):
        simulate_baskets(100, rule_strength=2.0)
    with pytest.raises(ValueError, match="n_customers"):
        simulate_baskets(100, n_customers=0)
