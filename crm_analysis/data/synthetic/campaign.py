"""A randomized direct-marketing campaign with known response probabilities and true uplift.

Each simulated customer has a purchase history and a profile:

==================  ==========================================================
column              meaning (unit)
==================  ==========================================================
customer_id         1 … n
income              annual household income, thousand currency units per year
tenure_years        years since the customer's first purchase
share_of_wallet     our share of the customer's category spend (0–1), a loyalty measure
recency_days        days since the last purchase (as of the campaign date)
frequency           purchases in the 12 months before the campaign (count)
monetary            average value of those purchases (currency units per purchase)
treated             1 if the customer was randomly chosen to receive the contact
p_control           TRUE probability of responding without the contact
p_treated           TRUE probability of responding with the contact
uplift              TRUE uplift ``p_treated - p_control`` (probability points as a share)
customer_type       TRUE potential-outcome type (see below)
response            1 if the customer bought in the campaign window (realized)
spend               amount bought in the campaign window, 0 without a response (currency)
==================  ==========================================================

The columns in :data:`TRUTH_COLUMNS` are unobservable in a real campaign; drop them before
modelling (``frame.drop(columns=TRUTH_COLUMNS)``) and use them only to judge estimates.

Model. With the terms ``x`` of :func:`campaign_terms` (an intercept, log income relative
to 50, tenure, share of wallet, recency in months, log(1 + frequency))::

    logit p_control = x · base_coef
    logit p_treated = x · (base_coef + effect_coef)

The effect coefficients make the contact help newer, low-share customers and annoy long,
loyal ones, so the campaign has all four customer types. The two potential outcomes are
drawn from one uniform number ``u`` per customer: ``Y(0) = u < p_control`` and
``Y(1) = u < p_treated``; this gives each the right probability and defines the type:

* persuadable — buys only if contacted (Y(0)=0, Y(1)=1);
* sure thing — buys either way (1, 1);
* lost cause — never buys (0, 0);
* sleeping dog — buys only if NOT contacted (1, 0).

``response`` is the potential outcome of the arm the customer was randomized to. A
responder's ``spend`` is Gamma distributed with mean ``monetary`` and shape
``truth.spend_shape``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

TERMS = ("intercept", "log_income", "tenure_years", "share_of_wallet", "recency_months",
         "log_frequency")
"""Names of the linear-predictor terms, in the order of :func:`campaign_terms`."""

FEATURES = ("income", "tenure_years", "share_of_wallet", "recency_days", "frequency",
            "monetary")
"""Observable customer features (columns of the frame)."""

TRUTH_COLUMNS = ("p_control", "p_treated", "uplift", "customer_type")
"""Columns that hold the simulation's truth and must not be used as model inputs."""

CUSTOMER_TYPES = ("persuadable", "sure thing", "lost cause", "sleeping dog")

BASE_COEF = {"intercept": -3.8, "log_income": 0.4, "tenure_years": 0.06,
             "share_of_wallet": 1.6, "recency_months": -0.12, "log_frequency": 0.55}
EFFECT_COEF = {"intercept": 1.85, "log_income": 0.5, "tenure_years": -0.08,
               "share_of_wallet": -2.5, "recency_months": -0.04, "log_frequency": 0.0}

DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class CampaignTruth:
    """The parameters behind :func:`simulate_campaign` and summaries of its truth.

    ``base_coef`` and ``effect_coef`` are logit-scale coefficients per term of
    :func:`campaign_terms`; ``type_shares`` is the realized share of each customer type;
    ``mean_uplift`` the sample mean of the true uplift (the average treatment effect on
    the response probability, as a share).
    """

    n_customers: int
    treat_share: float
    seed: int | None
    base_coef: dict[str, float] = field(default_factory=dict)
    effect_coef: dict[str, float] = field(default_factory=dict)
    spend_shape: float = 4.0
    type_shares: dict[str, float] = field(default_factory=dict)
    mean_uplift: float = 0.0


