"""Mass vs targeted campaign outcomes against direct sums of the true probabilities."""

import numpy as np
import pytest

from crm_analysis.marketing.campaign_roi import campaign_outcome, mass_vs_targeted, top_share_mask
from crm_analysis.data.synthetic import simulate_campaign


def test_hand_example():
    p = np.array([0.5, 0.1, 0.3, 0.0])
    out = campaign_outcome(p, [True, False, True, True], margin_per_response=10, contact_cost=1)
    assert out["contacts"] == 3
    assert out["expected_responses"] == pytest.approx(0.8)
    assert out["profit"] == pytest.approx(8 - 3)
    assert out["roi"] == pytest.approx(5 / 3)


def test_top_share_mask_picks_highest_scores():
    mask = top_share_mask([0.2, 0.9, 0.5, 0.1, 0.7], 0.4)
    assert mask.tolist() == [False, True, False, False, True]


def test_against_simulation_truth():
    frame, _ = simulate_campaign(n_customers=20_000, seed=3)
    p = frame["p_treated"].to_numpy()
    table = mass_vs_targeted(p, {"oracle": p}, target_share=0.2, margin_per_response=25,
                             contact_cost=1.0)
    n = p.size
    assert table.loc["mass", "profit"] == pytest.approx(25 * p.sum() - n)
    top = np.sort(p)[::-1][: int(np.ceil(0.2 * n))]
    assert table.loc["targeted (oracle)", "expected_responses"] == pytest.approx(top.sum())
    # choosing the most likely responders can only raise the response rate and ROI
    assert table.loc["targeted (oracle)", "roi"] > table.loc["mass", "roi"]


def test_bad_inputs():
    with pytest.raises(ValueError, match="probabilities"):
        campaign_outcome([0.5, 1.5], [True, True], 1, 1)
    with pytest.raises(ValueError, match="NaN"):
        top_share_mask([0.1, np.nan], 0.5)
    with pytest.raises(ValueError, match="shape"):
        campaign_outcome([0.5], [True, False], 1, 1)
