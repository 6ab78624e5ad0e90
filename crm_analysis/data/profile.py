"""Data profile: one small YAML file that describes the analyst's own data.

A profile is the one way to bring the analyst's tables into any notebook (the
``data`` parameter) or the command line (``crm-workbook data check PROFILE``,
``crm-workbook render --data PROFILE``). It names up to four tables::

    transactions:
      path: online_retail.csv.gz        # CSV, CSV.gz or Parquet; relative to this file
      encoding: utf-8                   # utf-8 (default), cp949/euc-kr, latin-1, utf-16
      decimal: "."                      # decimal mark
      thousands: null                   # e.g. "," to read "32,950"
      date_format: null                 # e.g. "%Y.%m.%d"; default ISO 8601
      time_zone: null                   # e.g. Asia/Seoul: dates with a UTC offset become local
      columns: {customer_id: CustomerID, date: InvoiceDate, order_id: InvoiceNo,
                product: StockCode, quantity: Quantity, unit_price: UnitPrice}
      amount: quantity * unit_price     # arithmetic on mapped columns; or map `amount`
      returns: net                      # net | drop | refuse (default refuse)
      return_window_days: 90            # how far back a return may reach (days)
      missing_customer: drop            # drop | refuse (default refuse)
      duplicates: keep                  # keep | drop | refuse (default refuse)
    customers: {path: ..., columns: {customer_id: ..., signup_date: ...}}
    web_log: {path: access.log.gz, format: combined, time_zone: Asia/Seoul}  # or a LogFormat string
    campaign: {path: ..., columns: {customer_id: ..., treated: ..., response: ..., spend: ...}}

A table's ``path`` may also be a folder or a glob of exports with the same columns
(``path: exports/*.csv``, ``path: sales/`` for hive-partitioned Parquet whose
``key=value`` folder names become columns); files that disagree on columns or types
are named in one error (see :mod:`crm_analysis.data.sources`). Instead of ``path``
a table may live in PostgreSQL::

    transactions:
      database: postgresql://analyst@db.example.com:5432/crm   # never a password here
      table: sales.transactions        # or: query: "select ... from ... where ..."
      password_env: CRM_DB_PASSWORD    # optional; else PGPASSWORD or ~/.pgpass
      columns: {customer_id: cust_no, date: sold_at, amount: net_amount}

Every table section also takes ``sep`` (field separator; default ``,``, tab for
``.tsv``). ``columns`` maps the canonical names on the left to the file's
column names on the right (Korean names are fine); only mapped columns are
returned, under their canonical names. Canonical names ending in ``date`` or
``_at`` are read as dates; ``amount``, ``quantity``, ``unit_price`` and ``spend``
as numbers written with the declared ``decimal``/``thousands`` marks (a number
that does not fit them is refused with its lines, never guessed).

``amount`` is an arithmetic expression (``+ - * /``, parentheses, numbers) over
mapped canonical names, parsed with :mod:`ast` and evaluated column-wise:
nothing in a profile runs code.

Returns (lines with a negative amount) are handled as ``returns`` says:

- ``refuse`` (default): an error naming the lines and the two other choices;
- ``drop``: the lines are left out (the purchases they reverse stay in);
- ``net``: each return reduces the purchase it reverses, looked for first in the
  same order (``order_id``, same customer, same ``product`` when mapped), then
  among the same customer's purchases of the same ``product`` (any product when
  none is mapped) in the ``return_window_days`` days up to the return, latest
  first. A purchase reduced to zero is removed; a return (or its part) that
  finds no purchase is dropped and counted. So no purchase goes below zero and
  no customer's net spend is negative.

``as_of`` (an ISO date) keeps only rows dated on or before that day; returns
after it are not known then and are not netted. Dates come back naive in local
time: text without a UTC offset is taken as local time as written; with an
offset it is converted to ``time_zone`` (required then).

Every table load keeps a :class:`LoadReport` (rows read, kept, dropped with
reasons, netted) in ``DataProfile.reports``; ``crm-workbook data check`` prints it.

Problems are raised as :class:`ProfileError` (the profile itself: file, key) or
:class:`~crm_analysis.data.user_files.DataValidationError` (a table: file,
column, rows), both ``ValueError``; their remedies name profile keys.
"""

from __future__ import annotations

import ast
import codecs
import datetime as dt
import difflib
import operator
import os
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from urllib.parse import urlsplit

from crm_analysis.data.sources import Database, expand_path, is_many, read_files, redact_url

from crm_analysis.data.user_files import (
    DataValidationError,
    arrow_memory_pool,
    Problem,
    _check_columns,
    _examples,
    _missing,
    _parse_dates,
    _parse_ids,
    _read,
    _row_numbers,
    _text,
    parse_numbers,
    _marks_hint,
)

