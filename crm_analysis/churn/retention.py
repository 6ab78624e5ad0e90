"""Whom to save: a retention offer targeted by predicted save effect × customer value.

On a randomized retention campaign (some customers got the offer, a random control group
did not), a two-model uplift learner (:class:`crm_analysis.targeting.TwoModelUplift` on
"stayed") predicts each customer's churn risk without the offer and the **save effect**:
the drop in churn probability the offer causes. Three ways to spend a budget of offers:

- ``risk``: the customers most likely to churn (the usual churn-score list);
- ``save effect``: the largest predicted save effect;
- ``save effect × value``: the largest predicted retained margin.

Risk-only lists are full of customers who leave whatever we do (lost causes) and, at lower
budgets, of customers who would have stayed anyway; both waste the offer. Each list is
judged on the held-out customers by the incremental margin it keeps, estimated from the
randomized arms inside the list (and, on synthetic data, from the true effects), minus the
offers' cost: ROI and the break-even offer cost follow.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_analysis.common import require_columns, top_k
from crm_analysis.targeting.uplift import TwoModelUplift, default_classifier

POLICIES = ("risk", "save effect", "save effect × value")


def fit_save_model(train: pd.DataFrame, features, treatment: str = "treated",
                   churned: str = "churned", seed: int = 0, iterations: int = 100) -> TwoModelUplift:
    """Two-model learner of staying (1 − churned) with and without the offer."""
    require_columns(train, [*features, treatment, churned], "fit_save_model")
    model = TwoModelUplift(default_classifier(seed, iterations))
    return model.fit(train[list(features)], train[treatment], 1 - train[churned])


def save_scores(model: TwoModelUplift, frame: pd.DataFrame, features, value: str = "value") -> pd.DataFrame:
    """Per customer: ``churn_risk`` (predicted churn probability without the offer),
    ``save_effect`` (predicted drop in churn probability from the offer) and
    ``saved_value`` (save effect × ``value``, currency)."""
    arms = model.predict_arms(frame[list(features)])
    effect = (arms["p_treated"] - arms["p_control"]).to_numpy()
    return pd.DataFrame({"churn_risk": 1 - arms["p_control"].to_numpy(), "save_effect": effect,
                         "saved_value": effect * frame[value].to_numpy()}, index=frame.index)


def _selection(scores: pd.DataFrame, policy: str, k: int, ids) -> np.ndarray:
    column = {"risk": "churn_risk", "save effect": "save_effect",
              "save effect × value": "saved_value"}[policy]
    chosen = np.zeros(len(scores), dtype=bool)
    chosen[top_k(scores[column].to_numpy(), k, tie_key=ids)] = True
    return chosen


def estimated_incremental_value(frame: pd.DataFrame, chosen, value: str = "value",
                                treatment: str = "treated", churned: str = "churned",
                                with_se: bool = False):
    """Margin kept by offering the ``chosen`` customers, estimated from the randomized arms:
    n_chosen × (mean retained value if offered − mean retained value if not), currency.
    ``with_se=True`` returns ``(estimate, standard error)`` (difference of two means)."""
    part = frame[np.asarray(chosen)]
    kept = part[value] * (1 - part[churned])
    t = (part[treatment] == 1).to_numpy()
    if t.sum() < 2 or (~t).sum() < 2:
        return (float("nan"), float("nan")) if with_se else float("nan")
    est = float(len(part) * (kept[t].mean() - kept[~t].mean()))
    se = float(len(part) * np.sqrt(kept[t].var() / t.sum() + kept[~t].var() / (~t).sum()))
    return (est, se) if with_se else est


def policy_table(frame: pd.DataFrame, scores: pd.DataFrame, budget_share: float, offer_cost: float,
                 value: str = "value", true_effect: str | None = None, id_col: str = "customer_id") -> pd.DataFrame:
    """Compare the targeting policies at one budget (share of customers offered).

    One row per policy: ``offered``, ``incremental_value`` (estimated, currency) and its
    standard error ``incremental_value_se``, ``cost`` (offers × ``offer_cost``), ``net_value``, ``roi`` ((incremental value − cost)
    ÷ cost), ``break_even_offer_cost`` (incremental value per offer: the dearest offer
    that still pays), ``mean_churn_risk`` of those offered; with ``true_effect`` (a column
    of the true save effect, synthetic data only) also ``true_incremental_value`` and
    ``true_net_value``.
    """
    if not 0 < budget_share <= 1:
        raise ValueError(f"budget_share must be in (0, 1]; got {budget_share}")
    if offer_cost < 0:
        raise ValueError(f"offer_cost must be >= 0; got {offer_cost}")
    k = int(round(budget_share * len(frame)))
    ids = frame[id_col].to_numpy() if id_col in frame else None
    rows = {}
    for policy in POLICIES:
        chosen = _selection(scores, policy, k, ids)
        inc, se = estimated_incremental_value(frame, chosen, value, with_se=True)
        cost = offer_cost * k
        row = {"offered": k, "incremental_value": inc, "incremental_value_se": se,
               "cost": cost, "net_value": inc - cost,
               "roi": (inc - cost) / cost if cost > 0 else np.nan,
               "break_even_offer_cost": inc / k if k else np.nan,
               "mean_churn_risk": float(scores.loc[chosen, "churn_risk"].mean())}
        if true_effect is not None:
            true_inc = float((frame.loc[chosen, true_effect] * frame.loc[chosen, value]).sum())
            row.update(true_incremental_value=true_inc, true_net_value=true_inc - cost)
        rows[policy] = row
    return pd.DataFrame.from_dict(rows, orient="index")


def recommend_policy(table: pd.DataFrame) -> str:
    """The policy with the largest estimated net value (the one to run)."""
    return str(table["net_value"].idxmax())


def net_value_curve(frame: pd.DataFrame, scores: pd.DataFrame, offer_cost: float,
                    shares=np.linspace(0.1, 1.0, 10), value: str = "value",
                    true_effect: str | None = None) -> pd.DataFrame:
    """Net value (estimated and, with ``true_effect``, true) of each policy against the
    share of customers offered: long table ``share, policy, net_value[, true_net_value]``."""
    parts = []
    for share in shares:
        t = policy_table(frame, scores, float(share), offer_cost, value, true_effect)
        t = t.assign(share=float(share), policy=t.index)
        parts.append(t)
    return pd.concat(parts, ignore_index=True)


def customer_type_mix(frame: pd.DataFrame, scores: pd.DataFrame, budget_share: float,
                      type_col: str = "customer_type", id_col: str = "customer_id") -> pd.DataFrame:
    """Share of each (true) customer type among the customers each policy offers
    (synthetic data): why risk-only lists waste the budget."""
    k = int(round(budget_share * len(frame)))
    ids = frame[id_col].to_numpy() if id_col in frame else None
    mix = {p: frame.loc[_selection(scores, p, k, ids), type_col].value_counts(normalize=True)
           for p in POLICIES}
    return pd.DataFrame(mix).T.fillna(0.0)
