"""simulate_transactions agrees with its truth and with the closed forms of its models.

The references are computed here independently with scipy: the BG/NBD probability
P(X(t)=x) and mean E[X(t)] (Fader, Hardie & Lee 2005, eqs. 8-9), the Pareto/NBD mean
E[X(t)] and survival (Schmittlein et al. 1987), Gamma and Beta laws via scipy.stats.
"""

import numpy as np
import pandas as pd
import pytest
from scipy import special, stats

from crm_analysis.data.synthetic import simulate_transactions

WEEK = pd.Timedelta(weeks=1)


@pytest.fixture(scope="module")
def bgnbd():
    return simulate_transactions(40_000, seed=11)


@pytest.fixture(scope="module")
def pareto():
    return simulate_transactions(40_000, model="pareto_nbd", seed=12)


def repeat_counts(transactions, t_weeks):
    """Repeat purchases of each customer in the t weeks after their first purchase."""
    tx = transactions.sort_values(["customer_id", "date"], kind="stable")
    first = tx.groupby("customer_id")["date"].transform("min")
    is_repeat = tx.groupby("customer_id").cumcount() > 0
    inside = is_repeat & ((tx["date"] - first) / WEEK <= t_weeks)
    return inside.groupby(tx["customer_id"]).sum()


def bgnbd_pmf(x, t, r, alpha, a, b):
    """P(X(t)=x) of BG/NBD, eq. 8 of Fader, Hardie & Lee (2005)."""
    x = np.asarray(x)
    nbd_p = alpha / (alpha + t)
    alive_all_along = np.exp(special.betaln(a, b + x) - special.betaln(a, b)) * stats.nbinom.pmf(x, r, nbd_p)
    dropped = np.where(
        x > 0,
        np.exp(special.betaln(a + 1, b + x - 1) - special.betaln(a, b))
        * (1 - stats.nbinom.cdf(x - 1, r, nbd_p)),
        0.0,
    )
    return alive_all_along + dropped


def bgnbd_mean(t, r, alpha, a, b):
    """E[X(t)] of BG/NBD, eq. 9 of Fader, Hardie & Lee (2005)."""
    z = t / (alpha + t)
    return (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * special.hyp2f1(r, b, a + b - 1, z))


def test_columns_types_and_window(bgnbd):
    tx, truth = bgnbd
    assert list(tx.columns) == ["customer_id", "date", "amount", "product", "category"]
    assert tx["customer_id"].dtype == "str" and tx["product"].dtype == "str"
    assert np.issubdtype(tx["date"].dtype, np.datetime64)
    assert tx["date"].is_monotonic_increasing
    assert tx["date"].min() >= truth.start and tx["date"].max() < truth.end
    assert (tx["amount"] > 0).all()
    assert truth.time_unit == "week"
    # every product belongs to exactly one category
    assert (tx.groupby("product")["category"].nunique() == 1).all()


def test_first_purchase_is_acquisition(bgnbd):
    tx, truth = bgnbd
    first = tx.groupby("customer_id")["date"].min()
    acquisition = truth.customers.set_index("customer_id")["acquisition_date"]
    pd.testing.assert_series_equal(first.sort_index(), acquisition.sort_index(), check_names=False)
    # staggered uniformly over the acquisition weeks
    weeks = (acquisition - truth.start) / WEEK
    assert stats.kstest(weeks, stats.uniform(0, truth.acquisition_weeks).cdf).pvalue > 0.001


def test_truth_counts_match_data(bgnbd):
    tx, truth = bgnbd
    c = truth.customers.set_index("customer_id")
    n_tx = tx["customer_id"].value_counts().reindex(c.index)
    np.testing.assert_array_equal(n_tx.to_numpy() - 1, c["n_repeat"].to_numpy())
    spend = tx.groupby("customer_id")["amount"].sum().reindex(c.index)
    np.testing.assert_allclose(spend.to_numpy(), c["spend"].to_numpy(), rtol=1e-9)