TABLES = ("transactions", "customers", "web_log", "campaign")
REQUIRED_COLUMNS = {
    "transactions": ("customer_id", "date"),
    "customers": ("customer_id",),
    "campaign": ("customer_id", "treated", "response"),
}
NUMBER_COLUMNS = ("amount", "quantity", "unit_price", "spend")
FLAG_COLUMNS = ("treated", "response", "churned")
TABLE_KEYS = {"path", "encoding", "sep", "decimal", "thousands", "date_format", "time_zone", "columns",
              "database", "table", "query", "password_env"}
KEYS = {
    "transactions": TABLE_KEYS | {"amount", "returns", "return_window_days", "missing_customer",
                                  "duplicates"},
    "customers": TABLE_KEYS | {"missing_customer", "duplicates"},
    "campaign": TABLE_KEYS | {"missing_customer", "duplicates"},
    "web_log": {"path", "format", "time_zone", "encoding"},
}
CHOICES = {
    "returns": ("net", "drop", "refuse"),
    "missing_customer": ("drop", "refuse"),
    "duplicates": ("keep", "drop", "refuse"),
    "format": ("combined", "common"),
}
ENCODINGS = {"utf-8": "utf-8-sig", "utf8": "utf-8-sig", "euc-kr": "cp949", "euc_kr": "cp949"}
DEFAULT_RETURN_WINDOW_DAYS = 90
TRUE_TEXT = {"1", "1.0", "true", "t", "yes", "y", "예", "o"}
FALSE_TEXT = {"0", "0.0", "false", "f", "no", "n", "아니오", "x"}


