"""Plots for notebook 01 (CRM vs mass marketing). Each takes computed tables, returns Axes."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns


def _ax(ax):
    return ax if ax is not None else plt.subplots(figsize=(7, 4))[1]


def plot_product_sales(products: pd.DataFrame, ax=None):
    """Bar chart of revenue by product (from ``kpis.product_kpis``)."""
    ax = _ax(ax)
    sns.barplot(x=products["revenue"], y=products.index, ax=ax, color="#4c72b0")
    ax.set(xlabel="revenue (currency)", ylabel="", title="Product view: revenue by product")
    return ax


def plot_share_of_wallet(sow: pd.DataFrame, ax=None):
    """Histogram of share of wallet over buying customers (from ``kpis.share_of_wallet``)."""
    ax = _ax(ax)
    buyers = sow[sow["our_spend"] > 0]
    sns.histplot(buyers["share_of_wallet"], bins=30, ax=ax, color="#55a868")
    ax.axvline(buyers["share_of_wallet"].mean(), color="k", ls="--", label="mean")
    ax.set(xlabel="share of wallet (our spend ÷ category spend)", ylabel="customers",
           title="Customer view: share of wallet", xlim=(0, 1))
    ax.legend()
    return ax


def plot_revenue_lorenz(curve: pd.DataFrame, gini: float, ax=None):
    """Lorenz curve (from ``concentration.revenue_lorenz_curve``; ``gini`` from ``revenue_gini``) with the line of equality."""
    ax = _ax(ax)
    ax.plot(curve["customer_share"], curve["revenue_share"], label=f"customers (Gini {gini:.2f})")
    ax.plot([0, 1], [0, 1], color="grey", ls=":", label="equal revenue per customer")
    ax.fill_between(curve["customer_share"], curve["revenue_share"], curve["customer_share"],
                    alpha=0.15)
    ax.set(xlabel="share of customers (smallest first)", ylabel="share of revenue",
           title="Revenue concentration (Lorenz curve)", xlim=(0, 1), ylim=(0, 1))
    ax.legend(loc="upper left")
    return ax


def plot_cohort_activity(activity: pd.DataFrame, ax=None):
    """Heat map of the share of each cohort active by periods since acquisition."""
    ax = _ax(ax)
    sns.heatmap(activity, annot=True, fmt=".0%", cmap="Blues", vmin=0, vmax=1, cbar=False, ax=ax)
    ax.set(xlabel="periods since acquisition", ylabel="acquisition cohort",
           title="Retention by acquisition cohort")
    return ax


def plot_campaigns(comparison: pd.DataFrame, ax=None):
    """Profit and ROI of each campaign (from ``campaign_roi.mass_vs_targeted``)."""
    ax = _ax(ax)
    bars = ax.bar(comparison.index, comparison["profit"],
                  color=["#c44e52"] + ["#4c72b0"] * (len(comparison) - 1))
    for bar, roi in zip(bars, comparison["roi"]):
        ax.annotate(f"ROI {roi:.0%}", (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                    ha="center", va="bottom")
    ax.axhline(0, color="k", lw=0.8)
    ax.set(ylabel="expected profit (currency)", title="Carpet bombing vs missile")
    ax.tick_params(axis="x", rotation=10)
    return ax


def plot_industry_fit(fit: pd.DataFrame, ax=None):
    """Heat map of each industry's score per axis and its CRM-fit score (from
    ``industries.crm_fit``, 1–5 scale), best fit on top."""
    ax = _ax(ax)
    sns.heatmap(fit, annot=True, fmt=".1f", cmap="YlGn", vmin=1, vmax=5, cbar=False, ax=ax)
    ax.set(xlabel="", ylabel="", title="Which industries suit CRM (1 low – 5 high)")
    ax.tick_params(axis="x", rotation=0)
    return ax


from ..glossary import localize_module  # noqa: E402 - labels in the notebook's language

localize_module(globals())
