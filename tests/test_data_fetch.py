"""fetch_*: where files are looked for, the download path, and the real data sets.

The download path is tested against a local HTTP server on 127.0.0.1 serving
small files generated here, whose checksums the test computes. The real-data
tests assert the figures published with each data set (see the real-data
README that `$CRM_WORKBOOK_DATA` points to) and skip without it.
"""

import gzip
import hashlib
import http.server
import socket
import threading
from pathlib import Path

import pandas as pd
import pytest

from crm_analysis.data import (
    DataChecksumError,
    DataUnavailableError,
    fetch_apache_log,
    fetch_eudirectlapse,
    fetch_fremtpl2,
    fetch_groceries,
    fetch_hillstrom,
    fetch_online_retail,
    get_data_home,
)
from crm_analysis.data import fetch
from crm_analysis.data.arules_groceries import RAW_FILES, groceries_long_format

TINY_CSV = b"segment,visit,spend\r\nMens E-Mail,1,10.5\r\nNo E-Mail,0,0\r\n"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def isolated(monkeypatch, tmp_path):
    """No $CRM_WORKBOOK_DATA; the cache in a fresh temp folder."""
    monkeypatch.delenv(fetch.DATA_ENV, raising=False)
    cache = tmp_path / "cache"
    monkeypatch.setenv(fetch.CACHE_ENV, str(cache))
    return cache


@pytest.fixture
def server(tmp_path):
    """A local HTTP server over tmp_path/www; yields (base URL, folder, request log)."""
    root = tmp_path / "www"
    root.mkdir()
    requests: list[str] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(root), **kwargs)

        def do_GET(self):
            requests.append(self.path)
            super().do_GET()

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", root, requests
    httpd.shutdown()
    httpd.server_close()


def tiny_hillstrom(monkeypatch, url: str, served_sha: str = sha(TINY_CSV)) -> bytes:
    """Point the Hillstrom entry at ``url``; return the gzipped file for the data folder."""
    gz = gzip.compress(TINY_CSV, mtime=0)
    spec = fetch.RemoteFile("hillstrom.csv.gz", sha(gz), "test",
                            fetch.Download(url, "hillstrom.csv", served_sha))
    monkeypatch.setitem(fetch.SOURCES, "hillstrom.csv.gz", spec)
    return gz


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_get_data_home_precedence(monkeypatch, tmp_path):
    monkeypatch.setenv(fetch.CACHE_ENV, str(tmp_path / "from_env"))
    assert get_data_home() == tmp_path / "from_env"
    assert get_data_home(tmp_path / "explicit") == tmp_path / "explicit"
    assert (tmp_path / "from_env").is_dir() and (tmp_path / "explicit").is_dir()
    monkeypatch.delenv(fetch.CACHE_ENV)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert get_data_home() == tmp_path / "home" / ".cache" / "crm-workbook"


def test_provided_folder_is_used_first(monkeypatch, isolated, tmp_path):
    gz = tiny_hillstrom(monkeypatch, f"http://127.0.0.1:{closed_port()}/never")
    provided = tmp_path / "real"
    provided.mkdir()
    (provided / "hillstrom.csv.gz").write_bytes(gz)
    monkeypatch.setenv(fetch.DATA_ENV, str(provided))
    assert fetch.fetch_file("hillstrom.csv.gz") == provided / "hillstrom.csv.gz"
    frame = fetch_hillstrom()
    assert frame.to_dict("list") == {"segment": ["Mens E-Mail", "No E-Mail"],
                                     "visit": [1, 0], "spend": [10.5, 0.0]}
    assert not isolated.exists()  # the cache was not even needed


def test_download_into_cache_atomically_then_reuse(monkeypatch, isolated, server):
    base, root, requests = server
    (root / "hillstrom.csv").write_bytes(TINY_CSV)
    tiny_hillstrom(monkeypatch, f"{base}/hillstrom.csv")
    first = fetch_hillstrom()
    assert requests == ["/hillstrom.csv"]
    assert sorted(p.name for p in isolated.iterdir()) == ["hillstrom.csv"]
    assert (isolated / "hillstrom.csv").read_bytes() == TINY_CSV
    second = fetch_hillstrom()  # from the cache: no second request
    assert requests == ["/hillstrom.csv"]
    pd.testing.assert_frame_equal(first, second)
    assert first["spend"].sum() == 10.5


