"""A web-shop access log in Apache combined format with cookies, sessions, bots and bad lines.

Each line is the combined format plus the request's Cookie header, which is how sites log
a visitor cookie (Apache ``LogFormat "%h %l %u %t \\"%r\\" %>s %b \\"%{Referer}i\\"
\\"%{User-agent}i\\" \\"%{Cookie}i\\"" combined_cookie``)::

    203.0.113.7 - - [05/Feb/2024:10:31:02 +0900] "GET /product/1043 HTTP/1.1" 200 5120 \
"https://shop.example.com/category/beauty" "Mozilla/5.0 (...)" "uid=3f9c...; member=C0000042"

* Visitors (browsers) carry a persistent ``uid`` cookie. A visitor belongs to a customer
  with probability ``member_share``; the ``member=<customer_id>`` cookie appears from the
  visitor's first checkout (where they log in) on, so only buyers' cookies reveal whom
  they belong to.  A customer may use several browsers.
* A human session walks the funnel home → category → product (one or more views) → cart →
  checkout, continuing from each step to the next with the probabilities ``funnel``;
  a session *converts* when it reaches checkout.  Pages are seconds to minutes apart
  (never more than 15 minutes) and a visitor's sessions are at least an hour apart, so the
  usual 30-minute inactivity rule recovers the sessions exactly.  Each page view may load
  a static image (an *asset* line, 200 or 304).
* Bot sessions (share ``bot_share`` of sessions) come from crawler user agents without
  cookies: ``/robots.txt`` then category and product pages a few seconds apart.  A share
  ``scraper_share`` of the bot sessions are *scrapers* instead: they send an ordinary
  browser user agent from a hosting network, skip ``/robots.txt`` and load no images, so
  only their behaviour (many pages a few seconds apart, no assets, no cookie) gives them
  away.
* Malformed lines: after each well-formed line, with a probability chosen so that a share
  ``malformed_rate`` of all lines are malformed, the server wrote a truncated copy of it
  (cut inside the request, so it cannot be parsed).

Times are local (+0900).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._common import check_count, check_probability, customer_ids, window

STEPS = ("home", "category", "product", "cart", "checkout")
FUNNEL = {"home": 0.6, "category": 0.7, "product": 0.3, "cart": 0.5}
SITE = "https://shop.example.com"
CATEGORIES = np.array(["fashion", "beauty", "food", "electronics", "home-living", "sports"])
ENTRY_REFERERS = pd.DataFrame(
    {
        "referer": ["-", "https://www.google.com/", "https://search.naver.com/search.naver?query=shop", "https://m.facebook.com/"],
        "share": [0.45, 0.25, 0.2, 0.1],
    }
)
BROWSERS = np.array(
    [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Linux; Android 14; SM-S918N) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0",
    ]
)
#: crawler user agent and the first two octets of its address block.
CRAWLERS = pd.DataFrame(
    {
        "user_agent": [
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
            "Mozilla/5.0 (compatible; Yeti/1.1; +https://naver.me/spd)",
            "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
        ],
        "prefix": ["66.249", "40.77", "110.93", "54.36"],
    }
)
#: first two octets of the hosting networks scrapers run from.
SCRAPER_NETWORKS = np.array(["35.190", "3.120", "158.69", "47.242"])
MONTHS = np.array(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"])
#: Korean ISP-like first octets of visitors' addresses.
VISITOR_NETWORKS = np.array([211, 175, 121, 59, 222, 118, 1, 112])
SESSION_SPACING_SECONDS = 3 * 3600  # a visitor's sessions start at least this far apart
MAX_PAGE_GAP_SECONDS = 900  # pages of a session are at most this far apart
MAX_PRODUCT_VIEWS = 4  # so a session lasts at most 7 × 15 min, leaving ≥ 75 idle minutes
MEAN_PAGE_GAP_SECONDS = 60.0
ENTRY_TIME_ROOM_SECONDS = 2 * 3600  # sessions start this long before the window's end or earlier


@dataclass(frozen=True, eq=False)
class AccessLogTruth:
    """The truth behind :func:`simulate_access_log`.

    ``funnel``: step, continue_probability (to the next step; missing for checkout).
    ``sessions``: session_id (1, 2, … in order of start), visitor (uid cookie; missing
    for bots), customer_id (missing for anonymous visitors and bots), is_bot, is_scraper
    (a bot with a browser user agent), ip,
    user_agent, start (datetime64[s]), n_pages (page requests, without assets), path
    (e.g. ``"home>category>product>product>cart"``; bots: ``robots>…``), last_step (a
    funnel step; missing for bots), converted (reached checkout).
    ``lines``: one row per log line (row i is line i, 0-based): session_id (a malformed
    line has its parent line's), kind (``page``, ``asset``, ``robots``, ``malformed``),
    is_malformed.
    ``visitors``: visitor (uid) → customer_id (missing for anonymous visitors).
    """

    funnel: pd.DataFrame
    bot_share: float
    scraper_share: float
    malformed_rate: float
    member_share: float
    start: pd.Timestamp
    end: pd.Timestamp
    sessions: pd.DataFrame
    lines: pd.DataFrame
    visitors: pd.DataFrame

    @property
    def malformed_line_numbers(self) -> np.ndarray:
        """0-based numbers of the malformed lines."""
        return np.flatnonzero(self.lines["is_malformed"].to_numpy())

    @property
    def bot_session_ids(self) -> np.ndarray:
        """Ids of the bot sessions."""
        return self.sessions.loc[self.sessions["is_bot"], "session_id"].to_numpy()


def simulate_access_log(
    n_sessions: int = 3000,
    *,
    n_visitors: int | None = None,
    n_customers: int = 1000,
    member_share: float = 0.6,
    funnel: dict[str, float] | None = None,
    bot_share: float = 0.08,
    scraper_share: float = 0.0,
    malformed_rate: float = 0.002,
    asset_probability: float = 0.5,
    start: str | pd.Timestamp = "2024-02-01",
    end: str | pd.Timestamp = "2024-02-15",
    seed: int = 0,
) -> tuple[pd.Series, AccessLogTruth]:
    """Simulate an access log of ``n_sessions`` sessions between ``start`` and ``end``.

    Parameters
    ----------
    n_sessions : sessions (human and bot).
    n_visitors : browsers (uid cookies) behind the human sessions; default a third of
        them. Sessions are spread over visitors with Gamma(2)-distributed frequencies.
    n_customers : customers the member visitors belong to (ids ``C0000001`` …).
    member_share : probability that a visitor belongs to a customer.
    funnel : probability of going on from each of home, category, product, cart to the
        next step (default :data:`FUNNEL`).
    bot_share : probability that a session is a bot's.
    scraper_share : probability that a bot session is a scraper's (browser user agent, no
        robots.txt) rather than a declared crawler's.
    malformed_rate : expected share of malformed lines in the log.
    asset_probability : probability that a page view also loads a static image.
    start, end : sessions start in ``[start, end − 2 h)``; a visitor's sessions start at
        least 3 hours apart and last at most 105 minutes.
    seed : seed of the numpy random Generator.

    Returns
    -------
    lines : the log, one str per line (index = 0-based line number), in time order;
        write it with ``path.write_text("\\n".join(lines) + "\\n")``.
    truth : :class:`AccessLogTruth`.
    """
    check_count("n_sessions", n_sessions)
    check_count("n_customers", n_customers)
    funnel = dict(FUNNEL if funnel is None else funnel)
    if set(funnel) != set(STEPS[:-1]):
        raise ValueError(f"funnel must give a probability for each of {STEPS[:-1]}, got keys {sorted(funnel)}")
    check_probability(member_share=member_share, bot_share=bot_share, scraper_share=scraper_share, asset_probability=asset_probability, **funnel)
    if not 0 <= malformed_rate < 0.5:
        raise ValueError(f"malformed_rate must be in [0, 0.5), got {malformed_rate!r}")
    start_ts, end_ts = window(start, end)
    span = (end_ts - start_ts).total_seconds() - ENTRY_TIME_ROOM_SECONDS
    if span <= 0:
        raise ValueError(f"the window [{start_ts}, {end_ts}) must be longer than 2 hours")
    rng = np.random.default_rng(seed)

    is_bot = rng.random(n_sessions) < bot_share
    n_humans = int((~is_bot).sum())
    if n_visitors is None:
        n_visitors = max(1, n_humans // 3)
    check_count("n_visitors", n_visitors)
    visitors = _visitors(rng, n_visitors, n_customers, member_share)
    sessions = _sessions(rng, is_bot, visitors, span, scraper_share)
    requests = pd.concat(
        [_human_requests(rng, sessions, funnel, asset_probability), _bot_requests(rng, sessions)],
        ignore_index=True,
    )
    requests = requests.sort_values(["seconds", "session_id", "order"], kind="stable", ignore_index=True)
    requests["cookie"] = _cookie_header(requests, sessions)

    pages = requests[requests["kind"] != "asset"].sort_values(["session_id", "order"])
    sessions["path"], sessions["n_pages"] = _paths(pages, sessions["session_id"])
    sessions["start"] = _datetimes(start_ts, sessions.pop("start_seconds"))

    lines, line_truth = _log_lines(rng, requests, sessions, start_ts, malformed_rate)
    truth = AccessLogTruth(
        funnel=pd.DataFrame(
            {"step": pd.array(STEPS, dtype="str"), "continue_probability": [funnel[s] for s in STEPS[:-1]] + [np.nan]}
        ),
        bot_share=bot_share,
        scraper_share=scraper_share,
        malformed_rate=malformed_rate,
        member_share=member_share,
        start=start_ts,
        end=end_ts,
        sessions=sessions[
            ["session_id", "visitor", "customer_id", "is_bot", "is_scraper", "ip", "user_agent", "start", "n_pages", "path", "last_step", "converted"]
        ],
        lines=line_truth,
        visitors=visitors[["visitor", "customer_id"]],
    )
    return lines, truth


def _datetimes(start: pd.Timestamp, seconds) -> np.ndarray:
    return np.datetime64(start.to_datetime64(), "s") + np.asarray(seconds, dtype="int64").astype("timedelta64[s]")


def _ips(rng: np.random.Generator, first: np.ndarray, n_octets: int) -> pd.Series:
    """Dotted addresses: the given leading part plus ``n_octets`` random octets."""
    ip = pd.Series(first, dtype="str")
    for _ in range(n_octets):
        ip = ip + "." + pd.Series(rng.integers(1, 255, size=len(first)).astype(str), dtype="str")
    return ip


def _visitors(rng: np.random.Generator, n: int, n_customers: int, member_share: float) -> pd.DataFrame:
    """One row per browser: uid cookie, owner (customer id or missing), address, user agent."""
    uid = np.char.zfill(np.char.mod("%x", rng.integers(0, 2**62, size=n)), 16)
    owner = rng.integers(n_customers, size=n)
    member = rng.random(n) < member_share
    ids = np.asarray(customer_ids(n_customers), dtype=object)[owner]
    return pd.DataFrame(
        {
            "visitor": pd.array(uid, dtype="str"),
            "customer_id": pd.array(np.where(member, ids, None), dtype="str"),
            "ip": _ips(rng, VISITOR_NETWORKS[rng.integers(len(VISITOR_NETWORKS), size=n)].astype(str), 3),
            "user_agent": pd.array(BROWSERS[rng.integers(len(BROWSERS), size=n)], dtype="str"),
        }
    )


def _sessions(rng: np.random.Generator, is_bot: np.ndarray, visitors: pd.DataFrame, span: float,
              scraper_share: float = 0.0) -> pd.DataFrame:
    """One row per session with its visitor (or crawler), address, agent and start (seconds)."""
    n = is_bot.size
    human = np.flatnonzero(~is_bot)
    visitor_of = rng.choice(len(visitors), size=human.size, p=_normalized(rng.gamma(2.0, size=len(visitors))))
    start = np.empty(n)
    start[human] = _spaced_starts(rng, visitor_of, len(visitors), span, SESSION_SPACING_SECONDS)
    bots = np.flatnonzero(is_bot)
    start[bots] = rng.uniform(0.0, span, bots.size)
    crawler = rng.integers(len(CRAWLERS), size=bots.size)

    frame = pd.DataFrame(
        {
            "is_bot": is_bot,
            "visitor": pd.Series(pd.NA, index=range(n), dtype="str"),
            "customer_id": pd.Series(pd.NA, index=range(n), dtype="str"),
            "ip": pd.Series(pd.NA, index=range(n), dtype="str"),
            "user_agent": pd.Series(pd.NA, index=range(n), dtype="str"),
            "start_seconds": np.floor(start),
        }
    )
    for column in ["visitor", "customer_id", "ip", "user_agent"]:
        frame.loc[human, column] = visitors[column].to_numpy()[visitor_of]
    frame.loc[bots, "user_agent"] = CRAWLERS["user_agent"].to_numpy()[crawler]
    frame.loc[bots, "ip"] = _ips(rng, CRAWLERS["prefix"].to_numpy()[crawler], 2).to_numpy()
    frame["is_scraper"] = False
    if scraper_share > 0:  # drawn only then, so scraper_share=0 reproduces earlier logs
        scraper = bots[rng.random(bots.size) < scraper_share]
        frame.loc[scraper, "is_scraper"] = True
        frame.loc[scraper, "user_agent"] = BROWSERS[rng.integers(len(BROWSERS), size=scraper.size)]
        prefix = SCRAPER_NETWORKS[rng.integers(len(SCRAPER_NETWORKS), size=scraper.size)]
        frame.loc[scraper, "ip"] = _ips(rng, prefix, 2).to_numpy()
    frame = frame.sort_values("start_seconds", kind="stable", ignore_index=True)
    frame.insert(0, "session_id", np.arange(1, n + 1))
    return frame


def _normalized(weights: np.ndarray) -> np.ndarray:
    return weights / weights.sum()


def _spaced_starts(rng: np.random.Generator, group: np.ndarray, n_groups: int, span: float, spacing: float) -> np.ndarray:
    """Start times in [0, span) for the items of each group, at least ``spacing`` apart within
    a group: sorted uniforms on the shortened interval span − k·spacing, plus rank·spacing."""
    counts = np.bincount(group, minlength=n_groups)
    room = span - counts * spacing
    if (room[counts > 0] <= 0).any():
        raise ValueError(
            f"a visitor has {counts.max()} sessions, too many to start them {spacing / 3600:.0f} h apart "
            "in the window: raise n_visitors or widen start/end"
        )
    order = np.argsort(group, kind="stable")
    grouped = group[order]
    rank = np.arange(group.size) - np.repeat(np.cumsum(counts) - counts, counts)
    u = rng.random(group.size)
    u = u[np.lexsort((u, grouped))]  # sorted within each group
    start = np.empty(group.size)
    start[order] = u * room[grouped] + rank * spacing
    return start


def _within(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For groups of the given sizes: the group of each element and its position in the group."""
    group = np.repeat(np.arange(counts.size), counts)
    return group, np.arange(group.size) - np.repeat(np.cumsum(counts) - counts, counts)


