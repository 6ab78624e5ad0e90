"""BG/BB: the published donations fit, lifetimes oracle predictions, the discrete summary
from a transaction log (against a per-customer brute force on CDNOW), and coverage of the
parameter intervals on simulated cohorts.

The donors' yearly records (needed for FHS 2010's 2002–2006 holdout tracking) are not in any
PyPI package, so only the published calibration fit is reproduced."""

import numpy as np
import pandas as pd
import pytest
from results import fader_hardie_shang, lifetimes_discrete

from crm_analysis.clv import BGBB, bgbb_tracking, opportunity_cells, summarize_opportunities
from crm_analysis.clv._fit import numeric_gradient
from crm_analysis.clv.intervals import opportunity_intervals
from crm_analysis.data import load_cdnow, load_donations
from crm_analysis.data.synthetic import simulate_opportunities

KEY = ["frequency", "recency_opportunities", "opportunities"]


@pytest.fixture(scope="module")
def fitted():
    return BGBB().fit(load_donations())


def test_reproduces_fader_hardie_shang_2010(fitted):
    ref = fader_hardie_shang.BGBB_DONATIONS
    for name in ("alpha", "beta", "gamma", "delta"):
        assert round(fitted.params_[name], 3) == ref[name], name
    assert round(fitted.loglik_, 2) == ref["loglik"]
    assert fitted.n_obs_ == fader_hardie_shang.DONORS


def test_predictions_match_lifetimes(fitted):
    ref = lifetimes_discrete.BGBB_CELLS
    x, t, n = (np.array(ref[k], float) for k in ("frequency", "recency", "periods"))
    assert fitted.params_.to_dict() == pytest.approx(lifetimes_discrete.BGBB, rel=1e-4)
    assert fitted.conditional_expected_transactions(5, x, t, n) == pytest.approx(ref["conditional_expected_5"], rel=1e-4)
    assert fitted.p_alive(x, t, n, future=1) == pytest.approx(ref["p_alive_next"], rel=1e-4)


def test_analytic_gradient_matches_finite_differences(fitted):
    lp = fitted._log_params + np.array([0.1, -0.2, 0.15, 0.05])
    _, grad = fitted._loglik_grad(lp, fitted._data)
    assert grad == pytest.approx(numeric_gradient(lambda v: fitted._loglik(v, fitted._data), lp), rel=1e-6)


def test_pmf_sums_to_one_and_matches_mean(fitted):
    x = np.arange(12)
    pmf = fitted.frequency_pmf(x, 11)
    assert pmf.sum() == pytest.approx(1.0, abs=1e-12)
    assert (x * pmf).sum() == pytest.approx(fitted.expected_transactions(11), rel=1e-10)


def test_dert_is_the_discounted_sum_of_future_transactions(fitted):
    # closed form with 2F1 vs the explicit sum of per-opportunity expectations, 400 terms
    x, t, n, d = np.array([0.0, 3, 6]), np.array([0.0, 4, 6]), np.full(3, 6.0), 0.1
    cum = np.stack([fitted.conditional_expected_transactions(k, x, t, n) for k in range(0, 401)])
    explicit = (np.diff(cum, axis=0) / (1 + d) ** np.arange(1, 401)[:, None]).sum(axis=0)
    assert fitted.dert(d, x, t, n) == pytest.approx(explicit, rel=1e-8)


def test_discrete_summary_from_the_log_equals_a_brute_force_count():
    # monthly opportunities on the CDNOW sample, counted customer by customer with Python sets
    log = load_cdnow(sample=True)
    got = summarize_opportunities(log, period="M", calibration_end="1997-09-30", observation_end="1998-06-30")
    cal, obs = 1997 * 12 + 8, 1998 * 12 + 5  # months of 1997-09 and 1998-06 (0-based month)
    rows = {}
    for cid, dates in log.groupby("customer_id")["date"]:
        months = {d.year * 12 + d.month - 1 for d in dates}
        first = min(months)
        calib = [m - first for m in months if first < m <= cal]
        rows[cid] = (len(calib), max(calib, default=0), cal - first,
                     sum(cal < m <= obs for m in months), obs - cal)
    ref = pd.DataFrame.from_dict(rows, orient="index", columns=[*KEY, "holdout_frequency", "holdout_opportunities"])
    assert len(got) == len(ref) == 2357
    pd.testing.assert_frame_equal(got[ref.columns].sort_index(), ref.sort_index(), check_dtype=False,
                                  check_names=False)
    cells = opportunity_cells(got)
    assert cells["customers"].sum() == 2357 and not cells.duplicated(KEY).any()


