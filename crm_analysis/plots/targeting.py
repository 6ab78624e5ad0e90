"""Plots for target-customer selection: gains, lift, calibration, profit, Qini/uplift, cube.

Each function takes a table from :mod:`crm_analysis.targeting` and ``ax=None`` and returns
the matplotlib Axes.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd


def _ax(ax):
    return ax if ax is not None else plt.subplots(figsize=(6, 4))[1]


def plot_gains(table: pd.DataFrame, ax=None, label: str = "model"):
    """Cumulative gains (share of responders found) against share of customers contacted."""
    ax = _ax(ax)
    x = [0.0, *table["cum_share"]]
    ax.plot(x, [0.0, *table["gain"]], marker="o", label=label)
    ax.plot([0, 1], [0, 1], ls="--", color="grey", label="random")
    ax.set(xlabel="share of customers contacted", ylabel="share of responders reached",
           title="Cumulative gains")
    ax.legend()
    return ax


def plot_gains_lift(table: pd.DataFrame, ax=None):
    """Lift per score group (group response rate ÷ overall rate); 1 = no better than random."""
    ax = _ax(ax)
    ax.bar(table.index.astype(str), table["lift"], color="#2a7ae2")
    ax.axhline(1.0, ls="--", color="grey")
    ax.set(xlabel="score group (1 = highest scores)", ylabel="lift", title="Lift by decile")
    return ax


def plot_calibration(table: pd.DataFrame, ax=None, label: str = "model"):
    """Observed response rate against mean predicted probability per bin."""
    ax = _ax(ax)
    ax.plot(table["mean_predicted"], table["observed_rate"], marker="o", label=label)
    top = max(table["mean_predicted"].max(), table["observed_rate"].max())
    ax.plot([0, top], [0, top], ls="--", color="grey", label="perfect calibration")
    ax.set(xlabel="mean predicted probability", ylabel="observed response rate",
           title="Calibration")
    ax.legend()
    return ax


def plot_profit_curve(curve: pd.DataFrame, ax=None, label: str = "model",
                      currency: str = "currency"):
    """Profit against share contacted, with the optimum and mass contact ("carpet bombing")."""
    ax = _ax(ax)
    ax.plot(curve["share"], curve["profit"], label=label)
    best = curve.loc[curve["profit"].idxmax()]
    ax.scatter([best["share"]], [best["profit"]], color="C3", zorder=3,
               label=f"optimum: {best['share']:.0%} contacted")
    ax.scatter([1.0], [curve["profit"].iloc[-1]], color="black", marker="s", zorder=3,
               label="contact everyone")
    ax.axhline(0, color="grey", lw=0.8)
    ax.set(xlabel="share of customers contacted (by score)", ylabel=f"profit ({currency})",
           title="Profit curve")
    ax.legend()
    return ax


def plot_uplift_curve(curves: pd.DataFrame, kind: str = "qini", ax=None,
                      label: str = "model", random_line: bool = True):
    """Qini (``kind="qini"``) or uplift curve in incremental responders, with random targeting."""
    ax = _ax(ax)
    line = ax.plot(curves["share"], curves[kind], label=label)[0]
    if random_line:
        ax.plot(curves["share"], curves[f"random_{kind}"], ls="--", color=line.get_color(),
                alpha=0.6, label=f"{label}: random")
    ax.set(xlabel="share of customers targeted (by predicted uplift)",
           ylabel="incremental responders", title=f"{kind.capitalize()} curve")
    ax.legend()
    return ax


def plot_cube(summary: pd.DataFrame, ax=None):
    """Customers per power × loyalty × response cell, ordered by priority."""
    ax = _ax(ax)
    labels = [f"{r.priority}: P-{r.power[0].upper()} L-{r.loyalty[0].upper()} "
              f"R-{r.response[0].upper()}" for r in summary.itertuples()]
    ax.barh(labels[::-1], summary["customers"].to_numpy()[::-1], color="#2a7ae2")
    ax.set(xlabel="customers", title="Target cube: priority, power / loyalty / response (H/L)")
    return ax


def plot_counts(counts: pd.Series, ax=None, title: str = "", xlabel: str = "customers"):
    """Horizontal bars of a count per category (e.g. customers per RFM segment)."""
    ax = _ax(ax)
    ax.barh(counts.index.astype(str)[::-1], counts.to_numpy()[::-1], color="#2a7ae2")
    ax.set(xlabel=xlabel, title=title)
    return ax


def plot_estimate_vs_truth(truth, estimate, ax=None, xlabel: str = "true uplift",
                           ylabel: str = "estimated uplift"):
    """Scatter of an estimate against the known truth (synthetic data), with the diagonal."""
    ax = _ax(ax)
    ax.scatter(truth, estimate, s=3, alpha=0.3)
    lo = min(min(truth), min(estimate))
    hi = max(max(truth), max(estimate))
    ax.plot([lo, hi], [lo, hi], ls="--", color="grey")
    ax.set(xlabel=xlabel, ylabel=ylabel, title="Estimate against truth")
    return ax


from ..glossary import localize_module  # noqa: E402 - labels in the notebook's language

localize_module(globals())
