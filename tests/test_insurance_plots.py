"""The insurance plots draw what they are given and return their Axes / Figure."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from crm_analysis.insurance import metrics  # noqa: E402
from crm_analysis.insurance.market import Insurer, simulate_market  # noqa: E402
from crm_analysis.plots import insurance as plots  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    yield
    matplotlib.pyplot.close("all")


def test_rate_ratio_plot_marks_truth_and_skips_intercept():
    table = pd.DataFrame({"rate_ratio": [0.2, 1.5, 0.8], "rate_ratio_ci_low": [0.1, 1.2, 0.7],
                          "rate_ratio_ci_high": [0.3, 1.9, 0.9], "true": [np.log(0.2), np.log(1.4), np.log(0.85)]},
                         index=["Intercept", "a[T.x]", "b"])
    ax = plots.plot_rate_ratios(table)
    positions = {t.get_text(): t.get_position()[1] for t in ax.get_yticklabels()}
    assert set(positions) == {"a[T.x]", "b"}  # no intercept
    assert positions["a[T.x]"] > positions["b"]  # table order, top to bottom
    assert ax.get_xscale() == "log"


def test_lorenz_lift_segment_and_market_plots():
    rng = np.random.default_rng(0)
    pred = rng.gamma(2, 0.05, 400)
    loss = rng.poisson(pred)
    ax = plots.plot_ordered_lorenz({"model": metrics.ordered_lorenz_curve(loss, pred)})
    assert len(ax.lines) == 2  # the curve and the diagonal
    ax = plots.plot_lift_by_decile(metrics.lift_by_decile(loss, pred))
    assert len(ax.patches) == 20
    table = pd.DataFrame({"loss_ratio_flat": [0.5, 1.5], "loss_ratio_risk": [0.9, 0.9]}, index=[1, 2])
    assert len(plots.plot_segment_loss_ratios(table, target=0.9).patches) == 4
    books = simulate_market(pred, np.ones(400), pred + 0.01, [Insurer("r", "risk"), Insurer("f", "flat")],
                            n_years=3)
    fig = plots.plot_market(books)
    assert len(fig.axes) == 4 and all(len(ax.lines) == 2 for ax in fig.axes)
