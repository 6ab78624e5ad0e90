"""Profile tables from folders and globs of exports (no database needed).

References: the same rows written to one file and read through the single-file path,
and hand-made files whose disagreement the test knows.
"""

from __future__ import annotations

import pandas as pd
import pytest

from crm_analysis.data import load_profile
from crm_analysis.data.sources import redact_url

COLUMNS = "columns: {customer_id: cust, date: d, amount: amt}"


def _rows(month: int, n: int = 5) -> pd.DataFrame:
    return pd.DataFrame({
        "cust": [f"c{(i * 7 + month) % 4}" for i in range(n)],
        "d": pd.date_range(f"2024-{month:02d}-01", periods=n, freq="3D"),
        "amt": [10.0 * month + i for i in range(n)],
    })


def _profile(tmp_path, path: str, columns: str = COLUMNS):
    file = tmp_path / "profile.yaml"
    file.write_text(f"transactions:\n  path: {path}\n  {columns}\n")
    return load_profile(file)


@pytest.mark.parametrize("path", ["exports/*.csv", "exports", "exports/"])
def test_monthly_csv_exports_read_as_one_file(tmp_path, path):
    (tmp_path / "exports").mkdir()
    months = [_rows(m) for m in (1, 2, 3)]
    for m, frame in zip((1, 2, 3), months):
        frame.assign(d=frame["d"].dt.strftime("%Y-%m-%d")).to_csv(
            tmp_path / "exports" / f"2024-{m:02d}.csv", index=False)
    pd.concat(months).assign(d=lambda f: f["d"].dt.strftime("%Y-%m-%d")).to_csv(
        tmp_path / "all.csv", index=False)
    many = _profile(tmp_path, path).transactions()
    one = _profile(tmp_path, "all.csv").transactions()
    pd.testing.assert_frame_equal(many, one)


def test_hive_partitioned_parquet_gives_partition_columns(tmp_path):
    for m in (1, 2):
        folder = tmp_path / "sales" / "year=2024" / f"month={m:02d}"
        folder.mkdir(parents=True)
        _rows(m).to_parquet(folder / "part-0.parquet")
    got = _profile(tmp_path, "sales", "columns: {customer_id: cust, date: d, amount: amt, "
                   "month: month}").transactions()
    want = pd.concat([_rows(1), _rows(2)], ignore_index=True)
    assert list(got["amount"]) == list(want["amt"])
    assert list(got["month"]) == ["01"] * 5 + ["02"] * 5
    assert list(got["date"]) == list(want["d"])


def test_files_that_disagree_are_named_in_one_error(tmp_path):
    (tmp_path / "x").mkdir()
    for m in (1, 2, 3):
        _rows(m).to_csv(tmp_path / "x" / f"{m}.csv", index=False)
    _rows(4).rename(columns={"amt": "amount"}).to_csv(tmp_path / "x" / "4.csv", index=False)
    _rows(5).drop(columns="amt").to_csv(tmp_path / "x" / "5.csv", index=False)
    with pytest.raises(ValueError) as error:
        _profile(tmp_path, "x/*.csv").transactions()
    text = str(error.value)
    assert "4.csv: lacks ['amt']; adds ['amount']" in text
    assert "5.csv: lacks ['amt']" in text
    assert "1.csv" not in text and "3 agree" in text


def test_parquet_files_with_other_types_are_named(tmp_path):
    (tmp_path / "p").mkdir()
    _rows(1).to_parquet(tmp_path / "p" / "a.parquet")
    _rows(2).assign(amt=lambda f: f["amt"].astype(str)).to_parquet(tmp_path / "p" / "b.parquet")
    with pytest.raises(ValueError, match=r"b\.parquet: types differ: amt"):
        _profile(tmp_path, "p").transactions()


def test_glob_matching_nothing_and_mixed_kinds(tmp_path):
    with pytest.raises(ValueError, match="matches no CSV or Parquet file"):
        _profile(tmp_path, "nothing/*.csv")
    (tmp_path / "m").mkdir()
    _rows(1).to_parquet(tmp_path / "m" / "a.parquet")
    _rows(2).to_csv(tmp_path / "m" / "b.csv", index=False)
    with pytest.raises(ValueError, match="mixes CSV and Parquet"):
        _profile(tmp_path, "m").transactions()


def test_database_url_with_password_is_refused_without_echoing_it(tmp_path):
    file = tmp_path / "profile.yaml"
    file.write_text("transactions:\n  database: postgresql://ann:s3cret@db.example.com:5432/crm\n"
                    "  table: sales.tx\n  " + COLUMNS + "\n")
    with pytest.raises(ValueError) as error:
        load_profile(file)
    assert "s3cret" not in str(error.value) and "ann:***@db.example.com:5432/crm" in str(error.value)
    assert redact_url("postgresql://a@h/db") == "postgresql://a@h/db"
    assert redact_url("postgresql://a@h/db?sslmode=require&password=pw") == (
        "postgresql://a@h/db?sslmode=require&password=***")
    file.write_text("transactions:\n  database: postgresql://ann@db/crm?password=s3cret\n"
                    "  table: sales.tx\n  " + COLUMNS + "\n")
    with pytest.raises(ValueError, match=r"crm\?password=\*\*\* carries a password"):
        load_profile(file)


def test_database_section_needs_exactly_one_of_table_and_query(tmp_path):
    file = tmp_path / "profile.yaml"
    file.write_text("transactions:\n  database: postgresql://ann@db/crm\n  table: t\n"
                    "  query: select 1\n  " + COLUMNS + "\n")
    with pytest.raises(ValueError, match="exactly one of `table:`"):
        load_profile(file)
