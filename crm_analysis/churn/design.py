"""Design matrices for the hazard models: numeric columns as given, text columns as
indicator columns against a stated reference level.

A column of text (or category, or bool) becomes one 0/1 column per level except the
reference, named ``column[level]``; the reference is the level given in ``reference``
or, by default, the most frequent level (ties: the first in sorted order), so hazard
ratios read "compared with the most common kind of customer".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_analysis.common import require_columns


def is_numeric(series: pd.Series) -> bool:
    """True for numeric columns other than bool (bools are treated as categories)."""
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def default_reference(series: pd.Series):
    """The most frequent value of ``series`` (ties broken by sorted order)."""
    counts = series.value_counts()
    top = counts[counts == counts.max()].index
    return sorted(top, key=str)[0]


def design_matrix(frame: pd.DataFrame, covariates, reference: dict | None = None,
                  what: str = "frame", strict: bool = True) -> tuple[pd.DataFrame, dict]:
    """Build the covariate matrix (float) and return it with the reference level of each
    categorical column. Missing values raise ``ValueError`` naming column and rows.
    ``strict=False`` (for predicting on new rows) accepts a reference level the rows lack."""
    covariates = list(covariates)
    require_columns(frame, covariates, what)
    reference = dict(reference or {})
    parts, refs = [], {}
    for col in covariates:
        s = frame[col]
        missing = np.flatnonzero(s.isna().to_numpy())
        if missing.size:
            raise ValueError(f"{what}: column {col!r} has missing values in rows "
                             f"{frame.index[missing[:10]].tolist()}; drop or fill them first")
        if is_numeric(s):
            parts.append(s.astype("float64").rename(col))
            continue
        levels = sorted(s.astype(str).unique().tolist())
        ref = str(reference.get(col, default_reference(s.astype(str))))
        if strict and ref not in levels:
            raise ValueError(f"{what}: reference level {ref!r} of {col!r} is not among its "
                             f"values {levels}")
        refs[col] = ref
        for level in levels:
            if level != ref:
                parts.append((s.astype(str) == level).astype("float64").rename(f"{col}[{level}]"))
    if not parts:
        return pd.DataFrame(index=frame.index), refs
    return pd.concat(parts, axis=1), refs
