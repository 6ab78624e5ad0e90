"""Lorenz, Gini and Pareto shares against hand computations and independent formulas."""

import numpy as np
import pytest

from crm_analysis.marketing.concentration import pareto_table, revenue_gini, revenue_lorenz_curve, top_share


def gini_mean_difference(x):
    """Independent definition: mean absolute difference over all pairs / (2 × mean)."""
    x = np.asarray(x, float)
    return np.abs(x[:, None] - x[None, :]).sum() / (2 * x.size**2 * x.mean())


def test_hand_example():
    # revenues 1, 2, 3, 4, 10 (total 20): the top customer (20 %) holds 10/20
    x = [4, 10, 1, 3, 2]
    assert top_share(x, 0.2) == pytest.approx(0.5)
    assert top_share(x, 0.4) == pytest.approx(14 / 20)
    # the 10 pairs differ by 40 in all (80 over ordered pairs): G = 80 / (2·5²·4) = 0.4
    assert revenue_gini(x) == pytest.approx(0.4)
    curve = revenue_lorenz_curve(x)
    assert curve["revenue_share"].tolist() == pytest.approx([0, 0.05, 0.15, 0.30, 0.50, 1.0])


def test_gini_matches_mean_difference_formula():
    x = np.random.default_rng(1).lognormal(3, 1.2, size=400)
    assert revenue_gini(x) == pytest.approx(gini_mean_difference(x), rel=1e-12)


def test_gini_bounds():
    assert revenue_gini(np.full(50, 7.0)) == pytest.approx(0.0)
    one_has_all = np.zeros(10)
    one_has_all[3] = 5
    assert revenue_gini(one_has_all) == pytest.approx(0.9)  # (n - 1) / n


def test_interpolated_top_share_between_customers():
    # 4 customers 1, 1, 1, 5 (total 8): top 10 % is 0.4 of the largest customer → 0.4·5/8
    assert top_share([1, 1, 1, 5], 0.1) == pytest.approx(0.4 * 5 / 8)


def test_pareto_table_columns():
    table = pareto_table([4, 10, 1, 3, 2], tops=(0.2, 1.0))
    assert table["revenue_share"].tolist() == pytest.approx([0.5, 1.0])
    assert table["concentration"].tolist() == pytest.approx([2.5, 1.0])
    assert table["n_customers"].tolist() == [1, 5]


@pytest.mark.parametrize("bad", [[1, -2, 3], [1, np.nan], [], [0, 0]])
def test_bad_values_are_refused(bad):
    with pytest.raises(ValueError):
        revenue_gini(bad)
