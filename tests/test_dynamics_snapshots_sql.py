"""Status snapshots computed by SQL engines (crm_analysis.dynamics.snapshots_sql) against
the numpy implementation (status_snapshots), the reference: DuckDB on a DataFrame, Parquet
(naive and time-zone-aware) and CSV; Spark in local mode on Parquet (naive and
time-zone-aware) and CSV.

The log is the recency-chain simulation made messy: purchases split into several lines on
one day, times of day, one customer buying at 23:59:59 on a period end and at 00:00:01 the
next day, as_of inside the data with a time of day. Amounts are multiples of 1/4, which add
exactly in binary in any order, so even the value tiers (cut at spend quantiles) must be
identical; spend is compared to rtol 1e-12."""

import numpy as np
import pandas as pd
import pytest

from crm_analysis import dynamics as dyn
from crm_analysis.data.synthetic import simulate_recency_chain

OPTIONS = dict(period_months=3, n_recency_states=4, n_value_tiers=3)
AS_OF = ["2025-11-15 18:00", None]


def _messy_log(seed: int = 3) -> pd.DataFrame:
    tx, _ = simulate_recency_chain(n_customers=1500, n_periods=6, seed=seed)
    rng = np.random.default_rng(seed)
    tx = tx.assign(amount=np.round(tx["amount"].to_numpy() * 4) / 4)
    # a third of the purchases split into two lines of the same day
    split = tx.sample(frac=1 / 3, random_state=seed)
    half = np.floor(split["amount"].to_numpy() * 2) / 4
    tx.loc[split.index, "amount"] -= half
    tx = pd.concat([tx, split.assign(amount=half)], ignore_index=True)
    tx["date"] = tx["date"] + pd.to_timedelta(rng.integers(0, 86_400, len(tx)), unit="s")
    # straddling the period end 2025-09-30 (as_of None) and 2025-08-15 (as_of 2025-11-15)
    edge = pd.DataFrame({"customer_id": ["C9999999"] * 4,
                         "date": pd.to_datetime(["2025-09-30 23:59:59", "2025-10-01 00:00:01",
                                                 "2025-08-15 23:59:59", "2025-08-16 00:00:00"]),
                         "amount": [10.25, 20.5, 5.0, 7.75]})
    return pd.concat([tx, edge], ignore_index=True).sample(frac=1, random_state=seed, ignore_index=True)


@pytest.fixture(scope="module")
def log():
    return _messy_log()


@pytest.fixture(scope="module")
def expected(log):
    return {as_of: dyn.status_snapshots(log, as_of=as_of, **OPTIONS) for as_of in AS_OF}


def _assert_same(want: dyn.Snapshots, got: dyn.Snapshots) -> None:
    assert list(got.customer_ids) == list(want.customer_ids)
    pd.testing.assert_index_equal(got.period_ends, want.period_ends)
    assert (got.period_months, got.recency_states, got.value_states) == \
        (want.period_months, want.recency_states, want.value_states)
    for name in ("recency", "value", "purchases"):
        np.testing.assert_array_equal(getattr(got, name), getattr(want, name), err_msg=name)
    np.testing.assert_allclose(got.spend, want.spend, rtol=1e-12, atol=0)
    np.testing.assert_allclose(got.value_thresholds, want.value_thresholds, rtol=1e-12)
    for kind in ("recency", "value"):
        pd.testing.assert_frame_equal(dyn.migration_counts(got, kind), dyn.migration_counts(want, kind))


def test_the_messy_log_exercises_the_edges(log, expected):
    """The cases the engines must agree on are really there (and the numpy reference sees
    the straddling customer in two periods)."""
    assert log.assign(day=log["date"].dt.normalize()).duplicated(["customer_id", "day"]).sum() > 100
    assert (log["date"].dt.hour > 0).mean() > 0.9
    for as_of, end in [(None, "2025-09-30"), ("2025-11-15 18:00", "2025-08-15")]:
        snaps = expected[as_of]
        j = snaps.period_ends.get_loc(pd.Timestamp(end))
        row = snaps.customer_ids.get_loc("C9999999")
        assert snaps.purchases[row, j] >= 1 and snaps.purchases[row, j + 1] >= 1
    cut = expected["2025-11-15 18:00"]
    assert cut.period_ends[-1] == pd.Timestamp("2025-11-15") and len(cut.period_ends) == 6
    assert len(np.unique(cut.value[cut.purchases > 0])) == 3


