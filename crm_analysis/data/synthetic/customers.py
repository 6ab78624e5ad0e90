"""A customer master with planted defects for the data audit, and the truth about them.

Each *person* registers once; a share of persons register again (a duplicate record
with a new customer id and a later registration date), and the duplicate's name, email
and phone are written differently in the ways real sign-up forms produce: changed
case, extra spaces, a typo in the name, dots moved in a Gmail address (Gmail ignores
them), a ``+tag`` in the e-mail, the phone without hyphens or in international format.
Some persons are *prize hunters* who register for an event prize and never buy (they
are likelier to register twice and to come through the ``event`` channel); some are
*trial-only* buyers who buy exactly once.

The string edits are vectorized: each kind of variant is one pandas string operation
applied to the rows drawn for it.  Ids ``C0000001`` … follow registration order.

To get matching purchases, give the buyers to :func:`simulate_transactions` and keep only
the first purchase of trial-only customers::

    master, truth = simulate_customers(seed=1)
    buyers = master[~master["customer_id"].isin(truth.prize_hunter_ids)]
    tx, tx_truth = simulate_transactions(customers=buyers, seed=1)
    tx = tx[~tx["customer_id"].isin(truth.trial_only_ids) | ~tx["customer_id"].duplicated()]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._common import WEEK, check_count, check_probability, customer_ids, weeks_to_datetime, window

SURNAMES = np.array(["Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim", "Han", "Oh"])
SYLLABLES = np.array(
    ["min", "seo", "ji", "hyun", "woo", "jun", "yeon", "soo", "ha", "eun", "do", "yun", "jae", "hee", "sung", "na"]
)
DOMAINS = pd.DataFrame({"domain": ["gmail.com", "naver.com", "daum.net", "kakao.com"], "share": [0.45, 0.35, 0.1, 0.1]})
CHANNELS = pd.DataFrame(
    {"channel": ["store", "web", "app", "call center", "event"], "share": [0.35, 0.3, 0.2, 0.1, 0.05]}
)
REGIONS = pd.DataFrame(
    {
        "region": ["Seoul", "Gyeonggi", "Busan", "Incheon", "Daegu", "Daejeon", "Gwangju", "other"],
        "share": [0.19, 0.26, 0.07, 0.06, 0.05, 0.03, 0.03, 0.31],
    }
)
AGE_BANDS = pd.DataFrame({"age_band": ["<20", "20s", "30s", "40s", "50s", "60+"], "share": [0.05, 0.2, 0.22, 0.22, 0.18, 0.13]})
INCOME_BANDS = pd.DataFrame({"income_band": ["low", "lower-middle", "upper-middle", "high"], "share": [0.25] * 4})

#: Variant kinds per field, applied in this order to a duplicate record, each with its probability.
VARIANTS = {
    "name": {"typo": 0.2, "case": 0.3, "spaces": 0.25},
    "email": {"case": 0.25, "gmail_dots": 0.5, "plus_tag": 0.15},
    "phone": {"no_hyphens": 0.35, "international": 0.2, "spaces": 0.15},
}

SEGMENTS = ("regular", "trial_only", "prize_hunter")
TEXT_COLUMNS = ["channel", "region", "age_band", "income_band", "name", "email", "phone"]


@dataclass(frozen=True, eq=False)
class CustomersTruth:
    """The truth behind :func:`simulate_customers`.

    ``records`` has one row per customer record: ``customer_id``, ``person_id`` (the
    real person), ``is_duplicate`` (not the person's first registration),
    ``duplicate_of`` (the customer id of the person's first record, missing for first
    records), ``variants`` (the edits planted in a duplicate, e.g.
    ``"name:typo;phone:no_hyphens"``, empty for first records and exact copies) and
    ``segment`` (``regular``, ``trial_only`` or ``prize_hunter``; shared by all records
    of a person).
    """

    n_persons: int
    duplicate_share: float
    prize_hunter_share: float
    trial_only_share: float
    start: pd.Timestamp
    end: pd.Timestamp
    records: pd.DataFrame

    @property
    def duplicate_pairs(self) -> pd.DataFrame:
        """``customer_id`` of each duplicate record with ``duplicate_of``, its first record."""
        dup = self.records[self.records["is_duplicate"]]
        return dup[["customer_id", "duplicate_of"]].reset_index(drop=True)

    @property
    def prize_hunter_ids(self) -> list[str]:
        """Customer ids of all records of prize hunters (who never buy)."""
        return self.records.loc[self.records["segment"] == "prize_hunter", "customer_id"].tolist()

    @property
    def trial_only_ids(self) -> list[str]:
        """Customer ids of all records of trial-only persons (who buy exactly once)."""
        return self.records.loc[self.records["segment"] == "trial_only", "customer_id"].tolist()


def simulate_customers(
    n_persons: int = 5000,
    *,
    duplicate_share: float = 0.06,
    prize_hunter_share: float = 0.08,
    trial_only_share: float = 0.12,
    prize_hunter_duplicate_factor: float = 3.0,
    start: str | pd.Timestamp = "2024-01-01",
    end: str | pd.Timestamp = "2025-01-01",
    seed: int = 0,
) -> tuple[pd.DataFrame, CustomersTruth]:
    """Simulate a customer master of ``n_persons`` people with duplicate registrations.

    Parameters
    ----------
    n_persons : number of distinct people.
    duplicate_share : expected share of regular/trial persons who register a second time;
        prize hunters do so ``prize_hunter_duplicate_factor`` times as often (capped at 1).
    prize_hunter_share, trial_only_share : shares of persons who never buy / buy once.
    start, end : first registrations are uniform over ``[start, end)``; a duplicate comes
        0–24 weeks after the first registration, so it may fall after ``end`` (with the
        defaults, still before the default ``end`` of :func:`simulate_transactions`).
    seed : seed of the numpy random Generator.

    Returns
    -------
    customers : one row per record, in registration order: ``customer_id``,
        ``registration_date`` (datetime64[s]), ``channel``, ``region``, ``age_band``,
        ``income_band``, ``name``, ``email``, ``phone`` (all text as str).
    truth : :class:`CustomersTruth`.
    """
    check_count("n_persons", n_persons)
    check_probability(
        duplicate_share=duplicate_share,
        prize_hunter_share=prize_hunter_share,
        trial_only_share=trial_only_share,
    )
    if prize_hunter_share + trial_only_share > 1:
        raise ValueError(
            f"prize_hunter_share + trial_only_share must be <= 1, got {prize_hunter_share + trial_only_share}"
        )
    if not prize_hunter_duplicate_factor >= 0:
        raise ValueError(f"prize_hunter_duplicate_factor must be >= 0, got {prize_hunter_duplicate_factor!r}")
    start_ts, end_ts = window(start, end)
    rng = np.random.default_rng(seed)
    n = n_persons

    segment = rng.choice(3, size=n, p=[1 - trial_only_share - prize_hunter_share, trial_only_share, prize_hunter_share])
    hunter = segment == 2
    persons = pd.DataFrame(
        {
            "registered_weeks": rng.uniform(0.0, (end_ts - start_ts) / WEEK, n),
            "channel": _pick(rng, CHANNELS, n),
            "region": _pick(rng, REGIONS, n),
            "age_band": _pick(rng, AGE_BANDS, n),
            "income_band": _pick(rng, INCOME_BANDS, n),
            **_identities(rng, n),
        }
    )
    # Prize hunters mostly come through an event promotion.
    persons.loc[hunter & (rng.random(n) < 0.7), "channel"] = "event"

    dup_prob = np.where(hunter, np.minimum(1.0, duplicate_share * prize_hunter_duplicate_factor), duplicate_share)
    twice = np.flatnonzero(rng.random(n) < dup_prob)
    copies = persons.iloc[twice].reset_index(drop=True)
    copies["registered_weeks"] += rng.uniform(0.0, 24.0, twice.size)
    copies["channel"] = np.where(rng.random(twice.size) < 0.5, copies["channel"], _pick(rng, CHANNELS, twice.size))
    copies, variants = _plant_variants(rng, copies)

    records = pd.concat([persons, copies], ignore_index=True)
    person_id = np.concatenate([np.arange(n), twice])
    is_duplicate = np.arange(len(records)) >= n
    order = np.argsort(records["registered_weeks"].to_numpy(), kind="stable")
    ids = customer_ids(len(records))
    record_id = pd.Series(ids, index=order).sort_index()  # the id of each unsorted record
    first_id = record_id.to_numpy()[:n]

    customers = pd.DataFrame(
        {
            "customer_id": ids,
            "registration_date": weeks_to_datetime(start_ts, records["registered_weeks"].to_numpy()[order]),
            **{c: pd.array(records[c].to_numpy()[order], dtype="str") for c in TEXT_COLUMNS},
        }
    )
    truth_records = pd.DataFrame(
        {
            "customer_id": ids,
            "person_id": person_id[order],
            "is_duplicate": is_duplicate[order],
            "duplicate_of": pd.array(np.where(is_duplicate, first_id[person_id], None)[order], dtype="str"),
            "variants": pd.array(np.concatenate([np.full(n, ""), variants])[order], dtype="str"),
            "segment": pd.array(np.array(SEGMENTS)[segment[person_id]][order], dtype="str"),
        }
    )
    truth = CustomersTruth(
        n_persons=n,
        duplicate_share=duplicate_share,
        prize_hunter_share=prize_hunter_share,
        trial_only_share=trial_only_share,
        start=start_ts,
        end=end_ts,
        records=truth_records,
    )
    return customers, truth


def _pick(rng: np.random.Generator, table: pd.DataFrame, size: int) -> np.ndarray:
    """Draw ``size`` labels from the first column of ``table`` with its ``share`` weights."""
    return table.iloc[:, 0].to_numpy()[rng.choice(len(table), size=size, p=table["share"].to_numpy())]


def _identities(rng: np.random.Generator, n: int) -> dict[str, pd.Series]:
    """Names (which may repeat across persons), unique e-mails and unique phones."""
    surname = pd.Series(SURNAMES[rng.integers(len(SURNAMES), size=n)], dtype="str")
    given = pd.Series(SYLLABLES[rng.integers(len(SYLLABLES), size=n)], dtype="str").str.capitalize() + pd.Series(
        SYLLABLES[rng.integers(len(SYLLABLES), size=n)], dtype="str"
    )
    tag = pd.Series(rng.choice(100 * n, size=n, replace=False).astype(str), dtype="str")
    domain = pd.Series(_pick(rng, DOMAINS, n), dtype="str")
    email = given.str.lower() + "." + surname.str.lower() + tag + "@" + domain
    digits = pd.Series((rng.choice(90_000_000, size=n, replace=False) + 10_000_000).astype(str), dtype="str")
    phone = "010-" + digits.str.slice(0, 4) + "-" + digits.str.slice(4, 8)
    return {"name": given + " " + surname, "email": email, "phone": phone}


def _plant_variants(rng: np.random.Generator, copies: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Rewrite name/email/phone of duplicate records; return them and a description per row."""
    m = len(copies)
    labels = pd.Series("", index=copies.index, dtype="str")
    out = copies.copy()
    gmail = out["email"].str.endswith("@gmail.com").to_numpy()
    for field, kinds in VARIANTS.items():
        for kind, prob in kinds.items():
            chosen = rng.random(m) < prob
            if kind == "gmail_dots":
                chosen &= gmail
            if chosen.any():
                out.loc[chosen, field] = _EDITS[(field, kind)](out.loc[chosen, field], rng)
                labels = labels.where(~chosen, labels + f"{field}:{kind};")
    return out, labels.str.rstrip(";").to_numpy()


def _name_case(values: pd.Series, rng: np.random.Generator) -> pd.Series:
    return values.str.upper().where(rng.random(len(values)) < 0.5, values.str.lower())


def _name_spaces(values: pd.Series, rng: np.random.Generator) -> pd.Series:
    return (" " + values.str.replace(" ", "  ", regex=False)).where(rng.random(len(values)) < 0.5, values + " ")


def _name_typo(values: pd.Series, rng: np.random.Generator) -> pd.Series:
    # Double the last letter of the surname, or drop the second letter of the given name.
    doubled = values.str.replace(r"(\w)$", r"\1\1", regex=True)
    dropped = values.str.replace(r"^(\w)\w", r"\1", regex=True)
    return doubled.where(rng.random(len(values)) < 0.5, dropped)


def _email_case(values: pd.Series, rng: np.random.Generator) -> pd.Series:
    return values.str.capitalize().where(rng.random(len(values)) < 0.5, values.str.upper())


def _email_gmail_dots(values: pd.Series, rng: np.random.Generator) -> pd.Series:
    # Gmail ignores dots in the local part: drop them, or add one after the first letter.
    no_dots = values.str.replace(r"\.(?=[^@]*@)", "", regex=True)
    extra_dot = values.str.replace(r"^(\w)(\w)", r"\1.\2", regex=True)
    return no_dots.where(rng.random(len(values)) < 0.5, extra_dot)


def _email_plus_tag(values: pd.Series, rng: np.random.Generator) -> pd.Series:
    return values.str.replace("@", "+promo@", regex=False)


def _phone_no_hyphens(values: pd.Series, rng: np.random.Generator) -> pd.Series:
    return values.str.replace("-", "", regex=False)


def _phone_international(values: pd.Series, rng: np.random.Generator) -> pd.Series:
    return values.str.replace(r"^0", "+82-", regex=True)


def _phone_spaces(values: pd.Series, rng: np.random.Generator) -> pd.Series:
    return values.str.replace("-", " ", regex=False)


_EDITS = {
    ("name", "case"): _name_case,
    ("name", "spaces"): _name_spaces,
    ("name", "typo"): _name_typo,
    ("email", "case"): _email_case,
    ("email", "gmail_dots"): _email_gmail_dots,
    ("email", "plus_tag"): _email_plus_tag,
    ("phone", "no_hyphens"): _phone_no_hyphens,
    ("phone", "international"): _phone_international,
    ("phone", "spaces"): _phone_spaces,
}
