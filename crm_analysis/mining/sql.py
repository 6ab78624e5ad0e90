"""Level 1, simple retrieval: real SQL on the warehouse tables, run by DuckDB.

DuckDB runs SQL directly on pandas frames (and on CSV/Parquet files) without a server,
so the notebook shows the query text a reporting analyst would write and its result.
"""

from __future__ import annotations

import pandas as pd

#: The level-1 questions on the promotion data (tables ``customers``, ``transactions``,
#: ``contacts`` of :func:`crm_analysis.data.synthetic.simulate_promotion`).
PROMOTION_QUERIES: dict[str, str] = {
    "spring_response": """
SELECT count(*)            AS contacts,
       sum(responded)      AS responders,
       avg(responded)      AS response_rate
FROM contacts
WHERE season = 'spring'""",
    "responders_by_region": """
SELECT c.region,
       count(*)            AS contacts,
       sum(k.responded)    AS responders,
       avg(k.responded)    AS response_rate
FROM contacts k JOIN customers c USING (customer_id)
WHERE k.season = 'spring'
GROUP BY c.region
ORDER BY response_rate DESC, c.region""",
    "top_customers": """
SELECT customer_id,
       count(*)            AS purchases,
       sum(amount)         AS revenue
FROM transactions
GROUP BY customer_id
ORDER BY revenue DESC, customer_id
LIMIT 10""",
    "spend_of_responders": """
WITH spend AS (
    SELECT customer_id, sum(amount) AS revenue FROM transactions GROUP BY customer_id)
SELECT k.responded,
       count(*)                      AS contacts,
       avg(coalesce(s.revenue, 0))   AS mean_revenue
FROM contacts k LEFT JOIN spend s USING (customer_id)
WHERE k.season = 'spring'
GROUP BY k.responded
ORDER BY k.responded""",
}


def query(sql: str, **tables: pd.DataFrame) -> pd.DataFrame:
    """Run ``sql`` with each keyword frame available as a table of that name.

    A fresh in-memory DuckDB connection per call: nothing persists between queries.
    Errors from DuckDB (unknown column, syntax) are re-raised as ``ValueError`` with the
    query text.
    """
    import duckdb  # imported where used: only the SQL levels need the engine

    con = duckdb.connect()
    try:
        for name, frame in tables.items():
            con.register(name, frame)
        return con.execute(sql).df()
    except duckdb.Error as error:
        raise ValueError(f"query failed: {error}\n--- query ---{sql}") from None
    finally:
        con.close()


def retail_queries(top_n: int = 5) -> dict[str, str]:
    """Level-1 questions on an analyst's ``transactions`` table (canonical columns
    ``customer_id``, ``date``, ``amount``; ``order_id`` and ``country`` where mapped)."""
    return {
        "totals": """
SELECT count(DISTINCT customer_id) AS customers,
       count(*)                    AS lines,
       sum(amount)                 AS revenue,
       min(date)                   AS first_day,
       max(date)                   AS last_day
FROM transactions""",
        "top_customers": f"""
SELECT customer_id,
       count(*)     AS lines,
       sum(amount)  AS revenue
FROM transactions
GROUP BY customer_id
ORDER BY revenue DESC, customer_id
LIMIT {int(top_n)}""",
    }
