"""The arules "Groceries" raw files → one row per (basket, item category).

arules (``data_src/Groceries/``) publishes the data as a tab-separated count
matrix, one line per basket and one column per item category, plus label files
for the items and their two parent levels. An item's id encodes its parents:
item ``111`` (citrus fruit) lies in level-2 group ``11`` (fruit) and level-1
group ``1`` (fruit and vegetables).
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

RAW_FILES = ("Groceries.data.gz", "Groceries.labels", "Groceries.cat2.labels", "Groceries.cat1.labels")


def _labels(path: str | os.PathLike, name: str) -> pd.DataFrame:
    """A label file: id, English name, German name (tab-separated, no header)."""
    return pd.read_csv(path, sep="\t", header=None, names=["id", name], usecols=[0, 1], dtype=str)


def groceries_long_format(
    data: str | os.PathLike,
    labels: str | os.PathLike,
    cat2_labels: str | os.PathLike,
    cat1_labels: str | os.PathLike,
) -> pd.DataFrame:
    """Long format of the arules Groceries count matrix (``data``, gzipped or not).

    Returns one row per basket and item category present, in basket order then
    label-file order: ``transaction_id`` (1-based line of the matrix), ``item``,
    ``level2``, ``level1`` (English names) and ``count`` (articles of that
    category in the basket). Raises ValueError if the matrix and the label file
    disagree on the number of categories or an item id has no parent label.
    """
    counts = pd.read_csv(data, sep="\t", header=None).to_numpy()
    items = _labels(labels, "item")
    if counts.shape[1] != len(items):
        raise ValueError(f"{data} has {counts.shape[1]} columns but {labels} labels {len(items)} items")
    items = (
        items.assign(level2_id=items["id"].str[:2], level1_id=items["id"].str[:1])
        .merge(_labels(cat2_labels, "level2").rename(columns={"id": "level2_id"}), how="left", on="level2_id", validate="m:1")
        .merge(_labels(cat1_labels, "level1").rename(columns={"id": "level1_id"}), how="left", on="level1_id", validate="m:1")
    )
    orphans = items[items[["level2", "level1"]].isna().any(axis=1)]
    if not orphans.empty:
        raise ValueError(f"item ids without a parent category label: {orphans['id'].tolist()}")
    basket, column = np.nonzero(counts)
    return pd.DataFrame({
        "transaction_id": basket + 1,
        "item": items["item"].to_numpy()[column],
        "level2": items["level2"].to_numpy()[column],
        "level1": items["level1"].to_numpy()[column],
        "count": counts[basket, column],
    })
