"""Gamma-Gamma: published CDNOW estimates, lifetimes oracle, gradient, interval coverage in tests/test_clv_coverage.py."""

import numpy as np
import pytest
from results import fader_hardie, lifetimes_cdnow

from crm_analysis.clv import GammaGamma, spend_frequency_correlation, summarize_transactions
from crm_analysis.clv._fit import numeric_gradient
from crm_analysis.data import load_cdnow


@pytest.fixture(scope="module")
def summary():
    return summarize_transactions(load_cdnow(sample=True), time_unit="W", calibration_end="1997-09-30")


@pytest.fixture(scope="module")
def fitted(summary):
    return GammaGamma().fit(summary)


def test_reproduces_fader_hardie_2013(fitted):
    ref = fader_hardie.GAMMA_GAMMA_CDNOW
    assert fitted.n_obs_ == 946
    for name in ("p", "q", "gamma"):
        assert round(fitted.params_[name], 2) == ref[name], name
    assert fitted.loglik_ == pytest.approx(ref["loglik"], abs=1e-3)


def test_matches_lifetimes(fitted):
    for name, value in lifetimes_cdnow.GAMMA_GAMMA.items():
        assert fitted.params_[name] == pytest.approx(value, rel=1e-4), name
    model = fitted.with_params(lifetimes_cdnow.GAMMA_GAMMA)
    assert model.expected_spend(2, 30.0) == pytest.approx(lifetimes_cdnow.GAMMA_GAMMA_EXPECTED_SPEND_X2_M30, rel=1e-9)


def test_gradient(fitted):
    lp = fitted._log_params + np.array([0.2, -0.1, 0.1])
    _, grad = fitted._loglik_grad(lp, fitted._data)
    assert grad == pytest.approx(numeric_gradient(lambda v: fitted._loglik(v, fitted._data), lp), rel=1e-6)


def test_independence_check_reports_correlations(summary):
    repeat = summary[summary["frequency"] > 0]
    check = spend_frequency_correlation(summary)
    assert check["n_customers"] == len(repeat)
    assert check["pearson_r"] == pytest.approx(np.corrcoef(repeat["frequency"], repeat["monetary_value"])[0, 1])



def test_negative_spend_is_named(summary):
    bad = summary.copy()
    row = np.flatnonzero(bad["frequency"] > 0)[0]
    bad.iloc[row, bad.columns.get_loc("monetary_value")] = -5.0
    with pytest.raises(ValueError, match=rf"'monetary_value' .* 1 repeat customers, e.g. \['{bad.index[row]}'\]"):
        GammaGamma().fit(bad)


def test_one_time_buyers_conditioned_on_their_first_purchase(fitted):
    # reference: the posterior mean of the mean spend p/ν after one transaction z₁, by
    # quadrature over ν: prior Gamma(q, rate γ), likelihood Gamma(z₁ | shape p, rate ν)
    from scipy import integrate, stats

    p, q, g = fitted.params_.to_numpy()
    for z1 in (2.0, 35.0, 400.0):
        def density(nu):
            return stats.gamma.pdf(nu, q, scale=1 / g) * stats.gamma.pdf(z1, p, scale=1 / nu)
        norm = integrate.quad(density, 0, np.inf, limit=200)[0]
        ref = integrate.quad(lambda nu: p / nu * density(nu), 0, np.inf, limit=200)[0] / norm
        got = fitted.expected_spend([0], [np.nan], first_spend=[z1])[0]
        assert got == pytest.approx(ref, rel=1e-6)
    # repeat buyers keep the textbook (lifetimes) value; no first spend: the population mean
    both = fitted.expected_spend([2, 0], [30.0, np.nan], first_spend=[5.0, np.nan])
    assert both[0] == pytest.approx(fitted.expected_spend(2, 30.0))
    assert both[1] == pytest.approx(fitted.population_mean_spend())
