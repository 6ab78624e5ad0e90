"""Member waterfall: each rule on a hand-made table; the steps add up; and over several
simulated member bases the steps match the true composition within sampling error."""

import numpy as np
import pandas as pd
import pytest

from crm_analysis.audit import base_alternatives, member_waterfall
from crm_analysis.data.synthetic import simulate_member_base

AS_OF = "2025-12-31"


def test_each_rule_on_a_hand_made_table():
    customers = pd.DataFrame({
        "customer_id": ["dup1", "dup2", "hunter", "trial", "lapsed", "sub", "poor", "good"],
        "registration_date": pd.to_datetime(["2024-06-01", "2024-07-01"] + ["2024-06-01"] * 6),
        "channel": ["web", "event", "event", "web", "web", "web", "web", "event"],
        "share_of_wallet": [0.5, 0.5, 0.5, 0.5, 0.5, 0.05, 0.5, 0.5],
    })
    days = pd.date_range("2025-01-05", "2025-12-25", freq="10D")
    tx = [("dup1", d, 100.0) for d in days] + [("hunter", pd.Timestamp("2024-06-10"), 20.0)]
    tx += [("trial", pd.Timestamp("2025-03-01"), 50.0), ("lapsed", pd.Timestamp("2025-01-01"), 80.0),
           ("lapsed", pd.Timestamp("2025-03-01"), 80.0)]
    tx += [(who, d, amount) for who, amount in [("sub", 100.0), ("poor", 5.0), ("good", 100.0)] for d in days]
    transactions = pd.DataFrame(tx, columns=["customer_id", "date", "amount"])
    clusters = pd.Series([0, 0, 1, 2, 3, 4, 5, 6], index=customers["customer_id"])
    w = member_waterfall(customers, transactions, clusters, as_of=AS_OF, lapse_days=120, min_monthly_spend=40)
    steps = w.steps.set_index("step")["members"]
    # the hunter's only purchase was within the 30-day grace after registering
    assert steps.to_dict() == {"registered": 8, "duplicate": 1, "prize_hunter": 1, "trial_only": 1, "lapsed": 1,
                               "sub_site": 1, "no_power": 1, "meaningful": 2}
    assert w.persons.loc[0, "member_class"] == "meaningful"  # the merged person, registered also via event
    assert w.meaningful_share == 2 / 8
    # without a share of wallet the sub-site step is skipped and says so
    w2 = member_waterfall(customers.drop(columns="share_of_wallet"), transactions, clusters, as_of=AS_OF)
    row = w2.steps.set_index("step").loc["sub_site"]
    assert row["members"] == 0 and row["rule"].startswith("skipped")
    assert base_alternatives(w).to_dict() == {"registered": 8, "people": 7, "buyers": 7, "repeat_buyers": 5,
                                              "meaningful": 2}


@pytest.fixture(scope="module")
def worlds():
    return [simulate_member_base(2000, as_of=AS_OF, seed=seed) for seed in range(6)]


def test_steps_add_up_and_match_the_truth_within_sampling_error(worlds):
    for data, truth in worlds:
        clusters = pd.Series(truth.records["person_id"].to_numpy(), index=truth.records["customer_id"].to_numpy())
        w = member_waterfall(data["customers"], data["transactions"], clusters, as_of=AS_OF)
        steps = w.steps.set_index("step")["members"]
        assert steps.drop("registered").sum() == steps["registered"] == len(data["customers"])
        assert (w.steps["remaining"].iloc[-2] == steps["meaningful"])
        n = truth.n_persons
        for step, true_count in truth.composition.items():
            p = max(true_count / n, 1 / n)
            # misclassification must stay well inside the sampling error of the count
            assert abs(steps[step] - true_count) <= 3 * np.sqrt(n * p * (1 - p)), (step, steps[step], true_count)


def test_realised_composition_matches_the_design_over_seeds(worlds):
    shares = worlds[0][1].class_shares
    pooled = sum(t.composition for _, t in worlds).drop("duplicate")
    n = sum(t.n_persons for _, t in worlds)
    for cls, p in shares.items():
        assert abs(pooled[cls] / n - p) <= 4 * np.sqrt(p * (1 - p) / n), cls


def test_bad_input():
    customers = pd.DataFrame({"customer_id": ["a"], "registration_date": pd.to_datetime(["2024-01-01"])})
    tx = pd.DataFrame({"customer_id": ["a"], "date": pd.to_datetime(["2024-02-01"])})
    with pytest.raises(ValueError, match="transactions: missing column\\(s\\) 'amount'"):
        member_waterfall(customers, tx, as_of=AS_OF)
    with pytest.raises(ValueError, match="clusters lack customer ids \\['a'\\]"):
        member_waterfall(customers, tx.assign(amount=1.0), pd.Series([0], index=["b"]), as_of=AS_OF)
