"""Notebook 03's Decision, written from the run's figures.

:func:`decision_text` turns the lifetime-value figures of a run into markdown bullets;
every number and the holdout verdict come from its arguments, and the bullets that need a
fitted purchase model are left out when none could be fitted. :func:`holdout_trusted` is
the verdict rule (the model's holdout total within ``tolerance``, a share, of the actual
count); :func:`low_frequency_error` the relative error of the expected holdout purchases
of the customers with few calibration repeat purchases.
"""

from __future__ import annotations

import pandas as pd


def holdout_trusted(predicted: float, actual: float, tolerance: float = 0.10) -> bool:
    """True when the predicted holdout purchases are within ``tolerance`` (share) of the actual."""
    if actual <= 0:
        raise ValueError(f"actual holdout purchases must be positive, got {actual!r}")
    return abs(predicted / actual - 1) <= tolerance


def low_frequency_error(holdout_table: pd.DataFrame, frequencies=("1", "2")) -> float:
    """Expected / actual holdout purchases − 1 over the customers whose calibration frequency
    is in ``frequencies`` (rows of :func:`crm_analysis.clv.holdout_by_frequency`)."""
    rows = holdout_table[holdout_table["frequency"].isin(list(frequencies))]
    actual = float((rows["actual"] * rows["customers"]).sum())
    if actual <= 0:
        return float("nan")
    return float((rows["expected"] * rows["customers"]).sum()) / actual - 1


def decision_text(*, naive_retention: float, del_naive: float, del_sbg: float, derl5: float,
                  err_sbg: float, err_constant: float, top10_share: float | None = None,
                  total_clv: float | None = None, model_label: str | None = None,
                  holdout_predicted: float | None = None, holdout_actual: float | None = None,
                  holdout_others: dict | None = None, low_freq_error: float | None = None,
                  tolerance: float = 0.10) -> str:
    """Markdown bullets: whom to invest in, how much, which lever, and the holdout verdict.

    Shares are fractions (0.57 = 57 %); CLV in the data's currency; DEL/DERL in payments;
    projection errors in survivors per 1,000; purchases are counts. Without ``model_label``
    (no purchase model fitted) only the contractual (sBG) bullet is written.
    """
    lines = []
    if model_label is not None:
        lines += [
            f"- **Whom to invest in.** The top 10 % of customers by CLV hold {top10_share:.0%} of the total "
            f"CLV of {total_clv:,.0f}. Protect them first and watch their P(alive): a valuable customer whose "
            "P(alive) falls is the one to reactivate (재활성화) now.",
            "- **How much.** A retention or reactivation offer is worth at most the CLV it saves: (increase in "
            "P(alive)) × CLV per customer, never more than the customer's CLV; acquisition cost should stay "
            "below a new customer's CLV.",
        ]
    lines.append(
        f"- **Which lever.** The constant retention rate {naive_retention:.3f} gives a new customer "
        f"{del_naive:.2f} payments against the sBG's {del_sbg:.2f}, and the same value at every tenure, while "
        f"the sBG gives {derl5:.2f} to a customer who has renewed five times. Projecting years 8–12 of the "
        f"Regular segment, the sBG is off by {err_sbg:.0f} survivors of 1,000 on average, the constant rate by "
        f"{err_constant:.0f}: " + ("value contract customers with the sBG." if err_sbg < err_constant else
                                   "here the constant rate projects better; check the sBG's fit before using it."))
    if model_label is not None:
        error = holdout_predicted / holdout_actual - 1
        others = "".join(f"; {k} {v:,.0f}" for k, v in (holdout_others or {}).items())
        verdict = (f"within ±{tolerance:.0%}: use the totals for budgeting and the ranking for targeting."
                   if holdout_trusted(holdout_predicted, holdout_actual, tolerance) else
                   f"more than ±{tolerance:.0%} off: use the model to rank customers, not to budget totals, "
                   "until it is refitted on more recent data or a better-fitting model is found.")
        low = ("" if low_freq_error is None or low_freq_error != low_freq_error else
               f"; for customers with 1–2 calibration repeat purchases it is off by {low_freq_error:+.0%}")
        lines.append(f"- **Holdout verdict.** {model_label} predicts {holdout_predicted:,.0f} holdout purchases "
                     f"against {holdout_actual:,.0f} actual ({error:+.0%}{others}){low}. The total is " + verdict)
    return "\n".join(lines)
