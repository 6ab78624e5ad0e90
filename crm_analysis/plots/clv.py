"""Plots of the lifetime-value notebook: each takes a table from :mod:`crm_analysis.clv`
(and ``ax=None``) and returns the matplotlib Axes."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd


def _ax(ax):
    return ax if ax is not None else plt.subplots(figsize=(7, 4))[1]


def _paired_bars(ax, labels, actual, expected, xlabel, ylabel, title):
    pos = np.arange(len(labels))
    ax.bar(pos - 0.2, actual, width=0.4, label="actual", color="#4c72b0")
    ax.bar(pos + 0.2, expected, width=0.4, label="model", color="#dd8452")
    ax.set_xticks(pos, labels)
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    ax.legend()
    return ax


def plot_frequency_histogram(table: pd.DataFrame, ax=None):
    """Calibration repeat purchases: customers per frequency, actual vs model."""
    return _paired_bars(_ax(ax), table["frequency"], table["actual"], table["expected"],
                        "repeat purchases in calibration", "customers", "Calibration fit")


def plot_holdout_by_frequency(table: pd.DataFrame, ax=None):
    """Mean holdout purchases by calibration frequency, actual vs model."""
    ax = _ax(ax)
    ax.plot(table["frequency"], table["actual"], "o-", label="actual")
    ax.plot(table["frequency"], table["expected"], "s--", label="model")
    ax.set(xlabel="repeat purchases in calibration", ylabel="mean holdout purchases",
           title="Conditional expectation in the holdout")
    ax.legend()
    return ax


def plot_tracking(table: pd.DataFrame, cumulative: bool = True, ax=None):
    """Repeat purchases per period (or cumulative), actual vs model; the holdout shaded."""
    ax = _ax(ax)
    suffix = "_cumulative" if cumulative else ""
    ax.plot(table["period"], table["actual" + suffix], label="actual")
    ax.plot(table["period"], table["expected" + suffix], "--", label="model")
    if table["holdout"].any():
        ax.axvspan(table.loc[table["holdout"], "period"].min() - 0.5, table["period"].max(),
                   color="grey", alpha=0.15, label="holdout")
    ax.set(xlabel="period since first acquisition", ylabel="repeat purchases",
           title=("Cumulative" if cumulative else "Incremental") + " repeat purchases")
    ax.legend()
    return ax


def plot_p_alive(grid: pd.DataFrame, ax=None):
    """Heat map of P(alive) over frequency (rows) × recency (columns)."""
    ax = _ax(ax)
    image = ax.imshow(grid.to_numpy(), origin="lower", aspect="auto", cmap="viridis", vmin=0, vmax=1,
                      extent=[grid.columns.min(), grid.columns.max(), grid.index.min() - 0.5,
                              grid.index.max() + 0.5])
    ax.figure.colorbar(image, ax=ax, label="P(alive)")
    ax.set(xlabel="recency t_x", ylabel="repeat purchases x", title="P(alive) by frequency and recency")
    return ax


def plot_spend_vs_frequency(summary: pd.DataFrame, ax=None):
    """Mean spend per purchase against frequency for repeat customers (Gamma-Gamma assumes
    no relation)."""
    ax = _ax(ax)
    repeat = summary[summary["frequency"] > 0]
    ax.scatter(repeat["frequency"], repeat["monetary_value"], s=8, alpha=0.4)
    ax.set(xscale="log", yscale="log", xlabel="repeat purchases x", ylabel="mean spend per purchase",
           title="Spend vs frequency (independence check)")
    return ax


def plot_sensitivity(table: pd.DataFrame, ax=None):
    """Tornado chart of a :func:`~crm_analysis.clv.value.driver_sensitivity` table."""
    ax = _ax(ax)
    rows = table.iloc[::-1]
    base = rows["base_ltv"].iloc[0]
    pos = np.arange(len(rows))
    ax.barh(pos, rows["ltv_down"] - base, left=base, color="#c44e52", label="driver −")
    ax.barh(pos, rows["ltv_up"] - base, left=base, color="#55a868", label="driver +")
    ax.axvline(base, color="black", lw=1)
    ax.set_yticks(pos, rows["driver"])
    ax.set(xlabel="LTV", title="LTV sensitivity to its drivers")
    ax.legend()
    return ax


def plot_survival(periods, actual, fitted, naive=None, ax=None, calibration_periods: int | None = None):
    """Survivors by period: actual, sBG fit/projection, optional constant-retention projection."""
    ax = _ax(ax)
    ax.plot(periods, actual, "o", label="actual")
    ax.plot(periods, fitted, "-", label="sBG")
    if naive is not None:
        ax.plot(periods, naive, ":", label="constant retention")
    if calibration_periods is not None:
        ax.axvline(calibration_periods, color="grey", lw=1, ls="--")
    ax.set(xlabel="period", ylabel="customers still active", title="Survival: actual vs projections")
    ax.legend()
    return ax


def plot_clv_distribution(clv: pd.Series, ax=None):
    """Histogram of CLV per customer (log x axis) and the share of value in the top 10 %."""
    ax = _ax(ax)
    values = clv[clv > 0]
    # customers the model believes gone have CLVs down to 1e-7; start the axis at 0.01 currency
    # or the 1st percentile (whichever is higher) and count the rest in the first bar
    low = max(float(values.quantile(0.01)), 0.01)
    high = max(float(values.max()), low * 10)
    ax.hist(values.clip(lower=low), bins=np.logspace(np.log10(low), np.log10(high), 40))
    ax.set(xscale="log", xlabel=f"CLV per customer (currency; below {low:,.2g} in the first bar)",
           ylabel="customers", title="CLV distribution")
    return ax


def plot_opportunity_tracking(table: pd.DataFrame, ax=None):
    """BG/BB cohort tracking (from ``clv.bgbb_tracking``): repeat transactions per
    opportunity (e.g. year), actual vs model; the holdout (or, without actuals, the
    projection) shaded."""
    ax = _ax(ax)
    labels = table["label"] if "label" in table.columns else table["opportunity"]
    pos = np.arange(len(table))
    if "actual" in table.columns:
        ax.plot(pos, table["actual"], "o-", label="actual")
    ax.plot(pos, table["expected"], "s--", label="BG/BB")
    hold = (table["period"] == "holdout").to_numpy()
    if hold.any():
        ax.axvspan(pos[hold].min() - 0.5, pos.max() + 0.5, color="grey", alpha=0.15,
                   label="holdout" if "actual" in table.columns else "projection")
    ax.set_xticks(pos, [str(v) for v in labels])
    ax.set(xlabel="opportunity", ylabel="repeat transactions", title="Repeat transactions per opportunity")
    ax.set_ylim(bottom=0)
    ax.legend()
    return ax


def plot_clv_intervals(top: pd.DataFrame, ax=None):
    """CLV of the top customers (from ``clv.top_customer_intervals``) with two intervals:
    parameter uncertainty (thick) and the customer's own predictive spread (thin)."""
    ax = _ax(ax)
    pos = np.arange(len(top))[::-1]
    ax.hlines(pos, top["clv_pred_low"], top["clv_pred_high"], color="#999999", lw=1.5,
              label="own future (predictive)")
    ax.hlines(pos, top["clv_low"], top["clv_high"], color="#4c72b0", lw=6, label="parameter uncertainty")
    ax.plot(top["clv"], pos, "o", color="#dd8452", label="CLV estimate")
    ax.set_yticks(pos, [str(i) for i in top.index])
    level = top.attrs.get("level", 0.95)
    ax.set(xlabel="CLV (currency)", ylabel="customer", title=f"Top customers' CLV with {level:.0%} intervals")
    ax.legend(loc="lower right")
    return ax


from ..glossary import localize_module  # noqa: E402 - labels in the notebook's language

localize_module(globals())
