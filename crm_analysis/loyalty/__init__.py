"""Loyalty-program effectiveness (notebook 07): the sources' survey figures and the
program's causal effect, deadweight and ROI.

Modules and their public names::

    design    check_columns, treatment_indicator, covariate_matrix
    survey    SWITCHING_SHARES, PARTICIPATION_SHARES, FEEL_SPECIAL_SHARE,
              WOULD_BUY_ANYWAY_SHARE, survey_counts, wilson_intervals, ChiSquareResult,
              equal_proportions_test, pairwise_proportion_tests, one_proportion_test
    effects   EffectEstimate (``.table()``: the estimate table), naive_difference,
              regression_adjustment, fit_propensity, ipw_effect, matching_effect, did_effect,
              estimates_table, spend_by_period
    balance   SMD, standardized_mean_differences, balance_table
    roi       ProgramROI (``.table()``), program_roi, roi_by_reward_rate

Every interval is set by ``level=0.95``. Plots: :mod:`crm_analysis.plots.loyalty`.
"""
