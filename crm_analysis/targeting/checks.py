"""Input checks shared by the targeting modules: clear errors that name the input and rows."""

from __future__ import annotations

import numpy as np
import pandas as pd


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


def require_both_classes(y: np.ndarray, name: str) -> None:
    """Raise ``ValueError`` when the 0/1 array ``y`` holds only one class."""
    if len(y) == 0:
        raise ValueError(f"{name} is empty")
    if y.min() == y.max():
        raise ValueError(f"{name} holds a single class ({int(y[0])} in all {len(y)} rows); "
                         f"a response model needs responders and non-responders")


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


def check_campaign(y, treatment, name_y: str = "response",
                   name_t: str = "treated") -> tuple[np.ndarray, np.ndarray]:
    """Validate a randomized campaign's outcome and treatment flags.

    Both must be 0/1; there must be treated and control rows, and the outcome must vary.
    Returns ``(y, t)`` as integer arrays.
    """
    y = as_binary(y, name_y)
    t = as_binary(treatment, name_t)
    same_length(**{name_y: y, name_t: t})
    if t.sum() == 0:
        raise ValueError(f"{name_t} has no treated rows (all {len(t)} are 0); uplift needs "
                         f"a randomized treated group and a control group")
    if t.sum() == len(t):
        raise ValueError(f"{name_t} has no control rows (all {len(t)} are 1); uplift needs "
                         f"a randomized treated group and a control group")
    require_both_classes(y, name_y)
    return y, t
