"""Markov customer equity (crm_analysis.dynamics.equity): a published worked example, a
hand-worked example, a long simulation of the chain, the truncated series, and a
brute-force search over contact policies."""

import itertools

import numpy as np
import pandas as pd
import pytest

from crm_analysis import dynamics as dyn


def test_published_worked_example_pfeifer_carraway_toy_model():
    """The recency model of Pfeifer & Carraway (2000), "Modeling customer relationships as
    Markov chains", J. Interactive Marketing 14(2), 43–55, as worked with printed numbers in
    A. Celis, "Modelling customer relationships as Markov chains — overview of the work from
    P. E. Pfeifer and R. L. Carraway" (blog post, 2020-08-06; source
    github.com/celis/personal, jupyter/2020/08/06/customer-relationships-as-markov-chains.html):
    repurchase probabilities p = (0.3, 0.2, 0.15, 0.05) by recency 1–4, recency 5 absorbing,
    net contribution NC = 40 per purchase, marketing cost M = 4 per period, rewards
    R = (NC − M, −M, −M, −M, 0), no discounting. Printed: "In this case we obtain
    LV = 64.25" for a customer who has just bought; and when the firm stops at recency 4
    (R_4 = 0), which lowers p_4 to 0.01, "we get LV = 65.7".

    The paper's own (discounted) tables could not be read from here, so this is the
    published example reproduced; the discounted formula is checked against hand-worked
    values, a simulation and the truncated series below.
    """
    v = dyn.recency_equity([0.30, 0.20, 0.15, 0.05], margin_per_purchase=40, contact_cost=4,
                           period_discount_rate=0.0)
    assert round(v["1"], 2) == 64.25
    stop4 = dyn.recency_equity([0.30, 0.20, 0.15, 0.05], 40, 4, 0.0, contact=[True, True, True, False],
                               uncontacted_retention=[0, 0, 0, 0.01])
    assert round(stop4["1"], 1) == 65.7


def test_hand_worked_examples():
    """Derived by hand.

    k = 1 (states 1, lost), p = 0.3, M = 40, c = 4, d = 0.2:
        V1 = (M − c) + p V1 / (1 + d)  ⇒  V1 = 36 · 1.2 / 0.9 = 48.

    k = 2, p = (0.5, 0.2), M = 40, c = 4, d = 0.25 (1/(1+d) = 0.8):
        V2 = −4 + 0.8 · 0.2 · V1 = −4 + 0.16 V1
        V1 = 36 + 0.8 (0.5 V1 + 0.5 V2) = 36 + 0.4 V1 + 0.4 V2
           ⇒ V1 (1 − 0.4 − 0.064) = 36 − 1.6  ⇒  V1 = 34.4 / 0.536 = 4300/67,
        V2 = −4 + 0.16 · 4300/67 = 420/67.
    Finite horizon 2, same chain: V1 = 36 + 0.8 (0.5 · 36 + 0.5 · (−4)) = 48.8,
    V2 = −4 + 0.8 (0.2 · 36) = 1.76.
    """
    assert dyn.recency_equity([0.3], 40, 4, 0.2)["1"] == pytest.approx(48.0, abs=1e-12)
    v = dyn.recency_equity([0.5, 0.2], 40, 4, 0.25)
    assert v["1"] == pytest.approx(4300 / 67, abs=1e-10)
    assert v["2"] == pytest.approx(420 / 67, abs=1e-10)
    assert v["lost"] == 0
    v2 = dyn.recency_equity([0.5, 0.2], 40, 4, 0.25, horizon=2)
    assert v2["1"] == pytest.approx(48.8) and v2["2"] == pytest.approx(1.76)


def _series(P, R, d, T):
    total, Pt = np.zeros_like(R), np.eye(len(R))
    for t in range(T):
        total += Pt @ R / (1 + d) ** t
        Pt = Pt @ P
    return total


