"""Out-of-core parsing and sessionizing with DuckDB, for logs larger than memory.

:func:`parse_to_parquet` streams a log (plain or ``.gz``) through DuckDB: each line is
matched with the same regular expression as :func:`crm_analysis.weblog.parse.parse_log`
(DuckDB runs it with RE2) and written to a Parquet file, one row per line, with
``line_number``, ``ok`` (parsed), the fields, and for unparsed lines the raw text.
:func:`malformed_lines` reads the unparsed ones back with a reason.
:func:`sessionize_parquet` assigns visitors (cookie, else IP + user agent) and sessions
(inactivity timeout) with window functions and writes one row per session.

DuckDB's ``memory_limit`` bounds its memory; sorting for the windows spills to disk
beyond it. Parameters and units as in the in-memory functions.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from crm_analysis.weblog.clean import ASSET_PATTERN
from crm_analysis.weblog.parse import format_regex

_TIME = "%d/%b/%Y:%H:%M:%S %z"


def _connect(threads: int, memory_limit: str, temp_directory: str | None):
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET threads = {int(threads)}")
    con.execute(f"SET memory_limit = '{memory_limit}'")
    if temp_directory:
        con.execute(f"SET temp_directory = '{temp_directory}'")
    return con


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _local_time_sql(column: str, time_zone: str | None, default_offset: str) -> str:
    """SQL turning a ``[dd/Mon/yyyy:HH:MM:SS +hhmm]`` text into naive local time."""
    instant = f"strptime(substr({column}, 2, length({column}) - 2), '{_TIME}')"
    zone = time_zone or default_offset
    m = re.fullmatch(r"([+-])(\d{2}):?(\d{2})", zone.strip())
    if m:
        minutes = (1 if m.group(1) == "+" else -1) * (int(m.group(2)) * 60 + int(m.group(3)))
        return f"(({instant}) AT TIME ZONE 'UTC') + INTERVAL ({minutes}) MINUTE"
    return f"timezone({_sql_string(zone)}, {instant})"


def parse_to_parquet(path, parquet_path, log_format: str = "combined", *, time_zone: str | None = None,
                     threads: int = 2, memory_limit: str = "1GB", temp_directory: str | None = None) -> dict:
    """Parse a log file into a Parquet file without loading it into memory.

    Returns ``{"lines": …, "parsed": …, "malformed": …}``. The Parquet file has one row per
    line: ``line_number`` (1-based), ``ok``, ``time`` (naive local time in ``time_zone``;
    default: the offset of the first line), ``ip``, ``method``, ``url``, ``status``,
    ``bytes``, ``referer``, ``user_agent``, ``cookie`` (as the format has them), ``kind``
    (page, asset, robots, error) and ``raw`` (the text of unparsed lines only).
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"access log {path}: no such file; give the path of the log (plain text or .gz)")
    pattern, names = format_regex(log_format)
    con = _connect(threads, memory_limit, temp_directory)
    source = (f"read_csv({_sql_string(str(path))}, columns = {{'line': 'VARCHAR'}}, delim = chr(31), quote = '', "
              "escape = '', header = false, auto_detect = false, strict_mode = false)")
    first = con.execute(f"SELECT line FROM {source} WHERE line IS NOT NULL LIMIT 1").fetchone()
    offset = re.search(r" ([+-]\d{4})\]", first[0] if first else "")
    default = offset.group(1) if offset else "+0000"
    group_list = "[" + ", ".join(_sql_string(n) for n in names) + "]"
    f = "f"
    cols = {
        "ip": f"NULLIF({f}.ip, '')",
        "time": _local_time_sql(f"{f}.time", time_zone, default) if "time" in names else "NULL",
        "method": f"NULLIF(regexp_extract({f}.request, '^([A-Z]+) ', 1), '')" if "request" in names else "NULL",
        "url": f"NULLIF(regexp_extract({f}.request, '^[A-Z]+ (\\S+)', 1), '')" if "request" in names else "NULL",
        "status": f"TRY_CAST({f}.status AS SMALLINT)" if "status" in names else "NULL",
        "bytes": f"TRY_CAST(NULLIF({f}.bytes, '-') AS BIGINT)" if "bytes" in names else "NULL",
    }
    for name in ("referer", "user_agent", "cookie"):
        cols[name] = (f"NULLIF(replace({f}.{name}, '\\\"', '\"'), '-')" if name in names else "CAST(NULL AS VARCHAR)")
    select = ",\n  ".join(f"CASE WHEN ok THEN {expr} END AS {name}" for name, expr in cols.items())
    kind = (f"CASE WHEN NOT ok THEN NULL WHEN url LIKE '/robots.txt%' THEN 'robots' WHEN status >= 400 THEN 'error' "
            f"WHEN regexp_matches(url, {_sql_string(ASSET_PATTERN)}) THEN 'asset' ELSE 'page' END")
    query = f"""
    COPY (
      WITH raw AS (SELECT row_number() OVER () AS line_number, line FROM {source}),
      m AS (SELECT line_number, line, regexp_extract(coalesce(line, ''), {_sql_string(pattern)}, {group_list}) AS f FROM raw),
      p AS (SELECT line_number, line, f, f.{names[0]} <> '' AS ok FROM m),
      q AS (SELECT line_number, ok, {select}, CASE WHEN NOT ok THEN coalesce(line, '') END AS raw FROM p)
      SELECT * EXCLUDE (ok, raw), ok AND time IS NOT NULL AS ok, {kind} AS kind, raw FROM q
    ) TO {_sql_string(str(parquet_path))} (FORMAT parquet, COMPRESSION zstd)
    """
    con.execute(query)
    counts = con.execute(f"SELECT count(*), count(*) FILTER (WHERE ok) FROM read_parquet({_sql_string(str(parquet_path))})").fetchone()
    con.close()
    return {"lines": int(counts[0]), "parsed": int(counts[1]), "malformed": int(counts[0] - counts[1])}