def campaign_terms(frame: pd.DataFrame) -> pd.DataFrame:
    """The linear-predictor terms (:data:`TERMS`) of the campaign model for each row.

    ``log_income`` is ``log(income / 50)`` (income in thousands per year),
    ``recency_months`` is ``recency_days / 30.44`` and ``log_frequency`` is
    ``log(1 + frequency)``.
    """
    needed = ("income", "tenure_years", "share_of_wallet", "recency_days", "frequency")
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ValueError(f"campaign_terms: missing column(s) {missing}")
    return pd.DataFrame({
        "intercept": 1.0,
        "log_income": np.log(frame["income"].to_numpy(float) / 50.0),
        "tenure_years": frame["tenure_years"].to_numpy(float),
        "share_of_wallet": frame["share_of_wallet"].to_numpy(float),
        "recency_months": frame["recency_days"].to_numpy(float) / DAYS_PER_MONTH,
        "log_frequency": np.log1p(frame["frequency"].to_numpy(float)),
    }, index=frame.index)


def _expit(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def simulate_campaign(n_customers: int = 10_000, treat_share: float = 0.5,
                      seed: int | None = 0) -> tuple[pd.DataFrame, CampaignTruth]:
    """Simulate one randomized campaign; return ``(frame, truth)``.

    Parameters
    ----------
    n_customers : number of customers (rows), at least 1.
    treat_share : probability that a customer is assigned to the contact (0–1); the
        assignment is a Bernoulli draw per customer, independent of everything else.
    seed : seed of numpy's default generator; the same seed gives the same frame.

    See the module docstring for the columns and the model.
    """
    if isinstance(n_customers, bool) or not isinstance(n_customers, (int, np.integer)) \
            or n_customers < 1:
        raise ValueError(f"simulate_campaign: n_customers must be a positive integer, "
                         f"got {n_customers!r}")
    if not 0.0 <= float(treat_share) <= 1.0:
        raise ValueError(f"simulate_campaign: treat_share must lie in [0, 1], "
                         f"got {treat_share!r}")
    rng = np.random.default_rng(seed)
    n = int(n_customers)

    income = np.exp(rng.normal(np.log(50.0), 0.5, n))
    tenure = rng.gamma(2.0, 2.0, n)
    share = rng.beta(2.0 + 0.3 * tenure, 4.0)
    frequency = rng.poisson(1.0 + 10.0 * share * (income / 50.0) ** 0.3)
    recency = np.clip(np.ceil(rng.exponential(365.0 / (frequency + 1.0))), 1, 730)
    monetary = np.exp(rng.normal(np.log(40.0) + 0.5 * np.log(income / 50.0), 0.4))
    frame = pd.DataFrame({
        "customer_id": np.arange(1, n + 1),
        "income": income.round(2),
        "tenure_years": tenure.round(2),
        "share_of_wallet": share.round(4),
        "recency_days": recency.astype(np.int64),
        "frequency": frequency.astype(np.int64),
        "monetary": monetary.round(2),
    })

    x = campaign_terms(frame).to_numpy()
    beta = np.array([BASE_COEF[t] for t in TERMS])
    gamma = np.array([EFFECT_COEF[t] for t in TERMS])
    p_control = _expit(x @ beta)
    p_treated = _expit(x @ (beta + gamma))
    treated = rng.random(n) < treat_share
    u = rng.random(n)
    y0, y1 = u < p_control, u < p_treated
    type_code = np.select([~y0 & y1, y0 & y1, ~y0 & ~y1], [0, 1, 2], default=3)
    response = np.where(treated, y1, y0)
    spend_shape = 4.0
    spend = np.where(response, rng.gamma(spend_shape, monetary / spend_shape), 0.0)

    frame["treated"] = treated.astype(np.int64)
    frame["p_control"] = p_control
    frame["p_treated"] = p_treated
    frame["uplift"] = p_treated - p_control
    frame["customer_type"] = pd.Categorical.from_codes(type_code, categories=CUSTOMER_TYPES)
    frame["response"] = response.astype(np.int64)
    frame["spend"] = spend.round(2)

    counts = np.bincount(type_code, minlength=4) / n
    truth = CampaignTruth(
        n_customers=n,
        treat_share=float(treat_share),
        seed=seed,
        base_coef=dict(BASE_COEF),
        effect_coef=dict(EFFECT_COEF),
        spend_shape=spend_shape,
        type_shares={t: float(s) for t, s in zip(CUSTOMER_TYPES, counts)},
        mean_uplift=float(frame["uplift"].mean()),
    )
    return frame, truth
