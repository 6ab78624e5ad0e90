"""Data quality scorecard of the customer and transaction tables.

Every rule checks one column of one table on one **dimension** and marks each checked row
passed or failed; rows a rule does not apply to (e.g. the format of a missing e-mail)
are not checked. The dimensions:

- **completeness**: the value is present (missing, or empty after trimming, fails);
- **validity**: the value has the right format or range (e-mail ``local@domain.tld``;
  Korean mobile phone, 10–11 digits starting ``01`` after removing separators and the
  ``82`` country code; dates between ``min_date`` and ``as_of``; amounts finite and
  positive; shares in [0, 1]);
- **uniqueness**: ids appear once; a normalised e-mail or phone belongs to one record;
- **consistency**: across tables and columns (each transaction's customer exists; no
  purchase before its customer registered; a record is not updated before it was
  created);
- **freshness**: the record was updated within ``max_age_days`` of ``as_of``.

A rule's score is its share of checked rows that pass; a dimension's score is the mean of
its rules' scores; the **overall score** is the mean of the dimension scores present
(each dimension weighs the same, however many rules it has). Written by hand: each check
is one vectorised pandas expression; a validation library (pandera, great-expectations)
would add a dependency to state the same expressions and still leave the dimension scores,
the overall score and the fix priorities to write.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .linkage import EMAIL_PATTERN, normalize_identity

DIMENSIONS = ("completeness", "validity", "uniqueness", "consistency", "freshness")


@dataclass
class QualityReport:
    """Result of :func:`audit_quality`.

    ``scorecard``: one row per rule: ``rule`` (id, e.g. ``customers.email.validity``),
    ``table``, ``column``, ``dimension``, ``check`` (what it tests, in words),
    ``checked`` and ``failed`` (rows), ``score`` (share passed, 0–1).
    """

    scorecard: pd.DataFrame
    tables: dict = field(repr=False)
    _failed: dict = field(repr=False)

    @property
    def dimension_scores(self) -> pd.Series:
        """Mean rule score per dimension (0–1), in the order of :data:`DIMENSIONS`."""
        s = self.scorecard.groupby("dimension")["score"].mean()
        return s.reindex([d for d in DIMENSIONS if d in s.index])

    @property
    def overall(self) -> float:
        """Overall score (0–1): the mean of the dimension scores."""
        return float(self.dimension_scores.mean())

    def table_scores(self) -> pd.DataFrame:
        """Mean score per table × dimension (0–1)."""
        return self.scorecard.pivot_table(index="table", columns="dimension", values="score", aggfunc="mean")

    def heatmap_table(self) -> pd.DataFrame:
        """Mean score per ``table.column`` (rows) × dimension (columns); NaN where no rule."""
        frame = self.scorecard.assign(field=self.scorecard["table"] + "." + self.scorecard["column"])
        out = frame.pivot_table(index="field", columns="dimension", values="score", aggfunc="mean")
        order = frame.drop_duplicates("field")["field"]
        return out.reindex(index=order, columns=[d for d in DIMENSIONS if d in out.columns])

    def failed_rows(self, rule: str) -> pd.DataFrame:
        """The rows of the rule's table that fail ``rule`` (an id from ``scorecard.rule``)."""
        if rule not in self._failed:
            raise ValueError(f"failed_rows: unknown rule {rule!r}; rules are {sorted(self._failed)}")
        table = self.scorecard.loc[self.scorecard["rule"] == rule, "table"].iloc[0]
        return self.tables[table].loc[self._failed[rule]]

    def worst(self, n: int = 5) -> pd.DataFrame:
        """The ``n`` rules with the most failed rows (ties: lower score first)."""
        return self.scorecard[self.scorecard["failed"] > 0].sort_values(
            ["failed", "score"], ascending=[False, True]).head(n)


def _missing(values: pd.Series) -> pd.Series:
    missing = values.isna()
    if values.dtype == "str" or values.dtype == object:
        missing |= values.astype("str").str.strip().fillna("").eq("")
    return missing.astype(bool)


