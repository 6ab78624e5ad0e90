"""record() / read_results(): values survive a real kernel round trip as JSON."""

import datetime as dt

import nbformat
import numpy as np
import pandas as pd
import pytest
from nbclient import NotebookClient

from crm_analysis.results import MIMETYPE, format_value, read_results, record


def test_round_trip_through_a_kernel(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(
        "import numpy as np, pandas as pd, datetime as dt\n"
        "from crm_analysis.results import record\n"
        "record('n', np.int64(7), unit='customers')\n"
        "record('share', np.float32(0.25), note='a quarter')\n"
        "record('params', {'r': 0.243, 'alpha': np.float64(4.414)})\n"
        "record('series', pd.Series([1.5, 2.5], index=['a', 'b']))\n"
        "record('when', dt.date(2024, 6, 30))\n"
        "record('n', 8)\n"
    )]
    NotebookClient(nb, kernel_name="python3").execute()
    results = read_results(nb)
    assert results["n"].value == 8 and results["n"].unit is None  # last record wins
    assert results["share"].value == 0.25 and results["share"].note == "a quarter"
    assert results["params"].value == {"r": 0.243, "alpha": 4.414}
    assert results["series"].value == {"a": 1.5, "b": 2.5}
    assert results["when"].value == "2024-06-30"
    outputs = nb.cells[0].outputs
    assert all({"text/html", "text/plain", MIMETYPE} <= set(o["data"]) for o in outputs)
    path = tmp_path / "x.ipynb"
    nbformat.write(nb, str(path))
    assert read_results(path)["share"].value == 0.25


@pytest.mark.parametrize("bad, error", [(float("nan"), ValueError), ({"x": np.inf}, ValueError),
                                        (object(), TypeError)])
def test_refuses_values_without_json_form(bad, error):
    with pytest.raises(error):
        record("bad", bad)


def test_refuses_bad_names():
    with pytest.raises(ValueError, match="identifier"):
        record("top 20", 1.0)


def test_format_value():
    assert format_value(1234567.0) == "1,234,567"
    assert format_value(0.123456) == "0.1235"
    assert format_value(5000) == "5,000"
    assert format_value({"r": 0.24312345, "n": [1, 2.000049]}) == "r 0.2431; n [1, 2]"
    assert format_value({"ci_high": 6.341, "ci_low": 4.669, "estimate": 5.505}) == (
        "5.505 (CI 4.669 to 6.341)")
    assert format_value({"a": {"estimate": -1.80212, "ci_low": -1.9, "ci_high": -1.7,
                               "true": -1.8333}}) == "a -1.802 (CI -1.9 to -1.7; true -1.833)"
    assert format_value([{"group": "UK", "share": 0.24, "ci_low": 0.2046, "ci_high": 0.2793}]) == (
        "[UK 0.24 (CI 0.2046 to 0.2793)]")
    assert format_value("x" * 200, limit=10) == "x" * 9 + "…"