@pytest.mark.parametrize("form", ["frame", "parquet", "parquet_tz", "csv"])
@pytest.mark.parametrize("as_of", AS_OF)
def test_duckdb_equals_numpy(log, expected, tmp_path, form, as_of):
    source = log
    if form == "parquet":
        source = tmp_path / "tx.parquet"
        log.to_parquet(source)
    elif form == "parquet_tz":  # instants stored with their zone, read as Seoul wall-clock time
        source = tmp_path / "tx_tz.parquet"
        log.assign(date=log["date"].dt.tz_localize("Asia/Seoul")).to_parquet(source)
    elif form == "csv":
        source = tmp_path / "tx.csv"
        log.to_csv(source, index=False)
    _assert_same(expected[as_of], dyn.status_snapshots_sql(source, engine="duckdb", as_of=as_of, **OPTIONS))


def test_period_case_is_numpy_searchsorted():
    ends = np.array([100, 191, 283, 375])
    days = np.arange(0, 376)
    import duckdb

    got = duckdb.sql(f"SELECT {dyn.snapshots_sql.period_case(ends)} AS p FROM range(376) t(day) ORDER BY day").fetchnumpy()["p"]
    np.testing.assert_array_equal(got, np.searchsorted(ends, days, side="left"))


@pytest.mark.parametrize("rows, match", [
    ([("A", "2025-01-02 10:00", -5.0), ("B", "2025-01-03", -1.0)], r"'amount' is negative .* in 2 rows"),
    ([(None, "2025-01-02", 5.0)], r"'customer_id' is missing in 1 rows"),
    ([("A", None, 5.0)], r"'date' is missing or not a date in 1 rows"),
])
def test_bad_rows_are_named(tmp_path, rows, match):
    good = [("A", "2025-01-01", 3.0), ("B", "2025-02-01", 4.0)]
    frame = pd.DataFrame(good + rows, columns=["customer_id", "date", "amount"])
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(ValueError, match=match):
        dyn.status_snapshots_sql(path, engine="duckdb")
    with pytest.raises(ValueError, match="no purchase on or before as_of"):
        dyn.status_snapshots_sql(frame.iloc[:2].assign(date=lambda f: pd.to_datetime(f["date"])),
                                 as_of="2024-12-31")


@pytest.mark.spark
def test_spark_equals_numpy(spark, log, expected, tmp_path):
    parquet, csv = tmp_path / "tx.parquet", tmp_path / "tx.csv"
    log.to_parquet(parquet, coerce_timestamps="us")  # Spark reads no nanosecond Parquet timestamps
    log.to_csv(csv, index=False)
    zone = spark.conf.get("spark.sql.session.timeZone")
    _assert_same(expected[None], dyn.status_snapshots_sql(str(parquet), engine="spark", spark=spark, **OPTIONS))
    _assert_same(expected["2025-11-15 18:00"], dyn.status_snapshots_sql(
        str(csv), engine="spark", spark=spark, as_of="2025-11-15 18:00", **OPTIONS))
    seoul = tmp_path / "tx_tz.parquet"  # instants, read as Seoul wall-clock time whatever the session's zone
    log.assign(date=log["date"].dt.tz_localize("Asia/Seoul")).to_parquet(seoul, coerce_timestamps="us")
    _assert_same(expected["2025-11-15 18:00"], dyn.status_snapshots_sql(
        str(seoul), engine="spark", spark=spark, as_of="2025-11-15 18:00", **OPTIONS))
    assert spark.conf.get("spark.sql.session.timeZone") == zone


@pytest.mark.spark
def test_spark_names_bad_rows(spark, tmp_path):
    path = tmp_path / "bad.csv"
    pd.DataFrame({"customer_id": ["A", "B", "C"], "date": ["2025-01-01", "2025-01-02", "2025-01-03"],
                  "amount": ["3.0", "-1", "x"]}).to_csv(path, index=False)
    with pytest.raises(ValueError, match=r"'amount' is missing or not a finite number in 1 rows"):
        dyn.status_snapshots_sql(str(path), engine="spark", spark=spark)
