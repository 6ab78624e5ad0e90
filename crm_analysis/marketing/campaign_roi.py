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
