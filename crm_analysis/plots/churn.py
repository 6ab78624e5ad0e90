"""Plots for churn and retention: cohort heat map and curves, Kaplan–Meier curves with
bands and numbers at risk, hazard-ratio forest plot, scaled Schoenfeld residuals, a
parametric fit against Kaplan–Meier, and the net value of retention-targeting policies.

Each function takes results from :mod:`crm_analysis.churn` and ``ax=None`` and returns
the Axes.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd


def _ax(ax, size=(6, 4)):
    return ax if ax is not None else plt.subplots(figsize=size)[1]


def plot_cohort_heatmap(matrix: pd.DataFrame, ax=None, title: str = "Retention by acquisition cohort",
                        fmt: str = "{:.0%}", annotate_upto: int = 12):
    """Heat map of a cohort × month matrix (NaN cells, not yet observed, left blank)."""
    ax = _ax(ax, (9, 0.35 * len(matrix) + 1.5))
    data = matrix.to_numpy(dtype=float)
    shown = data.copy()
    shown[:, 0] = np.nan  # month 0 is 100 % by definition; hide it from the colour scale
    im = ax.imshow(shown, aspect="auto", cmap="viridis")
    ax.set_yticks(range(len(matrix)), [str(c) for c in matrix.index])
    ax.set_xticks(range(matrix.shape[1]), [str(c) for c in matrix.columns])
    if matrix.shape[1] <= annotate_upto + 1:
        for i in range(data.shape[0]):
            for j in range(1, data.shape[1]):
                if np.isfinite(data[i, j]):
                    ax.text(j, i, fmt.format(data[i, j]), ha="center", va="center", fontsize=7,
                            color="white" if data[i, j] < np.nanmean(shown) else "black")
    ax.set(xlabel="months since first purchase", ylabel="cohort (month of first purchase)", title=title)
    plt.colorbar(im, ax=ax, fraction=0.03)
    return ax


def plot_cohort_curves(matrix: pd.DataFrame, ax=None, ylabel: str = "share of cohort active"):
    """One retention curve per cohort (months 1 onwards)."""
    ax = _ax(ax)
    colors = plt.cm.viridis(np.linspace(0, 1, len(matrix)))
    for color, (cohort, row) in zip(colors, matrix.iterrows()):
        row = row.iloc[1:].dropna()
        ax.plot(row.index, row.to_numpy(), color=color, lw=1, label=str(cohort))
    ax.set(xlabel="months since first purchase", ylabel=ylabel, title="Cohort curves")
    if len(matrix) <= 14:
        ax.legend(fontsize=7, ncol=2)
    return ax


def plot_kaplan_meier(kms: dict, at_risk: pd.DataFrame | None = None, ax=None,
                      xlabel: str = "tenure (months)", title: str = "Kaplan–Meier survival"):
    """Step curves with shaded pointwise bands, one per group; with ``at_risk`` (from
    :func:`crm_analysis.churn.numbers_at_risk`) the numbers at risk are printed below."""
    ax = _ax(ax, (8, 5))
    for name, km in kms.items():
        line, = ax.step(km["time"], km["survival"], where="post", label=name)
        ax.fill_between(km["time"], km["ci_low"], km["ci_high"], step="post", alpha=0.2,
                        color=line.get_color())
    ax.set(xlabel=xlabel, ylabel="share still a customer", title=title, ylim=(0, 1.02))
    ax.legend(loc="lower left")
    if at_risk is not None:
        times = [float(t) for t in at_risk.columns]
        ax.set_xticks(times)
        for i, (name, row) in enumerate(at_risk.iterrows()):
            y = -0.22 - 0.07 * i
            ax.text(-0.02, y, str(name), transform=ax.transAxes, ha="right", va="center", fontsize=8)
            for t, n in zip(times, row):
                ax.text(t, y, f"{n:,}", transform=ax.get_xaxis_transform(), ha="center",
                        va="center", fontsize=8)
        ax.text(-0.02, -0.15, "at risk", transform=ax.transAxes, ha="right", fontsize=8,
                style="italic")
    return ax


def plot_hazard_ratios(table: pd.DataFrame, ax=None, title: str = "Hazard ratios (95 % CI)"):
    """Forest plot of hazard ratios with intervals on a log axis; 1 = no effect."""
    ax = _ax(ax, (7, 0.4 * len(table) + 1.5))
    y = np.arange(len(table))[::-1]
    ax.errorbar(table["estimate"], y, xerr=[table["estimate"] - table["ci_low"],
                                            table["ci_high"] - table["estimate"]],
                fmt="o", color="#2a7ae2", capsize=3)
    ax.axvline(1.0, color="grey", ls="--")
    ax.set_xscale("log")
    ax.set_yticks(y, table.index)
    ax.set(xlabel="hazard ratio (log scale)", title=title)
    return ax


def plot_schoenfeld(resid: pd.DataFrame, column: str, ax=None, bins: int = 10):
    """Scaled Schoenfeld residuals of ``column`` against tenure with binned means: a flat
    trend means the log hazard ratio is constant (proportional hazards)."""
    ax = _ax(ax)
    ax.scatter(resid["time"], resid[column], s=4, alpha=0.25, color="grey")
    cut = pd.qcut(resid["time"].rank(method="first"), bins, labels=False)
    means = resid.groupby(cut).agg(time=("time", "mean"), beta=(column, "mean"))
    ax.plot(means["time"], means["beta"], marker="o", color="#d62728", label="binned mean β(t)")
    ax.axhline(float(resid[column].mean()), color="black", ls="--", lw=1, label="constant β")
    lo, hi = np.nanpercentile(resid[column], [5, 95])
    pad = 0.5 * (hi - lo)
    lo, hi = min(lo - pad, means["beta"].min()), max(hi + pad, means["beta"].max())
    ax.set(ylim=(lo, hi), xlabel="tenure at churn", ylabel=f"β(t) for {column}",
           title=f"Scaled Schoenfeld residuals: {column}")
    ax.legend(fontsize=8)
    return ax


def plot_model_vs_km(kms: dict, model_curves: pd.DataFrame, ax=None, xlabel: str = "tenure (months)",
                     data_end: float | None = None):
    """Kaplan–Meier steps against a parametric model's curves (``model_curves``: one row
    per group, columns = times), including the extrapolation past ``data_end``."""
    ax = _ax(ax, (8, 5))
    for name, km in kms.items():
        line, = ax.step(km["time"], km["survival"], where="post", label=f"{name} (Kaplan–Meier)")
        if name in model_curves.index:
            ax.plot(model_curves.columns, model_curves.loc[name], ls="--", color=line.get_color(),
                    label=f"{name} (model)")
    if data_end is not None:
        ax.axvline(data_end, color="grey", ls=":", lw=1)
        ax.text(data_end, 0.02, " end of data → extrapolation", fontsize=8, color="grey")
    ax.set(xlabel=xlabel, ylabel="share still a customer", ylim=(0, 1.02),
           title="Parametric model vs Kaplan–Meier")
    ax.legend(fontsize=7)
    return ax


def plot_net_value_curve(curve: pd.DataFrame, ax=None, column: str = "net_value",
                         title: str = "Net value of the retention offer"):
    """Net value (currency) against the share of customers offered, one line per policy."""
    ax = _ax(ax)
    for policy, part in curve.groupby("policy", sort=False):
        ax.plot(part["share"], part[column], marker=".", label=policy)
    ax.axhline(0, color="grey", lw=1)
    ax.set(xlabel="share of customers offered", ylabel="net value (currency)", title=title)
    ax.legend(fontsize=8)
    return ax


from ..glossary import localize_module  # noqa: E402 - labels in the notebook's language

localize_module(globals())
