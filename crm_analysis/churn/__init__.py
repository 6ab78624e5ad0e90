"""Churn and retention (고객유지): cohorts, survival curves, hazard models, churn reasons,
whom to save, and the 4R of communication.

Modules::

    survival     Kaplan–Meier with bands, numbers at risk, median tenure, log-rank, RMST
    cohorts      acquisition cohorts × months since first purchase (retention, revenue)
    design       covariate matrices: numeric as given, text against a stated reference level
    hazard       Cox model (statsmodels PHReg, Efron ties), hazard ratios, PH test, strata,
                 time-varying episodes, concordance, hazard ratios in words
    parametric   Weibull and log-logistic AFT models for lifetimes beyond the data
    own_data     a data profile's customers table (tenure or dates, churn flag) as survival data
    noncontractual  P(alive) below a threshold (BG/NBD) vs a classifier on recent behaviour
    retention    whom to save: save effect × value targeting, ROI, break-even offer cost
    contacts     4R: contact-history features, response-time effect, what the history adds
"""

from . import noncontractual
from .cohorts import cohort_matrix, cohort_table, retention_at
from .contacts import contact_features, history_adds, responsiveness_effect
from .design import design_matrix
from .own_data import contract_frame
from .hazard import CoxModel, concordance_index, episode_split, hazard_ratio_sentences
from .parametric import ParametricAFT
from .retention import (
    customer_type_mix,
    fit_save_model,
    net_value_curve,
    policy_table,
    recommend_policy,
    save_scores,
)
from .survival import (
    kaplan_meier,
    kaplan_meier_by,
    life_table,
    logrank_test,
    median_survival,
    numbers_at_risk,
    pairwise_logrank,
    rmst,
    rmst_by,
    survival_at,
    survival_table_at,
    tenure_bands,
)

__all__ = [
    "CoxModel", "ParametricAFT", "cohort_matrix", "cohort_table", "concordance_index", "contract_frame",
    "contact_features", "customer_type_mix", "design_matrix", "episode_split", "fit_save_model",
    "hazard_ratio_sentences", "history_adds", "kaplan_meier", "kaplan_meier_by", "life_table", "logrank_test",
    "median_survival", "net_value_curve", "noncontractual", "numbers_at_risk", "pairwise_logrank", "policy_table",
    "recommend_policy", "responsiveness_effect", "retention_at", "rmst", "rmst_by",
    "save_scores", "survival_at", "survival_table_at", "tenure_bands",
]
