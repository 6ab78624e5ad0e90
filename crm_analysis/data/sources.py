"""Where a profile table's rows come from besides one file: folders/globs of exports and databases.

- **Folders and globs** (``path: exports/*.csv``, ``path: exports/`` or a hive-partitioned
  Parquet folder ``path: sales/`` with ``year=2024/month=01/part-0.parquet`` inside):
  :func:`expand_path` lists the files (sorted by name), :func:`read_files` reads them with
  the single-file reader and stacks them after checking that every file has the same
  columns (and, for Parquet, the same types); files that disagree are named in one
  :class:`~crm_analysis.data.user_files.DataValidationError`. Hive partition values
  (``key=value`` folder names) become columns. Rows of a multi-file table are counted
  as ``row`` across the files in name order (1-based).
- **Databases** (``database: postgresql://user@host:port/db`` with ``table:`` or ``query:``):
  :class:`Database` connects with psycopg 3 (PyPI ``psycopg``; uses the system's libpq).
  The password never sits in a profile: libpq reads ``PGPASSWORD`` or ``~/.pgpass``, or
  the profile names an environment variable (``password_env: CRM_DB_PASSWORD``).
  Every URL shown (errors, reports, ``data check``) goes through :func:`redact_url`.
  Why psycopg rather than DuckDB's PostgreSQL scanner: the scanner is a DuckDB extension
  downloaded on first use (``extensions.duckdb.org``), which fails on an offline machine
  or CI runner (measured: ``LOAD postgres`` -> "Failed to download extension"), and the
  summary is pushed down into PostgreSQL anyway, so only the per-customer result crosses
  the wire; psycopg is a small well-kept driver on top of libpq that honours ``.pgpass``
  and all libpq settings. Other SQLAlchemy URLs are not supported yet.
"""

from __future__ import annotations

import glob
import os
import re
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pandas as pd

from crm_analysis.data.user_files import (
    CSV_SUFFIXES,
    PARQUET_SUFFIXES,
    DataValidationError,
    Problem,
    _read,
    _suffix,
)

GLOB_CHARS = "*?["
DATA_SUFFIXES = CSV_SUFFIXES + PARQUET_SUFFIXES
_HIVE = re.compile(r"^([^=/]+)=([^/]*)$")


# -- folders and globs ------------------------------------------------------------------

def is_many(text: str) -> bool:
    """True when a profile ``path`` names a glob (``*``, ``?``, ``[``) rather than one file."""
    return any(ch in text for ch in GLOB_CHARS)


def expand_path(base: Path, text: str) -> list[Path]:
    """The data files a ``path`` names (a file, a folder searched recursively, or a glob).

    Relative paths are taken from ``base``. Returns an empty list when nothing matches.
    """
    target = Path(text).expanduser()
    if not target.is_absolute():
        target = base / target
    if is_many(text):
        found = [Path(p) for p in glob.glob(str(target), recursive=True)]
    elif target.is_dir():
        found = [p for p in target.rglob("*") if p.is_file()]
    else:
        return [target.resolve()] if target.is_file() else []
    files = sorted(p.resolve() for p in found
                   if p.is_file() and p.name.lower().endswith(DATA_SUFFIXES)
                   and not p.name.startswith((".", "_")))
    return files


def _partitions(path: Path, root: Path) -> dict[str, str]:
    """``key=value`` folder names between ``root`` and the file (hive partitioning)."""
    try:
        parts = path.parent.relative_to(root).parts
    except ValueError:
        return {}
    return dict(m.groups() for m in map(_HIVE.match, parts) if m)


def read_files(where: str, files: list[Path], root: Path, text_columns: list[str],
               encoding: str, sep: str | None, remedy) -> tuple[pd.DataFrame, str]:
    """Read and stack ``files``; (frame, ``"row"``). ``where`` names the path in errors."""
    kinds = {"parquet" if _suffix(f) in PARQUET_SUFFIXES else "csv" for f in files}
    if len(kinds) > 1:
        raise DataValidationError(Path(where), [Problem(
            None, "the folder mixes CSV and Parquet files; keep one kind per table "
                  f"(e.g. a glob such as {where.rstrip('/')}/*.parquet)")], "row")
    frames, layouts = [], {}
    for file in files:
        frame, _ = _read(file, text_columns, encoding, sep, remedy)
        for key, value in _partitions(file, root).items():
            if key not in frame.columns:
                frame[key] = value
        layout = tuple((str(c), str(t)) if "parquet" in kinds else (str(c), "")
                       for c, t in frame.dtypes.items())
        layouts.setdefault(layout, []).append(file)
        frames.append(frame)
    if len(layouts) > 1:
        (common, _), *others = sorted(layouts.items(), key=lambda kv: -len(kv[1]))
        lines = []
        for layout, names in others:
            missing = [c for c, _ in common if c not in dict(layout)]
            extra = [c for c, _ in layout if c not in dict(common)]
            typed = [f"{c} {t} (others {dict(common)[c]})" for c, t in layout
                     if c in dict(common) and t != dict(common)[c]]
            what = "; ".join(filter(None, [
                f"lacks {missing}" if missing else "", f"adds {extra}" if extra else "",
                f"types differ: {', '.join(typed)}" if typed else "",
                "columns in another order" if not (missing or extra or typed) else ""]))
            shown = ", ".join(str(n.relative_to(root)) if n.is_relative_to(root) else str(n)
                              for n in names[:10])
            lines.append(f"{shown}: {what}")
        raise DataValidationError(Path(where), [Problem(
            None, f"the {len(files)} files do not all have the same columns "
                  f"({len(layouts[common])} agree on {[c for c, _ in common]}); "
                  + " | ".join(lines) + "; fix or move the odd files out, or narrow the glob")],
            "row")
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    return frame, "row"


