"""Offer economics by hand; the budgeted assignment equals brute force and keeps the budget."""

import itertools

import numpy as np
import pandas as pd
import pytest

from crm_analysis.offers import (NO_OFFER, assign_offers, expected_offer_economics,
                                 offer_catalogue, offer_segments, segment_offer_matrix,
                                 single_offer_totals)


def _catalogue():
    return pd.DataFrame({
        "kind": ["monetary", "non-monetary"], "contact_cost": [1.0, 2.0],
        "fixed_reward": [5.0, 0.0], "reward_rate": [0.1, 0.0], "lift": [3.0, 1.0],
        "affinity_income": [1.0, 2.0], "affinity_frequent": [1.0, 1.0],
        "affinity_value": [1.0, 1.0]}, index=pd.Index(["cash", "agent"], name="offer"))


def test_expected_economics_by_hand():
    segments = pd.DataFrame({"income": [False, True], "frequent": [False, False],
                             "value": [False, False]})
    profit, cost = expected_offer_economics(segments, p_control=[0.1, 0.9],
                                            uplift=[0.05, 0.2], spend=[100.0, 50.0],
                                            catalogue=_catalogue(), margin_rate=0.4)
    # customer 0, cash: delta = 3 × 0.05 = 0.15, p = 0.25, cost = 1 + 0.25 × (5 + 10) = 4.75,
    # profit = 0.4 × 100 × 0.15 − 4.75 = 1.25
    assert cost.loc[0, "cash"] == pytest.approx(4.75)
    assert profit.loc[0, "cash"] == pytest.approx(1.25)
    # customer 1, agent (income affinity 2): delta = min(0.9 + 0.4, 1) − 0.9 = 0.1 (clipped)
    # cost = 2, profit = 0.4 × 50 × 0.1 − 2 = 0
    assert cost.loc[1, "agent"] == pytest.approx(2.0)
    assert profit.loc[1, "agent"] == pytest.approx(0.0, abs=1e-12)


def _brute_force(P, C, budget, caps=None):
    best = 0.0
    n, k = P.shape
    for choice in itertools.product(range(k + 1), repeat=n):
        picked = [(i, c) for i, c in enumerate(choice) if c < k]
        if any(sum(c == o for _, c in picked) > cap for o, cap in (caps or {}).items()):
            continue
        if sum(C[i, c] for i, c in picked) <= budget + 1e-9:
            best = max(best, sum(P[i, c] for i, c in picked))
    return best


@pytest.mark.parametrize("seed", range(12))
def test_assignment_equals_brute_force_and_keeps_budget(seed):
    rng = np.random.default_rng(seed)
    n, k = 5, 3
    P = pd.DataFrame(rng.normal(1.0, 2.0, (n, k)), columns=["a", "b", "c"])
    C = pd.DataFrame(rng.uniform(0.5, 4.0, (n, k)), columns=["a", "b", "c"])
    budget = rng.uniform(1.0, 10.0)
    result = assign_offers(P, C, budget, mip_rel_gap=0.0)
    assert result.budget_used <= budget + 1e-9
    assert result.expected_profit == pytest.approx(_brute_force(P.to_numpy(), C.to_numpy(),
                                                                budget), abs=1e-7)
    # the reported totals are those of the reported offers
    chosen = [(i, o) for i, o in enumerate(result.offer) if o != NO_OFFER]
    assert result.expected_profit == pytest.approx(sum(P.loc[i, o] for i, o in chosen))
    assert result.budget_used == pytest.approx(sum(C.loc[i, o] for i, o in chosen))


@pytest.mark.parametrize("seed", range(8))
def test_offer_caps_equal_brute_force(seed):
    """A cap on how many customers get one offer (max_offers) is one more constraint: the
    result equals brute force over all assignments that respect it, and keeps the cap."""
    rng = np.random.default_rng(100 + seed)
    n, k = 6, 3
    P = pd.DataFrame(rng.normal(1.5, 1.5, (n, k)), columns=["a", "b", "c"])
    C = pd.DataFrame(rng.uniform(0.5, 2.0, (n, k)), columns=["a", "b", "c"])
    budget, caps = rng.uniform(3.0, 12.0), {"a": 1, "c": 2}
    result = assign_offers(P, C, budget, mip_rel_gap=0.0, max_offers=caps)
    counts = result.offer.value_counts()
    assert all(counts.get(o, 0) <= cap for o, cap in caps.items())
    expected = _brute_force(P.to_numpy(), C.to_numpy(), budget, caps={0: 1, 2: 2})
    assert result.expected_profit == pytest.approx(expected, abs=1e-7)


def test_offer_caps_bad_input():
    P = pd.DataFrame([[1.0, 2.0]], columns=["a", "b"])
    with pytest.raises(ValueError, match="unknown offers"):
        assign_offers(P, P, 10.0, max_offers={"z": 1})
    with pytest.raises(ValueError, match="counts"):
        assign_offers(P, P, 10.0, max_offers={"a": -1})


def test_assignment_without_profitable_offers_gives_none():
    P = pd.DataFrame({"a": [-1.0, -2.0]})
    result = assign_offers(P, P.abs(), 10.0)
    assert (result.offer == NO_OFFER).all() and result.expected_profit == 0


def test_assignment_bad_inputs():
    P = pd.DataFrame({"a": [1.0, np.nan]})
    with pytest.raises(ValueError, match=r"rows \[1\]"):
        assign_offers(P, P.fillna(1), 5.0)
    with pytest.raises(ValueError, match="budget"):
        assign_offers(P.fillna(1), P.fillna(1), -1.0)


def test_single_offer_totals():
    P = pd.DataFrame({"a": [1.0, -3.0], "b": [0.5, 0.5]})
    t = single_offer_totals(P, P.abs())
    assert t.index.tolist() == ["b", NO_OFFER, "a"]
    assert t.loc["a", "expected_profit"] == -2.0 and t.loc["a", "expected_cost"] == 4.0


def test_catalogue_overrides_and_errors():
    cat = offer_catalogue(lift={"discount": 0.5})
    assert cat.loc["discount", "lift"] == 0.5
    with pytest.raises(ValueError, match="unknown offer"):
        offer_catalogue(lift={"coupon": 1.0})
    with pytest.raises(ValueError, match="unknown column"):
        offer_catalogue(price={"discount": 1.0})


def test_segments_and_matrix():
    frame = pd.DataFrame({"income": [70.0, 30.0], "frequency": [2, 9],
                          "monetary": [80.0, 10.0]})
    seg = offer_segments(frame, 60.0, 6, 45.0)
    assert seg["segment"].tolist() == ["high income · occasional · high value",
                                       "low income · frequent · low value"]
    cat = offer_catalogue()
    m = segment_offer_matrix(cat)
    assert m.shape == (8, len(cat))
    want = cat["lift"] * cat["affinity_income"] * cat["affinity_value"]
    np.testing.assert_allclose(m.loc["high income · occasional · high value"], want)
    with pytest.raises(ValueError, match=r"'monetary'.*rows \[1\]"):
        offer_segments(frame.assign(monetary=[1.0, np.nan]), 60.0, 6, 45.0)
