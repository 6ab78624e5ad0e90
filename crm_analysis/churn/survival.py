"""Kaplan–Meier curves, numbers at risk, log-rank tests, median tenure and RMST.

Durations are in the unit of the data (months for IBM Telco's ``tenure``, years for
policy ages, days for a contact history); every result is in that unit. ``events`` is
1 when the customer churned (the event was seen) and 0 when the duration is censored
(still a customer at the end of the data).

The Kaplan–Meier estimate, its Greenwood standard error and the log-rank test come from
statsmodels (``SurvfuncRight``, ``survdiff``). The pointwise interval is built on the
log(−log) scale (Kalbfleisch & Prentice; lifelines' default, R's ``conf.type =
"log-log"``), so it stays inside [0, 1]. Restricted mean survival time (the area under the
curve up to a horizon τ, Royston & Parmar 2013) and its standard error are written here
because neither statsmodels nor scikit-survival computes it; the variance is the usual
Greenwood-type sum Σ A_j² d_j / (n_j (n_j − d_j)), A_j the area from t_j to τ.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from statsmodels.duration.survfunc import SurvfuncRight, survdiff

from crm_analysis.common import require_columns
from crm_analysis.estimates import estimate_table, normal_quantile


def check_survival_data(durations, events, what: str = "survival data") -> tuple[np.ndarray, np.ndarray]:
    """Durations (non-negative numbers) and 0/1 events as float arrays, or a ``ValueError``
    naming the offending rows."""
    t = np.asarray(durations, dtype="float64")
    e = np.asarray(events)
    if t.shape != e.shape:
        raise ValueError(f"{what}: {t.size} durations but {e.size} event flags")
    bad = np.flatnonzero(~np.isfinite(t) | (t < 0))
    if bad.size:
        raise ValueError(f"{what}: durations must be finite and >= 0; rows {bad[:10].tolist()} "
                         f"are {t[bad[:10]].tolist()}")
    e = e.astype("float64")
    bad = np.flatnonzero(~np.isin(e, (0.0, 1.0)))
    if bad.size:
        raise ValueError(f"{what}: events must be 0 (censored) or 1 (churned); rows "
                         f"{bad[:10].tolist()} are {e[bad[:10]].tolist()}")
    return t, e


def kaplan_meier(durations, events, level: float = 0.95) -> pd.DataFrame:
    """Kaplan–Meier survival curve: one row per distinct event time.

    Columns ``time``, ``at_risk`` (customers still observed just before ``time``),
    ``events`` (churned at ``time``), ``survival`` (share still a customer after
    ``time``), ``std_err`` (Greenwood), ``ci_low``/``ci_high`` (log-log interval at
    ``level``), ``level``. A row at time 0 with survival 1 opens the table.
    """
    t, e = check_survival_data(durations, events)
    z = normal_quantile(level)
    if e.sum() == 0:
        times, at_risk, n_events = np.zeros(0), np.zeros(0), np.zeros(0)
        surv = se = np.zeros(0)
    else:
        sf = SurvfuncRight(t, e)
        times, at_risk, n_events = sf.surv_times, sf.n_risk, sf.n_events
        surv, se = sf.surv_prob, sf.surv_prob_se
    with np.errstate(divide="ignore", invalid="ignore"):
        log_s = np.log(surv)
        se_loglog = se / (surv * np.abs(log_s))
        low = surv ** np.exp(z * se_loglog)
        high = surv ** np.exp(-z * se_loglog)
    degenerate = (surv <= 0) | (surv >= 1) | ~np.isfinite(se_loglog)
    low = np.where(degenerate, surv, low)
    high = np.where(degenerate, surv, high)
    table = pd.DataFrame({"time": times, "at_risk": at_risk, "events": n_events,
                          "survival": surv, "std_err": se, "ci_low": low, "ci_high": high})
    first = pd.DataFrame({"time": [0.0], "at_risk": [float(t.size)], "events": [0.0],
                          "survival": [1.0], "std_err": [0.0], "ci_low": [1.0], "ci_high": [1.0]})
    if not (len(times) and times[0] == 0):  # no churn at time 0: the curve starts at 1
        table = pd.concat([first, table], ignore_index=True)
    table["level"] = level
    return table


def kaplan_meier_by(frame: pd.DataFrame, duration: str, event: str, group: str,
                    level: float = 0.95) -> dict[str, pd.DataFrame]:
    """One Kaplan–Meier table per value of ``group`` (keys are the group values as text)."""
    require_columns(frame, [duration, event, group], "kaplan_meier_by")
    return {str(g): kaplan_meier(part[duration], part[event], level=level)
            for g, part in frame.groupby(group, sort=True, observed=True)}


def survival_at(km: pd.DataFrame, time: float) -> dict:
    """Survival (with its interval) at ``time`` from a :func:`kaplan_meier` table: the
    step function's value just after ``time``. Beyond the last observed time the value
    is not known and ``ValueError`` is raised."""
    last = float(km["time"].max()) if len(km) else 0.0
    if time > last and km["survival"].iloc[-1] > 0:
        raise ValueError(f"survival_at: time {time} is beyond the last observed event time {last}")
    row = km[km["time"] <= time].iloc[-1]
    return {"estimate": float(row["survival"]), "ci_low": float(row["ci_low"]),
            "ci_high": float(row["ci_high"]), "level": float(row["level"])}


def median_survival(km: pd.DataFrame) -> dict:
    """Median survival time (first time the curve reaches 0.5 or below) with the
    Brookmeyer–Crowley-type interval read off the pointwise band: from the first time the
    lower limit reaches 0.5 to the first time the upper limit does. Values not reached in
    the data are ``None`` (e.g. when more than half the customers never churned)."""
    def first_at_or_below(column):
        hit = km.loc[km[column] <= 0.5, "time"]
        return float(hit.iloc[0]) if len(hit) else None

    return {"estimate": first_at_or_below("survival"), "ci_low": first_at_or_below("ci_low"),
            "ci_high": first_at_or_below("ci_high"), "level": float(km["level"].iloc[0])}


def numbers_at_risk(frame: pd.DataFrame, duration: str, times, group: str | None = None) -> pd.DataFrame:
    """Customers still observed (duration ≥ t) at each of ``times``, per group (rows)
    and time (columns): the table printed under a Kaplan–Meier plot."""
    cols = [duration] + ([group] if group else [])
    require_columns(frame, cols, "numbers_at_risk")
    times = list(times)
    parts = frame.groupby(group, sort=True, observed=True) if group else [("all", frame)]
    rows = {str(g): [int((part[duration] >= t).sum()) for t in times] for g, part in parts}
    return pd.DataFrame.from_dict(rows, orient="index", columns=times)


def logrank_test(durations, events, groups) -> dict:
    """Log-rank test that all groups share one survival curve.

    Returns ``{"statistic": chi², "df": groups − 1, "p_value": ...}`` (statsmodels
    ``survdiff``, unweighted).
    """
    t, e = check_survival_data(durations, events)
    g = np.asarray(groups)
    if g.shape != t.shape:
        raise ValueError(f"logrank_test: {g.size} group labels for {t.size} durations")
    levels = np.unique(g)
    if levels.size < 2:
        raise ValueError("logrank_test: needs at least two groups; all rows have group "
                         f"{levels.tolist()}")
    chi2, p = survdiff(t, e, g)
    return {"statistic": float(chi2), "df": int(levels.size - 1), "p_value": float(p)}


def pairwise_logrank(frame: pd.DataFrame, duration: str, event: str, group: str) -> pd.DataFrame:
    """Log-rank tests for every pair of groups (no multiplicity adjustment; compare the
    p-values with 0.05 / number of pairs for a Bonferroni reading)."""
    require_columns(frame, [duration, event, group], "pairwise_logrank")
    levels = sorted(frame[group].dropna().unique().tolist())
    rows = []
    for i, a in enumerate(levels):
        for b in levels[i + 1:]:
            part = frame[frame[group].isin([a, b])]
            res = logrank_test(part[duration], part[event], part[group])
            rows.append({"group_a": a, "group_b": b, **res})
    return pd.DataFrame(rows)


def rmst(durations, events, horizon: float, level: float = 0.95) -> dict:
    """Restricted mean survival time up to ``horizon``: the expected time as a customer
    within the first ``horizon`` units (area under the Kaplan–Meier curve), with its
    standard error and Wald interval. A value measure: RMST × monthly margin is the
    expected margin earned in the first ``horizon`` months."""
    t, e = check_survival_data(durations, events)
    if horizon <= 0:
        raise ValueError(f"rmst: horizon must be > 0; got {horizon}")
    if horizon > t.max():
        raise ValueError(f"rmst: horizon {horizon} is beyond the longest observed duration {t.max()}")
    km = kaplan_meier(t, e, level=level)
    km = km[km["time"] < horizon]
    times = np.append(km["time"].to_numpy(), horizon)
    surv = km["survival"].to_numpy()
    areas = surv * np.diff(times)
    estimate = float(areas.sum())
    # A_j: area under the curve from event time t_j to the horizon (the curve's value
    # after t_j holds from t_j on, so row j's area onwards is the tail sum from row j)
    a_j = np.cumsum(areas[::-1])[::-1]
    n_j, d_j = km["at_risk"].to_numpy(), km["events"].to_numpy()
    keep = (d_j > 0) & (n_j > d_j)
    var = float(np.sum(a_j[keep] ** 2 * d_j[keep] / (n_j[keep] * (n_j[keep] - d_j[keep]))))
    z = normal_quantile(level)
    se = np.sqrt(var)
    return {"estimate": estimate, "std_err": float(se), "ci_low": estimate - z * se,
            "ci_high": estimate + z * se, "level": level, "horizon": float(horizon)}


def rmst_by(frame: pd.DataFrame, duration: str, event: str, group: str, horizon: float,
            level: float = 0.95) -> pd.DataFrame:
    """RMST up to ``horizon`` per group, as an estimate table (index: group)."""
    require_columns(frame, [duration, event, group], "rmst_by")
    res = {str(g): rmst(p[duration], p[event], horizon, level)
           for g, p in frame.groupby(group, sort=True, observed=True)}
    est = pd.Series({k: v["estimate"] for k, v in res.items()})
    se = pd.Series({k: v["std_err"] for k, v in res.items()})
    return estimate_table(est, se, level=level)


def survival_table_at(kms: dict[str, pd.DataFrame], time: float) -> pd.DataFrame:
    """Survival at ``time`` per group from :func:`kaplan_meier_by`, as an estimate table."""
    rows = {g: survival_at(km, time) for g, km in kms.items()}
    est = pd.Series({g: r["estimate"] for g, r in rows.items()})
    return estimate_table(est, pd.Series({g: np.nan for g in rows}),
                          ci_low=pd.Series({g: r["ci_low"] for g, r in rows.items()}),
                          ci_high=pd.Series({g: r["ci_high"] for g, r in rows.items()}),
                          level=float(next(iter(rows.values()))["level"]))


def tenure_bands(tenure, edges=(0, 12, 24, 48, np.inf), unit: str = "m") -> pd.Series:
    """Label durations by band, e.g. ``0–12m``, ``12–24m``, ``48m+`` (left-closed)."""
    edges = list(edges)
    labels = [f"{int(a)}–{int(b)}{unit}" if np.isfinite(b) else f"{int(a)}{unit}+"
              for a, b in zip(edges[:-1], edges[1:])]
    return pd.Series(pd.cut(np.asarray(tenure, dtype=float), edges, right=False, labels=labels),
                     index=getattr(tenure, "index", None)).astype(str)


def life_table(durations, events, level: float = 0.95) -> pd.DataFrame:
    """Discrete-time life table for renewal data (one row per policy at one renewal):
    per duration (e.g. policy age in years) the policies ``at_risk``, ``events`` (lapses),
    the ``hazard`` (lapse rate) with a Wilson interval, and ``survival`` = Π(1 − hazard), the
    share of a new cohort expected to still be a customer after that duration. Each
    policy counts only at its own duration (left truncation is handled by construction)."""
    t, e = check_survival_data(durations, events, "life_table")
    frame = pd.DataFrame({"time": t, "event": e}).groupby("time")["event"].agg(["size", "sum"])
    n, d = frame["size"].to_numpy(float), frame["sum"].to_numpy(float)
    h = d / n
    z = normal_quantile(level)
    centre = (h + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(h * (1 - h) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return pd.DataFrame({"time": frame.index.to_numpy(), "at_risk": n, "events": d, "hazard": h,
                         "ci_low": centre - half, "ci_high": centre + half,
                         "survival": np.cumprod(1 - h), "level": level})
