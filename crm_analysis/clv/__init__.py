"""Customer lifetime value (고객생애가치, LTV; notebook 03): transaction summaries,
buy-till-you-die models, contractual retention, and discounted CLV.

Fitted models (BGNBD, MBGNBD, ParetoNBD, BGBB, GammaGamma, ShiftedBetaGeometric) are
:class:`crm_analysis.estimates.FittedModel`: ``fit()`` returns the model; ``params_``,
``std_err_``, ``conf_int(level=)``, ``summary(level=)`` (log-scale Wald intervals).
Public names are in ``__all__``; plots in :mod:`crm_analysis.plots.clv`.

Modules::

    summary        per-customer frequency / recency / age / spend, calibration-holdout split (pandas)
    summary_sql    the same summary with DuckDB over CSV/Parquet files larger than memory
    summary_spark  the same summary (same SQL) on Spark: local[*] or a cluster session (extra `spark`)
    summary_polars the same summary with polars on one machine, all cores (extra `polars`)
    summary_postgres  the same summary (same SQL) pushed down into PostgreSQL (a profile's database table)
    bgnbd          BG/NBD (Fader, Hardie & Lee 2005)
    mbgnbd         MBG/NBD (Batislam, Denizel & Filiztekin 2007)
    bgbb           BG/BB for discrete opportunities (Fader, Hardie & Shang 2010), cohort tracking
    covariates     BG/NBD with static covariates on the purchase and drop-out sides
    pareto_covariates  Pareto/NBD with static covariates (as CLVTools' pnbd)
    edges          the no-drop-out boundary of MBG/NBD, BG/BB and covariate BG/NBD
    intervals      per-customer intervals: parameter uncertainty (Krinsky-Robb) and predictive spread
    discrete       discrete-opportunity (x, t_x, n) summary of a transaction log, cells
    pareto_nbd     Pareto/NBD (Schmittlein, Morrison & Colombo 1987)
    gamma_gamma    Gamma-Gamma spend per purchase (Fader, Hardie & Lee 2005; Fader & Hardie 2013)
    sbg            shifted-beta-geometric retention, DEL/DERL (Fader & Hardie 2007, 2010)
    value          the LTV formula, constant-retention lifetime, LTV drivers what-if, discounted
                   CLV per customer (one-time buyers optionally conditioned on their first
                   purchase: first_purchase_spend), intervals
    sources        the notebook's data sources (CDNOW, synthetic, a profile), analysis window, and
                   customer_summary / summary_engine: the summary where the data live
    published      Fader & Hardie's (2007) survivor series
    decision       decision_text, holdout_trusted, low_frequency_error (notebook 03's Decision from the run's figures)
    diagnostics    model-vs-actual tables (histogram, holdout by frequency, tracking, P(alive))
    _fit           shared weighted MLE with standard errors and convergence errors
    boundary       the no-drop-out boundary (a → 0, s → 0): NBD fit, the zero-inflated edge by
                   likelihood ratio, profile-likelihood interval, the Pareto/NBD log-space
                   quadrature with its gradient
    robust         fit both purchase models; a failure is reported, not raised
"""

from ._fit import ConvergenceError
from .bgbb import BGBB, bgbb_tracking
from .bgnbd import BGNBD
from .discrete import opportunity_cells, summarize_opportunities
from .covariates import CovariateBGNBD
from .decision import decision_text, holdout_trusted, low_frequency_error
from .diagnostics import frequency_histogram, holdout_by_frequency, p_alive_grid, repeat_purchase_tracking
from .gamma_gamma import GammaGamma, spend_frequency_correlation
from .intervals import customer_intervals, opportunity_intervals, top_customer_intervals
from .mbgnbd import MBGNBD
from .pareto_covariates import CovariateParetoNBD
from .pareto_nbd import ParetoNBD
from .robust import ModelFit, clv_model, fit_transaction_models, guarded
from .sbg import ShiftedBetaGeometric, survival_projection
from .sources import analysis_window, customer_summary, data_window_text, load_clv_transactions, summary_engine
from .summary import summarize_transactions
from .summary_sql import summarize_transactions_sql
from .value import (
    clv_interval,
    clv_tiers,
    constant_retention_lifetime,
    customer_clv,
    driver_ltv,
    driver_sensitivity,
    first_purchase_spend,
    ltv_formula,
    period_discount_rate,
)

__all__ = [
    "BGBB",
    "BGNBD",
    "MBGNBD",
    "ConvergenceError",
    "CovariateBGNBD",
    "CovariateParetoNBD",
    "GammaGamma",
    "ModelFit",
    "ParetoNBD",
    "ShiftedBetaGeometric",
    "analysis_window",
    "bgbb_tracking",
    "clv_interval",
    "clv_model",
    "clv_tiers",
    "constant_retention_lifetime",
    "customer_intervals",
    "decision_text",
    "holdout_trusted",
    "low_frequency_error",
    "customer_clv",
    "customer_summary",
    "data_window_text",
    "driver_ltv",
    "driver_sensitivity",
    "first_purchase_spend",
    "fit_transaction_models",
    "frequency_histogram",
    "guarded",
    "holdout_by_frequency",
    "load_clv_transactions",
    "ltv_formula",
    "opportunity_cells",
    "opportunity_intervals",
    "p_alive_grid",
    "period_discount_rate",
    "repeat_purchase_tracking",
    "spend_frequency_correlation",
    "summarize_opportunities",
    "summarize_transactions",
    "summarize_transactions_sql",
    "summary_engine",
    "survival_projection",
    "top_customer_intervals",
]
