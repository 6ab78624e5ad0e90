"""Plots of the customer data audit (notebook 02): quality heat map, linkage trade-off,
member waterfall, readiness checklist. Each takes results and ``ax=None`` and returns the Axes."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd


def _ax(ax, size):
    if ax is None:
        _, ax = plt.subplots(figsize=size)
    return ax


def plot_quality_heatmap(table: pd.DataFrame, ax=None):
    """Heat map of quality scores (0–1): ``table.column`` rows × dimension columns."""
    ax = _ax(ax, (7, 0.32 * len(table) + 1.2))
    values = table.to_numpy(dtype=float)
    image = ax.imshow(np.ma.masked_invalid(values), cmap="RdYlGn", vmin=0.6, vmax=1, aspect="auto")
    for (i, j), v in np.ndenumerate(values):
        if not np.isnan(v):
            ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=8, color="black" if v > 0.7 else "white")
    ax.set_xticks(range(values.shape[1]), table.columns)
    ax.set_yticks(range(values.shape[0]), table.index)
    ax.figure.colorbar(image, ax=ax, label="share of checked rows passing")
    ax.set_title("Data quality scorecard (blank: rule does not apply)")
    return ax


def plot_tradeoff(curve: pd.DataFrame, threshold: float, measured: pd.DataFrame | None = None, ax=None):
    """Expected precision and recall against the match-probability threshold; ``measured``
    (columns ``threshold``, ``precision``, ``recall``) adds the values measured on the truth."""
    ax = _ax(ax, (6.5, 4))
    curve = curve.assign(threshold=curve["threshold"].clip(1e-6, 1 - 1e-6))
    if measured is not None:
        measured = measured.assign(threshold=measured["threshold"].clip(1e-6, 1 - 1e-6))
    ax.plot(curve["threshold"], curve["expected_precision"], color="C0", label="expected precision")
    ax.plot(curve["threshold"], curve["expected_recall"], color="C1", label="expected recall")
    if measured is not None:
        ax.plot(measured["threshold"], measured["precision"], color="C0", ls="--", label="measured precision")
        ax.plot(measured["threshold"], measured["recall"], color="C1", ls="--", label="measured recall")
    ax.axvline(np.clip(threshold, 1e-6, 1 - 1e-6), color="grey", lw=1, ls=":", label=f"chosen threshold {threshold:.2f}")
    ax.set_xscale("logit")
    ax.set_xlim(1e-5, 1 - 1e-5)
    ticks = [1e-4, 1e-2, 0.5, 0.99, 0.9999]
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.minorticks_off()
    ax.set_xlabel("match-probability threshold (logit scale)")
    ax.set_ylabel("share")
    shown = [curve["expected_precision"], curve["expected_recall"]]
    if measured is not None:
        shown += [measured["precision"], measured["recall"]]
    low = float(min(s.min() for s in shown))
    ax.set_ylim(max(0.0, min(0.9, low) - 0.05), 1.01)
    ax.legend(loc="lower left", fontsize=8)
    ax.set_title("Precision/recall trade-off of the duplicate links")
    return ax


def plot_waterfall(steps: pd.DataFrame, truth: pd.Series | None = None, ax=None):
    """Member waterfall: registered members, the members each step removes, the meaningful rest.

    ``truth``: true members per step (indexed by ``step``), drawn as black ticks."""
    ax = _ax(ax, (9, 4.5))
    n = len(steps)
    members = steps["members"].to_numpy(dtype=float)
    remaining = steps["remaining"].to_numpy(dtype=float)
    bottom = np.where(np.arange(n) == 0, 0, np.where(np.arange(n) == n - 1, 0, remaining))
    colors = ["#4c72b0"] + ["#c44e52"] * (n - 2) + ["#55a868"]
    x = np.arange(n)
    ax.bar(x, members, bottom=bottom, color=colors, width=0.65)
    for i in range(n):
        ax.text(x[i], bottom[i] + members[i], f"{int(members[i]):,}", ha="center", va="bottom", fontsize=8)
    if truth is not None:
        t = truth.reindex(steps["step"]).to_numpy(dtype=float)
        ok = ~np.isnan(t)
        true_bottom = np.where(np.arange(n) == n - 1, 0, bottom)
        ax.scatter(x[ok], (true_bottom + t)[ok], marker="_", s=600, color="black", zorder=3, label="true top of bar")
        ax.legend(loc="upper right", fontsize=8)
    ax.set_xticks(x, steps["label"].str.replace(" (", "\n(", regex=False), rotation=30, ha="right", fontsize=8)
    ax.set_ylabel("customer records")
    ax.set_title("Member waterfall: from registered members to meaningful current customers")
    return ax


def plot_readiness(table: pd.DataFrame, ax=None):
    """Horizontal bars of the readiness checklist scores (0–5); data-derived items hatched."""
    ax = _ax(ax, (7, 3.8))
    y = np.arange(len(table))[::-1]
    data = table["basis"].str.startswith("self").eq(False).to_numpy()
    colors = np.where(table["score"] < 2.5, "#c44e52", np.where(table["score"] < 3.5, "#dd8452", "#55a868"))
    bars = ax.barh(y, table["score"], color=colors)
    for bar, is_data in zip(bars, data):
        if is_data:
            bar.set_hatch("//")
    ax.set_yticks(y, table["obstacle"], fontsize=8)
    ax.set_xlim(0, 5)
    ax.set_xlabel("score (5 = no problem; hatched: derived from the data)")
    ax.set_title("CRM readiness checklist")
    return ax


from ..glossary import localize_module  # noqa: E402 - labels in the notebook's language

localize_module(globals())
