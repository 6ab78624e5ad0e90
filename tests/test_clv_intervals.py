"""Per-customer intervals: the predictive interval covers simulated customers' own futures
(BG/NBD and Pareto/NBD, at the true parameters), the point estimates equal customer_clv,
and the parameter interval widens with fewer customers.  (Coverage of the
parameter-uncertainty interval over repeated data sets: tests/test_clv_bgbb.py.)"""

import numpy as np
import pytest

from crm_analysis import clv
from crm_analysis.clv.intervals import customer_intervals, top_customer_intervals
from crm_analysis.data.synthetic import simulate_transactions

TRUE = {"bgnbd": ("r", "alpha", "a", "b"), "pareto_nbd": ("r", "alpha", "s", "beta")}


@pytest.fixture(scope="module")
def cdnow():
    from crm_analysis.data import load_cdnow

    s = clv.summarize_transactions(load_cdnow(sample=True), time_unit="W", calibration_end="1997-09-30",
                                   observation_end="1998-06-30")
    return s, clv.BGNBD().fit(s), clv.GammaGamma().fit(s)


@pytest.mark.parametrize("model", ["bgnbd", "pareto_nbd"])
def test_predictive_interval_covers_own_future(model):
    tx, truth = simulate_transactions(3000, model=model, seed=5)
    summary = clv.summarize_transactions(tx, time_unit="W", calibration_end="2024-12-31", observation_end=truth.end)
    fitted = (clv.BGNBD() if model == "bgnbd" else clv.ParetoNBD()).fit(summary)
    true_model = fitted.with_params({k: getattr(truth, k) for k in TRUE[model]})
    horizon = float(summary["holdout_weeks"].iloc[0])
    iv = customer_intervals(true_model, summary, horizon=horizon, n_draws=2, n_sims=1000, seed=2)
    h = summary["holdout_frequency"]
    rate = ((h >= iv["purchases_pred_low"]) & (h <= iv["purchases_pred_high"])).mean()
    assert 0.95 <= rate <= 0.995, rate


def test_point_estimates_equal_customer_clv(cdnow):
    summary, bg, gg = cdnow
    iv = customer_intervals(bg, summary, horizon=12, spend_model=gg, margin=0.3, annual_discount_rate=0.1,
                            n_draws=20, n_sims=50)
    ref = clv.customer_clv(bg, gg, summary, horizon=12, annual_discount_rate=0.1, margin=0.3)
    assert iv["clv"].to_numpy() == pytest.approx(ref["clv"].to_numpy(), rel=1e-12)
    assert iv["p_alive"].to_numpy() == pytest.approx(ref["p_alive"].to_numpy(), rel=1e-12)
    assert np.all(iv["clv_low"] <= iv["clv_high"]) and np.all(iv["purchases_pred_low"] <= iv["purchases_pred_high"])


def test_parameter_interval_shrinks_with_more_customers():
    # same true process, 4x the customers: the parameter interval of E[Y] is about half as wide
    widths = []
    for n in (2000, 8000):
        tx, truth = simulate_transactions(n, seed=9)
        s = clv.summarize_transactions(tx, time_unit="W", observation_end=truth.end)
        iv = customer_intervals(clv.BGNBD().fit(s), s.iloc[:200], horizon=26, n_draws=300, n_sims=10)
        widths.append(float((iv["expected_purchases_high"] - iv["expected_purchases_low"]).median()))
    assert 0.35 < widths[1] / widths[0] < 0.7


def test_top_customers_and_bad_column(cdnow):
    summary, bg, gg = cdnow
    iv = customer_intervals(bg, summary, horizon=12, spend_model=gg, n_draws=10, n_sims=20)
    top = top_customer_intervals(iv, 10)
    assert list(top.index) == list(iv["clv"].sort_values(ascending=False).index[:10])
    with pytest.raises(ValueError, match="no column 'clv'"):
        top_customer_intervals(iv.drop(columns="clv"))
