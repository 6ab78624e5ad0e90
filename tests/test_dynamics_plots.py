"""Plots of crm_analysis.plots.dynamics: each draws on the given Axes and returns it."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from crm_analysis import dynamics as dyn  # noqa: E402
from crm_analysis.data.synthetic import simulate_recency_chain  # noqa: E402
from crm_analysis.plots import dynamics as plots  # noqa: E402


@pytest.fixture(scope="module")
def parts():
    tx, _ = simulate_recency_chain(n_customers=3000, n_periods=6, seed=21)
    snaps = dyn.status_snapshots(tx, n_recency_states=4).last(4)
    counts = dyn.migration_counts(snaps)
    return tx, snaps, counts


def test_every_plot_returns_its_axes(parts):
    tx, snaps, counts = parts
    matrix = dyn.transition_matrix(counts)
    holdout, _ = dyn.holdout_check(counts)
    values = dyn.compare_policies([0.3, 0.2, 0.15, 0.05], 40, 4, 0.02,
                                  dyn.standard_policies(4, [True, True, True, False]))
    vc = dyn.migration_counts(snaps, "value")
    projection = dyn.project_segments(dyn.as_matrix(dyn.transition_matrix(vc)).fillna(0),
                                      snaps.shares("value").iloc[-1], dyn.segment_rewards(snaps, 0.3), 0.02, 4)
    revital = dyn.revitalisation_list(tx, now=snaps.period_ends[-1], before=snaps.period_ends[-2])
    last = counts.index.get_level_values(0)[-1]
    calls = [
        lambda ax: plots.plot_state_shares(snaps.shares("recency"), ax=ax),
        lambda ax: plots.plot_transition_heatmap(dyn.as_matrix(matrix), ax=ax),
        lambda ax: plots.plot_migration_flow(counts.loc[last].drop(index="new"), ax=ax),
        lambda ax: plots.plot_holdout(holdout, ax=ax),
        lambda ax: plots.plot_policy_values(values, ax=ax),
        lambda ax: plots.plot_projection(projection, snaps.value_states, ax=ax),
        lambda ax: plots.plot_revitalisation(revital[revital["candidate"]], 10, ax=ax),
    ]
    for call in calls:
        fig, ax = plt.subplots()
        assert call(ax) is ax
        assert ax.has_data() or ax.patches or ax.collections
        plt.close(fig)
    with pytest.raises(ValueError, match="empty"):
        plots.plot_migration_flow(counts.loc[last].drop(index="new") * 0)
