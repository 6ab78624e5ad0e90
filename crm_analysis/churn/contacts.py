"""4R of communication: what the contact history (the repository) says about churn.

:func:`contact_features` turns a contact history (one row per complaint or request) into
per-customer features: complaints, mean response time (days), unresolved complaints and
the highest ticket priority. :func:`responsiveness_effect` estimates the hazard ratio of
churn per day of mean response time among customers who complained, with and without
adjusting for the ticket priority: slow answers go to hard problems, and hard problems
drive churn by themselves, so the unadjusted ratio mixes the two. Even adjusted, this is an
observational estimate: it is causal only if nothing else drives both response time and
churn (the ticket priority captures the issue's severity). A randomized service-level test
(e.g. a faster queue for a random half) is the clean way to measure it.

:func:`history_adds` measures the repository idea: the hold-out concordance of a churn
model on customer attributes alone against one that also uses the contact history.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_analysis.churn.hazard import CoxModel, concordance_index
from crm_analysis.common import require_columns

CONTACT_FEATURES = ("complained", "complaints", "mean_response_days", "unresolved", "max_priority")


def contact_features(customers: pd.DataFrame, contacts: pd.DataFrame, customer: str = "customer_id",
                     response_hours: str = "response_hours", resolved: str = "resolved",
                     priority: str | None = "priority") -> pd.DataFrame:
    """``customers`` with the contact-history features added (0 for customers without
    contacts): ``complained`` (0/1), ``complaints``, ``mean_response_days``,
    ``unresolved`` and, with ``priority``, ``max_priority``. Contacts of unknown customers
    raise ``ValueError`` naming them."""
    cols = [customer, response_hours, resolved] + ([priority] if priority else [])
    require_columns(contacts, cols, "contacts")
    require_columns(customers, [customer], "customers")
    unknown = ~contacts[customer].isin(customers[customer])
    if unknown.any():
        rows = np.flatnonzero(unknown.to_numpy())[:10].tolist()
        raise ValueError(f"contacts: customer ids not in the customers table at rows {rows} "
                         f"(e.g. {contacts[customer].iloc[rows[0]]!r}); fix the ids or drop those contacts")
    g = contacts.groupby(customer)
    feats = pd.DataFrame({"complaints": g.size(),
                          "mean_response_days": g[response_hours].mean() / 24.0,
                          "unresolved": g[resolved].apply(lambda r: int((r == 0).sum()))})
    if priority:
        feats["max_priority"] = g[priority].max()
    out = customers.merge(feats, left_on=customer, right_index=True, how="left")
    for col in feats.columns:
        out[col] = out[col].fillna(0.0)
    out["complained"] = (out["complaints"] > 0).astype(int)
    return out


def responsiveness_effect(frame: pd.DataFrame, duration: str = "tenure", event: str = "churned",
                          adjust_for=("max_priority", "plan"), level: float = 0.95) -> pd.DataFrame:
    """Hazard ratio of churn per day of mean response time, among customers who
    complained: row ``unadjusted`` (response time alone) and row ``adjusted`` (with
    ``adjust_for``). Estimate table on the ratio scale with ``p_value``."""
    part = frame[frame["complained"] == 1]
    rows = {}
    for name, extra in (("unadjusted", []), ("adjusted", list(adjust_for))):
        model = CoxModel(duration, event, ["mean_response_days", *extra]).fit(part)
        rows[name] = model.hazard_ratios(level).loc["mean_response_days"]
    return pd.DataFrame(rows).T


def history_adds(train: pd.DataFrame, test: pd.DataFrame, attributes, duration: str = "tenure",
                 event: str = "churned", history=CONTACT_FEATURES) -> pd.DataFrame:
    """Hold-out concordance of a Cox churn model on ``attributes`` alone and with the
    contact-history features: one row per model with ``c_index``."""
    out = {}
    for name, covs in (("attributes only", list(attributes)),
                       ("attributes + contact history", [*attributes, *history])):
        model = CoxModel(duration, event, covs).fit(train)
        risk = model.predict_log_hazard(test)
        out[name] = {"c_index": concordance_index(test[duration], test[event], risk),
                     "covariates": len(model.params_)}
    return pd.DataFrame(out).T
