"""The synthetic campaign agrees with the truth it returns, within sampling error."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from crm_analysis.data.synthetic import simulate_campaign
from crm_analysis.data.synthetic.campaign import (
    CUSTOMER_TYPES, TERMS, TRUTH_COLUMNS, campaign_terms)

N = 60_000


@pytest.fixture(scope="module")
def campaign():
    return simulate_campaign(n_customers=N, treat_share=0.5, seed=11)


def test_same_seed_same_frame_other_seed_differs():
    a, _ = simulate_campaign(500, seed=3)
    b, _ = simulate_campaign(500, seed=3)
    c, _ = simulate_campaign(500, seed=4)
    pd.testing.assert_frame_equal(a, b)
    assert not a["income"].equals(c["income"])


def test_columns_and_truth_fields(campaign):
    frame, truth = campaign
    assert len(frame) == N and frame["customer_id"].is_unique
    for col in TRUTH_COLUMNS + ("treated", "response", "spend"):
        assert col in frame.columns
    assert set(frame["customer_type"].unique()) <= set(CUSTOMER_TYPES)
    # the randomized arms estimate the mean true uplift: difference of response rates, 4 SE
    t = frame["treated"] == 1
    rt, rc = frame.loc[t, "response"].mean(), frame.loc[~t, "response"].mean()
    se = np.sqrt(rt * (1 - rt) / t.sum() + rc * (1 - rc) / (~t).sum())
    assert abs((rt - rc) - truth.mean_uplift) < 4 * se
    assert set(truth.base_coef) == set(TERMS) == set(truth.effect_coef)


def test_assignment_is_randomized_at_the_requested_share(campaign):
    frame, truth = campaign
    se = np.sqrt(0.25 / N)
    assert abs(frame["treated"].mean() - truth.treat_share) < 4 * se
    # randomization: the arms do not differ in the true baseline probability
    arm = frame.groupby("treated")["p_control"]
    diff = arm.mean().diff().iloc[-1]
    se_diff = np.sqrt((arm.var() / arm.size()).sum())
    assert abs(diff) < 4 * se_diff


@pytest.mark.parametrize("arm, prob", [(0, "p_control"), (1, "p_treated")])
def test_response_rate_matches_true_probabilities(campaign, arm, prob):
    frame, _ = campaign
    sub = frame[frame["treated"] == arm]
    p = sub[prob].to_numpy()
    se = np.sqrt(np.sum(p * (1 - p))) / len(p)
    assert abs(sub["response"].mean() - p.mean()) < 4 * se


@pytest.mark.parametrize("arm", [0, 1])
def test_logit_recovers_true_coefficients(campaign, arm):
    """A logistic regression on the true terms recovers base (control arm) and
    base + effect (treated arm) coefficients within 4 standard errors."""
    frame, truth = campaign
    sub = frame[frame["treated"] == arm]
    fit = sm.Logit(sub["response"], campaign_terms(sub)).fit(disp=0)
    want = pd.Series({t: truth.base_coef[t] + arm * truth.effect_coef[t] for t in TERMS})
    z = (fit.params - want) / fit.bse
    assert (z.abs() < 4).all(), z


def test_customer_types_are_consistent_with_outcomes_and_probabilities(campaign):
    frame, truth = campaign
    treated_buyers = frame[(frame["treated"] == 1) & (frame["response"] == 1)]
    control_buyers = frame[(frame["treated"] == 0) & (frame["response"] == 1)]
    assert treated_buyers["customer_type"].isin(["persuadable", "sure thing"]).all()
    assert control_buyers["customer_type"].isin(["sleeping dog", "sure thing"]).all()
    p0, p1 = frame["p_control"].to_numpy(), frame["p_treated"].to_numpy()
    expected = {"persuadable": np.clip(p1 - p0, 0, None), "sleeping dog": np.clip(p0 - p1, 0, None),
                "sure thing": np.minimum(p0, p1), "lost cause": 1 - np.maximum(p0, p1)}
    for kind, prob in expected.items():
        se = np.sqrt(np.sum(prob * (1 - prob))) / N
        assert abs(truth.type_shares[kind] - prob.mean()) < 4 * se + 1e-12, kind
    # all four types occur: the campaign has heterogeneous, partly negative effects
    assert min(truth.type_shares.values()) > 0.005


def test_spend_is_zero_without_response_and_has_mean_monetary(campaign):
    frame, truth = campaign
    assert (frame.loc[frame["response"] == 0, "spend"] == 0).all()
    buyers = frame[frame["response"] == 1]
    assert (buyers["spend"] > 0).all()
    ratio = buyers["spend"] / buyers["monetary"]
    # spend / monetary ~ Gamma(shape k, scale 1/k): mean 1, variance 1/k
    se = np.sqrt(1 / truth.spend_shape / len(buyers))
    assert abs(ratio.mean() - 1) < 4 * se


@pytest.mark.parametrize("kwargs, word", [
    ({"n_customers": 0}, "n_customers"),
    ({"n_customers": 2.5}, "n_customers"),
    ({"treat_share": 1.5}, "treat_share"),
    ({"treat_share": -0.1}, "treat_share"),
])
def test_bad_arguments_are_named(kwargs, word):
    with pytest.raises(ValueError, match=word):
        simulate_campaign(**kwargs)


def test_campaign_terms_names_missing_column():
    frame, _ = simulate_campaign(10, seed=0)
    with pytest.raises(ValueError, match="share_of_wallet"):
        campaign_terms(frame.drop(columns="share_of_wallet"))
