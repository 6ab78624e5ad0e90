"""Funnel, Markov paths, customers and trigger rules by hand on tiny logs; funnel interval coverage."""

import itertools

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from crm_analysis import weblog as wl
from crm_analysis.weblog.behaviour import wilson_interval

STEPS = ["home", "category", "product", "cart", "checkout"]


def _pages(paths):
    """Page views of sessions 1, 2, … following the given page-type paths, a minute apart."""
    rows = [(s, pd.Timestamp("2024-01-01") + pd.Timedelta(minutes=i), t)
            for s, path in enumerate(paths, start=1) for i, t in enumerate(path)]
    return pd.DataFrame(rows, columns=["session", "time", "page_type"])


TINY = _pages([
    ["home", "category", "product", "cart", "checkout"],
    ["home", "category", "product", "product", "cart"],
    ["home", "category"],
    ["home"],
    ["home", "cart", "category", "product"],      # cart before product: does not count as cart
    ["product", "home", "category", "product"],    # entered on a product page
])


def test_funnel_by_hand():
    f = wl.funnel(TINY, STEPS)
    # home: all 6; category after home: 1,2,3,5,6 → 5; product after that: 1,2,5,6 → 4;
    # cart after product: 1,2 → 2; checkout after cart: 1 → 1
    assert f["sessions"].tolist() == [6, 5, 4, 2, 1]
    assert f["from_previous"].tolist() == [6, 6, 5, 4, 2]
    np.testing.assert_allclose(f["conversion"], [1, 5 / 6, 4 / 5, 2 / 4, 1 / 2])
    np.testing.assert_allclose(f["drop_off"], [0, 1 / 6, 1 / 5, 2 / 4, 1 / 2])
    assert f["lost"].tolist() == [0, 1, 1, 2, 1]
    low, high = proportion_confint(f["sessions"], f["from_previous"], alpha=0.05, method="wilson")
    np.testing.assert_allclose(f["ci_low"], low)
    np.testing.assert_allclose(f["ci_high"], high)


def test_wilson_matches_statsmodels():
    for k, n, level in [(0, 10, 0.95), (3, 10, 0.9), (10, 10, 0.99), (57, 1234, 0.95)]:
        low, high = proportion_confint(k, n, alpha=1 - level, method="wilson")
        ours = wilson_interval(k, n, level)
        assert ours[0][0] == pytest.approx(low) and ours[1][0] == pytest.approx(high)


