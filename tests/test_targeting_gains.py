"""Gains, lift and profit curves against a hand-computed example."""

import numpy as np
import pandas as pd
import pytest

from crm_analysis.targeting import gains_table, optimal_depth, profit_curve

# ten customers, scores descending; responders at ranks 1, 3 and 6
Y = np.array([1, 0, 1, 0, 0, 1, 0, 0, 0, 0])
S = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05])
PERM = np.array([4, 9, 0, 7, 2, 5, 1, 8, 3, 6])  # the same customers in another row order


def test_gains_table_by_hand():
    g = gains_table(Y[PERM], S[PERM], n_bins=5)
    # groups of 2: responders 1, 1, 1, 0, 0; overall rate 0.3
    assert g["customers"].tolist() == [2] * 5
    assert g["responders"].tolist() == [1, 1, 1, 0, 0]
    np.testing.assert_allclose(g["response_rate"], [0.5, 0.5, 0.5, 0, 0])
    np.testing.assert_allclose(g["lift"], [5 / 3, 5 / 3, 5 / 3, 0, 0])
    np.testing.assert_allclose(g["cum_share"], [0.2, 0.4, 0.6, 0.8, 1.0])
    np.testing.assert_allclose(g["gain"], [1 / 3, 2 / 3, 1, 1, 1])
    np.testing.assert_allclose(g["cum_lift"], [5 / 3, 5 / 3, 5 / 3, 1.25, 1.0])


def test_profit_curve_and_optimal_depth_by_hand():
    c = profit_curve(Y[PERM], S[PERM], margin=10.0, contact_cost=2.0)
    # profit(k) = 10 × responders in top k − 2k
    want = [0, 8, 6, 14, 12, 10, 18, 16, 14, 12, 10]
    np.testing.assert_allclose(c["profit"], want)
    best = optimal_depth(c)
    assert best["contacted"] == 6 and best["share"] == pytest.approx(0.6)
    assert best["profit"] == pytest.approx(18)


def test_profit_curve_with_margin_per_customer():
    margin = np.arange(1, 11) * 1.0  # 1..10 per customer, responders earn 1, 3, 6
    c = profit_curve(Y, S, margin=margin, contact_cost=0.5)
    assert c["profit"].iloc[-1] == pytest.approx(1 + 3 + 6 - 5.0)


@pytest.mark.parametrize("y, s, word", [
    (np.zeros(10), S, "single class"),
    (Y, np.where(np.arange(10) == 3, np.nan, S), r"rows \[3\]"),
    (np.where(np.arange(10) == 2, 2, Y), S, "0/1"),
])
def test_bad_inputs_are_named(y, s, word):
    with pytest.raises(ValueError, match=word):
        gains_table(y, s)
    with pytest.raises(ValueError, match=word):
        profit_curve(y, s, 10.0, 1.0)


def test_length_mismatch():
    with pytest.raises(ValueError, match="same length"):
        gains_table(Y, S[:-1])


def test_index_of_nan_rows_is_reported_from_series():
    s = pd.Series(S, index=[f"c{i}" for i in range(10)])
    s.iloc[4] = np.nan
    with pytest.raises(ValueError, match="c4"):
        gains_table(Y, s)


def test_expected_profit_curve_by_hand():
    from crm_analysis.targeting import expected_profit_curve
    c = expected_profit_curve([0.1, 0.9, 0.5], value=[1.0, 5.0, -2.0], contact_cost=1.0)
    # order: 5, -2, 1 -> cumulative 5, 3, 4 minus k
    np.testing.assert_allclose(c["profit"], [0, 4, 1, 1])
    with pytest.raises(ValueError, match=r"rows \[2\]"):
        expected_profit_curve([0.1, 0.9, 0.5], [1.0, 2.0, np.nan], 1.0)
