"""Golden records keep the most recent valid value per field, as documented; what sources add."""

import pandas as pd
import pytest

from crm_analysis.audit import golden_records, source_contribution


@pytest.fixture
def records():
    return pd.DataFrame({
        "customer_id": ["C1", "C2", "C3", "C4"],
        "registration_date": pd.to_datetime(["2024-03-01", "2024-01-15", "1900-01-01", "2024-05-01"]),
        "email": ["old@naver.com", "mid@naver.com", "new at naver.com", "solo@daum.net"],
        "phone": ["010-1111-2222", None, "010-3333-4444", "010-5555-6666"],
        "region": ["Seoul", "Busan", None, "Daegu"],
        "updated_at": pd.to_datetime(["2024-03-01", "2024-06-01", "2025-01-01", "2024-05-01"]),
    })


def test_survivorship_rules(records):
    clusters = pd.Series([0, 0, 0, 1], index=["C1", "C2", "C3", "C4"])
    g = golden_records(records, clusters)
    one = g.loc[0]
    # the earliest valid registration survives (C3's 1900 placeholder is not a valid date)
    assert one["customer_id"] == "C2"
    assert one["registration_date"] == pd.Timestamp("2024-01-15")
    assert one["records"] == 3 and one["merged_ids"] == "C1;C2;C3"
    # e-mail: C3 is the most recent but malformed; C2 is the most recent valid one
    assert one["email"] == "mid@naver.com"
    # phone: C3 is the most recent and valid; region: C3 is missing, C2 is next
    assert one["phone"] == "010-3333-4444"
    assert one["region"] == "Busan"
    assert one["updated_at"] == pd.Timestamp("2025-01-01")
    assert g.loc[1, "customer_id"] == "C4" and g.loc[1, "email"] == "solo@daum.net"


def test_a_field_no_record_holds_validly_stays_missing(records):
    frame = records.assign(email=["x", "y", "z", None])
    g = golden_records(frame, pd.Series([0, 0, 0, 1], index=frame["customer_id"]))
    assert g["email"].isna().all()


def test_records_without_cluster_are_an_error(records):
    with pytest.raises(ValueError, match="rows \\[3\\] have no cluster"):
        golden_records(records, pd.Series([0, 0, 0], index=["C1", "C2", "C3"]))


def test_source_contribution_by_hand():
    web = pd.DataFrame({"customer_id": ["C1", "C2", "C3"], "email": ["a@x.com", None, "c@x.com"],
                        "phone": ["010-1111-2222", "010-3333-4444", None]})
    cards = pd.DataFrame({"card_id": ["L1", "L2", "L3"], "email": [None, "b@x.com", "A@X.com"],
                          "phone": [None, "01033334445", "01011112222"], "birth_year": [1980, 1990, 1970]})
    links = pd.DataFrame({"id_l": ["C2", "C1"], "id_r": ["L2", "L3"]})
    people, fields = source_contribution(web, cards, links, left_id="customer_id", right_id="card_id",
                                         names=("web", "cards"))
    counts = people["value"]
    assert (counts["people in web only"], counts["people in both"], counts["people in cards only"],
            counts["people in all"]) == (1, 2, 1, 4)
    # e-mail known for C1, C3 from web; C2 from its card: 3 of 4 after merging
    assert fields.loc["email", "known from web"] == 0.5
    assert fields.loc["email", "known after merging"] == 0.75
    assert fields.loc["birth_year", "known from cards"] == 0.75
    # C1 and L3 agree on e-mail (case) and phone (format); C2 and L2 differ in the phone's last digit
    assert fields.loc["email", "agree where both know"] == 1.0
    assert fields.loc["phone", "agree where both know"] == 0.5
    assert pd.isna(fields.loc["birth_year", "agree where both know"])
