"""The Dell and ChipShotGolf cases (notebook 13).

- :mod:`~crm_analysis.cases.dell` — the tier pyramid: :func:`assign_tiers`,
  :func:`tier_economics`, :func:`tier_migration` (counts for
  :func:`crm_analysis.dynamics.transition_matrix`), :func:`upgrade_effects`,
  :func:`upgrade_value`, :func:`feedback_value`, :func:`expected_feedback_value`.
- :mod:`~crm_analysis.cases.replacement` — the replacement cycle and offer timing:
  :func:`interpurchase_times`, :func:`fit_replacement`, :func:`heterogeneity_check`,
  :func:`weibull_survival`, :func:`offer_value`, :func:`best_offer_month`,
  :func:`fixed_date_value`, :func:`best_fixed_date`, :func:`accessory_timing`.
- :mod:`~crm_analysis.cases.customisation` — :func:`designs_count`, :func:`data_needs`.

Plots are in :mod:`crm_analysis.plots.cases`.
"""

from crm_analysis.cases.customisation import data_needs, designs_count
from crm_analysis.cases.dell import (
    TIERS,
    assign_tiers,
    expected_feedback_value,
    feedback_value,
    tier_economics,
    tier_migration,
    upgrade_effects,
    upgrade_value,
)
from crm_analysis.cases.replacement import (
    accessory_timing,
    best_fixed_date,
    best_offer_month,
    fit_replacement,
    fixed_date_value,
    heterogeneity_check,
    interpurchase_times,
    offer_value,
    weibull_survival,
)

__all__ = [
    "TIERS",
    "accessory_timing",
    "assign_tiers",
    "best_fixed_date",
    "best_offer_month",
    "data_needs",
    "designs_count",
    "expected_feedback_value",
    "feedback_value",
    "fit_replacement",
    "fixed_date_value",
    "heterogeneity_check",
    "interpurchase_times",
    "offer_value",
    "tier_economics",
    "tier_migration",
    "upgrade_effects",
    "upgrade_value",
    "weibull_survival",
]
