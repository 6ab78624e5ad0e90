"""A retailer's sales and a two-wave promotion with a planted hidden interaction.

Three tables, as a data warehouse would hold them:

``customers`` — one row per customer

================  ===========================================================
customer_id       ``C0000001`` … (as in the other generators)
region            Seoul, Busan, Incheon, Daegu (Seoul a quarter of customers)
segment           ``single`` or ``family`` household (half each)
age               years, uniform on 20–69
customer_type     TRUE behaviour type (``frequent_small``, ``big_ticket``,
                  ``occasional``): unobservable, used to judge clustering
================  ===========================================================

``transactions`` — purchases over ``years`` calendar years ending ``end``

================  ===========================================================
customer_id, date purchase day
category          grocery, fashion, electronics, beauty
amount            currency units (Gamma distributed, mean by customer type)
================  ===========================================================

``contacts`` — the promotion: every customer is contacted once in the spring wave
(the last 15 April on or before ``end``) and once in the autumn wave (the last 15 October)

================  ===========================================================
customer_id       the customer contacted
season            ``spring`` or ``autumn``
date              the wave's contact day
channel           ``store`` or ``online`` (random, half each, per contact)
coupon            ``paper`` or ``mobile``; mobile coupons go mostly to Seoul
responded         1 if the customer redeemed the coupon
p_response        TRUE response probability (unobservable)
================  ===========================================================

Response model (truth)::

    p = base[region] + delta * (parity - 1/2) - coupon_effect * [coupon = mobile]
    parity = [segment = single] XOR [channel = online] XOR [season = spring]

The parity term is a pure three-way interaction: with the three factors independent
and balanced, every one-way and every two-way table of response rates over them is
flat (each cell averages the parity over the third factor, which is 1/2). Only the
eight three-way cells show it. The mobile coupon lowers response *within every region*,
but mobile coupons go mostly to Seoul, where response is high, so overall the mobile
coupon looks better: Simpson's paradox, planted on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crm_analysis.data.synthetic._common import check_count, check_probability, customer_ids

REGIONS = ("Seoul", "Busan", "Incheon", "Daegu")
CATEGORIES = ("grocery", "fashion", "electronics", "beauty")
TYPES = ("frequent_small", "big_ticket", "occasional")
PLANTED_FACTORS = ("segment", "channel", "season")
TRUTH_COLUMNS = ("p_response", "customer_type")


@dataclass(frozen=True)
class PromotionTruth:
    """The parameters that generated the data (probabilities as shares)."""

    base: dict = field(default_factory=dict)  # response probability by region at parity 1/2
    delta: float = 0.0  # response difference between parity 1 and parity 0 cells
    coupon_effect: float = 0.0  # drop in response probability with a mobile coupon
    mobile_share: dict = field(default_factory=dict)  # P(mobile coupon) by region
    purchases_per_year: dict = field(default_factory=dict)  # by customer type
    mean_amount: dict = field(default_factory=dict)  # currency units per purchase, by type
    type_shares: dict = field(default_factory=dict)
    planted_rule: str = ""

    def parity(self, segment, channel, season) -> np.ndarray:
        """1 where the planted interaction raises response, else 0."""
        return (np.asarray(segment) == "single") ^ (np.asarray(channel) == "online") ^ (
            np.asarray(season) == "spring")


def simulate_promotion(
    n_customers: int = 6000,
    seed: int = 12,
    end: str = "2025-12-31",
    years: int = 2,
    delta: float = 0.20,
    coupon_effect: float = 0.03,
) -> tuple[dict[str, pd.DataFrame], PromotionTruth]:
    """Simulate ``{"customers", "transactions", "contacts"}`` and the truth.

    ``delta`` and ``coupon_effect`` are probabilities (shares); ``end`` is the last day
    of the sales history and ``years`` its length in calendar years.
    """
    check_count("n_customers", n_customers, minimum=10)
    check_probability(delta=delta, coupon_effect=coupon_effect)
    rng = np.random.default_rng(seed)
    base = {"Seoul": 0.28, "Busan": 0.14, "Incheon": 0.14, "Daegu": 0.14}
    if min(base.values()) - delta / 2 - coupon_effect < 0 or max(base.values()) + delta / 2 > 1:
        raise ValueError(f"delta {delta} and coupon_effect {coupon_effect} give probabilities outside [0, 1]")
    mobile_share = {"Seoul": 0.8, "Busan": 0.2, "Incheon": 0.2, "Daegu": 0.2}
    per_year = {"frequent_small": 30.0, "big_ticket": 2.0, "occasional": 6.0}
    mean_amount = {"frequent_small": 15.0, "big_ticket": 500.0, "occasional": 60.0}
    type_shares = {"frequent_small": 0.3, "big_ticket": 0.2, "occasional": 0.5}

    ids = np.asarray(customer_ids(n_customers), dtype=object)
    region = rng.choice(np.array(REGIONS), size=n_customers, p=[0.25, 0.25, 0.25, 0.25])
    segment = rng.choice(np.array(["single", "family"]), size=n_customers)
    age = rng.integers(20, 70, size=n_customers)
    ctype = rng.choice(np.array(TYPES), size=n_customers, p=[type_shares[t] for t in TYPES])
    customers = pd.DataFrame({"customer_id": ids, "region": region, "segment": segment,
                              "age": age, "customer_type": ctype})

    end_day = pd.Timestamp(end).normalize()
    start_day = pd.Timestamp(year=end_day.year - years + 1, month=1, day=1)
    n_days = (end_day - start_day).days + 1
    rate = np.array([per_year[t] for t in ctype]) * n_days / 365.25
    counts = rng.poisson(rate)
    owner = np.repeat(np.arange(n_customers), counts)
    shape = 4.0
    amount = rng.gamma(shape, np.array([mean_amount[t] for t in ctype])[owner] / shape)
    transactions = pd.DataFrame({
        "customer_id": ids[owner],
        "date": start_day + pd.to_timedelta(rng.integers(0, n_days, size=owner.size), unit="D"),
        "category": rng.choice(np.array(CATEGORIES), size=owner.size, p=[0.4, 0.25, 0.15, 0.2]),
        "amount": np.round(amount, 2),
    }).sort_values(["date", "customer_id"], kind="stable", ignore_index=True)

    season = np.tile(np.array(["spring", "autumn"]), n_customers)
    who = np.repeat(np.arange(n_customers), 2)
    channel = rng.choice(np.array(["store", "online"]), size=who.size)
    p_mobile = np.array([mobile_share[r] for r in region])[who]
    coupon = np.where(rng.random(who.size) < p_mobile, "mobile", "paper")
    truth = PromotionTruth(
        base=base, delta=delta, coupon_effect=coupon_effect, mobile_share=mobile_share,
        purchases_per_year=per_year, mean_amount=mean_amount, type_shares=type_shares,
        planted_rule=("response is higher by delta where an odd number of these hold: "
                      "segment is single, channel is online, season is spring"),
    )
    parity = truth.parity(segment[who], channel, season)
    p = (np.array([base[r] for r in region])[who] + delta * (parity - 0.5)
         - coupon_effect * (coupon == "mobile"))
    waves = {name: max(d for d in (pd.Timestamp(year=y, month=m, day=15)
                                   for y in (end_day.year - 1, end_day.year)) if d <= end_day)
             for name, m in (("spring", 4), ("autumn", 10))}
    contacts = pd.DataFrame({
        "customer_id": ids[who], "season": season, "date": pd.Series(season).map(waves).to_numpy(),
        "channel": channel, "coupon": coupon,
        "responded": (rng.random(who.size) < p).astype("int64"), "p_response": p,
    })
    return {"customers": customers, "transactions": transactions, "contacts": contacts}, truth
