"""One policy-level frame for every insurance data source the Progressive case uses.

``load_portfolio(source)`` returns a :class:`Portfolio` whose ``frame`` always has
``exposure`` (years), ``claim_count``, ``policies`` (customers behind the row: 1, or
the holders of a grouped cell) and, when the source has amounts, ``claim_amount``
(currency, total per row), plus the rating factors named in ``factors`` and combined
in the formula right-hand side ``terms``:

* ``"synthetic"``: :func:`~crm_analysis.data.synthetic.simulate_insurance_portfolio`
  with its truth, also as columns ``true_frequency`` and ``true_severity``;
* ``"mass_insurance"``: R's MASS::Insurance, 64 cells of policyholders observed for
  one quarter (exposure = holders × 0.25 years), counts only;
* ``"fremtpl2"``: French motor TPL, 677,991 policies with claim amounts (EUR); ages
  are banded, bonus-malus and density enter on the log scale, exposure is capped
  at 1 year (1,224 policies report slightly more), and each categorical's most
  exposed level is its reference.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crm_analysis.data.synthetic.insurance import InsuranceTruth

SOURCES = ("synthetic", "mass_insurance", "fremtpl2")


@dataclass(frozen=True)
class Portfolio:
    """Policies (or cells) ready for the pricing models; see the module docstring."""

    source: str
    frame: pd.DataFrame
    terms: str
    factors: tuple[str, ...]
    has_severity: bool
    currency: str
    truth: InsuranceTruth | None = None


def _reference_first(values: pd.Series, weights: pd.Series, order: list[str] | None = None) -> pd.Categorical:
    """A categorical whose first (reference) level is the one with the most weight."""
    levels = order if order is not None else sorted(values.dropna().unique())
    top = weights.groupby(values).sum().idxmax()
    return pd.Categorical(values, categories=[top] + [lv for lv in levels if lv != top])


def _subsample(frame: pd.DataFrame, n_sample: int, seed: int) -> pd.DataFrame:
    if n_sample < 0:
        raise ValueError(f"n_sample must be 0 (all rows) or positive, got {n_sample}")
    if 0 < n_sample < len(frame):
        return frame.sample(n=n_sample, random_state=seed).sort_index().reset_index(drop=True)
    return frame


def _synthetic(n_policies: int, seed: int) -> Portfolio:
    from crm_analysis.data.synthetic import simulate_insurance_portfolio

    frame, truth = simulate_insurance_portfolio(n_policies=n_policies, seed=seed)
    frame = frame.assign(policies=1, true_frequency=truth.expected_frequency,
                         true_severity=truth.expected_severity)
    factors = ("driver_age_band", "accident_history", "married", "has_children",
               "log_car_value", "garaged", "engine_size", "use")
    return Portfolio("synthetic", frame, truth.formula_terms, factors, True, "EUR", truth)


def _mass_insurance() -> Portfolio:
    from crm_analysis.data import load_mass_insurance

    raw = load_mass_insurance()
    frame = pd.DataFrame({
        "district": pd.Categorical(raw["District"].astype(str), categories=["1", "2", "3", "4"]),
        "car_group": raw["Group"],
        "age_band": raw["Age"],
        "exposure": raw["Holders"] * 0.25,
        "claim_count": raw["Claims"],
        "policies": raw["Holders"],
    })
    factors = ("district", "car_group", "age_band")
    return Portfolio("mass_insurance", frame, " + ".join(factors), factors, False, "claims")


def _fremtpl2(n_sample: int, seed: int) -> Portfolio:
    from crm_analysis.data import fetch_fremtpl2

    freq, sev = fetch_fremtpl2()
    freq = _subsample(freq, n_sample, seed)
    amount = sev.groupby("IDpol")["ClaimAmount"].sum()
    exposure = freq["Exposure"].clip(upper=1.0)
    age_bins = [17, 20, 25, 30, 40, 50, 70, np.inf]
    age_labels = ["18-20", "21-25", "26-30", "31-40", "41-50", "51-70", "71+"]
    veh_bins = [-1, 0, 4, 9, 14, np.inf]
    veh_labels = ["0", "1-4", "5-9", "10-14", "15+"]
    power = freq["VehPower"].clip(upper=12).astype(int).astype(str).replace({"12": "12+"})
    raw = {
        "driver_age_band": (pd.cut(freq["DrivAge"], age_bins, labels=age_labels).astype(str), age_labels),
        "vehicle_age_band": (pd.cut(freq["VehAge"], veh_bins, labels=veh_labels).astype(str), veh_labels),
        "vehicle_power": (power, sorted(power.unique(), key=lambda p: int(p.rstrip("+")))),
        "fuel": (freq["VehGas"], None),
        "vehicle_brand": (freq["VehBrand"], None),
        "area": (freq["Area"], None),
        "region": (freq["Region"], None),
    }
    frame = pd.DataFrame({name: _reference_first(values, exposure, order)
                          for name, (values, order) in raw.items()})
    frame["log_bonus_malus"] = np.log(freq["BonusMalus"] / 100.0)
    frame["log_density"] = np.log(freq["Density"].clip(lower=1))
    frame["exposure"] = exposure
    frame["claim_count"] = freq["ClaimNb"]
    frame["claim_amount"] = freq["IDpol"].map(amount).fillna(0.0).to_numpy()
    frame["policies"] = 1
    factors = tuple(raw) + ("log_bonus_malus", "log_density")
    return Portfolio("fremtpl2", frame, " + ".join(factors), factors, True, "EUR")


def load_portfolio(source: str = "synthetic", n_sample: int = 0, seed: int = 0,
                   n_policies: int = 50_000) -> Portfolio:
    """Load one insurance portfolio as a :class:`Portfolio`.

    Parameters
    ----------
    source : ``"synthetic"``, ``"mass_insurance"`` or ``"fremtpl2"``.
    n_sample : random subsample of policies for freMTPL2 (0 = all rows); ignored for
        the 64-cell MASS data; for synthetic data ``n_policies`` sets the size.
    seed : seed of the simulation or the subsample.
    n_policies : size of the synthetic portfolio.

    Raises ``DataUnavailableError`` (from :mod:`crm_analysis.data`) when freMTPL2 is
    neither provided, cached nor downloadable.
    """
    if source == "synthetic":
        return _synthetic(n_policies, seed)
    if source == "mass_insurance":
        return _mass_insurance()
    if source == "fremtpl2":
        return _fremtpl2(n_sample, seed)
    raise ValueError(f"data_source must be one of {SOURCES}, got {source!r}")
