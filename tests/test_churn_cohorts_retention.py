"""Cohort tables by hand; retention targeting and the contact history on synthetic truth."""

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import train_test_split

from crm_analysis import churn
from crm_analysis.data.synthetic import simulate_contact_history, simulate_retention_campaign
from crm_analysis.data.synthetic.churn import RETENTION_FEATURES


def test_cohort_table_by_hand():
    tx = pd.DataFrame({
        "customer_id": ["a", "a", "a", "b", "b", "c"],
        "date": pd.to_datetime(["2024-01-05", "2024-01-20", "2024-03-02", "2024-01-10",
                                "2024-02-11", "2024-02-01"]),
        "amount": [10.0, 5.0, 7.0, 20.0, 4.0, 3.0],
    })
    tab = churn.cohort_table(tx)
    jan = tab[tab["cohort"] == pd.Period("2024-01", "M")].set_index("month")
    # January cohort: a, b (size 2); month 1: b; month 2: a
    assert jan["customers"].tolist() == [2, 1, 1]
    np.testing.assert_allclose(jan["retention"], [1.0, 0.5, 0.5])
    np.testing.assert_allclose(jan["revenue"], [35.0, 4.0, 7.0])
    feb = tab[tab["cohort"] == pd.Period("2024-02", "M")].set_index("month")
    assert feb["customers"].tolist() == [1, 0]  # c, then nothing in March; April unobserved
    assert churn.cohort_matrix(tab).loc[pd.Period("2024-02", "M"), 2] != churn.cohort_matrix(tab).loc[pd.Period("2024-02", "M"), 2]
    # as_of drops the March purchase: January's month 2 is then the partial last month
    cut = churn.cohort_table(tx, as_of="2024-02-29")
    assert cut["month"].max() == 1
    r = churn.retention_at(tab, 1)  # complete months only: January cohort's February
    assert r["estimate"] == pytest.approx(0.5) and r["customers"] == 2


@pytest.mark.parametrize("seed", [7, 1, 2])
def test_save_effect_times_value_beats_risk_targeting(seed):
    """The decision: the recommended list (largest estimated net value) is save effect ×
    value, and it beats risk-only and effect-only targeting on the estimated figures and on
    the truth."""
    frame, _ = simulate_retention_campaign(10000, seed=seed)
    train, test = train_test_split(frame, test_size=0.5, random_state=seed, stratify=frame["treated"])
    model = churn.fit_save_model(train, RETENTION_FEATURES, seed=seed, iterations=40)
    scores = churn.save_scores(model, test, RETENTION_FEATURES)
    table = churn.policy_table(test, scores, 0.2, 30.0, true_effect="save_effect")
    assert churn.recommend_policy(table) != "risk"
    assert table.loc["save effect × value", "true_net_value"] > table.loc["risk", "true_net_value"]
    assert table.loc["save effect × value", "net_value"] > table.loc["risk", "net_value"]
    assert table.loc["save effect × value", "true_net_value"] >= 0.97 * table.loc["save effect", "true_net_value"]
    # ROI and break-even follow from the table's own figures
    row = table.loc["save effect × value"]
    assert row["roi"] == pytest.approx((row["incremental_value"] - row["cost"]) / row["cost"])
    assert row["break_even_offer_cost"] * row["offered"] == pytest.approx(row["incremental_value"])


def test_estimated_incremental_value_tracks_the_truth():
    frame, _ = simulate_retention_campaign(40000, seed=3)
    everyone = np.ones(len(frame), dtype=bool)
    est = churn.retention.estimated_incremental_value(frame, everyone)
    true = float((frame["save_effect"] * frame["value"]).sum())
    # sd of the difference of two arm means of value × stayed (≈ 300) over 20,000 per arm
    se = len(frame) * 300 * np.sqrt(2 / 20000)
    assert abs(est - true) < 4 * se


def test_responsiveness_adjusted_covers_truth_and_naive_is_biased():
    hits, naive_above = 0, 0
    for seed in range(20):
        world, truth = simulate_contact_history(1500, seed=seed)
        eff = churn.responsiveness_effect(churn.contact_features(world["customers"], world["contacts"]))
        hits += eff.loc["adjusted", "ci_low"] <= truth.hr_response_day <= eff.loc["adjusted", "ci_high"]
        naive_above += eff.loc["unadjusted", "estimate"] > truth.hr_response_day
    assert hits >= 16  # 20 runs at 95 %: fewer than 16 hits has probability < 0.3 %
    assert naive_above >= 18


def test_contact_features_reject_unknown_customers():
    world, _ = simulate_contact_history(300, seed=1)
    missing = world["contacts"]["customer_id"].iloc[0]
    with pytest.raises(ValueError, match="not in the customers table"):
        churn.contact_features(world["customers"][world["customers"]["customer_id"] != missing],
                               world["contacts"])


def test_contract_frame_from_dates_and_flags():
    customers = pd.DataFrame({
        "customer_id": ["a", "b", "c"],
        "signup_date": pd.to_datetime(["2024-01-01", "2024-03-01", "2024-06-01"]),
        "end_date": pd.to_datetime(["2024-07-01", None, None]),
        "plan": ["x", "y", "x"], "email": ["p@q", "r@s", "t@u"], "fee": ["10.5", "20", "7"],
    })
    frame, attrs, left_out = churn.contract_frame(customers, as_of="2024-12-31")
    assert frame["fee"].tolist() == [10.5, 20.0, 7.0]
    assert frame["churned"].tolist() == [1, 0, 0]
    np.testing.assert_allclose(frame["tenure"], np.array([182, 305, 213]) / (365.25 / 12))
    assert attrs == ["plan", "fee"] and "email" not in attrs
    with pytest.raises(ValueError, match="needs 'tenure' and 'churned'"):
        churn.contract_frame(customers[["customer_id", "plan"]])
    with pytest.raises(ValueError, match=r"rows \[1\]"):
        churn.contract_frame(pd.DataFrame({"customer_id": ["a", "b"], "tenure": [3, -1], "churned": [0, 1]}))


def test_bgnbd_no_purchase_probability_is_calibrated():
    """On BG/NBD data the model's P(no purchase next quarter) averages to the observed share
    of customers without a purchase (SE of a share over 4,000 customers ≈ 0.006)."""
    from crm_analysis.data.synthetic import simulate_transactions

    tx, _ = simulate_transactions(4000, acquisition_weeks=52, seed=5)
    scores = churn.noncontractual.churn_scores_at(tx)
    assert abs(scores["p_no_purchase_bgnbd"].mean() - scores["lapsed"].mean()) < 4 * 0.006
    table = churn.noncontractual.compare_flags(scores, scores["lapsed"])
    assert table.loc["BG/NBD P(no purchase)", "auc"] > table.loc["BG/NBD P(alive) < threshold", "auc"]
