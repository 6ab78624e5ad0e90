"""Notebook 01's recorded figures against the synthetic world's truth, computed here
independently of the notebook's code path."""

import numpy as np
import pandas as pd
import pytest

from crm_analysis.data.synthetic import simulate_campaign, simulate_transactions

PARAMS = dict(seed=7, n_customers=3000, n_campaign=10000, as_of="2025-06-30",
              target_share=0.2, contact_cost=1.0, margin_per_response=25.0)


@pytest.fixture(scope="module")
def results(run_notebook):
    return {k: r.value for k, r in run_notebook("01_crm_vs_mass_marketing", **PARAMS).items()}


@pytest.fixture(scope="module")
def truth():
    as_of = pd.Timestamp(PARAMS["as_of"])
    start = as_of - pd.DateOffset(years=2) + pd.Timedelta(days=1)
    _, t = simulate_transactions(n_customers=PARAMS["n_customers"], start=start, end=as_of,
                                 acquisition_weeks=52, seed=PARAMS["seed"])
    return t.customers


def test_market_and_wallet_shares(results, truth):
    assert results["market_share"] == pytest.approx(truth["spend"].sum() / truth["category_spend"].sum())
    # share of wallet ~ Beta(2, 3): population mean 0.4, sd 0.2 → 4 standard errors
    assert results["mean_share_of_wallet"] == pytest.approx(0.4, abs=4 * 0.2 / np.sqrt(3000))


def test_concentration(results, truth):
    spend = np.sort(truth["spend"].to_numpy())
    assert results["top20_revenue_share"] == pytest.approx(spend[-600:].sum() / spend.sum())
    pairs = np.abs(spend[:, None] - spend[None, :]).sum()
    assert results["gini"] == pytest.approx(pairs / (2 * spend.size**2 * spend.mean()))


def test_campaign_returns(results):
    frame, _ = simulate_campaign(n_customers=PARAMS["n_campaign"], seed=PARAMS["seed"])
    p = frame["p_treated"].to_numpy()
    n = p.size
    assert results["roi_mass"] == pytest.approx((25.0 * p.sum() - n) / n)
    k = int(np.ceil(0.2 * n))
    oracle_roi = (25.0 * np.sort(p)[-k:].sum() - k) / k
    assert results["roi_mass"] < results["roi_targeted"] <= oracle_roi + 1e-9


SMALL = dict(n_customers=1500, n_campaign=8000, as_of="2025-06-30")


@pytest.mark.parametrize("params", [{}, dict(SMALL, seed=7), dict(SMALL, seed=3)],
                         ids=["default", "seed7", "seed3"])
def test_decision_recommends_the_most_profitable_list(run_notebook, params):
    """The Decision recommends the list of highest forecast profit; on the simulation's truth
    that list earns at least as much as mass mailing and the top-share list."""
    r = {k: v.value for k, v in run_notebook("01_crm_vs_mass_marketing", **params).items()}
    lists = {k.removeprefix("forecast_profit_") for k in r if k.startswith("forecast_profit_")}
    assert len(lists) == 3
    key = r["recommended_campaign"].replace(" ", "_").replace("-", "_").replace("%", "pct")
    assert r[f"forecast_profit_{key}"] == max(r[f"forecast_profit_{k}"] for k in lists)
    assert r[f"true_profit_{key}"] == pytest.approx(max(r[f"true_profit_{k}"] for k in lists), rel=0.01)
    assert r[f"true_profit_{key}"] >= r["profit_targeted"] and r[f"true_profit_{key}"] >= r["profit_mass"] * 0.99
