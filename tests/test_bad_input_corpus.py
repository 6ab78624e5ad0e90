"""Regression corpus of bad input, faults and hostile text (issue 14).

Each table row is one case: an input and the expected outcome, either an error (exit code
and message fragments) or the right result. Most cases run in-process: the loaders on
small files written to a temp folder, the ``crm-workbook`` command with its ``render``
replaced by a recorder (everything up to running notebooks is real), the report header
through a Markdown renderer, and the run pipeline with a stand-in for the kernel. A few
cases render a tiny notebook in a real kernel or a subprocess (Ctrl-C, timeout).
The bad-file corpus of ``tests/data/bad/`` (README table) is kept as it is.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Callable

import nbformat
import pandas as pd
import pytest

from crm_analysis import cli
from crm_analysis.data import DataUnavailableError, DataValidationError, fetch_hillstrom
from crm_analysis.data import load_customers, load_transactions
from crm_analysis.notebook_params import discover_notebooks
from crm_analysis.report import execute as execute_module
from crm_analysis.report import runner
from crm_analysis.report.execute import NotebookRun
from crm_analysis.report.export import header_html

HEADER = "customer_id,date,amount\n"
NEXT_YEAR = dt.date.today().year + 1


# --------------------------------------------------------------------------- loader
def _csv(rows: str, header: str = HEADER) -> bytes:
    return (header + rows).encode("utf-8")


def _xlsx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


def _parquet_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


GOOD = _csv("C1,2024-01-05,10.5\nC2,2024-01-06,20\n")
PQ = _parquet_bytes(pd.DataFrame({"customer_id": ["C1", "C2"], "date": ["2024-01-05", "2024-01-06"],
                                  "amount": [10.5, 20.0]}))

# (id, file name, content: bytes | None (missing) | "DIR", loader, kwargs, expected)
# expected: list of message fragments (a DataValidationError), or a callable checking the
# loaded frame, or ("exact_or_refused", value): the amount is that value, or refused.
LOADER_CASES: list[tuple[str, str, Any, str, dict, Any]] = [
    # what the file is
    ("missing-file", "t.csv", None, "t", {}, ["file not found"]),
    ("missing-parquet", "t.parquet", None, "t", {}, ["file not found"]),
    ("folder", "t.csv", "DIR", "t", {}, ["is a folder, not a file"]),
    ("folder-parquet", "t.parquet", "DIR", "t", {}, ["is a folder, not a file"]),
    ("gz-truncated", "t.csv.gz", gzip.compress(GOOD * 50)[:60], "t", {}, ["truncated or damaged"]),
    ("gz-not-gzip", "t.csv.gz", GOOD, "t", {}, ["is not gzip-compressed", "rename it to end in .csv"]),
    ("gz-is-xlsx", "t.csv.gz", _xlsx_bytes(), "t", {}, ["is not gzip-compressed", "ZIP archive"]),
    ("gz-of-utf16", "t.csv.gz", gzip.compress(GOOD.decode().encode("utf-16")), "t", {}, ["UTF-16 text"]),
    ("gz-of-xlsx", "t.csv.gz", gzip.compress(_xlsx_bytes()), "t", {}, ["ZIP archive"]),
    ("gz-empty-member", "t.csv.gz", b"\x1f\x8b\x08\x00", "t", {}, ["truncated or damaged"]),
    ("parquet-random", "t.parquet", b"this is not parquet at all\n" * 5, "t", {}, ["is not a Parquet file"]),
    ("parquet-is-csv", "t.parquet", GOOD, "t", {}, ["is not a Parquet file"]),
    ("parquet-is-gzip", "t.parquet", gzip.compress(GOOD), "t", {}, ["is not a Parquet file", "gzip"]),
    ("parquet-truncated", "t.parquet", PQ[: len(PQ) // 2], "t", {}, ["cannot be read as Parquet"]),
    ("parquet-bad-footer", "t.parquet", PQ[:-12] + b"\x00" * 8 + b"PAR1", "t", {}, ["cannot be read as Parquet"]),
    ("parquet-magic-only", "t.parquet", b"PAR1", "t", {}, ["cannot be read as Parquet"]),
    ("parquet-empty", "t.parquet", b"", "t", {}, ["cannot be read as Parquet"]),
    ("pq-ext", "t.pq", b"garbage", "t", {}, ["is not a Parquet file"]),
    ("utf16-le-bom", "t.csv", GOOD.decode().encode("utf-16"), "t", {}, ["UTF-16 text", "encoding='utf-16'"]),
    ("utf16-be-bom", "t.csv", b"\xfe\xff" + GOOD.decode().encode("utf-16-be"), "t", {}, ["UTF-16 text"]),
    ("utf16-no-bom", "t.csv", GOOD.decode().encode("utf-16-le"), "t", {}, ["UTF-16 text"]),
    ("utf16-tsv", "t.tsv", GOOD.decode().replace(",", "\t").encode("utf-16"), "t", {}, ["UTF-16 text"]),
    ("utf16-accepted", "t.csv", GOOD.decode().encode("utf-16"), "t", {"encoding": "utf-16"},
     lambda f: f["amount"].tolist() == [10.5, 20.0]),
    ("gzip-in-csv", "t.csv", gzip.compress(GOOD), "t", {}, ["gzip-compressed data", ".csv.gz"]),
    ("gzip-in-txt", "t.txt", gzip.compress(GOOD), "t", {}, ["gzip-compressed data"]),
    ("xlsx-as-csv", "t.csv", _xlsx_bytes(), "t", {}, ["ZIP archive", "Excel", "CSV UTF-8"]),
    ("xls-as-csv", "t.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 200, "t", {}, ["Excel 97-2003"]),
    ("parquet-as-csv", "t.csv", PQ, "t", {}, ["a Parquet file", "rename it to end in .parquet"]),
    ("xlsx-as-csv-customers", "c.csv", _xlsx_bytes(), "c", {}, ["ZIP archive"]),
    ("xlsx-suffix", "t.xlsx", _xlsx_bytes(), "t", {}, ["unsupported file type"]),
    ("json-suffix", "t.json", b"{}", "t", {}, ["unsupported file type"]),
    # fields and headers
    ("ragged-row", "t.csv", _csv("C1,2024-01-05,10\nC2,2024-01-06,20,5\n"), "t", {},
     ["too many fields: line 3 has 4 fields, the header 3"]),
    ("ragged-row-late", "t.csv", _csv("C1,2024-01-05,1\nC2,2024-01-06,2\nC3,2024-01-07,3\nC4,2024-01-08,4,x\n"),
     "t", {}, ["too many fields: line 5"]),
    ("trailing-comma-every-row", "t.csv", _csv("C1,2024-01-05,10,\nC2,2024-01-06,20,\n"), "t", {},
     ["too many fields", "every data row has 4 fields, the header 3"]),
    ("trailing-comma-one-row", "t.csv", _csv("C1,2024-01-05,10\nC2,2024-01-06,20,\n"), "t", {},
     ["too many fields: line 3"]),
    ("ragged-tsv", "t.tsv", _csv("C1\t2024-01-05\t10\t9\n", "customer_id\tdate\tamount\nC0\t2024-01-04\t1\n"),
     "t", {}, ["too many fields: line 3"]),
    ("ragged-customers", "c.csv", b"customer_id,name\nC1,Ann\nC2,Bo,b\n", "c", {}, ["too many fields: line 3"]),
    ("dup-header-amount", "t.csv", _csv("C1,2024-01-05,10,11\n", "customer_id,date,amount,amount\n"), "t", {},
     ["column 'amount': appears 2 times in the header (columns 3, 4)"]),
    ("dup-header-id", "t.csv", _csv("C1,2024-01-05,10,C2\n", "customer_id,date,amount,customer_id\n"), "t", {},
     ["column 'customer_id': appears 2 times"]),
    ("dup-header-other", "t.csv", _csv("C1,2024-01-05,10,a,b\n", "customer_id,date,amount,store,store\n"), "t", {},
     ["column 'store': appears 2 times"]),
    ("dup-header-three", "t.csv", _csv("C1,2024-01-05,1,2,3\n", "customer_id,date,amount,amount,amount\n"), "t", {},
     ["appears 3 times", "columns 3, 4, 5"]),
    ("dup-header-customers", "c.csv", b"customer_id,name,name\nC1,a,b\n", "c", {}, ["column 'name': appears 2 times"]),
    ("dup-header-mapped", "t.csv", _csv("C1,2024-01-05,1,2\n", "id,date,total,total\n"), "t",
     {"customer_id": "id", "amount": "total"}, ["column 'total': appears 2 times"]),
    # dates
    ("date-9999", "t.csv", _csv("C1,2024-01-05,10\nC2,9999-12-31,20\n"), "t", {},
     ["implausible dates", "(line 3; value '9999-12-31')"]),
    ("date-2099", "t.csv", _csv("C1,2099-01-05,10\n"), "t", {}, ["implausible dates", "(line 2; value '2099-01-05')"]),
    ("date-1600", "t.csv", _csv("C1,1600-01-05,10\n"), "t", {}, ["implausible dates", "(line 2;"]),
    ("date-0001", "t.csv", _csv("C1,0001-01-01,10\n"), "t", {}, ["(line 2; value '0001-01-01')"]),
    ("date-1899", "t.csv", _csv("C1,1899-12-31,10\n"), "t", {}, ["implausible dates", "before 1900"]),
    ("date-1900-ok", "t.csv", _csv("C1,1900-01-01,10\n"), "t", {},
     lambda f: f["date"].tolist() == [pd.Timestamp("1900-01-01")]),
    ("date-next-year-ok", "t.csv", _csv(f"C1,{NEXT_YEAR}-12-31,10\n"), "t", {}, lambda f: len(f) == 1),
    ("date-in-two-years", "t.csv", _csv(f"C1,{NEXT_YEAR + 1}-01-01,10\n"), "t", {}, ["implausible dates"]),
    ("date-year-only", "t.csv", _csv("C1,2024,10\n"), "t", {}, ["incomplete dates", "(line 2; value '2024')"]),
    ("date-year-month", "t.csv", _csv("C1,2024-05,10\n"), "t", {}, ["incomplete dates", "(line 2; value '2024-05')"]),
    ("date-year-only-many", "t.csv", _csv("C1,2024,1\nC2,2023,2\nC3,2024-01-02,3\n"), "t", {},
     ["incomplete dates", "(2 lines: 2, 3;"]),
    ("date-with-format-ok", "t.csv", _csv("C1,05.01.2024,10\n"), "t", {"date_format": "%d.%m.%Y"},
     lambda f: f["date"].tolist() == [pd.Timestamp("2024-01-05")]),
    ("date-format-implausible", "t.csv", _csv("C1,05.01.2099,10\n"), "t", {"date_format": "%d.%m.%Y"},
     ["implausible dates"]),
    ("mixed-offsets", "t.csv", _csv("C1,2024-01-05T10:00+09:00,1\nC2,2024-01-06T10:00+01:00,2\n"), "t", {},
     ["column 'date': dates carry 2 different UTC offsets", "+09:00: line 2", "+01:00: line 3"]),
    ("three-offsets", "t.csv", _csv("C1,2024-01-05T10:00+09:00,1\nC2,2024-01-06T10:00+01:00,2\n"
                                    "C3,2024-01-07T10:00-05:00,3\nC4,2024-01-08T10:00+09:00,4\n"), "t", {},
     ["3 different UTC offsets", "+09:00: lines 2, 5"]),
    ("offset-and-z", "t.csv", _csv("C1,2024-01-05T10:00Z,1\nC2,2024-01-06T10:00+01:00,2\n"), "t", {},
     ["2 different UTC offsets", "Z: line 2"]),
    ("offset-and-none", "t.csv", _csv("C1,2024-01-05T10:00+09:00,1\nC2,2024-01-06T10:00,2\n"), "t", {},
     ["2 different UTC offsets", "none: line 3"]),
    ("one-2099-in-6919-lines", "t.csv",
     _csv("".join(f"C{i % 500},{dt.date(2024, 1, 1) + dt.timedelta(days=i % 300)},{i % 97 + 1}.{i % 7}\n"
                  if i != 4999 else f"C{i},2099-01-03,5\n" for i in range(6919))), "t", {"allow_duplicates": True},
     ["implausible dates", "(line 5001; value '2099-01-03')"]),
    ("registration-9999", "c.csv", b"customer_id,signup\nC1,9999-12-31\n", "c", {"registration_date": "signup"},
     ["column 'signup': implausible dates"]),
    ("registration-year-only", "c.csv", b"customer_id,signup\nC1,2020\n", "c", {"registration_date": "signup"},
     ["column 'signup': incomplete dates"]),
    # ids
    ("id-NA-kept", "t.csv", _csv("NA,2024-01-05,10\nC2,2024-01-06,20\n"), "t", {},
     lambda f: f["customer_id"].tolist() == ["NA", "C2"]),
    ("id-None-kept", "t.csv", _csv("None,2024-01-05,10\n"), "t", {}, lambda f: f["customer_id"].tolist() == ["None"]),
    ("id-null-kept", "t.csv", _csv("null,2024-01-05,10\n"), "t", {}, lambda f: f["customer_id"].tolist() == ["null"]),
    ("id-NULL-N/A-nan-kept", "t.csv", _csv("NULL,2024-01-05,1\nN/A,2024-01-05,2\nnan,2024-01-05,3\n"), "t", {},
     lambda f: f["customer_id"].tolist() == ["NULL", "N/A", "nan"]),
    ("id-empty-missing", "t.csv", _csv(",2024-01-05,10\n"), "t", {}, ["missing customer id (line 2)"]),
    ("id-spaces-missing", "t.csv", _csv("   ,2024-01-05,10\n"), "t", {}, ["missing customer id (line 2)"]),
    ("id-NA-customers", "c.csv", b"customer_id,name\nNA,Ann\nC2,Bo\n", "c", {},
     lambda f: f["customer_id"].tolist() == ["NA", "C2"]),
    ("id-NA-repeated", "c.csv", b"customer_id,name\nNA,Ann\nNA,Bo\n", "c", {},
     ["repeated customer ids", "(line 3; value 'NA')"]),
    ("id-parquet-float", "t.parquet", _parquet_bytes(pd.DataFrame(
        {"customer_id": [1.0, 2.0], "date": ["2024-01-05", "2024-01-06"], "amount": [1.0, 2.0]})), "t", {},
     lambda f: f["customer_id"].tolist() == ["1", "2"]),
    ("id-parquet-float-fraction", "t.parquet", _parquet_bytes(pd.DataFrame(
        {"customer_id": [1.0, 1.5], "date": ["2024-01-05", "2024-01-06"], "amount": [1.0, 2.0]})), "t", {},
     ["fractional part", "(row 2; value '1.5')"]),
    ("id-parquet-float-nan", "t.parquet", _parquet_bytes(pd.DataFrame(
        {"customer_id": [1.0, None], "date": ["2024-01-05", "2024-01-06"], "amount": [1.0, 2.0]})), "t", {},
     ["missing customer id (row 2)"]),
    ("id-parquet-int", "t.parquet", _parquet_bytes(pd.DataFrame(
        {"customer_id": [7, 8], "date": ["2024-01-05", "2024-01-06"], "amount": [1.0, 2.0]})), "t", {},
     lambda f: f["customer_id"].tolist() == ["7", "8"]),
    ("id-parquet-float-customers", "c.parquet", _parquet_bytes(pd.DataFrame({"customer_id": [3.0, 4.0]})), "c", {},
     lambda f: f["customer_id"].tolist() == ["3", "4"]),
    ("id-parquet-float-repeated", "c.parquet", _parquet_bytes(pd.DataFrame({"customer_id": [3.0, 3.0]})), "c", {},
     ["repeated customer ids", "(row 2; value '3')"]),
    ("id-leading-zeros", "t.csv", _csv("007,2024-01-05,1\n"), "t", {}, lambda f: f["customer_id"].tolist() == ["007"]),
    # duplicates
    ("dup-id-whitespace", "t.csv", _csv("C1,2024-01-05,10\n C1 ,2024-01-05,10\n"), "t", {},
     ["duplicate rows", "(line 3)"]),
    ("dup-amount-10.50", "t.csv", _csv("C1,2024-01-05,10.50\nC1,2024-01-05,10.5\n"), "t", {},
     ["duplicate rows", "(line 3)"]),
    ("dup-amount-10.0", "t.csv", _csv("C1,2024-01-05,10\nC1,2024-01-05,10.0\n"), "t", {}, ["duplicate rows"]),
    ("dup-amount-spaces", "t.csv", _csv("C1,2024-01-05,10\nC1,2024-01-05, 10 \n"), "t", {}, ["duplicate rows"]),
    ("dup-other-whitespace", "t.csv", _csv("C1,2024-01-05,10,Seoul\nC1,2024-01-05,10,Seoul \n",
                                           "customer_id,date,amount,store\n"), "t", {}, ["duplicate rows"]),
    ("dup-date-with-midnight", "t.csv", _csv("C1,2024-01-05,10\nC1,2024-01-05 00:00:00,10\n"), "t", {},
     ["duplicate rows"]),
    ("dup-date-spaces", "t.csv", _csv("C1,2024-01-05,10\nC1, 2024-01-05,10\n"), "t", {}, ["duplicate rows"]),
    ("dup-allowed", "t.csv", _csv("C1,2024-01-05,10.50\nC1,2024-01-05,10.5\n"), "t", {"allow_duplicates": True},
     lambda f: len(f) == 2),
    ("not-dup-other-column", "t.csv", _csv("C1,2024-01-05,10,a\nC1,2024-01-05,10,b\n",
                                           "customer_id,date,amount,store\n"), "t", {}, lambda f: len(f) == 2),
    ("not-dup-amount", "t.csv", _csv("C1,2024-01-05,10.5\nC1,2024-01-05,10.05\n"), "t", {}, lambda f: len(f) == 2),
    ("dup-customers-whitespace", "c.csv", b"customer_id\nC1\n C1\n", "c", {}, ["repeated customer ids"]),
    # numbers: thousands and decimal marks are parsed exactly or refused, never misread
    ("thousands-eu-1.234", "t.csv", b"customer_id;date;amount\nC1;2024-01-05;1.234\n", "t",
     {"sep": ";", "decimal": ","}, ("exact_or_refused", 1234.0)),
    ("thousands-eu-1.234,50", "t.csv", b"customer_id;date;amount\nC1;2024-01-05;1.234,50\n", "t",
     {"sep": ";", "decimal": ","}, ("exact_or_refused", 1234.5)),
    ("thousands-eu-12.345.678", "t.csv", b"customer_id;date;amount\nC1;2024-01-05;12.345.678\n", "t",
     {"sep": ";", "decimal": ","}, ("exact_or_refused", 12345678.0)),
    ("thousands-space", "t.csv", b"customer_id;date;amount\nC1;2024-01-05;1 234,50\n", "t",
     {"sep": ";", "decimal": ","}, ("exact_or_refused", 1234.5)),
    ("thousands-us", "t.csv", b'customer_id,date,amount\nC1,2024-01-05,"1,234.50"\n', "t", {},
     ("exact_or_refused", 1234.5)),
    ("thousands-swiss", "t.csv", b"customer_id,date,amount\nC1,2024-01-05,1'234.50\n", "t", {},
     ("exact_or_refused", 1234.5)),
    ("thousands-eu-declared", "t.csv", b"customer_id;date;amount\nC1;2024-01-05;1.234,50\n", "t",
     {"sep": ";", "decimal": ",", "thousands": "."}, ("exact_or_refused", 1234.5)),
    ("thousands-eu-declared-1.234", "t.csv", b"customer_id;date;amount\nC1;2024-01-05;1.234\n", "t",
     {"sep": ";", "decimal": ",", "thousands": "."}, ("exact_or_refused", 1234.0)),
    ("decimal-comma-ok", "t.csv", b"customer_id;date;amount\nC1;2024-01-05;10,5\n", "t",
     {"sep": ";", "decimal": ","}, ("exact_or_refused", 10.5)),
    ("amount-nan-text", "t.csv", _csv("C1,2024-01-05,nan\n"), "t", {}, ["non-numeric or infinite amounts"]),
    ("amount-NA-text", "t.csv", _csv("C1,2024-01-05,NA\n"), "t", {}, ["(line 2; value 'NA')"]),
    ("amount-inf", "t.csv", _csv("C1,2024-01-05,-inf\n"), "t", {}, ["non-numeric or infinite amounts"]),
    ("amount-1e309", "t.csv", _csv("C1,2024-01-05,1e309\n"), "t", {}, ["non-numeric or infinite amounts"]),
]

def _write_input(tmp_path: Path, name: str, content: Any) -> Path:
    path = tmp_path / name
    if content == "DIR":
        path.mkdir()
    elif content is not None:
        path.write_bytes(content)
    return path


@pytest.mark.parametrize(("case", "name", "content", "loader", "kwargs", "expected"), LOADER_CASES,
                         ids=[c[0] for c in LOADER_CASES])
def test_loader_corpus(tmp_path, case, name, content, loader, kwargs, expected):
    path = _write_input(tmp_path, name, content)
    before = path.read_bytes() if path.is_file() else None
    load = load_transactions if loader == "t" else load_customers
    if isinstance(expected, list):
        with pytest.raises(DataValidationError) as caught:
            load(path, **kwargs)
        message = str(caught.value)
        assert message.startswith(str(path)), message
        for fragment in expected:
            assert fragment in message, message
        assert "Traceback" not in message
    elif isinstance(expected, tuple):
        try:
            frame = load(path, **kwargs)
        except DataValidationError as refused:
            assert "amount" in str(refused)
        else:
            assert frame["amount"].tolist() == [expected[1]]
    else:
        assert expected(load(path, **kwargs))
    if before is not None:
        assert path.read_bytes() == before  # files are only read


# --------------------------------------------------------------------------- command line
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
PARAMS = (
    'seed: int = 3  # random seed [0, 4294967295]\n'
    'as_of: str = ""  # last day of data used (ISO date); empty: the data\'s last day\n'
    'rate: float = 0.5  # a share [0, 1]\n'
    'gain: float = 1.0  # a positive factor (0, inf)\n'
    'n: int = 10  # a count [1, inf)\n'
    'unit: str = "W"  # time unit {D, W, M}\n'
    'label: str = "x"  # free text\n'
    'flag: bool = True  # a switch\n'
    'weights: list = []  # weights\n'
    'opts: dict = {}  # options'
)


def make_notebook(path: Path, body: str = "record('seed', seed)", params: str = PARAMS,
                  title: str = "Demo") -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = KERNELSPEC
    cell = nbformat.v4.new_code_cell(params)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {title}"), cell,
                nbformat.v4.new_code_cell("from crm_analysis.results import record"),
                nbformat.v4.new_code_cell(body)]
    nbformat.write(nb, str(path))
    return path


@pytest.fixture(scope="module")
def nb_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("corpus_notebooks")
    make_notebook(d / "01_alpha.ipynb")
    make_notebook(d / "02_beta.ipynb")
    return d


@pytest.fixture
def recorder(monkeypatch):
    """Replace the renderer: record what would run, write nothing."""
    calls: list[dict] = []

    def fake_render(chosen, plan, as_of, output_dir, **kw):
        calls.append({"names": [i.name for i in chosen], "plan": plan, "as_of": as_of})
        return {"notebooks": [{"name": i.name, "status": "ok"} for i in chosen]}

    monkeypatch.setattr("crm_analysis.report.render", fake_render)
    return calls


def _yaml(tmp_path: Path, data: bytes | str, name: str = "p.yaml") -> str:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return str(path)


TODAY = dt.date.today().isoformat()
# (id, arguments after `render` (callable of tmp_path for files), expected exit code,
#  message fragments on stderr, or a check of the recorded call)
CLI_CASES: list[tuple[str, Callable[[Path], list[str]], int, Any]] = [
    ("p-nan", lambda t: ["-p", "rate", "nan"], 2, ["-p rate nan", "01_alpha", "'rate'", "not a finite number", "[0, 1]"]),
    ("p-inf", lambda t: ["-p", "rate", "inf"], 2, ["not a finite number", "[0, 1]"]),
    ("p-plus-inf", lambda t: ["-p", "rate", "+inf"], 2, ["not a finite number"]),
    ("p-1e309", lambda t: ["-p", "rate", "1e309"], 2, ["-p rate 1e309", "not a finite number"]),
    ("p-NaN-caps", lambda t: ["-p", "gain", "NaN"], 2, ["not a finite number", "(0, inf)"]),
    ("p-below-range", lambda t: ["-p", "rate", "-0.3"], 2, ["'rate'", "-0.3 is outside the allowed range [0, 1]"]),
    ("p-above-range", lambda t: ["-p", "rate", "1.5"], 2, ["outside the allowed range [0, 1]"]),
    ("p-at-upper", lambda t: ["-p", "rate", "1"], 0, lambda c: c[0]["plan"]["01_alpha"]["rate"] == 1.0),
    ("p-at-lower", lambda t: ["-p", "rate", "0"], 0, lambda c: c[0]["plan"]["02_beta"]["rate"] == 0.0),
    ("p-open-lower", lambda t: ["-p", "gain", "0"], 2, ["outside the allowed range (0, inf)"]),
    ("p-int-below", lambda t: ["-p", "n", "0"], 2, ["'n'", "outside the allowed range [1, inf)"]),
    ("p-int-float", lambda t: ["-p", "n", "1.5"], 2, ["-p n 1.5", "invalid literal"]),
    ("p-seed-negative", lambda t: ["-p", "seed", "-1"], 2, ["[0, 4294967295]"]),
    ("p-seed-huge", lambda t: ["-p", "seed", str(2 ** 32)], 2, ["[0, 4294967295]"]),
    ("p-choice-bad", lambda t: ["-p", "unit", "Q"], 2, ["'unit'", "'Q' is not one of the allowed {D, W, M}"]),
    ("p-choice-case", lambda t: ["-p", "unit", "w"], 2, ["{D, W, M}"]),
    ("p-choice-ok", lambda t: ["-p", "unit", "M"], 0, lambda c: c[0]["plan"]["01_alpha"]["unit"] == "M"),
    ("p-list-nan", lambda t: ["-p", "weights", "[1, .nan]"], 2, ["not a finite number"]),
    ("p-dict-inf", lambda t: ["-p", "opts", "{a: .inf}"], 2, ["not a finite number"]),
    ("p-bool-bad", lambda t: ["-p", "flag", "maybe"], 2, ["not a bool"]),
    ("p-unknown", lambda t: ["-p", "rat", "0.1"], 2, ["no selected notebook has a parameter 'rat'", "'rate'"]),
    ("p-free-text-newline", lambda t: ["-p", "label", "a\n\n[x](javascript:alert(1))"], 0,
     lambda c: c[0]["plan"]["01_alpha"]["label"].startswith("a\n")),
    ("yaml-nan", lambda t: ["-f", _yaml(t, "defaults:\n  rate: .nan\n")], 2, ["p.yaml", "'rate'", "not a finite number"]),
    ("yaml-inf", lambda t: ["-f", _yaml(t, "01_alpha:\n  rate: .inf\n")], 2, ["not a finite number"]),
    ("yaml-minus-inf", lambda t: ["-f", _yaml(t, "01_alpha:\n  gain: -.inf\n")], 2, ["not a finite number"]),
    ("yaml-range", lambda t: ["-f", _yaml(t, "01_alpha:\n  rate: 2\n")], 2, ["p.yaml", "01_alpha", "outside the allowed range"]),
    ("yaml-choice", lambda t: ["-f", _yaml(t, "defaults:\n  unit: Q\n")], 2, ["{D, W, M}"]),
    ("yaml-list-nan", lambda t: ["-f", _yaml(t, "defaults:\n  weights: [1, .nan]\n")], 2, ["not a finite number"]),
    ("yaml-dup-key", lambda t: ["-f", _yaml(t, "01_alpha:\n  seed: 1\n  seed: 2\n")], 2,
     ["key 'seed' appears twice", "line 2 and line 3"]),
    ("yaml-dup-section", lambda t: ["-f", _yaml(t, "01_alpha:\n  seed: 1\n01_alpha:\n  rate: 0.2\n")], 2,
     ["key '01_alpha' appears twice"]),
    ("yaml-dup-defaults", lambda t: ["-f", _yaml(t, "defaults:\n  seed: 1\ndefaults:\n  seed: 2\n")], 2, ["appears twice"]),
    ("yaml-utf16-bom", lambda t: ["-f", _yaml(t, "defaults:\n  seed: 1\n".encode("utf-16"))], 2, ["UTF-16", "save it as UTF-8"]),
    ("yaml-utf16-no-bom", lambda t: ["-f", _yaml(t, "defaults:\n  seed: 1\n".encode("utf-16-le"))], 2, ["UTF-16"]),
    ("yaml-latin1", lambda t: ["-f", _yaml(t, "defaults:\n  label: K\xf6ln\n".encode("latin-1"))], 2,
     ["not UTF-8 text", "line 2", "0xf6"]),
    ("yaml-utf8-bom-ok", lambda t: ["-f", _yaml(t, "\ufeffdefaults:\n  seed: 5\n")], 0,
     lambda c: c[0]["plan"]["01_alpha"]["seed"] == 5),
    ("yaml-syntax", lambda t: ["-f", _yaml(t, "defaults:\n  seed: [1\n")], 2, ["cannot read the parameters file"]),
    ("yaml-list", lambda t: ["-f", _yaml(t, "- 1\n- 2\n")], 2, ["expected sections"]),
    ("yaml-missing", lambda t: ["-f", str(t / "none.yaml")], 2, ["parameters file not found"]),
    ("yaml-folder", lambda t: ["-f", str(t)], 2, ["parameters file not found"]),
    ("yaml-unknown-section", lambda t: ["-f", _yaml(t, "09_zeta:\n  seed: 1\n")], 2, ["09_zeta"]),
    ("yaml-wrong-type", lambda t: ["-f", _yaml(t, "01_alpha:\n  seed: '7'\n")], 2, ["expected int"]),
    ("as-of-compact", lambda t: ["--as-of", "20250630"], 2, ["--as-of '20250630' is not a date written YYYY-MM-DD"]),
    ("as-of-feb-30", lambda t: ["--as-of", "2025-02-30"], 2, ["YYYY-MM-DD"]),
    ("as-of-no-padding", lambda t: ["--as-of", "2025-6-30"], 2, ["YYYY-MM-DD"]),
    ("as-of-slashes", lambda t: ["--as-of", "30/06/2025"], 2, ["YYYY-MM-DD"]),
    ("as-of-space", lambda t: ["--as-of", "2025-06-30 "], 2, ["YYYY-MM-DD"]),
    ("as-of-week", lambda t: ["--as-of", "2025-W26"], 2, ["YYYY-MM-DD"]),
    ("p-as-of-compact", lambda t: ["-p", "as_of", "20250630"], 2, ["'as_of'", "not a date written YYYY-MM-DD"]),
    ("p-as-of-bad-day", lambda t: ["-p", "as_of", "2025-02-30"], 2, ["not a date written YYYY-MM-DD"]),
    ("p-as-of-honoured", lambda t: ["-p", "as_of", "2025-06-30"], 0,
     lambda c: c[0]["as_of"] == "2025-06-30" and c[0]["plan"]["02_beta"]["as_of"] == "2025-06-30"),
    ("yaml-as-of-honoured", lambda t: ["-f", _yaml(t, "defaults:\n  as_of: 2025-03-31\n")], 0,
     lambda c: c[0]["as_of"] == "2025-03-31" and c[0]["plan"]["01_alpha"]["as_of"] == "2025-03-31"),
    ("yaml-section-as-of", lambda t: ["-f", _yaml(t, "01_alpha:\n  as_of: 2025-03-31\n")], 0,
     lambda c: c[0]["as_of"] == "2025-03-31" and c[0]["plan"]["02_beta"]["as_of"] == "2025-03-31"),
    ("as-of-conflict-p", lambda t: ["-p", "as_of", "2025-01-31", "--as-of", "2025-06-30"], 2,
     ["'2025-01-31'", "--as-of is '2025-06-30'", "give the date once"]),
    ("as-of-conflict-yaml", lambda t: ["-f", _yaml(t, "defaults:\n  as_of: 2025-01-31\n"), "--as-of", "2025-06-30"], 2,
     ["give the date once"]),
    ("as-of-same-twice", lambda t: ["-p", "as_of", "2025-06-30", "--as-of", "2025-06-30"], 0,
     lambda c: c[0]["as_of"] == "2025-06-30"),
    ("as-of-two-dates", lambda t: ["-f", _yaml(t, "01_alpha:\n  as_of: 2025-01-31\n02_beta:\n  as_of: 2025-02-28\n")], 2,
     ["different as_of dates", "01_alpha: 2025-01-31"]),
    ("as-of-empty-is-today", lambda t: ["-p", "as_of", ""], 0, lambda c: c[0]["as_of"] == TODAY),
    ("as-of-default-today", lambda t: [], 0,
     lambda c: c[0]["as_of"] == TODAY and c[0]["plan"]["01_alpha"]["as_of"] == TODAY),
    ("as-of-flag-sets-all", lambda t: ["--as-of", "2024-12-31"], 0,
     lambda c: {p["as_of"] for p in c[0]["plan"].values()} == {"2024-12-31"}),
    ("jobs-zero", lambda t: ["--jobs", "0"], 2, ["--jobs must be at least 1"]),
    ("timeout-zero", lambda t: ["--timeout", "0"], 2, ["--timeout"]),
    ("timeout-negative", lambda t: ["--timeout", "-5"], 2, ["--timeout"]),
    ("timeout-nan", lambda t: ["--timeout", "nan"], 2, ["--timeout"]),
    ("same-notebook-twice", lambda t: ["01_alpha", "01_alpha"], 0, lambda c: c[0]["names"] == ["01_alpha"]),
    ("unknown-notebook", lambda t: ["01_alpah"], 2, ["no notebook named '01_alpah'", "Did you mean '01_alpha'?"]),
    ("output-dir-is-file", lambda t: ["--output-dir", _yaml(t, "x", "file.txt")], 2, ["is a file, not a folder"]),
    ("output-dir-read-only", lambda t: ["--output-dir", "/proc/1"], 2, ["cannot be written to"]),
    ("output-dir-under-file", lambda t: ["--output-dir", _yaml(t, "x", "f.txt") + "/sub"], 2, ["cannot be written to"]),
]


@pytest.mark.parametrize(("case", "args", "code", "expected"), CLI_CASES, ids=[c[0] for c in CLI_CASES])
def test_command_line_corpus(nb_dir, tmp_path, capsys, recorder, case, args, code, expected):
    out = tmp_path / "reports"
    argv = ["--notebook-dir", str(nb_dir), "render", "--output-dir", str(out)] + args(tmp_path)
    if "--output-dir" in args(tmp_path):
        argv = ["--notebook-dir", str(nb_dir), "render"] + args(tmp_path)
    assert cli.main(argv) == code
    err = capsys.readouterr().err
    if code == 2:
        assert not recorder and "Traceback" not in err
        for fragment in expected:
            assert fragment in err, err
    else:
        assert len(recorder) == 1 and expected(recorder), recorder


NB_DIR_CASES = [
    ("dir-missing", lambda t: [str(t / "nope")], ["--notebook-dir", "does not exist"]),
    ("dir-is-file", lambda t: [_yaml(t, "x", "f.txt")], ["is not a folder"]),
    ("dir-empty", lambda t: [str(t)], ["holds no notebook"]),
    ("dir-non-json", lambda t: [str(_nb_folder(t, b"not json at all"))], ["03_bad.ipynb", "not a Jupyter notebook"]),
    ("dir-truncated-json", lambda t: [str(_nb_folder(t, b'{"cells": ['))], ["not a Jupyter notebook"]),
    ("dir-binary", lambda t: [str(_nb_folder(t, b"\xff\xfe\x00\x01"))], ["03_bad.ipynb"]),
    ("dir-bad-range", lambda t: [str(_nb_folder(t, None, 'rate: float = 0.5  # a share [1, 0]'))],
     ["'rate'", "low > high"]),
]


def _nb_folder(tmp_path: Path, content: bytes | None, params: str = PARAMS) -> Path:
    folder = tmp_path / "nbs"
    folder.mkdir()
    if content is None:
        make_notebook(folder / "03_bad.ipynb", params=params)
    else:
        (folder / "03_bad.ipynb").write_bytes(content)
    return folder


@pytest.mark.parametrize("command", ["render", "list"])
@pytest.mark.parametrize(("case", "folder", "fragments"), NB_DIR_CASES, ids=[c[0] for c in NB_DIR_CASES])
def test_notebook_folder_corpus(tmp_path, capsys, recorder, command, case, folder, fragments):
    argv = ["--notebook-dir", *folder(tmp_path), command]
    if command == "render":
        argv += ["--output-dir", str(tmp_path / "reports")]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and not recorder
    for fragment in fragments:
        assert fragment in err, err
    assert not (tmp_path / "reports").exists()


def test_non_json_notebook_path_and_two_files_with_one_name(tmp_path, nb_dir, capsys, recorder):
    bad = tmp_path / "05_broken.ipynb"
    bad.write_text("print('not a notebook')")
    assert cli.main(["--notebook-dir", str(nb_dir), "render", str(bad)]) == 2
    assert "not a Jupyter notebook" in capsys.readouterr().err
    other = tmp_path / "other"
    other.mkdir()
    make_notebook(other / "01_alpha.ipynb")
    assert cli.main(["--notebook-dir", str(nb_dir), "render", "01_alpha", str(other / "01_alpha.ipynb")]) == 2
    assert "two notebooks are named 01_alpha" in capsys.readouterr().err
    assert cli.main(["--notebook-dir", str(nb_dir), "render", "01_alpha", str(nb_dir / "01_alpha.ipynb")]) == 0
    assert recorder[-1]["names"] == ["01_alpha"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_output_folder(nb_dir, tmp_path, capsys, recorder):
    out = tmp_path / "ro"
    out.mkdir()
    out.chmod(0o555)
    assert cli.main(["--notebook-dir", str(nb_dir), "render", "--output-dir", str(out)]) == 2
    assert "cannot be written to" in capsys.readouterr().err


# The workbook's own notebooks: every numeric parameter declares a range, defaults obey
# their declarations, and bad values are refused naming notebook, parameter and range.
REAL = {info.name: info for info in discover_notebooks()}


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_notebooks_declare_ranges_their_defaults_obey(name):
    from crm_analysis.notebook_params import check_value

    for p in REAL[name].parameters.values():
        if p.type in ("int", "float"):
            assert p.constraint is not None, f"{name}: {p.name} has no [low, high] in its help"
        check_value(p.default, p.type, p.constraint, p.name)


REAL_CASES = [
    ("01_crm_vs_mass_marketing", "margin_rate", "nan", ["not a finite number", "[0, 1]"]),
    ("01_crm_vs_mass_marketing", "margin_rate", "-0.3", ["outside the allowed range [0, 1]"]),
    ("01_crm_vs_mass_marketing", "target_share", "0", ["(0, 1]"]),
    ("03_lifetime_value", "time_unit", "Q", ["{D, W, M}"]),
    ("03_lifetime_value", "margin", "inf", ["not a finite number"]),
    ("04_target_customer_selection", "hillstrom_outcome", "spend", ["{visit, conversion}"]),
    ("04_target_customer_selection", "test_share", "1", ["(0, 1)"]),
    ("06_offer_design", "margin_rate", "1e309", ["not a finite number"]),
    ("07_loyalty_program_effectiveness", "reward_rate", "-0.01", ["[0, 1]"]),
    ("08_case_progressive_risk_segmentation", "data_source", "fremtpl", ["{synthetic, mass_insurance, fremtpl2}"]),
]


@pytest.mark.parametrize(("name", "key", "value", "fragments"), REAL_CASES,
                         ids=[f"{c[0][:2]}-{c[1]}-{c[2]}" for c in REAL_CASES])
def test_real_notebook_parameters_refused(capsys, recorder, tmp_path, name, key, value, fragments):
    assert cli.main(["render", name, "-p", key, value, "--output-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    for fragment in [name, f"'{key}'", value] + fragments:
        assert fragment in err, err


# --------------------------------------------------------------------------- report header
HOSTILE = [
    "[x](javascript:alert(1))",
    "![x](http://host/t.png)",
    "ok\n\n[x](javascript:alert(1))",
    "ok\n\n![x](http://host/t.png)",
    "ok\r\n\r\n![x](http://host/t.png)",
    "</code></td></tr></table></details></div>\n\n[x](javascript:alert(1))",
    "<script>alert(1)</script>",
    "<img src=http://host/t.png>",
    "\n\n    <a href='javascript:alert(1)'>x</a>",
    "<http://host/t.png>",
    "[x]: javascript:alert(1)\n\n[x]",
    "ok\n\n<iframe src=http://host></iframe>",
]
POSITIONS = ["parameter", "error", "data_source"]


def _hostile_run(text: str, where: str) -> NotebookRun:
    params = {"seed": 1, "label": text if where == "parameter" else "x"}
    return NotebookRun(
        name="01_alpha", title="Demo", status="ok" if where != "error" else "failed", duration_s=1.0,
        parameters=params, overrides={"label": params["label"]},
        results={"data_source_used": {"value": text}} if where == "data_source" else {},
        error={"ename": "ValueError", "evalue": text} if where == "error" else None)


CONTEXT = {"as_of": "2024-06-30", "rendered_at": "2024-06-30T06:00:00+00:00", "package_version": "0",
           "git_commit": None}


class _Tags(HTMLParser):
    """Active elements of an HTML fragment as a browser parses it: embedding tags and
    every link or source other than the header's own link to the run index."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("img", "script", "iframe", "object", "embed", "svg", "form"):
            self.found.append(tag)
        for key, value in attrs:
            if key in ("href", "src", "srcset", "action") and value != "index.html":
                self.found.append(f"{key}={value}")
            if key.startswith("on"):
                self.found.append(key)


