"""BG/NBD and Pareto/NBD when the maximum-likelihood estimate lies on the no-drop-out
boundary: the NBD limit is found, checked against an independent NBD fit (scipy's
negative binomial), no interior point beats it, and predictions are the limit of the
models' own formulas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, special, stats

from crm_analysis import clv
from crm_analysis.clv._fit import numeric_gradient
from crm_analysis.clv.pareto_nbd import _log_terms


def nbd_summary(n: int, r: float, alpha: float, T: float, seed: int) -> pd.DataFrame:
    """Customers buying as Poisson processes (λ ~ Gamma(r, α) per week), never dropping out;
    times in whole days, as in a summary of dated purchases."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(r, 1 / alpha, n)
    age = rng.integers(int(T * 7 / 2), int(T * 7) + 1, n) / 7
    x = rng.poisson(lam * age)
    t_x = np.where(x > 0, np.floor(age * rng.beta(np.maximum(x, 1), 1) * 7) / 7, 0.0)
    return pd.DataFrame({"frequency": x, "recency_weeks": t_x, "T_weeks": age})


@pytest.fixture(scope="module")
def summary():
    return nbd_summary(3000, 0.5, 5.0, 40.0, seed=1)


@pytest.fixture(scope="module")
def fits(summary):
    return clv.BGNBD().fit(summary), clv.ParetoNBD().fit(summary)


def test_both_models_land_on_the_boundary_and_say_so(fits):
    for fit in fits:
        assert fit.boundary_.startswith("no evidence of drop-out in this window")
    bg, pareto = fits
    assert bg.params_["a"] == 0 and np.isnan(bg.params_["b"])
    assert pareto.params_["s"] == 0 and np.isnan(pareto.params_["beta"])


def test_rates_equal_an_independent_negative_binomial_fit(summary, fits):
    # x ~ NB(r, p = α/(α+T)) per customer: maximize with scipy's nbinom, Nelder-Mead
    x, T = summary["frequency"].to_numpy(), summary["T_weeks"].to_numpy()

    def negloglik(log_params):
        r, alpha = np.exp(log_params)
        return -stats.nbinom.logpmf(x, r, alpha / (alpha + T)).sum()

    ref = np.exp(optimize.minimize(negloglik, np.log([1.0, 10.0]), method="Nelder-Mead",
                                   options={"xatol": 1e-9, "fatol": 1e-10, "maxiter": 4000}).x)
    for fit in fits:
        assert fit.params_[["r", "alpha"]].to_numpy() == pytest.approx(ref, rel=1e-4)


def test_no_interior_point_beats_the_boundary(summary, fits):
    bg, pareto = fits
    data = bg._full_data()
    r, alpha = bg.params_[["r", "alpha"]]
    for a in (0.01, 0.1, 1.0, 10.0):
        for b in (0.5, 5.0, 50.0, 5000.0):
            assert bg._loglik(np.log([r, alpha, a, b]), data) <= bg.loglik_ + 1e-6
            assert pareto._loglik(np.log([r, alpha, a, b]), pareto._full_data()) <= pareto.loglik_ + 1e-6


def test_predictions_are_the_limit_of_the_models_formulas(summary, fits):
    bg, pareto = fits
    x, t_x, T = (summary[c].to_numpy()[:200] for c in ("frequency", "recency_weeks", "T_weeks"))
    near_bg = bg.with_params({"r": bg.params_["r"], "alpha": bg.params_["alpha"], "a": 1e-9, "b": 1.0})
    near_bg.boundary_ = None
    near_pareto = pareto.with_params({"r": pareto.params_["r"], "alpha": pareto.params_["alpha"],
                                      "s": 1e-9, "beta": 1.0})
    for model, near in ((bg, near_bg), (pareto, near_pareto)):
        assert model.conditional_expected_purchases(26, x, t_x, T) == pytest.approx(
            near.conditional_expected_purchases(26, x, t_x, T), rel=1e-6)
        assert model.p_alive(x, t_x, T) == pytest.approx(near.p_alive(x, t_x, T), abs=1e-6)
        assert model.expected_purchases(np.array([10.0, 52.0])) == pytest.approx(
            near.expected_purchases(np.array([10.0, 52.0])), rel=1e-6)


def test_intervals_at_the_boundary(fits):
    for fit in fits:
        table = fit.summary(0.95)
        dropout = table.iloc[-1]
        assert dropout["estimate"] == 0 and dropout["ci_low"] == 0 and 0 < dropout["ci_high"] < 1
        r_low, r_high = table.loc["r", ["ci_low", "ci_high"]]
        assert r_low < fit.params_["r"] < r_high
        draws = fit.sample_params(20, seed=1)
        assert (draws.iloc[:, 2] == 0).all() and draws["r"].std() > 0


