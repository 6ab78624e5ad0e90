"""Notebook 05_dynamic_customer_management: recorded figures against independent
computations (a pandas recount of the migration by calendar quarter, plain-numpy Markov
values, a brute force over contact policies), and the decision test at three seeds."""

import itertools

import numpy as np
import pandas as pd
import pytest

from crm_analysis.data import load_cdnow
from crm_analysis.data.synthetic import simulate_recency_chain

NB = "05_dynamic_customer_management"
P = [0.30, 0.20, 0.15, 0.05]  # the notebook's default recency_retention
M, C, D = 40.0, 4.0, 0.02  # margin_per_purchase, contact_cost, period_discount_rate


@pytest.fixture(scope="module")
def results(run_notebook):
    return run_notebook(NB)


def _quarterly_moves(tx: pd.DataFrame, last_quarters: int, k: int = 4) -> pd.DataFrame:
    """Independent recount with pandas calendar quarters: each customer's recency state at
    each quarter end (1 = bought that quarter, …, k, k+1 = lost), moves between consecutive
    quarter ends among the last ``last_quarters``, existing customers only."""
    q = tx["date"].dt.to_period("Q")
    bought = pd.crosstab(tx["customer_id"], q) > 0
    quarters = pd.period_range(q.min(), q.max(), freq="Q")
    bought = bought.reindex(columns=quarters, fill_value=False)
    idx = np.arange(len(quarters))
    last = np.where(bought.to_numpy(), idx, -1)
    last = np.maximum.accumulate(last, axis=1)
    state = np.where(last < 0, 0, np.minimum(idx - last + 1, k + 1))[:, -last_quarters:]
    a, b = state[:, :-1].ravel(), state[:, 1:].ravel()
    keep = a > 0
    return pd.crosstab(a[keep], b[keep])


def _repurchase(moves: pd.DataFrame, k: int = 4) -> dict:
    return {str(i): moves.loc[i, 1] / moves.loc[i].sum() for i in range(1, k + 1)}


def test_migration_matches_a_pandas_recount(results):
    tx, truth = simulate_recency_chain(n_customers=20000, retention=P, n_periods=8, end="2025-12-31", seed=7)
    moves = _quarterly_moves(tx, last_quarters=4)
    got = results["repurchase_probability"].value
    for state, p in _repurchase(moves).items():
        assert got[state]["estimate"] == pytest.approx(p, abs=1e-12)
        assert got[state]["ci_low"] < p < got[state]["ci_high"]
        assert got[state]["true"] == P[int(state) - 1]
    matrix = results["transition_matrix"].value
    assert matrix["4>lost"] == pytest.approx(moves.loc[4, 5] / moves.loc[4].sum(), abs=1e-12)
    assert matrix["lost>lost"] == 1.0


def _series_values(p, contact, horizon):
    """Plain loop over states: V_t(i) = R(i) + (1/(1+d)) E[V_{t-1}(next)] (value iteration)."""
    k = len(p)
    v = np.zeros(k + 1)
    for _ in range(horizon):
        new = np.zeros(k + 1)
        for i in range(k):
            buy = p[i] if contact[i] else 0.0
            reward = (M if i == 0 else 0.0) - (C if contact[i] else 0.0)
            nxt = v[i + 1] if i + 1 <= k else v[k]
            new[i] = reward + (buy * v[0] + (1 - buy) * nxt) / (1 + D)
        v = new
    return v


def test_markov_equity_and_policy_match_value_iteration_and_brute_force(results):
    np.testing.assert_allclose(results["markov_equity"].value, _series_values(P, [True] * 4, 3000), atol=1e-8)
    np.testing.assert_allclose(results["markov_equity_finite"].value, _series_values(P, [True] * 4, 8), atol=1e-10)
    best = max(itertools.product([False, True], repeat=4), key=lambda c: _series_values(P, c, 3000)[0])
    assert results["optimal_contact"].value == [*best, False]
    np.testing.assert_allclose(results["markov_equity_optimal"].value[0], _series_values(P, best, 3000)[0], atol=1e-8)


def test_cdnow_repurchase_matches_a_pandas_recount(results):
    moves = _quarterly_moves(load_cdnow(), last_quarters=6)
    got = results["cdnow_repurchase_probability"].value
    for state, p in _repurchase(moves).items():
        assert got[state] == pytest.approx(p, abs=1e-12)
    assert 0 <= results["cdnow_stationarity_p_value"].value <= 1


@pytest.mark.parametrize("seed", [7, 1, 2])
def test_decision_beats_the_alternatives(run_notebook, seed):
    """The recommended contact policy (optimal for the estimated probabilities) is worth at
    least as much as every alternative on the notebook's figures and under the true
    probabilities; offering only where the expected value is positive beats the other
    reactivation choices."""
    res = run_notebook(NB) if seed == 7 else run_notebook(NB, seed=seed)
    est, true = res["policy_values"].value, res["policy_values_truth"].value
    for name in est:
        assert est["optimal"] >= est[name] - 1e-9, (seed, name)
        assert true["optimal"] >= true[name] - 1e-9, (seed, name)
    assert true["optimal"] > true["contact until lost"] - 1e-9 and true["optimal"] > true["nobody"]
    offers = res["offer_policies"].value
    assert max(offers, key=offers.get) == "positive expected value"
    assert offers["positive expected value"] > offers["every candidate"]
    assert res["revitalisation_candidates"].value > 0
    pe = res["projected_equity"].value
    assert pe["ci_low"] < pe["estimate"] < pe["ci_high"]


@pytest.mark.real_data
def test_online_retail_through_a_data_profile(run_notebook, real_data_home, tmp_path_factory):
    """The analyst's path: UCI Online Retail described by a data profile (returns netted,
    lines without a customer dropped). With as_of 2011-09-30 the period ends are the
    calendar quarters 2010-Q4 … 2011-Q3, so a pandas recount by calendar quarter of the
    profile's own transactions gives the same repurchase probabilities. No customer can be
    in recency state 4 yet (the data start in December 2010), which the notebook reports."""
    from crm_analysis.data import load_profile

    profile = tmp_path_factory.mktemp("profile") / "online_retail.yaml"
    profile.write_text(
        "transactions:\n"
        f"  path: {real_data_home / 'online_retail.csv.gz'}\n"
        "  columns: {customer_id: CustomerID, date: InvoiceDate, order_id: InvoiceNo, product: StockCode,"
        " quantity: Quantity, unit_price: UnitPrice}\n"
        "  amount: quantity * unit_price\n  returns: net\n  missing_customer: drop\n  duplicates: keep\n")
    res = run_notebook(NB, data=str(profile), as_of="2011-09-30")
    moves = _quarterly_moves(load_profile(profile).transactions(as_of="2011-09-30"), last_quarters=4)
    got = res["repurchase_probability"].value
    for state in ("1", "2", "3"):
        assert got[state]["estimate"] == pytest.approx(moves.loc[int(state), 1] / moves.loc[int(state)].sum(), abs=1e-12)
    assert got["4"]["estimate"] is None and 4 not in moves.index
    assert "policy_values_truth" not in res and "cdnow_repurchase_probability" not in res
    est = res["policy_values"].value
    assert all(est["optimal"] >= v - 1e-9 for v in est.values())
