"""Shopping baskets of a burger restaurant with planted association rules and up-sell pairs.

How a basket is drawn (all baskets independent):

* every *base* item of the catalogue is in the basket independently with its own
  probability (Bernoulli);
* a *consequent* item C (e.g. cola) is in the basket with probability ``confidence`` if
  at least one of its antecedents (e.g. any burger) is there, and with its base
  probability otherwise: the planted rules A → C;
* a product *line* with an up-sell pair (fries, nuggets) is a base item; when it is in the
  basket, the super pack replaces the regular size with probability ``upgrade_share``;
* empty baskets are not recorded.

Because base items are independent the truth has a closed form, computed here for the
non-empty baskets that are recorded: support(A→C) = π_A·c / P(non-empty), confidence = c,
lift = c·P(non-empty) / P(C), with P(C) = P(any antecedent)·c + (1 − P(any antecedent))·π_C.
Prices are in currency units.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._common import WEEK, check_count, check_probability, customer_ids, weeks_to_datetime, window

#: item, category, price (currency units), base probability of being in a basket.
CATALOGUE = pd.DataFrame(
    [
        ("bulgogi burger", "burgers", 4.9, 0.16),
        ("cheeseburger", "burgers", 4.5, 0.14),
        ("chicken burger", "burgers", 4.7, 0.12),
        ("shrimp burger", "burgers", 5.2, 0.08),
        ("cola", "drinks", 1.8, 0.04),
        ("cider", "drinks", 1.8, 0.09),
        ("iced coffee", "drinks", 2.5, 0.07),
        ("orange juice", "drinks", 2.2, 0.06),
        ("fries", "sides", 1.9, 0.22),
        ("chicken nuggets", "sides", 3.0, 0.10),
        ("cheese sticks", "sides", 2.4, 0.07),
        ("salad", "sides", 3.5, 0.05),
        ("ice cream cone", "desserts", 1.2, 0.09),
        ("apple pie", "desserts", 1.6, 0.08),
        ("sundae", "desserts", 2.0, 0.06),
    ],
    columns=["item", "category", "price", "base_probability"],
)

#: Planted rules: consequent, its antecedents, confidence P(consequent | any antecedent).
RULES = pd.DataFrame(
    [
        ("cola", ("bulgogi burger", "cheeseburger", "chicken burger", "shrimp burger"), 0.6),
        ("iced coffee", ("apple pie", "sundae"), 0.4),
    ],
    columns=["consequent", "antecedents", "confidence"],
)

#: Up-sell pairs: the regular item, its super pack (item, price), the share upgraded.
UPSELL = pd.DataFrame(
    [("fries", "fries super pack", 3.2, 0.3), ("chicken nuggets", "chicken nuggets super pack", 5.5, 0.25)],
    columns=["regular", "super_pack", "price", "upgrade_share"],
)


@dataclass(frozen=True, eq=False)
class BasketsTruth:
    """The truth behind :func:`simulate_baskets`.

    ``catalogue``: item, category, price (currency units), base_probability (for a super
    pack: missing). ``rules``: antecedent, consequent, support, confidence, lift — the
    planted rules' true values among recorded (non-empty) baskets. ``upsell``: regular,
    super_pack, upgrade_share (share of the line's purchases that are the super pack).
    ``nonempty_probability``: P(a drawn basket is not empty).
    """

    n_baskets: int
    n_customers: int
    catalogue: pd.DataFrame
    rules: pd.DataFrame
    upsell: pd.DataFrame
    nonempty_probability: float
    start: pd.Timestamp
    end: pd.Timestamp


def simulate_baskets(
    n_baskets: int = 20_000,
    *,
    n_customers: int = 2000,
    rule_strength: float = 1.0,
    start: str | pd.Timestamp = "2024-01-01",
    end: str | pd.Timestamp = "2025-01-01",
    seed: int = 0,
) -> tuple[pd.DataFrame, BasketsTruth]:
    """Simulate ``n_baskets`` drawn baskets (empty ones dropped) with planted rules.

    Parameters
    ----------
    n_baskets : baskets drawn; about a fifth come out empty and are not recorded.
    n_customers : customers (ids ``C0000001`` …, as in the other generators); baskets are
        spread over them with Gamma(1)-distributed shopping frequencies.
    rule_strength : moves each consequent's confidence from its base probability (0: no
        association, the consequent is independent of its antecedents) to the planted
        confidence of :data:`RULES` (1); values above 1 strengthen the rules further.
    start, end : basket dates are uniform over ``[start, end)``.
    seed : seed of the numpy random Generator.

    Returns
    -------
    baskets : one row per item in a basket: ``basket_id`` (int), ``customer_id`` (str),
        ``date`` (datetime64[s]), ``item``, ``category`` (str), ``price`` (currency).
    truth : :class:`BasketsTruth`.
    """
    check_count("n_baskets", n_baskets)
    check_count("n_customers", n_customers)
    start_ts, end_ts = window(start, end)
    base_of_consequent = CATALOGUE.set_index("item").loc[RULES["consequent"], "base_probability"].to_numpy()
    confidence = base_of_consequent + rule_strength * (RULES["confidence"].to_numpy() - base_of_consequent)
    check_probability(**{f"confidence of {c}": v for c, v in zip(RULES["consequent"], confidence)})
    rng = np.random.default_rng(seed)

    items = CATALOGUE["item"].to_numpy()
    column = {item: j for j, item in enumerate(items)}
    base = CATALOGUE["base_probability"].to_numpy()
    present = rng.random((n_baskets, len(items)), dtype=np.float32) < base.astype(np.float32)
    for consequent, antecedents, conf in zip(RULES["consequent"], RULES["antecedents"], confidence):
        triggered = present[:, [column[a] for a in antecedents]].any(axis=1)
        draw = rng.random(n_baskets)
        j = column[consequent]
        present[:, j] = np.where(triggered, draw < conf, present[:, j])
    keep = present.any(axis=1)
    present = present[keep]

    basket, j = np.nonzero(present)  # row-major: items in catalogue order within a basket
    line_items = items[j].astype(object)
    prices = CATALOGUE["price"].to_numpy()[j]
    categories = CATALOGUE["category"].to_numpy()[j].astype(object)
    for regular, super_pack, price, share in UPSELL.itertuples(index=False):
        is_line = line_items == regular
        upgraded = is_line & (rng.random(is_line.size) < share)
        line_items[upgraded] = super_pack
        prices = np.where(upgraded, price, prices)

    n_recorded = int(keep.sum())
    frequency = rng.gamma(1.0, size=n_customers)
    owner = rng.choice(n_customers, size=n_recorded, p=frequency / frequency.sum())
    when = np.sort(rng.uniform(0.0, (end_ts - start_ts) / WEEK, n_recorded))
    baskets = pd.DataFrame(
        {
            "basket_id": basket + 1,
            "customer_id": customer_ids(n_customers).take(owner[basket]),
            "date": weeks_to_datetime(start_ts, when[basket]),
            "item": pd.array(line_items, dtype="str"),
            "category": pd.array(categories, dtype="str"),
            "price": prices,
        }
    )
    nonempty = 1.0 - np.prod(1.0 - base)
    truth = BasketsTruth(
        n_baskets=n_recorded,
        n_customers=n_customers,
        catalogue=_full_catalogue(),
        rules=_true_rules(base, column, confidence, nonempty),
        upsell=UPSELL[["regular", "super_pack", "upgrade_share"]].copy(),
        nonempty_probability=float(nonempty),
        start=start_ts,
        end=end_ts,
    )
    return baskets, truth


def _full_catalogue() -> pd.DataFrame:
    """The catalogue with the super packs added (category of their regular item)."""
    category = CATALOGUE.set_index("item")["category"]
    packs = pd.DataFrame(
        {
            "item": UPSELL["super_pack"],
            "category": category[UPSELL["regular"]].to_numpy(),
            "price": UPSELL["price"],
            "base_probability": np.nan,
        }
    )
    catalogue = pd.concat([CATALOGUE, packs], ignore_index=True)
    return catalogue.astype({"item": "str", "category": "str"})


def _true_rules(base: np.ndarray, column: dict, confidence: np.ndarray, nonempty: float) -> pd.DataFrame:
    """Closed-form support, confidence and lift of every planted rule A → C (non-empty baskets)."""
    rows = []
    for consequent, antecedents, conf in zip(RULES["consequent"], RULES["antecedents"], confidence):
        p_any = 1.0 - np.prod([1.0 - base[column[a]] for a in antecedents])
        p_consequent = p_any * conf + (1.0 - p_any) * base[column[consequent]]
        for a in antecedents:
            rows.append(
                {
                    "antecedent": a,
                    "consequent": consequent,
                    "support": base[column[a]] * conf / nonempty,
                    "confidence": conf,
                    "lift": conf * nonempty / p_consequent,
                }
            )
    return pd.DataFrame(rows).astype({"antecedent": "str", "consequent": "str"})