class ProfileError(ValueError):
    """The profile file itself is wrong; the message names the file and the key."""


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML safe loader that refuses a key written twice in one mapping."""


def _construct_unique_mapping(loader, node, deep=False):
    seen = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise ProfileError(
                f"duplicate key {key!r} (line {seen[key]} and line {key_node.start_mark.line + 1}); "
                "write each key once")
        seen[key] = key_node.start_mark.line + 1
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_unique_mapping)


# --- amount expressions -------------------------------------------------------------------

_OPERATORS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
              ast.Div: operator.truediv}
_UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos}


def parse_amount_expression(text: str, names) -> ast.Expression:
    """Check that ``text`` is arithmetic (``+ - * /``, parentheses, numbers) over ``names``.

    Returns the parsed tree; raises ``ValueError`` naming what is not allowed.
    Nothing is evaluated here and nothing but arithmetic ever is.
    """
    try:
        tree = ast.parse(str(text).strip(), mode="eval")
    except SyntaxError as error:
        raise ValueError(f"{text!r} is not an arithmetic expression ({error.msg})") from None
    names = set(names)
    for node in ast.walk(tree):
        if isinstance(node, (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Load)):
            continue
        if isinstance(node, tuple(_OPERATORS) + tuple(_UNARY)):
            continue
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            continue
        if isinstance(node, ast.Name):
            if node.id not in names:
                raise ValueError(f"{text!r} uses {node.id!r}, which is not a mapped column; "
                                 f"mapped: {sorted(names)}")
            continue
        raise ValueError(f"{text!r}: only + - * /, parentheses, numbers and mapped column "
                         f"names are allowed (found {type(node).__name__})")
    return tree


def evaluate_amount_expression(tree: ast.Expression, columns: dict):
    """Evaluate a tree from :func:`parse_amount_expression` on ``columns`` (name → Series)."""

    def value(node):
        if isinstance(node, ast.Expression):
            return value(node.body)
        if isinstance(node, ast.BinOp):
            return _OPERATORS[type(node.op)](value(node.left), value(node.right))
        if isinstance(node, ast.UnaryOp):
            return _UNARY[type(node.op)](value(node.operand))
        if isinstance(node, ast.Constant):
            return float(node.value)
        return columns[node.id]

    with np.errstate(divide="ignore", invalid="ignore"):
        return value(tree)


# --- reports ------------------------------------------------------------------------------


@dataclass
class Dropped:
    """Lines left out for one reason: how many, their amount (when known), the first lines."""

    reason: str
    count: int
    amount: float | None = None
    rows: tuple[int, ...] = ()


@dataclass
class LoadReport:
    """What loading one table did. Row numbers are file lines (header = line 1), or
    1-based rows for Parquet (``row_label``)."""

    table: str
    path: Path
    rows_read: int = 0
    rows_kept: int = 0
    row_label: str = "line"
    dropped: list[Dropped] = field(default_factory=list)
    netting: dict = field(default_factory=dict)
    as_of: pd.Timestamp | None = None

    def drop(self, reason: str, mask: pd.Series, lines: pd.Series, amount: pd.Series | None = None):
        count = int(mask.sum())
        if count:
            total = None if amount is None else float(amount[mask].sum())
            self.dropped.append(Dropped(reason, count, total, tuple(int(x) for x in lines[mask])))


# --- the profile --------------------------------------------------------------------------


def _close(word, options) -> str:
    match = difflib.get_close_matches(str(word), list(options), n=1, cutoff=0.6)
    return f"; did you mean {match[0]!r}?" if match else ""


class DataProfile:
    """A loaded, checked profile; tables are read when asked for (see the module doc)."""

    def __init__(self, path: Path, spec: dict):
        self.path = path
        self.spec = spec
        self.reports: dict[str, LoadReport] = {}
        self._cache: dict = {}

    def __repr__(self) -> str:
        return f"DataProfile({str(self.path)!r}, tables={self.tables})"

    @property
    def tables(self) -> list[str]:
        """The tables this profile describes, in canonical order."""
        return [t for t in TABLES if t in self.spec]

    def has(self, name: str) -> bool:
        """Whether the profile describes table ``name`` (transactions, customers, web_log, campaign)."""
        if name not in TABLES:
            raise ValueError(f"unknown table {name!r}; tables are {', '.join(TABLES)}")
        return name in self.spec

    def table_path(self, name: str) -> Path:
        """Absolute path of table ``name``'s file."""
        return self._section(name)["path"]

    def _section(self, name: str) -> dict:
        if not self.has(name):
            raise ProfileError(f"{self.path}: the profile has no {name!r} table; add a "
                               f"`{name}:` section with its path and columns")
        return self.spec[name]

    def _remedy(self, name: str):
        def remedy(key, value):
            if key == "allow_returns":
                return "set `returns: net` (or `drop`)"
            if key == "allow_duplicates":
                return "set `duplicates: keep` (or `drop`)"
            shown = "null" if value is None else (f'"{value}"' if isinstance(value, str) and
                                                   not value.replace("-", "").isalnum() else value)
            return f"set `{key}: {shown}`"
        return remedy

    # -- reading -----------------------------------------------------------------------

    @arrow_memory_pool()
    def _read_table(self, name: str):
        """(frame with canonical columns + ``_line``, report, problems); cached per table."""
        if name in self._cache:
            frame, report = self._cache[name]
            return frame.copy(), _copy_report(report)
        section = self._section(name)
        path = section["path"]
        remedy = self._remedy(name)
        mapping = dict(section.get("columns") or {})
        report = LoadReport(name, path)
        if section.get("_database") is not None:
            frame, row_label = section["_database"].read(list(mapping.values())), "row"
        elif section.get("_files") is not None:
            frame, row_label = read_files(section["_where"], section["_files"], section["_root"],
                                          list(mapping.values()), section["encoding"],
                                          section.get("sep"), remedy)
        else:
            frame, row_label = _read(path, list(mapping.values()), section["encoding"],
                                     section.get("sep"), remedy)
        report.row_label = row_label
        problems = _check_columns(frame, mapping, remedy)
        if problems:
            raise _table_error(path, name, problems, row_label)
        report.rows_read = len(frame)
        lines = pd.Series(_row_numbers(pd.Series(True, index=frame.index), row_label), index=frame.index)
        blank = frame.isna().all(axis=1)
        report.drop("empty line", blank, lines)
        frame, lines = frame[~blank], lines[~blank]
        if frame.empty:
            empty = ("the table or query returned 0 rows" if section.get("_database") is not None
                     else "the file has a header but no data rows")
            raise _table_error(path, name, [Problem(None, empty)], row_label)
        out = {"_line": lines}
        for canonical, column in mapping.items():
            raw = frame[column]
            out[canonical] = _text(raw) if canonical == "customer_id" else raw
        result = pd.DataFrame(out, index=frame.index)
        result.attrs["columns"] = mapping
        self._cache[name] = (result, report)
        return result.copy(), _copy_report(report)

    def _parse(self, name: str, frame: pd.DataFrame, report: LoadReport, as_of):
        """Parse ids, dates, numbers, flags; apply missing_customer, duplicates and as_of."""
        section = self.spec[name]
        path, remedy, mapping = section["path"], self._remedy(name), section.get("columns") or {}
        label = report.row_label
        problems: list[Problem] = []
        lines = frame["_line"]

        def rows(mask):
            return tuple(int(x) for x in lines[mask])

        ids = frame["customer_id"]
        missing_id = _missing(ids)
        if missing_id.any() and section.get("missing_customer", "refuse") == "refuse":
            problems.append(Problem(mapping["customer_id"], "missing customer id; set "
                                    "`missing_customer: drop` to leave these lines out",
                                    rows(missing_id)))
        parsed = pd.DataFrame({"_line": lines, "customer_id": ids}, index=frame.index)
        for canonical, column in mapping.items():
            if canonical == "customer_id":
                continue
            raw = frame[canonical]
            if canonical.endswith("date") or canonical.endswith("_at"):
                sub = pd.DataFrame({column: raw}).reset_index(drop=True)
                mine: list[Problem] = []
                dates = _parse_dates(sub, column, section.get("date_format"), label, mine, remedy)
                dates.index = frame.index
                for p in mine:  # map positions back to file lines
                    bad = pd.Series(False, index=frame.index)
                    bad.iloc[[r - (2 if label == "line" else 1) for r in p.rows]] = True
                    problems.append(Problem(p.column, p.message, rows(bad), p.values))
                parsed[canonical] = self._local_dates(dates)
            elif canonical in NUMBER_COLUMNS:
                values, bad = parse_numbers(raw, section["decimal"], section["thousands"])
                miss = _missing(raw)
                if miss.any():
                    problems.append(Problem(column, f"missing {canonical}", rows(miss)))
                if bad.any():
                    ex = _examples(raw, bad)
                    problems.append(Problem(column, "numbers that do not read ("
                                            + _marks_hint(ex, section["decimal"], section["thousands"],
                                                          remedy) + ")", rows(bad), ex))
                parsed[canonical] = values
            elif canonical in FLAG_COLUMNS:
                text = _text(raw).str.casefold()
                flag = pd.Series(np.nan, index=frame.index)
                flag[text.isin(TRUE_TEXT)] = 1.0
                flag[text.isin(FALSE_TEXT)] = 0.0
                bad = flag.isna()
                if bad.any():
                    problems.append(Problem(column, f"{canonical} must be 0/1, true/false or "
                                            "yes/no", rows(bad), _examples(raw, bad)))
                parsed[canonical] = flag
            else:
                parsed[canonical] = _text(raw) if not pd.api.types.is_numeric_dtype(raw) else raw
        if name == "transactions" and "amount" not in mapping:
            names = {c: parsed[c] for c in mapping if c in parsed}
            amount = evaluate_amount_expression(section["_amount_tree"], names)
            amount = pd.Series(amount, index=frame.index, dtype="float64")
            inputs_ok = ~pd.concat([parsed[c].isna() for c in section["_amount_names"]],
                                   axis=1).any(axis=1)
            bad = inputs_ok & ~np.isfinite(amount)
            if bad.any():
                problems.append(Problem(None, f"amount {section['amount']!r} is not a finite "
                                        "number (e.g. division by zero)", rows(bad)))
            parsed["amount"] = amount
        if problems:
            if section.get("_database") is not None:  # row numbers of a result set: name keys too
                problems = [_with_customers(p, lines, ids) for p in problems]
            raise _table_error(path, name, problems, label)
        if missing_id.any():
            report.drop("missing customer id (missing_customer: drop)", missing_id, lines,
                        parsed.get("amount"))
            parsed = parsed[~missing_id]
        duplicates = section.get("duplicates", "refuse")
        dup = parsed.drop(columns="_line").duplicated(keep="first")
        if dup.any():
            if duplicates == "refuse":
                raise _table_error(path, name, [Problem(
                    None, "duplicate lines (each listed line repeats an earlier one); set "
                    "`duplicates: keep` if they are genuine or `duplicates: drop`",
                    rows(dup.reindex(frame.index, fill_value=False)))], label)
            if duplicates == "drop":
                report.drop("duplicate of an earlier line (duplicates: drop)", dup,
                            parsed["_line"], parsed.get("amount"))
                parsed = parsed[~dup]
            else:
                report.netting["duplicates_kept"] = int(dup.sum())
        date_column = "date" if name == "transactions" else ("signup_date" if "signup_date" in parsed
                                                             else None)
        if as_of is not None and date_column is not None:
            end = pd.Timestamp(as_of).normalize() + pd.Timedelta(days=1)
            late = parsed[date_column] >= end
            report.drop(f"dated after as_of {pd.Timestamp(as_of).date()}", late, parsed["_line"],
                        parsed.get("amount"))
            parsed = parsed[~late]
            report.as_of = pd.Timestamp(as_of).normalize()
        return parsed

    @staticmethod
    def _local_dates(dates):
        """Naive dates as nanosecond datetimes; dates with an offset stay aware for :meth:`_zone`."""
        if isinstance(dates.dtype, pd.DatetimeTZDtype):
            return dates
        return dates.astype("datetime64[ns]")

    # -- public tables -------------------------------------------------------------------

    def transactions(self, as_of=None) -> pd.DataFrame:
        """The transactions table: ``customer_id`` (str), ``date`` (naive local datetime),
        ``amount`` (float, net of returns as the profile says), then the other mapped
        columns under their canonical names; only rows dated on or before ``as_of``."""
        section = self._section("transactions")
        frame, report = self._read_table("transactions")
        parsed = self._parse("transactions", frame, report, as_of)
        parsed = self._zone("transactions", parsed)
        parsed = _handle_returns(parsed, section, report, self)
        report.rows_kept = len(parsed)
        self.reports["transactions"] = report
        order = ["customer_id", "date", "amount"]
        order += [c for c in parsed.columns if c not in order and c != "_line"]
        return parsed[order].reset_index(drop=True)

    def customers(self, as_of=None) -> pd.DataFrame:
        """The customers table: ``customer_id`` plus the mapped columns (dates parsed);
        customers who signed up after ``as_of`` are left out."""
        frame, report = self._read_table("customers")
        parsed = self._zone("customers", self._parse("customers", frame, report, as_of))
        repeated = parsed["customer_id"].duplicated(keep="first")
        if repeated.any():
            raise _table_error(self.spec["customers"]["path"], "customers", [Problem(
                self.spec["customers"]["columns"]["customer_id"],
                "repeated customer ids (each listed line repeats an earlier id)",
                tuple(int(x) for x in parsed["_line"][repeated]),
                _examples(parsed["customer_id"], repeated))], report.row_label)
        report.rows_kept = len(parsed)
        self.reports["customers"] = report
        return parsed.drop(columns="_line").reset_index(drop=True)

    def campaign(self) -> pd.DataFrame:
        """The campaign table: ``customer_id``, ``treated`` (0/1), ``response`` (0/1)
        and ``spend`` when mapped."""
        frame, report = self._read_table("campaign")
        parsed = self._parse("campaign", frame, report, None)
        for flag in ("treated", "response"):
            parsed[flag] = parsed[flag].astype("int64")
        report.rows_kept = len(parsed)
        self.reports["campaign"] = report
        return parsed.drop(columns="_line").reset_index(drop=True)

    def web_log(self) -> dict:
        """``{"path": absolute path, "format": "combined"|"common"|an Apache LogFormat string,
        "time_zone": str|None}``."""
        section = self._section("web_log")
        return {"path": section["path"], "format": section.get("format", "combined"),
                "time_zone": section.get("time_zone")}

    def _zone(self, name, parsed):
        """Dates with a UTC offset → local naive time in the profile's time_zone."""
        section = self.spec[name]
        for column in parsed.columns:
            if isinstance(parsed[column].dtype, pd.DatetimeTZDtype):
                zone = section.get("time_zone")
                if zone is None:
                    raise _table_error(section["path"], name, [Problem(
                        section["columns"][column], "dates carry a UTC offset; set `time_zone:` "
                        "(e.g. `time_zone: Asia/Seoul`) to the zone whose local days count")],
                        "line")
                parsed[column] = parsed[column].dt.tz_convert(zone).dt.tz_localize(None)
        return parsed


