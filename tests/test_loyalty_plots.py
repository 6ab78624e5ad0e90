"""Loyalty plots draw what they are given on the Axes they are given."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from crm_analysis.plots import loyalty as plots  # noqa: E402


@pytest.fixture
def ax():
    fig, axes = plt.subplots()
    yield axes
    plt.close(fig)


def test_survey_intervals_one_point_per_group(ax):
    table = pd.DataFrame({"group": ["a", "b"], "share": [0.1, 0.3],
                          "ci_low": [0.05, 0.2], "ci_high": [0.2, 0.4]})
    assert plots.plot_survey_intervals(table, ax=ax) is ax
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b"]
    np.testing.assert_allclose(np.asarray(ax.lines[0].get_xdata(), float), [0.1, 0.3])


def test_estimates_draw_truth_line(ax):
    table = pd.DataFrame({"method": ["naive", "did"], "estimate": [9.0, 6.2],
                          "ci_low": [8.0, 5.0], "ci_high": [10.0, 7.4]})
    plots.plot_estimates(table, true_effect=6.0, ax=ax)
    vertical = [line for line in ax.lines if np.allclose(line.get_xdata(), 6.0)]
    assert vertical, "no line at the true effect"


def test_roi_curve_and_balance_and_trends(ax):
    curve = pd.DataFrame({"reward_rate": [0.01, 0.02], "estimate": [0.2, -0.1],
                          "ci_low": [0.1, -0.2], "ci_high": [0.3, 0.0]})
    plots.plot_roi_curve(curve, break_even=0.015, ax=ax)
    np.testing.assert_allclose(np.asarray(ax.lines[0].get_ydata(), float), [0.2, -0.1])
    fig, (a2, a3) = plt.subplots(1, 2)
    table = pd.DataFrame({"unadjusted": [0.5, -0.3], "ipw": [0.01, 0.02]}, index=["x", "y"])
    plots.plot_balance(table, ax=a2)
    np.testing.assert_allclose(a2.collections[0].get_offsets()[:, 0], [0.5, 0.3])
    means = pd.DataFrame({"period": [-1, 0, -1, 0], "member": [False, False, True, True],
                          "mean": [1.0, 2.0, 3.0, 5.0], "std_err": [0.1] * 4})
    plots.plot_parallel_trends(means, ax=a3)
    np.testing.assert_allclose(np.asarray(a3.lines[1].get_ydata(), float), [3.0, 5.0])
    plt.close(fig)
