"""Response models: logistic regression recovers known coefficients; metrics by hand."""

import numpy as np
import pandas as pd
import pytest

from crm_analysis.data.synthetic import simulate_campaign
from crm_analysis.data.synthetic.campaign import TERMS, campaign_terms
from crm_analysis.targeting import (calibration_table, fit_gradient_boosting, fit_logit,
                                    odds_ratios, predict_gradient_boosting, predict_logit,
                                    roc_auc)


def test_fit_logit_recovers_the_synthetic_truth():
    frame, truth = simulate_campaign(40_000, seed=21)
    control = frame[frame["treated"] == 0]
    terms = campaign_terms(control).drop(columns="intercept").assign(
        response=control["response"])
    fit = fit_logit(terms, "response", [t for t in TERMS if t != "intercept"])
    want = pd.Series(truth.base_coef).rename({"intercept": "const"})
    z = (fit.params - want[fit.params.index]) / fit.bse
    assert (z.abs() < 4).all(), z
    table = odds_ratios(fit)
    np.testing.assert_allclose(table["odds_ratio"], np.exp(fit.params))
    assert (table["odds_ratio_ci_low"] < table["odds_ratio"]).all()
    p = predict_logit(fit, terms)
    np.testing.assert_allclose(p, fit.predict(), rtol=1e-10)


def test_roc_auc_by_hand():
    # pairs (pos, neg): (0.35 vs 0.1 ✓), (0.35 vs 0.4 ✗), (0.8 vs both ✓) -> 3/4
    assert roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == pytest.approx(0.75)


def test_calibration_table_by_hand():
    y = [0, 0, 1, 0, 1, 1]
    p = [0.1, 0.2, 0.3, 0.6, 0.7, 0.8]
    t = calibration_table(y, p, n_bins=2)
    np.testing.assert_allclose(t["mean_predicted"], [0.2, 0.7])
    np.testing.assert_allclose(t["observed_rate"], [1 / 3, 2 / 3])


def test_gradient_boosting_ranks_better_than_chance_on_known_signal():
    rng = np.random.default_rng(1)
    x = rng.normal(size=4000)
    frame = pd.DataFrame({"x": x, "noise": rng.normal(size=4000),
                          "y": (rng.random(4000) < 1 / (1 + np.exp(-2 * x))).astype(int)})
    model = fit_gradient_boosting(frame, "y", ["x", "noise"], max_iter=30)
    p = predict_gradient_boosting(model, frame)
    # the true probability's own AUC is the ceiling; the fitted one must come close
    true_auc = roc_auc(frame["y"], x)
    assert roc_auc(frame["y"], p) > true_auc - 0.03


@pytest.mark.parametrize("frame, word", [
    (pd.DataFrame({"y": [1, 1, 1], "x": [1.0, 2, 3]}), "single class"),
    (pd.DataFrame({"y": [0, 1, 1], "x": [1.0, np.nan, 3]}), r"'x'.*rows \[1\]"),
    (pd.DataFrame({"y": [0, 1, 3], "x": [1.0, 2, 3]}), r"y must be 0/1.*rows \[2\]"),
])
def test_bad_inputs_are_named(frame, word):
    with pytest.raises(ValueError, match=word):
        fit_logit(frame, "y", ["x"])
    with pytest.raises(ValueError, match=word):
        fit_gradient_boosting(frame, "y", ["x"])


def test_missing_feature_is_named():
    with pytest.raises(ValueError, match="'income'"):
        fit_logit(pd.DataFrame({"y": [0, 1]}), "y", ["income"])