def test_tracking_sums_the_conditional_expectations(fitted):
    summary = load_donations()
    track = bgbb_tracking(fitted, summary, n_holdout=5, labels=range(1996, 2007))
    assert list(track["label"]) == list(range(1996, 2007)) and "actual" not in track
    ref = lifetimes_discrete.BGBB_CELLS
    holdout = track.loc[track["period"] == "holdout", "expected"].sum()
    assert holdout == pytest.approx(summary["customers"].to_numpy() @ np.array(ref["conditional_expected_5"]),
                                    rel=1e-4)
    calibration = track.loc[track["period"] == "calibration", "expected"].sum()
    assert calibration == pytest.approx(fader_hardie_shang.DONORS * fitted.expected_transactions(6), rel=1e-12)


def test_interval_coverage_on_simulated_cohorts():
    # 100 cohorts of 3,000 customers: each 95% interval of a parameter, and the
    # parameter-uncertainty interval of three customers' expected transactions in the next
    # 5 opportunities (Krinsky-Robb, clv.customer intervals), should cover the truth in 90-99%
    profiles = pd.DataFrame({"frequency": [0, 2, 6], "recency_opportunities": [0, 5, 6], "opportunities": 6})
    covered = []
    for seed in range(100):
        summary, truth = simulate_opportunities(3000, 6, seed=seed)
        fit = BGBB().fit(summary)
        ci = fit.conf_int(0.95)
        true_model = fit.with_params({k: getattr(truth, k) for k in ("alpha", "beta", "gamma", "delta")})
        true_value = true_model.conditional_expected_transactions(5, *(profiles[k] for k in KEY))
        iv = opportunity_intervals(fit, profiles, n_star=5, n_draws=200, n_sims=10, seed=seed)
        covered.append([ci.loc[k, "ci_low"] <= getattr(truth, k) <= ci.loc[k, "ci_high"]
                        for k in ("alpha", "beta", "gamma", "delta")]
                       + list((iv["expected_transactions_low"] <= true_value)
                              & (true_value <= iv["expected_transactions_high"])))
    rate = np.mean(covered, axis=0)
    assert np.all((rate >= 0.90) & (rate <= 0.99)), rate


def test_predictive_interval_covers_the_customers_own_future():
    # at the true parameters, the customer's own holdout transactions fall in the 95%
    # predictive interval for at least 95% of 20,000 simulated customers (discrete counts: >=)
    summary, truth = simulate_opportunities(20_000, 6, n_holdout=5, seed=11)
    fit = BGBB().fit(summary)
    true_model = fit.with_params({k: getattr(truth, k) for k in ("alpha", "beta", "gamma", "delta")})
    iv = opportunity_intervals(true_model, summary, n_star=5, n_draws=2, n_sims=4000, seed=1)
    h = summary["holdout_frequency"]
    rate = ((h >= iv["transactions_pred_low"]) & (h <= iv["transactions_pred_high"])).mean()
    assert 0.95 <= rate <= 0.995, rate


def test_bad_summary_is_named():
    bad = load_donations()
    bad.loc[4, "recency_opportunities"] = 9
    with pytest.raises(ValueError, match=r"1 rows are not valid .* rows \[4\]"):
        BGBB().fit(bad)
    with pytest.raises(ValueError, match="period must be one of"):
        summarize_opportunities(load_cdnow(sample=True), period="Q")
