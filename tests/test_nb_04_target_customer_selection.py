"""Value tests of notebook 04 against the synthetic truth and published figures."""

import numpy as np
import pytest

from crm_analysis.data.synthetic import simulate_campaign

pytestmark = pytest.mark.notebook

# the notebook's defaults, restated: the test derives its references from them
SEED, N, TEST_SHARE, MARGIN, COST, K = 7, 20_000, 0.5, 40.0, 3.0, 0.2


@pytest.fixture(scope="module")
def results(run_notebook):
    return {k: r.value for k, r in run_notebook("04_target_customer_selection").items()}


@pytest.fixture(scope="module")
def truth():
    frame, truth = simulate_campaign(n_customers=N, seed=SEED)
    return frame, truth


def test_auc_between_chance_and_the_true_probability(results):
    # SE of an AUC near 0.65 on ~5,000 hold-out rows with ~16 % responders is about 0.01
    assert results["auc"] > 0.5 + 4 * 0.01
    assert results["auc_logit"] > 0.5 + 4 * 0.01
    # a fitted score cannot rank better than the true probability beyond sampling noise
    assert results["auc"] <= results["auc_truth"] + 0.02


def test_top_decile_lift_is_real(results):
    rate = results["response_rate_treated_test"]
    n_decile = N * TEST_SHARE * 0.5 / 10
    se_lift = np.sqrt(rate * (1 - rate) / n_decile) / rate
    assert results["top_decile_lift"] > 1 + 4 * se_lift


def test_mass_profit_follows_from_the_response_rate_and_the_truth(results, truth):
    frame, _ = truth
    rate = results["response_rate_treated_test"]
    assert results["profit_mass"] == pytest.approx(1000 * (MARGIN * rate - COST), rel=1e-9)
    # the hold-out response rate of contacted customers estimates the mean true p_treated
    p = frame["p_treated"].mean()
    n_test_treated = N * TEST_SHARE * 0.5
    assert abs(rate - p) < 4 * np.sqrt(p * (1 - p) / n_test_treated)


def test_optimal_depth_near_the_true_break_even_share(results, truth):
    """With true probabilities the best list is everyone with margin × p_treated > cost.
    Near the break-even point each extra contact adds almost nothing, so the realized
    optimum wanders; 0.15 allows that yet fails a curve that ignores costs or scores."""
    frame, _ = truth
    share = float((MARGIN * frame["p_treated"] > COST).mean())
    assert abs(results["optimal_depth"] - share) < 0.15


def test_uplift_estimate_tracks_the_truth(results):
    # correlation > 0.5: the estimate explains over a quarter of the true uplift's variance
    # (see tests/test_targeting_uplift.py for the reasoning)
    assert results["uplift_truth_corr"] > 0.5
    assert results["qini_auc_synthetic"] > 0


def test_uplift_at_k_estimates_the_true_uplift_of_the_selected(results):
    # top 20 % of 10,000 hold-out customers, about 1,000 per arm; SE of a difference of two
    # rates is at most sqrt(0.25/1000 + 0.25/1000)
    se = np.sqrt(2 * 0.25 / (N * TEST_SHARE * K / 2))
    assert abs(results["uplift_at_k"] - results["true_uplift_top_k"]) < 4 * se


def test_uplift_selection_beats_response_selection(results, truth):
    _, t = truth
    assert results["profit_uplift_selection"] > results["profit_response_selection"]
    # contacting everyone earns margin × mean true uplift − cost per customer
    want = 1000 * (MARGIN * t.mean_uplift - COST)
    se = 1000 * MARGIN * 0.08 / np.sqrt(N * TEST_SHARE)  # uplift sd about 0.08
    assert abs(results["profit_everyone_true"] - want) < 4 * se


def test_caravan_reproduces_islr(results):
    """ISLR (James et al. 2013, section 4.6.6): logistic regression on all Caravan
    attributes, test = first 1,000 customers, cut-off 0.25: 33 predicted buyers, 11 right."""
    assert results["caravan_called"] == 33
    assert results["caravan_called_buyers"] == 11


@pytest.mark.real_data
def test_hillstrom_effect_and_qini(real_data_home, results):
    # published visit rates (data README, MineThatData): Womens E-Mail 0.1514, No E-Mail 0.1062
    assert results["hillstrom_ate"] == pytest.approx(0.1514 - 0.1062, abs=2e-4)
    assert results["qini_auc_hillstrom"] > 0


SMALL = dict(gbm_iterations=40, use_real_data=False)


@pytest.mark.parametrize("params", [{}, dict(SMALL, seed=3), dict(SMALL, seed=11)],
                         ids=["default", "seed3", "seed11"])
def test_decision_recommends_the_list_of_highest_incremental_profit(run_notebook, params):
    """The recommended list has the highest estimated incremental profit of the lists compared
    (uplift ranking, response ranking, the response-profit depth, everyone, nobody) and, on
    the simulation's true uplift, earns at least as much as every alternative."""
    r = {k: v.value for k, v in run_notebook("04_target_customer_selection", **params).items()}
    est = [r[k] for k in sorted(r) if k.startswith("decision_profit_")]
    true = [r[k] for k in sorted(r) if k.startswith("decision_true_profit_")]
    assert len(est) == len(true) == 5
    best = int(np.argmax(est))
    assert true[best] == max(true)
    assert r["recommended_list"] == "ranked by predicted uplift"
    # the true types of the response model's top decile sum to one and are mostly not persuadables
    shares = r["top_decile_type_shares"]
    assert sum(shares.values()) == pytest.approx(1, abs=0.01)
    assert shares.get("persuadable", 0) < 0.5
