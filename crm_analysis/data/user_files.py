"""The analyst's own files: load a transaction log or a customer list, checked.

:func:`load_transactions` and :func:`load_customers` read a CSV (optionally
``.gz``) or a Parquet file, map the analyst's column names onto the normalized
names (``customer_id``, ``date``, ``amount``; other columns pass through
unchanged) and check the data. Every problem found is reported at once in one
:class:`DataValidationError` naming the file, the column and up to 10 offending
rows. Rows are counted as the analyst sees them:

- CSV: the **line number** in the file, the header being line 1, so the first
  data row is line 2 (the same number a spreadsheet shows). Blank lines count.
  (A quoted value spanning several lines shifts later numbers.)
- Parquet: the 1-based **row number** among the data rows.

Files are only read, never written.
"""

from __future__ import annotations

import difflib
import gzip
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

MAX_ROWS_SHOWN = 10
CSV_SUFFIXES = (".csv", ".csv.gz", ".txt", ".tsv")
PARQUET_SUFFIXES = (".parquet", ".pq")


@dataclass(frozen=True)
class Problem:
    """One check that failed: the column, what is wrong, the rows (as the user counts them)."""

    column: str | None
    message: str
    rows: tuple[int, ...] = ()
    values: tuple[str, ...] = ()


class DataValidationError(ValueError):
    """The analyst's file cannot be used as it is; the message lists every problem.

    Attributes: ``path`` (the file), ``problems`` (list of :class:`Problem`) and
    ``row_label`` (``"line"`` for CSV, ``"row"`` for Parquet).
    """

    def __init__(self, path: Path, problems: list[Problem], row_label: str = "line"):
        self.path = path
        self.problems = problems
        self.row_label = row_label
        super().__init__(
            f"{path}: {len(problems)} problem(s):\n"
            + "\n".join(f"- {self._describe(p)}" for p in problems)
        )

    def _describe(self, problem: Problem) -> str:
        text = f"column {problem.column!r}: " if problem.column else ""
        text += problem.message
        if problem.rows:
            count = len(problem.rows)
            shown = ", ".join(str(r) for r in problem.rows[:MAX_ROWS_SHOWN])
            more = f" and {count - MAX_ROWS_SHOWN} more" if count > MAX_ROWS_SHOWN else ""
            label = self.row_label if count == 1 else f"{count} {self.row_label}s:"
            text += f" ({label} {shown}{more}"
            if problem.values:
                text += "; " + ("value " if len(problem.values) == 1 else "values ")
                text += ", ".join(repr(v) for v in problem.values)
            text += ")"
        return text


def pass_argument(key: str, value: object) -> str:
    """How a remedy reads for a caller of the Python functions: ``pass key=value``."""
    return f"pass {key}={value!r}"


def _suffix(path: Path) -> str:
    name = path.name.lower()
    for suffix in CSV_SUFFIXES + PARQUET_SUFFIXES:
        if name.endswith(suffix):
            return suffix
    raise DataValidationError(path, [Problem(
        None, f"unsupported file type; use one of {', '.join(CSV_SUFFIXES + PARQUET_SUFFIXES)}")])


