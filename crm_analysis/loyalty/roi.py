"""Deadweight and return on investment of a loyalty program.

Money is in currency units over the evaluation window (``n_periods`` months after
launch). The program's cost is the rewards paid (``reward_rate`` × all members' spend in
the window) plus a fixed cost; its gain is the margin on the *incremental* spend, i.e.
the causal effect × members × months. ROI = (gain − cost) / cost, a ratio (0.1 = 10%).

ROI is increasing and linear in the effect, so the ends of the effect's interval map to
the ends of the ROI interval. The reward rate is assumed not to change the effect (the
break-even curve answers "how generous could this program, with this effect, be?").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..estimates import estimate_table


@dataclass(frozen=True)
class ProgramROI:
    """Program economics over the window; money in currency units, rates as ratios.

    ``roi`` with ``ci_low``/``ci_high``: the ROI and its interval, mapped from the effect's
    interval at ``level`` (:meth:`table` gives the estimate table).
    """

    roi: float
    ci_low: float
    ci_high: float
    incremental_spend: float
    incremental_margin: float
    reward_cost: float
    fixed_cost: float
    deadweight_survey: float
    deadweight_effect: float
    break_even_reward_rate: float
    level: float = 0.95

    def as_dict(self) -> dict:
        """ROI with its interval as ``{estimate, ci_low, ci_high}`` (for ``record``)."""
        return {"estimate": self.roi, "ci_low": self.ci_low, "ci_high": self.ci_high}

    def table(self) -> pd.DataFrame:
        """The ROI as a one-row estimate table (index ``roi``; no standard error)."""
        return estimate_table(self.roi, ci_low=self.ci_low, ci_high=self.ci_high,
                              level=self.level, index=["roi"])


def _check(name: str, value: float, low: float = 0.0, high: float = np.inf) -> None:
    if not np.isfinite(value) or not low <= value <= high:
        raise ValueError(f"{name} must be in [{low}, {high}], got {value}")


def program_roi(effect: dict, n_members: int, member_spend: float, n_periods: int,
                margin_rate: float, reward_rate: float, fixed_cost: float = 0.0,
                would_buy_anyway_share: float = 0.875) -> ProgramROI:
    """ROI of the program with the interval implied by the effect's interval.

    Parameters
    ----------
    effect : ``{estimate, ci_low, ci_high[, level]}``, causal lift in currency units per
        member per month (e.g. ``EffectEstimate.as_dict()``), or a one-row estimate table
        (e.g. ``EffectEstimate.table()``).
    n_members : members in the window.
    member_spend : members' total spend in the window, currency units (rewards are paid
        on all of it).
    n_periods : months in the window.
    margin_rate : contribution margin per unit of spend (0.25 = 25%).
    reward_rate : rewards paid per unit of member spend (0.02 = 2% back).
    fixed_cost : running cost of the program in the window, currency units.
    would_buy_anyway_share : share of members who would buy without the program (the
        sources' 87.5%); their rewards are the survey's deadweight.

    ``break_even_reward_rate`` is the reward rate at which ROI is zero; negative when the
    incremental margin does not cover the fixed cost. ``deadweight_survey`` is the survey
    share × rewards paid; ``deadweight_effect`` counts the rewards paid on non-incremental
    spend, reward_rate × (member_spend − incremental spend), using the estimated effect.
    """
    if isinstance(effect, pd.DataFrame):
        if len(effect) != 1:
            raise ValueError(f"effect: give a one-row estimate table; got {len(effect)} rows")
        effect = effect.iloc[0].to_dict()
    for key in ("estimate", "ci_low", "ci_high"):
        if key not in effect:
            raise ValueError(f"effect needs key {key!r}; got {sorted(effect)}")
    _check("margin_rate", margin_rate, 0.0, 1.0)
    _check("reward_rate", reward_rate, 0.0, 1.0)
    _check("would_buy_anyway_share", would_buy_anyway_share, 0.0, 1.0)
    _check("fixed_cost", fixed_cost)
    if n_members < 1 or n_periods < 1 or member_spend <= 0:
        raise ValueError("n_members, n_periods and member_spend must be positive, got "
                         f"{n_members}, {n_periods}, {member_spend}")
    cost = reward_rate * member_spend + fixed_cost
    if cost <= 0:
        raise ValueError("the program costs nothing (reward_rate and fixed_cost are 0); "
                         "ROI is undefined")

    def roi(lift: float) -> float:
        return (margin_rate * lift * n_members * n_periods - cost) / cost

    incremental = effect["estimate"] * n_members * n_periods
    return ProgramROI(
        roi=float(roi(effect["estimate"])), ci_low=float(roi(effect["ci_low"])),
        ci_high=float(roi(effect["ci_high"])),
        incremental_spend=float(incremental), incremental_margin=float(margin_rate * incremental),
        reward_cost=float(reward_rate * member_spend), fixed_cost=float(fixed_cost),
        deadweight_survey=float(would_buy_anyway_share * reward_rate * member_spend),
        deadweight_effect=float(reward_rate * max(member_spend - incremental, 0.0)),
        break_even_reward_rate=float((margin_rate * incremental - fixed_cost) / member_spend),
        level=float(effect.get("level", 0.95)),
    )


def roi_by_reward_rate(effect: dict, reward_rates, **kwargs) -> pd.DataFrame:
    """ROI and its interval over a grid of reward rates (other arguments as program_roi).

    Returns columns reward_rate, estimate (the ROI), std_err (NaN: the interval is mapped
    from the effect's), ci_low, ci_high, level. The effect is held fixed.
    """
    rows = []
    for rate in np.asarray(reward_rates, dtype=float):
        result = program_roi(effect, reward_rate=float(rate), **kwargs)
        rows.append({"reward_rate": rate, "estimate": result.roi, "std_err": np.nan,
                     "ci_low": result.ci_low, "ci_high": result.ci_high, "level": result.level})
    return pd.DataFrame(rows)
