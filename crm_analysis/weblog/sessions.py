"""Visitors and sessions: who made each request, and which requests form one visit.

A visitor is the value of a persistent cookie (``uid=…``) where the request carries one,
else the pair IP address + user agent. A session is a visitor's run of requests with no
gap longer than the inactivity timeout (30 minutes by default, the web-analytics
convention); optionally a request arriving from another site (an external referrer)
starts a new session as well.

Recovery measures compare recovered sessions with true ones line by line: the share of
true sessions reconstructed exactly (same set of lines) and the adjusted Rand index
(scikit-learn's ``adjusted_rand_score``; 1 = identical partitions, 0 = chance).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import numpy as np
import pandas as pd

from crm_analysis.common import require_columns


def visitor_keys(requests: pd.DataFrame, cookie_name: str = "uid") -> pd.Series:
    """Visitor of each request: ``cookie:<value>`` of cookie ``cookie_name`` where present,
    else ``ip:<ip> | <user agent>``."""
    require_columns(requests, ["ip"], "requests")
    ua = requests["user_agent"].fillna("-") if "user_agent" in requests else "-"
    fallback = "ip:" + requests["ip"].astype("str") + " | " + ua
    if "cookie" in requests and cookie_name:
        uid = requests["cookie"].str.extract(rf"(?:^|;\s*){cookie_name}=([^;\s]+)", expand=False)
        return ("cookie:" + uid).fillna(fallback).astype("str").rename("visitor")
    return fallback.astype("str").rename("visitor")


def _host(urls: pd.Series) -> pd.Series:
    return urls.fillna("").str.extract(r"^[a-z][a-z0-9+.-]*://([^/:]+)", expand=False).str.lower()


def session_breaks(requests: pd.DataFrame, timeout_minutes: float = 30.0,
                   site_host: str | None = None) -> np.ndarray:
    """Boolean per row (rows sorted by visitor, then time): True where a session starts.

    A row starts a session when it is the visitor's first, when the gap since the
    visitor's previous request exceeds ``timeout_minutes``, or, with ``site_host`` given,
    when its referrer is a URL on another host (an external entry).
    """
    if not timeout_minutes > 0:
        raise ValueError(f"timeout_minutes must be > 0; got {timeout_minutes!r}")
    v = requests["visitor"].to_numpy()
    t = requests["time"].to_numpy().astype("datetime64[s]").astype(np.int64)
    first = np.r_[True, v[1:] != v[:-1]]
    gap = np.r_[0, np.diff(t)]
    new = first | (gap > timeout_minutes * 60)
    if site_host:
        host = _host(requests["referer"]) if "referer" in requests else pd.Series(np.nan, index=requests.index)
        external = host.notna() & (host != site_host.lower())
        if "kind" in requests:
            external &= requests["kind"].eq("page")
        new |= external.to_numpy()
    return new


def sessionize(requests: pd.DataFrame, timeout_minutes: float = 30.0, *, cookie_name: str = "uid",
               site_host: str | None = None) -> pd.DataFrame:
    """Add ``visitor`` and ``session`` (1, 2, … in order of session start) to the requests.

    Parameters
    ----------
    requests : parsed requests with ``ip``, ``time`` and optionally ``user_agent``,
        ``cookie``, ``referer``, ``kind``.
    timeout_minutes : inactivity (minutes) after which the next request starts a new session.
    cookie_name : the visitor cookie; requests without it are keyed by IP + user agent.
    site_host : the site's own host name; when given, a page request referred from any
        other host starts a new session (the referrer rule).

    Returns the requests sorted by visitor and time, with the two new columns.
    """
    require_columns(requests, ["ip", "time"], "requests")
    out = requests.assign(visitor=visitor_keys(requests, cookie_name))
    sort = ["visitor", "time"] + (["line_number"] if "line_number" in out else [])
    out = out.sort_values(sort, kind="stable", ignore_index=True)
    code = np.cumsum(session_breaks(out, timeout_minutes, site_host))
    start = pd.Series(out["time"].to_numpy()).groupby(code).transform("min").to_numpy()
    order = pd.DataFrame({"start": start, "code": code}).drop_duplicates("code").sort_values(["start", "code"])
    rank = pd.Series(np.arange(1, len(order) + 1), index=order["code"].to_numpy())
    out["session"] = rank.reindex(code).to_numpy()
    return out


def session_table(requests: pd.DataFrame) -> pd.DataFrame:
    """One row per session: visitor, ip, user_agent, start, end, duration_s (seconds, first
    to last request), requests, pages, assets, robots (requests of each kind), entry_page
    and exit_page (first and last page URL). Needs ``session`` and ``kind`` columns."""
    require_columns(requests, ["session", "visitor", "time", "kind", "url"], "requests")
    r = requests.sort_values(["session", "time"], kind="stable")
    g = r.groupby("session", sort=True)
    pages = r[r["kind"].eq("page")].groupby("session")["url"]
    table = pd.DataFrame({
        "visitor": g["visitor"].first(),
        "ip": g["ip"].first(),
        "user_agent": g["user_agent"].first() if "user_agent" in r else pd.NA,
        "start": g["time"].min(),
        "end": g["time"].max(),
        "requests": g.size(),
        "pages": r["kind"].eq("page").groupby(r["session"]).sum(),
        "assets": r["kind"].eq("asset").groupby(r["session"]).sum(),
        "robots": r["kind"].eq("robots").groupby(r["session"]).sum(),
        "entry_page": pages.first(),
        "exit_page": pages.last(),
    })
    table.insert(5, "duration_s", (table["end"] - table["start"]).dt.total_seconds())
    table.index.name = "session"
    return table


def recovery(predicted, true) -> dict:
    """How well recovered sessions match true ones, over the same lines.

    ``predicted`` and ``true`` give each line's session label. Returns ``exact_share``
    (share of true sessions whose lines form exactly one recovered session and nothing
    else), ``ari`` (adjusted Rand index), ``n_true``, ``n_predicted``.
    """
    from sklearn.metrics import adjusted_rand_score

    p, t = pd.Series(np.asarray(predicted)), pd.Series(np.asarray(true))
    if len(p) != len(t) or p.isna().any() or t.isna().any():
        raise ValueError("recovery: predicted and true labels must have the same length and no missing values")
    pairs = pd.DataFrame({"p": p, "t": t})
    one_predicted = pairs.groupby("t")["p"].nunique().eq(1)
    one_true = pairs.groupby("p")["t"].nunique().eq(1)
    label = pairs.groupby("t")["p"].first()
    exact = one_predicted & one_true.reindex(label.to_numpy()).to_numpy()
    return {"exact_share": float(exact.mean()), "ari": float(adjusted_rand_score(t, p)),
            "n_true": int(t.nunique()), "n_predicted": int(p.nunique())}


def timeout_effect(requests: pd.DataFrame, timeouts=(5, 10, 15, 20, 30, 60, 120, 240), *,
                   cookie_name: str = "uid", true_session=None) -> pd.DataFrame:
    """Sessions found at each inactivity timeout (minutes), and with ``true_session`` (a
    label per request row, aligned with ``requests``) the recovery measures at each."""
    keyed = requests.assign(visitor=visitor_keys(requests, cookie_name),
                            _true=np.asarray(true_session) if true_session is not None else 0)
    sort = ["visitor", "time"] + (["line_number"] if "line_number" in keyed else [])
    keyed = keyed.sort_values(sort, kind="stable", ignore_index=True)
    rows = []
    for minutes in timeouts:
        code = np.cumsum(session_breaks(keyed, minutes))
        row = {"timeout_minutes": minutes, "sessions": int(code[-1]) if code.size else 0}
        if true_session is not None:
            row.update({k: v for k, v in recovery(code, keyed["_true"]).items() if k in ("exact_share", "ari")})
        rows.append(row)
    return pd.DataFrame(rows)


def referrer_host(url: str) -> str:
    """Host of a URL (lower case), e.g. the site host of ``https://shop.example.com/``."""
    return (urlsplit(url).hostname or "").lower()
