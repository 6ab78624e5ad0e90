"""Revitalisation (재활성화) list: customers whose expected value fell between two
snapshots, ranked by the value at stake, with the reasons the data show and the expected
value of a reactivation offer.

The expected value uses notebook 03's BG/NBD model (:class:`crm_analysis.clv.BGNBD`,
fitted on the purchase history up to ``now``; weeks as the time unit): for each customer
who had bought by ``before``, P(alive) and the expected purchases in the next
``horizon_weeks`` are evaluated on their history up to ``before`` and up to ``now`` with the
same parameters. Value (currency) = expected purchases × the customer's mean spend per
purchase day up to ``now`` × ``margin_rate``. The value at stake is value before − value
now.

Reasons, from the customer's own history (a purchase is a purchase day):

* ``lower frequency``: fewer purchases in (before, now] than 0.8 × their average per
  period of the same length before ``before``;
* ``longer gap``: the time since the last purchase at ``now`` exceeds 1.5 × their mean
  gap between purchases (one-time buyers: exceeds the period length);
* ``smaller baskets``: they bought in (before, now] and spent less than 0.8 × their
  earlier mean per purchase.

Reactivation offer (stated assumptions): it costs ``offer_cost`` per customer; a customer
who is still alive accepts with probability ``offer_response`` and then returns to the
value they had at ``before``. Its expected value is offer_response × P(alive now) ×
value at stake − offer_cost (currency).

The ranking does not depend on the row order of the transactions: they are put in a
canonical order (customer, date, amount) first and ties are broken by customer id.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_analysis.clv import BGNBD, ConvergenceError, summarize_transactions
from crm_analysis.common import require_columns, top_k

GAP_FACTOR = 1.5
FREQUENCY_FACTOR = 0.8
BASKET_FACTOR = 0.8


def _per_customer(days: pd.DataFrame, lo, hi) -> pd.DataFrame:
    part = days[(days["date"] > lo) & (days["date"] <= hi)] if lo is not None else days[days["date"] <= hi]
    return part.groupby("customer_id", sort=True).agg(n=("amount", "size"), spend=("amount", "sum"),
                                                      first=("date", "min"), last=("date", "max"))


def revitalisation_list(transactions: pd.DataFrame, *, now, before, margin_rate: float = 0.3,
                        horizon_weeks: float = 13.0, offer_cost: float = 5.0,
                        offer_response: float = 0.2, model: BGNBD | None = None) -> pd.DataFrame:
    """Every customer who had bought by ``before`` with their value before and now, ranked.

    Parameters
    ----------
    transactions : ``customer_id``, ``date``, ``amount`` (currency, ≥ 0); rows after ``now`` are ignored.
    now, before : the two snapshot dates (``before`` < ``now``; one period apart in the notebook).
    margin_rate : profit as a share of spend, [0, 1].
    horizon_weeks : horizon of the expected purchases, weeks (13 ≈ a quarter).
    offer_cost : cost of one reactivation offer (currency).
    offer_response : share of alive customers the offer brings back to their earlier value, [0, 1].
    model : a fitted BG/NBD in weeks; fitted on the history up to ``now`` when None.

    Raises ``ValueError`` when the BG/NBD model cannot be fitted (e.g. every customer drops
    out at the same rate, so its heterogeneity parameters run off to infinity).

    Returns a frame indexed by ``customer_id``, best-first by ``value_at_stake`` (ties by
    id), with ``rank`` (1 = most at stake), the P(alive), expected purchases and values
    before and now, ``value_at_stake``, ``candidate`` (value fell), the reason flags and
    text, and ``offer_value``.
    """
    require_columns(transactions, ["customer_id", "date", "amount"], "transactions")
    now, before = pd.Timestamp(now), pd.Timestamp(before)
    if not before < now:
        raise ValueError(f"before ({before.date()}) must be earlier than now ({now.date()})")
    for name, value in {"margin_rate": margin_rate, "offer_response": offer_response}.items():
        if not 0 <= value <= 1:
            raise ValueError(f"{name} must be in [0, 1], got {value!r}")
    if horizon_weeks <= 0 or offer_cost < 0:
        raise ValueError(f"horizon_weeks must be > 0 and offer_cost >= 0; got {horizon_weeks!r}, {offer_cost!r}")
    tx = transactions[["customer_id", "date", "amount"]]
    tx = tx[tx["date"] <= now].astype({"customer_id": "str"})
    tx = tx.sort_values(["customer_id", "date", "amount"], kind="stable", ignore_index=True)
    if (tx["date"] <= before).sum() == 0:
        raise ValueError(f"transactions: no purchase on or before {before.date()}")
    s_now = summarize_transactions(tx, time_unit="W", observation_end=now)
    s_before = summarize_transactions(tx[tx["date"] <= before], time_unit="W", observation_end=before)
    if model is None:
        try:
            model = BGNBD().fit(s_now)
        except ConvergenceError as err:
            raise ValueError(
                f"revitalisation_list: the BG/NBD model cannot be fitted to the purchases up to {now.date()} "
                f"({len(s_now):,} customers): {err} Use a longer history or more customers, or pass a "
                "fitted model with model=.") from err
    s_now = s_now.loc[s_before.index]

    def evaluate(s):
        x, t_x, T = s["frequency"], s["recency_weeks"], s["T_weeks"]
        return model.p_alive(x, t_x, T), model.conditional_expected_purchases(horizon_weeks, x, t_x, T)

    alive_b, exp_b = evaluate(s_before)
    alive_n, exp_n = evaluate(s_now)
    days = tx.assign(date=tx["date"].dt.floor("D")).groupby(["customer_id", "date"], sort=True,
                                                            as_index=False)["amount"].sum()
    everything = _per_customer(days, None, now).loc[s_before.index]
    earlier = _per_customer(days, None, before).loc[s_before.index]
    recent = _per_customer(days, before, now).reindex(s_before.index)
    spend = everything["spend"] / everything["n"]
    period_days = (now - before).days
    earlier_periods = np.maximum((before - earlier["first"]).dt.days / period_days, 1.0)
    gap_now = (now - everything["last"]).dt.days
    mean_gap = ((everything["last"] - everything["first"]).dt.days / (everything["n"] - 1)).where(everything["n"] > 1)
    recent_n = recent["n"].fillna(0)
    lower_frequency = recent_n < FREQUENCY_FACTOR * earlier["n"] / earlier_periods
    longer_gap = np.where(mean_gap.notna(), gap_now > GAP_FACTOR * mean_gap, gap_now > period_days)
    smaller = (recent_n > 0) & (recent["spend"] / recent["n"] < BASKET_FACTOR * earlier["spend"] / earlier["n"])
    out = pd.DataFrame({
        "p_alive_before": alive_b, "p_alive_now": alive_n,
        "expected_purchases_before": exp_b, "expected_purchases_now": exp_n,
        "spend_per_purchase": spend.to_numpy(),
    }, index=s_before.index)
    out["value_before"] = out["expected_purchases_before"] * out["spend_per_purchase"] * margin_rate
    out["value_now"] = out["expected_purchases_now"] * out["spend_per_purchase"] * margin_rate
    out["value_at_stake"] = out["value_before"] - out["value_now"]
    out["candidate"] = out["value_at_stake"] > 0
    out["lower_frequency"] = lower_frequency.to_numpy()
    out["longer_gap"] = np.asarray(longer_gap, dtype=bool)
    out["smaller_baskets"] = smaller.fillna(False).to_numpy(dtype=bool)
    out["days_since_last"] = gap_now.to_numpy()
    flags = out[["lower_frequency", "longer_gap", "smaller_baskets"]].to_numpy()
    names = np.array(["lower frequency", "longer gap", "smaller baskets"])
    out["reasons"] = ["; ".join(names[f]) if f.any() else "none seen" for f in flags]
    out["offer_value"] = offer_response * out["p_alive_now"] * out["value_at_stake"] - offer_cost
    order = top_k(out["value_at_stake"].to_numpy(), len(out), tie_key=out.index.to_numpy())
    out = out.iloc[order]
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out


def offer_policies(revitalisation: pd.DataFrame, top_share: float = 0.1) -> pd.DataFrame:
    """Expected total value (currency) and offers sent of the reactivation choices: offers
    to customers with a positive expected offer value (the recommendation), to every
    candidate, to the top ``top_share`` of customers by value at stake, and to nobody."""
    v = revitalisation["offer_value"]
    cand = revitalisation["candidate"]
    n_top = int(np.ceil(top_share * len(revitalisation)))
    chosen = {
        "positive expected value": v > 0,
        "every candidate": cand,
        f"top {top_share:.0%} by value at stake": revitalisation["rank"] <= n_top,
        "nobody": pd.Series(False, index=v.index),
    }
    return pd.DataFrame({"offers": {k: int(m.sum()) for k, m in chosen.items()},
                         "expected_value": {k: float(v[m].sum()) for k, m in chosen.items()}})
