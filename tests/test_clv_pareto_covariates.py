"""Pareto/NBD with static covariates (CLVTools-style): the likelihood equals the plain
Pareto/NBD's hypergeometric form per customer, the zero-covariate model equals ParetoNBD,
the analytic gradient, coverage of the intervals over 100 simulated bases with known truth,
and the batched fitter equals the one-base fit."""

import numpy as np
import pytest

from crm_analysis.clv import CovariateParetoNBD, ParetoNBD
from crm_analysis.clv._fit import numeric_gradient
from crm_analysis.clv.pareto_covariates import fit_many, pareto_rows
from crm_analysis.data.synthetic import simulate_covariate_pareto_customers

SPEC = dict(purchase=["z1", "z2"], dropout=["z1"])


@pytest.fixture(scope="module")
def base():
    return simulate_covariate_pareto_customers(3000, seed=1)


def test_likelihood_is_the_pareto_nbd_hypergeometric_form(base):
    (summary, _), _ = base
    x, t_x, T = (summary[c].to_numpy(dtype=float) for c in ("frequency", "recency_weeks", "T_weeks"))
    plain = ParetoNBD().fit(summary)
    for r, alpha, s, beta in [(0.6, 5.0, 0.7, 11.0), (0.3, 1.0, 0.2, 0.5), (2.0, 20.0, 1.5, 100.0)]:
        ref = plain.with_params(dict(r=r, alpha=alpha, s=s, beta=beta)).loglik_per_customer(x, t_x, T)
        mine = pareto_rows(r, np.full(x.size, alpha), s, np.full(x.size, beta), x, t_x, T)
        assert mine == pytest.approx(ref, abs=1e-10)


def test_zero_covariate_model_is_pareto_nbd(base):
    (summary, z), _ = base
    plain, zero = ParetoNBD().fit(summary), CovariateParetoNBD().fit(summary)
    assert zero.params_.to_numpy() == pytest.approx(plain.params_.to_numpy(), rel=1e-5)
    # log-likelihood against the hypergeometric form (ParetoNBD.loglik_ comes from a quadrature
    # that is off by ~1e-5 per customer with ten or more purchases)
    cols = [summary[c] for c in ("frequency", "recency_weeks", "T_weeks")]
    at_zero = plain.with_params(dict(zip(("r", "alpha", "s", "beta"), zero.params_)))
    assert zero.loglik_ == pytest.approx(at_zero.loglik_per_customer(*cols).sum(), rel=1e-12)
    fitted = CovariateParetoNBD().fit(summary, z, **SPEC)
    # covariates all zero: the customer's predictions are the plain model's at the same r, α, s, β
    at = plain.with_params(dict(zip(("r", "alpha", "s", "beta"), fitted.params_.iloc[:4])))
    zeros = z.assign(z1=0.0, z2=0.0)
    assert fitted.p_alive(summary, zeros) == pytest.approx(at.p_alive(*cols), rel=1e-9)
    assert fitted.conditional_expected_purchases(26, summary, zeros) == pytest.approx(
        at.conditional_expected_purchases(26, *cols), rel=1e-9)


def test_analytic_gradient(base):
    (summary, z), _ = base
    fit = CovariateParetoNBD().fit(summary.head(1500), z.head(1500), **SPEC)
    lp = fit._log_params + 0.05
    _, grad = fit._loglik_grad(lp, fit._data)
    assert grad == pytest.approx(numeric_gradient(lambda v: fit._loglik(v, fit._data), lp), rel=1e-5, abs=1e-4)


def test_coefficient_intervals_cover_the_truth():
    # 100 simulated bases of 500 customers fitted at once: each 95% interval covers its truth
    # in 90-99%; two bases refitted one by one give the same table
    sims = [simulate_covariate_pareto_customers(500, seed=seed) for seed in range(100)]
    t = sims[0][1]
    true = {"r": t.r, "alpha": t.alpha, "s": t.s, "beta": t.beta,
            **{f"purchase:{k}": v for k, v in t.purchase.items()}, **{f"dropout:{k}": v for k, v in t.dropout.items()}}
    tables = fit_many([b for b, _ in sims], start=true, **SPEC)
    rate = np.mean([[tb.loc[k, "ci_low"] <= v <= tb.loc[k, "ci_high"] for k, v in true.items()] for tb in tables],
                   axis=0)
    assert np.all((rate >= 0.90) & (rate <= 0.99)), rate
    for i in (3, 57):
        one = CovariateParetoNBD().fit(*sims[i][0], **SPEC).summary()
        assert tables[i][["estimate", "std_err", "ci_low", "ci_high"]].to_numpy() == pytest.approx(
            one[["estimate", "std_err", "ci_low", "ci_high"]].to_numpy(), rel=1e-4)
