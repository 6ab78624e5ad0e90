"""load_transactions / load_customers: normalized output, and the documented errors.

The bad-input corpus and each file's expected error are in tests/data/bad/README.md;
the good-input tests write small files whose correct reading is known.
"""

import ast
import gzip
import re
from pathlib import Path

import pandas as pd
import pytest

from crm_analysis.data import DataValidationError, load_customers, load_transactions

BAD = Path(__file__).parent / "data" / "bad"
LOADERS = {"load_transactions": load_transactions, "load_customers": load_customers}


def corpus_table() -> list[tuple[str, str, list[str]]]:
    """(file, call, message fragments) from the README's table."""
    rows = []
    for line in (BAD / "README.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`"):
            name, call, fragments = (re.findall(r"`([^`]+)`", c) for c in cells)
            rows.append((name[0], call[0], fragments))
    return rows


TABLE = corpus_table()


def call(text: str, path: Path):
    """Run a README call such as ``load_transactions(path, allow_returns=True)``."""
    node = ast.parse(text, mode="eval").body
    kwargs = {k.arg: ast.literal_eval(k.value) for k in node.keywords}
    return LOADERS[node.func.id](path, **kwargs)


def test_corpus_has_at_least_20_documented_files():
    files = {p.name for p in BAD.iterdir() if p.name != "README.md"}
    assert len(files) >= 20
    assert files == {name for name, _, _ in TABLE}


@pytest.mark.parametrize(("name", "text", "fragments"), TABLE, ids=[f"{r[0]}:{i}" for i, r in enumerate(TABLE)])
def test_bad_file_gives_its_documented_error_and_is_not_modified(name, text, fragments):
    path = BAD / name
    before = path.read_bytes()
    with pytest.raises(DataValidationError) as caught:
        call(text, path)
    message = str(caught.value)
    assert message.startswith(str(path))
    for fragment in fragments:
        assert fragment in message
    assert path.read_bytes() == before
    assert isinstance(caught.value, ValueError)


def test_rows_are_reported_as_file_lines_and_capped_at_ten():
    with pytest.raises(DataValidationError) as caught:
        load_transactions(BAD / "many_bad_dates.csv")
    (problem,) = caught.value.problems
    assert problem.column == "date"
    assert problem.rows == tuple(range(2, 17))  # all 15 data rows, header is line 1
    assert "12, " not in str(caught.value)  # only the first 10 are printed


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_mapping_normalizes_names_and_types_and_passes_other_columns_through(tmp_path):
    path = write(tmp_path / "orders.csv",
                 "Order Date,Client,Total,store,items\n"
                 "2024-01-31,A7,19.90,Seoul,2\n"
                 "2024-02-01 14:30:00,B8,5,Busan,1\n"
                 "2024-02-02, A7 ,0,Seoul,3\n")
    frame = load_transactions(path, customer_id="Client", date="Order Date", amount="Total")
    assert list(frame.columns) == ["customer_id", "date", "amount", "store", "items"]
    assert frame["customer_id"].tolist() == ["A7", "B8", "A7"]
    assert frame["date"].tolist() == [pd.Timestamp("2024-01-31"), pd.Timestamp("2024-02-01 14:30"),
                                      pd.Timestamp("2024-02-02")]
    assert frame["amount"].tolist() == [19.9, 5.0, 0.0] and frame["amount"].dtype == "float64"
    assert frame["store"].tolist() == ["Seoul", "Busan", "Seoul"] and frame["items"].dtype == "int64"


def test_ids_that_look_like_numbers_keep_their_leading_zeros(tmp_path):
    path = write(tmp_path / "t.csv", "customer_id,date,amount\n00042,2024-01-01,1\n")
    assert load_transactions(path)["customer_id"].tolist() == ["00042"]


