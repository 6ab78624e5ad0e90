"""Churn without contracts: "P(alive) below a threshold" from a BG/NBD model (notebook 03)
against a classifier on recent behaviour.

A retailer never sees a customer leave; it sees purchases stop. Two ways to flag churn:

- **BG/NBD P(alive)** (:class:`crm_analysis.clv.BGNBD`): the probability that the customer
  is still "alive" given frequency, recency and age; flag when below a threshold. Needs no
  labels.
- **a classifier on recent behaviour**: a logistic regression of "no purchase in the next
  period" on RFM recency (weeks since the last purchase), frequency, age and log spend,
  trained on an earlier window (features up to ``train_end``, label from the period
  after it) and applied at ``calibration_end``.

Both are judged on what a business can observe, no purchase in the following period
(AUC, share flagged, precision, recall of the flags). "No purchase" is not "gone": a slow
but loyal buyer can skip a quarter, which is what P(alive) models and a lapse classifier
does not.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from crm_analysis.clv import BGNBD, summarize_transactions


def rfm_features(summary: pd.DataFrame) -> pd.DataFrame:
    """Features from a weekly summary: ``weeks_since_last`` (T − t_x), ``frequency``,
    ``age_weeks`` (T) and ``log_spend`` (log1p of mean repeat spend, 0 without repeats)."""
    return pd.DataFrame({
        "weeks_since_last": summary["T_weeks"] - summary["recency_weeks"],
        "frequency": summary["frequency"].astype(float),
        "age_weeks": summary["T_weeks"],
        "log_spend": np.log1p(summary["monetary_value"].fillna(0.0)),
    }, index=summary.index)


def churn_scores(transactions: pd.DataFrame, train_end, calibration_end, observation_end) -> pd.DataFrame:
    """Per customer acquired by ``calibration_end``: ``p_alive`` (BG/NBD fitted on the
    purchases up to ``calibration_end``), ``p_no_purchase_bgnbd`` (the same model's
    probability of no purchase in the following period), ``p_lapse`` (classifier trained one window
    earlier: features up to ``train_end``, label "no purchase in (train_end,
    calibration_end]") and the outcome ``lapsed`` (no purchase in (calibration_end,
    observation_end]), which neither model saw."""
    past = summarize_transactions(transactions, calibration_end=train_end,
                                  observation_end=calibration_end)
    clf = LogisticRegression(max_iter=1000).fit(rfm_features(past),
                                                (past["holdout_frequency"] == 0).astype(int))
    now = summarize_transactions(transactions, calibration_end=calibration_end,
                                 observation_end=observation_end)
    bg = BGNBD().fit(now)
    x, T = now["frequency"].to_numpy(float), now["T_weeks"].to_numpy(float)
    p_alive = np.asarray(bg.p_alive(now["frequency"], now["recency_weeks"], now["T_weeks"]))
    # BG/NBD drops customers only right after a purchase, so an alive customer stays alive
    # through a period without purchases: P(none in t) = 1 − P(alive) + P(alive)·((α+T)/(α+T+t))^(r+x)
    r, alpha = float(bg.params_["r"]), float(bg.params_["alpha"])
    t = now["holdout_weeks"].to_numpy(float)
    p_none = 1 - p_alive + p_alive * ((alpha + T) / (alpha + T + t)) ** (r + x)
    return pd.DataFrame({"p_alive": p_alive, "p_no_purchase_bgnbd": p_none,
                         "p_lapse": clf.predict_proba(rfm_features(now))[:, 1],
                         "lapsed": (now["holdout_frequency"] == 0).astype(int)}, index=now.index)


def compare_flags(scores: pd.DataFrame, outcome, threshold: float = 0.5) -> pd.DataFrame:
    """Judge both churn flags against a 0/1 ``outcome`` (1 = churned: e.g. ``lapsed``, or
    the true dropout on synthetic data): ``auc`` of the churn score, ``flagged_share``,
    ``precision`` and ``recall`` of the flag (P(alive) < threshold; the two
    no-purchase probabilities > 1 − threshold)."""
    if not 0 < threshold < 1:
        raise ValueError(f"threshold must be in (0, 1); got {threshold}")
    y = np.asarray(outcome, dtype=int)
    rows = {}
    for name, score, flag in (
        ("BG/NBD P(alive) < threshold", 1 - scores["p_alive"], scores["p_alive"] < threshold),
        ("BG/NBD P(no purchase)", scores["p_no_purchase_bgnbd"],
         scores["p_no_purchase_bgnbd"] > 1 - threshold),
        ("classifier on recent behaviour", scores["p_lapse"], scores["p_lapse"] > 1 - threshold),
    ):
        flag = flag.to_numpy()
        hits = int((flag & (y == 1)).sum())
        rows[name] = {"auc": roc_auc_score(y, score), "flagged_share": float(flag.mean()),
                      "precision": hits / flag.sum() if flag.sum() else np.nan,
                      "recall": hits / y.sum() if y.sum() else np.nan}
    return pd.DataFrame(rows).T


def churn_scores_at(transactions: pd.DataFrame, as_of=None, period_weeks: int = 13) -> pd.DataFrame:
    """:func:`churn_scores` with the windows counted back from the end of the data
    (``as_of``, else the last purchase; no purchase after it is used): the outcome is the
    last ``period_weeks`` weeks, the classifier learns on the ``period_weeks`` before."""
    tx = transactions
    if as_of is not None:
        tx = tx[tx["date"] <= pd.Timestamp(as_of) + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)]
    end = tx["date"].max().normalize()
    step = pd.Timedelta(weeks=period_weeks)
    return churn_scores(tx, end - 2 * step, end - step, end)
