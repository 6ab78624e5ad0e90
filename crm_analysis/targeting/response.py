"""Response models (the database-marketing view): who answers an offer?

* :func:`fit_logit` — logistic regression with statsmodels, for interpretation
  (coefficients, standard errors, odds ratios);
* :func:`fit_gradient_boosting` — scikit-learn's histogram gradient boosting, for ranking;
* :func:`roc_auc` and :func:`calibration_table` to judge them on a hold-out set.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.api as sm
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from threadpoolctl import threadpool_limits

from ..common import require_columns, score_groups
from ..estimates import FittedResults, check_level, unwrap
from .checks import as_binary, as_scores, require_both_classes, same_length


def _design(frame: pd.DataFrame, features) -> pd.DataFrame:
    require_columns(frame, features, "response model data")
    X = frame[list(features)].apply(pd.to_numeric, errors="coerce").astype(float)
    bad = ~np.isfinite(X.to_numpy())
    if bad.any():
        col = X.columns[bad.any(axis=0)][0]
        rows = list(X.index[bad[:, list(X.columns).index(col)]][:10])
        raise ValueError(f"column {col!r} must hold finite numbers; rows {rows} do not")
    return X


def fit_logit(frame: pd.DataFrame, target: str, features):
    """Logistic regression of the 0/1 column ``target`` on ``features`` (with an intercept).

    Fitted as a binomial GLM by iteratively reweighted least squares, as R's ``glm`` does,
    so it converges (with large coefficients) on quasi-separated data such as Caravan,
    where Newton's method on the likelihood does not. Returns a
    :class:`~crm_analysis.estimates.FittedResults`: ``params_``, ``std_err_``,
    ``conf_int(level=)``, ``summary(level=)`` (the estimate table), with statsmodels'
    attributes (``params``, ``predict``, ``converged``, …) passed through.
    BLAS runs single-threaded here: for designs of tens of columns threading costs more
    than it saves, and on a busy machine it made the Caravan fit ten times slower.
    """
    if target not in frame.columns:
        raise ValueError(f"fit_logit: target column {target!r} not found")
    y = as_binary(frame[target], target)
    require_both_classes(y, target)
    X = sm.add_constant(_design(frame, features), has_constant="add")
    with threadpool_limits(limits=1, user_api="blas"):
        return FittedResults(sm.GLM(y, X, family=sm.families.Binomial()).fit())


def predict_logit(result, frame: pd.DataFrame) -> np.ndarray:
    """Response probabilities (share) of a :func:`fit_logit` result for new rows."""
    names = [c for c in result.params.index if c != "const"]
    X = sm.add_constant(_design(frame, names), has_constant="add")
    return np.asarray(result.predict(X))


def odds_ratios(result, level: float = 0.95) -> pd.DataFrame:
    """The estimate table of a :func:`fit_logit` result, with odds ratios.

    Log-odds scale (one row per term): ``estimate``, ``std_err``, ``ci_low``, ``ci_high``
    (Wald at ``level``), ``p_value`` (Wald test of a zero coefficient), ``level``;
    multiplicative scale: ``odds_ratio`` = exp(estimate) and its interval
    ``odds_ratio_ci_low``, ``odds_ratio_ci_high``.
    """
    level = check_level(level)
    table = FittedResults(unwrap(result)).summary(level=level)
    return table.assign(odds_ratio=np.exp(table["estimate"]), odds_ratio_ci_low=np.exp(table["ci_low"]),
                        odds_ratio_ci_high=np.exp(table["ci_high"]))


def fit_gradient_boosting(frame: pd.DataFrame, target: str, features, max_iter: int = 100,
                          seed: int = 0) -> HistGradientBoostingClassifier:
    """Histogram gradient boosting of the 0/1 ``target`` on ``features`` (shallow trees,
    early stopping off so the result depends only on ``seed``)."""
    if target not in frame.columns:
        raise ValueError(f"fit_gradient_boosting: target column {target!r} not found")
    y = as_binary(frame[target], target)
    require_both_classes(y, target)
    model = HistGradientBoostingClassifier(max_iter=max_iter, learning_rate=0.1, max_depth=3,
                                           min_samples_leaf=50, early_stopping=False,
                                           random_state=seed)
    return model.fit(_design(frame, features), y)


def predict_gradient_boosting(model, frame: pd.DataFrame) -> np.ndarray:
    """Response probabilities (share) of a :func:`fit_gradient_boosting` model for new rows."""
    return model.predict_proba(_design(frame, list(model.feature_names_in_)))[:, 1]


def roc_auc(y, score) -> float:
    """Area under the ROC curve (0.5 = chance, 1 = perfect ranking)."""
    y = as_binary(y, "response")
    s = as_scores(score, "score")
    same_length(response=y, score=s)
    require_both_classes(y, "response")
    return float(roc_auc_score(y, s))


def calibration_table(y, prob, n_bins: int = 10) -> pd.DataFrame:
    """Mean predicted probability vs observed response rate in equal-count bins of ``prob``."""
    y = as_binary(y, "response")
    p = as_scores(prob, "probability")
    same_length(response=y, probability=p)
    bins = score_groups(p, n_bins) - 1  # equal-count bins by value: tied probabilities share one
    data = pd.DataFrame({"bin": bins, "p": p, "y": y})
    return data.groupby("bin").agg(customers=("y", "size"), mean_predicted=("p", "mean"),
                                   observed_rate=("y", "mean"))
