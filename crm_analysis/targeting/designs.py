"""Model inputs for the real response and uplift data sets.

* CoIL Challenge 2000 Caravan (:func:`crm_analysis.data.load_caravan`): who buys a caravan
  insurance policy; 85 coded customer and zip-code attributes.
* Hillstrom's e-mail test (:func:`crm_analysis.data.fetch_hillstrom`): one e-mail arm
  against the randomized "No E-Mail" control.
"""

from __future__ import annotations

import pandas as pd

HILLSTROM_CONTROL = "No E-Mail"
HILLSTROM_NUMERIC = ("recency", "history", "mens", "womens", "newbie")
HILLSTROM_CATEGORICAL = ("zip_code", "channel")

#: Predicted probability from which notebook 04 calls a Caravan customer a buyer.
CARAVAN_CUTOFF = 0.25


def caravan_design(frame: pd.DataFrame, target: str = "Purchase") -> tuple[pd.DataFrame, pd.Series]:
    """Split Caravan into features (every column but ``target``) and a 0/1 purchase flag."""
    if target not in frame.columns:
        raise ValueError(f"caravan_design: column {target!r} not found")
    values = frame[target].astype(str)
    bad = ~values.isin(["Yes", "No"])
    if bad.any():
        raise ValueError(f"caravan_design: {target} must be Yes/No; rows "
                         f"{list(frame.index[bad][:10])} are not")
    return frame.drop(columns=target), (values == "Yes").astype(int).rename("purchase")


def hillstrom_design(frame: pd.DataFrame, arm: str = "Womens E-Mail", outcome: str = "visit"
                     ) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """Features, treatment flag and 0/1 outcome for ``arm`` against "No E-Mail".

    Features: recency (months), history (USD spent last year), mens, womens, newbie (0/1)
    and one-hot ``zip_code`` and ``channel``. ``outcome`` is ``visit`` or ``conversion``
    (two weeks after the mailing).
    """
    arms = sorted(set(frame["segment"]) - {HILLSTROM_CONTROL})
    if arm not in arms:
        raise ValueError(f"hillstrom_design: arm {arm!r} not in the data; choose from {arms}")
    if outcome not in ("visit", "conversion"):
        raise ValueError(f"hillstrom_design: outcome must be 'visit' or 'conversion' (0/1), "
                         f"got {outcome!r}")
    sub = frame[frame["segment"].isin([arm, HILLSTROM_CONTROL])]
    X = pd.concat([sub[list(HILLSTROM_NUMERIC)].astype(float),
                   pd.get_dummies(sub[list(HILLSTROM_CATEGORICAL)], dtype=float)], axis=1)
    treated = (sub["segment"] == arm).astype(int).rename("treated")
    return X, treated, sub[outcome].astype(int)