def malformed_lines(parquet_path) -> pd.DataFrame:
    """The unparsed lines of a :func:`parse_to_parquet` file: line_number, reason, text."""
    import duckdb

    from crm_analysis.weblog.parse import _reason

    frame = duckdb.sql(f"SELECT line_number, coalesce(raw, '') AS text FROM read_parquet({_sql_string(str(parquet_path))}) "
                       "WHERE NOT ok ORDER BY line_number").df()
    reasons = [_reason(t) if t else "empty line" for t in frame["text"]]
    return pd.DataFrame({"line_number": frame["line_number"].to_numpy(), "reason": reasons,
                         "text": frame["text"].str.slice(0, 200)})


def sessionize_parquet(parquet_path, sessions_path, timeout_minutes: float = 30.0, *, cookie_name: str = "uid",
                       threads: int = 2, memory_limit: str = "1GB", temp_directory: str | None = None) -> int:
    """Sessions of the parsed lines of a :func:`parse_to_parquet` file, written to Parquet.

    One row per session: ``visitor``, ``session`` (1, 2, … per visitor), ``start``,
    ``end``, ``requests``, ``pages``, ``assets``. Returns the number of sessions.
    """
    if not timeout_minutes > 0:
        raise ValueError(f"timeout_minutes must be > 0; got {timeout_minutes!r}")
    con = _connect(threads, memory_limit, temp_directory)
    cookie = _sql_string(rf"(?:^|;\s*){re.escape(cookie_name)}=([^;\s]+)")
    con.execute(f"""
    COPY (
      WITH r AS (
        SELECT line_number, time, kind,
               coalesce('cookie:' || NULLIF(regexp_extract(coalesce(cookie, ''), {cookie}, 1), ''),
                        'ip:' || ip || ' | ' || coalesce(user_agent, '-')) AS visitor
        FROM read_parquet({_sql_string(str(parquet_path))}) WHERE ok),
      g AS (
        SELECT *, CASE WHEN lag(time) OVER w IS NULL
                         OR epoch(time) - epoch(lag(time) OVER w) > {float(timeout_minutes) * 60} THEN 1 ELSE 0 END AS new
        FROM r WINDOW w AS (PARTITION BY visitor ORDER BY time, line_number)),
      s AS (
        SELECT *, sum(new) OVER (PARTITION BY visitor ORDER BY time, line_number ROWS UNBOUNDED PRECEDING) AS session
        FROM g)
      SELECT visitor, session, min(time) AS start, max(time) AS "end", count(*) AS requests,
             count(*) FILTER (WHERE kind = 'page') AS pages, count(*) FILTER (WHERE kind = 'asset') AS assets
      FROM s GROUP BY visitor, session
    ) TO {_sql_string(str(sessions_path))} (FORMAT parquet, COMPRESSION zstd)
    """)
    n = con.execute(f"SELECT count(*) FROM read_parquet({_sql_string(str(sessions_path))})").fetchone()[0]
    con.close()
    return int(n)
