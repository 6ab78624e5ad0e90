"""Quality scorecard rules on hand-made tables, counted by hand."""

import numpy as np
import pandas as pd
import pytest

from crm_analysis.audit import audit_quality, fix_priorities

AS_OF = "2025-06-30"


@pytest.fixture
def tables():
    customers = pd.DataFrame({
        "customer_id": ["A", "B", "C", "D", "E"],
        "registration_date": pd.to_datetime(["2024-01-10", "2024-02-01", "1900-01-01", "2023-06-01", "2026-01-01"]),
        "name": ["Kim Min", "", "Lee Ji", None, "Park Do"],
        "email": ["min.kim@gmail.com", "Min.Kim+promo@Gmail.com", "lee@naver", None, "do@daum.net"],
        "phone": ["010-1234-5678", "+82 10 1234 5678", "010-999", "01022223333", None],
        "updated_at": pd.to_datetime(["2025-06-01", "2024-01-05", "2025-01-01", "2023-12-31", "2026-01-01"]),
    })
    transactions = pd.DataFrame({
        "customer_id": ["A", "A", "B", "Z", "D"],
        "date": pd.to_datetime(["2024-01-09", "2024-05-01", "2024-03-01", "2024-03-01", "2025-08-01"]),
        "amount": [10.0, 0.0, 5.0, 7.0, np.nan],
    })
    return customers, transactions


def score(report, rule):
    row = report.scorecard.set_index("rule").loc[rule]
    return row["checked"], row["failed"], row["score"]


def test_completeness_counts_missing_and_blank(tables):
    report = audit_quality(*tables, as_of=AS_OF)
    assert score(report, "customers.name.completeness") == (5, 2, 0.6)  # "" and None
    assert score(report, "customers.email.completeness")[:2] == (5, 1)
    assert score(report, "transactions.amount.completeness")[:2] == (5, 1)


def test_validity_of_formats_and_ranges(tables):
    report = audit_quality(*tables, as_of=AS_OF)
    # e-mail: "lee@naver" has no domain dot; the missing one is not checked
    assert score(report, "customers.email.validity")[:2] == (4, 1)
    assert report.failed_rows("customers.email.validity")["customer_id"].tolist() == ["C"]
    # phone: "010-999" is too short; "+82 10 1234 5678" is a valid mobile number
    assert report.failed_rows("customers.phone.validity")["customer_id"].tolist() == ["C"]
    # dates: 1900 placeholder and a registration after as_of
    assert report.failed_rows("customers.registration_date.validity")["customer_id"].tolist() == ["C", "E"]
    # amounts: zero fails, missing is not checked
    assert score(report, "transactions.amount.validity")[:2] == (4, 1)
    assert report.failed_rows("transactions.date.validity").index.tolist() == [4]


def test_uniqueness_after_normalisation(tables):
    report = audit_quality(*tables, as_of=AS_OF)
    # min.kim@gmail.com and Min.Kim+promo@Gmail.com are the same Gmail address: both fail
    assert report.failed_rows("customers.email.uniqueness")["customer_id"].tolist() == ["A", "B"]
    assert report.failed_rows("customers.phone.uniqueness")["customer_id"].tolist() == ["A", "B"]
    assert score(report, "customers.customer_id.uniqueness") == (5, 0, 1.0)


def test_consistency_across_tables(tables):
    report = audit_quality(*tables, as_of=AS_OF)
    assert report.failed_rows("transactions.customer_id.consistency")["customer_id"].tolist() == ["Z"]
    # A bought the day before registering; D bought after registering
    assert report.failed_rows("transactions.date.consistency").index.tolist() == [0]
    # B was updated before it registered
    assert report.failed_rows("customers.updated_at.consistency")["customer_id"].tolist() == ["B"]


def test_freshness_and_overall_score(tables):
    report = audit_quality(*tables, as_of=AS_OF, max_age_days=365)
    # updated more than 365 days before 2025-06-30: B (2024-01-05) and D (2023-12-31)
    assert report.failed_rows("customers.updated_at.freshness")["customer_id"].tolist() == ["B", "D"]
    card = report.scorecard
    by_hand = np.mean([card.loc[card["dimension"] == d, "score"].mean() for d in card["dimension"].unique()])
    assert report.overall == pytest.approx(by_hand)
    assert set(report.heatmap_table().columns) == {"completeness", "validity", "uniqueness", "consistency", "freshness"}


def test_fix_priorities_gain_by_hand(tables):
    report = audit_quality(*tables, as_of=AS_OF)
    top = fix_priorities(report).iloc[0]
    card = report.scorecard
    n_rules = (card["dimension"] == top["dimension"]).sum()
    assert top["gain"] == pytest.approx((1 - top["score"]) / n_rules / card["dimension"].nunique())
    # fixing the top rule really raises the overall score by its gain
    fixed = card.copy()
    fixed.loc[fixed["rule"] == top["rule"], "score"] = 1.0
    new = fixed.groupby("dimension")["score"].mean().mean()
    assert new - report.overall == pytest.approx(top["gain"])


def test_bad_input_names_the_table():
    with pytest.raises(ValueError, match="customers: missing column 'customer_id'"):
        audit_quality(pd.DataFrame({"id": [1]}), as_of=AS_OF)
    report = audit_quality(pd.DataFrame({"customer_id": ["A"]}), as_of=AS_OF)
    with pytest.raises(ValueError, match="unknown rule"):
        report.failed_rows("customers.nothing.validity")
