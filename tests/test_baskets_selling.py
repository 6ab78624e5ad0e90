"""Cross-sell candidates and plan, up-sell shares and repurchase intervals: hand computations,
statsmodels' Wilson interval, and interval coverage on simulated intervals with a known median."""

import numpy as np
import pandas as pd
import pytest

from crm_analysis import baskets as bk
from crm_analysis.data.synthetic import simulate_baskets

RULES = pd.DataFrame({
    "antecedent": [("burger",), ("burger",), ("pie",), ("burger", "fries")],
    "consequent": ["cola", "fries", "coffee", "cola"],
    "rule": ["{burger} → cola", "{burger} → fries", "{pie} → coffee", "{burger, fries} → cola"],
    "count": [60, 30, 8, 20], "antecedent_count": [100, 100, 10, 30],
    "support": [0.06, 0.03, 0.008, 0.02], "confidence": [0.6, 0.3, 0.8, 2 / 3],
    "consequent_support": [0.3, 0.2, 0.2, 0.3], "lift": [2.0, 1.5, 4.0, 2 / 0.9],
})
MARGIN = pd.Series({"cola": 1.0, "fries": 2.0, "coffee": 1.5})


def test_cross_sell_candidates():
    got = bk.cross_sell_candidates(RULES, ["burger", "fries"], margin=MARGIN)
    # rules whose antecedent lies in the basket, fries already held: cola only, best rule by lift
    assert got["consequent"].tolist() == ["cola"] and got["lift"].iloc[0] == pytest.approx(2 / 0.9)
    assert got["expected_margin"].iloc[0] == pytest.approx(2 / 3)
    assert bk.cross_sell_candidates(RULES, "burger")["consequent"].tolist() == ["cola", "fries"]


def test_plan_cross_sell_by_hand():
    plan = bk.plan_cross_sell(RULES, MARGIN, prompt_rate=0.5).set_index("option")
    # burger → cola: 40 targets × 0.5 × (0.6 − 0.3) × 1.0 = 6; burger → fries: 70 × 0.5 × 0.1 × 2 = 7;
    # pie → coffee: 2 × 0.5 × 0.6 × 1.5 = 0.9; the two-item rule is not an option
    assert plan["incremental_margin"].to_dict() == pytest.approx(
        {"offer fries to burger buyers": 7.0, "offer cola to burger buyers": 6.0, "offer coffee to pie buyers": 0.9})
    assert list(plan.index)[0] == "offer fries to burger buyers"
    assert plan.loc["offer fries to burger buyers", "chosen_by"] == "best expected margin, most targets"
    assert plan.loc["offer coffee to pie buyers", "chosen_by"] == "highest lift, highest confidence"
    with pytest.raises(ValueError, match="prompt_rate"):
        bk.plan_cross_sell(RULES, MARGIN, prompt_rate=2)


def test_upsell_shares_against_statsmodels_wilson():
    from statsmodels.stats.proportion import proportion_confint

    lines = pd.DataFrame({"item": ["fries"] * 70 + ["fries super pack"] * 30, "price": [1.9] * 70 + [3.2] * 30})
    pairs = pd.DataFrame({"regular": ["fries"], "super_pack": ["fries super pack"]})
    row = bk.upsell_shares(lines, pairs).iloc[0]
    low, high = proportion_confint(30, 100, alpha=0.05, method="wilson")
    assert (row["estimate"], row["n_line"]) == (0.3, 100)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high), rel=1e-9)
    assert row["extra_revenue_per_line"] == pytest.approx(0.3 * 1.3)


def test_upsell_share_covers_the_planted_share():
    data, truth = simulate_baskets(20_000, seed=3)
    table = bk.upsell_shares(data, truth.upsell)
    assert ((table["ci_low"] < truth.upsell["upgrade_share"]) & (truth.upsell["upgrade_share"] < table["ci_high"])).all()


def test_repurchase_intervals_by_hand():
    tx = pd.DataFrame({
        "customer_id": ["a", "a", "a", "a", "b", "b", "c"],
        "category": ["x", "x", "x", "y", "x", "x", "x"],
        "date": pd.to_datetime(["2024-01-01 09:00", "2024-01-01 18:00", "2024-01-11 10:00", "2024-01-05 10:00",
                                "2024-02-01 10:00", "2024-02-21 10:00", "2024-03-01 10:00"]),
    })
    table = bk.repurchase_intervals(tx, group="category").set_index("category")
    # a: same-day repeat merged, next on day 10; b: 20 days; c bought once
    assert table.loc["x", ["customers", "repeaters"]].tolist() == [3, 2]
    assert table.loc["x", "estimate"] == 15.0 and table.loc["x", "repeat_share"] == pytest.approx(2 / 3)
    assert table.loc["y", "repeaters"] == 0 and np.isnan(table.loc["y", "estimate"])


def test_median_interval_covers_the_true_median():
    """300 groups of 40 customers whose second purchase comes floor(Exp(mean 300)) days after the
    first: the true median is 207 days; the order-statistic 95 % interval (exact coverage 96.2 %
    for n = 40) must cover it in about that share."""
    rng = np.random.default_rng(5)
    groups, n = 300, 40
    gaps = np.floor(rng.exponential(300, size=groups * n)).astype(int)
    first = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 365, groups * n), unit="D")
    tx = pd.DataFrame({"customer_id": np.tile(np.arange(n), groups).astype(str).repeat(2),
                       "group": np.repeat(np.arange(groups), n).astype(str).repeat(2),
                       "date": np.column_stack([first, first + pd.to_timedelta(gaps, unit="D")]).ravel()})
    table = bk.repurchase_intervals(tx, group="group")
    covered = ((table["ci_low"] <= 207) & (207 <= table["ci_high"])).mean()
    assert 0.93 <= covered <= 0.99, covered
