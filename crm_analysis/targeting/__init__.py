"""Target-customer selection (notebook 04): RFM, the power × loyalty × response cube,
response and uplift models, gains/lift/profit curves (sources' slides 8 and 18).

Modules and their public names::

    rfm       rfm_scores (quintiles by value: common.score_groups), rfm_segments
    cube      CELL_POLICY, cube_cells, cube_summary
    response  fit_logit, predict_logit, odds_ratios (the estimate table of a logit, with
              odds ratios), fit_gradient_boosting, predict_gradient_boosting, roc_auc,
              calibration_table
    gains     gains_table, profit_curve, optimal_depth, expected_profit_curve
    uplift    TwoModelUplift, ClassTransformationUplift, qini_auc, uplift_auc, uplift_at_k,
              uplift_by_group, uplift_curves
    decision  incremental_profit_curve, selection_decision, selection_decision_text
    designs   caravan_design, hillstrom_design
    checks    check_campaign, require_both_classes (value checks from crm_analysis.common)

Plots: :mod:`crm_analysis.plots.targeting`.
"""

from .cube import CELL_POLICY, cube_cells, cube_summary
from .decision import incremental_profit_curve, selection_decision, selection_decision_text
from .designs import CARAVAN_CUTOFF, caravan_design, hillstrom_design
from .gains import expected_profit_curve, gains_table, optimal_depth, profit_curve
from .response import (calibration_table, fit_gradient_boosting, fit_logit, odds_ratios,
                       predict_gradient_boosting, predict_logit, roc_auc)
from .rfm import rfm_from_transactions, rfm_scores, rfm_segments, transaction_cube_levels
from .uplift import (ClassTransformationUplift, TwoModelUplift, qini_auc, uplift_at_k,
                     uplift_auc, uplift_by_group, uplift_curves)

__all__ = [
    "CARAVAN_CUTOFF", "CELL_POLICY", "ClassTransformationUplift", "TwoModelUplift", "calibration_table",
    "caravan_design", "cube_cells", "cube_summary", "expected_profit_curve", "fit_gradient_boosting", "fit_logit", "gains_table", "hillstrom_design",
    "odds_ratios", "optimal_depth", "predict_gradient_boosting", "predict_logit",
    "profit_curve", "qini_auc", "rfm_from_transactions", "rfm_scores", "rfm_segments",
    "transaction_cube_levels", "roc_auc", "uplift_at_k",
    "uplift_auc", "uplift_by_group", "uplift_curves", "incremental_profit_curve",
    "selection_decision", "selection_decision_text",
]
