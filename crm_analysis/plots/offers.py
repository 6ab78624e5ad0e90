"""Plots for offer design: the segment × offer matrix, the assignment, the strategies.

Each function takes a table from :mod:`crm_analysis.offers` and ``ax=None`` and returns
the matplotlib Axes.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from crm_analysis.offers import NO_OFFER


def plot_offer_matrix(matrix: pd.DataFrame, ax=None, title: str = "Segment × offer",
                      fmt: str = ".2f"):
    """Heat map of a segment × offer table (e.g. response multipliers or mean profit)."""
    ax = ax if ax is not None else plt.subplots(figsize=(9, 4.5))[1]
    sns.heatmap(matrix, annot=True, fmt=fmt, cmap="RdBu_r", center=0 if
                (matrix.to_numpy() < 0).any() else None, cbar=False, ax=ax)
    ax.set(title=title, xlabel="offer", ylabel="")
    return ax


def plot_assignment(counts: pd.DataFrame, ax=None):
    """Stacked bars: customers per segment (rows of ``counts``) by assigned offer (columns);
    customers without an offer are drawn last, in grey."""
    ax = ax if ax is not None else plt.subplots(figsize=(9, 4.5))[1]
    offers = [c for c in counts.columns if c != NO_OFFER]
    palette = dict(zip(offers, sns.color_palette("tab10", len(offers))))
    palette[NO_OFFER] = (0.85, 0.85, 0.85)
    ordered = counts[offers + [c for c in counts.columns if c == NO_OFFER]]
    ordered.plot.barh(stacked=True, ax=ax, color=[palette[c] for c in ordered.columns])
    ax.invert_yaxis()
    ax.set(xlabel="customers", ylabel="", title="Assigned offer by segment")
    ax.legend(bbox_to_anchor=(1.01, 1), loc="upper left", fontsize="small")
    return ax


def plot_strategies(totals: pd.Series, ax=None, currency: str = "currency"):
    """Bars of total expected incremental profit per strategy (name → amount)."""
    ax = ax if ax is not None else plt.subplots(figsize=(7, 3.5))[1]
    colors = ["#2a7ae2" if v >= 0 else "#d9534f" for v in totals.to_numpy()]
    ax.barh(totals.index.astype(str)[::-1], totals.to_numpy()[::-1], color=colors[::-1])
    ax.axvline(0, color="grey", lw=0.8)
    ax.set(xlabel=f"expected incremental profit ({currency})", title="Offer strategies")
    return ax


from ..glossary import localize_module  # noqa: E402 - labels in the notebook's language

localize_module(globals())
