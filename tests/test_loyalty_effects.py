"""Effect estimators on synthetic loyalty programs whose true effect is known.

Each estimator is run on the same R simulated programs (small n to stay fast); the
checks are: mean estimate within 4 Monte-Carlo standard errors of the truth where the
estimator's assumptions hold, 95% intervals covering the truth in at least 90% of runs,
and the naive difference biased by what the selection model predicts.
"""

import numpy as np
import pandas as pd
import pytest
from threadpoolctl import threadpool_limits

from crm_analysis.data.synthetic import simulate_loyalty_program
from crm_analysis.loyalty import effects

COVARIATES = ["visits_per_month", "tenure_years", "income_band"]
R, N = 100, 1500
TRUE_EFFECT = 6.0


def _run_all(self_selection: bool) -> pd.DataFrame:
    rows = []
    with threadpool_limits(1):  # small least-squares problems: threads only add overhead
        for seed in range(R):
            rows.extend(_estimates(self_selection, seed))
    out = pd.DataFrame(rows)
    out["covers"] = (out["ci_low"] <= TRUE_EFFECT) & (TRUE_EFFECT <= out["ci_high"])
    return out


def _estimates(self_selection: bool, seed: int) -> list[dict]:
    (customers, panel), _ = simulate_loyalty_program(
        n_customers=N, self_selection=self_selection, true_effect=TRUE_EFFECT,
        seed=1000 + seed)
    estimates = (effects.naive_difference(customers),
                 effects.regression_adjustment(customers, COVARIATES + ["pre_spend"]),
                 effects.ipw_effect(customers, COVARIATES),
                 effects.matching_effect(customers, COVARIATES),
                 effects.did_effect(panel))
    return [{"seed": seed, "method": e.method, "estimate": e.estimate,
             "ci_low": e.ci_low, "ci_high": e.ci_high} for e in estimates]


@pytest.fixture(scope="module")
def selected():
    return _run_all(self_selection=True)


@pytest.fixture(scope="module")
def randomized():
    return _run_all(self_selection=False)


def _summary(runs: pd.DataFrame) -> pd.DataFrame:
    return runs.groupby("method").agg(mean=("estimate", "mean"), sd=("estimate", "std"),
                                      coverage=("covers", "mean"))


@pytest.mark.parametrize("method", ["regression", "ipw", "matching", "did"])
def test_adjusted_estimators_unbiased_under_self_selection(selected, method):
    row = _summary(selected).loc[method]
    assert abs(row["mean"] - TRUE_EFFECT) < 4 * row["sd"] / np.sqrt(R), row


@pytest.mark.parametrize("method", ["regression", "ipw", "matching", "did"])
def test_adjusted_intervals_cover_truth(selected, method):
    assert _summary(selected).loc[method, "coverage"] >= 0.90


def _predicted_naive_bias() -> float:
    """E[customer level | member] - E[... | non-member] from the known model.

    Uses only the covariates of a large draw and the true coefficients: the member
    share at X is the true logistic propensity, the expected spend level is the true
    linear predictor (u and the monthly noise are independent of membership).
    """
    (customers, _), truth = simulate_loyalty_program(n_customers=400_000, seed=1)
    x = {"visits_per_month": customers["visits_per_month"].to_numpy(),
         "tenure_years": customers["tenure_years"].to_numpy(),
         "income_band[middle]": (customers["income_band"] == "middle").to_numpy(float),
         "income_band[high]": (customers["income_band"] == "high").to_numpy(float)}
    logit = truth.selection_intercept + sum(
        c * x[k] for k, c in truth.selection_coefficients.items())
    p = 1 / (1 + np.exp(-logit))
    level = sum(c * x[k] for k, c in truth.outcome_coefficients.items())
    return float(np.average(level, weights=p) - np.average(level, weights=1 - p))


def test_naive_biased_as_selection_predicts(selected):
    bias = _predicted_naive_bias()
    row = _summary(selected).loc["naive"]
    assert bias > 5  # heavier buyers join: members spend more anyway
    assert abs(row["mean"] - (TRUE_EFFECT + bias)) < max(4 * row["sd"] / np.sqrt(R),
                                                         0.05 * bias)
    assert row["coverage"] < 0.05


