"""Flat vs risk-based premiums by segment, checked against the synthetic truth."""

import numpy as np
import pytest

from crm_analysis.data.synthetic import simulate_insurance_portfolio
from crm_analysis.insurance.metrics import exposure_bins
from crm_analysis.insurance.segments import segment_pricing

LOADING = 0.10


@pytest.fixture(scope="module")
def oracle_table():
    frame, truth = simulate_insurance_portfolio(n_policies=200_000, seed=21)
    table = segment_pricing(frame["claim_amount"], truth.expected_pure_premium, frame["exposure"],
                            n_segments=5, loading=LOADING)
    return frame, truth, table


def test_both_tariffs_collect_the_same_total(oracle_table):
    frame, _, table = oracle_table
    total = (1 + LOADING) * frame["claim_amount"].sum()
    assert (table["flat_premium"] * table["exposure"]).sum() == pytest.approx(total)
    assert (table["risk_premium"] * table["exposure"]).sum() == pytest.approx(total)
    assert table["exposure"].sum() == pytest.approx(frame["exposure"].sum())
    assert table["flat_premium"].nunique() == 1


def test_risk_based_loss_ratio_is_on_target_and_flat_one_follows_true_cost(oracle_table):
    frame, truth, table = oracle_table
    expo = frame["exposure"].to_numpy()
    segment = exposure_bins(truth.expected_pure_premium, expo, 5)
    true_cost = np.bincount(segment, expo * truth.expected_pure_premium)[1:] / table["exposure"].to_numpy()
    # each segment's claims: about 5,000 claims of CV 1/√2 plus Poisson count noise → CV ≈ 1.7%
    claims = np.bincount(segment, frame["claim_count"].to_numpy())[1:]
    tol = 4 * np.sqrt((1 + 1 / truth.severity_shape) / claims)
    target = 1 / (1 + LOADING)
    assert np.all(np.abs(table["loss_ratio_risk"] / target - 1) < tol + 0.01)
    expected_flat = true_cost / table["flat_premium"].to_numpy()
    assert np.all(np.abs(table["loss_ratio_flat"] / expected_flat - 1) < tol + 0.02)
    # low risks are over-charged, high risks under-charged
    assert table["overcharge"].iloc[0] > 0 > table["overcharge"].iloc[-1]
    assert table["loss_ratio_flat"].is_monotonic_increasing


def test_invalid_loading_and_inputs():
    with pytest.raises(ValueError, match="loading"):
        segment_pricing([1.0], [1.0], [1.0], loading=-1)
    with pytest.raises(ValueError, match=r"predicted_pure_premium .*rows \[0\]"):
        segment_pricing([1.0, 2.0], [-1.0, 1.0], [1.0, 1.0])
