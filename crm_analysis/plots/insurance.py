"""Plots for the Progressive risk-segmentation case (notebook 08).

Each function draws a result of :mod:`crm_analysis.insurance` and returns the Axes
(or the Figure for the multi-panel market plot).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd


def plot_rate_ratios(table: pd.DataFrame, ax=None, title: str = "Claim frequency rate ratios"):
    """Forest plot of ``coefficient_table`` output: rate ratio with its interval, truth as ×."""
    ax = ax or plt.subplots(figsize=(7, 0.35 * len(table) + 1.2))[1]
    table = table.drop(index="Intercept", errors="ignore")
    y = np.arange(len(table))[::-1]
    ax.errorbar(table["rate_ratio"], y,
                xerr=[table["rate_ratio"] - table["rate_ratio_ci_low"], table["rate_ratio_ci_high"] - table["rate_ratio"]],
                fmt="o", color="#2a7ae2", capsize=3, label="estimate, 95% CI")
    if "true" in table.columns:
        ax.scatter(np.exp(table["true"]), y, marker="x", color="#d62728", zorder=3, label="true value")
    ax.axvline(1.0, color="grey", lw=0.8)
    ax.set_xscale("log")
    ax.set_yticks(y, table.index)
    ax.set_xlabel("rate ratio vs the reference level (log scale)")
    ax.set_title(title)
    ax.legend(loc="best", fontsize=8)
    return ax


def plot_ordered_lorenz(curves: dict[str, pd.DataFrame], ax=None):
    """Ordered Lorenz curves (``metrics.ordered_lorenz_curve`` frames), one per model, with the diagonal."""
    ax = ax or plt.subplots(figsize=(5, 5))[1]
    for name, curve in curves.items():
        ax.plot(curve["exposure_share"], curve["loss_share"], label=name)
    ax.plot([0, 1], [0, 1], color="grey", ls="--", lw=0.8, label="no ranking (Gini 0)")
    ax.set_xlabel("cumulative share of exposure (lowest predicted risk first)")
    ax.set_ylabel("cumulative share of losses")
    ax.set_title("Ordered Lorenz curves")
    ax.legend(fontsize=8)
    return ax


def plot_lift_by_decile(table: pd.DataFrame, ax=None, unit: str = "EUR per policy-year"):
    """Observed vs predicted loss cost per bin of predicted risk (``lift_by_decile``)."""
    ax = ax or plt.subplots(figsize=(7, 4))[1]
    x = np.arange(len(table))
    ax.bar(x - 0.2, table["observed"], width=0.4, label="observed", color="#2a7ae2")
    ax.bar(x + 0.2, table["predicted"], width=0.4, label="predicted", color="#ff7f0e")
    ax.set_xticks(x, table.index)
    ax.set_xlabel("decile of predicted risk (1 = lowest)")
    ax.set_ylabel(unit)
    ax.set_title("Lift chart: actual vs predicted loss cost")
    ax.legend()
    return ax


def plot_segment_loss_ratios(table: pd.DataFrame, ax=None, target: float | None = None):
    """Loss ratio per risk segment under the flat and the risk-based tariff (``segment_pricing``)."""
    ax = ax or plt.subplots(figsize=(7, 4))[1]
    x = np.arange(len(table))
    ax.bar(x - 0.2, table["loss_ratio_flat"], width=0.4, label="flat premium", color="#7f7f7f")
    ax.bar(x + 0.2, table["loss_ratio_risk"], width=0.4, label="risk-based premium", color="#2a7ae2")
    if target is not None:
        ax.axhline(target, color="#d62728", ls="--", lw=1, label="break-even target")
    ax.set_xticks(x, table.index)
    ax.set_xlabel("risk segment (1 = lowest predicted risk)")
    ax.set_ylabel("loss ratio (claims ÷ premiums)")
    ax.set_title("Loss ratio by risk segment")
    ax.legend()
    return ax


def plot_market(books: pd.DataFrame,
                metrics: tuple[str, ...] = ("market_share", "loss_ratio", "margin", "mean_true_cost")):
    """One panel per metric of ``simulate_market`` books over the years, one line per insurer."""
    fig, axes = plt.subplots(1, len(metrics), figsize=(4 * len(metrics), 3.6), squeeze=False)
    labels = {"market_share": "market share (policies)", "loss_ratio": "loss ratio",
              "margin": "margin (profit ÷ premiums)", "growth": "premium growth",
              "mean_true_cost": "true claim cost per policy-year"}
    for ax, metric in zip(axes[0], metrics):
        for name, book in books.groupby("insurer", sort=False):
            ax.plot(book["year"], book[metric], marker="o", ms=3, label=name)
        ax.set_xlabel("year")
        ax.set_title(labels.get(metric, metric), fontsize=10)
    axes[0][0].legend(fontsize=8)
    fig.tight_layout()
    return fig


from ..glossary import localize_module  # noqa: E402 - labels in the notebook's language

localize_module(globals())
