"""Dynamic customer management (sources' slide 19): a customer's status changes over time
(t1 … t4), so track it, value it as a Markov chain, and find whom to revitalise (재활성화).

Modules and public names::

    snapshots       status_snapshots, Snapshots, period_ends, recency_labels, segment_rewards,
                    snapshots_from_periods
                    — recency state and value segment of every customer at every period end
    snapshots_sql   status_snapshots_sql — the same snapshots computed by DuckDB (files larger
                      than memory) or Spark (a cluster) from one SQL text
    migration       migration_counts, pooled_counts, transition_matrix, as_matrix,
                    stationarity_test, holdout_check
                    — migration matrices with Wilson intervals, chi-square test of
                      stationarity, estimated matrix vs the next period's migration
    equity          recency_chain, recency_rewards, markov_value, recency_equity,
                    optimal_contact_policy, compare_policies, standard_policies,
                    retention_from_matrix, retention_for_policy, equity_interval, project_segments, projected_equity
                    — Markov customer equity (Pfeifer & Carraway 2000), contact policy,
                      segment and equity projections
    revitalisation  revitalisation_list, offer_policies
                    — customers whose BG/NBD value fell, the reasons, the offer's value
    decision        dynamics_decision — the Decision section's figures and wording
    sources         load_dynamics_data — synthetic recency chain or CDNOW

Plots are in :mod:`crm_analysis.plots.dynamics`.
"""

from .decision import dynamics_decision
from .equity import (
    compare_policies,
    equity_interval,
    markov_value,
    optimal_contact_policy,
    project_segments,
    projected_equity,
    recency_chain,
    recency_equity,
    recency_rewards,
    retention_for_policy,
    retention_from_matrix,
    standard_policies,
)
from .migration import (
    as_matrix,
    holdout_check,
    migration_counts,
    pooled_counts,
    stationarity_test,
    transition_matrix,
)
from .revitalisation import offer_policies, revitalisation_list
from .snapshots import Snapshots, period_ends, recency_labels, segment_rewards, snapshots_from_periods, status_snapshots
from .snapshots_sql import status_snapshots_sql
from .sources import DATA_SOURCES, load_dynamics_data

__all__ = [
    "DATA_SOURCES", "Snapshots", "as_matrix", "compare_policies", "dynamics_decision", "equity_interval",
    "holdout_check", "load_dynamics_data", "markov_value", "migration_counts", "offer_policies", "optimal_contact_policy",
    "period_ends", "pooled_counts", "project_segments", "projected_equity", "recency_chain", "recency_equity",
    "recency_labels", "recency_rewards", "retention_for_policy", "retention_from_matrix", "revitalisation_list", "segment_rewards",
    "snapshots_from_periods", "standard_policies", "stationarity_test", "status_snapshots", "status_snapshots_sql",
    "transition_matrix",
]
