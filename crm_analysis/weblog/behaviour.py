"""Behaviour of human sessions: page types, the funnel, entry/exit pages, time on page, depth.

Pages are mapped to page types (funnel steps) by regular expressions on the URL
(:data:`SHOP_STEPS` for the synthetic shop; a site's own patterns otherwise).

The **funnel** counts, for each step, the sessions that reached it *after* reaching every
step before it (in order, other pages in between allowed). Conversion of a step is the
share of the previous step's sessions that went on to it; drop-off is its complement.
Intervals are Wilson score intervals, treating sessions as independent (visitors with many
sessions make them slightly too narrow). The closed form is written out here (the z
quantile from the standard library) rather than taken from statsmodels or scipy.stats,
whose imports alone cost 1–3 s of the notebook's 10-second render budget; the tests check
it against statsmodels' ``proportion_confint(method="wilson")``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import warnings
from statistics import NormalDist

from crm_analysis.common import require_columns

#: URL patterns of the synthetic shop's funnel steps, in funnel order.
SHOP_STEPS = {
    "home": r"^/(?:\?.*)?$",
    "category": r"^/category/",
    "product": r"^/product/",
    "cart": r"^/cart\b",
    "checkout": r"^/checkout\b",
}


def page_types(urls: pd.Series, patterns: dict[str, str] = SHOP_STEPS, other: str | None = "other") -> pd.Series:
    """Page type of each URL: the first pattern (in dict order) that matches; else ``other``.

    ``other=None`` instead names a page by its first path segment (``/blog/x`` → ``/blog``),
    which suits sites without a funnel.
    """
    if not patterns and other is not None:
        raise ValueError("page_types: give at least one URL pattern, e.g. {'home': '^/$'}")
    url = pd.Series(urls, dtype="str").fillna("")
    out = pd.Series(pd.NA, index=url.index, dtype="str")
    for name, pattern in patterns.items():
        with warnings.catch_warnings():  # groups in a user's pattern are fine: only the match counts
            warnings.simplefilter("ignore", UserWarning)
            hit = out.isna() & url.str.contains(pattern, regex=True)
        out = out.mask(hit, name)
    if other is None:
        section = "/" + url.str.extract(r"^/([^/?#]*)", expand=False).fillna("")
        return out.fillna(section).rename("page_type")
    return out.fillna(other).rename("page_type")


def check_level(level: float) -> float:
    """``level`` as a float in (0, 1) (same rule as :func:`crm_analysis.estimates.check_level`)."""
    if isinstance(level, bool) or not isinstance(level, (int, float)) or not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), e.g. 0.95; got {level!r}")
    return float(level)


def wilson_interval(k, n, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of the share ``k / n`` (arrays; NaN where ``n`` is 0)."""
    k, n = np.atleast_1d(np.asarray(k, dtype=float)), np.atleast_1d(np.asarray(n, dtype=float))
    z = NormalDist().inv_cdf(0.5 + check_level(level) / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    bad = n <= 0
    return np.where(bad, np.nan, centre - half), np.where(bad, np.nan, centre + half)


_wilson = wilson_interval


def reached_steps(pages: pd.DataFrame, steps) -> pd.DataFrame:
    """Per session (index) and step (columns): True if it reached the step after all earlier ones.

    ``pages``: one row per page view with ``session``, ``time`` and ``page_type``.
    """
    require_columns(pages, ["session", "time", "page_type"], "pages")
    p = pages.sort_values(["session", "time"], kind="stable")
    p = p.assign(_pos=p.groupby("session").cumcount())
    sessions = pd.Index(p["session"].unique(), name="session")
    at = pd.Series(-1, index=sessions)  # position at which the previous step was reached
    out = {}
    for step in steps:
        cand = p.loc[p["page_type"].eq(step), ["session", "_pos"]]
        cand = cand[cand["_pos"].to_numpy() > at.reindex(cand["session"]).to_numpy()]
        first = cand.groupby("session")["_pos"].min()
        at = first.reindex(sessions)  # NaN where not reached: later steps cannot be reached
        at = at.where(at.notna(), np.inf)
        out[step] = pd.Series(np.isfinite(at.to_numpy()), index=sessions)
    return pd.DataFrame(out)


def funnel(pages: pd.DataFrame, steps=tuple(SHOP_STEPS), level: float = 0.95) -> pd.DataFrame:
    """The funnel table, one row per step.

    Columns: ``sessions`` (reaching the step in order), ``from_previous`` (sessions at the
    previous step; all sessions for the first step), ``conversion`` (sessions /
    from_previous), its Wilson interval ``ci_low``/``ci_high``, ``drop_off`` (1 −
    conversion), ``lost`` (from_previous − sessions) and ``share_of_sessions`` (sessions /
    all sessions). Shares are of sessions.
    """
    level = check_level(level)
    reached = reached_steps(pages, steps)
    n = reached.sum().to_numpy()
    prev = np.r_[len(reached), n[:-1]]
    low, high = _wilson(n, prev, level)
    conv = np.where(prev > 0, n / np.maximum(prev, 1), np.nan)
    return pd.DataFrame({
        "sessions": n, "from_previous": prev, "conversion": conv, "ci_low": low, "ci_high": high,
        "drop_off": 1 - conv, "lost": prev - n,
        "share_of_sessions": n / max(len(reached), 1), "level": level,
    }, index=pd.Index(list(steps), name="step"))


def share_estimate(k: int, n: int, level: float = 0.95) -> dict:
    """A share ``k / n`` with its Wilson interval, as ``{estimate, ci_low, ci_high}``; all
    three ``None`` when there are no cases (``n`` = 0), e.g. no session reached the cart."""
    if n < 0 or k < 0 or k > n:
        raise ValueError(f"share_estimate: need 0 <= k <= n; got k = {k}, n = {n}")
    if n == 0:
        return {"estimate": None, "ci_low": None, "ci_high": None}
    low, high = _wilson(k, n, check_level(level))
    return {"estimate": k / n, "ci_low": float(low[0]), "ci_high": float(high[0])}


def entry_exit_pages(sessions: pd.DataFrame, top: int = 10) -> pd.DataFrame:
    """Most frequent entry and exit pages: per page the sessions entering there (``entries``),
    leaving there (``exits``), the one-page sessions that entered there (``bounces``) and
    ``bounce_rate`` (bounces / entries).

    Counts come from :func:`crm_analysis.weblog.sessions.session_table` (``entry_page`` and
    ``exit_page``); rows are the ``top`` pages by entries, then exits.
    """
    require_columns(sessions, ["entry_page", "exit_page", "pages"], "sessions")
    s = sessions.dropna(subset=["entry_page"])
    table = pd.DataFrame({
        "entries": s["entry_page"].value_counts(),
        "exits": s["exit_page"].value_counts(),
        "bounces": s.loc[s["pages"].eq(1), "entry_page"].value_counts(),
    }).fillna(0).astype(int)
    table["bounce_rate"] = table["bounces"] / table["entries"].where(table["entries"] > 0)
    table.index.name = "page"
    return table.sort_values(["entries", "exits"], ascending=False).head(top)


def time_on_page(pages: pd.DataFrame) -> pd.DataFrame:
    """Seconds from each page view to the next one of the same session (the last page of a
    session has no measurable time and is left out), with the page type."""
    require_columns(pages, ["session", "time", "page_type"], "pages")
    p = pages.sort_values(["session", "time"], kind="stable")
    nxt = p.groupby("session")["time"].shift(-1)
    seconds = (nxt - p["time"]).dt.total_seconds()
    return pd.DataFrame({"page_type": p["page_type"], "seconds": seconds}).dropna()


def session_depth(pages: pd.DataFrame) -> pd.Series:
    """Page views per session, as a count per depth (index depth, value sessions)."""
    require_columns(pages, ["session"], "pages")
    return pages.groupby("session").size().value_counts().sort_index().rename_axis("pages").rename("sessions")
