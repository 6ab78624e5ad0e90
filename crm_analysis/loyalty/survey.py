"""Survey proportions from the sources (slide 22) with intervals and tests.

The sources report shares without sample sizes, so every function takes the number of
respondents ``n`` as an explicit assumption; counts are ``round(share * n)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

from ..estimates import alpha_of, check_level

#: Share of self-service shoppers who switched their most-used store in the last year
#: (Food Marketing Institute, as quoted on the sources' slide 22).
SWITCHING_SHARES = {"Switzerland": 0.07, "Germany": 0.10, "Spain": 0.11,
                    "UK": 0.24, "France": 0.26}
#: Loyalty-program participation in the two groups of countries shown on slide 22.
PARTICIPATION_SHARES = {"low-participation countries": 0.15,
                        "high-participation countries": 0.83}
#: Members who feel specially treated (1997 Retail Advertising & Marketing Association).
FEEL_SPECIAL_SHARE = 0.33
#: Members who would buy there without the program (same survey).
WOULD_BUY_ANYWAY_SHARE = 0.875


def survey_counts(shares: dict[str, float], n: int | dict[str, int]) -> pd.DataFrame:
    """Turn reported shares into counts: columns group, share, n, successes.

    ``n`` is one sample size for every group or a dict of them. Raises ``ValueError``
    naming the group for a share outside [0, 1] or a sample size below 1.
    """
    rows = []
    for group, share in shares.items():
        size = n[group] if isinstance(n, dict) else n
        if not 0.0 <= share <= 1.0:
            raise ValueError(f"share for {group!r} must be in [0, 1], got {share}")
        if int(size) != size or size < 1:
            raise ValueError(f"sample size for {group!r} must be a positive integer, got {size}")
        rows.append({"group": group, "share": float(share), "n": int(size),
                     "successes": int(round(share * size))})
    return pd.DataFrame(rows)


def wilson_intervals(shares: dict[str, float], n: int | dict[str, int],
                     level: float = 0.95) -> pd.DataFrame:
    """Wilson score intervals for each share: survey_counts plus ``std_err`` (the binomial
    standard error sqrt(p(1−p)/n) of the share), ``ci_low``, ``ci_high`` (Wilson) and
    ``level``. The share itself is the estimate."""
    level = check_level(level)
    table = survey_counts(shares, n)
    low, high = proportion_confint(table["successes"], table["n"], alpha=alpha_of(level), method="wilson")
    p = table["successes"] / table["n"]
    return table.assign(std_err=np.sqrt(p * (1 - p) / table["n"]), ci_low=np.asarray(low),
                        ci_high=np.asarray(high), level=level)


@dataclass(frozen=True)
class ChiSquareResult:
    """Pearson chi-square test of equal proportions across groups."""

    statistic: float
    dof: int
    p_value: float
    expected: pd.DataFrame


def equal_proportions_test(shares: dict[str, float], n: int | dict[str, int]) -> ChiSquareResult:
    """Chi-square test that all groups share one proportion (no continuity correction)."""
    table = survey_counts(shares, n)
    observed = np.column_stack([table["successes"], table["n"] - table["successes"]])
    statistic, p_value, dof, expected = stats.chi2_contingency(observed, correction=False)
    frame = pd.DataFrame(expected, index=table["group"], columns=["yes", "no"])
    return ChiSquareResult(float(statistic), int(dof), float(p_value), frame)


def pairwise_proportion_tests(shares: dict[str, float], n: int | dict[str, int],
                              method: str = "holm", alpha: float = 0.05) -> pd.DataFrame:
    """Two-proportion z-tests for every pair of groups, adjusted for multiple testing.

    Returns one row per pair: group_a, group_b, difference (a minus b), z, p_value,
    p_value_adjusted (``multipletests`` with ``method``) and reject (at the test's
    significance level ``alpha``; not an interval level).
    """
    table = survey_counts(shares, n).set_index("group")
    rows = []
    for a, b in combinations(table.index, 2):
        z, p = proportions_ztest(table.loc[[a, b], "successes"].to_numpy(),
                                 table.loc[[a, b], "n"].to_numpy())
        rows.append({"group_a": a, "group_b": b,
                     "difference": table.at[a, "share"] - table.at[b, "share"],
                     "z": float(z), "p_value": float(p)})
    out = pd.DataFrame(rows)
    reject, adjusted, _, _ = multipletests(out["p_value"], alpha=alpha, method=method)
    return out.assign(p_value_adjusted=adjusted, reject=reject)


def one_proportion_test(share: float, n: int, null: float) -> dict:
    """Exact binomial test of a reported share against ``null``: {share, n, null, p_value}."""
    counts = survey_counts({"share": share}, n).iloc[0]
    result = stats.binomtest(int(counts["successes"]), int(counts["n"]), null)
    return {"share": float(share), "n": int(n), "null": float(null),
            "p_value": float(result.pvalue)}
