"""The member waterfall (slide 27): from registered members to meaningful current customers.

Each step removes members by one stated, parameterised rule on the data, applied to
those left by the previous steps, so the steps add up to the registered count:

1. **duplicates** (중복 고객): records beyond the first of each person (the clusters
   of the record linkage);
2. **prize hunters** (경품 때문에 가입한 고객): registered through a promotion channel
   (``promo_channels``) and never bought more than ``promo_grace_days`` after registering;
3. **trial sign-ups** (시험 사용하기 위해 가입한 고객): at most ``trial_max_purchases``
   purchases in all;
4. **lapsed / gone to competitors** (경쟁사로 이탈한 고객): no purchase in the last
   ``lapse_days`` days before ``as_of``;
5. **sub-site users** (당 사이트를 Sub site로 활용하는 고객): our share of their
   category spend (``share_of_wallet``) below ``min_share_of_wallet`` (skipped when the
   data has no share of wallet);
6. **no purchasing power** (구매력이 없는 고객): average spend per month over the last
   year (or since registering, if later) below ``min_monthly_spend`` (currency per month);
7. what is left: **meaningful current customers** (현재 의미있는 실질 고객).

Purchases are transactions with a positive amount on or before ``as_of``; a person's
registration is the earliest valid registration date of its records.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..common import require_columns

#: Waterfall steps: (key, label, Korean term of slide 27).
STEPS = (
    ("registered", "registered members", "누적 (가입/등록) 고객"),
    ("duplicate", "duplicate registrations", "중복 고객"),
    ("prize_hunter", "prize hunters", "경품 때문에 가입한 고객"),
    ("trial_only", "trial sign-ups", "시험 사용하기 위해 가입한 고객"),
    ("lapsed", "lapsed (gone to competitors)", "경쟁사로 이탈한 고객"),
    ("sub_site", "sub-site users (low share of wallet)", "당 사이트를 Sub site로 활용하는 고객"),
    ("no_power", "no purchasing power", "구매력이 없는 고객"),
    ("meaningful", "meaningful current customers", "현재 의미있는 실질 고객"),
)


@dataclass
class Waterfall:
    """Result of :func:`member_waterfall`.

    ``steps``: one row per step: ``step``, ``label``, ``korean``, ``rule`` (in words),
    ``members`` (records removed by the step; the first row is all registered records and
    the last the meaningful customers left), ``remaining`` (after the step) and
    ``share`` (members ÷ registered). ``persons``: one row per person (cluster) with its
    aggregates and ``member_class`` (the step that removed it, or ``meaningful``).
    """

    steps: pd.DataFrame
    persons: pd.DataFrame

    @property
    def registered(self) -> int:
        return int(self.steps["members"].iloc[0])

    @property
    def meaningful(self) -> int:
        return int(self.steps["members"].iloc[-1])

    @property
    def meaningful_share(self) -> float:
        """Meaningful current customers ÷ registered records."""
        return self.meaningful / self.registered if self.registered else float("nan")


def member_waterfall(
    customers: pd.DataFrame,
    transactions: pd.DataFrame,
    clusters: pd.Series | None = None,
    *,
    as_of: str | pd.Timestamp,
    promo_channels: tuple = ("event",),
    promo_grace_days: int = 30,
    trial_max_purchases: int = 1,
    lapse_days: int = 120,
    min_share_of_wallet: float = 0.1,
    min_monthly_spend: float = 40.0,
    min_date: str = "1990-01-01",
) -> Waterfall:
    """Count registered members down to meaningful current customers.

    ``customers``: ``customer_id``, and when present ``registration_date`` (or
    ``signup_date``; without it the prize-hunter grace and the first year are not known),
    ``channel`` and ``share_of_wallet``; ``transactions``: ``customer_id``,
    ``date``, ``amount``; ``clusters``: person number per customer id (from the record
    linkage); without it every record is its own person (no duplicate step).
    """
    require_columns(customers, ["customer_id"], what="customers")
    require_columns(transactions, ["customer_id", "date", "amount"], what="transactions")
    reg_col = "registration_date" if "registration_date" in customers else "signup_date"
    if lapse_days < 1 or promo_grace_days < 0 or trial_max_purchases < 0 or min_monthly_spend < 0:
        raise ValueError("member_waterfall: lapse_days must be >= 1 and promo_grace_days, trial_max_purchases, "
                         "min_monthly_spend >= 0")
    as_of_ts = pd.Timestamp(as_of).normalize()
    ids = customers["customer_id"].astype("str")
    if clusters is None:
        person = pd.Series(np.arange(len(customers)), index=ids.to_numpy())
    else:
        person = clusters.astype("int64")
        person.index = person.index.astype("str")
        missing = ~ids.isin(person.index)
        if missing.any():
            raise ValueError(f"member_waterfall: clusters lack customer ids {ids[missing].head(5).tolist()} "
                             "(rows " + str(np.flatnonzero(missing.to_numpy())[:5].tolist()) + ")")
    pid = person.reindex(ids.to_numpy()).to_numpy()
    reg = (pd.to_datetime(customers[reg_col], errors="coerce").dt.normalize() if reg_col in customers
           else pd.Series(pd.NaT, index=customers.index, dtype="datetime64[ns]"))
    reg = reg.where(reg >= pd.Timestamp(min_date))
    frame = pd.DataFrame({"person": pid, "registered": reg.to_numpy()})
    if "channel" in customers:
        frame["promo"] = customers["channel"].astype("str").str.strip().str.lower().isin(
            [str(c).lower() for c in promo_channels]).to_numpy()
    else:
        frame["promo"] = False
    has_sow = "share_of_wallet" in customers
    frame["sow"] = pd.to_numeric(customers["share_of_wallet"], errors="coerce").to_numpy() if has_sow else np.nan
    persons = frame.groupby("person").agg(registered=("registered", "min"), promo=("promo", "any"),
                                          share_of_wallet=("sow", "mean"), records=("person", "size"))

    t = transactions
    when = pd.to_datetime(t["date"], errors="coerce").dt.normalize()
    amount = pd.to_numeric(t["amount"], errors="coerce")
    keep = t["customer_id"].astype("str").isin(person.index) & (amount > 0) & (when <= as_of_ts)
    tx = pd.DataFrame({"person": person.reindex(t.loc[keep, "customer_id"].astype("str").to_numpy()).to_numpy(),
                       "date": when[keep].to_numpy(), "amount": amount[keep].to_numpy()})
    tx = tx.merge(persons[["registered"]], left_on="person", right_index=True, how="left")
    year_start = as_of_ts - pd.Timedelta(days=365)
    tx["after_grace"] = tx["registered"].isna() | (tx["date"] > tx["registered"] + pd.Timedelta(days=promo_grace_days))
    tx["last_year"] = np.where(tx["date"] > year_start, tx["amount"], 0.0)
    agg = tx.groupby("person").agg(purchases=("date", "size"), last_purchase=("date", "max"),
                                   after_grace=("after_grace", "sum"), spend_last_year=("last_year", "sum"))
    persons = persons.join(agg)
    persons[["purchases", "after_grace", "spend_last_year"]] = persons[
        ["purchases", "after_grace", "spend_last_year"]].fillna(0)
    start = persons["registered"].clip(lower=year_start).fillna(year_start)
    months = ((as_of_ts - start).dt.days.clip(lower=1)) / 30.4375
    persons["monthly_spend"] = persons["spend_last_year"] / months.clip(upper=365 / 30.4375)

    cls = pd.Series("meaningful", index=persons.index, dtype="object")
    left = pd.Series(True, index=persons.index)
    rules = {
        "prize_hunter": (persons["promo"] & (persons["after_grace"] == 0),
                         f"registered via {', '.join(map(str, promo_channels))} and no purchase more than "
                         f"{promo_grace_days} days after registering" if "channel" in customers
                         else "skipped: the data has no registration channel"),
        "trial_only": (persons["purchases"] <= trial_max_purchases,
                       f"at most {trial_max_purchases} purchase(s) in all"),
        "lapsed": (persons["last_purchase"] < as_of_ts - pd.Timedelta(days=lapse_days),
                   f"no purchase in the last {lapse_days} days"),
        "sub_site": (persons["share_of_wallet"] < min_share_of_wallet if has_sow else pd.Series(False, index=persons.index),
                     f"share of wallet below {min_share_of_wallet:g}" if has_sow
                     else "skipped: the data has no share of wallet"),
        "no_power": (persons["monthly_spend"] < min_monthly_spend,
                     f"spend below {min_monthly_spend:g} per month over the last year"),
    }
    removed = {}
    for key, (mask, _) in rules.items():
        hit = left & mask.fillna(False).astype(bool)
        cls[hit] = key
        removed[key] = int(hit.sum())
        left &= ~hit
    persons["member_class"] = cls
    n_records = len(customers)
    counts = {"registered": n_records, "duplicate": n_records - len(persons), **removed,
              "meaningful": int(left.sum())}
    rule_text = {"registered": "all customer records", "duplicate": "records beyond the first of each linked person",
                 **{k: v[1] for k, v in rules.items()}, "meaningful": "what is left"}
    steps = pd.DataFrame([{"step": k, "label": label, "korean": ko, "rule": rule_text[k], "members": counts[k]}
                          for k, label, ko in STEPS])
    removed_cum = steps["members"].where(~steps["step"].isin(["registered", "meaningful"]), 0).cumsum()
    steps["remaining"] = n_records - removed_cum
    steps["share"] = steps["members"] / n_records if n_records else np.nan
    return Waterfall(steps=steps, persons=persons)


def base_alternatives(waterfall: Waterfall) -> pd.Series:
    """Candidate answers to "how many customers do we have?", from the same data.

    ``registered`` (all records), ``people`` (after merging duplicates), ``buyers`` (people
    with at least one purchase), ``repeat_buyers`` (more purchases than a trial),
    ``meaningful`` (the end of the waterfall).
    """
    p = waterfall.persons
    steps = waterfall.steps.set_index("step")["members"]
    return pd.Series({
        "registered": waterfall.registered,
        "people": int(len(p)),
        "buyers": int((p["purchases"] > 0).sum()),
        "repeat_buyers": int((p["purchases"] > 1).sum()),
        "meaningful": int(steps["meaningful"]),
    })
