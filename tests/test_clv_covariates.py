"""BG/NBD with static covariates: coverage of the coefficient intervals over repeated
simulations with known truth, the zero-covariate model equals BG/NBD, the gradient, errors."""

import numpy as np
import pytest

from crm_analysis.clv import BGNBD
from crm_analysis.clv._fit import numeric_gradient
from crm_analysis.clv.covariates import CovariateBGNBD
from crm_analysis.data.synthetic import simulate_covariate_customers

SPEC = dict(purchase=["z1", "z2"], dropout=["z1"])


def test_coefficient_intervals_cover_the_truth():
    # 100 simulated bases of 1,000 customers: each 95% interval covers its truth in 90-99%
    covered = []
    for seed in range(100):
        (summary, z), truth = simulate_covariate_customers(1000, seed=seed)
        ci = CovariateBGNBD().fit(summary, z, **SPEC).conf_int(0.95)
        true = {"r": truth.r, "alpha": truth.alpha, "a": truth.a, "b": truth.b,
                **{f"purchase:{k}": v for k, v in truth.purchase.items()},
                **{f"dropout:{k}": v for k, v in truth.dropout.items()}}
        covered.append([ci.loc[k, "ci_low"] <= v <= ci.loc[k, "ci_high"] for k, v in true.items()])
    rate = np.mean(covered, axis=0)
    assert np.all((rate >= 0.90) & (rate <= 0.99)), rate


def test_zero_covariate_model_is_bgnbd():
    (summary, z), _ = simulate_covariate_customers(3000, seed=3)
    plain, zero = BGNBD().fit(summary), CovariateBGNBD().fit(summary)
    assert zero.params_.to_numpy() == pytest.approx(plain.params_.to_numpy(), rel=1e-5)
    assert zero.loglik_ == pytest.approx(plain.loglik_, rel=1e-12)
    # the likelihood itself is BG/NBD's at any parameters (zero coefficients or no covariates)
    fitted = CovariateBGNBD().fit(summary, z, **SPEC)
    theta = np.r_[np.log([0.5, 4.0, 0.9, 2.0]), 0.0, 0.0, 0.0]
    plain_ll = plain._loglik(theta[:4], BGNBD._data_from(*(summary[c].to_numpy() for c in
                                                             ("frequency", "recency_weeks", "T_weeks"))))
    assert fitted._loglik(theta, fitted._data) == pytest.approx(plain_ll, rel=1e-12)
    assert fitted.p_alive(summary, z.assign(z1=0.0, z2=0.0)) == pytest.approx(
        plain.with_params(dict(zip(("r", "alpha", "a", "b"), fitted.params_.iloc[:4]))).p_alive(
            summary["frequency"], summary["recency_weeks"], summary["T_weeks"]), rel=1e-12)


def test_gradient_and_bad_covariates():
    (summary, z), _ = simulate_covariate_customers(1500, seed=4)
    fit = CovariateBGNBD().fit(summary, z, **SPEC)
    lp = fit._log_params + 0.05
    _, grad = fit._loglik_grad(lp, fit._data)
    assert grad == pytest.approx(numeric_gradient(lambda v: fit._loglik(v, fit._data), lp), rel=1e-5, abs=1e-4)
    with pytest.raises(ValueError, match=r"missing column\(s\) \['z9'\]"):
        CovariateBGNBD().fit(summary, z, purchase=["z9"])
    bad = z.copy()
    bad.iloc[5, 0] = np.nan
    with pytest.raises(ValueError, match=r"column 'z1' is missing or not numeric for 1 customers"):
        CovariateBGNBD().fit(summary, bad, **SPEC)