def _active(html_text: str) -> list[str]:
    parser = _Tags()
    parser.feed(html_text)
    parser.close()
    return parser.found


@pytest.mark.parametrize("where", POSITIONS)
@pytest.mark.parametrize("text", HOSTILE, ids=[f"h{i}" for i in range(len(HOSTILE))])
def test_header_carries_no_active_content(text, where):
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    header = header_html(_hostile_run(text, where), CONTEXT)
    assert "\n" not in header and "\r" not in header
    assert not _active(header)
    assert not _active(markdown2html_mistune(header)), "a Markdown renderer made it live"


def test_header_states_the_data_actually_used_after_a_fallback():
    from crm_analysis.report.export import data_sources

    run = NotebookRun(name="08", title="t", status="ok", duration_s=1, parameters={"data_source": "fremtpl2"},
                      overrides={"data_source": "fremtpl2"},
                      results={"data_source_used": {"value": "synthetic"}})
    assert data_sources(run) == ["data_source = fremtpl2 (requested)", "used: synthetic"]


# --------------------------------------------------------------------------- run pipeline
def _fake_execute(fail: dict[str, BaseException] | None = None, delay: float = 0.0):
    """Stand-in for a kernel: writes a small executed notebook recording ``seed``."""
    def run(info, overrides, output, timeout=None):
        time.sleep(delay)
        if fail and info.name in fail:
            raise fail[info.name]
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_markdown_cell(f"# {info.name}")]
        nbformat.write(nb, str(output))
        return NotebookRun(name=info.name, title=info.title, status="ok", duration_s=0.1,
                           parameters=dict(overrides), overrides=dict(overrides),
                           results={"seed": {"value": overrides.get("seed"), "unit": None, "note": None}},
                           ipynb=output.name)
    return run


