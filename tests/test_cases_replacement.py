"""ChipShotGolf replacement cycle (notebook 13): inter-purchase times by hand, Weibull
recovery by interval coverage, the best offer month against a brute-force search."""

import numpy as np
import pandas as pd
import pytest

from crm_analysis import cases
from crm_analysis.data.synthetic import simulate_club_purchases
from crm_analysis.data.synthetic.cases import ClubTruth


def test_interpurchase_times_by_hand():
    tx = pd.DataFrame({"customer_id": ["a", "a", "a", "b", "b"],
                       "date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-03-01",
                                               "2024-02-01", "2024-04-01"]),
                       "category": ["club", "ball", "club", "club", "club"]})
    times = cases.interpurchase_times(tx, as_of="2024-04-01")
    # a: 01-01 → 03-01 (60 days, event), 03-01 → as_of (31 days, censored); b: 02-01 → 04-01 (60 days)
    assert times["replaced"].tolist() == [1, 0, 1]
    np.testing.assert_allclose(times["months"], np.array([60, 31, 60]) / 30.4375)
    per_category = cases.interpurchase_times(tx, as_of="2024-04-01", category="category")
    assert len(per_category) == 4  # the ball's censored time counts, the 0-day b row is dropped


def test_weibull_intervals_cover_the_true_cycle():
    """100 simulated data sets of 800 buyers: the 95 % intervals of shape and median cover
    the true values in 90–99 % of them."""
    truth = ClubTruth(shape=2.2, scale_months=30.0)
    true_median = 30.0 * np.log(2) ** (1 / 2.2)
    hits = []
    for seed in range(100):
        purchases, _ = simulate_club_purchases(n_customers=800, seed=seed, accessory_rate=0.01)
        clubs = purchases.loc[purchases["category"] == "club"]
        fit = cases.fit_replacement(cases.interpurchase_times(clubs, as_of="2025-12-31"))
        hits.append([fit.loc["shape", "ci_low"] <= truth.shape <= fit.loc["shape", "ci_high"],
                     fit.loc["median_months", "ci_low"] <= true_median <= fit.loc["median_months", "ci_high"]])
    rate = np.mean(hits, axis=0)
    assert np.all((0.90 <= rate) & (rate <= 0.99)), rate


@pytest.mark.parametrize("shape,scale,window", [(2.2, 30, 3), (1.0, 12, 6), (4.0, 50, 1)])
def test_best_offer_month_equals_a_brute_force_search(shape, scale, window):
    S = cases.weibull_survival(shape, scale)
    month, value = cases.best_offer_month(S, response=0.3, margin=250, contact_cost=2, window=window)
    grid = np.arange(0, 120, 0.001)
    brute = 0.3 * 250 * (S(grid) - S(grid + window)) - 2
    assert value == pytest.approx(brute.max(), abs=1e-6)
    assert month == pytest.approx(grid[np.argmax(brute)], abs=0.002)


def test_fixed_date_value_and_offer_value_by_hand():
    S = lambda t: np.exp(-np.asarray(t, dtype=float) / 10)  # noqa: E731  exponential, mean 10
    v = cases.offer_value(5.0, S, response=0.5, margin=100, contact_cost=1, window=2)
    assert v == pytest.approx(50 * (np.exp(-0.5) - np.exp(-0.7)) - 1)
    fixed = cases.fixed_date_value([0.0, 5.0, 20.0], 10.0, S, response=0.5, margin=100,
                                   contact_cost=1, window=2)
    # customer bought at 20 has not bought yet at month 10: not mailed
    assert fixed == pytest.approx(np.mean([cases.offer_value(m, S, 0.5, 100, 1, 2) for m in (10.0, 5.0)]))


def test_true_survival_with_frailty_matches_monte_carlo():
    truth = ClubTruth(shape=2.2, scale_months=30.0, heterogeneity=3.0)
    rng = np.random.default_rng(0)
    T = 30 * rng.weibull(2.2, 400_000) * rng.gamma(3.0, 1 / 3.0, 400_000)
    months = np.array([6.0, 18.0, 30.0, 60.0])
    np.testing.assert_allclose(truth.survival(months), [(T > m).mean() for m in months], atol=0.003)


def test_accessory_timing_by_hand():
    purchases = pd.DataFrame({
        "customer_id": ["a", "a", "a", "b", "b"],
        "date": pd.to_datetime(["2024-01-01", "2024-01-10", "2024-02-15", "2024-01-01", "2024-03-31"]),
        "category": ["club", "accessory", "accessory", "club", "accessory"]})
    table = cases.accessory_timing(purchases, horizon_months=3)
    # a: days 9 (month 0) and 45 (month 1); b: day 90 (month 2); both observed 90 days → 2 full months
    assert table["accessories"].tolist() == [1, 1, 1]
    assert table["customers"].tolist() == [2, 2, 0]


def test_designs_count_reproduces_a_hand_worked_configuration():
    assert cases.designs_count({"length": 10, "flex": 5, "lie": 6, "grip": 5, "head": 10, "loft": 10}) == 150_000
    assert cases.designs_count({}) == 1
    with pytest.raises(ValueError, match="whole number"):
        cases.designs_count({"length": 0})
