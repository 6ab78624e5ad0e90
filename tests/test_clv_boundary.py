"""BG/NBD and Pareto/NBD when the maximum-likelihood estimate lies on the no-drop-out
boundary: the NBD limit is found, checked against an independent NBD fit (scipy's
negative binomial), no interior point beats it, and predictions are the limit of the
models' own formulas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats

from crm_analysis import clv


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
