"""The synthetic loyalty program agrees with its own truth within sampling error."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from crm_analysis.data.synthetic import simulate_loyalty_program


@pytest.fixture(scope="module")
def program():
    return simulate_loyalty_program(n_customers=30_000, seed=21)


def _design(customers):
    return pd.DataFrame({
        "const": 1.0,
        "visits_per_month": customers["visits_per_month"],
        "tenure_years": customers["tenure_years"],
        "income_band[middle]": (customers["income_band"] == "middle").astype(float),
        "income_band[high]": (customers["income_band"] == "high").astype(float),
    })


def test_shapes_and_columns(program):
    (customers, panel), truth = program
    assert list(customers.columns) == ["customer_id", "visits_per_month", "tenure_years",
                                       "income_band", "member", "pre_spend", "post_spend"]
    periods = truth.n_pre_periods + truth.n_post_periods
    assert len(panel) == len(customers) * periods
    assert panel["post"].sum() == len(customers) * truth.n_post_periods
    assert customers["customer_id"].is_unique


def test_selection_coefficients_recovered(program):
    (customers, _), truth = program
    fit = sm.Logit(customers["member"].astype(int), _design(customers)).fit(disp=False)
    expected = pd.Series({"const": truth.selection_intercept, **truth.selection_coefficients})
    assert (np.abs(fit.params - expected[fit.params.index]) < 4 * fit.bse).all()
    # the realized share of members estimates the mean true joining probability
    p = 1 / (1 + np.exp(-(_design(customers) @ expected[fit.params.index])))
    assert abs(customers["member"].mean() - p.mean()) < 4 * np.sqrt(p.mean() * (1 - p.mean()) / len(p))


def test_outcome_coefficients_recovered_from_non_member_spend(program):
    (customers, panel), truth = program
    non = customers[~customers["member"]]
    fit = sm.OLS(non["post_spend"], _design(non)).fit()
    post_time = np.mean(truth.time_effects[truth.n_pre_periods:])
    expected = pd.Series({"const": truth.outcome_intercept + post_time,
                          **truth.outcome_coefficients})
    assert (np.abs(fit.params - expected[fit.params.index]) < 4 * fit.bse).all()


def test_time_effects_of_non_members(program):
    (_, panel), truth = program
    non = panel[~panel["member"]]
    by_period = non.groupby("period")["spend"].mean()
    centred = by_period - by_period.mean()
    true = np.asarray(truth.time_effects) - np.mean(truth.time_effects)
    # Period means share the customer levels, so their differences carry only the
    # monthly noise: sd about noise_sd / sqrt(n non-members).
    se = truth.noise_sd / np.sqrt(non["customer_id"].nunique())
    assert np.abs(centred.to_numpy() - true).max() < 5 * se


def test_members_gain_true_effect_after_launch(program):
    (customers, _), truth = program
    change = customers["post_spend"] - customers["pre_spend"]
    member = customers["member"]
    gap = change[member].mean() - change[~member].mean()
    se = np.sqrt(change[member].var() / member.sum() + change[~member].var() / (~member).sum())
    assert abs(gap - truth.true_effect) < 4 * se  # time effects are common to both
    assert truth.realized_anyway_share == pytest.approx(
        truth.would_buy_anyway_share, abs=4 * np.sqrt(0.875 * 0.125 / member.sum()))


def test_random_membership_has_no_selection():
    (customers, _), truth = simulate_loyalty_program(n_customers=30_000, self_selection=False,
                                                     seed=21)
    assert all(c == 0 for c in truth.selection_coefficients.values())
    fit = sm.Logit(customers["member"].astype(int), _design(customers)).fit(disp=False)
    assert (np.abs(fit.params.drop("const")) < 4 * fit.bse.drop("const")).all()


def test_seed_reproducible():
    (a, _), _ = simulate_loyalty_program(n_customers=100, seed=3)
    (b, _), _ = simulate_loyalty_program(n_customers=100, seed=3)
    (c, _), _ = simulate_loyalty_program(n_customers=100, seed=4)
    pd.testing.assert_frame_equal(a, b)
    assert not a["post_spend"].equals(c["post_spend"])


@pytest.mark.parametrize("kwargs, message", [
    ({"would_buy_anyway_share": 1.0}, "would_buy_anyway_share"),
    ({"n_customers": 5}, "n_customers"),
    ({"n_pre_periods": 0}, "n_pre_periods"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        simulate_loyalty_program(**kwargs)
