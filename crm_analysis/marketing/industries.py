"""Which industries suit CRM (CRM에 적합한 산업, sources' slide 10).

The sources name three axes: lifetime value per customer (1인당 LTV; high in finance,
cars, electronics), direct contact with the customer (service businesses rather than
manufacturers selling through intermediaries; the internet now opens direct contact to
all), and contact frequency (frequent in banks and restaurants). ``INDUSTRY_PROFILES``
scores example industries on each axis from 1 (low) to 5 (high). The scores are the
workbook's illustrative judgments following the sources' examples, not measurements;
analysts replace them with their own.
"""

from __future__ import annotations

import pandas as pd

from ..common import require_columns

AXES = ("lifetime_value", "direct_contact", "contact_frequency")

INDUSTRY_PROFILES = pd.DataFrame(
    [
        ("retail banking", 5, 5, 5),
        ("insurance", 5, 4, 2),
        ("cars", 5, 3, 2),
        ("consumer electronics", 4, 2, 2),
        ("restaurants", 2, 5, 5),
        ("airlines", 4, 4, 3),
        ("telecom", 4, 4, 4),
        ("grocery retail", 3, 4, 5),
        ("packaged food maker", 1, 1, 4),
        ("building materials", 2, 1, 1),
    ],
    columns=["industry", *AXES],
).set_index("industry")


def crm_fit(profiles: pd.DataFrame = INDUSTRY_PROFILES,
            weights: dict[str, float] | None = None) -> pd.DataFrame:
    """Weighted CRM-fit score per industry (same 1–5 scale), highest first.

    ``weights`` per axis (default equal); they are normalized to sum to 1.
    """
    weights = weights or {axis: 1.0 for axis in AXES}
    unknown = set(weights) - set(AXES)
    if unknown:
        raise ValueError(f"unknown axes {sorted(unknown)}; axes are {list(AXES)}")
    require_columns(profiles, AXES, "industry profiles")
    out_of_range = profiles.index[(profiles[list(AXES)] < 1).any(axis=1)
                                  | (profiles[list(AXES)] > 5).any(axis=1)]
    if len(out_of_range):
        raise ValueError(f"scores must be 1–5; check rows {list(out_of_range)}")
    total = sum(weights.values())
    table = profiles.copy()
    table["crm_fit"] = sum(table[a] * w / total for a, w in weights.items())
    return table.sort_values("crm_fit", ascending=False)
