"""Worked-example data profiles for fetched real data sets.

:func:`online_retail_profile` is the profile of the UCI Online Retail log that the
README's "Your own data" section writes out as YAML: notebooks use it as their real
example when the analyst gives no profile of their own, so the example and the
analyst's path go through the same loader, returns netting and checks.
"""

from __future__ import annotations

import os

from crm_analysis.data.fetch import fetch_file
from crm_analysis.data.profile import DataProfile, _check_section

#: The Online Retail profile (the YAML of the README's worked example, as a mapping).
ONLINE_RETAIL = {
    "transactions": {
        "path": "online_retail.csv.gz",
        "columns": {"customer_id": "CustomerID", "date": "InvoiceDate", "order_id": "InvoiceNo",
                    "product": "StockCode", "quantity": "Quantity", "unit_price": "UnitPrice",
                    "country": "Country"},
        "amount": "quantity * unit_price",
        "returns": "net",
        "missing_customer": "drop",
        "duplicates": "keep",
    }
}


def online_retail_profile(data_home: str | os.PathLike | None = None) -> DataProfile:
    """The Online Retail log (fetched: ``$CRM_WORKBOOK_DATA``, cache or download) as a profile.

    Cancellations are netted against the purchases they reverse, lines without a
    customer id are dropped, and repeated identical lines are kept (an order may list
    the same item twice). Raises :class:`~crm_analysis.data.DataUnavailableError` when
    the file can be neither found nor downloaded.
    """
    path = fetch_file("online_retail.csv.gz", data_home)
    where = path.parent / "online_retail.profile.yaml"  # names the profile in messages
    spec = {name: _check_section(where, name, dict(section, path=str(path)))
            for name, section in ONLINE_RETAIL.items()}
    return DataProfile(where, spec)
