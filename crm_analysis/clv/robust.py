"""Fitting the purchase models so that one model's failure never stops the analysis.

:func:`fit_transaction_models` fits BG/NBD and Pareto/NBD to a summary and returns a
:class:`ModelFit` per model: the fitted model, or what failed and why (the exception's
message). A fit on the no-drop-out boundary is a result (see
:mod:`crm_analysis.clv.boundary`), described in words by :meth:`ModelFit.describe`.
:func:`guarded` runs any other fit or computation the same way.
:func:`clv_model` picks the model the CLV section uses: BG/NBD when it fitted, else
Pareto/NBD, else none (the section then says so).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._fit import ConvergenceError
from .bgnbd import BGNBD
from .pareto_nbd import ParetoNBD

LABELS = {"bgnbd": "BG/NBD", "pareto_nbd": "Pareto/NBD", "mbgnbd": "MBG/NBD", "bgbb": "BG/BB",
          "covariate_bgnbd": "covariate BG/NBD", "covariate_pareto_nbd": "covariate Pareto/NBD",
          "intervals": "per-customer intervals"}
#: What a model or computation on an analyst's data may raise (LinAlgError is a ValueError).
FAILURES = (ConvergenceError, ValueError, ArithmeticError, RuntimeError)


@dataclass
class ModelFit:
    """One model's fit: ``model`` when it fitted, else ``error`` (what failed and why)."""

    name: str
    model: object | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.model is not None

    @property
    def label(self) -> str:
        return LABELS.get(self.name, self.name)

    def describe(self) -> str:
        """One sentence: fitted (and how), at the boundary (in words), or failed (why)."""
        if not self.ok:
            return f"{self.label} could not be fitted: {self.error}"
        if not hasattr(self.model, "loglik_"):
            return f"{self.label}: computed."
        boundary = getattr(self.model, "boundary_", None)
        if boundary:
            return f"{self.label}: {boundary}."
        return f"{self.label}: fitted by maximum likelihood (log-likelihood {self.model.loglik_:.1f})."

    def record_value(self) -> dict:
        """Finite parameters and the log-likelihood, for ``results.record`` (a parameter
        that is not identified at a boundary is left out)."""
        values = {k: float(v) for k, v in self.model.params_.items() if np.isfinite(v)}
        return {**values, "loglik": float(self.model.loglik_)}


def fit_transaction_models(summary, models=("bgnbd", "pareto_nbd")) -> dict[str, ModelFit]:
    """Fit each of ``models`` to ``summary``; a failure is kept as a :class:`ModelFit`
    with its message instead of being raised."""
    classes = {"bgnbd": BGNBD, "pareto_nbd": ParetoNBD}
    fits = {}
    for name in models:
        try:
            fits[name] = ModelFit(name, classes[name]().fit(summary))
        except (ConvergenceError, ValueError, FloatingPointError, np.linalg.LinAlgError) as error:
            fits[name] = ModelFit(name, error=f"{type(error).__name__}: {error}")
    return fits


def guarded(name: str, compute, *args, **kwargs) -> ModelFit:
    """``compute(*args, **kwargs)`` (a model's fit or any computation on the data) as a
    :class:`ModelFit` named ``name``: its result in ``model``, or, if it raised one of
    :data:`FAILURES`, what failed and why in ``error`` (so one model's failure on an
    analyst's data does not stop the notebook)."""
    try:
        return ModelFit(name, compute(*args, **kwargs))
    except FAILURES as error:
        return ModelFit(name, error=f"{type(error).__name__}: {error}")


def clv_model(fits: dict[str, ModelFit]) -> ModelFit | None:
    """The fit the CLV section uses: the first of BG/NBD, Pareto/NBD that fitted."""
    return next((fit for fit in fits.values() if fit.ok), None)
