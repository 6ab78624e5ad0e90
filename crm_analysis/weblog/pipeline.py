"""One call from a raw log to human page views: parse → classify → sessionize → bots.

:func:`analyse_log` returns a :class:`LogAnalysis` whose tables the notebook's sections
read. :func:`truth_per_line` and :func:`true_bot_sessions` line the results up with the
truth of :func:`crm_analysis.data.synthetic.simulate_access_log`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crm_analysis.weblog.behaviour import SHOP_STEPS, page_types
from crm_analysis.weblog.clean import classify_requests, detect_bots
from crm_analysis.weblog.parse import ParsedLog, parse_log
from crm_analysis.weblog.sessions import session_table, sessionize


@dataclass(frozen=True, eq=False)
class LogAnalysis:
    """``parsed``: the :class:`ParsedLog`; ``requests``: parsed requests with ``kind``,
    ``visitor``, ``session``; ``sessions``: session table joined with the bot flags;
    ``pages``: page views of human sessions with ``page_type``; ``timeout_minutes``."""

    parsed: ParsedLog
    requests: pd.DataFrame
    sessions: pd.DataFrame
    pages: pd.DataFrame
    timeout_minutes: float

    @property
    def human_sessions(self) -> pd.DataFrame:
        return self.sessions[~self.sessions["is_bot"]]

    @property
    def bot_share(self) -> float:
        """Share of sessions flagged as bots."""
        return float(self.sessions["is_bot"].mean())

    @property
    def bot_page_share(self) -> float:
        """Share of all page views (kind ``page``) that bots made."""
        return float(self.sessions.loc[self.sessions["is_bot"], "pages"].sum() / max(self.sessions["pages"].sum(), 1))

    def kind_counts(self) -> pd.DataFrame:
        """Requests by kind, for human and bot sessions."""
        bot = self.sessions["is_bot"].reindex(self.requests["session"]).to_numpy()
        who = np.where(bot, "bots", "humans")
        table = pd.crosstab(self.requests["kind"], who).reindex(columns=["humans", "bots"], fill_value=0)
        return table.rename_axis(index="request kind", columns="requests by")


def analyse_log(source, log_format: str = "combined", *, time_zone: str | None = None,
                timeout_minutes: float = 30.0, cookie_name: str = "uid", site_host: str | None = None,
                step_patterns: dict[str, str] | None = SHOP_STEPS, min_pages: int = 5,
                max_gap_seconds: float = 6.0, as_of: str | None = None) -> LogAnalysis:
    """Parse a log and find its sessions, bots and human page views.

    ``source`` is a path or lines (see :func:`parse_log`), or an already parsed
    :class:`ParsedLog`. ``step_patterns``: URL patterns of page types (funnel steps);
    ``None`` names pages by their first path segment. Other arguments: see
    :func:`sessionize` and :func:`detect_bots`. ``as_of`` (ISO date): requests after that
    day (local time) are left out.
    """
    parsed = source if isinstance(source, ParsedLog) else parse_log(source, log_format, time_zone)
    req = parsed.requests
    if as_of:
        try:
            end = pd.Timestamp(as_of).normalize() + pd.Timedelta(days=1)
        except ValueError:
            raise ValueError(f"as_of must be an ISO date such as 2024-02-10; got {as_of!r}") from None
        req = req[req["time"] < end]
        if req.empty:
            raise ValueError(f"as_of {as_of}: no request in the log is on or before that day "
                             f"(the log starts {parsed.requests['time'].min()})")
    req = req.assign(kind=classify_requests(req))
    req = sessionize(req, timeout_minutes, cookie_name=cookie_name, site_host=site_host)
    flags = detect_bots(req, min_pages=min_pages, max_gap_seconds=max_gap_seconds)
    table = session_table(req).join(flags.drop(columns=["pages", "assets"]))
    human = table.index[~table["is_bot"]]
    pages = req[req["kind"].eq("page") & req["session"].isin(human)]
    types = page_types(pages["url"], step_patterns or {}, other="other" if step_patterns else None)
    pages = pages.assign(page_type=types.to_numpy())
    return LogAnalysis(parsed, req, table, pages.reset_index(drop=True), float(timeout_minutes))


def truth_per_line(requests: pd.DataFrame, truth, column: str = "session_id") -> np.ndarray:
    """A column of the synthetic truth's ``lines`` table for each parsed request."""
    return truth.lines[column].to_numpy()[requests["line_number"].to_numpy() - 1]


def true_bot_sessions(analysis: LogAnalysis, truth) -> pd.Series:
    """For each recovered session: whether most of its lines belong to a true bot session."""
    true_session = truth_per_line(analysis.requests, truth)
    is_bot = truth.sessions.set_index("session_id")["is_bot"].reindex(true_session).to_numpy(dtype=float)
    share = pd.Series(is_bot).groupby(analysis.requests["session"].to_numpy()).mean()
    return (share > 0.5).reindex(analysis.sessions.index).rename("true_bot")
