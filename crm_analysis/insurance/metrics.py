"""How well a pricing model ranks and predicts risk: deviance, D², ordered-Lorenz Gini, lift.

Deviance and D² come from scikit-learn. The exposure-weighted ordered Lorenz curve
(Frees, Meyers & Cummings 2011) is written here because scikit-learn has no such
metric and its ROC-based Gini ignores exposure: policies are ordered by predicted
loss cost per year (ascending); the curve plots the cumulative share of exposure
against the cumulative share of observed losses. Policies with equal predictions form
one step (their order among themselves is unknown), so a constant prediction gives the
diagonal and a Gini of exactly 0. Gini = 1 − 2 × (area under the curve).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import d2_tweedie_score, mean_poisson_deviance


def _arrays(observed, predicted, exposure, name: str = "predicted"):
    observed = np.asarray(observed, dtype=float)
    predicted = np.asarray(predicted, dtype=float)
    exposure = np.ones_like(observed) if exposure is None else np.asarray(exposure, dtype=float)
    if not observed.shape == predicted.shape == exposure.shape or observed.ndim != 1:
        raise ValueError(
            f"observed, {name} and exposure must be 1-d of one length; got shapes "
            f"{observed.shape}, {predicted.shape}, {exposure.shape}"
        )
    for label, values, positive in (("observed", observed, False), (name, predicted, False),
                                    ("exposure", exposure, True)):
        bad = ~np.isfinite(values) | ((values <= 0) if positive else (values < 0))
        if bad.any():
            kind = "positive" if positive else "non-negative"
            raise ValueError(f"{label} must be finite and {kind}; rows {np.flatnonzero(bad)[:10].tolist()} are not")
    return observed, predicted, exposure


def ordered_lorenz_curve(observed_loss, predicted_rate, exposure=None) -> pd.DataFrame:
    """Exposure-weighted ordered Lorenz curve.

    Parameters
    ----------
    observed_loss : each policy's observed losses over its exposure (claims or EUR).
    predicted_rate : predicted losses per unit of exposure (e.g. per policy-year).
    exposure : exposure (years); 1 per policy if omitted.

    Returns a frame with ``exposure_share`` and ``loss_share`` from (0, 0) to (1, 1),
    one point per distinct predicted value, in ascending predicted order.
    """
    loss, pred, expo = _arrays(observed_loss, predicted_rate, exposure)
    if loss.sum() <= 0:
        raise ValueError("observed_loss sums to 0; the Lorenz curve is undefined")
    steps = (pd.DataFrame({"pred": pred, "loss": loss, "exposure": expo})
             .groupby("pred", sort=True)[["loss", "exposure"]].sum())
    return pd.DataFrame({
        "exposure_share": np.concatenate([[0.0], steps["exposure"].cumsum() / expo.sum()]),
        "loss_share": np.concatenate([[0.0], steps["loss"].cumsum() / loss.sum()]),
    })


def ordered_gini(observed_loss, predicted_rate, exposure=None) -> float:
    """Exposure-weighted ordered-Lorenz Gini: 1 − 2 × area under :func:`ordered_lorenz_curve`.

    0 for a prediction that does not rank risks; higher is better ranking; the
    maximum for given data is reached by ordering on observed loss per exposure.
    """
    curve = ordered_lorenz_curve(observed_loss, predicted_rate, exposure)
    return float(1.0 - 2.0 * np.trapezoid(curve["loss_share"], curve["exposure_share"]))


def poisson_deviance(observed_count, predicted_rate, exposure) -> float:
    """Exposure-weighted mean Poisson deviance of claim frequencies (claims per year)."""
    count, rate, expo = _arrays(observed_count, predicted_rate, exposure, "predicted_rate")
    return float(mean_poisson_deviance(count / expo, rate, sample_weight=expo))


def d2_poisson(observed_count, predicted_rate, exposure) -> float:
    """Share of Poisson deviance explained vs the exposure-weighted mean frequency (D²)."""
    count, rate, expo = _arrays(observed_count, predicted_rate, exposure, "predicted_rate")
    return float(d2_tweedie_score(count / expo, rate, sample_weight=expo, power=1))


def exposure_bins(predicted_rate, exposure=None, n_bins: int = 10) -> np.ndarray:
    """Bin numbers 1..n_bins by exposure quantiles of the predicted rate.

    Each bin holds about 1/n_bins of the total exposure, bin 1 the lowest predictions;
    policies with equal predictions always share a bin (so bins can be uneven or empty).
    """
    if n_bins < 1:
        raise ValueError(f"n_bins must be at least 1, got {n_bins}")
    pred = np.asarray(predicted_rate, dtype=float)
    _, pred, expo = _arrays(np.zeros_like(pred), pred, exposure)
    order = np.argsort(pred, kind="stable")
    cum_share = np.empty_like(expo)
    cum_share[order] = np.cumsum(expo[order]) / expo.sum()
    # all policies with one predicted value fall in the bin of the last of them
    tie_share = pd.Series(cum_share).groupby(pred).transform("max").to_numpy()
    return np.clip(np.ceil(tie_share * n_bins - 1e-9).astype(int), 1, n_bins)


def lift_by_decile(observed_loss, predicted_rate, exposure=None, n_bins: int = 10) -> pd.DataFrame:
    """Actual vs predicted loss cost per unit exposure by bins of predicted risk.

    Bins come from :func:`exposure_bins`. Columns: ``exposure``, ``observed`` and
    ``predicted`` (losses per unit exposure) and ``lift`` (observed rate ÷ portfolio
    mean rate).
    """
    loss, pred, expo = _arrays(observed_loss, predicted_rate, exposure)
    bins = exposure_bins(pred, expo, n_bins)
    grouped = pd.DataFrame({"bin": bins, "loss": loss, "expected": pred * expo,
                            "exposure": expo}).groupby("bin").sum()
    table = pd.DataFrame({
        "exposure": grouped["exposure"],
        "observed": grouped["loss"] / grouped["exposure"],
        "predicted": grouped["expected"] / grouped["exposure"],
    })
    table["lift"] = table["observed"] / (loss.sum() / expo.sum())
    table.index.name = "bin"
    return table


def frequency_scores(observed_count, exposure, predictions: dict) -> pd.DataFrame:
    """Test-set scores of claim-frequency models (claims per year), one row per model.

    Columns: ``poisson_deviance`` (mean, exposure-weighted; lower is better), ``d2``
    (share of deviance explained vs the mean frequency) and ``gini`` (ordered Lorenz
    on claim counts).
    """
    rows = {name: {"poisson_deviance": poisson_deviance(observed_count, rate, exposure),
                   "d2": d2_poisson(observed_count, rate, exposure),
                   "gini": ordered_gini(observed_count, rate, exposure)}
            for name, rate in predictions.items()}
    return pd.DataFrame(rows).T
