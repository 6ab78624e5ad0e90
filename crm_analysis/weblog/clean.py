"""Cleaning: page views apart from static assets, error responses and robots; bot detection.

Request kinds (:func:`classify_requests`): ``robots`` (``/robots.txt``), ``error``
(status 400 and above), ``asset`` (images, style sheets, scripts, fonts, …) and ``page``
(everything else: the page views that usage mining counts).

Bots are found two ways, per session:

* by **user agent**, with ua-parser (the maintained Python port of the uap-core rules
  that also drive browser statistics); a device family ``Spider`` marks a declared
  crawler; a missing user agent counts as a bot too;
* by **behaviour**: the session asked for ``/robots.txt`` (browsers never do), or it
  requested at least ``min_pages`` pages at a median gap of at most ``max_gap_seconds``
  seconds without loading a single asset (a scraper that hides behind a browser agent).

:func:`detection_scores` measures each rule against known bots (precision and recall).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from crm_analysis.common import require_columns

ASSET_PATTERN = (r"(?i)(?:^/static/|\.(?:css|js|png|jpe?g|gif|ico|svg|webp|bmp|woff2?|ttf|otf|eot|map"
                 r"|mp4|webm|mp3)(?:\?.*)?$)")


def classify_requests(requests: pd.DataFrame, asset_pattern: str = ASSET_PATTERN) -> pd.Series:
    """Kind of each request: ``robots``, ``error`` (status ≥ 400), ``asset`` or ``page``."""
    require_columns(requests, ["url", "status"], "requests")
    url = requests["url"].fillna("")
    robots = url.str.match(r"^/robots\.txt")
    error = requests["status"].fillna(0).astype(int).ge(400).to_numpy()
    asset = url.str.contains(asset_pattern, regex=True).to_numpy()
    kind = np.select([robots.to_numpy(), error, asset], ["robots", "error", "asset"], default="page")
    return pd.Series(kind, index=requests.index, name="kind", dtype="str")


@lru_cache(maxsize=100_000)
def _ua(user_agent: str) -> tuple[str, str, str]:
    from ua_parser import parse

    r = parse(user_agent)
    device = r.device.family if r.device else "Other"
    browser = r.user_agent.family if r.user_agent else "Other"
    os_family = r.os.family if r.os else "Other"
    return browser, os_family, device


def parse_user_agents(user_agents) -> pd.DataFrame:
    """ua-parser's browser, os and device family of each distinct user agent, and
    ``ua_bot``: device ``Spider`` or no user agent at all. Indexed by the user agent."""
    values = pd.Series(user_agents, dtype="str").fillna("-").unique()
    rows = [_ua(v) if v != "-" else ("(none)", "(none)", "(none)") for v in values]
    table = pd.DataFrame(rows, columns=["browser", "os", "device"], index=pd.Index(values, name="user_agent"))
    table["ua_bot"] = table["device"].eq("Spider") | (table.index == "-")
    return table


def detect_bots(requests: pd.DataFrame, *, min_pages: int = 5, max_gap_seconds: float = 6.0) -> pd.DataFrame:
    """Bot flags per session.

    ``requests`` need ``session``, ``time``, ``kind`` and ``user_agent``. Returns one row per
    session: ``pages``, ``assets``, ``median_gap_s`` (median seconds between its page
    requests), ``ua_bot`` (user agent says crawler), ``robots_txt`` (asked for robots.txt),
    ``fast_no_assets`` (≥ ``min_pages`` pages, median gap ≤ ``max_gap_seconds`` s, no
    asset), ``behaviour_bot`` (either of the last two), ``is_bot`` (user agent or behaviour)
    and ``reason``.
    """
    require_columns(requests, ["session", "time", "kind"], "requests")
    ua = requests["user_agent"].fillna("-") if "user_agent" in requests else pd.Series("-", index=requests.index)
    flags = parse_user_agents(ua)["ua_bot"]
    r = requests.assign(_ua_bot=flags.reindex(ua.to_numpy()).to_numpy())
    g = r.groupby("session")
    pages = r[r["kind"].isin(["page", "robots"])].sort_values(["session", "time"], kind="stable")
    gaps = pages.groupby("session")["time"].diff().dt.total_seconds()
    out = pd.DataFrame({
        "pages": r["kind"].eq("page").groupby(r["session"]).sum(),
        "assets": r["kind"].eq("asset").groupby(r["session"]).sum(),
        "median_gap_s": gaps.groupby(pages["session"]).median(),
        "ua_bot": g["_ua_bot"].any(),
        "robots_txt": r["kind"].eq("robots").groupby(r["session"]).any(),
    })
    out["fast_no_assets"] = (out["pages"].ge(min_pages) & out["median_gap_s"].le(max_gap_seconds).fillna(False)
                             & out["assets"].eq(0))
    out["behaviour_bot"] = out["robots_txt"] | out["fast_no_assets"]
    out["is_bot"] = out["ua_bot"] | out["behaviour_bot"]
    reason = np.select([out["ua_bot"], out["robots_txt"], out["fast_no_assets"]],
                       ["user agent", "robots.txt", "fast, no assets"], default="")
    out["reason"] = pd.array(reason, dtype="str")
    return out


def detection_scores(flags: pd.DataFrame, true_bot, rules=("ua_bot", "behaviour_bot", "is_bot")) -> pd.DataFrame:
    """Precision and recall of each bot rule against the truth.

    ``flags`` is :func:`detect_bots`'s table and ``true_bot`` a boolean per row of it
    (aligned), e.g. whether the session's lines belong to a true bot session. Returns one
    row per rule: flagged, true_bots, hits, precision (hits / flagged), recall (hits /
    true bots).
    """
    truth = np.asarray(true_bot, dtype=bool)
    if truth.size != len(flags):
        raise ValueError(f"detection_scores: {truth.size} truth values for {len(flags)} sessions")
    rows = {}
    names = {"ua_bot": "user agent (ua-parser)", "behaviour_bot": "behaviour", "is_bot": "either (used)"}
    for rule in rules:
        pred = flags[rule].to_numpy(dtype=bool)
        hits = int((pred & truth).sum())
        rows[names.get(rule, rule)] = {
            "flagged": int(pred.sum()), "true_bots": int(truth.sum()), "hits": hits,
            "precision": hits / pred.sum() if pred.any() else np.nan,
            "recall": hits / truth.sum() if truth.any() else np.nan,
        }
    return pd.DataFrame(rows).T.astype({"flagged": int, "true_bots": int, "hits": int})