def test_explicit_data_home_is_the_cache(monkeypatch, isolated, server, tmp_path):
    base, root, _ = server
    (root / "hillstrom.csv").write_bytes(TINY_CSV)
    tiny_hillstrom(monkeypatch, f"{base}/hillstrom.csv")
    fetch_hillstrom(data_home=tmp_path / "elsewhere")
    assert (tmp_path / "elsewhere" / "hillstrom.csv").read_bytes() == TINY_CSV
    assert not list(isolated.glob("*"))


def test_download_with_wrong_checksum_leaves_nothing(monkeypatch, isolated, server):
    base, root, _ = server
    (root / "hillstrom.csv").write_bytes(TINY_CSV.replace(b"10.5", b"99.9"))
    tiny_hillstrom(monkeypatch, f"{base}/hillstrom.csv")
    with pytest.raises(DataChecksumError, match="discarded"):
        fetch_hillstrom()
    assert list(isolated.iterdir()) == []


def test_file_url_download(monkeypatch, isolated, tmp_path):
    log = b'1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 7 "-" "x"\nline two\n'
    (tmp_path / "apache_logs").write_bytes(log)
    spec = fetch.RemoteFile("apache_logs.gz", "0" * 64, "test",
                            fetch.Download((tmp_path / "apache_logs").as_uri(), "apache_logs", sha(log)))
    monkeypatch.setitem(fetch.SOURCES, "apache_logs.gz", spec)
    assert fetch_apache_log() == log.decode().splitlines()


def test_no_network_gives_clear_unavailable_error(monkeypatch, isolated):
    url = f"http://127.0.0.1:{closed_port()}/hillstrom.csv"
    tiny_hillstrom(monkeypatch, url)
    with pytest.raises(DataUnavailableError) as caught:
        fetch_hillstrom()
    message = str(caught.value)
    assert isinstance(caught.value, FileNotFoundError)
    for fragment in ("hillstrom.csv.gz", "CRM_WORKBOOK_DATA", str(isolated), url, "failed"):
        assert fragment in message
    assert list(isolated.iterdir()) == []


def test_without_public_download_the_error_says_where_to_put_the_file(isolated):
    with pytest.raises(DataUnavailableError) as caught:
        fetch_fremtpl2()
    message = str(caught.value)
    assert "freMTPL2freq.csv.gz" in message
    assert str(isolated / "freMTPL2freq.csv.gz") in message
    assert fetch.SOURCES["freMTPL2freq.csv.gz"].sha256 in message


def test_a_different_version_in_the_data_folder_is_refused(monkeypatch, isolated, tmp_path):
    provided = tmp_path / "real"
    provided.mkdir()
    (provided / "freMTPL2freq.csv.gz").write_bytes(gzip.compress(b"IDpol,ClaimNb\n1,0\n"))
    monkeypatch.setenv(fetch.DATA_ENV, str(provided))
    with pytest.raises(DataChecksumError, match="different version"):
        fetch_fremtpl2()


TINY_GROCERIES = {  # 3 baskets × 3 item categories, in arules' raw layout
    "Groceries.data": b"1\t0\t2\n0\t0\t1\n3\t1\t0\n",
    "Groceries.labels": b"111\tcitrus fruit\tZITRUS\r\n112\tbananas\tBANANEN\r\n551\tbeer\tBIER\r\n",
    "Groceries.cat2.labels": b"11\tfruit\tOBST\r\n55\tbeer\tBIER\r\n",
    "Groceries.cat1.labels": b"1\tfruit and vegetables\tOBST\r\n5\tdrinks\tGETRAENKE\r\n",
}
TINY_GROCERIES_LONG = pd.DataFrame({
    "transaction_id": [1, 1, 2, 3, 3],
    "item": ["citrus fruit", "beer", "beer", "citrus fruit", "bananas"],
    "level2": ["fruit", "beer", "beer", "fruit", "fruit"],
    "level1": ["fruit and vegetables", "drinks", "drinks", "fruit and vegetables", "fruit and vegetables"],
    "count": [1, 2, 1, 3, 1],
})


