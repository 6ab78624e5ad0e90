"""simulate_recency_chain: purchases follow the stated recency chain."""

import numpy as np
import pytest

from crm_analysis.data.synthetic import simulate_recency_chain


def test_simulated_moves_match_the_true_probabilities():
    """Pooled over 60,000 customers, the share of state-i customers who buy next period
    is within 4 binomial standard errors of p_i; lost customers never buy again."""
    tx, truth = simulate_recency_chain(n_customers=60000, n_periods=6, seed=8)
    paths = truth.state_paths.to_numpy()
    a, b = paths[:, :-1].ravel(), paths[:, 1:].ravel()
    for i, p in enumerate(truth.retention, start=1):
        moved = b[a == i]
        share = np.mean(moved == 1)
        assert abs(share - p) < 4 * np.sqrt(p * (1 - p) / moved.size)
        assert set(np.unique(moved)) <= {1, i + 1}
    assert (b[a == len(truth.retention) + 1] == len(truth.retention) + 1).all()
    assert truth.transition_matrix.sum(axis=1).round(12).eq(1).all()
    # every buying period holds at least one purchase, and only those
    assert tx["date"].max() <= truth.period_ends[-1] and (tx["amount"] > 0).all()


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="retention"):
        simulate_recency_chain(retention=[0.3, 1.5])
    with pytest.raises(ValueError, match="retention_by_period"):
        simulate_recency_chain(n_periods=4, retention_by_period=np.zeros((3, 4)))
