"""Plots for market baskets and recommendation: item frequencies, rules, recovery, evaluation.

Each function takes a table from :mod:`crm_analysis.baskets` and ``ax=None`` and returns
the matplotlib Axes.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd


def _ax(ax, size=(6, 4)):
    return ax if ax is not None else plt.subplots(figsize=size)[1]


def plot_item_frequency(freq: pd.DataFrame, top: int = 20, ax=None, title: str = "Item frequency"):
    """Horizontal bars of the ``top`` items' basket counts (``item_frequencies`` output)."""
    ax = _ax(ax, (6, max(3, 0.25 * min(top, len(freq)) + 1)))
    head = freq.head(top).iloc[::-1]
    ax.barh(head["item"].astype(str), head["count"], color="#2a7ae2")
    ax.set(xlabel="baskets holding the item", title=title)
    return ax


def plot_rules_scatter(rules: pd.DataFrame, ax=None, title: str = "Rules: support × confidence"):
    """Each rule as a point at (support, confidence), coloured by lift (arulesViz's scatter plot)."""
    ax = _ax(ax)
    order = rules.sort_values("lift")
    points = ax.scatter(order["support"], order["confidence"], c=order["lift"], cmap="viridis",
                        s=10, alpha=0.8)
    ax.figure.colorbar(points, ax=ax, label="lift")
    ax.set(xscale="log", xlabel="support (share of baskets, log scale)", ylabel="confidence", title=title)
    return ax


def plot_rule_matrix(rules: pd.DataFrame, top: int = 20, ax=None, title: str = "Top rules by lift"):
    """Antecedent × consequent matrix of the ``top`` rules (first rows of ``rules``), cells = lift."""
    head = rules.head(top)
    ante = pd.Index(pd.unique(head["antecedent"].map(lambda a: ", ".join(a))))
    cons = pd.Index(pd.unique(head["consequent"].astype(str)))
    grid = np.full((len(ante), len(cons)), np.nan)
    for a, c, v in zip(head["antecedent"].map(lambda a: ", ".join(a)), head["consequent"], head["lift"]):
        grid[ante.get_loc(a), cons.get_loc(c)] = v
    ax = _ax(ax, (1.2 + 0.45 * len(cons) + 3, 1 + 0.32 * len(ante)))
    image = ax.imshow(grid, cmap="viridis", aspect="auto")
    ax.figure.colorbar(image, ax=ax, label="lift")
    ax.set_xticks(range(len(cons)), cons, rotation=45, ha="right")
    ax.set_yticks(range(len(ante)), ante)
    ax.set(xlabel="consequent (offer this)", ylabel="antecedent (to buyers of this)", title=title)
    return ax


def plot_lift_recovery(table: pd.DataFrame, ax=None, title: str = "Planted rules: estimated vs true lift"):
    """Estimated lift with its interval per rule (rows of an estimate table with a ``true`` column)."""
    ax = _ax(ax, (6, 0.45 * len(table) + 1.2))
    y = np.arange(len(table))[::-1]
    ax.errorbar(table["estimate"], y, xerr=[table["estimate"] - table["ci_low"], table["ci_high"] - table["estimate"]],
                fmt="o", color="#2a7ae2", label="estimate, 95 % CI")
    if "true" in table:
        ax.scatter(table["true"], y, marker="x", color="#d62728", zorder=3, label="true lift")
    ax.axvline(1.0, ls="--", color="grey")
    ax.set_yticks(y, table.index.astype(str))
    ax.set(xlabel="lift", title=title)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.5 / max(len(table), 2) - 0.12), ncol=2)
    return ax


def plot_recommender_comparison(comparison: pd.DataFrame, metrics=("hit", "recall", "ndcg"), ax=None,
                                title: str = "Offline evaluation", ylabel: str = "mean over customers"):
    """Mean per method and metric with interval bars (``compare_recommenders`` output)."""
    ax = _ax(ax, (7, 4))
    means = comparison[~comparison.index.get_level_values("method").str.contains("−")]
    methods = list(pd.unique(means.index.get_level_values("method")))
    width = 0.8 / len(methods)
    x = np.arange(len(metrics))
    for i, method in enumerate(methods):
        rows = means.loc[method].reindex(list(metrics))
        ax.bar(x + i * width, rows["estimate"], width, label=method,
               yerr=[rows["estimate"] - rows["ci_low"], rows["ci_high"] - rows["estimate"]], capsize=3)
    ax.set_xticks(x + width * (len(methods) - 1) / 2, list(metrics))
    ax.set(ylabel=ylabel, title=title)
    ax.legend()
    return ax


def plot_repurchase_intervals(table: pd.DataFrame, group: str, ax=None,
                              title: str = "Days to the next purchase in the category"):
    """Median days between a customer's first and second purchase per group, with CI and quartiles."""
    t = table.dropna(subset=["estimate"]).iloc[::-1]
    ax = _ax(ax, (6, 0.4 * len(t) + 1.2))
    y = np.arange(len(t))
    ax.hlines(y, t["q25"], t["q75"], color="#9ecae1", lw=8, label="middle half (q25–q75)")
    ax.errorbar(t["estimate"], y, xerr=[t["estimate"] - t["ci_low"], t["ci_high"] - t["estimate"]],
                fmt="o", color="#08519c", label="median, 95 % CI")
    ax.set_yticks(y, t[group].astype(str))
    ax.set(xlabel="days", title=title)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.5 / max(len(t), 2) - 0.12), ncol=2)
    return ax


from ..glossary import localize_module  # noqa: E402 - labels in the notebook's language

localize_module(globals())