def test_groceries_are_built_from_downloaded_arules_raw_files(monkeypatch, isolated, server):
    base, root, requests = server
    for name, content in TINY_GROCERIES.items():
        (root / name).write_bytes(content)
    for name in RAW_FILES:
        served = name.removesuffix(".gz")
        monkeypatch.setitem(fetch.SOURCES, f"groceries/{name}", fetch.RemoteFile(
            f"groceries/{name}", "0" * 64, "test",
            fetch.Download(f"{base}/{served}", served, sha(TINY_GROCERIES[served]))))
    baskets = fetch_groceries()
    pd.testing.assert_frame_equal(baskets, TINY_GROCERIES_LONG, check_dtype=False)
    assert sorted(p.name for p in (isolated / "groceries").iterdir()) == sorted(TINY_GROCERIES)
    assert len(requests) == 4


def test_groceries_unavailable_names_both_ways(isolated, monkeypatch):
    for name in RAW_FILES:  # make the raw downloads fail fast, without network
        spec = fetch.SOURCES[f"groceries/{name}"]
        url = f"http://127.0.0.1:{closed_port()}/{name}"
        monkeypatch.setitem(fetch.SOURCES, spec.filename, fetch.RemoteFile(
            spec.filename, spec.sha256, spec.source, fetch.Download(url, spec.download.filename, "0" * 64)))
    with pytest.raises(DataUnavailableError) as caught:
        fetch_groceries()
    assert "groceries_transactions.csv.gz" in str(caught.value)
    assert "groceries/Groceries.data.gz" in str(caught.value)


def test_groceries_label_mismatch_is_an_error(tmp_path):
    for name, content in TINY_GROCERIES.items():
        (tmp_path / name).write_bytes(content)
    (tmp_path / "Groceries.labels").write_bytes(TINY_GROCERIES["Groceries.labels"].split(b"\n", 1)[1])
    with pytest.raises(ValueError, match="has 3 columns but .* labels 2 items"):
        groceries_long_format(*(tmp_path / n for n in TINY_GROCERIES))


def test_a_damaged_cached_download_is_refused(monkeypatch, isolated):
    tiny_hillstrom(monkeypatch, f"http://127.0.0.1:{closed_port()}/hillstrom.csv")
    isolated.mkdir()
    (isolated / "hillstrom.csv").write_bytes(TINY_CSV[:-5])  # e.g. an interrupted copy
    with pytest.raises(DataChecksumError, match="hillstrom.csv has sha256"):
        fetch_hillstrom()


# ---- the real data sets (skip without $CRM_WORKBOOK_DATA) --------------------------------


@pytest.fixture
def real(monkeypatch, real_data_home, tmp_path):
    monkeypatch.setenv(fetch.DATA_ENV, str(real_data_home))
    monkeypatch.setenv(fetch.CACHE_ENV, str(tmp_path / "cache"))
    return Path(real_data_home)


@pytest.mark.real_data
@pytest.mark.parametrize("filename", sorted(fetch.SOURCES))
def test_real_file_checksum(real, filename):
    assert sha((real / filename).read_bytes()) == fetch.SOURCES[filename].sha256


@pytest.mark.real_data
def test_fremtpl2_frequency_reconciles_with_severity(real):
    freq, sev = fetch_fremtpl2()
    assert freq.shape == (677_991, 12) and sev.shape == (26_444, 2)
    assert freq["ClaimNb"].sum() == 26_444
    assert freq["Exposure"].sum() == pytest.approx(358_482.84, abs=0.005)
    assert freq["IDpol"].is_unique and sev["IDpol"].isin(freq["IDpol"]).all()
    per_policy = sev.groupby("IDpol").size()
    claimed = freq.set_index("IDpol").loc[per_policy.index, "ClaimNb"]
    assert (claimed == per_policy).all() and len(per_policy) == 24_944
    assert sev["ClaimAmount"].sum() == pytest.approx(59_909_216.50, abs=0.01)
    assert freq["Region"].nunique() == 22 and freq["Area"].str.fullmatch("[A-F]").all()


