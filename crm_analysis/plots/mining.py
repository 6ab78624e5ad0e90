"""Plots for the three levels of data mining: cube heat maps, table scans, trees, clusters.

Each function takes a table from :mod:`crm_analysis.mining` and ``ax=None`` and returns
the matplotlib Axes.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns


def _ax(ax, size=(6, 4)):
    return ax if ax is not None else plt.subplots(figsize=size)[1]


def plot_pivot(table: pd.DataFrame, ax=None, title: str = "", fmt: str = ",.0f", cmap="Blues",
               vmin: float | None = None, vmax: float | None = None):
    """Heat map of a cube cross-tab (rows × columns), the value written in each cell.

    Give ``vmin``/``vmax`` to compare several pivots on one colour scale (by default each
    pivot stretches its own range, which makes tiny differences look large).
    """
    ax = _ax(ax, (1.1 * table.shape[1] + 3, 0.45 * table.shape[0] + 1.5))
    sns.heatmap(table.astype(float), annot=True, fmt=fmt, cmap=cmap, cbar=False, ax=ax,
                linewidths=0.5, vmin=vmin, vmax=vmax)
    ax.set(title=title, xlabel=table.columns.name or "", ylabel=table.index.name or "")
    ax.tick_params(axis="y", rotation=0)
    return ax


def plot_interaction_scan(scan: pd.DataFrame, ax=None, alpha: float = 0.05):
    """Largest deviation of a cell's rate from the overall rate, per one- or two-way table;
    tables whose cells differ significantly (p below ``alpha``) in dark blue."""
    ax = _ax(ax, (6, 0.3 * len(scan) + 1.5))
    order = scan.sort_values("max_deviation")
    colors = np.where(order["p_value"] < alpha, "#1f4e9c", "#b8c7e0")
    ax.barh(order["table"], 100 * order["max_deviation"], color=colors)
    ax.set(xlabel="largest cell deviation from the overall rate (percentage points)",
           title=f"What one- and two-way tables show (dark: p < {alpha:g})")
    return ax


def plot_leaf_rates(summary: pd.DataFrame, ax=None, title: str = "Tree leaves"):
    """Each leaf's rate with its interval (from a tree's ``summary()``), one row per rule."""
    ax = _ax(ax, (7, 0.45 * len(summary) + 1.5))
    y = np.arange(len(summary))
    est = 100 * summary["estimate"].to_numpy()
    err = 100 * np.vstack([summary["estimate"] - summary["ci_low"],
                           summary["ci_high"] - summary["estimate"]])
    ax.errorbar(est, y, xerr=err, fmt="o", color="#2a7ae2", capsize=3)
    ax.set_yticks(y, [str(r) for r in summary.index], fontsize=8)
    ax.invert_yaxis()
    ax.set(xlabel="response rate (%)", title=title)
    return ax


def plot_silhouette(silhouette: pd.Series, chosen: int, ax=None):
    """Mean silhouette per number of clusters; the chosen k marked."""
    ax = _ax(ax, (5, 3.5))
    ax.plot(silhouette.index, silhouette.to_numpy(), marker="o")
    ax.axvline(chosen, ls="--", color="grey")
    ax.set(xlabel="number of clusters k", ylabel="mean silhouette", title="Choosing k")
    return ax


def plot_clusters(features: pd.DataFrame, labels: pd.Series, ax=None):
    """Customers by purchases and mean spend (log scales), coloured by cluster."""
    ax = _ax(ax, (6, 4.5))
    for k in sorted(labels.unique()):
        rows = labels == k
        ax.scatter(features.loc[rows, "frequency"], features.loc[rows, "monetary"], s=6,
                   alpha=0.4, label=f"cluster {k}")
    ax.set(xscale="log", yscale="log", xlabel="purchases", ylabel="mean spend per purchase",
           title="Customer clusters")
    ax.legend(markerscale=3)
    return ax


def plot_simpson(table: pd.DataFrame, ax=None, label: str = "rate"):
    """Rates of a two-level factor within each stratum and overall (Simpson's paradox)."""
    ax = _ax(ax, (6, 4))
    levels = [c for c in table.columns if c != "difference"]
    x = np.arange(len(table))
    width = 0.38
    for i, level in enumerate(levels):
        ax.bar(x + (i - 0.5) * width, 100 * table[level].to_numpy(), width, label=str(level))
    ax.set_xticks(x, table.index)
    ax.axvline(len(table) - 1.5, color="grey", lw=0.8)
    ax.set(ylabel=f"{label} (%)", title="Within every stratum vs all together")
    ax.legend(title=table.columns.name)
    return ax


from ..glossary import localize_module  # noqa: E402 - labels in the notebook's language

localize_module(globals())
