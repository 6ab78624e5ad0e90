"""Data profiles: reading the analyst's tables as a small YAML file describes them.

Values are checked against hand computations on tiny files, against the shipped CDNOW
log read directly, and (real-data tests) against the raw UCI Online Retail file.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crm_analysis.data import DataValidationError, ProfileError, load_cdnow, load_profile

ROOT = Path(__file__).resolve().parents[1]

def write_profile(folder: Path, text: str, name: str = "profile.yaml") -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_korean_export_with_marks_and_date_format(tmp_path):
    (tmp_path / "sales.csv").write_bytes(
        "고객번호,거래일자,금액,수량\nA1,2024.01.31,\"1,234.50\",2\nB2,2024.02.01,32,1\n".encode("cp949"))
    profile = load_profile(write_profile(tmp_path, """\
        transactions:
          path: sales.csv
          encoding: cp949
          thousands: ","
          date_format: "%Y.%m.%d"
          columns: {customer_id: 고객번호, date: 거래일자, amount: 금액, quantity: 수량}
        """))
    tx = profile.transactions()
    assert tx.columns.tolist() == ["customer_id", "date", "amount", "quantity"]
    assert tx["customer_id"].tolist() == ["A1", "B2"]
    assert tx["date"].tolist() == [pd.Timestamp("2024-01-31"), pd.Timestamp("2024-02-01")]
    assert tx["amount"].tolist() == [1234.5, 32.0]
    assert profile.has("transactions") and not profile.has("campaign")


def test_decimal_comma_and_thousands_point_read_exactly_or_refuse(tmp_path):
    (tmp_path / "t.csv").write_text("id;day;total\nA;2024-01-02;1.234\nB;2024-01-03;1.234,5\n"
                                    "C;2024-01-04;1.23\n", encoding="utf-8")
    text = """\
        transactions:
          path: t.csv
          sep: ";"
          decimal: ","
          thousands: "."
          columns: {customer_id: id, date: day, amount: total}
        """
    with pytest.raises(DataValidationError) as caught:
        load_profile(write_profile(tmp_path, text)).transactions()
    message = str(caught.value)
    assert "column 'total'" in message and "(line 4; value '1.23')" in message
    (tmp_path / "t.csv").write_text("id;day;total\nA;2024-01-02;1.234\nB;2024-01-03;1.234,5\n",
                                    encoding="utf-8")
    assert load_profile(write_profile(tmp_path, text)).transactions()["amount"].tolist() == [1234.0, 1234.5]


def test_duplicate_key_unknown_key_and_bad_choice_name_the_key(tmp_path):
    (tmp_path / "t.csv").write_text("c,d,a\nA,2024-01-01,1\n", encoding="utf-8")
    with pytest.raises(ProfileError, match=r"duplicate key 'returns' \(line 3 and line 4\)"):
        load_profile(write_profile(tmp_path, """\
            transactions:
              path: t.csv
              returns: net
              returns: drop
              columns: {customer_id: c, date: d, amount: a}
            """))
    with pytest.raises(ProfileError, match=r"unknown key 'retruns'; did you mean 'returns'\?"):
        load_profile(write_profile(tmp_path, """\
            transactions: {path: t.csv, retruns: net, columns: {customer_id: c, date: d, amount: a}}
            """))
    with pytest.raises(ProfileError, match=r"transactions.returns: 'keep' is not one of net, drop, refuse"):
        load_profile(write_profile(tmp_path, """\
            transactions: {path: t.csv, returns: keep, columns: {customer_id: c, date: d, amount: a}}
            """))
    with pytest.raises(ProfileError, match="not found"):
        load_profile(write_profile(tmp_path, "transactions: {path: nope.csv, columns: {customer_id: c}}"))


@pytest.mark.parametrize("expression", [
    "__import__('os').system('echo hi')", "quantity.__class__", "open('x')", "quantity ** 2",
    "[quantity]", "lambda: 1", "quantity if unit_price else 0", "price * 2", "'a' * 3",
])
def test_amount_expression_is_arithmetic_on_mapped_columns_only(tmp_path, expression):
    (tmp_path / "t.csv").write_text("c,d,q,p\nA,2024-01-01,2,1.5\n", encoding="utf-8")
    text = f"""\
        transactions:
          path: t.csv
          columns: {{customer_id: c, date: d, quantity: q, unit_price: p}}
          amount: "{expression.replace('"', "'")}"
        """
    with pytest.raises(ProfileError, match="transactions.amount"):
        load_profile(write_profile(tmp_path, text))


def test_amount_expression_computes_by_hand(tmp_path):
    (tmp_path / "t.csv").write_text("c,d,q,p\nA,2024-01-01,2,1.5\nB,2024-01-02,3,-2\n", encoding="utf-8")
    profile = load_profile(write_profile(tmp_path, """\
        transactions:
          path: t.csv
          columns: {customer_id: c, date: d, quantity: q, unit_price: p}
          amount: (quantity * unit_price - 1) / 2
          returns: drop
        """))
    assert profile.transactions()["amount"].tolist() == [1.0]  # B: (3*-2-1)/2 = -3.5 dropped


RETURNS_LOG = """\
c,d,order,item,amount
A,2024-01-01 10:00,1,x,100
A,2024-01-05 09:00,C2,x,-30
B,2024-01-02 10:00,3,y,50
B,2024-01-03 10:00,C4,y,-50
C,2024-01-10 10:00,5,z,20
C,2024-06-10 10:00,C6,z,-20
D,2024-01-10 10:00,7,z,10
D,2024-01-11 10:00,C8,w,-15
"""


def returns_profile(tmp_path, choice: str) -> Path:
    (tmp_path / "r.csv").write_text(RETURNS_LOG, encoding="utf-8")
    return write_profile(tmp_path, f"""\
        transactions:
          path: r.csv
          columns: {{customer_id: c, date: d, order_id: order, product: item, amount: amount}}
          returns: {choice}
          return_window_days: 30
        """)


def test_returns_refuse_names_the_choices(tmp_path):
    with pytest.raises(DataValidationError) as caught:
        load_profile(returns_profile(tmp_path, "refuse")).transactions()
    message = str(caught.value)
    assert "`returns: net`" in message and "`returns: drop`" in message
    assert "(4 lines: 3, 5, 7, 9;" in message


def test_returns_net_by_hand(tmp_path):
    profile = load_profile(returns_profile(tmp_path, "net"))
    tx = profile.transactions()
    # A: 100 - 30 = 70; B: 50 fully returned, removed; C: return 152 days later (window 30)
    # finds nothing, purchase kept; D: return of another product finds nothing
    assert dict(zip(tx["customer_id"], tx["amount"])) == {"A": 70.0, "C": 20.0, "D": 10.0}
    net = profile.reports["transactions"].netting
    assert net["return_lines"] == 4 and net["returned_amount"] == 115.0
    assert net["netted_amount"] == 80.0 and net["unmatched_amount"] == 35.0
    assert net["purchase_lines_removed"] == 1 and net["purchase_lines_reduced"] == 1
    report = profile.reports["transactions"]
    assert report.rows_read - report.rows_kept == sum(d.count for d in report.dropped)


def test_returns_net_as_of_ignores_later_returns(tmp_path):
    tx = load_profile(returns_profile(tmp_path, "net")).transactions(as_of="2024-01-02")
    assert dict(zip(tx["customer_id"], tx["amount"])) == {"A": 100.0, "B": 50.0}


def test_returns_net_never_leaves_a_customer_below_zero():
    from crm_analysis.data.profile import net_returns

    rng = np.random.default_rng(5)
    n = 3000
    frame = pd.DataFrame({
        "customer_id": rng.integers(0, 60, n).astype(str),
        "product": rng.integers(0, 5, n).astype(str),
        "date": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 200 * 24, n), unit="h"),
        "amount": np.round(rng.normal(20, 30, n), 2),
    })
    out = net_returns(frame, window_days=30)
    assert (out["amount"] >= 0).all()
    assert out.groupby("customer_id")["amount"].sum().min() >= 0
    # netting only lowers purchases: each purchase ends between 0 and its original amount
    original = frame.loc[out.index, "amount"]
    assert ((out["amount"] <= original + 1e-9) & (out["amount"] >= 0)).all()


def test_missing_customer_refuse_and_drop(tmp_path):
    (tmp_path / "t.csv").write_text("c,d,a\nA,2024-01-01,1\n,2024-01-02,2\n", encoding="utf-8")
    text = "transactions: {{path: t.csv, columns: {{customer_id: c, date: d, amount: a}}{extra}}}"
    with pytest.raises(DataValidationError, match=r"missing customer id; set `missing_customer: drop`.*line 3"):
        load_profile(write_profile(tmp_path, text.format(extra=""))).transactions()
    profile = load_profile(write_profile(tmp_path, text.format(extra=", missing_customer: drop")))
    assert profile.transactions()["amount"].tolist() == [1.0]
    assert profile.reports["transactions"].dropped[0].rows == (3,)


def test_campaign_and_customers_tables(tmp_path):
    (tmp_path / "camp.csv").write_text("cust,grp,bought,cost\nA,1,yes,2.5\nB,0,no,0\n", encoding="utf-8")
    (tmp_path / "cust.csv").write_text("cust,joined,name\nA,2023-01-01,Kim\nB,2024-06-01,Lee\n",
                                       encoding="utf-8")
    profile = load_profile(write_profile(tmp_path, """\
        campaign: {path: camp.csv, columns: {customer_id: cust, treated: grp, response: bought, spend: cost}}
        customers: {path: cust.csv, columns: {customer_id: cust, signup_date: joined, name: name}}
        web_log: {path: camp.csv, format: combined, time_zone: Asia/Seoul}
        """))
    campaign = profile.campaign()
    assert campaign.to_dict("list") == {"customer_id": ["A", "B"], "treated": [1, 0],
                                        "response": [1, 0], "spend": [2.5, 0.0]}
    assert profile.customers(as_of="2024-01-01")["name"].tolist() == ["Kim"]
    log = profile.web_log()
    assert log == {"path": (tmp_path / "camp.csv").resolve(), "format": "combined", "time_zone": "Asia/Seoul"}


def test_cdnow_master_as_korean_spreadsheet_export_gives_the_same_bgnbd_fit(tmp_path):
    from crm_analysis import clv

    log = load_cdnow(sample=False)
    export = pd.DataFrame({"고객번호": log["customer_id"], "거래일자": log["date"].dt.strftime("%Y.%m.%d"),
                           "금액": log["amount"].map(lambda v: f"{v:,.2f}")})
    assert export["금액"].str.contains(",").any()  # thousands marks really occur
    export.to_csv(tmp_path / "cdnow.csv", index=False, encoding="cp949")
    profile = load_profile(write_profile(tmp_path, """\
        transactions:
          path: cdnow.csv
          encoding: cp949
          thousands: ","
          date_format: "%Y.%m.%d"
          duplicates: keep
          columns: {customer_id: 고객번호, date: 거래일자, amount: 금액}
        """))
    tx = profile.transactions()
    pd.testing.assert_series_equal(tx["amount"], log["amount"].round(2).reset_index(drop=True), check_names=False)
    summary = clv.summarize_transactions(tx, time_unit="W", calibration_end="1997-09-30",
                                         observation_end="1998-06-30")
    fit = clv.BGNBD().fit(summary)
    got = fit.params_.to_dict()
    assert round(got["r"], 4) == 0.2516 and round(got["alpha"], 3) == 4.789
    assert round(got["a"], 4) == 0.7234 and round(got["b"], 3) == 2.161


# --- real data: the raw UCI Online Retail file ------------------------------------------------


def readme_profile() -> str:
    """The worked-example profile of the README's "Your own data" section."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Your own data"):]
    return section.split("```yaml\n", 1)[1].split("```", 1)[0]


