"""simulate_customers: the planted defects are where the truth says, at the planted rates.

The identity normalization below is written here independently of the generator: the
rules a data auditor would apply (case, spaces, Gmail dots and +tags, phone digits).
"""

import numpy as np
import pandas as pd
import pytest

from crm_analysis.data.synthetic import simulate_customers, simulate_transactions

N = 40_000


@pytest.fixture(scope="module")
def world():
    return simulate_customers(N, seed=21)


def normalize(customers):
    """Canonical name/email/phone by the usual audit rules."""
    email = customers["email"].str.lower().str.strip()
    local = email.str.extract(r"^([^@+]*)(?:\+[^@]*)?@(.*)$")
    gmail = local[1] == "gmail.com"
    local0 = local[0].where(~gmail, local[0].str.replace(".", "", regex=False))
    phone = customers["phone"].str.replace(r"\D", "", regex=True).str.replace(r"^8210", "010", regex=True)
    name = customers["name"].str.lower().str.split().str.join(" ")
    return pd.DataFrame({"name": name, "email": local0 + "@" + local[1], "phone": phone})


def test_columns(world):
    customers, truth = world
    assert list(customers.columns) == [
        "customer_id", "registration_date", "channel", "region", "age_band", "income_band", "name", "email", "phone",
    ]
    assert customers["customer_id"].is_unique
    assert customers["registration_date"].is_monotonic_increasing
    assert (customers["customer_id"] == truth.records["customer_id"]).all()
    assert (customers.drop(columns="registration_date").dtypes == "str").all()


def test_shares_within_sampling_error(world):
    _, truth = world
    first = truth.records[~truth.records["is_duplicate"]]
    assert len(first) == N and first["person_id"].nunique() == N
    for segment, share in [("prize_hunter", truth.prize_hunter_share), ("trial_only", truth.trial_only_share)]:
        observed = (first["segment"] == segment).mean()
        assert abs(observed - share) < 4 * np.sqrt(share * (1 - share) / N)
    persons = truth.records.groupby("person_id").agg(segment=("segment", "first"), twice=("is_duplicate", "any"))
    for is_hunter, rate in [(False, truth.duplicate_share), (True, min(1.0, 3 * truth.duplicate_share))]:
        group = persons[(persons["segment"] == "prize_hunter") == is_hunter]
        assert abs(group["twice"].mean() - rate) < 4 * np.sqrt(rate * (1 - rate) / len(group))


def test_duplicates_point_to_the_same_person_registered_earlier(world):
    customers, truth = world
    rec = truth.records.set_index("customer_id")
    pairs = truth.duplicate_pairs
    assert len(pairs) == rec["is_duplicate"].sum()
    np.testing.assert_array_equal(rec.loc[pairs["customer_id"], "person_id"], rec.loc[pairs["duplicate_of"], "person_id"])
    assert not rec.loc[pairs["duplicate_of"], "is_duplicate"].any()
    when = customers.set_index("customer_id")["registration_date"]
    assert (when[pairs["customer_id"]].to_numpy() > when[pairs["duplicate_of"]].to_numpy()).all()


def test_variants_change_the_field_and_audit_rules_undo_them(world):
    customers, truth = world
    by_id = customers.set_index("customer_id")
    pairs = truth.duplicate_pairs.merge(truth.records[["customer_id", "variants"]], on="customer_id")
    dup, orig = by_id.loc[pairs["customer_id"]], by_id.loc[pairs["duplicate_of"]]
    norm_dup, norm_orig = normalize(dup.reset_index()), normalize(orig.reset_index())
    for field in ["name", "email", "phone"]:
        planted = pairs["variants"].str.contains(f"{field}:").to_numpy()
        changed = dup[field].to_numpy() != orig[field].to_numpy()
        np.testing.assert_array_equal(changed, planted, err_msg=field)
    # email and phone variants are all undone by the audit rules; name typos are not
    assert (norm_dup["email"].to_numpy() == norm_orig["email"].to_numpy()).all()
    assert (norm_dup["phone"].to_numpy() == norm_orig["phone"].to_numpy()).all()
    typo = pairs["variants"].str.contains("name:typo").to_numpy()
    same_name = norm_dup["name"].to_numpy() == norm_orig["name"].to_numpy()
    np.testing.assert_array_equal(same_name, ~typo)
    # every kind of variant is planted at roughly its rate
    gmail = orig["email"].str.endswith("@gmail.com").to_numpy()
    for kind, rate, eligible in [("name:typo", 0.2, None), ("phone:no_hyphens", 0.35, None), ("email:gmail_dots", 0.5, gmail)]:
        hit = pairs["variants"].str.contains(kind).to_numpy()
        base = hit if eligible is None else hit[eligible]
        assert abs(base.mean() - rate) < 4 * np.sqrt(rate * (1 - rate) / len(base)), kind


def test_persons_are_identified_by_normalized_phone(world):
    customers, truth = world
    phone = normalize(customers)["phone"]
    assert phone.nunique() == N
    person = truth.records["person_id"]
    assert (phone.groupby(person).nunique() == 1).all()
    # names alone do not identify people: common Korean names repeat across persons
    first = ~truth.records["is_duplicate"]
    assert customers.loc[first, "name"].nunique() < N


def test_prize_hunters_come_through_events(world):
    customers, truth = world
    hunter = (truth.records["segment"] == "prize_hunter").to_numpy()
    first = ~truth.records["is_duplicate"].to_numpy()
    event = (customers["channel"] == "event").to_numpy()
    # 70% forced to "event" plus 5% of the rest by the channel mix
    expected = 0.7 + 0.3 * 0.05
    observed = event[hunter & first].mean()
    assert abs(observed - expected) < 4 * np.sqrt(expected * (1 - expected) / (hunter & first).sum())
    others = ~hunter & first
    assert abs(event[others].mean() - 0.05) < 4 * np.sqrt(0.05 * 0.95 / others.sum())


def test_recipe_with_transactions():
    customers, truth = simulate_customers(500, seed=3)
    buyers = customers[~customers["customer_id"].isin(truth.prize_hunter_ids)]
    tx, _ = simulate_transactions(customers=buyers, end="2025-07-01", seed=3)
    tx = tx[~tx["customer_id"].isin(truth.trial_only_ids) | ~tx["customer_id"].duplicated()]
    counts = tx["customer_id"].value_counts()
    assert set(counts.index) == set(buyers["customer_id"])
    assert (counts[truth.trial_only_ids] == 1).all()
    assert not set(truth.prize_hunter_ids) & set(tx["customer_id"])


def test_seeded():
    a, _ = simulate_customers(200, seed=1)
    b, _ = simulate_customers(200, seed=1)
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"duplicate_share": 1.5}, "duplicate_share=1.5"),
        ({"prize_hunter_share": 0.7, "trial_only_share": 0.6}, "prize_hunter_share \\+ trial_only_share"),
        ({"n_persons": -3}, "n_persons"),
        ({"end": "2023-01-01"}, "end"),
    ],
)
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        simulate_customers(**kwargs)