@pytest.mark.parametrize("method", ["naive", "regression", "ipw", "matching", "did"])
def test_all_estimators_unbiased_without_self_selection(randomized, method):
    row = _summary(randomized).loc[method]
    assert abs(row["mean"] - TRUE_EFFECT) < 4 * row["sd"] / np.sqrt(R), row
    assert row["coverage"] >= 0.90


def test_matching_matches_brute_force_computation():
    """Point estimate equals a direct computation with sorted distances (no sklearn)."""
    (customers, _), _ = simulate_loyalty_program(n_customers=300, seed=5)
    result = effects.matching_effect(customers, COVARIATES, n_neighbors=2)
    score = effects.fit_propensity(customers, COVARIATES).predict()
    logit = np.log(score / (1 - score))
    d = customers["member"].to_numpy()
    y = customers["post_spend"].to_numpy()
    x = np.column_stack([np.ones(len(d)), customers["visits_per_month"],
                         customers["tenure_years"], customers["income_band"] == "middle",
                         customers["income_band"] == "high"]).astype(float)
    beta = np.linalg.lstsq(x[~d], y[~d], rcond=None)[0]
    controls = np.flatnonzero(~d)
    diffs = []
    for i in np.flatnonzero(d):
        nearest = controls[np.argsort(np.abs(logit[controls] - logit[i]))[:2]]
        y0 = np.mean(y[nearest] + x[i] @ beta - x[nearest] @ beta)
        diffs.append(y[i] - y0)
    assert result.estimate == pytest.approx(np.mean(diffs), rel=1e-9)


def test_did_equals_difference_of_mean_changes():
    """On a balanced panel the DiD coefficient is the members' minus non-members'
    mean change from pre to post."""
    (customers, panel), _ = simulate_loyalty_program(n_customers=500, seed=3)
    change = customers["post_spend"] - customers["pre_spend"]
    member = customers["member"]
    expected = change[member].mean() - change[~member].mean()
    assert effects.did_effect(panel).estimate == pytest.approx(expected, rel=1e-9)


def test_bad_treatment_column_names_rows():
    (customers, _), _ = simulate_loyalty_program(n_customers=50, seed=0)
    bad = customers.assign(member=customers["member"].astype(int))
    bad.loc[[3, 7], "member"] = 2
    with pytest.raises(ValueError, match=r"'member'.*\[3, 7\]"):
        effects.naive_difference(bad)


def test_missing_covariate_is_named():
    (customers, _), _ = simulate_loyalty_program(n_customers=50, seed=0)
    with pytest.raises(ValueError, match="visits_per_mnth"):
        effects.regression_adjustment(customers, ["visits_per_mnth"])


def test_missing_outcome_values_name_rows():
    (customers, _), _ = simulate_loyalty_program(n_customers=50, seed=0)
    bad = customers.copy()
    bad.loc[[5], "post_spend"] = np.nan
    with pytest.raises(ValueError, match=r"'post_spend'.*\[5\]"):
        effects.naive_difference(bad)


def test_estimates_table_bias_and_coverage():
    a = effects.EffectEstimate("a", 5.0, 1.0, 3.0, 7.0, 10, 20)
    b = effects.EffectEstimate("b", 9.0, 1.0, 8.0, 10.0, 10, 20)
    table = effects.estimates_table([a, b], true_effect=6.0)
    assert list(table["bias"]) == [-1.0, 3.0]
    assert list(table["covers"]) == [True, False]


def test_spend_by_period_means_and_standard_errors():
    (_, panel), truth = simulate_loyalty_program(n_customers=200, seed=4)
    means = effects.spend_by_period(panel)
    periods = truth.n_pre_periods + truth.n_post_periods
    assert len(means) == 2 * periods
    month0 = panel[(panel["period"] == 0) & panel["member"]]["spend"]
    row = means[(means["period"] == 0) & means["member"]].iloc[0]
    assert row["mean"] == pytest.approx(month0.mean())
    assert row["std_err"] == pytest.approx(month0.std() / np.sqrt(len(month0)))
