"""Larger real data sets, fetched on demand (the idea of scikit-learn's ``fetch_*``).

A data set is one or more files named as in the real-data README that CI uses
(``freMTPL2freq.csv.gz``, ``hillstrom.csv.gz``, …). :func:`fetch_file` finds a
file, in this order:

1. in the folder named by the environment variable ``CRM_WORKBOOK_DATA``;
2. in the cache, :func:`get_data_home` (``$CRM_WORKBOOK_CACHE`` or
   ``~/.cache/crm-workbook``);
3. by downloading it from its public source into the cache, checking its
   sha256 and moving it into place atomically (``.part`` file, then
   ``os.replace``), so a half-downloaded file is never mistaken for data.

Only files whose exact bytes are published somewhere can be downloaded: the
Hillstrom CSV, the Apache log (both byte-identical to their source blobs) and
arules' raw Groceries files (converted to the long format on reading).
freMTPL2 and Online Retail are published only as R ``.rda`` files, so they must
be provided as converted files; without them the ``fetch_*`` functions raise
:class:`DataUnavailableError`, whose message says which file to put where.
Every file used is checked against its sha256, so a different version of a
data set (e.g. the OpenML copy of freMTPL2) is refused with
:class:`DataChecksumError`.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from crm_analysis.data.arules_groceries import RAW_FILES, groceries_long_format

DATA_ENV = "CRM_WORKBOOK_DATA"
CACHE_ENV = "CRM_WORKBOOK_CACHE"
DEFAULT_CACHE = Path("~/.cache/crm-workbook")


class DataUnavailableError(FileNotFoundError):
    """A fetched data set is neither provided, nor cached, nor downloadable."""


class DataChecksumError(ValueError):
    """A data file (found or downloaded) does not have the expected sha256."""


@dataclass(frozen=True)
class Download:
    """Where a file's exact bytes are published: ``url`` saved as ``filename``."""

    url: str
    filename: str
    sha256: str


@dataclass(frozen=True)
class RemoteFile:
    """A real-data file: its canonical name and sha256, and how to download it, if at all."""

    filename: str
    sha256: str
    source: str
    download: Download | None = None


_GITHUB = "https://raw.githubusercontent.com"
_ARULES = f"{_GITHUB}/mhahsler/arules/c2cf57b682198c80194ae60673f8bf5123ac23dc/data_src/Groceries"


def _arules(name: str, sha256: str, download_name: str | None = None, download_sha256: str | None = None):
    return RemoteFile(
        f"groceries/{name}", sha256, f"R package arules, data_src/Groceries/{download_name or name}",
        Download(f"{_ARULES}/{download_name or name}", download_name or name, download_sha256 or sha256),
    )