def _human_requests(rng, sessions: pd.DataFrame, funnel: dict, asset_probability: float) -> pd.DataFrame:
    """Page and asset requests of the human sessions; fills last_step and converted."""
    human = sessions[~sessions["is_bot"]]
    n = len(human)
    go_on = rng.random((n, len(STEPS) - 1)) < np.array([funnel[s] for s in STEPS[:-1]])
    reached = np.cumprod(go_on, axis=1).sum(axis=1)  # index of the last step reached
    sessions["last_step"] = pd.Series(pd.NA, index=sessions.index, dtype="str")
    sessions.loc[human.index, "last_step"] = np.array(STEPS)[reached]
    sessions["converted"] = sessions["last_step"].eq("checkout").fillna(False).astype(bool)

    views = np.where(reached >= 2, 1 + np.minimum(rng.poisson(0.6, n), MAX_PRODUCT_VIEWS - 1), 0)
    n_pages = 1 + (reached >= 1) + views + (reached >= 3) + (reached >= 4)
    owner, k = _within(n_pages)
    m = views[owner]
    step_index = np.select([k == 0, k == 1, k < 2 + m, k == 2 + m], [0, 1, 2, 3], default=4)
    step = np.array(STEPS)[step_index]
    category = CATEGORIES[rng.integers(len(CATEGORIES), size=n)][owner]
    path = np.select(
        [step_index == 0, step_index == 1, step_index == 2, step_index == 3],
        [np.full(k.size, "/"), np.char.add("/category/", category), np.char.add("/product/", rng.integers(1000, 2000, k.size).astype(str)), np.full(k.size, "/cart")],
        default="/checkout",
    )
    gaps = np.clip(rng.exponential(MEAN_PAGE_GAP_SECONDS, k.size), 1.0, MAX_PAGE_GAP_SECONDS)
    gaps[k == 0] = 0.0
    offset = np.cumsum(gaps)
    offset -= np.repeat(offset[np.cumsum(n_pages) - n_pages], n_pages)
    seconds = human["start_seconds"].to_numpy()[owner] + np.floor(offset)
    previous = np.concatenate([[""], path[:-1]])
    entry = ENTRY_REFERERS["referer"].to_numpy()[rng.choice(len(ENTRY_REFERERS), size=n, p=ENTRY_REFERERS["share"].to_numpy())]
    referer = np.where(k == 0, entry[owner], np.char.add(SITE, previous))
    method = np.where(step_index == 4, "POST", "GET")
    pages = pd.DataFrame(
        {
            "session_id": human["session_id"].to_numpy()[owner],
            "order": 2 * k,
            "seconds": seconds,
            "kind": "page",
            "step": step,
            "request": np.char.add(np.char.add(np.char.add(method, " "), path), " HTTP/1.1"),
            "status": 200,
            "bytes": np.round(rng.lognormal(np.log(9000), 0.4, k.size)).astype(int).astype(str),
            "referer": referer,
        }
    )
    asset = rng.random(k.size) < asset_probability
    fresh = rng.random(int(asset.sum())) < 0.7
    assets = pages[asset].assign(
        order=lambda f: f["order"] + 1,
        kind="asset",
        request=np.char.add(np.char.add("GET /static/img/", step[asset]), ".png HTTP/1.1"),
        status=np.where(fresh, 200, 304),
        bytes=np.where(fresh, np.round(rng.lognormal(np.log(30000), 0.5, fresh.size)).astype(int).astype(str), "-"),
        referer=np.char.add(SITE, path[asset]),
    )
    return pd.concat([pages, assets], ignore_index=True)


