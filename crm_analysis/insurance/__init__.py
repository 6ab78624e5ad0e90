"""Insurance pricing for the Progressive case (notebook 08): claim GLMs, a boosted
challenger, risk-ranking metrics, flat vs risk-based premiums, and a price-competition
market.

Modules and their public names::

    portfolio  SOURCES, Portfolio, load_portfolio (one policy frame from a data source)
    glm        fit_frequency_glm, fit_negative_binomial, fit_severity_glm, fit_tweedie_glm,
               predict_rate, coefficient_table (the estimate table of a GLM, with rate
               ratios), Overdispersion, overdispersion, count_model_comparison
    gbm        fit_frequency_gbm, predict_frequency_gbm
    metrics    ordered_lorenz_curve, ordered_gini (exposure-weighted ordered Lorenz/Gini of
               a risk model; revenue concentration is crm_analysis.marketing.concentration),
               poisson_deviance, d2_poisson, exposure_bins, lift_by_decile, frequency_scores
    segments   segment_pricing
    market     Insurer, simulate_market, market_summary
    decision   decision_text (notebook 08's Decision from the run's figures)

Plots: :mod:`crm_analysis.plots.insurance`.
"""
