"""Migration matrices between consecutive snapshots, their intervals, a test of
stationarity and an out-of-period check.

- :func:`migration_counts`: for each pair of consecutive period ends, how many customers
  moved from state i to state j (customers who existed at the first of the two), plus the
  new customers entering at the second.
- :func:`transition_matrix`: pooled transition probabilities P(j | i) = n_ij / n_i as a
  tidy estimate table with Wilson score intervals (statsmodels ``proportion_confint``),
  which keep their coverage near 0 and 1 where Wald intervals do not.
- :func:`stationarity_test`: is the matrix the same in every period? For each from-state
  the periods × to-states table of counts is tested for homogeneity with Pearson's
  chi-square (scipy ``chi2_contingency``); the statistics and degrees of freedom add up
  over from-states (Anderson & Goodman 1957, "Statistical inference about Markov chains").
- :func:`holdout_check`: the matrix estimated on earlier periods against the migration
  actually seen in a later one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from crm_analysis.estimates import check_level, estimate_table, normal_quantile

from .snapshots import Snapshots


def migration_counts(snapshots: Snapshots, kind: str = "recency") -> pd.DataFrame:
    """Counts of moves between consecutive period ends.

    Returns a frame indexed by (``period_end``, ``from``) (the period end the customers
    moved *into*, and their state at the previous end) with one column per to-state;
    ``from`` also has a row ``"new"``: customers acquired in that period, by their state
    at its end.
    """
    codes = snapshots.codes(kind)
    labels = snapshots.states(kind)
    s = len(labels)
    frames = []
    for j in range(1, codes.shape[1]):
        a, b = codes[:, j - 1].astype(np.int64), codes[:, j].astype(np.int64)
        counts = np.bincount(a * (s + 1) + b, minlength=(s + 1) ** 2).reshape(s + 1, s + 1)
        block = np.vstack([counts[1:, 1:], counts[0:1, 1:]])
        index = pd.MultiIndex.from_product([[snapshots.period_ends[j].date()], [*labels, "new"]],
                                           names=["period_end", "from"])
        frames.append(pd.DataFrame(block, index=index, columns=pd.Index(labels, name="to")))
    if not frames:
        raise ValueError("migration_counts: need at least two period ends")
    return pd.concat(frames)


def pooled_counts(counts: pd.DataFrame, periods=None) -> pd.DataFrame:
    """Counts summed over the period ends ``periods`` (all by default), new customers left out."""
    if periods is not None:
        counts = counts.loc[list(periods)]
    table = counts.drop(index="new", level="from", errors="ignore").groupby(level="from", sort=False).sum()
    return table


def transition_matrix(counts: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Transition probabilities with Wilson intervals from a counts table.

    ``counts`` is a from × to table (e.g. :func:`pooled_counts`) or the output of
    :func:`migration_counts` (then pooled over all periods). Returns the estimate table
    indexed by (``from``, ``to``) with ``estimate``, ``std_err`` (binomial,
    sqrt(p(1−p)/n_i)), ``ci_low``, ``ci_high``, ``level``, plus ``count`` and ``n_from``.
    Rows of from-states never observed have NaN estimates.
    """
    level = check_level(level)
    if isinstance(counts.index, pd.MultiIndex):
        counts = pooled_counts(counts)
    n_ij = counts.to_numpy(dtype=float)
    n_i = n_ij.sum(axis=1, keepdims=True) * np.ones_like(n_ij)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(n_i > 0, n_ij / n_i, np.nan)
        se = np.sqrt(p * (1 - p) / n_i)
    low, high = np.full_like(p, np.nan), np.full_like(p, np.nan)
    ok = n_i > 0
    low[ok], high[ok] = proportion_confint(n_ij[ok], n_i[ok], alpha=1 - level, method="wilson")
    index = pd.MultiIndex.from_product([counts.index, counts.columns], names=["from", "to"])
    table = estimate_table(p.ravel(), se.ravel(), ci_low=low.ravel(), ci_high=high.ravel(),
                           level=level)
    table.index = index
    table["count"] = n_ij.ravel().astype(np.int64)
    table["n_from"] = n_i.ravel().astype(np.int64)
    return table


def as_matrix(table: pd.DataFrame, column: str = "estimate") -> pd.DataFrame:
    """One column of a :func:`transition_matrix` table as a from × to matrix."""
    return table[column].unstack("to").reindex(index=table.index.unique("from"),
                                               columns=table.index.unique("to"))