def test_closed_form_equals_truncated_series_and_finite_horizon():
    rng = np.random.default_rng(3)
    for _ in range(5):
        p = rng.uniform(0.02, 0.6, size=rng.integers(2, 7))
        d = rng.uniform(0.01, 0.3)
        P = dyn.recency_chain(p)
        R = dyn.recency_rewards(len(p), 50.0, 5.0)
        closed = dyn.markov_value(P, R, d).to_numpy()
        np.testing.assert_allclose(closed, _series(P.to_numpy(), R.to_numpy(), d, 3000), atol=1e-8)
        for T in (1, 4, 12):
            np.testing.assert_allclose(dyn.markov_value(P, R, d, horizon=T).to_numpy(),
                                       _series(P.to_numpy(), R.to_numpy(), d, T), atol=1e-10)


def test_closed_form_equals_long_simulation_of_the_chain():
    """Monte Carlo: 50,000 customers starting in each state, followed until all are lost
    (at most 400 periods), discounted rewards summed; the closed form lies within 4
    standard errors of the mean."""
    p, d, M, c = np.array([0.3, 0.2, 0.15, 0.05]), 0.05, 40.0, 4.0
    v = dyn.recency_equity(p, M, c, d).to_numpy()
    k = p.size
    rng = np.random.default_rng(11)
    n = 50_000
    for start in range(k):
        state = np.full(n, start)  # 0-based; k = lost
        total = np.zeros(n)
        for t in range(400):
            if (state == k).all():
                break
            reward = np.where(state == 0, M, 0.0) - np.where(state < k, c, 0.0)
            total += reward / (1 + d) ** t
            alive = state < k
            buy = alive & (rng.random(n) < p[np.minimum(state, k - 1)])
            state = np.where(buy, 0, np.where(alive, state + 1, k))
        se = total.std(ddof=1) / np.sqrt(n)
        assert abs(total.mean() - v[start]) < 4 * se, (start, total.mean(), v[start], se)


def test_optimal_policy_equals_brute_force_over_all_policies():
    rng = np.random.default_rng(5)
    for _ in range(8):
        k = int(rng.integers(2, 6))
        p = np.sort(rng.uniform(0.01, 0.5, k))[::-1]
        q = p * rng.uniform(0, 0.5, k)
        M, c, d = rng.uniform(10, 60), rng.uniform(1, 8), rng.uniform(0.01, 0.2)
        best = dyn.optimal_contact_policy(p, M, c, d, uncontacted_retention=q)
        values = np.array([dyn.recency_equity(p, M, c, d, contact=list(pol), uncontacted_retention=q).to_numpy()
                           for pol in itertools.product([False, True], repeat=k)])
        # the optimal policy's value is the state-wise maximum over all 2^k policies
        np.testing.assert_allclose(best["value"].to_numpy(), values.max(axis=0), atol=1e-9)


def test_equity_interval_and_projection_consistent():
    counts = pd.DataFrame([[30, 70, 0], [20, 0, 80], [0, 0, 100]], index=["1", "2", "lost"],
                          columns=["1", "2", "lost"])
    table = dyn.equity_interval(counts, 40, 4, 0.1, n_draws=500, seed=1)
    point = dyn.recency_equity([0.3, 0.2], 40, 4, 0.1)
    np.testing.assert_allclose(table["estimate"].to_numpy(), point.to_numpy())
    assert (table["ci_low"] <= table["estimate"]).all() and (table["estimate"] <= table["ci_high"]).all()
    sizes, rewards = [100, 50, 10], [20.0, 0.0, 0.0]
    proj = dyn.project_segments(counts.div(counts.sum(axis=1), axis=0), sizes, rewards, 0.1, 6)
    eq = dyn.projected_equity(counts, sizes, rewards, 0.1, 6, n_draws=200)
    assert eq.loc["projected_equity", "estimate"] == pytest.approx(proj["present_value"].iloc[1:].sum())
    # hand check of one step: sizes @ P
    np.testing.assert_allclose(proj.iloc[1][["1", "2", "lost"]].to_numpy(), [40, 70, 50])


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="recency_retention"):
        dyn.recency_chain([0.2, -0.1])
    with pytest.raises(ValueError, match="contact"):
        dyn.recency_equity([0.2, 0.1], 40, 4, 0.1, contact=[True])
    with pytest.raises(ValueError, match="period_discount_rate"):
        dyn.recency_equity([0.2], 40, 4, -2)
