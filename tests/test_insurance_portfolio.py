"""Every data source arrives as one policy frame; freMTPL2 keeps its published totals."""

import numpy as np
import pandas as pd
import pytest

from crm_analysis.insurance import glm
from crm_analysis.insurance.portfolio import load_portfolio


def test_synthetic_portfolio_carries_its_truth():
    portfolio = load_portfolio("synthetic", n_policies=2000, seed=1)
    frame, truth = portfolio.frame, portfolio.truth
    assert np.allclose(frame["true_frequency"], truth.expected_frequency)
    assert (frame["policies"] == 1).all() and portfolio.has_severity
    assert set(portfolio.factors) <= set(frame.columns)


def test_mass_insurance_is_64_cells_in_policy_years():
    portfolio = load_portfolio("mass_insurance")
    frame = portfolio.frame
    assert len(frame) == 64 and not portfolio.has_severity
    assert np.allclose(frame["exposure"], frame["policies"] / 4)


def test_unknown_source_is_refused():
    with pytest.raises(ValueError, match="data_source"):
        load_portfolio("kaggle")


@pytest.fixture(scope="module")
def fremtpl2(real_data_home):
    # fetch_fremtpl2 finds the files through $CRM_WORKBOOK_DATA, which real_data_home checked
    return load_portfolio("fremtpl2")


@pytest.mark.real_data
def test_fremtpl2_totals_match_its_readme(fremtpl2):
    frame = fremtpl2.frame
    # checks published with the data (shared data README): 677,991 policies, 26,444 claims
    # costing 59,909,216.50 EUR; exposure 358,482.84 years before capping at 1 year
    assert len(frame) == 677_991
    assert frame["claim_count"].sum() == 26_444
    assert frame["claim_amount"].sum() == pytest.approx(59_909_216.50, abs=0.01)
    assert frame["exposure"].max() == 1.0 and frame["exposure"].sum() < 358_482.84
    assert ((frame["claim_count"] > 0) == (frame["claim_amount"] > 0)).all()
    for column in fremtpl2.factors:
        assert frame[column].notna().all(), column


@pytest.mark.real_data
def test_fremtpl2_poisson_glm_agrees_with_scikit_learn(fremtpl2):
    from sklearn.linear_model import PoissonRegressor

    sample = fremtpl2.frame.sample(n=30_000, random_state=0).reset_index(drop=True)
    fit = glm.fit_frequency_glm(sample, fremtpl2.terms)
    categorical = [c for c in fremtpl2.factors if isinstance(sample[c].dtype, pd.CategoricalDtype)]
    design = pd.get_dummies(sample[list(fremtpl2.factors)], columns=categorical,
                            drop_first=True, dtype=float)
    design = design.loc[:, (design != 0).any()]  # drop levels absent from the sample
    sk = PoissonRegressor(alpha=0, solver="newton-cholesky", tol=1e-12, max_iter=1000).fit(
        design, sample["claim_count"] / sample["exposure"], sample_weight=sample["exposure"])
    assert glm.predict_rate(fit, sample) == pytest.approx(sk.predict(design), rel=1e-4)
