"""Out-of-core parsing and sessionizing, for logs larger than memory: DuckDB on one
machine, Spark for sessions on a cluster.

:func:`parse_to_parquet` streams a log (plain or ``.gz``) through DuckDB: each line is
matched with the same regular expression as :func:`crm_analysis.weblog.parse.parse_log`
(DuckDB runs it with RE2) and written to a Parquet file, one row per line, with
``line_number``, ``ok`` (parsed), the fields, and for unparsed lines the raw text.
:func:`malformed_lines` reads the unparsed ones back with a reason.

Sessions (visitor = cookie, else IP + user agent; a new session after an inactivity
timeout; window functions; one row per session) are one SQL text,
:func:`sessions_query`, written once and built for an engine from a small
:class:`SessionDialect` (seconds since the epoch of a naive timestamp, string literals,
quoted identifiers). :func:`sessionize_parquet` runs it in DuckDB on a local file;
:func:`sessionize_spark` runs it on a ``SparkSession`` (the caller's, e.g. a cluster's,
or a local one) over any path Spark reads, for a parsed log that already lives in HDFS or
S3 or is too large for one machine's disk. Both write the same rows (tested against each
other). The cookie pattern (:func:`cookie_pattern`) reads the same in RE2 and Java
regular expressions. Times are naive local wall-clock times, and gaps are measured on
that clock in both engines (Spark's session time zone is set to UTC for the query).

DuckDB's ``memory_limit`` bounds its memory; sorting for the windows spills to disk
beyond it. Parameters and units as in the in-memory functions.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pandas as pd

from crm_analysis.weblog.clean import ASSET_PATTERN
from crm_analysis.weblog.parse import format_regex

_TIME = "%d/%b/%Y:%H:%M:%S %z"


def _connect(threads: int, memory_limit: str, temp_directory: str | None):
    import duckdb

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute(f"SET threads = {int(threads)}")
    con.execute(f"SET memory_limit = '{memory_limit}'")
    if temp_directory:
        con.execute(f"SET temp_directory = '{temp_directory}'")
    return con


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _local_time_sql(column: str, time_zone: str | None, default_offset: str) -> str:
    """SQL turning a ``[dd/Mon/yyyy:HH:MM:SS +hhmm]`` text into naive local time."""
    instant = f"try_strptime(substr({column}, 2, length({column}) - 2), '{_TIME}')"
    zone = time_zone or default_offset
    m = re.fullmatch(r"([+-])(\d{2}):?(\d{2})", zone.strip())
    if m:
        minutes = (1 if m.group(1) == "+" else -1) * (int(m.group(2)) * 60 + int(m.group(3)))
        return f"(({instant}) AT TIME ZONE 'UTC') + INTERVAL ({minutes}) MINUTE"
    return f"timezone({_sql_string(zone)}, {instant})"


def _split_plan(log_format: str):
    """How to read a line by splitting it at its double quotes, or None if the format does not allow it.

    Returns ``(n_parts, plan)``: the number of parts a well-formed line splits into, and per
    part ``(index, regex, names, tokens)``: for an unquoted part the anchored regex of the
    short segment, its field names and, when its fields are separated by single spaces,
    the (first, last) positions of each field among the segment's space-separated tokens
    (else None); for a quoted field ``(index, None, [name], None)``.
    """
    from crm_analysis.weblog.parse import _TOKEN, _escape, resolve_format

    parts = resolve_format(log_format).split('"')
    if len(parts) % 2 == 0:
        return None
    plan = []
    for i, part in enumerate(parts):
        if i % 2:
            if not _TOKEN.fullmatch(part):  # a quoted part must be a single directive
                return None
            plan.append((i + 1, None, format_regex(part)[1], None))
        else:
            pattern, names = format_regex(part) if "%" in part else ("^" + _escape(part) + "$", [])
            plan.append((i + 1, pattern, names, _token_positions(part, names)))
    return len(parts), plan


def _token_positions(part: str, names: list[str]):
    """1-based token positions of each field of a segment split at single spaces, or None.

    Fields without spaces take one token; ``%t`` (``[date +zone]``) takes two. Only
    segments made of directives and single spaces qualify."""
    from crm_analysis.weblog.parse import _TOKEN

    pieces = part.split(" ")
    positions, at, k = [], 0, 0
    for piece in pieces:
        at += 1
        if piece == "":
            continue
        if not _TOKEN.fullmatch(piece) or k >= len(names):
            return None
        width = 2 if piece == "%t" else 1
        positions.append((at, at + width - 1))
        at += width - 1
        k += 1
    return positions if k == len(names) else None


def parse_to_parquet(path, parquet_path, log_format: str = "combined", *, time_zone: str | None = None,
                     threads: int = 2, memory_limit: str = "1GB", temp_directory: str | None = None) -> dict:
    """Parse a log file into a Parquet file without loading it into memory.

    Returns ``{"lines": …, "parsed": …, "malformed": …}``. The Parquet file has one row per
    line: ``line_number`` (1-based), ``ok``, ``time`` (naive local time in ``time_zone``;
    default: the offset of the first line), ``ip``, ``method``, ``url``, ``status``,
    ``bytes``, ``referer``, ``user_agent``, ``cookie`` (as the format has them), ``kind``
    (page, asset, robots, error) and ``raw`` (the text of unparsed lines only).

    Speed: a line with exactly the format's number of double quotes is split at them and
    its short unquoted segments are checked with small regular expressions (fast); any
    other line (an escaped quote inside a field, a truncated line) goes through the full
    regular expression of :func:`format_regex`, the same one :func:`parse_log` uses.
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

    def names_sql(items):
        return "[" + ", ".join(_sql_string(n) for n in items) + "]"

    split = _split_plan(log_format)
    fast_fields, checks, segments = {}, [], []
    if split is not None:
        n_parts, plan = split
        checks.append(f"len(p) = {n_parts}")
        for index, regex, part_names, tokens in plan:
            if regex is None:
                fast_fields[part_names[0]] = f"p[{index}]"
            elif part_names and tokens is not None:  # validate with a match-only regex, cut at spaces
                segments.append(f"string_split(p[{index}], ' ') AS s{index}")
                checks.append(f"regexp_full_match(p[{index}], {_sql_string(regex)})")
                for name, (a, b) in zip(part_names, tokens):
                    fast_fields[name] = f"s{index}[{a}]" if a == b else f"concat_ws(' ', s{index}[{a}], s{index}[{b}])"
            elif part_names:
                segments.append(f"regexp_extract(p[{index}], {_sql_string(regex)}, {names_sql(part_names)}) AS s{index}")
                checks.append(f"s{index}.{part_names[0]} <> ''")
                fast_fields.update({n: f"s{index}.{n}" for n in part_names})
            else:
                checks.append(f"regexp_full_match(p[{index}], {_sql_string(regex)})")
    fast_ok = f"coalesce({' AND '.join(checks)}, false)" if split is not None else "false"

    def field(name, unescape=False):
        slow = f"replace(g.{name}, '\\\"', '\"')" if unescape else f"g.{name}"
        fast = fast_fields.get(name)  # a fast-path field holds no quote, so nothing to unescape
        return f"CASE WHEN fast_ok THEN {fast} ELSE {slow} END" if fast else slow

    cols = {"ip": f"NULLIF({field('ip')}, '')"}
    if "time" in names:
        cols["time"] = _local_time_sql(field("time"), time_zone, default)
    if "request" in names:
        cols["method"] = "NULLIF(rq[1], '')"
        cols["url"] = "NULLIF(rq[2], '')"
    if "status" in names:
        cols["status"] = f"TRY_CAST({field('status')} AS SMALLINT)"
    if "bytes" in names:
        cols["bytes"] = f"TRY_CAST(NULLIF({field('bytes')}, '-') AS BIGINT)"
    for name in ("referer", "user_agent", "cookie"):
        cols[name] = f"NULLIF({field(name, unescape=True)}, '-')" if name in names else "CAST(NULL AS VARCHAR)"
    request_split = f", string_split({field('request')}, ' ') AS rq" if "request" in names else ""
    select = ",\n  ".join(f"CASE WHEN ok THEN {expr} END AS {name}" for name, expr in cols.items())
    kind = (f"CASE WHEN NOT ok THEN NULL WHEN url LIKE '/robots.txt%' THEN 'robots' WHEN status >= 400 THEN 'error' "
            f"WHEN regexp_matches(url, {_sql_string(ASSET_PATTERN)}) THEN 'asset' ELSE 'page' END")
    query = f"""
    COPY (
      WITH raw AS (SELECT row_number() OVER () AS line_number, coalesce(line, '') AS line FROM {source}),
      s AS (SELECT line_number, line, string_split(line, '"') AS p FROM raw),
      f AS (SELECT line_number, line, p{''.join(', ' + x for x in segments)} FROM s),
      o AS (SELECT *, {fast_ok} AS fast_ok FROM f),
      m AS (SELECT *, CASE WHEN NOT fast_ok THEN regexp_extract(line, {_sql_string(pattern)}, {names_sql(names)}) END AS g
            FROM o),
      pm AS (SELECT *, fast_ok OR coalesce(g.{names[0]} <> '', false) AS ok{request_split} FROM m),
      q AS (SELECT line_number, ok, {select}, line FROM pm),
      r AS (SELECT * EXCLUDE (ok), ok AND time IS NOT NULL AS ok FROM q)
      SELECT * EXCLUDE (line), {kind} AS kind, CASE WHEN NOT ok THEN line END AS raw FROM r
    ) TO {_sql_string(str(parquet_path))} (FORMAT parquet, COMPRESSION zstd)
    """
    con.execute(query)
    counts = con.execute(f"SELECT count(*), count(*) FILTER (WHERE ok) FROM read_parquet({_sql_string(str(parquet_path))})").fetchone()
    con.close()
    return {"lines": int(counts[0]), "parsed": int(counts[1]), "malformed": int(counts[0] - counts[1])}


