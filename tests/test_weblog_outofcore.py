"""The DuckDB out-of-core parser and sessionizer agree with the in-memory ones."""

import numpy as np
import pandas as pd
import pytest

from crm_analysis import weblog as wl
from crm_analysis.data.synthetic import simulate_access_log
from crm_analysis.weblog import outofcore as oc

FIELDS = ["line_number", "ip", "time", "method", "url", "status", "bytes", "referer", "user_agent", "cookie"]


def _same(parquet, parsed):
    d = pd.read_parquet(parquet)
    ok = d[d["ok"]].sort_values("line_number").reset_index(drop=True)
    r = parsed.requests.sort_values("line_number").reset_index(drop=True)
    assert len(ok) == len(r)
    for column in FIELDS:
        if column not in r:
            continue
        a, b = ok[column], r[column]
        if column in ("status", "bytes"):
            np.testing.assert_array_equal(pd.to_numeric(a).fillna(-1).to_numpy(), pd.to_numeric(b).fillna(-1).to_numpy())
        elif column == "time":
            np.testing.assert_array_equal(pd.to_datetime(a).to_numpy(), b.to_numpy())
        else:
            np.testing.assert_array_equal(a.fillna("<NA>").astype(str).to_numpy(), b.fillna("<NA>").astype(str).to_numpy())
    return d


@pytest.mark.parametrize("time_zone", [None, "UTC", "Asia/Seoul"])
def test_hand_written_lines(tmp_path, time_zone):
    from test_weblog_parse import COMBINED

    log = tmp_path / "h.log"
    log.write_text("\n".join(COMBINED) + "\n", encoding="utf-8")
    counts = oc.parse_to_parquet(log, tmp_path / "h.parquet", "combined", time_zone=time_zone)
    parsed = wl.parse_log(log, "combined", time_zone)
    assert counts == {"lines": 9, "parsed": parsed.lines_parsed, "malformed": parsed.lines_malformed}
    _same(tmp_path / "h.parquet", parsed)
    pd.testing.assert_frame_equal(oc.malformed_lines(tmp_path / "h.parquet", "combined"), parsed.malformed,
                                  check_dtype=False)


def test_synthetic_log_and_sessions(tmp_path):
    lines, truth = simulate_access_log(1500, malformed_rate=0.01, seed=8)
    log = tmp_path / "s.log"
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    oc.parse_to_parquet(log, tmp_path / "s.parquet", "combined_cookie")
    parsed = wl.parse_log(log, "combined_cookie")
    d = _same(tmp_path / "s.parquet", parsed)
    assert (d.loc[d["ok"], "kind"].to_numpy() == wl.classify_requests(
        parsed.requests.sort_values("line_number")).to_numpy()).all()
    n = oc.sessionize_parquet(tmp_path / "s.parquet", tmp_path / "sessions.parquet", 30)
    assert n == len(truth.sessions)
    sessions = pd.read_parquet(tmp_path / "sessions.parquet")
    mine = wl.session_table(wl.sessionize(parsed.requests.assign(kind=wl.classify_requests(parsed.requests)), 30))
    assert sorted(sessions["requests"]) == sorted(mine["requests"])
    assert sorted(sessions["pages"]) == sorted(mine["pages"])
    assert oc.sessionize_parquet(tmp_path / "s.parquet", tmp_path / "s5.parquet", 5) > n