def test_purchase_rates_are_gamma(bgnbd):
    _, truth = bgnbd
    lam = truth.customers["lam"]
    law = stats.gamma(truth.r, scale=1 / truth.alpha)
    assert stats.kstest(lam, law.cdf).pvalue > 0.001
    assert abs(lam.mean() - truth.r / truth.alpha) < 4 * law.std() / np.sqrt(len(lam))
    p = truth.customers["dropout_p"]
    assert stats.kstest(p, stats.beta(truth.a, truth.b).cdf).pvalue > 0.001


def test_repeat_count_distribution_matches_bgnbd(bgnbd):
    tx, truth = bgnbd
    t = 40.0  # every customer is observed at least 66 weeks after acquisition
    assert truth.customers["T_weeks"].min() > t
    x = repeat_counts(tx, t).to_numpy()
    top = 8
    observed = np.bincount(np.minimum(x, top), minlength=top + 1)
    pmf = bgnbd_pmf(np.arange(top), t, truth.r, truth.alpha, truth.a, truth.b)
    expected = len(x) * np.append(pmf, 1 - pmf.sum())
    assert stats.chisquare(observed, expected).pvalue > 0.001
    mean = bgnbd_mean(t, truth.r, truth.alpha, truth.a, truth.b)
    assert abs(x.mean() - mean) < 4 * x.std() / np.sqrt(len(x))


def test_bgnbd_alive_at_end_consistent_with_closed_form(bgnbd):
    _, truth = bgnbd
    c = truth.customers
    # Alive at T means fewer than Geometric(p) purchases among Poisson(lam*T) arrivals:
    # P = E[(1-p)^N] = exp(-lam*p*T) given lam, p, T (the Poisson probability generating function).
    expected = np.exp(-c["lam"] * c["dropout_p"] * c["T_weeks"]).to_numpy()
    alive = c["alive_at_end"].to_numpy()
    se = np.sqrt((expected * (1 - expected)).sum()) / len(c)
    assert abs(alive.mean() - expected.mean()) < 4 * se
    # no repeat purchase in the process: BG/NBD cannot drop out before one
    assert alive[c["n_repeat_process"].to_numpy() == 0].all()


def test_pareto_nbd_mean_repeats_and_survival(pareto):
    tx, truth = pareto
    assert truth.a is None and truth.b is None
    t = 40.0
    x = repeat_counts(tx, t).to_numpy()
    r, alpha, s, beta = truth.r, truth.alpha, truth.s, truth.beta
    mean = r * beta / (alpha * (s - 1)) * (1 - (beta / (beta + t)) ** (s - 1))
    assert abs(x.mean() - mean) < 4 * x.std() / np.sqrt(len(x))
    c = truth.customers
    survival = (beta / (beta + t)) ** s
    alive_t = (c["lifetime_weeks"] > t).mean()
    assert abs(alive_t - survival) < 4 * np.sqrt(survival * (1 - survival) / len(c))
    np.testing.assert_array_equal(c["alive_at_end"], c["lifetime_weeks"] > c["T_weeks"])
    assert stats.kstest(c["mu"], stats.gamma(s, scale=1 / beta).cdf).pvalue > 0.001


def test_spend_follows_gamma_gamma(bgnbd):
    tx, truth = bgnbd
    per_customer = tx.groupby("customer_id")["amount"].mean()
    # E[mean spend] = p*gamma/(q-1) over customers (each customer's average is unbiased for p/nu)
    target = truth.p * truth.gamma / (truth.q - 1)
    se = per_customer.std() / np.sqrt(len(per_customer))
    assert abs(per_customer.mean() - target) < 4 * se
    nu = truth.customers["nu"]
    assert stats.kstest(nu, stats.gamma(truth.q, scale=1 / truth.gamma).cdf).pvalue > 0.001
    # within a customer, amounts are Gamma(p, nu): amount * nu ~ Gamma(p, 1)
    nu_of_row = truth.customers.set_index("customer_id")["nu"].reindex(tx["customer_id"])
    scaled = tx["amount"].to_numpy() * nu_of_row.to_numpy()
    assert stats.kstest(scaled, stats.gamma(truth.p).cdf).pvalue > 0.001


