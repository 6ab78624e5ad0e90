"""Plots for the Dell and ChipShotGolf cases: the tier pyramid, offer timing, accessories.

Each function takes a table from :mod:`crm_analysis.cases` and ``ax=None`` and returns the
matplotlib Axes. Tier migration is drawn with :mod:`crm_analysis.plots.dynamics`, survival
curves with :mod:`crm_analysis.plots.churn`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd


def _ax(ax, size=(7, 4)):
    return ax if ax is not None else plt.subplots(figsize=size)[1]


def plot_pyramid(economics: pd.DataFrame, ax=None, title: str = "The customer tier pyramid"):
    """Dell's triangle, bottom (All) to top (Platinum): tiers are nested, so a bar's width is
    the share of customers at that tier *or above*; the labels give each tier's own shares
    of customers, revenue and profit."""
    ax = _ax(ax, (8, 4))
    tiers = list(economics.index)
    y = np.arange(len(tiers))
    width = economics["customers_share"].to_numpy()[::-1].cumsum()[::-1]
    ax.barh(y, width, left=-width / 2, color=plt.cm.Blues(np.linspace(0.35, 0.9, len(tiers))),
            height=0.8)
    for i, tier in enumerate(tiers):
        row = economics.loc[tier]
        ax.text(0.55, i, f"{tier}: {width[i]:.0%} at this tier or above; the tier itself "
                         f"{row['customers_share']:.0%} of customers, "
                         f"{row['revenue_share']:.0%} of revenue, {row['profit_share']:.0%} of profit",
                va="center", fontsize=9)
    ax.set_yticks(y, tiers)
    ax.set_xlim(-0.55, 2.3)
    ax.set_xticks([])
    ax.set(title=title)
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    return ax


def plot_offer_timing(months, values, best_month: float, fixed_value: float | None = None, ax=None,
                      title: str = "When to send the new-material offer"):
    """Expected incremental margin per customer of an offer sent m months after the club
    purchase; the best month marked, and the best single mailing date for comparison."""
    ax = _ax(ax, (7, 4))
    ax.plot(months, values, label="offer timed after each purchase")
    ax.axvline(best_month, ls="--", color="grey")
    ax.annotate(f"best: month {best_month:.1f}", (best_month, np.max(values)), xytext=(5, -12),
                textcoords="offset points", fontsize=9)
    if fixed_value is not None:
        ax.axhline(fixed_value, color="#d95f02", ls=":", label="one mailing date for everyone")
    ax.axhline(0, color="black", lw=0.6)
    ax.set(xlabel="months after the club purchase", ylabel="expected margin per customer",
           title=title)
    ax.legend(fontsize=8, loc="lower center")
    return ax


def plot_accessory_timing(table: pd.DataFrame, ax=None):
    """Accessories bought per customer in each month after the club purchase."""
    ax = _ax(ax, (6, 3.5))
    ax.bar(table["month"], table["per_customer"], color="#2a7ae2")
    ax.set(xlabel="month after the club purchase (0 = first month)",
           ylabel="accessories per customer", title="Accessory purchases after a club")
    return ax


from ..glossary import localize_module  # noqa: E402 - labels in the notebook's language

localize_module(globals())
