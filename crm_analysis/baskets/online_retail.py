"""UCI Online Retail (``fetch_online_retail``) in the workbook's canonical transaction columns."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_analysis.common import require_columns

RAW_COLUMNS = ("InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice",
               "CustomerID")


def online_retail_lines(raw: pd.DataFrame, with_customer: bool = False) -> pd.DataFrame:
    """Sales lines of Online Retail: ``order_id``, ``customer_id`` (str, may be missing),
    ``date``, ``product`` (StockCode), ``description``, ``quantity`` (units),
    ``unit_price`` and ``amount`` (GBP).

    Cancellations (invoice ``C…``), bad-debt adjustments (``A…``) and lines with a
    non-positive quantity or price are dropped: a basket is what was bought. With
    ``with_customer`` only lines with a customer id are kept.
    """
    require_columns(raw, RAW_COLUMNS, "Online Retail")
    invoice = raw["InvoiceNo"].astype("str")
    keep = ~invoice.str.startswith(("C", "A")) & (raw["Quantity"] > 0) & (raw["UnitPrice"] > 0)
    if with_customer:
        keep &= raw["CustomerID"].notna()
    r = raw[keep]
    codes, uniques = pd.factorize(r["CustomerID"])  # str of each distinct id once (fast)
    labels = np.append(np.asarray(uniques, dtype="int64").astype("str"), None)
    customer = pd.array(labels[codes], dtype="str")  # code -1 (missing) → the appended None
    return pd.DataFrame({
        "order_id": invoice[keep].to_numpy(),
        "customer_id": customer,
        "date": r["InvoiceDate"].to_numpy(),
        "product": r["StockCode"].astype("str").to_numpy(),
        "description": r["Description"].to_numpy(),
        "quantity": r["Quantity"].to_numpy(),
        "unit_price": r["UnitPrice"].to_numpy(),
        "amount": (r["Quantity"] * r["UnitPrice"]).to_numpy(dtype=float),
    })
