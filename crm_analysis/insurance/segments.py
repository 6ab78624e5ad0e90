"""Risk segments and what one flat premium does to them, compared with risk-based premiums.

Both tariffs collect the same total premium on the portfolio: the flat premium is
(1 + loading) × observed losses ÷ exposure for everybody; the risk-based premium is
(1 + loading) × the predicted pure premium, rescaled so that its total equals observed
losses (the actuary's "balance" step). Under the flat tariff low-risk segments
subsidise high-risk ones; under the risk-based tariff every segment's loss ratio is
close to 1 / (1 + loading). Premiums and losses are in the portfolio's currency per
policy-year unless a column says otherwise.
"""

from __future__ import annotations

import pandas as pd

from crm_analysis.insurance.metrics import _arrays, exposure_bins


def segment_pricing(observed_loss, predicted_pure_premium, exposure, n_segments: int = 5,
                    loading: float = 0.10) -> pd.DataFrame:
    """Loss ratio per risk segment under a flat and under a risk-based premium.

    Parameters
    ----------
    observed_loss : each policy's claim cost over its exposure (currency).
    predicted_pure_premium : expected claim cost per policy-year (currency / year).
    exposure : years insured.
    n_segments : number of segments, cut at exposure quantiles of the prediction
        (segment 1 = lowest predicted risk).
    loading : premium loading over expected losses (0.10 = 10%).

    Returns one row per segment: ``exposure``, ``losses``, ``loss_cost`` (losses per
    year), ``flat_premium`` and ``risk_premium`` (per year), ``loss_ratio_flat`` and
    ``loss_ratio_risk`` (losses ÷ premiums collected), ``overcharge`` (flat − risk
    premium per year; positive = the segment pays too much under the flat tariff) and
    ``overcharge_pct`` (overcharge ÷ risk premium).
    """
    if loading <= -1:
        raise ValueError(f"loading must be above -1, got {loading}")
    loss, pred, expo = _arrays(observed_loss, predicted_pure_premium, exposure,
                               "predicted_pure_premium")
    balance = loss.sum() / (pred * expo).sum()
    flat_rate = (1 + loading) * loss.sum() / expo.sum()
    risk_rate = (1 + loading) * balance * pred
    segment = exposure_bins(pred, expo, n_segments)
    grouped = pd.DataFrame({
        "segment": segment, "exposure": expo, "losses": loss,
        "flat_income": flat_rate * expo, "risk_income": risk_rate * expo,
    }).groupby("segment").sum()
    table = pd.DataFrame({"exposure": grouped["exposure"], "losses": grouped["losses"]})
    table["loss_cost"] = grouped["losses"] / grouped["exposure"]
    table["flat_premium"] = flat_rate
    table["risk_premium"] = grouped["risk_income"] / grouped["exposure"]
    table["loss_ratio_flat"] = grouped["losses"] / grouped["flat_income"]
    table["loss_ratio_risk"] = grouped["losses"] / grouped["risk_income"]
    table["overcharge"] = table["flat_premium"] - table["risk_premium"]
    table["overcharge_pct"] = table["overcharge"] / table["risk_premium"]
    return table

