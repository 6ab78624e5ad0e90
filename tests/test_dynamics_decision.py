"""dynamics_decision: the recommendation follows the figures it is given."""

import pandas as pd

from crm_analysis import dynamics as dyn


def _inputs(p_value, offer_values):
    optimal = dyn.optimal_contact_policy([0.3, 0.2, 0.15, 0.05], 40, 4, 0.02)
    values = dyn.compare_policies([0.3, 0.2, 0.15, 0.05], 40, 4, 0.02, dyn.standard_policies(4, optimal["contact"]))
    stationarity = pd.DataFrame({"statistic": [1.0], "df": [1], "p_value": [p_value], "n": [10]}, index=["all states"])
    offers = pd.DataFrame({"offers": [3, 10, 2, 0], "expected_value": offer_values},
                          index=["positive expected value", "every candidate", "top 10% by value at stake", "nobody"])
    return values, optimal, stationarity, offers


def test_recommendations_follow_the_numbers():
    out = dyn.dynamics_decision(*_inputs(0.5, [30.0, -5.0, 10.0, 0.0]), projected_equity=1000.0, horizon=8)
    assert out["best_policy"] == "optimal" and out["contact_states"] == ["1", "2", "3"] and out["stop_states"] == ["4"]
    assert out["stationary"] and "no change" in out["lines"][2]
    assert "positive expected value" in out["lines"][1] and "30" in out["lines"][1]
    values, optimal, stationarity, offers = _inputs(0.001, [0.0, -5.0, -1.0, 0.0])
    offers.loc["positive expected value", "offers"] = 0
    changed = dyn.dynamics_decision(values, optimal, stationarity, offers, projected_equity=1000.0, horizon=8)
    assert not changed["stationary"] and "Re-estimate" in changed["lines"][2]
    # when every offer loses money, doing nothing is what the numbers say
    assert "Do not send" in changed["lines"][1]
    none = dyn.dynamics_decision(*_inputs(0.5, [1.0, 0.0, 0.0, 0.0])[:3], None, 1000.0, 8)
    assert "could not be built" in none["lines"][1]
