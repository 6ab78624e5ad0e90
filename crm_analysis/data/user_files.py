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

import contextlib
import datetime as dt
import difflib
import functools
import gzip
import os
import re
import zlib
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


_MAGIC = (
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"PK\x03\x04", "a ZIP archive (an Excel .xlsx workbook is one)"),
    (b"\xd0\xcf\x11\xe0", "an Excel 97-2003 workbook (.xls)"),
    (b"PAR1", "a Parquet file"),
    (b"\xff\xfe", "UTF-16 text"),
    (b"\xfe\xff", "UTF-16 text"),
)
_REMEDY = {
    "gzip-compressed data": "rename it to end in .csv.gz",
    "a ZIP archive (an Excel .xlsx workbook is one)":
        "open it in Excel and save it as 'CSV UTF-8', or unzip it",
    "an Excel 97-2003 workbook (.xls)": "open it in Excel and save it as 'CSV UTF-8'",
    "a Parquet file": "rename it to end in .parquet",
    "UTF-16 text": "pass encoding='utf-16', or save it as 'CSV UTF-8'",
}


def _kind(head: bytes) -> str | None:
    """What the first bytes of a file say it really is (None: plain text, as far as known)."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if len(head) >= 4 and head.count(b"\x00") * 4 >= len(head):  # UTF-16 without a BOM
        return "UTF-16 text"
    return None


def _check_file(path: Path, encoding: str) -> None:
    """Refuse, naming what the file really is, a path that is not a file of its suffix."""
    if not path.exists():
        raise DataValidationError(path, [Problem(None, "file not found; check the path and "
                                                       f"the folder ({path.parent})")])
    if path.is_dir():
        raise DataValidationError(path, [Problem(None, "is a folder, not a file; give the path "
                                                       "of the CSV or Parquet file in it")])
    suffix = _suffix(path)
    try:
        with open(path, "rb") as stream:
            head = stream.read(4096)
    except OSError as error:
        raise DataValidationError(path, [Problem(None, f"cannot be read ({error.strerror})")]) from None
    kind = _kind(head)
    if suffix in PARQUET_SUFFIXES:
        if head and not head.startswith(b"PAR1"):
            raise DataValidationError(path, [Problem(
                None, f"is not a Parquet file: it is {kind or 'text or another format'}"
                + (f"; {_REMEDY[kind]}" if kind in _REMEDY and kind != "a Parquet file" else ""))])
        return
    if suffix == ".csv.gz":
        if head and kind != "gzip-compressed data":
            raise DataValidationError(path, [Problem(
                None, f"is not gzip-compressed although it ends in .gz: it is "
                f"{kind or 'plain text'}; rename it to end in .csv" if kind is None else
                f"is not gzip-compressed although it ends in .gz: it is {kind}; {_REMEDY[kind]}")])
        try:
            with gzip.open(path, "rb") as stream:
                inner = stream.read(4096)
        except (OSError, EOFError, zlib.error) as error:
            raise _damaged_gzip(path, error) from None
        kind = _kind(inner)
    if kind is not None and kind != "gzip-compressed data" or (
            kind == "gzip-compressed data" and suffix != ".csv.gz"):
        if kind == "UTF-16 text" and encoding.lower().replace("_", "-").startswith("utf-16"):
            return
        raise DataValidationError(path, [Problem(
            None, f"is not CSV text: it is {kind}; {_REMEDY[kind]}")])


def _damaged_gzip(path: Path, error: BaseException) -> DataValidationError:
    return DataValidationError(path, [Problem(
        None, f"the gzip data is truncated or damaged ({type(error).__name__}: {error}); copy or"
        " download the file again")])


def _header(path: Path, sep: str, encoding: str) -> list[str]:
    """The header's names as written (pandas renames a repeated name to ``name.1``)."""
    try:
        first = pd.read_csv(path, sep=sep, encoding=encoding, header=None, nrows=1, dtype=str,
                            keep_default_na=False, skip_blank_lines=True)
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError, EOFError, OSError, zlib.error):
        return []  # the full read reports the problem
    return [str(v) for v in first.iloc[0].tolist()] if len(first) else []


