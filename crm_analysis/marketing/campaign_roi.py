"""Carpet bombing vs missile (융단 폭격 vs 미사일): a mass campaign to everyone against a
campaign to the customers with the highest expected response.

Outcomes are *expected* values from response probabilities: with the simulation's true
probabilities they are the truth; with a model's probabilities they are a forecast.
Money: ``margin_per_response`` and ``contact_cost`` are currency per response and per
contact. ROI = profit ÷ contact cost.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..common import top_k


def campaign_outcome(p_response, contacted, margin_per_response: float,
                     contact_cost: float) -> dict[str, float]:
    """Expected contacts, responses, cost, gross margin, profit and ROI of one campaign.

    ``p_response``: each customer's probability of responding if contacted;
    ``contacted``: boolean mask of the customers contacted.
    """
    p = np.asarray(p_response, dtype=float)
    mask = np.asarray(contacted, dtype=bool)
    if p.shape != mask.shape:
        raise ValueError(f"p_response has shape {p.shape} but contacted has {mask.shape}")
    bad = np.flatnonzero(~np.isfinite(p) | (p < 0) | (p > 1))
    if bad.size:
        raise ValueError(f"p_response must be probabilities in [0, 1]; bad rows {bad[:10].tolist()}")
    contacts = int(mask.sum())
    responses = float(p[mask].sum())
    cost = contacts * contact_cost
    margin = responses * margin_per_response
    return {
        "contacts": contacts,
        "expected_responses": responses,
        "response_rate": responses / contacts if contacts else float("nan"),
        "cost": cost,
        "gross_margin": margin,
        "profit": margin - cost,
        "roi": (margin - cost) / cost if cost else float("nan"),
    }


def top_share_mask(score, share: float) -> np.ndarray:
    """Boolean mask of the ``share`` (0–1] of customers with the highest ``score``
    (ties broken by position, so exactly ``ceil(share·n)`` are chosen)."""
    s = np.asarray(score, dtype=float)
    if not 0 < share <= 1:
        raise ValueError(f"share must be in (0, 1], got {share!r}")
    if np.isnan(s).any():
        raise ValueError(f"score has NaN at rows {np.flatnonzero(np.isnan(s))[:10].tolist()}")
    k = int(np.ceil(share * s.size))
    mask = np.zeros(s.size, dtype=bool)
    mask[top_k(s, k)] = True
    return mask


def mass_vs_targeted(p_response, scores: dict[str, np.ndarray], target_share: float,
                     margin_per_response: float, contact_cost: float) -> pd.DataFrame:
    """Compare contacting everyone with contacting the top ``target_share`` by each score.

    ``p_response``: the probabilities outcomes are judged by (true ones in a simulation);
    ``scores``: named targeting scores, e.g. ``{"model": predicted, "oracle": true}``.
    Returns one row per campaign (``mass`` first) with :func:`campaign_outcome` columns.
    """
    p = np.asarray(p_response, dtype=float)
    rows = {"mass": campaign_outcome(p, np.ones(p.size, bool), margin_per_response, contact_cost)}
    for name, score in scores.items():
        rows[f"targeted ({name})"] = campaign_outcome(
            p, top_share_mask(score, target_share), margin_per_response, contact_cost
        )
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("campaign")


def campaign_decision(p_forecast, target_share: float, margin_per_response: float,
                      contact_cost: float, p_true=None) -> pd.DataFrame:
    """Three campaigns judged by forecast (and, on synthetic data, true) expected outcomes.

    * ``mass``: contact everyone;
    * ``top share``: contact the top ``target_share`` by ``p_forecast``;
    * ``break-even``: contact every customer whose forecast margin
      ``margin_per_response × p_forecast`` exceeds ``contact_cost`` (the profit-maximizing
      list when the forecast is right and the budget is not limited).

    Returns one row per campaign with ``contacts`` and forecast ``profit`` and ``roi``
    (currency; profit ÷ cost), plus ``true_profit`` and ``true_roi`` when ``p_true`` is
    given, and a boolean column ``recommended``: the campaign of highest forecast profit
    (the figure an analyst without the truth can compute).
    """
    p = np.asarray(p_forecast, dtype=float)
    masks = {"mass": np.ones(p.size, bool),
             f"top {target_share:.0%}": top_share_mask(p, target_share),
             "break-even": margin_per_response * p > contact_cost}
    rows = {}
    for name, mask in masks.items():
        row = campaign_outcome(p, mask, margin_per_response, contact_cost)
        rows[name] = {"contacts": row["contacts"], "profit": row["profit"], "roi": row["roi"]}
        if p_true is not None:
            true = campaign_outcome(p_true, mask, margin_per_response, contact_cost)
            rows[name].update(true_profit=true["profit"], true_roi=true["roi"])
    table = pd.DataFrame.from_dict(rows, orient="index").rename_axis("campaign")
    table["recommended"] = table.index == table["profit"].idxmax()
    return table


def campaign_decision_text(table: pd.DataFrame) -> str:
    """Markdown sentences of :func:`campaign_decision`'s verdict, every figure from ``table``."""
    best = table.index[table["recommended"]][0]
    by_roi = table["roi"].idxmax()
    lines = [f"- **Contact the `{best}` list.** It earns the highest forecast profit, "
             f"{table.loc[best, 'profit']:,.0f} (" + ", ".join(
                 f"{n}: {table.loc[n, 'profit']:,.0f}" for n in table.index if n != best) + ")."]
    if by_roi != best:
        lines.append(f"- **ROI and profit disagree.** `{by_roi}` returns the most per unit spent "
                     f"(ROI {table.loc[by_roi, 'roi']:.2f} vs {table.loc[best, 'roi']:.2f}) but earns "
                     f"{table.loc[best, 'profit'] - table.loc[by_roi, 'profit']:,.0f} less profit: "
                     "a higher return on a smaller budget is the better choice only when the budget, "
                     "not the list, is what limits the campaign.")
    else:
        lines.append(f"- `{best}` also has the highest ROI ({table.loc[best, 'roi']:.2f}).")
    if "true_profit" in table:
        truth_best = table["true_profit"].idxmax()
        verdict = "confirms" if truth_best == best else f"prefers `{truth_best}`"
        lines.append(f"- **Against the simulation's truth** the profits are " + ", ".join(
            f"{n} {table.loc[n, 'true_profit']:,.0f}" for n in table.index)
            + f": the truth {verdict}.")
    return "\n".join(lines)
