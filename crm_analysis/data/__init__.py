"""Where every notebook gets its data.

- ``synthetic``: a simulated CRM world whose true parameters are returned with the data.
- shipped (``data/``, offline): :func:`load_cdnow`, :func:`load_telco_churn`, :func:`load_rossi`,
  :func:`load_caravan`, :func:`load_mass_insurance`, :func:`load_febrl`,
  :func:`load_donations`.
- fetched on demand (``$CRM_WORKBOOK_DATA``, then the cache, then a download):
  :func:`fetch_fremtpl2`, :func:`fetch_eudirectlapse`, :func:`fetch_online_retail`, :func:`fetch_hillstrom`,
  :func:`fetch_groceries`, :func:`fetch_apache_log`; they raise
  :class:`DataUnavailableError` when the data cannot be had, so a notebook can skip.
- the analyst's own data: :func:`load_profile` reads a data profile (YAML) describing
  the analyst's tables (see :mod:`crm_analysis.data.profile`); the lower-level
  :func:`load_transactions`, :func:`load_customers` read one file. Bad data raises
  :class:`DataValidationError` naming file, column and rows; a bad profile
  :class:`ProfileError` naming file and key.
"""

from crm_analysis.data import synthetic
from crm_analysis.data.fetch import (
    DataChecksumError,
    DataUnavailableError,
    fetch_apache_log,
    fetch_eudirectlapse,
    fetch_file,
    fetch_fremtpl2,
    fetch_groceries,
    fetch_hillstrom,
    fetch_online_retail,
    get_data_home,
)
from crm_analysis.data.shipped import (
    load_caravan,
    load_febrl,
    load_cdnow,
    load_donations,
    load_mass_insurance,
    load_rossi,
    load_telco_churn,
)
from crm_analysis.data.profile import DataProfile, ProfileError, load_profile
from crm_analysis.data.user_files import DataValidationError, load_customers, load_transactions

__all__ = [
    "DataChecksumError",
    "DataProfile",
    "DataUnavailableError",
    "DataValidationError",
    "fetch_apache_log",
    "fetch_eudirectlapse",
    "fetch_file",
    "fetch_fremtpl2",
    "fetch_groceries",
    "fetch_hillstrom",
    "fetch_online_retail",
    "get_data_home",
    "ProfileError",
    "load_caravan",
    "load_febrl",
    "load_cdnow",
    "load_customers",
    "load_donations",
    "load_mass_insurance",
    "load_rossi",
    "load_profile",
    "load_telco_churn",
    "load_transactions",
    "synthetic",
]
