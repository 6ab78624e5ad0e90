"""A member base for the customer data audit: who the registered members really are.

Builds on :func:`simulate_customers` (persons, planted duplicate registrations with name,
e-mail and phone variants, prize hunters and trial-only buyers) and adds what the audit
of slide 27 needs, each with its truth:

* every person's **true member class**, one of :data:`MEMBER_CLASSES`:
  ``prize_hunter`` (registered through a prize event, never buys), ``trial_only`` (buys
  exactly once), ``lapsed`` (bought at least twice, then left for a competitor at least
  ``lapse_gap_days`` days before ``as_of``), ``sub_site`` (buys regularly but gives us a
  small share of wallet, below 0.08), ``no_power`` (buys regularly but small amounts:
  2–6 currency per purchase), ``meaningful`` (the rest: regular buyers, 50+ per purchase,
  share of wallet 0.2–0.9);
* **purchases** (``transactions``): buyers buy as a Poisson process from registration
  (1.5–3 purchases a month for ``no_power``, 2–5 for the others) until ``as_of``, or until
  their churn day for ``lapsed``; a person with a duplicate record buys under either id
  after the duplicate registered (each purchase with probability 1/2);
* **planted quality defects** in a share ``defect_rate`` of records per kind (drawn
  independently): missing e-mail, invalid e-mail (no ``@`` or no domain dot), missing
  phone, invalid phone (digits dropped), a placeholder registration date (1900-01-01),
  a stale record (``updated_at`` never moved from registration; other records were last
  updated an exponential time, mean 120 days, before ``as_of``); in transactions, a
  share ``defect_rate / 6`` of orphan rows (customer id unknown) and of zero amounts;
* a **second source**, store loyalty cards: a share ``card_share`` of the buyers hold a
  card (name re-typed in upper or lower case, phone as digits only, e-mail given by
  30 %), plus ``card_only_share`` × cards of people who never registered online; cards
  add ``birth_year`` and ``home_store``.

All dates are naive days; amounts are in currency units; ``share_of_wallet`` is our share
of the member's category spend (0–1), as a panel or survey would give it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._common import check_count, check_probability
from .customers import simulate_customers

#: True member classes, in the order of the member waterfall (slide 27).
MEMBER_CLASSES = ("prize_hunter", "trial_only", "lapsed", "sub_site", "no_power", "meaningful")
DAY = np.timedelta64(1, "D")
STORES = np.array(["Gangnam", "Jamsil", "Hongdae", "Bundang", "Haeundae", "Suwon"])


@dataclass(frozen=True, eq=False)
class MemberBaseTruth:
    """The truth behind :func:`simulate_member_base`.

    ``records``: one row per customer record: ``customer_id``, ``person_id``,
    ``is_duplicate``, ``duplicate_of``, ``member_class`` (of the person) and the planted
    defects as booleans (``email_missing``, ``email_invalid``, ``phone_missing``,
    ``phone_invalid``, ``date_placeholder``, ``stale``).
    ``cards``: ``card_id``, ``person_id`` and ``customer_id`` (the person's first record,
    missing for card-only people). ``orphan_rows`` / ``zero_amount_rows``: positions of
    the planted bad transaction rows.
    """

    n_persons: int
    as_of: pd.Timestamp
    class_shares: dict
    records: pd.DataFrame
    cards: pd.DataFrame
    orphan_rows: np.ndarray
    zero_amount_rows: np.ndarray

    @property
    def composition(self) -> pd.Series:
        """Records per waterfall step: ``duplicate`` records, then persons per class."""
        first = self.records[~self.records["is_duplicate"]]
        counts = first["member_class"].value_counts().reindex(list(MEMBER_CLASSES), fill_value=0)
        return pd.concat([pd.Series({"duplicate": int(self.records["is_duplicate"].sum())}), counts]).astype("int64")

    @property
    def duplicate_pairs(self) -> pd.DataFrame:
        """``customer_id`` of each duplicate record with ``duplicate_of``, its first record."""
        dup = self.records[self.records["is_duplicate"]]
        return dup[["customer_id", "duplicate_of"]].reset_index(drop=True)


def simulate_member_base(
    n_persons: int = 5000,
    *,
    as_of: str = "2025-12-31",
    duplicate_share: float = 0.06,
    prize_hunter_share: float = 0.08,
    trial_only_share: float = 0.12,
    lapsed_share: float = 0.15,
    sub_site_share: float = 0.08,
    no_power_share: float = 0.10,
    lapse_gap_days: int = 150,
    defect_rate: float = 0.03,
    card_share: float = 0.4,
    card_only_share: float = 0.2,
    seed: int = 0,
) -> tuple[dict[str, pd.DataFrame], MemberBaseTruth]:
    """Simulate registered members, their purchases and store loyalty cards.

    Shares are of persons (all must sum to at most 1; ``meaningful`` is the rest).
    First registrations are uniform over the year that ends a year before ``as_of`` (the
    last day of data); duplicates follow within 24 weeks. ``lapse_gap_days``: a lapsed
    member's last purchase is at least this many days before ``as_of``.

    Returns
    -------
    data : ``{"customers", "transactions", "loyalty_cards"}``.
        customers: ``customer_id, registration_date, channel, region, age_band,
        income_band, name, email, phone, share_of_wallet, updated_at``.
        transactions: ``customer_id, date, amount`` (currency), by date.
        loyalty_cards: ``card_id, name, phone, email, birth_year, home_store``.
    truth : :class:`MemberBaseTruth`.
    """
    check_count("n_persons", n_persons)
    check_probability(lapsed_share=lapsed_share, sub_site_share=sub_site_share, no_power_share=no_power_share,
                      defect_rate=defect_rate, card_share=card_share, card_only_share=card_only_share)
    shares = {"prize_hunter": prize_hunter_share, "trial_only": trial_only_share, "lapsed": lapsed_share,
              "sub_site": sub_site_share, "no_power": no_power_share}
    if sum(shares.values()) > 1:
        raise ValueError(f"the member class shares sum to {sum(shares.values()):.3f}; they must sum to at most 1")
    shares["meaningful"] = 1 - sum(shares.values())
    as_of_ts = pd.Timestamp(as_of).normalize()
    customers, ctruth = simulate_customers(
        n_persons, duplicate_share=duplicate_share, prize_hunter_share=prize_hunter_share,
        trial_only_share=trial_only_share, start=as_of_ts - pd.Timedelta(days=730),
        end=as_of_ts - pd.Timedelta(days=365), seed=seed)
    rng = np.random.default_rng([seed, 2])
    rec = ctruth.records
    person = rec["person_id"].to_numpy()
    regular = (ctruth.records.groupby("person_id")["segment"].first() == "regular").reindex(range(n_persons))
    member_class = np.where(rec.groupby("person_id")["segment"].first().reindex(range(n_persons)) == "regular",
                            "", rec.groupby("person_id")["segment"].first().reindex(range(n_persons)))
    rest = ["lapsed", "sub_site", "no_power", "meaningful"]
    p_rest = np.array([shares[c] for c in rest]) / max(1e-12, 1 - prize_hunter_share - trial_only_share)
    member_class[regular.to_numpy()] = np.array(rest)[rng.choice(4, size=int(regular.sum()), p=p_rest / p_rest.sum())]
    member_class = member_class.astype(object)

    # Prize hunters register through the event promotion (their first record).
    customers = customers.copy()
    hunter_first = (member_class[person] == "prize_hunter") & ~rec["is_duplicate"].to_numpy()
    customers.loc[hunter_first, "channel"] = "event"

    reg = customers["registration_date"].to_numpy().astype("datetime64[D]")
    first_reg = pd.Series(reg).groupby(person).min().reindex(range(n_persons)).to_numpy().astype("datetime64[D]")
    tx = _purchases(rng, member_class, first_reg, as_of_ts, lapse_gap_days)
    # Buyers with a duplicate record buy under either id after the duplicate registered.
    dup_rows = np.flatnonzero(rec["is_duplicate"].to_numpy())
    first_rows = pd.Series(np.flatnonzero(~rec["is_duplicate"].to_numpy()),
                           index=person[~rec["is_duplicate"].to_numpy()]).reindex(range(n_persons)).to_numpy()
    row_of = first_rows[tx["person"]]
    dup_of_person = pd.Series(dup_rows, index=person[dup_rows])
    dup_of_person = dup_of_person[~dup_of_person.index.duplicated()]
    has_dup = np.isin(tx["person"], dup_of_person.index)
    cand = np.where(has_dup, dup_of_person.reindex(tx["person"]).fillna(-1).to_numpy().astype(int), -1)
    use_dup = (cand >= 0) & (tx["date"] >= reg[np.maximum(cand, 0)]) & (rng.random(tx["person"].size) < 0.5)
    row_of = np.where(use_dup, cand, row_of)
    ids = customers["customer_id"].to_numpy()
    transactions = pd.DataFrame({"customer_id": pd.array(ids[row_of], dtype="str"),
                                 "date": tx["date"].astype("datetime64[s]"), "amount": tx["amount"]})

    # Share of wallet per person (copied to all its records) and the last update day.
    sow = np.where(member_class == "sub_site", rng.uniform(0.01, 0.08, n_persons),
                   0.2 + 0.7 * rng.beta(2, 2, n_persons))
    customers["share_of_wallet"] = np.round(sow[person], 3)
    # Records are updated now and then: the last update is about 120 days (exponential) before as_of.
    last = as_of_ts.to_datetime64().astype("datetime64[D]") - np.floor(rng.exponential(120, len(reg))).astype("int64") * DAY
    updated = np.maximum(reg, last)
    customers["updated_at"] = updated.astype("datetime64[s]")

    customers, defects = _plant_defects(rng, customers, defect_rate)
    transactions = transactions.sort_values(["date", "customer_id"], kind="stable").reset_index(drop=True)
    n_tx = len(transactions)
    k = int(round(n_tx * defect_rate / 6))
    orphan = np.sort(rng.choice(n_tx, size=k, replace=False))
    transactions.loc[orphan, "customer_id"] = pd.array(
        [f"X{i:07d}" for i in rng.choice(10_000_000, size=k, replace=False)], dtype="str")
    zero = np.sort(rng.choice(np.setdiff1d(np.arange(n_tx), orphan), size=k, replace=False))
    transactions.loc[zero, "amount"] = 0.0

    cards, card_truth = _cards(rng, customers, ctruth, member_class, card_share, card_only_share, seed)
    records = rec[["customer_id", "person_id", "is_duplicate", "duplicate_of"]].assign(
        member_class=pd.array(member_class[person], dtype="str"), **defects)
    truth = MemberBaseTruth(n_persons=n_persons, as_of=as_of_ts, class_shares=shares, records=records,
                            cards=card_truth, orphan_rows=orphan, zero_amount_rows=zero)
    return {"customers": customers, "transactions": transactions, "loyalty_cards": cards}, truth


def _purchases(rng, member_class, first_reg, as_of, lapse_gap_days):
    """Purchase days and amounts per person (index into persons)."""
    n = member_class.size
    end = np.full(n, as_of.to_datetime64().astype("datetime64[D]"))
    start = first_reg
    days = (end - start).astype("int64").astype(float)
    lapsed = member_class == "lapsed"
    # A lapsed member leaves between 60 days after registering and lapse_gap_days + 30 before as_of.
    hi = np.maximum(days - lapse_gap_days - 30, 61)
    churn = rng.uniform(60, hi)
    days = np.where(lapsed, np.minimum(churn, days - lapse_gap_days - 1), days)
    per_month = np.where(member_class == "no_power", rng.uniform(1.5, 3, n), rng.uniform(2, 5, n))
    basket = np.where(member_class == "no_power", rng.uniform(2, 6, n), 50 + rng.gamma(2, 20, n))
    count = np.where(np.isin(member_class, ["prize_hunter"]), 0,
                     np.where(member_class == "trial_only", 1, 2 + rng.poisson(per_month * days / 30.4375)))
    who = np.repeat(np.arange(n), count)
    offset = np.floor(rng.uniform(0, 1, who.size) * days[who]).astype("int64")
    date = start[who] + offset * DAY
    amount = np.round(rng.gamma(10, basket[who] / 10), 2)
    return {"person": who, "date": date, "amount": amount}


def _plant_defects(rng, customers, rate):
    n = len(customers)
    out = customers.copy()
    kinds = {k: rng.random(n) < rate for k in
             ["email_missing", "email_invalid", "phone_missing", "phone_invalid", "date_placeholder", "stale"]}
    kinds["email_invalid"] &= ~kinds["email_missing"]
    kinds["phone_invalid"] &= ~kinds["phone_missing"]
    email = out["email"].copy()
    bad = email[kinds["email_invalid"]]
    half = rng.random(len(bad)) < 0.5
    email[kinds["email_invalid"]] = bad.str.replace("@", " at ", regex=False).where(
        half, bad.str.replace(r"\.[a-z]+$", "", regex=True))
    email[kinds["email_missing"]] = None
    phone = out["phone"].copy()
    phone[kinds["phone_invalid"]] = phone[kinds["phone_invalid"]].str.slice(0, 8)
    phone[kinds["phone_missing"]] = None
    out["email"] = pd.array(email, dtype="str")
    out["phone"] = pd.array(phone, dtype="str")
    out.loc[kinds["date_placeholder"], "registration_date"] = pd.Timestamp("1900-01-01")
    out["updated_at"] = out["updated_at"].where(~kinds["stale"], customers["registration_date"])
    return out, kinds


def _cards(rng, customers, ctruth, member_class, card_share, card_only_share, seed):
    """Store loyalty cards of buyers, plus card-only people who never registered online."""
    first = ctruth.records[~ctruth.records["is_duplicate"]].reset_index(drop=True)
    buyers = first[~np.isin(member_class[first["person_id"]], ["prize_hunter"])]
    holders = buyers[rng.random(len(buyers)) < card_share]
    src = customers.set_index("customer_id").loc[holders["customer_id"]]
    m = len(holders)
    n_only = int(round(m * card_only_share))
    others, _ = simulate_customers(max(n_only, 1), duplicate_share=0.0, prize_hunter_share=0.0,
                                   trial_only_share=0.0, seed=seed + 7919)
    others = others.iloc[:n_only]
    name = pd.concat([src["name"], others["name"]], ignore_index=True)
    upper = rng.random(len(name)) < 0.5
    name = name.str.upper().where(upper, name.str.lower())
    phone = pd.concat([src["phone"], others["phone"]], ignore_index=True).str.replace(r"\D", "", regex=True)
    email = pd.concat([src["email"], others["email"]], ignore_index=True)
    email = email.where(rng.random(len(email)) < 0.3, None)
    total = m + n_only
    order = rng.permutation(total)
    cards = pd.DataFrame({
        "card_id": pd.array([f"L{i:07d}" for i in range(1, total + 1)], dtype="str"),
        "name": pd.array(name.to_numpy()[order], dtype="str"),
        "phone": pd.array(phone.to_numpy()[order], dtype="str"),
        "email": pd.array(email.to_numpy()[order], dtype="str"),
        "birth_year": rng.integers(1950, 2006, total),
        "home_store": pd.array(STORES[rng.integers(len(STORES), size=total)], dtype="str"),
    })
    person = np.concatenate([holders["person_id"].to_numpy(), np.full(n_only, -1)])[order]
    cid = np.concatenate([holders["customer_id"].to_numpy().astype(object), np.full(n_only, None)])[order]
    truth = pd.DataFrame({"card_id": cards["card_id"], "person_id": person,
                          "customer_id": pd.array(cid, dtype="str")})
    return cards, truth