def _concat_columns(chunks: list[pd.DataFrame]) -> pd.DataFrame:
    """The chunks stacked one column at a time, each column's pieces released as soon as
    it is joined, so the peak is the table plus one column (not two tables, as
    ``pd.concat(chunks)`` needs). Empties ``chunks``."""
    columns = list(chunks[0].columns)
    joined = {}
    for column in columns:
        joined[column] = pd.concat([chunk.pop(column) for chunk in chunks], ignore_index=True)
    chunks.clear()
    return pd.DataFrame(joined, copy=False)


def _read(path: Path, text_columns: list[str], encoding: str, sep: str | None,
          remedy=pass_argument, *, date_columns: tuple[str, ...] = ()) -> tuple[pd.DataFrame, str]:
    """Read the file; the mapped columns as text. Returns (frame, row label).

    A large file's ``date_columns`` are parsed while it is read, a chunk at a time, when
    every value is a plain ISO date or date-time (the checks see dates, not text, and
    the text is never all held); otherwise they stay text for the checks to report.

    ``remedy(key, value)`` words a fix the user can apply (an argument or a profile key).
    """
    _check_file(path, encoding)
    if _suffix(path) in PARQUET_SUFFIXES:
        try:
            return pd.read_parquet(path), "row"
        except MemoryError:
            raise _too_large(path) from None
        except Exception as error:  # noqa: BLE001 - pyarrow raises several kinds
            raise DataValidationError(path, [Problem(
                None, f"cannot be read as Parquet ({type(error).__name__}: "
                f"{str(error).strip()[:200]}); the file is damaged or incomplete: write or copy "
                "it again")]) from None
    if path.stat().st_size == 0:
        raise DataValidationError(path, [Problem(None, "the file is empty (0 bytes)")])
    if sep is None:
        sep = "\t" if path.name.lower().endswith(".tsv") else ","
    header = _header(path, sep, encoding)
    repeated = sorted({h for h in header if header.count(h) > 1})
    if repeated:
        raise DataValidationError(path, [Problem(
            name, f"appears {header.count(name)} times in the header (columns "
            + ", ".join(str(i + 1) for i, h in enumerate(header) if h == name)
            + "); rename or remove the extra one") for name in repeated])
    # Literal ids such as NA, None or null are ids: only an empty id is missing.
    na_values = {c: ([""] if c in text_columns else _DEFAULT_NA) for c in header}
    try:
        options = dict(sep=sep, encoding=encoding, skip_blank_lines=False,
                       dtype={column: str for column in text_columns},
                       keep_default_na=not header, na_values=na_values or None)
        if path.stat().st_size < CHUNKED_ABOVE:
            frame = pd.read_csv(path, **options)
        else:  # in chunks: pandas makes a Python object of every text value before it
            # stores the column compactly, so one chunk at a time holds those objects
            chunks = []
            converting = [c for c in date_columns if c in header]
            with pd.read_csv(path, chunksize=CHUNK_ROWS, **options) as reader:
                for chunk in reader:
                    if not chunks and not isinstance(chunk.index, pd.RangeIndex):
                        frame = chunk
                        break
                    for column in converting:
                        parsed = _plain_iso_dates(chunk[column])
                        if parsed is None:  # not all plain: the checks need the text
                            converting = []
                            break
                        chunk[column] = parsed
                    if not converting and date_columns and any(
                            pd.api.types.is_datetime64_any_dtype(c[d]) for c in chunks[:1]
                            for d in date_columns if d in c):
                        chunks = None
                        break
                    chunks.append(chunk)
                else:
                    frame = _concat_columns(chunks) if chunks else pd.read_csv(path, **options)
            if chunks is None:  # some dates were not plain: read again, all as text
                return _read(path, text_columns, encoding, sep, remedy)
            del chunks
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
        text = str(error).strip()
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", text)
        if found:
            expected, line, saw = found.groups()
            raise DataValidationError(path, [Problem(
                None, f"too many fields: line {line} has {saw} fields, the header {expected}"
                " (an extra separator, or a value with an unquoted separator in it); remove the"
                f" separator or quote the value. cannot be parsed as CSV ({text})")]) from None
        raise DataValidationError(path, [Problem(None, f"cannot be parsed as CSV ({text})")]) from None
    except (EOFError, zlib.error, gzip.BadGzipFile) as error:
        raise _damaged_gzip(path, error) from None
    except MemoryError:
        raise _too_large(path) from None
    if not isinstance(frame.index, pd.RangeIndex) and len(frame.columns) > 1:
        raise DataValidationError(path, [Problem(
            None, f"too many fields: every data row has {len(frame.columns) + frame.index.nlevels}"
            f" fields, the header {len(frame.columns)} (a separator at the end of each line?);"
            " remove the trailing separators or name the extra column in the header")])
    return frame, "line"


