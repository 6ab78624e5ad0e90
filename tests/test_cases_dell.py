"""Dell tier pyramid (notebook 13): rules, economics, migration, upgrade effects by hand,
and the upgrade effect's interval coverage over simulated panels."""

import numpy as np
import pandas as pd
import pytest

from crm_analysis import cases
from crm_analysis.data.synthetic import simulate_dell_accounts


def _panel():
    # accounts 1-4 over two periods; tiers and spend chosen for hand computation
    return pd.DataFrame({
        "account_id": [1, 2, 3, 4, 1, 2, 3, 4],
        "period": [1, 1, 1, 1, 2, 2, 2, 2],
        "tier": ["All", "All", "All", "Registered", "Registered", "All", "All", "Registered"],
        "spend": [100.0, 100.0, 200.0, 400.0, 150.0, 110.0, 180.0, 400.0],
    })


def test_assign_tiers_highest_rule_wins():
    frame = pd.DataFrame({"reg": [False, True, True, False], "con": [False, False, True, False],
                          "spend": [10.0, 10.0, 10.0, 900.0]})
    tiers = cases.assign_tiers(frame, flags={"Registered": "reg", "Contracted": "con"},
                               spend="spend", thresholds={"Platinum": 500})
    assert list(tiers.astype(str)) == ["All", "Registered", "Contracted", "Platinum"]
    with pytest.raises(ValueError, match="unknown tier"):
        cases.assign_tiers(frame, flags={"Gold": "reg"})


def test_tier_economics_by_hand():
    frame = pd.DataFrame({"tier": ["All", "All", "Platinum"], "spend": [100.0, 300.0, 1000.0]})
    table = cases.tier_economics(frame, margin_rate=0.2, cost_to_serve={"Platinum": 50})
    # All: 2 customers, revenue 400, margin 80, profit 80; Platinum: 1, 1000, 200, 150
    assert table.loc["All", ["customers", "revenue", "margin", "profit"]].tolist() == [2, 400, 80, 80]
    assert table.loc["Platinum", "profit"] == 150
    assert table.loc["Platinum", "profit_share"] == pytest.approx(150 / 230)
    assert table.loc["Registered", "customers"] == 0 and np.isnan(table.loc["Registered", "profit_per_customer"])


def test_migration_and_upgrade_effect_by_hand():
    panel = _panel()
    moves = cases.tier_migration(panel)
    assert moves.loc["All", "Registered"] == 1 and moves.loc["All", "All"] == 2
    assert moves.loc["Registered", "Registered"] == 1 and moves.to_numpy().sum() == 4
    effects = cases.upgrade_effects(panel)
    # one mover (account 1): log(150/100); stayers 2, 3: log(1.1), log(0.9) → too few movers
    assert effects.loc["All → Registered", "movers"] == 1
    assert np.isnan(effects.loc["All → Registered", "estimate"])
    two = pd.concat([panel, panel.assign(account_id=panel["account_id"] + 10,
                                         spend=panel["spend"] * [1, 1, 1, 1, 1.2, 1, 1, 1])])
    effects = cases.upgrade_effects(two)
    movers = np.log([1.5, 1.8])
    stayers = np.log([1.1, 0.9, 1.1, 0.9])
    assert effects.loc["All → Registered", "estimate"] == pytest.approx(movers.mean() - stayers.mean())
    se = np.sqrt(movers.var(ddof=1) / 2 + stayers.var(ddof=1) / 4)
    assert effects.loc["All → Registered", "std_err"] == pytest.approx(se)


def test_upgrade_value_by_hand():
    effects = pd.DataFrame({"estimate": [np.log(1.1)], "ci_low": [0.0], "ci_high": [np.log(1.2)],
                            "level": [0.95]}, index=["All → Registered"])
    panel = pd.DataFrame({"tier": ["All", "All", "Registered"], "spend": [100.0, 300.0, 50.0]})
    value = cases.upgrade_value(effects, panel, margin_rate=0.5, cost_to_serve={"Registered": 3},
                                feedback_per_account={"Registered": 2.0})
    # 10 % of the lower tier's mean spend 200 at margin 0.5 = 10; + feedback 2 − cost 3 = 9
    assert value.loc["All → Registered", "estimate"] == pytest.approx(9.0)
    assert value.loc["All → Registered", "ci_low"] == pytest.approx(-1.0)
    assert value.loc["All → Registered", "ci_high"] == pytest.approx(19.0)


def test_feedback_value_by_hand():
    items = pd.DataFrame({"tier": ["Platinum", "Platinum", "All"], "category": ["idea", "complaint", "idea"]})
    accounts = pd.DataFrame({"tier": ["Platinum", "All", "All"]})
    table = cases.feedback_value(items, accounts, {"idea": 0.5, "complaint": 1.0},
                                 {"idea": 100.0, "complaint": 10.0})
    assert table.loc["Platinum", "value"] == 60 and table.loc["All", "value_per_account"] == 25
    expected = cases.expected_feedback_value({"All": 0.5, "Platinum": 2.0}, {"idea": 0.5, "complaint": 0.5},
                                             {"idea": 0.5, "complaint": 1.0}, {"idea": 100.0, "complaint": 10.0})
    assert expected["Platinum"] == pytest.approx(2.0 * (0.5 * 50 + 0.5 * 10))
    with pytest.raises(ValueError, match="no adoption"):
        cases.feedback_value(items, accounts, {"idea": 0.5}, {"idea": 1.0})


def test_upgrade_effect_intervals_cover_the_truth():
    """100 simulated panels of 1,500 accounts over 4 years: the 95 % intervals of the two
    boundaries with hundreds of movers cover the true tier effect in 90–99 % of them; the
    Platinum boundary (tens of movers) in at least 85 %."""
    hits = []
    for seed in range(100):
        data, truth = simulate_dell_accounts(n_accounts=1500, seed=seed)
        effects = cases.upgrade_effects(data["accounts"])
        true = truth.upgrade_effects()["estimate"]
        hits.append(((effects["ci_low"] <= true) & (true <= effects["ci_high"])).to_numpy())
    rate = np.mean(hits, axis=0)
    assert 0.90 <= rate[0] <= 0.99 and 0.90 <= rate[1] <= 0.99, rate
    assert 0.85 <= rate[2] <= 0.99, rate
