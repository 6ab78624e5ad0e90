"""Level 2, multidimensional analysis: an OLAP cube from SQL ``ROLLUP`` and ``CUBE``.

:func:`build_cube` computes, in one DuckDB query, every aggregate of a fact table over a
time hierarchy (``ROLLUP(year, quarter, month)``: year → quarter → month) crossed with
every subset of the other dimensions (``CUBE(...)``). Each row of the result is one cell;
its ``level`` column names the dimensions the cell is grouped by (the others are rolled
up to "all" and hold NA). The OLAP operations are then selections on that one table:

- roll-up / drill-down: :func:`cube_view` at fewer / more dimensions of a hierarchy;
- slice: :func:`cube_view` with ``where={dim: value}`` (the dimension is fixed and dropped);
- dice: ``where={dim: [values]}`` on one or several dimensions;
- pivot: :func:`pivot` turns a view into a cross-tab.

Only additive measures (sums and counts) are stored; rates are derived per view
(:func:`add_rate`), so a rolled-up rate is always the ratio of rolled-up sums.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from crm_analysis.common import require_columns

TIME_LEVELS = ("year", "quarter", "month")


def add_time_levels(frame: pd.DataFrame, date: str = "date") -> pd.DataFrame:
    """A copy of ``frame`` with integer ``year``, ``quarter`` (1–4) and ``month`` (1–12)."""
    days = pd.to_datetime(frame[date])
    return frame.assign(year=days.dt.year.astype("int64"), quarter=days.dt.quarter.astype("int64"),
                        month=days.dt.month.astype("int64"))


def _quote(name: str) -> str:
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"cube dimension and measure names must be identifiers; got {name!r}")
    return f'"{name}"'


def build_cube(
    fact: pd.DataFrame,
    dimensions: Sequence[str],
    measures: Mapping[str, str],
    hierarchy: Sequence[str] = (),
) -> pd.DataFrame:
    """All cells of ``fact`` over ``ROLLUP(hierarchy)`` × ``CUBE(dimensions)``.

    ``measures`` maps an output name to an additive SQL aggregate over the fact's columns
    (e.g. ``{"revenue": "sum(amount)", "purchases": "count(*)"}``); these expressions are
    written by the package, never taken from user files. Returns the dimensions (NA where
    rolled up), the measures and ``level``: the grouped dimensions joined by ``+``
    (``"all"`` for the grand total).
    """
    import duckdb  # imported where used

    dims = [*hierarchy, *dimensions]
    if not dims:
        raise ValueError("build_cube: give at least one dimension")
    require_columns(fact, dims, "build_cube: the fact table")
    groups = []
    if hierarchy:
        groups.append(f"ROLLUP({', '.join(map(_quote, hierarchy))})")
    if dimensions:
        groups.append(f"CUBE({', '.join(map(_quote, dimensions))})")
    select = ", ".join(
        [*map(_quote, dims), *(f"{expr} AS {_quote(name)}" for name, expr in measures.items()),
         *(f"GROUPING({_quote(d)}) AS {_quote('g_' + d)}" for d in dims)]
    )
    sql = f"SELECT {select} FROM fact GROUP BY {', '.join(groups)}"
    con = duckdb.connect()
    try:
        con.register("fact", fact[dims + [c for c in fact.columns if c not in dims]])
        cube = con.execute(sql).df()
    finally:
        con.close()
    grouped = np.column_stack([cube[f"g_{d}"].to_numpy() == 0 for d in dims])
    names = np.array(dims, dtype=object)
    cube["level"] = ["+".join(names[row]) or "all" for row in grouped]
    return cube.drop(columns=[f"g_{d}" for d in dims])


def level_name(by: Sequence[str], cube: pd.DataFrame) -> str:
    """The ``level`` label of the cells grouped by exactly ``by`` (in the cube's order)."""
    order = [c for c in cube.columns if c not in ("level",)]
    unknown = [d for d in by if d not in order]
    if unknown:
        raise ValueError(f"cube has no dimension(s) {unknown}")
    return "+".join(d for d in order if d in by) or "all"


def cube_view(cube: pd.DataFrame, by: Sequence[str] = (),
              where: Mapping[str, object] | None = None) -> pd.DataFrame:
    """The cells grouped by exactly ``by``, optionally sliced or diced.

    ``where`` maps dimensions (which must be in ``by``) to a value (a slice: rows with that
    value, and the dimension is dropped) or a list of values (a dice: the dimension stays).
    The result has the ``by`` dimensions and the measures, sorted by the dimensions.
    """
    where = dict(where or {})
    outside = [d for d in where if d not in by]
    if outside:
        raise ValueError(f"cube_view: filter on {outside}, which are not in by={list(by)}")
    label = level_name(by, cube)
    cells = cube.loc[cube["level"] == label]
    dims = [c for c in cube.columns if c != "level" and c in by]
    measures = [c for c in cube.columns if c != "level" and not c.startswith("g_")
                and c not in by and cells[c].notna().all() and c not in _dimension_columns(cube)]
    keep = list(dims)
    for dim, value in where.items():
        if isinstance(value, (list, tuple, set)):
            cells = cells.loc[cells[dim].isin(list(value))]
        else:
            cells = cells.loc[cells[dim] == value]
            keep.remove(dim)
    return cells[keep + measures].sort_values(keep, kind="stable").reset_index(drop=True)


def _dimension_columns(cube: pd.DataFrame) -> set[str]:
    grand = cube.loc[cube["level"] == "all"]
    return {c for c in cube.columns if c != "level" and grand[c].isna().all()}


def add_rate(view: pd.DataFrame, numerator: str, denominator: str, name: str = "rate") -> pd.DataFrame:
    """``view`` with ``name`` = numerator ÷ denominator (a ratio of the cell's sums)."""
    return view.assign(**{name: view[numerator] / view[denominator]})


def pivot(view: pd.DataFrame, rows: str, columns: str, values: str) -> pd.DataFrame:
    """Cross-tab of a view: ``rows`` down, ``columns`` across, one ``values`` per cell."""
    return view.pivot(index=rows, columns=columns, values=values)


def compare_within(cube: pd.DataFrame, factor: str, within: str, numerator: str,
                   denominator: str) -> pd.DataFrame:
    """Rates of each ``factor`` level overall and within each level of ``within``.

    Rows: the levels of ``within`` and a last row ``"all"``; columns: the factor's levels
    (rates = numerator ÷ denominator) and ``difference`` (second level minus first, in the
    sorted order). Simpson's paradox is a ``difference`` whose sign overall is the
    opposite of its sign in every stratum (:func:`simpson_reversal`).
    """
    inner = add_rate(cube_view(cube, [within, factor]), numerator, denominator)
    overall = add_rate(cube_view(cube, [factor]), numerator, denominator)
    table = pivot(inner, within, factor, "rate")
    table.loc["all"] = overall.set_index(factor)["rate"].reindex(table.columns)
    levels = list(table.columns)
    if len(levels) != 2:
        raise ValueError(f"compare_within: {factor!r} must have two levels; it has {levels}")
    table["difference"] = table[levels[1]] - table[levels[0]]
    table.index = table.index.astype(str)
    return table


def simpson_reversal(table: pd.DataFrame) -> bool:
    """True when the overall difference has the opposite sign of every stratum's."""
    overall = np.sign(table.loc["all", "difference"])
    strata = np.sign(table.drop(index="all")["difference"].to_numpy())
    return bool(overall != 0 and (strata == -overall).all())


def retail_fact(transactions: pd.DataFrame, top_countries: int = 5, tiers: int = 3) -> pd.DataFrame:
    """A sales fact table from canonical transactions for the cube.

    Adds ``year``, ``quarter``, ``month``; ``country_group`` (the ``top_countries``
    countries by revenue, the rest ``"Other"``; ``"all"`` when no ``country`` column is
    mapped); and ``spend_tier`` (1 = lowest … ``tiers`` = highest total spend of the
    customer, equal-count groups with ties by value).
    """
    from crm_analysis.common import score_groups

    fact = add_time_levels(transactions)
    if "country" in fact.columns:
        top = fact.groupby("country")["amount"].sum().nlargest(top_countries).index
        fact["country_group"] = fact["country"].where(fact["country"].isin(top), "Other")
    else:
        fact["country_group"] = "all"
    spend = fact.groupby("customer_id")["amount"].sum()
    tier = pd.Series(score_groups(spend.to_numpy(), tiers), index=spend.index)
    fact["spend_tier"] = fact["customer_id"].map(tier).astype("int64")
    return fact