def malformed_lines(parquet_path, log_format: str = "combined") -> pd.DataFrame:
    """The unparsed lines of a :func:`parse_to_parquet` file: line_number, reason, text
    (reasons as :func:`crm_analysis.weblog.parse.parse_log` gives them)."""
    import duckdb

    from crm_analysis.weblog.parse import _reason

    frame = duckdb.sql(f"SELECT line_number, coalesce(raw, '') AS text FROM read_parquet({_sql_string(str(parquet_path))}) "
                       "WHERE NOT ok ORDER BY line_number").df()
    regex = re.compile(format_regex(log_format)[0])
    reasons = []
    for text in frame["text"]:
        match = regex.match(text)
        if match and "time" in match.groupdict():
            reasons.append("unparseable time " + match.group("time")[1:-1])
        else:
            reasons.append(_reason(text))
    return pd.DataFrame({"line_number": frame["line_number"].to_numpy(), "reason": reasons,
                         "text": frame["text"].str.slice(0, 200)})


def _check_timeout(timeout_minutes) -> float:
    """The timeout in seconds; a ValueError unless it is a finite number of minutes > 0."""
    if not (timeout_minutes > 0 and math.isfinite(timeout_minutes)):
        raise ValueError(f"timeout_minutes must be a finite number of minutes > 0; got {timeout_minutes!r}")
    return float(timeout_minutes) * 60