def _with_customers(problem: Problem, lines: pd.Series, ids: pd.Series) -> Problem:
    """``problem`` with the customer ids of (up to 10 of) its rows added to the message."""
    if not problem.rows:
        return problem
    by_line = dict(zip(lines.tolist(), _text(ids).tolist()))
    keys = list(dict.fromkeys(by_line.get(r) for r in problem.rows))[:10]
    return Problem(problem.column, f"{problem.message}; customers {keys}", problem.rows,
                   problem.values)


def _copy_report(report: LoadReport) -> LoadReport:
    return LoadReport(report.table, report.path, report.rows_read, report.rows_kept,
                      report.row_label, list(report.dropped), dict(report.netting), report.as_of)


def _table_error(path, name, problems, row_label):
    error = DataValidationError(path, problems, row_label)
    error.args = (f"{name} table: " + error.args[0],)
    return error


# --- returns -------------------------------------------------------------------------------


def _handle_returns(parsed: pd.DataFrame, section: dict, report: LoadReport, profile) -> pd.DataFrame:
    choice = section.get("returns", "refuse")
    negative = parsed["amount"] < 0
    report.netting["returns"] = choice
    if not negative.any():
        return parsed
    if choice == "refuse":
        column = section["columns"].get("amount") or section.get("amount")
        raise _table_error(section["path"], "transactions", [Problem(
            str(column), "negative amounts (returns or cancellations); set `returns: net` to "
            "net each against the purchase it reverses, or `returns: drop` to leave them out",
            tuple(int(x) for x in parsed["_line"][negative]),
            tuple(f"{v:g}" for v in parsed["amount"][negative].drop_duplicates().head(3)))],
            report.row_label)
    if choice == "drop":
        report.drop("return or cancellation (returns: drop)", negative, parsed["_line"], parsed["amount"])
        return parsed[~negative]
    return net_returns(parsed, report, section.get("return_window_days", DEFAULT_RETURN_WINDOW_DAYS))