def audit_quality(
    customers: pd.DataFrame,
    transactions: pd.DataFrame | None = None,
    *,
    as_of: str | pd.Timestamp,
    max_age_days: int = 365,
    min_date: str = "1990-01-01",
    id_column: str = "customer_id",
) -> QualityReport:
    """Score the customer table (and transactions, when given) on every rule that applies.

    Columns used when present: customers ``customer_id``, ``name``, ``email``, ``phone``,
    ``registration_date`` (or ``signup_date``), ``updated_at``, ``share_of_wallet``, and
    every other column for completeness; transactions ``customer_id``, ``date``,
    ``amount``, ``order_id``. ``as_of``: the audit day (dates after it are invalid);
    ``max_age_days``: a record updated longer ago is stale.
    """
    if id_column not in customers:
        raise ValueError(f"customers: missing column {id_column!r}; map the customer id in the data profile")
    as_of_ts = pd.Timestamp(as_of)
    lo = pd.Timestamp(min_date)
    rules: list[dict] = []
    failed: dict[str, pd.Index] = {}

    def add(table, column, dimension, check, passed: pd.Series):
        """``passed``: boolean where checked, NA where the rule does not apply."""
        checked = passed.notna()
        ok = passed[checked].astype(bool)
        rule = f"{table}.{column}.{dimension}"
        k = 2
        while rule in failed:
            rule, k = f"{table}.{column}.{dimension}{k}", k + 1
        failed[rule] = ok.index[~ok.to_numpy()]
        n = int(checked.sum())
        rules.append({"rule": rule, "table": table, "column": column, "dimension": dimension, "check": check,
                      "checked": n, "failed": int((~ok).sum()), "score": float(ok.mean()) if n else np.nan})

    def only(mask: pd.Series, values: pd.Series) -> pd.Series:
        return values.astype("boolean").where(mask.to_numpy(), pd.NA)

    c = customers
    for col in c.columns:
        add("customers", col, "completeness", "value present", ~_missing(c[col]))
    reg_col = "registration_date" if "registration_date" in c else ("signup_date" if "signup_date" in c else None)
    if "email" in c:
        e = c["email"].astype("str").str.strip().str.lower()
        add("customers", "email", "validity", "local@domain.tld",
            only(~_missing(c["email"]), e.str.match(EMAIL_PATTERN.pattern).fillna(False)))
    if "phone" in c:
        ok = normalize_identity(c[["phone"]])["phone"].notna()
        add("customers", "phone", "validity", "mobile number, 10-11 digits from 01", only(~_missing(c["phone"]), ok))
    for col in [reg_col, "updated_at"]:
        if col and col in c:
            d = pd.to_datetime(c[col], errors="coerce")
            add("customers", col, "validity", f"a date from {lo.date()} to as_of",
                only(c[col].notna(), d.between(lo, as_of_ts)))
    if "share_of_wallet" in c:
        s = pd.to_numeric(c["share_of_wallet"], errors="coerce")
        add("customers", "share_of_wallet", "validity", "a share in [0, 1]", only(c["share_of_wallet"].notna(), s.between(0, 1)))
    add("customers", id_column, "uniqueness", "id appears once",
        only(c[id_column].notna(), ~c[id_column].duplicated(keep=False)))
    norm = normalize_identity(c)
    for col in ["email", "phone"]:
        if col in norm:
            add("customers", col, "uniqueness", "normalised value belongs to one record",
                only(norm[col].notna(), ~norm[col].duplicated(keep=False)))
    if reg_col and "updated_at" in c:
        r = pd.to_datetime(c[reg_col], errors="coerce").dt.normalize()
        u = pd.to_datetime(c["updated_at"], errors="coerce").dt.normalize()
        add("customers", "updated_at", "consistency", f"not before the day of {reg_col}",
            only(r.notna() & u.notna(), u >= r))
    if "updated_at" in c:
        u = pd.to_datetime(c["updated_at"], errors="coerce")
        add("customers", "updated_at", "freshness", f"updated within {max_age_days} days of as_of",
            only(u.notna(), (as_of_ts - u) <= pd.Timedelta(days=max_age_days)))

    tables = {"customers": customers}
    if transactions is not None:
        t = transactions
        tables["transactions"] = t
        for col in [x for x in ["customer_id", "date", "amount", "order_id"] if x in t]:
            add("transactions", col, "completeness", "value present", ~_missing(t[col]))
        if "amount" in t:
            a = pd.to_numeric(t["amount"], errors="coerce")
            add("transactions", "amount", "validity", "a finite positive amount",
                only(t["amount"].notna(), np.isfinite(a) & (a > 0)))
        if "date" in t:
            d = pd.to_datetime(t["date"], errors="coerce")
            add("transactions", "date", "validity", f"a date from {lo.date()} to as_of",
                only(t["date"].notna(), d.between(lo, as_of_ts + pd.Timedelta(days=1), inclusive="left")))
        if "order_id" in t:
            add("transactions", "order_id", "uniqueness", "id appears once",
                only(t["order_id"].notna(), ~t["order_id"].duplicated(keep=False)))
        if "customer_id" in t:
            known = t["customer_id"].isin(c[id_column])
            add("transactions", "customer_id", "consistency", "customer exists in customers",
                only(t["customer_id"].notna(), known))
            if reg_col and "date" in t:
                first = pd.to_datetime(c[reg_col], errors="coerce").dt.normalize()
                first = first.where(first >= lo).groupby(c[id_column]).min()
                when = t["customer_id"].map(first)
                tday = pd.to_datetime(t["date"], errors="coerce").dt.normalize()
                add("transactions", "date", "consistency", f"not before the customer's {reg_col}",
                    only(known & when.notna() & tday.notna(), tday >= when))
    scorecard = pd.DataFrame(rules)
    return QualityReport(scorecard=scorecard, tables=tables, _failed=failed)


def fix_priorities(report: QualityReport) -> pd.DataFrame:
    """Rules with failures, ranked by how much fixing each would raise the overall score.

    Fixing a rule (all its checked rows pass) raises its dimension's score by
    (1 − rule score) ÷ (rules in the dimension), and the overall score by that ÷ (number of
    dimensions): ``gain`` (0–1). Ties: more failed rows first.
    """
    card = report.scorecard
    per_dim = card.groupby("dimension")["rule"].transform("size")
    n_dims = card["dimension"].nunique()
    out = card.assign(gain=(1 - card["score"]) / per_dim / n_dims)
    out = out[out["failed"] > 0].sort_values(["gain", "failed"], ascending=[False, False], kind="stable")
    return out[["rule", "table", "column", "dimension", "check", "failed", "score", "gain"]].reset_index(drop=True)
