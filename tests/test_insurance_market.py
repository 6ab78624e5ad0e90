"""The market simulation: balanced books, conserved customers, and adverse selection."""

import numpy as np
import pytest

from crm_analysis.data.synthetic import simulate_insurance_portfolio
from crm_analysis.insurance.market import Insurer, market_summary, simulate_market

INSURERS = [Insurer("risk", "risk", 0.1), Insurer("flat A", "flat", 0.1), Insurer("flat B", "flat", 0.1)]


@pytest.fixture(scope="module")
def world():
    _, truth = simulate_insurance_portfolio(n_policies=30_000, seed=2)
    return truth


def _run(truth, **kw):
    args = dict(n_years=8, price_sensitivity=8.0, severity_shape=truth.severity_shape,
                shopping_rate=0.5, seed=3)
    args.update(kw)
    return simulate_market(truth.expected_frequency, truth.expected_severity,
                           truth.expected_pure_premium, INSURERS, **args)


def test_customers_are_conserved_and_claims_match_the_true_costs(world):
    books = _run(world, severity_shape=None)
    assert len(books) == 8 * 3
    assert (books.groupby("year")["policies"].sum() == 30_000).all()
    # every policy is insured somewhere every year, so the market's claims over 8 years are
    # Poisson counts × fixed severities with mean 8·Σ freq·sev and variance 8·Σ freq·sev²
    mean = 8 * (world.expected_frequency * world.expected_severity).sum()
    sd = np.sqrt(8 * (world.expected_frequency * world.expected_severity ** 2).sum())
    assert abs(books["claims"].sum() - mean) < 4 * sd
    summary = market_summary(books)
    assert summary["profit"].sum() == pytest.approx(books["premiums"].sum() - books["claims"].sum())


def test_adverse_selection_the_flat_insurers_keep_the_bad_risks(world):
    books = _run(world)
    last = books[books["year"] == 8].set_index("insurer")
    population_mean = world.expected_pure_premium.mean()
    assert last.loc["flat A", "mean_true_cost"] > population_mean > last.loc["risk", "mean_true_cost"]
    summary = market_summary(books)
    assert summary.loc["risk", "final_share"] > summary.loc["risk", "initial_share"]


def test_risk_based_insurer_with_true_scores_earns_its_loading_on_average(world):
    # priced at 1.1 × the true expected cost, the risk-based insurer's 8-year margin is
    # 1 − 1/1.1 in expectation; over 50 markets the mean margin lies within 4 standard
    # errors of it (the spread of the 50 margins gives the standard error, about 0.0004)
    margins = np.array([market_summary(_run(world, severity_shape=None, seed=s)).loc["risk", "margin"]
                        for s in range(50)])
    standard_error = margins.std(ddof=1) / np.sqrt(len(margins))
    assert abs(margins.mean() - (1 - 1 / 1.1)) < 4 * standard_error


def test_without_price_sensitivity_shares_stay_even(world):
    books = _run(world, price_sensitivity=0.0)
    shares = books[books["year"] == 8]["market_share"].to_numpy()
    # random choice: each share is binomial(30,000, 1/3) → sd ≈ 0.0027
    assert np.all(np.abs(shares - 1 / 3) < 4 * np.sqrt(1 / 3 * 2 / 3 / 30_000))


def test_grouped_rows_count_each_customer():
    books = simulate_market([0.1, 0.2], [100.0, 100.0], [10.0, 20.0], INSURERS[:2],
                            n_years=2, policies=[1000, 500], severity_shape=None)
    assert (books.groupby("year")["policies"].sum() == 1500).all()


def test_invalid_inputs_are_named():
    with pytest.raises(ValueError, match="pricing"):
        Insurer("x", "cheap")
    with pytest.raises(ValueError, match="at least two"):
        simulate_market([0.1], [1.0], [1.0], INSURERS[:1])
    with pytest.raises(ValueError, match=r"risk_score .*rows \[1\]"):
        simulate_market([0.1, 0.1], [1.0, 1.0], [1.0, 0.0], INSURERS)
    with pytest.raises(ValueError, match="unique"):
        simulate_market([0.1], [1.0], [1.0], [INSURERS[0], INSURERS[0]])