#: The files the ``fetch_*`` functions read, keyed by canonical file name.
SOURCES: dict[str, RemoteFile] = {
    f.filename: f
    for f in [
        RemoteFile(
            "freMTPL2freq.csv.gz",
            "761fc3c656011db6f436b09c6f4c7597882b31e42eb777cfcf8b1ebeb392033b",
            "R package CASdatasets, data/freMTPL2freq.rda as of 2024-09-17 (commit 8a37c3c), "
            "converted by R load() then write.csv(row.names = FALSE, na = \"\") and gzip -n -9",
        ),
        RemoteFile(
            "freMTPL2sev.csv.gz",
            "6c49cd6f7329b1e31fb246ab37f05e222cefbfd11829a5f45a6324e5849bffbc",
            "R package CASdatasets, data/freMTPL2sev.rda as of 2024-09-17 (commit 8a37c3c), "
            "converted by R load() then write.csv(row.names = FALSE, na = \"\") and gzip -n -9",
        ),
        RemoteFile(
            "eudirectlapse.csv.gz",
            "585c09c0712523a02658dd6cc01638cfd88368cc0d1302b6dbfb4ee77803f65e",
            "R package CASdatasets, data/eudirectlapse.rda (commit dbac69a), converted by R "
            "load() then write.csv(row.names = FALSE, na = \"\") and gzip -n -9",
        ),
        RemoteFile(
            "online_retail.csv.gz",
            "4562ad6af8d15e8632e89d4b963b424b1ca3189742fe77c91f87a6558bb40d23",
            "CRAN package onlineretail 0.1.2, data/onlineretail.rda (UCI Online Retail)",
        ),
        RemoteFile(
            "groceries_transactions.csv.gz",
            "155cc4875b78964c4ea74c9eef571c86fb97bc064dafc817fecf8303e9b794bd",
            "R package arules, data_src/Groceries (long format: one row per basket and item); "
            "fetch_groceries() builds it from the raw files under groceries/ when those are available",
        ),
        _arules("Groceries.data.gz", "8b63403ed26f59a6ada0fc19141c156ea6463ed61ac3f06a397fc2e49f172ea5",
                "Groceries.data", "72b386dd752cc0b7395702a60e8165290cc203a88556bf209223f12847c3fdb4"),
        _arules("Groceries.labels", "f3c3d5c682aeef4298b2f21a380e028eebb77fecb8a34418cc2fc42c3a977994"),
        _arules("Groceries.cat2.labels", "434d1afe18fd391fc9f325fea87eb6454706fc44bb72a8b789c15eea101a15e2"),
        _arules("Groceries.cat1.labels", "110a177de48783f4933550cfc369c49110a7b0b58631859793405a3cbe2c7cc1"),
        RemoteFile(
            "hillstrom.csv.gz",
            "1bcbb5b3aeb0c7059506ddeda3072f09a14d0c3f05f0330f762a60601303140e",
            "Kevin Hillstrom, MineThatData E-Mail Analytics Challenge (2008)",
            Download(
                f"{_GITHUB}/carlosquintanillaa/Datasets/"
                "bd475633095c8a007be32c47ea695abe318197b6/hillstrom.csv",
                "hillstrom.csv",
                "ff9e59285e9dc3f5fa3e0975419e6631ea5bdccd65d818991473d2367e02979c",
            ),
        ),
        RemoteFile(
            "apache_logs.gz",
            "62450e13eb2d8a7cee84d38522e0e94657927f7f4d0e6a95aece078e0586a7aa",
            "elastic/examples, Common Data Formats/apache_logs",
            Download(
                f"{_GITHUB}/elastic/examples/6d86454ebb7a850bcd7e80abe86fe683370018a6/"
                "Common%20Data%20Formats/apache_logs/apache_logs",
                "apache_logs",
                "f15c31e905f86c7b4b6ab44aee74d0a2086dce89f010187d983edea7ef0364ef",
            ),
        ),
    ]
}


def get_data_home(data_home: str | os.PathLike | None = None) -> Path:
    """The download cache folder, created if needed.

    ``data_home`` if given, else ``$CRM_WORKBOOK_CACHE``, else ``~/.cache/crm-workbook``.
    """
    home = data_home if data_home is not None else os.environ.get(CACHE_ENV) or DEFAULT_CACHE
    path = Path(home).expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _verified(path: Path, sha256: str, source: str) -> Path:
    actual = _sha256(path)
    if actual != sha256:
        raise DataChecksumError(
            f"{path} has sha256 {actual}, expected {sha256}: it is a different version "
            f"of the data set (or damaged); replace it with the file from: {source}"
        )
    return path


def _download(download: Download, folder: Path) -> Path:
    """Download ``download.url`` into ``folder``, checking its sha256; atomic."""
    target = folder / download.filename
    handle, temp = tempfile.mkstemp(dir=folder, prefix=f"{download.filename}.", suffix=".part")
    try:
        digest = hashlib.sha256()
        with os.fdopen(handle, "wb") as out, urllib.request.urlopen(download.url, timeout=60) as response:
            for block in iter(lambda: response.read(1 << 20), b""):
                digest.update(block)
                out.write(block)
        if digest.hexdigest() != download.sha256:
            raise DataChecksumError(
                f"download of {download.url} has sha256 {digest.hexdigest()}, expected "
                f"{download.sha256}; the file was discarded"
            )
        os.replace(temp, target)
    finally:
        if os.path.exists(temp):
            os.remove(temp)
    return target


