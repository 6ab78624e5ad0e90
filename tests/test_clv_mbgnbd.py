"""MBG/NBD against the independent lifetimes implementation on the CDNOW sample."""

import numpy as np
import pytest
from results import lifetimes_discrete

from crm_analysis.clv import MBGNBD, summarize_transactions
from crm_analysis.clv._fit import numeric_gradient
from crm_analysis.data import load_cdnow


@pytest.fixture(scope="module")
def fitted():
    summary = summarize_transactions(load_cdnow(sample=True), time_unit="W", calibration_end="1997-09-30",
                                     observation_end="1998-06-30")
    return MBGNBD().fit(summary)


def test_parameters_match_lifetimes(fitted):
    assert fitted.params_.to_dict() == pytest.approx(lifetimes_discrete.MBGNBD, rel=1e-4)


def test_predictions_match_lifetimes(fitted):
    c, ref = lifetimes_discrete.CUSTOMER, lifetimes_discrete.MBGNBD_PREDICTIONS
    assert fitted.p_alive(c["x"], c["t_x"], c["T"]) == pytest.approx(ref["p_alive"], rel=1e-4)
    assert fitted.p_alive(0, 0, c["T"]) == pytest.approx(ref["p_alive_x0"], rel=1e-4)
    assert fitted.conditional_expected_purchases(39, c["x"], c["t_x"], c["T"]) == pytest.approx(
        ref["conditional_expected_39"], rel=1e-4)
    assert fitted.expected_purchases(39) == pytest.approx(ref["expected_39"], rel=1e-4)


def test_analytic_gradient_matches_finite_differences(fitted):
    lp = fitted._log_params + np.array([0.1, -0.2, 0.15, 0.05])
    _, grad = fitted._loglik_grad(lp, fitted._data)
    assert grad == pytest.approx(numeric_gradient(lambda v: fitted._loglik(v, fitted._data), lp), rel=1e-6)


def test_expected_purchases_is_the_limit_of_the_conditional_one(fitted):
    # a brand-new customer (x = 0, t_x = 0, T = 0) has P(alive) = 1/(1 + a/b) at time 0 in
    # MBG/NBD, and E[Y(t) | 0, 0, 0] must equal E[X(t)]
    t = np.array([1.0, 10.0, 52.0])
    assert fitted.conditional_expected_purchases(t, 0, 0, 0) == pytest.approx(fitted.expected_purchases(t), rel=1e-10)
