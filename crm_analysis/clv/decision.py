"""Notebook 03's Decision, written from the run's figures.

:func:`decision_text` turns the lifetime-value figures of a run into markdown bullets;
every number and the holdout verdict come from its arguments. :func:`holdout_trusted`
is the verdict rule: the model's holdout total within ``tolerance`` (a share) of the
actual count.
"""

from __future__ import annotations


def holdout_trusted(predicted: float, actual: float, tolerance: float = 0.10) -> bool:
    """True when the predicted holdout purchases are within ``tolerance`` (share) of the actual."""
    if actual <= 0:
        raise ValueError(f"actual holdout purchases must be positive, got {actual!r}")
    return abs(predicted / actual - 1) <= tolerance


def decision_text(*, top10_share: float, total_clv: float, naive_retention: float, del_naive: float,
                  del_sbg: float, derl5: float, err_sbg: float, err_constant: float,
                  holdout_predicted: float, holdout_actual: float, holdout_pareto: float,
                  low_freq_error: float, tolerance: float = 0.10) -> str:
    """Markdown bullets: whom to invest in, how much, which lever, and the holdout verdict.

    Shares are fractions (0.57 = 57 %); CLV in the data's currency; DEL/DERL in payments;
    projection errors in survivors per 1,000; purchases are counts.
    """
    error = holdout_predicted / holdout_actual - 1
    sbg_better = err_sbg < err_constant
    verdict = ("within ±{:.0%}: use the totals for budgeting and the ranking for targeting.".format(tolerance)
               if holdout_trusted(holdout_predicted, holdout_actual, tolerance) else
               "more than ±{:.0%} off: use the model to rank customers, not to budget totals, until it is "
               "refitted on more recent data or a better-fitting model is found.".format(tolerance))
    return "\n".join([
        f"- **Whom to invest in.** The top 10 % of customers by CLV hold {top10_share:.0%} of the total CLV of "
        f"{total_clv:,.0f}. Protect them first and watch their P(alive): a valuable customer whose P(alive) "
        "falls is the one to reactivate (재활성화) now.",
        "- **How much.** A retention or reactivation offer is worth at most the CLV it saves: (increase in "
        "P(alive)) × CLV per customer, never more than the customer's CLV; acquisition cost should stay below "
        "a new customer's CLV.",
        f"- **Which lever.** The constant retention rate {naive_retention:.3f} gives a new customer {del_naive:.2f} "
        f"payments against the sBG's {del_sbg:.2f}, and the same value at every tenure, while the sBG gives "
        f"{derl5:.2f} to a customer who has renewed five times. Projecting years 8–12 of the Regular segment, "
        f"the sBG is off by {err_sbg:.0f} survivors of 1,000 on average, the constant rate by {err_constant:.0f}: "
        + ("value contract customers with the sBG." if sbg_better else
           "here the constant rate projects better; check the sBG's fit before using it."),
        f"- **Holdout verdict.** BG/NBD predicts {holdout_predicted:,.0f} holdout purchases against "
        f"{holdout_actual:,.0f} actual ({error:+.0%}; Pareto/NBD {holdout_pareto:,.0f}); for customers with "
        f"1–2 calibration repeat purchases it is off by {low_freq_error:+.0%}. The total is " + verdict,
    ])
