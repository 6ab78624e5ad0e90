"""The access-log parser on hand-written lines of each format, and on the real log."""

import gzip

import numpy as np
import pandas as pd
import pytest

from crm_analysis.weblog import FORMATS, format_regex, parse_log

UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"
COMBINED = [
    # 1 ordinary
    f'203.0.113.7 - - [05/Feb/2024:10:31:02 +0900] "GET /product/1043 HTTP/1.1" 200 5120 "https://shop.example.com/category/beauty" "{UA}"',
    # 2 IPv6 client, '-' size, missing referrer
    '2001:db8::ff00:42:8329 - frank [05/Feb/2024:10:31:05 +0900] "GET /static/a.png HTTP/1.1" 304 - "-" "curl/8.5.0"',
    # 3 escaped quote inside the user agent (Apache writes \")
    '198.51.100.2 - - [05/Feb/2024:10:31:01 +0900] "GET / HTTP/1.1" 200 10 "-" "Mozilla/5.0 \\"Quoted\\" Agent"',
    # 4 truncated inside the user agent (like line 8,899 of the real log)
    '198.51.100.3 - - [05/Feb/2024:10:31:09 +0900] "GET /x HTTP/1.1" 200 10 "-" "Mozilla/5.0 (compatible; Googlebot/2.1',
    # 5 empty line
    "",
    # 6 time in another zone (UTC−5): 20:31:10 local at +0900 is 06:31:10 at −0500
    '198.51.100.4 - - [05/Feb/2024:06:31:10 -0500] "POST /checkout HTTP/1.1" 302 0 "https://shop.example.com/cart" "Mozilla/5.0"',
    # 7 unparseable time
    '198.51.100.5 - - [35/Feb/2024:10:31:10 +0900] "GET / HTTP/1.1" 200 10 "-" "Mozilla/5.0"',
    # 8 unescaped quote inside the user agent
    '198.51.100.6 - - [05/Feb/2024:10:31:00 +0900] "GET /a?b=1 HTTP/1.0" 404 7 "-" "Evil "quoted" agent"',
    # 9 truncated inside the request
    '198.51.100.7 - - [05/Feb/2024:10:31:11 +0900] "GET /prod',
]


@pytest.fixture(scope="module")
def parsed():
    return parse_log(COMBINED, "combined")


def test_every_line_is_parsed_or_counted(parsed):
    assert parsed.n_lines == 9
    assert parsed.lines_parsed + parsed.lines_malformed == 9
    bad = parsed.malformed.set_index("line_number")["reason"]
    assert sorted(bad.index) == [4, 5, 7, 9]
    assert bad[4].startswith("truncated") and bad[9].startswith("truncated")
    assert bad[5] == "empty line"
    assert bad[7].startswith("unparseable time")


def test_fields(parsed):
    r = parsed.requests.set_index("line_number")
    assert r.loc[1, "ip"] == "203.0.113.7"
    assert (r.loc[1, "method"], r.loc[1, "url"], r.loc[1, "protocol"]) == ("GET", "/product/1043", "HTTP/1.1")
    assert r.loc[1, "status"] == 200 and r.loc[1, "bytes"] == 5120
    assert r.loc[1, "referer"] == "https://shop.example.com/category/beauty" and r.loc[1, "user_agent"] == UA
    assert r.loc[2, "ip"] == "2001:db8::ff00:42:8329" and r.loc[2, "user"] == "frank"
    assert pd.isna(r.loc[2, "bytes"]) and pd.isna(r.loc[2, "referer"]) and r.loc[2, "status"] == 304
    assert r.loc[3, "user_agent"] == 'Mozilla/5.0 "Quoted" Agent'
    assert r.loc[8, "user_agent"] == 'Evil "quoted" agent' and r.loc[8, "url"] == "/a?b=1"


