"""Status snapshots and migration matrices (crm_analysis.dynamics.snapshots/migration):
hand-counted tiny logs, the simulator's own state paths, interval coverage of the true
matrix over repeated simulations, and the stationarity test's size and power."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from crm_analysis import dynamics as dyn
from crm_analysis.data.synthetic import simulate_recency_chain

TRUE_P = (0.30, 0.20, 0.15, 0.05)


def _tiny_log():
    # quarters ending 2024-03-31, -06-30, -09-30, -12-31 (as_of 2024-12-31)
    rows = [("A", "2024-01-15", 10.0), ("A", "2024-01-15", 5.0), ("A", "2024-05-01", 100.0),
            ("B", "2024-02-01", 50.0), ("B", "2024-12-31", 20.0),
            ("C", "2024-08-10", 30.0), ("C", "2024-09-30", 40.0)]
    return pd.DataFrame(rows, columns=["customer_id", "date", "amount"]).assign(
        date=lambda f: pd.to_datetime(f["date"]))


def test_snapshots_of_a_hand_counted_log():
    """By hand, k = 2 recency states (1, 2, lost) at the ends of Q1..Q4 2024:
    A bought in Q1 (one purchase day, 15) and Q2 → 1, 1, 2, lost;
    B bought in Q1 and on 12-31 (Q4) → 1, 2, lost, 1;
    C bought twice in Q3 (days 08-10, 09-30) → not yet, not yet, 1, 2."""
    snaps = dyn.status_snapshots(_tiny_log(), as_of="2024-12-31", n_recency_states=2, n_value_tiers=1)
    assert list(snaps.period_ends.strftime("%Y-%m-%d")) == ["2024-03-31", "2024-06-30", "2024-09-30", "2024-12-31"]
    assert list(snaps.customer_ids) == ["A", "B", "C"]
    np.testing.assert_array_equal(snaps.recency, [[1, 1, 2, 3], [1, 2, 3, 1], [0, 0, 1, 2]])
    np.testing.assert_array_equal(snaps.purchases, [[1, 1, 0, 0], [1, 0, 0, 1], [0, 0, 2, 0]])
    np.testing.assert_allclose(snaps.spend[0], [15, 100, 0, 0])
    counts = dyn.migration_counts(snaps)
    # moves into Q2: A 1→1, B 1→2; into Q3: A 1→2, B 2→lost, C new→1; into Q4: A 2→lost, B lost→1, C 1→2
    q4 = counts.loc[pd.Timestamp("2024-12-31").date()]
    assert q4.loc["2", "lost"] == 1 and q4.loc["lost", "1"] == 1 and q4.loc["1", "2"] == 1
    assert counts.loc[pd.Timestamp("2024-09-30").date()].loc["new", "1"] == 1
    assert int(dyn.pooled_counts(counts).to_numpy().sum()) == 7  # 2 + 2 + 3 moves of existing customers
    # as_of cuts rows after it
    cut = dyn.status_snapshots(_tiny_log(), as_of="2024-12-30", n_recency_states=2)
    assert cut.purchases[:, -1].sum() == 0


def test_snapshot_states_equal_the_simulated_paths_and_ignore_row_order():
    tx, truth = simulate_recency_chain(n_customers=3000, n_periods=6, seed=4)
    snaps = dyn.status_snapshots(tx, n_recency_states=len(TRUE_P))
    paths = truth.state_paths.reindex(snaps.customer_ids).to_numpy()
    np.testing.assert_array_equal(snaps.recency, paths)
    shuffled = dyn.status_snapshots(tx.sample(frac=1, random_state=1), n_recency_states=len(TRUE_P))
    np.testing.assert_array_equal(shuffled.value, snaps.value)
    np.testing.assert_allclose(shuffled.spend, snaps.spend)


def test_counts_equal_a_brute_force_count_of_the_paths():
    tx, truth = simulate_recency_chain(n_customers=800, n_periods=5, seed=9)
    snaps = dyn.status_snapshots(tx, n_recency_states=len(TRUE_P)).last(4)
    counts = dyn.pooled_counts(dyn.migration_counts(snaps))
    labels = ["1", "2", "3", "4", "lost"]
    expected = pd.DataFrame(0, index=labels, columns=labels)
    paths = truth.state_paths.iloc[:, -4:]
    for _, row in paths.iterrows():
        for a, b in zip(row.to_numpy()[:-1], row.to_numpy()[1:]):
            if a > 0:
                expected.loc[labels[a - 1], labels[b - 1]] += 1
    np.testing.assert_array_equal(counts.to_numpy(), expected.to_numpy())


def _groups(n_groups: int, per_group: int, seed: int, **kwargs):
    """One simulation of n_groups × per_group independent customers, cut into n_groups
    customer bases (customers are independent, so each group is its own data set)."""
    tx, truth = simulate_recency_chain(n_customers=n_groups * per_group, n_periods=6, seed=seed, **kwargs)
    snaps = dyn.status_snapshots(tx, n_recency_states=4).last(4)
    group = np.arange(len(snaps.customer_ids)) % n_groups
    for g in range(n_groups):
        rows = group == g
        yield truth, replace(snaps, customer_ids=pd.RangeIndex(int(rows.sum())), recency=snaps.recency[rows],
                             value=snaps.value[rows], purchases=snaps.purchases[rows], spend=snaps.spend[rows])


def test_transition_intervals_cover_the_true_matrix():
    """120 simulated customer bases of 2,000: the 95 % Wilson intervals of the four
    repurchase probabilities cover the truth in 90–99 % of the 480 intervals, and the 95 %
    bootstrap intervals of the value of states 1–3 (contact states 1–3, margin 40, cost 4,
    d = 0.02) cover the true values in 90–99 %."""
    contact = [True, True, True, False]
    true_value = dyn.recency_equity(TRUE_P, 40, 4, 0.02, contact=contact).to_numpy()[:3]
    hits, value_hits = [], []
    for truth, snaps in _groups(120, 2000, seed=1000):
        counts = dyn.migration_counts(snaps)
        table = dyn.retention_from_matrix(dyn.transition_matrix(counts))
        hits.append((table["ci_low"].to_numpy() <= truth.retention) & (truth.retention <= table["ci_high"].to_numpy()))
        value = dyn.equity_interval(dyn.pooled_counts(counts), 40, 4, 0.02, contact=contact, n_draws=400,
                                    seed=len(hits)).iloc[:3]
        value_hits.append((value["ci_low"].to_numpy() <= true_value) & (true_value <= value["ci_high"].to_numpy()))
    hits, value_hits = np.array(hits), np.array(value_hits)
    assert 0.90 <= hits.mean() <= 0.99, hits.mean(axis=0)
    assert (hits.mean(axis=0) >= 0.85).all(), hits.mean(axis=0)
    assert 0.90 <= value_hits.mean() <= 0.99, value_hits.mean(axis=0)


def test_stationarity_test_size_and_power():
    """Stationary chains: the 5 % test rejects in 1–11 % of 100 simulated bases; a chain
    whose repurchase probabilities double in the last period: rejects in ≥ 90 %."""
    drift = np.tile(TRUE_P, (6, 1))
    drift[-1] = np.minimum(np.array(TRUE_P) * 2.0, 1)
    rejects = {}
    for name, kwargs in {"stationary": {}, "changed": {"retention_by_period": drift}}.items():
        rejects[name] = np.mean([dyn.stationarity_test(dyn.migration_counts(snaps)).loc["all states", "p_value"] < 0.05
                                 for _, snaps in _groups(100, 1500, seed=7, **kwargs)])
    assert 0.01 <= rejects["stationary"] <= 0.11, rejects
    assert rejects["changed"] >= 0.90, rejects


def test_stationarity_statistic_by_hand():
    """From-state 1 seen in two periods: [[30, 70], [50, 50]]; pooled shares 0.4/0.6, so
    expected [[40, 60], [40, 60]] and X² = 2·(10²/40 + 10²/60) = 8.333…, df 1."""
    idx = pd.MultiIndex.from_product([["t2", "t3"], ["1", "lost"]], names=["period_end", "from"])
    counts = pd.DataFrame([[30, 70], [0, 100], [50, 50], [0, 100]], index=idx, columns=["1", "lost"])
    table = dyn.stationarity_test(counts)
    assert table.loc["1", "statistic"] == pytest.approx(25 / 3)
    assert table.loc["all states", "df"] == 1
    assert table.loc["all states", "p_value"] == pytest.approx(stats.chi2.sf(25 / 3, 1))


def test_holdout_check_predicts_counts():
    tx, _ = simulate_recency_chain(n_customers=4000, n_periods=6, seed=2)
    counts = dyn.migration_counts(dyn.status_snapshots(tx, n_recency_states=4).last(4))
    table, summary = dyn.holdout_check(counts)
    ends = list(dict.fromkeys(counts.index.get_level_values(0)))
    fit = dyn.pooled_counts(counts, ends[:2])
    test = dyn.pooled_counts(counts, ends[2:])
    p = fit.loc["2", "1"] / fit.loc["2"].sum()
    assert table.loc[("2", "1"), "predicted_count"] == pytest.approx(p * test.loc["2"].sum())
    assert table.loc[("2", "1"), "actual_count"] == test.loc["2", "1"]
    assert summary["max_abs_diff"] < 0.05 and summary["p_value"] > 0.001


def test_bad_input_is_named():
    bad = _tiny_log()
    bad.loc[2, "amount"] = -1
    with pytest.raises(ValueError, match="rows"):
        dyn.status_snapshots(bad)
    with pytest.raises(ValueError, match="amount"):
        dyn.status_snapshots(_tiny_log().drop(columns="amount"))
    with pytest.raises(ValueError, match="n_value_tiers"):
        dyn.status_snapshots(_tiny_log(), n_value_tiers=9)
