"""BG/NBD: published CDNOW estimates, lifetimes oracle predictions, interval coverage in tests/test_clv_coverage.py."""

import numpy as np
import pytest
from results import fader_hardie, lifetimes_cdnow

from crm_analysis.clv import BGNBD, ConvergenceError, summarize_transactions
from crm_analysis.clv._fit import numeric_gradient
from crm_analysis.data import load_cdnow
from crm_analysis.data.synthetic import simulate_transactions


@pytest.fixture(scope="module")
def cdnow_summary():
    return summarize_transactions(load_cdnow(sample=True), time_unit="W", calibration_end="1997-09-30",
                                  observation_end="1998-06-30")


@pytest.fixture(scope="module")
def fitted(cdnow_summary):
    return BGNBD().fit(cdnow_summary)


def test_reproduces_fader_hardie_lee_2005(fitted):
    ref = fader_hardie.BGNBD_CDNOW
    for name in ("r", "alpha", "a", "b"):
        assert round(fitted.params_[name], 3) == ref[name], name
    assert round(fitted.loglik_, 1) == ref["loglik"]


def test_predictions_match_lifetimes(fitted):
    c, ref = lifetimes_cdnow.CUSTOMER, lifetimes_cdnow.BGNBD_PREDICTIONS
    assert fitted.p_alive(c["x"], c["t_x"], c["T"]) == pytest.approx(ref["p_alive"], rel=1e-4)
    assert fitted.conditional_expected_purchases(39, c["x"], c["t_x"], c["T"]) == pytest.approx(
        ref["conditional_expected_39"], rel=1e-4)
    assert fitted.expected_purchases(39) == pytest.approx(ref["expected_39"], rel=1e-4)


def test_analytic_gradient_matches_finite_differences(fitted):
    lp = fitted._log_params + np.array([0.1, -0.2, 0.15, 0.05])
    _, grad = fitted._loglik_grad(lp, fitted._data)
    assert grad == pytest.approx(numeric_gradient(lambda v: fitted._loglik(v, fitted._data), lp), rel=1e-6)


def test_pmf_sums_to_one_and_matches_mean(fitted):
    x = np.arange(400)
    pmf = fitted.frequency_pmf(x, 52.0)
    assert pmf.sum() == pytest.approx(1.0, abs=1e-9)
    assert (x * pmf).sum() == pytest.approx(fitted.expected_purchases(52.0), rel=1e-6)


def test_stable_for_heavy_buyers(fitted):
    x = np.array([300.0, 800.0])
    assert np.all(np.isfinite(fitted.conditional_expected_purchases(10, x, [38.0, 38.5], [38.86, 38.86])))
    data = BGNBD._data_from(x, [38.0, 38.5], [38.86, 38.86])
    assert np.isfinite(fitted._loglik(fitted._log_params, data))



def test_no_repeat_buyers_raise_convergence_error(cdnow_summary):
    flat = cdnow_summary.assign(frequency=0, recency_weeks=0.0)
    with pytest.raises(ConvergenceError, match="BGNBD"):
        BGNBD().fit(flat)


def test_bad_summary_is_named(cdnow_summary):
    bad = cdnow_summary.copy()
    bad.iloc[3, bad.columns.get_loc("recency_weeks")] = 99.0
    with pytest.raises(ValueError, match=rf"'recency_weeks' is not in \[0, T\] for 1 customers, e.g. \['{bad.index[3]}'\]"):
        BGNBD().fit(bad)


def test_warm_start_for_large_data_reaches_the_same_optimum():
    # > 200,000 customers: the fit starts from a 50,000-customer subsample; it must land on
    # the optimum a cold start on all customers finds.
    from crm_analysis.clv.summary import rfm_arrays

    tx, truth = simulate_transactions(210_000, seed=8)
    summary = summarize_transactions(tx, time_unit="W", observation_end=truth.end)
    warm = BGNBD().fit(summary)
    cold = BGNBD()
    x, t_x, T = rfm_arrays(summary)
    cold._maximize(BGNBD._data_from(x, t_x, T), np.log([1.0, float(np.mean(T)), 1.0, 1.0]), n_obs=len(x))
    assert warm.params_.to_numpy() == pytest.approx(cold.params_.to_numpy(), rel=1e-5)
    assert warm.std_err_.to_numpy() == pytest.approx(cold.std_err_.to_numpy(), rel=1e-3)


def test_time_unit_only_rescales_alpha(cdnow_summary, fitted):
    # Days instead of weeks: alpha is 7 times larger, r, a, b are unchanged and the
    # log-likelihood drops by the Jacobian, sum(x) * ln 7 (densities of purchase times per day).
    days = summarize_transactions(load_cdnow(sample=True), time_unit="D", calibration_end="1997-09-30")
    in_days = BGNBD().fit(days)
    expected = fitted.params_ * np.array([1, 7, 1, 1])
    assert in_days.params_.to_numpy() == pytest.approx(expected.to_numpy(), rel=1e-4)
    assert in_days.loglik_ == pytest.approx(fitted.loglik_ - cdnow_summary["frequency"].sum() * np.log(7), abs=1e-3)
