"""Survey intervals and tests against published values and hand computations."""

import numpy as np
import pytest
from scipy import stats

from crm_analysis.loyalty import survey

# Newcombe (1998), Statistics in Medicine 17:857-872, Table I, method 3 (Wilson score).
NEWCOMBE = [(81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605),
            (0, 20, 0.0, 0.1611), (1, 29, 0.0061, 0.1718)]


@pytest.mark.parametrize("x, n, low, high", NEWCOMBE)
def test_wilson_matches_newcombe_table(x, n, low, high):
    row = survey.wilson_intervals({"g": x / n}, n).iloc[0]
    assert row["successes"] == x
    assert row["ci_low"] == pytest.approx(low, abs=6e-5)
    assert row["ci_high"] == pytest.approx(high, abs=6e-5)


def test_chi_square_equals_hand_computation():
    n = 400
    result = survey.equal_proportions_test(survey.SWITCHING_SHARES, n)
    x = np.array([round(s * n) for s in survey.SWITCHING_SHARES.values()])
    pooled = x.sum() / (n * len(x))
    statistic = (((x - n * pooled) ** 2) / (n * pooled)
                 + (((n - x) - n * (1 - pooled)) ** 2) / (n * (1 - pooled))).sum()
    assert result.dof == 4
    assert result.statistic == pytest.approx(statistic, rel=1e-12)
    assert result.p_value == pytest.approx(stats.chi2.sf(statistic, 4), rel=1e-9)


def test_pairwise_z_and_holm_by_hand():
    shares = {"a": 0.10, "b": 0.24, "c": 0.11}
    n = 300
    table = survey.pairwise_proportion_tests(shares, n, method="holm")
    x = {k: round(v * n) for k, v in shares.items()}
    raw = []
    for a, b in [("a", "b"), ("a", "c"), ("b", "c")]:
        pooled = (x[a] + x[b]) / (2 * n)
        z = (x[a] / n - x[b] / n) / np.sqrt(pooled * (1 - pooled) * 2 / n)
        raw.append(2 * stats.norm.sf(abs(z)))
    order = np.argsort(raw)
    holm = np.empty(3)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (3 - rank) * raw[i]))
        holm[i] = running
    assert table["p_value"].to_numpy() == pytest.approx(raw, rel=1e-9)
    assert table["p_value_adjusted"].to_numpy() == pytest.approx(holm, rel=1e-9)
    assert list(table["reject"]) == list(holm < 0.05)


def test_per_group_sample_sizes():
    table = survey.survey_counts({"a": 0.5, "b": 0.25}, {"a": 10, "b": 40})
    assert list(table["successes"]) == [5, 10]


def test_one_proportion_share_equal_to_null_is_not_rejected():
    assert survey.one_proportion_test(0.5, 100, 0.5)["p_value"] == pytest.approx(1.0)
    # 33 of 100 against one half: exact two-sided binomial p-value by summation.
    pmf = stats.binom.pmf(np.arange(101), 100, 0.5)
    expected = pmf[pmf <= pmf[33] * (1 + 1e-7)].sum()
    assert survey.one_proportion_test(0.33, 100, 0.5)["p_value"] == pytest.approx(expected)


@pytest.mark.parametrize("shares, n, message", [
    ({"UK": 1.2}, 100, "'UK'"),
    ({"UK": 0.2}, 0, "sample size for 'UK'"),
    ({"UK": 0.2, "FR": 0.3}, {"UK": 10, "FR": 2.5}, "sample size for 'FR'"),
])
def test_bad_input_names_the_group(shares, n, message):
    with pytest.raises(ValueError, match=message):
        survey.wilson_intervals(shares, n)