def _bot_requests(rng, sessions: pd.DataFrame) -> pd.DataFrame:
    """robots.txt (crawlers only) then category/product pages a few seconds apart, per bot session."""
    bots = sessions[sessions["is_bot"]]
    n_pages = 1 + 3 + rng.poisson(12, len(bots))
    owner, k = _within(n_pages)
    crawler = ~bots["is_scraper"].to_numpy()[owner]
    product = rng.random(k.size) < 0.7
    target = np.where(
        product,
        np.char.add("/product/", rng.integers(1000, 2000, k.size).astype(str)),
        np.char.add("/category/", CATEGORIES[rng.integers(len(CATEGORIES), size=k.size)]),
    )
    robots = (k == 0) & crawler
    path = np.where(robots, "/robots.txt", target)
    gaps = np.where(k == 0, 0.0, rng.uniform(1.0, 5.0, k.size))
    offset = np.cumsum(gaps)
    offset -= np.repeat(offset[np.cumsum(n_pages) - n_pages], n_pages)
    return pd.DataFrame(
        {
            "session_id": bots["session_id"].to_numpy()[owner],
            "order": 2 * k,
            "seconds": bots["start_seconds"].to_numpy()[owner] + np.floor(offset),
            "kind": np.where(robots, "robots", "page"),
            "step": np.where(robots, "robots", np.where(product, "product", "category")),
            "request": np.char.add(np.char.add("GET ", path), " HTTP/1.1"),
            "status": 200,
            "bytes": np.round(rng.lognormal(np.log(9000), 0.4, k.size)).astype(int).astype(str),
            "referer": "-",
        }
    )


