"""Parse web-server access logs (Apache/Nginx common, combined, or a custom format string).

Every line is either parsed into a row of a columnar table or counted as malformed with
its line number (1-based, as an editor shows it) and a reason. Times are converted to one
local time zone; lines out of time order are counted and the table is sorted by time.

The format is an Apache ``LogFormat`` string (``%h %l %u %t "%r" %>s %b ...``) or one of
the names in :data:`FORMATS`. The format string is turned into one regular expression
(:func:`format_regex`) that both pandas (Python ``re``) and DuckDB (RE2, see
:mod:`crm_analysis.weblog.outofcore`) run, so the in-memory and the out-of-core parsers
read a line the same way.

Written by hand because the Python parsers of Apache logs (``apachelogs``,
``apache-log-parser``) parse one line at a time in Python and raise on a bad line, while
here a whole log is matched by one vectorized regex, bad lines are kept with their reason,
and the same regex drives the out-of-core DuckDB parser.
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

#: Named formats (Apache ``LogFormat`` strings). ``combined`` is also Nginx's default.
FORMATS = {
    "common": '%h %l %u %t "%r" %>s %b',
    "combined": '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i"',
    "combined_cookie": '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i" "%{Cookie}i"',
}

# directive -> (column, regex of an unquoted value)
_DIRECTIVES = {
    "h": ("ip", r"\S+"),
    "a": ("ip", r"\S+"),
    "l": ("ident", r"\S+"),
    "u": ("user", r"\S+"),
    "t": ("time", r"\[[^\]]+\]"),
    "r": ("request", r".*?"),
    ">s": ("status", r"\d{3}"),
    "s": ("status", r"\d{3}"),
    "b": ("bytes", r"\d+|-"),
    "B": ("bytes", r"\d+"),
    "D": ("duration_us", r"\d+"),
    "T": ("duration_s", r"\d+"),
    "v": ("server", r"\S+"),
    "V": ("server", r"\S+"),
}
_HEADERS = {"referer": "referer", "user-agent": "user_agent", "cookie": "cookie"}
_TOKEN = re.compile(r"%(?:\{([^}]+)\}([ioCe])|(>s|[a-zA-Z]))")
TIME_FORMAT = "%d/%b/%Y:%H:%M:%S %z"


def resolve_format(log_format: str) -> str:
    """The Apache format string of a name in :data:`FORMATS`, or ``log_format`` itself."""
    if not isinstance(log_format, str) or not log_format.strip():
        raise ValueError(f"log format must be one of {sorted(FORMATS)} or an Apache LogFormat string; got {log_format!r}")
    return FORMATS.get(log_format.strip().lower(), log_format)


def format_regex(log_format: str) -> tuple[str, list[str]]:
    """The anchored regular expression of a log format and the names of its groups.

    Quoted fields match lazily (``"(.*?)"``) so that a quote inside a user agent, escaped
    (``\\"``) or not, does not end the field early; the anchors and the fields after it
    decide where it ends. Unknown directives raise ``ValueError``.
    """
    fmt = resolve_format(log_format)
    pattern, names, pos = "^", [], 0
    for m in _TOKEN.finditer(fmt):
        literal = fmt[pos:m.start()]
        pos = m.end()
        if m.group(3):
            if m.group(3) not in _DIRECTIVES:
                raise ValueError(f"log format {fmt!r}: unknown directive %{m.group(3)}; known: "
                                 f"{', '.join('%' + d for d in _DIRECTIVES)}, %{{Header}}i")
            name, value = _DIRECTIVES[m.group(3)]
        else:
            header = m.group(1).lower()
            name = _HEADERS.get(header, re.sub(r"\W+", "_", header))
            value = r"\S+"
        quoted = literal.endswith('"') and fmt[pos:pos + 1] == '"'
        if name in names:
            name = f"{name}_{len(names)}"
        names.append(name)
        pattern += _escape(literal) + f"(?P<{name}>{'.*?' if quoted else value})"
    pattern += _escape(fmt[pos:]) + "$"
    return pattern, names


def _escape(literal: str) -> str:
    """Escape a literal for both Python ``re`` and RE2 (spaces and quotes left as they are)."""
    return re.escape(literal).replace("\\ ", " ").replace('\\"', '"')


@dataclass(frozen=True, eq=False)
class ParsedLog:
    """A parsed access log.

    ``requests``: one row per parsed line, sorted by time (stable), with ``line_number``
    (1-based), ``time`` (naive local time in ``time_zone``), ``ip``, ``method``, ``url``
    (path and query), ``protocol``, ``status`` (Int16), ``bytes`` (Int64, missing for
    ``-``), ``referer`` and ``user_agent`` (missing for ``-`` or when the format has no
    such field), ``cookie`` (likewise), and any other field of the format.
    ``malformed``: ``line_number``, ``reason``, ``text`` (the first 200 characters).
    ``n_lines``: lines read (empty last line excluded); ``out_of_order``: parsed lines
    whose time is earlier than the parsed line before them; ``max_lag_seconds``: the most a
    line's time lies before a line written earlier (seconds); ``time_zone``: the zone of
    ``time``.
    """

    requests: pd.DataFrame
    malformed: pd.DataFrame
    n_lines: int
    out_of_order: int
    max_lag_seconds: int
    time_zone: str

    @property
    def lines_parsed(self) -> int:
        return len(self.requests)

    @property
    def lines_malformed(self) -> int:
        return len(self.malformed)

    def summary(self) -> pd.Series:
        """Lines read, parsed, malformed, out of time order; first and last time."""
        t = self.requests["time"]
        return pd.Series({
            "lines": self.n_lines, "parsed": self.lines_parsed, "malformed": self.lines_malformed,
            "out_of_time_order": self.out_of_order,
            "max_lag_seconds": self.max_lag_seconds, "first": t.min(), "last": t.max(),
            "time_zone": self.time_zone,
        })

    def to_parquet(self, path) -> Path:
        """Write ``requests`` to a Parquet file (columnar) and return its path."""
        path = Path(path)
        self.requests.to_parquet(path, index=False)
        return path


def read_lines(source) -> pd.Series:
    """Lines of a log given as a path (plain or ``.gz``) or a sequence of str, as a Series."""
    if isinstance(source, (str, Path)) and not isinstance(source, pd.Series) and "\n" not in str(source):
        path = Path(source)
        if not path.is_file():
            raise ValueError(f"access log {path}: no such file; give the path of the log (plain text or .gz)")
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8", errors="replace", newline="") as stream:
            text = stream.read()
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        return pd.Series([ln.rstrip("\r") for ln in lines], dtype="str")
    return pd.Series(list(source), dtype="str").reset_index(drop=True)


def _zone(time_zone: str | None, offsets: pd.Series):
    """A tz for the local times: the given name/offset, else the log's most common offset."""
    if time_zone:
        m = re.fullmatch(r"([+-])(\d{2}):?(\d{2})", time_zone.strip())
        if m:
            sign = 1 if m.group(1) == "+" else -1
            return _fixed(sign * (int(m.group(2)) * 60 + int(m.group(3)))), time_zone
        try:
            pd.Timestamp("2000-01-01", tz=time_zone)
        except Exception:
            raise ValueError(f"time_zone {time_zone!r} is neither an IANA name (e.g. 'Asia/Seoul') "
                             "nor an offset like '+0900'") from None
        return time_zone, time_zone
    if offsets.empty:
        return "UTC", "UTC"
    common = offsets.mode().iloc[0]
    m = re.fullmatch(r"([+-])(\d{2})(\d{2})", common)
    sign = 1 if m.group(1) == "+" else -1
    return _fixed(sign * (int(m.group(2)) * 60 + int(m.group(3)))), common


def _fixed(minutes: int):
    import datetime as dt
    return dt.timezone(dt.timedelta(minutes=minutes))


def _reason(line: str) -> str:
    if not line.strip():
        return "empty line"
    quotes = len(re.findall(r'(?<!\\)"', line))
    if quotes % 2:
        return "truncated: a quoted field is not closed"
    if line.count("[") > line.count("]"):
        return "truncated: the [time] field is not closed"
    return "does not match the log format"


def parse_log(source, log_format: str = "combined", time_zone: str | None = None) -> ParsedLog:
    """Parse an access log.

    Parameters
    ----------
    source : a path (plain text or ``.gz``) or a sequence of lines.
    log_format : ``common``, ``combined``, ``combined_cookie`` or an Apache ``LogFormat``
        string (``%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i"``).
    time_zone : zone of the local times (IANA name such as ``Asia/Seoul``, or ``+0900``);
        empty: the log's most common UTC offset. Each line's own offset is honoured.
    """
    pattern, names = format_regex(log_format)
    lines = read_lines(source)
    fields = lines.str.extract(pattern)
    if fields.shape[1] != len(names):  # no match at all gives the groups anyway
        fields = fields.reindex(columns=names)
    ok = fields[names[0]].notna().to_numpy().copy()
    stamp = fields["time"].str.slice(1, -1) if "time" in fields else None
    when = pd.to_datetime(stamp, format=TIME_FORMAT, errors="coerce", utc=True) if stamp is not None else None
    bad_time = ok & (when.isna().to_numpy() if when is not None else False)
    ok &= ~bad_time
    bad = np.flatnonzero(~ok)
    reasons = [("unparseable time " + str(stamp.iloc[i])) if bad_time[i] else _reason(lines.iloc[i]) for i in bad]
    malformed = pd.DataFrame({
        "line_number": bad + 1,
        "reason": pd.array(reasons, dtype="str"),
        "text": lines.iloc[bad].str.slice(0, 200).to_numpy(),
    })
    req = fields[ok].copy()
    req.insert(0, "line_number", np.flatnonzero(ok) + 1)
    tz, zone_name = _zone(time_zone, stamp[ok].str.slice(-5) if stamp is not None else pd.Series(dtype="str"))
    if when is not None:
        req["time"] = when[ok].dt.tz_convert(tz).dt.tz_localize(None).astype("datetime64[s]")
    req = _split_request(req)
    for column in ("referer", "user_agent", "cookie", "user", "ident"):
        if column in req:
            value = req[column].str.replace('\\"', '"', regex=False)
            req[column] = value.where(value != "-")
    if "status" in req:
        req["status"] = pd.to_numeric(req["status"]).astype("Int16")
    if "bytes" in req:
        req["bytes"] = pd.to_numeric(req["bytes"].where(req["bytes"] != "-")).astype("Int64")
    out_of_order = max_lag = 0
    if "time" in req and len(req):
        t = req["time"].to_numpy()
        out_of_order = int((t[1:] < t[:-1]).sum())
        max_lag = int((np.maximum.accumulate(t) - t).max().astype("timedelta64[s]").astype(np.int64))
        req = req.sort_values("time", kind="stable")
    return ParsedLog(req.reset_index(drop=True), malformed, len(lines), out_of_order, max_lag, str(zone_name))


def _split_request(req: pd.DataFrame) -> pd.DataFrame:
    """``"GET /a?b HTTP/1.1"`` into method, url, protocol (missing parts stay missing)."""
    if "request" not in req:
        return req
    parts = req["request"].str.extract(r"^(?P<method>[A-Z]+) (?P<url>\S+)(?: (?P<protocol>\S+))?$")
    at = req.columns.get_loc("request")
    req = req.drop(columns="request")
    for i, column in enumerate(["method", "url", "protocol"]):
        req.insert(at + i, column, parts[column])
    return req