def test_share_of_wallet(bgnbd):
    tx, truth = bgnbd
    c = truth.customers.set_index("customer_id")
    ours = tx.groupby("customer_id")["amount"].sum().reindex(c.index)
    share = ours / c["category_spend"]
    assert share.between(0, 1).all()
    np.testing.assert_allclose(share.to_numpy(), c["share_of_wallet"].to_numpy(), rtol=1e-9)
    law = stats.beta(truth.sow_a, truth.sow_b)
    assert abs(share.mean() - truth.mean_share_of_wallet) < 4 * law.std() / np.sqrt(len(share))
    assert 0.3 <= truth.mean_share_of_wallet <= 0.5


def test_seeded_and_ids_shared():
    a, _ = simulate_transactions(300, seed=3)
    b, _ = simulate_transactions(300, seed=3)
    c, _ = simulate_transactions(300, seed=4)
    pd.testing.assert_frame_equal(a, b)
    assert not a["amount"].equals(c["amount"])
    assert set(a["customer_id"]) == {f"C{i:07d}" for i in range(1, 301)}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"model": "weibull"}, "model"),
        ({"r": -1.0}, "r=-1.0"),
        ({"a": 0.0}, "a=0.0"),
        ({"gamma": float("nan")}, "gamma=nan"),
        ({"start": "2025-01-01", "end": "2024-01-01"}, "end"),
        ({"acquisition_weeks": 500.0}, "acquisition_weeks"),
        ({"n_customers": 0}, "n_customers"),
    ],
)
def test_bad_arguments_are_named(kwargs, message):
    kwargs = {"n_customers": 10, **kwargs}
    with pytest.raises(ValueError, match=message):
        simulate_transactions(**kwargs)


def test_customer_master_sets_ids_and_acquisition():
    master = pd.DataFrame(
        {
            "customer_id": ["K1", "K2", "K3"],
            "registration_date": pd.to_datetime(["2024-03-05", "2024-01-01", "2025-06-30 12:00:00"], format="ISO8601"),
        },
        index=[10, 20, 30],
    )
    tx, truth = simulate_transactions(customers=master, seed=5)
    first = tx.groupby("customer_id")["date"].min()
    assert first.to_dict() == dict(zip(master["customer_id"], master["registration_date"]))
    np.testing.assert_allclose(
        truth.customers["T_weeks"], (truth.end - master["registration_date"]).to_numpy() / WEEK
    )
    too_early = master["registration_date"].where(master.index != 20, pd.Timestamp("2023-12-31"))
    late = master.assign(registration_date=too_early)
    with pytest.raises(ValueError, match=r"registration_date.*rows \[20\]"):
        simulate_transactions(customers=late)
    with pytest.raises(ValueError, match=r"customer_id.*rows \[10, 30\]"):
        simulate_transactions(customers=master.assign(customer_id=["K1", "K2", "K1"]))
    with pytest.raises(ValueError, match="not both"):
        simulate_transactions(3, customers=master)


def test_log_and_summary_agree_on_what_a_purchase_is():
    """A purchase is a customer-day: the simulated log has at most one line per customer and
    day, and the summary's repeat purchases equal the truth's n_repeat customer by customer."""
    from crm_analysis.clv import summarize_transactions

    tx, truth = simulate_transactions(3000, seed=21)
    assert not tx.assign(day=tx["date"].dt.floor("D")).duplicated(["customer_id", "day"]).any()
    summary = summarize_transactions(tx, time_unit="W", observation_end=truth.end)
    n_repeat = truth.customers.set_index("customer_id")["n_repeat"]
    assert (summary["frequency"] == n_repeat.loc[summary.index]).all()
    assert (truth.customers["n_repeat_process"] >= truth.customers["n_repeat"]).all()
