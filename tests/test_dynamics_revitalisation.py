"""Revitalisation list (crm_analysis.dynamics.revitalisation): hand-made histories give the
stated reasons, the ranking does not depend on row order, and the numbers are BG/NBD's."""

import numpy as np
import pandas as pd
import pytest

from crm_analysis import dynamics as dyn
from crm_analysis.clv import BGNBD, summarize_transactions
from crm_analysis.data.synthetic import simulate_recency_chain


@pytest.fixture(scope="module")
def log():
    tx, _ = simulate_recency_chain(n_customers=3000, n_periods=6, seed=21)
    # three hand-made customers on top of the simulated base
    extra = [("Z_stopped", d, 50.0) for d in pd.date_range("2024-01-10", "2025-06-10", freq="MS")]
    extra += [("Z_small", d, 80.0) for d in ("2024-02-01", "2024-05-01", "2024-08-01", "2025-02-01", "2025-05-01")]
    extra += [("Z_small", "2025-11-01", 5.0)]
    extra += [("Z_steady", d, 40.0) for d in pd.date_range("2024-01-15", "2025-12-15", freq="MS")]
    extra = pd.DataFrame(extra, columns=["customer_id", "date", "amount"]).assign(date=lambda f: pd.to_datetime(f["date"]))
    return pd.concat([tx, extra], ignore_index=True)


@pytest.fixture(scope="module")
def revital(log):
    return dyn.revitalisation_list(log, now="2025-12-31", before="2025-09-30", margin_rate=0.3,
                                   horizon_weeks=13, offer_cost=2, offer_response=0.3)


def test_reasons_of_hand_made_customers(revital):
    stopped = revital.loc["Z_stopped"]  # monthly buyer whose last purchase was 2025-06-01
    assert stopped["candidate"] and stopped["lower_frequency"] and stopped["longer_gap"]
    assert not stopped["smaller_baskets"]
    small = revital.loc["Z_small"]  # quarterly buyer of 80, one purchase of 5 in the last quarter
    assert small["smaller_baskets"] and not small["lower_frequency"]
    steady = revital.loc["Z_steady"]  # monthly buyer who kept buying
    assert steady["reasons"] == "none seen"
    assert steady["value_at_stake"] < stopped["value_at_stake"]


def test_values_follow_the_bgnbd_model(log, revital):
    """Independent evaluation: the same BG/NBD fit, P(alive) and expected purchases from its
    own methods on summaries at the two dates, spend per purchase day by a groupby."""
    tx = log[log["date"] <= "2025-12-31"]
    s_now = summarize_transactions(tx, time_unit="W", observation_end="2025-12-31")
    s_before = summarize_transactions(tx[tx["date"] <= "2025-09-30"], time_unit="W", observation_end="2025-09-30")
    model = BGNBD().fit(s_now)
    ids = ["Z_stopped", "Z_small", "Z_steady", revital.index[0]]
    b, n = s_before.loc[ids], s_now.loc[ids]
    exp_b = model.conditional_expected_purchases(13, b["frequency"], b["recency_weeks"], b["T_weeks"])
    exp_n = model.conditional_expected_purchases(13, n["frequency"], n["recency_weeks"], n["T_weeks"])
    daily = tx.groupby(["customer_id", tx["date"].dt.floor("D")])["amount"].sum().groupby(level=0).mean()
    expected = (exp_b - exp_n) * daily.loc[ids].to_numpy() * 0.3
    np.testing.assert_allclose(revital.loc[ids, "value_at_stake"].to_numpy(), expected, rtol=1e-5)
    alive = model.p_alive(n["frequency"], n["recency_weeks"], n["T_weeks"])
    np.testing.assert_allclose(revital.loc[ids, "offer_value"].to_numpy(), 0.3 * alive * expected - 2, rtol=1e-5)


def test_ranking_is_invariant_to_row_order(log, revital):
    shuffled = log.sample(frac=1, random_state=3).reset_index(drop=True)
    again = dyn.revitalisation_list(shuffled, now="2025-12-31", before="2025-09-30", margin_rate=0.3,
                                    horizon_weeks=13, offer_cost=2, offer_response=0.3)
    pd.testing.assert_frame_equal(again, revital)
    assert (np.diff(revital["value_at_stake"].to_numpy()) <= 0).all()


def test_offer_policies_and_bad_input(revital):
    offers = dyn.offer_policies(revital)
    positive = revital["offer_value"] > 0
    assert offers.loc["positive expected value", "offers"] == positive.sum()
    assert offers.loc["positive expected value", "expected_value"] == pytest.approx(revital["offer_value"][positive].sum())
    assert offers["expected_value"].idxmax() == "positive expected value"
    with pytest.raises(ValueError, match="before"):
        dyn.revitalisation_list(revital.reset_index(), now="2025-01-01", before="2025-06-01")


def test_unfittable_history_gets_a_clear_error():
    """A small homogeneous chain: every customer drops out at the same rate, BG/NBD's a and b
    run off to infinity; the error says so and names the remedy."""
    tx, _ = simulate_recency_chain(n_customers=1500, n_periods=6, seed=2)
    with pytest.raises(ValueError, match="BG/NBD model cannot be fitted"):
        dyn.revitalisation_list(tx, now=tx["date"].max(), before="2025-09-30")
