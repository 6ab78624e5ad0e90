"""A gradient-boosted Poisson frequency model, the GLM's challenger (scikit-learn).

``HistGradientBoostingRegressor(loss="poisson")`` is fitted to claims per policy-year
(``claim_count / exposure``) with ``sample_weight = exposure``, which maximises the
same Poisson likelihood as the GLM with a log-exposure offset. Categorical columns
(pandas ``category`` dtype) are used natively; other factors must be numeric.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor

from ..common import require_columns


def _features(frame: pd.DataFrame, factors: Sequence[str]) -> pd.DataFrame:
    require_columns(frame, factors, "policies (rating factors)")
    features = frame[list(factors)]
    for column in features.columns:
        dtype = features[column].dtype
        if not isinstance(dtype, pd.CategoricalDtype) and not pd.api.types.is_numeric_dtype(dtype):
            raise ValueError(f"column {column!r} must be numeric or categorical, got {dtype}")
    return features


def fit_frequency_gbm(
    frame: pd.DataFrame,
    factors: Sequence[str],
    max_iter: int = 200,
    learning_rate: float = 0.1,
    max_leaf_nodes: int = 15,
    seed: int = 0,
) -> HistGradientBoostingRegressor:
    """Boosted trees for claims per policy-year with exposure weights.

    Uses early stopping on an internal 10% validation split. Predict claims per
    policy-year with :func:`predict_frequency_gbm`.
    """
    expo = frame["exposure"].to_numpy(dtype=float)
    if (expo <= 0).any():
        raise ValueError(f"column 'exposure' must be positive; rows {np.flatnonzero(expo <= 0)[:10].tolist()} are not")
    model = HistGradientBoostingRegressor(
        loss="poisson", learning_rate=learning_rate, max_iter=max_iter,
        max_leaf_nodes=max_leaf_nodes, categorical_features="from_dtype",
        early_stopping=True, validation_fraction=0.1, random_state=seed,
    )
    target = frame["claim_count"].to_numpy(dtype=float) / expo
    return model.fit(_features(frame, factors), target, sample_weight=expo)


def predict_frequency_gbm(model: HistGradientBoostingRegressor, frame: pd.DataFrame,
                          factors: Sequence[str]) -> np.ndarray:
    """Predicted claims per policy-year from :func:`fit_frequency_gbm`."""
    return model.predict(_features(frame, factors))
