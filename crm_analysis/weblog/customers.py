"""Known customers: link visitors (cookies) to customer ids and join web behaviour to purchases.

A visitor becomes *identified* when one of its requests reveals a customer id: a customer
cookie (``member=C…``, set at log-in or purchase) or the authenticated user of the log's
``%u`` field. The link holds for all the visitor's requests, before and after, which is
how e-CRM joins anonymous browsing to the customer master and the purchase records of
the core systems.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_analysis.common import require_columns


def identify_visitors(requests: pd.DataFrame, customer_cookie: str = "member", use_user_field: bool = True) -> pd.DataFrame:
    """Visitor → customer id, from the customer cookie (or the ``user`` field).

    Returns one row per identified visitor: ``visitor``, ``customer_id`` (the id seen most
    often; ties by first seen), ``identified_at`` (first request showing it), and
    ``conflicts`` (number of distinct ids seen for the visitor, > 1 when a browser is shared).
    """
    require_columns(requests, ["visitor", "time"], "requests")
    ids = pd.Series(pd.NA, index=requests.index, dtype="str")
    if "cookie" in requests and customer_cookie:
        ids = requests["cookie"].str.extract(rf"(?:^|;\s*){customer_cookie}=([^;\s]+)", expand=False).astype("str")
    if use_user_field and "user" in requests:
        ids = ids.fillna(requests["user"])
    seen = pd.DataFrame({"visitor": requests["visitor"], "customer_id": ids, "time": requests["time"]}).dropna()
    if seen.empty:
        return pd.DataFrame({"visitor": pd.Series(dtype="str"), "customer_id": pd.Series(dtype="str"),
                             "identified_at": pd.Series(dtype="datetime64[s]"), "conflicts": pd.Series(dtype=int)})
    seen = seen.sort_values("time", kind="stable")
    counts = seen.groupby(["visitor", "customer_id"], sort=False).agg(n=("time", "size"), first=("time", "min")).reset_index()
    counts = counts.sort_values(["visitor", "n", "first"], ascending=[True, False, True], kind="stable")
    best = counts.drop_duplicates("visitor").set_index("visitor")
    return pd.DataFrame({
        "visitor": best.index.astype("str"),
        "customer_id": best["customer_id"].to_numpy(),
        "identified_at": seen.groupby("visitor")["time"].min().reindex(best.index).to_numpy(),
        "conflicts": counts.groupby("visitor").size().reindex(best.index).to_numpy(),
    })


def customer_web_activity(sessions: pd.DataFrame, reached: pd.DataFrame, identified: pd.DataFrame) -> pd.DataFrame:
    """Web behaviour per identified customer.

    ``sessions``: human session table (index session, ``visitor``, ``pages``);
    ``reached``: :func:`crm_analysis.weblog.behaviour.reached_steps` (index session,
    boolean step columns incl. ``product``, ``cart``, ``checkout``);
    ``identified``: :func:`identify_visitors`. Returns per ``customer_id``: visitors,
    sessions, page_views, product_sessions, cart_sessions, web_orders (sessions reaching
    checkout).
    """
    require_columns(sessions, ["visitor", "pages"], "sessions")
    link = identified.set_index("visitor")["customer_id"]
    s = sessions.assign(customer_id=link.reindex(sessions["visitor"]).to_numpy()).dropna(subset=["customer_id"])
    r = reached.reindex(s.index).fillna(False).astype(bool)
    s = s.assign(product=r.get("product", False), cart=r.get("cart", False), checkout=r.get("checkout", False))
    g = s.groupby("customer_id")
    return pd.DataFrame({
        "visitors": g["visitor"].nunique(), "sessions": g.size(), "page_views": g["pages"].sum(),
        "product_sessions": g["product"].sum(), "cart_sessions": g["cart"].sum(), "web_orders": g["checkout"].sum(),
    }).astype(int)


def web_vs_purchases(activity: pd.DataFrame, transactions: pd.DataFrame) -> pd.DataFrame:
    """Web activity beside purchase history for identified customers.

    ``transactions``: ``customer_id``, ``amount`` (currency) and optionally ``date``.
    Adds ``orders`` (transactions), ``revenue`` (sum of amount) and ``group``: browsing
    (sessions) high or low against its median × buying (orders) high or low against its
    median, e.g. ``"browses a lot, buys little"``.
    """
    require_columns(transactions, ["customer_id", "amount"], "transactions")
    tx = transactions.groupby(transactions["customer_id"].astype("str"))["amount"].agg(orders="size", revenue="sum")
    out = activity.join(tx, how="left").fillna({"orders": 0, "revenue": 0.0})
    out["orders"] = out["orders"].astype(int)
    browse = out["sessions"] > out["sessions"].median()
    buy = out["orders"] > out["orders"].median()
    out["group"] = pd.array(np.select(
        [browse & ~buy, browse & buy, ~browse & buy],
        ["browses a lot, buys little", "browses a lot, buys a lot", "browses little, buys a lot"],
        default="browses little, buys little"), dtype="str")
    return out


def group_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Customers, mean sessions, orders, revenue and web orders per browsing × buying group."""
    return (table.groupby("group")
            .agg(customers=("sessions", "size"), mean_sessions=("sessions", "mean"),
                 mean_page_views=("page_views", "mean"), mean_orders=("orders", "mean"),
                 mean_revenue=("revenue", "mean"), mean_web_orders=("web_orders", "mean"))
            .sort_values("customers", ascending=False))