def test_time_zones_and_order(parsed):
    r = parsed.requests
    assert parsed.time_zone == "+0900"  # the most common offset
    t = r.set_index("line_number")["time"]
    assert t[6] == pd.Timestamp("2024-02-05 20:31:10")  # −0500 converted to +0900
    assert t[1] == pd.Timestamp("2024-02-05 10:31:02")
    assert r["time"].is_monotonic_increasing
    # parsed lines in file order: 1, 2, 3, 6, 8 at :02, :05, :01, 20:31:10, :00 → two descents
    assert parsed.out_of_order == 2
    assert parsed.max_lag_seconds == (pd.Timestamp("2024-02-05 20:31:10") - pd.Timestamp("2024-02-05 10:31:00")).total_seconds()
    seoul = parse_log(COMBINED, "combined", time_zone="UTC").requests.set_index("line_number")["time"]
    assert seoul[6] == pd.Timestamp("2024-02-05 11:31:10") and seoul[1] == pd.Timestamp("2024-02-05 01:31:02")
    with pytest.raises(ValueError, match="time_zone"):
        parse_log(COMBINED, "combined", time_zone="Mars/Olympus")


def test_common_format():
    lines = ['10.0.0.1 - - [01/Jan/2024:00:00:01 +0000] "GET /index.html HTTP/1.1" 200 2326',
             '10.0.0.1 - - [01/Jan/2024:00:00:02 +0000] "GET /index.html HTTP/1.1" 200 2326 "-" "x"']
    p = parse_log(lines, "common")
    assert p.lines_parsed == 1 and p.malformed["line_number"].tolist() == [2]
    assert "user_agent" not in p.requests and p.requests.loc[0, "bytes"] == 2326


def test_custom_format_with_cookie_and_duration():
    fmt = '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i" "%{Cookie}i" %D'
    pattern, names = format_regex(fmt)
    assert names == ["ip", "ident", "user", "time", "request", "status", "bytes", "referer", "user_agent", "cookie", "duration_us"]
    line = '1.2.3.4 - - [01/Jan/2024:00:00:01 +0000] "GET / HTTP/1.1" 200 5 "-" "UA" "uid=abc; member=C1" 1234'
    r = parse_log([line], fmt).requests.iloc[0]
    assert r["cookie"] == "uid=abc; member=C1" and r["duration_us"] == "1234"
    assert format_regex("combined_cookie") == format_regex(FORMATS["combined_cookie"])
    with pytest.raises(ValueError, match="unknown directive %Q"):
        format_regex('%h %Q')


def test_gzip_file_and_parquet(tmp_path):
    path = tmp_path / "access.log.gz"
    with gzip.open(path, "wt") as f:
        f.write("\n".join(COMBINED) + "\n")
    p = parse_log(path, "combined")
    assert p.n_lines == 9 and p.lines_parsed == 5
    out = p.to_parquet(tmp_path / "r.parquet")
    back = pd.read_parquet(out)
    assert back["line_number"].tolist() == p.requests["line_number"].tolist()
    with pytest.raises(ValueError, match="no such file"):
        parse_log(tmp_path / "missing.log")


def test_synthetic_malformed_lines_found_exactly():
    from crm_analysis.data.synthetic import simulate_access_log

    for seed in (1, 2, 3):
        lines, truth = simulate_access_log(400, malformed_rate=0.02, seed=seed)
        p = parse_log(lines, "combined_cookie")
        np.testing.assert_array_equal(p.malformed["line_number"].to_numpy() - 1, truth.malformed_line_numbers)
        assert p.malformed["reason"].str.startswith("truncated").all()


@pytest.mark.real_data
def test_real_log(real_data_home):
    """data README: 10,000 lines, line 8,899 truncated (no closing quote), not time-ordered,
    2015-05-17 10:05 to 2015-05-20 21:05 UTC, 1,753 client IPs, 669 '-' sizes."""
    p = parse_log(real_data_home / "apache_logs.gz", "combined")
    assert p.n_lines == 10_000 and p.lines_parsed == 9_999
    assert p.malformed["line_number"].tolist() == [8899]
    assert p.malformed["reason"].iloc[0].startswith("truncated")
    r = p.requests
    assert r["ip"].nunique() == 1753
    assert p.out_of_order > 0 and r["time"].is_monotonic_increasing
    assert r["time"].min() >= pd.Timestamp("2015-05-17 10:05") and r["time"].max() < pd.Timestamp("2015-05-20 21:06")
    assert r["bytes"].isna().sum() == 669
