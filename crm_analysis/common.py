"""Helpers every topic shares: column checks, equal-count score groups, top-k selection.

Each concept lives here once; topic subpackages import it rather than re-implement it.

- :func:`require_columns`: a frame has the columns a function needs, or a ``ValueError``
  names the missing ones, the closest existing names and what the frame is.
- :func:`score_groups`: quantile groups (1 … n) of a score **by value**: equal values get
  the same group whatever the row order (RFM scores, deciles of a model score).
- :func:`top_k`: the positions of the k highest scores, ties broken by a stated,
  order-independent key.
- :func:`as_binary`, :func:`as_scores`, :func:`same_length`: value checks of 0/1 flags,
  finite scores and equal lengths, whose errors name the input and the rows.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

import numpy as np
import pandas as pd


def require_columns(frame: pd.DataFrame, columns: Iterable[str], what: str = "frame") -> None:
    """Raise ``ValueError`` naming every column of ``columns`` that ``frame`` lacks."""
    missing = [c for c in columns if c not in frame.columns]
    if not missing:
        return
    hints = []
    for name in missing:
        close = difflib.get_close_matches(str(name), [str(c) for c in frame.columns], n=1)
        hints.append(f"{name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    raise ValueError(
        f"{what}: missing column(s) {', '.join(hints)}; it has {', '.join(map(repr, frame.columns))}"
    )


def score_groups(values, n_groups: int, higher_is_better: bool = True) -> np.ndarray:
    """Equal-count groups 1 … ``n_groups`` of ``values``, ties kept together.

    Groups are cut at the quantiles of the values' *average ranks*, so equal values
    always fall in the same group and the result does not depend on row order; with
    many ties the groups are unequal in size (and some may be empty). Group
    ``n_groups`` holds the best values (the highest if ``higher_is_better``, else the
    lowest). NaN values raise ``ValueError``.
    """
    x = np.asarray(values, dtype="float64")
    if n_groups < 1:
        raise ValueError(f"n_groups must be at least 1; got {n_groups}")
    if np.isnan(x).any():
        rows = np.flatnonzero(np.isnan(x))[:10].tolist()
        raise ValueError(f"score_groups: NaN values at positions {rows}")
    if x.size == 0:
        return np.zeros(0, dtype="int64")
    ranks = pd.Series(x if higher_is_better else -x).rank(method="average").to_numpy()
    # rank r in 1..n maps to group ceil(r / n * n_groups); averaged ranks keep ties together
    groups = np.ceil(ranks / x.size * n_groups).astype("int64")
    return np.clip(groups, 1, n_groups)


def top_k(scores, k: int, tie_key=None) -> np.ndarray:
    """Positions of the ``k`` highest ``scores``, best first.

    Ties are broken by ``tie_key`` (ascending; e.g. customer ids) when given, else by
    position, so with a ``tie_key`` the selection does not depend on row order.
    """
    s = np.asarray(scores, dtype="float64")
    if k < 0:
        raise ValueError(f"k must be non-negative; got {k}")
    keys = [np.arange(s.size)] if tie_key is None else [np.asarray(tie_key)]
    order = np.lexsort((*keys, -s))
    return order[: min(k, s.size)]


def _rows(mask: np.ndarray, index) -> list:
    """Up to 10 row labels where ``mask`` is true."""
    return list(pd.Index(index)[np.asarray(mask)][:10])


def as_binary(values, name: str) -> np.ndarray:
    """Return ``values`` as a 0/1 integer array; raise ``ValueError`` naming bad rows.

    Accepts 0/1 numbers or booleans. NaN or any other value is an error.
    """
    series = pd.Series(values)
    numeric = pd.to_numeric(series, errors="coerce")
    bad = ~numeric.isin([0, 1]).to_numpy()
    if bad.any():
        raise ValueError(f"{name} must be 0/1, but rows {_rows(bad, series.index)} hold "
                         f"{list(series[bad].head(10))}")
    return numeric.to_numpy().astype(np.int64)


def as_scores(values, name: str) -> np.ndarray:
    """Return ``values`` as a finite float array; raise ``ValueError`` naming NaN rows."""
    series = pd.Series(values)
    numeric = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(numeric)
    if bad.any():
        raise ValueError(f"{name} must be finite numbers, but {int(bad.sum())} row(s) are "
                         f"NaN, infinite or not numeric: rows {_rows(bad, series.index)}")
    return numeric


def same_length(**arrays) -> int:
    """Return the common length of the arrays; raise ``ValueError`` if they differ."""
    lengths = {k: len(v) for k, v in arrays.items()}
    if len(set(lengths.values())) != 1:
        raise ValueError(f"inputs must have the same length, got {lengths}")
    return next(iter(lengths.values()))
