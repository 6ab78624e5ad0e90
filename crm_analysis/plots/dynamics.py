"""Plots for dynamic customer management: state shares over time, migration heat maps and
flows, holdout check, contact-policy values, projections, the revitalisation list.

Each function takes a table from :mod:`crm_analysis.dynamics` and ``ax=None`` and returns
the matplotlib Axes.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns


def _ax(ax, size=(7, 4)):
    return ax if ax is not None else plt.subplots(figsize=size)[1]


def _colors(n: int):
    return sns.color_palette("viridis", n)


def plot_state_shares(shares: pd.DataFrame, ax=None, title: str = "Customers by state at each period end"):
    """Stacked bars: share of existing customers in each state (columns) per period end (rows)."""
    ax = _ax(ax)
    share = shares.div(shares.sum(axis=1), axis=0)
    bottom = np.zeros(len(share))
    labels = [str(i) for i in share.index]
    for color, state in zip(_colors(share.shape[1]), share.columns):
        ax.bar(labels, share[state], bottom=bottom, color=color, label=str(state))
        bottom += share[state].to_numpy()
    ax.set(ylabel="share of customers", xlabel="period end", title=title, ylim=(0, 1))
    ax.legend(title=shares.columns.name, bbox_to_anchor=(1.01, 1), loc="upper left", fontsize=8)
    ax.tick_params(axis="x", rotation=30)
    return ax


def plot_transition_heatmap(matrix: pd.DataFrame, ax=None, title: str = "Transition probabilities",
                            fmt: str = ".2f"):
    """Heat map of a from × to matrix of probabilities (rows sum to 1)."""
    ax = _ax(ax, (5.5, 4.5))
    sns.heatmap(matrix.astype(float), annot=True, fmt=fmt, cmap="Blues", vmin=0, vmax=1, cbar=False,
                linewidths=0.5, ax=ax)
    ax.set(xlabel="state at the next period end", ylabel="state at this period end", title=title)
    return ax


def plot_migration_flow(counts: pd.DataFrame, ax=None, title: str = "Migration between two period ends",
                        gap: float = 0.04):
    """Alluvial (Sankey-style) chart of one from × to count table: bars of the states at the
    two period ends, bands as wide as the number of customers who moved."""
    ax = _ax(ax, (7, 5))
    c = counts.to_numpy(dtype=float)
    total = c.sum()
    if total <= 0:
        raise ValueError("plot_migration_flow: the count table is empty")
    frm, to = list(counts.index), list(counts.columns)
    states = list(dict.fromkeys([*map(str, frm), *map(str, to)]))
    palette = dict(zip(states, _colors(len(states))))
    n_gap = gap * total

    def stacks(sizes):
        tops, y = [], 0.0
        for s in sizes:
            tops.append(y)
            y += s + n_gap
        return np.array(tops)

    left, right = stacks(c.sum(axis=1)), stacks(c.sum(axis=0))
    lo, ro = left.copy(), right.copy()
    x = np.linspace(0, 1, 50)
    smooth = 3 * x ** 2 - 2 * x ** 3
    for i, f in enumerate(frm):
        for j in range(len(to)):
            w = c[i, j]
            if w <= 0:
                continue
            y0, y1 = lo[i], ro[j]
            bottom = y0 + (y1 - y0) * smooth
            ax.fill_between(0.1 + 0.8 * x, bottom, bottom + w, color=palette[str(f)], alpha=0.45, lw=0)
            lo[i] += w
            ro[j] += w
    for xs, tops, sizes, names in ((0.0, left, c.sum(axis=1), frm), (0.9, right, c.sum(axis=0), to)):
        for top, size, name in zip(tops, sizes, names):
            if size <= 0:
                continue
            ax.bar(xs + 0.05, size, width=0.1, bottom=top, color=palette[str(name)], align="center")
            ax.text(xs + 0.05 + (-0.07 if xs == 0 else 0.07), top + size / 2, f"{name} {size:,.0f}",
                    ha="right" if xs == 0 else "left", va="center", fontsize=8)
    ax.set_xlim(-0.3, 1.3)
    ax.invert_yaxis()
    ax.axis("off")
    ax.set_title(title)
    return ax


def plot_holdout(table: pd.DataFrame, ax=None, title: str = "Predicted vs actual migration"):
    """Estimated probability (from earlier periods) against the share seen in the test
    period, with the prediction interval, for moves that are possible."""
    ax = _ax(ax, (5, 5))
    t = table[(table["estimate"] > 0) & table["actual_share"].notna()]
    ax.errorbar(t["estimate"], t["actual_share"],
                xerr=[t["estimate"] - t["pi_low"], t["pi_high"] - t["estimate"]],
                fmt="o", ms=4, capsize=2, color="#2a7ae2")
    for (f, to), row in t.iterrows():
        ax.annotate(f"{f}→{to}", (row["estimate"], row["actual_share"]), fontsize=7,
                    xytext=(3, -8), textcoords="offset points")
    ax.plot([0, 1], [0, 1], ls="--", color="grey")
    ax.set(xlabel="predicted probability (earlier periods)", ylabel="share in the test period",
           title=title, xlim=(0, 1), ylim=(0, 1))
    return ax


def plot_policy_values(values: pd.DataFrame, ax=None, title: str = "Value per recency state by contact policy"):
    """Grouped bars: value per state (rows) under each policy (columns), currency."""
    ax = _ax(ax)
    values.plot.bar(ax=ax, rot=0, width=0.8, color=_colors(values.shape[1]))
    ax.axhline(0, color="black", lw=0.8)
    ax.set(xlabel="recency state (1 = bought this period)", ylabel="value per customer (currency)", title=title)
    ax.legend(fontsize=8)
    return ax


def plot_projection(projection: pd.DataFrame, states, ax=None, title: str = "Projected segment sizes"):
    """Segment sizes of the current customers over the projection horizon."""
    ax = _ax(ax)
    sizes = projection[list(states)]
    for color, state in zip(_colors(len(sizes.columns)), sizes.columns):
        ax.plot(sizes.index, sizes[state], marker="o", color=color, label=str(state))
    ax.set(xlabel="periods ahead", ylabel="customers", title=title)
    ax.legend(fontsize=8, bbox_to_anchor=(1.01, 1), loc="upper left")
    return ax


def plot_revitalisation(table: pd.DataFrame, top_n: int = 15, ax=None,
                        title: str = "Revitalisation candidates: expected value before and now"):
    """Horizontal bars of the ``top_n`` customers with the most value at stake: expected
    value a period ago against now (currency)."""
    ax = _ax(ax, (7, 0.35 * top_n + 1.2))
    t = table.head(top_n).iloc[::-1]
    y = np.arange(len(t))
    ax.barh(y + 0.2, t["value_before"], height=0.4, color="#9ecae1", label="a period ago")
    ax.barh(y - 0.2, t["value_now"], height=0.4, color="#2a7ae2", label="now")
    ax.set_yticks(y, [f"{i}  ({r})" for i, r in zip(t.index, t["reasons"])], fontsize=7)
    ax.set(xlabel="expected value over the horizon (currency)", title=title)
    ax.legend(fontsize=8)
    return ax


from ..glossary import localize_module  # noqa: E402 - labels in the notebook's language

localize_module(globals())
