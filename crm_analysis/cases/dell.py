"""The Dell customer tier pyramid: tiers by stated rules, their economics, migration,
the value of an upgrade, and what each tier's feedback is worth.

- :func:`assign_tiers` applies the rules (status flags, or spend thresholds where an
  analyst's data has no status columns) and returns each row's tier.
- :func:`tier_economics` — customers, revenue, margin, cost to serve and profit per tier
  and their shares: the pyramid.
- :func:`tier_migration` — counts of moves between consecutive periods, for
  :func:`crm_analysis.dynamics.migration.transition_matrix`.
- :func:`upgrade_effects` — the effect of moving up one tier on spend, estimated by
  comparing the spend growth of accounts that moved up with that of accounts that stayed
  (a difference in differences on log spend, Welch standard errors). It is unbiased when
  upgrades do not depend on the period's spend shock (outreach, invitations); a tier
  given *for* a jump in spend would credit the tier with the jump.
- :func:`upgrade_value` turns those effects into currency per account and period, net of
  the extra cost to serve.
- :func:`feedback_value` — feedback items by tier and their expected value (adoption
  rate × value per adopted item, parameters); :func:`expected_feedback_value` is the same
  from item rates (the synthetic truth).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats

from crm_analysis.common import require_columns
from crm_analysis.estimates import estimate_table

TIERS = ("All", "Registered", "Contracted", "Platinum")


def assign_tiers(frame: pd.DataFrame, flags: Mapping[str, str] | None = None,
                 spend: str | None = None, thresholds: Mapping[str, float] | None = None) -> pd.Series:
    """Tier of each row by stated rules, highest rule that holds wins.

    ``flags`` maps a tier to a boolean column (e.g. ``{"Registered": "registered",
    "Contracted": "contracted", "Platinum": "platinum"}``); ``thresholds`` maps a tier to
    the least ``spend`` (currency per period) that earns it. Rows meeting no rule are
    ``All``. The result is an ordered categorical over :data:`TIERS`.
    """
    flags, thresholds = dict(flags or {}), dict(thresholds or {})
    unknown = [t for t in [*flags, *thresholds] if t not in TIERS[1:]]
    if unknown:
        raise ValueError(f"assign_tiers: unknown tier(s) {unknown}; tiers are {TIERS[1:]}")
    require_columns(frame, [*flags.values(), *([spend] if thresholds else [])], "assign_tiers")
    code = np.zeros(len(frame), dtype="int64")
    for level, tier in enumerate(TIERS[1:], start=1):
        hold = np.zeros(len(frame), dtype=bool)
        if tier in flags:
            hold |= frame[flags[tier]].to_numpy(dtype=bool)
        if tier in thresholds:
            hold |= frame[spend].to_numpy(dtype="float64") >= thresholds[tier]
        code = np.where(hold, level, code)
    return pd.Series(pd.Categorical.from_codes(code, TIERS, ordered=True), index=frame.index,
                     name="tier")


def tier_economics(frame: pd.DataFrame, tier: str = "tier", spend: str = "spend",
                   margin_rate: float = 0.2, cost_to_serve: Mapping[str, float] | None = None) -> pd.DataFrame:
    """The pyramid: one row per tier (bottom to top).

    ``spend`` is currency per account (one period), ``margin_rate`` the gross margin as a
    share of spend, ``cost_to_serve`` the currency per account and period that the tier's
    benefits cost. Columns: ``customers``, ``revenue``, ``margin``, ``cost_to_serve``,
    ``profit``, the shares of customers, revenue, margin and profit, and
    ``profit_per_customer``.
    """
    require_columns(frame, [tier, spend], "tier_economics")
    if not 0 <= margin_rate <= 1:
        raise ValueError(f"margin_rate must be in [0, 1]; got {margin_rate}")
    costs = pd.Series(dict(cost_to_serve or {}), dtype="float64").reindex(list(TIERS), fill_value=0.0)
    g = frame.groupby(frame[tier].astype(str))[spend]
    table = pd.DataFrame({"customers": g.size(), "revenue": g.sum()}).reindex(list(TIERS), fill_value=0)
    table["margin"] = margin_rate * table["revenue"]
    table["cost_to_serve"] = costs * table["customers"]
    table["profit"] = table["margin"] - table["cost_to_serve"]
    for col in ("customers", "revenue", "margin", "profit"):
        table[f"{col}_share"] = table[col] / table[col].sum()
    table["profit_per_customer"] = table["profit"] / table["customers"].where(table["customers"] > 0)
    table.index.name = "tier"
    return table


def tier_migration(panel: pd.DataFrame, account: str = "account_id", period: str = "period",
                   tier: str = "tier") -> pd.DataFrame:
    """Counts of accounts from each tier (rows) to each tier (columns) between consecutive
    periods, pooled over periods (accounts present in both)."""
    require_columns(panel, [account, period, tier], "tier_migration")
    wide = panel.pivot(index=account, columns=period, values=tier)
    periods = sorted(wide.columns)
    pairs = [pd.DataFrame({"from": wide[a], "to": wide[b]}).dropna()
             for a, b in zip(periods[:-1], periods[1:])]
    if not pairs:
        raise ValueError("tier_migration: need at least two periods")
    moves = pd.concat(pairs)
    counts = pd.crosstab(moves["from"].astype(str), moves["to"].astype(str))
    return counts.reindex(index=list(TIERS), columns=list(TIERS), fill_value=0).rename_axis(
        index="from", columns="to")


def upgrade_effects(panel: pd.DataFrame, account: str = "account_id", period: str = "period",
                    tier: str = "tier", spend: str = "spend", level: float = 0.95) -> pd.DataFrame:
    """Log spend effect of moving up one tier, per boundary (difference in differences).

    For each boundary lower → upper and each pair of consecutive periods, accounts in
    ``lower`` at the first period are movers if in ``upper`` at the second and stayers if
    still in ``lower``; the estimate is mean Δlog spend of movers minus that of stayers,
    pooled over period pairs, with a Welch standard error. Rows indexed
    ``"lower → upper"``, the estimate table columns plus ``movers`` and ``stayers``.
    A boundary with fewer than two movers or stayers has NaN estimates.
    """
    require_columns(panel, [account, period, tier, spend], "upgrade_effects")
    if (panel[spend] <= 0).any():
        rows = panel.index[panel[spend] <= 0][:10].tolist()
        raise ValueError(f"upgrade_effects: spend must be positive for log growth; rows {rows}")
    wide_tier = panel.pivot(index=account, columns=period, values=tier)
    wide_log = np.log(panel.pivot(index=account, columns=period, values=spend))
    periods = sorted(wide_tier.columns)
    est, se, movers_n, stayers_n, names = [], [], [], [], []
    for lower, upper in zip(TIERS[:-1], TIERS[1:]):
        movers, stayers = [], []
        for a, b in zip(periods[:-1], periods[1:]):
            start, end = wide_tier[a].astype(str), wide_tier[b].astype(str)
            growth = wide_log[b] - wide_log[a]
            movers.append(growth[(start == lower) & (end == upper)].dropna())
            stayers.append(growth[(start == lower) & (end == lower)].dropna())
        m, s = pd.concat(movers), pd.concat(stayers)
        names.append(f"{lower} → {upper}")
        movers_n.append(len(m))
        stayers_n.append(len(s))
        if len(m) < 2 or len(s) < 2:
            est.append(np.nan)
            se.append(np.nan)
            continue
        est.append(m.mean() - s.mean())
        se.append(np.sqrt(m.var(ddof=1) / len(m) + s.var(ddof=1) / len(s)))
    est, se = np.array(est), np.array(se)
    with np.errstate(invalid="ignore"):
        p_value = 2 * stats.norm.sf(np.abs(est / se))
    table = estimate_table(est, se, p_value=p_value, level=level, index=names)
    table["movers"], table["stayers"] = movers_n, stayers_n
    return table


def upgrade_value(effects: pd.DataFrame, panel: pd.DataFrame, margin_rate: float,
                  cost_to_serve: Mapping[str, float], feedback_per_account: Mapping[str, float] | None = None,
                  tier: str = "tier", spend: str = "spend") -> pd.DataFrame:
    """Currency per account and period of moving one account up each boundary.

    value = (exp(effect) − 1) × mean spend of the lower tier × margin_rate
    + (feedback value per account of the upper tier − of the lower)
    − (cost to serve of the upper tier − of the lower),
    with the interval from the effect's interval (the other terms taken as known).
    Columns ``estimate``, ``ci_low``, ``ci_high``, ``level`` and the three parts
    ``spend_margin``, ``feedback``, ``extra_cost_to_serve``.
    """
    costs = pd.Series(dict(cost_to_serve), dtype="float64").reindex(list(TIERS), fill_value=0.0)
    feedback = pd.Series({} if feedback_per_account is None else dict(feedback_per_account),
                         dtype="float64").reindex(list(TIERS), fill_value=0.0)
    mean_spend = panel.groupby(panel[tier].astype(str))[spend].mean()
    rows = {}
    for name, row in effects.iterrows():
        lower, upper = name.split(" → ")
        extra = costs[upper] - costs[lower]
        more_feedback = feedback[upper] - feedback[lower]
        base = mean_spend.get(lower, np.nan) * margin_rate
        rows[name] = {k: (np.exp(row[k]) - 1) * base + more_feedback - extra
                      for k in ("estimate", "ci_low", "ci_high")}
        rows[name].update(spend_margin=(np.exp(row["estimate"]) - 1) * base,
                          feedback=more_feedback, extra_cost_to_serve=extra)
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.insert(3, "level", effects["level"])
    return out


def feedback_value(feedback: pd.DataFrame, accounts: pd.DataFrame, adoption: Mapping[str, float],
                   value_per_adopted: Mapping[str, float], tier: str = "tier",
                   category: str = "category") -> pd.DataFrame:
    """Feedback items per tier, their expected value, and the value per account.

    ``adoption`` is the share of items of each category that lead to an action (a product
    change, a fixed process), ``value_per_adopted`` the currency one action is worth;
    ``accounts`` are the account-periods the items came from (for the per-account rate).
    Columns: one count per category, ``items``, ``items_per_account``, ``value``,
    ``value_per_account``.
    """
    require_columns(feedback, [tier, category], "feedback")
    counts = pd.crosstab(feedback[tier].astype(str), feedback[category]).reindex(list(TIERS), fill_value=0)
    missing = [c for c in counts.columns if c not in adoption or c not in value_per_adopted]
    if missing:
        raise ValueError(f"feedback_value: no adoption or value given for categories {missing}")
    worth = pd.Series({c: adoption[c] * value_per_adopted[c] for c in counts.columns})
    table = counts.copy()
    table["items"] = counts.sum(axis=1)
    n = accounts.groupby(accounts[tier].astype(str)).size().reindex(list(TIERS), fill_value=0)
    table["items_per_account"] = table["items"] / n.where(n > 0)
    table["value"] = counts.mul(worth, axis=1).sum(axis=1)
    table["value_per_account"] = table["value"] / n.where(n > 0)
    table.index.name = "tier"
    return table



def expected_feedback_value(rate_by_tier: Mapping[str, float], category_shares: Mapping[str, float],
                            adoption: Mapping[str, float], value_per_adopted: Mapping[str, float]) -> pd.Series:
    """Expected feedback value per account and period by tier, from item rates and the
    category mix: rate × Σ share × adoption × value (the truth behind :func:`feedback_value`)."""
    per_item = sum(category_shares[c] * adoption[c] * value_per_adopted[c] for c in category_shares)
    return pd.Series({t: rate_by_tier.get(t, 0.0) * per_item for t in TIERS})