@dataclass(frozen=True)
class SessionDialect:
    """What the sessions query needs from an engine, as SQL text builders."""

    name: str
    epoch_seconds: Callable[[str], str]  # naive timestamp -> seconds since 1970-01-01 00:00 of the same wall clock
    literal: Callable[[str], str]  # a string literal (its text reaches the function unchanged)
    quote: Callable[[str], str]  # an identifier


def _spark_string(text: str) -> str:
    # Spark SQL unescapes backslashes in literals (spark.sql.parser.escapedStringLiterals=false,
    # which sessionize_spark sets for its query)
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


DUCKDB_SESSIONS = SessionDialect(
    name="duckdb",
    epoch_seconds=lambda ts: f"epoch({ts})",
    literal=_sql_string,
    quote=lambda name: '"' + name.replace('"', '""') + '"',
)

#: Spark reads the naive ``time`` column as TIMESTAMP_NTZ; the cast to TIMESTAMP is exact
#: because :func:`sessionize_spark` runs the query with the session time zone set to UTC.
SPARK_SESSIONS = SessionDialect(
    name="spark",
    epoch_seconds=lambda ts: f"unix_seconds(CAST({ts} AS TIMESTAMP))",
    literal=_spark_string,
    quote=lambda name: "`" + name.replace("`", "``") + "`",
)

# whitespace as RE2's \s has it (Java's \s adds \x0B), so both engines match the same text
_SPACE = r"[ \t\n\f\r]"


def cookie_pattern(cookie_name: str) -> str:
    """Regular expression whose group 1 is the value of cookie ``cookie_name`` in a
    ``Cookie`` header; the same text and the same matches in RE2 (DuckDB) and Java (Spark):
    only ``\\^$.|?*+()[]{}`` are escaped, and whitespace is spelled out."""
    name = "".join("\\" + c if c in "\\^$.|?*+()[]{}" else c for c in cookie_name)
    return rf"(?:^|;{_SPACE}*){name}=([^;{_SPACE[1:-1]}]+)"


