"""Target-customer selection: RFM, the power × loyalty × response cube, response and
uplift models, gains/lift/profit curves (sources' slides 8 and 18)."""

from .cube import CELL_POLICY, cube_cells, cube_summary
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
    "uplift_auc", "uplift_by_group", "uplift_curves",
]
