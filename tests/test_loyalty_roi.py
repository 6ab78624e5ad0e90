"""Program ROI and break-even against hand-computed economics."""

import numpy as np
import pytest

from crm_analysis.loyalty.roi import program_roi, roi_by_reward_rate

ECONOMICS = dict(n_members=100, member_spend=60_000.0, n_periods=6, margin_rate=0.3,
                 fixed_cost=500.0)
EFFECT = {"estimate": 5.0, "ci_low": 3.0, "ci_high": 7.0}


def test_roi_by_hand():
    result = program_roi(EFFECT, reward_rate=0.02, would_buy_anyway_share=0.875, **ECONOMICS)
    # incremental spend 5 * 100 * 6 = 3000, margin 900; cost 0.02 * 60000 + 500 = 1700
    assert result.incremental_spend == pytest.approx(3000.0)
    assert result.incremental_margin == pytest.approx(900.0)
    assert result.reward_cost == pytest.approx(1200.0)
    assert result.roi == pytest.approx((900 - 1700) / 1700)
    assert result.ci_low == pytest.approx((0.3 * 3 * 600 - 1700) / 1700)
    assert result.ci_high == pytest.approx((0.3 * 7 * 600 - 1700) / 1700)
    assert result.deadweight_survey == pytest.approx(0.875 * 1200)
    assert result.deadweight_effect == pytest.approx(0.02 * (60_000 - 3000))
    assert result.break_even_reward_rate == pytest.approx((900 - 500) / 60_000)
    # the effect's interval 3..7 maps to margins 540..1260 against the cost of 1700
    assert result.as_dict() == pytest.approx({"estimate": (900 - 1700) / 1700, "ci_low": (540 - 1700) / 1700,
                                              "ci_high": (1260 - 1700) / 1700})


def test_break_even_rate_gives_zero_roi_and_curve_falls():
    rate = program_roi(EFFECT, reward_rate=0.02, **ECONOMICS).break_even_reward_rate
    curve = roi_by_reward_rate(EFFECT, [0.001, rate, 0.05], **ECONOMICS)
    assert curve["estimate"].iloc[1] == pytest.approx(0.0, abs=1e-12)
    assert np.all(np.diff(curve["estimate"]) < 0)
    assert (curve["ci_low"] <= curve["estimate"]).all() and (curve["estimate"] <= curve["ci_high"]).all()


@pytest.mark.parametrize("change, message", [
    ({"margin_rate": 1.5}, "margin_rate"),
    ({"reward_rate": -0.1}, "reward_rate"),
    ({"n_members": 0}, "n_members"),
])
def test_bad_input_is_named(change, message):
    arguments = {**ECONOMICS, "reward_rate": 0.02, **change}
    with pytest.raises(ValueError, match=message):
        program_roi(EFFECT, **arguments)


def test_effect_needs_interval():
    with pytest.raises(ValueError, match="ci_low"):
        program_roi({"estimate": 1.0}, reward_rate=0.02, **ECONOMICS)
