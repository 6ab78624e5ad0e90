"""The three levels of data mining (notebook 12): SQL, an OLAP cube, a mining model.

The sources (slide 30, after Adriaans & Zantinge 1996) sort knowledge in data into
basic data found by simple retrieval (단순 검색, SQL), multidimensional data found by
cross-analysis (교차 분석, OLAP) and hidden data found only by data mining. This
subpackage answers one question at each level on the same tables:

- :mod:`~crm_analysis.mining.sql` — :func:`query` runs real SQL on pandas frames with
  DuckDB; :data:`PROMOTION_QUERIES` and :func:`retail_queries` are the level-1 questions.
- :mod:`~crm_analysis.mining.cube` — :func:`build_cube` computes a cube with
  ``GROUP BY ROLLUP / CUBE``; :func:`cube_view` rolls up, drills down, slices and dices
  it; :func:`pivot` turns a view into a cross-tab; :func:`compare_within` and
  :func:`simpson_reversal` show Simpson's paradox; :func:`retail_fact` prepares an
  analyst's transactions for the cube.
- :mod:`~crm_analysis.mining.patterns` — :func:`interaction_scan` (what one- and two-way
  tables can show), :class:`OptimalTree` (exhaustive small-depth rule tree) beside the
  greedy :func:`greedy_tree`, :func:`leaf_rules` (rules in words),
  :func:`rule_recovery`, :func:`holdout_mask`, :func:`cell_rates` and
  :func:`compare_selections` (targeting by each level's scores), and customer clustering (:func:`customer_features`,
  :func:`cluster_customers`, :func:`describe_clusters`).

Plots are in :mod:`crm_analysis.plots.mining`.
"""

from crm_analysis.mining.cube import (
    add_rate,
    add_time_levels,
    build_cube,
    compare_within,
    cube_view,
    pivot,
    retail_fact,
    simpson_reversal,
)
from crm_analysis.mining.patterns import (
    OptimalTree,
    binary_features,
    cell_rates,
    cluster_customers,
    compare_selections,
    customer_features,
    describe_clusters,
    greedy_tree,
    holdout_mask,
    interaction_scan,
    leaf_rules,
    rule_recovery,
    split_columns,
)
from crm_analysis.mining.sql import PROMOTION_QUERIES, query, retail_queries

__all__ = [
    "OptimalTree",
    "PROMOTION_QUERIES",
    "add_rate",
    "add_time_levels",
    "binary_features",
    "build_cube",
    "cell_rates",
    "cluster_customers",
    "compare_selections",
    "compare_within",
    "cube_view",
    "customer_features",
    "describe_clusters",
    "greedy_tree",
    "holdout_mask",
    "interaction_scan",
    "leaf_rules",
    "pivot",
    "query",
    "retail_fact",
    "retail_queries",
    "rule_recovery",
    "simpson_reversal",
    "split_columns",
]
