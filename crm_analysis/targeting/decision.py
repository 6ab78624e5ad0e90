"""Choosing the contact list by estimated *incremental* profit (notebook 04's Decision).

A randomized hold-out (treated and control customers) estimates, for the top share of
customers by any score, how many extra responses the contact causes: the uplift curve of
:func:`crm_analysis.targeting.uplift_curves`, ``(y_t/n_t − y_c/n_c)·(n_t + n_c)``.
The estimated incremental profit of contacting that group is

    margin × estimated incremental responders − contact_cost × customers contacted

(currency). :func:`selection_decision` compares rankings (each at its best estimated depth,
or at a given depth) with contacting everyone and nobody, and recommends the row of highest
estimated incremental profit. On synthetic data the true uplift gives each list's true
profit, margin × Σ true uplift − cost × contacted. All profits are per 1,000 customers of
the hold-out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..common import top_k
from .uplift import uplift_curves


def incremental_profit_curve(y, treatment, score, margin: float, contact_cost: float) -> pd.DataFrame:
    """Estimated incremental profit (currency, whole hold-out) of contacting the top groups by
    ``score``: columns ``targeted`` (customers), ``share`` (of all) and ``profit``."""
    curves = uplift_curves(y, treatment, score)
    return pd.DataFrame({"targeted": curves["targeted"], "share": curves["share"],
                         "profit": margin * curves["uplift"] - contact_cost * curves["targeted"]})


def selection_decision(y, treatment, scores: dict, margin: float, contact_cost: float,
                       fixed: dict | None = None, true_uplift=None) -> pd.DataFrame:
    """Compare contact lists by estimated (and, given ``true_uplift``, true) incremental profit.

    ``scores``: named rankings, each taken at the depth of its highest estimated profit;
    ``fixed``: named ``(score, share)`` pairs, each taken at the given share (0–1];
    ``everyone`` and ``nobody`` are always compared. Returns one row per list with
    ``share`` (contacted), ``profit`` (estimated, per 1,000 customers), ``true_profit``
    (when ``true_uplift`` is given) and ``recommended`` (highest estimated profit).
    """
    y = np.asarray(y)
    n = y.size
    per = 1000 / n
    rows, lists = {}, {}
    for name, score in scores.items():
        curve = incremental_profit_curve(y, treatment, score, margin, contact_cost)
        best = curve.loc[curve["profit"].idxmax()]
        lists[name] = (score, int(best["targeted"]))
        rows[name] = {"share": best["share"], "profit": best["profit"] * per}
    for name, (score, share) in (fixed or {}).items():
        curve = incremental_profit_curve(y, treatment, score, margin, contact_cost)
        at = curve.loc[(curve["targeted"] >= np.ceil(share * n)).idxmax()]
        lists[name] = (score, int(at["targeted"]))
        rows[name] = {"share": at["share"], "profit": at["profit"] * per}
    everyone = incremental_profit_curve(y, treatment, np.zeros(n), margin, contact_cost)
    rows["everyone"] = {"share": 1.0, "profit": everyone["profit"].iloc[-1] * per}
    rows["nobody"] = {"share": 0.0, "profit": 0.0}
    lists["everyone"], lists["nobody"] = (np.zeros(n), n), (np.zeros(n), 0)
    table = pd.DataFrame.from_dict(rows, orient="index").rename_axis("list")
    if true_uplift is not None:
        u = np.asarray(true_uplift, dtype=float)
        table["true_profit"] = [
            (margin * u[top_k(np.asarray(s, float), k)].sum() - contact_cost * k) * per if k else 0.0
            for s, k in (lists[name] for name in table.index)]
    table["recommended"] = table.index == table["profit"].idxmax()
    return table


def selection_decision_text(table: pd.DataFrame) -> str:
    """One markdown sentence per list of :func:`selection_decision`, recommended first."""
    best = table.index[table["recommended"]][0]
    truth = "true_profit" in table

    def figures(name):
        row = table.loc[name]
        out = f"estimated {row['profit']:,.0f}"
        return out + (f", true {row['true_profit']:,.0f}" if truth else "")

    head = (f"- **Contact `{best}`** ({table.loc[best, 'share']:.0%} of customers): the highest "
            f"estimated incremental profit per 1,000 customers ({figures(best)}).")
    others = "; ".join(f"`{n}` ({table.loc[n, 'share']:.0%}): {figures(n)}"
                       for n in table.index if n != best)
    lines = [head, f"- The alternatives, per 1,000 customers: {others}."]
    if truth:
        truth_best = table["true_profit"].idxmax()
        lines.append("- The simulation's truth " + ("confirms the choice." if truth_best == best
                     else f"would prefer `{truth_best}`: the estimate is noisy at this sample size."))
    return "\n".join(lines)
