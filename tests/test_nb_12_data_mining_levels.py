"""Value tests of notebook 12 against independent computations and the synthetic truth."""

import pandas as pd
import pytest

from crm_analysis.data.synthetic import simulate_promotion

pytestmark = pytest.mark.notebook

SEED, N = 12, 6000  # the notebook's defaults, restated


@pytest.fixture(scope="module")
def results(run_notebook):
    return {k: r.value for k, r in run_notebook("12_data_mining_levels").items()}


def test_sql_answer_equals_a_pandas_count(results):
    data, _ = simulate_promotion(n_customers=N, seed=SEED)
    spring = data["contacts"].loc[data["contacts"]["season"] == "spring", "responded"]
    assert results["sql_answer"] == {"contacts": len(spring), "responders": int(spring.sum()),
                                     "response_rate": pytest.approx(spring.mean(), rel=1e-12)}


def test_cube_cells_equal_the_distinct_groups_of_every_level(results):
    data, _ = simulate_promotion(n_customers=N, seed=SEED)
    fact = data["transactions"].merge(data["customers"], on="customer_id")
    d = pd.to_datetime(fact["date"])
    fact = fact.assign(year=d.dt.year, quarter=d.dt.quarter, month=d.dt.month)
    expected = 0
    for hierarchy in ([], ["year"], ["year", "quarter"], ["year", "quarter", "month"]):
        for mask in range(8):
            dims = [c for i, c in enumerate(["region", "category", "segment"]) if mask >> i & 1]
            by = hierarchy + dims
            expected += len(fact.groupby(by).size()) if by else 1
    assert results["cube_cells"] == expected


def test_planted_rule_found_and_judged_against_the_truth(results):
    assert results["planted_rule_found"]["found"] is True
    assert results["tree_holdout_accuracy"] > 0.95
    assert results["n_clusters"] == 3  # the simulation has three customer types
    assert results["cluster_ari"] > 0.8
    assert results["simpson_reversal"] is True


def _decision_holds(res):
    responders = res["selection_responders"]
    best = res["recommended_selection"]
    assert best == "mined rule (exhaustive tree)"
    assert all(responders[best] > v for k, v in responders.items() if k != best)


def test_decision_default(results):
    _decision_holds(results)


@pytest.mark.parametrize("seed", [1, 2])
def test_decision_at_other_seeds(run_notebook, seed):
    res = {k: r.value for k, r in run_notebook("12_data_mining_levels", seed=seed,
                                                use_real_data=False).items()}
    _decision_holds(res)


def test_own_data_through_a_profile(run_notebook, tmp_path):
    data, _ = simulate_promotion(n_customers=300, seed=4)
    tx = data["transactions"].rename(columns={"customer_id": "고객번호", "date": "거래일자",
                                              "amount": "금액"})
    tx.to_csv(tmp_path / "sales.csv", index=False, encoding="cp949")
    (tmp_path / "profile.yaml").write_text(
        "transactions:\n  path: sales.csv\n  encoding: cp949\n"
        "  columns: {customer_id: 고객번호, date: 거래일자, amount: 금액}\n", encoding="utf-8")
    res = {k: r.value for k, r in run_notebook(
        "12_data_mining_levels", data=str(tmp_path / "profile.yaml"), seed=3).items()}
    totals = res["real_data_totals"]
    assert totals["customers"] == data["transactions"]["customer_id"].nunique()
    assert totals["revenue"] == pytest.approx(data["transactions"]["amount"].sum(), rel=1e-9)
