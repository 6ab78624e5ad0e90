"""Plots for web usage mining: timeout effect, funnel, transitions, path flows (Sankey),
time on page, session depth, web vs purchase behaviour, behaviour segments.

Each function takes a table from :mod:`crm_analysis.weblog` and ``ax=None`` and returns
the matplotlib Axes.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path as MplPath


def _ax(ax, size=(6, 4)):
    return ax if ax is not None else plt.subplots(figsize=size)[1]


def plot_timeout_effect(table: pd.DataFrame, ax=None, chosen: float | None = None):
    """Sessions found per inactivity timeout (minutes, log axis); with recovery columns, the
    share of true sessions reconstructed exactly on a second axis."""
    ax = _ax(ax)
    ax.plot(table["timeout_minutes"], table["sessions"], marker="o", color="#2a7ae2", label="sessions found")
    ax.set(xscale="log", xlabel="inactivity timeout (minutes)", ylabel="sessions", title="Effect of the session timeout")
    ax.set_xticks(table["timeout_minutes"], [f"{t:g}" for t in table["timeout_minutes"]])
    if chosen is not None:
        ax.axvline(chosen, ls="--", color="grey")
    if "exact_share" in table:
        ax2 = ax.twinx()
        ax2.plot(table["timeout_minutes"], table["exact_share"], marker="s", color="#e2562a", label="true sessions recovered exactly")
        ax2.set(ylabel="share recovered exactly", ylim=(min(0.5, table["exact_share"].min() - 0.05), 1.02))
        lines = ax.get_legend_handles_labels()[0] + ax2.get_legend_handles_labels()[0]
        ax.legend(lines, [ln.get_label() for ln in lines], loc="lower center")
    return ax


def plot_funnel(table: pd.DataFrame, ax=None, truth: pd.Series | None = None):
    """Sessions reaching each step (bars) with the step conversion and its interval as text;
    ``truth`` (true conversion per step) is written beside it when given."""
    ax = _ax(ax, (7, 3.5))
    steps = list(table.index)[::-1]
    n = table["sessions"].reindex(steps)
    ax.barh(steps, n, color="#2a7ae2")
    for i, step in enumerate(steps):
        row = table.loc[step]
        text = f"{row['conversion']:.1%} ({row['ci_low']:.1%}–{row['ci_high']:.1%})"
        if truth is not None and step in truth and pd.notna(truth[step]):
            text += f"; true {truth[step]:.0%}"
        ax.text(n[step], i, "  " + text, va="center", fontsize=9)
    ax.set(xlabel="sessions reaching the step", title="Funnel: sessions and conversion from the previous step")
    ax.set_xlim(0, n.max() * 1.7)
    return ax


def plot_transition_matrix(matrix: pd.DataFrame, ax=None):
    """Heat map of next-page probabilities (rows: from, columns: to)."""
    ax = _ax(ax, (6.5, 4.5))
    im = ax.imshow(matrix.to_numpy(), cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(matrix.shape[1]), matrix.columns, rotation=45, ha="right")
    ax.set_yticks(range(matrix.shape[0]), matrix.index)
    for i in range(matrix.shape[0]):
        for j in range(matrix.shape[1]):
            v = matrix.iat[i, j]
            if v > 0:
                ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=8, color="white" if v > 0.6 else "black")
    ax.set(xlabel="next page", ylabel="current page", title="Next-page probabilities (Markov chain)")
    plt.colorbar(im, ax=ax, fraction=0.046)
    return ax


def plot_path_flows(flows: pd.DataFrame, ax=None, min_share: float = 0.005):
    """Sankey-style chart of sessions moving between page types from step to step.

    Nodes are page types at each step (height = sessions); bands are flows with at least
    ``min_share`` of the first step's sessions.
    """
    ax = _ax(ax, (10, 5))
    steps = sorted(set(flows["step"]) | set(flows["step"] + 1))
    total = flows.loc[flows["step"] == steps[0], "sessions"].sum()
    names = sorted(set(flows["from"]) | set(flows["to"]))
    colors = dict(zip(names, plt.get_cmap("tab10").colors))
    gap = 0.02 * total
    # node sizes per column: inflow for later steps, outflow for the first
    size = {}
    for s in steps:
        out = flows[flows["step"] == s].groupby("from")["sessions"].sum()
        inn = flows[flows["step"] == s - 1].groupby("to")["sessions"].sum()
        size[s] = out.combine(inn, max, fill_value=0) if len(inn) else out
    top = {}
    for s in steps:
        y = 0.0
        for name in [n for n in names if n in size[s].index]:
            top[(s, name)] = y
            ax.add_patch(Rectangle((s - 0.03, y), 0.06, size[s][name], color=colors[name]))
            if size[s][name] > 0.03 * total:
                ax.text(s + 0.05, y + size[s][name] / 2, f"{name} {size[s][name]:,}", va="center", fontsize=8)
            y += size[s][name] + gap
    out_y = {k: v for k, v in top.items()}
    in_y = {k: v for k, v in top.items()}
    for _, f in flows.sort_values(["step", "from", "to"]).iterrows():
        h = f["sessions"]
        a, b = (f["step"], f["from"]), (f["step"] + 1, f["to"])
        y0, y1 = out_y[a], in_y[b]
        out_y[a] += h
        in_y[b] += h
        if h < min_share * total:
            continue
        x0, x1 = f["step"] + 0.03, f["step"] + 0.97
        xm = (x0 + x1) / 2
        verts = [(x0, y0), (xm, y0), (xm, y1), (x1, y1), (x1, y1 + h), (xm, y1 + h), (xm, y0 + h), (x0, y0 + h), (x0, y0)]
        codes = [MplPath.MOVETO, MplPath.CURVE4, MplPath.CURVE4, MplPath.CURVE4, MplPath.LINETO,
                 MplPath.CURVE4, MplPath.CURVE4, MplPath.CURVE4, MplPath.CLOSEPOLY]
        ax.add_patch(PathPatch(MplPath(verts, codes), facecolor=colors[f["from"]], alpha=0.35, lw=0))
    ax.set_xlim(steps[0] - 0.2, steps[-1] + 0.6)
    ax.set_ylim(max(in_y.values()) + gap, -gap)
    ax.set_xticks(steps, [f"page {s}" for s in steps])
    ax.set_yticks([])
    ax.set_title("Navigation paths: sessions from page to page ((exit) = session ends)")
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    return ax


def plot_time_on_page(table: pd.DataFrame, ax=None):
    """Distribution of seconds on each page type (box plot, log axis)."""
    ax = _ax(ax)
    order = table.groupby("page_type")["seconds"].median().sort_values().index
    data = [table.loc[table["page_type"] == t, "seconds"].clip(lower=1).to_numpy() for t in order]
    ax.boxplot(data, tick_labels=list(order), showfliers=False)
    ax.set(yscale="log", ylabel="seconds until the next page", title="Time on page")
    return ax


def plot_session_depth(depth: pd.Series, ax=None):
    """Sessions by number of page views."""
    ax = _ax(ax)
    ax.bar(depth.index.astype(int), depth.to_numpy(), color="#2a7ae2")
    ax.set(xlabel="page views in the session", ylabel="sessions", title="Session depth")
    return ax


def plot_web_vs_purchases(table: pd.DataFrame, ax=None, seed: int = 0):
    """Identified customers: web sessions against orders (jittered), coloured by group."""
    ax = _ax(ax)
    rng = np.random.default_rng(seed)
    for group, g in table.groupby("group"):
        ax.scatter(g["sessions"] + rng.uniform(-0.2, 0.2, len(g)), g["orders"] + rng.uniform(-0.2, 0.2, len(g)),
                   s=14, alpha=0.7, label=group)
    ax.axvline(table["sessions"].median() + 0.5, ls="--", color="grey")
    ax.axhline(table["orders"].median() + 0.5, ls="--", color="grey")
    ax.set(xlabel="web sessions", ylabel="orders (transactions)", title="Web behaviour beside purchases")
    ax.legend(fontsize=8)
    return ax


def plot_segments(profile: pd.DataFrame, features: pd.DataFrame, ax=None):
    """Heat map of each segment's feature means in standard deviations from the overall mean."""
    ax = _ax(ax, (6.5, 3))
    cols = list(features.columns)
    z = (profile[cols] - features.mean()) / features.std(ddof=0).replace(0, np.nan)
    im = ax.imshow(z.to_numpy(dtype=float), cmap="RdBu_r", vmin=-2.5, vmax=2.5, aspect="auto")
    ax.set_xticks(range(len(cols)), cols, rotation=30, ha="right")
    ax.set_yticks(range(len(z)), [f"segment {i} ({s:.0%})" for i, s in zip(z.index, profile["share"])])
    for i in range(z.shape[0]):
        for j in range(z.shape[1]):
            ax.text(j, i, f"{profile[cols].iat[i, j]:.2g}", ha="center", va="center", fontsize=8,
                    color="white" if abs(z.iat[i, j]) > 1.5 else "black")
    ax.set_title("Behaviour segments: feature means (colour: sd from average)")
    plt.colorbar(im, ax=ax, fraction=0.046)
    return ax


from ..glossary import localize_module  # noqa: E402 - labels in the notebook's language

localize_module(globals())