def test_options_accept_what_the_defaults_refuse(tmp_path):
    returns = load_transactions(BAD / "negative_amount.csv", allow_returns=True)
    assert returns["amount"].tolist() == [10.0, -10.0, 20.0]
    duplicates = load_transactions(BAD / "duplicate_rows.csv", allow_duplicates=True)
    assert len(duplicates) == 4
    day_first = load_transactions(BAD / "day_first_dates.csv", date_format="%d.%m.%Y")
    assert day_first["date"].tolist() == [pd.Timestamp("2024-01-05"), pd.Timestamp("2024-01-28")]
    european = load_transactions(BAD / "semicolon_separated.csv", sep=";", decimal=",")
    assert european["amount"].tolist() == [10.5]


def test_encodings(tmp_path):
    korean = load_transactions(BAD / "korean_cp949.csv", customer_id="고객번호", date="거래일",
                               amount="금액", encoding="cp949")
    assert korean["amount"].sum() == 35_000 and korean["customer_id"].tolist() == ["K1", "K2"]
    western = load_transactions(BAD / "latin1_encoded.csv", encoding="latin-1")
    assert western["city"].tolist() == ["Köln", "Zürich"]
    bom = write(tmp_path / "excel.csv", "\ufeffcustomer_id,date,amount\nC1,2024-01-01,1\n")
    assert load_transactions(bom)["customer_id"].tolist() == ["C1"]


def test_gzip_and_parquet(tmp_path):
    text = "customer_id,date,amount\nC1,2024-01-01,1.5\nC2,2024-01-02,2.5\n"
    gz = tmp_path / "t.csv.gz"
    gz.write_bytes(gzip.compress(text.encode()))
    assert load_transactions(gz)["amount"].sum() == 4.0
    parquet = load_transactions(BAD / "negative_amount.parquet", allow_returns=True)
    assert parquet["amount"].tolist() == [10.0, -3.0, 12.0]
    assert parquet["date"].tolist() == list(pd.to_datetime(["2024-01-05", "2024-01-06", "2024-01-07"]))


def test_a_column_named_like_a_normalized_one_but_not_mapped_is_refused(tmp_path):
    path = write(tmp_path / "t.csv", "customer_id,date,order_date,amount\nC1,x,2024-01-01,1\n")
    with pytest.raises(DataValidationError, match="column 'date': the file has a column 'date'"):
        load_transactions(path, date="order_date")


def test_load_customers(tmp_path):
    path = write(tmp_path / "c.csv", "id,signup,channel\n7,2023-05-01,web\n8,2023-06-15,store\n")
    customers = load_customers(path, customer_id="id", registration_date="signup")
    assert list(customers.columns) == ["customer_id", "registration_date", "channel"]
    assert customers["customer_id"].tolist() == ["7", "8"]
    assert customers["registration_date"].tolist() == list(pd.to_datetime(["2023-05-01", "2023-06-15"]))
    assert load_customers(path, customer_id="id")["signup"].tolist() == ["2023-05-01", "2023-06-15"]


@pytest.mark.real_data
def test_real_online_retail_problems_are_all_reported(real_data_home):
    """UCI Online Retail read as a transaction log: its known defects, independently counted."""
    path = real_data_home / "online_retail.csv.gz"
    raw = pd.read_csv(path, dtype={"InvoiceNo": str, "StockCode": str, "CustomerID": "Int64"})
    with pytest.raises(DataValidationError) as caught:
        load_transactions(path, customer_id="CustomerID", date="InvoiceDate", amount="UnitPrice")
    found = {p.message.split(" (")[0].split(";")[0]: p.rows for p in caught.value.problems}
    missing_ids = tuple(raw.index[raw["CustomerID"].isna()] + 2)
    assert found["missing customer id"] == missing_ids and len(missing_ids) == 135_080
    assert found["negative amounts"] == tuple(raw.index[raw["UnitPrice"] < 0] + 2)
    assert len(found["duplicate rows"]) == raw.duplicated().sum() == 5_268