@pytest.fixture(scope="module")
def online_retail(real_data_home, tmp_path_factory):
    folder = tmp_path_factory.mktemp("online_retail")
    text = readme_profile()
    assert len(text.splitlines()) <= 15 and "path: online_retail.csv.gz" in text
    (folder / "online_retail.csv.gz").symlink_to(real_data_home / "online_retail.csv.gz")
    path = write_profile(folder, text, "online_retail.yaml")
    profile = load_profile(path)
    return path, profile, profile.transactions()


def test_online_retail_cancelled_order_of_16446_nets_out(online_retail):
    raw = pd.read_csv(online_retail[1].table_path("transactions"), dtype={"CustomerID": str, "InvoiceNo": str})
    lines = raw[raw["CustomerID"] == "16446"]
    assert (lines["Quantity"] * lines["UnitPrice"]).round(2).tolist() == [1.65, 1.25, 168469.6, -168469.6]
    tx = online_retail[2]
    assert tx.loc[tx["customer_id"] == "16446", "amount"].sum() == pytest.approx(2.90)
    assert tx.groupby("customer_id")["amount"].sum().min() >= 0


def test_online_retail_every_line_is_accounted_for(online_retail):
    _, profile, tx = online_retail
    report = profile.reports["transactions"]
    assert report.rows_read == 541_909
    assert report.rows_read - report.rows_kept == sum(d.count for d in report.dropped)
    reasons = {d.reason.split(" (")[0]: d.count for d in report.dropped}
    assert reasons["missing customer id"] == 135_080  # the file's README: 135,080 empty ids
    net = report.netting
    # every cancellation line with a customer is either netted or reported unmatched
    raw = pd.read_csv(profile.table_path("transactions"), dtype={"CustomerID": str, "InvoiceNo": str})
    cancelled = raw["InvoiceNo"].str.startswith("C") & raw["CustomerID"].notna()
    assert net["return_lines"] == int(cancelled.sum())
    assert net["returned_amount"] == pytest.approx(-(raw.loc[cancelled, "Quantity"] * raw.loc[cancelled, "UnitPrice"]).sum())
    assert net["netted_amount"] + net["unmatched_amount"] == pytest.approx(net["returned_amount"])
    with_id = raw[raw["CustomerID"].notna()]
    total = (with_id["Quantity"] * with_id["UnitPrice"]).sum()
    assert tx["amount"].sum() == pytest.approx(total + net["unmatched_amount"])


def test_online_retail_data_check_command(online_retail):
    path = online_retail[0]
    proc = subprocess.run([sys.executable, "-m", "crm_analysis.cli", "data", "check", str(path)],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "lines read: 541,909; kept: 395,291" in out
    assert "135,080 lines: missing customer id" in out
    assert "repeat buyers" in out and "date range: 2010-12-01" in out
    bad = path.parent / "bad.yaml"
    lines = [line for line in path.read_text().splitlines(keepends=True) if "returns:" not in line]
    bad.write_text("".join(lines), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "crm_analysis.cli", "data", "check", str(bad)],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 2
    assert "set `returns: net`" in proc.stderr and "column 'quantity * unit_price'" in proc.stderr