#: Files larger than this (bytes) are read in chunks of CHUNK_ROWS rows (see _read).
CHUNKED_ABOVE = 8_000_000
CHUNK_ROWS = 100_000
_DEFAULT_NA = sorted(pd._libs.parsers.STR_NA_VALUES)


def _too_large(path: Path) -> DataValidationError:
    size = path.stat().st_size / 1e6
    return DataValidationError(path, [Problem(
        None, f"not enough memory to load this {size:,.1f} MB file; load a shorter period "
        "or fewer columns, or use a machine with more memory")])


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
    array = _arrow(series)
    if array is not None:  # a stripped copy only if some value has spaces around it
        import pyarrow.compute as pc

        if not pc.any(pc.match_substring_regex(array, r"^\s|\s$")).as_py():
            return series
        return series.str.strip()
    return series.astype("str").str.strip().where(series.notna())


def _examples(series: pd.Series, mask: pd.Series) -> tuple[str, ...]:
    """Up to 3 distinct offending values, as text, to quote in the message."""
    return tuple(_text(series)[mask].drop_duplicates().head(3))


def _plain_iso_dates(text: pd.Series) -> pd.Series | None:
    """``text`` parsed as dates if every value is missing or a plain ISO date or
    date-time without offset (``2024-01-31``, ``2024-01-31 10:00:00``), else None."""
    array = _arrow(text)
    if array is None:
        return None
    import pyarrow.compute as pc

    plain = pc.match_substring_regex(array, r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$")
    if not pc.all(pc.fill_null(plain, True)).as_py():
        return None
    try:
        import pyarrow as pa

        values = _cast_by_chunk(array, pa.timestamp("us"), "datetime64[us]")
    except Exception:  # noqa: BLE001 - e.g. 2024-02-30: the checks report it
        return None
    return pd.Series(values, index=text.index, name=text.name)


def _missing(series: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(series):
        return series.isna()
    array = _arrow(series)
    if array is not None:  # pyarrow's regex on the column: only the mask is made
        import pyarrow.compute as pc

        blank = pc.fill_null(pc.match_substring_regex(array, r"^\s*$"), True)
        return pd.Series(blank.to_numpy(zero_copy_only=False), index=series.index)
    return series.isna() | (_text(series) == "")


def _arrow(series: pd.Series):
    """The pyarrow (chunked) array behind an arrow-backed text column, else None."""
    dtype = series.dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        return series.array.__arrow_array__()
    return None


def _cast_by_chunk(array, arrow_type, numpy_dtype) -> np.ndarray:
    """``array`` (chunked, text) cast to ``arrow_type`` into one numpy array, a chunk at a
    time (only one chunk's cast is held besides the result); nulls become NaN/NaT."""
    import pyarrow.compute as pc

    out = np.empty(len(array), dtype=numpy_dtype)
    position = 0
    for chunk in array.chunks:
        values = pc.cast(chunk, arrow_type).to_numpy(zero_copy_only=False)
        out[position:position + len(values)] = values
        position += len(values)
    return out


def _to_float(text: pd.Series) -> pd.Series:
    """``pd.to_numeric(text, errors="coerce")`` as float64, through pyarrow's parser when
    the column is arrow-backed: pandas would first make a Python object of every value
    (about 60 bytes each, several times the file's size at 10 million rows)."""
    array = _arrow(text)
    if array is not None:
        import pyarrow as pa
        import pyarrow.compute as pc

        try:
            values = _cast_by_chunk(array, pa.float64(), np.float64)
            return pd.Series(values, index=text.index, name=text.name)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass  # something arrow does not read: pandas decides, value by value
    return pd.to_numeric(text, errors="coerce").astype("float64")


def _to_datetime(text: pd.Series, date_format: str | None) -> pd.Series:
    """ISO dates parsed by pyarrow when every value is a plain ISO date or date-time
    (memory as in :func:`_to_float`); otherwise, and for ``date_format``, by pandas."""
    array = _arrow(text) if date_format is None else None
    if array is not None:
        import pyarrow as pa
        import pyarrow.compute as pc

        try:
            values = _cast_by_chunk(array, pa.timestamp("us"), "datetime64[us]")
            return pd.Series(values, index=text.index, name=text.name)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
    return pd.to_datetime(text, format=date_format or "ISO8601", errors="coerce")


def _parse_ids(frame, column, row_label, problems) -> pd.Series:
    raw = frame[column]
    if pd.api.types.is_float_dtype(raw):  # Parquet ids written as floats: 1.0 is id 1
        fractional = raw.notna() & (raw != np.floor(raw.fillna(0)))
        if fractional.any():
            problems.append(Problem(column, "customer ids with a fractional part (ids are "
                                    "whole numbers or text); fix the ids in the file",
                                    _row_numbers(fractional, row_label), _examples(raw, fractional)))
        whole = raw.where(~fractional)
        ids = whole.map(lambda v: str(int(v)) if pd.notna(v) else None, na_action="ignore")
        ids = ids.where(whole.notna(), None).astype("object")
        missing = raw.isna()
    else:
        ids = _text(raw)
        missing = _missing(raw)
    if missing.any():
        problems.append(Problem(column, "missing customer id", _row_numbers(missing, row_label)))
    return ids


#: Years outside [MIN_YEAR, today's year + 1] are implausible for a CRM record.
MIN_YEAR = 1900
_OFFSET = re.compile(r"(Z|[+-]\d{2}(?::?\d{2})?)$")
_FULL_DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}")


def _parse_dates(frame, column, date_format, row_label, problems, remedy=pass_argument) -> pd.Series:
    raw = frame[column]
    missing = _missing(raw)
    if pd.api.types.is_datetime64_any_dtype(raw):
        dates = raw
        partial = pd.Series(False, index=raw.index)
    else:
        text = _text(raw)
        try:
            dates = _to_datetime(text, date_format)
        except ValueError as error:  # mixed UTC offsets: pandas refuses the whole column
            if "timezone" not in str(error).lower() and "offset" not in str(error).lower():
                raise
            offsets = text.str.extract(_OFFSET, expand=False).fillna("none")
            groups = offsets[~missing].groupby(offsets[~missing], sort=False).groups
            detail = "; ".join(
                f"{off}: {_label(row_label, _row_numbers(pd.Series(offsets.index.isin(idx)), row_label))}"
                for off, idx in list(groups.items())[:4])
            problems.append(Problem(column, f"dates carry {len(groups)} different UTC offsets "
                                    f"({detail}); write all dates with one offset, or none",
                                    ()))
            return pd.Series(pd.NaT, index=raw.index)
        # A year alone (2024) or a year and month would become the 1st of January / the month.
        partial = (~missing & dates.notna() & ~_matches(text, _FULL_DATE)
                   if not date_format else pd.Series(False, index=raw.index))
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
    if partial.any():
        problems.append(Problem(
            column, "incomplete dates (a year or a year and month only); write the full date "
            "like 2024-01-31", _row_numbers(partial, row_label), _examples(raw, partial)))
    valid = dates.notna() & ~partial
    if valid.any():
        latest = dt.date.today().year + 1
        naive = dates.dt.tz_localize(None) if getattr(dates.dt, "tz", None) is not None else dates
        implausible = valid & ((naive < pd.Timestamp(MIN_YEAR, 1, 1))
                               | (naive >= pd.Timestamp(latest + 1, 1, 1)))
        if implausible.any():
            problems.append(Problem(
                column, f"implausible dates (before {MIN_YEAR} or after {latest}): placeholders "
                "such as 9999-12-31, or typos; correct or remove these rows",
                _row_numbers(implausible, row_label), _examples(raw, implausible)))
    return dates


def _matches(text: pd.Series, pattern: re.Pattern) -> pd.Series:
    """Boolean mask: ``pattern`` matches at the start of the value (missing: False)."""
    array = _arrow(text)
    if array is not None:
        import pyarrow.compute as pc

        found = pc.fill_null(pc.match_substring_regex(array, "^(?:" + pattern.pattern.lstrip("^") + ")"), False)
        return pd.Series(found.to_numpy(zero_copy_only=False), index=text.index)
    return text.str.match(pattern).fillna(False).astype(bool)


def _label(row_label: str, rows: tuple[int, ...]) -> str:
    shown = ", ".join(str(r) for r in rows[:MAX_ROWS_SHOWN])
    more = f" and {len(rows) - MAX_ROWS_SHOWN} more" if len(rows) > MAX_ROWS_SHOWN else ""
    return f"{row_label}{'s' if len(rows) > 1 else ''} {shown}{more}"


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
        return values, ~missing & ~np.isfinite(values.to_numpy())  # NaN: missing or bad
    text = _text(raw)
    fits = text.str.fullmatch(_number_pattern(decimal, thousands)).fillna(False).astype(bool)
    clean = text if fits.all() else text.where(fits)  # no copy of a clean column
    if thousands is not None:
        clean = clean.str.replace(thousands, "", regex=False)
    if decimal != ".":
        clean = clean.str.replace(decimal, ".", regex=False)
    values = _to_float(clean)
    bad = ~missing & ~np.isfinite(values.to_numpy())  # unreadable (NaN) or infinite
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


def _sort_key(column: pd.Series) -> np.ndarray:
    """An integer array equal where the column's values are equal (missing values equal
    each other): the bits of numbers and times, codes for anything else."""
    values = column.to_numpy() if column.dtype.kind in "fiumM" else None
    if values is not None and values.dtype.kind == "f":
        key = values.astype(np.float64) + 0.0  # a copy, and -0.0 becomes 0.0
        key[np.isnan(key)] = np.nan  # one NaN pattern
        return key.view(np.int64)
    if values is not None and values.dtype.kind in "iumM":
        return values.view(np.int64) if values.dtype.itemsize == 8 else values.astype(np.int64)
    codes, _ = pd.factorize(column, use_na_sentinel=True)
    return codes.astype(np.int32) if len(codes) < 2 ** 31 else codes


def _duplicated_exact(keys: list[np.ndarray]) -> np.ndarray:
    """Rows equal to an earlier row on every key, by a stable sort of the keys."""
    order = np.lexsort(keys[::-1])  # stable: within equal rows, file order
    same = np.ones(len(order) - 1, dtype=bool)
    for key in keys:
        ranked = key[order]
        same &= ranked[1:] == ranked[:-1]
        del ranked
    mask = np.zeros(len(order), dtype=bool)
    mask[order[1:][same]] = True
    return mask


_MIX = (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93)


#: Rows hashed at a time by :func:`_duplicated` (bounds its scratch memory).
_HASH_BLOCK = 1 << 20


def _duplicated(frame: pd.DataFrame) -> pd.Series:
    """``frame.duplicated(keep="first")`` with little memory on millions of rows.

    Each row is hashed to one 64-bit number (column keys mixed in place, a block of rows
    at a time); only the rows whose hash occurs more than once are then compared exactly,
    by a stable sort of their column keys, so a hash collision can never make two
    different rows duplicates. Beside the frame it holds about 24 bytes per row at most.
    """
    n = len(frame)
    if n < 2 or len(frame.columns) == 0:
        return pd.Series(False, index=frame.index)
    row_hash = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for i, column in enumerate(frame.columns):
            key = _sort_key(frame[column])
            for start in range(0, n, _HASH_BLOCK):
                block = key[start:start + _HASH_BLOCK]
                mixed = (block.view(np.uint64) if block.dtype.itemsize == 8
                         else block.astype(np.uint64)) * np.uint64(_MIX[i % 4])
                mixed ^= mixed >> np.uint64(29)
                target = row_hash[start:start + _HASH_BLOCK]
                target ^= mixed
                target *= np.uint64(_MIX[(i + 1) % 4])
            del key
    ranked = np.sort(row_hash)
    repeated = np.unique(ranked[1:][ranked[1:] == ranked[:-1]])  # hashes seen twice or more
    del ranked
    candidates = np.zeros(n, dtype=bool)
    if len(repeated):
        for start in range(0, n, _HASH_BLOCK):
            block = row_hash[start:start + _HASH_BLOCK]
            at = np.minimum(np.searchsorted(repeated, block), len(repeated) - 1)
            candidates[start:start + _HASH_BLOCK] = repeated[at] == block
    del row_hash
    rows = np.flatnonzero(candidates)
    mask = np.zeros(n, dtype=bool)
    if len(rows) > 1:
        subset = frame.iloc[rows]
        mask[rows[_duplicated_exact([_sort_key(subset[c]) for c in subset.columns])]] = True
    return pd.Series(mask, index=frame.index)


def _check_duplicates(frame, subset, what, row_label, problems, remedy=pass_argument) -> None:
    """Rows repeating an earlier one once values are read: ids and text without
    surrounding spaces, dates and amounts as parsed (``10.50`` equals ``10.5``)."""
    duplicated = _duplicated(frame if subset is None else frame[subset])
    if duplicated.any():
        problems.append(Problem(
            None if subset is None else subset[0],
            f"{what} (each listed row repeats an earlier one, once spaces around values and "
            "the way numbers and dates are written are ignored); "
            f"{remedy('allow_duplicates', True)} if they are genuine", _row_numbers(duplicated, row_label),
        ))


def _normalized_others(frame: pd.DataFrame) -> pd.DataFrame:
    """The unmapped columns with text stripped, for the duplicate check only."""
    return frame.apply(lambda c: c.str.strip() if c.dtype == object or
                       pd.api.types.is_string_dtype(c) else c)


def _check_rows(frame: pd.DataFrame, row_label: str) -> list[Problem]:
    if frame.empty:
        return [Problem(None, "the file has a header but no data rows")]
    blank = frame.isna().all(axis=1)
    return [Problem(None, "empty rows", _row_numbers(blank, row_label))] if blank.any() else []


@contextlib.contextmanager
def arrow_memory_pool():
    """Allocate Arrow buffers from jemalloc while a large table is read: it hands freed
    chunks back sooner than pyarrow's default mimalloc pool, which lowers the peak of a
    10-million-line load from 3.35 to about 2.85 times the file (benchmarks/bench_loader.py).
    Buffers keep the pool they came from, so restoring the default afterwards is safe;
    where pyarrow was built without jemalloc nothing changes."""
    import pyarrow as pa

    previous = pa.default_memory_pool()
    try:
        pa.set_memory_pool(pa.jemalloc_memory_pool())
    except NotImplementedError:
        yield
        return
    try:
        yield
    finally:
        pa.set_memory_pool(previous)


def _memory_guard(loader):
    """Turn running out of memory anywhere in a load into a DataValidationError naming the
    file and its size (numpy raises ``_ArrayMemoryError``, a ``MemoryError``); read with
    :func:`arrow_memory_pool`."""
    @functools.wraps(loader)
    def guarded(path, *args, **kwargs):
        try:
            with arrow_memory_pool():
                return loader(path, *args, **kwargs)
        except MemoryError:
            raise _too_large(Path(path)) from None
    return guarded


@_memory_guard
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
    frame, row_label = _read(path, list(mapping.values()), encoding, sep,
                             date_columns=() if date_format else (date,))
    problems = _check_columns(frame, mapping) or _check_rows(frame, row_label)
    if problems:
        raise DataValidationError(path, problems, row_label)
    # Each raw text column is dropped once parsed, so that the file's text and the parsed
    # values are not all held at once (peak memory, benchmarks/bench_loader.py).
    ids = _parse_ids(frame, customer_id, row_label, problems)
    if customer_id not in (date, amount):
        frame = frame.drop(columns=[customer_id])
    dates = _parse_dates(frame, date, date_format, row_label, problems)
    if date != amount:
        frame = frame.drop(columns=[date])
    amounts = _parse_amounts(frame, amount, allow_returns, decimal, row_label, problems, thousands)
    others = frame.drop(columns=[c for c in (customer_id, date, amount) if c in frame])
    del frame
    # copy=False: the parsed columns are the result; a copy would double the peak
    normalized = pd.DataFrame({"customer_id": ids, "date": dates, "amount": amounts}, copy=False)
    del dates, amounts
    if not allow_duplicates:
        values = (normalized if others.columns.empty else
                  pd.concat([normalized, _normalized_others(others)], axis=1))
        _check_duplicates(values, None, "duplicate rows", row_label, problems)
        del values
    if problems:
        raise DataValidationError(path, problems, row_label)
    if ids.dtype != "str":
        normalized["customer_id"] = ids.astype("str")
    del ids
    return normalized if others.columns.empty else pd.concat([normalized, others], axis=1)


@_memory_guard
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
