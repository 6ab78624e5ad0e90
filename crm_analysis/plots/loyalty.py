"""Plots for the loyalty-program notebook: survey intervals, overlap, balance, trends,
estimates against the truth, and ROI over the reward rate."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd


def _axes(ax):
    return plt.subplots(figsize=(7, 4))[1] if ax is None else ax


def plot_survey_intervals(table: pd.DataFrame, ax=None, title: str = ""):
    """Shares with Wilson intervals (``survey.wilson_intervals`` output), one row per group."""
    ax = _axes(ax)
    y = np.arange(len(table))
    ax.errorbar(table["share"], y, xerr=[table["share"] - table["ci_low"],
                                         table["ci_high"] - table["share"]],
                fmt="o", capsize=4)
    ax.set_yticks(y, table["group"])
    ax.invert_yaxis()
    ax.set_xlabel("share of respondents (95% Wilson interval)")
    ax.set_title(title)
    return ax


def plot_propensity_overlap(scores, member, ax=None, bins: int = 40):
    """Histograms of the propensity score for members and non-members (densities)."""
    ax = _axes(ax)
    scores, member = np.asarray(scores), np.asarray(member, dtype=bool)
    edges = np.linspace(0, 1, bins + 1)
    ax.hist(scores[~member], bins=edges, density=True, alpha=0.5, label="non-members")
    ax.hist(scores[member], bins=edges, density=True, alpha=0.5, label="members")
    ax.set_xlabel("propensity score (estimated probability of joining)")
    ax.set_ylabel("density")
    ax.legend()
    return ax


def plot_balance(table: pd.DataFrame, ax=None, threshold: float = 0.1):
    """Love plot: absolute standardized mean difference per covariate, one marker per
    column of ``balance.balance_table`` output; dashed line at ``threshold``."""
    ax = _axes(ax)
    y = np.arange(len(table))
    for marker, column in zip("osD^v", table.columns):
        ax.scatter(table[column].abs(), y, marker=marker, label=column)
    ax.axvline(threshold, color="grey", linestyle="--")
    ax.set_yticks(y, table.index)
    ax.invert_yaxis()
    ax.set_xlabel("|standardized mean difference|")
    ax.legend()
    return ax


def plot_parallel_trends(means: pd.DataFrame, ax=None):
    """Mean spend per month by group (``effects.spend_by_period`` output) with ±2 SE
    bands; the program starts at period 0."""
    ax = _axes(ax)
    for member, label in [(False, "non-members"), (True, "members")]:
        part = means[means["member"] == member]
        ax.plot(part["period"], part["mean"], marker="o", label=label)
        ax.fill_between(part["period"], part["mean"] - 2 * part["std_err"],
                        part["mean"] + 2 * part["std_err"], alpha=0.2)
    ax.axvline(-0.5, color="grey", linestyle="--", label="launch")
    ax.set_xlabel("months from launch")
    ax.set_ylabel("mean spend per customer per month")
    ax.legend()
    return ax


def plot_estimates(table: pd.DataFrame, true_effect: float | None = None, ax=None):
    """Forest plot of effect estimates with 95% intervals (``effects.estimates_table``)."""
    ax = _axes(ax)
    y = np.arange(len(table))
    ax.errorbar(table["estimate"], y, xerr=[table["estimate"] - table["ci_low"],
                                            table["ci_high"] - table["estimate"]],
                fmt="o", capsize=4)
    if true_effect is not None:
        ax.axvline(true_effect, color="crimson", label="true effect")
        ax.legend()
    ax.set_yticks(y, table["method"])
    ax.invert_yaxis()
    ax.set_xlabel("effect on spend per member per month (95% CI)")
    return ax


def plot_roi_curve(curve: pd.DataFrame, break_even: float | None = None, ax=None):
    """Program ROI against the reward rate (``roi.roi_by_reward_rate``) with its band."""
    ax = _axes(ax)
    ax.plot(curve["reward_rate"], curve["estimate"], label="ROI")
    ax.fill_between(curve["reward_rate"], curve["ci_low"], curve["ci_high"], alpha=0.25,
                    label="95% interval from the effect")
    ax.axhline(0, color="grey")
    if break_even is not None:
        ax.axvline(break_even, color="crimson", linestyle="--", label="break-even rate")
    ax.set_xlabel("reward rate (share of member spend paid back)")
    ax.set_ylabel("ROI (gain − cost) / cost")
    ax.legend()
    return ax


from ..glossary import localize_module  # noqa: E402 - labels in the notebook's language

localize_module(globals())
