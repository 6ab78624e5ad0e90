"""Claim frequency, severity and pure-premium GLMs (statsmodels), the actuary's toolkit.

* frequency: Poisson GLM, log link, offset ln(exposure) — coefficients are log rate
  ratios of claims per policy-year; with an overdispersion check and a negative
  binomial (NB2) comparison;
* severity: Gamma GLM, log link, on policies with claims; the response is the mean cost
  per claim (EUR) with variance weights = claim count (a mean of N claims has 1/N the
  variance of one claim);
* pure premium: frequency × severity, compared with a Tweedie GLM (compound
  Poisson–Gamma, power 1 < p < 2) on claim cost per policy-year weighted by exposure.

Every fit takes the right-hand side of a formula (``terms``), so coefficient names are
the formula's (``factor[T.level]``), the same names the synthetic truth uses. Every fit
returns a :class:`~crm_analysis.estimates.FittedResults`: ``params_``, ``std_err_``,
``conf_int(level=)``, ``summary(level=)`` as every model here, and statsmodels' own
attributes (``params``, ``predict``, ``llf``, …) passed through.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import stats
from statsmodels.discrete.diagnostic import PoissonDiagnostic

from ..common import require_columns
from ..estimates import FittedResults, check_level, unwrap

_REQUIRED = {"frequency": ("claim_count", "exposure"),
             "severity": ("claim_count", "claim_amount"),
             "tweedie": ("claim_amount", "exposure")}


def _check(frame: pd.DataFrame, purpose: str) -> None:
    """Raise ``ValueError`` naming the column and rows when the claim columns are unusable."""
    require_columns(frame, _REQUIRED[purpose], f"{purpose} GLM data")
    for column in _REQUIRED[purpose]:
        values = pd.to_numeric(frame[column], errors="coerce")
        positive = column == "exposure"
        bad = values.isna() | (values <= 0 if positive else values < 0)
        if bad.any():
            rows = list(frame.index[bad.to_numpy()][:10])
            need = "positive" if positive else "non-negative"
            raise ValueError(
                f"column {column!r} must be {need} numbers; {int(bad.sum())} rows are not, "
                f"e.g. rows {rows}"
            )


def fit_frequency_glm(frame: pd.DataFrame, terms: str):
    """Poisson GLM of ``claim_count`` with offset ln(``exposure`` in years).

    Returns the fitted GLM (:class:`~crm_analysis.estimates.FittedResults` around statsmodels'
    ``GLMResults``): ``params_`` are log rate ratios,
    ``exp(Intercept)`` is the reference cell's claims per policy-year.
    """
    _check(frame, "frequency")
    return FittedResults(smf.glm(
        f"claim_count ~ {terms}", frame, family=sm.families.Poisson(),
        offset=np.log(frame["exposure"].to_numpy(dtype=float)),
    ).fit())


def fit_negative_binomial(frame: pd.DataFrame, terms: str, start=None):
    """NB2 count model (variance μ + α μ²) with exposure, fitted by maximum likelihood.

    ``start`` may be a Poisson fit whose parameters start the optimiser. Returns the fit
    (``FittedResults`` around statsmodels' ``NegativeBinomialResults``); ``params_["alpha"]``
    is the dispersion α.
    """
    _check(frame, "frequency")
    model = smf.negativebinomial(
        f"claim_count ~ {terms}", frame, exposure=frame["exposure"].to_numpy(dtype=float)
    )
    start_params = None
    if start is not None:
        start_params = np.append(np.asarray(start.params), 0.1)
    return FittedResults(model.fit(start_params=start_params, method="bfgs", maxiter=1000, disp=0))


def fit_severity_glm(frame: pd.DataFrame, terms: str):
    """Gamma GLM (log link) of the mean cost per claim on the policies with claims.

    The response is ``claim_amount / claim_count`` (EUR per claim), weighted by
    ``claim_count``. ``params`` are log ratios of the expected cost of one claim.
    """
    _check(frame, "severity")
    claims = frame[frame["claim_count"] > 0]
    if claims.empty:
        raise ValueError("severity GLM: no row has claim_count > 0")
    claims = claims.assign(mean_claim=claims["claim_amount"] / claims["claim_count"])
    bad = claims["mean_claim"] <= 0
    if bad.any():
        raise ValueError(
            "column 'claim_amount' must be positive where claim_count > 0; "
            f"rows {list(claims.index[bad.to_numpy()][:10])} are not"
        )
    return FittedResults(smf.glm(
        f"mean_claim ~ {terms}", claims, family=sm.families.Gamma(sm.families.links.Log()),
        var_weights=claims["claim_count"].to_numpy(dtype=float),
    ).fit(scale="X2"))


def fit_tweedie_glm(frame: pd.DataFrame, terms: str, var_power: float = 1.5):
    """Tweedie GLM (log link) of claim cost per policy-year, weighted by exposure.

    ``var_power`` in (1, 2) is the compound Poisson–Gamma power. ``predict`` gives EUR
    per policy-year.
    """
    _check(frame, "tweedie")
    if not 1 < var_power < 2:
        raise ValueError(f"var_power must lie in (1, 2), got {var_power}")
    data = frame.assign(loss_cost=frame["claim_amount"] / frame["exposure"])
    family = sm.families.Tweedie(var_power=var_power, link=sm.families.links.Log())
    return FittedResults(smf.glm(f"loss_cost ~ {terms}", data, family=family,
                                 var_weights=frame["exposure"].to_numpy(dtype=float)).fit(scale="X2"))


def predict_rate(results, frame: pd.DataFrame) -> np.ndarray:
    """A fitted GLM's prediction per policy-year (frequency) or per claim (severity).

    The offset is left out (set to 0), so a frequency model predicts claims per year.
    """
    model = results.model
    if hasattr(model, "offset") and model.offset is not None:
        return np.asarray(results.predict(frame, offset=np.zeros(len(frame))))
    if hasattr(model, "exposure") and model.exposure is not None:
        return np.asarray(results.predict(frame, exposure=np.ones(len(frame))))
    return np.asarray(results.predict(frame))


def coefficient_table(results, truth: pd.Series | None = None, level: float = 0.95) -> pd.DataFrame:
    """The estimate table of a fitted GLM's coefficients, with rate ratios.

    Log scale (one row per term): ``estimate``, ``std_err``, ``ci_low``, ``ci_high`` (Wald
    at ``level``), ``p_value`` (Wald test of a zero coefficient), ``level``;
    multiplicative scale: ``rate_ratio`` = exp(estimate) and its interval
    ``rate_ratio_ci_low``, ``rate_ratio_ci_high``. With ``truth`` (true coefficients by term
    name, e.g. from the synthetic generator) adds ``true`` and ``covered`` (true value
    inside the interval). The NB2 dispersion ``alpha`` is left out.
    """
    level = check_level(level)
    table = FittedResults(unwrap(results)).summary(level=level).drop(index=["alpha"], errors="ignore")
    table["rate_ratio"] = np.exp(table["estimate"])
    table["rate_ratio_ci_low"] = np.exp(table["ci_low"])
    table["rate_ratio_ci_high"] = np.exp(table["ci_high"])
    if truth is not None:
        table["true"] = truth.reindex(table.index)
        table["covered"] = (table["ci_low"] <= table["true"]) & (table["true"] <= table["ci_high"])
    table.index.name = "term"
    return table


@dataclass(frozen=True)
class Overdispersion:
    """Overdispersion check of a Poisson fit.

    pearson_ratio : Pearson χ² / residual degrees of freedom (≈ 1 under Poisson).
    pearson_p_value : upper-tail χ² p-value of the Pearson statistic.
    tests : statsmodels' score tests (Dean; Cameron–Trivedi): ``statistic``, ``p_value``.
    """

    pearson_ratio: float
    pearson_p_value: float
    tests: pd.DataFrame


def overdispersion(results) -> Overdispersion:
    """Pearson χ²/df and score tests of var(y) = E(y) for a Poisson GLM fit."""
    ratio = results.pearson_chi2 / results.df_resid
    p_value = stats.chi2.sf(results.pearson_chi2, results.df_resid)
    tests = PoissonDiagnostic(unwrap(results)).test_dispersion().summary_frame().rename(columns={"pvalue": "p_value"})
    return Overdispersion(float(ratio), float(p_value), tests)


def count_model_comparison(poisson, negbin) -> pd.DataFrame:
    """Log-likelihood, AIC and BIC of the Poisson and negative binomial fits.

    Also the likelihood-ratio test of α = 0 (boundary: p-value halved, χ²₁ mixture).
    """
    lr = 2 * (negbin.llf - poisson.llf)
    rows = {
        "poisson": {"loglik": poisson.llf, "aic": poisson.aic, "n_params": len(poisson.params)},
        "negative_binomial": {"loglik": negbin.llf, "aic": negbin.aic,
                              "n_params": len(negbin.params)},
    }
    table = pd.DataFrame(rows).T
    table["lr_stat_vs_poisson"] = [np.nan, lr]
    table["lr_p_value"] = [np.nan, 0.5 * stats.chi2.sf(max(lr, 0.0), 1)]
    table["alpha"] = [0.0, float(negbin.params["alpha"])]
    return table
