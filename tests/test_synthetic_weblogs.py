"""simulate_access_log: parsed with an independent regex, the log shows the truth's
sessions, funnel, bots, cookies and malformed lines at their planted rates."""

import re

import numpy as np
import pandas as pd
import pytest

from crm_analysis.data.synthetic import simulate_access_log

# Apache combined format plus the Cookie header (%{Cookie}i)
LINE = re.compile(
    r'^(?P<ip>\S+) \S+ \S+ \[(?P<time>[^\]]+)\] "(?P<method>[A-Z]+) (?P<url>\S+) HTTP/1\.[01]" '
    r'(?P<status>\d{3}) (?P<bytes>\d+|-) "(?P<referer>[^"]*)" "(?P<agent>[^"]*)" "(?P<cookie>[^"]*)"$'
)
BOT_AGENT = r"(?i)bot|crawler|spider|yeti"
STEP_OF_URL = [(r"^/$", "home"), (r"^/category/", "category"), (r"^/product/", "product"), (r"^/cart$", "cart"), (r"^/checkout$", "checkout")]
N_SESSIONS = 8_000


@pytest.fixture(scope="module")
def world():
    return simulate_access_log(N_SESSIONS, malformed_rate=0.01, seed=41)


@pytest.fixture(scope="module")
def parsed(world):
    lines, _ = world
    fields = lines.str.extract(LINE.pattern)
    fields["time"] = pd.to_datetime(fields["time"], format="%d/%b/%Y:%H:%M:%S %z")
    fields["uid"] = fields["cookie"].str.extract(r"uid=([0-9a-f]+)", expand=False)
    fields["member"] = fields["cookie"].str.extract(r"member=(C\d+)", expand=False)
    fields["step"] = pd.Series(pd.NA, index=fields.index, dtype="str")
    for pattern, step in STEP_OF_URL:
        fields.loc[fields["url"].str.contains(pattern, na=False), "step"] = step
    return fields


def test_malformed_lines(world, parsed):
    lines, truth = world
    bad = np.flatnonzero(parsed["ip"].isna().to_numpy())
    np.testing.assert_array_equal(bad, truth.malformed_line_numbers)
    m = truth.malformed_rate
    assert abs(bad.size / len(lines) - m) < 4 * np.sqrt(m * (1 - m) / len(lines))


def test_time_order_and_window(world, parsed):
    _, truth = world
    t = parsed["time"].dropna()
    assert t.is_monotonic_increasing
    local = t.dt.tz_localize(None)
    assert local.min() >= truth.start and local.max() < truth.end


def test_bots(world, parsed):
    _, truth = world
    ok = parsed.dropna(subset=["ip"])
    is_bot_line = ok["agent"].str.contains(BOT_AGENT)
    assert (ok.loc[is_bot_line, "cookie"] == "-").all()
    assert not ok.loc[~is_bot_line, "cookie"].eq("-").any()
    # bot sessions start with robots.txt: count them to get the bot session share
    robots = ok["url"].eq("/robots.txt")
    assert (robots <= is_bot_line).all()
    share = robots.sum() / N_SESSIONS
    assert robots.sum() == truth.sessions["is_bot"].sum()
    b = truth.bot_share
    assert abs(share - b) < 4 * np.sqrt(b * (1 - b) / N_SESSIONS)


def sessionize(ok):
    """Human sessions by uid cookie and a 30-minute inactivity timeout."""
    human = ok[ok["uid"].notna()].sort_values(["uid", "time"], kind="stable")
    gap = human.groupby("uid")["time"].diff()
    new = gap.isna() | (gap > pd.Timedelta(minutes=30))
    return pd.Series(new.cumsum().to_numpy(), index=human.index)


def test_thirty_minute_rule_recovers_sessions(world, parsed):
    _, truth = world
    ok = parsed.dropna(subset=["ip"])
    mine = sessionize(ok)
    true = truth.lines.loc[mine.index, "session_id"]
    # the two partitions of the human lines coincide
    assert true.groupby(mine).nunique().eq(1).all()
    assert mine.groupby(true).nunique().eq(1).all()
    assert mine.nunique() == true.nunique() == (~truth.sessions["is_bot"]).sum()


