"""The transaction logs the lifetime-value notebook can analyse, behind one call.

``data_source`` is ``"cdnow_sample"`` (2,357 CDNOW customers), ``"cdnow"`` (all 23,570),
``"synthetic"`` (a BG/NBD world with known truth, from :mod:`crm_analysis.data.synthetic`),
or, through the ``data`` argument, the transactions table of the analyst's data profile
(:func:`crm_analysis.data.load_profile`).  Every source
comes back with the columns ``customer_id`` (str), ``date`` (datetime64) and ``amount``
(currency of the source: USD for CDNOW, currency units for synthetic data).

:func:`customer_summary` computes the per-customer summary where the data live: in
PostgreSQL (:mod:`.summary_postgres`, one query) when the profile's transactions table is a
database table the server can summarize exactly as the profile reads it, else in pandas;
it says which engine ran and why.
"""

from __future__ import annotations

import pandas as pd

from crm_analysis.data import load_cdnow
from crm_analysis.data.synthetic import simulate_transactions

#: Calibration and holdout ends of the published CDNOW analyses (39 + 39 weeks).
CDNOW_WINDOW = ("1997-09-30", "1998-06-30")


BUILT_IN = ("cdnow", "cdnow_sample", "synthetic")


def load_clv_transactions(
    data_source: str,
    *,
    data: str = "",
    as_of: str = "",
    n_synthetic: int = 5000,
    seed: int = 0,
):
    """``(transactions, truth)``; ``truth`` is None for real data.

    ``data`` is the path of a data profile (YAML, see :mod:`crm_analysis.data.profile`);
    when given, its transactions table is used instead of ``data_source`` (a relative path
    is read from the current folder). ``as_of`` (ISO date, or empty) leaves out every row
    dated after that day, whatever the source.
    """
    if data:
        from crm_analysis.data import load_profile

        frame = load_profile(data).transactions(as_of=as_of or None)
        return frame[["customer_id", "date", "amount"]], None
    if data_source not in BUILT_IN:
        raise ValueError(
            f"data_source {data_source!r} is not one of {', '.join(BUILT_IN)}; to use your own "
            "file, describe it in a data profile (YAML) and pass its path as the `data` "
            "parameter (crm-workbook render --data PROFILE, or -p data PROFILE)")
    if data_source in ("cdnow", "cdnow_sample"):
        frame, truth = load_cdnow(sample=data_source == "cdnow_sample"), None
    else:
        frame, truth = simulate_transactions(n_synthetic, seed=seed)
    frame = frame[["customer_id", "date", "amount"]]
    if as_of:
        frame = frame[frame["date"] < pd.Timestamp(as_of).normalize() + pd.Timedelta(days=1)]
    return frame.reset_index(drop=True), truth