def _manifest(out: Path, as_of: str = "2024-06-30") -> dict:
    return json.loads((out / as_of / "manifest.json").read_text())


def _render(nb_dir, out, names, seed, as_of="2024-06-30", messages=None):
    infos = [i for i in discover_notebooks(nb_dir) if i.name in names]
    return runner.render(infos, {i.name: {"seed": seed} for i in infos}, as_of, out,
                         progress=(messages.append if messages is not None else lambda m: None))


def _index_links_resolve(out: Path) -> bool:
    import re

    text = (out / "index.html").read_text()
    return all((out / link).is_file() for link in re.findall(r'href="([^"]+)"', text))


def test_concurrent_renders_into_one_folder_lose_nothing(nb_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(execute_module, "execute_notebook", _fake_execute(delay=0.5))
    messages: list[str] = []
    first = threading.Thread(target=_render, args=(nb_dir, tmp_path, ["01_alpha"], 1, "2024-06-30", messages))
    first.start()
    time.sleep(0.2)
    _render(nb_dir, tmp_path, ["02_beta"], 2, messages=messages)
    first.join()
    seeds = {nb["name"]: nb["results"]["seed"]["value"] for nb in _manifest(tmp_path)["notebooks"]}
    assert seeds == {"01_alpha": 1, "02_beta": 2}
    assert any(m.startswith("Waiting:") and "in use by" in m for m in messages)
    assert _index_links_resolve(tmp_path)


def test_stale_builds_are_cleaned_and_moved_aside_runs_restored(nb_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(execute_module, "execute_notebook", _fake_execute())
    _render(nb_dir, tmp_path, ["01_alpha", "02_beta"], 1, as_of="2024-05-31")
    # what killed renders leave: an unpublished build, a hidden temp folder, an older
    # version's run moved aside between its two renames, and a dangling link
    (tmp_path / ".tmp-2024-06-30-deadbeef").mkdir()
    (tmp_path / runner.RUNS / "2024-06-30-cafecafe").mkdir()
    target = os.readlink(tmp_path / "2024-05-31")
    os.replace(tmp_path / target, tmp_path / ".old-2024-04-30-abcdef12")
    (tmp_path / "2024-05-31").unlink()
    os.symlink(".runs/2024-03-31-gone", tmp_path / "2024-03-31")
    _render(nb_dir, tmp_path, ["01_alpha"], 7)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [".crm-workbook.lock", runner.RUNS, "2024-04-30", "2024-06-30", "index.html"]
    assert (tmp_path / "2024-04-30" / "manifest.json").is_file()  # restored, not lost
    assert len(list((tmp_path / runner.RUNS).iterdir())) == 1
    assert _index_links_resolve(tmp_path)


def test_run_folder_of_an_older_version_is_kept_and_published_by_link(nb_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(execute_module, "execute_notebook", _fake_execute())
    _render(nb_dir, tmp_path, ["01_alpha", "02_beta"], 1)
    real = tmp_path / "2024-06-30"
    os.replace(tmp_path / os.readlink(real), tmp_path / "legacy")
    real.unlink()
    os.replace(tmp_path / "legacy", real)  # a plain folder, as older versions wrote
    _render(nb_dir, tmp_path, ["02_beta"], 5)
    seeds = {nb["name"]: nb["results"]["seed"]["value"] for nb in _manifest(tmp_path)["notebooks"]}
    assert seeds == {"01_alpha": 1, "02_beta": 5} and real.is_symlink()


def test_full_disk_in_one_notebook_keeps_and_publishes_the_others(nb_dir, tmp_path, monkeypatch):
    full = OSError(28, "No space left on device")
    full.filename = "02_beta.ipynb"
    monkeypatch.setattr(execute_module, "execute_notebook", _fake_execute())
    real_export = runner.export_html

    def export(executed, target, run, context, show_code):
        if run.name == "02_beta":
            raise full
        return real_export(executed, target, run, context, show_code)

    monkeypatch.setattr(runner, "export_html", export)
    manifest = _render(nb_dir, tmp_path, ["01_alpha", "02_beta"], 3)
    by_name = {nb["name"]: nb for nb in manifest["notebooks"]}
    assert by_name["01_alpha"]["status"] == "ok" and (tmp_path / "2024-06-30" / "01_alpha.html").is_file()
    assert by_name["02_beta"]["error"]["evalue"].startswith("No space left on device")


def test_full_disk_at_publishing_says_so_and_keeps_what_completed(nb_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(execute_module, "execute_notebook", _fake_execute())

    def no_space(run_dir, manifest):
        raise OSError(28, "No space left on device", str(run_dir / "manifest.json"))

    monkeypatch.setattr(runner, "write_manifest", no_space)
    code = cli.main(["--notebook-dir", str(nb_dir), "render", "--output-dir", str(tmp_path),
                     "--as-of", "2024-06-30"])
    err = capsys.readouterr().err
    assert code == 1 and "No space left on device" in err and "Traceback" not in err
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("incomplete-")]
    assert len(kept) == 1 and (kept[0] / "01_alpha.html").is_file() and (kept[0] / "02_beta.ipynb").is_file()
    assert str(kept[0]) in err and not (tmp_path / "2024-06-30").exists()


def test_ctrl_c_publishes_nothing(nb_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(execute_module, "execute_notebook", _fake_execute(fail={"02_beta": KeyboardInterrupt()}))
    code = cli.main(["--notebook-dir", str(nb_dir), "render", "--output-dir", str(tmp_path), "--as-of", "2024-06-30"])
    assert code == 130 and "interrupted; nothing was published" in capsys.readouterr().err
    assert not os.path.lexists(tmp_path / "2024-06-30")
    assert not list((tmp_path / runner.RUNS).iterdir())


def test_bad_cache_path_makes_fetched_data_unavailable_not_a_crash(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    cache.write_text("a file, not a folder")
    monkeypatch.delenv("CRM_WORKBOOK_DATA", raising=False)
    monkeypatch.setenv("CRM_WORKBOOK_CACHE", str(cache))
    with pytest.raises(DataUnavailableError, match="cannot be used"):
        fetch_hillstrom()


# --------------------------------------------------------------------------- real kernels
@pytest.fixture(scope="module")
def kernel_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("kernel_notebooks")
    make_notebook(d / "01_quick.ipynb", "record('label', label)")
    make_notebook(d / "02_sleepy.ipynb", "import time\ntime.sleep(60)")
    return d


def test_timeout_and_hostile_text_through_real_kernels(kernel_dir, tmp_path, capfd):
    hostile = "ok\n\n[x](javascript:alert(1)) ![x](http://host/t.png)"
    code = cli.main(["--notebook-dir", str(kernel_dir), "render", "--output-dir", str(tmp_path),
                     "--as-of", "2024-06-30", "--timeout", "1", "--jobs", "2", "-p", "label", hostile])
    captured = capfd.readouterr()
    assert code == 1
    assert "a cell ran longer than --timeout 1 s" in captured.err
    for noise in ("ZMQError", "Traceback", "KeyboardInterrupt caught", "Task was destroyed"):
        assert noise not in captured.err + captured.out, noise
    page = (tmp_path / "2024-06-30" / "01_quick.html").read_text()
    start = page.index('<div class="crm-report-header"')
    header = page[start:page.index("</ul></div>", start)]
    assert "[x](javascript:alert(1))" in header  # shown as text ...
    assert not _active(header)  # ... never as a link or an image
    assert not [a for a in _active(page) if "host" in a or "javascript" in a]
    leftovers = [p for p in Path(os.environ.get("TMPDIR", "/tmp")).glob(f"crm-workbook-{os.getpid()}-*")]
    assert not leftovers, "kernel socket folders left behind"


@pytest.mark.skipif(os.name != "posix", reason="signals")
def test_ctrl_c_stops_kernels_within_two_seconds(kernel_dir, tmp_path):
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    proc = subprocess.Popen(
        [sys.executable, "-m", "crm_analysis.cli", "--notebook-dir", str(kernel_dir), "render",
         "02_sleepy", "01_quick", "--output-dir", str(tmp_path), "--as-of", "2024-06-30"],
        env=env, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    line = ""
    while "started 02_sleepy" not in line and time.monotonic() < deadline:
        line = proc.stderr.readline()
    time.sleep(3)  # the kernel is up and sleeping in its cell
    proc.send_signal(signal.SIGINT)
    err = proc.communicate(timeout=30)[1]  # the cell would sleep 60 s more
    assert proc.returncode == 130, err
    assert "started 01_quick" not in err and "nothing was published" in err
    assert not os.path.lexists(tmp_path / "2024-06-30")
    assert not _kernels_in(kernel_dir), "the sleeping notebook's kernel is still running"


def _kernels_in(folder: Path) -> list[int]:
    """Kernel processes whose working folder is ``folder`` (Linux /proc)."""
    found = []
    for proc_dir in Path("/proc").glob("[0-9]*"):
        try:
            if "ipykernel" in (proc_dir / "cmdline").read_text() and \
                    os.readlink(proc_dir / "cwd") == str(folder):
                found.append(int(proc_dir.name))
        except OSError:
            continue
    return found


@pytest.mark.parametrize("stage", ["_read", "_parse_dates", "_check_duplicates"])
def test_out_of_memory_is_one_clear_error(tmp_path, monkeypatch, stage):
    import numpy as np

    from crm_analysis.data import user_files

    def exhausted(*args, **kwargs):
        np.empty(2 ** 62, dtype=np.uint8)  # numpy's own _ArrayMemoryError

    monkeypatch.setattr(user_files, stage, exhausted)
    path = _write_input(tmp_path, "t.csv", GOOD)
    with pytest.raises(DataValidationError, match="not enough memory to load this"):
        load_transactions(path)


CHUNKED = [
    ("chunked-ok", _csv("".join(f"C{i},2024-01-{i % 28 + 1:02d},{i}.5\n" for i in range(40))),
     lambda f: len(f) == 40 and f["amount"].iloc[39] == 39.5),
    ("chunked-ragged-late", _csv("".join(f"C{i},2024-01-05,{i}\n" for i in range(30)) + "C99,2024-01-05,1,2\n"),
     ["too many fields: line 32 has 4 fields, the header 3"]),
    ("chunked-trailing-commas", _csv("".join(f"C{i},2024-01-05,{i},\n" for i in range(30))),
     ["every data row has 4 fields"]),
    ("chunked-blank-line-numbers", _csv("".join(f"C{i},2024-01-05,{i}\n" for i in range(25)) + "\nC9,2099-01-01,1\n"),
     ["empty rows (line 27)"]),
    ("chunked-bad-date-line", _csv("".join(f"C{i},2024-01-05,{i}\n" for i in range(25)) + "C9,2099-01-01,1\n"),
     ["(line 27; value '2099-01-01')"]),
]


@pytest.mark.parametrize(("case", "content", "expected"), CHUNKED, ids=[c[0] for c in CHUNKED])
def test_large_files_read_in_chunks_report_the_same(tmp_path, monkeypatch, case, content, expected):
    from crm_analysis.data import user_files

    monkeypatch.setattr(user_files, "CHUNKED_ABOVE", 10)
    monkeypatch.setattr(user_files, "CHUNK_ROWS", 7)
    path = _write_input(tmp_path, "t.csv", content)
    if callable(expected):
        assert expected(load_transactions(path))
        return
    with pytest.raises(DataValidationError) as caught:
        load_transactions(path)
    for fragment in expected:
        assert fragment in str(caught.value), str(caught.value)


@pytest.mark.parametrize("block", [1 << 20, 7])
def test_duplicate_rows_found_as_pandas_finds_them(monkeypatch, block):
    """The sort-based duplicate check against ``DataFrame.duplicated`` (the reference) on
    random frames with text, signed zeros, NaN, NaT and integers, hashed in one block and
    in blocks of 7 rows."""
    import numpy as np

    from crm_analysis.data import user_files
    from crm_analysis.data.user_files import _duplicated

    monkeypatch.setattr(user_files, "_HASH_BLOCK", block)
    rng = np.random.default_rng(0)
    for _ in range(200):
        n = int(rng.integers(1, 60))
        frame = pd.DataFrame({
            "a": pd.Series(rng.choice(["x", "y", None], n), dtype="str"),
            "b": rng.choice([0.0, -0.0, 1.5, np.nan], n),
            "c": pd.to_datetime(pd.Series(rng.choice(["2024-01-01", "2024-01-02", None], n))),
            "d": rng.integers(0, 3, n),
        })
        assert _duplicated(frame).tolist() == frame.duplicated().tolist()


@pytest.mark.parametrize(("case", "rows", "expected"), [
    ("dates-parsed-while-read", "".join(f"C{i},2024-01-{i % 28 + 1:02d},{i}\n" for i in range(30)),
     lambda f: f["date"].iloc[29] == pd.Timestamp("2024-01-02")),
    ("late-year-only-reread-as-text", "".join(f"C{i},2024-01-05,{i}\n" for i in range(30)) + "C99,2024,1\n",
     ["incomplete dates", "(line 32; value '2024')"]),
    ("late-offset-reread-as-text", "".join(f"C{i},2024-01-05T10:00+09:00,{i}\n" for i in range(3))
     + "".join(f"C{i},2024-01-05T10:00+01:00,{i}\n" for i in range(3, 30)), ["2 different UTC offsets"]),
    ("late-impossible-day", "".join(f"C{i},2024-01-05,{i}\n" for i in range(30)) + "C99,2024-02-30,1\n",
     ["unparseable dates", "(line 32; value '2024-02-30')"]),
    ("late-9999-parsed", "".join(f"C{i},2024-01-05,{i}\n" for i in range(30)) + "C99,9999-12-31,1\n",
     ["implausible dates", "(line 32;"]),
    ("late-missing-date", "".join(f"C{i},2024-01-05,{i}\n" for i in range(30)) + "C99,,1\n",
     ["missing date (line 32)"]),
])
def test_dates_of_large_files_parsed_while_read(tmp_path, monkeypatch, case, rows, expected):
    from crm_analysis.data import user_files

    monkeypatch.setattr(user_files, "CHUNKED_ABOVE", 10)
    monkeypatch.setattr(user_files, "CHUNK_ROWS", 7)
    path = _write_input(tmp_path, "t.csv", _csv(rows))
    if callable(expected):
        assert expected(load_transactions(path))
        return
    with pytest.raises(DataValidationError) as caught:
        load_transactions(path)
    for fragment in expected:
        assert fragment in str(caught.value), str(caught.value)


def test_duplicates_survive_hash_collisions(monkeypatch):
    """Rows whose 64-bit hashes collide are compared exactly: forced collisions (every
    row hashing alike) still give pandas' answer."""
    import numpy as np

    from crm_analysis.data import user_files

    monkeypatch.setattr(user_files, "_MIX", (0, 0, 0, 0))  # every row hashes to 0
    frame = pd.DataFrame({"a": ["x", "y", "x", "z", "y"], "b": [1.0, 2.0, 1.0, 1.0, 2.5]})
    assert user_files._duplicated(frame).tolist() == frame.duplicated().tolist() == [
        False, False, True, False, False]
    assert np.all(user_files._duplicated(frame.iloc[:1]) == False)  # noqa: E712
