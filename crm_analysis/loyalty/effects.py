"""Estimates of a loyalty program's causal effect on spend, each with an interval at ``level``
(0.95 by default).

All estimates are in the outcome's units (with the synthetic program: currency units
per customer per month). The target is the average effect on members (ATT); with an
effect that does not vary with the covariates it equals the average effect overall.

* ``naive_difference``: member mean minus non-member mean (OLS on the indicator, HC2 SE,
  which is Welch's unequal-variance standard error).
* ``regression_adjustment``: OLS of the outcome on the indicator and covariates, HC3 SE.
* ``ipw_effect``: logistic propensity score, normalized inverse-probability weights;
  statsmodels ``TreatmentEffect.ipw`` gives SEs that account for the estimated score.
* ``matching_effect``: nearest-neighbour matching (scikit-learn ``NearestNeighbors``) on
  the logit of the propensity score, with replacement and regression bias correction.
  Hand-written variance because no Python library implements it: the Abadie–Imbens (2006)
  estimator for the ATT, since the bootstrap is not valid for nearest-neighbour matching
  with a fixed number of matches (Abadie & Imbens 2008). It treats the propensity score
  as known; the coverage tests check that this is adequate here.
* ``did_effect``: difference-in-differences on the customer × month panel, OLS with
  month fixed effects and standard errors clustered by customer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from sklearn.neighbors import NearestNeighbors
from statsmodels.treatment.treatment_effects import TreatmentEffect

from ..estimates import FittedResults, check_level, estimate_table, normal_quantile, unwrap
from .design import check_columns, covariate_matrix, treatment_indicator


@dataclass(frozen=True)
class EffectEstimate:
    """One effect estimate: point, standard error and a two-sided interval at ``level``.

    :meth:`table` gives it as a one-row estimate table (index: the method).
    ``weights`` (optional) are the weights the method puts on each row of the input,
    for balance checks (treated rows 1, controls their matching or IPW weight).
    """

    method: str
    estimate: float
    std_err: float
    ci_low: float
    ci_high: float
    n_treated: int
    n_control: int
    weights: pd.Series | None = None
    level: float = 0.95

    def table(self) -> pd.DataFrame:
        """The estimate as a one-row estimate table indexed by the method."""
        return estimate_table(self.estimate, self.std_err, ci_low=self.ci_low, ci_high=self.ci_high,
                              level=self.level, index=[self.method])

    def as_dict(self) -> dict:
        """``{estimate, ci_low, ci_high}`` as plain floats (for ``record``)."""
        return {"estimate": float(self.estimate), "ci_low": float(self.ci_low),
                "ci_high": float(self.ci_high)}


def _from_se(method, estimate, se, d, level, weights=None) -> EffectEstimate:
    z = normal_quantile(level)
    return EffectEstimate(method, float(estimate), float(se), float(estimate - z * se),
                          float(estimate + z * se), int(d.sum()), int((1 - d).sum()), weights,
                          check_level(level))


def _outcome(frame: pd.DataFrame, outcome: str) -> pd.Series:
    check_columns(frame, [outcome])
    if not pd.api.types.is_numeric_dtype(frame[outcome]):
        raise ValueError(f"outcome column {outcome!r} must be numeric, got {frame[outcome].dtype}")
    return frame[outcome].astype(float)


def naive_difference(customers: pd.DataFrame, outcome: str = "post_spend",
                     treatment: str = "member", level: float = 0.95) -> EffectEstimate:
    """Member mean minus non-member mean of ``outcome``, with Welch (HC2) SE."""
    d = treatment_indicator(customers, treatment)
    y = _outcome(customers, outcome)
    fit = sm.OLS(y, sm.add_constant(d.astype(float))).fit(cov_type="HC2")
    return _from_se("naive", fit.params[treatment], fit.bse[treatment], d, level)


def regression_adjustment(customers: pd.DataFrame, covariates: list[str],
                          outcome: str = "post_spend", treatment: str = "member",
                          level: float = 0.95) -> EffectEstimate:
    """Coefficient of the treatment in OLS of ``outcome`` on it and ``covariates`` (HC3 SE).

    Unbiased when the outcome is linear in the covariates and the effect does not vary
    with them.
    """
    d = treatment_indicator(customers, treatment)
    y = _outcome(customers, outcome)
    exog = sm.add_constant(pd.concat([d.astype(float), covariate_matrix(customers, covariates)],
                                     axis=1))
    fit = sm.OLS(y, exog).fit(cov_type="HC3")
    return _from_se("regression", fit.params[treatment], fit.bse[treatment], d, level)


def fit_propensity(customers: pd.DataFrame, covariates: list[str],
                   treatment: str = "member"):
    """Logistic regression of membership on ``covariates``: a
    :class:`~crm_analysis.estimates.FittedResults` around statsmodels' Logit results
    (``params_``, ``std_err_``, ``conf_int(level=)``, ``summary(level=)``).

    ``.predict()`` gives each customer's propensity score (probability of joining).
    """
    d = treatment_indicator(customers, treatment)
    exog = sm.add_constant(covariate_matrix(customers, covariates))
    return FittedResults(sm.Logit(d, exog).fit(disp=False))


def ipw_effect(customers: pd.DataFrame, covariates: list[str], outcome: str = "post_spend",
               treatment: str = "member", level: float = 0.95) -> EffectEstimate:
    """Average effect on members by inverse-probability weighting (normalized weights).

    Controls get weight e/(1-e), members 1, where e is the logistic propensity score.
    The SE comes from the joint GMM of score and effect (statsmodels, HC0).
    """
    d = treatment_indicator(customers, treatment)
    y = _outcome(customers, outcome)
    propensity = fit_propensity(customers, covariates, treatment)
    score = propensity.predict()
    model = sm.OLS(y.to_numpy(), np.ones((len(y), 1)))
    result = TreatmentEffect(model, d.to_numpy(), results_select=unwrap(propensity)).ipw(
        effect_group=1)
    weights = pd.Series(np.where(d == 1, 1.0, score / (1.0 - score)), index=customers.index)
    effect, se = float(np.ravel(result.effect)[0]), float(np.ravel(result.sd)[0])
    return _from_se("ipw", effect, se, d, level, weights)


def matching_effect(customers: pd.DataFrame, covariates: list[str],
                    outcome: str = "post_spend", treatment: str = "member",
                    n_neighbors: int = 4, level: float = 0.95) -> EffectEstimate:
    """Average effect on members by matching each member to ``n_neighbors`` non-members.

    Matches on the logit of the estimated propensity score, with replacement; the
    matched controls' outcomes are bias-corrected with an OLS fit of the outcome on the
    covariates among non-members (Abadie & Imbens 2011). Variance (Abadie & Imbens 2006,
    population ATT)::

        V = [ sum over members (Y_i - Y0hat_i - att)^2
              + sum over non-members K_j (K_j - 1) / M^2 * sigma2_j ] / n_members^2

    with K_j the number of times non-member j is used as a match and sigma2_j its
    conditional variance, estimated from its nearest other non-member. ``weights`` are 1
    for members and K_j / M for non-members (the matched sample, for balance checks).
    """
    if n_neighbors < 1:
        raise ValueError(f"n_neighbors must be at least 1, got {n_neighbors}")
    d = treatment_indicator(customers, treatment).to_numpy()
    y = _outcome(customers, outcome).to_numpy()
    x = sm.add_constant(covariate_matrix(customers, covariates)).to_numpy()
    score = np.asarray(fit_propensity(customers, covariates, treatment).predict())
    logit = np.log(score / (1.0 - score)).reshape(-1, 1)
    treated, control = np.flatnonzero(d == 1), np.flatnonzero(d == 0)
    if control.size <= n_neighbors:
        raise ValueError(f"only {control.size} non-members for {n_neighbors} neighbours each")

    _, idx = NearestNeighbors(n_neighbors=n_neighbors).fit(logit[control]).kneighbors(
        logit[treated])
    matched = control[idx]                                   # (n_treated, M)
    beta0 = np.linalg.lstsq(x[control], y[control], rcond=None)[0]
    mu0 = x @ beta0
    y0_hat = (y[matched] + mu0[treated, None] - mu0[matched]).mean(axis=1)
    unit = y[treated] - y0_hat
    att = unit.mean()

    # Conditional variance of each control: match it to its nearest other control.
    _, own = NearestNeighbors(n_neighbors=2).fit(logit[control]).kneighbors(logit[control])
    sigma2 = 0.5 * (y[control] - y[control][own[:, 1]]) ** 2
    times_used = np.bincount(idx.ravel(), minlength=control.size)   # K_M(j)
    n1 = treated.size
    variance = (((unit - att) ** 2).sum()
                + (times_used * (times_used - 1) / n_neighbors**2 * sigma2).sum()) / n1**2
    weights = np.zeros(len(d))
    weights[treated] = 1.0
    weights[control] = times_used / n_neighbors
    return _from_se("matching", att, np.sqrt(variance), d, level,
                    pd.Series(weights, index=customers.index))


def did_effect(panel: pd.DataFrame, outcome: str = "spend", treatment: str = "member",
               post: str = "post", period: str = "period", unit: str = "customer_id",
               level: float = 0.95) -> EffectEstimate:
    """Difference-in-differences: the member × post coefficient with period fixed effects.

    OLS of ``outcome`` on the member indicator, one dummy per period and member × post;
    SE clustered by ``unit``. Unbiased when members' and non-members' spend would have
    moved in parallel without the program.
    """
    check_columns(panel, [outcome, treatment, post, period, unit], "panel")
    d = treatment_indicator(panel, treatment, "panel")
    after = treatment_indicator(panel, post, "panel")
    y = _outcome(panel, outcome)
    periods = pd.get_dummies(panel[period], prefix="period", dtype=float)
    exog = pd.concat([periods, d.astype(float), (d * after).astype(float).rename("did")],
                     axis=1)
    # The period dummies span the constant; QR avoids a slow SVD on the long panel.
    fit = sm.OLS(y, exog, hasconst=True).fit(method="qr", cov_type="cluster",
                              cov_kwds={"groups": pd.factorize(panel[unit])[0]})
    units = panel.drop_duplicates(unit)
    return _from_se("did", fit.params["did"], fit.bse["did"],
                    units[treatment].astype(int), level)


def estimates_table(estimates: list[EffectEstimate],
                    true_effect: float | None = None) -> pd.DataFrame:
    """One row per estimate: method, estimate, std_err, ci_low, ci_high, level, and, when
    the true effect is known, ``bias`` (estimate − truth) and ``covers`` (truth inside the CI)."""
    table = pd.concat([e.table() for e in estimates]).rename_axis("method").reset_index()
    if true_effect is not None:
        table["bias"] = table["estimate"] - true_effect
        table["covers"] = (table["ci_low"] <= true_effect) & (true_effect <= table["ci_high"])
    return table


def spend_by_period(panel: pd.DataFrame, outcome: str = "spend", treatment: str = "member",
                    period: str = "period") -> pd.DataFrame:
    """Mean outcome per period for members and non-members (for a parallel-trends check).

    Columns: period, member (bool), mean, std_err (standard error of the mean).
    """
    check_columns(panel, [outcome, treatment, period], "panel")
    d = treatment_indicator(panel, treatment, "panel").astype(bool)
    grouped = panel.assign(**{treatment: d}).groupby([period, treatment])[outcome]
    out = grouped.agg(["mean", "std", "count"]).reset_index()
    out["std_err"] = out["std"] / np.sqrt(out["count"])
    return out.drop(columns=["std", "count"]).rename(columns={treatment: "member"})
