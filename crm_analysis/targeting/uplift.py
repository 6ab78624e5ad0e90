"""Uplift modelling on randomized campaigns: whose behaviour does the contact change?

Two learners wrap any scikit-learn classifier:

* :class:`TwoModelUplift` (T-learner): one response model on the treated, one on the
  control group; uplift = P(respond | treated, x) − P(respond | control, x).
* :class:`ClassTransformationUplift` (Jaskowski & Jaroszewicz 2012): one classifier on
  ``z = 1`` for treated responders and control non-responders. With both arms weighted to
  equal total weight, P(z=1 | x) = (1 + uplift(x)) / 2, so uplift = 2 P(z=1 | x) − 1.

Evaluation (Radcliffe 2007; the definitions of scikit-uplift): customers are ordered by
predicted uplift, highest first; customers with tied scores enter together. After the top
group with ``n_t`` treated and ``n_c`` control customers, of whom ``y_t`` and ``y_c``
responded:

* Qini curve: ``y_t − y_c · n_t / n_c`` (incremental responders; ``y_t`` while n_c = 0);
* uplift curve: ``(y_t / n_t − y_c / n_c) · (n_t + n_c)`` (0 while an arm is empty).

Areas are taken with x = share of customers targeted (0–1) and y = the curve divided by
the number of customers (incremental responders per customer), by the trapezoid rule,
minus the area under the random-targeting line from (0, 0) to (1, curve(1)). A model that
ranks no better than chance has area ≈ 0.

The curves are hand-written: scikit-uplift (which has them) is not maintained for current
scikit-learn, and they are a few cumulative sums.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier

from ..common import score_groups, top_k
from .checks import as_scores, check_campaign, same_length


def default_classifier(seed: int = 0, max_iter: int = 60) -> HistGradientBoostingClassifier:
    """A small, regularized gradient-boosted classifier (fast on tens of thousands of rows)."""
    return HistGradientBoostingClassifier(max_iter=max_iter, learning_rate=0.1, max_depth=3,
                                          min_samples_leaf=100, random_state=seed)


class TwoModelUplift:
    """T-learner: separate response models for the treated and control groups."""

    def __init__(self, estimator=None):
        self.estimator = estimator if estimator is not None else default_classifier()

    def fit(self, X, treatment, y) -> "TwoModelUplift":
        """Fit on features ``X``, 0/1 ``treatment`` and 0/1 response ``y``; return self."""
        y, t = check_campaign(y, treatment)
        same_length(X=X, response=y)
        for arm, name in ((1, "treated"), (0, "control")):
            if np.unique(y[t == arm]).size < 2:
                raise ValueError(f"response holds a single class in the {name} group; "
                                 f"its response model cannot be fitted")
        X = np.asarray(X, dtype=float)
        self.model_treated_ = clone(self.estimator).fit(X[t == 1], y[t == 1])
        self.model_control_ = clone(self.estimator).fit(X[t == 0], y[t == 0])
        return self

    def predict_arms(self, X) -> pd.DataFrame:
        """Predicted response probability with (``p_treated``) and without (``p_control``) contact."""
        X = np.asarray(X, dtype=float)
        return pd.DataFrame({"p_treated": self.model_treated_.predict_proba(X)[:, 1],
                             "p_control": self.model_control_.predict_proba(X)[:, 1]})

    def predict_uplift(self, X) -> np.ndarray:
        """Predicted uplift (change in response probability, as a share) per row of ``X``."""
        arms = self.predict_arms(X)
        return (arms["p_treated"] - arms["p_control"]).to_numpy()


class ClassTransformationUplift:
    """Class-transformation (a.k.a. revert-label) learner with arm weights for any treat share."""

    def __init__(self, estimator=None):
        self.estimator = estimator if estimator is not None else default_classifier()

    def fit(self, X, treatment, y) -> "ClassTransformationUplift":
        """Fit on features ``X``, 0/1 ``treatment`` and 0/1 response ``y``; return self."""
        y, t = check_campaign(y, treatment)
        same_length(X=X, response=y)
        z = y * t + (1 - y) * (1 - t)
        share = t.mean()
        weight = np.where(t == 1, 0.5 / share, 0.5 / (1 - share))
        self.treat_share_ = share
        self.model_ = clone(self.estimator).fit(np.asarray(X, dtype=float), z,
                                                sample_weight=weight)
        return self

    def predict_uplift(self, X) -> np.ndarray:
        """Predicted uplift (change in response probability, as a share) per row of ``X``."""
        return 2 * self.model_.predict_proba(np.asarray(X, dtype=float))[:, 1] - 1


def _cumulative(y, treatment, score) -> pd.DataFrame:
    y, t = check_campaign(y, treatment)
    s = as_scores(score, "uplift score")
    same_length(response=y, treated=t, score=s)
    data = pd.DataFrame({"s": s, "n_t": t, "n_c": 1 - t, "y_t": y * t, "y_c": y * (1 - t)})
    grouped = data.groupby("s", sort=True)[["n_t", "n_c", "y_t", "y_c"]].sum().iloc[::-1]
    cum = grouped.cumsum().reset_index(drop=True)
    start = pd.DataFrame({c: [0] for c in cum.columns})
    return pd.concat([start, cum], ignore_index=True)


def uplift_curves(y, treatment, score) -> pd.DataFrame:
    """Qini and uplift curves at every distinct score cut-off (first row: nobody targeted).

    Columns: ``targeted`` (customers), ``share`` (of all customers), ``n_t``, ``n_c``,
    ``y_t``, ``y_c`` (cumulative counts), ``qini`` and ``uplift`` (incremental responders,
    see the module docstring) and ``random_qini`` / ``random_uplift`` (the straight line of
    random targeting to the same end point).
    """
    cum = _cumulative(y, treatment, score)
    n_t, n_c = cum["n_t"].to_numpy(float), cum["n_c"].to_numpy(float)
    y_t, y_c = cum["y_t"].to_numpy(float), cum["y_c"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        qini = np.where(n_c > 0, y_t - y_c * n_t / n_c, y_t)
        lift = np.where((n_t > 0) & (n_c > 0), (y_t / n_t - y_c / n_c) * (n_t + n_c), 0.0)
    out = cum.assign(targeted=n_t + n_c)
    out["share"] = out["targeted"] / out["targeted"].iloc[-1]
    out["qini"] = qini
    out["uplift"] = lift
    out["random_qini"] = out["share"] * qini[-1]
    out["random_uplift"] = out["share"] * lift[-1]
    return out[["targeted", "share", "n_t", "n_c", "y_t", "y_c", "qini", "uplift",
                "random_qini", "random_uplift"]]


def _area_above_random(curves: pd.DataFrame, column: str) -> float:
    n = curves["targeted"].iloc[-1]
    x = curves["share"].to_numpy()
    gain = (curves[column] - curves[f"random_{column}"]).to_numpy() / n
    return float(np.trapezoid(gain, x))


def qini_auc(y, treatment, score) -> float:
    """Area between the Qini curve and random targeting (x: share targeted, y: incremental
    responders per customer). Positive when the score ranks persuadables first."""
    return _area_above_random(uplift_curves(y, treatment, score), "qini")


def uplift_auc(y, treatment, score) -> float:
    """Area between the uplift curve and random targeting, in the units of :func:`qini_auc`."""
    return _area_above_random(uplift_curves(y, treatment, score), "uplift")


def uplift_at_k(y, treatment, score, k: float = 0.1) -> float:
    """Observed uplift (treated minus control response rate, as a share) among the top
    ``k`` share of all customers by score (ties broken by row order)."""
    y, t = check_campaign(y, treatment)
    s = as_scores(score, "uplift score")
    same_length(response=y, treated=t, score=s)
    if not 0 < k <= 1:
        raise ValueError(f"uplift_at_k: k must be a share in (0, 1], got {k!r}")
    top = top_k(s, int(np.ceil(k * len(s))))
    yt, tt = y[top], t[top]
    if tt.sum() == 0 or tt.sum() == len(tt):
        raise ValueError(f"uplift_at_k: the top {k:.0%} holds only one arm; raise k")
    return float(yt[tt == 1].mean() - yt[tt == 0].mean())


def uplift_by_group(y, treatment, score, n_bins: int = 10) -> pd.DataFrame:
    """Observed response rates per arm and their difference by predicted-uplift group
    (1 = highest predicted uplift; equal-count groups by value, so tied scores share a
    group: :func:`crm_analysis.common.score_groups`)."""
    y, t = check_campaign(y, treatment)
    s = as_scores(score, "uplift score")
    same_length(response=y, treated=t, score=s)
    group = n_bins + 1 - score_groups(s, n_bins)
    data = pd.DataFrame({"group": group, "t": t, "y": y, "score": s})
    rates = data.pivot_table(index="group", columns="t", values="y", aggfunc="mean")
    out = pd.DataFrame({"predicted_uplift": data.groupby("group")["score"].mean(),
                        "rate_treated": rates.get(1), "rate_control": rates.get(0)})
    out["observed_uplift"] = out["rate_treated"] - out["rate_control"]
    return out
