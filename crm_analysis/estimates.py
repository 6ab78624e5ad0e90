"""One shape for every estimate the workbook reports.

Every function or model that estimates something returns (or can return, through
``summary()``) a *tidy estimate table*: one row per estimated quantity, indexed by its
name, with the columns

=========== ==========================================================================
``estimate``  the point estimate, in the unit the function's docstring states
``std_err``   its standard error (NaN where no standard error exists, e.g. a
              bootstrap percentile interval or a profile-likelihood interval)
``ci_low``    lower end of the confidence interval
``ci_high``   upper end of the confidence interval
``p_value``   only where a test is done (null hypothesis stated by the function)
``level``     the interval's confidence level, e.g. 0.95, so the output states it
=========== ==========================================================================

The interval level is always given as ``level=0.95`` (never ``alpha``).

Fitted models follow the statsmodels / lifelines habit through :class:`FittedModel`:
``fit()`` returns the model; fitted attributes end in ``_``; ``params_`` and
``std_err_`` are Series indexed by parameter name; ``conf_int(level=...)`` returns a
frame with ``ci_low`` / ``ci_high``; ``summary(level=...)`` returns the estimate table.

Written by hand because the shape is this project's contract: statsmodels and
scikit-learn results each have their own, and the report index reads this one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

ESTIMATE_COLUMNS = ("estimate", "std_err", "ci_low", "ci_high")


def check_level(level: float) -> float:
    """Return ``level`` as a float after checking that it is a probability in (0, 1)."""
    try:
        value = float(level)
    except (TypeError, ValueError):
        raise ValueError(f"level must be a number in (0, 1), e.g. 0.95; got {level!r}") from None
    if not 0.0 < value < 1.0:
        raise ValueError(f"level must be in (0, 1), e.g. 0.95; got {level!r}")
    return value


def alpha_of(level: float) -> float:
    """``1 − level``, for libraries whose own argument is ``alpha`` (statsmodels), rounded
    to 12 decimals so 0.95 gives exactly 0.05 (not 0.050000000000000044)."""
    return round(1.0 - check_level(level), 12)


def normal_quantile(level: float) -> float:
    """Two-sided standard-normal critical value for a ``level`` interval (1.96 at 0.95)."""
    return float(stats.norm.ppf(0.5 + check_level(level) / 2.0))


def estimate_table(
    estimate,
    std_err=None,
    *,
    ci_low=None,
    ci_high=None,
    p_value=None,
    level: float = 0.95,
    index: Sequence | None = None,
    df: float | None = None,
) -> pd.DataFrame:
    """Build the tidy estimate table.

    ``estimate`` (and the optional ``std_err``, ``ci_low``, ``ci_high``, ``p_value``) are
    scalars, sequences, numpy arrays or Series; Series and mappings supply the index.
    Where the interval is not given it is the Wald interval ``estimate ± z·std_err``
    (or Student-t with ``df`` degrees of freedom). Pass ``ci_low``/``ci_high`` for any
    other construction (profile likelihood, bootstrap, Wilson) and say which in the
    function's docstring.
    """
    level = check_level(level)
    if isinstance(estimate, Mapping):
        estimate = pd.Series(estimate, dtype="float64")
    if isinstance(estimate, pd.Series):
        index = list(estimate.index) if index is None else index
    est = np.atleast_1d(np.asarray(estimate, dtype="float64"))
    n = est.size

    def column(values) -> np.ndarray:
        if values is None:
            return np.full(n, np.nan)
        if isinstance(values, Mapping):
            values = pd.Series(values)
        if isinstance(values, pd.Series) and index is not None:
            values = values.reindex(index)
        out = np.atleast_1d(np.asarray(values, dtype="float64"))
        if out.size == 1 and n > 1:
            out = np.full(n, out.item())
        if out.size != n:
            raise ValueError(f"estimate_table: {out.size} values given for {n} estimates")
        return out

    se = column(std_err)
    if ci_low is None and ci_high is None:
        crit = normal_quantile(level) if df is None else float(stats.t.ppf(0.5 + level / 2, df))
        low, high = est - crit * se, est + crit * se
    else:
        low, high = column(ci_low), column(ci_high)
    table = pd.DataFrame({"estimate": est, "std_err": se, "ci_low": low, "ci_high": high},
                         index=pd.Index(index if index is not None else range(n)))
    if p_value is not None:
        table["p_value"] = column(p_value)
    table["level"] = level
    return table


def estimate_row(table: pd.DataFrame, name) -> dict:
    """One row of an estimate table as a plain dict (for ``results.record``)."""
    row = table.loc[name]
    return {k: (float(v) if isinstance(v, (int, float, np.floating)) else v) for k, v in row.items()}


class FittedModel:
    """Mixin for fitted models: ``params_``, ``std_err_``, ``conf_int()``, ``summary()``.

    A subclass sets ``params_`` and ``std_err_`` (Series indexed by parameter name) in
    ``fit()``, which returns ``self``. The default interval is Wald on the natural scale;
    a model whose intervals are built otherwise (e.g. on the log scale, or by profile
    likelihood at a boundary) overrides :meth:`conf_int`.
    """

    params_: pd.Series
    std_err_: pd.Series

    def _check_fitted(self) -> None:
        if getattr(self, "params_", None) is None:
            raise RuntimeError(f"{type(self).__name__} is not fitted yet: call fit() first")

    def conf_int(self, level: float = 0.95) -> pd.DataFrame:
        """Interval per parameter: a frame with ``ci_low``, ``ci_high`` (Wald by default)."""
        self._check_fitted()
        table = estimate_table(self.params_, self.std_err_, level=level)
        return table[["ci_low", "ci_high"]]

    def summary(self, level: float = 0.95) -> pd.DataFrame:
        """The tidy estimate table of the parameters at ``level``."""
        self._check_fitted()
        ci = self.conf_int(level=level)
        return estimate_table(self.params_, self.std_err_, ci_low=ci["ci_low"],
                              ci_high=ci["ci_high"], level=level)


class FittedResults(FittedModel):
    """A fitted statsmodels results object in the :class:`FittedModel` shape.

    ``params_``, ``std_err_``, ``conf_int(level=)`` (the library's own intervals, Wald or t
    as it computes them) and ``summary(level=)`` (the estimate table, with ``p_value``) follow
    the convention; every other attribute (``params``, ``predict``, ``model``, ``llf``, …)
    is the wrapped object's, so code written for statsmodels keeps working. The wrapped
    object itself is ``results``.
    """

    def __init__(self, results) -> None:
        self.results = results
        names = getattr(results.params, "index", None)
        if names is None:  # fitted on arrays: the model's names (const, x1, …)
            names = getattr(getattr(results, "model", None), "exog_names", None)
        self.params_ = pd.Series(np.asarray(results.params, dtype="float64"), index=names, name="estimate")
        self.std_err_ = pd.Series(np.asarray(results.bse, dtype="float64"), index=names, name="std_err")

    def __getattr__(self, name):
        # only called for names not found on the wrapper: pass them to the results
        if name == "results":
            raise AttributeError(name)
        return getattr(self.results, name)

    def fit(self):
        """Already fitted: returns the model (the convention's ``fit()`` returns the model)."""
        return self

    def conf_int(self, level: float = 0.95) -> pd.DataFrame:
        ci = self.results.conf_int(alpha=alpha_of(level))
        ci = pd.DataFrame(np.asarray(ci), index=self.params_.index, columns=["ci_low", "ci_high"])
        return ci

    def summary(self, level: float = 0.95) -> pd.DataFrame:
        ci = self.conf_int(level=level)
        return estimate_table(self.params_, self.std_err_, ci_low=ci["ci_low"], ci_high=ci["ci_high"],
                              p_value=np.asarray(self.results.pvalues, dtype="float64"), level=level)


def unwrap(results):
    """The statsmodels object inside a :class:`FittedResults` (or ``results`` itself)."""
    return results.results if isinstance(results, FittedResults) else results
