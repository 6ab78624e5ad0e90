"""Transaction summaries: hand-computed values, pandas vs DuckDB equality, bad input."""

import numpy as np
import pandas as pd
import pytest

from crm_analysis.clv import summarize_transactions, summarize_transactions_sql
from crm_analysis.clv.summary import summary_columns
from crm_analysis.data import load_cdnow

# Customer A: 2024-01-01 (10 + 5, same day), 2024-01-08 (20), 2024-01-22 (30), holdout 2024-02-05 (7)
# Customer B: 2024-01-15 (50) only; holdout 2024-02-01 (9) and 2024-02-02 (1)
LOG = pd.DataFrame({
    "cust": ["A", "A", "A", "A", "B", "A", "B", "B"],
    "when": pd.to_datetime(["2024-01-01 09:00", "2024-01-01 17:00", "2024-01-08", "2024-01-22",
                            "2024-01-15", "2024-02-05", "2024-02-01", "2024-02-02"], format="mixed"),
    "value": [10.0, 5.0, 20.0, 30.0, 50.0, 7.0, 9.0, 1.0],
})
COLS = dict(customer_col="cust", date_col="when", amount_col="value")


def test_hand_computed_daily_merge_in_weeks():
    out = summarize_transactions(LOG, **COLS, time_unit="W", calibration_end="2024-01-29",
                                 observation_end="2024-02-26")
    a, b = out.loc["A"], out.loc["B"]
    # A: purchase days 01-01, 01-08, 01-22 -> 2 repeats; t_x = 21 days; T = 28 days
    assert a["frequency"] == 2 and a["recency_weeks"] == 3.0 and a["T_weeks"] == 4.0
    assert a["monetary_value"] == pytest.approx((20 + 30) / 2)
    assert a["holdout_frequency"] == 1 and a["holdout_amount"] == 7.0
    assert b["frequency"] == 0 and b["recency_weeks"] == 0 and b["T_weeks"] == 2.0
    assert np.isnan(b["monetary_value"])
    assert b["holdout_frequency"] == 2 and b["holdout_amount"] == 10.0
    assert (out["holdout_weeks"] == 4.0).all()


def test_weekly_merge_and_day_units():
    out = summarize_transactions(LOG, **COLS, time_unit="D", merge_period="W", calibration_end="2024-01-29",
                                 observation_end="2024-02-26")
    # B's holdout purchases on Thu 02-01 and Fri 02-02 are one ISO week -> one purchase
    assert out.loc["B", "holdout_frequency"] == 1
    assert out.loc["A", "recency_days"] == 21 and out.loc["A", "T_days"] == 28


@pytest.mark.parametrize("merge_period", ["D", "W", "M"])
@pytest.mark.parametrize("time_unit", ["D", "W", "M"])
def test_duckdb_equals_pandas_on_cdnow(merge_period, time_unit):
    tx = load_cdnow(sample=True)
    kw = dict(time_unit=time_unit, merge_period=merge_period, calibration_end="1997-09-30",
              observation_end="1998-06-30")
    out = summarize_transactions(tx, **kw)
    assert list(out.columns) == summary_columns(time_unit, holdout=True)
    pd.testing.assert_frame_equal(out, summarize_transactions_sql(tx, **kw), check_exact=False, rtol=1e-12)


def test_duckdb_reads_csv_and_parquet_paths(tmp_path):
    tx = load_cdnow(sample=True)
    csv, parquet = tmp_path / "tx.csv", tmp_path / "tx.parquet"
    tx.to_csv(csv, index=False)
    tx.to_parquet(parquet)
    expected = summarize_transactions(tx, calibration_end="1997-09-30")
    for path in (csv, parquet):
        got = summarize_transactions_sql(path, calibration_end="1997-09-30")
        pd.testing.assert_frame_equal(expected, got, check_exact=False, rtol=1e-12)


def test_bad_rows_are_named():
    bad = LOG.copy()
    bad.loc[3, "value"] = -1.0
    with pytest.raises(ValueError, match=r"'value' is negative .* rows \[3\]"):
        summarize_transactions(bad, **COLS)
    with pytest.raises(ValueError, match=r"'value' is negative .* in 1 rows"):
        summarize_transactions_sql(bad, **COLS)
    bad = LOG.assign(when=LOG["when"].astype(str))
    bad.loc[5, "when"] = "not a date"
    with pytest.raises(ValueError, match=r"'when' is not a date in 1 rows, e.g. rows \[5\]"):
        summarize_transactions(bad, **COLS)
    with pytest.raises(ValueError, match="missing column"):
        summarize_transactions(LOG)


def test_integer_ids_are_text_sorted_in_both_engines():
    log = LOG.assign(cust=LOG["cust"].map({"A": 10, "B": 9}))
    kw = dict(**COLS, calibration_end="2024-01-29", observation_end="2024-02-26")
    pandas_out, duck_out = summarize_transactions(log, **kw), summarize_transactions_sql(log, **kw)
    assert list(pandas_out.index) == ["10", "9"]  # text order, as DuckDB sorts VARCHAR
    pd.testing.assert_frame_equal(pandas_out, duck_out, check_exact=False, rtol=1e-12)
    assert pandas_out.loc["10", "frequency"] == 2


@pytest.mark.parametrize("high", [2**20, 2**50])  # packed into one sort / argsort fallback
def test_sort_with_order_equals_a_stable_argsort(high):
    from crm_analysis.clv.summary import _sort_with_order

    key = np.random.default_rng(5).integers(0, high, 50_000, dtype="int64")
    key[::7] = key[0]  # many ties: equal keys must keep their row order
    sorted_key, order = _sort_with_order(key)
    reference = np.argsort(key, kind="stable")
    np.testing.assert_array_equal(order, reference)
    np.testing.assert_array_equal(sorted_key, key[reference])


@pytest.mark.parametrize("unit", ["ns", "us", "ms", "s"])
def test_days_since_epoch_floors_like_numpy_day_casting(unit):
    from crm_analysis.clv.summary import _days_since_epoch

    stamps = np.array(["1969-12-31T23:59:59", "1970-01-01T00:00:00", "1997-03-25T18:30:00",
                       "1899-06-01T12:00:00"], dtype=f"datetime64[{unit}]")
    expected = stamps.astype("datetime64[D]").astype("int64")
    np.testing.assert_array_equal(_days_since_epoch(stamps), expected)


def test_time_zone_aware_dates_count_in_their_own_local_days():
    stamps = pd.to_datetime(["2024-01-01 10:00", "2024-02-01 00:30", "2024-01-05 23:30"])
    log = pd.DataFrame({"customer_id": ["a", "a", "b"], "amount": [1.0, 2.0, 3.0],
                        "date": stamps.tz_localize("Europe/Paris")})
    original = log.copy()
    # 2024-02-01 00:30 in Paris is 2024-01-31 in UTC; the Paris day counts: 31 days.
    expected = summarize_transactions(log.assign(date=stamps), time_unit="D")
    assert expected.loc["a", "recency_days"] == 31.0
    for engine in (summarize_transactions, summarize_transactions_sql):
        pd.testing.assert_frame_equal(engine(log, time_unit="D"), expected)
    pd.testing.assert_frame_equal(log, original)
