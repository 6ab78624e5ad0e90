"""The synthetic insurance portfolio agrees with the truth it returns."""

import numpy as np
import pytest

from crm_analysis.data.synthetic import simulate_insurance_portfolio
from crm_analysis.data.synthetic.insurance import _LEVELS

Z = 4.0  # tolerance in standard errors: a false alarm has probability < 1e-4 per check


@pytest.fixture(scope="module")
def portfolio():
    return simulate_insurance_portfolio(n_policies=100_000, seed=11)


def test_claim_counts_match_the_true_rates(portfolio):
    frame, truth = portfolio
    expected = frame["exposure"].to_numpy() * truth.expected_frequency
    # Poisson: variance of the total equals its mean
    assert abs(frame["claim_count"].sum() - expected.sum()) < Z * np.sqrt(expected.sum())
    # and in each accident-history level (the largest effect)
    for level, rows in frame.groupby("accident_history", observed=True).groups.items():
        exp_level = expected[frame.index.get_indexer(rows)].sum()
        assert abs(frame.loc[rows, "claim_count"].sum() - exp_level) < Z * np.sqrt(exp_level), level


def test_claim_amounts_match_the_true_severity(portfolio):
    frame, truth = portfolio
    counts = frame["claim_count"].to_numpy()
    mean = (counts * truth.expected_severity).sum()
    # given the counts, the total is a sum of Gamma(shape, sev/shape) draws: var = N sev² / shape
    sd = np.sqrt((counts * truth.expected_severity**2).sum() / truth.severity_shape)
    assert abs(frame["claim_amount"].sum() - mean) < Z * sd
    assert (frame.loc[counts == 0, "claim_amount"] == 0).all()
    assert (frame.loc[counts > 0, "claim_amount"] > 0).all()


def test_factor_shares_and_exposure(portfolio):
    frame, _ = portfolio
    n = len(frame)
    for column, (levels, probs) in _LEVELS.items():
        assert list(frame[column].cat.categories) == levels
        shares = frame[column].value_counts(normalize=True).reindex(levels).to_numpy()
        sd = np.sqrt(np.array(probs) * (1 - np.array(probs)) / n)
        assert np.all(np.abs(shares - probs) < Z * sd), column
    assert frame["exposure"].between(0.05, 1.0).all()
    assert abs((frame["exposure"] < 1).mean() - 0.3) < Z * np.sqrt(0.3 * 0.7 / n)
    assert np.allclose(frame["log_car_value"], np.log(frame["car_value"] / 20), atol=1e-3)


def test_truth_uses_the_formula_names(portfolio):
    import statsmodels.formula.api as smf

    frame, truth = portfolio
    names = smf.glm(f"claim_count ~ {truth.formula_terms}", frame.head(2000)).exog_names
    assert set(names) == set(truth.frequency_coefs.index) == set(truth.severity_coefs.index)
    # the true rate is exp(design · coefficients) under those names
    design = smf.glm(f"claim_count ~ {truth.formula_terms}", frame).exog
    rate = np.exp(design @ truth.frequency_coefs.reindex(names).to_numpy())
    assert np.allclose(rate, truth.expected_frequency)
    assert np.allclose(truth.expected_pure_premium, truth.expected_frequency * truth.expected_severity)


def test_seeded_and_validated():
    a, _ = simulate_insurance_portfolio(500, seed=3)
    b, _ = simulate_insurance_portfolio(500, seed=3)
    c, _ = simulate_insurance_portfolio(500, seed=4)
    assert a.equals(b) and not a.equals(c)
    with pytest.raises(ValueError, match="n_policies"):
        simulate_insurance_portfolio(0)
    with pytest.raises(ValueError, match="severity_shape"):
        simulate_insurance_portfolio(10, severity_shape=0)
