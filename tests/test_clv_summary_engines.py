"""The customer summary engines agree: pandas, DuckDB, polars and Spark give identical frames.

Reference: the pandas engine, itself checked against hand computations in
test_clv_summary.py and against lifetimes in the CLV notebook's tests.  The matrix runs
every engine over every time unit and every kind of date (naive days, naive with a time of
day, time-zone-aware, text with UTC offsets), from a DataFrame and from a file, with a
calibration end that has a time of day.  Time columns and counts must be exactly equal;
spend sums to 1e-12 (the engines add in different orders).
"""

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from crm_analysis.clv import summarize_transactions, summarize_transactions_sql
from crm_analysis.clv.summary import SummaryWindow
from crm_analysis.data import load_cdnow

ENGINES = ["duckdb", "polars", pytest.param("spark", marks=pytest.mark.spark)]
UNITS = ["D", "W", "M"]
DATE_KINDS = ["naive", "time_of_day", "tz_aware", "text_offsets"]
WINDOW = dict(calibration_end="2024-03-31 12:00", observation_end="2024-06-30 18:00")


def _log(kind: str, seed: int = 3, n: int = 600) -> pd.DataFrame:
    """A small log whose times sit near midnight, so any shift of zone moves the day."""
    rng = np.random.default_rng(seed)
    day = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 182, n), unit="D")
    minutes = rng.choice([0, 1, 30, 60 * 23 + 30, 60 * 23 + 59, 12 * 60], n)
    stamp = day + pd.to_timedelta(minutes, unit="min")
    log = pd.DataFrame({"customer_id": rng.choice([f"c{i:03d}" for i in range(60)], n),
                        "date": stamp, "amount": np.round(rng.gamma(2.0, 10.0, n), 2)})
    if kind == "naive":
        return log.assign(date=day)
    if kind == "tz_aware":
        return log.assign(date=stamp.tz_localize("Asia/Seoul"))
    if kind == "text_offsets":  # mixed offsets as written by systems in several zones
        offsets = rng.choice(["+09:00", "-05:00", "Z", "+0100"], n)
        return log.assign(date=stamp.strftime("%Y-%m-%d %H:%M:%S") + offsets)
    return log


def _file(log: pd.DataFrame, kind: str, tmp_path):
    if kind == "text_offsets":
        path = tmp_path / f"{kind}.csv"
        log.to_csv(path, index=False)
    else:
        path = tmp_path / f"{kind}.parquet"
        log.to_parquet(path)
    return str(path)


def _run(engine: str, source, spark, **kw):
    if engine == "duckdb":
        return summarize_transactions_sql(source, **kw)
    if engine == "polars":
        from crm_analysis.clv.summary_polars import summarize_transactions_polars

        return summarize_transactions_polars(source, **kw)
    from crm_analysis.clv.summary_spark import summarize_transactions_spark

    return summarize_transactions_spark(source, spark=spark, **kw)


def _assert_identical(expected: pd.DataFrame, got: pd.DataFrame) -> None:
    pd.testing.assert_index_equal(expected.index, got.index)
    assert list(expected.columns) == list(got.columns)
    for column in expected.columns:
        if column in ("monetary_value", "holdout_amount"):
            np.testing.assert_allclose(got[column], expected[column], rtol=1e-12)
        else:
            np.testing.assert_array_equal(got[column].to_numpy(), expected[column].to_numpy(), err_msg=column)
            assert got[column].dtype == expected[column].dtype, column


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("engine-logs")
    return {kind: (_log(kind), _file(_log(kind), kind, folder)) for kind in DATE_KINDS}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("time_unit", UNITS)
@pytest.mark.parametrize("kind", DATE_KINDS)
def test_engine_matrix_identical_frames(engine, time_unit, kind, logs, request):
    spark = request.getfixturevalue("spark") if engine == "spark" else None
    frame, path = logs[kind]
    merge_period = {"D": "D", "W": "W", "M": "M"}[time_unit]
    kw = dict(time_unit=time_unit, merge_period=merge_period, **WINDOW)
    expected = summarize_transactions(frame, **kw)
    # Spark reads the file (its own path to dates); a DataFrame reaches it as pandas days
    sources = (frame, path) if engine in ("duckdb", "polars") else (path,)
    for source in sources:
        _assert_identical(expected, _run(engine, source, spark, **kw))


def test_the_matrix_data_cross_midnight():
    """The matrix would not catch a zone shift unless wall-clock and UTC days differ."""
    frame = _log("tz_aware")
    utc_day = frame["date"].dt.tz_convert("UTC").dt.floor("D").dt.tz_localize(None)
    assert (utc_day != frame["date"].dt.tz_localize(None).dt.floor("D")).mean() > 0.3
    text = _log("text_offsets")
    assert summarize_transactions(text, time_unit="D").equals(summarize_transactions(_log("time_of_day"), time_unit="D"))


def test_window_ends_name_whole_days():
    window = SummaryWindow.of(0, "1997-09-30 12:00", "1998-06-30")
    assert (window.obs_day - window.cal_day) == 273 and window.cal_date == "1997-09-30"
    assert SummaryWindow.of(0, "1997-09-30T23:30-05:00", "1998-06-30") == window
    with pytest.raises(ValueError, match="calibration_end 1998-07-01 is after observation_end 1998-06-30"):
        SummaryWindow.of(0, "1998-07-01", "1998-06-30")
    with pytest.raises(ValueError, match="observation_end 'soon' is not a date"):
        SummaryWindow.of(0, None, "soon")


