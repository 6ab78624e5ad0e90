"""Customer lifetime value (고객생애가치, LTV; notebook 03): transaction summaries,
buy-till-you-die models, contractual retention, and discounted CLV.

Fitted models (BGNBD, ParetoNBD, GammaGamma, ShiftedBetaGeometric) are
:class:`crm_analysis.estimates.FittedModel`: ``fit()`` returns the model; ``params_``,
``std_err_``, ``conf_int(level=)``, ``summary(level=)`` (log-scale Wald intervals).
Public names are in ``__all__``; plots in :mod:`crm_analysis.plots.clv`.

Modules::

    summary        per-customer frequency / recency / age / spend, calibration-holdout split (pandas)
    summary_sql    the same summary with DuckDB over CSV/Parquet files larger than memory
    summary_spark  the same summary (same SQL) on Spark: local[*] or a cluster session (extra `spark`)
    summary_polars the same summary with polars on one machine, all cores (extra `polars`)
    bgnbd          BG/NBD (Fader, Hardie & Lee 2005)
    pareto_nbd     Pareto/NBD (Schmittlein, Morrison & Colombo 1987)
    gamma_gamma    Gamma-Gamma spend per purchase (Fader, Hardie & Lee 2005; Fader & Hardie 2013)
    sbg            shifted-beta-geometric retention, DEL/DERL (Fader & Hardie 2007, 2010)
    value          the LTV formula, constant-retention lifetime, LTV drivers what-if, discounted
                   CLV per customer, intervals
    sources        the notebook's data sources (CDNOW, synthetic, a file) and analysis window
    published      Fader & Hardie's (2007) survivor series
    decision       decision_text, holdout_trusted, low_frequency_error (notebook 03's Decision from the run's figures)
    diagnostics    model-vs-actual tables (histogram, holdout by frequency, tracking, P(alive))
    _fit           shared weighted MLE with standard errors and convergence errors
    boundary       the no-drop-out boundary (a → 0, s → 0): NBD fit, profile-likelihood interval
    robust         fit both purchase models; a failure is reported, not raised
"""

from ._fit import ConvergenceError
from .bgnbd import BGNBD
from .decision import decision_text, holdout_trusted, low_frequency_error
from .diagnostics import frequency_histogram, holdout_by_frequency, p_alive_grid, repeat_purchase_tracking
from .gamma_gamma import GammaGamma, spend_frequency_correlation
from .pareto_nbd import ParetoNBD
from .robust import ModelFit, clv_model, fit_transaction_models
from .sbg import ShiftedBetaGeometric, survival_projection
from .sources import analysis_window, data_window_text, load_clv_transactions
from .summary import summarize_transactions
from .summary_sql import summarize_transactions_sql
from .value import (
    clv_interval,
    clv_tiers,
    constant_retention_lifetime,
    customer_clv,
    driver_ltv,
    driver_sensitivity,
    ltv_formula,
    period_discount_rate,
)

__all__ = [
    "decision_text",
    "holdout_trusted",
    "low_frequency_error",
    "BGNBD",
    "ConvergenceError",
    "GammaGamma",
    "ModelFit",
    "ParetoNBD",
    "ShiftedBetaGeometric",
    "analysis_window",
    "clv_interval",
    "clv_model",
    "clv_tiers",
    "constant_retention_lifetime",
    "customer_clv",
    "data_window_text",
    "driver_ltv",
    "driver_sensitivity",
    "fit_transaction_models",
    "frequency_histogram",
    "holdout_by_frequency",
    "load_clv_transactions",
    "ltv_formula",
    "p_alive_grid",
    "period_discount_rate",
    "repeat_purchase_tracking",
    "spend_frequency_correlation",
    "summarize_transactions",
    "summarize_transactions_sql",
    "survival_projection",
]
