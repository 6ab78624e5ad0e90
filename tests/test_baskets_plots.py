"""The basket plots draw what they are given (values read back from the Axes)."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd

from crm_analysis import baskets as bk
from crm_analysis.plots import baskets as plots

RULES = pd.DataFrame({"antecedent": [("a",), ("a", "b"), ("c",)], "consequent": ["b", "c", "a"],
                      "support": [0.2, 0.1, 0.05], "confidence": [0.5, 0.6, 0.9], "lift": [1.2, 2.0, 3.0]})


def test_item_frequency_and_rules_plots():
    freq = pd.DataFrame({"item": ["x", "y", "z"], "count": [5, 3, 1]})
    ax = plots.plot_item_frequency(freq, top=2)
    assert [p.get_width() for p in ax.patches] == [3, 5]  # top 2, largest at the top
    ax = plots.plot_rules_scatter(RULES)
    assert np.allclose(sorted(ax.collections[0].get_offsets()[:, 0]), [0.05, 0.1, 0.2])
    ax = plots.plot_rule_matrix(RULES, top=3)
    grid = ax.images[0].get_array()
    assert grid.shape == (3, 3) and np.ma.getmaskarray(grid).sum() == 6  # empty cells masked
    assert np.ma.compressed(grid).tolist() == [1.2, 2.0, 3.0]


def test_comparison_and_interval_plots():
    frames = {"item-item": pd.DataFrame({"hit": [1.0, 1, 0], "ndcg": [1.0, 0.5, 0]}),
              "popularity": pd.DataFrame({"hit": [1.0, 0, 0], "ndcg": [0.5, 0, 0]})}
    table = bk.compare_recommenders(frames, metrics=("hit", "ndcg"))
    ax = plots.plot_recommender_comparison(table, metrics=("hit", "ndcg"))
    heights = [p.get_height() for p in ax.patches]
    assert np.allclose(heights, [2 / 3, 0.5, 1 / 3, 0.5 / 3])
    est = pd.DataFrame({"estimate": [1.5, 2.0], "ci_low": [1.2, 1.8], "ci_high": [1.9, 2.3], "true": [1.4, 2.1]},
                       index=["r1", "r2"])
    ax = plots.plot_lift_recovery(est)
    at = dict(zip(ax.get_yticks(), [t.get_text() for t in ax.get_yticklabels()]))
    assert at == {1: "r1", 0: "r2"}  # first rule on top
    assert np.allclose(ax.collections[-1].get_offsets()[:, 0], [1.4, 2.1])  # true lifts drawn
