"""A synthetic CRM world with known truth.

Every generator is seeded, vectorized numpy, and returns ``(data, truth)``:
the simulated data and a frozen dataclass holding the true parameters that
produced it, so tests and notebooks can compare estimates with the truth.

Generators (import them from here)::

    simulate_customers          customers.py     customer master with planted defects
    simulate_transactions       transactions.py  BG/NBD or Pareto/NBD purchases + Gamma-Gamma spend
    simulate_baskets            baskets.py       catalogue + baskets with planted rules
    simulate_campaign           campaign.py      randomized campaign with true uplift
    simulate_loyalty_program    loyalty.py       self-selected program with a known effect
    simulate_insurance_portfolio insurance.py    Poisson/Gamma claims with known coefficients
    simulate_access_log         weblogs.py       Apache combined-format log with sessions
    simulate_lifetimes          churn.py         Weibull customer lifetimes with censoring
    simulate_retention_campaign churn.py         randomized retention offer with true save effects
    simulate_contact_history    churn.py         complaints, response times and churn (4R)
    simulate_recency_chain      recency_chain.py purchases driven by a known recency-state Markov chain
    simulate_member_base        member_base.py   members with true classes, purchases, defects, loyalty cards
    simulate_dell_accounts      cases.py         B2B accounts in tiers with known tier lifts
    simulate_club_purchases     cases.py         club replacement times (Weibull) and accessories
    simulate_promotion          promotion.py     sales + promotion with a hidden 3-way interaction
    simulate_opportunities      opportunities.py discrete-opportunity (BG/BB) customers, e.g. yearly donors
    simulate_covariate_customers covariate_customers.py BG/NBD customers with covariate effects
    simulate_covariate_pareto_customers covariate_customers.py Pareto/NBD customers with covariate effects
"""

from importlib import import_module

_GENERATORS = {
    "simulate_customers": "customers",
    "simulate_transactions": "transactions",
    "simulate_baskets": "baskets",
    "simulate_campaign": "campaign",
    "simulate_loyalty_program": "loyalty",
    "simulate_insurance_portfolio": "insurance",
    "simulate_access_log": "weblogs",
    "simulate_lifetimes": "churn",
    "simulate_retention_campaign": "churn",
    "simulate_contact_history": "churn",
    "simulate_recency_chain": "recency_chain",
    "simulate_member_base": "member_base",
    "simulate_dell_accounts": "cases",
    "simulate_club_purchases": "cases",
    "simulate_promotion": "promotion",
    "simulate_opportunities": "opportunities",
    "simulate_covariate_customers": "covariate_customers",
    "simulate_covariate_pareto_customers": "covariate_customers",
}

__all__ = sorted(_GENERATORS)


def __getattr__(name):
    # Lazy: importing one generator does not import (or require) the others.
    if name in _GENERATORS:
        return getattr(import_module(f"{__name__}.{_GENERATORS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return __all__
