"""Profile tables and the pushed-down CLV summary against a real PostgreSQL server.

The server is the throwaway cluster of the ``postgres_server`` fixture (tests/conftest.py);
without PostgreSQL binaries these tests skip and say why. References: the pandas and
DuckDB summary engines on the same rows (CDNOW and a synthetic log with a time zone),
and the profile read of the same rows from a CSV file.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

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
    messages["dns"] = _error(lambda: Database("postgresql://u@no-such-host.invalid/db",
                                              table="sales.tx", connect_timeout=3).columns())
    assert ("postgresql://u@no-such-host.invalid/db, table sales.tx: cannot connect"
            in messages["dns"] and "no-such-host.invalid" in messages["dns"]
            and "check the host name in `database:`" in messages["dns"])
    text_amounts = ("select cust_no, sold_at, case when cust_no = '00004' then 'n/a' "
                    "else net_amount::text end as amt from cdnow")
    messages["type"] = _error(lambda: summarize_transactions_postgres(
        _db(server, query=text_amounts), customer_col="cust_no", date_col="sold_at",
        amount_col="amt"))
    assert ("column 'amt' is missing or not a finite number in 4 rows" in messages["type"]
            and "('00004', '1997-01-01 00:00:00', 'n/a')" in messages["type"])
    messages["date_type"] = _error(lambda: summarize_transactions_postgres(
        _db(server, query="select cust_no, sold_at::text as sold_at, net_amount from cdnow"),
        customer_col="cust_no", date_col="sold_at", amount_col="net_amount"))
    assert "column 'sold_at' (date) is not a date or timestamp" in messages["date_type"]
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
        assert any(url in text for url in (server["url"], "postgresql://crm@127.0.0.1:9/crm",
                                           "postgresql://u@no-such-host.invalid/db"))


def test_text_amounts_that_are_numbers_sum_as_numbers(server, cdnow):
    """A text amount column holding numbers is read as the profile reads it: same summary."""
    as_text = summarize_transactions_postgres(
        _db(server, query="select cust_no, sold_at, net_amount::text as amt from cdnow"),
        customer_col="cust_no", date_col="sold_at", amount_col="amt")
    pd.testing.assert_frame_equal(as_text, summarize_transactions(cdnow), check_exact=False,
                                  rtol=1e-9)


def _profile(tmp_path, server, source: str, name: str = "db.yaml") -> Path:
    (tmp_path / name).write_text(
        f"transactions:\n  database: {server['url']}\n  {source}\n  duplicates: keep\n"
        "  columns: {customer_id: cust_no, date: sold_at, amount: net_amount}\n")
    return tmp_path / name


def test_profile_read_bad_cases_name_database_table_column_and_customers(server, cdnow, tmp_path,
                                                                        monkeypatch):
    secret = server["password"]
    messages = {}
    monkeypatch.setenv("PGPASSWORD", "wrong-" + secret)
    messages["password"] = _error(lambda: load_profile(
        _profile(tmp_path, server, "table: cdnow")).transactions())
    assert ("table cdnow: cannot connect" in messages["password"]
            and "password authentication failed" in messages["password"]
            and "PGPASSWORD" in messages["password"])
    monkeypatch.setenv("PGPASSWORD", secret)
    messages["table"] = _error(lambda: load_profile(
        _profile(tmp_path, server, "table: sales.missing")).transactions())
    assert 'table sales.missing: relation "sales.missing" does not exist' in messages["table"]
    messages["query"] = _error(lambda: load_profile(
        _profile(tmp_path, server, "query: select 1/0 as x from cdnow")).transactions())
    assert "query 'select 1/0 as x from cdnow': division by zero" in messages["query"]
    messages["type"] = _error(lambda: load_profile(_profile(
        tmp_path, server, "query: select cust_no, sold_at, case when cust_no = '00004' then "
        "'n/a' else net_amount::text end as net_amount from cdnow")).transactions())
    assert ("column 'net_amount': numbers that do not read" in messages["type"]
            and "customers ['00004']" in messages["type"] and "'n/a'" in messages["type"])
    for text in messages.values():
        assert server["url"] in text and secret not in text


@pytest.mark.parametrize("way", ["profile read", "pushdown"])
def test_connection_lost_mid_query(server, cdnow, way):
    def kill():
        time.sleep(1.0)
        with psycopg.connect(server["url"], password=server["password"], autocommit=True) as con:
            con.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE application_name = 'crm-workbook' AND pid <> pg_backend_pid()")

    killer = threading.Thread(target=kill)
    killer.start()
    try:
        db = _db(server, query="select *, pg_sleep(5) from cdnow limit 1")
        text = _error(lambda: db.read(["cust_no"]) if way == "profile read" else
                      summarize_transactions_postgres(db, customer_col="cust_no",
                                                      date_col="sold_at", amount_col="net_amount"))
    finally:
        killer.join()
    assert "connection was lost" in text and server["password"] not in text
    assert f"database {server['url']}, query 'select *, pg_sleep(5) from cdnow limit 1'" in text


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
    assert f"  database: {server['url']}\n  table: cdnow\n" in text
    assert "file:" not in text and server["password"] not in text
    assert "  file: " in format_check(file, file_checks)


def test_profile_database_table_with_0_rows(server, cdnow, tmp_path):
    (tmp_path / "db.yaml").write_text(
        f"transactions:\n  database: {server['url']}\n  query: select * from cdnow where false\n"
        "  columns: {customer_id: cust_no, date: sold_at, amount: net_amount}\n")
    with pytest.raises(ValueError, match="(?s)query 'select \\* from cdnow where false'.*returned 0 rows"):
        load_profile(tmp_path / "db.yaml").transactions()


def test_notebook_03_pushes_the_summary_down_and_fits_as_from_the_file(server, cdnow, tmp_path,
                                                                       run_notebook):
    """Notebook 03 on a database profile of the CDNOW sample: the summary is computed in
    PostgreSQL (the engine recorded, no password in it) and BG/NBD reproduces Fader, Hardie
    & Lee (2005) as the file-based default run does (tests/test_nb_03_lifetime_value.py)."""
    from results import fader_hardie

    profile = _profile(tmp_path, server, "table: cdnow")
    results = run_notebook("03_lifetime_value", data=str(profile), calibration_end="1997-09-30",
                           observation_end="1998-06-30")
    engine = results["summary_engine"].value
    assert engine.startswith("PostgreSQL, pushed down") and f"{server['url']}, table cdnow" in engine
    assert server["password"] not in engine
    got = results["bgnbd"].value
    for name, value in fader_hardie.BGNBD_CDNOW.items():
        assert round(got[name], 1 if name == "loglik" else 3) == value, name
    file_run = run_notebook("03_lifetime_value")
    assert file_run["summary_engine"].value.startswith("pandas")
    for name in ("r", "alpha", "a", "b", "loglik"):
        assert got[name] == pytest.approx(file_run["bgnbd"].value[name], rel=1e-6), name
    assert results["holdout_actual"].value == file_run["holdout_actual"].value


def test_customer_summary_engine_follows_the_profile(server, cdnow, tmp_path):
    """Pushed down for a plain database table; pandas, saying why, when the profile nets
    returns in Python or the table keeps dates as text (which the profile parses)."""
    from crm_analysis.clv import customer_summary

    window = dict(calibration_end="1997-09-30", observation_end="1998-06-30")
    pandas = summarize_transactions(cdnow, **window)
    plain = _profile(tmp_path, server, "table: cdnow")
    summary, engine = customer_summary(cdnow.iloc[:0], data=str(plain), **window)  # rows unused
    assert engine.startswith("PostgreSQL, pushed down")
    pd.testing.assert_frame_equal(summary, pandas, check_exact=False, rtol=1e-9)
    netting = plain.with_name("net.yaml")
    netting.write_text(plain.read_text() + "  returns: net\n")
    assert customer_summary(cdnow, data=str(netting), **window)[1] == (
        "pandas (in this Python process): the profile's returns rule is applied in Python")
    text_dates = _profile(tmp_path, server, "query: select cust_no, sold_at::text as sold_at, "
                          "net_amount from cdnow", name="text.yaml")
    summary, engine = customer_summary(cdnow, data=str(text_dates), **window)
    assert engine == ("pandas (in this Python process): in the database, column 'sold_at' "
                      "(date) is not a date or timestamp (PostgreSQL type oid 25)")
    pd.testing.assert_frame_equal(summary, pandas)