def net_returns(frame: pd.DataFrame, report: LoadReport | None = None,
                window_days: float = DEFAULT_RETURN_WINDOW_DAYS) -> pd.DataFrame:
    """Net each negative line against the purchase(s) it reverses (see the module doc).

    ``frame`` has ``customer_id``, ``date``, ``amount`` and optionally ``order_id``,
    ``product``, ``quantity``, ``_line``. Returns the purchases (amount > 0 after
    netting; reduced ``quantity`` scaled with the amount) plus untouched zero-amount
    lines; returns themselves are removed. ``report.netting`` gets the counts and sums.
    """
    frame = frame.copy()
    negative = (frame["amount"] < 0).to_numpy()
    amount = frame["amount"].to_numpy(dtype="float64").copy()
    original = amount.copy()
    dates = frame["date"].to_numpy()
    customers = frame["customer_id"].to_numpy()
    products = frame["product"].to_numpy() if "product" in frame else None
    orders = frame["order_id"].to_numpy() if "order_id" in frame else None
    purchase_positions = np.flatnonzero(~negative & (amount > 0))
    # only purchases a return could reach: same customer (and product) as some return
    key_columns = [frame["customer_id"]] + ([frame["product"]] if products is not None else [])
    keys = pd.MultiIndex.from_arrays(key_columns)
    reachable = keys.isin(keys[negative])
    purchase_positions = purchase_positions[reachable[purchase_positions]]
    by_order: dict = {}
    by_product: dict = {}
    # purchases in date order (stable in file order), so candidates read latest-first reversed
    order_idx = purchase_positions[np.argsort(dates[purchase_positions], kind="stable")]
    for i in order_idx:
        product = products[i] if products is not None else None
        by_product.setdefault((customers[i], product), []).append(i)
        if orders is not None:
            by_order.setdefault((customers[i], orders[i], product), []).append(i)
    window = np.timedelta64(int(round(window_days * 86400)), "s")
    returns = np.flatnonzero(negative)
    returns = returns[np.argsort(dates[returns], kind="stable")]
    matched_order = matched_window = 0.0
    unmatched_rows, unmatched_amount = [], 0.0
    for r in returns:
        need = -amount[r]
        product = products[r] if products is not None else None
        passes = []
        if orders is not None:
            passes.append(("order", by_order.get((customers[r], orders[r], product), []), None))
        passes.append(("window", by_product.get((customers[r], product), []), dates[r] - window))
        for kind, candidates, start in passes:
            for i in reversed(candidates):
                if need <= 1e-12:
                    break
                if dates[i] > dates[r] or amount[i] <= 0:
                    continue
                if start is not None and dates[i] < start:
                    break
                take = min(amount[i], need)
                amount[i] -= take
                need -= take
                if kind == "order":
                    matched_order += take
                else:
                    matched_window += take
        if need > 1e-9 * max(1.0, -original[r]):
            unmatched_rows.append(r)
            unmatched_amount += need
        amount[r] = 0.0
    reduced = ~negative & (amount < original)
    emptied = reduced & (amount <= 1e-9 * np.maximum(1.0, original))
    keep = ~negative & ~emptied
    if "quantity" in frame:
        scale = np.divide(amount, original, out=np.ones_like(amount), where=original != 0)
        frame["quantity"] = frame["quantity"] * np.where(reduced, scale, 1.0)
    frame["amount"] = amount
    if report is not None:
        lines = frame["_line"] if "_line" in frame else pd.Series(np.arange(len(frame)) + 1)
        full = np.zeros(len(frame), dtype=bool)
        full[returns] = True
        unmatched = np.zeros(len(frame), dtype=bool)
        unmatched[unmatched_rows] = True
        report.netting.update({
            "window_days": window_days,
            "return_lines": int(len(returns)),
            "returned_amount": float(-original[returns].sum()),
            "netted_amount": float(matched_order + matched_window),
            "netted_in_same_order": float(matched_order),
            "netted_within_window": float(matched_window),
            "return_lines_matched": int(len(returns) - len(unmatched_rows)),
            "purchase_lines_reduced": int((reduced & ~emptied).sum()),
            "purchase_lines_removed": int(emptied.sum()),
            "unmatched_lines": int(len(unmatched_rows)),
            "unmatched_amount": float(unmatched_amount),
        })
        mask = pd.Series(negative, index=frame.index)
        report.drop("return netted against its purchase (returns: net)",
                    mask & ~pd.Series(unmatched, index=frame.index), lines,
                    pd.Series(original, index=frame.index))
        report.drop(f"return (or its remainder) with no purchase of the same customer"
                    f"{' and product' if products is not None else ''} within {window_days:g} days "
                    "before it to net against (returns: net)",
                    pd.Series(unmatched, index=frame.index), lines, pd.Series(original, index=frame.index))
        report.drop("purchase fully reversed by a return (returns: net)",
                    pd.Series(emptied, index=frame.index), lines, pd.Series(original, index=frame.index))
    return frame[keep]


