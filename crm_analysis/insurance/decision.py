"""Notebook 08's Decision, written from the run's figures.

:func:`decision_text` reads the segment table (:func:`crm_analysis.insurance.segments.segment_pricing`),
the market simulation's margins and the hold-out Ginis and returns markdown bullets;
the model it recommends is the one with the highest hold-out Gini.
"""

from __future__ import annotations

import pandas as pd


def decision_text(segment_table: pd.DataFrame, margin_risk: float, margin_flat: float, loading: float,
                  final_share_risk: float, gini: pd.Series) -> str:
    """Markdown bullets. ``gini``: hold-out Gini per candidate model (index: model names).

    Margins, loading and shares are fractions (0.088 = 8.8 %); ``overcharge_pct`` of the
    segment table is the flat premium's excess over the risk-based one, as a fraction.
    """
    over = segment_table["overcharge_pct"]
    best, other = gini.idxmax(), gini.idxmin()
    return "\n".join([
        f"- **Price by risk, not by average.** Under one flat premium segment 1 (lowest risk) pays "
        f"{over.iloc[0]:+.0%} and segment {len(over)} (highest risk) {over.iloc[-1]:+.0%} against its "
        f"risk-based premium; loss ratios run {segment_table['loss_ratio_flat'].min():.2f}–"
        f"{segment_table['loss_ratio_flat'].max():.2f} flat vs {segment_table['loss_ratio_risk'].min():.2f}–"
        f"{segment_table['loss_ratio_risk'].max():.2f} risk-based.",
        f"- **In the market simulation** the risk-based insurer's margin is {margin_risk:.1%} (loading "
        f"{loading:.0%}) against {margin_flat:.1%} for the flat insurers; its final share is {final_share_risk:.0%}.",
        f"- **Rank risk with the {best}**: its hold-out Gini is {gini[best]:.3f} against {gini[other]:.3f} for "
        f"the {other}" + (". Keep the GLM as the explainable tariff." if best == "GLM" else
                          "; keep the GLM as the explainable tariff and look for the interactions the "
                          "boosted model found."),
        "- **Collect the rating data and keep it clean**, and **watch the book's mix**: a rising average risk "
        "per policy is the early sign of adverse selection.",
    ])