def analysis_window(
    data_source: str, transactions: pd.DataFrame, calibration_end: str, observation_end: str,
    as_of: str = "", data: str = "",
) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Resolve ``"auto"`` calibration/observation ends.

    Observation end: the last purchase day on or before ``as_of`` (the data's last day
    when ``as_of`` is empty); for the built-in CDNOW data the published 1998-06-30 when
    that is earlier. Calibration end: for CDNOW the published 1997-09-30 when it falls
    before the observation end; otherwise the midpoint between the first purchase day
    and the observation end. Explicit dates must not lie after ``as_of``.
    """
    if transactions.empty:
        raise ValueError("no transactions" + (f" on or before as_of {as_of}" if as_of else ""))
    first, last = transactions["date"].min().floor("D"), transactions["date"].max().floor("D")
    limit = pd.Timestamp(as_of).normalize() if as_of else None
    auto_obs = last
    cdnow = not data and data_source in ("cdnow", "cdnow_sample")
    if cdnow:
        auto_obs = min(last, pd.Timestamp(CDNOW_WINDOW[1]))
    auto_cal = first + (auto_obs - first) / 2
    if cdnow and pd.Timestamp(CDNOW_WINDOW[0]) < auto_obs:
        auto_cal = pd.Timestamp(CDNOW_WINDOW[0])
    cal = auto_cal.floor("D") if calibration_end == "auto" else pd.Timestamp(calibration_end)
    obs = auto_obs if observation_end == "auto" else pd.Timestamp(observation_end)
    if limit is not None and (obs > limit or cal > limit):
        raise ValueError(f"calibration_end {cal.date()} and observation_end {obs.date()} must not "
                         f"lie after as_of {limit.date()}: no data after as_of is used")
    if not first <= cal < obs:
        raise ValueError(
            f"calibration_end {cal.date()} must fall between the first purchase {first.date()} "
            f"and observation_end {obs.date()}"
        )
    return cal, obs


def data_window_text(transactions: pd.DataFrame, calibration_end, observation_end, as_of: str = "") -> str:
    """One line for the report header: the data window actually used (the first purchase
    to the observation end; calibration and holdout periods; the as-of date)."""
    cal, obs = pd.Timestamp(calibration_end), pd.Timestamp(observation_end)
    first = transactions["date"].min().floor("D")
    text = (f"data window used: {first.date()} to {obs.date()} (calibration {first.date()} to "
            f"{cal.date()}, holdout {(cal + pd.Timedelta(days=1)).date()} to {obs.date()})")
    return text + (f"; as of {as_of}" if as_of else "")


PANDAS_ENGINE = "pandas (in this Python process)"


def summary_engine(data: str = "") -> tuple[object | None, str]:
    """``(database or None, engine text)``: where :func:`customer_summary` computes the
    summary for the data profile ``data`` (empty: built-in data), and why.

    PostgreSQL when the profile's transactions table is a ``database:`` table whose
    ``amount`` column is mapped and whose load leaves rows as stored (``returns``,
    ``missing_customer`` and ``duplicates`` not ``drop``/``net``: those are done in Python);
    otherwise pandas, with the reason.
    """
    if not data:
        return None, PANDAS_ENGINE
    from crm_analysis.data import load_profile

    section = load_profile(data).spec["transactions"]
    db = section.get("_database")
    if db is None:
        return None, PANDAS_ENGINE
    if "amount" not in (section.get("columns") or {}):
        return None, f"{PANDAS_ENGINE}: the profile computes `amount` from other columns"
    python_steps = [key for key, value in (("returns", section.get("returns")),
                                           ("missing_customer", section.get("missing_customer")),
                                           ("duplicates", section.get("duplicates")))
                    if value in ("net", "drop")]
    if python_steps:
        return None, (f"{PANDAS_ENGINE}: the profile's {', '.join(python_steps)} rule is "
                      "applied in Python")
    return db, f"PostgreSQL, pushed down as one query ({db.what})"


def customer_summary(transactions: pd.DataFrame, *, data: str = "", time_unit: str = "W",
                     calibration_end=None, observation_end=None) -> tuple[pd.DataFrame, str]:
    """``(summary, engine)``: the frame of
    :func:`~crm_analysis.clv.summary.summarize_transactions` and the engine that computed
    it (:func:`summary_engine`).

    In PostgreSQL the summary is one query over the profile's table (only the
    per-customer result reaches Python; ``transactions`` is not used); its rows are the
    ones the profile reads, so the result equals the pandas summary of ``transactions``.
    """
    from .summary import summarize_transactions

    db, engine = summary_engine(data)
    window = dict(time_unit=time_unit, calibration_end=calibration_end,
                  observation_end=observation_end)
    if db is None:
        return summarize_transactions(transactions, **window), engine
    from crm_analysis.data import load_profile

    from .summary_postgres import PushdownUnsupported, summarize_transactions_postgres

    section = load_profile(data).spec["transactions"]
    columns = section["columns"]
    try:
        summary = summarize_transactions_postgres(db, customer_col=columns["customer_id"],
                                                  date_col=columns["date"],
                                                  amount_col=columns["amount"],
                                                  time_zone=section.get("time_zone"), **window)
    except PushdownUnsupported as error:  # e.g. dates stored as text: the profile parsed them
        return (summarize_transactions(transactions, **window),
                f"{PANDAS_ENGINE}: in the database, {error.reason.split(';')[0]}")
    return summary, engine
