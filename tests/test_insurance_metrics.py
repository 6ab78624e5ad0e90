"""Ordered-Lorenz Gini, deviance, D² and lift against hand computations."""

import numpy as np
import pytest

from crm_analysis.insurance import metrics


def test_gini_matches_a_hand_computed_example():
    # ascending prediction order puts losses 0, 0, 3, 1 on equal exposures:
    # curve (0,0) (.25,0) (.5,0) (.75,.75) (1,1); area = .25·(.75/2) + .25·(1.75/2) = .3125
    loss = [0, 1, 0, 3]
    pred = [0.1, 0.4, 0.2, 0.3]
    assert metrics.ordered_gini(loss, pred) == pytest.approx(1 - 2 * 0.3125)
    curve = metrics.ordered_lorenz_curve(loss, pred)
    assert curve["loss_share"].tolist() == pytest.approx([0, 0, 0, 0.75, 1])


def test_gini_weights_by_exposure():
    # exposures 3 and 1: curve (0,0) (.75,.25) (1,1); area = .75·.125 + .25·.625 = .25
    assert metrics.ordered_gini([1, 3], [0.1, 0.9], exposure=[3, 1]) == pytest.approx(0.5)


def test_gini_is_zero_for_a_constant_prediction():
    rng = np.random.default_rng(0)
    loss = rng.poisson(0.3, 1000)
    exposure = rng.uniform(0.1, 1, 1000)
    assert metrics.ordered_gini(loss, np.full(1000, 0.2), exposure) == pytest.approx(0.0, abs=1e-12)


def test_gini_is_largest_for_the_oracle_order():
    rng = np.random.default_rng(1)
    exposure = rng.uniform(0.1, 1, 500)
    loss = rng.poisson(exposure * rng.gamma(1.0, 0.3, 500))
    oracle = metrics.ordered_gini(loss, loss / exposure, exposure)
    others = [metrics.ordered_gini(loss, rng.random(500), exposure) for _ in range(50)]
    noisy = metrics.ordered_gini(loss, loss / exposure + rng.normal(0, 0.5, 500).clip(0), exposure)
    assert oracle > max(others) and oracle >= noisy
    # reversing the ranking flips the sign
    assert metrics.ordered_gini(loss, -loss / exposure + 100, exposure) < 0


def test_poisson_deviance_and_d2_by_hand():
    count = np.array([0, 2, 1])
    exposure = np.array([1.0, 0.5, 1.0])
    rate = np.array([0.5, 2.0, 1.0])
    y = count / exposure  # 0, 4, 1
    unit = 2 * np.array([rate[0], 4 * np.log(4 / 2) - 2, 0.0])  # 2·(y log(y/μ) − y + μ)
    assert metrics.poisson_deviance(count, rate, exposure) == pytest.approx(
        (exposure * unit).sum() / exposure.sum())
    mean_rate = np.full(3, count.sum() / exposure.sum())
    assert metrics.d2_poisson(count, mean_rate, exposure) == pytest.approx(0.0, abs=1e-12)
    assert metrics.d2_poisson(count, y + 1e-12, exposure) == pytest.approx(1.0, abs=1e-6)


def test_lift_bins_hold_equal_exposure_and_keep_ties_together():
    pred = np.repeat(np.arange(1, 11), 10).astype(float)
    loss = pred * 2
    table = metrics.lift_by_decile(loss, pred, n_bins=10)
    assert table["exposure"].tolist() == [10] * 10
    assert table["observed"].tolist() == pytest.approx((np.arange(1, 11) * 2).tolist())
    assert (table["lift"] * table["exposure"]).sum() / 100 == pytest.approx(1.0)
    tied = metrics.exposure_bins(np.ones(20), n_bins=4)
    assert set(tied) == {4}


def test_bad_input_names_the_rows():
    with pytest.raises(ValueError, match=r"exposure .*rows \[1\]"):
        metrics.ordered_gini([1, 2], [0.1, 0.2], exposure=[1, 0])
    with pytest.raises(ValueError, match="predicted"):
        metrics.ordered_gini([1, 2], [0.1, np.nan])
    with pytest.raises(ValueError, match="sums to 0"):
        metrics.ordered_gini([0, 0], [0.1, 0.2])
