"""simulate_member_base: the truth it returns describes the data it returns."""

import numpy as np
import pandas as pd
import pytest

from crm_analysis.data.synthetic import simulate_member_base
from crm_analysis.data.synthetic.member_base import MEMBER_CLASSES

N = 6000


@pytest.fixture(scope="module")
def world():
    return simulate_member_base(N, seed=4, defect_rate=0.05)


def test_tables_and_dates(world):
    data, truth = world
    c, t = data["customers"], data["transactions"]
    assert c["customer_id"].is_unique and len(c) == len(truth.records)
    assert t["date"].max() <= truth.as_of and t["date"].is_monotonic_increasing
    assert truth.composition.drop("duplicate").sum() == N
    assert set(truth.records["member_class"]) <= set(MEMBER_CLASSES)


def test_purchases_follow_the_classes(world):
    data, truth = world
    t = data["transactions"]
    rec = truth.records.set_index("customer_id")
    known = t[t["customer_id"].isin(rec.index)]
    per_person = known.groupby(rec.loc[known["customer_id"], "person_id"].to_numpy()).agg(
        n=("amount", "size"), last=("date", "max"))
    cls = truth.records.drop_duplicates("person_id").set_index("person_id")["member_class"]
    per_person = per_person.reindex(cls.index).assign(cls=cls)
    assert per_person.loc[per_person["cls"] == "prize_hunter", "n"].isna().all()
    trial = per_person.loc[per_person["cls"] == "trial_only", "n"]
    assert (trial.fillna(0) <= 1).all() and (trial == 1).mean() > 0.95  # a few lost to orphan rows
    lapsed_last = per_person.loc[per_person["cls"] == "lapsed", "last"]
    assert (lapsed_last < truth.as_of - pd.Timedelta(days=150)).all()


def test_defects_at_the_planted_rate(world):
    data, truth = world
    c, rec = data["customers"], truth.records
    n = len(c)
    assert c.loc[rec["email_missing"].to_numpy(), "email"].isna().all()
    assert c.loc[rec["phone_missing"].to_numpy(), "phone"].isna().all()
    assert (c.loc[rec["date_placeholder"].to_numpy(), "registration_date"] == pd.Timestamp("1900-01-01")).all()
    for kind in ["email_missing", "phone_missing", "date_placeholder", "stale"]:
        assert abs(rec[kind].mean() - 0.05) < 4 * np.sqrt(0.05 * 0.95 / n), kind
    orphans = data["transactions"].loc[truth.orphan_rows, "customer_id"]
    assert not orphans.isin(c["customer_id"]).any()
    assert (data["transactions"].loc[truth.zero_amount_rows, "amount"] == 0).all()


def test_cards_truth_points_to_the_right_person(world):
    data, truth = world
    cards = data["loyalty_cards"].merge(truth.cards, on="card_id")
    linked = cards.dropna(subset=["customer_id"])
    web = data["customers"].set_index("customer_id").loc[linked["customer_id"]]
    digits = web["phone"].str.replace(r"\D", "", regex=True).to_numpy()
    ok = pd.notna(digits) & pd.notna(linked["phone"].to_numpy())
    assert (linked["phone"].to_numpy()[ok] == digits[ok]).mean() > 0.9  # invalid-phone defects aside
    assert (cards["customer_id"].isna()).mean() == pytest.approx(0.2 / 1.2, abs=0.02)
