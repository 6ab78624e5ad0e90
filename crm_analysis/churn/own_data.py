"""The analyst's contract customers (a data profile's ``customers`` table) as survival data.

A ``customers`` table feeds the survival and hazard sections when it maps either

- ``tenure`` (a number: months as a customer) and ``churned`` (0/1, yes/no, true/false), or
- ``signup_date`` with ``churned`` and/or an ``end_date``/``churn_date`` (the day the customer
  left): tenure runs from signup to that day, or to ``as_of`` (else the latest date in the
  table) for customers still there, in months of 365.25/12 days.

The other mapped columns become the hazard model's attributes: numbers as given, text as
categories against their most frequent level (the reference is printed with the ratios);
text that reads entirely as numbers counts as a number; identity and contact columns (name,
e-mail, phone, dates) and text columns with more than ``max_levels`` values are left out, and :func:`contract_frame` says which.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_analysis.churn.design import is_numeric

DAYS_PER_MONTH = 365.25 / 12
NOT_ATTRIBUTES = {"customer_id", "tenure", "churned", "name", "email", "phone", "end_date",
                  "churn_date", "signup_date"}


def contract_frame(customers: pd.DataFrame, as_of=None, max_levels: int = 20):
    """``(frame, attributes, left_out)``: ``frame`` has ``customer_id``, ``tenure``
    (months), ``churned`` (0/1) and the attribute columns; ``left_out`` maps each column
    not used to the reason. Raises ``ValueError`` naming the column and rows when the table
    cannot give tenure and churn."""
    cols = set(customers.columns)
    out = pd.DataFrame({"customer_id": customers["customer_id"]})
    end_col = next((c for c in ("end_date", "churn_date") if c in cols), None)
    if "tenure" in cols:
        tenure = pd.to_numeric(customers["tenure"], errors="coerce")
        bad = np.flatnonzero(tenure.isna().to_numpy() | (tenure < 0).to_numpy())
        if bad.size:
            raise ValueError(f"customers table: column 'tenure' must hold months >= 0; rows "
                             f"{bad[:10].tolist()} hold {customers['tenure'].iloc[bad[:10]].tolist()}")
        out["tenure"] = tenure.astype(float)
        if "churned" not in cols:
            raise ValueError("customers table: 'tenure' is mapped but 'churned' is not; map the "
                             "column that says whether the customer left (0/1, yes/no)")
        out["churned"] = customers["churned"].astype(int)
    elif "signup_date" in cols and ("churned" in cols or end_col):
        start = customers["signup_date"]
        end = customers[end_col] if end_col else pd.Series(pd.NaT, index=customers.index)
        churned = customers["churned"].astype(int) if "churned" in cols else end.notna().astype(int)
        last = pd.Timestamp(as_of) if as_of else max(start.max(), end.max() if end.notna().any() else start.max())
        stop = end.where(churned == 1, last).fillna(last)
        tenure = (stop - start).dt.days / DAYS_PER_MONTH
        bad = np.flatnonzero(tenure.isna().to_numpy() | (tenure < 0).to_numpy())
        if bad.size:
            raise ValueError(f"customers table: rows {bad[:10].tolist()} end before they start "
                             f"(signup_date after {end_col or 'as_of'}) or have no signup_date")
        out["tenure"], out["churned"] = tenure.to_numpy(), churned.to_numpy()
    else:
        raise ValueError("customers table: needs 'tenure' and 'churned', or 'signup_date' with "
                         "'churned' or an 'end_date'/'churn_date'; map them in the profile's "
                         "customers columns")
    attributes, left_out = [], {}
    for col in customers.columns:
        if col in NOT_ATTRIBUTES:
            continue
        s = customers[col]
        if not is_numeric(s) and not (col.endswith("date") or col.endswith("_at")):
            as_number = pd.to_numeric(s, errors="coerce")
            if as_number.notna().all():  # numbers read as text (a profile keeps unknown columns as text)
                s = as_number
        if col.endswith("date") or col.endswith("_at"):
            left_out[col] = "a date"
        elif s.isna().any():
            left_out[col] = f"{int(s.isna().sum())} missing values"
        elif is_numeric(s):
            attributes.append(col)
        elif s.nunique() <= max_levels and s.nunique() > 1:
            attributes.append(col)
        else:
            left_out[col] = f"{s.nunique()} distinct values"
        if col in attributes:
            out[col] = s.to_numpy()
    return out, attributes, left_out