def fetch_file(filename: str, data_home: str | os.PathLike | None = None) -> Path:
    """Path of the real-data file ``filename`` (a key of :data:`SOURCES`, relative to the
    data folder, e.g. ``groceries/Groceries.labels``), fetching it if needed.

    Looks in ``$CRM_WORKBOOK_DATA``, then in the cache (:func:`get_data_home`),
    then downloads into the cache when the file has a public byte-exact source.
    A downloaded file may be the uncompressed original (e.g. ``hillstrom.csv``
    for ``hillstrom.csv.gz``); readers handle both. Raises
    :class:`DataUnavailableError` when none works and :class:`DataChecksumError`
    when a found or downloaded file has the wrong sha256.
    """
    spec = SOURCES[filename]
    provided = os.environ.get(DATA_ENV)
    if provided and (Path(provided) / filename).is_file():
        return _verified(Path(provided) / filename, spec.sha256, spec.source)
    try:
        cache = get_data_home(data_home)
    except OSError as error:  # e.g. the cache path is a file: the data is unavailable
        home = data_home if data_home is not None else os.environ.get(CACHE_ENV) or DEFAULT_CACHE
        raise DataUnavailableError(
            f"data file {filename!r} is not available: the cache folder {home} cannot be used"
            f" ({error.strerror or error}); set {CACHE_ENV} to a folder you can write to, or"
            f" set {DATA_ENV} to a folder holding {filename}.") from None
    folder = (cache / filename).parent
    if (cache / filename).is_file():
        return _verified(cache / filename, spec.sha256, spec.source)
    if spec.download and (folder / spec.download.filename).is_file():
        return _verified(folder / spec.download.filename, spec.download.sha256, spec.download.url)
    if spec.download is None:
        reason = f"it has no byte-exact public download (source: {spec.source})"
    else:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            return _download(spec.download, folder)
        except (urllib.error.URLError, OSError) as error:
            reason = f"downloading {spec.download.url} failed ({error})"
    where = f"${DATA_ENV}={provided}" if provided else f"${DATA_ENV} is not set"
    raise DataUnavailableError(
        f"data file {filename!r} is not available: {where}, it is not in the cache "
        f"{cache}, and {reason}. Put {filename} (sha256 {spec.sha256}) into a folder and "
        f"set {DATA_ENV} to that folder, or copy it to {cache / filename}."
    )


