"""SQL and OLAP levels of notebook 12 against independent pandas computations."""

import numpy as np
import pandas as pd
import pytest

from crm_analysis import mining
from crm_analysis.data.synthetic import simulate_promotion


@pytest.fixture(scope="module")
def tables():
    data, truth = simulate_promotion(n_customers=800, seed=5)
    return data


def test_promotion_queries_equal_pandas(tables):
    contacts, customers, tx = tables["contacts"], tables["customers"], tables["transactions"]
    spring = contacts.loc[contacts["season"] == "spring"]
    got = mining.query(mining.PROMOTION_QUERIES["spring_response"], contacts=contacts).iloc[0]
    assert got["contacts"] == len(spring)
    assert got["responders"] == spring["responded"].sum()
    assert got["response_rate"] == pytest.approx(spring["responded"].mean(), rel=1e-12)

    by_region = mining.query(mining.PROMOTION_QUERIES["responders_by_region"],
                             contacts=contacts, customers=customers).set_index("region")
    ref = spring.merge(customers, on="customer_id").groupby("region")["responded"].agg(["sum", "count"])
    assert by_region["responders"].to_dict() == ref["sum"].to_dict()
    assert by_region["contacts"].to_dict() == ref["count"].to_dict()
    assert list(by_region["response_rate"]) == sorted(by_region["response_rate"], reverse=True)

    top = mining.query(mining.PROMOTION_QUERIES["top_customers"], transactions=tx)
    ref_top = tx.groupby("customer_id")["amount"].sum().sort_values(ascending=False).head(10)
    assert list(top["customer_id"]) == list(ref_top.index)
    np.testing.assert_allclose(top["revenue"], ref_top.to_numpy(), rtol=1e-12)

    spend = mining.query(mining.PROMOTION_QUERIES["spend_of_responders"], contacts=contacts,
                         transactions=tx).set_index("responded")["mean_revenue"]
    revenue = tx.groupby("customer_id")["amount"].sum()
    ref_spend = spring.assign(rev=spring["customer_id"].map(revenue).fillna(0)).groupby("responded")["rev"].mean()
    np.testing.assert_allclose(spend.sort_index(), ref_spend.sort_index(), rtol=1e-12)


def test_query_error_names_the_query():
    with pytest.raises(ValueError, match="no_such_column"):
        mining.query("SELECT no_such_column FROM t", t=pd.DataFrame({"a": [1]}))


def test_every_cube_cell_equals_a_pandas_groupby(tables):
    fact = mining.add_time_levels(tables["transactions"]).merge(
        tables["customers"][["customer_id", "region", "segment"]], on="customer_id")
    cube = mining.build_cube(fact, ["region", "category", "segment"],
                             {"revenue": "sum(amount)", "purchases": "count(*)"},
                             hierarchy=["year", "quarter", "month"])
    # ROLLUP of 3 levels (4 prefixes) × CUBE of 3 (8 subsets) = 32 levels
    assert cube["level"].nunique() == 32
    for level in cube["level"].unique():
        by = [] if level == "all" else level.split("+")
        view = mining.cube_view(cube, by)
        if by:
            ref = fact.groupby(by)["amount"].agg(["sum", "count"]).reset_index()
            merged = view.merge(ref, on=by, how="outer", indicator=True)
            assert (merged["_merge"] == "both").all(), level
            np.testing.assert_allclose(merged["revenue"], merged["sum"], rtol=1e-9)
            assert (merged["purchases"] == merged["count"]).all()
        else:
            assert view["revenue"].iloc[0] == pytest.approx(fact["amount"].sum(), rel=1e-12)


def test_roll_ups_add_up_and_slices_and_dices_filter(tables):
    fact = mining.add_time_levels(tables["transactions"]).merge(
        tables["customers"][["customer_id", "region"]], on="customer_id")
    cube = mining.build_cube(fact, ["region", "category"], {"revenue": "sum(amount)"},
                             hierarchy=["year", "quarter", "month"])
    months = mining.cube_view(cube, ["year", "quarter", "month"])
    quarters = mining.cube_view(cube, ["year", "quarter"])
    years = mining.cube_view(cube, ["year"])
    rolled = months.groupby(["year", "quarter"])["revenue"].sum().reset_index()
    np.testing.assert_allclose(rolled["revenue"], quarters["revenue"], rtol=1e-12)
    assert years["revenue"].sum() == pytest.approx(mining.cube_view(cube)["revenue"].iloc[0], rel=1e-12)

    seoul = mining.cube_view(cube, ["region", "category"], where={"region": "Seoul"})
    assert "region" not in seoul.columns
    ref = fact.loc[fact["region"] == "Seoul"].groupby("category")["amount"].sum()
    np.testing.assert_allclose(seoul.set_index("category")["revenue"], ref, rtol=1e-9)
    dice = mining.cube_view(cube, ["region", "category"],
                            where={"region": ["Seoul", "Busan"], "category": ["beauty"]})
    assert sorted(dice["region"]) == ["Busan", "Seoul"] and set(dice["category"]) == {"beauty"}
    with pytest.raises(ValueError, match="not in by"):
        mining.cube_view(cube, ["region"], where={"category": "beauty"})


def test_compare_within_and_simpson_on_a_hand_table():
    # two strata; treatment b is worse in each stratum but better overall by mix
    rows = ([("s1", "a", 1)] * 9 + [("s1", "a", 0)] * 1 + [("s1", "b", 1)] * 80 + [("s1", "b", 0)] * 20
            + [("s2", "a", 1)] * 20 + [("s2", "a", 0)] * 80 + [("s2", "b", 1)] * 1 + [("s2", "b", 0)] * 9)
    frame = pd.DataFrame(rows, columns=["stratum", "arm", "y"])
    cube = mining.build_cube(frame, ["stratum", "arm"], {"n": "count(*)", "hits": "sum(y)"})
    table = mining.compare_within(cube, "arm", "stratum", "hits", "n")
    # by hand: s1 a 0.9, b 0.8; s2 a 0.2, b 0.1; overall a 29/110, b 81/110
    assert table.loc["s1", "a"] == pytest.approx(0.9) and table.loc["s1", "b"] == pytest.approx(0.8)
    assert table.loc["s2", "difference"] == pytest.approx(-0.1)
    assert table.loc["all", "a"] == pytest.approx(29 / 110)
    assert table.loc["all", "b"] == pytest.approx(81 / 110)
    assert mining.simpson_reversal(table)
    assert not mining.simpson_reversal(table.drop(index="s2").assign(difference=[-0.1, -0.5]))


def test_cube_refuses_non_identifier_names(tables):
    with pytest.raises(ValueError, match="identifiers"):
        mining.build_cube(pd.DataFrame({"a b": [1]}), ["a b"], {"n": "count(*)"})
