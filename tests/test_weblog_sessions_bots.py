"""Sessions and bots against hand-made logs and the synthetic log's truth over several seeds."""

import numpy as np
import pandas as pd
import pytest

from crm_analysis import weblog as wl
from crm_analysis.data.synthetic import simulate_access_log
from crm_analysis.weblog.pipeline import true_bot_sessions, truth_per_line

SEEDS = (3, 11, 29)


def _requests(rows):
    frame = pd.DataFrame(rows, columns=["ip", "time", "url", "status", "user_agent", "cookie", "referer"])
    frame["time"] = pd.to_datetime(frame["time"])
    frame.insert(0, "line_number", np.arange(1, len(frame) + 1))
    return frame


def test_sessionize_by_hand():
    r = _requests([
        ("1.1.1.1", "2024-01-01 10:00", "/", 200, "A", "uid=u1", None),
        ("1.1.1.1", "2024-01-01 10:29", "/p", 200, "A", "uid=u1", None),      # 29 min: same session
        ("9.9.9.9", "2024-01-01 10:40", "/c", 200, "A", "uid=u1", None),      # same cookie, new IP: same visitor
        ("1.1.1.1", "2024-01-01 11:11", "/", 200, "A", "uid=u1", None),       # 31 min gap: new session
        ("2.2.2.2", "2024-01-01 10:05", "/", 200, "B", None, None),           # no cookie: IP + UA
        ("2.2.2.2", "2024-01-01 10:06", "/", 200, "C", None, None),           # other UA: other visitor
        ("2.2.2.2", "2024-01-01 10:07", "/x", 200, "B", None, "https://www.google.com/"),
    ])
    s = wl.sessionize(r, 30).set_index("line_number")
    assert s.loc[1, "session"] == s.loc[2, "session"] == s.loc[3, "session"]
    assert s.loc[4, "session"] != s.loc[1, "session"]
    assert s.loc[5, "session"] == s.loc[7, "session"] != s.loc[6, "session"]
    assert sorted(s["session"].unique()) == [1, 2, 3, 4]  # numbered in order of start
    assert s.loc[1, "session"] == 1 and s.loc[5, "session"] == 2
    # referrer rule: an external referrer starts a new session
    s2 = wl.sessionize(r, 30, site_host="shop.example.com").set_index("line_number")
    assert s2.loc[5, "session"] != s2.loc[7, "session"]
    # a longer timeout joins lines 1-4
    s3 = wl.sessionize(r, 60).set_index("line_number")
    assert s3.loc[[1, 2, 3, 4], "session"].nunique() == 1
    with pytest.raises(ValueError, match="timeout_minutes"):
        wl.sessionize(r, 0)


def test_recovery_by_hand():
    true = [1, 1, 1, 2, 2, 3]
    assert wl.recovery([7, 7, 7, 8, 8, 9], true)["exact_share"] == 1.0
    split = wl.recovery([7, 7, 5, 8, 8, 9], true)  # session 1 split in two
    assert split["exact_share"] == pytest.approx(2 / 3)
    merged = wl.recovery([7, 7, 7, 7, 7, 9], true)  # sessions 1 and 2 merged
    assert merged["exact_share"] == pytest.approx(1 / 3)
    # adjusted Rand index by hand for the split case: pairs of lines together in both
    # true pairs 3+1=4, predicted pairs 1+1=2, both 1+1=2, n pairs 15
    expected_index = 2
    expected = (expected_index - 4 * 2 / 15) / ((4 + 2) / 2 - 4 * 2 / 15)
    assert split["ari"] == pytest.approx(expected)


@pytest.fixture(scope="module", params=SEEDS)
def world(request):
    lines, truth = simulate_access_log(1500, scraper_share=0.4, bot_share=0.1, seed=request.param)
    return truth, wl.analyse_log(lines, "combined_cookie")


def test_sessions_match_the_truth(world):
    """Pages of a visit are ≤ 15 min apart and visits ≥ 75 min apart in the simulation, so
    any timeout between them recovers every session; 5 minutes must split some."""
    truth, a = world
    rec = wl.recovery(a.requests["session"], truth_per_line(a.requests, truth))
    assert rec["exact_share"] == 1.0 and rec["ari"] == 1.0 and rec["n_predicted"] == len(truth.sessions)
    effect = wl.timeout_effect(a.parsed.requests, (5, 30, 60), true_session=truth_per_line(a.parsed.requests, truth))
    short = effect.set_index("timeout_minutes")
    assert short.loc[5, "sessions"] > len(truth.sessions) and short.loc[5, "exact_share"] < 1
    assert short.loc[30, "exact_share"] == short.loc[60, "exact_share"] == 1.0


def test_bot_detection_against_the_truth(world):
    truth, a = world
    true_bot = true_bot_sessions(a, truth)
    scores = wl.detection_scores(a.sessions, true_bot)
    crawlers = int((truth.sessions["is_bot"] & ~truth.sessions["is_scraper"]).sum())
    ua = scores.loc["user agent (ua-parser)"]
    # ua-parser names every declared crawler and no browser: it finds exactly the crawlers
    assert ua["precision"] == 1.0 and ua["hits"] == crawlers
    both = scores.loc["either (used)"]
    assert both["precision"] >= 0.98 and both["recall"] >= 0.98
    assert scores.loc["behaviour", "recall"] > ua["recall"]  # scrapers are found by behaviour only


def test_request_kinds():
    r = pd.DataFrame({"url": ["/", "/robots.txt", "/a.css", "/img/x.PNG?v=2", "/missing", "/blog/post", "/static/x"],
                      "status": [200, 200, 200, 304, 404, 200, 200]})
    assert wl.classify_requests(r).tolist() == ["page", "robots", "asset", "asset", "error", "page", "asset"]


def test_user_agents():
    ua = wl.parse_user_agents(["Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
                               "Mozilla/5.0 (compatible; Yeti/1.1; +https://naver.me/spd)",
                               "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1",
                               None])
    assert ua["ua_bot"].tolist() == [True, True, False, True]
    assert ua["browser"].iloc[2] == "Mobile Safari"