def fetch_fremtpl2(data_home: str | os.PathLike | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """French motor third-party liability (CASdatasets ``freMTPL2``): ``(freq, sev)``.

    ``freq``: 677,991 policies × 12 — ``IDpol`` (int key), ``ClaimNb`` (claims in
    the exposure period), ``Exposure`` (years), ``VehPower``, ``VehAge`` (years),
    ``DrivAge`` (years), ``BonusMalus`` (50–230, <100 is a bonus), ``VehBrand``,
    ``VehGas``, ``Area`` (``A`` rural … ``F`` urban), ``Density`` (inhabitants per
    km²), ``Region`` (region name). ``sev``: 26,444 claims × 2 — ``IDpol``,
    ``ClaimAmount`` (EUR). ``ClaimNb`` agrees with the number of sev rows per policy.
    """
    text = {"VehBrand": str, "VehGas": str, "Area": str, "Region": str}
    freq = pd.read_csv(fetch_file("freMTPL2freq.csv.gz", data_home), dtype=text)
    sev = pd.read_csv(fetch_file("freMTPL2sev.csv.gz", data_home))
    return freq, sev


def fetch_eudirectlapse(data_home: str | os.PathLike | None = None) -> pd.DataFrame:
    """European direct-channel motor insurance renewals (CASdatasets ``eudirectlapse``):
    23,060 one-year renewal quotes × 19.

    ``lapse`` (1 = the customer left at renewal: churn), ``policy_age`` (years the policy
    has been held), ``policy_nbcontract`` (contracts with the insurer), premiums
    ``prem_final`` (renewal premium offered), ``prem_last`` (premium paid last period),
    ``prem_market`` (market premium proxy), ``prem_pure`` (technical premium),
    ``prem_freqperyear``; policyholder ``polholder_age``, ``polholder_BMCevol``,
    ``polholder_diffdriver``, ``polholder_gender``, ``polholder_job``; vehicle
    ``vehicl_age``, ``vehicl_agepurchase``, ``vehicl_garage``, ``vehicl_powerkw``,
    ``vehicl_region``; ``policy_caruse``. Currency and year are not stated by the source.
    """
    return pd.read_csv(fetch_file("eudirectlapse.csv.gz", data_home))


def fetch_online_retail(data_home: str | os.PathLike | None = None) -> pd.DataFrame:
    """UCI Online Retail: 541,909 invoice lines × 8 of a UK gift-ware e-tailer, 2010-12-01 … 2011-12-09.

    ``InvoiceNo`` (str; ``C…`` = cancellation), ``StockCode`` (str),
    ``Description`` (str, may be missing), ``Quantity`` (int units, negative on
    returns), ``InvoiceDate`` (datetime64, UK local time), ``UnitPrice`` (GBP per
    unit), ``CustomerID`` (Int64, missing for 135,080 lines), ``Country`` (str).
    """
    frame = pd.read_csv(
        fetch_file("online_retail.csv.gz", data_home),
        dtype={"InvoiceNo": str, "StockCode": str, "Description": str,
               "CustomerID": "Int64", "Country": str},
    )
    return frame.assign(InvoiceDate=pd.to_datetime(frame["InvoiceDate"], format="%Y-%m-%d %H:%M:%S"))


def fetch_hillstrom(data_home: str | os.PathLike | None = None) -> pd.DataFrame:
    """Hillstrom's MineThatData e-mail test (2008): 64,000 customers × 12.

    ``segment`` is the randomized arm (``Mens E-Mail``, ``Womens E-Mail``,
    ``No E-Mail``); outcomes over the two weeks after: ``visit`` and
    ``conversion`` (0/1), ``spend`` (USD). History: ``recency`` (months since
    last purchase), ``history_segment``, ``history`` (USD spent in the past
    year), ``mens``, ``womens``, ``newbie`` (0/1), ``zip_code``, ``channel``.
    """
    return pd.read_csv(fetch_file("hillstrom.csv.gz", data_home))


def fetch_groceries(data_home: str | os.PathLike | None = None) -> pd.DataFrame:
    """arules "Groceries": 9,835 baskets of one grocery outlet over 30 days, long format.

    One row per (basket, item category), 43,367 rows: ``transaction_id``
    (1…9,835), ``item`` (169 categories, e.g. ``whole milk``), ``level2`` (55)
    and ``level1`` (10) parent categories, ``count`` (articles of that
    category in the basket, 1–7). Read from ``groceries_transactions.csv.gz``
    if present, else built from arules' raw files (``groceries/…``, provided,
    cached or downloaded).
    """
    try:
        path = fetch_file("groceries_transactions.csv.gz", data_home)
    except DataUnavailableError as missing:
        try:
            raw = [fetch_file(f"groceries/{name}", data_home) for name in RAW_FILES]
        except DataUnavailableError as raw_missing:
            raise DataUnavailableError(f"{missing}\nThe raw arules files it is built from are "
                                       f"not available either: {raw_missing}") from raw_missing
        return groceries_long_format(*raw)
    return pd.read_csv(path, dtype={"item": str, "level2": str, "level1": str})


def fetch_apache_log(data_home: str | os.PathLike | None = None) -> list[str]:
    """A real Apache access log (semicomplete.com, 2015-05-17 … 2015-05-20), combined format.

    Returns its 10,000 lines as str without line endings, in file order (not
    strictly time-ordered). Line 8,899 (index 8,898) is truncated, a real
    malformed record.
    """
    path = fetch_file("apache_logs.gz", data_home)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as stream:
        return [line.rstrip("\n") for line in stream]
