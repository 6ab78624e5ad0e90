"""LTV formula, drivers, CLV per customer and diagnostics, against independent computations."""

import numpy as np
import pandas as pd
import pytest

from crm_analysis.clv import (
    constant_retention_lifetime,
    BGNBD,
    GammaGamma,
    clv_interval,
    customer_clv,
    driver_ltv,
    driver_sensitivity,
    frequency_histogram,
    holdout_by_frequency,
    ltv_formula,
    period_discount_rate,
    repeat_purchase_tracking,
    summarize_transactions,
)
from crm_analysis.data import load_cdnow
from results import lifetimes_cdnow

CAL, OBS = "1997-09-30", "1998-06-30"


@pytest.fixture(scope="module")
def cdnow():
    tx = load_cdnow(sample=True)
    summary = summarize_transactions(tx, time_unit="W", calibration_end=CAL, observation_end=OBS)
    return tx, summary, BGNBD().fit(summary), GammaGamma().fit(summary)


def test_ltv_formula_by_hand():
    table = ltv_formula([100, 100, 100], 0.10)
    assert table["cumulative_ltv"].iloc[-1] == pytest.approx(100 + 100 / 1.1 + 100 / 1.21)


def test_period_discount_rate_compounds_to_the_annual_rate():
    weekly = period_discount_rate(0.10, "W")
    assert (1 + weekly) ** (365.25 / 7) == pytest.approx(1.10)
    assert (1 + period_discount_rate(0.10, "M")) ** 12 == pytest.approx(1.10)


def test_driver_ltv_closed_form():
    # profit 4 × 35 × 0.3 = 42 a year, retention 0.6, 10 years, d = 0.1: geometric sum
    q = 0.6 / 1.1
    expected = 42 * (1 - q**10) / (1 - q) * 1.1 - 20
    got = driver_ltv(transactions_per_year=4, revenue_per_transaction=35, margin=0.3, retention=0.6,
                     annual_discount_rate=0.1, years=10, referral_rate=0.1, acquisition_cost=20)
    assert got == pytest.approx(expected)


def test_sensitivity_directions():
    base = dict(transactions_per_year=4, revenue_per_transaction=35, margin=0.3, retention=0.6,
                annual_discount_rate=0.1, acquisition_cost=20)
    table = driver_sensitivity(base).set_index("driver")
    assert (table.loc[["retention", "margin", "transactions_per_year"], "swing"] > 0).all()
    assert (table.loc[["acquisition_cost", "annual_discount_rate"], "swing"] < 0).all()
    assert table.loc["acquisition_cost", "swing"] == pytest.approx(-0.2 * 20)


def test_undiscounted_clv_is_margin_spend_purchases(cdnow):
    _, summary, bg, gg = cdnow
    # reference: the lifetimes oracle's predictions for one customer (x = 2, t_x = 213/7,
    # T = 272/7 weeks; 2 purchases averaging 30.0): 39-week purchases × expected spend × margin
    c = lifetimes_cdnow.CUSTOMER
    one = pd.DataFrame({"frequency": [c["x"]], "recency_weeks": [c["t_x"]], "T_weeks": [c["T"]],
                        "monetary_value": [30.0]}, index=pd.Index(["00004"], name="customer_id"))
    want = 0.3 * lifetimes_cdnow.GAMMA_GAMMA_EXPECTED_SPEND_X2_M30 * \
        lifetimes_cdnow.BGNBD_PREDICTIONS["conditional_expected_39"]
    assert customer_clv(bg, gg, one, horizon=39, annual_discount_rate=0.0, margin=0.3)["clv"].iloc[0] == \
        pytest.approx(want, rel=2e-4)
    clv = customer_clv(bg, gg, summary, horizon=39, annual_discount_rate=0.0, margin=0.3)
    discounted = customer_clv(bg, gg, summary, horizon=39, annual_discount_rate=0.15, margin=0.3)
    assert (discounted["clv"] < clv["clv"]).all()
    weekly = period_discount_rate(0.15, "W")
    assert (discounted["clv"] >= clv["clv"] / (1 + weekly) ** 39).all()


def test_clv_interval_brackets_estimate(cdnow):
    _, summary, bg, gg = cdnow
    interval = clv_interval(bg, gg, summary, horizon=26, annual_discount_rate=0.1, margin=0.3, n_draws=40)
    row = interval.loc["total_clv"]
    assert row["ci_low"] < row["estimate"] < row["ci_high"]


def test_diagnostic_tables_count_the_data(cdnow):
    tx, summary, bg, _ = cdnow
    hist = frequency_histogram(bg, summary)
    assert hist["actual"].sum() == len(summary)
    assert hist["expected"].sum() == pytest.approx(len(summary))
    by_freq = holdout_by_frequency(bg, summary)
    assert (by_freq["customers"] * by_freq["actual"]).sum() == pytest.approx(summary["holdout_frequency"].sum())
    track = repeat_purchase_tracking(bg, tx, summary, calibration_end=CAL, observation_end=OBS)
    assert track.loc[~track["holdout"], "actual"].sum() == summary["frequency"].sum()
    assert track["actual"].sum() == summary["frequency"].sum() + summary["holdout_frequency"].sum()
    # model: one period ends at the calibration end, so Σ_i E[X(age_i)] there is Σ_i E[X(T_i)]
    # with the summary's T (same day convention)
    at_cal = track.loc[~track["holdout"], "expected"].sum()
    assert at_cal == pytest.approx(bg.expected_purchases(summary["T_weeks"].to_numpy()).sum(), rel=1e-9)
    assert isinstance(track["period_start"].iloc[0], pd.Timestamp)


def test_constant_retention_lifetime_is_geometric_sum():
    assert constant_retention_lifetime(0.6, 0.1) == pytest.approx(sum((0.6 / 1.1) ** t for t in range(2000)))


def test_constant_retention_lifetime_variants_by_hand():
    # without the current payment: r/(1+d) + r²/(1+d)² + … = r/(1+d−r) = 0.8/0.3
    assert constant_retention_lifetime(0.8, 0.1, include_current=False) == pytest.approx(0.8 / 0.3)
    # three payments: 1 + 0.5/1.1 + 0.25/1.21
    assert constant_retention_lifetime(0.5, 0.1, periods=3) == pytest.approx(1 + 0.5 / 1.1 + 0.25 / 1.21)
    with pytest.raises(ValueError, match="retention"):
        constant_retention_lifetime(1.2, 0.1)


def test_first_purchase_spend_by_hand():
    from crm_analysis.clv import first_purchase_spend

    tx = pd.DataFrame({"customer_id": ["a", "a", "a", "b", "b", "c"],
                       "date": pd.to_datetime(["2024-01-03 09:00", "2024-01-03 17:00", "2024-01-04 00:00",
                                               "2024-01-05 00:00", "2024-01-02 00:00", "2024-02-01 00:00"]),
                       "amount": [1.5, 2.0, 7.0, 4.0, 3.0, 9.0]})
    assert first_purchase_spend(tx).to_dict() == {"a": 3.5, "b": 3.0, "c": 9.0}
    # weeks start on Monday (2024-01-01): a's and b's first weeks hold all their lines
    assert first_purchase_spend(tx, merge_period="W").to_dict() == {"a": 10.5, "b": 7.0, "c": 9.0}
    assert first_purchase_spend(tx, calibration_end="2024-01-04").to_dict() == {"a": 3.5, "b": 3.0}
