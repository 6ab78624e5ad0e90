"""Revenue concentration across customers: Lorenz curve, Gini coefficient, Pareto table.

Written by hand because the field's libraries offer no Lorenz/Gini for plain revenue
vectors (statsmodels and scikit-learn do not; the insurance *ordered* Lorenz of predicted
risk lives in ``crm_analysis.insurance``). The formulas are a few lines of numpy.

Conventions. Every customer counts, including those with zero revenue (they are part of
the base a mass marketer would address). Values must be finite and non-negative. The
Lorenz curve runs from the smallest customer to the largest; the share of revenue of the
"top q" customers is read from the piecewise-linear curve, ``1 − L(1 − q)``, so it is
exact whenever ``q·n`` is a whole number of customers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DEFAULT_TOPS = (0.01, 0.05, 0.10, 0.20, 0.50)


def _values(values) -> np.ndarray:
    x = np.asarray(values, dtype=float).ravel()
    if x.size == 0:
        raise ValueError("concentration: no values given")
    bad = np.flatnonzero(~np.isfinite(x) | (x < 0))
    if bad.size:
        raise ValueError(
            f"concentration: values must be finite and non-negative; offending positions "
            f"{bad[:10].tolist()} (values {x[bad[:10]].tolist()})"
        )
    if x.sum() == 0:
        raise ValueError("concentration: all values are zero; concentration is undefined")
    return np.sort(x)


def revenue_lorenz_curve(values) -> pd.DataFrame:
    """Points of the Lorenz curve: ``customer_share`` (0…1, smallest first) against
    ``revenue_share`` (cumulative share of the total), starting at (0, 0)."""
    x = _values(values)
    n = x.size
    return pd.DataFrame({
        "customer_share": np.arange(n + 1) / n,
        "revenue_share": np.concatenate([[0.0], np.cumsum(x) / x.sum()]),
    })


def revenue_gini(values) -> float:
    """Gini coefficient of the values: 0 when all customers spend alike, (n−1)/n when one
    customer has all revenue. Equals 1 − 2 × (area under :func:`revenue_lorenz_curve`)."""
    x = _values(values)
    n = x.size
    ranks = np.arange(1, n + 1)
    return float(2.0 * np.sum(ranks * x) / (n * x.sum()) - (n + 1.0) / n)


def top_share(values, q: float) -> float:
    """Share of total revenue held by the top ``q`` fraction of customers (0 < q ≤ 1)."""
    if not 0.0 < q <= 1.0:
        raise ValueError(f"top_share: q must be in (0, 1], got {q!r}")
    curve = revenue_lorenz_curve(values)
    return float(1.0 - np.interp(1.0 - q, curve["customer_share"], curve["revenue_share"]))


def pareto_table(values, tops=DEFAULT_TOPS) -> pd.DataFrame:
    """Revenue share of the top 1/5/10/20/50 % of customers (``tops`` as fractions).

    Columns: ``top_customers`` (fraction), ``n_customers`` (rounded count),
    ``revenue_share`` (fraction of total revenue), ``concentration`` (revenue share ÷
    customer share: 1 means no concentration).
    """
    x = _values(values)
    rows = [
        {
            "top_customers": q,
            "n_customers": int(round(q * x.size)),
            "revenue_share": top_share(x, q),
        }
        for q in tops
    ]
    table = pd.DataFrame(rows)
    table["concentration"] = table["revenue_share"] / table["top_customers"]
    return table
