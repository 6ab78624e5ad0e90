"""MBG/NBD, BG/BB and covariate BG/NBD when the truth has no drop-out: each lands on its
no-drop-out limit and says so; the limit's parameters equal an independent fit of the limit
model (scipy's negative binomial and beta-binomial, statsmodels' NB2 regression with
exposure); no interior point beats it; predictions are the limit of the models' formulas;
the drop-out row has a profile-likelihood interval [0, upper]."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import optimize, stats
from test_clv_boundary import nbd_summary

from crm_analysis import clv
from crm_analysis.clv.intervals import customer_intervals, opportunity_intervals
from crm_analysis.data.synthetic import simulate_covariate_customers, simulate_opportunities


def _nelder_mead(negloglik, start):
    return np.exp(optimize.minimize(negloglik, np.log(start), method="Nelder-Mead",
                                    options={"xatol": 1e-9, "fatol": 1e-10, "maxiter": 4000}).x)


@pytest.fixture(scope="module")
def nbd():
    summary = nbd_summary(3000, 0.5, 5.0, 40.0, seed=1)
    return summary, clv.MBGNBD().fit(summary)


def test_mbgnbd_lands_on_the_nbd_limit(nbd):
    summary, fit = nbd
    assert fit.boundary_.startswith("no evidence of drop-out in this window")
    assert fit.params_["a"] == 0 and np.isnan(fit.params_["b"])
    x, T = summary["frequency"].to_numpy(), summary["T_weeks"].to_numpy()
    ref = _nelder_mead(lambda lp: -stats.nbinom.logpmf(x, np.exp(lp[0]), np.exp(lp[1]) / (np.exp(lp[1]) + T)).sum(),
                       [1.0, 10.0])
    assert fit.params_[["r", "alpha"]].to_numpy() == pytest.approx(ref, rel=1e-4)
    r, alpha = fit.params_[["r", "alpha"]]
    for a in (0.01, 0.1, 1.0, 10.0):
        for b in (0.5, 5.0, 50.0, 5000.0):
            assert fit._loglik(np.log([r, alpha, a, b]), fit._full_data()) <= fit.loglik_ + 1e-6


def test_mbgnbd_boundary_predictions_interval_and_draws(nbd):
    summary, fit = nbd
    x, t_x, T = (summary[c].to_numpy()[:200] for c in ("frequency", "recency_weeks", "T_weeks"))
    near = fit.with_params({"r": fit.params_["r"], "alpha": fit.params_["alpha"], "a": 1e-9, "b": 1.0})
    near.boundary_ = None
    assert fit.conditional_expected_purchases(26, x, t_x, T) == pytest.approx(
        near.conditional_expected_purchases(26, x, t_x, T), rel=1e-6)
    assert fit.p_alive(x, t_x, T) == pytest.approx(near.p_alive(x, t_x, T), abs=1e-6)
    table = fit.summary(0.95)
    assert table.loc["mean_dropout", "estimate"] == 0 and 0 < table.loc["mean_dropout", "ci_high"] < 1
    iv = customer_intervals(fit, summary.head(300).assign(monetary_value=np.nan), horizon=26, n_draws=20, n_sims=200)
    assert (iv["p_alive"] == 1).all() and (iv["expected_purchases_low"] <= iv["expected_purchases_high"]).all()


@pytest.mark.parametrize("seed", [1, 0])  # 1: recognised before the fit; 0: a failed fit, LR test not significant
def test_bgbb_lands_on_the_beta_binomial_limit(seed):
    summary, _ = simulate_opportunities(3000, 6, gamma=1e-12, seed=seed)
    fit = clv.BGBB().fit(summary)
    assert fit.boundary_.startswith("no evidence of drop-out over these opportunities")
    assert ("not significantly better" in fit.boundary_) == (seed == 0)
    assert fit.params_["gamma"] == 0 and np.isnan(fit.params_["delta"])
    x, n = summary["frequency"].to_numpy(), summary["opportunities"].to_numpy()
    ref = _nelder_mead(lambda lp: -stats.betabinom.logpmf(x, n, *np.exp(lp)).sum(), [1.0, 1.0])
    assert fit.params_[["alpha", "beta"]].to_numpy() == pytest.approx(ref, rel=1e-4)
    table = fit.summary(0.95)
    assert table.loc["mean_dropout", "estimate"] == 0 and 0 < table.loc["mean_dropout", "ci_high"] < 0.1
    al, be = fit.params_[["alpha", "beta"]]
    if seed == 1:
        for ga in (0.01, 1.0, 100.0):
            for de in (1.0, 100.0, 1e5):
                assert fit._loglik(np.log([al, be, ga, de]), fit._full_data()) <= fit.loglik_ + 1e-6
    xs, ts, ns = np.array([0.0, 3, 6]), np.array([0.0, 4, 6]), np.full(3, 6.0)
    near = fit.with_params({"alpha": al, "beta": be, "gamma": 1e-9, "delta": 1.0})
    near.boundary_ = None
    assert fit.conditional_expected_transactions(5, xs, ts, ns) == pytest.approx((al + xs) / (al + be + ns) * 5)
    assert fit.conditional_expected_transactions(5, xs, ts, ns) == pytest.approx(
        near.conditional_expected_transactions(5, xs, ts, ns), rel=1e-6)
    assert fit.p_alive(xs, ts, ns) == pytest.approx(1.0)
    iv = opportunity_intervals(fit, summary.head(50), n_star=5, n_draws=20, n_sims=100)
    assert (iv["expected_transactions_low"] <= iv["expected_transactions_high"]).all()


def test_covariate_bgnbd_lands_on_the_covariate_nbd_limit():
    (summary, z), truth = simulate_covariate_customers(3000, a=1e-12, seed=3)
    fit = clv.CovariateBGNBD().fit(summary, z, purchase=["z1", "z2"], dropout=["z1"])
    assert fit.boundary_.startswith("no evidence of drop-out in this window")
    assert fit.params_["a"] == 0 and np.isnan(fit.params_[["b", "dropout:z1"]]).all()
    # the limit is NB2 regression with exposure T: log mean = log(r/α) + γ_pᵀz + log T, NB2 α = 1/r
    X = sm.add_constant(z[["z1", "z2"]].to_numpy())
    nb2 = sm.NegativeBinomial(summary["frequency"].to_numpy(), X, exposure=summary["T_weeks"].to_numpy()).fit(
        disp=0, method="bfgs", maxiter=500, gtol=1e-10)
    const, g1, g2, dispersion = nb2.params
    r = 1 / dispersion
    assert fit.params_[["r", "alpha", "purchase:z1", "purchase:z2"]].to_numpy() == pytest.approx(
        [r, r * np.exp(-const), g1, g2], rel=1e-4, abs=1e-5)
    table = fit.summary(0.95)
    assert table.loc["mean_dropout", "estimate"] == 0 and 0 < table.loc["mean_dropout", "ci_high"] < 0.2
    assert table.loc["purchase:z1", "ci_low"] < truth.purchase["z1"] < table.loc["purchase:z1", "ci_high"]
    head = summary.head(100)
    al_i = r * np.exp(-const - X[:100, 1:] @ np.array([g1, g2]))
    expected = (r + head["frequency"]) / (al_i + head["T_weeks"]) * 26
    assert fit.conditional_expected_purchases(26, head, z) == pytest.approx(expected.to_numpy(), rel=1e-4)
    assert (fit.p_alive(head, z) == 1).all()
