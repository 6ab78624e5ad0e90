"""Transaction lines for baskets: UCI Online Retail (``fetch_online_retail``) in the workbook's
canonical columns, and the check of a data profile's transactions table."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_analysis.common import require_columns

RAW_COLUMNS = ("InvoiceNo", "StockCode", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID")


def online_retail_lines(raw: pd.DataFrame, with_customer: bool = False) -> pd.DataFrame:
    """Sales lines of Online Retail: ``order_id``, ``customer_id`` (str, may be missing),
    ``date``, ``product`` (StockCode), ``quantity`` (units), ``unit_price`` and ``amount``
    (GBP).

    Cancellations (invoice ``C…``), bad-debt adjustments (``A…``) and lines with a
    non-positive quantity or price are dropped: a basket is what was bought. With
    ``with_customer`` only lines with a customer id are kept. Product names:
    :func:`product_names`.
    """
    require_columns(raw, RAW_COLUMNS, "Online Retail")
    invoice = raw["InvoiceNo"].astype("str")
    keep = (~invoice.str.startswith(("C", "A")) & (raw["Quantity"] > 0) & (raw["UnitPrice"] > 0)).to_numpy()
    if with_customer:
        keep &= raw["CustomerID"].notna().to_numpy()
    rows = np.flatnonzero(keep)
    codes, uniques = pd.factorize(raw["CustomerID"].iloc[rows])  # str of each distinct id once
    labels = np.append(np.asarray(uniques, dtype="int64").astype("str"), None)
    quantity = raw["Quantity"].to_numpy()[rows]
    price = raw["UnitPrice"].to_numpy()[rows]
    return pd.DataFrame({
        "order_id": invoice.iloc[rows].to_numpy(),
        "customer_id": pd.array(labels[codes], dtype="str"),  # code -1 (missing) → None
        "date": raw["InvoiceDate"].to_numpy()[rows],
        "product": raw["StockCode"].astype("str").iloc[rows].to_numpy(),
        "quantity": quantity,
        "unit_price": price,
        "amount": (quantity * price).astype(float),
    })


def product_names(raw: pd.DataFrame) -> pd.Series:
    """First non-empty ``Description`` of each ``StockCode`` (index: product code)."""
    require_columns(raw, ["StockCode", "Description"], "Online Retail")
    named = raw[["StockCode", "Description"]].dropna()
    names = named.drop_duplicates("StockCode").set_index("StockCode")["Description"]
    return names.rename("description").rename_axis("product")


def basket_lines(transactions: pd.DataFrame, what: str = "transactions") -> tuple[pd.DataFrame, pd.Series | None]:
    """Purchase lines of a data-profile transactions table, ready for baskets and recommendations.

    Needs ``order_id`` (the basket) and ``product`` besides ``customer_id`` and ``date``;
    lines with a non-positive ``amount`` (fully returned) are dropped. Returns the lines
    and, when the profile maps a ``description`` column, the product names (else None).
    """
    missing = [c for c in ("order_id", "product") if c not in transactions.columns]
    if missing:
        raise ValueError(
            f"{what}: market baskets need the column(s) {', '.join(missing)}, which the profile does not "
            f"map; add them under `columns:` in its transactions section, e.g. "
            f"`order_id: <invoice or receipt column>, product: <product or SKU column>`")
    lines = transactions
    if "amount" in lines.columns:
        lines = lines[lines["amount"] > 0]
    names = None
    if "description" in lines.columns:
        named = lines[["product", "description"]].dropna()
        names = named.drop_duplicates("product").set_index("product")["description"]
    return lines, names
