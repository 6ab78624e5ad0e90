"""Item and item-pair basket counts by a SQL engine (DuckDB here, or Spark), for logs of
basket lines too large for one machine's memory.

What runs where, and why: the log-sized part of market-basket analysis is counting, per
item, the baskets that hold it and, per pair of items, the baskets that hold both. That
is a few GROUP BYs and one self-join, so it is written once as SQL
(:func:`itemset_counts_query`, over the small :class:`~crm_analysis.clv.summary_sql.Dialect`
of the customer summaries: DuckDB and Spark differ here only in identifier quoting, the
name of the text type and how the file is read) and run by DuckDB (streams a local
Parquet/CSV file or glob and spills past ``memory_limit``) or by Spark (a ``SparkSession``
the caller passes, e.g. a cluster's, or a ``local[*]`` one, reading any path Spark reads:
local, ``hdfs://``, ``s3a://`` through the session's configuration). Only the counts come
back to pandas: one row per distinct item and one per frequent pair. Rules, significance
and itemsets of three or more items then run in memory (:mod:`.rules`).

The query: (1) distinct (basket, item) lines (a basket holds an item or not; repeated
lines count once, as in :func:`~crm_analysis.baskets.rules.basket_matrix`); (2) baskets
per item; (3) items held by fewer than ``min_count`` baskets are dropped before the
self-join (Apriori's first step: a pair is never more frequent than either of its items,
so the result is the same and the join smaller); (4) the pairs: the kept lines joined to
themselves on the basket with ``item_a < item_b`` (each unordered pair once), counted,
``HAVING count >= min_count``. The join makes k(k−1)/2 rows for a basket of k kept items;
the engine spills or shuffles them. Items and pairs come back from one ``UNION ALL`` query
(after a first scan that checks the lines and counts the baskets); DuckDB materializes the
distinct lines once for it, and Spark reuses their shuffle in the self-join (seen in the
plans of a small table).

Items are compared as text (``CAST(item AS VARCHAR/STRING)``; CSV files are read with
every column as text in both engines, so codes such as ``"00123"`` keep their zeros), as
``basket_matrix`` does with ``astype(str)``. A pandas source is shipped to the engine as its
two columns in that text form.

Units: ``count`` is baskets; ``support`` a share of the ``n_baskets`` distinct baskets;
``min_support`` a share of baskets, turned into the same whole-basket threshold
(``ceil(min_support·n_baskets)``) as :func:`~crm_analysis.baskets.rules.frequent_itemsets`,
whose 1- and 2-itemsets (``max_len=2``) this reproduces exactly.
pyspark is the optional ``spark`` extra (``pip install crm-workbook[spark]``, Java 17+);
it and DuckDB are imported only when used.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .rules import _min_count, itemset_table

if TYPE_CHECKING:
    from crm_analysis.clv.summary_sql import Dialect

# The dialect, quoting and literals are those of the customer summaries
# (crm_analysis.clv.summary_sql), imported inside the functions: importing crm_analysis.clv
# costs about a second, which `import crm_analysis.baskets` should not pay.

__all__ = ["BasketCounts", "basket_counts_sql", "itemset_counts_query"]


@dataclass(frozen=True, eq=False)
class BasketCounts:
    """Item and pair counts of a basket log, computed by a SQL engine.

    ``n_baskets``: distinct baskets; ``items``: every item label seen (text, sorted as
    :func:`~crm_analysis.baskets.rules.basket_matrix` sorts them; named after the item
    column); ``item_counts``: baskets holding each item (int64, aligned with ``items``);
    ``itemsets``: the frequent 1- and 2-itemsets in the frame
    :func:`~crm_analysis.baskets.rules.frequent_itemsets` returns with ``max_len=2``
    (``itemset`` as tuples of positions in ``items``, ``n_items``, ``count`` in baskets,
    ``support`` as a share of baskets; by size, then lexicographic).

    It has the ``n_baskets`` and ``items`` that
    :func:`~crm_analysis.baskets.rules.association_rules` reads from a
    :class:`~crm_analysis.baskets.rules.Baskets`, so
    ``association_rules(counts.itemsets, counts)`` gives the single-antecedent rules.
    """

    n_baskets: int
    items: pd.Index
    item_counts: np.ndarray
    itemsets: pd.DataFrame

    def frequencies(self) -> pd.DataFrame:
        """The frame of :func:`~crm_analysis.baskets.rules.item_frequencies`: ``item``,
        ``count`` (baskets), ``support`` (share), most frequent first, ties by label."""
        table = pd.DataFrame({"item": self.items.astype("str"), "count": self.item_counts,
                              "support": self.item_counts / self.n_baskets})
        return table.sort_values(["count", "item"], ascending=[False, True], ignore_index=True)


def check_query(dialect: Dialect, relation: str, basket_col: str, item_col: str) -> str:
    """One scan: rows with a missing basket, rows with a missing item, distinct baskets."""
    from crm_analysis.clv.summary_sql import quote

    b, i = quote(basket_col, dialect), quote(item_col, dialect)
    return (f"SELECT {dialect.count_if(f'{b} IS NULL')}, {dialect.count_if(f'{i} IS NULL')}, "
            f"count(DISTINCT {b}) FROM {relation}")


def itemset_counts_query(dialect: Dialect, relation: str, basket_col: str, item_col: str,
                         min_count: int) -> str:
    """The counting query, written once for every engine: rows ``(item_a, item_b, n)``;
    ``item_b`` is NULL on the rows of single items (every item, whatever its count), else
    the row is a pair ``item_a < item_b`` held by ``n ≥ min_count`` baskets."""
    from crm_analysis.clv.summary_sql import quote

    b, i, text = quote(basket_col, dialect), quote(item_col, dialect), dialect.text_type
    min_count = int(min_count)
    return f"""
      WITH lines AS (
        SELECT DISTINCT {b} AS basket, CAST({i} AS {text}) AS item FROM {relation}
      ),
      items AS (
        SELECT item, count(*) AS n FROM lines GROUP BY item
      ),
      kept AS (
        SELECT basket, item FROM lines
        WHERE item IN (SELECT item FROM items WHERE n >= {min_count})
      ),
      pairs AS (
        SELECT x.item AS item_a, y.item AS item_b, count(*) AS n
        FROM kept x JOIN kept y ON x.basket = y.basket AND x.item < y.item
        GROUP BY x.item, y.item
        HAVING count(*) >= {min_count}
      )
      SELECT item AS item_a, CAST(NULL AS {text}) AS item_b, n FROM items
      UNION ALL
      SELECT item_a, item_b, n FROM pairs
    """


def _text(values: pd.Series) -> pd.Series:
    """Values as text objects (``astype(str)`` as basket_matrix), missing ones as None."""
    missing = values.isna().to_numpy()
    out = values.astype("str").astype(object)
    out[missing] = None
    return out


def _two_columns(frame: pd.DataFrame, basket_col: str, item_col: str) -> pd.DataFrame:
    _require(list(frame.columns), basket_col, item_col)
    return pd.DataFrame({basket_col: _text(frame[basket_col]), item_col: _text(frame[item_col])})


def _require(columns: list, basket_col: str, item_col: str) -> None:
    missing = [c for c in (basket_col, item_col) if c not in columns]
    if missing:
        raise ValueError(f"basket lines lack column(s) {missing}; they have {list(columns)}; "
                         "name the basket and item columns with basket_col= and item_col=")


def _file_kind(text: str) -> str:
    lower = text.lower()
    if lower.endswith((".parquet", ".pq")):
        return "parquet"
    if lower.endswith((".csv", ".csv.gz", ".txt", ".tsv")):
        return "csv"
    return ""


def _duckdb_counts(source, basket_col, item_col, min_support, memory_limit, threads):
    from crm_analysis.clv.summary_sql import DUCKDB, duckdb_connection, literal

    con = duckdb_connection(memory_limit, threads)
    try:
        if isinstance(source, pd.DataFrame):
            con.register("basket_lines", _two_columns(source, basket_col, item_col))
            relation = "basket_lines"
        else:
            text = str(source)
            if "://" not in text and not any(ch in text for ch in "*?[") and not Path(text).exists():
                raise FileNotFoundError(f"basket lines file {text!r} does not exist")
            kind = _file_kind(text)
            if kind == "parquet":
                relation = f"read_parquet({literal(text)})"
            elif kind == "csv":
                relation = f"read_csv({literal(text)}, header = true, all_varchar = true)"
            else:
                raise ValueError(f"basket lines file {text!r}: expected a .csv, .csv.gz or .parquet file")
            columns = [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()]
            _require(columns, basket_col, item_col)
        return _run(lambda sql: con.execute(sql).fetchall(), DUCKDB, relation, basket_col, item_col,
                    min_support)
    finally:
        con.close()


def _spark_counts(source, spark, basket_col, item_col, min_support):
    from crm_analysis.clv.summary_sql import SPARK, quote

    if spark is None:
        from crm_analysis.clv.summary_spark import local_spark_session

        spark = local_spark_session()
    if hasattr(source, "sparkSession") and hasattr(source, "schema"):  # a Spark DataFrame
        frame = source
    elif isinstance(source, pd.DataFrame):
        lines = _two_columns(source, basket_col, item_col)
        frame = spark.createDataFrame(lines, schema=f"{quote(basket_col, SPARK)} STRING, "
                                                    f"{quote(item_col, SPARK)} STRING")
    else:
        text = str(source)
        kind = _file_kind(text)
        if kind == "parquet" or (not kind and os.path.isdir(text)):
            frame = spark.read.parquet(text)
        elif kind == "csv":
            frame = spark.read.option("header", "true").csv(text)  # every column as text
        else:
            raise ValueError(f"basket lines file {text!r}: expected a .csv, .csv.gz or .parquet file or folder")
    _require(frame.columns, basket_col, item_col)
    view = f"crm_basket_lines_{id(frame)}"
    frame.createOrReplaceTempView(view)
    try:
        return _run(lambda sql: [tuple(row) for row in spark.sql(sql).collect()], SPARK, view,
                    basket_col, item_col, min_support)
    finally:
        spark.catalog.dropTempView(view)


def _run(fetch, dialect, relation, basket_col, item_col, min_support):
    """Check the lines, count them, and assemble :class:`BasketCounts` (shared by the engines)."""
    no_basket, no_item, n_baskets = fetch(check_query(dialect, relation, basket_col, item_col))[0]
    for column, n in ((basket_col, no_basket), (item_col, no_item)):
        if n:
            raise ValueError(f"basket lines: column {column!r} is missing in {n} rows; "
                             "drop those rows before counting baskets")
    n_baskets = int(n_baskets)
    if n_baskets == 0:
        raise ValueError("basket lines: no item lines; nothing to mine")
    min_count = _min_count(min_support, n_baskets)
    rows = pd.DataFrame(fetch(itemset_counts_query(dialect, relation, basket_col, item_col, min_count)),
                        columns=["item_a", "item_b", "n"])
    return _assemble(rows, n_baskets, min_count, item_col)


def _assemble(rows: pd.DataFrame, n_baskets: int, min_count: int, item_col: str) -> BasketCounts:
    single = rows["item_b"].isna().to_numpy()
    codes, items = pd.factorize(rows.loc[single, "item_a"].astype("str"), sort=True)
    item_counts = np.zeros(len(items), dtype="int64")
    item_counts[codes] = rows.loc[single, "n"].to_numpy(dtype="int64")
    frequent = np.flatnonzero(item_counts >= min_count)
    pairs = rows.loc[~single]
    a = items.get_indexer(pairs["item_a"].astype("str"))
    b = items.get_indexer(pairs["item_b"].astype("str"))
    lo, hi = np.minimum(a, b), np.maximum(a, b)  # positions ascending whatever the engine's text order
    order = np.lexsort((hi, lo))
    levels = [frequent[:, None], np.column_stack([lo[order], hi[order]]).astype(frequent.dtype)]
    counts = [item_counts[frequent], pairs["n"].to_numpy(dtype="int64")[order]]
    if len(frequent) < 2:
        levels, counts = levels[:1], counts[:1]
    return BasketCounts(n_baskets=n_baskets, items=pd.Index(items, name=item_col), item_counts=item_counts,
                        itemsets=itemset_table(levels, counts, n_baskets))


def basket_counts_sql(
    source,
    *,
    basket_col: str = "basket_id",
    item_col: str = "item",
    min_support: float = 0.01,
    engine: str | None = None,
    spark=None,
    memory_limit: str | None = None,
    threads: int | None = None,
) -> BasketCounts:
    """Baskets per item and per frequent pair of items, counted by DuckDB or Spark.

    ``source``: basket lines (one row per item of a basket; repeated lines count once) as a
    Parquet/CSV path or glob (CSV with a header; Spark also reads folders and any URL it
    can), a pandas DataFrame, or a Spark DataFrame. ``basket_col`` / ``item_col``: the
    basket key and item columns. ``min_support`` (0, 1]: share of baskets a pair (and each
    of its items) must reach to be returned. ``engine`` {duckdb, spark}: default Spark when
    ``spark`` is given or ``source`` is a Spark DataFrame, else DuckDB. ``spark``: the
    SparkSession to use (default
    :func:`~crm_analysis.clv.summary_spark.local_spark_session`). ``memory_limit`` (e.g.
    ``"4GB"``) and ``threads`` are passed to DuckDB.

    Returns :class:`BasketCounts`; its ``itemsets`` equal
    ``frequent_itemsets(basket_matrix(lines, basket_col, item_col), min_support, max_len=2)``
    and ``association_rules(counts.itemsets, counts)`` mines the rules from them.
    A missing basket or item raises ValueError naming the column and the number of rows.
    """
    if engine is None:
        engine = "spark" if spark is not None or hasattr(source, "sparkSession") else "duckdb"
    if engine not in ("duckdb", "spark"):
        raise ValueError(f"engine must be one of ['duckdb', 'spark']; got {engine!r}")
    _min_count(min_support, 1)  # the range check, before any engine starts
    if engine == "spark":
        return _spark_counts(source, spark, basket_col, item_col, min_support)
    if hasattr(source, "sparkSession"):
        raise ValueError("engine='duckdb' cannot read a Spark DataFrame; use engine='spark'")
    return _duckdb_counts(source, basket_col, item_col, min_support, memory_limit, threads)