def _cookie_header(requests: pd.DataFrame, sessions: pd.DataFrame) -> pd.Series:
    """``uid=…`` for human requests, plus ``; member=…`` from the visitor's first checkout on."""
    info = sessions.set_index("session_id")[["visitor", "customer_id"]].reindex(requests["session_id"])
    visitor = pd.Series(info["visitor"].to_numpy(), index=requests.index, dtype="str")
    customer = pd.Series(info["customer_id"].to_numpy(), index=requests.index, dtype="str")
    first_checkout = requests["seconds"].where(requests["step"].eq("checkout")).groupby(visitor).transform("min")
    logged_in = customer.notna() & (requests["seconds"] >= first_checkout).fillna(False)
    cookie = "uid=" + visitor  # missing for bots
    cookie = cookie.where(~logged_in, cookie + "; member=" + customer)
    return cookie.fillna("-")


def _paths(pages: pd.DataFrame, session_ids: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """The ">"-joined steps and the number of pages of each session (pages sorted by session)."""
    session = pages["session_id"].to_numpy()
    first = np.flatnonzero(np.r_[True, session[1:] != session[:-1]])
    tokens = (pages["step"] + ">").to_numpy(dtype=object)
    joined = pd.Series(np.add.reduceat(tokens, first), index=session[first], dtype="str").str.slice(0, -1)
    counts = pd.Series(np.diff(np.r_[first, session.size]), index=session[first])
    return (
        pd.Series(joined.reindex(session_ids).to_numpy(), index=session_ids.index, dtype="str"),
        counts.reindex(session_ids).to_numpy(),
    )


def _apache_time(times: np.ndarray) -> pd.Series:
    """``[dd/Mon/yyyy:HH:MM:SS +0900]`` for datetime64[s] values (English month names)."""
    iso = pd.Series(np.datetime_as_string(times, unit="s"), dtype="str")
    month = pd.Series(MONTHS[iso.str.slice(5, 7).astype(int).to_numpy() - 1], dtype="str")
    return "[" + iso.str.slice(8, 10) + "/" + month + "/" + iso.str.slice(0, 4) + ":" + iso.str.slice(11, 19) + " +0900]"


def _log_lines(rng, requests: pd.DataFrame, sessions: pd.DataFrame, start: pd.Timestamp, malformed_rate: float):
    """Format the requests as log lines and insert truncated copies after some of them."""
    info = sessions.set_index("session_id")[["ip", "user_agent"]].reindex(requests["session_id"])
    stamp = _apache_time(_datetimes(start, requests["seconds"]))
    line = (
        pd.Series(info["ip"].to_numpy(), dtype="str") + " - - " + stamp + ' "' + requests["request"] + '" '
        + requests["status"].astype(str) + " " + requests["bytes"] + ' "' + requests["referer"] + '" "'
        + pd.Series(info["user_agent"].to_numpy(), dtype="str") + '" "' + requests["cookie"] + '"'
    )
    # a line is followed by a truncated copy with probability m/(1−m): a share m of all lines
    copied = rng.random(len(line)) < malformed_rate / (1.0 - malformed_rate)
    head = line[copied].str.extract(r'^([^"]*")', expand=False)
    cut = rng.integers(3, 11, size=int(copied.sum()))  # requests are ≥ 14 characters long
    request = requests.loc[copied, "request"]
    broken = pd.Series(pd.NA, index=request.index, dtype="str")
    for length in np.unique(cut):
        chosen = request.index[cut == length]
        broken[chosen] = head[chosen] + request[chosen].str.slice(0, int(length))
    # interleave: line i at position i + (copies before it); its copy right after it
    position = np.arange(len(line)) + np.concatenate([[0], np.cumsum(copied)[:-1]])
    total = len(line) + int(copied.sum())
    out = np.empty(total, dtype=object)
    out[position] = line.to_numpy()
    out[position[copied] + 1] = broken.to_numpy()
    kind = np.empty(total, dtype=object)
    kind[position] = requests["kind"].to_numpy()
    kind[position[copied] + 1] = "malformed"
    session = np.empty(total, dtype=np.int64)
    session[position] = requests["session_id"].to_numpy()
    session[position[copied] + 1] = requests["session_id"].to_numpy()[copied]
    truth = pd.DataFrame({"session_id": session, "kind": pd.array(kind, dtype="str"), "is_malformed": kind == "malformed"})
    return pd.Series(out, name="line", dtype="str"), truth
