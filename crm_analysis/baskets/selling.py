"""Cross-selling, up-selling and re-selling figures built on the rules and the baskets.

* :func:`cross_sell_candidates`: for a product or a basket, the items the rules say go
  with it, with lift, confidence and expected margin.
* :func:`plan_cross_sell`: which single-product cross-sell to run, for whom (baskets
  holding the antecedent but not the consequent), and its expected incremental margin,
  beside the options a rule of thumb would pick (the highest lift, the highest
  confidence, the most target baskets).
* :func:`upsell_shares`: for regular / premium pairs (the Burger King super pack), the
  share of the line's purchases that are the premium version, with a Wilson interval,
  and the extra revenue per upgrade.
* :func:`repurchase_intervals`: days from a customer's first purchase in a category to
  the next one, per category, as input to a re-selling coupon or reminder.

The cross-sell margin model is an explicit assumption, not an estimate: a prompt offered
to a basket that holds the antecedent and lacks the consequent is accepted with
probability ``prompt_rate`` × (confidence − the consequent's support): the prompt
converts a share of the extra propensity the association shows, so an item bought as
often without the antecedent (lift 1) gains nothing from being prompted. Each acceptance
earns the consequent's unit margin (currency). A field test with a control group
measures ``prompt_rate``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from crm_analysis.common import require_columns
from crm_analysis.estimates import alpha_of, check_level

__all__ = ["cross_sell_candidates", "plan_cross_sell", "repurchase_intervals", "upsell_shares"]


def cross_sell_candidates(rules: pd.DataFrame, basket: str | list[str], margin: pd.Series | None = None,
                          n: int = 10) -> pd.DataFrame:
    """Items to offer with ``basket`` (one product or a list): rules whose antecedent lies in it.

    Returns one row per candidate item (its best rule by lift): ``consequent``, ``rule``,
    ``support``, ``confidence``, ``lift`` and, with ``margin`` (unit margin per item,
    currency), ``expected_margin`` = confidence × margin; sorted by lift then expected
    margin; at most ``n`` rows. Items already in the basket are not offered.
    """
    held = {basket} if isinstance(basket, str) else set(basket)
    inside = rules["antecedent"].map(lambda a: set(a) <= held) & ~rules["consequent"].isin(held)
    found = rules[inside].copy()
    if margin is not None:
        found["expected_margin"] = found["confidence"] * found["consequent"].map(margin).to_numpy(dtype=float)
    keys = ["lift"] + (["expected_margin"] if margin is not None else [])
    found = found.sort_values(keys + ["rule"], ascending=[False] * len(keys) + [True])
    found = found.drop_duplicates("consequent")
    cols = ["consequent", "rule", "support", "confidence", "lift"] + (
        ["expected_margin"] if margin is not None else [])
    return found[cols].head(n).reset_index(drop=True)


def plan_cross_sell(rules: pd.DataFrame, margin: pd.Series, prompt_rate: float = 0.2) -> pd.DataFrame:
    """Expected incremental margin of each single-product cross-sell; the first row is the one to run.

    ``rules``: rules with ``antecedent``, ``consequent``, ``count``, ``antecedent_count``,
    ``confidence``, ``consequent_support``, ``lift`` (pass the significant ones); rules with
    one antecedent item are the options (prompt C at the counter to whoever takes A).
    ``margin``: unit margin per item (currency).

    Per option: ``targets`` = baskets with A and without C; ``acceptance`` =
    ``prompt_rate`` × (confidence − consequent support), i.e. the prompt converts a share
    of the *excess* propensity the association reveals (a rule at lift 1 earns nothing);
    ``incremental_margin`` = targets × acceptance × unit margin (currency per period of the
    data). Returns every option, sorted by incremental margin (best first), with
    ``chosen_by`` naming the rule of thumb that would pick it: ``best expected margin``
    (the first row), ``highest lift``, ``highest confidence``, ``most targets`` (several
    names joined when they pick the same rule), else empty.
    """
    if not 0.0 <= float(prompt_rate) <= 1.0:
        raise ValueError(f"prompt_rate must be in [0, 1]; got {prompt_rate!r}")
    require_columns(rules, ["antecedent", "consequent", "count", "antecedent_count", "confidence",
                            "consequent_support", "lift"], "rules")
    single = rules[rules["antecedent"].map(len) == 1].copy()
    if single.empty:
        raise ValueError("rules: no rule with a single antecedent item; lower min_support or "
                         "min_confidence, or relax the significance test")
    single["antecedent"] = single["antecedent"].map(lambda a: a[0]).astype("str")
    single["option"] = ("offer " + single["consequent"].astype(str) + " to "
                        + single["antecedent"] + " buyers")
    single["targets"] = (single["antecedent_count"] - single["count"]).astype("int64")
    single["acceptance"] = prompt_rate * (single["confidence"] - single["consequent_support"]).clip(lower=0)
    single["unit_margin"] = single["consequent"].map(margin).to_numpy(dtype=float)
    single["incremental_margin"] = single["targets"] * single["acceptance"] * single["unit_margin"]
    single = single.sort_values(["incremental_margin", "option"], ascending=[False, True], ignore_index=True)
    picks = {"best expected margin": 0,
             "highest lift": single.sort_values(["lift", "option"], ascending=[False, True]).index[0],
             "highest confidence": single.sort_values(["confidence", "option"], ascending=[False, True]).index[0],
             "most targets": single.sort_values(["targets", "option"], ascending=[False, True]).index[0]}
    chosen = pd.Series("", index=single.index, dtype="str")
    for label, i in picks.items():
        chosen[i] = label if not chosen[i] else f"{chosen[i]}, {label}"
    single["chosen_by"] = chosen
    return single[["option", "chosen_by", "rule", "antecedent", "consequent", "lift", "confidence",
                   "targets", "acceptance", "unit_margin", "incremental_margin"]]


def upsell_shares(lines: pd.DataFrame, pairs: pd.DataFrame, item: str = "item", price: str = "price",
                  level: float = 0.95) -> pd.DataFrame:
    """Share of a product line's purchases that are the premium version, with a Wilson interval.

    ``lines``: one row per item line with ``item`` and ``price`` (currency per unit);
    ``pairs``: ``regular`` and ``super_pack`` (premium) item names. Returns per pair:
    ``regular``, ``super_pack``, ``n_line`` (lines of either), ``n_upgraded``,
    ``estimate`` (upgrade share), ``ci_low``, ``ci_high``, ``level``, ``extra_price``
    (mean premium price − mean regular price) and ``extra_revenue_per_line`` (share ×
    extra price: what the up-sell adds per line sold).
    """
    require_columns(lines, [item, price], "lines")
    require_columns(pairs, ["regular", "super_pack"], "pairs")
    level = check_level(level)
    rows = []
    for regular, premium in zip(pairs["regular"], pairs["super_pack"]):
        reg = lines.loc[lines[item] == regular, price]
        pre = lines.loc[lines[item] == premium, price]
        n = len(reg) + len(pre)
        if n == 0:
            raise ValueError(f"lines: neither {regular!r} nor {premium!r} was sold")
        low, high = proportion_confint(len(pre), n, alpha=alpha_of(level), method="wilson")
        share = len(pre) / n
        extra = float(pre.mean() - reg.mean()) if len(pre) and len(reg) else np.nan
        rows.append({"regular": regular, "super_pack": premium, "n_line": n, "n_upgraded": len(pre),
                     "estimate": share, "ci_low": float(low), "ci_high": float(high), "level": level,
                     "extra_price": extra, "extra_revenue_per_line": share * extra})
    return pd.DataFrame(rows)


def repurchase_intervals(frame: pd.DataFrame, group: str, customer: str = "customer_id",
                         date: str = "date", level: float = 0.95) -> pd.DataFrame:
    """Days from each customer's first purchase in a ``group`` (category, product) to the next.

    Purchases on the same calendar day count once. One interval per customer who came
    back, so the intervals are independent across customers. Per group: ``customers``
    (buyers), ``repeaters`` (customers with a second purchase), ``repeat_share``,
    ``estimate`` (median interval, days), ``ci_low``/``ci_high`` (distribution-free
    interval of the median from order statistics: the binomial ranks around n/2,
    coverage ≥ ``level``), ``q25``, ``q75`` (days), ``level``. Sorted by median. Customers
    seen once are not intervals: a window too short to see a slow cycle makes the median
    too small and the repeat share too low (read it with the data's length in mind).
    """
    require_columns(frame, [group, customer, date], "transactions")
    level = check_level(level)
    days = pd.to_datetime(frame[date]).dt.normalize()
    visits = (pd.DataFrame({"g": frame[group].astype("str"), "c": frame[customer].astype("str"), "d": days})
              .drop_duplicates().sort_values(["g", "c", "d"]))
    rank = visits.groupby(["g", "c"]).cumcount()
    first = visits[rank == 0].set_index(["g", "c"])["d"]
    second = visits[rank == 1].set_index(["g", "c"])["d"]
    gap = (second - first.reindex(second.index)).dt.days.astype("float64")
    buyers = first.groupby(level="g").size()
    rows = []
    for g, n_buyers in buyers.items():
        x = np.sort(gap.xs(g, level="g").to_numpy()) if g in gap.index.get_level_values("g") else np.array([])
        n = x.size
        row = {"group": g, "customers": int(n_buyers), "repeaters": n, "repeat_share": n / n_buyers}
        if n:
            lo_rank = int(stats.binom.ppf((1 - level) / 2, n, 0.5))  # 1-based rank of the lower end
            lo = x[lo_rank - 1] if lo_rank >= 1 else np.nan
            hi = x[n - lo_rank] if lo_rank >= 1 else np.nan
            row |= {"estimate": float(np.median(x)), "ci_low": float(lo), "ci_high": float(hi),
                    "q25": float(np.quantile(x, 0.25)), "q75": float(np.quantile(x, 0.75))}
        else:
            row |= {"estimate": np.nan, "ci_low": np.nan, "ci_high": np.nan, "q25": np.nan, "q75": np.nan}
        rows.append(row)
    table = pd.DataFrame(rows).rename(columns={"group": group})
    table["level"] = level
    return table.sort_values(["estimate", group], ignore_index=True)