def test_boundary_loglik_is_the_nbd_loglik_at_the_limit(summary, fits):
    # at s = 0 the Pareto/NBD (and BG/NBD at a = 0) likelihood of (x, t_x, T) is the NBD's:
    # scipy's negative binomial pmf of x times the density x!/T^x of the x purchase times
    x, t_x, T = (summary[c].to_numpy(float) for c in ("frequency", "recency_weeks", "T_weeks"))
    for fit in fits:
        r, alpha = fit.params_[["r", "alpha"]]
        nbd = stats.nbinom.logpmf(x, r, alpha / (alpha + T)) + special.gammaln(x + 1) - x * np.log(T)
        assert fit.loglik_ == pytest.approx(nbd.sum(), rel=1e-10)
    # and the limit s → 0 of the hypergeometric form of the Pareto/NBD likelihood
    pareto = fits[1]
    common, first, second = _log_terms(np.r_[pareto.params_[["r", "alpha"]], 1e-9, 1.0], x, t_x, T)
    assert np.sum(common + np.logaddexp(first, second)) == pytest.approx(pareto.loglik_, abs=1e-4)


def test_pareto_quadrature_equals_the_hypergeometric_form_and_its_gradient_differences(summary):
    data = {"x": summary["frequency"].to_numpy(float)[:300], "t_x": summary["recency_weeks"].to_numpy(float)[:300],
            "T": summary["T_weeks"].to_numpy(float)[:300]}
    data["w"] = np.ones(300)
    # from β ≪ T (a share drops out almost at once) to β ≫ T (near the NBD limit)
    for params in ([0.5, 5, 1, 1e3], [0.5, 5, 0.01, 5.1], [0.8, 10, 0.3, 1e-5], [2, 3, 50, 1e5], [0.5, 5, 1, 1e7]):
        value, grad = clv.boundary.pareto_loglik_grad(np.log(params), data)
        common, first, second = _log_terms(np.asarray(params, float), data["x"], data["t_x"], data["T"])
        assert value == pytest.approx(np.sum(common + np.logaddexp(first, second)), abs=1e-7)
        assert grad == pytest.approx(numeric_gradient(
            lambda lp: clv.boundary.pareto_loglik_grad(lp, data, False)[0], np.log(params)), abs=1e-5)


def test_pareto_profile_interval_end_against_a_brute_force_profile():
    # the profile log-likelihood of the share q who drop out within τ, maximized by brute
    # force: Nelder-Mead over (r, α) on a grid of s with the hypergeometric likelihood
    # (scipy's hyp2f1), and the s → 0 limit (a share q gone at once) with scipy's nbinom.
    # The brute force is a lower bound of the profile, so "inside" is a strict check.
    summary = nbd_summary(250, 0.5, 5.0, 40.0, seed=3)
    fit = clv.ParetoNBD().fit(summary)
    assert fit.boundary_
    upper = fit.summary().iloc[-1]["ci_high"]
    x, t_x, T = (summary[c].to_numpy(float) for c in ("frequency", "recency_weeks", "T_weeks"))
    tau, start = T.mean(), np.log(fit.params_[["r", "alpha"]].to_numpy(float))

    def loglik(params):
        common, first, second = _log_terms(params, x, t_x, T)
        return float(np.sum(common + np.logaddexp(first, second)))

    def brute(q):
        best = -np.inf
        for s in np.exp(np.arange(-3.0, 6.0, 2.0)):
            beta = tau / np.expm1(-np.log1p(-q) / s)
            if beta < 1e-3:  # scipy's hyp2f1 loses accuracy near z = 1 (β ≪ α)
                continue
            res = optimize.minimize(lambda lp: -loglik(np.r_[np.exp(lp), s, beta]), start,
                                    method="Nelder-Mead", options={"xatol": 1e-4, "fatol": 1e-6})
            best = max(best, -res.fun)

        def zero_inflated(lp):
            r, alpha = np.exp(lp)
            nbd = stats.nbinom.logpmf(x, r, alpha / (alpha + T)) + special.gammaln(x + 1) - x * np.log(T)
            return -np.sum(np.where(x == 0, np.logaddexp(np.log1p(-q) + nbd, np.log(q)), np.log1p(-q) + nbd))

        return max(best, -optimize.minimize(zero_inflated, start, method="Nelder-Mead").fun)

    sup = max(fit.loglik_, max(brute(q) for q in (1e-4, 0.01)))
    target = sup - stats.chi2.ppf(0.95, 1) / 2
    assert brute(0.95 * upper) > target
    assert brute(1.05 * upper) < target
