"""A motor-insurance portfolio with known claim frequency and severity coefficients.

The rating factors follow the sources' Progressive case (slide 26): driver age band,
accident history, marital status, children, car value; garage, engine size and use.
Each policy is observed for ``exposure`` years in (0, 1]. Its claim count is
Poisson(exposure · exp(x'β)) and each claim costs Gamma(shape, mean exp(x'γ)), so the
total claim amount of a policy with N claims is Gamma(N · shape, mean N · exp(x'γ)).

Categorical factors are pandas ``Categorical`` columns whose first category is the
reference level, so the formula ``claim_count ~ driver_age_band + ...`` (see
``FORMULA_TERMS``) names its coefficients exactly as ``InsuranceTruth`` does, e.g.
``driver_age_band[T.26-35]``; numeric terms (``married``, ``log_car_value``) keep
their column name. Amounts are in an abstract currency unit ("EUR").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: right-hand side of the rating formula whose coefficient names the truth uses
FORMULA_TERMS = (
    "driver_age_band + accident_history + married + has_children + log_car_value"
    " + garaged + engine_size + use"
)

_LEVELS = {
    "driver_age_band": (["18-25", "26-35", "36-50", "51-65", "66+"],
                        [0.12, 0.22, 0.30, 0.24, 0.12]),
    "accident_history": (["0", "1", "2+"], [0.75, 0.18, 0.07]),
    "engine_size": (["small", "medium", "large"], [0.40, 0.40, 0.20]),
    "use": (["private", "commute", "business"], [0.55, 0.35, 0.10]),
}

#: true log-rate effects on claims per policy-year
_FREQUENCY = {
    "Intercept": np.log(0.16),
    "driver_age_band[T.26-35]": -0.35, "driver_age_band[T.36-50]": -0.55,
    "driver_age_band[T.51-65]": -0.60, "driver_age_band[T.66+]": -0.40,
    "accident_history[T.1]": 0.30, "accident_history[T.2+]": 0.60,
    "married": -0.15, "has_children": 0.08, "log_car_value": 0.15, "garaged": -0.10,
    "engine_size[T.medium]": 0.10, "engine_size[T.large]": 0.25,
    "use[T.commute]": 0.15, "use[T.business]": 0.30,
}

#: true log-mean effects on the cost of one claim (EUR)
_SEVERITY = {
    "Intercept": np.log(2500.0),
    "driver_age_band[T.26-35]": -0.10, "driver_age_band[T.36-50]": -0.15,
    "driver_age_band[T.51-65]": -0.15, "driver_age_band[T.66+]": -0.05,
    "accident_history[T.1]": 0.0, "accident_history[T.2+]": 0.10,
    "married": 0.0, "has_children": 0.0, "log_car_value": 0.40, "garaged": -0.05,
    "engine_size[T.medium]": 0.10, "engine_size[T.large]": 0.20,
    "use[T.commute]": 0.0, "use[T.business]": 0.15,
}


@dataclass(frozen=True)
class InsuranceTruth:
    """The parameters that generated a synthetic portfolio.

    frequency_coefs : log-rate coefficients (claims per policy-year), by GLM term name.
    severity_coefs : log-mean coefficients of the cost of one claim (EUR), same names.
    severity_shape : Gamma shape of one claim's cost (coefficient of variation 1/√shape).
    expected_frequency : each policy's true claim rate (claims per policy-year).
    expected_severity : each policy's true mean cost per claim (EUR).
    formula_terms : the right-hand side of the formula that uses these names.
    """

    frequency_coefs: pd.Series
    severity_coefs: pd.Series
    severity_shape: float
    expected_frequency: np.ndarray
    expected_severity: np.ndarray
    formula_terms: str = FORMULA_TERMS

    @property
    def expected_pure_premium(self) -> np.ndarray:
        """True expected claim cost per policy-year (EUR): frequency × severity."""
        return self.expected_frequency * self.expected_severity


def _design(frame: pd.DataFrame, names: pd.Index) -> np.ndarray:
    """Treatment-coded design matrix of ``frame`` with columns in the order ``names``."""
    columns = []
    for name in names:
        if name == "Intercept":
            columns.append(np.ones(len(frame)))
        elif "[T." in name:
            factor, level = name[:-1].split("[T.")
            columns.append((frame[factor] == level).to_numpy(dtype=float))
        else:
            columns.append(frame[name].to_numpy(dtype=float))
    return np.column_stack(columns)


def simulate_insurance_portfolio(
    n_policies: int = 50_000,
    seed: int = 0,
    severity_shape: float = 2.0,
    part_year_share: float = 0.3,
) -> tuple[pd.DataFrame, InsuranceTruth]:
    """Simulate a motor portfolio whose claim model is known.

    Parameters
    ----------
    n_policies : number of policies (rows).
    seed : seed of the numpy random generator.
    severity_shape : Gamma shape of the cost of one claim (> 0).
    part_year_share : share of policies observed for only part of the year; their
        exposure is uniform on (0.05, 1) years, the others have exposure 1 year.

    Returns
    -------
    frame : one row per policy: ``policy_id``, the rating factors (categoricals, 0/1
        indicators ``married``, ``has_children``, ``garaged``, ``car_value`` in
        thousand EUR and ``log_car_value`` = ln(car_value / 20)), ``exposure`` (years),
        ``claim_count`` and ``claim_amount`` (EUR, total over the policy's claims).
    truth : an :class:`InsuranceTruth`.
    """
    if n_policies < 1:
        raise ValueError(f"n_policies must be at least 1, got {n_policies}")
    if severity_shape <= 0:
        raise ValueError(f"severity_shape must be positive, got {severity_shape}")
    if not 0 <= part_year_share <= 1:
        raise ValueError(f"part_year_share must lie in [0, 1], got {part_year_share}")
    rng = np.random.default_rng(seed)
    n = n_policies
    frame = pd.DataFrame({"policy_id": np.arange(1, n + 1)})
    for column, (levels, probs) in _LEVELS.items():
        codes = rng.choice(len(levels), size=n, p=probs)
        frame[column] = pd.Categorical.from_codes(codes, categories=levels)
    older = frame["driver_age_band"].cat.codes.to_numpy() >= 2
    frame["married"] = (rng.random(n) < np.where(older, 0.65, 0.30)).astype(int)
    frame["has_children"] = (rng.random(n) < np.where(frame["married"] == 1, 0.6, 0.15)).astype(int)
    frame["car_value"] = np.round(20.0 * np.exp(rng.normal(0.0, 0.5, n)), 2)
    frame["log_car_value"] = np.log(frame["car_value"] / 20.0)
    frame["garaged"] = (rng.random(n) < 0.45).astype(int)
    part_year = rng.random(n) < part_year_share
    frame["exposure"] = np.where(part_year, rng.uniform(0.05, 1.0, n), 1.0)

    freq_coefs = pd.Series(_FREQUENCY, dtype=float)
    sev_coefs = pd.Series(_SEVERITY, dtype=float)
    frequency = np.exp(_design(frame, freq_coefs.index) @ freq_coefs.to_numpy())
    severity = np.exp(_design(frame, sev_coefs.index) @ sev_coefs.to_numpy())
    counts = rng.poisson(frame["exposure"].to_numpy() * frequency)
    amounts = np.zeros(n)
    has_claim = counts > 0
    amounts[has_claim] = rng.gamma(
        counts[has_claim] * severity_shape, severity[has_claim] / severity_shape
    )
    frame["claim_count"] = counts
    frame["claim_amount"] = np.round(amounts, 2)
    truth = InsuranceTruth(freq_coefs, sev_coefs, float(severity_shape), frequency, severity)
    return frame, truth
