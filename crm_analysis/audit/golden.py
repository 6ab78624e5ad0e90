"""Golden records: one merged record per person, by stated survivorship rules.

For each cluster of linked records (a person):

- ``customer_id``: the id of the **earliest registered** record survives (ties: the
  smaller id); ``merged_ids`` lists all ids of the cluster, ``records`` counts them;
- ``registration_date``: the earliest *valid* registration date (from ``min_date`` on);
- every other field: the **most recent valid value**: among the cluster's records whose
  value is valid, the one with the latest ``updated_at`` (ties: the later registration,
  then the larger id). Valid means present and, for ``email`` and ``phone``, in a valid
  format (:func:`~crm_analysis.audit.linkage.normalize_identity`); a field no record holds
  validly stays missing.

Also :func:`source_contribution`: what two linked sources each add.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..common import require_columns
from .linkage import normalize_identity


def golden_records(
    records: pd.DataFrame,
    clusters: pd.Series,
    *,
    id_column: str = "customer_id",
    created: str = "registration_date",
    updated: str = "updated_at",
    min_date: str = "1990-01-01",
) -> pd.DataFrame:
    """One row per cluster, by the survivorship rules of this module.

    ``clusters``: cluster number per id (e.g. from :func:`~crm_analysis.audit.linkage.clusters`).
    Without an ``updated`` column, ``created`` orders the values instead; without either,
    the larger id wins.
    """
    require_columns(records, [id_column], what="records")
    ids = records[id_column].astype("str")
    frame = records.copy()
    frame["_cluster"] = clusters.reindex(ids.to_numpy()).to_numpy()
    if frame["_cluster"].isna().any():
        rows = np.flatnonzero(frame["_cluster"].isna().to_numpy())[:5].tolist()
        raise ValueError(f"golden_records: records at rows {rows} have no cluster")
    frame["_id"] = ids.to_numpy()
    reg = pd.to_datetime(frame[created], errors="coerce") if created in frame else pd.Series(pd.NaT, index=frame.index)
    frame["_created"] = reg.where(reg >= pd.Timestamp(min_date))
    frame["_updated"] = pd.to_datetime(frame[updated], errors="coerce") if updated in frame else frame["_created"]
    norm = normalize_identity(frame)
    valid = {c: frame[c].notna() & ~frame[c].astype("str").str.strip().fillna("").eq("") for c in records.columns}
    for col in ["email", "phone"]:
        if col in norm:
            valid[col] = norm[col].notna()
    # Surviving id: earliest valid registration, then the smaller id.
    first = frame.sort_values(["_cluster", "_created", "_id"], na_position="last", kind="stable")
    first = first.drop_duplicates("_cluster")
    out = pd.DataFrame({id_column: first["_id"].to_numpy()}, index=first["_cluster"].to_numpy())
    out.index.name = "cluster"
    groups = frame.groupby("_cluster")["_id"]
    out["records"] = groups.size()
    out["merged_ids"] = groups.agg(lambda s: ";".join(sorted(s)))
    if created in records:
        out[created] = frame.groupby("_cluster")["_created"].min()
    recent = frame.sort_values(["_cluster", "_updated", "_created", "_id"], ascending=[True, False, False, False],
                               na_position="last", kind="stable")
    for col in records.columns:
        if col in (id_column, created):
            continue
        ok = recent[valid[col].reindex(recent.index).to_numpy()]
        out[col] = ok.drop_duplicates("_cluster").set_index("_cluster")[col].reindex(out.index)
    return out.sort_index()


def source_contribution(left: pd.DataFrame, right: pd.DataFrame, links: pd.DataFrame, *,
                        left_id: str, right_id: str, fields: list[str] | None = None,
                        names: tuple[str, str] = ("left", "right")) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What each of two linked sources adds: people and filled fields.

    ``links``: one-to-one pairs ``id_l`` (a ``left`` id) and ``id_r`` (a ``right`` id); a
    left id linked to several right ids keeps its most probable link when ``links`` has
    ``match_probability``. Returns two frames: ``people`` (counts of people in each source
    only, in both, in all) and ``fields``: for each field (default: all columns of either
    source but the ids) the share of all people for whom it is known from ``left`` alone,
    ``right`` alone, and after merging (either source), and the **consistency across the
    sources**: among people both sources know the field for, the share whose values agree
    (e-mail and phone compared after :func:`normalize_identity`, text after trimming and
    lower-casing; NaN where no person has it in both).
    """
    links = links.copy()
    if "match_probability" in links:
        links = links.sort_values("match_probability", ascending=False)
    links = links.drop_duplicates("id_l").drop_duplicates("id_r")
    a, b = names
    l_ids, r_ids = left[left_id].astype("str"), right[right_id].astype("str")
    r_of_l = pd.Series(links["id_r"].astype("str").to_numpy(), index=links["id_l"].astype("str").to_numpy())
    right_only = r_ids[~r_ids.isin(links["id_r"].astype("str"))]
    people = pd.concat([pd.DataFrame({"l": l_ids.to_numpy(), "r": l_ids.map(r_of_l).to_numpy()}),
                        pd.DataFrame({"l": pd.array([None] * len(right_only), dtype="str"), "r": right_only.to_numpy()})],
                       ignore_index=True)
    n = len(people)
    rows = [{"measure": f"people in {a} only", "value": int((people["l"].notna() & people["r"].isna()).sum())},
            {"measure": "people in both", "value": int((people["l"].notna() & people["r"].notna()).sum())},
            {"measure": f"people in {b} only", "value": int((people["l"].isna() & people["r"].notna()).sum())},
            {"measure": "people in all", "value": n}]
    lk, rk = left.set_index(l_ids.to_numpy()), right.set_index(r_ids.to_numpy())
    fields = fields or [c for c in dict.fromkeys([*left.columns, *right.columns]) if c not in (left_id, right_id)]
    table = pd.DataFrame(rows).set_index("measure")
    shares = []
    for col in fields:
        in_l = lk[col].reindex(people["l"]).notna().to_numpy() if col in lk else np.zeros(n, bool)
        in_r = rk[col].reindex(people["r"]).notna().to_numpy() if col in rk else np.zeros(n, bool)
        agree = np.nan
        if col in lk and col in rk and (in_l & in_r).any():
            both = in_l & in_r
            vl = _comparable(lk[col].reindex(people["l"]), col)[both]
            vr = _comparable(rk[col].reindex(people["r"]), col)[both]
            agree = float((vl == vr).mean())
        shares.append({"field": col, f"known from {a}": in_l.mean(), f"known from {b}": in_r.mean(),
                       "known after merging": (in_l | in_r).mean(), "agree where both know": agree})
    return table, pd.DataFrame(shares).set_index("field")


def _comparable(values: pd.Series, column: str) -> np.ndarray:
    """Values of one field made comparable across sources (normalised identity, trimmed text)."""
    if column in ("email", "phone", "name"):
        normal = normalize_identity(pd.DataFrame({column: values.to_numpy()}))[column]
        return normal.to_numpy(dtype=object)
    if values.dtype == "str" or values.dtype == object:
        return values.astype("str").str.strip().str.lower().to_numpy(dtype=object)
    return values.to_numpy(dtype=object)