def sessions_query(dialect: SessionDialect, relation: str, timeout_minutes: float = 30.0,
                   cookie_name: str = "uid") -> str:
    """The SELECT giving one row per session of the parsed lines in ``relation`` (a
    :func:`parse_to_parquet` table), written once for every engine.

    Visitor: ``cookie:<value>`` of cookie ``cookie_name``, else ``ip:<ip> | <user agent>``.
    A visitor's request starts a new session when more than ``timeout_minutes`` minutes
    (on the wall clock of the naive ``time`` column) have passed since the visitor's previous request;
    requests are ordered by time, then line number. Columns: ``visitor``, ``session`` (1,
    2, … per visitor, BIGINT), ``start``, ``end`` (first and last request time, naive
    local), ``requests``, ``pages``, ``assets`` (counts, BIGINT).
    """
    timeout_seconds = _check_timeout(timeout_minutes)
    seconds, q = dialect.epoch_seconds, dialect.quote
    cookie = dialect.literal(cookie_pattern(cookie_name))
    return f"""
      WITH r AS (
        SELECT line_number, time, kind,
               coalesce('cookie:' || NULLIF(regexp_extract(coalesce(cookie, ''), {cookie}, 1), ''),
                        'ip:' || ip || ' | ' || coalesce(user_agent, '-')) AS visitor
        FROM {relation} WHERE ok),
      g AS (
        SELECT *, CASE WHEN lag(time) OVER w IS NULL
                         OR {seconds('time')} - {seconds('lag(time) OVER w')} > {timeout_seconds!r}
                       THEN 1 ELSE 0 END AS new
        FROM r WINDOW w AS (PARTITION BY visitor ORDER BY time, line_number)),
      s AS (
        SELECT *, sum(new) OVER (PARTITION BY visitor ORDER BY time, line_number
                                 ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS session
        FROM g)
      SELECT visitor, CAST(session AS BIGINT) AS session, min(time) AS start, max(time) AS {q('end')},
             count(*) AS requests, count(*) FILTER (WHERE kind = 'page') AS pages,
             count(*) FILTER (WHERE kind = 'asset') AS assets
      FROM s GROUP BY visitor, session
    """


def sessionize_parquet(parquet_path, sessions_path, timeout_minutes: float = 30.0, *, cookie_name: str = "uid",
                       threads: int = 2, memory_limit: str = "1GB", temp_directory: str | None = None) -> int:
    """Sessions of the parsed lines of a :func:`parse_to_parquet` file, written to Parquet
    by DuckDB.

    One row per session (:func:`sessions_query`): ``visitor``, ``session`` (1, 2, … per
    visitor), ``start``, ``end``, ``requests``, ``pages``, ``assets``. ``timeout_minutes``:
    inactivity in minutes (wall clock). Returns the number of sessions.
    """
    query = sessions_query(DUCKDB_SESSIONS, f"read_parquet({_sql_string(str(parquet_path))})",
                           timeout_minutes, cookie_name)
    con = _connect(threads, memory_limit, temp_directory)
    con.execute(f"COPY ({query}) TO {_sql_string(str(sessions_path))} (FORMAT parquet, COMPRESSION zstd)")
    n = con.execute(f"SELECT count(*) FROM read_parquet({_sql_string(str(sessions_path))})").fetchone()[0]
    con.close()
    return int(n)


#: Columns of a :func:`parse_to_parquet` file the sessions query reads.
SESSION_INPUT_COLUMNS = ("line_number", "ok", "time", "ip", "user_agent", "cookie", "kind")


def sessionize_spark(parquet_path, sessions_path, timeout_minutes: float = 30.0, *, cookie_name: str = "uid",
                     spark=None) -> int:
    """:func:`sessionize_parquet` on Apache Spark: the same query (:func:`sessions_query`,
    Spark dialect) run by a ``SparkSession``.

    ``parquet_path``: a :func:`parse_to_parquet` file (or a folder or glob of them) on any
    path Spark reads (local, ``hdfs://``, ``s3a://`` through the session's configuration).
    ``sessions_path``: the Spark output folder the sessions are written to as Parquet
    (replaced if it exists), same columns and values as :func:`sessionize_parquet` writes.
    ``timeout_minutes``: inactivity in minutes (wall clock), finite and > 0.
    ``spark``: the SparkSession to use (a cluster's); default
    :func:`crm_analysis.clv.summary_spark.local_spark_session` (``local[*]``).
    Nothing is collected to the driver. Returns the number of sessions.

    The query runs with the session time zone set to UTC (so the naive times are read as
    wall clock, DST changes included) and Spark's default string-literal escaping; both
    settings are restored afterwards. Needs the ``spark`` extra (pyspark, Java 17+).
    """
    _check_timeout(timeout_minutes)
    from crm_analysis.clv.summary_spark import local_spark_session, session_conf

    spark = spark or local_spark_session()
    frame = spark.read.parquet(str(parquet_path))
    missing = [c for c in SESSION_INPUT_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"parsed log {parquet_path}: column(s) {missing} missing (it has {frame.columns}); "
                         "give a file written by parse_to_parquet")
    view = f"crm_weblog_requests_{id(frame)}"
    frame.createOrReplaceTempView(view)
    settings = {"spark.sql.session.timeZone": "UTC", "spark.sql.parser.escapedStringLiterals": "false"}
    try:
        with session_conf(spark, settings):
            query = sessions_query(SPARK_SESSIONS, view, timeout_minutes, cookie_name)
            spark.sql(query).write.mode("overwrite").parquet(str(sessions_path))
    finally:
        spark.catalog.dropTempView(view)
    return int(spark.read.parquet(str(sessions_path)).count())
