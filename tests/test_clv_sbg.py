"""sBG: Fader & Hardie (2007) estimates, DEL/DERL against direct sums, interval coverage in tests/test_clv_coverage.py."""

import numpy as np
import pytest
from results import fader_hardie as fh

from crm_analysis.clv import ShiftedBetaGeometric


@pytest.mark.parametrize("series,ref", [(fh.SBG_REGULAR_SURVIVORS, fh.SBG_REGULAR),
                                        (fh.SBG_HIGHEND_SURVIVORS, fh.SBG_HIGHEND)])
def test_reproduces_fader_hardie_2007(series, ref):
    fit = ShiftedBetaGeometric().fit(series[: fh.SBG_CALIBRATION_YEARS + 1])
    assert round(fit.params_["alpha"], 3) == ref["alpha"]
    assert round(fit.params_["beta"], 3) == ref["beta"]


def test_del_and_derl_equal_direct_sums():
    fit = ShiftedBetaGeometric().fit(fh.SBG_REGULAR_SURVIVORS[:8])
    d = 0.10
    t = np.arange(0, 5000)
    survival = fit.survival(t)
    assert fit.discounted_expected_lifetime(d) == pytest.approx(np.sum(survival / (1 + d) ** t), rel=1e-9)
    for n in (1, 4):
        k = np.arange(0, 5000)
        direct = np.sum(fit.survival(n + k) / fit.survival(n - 1) / (1 + d) ** k)
        assert fit.discounted_expected_residual_lifetime(d, n) == pytest.approx(direct, rel=1e-9)
    assert fit.retention_rate(3) == pytest.approx(fit.survival(3) / fit.survival(2))


def test_fit_lifetimes_equals_survivor_counts():
    survivors = np.array(fh.SBG_HIGHEND_SURVIVORS[:8])
    lost = -np.diff(survivors)
    periods = np.concatenate([np.repeat(np.arange(1, 8), lost), np.full(survivors[-1], 7)])
    churned = np.concatenate([np.ones(lost.sum(), bool), np.zeros(survivors[-1], bool)])
    a = ShiftedBetaGeometric().fit(survivors)
    b = ShiftedBetaGeometric().fit_lifetimes(periods, churned)
    assert b.params_.to_numpy() == pytest.approx(a.params_.to_numpy(), rel=1e-6)



def test_bad_survivors_named():
    with pytest.raises(ValueError, match=r"non-increasing; bad at periods \[2\]"):
        ShiftedBetaGeometric().fit([1000, 600, 700, 500])
