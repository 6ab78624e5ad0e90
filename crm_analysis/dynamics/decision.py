"""The Decision section of notebook 05: its figures and recommendations, computed from the
run's own tables so that every sentence follows from the numbers."""

from __future__ import annotations

import pandas as pd


def dynamics_decision(policy_values: pd.DataFrame, optimal: pd.DataFrame, stationarity: pd.DataFrame,
                      offers: pd.DataFrame | None, projected_equity: float, horizon: int,
                      significance: float = 0.05) -> dict:
    """Recommendations and the figures behind them.

    ``policy_values``: value per state (rows) by policy (columns, including ``"optimal"``)
    from :func:`~crm_analysis.dynamics.equity.compare_policies`; ``optimal``: the
    :func:`~crm_analysis.dynamics.equity.optimal_contact_policy` table; ``stationarity``: the
    :func:`~crm_analysis.dynamics.migration.stationarity_test` table; ``offers``: the
    :func:`~crm_analysis.dynamics.revitalisation.offer_policies` table (None when the
    revitalisation list could not be built);
    ``projected_equity``: currency over ``horizon`` periods.

    Returns a dict with ``best_policy`` (the policy with the highest value of a customer who
    just bought, state 1), ``contact_states``, ``stop_states`` (states not contacted), ``best_offer_policy``,
    ``stationary`` (bool) and ``lines`` (markdown bullet points).
    """
    first = policy_values.iloc[0]
    best_policy = str(first.idxmax())
    contact_states = [str(s) for s, c in optimal["contact"].items() if c]
    stop = [str(s) for s, c in optimal["contact"].items() if not c and s != "lost"]
    best_offer = None if offers is None else str(offers["expected_value"].idxmax())
    p = float(stationarity.loc["all states", "p_value"])
    stationary = bool(p >= significance)
    p_text = "p < 0.0001" if p < 1e-4 else f"p = {p:.3f}"
    others = ", ".join(f"{name} {v:,.2f}" for name, v in first.items() if name != best_policy)
    lines = [
        f"**Whom to keep contacting.** Contact customers in recency states {', '.join(contact_states) or 'none'}"
        + (f" and stop contacting those in state{'s' if len(stop) > 1 else ''} {', '.join(stop)}" if stop
           else " (every state until lost)")
        + f": a customer who has just bought is then worth {first[best_policy]:,.2f} "
        f"(policy '{best_policy}'), against {others} under the alternatives.",
        ("**Revitalisation.** The revitalisation list could not be built on these data (see section 7), "
         "so no reactivation offers are recommended from this run.") if offers is None else
        ("**Do not send reactivation offers.** At the stated cost and response rate no customer's offer "
         f"has a positive expected value; offering it to every candidate "
         f"({int(offers.loc['every candidate', 'offers']):,}) would yield "
         f"{offers.loc['every candidate', 'expected_value']:,.0f}.")
        if int(offers.loc["positive expected value", "offers"]) == 0 else
        (f"**Revitalise selectively.** Send the reactivation offer to the "
         f"{int(offers.loc[best_offer, 'offers']):,} customers with a positive expected value "
         f"(expected {offers.loc[best_offer, 'expected_value']:,.0f} in total); offering it to every "
         f"candidate ({int(offers.loc['every candidate', 'offers']):,}) would yield "
         f"{offers.loc['every candidate', 'expected_value']:,.0f}.")
        if best_offer == "positive expected value" else
        (f"**Revitalisation.** The best choice here is '{best_offer}' "
         f"(expected {offers.loc[best_offer, 'expected_value']:,.0f})."),
        (f"**Trust the matrix for projections.** The chi-square test finds no change in the "
         f"transition probabilities across periods ({p_text}); the projected equity of the current "
         f"customers, {projected_equity:,.0f} over {horizon} periods, rests on the pooled matrix.")
        if stationary else
        (f"**Re-estimate the matrix every period.** The transition probabilities changed across periods "
         f"(chi-square {p_text}), so the projected equity of {projected_equity:,.0f} over {horizon} "
         f"periods is only as good as the latest period's behaviour; watch the newest matrix."),
    ]
    return {"best_policy": best_policy, "contact_states": contact_states, "stop_states": stop,
            "best_offer_policy": best_offer, "stationary": stationary, "stationarity_p_value": p,
            "lines": lines}
