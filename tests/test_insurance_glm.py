"""Frequency, severity and Tweedie GLMs recover known coefficients and a published fit."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from crm_analysis.data.synthetic import simulate_insurance_portfolio
from crm_analysis.insurance import glm
from crm_analysis.insurance.portfolio import load_portfolio


@pytest.fixture(scope="module")
def synthetic():
    return simulate_insurance_portfolio(n_policies=100_000, seed=5)


def _simultaneous(table, family_alpha=0.01):
    """Bonferroni: every true value lies in its interval with probability ≥ 1 − family_alpha."""
    z = stats.norm.isf(family_alpha / 2 / len(table))
    return (table["estimate"] - table["true"]).abs() <= z * table["std_err"]


def test_frequency_glm_recovers_the_true_rate_ratios(synthetic):
    frame, truth = synthetic
    table = glm.coefficient_table(glm.fit_frequency_glm(frame, truth.formula_terms), truth.frequency_coefs)
    assert set(table.index) == set(truth.frequency_coefs.index)
    assert _simultaneous(table).all(), table[["estimate", "true", "std_err"]]
    # nominal 95% intervals: at most 4 of 15 misses has probability > 0.99 under correct coverage
    assert (~table["covered"]).sum() <= 4
    assert np.allclose(table["rate_ratio"], np.exp(table["estimate"]))


def test_severity_glm_recovers_the_true_cost_ratios_and_shape(synthetic):
    frame, truth = synthetic
    fit = glm.fit_severity_glm(frame, truth.formula_terms)
    table = glm.coefficient_table(fit, truth.severity_coefs)
    assert _simultaneous(table).all(), table[["estimate", "true", "std_err"]]
    # Pearson dispersion estimates φ = 1/shape. For one Gamma(k) claim the squared Pearson
    # residual has variance (2k + 6)/k³ = 1.25 at k = 2, so with ~11,000 claim policies
    # sd(φ̂) ≈ 1.12/√11000 ≈ 0.011 ≈ 2% of φ; 10% is more than 4 sd
    assert 1 / fit.scale == pytest.approx(truth.severity_shape, rel=0.1)


def test_tweedie_glm_recovers_frequency_plus_severity(synthetic):
    frame, truth = synthetic
    table = glm.coefficient_table(glm.fit_tweedie_glm(frame, truth.formula_terms),
                                  truth.frequency_coefs + truth.severity_coefs)
    assert _simultaneous(table).all(), table[["estimate", "true", "std_err"]]


def test_poisson_data_is_not_overdispersed(synthetic):
    frame, truth = synthetic
    fit = glm.fit_frequency_glm(frame, truth.formula_terms)
    check = glm.overdispersion(fit)
    # Pearson χ²/df has sd ≈ sqrt(2/df) under the Poisson model
    assert abs(check.pearson_ratio - 1) < 4 * np.sqrt(2 / fit.df_resid)
    assert set(check.tests["method"]) >= {"Dean A", "CT nb2"}


def test_negative_binomial_data_is_detected_and_alpha_recovered():
    rng = np.random.default_rng(9)
    n, alpha = 40_000, 0.8
    frame = pd.DataFrame({"x": rng.normal(size=n), "exposure": np.ones(n)})
    mean = np.exp(-0.5 + 0.3 * frame["x"])
    frame["claim_count"] = rng.poisson(mean * rng.gamma(1 / alpha, alpha, n))  # NB2, var = μ + αμ²
    poisson = glm.fit_frequency_glm(frame, "x")
    check = glm.overdispersion(poisson)
    assert check.pearson_ratio > 1 and check.pearson_p_value < 1e-6
    assert (check.tests["p_value"] < 1e-6).all()
    negbin = glm.fit_negative_binomial(frame, "x", start=poisson)
    low, high = negbin.conf_int(level=0.999).loc["alpha"]
    assert low <= alpha <= high
    comparison = glm.count_model_comparison(poisson, negbin)
    assert comparison.loc["negative_binomial", "lr_p_value"] < 1e-6
    assert comparison.loc["negative_binomial", "aic"] < comparison.loc["poisson", "aic"]


# R 4.x, MASS example(Insurance): glm(Claims ~ District + Group + Age + offset(log(Holders)),
# family = poisson); Group and Age are ordered factors (polynomial contrasts). Printed output
# as shown in the MASS reference page for `Insurance`
# (https://haoen-cui.github.io/SOA-Exam-PA-R-Package-Documentation/MASS/reference/Insurance.html).
R_MASS_INSURANCE = {
    "Intercept": -1.810508, "district[T.2]": 0.025868, "district[T.3]": 0.038524,
    "district[T.4]": 0.234205, "C(car_group, Poly).Linear": 0.429708,
    "C(car_group, Poly).Quadratic": 0.004632, "C(car_group, Poly).Cubic": -0.029294,
    "C(age_band, Poly).Linear": -0.394432, "C(age_band, Poly).Quadratic": -0.000355,
    "C(age_band, Poly).Cubic": -0.016737,
}
R_NULL_DEVIANCE, R_RESIDUAL_DEVIANCE, R_AIC, R_PEARSON = 236.3, 51.42003, 388.7, 48.62933


def test_mass_insurance_poisson_glm_matches_venables_ripley():
    portfolio = load_portfolio("mass_insurance")
    fit = glm.fit_frequency_glm(portfolio.frame, "district + C(car_group, Poly) + C(age_band, Poly)")
    expected = pd.Series(R_MASS_INSURANCE)
    # our exposure is in years (holders × one quarter): the intercept moves by ln 4
    expected["Intercept"] += np.log(4)
    assert fit.params.reindex(expected.index).to_numpy() == pytest.approx(expected.to_numpy(), abs=1e-6)
    assert fit.deviance == pytest.approx(R_RESIDUAL_DEVIANCE, abs=1e-5)
    assert fit.null_deviance == pytest.approx(R_NULL_DEVIANCE, abs=0.05)
    assert fit.aic == pytest.approx(R_AIC, abs=0.05)
    assert fit.pearson_chi2 == pytest.approx(R_PEARSON, abs=1e-5)
    assert fit.df_resid == 54


def test_mass_insurance_matches_scikit_learn_on_the_treatment_design():
    from sklearn.linear_model import PoissonRegressor

    portfolio = load_portfolio("mass_insurance")
    frame = portfolio.frame
    fit = glm.fit_frequency_glm(frame, portfolio.terms)
    design = pd.get_dummies(frame[list(portfolio.factors)], drop_first=True, dtype=float)
    # y/exposure with weight exposure is the offset model's likelihood
    sk = PoissonRegressor(alpha=0, tol=1e-10, max_iter=1000).fit(
        design, frame["claim_count"] / frame["exposure"], sample_weight=frame["exposure"])
    ours = glm.predict_rate(fit, frame)
    assert ours == pytest.approx(sk.predict(design), rel=1e-5)


def test_bad_input_names_column_and_rows(synthetic):
    frame, truth = synthetic
    broken = frame.head(50).copy()
    broken.loc[[3, 7], "exposure"] = 0.0
    with pytest.raises(ValueError, match=r"'exposure'.*\[3, 7\]"):
        glm.fit_frequency_glm(broken, truth.formula_terms)
    with pytest.raises(ValueError, match="claim_amount"):
        glm.fit_severity_glm(frame.drop(columns="claim_amount"), truth.formula_terms)
    with pytest.raises(ValueError, match="var_power"):
        glm.fit_tweedie_glm(frame, truth.formula_terms, var_power=2.5)