def _first_undecodable_line(path: Path, encoding: str) -> tuple[int, int]:
    """(line number, byte) of the first byte that ``encoding`` cannot decode."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rb") as stream:
        raw = stream.read()
    try:
        raw.decode(encoding)
    except UnicodeDecodeError as error:
        return raw.count(b"\n", 0, error.start) + 1, raw[error.start]
    return 0, 0


def _read(path: Path, text_columns: list[str], encoding: str, sep: str | None,
          remedy=pass_argument) -> tuple[pd.DataFrame, str]:
    """Read the file; the mapped columns as text. Returns (frame, row label).

    ``remedy(key, value)`` words a fix the user can apply (an argument or a profile key).
    """
    if _suffix(path) in PARQUET_SUFFIXES:
        return pd.read_parquet(path), "row"
    if path.stat().st_size == 0:
        raise DataValidationError(path, [Problem(None, "the file is empty (0 bytes)")])
    if sep is None:
        sep = "\t" if path.name.lower().endswith(".tsv") else ","
    try:
        frame = pd.read_csv(
            path, sep=sep, encoding=encoding, skip_blank_lines=False,
            dtype={column: str for column in text_columns},
        )
    except UnicodeDecodeError:
        line, byte = _first_undecodable_line(path, encoding)
        raise DataValidationError(path, [Problem(
            None,
            f"line {line} has byte 0x{byte:02x}, which is not valid {encoding}: the file is in "
            f"another encoding; {remedy('encoding', 'cp949')} for a Korean Excel export or "
            f"{remedy('encoding', 'latin-1')} for a Western European one",
        )]) from None
    except pd.errors.EmptyDataError:
        raise DataValidationError(path, [Problem(None, "the file has no header and no data")]) from None
    except pd.errors.ParserError as error:
        raise DataValidationError(path, [Problem(None, f"cannot be parsed as CSV ({str(error).strip()})")]) from None
    return frame, "line"


def _row_numbers(mask: pd.Series, row_label: str) -> tuple[int, ...]:
    first = 2 if row_label == "line" else 1
    return tuple(int(i) + first for i in np.flatnonzero(mask.to_numpy()))


def _check_columns(frame: pd.DataFrame, mapping: dict[str, str], remedy=pass_argument) -> list[Problem]:
    problems = []
    present = [str(c) for c in frame.columns]
    for normalized, column in mapping.items():
        if column in present:
            continue
        folded = {c.strip().casefold(): c for c in present}
        close = difflib.get_close_matches(column.strip().casefold(), list(folded), n=1, cutoff=0.6)
        hint = f"did you mean {folded[close[0]]!r}? " if close else ""
        problems.append(Problem(
            column,
            f"not found (needed as {normalized!r}); {hint}columns in the file: {present}",
        ))
    if problems and len(present) == 1:
        for separator in (";", "\t", "|"):
            if separator in present[0]:
                problems.append(Problem(None, f"the header looks separated by {separator!r}, "
                                              f"not by commas; {remedy('sep', separator)}"))
    clashes = [n for n, c in mapping.items() if n != c and n in present]
    problems += [Problem(n, f"the file has a column {n!r} besides the one mapped to it; "
                            "rename or drop it") for n in clashes]
    return problems


def _text(series: pd.Series) -> pd.Series:
    return series.astype("str").str.strip().where(series.notna())


def _examples(series: pd.Series, mask: pd.Series) -> tuple[str, ...]:
    """Up to 3 distinct offending values, as text, to quote in the message."""
    return tuple(_text(series)[mask].drop_duplicates().head(3))


def _missing(series: pd.Series) -> pd.Series:
    return series.isna() | (_text(series) == "")


def _parse_ids(frame, column, row_label, problems) -> pd.Series:
    ids = _text(frame[column])
    missing = _missing(frame[column])
    if missing.any():
        problems.append(Problem(column, "missing customer id", _row_numbers(missing, row_label)))
    return ids


def _parse_dates(frame, column, date_format, row_label, problems, remedy=pass_argument) -> pd.Series:
    raw = frame[column]
    if pd.api.types.is_datetime64_any_dtype(raw):
        dates = raw
    else:
        dates = pd.to_datetime(_text(raw), format=date_format or "ISO8601", errors="coerce")
    missing = _missing(raw)
    bad = dates.isna() & ~missing
    if missing.any():
        problems.append(Problem(column, "missing date", _row_numbers(missing, row_label)))
    if bad.any():
        hint = f"they do not match date_format={date_format!r}" if date_format else (
            "expected ISO dates like 2024-01-31; for other layouts "
            f"{remedy('date_format', '%d.%m.%Y')} (day.month.year)")
        problems.append(Problem(
            column, f"unparseable dates; {hint}", _row_numbers(bad, row_label),
            _examples(raw, bad),
        ))
    return dates


def _number_pattern(decimal: str, thousands: str | None) -> re.Pattern:
    """A number written with exactly these marks: optional sign, digits grouped by threes
    with ``thousands`` (or not grouped at all), optional ``decimal`` fraction, optional
    exponent when no thousands mark is declared."""
    d = re.escape(decimal)
    whole = r"\d+" if thousands is None else rf"(?:\d{{1,3}}(?:{re.escape(thousands)}\d{{3}})+|\d+)"
    exponent = r"(?:[eE][+-]?\d+)?" if thousands is None else ""
    return re.compile(rf"[+-]?(?:{whole}(?:{d}\d*)?|{d}\d+){exponent}")


NUMBER_MARKS = ((".", None), (".", ","), (",", None), (",", "."), (",", " "), (".", " "), (".", "'"))


def parse_numbers(raw: pd.Series, decimal: str = ".", thousands: str | None = None
                  ) -> tuple[pd.Series, pd.Series]:
    """Read numbers written with the declared decimal and thousands marks, exactly.

    Returns ``(values, bad)``: float values (NaN where missing or bad) and a mask of the
    non-missing texts that do not fit the marks. ``"1.234"`` with ``decimal=","`` and
    ``thousands="."`` is 1234; with ``decimal="."`` and no thousands mark it is 1.234; with
    ``decimal=","`` and no thousands mark it does not fit and is reported, never guessed.
    Numeric columns (Parquet, or already parsed) are taken as they are.
    """
    if decimal == thousands:
        raise ValueError(f"decimal and thousands marks must differ (both {decimal!r})")
    missing = _missing(raw)
    if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
        values = pd.to_numeric(raw, errors="coerce").astype("float64")
        return values, ~missing & ~np.isfinite(values.fillna(0.0))
    text = _text(raw)
    fits = text.str.fullmatch(_number_pattern(decimal, thousands)).fillna(False).astype(bool)
    clean = text.where(fits)
    if thousands is not None:
        clean = clean.str.replace(thousands, "", regex=False)
    if decimal != ".":
        clean = clean.str.replace(decimal, ".", regex=False)
    values = pd.to_numeric(clean, errors="coerce").astype("float64")
    bad = ~missing & (values.isna() | ~np.isfinite(values.fillna(0.0)))
    return values, bad


def suggest_number_marks(examples, decimal: str, thousands: str | None) -> tuple[str, str | None] | None:
    """The first other (decimal, thousands) pair under which every example reads, if any."""
    texts = pd.Series(list(examples), dtype="object")
    for marks in NUMBER_MARKS:
        if marks != (decimal, thousands) and not parse_numbers(texts, *marks)[1].any():
            return marks
    return None


def _marks_hint(examples, decimal, thousands, remedy) -> str:
    marks = suggest_number_marks(examples, decimal, thousands)
    declared = f"decimal {decimal!r}, thousands {thousands!r}"
    if marks is None:
        return f"they do not fit the declared marks ({declared}); write plain numbers"
    keys = [remedy("decimal", marks[0])] if marks[0] != decimal else []
    if marks[1] != thousands:
        keys.append(remedy("thousands", marks[1]))
    return f"they do not fit the declared marks ({declared}); to read them, " + " and ".join(keys)


def _parse_amounts(frame, column, allow_returns, decimal, row_label, problems,
                   thousands=None, remedy=pass_argument, what="amount") -> pd.Series:
    raw = frame[column]
    amounts, bad = parse_numbers(raw, decimal, thousands)
    missing = _missing(raw)
    if missing.any():
        problems.append(Problem(column, f"missing {what}", _row_numbers(missing, row_label)))
    if bad.any():
        examples = _examples(raw, bad)
        problems.append(Problem(
            column, f"non-numeric or infinite {what}s ("
            + _marks_hint(examples, decimal, thousands, remedy) + ")",
            _row_numbers(bad, row_label), examples,
        ))
    negative = amounts < 0
    if negative.any() and not allow_returns:
        problems.append(Problem(
            column, f"negative amounts (returns or refunds); {remedy('allow_returns', True)} to keep them",
            _row_numbers(negative, row_label), _examples(raw, negative),
        ))
    return amounts


def _check_duplicates(frame, subset, what, row_label, problems, remedy=pass_argument) -> None:
    duplicated = frame.duplicated(subset=subset, keep="first")
    if duplicated.any():
        problems.append(Problem(
            None if subset is None else subset[0],
            f"{what} (each listed row repeats an earlier one); "
            f"{remedy('allow_duplicates', True)} if they are genuine", _row_numbers(duplicated, row_label),
        ))


def _check_rows(frame: pd.DataFrame, row_label: str) -> list[Problem]:
    if frame.empty:
        return [Problem(None, "the file has a header but no data rows")]
    blank = frame.isna().all(axis=1)
    return [Problem(None, "empty rows", _row_numbers(blank, row_label))] if blank.any() else []


def load_transactions(
    path: str | os.PathLike,
    customer_id: str = "customer_id",
    date: str = "date",
    amount: str = "amount",
    *,
    date_format: str | None = None,
    allow_returns: bool = False,
    allow_duplicates: bool = False,
    encoding: str = "utf-8-sig",
    sep: str | None = None,
    decimal: str = ".",
    thousands: str | None = None,
) -> pd.DataFrame:
    """Load and check the analyst's transaction log (CSV, CSV.gz, TSV or Parquet).

    ``customer_id``, ``date`` and ``amount`` name the file's columns for the
    customer, the purchase date and the amount paid (in the file's currency).
    Returns one row per file row with ``customer_id`` (str), ``date``
    (datetime64; the time of day is kept if given), ``amount`` (float), then the
    file's other columns unchanged.

    Raises :class:`DataValidationError` listing every problem: a missing or
    misspelled column (with the closest name), an empty file, a wrong encoding,
    empty rows, missing customer ids, missing or unparseable dates, missing or
    non-numeric amounts, negative amounts (unless ``allow_returns=True``) and
    duplicate rows (unless ``allow_duplicates=True``). ``date_format`` is a
    ``strftime`` format such as ``"%d.%m.%Y"``; by default dates must be ISO 8601
    (``2024-01-31``, optionally with a time), because guessing day-first versus
    month-first can silently swap day and month. ``encoding`` defaults to UTF-8 with or without BOM.
    ``sep`` is the field separator (default ``,``, or tab for ``.tsv``) and
    ``decimal`` the decimal mark of ``amount`` (``","`` for ``10,50``) and ``thousands``
    its thousands mark (``","`` for ``1,234.50``); an amount that does not fit the
    declared marks is refused with its lines, never read some other way
    (see :func:`parse_numbers`).
    """
    path = Path(path)
    mapping = {"customer_id": customer_id, "date": date, "amount": amount}
    frame, row_label = _read(path, list(mapping.values()), encoding, sep)
    problems = _check_columns(frame, mapping) or _check_rows(frame, row_label)
    if problems:
        raise DataValidationError(path, problems, row_label)
    ids = _parse_ids(frame, customer_id, row_label, problems)
    dates = _parse_dates(frame, date, date_format, row_label, problems)
    amounts = _parse_amounts(frame, amount, allow_returns, decimal, row_label, problems, thousands)
    if not allow_duplicates:
        _check_duplicates(frame, None, "duplicate rows", row_label, problems)
    if problems:
        raise DataValidationError(path, problems, row_label)
    others = frame.drop(columns=list(mapping.values()))
    normalized = pd.DataFrame({"customer_id": ids.astype("str"), "date": dates, "amount": amounts})
    return pd.concat([normalized, others], axis=1)


def load_customers(
    path: str | os.PathLike,
    customer_id: str = "customer_id",
    registration_date: str | None = None,
    *,
    date_format: str | None = None,
    encoding: str = "utf-8-sig",
    sep: str | None = None,
) -> pd.DataFrame:
    """Load and check the analyst's customer list (CSV, CSV.gz, TSV or Parquet).

    ``customer_id`` names the id column (each id must appear once);
    ``registration_date``, if given, names the column with the date the
    customer registered. Returns ``customer_id`` (str), ``registration_date``
    (datetime64, when mapped), then the other columns unchanged.

    Raises :class:`DataValidationError` for a missing or misspelled column, an
    empty file, a wrong encoding, empty rows, missing or repeated customer ids,
    and missing or unparseable registration dates.
    """
    path = Path(path)
    mapping = {"customer_id": customer_id}
    if registration_date is not None:
        mapping["registration_date"] = registration_date
    frame, row_label = _read(path, list(mapping.values()), encoding, sep)
    problems = _check_columns(frame, mapping) or _check_rows(frame, row_label)
    if problems:
        raise DataValidationError(path, problems, row_label)
    ids = _parse_ids(frame, customer_id, row_label, problems)
    repeated = ids.notna() & ids.duplicated(keep="first")
    if repeated.any():
        problems.append(Problem(customer_id, "repeated customer ids (each listed row repeats "
                                "an earlier id)", _row_numbers(repeated, row_label),
                                _examples(ids, repeated)))
    normalized = {"customer_id": ids.astype("str")}
    if registration_date is not None:
        normalized["registration_date"] = _parse_dates(
            frame, registration_date, date_format, row_label, problems)
    if problems:
        raise DataValidationError(path, problems, row_label)
    others = frame.drop(columns=list(mapping.values()))
    return pd.concat([pd.DataFrame(normalized), others], axis=1)
