"""Trigger rules (personalised events) for identified customers, their expected value, and
the notebook's decision.

Rules (each returns one row per customer it fires for):

* :func:`abandoned_carts`: a session reached the cart but not checkout, and the customer
  did not check out within ``within_hours`` hours after it; fires ``within_hours`` after
  the cart. Carts too recent to know (cart + N hours after the log's end) are left out.
* :func:`repeated_views`: at least ``min_views`` product views in the last ``days`` days of
  the log and no checkout in that window.

:func:`trigger_value`: expected value of contacting the customers a rule fires for, under
stated assumptions: each contacted customer orders with probability ``response_rate``
(currency ``order_value`` × ``margin`` earned per order) and costs ``contact_cost``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crm_analysis.common import require_columns


def _customer_sessions(sessions: pd.DataFrame, reached: pd.DataFrame, identified: pd.DataFrame) -> pd.DataFrame:
    link = identified.set_index("visitor")["customer_id"]
    s = sessions.assign(customer_id=link.reindex(sessions["visitor"]).to_numpy()).dropna(subset=["customer_id"])
    r = reached.reindex(s.index).fillna(False).astype(bool)
    return s.assign(cart=r["cart"].to_numpy(), checkout=r["checkout"].to_numpy())


def abandoned_carts(sessions: pd.DataFrame, reached: pd.DataFrame, identified: pd.DataFrame,
                    within_hours: float = 24.0, log_end=None) -> pd.DataFrame:
    """Customers with a cart left without checkout for ``within_hours`` hours.

    ``sessions``: human session table (``visitor``, ``start``, ``end``); ``reached``: steps
    reached per session; ``identified``: visitor → customer. Returns customer_id,
    cart_time (end of the latest abandoned cart session), fire_time.
    """
    require_columns(sessions, ["visitor", "start", "end"], "sessions")
    if not within_hours > 0:
        raise ValueError(f"within_hours must be > 0; got {within_hours!r}")
    s = _customer_sessions(sessions, reached, identified)
    end = pd.Timestamp(log_end) if log_end is not None else sessions["end"].max()
    wait = pd.Timedelta(hours=within_hours)
    carts = s[s["cart"] & ~s["checkout"]][["customer_id", "end"]].rename(columns={"end": "cart_time"})
    carts = carts[carts["cart_time"] + wait <= end]
    buys = s[s["checkout"]][["customer_id", "start"]]
    pairs = carts.reset_index().merge(buys, on="customer_id", how="left")
    bought = (pairs["start"] > pairs["cart_time"]) & (pairs["start"] <= pairs["cart_time"] + wait)
    bought_ids = pairs.loc[bought, "session"].unique()
    left = carts[~carts.index.isin(bought_ids)].sort_values("cart_time").drop_duplicates("customer_id", keep="last")
    return left.assign(fire_time=left["cart_time"] + wait).sort_values("customer_id").reset_index(drop=True)


def repeated_views(sessions: pd.DataFrame, pages: pd.DataFrame, reached: pd.DataFrame, identified: pd.DataFrame,
                   min_views: int = 3, days: float = 7.0) -> pd.DataFrame:
    """Customers with ≥ ``min_views`` product views in the log's last ``days`` days and no
    checkout then. Returns customer_id, product_views, last_view."""
    if min_views < 1:
        raise ValueError(f"min_views must be at least 1; got {min_views!r}")
    s = _customer_sessions(sessions, reached, identified)
    since = sessions["end"].max() - pd.Timedelta(days=days)
    recent = s[s["start"] >= since]
    p = pages[pages["page_type"].eq("product") & pages["session"].isin(recent.index)]
    views = p.assign(customer_id=recent["customer_id"].reindex(p["session"]).to_numpy())
    per = views.groupby("customer_id").agg(product_views=("time", "size"), last_view=("time", "max"))
    buyers = recent.loc[recent["checkout"], "customer_id"].unique()
    out = per[(per["product_views"] >= min_views) & ~per.index.isin(buyers)]
    return out.reset_index().sort_values("customer_id", ignore_index=True)


def trigger_value(fired: dict[str, int], response_rate: dict[str, float], order_value: float,
                  margin: float, contact_cost: float) -> pd.DataFrame:
    """Expected value of each rule, one row per rule (currency units).

    customers × response_rate = expected orders; × order_value × margin = expected margin;
    minus customers × contact_cost = expected_value.
    """
    missing = sorted(set(fired) - set(response_rate))
    if missing:
        raise ValueError(f"trigger_value: no response rate for rule(s) {missing}")
    rows = {}
    for rule, n in fired.items():
        rate = float(response_rate[rule])
        if not 0 <= rate <= 1:
            raise ValueError(f"trigger_value: response rate of {rule!r} must be in [0, 1]; got {rate}")
        orders = n * rate
        rows[rule] = {"customers": int(n), "response_rate": rate, "expected_orders": orders,
                      "expected_margin": orders * order_value * margin, "cost": n * contact_cost}
    table = pd.DataFrame(rows).T
    table["expected_value"] = table["expected_margin"] - table["cost"]
    table["switch_on"] = table["expected_value"] > 0
    return table.astype({"customers": int, "switch_on": bool})


def extra_checkouts(funnel_table: pd.DataFrame, points: float = 0.05) -> pd.Series:
    """Extra sessions reaching the last step if one step's conversion rose by ``points``
    (absolute, e.g. 0.05 = 5 percentage points), all else equal, per step (first step
    excluded: it is the share of sessions that see the home page at all). With no session
    at the last step there is nothing to multiply and every gain is 0."""
    conv = funnel_table["conversion"].iloc[1:]
    last = float(funnel_table["sessions"].iloc[-1])
    if last == 0:
        return pd.Series(0.0, index=conv.index, name="extra_checkouts")
    gain = last * ((conv + points).clip(upper=1.0) / conv - 1.0)
    return gain.rename("extra_checkouts")


@dataclass(frozen=True)
class Decision:
    """What the notebook recommends and the figures it rests on."""

    fix_step: str
    fix_gain: float
    fix_clear: bool
    triggers_on: tuple[str, ...]
    triggers_value: float
    bot_page_share: float
    conversion_with_bots: float
    conversion_without_bots: float
    points: float = 0.05
    triggers_off: tuple[str, ...] = ()

    def sentences(self) -> list[str]:
        """The decision in words, every figure taken from the fields."""
        if self.fix_gain <= 0:
            fix = (f"No session reached the funnel's last step, so no step can be ranked by checkouts: check the "
                   f"URL patterns of the steps against the site (the first step hardly anyone reached is "
                   f"**{self.fix_step}**).")
            return [fix, *self._other_sentences()]
        fix = (f"Work on the step into **{self.fix_step}** first: raising its conversion by "
               f"{self.points * 100:g} percentage points adds about {self.fix_gain:.0f} checkouts in this log, more than the "
               "same gain at any other step")
        fix += (" (its interval lies below every other step's, so the choice is clear)." if self.fix_clear else
                " (its interval overlaps another step's: confirm with more data before investing).")
        return [fix, *self._other_sentences()]

    def _other_sentences(self) -> list[str]:
        if self.triggers_on:
            rules = ", ".join(self.triggers_on)
            trig = (f"Switch on the trigger rule(s) {rules}: together they are expected to earn "
                    f"{self.triggers_value:,.2f} (currency) over this log's period under the stated response "
                    "rates" + (f"; leave {', '.join(self.triggers_off)} off, its expected value is not positive."
                               if self.triggers_off else "."))
        else:
            trig = ("Switch on no trigger rule: none has a positive expected value under the stated response "
                    "rates and costs.")
        bots = (f"Filter bots before any KPI: they made {self.bot_page_share:.0%} of all page views, and "
                f"counting them as visitors puts the visit-to-checkout conversion at {self.conversion_with_bots:.2%} "
                f"instead of {self.conversion_without_bots:.2%}.")
        return [trig, bots]


def decide(funnel_table: pd.DataFrame, trigger_table: pd.DataFrame, bot_page_share: float,
           conversion_with_bots: float, points: float = 0.05) -> Decision:
    """The step whose conversion to improve (most extra checkouts for ``points``; *clear*
    when its interval lies below every other step's), the trigger rules with positive
    expected value, and the bot figures quoted in the decision."""
    gains = extra_checkouts(funnel_table, points)
    if gains.max() > 0:
        step = str(gains.idxmax())
        others = funnel_table.iloc[1:].drop(index=step)
        clear = bool((funnel_table.loc[step, "ci_high"] < others["ci_low"]).all())
    else:  # no session reached the last step: name the first step nobody (or fewest) passed
        step = str(funnel_table["conversion"].iloc[1:].fillna(0.0).idxmin())
        clear = False
    on = tuple(trigger_table.index[trigger_table["expected_value"] > 0])
    value = float(trigger_table.loc[list(on), "expected_value"].sum()) if on else 0.0
    last = funnel_table.iloc[-1]
    return Decision(step, float(gains.max()), clear, on, value, float(bot_page_share),
                    float(conversion_with_bots), float(last["sessions"] / max(funnel_table["from_previous"].iloc[0], 1)),
                    float(points), tuple(trigger_table.index[trigger_table["expected_value"] <= 0]))