def test_paths_and_funnel(world, parsed):
    _, truth = world
    ok = parsed.dropna(subset=["ip"])
    pages = ok[ok["uid"].notna() & ok["step"].notna()]
    session = truth.lines.loc[pages.index, "session_id"]
    path = pages["step"].groupby(session).agg(">".join)
    human = truth.sessions[~truth.sessions["is_bot"]].set_index("session_id")
    pd.testing.assert_series_equal(path.sort_index(), human["path"].sort_index(), check_names=False, check_dtype=False)
    # step-to-step continuation rates against the planted funnel
    steps = truth.funnel["step"].tolist()
    reached = pd.DataFrame({s: pages["step"].eq(s).groupby(session).any() for s in steps})
    for here, there, p in zip(steps[:-1], steps[1:], truth.funnel["continue_probability"]):
        at = reached[here]
        rate = reached.loc[at, there].mean()
        assert abs(rate - p) < 4 * np.sqrt(p * (1 - p) / at.sum()), here
    np.testing.assert_array_equal(reached["checkout"].sort_index(), human["converted"].sort_index())
    assert (pages.loc[pages["step"] == "checkout", "method"] == "POST").all()


def test_assets(world, parsed):
    _, truth = world
    ok = parsed.dropna(subset=["ip"])
    human = ok[ok["uid"].notna()]
    assets = human["url"].str.startswith("/static/")
    np.testing.assert_array_equal(assets.to_numpy(), (truth.lines.loc[human.index, "kind"] == "asset").to_numpy())
    pages = (~assets).sum()
    share = assets.sum() / pages
    assert abs(share - 0.5) < 4 * np.sqrt(0.25 / pages)
    assert (human.loc[human["status"] == "304", "bytes"] == "-").all()


def test_cookie_to_customer(world, parsed):
    _, truth = world
    ok = parsed.dropna(subset=["ip"])
    seen = ok.dropna(subset=["member"]).groupby("uid")["member"].agg(["nunique", "first"])
    assert (seen["nunique"] == 1).all()
    owner = truth.visitors.set_index("visitor")["customer_id"]
    np.testing.assert_array_equal(seen["first"].to_numpy(), owner.reindex(seen.index).to_numpy())
    # a member visitor is identified exactly when they checked out at least once
    checked_out = ok.loc[ok["step"].eq("checkout"), "uid"].unique()
    members = owner.dropna().index
    assert set(seen.index) == set(members) & set(checked_out)
    # the member cookie appears from the first checkout on, never before it
    first_checkout = ok[ok["step"].eq("checkout")].groupby("uid")["time"].min()
    tagged = ok[ok["member"].notna()]
    assert (tagged["time"].to_numpy() >= first_checkout.reindex(tagged["uid"]).to_numpy()).all()
    untagged = ok[ok["member"].isna() & ok["uid"].isin(seen.index)]
    assert (untagged["time"].to_numpy() < first_checkout.reindex(untagged["uid"]).to_numpy()).all()
    share = owner.notna().mean()
    assert abs(share - truth.member_share) < 4 * np.sqrt(truth.member_share * (1 - truth.member_share) / len(owner))


def test_seeded_and_bad_arguments():
    a, _ = simulate_access_log(100, seed=2)
    b, _ = simulate_access_log(100, seed=2)
    pd.testing.assert_series_equal(a, b)
    with pytest.raises(ValueError, match="funnel"):
        simulate_access_log(10, funnel={"home": 0.5})
    with pytest.raises(ValueError, match="cart=1.5"):
        simulate_access_log(10, funnel={"home": 0.5, "category": 0.5, "product": 0.5, "cart": 1.5})
    with pytest.raises(ValueError, match="n_visitors"):
        simulate_access_log(2000, n_visitors=1)
