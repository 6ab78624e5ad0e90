"""Standardized mean differences: a hand-computed case and the synthetic truth."""

import numpy as np
import pandas as pd
import pytest

from crm_analysis.data.synthetic import simulate_loyalty_program
from crm_analysis.loyalty.balance import balance_table, standardized_mean_differences

COVARIATES = ["visits_per_month", "tenure_years", "income_band"]


def test_smd_by_hand():
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0, 0.0, 0.0, 2.0], "member": [1, 1, 1, 0, 0, 0]})
    expected = (2.0 - 2.0 / 3.0) / np.sqrt((1.0 + 4.0 / 3.0) / 2)
    assert standardized_mean_differences(frame, ["x"])["x"] == pytest.approx(expected)
    # Weighted means, unweighted scale: control mean (0*.5 + 0*.5 + 2*2) / 3 = 4/3.
    weights = pd.Series([1, 1, 1, 0.5, 0.5, 2.0])
    assert standardized_mean_differences(frame, ["x"], weights=weights)["x"] == pytest.approx(
        (2.0 - 4.0 / 3.0) / np.sqrt((1.0 + 4.0 / 3.0) / 2))
    # Weights that move the control mean onto the treated mean remove the difference.
    weights = pd.Series([1, 1, 1, 0, 0, 1.0])
    assert standardized_mean_differences(frame, ["x"], weights=weights)["x"] == pytest.approx(0)


def _true_att_weights(customers, truth):
    logit = (truth.selection_intercept
             + truth.selection_coefficients["visits_per_month"] * customers["visits_per_month"]
             + truth.selection_coefficients["tenure_years"] * customers["tenure_years"]
             + truth.selection_coefficients["income_band[middle]"]
             * (customers["income_band"] == "middle")
             + truth.selection_coefficients["income_band[high]"]
             * (customers["income_band"] == "high"))
    p = 1 / (1 + np.exp(-logit.astype(float)))
    return pd.Series(np.where(customers["member"], 1.0, p / (1 - p)), index=customers.index)


def test_true_propensity_weights_balance_a_self_selected_program():
    (customers, _), truth = simulate_loyalty_program(n_customers=20_000, seed=11)
    table = balance_table(customers, COVARIATES, weights={
        "true_ipw": _true_att_weights(customers, truth)})
    assert table.loc["visits_per_month", "unadjusted"] > 0.3   # heavy buyers join
    assert (table["true_ipw"].abs() < 0.05).all()


def test_random_membership_is_balanced_without_weights():
    (customers, _), _ = simulate_loyalty_program(n_customers=20_000, self_selection=False,
                                                 seed=11)
    # SMD sampling sd is about sqrt(1/n1 + 1/n0) = 0.015 here.
    assert (standardized_mean_differences(customers, COVARIATES).abs() < 0.06).all()


def test_constant_covariate_is_named():
    frame = pd.DataFrame({"x": [1.0, 1.0, 1.0, 1.0], "member": [1, 0, 1, 0]})
    with pytest.raises(ValueError, match=r"\['x'\]"):
        standardized_mean_differences(frame, ["x"])


def test_negative_weight_names_row():
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "member": [1, 0, 1, 0]})
    with pytest.raises(ValueError, match=r"\[2\]"):
        standardized_mean_differences(frame, ["x"], weights=pd.Series([1, 1, -1, 1]))
