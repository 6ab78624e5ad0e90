"""Item and pair basket counts by DuckDB and Spark equal the in-memory Apriori's.

References: :func:`frequent_itemsets` on :func:`basket_matrix` (sparse XᵀX, an independent
route to the same counts), its :func:`item_frequencies` and :func:`association_rules`, and
a tiny table counted by hand. Data: synthetic baskets with planted rules plus hand-made
lines (an item repeated in a basket, items below the threshold, ties exactly at it, codes
that differ only by leading zeros, non-ASCII and quote characters), and the Groceries
data set (arules) when ``$CRM_WORKBOOK_DATA`` holds it.
"""

import numpy as np
import pandas as pd
import pytest

from crm_analysis import baskets as bk
from crm_analysis.data.synthetic import simulate_baskets

TINY = pd.DataFrame(
    [(1, "a"), (1, "b"), (1, "c"), (2, "a"), (2, "b"), (3, "a"), (3, "c"), (4, "b"), (4, "c"),
     (5, "a"), (5, "b"), (5, "d"), (5, "d")],
    columns=["basket_id", "item"],
)
TIE = 7  # baskets holding tie_x and tie_y (both, the same baskets); tie_z is in one fewer


def _extra_lines(first_basket: int) -> pd.DataFrame:
    rows = []
    for k in range(TIE):
        b = first_basket + k
        rows += [(b, "tie_x"), (b, "tie_y"), (b, "tie_x")]  # a repeated line counts once
        if k < TIE - 1:
            rows += [(b, "tie_z"), (b, "café"), (b, "it's")]
        if k < 3:
            rows += [(b, "007"), (b, "7")]  # text codes: two items, not one
    rows += [(first_basket + TIE, "rare"), (first_basket + TIE, "tie_x")]
    return pd.DataFrame(rows, columns=["basket_id", "item"])


@pytest.fixture(scope="module")
def lines():
    sim, _ = simulate_baskets(2500, n_customers=300, seed=5)
    sim = sim[["basket_id", "item"]]
    return pd.concat([sim, _extra_lines(int(sim["basket_id"].max()) + 1)], ignore_index=True)


def _reference(frame, min_support, basket="basket_id", item="item"):
    b = bk.basket_matrix(frame, basket, item)
    return b, bk.frequent_itemsets(b, min_support, max_len=2)


def _assert_same(counts, b, itemsets):
    assert counts.n_baskets == b.n_baskets
    assert list(counts.items) == list(b.items.astype("str"))
    pd.testing.assert_frame_equal(counts.itemsets, itemsets)
    pd.testing.assert_frame_equal(counts.frequencies(), bk.item_frequencies(b))
    pd.testing.assert_frame_equal(bk.association_rules(counts.itemsets, counts, 0.1),
                                  bk.association_rules(itemsets, b, 0.1))


def test_tiny_example_by_hand():
    counts = bk.basket_counts_sql(TINY, min_support=0.4)
    labels = list(counts.items)
    got = {tuple(labels[i] for i in s): c for s, c in zip(counts.itemsets["itemset"], counts.itemsets["count"])}
    # 5 baskets, threshold 2: d (1 basket) is dropped; a,b 3 baskets; a,c 2; b,c 2
    assert counts.n_baskets == 5 and list(counts.item_counts) == [4, 4, 3, 1]
    assert got == {("a",): 4, ("b",): 4, ("c",): 3, ("a", "b"): 3, ("a", "c"): 2, ("b", "c"): 2}


@pytest.fixture(scope="module")
def files(lines, tmp_path_factory):
    folder = tmp_path_factory.mktemp("basket_lines")
    lines.to_parquet(folder / "lines.parquet")
    lines.to_csv(folder / "lines.csv.gz", index=False)
    return {"parquet": str(folder / "lines.parquet"), "csv": str(folder / "lines.csv.gz")}


@pytest.mark.parametrize("kind", ["frame", "parquet", "csv"])
def test_duckdb_equals_frequent_itemsets(lines, files, kind):
    source = lines if kind == "frame" else files[kind]
    n = lines["basket_id"].nunique()
    for min_support in (0.02, TIE / n):  # TIE / n: tie_x, tie_y and their pair exactly at the threshold
        b, itemsets = _reference(lines, min_support)
        counts = bk.basket_counts_sql(source, min_support=min_support)
        _assert_same(counts, b, itemsets)
    labels = set(tuple(counts.items[list(s)]) for s in counts.itemsets["itemset"])
    assert ("tie_x", "tie_y") in labels and ("tie_z",) not in labels and ("7",) not in labels


def test_bad_input(lines, files):
    gaps = lines["item"].where(lines.index % 1000 != 3)  # rows 3, 1003, …, 4003 of 4,375
    assert len(lines) == 4375
    with pytest.raises(ValueError, match=r"column 'item' is missing in 5 rows"):
        bk.basket_counts_sql(lines.assign(item=gaps), min_support=0.1)
    with pytest.raises(ValueError, match=r"column 'basket_id' is missing in 1 rows"):
        bk.basket_counts_sql(lines.assign(basket_id=lines["basket_id"].where(lines.index != 5)), min_support=0.1)
    with pytest.raises(ValueError, match=r"lack column\(s\) \['product'\]"):
        bk.basket_counts_sql(files["parquet"], item_col="product")
    with pytest.raises(ValueError, match="min_support"):
        bk.basket_counts_sql(lines, min_support=0.0)
    with pytest.raises(ValueError, match="engine"):
        bk.basket_counts_sql(lines, engine="polars")
    with pytest.raises(FileNotFoundError):
        bk.basket_counts_sql(files["parquet"] + ".missing.parquet")


@pytest.mark.spark
@pytest.mark.parametrize("kind", ["frame", "csv"])
def test_spark_equals_frequent_itemsets(spark, lines, files, kind):
    source = lines if kind == "frame" else files[kind]
    min_support = TIE / lines["basket_id"].nunique()
    b, itemsets = _reference(lines, min_support)
    _assert_same(bk.basket_counts_sql(source, min_support=min_support, spark=spark), b, itemsets)


@pytest.fixture(scope="module")
def groceries(real_data_home):
    path = real_data_home / "groceries_transactions.csv.gz"
    if not path.is_file():
        pytest.skip(f"{path} not present")
    return path, pd.read_csv(path, dtype={"item": str})


def test_groceries_duckdb_reads_the_file(groceries):
    path, frame = groceries
    b, itemsets = _reference(frame, 0.001, basket="transaction_id")  # the arules reference support
    counts = bk.basket_counts_sql(path, basket_col="transaction_id", min_support=0.001)
    _assert_same(counts, b, itemsets)
    assert counts.n_baskets == 9835 and (counts.itemsets["n_items"] == 2).sum() > 1000


@pytest.mark.spark
def test_groceries_slice_on_spark(spark, groceries, tmp_path):
    _, frame = groceries
    part = frame[frame["transaction_id"] <= 3000]
    part.to_parquet(tmp_path / "slice.parquet")
    b, itemsets = _reference(part, 0.003, basket="transaction_id")
    counts = bk.basket_counts_sql(str(tmp_path / "slice.parquet"), basket_col="transaction_id",
                                  min_support=0.003, spark=spark)
    _assert_same(counts, b, itemsets)
    assert np.array_equal(counts.item_counts, np.asarray(b.matrix.sum(axis=0)).ravel())