@pytest.mark.real_data
def test_online_retail_published_totals_and_dtypes(real):
    retail = fetch_online_retail()
    assert retail.shape == (541_909, 8)
    assert retail["InvoiceNo"].nunique() == 25_900
    assert (retail["Quantity"] * retail["UnitPrice"]).sum() == pytest.approx(9_747_747.93, abs=0.01)
    assert retail["Quantity"].sum() == 5_176_450
    assert str(retail["CustomerID"].dtype) == "Int64"
    assert retail["CustomerID"].isna().sum() == 135_080 and retail["CustomerID"].nunique() == 4_372
    assert retail["InvoiceNo"].str.startswith("C").sum() == 9_288
    assert retail["InvoiceDate"].min() == pd.Timestamp("2010-12-01 08:26:00")
    assert retail["InvoiceDate"].max().date() == pd.Timestamp("2011-12-09").date()


@pytest.mark.real_data
def test_eudirectlapse_shape_and_lapse_rate(real):
    # the data README: 23,060 renewals x 19, no missing values, lapse mean 0.1281
    lapse = fetch_eudirectlapse()
    assert lapse.shape == (23_060, 19)
    assert not lapse.isna().any().any()
    assert lapse["lapse"].mean() == pytest.approx(0.1281, abs=5e-5)
    assert set(lapse["polholder_BMCevol"]) == {"down", "stable", "up"}


@pytest.mark.real_data
def test_hillstrom_arms_and_visit_rates(real):
    mail = fetch_hillstrom()
    assert mail.shape == (64_000, 12)
    sizes = mail["segment"].value_counts()
    assert sizes.to_dict() == {"Womens E-Mail": 21_387, "Mens E-Mail": 21_307, "No E-Mail": 21_306}
    visit = mail.groupby("segment")["visit"].mean().round(4)
    assert visit.to_dict() == {"Mens E-Mail": 0.1828, "No E-Mail": 0.1062, "Womens E-Mail": 0.1514}
    assert mail["conversion"].mean() == pytest.approx(0.00903, abs=5e-6)
    assert mail["spend"].mean() == pytest.approx(1.05091, abs=5e-6)


@pytest.mark.real_data
def test_groceries_baskets(real):
    baskets = fetch_groceries()
    assert baskets.shape == (43_367, 5)
    assert baskets["transaction_id"].nunique() == 9_835
    assert baskets["item"].nunique() == 169
    assert baskets.groupby("transaction_id").size().mean() == pytest.approx(4.409, abs=5e-4)
    top = baskets.groupby("item")["transaction_id"].nunique().nlargest(3)
    assert top.to_dict() == {"whole milk": 2_513, "other vegetables": 1_903, "rolls/buns": 1_809}
    raw = [real / "groceries" / name for name in RAW_FILES]
    pd.testing.assert_frame_equal(groceries_long_format(*raw), baskets)


@pytest.mark.real_data
def test_apache_log_lines(real):
    lines = fetch_apache_log()
    assert len(lines) == 10_000
    assert len({line.split(" ", 1)[0] for line in lines}) == 1_753
    malformed = [i for i, line in enumerate(lines) if line.count('"') % 2 == 1]
    assert malformed == [8_898]  # line 8,899: user agent without closing quote
    # the README's status table counts the 9,999 well-formed lines (its counts sum to 9,999)
    status = pd.Series([line.split('"')[2].split()[0] for line in lines]).drop(index=malformed)
    assert status.value_counts()[["200", "304", "404", "301", "206"]].tolist() == [9_125, 445, 213, 164, 45]

