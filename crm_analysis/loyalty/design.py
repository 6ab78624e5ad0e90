"""Covariate matrices for effect estimation, with checks that name columns and rows."""

from __future__ import annotations

import pandas as pd

from ..common import require_columns


def check_columns(frame: pd.DataFrame, columns: list[str], what: str = "frame") -> None:
    """Raise ``ValueError`` naming missing columns or rows with missing values."""
    require_columns(frame, columns, what)
    for column in columns:
        bad = frame.index[frame[column].isna()]
        if len(bad):
            raise ValueError(
                f"{what} column {column!r} has missing values in rows {list(bad[:10])}")


def treatment_indicator(frame: pd.DataFrame, treatment: str, what: str = "frame") -> pd.Series:
    """The treatment column as 0/1 integers; raises naming rows that are not 0/1/bool."""
    check_columns(frame, [treatment], what)
    values = frame[treatment]
    bad = frame.index[~values.isin([0, 1, True, False])]
    if len(bad):
        raise ValueError(
            f"{what} column {treatment!r} must be 0/1 or bool; rows {list(bad[:10])} are not")
    d = values.astype(int)
    if d.nunique() < 2:
        raise ValueError(f"{what} column {treatment!r} has only one group ({d.iloc[0]})")
    return d


def covariate_matrix(frame: pd.DataFrame, covariates: list[str],
                     what: str = "frame") -> pd.DataFrame:
    """Numeric covariates as float columns; text/categorical ones one-hot encoded.

    Dummy columns are named ``column[level]``; the first level (sorted, or the
    categorical order) is the reference and dropped. No intercept is added.
    """
    check_columns(frame, covariates, what)
    parts = []
    for column in covariates:
        values = frame[column]
        if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            parts.append(values.astype(float).rename(column))
        else:
            dummies = pd.get_dummies(values, prefix=column, prefix_sep="[", drop_first=True,
                                     dtype=float)
            parts.append(dummies.rename(columns=lambda name: name + "]"))
    return pd.concat(parts, axis=1)