def test_noon_calibration_end_gives_39_weeks_on_full_cdnow():
    """The published CDNOW split: 39-week holdout for all 23,570 customers in every engine
    (DuckDB used to give 38.857 weeks when the end had a time of day)."""
    tx = load_cdnow()
    kw = dict(calibration_end="1997-09-30 12:00", observation_end="1998-06-30")
    expected = summarize_transactions(tx, **kw)
    assert len(expected) == 23_570 and (expected["holdout_weeks"] == 39.0).all()
    # first purchases 1997-01-01 .. 1997-03-25: T from 189 to 272 days (hand count)
    assert expected["T_weeks"].max() == 272 / 7 and expected["T_weeks"].min() == 189 / 7
    _assert_identical(expected, summarize_transactions_sql(tx, **kw))
    _assert_identical(expected, _run("polars", tx, None, **kw))


@pytest.mark.spark
def test_spark_equals_pandas_on_cdnow(spark):
    from crm_analysis.clv.summary_spark import summarize_transactions_spark

    tx = load_cdnow()
    kw = dict(calibration_end="1997-09-30 12:00", observation_end="1998-06-30")
    _assert_identical(summarize_transactions(tx, **kw), summarize_transactions_spark(tx, spark=spark, **kw))


@pytest.mark.spark
def test_spark_equals_pandas_on_synthetic_parquet(spark, tmp_path):
    from crm_analysis.clv.summary_spark import summarize_transactions_spark
    from crm_analysis.data.synthetic import simulate_transactions

    log, truth = simulate_transactions(3_000, seed=11)
    path = tmp_path / "synthetic.parquet"
    log.to_parquet(path)
    kw = dict(time_unit="W", calibration_end=truth.end - pd.Timedelta(days=90), observation_end=truth.end)
    expected = summarize_transactions(log, **kw)
    _assert_identical(expected, summarize_transactions_spark(str(path), spark=spark, **kw))
    _assert_identical(expected, summarize_transactions_sql(path, **kw))


@pytest.mark.spark
def test_spark_names_bad_rows(spark, tmp_path):
    from crm_analysis.clv.summary_spark import summarize_transactions_spark

    log = _log("naive").astype({"amount": "float64"})
    log.loc[5, "amount"] = -2.0
    path = tmp_path / "bad.parquet"
    log.to_parquet(path)
    with pytest.raises(ValueError, match=r"'amount' is negative .* in 1 rows"):
        summarize_transactions_spark(str(path), spark=spark)
    with pytest.raises(ValueError, match=r"lack column\(s\) \['spend'\]"):
        summarize_transactions_spark(str(path), spark=spark, amount_col="spend")
    # nanosecond timestamps (another writer's default): Spark cannot read them; named before it tries
    nanos = tmp_path / "nanos.parquet"
    pq.write_table(pa.Table.from_pandas(log.astype({"date": "datetime64[ns]"}), preserve_index=False), nanos,
                   version="2.6")
    with pytest.raises(ValueError, match=r"nanos\.parquet.*\['date'\] store timestamps in nanoseconds.*"
                                         r"coerce_timestamps='us'"):
        summarize_transactions_spark(str(nanos), spark=spark)


def test_polars_engine_on_synthetic_parquet_and_without_window(tmp_path):
    from crm_analysis.data.synthetic import simulate_transactions

    log, truth = simulate_transactions(3_000, seed=11)
    path = tmp_path / "synthetic.parquet"
    log.to_parquet(path)
    for kw in (dict(time_unit="W", calibration_end=truth.end - pd.Timedelta(days=90), observation_end=truth.end),
               dict(time_unit="D"), dict(time_unit="M", merge_period="M", observation_end=truth.end)):
        _assert_identical(summarize_transactions(log, **kw), _run("polars", str(path), None, **kw))


def test_polars_engine_names_bad_rows(tmp_path):
    log = _log("naive").astype({"amount": "float64"})
    bad = log.copy()
    bad.loc[5, "amount"] = -2.0
    with pytest.raises(ValueError, match=r"'amount' is negative .* in 1 rows"):
        _run("polars", bad, None)
    bad = log.astype({"customer_id": "object"})
    bad.loc[[3, 8], "customer_id"] = None
    with pytest.raises(ValueError, match=r"'customer_id' is missing in 2 rows"):
        _run("polars", bad, None)
    text = log.assign(date=log["date"].dt.strftime("%Y-%m-%d"))
    text.loc[4, "date"] = "4 March"
    path = tmp_path / "bad.csv"
    text.to_csv(path, index=False)
    with pytest.raises(ValueError, match=r"'date' is missing or not a date in 1 rows"):
        _run("polars", str(path), None)
    with pytest.raises(ValueError, match=r"lack column\(s\) \['spend'\]"):
        _run("polars", str(path), None, amount_col="spend")
    with pytest.raises(ValueError, match="calibration_end 1998-07-01 is after observation_end 1998-06-30"):
        _run("polars", log, None, calibration_end="1998-07-01", observation_end="1998-06-30")
