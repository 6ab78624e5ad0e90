"""Cross-selling, up-selling, re-selling and recommendation (sources' slides 6 and 17).

Modules and their public names:

- ``rules``: market baskets → frequent itemsets and association rules (own sparse
  Apriori; why not mlxtend is measured in its docstring). :class:`Baskets`,
  :func:`basket_matrix`, :func:`item_frequencies`, :func:`frequent_itemsets`,
  :func:`association_rules`, :func:`mine_rules`, :func:`rule_significance` (Fisher's
  exact test, Holm / BH adjusted: the spurious-rule control), :func:`lift_interval`,
  :func:`planted_rule_table` (estimated vs planted lift).
- ``selling``: :func:`cross_sell_candidates` (what goes with a product or basket),
  :func:`plan_cross_sell` (which cross-sell to run, for whom, expected incremental
  margin, against the alternatives), :func:`upsell_shares` (super-pack upgrade share),
  :func:`repurchase_intervals` (re-selling timing per category).
- ``recommend``: item-to-item recommendation on co-purchases. :class:`Interactions`,
  :func:`interaction_matrix`, :class:`ItemItemRecommender`, :func:`recommend_popular`,
  :func:`recommend_random`, :func:`recommendations_frame`, :func:`top_k_rows`.
- ``evaluation``: offline evaluation. :func:`time_split`, :func:`hold_out_one_item`,
  :func:`top_k_metrics` (hit, recall, precision, NDCG, AP at k), :func:`catalogue_coverage`,
  :func:`compare_recommenders` (means and paired differences with intervals),
  :func:`recommendation_verdict` (use the recommender or the baseline, and why),
  :func:`comparison_display` (a compact text view for reports).
- ``online_retail``: :func:`online_retail_lines`, the UCI Online Retail file in the
  workbook's canonical transaction columns, and :func:`product_names`; :func:`basket_lines`
  checks a data-profile transactions table for baskets (``order_id``, ``product``).
- ``counts_sql``: item and item-pair basket counts by DuckDB or Spark from one SQL text, for
  logs too large for one machine (:func:`basket_counts_sql`, :class:`BasketCounts`: the 1- and
  2-itemsets of :func:`frequent_itemsets`, exactly).
"""

from .counts_sql import BasketCounts, basket_counts_sql
from .evaluation import (catalogue_coverage, compare_recommenders, comparison_display, hold_out_one_item,
                         recommendation_verdict, time_split, top_k_metrics)
from .online_retail import basket_lines, online_retail_lines, product_names
from .recommend import (Interactions, ItemItemRecommender, interaction_matrix, recommend_popular,
                        recommend_random, recommendations_frame, top_k_rows)
from .rules import (Baskets, association_rules, basket_matrix, frequent_itemsets, item_frequencies,
                    lift_interval, mine_rules, planted_rule_table, rule_significance)
from .selling import cross_sell_candidates, plan_cross_sell, repurchase_intervals, upsell_shares

__all__ = [
    "BasketCounts", "Baskets", "Interactions", "ItemItemRecommender", "association_rules", "basket_counts_sql", "basket_lines", "basket_matrix",
    "catalogue_coverage", "compare_recommenders", "comparison_display", "cross_sell_candidates", "frequent_itemsets",
    "hold_out_one_item", "interaction_matrix", "item_frequencies", "lift_interval", "mine_rules",
    "online_retail_lines", "plan_cross_sell", "product_names", "planted_rule_table", "recommend_popular", "recommendation_verdict", "recommend_random",
    "recommendations_frame", "repurchase_intervals", "rule_significance", "time_split",
    "top_k_metrics", "top_k_rows", "upsell_shares",
]
