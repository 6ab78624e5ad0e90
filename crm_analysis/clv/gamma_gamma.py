"""Gamma-Gamma model of spend per purchase (Fader, Hardie & Lee 2005, "RFM and CLV";
Fader & Hardie 2013, "The Gamma-Gamma model of monetary value").

Each transaction value is z ~ Gamma(shape p, rate ν); across customers ν ~ Gamma(q, γ).
A customer's mean spend over x repeat purchases, m_x, has likelihood

    ln L = ln Γ(px+q) − ln Γ(px) − ln Γ(q) + q ln γ + (px−1) ln m_x + px ln x
           − (px+q) ln(γ + x m_x)

(fitted on customers with x ≥ 1 and m_x > 0, analytic gradient).  Expected mean spend
of a customer: (γ + x m_x) p / (px + q − 1); of a new customer: pγ/(q−1).  Money is in
the currency of the summary's ``monetary_value``; γ is in that currency too.

The model assumes spend per purchase is independent of purchase frequency; check it
with :func:`spend_frequency_correlation`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import digamma, gammaln

from ..common import require_columns

from ._fit import MLEModel, compress


def _spend_arrays(summary: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    require_columns(summary, ("frequency", "monetary_value"), "summary")
    x = summary["frequency"].to_numpy(dtype="float64")
    m = summary["monetary_value"].to_numpy(dtype="float64")
    repeat = x > 0
    bad = repeat & ~(np.isfinite(m) & (m >= 0))
    if bad.any():
        raise ValueError(
            f"column 'monetary_value' is missing or negative for {int(bad.sum())} repeat "
            f"customers, e.g. {list(summary.index[bad][:10])}"
        )
    return x, m, summary.index


class GammaGamma(MLEModel):
    """Gamma-Gamma spend model: ``GammaGamma().fit(summary)``."""

    param_names = ("p", "q", "gamma")

    def fit(self, summary: pd.DataFrame, start: dict | None = None) -> GammaGamma:
        """Fit to the customers with ``frequency`` ≥ 1 and ``monetary_value`` > 0."""
        x, m, _ = _spend_arrays(summary)
        use = (x > 0) & (m > 0)
        if use.sum() < 10:
            raise ValueError(f"Gamma-Gamma needs repeat customers with spend; only {int(use.sum())} found")
        first = {"p": 1.0, "q": 2.0, "gamma": float(np.mean(m[use]))}
        first.update(start or {})
        self._maximize_warm(self._data_from, {"x": x[use], "m": m[use]},
                            np.log([first[n] for n in self.param_names]), n_obs=int(use.sum()))
        return self

    @staticmethod
    def _data_from(arrays: dict) -> dict:
        """Compressed (x, m) rows with weights, sorted by x: special functions depend on x
        only, so they are evaluated once per distinct x and expanded with np.repeat."""
        data, weights = compress({"x": arrays["x"], "m": arrays["m"]})
        order = np.argsort(data["x"], kind="stable")
        data = {k: v[order] for k, v in data.items()}
        data["w"] = weights[order]
        data["u_x"], data["n_x"] = np.unique(data["x"], return_counts=True)
        data["log_m"], data["log_x"] = np.log(data["m"]), np.log(data["x"])
        return data

    def _loglik_grad(self, log_params, data):
        p, q, g = np.exp(log_params)
        x, m, w, nx = data["x"], data["m"], data["w"], data["n_x"]
        upx = p * data["u_x"]
        px = p * x
        log_gxm = np.log(g + x * m)
        ll = (np.repeat(gammaln(upx + q) - gammaln(upx), nx) - gammaln(q) + q * np.log(g)
              + (px - 1) * data["log_m"] + px * data["log_x"] - (px + q) * log_gxm)
        dig_pxq = np.repeat(digamma(upx + q), nx)
        d_p = x * (dig_pxq - np.repeat(digamma(upx), nx) + data["log_m"] + data["log_x"] - log_gxm)
        d_q = dig_pxq - digamma(q) + np.log(g) - log_gxm
        d_g = q / g - (px + q) / (g + x * m)
        grad = np.array([w @ d_p, w @ d_q, w @ d_g]) * np.array([p, q, g])
        return float(w @ ll), grad

    def _loglik(self, log_params, data):
        return self._loglik_grad(log_params, data)[0]

    def expected_spend(self, frequency, monetary_value, first_spend=None) -> np.ndarray:
        """E[mean spend per purchase | x, m_x] = (γ + x m_x) p / (px + q − 1) (Fader & Hardie
        2013, eq. 3); the population mean pγ/(q−1) when x = 0.

        ``first_spend`` (optional, per customer, currency): the spend of each customer's
        first purchase period. Customers without repeat purchases (x = 0) are then
        conditioned on that one observed transaction, z₁, as the model's own posterior
        mean after one transaction: (γ + z₁) p / (p + q − 1) (the same formula with n = 1),
        instead of the population mean. It treats the first purchase as a draw from the
        customer's spend distribution, as CLVTools' ``gg(remove.first.transaction = FALSE)``
        does for every customer; repeat buyers keep the textbook conditioning on their
        repeat transactions (Fader, Hardie & Lee 2005), so the fitted parameters and the
        published reproductions do not change. Missing or non-positive ``first_spend``
        falls back to the population mean."""
        self._check_fitted()
        p, q, g = self.params_.to_numpy()
        x = np.asarray(frequency, dtype="float64")
        m = np.nan_to_num(np.asarray(monetary_value, dtype="float64"))
        spend = (g + x * m) * p / (p * x + q - 1)
        if first_spend is not None:
            z1 = np.asarray(first_spend, dtype="float64")
            use = (x == 0) & np.isfinite(z1) & (z1 > 0)
            spend = np.where(use, (g + np.where(use, z1, 0.0)) * p / (p + q - 1), spend)
        return spend

    def population_mean_spend(self) -> float:
        """pγ/(q−1): expected spend per purchase of a new customer (needs q > 1)."""
        self._check_fitted()
        p, q, g = self.params_.to_numpy()
        return float(p * g / (q - 1)) if q > 1 else float("inf")


def spend_frequency_correlation(summary: pd.DataFrame) -> pd.Series:
    """Gamma-Gamma's independence check among repeat customers: Pearson and Spearman
    correlation between ``frequency`` and ``monetary_value``, with p-values."""
    x, m, _ = _spend_arrays(summary)
    use = x > 0
    pearson = stats.pearsonr(x[use], m[use])
    spearman = stats.spearmanr(x[use], m[use])
    return pd.Series(
        {
            "n_customers": int(use.sum()),
            "pearson_r": float(pearson.statistic),
            "pearson_p_value": float(pearson.pvalue),
            "spearman_rho": float(spearman.statistic),
            "spearman_p_value": float(spearman.pvalue),
        }
    )