# --- loading the profile ---------------------------------------------------------------------


def load_profile(path) -> DataProfile:
    """Read and check a data profile (YAML); tables are read later, when asked for.

    Raises :class:`ProfileError` naming the file and the key for: a missing file, bad
    YAML, a duplicate key, an unknown table or key (with the closest name), a choice
    outside its list, an unknown encoding or time zone, a missing ``path`` or data file,
    a missing required column mapping, or an ``amount`` that is not arithmetic on mapped
    columns.
    """
    path = Path(path).expanduser().resolve()
    if not path.is_file():
        raise ProfileError(f"{path}: data profile not found")
    try:
        spec = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)
    except ProfileError as error:
        raise ProfileError(f"{path}: {error}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise ProfileError(f"{path}: not a readable YAML file ({error})") from None
    if not isinstance(spec, dict) or not spec:
        raise ProfileError(f"{path}: a profile is a mapping with at least one of the tables "
                           f"{', '.join(TABLES)}")
    checked = {}
    for name, section in spec.items():
        if name not in TABLES:
            raise ProfileError(f"{path}: unknown table {name!r}{_close(name, TABLES)} "
                               f"(tables: {', '.join(TABLES)})")
        checked[name] = _check_section(path, name, section)
    return DataProfile(path, checked)


def _check_path(profile_path: Path, where: str, section: dict, out: dict, name: str) -> None:
    """``path``: one file, a folder of exports or a glob (not for web_log)."""
    for key in ("table", "query", "password_env"):
        if key in section:
            raise ProfileError(f"{where}.{key}: only with `database:`; a file table has `path:`")
    if "path" not in section or not section["path"]:
        raise ProfileError(f"{where}: `path` is missing (the data file, relative to the profile)")
    text = str(section["path"])
    file = (profile_path.parent / Path(text).expanduser()).resolve()
    if name != "web_log" and (is_many(text) or file.is_dir()):
        files = expand_path(profile_path.parent, text)
        if not files:
            raise ProfileError(f"{where}.path: {text!r} matches no CSV or Parquet file (a "
                               f"relative path is read from the profile's folder "
                               f"{profile_path.parent})")
        out["path"], out["_files"], out["_where"] = file, files, str(file)
        out["_root"] = file if file.is_dir() else Path(os.path.commonpath([f.parent for f in files]))
        return
    if not file.is_file():
        raise ProfileError(f"{where}.path: {file} not found (a relative path is read from "
                           f"the profile's folder {profile_path.parent})")
    out["path"] = file


def _check_database(where: str, section: dict, out: dict) -> None:
    """``database:`` URL without a password, and exactly one of ``table:`` / ``query:``."""
    url = str(section["database"] or "")
    shown = redact_url(url)
    if "path" in section:
        raise ProfileError(f"{where}: both `path` and `database`; keep one")
    if not url.startswith(("postgresql://", "postgres://")):
        raise ProfileError(f"{where}.database: {shown!r} is not a postgresql:// URL "
                           "(postgresql://user@host:port/dbname); other databases are not "
                           "supported yet")
    if urlsplit(url).password is not None or "password=***" in shown:
        raise ProfileError(f"{where}.database: the URL {shown} carries a password; a profile "
                           "never holds one: remove it and set PGPASSWORD, a ~/.pgpass line, or "
                           "`password_env: NAME` naming an environment variable")
    if ("table" in section) == ("query" in section) or not (section.get("table")
                                                            or section.get("query")):
        raise ProfileError(f"{where}: with `database:` give exactly one of `table:` "
                           "(e.g. sales.transactions) or `query:` (a SELECT)")
    for key in ("decimal", "thousands", "encoding", "sep"):
        if key in section:
            raise ProfileError(f"{where}.{key}: not used with `database:` (values keep their "
                               "database types); remove it")
    out["_database"] = Database(url, table=section.get("table"), query=section.get("query"),
                                password_env=section.get("password_env"))
    out["path"] = out["_database"].what


def _check_section(profile_path: Path, name: str, section) -> dict:
    where = f"{profile_path}: {name}"
    if isinstance(section, str):
        section = {"path": section}
    if not isinstance(section, dict):
        raise ProfileError(f"{where}: expected a mapping of keys (path, columns, ...)")
    for key in section:
        if key not in KEYS[name]:
            raise ProfileError(f"{where}: unknown key {key!r}{_close(key, KEYS[name])} "
                               f"(keys: {', '.join(sorted(KEYS[name]))})")
    out = dict(section)
    if name != "web_log" and "database" in section:
        _check_database(where, section, out)
    else:
        _check_path(profile_path, where, section, out, name)
    for key, choices in CHOICES.items():
        custom_format = key == "format" and isinstance(section.get(key), str) and "%" in section[key]
        if key in section and section[key] not in choices and not custom_format:
            raise ProfileError(f"{where}.{key}: {section[key]!r} is not one of "
                               f"{', '.join(choices)}" + (" or an Apache LogFormat string such as "
                               "'%h %l %u %t \"%r\" %>s %b'" if key == "format" else ""))
    encoding = str(section.get("encoding") or "utf-8").strip().lower()
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ProfileError(f"{where}.encoding: unknown encoding {section.get('encoding')!r}; use "
                           "utf-8, cp949 (Korean Excel), euc-kr, latin-1 or utf-16") from None
    out["encoding"] = ENCODINGS.get(encoding, encoding)
    zone = section.get("time_zone")
    if zone is not None:
        try:
            zoneinfo.ZoneInfo(str(zone))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ProfileError(f"{where}.time_zone: unknown time zone {zone!r}; use an IANA name "
                               "such as Asia/Seoul or Europe/London") from None
    if name == "web_log":
        return out
    decimal = section.get("decimal", ".")
    thousands = section.get("thousands")
    for key, mark in (("decimal", decimal), ("thousands", thousands)):
        if mark is not None and (not isinstance(mark, str) or len(mark) != 1 or mark.isdigit()):
            raise ProfileError(f"{where}.{key}: {mark!r} must be one character such as "
                               "\".\" or \",\" (quote it in YAML)")
    if decimal == thousands:
        raise ProfileError(f"{where}: decimal and thousands are both {decimal!r}; they must differ")
    out["decimal"], out["thousands"] = decimal, thousands
    if "date_format" in section and section["date_format"] is not None:
        example = dt.datetime(2024, 1, 31, 13, 45, 30)
        try:
            example.strftime(str(section["date_format"]))
        except ValueError:
            raise ProfileError(f"{where}.date_format: {section['date_format']!r} is not a date "
                               "format such as \"%Y.%m.%d\"") from None
    columns = section.get("columns") or {}
    if not isinstance(columns, dict):
        raise ProfileError(f"{where}.columns: expected a mapping canonical name: file column")
    columns = {str(k): str(v) for k, v in columns.items()}
    for required in REQUIRED_COLUMNS[name]:
        if required not in columns:
            raise ProfileError(f"{where}.columns: `{required}` is not mapped; add "
                               f"`{required}: <column in the file>`")
    out["columns"] = columns
    if name == "transactions":
        if "amount" in columns and "amount" in section:
            raise ProfileError(f"{where}: `amount` is both mapped in columns and given as an "
                               "expression; keep one")
        if "amount" not in columns:
            if "amount" not in section:
                raise ProfileError(f"{where}: no amount; map `amount` in columns or write "
                                   "`amount: quantity * unit_price` over mapped columns")
            try:
                tree = parse_amount_expression(section["amount"], set(columns) - {"customer_id",
                                                                                 "date"})
            except ValueError as error:
                raise ProfileError(f"{where}.amount: {error}") from None
            out["_amount_tree"] = tree
            out["_amount_names"] = sorted({n.id for n in ast.walk(tree) if isinstance(n, ast.Name)})
            for used in out["_amount_names"]:
                if used not in NUMBER_COLUMNS:
                    raise ProfileError(f"{where}.amount: {used!r} is not a numeric column; "
                                       f"arithmetic works on {', '.join(NUMBER_COLUMNS[1:])}")
        window = section.get("return_window_days", DEFAULT_RETURN_WINDOW_DAYS)
        if isinstance(window, bool) or not isinstance(window, (int, float)) or not 0 <= window < 1e5:
            raise ProfileError(f"{where}.return_window_days: {window!r} must be a number of days "
                               "[0, 100000)")
        out["return_window_days"] = window
    return out