# -- databases -----------------------------------------------------------------------

class DatabaseError(ValueError):
    """A database table could not be read; the message names database, table/query, cause."""


def redact_url(url: str) -> str:
    """``url`` with any password replaced by ``***`` (user, host, port, database kept)."""
    try:
        parts = urlsplit(str(url))
    except ValueError:
        return "<database URL>"
    query = re.sub(r"(?i)(^|&)(password)=[^&]*", r"\1\2=***", parts.query)
    if parts.password is None:
        return urlunsplit(parts._replace(query=query)) if query != parts.query else str(url)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    user = parts.username or ""
    return urlunsplit((parts.scheme, f"{user}:***@{host}", parts.path, query, ""))


def _scrub(text: str, secret: str | None) -> str:
    return text.replace(secret, "***") if secret else text


def _quote_name(dotted: str) -> str:
    """``schema.table`` -> ``"schema"."table"`` (each part quoted)."""
    return ".".join('"' + part.replace('"', '""') + '"' for part in dotted.split("."))


class Database:
    """One PostgreSQL table or query of a profile, read through psycopg 3.

    ``url`` carries no password; ``password_env`` optionally names an environment variable
    holding it (else libpq's ``PGPASSWORD`` / ``~/.pgpass`` apply).
    """

    def __init__(self, url: str, table: str | None = None, query: str | None = None,
                 password_env: str | None = None, connect_timeout: int = 10):
        self.url, self.table, self.query = str(url), table, query
        self.password_env, self.connect_timeout = password_env, connect_timeout

    @property
    def what(self) -> str:
        """``database ..., table ...`` as shown in messages (URL without its password)."""
        source = f"table {self.table}" if self.table else f"query {self.query.strip()!r}"
        return f"database {redact_url(self.url)}, {source}"

    def relation(self) -> str:
        """The SQL relation: the quoted table or the query as a subquery."""
        if self.table:
            return _quote_name(self.table)
        return f"({self.query.strip().rstrip(';')}) AS profile_query"

    def _password(self) -> str | None:
        if not self.password_env:
            return None
        value = os.environ.get(self.password_env)
        if value is None:
            raise DatabaseError(f"{self.what}: password_env names {self.password_env!r}, which is "
                                "not set in the environment; export it (or use PGPASSWORD or "
                                "~/.pgpass)")
        return value

    def connect(self):
        """An open psycopg connection (UTC session time zone), or DatabaseError."""
        import psycopg

        password = self._password()
        extra = {"password": password} if password is not None else {}
        try:
            con = psycopg.connect(self.url, connect_timeout=self.connect_timeout,
                                  application_name="crm-workbook", **extra)
        except psycopg.Error as error:
            text = _scrub(str(error).strip(), password)
            raise DatabaseError(f"{self.what}: cannot connect ({text}); "
                                f"{_connect_remedy(text)}") from None
        con.execute("SET TIME ZONE 'UTC'")
        con.execute("SET work_mem = '256MB'")  # hash aggregates in memory, not on disk
        return con

    def run(self, sql: str, params=None, con=None, rows: bool = True) -> tuple[list[str], list[tuple]]:
        """(column names, rows) of ``sql`` (``rows=False``: a statement without a result,
        ``([], [])``); errors become DatabaseError naming table/query."""
        import psycopg

        own = con is None
        con = con or self.connect()
        try:
            with con.cursor() as cur:
                cur.execute(sql, params)
                if not rows:
                    return [], []
                names = [d.name for d in cur.description]
                return names, cur.fetchall()
        except psycopg.Error as error:
            message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            if isinstance(error, psycopg.OperationalError) or con.broken:
                message = f"the connection was lost ({message})"
            raise DatabaseError(f"{self.what}: {_scrub(message, self._password_or_none())}") from None
        finally:
            if own:
                con.close()

    def _password_or_none(self):
        return os.environ.get(self.password_env) if self.password_env else None

    def columns(self, con=None) -> list[str]:
        """Column names of the table/query (no rows read)."""
        names, _ = self.run(f"SELECT * FROM {self.relation()} LIMIT 0", con=con)
        return names

    def read(self, columns: list[str]) -> pd.DataFrame:
        """The named columns of every row, as a DataFrame (values in their database types)."""
        con = self.connect()
        try:
            present = self.columns(con)
            missing = [c for c in columns if c not in present]
            if missing:
                raise DatabaseError(f"{self.what}: column(s) {missing} not found; columns there: "
                                    f"{present}; fix `columns:` in the profile")
            select = ", ".join(_quote_name(c) if "." not in c else '"' + c + '"' for c in columns)
            names, rows = self.run(f"SELECT {select} FROM {self.relation()}", con=con)
        finally:
            con.close()
        frame = pd.DataFrame.from_records(rows, columns=names)
        for column in frame.columns:
            if frame[column].dtype == object and len(frame) and _all_decimal(frame[column]):
                frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
        return frame


def _connect_remedy(text: str) -> str:
    """What to do about a failed connection, from libpq's message."""
    if "password" in text:
        return ("set the password in PGPASSWORD, a ~/.pgpass line, or the environment variable "
                "that `password_env:` names (never in the profile)")
    if "resolve host" in text or "translate host name" in text:
        return "check the host name in `database:` (it does not resolve here)"
    if "does not exist" in text:
        return "check the user and database names in `database:`"
    return "check host, port and network in `database:` and that the server accepts connections"


def _all_decimal(values: pd.Series) -> bool:
    import decimal

    sample = values.dropna()
    return len(sample) > 0 and all(isinstance(v, decimal.Decimal) for v in sample.head(100))
