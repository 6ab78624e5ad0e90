"""Covariate balance: standardized mean differences (SMD) between members and non-members.

SMD = (mean among members − mean among non-members) / sqrt((s²_members + s²_non-members) / 2),
unitless. Means may be weighted (IPW or matching weights); the denominator always uses
the unweighted standard deviations, so before and after values are on one scale. A common
rule of thumb calls |SMD| < 0.1 balanced. Text covariates are one-hot encoded.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .design import covariate_matrix, treatment_indicator


def standardized_mean_differences(frame: pd.DataFrame, covariates: list[str],
                                  treatment: str = "member",
                                  weights: pd.Series | None = None) -> pd.Series:
    """SMD of each covariate (dummies for text ones), optionally with weighted means."""
    d = treatment_indicator(frame, treatment).to_numpy() == 1
    x = covariate_matrix(frame, covariates)
    w = np.ones(len(frame)) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != (len(frame),) or np.any(w < 0) or not np.all(np.isfinite(w)):
        bad = np.flatnonzero(~np.isfinite(w) | (w < 0))[:10] if w.shape == (len(frame),) else []
        raise ValueError(f"weights must be one finite non-negative number per row; "
                         f"bad rows {list(frame.index[bad])}")
    scale = np.sqrt((x[d].var() + x[~d].var()) / 2)
    flat = scale.index[scale == 0]
    if len(flat):
        raise ValueError(f"covariate(s) {list(flat)} do not vary; SMD is undefined")
    treated = x[d].mul(w[d], axis=0).sum() / w[d].sum()
    control = x[~d].mul(w[~d], axis=0).sum() / w[~d].sum()
    return ((treated - control) / scale).rename("smd")


def balance_table(frame: pd.DataFrame, covariates: list[str], treatment: str = "member",
                  weights: dict[str, pd.Series] | None = None) -> pd.DataFrame:
    """SMD per covariate: column ``unadjusted`` plus one column per named weighting."""
    columns = {"unadjusted": standardized_mean_differences(frame, covariates, treatment)}
    for name, w in (weights or {}).items():
        columns[name] = standardized_mean_differences(frame, covariates, treatment, w)
    return pd.DataFrame(columns)