def test_funnel_interval_coverage():
    """Simulate 200 funnels of 300 sessions with known continue probabilities; each step's
    95 % interval must cover its true conversion in 90–99 % of the data sets. All sets go
    through :func:`reached_steps` at once (session ids distinct), then the counts per set
    through the funnel's Wilson interval."""
    rng = np.random.default_rng(5)
    p = np.array([0.6, 0.7, 0.3, 0.5])
    n_sets, n = 200, 300
    go = rng.random((n_sets * n, 4)) < p
    reached = 1 + np.cumprod(go, axis=1).sum(axis=1)  # steps reached per session
    session = np.repeat(np.arange(n_sets * n), reached)
    position = np.arange(session.size) - np.repeat(np.cumsum(reached) - reached, reached)
    pages = pd.DataFrame({"session": session, "time": pd.Timestamp("2024-01-01") + pd.to_timedelta(position, unit="min"),
                          "page_type": np.array(STEPS)[position]})
    r = wl.reached_steps(pages, STEPS)
    counts = r.groupby(r.index // n).sum().to_numpy()  # sets × steps
    low, high = wilson_interval(counts[:, 1:].ravel(), counts[:, :-1].ravel())
    inside = (low.reshape(n_sets, 4) <= p) & (p <= high.reshape(n_sets, 4))
    share = inside.mean(axis=0)
    assert ((share >= 0.90) & (share <= 0.99)).all(), share


def test_markov_by_hand():
    pages = _pages([["a", "b"], ["a", "b", "b"], ["b"], ["a"]])
    P = wl.transition_matrix(pages)
    # moves: entry→a ×3, entry→b ×1; a→b ×2, a→exit ×1; b→b ×1, b→exit ×3
    assert P.loc["(entry)", "a"] == pytest.approx(3 / 4) and P.loc["(entry)", "b"] == pytest.approx(1 / 4)
    assert P.loc["a", "b"] == pytest.approx(2 / 3) and P.loc["a", "(exit)"] == pytest.approx(1 / 3)
    assert P.loc["b", "b"] == pytest.approx(1 / 4) and P.loc["b", "(exit)"] == pytest.approx(3 / 4)
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    # most likely paths against brute force over all paths of up to 4 pages
    best = wl.most_likely_paths(P, k=4)
    probs = {}
    for length in range(1, 5):
        for path in itertools.product(["a", "b"], repeat=length):
            states = ["(entry)", *path, "(exit)"]
            probs[" > ".join(path)] = np.prod([P.loc[x, y] for x, y in zip(states[:-1], states[1:])])
    want = sorted(probs.items(), key=lambda kv: -kv[1])[:4]
    assert best["path"].tolist() == [w[0] for w in want]
    np.testing.assert_allclose(best["probability"], [w[1] for w in want])
    # e.g. a > b: 3/4 · 2/3 · 3/4 = 0.375
    assert best.loc[best["path"] == "a > b", "probability"].item() == pytest.approx(0.375)


def test_observed_paths_and_flows():
    pages = _pages([["a", "b"], ["a", "b"], ["b"]])
    obs = wl.observed_paths(pages)
    assert obs["path"].tolist() == ["a > b", "b"] and obs["sessions"].tolist() == [2, 1]
    flows = wl.path_flows(pages, max_steps=3).set_index(["step", "from", "to"])["sessions"]
    assert flows[(1, "a", "b")] == 2 and flows[(1, "b", "(exit)")] == 1 and flows[(2, "b", "(exit)")] == 2


def test_page_types_and_time_on_page():
    urls = pd.Series(["/", "/?utm=x", "/category/a", "/product/1", "/cart", "/checkout", "/about", "/blog/x"])
    assert wl.page_types(urls).tolist() == ["home", "home", "category", "product", "cart", "checkout", "other", "other"]
    assert wl.page_types(urls, {}, other=None).tolist()[-2:] == ["/about", "/blog"]
    t = wl.time_on_page(_pages([["a", "b", "c"]]))
    assert t["seconds"].tolist() == [60.0, 60.0]


def _sessions_table(rows):
    t = pd.DataFrame(rows, columns=["session", "visitor", "start", "end", "pages", "cart", "checkout"])
    t["start"], t["end"] = pd.to_datetime(t["start"]), pd.to_datetime(t["end"])
    reached = t.set_index("session")[["cart", "checkout"]]
    return t.set_index("session").drop(columns=["cart", "checkout"]), reached


def test_identify_and_abandoned_carts():
    requests = pd.DataFrame({
        "visitor": ["v1", "v1", "v2", "v3", "v3"],
        "time": pd.to_datetime(["2024-01-01 10:00", "2024-01-02 00:00", "2024-01-01 00:00", "2024-01-01 00:00", "2024-01-03 00:00"]),
        "cookie": ["uid=1", "uid=1; member=C1", "uid=2; member=C2", "uid=3", None],
    })
    ident = wl.identify_visitors(requests)
    assert ident.set_index("visitor")["customer_id"].to_dict() == {"v1": "C1", "v2": "C2"}
    sessions, reached = _sessions_table([
        (1, "v1", "2024-01-01 10:00", "2024-01-01 10:10", 4, True, False),   # cart; bought 5 h later
        (2, "v1", "2024-01-01 15:00", "2024-01-01 15:05", 3, True, True),
        (3, "v2", "2024-01-01 09:00", "2024-01-01 09:10", 4, True, False),   # cart, never bought: fires
        (4, "v2", "2024-01-03 09:00", "2024-01-03 09:10", 2, False, True),   # bought, but after 48 h
        (5, "v3", "2024-01-01 09:00", "2024-01-01 09:10", 4, True, False),   # anonymous: cannot fire
        (6, "v1", "2024-01-03 20:00", "2024-01-03 20:10", 4, True, False),   # too recent to know
    ])
    fired = wl.abandoned_carts(sessions, reached, ident, within_hours=24)
    assert fired["customer_id"].tolist() == ["C2"]
    assert fired["fire_time"].iloc[0] == pd.Timestamp("2024-01-02 09:10")
    # within 72 h C2 bought (48 h later); C1's last cart (Jan 3) is then old enough and fires
    assert wl.abandoned_carts(sessions, reached, ident, within_hours=72, log_end="2024-01-09")["customer_id"].tolist() == ["C1"]


def test_trigger_value_and_decision():
    table = wl.trigger_value({"a": 100, "b": 50}, {"a": 0.1, "b": 0.01}, order_value=40, margin=0.25, contact_cost=0.5)
    # a: 100·0.1·40·0.25 − 100·0.5 = 100 − 50 = 50; b: 50·0.01·40·0.25 − 25 = 5 − 25 = −20
    assert table["expected_value"].tolist() == pytest.approx([50.0, -20.0])
    assert table["switch_on"].tolist() == [True, False]
    f = wl.funnel(TINY, STEPS)
    gains = wl.extra_checkouts(f, 0.1)
    # 1 checkout; +0.1 on conversion c multiplies it by (c + 0.1) / c
    np.testing.assert_allclose(gains, [(5 / 6 + 0.1) / (5 / 6) - 1, 0.9 / 0.8 - 1, 0.6 / 0.5 - 1, 0.6 / 0.5 - 1])
    d = wl.decide(f, table, bot_page_share=0.2, conversion_with_bots=0.1, points=0.1)
    assert d.fix_step == "cart" and d.triggers_on == ("a",) and d.triggers_value == 50.0
    assert not d.fix_clear  # tiny samples: intervals overlap
    assert len(d.sentences()) == 3
    with pytest.raises(ValueError, match="no response rate"):
        wl.trigger_value({"c": 1}, {}, 1, 1, 1)
