"""Profile tables and the pushed-down CLV summary against a real PostgreSQL server.

The server is the throwaway cluster of the ``postgres_server`` fixture (tests/conftest.py);
without PostgreSQL binaries these tests skip and say why. References: the pandas and
DuckDB summary engines on the same rows (CDNOW and a synthetic log with a time zone),
and the profile read of the same rows from a CSV file.
"""

from __future__ import annotations

import threading
import time

import numpy as np
import pandas as pd
import pytest

from crm_analysis.clv.summary import summarize_transactions
from crm_analysis.clv.summary_postgres import summarize_transactions_postgres
from crm_analysis.clv.summary_sql import summarize_transactions_sql
from crm_analysis.data import load_cdnow, load_profile
from crm_analysis.data.sources import Database

psycopg = pytest.importorskip("psycopg")


@pytest.fixture(scope="module")
def server(postgres_server, monkeypatch_module):
    monkeypatch_module.setenv("PGPASSWORD", postgres_server["password"])
    return postgres_server


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def _load(server, name: str, frame: pd.DataFrame, types: dict[str, str]):
    with psycopg.connect(server["url"], password=server["password"]) as con:
        con.execute(f"DROP TABLE IF EXISTS {name}")
        con.execute(f"CREATE TABLE {name} ({', '.join(f'{c} {t}' for c, t in types.items())})")
        with con.cursor().copy(f"COPY {name} ({', '.join(types)}) FROM STDIN") as copy:
            for row in frame[list(types)].itertuples(index=False):
                copy.write_row(row)


@pytest.fixture(scope="module")
def cdnow(server):
    frame = load_cdnow(sample=True)
    frame = frame.assign(amount=frame["amount"].round(2))
    _load(server, "cdnow", frame.rename(columns={"customer_id": "cust_no", "date": "sold_at",
                                                 "amount": "net_amount"}),
          {"cust_no": "text", "sold_at": "timestamp", "net_amount": "numeric(10,2)"})
    return frame


@pytest.fixture(scope="module")
def zoned(server):
    """A synthetic log with UTC instants; its days are local days in Asia/Seoul."""
    rng = np.random.default_rng(5)
    n = 4000
    instants = pd.Timestamp("2024-01-01", tz="UTC") + pd.to_timedelta(
        rng.integers(0, 200 * 24 * 3600, n), unit="s")
    frame = pd.DataFrame({"customer_id": [f"k{i:03d}" for i in rng.integers(0, 300, n)],
                          "date": instants, "amount": rng.gamma(2.0, 20.0, n).round(2)})
    _load(server, "zoned", frame, {"customer_id": "text", "date": "timestamptz",
                                   "amount": "double precision"})
    return frame


def _db(server, **kw):
    return Database(server["url"], **kw)


CASES = [dict(time_unit="W", merge_period="D"),
         dict(time_unit="D", merge_period="W", calibration_end="1997-09-30"),
         dict(time_unit="M", merge_period="M", calibration_end="1998-01-31",
              observation_end="1998-05-31")]


@pytest.mark.parametrize("options", CASES)
def test_cdnow_summary_pushed_down_equals_pandas_and_duckdb(server, cdnow, options):
    pg = summarize_transactions_postgres(_db(server, table="cdnow"), customer_col="cust_no",
                                         date_col="sold_at", amount_col="net_amount", **options)
    pandas = summarize_transactions(cdnow, **options)
    duck = summarize_transactions_sql(cdnow, **options)
    assert len(pg) == len(pandas) > 2000
    pd.testing.assert_frame_equal(pg, pandas, check_exact=False, rtol=1e-9)
    pd.testing.assert_frame_equal(pg, duck, check_exact=False, rtol=1e-9)


def test_time_zone_days_equal_the_file_engines(server, zoned):
    options = dict(time_unit="W", merge_period="D", calibration_end="2024-05-31")
    pg = summarize_transactions_postgres(_db(server, table="zoned"), time_zone="Asia/Seoul",
                                         **options)
    local = zoned.assign(date=zoned["date"].dt.tz_convert("Asia/Seoul"))
    pandas = summarize_transactions(local, **options)
    pd.testing.assert_frame_equal(pg, pandas, check_exact=False, rtol=1e-9)
    with pytest.raises(ValueError, match="set `time_zone:`"):
        summarize_transactions_postgres(_db(server, table="zoned"), **options)


def test_profile_database_table_reads_as_the_csv_file(server, cdnow, tmp_path):
    cdnow.to_csv(tmp_path / "cdnow.csv", index=False, date_format="%Y-%m-%d")
    (tmp_path / "file.yaml").write_text(
        "transactions:\n  path: cdnow.csv\n  duplicates: keep\n  columns: {customer_id: "
        "customer_id, date: date, amount: amount}\n")
    (tmp_path / "db.yaml").write_text(
        f"transactions:\n  database: {server['url']}\n"
        "  query: select * from cdnow where net_amount >= 0\n  duplicates: keep\n"
        "  columns: {customer_id: cust_no, date: sold_at, amount: net_amount}\n")
    db = load_profile(tmp_path / "db.yaml").transactions()
    file = load_profile(tmp_path / "file.yaml").transactions()
    assert len(db) == len(cdnow)
    key = ["customer_id", "date", "amount"]
    pd.testing.assert_frame_equal(db.sort_values(key).reset_index(drop=True),
                                  file.sort_values(key).reset_index(drop=True))


