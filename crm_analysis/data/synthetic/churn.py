"""Synthetic churn worlds with known truth: Weibull lifetimes, a randomized retention
offer with a true per-customer save effect, and a complaint contact history with a known
effect of response time on churn.

All generators are seeded and vectorized; durations are in months unless stated.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import integrate, special


@dataclass(frozen=True)
class LifetimesTruth:
    """Weibull AFT truth: log T = intercept + coef·x + sigma·W (W standard extreme value).
    ``shape`` = 1/sigma; ``time_ratio`` = exp(coef) for the 0/1 covariate ``x``."""

    intercept: float
    coef: float
    sigma: float
    censor_time: float

    @property
    def shape(self) -> float:
        return 1.0 / self.sigma

    def survival(self, t, x=0) -> np.ndarray:
        """True S(t | x)."""
        z = (np.log(np.asarray(t, dtype=float)) - self.intercept - self.coef * x) / self.sigma
        return np.exp(-np.exp(z))

    def rmst(self, horizon: float, x=0, steps: int = 20000) -> float:
        """True restricted mean lifetime up to ``horizon`` (numerical integral)."""
        grid = np.linspace(0, horizon, steps + 1)[1:]
        s = np.concatenate([[1.0], self.survival(grid, x)])
        return float(integrate.trapezoid(s, dx=horizon / steps))

    @property
    def cox_coef(self) -> float:
        """The implied Cox log hazard ratio of x: −coef / sigma (a Weibull AFT is also PH)."""
        return -self.coef / self.sigma


def simulate_lifetimes(n_customers: int = 500, *, intercept: float = 3.0, coef: float = 0.5,
                       sigma: float = 0.8, censor_time: float = 36.0, dropout_rate: float = 0.01,
                       n_sims: int | None = None, seed: int = 0):
    """Customer lifetimes (months) from a Weibull AFT with one 0/1 covariate ``x`` (half the
    customers), censored at ``censor_time`` (end of data) and by random dropout
    (exponential, ``dropout_rate`` per month).

    Returns ``(frame, truth)``; ``frame`` has ``duration``, ``churned``, ``x``, and with
    ``n_sims`` a ``sim`` column (0 … n_sims−1) stacking independent data sets.
    """
    rng = np.random.default_rng(seed)
    reps = 1 if n_sims is None else int(n_sims)
    n = n_customers * reps
    x = np.tile((np.arange(n_customers) % 2).astype(float), reps)
    w = np.log(rng.exponential(size=n))  # standard minimum extreme value
    life = np.exp(intercept + coef * x + sigma * w)
    cens = np.minimum(censor_time, rng.exponential(1 / dropout_rate, size=n) if dropout_rate > 0
                      else np.full(n, censor_time))
    frame = pd.DataFrame({"duration": np.minimum(life, cens), "churned": (life <= cens).astype(int),
                          "x": x})
    if n_sims is not None:
        frame.insert(0, "sim", np.repeat(np.arange(reps), n_customers))
    return frame, LifetimesTruth(intercept, coef, sigma, censor_time)


@dataclass(frozen=True)
class RetentionTruth:
    """Truth of the retention campaign: per-customer columns in the frame
    (``p_churn_control``, ``p_churn_treated``, ``save_effect``) and the averages."""

    mean_churn_control: float
    mean_save_effect: float
    value_horizon_months: int
    margin_rate: float


RETENTION_FEATURES = ("tenure_months", "monthly_charges", "month_to_month", "support_calls",
                      "competitor_offer")
RETENTION_TRUTH = ("p_churn_control", "p_churn_treated", "save_effect", "customer_type")


def simulate_retention_campaign(n_customers: int = 20000, *, treat_share: float = 0.5,
                                margin_rate: float = 0.6, value_horizon_months: int = 12,
                                seed: int = 0):
    """A randomized retention offer (half the customers get it) and churn in the next
    quarter.

    Churn risk rises with month-to-month contracts, support calls and a competitor's offer,
    and falls with tenure. The offer lowers the churn log-odds by
    1.6 × month_to_month × (1 − competitor_offer) × exp(−0.35 × support_calls): it keeps
    month-to-month customers who are not being poached and not deeply unhappy. So the
    riskiest customers (a competitor's offer, many calls) are mostly **lost causes** and
    long-contract customers are **sure stayers**; the savable ones sit in between.

    ``value`` is the margin a retained customer brings over the next
    ``value_horizon_months`` (monthly charges × margin rate × months, currency).
    """
    rng = np.random.default_rng(seed)
    n = n_customers
    tenure = np.round(rng.gamma(1.5, 14.0, n), 0) + 1
    charges = np.round(rng.uniform(20, 115, n), 2)
    mtm = rng.binomial(1, 0.55, n)
    calls = rng.poisson(1.2, n)
    competitor = rng.binomial(1, 0.15, n)
    logit = (-2.2 + 1.4 * mtm - 0.025 * tenure + 0.30 * calls + 2.6 * competitor
             + 0.012 * (charges - 60))
    delta = 1.6 * mtm * (1 - competitor) * np.exp(-0.35 * calls)
    p_c, p_t = special.expit(logit), special.expit(logit - delta)
    treated = rng.binomial(1, treat_share, n)
    churned = rng.binomial(1, np.where(treated == 1, p_t, p_c))
    effect = p_c - p_t
    kind = np.select([effect >= 0.05, p_c >= 0.5, p_c < 0.15], ["persuadable", "lost cause", "sure stayer"],
                     "low effect")
    frame = pd.DataFrame({
        "customer_id": [f"R{i:06d}" for i in range(1, n + 1)],
        "tenure_months": tenure, "monthly_charges": charges, "month_to_month": mtm,
        "support_calls": calls, "competitor_offer": competitor,
        "value": charges * margin_rate * value_horizon_months,
        "treated": treated, "churned": churned,
        "p_churn_control": p_c, "p_churn_treated": p_t, "save_effect": effect, "customer_type": kind,
    })
    return frame, RetentionTruth(float(p_c.mean()), float(effect.mean()), value_horizon_months, margin_rate)


@dataclass(frozen=True)
class ContactTruth:
    """Truth of the contact-history world: the Cox log hazard ratios."""

    log_hr_response_day: float   # per day of mean response time to the customer's complaints
    log_hr_severity: float       # per point of complaint severity (0–3), the confounder
    log_hr_complained: float     # having complained at all
    log_hr_premium: float        # premium plan vs basic
    weibull_shape: float
    weibull_scale: float         # months

    @property
    def hr_response_day(self) -> float:
        return float(np.exp(self.log_hr_response_day))


def simulate_contact_history(n_customers: int = 4000, *, log_hr_response_day: float = 0.25,
                             follow_up_months: float = 24.0, seed: int = 0):
    """Customers, their complaints in the first 30 days (the contact history, 4R's
    repository) and their churn afterwards.

    Each customer has a plan (basic/premium) and an issue severity (0–3, not recorded in
    the contact history: a confounder). Complaints ~ Poisson(0.3 + 0.5 × severity) in the
    first 30 days; each gets a response time in hours, longer for severe issues, and is
    resolved or not. Tenure is counted in months from day 30, churn follows a Weibull
    proportional-hazards model with log hazard ratio ``log_hr_response_day`` per day of the
    customer's mean response time, plus severity, complaining, and plan; follow-up ends at
    ``follow_up_months`` or earlier for customers who joined later.

    Returns ``({"customers": frame, "contacts": frame}, truth)``. ``customers`` holds
    ``customer_id``, ``plan``, ``age_band``, ``tenure`` (months), ``churned`` and the truth
    column ``severity`` (tenure is rounded up to quarter months, as billing systems record
    it); ``contacts`` holds ``customer_id``, ``day`` (1–30), ``channel``,
    ``response_hours``, ``resolved``.
    """
    rng = np.random.default_rng(seed)
    n = n_customers
    ids = np.array([f"K{i:06d}" for i in range(1, n + 1)])
    plan = np.where(rng.random(n) < 0.35, "premium", "basic")
    age_band = rng.choice(["18-34", "35-54", "55+"], size=n, p=[0.35, 0.45, 0.20])
    severity = rng.choice(4, size=n, p=[0.45, 0.30, 0.17, 0.08])
    n_complaints = rng.poisson(0.3 + 0.5 * severity)
    owner = np.repeat(np.arange(n), n_complaints)
    sev_c = severity[owner]
    prem_c = plan[owner] == "premium"
    # response hours: log-normal, slower for severe issues, faster for premium customers
    hours = np.exp(rng.normal(np.log(10) + 0.45 * sev_c - 0.4 * prem_c, 0.8))
    resolved = rng.random(owner.size) < np.clip(0.9 - 0.12 * sev_c, 0.2, 1)
    contacts = pd.DataFrame({
        "customer_id": ids[owner],
        "day": rng.integers(1, 31, owner.size),
        "channel": rng.choice(["phone", "email", "chat"], size=owner.size, p=[0.5, 0.3, 0.2]),
        "priority": sev_c,
        "response_hours": np.round(hours, 1),
        "resolved": resolved.astype(int),
    }).sort_values(["customer_id", "day"], kind="stable").reset_index(drop=True)
    mean_days = np.zeros(n)
    np.add.at(mean_days, owner, hours / 24.0)
    mean_days = np.divide(mean_days, n_complaints, out=np.zeros(n), where=n_complaints > 0)
    truth = ContactTruth(log_hr_response_day, 0.35, 0.20, -0.40, 1.1, 30.0)
    lp = (log_hr_response_day * mean_days + truth.log_hr_severity * severity
          + truth.log_hr_complained * (n_complaints > 0) + truth.log_hr_premium * (plan == "premium"))
    # Weibull PH: S(t) = exp(-(t/scale)^k · e^lp)
    u = rng.random(n)
    life = truth.weibull_scale * (-np.log(u) * np.exp(-lp)) ** (1 / truth.weibull_shape)
    window = rng.uniform(6.0, follow_up_months, n)
    customers = pd.DataFrame({
        "customer_id": ids, "plan": plan, "age_band": age_band,
        "tenure": np.ceil(np.minimum(life, window) * 4) / 4, "churned": (life <= window).astype(int),
        "severity": severity,
    })
    return {"customers": customers, "contacts": contacts}, truth
