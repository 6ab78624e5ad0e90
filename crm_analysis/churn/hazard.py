"""Cox proportional-hazards models: hazard ratios, the proportional-hazards check, strata,
and the concordance index.

The fit is statsmodels' ``PHReg`` with Efron's handling of tied churn times (the default
of R's ``coxph`` and of lifelines). Chosen by measurement: on the Rossi recidivism data it
reproduces R's printed ``coxph`` fit to all printed digits (tests/test_churn_hazard.py);
scikit-survival 0.28 installs with numpy 2 / pandas 3 but its Cox model reports no
standard errors or Schoenfeld residuals, and lifelines' newest release (0.30.3) would
downgrade pandas to 2.3 (``pip install --dry-run lifelines``).

The proportional-hazards test is the Grambsch–Therneau (1994) score approximation on the
scaled Schoenfeld residuals, as in R's ``cox.zph`` before survival 3.0 (and in Stata and
lifelines): per covariate the correlation of the scaled residuals with a transform of time
(``km``: one minus the Kaplan–Meier curve, ``rank``, ``identity`` or ``log``) and a 1-df
χ² test, plus a global test. Written here because statsmodels gives the residuals but not
the test; the Schoenfeld residuals are computed here too, with Efron's risk-set means at
tied times (statsmodels' use the Breslow means), so the test matches R's printed output.

Harrell's concordance index is computed here by counting pairs (vectorized in blocks);
it is a few lines and avoids a dependency.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.duration.hazard_regression import PHReg
from statsmodels.duration.survfunc import SurvfuncRight

from crm_analysis.churn.design import design_matrix
from crm_analysis.churn.survival import check_survival_data
from crm_analysis.common import require_columns
from crm_analysis.estimates import FittedModel, estimate_table, normal_quantile

TRANSFORMS = ("km", "rank", "identity", "log")


class CoxModel(FittedModel):
    """Cox proportional-hazards model of the churn hazard.

    ``CoxModel("tenure", "churned", ["contract", "monthly_charges"]).fit(frame)``:
    numeric covariates enter as given (a hazard ratio per unit), text covariates as
    indicators against a reference level (``reference={"contract": "Month-to-month"}``,
    default the most frequent level; see ``reference_levels_``). ``strata`` names a
    column whose groups each get their own baseline hazard (the fix when a covariate
    breaks proportional hazards); it then has no hazard ratio of its own. ``entry``
    names a column of entry times (rows observed from ``entry`` to ``duration``), as in the
    episodes of :func:`episode_split`.
    """

    def __init__(self, duration: str, event: str, covariates, strata: str | None = None,
                 reference: dict | None = None, ties: str = "efron", entry: str | None = None):
        if ties not in ("efron", "breslow"):
            raise ValueError(f"ties must be 'efron' or 'breslow'; got {ties!r}")
        self.duration, self.event, self.covariates = duration, event, list(covariates)
        self.strata, self.reference, self.ties, self.entry = strata, reference, ties, entry
        self.params_ = None

    def fit(self, frame: pd.DataFrame) -> CoxModel:
        """Fit by maximum partial likelihood; returns self."""
        cols = ([self.duration, self.event] + ([self.strata] if self.strata else [])
                + ([self.entry] if self.entry else []))
        require_columns(frame, cols, "CoxModel.fit")
        t, e = check_survival_data(frame[self.duration], frame[self.event], "CoxModel.fit")
        X, self.reference_levels_ = design_matrix(frame, self.covariates, self.reference,
                                                  "CoxModel.fit")
        constant = [c for c in X.columns if X[c].nunique() < 2]
        if constant:
            raise ValueError(f"CoxModel.fit: covariate column(s) {constant} take a single value "
                             "(within the data given); drop them")
        strata = frame[self.strata].astype(str).to_numpy() if self.strata else None
        entry = frame[self.entry].to_numpy(dtype="float64") if self.entry else None
        self.model_ = PHReg(t, X.to_numpy(), status=e, ties=self.ties, strata=strata, entry=entry)
        self.result_ = self.model_.fit(disp=False)
        if not np.all(np.isfinite(self.result_.bse)):
            raise ValueError("CoxModel.fit: the fit did not converge (infinite standard errors); "
                             "a covariate may separate churners from stayers")
        names = list(X.columns)
        self.params_ = pd.Series(self.result_.params, index=names)
        self.std_err_ = pd.Series(self.result_.bse, index=names)
        self.cov_ = pd.DataFrame(self.result_.cov_params(), index=names, columns=names)
        self.loglik_ = float(self.result_.llf)
        self.n_, self.n_events_ = int(t.size), int(e.sum())
        self._t, self._e, self._X, self._strata = t, e, X.to_numpy(), strata
        self._entry = entry if entry is not None else np.full(t.size, -np.inf)
        return self

    def summary(self, level: float = 0.95) -> pd.DataFrame:
        """Log hazard ratios: the estimate table with Wald p-values (H0: coefficient 0)."""
        self._check_fitted()
        z = self.params_ / self.std_err_
        return estimate_table(self.params_, self.std_err_, p_value=2 * stats.norm.sf(z.abs()),
                              level=level)

    def hazard_ratios(self, level: float = 0.95) -> pd.DataFrame:
        """Hazard ratios exp(β) with intervals exp(β ± z·se) and Wald p-values.

        Columns ``estimate`` (ratio), ``std_err`` (of the log ratio), ``ci_low``,
        ``ci_high``, ``p_value``, ``level``.
        """
        table = self.summary(level)
        for col in ("estimate", "ci_low", "ci_high"):
            table[col] = np.exp(table[col])
        return table

    def likelihood_ratio_test(self) -> dict:
        """LR test of the fitted model against no covariates: statistic, df, p_value."""
        self._check_fitted()
        null = self.model_.loglike(np.zeros(len(self.params_)))
        stat = 2 * (self.loglik_ - null)
        df = len(self.params_)
        return {"statistic": float(stat), "df": df, "p_value": float(stats.chi2.sf(stat, df))}

    def schoenfeld_residuals(self) -> np.ndarray:
        """Schoenfeld residuals (rows: customers; NaN for censored rows), with Efron's
        risk-set means at tied churn times as in R's ``coxph``: each of the d customers
        who churn at one time gets x − the average of the d Efron means."""
        self._check_fitted()
        t, e, X = self._t, self._e, self._X
        eta = X @ self.params_.to_numpy()
        w = np.exp(eta - eta.max())
        out = np.full(X.shape, np.nan)
        groups = self._strata if self._strata is not None else np.zeros(t.size)
        for g in np.unique(groups):
            rows = np.flatnonzero(groups == g)
            tr, er, Xr, wr, en = t[rows], e[rows], X[rows], w[rows], self._entry[rows]
            for u in np.unique(tr[er == 1]):
                risk = (tr >= u) & (en < u)
                dead = (tr == u) & (er == 1)
                d = int(dead.sum())
                s0, s1 = wr[risk].sum(), wr[risk] @ Xr[risk]
                if self.ties == "efron" and d > 1:
                    s0d, s1d = wr[dead].sum(), wr[dead] @ Xr[dead]
                    k = np.arange(d)[:, None] / d
                    mean = ((s1[None, :] - k * s1d[None, :]) / (s0 - k[:, 0] * s0d)[:, None]).mean(axis=0)
                else:
                    mean = s1 / s0
                out[rows[dead]] = Xr[dead] - mean
        return out

    def _event_residuals(self, transform: str):
        if transform not in TRANSFORMS:
            raise ValueError(f"transform must be one of {TRANSFORMS}; got {transform!r}")
        resid = self.schoenfeld_residuals()
        rows = np.flatnonzero((self._e == 1) & np.all(np.isfinite(resid), axis=1))
        order = rows[np.argsort(self._t[rows], kind="stable")]
        times = self._t[order]
        if transform == "km":
            if np.all(np.isinf(self._entry)):
                sf = SurvfuncRight(self._t, self._e)
            else:  # zero-length episodes carry no information and statsmodels refuses them
                ok = self._t > np.maximum(self._entry, 0)
                sf = SurvfuncRight(self._t[ok], self._e[ok], entry=np.maximum(self._entry, 0)[ok])
            # one minus the Kaplan-Meier curve just before each event time
            idx = np.searchsorted(sf.surv_times, times, side="left")
            before = np.concatenate([[1.0], sf.surv_prob])[idx]
            g = 1 - before
        elif transform == "rank":
            g = stats.rankdata(times)
        elif transform == "log":
            g = np.log(times)
        else:
            g = times.astype(float)
        return times, g, resid[order]

    def ph_test(self, transform: str = "km") -> pd.DataFrame:
        """Proportional-hazards test per covariate and globally (Grambsch–Therneau).

        Columns ``rho`` (correlation of the scaled Schoenfeld residuals with the
        transformed time; NaN for the global row), ``statistic`` (χ²), ``df``,
        ``p_value``. A small p-value says the hazard ratio of that covariate changes over
        tenure, so one number does not describe it.
        """
        self._check_fitted()
        _, g, resid = self._event_residuals(transform)
        n_d = resid.shape[0]
        V = self.cov_.to_numpy()
        xx = g - g.mean()
        r2 = resid @ V * n_d
        test = xx @ r2
        sxx = float(xx @ xx)
        z = test ** 2 / (np.diag(V) * n_d * sxx)
        rho = [float(np.corrcoef(xx, r2[:, j])[0, 1]) for j in range(r2.shape[1])]
        raw = xx @ resid
        glob = float(raw @ V @ raw * n_d / sxx)
        p = len(self.params_)
        table = pd.DataFrame({"rho": rho, "statistic": z, "df": 1,
                              "p_value": stats.chi2.sf(z, 1)}, index=self.params_.index)
        table.loc["GLOBAL"] = [np.nan, glob, p, stats.chi2.sf(glob, p)]
        table["df"] = table["df"].astype(int)
        return table

    def scaled_schoenfeld(self, transform: str = "km") -> pd.DataFrame:
        """Scaled Schoenfeld residuals (β + residual scaled by the inverse information),
        one row per churn event: ``time``, ``g`` (transformed time) and one column per
        covariate. Their smoothed trend over time estimates β(t): a flat trend means
        proportional hazards."""
        self._check_fitted()
        times, g, resid = self._event_residuals(transform)
        scaled = resid @ self.cov_.to_numpy() * resid.shape[0] + self.params_.to_numpy()
        out = pd.DataFrame(scaled, columns=self.params_.index)
        out.insert(0, "g", g)
        out.insert(0, "time", times)
        return out

    def predict_log_hazard(self, frame: pd.DataFrame) -> np.ndarray:
        """Linear predictor xβ (log relative hazard) for the rows of ``frame``."""
        self._check_fitted()
        X, _ = design_matrix(frame, self.covariates, self.reference_levels_, "predict", strict=False)
        X = X.reindex(columns=self.params_.index, fill_value=0.0)
        return X.to_numpy() @ self.params_.to_numpy()


def episode_split(frame: pd.DataFrame, duration: str, event: str, cut: float, covariates,
                  keep=(), reference: dict | None = None, unit: str = "m") -> tuple[pd.DataFrame, list]:
    """Split each customer's follow-up at tenure ``cut`` into an early and a late episode
    and give every covariate column one coefficient per episode: the time-varying fix for
    a hazard ratio that changes with tenure.

    Returns ``(episodes, names)``: ``episodes`` has ``entry``, ``exit``, ``event`` (churn
    in that episode), the ``keep`` columns (e.g. a stratum) and the design columns
    ``<column> (≤cut)`` / ``<column> (>cut)``; ``names`` lists the design columns for
    ``CoxModel("exit", "event", names, entry="entry")``.
    """
    require_columns(frame, [duration, event, *keep], "episode_split")
    t, e = check_survival_data(frame[duration], frame[event], "episode_split")
    X, _ = design_matrix(frame, covariates, reference, "episode_split")
    early_label, late_label = f" (≤{cut:g}{unit})", f" (>{cut:g}{unit})"
    base = frame[list(keep)].reset_index(drop=True)
    Xv = X.reset_index(drop=True)
    early = base.assign(entry=0.0, exit=np.minimum(t, cut), event=np.where(t <= cut, e, 0.0))
    late_rows = np.flatnonzero(t > cut)
    late = base.iloc[late_rows].assign(entry=float(cut), exit=t[late_rows], event=e[late_rows])
    for col in Xv.columns:
        early[col + early_label], early[col + late_label] = Xv[col].to_numpy(), 0.0
        late[col + early_label], late[col + late_label] = 0.0, Xv[col].to_numpy()[late_rows]
    names = [c + lab for c in Xv.columns for lab in (early_label, late_label)]
    return pd.concat([early, late], ignore_index=True), names


def concordance_index(durations, events, risk) -> float:
    """Harrell's C: among comparable pairs (the shorter duration ended in churn), the share
    in which the customer who churned first has the higher ``risk``; ties in risk count ½.
    0.5 is chance, 1 is perfect ordering."""
    t, e = check_survival_data(durations, events, "concordance_index")
    r = np.asarray(risk, dtype="float64")
    if r.shape != t.shape:
        raise ValueError(f"concordance_index: {r.size} risk scores for {t.size} durations")
    idx = np.flatnonzero(e == 1)
    concordant = comparable = 0.0
    for start in range(0, idx.size, 512):
        i = idx[start:start + 512]
        later = t[None, :] > t[i, None]
        comparable += later.sum()
        diff = r[i, None] - r[None, :]
        concordant += ((diff > 0) & later).sum() + 0.5 * ((diff == 0) & later).sum()
    if comparable == 0:
        raise ValueError("concordance_index: no comparable pairs (no churn before another "
                         "customer's end of observation)")
    return float(concordant / comparable)


def hazard_ratio_sentences(table: pd.DataFrame, reference_levels: dict, unit: dict | None = None,
                           top: int | None = None) -> list[str]:
    """The Cox model's ratios in words, largest effects first: "contract = Two year:
    0.05 times the churn hazard of Month-to-month (CI 0.03 to 0.08)". ``unit`` gives a
    numeric covariate's unit for "per 1 <unit>" wording. Only ratios whose interval
    excludes 1 are described (the others are listed as "no clear effect")."""
    unit = unit or {}
    rows = table.assign(strength=np.abs(np.log(table["estimate"])))
    rows = rows.sort_values("strength", ascending=False)
    clear, unclear = [], []
    for name, r in rows.iterrows():
        if "[" in name:
            col, level = name[:-1].split("[", 1)
            what = f"{col} = {level}: {r['estimate']:.2f} times the churn hazard of {reference_levels.get(col, 'the reference')}"
        else:
            per = f" per 1 {unit[name]}" if name in unit else " per unit"
            what = f"{name}: {r['estimate']:.3f} times the churn hazard{per}"
        text = f"{what} (CI {r['ci_low']:.2f} to {r['ci_high']:.2f})"
        (clear if (r["ci_low"] > 1 or r["ci_high"] < 1) else unclear).append(text)
    if top is not None:
        clear = clear[:top]
    if unclear:
        clear.append("no clear effect: " + "; ".join(u.split(":")[0] for u in unclear))
    return clear