def test_password_from_a_named_environment_variable(server, cdnow, monkeypatch):
    monkeypatch.delenv("PGPASSWORD")
    monkeypatch.setenv("CRM_TEST_DB_PW", server["password"])
    assert _db(server, table="cdnow", password_env="CRM_TEST_DB_PW").columns() == [
        "cust_no", "sold_at", "net_amount"]
    monkeypatch.delenv("CRM_TEST_DB_PW")
    with pytest.raises(ValueError, match="CRM_TEST_DB_PW.*not set"):
        _db(server, table="cdnow", password_env="CRM_TEST_DB_PW").columns()


def _error(call) -> str:
    with pytest.raises(ValueError) as error:
        call()
    return str(error.value)


def test_bad_cases_are_clear_and_carry_no_credentials(server, cdnow, monkeypatch):
    secret = server["password"]
    run = lambda **kw: summarize_transactions_postgres(  # noqa: E731
        _db(server, **kw), customer_col="cust_no", date_col="sold_at", amount_col="net_amount")
    messages = {}
    monkeypatch.setenv("PGPASSWORD", "wrong-" + secret)
    messages["password"] = _error(lambda: run(table="cdnow"))
    assert "password authentication failed" in messages["password"]
    monkeypatch.setenv("PGPASSWORD", secret)
    messages["host"] = _error(lambda: Database("postgresql://crm@127.0.0.1:9/crm",
                                               table="t", connect_timeout=3).columns())
    assert "cannot connect" in messages["host"] and "127.0.0.1:9" in messages["host"]
    messages["table"] = _error(lambda: run(table="sales.missing"))
    assert "table sales.missing: relation \"sales.missing\" does not exist" in messages["table"]
    messages["query"] = _error(lambda: run(query="select 1/0 as x from cdnow"))
    assert "division by zero" in messages["query"] and "select 1/0" in messages["query"]
    messages["type"] = _error(lambda: summarize_transactions_postgres(
        _db(server, query="select cust_no, sold_at, net_amount::text as amt from cdnow"),
        customer_col="cust_no", date_col="sold_at", amount_col="amt"))
    assert "column 'amt' (amount) is not a number" in messages["type"]
    messages["empty"] = _error(lambda: run(query="select * from cdnow where false"))
    assert "0 rows" in messages["empty"]
    messages["column"] = _error(lambda: run(query="select cust_no, sold_at from cdnow"))
    assert "['net_amount'] not found" in messages["column"]
    messages["negative"] = _error(lambda: run(
        query="select cust_no, sold_at, case when cust_no = '00004' then -1 else net_amount "
              "end as net_amount from cdnow"))
    assert "'net_amount' is negative" in messages["negative"] and "00004" in messages["negative"]
    for text in messages.values():
        assert secret not in text
        assert server["url"] in text or "postgresql://crm@127.0.0.1:9/crm" in text


def test_connection_lost_mid_query(server, cdnow):
    def kill():
        time.sleep(1.0)
        with psycopg.connect(server["url"], password=server["password"], autocommit=True) as con:
            con.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE application_name = 'crm-workbook' AND pid <> pg_backend_pid()")

    killer = threading.Thread(target=kill)
    killer.start()
    try:
        text = _error(lambda: _db(server, query="select *, pg_sleep(5) from cdnow limit 1").read(
            ["cust_no"]))
    finally:
        killer.join()
    assert "connection was lost" in text and server["password"] not in text


def test_data_check_reports_the_same_figures_as_for_the_file(server, cdnow, tmp_path):
    from crm_analysis.data.check import check_profile, format_check

    cdnow.to_csv(tmp_path / "cdnow.csv", index=False, date_format="%Y-%m-%d")
    (tmp_path / "file.yaml").write_text(
        "transactions:\n  path: cdnow.csv\n  duplicates: keep\n  columns: {customer_id: "
        "customer_id, date: date, amount: amount}\n")
    (tmp_path / "db.yaml").write_text(
        f"transactions:\n  database: {server['url']}\n  table: cdnow\n  duplicates: keep\n"
        "  columns: {customer_id: cust_no, date: sold_at, amount: net_amount}\n")
    db, file = (load_profile(tmp_path / f"{n}.yaml") for n in ("db", "file"))
    db_checks, file_checks = check_profile(db), check_profile(file)
    assert db_checks[0].facts == file_checks[0].facts
    assert db_checks[0].report.rows_read == file_checks[0].report.rows_read == len(cdnow)
    text = format_check(db, db_checks)
    assert f"database {server['url']}, table cdnow" in text and server["password"] not in text


def test_profile_database_table_with_0_rows(server, cdnow, tmp_path):
    (tmp_path / "db.yaml").write_text(
        f"transactions:\n  database: {server['url']}\n  query: select * from cdnow where false\n"
        "  columns: {customer_id: cust_no, date: sold_at, amount: net_amount}\n")
    with pytest.raises(ValueError, match="(?s)query 'select \\* from cdnow where false'.*returned 0 rows"):
        load_profile(tmp_path / "db.yaml").transactions()