def stationarity_test(counts: pd.DataFrame, periods=None) -> pd.DataFrame:
    """Chi-square test that the transition probabilities are the same in every period.

    Null hypothesis: for each from-state, the distribution over to-states does not depend
    on the period. Per from-state, Pearson's chi-square on the periods × to-states table
    (rows and columns with no customers dropped); the last row ``"all states"`` sums the
    statistics and degrees of freedom. Columns ``statistic``, ``df``, ``p_value``, ``n``.
    """
    if periods is not None:
        counts = counts.loc[list(periods)]
    counts = counts.drop(index="new", level="from", errors="ignore")
    rows = {}
    for state, block in counts.groupby(level="from", sort=False):
        table = block.to_numpy(dtype=float)
        table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
        if table.shape[0] < 2 or table.shape[1] < 2:
            rows[state] = (0.0, 0, np.nan, int(table.sum()))
            continue
        stat, p, dof, _ = stats.chi2_contingency(table, correction=False)
        rows[state] = (float(stat), int(dof), float(p), int(table.sum()))
    out = pd.DataFrame.from_dict(rows, orient="index", columns=["statistic", "df", "p_value", "n"])
    total_stat, total_df = float(out["statistic"].sum()), int(out["df"].sum())
    out.loc["all states"] = [total_stat, total_df,
                             float(stats.chi2.sf(total_stat, total_df)) if total_df else np.nan,
                             int(out["n"].sum())]
    out.index.name = "from"
    return out.astype({"df": "int64", "n": "int64"})


def holdout_check(counts: pd.DataFrame, test_period=None, level: float = 0.95) -> tuple[pd.DataFrame, dict]:
    """The matrix estimated on all earlier period pairs against the migration of ``test_period``.

    ``test_period`` is a period end of ``counts`` (default: the last). Returns a table per
    (from, to) with the estimated probability, the share seen in the test
    period, a ``level`` prediction interval for that share (``pi_low``, ``pi_high``: the
    sampling error of both the estimate and the test period, normal approximation) and the
    predicted and actual counts; and a summary dict: ``max_abs_diff`` (largest gap between
    predicted and actual shares), ``inside`` (share of cells with a possible move whose
    actual share lies in its prediction interval) and ``p_value`` of the homogeneity test of
    the estimation periods pooled against the test period.
    """
    ends = list(dict.fromkeys(counts.index.get_level_values("period_end")))
    test_period = ends[-1] if test_period is None else test_period
    if test_period not in ends or ends.index(test_period) == 0:
        raise ValueError(f"test_period must be one of {ends[1:]}, got {test_period!r}")
    fit_periods = ends[: ends.index(test_period)]
    fitted = transition_matrix(pooled_counts(counts, fit_periods), level=level)
    actual = pooled_counts(counts, [test_period])
    n_test = actual.sum(axis=1)
    table = fitted[["estimate"]].copy()
    table["actual_share"] = (actual.div(n_test.where(n_test > 0), axis=0)).stack().reindex(table.index)
    n_new = n_test.reindex(table.index.get_level_values("from")).to_numpy(dtype=float)
    # prediction interval of the test-period share: sampling error of the estimate and of the test period
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.sqrt(table["estimate"] * (1 - table["estimate"]) * (1 / fitted["n_from"] + 1 / n_new))
    z = normal_quantile(level)
    table["pi_low"] = (table["estimate"] - z * se).clip(lower=0)
    table["pi_high"] = (table["estimate"] + z * se).clip(upper=1)
    table["predicted_count"] = table["estimate"] * n_new
    table["actual_count"] = actual.stack().reindex(table.index).to_numpy()
    possible = (table["estimate"] > 0) & (table["estimate"] < 1) & table["actual_share"].notna()
    inside = (table["actual_share"] >= table["pi_low"]) & (table["actual_share"] <= table["pi_high"])
    two = pd.concat({"fit": pooled_counts(counts, fit_periods), "test": actual}, names=["period_end"])
    test = stationarity_test(two)
    summary = {
        "fit_periods": [str(p) for p in fit_periods],
        "test_period": str(test_period),
        "max_abs_diff": float((table["estimate"] - table["actual_share"]).abs().max()),
        "inside": float(inside[possible].mean()) if possible.any() else float("nan"),
        "p_value": float(test.loc["all states", "p_value"]),
    }
    return table, summary
