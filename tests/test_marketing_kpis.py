"""Product and customer KPIs on hand-made logs and on the synthetic retailer's truth."""

import numpy as np
import pandas as pd
import pytest

from crm_analysis.marketing import kpis
from crm_analysis.data.synthetic import simulate_transactions


@pytest.fixture
def log():
    return pd.DataFrame({
        "customer_id": ["a", "a", "b", "c", "c", "c"],
        "date": pd.to_datetime(["2023-02-01", "2024-03-01", "2023-05-01", "2023-07-01",
                                "2023-08-01", "2024-06-01"]),
        "amount": [10.0, 30.0, 20.0, 5.0, 5.0, 30.0],
        "product": ["x", "y", "x", "y", "y", "x"],
    })


def test_product_kpis(log):
    table = kpis.product_kpis(log)
    assert table.loc["x", "revenue"] == 60 and table.loc["y", "revenue"] == 40
    assert table.loc["y", "buyers"] == 2 and table.loc["y", "orders"] == 3
    assert table["revenue_share"].sum() == pytest.approx(1.0)


def test_share_of_wallet_and_market_share(log):
    wallets = pd.DataFrame({"customer_id": ["a", "b", "c", "d"],
                            "category_spend": [80.0, 20.0, 400.0, 50.0]})
    sow = kpis.share_of_wallet(log, wallets).set_index("customer_id")
    assert sow["share_of_wallet"].to_dict() == pytest.approx(
        {"a": 0.5, "b": 1.0, "c": 0.1, "d": 0.0})
    assert kpis.market_share(log, wallets["category_spend"].sum()) == pytest.approx(100 / 550)
    too_small = wallets.assign(category_spend=[10.0, 20.0, 400.0, 50.0])
    with pytest.raises(ValueError, match=r"exceeds category_spend for customers \['a'\]"):
        kpis.share_of_wallet(log, too_small)


def test_retention_rate(log):
    # year to 2023-12-31: a, b, c bought; year to 2024-12-31: a and c again → 2/3
    assert kpis.retention_rate(log, "2024-12-31", 366) == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="two full periods"):
        kpis.retention_rate(log, "2023-03-01", 365)


def test_customer_equity_formula():
    # m r / (1 + d - r) with m = 100 + 50, r = 0.8, d = 0.1 → 150 · 0.8 / 0.3
    assert kpis.customer_equity(np.array([100.0, 50.0]), 0.8, 0.1) == pytest.approx(400.0)


def test_equal_market_share_firms():
    wallets = pd.DataFrame({"customer_id": range(1000),
                            "category_spend": np.random.default_rng(0).gamma(2, 50, 1000)})
    firms = kpis.equal_market_share_firms(wallets, market_share=0.2, deep_share_of_wallet=0.8)
    assert firms["market_share"].tolist() == pytest.approx([0.2, 0.2])
    assert firms.loc["mass", "share_of_wallet"] == pytest.approx(0.2)
    assert firms.loc["crm", "share_of_wallet"] == pytest.approx(0.8, abs=0.02)
    assert firms.loc["crm", "customers"] == pytest.approx(250, rel=0.15)


def test_lifecycle_and_cohort_activity(log):
    table = kpis.lifecycle_by_cohort(log, "2024-12-31", cohort_freq="Q", window_days=60)
    assert table["acquired"].to_dict() == {"2023Q1": 1, "2023Q2": 1, "2023Q3": 1}
    assert table.loc["2023Q3", "repeat_share"] == 1.0  # c bought again within 60 days
    assert table.loc["2023Q1", "repeat_share"] == 0.0
    activity = kpis.cohort_activity(log, freq="Q", as_of="2024-06-30")
    assert activity.loc["2023Q1", 4] == 1.0  # a bought again in 2024Q1
    assert activity.loc["2023Q3", 1] == 0.0
    assert np.isnan(activity.loc["2023Q3", 4])  # 2024Q3 not yet observed at as_of
    assert list(activity.columns) == [0, 1, 2, 3, 4, 5]  # 2023Q1 is observed for 5 quarters


def test_customer_kpis_on_synthetic_truth():
    tx, truth = simulate_transactions(n_customers=4000, start="2024-01-01", end="2025-12-31",
                                      acquisition_weeks=52, seed=5)
    wallets = truth.customers[["customer_id", "category_spend"]]
    view = kpis.customer_kpis(tx, wallets, "2025-12-31", margin_rate=0.3, discount_rate=0.1)
    c = truth.customers
    # share of wallet ~ Beta(2, 3): population mean 0.4, sd 0.2; 4 standard errors
    buyers = int((c["spend"] > 0).sum())
    assert view["mean_share_of_wallet"] == pytest.approx(0.4, abs=4 * 0.2 / np.sqrt(buyers))
    # market share = Σ spend / Σ spend/w: with our spend independent of the share w it
    # estimates 1 / E[1/w] = (a − 1)/(a + b − 1) = 0.25 for Beta(2, 3), the harmonic mean,
    # well below the mean share (a ratio of sums of heavy-tailed spends: a band of 8 SE)
    assert view["market_share"] == pytest.approx(0.25, abs=8 * 0.2 / np.sqrt(buyers))
    assert view["customers"] == (c["spend"] > 0).sum()
