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


def test_estimate_tables_are_recorded_and_formatted_directly():
    from crm_analysis.estimates import estimate_table
    one = estimate_table(5.5, 0.4285, level=0.95, index=["effect"])  # Wald: 5.5 ± 1.96·0.4285
    assert format_value(one) == "5.5 (CI 4.66 to 6.34)"
    several = estimate_table([5.5, 3.0], [0.4285, 0.1], index=["a", "b"]).assign(true=[6.0, 3.0])
    assert format_value(several) == "a 5.5 (CI 4.66 to 6.34; true 6); b 3 (CI 2.804 to 3.196; true 3)"
    # no standard error (a percentile interval): the missing value is left out, not refused
    bootstrap = estimate_table(10.0, ci_low=8.0, ci_high=13.0, index=["total"])
    assert format_value(bootstrap) == "10 (CI 8 to 13)"


def test_record_estimate_table_round_trip():
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(
        "from crm_analysis.estimates import estimate_table\n"
        "from crm_analysis.results import record\n"
        "record('one', estimate_table(2.0, 0.5, p_value=0.01, index=['x']))\n"
        "record('two', estimate_table([1.0, 2.0], ci_low=[0.5, 1.5], ci_high=[1.5, 2.5], index=['a', 'b']))\n"
    )]
    NotebookClient(nb, kernel_name="python3").execute()
    results = read_results(nb)
    one = results["one"].value
    assert one["estimate"] == 2.0 and one["std_err"] == 0.5 and one["p_value"] == 0.01
    assert one["level"] == 0.95
    assert one["ci_low"] == pytest.approx(2.0 - 1.959964 * 0.5, rel=1e-6)
    assert results["two"].value == {"a": {"estimate": 1.0, "ci_low": 0.5, "ci_high": 1.5, "level": 0.95},
                                    "b": {"estimate": 2.0, "ci_low": 1.5, "ci_high": 2.5, "level": 0.95}}
    assert "CI 0.5 to 1.5" in nb.cells[0].outputs[1]["data"]["text/plain"]


def test_numbers_keep_their_published_precision():
    # Fader, Hardie & Lee (2005) print the CDNOW BG/NBD log-likelihood as -9,582.4
    assert format_value(-9582.4291, decimals=1) == "-9,582.4"
    assert format_value({"r": 0.24259, "loglik": -9582.4291}, decimals={"loglik": 1}) == (
        "r 0.2426; loglik -9,582.4")
    assert format_value(-33225.5812, decimals=2) == "-33,225.58"  # BG/BB, Fader et al. (2010)
    assert format_value(60947.0) == "60,947"
    assert format_value(0.816, decimals=3) == "0.816"


def test_long_values_are_cut_between_items_never_inside_a_number():
    value = {f"segment {i}": 123456.0 + i for i in range(20)}  # recorded order, not sorted
    text = format_value(value, limit=60)
    assert len(text) <= 60 and text.endswith("more)")
    kept = text.split("; … (")[0].split("; ")
    assert kept == [f"segment {i} {123456 + i:,}" for i in range(len(kept))]
    assert text.endswith(f"({20 - len(kept)} more)")


def test_labels_and_decimals_survive_the_kernel_round_trip(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(
        "from crm_analysis.results import record\n"
        "record('loglik', -9582.4291, label='Log-likelihood', decimals=1)\n"
        "record('profit_mass', 59829.0, unit='EUR')\n"
        "record('bgnbd', {'r': 0.2426, 'alpha': 4.414, 'a': 0.79, 'b': 2.43})\n")]
    NotebookClient(nb, kernel_name="python3").execute()
    results = read_results(nb)
    assert results["loglik"].title == "Log-likelihood" and results["loglik"].decimals == 1
    assert results["profit_mass"].title == "Profit mass"  # no label: the name in words
    shown = nb.cells[0].outputs[0]["data"]["text/plain"]
    assert "Log-likelihood (loglik) = -9,582.4" in shown
    path = tmp_path / "saved.ipynb"  # notebook files sort JSON keys; the recorded order survives
    nbformat.write(nb, str(path))
    assert list(read_results(path)["bgnbd"].value) == ["r", "alpha", "a", "b"]


def test_index_headlines_read_like_sentences():
    from crm_analysis.report.index import headlines
    results = {
        "data_source": {"value": "synthetic"},
        "segments": {"value": {f"s{i}": 1000.5 * i for i in range(30)}, "unit": "EUR"},
        "loglik": {"value": -9582.4291, "label": "Log-likelihood", "decimals": 1},
        "auc": {"value": {"estimate": 0.667, "ci_low": 0.65, "ci_high": 0.68}, "label": "AUC"},
    }
    rows = headlines(results, count=3, width=50)
    assert [r["label"] for r in rows] == ["Log-likelihood", "AUC", "Segments"]
    assert rows[0]["text"] == "-9,582.4" and rows[1]["text"] == "0.667 (CI 0.65 to 0.68)"
    assert [r["label"] for r in headlines(results, first=["auc"], count=2)] == ["AUC", "Log-likelihood"]
    assert len(rows[2]["text"]) <= 50 and rows[2]["text"].endswith("more) EUR")
    with pytest.raises(ValueError, match="decimals"):
        record("x", 1.0, decimals=-1)


def test_shares_read_as_percentages():
    from crm_analysis.results import display_value
    assert display_value(0.2498, "share") == "25.0 %"
    assert display_value(-0.1215, "share") == "-12.2 %"
    assert display_value({"estimate": 0.0634, "ci_low": 0.0568, "ci_high": 0.0709, "level": 0.95},
                         "share of human sessions") == "6.3 (CI 5.7 to 7.1) % of human sessions"
    assert display_value(4338, "customers") == "4,338 customers"
    assert display_value(True) == "yes"
