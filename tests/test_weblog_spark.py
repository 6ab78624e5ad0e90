"""The Spark sessionizer runs the DuckDB one's query and writes the same sessions.

Reference: the DuckDB engine (:func:`sessionize_parquet`) on the same parsed file, and
session counts worked out by hand for one visitor whose gaps sit just below, at and just
above the timeout.
"""

import datetime as dt
import math

import pandas as pd
import pytest

from crm_analysis.data.synthetic import simulate_access_log
from crm_analysis.weblog import outofcore as oc

T0 = dt.datetime(2024, 3, 10, 5, 0, 0)  # UTC; 00:00 in New York, two hours before the DST change


def _line(ip, seconds, url, status=200, ua="Mozilla/5.0", cookie="-"):
    t = (T0 + dt.timedelta(seconds=seconds)).strftime("%d/%b/%Y:%H:%M:%S +0000")
    return f'{ip} - - [{t}] "GET {url} HTTP/1.1" {status} 512 "-" "{ua}" "{cookie}"'


# alice: gaps 1800 s, 1801 s, 299 s, 300 s, 301 s, 0 s (an asset in the same second)
ALICE = [(0, "/"), (1800, "/product/1"), (3601, "/cart"), (3900, "/product/2"), (4200, "/checkout"),
         (4501, "/thanks"), (4501, "/static/logo.png")]
# requests (sessions in time order) of cookie:alice, counted by hand
ALICE_SESSIONS = {30: [2, 5], 5: [1, 1, 3, 2]}


def _hand_lines():
    lines = [_line("203.0.113.9", s, url, cookie="lang=ko; uid=alice") for s, url in ALICE]
    lines += [
        # one IP, no uid cookie, three user agents: three visitors ('xuid' is not 'uid')
        _line("10.0.0.1", 0, "/", ua="UA-1", cookie="xuid=bob"),
        _line("10.0.0.1", 1799, "/style.css", ua="UA-1", cookie="xuid=bob"),
        _line("10.0.0.1", 10, "/", ua="UA-2"),
        _line("10.0.0.1", 10, "/robots.txt", ua="UA-2"),
        _line("10.0.0.1", 2000, "/missing", status=404, ua="UA-2"),
        _line("10.0.0.1", 20, "/", ua="-"),
        _line("10.0.0.1", 320, "/category/a", ua="-"),
        # uid after other cookies without a space, and after two spaces
        _line("198.51.100.7", 100, "/", cookie="theme=dark;uid=carol"),
        _line("198.51.100.8", 400, "/product/3", cookie="a=1;  uid=carol"),
        # across the DST change in New York: 20 min apart, 80 min apart on the wall clock
        _line("192.0.2.5", 6600, "/", cookie="uid=dst"),
        _line("192.0.2.5", 7800, "/product/4", cookie="uid=dst"),
    ]
    return lines


@pytest.fixture(scope="module")
def parsed_log(tmp_path_factory):
    folder = tmp_path_factory.mktemp("weblog_spark")
    simulated, _ = simulate_access_log(300, malformed_rate=0.01, seed=3)
    log = folder / "access.log"
    log.write_text("\n".join(_hand_lines() + list(simulated)) + "\n", encoding="utf-8")
    oc.parse_to_parquet(log, folder / "requests.parquet", "combined_cookie", time_zone="America/New_York")
    return folder / "requests.parquet"


def _sessions(path):
    d = pd.read_parquet(path)
    for column in ("start", "end"):  # wall clock, whichever way the engine stored it
        times = pd.to_datetime(d[column])
        if times.dt.tz is not None:
            times = times.dt.tz_localize(None)
        d[column] = times.astype("datetime64[us]")
    return d.sort_values(["visitor", "session"], ignore_index=True)


@pytest.mark.spark
@pytest.mark.parametrize("timeout", [30, 5])
def test_spark_sessions_equal_duckdb(spark, parsed_log, tmp_path, timeout):
    n_duck = oc.sessionize_parquet(parsed_log, tmp_path / "duck.parquet", timeout)
    zone = spark.conf.get("spark.sql.session.timeZone")
    spark.conf.set("spark.sql.session.timeZone", "America/New_York")  # the function must read wall clock anyway
    try:
        n_spark = oc.sessionize_spark(str(parsed_log), str(tmp_path / "spark_sessions"), timeout, spark=spark)
        assert spark.conf.get("spark.sql.session.timeZone") == "America/New_York"  # restored
    finally:
        spark.conf.set("spark.sql.session.timeZone", zone)
    duck, mine = _sessions(tmp_path / "duck.parquet"), _sessions(tmp_path / "spark_sessions")
    assert n_spark == n_duck == len(duck)
    pd.testing.assert_frame_equal(mine, duck)
    alice = mine[mine["visitor"] == "cookie:alice"]
    assert alice["requests"].tolist() == ALICE_SESSIONS[timeout]
    assert alice["session"].tolist() == list(range(1, len(ALICE_SESSIONS[timeout]) + 1))
    visitors = set(mine["visitor"])
    assert {"ip:10.0.0.1 | UA-1", "ip:10.0.0.1 | UA-2", "ip:10.0.0.1 | -", "cookie:carol"} <= visitors
    assert not any(v.startswith("cookie:bob") for v in visitors)


def test_bad_timeout_same_error(parsed_log, tmp_path):
    """Refused before any engine starts (spark=None would otherwise start one)."""
    for bad in (0, -5, math.nan, math.inf):
        with pytest.raises(ValueError) as duck:
            oc.sessionize_parquet(parsed_log, tmp_path / "x.parquet", bad)
        with pytest.raises(ValueError) as spark:
            oc.sessionize_spark(parsed_log, tmp_path / "x", bad)
        assert str(spark.value) == str(duck.value)
        assert "timeout_minutes" in str(duck.value) and repr(bad) in str(duck.value)
