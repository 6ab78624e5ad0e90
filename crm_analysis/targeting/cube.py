"""The sources' target-customer cube (slide 18): purchasing power × loyalty × response.

Each customer is high or low on three axes: purchasing power (income or spend capacity),
loyalty (share of wallet or tenure) and response potential (a response model's score).
A value at or above its threshold is "high". The 2×2×2 = 8 cells get a contact priority and
terms. The sources name three cells, all with high response potential: high power and
loyalty get top priority and the best terms; high power with low loyalty, and low power
with high loyalty, get a contact with appropriate terms. The order and treatment of the
other five cells is this workbook's reading, marked as such in :data:`CELL_POLICY`.
"""

from __future__ import annotations

import pandas as pd

from .checks import as_scores

CELL_POLICY = pd.DataFrame(
    [
        ("high", "high", "high", 1, "top priority, best terms (sources: 최우선 대응, 최우량 조건 제시)"),
        ("high", "low", "high", 2, "contact with appropriate terms (sources: 대응, 적절한 조건 제시)"),
        ("low", "high", "high", 3, "contact with appropriate terms (sources: 대응, 적절한 조건 제시)"),
        ("high", "high", "low", 4, "not in the sources' list: non-monetary relationship care"),
        ("low", "low", "high", 5, "not in the sources' list: cheap channel only (e-mail)"),
        ("high", "low", "low", 6, "not in the sources' list: small test offers"),
        ("low", "high", "low", 7, "not in the sources' list: maintain at low cost"),
        ("low", "low", "low", 8, "not in the sources' list: do not contact"),
    ],
    columns=["power", "loyalty", "response", "priority", "terms"],
)
"""Priority (1 = first) and terms per cube cell."""


def cube_cells(frame: pd.DataFrame, power: str, loyalty: str, response: str,
               power_threshold: float, loyalty_threshold: float,
               response_threshold: float) -> pd.DataFrame:
    """Place each customer in the cube.

    ``power``, ``loyalty`` and ``response`` name the columns of ``frame`` to use (e.g.
    income in thousands per year, share of wallet 0–1, a response probability 0–1); each
    threshold is in that column's unit. Returns columns ``power``, ``loyalty``, ``response``
    ("high"/"low"), ``priority`` and ``terms``, indexed like ``frame``.
    """
    levels = {}
    for axis, col, threshold in (("power", power, power_threshold),
                                 ("loyalty", loyalty, loyalty_threshold),
                                 ("response", response, response_threshold)):
        if col not in frame.columns:
            raise ValueError(f"cube_cells: column {col!r} for {axis} not found")
        values = as_scores(frame[col], col)
        levels[axis] = pd.Series(values >= threshold, index=frame.index).map(
            {True: "high", False: "low"})
    cells = pd.DataFrame(levels)
    policy = cells.reset_index(names="_row").merge(
        CELL_POLICY, on=["power", "loyalty", "response"], how="left")
    return policy.set_index("_row").rename_axis(frame.index.name).loc[frame.index]


def cube_summary(cells: pd.DataFrame, value: pd.Series | None = None) -> pd.DataFrame:
    """Customers per cube cell (all 8 cells, zero if empty) with priority and terms.

    With ``value`` (a per-customer number indexed like ``cells``, e.g. true uplift or
    expected profit) the cell mean of it is added as ``mean_value``.
    """
    keys = ["power", "loyalty", "response"]
    data = cells[keys].copy()
    if value is not None:
        data["value"] = value.reindex(cells.index).to_numpy()
    grouped = data.groupby(keys)
    counts = grouped.size().rename("customers").reset_index()
    out = CELL_POLICY.merge(counts, on=keys, how="left")
    out["customers"] = out["customers"].fillna(0).astype(int)
    out["share"] = out["customers"] / max(len(cells), 1)
    if value is not None:
        out = out.merge(grouped["value"].mean().rename("mean_value").reset_index(), on=keys,
                        how="left")
    return out.sort_values("priority").reset_index(drop=True)
