"""Synthetic worlds for the Dell and ChipShotGolf cases (notebook 13).

:func:`simulate_dell_accounts` — B2B accounts observed for several yearly periods::

    account_id, period (1 …), tier (at the period's start: All, Registered, Contracted,
    Platinum), registered, contracted, platinum (status flags at the start), spend
    (currency units bought in the period)

Each account has a permanent spend level ``base`` (log-normal). Spend in a period is
``base × shock × (1 + lift[tier])`` with a log-normal shock (sd ``shock_sd``) and the
TRUE tier lift ``lift`` (the benefits of a tier make its customers buy more). Upgrades
are exogenous outreach: between periods an unregistered account registers with
probability ``p_register``, a registered one signs a contract with ``p_contract``, and a
contracted account whose base spend is at least ``platinum_base`` is invited to the
Platinum council with ``p_platinum``; contracts lapse with ``p_lapse`` (the account falls
back to Registered, and out of Platinum). Because moves do not depend on the period's
shock, comparing movers' and stayers' spend growth estimates the tier lift without bias.

Feedback (the Dell loop): ``feedback`` has one row per item an account sent in a period
(``account_id, period, tier, category``); items per account and period are Poisson with
mean ``feedback_rate[tier]``, categories drawn with ``category_shares``.

:func:`simulate_club_purchases` — ChipShotGolf customers: each buys a club in a month
uniform over the first ``entry_months`` of a ``study_months`` window and replaces it
after a TRUE Weibull time (``shape``, ``scale_months``), optionally multiplied by a
gamma frailty with mean 1 and shape ``heterogeneity`` (customers differ in how fast they
wear clubs out; the mixture is Burr XII), and again after each replacement. Replacements
after the window are censored.
Accessories follow each club purchase as a Poisson process whose rate decays
exponentially (mean ``accessory_rate`` per month at purchase, half-life
``accessory_half_life`` months).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crm_analysis.data.synthetic._common import check_count, check_positive, check_probability

TIERS = ("All", "Registered", "Contracted", "Platinum")
FEEDBACK = ("product idea", "service complaint", "delivery complaint", "feature request")


@dataclass(frozen=True)
class DellTruth:
    """The parameters of :func:`simulate_dell_accounts` (lifts are shares of spend)."""

    lift: dict = field(default_factory=dict)
    base_median: float = 0.0
    base_sd: float = 0.0
    shock_sd: float = 0.0
    platinum_base: float = 0.0
    feedback_rate: dict = field(default_factory=dict)
    category_shares: dict = field(default_factory=dict)

    def log_lift(self, lower: str, upper: str) -> float:
        """TRUE log spend ratio of being in ``upper`` rather than ``lower``."""
        return float(np.log((1 + self.lift[upper]) / (1 + self.lift[lower])))

    def upgrade_effects(self) -> pd.DataFrame:
        """The TRUE effects of moving up each boundary, in the shape of
        :func:`crm_analysis.cases.upgrade_effects` (no sampling error)."""
        from crm_analysis.estimates import estimate_table

        names = [f"{a} → {b}" for a, b in zip(TIERS[:-1], TIERS[1:])]
        values = [self.log_lift(*n.split(" → ")) for n in names]
        return estimate_table(values, [0.0] * len(values), index=names)


def simulate_dell_accounts(
    n_accounts: int = 4000,
    n_periods: int = 4,
    seed: int = 13,
    lift: dict | None = None,
    base_median: float = 20000.0,
    base_sd: float = 1.2,
    shock_sd: float = 0.3,
    p_register: float = 0.25,
    p_contract: float = 0.15,
    p_platinum: float = 0.3,
    p_lapse: float = 0.08,
    platinum_base: float = 60000.0,
) -> tuple[dict[str, pd.DataFrame], DellTruth]:
    """Simulate ``{"accounts": panel, "feedback": items}`` and the truth (see module doc)."""
    check_count("n_accounts", n_accounts, minimum=10)
    check_count("n_periods", n_periods, minimum=2)
    check_positive(base_median=base_median, base_sd=base_sd, shock_sd=shock_sd)
    check_probability(p_register=p_register, p_contract=p_contract, p_platinum=p_platinum,
                      p_lapse=p_lapse)
    lift = dict(lift or {"All": 0.0, "Registered": 0.05, "Contracted": 0.15, "Platinum": 0.30})
    rng = np.random.default_rng(seed)
    base = base_median * np.exp(base_sd * rng.standard_normal(n_accounts))
    registered = rng.random(n_accounts) < 0.4
    contracted = registered & (rng.random(n_accounts) < 0.3)
    platinum = contracted & (base >= platinum_base) & (rng.random(n_accounts) < 0.3)
    lift_by_code = np.array([lift[t] for t in TIERS])
    rows = []
    for period in range(1, n_periods + 1):
        code = registered.astype(int) + contracted + platinum
        spend = base * np.exp(shock_sd * rng.standard_normal(n_accounts) - shock_sd**2 / 2)
        spend *= 1 + lift_by_code[code]
        rows.append(pd.DataFrame({"account_id": np.arange(1, n_accounts + 1), "period": period,
                                  "tier": np.array(TIERS)[code], "registered": registered,
                                  "contracted": contracted, "platinum": platinum,
                                  "spend": np.round(spend, 2)}))
        lapse = contracted & (rng.random(n_accounts) < p_lapse)
        new_platinum = contracted & ~lapse & ~platinum & (base >= platinum_base) & (
            rng.random(n_accounts) < p_platinum)
        new_contract = registered & ~contracted & (rng.random(n_accounts) < p_contract)
        new_register = ~registered & (rng.random(n_accounts) < p_register)
        platinum = (platinum & ~lapse) | new_platinum
        contracted = (contracted & ~lapse) | new_contract
        registered = registered | new_register
    accounts = pd.concat(rows, ignore_index=True)
    feedback_rate = {"All": 0.05, "Registered": 0.2, "Contracted": 0.6, "Platinum": 3.0}
    shares = {"product idea": 0.25, "service complaint": 0.3, "delivery complaint": 0.3,
              "feature request": 0.15}
    counts = rng.poisson(accounts["tier"].map(feedback_rate).to_numpy())
    items = accounts.loc[np.repeat(accounts.index, counts), ["account_id", "period", "tier"]]
    items = items.assign(category=rng.choice(np.array(FEEDBACK), size=len(items),
                                             p=[shares[c] for c in FEEDBACK])).reset_index(drop=True)
    truth = DellTruth(lift=lift, base_median=base_median, base_sd=base_sd, shock_sd=shock_sd,
                      platinum_base=platinum_base, feedback_rate=feedback_rate,
                      category_shares=shares)
    return {"accounts": accounts, "feedback": items}, truth


@dataclass(frozen=True)
class ClubTruth:
    """The parameters of :func:`simulate_club_purchases` (times in months)."""

    shape: float = 0.0
    scale_months: float = 0.0
    heterogeneity: float | None = None
    accessory_rate: float = 0.0
    accessory_half_life: float = 0.0

    def survival(self, months) -> np.ndarray:
        """TRUE share of customers who have not yet replaced their club ``months`` after buying.

        With heterogeneity the time is W·V, V ~ Gamma(h, 1/h); the expectation over V is
        taken by generalized Gauss–Laguerre quadrature (80 nodes).
        """
        t = np.asarray(months, dtype="float64")
        if self.heterogeneity is None:
            return np.exp(-((t / self.scale_months) ** self.shape))
        from scipy import special

        h = self.heterogeneity
        x, w = special.roots_genlaguerre(80, h - 1)
        w = w / special.gamma(h)
        v = (x / h)[:, None]
        inner = np.exp(-((t.ravel()[None, :] / (self.scale_months * v)) ** self.shape))
        return (w[:, None] * inner).sum(axis=0).reshape(t.shape)


def simulate_club_purchases(
    n_customers: int = 3000,
    seed: int = 13,
    shape: float = 2.2,
    scale_months: float = 30.0,
    heterogeneity: float | None = None,
    entry_months: int = 36,
    study_months: int = 60,
    start: str = "2021-01-01",
    club_price: float = 700.0,
    accessory_rate: float = 0.6,
    accessory_half_life: float = 1.5,
) -> tuple[pd.DataFrame, ClubTruth]:
    """Simulate club and accessory purchases (one row per purchase) and the truth.

    Columns: ``customer_id``, ``date`` (purchase day), ``category`` (``club`` or
    ``accessory``), ``amount`` (currency). Every club bought inside the window is
    recorded (each replacement starts a new cycle with a new Weibull time; a customer's
    frailty stays the same), with the accessories bought after each.
    """
    check_count("n_customers", n_customers, minimum=10)
    check_positive(shape=shape, scale_months=scale_months, club_price=club_price,
                   accessory_rate=accessory_rate, accessory_half_life=accessory_half_life)
    if heterogeneity is not None:
        check_positive(heterogeneity=heterogeneity)
    if not 0 < entry_months < study_months:
        raise ValueError(f"entry_months must be in (0, study_months); got {entry_months}")
    rng = np.random.default_rng(seed)
    first = rng.uniform(0, entry_months, n_customers)
    ids = np.array([f"G{i:06d}" for i in range(1, n_customers + 1)])
    frailty = (rng.gamma(heterogeneity, 1 / heterogeneity, n_customers) if heterogeneity is not None
               else np.ones(n_customers))
    clubs = [(ids, first)]
    who, when = np.arange(n_customers), first
    while who.size:  # each replacement starts the next cycle (a renewal process)
        when = when + scale_months * rng.weibull(shape, who.size) * frailty[who]
        inside = when < study_months
        who, when = who[inside], when[inside]
        if who.size:
            clubs.append((ids[who], when))
    rows = []
    decay = np.log(2) / accessory_half_life
    for who, when in clubs:
        rows.append(pd.DataFrame({"customer_id": who, "month": when, "category": "club",
                                  "amount": club_price}))
        # Poisson process with rate accessory_rate·exp(-decay·m): total mean accessory_rate/decay
        counts = rng.poisson(accessory_rate / decay, size=len(who))
        owner = np.repeat(np.arange(len(who)), counts)
        after = rng.exponential(1 / decay, size=owner.size)
        at = when[owner] + after
        keep = at < study_months
        rows.append(pd.DataFrame({"customer_id": who[owner][keep], "month": at[keep],
                                  "category": "accessory",
                                  "amount": np.round(rng.gamma(3.0, 20.0, keep.sum()), 2)}))
    frame = pd.concat(rows, ignore_index=True)
    days = np.floor(frame.pop("month").to_numpy() * 30.4375).astype("int64")
    frame.insert(1, "date", pd.Timestamp(start) + pd.to_timedelta(days, unit="D"))
    frame = frame.sort_values(["date", "customer_id", "category"], ignore_index=True, kind="stable")
    truth = ClubTruth(shape=shape, scale_months=scale_months, heterogeneity=heterogeneity,
                      accessory_rate=accessory_rate, accessory_half_life=accessory_half_life)
    return frame, truth
