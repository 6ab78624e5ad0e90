import pytest

from crm_analysis.marketing.industries import INDUSTRY_PROFILES, crm_fit


def test_equal_weights_are_the_mean_of_the_axes():
    fit = crm_fit()
    assert fit.loc["retail banking", "crm_fit"] == pytest.approx(5.0)
    assert fit.loc["insurance", "crm_fit"] == pytest.approx((5 + 4 + 2) / 3)
    assert fit["crm_fit"].is_monotonic_decreasing


def test_weights_are_normalized():
    fit = crm_fit(weights={"contact_frequency": 2, "lifetime_value": 1, "direct_contact": 1})
    assert fit.loc["restaurants", "crm_fit"] == pytest.approx((2 * 5 + 2 + 5) / 4)


def test_bad_inputs():
    with pytest.raises(ValueError, match="unknown axes"):
        crm_fit(weights={"size": 1})
    bad = INDUSTRY_PROFILES.copy()
    bad.loc["cars", "direct_contact"] = 9
    with pytest.raises(ValueError, match="cars"):
        crm_fit(bad)
