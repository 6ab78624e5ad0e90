"""Uplift curves against a hand-computed example; learners against known uplift."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from crm_analysis.data.synthetic import simulate_campaign
from crm_analysis.data.synthetic.campaign import FEATURES
from crm_analysis.targeting import (ClassTransformationUplift, TwoModelUplift, qini_auc,
                                    uplift_at_k, uplift_auc, uplift_by_group, uplift_curves)
from crm_analysis.targeting.response import fit_gradient_boosting, predict_gradient_boosting

# customers A..F by falling score: (treated, responded)
T = np.array([1, 0, 1, 0, 1, 0])
Y = np.array([1, 0, 0, 1, 1, 0])
S = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4])


def test_qini_and_uplift_curves_by_hand():
    c = uplift_curves(Y, T, S)
    # after k customers: n_t, n_c, y_t, y_c -> qini = y_t - y_c n_t/n_c (y_t while n_c = 0),
    # uplift = (y_t/n_t - y_c/n_c)(n_t + n_c)
    np.testing.assert_allclose(c["qini"], [0, 1, 1, 1, 0, 0.5, 1])
    np.testing.assert_allclose(c["uplift"], [0, 0, 2, 1.5, 0, 5 / 6, 2])
    np.testing.assert_allclose(c["share"], np.arange(7) / 6)
    # trapezoid areas with y / 6: qini 4/36, random 1/12 ; uplift 16/108, random 1/6
    assert qini_auc(Y, T, S) == pytest.approx(1 / 9 - 1 / 12)
    assert uplift_auc(Y, T, S) == pytest.approx(4 / 27 - 1 / 6)


def test_tied_scores_enter_together_whatever_the_row_order():
    s = S.copy()
    s[2] = s[1]  # B and C tied
    c = uplift_curves(Y, T, s)
    np.testing.assert_allclose(c["qini"], [0, 1, 1, 0, 0.5, 1])
    order = np.array([2, 1, 0, 5, 4, 3])
    assert qini_auc(Y[order], T[order], s[order]) == pytest.approx(qini_auc(Y, T, s))


def test_uplift_at_k_by_hand():
    # top half = A, B, C: treated A (1), C (0) -> 0.5; control B (0) -> 0
    assert uplift_at_k(Y, T, S, k=0.5) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="one arm"):
        uplift_at_k(Y, T, S, k=1 / 6)


@pytest.mark.parametrize("t, y, s, word", [
    (np.zeros(6, int), Y, S, "no treated rows"),
    (np.ones(6, int), Y, S, "no control rows"),
    (T, np.zeros(6, int), S, "single class"),
    (T, Y, np.array([0.9, np.nan, 0.7, 0.6, 0.5, 0.4]), r"rows \[1\]"),
])
def test_bad_inputs_are_named(t, y, s, word):
    with pytest.raises(ValueError, match=word):
        qini_auc(y, t, s)


def test_learners_refuse_no_treated_rows():
    X = np.arange(12.0).reshape(6, 2)
    for learner in (TwoModelUplift(), ClassTransformationUplift()):
        with pytest.raises(ValueError, match="no treated rows"):
            learner.fit(X, np.zeros(6), Y)


@pytest.mark.parametrize("learner", [TwoModelUplift, ClassTransformationUplift])
def test_learners_recover_cell_uplift_with_unequal_arms(learner):
    """One binary feature, treat share 0.3: a saturated logistic model must return the
    true uplift of each cell (0.2 and -0.1) within 4 standard errors."""
    rng = np.random.default_rng(0)
    n = 40_000
    x = rng.random(n) < 0.5
    t = (rng.random(n) < 0.3).astype(int)
    p_c = np.where(x, 0.3, 0.1)
    p_t = np.where(x, 0.2, 0.3)
    y = (rng.random(n) < np.where(t == 1, p_t, p_c)).astype(int)
    X = x[:, None].astype(float)
    est = learner(LogisticRegression(C=1e8, max_iter=1000)).fit(X, t, y)
    got = est.predict_uplift(np.array([[0.0], [1.0]]))
    for cell, truth in ((0, 0.2), (1, -0.1)):
        sel = x == bool(cell)
        pt, pc = p_t[sel][0], p_c[sel][0]
        se = np.sqrt(pt * (1 - pt) / (t[sel] == 1).sum() + pc * (1 - pc) / (t[sel] == 0).sum())
        assert abs(got[cell] - truth) < 4 * se


@pytest.fixture(scope="module")
def split_campaign():
    frame, _ = simulate_campaign(n_customers=20_000, seed=5)
    return train_test_split(frame, test_size=0.5, random_state=0)


def test_uplift_estimates_track_the_true_uplift(split_campaign):
    """Threshold: correlation > 0.5, i.e. the estimate explains more than a quarter of the
    variance of the true uplift. The true uplift varies with a standard deviation of about
    8 points around a mean of about 4 (see the generator), so a model that captures the
    sign pattern (new low-share customers up, long loyal ones down) clears 0.5, while the
    response score — which ranks sure things and sleeping dogs high — must not: its
    correlation with the truth is required to be lower than the uplift model's."""
    train, test = split_campaign
    X, Xt = train[list(FEATURES)], test[list(FEATURES)]
    t_learner = TwoModelUplift().fit(X, train["treated"], train["response"]).predict_uplift(Xt)
    ct = ClassTransformationUplift().fit(X, train["treated"], train["response"]).predict_uplift(Xt)
    treated = train[train["treated"] == 1]
    response = predict_gradient_boosting(
        fit_gradient_boosting(treated, "response", FEATURES, max_iter=60), test)
    truth = test["uplift"].to_numpy()
    r_t, r_ct = np.corrcoef(t_learner, truth)[0, 1], np.corrcoef(ct, truth)[0, 1]
    r_resp = np.corrcoef(response, truth)[0, 1]
    assert r_t > 0.5 and r_ct > 0.5
    assert r_resp < min(r_t, r_ct)
    # the realized Qini of the estimate is positive (better than random targeting)
    assert qini_auc(test["response"], test["treated"], t_learner) > 0


def test_uplift_by_group_matches_direct_computation(split_campaign):
    _, test = split_campaign
    score = test["uplift"].to_numpy()
    table = uplift_by_group(test["response"], test["treated"], score, n_bins=4)
    top = test.iloc[np.argsort(-score, kind="stable")[: len(test) // 4]]
    rate = top.groupby("treated")["response"].mean()
    assert table["observed_uplift"].iloc[0] == pytest.approx(rate[1] - rate[0])
    assert table["predicted_uplift"].is_monotonic_decreasing
