"""A self-selected loyalty program with a known causal effect on spend.

Model (all spend in currency units per customer per month)::

    covariates      visits_per_month ~ Gamma(4, 0.625)      (mean 2.5 visits a month)
                    tenure_years     ~ Uniform(0, 10)
                    income_band      ~ {low, middle, high} with shares 0.4/0.4/0.2
    membership      P(member | X) = logistic(a + b'X)       (heavier buyers join more);
                    self_selection=False sets b = 0, so joining is a coin flip
    customer level  alpha_i = c + g'X + u_i,  u_i ~ Normal(0, customer_sd)
    monthly spend   y_it = alpha_i + time_effect_t + effect_i * member_i * post_t + e_it,
                    e_it ~ Normal(0, noise_sd)
    effect          a share ``would_buy_anyway_share`` of customers (the sources' 87.5%)
                    gain nothing from the program; the others gain
                    true_effect / (1 - would_buy_anyway_share), so the average effect
                    on members (and on everyone) is ``true_effect``.

Selection depends on the observed covariates only (not on u_i or e_it), so regression
adjustment, propensity weighting and matching on X are unbiased, and so is the
difference-in-differences on the panel (u_i cancels, trends are common). The naive
member-minus-non-member difference is biased by g'(E[X | member] - E[X | non-member]).
Spend is Gaussian: with the defaults a month below zero (a net return) has probability
of order 1e-4.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

INCOME_BANDS = ("low", "middle", "high")


@dataclass(frozen=True)
class LoyaltyTruth:
    """The parameters that generated a loyalty-program data set.

    ``true_effect`` is in currency units per member per month (post-launch months);
    coefficients are keyed by covariate (``income_band[middle]`` is the shift for the
    middle band against the low band). Selection coefficients are on the logit scale;
    outcome coefficients in currency units per month per unit of the covariate.
    """

    true_effect: float
    self_selection: bool
    would_buy_anyway_share: float
    member_share: float
    realized_anyway_share: float
    selection_intercept: float
    selection_coefficients: dict = field(default_factory=dict)
    outcome_intercept: float = 0.0
    outcome_coefficients: dict = field(default_factory=dict)
    customer_sd: float = 0.0
    noise_sd: float = 0.0
    time_effects: tuple = ()
    n_pre_periods: int = 0
    n_post_periods: int = 0


_SELECTION = {"visits_per_month": 0.5, "tenure_years": 0.1,
              "income_band[middle]": 0.25, "income_band[high]": 0.5}
_OUTCOME = {"visits_per_month": 12.0, "tenure_years": 1.5,
            "income_band[middle]": 10.0, "income_band[high]": 25.0}


def _linear(covariates: pd.DataFrame, coefficients: dict) -> np.ndarray:
    bands = covariates["income_band"].to_numpy()
    return (coefficients["visits_per_month"] * covariates["visits_per_month"].to_numpy()
            + coefficients["tenure_years"] * covariates["tenure_years"].to_numpy()
            + coefficients["income_band[middle]"] * (bands == "middle")
            + coefficients["income_band[high]"] * (bands == "high"))


def simulate_loyalty_program(
    n_customers: int = 5_000,
    self_selection: bool = True,
    true_effect: float = 6.0,
    would_buy_anyway_share: float = 0.875,
    n_pre_periods: int = 6,
    n_post_periods: int = 6,
    seed: int = 0,
) -> tuple[tuple[pd.DataFrame, pd.DataFrame], LoyaltyTruth]:
    """Simulate customers, program membership and a monthly spend panel around launch.

    Parameters
    ----------
    n_customers : number of customers.
    self_selection : if True heavier buyers are more likely to join; if False membership
        is random with the same expected member share.
    true_effect : average causal lift in spend, currency units per member per month
        after launch.
    would_buy_anyway_share : share of customers whose spend the program does not change
        (the sources' 87.5%); in [0, 1).
    n_pre_periods, n_post_periods : months before and after the launch.
    seed : random seed.

    Returns
    -------
    ``(customers, panel), truth``. ``customers`` has one row per customer: customer_id,
    visits_per_month, tenure_years, income_band (categorical low < middle < high),
    member (bool), pre_spend and post_spend
    (mean monthly spend before / after launch). ``panel`` has one row per customer and
    month: customer_id, period (months from launch; 0 is the first month with the
    program), post (bool), member (bool), spend.
    """
    if n_customers < 10:
        raise ValueError(f"n_customers must be at least 10, got {n_customers}")
    if not 0 <= would_buy_anyway_share < 1:
        raise ValueError(
            f"would_buy_anyway_share must be in [0, 1), got {would_buy_anyway_share}")
    if n_pre_periods < 1 or n_post_periods < 1:
        raise ValueError("n_pre_periods and n_post_periods must both be at least 1")
    rng = np.random.default_rng(seed)
    customers = pd.DataFrame({
        "customer_id": np.arange(1, n_customers + 1),
        "visits_per_month": rng.gamma(4.0, 0.625, n_customers),
        "tenure_years": rng.uniform(0.0, 10.0, n_customers),
        "income_band": pd.Categorical(
            rng.choice(INCOME_BANDS, n_customers, p=[0.4, 0.4, 0.2]), categories=INCOME_BANDS),
    })

    intercept = -2.3
    selection = dict(_SELECTION)
    if not self_selection:
        # Same expected member share, no dependence on X.
        p_all = 1.0 / (1.0 + np.exp(-(intercept + _linear(customers, selection))))
        intercept = float(np.log(p_all.mean() / (1 - p_all.mean())))
        selection = dict.fromkeys(selection, 0.0)
    propensity = 1.0 / (1.0 + np.exp(-(intercept + _linear(customers, selection))))
    member = rng.random(n_customers) < propensity

    outcome_intercept, customer_sd, noise_sd = 40.0, 10.0, 15.0
    alpha = (outcome_intercept + _linear(customers, _OUTCOME)
             + rng.normal(0.0, customer_sd, n_customers))
    anyway = rng.random(n_customers) < would_buy_anyway_share
    effect = np.where(anyway, 0.0, true_effect / (1.0 - would_buy_anyway_share))

    periods = np.arange(-n_pre_periods, n_post_periods)
    # A gentle upward trend plus a seasonal swing, common to members and non-members.
    time_effects = 0.8 * periods + 4.0 * np.sin(2 * np.pi * periods / 12)
    post = periods >= 0
    spend = (alpha[:, None] + time_effects[None, :]
             + (effect * member)[:, None] * post[None, :]
             + rng.normal(0.0, noise_sd, (n_customers, periods.size)))

    customers["member"] = member
    customers["pre_spend"] = spend[:, ~post].mean(axis=1)
    customers["post_spend"] = spend[:, post].mean(axis=1)
    panel = pd.DataFrame({
        "customer_id": np.repeat(customers["customer_id"].to_numpy(), periods.size),
        "period": np.tile(periods, n_customers),
        "post": np.tile(post, n_customers),
        "member": np.repeat(member, periods.size),
        "spend": spend.ravel(),
    })
    truth = LoyaltyTruth(
        true_effect=float(true_effect),
        self_selection=bool(self_selection),
        would_buy_anyway_share=float(would_buy_anyway_share),
        member_share=float(member.mean()),
        realized_anyway_share=float(anyway[member].mean()) if member.any() else float("nan"),
        selection_intercept=float(intercept),
        selection_coefficients=selection,
        outcome_intercept=outcome_intercept,
        outcome_coefficients=dict(_OUTCOME),
        customer_sd=customer_sd,
        noise_sd=noise_sd,
        time_effects=tuple(float(t) for t in time_effects),
        n_pre_periods=int(n_pre_periods),
        n_post_periods=int(n_post_periods),
    )
    return (customers, panel), truth
