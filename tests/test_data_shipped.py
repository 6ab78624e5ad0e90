"""Shipped data sets: the documented shapes, totals and checksums.

References: CDNOW figures from Fader & Hardie's data set description (also in
data/README.md); telco churn 1,869 churners of 7,043 (IBM sample data page);
Caravan 348 purchasers of 5,822 (ISLR, ch. 4 lab); sha256 values recorded in
data/README.md when the files were added.
"""

import hashlib
import re

import pandas as pd
import pytest

from crm_analysis.data import (
    load_caravan,
    load_cdnow,
    load_febrl,
    load_mass_insurance,
    load_rossi,
    load_telco_churn,
)
from crm_analysis.data.shipped import DATA_DIR, shipped_path

SHA256 = {
    "cdnow/CDNOW_master.txt": "eff6889ed364c5199d6eacbbeb7a6d559971df4406ac876f322c373f00a072ef",
    "cdnow/CDNOW_sample.txt": "6fae10155c0b0ba363c2c386e30f77990d22328220efd862a5edd1443420d94a",
    "telco/wa_churn.csv.gz": "02d4b9f6efc3249ba52431d29d5906458cfeb98e23c21f0d0434fdd876e737cc",
    "caravan/caravan.csv.gz": "82847df98be785817b46c6cb6fea9f8ac73bca78caa0ee7732d4a583a45eaa4a",
    "mass_insurance/insurance.csv": "00c9e982c20461e59f7ab1defdeb79dd5a05900f94f57fbf44184295a0215880",
    "febrl/dataset3.csv.gz": "5f49566d8de460bbc7e9fbae54293581e739755154b22513d73963a0022a32fe",
    "febrl/dataset4a.csv.gz": "d0baa33d7fd09092c0b9d0a6b854b25d5af261b548d404a17acc637a05d54916",
    "febrl/dataset4b.csv.gz": "cbc757063fdda2f6f1b7ad431f2529b158215d6c42253dfb301667ab76c1e7a3",
    "donations/donations.csv": "82c25f26a201ff047e1cd5fe3d7967a45db92a025ecedee72ff8940e50104544",
    "rossi/rossi.csv": "0214400170e07f3015a285edca2014cac0dae8aac125fcbaad642490e05f892c",
}


@pytest.mark.parametrize("relative", sorted(SHA256))
def test_shipped_file_has_documented_checksum(relative):
    digest = hashlib.sha256(shipped_path(relative).read_bytes()).hexdigest()
    assert digest == SHA256[relative]
    assert digest in (DATA_DIR / "README.md").read_text(encoding="utf-8")


def test_readme_documents_every_shipped_file():
    readme = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    shipped = {p.relative_to(DATA_DIR).as_posix() for p in DATA_DIR.rglob("*")
               if p.is_file() and p.name != "README.md"}
    assert shipped == set(SHA256)
    assert all(re.search(re.escape(name), readme) for name in shipped)


def test_cdnow_master_matches_published_totals():
    cdnow = load_cdnow()
    assert list(cdnow.columns) == ["customer_id", "date", "quantity", "amount"]
    assert len(cdnow) == 69_659
    assert cdnow["customer_id"].nunique() == 23_570
    assert cdnow["amount"].sum() == pytest.approx(2_500_315.63, abs=0.005)
    assert cdnow["quantity"].sum() == 167_881
    assert (cdnow["amount"] == 0).sum() == 80
    assert cdnow["date"].min() == pd.Timestamp("1997-01-01")
    assert cdnow["date"].max() == pd.Timestamp("1998-06-30")
    assert pd.api.types.is_datetime64_any_dtype(cdnow["date"])
    assert (cdnow["date"] == cdnow["date"].dt.normalize()).all()
    assert cdnow["quantity"].dtype == "int64" and cdnow["amount"].dtype == "float64"
    assert cdnow["customer_id"].iloc[0] == "00001"
    # the 1997-Q1 cohort: every customer's first purchase is in the first quarter
    first = cdnow.groupby("customer_id")["date"].min()
    assert first.max() <= pd.Timestamp("1997-03-31")


def test_cdnow_sample_is_a_tenth_of_the_master_customers_with_all_their_purchases():
    sample = load_cdnow(sample=True)
    assert list(sample.columns) == ["customer_id", "date", "quantity", "amount"]
    assert len(sample) == 6_919
    assert sample["customer_id"].nunique() == 2_357
    master = load_cdnow()
    in_sample = master[master["customer_id"].isin(sample["customer_id"])]
    key = ["customer_id", "date", "quantity", "amount"]
    pd.testing.assert_frame_equal(
        in_sample.sort_values(key).reset_index(drop=True),
        sample.sort_values(key).reset_index(drop=True),
    )


def test_telco_churn_shape_and_churners():
    telco = load_telco_churn()
    assert telco.shape == (7_043, 20)
    assert (telco["churn"] == "Yes").sum() == 1_869
    assert telco["tenure"].between(0, 72).all()
    missing = telco["total_charges"].isna()
    assert missing.sum() == 11 and (telco.loc[missing, "tenure"] == 0).all()


def test_caravan_shape_and_purchasers():
    caravan = load_caravan()
    assert caravan.shape == (5_822, 86)
    assert (caravan["Purchase"] == "Yes").sum() == 348
    assert caravan.columns[0] == "MOSTYPE" and caravan.columns[-1] == "Purchase"
    assert caravan.drop(columns="Purchase").dtypes.eq("int64").all()


def test_mass_insurance_is_the_full_4x4x4_table():
    insurance = load_mass_insurance()
    assert insurance.shape == (64, 5)
    assert insurance["Group"].cat.ordered and insurance["Age"].cat.ordered
    assert list(insurance["Age"].cat.categories) == ["<25", "25-29", "30-35", ">35"]
    cells = insurance.groupby(["District", "Group", "Age"], observed=True).size()
    assert len(cells) == 64 and (cells == 1).all()
    assert (insurance["Claims"] <= insurance["Holders"]).all()


def test_febrl_shapes_as_documented():
    """FEBRL generator README: data set 3 has 2,000 originals and 3,000 duplicates; 4a/4b
    hold 5,000 originals and one duplicate of each."""
    f3 = load_febrl("3")
    assert len(f3) == 5000 and f3["rec_id"].str.endswith("-org").sum() == 2000
    a, b = load_febrl("4")
    assert len(a) == len(b) == 5000
    assert set(a["entity"]) == set(b["entity"])
    with pytest.raises(ValueError, match="name must be one of"):
        load_febrl("2")


def test_rossi_matches_its_documentation():
    # carData::Rossi: 432 released prisoners, half given financial aid at random, all
    # censored observations at 52 weeks; 114 arrests (Fox & Weisberg's coxph output)
    rossi = load_rossi()
    assert rossi.shape == (432, 9)
    assert rossi["arrest"].sum() == 114 and rossi["fin"].sum() == 216
    assert (rossi.loc[rossi["arrest"] == 0, "week"] == 52).all()
